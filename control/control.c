/* SPDX-License-Identifier: BSD-3-Clause */
/* control.c - the control lcore's event loop, listeners and shutdown. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <rte_cycles.h>
#include <rte_log.h>

#include "control.h"
#include "http_server.h"
#include "tls_cert.h"

RTE_LOG_REGISTER(ctl_logtype, rtcgate.control, INFO);
#define CTL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, ctl_logtype, "control: " fmt "\n", ##__VA_ARGS__)

#define CTL_IDLE_SLEEP_US 100

struct ctl {
	const struct rtcg_config *cfg;
	struct dp *dp;
	struct event_base *base;
	struct event *sig_int, *sig_term;
	SSL_CTX *tls;
	struct http_server *api;
	struct http_server *admin;
	time_t started;
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

/* GET /healthz: the process serves, with its ports' link state. */
static void
handle_healthz(struct evhttp_request *req, void *arg)
{
	struct ctl *ctl = arg;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	json_t *ports = json_array();

	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
		http_reply_error(req, 405, "method_not_allowed", "/healthz takes GET");
		json_decref(ports);
		return;
	}
	for (unsigned i = 0; i < dp_port_count(ctl->dp); i++) {
		struct dp_port_status st;

		if (dp_port_status(ctl->dp, i, &st) == 0)
			json_array_append_new(ports, json_pack("{s:s,s:s,s:s}",
				"name", st.name, "role", config_role_name(st.role),
				"link", st.link_up ? "up" : "down"));
	}
	http_reply_json(req, 200, json_pack("{s:s,s:s,s:I,s:i,s:o}",
		"status", "ok", "version", RTCG_VERSION,
		"uptime_seconds", (json_int_t)(time(NULL) - ctl->started),
		"workers", (int)ctl->cfg->lcores.n_workers, "ports", ports));
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
	if (ctl->tls == NULL) {
		snprintf(err, errlen, "https: %s", why);
		return -1;
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
	ctl->started = time(NULL);
	ctl->base = event_base_new();
	if (ctl->base == NULL) {
		snprintf(err, errlen, "cannot create the event loop");
		goto fail;
	}
	if (setup_tls(ctl, err, errlen) != 0)
		goto fail;
	ctl->api = http_server_create(ctl->base, "https.listen", cfg->https.listen,
				      cfg->https.n_listen, cfg->https.tls ? ctl->tls : NULL,
				      cfg, err, errlen);
	if (ctl->api == NULL)
		goto fail;
	ctl->admin = http_server_create(ctl->base, "admin.listen", cfg->admin.listen,
					cfg->admin.n_listen, cfg->admin.tls ? ctl->tls : NULL,
					cfg, err, errlen);
	if (ctl->admin == NULL)
		goto fail;
	http_server_route(ctl->api, "/healthz", handle_healthz, ctl);
	http_server_route(ctl->admin, "/healthz", handle_healthz, ctl);

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
 * reclamation); a short sleep when neither had work, so an idle gateway
 * costs little CPU and the exception path still answers within ~100 us.
 */
int
ctl_run(struct ctl *ctl)
{
	while (!ctl->quit) {
		event_base_loop(ctl->base, EVLOOP_NONBLOCK);
		if (dp_control_poll(ctl->dp) == 0)
			rte_delay_us_sleep(CTL_IDLE_SLEEP_US);
	}
	return 0;
}

void
ctl_destroy(struct ctl *ctl)
{
	if (ctl == NULL)
		return;
	http_server_destroy(ctl->api);
	http_server_destroy(ctl->admin);
	if (ctl->sig_int)
		event_free(ctl->sig_int);
	if (ctl->sig_term)
		event_free(ctl->sig_term);
	SSL_CTX_free(ctl->tls);
	if (ctl->base)
		event_base_free(ctl->base);
	free(ctl);
}
