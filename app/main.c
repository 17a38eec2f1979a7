/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c - rtcgate: load the configuration, start EAL, the dataplane and the
 * control lcore, and shut down cleanly on SIGINT or SIGTERM.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "auth.h"
#include "config.h"
#include "control.h"
#include "dataplane.h"
#include "dp_eal.h"

extern char **environ;

#define MAX_SETS 64

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: rtcgate -c FILE [--set KEY=VALUE]...   run the gateway\n"
		"       rtcgate --check-config FILE [--set KEY=VALUE]...\n"
		"       rtcgate --host-plan FILE [--set KEY=VALUE]...\n"
		"                                              print what the host must provide\n"
		"                                              (cores to isolate, NICs for vfio-pci,\n"
		"                                              af_packet interfaces, hugepages) as\n"
		"                                              shell variables\n"
		"       rtcgate --config-reference             print the key reference (Markdown)\n"
		"       rtcgate --hash-password                read a password on stdin, print\n"
		"                                              its hash for auth.users[].password_hash\n"
		"       rtcgate --version\n"
		"\n"
		"KEY is a dotted path (sip.server, ports[0].device); VALUE is YAML.\n"
		"Environment variables RTCGATE_SECTION__KEY=VALUE set keys too\n"
		"(RTCGATE_SIP__SERVER); --set wins over them, they over the file.\n");
}

static void
print_errors(const struct config_errors *errs)
{
	for (unsigned i = 0; i < errs->n; i++)
		fprintf(stderr, "%s\n", errs->msg[i]);
	if (errs->truncated)
		fprintf(stderr, "(more errors not shown)\n");
}

static void __attribute__((noreturn, format(printf, 1, 2)))
fatal(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rtcgate: fatal: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/*
 * --hash-password: one line from stdin (not echoed on a terminal), its
 * salted hash on stdout.
 */
static int
hash_password(void)
{
	char line[1100], hash[AUTH_HASH_MAX];
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO);
	size_t n;

	if (tty) {
		fprintf(stderr, "password: ");
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	if (fgets(line, sizeof(line), stdin) == NULL)
		line[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fputc('\n', stderr);
	}
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	if (n == 0 || n > 1024)
		fatal("--hash-password: give a password of 1 to 1024 bytes on one line of stdin");
	if (auth_hash_password(line, AUTH_HASH_DEFAULT_ITERATIONS, hash, sizeof(hash)) != 0)
		fatal("--hash-password: hashing failed");
	explicit_bzero(line, sizeof(line));
	printf("%s\n", hash);
	return 0;
}

/*
 * --host-plan: what the host has to prepare for this configuration, as
 * shell assignments for the appliance's boot scripts (tools/mkimage,
 * prepare-ports): the cores to keep the scheduler off, the PCI NICs to hand to
 * vfio-pci, the hugepage memory EAL asks for.
 */
static int
host_plan(const struct rtcg_config *cfg)
{
	char pci[16];
	bool first = true;

	printf("RTCG_CONTROL_CPU=%u\n", cfg->lcores.control);
	printf("RTCG_WORKER_CPUS=");
	for (unsigned i = 0; i < cfg->lcores.n_workers; i++)
		printf("%s%u", i ? "," : "", cfg->lcores.workers[i]);
	printf("\nRTCG_PCI_DEVICES=\"");
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		if (config_device_pci(cfg->ports[i].device, pci, sizeof(pci)) != 0)
			continue;
		printf("%s%s", first ? "" : " ", pci);
		first = false;
	}
	printf("\"\nRTCG_AF_PACKET_IFACES=\"");
	first = true;
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		const char *d = cfg->ports[i].device;
		char ifc[64];

		if ((strncmp(d, "net_af_packet", 13) != 0 && strncmp(d, "eth_af_packet", 13) != 0) ||
		    config_device_arg(d, "iface", ifc, sizeof(ifc)) != 0 ||
		    strspn(ifc, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@") !=
			    strlen(ifc))
			continue;
		printf("%s%s", first ? "" : " ", ifc);
		first = false;
	}
	printf("\"\nRTCG_HUGEPAGES_MB=%u\n", cfg->eal.no_huge ? 0 : cfg->eal.memory_mb);
	return 0;
}

