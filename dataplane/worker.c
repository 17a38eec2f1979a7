/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker.c - the poll-mode loop of a worker lcore. Each rx burst goes
 * through every stage as a whole: parse, ban check, classify (RFC 7983),
 * session lookup, one SRTP burst per kind, header rewrite, one tx burst per
 * output port, before the next burst is received. No allocation, lock,
 * log line or syscall per packet; every counter it writes is its own (the
 * lcore's, or the session direction it owns because RSS sends a 5-tuple to
 * one queue). Between rounds it holds no pointer into the session or ban
 * tables, so it reports an RCU quiescent state after every round.
 */
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "dp_priv.h"
#include "dp_rss.h"

#define DP_PREFETCH_AHEAD 8

/*
 * Stage timing (meson option worker_profile): PROF_BEGIN reads the TSC,
 * PROF(stage) charges the time since the last reading to stage. Both
 * compile to nothing in a default build, but are type-checked there too.
 */
#ifndef RTCG_WORKER_PROFILE
#define RTCG_WORKER_PROFILE 0
#endif
#define PROF_BEGIN(lc) uint64_t prof_t = RTCG_WORKER_PROFILE ? rte_rdtsc() : 0, *prof_c = (lc)->prof.cycles
#define PROF(stage)                                                     \
	do {                                                            \
		if (RTCG_WORKER_PROFILE) {                              \
			uint64_t prof_now = rte_rdtsc();                \
                                                                        \
			prof_c[stage] += prof_now - prof_t;             \
			prof_t = prof_now;                              \
		}                                                       \
	} while (0)

/*
 * RFC 7983 on a media port: first byte picks STUN, DTLS or RTP/RTCP. A UDP
 * datagram to port dport (network order) whose payload is the plen bytes
 * at pl.
 */
static inline void
classify_at(const struct dp_port *port, struct pkt_info *pi, uint16_t dport_be, const uint8_t *pl,
	    uint32_t plen)
{
	uint16_t dport = rte_be_to_cpu_16(dport_be);
	uint8_t b = plen != 0 ? pl[0] : 255;

	if (dport >= port->pub_min && dport <= port->pub_max) {
		if (b <= 3) {
			pi->action = ACT_PUNT;
			pi->punt = (uint32_t)DP_PUNT_STUN << DP_PUNT_SHIFT;
			return;
		}
		if (b >= 20 && b <= 63) {
			pi->action = ACT_PUNT;
			pi->punt = (uint32_t)DP_PUNT_DTLS << DP_PUNT_SHIFT;
			return;
		}
		pi->side = DP_PUBLIC;
	} else if (dport >= port->int_min && dport <= port->int_max) {
		pi->side = DP_INTERNAL;
	} else {
		return; /* SIP, DNS, ...: the kernel's */
	}
	if (b < 128 || b > 191 || plen < 8) {
		pi->action = ACT_DROP;
		pi->reason = DP_DROP_NOT_RTP;
		return;
	}
	pi->action = ACT_MEDIA;
	/* RFC 5761: RTCP packet types 192-223 in the second byte. */
	pi->rtcp = pl[1] >= 192 && pl[1] <= 223;
}

/* classify_at for a frame parse found to be UDP. */
static inline void
classify(const struct dp_port *port, struct rte_mbuf *m, struct pkt_info *pi)
{
	classify_at(port, pi, pi->udp->dst_port, rte_pktmbuf_mtod_offset(m, const uint8_t *, pi->l4_off),
		    m->data_len - pi->l4_off);
}

/*
 * The frame's headers into pi, and the action for what is decided here (a
 * drop, or the kernel's). A UDP datagram is classified too when port (the
 * burst's port) is not NULL; when it is, classify decides later.
 */
