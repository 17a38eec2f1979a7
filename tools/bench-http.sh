#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tools/bench-http.sh - requests per second of the signaling API on the
# control lcore, with wrk and keep-alive; not part of meson test. The
# gateway runs in a namespace of its own (net_null ports, one worker) and
# wrk (one thread) loads, for HTTPS and then plain HTTP:
#   GET /healthz                      no authentication
#   GET /v1/sessions/{id}             a Bearer token checked per request
# The plain-HTTP rows are the baseline of the same run: what TLS costs.
#
# usage: tools/bench-http.sh [-t SECONDS] [-c CONNECTIONS]
# Needs root (network namespace), a build in build/, wrk and jq.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=10
CONNS=50
while getopts "t:c:" o; do
	case $o in
	t) SECS=$OPTARG ;;
	c) CONNS=$OPTARG ;;
	*) sed -n 2,14p "$0"; exit 2 ;;
	esac
done
GW=build/app/rtcgate
[ -x "$GW" ] || { echo "build first: $GW missing" >&2; exit 1; }
for t in wrk jq curl; do command -v $t >/dev/null || { echo "$t missing (apt-get install -y $t)" >&2; exit 1; }; done
dir=$(mktemp -d /tmp/rtcg-bhttp-XXXXXX)
ns=rtcg-bhttp$$
ip netns add "$ns"; ip -n "$ns" link set lo up
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; sleep 0.5; ip netns del "$ns"; rm -rf "$dir"; }
trap cleanup EXIT
N="ip netns exec $ns"
HASH=$(printf 'bench-password\n' | $GW --hash-password)

run() { # run TLS(true|false) SCHEME
	cat > "$dir/gw.yaml" <<YAML
eal: {no_huge: true, memory_mb: 256, no_pci: true, file_prefix: rtcg-bhttp$$}
lcores: {control: 0, workers: [1], idle_sleep_us: 1000}
ports:
  - {name: pub, device: net_null0, role: public, addresses: [198.18.0.1/24], exception_path: false}
  - {name: int, device: net_null1, role: internal, addresses: [198.19.0.1/24], exception_path: false}
dataplane: {mbufs: 8191}
https: {listen: ["127.0.0.1:8443"], tls: $1}
admin: {listen: ["127.0.0.1:8444"], tls: $1}
auth: {users: [{name: bench, password_hash: "$HASH"}]}
ban: {state_file: $dir/bans.state}
YAML
	$N "$GW" -c "$dir/gw.yaml" > "$dir/gw.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 100); do
		$N curl -sk -o /dev/null --max-time 1 "$2://127.0.0.1:8443/healthz" && break
		sleep 0.1
	done
	local s
	s=$($N curl -sk -X POST -H 'Content-Type: application/json' \
		-d '{"user":"bench","password":"bench-password"}' "$2://127.0.0.1:8443/v1/sessions")
	local sid token
	sid=$(jq -r .session <<<"$s"); token=$(jq -r .token <<<"$s")
	for what in healthz session; do
		local url="$2://127.0.0.1:8443/healthz" hdr=()
		if [ $what = session ]; then
			url="$2://127.0.0.1:8443/v1/sessions/$sid"; hdr=(-H "Authorization: Bearer $token")
		fi
		local out rps lat
		out=$($N wrk -t1 -c"$CONNS" -d"${SECS}s" "${hdr[@]}" "$url")
		rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
		lat=$(awk '/Latency/ {print $2; exit}' <<<"$out")
		errs=$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)
		printf '%-6s %-8s %10s req/s   mean latency %-8s %s\n' "$2" "$what" "$rps" "$lat" "$errs"
	done
	kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}
echo "wrk -t1 -c$CONNS -d${SECS}s, keep-alive; control lcore 0, worker lcore 1 ($(nproc) CPUs)"
run true https
run false http
