/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ban.h - the fail2ban-style tracker of the control core: failed sign-ins
 * are counted per client address; max_failures of them within find_window
 * seconds ban the address for ban_seconds. Addresses in the ignore list
 * (networks, like fail2ban's ignoreip) are never banned. Bans can be saved
 * to a state file (written to a temporary file, fsynced and renamed, so a
 * crash leaves the old or the new file, never half of one) and loaded back.
 *
 * The tracker only decides; the caller enforces (refuses connections, pushes
 * the address into the dataplane's ban table) and logs. No DPDK here.
 * Tracked addresses are bounded: when the table is full the address touched
 * longest ago that is not banned is forgotten.
 */
#ifndef RTCG_BAN_H
#define RTCG_BAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>

#include "config.h"

struct ban_addr {
	uint8_t family; /* AF_INET (bytes[0..3]) or AF_INET6 */
	uint8_t bytes[16];
	uint8_t plen; /* 0: the address alone; else an IPv6 network, bytes masked to plen bits */
};

/* The prefix length a ban of a covers: plen, or the whole address (32 or 128). */
static inline unsigned
ban_addr_bits(const struct ban_addr *a)
{
	return a->plen != 0 ? a->plen : a->family == AF_INET ? 32u : 128u;
}

struct ban_params {
	unsigned max_failures;
	unsigned find_window_seconds;
	unsigned ban_seconds;
	unsigned capacity; /* addresses tracked at once; 0: a default */
	const struct config_addr *ignore;
	unsigned n_ignore;
	/*
	 * IPv6 clients are counted and banned by the network of their first
	 * ipv6_prefix bits (a host may take any address of its /64 at will);
	 * 0 or 128: each address alone.
	 */
	unsigned ipv6_prefix;
};

enum ban_verdict {
	BAN_COUNTED,	/* a failure was recorded, no ban yet */
	BAN_NOW_BANNED, /* this failure banned the address */
	BAN_ALREADY,	/* banned already; nothing changed */
	BAN_IGNORED,	/* in the ignore list */
};

struct ban_tracker;

struct ban_tracker *ban_tracker_create(const struct ban_params *p);
void ban_tracker_destroy(struct ban_tracker *bt);

/*
 * What a client's failures are counted and its bans made by: its IPv6
 * network (ipv6_prefix), or itself.
 */
void ban_key(const struct ban_tracker *bt, const struct ban_addr *a, struct ban_addr *out);

/* Record a failed sign-in; *until gets the ban's end on BAN_NOW_BANNED (of ban_key's a). */
enum ban_verdict ban_failure(struct ban_tracker *bt, const struct ban_addr *a,
			     time_t now, time_t *until);

/*
 * Banned at `now`? (*until, when not NULL, gets the end) An IPv6 address
 * is banned when a network holding it is (of ipv6_prefix bits, or of
 * another length, loaded from the state file written under another one).
 */
bool ban_is_banned(const struct ban_tracker *bt, const struct ban_addr *a, time_t now,
		   time_t *until);

bool ban_is_ignored(const struct ban_tracker *bt, const struct ban_addr *a);

/* Ban until `until` (a load or an operator). 0, or -ENOSPC when full. */
int ban_add(struct ban_tracker *bt, const struct ban_addr *a, time_t until);

/*
 * Lift a ban (the one ban_is_banned finds) and forget its failures; what
 * it was of (a, or a network holding it) into *lifted when not NULL.
 * 0 or -ENOENT.
 */
int ban_remove(struct ban_tracker *bt, const struct ban_addr *a, struct ban_addr *lifted);

/* Lift every ban that ended by `now`, calling cb for each; returns how many. */
unsigned ban_expire(struct ban_tracker *bt, time_t now,
		    void (*cb)(const struct ban_addr *a, void *arg), void *arg);

/* Every current ban. */
void ban_foreach(const struct ban_tracker *bt,
		 void (*cb)(const struct ban_addr *a, time_t until, void *arg), void *arg);

unsigned ban_count(const struct ban_tracker *bt);
/* Failures recorded since creation (including those of ignored addresses). */
uint64_t ban_failures_total(const struct ban_tracker *bt);

/* Is a in one of the networks (address/prefix)? */
bool ban_addr_in_networks(const struct config_addr *nets, unsigned n, const struct ban_addr *a);

/*
 * Addresses: from a socket address (v4-mapped v6 becomes v4), text. A
 * network formats as address/prefix; ban_net_parse reads an address or an
 * IPv6 network so written (ban_addr_parse, an address only).
 */
int ban_addr_from_sockaddr(const struct sockaddr *sa, struct ban_addr *a);
int ban_addr_parse(const char *text, struct ban_addr *a);
int ban_net_parse(const char *text, struct ban_addr *a);
void ban_addr_format(const struct ban_addr *a, char *buf, size_t len);

/*
 * The state file: "# rtcgate bans v1" then one "ADDRESS UNTIL" line per ban
 * (UNTIL in Unix seconds; ADDRESS an IPv6 network as address/prefix).
 * ban_state_parse calls cb for each line that is well formed and not over
 * by `now`, and counts the others in *bad (the first one's line number in
 * *first_bad). Returns the bans passed to cb.
 */
unsigned ban_state_parse(const char *buf, size_t len, time_t now,
			 void (*cb)(const struct ban_addr *a, time_t until, void *arg),
			 void *arg, unsigned *bad, unsigned *first_bad);

/* Write every ban to path atomically. 0, or -errno with a reason in err. */
int ban_state_save(const struct ban_tracker *bt, const char *path, char *err, size_t errlen);

/*
 * Load bans from path (a missing file is no bans). Returns the number
 * loaded, or -errno with a reason in err; malformed lines are skipped and
 * reported through *bad and *first_bad.
 */
int ban_state_load(struct ban_tracker *bt, const char *path, time_t now, unsigned *bad,
		   unsigned *first_bad, char *err, size_t errlen);

#endif /* RTCG_BAN_H */
