/* SPDX-License-Identifier: BSD-3-Clause */
/* api.c - sessions, events and calls of the signaling API. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "api.h"
#include "api_log.h"
#include "api_priv.h"
#include "auth.h"

#define SESSION_BUCKETS 4096
#define MAX_SESSIONS 20000
#define SSE_KEEPALIVE_S 15
#define POLL_MAX_S 60
#define MAX_TO 256

void (*api_log_sink)(int level, const char *fmt, va_list ap);

void
api_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (api_log_sink != NULL) {
		api_log_sink(level, fmt, ap);
	} else {
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

static void
random_hex(char *out, size_t bytes)
{
	unsigned char b[32];

	if (RAND_bytes(b, (int)bytes) != 1)
		abort(); /* no randomness: nothing safe to hand out */
	for (size_t i = 0; i < bytes; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static unsigned
bucket_of(const char *id)
{
	unsigned h = 2166136261u;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h % SESSION_BUCKETS;
}

static struct api_session *
session_find(struct api *api, const char *id)
{
	for (struct api_session *s = api->buckets[bucket_of(id)]; s; s = s->hnext)
		if (strcmp(s->id, id) == 0)
			return s;
	return NULL;
}

/* ---- events ---- */

static json_t *
events_after(struct api_session *s, uint64_t after)
{
	json_t *list = json_array();

	for (unsigned i = 0; i < s->n_events; i++) {
		struct api_event *e = &s->events[(s->ev_head + i) % API_EVENT_RING];

		if (e->id > after)
			json_array_append(list, e->obj);
	}
	return list;
}

static void
waiter_free(struct api_waiter *w)
{
	struct api_waiter **link = &w->s->waiters;

	while (*link != w)
		link = &(*link)->next;
	*link = w->next;
	w->s->api->n_waiters--;
	if (w->timer != NULL)
		event_free(w->timer);
	free(w);
}

static bool
sse_send(struct api_waiter *w, const struct api_event *e)
{
	char *data = json_dumps(e->obj, JSON_COMPACT);
	char head[96];
	bool ok;

	if (data == NULL)
		return true;
	snprintf(head, sizeof(head), "id: %llu\nevent: %s\ndata: ", (unsigned long long)e->id,
		 json_string_value(json_object_get(e->obj, "type")));
	ok = http_stream_send(w->hr, head, strlen(head)) &&
	     http_stream_send(w->hr, data, strlen(data)) &&
	     http_stream_send(w->hr, "\n\n", 2);
	free(data);
	return ok;
}

/* Finish a waiter: a long-poll gets the events after its cursor. */
static void
waiter_finish(struct api_waiter *w)
{
	struct api_session *s = w->s;
	struct http_req *hr = w->hr;

	if (w->sse) {
		waiter_free(w);
		http_stream_end(hr);
		return;
	}
	json_t *events = events_after(s, w->after);

	if (json_array_size(events) > 0) {
		json_t *last = json_array_get(events, json_array_size(events) - 1);
		uint64_t id = (uint64_t)json_integer_value(json_object_get(last, "id"));

		if (id > s->delivered)
			s->delivered = id;
	}
	waiter_free(w);
	http_reply_json(hr, 200, json_pack("{s:o}", "events", events));
}

static void
push_event(struct api_session *s, const char *type, json_t *fields)
{
	struct api_event *e;
	struct api_waiter *w, *next;

	if (s->n_events == API_EVENT_RING) {
		json_decref(s->events[s->ev_head].obj);
		s->ev_head = (s->ev_head + 1) % API_EVENT_RING;
		s->n_events--;
	}
	e = &s->events[(s->ev_head + s->n_events++) % API_EVENT_RING];
	e->id = ++s->last_event;
	e->obj = fields;
	json_object_set_new(fields, "id", json_integer((json_int_t)e->id));
	json_object_set_new(fields, "type", json_string(type));
	json_object_set_new(fields, "time", json_integer((json_int_t)time(NULL)));
	for (w = s->waiters; w != NULL; w = next) {
		next = w->next;
		if (!w->sse)
			waiter_finish(w);
		else if (!sse_send(w, e))
			waiter_finish(w);
	}
}

static void
on_waiter_timer(evutil_socket_t fd, short what, void *arg)
{
	struct api_waiter *w = arg;

	if (w->sse && http_stream_send(w->hr, ": keepalive\n\n", 13)) {
		struct timeval tv = { SSE_KEEPALIVE_S, 0 };

		evtimer_add(w->timer, &tv);
		return;
	}
	waiter_finish(w);
}

static void
on_waiter_closed(struct http_req *hr, void *arg)
{
	waiter_finish(arg);
}

/* ---- sessions ---- */

static void call_end(struct api_call *c, const char *reason, bool tell_backend);
static void reg_free(struct api_reg *r);

static void
session_destroy(struct api *api, struct api_session *s, const char *why)
{
	struct api_session **link = &api->buckets[bucket_of(s->id)];

	while (s->calls != NULL)
		call_end(s->calls, why, true);
	while (s->waiters != NULL)
		waiter_finish(s->waiters);
	while (*link != s)
		link = &(*link)->hnext;
	*link = s->hnext;
	for (unsigned i = 0; i < s->n_events; i++)
		json_decref(s->events[(s->ev_head + i) % API_EVENT_RING].obj);
	if (s->reg != NULL)
		reg_free(s->reg);
	OPENSSL_cleanse(s->token, sizeof(s->token));
	api->n_sessions--;
	free(s);
}

static void
on_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct api *api = arg;
	time_t now = time(NULL);

	for (unsigned b = 0; b < SESSION_BUCKETS && api->n_sessions; b++) {
		struct api_session *s = api->buckets[b], *next;

		for (; s != NULL; s = next) {
			next = s->hnext;
			/* A session with a parked poll is in use. */
			if (s->waiters != NULL)
				s->expires = now + api->cfg->auth.session_ttl_seconds;
			else if (s->expires <= now) {
				api_log(6, "session %.8s of %s expired", s->id, s->user);
				session_destroy(api, s, "session_expired");
			}
		}
	}
}

