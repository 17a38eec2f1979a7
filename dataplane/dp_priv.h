/* SPDX-License-Identifier: BSD-3-Clause */
/* dp_priv.h - the dataplane's internals: ports, sessions, per-lcore state. */
#ifndef RTCG_DP_PRIV_H
#define RTCG_DP_PRIV_H

#include <pthread.h>

#include <rte_common.h>
#include <netinet/in.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "dataplane.h"
#include "rtcg_srtp.h"

#define DP_BURST 32
#define DP_MAX_PORTS CONFIG_MAX_PORTS

extern int dp_logtype;
#define DP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, dp_logtype, "dataplane: " fmt "\n", ##__VA_ARGS__)

struct dp_port {
	uint16_t port_id;
	uint16_t nb_rxq; /* one per worker (RSS), ports[].rx_queues, one (software RSS), or one more where the driver insists */
	uint16_t ctl_txq; /* the control lcore's tx queue */
	/*
	 * A port with a tx queue per worker but none to spare (virtio with one
	 * queue pair): the control lcore's packets go through this ring and
	 * worker 0 sends them on its own queue. NULL: ctl_txq is the control's.
	 */
	struct rte_ring *ctl_ring;
	const struct config_port *cfg;
	struct rte_ether_addr mac;
	bool started;
	bool tx_ip_cksum, tx_udp_cksum; /* offloads the port does for us */
	/*
	 * Software RSS: the port has fewer rx queues than workers, or no RSS.
	 * The worker that owns its one rx queue spreads packets by a 5-tuple
	 * hash over the workers' swq rings, so each flow keeps one worker.
	 */
	bool sw_rss;
	/*
	 * The PMD copies each received frame into our mbuf on the polling core
	 * (af_packet, tap, pcap, memif unless a zero-copy client): the frame is
	 * in that core's cache already. Otherwise (a NIC's DMA, a zero-copy
	 * memif peer, a ring filled elsewhere) the worker prefetches it.
	 */
	bool rx_copied;
	/* Media port ranges this port answers, host order; max 0: none. */
	uint16_t pub_min, pub_max, int_min, int_max;
	/* Exception path: the kernel TAP twin, and packets waiting for it. */
	uint16_t twin_id;
	bool has_twin, twin_started;
	char twin_name[RTE_ETH_NAME_MAX_LEN];
	char twin_ifname[16]; /* the kernel interface, rtcg-NAME */
	struct rte_ring *to_kernel;
	uint64_t to_kernel_pkts, from_kernel_pkts, kernel_drops;
};

/* An rx queue a worker polls. */
struct dp_rxq {
	uint16_t port; /* index in dp->ports */
	uint16_t port_id;
	uint16_t queue;
};

#define DP_MAX_RXQ (DP_MAX_PORTS * 2)

/* Counters one worker writes and readers sum. */
struct dp_lcore_stats {
	uint64_t rx, tx;
	uint64_t relayed[DP_DIRS];
	uint64_t punts, exceptions;
	uint64_t drops[DP_DROP_MAX];
	uint64_t busy_cycles, idle_cycles;
	uint64_t busy_pkts; /* packets handled in busy iterations (== rx) */
	uint64_t busy_rounds; /* poll rounds that found work: busy_pkts / busy_rounds is the mean burst */
	uint64_t spread;    /* software RSS: packets handed to another worker */
	uint64_t flow_cache_misses; /* media packets the session table was asked about */
	/* Gauges of the last full window (dp_paths_window): */
	uint64_t active_paths; /* session directions it relayed */
	uint64_t prefetching;  /* 1: it prefetches session state now */
	/* Gauge of the flow cache's last window (worker.c: flow_lookup): */
	uint64_t flow_cache_bypassed; /* 1: its flow cache is bypassed now */
} __rte_cache_aligned;

enum dp_action { ACT_DROP, ACT_KERNEL, ACT_PUNT, ACT_MEDIA };

/* What parsing learnt about one packet. */
struct pkt_info {
	const uint8_t *src, *dst;
	struct rte_udp_hdr *udp; /* NULL: not UDP, or a fragment */
	uint8_t family;		 /* 4, 6; 0: not IP */
	uint8_t action; /* enum dp_action */
	uint8_t side; /* media: the side it arrived on */
	uint8_t rtcp;
	uint16_t l4_off; /* UDP payload offset in the frame */
	uint16_t reason; /* ACT_DROP */
	uint32_t punt;	 /* ACT_PUNT: hash.usr tag */
};

/*
 * Hash key of a leg: the local address and port a packet is sent to, and
 * for the public leg the remote (latched) address and port too. Padded to
 * 56 bytes so that an rte_hash key-store entry (8-byte data pointer, key)
 * is exactly one cache line: at 40 bytes half the entries straddled two,
 * and a lookup at 100,000 sessions missed on both.
 */
