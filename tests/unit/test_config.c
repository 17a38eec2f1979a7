/* SPDX-License-Identifier: BSD-3-Clause */
/* test_config.c - the YAML loader: valid files, every class of error with its place, overrides. */
#include <arpa/inet.h>
#include <unistd.h>

#include "config.h"
#include "unit.h"

#define PORTS                                                     \
	"ports:\n"                                                \
	"  - {name: pub, device: net_null0, role: public}\n"      \
	"  - {name: int, device: net_null1, role: internal}\n"

static struct config_errors errs;

static struct rtcg_config *
load(const char *yaml)
{
	return config_load_buffer("t.yaml", yaml, strlen(yaml), NULL, 0, NULL, &errs);
}

/* Loading must fail with exactly one error containing `expect`. */
static void
expect_error(const char *yaml, const char *expect, int line)
{
	struct rtcg_config *cfg = load(yaml);

	if (cfg != NULL || errs.n == 0 || strstr(errs.msg[0], expect) == NULL) {
		fprintf(stderr, "%s:%d: expected error '%s', got %s\n", __FILE__, line,
			expect, cfg ? "success" : errs.n ? errs.msg[0] : "nothing");
		unit_failed_checks++;
	}
	config_free(cfg);
}
#define EXPECT_ERROR(yaml, msg) expect_error(yaml, msg, __LINE__)

