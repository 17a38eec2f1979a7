/* SPDX-License-Identifier: BSD-3-Clause */
/* http_server.c - evhttp listeners: dispatch, CORS, limits, replies, metrics. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/keyvalq_struct.h>

#include "cors.h"
#include "http_server.h"

#define ALLOWED_METHODS "GET, POST, DELETE, OPTIONS"
#define ALLOWED_HEADERS "Authorization, Content-Type, Accept, Last-Event-ID"
/* Status codes counted one by one; the rest as "other". */
static const int counted_status[] = { 200, 201, 204, 400, 401, 403, 404, 405, 409, 413,
				      415, 429, 431, 500, 503 };
#define N_STATUS (sizeof(counted_status) / sizeof(counted_status[0]) + 1)
#define ROUTE_UNMATCHED HTTP_MAX_ROUTES /* counters for requests no route took */

struct route {
	unsigned methods;
	unsigned flags;
	char pattern[96];
	http_handler_fn fn;
	void *arg;
};

struct http_server {
	struct evhttp *http;
	const struct rtcg_config *cfg;
	struct http_server_opts opts;
	char what[16];
	SSL_CTX *tls;
	struct cors_origin whitelist[CONFIG_MAX_LIST];
	unsigned n_whitelist;
	struct route routes[HTTP_MAX_ROUTES];
	unsigned n_routes;
	uint64_t counts[HTTP_MAX_ROUTES + 1][N_STATUS];
	uint64_t requests;
};

static int ssl_srv_index = -1;

/* ---- replies ---- */

static unsigned
status_slot(int status)
{
	for (unsigned i = 0; i < N_STATUS - 1; i++)
		if (counted_status[i] == status)
			return i;
	return N_STATUS - 1;
}

static const char *
reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return status < 500 ? "Client Error" : "Server Error";
	}
}

/* Headers every reply carries: CORS for an allowed Origin, no caching. */
static void
common_headers(struct http_req *hr)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(hr->req);

	if (hr->public_resource) {
		evhttp_add_header(h, "Access-Control-Allow-Origin", "*");
	} else {
		if (hr->srv->opts.cors) {
			evhttp_add_header(h, "Vary", "Origin");
			if (hr->origin[0] != '\0')
				evhttp_add_header(h, "Access-Control-Allow-Origin", hr->origin);
		}
		evhttp_add_header(h, "Cache-Control", "no-store");
	}
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
}

static void
count_reply(struct http_req *hr, int status)
{
	unsigned r = hr->route >= 0 ? (unsigned)hr->route : ROUTE_UNMATCHED;

	hr->srv->counts[r][status_slot(status)]++;
}

static void
req_free(struct http_req *hr)
{
	json_decref(hr->body);
	free(hr);
}

static void
unpark(struct http_req *hr)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(hr->req);

	if (hr->on_close == NULL)
		return;
	hr->on_close = NULL;
	if (evcon != NULL) {
		evhttp_connection_set_closecb(evcon, NULL, NULL);
		evhttp_connection_set_timeout(evcon, (int)hr->srv->cfg->http.timeout_seconds);
	}
}

static void
send_buffer(struct http_req *hr, int status, struct evbuffer *buf)
{
	unpark(hr);
	common_headers(hr);
	count_reply(hr, status);
	evhttp_send_reply(hr->req, status, reason_phrase(status), buf);
	req_free(hr);
}

void
http_reply_json(struct http_req *hr, int status, json_t *obj)
{
	struct evbuffer *buf = evbuffer_new();
	char *text = obj != NULL ? json_dumps(obj, JSON_COMPACT) : NULL;

	evhttp_add_header(evhttp_request_get_output_headers(hr->req), "Content-Type",
			  "application/json");
	if (buf != NULL && text != NULL) {
		evbuffer_add(buf, text, strlen(text));
		evbuffer_add(buf, "\n", 1);
	}
	send_buffer(hr, status, buf);
	if (buf != NULL)
		evbuffer_free(buf);
	free(text);
	json_decref(obj);
}

void
http_reply_error(struct http_req *hr, int status, const char *code, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_reply_json(hr, status,
			json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg));
}

void
http_reply_buffer(struct http_req *hr, int status, const char *content_type,
		  struct evbuffer *buf)
{
	evhttp_add_header(evhttp_request_get_output_headers(hr->req), "Content-Type",
			  content_type);
	send_buffer(hr, status, buf);
}

