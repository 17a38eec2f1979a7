/* SPDX-License-Identifier: BSD-3-Clause */
/* dataplane.c - create, start and stop the dataplane; read its counters. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_udp.h>
#include <netinet/in.h>

#include "dp_priv.h"

RTE_LOG_REGISTER(dp_logtype, rtcgate.dataplane, INFO);

static const char *const drop_names[] = {
#define DP_DROP(e, n, d) #n,
#include "dp_drops.def"
#undef DP_DROP
};

const char *
dp_drop_name(enum dp_drop_reason r)
{
	return r < DP_DROP_MAX ? drop_names[r] : "?";
}

static int
push_arg(char **argv, int *argc, int max, const char *fmt, ...)
{
	char buf[CONFIG_STR + 32];
	va_list ap;

	if (*argc >= max - 1)
		return -E2BIG;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	argv[*argc] = strdup(buf);
	if (argv[*argc] == NULL)
		return -ENOMEM;
	(*argc)++;
	argv[*argc] = NULL;
	return 0;
}

int
dp_eal_args(const struct rtcg_config *cfg, char **argv, int max)
{
	char lcores[CONFIG_MAX_WORKERS * 5 + 8];
	size_t o;
	int argc = 0, rc = 0;

	o = snprintf(lcores, sizeof(lcores), "%u", cfg->lcores.control);
	for (unsigned i = 0; i < cfg->lcores.n_workers; i++)
		o += snprintf(lcores + o, sizeof(lcores) - o, ",%u", cfg->lcores.workers[i]);

	rc |= push_arg(argv, &argc, max, "rtcgate");
	rc |= push_arg(argv, &argc, max, "-l");
	rc |= push_arg(argv, &argc, max, "%s", lcores);
	rc |= push_arg(argv, &argc, max, "--main-lcore");
	rc |= push_arg(argv, &argc, max, "%u", cfg->lcores.control);
	rc |= push_arg(argv, &argc, max, "--file-prefix");
	rc |= push_arg(argv, &argc, max, "%s", cfg->eal.file_prefix);
	/* EAL's start-up chatter only when asked for debug logging. */
	rc |= push_arg(argv, &argc, max, "--log-level");
	rc |= push_arg(argv, &argc, max, "lib.eal:%s", cfg->log.level >= 7 ? "debug" : "warning");
	/* net_tap reports a missing multiq qdisc (rte_flow only) as an error. */
	if (cfg->log.level < 7) {
		rc |= push_arg(argv, &argc, max, "--log-level");
		rc |= push_arg(argv, &argc, max, "pmd.net.tap:crit");
	}
	if (cfg->eal.no_huge)
		rc |= push_arg(argv, &argc, max, "--no-huge");
	if (cfg->eal.memory_mb != 0) {
		rc |= push_arg(argv, &argc, max, "-m");
		rc |= push_arg(argv, &argc, max, "%u", cfg->eal.memory_mb);
	}
	if (cfg->eal.no_pci)
		rc |= push_arg(argv, &argc, max, "--no-pci");
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		rc |= push_arg(argv, &argc, max, config_device_is_vdev(cfg->ports[i].device) ? "--vdev" : "-a");
		rc |= push_arg(argv, &argc, max, "%s", cfg->ports[i].device);
	}
	for (unsigned i = 0; i < cfg->eal.n_extra_args; i++)
		rc |= push_arg(argv, &argc, max, "%s", cfg->eal.extra_args[i]);
	return rc != 0 ? -E2BIG : argc;
}