static inline void
parse(struct rte_mbuf *m, struct pkt_info *pi, const struct dp_port *port)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = m->data_len;
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)p;
	uint32_t off = sizeof(*eth);

	pi->action = ACT_KERNEL;
	/*
	 * The usual frame first: IPv4 without options, UDP, not a fragment,
	 * lengths that agree. Three 8-byte loads check it (bytes 12-19:
	 * EtherType, version and header length, ..., total length; 20-27:
	 * fragment bits, TTL, protocol, ...; 32-39: ..., the ports, the UDP
	 * length); any other frame takes the general path below, which decides
	 * it field by field.
	 */
	if (likely(len >= RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr))) {
		uint64_t a, b, c;
		uint32_t tl;

		memcpy(&a, p + 12, 8);
		memcpy(&b, p + 20, 8);
		memcpy(&c, p + 32, 8); /* ..., source port, destination port, UDP length */
		tl = rte_be_to_cpu_16((uint16_t)(a >> 32));
		if ((a & 0xffffff) == 0x450008 && (b & 0xff00ff3f) == (uint32_t)IPPROTO_UDP << 24 &&
		    tl + off <= len && tl >= 28 && rte_be_to_cpu_16((uint16_t)(c >> 48)) == tl - 20) {
			pi->family = 4;
			pi->src = p + 26;
			pi->dst = p + 30;
			pi->udp = (struct rte_udp_hdr *)(p + 34);
			pi->l4_off = 42;
			if (unlikely(tl + off < len)) {
				m->data_len = (uint16_t)(tl + off);
				m->pkt_len = tl + off;
			}
			if (port != NULL)
				classify_at(port, pi, (uint16_t)(c >> 32), p + 42, tl - 28);
			return;
		}
	}
	pi->family = 0;
	pi->udp = NULL;
	if (unlikely(len < off)) {
		pi->action = ACT_DROP;
		pi->reason = DP_DROP_MALFORMED;
		return;
	}
	if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + off);
		uint32_t ihl;

		if (unlikely(len < off + sizeof(*ip) || (ip->version_ihl >> 4) != 4 ||
			     (ihl = rte_ipv4_hdr_len(ip)) < sizeof(*ip) ||
			     len < off + rte_be_to_cpu_16(ip->total_length) ||
			     rte_be_to_cpu_16(ip->total_length) < ihl)) {
			pi->action = ACT_DROP;
			pi->reason = DP_DROP_MALFORMED;
			return;
		}
		pi->family = 4;
		pi->src = (const uint8_t *)&ip->src_addr;
		pi->dst = (const uint8_t *)&ip->dst_addr;
		/* Fragments and other protocols are the kernel's. */
		if (ip->next_proto_id != IPPROTO_UDP || (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0)
			return;
		if (rte_be_to_cpu_16(ip->total_length) < ihl + sizeof(struct rte_udp_hdr)) {
			pi->action = ACT_DROP;
			pi->reason = DP_DROP_MALFORMED;
			return;
		}
		pi->udp = (struct rte_udp_hdr *)(p + off + ihl);
		pi->l4_off = (uint16_t)(off + ihl + sizeof(struct rte_udp_hdr));
		/* Trailing Ethernet padding is not payload. */
		len = off + rte_be_to_cpu_16(ip->total_length);
	} else if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6)) {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)(p + off);

		if (unlikely(len < off + sizeof(*ip) ||
			     len < off + sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len))) {
			pi->action = ACT_DROP;
			pi->reason = DP_DROP_MALFORMED;
			return;
		}
		pi->family = 6;
		pi->src = ip->src_addr;
		pi->dst = ip->dst_addr;
		/* Extension headers (fragments included) go the kernel's way. */
		if (ip->proto != IPPROTO_UDP)
			return;
		if (rte_be_to_cpu_16(ip->payload_len) < sizeof(struct rte_udp_hdr)) {
			pi->action = ACT_DROP;
			pi->reason = DP_DROP_MALFORMED;
			return;
		}
		pi->udp = (struct rte_udp_hdr *)(p + off + sizeof(*ip));
		pi->l4_off = (uint16_t)(off + sizeof(*ip) + sizeof(struct rte_udp_hdr));
		len = off + sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len);
	} else {
		return; /* ARP, VLAN-tagged, LLDP...: the kernel's */
	}
	if (unlikely(rte_be_to_cpu_16(pi->udp->dgram_len) != len - (pi->l4_off - 8u))) {
		pi->action = ACT_DROP;
		pi->reason = DP_DROP_MALFORMED;
		return;
	}
	/* Drop Ethernet padding so the payload length is exact. */
	if (len < m->data_len) {
		m->data_len = (uint16_t)len;
		m->pkt_len = len;
	}
	if (port != NULL)
		classify(port, m, pi);
}

/*
 * The lines of a media frame past the one parse read, which the SRTP burst
 * of the next stage reads and writes: for ports whose frames are not in
 * this core's cache (!rx_copied).
 */
static inline void
prefetch_payload(const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

	for (uint32_t off = 64 - ((uintptr_t)d & 63); off < m->data_len; off += 64)
		rte_prefetch0(d + off);
}

/* A media packet's flow key into k; returns its hash. */
static inline uint32_t
flow_key(const struct pkt_info *pi, struct dp_flow_key *k)
{
	return dp_flow_key_make(k, pi->family, pi->side, pi->dst, pi->udp->dst_port,
				pi->side == DP_PUBLIC ? pi->src : NULL, pi->udp->src_port);
}

/* Is the internal packet from the leg's remote (address, and the port for RTP or RTCP)? */
static inline bool
from_remote(const struct dp_src *l, const struct pkt_info *pi)
{
	uint16_t want = pi->udp->dst_port == l->local_rtcp_port && l->local_rtcp_port != l->local_port
				? l->remote_rtcp_port : l->remote_port;

	uint64_t a[2], b[2];

	if (l->family != pi->family || pi->udp->src_port != want)
		return false;
	if (pi->family == 4) {
		uint32_t x, y;

		memcpy(&x, l->remote_ip, 4);
		memcpy(&y, pi->src, 4);
		return x == y;
	}
	memcpy(a, l->remote_ip, 16);
	memcpy(b, pi->src, 16);
	return ((a[0] ^ b[0]) | (a[1] ^ b[1])) == 0;
}

/*
 * RFC 4733 on the internal side: when an event's end packet (E bit) comes
 * with a timestamp not reported yet, queue (session id, event) for the
 * control lcore. Only the direction's own worker writes dtmf_ts; the ring
 * is lock-free (a full ring loses the report, never the packet).
 */
static inline void
dtmf_watch(struct dp *dp, struct dp_path *d, const struct rte_mbuf *m,
	   const struct pkt_info *pi)
{
	const uint8_t *r = rte_pktmbuf_mtod_offset(m, const uint8_t *, pi->l4_off);
	uint32_t len = m->data_len - pi->l4_off, hl = 12u + 4u * (r[0] & 0x0f), ts;

	if ((r[1] & 0x7f) != d->dtmf_pt)
		return;
	if (r[0] & 0x10) { /* header extension */
		uint16_t words;

		if (len < hl + 4)
			return;
		memcpy(&words, r + hl + 2, 2);
		hl += 4u + 4u * rte_be_to_cpu_16(words);
	}
	if (len < hl + 4 || !(r[hl + 1] & 0x80) || r[hl] > 15)
		return;
	memcpy(&ts, r + 4, 4);
	if (d->dtmf_seen && d->dtmf_ts == ts)
		return; /* the end packet's retransmissions */
	d->dtmf_seen = 1;
	d->dtmf_ts = ts;
	if (rte_ring_mp_enqueue(dp->events, (void *)(((uintptr_t)d->id << 8) | r[hl])) != 0)
		__atomic_fetch_add(&dp->events_dropped, 1, __ATOMIC_RELAXED);
}