TEST(config_default_yaml_loads)
{
	struct rtcg_config *cfg = config_load(RTCG_SOURCE_ROOT "/configs/default.yaml",
					      NULL, 0, NULL, &errs);

	for (unsigned i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	CHECK(cfg->eal.no_huge && cfg->eal.no_pci && cfg->eal.memory_mb == 1024);
	CHECK(cfg->n_ports == 2);
	CHECK(strncmp(cfg->ports[0].device, "net_tap", 7) == 0);
	CHECK(cfg->lcores.control == 0 && cfg->lcores.n_workers == 1 &&
	      cfg->lcores.workers[0] == 1);
	CHECK(cfg->https.tls && cfg->https.n_listen == 1);
	CHECK(strcmp(cfg->https.listen[0].text, "127.0.0.1:8443") == 0);
	/* Relative paths resolve beside the config file. */
	CHECK_STR_CONTAINS(cfg->https.cert, "/configs/rtcgate-cert.pem");
	CHECK(cfg->https.cert[0] == '/');
	config_free(cfg);
}

TEST(config_defaults_fill_everything_unset)
{
	struct rtcg_config *cfg = load(PORTS);

	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	CHECK(cfg->ban.enabled && cfg->ban.max_failures == 3 && cfg->ban.ban_seconds == 600 &&
	      cfg->ban.find_window_seconds == 600);
	CHECK(cfg->ban.n_ignore_ip == 2 && cfg->ban.ignore_ip[0].family == AF_INET &&
	      cfg->ban.ignore_ip[0].prefix_len == 8 && cfg->ban.ignore_ip[1].family == AF_INET6);
	CHECK(cfg->media.public_ports.min == 20000 && cfg->media.internal_ports.max == 39999);
	CHECK(cfg->https.tls && cfg->admin.tls);
	CHECK(strcmp(cfg->admin.listen[0].text, "127.0.0.1:8444") == 0);
	CHECK(cfg->cors.n_domain_whitelist == 0);
	CHECK(cfg->auth.mode == CONFIG_AUTH_STATIC);
	CHECK(cfg->sip.transport == CONFIG_SIP_UDP && cfg->sip.local_port == 5060);
	CHECK(cfg->ports[1].role == CONFIG_ROLE_INTERNAL && cfg->ports[1].mtu == 1500);
	CHECK(cfg->lcores.n_workers == 1 && cfg->lcores.workers[0] == 1);
	CHECK(strcmp(config_log_level_name(cfg->log.level), "info") == 0);
	config_free(cfg);
}

TEST(config_full_values)
{
	struct rtcg_config *cfg = load(
		"eal: {no_huge: yes, extra_args: [--log-level, 'pmd.*:debug']}\n"
		"lcores: {control: 2, workers: [3, 4, 5]}\n"
		"ports:\n"
		"  - name: wan\n"
		"    device: 0000:3b:00.0\n"
		"    role: both\n"
		"    addresses: [198.18.0.1/24, '2001:db8::1/64']\n"
		"    mac: 02:00:00:00:00:01\n"
		"media: {public_ports: {min: 10000, max: 10999}, internal_ports: {min: 11000, max: 11999}}\n"
		"https: {listen: ['[::1]:9443', 127.0.0.2:9443]}\n"
		"cors:\n"
		"  domain_whitelist:\n"
		"    - https://agent.example.com\n"
		"    - http://*.example.org:8080\n"
		"auth: {mode: token, token_secret: 0123456789abcdef0123}\n"
		"sip: {server: 198.19.0.10:5060, transport: tls, tls_ca: /etc/ssl/certs/ca-certificates.crt}\n"
		"log: {level: debug}\n");

	for (unsigned i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	CHECK(cfg->eal.n_extra_args == 2 && strcmp(cfg->eal.extra_args[1], "pmd.*:debug") == 0);
	CHECK(cfg->lcores.n_workers == 3 && cfg->lcores.workers[2] == 5);
	CHECK(cfg->ports[0].role == CONFIG_ROLE_BOTH && cfg->ports[0].n_addresses == 2);
	CHECK(cfg->ports[0].addresses[1].family == AF_INET6 &&
	      cfg->ports[0].addresses[1].prefix_len == 64);
	CHECK(cfg->https.n_listen == 2 && cfg->https.listen[0].ss.ss_family == AF_INET6);
	CHECK(strcmp(cfg->https.listen[0].text, "[::1]:9443") == 0);
	CHECK(cfg->cors.n_domain_whitelist == 2);
	CHECK(cfg->auth.mode == CONFIG_AUTH_TOKEN && cfg->sip.transport == CONFIG_SIP_TLS);
	CHECK(strcmp(cfg->sip.tls_ca, "/etc/ssl/certs/ca-certificates.crt") == 0);
	config_free(cfg);
}

TEST(config_unknown_key_names_place_and_suggests)
{
	EXPECT_ERROR(PORTS "prots: []\n", "t.yaml:4:1: prots: unknown key 'prots' (did you mean 'ports'?)");
	EXPECT_ERROR(PORTS "ban:\n  max_failure: 3\n",
		     "t.yaml:5:3: ban.max_failure: unknown key 'max_failure' (did you mean 'max_failures'?)");
	EXPECT_ERROR("ports:\n  - name: a\n    device: net_null0\n    rol: public\n",
		     "t.yaml:4:5: ports[0].rol: unknown key 'rol' (did you mean 'role'?)");
	EXPECT_ERROR(PORTS "zzzzzz: 1\n", "t.yaml:4:1: zzzzzz: unknown key 'zzzzzz'");
}

TEST(config_wrong_types)
{
	EXPECT_ERROR(PORTS "lcores: {workers: 5}\n", "t.yaml:4:19: lcores.workers: expected a list, found a scalar");
	EXPECT_ERROR(PORTS "ban: {max_failures: abc}\n",
		     "t.yaml:4:21: ban.max_failures: expected an integer, found 'abc'");
	EXPECT_ERROR(PORTS "ban: {max_failures: [1]}\n",
		     "t.yaml:4:21: ban.max_failures: expected an integer, found a list");
	EXPECT_ERROR(PORTS "https: {tls: maybe}\n", "t.yaml:4:14: https.tls: expected true or false, found 'maybe'");
	EXPECT_ERROR(PORTS "sip: 5\n", "t.yaml:4:6: sip: expected a mapping, found a scalar");
	EXPECT_ERROR(PORTS "ban: {max_failures: -1}\n", "ban.max_failures: expected an integer, found '-1'");
}

TEST(config_out_of_range)
{
	EXPECT_ERROR(PORTS "ban: {max_failures: 0}\n", "t.yaml:4:21: ban.max_failures: 0 is out of range (1..1000)");
	EXPECT_ERROR(PORTS "sip: {local_port: 70000}\n", "sip.local_port: 70000 is out of range (1..65535)");
	EXPECT_ERROR(PORTS "lcores: {workers: [1, 200]}\n",
		     "t.yaml:4:23: lcores.workers[1]: 200 is out of range (0..127)");
	EXPECT_ERROR(PORTS "ban: {max_failures: 99999999999999999999999}\n", "expected an integer");
}

TEST(config_bad_values)
{
	EXPECT_ERROR("ports:\n  - {name: a, device: net_null0, role: dmz}\n",
		     "t.yaml:2:40: ports[0].role: 'dmz' is not one of: public, internal, both");
	EXPECT_ERROR(PORTS "ban: {ignore_ip: [1.2.3]}\n",
		     "t.yaml:4:19: ban.ignore_ip[0]: '1.2.3' is not an IPv4 or IPv6 address");
	EXPECT_ERROR(PORTS "ban: {ignore_ip: [198.18.0.0/33]}\n", "is not an IPv4 or IPv6 address");
	EXPECT_ERROR(PORTS "https: {listen: ['127.0.0.1']}\n",
		     "t.yaml:4:18: https.listen[0]: '127.0.0.1' is not ADDRESS:PORT");
	EXPECT_ERROR(PORTS "https: {listen: ['localhost:80']}\n", "is not ADDRESS:PORT");
	EXPECT_ERROR(PORTS "eal: {file_prefix: ''}\n", "eal.file_prefix: must not be empty");
	EXPECT_ERROR(PORTS "eal: {file_prefix: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}\n",
		     "eal.file_prefix: longer than 63 characters");
}

TEST(config_duplicate_and_missing_keys)
{
	EXPECT_ERROR(PORTS "ban: {max_failures: 3, max_failures: 4}\n",
		     "t.yaml:4:24: ban.max_failures: key given twice");
	EXPECT_ERROR("ports:\n  - {name: a, role: both}\n",
		     "t.yaml:2:5: ports[0].device: missing required key 'device'");
	EXPECT_ERROR("log: {level: info}\n", "t.yaml: ports: missing required key 'ports'");
	EXPECT_ERROR("", "t.yaml: is empty");
}

TEST(config_yaml_syntax_error_has_place)
{
	EXPECT_ERROR(PORTS "ban: {max_failures: 3\n", "t.yaml:5:1: YAML syntax error");
	EXPECT_ERROR("ports:\n  - a\n - b\n", "t.yaml:3:2: YAML syntax error");
}

TEST(config_list_limits)
{
	char yaml[4096];
	size_t o = snprintf(yaml, sizeof(yaml), PORTS "eal: {extra_args: [");

	for (int i = 0; i < CONFIG_MAX_EAL_ARGS + 1; i++)
		o += snprintf(yaml + o, sizeof(yaml) - o, "%sx", i ? "," : "");
	snprintf(yaml + o, sizeof(yaml) - o, "]}\n");
	EXPECT_ERROR(yaml, "t.yaml:4:19: eal.extra_args: has 33 entries, at most 32 allowed");
}

TEST(config_device_pci_address)
{
	char out[16];

	CHECK(config_device_pci("0000:3b:00.0", out, sizeof(out)) == 0 &&
	      strcmp(out, "0000:3b:00.0") == 0);
	CHECK(config_device_pci("3B:00.1,rx_vec_en=0", out, sizeof(out)) == 0 &&
	      strcmp(out, "0000:3b:00.1") == 0);
	CHECK(config_device_pci("0001:00:1f.7", out, sizeof(out)) == 0 &&
	      strcmp(out, "0001:00:1f.7") == 0);
	CHECK(config_device_pci("00:20.0", out, sizeof(out)) == -1); /* device 0x20 > 0x1f */
	CHECK(config_device_pci("00:02.8", out, sizeof(out)) == -1);
	CHECK(config_device_pci("net_virtio_user0,path=/dev/vhost-net", out, sizeof(out)) == -1);
	CHECK(config_device_pci("0000:3b:00.0x", out, sizeof(out)) == -1);
	CHECK(config_device_pci("0000:3b:00.0", out, 8) == -1);
	CHECK(config_device_is_vdev("net_af_packet0,iface=eth1") && !config_device_is_vdev("0000:3b:00.0"));
	CHECK(config_device_arg("net_af_packet0,qpairs=2,iface=eth1", "iface", out, sizeof(out)) == 0 &&
	      strcmp(out, "eth1") == 0);
	CHECK(config_device_arg("net_af_packet0,xiface=eth1,iface=", "iface", out, sizeof(out)) == -1);
	CHECK(config_device_arg("net_tap0", "iface", out, sizeof(out)) == -1);
}

TEST(config_checks_across_keys)
{
	EXPECT_ERROR(PORTS "lcores: {control: 1, workers: [1]}\n",
		     "t.yaml:4:32: lcores.workers[0]: lcore 1 is already the control lcore");
	EXPECT_ERROR(PORTS "lcores: {workers: [1, 1]}\n", "lcores.workers[1]: lcore 1 is listed twice");
	EXPECT_ERROR("ports:\n  - {name: a, device: net_memif0, role: both, rx_queues: 3}\nlcores: {workers: [1]}\n",
		     "t.yaml:2:58: ports[0].rx_queues: 3 queues for 1 worker(s): at most one per worker, plus one");
	EXPECT_ERROR("ports:\n  - {name: a, device: net_null0, role: public}\n",
		     "ports: no port has role internal (or both)");
	EXPECT_ERROR("ports:\n  - {name: a, device: net_null0, role: public}\n  - {name: a, device: net_null1, role: internal}\n",
		     "t.yaml:3:12: ports[1].name: port name 'a' is used twice");
	EXPECT_ERROR("eal: {no_pci: true}\nports:\n  - {name: a, device: '0000:3b:00.0', role: both}\n",
		     "ports[0].device: '0000:3b:00.0' is a PCI address but eal.no_pci is true");
	EXPECT_ERROR("ports:\n  - {name: a, device: eth1, role: both}\n",
		     "t.yaml:2:23: ports[0].device: 'eth1' is neither a PCI address (0000:3b:00.0) nor a DPDK virtual device");
	EXPECT_ERROR("ports:\n  - {name: a, device: '3b:00.9', role: both}\n",
		     "ports[0].device: '3b:00.9' is neither a PCI address");
	EXPECT_ERROR(PORTS "media: {public_ports: {min: 3000, max: 2000}}\n",
		     "media.public_ports: min 3000 is above max 2000");
	EXPECT_ERROR(PORTS "admin: {listen: ['198.18.0.1:8444']}\n",
		     "t.yaml:4:18: admin.listen[0]: 198.18.0.1:8444 is neither loopback nor an address of an internal port");
	EXPECT_ERROR(PORTS "cors: {domain_whitelist: [example.com]}\n",
		     "cors.domain_whitelist[0]: 'example.com' is not an origin");
	EXPECT_ERROR(PORTS "cors: {domain_whitelist: ['https://a.example/path']}\n", "is not an origin");
	EXPECT_ERROR(PORTS "auth: {mode: token, token_secret: short}\n",
		     "auth.token_secret: token mode needs a secret of at least 16 characters");
	EXPECT_ERROR(PORTS "auth: {mode: sip}\n", "t.yaml:4:14: auth.mode: 'sip' sign-in");
	EXPECT_ERROR(PORTS "https: {generate_self_signed: false, cert: /nonexistent/c.pem, key: /nonexistent/k.pem}\n",
		     "https.cert: cannot read '/nonexistent/c.pem'");
	EXPECT_ERROR(PORTS "ports: []\n", "key given twice");
}

TEST(config_admin_on_internal_address_is_allowed)
{
	struct rtcg_config *cfg = load(
		"ports:\n"
		"  - {name: pub, device: net_null0, role: public, addresses: [198.18.0.1/24]}\n"
		"  - {name: int, device: net_null1, role: internal, addresses: [198.19.0.1/24]}\n"
		"admin: {listen: ['198.19.0.1:8444', '[::1]:8444']}\n");

	CHECK(cfg != NULL);
	config_free(cfg);
}

TEST(config_set_overrides)
{
	const char *sets[] = {
		"sip.server=198.19.0.10:5070",
		"ports[1].device=net_ring0",
		"ports.2={name: third, device: net_null2, role: both}",
		"cors.domain_whitelist=[https://a.example, 'https://*.b.example']",
		"ban.max_failures=7",
		"media.public_ports.min=21000",
	};
	struct rtcg_config *cfg = config_load_buffer("t.yaml", PORTS, strlen(PORTS), sets, 6,
						     NULL, &errs);

	for (unsigned i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	CHECK(cfg != NULL);
	if (cfg == NULL)
		return;
	CHECK(strcmp(cfg->sip.server, "198.19.0.10:5070") == 0);
	CHECK(strcmp(cfg->ports[1].device, "net_ring0") == 0);
	CHECK(cfg->n_ports == 3 && cfg->ports[2].role == CONFIG_ROLE_BOTH &&
	      cfg->ports[2].mtu == 1500);
	CHECK(cfg->cors.n_domain_whitelist == 2);
	CHECK(cfg->ban.max_failures == 7 && cfg->media.public_ports.min == 21000);
	config_free(cfg);
}

TEST(config_set_errors_name_the_option)
{
	const char *bad_key[] = { "sip.sever=x" };
	const char *bad_val[] = { "ban.max_failures=0" };
	const char *no_eq[] = { "sip.server" };
	const char *bad_idx[] = { "ports[5].device=x" };
	struct rtcg_config *cfg;

	cfg = config_load_buffer("t.yaml", PORTS, strlen(PORTS), bad_key, 1, NULL, &errs);
	CHECK(cfg == NULL);
	CHECK_STR_CONTAINS(errs.msg[0], "--set sip.sever: sip.sever: unknown key 'sever' (did you mean 'server'?)");
	cfg = config_load_buffer("t.yaml", PORTS, strlen(PORTS), bad_val, 1, NULL, &errs);
	CHECK(cfg == NULL);
	CHECK_STR_CONTAINS(errs.msg[0], "--set ban.max_failures:1:1: ban.max_failures: 0 is out of range (1..1000)");
	cfg = config_load_buffer("t.yaml", PORTS, strlen(PORTS), no_eq, 1, NULL, &errs);
	CHECK(cfg == NULL);
	CHECK_STR_CONTAINS(errs.msg[0], "expected KEY=VALUE");
	cfg = config_load_buffer("t.yaml", PORTS, strlen(PORTS), bad_idx, 1, NULL, &errs);
	CHECK(cfg == NULL);
	CHECK_STR_CONTAINS(errs.msg[0], "index '5' must be 0..2");
}

TEST(config_environment_overrides_and_precedence)
{
	char *envp[] = {
		"PATH=/usr/bin",
		"RTCGATE_BAN__MAX_FAILURES=5",
		"RTCGATE_SIP__SERVER=198.19.0.20",
		"RTCGATE_PORTS__0__MTU=1400",
		NULL,
	};
	const char *sets[] = { "sip.server=198.19.0.30" };
	char *bad_env[] = { "RTCGATE_BAN__MAX_FAILURES=zero", NULL };
	struct rtcg_config *cfg;

	cfg = config_load_buffer("t.yaml", PORTS, strlen(PORTS), sets, 1, envp, &errs);
	CHECK(cfg != NULL);
	if (cfg != NULL) {
		CHECK(cfg->ban.max_failures == 5);
		CHECK(cfg->ports[0].mtu == 1400);
		CHECK(strcmp(cfg->sip.server, "198.19.0.30") == 0); /* --set wins */
	}
	config_free(cfg);
	cfg = config_load_buffer("t.yaml", PORTS, strlen(PORTS), NULL, 0, bad_env, &errs);
	CHECK(cfg == NULL);
	CHECK_STR_CONTAINS(errs.msg[0],
			   "environment RTCGATE_BAN__MAX_FAILURES:1:1: ban.max_failures: expected an integer, found 'zero'");
}

TEST(config_errors_are_all_reported)
{
	struct rtcg_config *cfg = load(PORTS "ban: {max_failures: 0, ban_seconds: x}\nbogus: 1\n");

	CHECK(cfg == NULL);
	CHECK(errs.n == 3);
}

TEST(config_file_errors)
{
	char path[] = "/tmp/rtcg-cfg-XXXXXX";
	int fd = mkstemp(path);
	struct rtcg_config *cfg;

	CHECK(config_load("/nonexistent/x.yaml", NULL, 0, NULL, &errs) == NULL);
	CHECK_STR_CONTAINS(errs.msg[0], "/nonexistent/x.yaml: cannot open");
	CHECK(fd >= 0);
	CHECK(write(fd, "a\0b", 3) == 3);
	close(fd);
	cfg = config_load(path, NULL, 0, NULL, &errs);
	CHECK(cfg == NULL);
	CHECK_STR_CONTAINS(errs.msg[0], "contains a NUL byte");
	unlink(path);
}
