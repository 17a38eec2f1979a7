#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tools/bench-dataplane.sh - the dataplane under load, in benchmark mode, over
# net_memif; not part of meson test. For each session count it starts the
# gateway (control lcore 0, one worker on lcore 1) with that many synthetic
# sessions, then:
#   encrypt: dpdk-testpmd (io forwarding) replays plain RTP frames, one per
#            session, from a pcap into the internal port and counts the SRTP
#            that comes out of the public port;
#   decrypt: rtcgate-loadgen sends valid SRTP (advancing sequence numbers)
#            into the public port and counts the RTP out of the internal one.
#   (encrypt-lg: the same generator the other way round; with -M a mixed
#   row too: both directions at once, bursts alternating.) Each
#   rtcgate-loadgen row is followed by what the generator found checking
#   every frame that came back: misdelivered (not to the far peer of the
#   session its SSRC names) and corrupt (not what that session was sent;
#   of the SRTP out of the public port one packet in 16 of each session is
#   authenticated with the gateway's keys).
# It prints offered and relayed packets per second, loss, and the worker's
# busy nanoseconds per packet (telemetry cycle counters), beside
# tools/bench-srtp's crypto-only figures measured in the same run.
#
# usage: tools/bench-dataplane.sh [-s "1 100 10000 100000"] [-t SECONDS] [-p PPS] [-H] [-Z] [-w WORKERS] [-O] [-M]
#   -p: offered rate of rtcgate-loadgen (0: as fast as it can). testpmd
#       always forwards as fast as it can.
#   -H: the gateway on 2 MiB hugepages, as an appliance runs (it reserves
#       1100 of them and mounts hugetlbfs if needed); the traffic sources
#       stay on --no-huge. Without -H everything runs --no-huge (4 KiB pages).
#   -Z: zero-copy ports (implies -H): the gateway's memif ports are clients
#       with zero-copy=yes, so frames arrive in and leave from its own mbufs
#       and the traffic source (now the memif server) does the copying, as a
#       NIC's DMA would. Without it the gateway is the server and its PMD
#       copies every frame in and out (~20-30 ns a packet of its busy time).
#       The gateway then starts after each traffic source, once per row.
#   -w: worker lcores (1..W; default 1), for a scaling run. With W > 1 each
#       memif port has W rx queues (ports[].rx_queues: software RSS, each
#       worker receives from one and spreads by flow hash); testpmd sends
#       on W queues, each replaying its own slice of the sessions, with one
#       forwarding core per CPU the gateway leaves free (at most 6), and
#       rtcgate-loadgen sends on W queues from as many of those CPUs (at
#       most W). Not with -Z.
#   -R: with -w, the sources' queue q carries the flows the gateway's software
#       RSS gives worker q (the same CRC32-C hash of the 5-tuple), so that
#       no packet changes worker: what a NIC with RSS delivers. Without it
#       flows are dealt to queues by session number and (W-1)/W of the
#       packets are handed from the receiving worker to another.
#   -M: a mixed row after the others (rtcgate-loadgen --direction both):
#       SRTP into the public port and RTP into the internal one at once;
#       its x_crypto is over the mean of protect and unprotect.
#   -O: the sessions in one fixed shuffle (rtcgate-loadgen --order random,
#       and so testpmd's pcap), as independent streams arrive, rather than
#       in the order the gateway installed them, where neighbours share
#       pages and the hardware prefetcher streams their lines.
# Needs root (network namespace), a build in build/, dpdk-testpmd (dpdk-dev).
# GW=path runs another gateway binary (an A/B comparison in one sitting);
# LG= and BS= another rtcgate-loadgen and bench-srtp. RSIZE=N gives the
# memif rings 2^N descriptors (default 10: 1,024). NETNS=0 runs it all
# in the current network namespace (on a machine of its own: the gateway's
# exception-path TAPs then appear there); EXC=false gives the gateway's
# ports no exception path (no /dev/net/tun). PERF=DIR samples the workers'
# CPUs with `perf record -e cpu-clock` (linux-perf) for the last
# SECONDS-1 seconds of each row's traffic into DIR/ROW-SESSIONS.data (read
# with `perf report -i ... --no-children --sort dso,symbol`).
set -euo pipefail
cd "$(dirname "$0")/.."
SESSIONS="1 100 10000 100000"
SECONDS_EACH=5
PPS=0
HUGE=0
ZC=0
W=1
RSS_SORT=0
ORDER=slot
MIXED=0
while getopts "s:t:p:HZw:ROM" o; do
	case $o in
	s) SESSIONS=$OPTARG ;;
	t) SECONDS_EACH=$OPTARG ;;
	p) PPS=$OPTARG ;;
	H) HUGE=1 ;;
	Z) ZC=1 HUGE=1 ;;
	w) W=$OPTARG ;;
	R) RSS_SORT=1 ;;
	O) ORDER=random ;;
	M) MIXED=1 ;;
	*) sed -n 2,63p "$0"; exit 2 ;;
	esac