/* The four SRTP kinds a burst may hold; index = dir * 2 + rtcp. */
enum { G_SRTP_UNPROTECT, G_SRTCP_UNPROTECT, G_SRTP_PROTECT, G_SRTCP_PROTECT, G_KINDS };

struct tx_list {
	struct rte_mbuf *pkts[DP_BURST];
	uint16_t n;
};

static inline uint16_t
srtp_reason(uint8_t status)
{
	switch (status) {
	case RTCG_SRTP_AUTH_FAIL:
		return DP_DROP_AUTH_FAIL;
	case RTCG_SRTP_REPLAY:
		return DP_DROP_REPLAY;
	default:
		return DP_DROP_SRTP_OTHER;
	}
}

/* Hand what a stage set aside to its destinations: punts, the kernel, the free list. */
static inline void
dispatch(struct dp *dp, const struct dp_port *port, struct dp_lcore_stats *st,
	 struct rte_mbuf **punt, uint16_t np, struct rte_mbuf **kern, uint16_t nk,
	 struct rte_mbuf **drop, uint16_t nd)
{
	if (np != 0) {
		unsigned q = rte_ring_enqueue_burst(dp->punt, (void **)punt, np, NULL);

		st->punts += q;
		if (q < np) {
			st->drops[DP_DROP_PUNT_FULL] += np - q;
			rte_pktmbuf_free_bulk(&punt[q], np - q);
		}
	}
	if (nk != 0) {
		unsigned q = port->to_kernel != NULL
			? rte_ring_enqueue_burst(port->to_kernel, (void **)kern, nk, NULL) : 0;

		st->exceptions += q;
		if (q < nk) {
			st->drops[DP_DROP_EXCEPTION_FULL] += nk - q;
			rte_pktmbuf_free_bulk(&kern[q], nk - q);
		}
	}
	if (nd != 0)
		rte_pktmbuf_free_bulk(drop, nd);
}

/*
 * The lines a media packet's relay will read of its session (the path of
 * its direction) and of its SRTP context (the first lines, found from the
 * session's slot without reading the session).
 */
static inline void
prefetch_session(const struct dp *dp, const struct dp_session *s, const struct pkt_info *pi)
{
	unsigned dir = pi->side == DP_PUBLIC ? DP_TO_INTERNAL : DP_TO_PUBLIC;

	dp_session_prefetch(s, dir);
	rtcg_srtp_prefetch_early(dp_session_srtp(&dp->sess, s, dir), pi->rtcp);
}

/*
 * Once a window (dp->win_tsc, 100 ms; from the relay, and from the poll
 * loop's idle rounds): how many session directions the worker relayed in
 * the window just ended, and whether it prefetches session state in the
 * next (dataplane.prefetch: auto; always and never fix it). Prefetching
 * lines that are already in L1 or L2 only costs instructions (2-5 ns a
 * packet at 1-1,000 sessions); with more directions than L2 holds it
 * saves far more (42 ns a packet at 100,000). A window that relayed
 * nothing says nothing of the next: it prefetches until a window with
 * traffic says otherwise, as while the flow cache is bypassed.
 */
static inline void
dp_paths_window(const struct dp *dp, struct dp_lcore_conf *lc, uint64_t now)
{
	if (likely(now - lc->win_start < dp->win_tsc))
		return;
	if (dp->cfg->dataplane.prefetch == CONFIG_PREFETCH_AUTO)
		lc->prefetch = lc->win_paths == 0 || lc->win_paths > dp->prefetch_paths || lc->fc.bypass;
	else
		lc->prefetch = dp->cfg->dataplane.prefetch == CONFIG_PREFETCH_ALWAYS;
	lc->stats.active_paths = lc->win_paths;
	lc->stats.prefetching = lc->prefetch;
	lc->win_paths = 0;
	lc->win_start = now;
}

/*
 * The sessions of b's n media packets (keys and hashes in b): from the
 * worker's flow cache where a way of the key's bucket holds its hash's
 * bits, else from the session table. Requests each session's lines as
 * soon as it is known, and for a cached one the line of its key copy.
 * Nothing of a session is read here: that a cached session is still the
 * key's (its key copy, its slot's generation), and the table's answers'
 * entries, wait for the relay's first look at the session (flow_checked),
 * whose lines are then in.
 */