struct dp_flow_key {
	uint8_t local[16];
	uint8_t remote[16];
	uint16_t local_port; /* network order */
	uint16_t remote_port;
	uint8_t family; /* 4 or 6 */
	uint8_t side;	/* DP_PUBLIC or DP_INTERNAL */
	uint8_t pad[18];
};

/*
 * Where the flow caches check a hit (struct dp_sessions: flow_keys): the
 * keys of a session's slot at fixed places, one a cache line (public;
 * internal RTP; internal RTCP when not muxed), zero where it has none.
 */
#define DP_SESSION_KEYS 3
struct dp_flow_key_line {
	struct dp_flow_key key;
	uint64_t pad;
} __rte_cache_aligned;

/*
 * A burst's media packets between the two halves of the worker's path
 * (worker.c: stage_lookup, stage_relay): their parse results and sessions
 * (NULL: none), RCU-protected pointers dropped before the next round.
 */
struct dp_burst {
	uint16_t n;
	uint16_t pidx; /* the port it arrived on */
	struct rte_mbuf *pkts[DP_BURST];
	void *sess[DP_BURST]; /* struct dp_session *, as rte_hash gives them */
	struct pkt_info pi[DP_BURST];
	/*
	 * The flow cache's part (worker.c: flow_lookup, flow_checked): each
	 * packet's key, its hash and its cache entry (the way that holds it,
	 * else its bucket); bit i of `cached`: the session came from the
	 * cache, valid while its key copy (ref[i]) is the packet's key and its
	 * generation's low bits are gen[i]; else it came from the table and
	 * may go into the cache.
	 */
	uint32_t cached;
	uint8_t fill; /* the burst went through the cache (not bypassed) */
	uint16_t gen[DP_BURST]; /* cached: the low 16 bits of the slot's generation */
	uint32_t ref[DP_BURST]; /* cached: where the key's copy is (dp_sessions.flow_keys) */
	hash_sig_t kh[DP_BURST];
	uint64_t *ce[DP_BURST];
	struct dp_flow_key keys[DP_BURST];
};

/*
 * A worker's flow cache (an exact-match cache in front of the session
 * table, as Open vSwitch's EMC is in front of its classifier): buckets of
 * eight 8-byte entries, one cache line, each holding 16 bits of a key's
 * hash, the low 16 bits of its session slot's generation and where the
 * slot's copy of the key is (dp_sessions.flow_keys: slot * DP_SESSION_KEYS +
 * place). A hit costs the bucket's line, whose eight ways few flows
 * overflow, and the key copy's line, requested with the session's own
 * lines rather than after one as rte_hash's key-store entry is; it is
 * trusted only while the key copy is the packet's key and the slot's
 * generation (dp_session.gen) the one cached, so a replaced or deleted
 * session is looked up again (worker.c: flow_lookup, flow_checked, which
 * also say when it is filled and when bypassed). Written by its worker
 * alone. An empty entry is 0: no cached generation is 0 in its low bits.
 */
struct dp_flow_cache {
	uint64_t *e;		       /* buckets of DP_FLOW_CACHE_WAYS entries, cache aligned */
	uint32_t shift;		       /* 32 - log2(buckets) */
	uint32_t misses;	       /* table answers with every way taken: picks the rare replacement */
	/*
	 * Since the last bypass decision: lookups, misses, and misses whose
	 * table answer went into an empty way or one already holding it
	 * (warming the cache, not thrashing it: flow_checked)
	 */
	uint32_t window, window_misses, window_fills;
	uint32_t bursts;		/* bursts while bypassed */
	bool bypass;			/* missing too often: the table alone, but one burst in 16 */
};

#define DP_FLOW_CACHE_WAYS 8

/* A flow key hash's bucket: CRC32-C's low bits follow a key's low bits linearly, so they are mixed first. */
static inline uint64_t *
dp_flow_cache_bucket(const struct dp_flow_cache *fc, uint32_t hash)
{
	return fc->e + DP_FLOW_CACHE_WAYS * (size_t)((hash * 0x9e3779b1u) >> fc->shift);
}

/*
 * An entry: the hash's low 16 bits (independent of the bucket, which the
 * mixed hash's high bits pick), the generation's, the key copy's place.
 */
static inline uint64_t
dp_flow_cache_entry(uint32_t hash, uint32_t gen, uint32_t ref)
{
	return (uint64_t)(uint16_t)hash << 48 | (uint64_t)(uint16_t)gen << 32 | ref;
}

/*
 * What one worker lcore owns: queue w of every port, plus any queue a driver
 * made beyond one per worker; tx queue w of every port.
 */