/*
 * The session in the path, if the request's bearer token is its token;
 * otherwise a 401 was sent and NULL is returned.
 */
static struct api_session *
authorize(struct api *api, struct http_req *hr)
{
	const char *auth = http_header(hr, "Authorization");
	struct api_session *s;
	size_t len;

	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0) {
		http_set_header(hr, "WWW-Authenticate", "Bearer realm=\"rtcgate\"");
		http_reply_error(hr, 401, "unauthorized",
				 "this call needs the session's token (Authorization: Bearer)");
		return NULL;
	}
	auth += 7;
	while (*auth == ' ')
		auth++;
	s = session_find(api, hr->params[0]);
	len = strlen(auth);
	if (s == NULL || len != strlen(s->token) || CRYPTO_memcmp(auth, s->token, len) != 0 ||
	    s->expires <= time(NULL)) {
		http_set_header(hr, "WWW-Authenticate",
				"Bearer realm=\"rtcgate\", error=\"invalid_token\"");
		http_reply_error(hr, 401, "invalid_token",
				 "the token does not open this session (signed out or expired?)");
		return NULL;
	}
	s->expires = time(NULL) + api->cfg->auth.session_ttl_seconds;
	return s;
}

/* A string field of the body: required, 1..max bytes, no control characters. */
static const char *
body_string(struct http_req *hr, const char *name, size_t max, bool multiline)
{
	json_t *v = json_object_get(hr->body, name);
	const char *s;
	size_t n;

	if (v == NULL) {
		http_reply_error(hr, 400, "missing_field", "the body needs \"%s\"", name);
		return NULL;
	}
	if (!json_is_string(v)) {
		http_reply_error(hr, 400, "bad_field", "\"%s\" must be a string", name);
		return NULL;
	}
	s = json_string_value(v);
	n = json_string_length(v);
	if (n == 0 || n > max || strlen(s) != n) {
		http_reply_error(hr, 400, "bad_field", "\"%s\" must be 1 to %zu bytes", name, max);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && !(multiline && (c == '\r' || c == '\n' || c == '\t'))) ||
		    c == 0x7f) {
			http_reply_error(hr, 400, "bad_field", "\"%s\" has control characters",
					 name);
			return NULL;
		}
	}
	return s;
}

static json_t *
session_json(const struct api_session *s)
{
	return json_pack("{s:s,s:s,s:I,s:I}", "session", s->id, "user", s->user, "created",
			 (json_int_t)s->created, "expires", (json_int_t)s->expires);
}

/* Check user and password by auth.mode; on success the user's name to name. */
static int
check_credentials(struct api *api, const char *user, const char *password, char *name,
		  size_t name_len, const char **code, const char **reason)
{
	const struct rtcg_config *cfg = api->cfg;

	*code = "invalid_credentials";
	*reason = "bad token"; /* also for a token result this switch does not name */
	if (cfg->auth.mode == CONFIG_AUTH_TOKEN) {
		switch (auth_check_token(cfg->auth.token_secret, user, password, time(NULL), name,
					 name_len, NULL)) {
		case AUTH_TOKEN_OK:
			return 0;
		case AUTH_TOKEN_EXPIRED:
			*code = "token_expired";
			*reason = "expired token";
			return -1;
		case AUTH_TOKEN_MALFORMED:
			*reason = "malformed token user";
			return -1;
		case AUTH_TOKEN_BAD_SIGNATURE:
			*reason = "bad token";
			return -1;
		}
		return -1;
	}
	for (unsigned i = 0; i < cfg->auth.n_users; i++)
		if (strcmp(cfg->auth.users[i].name, user) == 0) {
			if (auth_check_password(cfg->auth.users[i].password_hash, password) == 1) {
				snprintf(name, name_len, "%s", user);
				return 0;
			}
			*reason = "bad password";
			return -1;
		}
	auth_burn_time(password); /* as long as a known user's check */
	*reason = "unknown user";
	return -1;
}

