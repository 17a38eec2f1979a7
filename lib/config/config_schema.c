/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config_schema.c - every configuration key, declared once: type, range,
 * default and doc string; the checks across keys; the reference writer that
 * produces docs/configuration.md.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "config_priv.h"
#include "cors.h"

#define CFG struct rtcg_config
/* Offset of member m inside section sec of struct rtcg_config. */
#define IN(sec, m) (offsetof(CFG, sec.m) - offsetof(CFG, sec))
#define END { .name = NULL }

static const char *const role_names[] = { "public", "internal", "both", NULL };
static const char *const auth_names[] = { "static", "token", "sip", NULL };
static const char *const transport_names[] = { "udp", "tcp", "tls", NULL };
static const char *const second_call_names[] = { "reject", "allow", NULL };
static const char *const prefetch_names[] = { "auto", "always", "never", NULL };
static const char *const dtmf_names[] = { "rfc4733", "info", NULL };
/* The order of enum rtcg_srtp_profile (lib/srtp), which config does not link. */
static const char *const profile_names[] = {
	"AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AEAD_AES_128_GCM",
	"AEAD_AES_256_GCM", "NULL_HMAC_SHA1_80", NULL
};
static const char *const level_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug", NULL
};

const char *
config_role_name(int role)
{
	return role >= 0 && role < 3 ? role_names[role] : "?";
}

const char *
config_log_level_name(int level)
{
	return level >= 0 && level < 8 ? level_names[level] : "?";
}

static const struct cfg_field string_elem = {
	.name = "", .kind = CFG_STRING, .size = CONFIG_STR, .min = 1,
};
static const struct cfg_field addr_elem = { .name = "", .kind = CFG_ADDR };
static const struct cfg_field endpoint_elem = { .name = "", .kind = CFG_ENDPOINT };
static const struct cfg_field lcore_elem = {
	.name = "", .kind = CFG_UINT, .max = 127,
};

static const struct cfg_field eal_keys[] = {
	{ "no_huge", CFG_BOOL, IN(eal, no_huge), .def = "false",
	  .doc = "Run without hugepages, on ordinary memory (--no-huge): for test beds and virtual ports, not for line rate." },
	{ "memory_mb", CFG_UINT, IN(eal, memory_mb), .max = 1 << 20, .def = "0",
	  .doc = "Memory to reserve at start, in MiB (-m). 0: DPDK's default (the hugepages there are; 64 MiB without them)." },
	{ "no_pci", CFG_BOOL, IN(eal, no_pci), .def = "false",
	  .doc = "Do not scan the PCI bus (--no-pci): every port is then a virtual device." },
	{ "file_prefix", CFG_STRING, IN(eal, file_prefix), .size = 64, .min = 1, .def = "rtcgate",
	  .doc = "Prefix of DPDK's runtime files (--file-prefix); two gateways on one host need different ones." },
	{ "extra_args", CFG_LIST, IN(eal, extra_args), .size = CONFIG_STR,
	  .max = CONFIG_MAX_EAL_ARGS, .sub = &string_elem, .count_offset = IN(eal, n_extra_args),
	  .def = "[]", .doc = "More EAL arguments, passed as written after the ones rtcgate builds." },
	END
};

static const struct cfg_field lcore_keys[] = {
	{ "control", CFG_UINT, IN(lcores, control), .max = 127, .def = "0",
	  .doc = "The control lcore: HTTPS, SIP, DTLS, ICE, bans, session set-up. DPDK's main lcore." },
	{ "workers", CFG_LIST, IN(lcores, workers), .size = sizeof(uint32_t),
	  .max = CONFIG_MAX_WORKERS, .sub = &lcore_elem, .count_offset = IN(lcores, n_workers),
	  .def = "[1]", .doc = "Worker lcores, one poll-mode loop each, pinned; each owns one rx queue of every port." },
	{ "idle_sleep_us", CFG_UINT, IN(lcores, idle_sleep_us), .max = 100000, .def = "0",
	  .doc = "Microseconds a worker sleeps after a poll of every queue found nothing. 0: never (pure busy polling, for appliances); a small value spares a shared test machine's CPU." },
	END
};