void
http_reply_empty(struct http_req *hr, int status)
{
	send_buffer(hr, status, NULL);
}

const char *
http_header(const struct http_req *hr, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(hr->req), name);
}

void
http_set_header(struct http_req *hr, const char *name, const char *value)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(hr->req);

	evhttp_remove_header(h, name);
	evhttp_add_header(h, name, value);
}

int
http_query_uint(const struct http_req *hr, const char *name, unsigned def, unsigned max,
		unsigned *out)
{
	const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(hr->req));
	struct evkeyvalq q;
	const char *v;
	char *end;
	unsigned long n;
	int rc = 0;

	*out = def;
	if (query == NULL)
		return 0;
	TAILQ_INIT(&q);
	if (evhttp_parse_query_str(query, &q) != 0)
		return -1;
	v = evhttp_find_header(&q, name);
	if (v != NULL) {
		errno = 0;
		n = strtoul(v, &end, 10);
		if (*v < '0' || *v > '9' || *end != '\0' || errno != 0 || n > max)
			rc = -1;
		else
			*out = (unsigned)n;
	}
	evhttp_clear_headers(&q);
	return rc;
}

/* ---- parking and streams ---- */

static void
on_conn_close(struct evhttp_connection *evcon, void *arg)
{
	struct http_req *hr = arg;
	void (*cb)(struct http_req *, void *) = hr->on_close;

	/* libevent detached the unanswered request; our reply will free it. */
	if (cb != NULL)
		cb(hr, hr->on_close_arg);
}

void
http_park(struct http_req *hr, unsigned seconds, void (*cb)(struct http_req *, void *),
	  void *arg)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(hr->req);

	hr->on_close = cb;
	hr->on_close_arg = arg;
	if (evcon != NULL) {
		evhttp_connection_set_closecb(evcon, on_conn_close, hr);
		evhttp_connection_set_timeout(evcon, (int)seconds);
	}
}

void
http_stream_start(struct http_req *hr, const char *content_type)
{
	evhttp_add_header(evhttp_request_get_output_headers(hr->req), "Content-Type",
			  content_type);
	common_headers(hr);
	count_reply(hr, 200);
	hr->streaming = true;
	evhttp_send_reply_start(hr->req, 200, "OK");
}

bool
http_stream_send(struct http_req *hr, const char *data, size_t len)
{
	struct evbuffer *buf;

	if (evhttp_request_get_connection(hr->req) == NULL)
		return false;
	buf = evbuffer_new();
	if (buf == NULL)
		return false;
	evbuffer_add(buf, data, len);
	evhttp_send_reply_chunk(hr->req, buf);
	evbuffer_free(buf);
	return true;
}

void
http_stream_end(struct http_req *hr)
{
	unpark(hr);
	evhttp_send_reply_end(hr->req);
	req_free(hr);
}

/* ---- dispatch ---- */

/*
 * The client: the peer, or, when the peer is a trusted proxy, the rightmost
 * X-Forwarded-For entry that is not one. Returns -1 if unknown.
 */
static int
find_client(struct http_req *hr)
{
	const struct rtcg_config *cfg = hr->srv->cfg;
	struct evhttp_connection *evcon = evhttp_request_get_connection(hr->req);
	const char *xff;
	char *peer = NULL;
	ev_uint16_t port;

	if (evcon == NULL)
		return -1;
	evhttp_connection_get_peer(evcon, &peer, &port);
	if (peer == NULL || ban_addr_parse(peer, &hr->client) != 0)
		return -1;
	xff = http_header(hr, "X-Forwarded-For");
	if (xff != NULL && ban_addr_in_networks(cfg->http.trusted_proxies, cfg->http.n_trusted_proxies,
				   &hr->client)) {
		char list[512], *save = NULL, *tok, *items[32];
		unsigned n = 0;

		hr->via_proxy = true;
		snprintf(list, sizeof(list), "%s", xff);
		for (tok = strtok_r(list, ", \t", &save); tok != NULL && n < 32;
		     tok = strtok_r(NULL, ", \t", &save))
			items[n++] = tok;
		while (n-- > 0) {
			struct ban_addr a;

			if (ban_addr_parse(items[n], &a) != 0)
				break; /* garbage: keep the last good hop */
			hr->client = a;
			if (!ban_addr_in_networks(cfg->http.trusted_proxies, cfg->http.n_trusted_proxies, &a))
				break;
		}
	}
	ban_addr_format(&hr->client, hr->client_text, sizeof(hr->client_text));
	return 0;
}

