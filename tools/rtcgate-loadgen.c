/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcgate-loadgen - a DPDK traffic generator for benchmark mode. It reads the
 * gateway's own YAML (so it derives exactly the synthetic sessions the
 * gateway installs, see dataplane/dp_bench.h) and sends, round-robin over the
 * sessions, either valid SRTP from the browsers into the public port
 * (--direction decrypt; sequence numbers advance, so replay protection
 * accepts every packet) or plain RTP from the SIP side into the internal port
 * (--direction encrypt), or both at once into both ports (--direction both,
 * a mixed load: port 0 is then the public port, port 1 the internal one,
 * and each burst alternates). It counts what comes back out, and checks
 * every frame: it must go to the far peer of the session its SSRC names
 * (addresses and ports), with the payload that session was sent; of SRTP
 * coming out, each session's first packet and then one in 16 are
 * unprotected with the gateway's keys to check them. It prints the frames
 * that fail as misdelivered (sent to the wrong peer, or no session's) and
 * corrupt (to the right peer, but not what was sent, or SRTP that fails
 * its check), and apart from them, not counted as relayed, what is not
 * UDP at all (not-udp: ARP or neighbour discovery the gateway's kernel
 * side sends through the port). The gateway's SRTP state carries over
 * from one run to the next: one run a direction per gateway start, or a
 * later run's packets are replays to it.
 * With --write-pcap (not with both) it writes one frame per session to a pcap file instead,
 * for dpdk-testpmd to replay (tools/bench-dataplane.sh); with --tx-queues N,
 * one file per queue (FILE.q.pcap), each with that queue's sessions.
 *
 * usage: rtcgate-loadgen --config GW.yaml --direction decrypt|encrypt|both
 *          [--duration S] [--pps N (0: as fast as it can)] [--size 214]
 *          [--write-pcap FILE] [--rx-queues N] [--tx-queues N [--rss-sort]]
 *          [--linger S] [--order slot|random] -- EAL-ARGS (two ports: 0 tx, 1 rx)
 * --order: each queue's sessions in the order they were installed (slot,
 * the default) or in one fixed shuffle (random), as independent streams
 * arrive; the written pcap files follow it too.
 * --rx-queues: receive queues per port, all polled (default 1). A memif
 * server needs one per transmit queue of its client: the gateway has one per
 * worker plus the control lcore's (tools/bench-dataplane.sh -Z).
 * --tx-queues: transmit queues per port (default 1), one per receive queue
 * of the gateway's port (ports[].rx_queues); session i is sent on queue
 * i mod N, or with --rss-sort on the queue of the worker the gateway's
 * software RSS gives its flow (dataplane/dp_rss.h), as a NIC's RSS would.
 * Every EAL lcore sends: queue q is lcore q mod L's (and so is each
 * session's SRTP context), as is receive queue q.
 * --linger: after printing its figures, poll nothing and keep its ports open
 * for up to S seconds or until SIGTERM/SIGINT, so that the gateway can be
 * read while the link is still up (DPDK 22.11's memif driver can fault in
 * the gateway's rx poll as its peer leaves: tools/bench-dataplane.sh reads
 * the row's counters first, then stops the generator).
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "config.h"
#include "dp_bench.h"
#include "rtcg_srtp.h"
#include "dp_eal.h"
#include "dp_rss.h"
#include "bench_flow.h"

#define BURST 32
#define MAX_RXQ 16
#define MAX_TXQ 16

static volatile bool quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = true;
}

static void
usage(void)
{
	fprintf(stderr, "usage: rtcgate-loadgen --config GW.yaml --direction decrypt|encrypt|both "
			"[--duration S] [--pps N] [--size BYTES] [--write-pcap FILE] [--rx-queues N] "
			"[--tx-queues N [--rss-sort]] [--linger S] [--order slot|random] -- EAL-ARGS\n");
	exit(2);
}

/* A transmit queue: its sessions, and where its round-robin is. */
struct txq {
	uint32_t *sess;
	uint32_t n, cur;
};

/* One kind of traffic sent: its frames, the port they go out of, each transmit queue's sessions. */
struct stream {
	struct flow *flows;
	struct txq txq[MAX_TXQ];
	bool decrypt;
	uint16_t port;
};

