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
struct rte_mbuf;

enum dp_side { DP_PUBLIC = 0, DP_INTERNAL = 1, DP_SIDES };
/* Directions, named by where packets go. */
enum dp_dir { DP_TO_INTERNAL = 0, DP_TO_PUBLIC = 1, DP_DIRS };

/* One leg of a session as the control lcore describes it; ports host order. */
struct dp_leg_spec {
	int family; /* AF_INET or AF_INET6 */
	uint8_t local_ip[16], remote_ip[16];
	uint16_t local_port, remote_port;
	uint16_t local_rtcp_port, remote_rtcp_port; /* 0: rtcp-mux (the RTP port) */
	uint8_t remote_mac[6];
	bool have_mac; /* false: learnt from the first packet (internal latching) */
};

struct dp_srtp_spec {
	int profile; /* enum rtcg_srtp_profile */
	uint8_t key[32];
	uint8_t salt[14];
};

struct dp_session_spec {
	struct dp_leg_spec leg[DP_SIDES];
	struct dp_srtp_spec srtp_in;  /* keys the browser protects with */
	struct dp_srtp_spec srtp_out; /* keys we protect with toward the browser */
	bool latch_internal;	      /* symmetric RTP: follow the internal remote */
	/*
	 * The echo endpoint: SRTP from the browser is decrypted (the internal
	 * leg's share), encrypted again with srtp_out and sent back to the
	 * browser; browser RTCP ends here. The internal leg carries no packets.
	 */
	bool echo;
	/*
	 * RFC 4733: report telephone-events (payload type dtmf_pt) that the
	 * internal side sends, once per event (its end packet), through the
	 * DTMF handler. The packets are relayed as they are either way.
	 */
	bool dtmf_detect;
	uint8_t dtmf_pt;
	/* Hold (RFC 3264 directions): RTP that way is dropped, RTCP is not. */
	bool hold_to_internal; /* the SIP side may not receive (it said sendonly/inactive) */
	bool hold_to_public;   /* the browser held the call */
};

struct dp_session_stats {
	uint64_t pkts[DP_DIRS], bytes[DP_DIRS];
	uint64_t drops[DP_DIRS][DP_DROP_MAX];
	uint64_t idle_ms[DP_DIRS]; /* since the last packet; UINT64_MAX: none yet */
};

/* A punted packet's kind (see dp_set_punt_handler). */
enum dp_punt_kind { DP_PUNT_STUN = 1, DP_PUNT_DTLS = 2, DP_PUNT_LATCH = 3 };
typedef void (*dp_punt_fn)(void *arg, struct rte_mbuf *m, enum dp_punt_kind kind,
			   uint16_t port);

/* Per-port state the control lcore may read. */
struct dp_port_status {
	const char *name;
	const char *driver; /* the PMD: net_virtio, net_af_packet, ... */
	uint16_t port_id;
	int role; /* enum config_port_role */
	bool link_up;
	uint32_t link_speed_mbps;
	uint8_t mac[6];
};