/* Does path match pattern? {} segments are copied to params. */
static bool
match(const char *pattern, const char *path, struct http_req *hr)
{
	unsigned np = 0;

	while (*pattern != '\0' && *path != '\0') {
		if (pattern[0] == '{' && pattern[1] == '}') {
			size_t len = strcspn(path, "/");

			if (len == 0 || len >= sizeof(hr->params[0]) || np >= HTTP_MAX_PARAMS)
				return false;
			if (hr != NULL) {
				memcpy(hr->params[np], path, len);
				hr->params[np][len] = '\0';
			}
			np++;
			path += len;
			pattern += 2;
			continue;
		}
		if (*pattern != *path)
			return false;
		pattern++;
		path++;
	}
	return *pattern == '\0' && *path == '\0';
}

static size_t
headers_size(struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	struct evkeyval *kv;
	const char *uri = evhttp_request_get_uri(req);
	size_t n = uri ? strlen(uri) + 16 : 16;

	TAILQ_FOREACH(kv, h, next)
		n += strlen(kv->key) + strlen(kv->value) + 4;
	return n;
}

static void
allow_header(struct http_req *hr, unsigned methods)
{
	char allow[64] = "";
	static const struct { unsigned m; const char *name; } names[] = {
		{ EVHTTP_REQ_GET, "GET" }, { EVHTTP_REQ_HEAD, "HEAD" },
		{ EVHTTP_REQ_POST, "POST" }, { EVHTTP_REQ_DELETE, "DELETE" },
	};

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (methods & names[i].m) {
			if (allow[0] != '\0')
				strcat(allow, ", ");
			strcat(allow, names[i].name);
		}
	http_set_header(hr, "Allow", allow);
}

/* Preflight: the Origin was allowed already. */
static void
preflight(struct http_req *hr)
{
	const char *method = http_header(hr, "Access-Control-Request-Method");
	const char *headers = http_header(hr, "Access-Control-Request-Headers");
	char max_age[16];

	if (method == NULL) {
		/* A plain OPTIONS: what the server takes. */
		http_set_header(hr, "Allow", ALLOWED_METHODS);
		http_reply_empty(hr, 204);
		return;
	}
	snprintf(max_age, sizeof(max_age), "%u", hr->srv->cfg->cors.max_age_seconds);
	http_set_header(hr, "Access-Control-Allow-Methods", ALLOWED_METHODS);
	http_set_header(hr, "Access-Control-Allow-Headers",
			headers != NULL && strlen(headers) < 256 ? headers : ALLOWED_HEADERS);
	http_set_header(hr, "Access-Control-Max-Age", max_age);
	http_reply_empty(hr, 204);
}

/*
 * CORS, as the seed describes: no Origin, nothing to do; an empty whitelist
 * allows and echoes every Origin; otherwise an Origin that matches no entry
 * is refused with 403 and no CORS headers. Returns false when it replied.
 */
static bool
apply_cors(struct http_req *hr)
{
	struct http_server *srv = hr->srv;
	const char *origin = http_header(hr, "Origin");

	if (!srv->opts.cors || origin == NULL)
		return true;
	if (strlen(origin) >= sizeof(hr->origin) ||
	    !cors_allowed(srv->whitelist, srv->n_whitelist, origin)) {
		http_reply_error(hr, 403, "origin_not_allowed",
				 "Origin %.200s is not in cors.domain_whitelist", origin);
		return false;
	}
	/* Echo only what is a valid header value (no CR/LF). */
	if (strpbrk(origin, "\r\n") != NULL) {
		http_reply_error(hr, 400, "bad_origin", "Origin header is malformed");
		return false;
	}
	snprintf(hr->origin, sizeof(hr->origin), "%s", origin);
	return true;
}

static bool
parse_body(struct http_req *hr)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(hr->req);
	size_t len = evbuffer_get_length(in);
	const char *ctype = http_header(hr, "Content-Type");
	json_error_t jerr;
	char *text;

	if (len > hr->srv->cfg->http.max_body_bytes) {
		http_reply_error(hr, 413, "body_too_large", "the body is larger than %u bytes",
				 hr->srv->cfg->http.max_body_bytes);
		return false;
	}
	if (ctype == NULL || strncasecmp(ctype, "application/json", 16) != 0 ||
	    (ctype[16] != '\0' && ctype[16] != ';')) {
		http_reply_error(hr, 415, "unsupported_media_type",
				 "the body must be application/json");
		return false;
	}
	text = (char *)evbuffer_pullup(in, -1);
	hr->body = json_loadb(text ? text : "", len, JSON_REJECT_DUPLICATES, &jerr);
	if (hr->body == NULL) {
		http_reply_error(hr, 400, "bad_json", "line %d column %d: %s", jerr.line,
				 jerr.column, jerr.text);
		return false;
	}
	if (!json_is_object(hr->body)) {
		http_reply_error(hr, 400, "bad_json", "the body must be a JSON object");
		return false;
	}
	return true;
}

