/* SPDX-License-Identifier: BSD-3-Clause */
/* control.c - the control lcore's event loop, listeners and shutdown. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <rte_log.h>
#include <rte_telemetry.h>
#include <event2/buffer.h>

#include "control.h"
#include "api.h"
#include "api_log.h"
#include "webrtc.h"
#include "tls_cert.h"

RTE_LOG_REGISTER(ctl_logtype, rtcgate.control, INFO);
#define CTL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, ctl_logtype, "control: " fmt "\n", ##__VA_ARGS__)

#define CTL_IDLE_SLEEP_US 100
#define CTL_DRAIN_S 3

struct ctl {
	const struct rtcg_config *cfg;
	struct dp *dp;
	struct event_base *base;
	struct event *sig_int, *sig_term;
	SSL_CTX *tls;	    /* the API listener's */
	SSL_CTX *admin_tls; /* the admin listener's: may verify client certificates */
	struct api *api;
	struct webrtc *webrtc;
	volatile bool quit;
};

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct ctl *ctl = arg;

	CTL_LOG(NOTICE, "%s received, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
	ctl->quit = true;
	event_base_loopbreak(ctl->base);
}

/* /healthz: the dataplane's part (workers, ports and their links). */
static void
health_hook(void *arg, json_t *obj)
{
	struct ctl *ctl = arg;
	json_t *ports = json_array();

	for (unsigned i = 0; i < dp_port_count(ctl->dp); i++) {
		struct dp_port_status st;

		if (dp_port_status(ctl->dp, i, &st) == 0)
			json_array_append_new(ports, json_pack("{s:s,s:s,s:s}",
				"name", st.name, "role", config_role_name(st.role),
				"link", st.link_up ? "up" : "down"));
	}
	json_object_set_new(obj, "workers", json_integer(ctl->cfg->lcores.n_workers));
	json_object_set_new(obj, "ports", ports);
}

/* /metrics: the dataplane's counters, summed over workers. */
static void
metrics_hook(void *arg, struct evbuffer *out)
{
	struct ctl *ctl = arg;
	struct dp_totals t;

	dp_totals(ctl->dp, &t);
	evbuffer_add_printf(out,
		"# HELP rtcgate_dp_packets_total Dataplane packets by event.\n"
		"# TYPE rtcgate_dp_packets_total counter\n"
		"rtcgate_dp_packets_total{event=\"rx\"} %llu\n"
		"rtcgate_dp_packets_total{event=\"tx\"} %llu\n"
		"rtcgate_dp_packets_total{event=\"relayed_to_internal\"} %llu\n"
		"rtcgate_dp_packets_total{event=\"relayed_to_public\"} %llu\n"
		"rtcgate_dp_packets_total{event=\"punted\"} %llu\n"
		"rtcgate_dp_packets_total{event=\"exception\"} %llu\n"
		"# HELP rtcgate_dp_drops_total Dataplane drops by reason.\n"
		"# TYPE rtcgate_dp_drops_total counter\n",
		(unsigned long long)t.rx, (unsigned long long)t.tx,
		(unsigned long long)t.relayed[DP_TO_INTERNAL],
		(unsigned long long)t.relayed[DP_TO_PUBLIC], (unsigned long long)t.punts,
		(unsigned long long)t.exceptions);
	for (unsigned r = 0; r < DP_DROP_MAX; r++)
		evbuffer_add_printf(out, "rtcgate_dp_drops_total{reason=\"%s\"} %llu\n",
				    dp_drop_name(r), (unsigned long long)t.drops[r]);
	evbuffer_add_printf(out,
		"# HELP rtcgate_dp_sessions Media sessions in the dataplane.\n"
		"# TYPE rtcgate_dp_sessions gauge\nrtcgate_dp_sessions %u\n"
		"# HELP rtcgate_dp_bans Addresses in the dataplane's ban table.\n"
		"# TYPE rtcgate_dp_bans gauge\nrtcgate_dp_bans %u\n",
		dp_session_count(ctl->dp), dp_ban_count(ctl->dp));
	evbuffer_add_printf(out, "# HELP rtcgate_port_link_up Dataplane ports: 1 when the link is up.\n"
				 "# TYPE rtcgate_port_link_up gauge\n");
	for (unsigned i = 0; i < dp_port_count(ctl->dp); i++) {
		struct dp_port_status st;

		if (dp_port_status(ctl->dp, i, &st) == 0)
			evbuffer_add_printf(out,
				"rtcgate_port_link_up{port=\"%s\",role=\"%s\",driver=\"%s\"} %d\n",
				st.name, config_role_name(st.role), st.driver, st.link_up ? 1 : 0);
	}
	if (ctl->webrtc != NULL)
		webrtc_write_metrics(ctl->webrtc, out);
}

