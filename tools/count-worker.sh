#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tools/count-worker.sh [-n SESSIONS] [-d encrypt|decrypt] [-p PACKETS] [-B BUILDDIR] [-- BENCH-WORKER-ARGS]
#
# The worker's instructions a packet, counted by valgrind's callgrind: the
# same path as build/tools/bench-worker times (dp_worker_rx on net_null
# ports, frames in cache), but counted, not timed, so the figure is the
# same in every run and on any instance of a noisy VM. It prints the
# worker's instructions a packet, the SRTP burst calls' share (the crypto:
# lib/srtp and intel-ipsec-mb), what is left (the relay), and the relay by
# source file. Use it to compare two builds of the hot path (-B), next to
# bench-worker's timings, not instead of them: an instruction is not a
# cycle, and memory stalls do not show here. Arguments after -- go to
# bench-worker as they are (--bans addresses, --order random, ...).
#
# Under valgrind the CPU has no AVX-512: intel-ipsec-mb runs its AVX2 code
# and the UDP payload sum its scalar loop (dp_sum), both more instructions
# than on this VM's own AVX-512 path. valgrind 3.19 cannot read clang's
# DWARF 5, so the tool builds its own tree (default build-count/, clang,
# -gdwarf-4). Needs valgrind (Debian package valgrind) and python3. Not part
# of meson test; it writes nothing outside BUILDDIR and a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
N=1 D=encrypt P=100000 B=build-count
usage() { sed -n 3p "$0" | sed 's/^# //' >&2; exit 2; }
while getopts n:d:p:B:h o; do
	case $o in
	n) N=$OPTARG ;; d) D=$OPTARG ;; p) P=$OPTARG ;; B) B=$OPTARG ;; *) usage ;;
	esac
done
shift $((OPTIND - 1))
case $D in encrypt | decrypt) ;; *) usage ;; esac
for t in valgrind callgrind_annotate python3; do
	command -v $t > /dev/null || { echo "count-worker: needs $t (apt-get install valgrind python3)" >&2; exit 2; }
done
if [ ! -f "$B/build.ninja" ]; then
	CC=clang meson setup "$B" -Dc_args=-gdwarf-4 > /dev/null
fi
ninja -C "$B" tools/bench-worker > /dev/null
out=$(mktemp -d /tmp/count-worker-XXXX)
trap 'rm -rf "$out"' EXIT
# Only what runs inside dp_worker_rx is counted: not the set-up, not the
# frames' writing, not bench-worker's own crypto baseline.
valgrind --tool=callgrind --toggle-collect=dp_worker_rx --callgrind-out-file="$out/cg" \
	"$B/tools/bench-worker" --sessions "$N" --direction "$D" --packets "$P" "$@" > "$out/log" 2>&1 ||
	{ tail -20 "$out/log" >&2; echo "count-worker: bench-worker failed under valgrind" >&2; exit 1; }
# bench-worker rounds the packets up to whole bursts.
sent=$(sed -n 's/.*), \([0-9]*\) packets, relayed.*/\1/p' "$out/log")
relayed=$(sed -n 's/.*packets, relayed \([0-9]*\),.*/\1/p' "$out/log")
if [ -z "$sent" ] || [ "$relayed" != "$sent" ]; then
	grep '^bench-worker' "$out/log" >&2
	echo "count-worker: ${relayed:-?} of ${sent:-?} packets relayed" >&2
	exit 1
fi
callgrind_annotate --inclusive=yes "$out/cg" > "$out/incl" 2> /dev/null
callgrind_annotate --inclusive=no "$out/cg" > "$out/self" 2> /dev/null
python3 - "$out/incl" "$out/self" "$sent" "$N" "$D" << 'EOF'
import re, sys
incl, self_, pkts, n, d = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
row = re.compile(r'^\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S+?):(\S+)(?: \[(.*)\])?\s*$')

def rows(path):
    for line in open(path):
        m = row.match(line)
        if m:
            yield int(m.group(1).replace(',', '')), m.group(2), m.group(3), m.group(4) or ''

total = next(int(l.split()[0].replace(',', '')) for l in open(incl) if 'PROGRAM TOTALS' in l)
burst = re.compile(r'rtcg_srtc?p_(un)?protect_burst$')
crypto = 0
for ir, f, fn, obj in rows(incl):
    if burst.match(fn) and obj:  # the function's own row, not a call site's
        crypto += ir
files = {}
for ir, f, fn, obj in rows(self_):
    if 'libIPSec_MB' in obj or '/lib/srtp/' in f:
        continue
    name = re.sub(r'^.*?/(dataplane|lib|tools|app)/', r'\1/', f)
    if name.startswith('/usr/include/') or name.startswith('./'):
        name = name.rsplit('/', 1)[-1]  # DPDK's inline headers, glibc
    if name == '???':
        name = re.sub(r'\.so[.\d]*$', '', obj.rsplit('/', 1)[-1])
    files[name] = files.get(name, 0) + ir
relay = total - crypto
print(f'count-worker {d} sessions {n}: {pkts} packets through dp_worker_rx, counted by callgrind '
      '(intel-ipsec-mb on AVX2 and the payload sum scalar: valgrind offers no AVX-512)')
print(f'  worker {total / pkts:8.1f} instructions a packet')
print(f'  crypto {crypto / pkts:8.1f} (the SRTP burst calls: lib/srtp and intel-ipsec-mb)')
print(f'  relay  {relay / pkts:8.1f} (the rest); worker / crypto {total / crypto:.2f}')
print('  the relay by file: ' + ', '.join(f'{k} {v / pkts:.1f}' for k, v in
      sorted(files.items(), key=lambda kv: -kv[1]) if v / pkts >= 0.5))
EOF
