# SPDX-License-Identifier: BSD-3-Clause
# sip_bed.sh - the SIP tests' bed, sourced after tests/lib.sh with RTCGATE
# set: the gateway in a namespace of its own on net_tap ports, the public
# port's wire side in a "browser" namespace (198.18.0.2), the internal
# port's in a "sip" namespace holding Kamailio (198.19.0.2: registrar and
# proxy for rtcgate.test with digest authentication, alice/alice-secret)
# and room for sipp phones (198.19.0.3). Kamailio listens on UDP and TCP
# 5060 and TLS 5061 (a certificate from the test's CA, $dir/ca.pem).
#   bed_init TAG       namespaces ($gw $br $sp, runners $G $B $S), $dir,
#                      the Kamailio config; every process in them dies
#                      with the test
#   bed_gateway [YAML [ARGS]]  write gw.yaml (the base plus YAML lines), start
#                      the gateway ($pid, ARGS such as --set K=V), move the
#                      wire sides, wait for /healthz
#   bed_restart [--set K=V]...  stop it and start it again with overrides
#   bed_kamailio       start Kamailio, wait until it listens
#   tel CMD, metric NAME, wait_up
# Under ASan (CI's integration run on build-asan, tools/dev.sh) the gateway
# records full stacks of its allocations, so that tests/lsan.supp can name
# the sofia-sip functions that leak (docs/sip.md, "Known issues"): the
# default fast unwinder stops at the first library built without frame
# pointers. Only the SIP bed's gateways run so: it makes one about three
# times slower, too slow for the timed checks of test api.
if [ -n "${ASAN_OPTIONS:-}" ]; then
	export ASAN_OPTIONS=$ASAN_OPTIONS:fast_unwind_on_malloc=0
fi
bed_init() {
	local tag=$1
	dir=$(mktemp -d "/tmp/rtcg-$tag-XXXXXX")
	gw=rtcg-${tag}g$$; br=rtcg-${tag}b$$; sp=rtcg-${tag}s$$
	prefix=rtcg-$tag-$$
	pubif=${tag}p$$; intif=${tag}i$$
	on_exit "${KEEP:+: }rm -rf $dir"
	netns_pair "$gw" "$br" || exit 1
	no_ipv6 "$gw" "$br" || exit 1
	ip netns add "$sp" || exit 1
	on_exit "ip netns del $sp"
	ip -n "$sp" link set lo up
	# Kamailio's children, sipp and Chromium's helpers die with the test,
	# not only the processes it started (on_exit runs the latest first).
	on_exit "for n in $sp $br $gw; do ip netns pids \$n 2>/dev/null | xargs -r kill -KILL; done"
	G="ip netns exec $gw"
	B="ip netns exec $br"
	S="ip netns exec $sp"
	for t in kamailio sipp tshark chromium; do
		command -v "$t" >/dev/null || { echo "FAIL $t is not installed"; exit 1; }
	done
	# Kamailio: registrar and proxy for rtcgate.test. alice's password is
	# alice-secret; REGISTERs and the gateway's INVITEs must authenticate;
	# INVITEs from the gateway go to the sipp UAS, others to a registered user.
	# A CA, and Kamailio's certificate from it, for SIP over TLS.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=rtcgate-test-ca \
		-keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=198.19.0.2 \
		-keyout "$dir/kam.key" -out "$dir/kam.csr" 2>/dev/null
	openssl x509 -req -in "$dir/kam.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
		-extfile <(printf 'subjectAltName=IP:198.19.0.2') -out "$dir/kam.pem" 2>/dev/null
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=another-ca \
		-keyout "$dir/otherca.key" -out "$dir/otherca.pem" 2>/dev/null
	cat > "$dir/kamailio-tls.cfg" <<-TLS
	[server:default]
	method = TLSv1.2+
	verify_certificate = no
	require_certificate = no
	private_key = $dir/kam.key
	certificate = $dir/kam.pem
	[client:default]
	method = TLSv1.2+
	verify_certificate = no
	require_certificate = no
	TLS
	cat > "$dir/kamailio.cfg" <<-'KAM'
	#!KAMAILIO
	debug=2
	log_stderror=yes
	fork=yes
	children=2
	listen=udp:198.19.0.2:5060
	listen=tcp:198.19.0.2:5060
	enable_tls=yes
	listen=tls:198.19.0.2:5061
	auto_aliases=no
	alias="rtcgate.test"
	loadpath "/usr/lib/x86_64-linux-gnu/kamailio/modules/"
	loadmodule "tm.so"
	loadmodule "sl.so"
	loadmodule "rr.so"
	loadmodule "pv.so"
	loadmodule "maxfwd.so"
	loadmodule "textops.so"
	loadmodule "siputils.so"
	loadmodule "usrloc.so"
	loadmodule "registrar.so"
	loadmodule "auth.so"
	loadmodule "xlog.so"
	loadmodule "kex.so"
	loadmodule "tls.so"
	modparam("tls", "config", "@DIR@/kamailio-tls.cfg")
	modparam("usrloc", "db_mode", 0)
	request_route {
		xlog("L_INFO", "$rm $ru from $si over $pr\n");
		if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
		if (has_totag()) {
			if (loose_route()) { t_relay(); exit; }
			if (is_method("ACK")) { if (t_check_trans()) t_relay(); exit; }
			sl_send_reply("404", "Not here"); exit;
		}
		if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
		t_check_trans();
		$var(pw) = "";
		if ($fU == "alice") $var(pw) = "alice-secret";
		if (is_method("REGISTER")) {
			if (!pv_auth_check("$fd", "$var(pw)", "0", "1")) { auth_challenge("$fd", "0"); exit; }
			consume_credentials();
			save("location");
			exit;
		}
		record_route();
		if ($si == "198.19.0.1" && is_method("INVITE")) {
			if (!pv_auth_check("$fd", "$var(pw)", "0", "1")) { auth_challenge("$fd", "0"); exit; }
			consume_credentials();
			$du = "sip:198.19.0.3:5080";
			t_relay();
			exit;
		}
		if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
		t_relay();
	}
	KAM
	sed -i "s|@DIR@|$dir|" "$dir/kamailio.cfg"
}