struct dp_lcore_conf {
	unsigned lcore_id;
	unsigned index; /* worker number: RCU thread id */
	uint16_t tx_queue;
	uint16_t n_rxq;
	struct dp_rxq rxq[DP_MAX_RXQ];
	uint32_t idle_sleep_us;
	struct rtcg_srtp_engine *srtp;
	struct rte_ring *swq[DP_MAX_PORTS]; /* software RSS: packets of port p for us (MP/SC) */
	struct dp_burst burst; /* the media packets of the burst being relayed */
	struct dp_flow_cache fc;
	/*
	 * Session directions relayed in the window that began at win_start
	 * (each counted at its first packet of the window, by its last_tsc),
	 * and whether this worker prefetches session state (worker.c,
	 * dp_paths_window): only where its active directions' lines do not
	 * all stay in its L2.
	 */
	uint64_t win_start;
	uint32_t win_paths;
	bool prefetch;
	struct dp_lcore_stats stats;
	struct dp_profile prof; /* written only when built with worker_profile */
} __rte_cache_aligned;

/* One leg as the worker uses it, addresses and ports in network order. */
struct dp_leg {
	uint8_t family; /* 4 or 6; 0: not installed */
	uint8_t port;	/* index in dp->ports */
	uint8_t have_mac;
	uint8_t local_ip[16], remote_ip[16];
	uint16_t local_port, remote_port;
	uint16_t local_rtcp_port, remote_rtcp_port; /* equal to RTP's with rtcp-mux */
	struct rte_ether_addr remote_mac;
};

/*
 * Where an internal packet must come from (symmetric RTP): the internal
 * leg's remote address and ports, and its local ports to tell RTCP.
 */
struct dp_src {
	uint8_t family; /* 4 or 6 */
	uint8_t have_mac;
	uint16_t local_port, local_rtcp_port;
	uint16_t remote_port, remote_rtcp_port;
	uint8_t remote_ip[16];
};

/*
 * An IPv4 out leg as the worker writes it: the Ethernet/IPv4/UDP header
 * dp_rewrite gives an empty RTP payload, kept whole, and the sums of its
 * fields that no packet changes, so that a packet's rewrite is two copies
 * and the lengths, checksums (and for RTCP the ports) patched in, as
 * l3fwd writes its prebuilt Ethernet headers. Shares its storage with the
 * struct dp_leg it is built from, which IPv6 legs keep: family and port
 * lead both.
 */
struct dp_out4 {
	uint8_t family; /* 4 */
	uint8_t port;	/* index in dp->ports */
	uint16_t rtcp_src_port, rtcp_dst_port; /* network order */
	uint16_t ip_sum;  /* IPv4 header with total_length and checksum 0, folded */
	uint16_t udp_sum; /* pseudo header's addresses and protocol, folded */
	uint8_t hdr[RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr)]; /* total length, IP checksum 0 */
};

#define DP_SESSION_LATCH_INTERNAL 0x1
#define DP_SESSION_ECHO 0x2 /* media from the browser goes back to it (echo endpoint) */
#define DP_SESSION_DTMF 0x4 /* report RFC 4733 events from the internal side */
#define DP_SESSION_HOLD_TO_INTERNAL 0x8 /* drop RTP toward the internal side */
#define DP_SESSION_HOLD_TO_PUBLIC 0x10 /* drop RTP toward the public side */

/*
 * One direction of a session, as its one worker uses it, in two cache
 * lines: the first holds what the relay stage reads before the SRTP burst
 * (and the counters it writes after), the second what the header rewrite
 * reads after it, by which time it has long arrived. Then the drop
 * counters, written rarely. Only the control lcore writes the rest, and
 * only before the session is published.
 */
struct dp_path {
	uint64_t pkts, bytes;
	uint64_t last_tsc;
	struct rtcg_srtp_ctx *srtp; /* unprotect toward the internal side, protect toward the public */
	uint8_t flags;	   /* DP_SESSION_* */
	uint8_t out_ok;	   /* the out leg is installed and has its MAC */
	struct dp_src src; /* toward the public side: the internal leg's remote */
	uint32_t gen;	   /* the slot's generation (struct dp_session), for the flow caches */
	/* Second line. */
	RTE_MARKER line2 __rte_aligned(RTE_CACHE_LINE_SIZE);
	union {
		struct dp_leg out; /* echo toward the internal side: the public leg */
		struct dp_out4 out4; /* when out.family is 4, built from it */
	};
	uint32_t id;
	uint32_t dtmf_ts; /* RTP timestamp of the last RFC 4733 event reported */
	uint8_t dtmf_seen;
	uint8_t dtmf_pt;
	uint64_t drops[DP_DROP_MAX] __rte_cache_aligned;
} __rte_cache_aligned;

/*
 * A session. Written only by the control lcore, and then never in place
 * once published (but for the paths' counters, each written by one worker):
 * an update copies it to a fresh slot, publishes the copy and frees the old
 * slot after an RCU grace period. Workers read only path[]; the rest is
 * the control lcore's description of it.
 */
