/* SPDX-License-Identifier: BSD-3-Clause */
/* admin.c - /healthz, /metrics and the /v1/admin/ routes on the admin listener. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "api_priv.h"

void
api_h_healthz(struct http_req *hr, void *arg)
{
	struct api *api = arg;
	json_t *obj = json_pack("{s:s,s:s,s:I}", "status", "ok", "version", RTCG_VERSION,
				"uptime_seconds", (json_int_t)(time(NULL) - api->started));

	if (api->hooks.health != NULL)
		api->hooks.health(api->hooks.arg, obj);
	http_reply_json(hr, 200, obj);
}

static void
gauge(struct evbuffer *out, const char *name, const char *help, const char *type,
      unsigned long long v)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name,
			    type, name, v);
}

static void
h_metrics(struct http_req *hr, void *arg)
{
	struct api *api = arg;
	struct evbuffer *out = evbuffer_new();
	unsigned by_state[CALL_STATE_MAX] = { 0 };
	struct api_stats st;

	if (out == NULL) {
		http_reply_error(hr, 503, "out_of_memory", "cannot build the metrics");
		return;
	}
	api_get_stats(api, &st);
	for (unsigned b = 0; b < 4096; b++)
		for (struct api_session *s = api->buckets[b]; s != NULL; s = s->hnext)
			for (struct api_call *c = s->calls; c != NULL; c = c->next)
				by_state[c->state]++;
	evbuffer_add_printf(out, "# HELP rtcgate_http_requests_total HTTP requests answered, by listener, route and status.\n"
			    "# TYPE rtcgate_http_requests_total counter\n");
	http_server_write_metrics(api->public_srv, out);
	http_server_write_metrics(api->admin_srv, out);
	gauge(out, "rtcgate_api_sessions", "Signed-in API sessions.", "gauge", st.sessions);
	gauge(out, "rtcgate_api_sign_ins_total", "Successful sign-ins.", "counter", st.sign_ins);
	gauge(out, "rtcgate_api_waiting_requests", "Parked long-polls and open event streams.",
	      "gauge", st.parked);
	evbuffer_add_printf(out, "# HELP rtcgate_api_calls Calls by state.\n# TYPE rtcgate_api_calls gauge\n");
	for (unsigned i = 0; i < CALL_STATE_MAX; i++)
		if (i != CALL_ENDED)
			evbuffer_add_printf(out, "rtcgate_api_calls{state=\"%s\"} %u\n",
					    call_state_name(i), by_state[i]);
	gauge(out, "rtcgate_auth_failures_total", "Failed sign-ins.", "counter", st.auth_failures);
	gauge(out, "rtcgate_bans", "Addresses banned now.", "gauge", st.bans);
	gauge(out, "rtcgate_bans_total", "Bans since start.", "counter",
	      guard_bans_total(api->guard));
	gauge(out, "rtcgate_banned_refusals_total",
	      "Connections and requests refused because the client is banned.", "counter",
	      guard_refused(api->guard));
	if (api->hooks.metrics != NULL)
		api->hooks.metrics(api->hooks.arg, out);
	http_reply_buffer(hr, 200, "text/plain; version=0.0.4", out);
	evbuffer_free(out);
}

static void
h_bans(struct http_req *hr, void *arg)
{
	struct api *api = arg;

	http_reply_json(hr, 200, json_pack("{s:o}", "bans", guard_list(api->guard)));
}

static void
h_ban_delete(struct http_req *hr, void *arg)
{
	struct api *api = arg;
	struct ban_addr a;

	if (ban_addr_parse(hr->params[0], &a) != 0) {
		http_reply_error(hr, 400, "bad_address", "'%.60s' is not an IP address",
				 hr->params[0]);
		return;
	}
	if (guard_unban(api->guard, &a) != 0) {
		http_reply_error(hr, 404, "not_banned", "%.60s is not banned", hr->params[0]);
		return;
	}
	http_reply_empty(hr, 204);
}

static void
h_admin_calls(struct http_req *hr, void *arg)
{
	struct api *api = arg;
	json_t *list = json_array();

	for (unsigned b = 0; b < 4096; b++)
		for (struct api_session *s = api->buckets[b]; s != NULL; s = s->hnext)
			for (struct api_call *c = s->calls; c != NULL; c = c->next) {
				json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "call", c->id,
					"user", s->user, "session", s->id, "direction",
					c->inbound ? "inbound" : "outbound", "state",
					call_state_name(c->state), "created",
					(json_int_t)c->created);

				json_object_set_new(o, c->inbound ? "from" : "to",
						    json_string(c->peer));
				json_array_append_new(list, o);
			}
	http_reply_json(hr, 200, json_pack("{s:o}", "calls", list));
}

void
api_admin_routes(struct api *api)
{
	struct http_server *srv = api->admin_srv;

	http_server_route(srv, EVHTTP_REQ_GET, "/healthz", 0, api_h_healthz, api);
	http_server_route(srv, EVHTTP_REQ_GET, "/metrics", 0, h_metrics, api);
	http_server_route(srv, EVHTTP_REQ_GET, "/v1/admin/bans", 0, h_bans, api);
	http_server_route(srv, EVHTTP_REQ_DELETE, "/v1/admin/bans/{}", 0, h_ban_delete, api);
	http_server_route(srv, EVHTTP_REQ_GET, "/v1/admin/calls", 0, h_admin_calls, api);
}