done
[ "$W" -ge 1 ] 2>/dev/null || { echo "-w: a number of workers" >&2; exit 2; }
[ "$W" = 1 ] || [ $ZC = 0 ] || { echo "-w with -Z: not supported" >&2; exit 2; }
NCPU=$(nproc)
# the gateway: control lcore 0, workers 1..W; the traffic sources on the CPUs
# left (all on CPU 0 where none are, as on a 2-core machine)
SRC_CPUS=$(seq $((W + 1)) $((NCPU - 1)) | head -n 6 | paste -sd ' ')
[ -n "$SRC_CPUS" ] || SRC_CPUS=0
read -r SRC_CPU0 _ <<<"$SRC_CPUS"
# rtcgate-loadgen: one lcore a transmit queue, at most W of them
LG_CPUS=$(tr ' ' '\n' <<<"$SRC_CPUS" | head -n "$W" | paste -sd ',')
LG_TXQ="--order $ORDER"
if [ "$W" != 1 ]; then
	LG_TXQ="$LG_TXQ --tx-queues $W"
	[ $RSS_SORT = 0 ] || LG_TXQ="$LG_TXQ --rss-sort"
fi
WORKERS=$(seq -s ', ' 1 "$W")
# rx queues of each gateway port, and so transmit queues of testpmd (memif
# pairs a client's queues with its server's, one for one)
GW_RXQ=""
[ "$W" = 1 ] || GW_RXQ=", rx_queues: $W"
GW=${GW:-build/app/rtcgate} LG=${LG:-build/tools/rtcgate-loadgen} BS=${BS:-build/tools/bench-srtp}
for x in $GW $LG $BS; do [ -x "$x" ] || { echo "build first: $x missing" >&2; exit 1; }; done
command -v dpdk-testpmd >/dev/null || { echo "dpdk-testpmd missing (apt-get install dpdk-dev)" >&2; exit 1; }

EAL_MEM="no_huge: true, memory_mb: 2048"
# memif roles: the gateway's, and the traffic sources'
GW_MEMIF="role=server" SRC_MEMIF="role=client" SRC_RXQ=1
if [ $ZC = 1 ]; then
	# zero-copy needs the mempool in one file per memseg list, which memif shares
	GW_MEMIF="role=client,zero-copy=yes" SRC_MEMIF="role=server"
	# a memif server takes one receive queue per transmit queue of its
	# client: the gateway has the worker's and the control lcore's
	SRC_RXQ=2
fi
[ "$W" = 1 ] || SRC_RXQ=$W
# RSIZE=N: memif rings of 2^N descriptors (memif's rsize, 10 by default)
if [ -n "${RSIZE:-}" ]; then GW_MEMIF="$GW_MEMIF,rsize=$RSIZE" SRC_MEMIF="$SRC_MEMIF,rsize=$RSIZE"; fi
if [ $HUGE = 1 ]; then
	mountpoint -q /dev/hugepages || { mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages; }
	hp=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	hp_before=$(cat $hp)
	[ "$hp_before" -ge 1100 ] || echo 1100 > $hp
	[ "$(cat $hp)" -ge 1100 ] || { echo "could not reserve 1100 hugepages of 2 MiB (have $(cat $hp))" >&2; exit 1; }
	EAL_MEM="no_huge: false, memory_mb: 2048"
	if [ $ZC = 1 ]; then EAL_MEM="$EAL_MEM, extra_args: [--single-file-segments]"; fi
fi
dir=$(mktemp -d /tmp/rtcg-bench-XXXXXX)
ns=rtcg-bench$$
if [ "${NETNS:-1}" = 1 ]; then
	ip netns add "$ns"
	ip -n "$ns" link set lo up
