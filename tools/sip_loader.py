#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# tools/sip_loader.py - the call-setup loader for tools/bench-sip.sh. Each of
# C threads signs in (its own session, one keep-alive HTTPS connection for
# requests and one for events), then places calls one after another until N
# calls in all were placed or the time limit passed: POST .../calls with a
# browser-like offer, wait for the call's "answered" event (long-poll),
# DELETE it. Prints calls per second and setup latency percentiles (POST
# sent -> "answered" received) as one JSON line.
#
# usage: sip_loader.py API_HOST API_PORT USER PASSWORD CALLS CONCURRENCY SECONDS
import http.client
import json
import ssl
import sys
import threading
import time

host, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
total, conc, limit = int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE

OFFER = ("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
         "m=audio 9 UDP/TLS/RTP/SAVPF 0 126\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
         "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
         "a=fingerprint:sha-256 " + ":".join(["AB"] * 32) + "\r\n"
         "a=setup:actpass\r\na=rtcp-mux\r\na=rtpmap:0 PCMU/8000\r\n"
         "a=rtpmap:126 telephone-event/8000\r\na=sendrecv\r\n")

lock = threading.Lock()
placed = 0
latencies = []
failures = []
deadline = time.monotonic() + limit


def req(conn, method, path, token=None, body=None):
    h = {}
    if token:
        h["Authorization"] = "Bearer " + token
    if body is not None:
        h["Content-Type"] = "application/json"
        body = json.dumps(body)
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    return r.status, (json.loads(data) if data else None)


def worker():
    global placed
    api = http.client.HTTPSConnection(host, port, context=ctx, timeout=30)
    ev = http.client.HTTPSConnection(host, port, context=ctx, timeout=30)
    st, b = req(api, "POST", "/v1/sessions", body={"user": user, "password": password})
    if st != 201:
        failures.append("signin %d" % st)
        return
    sid, tok = b["session"], b["token"]
    cursor = 0
    while time.monotonic() < deadline:
        with lock:
            if placed >= total:
                break
            placed += 1
        t0 = time.monotonic()
        st, b = req(api, "POST", "/v1/sessions/%s/calls" % sid, tok, {"to": "1000", "sdp": OFFER})
        if st != 201:
            failures.append("call %d %s" % (st, b))
            continue
        cid = b["call"]
        answered = None
        while answered is None and time.monotonic() < deadline + 5:
            st, e = req(ev, "GET", "/v1/sessions/%s/events?timeout=5&after=%d" % (sid, cursor), tok)
            for x in (e or {}).get("events", []):
                cursor = max(cursor, x["id"])
                if x.get("call") == cid and x["type"] in ("answered", "ended"):
                    answered = x["type"]
        if answered == "answered":
            latencies.append(time.monotonic() - t0)
        else:
            failures.append("call %s: %s" % (cid, answered))
        req(api, "DELETE", "/v1/sessions/%s/calls/%s" % (sid, cid), tok)
    req(api, "DELETE", "/v1/sessions/%s" % sid, tok)


t_start = time.monotonic()
threads = [threading.Thread(target=worker) for _ in range(conc)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.monotonic() - t_start
lat = sorted(latencies)


def pct(p):
    return round(1000 * lat[min(len(lat) - 1, int(p / 100 * len(lat)))], 2) if lat else None


print(json.dumps({"calls_answered": len(lat), "failed": len(failures), "seconds": round(elapsed, 2),
                  "calls_per_second": round(len(lat) / elapsed, 1), "setup_ms_p50": pct(50),
                  "setup_ms_p90": pct(90), "setup_ms_p99": pct(99), "setup_ms_max": pct(100),
                  "first_failures": failures[:3]}))
