/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ban.c - failure counting, bans and their state file.
 *
 * Records live in one array; a chained hash (indices, not pointers) finds
 * them, and a least-recently-used list over the records that are not banned
 * picks the one to forget when the array is full. Each record keeps the
 * times of its last max_failures failures in a ring (in one slab), so the
 * window is exact, as fail2ban's is.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include "ban.h"

#define NIL UINT32_MAX
#define DEFAULT_CAPACITY 65536
#define SLAB_LIMIT (16u << 20) /* bytes of failure times at most */
#define STATE_HEADER "# rtcgate bans v1\n"

struct rec {
	struct ban_addr addr;
	bool used;
	bool banned;
	uint16_t n_times; /* failures in the ring */
	uint16_t head;	  /* next ring slot */
	uint32_t hnext;	  /* hash chain */
	uint32_t prev, next; /* LRU list (not banned) or free list (next) */
	time_t until;
};

struct ban_tracker {
	struct ban_params p;
	struct config_addr ignore[CONFIG_MAX_LIST];
	struct rec *recs;
	time_t *times; /* capacity x max_failures */
	uint32_t *buckets;
	uint32_t n_buckets; /* power of two */
	uint32_t free_head;
	uint32_t lru_head, lru_tail; /* head: most recent */
	unsigned n_banned;
	uint32_t banned6[128]; /* IPv6 bans by plen (0: single addresses) */
	uint64_t failures;
};

static uint32_t
addr_hash(const struct ban_addr *a)
{
	uint32_t h = (2166136261u ^ a->family) * 16777619u ^ a->plen;

	for (unsigned i = 0; i < (a->family == AF_INET ? 4u : 16u); i++)
		h = (h ^ a->bytes[i]) * 16777619u;
	return h ^ (h >> 15);
}

static bool
addr_eq(const struct ban_addr *x, const struct ban_addr *y)
{
	return x->family == y->family && x->plen == y->plen &&
	       memcmp(x->bytes, y->bytes, x->family == AF_INET ? 4 : 16) == 0;
}

/* a's IPv6 network of plen bits (0: a itself). */
static struct ban_addr
masked(const struct ban_addr *a, unsigned plen)
{
	struct ban_addr n = *a;

	if (a->family != AF_INET6 || plen == 0 || plen >= 128)
		return n;
	for (unsigned i = 0; i < 16; i++)
		if (i * 8 >= plen)
			n.bytes[i] = 0;
		else if (i * 8 + 8 > plen)
			n.bytes[i] &= (uint8_t)(0xff << (8 - plen % 8));
	n.plen = (uint8_t)plen;
	return n;
}

/* What the tracker counts and bans a client by: its IPv6 network, or itself. */
static struct ban_addr
key_of(const struct ban_tracker *bt, const struct ban_addr *a)
{
	return a->plen != 0 ? *a : masked(a, bt->p.ipv6_prefix);
}

void
ban_key(const struct ban_tracker *bt, const struct ban_addr *a, struct ban_addr *out)
{
	*out = key_of(bt, a);
}

struct ban_tracker *
ban_tracker_create(const struct ban_params *p)
{
	struct ban_tracker *bt = calloc(1, sizeof(*bt));
	unsigned cap = p->capacity ? p->capacity : DEFAULT_CAPACITY;

	if (bt == NULL || p->max_failures == 0 || p->max_failures > UINT16_MAX) {
		free(bt);
		return NULL;
	}
	if ((size_t)cap * p->max_failures * sizeof(time_t) > SLAB_LIMIT)
		cap = SLAB_LIMIT / (p->max_failures * sizeof(time_t));
	if (cap < 16)
		cap = 16;
	bt->p = *p;
	bt->p.capacity = cap;
	bt->p.n_ignore = p->n_ignore < CONFIG_MAX_LIST ? p->n_ignore : CONFIG_MAX_LIST;
	if (bt->p.n_ignore)
		memcpy(bt->ignore, p->ignore, bt->p.n_ignore * sizeof(bt->ignore[0]));
	bt->p.ignore = bt->ignore;
	for (bt->n_buckets = 16; bt->n_buckets < cap * 2; bt->n_buckets <<= 1)
		;
	bt->recs = calloc(cap, sizeof(*bt->recs));
	bt->times = calloc((size_t)cap * p->max_failures, sizeof(*bt->times));
	bt->buckets = malloc(bt->n_buckets * sizeof(*bt->buckets));
	if (bt->recs == NULL || bt->times == NULL || bt->buckets == NULL) {
		ban_tracker_destroy(bt);
		return NULL;
	}
	memset(bt->buckets, 0xff, bt->n_buckets * sizeof(*bt->buckets));
	for (uint32_t i = 0; i < cap; i++)
		bt->recs[i].next = i + 1 < cap ? i + 1 : NIL;
	bt->free_head = 0;
	bt->lru_head = bt->lru_tail = NIL;
	return bt;
}

