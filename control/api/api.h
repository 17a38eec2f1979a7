/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * api.h - the signaling API (docs/http-api.md) and the admin listener, on the
 * control lcore's libevent loop. No DPDK here: the gateway connects the
 * dataplane through hooks, so tests and the request fuzzer run it alone.
 *
 * Sessions: POST /v1/sessions signs a user in (auth.mode static or token);
 * every later call carries the session's token (Authorization: Bearer).
 * Events: a ring per session, read by long-poll or as text/event-stream.
 * Calls: the state machine of lib/call; the media and SIP behind a call are
 * a backend's (struct api_backend), which reports what the network does
 * through api_call_*(). Without a backend, placing a call answers 503.
 */
#ifndef RTCG_API_H
#define RTCG_API_H

#include <stdint.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>
#include <openssl/ssl.h>

#include "call_fsm.h"
#include "config.h"
#include "guard.h"

struct api;
struct api_call;
struct api_reg;

/* The longest SDP the API hands on, either way. */
#define API_SDP_MAX 16384

struct api_hooks {
	/* Add the dataplane's part to /healthz's object. */
	void (*health)(void *arg, json_t *obj);
	/* Append the dataplane's counters to /metrics (Prometheus text). */
	void (*metrics)(void *arg, struct evbuffer *out);
	struct guard_hooks guard; /* where bans are enforced besides HTTP */
	void *arg;
};

/*
 * What places and controls calls (the WebRTC and SIP sides). Each returns 0
 * or a negative errno, with a one-line reason in err for the API's error
 * body: -EINVAL is the browser's fault (400 bad_sdp), -ENOTCONN means no
 * SIP side can take it (503 sip_unavailable), anything else 503
 * call_failed. place() writes the SDP answer for the browser into answer.
 */
struct api_backend {
	int (*place)(void *arg, struct api_call *c, const char *to, const char *offer,
		     char *answer, size_t answer_len, char *err, size_t errlen);
	int (*answer)(void *arg, struct api_call *c, const char *sdp, char *err, size_t errlen);
	int (*dtmf)(void *arg, struct api_call *c, const char *digits, char *err, size_t errlen);
	int (*hold)(void *arg, struct api_call *c, bool hold, char *err, size_t errlen);
	void (*hangup)(void *arg, struct api_call *c);
	void *arg;
};

/*
 * auth.mode sip: a sign-in is checked by registering the user at the SIP
 * server. begin() starts that and returns the registrar's handle (NULL: it
 * cannot try now, 503); the outcome comes back through api_reg_result(),
 * first for the sign-in, later for refreshes. end() lets the handle go
 * (un-REGISTER) when the session ends or the sign-in is abandoned.
 */
struct api_registrar {
	void *(*begin)(void *arg, struct api_reg *r, const char *user, const char *password);
	void (*end)(void *arg, void *handle);
	void *arg;
};

/*
 * Listen on https.listen (TLS with api_tls unless https.tls is false) and
 * admin.listen (with admin_tls unless admin.tls is false). NULL with a
 * one-line reason in err.
 */
struct api *api_create(struct event_base *base, const struct rtcg_config *cfg,
		       SSL_CTX *api_tls, SSL_CTX *admin_tls, const struct api_hooks *hooks,
		       char *err, size_t errlen);
/* Answer every parked request, end every call, close the listeners. */
void api_destroy(struct api *api);

void api_set_backend(struct api *api, const struct api_backend *be);
void api_set_registrar(struct api *api, const struct api_registrar *reg);

/* status 200: registered; 401, 403, 407: the credentials are wrong; else the
 * SIP server is unavailable (a sign-in gets 503, a session an event). */
void api_reg_result(struct api_reg *r, int status, const char *phrase);

/* What the network did to a call (the backend calls these). */
struct api_call *api_call_incoming(struct api *api, const char *user, const char *from,
				   const char *offer);
void api_call_progress(struct api_call *c, int status, const char *sdp);
void api_call_answered(struct api_call *c, const char *sdp);
void api_call_remote_hold(struct api_call *c, bool held);
void api_call_dtmf_received(struct api_call *c, const char *digits);
void api_call_ended(struct api_call *c, const char *reason);
const char *api_call_id(const struct api_call *c);
/* The signed-in user a call belongs to, and that session's registrar handle
 * (NULL unless auth.mode is sip). */
const char *api_call_user(const struct api_call *c);
enum call_state api_call_state(const struct api_call *c);
void *api_call_registration(const struct api_call *c);
/* Does user have a call now, besides c? (sip.second_call) */
bool api_user_busy(struct api *api, const char *user);
void *api_call_backend_data(const struct api_call *c);
void api_call_set_backend_data(struct api_call *c, void *data);

/*
 * Serve a fixed document at path on the API listener (the demo page); the
 * strings must outlive the API. 0 or -1.
 */
int api_static_page(struct api *api, const char *path, const char *content_type,
		    const char *body);

struct api_stats {
	uint64_t requests;
	unsigned sessions;
	unsigned calls;
	unsigned parked;
	unsigned bans;
	uint64_t auth_failures;
	uint64_t sign_ins;
};
void api_get_stats(const struct api *api, struct api_stats *out);

#endif /* RTCG_API_H */
