#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# docs/configuration.md must hold exactly what `rtcgate --config-reference` prints
# between its GENERATED markers, so the table and the docs never drift.
set -eu
rtcgate=$1 doc=$2
expected=$(mktemp) actual=$(mktemp)
trap 'rm -f "$expected" "$actual"' EXIT
"$rtcgate" --config-reference > "$expected"
sed -n '/^<!-- BEGIN GENERATED -->$/,/^<!-- END GENERATED -->$/p' "$doc" | sed '1d;$d' > "$actual"
if ! diff -u "$expected" "$actual"; then
	echo "docs/configuration.md is out of date: regenerate its reference with rtcgate --config-reference" >&2
	exit 1
fi
echo "1 passed, 0 failed"