void
ban_tracker_destroy(struct ban_tracker *bt)
{
	if (bt == NULL)
		return;
	free(bt->recs);
	free(bt->times);
	free(bt->buckets);
	free(bt);
}

static uint32_t
find(const struct ban_tracker *bt, const struct ban_addr *a)
{
	for (uint32_t i = bt->buckets[addr_hash(a) & (bt->n_buckets - 1)]; i != NIL;
	     i = bt->recs[i].hnext)
		if (addr_eq(&bt->recs[i].addr, a))
			return i;
	return NIL;
}

static void
lru_unlink(struct ban_tracker *bt, uint32_t i)
{
	struct rec *r = &bt->recs[i];

	if (r->prev != NIL)
		bt->recs[r->prev].next = r->next;
	else
		bt->lru_head = r->next;
	if (r->next != NIL)
		bt->recs[r->next].prev = r->prev;
	else
		bt->lru_tail = r->prev;
	r->prev = r->next = NIL;
}

static void
lru_push(struct ban_tracker *bt, uint32_t i)
{
	struct rec *r = &bt->recs[i];

	r->prev = NIL;
	r->next = bt->lru_head;
	if (bt->lru_head != NIL)
		bt->recs[bt->lru_head].prev = i;
	bt->lru_head = i;
	if (bt->lru_tail == NIL)
		bt->lru_tail = i;
}

/* One ban more (delta 1) or fewer (-1) of a's family and length. */
static void
count_ban(struct ban_tracker *bt, const struct ban_addr *a, int delta)
{
	bt->n_banned = (unsigned)((int)bt->n_banned + delta);
	if (a->family == AF_INET6)
		bt->banned6[a->plen] = (uint32_t)((int)bt->banned6[a->plen] + delta);
}

/* Unhash and free a record (it must not be on the LRU list). */
static void
release(struct ban_tracker *bt, uint32_t i)
{
	uint32_t *link = &bt->buckets[addr_hash(&bt->recs[i].addr) & (bt->n_buckets - 1)];

	while (*link != i)
		link = &bt->recs[*link].hnext;
	*link = bt->recs[i].hnext;
	if (bt->recs[i].banned)
		count_ban(bt, &bt->recs[i].addr, -1);
	memset(&bt->recs[i], 0, sizeof(bt->recs[i]));
	bt->recs[i].prev = NIL;
	bt->recs[i].next = bt->free_head;
	bt->free_head = i;
}

/* The record for a, made (evicting the least recent unbanned one) if new. */
static uint32_t
get(struct ban_tracker *bt, const struct ban_addr *a)
{
	uint32_t i = find(bt, a), b;

	if (i != NIL)
		return i;
	if (bt->free_head == NIL) {
		if (bt->lru_tail == NIL)
			return NIL; /* every record is a ban */
		i = bt->lru_tail;
		lru_unlink(bt, i);
		release(bt, i);
	}
	i = bt->free_head;
	bt->free_head = bt->recs[i].next;
	memset(&bt->recs[i], 0, sizeof(bt->recs[i]));
	bt->recs[i].addr = *a;
	bt->recs[i].used = true;
	b = addr_hash(a) & (bt->n_buckets - 1);
	bt->recs[i].hnext = bt->buckets[b];
	bt->buckets[b] = i;
	bt->recs[i].prev = bt->recs[i].next = NIL;
	lru_push(bt, i);
	return i;
}

