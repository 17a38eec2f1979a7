#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The SIP side against real peers. The gateway runs in a namespace of its
# own on net_tap ports: the public port's wire side goes to a "browser"
# namespace (198.18.0.2, headless Chromium with a fake microphone), the
# internal port's to a "sip" namespace holding Kamailio (198.19.0.2, a
# registrar and proxy with digest authentication, from a config written
# here) and sipp phones (198.19.0.3, -rtp_echo).
#
# Checked: sign-in with auth.mode sip registers at Kamailio (a wrong
# password is refused and counts toward a ban); an outbound call from
# Chromium through Kamailio (which challenges the INVITE) to a sipp UAS
# that echoes RTP, with the browser's inbound audio rising, RFC 4733 DTMF
# from the browser and SIP INFO DTMF through the API reaching sipp, and the
# browser's hang-up ending it at sipp; an inbound call from a sipp UAC via
# Kamailio's location lookup to the browser, answered, media both ways,
# ended by sipp's BYE; tshark on the internal wire sees plain RTP with the
# negotiated payload types; sign-out un-REGISTERs; nothing is left over.
set -u
. "$(dirname "$0")/../lib.sh"
RTCGATE=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/sip_bed.sh"
bed_init sip
mkdir -p "$dir/results"
$B python3 "$HERE/sip_page.py" 9000 "$dir/results" &
T_PIDS="$T_PIDS $!"
bed_gateway
bed_kamailio
# Everything on the SIP side's wire, for the RTP checks at the end.
$S tshark -i "$intif" -w "$dir/internal.pcapng" -q > "$dir/tshark.log" 2>&1 &
tshark_pid=$!; T_PIDS="$T_PIDS $tshark_pid"
for _ in $(seq 1 50); do grep -qi capturing "$dir/tshark.log" && break; sleep 0.2; done

browse() { # browse TAG QUERY: headless Chromium on the SIP page; its pid in $cpid
	$B chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
		--use-fake-device-for-media-stream --use-fake-ui-for-media-stream \
		--autoplay-policy=no-user-gesture-required \
		--ignore-certificate-errors --user-data-dir="$dir/chrome-$1" \
		--log-net-log="$dir/netlog-$1.json" \
		"http://127.0.0.1:9000/page?api=https://198.18.0.1:8443&tag=$1&$2" \
		> "$dir/chrome-$1.log" 2>&1 &
	cpid=$!
}
result() { # result TAG SECONDS: wait for the page's report, stop Chromium
	for _ in $(seq 1 $(($2 * 10))); do [ -f "$dir/results/$1" ] && break; sleep 0.1; done
	kill "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null
	out=$(cat "$dir/results/$1" 2>/dev/null || echo '{}')
	echo "$out" > "$dir/result-$1.json"
}
R() { jq -r "$1" <<<"$out" 2>/dev/null; }

echo "== sign-in registers at Kamailio"
r() { code=$($B curl -sk -o "$dir/body" -w '%{http_code}' --max-time 45 "$@"); }
r -H 'Content-Type: application/json' -d '{"user":"alice","password":"alice-secret"}' https://198.18.0.1:8443/v1/sessions
check "alice signs in with her SIP password ($code)" test "$code" = 201
TOKEN=$(jq -r .token "$dir/body"); SID=$(jq -r .session "$dir/body")
check "Kamailio holds alice's registration, with the gateway's contact" \
	bash -c "grep -q 'REGISTER sip:rtcgate.test from 198.19.0.1' '$dir/kamailio.log'"
check "metrics: 1 registration" test "$(metric rtcgate_sip_registrations)" = 1
r -H 'Content-Type: application/json' -d '{"user":"alice","password":"wrong"}' https://198.18.0.1:8443/v1/sessions
check "a wrong SIP password: 401 ($code, $(jq -c .error "$dir/body" 2>/dev/null))" test "$code" = 401
check "the refusal counts as an authentication failure" grep -q "authentication failure for user 'alice' from 198.18.0.2: refused by the SIP server" "$dir/gw.log"
r -H "Authorization: Bearer $TOKEN" -X DELETE "https://198.18.0.1:8443/v1/sessions/$SID"
check "sign-out: 204" test "$code" = 204
for _ in $(seq 1 30); do [ "$(metric rtcgate_sip_registrations)" = 0 ] && break; sleep 0.1; done
check "sign-out un-REGISTERs (metrics: 0 registrations)" test "$(metric rtcgate_sip_registrations)" = 0