struct dp_session {
	struct dp_path path[DP_DIRS];
	uint32_t id;
	uint32_t flags;
	uint32_t slot;
	/*
	 * Even while the slot holds a published session, odd from its retiral
	 * until its reuse, and never the same value for two sessions of the
	 * slot: a worker's flow cache names a session by slot and generation,
	 * and a generation that moved means the key must be looked up again.
	 * Copied into both paths, where the workers read it.
	 */
	uint32_t gen;
	struct rtcg_srtp_ctx *srtp_in;	/* unprotects what the browser sends */
	struct rtcg_srtp_ctx *srtp_out; /* protects what we send the browser */
	uint8_t dtmf_pt;
	bool in_use;
	struct dp_leg leg[DP_SIDES];
} __rte_cache_aligned;

/*
 * The lines a packet of one session direction reads in the worker, with
 * the common profile (AES_CM_128_HMAC_SHA1, a window up to 128): its flow
 * cache bucket, its key copy, its path's two, and of its SRTP context the
 * first line (which holds the first SSRC's state) and four key lines.
 */
#define DP_PATH_HOT_LINES 9

/* What a worker reads of a session for a packet in direction dir: two lines. */
static inline void
dp_session_prefetch(const struct dp_session *s, unsigned dir)
{
	RTE_BUILD_BUG_ON(offsetof(struct dp_path, gen) + sizeof(uint32_t) > RTE_CACHE_LINE_SIZE);
	RTE_BUILD_BUG_ON(DP_SESSION_HOLD_TO_PUBLIC > UINT8_MAX); /* path flags are a byte */
	RTE_BUILD_BUG_ON(offsetof(struct dp_path, dtmf_pt) >= 2 * RTE_CACHE_LINE_SIZE);
	RTE_BUILD_BUG_ON(offsetof(struct dp_path, out4) != RTE_CACHE_LINE_SIZE);
	RTE_BUILD_BUG_ON(offsetof(struct dp_out4, family) != offsetof(struct dp_leg, family) ||
			 offsetof(struct dp_out4, port) != offsetof(struct dp_leg, port));
	rte_prefetch0(&s->path[dir]);
	rte_prefetch0((const uint8_t *)&s->path[dir] + RTE_CACHE_LINE_SIZE);
}

/* Punted packet kinds, in the top bits of mbuf hash.usr (session id below). */
#define DP_PUNT_SHIFT 28
#define DP_PUNT_ID_MASK ((1u << DP_PUNT_SHIFT) - 1)

struct dp_sessions {
	struct rte_hash *h;
	struct dp_session *slots;
	struct dp_flow_key_line *flow_keys; /* [n_slots * DP_SESSION_KEYS]: each slot's keys, for the flow caches */
	uint8_t *ctx_mem;
	size_t ctx_size;
	uint32_t n_slots, max_sessions;
	uint32_t *free_slots, n_free_slots;
	uint32_t *free_ids, n_free_ids;
	uint32_t *id_slot; /* id -> slot, UINT32_MAX when free; ids 1..max */
	uint32_t count;
	struct rte_rcu_qsbr_dq *dq;
	struct rtcg_srtp_engine *engine; /* the control lcore's, for key set-up */
	unsigned replay_window;
};

/*
 * The SRTP context of direction dir of session s, by its slot alone (the
 * contexts are an array beside the slots): nothing of s is read, so the
 * worker can prefetch a context as soon as the hash lookup gives s.
 */
static inline struct rtcg_srtp_ctx *
dp_session_srtp(const struct dp_sessions *ss, const struct dp_session *s, unsigned dir)
{
	size_t slot = (size_t)(s - ss->slots);

	return (struct rtcg_srtp_ctx *)(ss->ctx_mem + (slot * 2 + dir) * ss->ctx_size);
}

/*
 * Bans are of addresses or of networks (ban.blocklist's address/prefix):
 * each entry's key is its address masked to its prefix length, with the
 * length. Workers look a source up once per prefix length in use, which
 * lens says: a bit per length (bit L of the family's words: 0..32 for
 * IPv4 in lens[0][0], 0..128 for IPv6 in lens[1]), set by the control
 * lcore after the first entry of that length is in the table and cleared
 * when its last one leaves. With only single addresses banned, that is one
 * lookup a packet, as it would be without networks.
 */
struct dp_bans {
	struct rte_hash *h;
	volatile uint32_t count; /* 0: workers skip the lookup */
	uint64_t lens[2][3];	 /* [IPv4, IPv6]: prefix lengths in use */
	uint64_t *filter;	 /* DP_BAN_FILTER_BITS bits, dp_ban_filter_has */
	pthread_mutex_t lock;	 /* guards the list and refs below, for telemetry */
	struct dp_ban_entry *list;
	uint32_t n, max;
	uint32_t refs[2][129]; /* entries of each family and prefix length */
	uint32_t *filter_refs; /* entries whose hash has each filter bit */
};