static void
dispatch(struct evhttp_request *req, void *arg)
{
	struct http_server *srv = arg;
	struct http_req *hr = calloc(1, sizeof(*hr));
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	unsigned path_methods = 0;

	if (hr == NULL) {
		evhttp_send_error(req, 503, "Out of memory");
		return;
	}
	hr->req = req;
	hr->srv = srv;
	hr->route = -1;
	hr->method = evhttp_request_get_command(req);
	srv->requests++;
	if (find_client(hr) != 0) {
		http_reply_error(hr, 400, "bad_request", "unknown client address");
		return;
	}
	/* A ban that started after the connection did, or a client behind a proxy. */
	if (srv->opts.refuse != NULL && srv->opts.refuse(&hr->client, srv->opts.refuse_arg)) {
		http_set_header(hr, "Connection", "close");
		http_reply_error(hr, 403, "banned", "%s is banned", hr->client_text);
		return;
	}
	if (headers_size(req) > srv->cfg->http.max_header_bytes) {
		http_set_header(hr, "Connection", "close");
		http_reply_error(hr, 431, "headers_too_large",
				 "the request head is larger than %u bytes",
				 srv->cfg->http.max_header_bytes);
		return;
	}
	if (path != NULL && (hr->method == EVHTTP_REQ_GET || hr->method == EVHTTP_REQ_HEAD))
		for (unsigned i = 0; i < srv->n_routes && !hr->public_resource; i++)
			hr->public_resource = (srv->routes[i].flags & HTTP_PUBLIC) &&
					      match(srv->routes[i].pattern, path, hr);
	if (!hr->public_resource && !apply_cors(hr))
		return;
	if (path == NULL || path[0] != '/') {
		http_reply_error(hr, 400, "bad_request", "the request has no path");
		return;
	}
	if (hr->method == EVHTTP_REQ_OPTIONS) {
		preflight(hr);
		return;
	}
	for (unsigned i = 0; i < srv->n_routes; i++) {
		struct route *r = &srv->routes[i];
		unsigned m = hr->method == EVHTTP_REQ_HEAD ? EVHTTP_REQ_GET : hr->method;

		if (!match(r->pattern, path, hr))
			continue;
		path_methods |= r->methods;
		if (!(r->methods & m))
			continue;
		hr->route = (int)i;
		if ((r->flags & HTTP_JSON_BODY) && !parse_body(hr))
			return;
		r->fn(hr, r->arg);
		return;
	}
	if (path_methods != 0) {
		allow_header(hr, path_methods);
		http_reply_error(hr, 405, "method_not_allowed", "%s does not take this method",
				 path);
		return;
	}
	http_reply_error(hr, 404, "not_found", "no route for %.200s", path);
}

/* ---- listeners ---- */

static int
client_hello(SSL *ssl, int *alert, void *arg)
{
	struct http_server *srv = SSL_get_ex_data(ssl, ssl_srv_index);
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct ban_addr a;
	int fd = SSL_get_fd(ssl);

	if (srv == NULL || srv->opts.refuse == NULL || fd < 0 ||
	    getpeername(fd, (struct sockaddr *)&ss, &len) != 0 ||
	    ban_addr_from_sockaddr((struct sockaddr *)&ss, &a) != 0)
		return SSL_CLIENT_HELLO_SUCCESS;
	if (ban_addr_in_networks(srv->cfg->http.trusted_proxies, srv->cfg->http.n_trusted_proxies, &a))
		return SSL_CLIENT_HELLO_SUCCESS; /* decided per request, by X-Forwarded-For */
	if (srv->opts.refuse(&a, srv->opts.refuse_arg)) {
		*alert = SSL_AD_ACCESS_DENIED;
		return SSL_CLIENT_HELLO_ERROR;
	}
	return SSL_CLIENT_HELLO_SUCCESS;
}