/*
 * What comes back out of a port, checked frame by frame (check_frame):
 * the session its SSRC names must have been sent to that session's far
 * peer (the addresses and ports of rev, its frames from that peer, the
 * other way round), carrying what fwd's frames carried: plain RTP (plain)
 * read as it is; SRTP by its length, and each session's first packet back
 * and then one in 16 (by sequence number) unprotected with the gateway's
 * keys (ctx, stride). The first one sets the context's rollover count
 * where the gateway's is (a context that first saw a packet after its
 * sequence numbers wrapped would guess 0, one behind the gateway).
 * A session's frames come back on one receive queue (its direction has
 * one worker, whose transmit queue feeds that queue), which one lcore
 * polls: its context is used by that lcore alone.
 */
struct rx_check {
	uint16_t port;
	bool plain;
	const struct flow *rev, *fwd;
	uint8_t *ctx;
	size_t stride;
	uint8_t *seen; /* [session]: a packet of it was checked */
};

struct rx_count {
	uint64_t received;
	uint64_t misdelivered; /* no session's, or not to its peer */
	uint64_t corrupt;      /* to its peer, but not what was sent */
	uint64_t tags;	       /* SRTP packets unprotected to check them */
	uint64_t other;	       /* not UDP over IP: ARP, neighbour discovery from the gateway's kernel side */
};

static struct stream streams[2];
static unsigned n_streams;
static struct rx_check checks[2];
static unsigned n_checks;
static uint32_t n_sessions;

/* Check one frame that came back; false: not UDP over IP (rc->other), not a relayed one. */
static bool
check_frame(const struct rx_check *c, struct rte_mbuf *m, struct rtcg_srtp_engine *eng,
	    struct rx_count *rc)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	unsigned len = m->data_len, off, ulen, pl;
	uint32_t i;

	if (len >= 24 && !((d[12] == 0x08 && d[13] == 0x00 && d[23] == IPPROTO_UDP) ||
			   (d[12] == 0x86 && d[13] == 0xdd && d[20] == IPPROTO_UDP))) {
		rc->other++;
		return false;
	}
	if (m->nb_segs != 1 || !flow_session(d, len, n_sessions, &i) ||
	    !flow_is_reply(&c->rev[i], d, len, &off)) {
		rc->misdelivered++;
		return true;
	}
	ulen = (unsigned)d[off - 4] << 8 | d[off - 3];
	pl = c->fwd[i].payload;
	if (ulen < 8 || off - 8 + ulen > len) {
		rc->corrupt++;
		return true;
	}
	ulen -= 8; /* the RTP packet */
	if (c->plain) {
		if (ulen != 12 + pl || !flow_payload_ok(d + off + 12, pl))
			rc->corrupt++;
		return true;
	}
	if (ulen < 12 + pl + 4) { /* no tag (the shortest is 32 bits) */
		rc->corrupt++;
		return true;
	}
	if ((d[off + 3] & 15) == 0 || !c->seen[i]) {
		struct rtcg_srtp_ctx *ctx = (struct rtcg_srtp_ctx *)(c->ctx + c->stride * i);
		struct rtcg_srtp_pkt sp = { .data = d + off, .len = ulen, .room = ulen };

		rtcg_srtp_unprotect_burst(eng, &ctx, &sp, 1);
		rc->tags++;
		c->seen[i] = 1;
		if (sp.status != RTCG_SRTP_OK || sp.len != 12 + pl || !flow_payload_ok(d + off + 12, pl))
			rc->corrupt++;
	}
	return true;
}

/*
 * What waits on receive queues q = first, first + step, ... of the checked
 * ports, up to 4 bursts a queue, checked and freed; how many. More than
 * one burst: the gateway may send a queue's packets faster than one burst
 * a round takes them.
 */
