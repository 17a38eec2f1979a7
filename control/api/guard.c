/* SPDX-License-Identifier: BSD-3-Clause */
/* guard.c - failed sign-ins, bans, their state file and their enforcement. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "api_log.h"
#include "guard.h"

#define EXPIRE_INTERVAL_MS 1000

struct guard {
	const struct rtcg_config *cfg;
	struct guard_hooks hooks;
	struct ban_tracker *bt;
	struct event *timer;
	uint64_t bans_total;
	uint64_t refused;
};

static void
save(struct guard *g)
{
	char err[300];

	if (ban_state_save(g->bt, g->cfg->ban.state_file, err, sizeof(err)) != 0)
		api_log(4, "cannot save the ban state: %s", err);
}

static void
enforce(struct guard *g, const struct ban_addr *a, time_t until, time_t now)
{
	if (g->hooks.ban != NULL && until > now) {
		int rc = g->hooks.ban(g->hooks.arg, a, (uint32_t)(until - now));

		if (rc != 0) {
			char text[64];

			ban_addr_format(a, text, sizeof(text));
			api_log(4, "cannot push the ban of %s into the dataplane: %s", text,
				strerror(-rc));
		}
	}
}

static void
lifted(const struct ban_addr *a, void *arg)
{
	struct guard *g = arg;
	char text[64];

	ban_addr_format(a, text, sizeof(text));
	api_log(5, "NOTICE [rtcgate] Unban %s", text);
	if (g->hooks.unban != NULL)
		(void)g->hooks.unban(g->hooks.arg, a);
}

/* fail2ban says "Restore Ban" for bans it reinstates at start. */
static void
restored(const struct ban_addr *a, time_t until, void *arg)
{
	struct guard *g = arg;
	char text[64];

	ban_addr_format(a, text, sizeof(text));
	api_log(5, "NOTICE [rtcgate] Restore Ban %s", text);
	enforce(g, a, until, time(NULL));
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct guard *g = arg;

	if (ban_expire(g->bt, time(NULL), lifted, g) > 0)
		save(g);
}

struct guard *
guard_create(struct event_base *base, const struct rtcg_config *cfg,
	     const struct guard_hooks *hooks, char *err, size_t errlen)
{
	struct guard *g = calloc(1, sizeof(*g));
	struct ban_params p = {
		.max_failures = cfg->ban.max_failures,
		.find_window_seconds = cfg->ban.find_window_seconds,
		.ban_seconds = cfg->ban.ban_seconds,
		.ignore = cfg->ban.ignore_ip,
		.n_ignore = cfg->ban.n_ignore_ip,
		.ipv6_prefix = cfg->ban.ipv6_prefix,
	};
	struct timeval tv = { EXPIRE_INTERVAL_MS / 1000, (EXPIRE_INTERVAL_MS % 1000) * 1000 };
	unsigned bad, first_bad;
	char why[300];
	time_t now = time(NULL);
	int n;

	if (g == NULL || (g->bt = ban_tracker_create(&p)) == NULL) {
		snprintf(err, errlen, "ban: out of memory");
		goto fail;
	}
	g->cfg = cfg;
	if (hooks != NULL)
		g->hooks = *hooks;
	if (cfg->ban.enabled) {
		n = ban_state_load(g->bt, cfg->ban.state_file, now, &bad, &first_bad, why,
				   sizeof(why));
		if (n < 0) {
			snprintf(err, errlen, "ban.state_file: %s", why);
			goto fail;
		}
		if (bad > 0)
			api_log(4, "%s:%u: %u malformed line(s) in the ban state, skipped",
				cfg->ban.state_file, first_bad, bad);
		if (n > 0) {
			api_log(5, "%d ban(s) restored from %s", n, cfg->ban.state_file);
			ban_foreach(g->bt, restored, g);
		}
		save(g); /* without the bans that ended while we were down */
	}
	g->timer = event_new(base, -1, EV_PERSIST, on_timer, g);
	if (g->timer == NULL || event_add(g->timer, &tv) != 0) {
		snprintf(err, errlen, "ban: cannot add the expiry timer");
		goto fail;
	}
	return g;
fail:
	guard_destroy(g);
	return NULL;
}

void
guard_destroy(struct guard *g)
{
	if (g == NULL)
		return;
	if (g->timer != NULL)
		event_free(g->timer);
	ban_tracker_destroy(g->bt);
	free(g);
}

bool
guard_refuse(const struct ban_addr *a, void *arg)
{
	struct guard *g = arg;
	bool refuse = ban_is_banned(g->bt, a, time(NULL), NULL) ||
		      ban_addr_in_networks(g->cfg->ban.blocklist, g->cfg->ban.n_blocklist, a);

	if (refuse)
		g->refused++;
	return refuse;
}

void
guard_failure(struct guard *g, const struct ban_addr *a, const char *user, const char *reason)
{
	time_t now = time(NULL), until = 0;
	char text[64];

	ban_addr_format(a, text, sizeof(text));
	api_log(5, "authentication failure for user '%s' from %s: %s", user, text, reason);
	if (!g->cfg->ban.enabled)
		return;
	switch (ban_failure(g->bt, a, now, &until)) {
	case BAN_COUNTED:
		api_log(6, "INFO [rtcgate] Found %s", text);
		break;
	case BAN_NOW_BANNED: {
		struct ban_addr k;

		ban_key(g->bt, a, &k); /* the address, or its IPv6 network (ban.ipv6_prefix) */
		ban_addr_format(&k, text, sizeof(text));
		g->bans_total++;
		api_log(5, "NOTICE [rtcgate] Ban %s", text);
		enforce(g, &k, until, now);
		save(g);
		break;
	}
	case BAN_ALREADY:
	case BAN_IGNORED:
		break;
	}
}

int
guard_unban(struct guard *g, const struct ban_addr *a)
{
	struct ban_addr was; /* a, or the IPv6 network holding it */

	if (ban_remove(g->bt, a, &was) != 0)
		return -ENOENT;
	lifted(&was, g);
	save(g);
	return 0;
}

struct lister {
	json_t *list;
	time_t now;
};

static void
list_one(const struct ban_addr *a, time_t until, void *arg)
{
	struct lister *l = arg;
	char text[64];

	if (until <= l->now)
		return;
	ban_addr_format(a, text, sizeof(text));
	json_array_append_new(l->list, json_pack("{s:s,s:I,s:I}", "address", text,
		"until", (json_int_t)until, "seconds_left", (json_int_t)(until - l->now)));
}

json_t *
guard_list(const struct guard *g)
{
	struct lister l = { json_array(), time(NULL) };

	ban_foreach(g->bt, list_one, &l);
	return l.list;
}

unsigned
guard_bans(const struct guard *g)
{
	return ban_count(g->bt);
}

uint64_t
guard_failures(const struct guard *g)
{
	return ban_failures_total(g->bt);
}

uint64_t
guard_bans_total(const struct guard *g)
{
	return g->bans_total;
}

uint64_t
guard_refused(const struct guard *g)
{
	return g->refused;
}
