# SPDX-License-Identifier: BSD-3-Clause
# page_server.py - what the browser tests' page servers share: GET serves one
# page; POST /result?tag=T writes the body to RESULTS_DIR/T (atomically, so
# the test never reads half a report).
import http.server
import os
import urllib.parse


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