static const struct cfg_field port_keys[] = {
	{ "name", CFG_STRING, offsetof(struct config_port, name), .size = 32, .min = 1,
	  .doc = "A short name for logs, telemetry and the exception-path TAP (rtcg-NAME)." },
	{ "device", CFG_STRING, offsetof(struct config_port, device), .size = CONFIG_STR, .min = 1,
	  .doc = "A PCI address (0000:3b:00.0) or a DPDK virtual device string (net_tap0,iface=pub0; net_af_packet0,iface=veth0; net_memif0,...)." },
	{ "role", CFG_ENUM, offsetof(struct config_port, role), .choices = role_names,
	  .doc = "public: browsers and TURN (SRTP); internal: SIP server and phones (RTP); both: one port carries the two." },
	{ "addresses", CFG_LIST, offsetof(struct config_port, addresses),
	  .size = sizeof(struct config_addr), .max = CONFIG_MAX_ADDRESSES, .sub = &addr_elem,
	  .count_offset = offsetof(struct config_port, n_addresses), .def = "[]",
	  .doc = "The port's own IPv4 and IPv6 addresses with prefix length (198.18.0.1/24)." },
	{ "mac", CFG_STRING, offsetof(struct config_port, mac), .size = 24, .def = "\"\"",
	  .doc = "A MAC address to set on the port; empty: keep the device's own." },
	{ "mtu", CFG_UINT, offsetof(struct config_port, mtu), .min = 576, .max = 9600, .def = "1500",
	  .doc = "IP MTU of the port." },
	{ "rx_descriptors", CFG_UINT, offsetof(struct config_port, rx_descriptors), .min = 64,
	  .max = 16384, .def = "1024", .doc = "Descriptors per rx queue." },
	{ "rx_queues", CFG_UINT, offsetof(struct config_port, rx_queues), .max = CONFIG_MAX_WORKERS + 1,
	  .def = "0", .doc = "Receive queues to poll. 0: one per worker where the device has RSS, else one. On a device without RSS (net_memif, net_af_packet with qpairs) more than one lets as many workers receive, each spreading by flow hash; a memif peer must then have as many transmit queues. At most workers + 1." },
	{ "tx_descriptors", CFG_UINT, offsetof(struct config_port, tx_descriptors), .min = 64,
	  .max = 16384, .def = "1024", .doc = "Descriptors per tx queue." },
	{ "exception_path", CFG_BOOL, offsetof(struct config_port, exception_path), .def = "true",
	  .doc = "Give the port a kernel TAP twin (rtcg-NAME) for ARP, ICMP, TCP and SIP. false: such packets are counted and dropped (load-test ports)." },
	END
};
static const struct cfg_field port_elem = { .name = "", .kind = CFG_SECTION, .sub = port_keys };

#define BENCH(m) (offsetof(CFG, dataplane.benchmark.m) - offsetof(CFG, dataplane.benchmark))
static const struct cfg_field benchmark_keys[] = {
	{ "sessions", CFG_UINT, BENCH(sessions), .max = 1000000, .def = "0",
	  .doc = "Pre-install this many synthetic sessions with deterministic keys and addresses (docs/benchmarks.md) so load generators can send valid traffic without signaling. 0: off; never in production." },
	{ "profile", CFG_ENUM, BENCH(profile), .choices = profile_names,
	  .def = "AES_CM_128_HMAC_SHA1_80", .doc = "SRTP profile of the synthetic sessions." },
	{ "public_peer", CFG_ADDR, BENCH(public_peer), .def = "198.18.128.1",
	  .doc = "First browser-side address of the synthetic sessions (one address per 16384 sessions)." },
	{ "internal_peer", CFG_ADDR, BENCH(internal_peer), .def = "198.19.128.1",
	  .doc = "First SIP-side address of the synthetic sessions (one address per 16384 sessions)." },
	{ "public_peer_mac", CFG_STRING, BENCH(public_peer_mac), .size = 24,
	  .def = "\"02:00:00:00:00:01\"", .doc = "Ethernet destination of packets toward the synthetic browsers." },
	{ "internal_peer_mac", CFG_STRING, BENCH(internal_peer_mac), .size = 24,
	  .def = "\"02:00:00:00:00:02\"", .doc = "Ethernet destination of packets toward the synthetic SIP side." },
	END
};

static const struct cfg_field dataplane_keys[] = {
	{ "mbufs", CFG_UINT, IN(dataplane, mbufs), .min = 1023, .max = 4194303, .def = "16383",
	  .doc = "Packet buffers in the pool (2^n - 1 is most efficient)." },
	{ "max_sessions", CFG_UINT, IN(dataplane, max_sessions), .min = 16, .max = 1000000,
	  .def = "4096", .doc = "Concurrent media sessions (calls) the session table holds; each takes about 7 KiB of DPDK memory (docs/architecture.md)." },
	{ "replay_window", CFG_UINT, IN(dataplane, replay_window), .min = 64, .max = 1024,
	  .def = "128", .doc = "SRTP replay window in packets (a multiple of 64)." },
	{ "punt_ring_size", CFG_UINT, IN(dataplane, punt_ring_size), .min = 64, .max = 65536,
	  .def = "4096", .doc = "Packets (STUN, DTLS, latching) that may wait for the control lcore; a power of two. More are dropped and counted." },
	{ "prefetch", CFG_ENUM, IN(dataplane, prefetch), .choices = prefetch_names, .def = "auto",
	  .doc = "Whether workers prefetch session state: auto (when a worker relays more session directions than its L2 cache holds), always or never." },
	{ "benchmark", CFG_SECTION, IN(dataplane, benchmark), .sub = benchmark_keys,
	  .doc = "Benchmark mode, for load tests." },
	END
};

