/* SPDX-License-Identifier: BSD-3-Clause */
/* http_server.c - evhttp listeners with TLS, limits and JSON replies. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/keyvalq_struct.h>

#include "http_server.h"

#define HTTP_MAX_LISTENERS CONFIG_MAX_LISTENERS

struct http_server {
	struct evhttp *http;
	SSL_CTX *tls;
	int fds[HTTP_MAX_LISTENERS];
	unsigned n_fds;
};

void
http_reply_json(struct evhttp_request *req, int status, json_t *obj)
{
	struct evbuffer *buf = evbuffer_new();
	char *text = json_dumps(obj, JSON_COMPACT);
	const char *reason = status < 300 ? "OK" : status < 500 ? "Client Error" : "Server Error";

	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "application/json");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	if (buf != NULL && text != NULL) {
		evbuffer_add(buf, text, strlen(text));
		evbuffer_add(buf, "\n", 1);
	}
	evhttp_send_reply(req, status, reason, buf);
	if (buf != NULL)
		evbuffer_free(buf);
	free(text);
	json_decref(obj);
}

void
http_reply_error(struct evhttp_request *req, int status, const char *code,
		 const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_reply_json(req, status,
			json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg));
}

static const char *
method_name(enum evhttp_cmd_type cmd)
{
	switch (cmd) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_HEAD: return "HEAD";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_DELETE: return "DELETE";
	case EVHTTP_REQ_OPTIONS: return "OPTIONS";
	case EVHTTP_REQ_TRACE: return "TRACE";
	case EVHTTP_REQ_CONNECT: return "CONNECT";
	case EVHTTP_REQ_PATCH: return "PATCH";
	}
	return "?";
}

static void
not_found(struct evhttp_request *req, void *arg)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;

	http_reply_error(req, 404, "not_found", "no route for %s %s",
			 method_name(evhttp_request_get_command(req)),
			 path ? path : "?");
}

static struct bufferevent *
tls_bevcb(struct event_base *base, void *arg)
{
	struct http_server *srv = arg;
	SSL *ssl = SSL_new(srv->tls);
	struct bufferevent *bev;

	if (ssl == NULL)
		return NULL;
	bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
					     BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (bev != NULL)
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

static int
listen_on(const struct config_endpoint *ep, char *err, size_t errlen)
{
	int one = 1;
	int fd = socket(ep->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ep->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&ep->ss, ep->len) != 0 || listen(fd, 512) != 0)
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "%s: %s", ep->text, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

struct http_server *
http_server_create(struct event_base *base, const char *what,
		   const struct config_endpoint *eps, unsigned n_eps, SSL_CTX *tls,
		   const struct rtcg_config *cfg, char *err, size_t errlen)
{
	struct http_server *srv = calloc(1, sizeof(*srv));
	char why[200];

	if (srv == NULL || (srv->http = evhttp_new(base)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", what);
		free(srv);
		return NULL;
	}
	if (tls != NULL) {
		SSL_CTX_up_ref(tls);
		srv->tls = tls;
		evhttp_set_bevcb(srv->http, tls_bevcb, srv);
	}
	evhttp_set_max_headers_size(srv->http, cfg->http.max_header_bytes);
	evhttp_set_max_body_size(srv->http, cfg->http.max_body_bytes);
	evhttp_set_timeout(srv->http, cfg->http.timeout_seconds);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
				   EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_HEAD);
	evhttp_set_default_content_type(srv->http, "application/json");
	evhttp_set_gencb(srv->http, not_found, srv);
	for (unsigned i = 0; i < n_eps && i < HTTP_MAX_LISTENERS; i++) {
		int fd = listen_on(&eps[i], why, sizeof(why));

		if (fd < 0 || evhttp_accept_socket(srv->http, fd) != 0) {
			snprintf(err, errlen, "%s[%u] cannot listen on %s", what, i, why);
			if (fd >= 0)
				close(fd);
			http_server_destroy(srv);
			return NULL;
		}
		srv->fds[srv->n_fds++] = fd;
	}
	return srv;
}

int
http_server_route(struct http_server *srv, const char *path, http_handler_fn fn, void *arg)
{
	return evhttp_set_cb(srv->http, path, fn, arg) == 0 ? 0 : -EEXIST;
}

void
http_server_destroy(struct http_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->http != NULL)
		evhttp_free(srv->http); /* closes the bound sockets too */
	SSL_CTX_free(srv->tls);
	free(srv);
}
