#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# A real browser's media through the workers. The gateway runs in a
# namespace of its own on net_tap ports; the public port's wire side goes
# to a "browser" namespace (198.18.0.2), where headless Chromium (fake
# microphone) loads a page that signs in over HTTPS, places an echo call
# (SDP offer/answer through the API), and watches getStats(): DTLS
# connected, the selected pair on the gateway's address, RTP both ways for
# 8 s, audio level above zero, then DTMF, hold, resume and hang-up with
# their events. Once per DTLS-SRTP profile the browser negotiates (the last
# with video too), and once with the browser forced through coturn
# (iceTransportPolicy relay).
set -u
. "$(dirname "$0")/../lib.sh"
RTCGATE=$1
SDES_PEER=${2:-}
HERE=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/rtcg-webrtc-XXXXXX)
gw=rtcg-wgw$$; br=rtcg-wbr$$
prefix=rtcg-webrtc-$$
on_exit "${KEEP:+: }rm -rf $dir"
netns_pair "$gw" "$br" || exit 1
no_ipv6 "$gw" "$br" || exit 1
G="ip netns exec $gw"
B="ip netns exec $br"
HASH=$(printf 'agent-password\n' | "$RTCGATE" --hash-password)
cat > "$dir/gw.yaml" <<YAML
eal: {no_huge: true, memory_mb: 512, no_pci: true, file_prefix: $prefix}
lcores: {control: 0, workers: [1], idle_sleep_us: 100}
ports:
  - {name: pub, device: "net_tap0,iface=wpub$$", role: public, addresses: [198.18.0.1/24], rx_descriptors: 512}
  - {name: int, device: "net_tap1,iface=wint$$", role: internal, addresses: [198.19.0.1/24], rx_descriptors: 512}
dataplane: {mbufs: 8191, max_sessions: 64}
https: {listen: ["198.18.0.1:8443"]}
admin: {listen: ["127.0.0.1:8444"]}
auth: {users: [{name: agent, password_hash: "$HASH"}]}
ban: {state_file: $dir/bans.state}
YAML

tel() { $G dpdk-telemetry.py -f "$prefix" <<<"$1" 2>/dev/null; }
mkdir -p "$dir/results"
$B python3 "$HERE/echo_page.py" 9000 "$dir/results" &
T_PIDS="$T_PIDS $!"

# start_gw TAG [--set ...]: the gateway, its public wire side moved to the
# browser's namespace, up when /healthz answers there; its pid in $pid.
start_gw() {
	local tag=$1; shift
	gwtag=$tag
	# The last run's wire side goes away with its TAP; a new one of the same
	# name cannot move into the browser's namespace before that.
	for _ in $(seq 1 100); do
		ip -n "$br" link show "wpub$$" >/dev/null 2>&1 || break
		sleep 0.1
	done
	$G "$RTCGATE" -c "$dir/gw.yaml" "$@" > "$dir/gw-$tag.log" 2>&1 &
	pid=$!; T_PIDS="$T_PIDS $pid"
	for _ in $(seq 1 100); do
		ip -n "$gw" link show "wpub$$" >/dev/null 2>&1 && grep -q running "$dir/gw-$tag.log" && break
		sleep 0.1
	done
	if ! grep -q running "$dir/gw-$tag.log"; then
		echo "gateway ($tag) did not come up:"; tail -5 "$dir/gw-$tag.log"
	fi
	ip -n "$gw" link set "wpub$$" netns "$br" || echo "cannot move wpub$$ to the browser's namespace"
	ip -n "$br" addr add 198.18.0.2/24 dev "wpub$$"
	ip -n "$br" link set "wpub$$" up
	for _ in $(seq 1 50); do
		$B curl -sk -o /dev/null --max-time 1 https://198.18.0.1:8443/healthz && break
		sleep 0.2
	done
}

# stop_gw: SIGTERM; the gateway must exit with status 0 (under the ASan+UBSan
# build a sanitizer report at exit makes it fail).
stop_gw() { stop_checked "$pid" 15 "gateway ($gwtag)" "$dir/gw-$gwtag.log"; }

