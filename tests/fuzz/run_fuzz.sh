#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# run_fuzz.sh HARNESS SEED_DIR WORK_DIR SECONDS [noleaks]: run a libFuzzer
# harness from its seed corpus; new inputs and crash artifacts go to
# WORK_DIR, never the source tree. Exits 1 on any crash, leak or timeout
# (libFuzzer's own error status is 77, which meson would count as a skip).
# noleaks: LeakSanitizer off for a harness whose state lives in DPDK memory,
# which LeakSanitizer does not scan (the harness checks its mbufs itself).
set -u
exe=$1 seed=$2 work=$3 secs=$4
if [ "${5:-}" = noleaks ]; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	export ASAN_OPTIONS
fi
mkdir -p "$work/corpus" "$work/artifacts"
"$exe" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" "$work/corpus" "$seed" > "$work/log" 2>&1
status=$?
tail -n 30 "$work/log"
if [ "$status" -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed (status $status)"; fi
[ "$status" -eq 0 ] || exit 1