static unsigned
receive(unsigned first, unsigned step, unsigned nq, struct rtcg_srtp_engine *eng, struct rx_count *rc)
{
	unsigned total = 0;

	for (unsigned k = 0; k < n_checks; k++) {
		for (uint16_t q = (uint16_t)first; q < nq; q = (uint16_t)(q + step)) {
			for (unsigned b = 0; b < 4; b++) {
				struct rte_mbuf *rx[BURST];
				uint16_t n = rte_eth_rx_burst(checks[k].port, q, rx, BURST);

				for (uint16_t j = 0; j < n; j++)
					rc->received += check_frame(&checks[k], rx[j], eng, rc);
				if (n != 0)
					rte_pktmbuf_free_bulk(rx, n);
				total += n;
				if (n < BURST)
					break;
			}
		}
	}
	return total;
}

/* One sending lcore: transmit queues index, index + n_lcores, ... and as many receive queues. */
struct sender {
	unsigned index, n_lcores, ntx, nq;
	struct rte_mempool *pool;
	struct rtcg_srtp_engine *eng;
	uint64_t start, end, gap;
	uint64_t sent, failed;
	unsigned turn; /* mixed traffic: the streams take turns on each queue, a burst each */
	struct rx_count rc;
};

static int
send_loop(void *arg)
{
	struct sender *sd = arg;
	uint64_t next = sd->start;
	unsigned q = sd->index;

	if (q >= sd->ntx) { /* more lcores than transmit queues: this one only receives */
		while (!quit && rte_get_tsc_cycles() < sd->end)
			receive(sd->index, sd->n_lcores, sd->nq, sd->eng, &sd->rc);
		return 0;
	}
	while (!quit && rte_get_tsc_cycles() < sd->end) {
		struct rte_mbuf *pkts[BURST];
		struct rtcg_srtp_pkt sp[BURST];
		struct rtcg_srtp_ctx *sc[BURST];
		struct stream *st = &streams[sd->turn % n_streams];
		struct txq *t = &st->txq[q];

		receive(sd->index, sd->n_lcores, sd->nq, sd->eng, &sd->rc);
		if (sd->gap && rte_get_tsc_cycles() < next)
			continue;
		next += sd->gap;
		if (t->n == 0 || rte_pktmbuf_alloc_bulk(sd->pool, pkts, BURST) != 0)
			goto next_queue;
		for (unsigned k = 0; k < BURST; k++) {
			struct flow *f = &st->flows[t->sess[t->cur]];
			uint8_t *d = (uint8_t *)rte_pktmbuf_append(pkts[k], (uint16_t)(f->hdr_len + f->payload + (st->decrypt ? 10 : 0)));

			flow_frame(f, d, st->decrypt, &sp[k]);
			sc[k] = f->ctx;
			if (++t->cur == t->n)
				t->cur = 0;
		}
		if (st->decrypt) {
			rtcg_srtp_protect_burst(sd->eng, sc, sp, BURST);
			for (unsigned k = 0; k < BURST; k++)
				if (sp[k].status != RTCG_SRTP_OK)
					sd->failed++;
		}
		/*
		 * Back-pressure: what the port does not take now is sent again,
		 * not dropped, so each flow's sequence numbers stay continuous (a
		 * gap over 2^15 would lose the receiver's rollover count, RFC 3711
		 * 3.3.1, and every packet after it would fail authentication).
		 */
		uint16_t s = 0;

		while (s < BURST && !quit && rte_get_tsc_cycles() < sd->end) {
			s += rte_eth_tx_burst(st->port, (uint16_t)q, pkts + s, (uint16_t)(BURST - s));
			if (s < BURST)
				receive(sd->index, sd->n_lcores, sd->nq, sd->eng, &sd->rc);
		}
		sd->sent += s;
		if (s < BURST)
			rte_pktmbuf_free_bulk(&pkts[s], BURST - s);
next_queue:
		if (++sd->turn % n_streams != 0)
			continue; /* the other stream's turn on this queue */
		q += sd->n_lcores;
		if (q >= sd->ntx)
			q = sd->index;
	}
	return 0;
}