# browse TAG EXTRA_QUERY: headless Chromium on the echo page; its pid in $cpid.
browse() {
	$B chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
		--use-fake-device-for-media-stream --use-fake-ui-for-media-stream \
		--autoplay-policy=no-user-gesture-required \
		--ignore-certificate-errors --user-data-dir="$dir/chrome-$1" \
		"http://127.0.0.1:9000/page?api=https://198.18.0.1:8443&user=agent&password=agent-password&tag=$1$2" \
		> "$dir/chrome-$1.log" 2>&1 &
	cpid=$!
}

run_call() { # run_call PROFILE TAG CHROMIUM_CIPHER_NAME [turn|video]
	local profile=$1 tag=$2 cipher=$3 turn="" video="" out extra=""
	[ "${4:-}" = turn ] && turn=1
	[ "${4:-}" = video ] && video=1 && extra="&video=1"
	start_gw "$tag" --set "webrtc.srtp_profiles=[$profile]"
	if [ -n "$turn" ]; then
		# coturn on the browser's side: the browser may only use its relay.
		$B turnserver -n --listening-ip=198.18.0.2 --relay-ip=198.18.0.2 --listening-port=3478 \
			--min-port=49152 --max-port=49200 --lt-cred-mech --user=agent:turn-secret \
			--realm=rtcgate.test --no-tls --no-dtls --no-cli --allowed-peer-ip=198.18.0.1 \
			--log-file=stdout --simple-log > "$dir/coturn.log" 2>&1 &
		T_PIDS="$T_PIDS $!"; turn_pid=$!
		sleep 0.5
		extra="$extra&turn=turn:198.18.0.2:3478?transport=udp&turnuser=agent&turnpass=turn-secret"
	fi
	browse "$tag" "$extra"
	if [ "$tag" = cm80 ]; then
		code=$($B curl -sk -o "$dir/demo.html" -D "$dir/demo.head" -w '%{http_code}' https://198.18.0.1:8443/demo)
		check "/demo is served (HTML with a same-origin CSP) while webrtc.echo is on ($code)" \
			bash -c "[ $code = 200 ] && grep -qi '^Content-Type: text/html' $dir/demo.head && grep -qi \"^Content-Security-Policy: default-src 'self'\" $dir/demo.head && grep -q 'Call echo' $dir/demo.html"
		# Forged SRTP (copies of the browser's with one byte changed) during the call.
		$B python3 "$HERE/tamper.py" "wpub$$" 20 > "$dir/tamper.out" 2> "$dir/tamper.err" &
		tamper=$!; T_PIDS="$T_PIDS $tamper"
	fi
	for _ in $(seq 1 450); do [ -f "$dir/results/$tag" ] && break; sleep 0.1; done
	kill "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null
	out=$(cat "$dir/results/$tag" 2>/dev/null || echo '{}')
	echo "$out" > "$dir/result-$tag.json"
	R() { jq -r "$1" <<<"$out" 2>/dev/null; }
	check "[$profile] the page finished without a script error ($(R '.error // "none"'))" test "$(R '.error // "none"')" = none
	check "[$profile] sign-in 201, echo call 201" test "$(R '.steps[0:2] | join(",")')" = "signin 201,call 201"
	check "[$profile] the answer is ICE-lite, passive DTLS, BUNDLE, host candidate on 198.18.0.1" \
		bash -c 'grep -q "a=ice-lite" <<<"$0" && grep -q "a=setup:passive" <<<"$0" && grep -q "a=group:BUNDLE 0" <<<"$0" && grep -q "typ host" <<<"$0"' "$(R .answer)"
	check "[$profile] the API delivered 'answered' once DTLS was up ($(R .answered_ms) ms)" test "$(R .answered)" = true
	check "[$profile] getStats: DTLS connected" test "$(R '[.stats[].dtls] | last')" = connected
	check "[$profile] getStats: the selected pair is the gateway's address ($(R '[.stats[].remote] | last'))" \
		test "$(R '[.stats[].remote] | last')" = "198.18.0.1:$(R '.answer' | sed -n 's/.*typ host.*//; s/^m=audio \([0-9]*\).*/\1/p' | head -1)"
	check "[$profile] getStats: the browser's SRTP cipher is the configured one ($(R '[.stats[].srtp] | last'))" \
		test "$(R '[.stats[].srtp] | last')" = "$cipher"
	local first last
	first=$(R '[.stats[] | select(.recv != null)] | first | .recv // 0'); last=$(R '[.stats[] | select(.recv != null)] | last | .recv // 0')
	check "[$profile] inbound RTP keeps growing ($first -> $last packets over the last 8 s)" \
		test "${last:-0}" -gt "$(( ${first:-0} + 250 ))"
	check "[$profile] outbound RTP keeps growing" test "$(R '[.stats[].sent] | last // 0')" -gt "$(R '[.stats[].sent | values] | first // 0')"
	# Energies over the same 7.5 s (the snapshots' first to last), not since
	# each began: the microphone's starts before the call is set up.
	local win='[.stats[] | select(.energy != null and .mic_energy != null)] as $w | ($w | first) as $f | ($w | last) as $l | {echo: ($l.energy - $f.energy), mic: ($l.mic_energy - $f.mic_energy), concealed: $l.concealed, decoded: $l.decoded, since_start: ($l.energy / $l.mic_energy)}'
	check "[$profile] the echoed audio has energy close to the microphone's over the same 7.5 s, under 5% concealed ($(R "$win"' | "\(.echo) vs \(.mic), \(.concealed) of \(.decoded) samples; since each began \(.since_start)"'))" \
		test "$(R "$win"' | (.echo > 0) and (.echo > 0.8 * .mic) and (.concealed <= 0.05 * .decoded)')" = true
	check "[$profile] DTMF 202 and echoed back as an event" test "$(R '.steps[2]'),$(R .dtmf_event)" = "dtmf 202,true"
	check "[$profile] hold, DTMF while held (409), resume" \
		test "$(R '.steps[3:6] | join(",")')" = "hold 200 held,dtmf-on-hold 409 wrong_state,resume 200 active"
	check "[$profile] answering an outbound call: 409" test "$(R '.steps[6]')" = "answer-outbound 409 wrong_state"
	check "[$profile] hang-up 204, 'ended' event, the call is gone" \
		test "$(R '.steps[7:10] | join(",")'),$(R .ended_event)" = "get 200 active,hangup 204,get-after 404,true"
	check "[$profile] the same events arrived as text/event-stream ($(R '.sse | join(",")'))" \
		test "$(R '.sse_type'),$(R '.sse | join(",")')" = "text/event-stream,answered,dtmf,held,resumed,ended"
	stats=$(tel /rtcgate/stats)
	check "[$profile] the workers relayed both ways (telemetry)" \
		python3 -c "import json,sys; d=json.loads(sys.argv[1])['/rtcgate/stats']; sys.exit(0 if d['relayed_to_internal'] > 200 and d['relayed_to_public'] > 200 else 1)" "$stats"
	if [ "$tag" = cm80 ]; then
		wait "$tamper"
		check "tampering: 20 forged SRTP packets were sent ($(cat "$dir/tamper.out"))" test "$(cat "$dir/tamper.out")" = 20
		counters=$(python3 -c "import json,sys; d=json.loads(sys.argv[1])['/rtcgate/stats']; print(' '.join('%s=%s' % (k, v) for k, v in d.items() if k.startswith(('drop_', 'relayed')) and v))" "$stats")
		check "tampering: the gateway counted them as SRTP authentication failures and forwarded none ($counters)" \
			python3 -c "import json,sys; d=json.loads(sys.argv[1])['/rtcgate/stats']; sys.exit(0 if d['drop_auth_fail'] >= 20 and d['relayed_to_public'] <= d['relayed_to_internal'] else 1)" "$stats"
	else
		check "[$profile] the workers saw no SRTP authentication failure" \
			python3 -c "import json,sys; d=json.loads(sys.argv[1])['/rtcgate/stats']; sys.exit(0 if d['drop_auth_fail'] == 0 else 1)" "$stats"
	fi
	if [ -n "$video" ]; then
		check "video: VP8/H264 pass through, the echoed frames are decoded ($(R '(.stats | last).video_frames') frames, $(R '(.stats | last).video_recv') packets)" \
			test "$(R '((.stats | last).video_frames // 0) > 30')" = true
	fi
	if [ -n "$turn" ]; then
		check "TURN: the browser's selected candidate is a relay one ($(R '[.stats[].local_type] | last'))" \
			test "$(R '[.stats[].local_type] | last')" = relay
		check "TURN: coturn relayed the call (allocation and channel/permission to 198.18.0.1)" \
			grep -qi "198.18.0.1" "$dir/coturn.log"
		kill "$turn_pid" 2>/dev/null
	fi
	check "[$profile] the media session is gone after the hang-up" grep -q '"count": 0' <<<"$(tel /rtcgate/sessions)"
	stop_gw
	# The wire side went down with the gateway; the next run makes a new one.
}

run_call AES_CM_128_HMAC_SHA1_80 cm80 SRTP_AES128_CM_HMAC_SHA1_80
run_call AEAD_AES_128_GCM gcm128 SRTP_AEAD_AES_128_GCM
run_call AEAD_AES_256_GCM gcm256 SRTP_AEAD_AES_256_GCM video
run_call AEAD_AES_128_GCM turn SRTP_AEAD_AES_128_GCM turn

# The demo page as a person uses it, when playwright-core is there to click
# (tools/dev.sh test installs it).
echo "== /demo in Chromium"
if [ -f "$HERE/../../node_modules/playwright-core/package.json" ]; then
	start_gw demo
	ART=$(cd "$(dirname "$RTCGATE")/.." && pwd)/artifacts
	mkdir -p "$ART"
	out=$($B node "$HERE/demo_drive.mjs" https://198.18.0.1:8443/demo "$ART/demo-echo.png" agent agent-password 2>"$dir/demo.err")
	R() { jq -r "$1" <<<"$out" 2>/dev/null; }
	check "/demo: a person's echo call, no failure ($(R '.failure // "none"'))" test "$(R '.failure // "none"')" = none
	check "/demo: the round-trip level meter rises ($(R .level))" test "$(R '.level > 0')" = true
	check "/demo: the getStats() table shows DTLS connected and RTP received ($(R '.stats | tostring'))" \
		bash -c 'grep -q "^connected" <<<"$0" && [ "$1" -gt 50 ]' "$(R '.stats.DTLS')" "$(R '.stats["RTP received"] // 0')"
	check "/demo: hang-up ends the call" test "$(R .hungUp)" = true
	stop_gw
else
	fail "/demo: playwright-core is not installed (tools/dev.sh test installs it)"
fi

# SDES: a peer that keys SRTP in the SDP (a=crypto) and does ICE, with
# libsrtp2 for its media, against the echo; only with webrtc.sdes on.
echo "== SDES (a=crypto) with a libsrtp2 peer"
sdes_offer() { # sdes_offer SUITE KEY [FINGERPRINT]: an offer like a legacy SDES endpoint's
	printf 'v=0\r\no=- 7 1 IN IP4 198.18.0.2\r\ns=-\r\nt=0 0\r\nm=audio 40000 %s 0\r\nc=IN IP4 198.18.0.2\r\na=mid:0\r\na=ice-ufrag:sdespeer\r\na=ice-pwd:sdespeerpasswordsdespeer\r\na=rtcp-mux\r\na=rtpmap:0 PCMU/8000\r\na=crypto:1 %s inline:%s\r\n%ba=sendrecv\r\n' \
		"$([ -n "${3:-}" ] && echo UDP/TLS/RTP/SAVPF || echo RTP/SAVPF)" "$1" "$2" "${3:+a=fingerprint:sha-256 $3\r\na=setup:actpass\r\n}"
}
sdes_call() { # sdes_call SDP: sign in, POST the call; the reply in $dir/sdes.json, status in $code
	local tok sid
	$B curl -sk -o "$dir/sdes-signin.json" -H 'Content-Type: application/json' \
		-d '{"user":"agent","password":"agent-password"}' https://198.18.0.1:8443/v1/sessions
	tok=$(jq -r .token "$dir/sdes-signin.json"); sid=$(jq -r .session "$dir/sdes-signin.json")
	code=$($B curl -sk -o "$dir/sdes.json" -w '%{http_code}' -H "Authorization: Bearer $tok" \
		-H 'Content-Type: application/json' -d "$(jq -n --arg sdp "$1" '{to: "echo", sdp: $sdp}')" \
		"https://198.18.0.1:8443/v1/sessions/$sid/calls")
}
start_gw sdes-off
sdes_call "$(sdes_offer AES_CM_128_HMAC_SHA1_80 "$(head -c 30 /dev/urandom | base64)")"
check "SDES off (the default): an a=crypto offer is refused, 400 bad_sdp ($code)" \
	test "$code,$(jq -r .error.code "$dir/sdes.json")" = "400,bad_sdp"
stop_gw
start_gw sdes --set webrtc.sdes=true
fp=$(seq -s: 1 32 | sed 's/[0-9]*/AB/g')
sdes_call "$(sdes_offer AES_CM_128_HMAC_SHA1_80 "$(head -c 30 /dev/urandom | base64)" "$fp")"
check "SDES on: an offer with a DTLS fingerprint still gets DTLS-SRTP and no a=crypto ($code)" \
	bash -c '[ "$1" = 201 ] && grep -q "a=fingerprint:sha-256" <<<"$0" && ! grep -q "a=crypto" <<<"$0"' "$(jq -r .sdp "$dir/sdes.json")" "$code"
for suite in AES_CM_128_HMAC_SHA1_80:30 AEAD_AES_128_GCM:28; do
	name=${suite%%:*}
	key=$(head -c "${suite##*:}" /dev/urandom | base64)
	sdes_call "$(sdes_offer "$name" "$key")"
	ans=$(jq -r .sdp "$dir/sdes.json")
	gwkey=$(sed -n "s/^a=crypto:1 $name inline:\([^ |]*\).*/\1/p" <<<"$ans" | tr -d '\r')
	check "[$name] SDES answer: 201, a=crypto with the offer's tag and suite, no fingerprint ($code)" \
		bash -c '[ "$1" = 201 ] && [ -n "$2" ] && ! grep -q "a=fingerprint" <<<"$0" && grep -q "a=ice-lite" <<<"$0"' "$ans" "$code" "$gwkey"
	port=$(sed -n 's/^m=audio \([0-9]*\) .*/\1/p' <<<"$ans" | head -1)
	ufrag=$(sed -n 's/^a=ice-ufrag:\(.*\)/\1/p' <<<"$ans" | tr -d '\r' | head -1)
	pwd=$(sed -n 's/^a=ice-pwd:\(.*\)/\1/p' <<<"$ans" | tr -d '\r' | head -1)
	res=$($B "$SDES_PEER" 198.18.0.2 40000 198.18.0.1 "$port" "$ufrag" "$pwd" sdespeer "$name" "$key" "$gwkey" 150 2>&1)
	check "[$name] the libsrtp2 peer's 150 packets all come back from the echo, intact ($res)" \
		grep -q 'sent=150 .*intact=150 auth_fail=0' <<<"$res"
done
stop_gw

# Consent freshness: the browser vanishes without hanging up; with
# webrtc.consent_timeout_seconds 5 the gateway ends the call by itself.
echo "== consent freshness"
start_gw consent --set webrtc.consent_timeout_seconds=5
browse consent "&stay=1"
for _ in $(seq 1 300); do [ -f "$dir/results/consent" ] && break; sleep 0.1; done
calls=$($G curl -sk https://127.0.0.1:8444/v1/admin/calls)
check "consent: the call is up before the browser goes ($(jq -r '[.calls[].state] | join(",")' <<<"$calls"))" \
	test "$(jq -r '[.calls[].state] | join(",")' <<<"$calls")" = active
pkill -KILL -P "$cpid" 2>/dev/null; kill -KILL "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null
t0=$(date +%s)
for _ in $(seq 1 150); do grep -q "consent-expired" "$dir/gw-consent.log" && break; sleep 0.1; done
waited=$(( $(date +%s) - t0 ))
check "consent: with no ICE check for 5 s the call ends 'consent-expired' (after ${waited} s)" \
	grep -q "ends: consent-expired" "$dir/gw-consent.log"
calls=$($G curl -sk https://127.0.0.1:8444/v1/admin/calls)
check "consent: the call is gone from the API" test "$(jq -r '.calls | length' <<<"$calls")" = 0
check "consent: its media session is gone from the dataplane" grep -q '"count": 0' <<<"$(tel /rtcgate/sessions)"
metrics=$($G curl -sk https://127.0.0.1:8444/metrics)
check "metrics: ICE checks, the DTLS handshake and the consent expiry are counted" \
	bash -c 'grep -q "^rtcgate_webrtc_stun_checks_total{result=\"ok\"} [1-9]" <<<"$0" && grep -q "^rtcgate_webrtc_dtls_total{result=\"connected\"} 1$" <<<"$0" && grep -q "^rtcgate_webrtc_ended_total{reason=\"consent-expired\"} 1$" <<<"$0" && grep -q "^rtcgate_webrtc_legs 0$" <<<"$0"' "$metrics"
stop_gw
finish