static const struct cfg_field public_range_keys[] = {
	{ "min", CFG_UINT, offsetof(struct config_range, min), .min = 1024, .max = 65535,
	  .def = "20000", .doc = "First UDP port of the public SRTP range." },
	{ "max", CFG_UINT, offsetof(struct config_range, max), .min = 1024, .max = 65535,
	  .def = "29999", .doc = "Last UDP port of the public SRTP range." },
	END
};
static const struct cfg_field internal_range_keys[] = {
	{ "min", CFG_UINT, offsetof(struct config_range, min), .min = 1024, .max = 65535,
	  .def = "30000", .doc = "First UDP port of the internal RTP range." },
	{ "max", CFG_UINT, offsetof(struct config_range, max), .min = 1024, .max = 65535,
	  .def = "39999", .doc = "Last UDP port of the internal RTP range." },
	END
};
static const struct cfg_field media_keys[] = {
	{ "public_ports", CFG_SECTION, IN(media, public_ports), .sub = public_range_keys,
	  .doc = "UDP ports for SRTP with browsers and TURN; open these on the public firewall." },
	{ "internal_ports", CFG_SECTION, IN(media, internal_ports), .sub = internal_range_keys,
	  .doc = "UDP ports for RTP with the SIP side." },
	END
};

static const struct cfg_field https_keys[] = {
	{ "listen", CFG_LIST, IN(https, listen), .size = sizeof(struct config_endpoint),
	  .max = CONFIG_MAX_LISTENERS, .sub = &endpoint_elem, .count_offset = IN(https, n_listen),
	  .def = "[\"127.0.0.1:8443\"]", .doc = "Addresses of the signaling API listener(s)." },
	{ "tls", CFG_BOOL, IN(https, tls), .def = "true",
	  .doc = "HTTPS (TLS 1.2 and 1.3 only). false serves plain HTTP: only behind a TLS-terminating proxy or load balancer." },
	{ "cert", CFG_PATH, IN(https, cert), .size = CONFIG_PATH, .def = "rtcgate-cert.pem",
	  .doc = "Certificate chain (PEM)." },
	{ "key", CFG_PATH, IN(https, key), .size = CONFIG_PATH, .def = "rtcgate-key.pem",
	  .doc = "Private key (PEM), mode 0600." },
	{ "generate_self_signed", CFG_BOOL, IN(https, generate_self_signed), .def = "true",
	  .doc = "If cert and key do not exist, generate a self-signed ECDSA P-256 pair there at start (mode 0600)." },
	END
};

static const struct cfg_field admin_keys[] = {
	{ "listen", CFG_LIST, IN(admin, listen), .size = sizeof(struct config_endpoint),
	  .max = CONFIG_MAX_LISTENERS, .sub = &endpoint_elem, .count_offset = IN(admin, n_listen),
	  .def = "[\"127.0.0.1:8444\"]",
	  .doc = "Admin and metrics listener(s): loopback or an internal port's address only." },
	{ "tls", CFG_BOOL, IN(admin, tls), .def = "true", .doc = "HTTPS on the admin listener, with the https certificate." },
	{ "client_ca", CFG_PATH, IN(admin, client_ca), .size = CONFIG_PATH, .def = "\"\"",
	  .doc = "CA bundle (PEM); when set, admin clients must present a certificate it signed." },
	END
};

static const struct cfg_field http_keys[] = {
	{ "trusted_proxies", CFG_LIST, IN(http, trusted_proxies), .size = sizeof(struct config_addr),
	  .max = CONFIG_MAX_LIST, .sub = &addr_elem, .count_offset = IN(http, n_trusted_proxies),
	  .def = "[]", .doc = "Proxies whose X-Forwarded-For is believed (address/prefix); from anyone else it is ignored." },
	{ "max_body_bytes", CFG_UINT, IN(http, max_body_bytes), .min = 1024, .max = 16 << 20,
	  .def = "65536", .doc = "Largest request body accepted." },
	{ "max_header_bytes", CFG_UINT, IN(http, max_header_bytes), .min = 1024, .max = 65536,
	  .def = "8192", .doc = "Largest request head (request line and headers) accepted." },
	{ "timeout_seconds", CFG_UINT, IN(http, timeout_seconds), .min = 1, .max = 3600,
	  .def = "30", .doc = "Idle and slow-client timeout of a connection." },
	END
};

static const struct cfg_field cors_keys[] = {
	{ "domain_whitelist", CFG_LIST, IN(cors, domain_whitelist), .size = CONFIG_STR,
	  .max = CONFIG_MAX_LIST, .sub = &string_elem, .count_offset = IN(cors, n_domain_whitelist),
	  .def = "[]",
	  .doc = "Origins allowed to call the API (scheme://host[:port], host may start with *.). Empty: every origin is allowed and echoed back; otherwise an Origin matching none is refused." },
	{ "max_age_seconds", CFG_UINT, IN(cors, max_age_seconds), .max = 86400, .def = "600",
	  .doc = "Access-Control-Max-Age of preflight answers." },
	END
};

static const struct cfg_field user_keys[] = {
	{ "name", CFG_STRING, offsetof(struct config_user, name), .size = 64, .min = 1,
	  .doc = "User name." },
	{ "password_hash", CFG_STRING, offsetof(struct config_user, password_hash), .size = 160, .min = 1,
	  .doc = "Salted password hash, as printed by rtcgate --hash-password." },
	END
};
static const struct cfg_field user_elem = { .name = "", .kind = CFG_SECTION, .sub = user_keys };

