/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http_server.h - HTTP/1.1 listeners on the control lcore: libevent's evhttp
 * (the parser and keep-alive), OpenSSL bufferevents for TLS, jansson bodies.
 * A route table maps method and path to a handler; errors are JSON
 * {"error": {"code": "...", "message": "..."}}.
 */
#ifndef RTCG_HTTP_SERVER_H
#define RTCG_HTTP_SERVER_H

#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <openssl/ssl.h>

#include "config.h"

struct http_server;

typedef void (*http_handler_fn)(struct evhttp_request *req, void *arg);

/*
 * Listen on every endpoint (TLS when tls is non-NULL; the server takes a
 * reference). Returns NULL with a one-line reason in err.
 */
struct http_server *http_server_create(struct event_base *base, const char *what,
				       const struct config_endpoint *eps, unsigned n_eps,
				       SSL_CTX *tls, const struct rtcg_config *cfg,
				       char *err, size_t errlen);

/* Serve `path` exactly (or every path under it when it ends in '/'). */
int http_server_route(struct http_server *srv, const char *path,
		      http_handler_fn fn, void *arg);

void http_server_destroy(struct http_server *srv);

/* Send obj (reference stolen) as JSON with the given status. */
void http_reply_json(struct evhttp_request *req, int status, json_t *obj);

/* Send {"error": {"code": code, "message": message}}. */
void http_reply_error(struct evhttp_request *req, int status, const char *code,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif /* RTCG_HTTP_SERVER_H */