echo "== outbound: Chromium -> gateway -> Kamailio (digest) -> sipp UAS (RTP echo)"
# sipp runs in the background with a bounded life (-timeout); its exit status
# says whether its scenario completed (0: every call succeeded).
$S sipp -sf "$HERE/sipp/uas_echo.xml" -i 198.19.0.3 -p 5080 -m 1 -rtp_echo -mi 198.19.0.3 -mp 6000 \
	-timeout 60s -nostdin -trace_err -trace_msg -message_file "$dir/uas.msg" \
	-error_file "$dir/uas.err" > "$dir/uas.out" 2>&1 &
uas=$!; T_PIDS="$T_PIDS $uas"
sleep 0.3
browse out "user=alice&password=alice-secret&mode=out&to=echo-phone&secs=6&hold=1"
result out 45
check "out: the page finished without a script error ($(R '.error // "none"'))" test "$(R '.error // "none"')" = none
check "out: sign-in 201, call 201 with the answer to come (sdp null)" test "$(R '.steps[0:2] | join(",")')" = "signin 201,call 201 sdp=null"
check "out: the browser's answer came in an event, narrowed to the phone's codecs (PCMU, telephone-event)" \
	bash -c 'grep -q "^m=audio [0-9]* UDP/TLS/RTP/SAVPF 0 126" <<<"$0" && ! grep -q opus <<<"$0"' "$(R .answer)"
check "out: 'answered' event" test "$(R .answered)" = true
check "out: getStats: DTLS connected" test "$(R '[.stats[].dtls] | last')" = connected
first=$(R '[.stats[] | select(.recv != null)] | first | .recv // 0'); last=$(R '[.stats[] | select(.recv != null)] | last | .recv // 0')
check "out: RTP comes back from sipp's echo ($first -> $last packets)" test "${last:-0}" -gt "$(( ${first:-0} + 100 ))"
check "out: the browser decodes PCMU ($(R '[.stats[].codec] | last'))" test "$(R '[.stats[].codec] | last')" = audio/PCMU
check "out: the echoed audio has energy ($(R '(.stats | last).energy'))" test "$(R '(.stats | last).energy > 0')" = true
check "out: hold 200 (held), resume 200 (active)" test "$(R '.steps[2:4] | join(",")')" = "hold 200 held,resume 200 active"
check "out: 'held' and 'resumed' events, by local" \
	test "$(R '[.events[] | select(.type == "held" or .type == "resumed") | "\(.type):\(.by)"] | join(",")')" = "held:local,resumed:local"
check "out: DTMF through the API: 202" test "$(R '.steps[4]')" = "dtmf 202"
check "out: hang-up 204, ended local_hangup, the call is gone" \
	test "$(R '.steps[5:7] | join(",")'),$(R .ended)" = "hangup 204,get-after 404,local_hangup"
T_STATUS=; wait_exit "$uas" 10
check "out: sipp's scenario completed, BYE included (sipp exit ${T_STATUS:-none})" \
	bash -c "[ '${T_STATUS:-1}' = 0 ] && grep -q '^BYE ' '$dir/uas.msg'"
T_STATUS=
reinvites=$(tr -d '\r' < "$dir/uas.msg" | awk '/^INVITE /{inv=1; n++} inv && /^a=(sendonly|sendrecv|recvonly|inactive)/{print n": "$0; inv=0}' | tr '\n' ' ')
check "out: hold and resume reached sipp as re-INVITEs with a=sendonly, then a=sendrecv ($reinvites)" \
	bash -c 'grep -q "2: a=sendonly" <<<"$0" && grep -q "3: a=sendrecv" <<<"$0"' "$reinvites"