static struct bufferevent *
tls_bevcb(struct event_base *base, void *arg)
{
	struct http_server *srv = arg;
	SSL *ssl = SSL_new(srv->tls);
	struct bufferevent *bev;

	if (ssl == NULL)
		return NULL;
	SSL_set_ex_data(ssl, ssl_srv_index, srv);
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
	/* Accepted sockets inherit it: a TLS record split over two segments
	 * must not wait for a delayed ACK (40 ms a reply). */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
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
http_server_create(struct event_base *base, const struct rtcg_config *cfg,
		   const struct http_server_opts *opts, char *err, size_t errlen)
{
	struct http_server *srv = calloc(1, sizeof(*srv));
	uint32_t lib_head, lib_body;
	char why[200];

	if (srv == NULL || (srv->http = evhttp_new(base)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", opts->what);
		free(srv);
		return NULL;
	}
	srv->cfg = cfg;
	srv->opts = *opts;
	snprintf(srv->what, sizeof(srv->what), "%s", opts->what);
	srv->opts.what = srv->what;
	if (opts->cors)
		for (unsigned i = 0; i < cfg->cors.n_domain_whitelist; i++)
			if (cors_origin_parse(cfg->cors.domain_whitelist[i], true,
					      &srv->whitelist[srv->n_whitelist]) == 0)
				srv->n_whitelist++;
	if (opts->tls != NULL) {
		if (ssl_srv_index < 0)
			ssl_srv_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
		SSL_CTX_up_ref(opts->tls);
		srv->tls = opts->tls;
		SSL_CTX_set_client_hello_cb(srv->tls, client_hello, NULL);
		evhttp_set_bevcb(srv->http, tls_bevcb, srv);
	}
	/*
	 * libevent answers requests over its own limits itself (HTML bodies,
	 * connection closed); ours are checked in dispatch() with JSON errors,
	 * so libevent's are set above them, as a memory bound only.
	 */
	lib_head = cfg->http.max_header_bytes * 2;
	lib_body = cfg->http.max_body_bytes * 2;
	evhttp_set_max_headers_size(srv->http, lib_head);
	evhttp_set_max_body_size(srv->http, lib_body);
	evhttp_set_timeout(srv->http, (int)cfg->http.timeout_seconds);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
				   EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_HEAD);
	evhttp_set_default_content_type(srv->http, "application/json");
	evhttp_set_gencb(srv->http, dispatch, srv);
	for (unsigned i = 0; i < opts->n_eps && i < CONFIG_MAX_LISTENERS; i++) {
		int fd = listen_on(&opts->eps[i], why, sizeof(why));

		if (fd < 0 || evhttp_accept_socket(srv->http, fd) != 0) {
			snprintf(err, errlen, "%s.listen[%u]: cannot listen on %s", opts->what, i,
				 why);
			if (fd >= 0)
				close(fd);
			http_server_destroy(srv);
			return NULL;
		}
	}
	return srv;
}

int
http_server_route(struct http_server *srv, unsigned methods, const char *pattern,
		  unsigned flags, http_handler_fn fn, void *arg)
{
	struct route *r;

	if (srv->n_routes >= HTTP_MAX_ROUTES || strlen(pattern) >= sizeof(r->pattern))
		return -1;
	r = &srv->routes[srv->n_routes];
	r->methods = methods;
	r->flags = flags;
	snprintf(r->pattern, sizeof(r->pattern), "%s", pattern);
	r->fn = fn;
	r->arg = arg;
	return (int)srv->n_routes++;
}

void
http_server_write_metrics(const struct http_server *srv, struct evbuffer *out)
{
	for (unsigned r = 0; r <= srv->n_routes; r++) {
		unsigned idx = r < srv->n_routes ? r : ROUTE_UNMATCHED;
		const char *route = r < srv->n_routes ? srv->routes[r].pattern : "unmatched";

		for (unsigned s = 0; s < N_STATUS; s++) {
			char status[8];

			if (srv->counts[idx][s] == 0)
				continue;
			if (s < N_STATUS - 1)
				snprintf(status, sizeof(status), "%d", counted_status[s]);
			else
				snprintf(status, sizeof(status), "other");
			evbuffer_add_printf(out,
				"rtcgate_http_requests_total{listener=\"%s\",route=\"%s\",status=\"%s\"} %llu\n",
				srv->what, route, status, (unsigned long long)srv->counts[idx][s]);
		}
	}
}

uint64_t
http_server_requests(const struct http_server *srv)
{
	return srv->requests;
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
