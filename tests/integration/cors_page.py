#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# cors_page.py PORT RESULTS_DIR: the web application's origin for the CORS
# test. GET /page?api=BASE&tag=T serves a page whose script calls the API on
# another origin, as a contact-centre page would: a simple GET /healthz (no
# preflight) and a JSON POST /v1/sessions (preflighted). Each outcome (the
# status and body, or the error the browser raised when it blocked the
# response) is POSTed back here, same-origin, and written to RESULTS_DIR/T.
import http.server
import os
import sys
import urllib.parse

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


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        tag = os.path.basename(q.get("tag", ["none"])[0])
        data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(os.path.join(sys.argv[2], tag + ".tmp"), "wb") as f:
            f.write(data)
        os.rename(os.path.join(sys.argv[2], tag + ".tmp"), os.path.join(sys.argv[2], tag))
        self.send_response(204)
        self.end_headers()


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