static const struct cfg_field auth_keys[] = {
	{ "mode", CFG_ENUM, IN(auth, mode), .choices = auth_names, .def = "static",
	  .doc = "static: users below; token: HMAC tokens minted by the web application's backend; sip: register with the SIP server." },
	{ "users", CFG_LIST, IN(auth, users), .size = sizeof(struct config_user),
	  .max = CONFIG_MAX_USERS, .sub = &user_elem, .count_offset = IN(auth, n_users),
	  .def = "[]", .doc = "Users of static mode." },
	{ "token_secret", CFG_STRING, IN(auth, token_secret), .size = CONFIG_STR, .def = "\"\"",
	  .doc = "Shared secret of token mode (at least 16 characters)." },
	{ "session_ttl_seconds", CFG_UINT, IN(auth, session_ttl_seconds), .min = 60,
	  .max = 604800, .def = "3600", .doc = "Lifetime of an API session without activity." },
	END
};

static const struct cfg_field ban_keys[] = {
	{ "enabled", CFG_BOOL, IN(ban, enabled), .def = "true",
	  .doc = "Ban addresses after repeated failed sign-ins (fail2ban-style), in the HTTPS listener and the dataplane." },
	{ "max_failures", CFG_UINT, IN(ban, max_failures), .min = 1, .max = 1000, .def = "3",
	  .doc = "Failures within find_window_seconds that ban an address." },
	{ "find_window_seconds", CFG_UINT, IN(ban, find_window_seconds), .min = 1,
	  .max = 604800, .def = "600", .doc = "Window in which failures are counted." },
	{ "ban_seconds", CFG_UINT, IN(ban, ban_seconds), .min = 1, .max = 31536000,
	  .def = "600", .doc = "How long a ban lasts." },
	{ "ipv6_prefix", CFG_UINT, IN(ban, ipv6_prefix), .min = 32, .max = 128, .def = "128",
	  .doc = "IPv6 clients are counted and banned by their first N bits: 64 bans a client's whole /64 (where a host may take new addresses at will); 128 each address alone." },
	{ "ignore_ip", CFG_LIST, IN(ban, ignore_ip), .size = sizeof(struct config_addr),
	  .max = CONFIG_MAX_LIST, .sub = &addr_elem, .count_offset = IN(ban, n_ignore_ip),
	  .def = "[\"127.0.0.1/8\", \"::1\"]", .doc = "Addresses (or networks) never banned, like fail2ban's ignoreip." },
	{ "blocklist", CFG_LIST, IN(ban, blocklist), .size = sizeof(struct config_addr),
	  .max = CONFIG_MAX_LIST, .sub = &addr_elem, .count_offset = IN(ban, n_blocklist),
	  .def = "[]", .doc = "Addresses and networks banned for as long as the gateway runs, enforced in the dataplane like any ban (a network: every address in it)." },
	{ "state_file", CFG_PATH, IN(ban, state_file), .size = CONFIG_PATH,
	  .def = "rtcgate-bans.state", .doc = "Where bans are kept across restarts." },
	END
};

static const struct cfg_field sip_keys[] = {
	{ "server", CFG_STRING, IN(sip, server), .size = CONFIG_STR, .def = "\"\"",
	  .doc = "SIP server or outbound proxy (host[:port] or a sip: URI). Empty: no SIP side." },
	{ "transport", CFG_ENUM, IN(sip, transport), .choices = transport_names, .def = "udp",
	  .doc = "Transport toward the SIP server." },
	{ "local_port", CFG_UINT, IN(sip, local_port), .min = 1, .max = 65535, .def = "5060",
	  .doc = "Local SIP port on the internal side." },
	{ "domain", CFG_STRING, IN(sip, domain), .size = CONFIG_STR, .def = "\"\"",
	  .doc = "SIP domain of users' addresses of record; empty: the server's host." },
	{ "register_expires_seconds", CFG_UINT, IN(sip, register_expires), .min = 30,
	  .max = 86400, .def = "600",
	  .doc = "Registration lifetime asked for (auth.mode sip); refreshed before it ends." },
	{ "session_expires_seconds", CFG_UINT, IN(sip, session_expires), .min = 0,
	  .max = 86400, .def = "1800",
	  .doc = "RFC 4028 session timer asked for on calls (0: none); refreshed by re-INVITE or UPDATE." },
	{ "ring_timeout_seconds", CFG_UINT, IN(sip, ring_timeout), .min = 5, .max = 600,
	  .def = "60", .doc = "An inbound call the browser did not answer by then gets 480." },
	{ "rtp_timeout_seconds", CFG_UINT, IN(sip, rtp_timeout), .min = 0, .max = 3600,
	  .def = "60", .doc = "A call whose SIP side sent no RTP for this long ends (0: never)." },
	{ "second_call", CFG_ENUM, IN(sip, second_call), .choices = second_call_names,
	  .def = "reject",
	  .doc = "An INVITE for a user already in a call: reject (486 Busy Here) or allow (offer it to the browser)." },
	{ "tls_port", CFG_UINT, IN(sip, tls_port), .min = 1, .max = 65535, .def = "5061",
	  .doc = "Local SIP port for TLS (sip.transport tls), on the internal side." },
	{ "tls_ca", CFG_PATH, IN(sip, tls_ca), .size = CONFIG_PATH, .def = "\"\"",
	  .doc = "CA certificates (PEM) that the SIP server's certificate must chain to (sip.transport tls). The gateway presents https.cert and https.key." },
	{ "transaction_timeout_ms", CFG_UINT, IN(sip, transaction_timeout_ms), .min = 1000,
	  .max = 64000, .def = "32000",
	  .doc = "How long a SIP request waits for a final response before it fails with 408 (RFC 3261's 64*T1)." },
	{ "dtmf", CFG_ENUM, IN(sip, dtmf), .choices = dtmf_names, .def = "rfc4733",
	  .doc = "How POST .../dtmf reaches the SIP side: rfc4733 (telephone-events the gateway sends in the RTP toward the phone, when telephone-event was negotiated; else INFO) or info (SIP INFO, application/dtmf-relay)." },
	{ "retry_max_seconds", CFG_UINT, IN(sip, retry_max), .min = 2, .max = 3600, .def = "60",
	  .doc = "A registration the server stopped accepting is retried with back-off (1 s, doubling) up to this interval." },
	END
};

