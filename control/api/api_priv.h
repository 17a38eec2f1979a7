/* SPDX-License-Identifier: BSD-3-Clause */
/* api_priv.h - the API's internals, shared by api.c and admin.c. */
#ifndef RTCG_API_PRIV_H
#define RTCG_API_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "api.h"
#include "http_server.h"

#define API_EVENT_RING 64      /* events kept per session until acknowledged */
#define API_SESSION_WAITERS 4  /* parked polls and streams per session */
#define API_MAX_WAITERS 20000
#define API_MAX_CALLS 20000

struct api_session;

struct api_event {
	uint64_t id;
	json_t *obj;
};

/* A parked long-poll or an open event stream. */
struct api_waiter {
	struct api_session *s;
	struct http_req *hr;
	struct event *timer; /* the poll's timeout, or the stream's keep-alive */
	uint64_t after;
	bool sse;
	struct api_waiter *next;
};

struct api_call {
	struct api_session *s;
	char id[25];
	enum call_state state;
	bool inbound;
	bool held_by_remote;
	char peer[257]; /* to (outbound) or from (inbound) */
	time_t created;
	void *backend_data;
	struct api_call *next;
};

struct api_session {
	struct api *api;
	char id[33];
	char token[65];
	char user[64];
	time_t created;
	time_t expires;
	struct api_event events[API_EVENT_RING];
	unsigned ev_head, n_events;
	uint64_t last_event; /* id of the newest event */
	uint64_t delivered;  /* newest id a long-poll returned */
	struct api_waiter *waiters;
	struct api_call *calls;
	struct api_reg *reg; /* auth.mode sip: the user's registration */
	struct api_session *hnext;
};

/* A sign-in being checked by the registrar, then its session's registration. */
struct api_reg {
	struct api *api;
	struct http_req *hr;	/* the sign-in waiting for the outcome; NULL once answered */
	struct api_session *s;	/* once signed in */
	void *handle;		/* the registrar's */
	struct ban_addr client; /* for the ban count when the credentials are wrong */
	char client_text[48];
	char user[64];
};

#define API_MAX_PAGES 4

struct api {
	struct event_base *base;
	const struct rtcg_config *cfg;
	struct api_hooks hooks;
	struct api_backend backend;
	struct api_registrar registrar;
	struct guard *guard;
	struct http_server *public_srv;
	struct http_server *admin_srv;
	struct event *sweep;
	struct api_session *buckets[4096];
	unsigned n_sessions, n_calls, n_waiters;
	uint64_t sign_ins;
	time_t started;
	struct {
		const char *content_type;
		const char *body;
	} pages[API_MAX_PAGES];
	unsigned n_pages;
};

void api_routes(struct api *api);
void api_admin_routes(struct api *api);
void api_h_healthz(struct http_req *hr, void *arg);

#endif /* RTCG_API_PRIV_H */
