/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * session.c - the session table. One lock-free rte_hash maps each leg's flow
 * key to its session; the control lcore is its only writer and never changes
 * a published session in place: an update builds a copy in a free slot,
 * points every key at the copy, and hands the old slot to an RCU defer queue
 * that frees it once every worker has reported a quiescent state.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_udp.h>

#include "dp_bench.h"
#include "dp_priv.h"

/* Control-lcore-only shadow of a session's keys, to tell whether they changed. */
struct dp_session_keys {
	struct dp_srtp_spec in, out;
};
static struct dp_session_keys *session_keys; /* [n_slots] */

static void
reclaim_slots(void *p, void *e, unsigned n)
{
	struct dp_sessions *ss = p;
	const uint32_t *slots = e;

	for (unsigned i = 0; i < n; i++) {
		struct dp_session *s = &ss->slots[slots[i]];

		rtcg_srtp_ctx_clear(s->srtp_in);
		rtcg_srtp_ctx_clear(s->srtp_out);
		memset(&session_keys[slots[i]], 0, sizeof(session_keys[0]));
		memset(&ss->flow_keys[(size_t)slots[i] * DP_SESSION_KEYS], 0,
		       DP_SESSION_KEYS * sizeof(ss->flow_keys[0]));
		s->in_use = false;
		ss->free_slots[ss->n_free_slots++] = slots[i];
	}
}

uint32_t
dp_flow_hash(const void *key, uint32_t len, uint32_t init)
{
	return dp_crc_words(key, DP_FLOW_KEY_HASHED, init);
}

int
dp_flow_key_cmp(const void *a, const void *b, size_t len)
{
	return dp_words_differ(a, b, DP_FLOW_KEY_WORDS);
}