check "out: the phone answered the hold with a=recvonly" grep -q '^a=recvonly' "$dir/uas.msg"
check "out: Kamailio challenged the gateway's INVITE and it authenticated" \
	bash -c "grep -q 'Proxy-Authorization: Digest username=\"alice\"' '$dir/uas.msg'"

echo "== inbound: sipp UAC -> Kamailio (location) -> gateway -> Chromium"
browse in "user=alice&password=alice-secret&mode=in&secs=5"
for _ in $(seq 1 100); do [ "$(metric rtcgate_sip_registrations)" = 1 ] && break; sleep 0.1; done
$S sipp 198.19.0.2:5060 -sf "$HERE/sipp/uac_call.xml" -i 198.19.0.3 -p 5070 -m 1 -rtp_echo \
	-mi 198.19.0.3 -mp 6100 -timeout 60s -nostdin -trace_err -trace_msg \
	-message_file "$dir/uac.msg" -error_file "$dir/uac.err" > "$dir/uac.out" 2>&1 &
uac=$!; T_PIDS="$T_PIDS $uac"
# While alice is in that call, a second caller: sip.second_call reject.
for _ in $(seq 1 100); do
	[ "$($G curl -sk https://127.0.0.1:8444/v1/admin/calls | jq -r '[.calls[].state] | join(",")')" = active ] && break
	sleep 0.1
done
$S sipp 198.19.0.2:5060 -sf "$HERE/sipp/uac_busy.xml" -i 198.19.0.3 -p 5071 -m 1 -mi 198.19.0.3 -mp 6200 \
	-timeout 15s -nostdin -trace_msg -message_file "$dir/busy.msg" > "$dir/busy.out" 2>&1
busy=$?
check "in: a second INVITE for alice while she is in a call gets 486 Busy Here (sip.second_call reject; sipp exit $busy)" \
	bash -c "[ $busy = 0 ] && grep -q '^SIP/2.0 486' '$dir/busy.msg'"
result in 45
check "in: the page finished without a script error ($(R '.error // "none"'))" test "$(R '.error // "none"')" = none
check "in: the incoming event carries a WebRTC offer (ICE-lite, actpass, PCMU/PCMA/telephone-event)" \
	bash -c 'grep -q "a=ice-lite" <<<"$0" && grep -q "a=setup:actpass" <<<"$0" && grep -q "^m=audio [0-9]* UDP/TLS/RTP/SAVPF 0 8 101" <<<"$0"' "$(R .offer)"
check "in: answered: 200 active" test "$(R '.steps[1]')" = "answer 200 active"
check "in: getStats: DTLS connected" test "$(R '[.stats[].dtls] | last')" = connected
first=$(R '[.stats[] | select(.recv != null)] | first | .recv // 0'); last=$(R '[.stats[] | select(.recv != null)] | last | .recv // 0')
check "in: media both ways: the browser's audio comes back from sipp ($first -> $last packets)" \
	test "${last:-0}" -gt "$(( ${first:-0} + 100 ))"
check "in: sipp's hold and resume (re-INVITEs) reach the browser as events by remote ($(R '[.events[] | select(.type == "held" or .type == "resumed") | "\(.type):\(.by)"] | join(",")'))" \
	test "$(R '[.events[] | select(.type == "held" or .type == "resumed") | "\(.type):\(.by)"] | join(",")')" = "held:remote,resumed:remote"
answers=$(tr -d '\r' < "$dir/uac.msg" | awk '/^SIP\/2.0 200/{ok=1} ok && /^a=(sendonly|sendrecv|recvonly|inactive)/{print $0; ok=0}' | tr '\n' ' ')
check "in: the gateway answered the hold with a=recvonly and the resume with a=sendrecv ($answers)" \
	bash -c 'grep -q "a=recvonly a=sendrecv" <<<"$0"' "$answers"
