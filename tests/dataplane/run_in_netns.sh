#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# run_in_netns.sh PROGRAM [ARGS...]: run a test in a network namespace of its
# own, so the TAP interfaces and addresses the dataplane creates never touch
# the host's; the namespace is removed afterwards.
set -u
ns=rtcg-t$$
ip netns add "$ns" || exit 1
trap 'ip netns del "$ns" 2>/dev/null' EXIT
ip -n "$ns" link set lo up
ip netns exec "$ns" "$@"
