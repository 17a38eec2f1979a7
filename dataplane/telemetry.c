/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * telemetry.c - DPDK telemetry commands, read by dpdk-telemetry.py on
 * /var/run/dpdk/<file_prefix>/dpdk_telemetry.v2:
 *   /rtcgate/stats           totals and one dict per worker lcore
 *   /rtcgate/sessions[,ID]   the session count and ids, or one session
 *   /rtcgate/bans            banned addresses (networks as address/prefix) and seconds left,
 *                            and the bits set in the ban filter
 * Callbacks run on DPDK's telemetry thread. Worker counters are read without
 * synchronisation (each is one aligned word); session slots are never
 * unmapped while the dataplane lives, so a racing read is at worst stale.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>

#include <rte_telemetry.h>

#include "dp_priv.h"

static struct dp *tel_dp;

static void
add_drops(struct rte_tel_data *d, const uint64_t *drops)
{
	char name[48];

	for (unsigned r = 0; r < DP_DROP_MAX; r++) {
		snprintf(name, sizeof(name), "drop_%s", dp_drop_name(r));
		rte_tel_data_add_dict_u64(d, name, drops[r]);
	}
}

static void
add_counters(struct rte_tel_data *d, const struct dp_totals *s)
{
	rte_tel_data_add_dict_u64(d, "rx", s->rx);
	rte_tel_data_add_dict_u64(d, "tx", s->tx);
	rte_tel_data_add_dict_u64(d, "relayed_to_internal", s->relayed[DP_TO_INTERNAL]);
	rte_tel_data_add_dict_u64(d, "relayed_to_public", s->relayed[DP_TO_PUBLIC]);
	rte_tel_data_add_dict_u64(d, "punts", s->punts);
	rte_tel_data_add_dict_u64(d, "exceptions", s->exceptions);
	rte_tel_data_add_dict_u64(d, "spread", s->spread);
	rte_tel_data_add_dict_u64(d, "flow_cache_misses", s->flow_cache_misses);
	rte_tel_data_add_dict_u64(d, "active_paths", s->active_paths);
	rte_tel_data_add_dict_u64(d, "prefetching", s->prefetching);
	rte_tel_data_add_dict_u64(d, "flow_cache_bypassed", s->flow_cache_bypassed);
	rte_tel_data_add_dict_u64(d, "busy_cycles", s->busy_cycles);
	rte_tel_data_add_dict_u64(d, "idle_cycles", s->idle_cycles);
	rte_tel_data_add_dict_u64(d, "busy_rounds", s->busy_rounds);
	rte_tel_data_add_dict_u64(d, "busy_ns_per_packet",
				  s->busy_pkts ? s->busy_cycles * 1000000000ull / s->tsc_hz / s->busy_pkts : 0);
	add_drops(d, s->drops);
}

static int
cmd_stats(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	struct dp *dp = tel_dp;
	struct dp_totals t;
	uint64_t hz = rte_get_tsc_hz(), kin = 0, kout = 0, kdrop = 0;

	dp_totals(dp, &t);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "tsc_hz", hz);
	rte_tel_data_add_dict_u64(d, "sessions", dp->sess.count);
	rte_tel_data_add_dict_u64(d, "bans", dp->bans.count);
	rte_tel_data_add_dict_u64(d, "latch_updates", dp->latch_updates);
	rte_tel_data_add_dict_u64(d, "punts_unhandled", dp->punts_unhandled);
	for (unsigned p = 0; p < dp->n_ports; p++) {
		kin += dp->ports[p].to_kernel_pkts;
		kout += dp->ports[p].from_kernel_pkts;
		kdrop += dp->ports[p].kernel_drops;
	}
	rte_tel_data_add_dict_u64(d, "to_kernel", kin);
	rte_tel_data_add_dict_u64(d, "from_kernel", kout);
	rte_tel_data_add_dict_u64(d, "kernel_drops", kdrop);
	add_counters(d, &t);
	for (unsigned w = 0; w < dp->n_workers; w++) {
		struct rte_tel_data *wd = rte_tel_data_alloc();
		struct dp_totals one = { .tsc_hz = hz };
		char name[32];

		if (wd == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(wd);
		rte_tel_data_add_dict_u64(wd, "lcore", dp->workers[w].lcore_id);
		dp_lcore_totals_add(&one, &dp->workers[w].stats);
		add_counters(wd, &one);
		snprintf(name, sizeof(name), "worker%u", dp->workers[w].lcore_id);
		rte_tel_data_add_dict_container(d, name, wd, 0);
	}
	return 0;
}

static void
leg_text(const struct dp_leg *l, bool remote, char *out, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	const uint8_t *a = remote ? l->remote_ip : l->local_ip;

	inet_ntop(l->family == 4 ? AF_INET : AF_INET6, a, ip, sizeof(ip));
	snprintf(out, len, l->family == 4 ? "%s:%u" : "[%s]:%u", ip,
		 rte_be_to_cpu_16(remote ? l->remote_port : l->local_port));
}

