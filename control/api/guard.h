/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * guard.h - fail2ban-style blocking on the control core. Failed sign-ins
 * are counted per client address (lib/ban); a ban refuses the address's
 * HTTPS connections (in the TLS handshake, before any HTTP) and its requests,
 * and is pushed through the hooks into the dataplane's ban table, so its UDP
 * is dropped too. Bans are saved to ban.state_file at every change and
 * loaded back at start. Ban and Unban are logged once each, in fail2ban's
 * words: "NOTICE [rtcgate] Ban 198.18.1.2".
 */
#ifndef RTCG_GUARD_H
#define RTCG_GUARD_H

#include <stdbool.h>
#include <stdint.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>

#include "ban.h"
#include "config.h"

struct guard_hooks {
	/* Enforce a ban for `seconds` elsewhere (the dataplane); 0 or -errno. */
	int (*ban)(void *arg, const struct ban_addr *a, uint32_t seconds);
	int (*unban)(void *arg, const struct ban_addr *a);
	void *arg;
};

struct guard;

struct guard *guard_create(struct event_base *base, const struct rtcg_config *cfg,
			   const struct guard_hooks *hooks, char *err, size_t errlen);
void guard_destroy(struct guard *g);

/* Refuse this client? (banned, or in ban.blocklist) Suits http_server_opts.refuse. */
bool guard_refuse(const struct ban_addr *a, void *guard);

/* A failed sign-in from a: user and reason go to the log line. */
void guard_failure(struct guard *g, const struct ban_addr *a, const char *user,
		   const char *reason);

/* Lift a ban (the admin API). 0 or -ENOENT. */
int guard_unban(struct guard *g, const struct ban_addr *a);

/* [{"address": ..., "until": unix, "seconds_left": n}, ...] */
json_t *guard_list(const struct guard *g);

unsigned guard_bans(const struct guard *g);
uint64_t guard_failures(const struct guard *g);
uint64_t guard_bans_total(const struct guard *g);
uint64_t guard_refused(const struct guard *g);

#endif /* RTCG_GUARD_H */
