/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http_server.h - HTTP/1.1 listeners on the control lcore: libevent's evhttp
 * (the parser and keep-alive), OpenSSL bufferevents for TLS, jansson bodies.
 *
 * Every request goes through one dispatcher that, in order: finds the
 * client's address (X-Forwarded-For only from http.trusted_proxies), applies
 * the listener's CORS policy (cors.domain_whitelist, preflights answered
 * here), enforces the configured header and body limits, matches a route
 * (patterns like /v1/sessions/{}/calls/{}; 404 or 405 with Allow otherwise),
 * parses a JSON body when the route takes one, and calls the handler with a
 * struct http_req. Every reply goes through http_reply_json/_error (or a
 * stream), which counts it by route and status for /metrics. Errors are
 * {"error": {"code": "...", "message": "..."}}.
 */
#ifndef RTCG_HTTP_SERVER_H
#define RTCG_HTTP_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <openssl/ssl.h>

#include "ban.h"
#include "config.h"

#define HTTP_MAX_PARAMS 2
#define HTTP_MAX_ROUTES 32

struct http_server;

/* One request being handled (or parked, for long-polls and streams). */
struct http_req {
	struct evhttp_request *req;
	struct http_server *srv;
	int route; /* index given by http_server_route, -1 for none */
	enum evhttp_cmd_type method;
	struct ban_addr client; /* after X-Forwarded-For */
	char client_text[48];
	bool via_proxy;	       /* the peer was a trusted proxy */
	char origin[256];      /* an allowed Origin to echo; empty for none */
	char params[HTTP_MAX_PARAMS][96]; /* the {} parts of the path */
	json_t *body;	       /* parsed JSON object, for routes that take one */
	bool streaming;
	bool public_resource; /* an HTTP_PUBLIC route: CORS for every origin */
	void (*on_close)(struct http_req *hr, void *arg);
	void *on_close_arg;
};

typedef void (*http_handler_fn)(struct http_req *hr, void *arg);

/* Route flags. */
#define HTTP_JSON_BODY 0x1 /* parse the body as a JSON object (415/400 if not) */
/*
 * A public, static resource (GET only): served to every Origin with
 * "Access-Control-Allow-Origin: *" and cacheable, outside the whitelist,
 * since it carries nothing a foreign page could misuse (the JavaScript
 * API's source). Calls it makes to the API are whitelisted as usual.
 */
#define HTTP_PUBLIC 0x2

struct http_server_opts {
	const char *what; /* "api", "admin": in messages and metrics */
	const struct config_endpoint *eps;
	unsigned n_eps;
	SSL_CTX *tls;	/* NULL: plain HTTP; the server takes a reference */
	bool cors;	/* apply cors.* (the browser-facing listener) */
	/*
	 * Asked for each connection (and each later request on it) whose peer
	 * is not a trusted proxy: true closes it at once.
	 */
	bool (*refuse)(const struct ban_addr *peer, void *arg);
	void *refuse_arg;
};

struct http_server *http_server_create(struct event_base *base, const struct rtcg_config *cfg,
				       const struct http_server_opts *opts, char *err,
				       size_t errlen);
void http_server_destroy(struct http_server *srv);

/*
 * Add a route: methods is a mask of EVHTTP_REQ_*; pattern is a path whose
 * "{}" segments match one non-empty segment each, copied to hr->params.
 * Returns the route's index or -1.
 */
int http_server_route(struct http_server *srv, unsigned methods, const char *pattern,
		      unsigned flags, http_handler_fn fn, void *arg);

/* Send obj (reference stolen) as JSON with the given status. Frees hr. */
void http_reply_json(struct http_req *hr, int status, json_t *obj);
/* Send {"error": {"code": code, "message": ...}}. Frees hr. */
void http_reply_error(struct http_req *hr, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A body of another type (Prometheus text). Frees hr; buf stays the caller's. */
void http_reply_buffer(struct http_req *hr, int status, const char *content_type,
		       struct evbuffer *buf);
/* 204 No Content. Frees hr. */
void http_reply_empty(struct http_req *hr, int status);

const char *http_header(const struct http_req *hr, const char *name);
void http_set_header(struct http_req *hr, const char *name, const char *value);
/* A query parameter as an unsigned in [0, max]; def when absent; -1 if bad. */
int http_query_uint(const struct http_req *hr, const char *name, unsigned def, unsigned max,
		    unsigned *out);

/*
 * Park a request (a long-poll): cb is called if the client goes away first;
 * it must then reply (which frees hr). The connection's timeout becomes
 * `seconds` while parked.
 */
void http_park(struct http_req *hr, unsigned seconds,
	       void (*cb)(struct http_req *hr, void *arg), void *arg);

/* Chunked streams (text/event-stream). */
void http_stream_start(struct http_req *hr, const char *content_type);
/* Send a chunk; false when the client is gone (then end the stream). */
bool http_stream_send(struct http_req *hr, const char *data, size_t len);
void http_stream_end(struct http_req *hr); /* frees hr */

/* Requests counted by route and status, for Prometheus text output. */
void http_server_write_metrics(const struct http_server *srv, struct evbuffer *out);

/* Requests handled, for telemetry. */
uint64_t http_server_requests(const struct http_server *srv);

#endif /* RTCG_HTTP_SERVER_H */