/* rte_log's levels run 1 (emerg) .. 8 (debug); the config's enum 0 .. 7. */
static void
setup_logging(const struct rtcg_config *cfg)
{
	uint32_t level = (uint32_t)cfg->log.level + 1;

	if (cfg->log.file[0] != '\0') {
		FILE *f = fopen(cfg->log.file, "a");

		if (f == NULL)
			fatal("log.file %s: %m", cfg->log.file);
		setvbuf(f, NULL, _IOLBF, 0);
		rte_openlog_stream(f);
	}
	rte_log_set_level_pattern("rtcgate.*", level);
	rte_log_set_global_level(level > RTE_LOG_NOTICE ? level : RTE_LOG_NOTICE);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "set", required_argument, NULL, 's' },
		{ "check-config", required_argument, NULL, 'C' },
		{ "config-reference", no_argument, NULL, 'R' },
		{ "host-plan", required_argument, NULL, 'H' },
		{ "version", no_argument, NULL, 'V' },
		{ "hash-password", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sets[MAX_SETS];
	unsigned n_sets = 0;
	const char *path = NULL;
	bool check_only = false, plan_only = false;
	struct config_errors errs;
	struct rtcg_config *cfg;
	char *eal_argv[128], *eal_owned[128];
	char err[400];
	struct dp *dp;
	struct ctl *ctl;
	int opt, eal_argc;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'C':
			path = optarg;
			check_only = true;
			break;
		case 'H':
			path = optarg;
			plan_only = true;
			break;
		case 's':
			if (n_sets == MAX_SETS)
				fatal("at most %d --set options", MAX_SETS);
			sets[n_sets++] = optarg;
			break;
		case 'R':
			config_write_reference(stdout);
			return 0;
		case 'V':
			printf("rtcgate %s\n", RTCG_VERSION);
			return 0;
		case 'P':
			return hash_password();
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (path == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}

	cfg = config_load(path, sets, n_sets, environ, &errs);
	if (cfg == NULL) {
		print_errors(&errs);
		return 1;
	}
	if (check_only || plan_only) {
		if (check_only)
			printf("%s: ok\n", path);
		else
			host_plan(cfg);
		config_free(cfg);
		return 0;
	}

	eal_argc = dp_eal_args(cfg, eal_argv, 128);
	if (eal_argc < 0)
		fatal("too many EAL arguments");
	/* rte_eal_init permutes argv and writes the program name into it again:
	 * free what dp_eal_args made, not what the array holds afterwards. */
	memcpy(eal_owned, eal_argv, (size_t)eal_argc * sizeof(eal_argv[0]));
	if (rte_eal_init(eal_argc, eal_argv) < 0)
		fatal("DPDK EAL initialisation failed: %s (lcores %u+%u workers, ports as configured; see the EAL lines above)",
		      rte_strerror(rte_errno), cfg->lcores.control, cfg->lcores.n_workers);
	setup_logging(cfg);

	dp = dp_create(cfg, err, sizeof(err));
	if (dp == NULL)
		fatal("%s", err);
	ctl = ctl_create(cfg, dp, err, sizeof(err));
	if (ctl == NULL)
		fatal("%s", err);
	if (dp_start(dp) != 0)
		fatal("cannot start the dataplane");
	rte_log(RTE_LOG_NOTICE, RTE_LOGTYPE_USER1, "rtcgate %s running: control lcore %u, %u worker(s), %u port(s)\n",
		RTCG_VERSION, rte_lcore_id(), cfg->lcores.n_workers, dp_port_count(dp));

	ctl_run(ctl);

	dp_stop(dp);
	ctl_destroy(ctl);
	dp_destroy(dp);
	dp_eal_cleanup();
	config_free(cfg);
	for (int i = 0; i < eal_argc; i++)
		free(eal_owned[i]);
	fprintf(stderr, "rtcgate: stopped\n");
	return 0;
}
