/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane.h - the DPDK dataplane's whole contract with the app and the
 * control lcore: ports from config, worker lcores, counters.
 */
#ifndef RTCG_DATAPLANE_H
#define RTCG_DATAPLANE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

enum dp_drop_reason {
#define DP_DROP(e, n, d) DP_DROP_##e,
#include "dp_drops.def"
#undef DP_DROP
	DP_DROP_MAX
};

struct dp;

/* Per-port state the control lcore may read. */
struct dp_port_status {
	const char *name;
	uint16_t port_id;
	int role; /* enum config_port_role */
	bool link_up;
	uint32_t link_speed_mbps;
	uint8_t mac[6];
};

/* Counters summed over every worker lcore. */
struct dp_totals {
	uint64_t rx, tx;
	uint64_t drops[DP_DROP_MAX];
	uint64_t busy_cycles, idle_cycles;
};

/*
 * Set up the mbuf pool and every port of cfg (queues, MTU, MAC) after
 * rte_eal_init. Returns NULL with rte_errno set and a one-line reason in err.
 */
struct dp *dp_create(const struct rtcg_config *cfg, char *err, size_t errlen);

/* Start the ports and launch one worker loop per worker lcore. */
int dp_start(struct dp *dp);

/* Ask the workers to stop, wait for them, stop the ports. Idempotent. */
void dp_stop(struct dp *dp);

void dp_destroy(struct dp *dp);

unsigned dp_port_count(const struct dp *dp);
int dp_port_status(const struct dp *dp, unsigned idx, struct dp_port_status *out);
void dp_totals(const struct dp *dp, struct dp_totals *out);
const char *dp_drop_name(enum dp_drop_reason r);

/* Build the EAL argument vector for cfg: argv[0..n), strings in storage. */
int dp_eal_args(const struct rtcg_config *cfg, char **argv, int max_args);

#endif /* RTCG_DATAPLANE_H */
