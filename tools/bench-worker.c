/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-worker - the worker's packet path on one core, without a PMD or a
 * second process: the dataplane of a benchmark-mode config on two net_null
 * ports, whose synthetic sessions' frames (tools/bench_flow.h, as
 * rtcgate-loadgen sends them) this thread writes into mbufs from the
 * gateway's pool and hands to the worker's path (dp_worker_rx),
 * bursts of 32, round-robin over the sessions. Timed: dp_worker_rx alone
 * (parse, ban check, classification, lookup, SRTP, rewrite, software
 * checksums, counters, net_null's transmit, which frees the mbufs). Not
 * timed: writing the frames, and in the decrypt direction the browsers'
 * protect. The frames are thus in this core's cache, as a copying PMD
 * leaves them. Prints ns a packet (rte_rdtsc) and the gateway's relayed
 * and dropped counts, which must account for every packet. Not part of
 * meson test: tools/bench-dataplane.sh measures the whole path over memif;
 * this measures the worker's own code and the crypto with nothing else on
 * the core, for A/B comparisons on a noisy machine.
 *
 * Its baseline, measured in the same process and minute: lib/srtp's protect
 * (encrypt) or unprotect (decrypt) alone, bursts of 32 packets with the
 * frames' RTP payload size through one context, as tools/bench-srtp times
 * it. Worker and crypto bursts alternate in blocks of BLOCK bursts (each
 * block warm, both under the same spell of this VM's speed), and it prints
 * the ratio of the two medians: the "worker busy time per packet
 * against the crypto-only floor" with the PMD's receive left out.
 *
 * --baseline sessions adds a third kind of block: the same crypto through
 * N contexts of their own (one rte_zmalloc array, the gateway's context
 * size apart), visited in the worker's order, each packet its session's:
 * what SRTP alone costs with N sessions' keys and replay state, which the
 * worker's sessions cannot do without. It prints worker / crypto over N
 * beside the one-context ratio; the difference between the two is what
 * the memory of N contexts costs on this machine, the rest the relay's.
 * In the decrypt direction it needs N more contexts for the peers.
 * --baseline prefetched does the same and, timed, prefetches contexts
 * ahead with lib/srtp's two steps, all at the start of each burst: the
 * rest of the next burst's contexts and the early lines of the one after.
 * Unlike the worker's prefetches, spread one packet at a time through the
 * relay, these come back to back; on the development VM they did not
 * lower the crypto's cost (docs/benchmarks.md).
 *
 * usage: bench-worker [--sessions N] [--packets P] [--direction encrypt|decrypt]
 *          [--size 214] [--huge] [--order slot|random] [--prefetch auto|always|never]
 *          [--baseline one|sessions|prefetched] [-- EAL-ARGS]
 * Default EAL arguments: -l 0,1 --main-lcore 1 --no-huge -m 2048 --no-pci
 * (this thread on CPU 1, where the gateway's worker runs); --huge drops
 * --no-huge (2 MiB pages, reserved beforehand, as an appliance runs);
 * EAL-ARGS replace them (the net_null vdevs and a file prefix are added). Prints the mean
 * and the median burst's ns a packet: the median discounts bursts an
 * interrupt or a noisy neighbour stretched.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "bench_flow.h"
#include "config.h"
#include "dataplane.h"
#include "dp_eal.h"

#define BURST 32
#define BLOCK 256 /* bursts of one kind in a row */
#define ROOM 1600

/*
 * With -Dworker_profile=true: the worker's stages in ns a packet (means
 * over every burst, warm-up included), beside the crypto baseline's mean,
 * which the srtp stage is to be compared with (the medians above are not
 * means). Each stage also carries about one TSC read a burst.
 */
static void
print_profile(const struct dp *dp, const uint64_t *crypto_cycles, unsigned nc, double hz)
{
	struct dp_profile pr;
	uint64_t c = 0, all = 0;

	if (dp_worker_profile(dp, 0, &pr) != 0 || pr.pkts == 0)
		return;
	for (unsigned i = 0; i < nc; i++)
		c += crypto_cycles[i];
	printf("  stages (ns a packet, means):");
	for (unsigned s = 0; s < DP_STAGES; s++) {
		printf(" %s %.1f", dp_stage_name(s), pr.cycles[s] * 1e9 / hz / (double)pr.pkts);
		all += pr.cycles[s];
	}
	printf("; all %.1f; crypto alone %.1f\n", all * 1e9 / hz / (double)pr.pkts,
	       nc != 0 ? c * 1e9 / hz / (double)nc / BURST : 0.0);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * One timed burst of the crypto alone: the next BURST frames of flows
 * fl[order[*cur]] (*cur advancing modulo n) into frames, protected (the
 * encrypt direction) or unprotected (decrypt, after an untimed protect
 * through the peers' contexts) through the contexts at timed + stride *
 * the flow's index, peer likewise; pf: prefetching, timed, the rest of
 * the next burst's contexts and the first lines of the one after.
 * Returns its cycles; counts failures.
 */
static uint64_t
crypto_burst(struct rtcg_srtp_engine *eng, bool decrypt, struct flow *fl, const uint32_t *order,
	     uint32_t n, uint32_t *cur, uint8_t *peer, uint8_t *timed, size_t stride, uint8_t *frames,
	     bool pf, uint64_t *failed)
{
	struct rtcg_srtp_pkt bp[BURST];
	struct rtcg_srtp_ctx *pc[BURST], *tc[BURST];
	uint64_t a, b;

	for (unsigned k = 0; k < BURST; k++) {
		uint32_t i = order[*cur];
		struct flow *f = &fl[i];

		flow_frame(f, frames + (size_t)k * ROOM, true, &bp[k]);
		bp[k].room = ROOM - f->hdr_len + 12u; /* any profile's tag */
		pc[k] = (struct rtcg_srtp_ctx *)(peer + stride * i);
		tc[k] = (struct rtcg_srtp_ctx *)(timed + stride * i);
		if (++*cur == n)
			*cur = 0;
	}
	if (decrypt)
		rtcg_srtp_protect_burst(eng, pc, bp, BURST);
	a = rte_rdtsc();
	if (pf) {
		struct rtcg_srtp_ctx *next[BURST];

		for (unsigned k = 0; k < BURST; k++) {
			next[k] = (struct rtcg_srtp_ctx *)(timed + stride * order[(*cur + k) % n]);
			rtcg_srtp_prefetch_early((struct rtcg_srtp_ctx *)(timed + stride * order[(*cur + BURST + k) % n]),
						 false);
		}
		rtcg_srtp_prefetch_rest(next, BURST, false);
	}
	if (decrypt)
		rtcg_srtp_unprotect_burst(eng, tc, bp, BURST);
	else
		rtcg_srtp_protect_burst(eng, tc, bp, BURST);
	b = rte_rdtsc();
	for (unsigned k = 0; k < BURST; k++)
		*failed += bp[k].status != RTCG_SRTP_OK;
	return b - a;
}

/* Clear and free n contexts stride apart (bench_ctxs_create's block); NULL: nothing. */
static void
ctxs_free(uint8_t *mem, uint32_t n, size_t stride)
{
	for (uint32_t i = 0; mem != NULL && i < n; i++)
		rtcg_srtp_ctx_clear((struct rtcg_srtp_ctx *)(mem + stride * i));
	rte_free(mem);
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench-worker [--sessions N] [--packets P] [--direction encrypt|decrypt] "
			"[--size BYTES] [--huge] [--order slot|random] [--prefetch auto|always|never] "
			"[--baseline one|sessions|prefetched] [--bans none|addresses|networks] [-- EAL-ARGS]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sessions", required_argument, NULL, 'n' },
		{ "packets", required_argument, NULL, 'p' },
		{ "direction", required_argument, NULL, 'd' },
		{ "size", required_argument, NULL, 's' },
		{ "huge", no_argument, NULL, 'H' },
		{ "order", required_argument, NULL, 'o' },
		{ "prefetch", required_argument, NULL, 'f' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "bans", required_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t n = 1;
	uint64_t total = 20000000;
	unsigned size = 214;
	bool decrypt = false, huge = false, shuffled = false, base_n = false, base_pf = false;
	const char *prefetch = "auto"; /* dataplane.prefetch: the config checks it */
	const char *bans = "none";
	int c;

	while ((c = getopt_long(argc, argv, "n:p:d:s:", opts, NULL)) != -1) {
		switch (c) {
		case 'n': n = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'p': total = strtoull(optarg, NULL, 10); break;
		case 'd':
			if (!flow_direction(optarg, &decrypt))
				usage();
			break;
		case 's': size = (unsigned)atoi(optarg); break;
		case 'H': huge = true; break;
		case 'o':
			if (!flow_order(optarg, &shuffled))
				usage();
			break;
		case 'f': prefetch = optarg; break;
		case 'B':
			if (strcmp(optarg, "none") != 0 && strcmp(optarg, "addresses") != 0 &&
			    strcmp(optarg, "networks") != 0)
				usage();
			bans = optarg;
			break;
		case 'b':
			if (strcmp(optarg, "sessions") == 0 || strcmp(optarg, "prefetched") == 0) {
				base_n = true;
				base_pf = strcmp(optarg, "prefetched") == 0;
			} else if (strcmp(optarg, "one") != 0)
				usage();
			break;
		default: usage();
		}
	}
	if (strlen(prefetch) > 16 || n < 1 || n > 1000000 || total < BURST || total > 10000000000ull || size < 64 || size > 1500)
		usage();

	/* EAL: the defaults or what follows "--", then the vdevs and a file prefix of our own. */
	char prefix[64];
	char *eal[64];
	int ne = 0;

	snprintf(prefix, sizeof(prefix), "rtcg-bench-worker-%d", getpid());
	eal[ne++] = argv[0];
	if (optind < argc) {
		for (int i = optind; i < argc && ne < 54; i++)
			eal[ne++] = argv[i];
	} else {
		static char *def[] = { "-l", "0,1", "--main-lcore", "1", "--no-huge", "-m", "2048", "--no-pci" };

		for (unsigned i = 0; i < RTE_DIM(def); i++)
			if (!huge || strcmp(def[i], "--no-huge") != 0)
				eal[ne++] = def[i];
	}
	eal[ne++] = "--vdev";
	eal[ne++] = "net_null0";
	eal[ne++] = "--vdev";
	eal[ne++] = "net_null1";
	eal[ne++] = "--file-prefix";
	eal[ne++] = prefix;
	eal[ne++] = "--log-level";
	eal[ne++] = "*:error";
	eal[ne] = NULL;
	if (rte_eal_init(ne, eal) < 0) {
		fprintf(stderr, "bench-worker: EAL init failed%s\n",
			huge ? " (--huge: are 2 MiB hugepages reserved, /proc/sys/vm/nr_hugepages, and hugetlbfs mounted?)" : "");
		/* The prefix is this process's own (its pid): nobody else's directory. */
		dp_eal_remove_runtime_dir(rte_eal_get_runtime_dir());
		return 1;
	}
	/* Every exit from here on, the error ones too, removes the runtime directory. */
	atexit(dp_eal_cleanup);

	/* The gateway: public port 0, internal port 1, benchmark mode. */
	char yaml[1024], err[300];
	struct config_errors errs;
	struct rtcg_config *cfg;
	struct dp *dp;

	snprintf(yaml, sizeof(yaml),
		 "eal: {no_huge: true, memory_mb: 2048, no_pci: true}\n"
		 "lcores: {control: 0, workers: [1]}\n"
		 "ports:\n"
		 "  - {name: pub, device: net_null0, role: public, exception_path: false, addresses: [198.18.0.1/24]}\n"
		 "  - {name: int, device: net_null1, role: internal, exception_path: false,\n"
		 "     addresses: [198.19.0.1/24, 198.19.0.2/24]}\n"
		 "dataplane: {mbufs: 65535, max_sessions: %u, prefetch: %s, benchmark: {sessions: %u}}\n"
		 "media: {public_ports: {min: 20000, max: 29999}, internal_ports: {min: 2000, max: 61999}}\n",
		 n < 16 ? 16 : n, prefetch, n);
	cfg = config_load_buffer("bench-worker", yaml, strlen(yaml), NULL, 0, NULL, &errs);
	if (cfg == NULL) {
		for (unsigned i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msg[i]);
		return 1;
	}
	dp = dp_create(cfg, err, sizeof(err));
	if (dp == NULL || dp_bench_install(dp, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench-worker: %s\n", err);
		return 1;
	}
	/*
	 * --bans: entries none of the traffic matches, so each public burst
	 * pays the ban check without losing a packet: a single IPv4 and IPv6
	 * address (one pass of keys, hashes and filter tests, as sign-in bans
	 * cost), and with "networks" also a /24 and a /64 (one more pass for
	 * the burst's IPv4 sources).
	 */
	if (strcmp(bans, "none") != 0) {
		uint8_t a4[4] = { 198, 19, 255, 254 }, n4[4] = { 198, 19, 254, 0 }, a6[16] = { 0x20, 0x01, 0, 2 },
			n6[16] = { 0x20, 0x01, 0, 2, 0xff, 0xff };

		a6[15] = 1;
		if (dp_ban_add(dp, AF_INET, a4, 0) != 0 || dp_ban_add(dp, AF_INET6, a6, 0) != 0 ||
		    (strcmp(bans, "networks") == 0 &&
		     (dp_ban_add_net(dp, AF_INET, n4, 24, 0) != 0 || dp_ban_add_net(dp, AF_INET6, n6, 64, 0) != 0))) {
			fprintf(stderr, "bench-worker: cannot install the bans\n");
			return 1;
		}
	}
	for (unsigned i = 0; i < dp_port_count(dp); i++) {
		struct dp_port_status ps;

		if (dp_port_status(dp, i, &ps) != 0 || rte_eth_dev_start(ps.port_id) != 0) {
			fprintf(stderr, "bench-worker: cannot start port %u\n", i);
			return 1;
		}
	}

	/* The peers' frames: SRTP into the public port, or RTP into the internal one. */
	struct flow *flows = flows_create(cfg, n, decrypt, size);
	struct rtcg_srtp_engine *eng = rtcg_srtp_engine_create();
	uint8_t *ctx_mem = NULL;
	unsigned port = decrypt ? 0 : 1;

	if (flows == NULL || eng == NULL ||
	    (decrypt && (ctx_mem = flows_keys_create(flows, n, eng, cfg->dataplane.benchmark.profile)) == NULL)) {
		fprintf(stderr, "bench-worker: no memory for %u flows\n", n);
		return 1;
	}

	struct rte_mempool *pool = dp_mempool(dp);
	struct dp_totals t0, t1;
	uint64_t cycles = 0, sent = 0, failed = 0, nb = (total + BURST - 1) / BURST, ib = 0;
	uint64_t *burst_cycles = malloc(nb * sizeof(uint64_t));
	uint32_t cur = 0, *order = malloc((size_t)n * sizeof(uint32_t));

	/* The order bursts visit the sessions in, again and again (--order). */
	if (order == NULL) {
		fprintf(stderr, "bench-worker: no memory for %u flows\n", n);
		return 1;
	}
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	if (shuffled)
		flows_shuffle(order, n);

	/*
	 * The baseline's contexts and packets: session 0's frames (a flow of
	 * its own, so its sequence numbers run apart), whose RTP part tx
	 * protects (in the decrypt direction untimed, then rx unprotects it,
	 * timed), as the worker's sessions do.
	 */
	size_t cs = RTE_ALIGN_CEIL(rtcg_srtp_ctx_size(), 64);
	uint8_t *base_mem = rte_zmalloc(NULL, 2 * cs + (size_t)BURST * ROOM, 64);
	uint64_t *crypto_cycles = malloc(nb * sizeof(uint64_t)), nc = 0;
	struct rtcg_srtp_ctx *btx, *brx;
	struct flow bflow = flows[0];
	unsigned plen = 12u + bflow.payload;
	uint32_t zero = 0, bcur = 0;

	if (burst_cycles == NULL || crypto_cycles == NULL || base_mem == NULL) {
		fprintf(stderr, "bench-worker: no memory for %" PRIu64 " bursts' times\n", nb);
		return 1;
	}
	btx = (struct rtcg_srtp_ctx *)base_mem;
	brx = (struct rtcg_srtp_ctx *)(base_mem + cs);
	{
		uint8_t key[32], salt[14];

		dp_bench_key(0, 0, key, salt);
		if (rtcg_srtp_ctx_init(btx, eng, cfg->dataplane.benchmark.profile, key, salt, 128) != 0 ||
		    rtcg_srtp_ctx_init(brx, eng, cfg->dataplane.benchmark.profile, key, salt, 128) != 0) {
			fprintf(stderr, "bench-worker: cannot set up the baseline's SRTP contexts\n");
			return 1;
		}
	}

	/*
	 * --baseline sessions: N contexts of the crypto's own, the gateway's
	 * keys (encrypting) or the browsers' (decrypting, where the peers'
	 * protect has N more), and copies of the flows, whose sequence numbers
	 * run apart from the worker's.
	 */
	int profile = cfg->dataplane.benchmark.profile;
	struct flow *nflows = NULL;
	uint8_t *nmem = NULL, *npeer = NULL;
	uint64_t *ncycles = NULL, nn = 0;
	uint32_t ncur = 0;
	size_t ns = 0;

	if (base_n) {
		nflows = flows_create(cfg, n, decrypt, size);
		ncycles = malloc(nb * sizeof(uint64_t));
		nmem = bench_ctxs_create(n, decrypt ? 0 : 1, eng, profile, &ns);
		if (decrypt && nflows != NULL)
			npeer = flows_keys_create(nflows, n, eng, profile);
		if (nflows == NULL || ncycles == NULL || nmem == NULL || (decrypt && npeer == NULL)) {
			fprintf(stderr, "bench-worker: no memory for the baseline's %u contexts (-m, hugepages)\n", n);
			return 1;
		}
	}

	dp_totals(dp, &t0);
	while (sent < total) {
		/* A block of the worker's bursts... */
		for (unsigned blk = 0; blk < BLOCK && sent < total; blk++) {
			struct rte_mbuf *pkts[BURST];
			struct rtcg_srtp_pkt sp[BURST];
			struct rtcg_srtp_ctx *sc[BURST];
			uint64_t a, b;

			if (rte_pktmbuf_alloc_bulk(pool, pkts, BURST) != 0) {
				fprintf(stderr, "bench-worker: the gateway's mbuf pool ran dry (a leak?)\n");
				return 1;
			}
			for (unsigned k = 0; k < BURST; k++) {
				struct flow *f = &flows[order[cur]];
				uint8_t *d = (uint8_t *)rte_pktmbuf_append(pkts[k], (uint16_t)(f->hdr_len + f->payload + (decrypt ? 10 : 0)));

				flow_frame(f, d, decrypt, &sp[k]);
				sc[k] = f->ctx;
				if (++cur == n)
					cur = 0;
			}
			if (decrypt) {
				rtcg_srtp_protect_burst(eng, sc, sp, BURST);
				for (unsigned k = 0; k < BURST; k++)
					failed += sp[k].status != RTCG_SRTP_OK;
			}
			a = rte_rdtsc();
			dp_worker_rx(dp, 0, port, pkts, BURST);
			b = rte_rdtsc();
			cycles += b - a;
			burst_cycles[ib++] = b - a;
			sent += BURST;
		}
		/* ...then one of the crypto alone through one context... */
		for (unsigned blk = 0; blk < BLOCK && nc < nb; blk++)
			crypto_cycles[nc++] = crypto_burst(eng, decrypt, &bflow, &zero, 1, &bcur, (uint8_t *)btx,
							   (uint8_t *)(decrypt ? brx : btx), 0, base_mem + 2 * cs, false,
							   &failed);
		/* ...and with --baseline sessions or prefetched one through the N sessions' own. */
		for (unsigned blk = 0; base_n && blk < BLOCK && nn < nb; blk++)
			ncycles[nn++] = crypto_burst(eng, decrypt, nflows, order, n, &ncur, npeer, nmem, ns,
						     base_mem + 2 * cs, base_pf, &failed);
	}
	dp_totals(dp, &t1);

	uint64_t relayed = t1.relayed[0] + t1.relayed[1] - t0.relayed[0] - t0.relayed[1], dropped = 0;
	double hz = (double)rte_get_tsc_hz();
	double med_w, med_c;

	for (unsigned r = 0; r < DP_DROP_MAX; r++)
		dropped += t1.drops[r] - t0.drops[r];
	qsort(burst_cycles, ib, sizeof(uint64_t), cmp_u64);
	qsort(crypto_cycles, nc, sizeof(uint64_t), cmp_u64);
	med_w = burst_cycles[ib / 2] * 1e9 / hz / BURST;
	med_c = crypto_cycles[nc / 2] * 1e9 / hz / BURST;
	printf("bench-worker %s sessions %u frame %u bytes: %.1f ns a packet (median burst %.1f), "
	       "%" PRIu64 " packets, relayed %" PRIu64 ", dropped %" PRIu64 "\n",
	       decrypt ? "decrypt" : "encrypt", n, size, cycles * 1e9 / hz / (double)sent,
	       med_w, sent, relayed, dropped);
	printf("  session table lookups (flow cache misses or bypassed): %.1f%% of the packets\n",
	       100.0 * (double)(t1.flow_cache_misses - t0.flow_cache_misses) / (double)sent);
	printf("  at the end: %" PRIu64 " session directions in the worker's last 100-ms window, %s session state, flow cache %s\n",
	       t1.active_paths, t1.prefetching ? "prefetching" : "not prefetching",
	       t1.flow_cache_bypassed ? "bypassed" : "in use");
	printf("  bursts' ns a packet: 10%% %.1f, 50%% %.1f, 90%% %.1f, 99%% %.1f, 99.9%% %.1f\n",
	       burst_cycles[ib / 10] * 1e9 / hz / BURST, med_w,
	       burst_cycles[ib * 9 / 10] * 1e9 / hz / BURST, burst_cycles[ib * 99 / 100] * 1e9 / hz / BURST,
	       burst_cycles[ib * 999 / 1000] * 1e9 / hz / BURST);
	printf("  crypto only (%s, %u-byte RTP, one context, blocks of %u bursts alternating with the worker's): "
	       "median burst %.1f ns a packet (10%% %.1f, 90%% %.1f); worker / crypto %.2f\n",
	       decrypt ? "unprotect" : "protect", plen, BLOCK, med_c,
	       crypto_cycles[nc / 10] * 1e9 / hz / BURST, crypto_cycles[nc * 9 / 10] * 1e9 / hz / BURST,
	       med_w / med_c);
	for (unsigned r = 0; r < DP_DROP_MAX; r++)
		if (t1.drops[r] != t0.drops[r])
			printf("  drops %s: %" PRIu64 "\n", dp_drop_name(r), t1.drops[r] - t0.drops[r]);
	if (base_n) {
		qsort(ncycles, nn, sizeof(uint64_t), cmp_u64);
		printf("  crypto only through %u contexts (the worker's order, one a session, %zu bytes apart%s): "
		       "median burst %.1f ns a packet (10%% %.1f, 90%% %.1f); worker / crypto over %u %.2f, "
		       "crypto over %u / crypto %.2f\n",
		       n, ns, base_pf ? ", prefetched ahead" : "", ncycles[nn / 2] * 1e9 / hz / BURST, ncycles[nn / 10] * 1e9 / hz / BURST,
		       ncycles[nn * 9 / 10] * 1e9 / hz / BURST, n, med_w / (ncycles[nn / 2] * 1e9 / hz / BURST), n,
		       (double)ncycles[nn / 2] / (double)crypto_cycles[nc / 2]);
	}
	print_profile(dp, crypto_cycles, nc, hz);
	int rc = failed != 0 || relayed != sent;

	if (rc)
		fprintf(stderr, "bench-worker: %" PRIu64 " of %" PRIu64 " packets not relayed (%" PRIu64 " failed in the peers' protect or the baseline): the figure is not the relay's\n",
			sent - relayed, sent, failed);
	for (unsigned i = 0; i < dp_port_count(dp); i++) {
		struct dp_port_status ps;

		if (dp_port_status(dp, i, &ps) == 0)
			rte_eth_dev_stop(ps.port_id);
	}
	free(burst_cycles);
	free(crypto_cycles);
	free(ncycles);
	free(nflows);
	ctxs_free(nmem, n, ns);
	ctxs_free(npeer, n, ns);
	free(order);
	rtcg_srtp_ctx_clear(btx);
	rtcg_srtp_ctx_clear(brx);
	rte_free(base_mem);
	ctxs_free(ctx_mem, n, cs);
	free(flows);
	rtcg_srtp_engine_destroy(eng);
	dp_destroy(dp);
	config_free(cfg);
	return rc;
}
