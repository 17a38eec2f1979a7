#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# cors_page.py PORT RESULTS_DIR: the web application's origin for the CORS
# test. GET /page?api=BASE&tag=T serves a page whose script calls the API on
# another origin, as a contact-centre page would: a simple GET /healthz (no
# preflight) and a JSON POST /v1/sessions (preflighted). Each outcome (the
# status and body, or the error the browser raised when it blocked the
# response) is POSTed back here, same-origin, and written to RESULTS_DIR/T.
import sys

from page_server import serve

PAGE = """<!doctype html><html><body><script>
const p = new URLSearchParams(location.search);
const api = p.get('api');
async function one(name, url, opts) {
  try {
    const r = await fetch(url, opts);
    return name + ' status=' + r.status + ' body=' + (await r.text()).trim();
  } catch (e) {
    return name + ' blocked=' + e.name;
  }
}
(async () => {
  const out = [];
  out.push(await one('simple', api + '/healthz', {method: 'GET'}));
  out.push(await one('preflighted', api + '/v1/sessions', {method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({user: 'alice', password: 'wrong-but-harmless'})}));
  await fetch('/result?tag=' + encodeURIComponent(p.get('tag')),
              {method: 'POST', body: out.join('\\n') + '\\n'});
})();
</script></body></html>
"""


serve(int(sys.argv[1]), sys.argv[2], PAGE)
