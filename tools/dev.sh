#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# tools/dev.sh - install what is missing (Debian 12, as root), build, and
#   run   the gateway on configs/default.yaml, or
#   test  every test suite, printing each suite's time.
# Build folders: build/ (the product, clang, -Werror) and build-asan/
# (ASan+UBSan and libFuzzer instrumentation: unit, fuzz, dataplane and
# integration run there too).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_PACKAGES="meson ninja-build pkg-config clang llvm libclang-rt-14-dev
	libdpdk-dev libipsec-mb-dev libssl-dev openssl libsrtp2-dev libsofia-sip-ua-dev
	libyaml-dev libevent-dev libjansson-dev libpcap-dev zlib1g-dev"
RUN_PACKAGES="curl iproute2 nftables ethtool python3 procps dpdk-dev iputils-ping arping jq chromium coturn
	kamailio kamailio-tls-modules sip-tester tshark nodejs mmdebstrap
	qemu-system-x86 extlinux syslinux-common fdisk e2fsprogs openssh-client"

install_missing() {
	local missing=()
	for p in $BUILD_PACKAGES $RUN_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "installing: ${missing[*]}"
		apt-get update -q
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
	fi
}

# playwright-core (npm) drives Chromium in the softphone test, which needs
# clicks and screenshots; pinned, installed once into node_modules/.
PLAYWRIGHT=playwright-core@1.65.1
install_npm() {
	command -v npm >/dev/null || {
		apt-get update -q
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm
	}
	[ -f node_modules/playwright-core/package.json ] ||
		npm install --no-save --no-package-lock --no-audit --no-fund "$PLAYWRIGHT"
}

build() {
	[ -f build/build.ninja ] || CC=clang meson setup build
	ninja -C build
}

build_asan() {
	[ -f build-asan/build.ninja ] || CC=clang meson setup build-asan \
		-Db_sanitize=address,undefined -Db_lundef=false -Dfuzzing=true \
		-Dfuzz_seconds="${RTCG_FUZZ_SECONDS:-20}"
	ninja -C build-asan
}

# run_suite DIR SUITE: one meson suite, timed; returns its status.
run_suite() {
	local dir=$1 suite=$2 start end status
	if [ "$(meson test -C "$dir" --no-rebuild --list --suite "$suite" 2>/dev/null | grep -c " / ")" = 0 ]; then
		echo "== suite $suite ($dir): no tests"
		return 0
	fi
	echo "== suite $suite ($dir)"
	start=$(date +%s)
	set +e
	meson test -C "$dir" --no-rebuild --suite "$suite" --print-errorlogs
	status=$?
	set -e
	end=$(date +%s)
	echo "== suite $suite ($dir): $([ $status = 0 ] && echo passed || echo FAILED) in $((end - start)) s"
	SUITE_TIMES+=("$suite ($dir): $((end - start)) s, $([ $status = 0 ] && echo passed || echo FAILED)")
	return $status
}

cmd=${1:-}
case "$cmd" in
run)
	install_missing
	build
	exec build/app/rtcgate -c configs/default.yaml
	;;
test)
	install_missing
	install_npm
	t0=$(date +%s)
	build
	build_asan
	echo "== builds took $(( $(date +%s) - t0 )) s"
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	SUITE_TIMES=()
	failed=0
	run_suite build unit || failed=1
	run_suite build-asan unit || failed=1
	run_suite build-asan fuzz || failed=1
	run_suite build dataplane || failed=1
	run_suite build-asan dataplane || failed=1
	run_suite build integration || failed=1
	# Every gateway there must stop with status 0: no sanitizer report, no
	# leak at exit but the sofia-sip ones tests/lsan.supp names (docs/sip.md).
	LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0 \
		run_suite build-asan integration || failed=1
	run_suite build appliance || failed=1
	echo "== suite times"
	printf '   %s\n' "${SUITE_TIMES[@]}"
	echo "== total $(( $(date +%s) - t0 )) s"
	passed=$(printf '%s\n' "${SUITE_TIMES[@]}" | grep -c 'passed$' || true)
	echo "suites: $passed passed, $(( ${#SUITE_TIMES[@]} - passed )) failed"
	exit $failed
	;;
*)
	echo "usage: tools/dev.sh run|test" >&2
	exit 2
	;;
esac
