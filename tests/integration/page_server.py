# SPDX-License-Identifier: BSD-3-Clause
# page_server.py - what the browser tests' page servers share: GET serves one
# page; POST /result?tag=T writes the body to RESULTS_DIR/T (atomically, so
# the test never reads half a report).
import http.server
import os
import urllib.parse

# The JavaScript the API pages (echo_page, sip_page) open with: the query
# parameters, the report object and log, call() for one JSON request to the
# gateway's API, newPc() and report().
API_HELPERS = r"""
const p = new URLSearchParams(location.search);
const api = p.get('api');
const out = {steps: [], stats: [], events: []};
const log = (s) => out.steps.push(s);
async function call(method, path, token, body) {
  const h = {};
  if (token) h['Authorization'] = 'Bearer ' + token;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const r = await fetch(api + path, {method, headers: h,
    body: body === undefined ? undefined : JSON.stringify(body)});
  const text = await r.text();
  return {status: r.status, body: text ? JSON.parse(text) : null};
}
/* A peer connection sending stream's tracks and playing what comes back
 * (as the demo page does: Chromium decodes it for playout). */
function newPc(stream, cfg) {
  const pc = new RTCPeerConnection(cfg || {});
  stream.getTracks().forEach(t => pc.addTrack(t, stream));
  pc.ontrack = (ev) => {
    const a = document.createElement('audio');
    a.autoplay = true;
    a.srcObject = ev.streams[0] || new MediaStream([ev.track]);
    document.body.appendChild(a);
  };
  return pc;
}
/* POST the outcome back to the page server, which writes RESULTS_DIR/<tag>. */
async function report() {
  await fetch('/result?tag=' + encodeURIComponent(p.get('tag')), {method: 'POST', body: JSON.stringify(out)});
}
"""


def api_page(script):
    """A page running API_HELPERS, then script."""
    return "<!doctype html><html><body><script>" + API_HELPERS + script + "</script></body></html>\n"


def serve(port, results_dir, page):
    body = page.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
            tag = os.path.basename(q.get("tag", ["none"])[0])
            data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            tmp = os.path.join(results_dir, tag + ".tmp")
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, os.path.join(results_dir, tag))
            self.send_response(204)
            self.end_headers()

    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
