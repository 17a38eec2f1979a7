/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker.c - the poll-mode loop of a worker lcore: one rx burst from its
 * queue of every port, then each stage over the whole burst. No allocation,
 * lock, log line or syscall per packet; counters are this lcore's own.
 */
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "dp_priv.h"

/*
 * Handle one rx burst. The classify, session and SRTP stages come with the
 * media relay; until a stage owns a packet it is dropped and counted.
 */
static inline void
worker_burst(struct dp_lcore_conf *lc, struct rte_mbuf **pkts, uint16_t n)
{
	lc->stats.drops[DP_DROP_UNCLASSIFIED] += n;
	rte_pktmbuf_free_bulk(pkts, n);
}

int
dp_worker_main(void *arg)
{
	struct dp *dp = arg;
	struct dp_lcore_conf *lc = NULL;
	struct rte_mbuf *pkts[DP_BURST];
	unsigned lcore = rte_lcore_id();

	for (unsigned i = 0; i < dp->n_workers; i++)
		if (dp->workers[i].lcore_id == lcore)
			lc = &dp->workers[i];
	if (lc == NULL)
		return -EINVAL;
	DP_LOG(INFO, "worker on lcore %u polls %u rx queue(s)", lcore, lc->n_rxq);

	while (!dp->quit) {
		uint64_t start = rte_rdtsc();
		unsigned total = 0;

		for (uint16_t i = 0; i < lc->n_rxq; i++) {
			uint16_t n = rte_eth_rx_burst(lc->rxq[i].port_id, lc->rxq[i].queue,
						      pkts, DP_BURST);

			if (n == 0)
				continue;
			lc->stats.rx += n;
			total += n;
			worker_burst(lc, pkts, n);
		}
		if (total != 0) {
			lc->stats.busy_cycles += rte_rdtsc() - start;
		} else {
			if (lc->idle_sleep_us != 0)
				rte_delay_us_sleep(lc->idle_sleep_us);
			lc->stats.idle_cycles += rte_rdtsc() - start;
		}
	}
	DP_LOG(INFO, "worker on lcore %u stopped", lcore);
	return 0;
}
