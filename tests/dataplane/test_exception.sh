#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The exception path and telemetry, with real peers. The gateway runs in a
# namespace of its own with two net_tap ports; once it runs, the test moves
# each port's wire-side interface into a "peer" namespace, so the only way
# between the peer and the gateway's kernel is through the worker and the
# TAP twins. From the peer: ping and arping the port addresses (IPv4 and
# IPv6), an HTTPS request to the API on the public address, a ping from a
# banned address that must fail; then dpdk-telemetry.py reads the counters.
# With "af_packet" as second argument the ports are net_af_packet on veths
# with one queue pair (so the control lcore's packets go out through worker
# 0's queue), prepared by packaging/prepare-ports as the service does: the
# gateway namespace's kernel must not answer on them itself (no DUP!).
set -u
. "$(dirname "$0")/../lib.sh"
RTCGATE=$1
KIND=${2:-tap}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/rtcg-exc-XXXXXX)
gw=rtcg-gw$$; peer=rtcg-peer$$
prefix=rtcg-exc-$$
on_exit "rm -rf $dir"
netns_pair "$gw" "$peer" || exit 1

if [ "$KIND" = af_packet ]; then
	for s in pub int; do
		ip -n "$gw" link add "w$s$$" type veth peer name "p$s$$"
		ip -n "$gw" link set "p$s$$" netns "$peer"
	done
	PUBDEV="net_af_packet0,iface=wpub$$,qpairs=1"; INTDEV="net_af_packet1,iface=wint$$,qpairs=1"
	PUBIF=ppub$$; INTIF=pint$$
	# A veth leaves TCP checksums to "hardware" (CHECKSUM_PARTIAL), which an
	# af_packet reader gets unfinished; a NIC on a wire fills them in.
	for i in $PUBIF $INTIF; do ip netns exec "$peer" ethtool -K "$i" tx off >/dev/null; done
else
	PUBDEV="net_tap0,iface=wpub$$"; INTDEV="net_tap1,iface=wint$$"
	PUBIF=wpub$$; INTIF=wint$$
fi
cat > "$dir/gw.yaml" <<YAML
eal: {no_huge: true, memory_mb: 512, no_pci: true, file_prefix: $prefix}
lcores: {control: 0, workers: [1], idle_sleep_us: 100}
ports:
  - {name: pub, device: "$PUBDEV", role: public, addresses: [198.18.0.1/24, "2001:2::1/64"], rx_descriptors: 512}
  - {name: int, device: "$INTDEV", role: internal, addresses: [198.19.0.1/24], rx_descriptors: 512}
dataplane: {mbufs: 8191, max_sessions: 64, benchmark: {sessions: 10}}
https: {listen: ["127.0.0.1:8443", "198.18.0.1:8443"]}
admin: {listen: ["127.0.0.1:8444"]}
ban: {blocklist: [198.18.0.3, 198.18.0.64/26]}
YAML

out=$(ip netns exec "$gw" env RTCGATE="$RTCGATE" "$ROOT/packaging/prepare-ports" "$dir/gw.yaml" 2>&1); rc=$?
check "prepare-ports readies the configuration's interfaces (exit $rc)" test "$rc" = 0
[ -n "$out" ] && echo "$out"
ip netns exec "$gw" "$RTCGATE" -c "$dir/gw.yaml" > "$dir/gw.log" 2>&1 &
pid=$!; T_PIDS="$T_PIDS $pid"
for i in $(seq 1 100); do
	ip -n "$gw" link show "wint$$" >/dev/null 2>&1 && grep -q running "$dir/gw.log" && ip -n "$gw" link show rtcg-int >/dev/null 2>&1 && break
	sleep 0.1
done
check "gateway runs in its namespace" grep -q running "$dir/gw.log"
check "exception-path TAPs rtcg-pub and rtcg-int carry the port addresses" \
	bash -c "ip -n $gw -br addr show rtcg-pub | grep -q 198.18.0.1/24 && ip -n $gw -br addr show rtcg-int | grep -q 198.19.0.1/24"

if [ "$KIND" = af_packet ]; then
	check "one tx queue per port: the control lcore's packets go out through worker 0" \
		grep -q "through worker 0" "$dir/gw.log"