/*
 * The filter in front of the ban table: bit (hash % DP_BAN_FILTER_BITS) of
 * every entry's key hash, set by the control lcore after the key is in the
 * table and cleared when the last entry of that bit leaves. A source whose
 * key's bit is clear is not banned, so the worker looks up only the few
 * sources whose bit is set (a banned one, or another key of the same bit):
 * the table costs about nothing while no banned source sends. 8 KiB, of
 * which a worker reads the lines its sources' bits fall in.
 */
#define DP_BAN_FILTER_BITS (1u << 16)

/* The filter bit of a key's hash. */
static inline uint32_t
dp_ban_filter_bit(uint32_t hash)
{
	return hash & (DP_BAN_FILTER_BITS - 1);
}

static inline bool
dp_ban_filter_has(const struct dp_bans *b, uint32_t hash)
{
	uint32_t bit = dp_ban_filter_bit(hash);

	return __atomic_load_n(&b->filter[bit / 64], __ATOMIC_ACQUIRE) >> (bit % 64) & 1;
}

/* Bits set in the ban filter (of DP_BAN_FILTER_BITS). */
static inline unsigned
dp_ban_filter_bits(const struct dp_bans *b)
{
	unsigned n = 0;

	for (unsigned w = 0; w < DP_BAN_FILTER_BITS / 64; w++)
		n += (unsigned)__builtin_popcountll(__atomic_load_n(&b->filter[w], __ATOMIC_RELAXED));
	return n;
}

struct dp_ban_entry {
	uint8_t family;
	uint8_t plen; /* prefix length: 32 or 128 for a single address */
	uint8_t addr[16]; /* masked to plen */
	uint64_t expires; /* seconds of dp_now_s(); UINT64_MAX: never */
};

struct dp {
	const struct rtcg_config *cfg;
	struct rte_mempool *pool;
	struct dp_port ports[DP_MAX_PORTS];
	unsigned n_ports;
	struct dp_lcore_conf *workers; /* one per worker lcore */
	unsigned n_workers;
	struct rte_rcu_qsbr *qsv;
	struct dp_sessions sess;
	struct dp_bans bans;
	struct rte_ring *punt;
	dp_punt_fn punt_fn;
	void *punt_arg;
	struct rte_ring *events; /* RFC 4733 events: (session id << 8 | event), not pointers */
	dp_dtmf_fn dtmf_fn;
	void *dtmf_arg;
	uint64_t events_dropped;
	uint64_t punts_unhandled, latch_updates;
	uint64_t last_expiry_s; /* control: when bans were last expired */
	uint64_t win_tsc;	   /* the workers' window for counting active session directions */
	uint32_t prefetch_paths; /* dataplane.prefetch auto: prefetch above this many active directions a worker */
	volatile bool quit;
	bool launched;
};

int dp_port_setup(struct dp *dp, unsigned idx, char *err, size_t errlen);
int dp_worker_main(void *arg);

int dp_sessions_init(struct dp *dp, char *err, size_t errlen);
void dp_sessions_free(struct dp *dp);
void dp_session_latch(struct dp *dp, struct rte_mbuf *m);
void dp_sessions_reclaim(struct dp *dp);

int dp_bans_init(struct dp *dp, char *err, size_t errlen);
void dp_bans_free(struct dp *dp);
void dp_bans_expire(struct dp *dp);

int dp_exception_setup(struct dp *dp, unsigned idx, char *err, size_t errlen);
unsigned dp_exception_poll(struct dp *dp);
void dp_exception_free(struct dp *dp);

int dp_telemetry_register(struct dp *dp);
/* Add one worker's counters to out (dp_totals, and telemetry per worker). */
void dp_lcore_totals_add(struct dp_totals *out, const struct dp_lcore_stats *s);

/* Seconds on the TSC clock, for ban expiry. */
static inline uint64_t
dp_now_s(void)
{
	return rte_get_tsc_cycles() / rte_get_tsc_hz();
}

/* The ban key of an address: 16 address bytes (IPv4: 4, then zeros), family byte, zero padded. */
struct dp_ban_key {
	uint8_t addr[16]; /* masked to plen */
	uint8_t family;
	uint8_t plen;
	uint8_t pad[6];
};

/*
 * The session and ban tables' hash and key compare, for keys a whole number
 * of 8-byte words long (both are): CRC32-C instructions a word, and an
 * XOR-OR of the words, with sizes the compiler sees, so neither calls libc
 * (a variable-length memcpy into an aligned copy and rte_hash's memcmp of
 * a 56-byte key were ~5 ns a packet) and unaligned keys from rte_hash's
 * key store are read with memcpy (defined at any alignment).
 */