static bool
in_network(const struct config_addr *net, const struct ban_addr *a)
{
	unsigned bits = net->prefix_len, full = bits / 8, rest = bits % 8;

	if (net->family != a->family)
		return false;
	if (memcmp(net->bytes, a->bytes, full) != 0)
		return false;
	return rest == 0 ||
	       ((net->bytes[full] ^ a->bytes[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

bool
ban_addr_in_networks(const struct config_addr *nets, unsigned n, const struct ban_addr *a)
{
	for (unsigned i = 0; i < n; i++)
		if (in_network(&nets[i], a))
			return true;
	return false;
}

bool
ban_is_ignored(const struct ban_tracker *bt, const struct ban_addr *a)
{
	return ban_addr_in_networks(bt->ignore, bt->p.n_ignore, a);
}

static void
set_banned(struct ban_tracker *bt, uint32_t i, time_t until)
{
	struct rec *r = &bt->recs[i];

	if (!r->banned) {
		lru_unlink(bt, i);
		r->banned = true;
		count_ban(bt, &r->addr, 1);
	}
	r->until = until;
	r->n_times = r->head = 0;
}

enum ban_verdict
ban_failure(struct ban_tracker *bt, const struct ban_addr *a, time_t now, time_t *until)
{
	time_t *ring;
	uint32_t i;
	struct rec *r;
	struct ban_addr k = key_of(bt, a);

	bt->failures++;
	if (ban_is_ignored(bt, a))
		return BAN_IGNORED;
	i = get(bt, &k);
	if (i == NIL)
		return BAN_COUNTED; /* the table is all bans: nothing to count in */
	r = &bt->recs[i];
	if (r->banned) {
		if (r->until > now)
			return BAN_ALREADY;
		/* Over but not yet expired by the caller: start afresh. */
		r->banned = false;
		count_ban(bt, &r->addr, -1);
		lru_push(bt, i);
	} else {
		lru_unlink(bt, i);
		lru_push(bt, i);
	}
	ring = &bt->times[(size_t)i * bt->p.max_failures];
	ring[r->head] = now;
	r->head = (uint16_t)((r->head + 1) % bt->p.max_failures);
	if (r->n_times < bt->p.max_failures)
		r->n_times++;
	/* Full ring: the oldest of the last max_failures is at head. */
	if (r->n_times == bt->p.max_failures &&
	    now - ring[r->head % bt->p.max_failures] < (time_t)bt->p.find_window_seconds) {
		set_banned(bt, i, now + (time_t)bt->p.ban_seconds);
		if (until != NULL)
			*until = r->until;
		return BAN_NOW_BANNED;
	}
	return BAN_COUNTED;
}

/*
 * The banned record that covers a (over or not): its own key first, then,
 * for an IPv6 address, its network of each other length some ban has.
 */
static uint32_t
find_ban(const struct ban_tracker *bt, const struct ban_addr *a)
{
	struct ban_addr k = key_of(bt, a), n;
	uint32_t i = find(bt, &k);

	if (i != NIL && bt->recs[i].banned)
		return i;
	if (a->family != AF_INET6 || a->plen != 0)
		return NIL;
	for (unsigned plen = 0; plen < 128; plen++) {
		if (bt->banned6[plen] == 0 || plen == k.plen)
			continue;
		n = masked(a, plen);
		i = find(bt, &n);
		if (i != NIL && bt->recs[i].banned)
			return i;
	}
	return NIL;
}

bool
ban_is_banned(const struct ban_tracker *bt, const struct ban_addr *a, time_t now, time_t *until)
{
	uint32_t i = find_ban(bt, a);

	if (i == NIL || bt->recs[i].until <= now)
		return false;
	if (until != NULL)
		*until = bt->recs[i].until;
	return true;
}

int
ban_add(struct ban_tracker *bt, const struct ban_addr *a, time_t until)
{
	struct ban_addr k = key_of(bt, a);
	uint32_t i = get(bt, &k);

	if (i == NIL)
		return -ENOSPC;
	set_banned(bt, i, until);
	return 0;
}

int
ban_remove(struct ban_tracker *bt, const struct ban_addr *a, struct ban_addr *lifted)
{
	uint32_t i = find_ban(bt, a);

	if (i == NIL)
		return -ENOENT;
	if (lifted != NULL)
		*lifted = bt->recs[i].addr;
	release(bt, i);
	return 0;
}

unsigned
ban_expire(struct ban_tracker *bt, time_t now, void (*cb)(const struct ban_addr *, void *),
	   void *arg)
{
	unsigned n = 0;

	if (bt->n_banned == 0)
		return 0;
	for (uint32_t i = 0; i < bt->p.capacity; i++) {
		struct rec *r = &bt->recs[i];

		if (r->used && r->banned && r->until <= now) {
			struct ban_addr a = r->addr;

			release(bt, i);
			n++;
			if (cb != NULL)
				cb(&a, arg);
		}
	}
	return n;
}

void
ban_foreach(const struct ban_tracker *bt, void (*cb)(const struct ban_addr *, time_t, void *),
	    void *arg)
{
	for (uint32_t i = 0; i < bt->p.capacity && bt->n_banned; i++)
		if (bt->recs[i].used && bt->recs[i].banned)
			cb(&bt->recs[i].addr, bt->recs[i].until, arg);
}

unsigned
ban_count(const struct ban_tracker *bt)
{
	return bt->n_banned;
}

uint64_t
ban_failures_total(const struct ban_tracker *bt)
{
	return bt->failures;
}

int
ban_addr_from_sockaddr(const struct sockaddr *sa, struct ban_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		a->family = AF_INET;
		memcpy(a->bytes, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *in6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(in6)) {
			a->family = AF_INET;
			memcpy(a->bytes, &in6->s6_addr[12], 4);
		} else {
			a->family = AF_INET6;
			memcpy(a->bytes, in6, 16);
		}
		return 0;
	}
	return -1;
}

int
ban_addr_parse(const char *text, struct ban_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, text, a->bytes) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, a->bytes) == 1) {
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };

		memcpy(&sin6.sin6_addr, a->bytes, 16);
		return ban_addr_from_sockaddr((const struct sockaddr *)&sin6, a);
	}
	return -1;
}