static int
ban_hook(void *arg, const struct ban_addr *a, uint32_t seconds)
{
	struct ctl *ctl = arg;

	return dp_ban_add_net(ctl->dp, a->family, a->bytes, ban_addr_bits(a), seconds);
}

static int
unban_hook(void *arg, const struct ban_addr *a)
{
	struct ctl *ctl = arg;

	return dp_ban_del_net(ctl->dp, a->family, a->bytes, ban_addr_bits(a));
}

static void
log_sink(int level, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	rte_log((uint32_t)level + 1, ctl_logtype, "control: %s\n", line);
}

/* /rtcgate/control: the control lcore's counters, beside the dataplane's. */
static struct ctl *tel_ctl;

static int
tel_control(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct api_stats st;

	if (tel_ctl == NULL)
		return -1;
	api_get_stats(tel_ctl->api, &st);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "http_requests", st.requests);
	rte_tel_data_add_dict_u64(d, "sessions", st.sessions);
	rte_tel_data_add_dict_u64(d, "calls", st.calls);
	rte_tel_data_add_dict_u64(d, "waiting_requests", st.parked);
	rte_tel_data_add_dict_u64(d, "bans", st.bans);
	rte_tel_data_add_dict_u64(d, "auth_failures", st.auth_failures);
	rte_tel_data_add_dict_u64(d, "sign_ins", st.sign_ins);
	return 0;
}

