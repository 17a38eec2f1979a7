#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The gateway starts on default.yaml-like virtual ports (net_tap, no
# hugepages), answers /healthz over HTTPS, and stops cleanly on SIGTERM and
# SIGINT within 2 s; fatal start-up errors print one clear line and exit 1.
set -u
. "$(dirname "$0")/../lib.sh"
RTCGATE=$1
dir=$(mktemp -d /tmp/rtcg-dp-XXXXXX)
tag=$$
on_exit "rm -rf $dir /var/run/dpdk/rtcg-test-$tag"
api=$(free_port); admin=$(free_port)

write_config() { # write_config FILE [https line]
	default_https="https: {listen: [\"127.0.0.1:$api\"]}"
	https_line=${2:-$default_https}
	cat > "$1" <<YAML
eal: {no_huge: true, memory_mb: 256, no_pci: true, file_prefix: rtcg-test-$tag}
lcores: {control: 0, workers: [1], idle_sleep_us: 100}
ports:
  - {name: pub, device: "net_tap0,iface=rtp$tag", role: public, addresses: [198.18.0.1/24], rx_descriptors: 512}
  - {name: int, device: "net_tap1,iface=rti$tag", role: internal, addresses: [198.19.0.1/24], rx_descriptors: 512}
dataplane: {mbufs: 4095}
$https_line
admin: {listen: ["127.0.0.1:$admin"]}
YAML
}

run_once() { # run_once SIGNAL
	"$RTCGATE" -c "$dir/gw.yaml" > "$dir/out.log" 2>&1 &
	pid=$!; T_PIDS="$T_PIDS $pid"
	check "healthz answers 200 over HTTPS ($1 run)" wait_http "https://127.0.0.1:$api/healthz" 20
	body=$(curl -sk "https://127.0.0.1:$api/healthz")
	check "healthz reports both ports" grep -q '"name":"pub".*"name":"int"' <<<"$body"
	check "admin listener answers on loopback" wait_http "https://127.0.0.1:$admin/healthz" 2
	check "unknown route is a JSON 404" \
		test "$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$api/nope")" = 404
	check "TAP interface of the public port exists" ip link show "rtp$tag" >/dev/null
	check "plain HTTP to the HTTPS port gets no HTTP answer" \
		test "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$api/healthz")" = 000
	start=$(date +%s%N)
	kill -"$1" "$pid"
	if wait_exit "$pid" 2; then
		ms=$(( ($(date +%s%N) - start) / 1000000 ))
		check "$1 exits 0 (status $T_STATUS, ${ms} ms)" test "$T_STATUS" = 0
	else
		fail "$1 did not stop within 2 s"; kill -KILL "$pid"
	fi
	check "TAP interface removed after stop" bash -c "! ip link show rtp$tag 2>/dev/null"
}

write_config "$dir/gw.yaml"
run_once TERM
check "self-signed certificate generated beside the config, mode 0600" \
	test "$(stat -c %a "$dir/rtcgate-cert.pem") $(stat -c %a "$dir/rtcgate-key.pem")" = "600 600"
fp1=$(openssl x509 -in "$dir/rtcgate-cert.pem" -noout -fingerprint -sha256)
run_once INT
check "certificate is kept across restarts" \
	test "$fp1" = "$(openssl x509 -in "$dir/rtcgate-cert.pem" -noout -fingerprint -sha256)"

fatal_case() { # fatal_case NAME EXPECTED-TEXT
	"$RTCGATE" -c "$dir/bad.yaml" > "$dir/bad.log" 2>&1
	st=$?
	line=$(grep -c '^rtcgate: fatal: ' "$dir/bad.log")
	check "$1: exits non-zero" test "$st" -ne 0
	if [ "$line" = 1 ] && grep -q -- "$2" "$dir/bad.log"; then
		pass "$1: one fatal line naming the cause"
	else
		fail "$1: one fatal line naming the cause"
	fi
	grep -q "$2" "$dir/bad.log" || cat "$dir/bad.log"
}

# Address in use: something else already listens on the API port.
python3 -c 'import socket,time,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(30)' "$api" &
blocker=$!; T_PIDS="$T_PIDS $blocker"
sleep 0.3
write_config "$dir/bad.yaml"
fatal_case "address in use" "https.listen\[0\]: cannot listen on 127.0.0.1:$api: Address already in use"
kill "$blocker"; wait "$blocker" 2>/dev/null

# Bad TLS file.
echo "not a certificate" > "$dir/bad-cert.pem"; cp "$dir/bad-cert.pem" "$dir/bad-key.pem"
write_config "$dir/bad.yaml" "https: {listen: [\"127.0.0.1:$api\"], cert: bad-cert.pem, key: bad-key.pem, generate_self_signed: false}"
fatal_case "bad TLS file" "bad certificate file .*bad-cert.pem"

# A port whose device is not there.
sed "s/device: \"net_tap1,iface=rti$tag\"/device: \"0000:ff:1f.7\"/; s/no_pci: true/no_pci: false/" "$dir/gw.yaml" > "$dir/bad.yaml"
fatal_case "missing port" "ports\[1\] (int): device '0000:ff:1f.7' was not found"

# A config error: rtcgate exits 1 before touching EAL.
printf 'ports: []\nprots: 1\n' > "$dir/bad.yaml"
"$RTCGATE" -c "$dir/bad.yaml" > "$dir/bad.log" 2>&1
check "config error exits 1" test $? = 1
check "config error names file:line:col and key" grep -q "bad.yaml:2:1: prots: unknown key 'prots'" "$dir/bad.log"

finish
