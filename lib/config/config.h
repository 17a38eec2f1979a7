/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config.h - rtcgate's YAML configuration: the typed result and how to load it.
 *
 * Every key is declared once in config_schema.c with its type, range, default
 * and doc string; the loader, the error messages, --check-config, the
 * overrides (--set, RTCGATE_* environment variables) and
 * docs/configuration.md all come from that table.
 */
#ifndef RTCG_CONFIG_H
#define RTCG_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <netinet/in.h>

#define CONFIG_MAX_PORTS 8
#define CONFIG_MAX_WORKERS 64
#define CONFIG_MAX_ADDRESSES 8
#define CONFIG_MAX_LISTENERS 4
#define CONFIG_MAX_LIST 64
#define CONFIG_MAX_USERS 256
#define CONFIG_MAX_EAL_ARGS 32
#define CONFIG_STR 256
#define CONFIG_PATH 1024

/* An IP address with an optional prefix length (198.18.0.1/24, 2001:db8::1). */
struct config_addr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t bytes[16];
	uint8_t prefix_len; /* 32 or 128 when the text had none */
	char text[64];
};

/* A numeric IP address and port (127.0.0.1:8443, [::1]:8443). */
struct config_endpoint {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[80];
};

struct config_range {
	uint32_t min;
	uint32_t max;
};

enum config_port_role {
	CONFIG_ROLE_PUBLIC,
	CONFIG_ROLE_INTERNAL,
	CONFIG_ROLE_BOTH,
};

struct config_port {
	char name[32];
	char device[CONFIG_STR]; /* PCI address or vdev string */
	int role;		 /* enum config_port_role */
	struct config_addr addresses[CONFIG_MAX_ADDRESSES];
	unsigned n_addresses;
	char mac[24]; /* empty: the device's own */
	uint32_t mtu;
	uint32_t rx_descriptors;
	uint32_t rx_queues; /* 0: one per worker with RSS, else one */
	uint32_t tx_descriptors;
	bool exception_path;
};

enum config_auth_mode {
	CONFIG_AUTH_STATIC,
	CONFIG_AUTH_TOKEN,
	CONFIG_AUTH_SIP,
};

struct config_user {
	char name[64];
	char password_hash[160];
};

enum config_prefetch { CONFIG_PREFETCH_AUTO, CONFIG_PREFETCH_ALWAYS, CONFIG_PREFETCH_NEVER };
enum config_second_call { CONFIG_SECOND_CALL_REJECT, CONFIG_SECOND_CALL_ALLOW };
enum config_sip_dtmf { CONFIG_DTMF_RFC4733, CONFIG_DTMF_INFO };

enum config_sip_transport {
	CONFIG_SIP_UDP,
	CONFIG_SIP_TCP,
	CONFIG_SIP_TLS,
};

struct config_listener {
	struct config_endpoint listen[CONFIG_MAX_LISTENERS];
	unsigned n_listen;
	bool tls;
	char cert[CONFIG_PATH];
	char key[CONFIG_PATH];
	bool generate_self_signed;
};

struct rtcg_config {
	char path[CONFIG_PATH]; /* the file it was loaded from */
	char dir[CONFIG_PATH];	/* its folder: relative paths resolve here */

	struct {
		bool no_huge;
		uint32_t memory_mb;
		bool no_pci;
		char file_prefix[64];
		char extra_args[CONFIG_MAX_EAL_ARGS][CONFIG_STR];
		unsigned n_extra_args;
	} eal;

	struct {
		uint32_t control;
		uint32_t workers[CONFIG_MAX_WORKERS];
		unsigned n_workers;
		uint32_t idle_sleep_us;
	} lcores;

	struct config_port ports[CONFIG_MAX_PORTS];
	unsigned n_ports;

	struct {
		uint32_t mbufs;
		uint32_t burst_size;
		uint32_t max_sessions;
		uint32_t replay_window;
		uint32_t punt_ring_size;
		int prefetch; /* enum config_prefetch */
		struct {
			uint32_t sessions;
			int profile; /* enum rtcg_srtp_profile, same order */
			struct config_addr public_peer;
			struct config_addr internal_peer;
			char public_peer_mac[24];
			char internal_peer_mac[24];
		} benchmark;
	} dataplane;

	struct {
		struct config_range public_ports;
		struct config_range internal_ports;
	} media;