/*
 * One CRC32-C step of 8 bytes. rte_hash_crc_8byte reads which of its
 * implementations to run from a global at every call; DPDK's x86 build
 * (-march=corei7, SSE4.2) always has the instruction, so the worker uses
 * it directly. The value is CRC32-C either way.
 */
static inline uint32_t
dp_crc64(uint64_t v, uint32_t init)
{
#ifdef __SSE4_2__
	return (uint32_t)__builtin_ia32_crc32di(init, v);
#else
	return rte_hash_crc_8byte(v, init);
#endif
}

static inline uint32_t
dp_crc_words(const void *key, size_t words, uint32_t init)
{
	const uint8_t *p = key;

	for (size_t i = 0; i < words; i++) {
		uint64_t v;

		memcpy(&v, p + 8 * i, 8);
		init = dp_crc64(v, init);
	}
	return init;
}

static inline int
dp_words_differ(const void *a, const void *b, size_t words)
{
	const uint8_t *x = a, *y = b;
	uint64_t d = 0;

	for (size_t i = 0; i < words; i++) {
		uint64_t u, v;

		memcpy(&u, x + 8 * i, 8);
		memcpy(&v, y + 8 * i, 8);
		d |= u ^ v;
	}
	return d != 0;
}

#define DP_FLOW_KEY_WORDS (sizeof(struct dp_flow_key) / 8)
#define DP_FLOW_KEY_HASHED 5 /* the words before the padding, which is always zero */
#define DP_BAN_KEY_WORDS (sizeof(struct dp_ban_key) / 8)

#if RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN
#error "dp_flow_key_make and dp_ban_key_make put keys together as little-endian words"
#endif

/*
 * The flow key of a packet or leg (remote NULL: the internal side, keyed
 * by local address and port alone) into k, and its hash as dp_flow_hash
 * gives it: the words are put together in registers and hashed there, not
 * read back from the key just stored. Addresses: 4 or 16 bytes by family.
 */
static inline uint32_t
dp_flow_key_make(struct dp_flow_key *k, uint8_t family, uint8_t side, const uint8_t *local,
		 uint16_t local_port, const uint8_t *remote, uint16_t remote_port)
{
	uint64_t w0, w1 = 0, w2 = 0, w3 = 0, w4, zero = 0;
	uint8_t *kb = (uint8_t *)k;
	uint32_t h;

	if (family == 4) {
		uint32_t a;

		memcpy(&a, local, 4);
		w0 = a;
		if (remote != NULL) {
			memcpy(&a, remote, 4);
			w2 = a;
		}
	} else {
		memcpy(&w0, local, 8);
		memcpy(&w1, local + 8, 8);
		if (remote != NULL) {
			memcpy(&w2, remote, 8);
			memcpy(&w3, remote + 8, 8);
		}
	}
	/* local_port, remote_port, family, side (struct dp_flow_key's bytes 32-37) */
	w4 = (uint64_t)local_port | (uint64_t)(remote != NULL ? remote_port : 0) << 16 |
	     (uint64_t)family << 32 | (uint64_t)side << 40;
	/* One 8-byte store a word: a wider load of the key later forwards from none of them. */
	memcpy(kb, &w0, 8);
	memcpy(kb + 8, &w1, 8);
	memcpy(kb + 16, &w2, 8);
	memcpy(kb + 24, &w3, 8);
	memcpy(kb + 32, &w4, 8);
	memcpy(kb + 40, &zero, 8);
	memcpy(kb + 48, &zero, 8);
	h = dp_crc64(w0, 0);
	h = dp_crc64(w1, h);
	h = dp_crc64(w2, h);
	h = dp_crc64(w3, h);
	return dp_crc64(w4, h); /* DP_FLOW_KEY_HASHED words, as dp_crc_words hashes them */
}

/* The network mask of a prefix's first plen bits (0..64) of a 64-bit word as stored. */
static inline uint64_t
dp_prefix_mask64(unsigned plen)
{
	return plen == 0 ? 0 : rte_cpu_to_be_64(~0ull << (64 - plen));
}

/*
 * The ban key of an address (family 4 or 6) in its network of prefix
 * length plen (32 or 128: the address alone) into k; returns its hash
 * (dp_ban_hash's).
 */
static inline uint32_t
dp_ban_key_make(struct dp_ban_key *k, uint8_t family, const uint8_t *addr, unsigned plen)
{
	uint64_t w0, w1 = 0, w2 = family | (uint64_t)plen << 8;
	uint8_t *kb = (uint8_t *)k;

	if (family == 4) {
		uint32_t a;

		memcpy(&a, addr, 4);
		w0 = a & (plen == 0 ? 0 : rte_cpu_to_be_32(~0u << (32 - plen)));
	} else {
		memcpy(&w0, addr, 8);
		memcpy(&w1, addr + 8, 8);
		w0 &= dp_prefix_mask64(plen < 64 ? plen : 64);
		w1 &= dp_prefix_mask64(plen > 64 ? plen - 64 : 0);
	}
	memcpy(kb, &w0, 8);
	memcpy(kb + 8, &w1, 8);
	memcpy(kb + 16, &w2, 8);
	return dp_crc64(w2, dp_crc64(w1, dp_crc64(w0, 0)));
}

