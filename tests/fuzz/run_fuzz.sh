#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# run_fuzz.sh HARNESS SEED_DIR WORK_DIR SECONDS: run a libFuzzer harness from
# its seed corpus; new inputs and crash artifacts go to WORK_DIR, never the
# source tree. Exits non-zero on any crash, leak or timeout.
set -u
exe=$1 seed=$2 work=$3 secs=$4
mkdir -p "$work/corpus" "$work/artifacts"
"$exe" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" "$work/corpus" "$seed" > "$work/log" 2>&1
status=$?
tail -n 30 "$work/log"
if [ "$status" -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $status
