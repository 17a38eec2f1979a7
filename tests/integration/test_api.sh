#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The HTTPS API against the real server, with curl, openssl s_client and
# headless Chromium. The gateway runs in a namespace of its own on net_tap
# ports; the public port's wire side is moved into a "peer" namespace that
# holds three client addresses, so requests from there go through the
# dataplane and the exception path as they would on an appliance.
#
# Run 1 (auth static, a CORS whitelist): every route's success and error
# paths, CORS with and without preflight (curl and Chromium), TLS versions,
# the admin listener's reach, bans (3 failures, refusal, another address,
# ignore_ip, expiry, admin unban, an IPv6 /64 by ban.ipv6_prefix), metrics
# and telemetry.
# Run 2 (auth token, an empty whitelist, the same state file): a ban made
# in run 1 is still enforced after the restart; token sign-in; CORS echo.
set -u
. "$(dirname "$0")/../lib.sh"
RTCGATE=$1
HERE=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/rtcg-api-XXXXXX)
gw=rtcg-agw$$; peer=rtcg-apeer$$
prefix=rtcg-api-$$
on_exit "${KEEP:+: }rm -rf $dir"
netns_pair "$gw" "$peer" || exit 1
no_ipv6 "$gw" "$peer" || exit 1
G="ip netns exec $gw"
P="ip netns exec $peer"
API=https://127.0.0.1:8443
ADMIN=https://127.0.0.1:8444
WEB=9000
SECRET=rtcgate-test-shared-secret
HASH=$(printf 'correct horse\n' | "$RTCGATE" --hash-password)

cat > "$dir/gw.yaml" <<YAML
eal: {no_huge: true, memory_mb: 512, no_pci: true, file_prefix: $prefix}
lcores: {control: 0, workers: [1], idle_sleep_us: 100}
ports:
  - {name: pub, device: "net_tap0,iface=apub$$", role: public, addresses: [198.18.0.1/24], rx_descriptors: 512}
  - {name: int, device: "net_tap1,iface=aint$$", role: internal, addresses: [198.19.0.1/24], rx_descriptors: 512}
dataplane: {mbufs: 8191, max_sessions: 64}
https: {listen: ["127.0.0.1:8443", "198.18.0.1:8443"]}
admin: {listen: ["127.0.0.1:8444"]}
http: {max_header_bytes: 4096, max_body_bytes: 8192, timeout_seconds: 10, trusted_proxies: [127.0.0.4/32]}
cors: {domain_whitelist: ["http://127.0.0.1:$WEB", "https://*.allowed.example"], max_age_seconds: 600}
auth:
  mode: static
  users: [{name: alice, password_hash: "$HASH"}]
  token_secret: $SECRET
ban: {max_failures: 3, find_window_seconds: 600, ban_seconds: 8, ipv6_prefix: 64, ignore_ip: [127.0.0.1/32, 198.18.0.4], state_file: $dir/bans.state}
YAML