int
ban_net_parse(const char *text, struct ban_addr *a)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	char *end;
	unsigned long plen;

	if (slash == NULL)
		return ban_addr_parse(text, a);
	if ((size_t)(slash - text) >= sizeof(addr))
		return -1;
	memcpy(addr, text, (size_t)(slash - text));
	addr[slash - text] = '\0';
	plen = strtoul(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || plen == 0 || plen > 128)
		return -1;
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET6, addr, a->bytes) != 1)
		return -1;
	a->family = AF_INET6;
	*a = masked(a, (unsigned)plen);
	return 0;
}

void
ban_addr_format(const struct ban_addr *a, char *buf, size_t len)
{
	if (inet_ntop(a->family, a->bytes, buf, (socklen_t)len) == NULL) {
		if (len > 0)
			snprintf(buf, len, "?");
		return;
	}
	if (a->plen != 0 && strlen(buf) + 5 <= len)
		snprintf(buf + strlen(buf), 5, "/%u", a->plen);
}

unsigned
ban_state_parse(const char *buf, size_t len, time_t now,
		void (*cb)(const struct ban_addr *, time_t, void *), void *arg, unsigned *bad,
		unsigned *first_bad)
{
	unsigned line = 0, n = 0;
	size_t pos = 0;

	*bad = 0;
	*first_bad = 0;
	while (pos < len) {
		const char *start = buf + pos, *nl = memchr(start, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - start) : len - pos;
		char text[128], addr[64], extra;
		long long until;
		struct ban_addr a;

		pos += l + (nl ? 1 : 0);
		line++;
		if (l == 0 || start[0] == '#')
			continue;
		if (l >= sizeof(text) || memchr(start, '\0', l) != NULL)
			goto bad_line;
		memcpy(text, start, l);
		text[l] = '\0';
		if (sscanf(text, "%63s %lld %c", addr, &until, &extra) != 2 ||
		    ban_net_parse(addr, &a) != 0 || until <= 0)
			goto bad_line;
		if ((time_t)until > now) {
			cb(&a, (time_t)until, arg);
			n++;
		}
		continue;
bad_line:
		if ((*bad)++ == 0)
			*first_bad = line;
	}
	return n;
}

struct writer {
	FILE *f;
	int err;
};

static void
write_one(const struct ban_addr *a, time_t until, void *arg)
{
	struct writer *w = arg;
	char text[64];

	ban_addr_format(a, text, sizeof(text));
	if (fprintf(w->f, "%s %lld\n", text, (long long)until) < 0)
		w->err = errno ? errno : EIO;
}

int
ban_state_save(const struct ban_tracker *bt, const char *path, char *err, size_t errlen)
{
	char tmp[CONFIG_PATH + 32], dir[CONFIG_PATH];
	struct writer w = { 0 };
	int fd, dfd, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (w.f = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	fputs(STATE_HEADER, w.f);
	ban_foreach(bt, write_one, &w);
	if (w.err == 0 && fflush(w.f) != 0)
		w.err = errno;
	if (w.err == 0 && fsync(fd) != 0)
		w.err = errno;
	if (fclose(w.f) != 0 && w.err == 0)
		w.err = errno;
	if (w.err == 0 && rename(tmp, path) != 0)
		w.err = errno;
	if (w.err != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(w.err));
		unlink(tmp);
		return -w.err;
	}
	/* The rename itself must reach the disk. */
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

static void
load_one(const struct ban_addr *a, time_t until, void *arg)
{
	(void)ban_add(arg, a, until);
}

int
ban_state_load(struct ban_tracker *bt, const char *path, time_t now, unsigned *bad,
	       unsigned *first_bad, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long size;
	unsigned n;

	*bad = *first_bad = 0;
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || size > (16 << 20) ||
	    fseek(f, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s: unreadable or larger than 16 MiB", path);
		fclose(f);
		return -EFBIG;
	}
	buf = malloc((size_t)size + 1);
	if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		snprintf(err, errlen, "%s: read error", path);
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	n = ban_state_parse(buf, (size_t)size, now, load_one, bt, bad, first_bad);
	free(buf);
	return (int)n;
}
