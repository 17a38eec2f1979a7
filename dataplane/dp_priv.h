/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_priv.h - the dataplane's internals: ports, per-lcore state, logging. */
#ifndef RTCG_DP_PRIV_H
#define RTCG_DP_PRIV_H

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "dataplane.h"

#define DP_BURST 32
#define DP_MAX_PORTS CONFIG_MAX_PORTS

extern int dp_logtype;
#define DP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, dp_logtype, "dataplane: " fmt "\n", ##__VA_ARGS__)

struct dp_port {
	uint16_t port_id;
	uint16_t nb_rxq; /* one per worker, or one more where the driver insists */
	const struct config_port *cfg;
	bool started;
};

/* An rx queue a worker polls. */
struct dp_rxq {
	uint16_t port_id;
	uint16_t queue;
};

#define DP_MAX_RXQ (DP_MAX_PORTS * 2)

/* Counters one worker writes and the control lcore sums on read. */
struct dp_lcore_stats {
	uint64_t rx, tx;
	uint64_t drops[DP_DROP_MAX];
	uint64_t busy_cycles, idle_cycles;
} __rte_cache_aligned;

/*
 * What one worker lcore owns: queue w of every port, plus any queue a driver
 * made beyond one per worker; tx queue w of every port.
 */
struct dp_lcore_conf {
	unsigned lcore_id;
	uint16_t tx_queue;
	uint16_t n_rxq;
	struct dp_rxq rxq[DP_MAX_RXQ];
	uint32_t idle_sleep_us;
	struct dp_lcore_stats stats;
} __rte_cache_aligned;

struct dp {
	const struct rtcg_config *cfg;
	struct rte_mempool *pool;
	struct dp_port ports[DP_MAX_PORTS];
	unsigned n_ports;
	struct dp_lcore_conf *workers; /* one per worker lcore */
	unsigned n_workers;
	volatile bool quit;
	bool launched;
};

int dp_port_setup(struct dp *dp, unsigned idx, char *err, size_t errlen);
int dp_worker_main(void *arg);

#endif /* RTCG_DP_PRIV_H */