/* Open a session for a checked user and answer the sign-in with it (201). */
static struct api_session *
session_open(struct api *api, struct http_req *hr, const char *name)
{
	struct api_session *s;
	unsigned b;

	if (api->n_sessions >= MAX_SESSIONS) {
		http_reply_error(hr, 503, "too_many_sessions", "%u sessions are open already",
				 api->n_sessions);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		http_reply_error(hr, 503, "out_of_memory", "cannot open a session");
		return NULL;
	}
	s->api = api;
	random_hex(s->id, 16);
	random_hex(s->token, 32);
	snprintf(s->user, sizeof(s->user), "%s", name);
	s->created = time(NULL);
	s->expires = s->created + api->cfg->auth.session_ttl_seconds;
	b = bucket_of(s->id);
	s->hnext = api->buckets[b];
	api->buckets[b] = s;
	api->n_sessions++;
	api->sign_ins++;
	api_log(6, "user %s signed in from %s (session %.8s)", s->user, hr->client_text, s->id);
	{
		char location[64];
		json_t *obj = session_json(s);

		snprintf(location, sizeof(location), "/v1/sessions/%s", s->id);
		http_set_header(hr, "Location", location);
		json_object_set_new(obj, "token", json_string(s->token));
		http_reply_json(hr, 201, obj);
	}
	return s;
}

/* The client of a sign-in being registered went away: answer into the void. */
static void
on_reg_client_gone(struct http_req *hr, void *arg)
{
	struct api_reg *r = arg;

	r->hr = NULL;
	http_reply_error(hr, 503, "sip_unavailable", "the client left");
}

static void
reg_free(struct api_reg *r)
{
	struct api *api = r->api;

	if (r->handle != NULL && api->registrar.end != NULL)
		api->registrar.end(api->registrar.arg, r->handle);
	free(r);
}

/* auth.mode sip: register the user; the sign-in waits for the outcome. */
static void
sign_in_sip(struct api *api, struct http_req *hr, const char *user, const char *password)
{
	struct api_reg *r;

	if (api->registrar.begin == NULL) {
		http_reply_error(hr, 503, "sip_unavailable", "the SIP side is not running");
		return;
	}
	if (api->n_sessions >= MAX_SESSIONS) {
		http_reply_error(hr, 503, "too_many_sessions", "%u sessions are open already",
				 api->n_sessions);
		return;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		http_reply_error(hr, 503, "out_of_memory", "cannot open a session");
		return;
	}
	r->api = api;
	r->hr = hr;
	r->client = hr->client;
	snprintf(r->client_text, sizeof(r->client_text), "%s", hr->client_text);
	snprintf(r->user, sizeof(r->user), "%s", user);
	r->handle = api->registrar.begin(api->registrar.arg, r, user, password);
	if (r->handle == NULL) {
		free(r);
		http_reply_error(hr, 503, "sip_unavailable", "cannot register with the SIP server");
		return;
	}
	http_park(hr, 40, on_reg_client_gone, r);
}

void
api_reg_result(struct api_reg *r, int status, const char *phrase)
{
	struct api *api = r->api;
	struct http_req *hr = r->hr;
	bool refused = status == 401 || status == 403 || status == 407;

	if (r->s != NULL) {
		/* A refresh: the session goes on while the server is away, not when it refuses. */
		if (status != 200) {
			push_event(r->s, "registration", json_pack("{s:i,s:s}", "status", status,
								    "reason", phrase ? phrase : ""));
			if (refused)
				session_destroy(api, r->s, "registration_refused");
		}
		return;
	}
	r->hr = NULL;
	if (status == 200) {
		struct api_session *s = hr != NULL ? session_open(api, hr, r->user) : NULL;

		if (s == NULL) {
			reg_free(r);
			return;
		}
		s->reg = r;
		r->s = s;
		return;
	}
	if (refused)
		guard_failure(api->guard, &r->client, r->user, "refused by the SIP server");
	if (hr != NULL) {
		if (refused)
			http_reply_error(hr, 401, "invalid_credentials", "wrong user name or password");
		else
			http_reply_error(hr, 503, "sip_unavailable",
					 "the SIP server did not take the registration (%d %s)",
					 status, phrase ? phrase : "");
	}
	reg_free(r);
}