/* Counters summed over every worker lcore. */
struct dp_totals {
	uint64_t rx, tx;
	uint64_t relayed[DP_DIRS];
	uint64_t punts, exceptions;
	uint64_t drops[DP_DROP_MAX];
	uint64_t busy_cycles, idle_cycles;
	uint64_t busy_pkts; /* packets handled in busy poll rounds */
	uint64_t busy_rounds; /* poll rounds that found work */
	uint64_t tsc_hz;
	unsigned n_workers;
	uint64_t relayed_by_worker[CONFIG_MAX_WORKERS]; /* both directions */
	uint64_t spread; /* packets a worker handed to another (software RSS) */
	uint64_t flow_cache_misses; /* media packets the workers' flow caches did not answer */
	uint64_t active_paths; /* session directions relayed in each worker's last 100-ms window, summed */
	uint64_t prefetching;  /* workers prefetching session state (dataplane.prefetch) */
	uint64_t flow_cache_bypassed; /* workers whose flow caches are bypassed (missing too often) */
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

/*
 * Session table, control lcore only (it is the one writer). Workers see a
 * change once the call returns; a deleted or replaced entry's memory is
 * reclaimed after every worker has passed a quiescent state.
 * Return 0 or a negative errno; id is 1..dataplane.max_sessions.
 */
int dp_session_create(struct dp *dp, const struct dp_session_spec *spec, uint32_t *id);
/* Replace addresses and keys; SRTP state (ROC, replay window) is kept for a
 * direction whose keys did not change. */
int dp_session_update(struct dp *dp, uint32_t id, const struct dp_session_spec *spec);
int dp_session_delete(struct dp *dp, uint32_t id);
int dp_session_stats(struct dp *dp, uint32_t id, struct dp_session_stats *out);
uint32_t dp_session_count(const struct dp *dp);
/* Wait until no worker can still hold a pointer to a replaced entry. */
void dp_sync(struct dp *dp);

/*
 * Ban table, control lcore only. seconds 0: until removed. The _net forms
 * ban or unban a network: the addresses whose first plen bits are addr's
 * (plen up to 32 or 128; that length is the address alone, as dp_ban_add).
 */
int dp_ban_add(struct dp *dp, int family, const uint8_t *addr, uint32_t seconds);
int dp_ban_del(struct dp *dp, int family, const uint8_t *addr);
int dp_ban_add_net(struct dp *dp, int family, const uint8_t *addr, unsigned plen,
		   uint32_t seconds);
int dp_ban_del_net(struct dp *dp, int family, const uint8_t *addr, unsigned plen);
uint32_t dp_ban_count(const struct dp *dp);

/*
 * Called by the control lcore for each packet a worker punted: STUN and DTLS
 * on a public media port. The handler owns the mbuf. Without one, punted
 * packets are counted and freed.
 */
void dp_set_punt_handler(struct dp *dp, dp_punt_fn fn, void *arg);

/*
 * Called by the control lcore for each RFC 4733 event a session with
 * dtmf_detect saw ended on its internal side: event 0-15 (0-9, *, #, A-D).
 */
typedef void (*dp_dtmf_fn)(void *arg, uint32_t session_id, uint8_t event);
void dp_set_dtmf_handler(struct dp *dp, dp_dtmf_fn fn, void *arg);

/*
 * The control lcore's share of packet work: punted packets, the exception
 * path both ways, RCU reclamation, ban expiry. Returns packets handled
 * (0: idle). Call it often from the control loop.
 */
unsigned dp_control_poll(struct dp *dp);

/* Send a packet the control lcore built out of a port (index), on its own queue. */
int dp_control_tx(struct dp *dp, unsigned port, struct rte_mbuf *m);
struct rte_mempool *dp_mempool(struct dp *dp);

/* A UDP datagram as seen in a punted packet (pointers into the mbuf). */
struct dp_udp_view {
	int family; /* AF_INET or AF_INET6 */
	const uint8_t *src_ip, *dst_ip;
	uint16_t src_port, dst_port; /* host order */
	uint8_t src_mac[6];
	const uint8_t *payload;
	uint16_t len;
};
/* 0, or -1 when m is not Ethernet/IPv4-or-IPv6/UDP. */
int dp_udp_view(const struct rte_mbuf *m, struct dp_udp_view *v);

/*
 * Build and send one UDP datagram from the control lcore out of a port
 * (index): addresses as in the view (src is ours), checksums in software.
 * 0 or a negative errno.
 */
int dp_send_udp(struct dp *dp, unsigned port, int family, const uint8_t *src_ip,
		uint16_t src_port, const uint8_t *dst_ip, uint16_t dst_port,
		const uint8_t dst_mac[6], const void *payload, size_t len);

/*
 * The Ethernet address to send to ip out of a port (index), from the
 * kernel's routes and neighbours on the port's exception-path twin: 0 with
 * mac; -EAGAIN when the kernel is resolving it now (ask again in a few
 * milliseconds); -ENETUNREACH, -ENODEV (no twin) or another negative errno.
 * Control lcore only: it makes syscalls.
 */
int dp_neighbour(struct dp *dp, unsigned port, int family, const uint8_t *ip, uint8_t mac[6]);

/* Benchmark mode's synthetic sessions (dataplane.benchmark); dp_start installs them itself. */
int dp_bench_install(struct dp *dp, char *err, size_t errlen);

/*
 * Worker w's packet path on the calling thread, for the packet fuzzer and
 * tools/bench-worker, never while the workers run: dp_worker_rx takes an rx
 * burst as if it came from port (index) and relays it as the poll loop does.
 */
void dp_worker_rx(struct dp *dp, unsigned w, unsigned port, struct rte_mbuf **pkts, uint16_t n);

/*
 * The worker's stages, as a build with `meson configure -Dworker_profile=true`
 * times them (rdtsc at each stage's end; a default build reads no clock
 * there): where the worker's own time goes, without hardware counters.
 */
enum dp_stage {
	DP_STAGE_PARSE,	   /* Ethernet/IP/UDP parse (and the header prefetch of cold frames) */
	DP_STAGE_CLASSIFY, /* ban lookup, RFC 7983 classification, flow keys and hashes */
	DP_STAGE_LOOKUP,   /* the session table's bulk lookup */
	DP_STAGE_CHECKS,   /* per-session checks: source, hold, neighbour; SRTP groups */
	DP_STAGE_SRTP,	   /* the SRTP contexts' remaining prefetch and the SRTP bursts */
	DP_STAGE_REWRITE,  /* counters, Ethernet/IP/UDP rewrite and checksums, next burst's prefetch */
	DP_STAGE_TX,	   /* the PMD's tx burst */
	DP_STAGE_OTHER,	   /* punts, kernel path, freeing drops */
	DP_STAGES
};

struct dp_profile {
	uint64_t cycles[DP_STAGES]; /* TSC cycles spent in each stage */
	uint64_t pkts;		    /* packets that entered the lookup stage */
};

const char *dp_stage_name(enum dp_stage s);

/* Worker w's stage times into out: -ENOTSUP unless built with worker_profile. */
int dp_worker_profile(const struct dp *dp, unsigned w, struct dp_profile *out);

/* Build the EAL argument vector for cfg: argv[0..n), strings in storage. */
int dp_eal_args(const struct rtcg_config *cfg, char **argv, int max_args);

#endif /* RTCG_DATAPLANE_H */