static const struct cfg_field webrtc_keys[] = {
	{ "echo", CFG_BOOL, IN(webrtc, echo), .def = "true",
	  .doc = "The echo endpoint: a call to \"echo\" gets the caller's own media back after a round trip through both SRTP contexts. Turn it off on appliances." },
	{ "srtp_profiles", CFG_LIST, IN(webrtc, srtp_profiles), .size = CONFIG_STR, .max = 8,
	  .sub = &string_elem, .count_offset = IN(webrtc, n_srtp_profiles),
	  .def = "[AEAD_AES_128_GCM, AEAD_AES_256_GCM, AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32]",
	  .doc = "DTLS-SRTP profiles offered, most preferred first." },
	{ "consent_timeout_seconds", CFG_UINT, IN(webrtc, consent_timeout_seconds), .min = 5,
	  .max = 300, .def = "30",
	  .doc = "A call whose browser sent no valid ICE check for this long ends (RFC 7675 consent freshness)." },
	{ "sdes", CFG_BOOL, IN(webrtc, sdes), .def = "false",
	  .doc = "Answer offers that carry SDES keys (a=crypto, RTP/SAVPF, with ICE) and no DTLS fingerprint, keyed from the SDP. An offer with a fingerprint always gets DTLS-SRTP and its a=crypto lines are ignored." },
	{ "dtls_timeout_seconds", CFG_UINT, IN(webrtc, dtls_timeout_seconds), .min = 2,
	  .max = 120, .def = "20", .doc = "A DTLS handshake not finished by then ends the call." },
	END
};

static const struct cfg_field log_keys[] = {
	{ "level", CFG_ENUM, IN(log, level), .choices = level_names, .def = "info",
	  .doc = "Least severity logged." },
	{ "file", CFG_PATH, IN(log, file), .size = CONFIG_PATH, .def = "\"\"",
	  .doc = "Log file; empty: standard error." },
	END
};

static const struct cfg_field root_keys[] = {
	{ "eal", CFG_SECTION, offsetof(CFG, eal), .sub = eal_keys, .doc = "DPDK environment." },
	{ "lcores", CFG_SECTION, offsetof(CFG, lcores), .sub = lcore_keys, .doc = "Which cores do what." },
	{ "ports", CFG_LIST, offsetof(CFG, ports), .size = sizeof(struct config_port),
	  .max = CONFIG_MAX_PORTS, .sub = &port_elem, .count_offset = offsetof(CFG, n_ports),
	  .doc = "Network ports: at least one public and one internal role (or one port with both)." },
	{ "dataplane", CFG_SECTION, offsetof(CFG, dataplane), .sub = dataplane_keys, .doc = "Packet buffers, the session table, benchmark mode." },
	{ "media", CFG_SECTION, offsetof(CFG, media), .sub = media_keys, .doc = "Media port ranges." },
	{ "https", CFG_SECTION, offsetof(CFG, https), .sub = https_keys, .doc = "The signaling API listener." },
	{ "admin", CFG_SECTION, offsetof(CFG, admin), .sub = admin_keys, .doc = "The admin and metrics listener." },
	{ "http", CFG_SECTION, offsetof(CFG, http), .sub = http_keys, .doc = "Limits shared by every HTTP listener." },
	{ "cors", CFG_SECTION, offsetof(CFG, cors), .sub = cors_keys, .doc = "Cross-origin resource sharing." },
	{ "auth", CFG_SECTION, offsetof(CFG, auth), .sub = auth_keys, .doc = "Who may sign in." },
	{ "ban", CFG_SECTION, offsetof(CFG, ban), .sub = ban_keys, .doc = "fail2ban-style IP blocking." },
	{ "webrtc", CFG_SECTION, offsetof(CFG, webrtc), .sub = webrtc_keys, .doc = "The browser side's media legs." },
	{ "sip", CFG_SECTION, offsetof(CFG, sip), .sub = sip_keys, .doc = "The SIP side." },
	{ "log", CFG_SECTION, offsetof(CFG, log), .sub = log_keys, .doc = "Logging." },
	END
};

const struct cfg_field config_schema_root = {
	.name = "", .kind = CFG_SECTION, .sub = root_keys,
};

/* ---- checks across keys ---- */