bed_gateway() {
	cat > "$dir/gw.yaml" <<YAML
eal: {no_huge: true, memory_mb: 512, no_pci: true, file_prefix: $prefix}
lcores: {control: 0, workers: [1], idle_sleep_us: 100}
ports:
  - {name: pub, device: "net_tap0,iface=$pubif", role: public, addresses: [198.18.0.1/24], rx_descriptors: 512}
  - {name: int, device: "net_tap1,iface=$intif", role: internal, addresses: [198.19.0.1/24], rx_descriptors: 512}
dataplane: {mbufs: 8191, max_sessions: 64}
https: {listen: ["198.18.0.1:8443"]}
admin: {listen: ["127.0.0.1:8444"]}
auth: {mode: sip}
ban: {state_file: $dir/bans.state, max_failures: 2}
sip: {server: "198.19.0.2:5060", domain: rtcgate.test, register_expires_seconds: 60, transaction_timeout_ms: 3000}
webrtc: {echo: false}
log: {level: debug}
${1:-}
YAML
	shift || true
	bed_start "$@"
}

# bed_start [ARGS]: the gateway on gw.yaml (log appended to gw.log), its
# wire sides moved, up when /healthz answers.
bed_start() {
	local from=$(( $(cat "$dir/gw.log" 2>/dev/null | wc -l) + 1 ))
	up() { tail -n "+$from" "$dir/gw.log" | grep -q running; }
	$G "$RTCGATE" -c "$dir/gw.yaml" "$@" >> "$dir/gw.log" 2>&1 &
	pid=$!; T_PIDS="$T_PIDS $pid"
	for _ in $(seq 1 100); do
		ip -n "$gw" link show "$pubif" >/dev/null 2>&1 && ip -n "$gw" link show "$intif" >/dev/null 2>&1 &&
			up && break
		sleep 0.1
	done
	up || { echo "FAIL the gateway did not come up:"; tail -5 "$dir/gw.log"; exit 1; }
	ip -n "$gw" link set "$pubif" netns "$br"
	ip -n "$br" addr add 198.18.0.2/24 dev "$pubif"
	ip -n "$br" link set "$pubif" up
	ip -n "$gw" link set "$intif" netns "$sp"
	ip -n "$sp" addr add 198.19.0.2/24 dev "$intif"
	ip -n "$sp" addr add 198.19.0.3/24 dev "$intif"
	ip -n "$sp" link set "$intif" up
	check "the gateway answers on its public address" wait_up
}

bed_restart() {
	stop_checked "$pid" 10 "the gateway (before the restart)" "$dir/gw.log"
	# The wire sides go with the old TAPs; new ones of the same names come.
	for _ in $(seq 1 100); do
		ip -n "$br" link show "$pubif" >/dev/null 2>&1 || ip -n "$sp" link show "$intif" >/dev/null 2>&1 || break
		sleep 0.1
	done
	echo "-- restart $*" >> "$dir/gw.log"
	bed_start "$@"
}

bed_kamailio() {
	$S kamailio -f "$dir/kamailio.cfg" -P "$dir/kamailio.pid" -DD -E > "$dir/kamailio.log" 2>&1 &
	T_PIDS="$T_PIDS $!"
	for _ in $(seq 1 50); do grep -q "Listening on" "$dir/kamailio.log" 2>/dev/null && return 0; sleep 0.2; done
	echo "FAIL Kamailio did not start:"; tail -5 "$dir/kamailio.log"; exit 1
}

tel() { $G dpdk-telemetry.py -f "$prefix" <<<"$1" 2>/dev/null; }
metric() { $G curl -sk --max-time 3 https://127.0.0.1:8444/metrics | awk -v m="$1" '$1 == m {print $2}'; }
wait_up() { for _ in $(seq 1 50); do $B curl -sk -o /dev/null --max-time 1 https://198.18.0.1:8443/healthz && return 0; sleep 0.2; done; return 1; }
