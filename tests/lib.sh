# SPDX-License-Identifier: BSD-3-Clause
# tests/lib.sh - helpers shared by the shell tests: checks with a closing
# "N passed, N failed" line, free loopback ports, gateway start and stop.
# Tests use only loopback and 198.18.0.0/15 inside namespaces they create.

T_PASSED=0
T_FAILED=0
T_PIDS=""
T_CLEANUPS=""

pass() { T_PASSED=$((T_PASSED + 1)); echo "ok   $*"; }
fail() { T_FAILED=$((T_FAILED + 1)); echo "FAIL $*"; }
check() { # check "description" command...
	desc=$1; shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}

on_exit() { T_CLEANUPS="$* ; $T_CLEANUPS"; }
t_cleanup() {
	for p in $T_PIDS; do kill -KILL "$p" 2>/dev/null || true; done
	eval "$T_CLEANUPS" 2>/dev/null || true
}
trap t_cleanup EXIT

# A temporary directory of the test's own for everything it starts: what
# they leave there (a killed headless Chromium, its singleton-socket
# directory) goes with the test.
TMPDIR=$(mktemp -d /tmp/rtcg-tmp-XXXXXX) || exit 1
export TMPDIR
on_exit "${KEEP:+: }rm -rf $TMPDIR"

finish() {
	echo "$T_PASSED passed, $T_FAILED failed"
	[ "$T_FAILED" -eq 0 ]
	exit $?
}

# netns_pair GW PEER: two fresh network namespaces with loopback up,
# removed when the test exits. Returns non-zero if they cannot be made.
netns_pair() {
	ip netns add "$1" && ip netns add "$2" || { echo "cannot create namespaces"; return 1; }
	on_exit "ip netns del $1; ip netns del $2"
	ip -n "$1" link set lo up && ip -n "$2" link set lo up
}

# no_ipv6 NS...: no IPv6 on interfaces made or moved into these namespaces
# from now on. Where headless Chromium runs: an IPv6 link-local address
# finishing duplicate address detection is an address change to Chromium,
# which then aborts requests in flight with ERR_NETWORK_CHANGED (seen as a
# failed first fetch now and then).
no_ipv6() {
	for ns in "$@"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
	done
}

# A TCP port free on 127.0.0.1 now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_http URL SECONDS: until URL answers 200 (certificate not checked).
wait_http() {
	i=0
	while [ "$i" -lt $(($2 * 10)) ]; do
		code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 1 "$1" 2>/dev/null || true)
		[ "$code" = 200 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# stop_checked PID SECONDS WHAT [LOG]: SIGTERM, then WHAT must exit with
# status 0 within SECONDS (SIGKILL if not); LOG's tail when it does not.
stop_checked() {
	T_STATUS=
	kill -TERM "$1"
	wait_exit "$1" "$2" || kill -KILL "$1"
	check "$3 stops with status 0 (status ${T_STATUS:-none: killed})" test "${T_STATUS:-1}" = 0
	[ "${T_STATUS:-1}" = 0 ] || [ -z "${4:-}" ] || tail -20 "$4"
}

# wait_exit PID SECONDS: until PID is gone; its status in T_STATUS.
wait_exit() {
	i=0
	while [ "$i" -lt $(($2 * 20)) ]; do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"; T_STATUS=$?
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