struct dp *
dp_create(const struct rtcg_config *cfg, char *err, size_t errlen)
{
	struct dp *dp = rte_zmalloc("rtcg_dp", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	int rc;

	if (dp == NULL) {
		snprintf(err, errlen, "dataplane: out of memory");
		rte_errno = ENOMEM;
		return NULL;
	}
	dp->cfg = cfg;
	dp->n_workers = cfg->lcores.n_workers;
	/*
	 * Drivers fill every rx descriptor at start: the pool must hold them
	 * all (counting the extra queue some drivers need), plus bursts in flight
	 * and the per-lcore caches.
	 */
	{
		uint64_t need = (uint64_t)(dp->n_workers + 1) * DP_BURST * 2 +
				(uint64_t)(dp->n_workers + 1) * 256;

		for (unsigned i = 0; i < cfg->n_ports; i++)
			need += (uint64_t)(dp->n_workers + 1) * cfg->ports[i].rx_descriptors + 512;
		if (cfg->dataplane.mbufs < need) {
			snprintf(err, errlen,
				 "dataplane.mbufs %u is too few for the ports' rx descriptors and queues: need at least %" PRIu64
				 " (or lower ports[].rx_descriptors)", cfg->dataplane.mbufs, need);
			rte_free(dp);
			rte_errno = EINVAL;
			return NULL;
		}
	}
	dp->workers = rte_zmalloc("rtcg_workers", dp->n_workers * sizeof(*dp->workers),
				  RTE_CACHE_LINE_SIZE);
	dp->pool = rte_pktmbuf_pool_create("rtcg_mbufs", cfg->dataplane.mbufs, 256, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (dp->workers == NULL || dp->pool == NULL) {
		snprintf(err, errlen,
			 "dataplane: cannot allocate %u packet buffers: %s (raise eal.memory_mb or lower dataplane.mbufs)",
			 cfg->dataplane.mbufs, rte_strerror(rte_errno));
		dp_destroy(dp);
		rte_errno = ENOMEM;
		return NULL;
	}
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		dp->ports[i].cfg = &cfg->ports[i];
		rc = dp_port_setup(dp, i, err, errlen);
		if (rc != 0)
			goto fail;
		dp->n_ports++;
	}
	for (unsigned i = 0; i < dp->n_ports; i++) {
		if (!cfg->ports[i].exception_path)
			continue;
		rc = dp_exception_setup(dp, i, err, errlen);
		if (rc != 0)
			goto fail;
	}
	{
		size_t sz = rte_rcu_qsbr_get_memsize(dp->n_workers);

		dp->qsv = rte_zmalloc("rtcg_rcu", sz, RTE_CACHE_LINE_SIZE);
		if (dp->qsv == NULL || rte_rcu_qsbr_init(dp->qsv, dp->n_workers) != 0) {
			snprintf(err, errlen, "dataplane: cannot set up RCU");
			rc = -ENOMEM;
			goto fail;
		}
	}
	dp->punt = rte_ring_create("rtcg_punt", cfg->dataplane.punt_ring_size, rte_socket_id(),
				   RING_F_SC_DEQ);
	if (dp->punt == NULL) {
		snprintf(err, errlen, "dataplane: cannot create the punt ring: %s",
			 rte_strerror(rte_errno));
		rc = -ENOMEM;
		goto fail;
	}
	dp->events = rte_ring_create("rtcg_events", 1024, rte_socket_id(), RING_F_SC_DEQ);
	if (dp->events == NULL) {
		snprintf(err, errlen, "dataplane: cannot create the event ring: %s",
			 rte_strerror(rte_errno));
		rc = -ENOMEM;
		goto fail;
	}
	rc = dp_sessions_init(dp, err, errlen);
	if (rc == 0)
		rc = dp_bans_init(dp, err, errlen);
	if (rc != 0)
		goto fail;
	{
		/* auto: a worker prefetches session state above what its L2 holds (worker.c, dp_paths_window). */
		long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);

		if (l2 <= 0)
			l2 = 256 * 1024; /* unknown: the smallest L2 of a DPDK-class core */
		dp->win_tsc = rte_get_tsc_hz() / 10;
		dp->prefetch_paths = (uint32_t)(l2 / (DP_PATH_HOT_LINES * RTE_CACHE_LINE_SIZE));
		if (cfg->dataplane.prefetch == CONFIG_PREFETCH_AUTO)
			DP_LOG(INFO, "workers prefetch session state above %u active session directions each (L2 %ld KiB)",
			       dp->prefetch_paths, l2 / 1024);
		else
			DP_LOG(INFO, "workers %s prefetch session state (dataplane.prefetch)",
			       cfg->dataplane.prefetch == CONFIG_PREFETCH_ALWAYS ? "always" : "never");
	}
	for (unsigned w = 0; w < dp->n_workers; w++) {
		struct dp_lcore_conf *lc = &dp->workers[w];
		uint32_t n;

		lc->prefetch = cfg->dataplane.prefetch != CONFIG_PREFETCH_NEVER;
		lc->stats.prefetching = lc->prefetch; /* auto: until its first window says otherwise */
		lc->lcore_id = cfg->lcores.workers[w];
		lc->index = w;
		lc->tx_queue = w;
		lc->idle_sleep_us = cfg->lcores.idle_sleep_us;
		lc->srtp = rtcg_srtp_engine_create();
		if (lc->srtp == NULL) {
			snprintf(err, errlen, "dataplane: cannot create the SRTP engine of lcore %u",
				 lc->lcore_id);
			rc = -ENOMEM;
			goto fail;
		}
		/*
		 * Buckets of eight 8-byte entries, one for two sessions (a power
		 * of two, at least 512): four entries a session, of which a
		 * worker's flows take one to three, so few find all eight ways
		 * of their bucket taken.
		 */
		n = rte_align32pow2(dp->sess.max_sessions < 1024 ? 512 : dp->sess.max_sessions / 2);
		lc->fc.e = rte_zmalloc_socket("rtcg_flow_cache",
					      (size_t)n * DP_FLOW_CACHE_WAYS * sizeof(*lc->fc.e),
					      RTE_CACHE_LINE_SIZE, (int)rte_lcore_to_socket_id(lc->lcore_id));
		if (lc->fc.e == NULL) {
			snprintf(err, errlen,
				 "dataplane: cannot allocate the flow cache of lcore %u (%u buckets, %zu MiB): raise eal.memory_mb or lower dataplane.max_sessions",
				 lc->lcore_id, n, (size_t)n * DP_FLOW_CACHE_WAYS * sizeof(*lc->fc.e) >> 20);
			rc = -ENOMEM;
			goto fail;
		}
		lc->fc.shift = 32u - (unsigned)rte_log2_u32(n);
		rte_rcu_qsbr_thread_register(dp->qsv, w);
	}
	if (dp_telemetry_register(dp) != 0)
		DP_LOG(WARNING, "telemetry commands /rtcgate/* already registered");
	/* Software RSS rings: one per worker and spread port, any worker may fill it. */
	for (unsigned p = 0; p < dp->n_ports; p++) {
		if (!dp->ports[p].sw_rss)
			continue;
		for (unsigned w = 0; w < dp->n_workers; w++) {
			char name[RTE_RING_NAMESIZE];

			snprintf(name, sizeof(name), "rtcg_sw%u_%u", p, w);
			dp->workers[w].swq[p] = rte_ring_create(name, 2048, rte_socket_id(),
								RING_F_SC_DEQ);
			if (dp->workers[w].swq[p] == NULL) {
				snprintf(err, errlen, "dataplane: cannot create the software RSS ring %s: %s",
					 name, rte_strerror(rte_errno));
				rc = -ENOMEM;
				goto fail;
			}
		}
	}
	/*
	 * Each rx queue has one owner, dealt round the workers in turn over
	 * all ports: a port's n queues go to n workers, and single-queue ports
	 * (software RSS) to different ones, which share the receiving.
	 */
	unsigned next = 0;

	for (unsigned p = 0; p < dp->n_ports; p++) {
		for (uint16_t q = 0; q < dp->ports[p].nb_rxq; q++) {
			struct dp_lcore_conf *lc = &dp->workers[next++ % dp->n_workers];

			if (lc->n_rxq == DP_MAX_RXQ)
				continue;
			lc->rxq[lc->n_rxq].port = (uint16_t)p;
			lc->rxq[lc->n_rxq].port_id = dp->ports[p].port_id;
			lc->rxq[lc->n_rxq].queue = q;
			lc->n_rxq++;
		}
	}
	return dp;
fail:
	dp_destroy(dp);
	rte_errno = -rc;
	return NULL;
}