static inline void
flow_lookup(struct dp *dp, struct dp_lcore_conf *lc, struct dp_burst *b, uint16_t n)
{
	struct dp_sessions *ss = &dp->sess;
	const void *mkp[DP_BURST];
	hash_sig_t mkh[DP_BURST];
	void *ms[DP_BURST];
	uint16_t mi[DP_BURST], nm = 0;
	uint64_t hit = 0;
	uint32_t cached = 0;

	RTE_BUILD_BUG_ON(DP_BURST > 32); /* b->cached */
	b->cached = 0;
	b->fill = 0;
	if (n == 0)
		return;
	/*
	 * While the cache misses more than one lookup in 32 (a worker with
	 * more flows than its buckets hold well, or a flood of packets no
	 * session owns), it is bypassed: there each miss would cost its line
	 * on top of the table's two. One burst in 16 still goes through it, so
	 * that its hit rate stays measured and its entries filled. A miss
	 * whose answer went into an empty way, or into one that already held
	 * it (flow_checked), does not count: a cold cache meeting many new
	 * flows at once (a restart, a wave of calls) is filling, and each of
	 * those flows will hit from its next burst on; bypassing it there
	 * would fill it 16 times slower. A window is 4,096 lookups, and 256
	 * while bypassed (its one burst in 16), so that the cache comes back
	 * as soon after a flood as it went. It is judged here, before this
	 * burst: the fills of the burst that ended it are made in that
	 * burst's relay.
	 */
	if (lc->fc.window >= (lc->fc.bypass ? 256u : 4096u)) {
		uint32_t missed = lc->fc.window_misses - RTE_MIN(lc->fc.window_fills, lc->fc.window_misses);

		lc->fc.bypass = missed * 32 > lc->fc.window;
		lc->stats.flow_cache_bypassed = lc->fc.bypass;
		lc->fc.window = lc->fc.window_misses = lc->fc.window_fills = 0;
	}
	if (lc->fc.bypass && (lc->fc.bursts++ & 15) != 0) {
		for (uint16_t j = 0; j < n; j++) {
			mkp[j] = &b->keys[j];
			mi[j] = j;
		}
		nm = n;
		lc->stats.flow_cache_misses += n;
		goto table;
	}
	for (uint16_t j = 0; j < n; j++) {
		b->ce[j] = dp_flow_cache_bucket(&lc->fc, b->kh[j]);
		rte_prefetch0(b->ce[j]);
	}
	for (uint16_t j = 0; j < n; j++) {
		uint64_t *bk = b->ce[j];
		uint16_t sig = (uint16_t)b->kh[j];
		unsigned w;

		for (w = 0; w < DP_FLOW_CACHE_WAYS; w++)
			if ((uint16_t)(bk[w] >> 48) == sig && bk[w] != 0)
				break;
		if (w < DP_FLOW_CACHE_WAYS) {
			uint32_t ref = (uint32_t)bk[w];
			struct dp_session *s = &ss->slots[ref / DP_SESSION_KEYS];

			b->ce[j] = &bk[w]; /* the way that holds it */
			b->sess[j] = s;
			b->gen[j] = (uint16_t)(bk[w] >> 32);
			b->ref[j] = ref;
			cached |= 1u << j;
			rte_prefetch0(&ss->flow_keys[ref]);
			if (lc->prefetch)
				prefetch_session(dp, s, &b->pi[j]);
		} else {
			mkp[nm] = &b->keys[j];
			mkh[nm] = b->kh[j];
			mi[nm++] = j;
		}
	}
	b->cached = cached;
	b->fill = 1;
	lc->stats.flow_cache_misses += nm;
	lc->fc.window += n;
	lc->fc.window_misses += nm;
	if (nm == 0)
		return;
table:
	rte_hash_lookup_with_hash_bulk_data(ss->h, mkp, b->fill ? mkh : b->kh, nm, &hit, ms);
	for (uint16_t k = 0; k < nm; k++) {
		uint16_t j = mi[k];

		b->sess[j] = (hit >> k & 1) ? ms[k] : NULL;
		if (b->sess[j] != NULL && lc->prefetch)
			prefetch_session(dp, b->sess[j], &b->pi[j]);
	}
}

/*
 * The way of bucket bk a table answer for a key of hash h goes into: the
 * first that holds h's bits (another packet of the burst put the key
 * there, or a flow whose bits collide makes way) or is empty (ways fill
 * in order and are never emptied), else now and then (one miss in 16) a
 * taken one; else NULL. Replacing on every miss would let nine flows that
 * take turns in a bucket evict each other every time; this way eight of
 * them stay, and entries of sessions long gone are still replaced in time.
 */
static inline uint64_t *
flow_cache_way(struct dp_flow_cache *fc, uint64_t *bk, uint32_t h)
{
	for (unsigned w = 0; w < DP_FLOW_CACHE_WAYS; w++)
		if (bk[w] == 0 || (uint16_t)(bk[w] >> 48) == (uint16_t)h)
			return &bk[w];
	if ((++fc->misses & 15) == 0)
		return &bk[fc->misses >> 4 & (DP_FLOW_CACHE_WAYS - 1)];
	return NULL;
}

/*
 * Where the copy of key k is among session s's key lines (the table gave
 * s for k): a public key has one place, an internal one is RTP's or RTCP's.
 */
static inline uint32_t
key_ref(const struct dp_sessions *ss, const struct dp_session *s, const struct dp_flow_key *k)
{
	uint32_t ref = (uint32_t)(s - ss->slots) * DP_SESSION_KEYS;

	if (k->side == DP_INTERNAL)
		ref += dp_words_differ(&ss->flow_keys[ref + 1].key, k, DP_FLOW_KEY_HASHED) ? 2 : 1;
	return ref;
}

/*
 * Packet i of b at the relay's first look at its session (direction dir):
 * a session from the cache whose key copy is not the packet's key (the
 * entry was another flow's with the same hash bits), or whose slot's
 * generation moved since (replaced or deleted), is looked up again, and
 * its entry rewritten; a session the table gave may go into its bucket
 * (flow_cache_way), unless already retired (odd generation: used this
 * once). Returns the session, NULL when the key has none now.
 */
static inline struct dp_session *
flow_checked(struct dp *dp, struct dp_lcore_conf *lc, struct dp_burst *b, uint16_t i, unsigned dir)
{
	struct dp_sessions *ss = &dp->sess;
	struct dp_session *s = b->sess[i];
	uint64_t *ce = b->ce[i];
	uint32_t gen;
	void *d;

	if (!b->fill)
		return s; /* the cache bypassed: the table's answer, as is */
	gen = __atomic_load_n(&s->path[dir].gen, __ATOMIC_ACQUIRE);
	if (b->cached >> i & 1) {
		/* A cached generation is even, so an equal one is a live session's. */
		if (likely((uint16_t)gen == b->gen[i] &&
			   !dp_words_differ(&ss->flow_keys[b->ref[i]].key, &b->keys[i], DP_FLOW_KEY_HASHED)))
			return s;
		lc->stats.flow_cache_misses++;
		if (rte_hash_lookup_with_hash_data(ss->h, &b->keys[i], b->kh[i], &d) < 0)
			return b->sess[i] = NULL;
		b->sess[i] = s = d;
		gen = __atomic_load_n(&s->path[dir].gen, __ATOMIC_ACQUIRE);
	} else {
		ce = flow_cache_way(&lc->fc, ce, b->kh[i]);
	}
	if (ce != NULL && !(gen & 1)) {
		uint64_t e = dp_flow_cache_entry(b->kh[i], gen, key_ref(ss, s, &b->keys[i]));

		/*
		 * Filling, not thrashing (flow_lookup): an empty way, or the
		 * entry an earlier packet of this burst wrote for the same flow
		 * (the lookup ran before it; a video frame's packets come
		 * together).
		 */
		lc->fc.window_fills += *ce == 0 || *ce == e;
		*ce = e;
	}
	return s;
}