/* rte_hash's hash_func and compare (rte_hash_set_cmp_func) of the two tables; len is the table's key_len. */
uint32_t dp_flow_hash(const void *key, uint32_t len, uint32_t init);
int dp_flow_key_cmp(const void *a, const void *b, size_t len);
uint32_t dp_ban_hash(const void *key, uint32_t len, uint32_t init);
int dp_ban_key_cmp(const void *a, const void *b, size_t len);

/*
 * One's complement sums (RFC 1071). dp_sum adds len bytes as 16-bit words in
 * memory order, 8 bytes an addition (rte_raw_cksum adds 2 at a time, which
 * was half the worker's own time on a port without checksum offload), into
 * a 64-bit accumulator that dp_fold folds to 16 bits. Words loaded in host
 * order sum to the host-order image of the network-order sum, so header
 * fields in network order may be added as they are.
 */
static inline uint64_t
dp_sum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t sum = 0;

	for (; len >= 8; p += 8, len -= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		sum += (v & 0xffffffffu) + (v >> 32);
	}
	for (; len >= 2; p += 2, len -= 2) { /* at most 3 */
		uint16_t v;

		memcpy(&v, p, 2);
		sum += v;
	}
	if (len != 0)
		sum += rte_cpu_to_le_16((uint16_t)*p);
	return sum;
}

/*
 * dp_sum of a payload: with AVX-512 (cksum.c, chosen when the process
 * starts), no tail loop; a few ns a packet less than dp_sum in the worker
 * (docs/benchmarks.md, "The payload's sum with AVX-512").
 */
extern bool dp_sum_wide;
uint64_t dp_sum_avx512(const void *buf, size_t len);

static inline uint64_t
dp_payload_sum(const void *buf, size_t len)
{
	return likely(dp_sum_wide) ? dp_sum_avx512(buf, len) : dp_sum(buf, len);
}

/* 64 bits to 16 with end-around carries; the last step adds the halves by a rotation (as Linux's csum_fold). */
static inline uint16_t
dp_fold(uint64_t sum)
{
	uint32_t x;

	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	x = (uint32_t)sum;
	return (uint16_t)((x + (x << 16 | x >> 16)) >> 16);
}

/* The one's complement sum of len bytes folded to 16 bits, as rte_raw_cksum gives it. */
static inline uint16_t
dp_raw_cksum(const void *buf, size_t len)
{
	return dp_fold(dp_sum(buf, len));
}

/* A checksum field from a sum: its complement, and 0xffff for 0 in UDP (0 means "none"). */
static inline uint16_t
dp_udp_cksum_field(uint64_t sum)
{
	uint16_t c = (uint16_t)~dp_fold(sum);

	return c == 0 ? 0xffff : c;
}

/*
 * A UDP checksum field out of port op, from the pseudo header's addresses
 * and protocol (pseudo) and the UDP header's fields (network order): their
 * sum alone when the port completes it (offload), else over the payload too.
 */
static inline uint16_t
dp_udp_cksum(const struct dp_port *op, uint64_t pseudo, uint16_t ulen, uint16_t sport,
	     uint16_t dport, const void *payload, uint16_t plen)
{
	if (op->tx_udp_cksum)
		return dp_fold(pseudo + ulen);
	return dp_udp_cksum_field(pseudo + 2u * ulen + sport + dport + dp_payload_sum(payload, plen));
}

/*
 * Prepend Ethernet/IP/UDP toward leg l out of port op (payload: the mbuf's
 * data), checksums offloaded when the port can: the workers' relay and the
 * control lcore's own datagrams (dp_send_udp) alike.
 */
