#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tools/bench-sip.sh - call setup rate and latency of the control lcore;
# not part of meson test. The gateway runs in a namespace of its own (a
# net_null public port: no media flows; its internal port a net_tap whose
# wire side is in a second namespace), with sipp's built-in UAS there as
# the SIP server, answering every INVITE at once (180, 200 with PCMU).
# tools/sip_loader.py drives the HTTPS API from the gateway's namespace:
# C sessions placing calls back to back (POST .../calls, wait for the
# "answered" event, DELETE: INVITE, 200, ACK, BYE on the SIP side), N calls
# in all, at most T seconds. Baseline of the same run: the API's
# sign-in-free round trip (GET /healthz on the same connection kind), so
# the setup figure can be read against the HTTP cost alone.
#
# -r ROUNDS (soak): run the loader ROUNDS times on the same gateway (each
# round C sign-ins, N calls, C sign-outs) and after each round print the
# gateway's resident memory, open descriptors and the live-object gauges
# of its /metrics, which must all return to where they were. The first
# rounds grow the heaps to their working size; a leak shows as growth that
# goes on round after round, so the summary is the last round's.
# -i SECONDS: after the rounds, sample once more after that long idle
# (sofia-sip lets go of a call's state some 30 s after it ends).
#
# usage: tools/bench-sip.sh [-n CALLS] [-c CONCURRENCY] [-t SECONDS] [-r ROUNDS] [-i SECONDS]
# Needs root (network namespaces), a build in build/, sipp (sip-tester).
set -euo pipefail
cd "$(dirname "$0")/.."
CALLS=1000
CONC=8
SECS=60
ROUNDS=0
IDLE=0
while getopts "n:c:t:r:i:" o; do
	case $o in
	n) CALLS=$OPTARG ;;
	c) CONC=$OPTARG ;;
	t) SECS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	i) IDLE=$OPTARG ;;
	*) sed -n 2,27p "$0"; exit 2 ;;
	esac
done
GW=build/app/rtcgate
[ -x "$GW" ] || { echo "build first: $GW missing" >&2; exit 1; }
command -v sipp >/dev/null || { echo "sipp missing (apt-get install -y sip-tester)" >&2; exit 1; }
dir=$(mktemp -d /tmp/rtcg-bsip-XXXXXX)
gw=rtcg-bsipg$$; sp=rtcg-bsips$$
ip netns add "$gw"; ip netns add "$sp"
ip -n "$gw" link set lo up; ip -n "$sp" link set lo up
pid=
cleanup() {
	# The gateway stops on SIGTERM (and removes its EAL runtime directory);
	# whatever is left after 5 s is killed, the directory removed anyway.
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && timeout 5 tail --pid="$pid" -f /dev/null
	for n in $gw $sp; do ip netns pids "$n" 2>/dev/null | xargs -r kill -KILL; done
	sleep 0.3; ip netns del "$gw"; ip netns del "$sp"; rm -rf "$dir" "/var/run/dpdk/rtcg-bsip$$"
}
trap cleanup EXIT
G="ip netns exec $gw"; S="ip netns exec $sp"
HASH=$(printf 'bench-password\n' | $GW --hash-password)
cat > "$dir/gw.yaml" <<YAML
eal: {no_huge: true, memory_mb: 512, no_pci: true, file_prefix: rtcg-bsip$$}
lcores: {control: 0, workers: [1], idle_sleep_us: 1000}
ports:
  - {name: pub, device: "net_null0", role: public, addresses: [198.18.0.1/24], exception_path: false}
  - {name: int, device: "net_tap0,iface=bsint$$", role: internal, addresses: [198.19.0.1/24]}
dataplane: {mbufs: 8191, max_sessions: 1024}
https: {listen: ["127.0.0.1:8443"]}
admin: {listen: ["127.0.0.1:8444"]}
auth: {users: [{name: bench, password_hash: "$HASH"}]}
ban: {state_file: $dir/bans.state}
sip: {server: "198.19.0.2:5060", domain: bench.test, session_expires_seconds: 0}
webrtc: {echo: false}
log: {level: notice}
YAML
$G "$GW" -c "$dir/gw.yaml" > "$dir/gw.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	ip -n "$gw" link show "bsint$$" >/dev/null 2>&1 && grep -q running "$dir/gw.log" && break
	sleep 0.1