check "in: the phone's RFC 4733 digit reached the API as a dtmf event ($(R '[.events[] | select(.type == "dtmf") | .digits] | join("")'))" \
	test "$(R '[.events[] | select(.type == "dtmf") | .digits] | join("")')" = 1
check "in: sipp's BYE ends the call (ended: $(R .ended))" test "$(R .ended)" = remote_hangup
T_STATUS=; wait_exit "$uac" 10
check "in: sipp's scenario completed: 200 to its INVITE and to its BYE (sipp exit ${T_STATUS:-none})" \
	test "${T_STATUS:-1}" = 0

held=$(tel /rtcgate/stats | jq -r '."/rtcgate/stats".drop_held' 2>/dev/null)
check "hold changes the media too: RTP toward the held side was dropped by the workers ($held packets, RTCP kept)" \
	test "${held:-0}" -gt 100

echo "== the internal wire (tshark)"
sleep 1
kill -INT "$tshark_pid" 2>/dev/null; wait "$tshark_pid" 2>/dev/null
rtp=$(tshark -r "$dir/internal.pcapng" -d udp.port==6000,rtp -d udp.port==6100,rtp \
	-o rtpevent.event_payload_type_value:126 -Y 'rtp && udp.port != 5060' \
	-T fields -e rtp.version -e rtp.p_type -e ip.src 2>/dev/null | sort | uniq -c)
echo "$rtp" | sed 's/^/     /'
check "tshark: plain RTP version 2 with PCMU (0) both ways on the outbound call" \
	bash -c 'grep -q " 2\s0\s198.19.0.1$" <<<"$0" && grep -q " 2\s0\s198.19.0.3$" <<<"$0"' "$rtp"
events=$(tshark -r "$dir/internal.pcapng" -d udp.port==6000,rtp -o rtpevent.event_payload_type_value:126 \
	-Y 'rtpevent && ip.src == 198.19.0.1' -T fields -e rtpevent.event_id 2>/dev/null | sort -u | tr '\n' ' ')
check "tshark: the browser's RFC 4733 DTMF (1 2 3) and the API's (4, sent by the gateway: sip.dtmf rfc4733) reached sipp as telephone-events ($events)" \
	test "$events" = "1 2 3 4 "
ends=$(tshark -r "$dir/internal.pcapng" -d udp.port==6000,rtp -o rtpevent.event_payload_type_value:126 \
	-Y 'rtpevent && ip.src == 198.19.0.1 && rtpevent.event_id == 4 && rtpevent.end_of_event == 1' 2>/dev/null | wc -l)
check "tshark: the gateway's event 4 ends with the E bit, sent three times ($ends)" test "$ends" = 3
events=$(tshark -r "$dir/internal.pcapng" -d udp.port==30000-30100,rtp -o rtpevent.event_payload_type_value:101 \
	-Y 'rtpevent && ip.src == 198.19.0.3 && udp.srcport == 6100' -T fields -e rtpevent.event_id 2>/dev/null | sort -u | tr '\n' ' ')
check "tshark: the phone's RFC 4733 digit (1) went to the gateway as telephone-events ($events)" test "$events" = "1 "
srtp=$(tshark -r "$dir/internal.pcapng" -d udp.port==6000,rtp -Y 'rtp && ip.src == 198.19.0.1 && rtp.p_type == 0' \
	-T fields -e rtp.payload 2>/dev/null | head -50 | awk '{ if (length($0) == 320) ok++ } END { print ok + 0 }')
check "tshark: PCMU payloads toward sipp are 160 bytes (20 ms), not SRTP-sized ($srtp of 50)" test "$srtp" -ge 45