static void
h_sessions_create(struct http_req *hr, void *arg)
{
	struct api *api = arg;
	const char *user = body_string(hr, "user", 255, false), *password, *code, *reason;
	char name[64];

	if (user == NULL || (password = body_string(hr, "password", 1024, false)) == NULL)
		return;
	if (api->cfg->auth.mode == CONFIG_AUTH_SIP) {
		sign_in_sip(api, hr, user, password);
		return;
	}
	if (check_credentials(api, user, password, name, sizeof(name), &code, &reason) != 0) {
		guard_failure(api->guard, &hr->client, user, reason);
		http_reply_error(hr, 401, code, strcmp(code, "token_expired") == 0 ?
				 "the token has expired" : "wrong user name or password");
		return;
	}
	session_open(api, hr, name);
}

static json_t *call_json(const struct api_call *c);

static void
h_session(struct http_req *hr, void *arg)
{
	struct api *api = arg;
	struct api_session *s = authorize(api, hr);
	json_t *obj, *calls;

	if (s == NULL)
		return;
	if (hr->method == EVHTTP_REQ_DELETE) {
		api_log(6, "user %s signed out (session %.8s)", s->user, s->id);
		session_destroy(api, s, "signed_out");
		http_reply_empty(hr, 204);
		return;
	}
	obj = session_json(s);
	calls = json_array();
	for (struct api_call *c = s->calls; c != NULL; c = c->next)
		json_array_append_new(calls, call_json(c));
	json_object_set_new(obj, "calls", calls);
	http_reply_json(hr, 200, obj);
}

static bool
wants_stream(struct http_req *hr)
{
	const char *accept = http_header(hr, "Accept");

	return accept != NULL && strstr(accept, "text/event-stream") != NULL;
}

static void
h_events(struct http_req *hr, void *arg)
{
	struct api *api = arg;
	struct api_session *s = authorize(api, hr);
	struct api_waiter *w;
	unsigned timeout, after_u;
	uint64_t after;
	const char *last_id;
	struct timeval tv;

	if (s == NULL)
		return;
	if (http_query_uint(hr, "timeout", 30, POLL_MAX_S, &timeout) != 0) {
		http_reply_error(hr, 400, "bad_parameter", "timeout must be 0 to %d seconds",
				 POLL_MAX_S);
		return;
	}
	/* The cursor: Last-Event-ID (streams), ?after=, else what was delivered. */
	if (http_query_uint(hr, "after", UINT32_MAX, UINT32_MAX - 1, &after_u) != 0) {
		http_reply_error(hr, 400, "bad_parameter", "after must be an event id");
		return;
	}
	last_id = http_header(hr, "Last-Event-ID");
	if (last_id != NULL)
		after = strtoull(last_id, NULL, 10);
	else if (after_u != UINT32_MAX)
		after = after_u;
	else
		after = s->delivered;
	/* Events up to the cursor are acknowledged: drop them. */
	while (s->n_events > 0 && s->events[s->ev_head].id <= after) {
		json_decref(s->events[s->ev_head].obj);
		s->ev_head = (s->ev_head + 1) % API_EVENT_RING;
		s->n_events--;
	}
	if (!wants_stream(hr) && (s->n_events > 0 || timeout == 0)) {
		json_t *events = events_after(s, after);

		if (s->n_events > 0)
			s->delivered = s->events[(s->ev_head + s->n_events - 1) % API_EVENT_RING].id;
		http_reply_json(hr, 200, json_pack("{s:o}", "events", events));
		return;
	}
	if (api->n_waiters >= API_MAX_WAITERS) {
		http_reply_error(hr, 503, "too_many_waiters", "too many open event requests");
		return;
	}
	/* At most API_SESSION_WAITERS per session: the oldest gives way. */
	{
		unsigned n = 0;
		struct api_waiter *oldest = NULL;

		for (w = s->waiters; w != NULL; w = w->next, n++)
			oldest = w;
		if (n >= API_SESSION_WAITERS)
			waiter_finish(oldest);
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		http_reply_error(hr, 503, "out_of_memory", "cannot wait for events");
		return;
	}
	w->s = s;
	w->hr = hr;
	w->after = after;
	w->sse = wants_stream(hr);
	w->timer = evtimer_new(api->base, on_waiter_timer, w);
	w->next = s->waiters;
	s->waiters = w;
	api->n_waiters++;
	if (w->sse) {
		http_park(hr, 3 * SSE_KEEPALIVE_S, on_waiter_closed, w);
		http_stream_start(hr, "text/event-stream");
		http_stream_send(hr, "retry: 2000\n\n", 13);
		for (unsigned i = 0; i < s->n_events; i++) {
			struct api_event *e = &s->events[(s->ev_head + i) % API_EVENT_RING];

			if (e->id > after)
				sse_send(w, e);
		}
		tv.tv_sec = SSE_KEEPALIVE_S;
	} else {
		http_park(hr, timeout + 10, on_waiter_closed, w);
		tv.tv_sec = timeout;
	}
	tv.tv_usec = 0;
	if (w->timer == NULL || evtimer_add(w->timer, &tv) != 0)
		waiter_finish(w);
}