/*
 * One look-up of the ban table for the burst's sources not dropped yet
 * whose key passes the filter (dp_ban_filter_has): IPv4 ones in their
 * networks of prefix length plen4, IPv6 ones in those of plen6 (-1: that
 * family is not looked up in this pass).
 */
static void
ban_pass(const struct dp_bans *b, struct pkt_info *pi, uint16_t n, int plen4, int plen6,
	 uint64_t now_s)
{
	struct dp_ban_key bk[DP_BURST];
	const void *bkp[DP_BURST];
	hash_sig_t bh[DP_BURST];
	void *exp[DP_BURST];
	uint16_t idx[DP_BURST], nb = 0;
	uint64_t hit = 0;

	for (uint16_t i = 0; i < n; i++) {
		int plen = pi[i].family == 4 ? plen4 : plen6;

		if (pi[i].family == 0 || pi[i].action == ACT_DROP || plen < 0)
			continue;
		bh[nb] = dp_ban_key_make(&bk[nb], pi[i].family, pi[i].src, (unsigned)plen);
		if (!dp_ban_filter_has(b, bh[nb]))
			continue; /* not banned: nothing to look up */
		bkp[nb] = &bk[nb];
		idx[nb++] = i;
	}
	if (nb == 0 || rte_hash_lookup_with_hash_bulk_data(b->h, bkp, bh, nb, &hit, exp) <= 0)
		return;
	for (uint16_t j = 0; j < nb; j++) {
		if ((hit >> j & 1) && (uint64_t)(uintptr_t)exp[j] > now_s) {
			pi[idx[j]].action = ACT_DROP;
			pi[idx[j]].reason = DP_DROP_BANNED;
		}
	}
}

/*
 * The ban check of a burst: one pass for single addresses of both
 * families, then one for each other prefix length in use (networks of
 * ban.blocklist). With only addresses banned, that is the one pass.
 */
static void
ban_check(const struct dp_bans *b, struct pkt_info *pi, uint16_t n)
{
	uint64_t now_s = dp_now_s();
	uint64_t l4 = __atomic_load_n(&b->lens[0][0], __ATOMIC_ACQUIRE), l6[3];
	bool one4 = l4 >> 32 & 1, one6;

	for (unsigned w = 0; w < 3; w++)
		l6[w] = __atomic_load_n(&b->lens[1][w], __ATOMIC_ACQUIRE);
	one6 = l6[2] & 1; /* 128 */
	l4 &= ~(1ull << 32);
	l6[2] &= ~1ull;
	if (one4 || one6)
		ban_pass(b, pi, n, one4 ? 32 : -1, one6 ? 128 : -1, now_s);
	for (; l4 != 0; l4 &= l4 - 1)
		ban_pass(b, pi, n, __builtin_ctzll(l4), -1, now_s);
	for (unsigned w = 0; w < 3; w++)
		for (; l6[w] != 0; l6[w] &= l6[w] - 1)
			ban_pass(b, pi, n, -1, (int)(w * 64 + (unsigned)__builtin_ctzll(l6[w])), now_s);
}

/*
 * The first half of a burst: parse, ban check, classify, session lookup.
 * Punts, exceptions and drops leave here; media packets go on in b with
 * their sessions, whose path lines and SRTP contexts' first lines are
 * requested as soon as the lookup has found them.
 */
static void
stage_lookup(struct dp *dp, struct dp_lcore_conf *lc, unsigned pidx, struct rte_mbuf **pkts,
	     uint16_t n, struct dp_burst *b, bool cold)
{
	const struct dp_port *port = &dp->ports[pidx];
	struct dp_lcore_stats *st = &lc->stats;
	struct pkt_info *pi = b->pi;
	struct rte_mbuf *drop[DP_BURST], *punt[DP_BURST], *kern[DP_BURST];
	uint16_t nd = 0, np = 0, nk = 0, nm = 0;
	bool bans;
	PROF_BEGIN(lc);

	if (RTCG_WORKER_PROFILE)
		lc->prof.pkts += n;
	b->pidx = (uint16_t)pidx;
	/*
	 * A frame a NIC, a zero-copy peer or another worker (software RSS)
	 * wrote is not in this core's cache (cold): there, headers
	 * DP_PREFETCH_AHEAD frames ahead of the parse.
	 */
	for (uint16_t i = 0; cold && i < n && i < DP_PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	/*
	 * Bans first: a banned source reaches neither the fast path nor the
	 * kernel. Without bans to check, each packet is classified as soon as
	 * it is parsed (-Dworker_profile: the stage "parse" then covers both).
	 */
	bans = port->pub_max != 0 && dp->bans.count != 0;
	for (uint16_t i = 0; i < n; i++) {
		if (cold && i + DP_PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + DP_PREFETCH_AHEAD], void *));
		parse(pkts[i], &pi[i], bans ? NULL : port);
	}
	PROF(DP_STAGE_PARSE);
	if (bans) {
		ban_check(&dp->bans, pi, n);
		for (uint16_t i = 0; i < n; i++)
			if (pi[i].action == ACT_KERNEL && pi[i].udp != NULL)
				classify(port, pkts[i], &pi[i]);
	}

	for (uint16_t i = 0; i < n; i++) {
		switch (pi[i].action) {
		case ACT_MEDIA:
			if (cold)
				prefetch_payload(pkts[i]);
			b->kh[nm] = flow_key(&pi[i], &b->keys[nm]);
			b->pkts[nm] = pkts[i];
			if (nm != i)
				pi[nm] = pi[i];
			nm++;
			break;
		case ACT_PUNT:
			pkts[i]->hash.usr = pi[i].punt;
			punt[np++] = pkts[i];
			break;
		case ACT_KERNEL:
			kern[nk++] = pkts[i];
			break;
		default:
			st->drops[pi[i].reason]++;
			drop[nd++] = pkts[i];
			break;
		}
	}

	PROF(DP_STAGE_CLASSIFY);
	flow_lookup(dp, lc, b, nm);
	b->n = nm;
	PROF(DP_STAGE_LOOKUP);
	dispatch(dp, port, st, punt, np, kern, nk, drop, nd);
	PROF(DP_STAGE_OTHER);
}