else
	# The wire side of each port goes to the peer.
	ip -n "$gw" link set "wpub$$" netns "$peer"
	ip -n "$gw" link set "wint$$" netns "$peer"
fi
ip -n "$peer" addr add 198.18.0.2/24 dev "$PUBIF"
ip -n "$peer" addr add 198.18.0.3/24 dev "$PUBIF"
ip -n "$peer" addr add 198.18.0.70/24 dev "$PUBIF"
ip -n "$peer" addr add 2001:2::2/64 dev "$PUBIF" nodad
ip -n "$peer" addr add 198.19.0.2/24 dev "$INTIF"
ip -n "$peer" link set "$PUBIF" up
ip -n "$peer" link set "$INTIF" up

P="ip netns exec $peer"
quiet() { "$@" >/dev/null 2>&1; }
out=$($P ping -c 3 -i 0.2 -W 2 -I 198.18.0.2 198.18.0.1 2>&1); rc=$?
check "ping the public port's IPv4 address through the exception path, one answer each" \
	bash -c '[ "$0" = 0 ] && ! grep -q DUP <<<"$1"' "$rc" "$out"
check "ping the internal port's address" quiet $P ping -c 2 -i 0.2 -W 2 198.19.0.1
check "ping the public port's IPv6 address" quiet $P ping -6 -c 2 -i 0.2 -W 2 2001:2::1
check "arping the public port: the TAP twin answers with the port's MAC" \
	quiet $P arping -c 2 -w 3 -I "$PUBIF" 198.18.0.1
code=$($P curl -sk -o /dev/null -w '%{http_code}' --max-time 5 https://198.18.0.1:8443/healthz)
check "TCP: HTTPS /healthz on the public address answers 200 ($code)" test "$code" = 200
check "a banned source (ban.blocklist) gets no answer" \
	bash -c "! $P ping -c 2 -i 0.2 -W 1 -I 198.18.0.3 198.18.0.1 >/dev/null"
check "a source in a banned network (ban.blocklist 198.18.0.64/26) gets no answer" \
	bash -c "! $P ping -c 2 -i 0.2 -W 1 -I 198.18.0.70 198.18.0.1 >/dev/null"

tel() { ip netns exec "$gw" dpdk-telemetry.py -f "$prefix" <<<"$1" 2>/dev/null; }
stats=$(tel /rtcgate/stats)
q() { python3 -c "import json,sys; d=json.loads(sys.argv[1])['/rtcgate/stats']; print($1)" "$stats"; }
check "telemetry /rtcgate/stats: packets went to the kernel and back" \
	test "$(q "d['to_kernel'] > 5 and d['from_kernel'] > 5")" = True
check "telemetry /rtcgate/stats: the banned pings are counted" \
	test "$(q "d['drop_banned'] >= 4")" = True
check "telemetry /rtcgate/stats: per-worker dict with busy/idle cycles" \
	test "$(q "d['worker1']['idle_cycles'] > 0")" = True
check "telemetry /rtcgate/stats: no flow cache bypassed, in the totals and the worker's dict" \
	test "$(q "d['flow_cache_bypassed'] == 0 and d['worker1']['flow_cache_bypassed'] == 0")" = True
bans=$(tel /rtcgate/bans)
check "telemetry /rtcgate/bans lists the blocklisted address and network" \
	bash -c 'grep -q "198.18.0.3 permanent" <<<"$0" && grep -q "198.18.0.64/26 permanent" <<<"$0"' "$bans"
check "telemetry /rtcgate/bans: a filter bit for each of the two bans" \
	test "$(python3 -c "import json,sys; d=json.loads(sys.argv[1])['/rtcgate/bans']; print(d['filter_bits'])" "$bans")" = 2
sessions=$(tel /rtcgate/sessions)
check "telemetry /rtcgate/sessions counts the 10 benchmark sessions" grep -q '"count": 10' <<<"$sessions"
one=$(tel /rtcgate/sessions,1)
check "telemetry /rtcgate/sessions,1 shows a session's legs and counters" \
	grep -q '"public_remote": "198.18.128.1:16384".*"to_internal": {"packets": 0' <<<"$one"

kill -TERM "$pid"
if wait_exit "$pid" 5; then
	check "gateway stops with status 0" test "$T_STATUS" = 0
else
	fail "gateway did not stop"
fi
finish