int
dp_start(struct dp *dp)
{
	char err[300];

	if (dp->cfg->dataplane.benchmark.sessions != 0 && dp->sess.count == 0 &&
	    dp_bench_install(dp, err, sizeof(err)) != 0) {
		DP_LOG(ERR, "%s", err);
		return -EINVAL;
	}
	for (unsigned i = 0; i < dp->n_ports; i++) {
		int rc = rte_eth_dev_start(dp->ports[i].port_id);

		if (rc != 0) {
			DP_LOG(ERR, "port %s: start failed: %s", dp->ports[i].cfg->name,
			       rte_strerror(-rc));
			return rc;
		}
		dp->ports[i].started = true;
	}
	dp->quit = false;
	for (unsigned w = 0; w < dp->n_workers; w++) {
		int rc = rte_eal_remote_launch(dp_worker_main, dp, dp->workers[w].lcore_id);

		if (rc != 0) {
			DP_LOG(ERR, "cannot launch worker on lcore %u: %s",
			       dp->workers[w].lcore_id, rte_strerror(-rc));
			dp_stop(dp);
			return rc;
		}
	}
	dp->launched = true;
	return 0;
}

void
dp_stop(struct dp *dp)
{
	if (dp == NULL)
		return;
	dp->quit = true;
	if (dp->launched) {
		for (unsigned w = 0; w < dp->n_workers; w++)
			rte_eal_wait_lcore(dp->workers[w].lcore_id);
		dp->launched = false;
	}
	for (unsigned i = 0; i < dp->n_ports; i++) {
		if (!dp->ports[i].started)
			continue;
		rte_eth_dev_stop(dp->ports[i].port_id);
		dp->ports[i].started = false;
	}
}