static int
cmd_sessions(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct dp *dp = tel_dp;
	struct dp_sessions *ss = &dp->sess;

	rte_tel_data_start_dict(d);
	if (params != NULL && *params != '\0') {
		char *end;
		unsigned long id = strtoul(params, &end, 10);
		struct dp_session_stats st;
		const struct dp_session *s;
		char text[64];

		if (*end != '\0' || dp_session_stats(dp, (uint32_t)id, &st) != 0)
			return -EINVAL;
		s = &ss->slots[ss->id_slot[id]];
		rte_tel_data_add_dict_u64(d, "id", id);
		leg_text(&s->leg[DP_PUBLIC], false, text, sizeof(text));
		rte_tel_data_add_dict_string(d, "public_local", text);
		leg_text(&s->leg[DP_PUBLIC], true, text, sizeof(text));
		rte_tel_data_add_dict_string(d, "public_remote", text);
		leg_text(&s->leg[DP_INTERNAL], false, text, sizeof(text));
		rte_tel_data_add_dict_string(d, "internal_local", text);
		leg_text(&s->leg[DP_INTERNAL], true, text, sizeof(text));
		rte_tel_data_add_dict_string(d, "internal_remote", text);
		rte_tel_data_add_dict_string(d, "srtp_profile",
			rtcg_srtp_profile_name(rtcg_srtp_ctx_profile(s->srtp_in)));
		for (unsigned dir = 0; dir < DP_DIRS; dir++) {
			struct rte_tel_data *dd = rte_tel_data_alloc();

			if (dd == NULL)
				return -ENOMEM;
			rte_tel_data_start_dict(dd);
			rte_tel_data_add_dict_u64(dd, "packets", st.pkts[dir]);
			rte_tel_data_add_dict_u64(dd, "bytes", st.bytes[dir]);
			rte_tel_data_add_dict_u64(dd, "idle_ms", st.idle_ms[dir]);
			add_drops(dd, st.drops[dir]);
			rte_tel_data_add_dict_container(d, dir == DP_TO_INTERNAL ? "to_internal" : "to_public",
							dd, 0);
		}
		return 0;
	}
	rte_tel_data_add_dict_u64(d, "count", ss->count);
	rte_tel_data_add_dict_u64(d, "max", ss->max_sessions);
	{
		struct rte_tel_data *ids = rte_tel_data_alloc();
		unsigned listed = 0;

		if (ids == NULL)
			return -ENOMEM;
		rte_tel_data_start_array(ids, RTE_TEL_U64_VAL);
		for (uint32_t id = 1; id <= ss->max_sessions && listed < 256; id++) {
			if (ss->id_slot[id] != UINT32_MAX) {
				rte_tel_data_add_array_u64(ids, id);
				listed++;
			}
		}
		rte_tel_data_add_dict_container(d, "ids", ids, 0);
	}
	return 0;
}

static int
cmd_bans(const char *cmd __rte_unused, const char *params __rte_unused, struct rte_tel_data *d)
{
	struct dp_bans *b = &tel_dp->bans;
	struct rte_tel_data *list = rte_tel_data_alloc();
	uint64_t now = dp_now_s();

	if (list == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	rte_tel_data_start_array(list, RTE_TEL_STRING_VAL);
	pthread_mutex_lock(&b->lock);
	rte_tel_data_add_dict_u64(d, "count", b->n);
	/* How full the workers' filter is: the share of other sources still looked up. */
	rte_tel_data_add_dict_u64(d, "filter_bits", dp_ban_filter_bits(b));
	for (unsigned i = 0; i < b->n && i < 512; i++) {
		char ip[INET6_ADDRSTRLEN + 4], text[96];
		const struct dp_ban_entry *e = &b->list[i];

		inet_ntop(e->family == 4 ? AF_INET : AF_INET6, e->addr, ip, INET6_ADDRSTRLEN);
		if (e->plen != (e->family == 4 ? 32 : 128)) /* a network: address/prefix */
			snprintf(ip + strlen(ip), 5, "/%u", e->plen);
		if (e->expires == UINT64_MAX)
			snprintf(text, sizeof(text), "%s permanent", ip);
		else
			snprintf(text, sizeof(text), "%s %" PRIu64 "s", ip,
				 e->expires > now ? e->expires - now : 0);
		rte_tel_data_add_array_string(list, text);
	}
	pthread_mutex_unlock(&b->lock);
	rte_tel_data_add_dict_container(d, "bans", list, 0);
	return 0;
}

int
dp_telemetry_register(struct dp *dp)
{
	tel_dp = dp;
	if (rte_telemetry_register_cmd("/rtcgate/stats", cmd_stats,
			"rtcgate dataplane counters: totals and per worker lcore") != 0 ||
	    rte_telemetry_register_cmd("/rtcgate/sessions", cmd_sessions,
			"rtcgate sessions: count and ids; with a parameter, that session") != 0 ||
	    rte_telemetry_register_cmd("/rtcgate/bans", cmd_bans,
			"rtcgate ban table: address and seconds left") != 0)
		return -1;
	return 0;
}
