/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_http.c - libFuzzer harness for request handling: the real API server
 * (evhttp's parser, the dispatcher: client address, CORS, limits, routing,
 * JSON bodies, every handler, the admin routes) on a loopback listener, plain
 * HTTP. Each input is sent as raw bytes on a new connection, which is then
 * half-closed; the loop runs until the server closes it, or has sent nothing
 * for 30 rounds of up to 1 ms (the handlers answer within a few rounds; a
 * long-poll or event stream would hold the connection for its timeout, and
 * is cut here, which exercises the server's clean-up of a client that goes
 * away), or 2,000 rounds in all.
 *
 * At start the harness signs in once; "@SID@" and "@TOKEN@" in an input are
 * replaced by that session's id and token, so inputs reach the handlers
 * behind authentication. An input starting with "@ADMIN@" goes to the admin
 * listener instead.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "api.h"
#include "api_log.h"
#include "auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct event_base *base;
static struct api *api;
static struct rtcg_config *cfg;
static uint16_t api_port, admin_port;
static char sid[64], token[128];

static void
quiet(int level, const char *fmt, va_list ap)
{
}

/*
 * Send req (len bytes) to port; returns what came back in out (NUL-ended).
 * Gives up once the request is sent and idle rounds have passed with nothing
 * received; then lets the server see the close.
 */
static size_t
exchange(uint16_t port, const void *req, size_t len, char *out, size_t outlen, int idle)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	size_t off = 0, got = 0;
	bool shut = false;
	int quiet = 0;

	if (fd < 0)
		return 0;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 && errno != EINPROGRESS) {
		close(fd);
		return 0;
	}
	for (int round = 0; round < 2000; round++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char buf[16384];
		ssize_t n;

		event_base_loop(base, EVLOOP_NONBLOCK);
		if (off < len) {
			n = send(fd, (const char *)req + off, len - off, MSG_NOSIGNAL);
			if (n > 0)
				off += (size_t)n;
		} else if (!shut) {
			shutdown(fd, SHUT_WR);
			shut = true;
		}
		if (poll(&p, 1, off < len ? 0 : 1) <= 0) {
			if (shut && ++quiet >= idle)
				break;
			continue;
		}
		quiet = 0;
		n = read(fd, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno != EAGAIN))
			break;
		if (n > 0 && out != NULL && got + 1 < outlen) {
			size_t take = (size_t)n < outlen - 1 - got ? (size_t)n : outlen - 1 - got;

			memcpy(out + got, buf, take);
			got += take;
		}
	}
	if (out != NULL)
		out[got] = '\0';
	close(fd);
	for (int round = 0; round < 3; round++)
		event_base_loop(base, EVLOOP_NONBLOCK);
	return got;
}

static int
setup(void)
{
	struct config_errors errs;
	char yaml[2048], hash[AUTH_HASH_MAX], err[300], reply[4096], *p;
	static const char login[] = "POST /v1/sessions HTTP/1.1\r\nHost: x\r\n"
		"Content-Type: application/json\r\nContent-Length: 36\r\nConnection: close\r\n\r\n"
		"{\"user\":\"alice\",\"password\":\"pw1234\"}";

	api_log_sink = quiet;
	if (auth_hash_password("pw1234", 1000, hash, sizeof(hash)) != 0)
		return -1;
	base = event_base_new();
	for (unsigned attempt = 0; attempt < 50 && api == NULL; attempt++) {
		api_port = (uint16_t)(20000 + (getpid() * 7 + attempt * 2) % 40000);
		admin_port = api_port + 1;
		snprintf(yaml, sizeof(yaml),
			 "ports: [{name: p, device: net_null0, role: both, addresses: [198.18.0.1/24]}]\n"
			 "https: {listen: [\"127.0.0.1:%u\"], tls: false}\n"
			 "admin: {listen: [\"127.0.0.1:%u\"], tls: false}\n"
			 "http: {max_body_bytes: 4096, max_header_bytes: 2048, timeout_seconds: 2}\n"
			 "cors: {domain_whitelist: [\"https://app.example\", \"https://*.agents.example\"]}\n"
			 "auth: {users: [{name: alice, password_hash: \"%s\"}]}\n"
			 "ban: {state_file: /dev/null, enabled: false}\n",
			 api_port, admin_port, hash);
		config_free(cfg);
		cfg = config_load_buffer("fuzz_http.yaml", yaml, strlen(yaml), NULL, 0, NULL, &errs);
		if (cfg == NULL) {
			fprintf(stderr, "fuzz_http: config: %s\n", errs.n ? errs.msg[0] : "?");
			return -1;
		}
		api = api_create(base, cfg, NULL, NULL, NULL, err, sizeof(err));
	}
	if (api == NULL) {
		fprintf(stderr, "fuzz_http: %s\n", err);
		return -1;
	}
	exchange(api_port, login, sizeof(login) - 1, reply, sizeof(reply), 2000);
	if ((p = strstr(reply, "\"session\":\"")) != NULL)
		sscanf(p + 11, "%63[0-9a-f]", sid);
	if ((p = strstr(reply, "\"token\":\"")) != NULL)
		sscanf(p + 9, "%127[0-9a-f]", token);
	if (sid[0] == '\0' || token[0] == '\0') {
		fprintf(stderr, "fuzz_http: cannot sign in: %s\n", reply);
		return -1;
	}
	return 0;
}

/* Replace every "@SID@" and "@TOKEN@" in data. */
static size_t
substitute(const uint8_t *data, size_t size, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < size && o + 130 < outlen;) {
		if (size - i >= 5 && memcmp(data + i, "@SID@", 5) == 0) {
			o += (size_t)sprintf(out + o, "%s", sid);
			i += 5;
		} else if (size - i >= 7 && memcmp(data + i, "@TOKEN@", 7) == 0) {
			o += (size_t)sprintf(out + o, "%s", token);
			i += 7;
		} else {
			out[o++] = (char)data[i++];
		}
	}
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready, failed;
	static char req[1 << 17];
	uint16_t port;
	size_t len;

	if (!ready && !failed) {
		failed = setup() != 0;
		ready = !failed;
	}
	if (failed)
		abort(); /* a harness that cannot run must not pass */
	port = api_port;
	if (size >= 7 && memcmp(data, "@ADMIN@", 7) == 0) {
		port = admin_port;
		data += 7;
		size -= 7;
	}
	if (size > 60000)
		return 0;
	len = substitute(data, size, req, sizeof(req));
	exchange(port, req, len, NULL, 0, 30);
	return 0;
}