static int
write_pcap(const char *path, const struct flow *flows, const struct txq *t)
{
	pcap_t *pd = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pcap_dump_open(pd, path);
	uint8_t buf[2048];

	if (d == NULL) {
		fprintf(stderr, "rtcgate-loadgen: %s: %s\n", path, pcap_geterr(pd));
		return 1;
	}
	for (uint32_t k = 0; k < t->n; k++) {
		struct flow f = flows[t->sess[k]];
		struct pcap_pkthdr h = { 0 };

		h.caplen = h.len = (bpf_u_int32)flow_frame(&f, buf, false, NULL);
		pcap_dump((u_char *)d, &h, buf);
	}
	pcap_dump_close(d);
	pcap_close(pd);
	printf("wrote %u frames (one per session) to %s\n", t->n, path);
	return 0;
}

/* Each transmit queue's sessions of stream st (ntx queues), in slot or shuffled order. */
static bool
deal_sessions(struct stream *st, uint32_t n, unsigned ntx, bool rss_sort, bool shuffled)
{
	for (uint16_t q = 0; q < ntx; q++) {
		st->txq[q].sess = calloc(n, sizeof(uint32_t));
		if (st->txq[q].sess == NULL)
			return false;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t h = i;

		if (rss_sort && !dp_rss_hash(st->flows[i].frame, st->flows[i].hdr_len, &h))
			h = i;
		struct txq *t = &st->txq[h % ntx];

		t->sess[t->n++] = i;
	}
	for (uint16_t q = 0; shuffled && q < ntx; q++)
		flows_shuffle(st->txq[q].sess, st->txq[q].n);
	return true;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "direction", required_argument, NULL, 'd' },
		{ "duration", required_argument, NULL, 't' },
		{ "pps", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "write-pcap", required_argument, NULL, 'w' },
		{ "rx-queues", required_argument, NULL, 'q' },
		{ "tx-queues", required_argument, NULL, 'x' },
		{ "rss-sort", no_argument, NULL, 'r' },
		{ "linger", required_argument, NULL, 'l' },
		{ "order", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL, *pcap_out = NULL, *dir_name = "decrypt";
	bool decrypt = true, both = false;
	double duration = 5, linger = 0;
	uint64_t pps = 0;
	unsigned size = 214, nq = 1, ntx = 1;
	bool rss_sort = false, shuffled = false;
	struct config_errors errs;
	struct rtcg_config *cfg;
	struct flow *fl[2]; /* [1]: the decrypt direction's frames, [0]: the encrypt direction's */
	uint32_t n;
	int c;

	while ((c = getopt_long(argc, argv, "c:d:t:p:s:w:q:x:rl:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'd':
			dir_name = optarg;
			both = strcmp(optarg, "both") == 0;
			if (!both && !flow_direction(optarg, &decrypt))
				usage();
			break;
		case 't': duration = atof(optarg); break;
		case 'p': pps = strtoull(optarg, NULL, 10); break;
		case 's': size = (unsigned)atoi(optarg); break;
		case 'w': pcap_out = optarg; break;
		case 'q': nq = (unsigned)atoi(optarg); break;
		case 'x': ntx = (unsigned)atoi(optarg); break;
		case 'r': rss_sort = true; break;
		case 'l': linger = atof(optarg); break;
		case 'o':
			if (!flow_order(optarg, &shuffled))
				usage();
			break;
		default: usage();
		}
	}
	if (config == NULL || duration <= 0 || duration > 600 || linger < 0 || linger > 600 ||
	    size < 64 || size > 1500 || (both && pcap_out != NULL) ||
	    nq < 1 || nq > MAX_RXQ || ntx < 1 || ntx > MAX_TXQ)
		usage();
	cfg = config_load(config, NULL, 0, NULL, &errs);
	if (cfg == NULL) {
		for (unsigned i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msg[i]);
		return 1;
	}
	n = n_sessions = cfg->dataplane.benchmark.sessions;
	if (n == 0) {
		fprintf(stderr, "rtcgate-loadgen: %s has dataplane.benchmark.sessions 0\n", config);
		return 1;
	}
	/* Both directions' frames: what is sent, and what the replies are checked against. */
	fl[0] = flows_create(cfg, n, false, size);
	fl[1] = flows_create(cfg, n, true, size);
	if (fl[0] == NULL || fl[1] == NULL) {
		fprintf(stderr, "rtcgate-loadgen: no memory for %u flows\n", n);
		return 1;
	}
	/*
	 * Port 0 is the gateway's port the traffic goes into, port 1 the one it
	 * comes out of; mixed (both), port 0 is the public port and port 1 the
	 * internal one, and each carries one direction in and the other out.
	 */
	n_streams = both ? 2 : 1;
	for (unsigned k = 0; k < n_streams; k++) {
		struct stream *st = &streams[k];

		st->decrypt = both ? k == 0 : decrypt;
		st->flows = fl[st->decrypt];
		st->port = both ? (uint16_t)k : 0;
		if (!deal_sessions(st, n, ntx, rss_sort, shuffled)) {
			fprintf(stderr, "rtcgate-loadgen: no memory for %u sessions\n", n);
			return 1;
		}
		checks[n_checks++] = (struct rx_check){
			.port = both ? (uint16_t)(1 - k) : 1,
			.plain = st->decrypt,
			.rev = fl[!st->decrypt],
			.fwd = st->flows,
		};
	}
	if (pcap_out != NULL) {
		/* One file, or FILE.q.pcap (FILE less its .pcap) for each queue q. */
		size_t base = strlen(pcap_out);
		int rc = 0;

		if (base > 5 && strcmp(pcap_out + base - 5, ".pcap") == 0)
			base -= 5;
		for (uint16_t q = 0; rc == 0 && q < ntx; q++) {
			char path[4096];

			if (ntx == 1)
				snprintf(path, sizeof(path), "%s", pcap_out);
			else
				snprintf(path, sizeof(path), "%.*s.%u.pcap", (int)base, pcap_out, q);
			rc = write_pcap(path, streams[0].flows, &streams[0].txq[q]);
		}
		for (uint16_t q = 0; q < ntx; q++)
			free(streams[0].txq[q].sess);
		free(fl[0]);
		free(fl[1]);
		config_free(cfg);
		return rc;
	}

	/* EAL arguments follow "--". */
	{
		int eal_argc = argc - optind + 1;
		char **eal_argv = &argv[optind - 1];

		eal_argv[0] = argv[0];
		if (rte_eal_init(eal_argc, eal_argv) < 0) {
			fprintf(stderr, "rtcgate-loadgen: EAL init failed\n");
			return 1;
		}
		/* Every exit from here on, the error ones too, removes the runtime directory. */
		atexit(dp_eal_cleanup);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (rte_eth_dev_count_avail() < 2) {
		fprintf(stderr, "rtcgate-loadgen: needs two ports (0: tx into the gateway, 1: rx from it; both: 0 public, 1 internal)\n");
		return 1;
	}
	struct rte_mempool *pool = rte_pktmbuf_pool_create("lg_pool", 16383, 256, 0,
							   RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	struct rtcg_srtp_engine *eng = rtcg_srtp_engine_create();
	uint8_t *ctx_mem = NULL, *check_mem = NULL;
	int profile = cfg->dataplane.benchmark.profile;

	/* The browsers' keys to send SRTP, the gateway's to check what it sends. */
	if ((decrypt || both) &&
	    (ctx_mem = flows_keys_create(fl[1], n, eng, profile)) == NULL) {
		fprintf(stderr, "rtcgate-loadgen: no memory for %u SRTP contexts\n", n);
		return 1;
	}
	for (unsigned k = 0; k < n_checks; k++) {
		if (checks[k].plain)
			continue;
		check_mem = bench_ctxs_create(n, 1, eng, profile, &checks[k].stride);
		if (check_mem == NULL) {
			fprintf(stderr, "rtcgate-loadgen: no memory for %u SRTP contexts\n", n);
			return 1;
		}
		checks[k].ctx = check_mem;
		checks[k].seen = calloc(n, 1);
		if (checks[k].seen == NULL) {
			fprintf(stderr, "rtcgate-loadgen: no memory for %u sessions\n", n);
			return 1;
		}
	}
	for (uint16_t port = 0; port < 2; port++) {
		struct rte_eth_conf conf = { 0 };

		int rc = rte_eth_dev_configure(port, (uint16_t)nq, (uint16_t)ntx, &conf);

		for (uint16_t q = 0; rc == 0 && q < nq; q++)
			rc = rte_eth_rx_queue_setup(port, q, 1024, rte_socket_id(), NULL, pool);
		for (uint16_t q = 0; rc == 0 && q < ntx; q++)
			rc = rte_eth_tx_queue_setup(port, q, 1024, rte_socket_id(), NULL);
		if (rc != 0 || rte_eth_dev_start(port) != 0) {
			fprintf(stderr, "rtcgate-loadgen: port %u set-up failed\n", port);
			return 1;
		}
		rte_eth_promiscuous_enable(port);
	}
	/* Wait for the links (memif connects asynchronously). */
	for (int t = 0; t < 100; t++) {
		struct rte_eth_link l0, l1;

		rte_eth_link_get_nowait(0, &l0);
		rte_eth_link_get_nowait(1, &l1);
		if (l0.link_status && l1.link_status)
			break;
		rte_delay_ms(100);
	}

	/* The lcore that sends each transmit queue's sessions. */
	unsigned nl = rte_lcore_count(), li = 0, lcore;
	struct sender snd[RTE_MAX_LCORE];
	uint64_t hz = rte_get_tsc_hz(), start = rte_get_tsc_cycles();

	memset(snd, 0, sizeof(snd));
	RTE_LCORE_FOREACH(lcore) {
		struct sender *sd = &snd[li];

		sd->index = li;
		sd->n_lcores = nl;
		sd->ntx = ntx;
		sd->nq = nq;
		sd->pool = pool;
		sd->start = start;
		sd->end = start + (uint64_t)(duration * hz);
		sd->gap = pps ? hz * BURST * nl / pps : 0;
		sd->eng = li == 0 ? eng : rtcg_srtp_engine_create();
		if (lcore != rte_get_main_lcore())
			rte_eal_remote_launch(send_loop, sd, lcore);
		li++;
	}
	send_loop(&snd[0]);
	rte_eal_mp_wait_lcore();

	uint64_t sent = 0, failed = 0;
	struct rx_count rc = { 0 };

	for (unsigned k = 0; k < nl; k++) {
		sent += snd[k].sent;
		failed += snd[k].failed;
		rc.received += snd[k].rc.received;
		rc.misdelivered += snd[k].rc.misdelivered;
		rc.corrupt += snd[k].rc.corrupt;
		rc.tags += snd[k].rc.tags;
		rc.other += snd[k].rc.other;
		if (k != 0)
			rtcg_srtp_engine_destroy(snd[k].eng);
	}
	/* Let the last packets come back. */
	for (int t = 0; t < 200; t++)
		if (receive(0, 1, nq, eng, &rc) == 0)
			rte_delay_us_sleep(1000);
	printf("direction %s sessions %u frame %u bytes: offered %" PRIu64 " (%.3f Mpps) relayed %" PRIu64
	       " (%.3f Mpps) loss %.3f%% srtp-errors %" PRIu64 " misdelivered %" PRIu64
	       " corrupt %" PRIu64 " srtp-checked %" PRIu64 " not-udp %" PRIu64 "\n",
	       dir_name, n, size, sent, sent / duration / 1e6, rc.received,
	       rc.received / duration / 1e6, sent ? 100.0 * ((double)sent - (double)rc.received) / (double)sent : 0.0,
	       failed, rc.misdelivered, rc.corrupt, rc.tags, rc.other);
	fflush(stdout);
	for (uint64_t until = rte_get_tsc_cycles() + (uint64_t)(linger * (double)rte_get_tsc_hz());
	     !quit && rte_get_tsc_cycles() < until;)
		rte_delay_us_sleep(10000);
	for (uint16_t port = 0; port < 2; port++) {
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
	rte_free(ctx_mem);
	rte_free(check_mem);
	for (unsigned k = 0; k < n_checks; k++)
		free(checks[k].seen);
	rtcg_srtp_engine_destroy(eng);
	for (unsigned k = 0; k < n_streams; k++)
		for (uint16_t q = 0; q < ntx; q++)
			free(streams[k].txq[q].sess);
	free(fl[0]);
	free(fl[1]);
	config_free(cfg);
	return 0;
}
