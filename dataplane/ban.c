/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ban.c - the ban table workers check first on every public rx burst: a
 * lock-free rte_hash of source addresses and networks (each masked to its
 * prefix length, dp_priv.h) with an expiry, written by the control lcore,
 * and the filter in front of it (dp_ban_filter_has). Expired entries are
 * ignored by workers at once and removed by the control lcore's poll.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "dp_priv.h"

#define DP_MAX_BANS 65536

uint32_t
dp_ban_hash(const void *key, uint32_t len, uint32_t init)
{
	return dp_crc_words(key, DP_BAN_KEY_WORDS, init);
}

int
dp_ban_key_cmp(const void *a, const void *b, size_t len)
{
	return dp_words_differ(a, b, DP_BAN_KEY_WORDS);
}

int
dp_bans_init(struct dp *dp, char *err, size_t errlen)
{
	struct dp_bans *b = &dp->bans;
	struct rte_hash_parameters hp = {
		.name = "rtcg_bans",
		.entries = DP_MAX_BANS,
		.key_len = sizeof(struct dp_ban_key),
		.hash_func = dp_ban_hash, /* crc32 instructions: cheaper than rte_jhash (docs/benchmarks.md) */
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash_rcu_config hrc = { .v = dp->qsv, .mode = RTE_HASH_QSBR_MODE_DQ };

	RTE_BUILD_BUG_ON(sizeof(struct dp_ban_key) != 24); /* dp_ban_key_make's words */
	RTE_BUILD_BUG_ON(offsetof(struct dp_ban_key, family) != 16);
	pthread_mutex_init(&b->lock, NULL);
	b->max = DP_MAX_BANS;
	b->list = rte_zmalloc(NULL, b->max * sizeof(*b->list), 0);
	b->filter = rte_zmalloc(NULL, DP_BAN_FILTER_BITS / 8, RTE_CACHE_LINE_SIZE);
	b->filter_refs = rte_zmalloc(NULL, DP_BAN_FILTER_BITS * sizeof(*b->filter_refs), 0);
	b->h = rte_hash_create(&hp);
	if (b->h != NULL)
		rte_hash_set_cmp_func(b->h, dp_ban_key_cmp);
	if (b->h == NULL || b->list == NULL || b->filter == NULL || b->filter_refs == NULL ||
	    rte_hash_rcu_qsbr_add(b->h, &hrc) != 0) {
		snprintf(err, errlen, "dataplane: cannot create the ban table: %s",
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (unsigned i = 0; i < dp->cfg->ban.n_blocklist; i++) {
		const struct config_addr *a = &dp->cfg->ban.blocklist[i];

		if (dp_ban_add_net(dp, a->family, a->bytes, a->prefix_len, 0) != 0) {
			snprintf(err, errlen, "ban.blocklist[%u]: cannot install %s", i, a->text);
			return -ENOSPC;
		}
	}
	return 0;
}

void
dp_bans_free(struct dp *dp)
{
	rte_hash_free(dp->bans.h);
	rte_free(dp->bans.list);
	rte_free(dp->bans.filter);
	rte_free(dp->bans.filter_refs);
	dp->bans.h = NULL;
	dp->bans.list = NULL;
	dp->bans.filter = NULL;
	dp->bans.filter_refs = NULL;
}

/*
 * The key of a network (plen bits of addr) into k and its hash into h;
 * -EINVAL for a bad family or length.
 */
static int
ban_key(int family, const uint8_t *addr, unsigned plen, struct dp_ban_key *k, uint32_t *h)
{
	if ((family != AF_INET && family != AF_INET6) || plen > (family == AF_INET ? 32u : 128u))
		return -EINVAL;
	*h = dp_ban_key_make(k, family == AF_INET ? 4 : 6, addr, plen);
	return 0;
}

static bool
entry_is(const struct dp_ban_entry *e, const struct dp_ban_key *k)
{
	return e->family == k->family && e->plen == k->plen && memcmp(e->addr, k->addr, 16) == 0;
}

/* One more (delta 1) or one fewer (-1) user of bit of the words at bits; the bit follows. */
static void
count_bit(uint64_t *bits, uint32_t *refs, unsigned bit, int delta)
{
	uint64_t mask = 1ull << (bit % 64);

	refs[bit] = (uint32_t)((int)refs[bit] + delta);
	if (delta > 0 && refs[bit] == 1)
		__atomic_fetch_or(&bits[bit / 64], mask, __ATOMIC_RELEASE);
	else if (delta < 0 && refs[bit] == 0)
		__atomic_fetch_and(&bits[bit / 64], ~mask, __ATOMIC_RELEASE);
}

/*
 * One more (delta 1) or one fewer (-1) entry of key k of hash h: the bits
 * of its family's prefix length and of its hash in the filter follow.
 */
static void
count_entry(struct dp_bans *b, const struct dp_ban_key *k, uint32_t h, int delta)
{
	unsigned f = k->family == 4 ? 0 : 1;

	count_bit(b->lens[f], b->refs[f], k->plen, delta);
	count_bit(b->filter, b->filter_refs, dp_ban_filter_bit(h), delta);
}

int
dp_ban_add_net(struct dp *dp, int family, const uint8_t *addr, unsigned plen, uint32_t seconds)
{
	struct dp_bans *b = &dp->bans;
	struct dp_ban_key k;
	uint64_t expires = seconds == 0 ? UINT64_MAX : dp_now_s() + seconds;
	uint32_t h;
	unsigned i;

	if (ban_key(family, addr, plen, &k, &h) != 0)
		return -EINVAL;
	pthread_mutex_lock(&b->lock);
	for (i = 0; i < b->n; i++)
		if (entry_is(&b->list[i], &k))
			break;
	if (i == b->n && b->n == b->max) {
		pthread_mutex_unlock(&b->lock);
		return -ENOSPC;
	}
	if (rte_hash_add_key_with_hash_data(b->h, &k, h, (void *)(uintptr_t)expires) != 0) {
		pthread_mutex_unlock(&b->lock);
		return -ENOSPC;
	}
	if (i == b->n) {
		b->list[i].family = k.family;
		b->list[i].plen = k.plen;
		memcpy(b->list[i].addr, k.addr, 16);
		b->n++;
		count_entry(b, &k, h, 1); /* after the key is in: a worker that sees the bits finds it */
	}
	b->list[i].expires = expires;
	b->count = b->n;
	pthread_mutex_unlock(&b->lock);
	return 0;
}

int
dp_ban_add(struct dp *dp, int family, const uint8_t *addr, uint32_t seconds)
{
	return dp_ban_add_net(dp, family, addr, family == AF_INET ? 32 : 128, seconds);
}

static void
remove_at(struct dp_bans *b, unsigned i)
{
	struct dp_ban_key k;
	uint32_t h = dp_ban_key_make(&k, b->list[i].family, b->list[i].addr, b->list[i].plen);

	count_entry(b, &k, h, -1);
	rte_hash_del_key_with_hash(b->h, &k, h);
	b->list[i] = b->list[--b->n];
	b->count = b->n;
}

int
dp_ban_del_net(struct dp *dp, int family, const uint8_t *addr, unsigned plen)
{
	struct dp_bans *b = &dp->bans;
	struct dp_ban_key k;
	uint32_t h;
	int rc = -ENOENT;

	if (ban_key(family, addr, plen, &k, &h) != 0)
		return -EINVAL;
	pthread_mutex_lock(&b->lock);
	for (unsigned i = 0; i < b->n; i++) {
		if (entry_is(&b->list[i], &k)) {
			remove_at(b, i);
			rc = 0;
			break;
		}
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

int
dp_ban_del(struct dp *dp, int family, const uint8_t *addr)
{
	return dp_ban_del_net(dp, family, addr, family == AF_INET ? 32 : 128);
}

uint32_t
dp_ban_count(const struct dp *dp)
{
	return dp->bans.count;
}

void
dp_bans_expire(struct dp *dp)
{
	struct dp_bans *b = &dp->bans;
	uint64_t now = dp_now_s();

	if (b->count == 0)
		return;
	pthread_mutex_lock(&b->lock);
	for (unsigned i = 0; i < b->n;) {
		if (b->list[i].expires <= now)
			remove_at(b, i);
		else
			i++;
	}
	pthread_mutex_unlock(&b->lock);
}