/*
 * The second half: per-session checks, one SRTP burst per kind, header
 * rewrite, one tx burst per output port. Leaves b empty.
 */
static void
stage_relay(struct dp *dp, struct dp_lcore_conf *lc, struct dp_burst *b)
{
	const struct dp_port *port = &dp->ports[b->pidx];
	struct dp_lcore_stats *st = &lc->stats;
	const struct pkt_info *pi = b->pi;
	struct rte_mbuf **pkts = b->pkts;
	void *const *sess = b->sess;
	uint16_t n = b->n;
	struct rte_mbuf *drop[DP_BURST], *punt[DP_BURST];
	uint16_t nd = 0, np = 0;
	/*
	 * The SRTP bursts' packets, contexts and indexes in the burst: first
	 * in arrival order (f*, with each one's kind), then by kind (sp, sc,
	 * gi, gn[kind] of them). A burst of one kind (the usual: RTP one way)
	 * keeps the first arrays as its kind's; only a mixed one, or one with
	 * an echo session, is copied into the arrays of each kind (g*).
	 */
	struct rtcg_srtp_pkt fsp[DP_BURST], gsp[G_KINDS][DP_BURST], *sp[G_KINDS];
	struct rtcg_srtp_ctx *fsc[DP_BURST], *gsc[G_KINDS][DP_BURST], **sc[G_KINDS];
	uint16_t fi[DP_BURST], ggi[G_KINDS][DP_BURST], *gi[G_KINDS], gn[G_KINDS] = { 0 }, nf = 0;
	uint8_t fg[DP_BURST];
	unsigned kinds = 0; /* bit g: a packet of kind g */
	struct tx_list tx[DP_MAX_PORTS];
	uint64_t now = rte_rdtsc();
	uint32_t echo = 0; /* any echo session in this burst */
	PROF_BEGIN(lc);

	dp_paths_window(dp, lc, now);
	b->n = 0;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_session *s = sess[i];
		struct dp_path *p;
		unsigned dir, g;

		dir = pi[i].side == DP_PUBLIC ? DP_TO_INTERNAL : DP_TO_PUBLIC;
		if (s == NULL || (s = flow_checked(dp, lc, b, i, dir)) == NULL) {
			st->drops[DP_DROP_NO_SESSION]++;
			drop[nd++] = m;
			continue;
		}
		p = &s->path[dir];
		if (pi[i].side == DP_INTERNAL) {
			bool ok = from_remote(&p->src, &pi[i]);

			if (!ok || !p->src.have_mac) {
				if (p->flags & DP_SESSION_LATCH_INTERNAL || (ok && !p->src.have_mac)) {
					m->hash.usr = ((uint32_t)DP_PUNT_LATCH << DP_PUNT_SHIFT) | p->id;
					punt[np++] = m;
				} else {
					st->drops[DP_DROP_WRONG_SOURCE]++;
					p->drops[DP_DROP_WRONG_SOURCE]++;
					drop[nd++] = m;
				}
				continue;
			}
			if (unlikely(p->flags & DP_SESSION_DTMF) && !pi[i].rtcp)
				dtmf_watch(dp, p, m, &pi[i]);
		}
		if (unlikely(p->flags & (DP_SESSION_HOLD_TO_INTERNAL | DP_SESSION_HOLD_TO_PUBLIC)) &&
		    !pi[i].rtcp &&
		    (p->flags & (dir == DP_TO_INTERNAL ? DP_SESSION_HOLD_TO_INTERNAL :
							 DP_SESSION_HOLD_TO_PUBLIC))) {
			st->drops[DP_DROP_HELD]++;
			p->drops[DP_DROP_HELD]++;
			drop[nd++] = m;
			continue;
		}
		if (unlikely(!p->out_ok)) {
			st->drops[DP_DROP_NO_NEIGHBOUR]++;
			p->drops[DP_DROP_NO_NEIGHBOUR]++;
			drop[nd++] = m;
			continue;
		}
		if (unlikely(m->nb_segs != 1)) {
			st->drops[DP_DROP_MULTI_SEGMENT]++;
			drop[nd++] = m;
			continue;
		}
		rte_pktmbuf_adj(m, pi[i].l4_off);
		g = dir * 2 + pi[i].rtcp;
		echo |= p->flags & DP_SESSION_ECHO;
		kinds |= 1u << g;
		fsp[nf].data = rte_pktmbuf_mtod(m, uint8_t *);
		fsp[nf].len = m->data_len;
		fsp[nf].room = m->data_len + rte_pktmbuf_tailroom(m);
		fsc[nf] = p->srtp;
		fg[nf] = (uint8_t)g;
		fi[nf++] = i;
	}
	if (likely(nf != 0 && (kinds & (kinds - 1)) == 0 && !echo)) {
		unsigned g = (unsigned)__builtin_ctz(kinds);

		for (unsigned k = 0; k < G_KINDS; k++)
			sp[k] = NULL, sc[k] = NULL, gi[k] = NULL;
		sp[g] = fsp;
		sc[g] = fsc;
		gi[g] = fi;
		gn[g] = nf;
	} else {
		for (unsigned k = 0; k < G_KINDS; k++) {
			sp[k] = gsp[k];
			sc[k] = gsc[k];
			gi[k] = ggi[k];
		}
		for (uint16_t k = 0; k < nf; k++) {
			unsigned g = fg[k];

			sp[g][gn[g]] = fsp[k];
			sc[g][gn[g]] = fsc[k];
			gi[g][gn[g]++] = fi[k];
		}
	}

	/*
	 * A worker that prefetches asked for the contexts' first lines in this
	 * burst's lookup (rtcg_srtp_prefetch_early): add what their profile
	 * and window need beyond that.
	 */
	PROF(DP_STAGE_CHECKS);
	for (unsigned g = 0; lc->prefetch && g < G_KINDS; g++)
		if (gn[g] != 0)
			rtcg_srtp_prefetch_rest(sc[g], gn[g], g & 1);
	if (gn[G_SRTP_UNPROTECT])
		rtcg_srtp_unprotect_burst(lc->srtp, sc[G_SRTP_UNPROTECT], sp[G_SRTP_UNPROTECT], gn[G_SRTP_UNPROTECT]);
	if (gn[G_SRTCP_UNPROTECT])
		rtcg_srtcp_unprotect_burst(lc->srtp, sc[G_SRTCP_UNPROTECT], sp[G_SRTCP_UNPROTECT], gn[G_SRTCP_UNPROTECT]);
	/*
	 * Echo sessions: decrypted RTP turns round into the protect group
	 * (after the internal leg's share is counted); their RTCP ends here.
	 */
	for (unsigned g = G_SRTP_UNPROTECT; unlikely(echo) && g <= G_SRTCP_UNPROTECT; g++) {
		uint16_t kept = 0;

		for (uint16_t k = 0; k < gn[g]; k++) {
			uint16_t i = gi[g][k];
			struct dp_session *s = sess[i];

			if (likely(!(s->path[DP_TO_INTERNAL].flags & DP_SESSION_ECHO)) ||
			    sp[g][k].status != RTCG_SRTP_OK) {
				sp[g][kept] = sp[g][k];
				sc[g][kept] = sc[g][k];
				gi[g][kept++] = i;
				continue;
			}
			s->path[DP_TO_INTERNAL].pkts++;
			s->path[DP_TO_INTERNAL].bytes += sp[g][k].len;
			s->path[DP_TO_INTERNAL].last_tsc = now;
			st->relayed[DP_TO_INTERNAL]++;
			if (g == G_SRTCP_UNPROTECT) {
				drop[nd++] = pkts[i]; /* consumed, not an error */
				continue;
			}
			sp[G_SRTP_PROTECT][gn[G_SRTP_PROTECT]] = sp[g][k];
			sc[G_SRTP_PROTECT][gn[G_SRTP_PROTECT]] = s->path[DP_TO_PUBLIC].srtp;
			gi[G_SRTP_PROTECT][gn[G_SRTP_PROTECT]++] = i;
		}
		gn[g] = kept;
	}
	if (gn[G_SRTP_PROTECT])
		rtcg_srtp_protect_burst(lc->srtp, sc[G_SRTP_PROTECT], sp[G_SRTP_PROTECT], gn[G_SRTP_PROTECT]);
	if (gn[G_SRTCP_PROTECT])
		rtcg_srtcp_protect_burst(lc->srtp, sc[G_SRTCP_PROTECT], sp[G_SRTCP_PROTECT], gn[G_SRTCP_PROTECT]);

	PROF(DP_STAGE_SRTP);
	for (unsigned p = 0; p < dp->n_ports; p++)
		tx[p].n = 0;
	for (unsigned g = 0; g < G_KINDS; g++) {
		unsigned dir = g / 2;

		for (uint16_t k = 0; k < gn[g]; k++) {
			uint16_t i = gi[g][k];
			struct rte_mbuf *m = pkts[i];
			struct dp_path *p = &((struct dp_session *)sess[i])->path[dir];

			if (sp[g][k].status != RTCG_SRTP_OK) {
				uint16_t r = srtp_reason(sp[g][k].status);

				st->drops[r]++;
				p->drops[r]++;
				drop[nd++] = m;
				continue;
			}
			m->data_len = (uint16_t)sp[g][k].len;
			m->pkt_len = sp[g][k].len;
			p->pkts++;
			p->bytes += sp[g][k].len;
			lc->win_paths += p->last_tsc < lc->win_start; /* its first packet this window */
			p->last_tsc = now;
			if (likely(p->out.family == 4))
				dp_rewrite4(m, &dp->ports[p->out.port], &p->out4, g & 1);
			else
				dp_rewrite(m, &dp->ports[p->out.port], &p->out, g & 1);
			tx[p->out.port].pkts[tx[p->out.port].n++] = m;
			st->relayed[dir]++;
		}
	}
	PROF(DP_STAGE_REWRITE);

	for (unsigned p = 0; p < dp->n_ports; p++) {
		uint16_t sent;

		if (tx[p].n == 0)
			continue;
		sent = rte_eth_tx_burst(dp->ports[p].port_id, lc->tx_queue, tx[p].pkts, tx[p].n);
		st->tx += sent;
		if (unlikely(sent < tx[p].n)) {
			st->drops[DP_DROP_TX_FULL] += tx[p].n - sent;
			rte_pktmbuf_free_bulk(&tx[p].pkts[sent], tx[p].n - sent);
		}
	}
	PROF(DP_STAGE_TX);
	dispatch(dp, port, st, punt, np, NULL, 0, drop, nd);
	PROF(DP_STAGE_OTHER);
}