void
dp_destroy(struct dp *dp)
{
	if (dp == NULL)
		return;
	dp_stop(dp);
	dp_exception_free(dp);
	for (unsigned i = 0; i < dp->n_ports; i++) {
		struct rte_ring *r = dp->ports[i].ctl_ring;
		struct rte_mbuf *m;

		rte_eth_dev_close(dp->ports[i].port_id);
		while (r != NULL && rte_ring_dequeue(r, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(r);
	}
	if (dp->punt != NULL) {
		struct rte_mbuf *m;

		while (rte_ring_dequeue(dp->punt, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(dp->punt);
		rte_ring_free(dp->events);
	}
	dp_sessions_free(dp);
	dp_bans_free(dp);
	for (unsigned w = 0; dp->workers != NULL && w < dp->n_workers; w++) {
		rtcg_srtp_engine_destroy(dp->workers[w].srtp);
		rte_free(dp->workers[w].fc.e);
		for (unsigned p = 0; p < DP_MAX_PORTS; p++) {
			struct rte_ring *r = dp->workers[w].swq[p];
			struct rte_mbuf *m;

			while (r != NULL && rte_ring_dequeue(r, (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(r);
		}
	}
	rte_free(dp->qsv);
	rte_mempool_free(dp->pool);
	rte_free(dp->workers);
	rte_free(dp);
}

unsigned
dp_port_count(const struct dp *dp)
{
	return dp->n_ports;
}

int
dp_port_status(const struct dp *dp, unsigned idx, struct dp_port_status *out)
{
	struct rte_eth_link link;
	struct rte_ether_addr mac;
	struct rte_eth_dev_info info;

	if (idx >= dp->n_ports)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->name = dp->ports[idx].cfg->name;
	out->driver = rte_eth_dev_info_get(dp->ports[idx].port_id, &info) == 0 &&
				      info.driver_name != NULL ?
			      info.driver_name :
			      "unknown";
	out->port_id = dp->ports[idx].port_id;
	out->role = dp->ports[idx].cfg->role;
	if (rte_eth_link_get_nowait(out->port_id, &link) == 0) {
		out->link_up = link.link_status == RTE_ETH_LINK_UP;
		out->link_speed_mbps = link.link_speed;
	}
	if (rte_eth_macaddr_get(out->port_id, &mac) == 0)
		memcpy(out->mac, mac.addr_bytes, 6);
	return 0;
}

void
dp_lcore_totals_add(struct dp_totals *out, const struct dp_lcore_stats *s)
{
	out->rx += s->rx;
	out->tx += s->tx;
	out->relayed[0] += s->relayed[0];
	out->relayed[1] += s->relayed[1];
	out->punts += s->punts;
	out->exceptions += s->exceptions;
	out->busy_cycles += s->busy_cycles;
	out->idle_cycles += s->idle_cycles;
	out->busy_pkts += s->busy_pkts;
	out->busy_rounds += s->busy_rounds;
	out->spread += s->spread;
	out->flow_cache_misses += s->flow_cache_misses;
	out->active_paths += s->active_paths;
	out->prefetching += s->prefetching;
	out->flow_cache_bypassed += s->flow_cache_bypassed;
	for (unsigned r = 0; r < DP_DROP_MAX; r++)
		out->drops[r] += s->drops[r];
}

void
dp_totals(const struct dp *dp, struct dp_totals *out)
{
	memset(out, 0, sizeof(*out));
	out->tsc_hz = rte_get_tsc_hz();
	out->n_workers = dp->n_workers;
	for (unsigned w = 0; w < dp->n_workers; w++) {
		dp_lcore_totals_add(out, &dp->workers[w].stats);
		out->relayed_by_worker[w] = dp->workers[w].stats.relayed[DP_TO_INTERNAL] +
					    dp->workers[w].stats.relayed[DP_TO_PUBLIC];
	}
}

void
dp_set_punt_handler(struct dp *dp, dp_punt_fn fn, void *arg)
{
	dp->punt_arg = arg;
	dp->punt_fn = fn;
}

struct rte_mempool *
dp_mempool(struct dp *dp)
{
	return dp->pool;
}

int
dp_control_tx(struct dp *dp, unsigned port, struct rte_mbuf *m)
{
	if (port >= dp->n_ports || !dp->ports[port].started)
		return -ENODEV;
	return dp_ctl_tx_burst(&dp->ports[port], &m, 1) == 1 ? 0 : -ENOBUFS;
}

/* Punted packets: latching is the dataplane's own business; the rest the handler's. */
static unsigned
drain_punts(struct dp *dp)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned n = rte_ring_dequeue_burst(dp->punt, (void **)pkts, DP_BURST, NULL);

	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		enum dp_punt_kind kind = m->hash.usr >> DP_PUNT_SHIFT;
		unsigned port = 0;

		for (unsigned p = 0; p < dp->n_ports; p++)
			if (dp->ports[p].port_id == m->port)
				port = p;
		if (kind == DP_PUNT_LATCH) {
			dp_session_latch(dp, m);
			rte_pktmbuf_free(m);
		} else if (dp->punt_fn != NULL) {
			dp->punt_fn(dp->punt_arg, m, kind, (uint16_t)port);
		} else {
			dp->punts_unhandled++;
			rte_pktmbuf_free(m);
		}
	}
	return n;
}

/* RFC 4733 events the workers saw: to the handler. */
static unsigned
drain_events(struct dp *dp)
{
	void *ev[32];
	unsigned n = rte_ring_dequeue_burst(dp->events, ev, 32, NULL);

	for (unsigned i = 0; i < n && dp->dtmf_fn != NULL; i++)
		dp->dtmf_fn(dp->dtmf_arg, (uint32_t)((uintptr_t)ev[i] >> 8),
			    (uint8_t)((uintptr_t)ev[i] & 0xff));
	return n;
}

void
dp_set_dtmf_handler(struct dp *dp, dp_dtmf_fn fn, void *arg)
{
	dp->dtmf_fn = fn;
	dp->dtmf_arg = arg;
}

unsigned
dp_control_poll(struct dp *dp)
{
	unsigned work = drain_punts(dp) + drain_events(dp) + dp_exception_poll(dp);
	uint64_t now = dp_now_s();

	dp_sessions_reclaim(dp);
	if (now != dp->last_expiry_s) {
		dp->last_expiry_s = now;
		dp_bans_expire(dp);
	}
	return work;
}

int
dp_udp_view(const struct rte_mbuf *m, struct dp_udp_view *v)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_udp_hdr *udp;
	size_t off = sizeof(*eth), ulen;

	if (m->data_len < off + 28)
		return -1;
	memset(v, 0, sizeof(*v));
	memcpy(v->src_mac, eth->src_addr.addr_bytes, 6);
	if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)((const uint8_t *)eth + off);
		size_t hl = rte_ipv4_hdr_len(ip);

		if (ip->next_proto_id != IPPROTO_UDP || hl < 20 || m->data_len < off + hl + 8)
			return -1;
		v->family = AF_INET;
		v->src_ip = (const uint8_t *)&ip->src_addr;
		v->dst_ip = (const uint8_t *)&ip->dst_addr;
		off += hl;
	} else if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6)) {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)((const uint8_t *)eth + off);

		if (ip->proto != IPPROTO_UDP || m->data_len < off + sizeof(*ip) + 8)
			return -1;
		v->family = AF_INET6;
		v->src_ip = ip->src_addr;
		v->dst_ip = ip->dst_addr;
		off += sizeof(*ip);
	} else {
		return -1;
	}
	udp = (const struct rte_udp_hdr *)((const uint8_t *)eth + off);
	ulen = rte_be_to_cpu_16(udp->dgram_len);
	if (ulen < 8 || off + ulen > m->data_len)
		return -1;
	v->src_port = rte_be_to_cpu_16(udp->src_port);
	v->dst_port = rte_be_to_cpu_16(udp->dst_port);
	v->payload = (const uint8_t *)(udp + 1);
	v->len = (uint16_t)(ulen - 8);
	return 0;
}