start_gw() { # start_gw LOG [--set ...]
	log=$1; shift
	$G "$RTCGATE" -c "$dir/gw.yaml" "$@" > "$log" 2>&1 &
	pid=$!; T_PIDS="$T_PIDS $pid"
	wait_http_ns "$API/healthz" 20
}
stop_gw() { stop_checked "$pid" 10 "the gateway" "$log"; }
wait_http_ns() {
	for _ in $(seq 1 $(($2 * 10))); do
		[ "$($G curl -sk -o /dev/null -w '%{http_code}' --max-time 1 "$1")" = 200 ] && return 0
		sleep 0.1
	done
	return 1
}
# r [curl args...]: a request from the gateway's namespace; CODE, BODY, HEAD.
r() {
	CODE=$($G curl -sk --max-time 5 -o "$dir/body" -D "$dir/head" -w '%{http_code}' "$@")
	BODY=$(cat "$dir/body" 2>/dev/null); HEAD=$(cat "$dir/head" 2>/dev/null)
}
# rp ADDR [curl args...]: the same from a client address in the peer namespace.
rp() {
	local src=$1; shift
	CODE=$($P curl -sk --max-time 3 --interface "$src" -o "$dir/body" -w '%{http_code}' "$@")
	BODY=$(cat "$dir/body" 2>/dev/null)
}
json() { jq -r "$1" <<<"$BODY" 2>/dev/null; }
is() { # is DESCRIPTION CODE [ERROR_CODE]: the last reply's status and error code
	if [ "$CODE" = "$2" ] && { [ -z "${3:-}" ] || [ "$(json .error.code)" = "$3" ]; }; then
		pass "$1"
	else
		fail "$1 (got $CODE $BODY)"
	fi
}
has_header() { grep -qi "^$1" <<<"$HEAD"; }
JSON=(-H 'Content-Type: application/json')
signin() { r -X POST "${JSON[@]}" -d "{\"user\":\"$1\",\"password\":\"$2\"}" "$API/v1/sessions"; }
bad_login() { rp "$1" -X POST "${JSON[@]}" -d '{"user":"alice","password":"guess"}' https://198.18.0.1:8443/v1/sessions; }
tel() { $G dpdk-telemetry.py -f "$prefix" <<<"$1" 2>/dev/null; }

check "gateway (run 1) answers /healthz" start_gw "$dir/gw1.log"
ip -n "$gw" link set "apub$$" netns "$peer"
ip -n "$peer" addr add 198.18.0.2/24 dev "apub$$"
ip -n "$peer" addr add 198.18.0.3/24 dev "apub$$"
ip -n "$peer" addr add 198.18.0.4/24 dev "apub$$"
ip -n "$peer" link set "apub$$" up
$G ip addr add 127.0.0.2/8 dev lo 2>/dev/null || true

echo "== routes"
r "$API/healthz"; is "GET /healthz" 200
check "/healthz reports status ok and the ports" test "$(json '.status + " " + .ports[0].name')" = "ok pub"
signin alice "correct horse"; is "POST /v1/sessions with the right password" 201
SID=$(json .session); TOKEN=$(json .token)
check "the session has an id, a token and an expiry" test -n "$SID" -a ${#TOKEN} = 64 -a "$(json .expires)" -gt "$(date +%s)"
check "Location names the session" has_header "Location: /v1/sessions/$SID"
AUTH=(-H "Authorization: Bearer $TOKEN")
signin alice "wrong"; is "wrong password: 401" 401 invalid_credentials
signin nobody "x"; is "unknown user: 401, same code" 401 invalid_credentials
r -X POST "${JSON[@]}" -d '{"user":"alice",' "$API/v1/sessions"; is "malformed JSON: 400" 400 bad_json
r -X POST "${JSON[@]}" -d '[1,2]' "$API/v1/sessions"; is "JSON that is no object: 400" 400 bad_json
r -X POST -H 'Content-Type: text/plain' -d 'user=alice' "$API/v1/sessions"; is "not JSON: 415" 415 unsupported_media_type
r -X POST "${JSON[@]}" -d '{"user":"alice"}' "$API/v1/sessions"; is "no password: 400" 400 missing_field
r -X POST "${JSON[@]}" -d '{"user":7,"password":"x"}' "$API/v1/sessions"; is "user not a string: 400" 400 bad_field
r -X POST "${JSON[@]}" -d '{"user":"a\u0000b","password":"x"}' "$API/v1/sessions"; is "NUL inside a string: 400" 400 bad_json
r -X POST "${JSON[@]}" -d "{\"user\":\"alice\",\"password\":\"$(head -c 9000 /dev/zero | tr '\0' x)\"}" "$API/v1/sessions"
is "body over http.max_body_bytes: 413 with JSON" 413 body_too_large
r -H "X-Big: $(head -c 5000 /dev/zero | tr '\0' y)" "$API/healthz"; is "head over http.max_header_bytes: 431 with JSON" 431 headers_too_large
r -X GET "$API/v1/sessions"; is "GET on a POST route: 405" 405 method_not_allowed
check "405 says what is allowed" has_header "Allow: POST"
r "$API/v1/nothing"; is "unknown route: 404 with JSON" 404 not_found

r "$API/v1/sessions/$SID"; is "session without a token: 401" 401 unauthorized
check "401 carries WWW-Authenticate: Bearer" has_header "WWW-Authenticate: Bearer"
# the token with its last digit changed (to 1 if it was 0, else to 0)
BADTOK=${TOKEN%?}$([ "${TOKEN: -1}" = 0 ] && echo 1 || echo 0)
r -H "Authorization: Bearer $BADTOK" "$API/v1/sessions/$SID"; is "wrong token: 401" 401 invalid_token
r "${AUTH[@]}" "$API/v1/sessions/0123456789abcdef0123456789abcdef"; is "token of another session: 401" 401 invalid_token
r "${AUTH[@]}" "$API/v1/sessions/$SID"; is "GET the session" 200
check "the session lists user and no calls" test "$(json '.user + " " + (.calls|length|tostring)')" = "alice 0"

echo "== events"
t0=$(date +%s%N)
r "${AUTH[@]}" "$API/v1/sessions/$SID/events?timeout=1"; is "long-poll with nothing to say: 200" 200
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "the long-poll waited its timeout (${ms} ms) and returned no events" test "$ms" -ge 900 -a "$(json '.events|length')" = 0
r "${AUTH[@]}" "$API/v1/sessions/$SID/events?timeout=0"; is "timeout=0 answers at once" 200
r "${AUTH[@]}" "$API/v1/sessions/$SID/events?timeout=61"; is "timeout above 60: 400" 400 bad_parameter
r "${AUTH[@]}" "$API/v1/sessions/$SID/events?timeout=x"; is "timeout not a number: 400" 400 bad_parameter
r "${AUTH[@]}" "$API/v1/sessions/$SID/events?after=-1"; is "bad cursor: 400" 400 bad_parameter
$G curl -sk -N --max-time 2 -D "$dir/sse_head" -o "$dir/sse_body" -H 'Accept: text/event-stream' "${AUTH[@]}" "$API/v1/sessions/$SID/events"
check "Accept: text/event-stream opens a stream" grep -qi 'Content-Type: text/event-stream' "$dir/sse_head"
check "the stream starts with a retry hint" grep -q '^retry: 2000' "$dir/sse_body"
sleep 0.3
r "$ADMIN/metrics"
check "a closed stream is no longer waiting" grep -q '^rtcgate_api_waiting_requests 0' <<<"$BODY"

echo "== calls"
OFFER='v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n'
r -X POST "${AUTH[@]}" "${JSON[@]}" -d "{\"sdp\":\"$OFFER\"}" "$API/v1/sessions/$SID/calls"; is "call without to: 400" 400 missing_field
r -X POST "${AUTH[@]}" "${JSON[@]}" -d "{\"to\":\"10 01\",\"sdp\":\"$OFFER\"}" "$API/v1/sessions/$SID/calls"; is "call to a bad destination: 400" 400 bad_field
r -X POST "${AUTH[@]}" "${JSON[@]}" -d '{"to":"1001","sdp":"hello"}' "$API/v1/sessions/$SID/calls"; is "call with no SDP: 400" 400 bad_sdp
r -X POST "${JSON[@]}" -d "{\"to\":\"1001\",\"sdp\":\"$OFFER\"}" "$API/v1/sessions/$SID/calls"; is "call without a token: 401" 401 unauthorized
r -X POST "${AUTH[@]}" "${JSON[@]}" -d "{\"to\":\"1001\",\"sdp\":\"$OFFER\"}" "$API/v1/sessions/$SID/calls"
is "a valid call with no SIP side configured: 503" 503 sip_unavailable
C=$API/v1/sessions/$SID/calls/0123456789abcdef01234567
r "${AUTH[@]}" "$C"; is "GET an unknown call: 404" 404 no_such_call
r -X POST "${AUTH[@]}" "${JSON[@]}" -d "{\"sdp\":\"$OFFER\"}" "$C/answer"; is "answer an unknown call: 404" 404 no_such_call
r -X POST "${AUTH[@]}" "${JSON[@]}" -d '{"digits":"12#"}' "$C/dtmf"; is "DTMF to an unknown call: 404" 404 no_such_call
r -X POST "${AUTH[@]}" "$C/hold"; is "hold an unknown call: 404" 404 no_such_call
r -X POST "${AUTH[@]}" "$C/resume"; is "resume an unknown call: 404" 404 no_such_call
r -X DELETE "${AUTH[@]}" "$C"; is "hang up an unknown call: 404" 404 no_such_call
r -X POST "${AUTH[@]}" -d '{"digits":"12#"}' "$C/dtmf"; is "DTMF without a JSON type: 415" 415
r -X GET "${AUTH[@]}" "$C/dtmf"; is "GET on the DTMF route: 405" 405 method_not_allowed

echo "== CORS (curl)"
r -H "Origin: http://127.0.0.1:$WEB" "$API/healthz"; is "listed Origin: 200" 200
check "listed Origin is echoed" has_header "Access-Control-Allow-Origin: http://127.0.0.1:$WEB"
check "replies vary by Origin" has_header "Vary: Origin"
r -H "Origin: https://eu.allowed.example" "$API/healthz"; is "Origin under a *. entry: 200" 200
check "wildcard-matched Origin is echoed" has_header "Access-Control-Allow-Origin: https://eu.allowed.example"
r -H "Origin: http://localhost:$WEB" "$API/healthz"; is "unlisted Origin: 403" 403 origin_not_allowed
check "no CORS headers for an unlisted Origin" bash -c "! grep -qi '^Access-Control' <<<\"\$0\"" "$HEAD"
r -H "Origin: https://allowed.example" "$API/healthz"; is "the bare domain of a *. entry: 403" 403 origin_not_allowed
r -X OPTIONS -H "Origin: http://127.0.0.1:$WEB" -H 'Access-Control-Request-Method: POST' \
	-H 'Access-Control-Request-Headers: content-type, authorization' "$API/v1/sessions"
is "preflight from a listed Origin: 204" 204
check "preflight allows the methods" has_header "Access-Control-Allow-Methods: GET, POST, DELETE, OPTIONS"
check "preflight allows the asked headers" has_header "Access-Control-Allow-Headers: content-type, authorization"
check "preflight carries Max-Age" has_header "Access-Control-Max-Age: 600"
check "preflight varies by Origin" has_header "Vary: Origin"
r -X OPTIONS -H "Origin: http://localhost:$WEB" -H 'Access-Control-Request-Method: POST' "$API/v1/sessions"
is "preflight from an unlisted Origin: 403" 403 origin_not_allowed
check "no CORS headers on the refused preflight" bash -c "! grep -qi '^Access-Control' <<<\"\$0\"" "$HEAD"

echo "== CORS (Chromium)"
mkdir -p "$dir/results"
$G python3 "$HERE/cors_page.py" "$WEB" "$dir/results" &
T_PIDS="$T_PIDS $!"
browse() { # browse ORIGIN TAG: load the page in headless Chromium, wait for its report
	$G chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
		--ignore-certificate-errors --user-data-dir="$dir/chrome-$2" \
		"$1/page?api=$API&tag=$2" > "$dir/chrome-$2.log" 2>&1 &
	local cpid=$!
	for _ in $(seq 1 300); do [ -f "$dir/results/$2" ] && break; sleep 0.1; done
	kill "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null
	cat "$dir/results/$2" 2>/dev/null
}
sleep 0.5
out=$(browse "http://127.0.0.1:$WEB" allowed1)
check "Chromium, listed origin: a simple GET succeeds" grep -q '^simple status=200' <<<"$out"
check "Chromium, listed origin: a preflighted POST reaches the API (401 for the wrong password)" \
	grep -q '^preflighted status=401' <<<"$out"
out=$(browse "http://localhost:$WEB" denied1)
check "Chromium, unlisted origin: the browser blocks the simple GET" grep -q '^simple blocked=TypeError' <<<"$out"
check "Chromium, unlisted origin: the browser blocks the preflighted POST" grep -q '^preflighted blocked=TypeError' <<<"$out"

echo "== TLS"
tls_try() { $G openssl s_client -connect 127.0.0.1:8443 "$@" </dev/null 2>&1; }
out=$(tls_try -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0')
check "TLS 1.1 is refused by the server (protocol version alert)" grep -qi 'alert protocol version' <<<"$out"
check "TLS 1.1 negotiates no cipher" grep -q 'Cipher is (NONE)' <<<"$out"
out=$(tls_try -tls1_2); check "TLS 1.2 is accepted, with an AEAD cipher" grep -q 'New, TLSv1.2, Cipher is ECDHE-.*GCM\|New, TLSv1.2, Cipher is ECDHE-.*CHACHA' <<<"$out"
out=$(tls_try -tls1_3); check "TLS 1.3 is accepted" grep -q 'New, TLSv1.3, Cipher is TLS_' <<<"$out"
code=$($G curl -s -o /dev/null -w '%{http_code}' --max-time 3 http://127.0.0.1:8443/healthz)
check "plain HTTP to the HTTPS port gets no HTTP answer ($code)" test "$code" = 000
code=$($P curl -sk -o /dev/null -w '%{http_code}' --max-time 3 https://198.18.0.1:8443/healthz)
check "the API answers on the public address ($code)" test "$code" = 200
code=$($P curl -sk -o /dev/null -w '%{http_code}' --max-time 3 https://198.18.0.1:8444/healthz)
check "the admin listener is not reachable on the public address ($code)" test "$code" = 000
r "$ADMIN/healthz"; is "the admin listener answers on loopback" 200
r "$ADMIN/demo"; is "the demo page is not on the admin listener" 404

echo "== bans"
for i in 1 2 3; do bad_login 198.18.0.2; is "bad password $i from 198.18.0.2: 401" 401 invalid_credentials; done
rp 198.18.0.2 https://198.18.0.1:8443/healthz
check "198.18.0.2's 4th connection gets nothing ($CODE)" test "$CODE" = 000
rp 198.18.0.3 https://198.18.0.1:8443/healthz; is "another address, 198.18.0.3, still works" 200
check "the ban is logged once, fail2ban-style" test "$(grep -c 'NOTICE \[rtcgate\] Ban 198.18.0.2$' "$dir/gw1.log")" = 1
r "$ADMIN/v1/admin/bans"; is "GET /v1/admin/bans" 200
check "the admin API lists the ban with its time left" \
	test "$(json '.bans[] | select(.address == "198.18.0.2") | (.seconds_left > 0)')" = true
check "the ban is in the dataplane's table (telemetry /rtcgate/bans)" grep -q '198.18.0.2 [0-9]*s' <<<"$(tel /rtcgate/bans)"
for i in 1 2 3 4 5; do bad_login 198.18.0.4; done
is "198.18.0.4 (ignore_ip) after 5 failures: still 401, not banned" 401 invalid_credentials
rp 198.18.0.4 https://198.18.0.1:8443/healthz; is "198.18.0.4 is never banned" 200
# Loopback (not ignored here): the TLS handshake itself is refused.
lo_bad() { CODE=$($G curl -sk --max-time 3 --interface "$1" -o /dev/null -w '%{http_code}' -X POST "${JSON[@]}" -d '{"user":"alice","password":"guess"}' "$API/v1/sessions"); }
for i in 1 2 3; do lo_bad 127.0.0.2; done
$G curl -sk --max-time 3 --interface 127.0.0.2 -o /dev/null "$API/healthz"; rc=$?
check "127.0.0.2, banned, is refused in the TLS handshake (curl exit $rc)" test "$rc" = 35
r "$ADMIN/metrics"
check "metrics: 2 bans now" grep -q '^rtcgate_bans 2$' <<<"$BODY"
check "metrics: failures counted (11)" grep -q '^rtcgate_auth_failures_total 1[1-9]$' <<<"$BODY"
check "metrics: requests by route and status" grep -q 'rtcgate_http_requests_total{listener="https",route="/v1/sessions",status="401"}' <<<"$BODY"
check "metrics: the dataplane's counters" grep -q '^rtcgate_dp_bans 2$' <<<"$BODY"
check "metrics: each port with its driver and link" grep -Eq '^rtcgate_port_link_up\{port="[a-z0-9_-]+",role="(public|internal|both)",driver="net_[a-z_]+"\} 1$' <<<"$BODY"
check "telemetry /rtcgate/control: the control lcore's counters" grep -q '"sessions": 1' <<<"$(tel /rtcgate/control)"
# Behind a trusted proxy (127.0.0.4) the client is the X-Forwarded-For address.
via() { # via PEER XFF [curl args]: a request from PEER carrying X-Forwarded-For
	local peer=$1 xff=$2; shift 2
	CODE=$($G curl -sk --max-time 3 --interface "$peer" -H "X-Forwarded-For: $xff" -o "$dir/body" -w '%{http_code}' "$@")
	BODY=$(cat "$dir/body" 2>/dev/null)
}
for i in 1 2 3; do via 127.0.0.4 "198.18.77.1, 198.18.66.6" -X POST "${JSON[@]}" -d '{"user":"alice","password":"guess"}' "$API/v1/sessions"; done
r "$ADMIN/v1/admin/bans"
check "behind a trusted proxy the X-Forwarded-For client is banned, not the proxy" \
	test "$(json '[.bans[].address] | (index("198.18.66.6") != null) and (index("127.0.0.4") == null)')" = true
via 127.0.0.4 198.18.66.6 "$API/healthz"; is "the banned client behind the proxy: 403" 403 banned
via 127.0.0.4 198.18.66.7 "$API/healthz"; is "another client behind the same proxy still works" 200
for i in 1 2 3; do via 127.0.0.5 198.18.55.5 -X POST "${JSON[@]}" -d '{"user":"alice","password":"guess"}' "$API/v1/sessions"; done
r "$ADMIN/v1/admin/bans"
check "from an untrusted peer X-Forwarded-For is ignored: the peer is banned" \
	test "$(json '[.bans[].address] | (index("127.0.0.5") != null) and (index("198.18.55.5") == null)')" = true
# ban.ipv6_prefix 64: failures from three addresses of one /64 ban the /64.
for x in 2001:2:0:9::1 2001:2:0:9::2 2001:2:0:9:ffff::3; do
	via 127.0.0.4 "$x" -X POST "${JSON[@]}" -d '{"user":"alice","password":"guess"}' "$API/v1/sessions"
done
r "$ADMIN/v1/admin/bans"
check "ban.ipv6_prefix 64: three addresses of one IPv6 /64 ban it, listed as the network" \
	test "$(json '[.bans[].address] | index("2001:2:0:9::/64") != null')" = true
check "the /64's ban is logged as the network" grep -q 'NOTICE \[rtcgate\] Ban 2001:2:0:9::/64$' "$dir/gw1.log"
via 127.0.0.4 2001:2:0:9::77 "$API/healthz"; is "another address of the banned /64: 403" 403 banned
via 127.0.0.4 2001:2:0:a::1 "$API/healthz"; is "an address of the /64 beside it still works" 200
check "the /64 is in the dataplane's table (telemetry)" grep -q '2001:2:0:9::/64 [0-9]*s' <<<"$(tel /rtcgate/bans)"
r -X DELETE "$ADMIN/v1/admin/bans/2001:2:0:9::5"; is "admin unban by any address of the /64: 204" 204
via 127.0.0.4 2001:2:0:9::77 "$API/healthz"; is "the /64 works again after the unban" 200
check "the /64 left the dataplane's table" bash -c '! grep -q "2001:2:0:9::" <<<"$0"' "$(tel /rtcgate/bans)"
r -X DELETE "$ADMIN/v1/admin/bans/127.0.0.2"; is "admin unban of 127.0.0.2: 204" 204
r -X DELETE "$ADMIN/v1/admin/bans/127.0.0.2"; is "unban again: 404" 404 not_banned
r -X DELETE "$ADMIN/v1/admin/bans/not-an-ip"; is "unban of a non-address: 400" 400 bad_address
code=$($G curl -sk --max-time 3 --interface 127.0.0.2 -o /dev/null -w '%{http_code}' "$API/healthz")
check "127.0.0.2 works again after the unban ($code)" test "$code" = 200
for i in 1 2 3; do lo_bad 127.0.0.3; done
check "127.0.0.3 is banned before the restart" grep -q '^127.0.0.3 ' "$dir/bans.state"
r -X DELETE "${AUTH[@]}" "$API/v1/sessions/$SID"; is "DELETE the session: 204" 204
r "${AUTH[@]}" "$API/v1/sessions/$SID"; is "its token no longer opens it" 401 invalid_token
# The 8 s ban of 198.18.0.2 lifts by itself.
for _ in $(seq 1 120); do grep -q 'Unban 198.18.0.2$' "$dir/gw1.log" && break; sleep 0.1; done
rp 198.18.0.2 https://198.18.0.1:8443/healthz; is "198.18.0.2 works again once ban_seconds passed" 200
check "the unban is logged once" test "$(grep -c 'NOTICE \[rtcgate\] Unban 198.18.0.2$' "$dir/gw1.log")" = 1
stop_gw

echo "== run 2: restart, token sign-in, empty whitelist, admin client certificates"
mkcert() { # mkcert NAME [CA]: an EC key and a certificate, self-signed or by CA
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
		-keyout "$dir/$1.key" -out "$dir/$1.csr" 2>/dev/null
	if [ -z "${2:-}" ]; then
		openssl x509 -req -in "$dir/$1.csr" -signkey "$dir/$1.key" -days 2 -out "$dir/$1.pem" \
			-extfile <(printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign') 2>/dev/null
	else
		openssl x509 -req -in "$dir/$1.csr" -CA "$dir/$2.pem" -CAkey "$dir/$2.key" \
			-CAcreateserial -days 2 -out "$dir/$1.pem" 2>/dev/null
	fi
}
mkcert adminca; mkcert operator adminca; mkcert otherca; mkcert intruder otherca
check "gateway (run 2) answers /healthz" start_gw "$dir/gw2.log" --set auth.mode=token \
	--set 'cors.domain_whitelist=[]' --set "admin.client_ca=$dir/adminca.pem" --set webrtc.echo=false
r "$API/demo"; is "webrtc.echo off: no /demo" 404 not_found
code=$($G curl -sk -o /dev/null -w '%{http_code}' --max-time 3 "$ADMIN/healthz")
check "admin.client_ca: no client certificate, no answer ($code)" test "$code" = 000
code=$($G curl -sk -o /dev/null -w '%{http_code}' --max-time 3 --cert "$dir/intruder.pem" --key "$dir/intruder.key" "$ADMIN/healthz")
check "admin.client_ca: a certificate from another CA, no answer ($code)" test "$code" = 000
code=$($G curl -sk -o /dev/null -w '%{http_code}' --max-time 3 --cert "$dir/operator.pem" --key "$dir/operator.key" "$ADMIN/healthz")
check "admin.client_ca: the CA's certificate is served ($code)" test "$code" = 200
code=$($G curl -sk -o /dev/null -w '%{http_code}' --max-time 3 "$API/healthz")
check "admin.client_ca does not touch the API listener ($code)" test "$code" = 200
check "the ban from run 1 is restored" grep -q 'Restore Ban 127.0.0.3' "$dir/gw2.log"
$G curl -sk --max-time 3 --interface 127.0.0.3 -o /dev/null "$API/healthz"; rc=$?
check "127.0.0.3 is still refused after the restart (curl exit $rc)" test "$rc" = 35
mint() { # mint EXPIRY NAME: user and password as a web backend makes them
	TUSER="$1:$2"
	TPASS=$(printf %s "$TUSER" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64)
}
mint $(( $(date +%s) + 300 )) agent7
signin "$TUSER" "$TPASS"; is "a token minted with the shared secret signs in" 201
check "the session's user is the token's name" test "$(json .user)" = agent7
mint $(( $(date +%s) - 1 )) agent7
signin "$TUSER" "$TPASS"; is "an expired token: 401 token_expired" 401 token_expired
mint $(( $(date +%s) + 300 )) agent7
signin "$TUSER" "AAAA$TPASS"; is "a token with a bad signature: 401" 401 invalid_credentials
signin "agent7" "$TPASS"; is "a user without expiry: 401" 401 invalid_credentials
r -H "Origin: https://any.example" "$API/healthz"; is "empty whitelist: any Origin is served" 200
check "empty whitelist: the Origin is echoed" has_header "Access-Control-Allow-Origin: https://any.example"
r -X OPTIONS -H "Origin: http://localhost:$WEB" -H 'Access-Control-Request-Method: POST' "$API/v1/sessions"
is "empty whitelist: preflight from any Origin: 204" 204
check "empty whitelist: preflight echoes the Origin" has_header "Access-Control-Allow-Origin: http://localhost:$WEB"
out=$(browse "http://localhost:$WEB" allowed2)
check "Chromium, empty whitelist: a simple GET from any origin succeeds" grep -q '^simple status=200' <<<"$out"
check "Chromium, empty whitelist: a preflighted POST succeeds (401 for a non-token)" grep -q '^preflighted status=401' <<<"$out"
for _ in $(seq 1 120); do grep -q 'Unban 127.0.0.3$' "$dir/gw2.log" && break; sleep 0.1; done
code=$($G curl -sk --max-time 3 --interface 127.0.0.3 -o /dev/null -w '%{http_code}' "$API/healthz")
check "the restored ban lifts on time ($code)" test "$code" = 200
stop_gw

echo "== configuration"
out=$("$RTCGATE" --check-config "$dir/gw.yaml" --set auth.mode=sip 2>&1)
check "auth.mode sip without sip.server is refused at load, naming the key" grep -q "auth.mode.*'sip' sign-in" <<<"$out"
out=$("$RTCGATE" --check-config "$dir/gw.yaml" --set sip.transport=tls --set sip.server=198.19.0.2 2>&1)
check "sip.transport tls without sip.tls_ca is refused, naming the key" grep -q "sip.tls_ca: transport tls verifies" <<<"$out"
out=$("$RTCGATE" --check-config "$dir/gw.yaml" --set 'auth.users=[{name: bob, password_hash: plain}]' 2>&1)
check "a password that is no hash is refused, naming the key" grep -q 'auth.users\[0\].password_hash: not a password hash' <<<"$out"
finish