fi
gw_pid=""
cleanup() {
	[ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null && wait "$gw_pid" 2>/dev/null
	[ "${NETNS:-1}" = 0 ] || ip netns del "$ns" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$dir"
	# testpmd leaves its EAL runtime directory (the gateway and the loadgen remove theirs)
	rm -rf /var/run/dpdk/rtcg-bench-pmd
	if [ $HUGE = 1 ]; then # the gateway's page files, and the reservation as it was
		rm -f /dev/hugepages/rtcg-bench*
		echo "$hp_before" > "$hp"
	fi
}
trap cleanup EXIT
N() { if [ "${NETNS:-1}" = 1 ]; then ip netns exec "$ns" "$@"; else "$@"; fi; }

# Crypto-only floor from this run: our engine and raw intel-ipsec-mb,
# 160-byte payload. Three runs a second apart, each column's lowest: one
# run that falls in one of the VM's slow spells (seen: protect 158.6 ns
# against 112-119) would otherwise shrink every row's ratio.
srtp_runs=$(for i in 1 2 3; do
	[ "$i" = 1 ] || sleep 1
	$BS 200000 | awk '$1 == "AES_CM_128_HMAC_SHA1_80" && $2 == 160 { print $4, $5, $7 }'
done)
read -r prot_ns unprot_ns floor_ns < <(awk 'NR == 1 || $1 < p { p = $1 } NR == 1 || $2 < u { u = $2 }
	NR == 1 || $3 < f { f = $3 } END { print p, u, f }' <<<"$srtp_runs")
echo "bench-srtp (same run, AES_CM_128_HMAC_SHA1_80, 160-byte payload, lowest of three runs: $(paste -sd '/' <<<"$(cut -d' ' -f1 <<<"$srtp_runs")") ns protect): protect $prot_ns ns, unprotect $unprot_ns ns, raw intel-ipsec-mb floor $floor_ns ns"

# tel FILE: the gateway's /rtcgate/stats, kept in FILE; prints "rx
# busy_cycles hz spread busy_rounds"
tel() { N dpdk-telemetry.py -f rtcg-bench <<<"/rtcgate/stats" 2>/dev/null | tee "$1" |
	python3 -c 'import json,sys; d=json.load(sys.stdin)["/rtcgate/stats"]; print(d["rx"], d["busy_cycles"], d["tsc_hz"], d["spread"], d.get("busy_rounds", 0))' 2>/dev/null; }
# drops_between A B: the gateway's drop counters that moved between two
# tel files, as one comment line (nothing if none did)
drops_between() {
	python3 - "$1" "$2" <<'PY' 2>/dev/null || true
import json, sys
a, b = (json.load(open(f))['/rtcgate/stats'] for f in sys.argv[1:3])
moved = ['%s %d' % (k[5:], b[k] - a[k]) for k in sorted(b) if k.startswith('drop_') and b[k] != a.get(k, 0)]
if moved:
    print('#   gateway drops in the row: ' + ', '.join(moved))
PY
}

# best_ns SECONDS: sample the workers' counters every 0.25 s for SECONDS
# straight from the telemetry socket; print the lowest busy ns per packet of
# any 0.25-s window with traffic, and the workers' busy share (%) over all
# windows with traffic. This shared VM has phases in which
# everything runs ~40% slower for tens of seconds (docs/benchmarks.md); the
# whole-row figure includes them, the best window mostly does not.
# perf_row NAME: the workers' CPUs sampled while a row's traffic runs (PERF=DIR).
perf_row() {
	[ -n "${PERF:-}" ] || return 0
	mkdir -p "$PERF"
	sleep 1
	perf record -q -e cpu-clock -C "1-$W" -o "$PERF/$1.data" -- sleep $((SECONDS_EACH > 1 ? SECONDS_EACH - 1 : 1)) >/dev/null 2>&1 || true
}
best_ns() {
	python3 - "$1" /var/run/dpdk/rtcg-bench/dpdk_telemetry.v2 <<'PY'
import json, socket, sys, time
secs, path = float(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(path)
s.recv(16384)  # the greeting
def snap():
    s.send(b'/rtcgate/stats')
    d = json.loads(s.recv(1 << 20))['/rtcgate/stats']
    return d['rx'], d['busy_cycles'], d['tsc_hz'], d['idle_cycles']
best, prev, end, busy, idle = None, snap(), time.time() + secs, 0, 0
while time.time() < end:
    time.sleep(0.25)
    cur = snap()
    rx, cy = cur[0] - prev[0], cur[1] - prev[1]
    if rx > 100000:  # a window with real load (>0.4 Mpps)
        ns = cy * 1e9 / cur[2] / rx
        best = ns if best is None or ns < best else best
        busy, idle = busy + cy, idle + cur[3] - prev[3]
    prev = cur
print('%.1f %.0f' % (best, 100.0 * busy / (busy + idle)) if best is not None else '0 0')
PY
}

write_cfg() { # write_cfg SESSIONS: the gateway's configuration, which rtcgate-loadgen reads too
	local n=$1 max=$1
	[ "$max" -lt 16 ] && max=16
	cat > "$dir/gw.yaml" <<YAML
eal: {$EAL_MEM, no_pci: true, file_prefix: rtcg-bench}
lcores: {control: 0, workers: [$WORKERS], idle_sleep_us: 0}
ports:
  - {name: pub, device: "net_memif0,$GW_MEMIF,socket=$dir/pub.sock,socket-abstract=no", role: public, addresses: [198.18.0.1/24]$GW_RXQ, exception_path: ${EXC:-true}}
  - {name: int, device: "net_memif1,$GW_MEMIF,socket=$dir/int.sock,socket-abstract=no", role: internal, addresses: [198.19.0.1/24, 198.19.0.2/24]$GW_RXQ, exception_path: ${EXC:-true}}
dataplane: {mbufs: 65535, max_sessions: $max, benchmark: {sessions: $n}}
media: {public_ports: {min: 20000, max: 29999}, internal_ports: {min: 2000, max: 61999}}
https: {listen: ["127.0.0.1:18443"]}
admin: {listen: ["127.0.0.1:18444"]}
YAML
}
start_gw() { # start_gw (on $dir/gw.yaml)
	: > "$dir/gw.log" # not the last gateway's "running" line
	if [ "${NETNS:-1}" = 1 ]; then
		ip netns exec "$ns" "$GW" -c "$dir/gw.yaml" > "$dir/gw.log" 2>&1 &
	else
		"$GW" -c "$dir/gw.yaml" > "$dir/gw.log" 2>&1 &
	fi
	gw_pid=$!
	for _ in $(seq 1 600); do
		grep -q running "$dir/gw.log" && return 0
		kill -0 "$gw_pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$dir/gw.log" >&2
	return 1
}
stop_gw() { kill "$gw_pid" 2>/dev/null || true; wait "$gw_pid" || true; gw_pid=""; }
# The gateway as a memif server runs for all of a session count's rows; as
# a zero-copy client (-Z) it connects once, so it starts after each row's
# traffic source listens and stops after the row.
row_begin() {
	if [ $ZC = 1 ]; then
		for _ in $(seq 1 100); do
			[ -S "$dir/pub.sock" ] && [ -S "$dir/int.sock" ] && break
			sleep 0.1
		done
		sleep 0.5 # the socket file exists before the server listens on it
		start_gw
	fi
	# Traffic starts once both links are up (a testpmd whose links are not
	# yet up takes "start" only when they are, which may be after the row).
	for _ in $(seq 1 100); do
		links_up && return 0
		sleep 0.1
	done
	if [ $ZC = 1 ]; then stop_gw; fi
	return 1
}
links_up() { # both of the gateway's ports connected (DPDK telemetry)
	python3 - /var/run/dpdk/rtcg-bench/dpdk_telemetry.v2 <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.recv(16384)  # the greeting
for port in (0, 1):
    s.send(b'/ethdev/link_status,%d' % port)
    if json.loads(s.recv(65536))['/ethdev/link_status'].get('status') != 'UP':
        sys.exit(1)
PY
} 2>/dev/null
row_end() {
	[ $ZC = 1 ] || return 0
	if [ -n "$gw_pid" ]; then stop_gw; fi
	rm -f "$dir/pub.sock" "$dir/int.sock"
}
# row_reading ROW SESSIONS: the gateway's counters at the end of a row's
# traffic, into $t1 ($dir/t1.json), taken while the source is still
# connected (it has stopped sending and polls nothing by now); returns 1,
# the row skipped and why said, when there is no reading.
row_reading() {
	t1=""
	if kill -0 "$gw_pid" 2>/dev/null; then t1=$(tel "$dir/t1.json") || t1=""; fi
	[ -n "$t1" ] && return 0
	echo "# $1 $2: no reading from the gateway at the end of the row (it died during the row?): row skipped"
	return 1
}
# After the row's source has left: is the gateway still there? DPDK 22.11's
# memif driver can fault in a worker's rx poll when a peer disconnects (the
# interrupt thread unmaps the shared rings while the worker reads them;
# docs/deployment.md); the gateway handles the disconnect a moment after
# the source has exited. The row's reading was taken before; say so, and
# restart the gateway (a server) for the next row.
gw_survived() { # gw_survived ROW SESSIONS
	sleep 1
	kill -0 "$gw_pid" 2>/dev/null && return 0
	wait "$gw_pid" 2>/dev/null || true
	gw_pid=""
	echo "# $1 $2: the gateway died as the traffic source left, after the row's reading (memif PMD race)$([ $ZC = 1 ] || echo ': restarted')"
	if [ $ZC = 0 ]; then
		rm -f "$dir/pub.sock" "$dir/int.sock" # a dead server's listening sockets
		start_gw
	fi
}

# per-packet worker cost between two telemetry reads ("rx busy_cycles hz
# spread busy_rounds"): busy ns per packet (all workers' busy time over all
# packets received), the share (%) of packets handed to another worker by
# software RSS, and the mean packets a busy poll round
ns_per_pkt() { python3 -c "import sys; a=sys.argv[1].split(); b=sys.argv[2].split(); rx=int(b[0])-int(a[0]); cy=int(b[1])-int(a[1]); r=int(b[4])-int(a[4]); print('%.1f %.0f %.1f' % (cy*1e9/int(b[2])/rx if rx else 0, 100.0*(int(b[3])-int(a[3]))/rx if rx else 0, rx/r if r else 0))" "$1" "$2"; }

# print_row ROW SESSIONS OFFERED_MPPS RELAYED_MPPS LOSS% CRYPTO_NS: a table
# row; the worker's busy ns per packet since the telemetry read $t0, and
# the row's best window from $dir/best; then the gateway's drops by reason.
print_row() {
	local ns_pkt best busy moved burst
	read -r best busy < "$dir/best" || { best=0 busy=0; }
	read -r ns_pkt moved burst <<<"$(ns_per_pkt "$t0" "$t1")"
	python3 - "$@" "$ns_pkt" "$floor_ns" "$best" "$busy" "$moved" "$burst" <<'PY'
import sys
row, n, off, rel, loss, crypto, ns, floor, best, busy, moved, burst = sys.argv[1:]
crypto, ns, best = float(crypto), float(ns), float(best)
print('%-9s %-8s %12.3f %12.3f %8.3f %14.1f %10.2f %10.2f %10.1f %7.2f %6s %7s %6s' % (row, n, float(off), float(rel), float(loss), ns, ns / crypto, ns / float(floor), best, best / crypto, busy, moved, burst))
PY
	drops_between "$dir/t0.json" "$dir/t1.json"
}

# testpmd's ports: the pcap (one receive queue per queue the memif ports
# need; with W > 1 queue q replays queue q's sessions as rtcgate-loadgen
# deals them (by number, or with -R by the gateway's RSS hash), so that each
# flow arrives on one queue), then the two memifs
pmd_pcap="net_pcap0"
for q in $(seq 0 $((SRC_RXQ - 1))); do
	if [ "$W" = 1 ]; then pmd_pcap="$pmd_pcap,rx_pcap=$dir/rtp.pcap"; else pmd_pcap="$pmd_pcap,rx_pcap=$dir/rtp.$q.pcap"; fi
done
PMD_TXQ=1 PMD_FWD=1 PMD_LCORES="0@$SRC_CPU0,1@$SRC_CPU0"
if [ "$W" != 1 ]; then
	for _ in $(seq 2 "$W"); do pmd_pcap="$pmd_pcap,tx_pcap=/dev/null"; done
	PMD_TXQ=$W PMD_FWD=0 PMD_LCORES="0@$SRC_CPU0"
	for c in $SRC_CPUS; do PMD_FWD=$((PMD_FWD + 1)); PMD_LCORES="$PMD_LCORES,$PMD_FWD@$c"; done
fi

# A row returns 1 when the gateway's links to its traffic source did not
# come up, after stopping that source; the caller starts the row again.
pmd_row() { # pmd_row SESSIONS: encrypt, testpmd io forwarding, pcap (plain RTP) -> internal memif; public memif -> counted
	local n=$1
	rm -f "$dir/pmd.in" && mkfifo "$dir/pmd.in"
	# With more receive queues than transmit queues testpmd forwards queue 0 of each port only.
	N dpdk-testpmd --lcores "$PMD_LCORES" --no-huge -m $((1024 * SRC_RXQ)) --no-pci --file-prefix rtcg-bench-pmd \
		--vdev "$pmd_pcap,infinite_rx=1,tx_pcap=/dev/null" \
		--vdev "net_memif1,$SRC_MEMIF,socket=$dir/int.sock,socket-abstract=no" \
		--vdev "net_memif2,$SRC_MEMIF,socket=$dir/pub.sock,socket-abstract=no" \
		--log-level=pmd.net.pcap:warning -- -i --forward-mode=io --port-topology=chained \
		--rxq=$SRC_RXQ --txq=$PMD_TXQ --nb-cores=$PMD_FWD --total-num-mbufs=$((SRC_RXQ * n + 32768 * PMD_FWD)) \
		< "$dir/pmd.in" > "$dir/testpmd.log" 2>&1 &
	local pmd=$!
	exec 3> "$dir/pmd.in"
	if ! row_begin; then
		echo quit >&3
		exec 3>&-
		wait $pmd || true
		cp "$dir/testpmd.log" "$dir/testpmd.failed.log"
		row_end
		return 1
	fi
	t0=$(tel "$dir/t0.json")
	best_ns $((SECONDS_EACH + 1)) > "$dir/best" 2>/dev/null &
	local bp=$!
	{ sleep 1; perf_row "enc-pmd-$n"; } &
	local pp=$!
	{ sleep 1; echo start; sleep "$SECONDS_EACH"; echo stop; sleep 1; } >&3
	wait $bp $pp || true
	# testpmd has stopped forwarding and printed its statistics
	local ok=0
	row_reading enc-pmd "$n" || ok=1
	echo quit >&3
	exec 3>&-
	wait $pmd || true
	gw_survived enc-pmd "$n"
	if [ $ok = 0 ]; then
		offered=$(awk '/Forward statistics for port 1/{f=1} f && /TX-packets/{print $NF; exit}' "$dir/testpmd.log")
		relayed=$(awk '/Forward statistics for port 2/{f=1} f && /RX-packets/{print $2; exit}' "$dir/testpmd.log")
		print_row enc-pmd "$n" $(awk -v o="${offered:-0}" -v r="${relayed:-0}" -v s="$SECONDS_EACH" \
			'BEGIN { print o / s / 1e6, r / s / 1e6, o ? 100 * (o - r) / o : 0 }') "$prot_ns"
	fi
	row_end
}
# lg_stop PID: stop rtcgate-loadgen (PID is the shell running N, the
# generator its child: killing the shell would leave the generator running,
# holding its EAL runtime directory, and the next one could not start).
lg_stop() {
	pkill -TERM -f -- "--file-prefix rtcg-bench-lg" || true
	wait "$1" || true
}
# lg_row SESSIONS encrypt|decrypt|both: rtcgate-loadgen; decrypt: SRTP ->
# public memif, RTP out of the internal one; encrypt: RTP -> internal memif,
# SRTP out of the public one; both (the row "mixed"): both at once (the
# generator's port 0 on the public memif, port 1 on the internal one).
lg_row() {
	local n=$1 d=$2 tx=int rx=pub crypto=$prot_ns row=$2-lg
	if [ $d = decrypt ]; then tx=pub rx=int crypto=$unprot_ns; fi
	if [ $d = both ]; then
		tx=pub rx=int row=mixed-lg
		crypto=$(awk -v a="$prot_ns" -v b="$unprot_ns" 'BEGIN { print (a + b) / 2 }')
	fi
	rm -f "$dir/lg.out"
	# --linger: once its figures are printed it polls nothing and waits to be
	# stopped, so that row_reading reads the gateway before the link goes
	N "$LG" --config "$dir/gw.yaml" --direction $d --duration "$SECONDS_EACH" --pps "$PPS" --linger 60 \
		--rx-queues $SRC_RXQ $LG_TXQ -- -l "$LG_CPUS" --no-huge -m 2048 --no-pci --file-prefix rtcg-bench-lg \
		--vdev "net_memif0,$SRC_MEMIF,socket=$dir/$tx.sock,socket-abstract=no" \
		--vdev "net_memif1,$SRC_MEMIF,socket=$dir/$rx.sock,socket-abstract=no" > "$dir/lg.out" 2> "$dir/lg.err" &
	local lg=$!
	if ! row_begin; then
		lg_stop $lg
		cp "$dir/gw.log" "$dir/gw.failed.log"
		row_end
		return 1
	fi
	t0=$(tel "$dir/t0.json")
	best_ns $((SECONDS_EACH + 1)) > "$dir/best" 2>/dev/null &
	local bp=$!
	perf_row "$d-$n" &
	local pp=$!
	for _ in $(seq 1 $(((SECONDS_EACH + 30) * 10))); do
		grep -q offered "$dir/lg.out" 2>/dev/null && break
		kill -0 $lg 2>/dev/null || break
		sleep 0.1
	done
	wait $bp $pp || true
	local ok=0
	row_reading $row "$n" || ok=1
	lg_stop $lg
	gw_survived $row "$n"
	if [ $ok = 0 ]; then
		# "... offered N (X Mpps) relayed N (Y Mpps) loss Z% ..."
		print_row $row "$n" $(sed -nE 's/.*offered [0-9]+ \(([0-9.]+) Mpps\) relayed [0-9]+ \(([0-9.]+) Mpps\) loss ([-0-9.]+)%.*/\1 \2 \3/p' \
			"$dir/lg.out" | grep . || echo 0 0 0) "$crypto"
		# "... misdelivered N corrupt N srtp-checked N"
		sed -nE 's/.*relayed ([0-9]+) .* (misdelivered [0-9]+ corrupt [0-9]+ srtp-checked [0-9]+ not-udp [0-9]+).*/# '"$row $n"': \1 frames back, each checked: \2/p' "$dir/lg.out"
	fi
	row_end
}

echo "gateway: control lcore 0, $W worker(s) on CPUs 1..$W; traffic sources on CPU(s) $SRC_CPUS; $NCPU CPUs$([ $RSS_SORT = 1 ] && echo '; flows sorted onto queues by the gateway'"'"'s RSS hash (-R)')"
printf '\n%-9s %-8s %12s %12s %8s %14s %10s %10s %10s %7s %6s %7s %6s\n' direction sessions offered_Mpps relayed_Mpps loss_% busy_ns/pkt x_crypto x_floor best_ns x_best busy_% moved_% burst
for n in $SESSIONS; do
	write_cfg "$n"
	[ $ZC = 1 ] || start_gw
	# what testpmd replays: plain RTP, one frame per session
	# (with W > 1 one file a queue, rtp.q.pcap, sessions dealt as rtcgate-loadgen deals them)
	$LG --config "$dir/gw.yaml" --direction encrypt --write-pcap "$dir/rtp.pcap" $LG_TXQ >/dev/null
	# DPDK 22.11's memif server now and then fails to map a zero-copy
	# client's memory ("mmap failed: No such device") and the link stays
	# down: the row starts again, traffic source and all, up to three times.
	for row in enc-pmd encrypt decrypt $([ $MIXED = 1 ] && echo both); do
		# The gateway's SRTP contexts hold the sequence numbers the rows
		# before sent: the mixed row, each direction's second, gets a fresh one.
		if [ $row = both ] && [ -n "$gw_pid" ]; then stop_gw; start_gw; fi
		for try in 1 2 3; do
			if [ $row = enc-pmd ]; then pmd_row "$n" && break; else lg_row "$n" $row && break; fi
			echo "# $row $n: the gateway's memif links did not come up (try $try of 3)"
		done
	done
	if [ -n "$gw_pid" ]; then stop_gw; fi
done
echo
echo "x_crypto: busy ns per packet / bench-srtp's protect (encrypt) or unprotect (decrypt) ns; x_floor: / raw intel-ipsec-mb floor."
echo "best_ns: the lowest busy ns per packet over 0.25-s windows of the row (0: no window above 0.4 Mpps); x_best: best_ns / protect or unprotect ns."
echo "busy_ns/pkt: the workers' busy time, all of them together, over the packets they received; busy_%: the workers' busy share of their polling time in the windows with traffic; moved_%: packets software RSS handed to another worker; burst: packets a busy poll round (all its rx queues and rings together)."
echo "Frames: 214 bytes in (encrypt: 160-byte RTP payload; decrypt: 150-byte payload + 10-byte tag)."