int
dp_send_udp(struct dp *dp, unsigned port, int family, const uint8_t *src_ip, uint16_t src_port,
	    const uint8_t *dst_ip, uint16_t dst_port, const uint8_t dst_mac[6],
	    const void *payload, size_t len)
{
	size_t alen = family == AF_INET ? 4 : 16;
	struct dp_leg leg = {
		.family = family == AF_INET ? 4 : 6,
		.local_port = rte_cpu_to_be_16(src_port),
		.remote_port = rte_cpu_to_be_16(dst_port),
	};
	struct rte_mbuf *m;
	void *data;
	int rc;

	if (port >= dp->n_ports || len > 1472 || (family != AF_INET && family != AF_INET6))
		return -EINVAL;
	memcpy(leg.local_ip, src_ip, alen);
	memcpy(leg.remote_ip, dst_ip, alen);
	memcpy(leg.remote_mac.addr_bytes, dst_mac, 6);
	m = rte_pktmbuf_alloc(dp->pool);
	if (m == NULL)
		return -ENOMEM;
	data = rte_pktmbuf_append(m, (uint16_t)len);
	if (data == NULL) {
		rte_pktmbuf_free(m);
		return -ENOSPC;
	}
	memcpy(data, payload, len);
	dp_rewrite(m, &dp->ports[port], &leg, false);
	rc = dp_control_tx(dp, port, m);
	if (rc != 0)
		rte_pktmbuf_free(m);
	return rc;
}
