/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cors.h - origins (RFC 6454: scheme, host, port) and the domain whitelist:
 * an empty list allows every origin; otherwise an Origin must equal an entry,
 * or fall under an entry whose host starts with "*." (any subdomain, not the
 * bare domain). Default ports are filled in, so https://a.example and
 * https://a.example:443 are the same origin. No DPDK, no allocation.
 */
#ifndef RTCG_CORS_H
#define RTCG_CORS_H

#include <stdbool.h>
#include <stdint.h>

struct cors_origin {
	bool https;	/* false: http */
	bool wildcard;	/* host matched as "*." + host */
	uint16_t port;
	char host[256]; /* lower case; IPv6 literals keep their brackets */
};

/*
 * Parse "scheme://host[:port]" with nothing after it. A leading "*." in the
 * host is accepted only when allow_wildcard. Returns 0 or -1.
 */
int cors_origin_parse(const char *text, bool allow_wildcard, struct cors_origin *out);

/* Does the origin text match the entry? (false when the text is no origin) */
bool cors_origin_matches(const struct cors_origin *entry, const struct cors_origin *origin);

/* Is the request's Origin allowed by the list? n == 0 allows every origin. */
bool cors_allowed(const struct cors_origin *list, unsigned n, const char *origin);

#endif /* RTCG_CORS_H */
