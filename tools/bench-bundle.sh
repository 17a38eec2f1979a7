#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tools/bench-bundle.sh DIR - copy what tools/bench-dataplane.sh runs (the
# gateway, rtcgate-loadgen, bench-srtp, dpdk-testpmd, ip, dpdk-telemetry.py)
# and every shared library they load, DPDK's needed PMDs and the dynamic
# loader included, into DIR, for a load-test machine of the same
# architecture that has no DPDK installed (docs/benchmarks.md, "Scaling
# over workers"). Each program runs through the carried loader, so the
# target's own C library does not matter. On the target, as root:
#   . DIR/env.sh && tools/bench-dataplane.sh ...
# (env.sh links the PMDs into DPDK's plugin directory and sets PATH, GW,
# LG and BS). DIR must not lie under a world-writable directory such as
# /tmp: EAL refuses plugins there. Not part of meson test; needs a build in build/.
set -euo pipefail
[ $# = 1 ] || { sed -n 3,15p "$0"; exit 2; }
cd "$(dirname "$0")/.."
B=$(mkdir -p "$1" && cd "$1" && pwd)
PMDDIR=/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0
PMDS="librte_mempool_ring librte_bus_vdev librte_net_memif librte_net_pcap librte_net_null librte_net_ring librte_net_tap"
PROGS="build/app/rtcgate build/tools/rtcgate-loadgen build/tools/bench-srtp $(command -v dpdk-testpmd) $(command -v ip)"
rm -rf "$B/bin" "$B/lib" "$B/wbin"
mkdir -p "$B/bin" "$B/lib" "$B/wbin"
for p in $PROGS; do cp -L "$p" "$B/bin/"; done
for m in $PMDS; do cp -L "$PMDDIR/$m.so.23" "$B/lib/"; done
{ for p in $PROGS; do ldd "$p"; done; for m in $PMDS; do ldd "$PMDDIR/$m.so.23"; done; } |
	awk '/=>/ && $3 ~ /^\// && !seen[$1]++ { print $3 }' | xargs -r cp -L -n -t "$B/lib/"
cp -L /lib64/ld-linux-x86-64.so.2 "$B/lib/"
cp "$(command -v dpdk-telemetry.py)" "$B/bin/"
for p in $PROGS; do
	n=$(basename "$p")
	printf '#!/bin/sh\nB=$(dirname "$(readlink -f "$0")")/..\nexec "$B/lib/ld-linux-x86-64.so.2" --library-path "$B/lib" "$B/bin/%s" "$@"\n' "$n" > "$B/wbin/$n"
done
printf '#!/bin/sh\nexec python3 "$(dirname "$(readlink -f "$0")")/../bin/dpdk-telemetry.py" "$@"\n' > "$B/wbin/dpdk-telemetry.py"
chmod +x "$B"/wbin/*
# EAL loads every PMD in its plugin directory: link ours there by absolute
# path (the same files the libraries resolve to, so none loads twice).
cat > "$B/env.sh" <<ENV
B=\$(cd "\$(dirname "\${BASH_SOURCE[0]}")" && pwd)
mkdir -p $PMDDIR
for m in $PMDS; do ln -sf "\$B/lib/\$m.so.23" "$PMDDIR/\$m.so"; done
export PATH="\$B/wbin:\$PATH" GW="\$B/wbin/rtcgate" LG="\$B/wbin/rtcgate-loadgen" BS="\$B/wbin/bench-srtp"
ENV
du -sh "$B"