static bool
is_pci_address(const char *s)
{
	/* [DOMAIN:]BUS:DEV.FN, hex */
	unsigned colons = 0, dots = 0;

	for (; *s && *s != ','; s++) {
		if (*s == ':')
			colons++;
		else if (*s == '.')
			dots++;
		else if (!isxdigit((unsigned char)*s))
			return false;
	}
	return (colons == 1 || colons == 2) && dots == 1;
}

bool
config_device_is_vdev(const char *device)
{
	return strncmp(device, "net_", 4) == 0 || strncmp(device, "eth_", 4) == 0 ||
	       strncmp(device, "crypto_", 7) == 0;
}

int
config_device_arg(const char *device, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);

	for (const char *p = strchr(device, ','); p != NULL; p = strchr(p + 1, ',')) {
		size_t n;

		if (strncmp(p + 1, key, klen) != 0 || p[1 + klen] != '=')
			continue;
		p += 2 + klen;
		n = strcspn(p, ",");
		if (n == 0 || n >= outlen)
			return -1;
		memcpy(out, p, n);
		out[n] = '\0';
		return 0;
	}
	return -1;
}

int
config_device_pci(const char *device, char *out, size_t outlen)
{
	unsigned dom = 0, bus, dev, fn;
	int used = 0;

	if (config_device_is_vdev(device) || !is_pci_address(device))
		return -1;
	if (sscanf(device, "%x:%x:%x.%x%n", &dom, &bus, &dev, &fn, &used) != 4 &&
	    (dom = 0, sscanf(device, "%x:%x.%x%n", &bus, &dev, &fn, &used) != 3))
		return -1;
	if ((device[used] != '\0' && device[used] != ',') || dom > 0xffff || bus > 0xff ||
	    dev > 0x1f || fn > 7)
		return -1;
	return snprintf(out, outlen, "%04x:%02x:%02x.%x", dom, bus, dev, fn) < (int)outlen ? 0 : -1;
}

static bool
is_mac(const char *s)
{
	for (int i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
			return false;
		s += 2;
		if (i < 5 && *s++ != ':')
			return false;
	}
	return *s == '\0';
}

static bool
endpoint_is_loopback(const struct config_endpoint *ep)
{
	if (ep->ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)&ep->ss;

		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	}
	return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)&ep->ss)->sin6_addr);
}

static bool
endpoint_on_internal_port(const struct rtcg_config *cfg, const struct config_endpoint *ep)
{
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		const struct config_port *port = &cfg->ports[p];

		if (port->role != CONFIG_ROLE_INTERNAL)
			continue;
		for (unsigned a = 0; a < port->n_addresses; a++) {
			const struct config_addr *ad = &port->addresses[a];
			const void *ip = ep->ss.ss_family == AF_INET ?
				(const void *)&((const struct sockaddr_in *)&ep->ss)->sin_addr :
				(const void *)&((const struct sockaddr_in6 *)&ep->ss)->sin6_addr;

			if (ad->family == ep->ss.ss_family &&
			    memcmp(ad->bytes, ip, ad->family == AF_INET ? 4 : 16) == 0)
				return true;
		}
	}
	return false;
}

static void
validate_range(struct cfg_ctx *ctx, const struct config_range *r, const char *path)
{
	if (r->min > r->max)
		cfg_error(ctx, path, "min %u is above max %u", r->min, r->max);
	else if (r->max - r->min + 1 < 2)
		cfg_error(ctx, path, "needs at least 2 ports (RTP and RTCP)");
}