/*
 * Software RSS: which worker a packet belongs to, by a hash of its UDP
 * 5-tuple (the same for every packet of a flow, so each direction of a
 * session stays with one worker). Anything else stays where it arrived.
 */
static inline unsigned
sw_rss_target(const struct rte_mbuf *m, unsigned n_workers, unsigned self)
{
	uint32_t h;

	return dp_rss_hash(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &h) ? h % n_workers : self;
}

/* Keep our share of a burst, hand the rest to their workers' rings. */
static uint16_t
sw_rss_spread(struct dp *dp, struct dp_lcore_conf *lc, unsigned pidx, struct rte_mbuf **pkts,
	      uint16_t n)
{
	struct rte_mbuf *out[CONFIG_MAX_WORKERS][DP_BURST];
	uint16_t cnt[CONFIG_MAX_WORKERS] = { 0 }, keep = 0;

	for (uint16_t i = 0; i < n; i++) {
		unsigned t = sw_rss_target(pkts[i], dp->n_workers, lc->index);

		if (t == lc->index)
			pkts[keep++] = pkts[i];
		else
			out[t][cnt[t]++] = pkts[i];
	}
	for (unsigned t = 0; t < dp->n_workers; t++) {
		unsigned q;

		if (cnt[t] == 0)
			continue;
		q = rte_ring_mp_enqueue_burst(dp->workers[t].swq[pidx], (void **)out[t], cnt[t],
					      NULL);
		lc->stats.spread += q;
		if (q < cnt[t]) {
			lc->stats.drops[DP_DROP_SPREAD_FULL] += cnt[t] - q;
			rte_pktmbuf_free_bulk(&out[t][q], cnt[t] - q);
		}
	}
	return keep;
}