/* ---- calls ---- */

static json_t *
call_json(const struct api_call *c)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:I}", "call", c->id, "direction",
			      c->inbound ? "inbound" : "outbound", "state",
			      call_state_name(c->state), "created", (json_int_t)c->created);

	json_object_set_new(o, c->inbound ? "from" : "to", json_string(c->peer));
	if (c->held_by_remote)
		json_object_set_new(o, "held_by", json_string("remote"));
	return o;
}

static struct api_call *
call_new(struct api_session *s, bool inbound, const char *peer)
{
	struct api_call *c;

	if (s->api->n_calls >= API_MAX_CALLS || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->s = s;
	c->inbound = inbound;
	c->state = inbound ? CALL_INCOMING : CALL_CALLING;
	c->created = time(NULL);
	random_hex(c->id, 12);
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	c->next = s->calls;
	s->calls = c;
	s->api->n_calls++;
	return c;
}

static void
call_free(struct api_call *c)
{
	struct api_call **link = &c->s->calls;

	while (*link != c)
		link = &(*link)->next;
	*link = c->next;
	c->s->api->n_calls--;
	free(c);
}

static void
call_event(struct api_call *c, const char *type, json_t *extra)
{
	json_t *o = extra != NULL ? extra : json_object();

	json_object_set_new(o, "call", json_string(c->id));
	json_object_set_new(o, "state", json_string(call_state_name(c->state)));
	push_event(c->s, type, o);
}

/* End a call: an "ended" event, the backend told (unless it told us). */
static void
call_end(struct api_call *c, const char *reason, bool tell_backend)
{
	struct api *api = c->s->api;

	c->state = CALL_ENDED;
	if (tell_backend && api->backend.hangup != NULL)
		api->backend.hangup(api->backend.arg, c);
	call_event(c, "ended", json_pack("{s:s}", "reason", reason));
	call_free(c);
}

static struct api_call *
call_find(struct http_req *hr, struct api_session *s)
{
	for (struct api_call *c = s->calls; c != NULL; c = c->next)
		if (strcmp(c->id, hr->params[1]) == 0)
			return c;
	http_reply_error(hr, 404, "no_such_call", "no call %.40s in this session", hr->params[1]);
	return NULL;
}

/* Is `in` allowed now? If not, 409 naming the state. */
static bool
call_allows(struct http_req *hr, struct api_call *c, enum call_input in)
{
	if (call_fsm_step(c->state, in) >= 0)
		return true;
	http_reply_error(hr, 409, "wrong_state", "cannot %s a call that is %s",
			 call_input_name(in), call_state_name(c->state));
	return false;
}

static bool
valid_destination(const char *to)
{
	/* A number, a user, or a sip:/sips:/tel: URI: no spaces or angle brackets. */
	for (const char *p = to; *p; p++)
		if (isspace((unsigned char)*p) || *p == '<' || *p == '>' || *p == '"')
			return false;
	return true;
}

static bool
valid_sdp(struct http_req *hr, const char *sdp)
{
	if (strncmp(sdp, "v=0", 3) != 0 || (sdp[3] != '\r' && sdp[3] != '\n') ||
	    strstr(sdp, "\nm=") == NULL) {
		http_reply_error(hr, 400, "bad_sdp",
				 "\"sdp\" must be an SDP description (v=0 and at least one m= line)");
		return false;
	}
	return true;
}

static void
h_calls_create(struct http_req *hr, void *arg)
{
	struct api *api = arg;
	struct api_session *s = authorize(api, hr);
	const char *to, *sdp;
	struct api_call *c;
	char *answer, err[200] = "";
	int rc;

	if (s == NULL)
		return;
	if ((to = body_string(hr, "to", MAX_TO, false)) == NULL ||
	    (sdp = body_string(hr, "sdp", api->cfg->http.max_body_bytes, true)) == NULL)
		return;
	if (!valid_destination(to)) {
		http_reply_error(hr, 400, "bad_field",
				 "\"to\" must be a number, a user or a SIP URI without spaces");
		return;
	}
	if (!valid_sdp(hr, sdp))
		return;
	if (api->backend.place == NULL) {
		http_reply_error(hr, 503, "sip_unavailable",
				 "calls cannot be placed: no SIP side is running");
		return;
	}
	c = call_new(s, false, to);
	answer = malloc(API_SDP_MAX);
	if (c == NULL || answer == NULL) {
		free(answer);
		if (c != NULL)
			call_free(c);
		http_reply_error(hr, 503, "too_many_calls", "no room for another call");
		return;
	}
	rc = api->backend.place(api->backend.arg, c, to, sdp, answer, API_SDP_MAX, err,
				sizeof(err));
	if (rc != 0) {
		call_free(c);
		free(answer);
		http_reply_error(hr, rc == -EINVAL ? 400 : 503,
				 rc == -EINVAL ? "bad_sdp" : rc == -ENOTCONN ? "sip_unavailable" :
				 "call_failed", "%s", err[0] ? err : "the call could not be placed");
		return;
	}
	{
		char location[128];
		json_t *obj = call_json(c);

		snprintf(location, sizeof(location), "/v1/sessions/%s/calls/%s", s->id, c->id);
		http_set_header(hr, "Location", location);
		/* A SIP call's answer comes later, in its progress or answered event. */
		json_object_set_new(obj, "sdp", answer[0] ? json_string(answer) : json_null());
		free(answer);
		http_reply_json(hr, 201, obj);
	}
}

static void
h_call(struct http_req *hr, void *arg)
{
	struct api *api = arg;
	struct api_session *s = authorize(api, hr);
	struct api_call *c;

	if (s == NULL || (c = call_find(hr, s)) == NULL)
		return;
	if (hr->method == EVHTTP_REQ_DELETE) {
		if (!call_allows(hr, c, CALL_IN_HANGUP))
			return;
		call_end(c, "local_hangup", true);
		http_reply_empty(hr, 204);
		return;
	}
	http_reply_json(hr, 200, call_json(c));
}

static void
h_call_answer(struct http_req *hr, void *arg)
{
	struct api *api = arg;
	struct api_session *s = authorize(api, hr);
	struct api_call *c;
	const char *sdp;
	char err[200] = "";
	int rc;

	if (s == NULL || (c = call_find(hr, s)) == NULL ||
	    (sdp = body_string(hr, "sdp", api->cfg->http.max_body_bytes, true)) == NULL ||
	    !valid_sdp(hr, sdp) || !call_allows(hr, c, CALL_IN_ANSWER))
		return;
	rc = api->backend.answer != NULL ?
	     api->backend.answer(api->backend.arg, c, sdp, err, sizeof(err)) : -ENOTCONN;
	if (rc != 0) {
		http_reply_error(hr, rc == -EINVAL ? 400 : 503,
				 rc == -EINVAL ? "bad_sdp" : rc == -ENOTCONN ? "sip_unavailable" :
				 "call_failed", "%s",
				 err[0] ? err : "the call could not be answered");
		return;
	}
	c->state = (enum call_state)call_fsm_step(c->state, CALL_IN_ANSWER);
	call_event(c, "answered", NULL);
	http_reply_json(hr, 200, call_json(c));
}

static void
h_call_dtmf(struct http_req *hr, void *arg)
{
	struct api *api = arg;
	struct api_session *s = authorize(api, hr);
	struct api_call *c;
	const char *digits;
	char err[200] = "";

	if (s == NULL || (c = call_find(hr, s)) == NULL ||
	    (digits = body_string(hr, "digits", 32, false)) == NULL)
		return;
	if (!call_dtmf_valid(digits)) {
		http_reply_error(hr, 400, "bad_digits",
				 "\"digits\" takes 1 to 32 of 0-9 * # A-D");
		return;
	}
	if (!call_allows(hr, c, CALL_IN_DTMF))
		return;
	if (api->backend.dtmf == NULL ||
	    api->backend.dtmf(api->backend.arg, c, digits, err, sizeof(err)) != 0) {
		http_reply_error(hr, 503, "call_failed", "%s",
				 err[0] ? err : "the digits could not be sent");
		return;
	}
	http_reply_json(hr, 202, json_pack("{s:s,s:s}", "call", c->id, "digits", digits));
}

static void
hold_or_resume(struct http_req *hr, struct api *api, bool hold)
{
	struct api_session *s = authorize(api, hr);
	enum call_input in = hold ? CALL_IN_HOLD : CALL_IN_RESUME;
	struct api_call *c;
	char err[200] = "";

	if (s == NULL || (c = call_find(hr, s)) == NULL || !call_allows(hr, c, in))
		return;
	if (api->backend.hold == NULL ||
	    api->backend.hold(api->backend.arg, c, hold, err, sizeof(err)) != 0) {
		http_reply_error(hr, 503, "call_failed", "%s",
				 err[0] ? err : "the call could not be re-negotiated");
		return;
	}
	c->state = (enum call_state)call_fsm_step(c->state, in);
	c->held_by_remote = false;
	call_event(c, hold ? "held" : "resumed", json_pack("{s:s}", "by", "local"));
	http_reply_json(hr, 200, call_json(c));
}

static void
h_call_hold(struct http_req *hr, void *arg)
{
	hold_or_resume(hr, arg, true);
}

static void
h_call_resume(struct http_req *hr, void *arg)
{
	hold_or_resume(hr, arg, false);
}

/* ---- what the backend reports ---- */

struct api_call *
api_call_incoming(struct api *api, const char *user, const char *from, const char *offer)
{
	struct api_session *best = NULL;

	/* The user's most recent session takes the call. */
	for (unsigned b = 0; b < SESSION_BUCKETS; b++)
		for (struct api_session *s = api->buckets[b]; s != NULL; s = s->hnext)
			if (strcmp(s->user, user) == 0 && (best == NULL || s->created > best->created))
				best = s;
	if (best == NULL) {
		return NULL;
	}
	struct api_call *c = call_new(best, true, from);

	if (c != NULL)
		call_event(c, "incoming", json_pack("{s:s,s:s}", "from", from, "sdp", offer));
	return c;
}

static void
network_step(struct api_call *c, enum call_input in, const char *type, json_t *extra)
{
	int next = call_fsm_step(c->state, in);

	if (next < 0) {
		api_log(6, "call %s: %s ignored in state %s", c->id, call_input_name(in),
			call_state_name(c->state));
		json_decref(extra);
		return;
	}
	c->state = (enum call_state)next;
	call_event(c, type, extra);
}

void
api_call_progress(struct api_call *c, int status, const char *sdp)
{
	json_t *o = json_pack("{s:i}", "status", status);

	if (sdp != NULL)
		json_object_set_new(o, "sdp", json_string(sdp));
	network_step(c, CALL_IN_PROGRESS, "progress", o);
}

void
api_call_answered(struct api_call *c, const char *sdp)
{
	network_step(c, CALL_IN_ANSWERED, "answered",
		     sdp != NULL ? json_pack("{s:s}", "sdp", sdp) : NULL);
}

void
api_call_remote_hold(struct api_call *c, bool held)
{
	if (held)
		c->held_by_remote = true;
	network_step(c, held ? CALL_IN_REMOTE_HOLD : CALL_IN_REMOTE_RESUME,
		     held ? "held" : "resumed", json_pack("{s:s}", "by", "remote"));
}

void
api_call_dtmf_received(struct api_call *c, const char *digits)
{
	network_step(c, CALL_IN_DTMF_RECEIVED, "dtmf", json_pack("{s:s}", "digits", digits));
}

void
api_call_ended(struct api_call *c, const char *reason)
{
	call_end(c, reason, false);
}

const char *
api_call_id(const struct api_call *c)
{
	return c->id;
}

enum call_state
api_call_state(const struct api_call *c)
{
	return c->state;
}

const char *
api_call_user(const struct api_call *c)
{
	return c->s->user;
}

void *
api_call_registration(const struct api_call *c)
{
	return c->s->reg != NULL ? c->s->reg->handle : NULL;
}

bool
api_user_busy(struct api *api, const char *user)
{
	for (unsigned b = 0; b < SESSION_BUCKETS; b++)
		for (struct api_session *s = api->buckets[b]; s != NULL; s = s->hnext)
			if (s->calls != NULL && strcmp(s->user, user) == 0)
				return true;
	return false;
}

void *
api_call_backend_data(const struct api_call *c)
{
	return c->backend_data;
}

void
api_call_set_backend_data(struct api_call *c, void *data)
{
	c->backend_data = data;
}

void
api_set_registrar(struct api *api, const struct api_registrar *reg)
{
	if (reg != NULL)
		api->registrar = *reg;
	else
		memset(&api->registrar, 0, sizeof(api->registrar));
}

void
api_set_backend(struct api *api, const struct api_backend *be)
{
	if (be != NULL)
		api->backend = *be;
	else
		memset(&api->backend, 0, sizeof(api->backend));
}

/* ---- fixed documents ---- */

#include "rtcgate_js.h"

/*
 * The JavaScript API as an ES module, for pages on other origins: public
 * (any Origin may load the code; what it then asks of the API is
 * whitelisted as usual), cacheable for an hour.
 */
static void
h_js(struct http_req *hr, void *arg)
{
	struct evbuffer *buf = evbuffer_new();

	if (buf == NULL) {
		http_reply_error(hr, 503, "out_of_memory", "cannot send the script");
		return;
	}
	evbuffer_add_reference(buf, rtcgate_js, sizeof(rtcgate_js) - 1, NULL, NULL);
	http_set_header(hr, "Cache-Control", "public, max-age=3600");
	http_reply_buffer(hr, 200, "text/javascript; charset=utf-8", buf);
	evbuffer_free(buf);
}

static void
h_static(struct http_req *hr, void *arg)
{
	const struct {
		const char *content_type;
		const char *body;
	} *pg = arg;
	struct evbuffer *buf = evbuffer_new();

	if (buf == NULL) {
		http_reply_error(hr, 503, "out_of_memory", "cannot send the page");
		return;
	}
	evbuffer_add(buf, pg->body, strlen(pg->body));
	/* The page talks only to this origin. */
	http_set_header(hr, "Content-Security-Policy",
			"default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; media-src 'self' blob:");
	http_reply_buffer(hr, 200, pg->content_type, buf);
	evbuffer_free(buf);
}

int
api_static_page(struct api *api, const char *path, const char *content_type, const char *body)
{
	if (api->n_pages >= API_MAX_PAGES)
		return -1;
	api->pages[api->n_pages].content_type = content_type;
	api->pages[api->n_pages].body = body;
	if (http_server_route(api->public_srv, EVHTTP_REQ_GET, path, 0, h_static,
			      &api->pages[api->n_pages]) < 0)
		return -1;
	api->n_pages++;
	return 0;
}

/* ---- set-up ---- */

void
api_routes(struct api *api)
{
	struct http_server *srv = api->public_srv;

	http_server_route(srv, EVHTTP_REQ_GET, "/healthz", 0, api_h_healthz, api);
	http_server_route(srv, EVHTTP_REQ_GET, "/js/rtcgate.js", HTTP_PUBLIC, h_js, api);
	http_server_route(srv, EVHTTP_REQ_POST, "/v1/sessions", HTTP_JSON_BODY,
			  h_sessions_create, api);
	http_server_route(srv, EVHTTP_REQ_GET | EVHTTP_REQ_DELETE, "/v1/sessions/{}", 0,
			  h_session, api);
	http_server_route(srv, EVHTTP_REQ_GET, "/v1/sessions/{}/events", 0, h_events, api);
	http_server_route(srv, EVHTTP_REQ_POST, "/v1/sessions/{}/calls", HTTP_JSON_BODY,
			  h_calls_create, api);
	http_server_route(srv, EVHTTP_REQ_GET | EVHTTP_REQ_DELETE, "/v1/sessions/{}/calls/{}",
			  0, h_call, api);
	http_server_route(srv, EVHTTP_REQ_POST, "/v1/sessions/{}/calls/{}/answer",
			  HTTP_JSON_BODY, h_call_answer, api);
	http_server_route(srv, EVHTTP_REQ_POST, "/v1/sessions/{}/calls/{}/dtmf", HTTP_JSON_BODY,
			  h_call_dtmf, api);
	http_server_route(srv, EVHTTP_REQ_POST, "/v1/sessions/{}/calls/{}/hold", 0, h_call_hold,
			  api);
	http_server_route(srv, EVHTTP_REQ_POST, "/v1/sessions/{}/calls/{}/resume", 0,
			  h_call_resume, api);
}

struct api *
api_create(struct event_base *base, const struct rtcg_config *cfg, SSL_CTX *api_tls,
	   SSL_CTX *admin_tls, const struct api_hooks *hooks, char *err, size_t errlen)
{
	struct api *api = calloc(1, sizeof(*api));
	struct timeval tv = { 1, 0 };

	if (api == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	api->base = base;
	api->cfg = cfg;
	api->started = time(NULL);
	if (hooks != NULL)
		api->hooks = *hooks;
	api->guard = guard_create(base, cfg, hooks ? &hooks->guard : NULL, err, errlen);
	if (api->guard == NULL)
		goto fail;
	api->public_srv = http_server_create(base, cfg, &(struct http_server_opts){
		.what = "https", .eps = cfg->https.listen, .n_eps = cfg->https.n_listen,
		.tls = cfg->https.tls ? api_tls : NULL, .cors = true,
		.refuse = guard_refuse, .refuse_arg = api->guard }, err, errlen);
	if (api->public_srv == NULL)
		goto fail;
	api->admin_srv = http_server_create(base, cfg, &(struct http_server_opts){
		.what = "admin", .eps = cfg->admin.listen, .n_eps = cfg->admin.n_listen,
		.tls = cfg->admin.tls ? admin_tls : NULL }, err, errlen);
	if (api->admin_srv == NULL)
		goto fail;
	api_routes(api);
	api_admin_routes(api);
	api->sweep = event_new(base, -1, EV_PERSIST, on_sweep, api);
	if (api->sweep == NULL || event_add(api->sweep, &tv) != 0) {
		snprintf(err, errlen, "cannot add the session timer");
		goto fail;
	}
	return api;
fail:
	api_destroy(api);
	return NULL;
}

void
api_destroy(struct api *api)
{
	if (api == NULL)
		return;
	for (unsigned b = 0; b < SESSION_BUCKETS; b++)
		while (api->buckets[b] != NULL)
			session_destroy(api, api->buckets[b], "shutdown");
	if (api->sweep != NULL)
		event_free(api->sweep);
	http_server_destroy(api->public_srv);
	http_server_destroy(api->admin_srv);
	guard_destroy(api->guard);
	free(api);
}

void
api_get_stats(const struct api *api, struct api_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->requests = http_server_requests(api->public_srv) +
			http_server_requests(api->admin_srv);
	out->sessions = api->n_sessions;
	out->calls = api->n_calls;
	out->parked = api->n_waiters;
	out->bans = guard_bans(api->guard);
	out->auth_failures = guard_failures(api->guard);
	out->sign_ins = api->sign_ins;
}