void
config_validate(struct rtcg_config *cfg, struct cfg_ctx *ctx)
{
	char path[96];
	bool have_public = false, have_internal = false, both_roles = false;

	for (unsigned i = 0; i < cfg->lcores.n_workers; i++) {
		snprintf(path, sizeof(path), "lcores.workers[%u]", i);
		if (cfg->lcores.workers[i] == cfg->lcores.control)
			cfg_error(ctx, path, "lcore %u is already the control lcore",
				  cfg->lcores.workers[i]);
		for (unsigned j = 0; j < i; j++)
			if (cfg->lcores.workers[j] == cfg->lcores.workers[i])
				cfg_error(ctx, path, "lcore %u is listed twice",
					  cfg->lcores.workers[i]);
	}
	if (cfg->lcores.n_workers == 0)
		cfg_error(ctx, "lcores.workers", "at least one worker lcore is needed");

	if (cfg->n_ports == 0)
		cfg_error(ctx, "ports", "at least one port is needed");
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		const struct config_port *p = &cfg->ports[i];

		have_public |= p->role != CONFIG_ROLE_INTERNAL;
		have_internal |= p->role != CONFIG_ROLE_PUBLIC;
		both_roles |= p->role == CONFIG_ROLE_BOTH;
		for (unsigned j = 0; j < i; j++) {
			if (strcmp(cfg->ports[j].name, p->name) == 0) {
				snprintf(path, sizeof(path), "ports[%u].name", i);
				cfg_error(ctx, path, "port name '%s' is used twice", p->name);
			}
		}
		if (!config_device_is_vdev(p->device)) {
			char pci[16];

			snprintf(path, sizeof(path), "ports[%u].device", i);
			if (config_device_pci(p->device, pci, sizeof(pci)) != 0)
				cfg_error(ctx, path,
					  "'%s' is neither a PCI address (0000:3b:00.0) nor a DPDK virtual device (net_...)",
					  p->device);
		}
		if (is_pci_address(p->device) && cfg->eal.no_pci) {
			snprintf(path, sizeof(path), "ports[%u].device", i);
			cfg_error(ctx, path, "'%s' is a PCI address but eal.no_pci is true",
				  p->device);
		}
		if (p->rx_queues > cfg->lcores.n_workers + 1) {
			snprintf(path, sizeof(path), "ports[%u].rx_queues", i);
			cfg_error(ctx, path, "%u queues for %u worker(s): at most one per worker, plus one",
				  p->rx_queues, cfg->lcores.n_workers);
		}
		if (p->mac[0] != '\0' && !is_mac(p->mac)) {
			snprintf(path, sizeof(path), "ports[%u].mac", i);
			cfg_error(ctx, path, "'%s' is not a MAC address (aa:bb:cc:dd:ee:ff)",
				  p->mac);
		}
	}
	if (cfg->n_ports != 0 && !have_public)
		cfg_error(ctx, "ports", "no port has role public (or both)");
	if (cfg->n_ports != 0 && !have_internal)
		cfg_error(ctx, "ports", "no port has role internal (or both)");

	if (cfg->dataplane.replay_window % 64 != 0)
		cfg_error(ctx, "dataplane.replay_window", "%u is not a multiple of 64",
			  cfg->dataplane.replay_window);
	if ((cfg->dataplane.punt_ring_size & (cfg->dataplane.punt_ring_size - 1)) != 0)
		cfg_error(ctx, "dataplane.punt_ring_size", "%u is not a power of two",
			  cfg->dataplane.punt_ring_size);
	if (cfg->dataplane.benchmark.sessions > cfg->dataplane.max_sessions)
		cfg_error(ctx, "dataplane.benchmark.sessions", "%u is above dataplane.max_sessions (%u)",
			  cfg->dataplane.benchmark.sessions, cfg->dataplane.max_sessions);
	if (!is_mac(cfg->dataplane.benchmark.public_peer_mac))
		cfg_error(ctx, "dataplane.benchmark.public_peer_mac", "'%s' is not a MAC address",
			  cfg->dataplane.benchmark.public_peer_mac);
	if (!is_mac(cfg->dataplane.benchmark.internal_peer_mac))
		cfg_error(ctx, "dataplane.benchmark.internal_peer_mac", "'%s' is not a MAC address",
			  cfg->dataplane.benchmark.internal_peer_mac);
	validate_range(ctx, &cfg->media.public_ports, "media.public_ports");
	validate_range(ctx, &cfg->media.internal_ports, "media.internal_ports");
	if (both_roles && cfg->media.public_ports.min <= cfg->media.internal_ports.max &&
	    cfg->media.internal_ports.min <= cfg->media.public_ports.max)
		cfg_error(ctx, "media.internal_ports",
			  "overlaps media.public_ports, and a port has role both");

	if (cfg->https.n_listen == 0)
		cfg_error(ctx, "https.listen", "at least one listener is needed");
	if (cfg->https.tls && !cfg->https.generate_self_signed) {
		if (access(cfg->https.cert, R_OK) != 0)
			cfg_error(ctx, "https.cert", "cannot read '%s': %s",
				  cfg->https.cert, strerror(errno));
		if (access(cfg->https.key, R_OK) != 0)
			cfg_error(ctx, "https.key", "cannot read '%s': %s",
				  cfg->https.key, strerror(errno));
	}
	for (unsigned i = 0; i < cfg->admin.n_listen; i++) {
		const struct config_endpoint *ep = &cfg->admin.listen[i];

		snprintf(path, sizeof(path), "admin.listen[%u]", i);
		if (!endpoint_is_loopback(ep) && !endpoint_on_internal_port(cfg, ep))
			cfg_error(ctx, path,
				  "%s is neither loopback nor an address of an internal port",
				  ep->text);
	}
	if (cfg->admin.client_ca[0] != '\0' && access(cfg->admin.client_ca, R_OK) != 0)
		cfg_error(ctx, "admin.client_ca", "cannot read '%s': %s",
			  cfg->admin.client_ca, strerror(errno));

	for (unsigned i = 0; i < cfg->cors.n_domain_whitelist; i++) {
		snprintf(path, sizeof(path), "cors.domain_whitelist[%u]", i);
		struct cors_origin o;

		if (cors_origin_parse(cfg->cors.domain_whitelist[i], true, &o) != 0)
			cfg_error(ctx, path,
				  "'%s' is not an origin (http[s]://host[:port], host may start with *.)",
				  cfg->cors.domain_whitelist[i]);
	}

	for (unsigned i = 0; i < cfg->webrtc.n_srtp_profiles; i++) {
		static const char *const known[] = { "AEAD_AES_128_GCM", "AEAD_AES_256_GCM",
						     "AES_CM_128_HMAC_SHA1_80",
						     "AES_CM_128_HMAC_SHA1_32" };
		bool ok = false;

		for (unsigned k = 0; k < 4; k++)
			ok |= strcmp(cfg->webrtc.srtp_profiles[i], known[k]) == 0;
		if (!ok) {
			snprintf(path, sizeof(path), "webrtc.srtp_profiles[%u]", i);
			cfg_error(ctx, path,
				  "'%s' is not a DTLS-SRTP profile (AEAD_AES_128_GCM, AEAD_AES_256_GCM, AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32)",
				  cfg->webrtc.srtp_profiles[i]);
		}
	}
	if (cfg->webrtc.n_srtp_profiles == 0)
		cfg_error(ctx, "webrtc.srtp_profiles", "at least one profile is needed");

	switch (cfg->auth.mode) {
	case CONFIG_AUTH_TOKEN:
		if (strlen(cfg->auth.token_secret) < 16)
			cfg_error(ctx, "auth.token_secret",
				  "token mode needs a secret of at least 16 characters");
		break;
	case CONFIG_AUTH_SIP:
		if (cfg->sip.server[0] == '\0')
			cfg_error(ctx, "auth.mode",
				  "'sip' sign-in registers users with the SIP server: set sip.server");
		break;
	default:
		break;
	}
	if (cfg->sip.transport == CONFIG_SIP_TLS && cfg->sip.tls_ca[0] == '\0')
		cfg_error(ctx, "sip.tls_ca",
			  "transport tls verifies the SIP server's certificate: name the CA file");
	for (unsigned i = 0; i < cfg->auth.n_users; i++) {
		if (!auth_hash_valid(cfg->auth.users[i].password_hash)) {
			snprintf(path, sizeof(path), "auth.users[%u].password_hash", i);
			cfg_error(ctx, path,
				  "not a password hash (make one with rtcgate --hash-password)");
		}
		for (unsigned j = 0; j < i; j++)
			if (strcmp(cfg->auth.users[i].name, cfg->auth.users[j].name) == 0) {
				snprintf(path, sizeof(path), "auth.users[%u].name", i);
				cfg_error(ctx, path, "user '%s' is listed twice",
					  cfg->auth.users[i].name);
			}
	}
}