	struct config_listener https;
	struct {
		struct config_endpoint listen[CONFIG_MAX_LISTENERS];
		unsigned n_listen;
		bool tls;
		char client_ca[CONFIG_PATH];
	} admin;
	struct {
		struct config_addr trusted_proxies[CONFIG_MAX_LIST];
		unsigned n_trusted_proxies;
		uint32_t max_body_bytes;
		uint32_t max_header_bytes;
		uint32_t timeout_seconds;
	} http;

	struct {
		char domain_whitelist[CONFIG_MAX_LIST][CONFIG_STR];
		unsigned n_domain_whitelist;
		uint32_t max_age_seconds;
	} cors;

	struct {
		int mode; /* enum config_auth_mode */
		struct config_user users[CONFIG_MAX_USERS];
		unsigned n_users;
		char token_secret[CONFIG_STR];
		uint32_t session_ttl_seconds;
	} auth;

	struct {
		bool enabled;
		uint32_t max_failures;
		uint32_t find_window_seconds;
		uint32_t ban_seconds;
		uint32_t ipv6_prefix;
		struct config_addr ignore_ip[CONFIG_MAX_LIST];
		unsigned n_ignore_ip;
		struct config_addr blocklist[CONFIG_MAX_LIST];
		unsigned n_blocklist;
		char state_file[CONFIG_PATH];
	} ban;

	struct {
		bool echo;
		char srtp_profiles[8][CONFIG_STR];
		unsigned n_srtp_profiles;
		uint32_t consent_timeout_seconds;
		uint32_t dtls_timeout_seconds;
		bool sdes;
	} webrtc;

	struct {
		char server[CONFIG_STR];
		int transport; /* enum config_sip_transport */
		uint32_t local_port;
		char domain[CONFIG_STR];
		uint32_t register_expires;
		uint32_t session_expires;
		uint32_t ring_timeout;
		uint32_t rtp_timeout;
		int second_call; /* enum config_second_call */
		uint32_t retry_max;
		uint32_t transaction_timeout_ms;
		uint32_t tls_port;
		char tls_ca[CONFIG_PATH];
		int dtmf; /* enum config_sip_dtmf */
	} sip;

	struct {
		int level; /* syslog-style: 1 alert .. 8 debug, as rte_log */
		char file[CONFIG_PATH];
	} log;
};

#define CONFIG_MAX_ERRORS 32

/* Errors found while loading, each "origin:line:col: key.path: message". */
struct config_errors {
	unsigned n;
	bool truncated;
	char msg[CONFIG_MAX_ERRORS][320];
};

/*
 * Load a configuration file, then apply environment overrides
 * (RTCGATE_SECTION__KEY=value, from envp; may be NULL) and command-line
 * overrides ("section.key=value"), then validate the whole. Returns NULL with
 * errs filled on any error.
 */
struct rtcg_config *config_load(const char *path, const char *const *sets,
				unsigned n_sets, char *const *envp,
				struct config_errors *errs);

/* The same from a buffer; origin names it in error messages. */
struct rtcg_config *config_load_buffer(const char *origin, const void *buf,
				       size_t len, const char *const *sets,
				       unsigned n_sets, char *const *envp,
				       struct config_errors *errs);

void config_free(struct rtcg_config *cfg);

/* Make a path from the config relative to its folder; 0 or -ENAMETOOLONG. */
int config_resolve_path(const struct rtcg_config *cfg, const char *path,
			char *out, size_t outlen);

/*
 * A port's device string: a DPDK virtual device (net_*, eth_*, crypto_*),
 * or a PCI address ([DOMAIN:]BUS:DEV.FN, devargs after a comma).
 * config_device_pci writes the address in full lower-case form
 * (0000:3b:00.0) without devargs: 0, or -1 if the device is no PCI address.
 */
bool config_device_is_vdev(const char *device);
/* A devarg of a device string ("net_af_packet0,iface=eth1" "iface" -> "eth1"): 0, or -1. */
int config_device_arg(const char *device, const char *key, char *out, size_t outlen);
int config_device_pci(const char *device, char *out, size_t outlen);

/* Write docs/configuration.md's key reference (Markdown) from the table. */
void config_write_reference(FILE *out);

/* Names for enum values, as written in YAML. */
const char *config_role_name(int role);
const char *config_log_level_name(int level);

#endif /* RTCG_CONFIG_H */
