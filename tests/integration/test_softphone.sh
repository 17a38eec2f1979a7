#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The JavaScript API as deployed: examples/softphone served from origin A
# (a static server on 127.0.0.1:9100 in the browser's namespace) loads
# rtcgate.js from the gateway (origin B, https://198.18.0.1:8443), on the
# SIP bed of sip_bed.sh (Kamailio, sipp phones). playwright-core drives
# headless Chromium like an agent: sign in (SIP registration), call a sipp
# UAS that echoes RTP and watch the level meter, hold, resume, DTMF from the
# pad, hang up; answer a call from a sipp UAC (which holds, resumes, sends
# an RFC 4733 digit and hangs up). Then from an origin the gateway does not
# list, where the browser's CORS check stops the sign-in and the page says
# so. Screenshots of each state go to build/artifacts/softphone/.
set -u
. "$(dirname "$0")/../lib.sh"
RTCGATE=$1
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/sip_bed.sh"
[ -f "$ROOT/node_modules/playwright-core/package.json" ] ||
	{ echo "FAIL playwright-core is not installed (tools/dev.sh test installs it)"; exit 1; }
ART=$(cd "$(dirname "$RTCGATE")/.." && pwd)/artifacts/softphone
rm -rf "$ART"; mkdir -p "$ART"
bed_init sph
A=http://127.0.0.1:9100
$B python3 -m http.server 9100 --bind 127.0.0.1 --directory "$ROOT/examples/softphone" \
	> "$dir/web.log" 2>&1 &
T_PIDS="$T_PIDS $!"
# The pad's digits as SIP INFO here (sip.dtmf info), so sipp's log shows them;
# the RFC 4733 way is checked on the wire in test_sip.sh.
bed_gateway "cors: {domain_whitelist: [\"$A\"]}" --set sip.dtmf=info
bed_kamailio

echo "== the library is public, the API is not"
code=$($B curl -sk -o "$dir/js" -D "$dir/js.head" -w '%{http_code}' -H 'Origin: http://elsewhere.test' \
	https://198.18.0.1:8443/js/rtcgate.js)
check "GET /js/rtcgate.js from any Origin: 200, Access-Control-Allow-Origin: * ($code)" \
	bash -c "[ $code = 200 ] && grep -qi '^Access-Control-Allow-Origin: \*' '$dir/js.head' && grep -qi '^Content-Type: text/javascript' '$dir/js.head'"
check "it is the library of clients/js" cmp -s "$dir/js" "$ROOT/clients/js/rtcgate.js"
code=$($B curl -sk -o /dev/null -w '%{http_code}' -H 'Origin: http://elsewhere.test' \
	-H 'Content-Type: application/json' -d '{"user":"alice","password":"x"}' https://198.18.0.1:8443/v1/sessions)
check "POST /v1/sessions from that Origin: 403 ($code)" test "$code" = 403

echo "== the softphone on origin $A (listed)"
$S sipp -sf "$HERE/sipp/uas_echo.xml" -i 198.19.0.3 -p 5080 -m 1 -rtp_echo -mi 198.19.0.3 -mp 6000 \
	-timeout 120s -nostdin -trace_msg -message_file "$dir/uas.msg" > "$dir/uas.out" 2>&1 &
uas=$!; T_PIDS="$T_PIDS $uas"
$B node "$HERE/softphone_drive.mjs" "$ART" "$A/index.html?gw=https://198.18.0.1:8443" full \
	> "$dir/drive.log" 2>&1 &
drive=$!; T_PIDS="$T_PIDS $drive"
for _ in $(seq 1 600); do [ -f "$ART/ready-incoming" ] && break; kill -0 "$drive" 2>/dev/null || break; sleep 0.1; done
$S sipp 198.19.0.2:5060 -sf "$HERE/sipp/uac_call.xml" -i 198.19.0.3 -p 5070 -m 1 -rtp_echo \
	-mi 198.19.0.3 -mp 6100 -timeout 60s -nostdin > "$dir/uac.out" 2>&1 &
uac=$!; T_PIDS="$T_PIDS $uac"
wait_exit "$drive" 90 || echo "the driver did not finish in 90 s"
out=$(cat "$ART/report-full.json" 2>/dev/null || echo '{}')
R() { jq -r "$1" <<<"$out" 2>/dev/null; }
check "the driver finished without a failure ($(R '.failure // "none"'))" test "$(R '.failure // "none"')" = none
check "signed in with SIP credentials ($(R .status))" test "$(R .status)" = "signed in: alice"
check "outbound call: the level meter shows the echoed audio ($(R .outboundLevel))" \
	test "$(R '(.outboundLevel // 0) > 0')" = true
check "outbound call: the call timer runs ($(R .timer))" bash -c '[ -n "$0" ] && [ "$0" != 00:00 ]' "$(R .timer)"
check "hold, resume and pad DTMF gave no error ($(R '.errorAfterDtmf // ""'))" test -z "$(R '.errorAfterDtmf // ""')"
check "the pad's DTMF reached the phone as SIP INFO (4, 2)" \
	bash -c "grep -q 'Signal=4' '$dir/uas.msg' && grep -q 'Signal=2' '$dir/uas.msg'"
check "hang-up: the page shows the end ($(R .outboundEnd))" test "$(R .outboundEnd)" = "ended (local_hangup)"
check "incoming call banner names the caller ($(R .incomingFrom))" bash -c 'grep -q "phone@rtcgate.test" <<<"$0"' "$(R .incomingFrom)"
check "inbound call answered: the level meter shows audio ($(R .inboundLevel))" \
	test "$(R '(.inboundLevel // 0) > 0')" = true
check "the phone's RFC 4733 digit is shown ($(R .remoteDtmf))" test "$(R .remoteDtmf)" = 1
check "the phone's BYE ends it on the page ($(R .inboundEnd))" test "$(R .inboundEnd)" = "ended (remote_hangup)"
T_STATUS=; wait_exit "$uas" 10
check "sipp UAS: its scenario completed (exit ${T_STATUS:-none})" test "${T_STATUS:-1}" = 0
T_STATUS=; wait_exit "$uac" 10
check "sipp UAC: its scenario completed (exit ${T_STATUS:-none})" test "${T_STATUS:-1}" = 0

echo "== the softphone on http://localhost:9100 (not listed)"
$B node "$HERE/softphone_drive.mjs" "$ART" "http://localhost:9100/index.html?gw=https://198.18.0.1:8443" blocked \
	> "$dir/drive-blocked.log" 2>&1
out=$(cat "$ART/report-blocked.json" 2>/dev/null || echo '{}')
check "the browser's CORS check stops the sign-in and the page shows why ($(R '.error // .failure'))" \
	bash -c 'grep -q "network_error" <<<"$0" && grep -q "CORS" <<<"$0"' "$(R '.error // ""')"
check "the phone stays hidden" test "$(R .phoneHidden)" = true
n=$(ls "$ART"/softphone-*.png 2>/dev/null | wc -l)
check "screenshots of every state are kept as artifacts ($n in $ART)" test "$n" -ge 11
stop_checked "$pid" 15 "the gateway" "$dir/gw.log"
finish