int
dp_sessions_init(struct dp *dp, char *err, size_t errlen)
{
	struct dp_sessions *ss = &dp->sess;
	uint32_t max = dp->cfg->dataplane.max_sessions;
	struct rte_hash_parameters hp = {
		.name = "rtcg_sessions",
		/* a public key and up to two internal keys per session */
		.entries = max * 3 + 1024,
		.key_len = sizeof(struct dp_flow_key),
		.hash_func = dp_flow_hash, /* crc32 instructions: cheaper than rte_jhash (docs/benchmarks.md) */
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash_rcu_config hrc = { .v = dp->qsv, .mode = RTE_HASH_QSBR_MODE_DQ };
	struct rte_rcu_qsbr_dq_parameters dqp = { 0 };

	/* dp_flow_key_make's words */
	RTE_BUILD_BUG_ON(sizeof(struct dp_flow_key) != 56);
	RTE_BUILD_BUG_ON(offsetof(struct dp_flow_key, remote) != 16);
	RTE_BUILD_BUG_ON(offsetof(struct dp_flow_key, local_port) != 32);
	RTE_BUILD_BUG_ON(offsetof(struct dp_flow_key, remote_port) != 34);
	RTE_BUILD_BUG_ON(offsetof(struct dp_flow_key, family) != 36);
	RTE_BUILD_BUG_ON(offsetof(struct dp_flow_key, side) != 37);
	RTE_BUILD_BUG_ON(offsetof(struct dp_flow_key, pad) > DP_FLOW_KEY_HASHED * 8);
	RTE_BUILD_BUG_ON(DP_FLOW_KEY_HASHED != 5); /* dp_flow_key_make hashes w0-w4 */
	ss->max_sessions = max;
	/* Room for copies waiting out a grace period. */
	ss->n_slots = max + max / 8 + 64;
	ss->ctx_size = RTE_ALIGN_CEIL(rtcg_srtp_ctx_size(), RTE_CACHE_LINE_SIZE);
	ss->replay_window = dp->cfg->dataplane.replay_window;
	ss->slots = rte_zmalloc("rtcg_sessions", (size_t)ss->n_slots * sizeof(*ss->slots),
				RTE_CACHE_LINE_SIZE);
	ss->flow_keys = rte_zmalloc("rtcg_flow_keys",
			       (size_t)ss->n_slots * DP_SESSION_KEYS * sizeof(*ss->flow_keys),
			       RTE_CACHE_LINE_SIZE);
	ss->ctx_mem = rte_zmalloc("rtcg_srtp_ctx", (size_t)ss->n_slots * 2 * ss->ctx_size,
				  RTE_CACHE_LINE_SIZE);
	ss->free_slots = rte_malloc(NULL, ss->n_slots * sizeof(uint32_t), 0);
	ss->free_ids = rte_malloc(NULL, max * sizeof(uint32_t), 0);
	ss->id_slot = rte_malloc(NULL, (max + 1) * sizeof(uint32_t), 0);
	session_keys = rte_zmalloc(NULL, (size_t)ss->n_slots * sizeof(*session_keys), 0);
	ss->h = rte_hash_create(&hp);
	if (ss->h != NULL)
		rte_hash_set_cmp_func(ss->h, dp_flow_key_cmp);
	ss->engine = rtcg_srtp_engine_create();
	if (ss->slots == NULL || ss->flow_keys == NULL || ss->ctx_mem == NULL || ss->free_slots == NULL ||
	    ss->free_ids == NULL || ss->id_slot == NULL || session_keys == NULL ||
	    ss->h == NULL || ss->engine == NULL) {
		snprintf(err, errlen,
			 "dataplane: cannot allocate the session table for %u sessions (%zu bytes each; raise eal.memory_mb or lower dataplane.max_sessions)",
			 max, sizeof(struct dp_session) + DP_SESSION_KEYS * sizeof(*ss->flow_keys) + 2 * ss->ctx_size);
		return -ENOMEM;
	}
	if (rte_hash_rcu_qsbr_add(ss->h, &hrc) != 0) {
		snprintf(err, errlen, "dataplane: session table RCU: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	for (uint32_t i = 0; i < ss->n_slots; i++) {
		ss->slots[i].slot = i;
		ss->slots[i].srtp_in = dp_session_srtp(ss, &ss->slots[i], DP_TO_INTERNAL);
		ss->slots[i].srtp_out = dp_session_srtp(ss, &ss->slots[i], DP_TO_PUBLIC);
		ss->free_slots[i] = ss->n_slots - 1 - i;
	}
	ss->n_free_slots = ss->n_slots;
	for (uint32_t i = 0; i < max; i++)
		ss->free_ids[i] = max - i;
	ss->n_free_ids = max;
	memset(ss->id_slot, 0xff, (max + 1) * sizeof(uint32_t));

	dqp.name = "rtcg_sess_dq";
	dqp.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE;
	dqp.size = ss->n_slots;
	dqp.esize = sizeof(uint32_t);
	dqp.trigger_reclaim_limit = 1;
	dqp.max_reclaim_size = 256;
	dqp.free_fn = reclaim_slots;
	dqp.p = ss;
	dqp.v = dp->qsv;
	ss->dq = rte_rcu_qsbr_dq_create(&dqp);
	if (ss->dq == NULL) {
		snprintf(err, errlen, "dataplane: session defer queue: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

void
dp_sessions_free(struct dp *dp)
{
	struct dp_sessions *ss = &dp->sess;

	if (ss->dq != NULL)
		rte_rcu_qsbr_dq_delete(ss->dq);
	rte_hash_free(ss->h);
	if (ss->ctx_mem != NULL)
		memset(ss->ctx_mem, 0, (size_t)ss->n_slots * 2 * ss->ctx_size);
	rte_free(ss->ctx_mem);
	rte_free(ss->slots);
	rte_free(ss->flow_keys);
	rte_free(ss->free_slots);
	rte_free(ss->free_ids);
	rte_free(ss->id_slot);
	rte_free(session_keys);
	session_keys = NULL;
	rtcg_srtp_engine_destroy(ss->engine);
	memset(ss, 0, sizeof(*ss));
}

void
dp_sessions_reclaim(struct dp *dp)
{
	unsigned freed, pending, avail;

	if (dp->sess.dq != NULL)
		rte_rcu_qsbr_dq_reclaim(dp->sess.dq, 256, &freed, &pending, &avail);
}

/* The port (index) whose role allows side and that owns address ip. */
static int
find_port(const struct dp *dp, enum dp_side side, int family, const uint8_t *ip)
{
	for (unsigned p = 0; p < dp->n_ports; p++) {
		const struct config_port *pc = dp->ports[p].cfg;

		if (pc->role != CONFIG_ROLE_BOTH &&
		    pc->role != (side == DP_PUBLIC ? CONFIG_ROLE_PUBLIC : CONFIG_ROLE_INTERNAL))
			continue;
		for (unsigned a = 0; a < pc->n_addresses; a++)
			if (pc->addresses[a].family == family &&
			    memcmp(pc->addresses[a].bytes, ip, family == AF_INET ? 4 : 16) == 0)
				return (int)p;
	}
	return -1;
}

static bool
zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* Copy a leg spec into the worker's form; -EINVAL if it is not usable. */
static int
fill_leg(const struct dp *dp, enum dp_side side, const struct dp_leg_spec *ls, struct dp_leg *l)
{
	size_t alen = ls->family == AF_INET ? 4 : 16;
	int port;

	if (ls->family != AF_INET && ls->family != AF_INET6)
		return -EINVAL;
	port = find_port(dp, side, ls->family, ls->local_ip);
	if (port < 0 || ls->local_port == 0)
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	l->family = ls->family == AF_INET ? 4 : 6;
	l->port = (uint8_t)port;
	memcpy(l->local_ip, ls->local_ip, alen);
	memcpy(l->remote_ip, ls->remote_ip, alen);
	l->local_port = rte_cpu_to_be_16(ls->local_port);
	l->remote_port = rte_cpu_to_be_16(ls->remote_port);
	l->local_rtcp_port = rte_cpu_to_be_16(ls->local_rtcp_port ? ls->local_rtcp_port : ls->local_port);
	l->remote_rtcp_port = rte_cpu_to_be_16(ls->remote_rtcp_port ? ls->remote_rtcp_port : ls->remote_port);
	l->have_mac = ls->have_mac;
	memcpy(l->remote_mac.addr_bytes, ls->remote_mac, 6);
	return 0;
}

/* The public leg is keyed only once latched (remote known). */
static bool
public_latched(const struct dp_leg *l)
{
	return l->remote_port != 0 && !zero(l->remote_ip, l->family == 4 ? 4 : 16);
}

static void
leg_key(const struct dp_leg *l, enum dp_side side, bool rtcp, struct dp_flow_key *k)
{
	dp_flow_key_make(k, l->family, (uint8_t)side, l->local_ip,
			 rtcp ? l->local_rtcp_port : l->local_port,
			 side == DP_PUBLIC ? l->remote_ip : NULL, l->remote_port);
}

/*
 * Store s's keys at their places in its slot's key lines (struct
 * dp_flow_key_line), which the flow caches check their hits against: public
 * (once latched), internal RTP, internal RTCP (when not muxed).
 */
static void
store_keys(struct dp_sessions *ss, const struct dp_session *s)
{
	struct dp_flow_key_line *kl = &ss->flow_keys[(size_t)s->slot * DP_SESSION_KEYS];

	memset(kl, 0, DP_SESSION_KEYS * sizeof(*kl));
	if (public_latched(&s->leg[DP_PUBLIC]))
		leg_key(&s->leg[DP_PUBLIC], DP_PUBLIC, false, &kl[0].key);
	leg_key(&s->leg[DP_INTERNAL], DP_INTERNAL, false, &kl[1].key);
	if (s->leg[DP_INTERNAL].local_rtcp_port != s->leg[DP_INTERNAL].local_port)
		leg_key(&s->leg[DP_INTERNAL], DP_INTERNAL, true, &kl[2].key);
}

/* The keys of a session (stored by store_keys): up to three. */
static unsigned
session_keys_of(const struct dp_sessions *ss, const struct dp_session *s, struct dp_flow_key k[3])
{
	const struct dp_flow_key_line *kl = &ss->flow_keys[(size_t)s->slot * DP_SESSION_KEYS];
	unsigned n = 0;

	for (unsigned i = 0; i < DP_SESSION_KEYS; i++)
		if (kl[i].key.family != 0)
			k[n++] = kl[i].key;
	return n;
}

static bool
key_in(const struct dp_flow_key *k, const struct dp_flow_key *set, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (memcmp(k, &set[i], sizeof(*k)) == 0)
			return true;
	return false;
}

static int
init_ctx(struct dp_sessions *ss, struct rtcg_srtp_ctx *ctx, const struct dp_srtp_spec *sp)
{
	if (sp->profile < 0 || sp->profile >= RTCG_SRTP_PROFILE_MAX)
		return -EINVAL;
	return rtcg_srtp_ctx_init(ctx, ss->engine, sp->profile, sp->key, sp->salt,
				  ss->replay_window) == 0 ? 0 : -EINVAL;
}

static bool
same_keys(const struct dp_srtp_spec *a, const struct dp_srtp_spec *b)
{
	return a->profile == b->profile && memcmp(a->key, b->key, sizeof(a->key)) == 0 &&
	       memcmp(a->salt, b->salt, sizeof(a->salt)) == 0;
}

static uint32_t
take_slot(struct dp_sessions *ss)
{
	if (ss->n_free_slots == 0)
		dp_sessions_reclaim(container_of(ss, struct dp, sess));
	return ss->n_free_slots == 0 ? UINT32_MAX : ss->free_slots[--ss->n_free_slots];
}

/* Undo the first n keys of a publish that failed: prev's own go back to it, the new ones go. */
static void
unpublish(struct dp_sessions *ss, struct dp_session *prev, const struct dp_flow_key *pk,
	  unsigned np, const struct dp_flow_key *nk, unsigned n)
{
	for (unsigned j = 0; j < n; j++) {
		if (key_in(&nk[j], pk, np))
			rte_hash_add_key_data(ss->h, &nk[j], prev); /* an update: no new entry */
		else
			rte_hash_del_key(ss->h, &nk[j]);
	}
}

/*
 * Point the keys of `next` at it and retire the keys of `prev` it no longer
 * has. Either may be NULL (create, delete). On failure the table is as it
 * was, but workers may have found `next` under some key meanwhile.
 */
static int
publish(struct dp_sessions *ss, struct dp_session *prev, struct dp_session *next)
{
	struct dp_flow_key pk[3], nk[3];
	unsigned np = prev ? session_keys_of(ss, prev, pk) : 0;
	unsigned nn = next ? session_keys_of(ss, next, nk) : 0;

	for (unsigned i = 0; i < nn; i++) {
		int32_t pos = rte_hash_lookup_data(ss->h, &nk[i], NULL);

		/* A key that some other session owns is a conflict. */
		if (pos >= 0 && !key_in(&nk[i], pk, np)) {
			unpublish(ss, prev, pk, np, nk, i);
			return -EEXIST;
		}
		if (rte_hash_add_key_data(ss->h, &nk[i], next) != 0) {
			unpublish(ss, prev, pk, np, nk, i);
			return -ENOSPC;
		}
	}
	for (unsigned i = 0; i < np; i++)
		if (!key_in(&pk[i], nk, nn))
			rte_hash_del_key(ss->h, &pk[i]);
	return 0;
}

/* s->gen, and the copies the workers read in its paths. */
static void
set_gen(struct dp_session *s, uint32_t gen)
{
	s->gen = gen;
	for (unsigned d = 0; d < DP_DIRS; d++)
		__atomic_store_n(&s->path[d].gen, gen, __ATOMIC_RELEASE);
}

/*
 * Out of the session table: after publish() took its keys away, its
 * generation turns odd, so that no flow cache trusts its entries for it
 * again; the slot itself waits out a grace period before its reuse.
 */
static void
retire(struct dp_sessions *ss, struct dp_session *s)
{
	uint32_t slot = s->slot;

	set_gen(s, s->gen | 1);
	if (rte_rcu_qsbr_dq_enqueue(ss->dq, &slot) != 0) {
		/* Queue full: wait out a grace period here, then free. */
		rte_rcu_qsbr_synchronize(container_of(ss, struct dp, sess)->qsv,
					 RTE_QSBR_THRID_INVALID);
		reclaim_slots(ss, &slot, 1);
	}
}

/*
 * l's prebuilt IPv4 header into o (which may be where l is): what
 * dp_rewrite writes before an empty payload, written by it into a buffer
 * behind a stand-in mbuf, so the two cannot disagree.
 */
static void
out4_build(const struct dp *dp, const struct dp_leg *l, struct dp_out4 *o)
{
	uint8_t buf[RTE_PKTMBUF_HEADROOM];
	struct rte_mbuf m;
	struct dp_out4 t = { .family = 4, .port = l->port };
	struct rte_ipv4_hdr *ip;
	const uint8_t *h;

	memset(&m, 0, sizeof(m));
	m.buf_addr = buf;
	m.buf_len = sizeof(buf);
	m.data_off = sizeof(buf);
	m.nb_segs = 1;
	dp_rewrite(&m, &dp->ports[l->port], l, false);
	h = rte_pktmbuf_mtod(&m, const uint8_t *);
	memcpy(t.hdr, h, sizeof(t.hdr));
	t.rtcp_src_port = l->local_rtcp_port;
	t.rtcp_dst_port = l->remote_rtcp_port;
	ip = (struct rte_ipv4_hdr *)(t.hdr + RTE_ETHER_HDR_LEN);
	ip->total_length = 0;
	ip->hdr_checksum = 0;
	t.ip_sum = dp_fold(dp_sum(ip, sizeof(*ip)));
	t.udp_sum = dp_fold(dp_sum(&ip->src_addr, 8) + rte_cpu_to_be_16(IPPROTO_UDP));
	*o = t;
}

/* The workers' copy of session s, one path per direction (counters left as they are). */
static void
fill_paths(const struct dp *dp, struct dp_session *s)
{
	const struct dp_leg *il = &s->leg[DP_INTERNAL];
	struct dp_src *src = &s->path[DP_TO_PUBLIC].src;

	for (unsigned d = 0; d < DP_DIRS; d++) {
		struct dp_path *p = &s->path[d];

		p->srtp = d == DP_TO_INTERNAL ? s->srtp_in : s->srtp_out;
		p->flags = (uint8_t)s->flags;
		p->dtmf_pt = s->dtmf_pt;
		p->out = s->leg[d == DP_TO_INTERNAL && !(s->flags & DP_SESSION_ECHO) ? DP_INTERNAL
										   : DP_PUBLIC];
		p->out_ok = p->out.have_mac && p->out.family != 0;
		if (p->out_ok && p->out.family == 4)
			out4_build(dp, &p->out, &p->out4);
		memset(&p->src, 0, sizeof(p->src));
	}
	src->family = il->family;
	src->have_mac = il->have_mac;
	src->local_port = il->local_port;
	src->local_rtcp_port = il->local_rtcp_port;
	src->remote_port = il->remote_port;
	src->remote_rtcp_port = il->remote_rtcp_port;
	memcpy(src->remote_ip, il->remote_ip, sizeof(src->remote_ip));
}

/* Start the counters of `to` where `from`'s are (an update's copy). */
static void
carry_counters(struct dp_session *to, const struct dp_session *from)
{
	for (unsigned d = 0; d < DP_DIRS; d++) {
		struct dp_path *t = &to->path[d];
		const struct dp_path *f = &from->path[d];

		t->pkts = f->pkts;
		t->bytes = f->bytes;
		t->last_tsc = f->last_tsc;
		t->dtmf_ts = f->dtmf_ts;
		t->dtmf_seen = f->dtmf_seen;
		memcpy(t->drops, f->drops, sizeof(t->drops));
	}
}

static int
build(struct dp *dp, struct dp_session *s, const struct dp_session_spec *spec,
      const struct dp_session *prev)
{
	struct dp_sessions *ss = &dp->sess;
	struct dp_session_keys *keys = &session_keys[s->slot];
	int rc;

	for (unsigned side = 0; side < DP_SIDES; side++) {
		rc = fill_leg(dp, side, &spec->leg[side], &s->leg[side]);
		if (rc != 0)
			return rc;
	}
	if (prev != NULL && same_keys(&session_keys[prev->slot].in, &spec->srtp_in))
		memcpy(s->srtp_in, prev->srtp_in, rtcg_srtp_ctx_size());
	else if ((rc = init_ctx(ss, s->srtp_in, &spec->srtp_in)) != 0)
		return rc;
	if (prev != NULL && same_keys(&session_keys[prev->slot].out, &spec->srtp_out))
		memcpy(s->srtp_out, prev->srtp_out, rtcg_srtp_ctx_size());
	else if ((rc = init_ctx(ss, s->srtp_out, &spec->srtp_out)) != 0)
		return rc;
	keys->in = spec->srtp_in;
	keys->out = spec->srtp_out;
	s->flags = (spec->latch_internal ? DP_SESSION_LATCH_INTERNAL : 0) |
		   (spec->echo ? DP_SESSION_ECHO : 0) | (spec->dtmf_detect ? DP_SESSION_DTMF : 0) |
		   (spec->hold_to_internal ? DP_SESSION_HOLD_TO_INTERNAL : 0) |
		   (spec->hold_to_public ? DP_SESSION_HOLD_TO_PUBLIC : 0);
	s->dtmf_pt = spec->dtmf_pt;
	fill_paths(dp, s);
	return 0;
}

/*
 * Build session s (in a slot taken for it) from spec, give it id, and point
 * its keys at it in place of prev's (NULL for a new session). On failure the
 * slot goes back to the free list.
 */
static int
install(struct dp *dp, struct dp_session *s, uint32_t id, const struct dp_session_spec *spec,
	struct dp_session *prev)
{
	struct dp_sessions *ss = &dp->sess;
	int rc = build(dp, s, spec, prev);
	uint32_t gen;

	if (rc != 0) {
		rtcg_srtp_ctx_clear(s->srtp_in);
		rtcg_srtp_ctx_clear(s->srtp_out);
		s->in_use = false;
		ss->free_slots[ss->n_free_slots++] = s->slot;
		return rc;
	}
	s->id = id;
	for (unsigned d = 0; d < DP_DIRS; d++)
		s->path[d].id = id;
	s->in_use = true;
	store_keys(ss, s);
	gen = (s->gen | 1) + 1; /* the slot's next even generation */
	if ((uint16_t)gen == 0)
		gen += 2; /* flow cache entries hold its low 16 bits, which are 0 in an empty one */
	set_gen(s, gen);
	rte_smp_wmb();
	rc = publish(ss, prev, s);
	if (rc != 0)
		retire(ss, s); /* some of its keys were visible for a moment: a grace period first */
	return rc;
}

int
dp_session_create(struct dp *dp, const struct dp_session_spec *spec, uint32_t *id)
{
	struct dp_sessions *ss = &dp->sess;
	struct dp_session *s;
	uint32_t slot;
	int rc;

	if (ss->n_free_ids == 0)
		return -ENOSPC;
	slot = take_slot(ss);
	if (slot == UINT32_MAX)
		return -ENOSPC;
	s = &ss->slots[slot];
	memset(s->path, 0, sizeof(s->path));
	rc = install(dp, s, ss->free_ids[ss->n_free_ids - 1], spec, NULL);
	if (rc != 0)
		return rc;
	ss->n_free_ids--;
	ss->id_slot[s->id] = slot;
	ss->count++;
	*id = s->id;
	return 0;
}

static struct dp_session *
by_id(struct dp_sessions *ss, uint32_t id)
{
	if (id == 0 || id > ss->max_sessions || ss->id_slot[id] == UINT32_MAX)
		return NULL;
	return &ss->slots[ss->id_slot[id]];
}

int
dp_session_update(struct dp *dp, uint32_t id, const struct dp_session_spec *spec)
{
	struct dp_sessions *ss = &dp->sess;
	struct dp_session *old = by_id(ss, id), *s;
	uint32_t slot;
	int rc;

	if (old == NULL)
		return -ENOENT;
	slot = take_slot(ss);
	if (slot == UINT32_MAX)
		return -ENOSPC;
	s = &ss->slots[slot];
	memset(s->path, 0, sizeof(s->path));
	carry_counters(s, old);
	rc = install(dp, s, id, spec, old);
	if (rc != 0)
		return rc;
	ss->id_slot[id] = slot;
	retire(ss, old);
	return 0;
}

int
dp_session_delete(struct dp *dp, uint32_t id)
{
	struct dp_sessions *ss = &dp->sess;
	struct dp_session *s = by_id(ss, id);

	if (s == NULL)
		return -ENOENT;
	publish(ss, s, NULL);
	ss->id_slot[id] = UINT32_MAX;
	ss->free_ids[ss->n_free_ids++] = id;
	ss->count--;
	retire(ss, s);
	return 0;
}

uint32_t
dp_session_count(const struct dp *dp)
{
	return dp->sess.count;
}

int
dp_session_stats(struct dp *dp, uint32_t id, struct dp_session_stats *out)
{
	struct dp_session *s = by_id(&dp->sess, id);
	uint64_t now = rte_get_tsc_cycles(), hz = rte_get_tsc_hz();

	if (s == NULL)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	for (unsigned d = 0; d < DP_DIRS; d++) {
		const struct dp_path *ds = &s->path[d];

		out->pkts[d] = ds->pkts;
		out->bytes[d] = ds->bytes;
		memcpy(out->drops[d], ds->drops, sizeof(out->drops[d]));
		out->idle_ms[d] = ds->last_tsc == 0 ? UINT64_MAX
				  : (now - ds->last_tsc) * 1000 / hz;
	}
	return 0;
}

void
dp_sync(struct dp *dp)
{
	rte_rcu_qsbr_synchronize(dp->qsv, RTE_QSBR_THRID_INVALID);
	dp_sessions_reclaim(dp);
}

/* The spec of a published session (keys from the shadow). */
static void
spec_of(const struct dp_session *s, struct dp_session_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	for (unsigned side = 0; side < DP_SIDES; side++) {
		const struct dp_leg *l = &s->leg[side];
		struct dp_leg_spec *ls = &spec->leg[side];
		size_t alen = l->family == 4 ? 4 : 16;

		ls->family = l->family == 4 ? AF_INET : AF_INET6;
		memcpy(ls->local_ip, l->local_ip, alen);
		memcpy(ls->remote_ip, l->remote_ip, alen);
		ls->local_port = rte_be_to_cpu_16(l->local_port);
		ls->remote_port = rte_be_to_cpu_16(l->remote_port);
		ls->local_rtcp_port = rte_be_to_cpu_16(l->local_rtcp_port);
		ls->remote_rtcp_port = rte_be_to_cpu_16(l->remote_rtcp_port);
		ls->have_mac = l->have_mac;
		memcpy(ls->remote_mac, l->remote_mac.addr_bytes, 6);
	}
	spec->srtp_in = session_keys[s->slot].in;
	spec->srtp_out = session_keys[s->slot].out;
	spec->latch_internal = s->flags & DP_SESSION_LATCH_INTERNAL;
	spec->echo = s->flags & DP_SESSION_ECHO;
	spec->dtmf_detect = s->flags & DP_SESSION_DTMF;
	spec->hold_to_internal = s->flags & DP_SESSION_HOLD_TO_INTERNAL;
	spec->hold_to_public = s->flags & DP_SESSION_HOLD_TO_PUBLIC;
	spec->dtmf_pt = s->dtmf_pt;
}

/*
 * A worker punted a packet that reached a session's internal leg from an
 * unexpected source, or before its next-hop MAC was known: learn the
 * source's address, port and MAC (symmetric RTP) if the session allows it.
 */
void
dp_session_latch(struct dp *dp, struct rte_mbuf *m)
{
	struct dp_session *s = by_id(&dp->sess, m->hash.usr & DP_PUNT_ID_MASK);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct dp_session_spec spec, before;
	struct dp_leg_spec *ls;
	const uint8_t *src;
	struct rte_udp_hdr *udp;
	bool rtcp;
	int family;

	if (s == NULL)
		return;
	spec_of(s, &spec);
	memcpy(&before, &spec, sizeof(spec)); /* padding too: compared with memcmp below */
	ls = &spec.leg[DP_INTERNAL];
	if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

		family = AF_INET;
		src = (const uint8_t *)&ip->src_addr;
		udp = (struct rte_udp_hdr *)((uint8_t *)ip + rte_ipv4_hdr_len(ip));
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);

		family = AF_INET6;
		src = ip->src_addr;
		udp = (struct rte_udp_hdr *)(ip + 1);
	}
	rtcp = ls->local_rtcp_port != ls->local_port &&
	       udp->dst_port == rte_cpu_to_be_16(ls->local_rtcp_port);
	if (family != ls->family)
		return;
	if (spec.latch_internal) {
		memcpy(ls->remote_ip, src, family == AF_INET ? 4 : 16);
		if (rtcp && ls->local_rtcp_port != ls->local_port) {
			ls->remote_rtcp_port = rte_be_to_cpu_16(udp->src_port);
		} else {
			bool mux = ls->remote_rtcp_port == ls->remote_port;

			ls->remote_port = rte_be_to_cpu_16(udp->src_port);
			if (mux)
				ls->remote_rtcp_port = ls->remote_port;
		}
	} else if (memcmp(ls->remote_ip, src, family == AF_INET ? 4 : 16) != 0) {
		return;
	}
	memcpy(ls->remote_mac, eth->src_addr.addr_bytes, 6);
	ls->have_mac = true;
	/* Packets punted before the first update landed change nothing. */
	if (memcmp(&before, &spec, sizeof(spec)) != 0 && dp_session_update(dp, s->id, &spec) == 0)
		dp->latch_updates++;
}

/* Benchmark mode: install the synthetic sessions dp_bench.h describes. */
int
dp_bench_install(struct dp *dp, char *err, size_t errlen)
{
	const struct rtcg_config *cfg = dp->cfg;
	uint32_t n = cfg->dataplane.benchmark.sessions;
	const struct config_port *pub = NULL, *in = NULL;
	struct rte_ether_addr pub_mac, in_mac;
	uint32_t pub_range = cfg->media.public_ports.max - cfg->media.public_ports.min + 1;
	uint32_t in_range = cfg->media.internal_ports.max - cfg->media.internal_ports.min + 1;

	if (n == 0)
		return 0;
	for (unsigned p = 0; p < dp->n_ports; p++) {
		const struct config_port *pc = dp->ports[p].cfg;

		if (pub == NULL && pc->role != CONFIG_ROLE_INTERNAL && pc->n_addresses > 0)
			pub = pc;
		if (in == NULL && pc->role != CONFIG_ROLE_PUBLIC && pc->n_addresses > 0)
			in = pc;
	}
	if (pub == NULL || in == NULL) {
		snprintf(err, errlen, "dataplane.benchmark: needs a public and an internal port with addresses");
		return -EINVAL;
	}
	if ((uint64_t)in_range * in->n_addresses < n) {
		snprintf(err, errlen,
			 "dataplane.benchmark.sessions: %u sessions need %u internal ports; the internal port has %u address(es) x %u ports",
			 n, n, in->n_addresses, in_range);
		return -EINVAL;
	}
	if (cfg->dataplane.benchmark.public_peer.family != pub->addresses[0].family ||
	    cfg->dataplane.benchmark.internal_peer.family != in->addresses[0].family) {
		snprintf(err, errlen, "dataplane.benchmark: peers must be of the ports' address families");
		return -EINVAL;
	}
	rte_ether_unformat_addr(cfg->dataplane.benchmark.public_peer_mac, &pub_mac);
	rte_ether_unformat_addr(cfg->dataplane.benchmark.internal_peer_mac, &in_mac);
	for (uint32_t i = 0; i < n; i++) {
		struct dp_session_spec spec = { 0 };
		struct dp_leg_spec *pl = &spec.leg[DP_PUBLIC], *il = &spec.leg[DP_INTERNAL];
		const struct config_addr *ia = &in->addresses[(i / in_range) % in->n_addresses];
		uint32_t id;
		int rc;

		pl->family = pub->addresses[0].family;
		memcpy(pl->local_ip, pub->addresses[0].bytes, 16);
		pl->local_port = (uint16_t)(cfg->media.public_ports.min + i % pub_range);
		memcpy(pl->remote_ip, cfg->dataplane.benchmark.public_peer.bytes, 16);
		dp_bench_addr_add(pl->remote_ip, pl->family == AF_INET6, i / DP_BENCH_PER_ADDR);
		pl->remote_port = DP_BENCH_REMOTE_PORT(i);
		memcpy(pl->remote_mac, pub_mac.addr_bytes, 6);
		pl->have_mac = true;

		il->family = ia->family;
		memcpy(il->local_ip, ia->bytes, 16);
		il->local_port = (uint16_t)(cfg->media.internal_ports.min + i % in_range);
		memcpy(il->remote_ip, cfg->dataplane.benchmark.internal_peer.bytes, 16);
		dp_bench_addr_add(il->remote_ip, il->family == AF_INET6, i / DP_BENCH_PER_ADDR);
		il->remote_port = DP_BENCH_REMOTE_PORT(i);
		memcpy(il->remote_mac, in_mac.addr_bytes, 6);
		il->have_mac = true;

		spec.srtp_in.profile = cfg->dataplane.benchmark.profile;
		spec.srtp_out.profile = cfg->dataplane.benchmark.profile;
		dp_bench_key(i, 0, spec.srtp_in.key, spec.srtp_in.salt);
		dp_bench_key(i, 1, spec.srtp_out.key, spec.srtp_out.salt);
		rc = dp_session_create(dp, &spec, &id);
		if (rc != 0) {
			snprintf(err, errlen, "dataplane.benchmark: session %u: %s", i, strerror(-rc));
			return rc;
		}
	}
	DP_LOG(NOTICE, "benchmark mode: %u synthetic sessions installed", n);
	return 0;
}