# A browser-like offer (ICE, DTLS fingerprint, rtcp-mux, PCMU): no browser
# is needed to see the INVITE fail.
offer=$(printf 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 %s\r\na=setup:actpass\r\na=rtcp-mux\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n' \
	"$(seq -s: 10 41 | sed 's/[0-9]*/AB/g')")
place() { # place TO: POST a call with $offer as alice's session ($TOKEN, $SID); id in $CID
	r -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		-d "$(jq -n --arg sdp "$offer" --arg to "$1" '{to: $to, sdp: $sdp}')" "https://198.18.0.1:8443/v1/sessions/$SID/calls"
	CID=$(jq -r .call "$dir/body" 2>/dev/null)
}
wait_event() { # wait_event TYPE: until the session has one (10 s); its reason/state in $ev
	ev=""
	for _ in $(seq 1 5); do
		$B curl -sk --max-time 5 -H "Authorization: Bearer $TOKEN" -o "$dir/events" \
			"https://198.18.0.1:8443/v1/sessions/$SID/events?timeout=2"
		ev=$(jq -r --arg t "$1" '.events[] | select(.type == $t) | (.reason // .state)' "$dir/events" 2>/dev/null)
		[ -n "$ev" ] && return 0
	done
	return 1
}

echo "== SIP over TCP"
bed_restart --set sip.transport=tcp
r -H 'Content-Type: application/json' -d '{"user":"alice","password":"alice-secret"}' https://198.18.0.1:8443/v1/sessions
TOKEN=$(jq -r .token "$dir/body"); SID=$(jq -r .session "$dir/body")
check "TCP: alice signs in, registered over TCP ($code)" \
	bash -c "[ $code = 201 ] && grep -q 'REGISTER sip:rtcgate.test from 198.19.0.1 over tcp' '$dir/kamailio.log'"
r -H "Authorization: Bearer $TOKEN" -X DELETE "https://198.18.0.1:8443/v1/sessions/$SID"

echo "== SIP over TLS"
bed_restart --set sip.transport=tls --set sip.server=198.19.0.2:5061 --set "sip.tls_ca=$dir/ca.pem"
r -H 'Content-Type: application/json' -d '{"user":"alice","password":"alice-secret"}' https://198.18.0.1:8443/v1/sessions
TOKEN=$(jq -r .token "$dir/body"); SID=$(jq -r .session "$dir/body")
check "TLS: alice signs in, registered over TLS ($code)" \
	bash -c "[ $code = 201 ] && grep -q 'REGISTER sip:rtcgate.test from 198.19.0.1 over tls' '$dir/kamailio.log'"
$S sipp -sf "$HERE/sipp/uas_echo.xml" -i 198.19.0.3 -p 5080 -m 1 -rtp_echo -mi 198.19.0.3 -mp 6000 \
	-timeout 30s -nostdin > "$dir/uas-tls.out" 2>&1 &
uas=$!; T_PIDS="$T_PIDS $uas"
sleep 0.3
place 1000
wait_event answered
check "TLS: a call through the TLS proxy is answered ($code, $ev)" \
	bash -c "[ $code = 201 ] && [ '$ev' = active ] && grep -q 'INVITE sip:1000@rtcgate.test from 198.19.0.1 over tls' '$dir/kamailio.log'"
r -H "Authorization: Bearer $TOKEN" -X DELETE "https://198.18.0.1:8443/v1/sessions/$SID/calls/$CID"
T_STATUS=; wait_exit "$uas" 10
check "TLS: hang-up reaches the phone (its scenario completes: exit ${T_STATUS:-none})" test "${T_STATUS:-1}" = 0
r -H "Authorization: Bearer $TOKEN" -X DELETE "https://198.18.0.1:8443/v1/sessions/$SID"
bed_restart --set sip.transport=tls --set sip.server=198.19.0.2:5061 --set "sip.tls_ca=$dir/otherca.pem"
r -H 'Content-Type: application/json' -d '{"user":"alice","password":"alice-secret"}' https://198.18.0.1:8443/v1/sessions
check "TLS: a server certificate from a CA other than sip.tls_ca is refused: no sign-in, 503 ($code, $(jq -r .error.code "$dir/body"))" \
	test "$code,$(jq -r .error.code "$dir/body")" = "503,sip_unavailable"
bed_restart

echo "== malformed SIP"
# Garbage, a request line without headers, an INVITE with a broken
# Content-Length and one for nobody, straight at the gateway's SIP port.
replies=$($S python3 - <<'PY'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.19.0.3", 5099))
s.settimeout(0.5)
bad = [b"\x00\xff garbage \r\n\r\n", b"INVITE sip:x SIP/2.0\r\n\r\n",
       b"INVITE sip:alice@198.19.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 198.19.0.3:5099;branch=z9hG4bK1\r\n"
       b"From: <sip:a@b>;tag=1\r\nTo: <sip:alice@198.19.0.1>\r\nCall-ID: m1\r\nCSeq: 1 INVITE\r\n"
       b"Content-Length: 99999\r\n\r\nv=0\r\n",
       b"INVITE sip:nobody@198.19.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 198.19.0.3:5099;branch=z9hG4bK2\r\n"
       b"From: <sip:a@b>;tag=2\r\nTo: <sip:nobody@198.19.0.1>\r\nCall-ID: m2\r\nCSeq: 1 INVITE\r\n"
       b"Max-Forwards: 70\r\nContact: <sip:a@198.19.0.3:5099>\r\nContent-Type: application/sdp\r\n"
       b"Content-Length: 4\r\n\r\nv=0\n"]
got = []
for b in bad:
    s.sendto(b, ("198.19.0.1", 5060))
    time.sleep(0.2)
try:
    while True:
        got.append(s.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace"))
except OSError:
    pass
print(" | ".join(got))
PY
)
check "malformed SIP is answered, not taken: 400 for the bare request, 488 for unusable offers ($replies)" \
	bash -c 'grep -q "400 Bad Request" <<<"$0" && grep -q "488 Not Acceptable Here" <<<"$0"' "$replies"
check "the gateway survives malformed SIP and still answers /healthz" wait_up
check "metrics: no SIP dialog left from the malformed INVITEs" test "$(metric rtcgate_sip_calls)" = 0

echo "== a dead SIP server"
r -H 'Content-Type: application/json' -d '{"user":"alice","password":"alice-secret"}' https://198.18.0.1:8443/v1/sessions
TOKEN=$(jq -r .token "$dir/body"); SID=$(jq -r .session "$dir/body")
check "alice signs in again ($code)" test "$code" = 201
kill -TERM "$(cat "$dir/kamailio.pid")"
for _ in $(seq 1 50); do kill -0 "$(cat "$dir/kamailio.pid")" 2>/dev/null || break; sleep 0.1; done
place 1001
check "a call with the SIP server gone is still placed: 201 ($code)" test "$code" = 201
t0=$(date +%s)
ended=""
for _ in $(seq 1 10); do
	$B curl -sk --max-time 5 -H "Authorization: Bearer $TOKEN" -o "$dir/events" \
		"https://198.18.0.1:8443/v1/sessions/$SID/events?timeout=2"
	ended=$(jq -r '.events[] | select(.type == "ended") | .reason' "$dir/events" 2>/dev/null)
	[ -n "$ended" ] && break
done
# The port unreachable answer makes it 503 at once; a host that says
# nothing, 408 after sip.transaction_timeout_ms.
check "it ends within the transaction timeout with the SIP status as reason ($ended, $(( $(date +%s) - t0 )) s)" \
	bash -c '[ "$0" = sip-503 ] || [ "$0" = sip-408 ]' "$ended"
r -H "Authorization: Bearer $TOKEN" -X DELETE "https://198.18.0.1:8443/v1/sessions/$SID"
check "sign-out with the registrar gone: 204 at once ($code)" test "$code" = 204

echo "== nothing left over"
sessions=$(tel /rtcgate/sessions | jq -r '."/rtcgate/sessions".count' 2>/dev/null)
check "telemetry: no dataplane sessions ($sessions)" test "$sessions" = 0
check "metrics: no SIP dialogs" test "$(metric rtcgate_sip_calls)" = 0
check "metrics: no browser legs" test "$(metric rtcgate_webrtc_legs)" = 0
stop_checked "$pid" 15 "the gateway" "$dir/gw.log"
finish