/* One burst's way through the worker. cold: its frames are not in this core's cache. */
static inline void
relay_burst(struct dp *dp, struct dp_lcore_conf *lc, unsigned pidx, struct rte_mbuf **pkts,
	    uint16_t n, bool cold)
{
	stage_lookup(dp, lc, pidx, pkts, n, &lc->burst, cold);
	if (lc->burst.n != 0)
		stage_relay(dp, lc, &lc->burst);
}

void
dp_worker_rx(struct dp *dp, unsigned w, unsigned port, struct rte_mbuf **pkts, uint16_t n)
{
	relay_burst(dp, &dp->workers[w], port, pkts, n, !dp->ports[port].rx_copied);
}

const char *
dp_stage_name(enum dp_stage s)
{
	static const char *const names[DP_STAGES] = {
		[DP_STAGE_PARSE] = "parse",	    [DP_STAGE_CLASSIFY] = "classify",
		[DP_STAGE_LOOKUP] = "lookup",	    [DP_STAGE_CHECKS] = "checks",
		[DP_STAGE_SRTP] = "srtp",	    [DP_STAGE_REWRITE] = "rewrite",
		[DP_STAGE_TX] = "tx",		    [DP_STAGE_OTHER] = "other",
	};

	return (unsigned)s < DP_STAGES ? names[s] : "?";
}

int
dp_worker_profile(const struct dp *dp, unsigned w, struct dp_profile *out)
{
	if (!RTCG_WORKER_PROFILE)
		return -ENOTSUP;
	if (w >= dp->n_workers)
		return -EINVAL;
	*out = dp->workers[w].prof;
	return 0;
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
	DP_LOG(INFO, "worker on lcore %u polls %u rx queue(s), SRTP on %s", lcore, lc->n_rxq,
	       rtcg_srtp_engine_arch(lc->srtp));
	rte_rcu_qsbr_thread_online(dp->qsv, lc->index);

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
			if (dp->ports[lc->rxq[i].port].sw_rss)
				n = sw_rss_spread(dp, lc, lc->rxq[i].port, pkts, n);
			if (n != 0)
				relay_burst(dp, lc, lc->rxq[i].port, pkts, n,
					    !dp->ports[lc->rxq[i].port].rx_copied);
		}
		for (unsigned p = 0; p < dp->n_ports; p++) {
			unsigned n;

			if (lc->swq[p] == NULL)
				continue;
			n = rte_ring_sc_dequeue_burst(lc->swq[p], (void **)pkts, DP_BURST, NULL);
			if (n == 0)
				continue;
			total += n;
			/* Another worker received these: their mbufs and frames are in its cache. */
			for (unsigned j = 0; j < n; j++)
				rte_prefetch0(pkts[j]);
			relay_burst(dp, lc, p, pkts, (uint16_t)n, true);
		}
		/* Worker 0 sends the control lcore's packets on ports with no queue for it. */
		for (unsigned p = 0; lc->index == 0 && p < dp->n_ports; p++) {
			unsigned n;
			uint16_t sent;

			if (dp->ports[p].ctl_ring == NULL)
				continue;
			n = rte_ring_sc_dequeue_burst(dp->ports[p].ctl_ring, (void **)pkts, DP_BURST, NULL);
			if (n == 0)
				continue;
			total += n;
			sent = rte_eth_tx_burst(dp->ports[p].port_id, lc->tx_queue, pkts, (uint16_t)n);
			lc->stats.tx += sent;
			if (sent < n) {
				lc->stats.drops[DP_DROP_TX_FULL] += n - sent;
				rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
			}
		}
		/* Every pointer into the session and ban tables is dropped here. */
		rte_rcu_qsbr_quiescent(dp->qsv, lc->index);
		if (total != 0) {
			lc->stats.busy_cycles += rte_rdtsc() - start;
			lc->stats.busy_pkts += total;
			lc->stats.busy_rounds++;
		} else {
			dp_paths_window(dp, lc, start);
			if (lc->idle_sleep_us != 0)
				rte_delay_us_sleep(lc->idle_sleep_us);
			lc->stats.idle_cycles += rte_rdtsc() - start;
		}
	}
	rte_rcu_qsbr_thread_offline(dp->qsv, lc->index);
	DP_LOG(INFO, "worker on lcore %u stopped", lcore);
	return 0;
}