/* ---- the reference in docs/configuration.md ---- */

static void
describe_type(const struct cfg_field *f, char *buf, size_t len)
{
	char sub[160];

	switch (f->kind) {
	case CFG_BOOL:
		snprintf(buf, len, "boolean");
		break;
	case CFG_UINT:
		snprintf(buf, len, "integer %llu..%llu", (unsigned long long)f->min,
			 (unsigned long long)f->max);
		break;
	case CFG_STRING:
		snprintf(buf, len, "string");
		break;
	case CFG_PATH:
		snprintf(buf, len, "path");
		break;
	case CFG_ENUM: {
		size_t o = snprintf(buf, len, "one of");

		for (int i = 0; f->choices[i] && o < len; i++)
			o += snprintf(buf + o, len - o, "%s `%s`", i ? "," : "", f->choices[i]);
		break;
	}
	case CFG_ADDR:
		snprintf(buf, len, "IP address[/prefix]");
		break;
	case CFG_ENDPOINT:
		snprintf(buf, len, "ADDRESS:PORT");
		break;
	case CFG_SECTION:
		snprintf(buf, len, "mapping");
		break;
	case CFG_LIST:
		describe_type(f->sub, sub, sizeof(sub));
		snprintf(buf, len, "list of %s, at most %llu", sub,
			 (unsigned long long)f->max);
		break;
	}
}

static void
write_rows(FILE *out, const struct cfg_field *section, const char *prefix)
{
	for (const struct cfg_field *f = section->sub; f->name != NULL; f++) {
		char path[128], type[200];

		snprintf(path, sizeof(path), "%s%s", prefix, f->name);
		if (f->kind == CFG_SECTION) {
			char sub[130];

			snprintf(sub, sizeof(sub), "%s.", path);
			write_rows(out, f, sub);
			continue;
		}
		describe_type(f, type, sizeof(type));
		fprintf(out, "| `%s` | %s | %s%s%s | %s |\n", path, type,
			f->def ? "`" : "", f->def ? f->def : "required",
			f->def ? "`" : "", f->doc ? f->doc : "");
		if (f->kind == CFG_LIST && f->sub->kind == CFG_SECTION) {
			char sub[130];

			snprintf(sub, sizeof(sub), "%s[].", path);
			write_rows(out, f->sub, sub);
		}
	}
}

void
config_write_reference(FILE *out)
{
	fprintf(out, "<!-- Generated by `rtcgate --config-reference` from lib/config/config_schema.c; do not edit by hand. -->\n");
	for (const struct cfg_field *f = root_keys; f->name != NULL; f++) {
		fprintf(out, "\n### `%s`\n\n%s\n\n", f->name, f->doc);
		fprintf(out, "| key | type | default | meaning |\n| --- | --- | --- | --- |\n");
		if (f->kind == CFG_SECTION) {
			char prefix[80];

			snprintf(prefix, sizeof(prefix), "%s.", f->name);
			write_rows(out, f, prefix);
		} else {
			const struct cfg_field one[] = { *f, END };
			const struct cfg_field wrap = { .kind = CFG_SECTION, .sub = one };

			write_rows(out, &wrap, "");
		}
	}
}