static int
setup_tls(struct ctl *ctl, char *err, size_t errlen)
{
	const struct config_listener *https = &ctl->cfg->https;
	char why[300];
	int rc;

	if (!https->tls && !ctl->cfg->admin.tls)
		return 0;
	if (https->generate_self_signed) {
		rc = tls_cert_ensure_files(https->cert, https->key, why, sizeof(why));
		if (rc < 0) {
			snprintf(err, errlen, "https: %s", why);
			return rc;
		}
		if (rc == 1)
			CTL_LOG(NOTICE, "generated a self-signed certificate %s (key %s, mode 0600)",
				https->cert, https->key);
	}
	ctl->tls = tls_server_ctx_new(https->cert, https->key, why, sizeof(why));
	ctl->admin_tls = ctl->tls ? tls_server_ctx_new(https->cert, https->key, why,
						       sizeof(why)) : NULL;
	if (ctl->tls == NULL || ctl->admin_tls == NULL) {
		snprintf(err, errlen, "https: %s", why);
		return -1;
	}
	if (ctl->cfg->admin.client_ca[0] != '\0') {
		if (SSL_CTX_load_verify_locations(ctl->admin_tls, ctl->cfg->admin.client_ca,
						  NULL) != 1) {
			snprintf(err, errlen, "admin.client_ca: %s: %s", ctl->cfg->admin.client_ca,
				 tls_last_error());
			return -1;
		}
		SSL_CTX_set_verify(ctl->admin_tls,
				   SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	}
	return 0;
}

struct ctl *
ctl_create(const struct rtcg_config *cfg, struct dp *dp, char *err, size_t errlen)
{
	struct ctl *ctl = calloc(1, sizeof(*ctl));

	if (ctl == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ctl->cfg = cfg;
	ctl->dp = dp;
	/* A client that hangs up mid-reply must cost an EPIPE, not the process. */
	signal(SIGPIPE, SIG_IGN);
	ctl->base = event_base_new();
	if (ctl->base == NULL) {
		snprintf(err, errlen, "cannot create the event loop");
		goto fail;
	}
	if (setup_tls(ctl, err, errlen) != 0)
		goto fail;
	api_log_sink = log_sink;
	ctl->api = api_create(ctl->base, cfg, ctl->tls, ctl->admin_tls, &(struct api_hooks){
		.health = health_hook, .metrics = metrics_hook,
		.guard = { .ban = ban_hook, .unban = unban_hook, .arg = ctl }, .arg = ctl },
		err, errlen);
	if (ctl->api == NULL)
		goto fail;
	ctl->webrtc = webrtc_create(ctl->base, cfg, dp, ctl->api, err, errlen);
	if (ctl->webrtc == NULL)
		goto fail;
	tel_ctl = ctl;
	if (rte_telemetry_register_cmd("/rtcgate/control", tel_control,
			"rtcgate control lcore: HTTP requests, API sessions, calls, bans") != 0)
		CTL_LOG(WARNING, "cannot register /rtcgate/control with telemetry");

	ctl->sig_int = evsignal_new(ctl->base, SIGINT, on_signal, ctl);
	ctl->sig_term = evsignal_new(ctl->base, SIGTERM, on_signal, ctl);
	if (ctl->sig_int == NULL || ctl->sig_term == NULL ||
	    evsignal_add(ctl->sig_int, NULL) != 0 || evsignal_add(ctl->sig_term, NULL) != 0) {
		snprintf(err, errlen, "cannot install signal handlers");
		goto fail;
	}
	for (unsigned i = 0; i < cfg->https.n_listen; i++)
		CTL_LOG(NOTICE, "API listening on %s://%s", cfg->https.tls ? "https" : "http",
			cfg->https.listen[i].text);
	for (unsigned i = 0; i < cfg->admin.n_listen; i++)
		CTL_LOG(NOTICE, "admin listening on %s://%s", cfg->admin.tls ? "https" : "http",
			cfg->admin.listen[i].text);
	return ctl;
fail:
	ctl_destroy(ctl);
	return NULL;
}

/*
 * The control lcore's loop: libevent's sockets and timers without blocking,
 * then the dataplane's share (punted packets, the exception path, RCU
 * reclamation). When the dataplane had nothing, wait in libevent (epoll)
 * for at most 100 us instead: a socket that becomes ready wakes it at once,
 * an idle gateway costs little CPU, and the exception path still answers
 * within ~100 us.
 */
int
ctl_run(struct ctl *ctl)
{
	const struct timeval idle = { 0, CTL_IDLE_SLEEP_US };

	struct timespec t0, now;

	while (!ctl->quit) {
		event_base_loop(ctl->base, EVLOOP_NONBLOCK);
		webrtc_poll(ctl->webrtc);
		if (dp_control_poll(ctl->dp) == 0 && !ctl->quit) {
			event_base_loopexit(ctl->base, &idle);
			event_base_loop(ctl->base, EVLOOP_ONCE);
		}
	}
	/*
	 * The goodbyes (BYE, un-REGISTER) while the workers and the exception
	 * path still carry packets: at most CTL_DRAIN_S seconds.
	 */
	webrtc_shutdown(ctl->webrtc);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		event_base_loop(ctl->base, EVLOOP_NONBLOCK);
		webrtc_poll(ctl->webrtc);
		if (dp_control_poll(ctl->dp) == 0)
			usleep(CTL_IDLE_SLEEP_US);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (!webrtc_shutdown_done(ctl->webrtc) && now.tv_sec - t0.tv_sec < CTL_DRAIN_S);
	return 0;
}

void
ctl_destroy(struct ctl *ctl)
{
	if (ctl == NULL)
		return;
	webrtc_destroy(ctl->webrtc);
	api_destroy(ctl->api);
	tel_ctl = NULL;
	if (ctl->sig_int)
		event_free(ctl->sig_int);
	if (ctl->sig_term)
		event_free(ctl->sig_term);
	SSL_CTX_free(ctl->tls);
	SSL_CTX_free(ctl->admin_tls);
	if (ctl->base)
		event_base_free(ctl->base);
	free(ctl);
}
