#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tools/profile-worker.sh [SESSIONS] [encrypt|decrypt]: where the worker's
# time goes. Starts the gateway in benchmark mode on net_memif ports (one
# worker on CPU 1), drives it with rtcgate-loadgen for 8 s, and samples CPU 1
# with `perf record -e cpu-clock -g` for 4 s of it into /tmp/perf.data; then
# `perf report -i /tmp/perf.data --no-children --sort dso` (or symbol).
# Not part of meson test. Needs root, build/ built, perf (linux-perf).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1}; D=${2:-encrypt}
dir=$(mktemp -d /tmp/prof-XXXX); ns=rtcg-prof$$
ip netns add $ns; ip -n $ns link set lo up
cat > $dir/gw.yaml <<YAML
eal: {no_huge: true, memory_mb: 2048, no_pci: true, file_prefix: rtcg-prof}
lcores: {control: 0, workers: [1], idle_sleep_us: 0}
ports:
  - {name: pub, device: "net_memif0,role=server,socket=$dir/pub.sock,socket-abstract=no", role: public, addresses: [198.18.0.1/24]}
  - {name: int, device: "net_memif1,role=server,socket=$dir/int.sock,socket-abstract=no", role: internal, addresses: [198.19.0.1/24, 198.19.0.2/24]}
dataplane: {mbufs: 65535, max_sessions: $(( N < 16 ? 16 : N )), benchmark: {sessions: $N}}
media: {public_ports: {min: 20000, max: 29999}, internal_ports: {min: 2000, max: 61999}}
https: {listen: ["127.0.0.1:18443"]}
admin: {listen: ["127.0.0.1:18444"]}
YAML
ip netns exec $ns build/app/rtcgate -c $dir/gw.yaml > $dir/gw.log 2>&1 &
gw=$!
for i in $(seq 100); do grep -q running $dir/gw.log && break; sleep 0.1; done
if [ $D = decrypt ]; then tx=pub rx=int; else tx=int rx=pub; fi
ip netns exec $ns build/tools/rtcgate-loadgen --config $dir/gw.yaml --direction $D --duration 8 -- \
  -l 0 --no-huge -m 2048 --no-pci --file-prefix rtcg-prof-lg \
  --vdev "net_memif0,role=client,socket=$dir/$tx.sock,socket-abstract=no" \
  --vdev "net_memif1,role=client,socket=$dir/$rx.sock,socket-abstract=no" > $dir/lg.log 2>&1 &
lg=$!
sleep 2
perf record -q -e cpu-clock -C 1 -g -o /tmp/perf.data -- sleep 4 >/dev/null 2>&1
wait $lg; grep direction $dir/lg.log
kill $gw; wait $gw; ip netns del $ns; rm -rf $dir