done
ip -n "$gw" link set "bsint$$" netns "$sp"
ip -n "$sp" addr add 198.19.0.2/24 dev "bsint$$"
ip -n "$sp" link set "bsint$$" up
$S sipp -sn uas -i 198.19.0.2 -p 5060 -nostdin -timeout $(((ROUNDS + 1) * SECS + 30))s > "$dir/sipp.log" 2>&1 &
for _ in $(seq 1 50); do $G curl -sk -o /dev/null --max-time 1 https://127.0.0.1:8443/healthz && break; sleep 0.2; done
echo "rtcgate $(git describe --always --dirty 2>/dev/null), $(nproc) CPUs, $CALLS calls, $CONC sessions at once"
base=$($G python3 - <<'PY'
import http.client, ssl, time
c = ssl.create_default_context(); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE
h = http.client.HTTPSConnection("127.0.0.1", 8443, context=c)
t = []
for _ in range(300):
    t0 = time.monotonic(); h.request("GET", "/healthz"); h.getresponse().read(); t.append(time.monotonic() - t0)
t.sort(); print("%.2f" % (1000 * t[len(t) // 2]))
PY
)
res=$($G python3 tools/sip_loader.py 127.0.0.1 8443 bench bench-password "$CALLS" "$CONC" "$SECS")
echo "$res"
python3 - "$res" "$base" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); base = float(sys.argv[2])
print("call setup: %.1f calls/s; setup p50 %s ms, p90 %s ms, p99 %s ms; %d failed" %
      (r["calls_per_second"], r["setup_ms_p50"], r["setup_ms_p90"], r["setup_ms_p99"], r["failed"]))
print("baseline (same run): GET /healthz round trip p50 %.2f ms; setup p50 is %.1fx that" %
      (base, r["setup_ms_p50"] / base if r["setup_ms_p50"] else 0))
PY
grep -c "ends:" "$dir/gw.log" >/dev/null || true
[ "$ROUNDS" -gt 0 ] || exit 0

# Soak: the run above warmed the gateway up; each further round repeats it.
metric() { awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $2 } END { printf "%d", s }' "$dir/metrics"; }
sample() {
	sleep 2 # the last BYEs' transactions and the sign-outs settle
	kill -0 "$pid" 2>/dev/null || { echo "the gateway died during the soak" >&2; exit 1; }
	$G curl -sk --max-time 5 -o "$dir/metrics" https://127.0.0.1:8444/metrics
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
	fds=$(find "/proc/$pid/fd" -mindepth 1 | wc -l)
	printf '%5s %8d %6d %9d %5d %8d %5d %11d %4d %7d\n' "$1" "$2" "$3" "$rss" "$fds" \
		"$(metric rtcgate_api_sessions)" "$(metric rtcgate_api_calls)" "$(metric rtcgate_dp_sessions)" \
		"$(metric rtcgate_webrtc_legs)" "$(metric rtcgate_api_waiting_requests)"
}
field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$res" "$1"; }
echo "round    calls failed   RSS_KiB   fds sessions calls dp_sessions legs waiting"
total=$(field calls_answered) failed=$(field failed)
sample 0 "$total" "$failed"
for r in $(seq 1 "$ROUNDS"); do
	rss0=$rss fds0=$fds calls0=$total
	res=$($G python3 tools/sip_loader.py 127.0.0.1 8443 bench bench-password "$CALLS" "$CONC" "$SECS")
	total=$((total + $(field calls_answered))) failed=$((failed + $(field failed)))
	sample "$r" "$total" "$failed"
done
awk -v r0="$rss0" -v r1="$rss" -v f0="$fds0" -v f1="$fds" -v c="$((total - calls0))" 'BEGIN {
	printf "last round: RSS %+d KiB over %d calls (%+.2f KiB per 1,000), descriptors %+d\n",
		r1 - r0, c, c ? (r1 - r0) * 1000 / c : 0, f1 - f0 }'
if [ "$IDLE" -gt 0 ]; then
	sleep "$IDLE"
	sample idle "$total" "$failed"
fi