static inline void
dp_rewrite(struct rte_mbuf *m, const struct dp_port *op, const struct dp_leg *l, bool rtcp)
{
	uint16_t plen = m->data_len;
	uint16_t sport = rtcp ? l->local_rtcp_port : l->local_port;
	uint16_t dport = rtcp ? l->remote_rtcp_port : l->remote_port;
	uint16_t ulen = rte_cpu_to_be_16((uint16_t)(sizeof(struct rte_udp_hdr) + plen));
	struct rte_ether_hdr *eth;
	struct rte_udp_hdr *udp;
	uint64_t addr_sum; /* the pseudo header's addresses */

	/*
	 * The checksums are summed from the values written, not read back from
	 * the headers just stored: loading those narrow stores as wide words
	 * stalls on store forwarding (a tenth of the worker's own time).
	 */
	if (l->family == 4) {
		struct rte_ipv4_hdr *ip;
		uint32_t sa, da;
		uint16_t tlen = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*udp) + plen));

		eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth) + sizeof(*ip) + sizeof(*udp));
		ip = (struct rte_ipv4_hdr *)(eth + 1);
		udp = (struct rte_udp_hdr *)(ip + 1);
		memcpy(&sa, l->local_ip, 4);
		memcpy(&da, l->remote_ip, 4);
		addr_sum = (uint64_t)sa + da;
		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->type_of_service = 0;
		ip->total_length = tlen;
		ip->packet_id = 0;
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		ip->hdr_checksum = 0;
		ip->src_addr = sa;
		ip->dst_addr = da;
		m->l2_len = sizeof(*eth);
		m->l3_len = sizeof(*ip);
		if (op->tx_ip_cksum)
			m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
		else
			ip->hdr_checksum = (uint16_t)~dp_fold(
				addr_sum + tlen + rte_cpu_to_be_16(RTE_IPV4_VHL_DEF << 8) /* TOS 0 */ +
				rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG) +
				rte_cpu_to_be_16((64 << 8) | IPPROTO_UDP));
		if (op->tx_udp_cksum)
			m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_CKSUM;
	} else {
		struct rte_ipv6_hdr *ip;

		eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eth) + sizeof(*ip) + sizeof(*udp));
		ip = (struct rte_ipv6_hdr *)(eth + 1);
		udp = (struct rte_udp_hdr *)(ip + 1);
		addr_sum = dp_sum(l->local_ip, 16) + dp_sum(l->remote_ip, 16);
		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = ulen;
		ip->proto = IPPROTO_UDP;
		ip->hop_limits = 64;
		memcpy(ip->src_addr, l->local_ip, 16);
		memcpy(ip->dst_addr, l->remote_ip, 16);
		m->l2_len = sizeof(*eth);
		m->l3_len = sizeof(*ip);
		if (op->tx_udp_cksum)
			m->ol_flags |= RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM;
	}
	udp->src_port = sport;
	udp->dst_port = dport;
	udp->dgram_len = ulen;
	udp->dgram_cksum = dp_udp_cksum(op, addr_sum + rte_cpu_to_be_16(IPPROTO_UDP), ulen, sport,
					dport, udp + 1, plen);
	rte_ether_addr_copy(&l->remote_mac, &eth->dst_addr);
	rte_ether_addr_copy(&op->mac, &eth->src_addr);
}

/*
 * dp_rewrite of an IPv4 leg from its prebuilt header (out4_build in
 * session.c), whose total length and IP checksum fields are 0.
 */
static inline void
dp_rewrite4(struct rte_mbuf *m, const struct dp_port *op, const struct dp_out4 *o, bool rtcp)
{
	uint16_t plen = m->data_len;
	uint16_t ulen = rte_cpu_to_be_16((uint16_t)(sizeof(struct rte_udp_hdr) + plen));
	uint16_t tlen = rte_cpu_to_be_16((uint16_t)(sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr) + plen));
	uint8_t *h = (uint8_t *)rte_pktmbuf_prepend(m, sizeof(o->hdr));
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(h + RTE_ETHER_HDR_LEN);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t ports[2]; /* source, destination */

	RTE_BUILD_BUG_ON(sizeof(o->hdr) != 42);
	/* Two overlapping 32- and 16-byte copies of the 42 bytes. */
	memcpy(h, o->hdr, 32);
	memcpy(h + 26, o->hdr + 26, 16);
	if (rtcp) {
		ports[0] = o->rtcp_src_port;
		ports[1] = o->rtcp_dst_port;
		udp->src_port = ports[0];
		udp->dst_port = ports[1];
	} else {
		memcpy(ports, o->hdr + RTE_ETHER_HDR_LEN + sizeof(*ip), sizeof(ports));
	}
	ip->total_length = tlen;
	udp->dgram_len = ulen;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(*ip);
	if (op->tx_ip_cksum)
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	else
		ip->hdr_checksum = (uint16_t)~dp_fold((uint64_t)o->ip_sum + tlen);
	if (op->tx_udp_cksum)
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_CKSUM;
	udp->dgram_cksum = dp_udp_cksum(op, o->udp_sum, ulen, ports[0], ports[1], udp + 1, plen);
}

/* The control lcore's transmit on a port: its own queue, or worker 0's ring. */
static inline uint16_t
dp_ctl_tx_burst(struct dp_port *port, struct rte_mbuf **pkts, uint16_t n)
{
	if (port->ctl_ring != NULL)
		return (uint16_t)rte_ring_mp_enqueue_burst(port->ctl_ring, (void **)pkts, n, NULL);
	return rte_eth_tx_burst(port->port_id, port->ctl_txq, pkts, n);
}

#endif /* RTCG_DP_PRIV_H */
