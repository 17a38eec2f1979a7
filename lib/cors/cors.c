/* SPDX-License-Identifier: BSD-3-Clause */
/* cors.c - origin parsing and whitelist matching. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cors.h"

static bool
host_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_';
}

int
cors_origin_parse(const char *text, bool allow_wildcard, struct cors_origin *out)
{
	const char *p, *host, *end;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (strncasecmp(text, "https://", 8) == 0) {
		out->https = true;
		p = text + 8;
	} else if (strncasecmp(text, "http://", 7) == 0) {
		p = text + 7;
	} else {
		return -1;
	}
	if (allow_wildcard && strncmp(p, "*.", 2) == 0) {
		out->wildcard = true;
		p += 2;
	}
	host = p;
	if (*p == '[') {
		while (*p != '\0' && *p != ']') {
			if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.' && *p != '[')
				return -1;
			p++;
		}
		if (*p != ']' || out->wildcard)
			return -1;
		p++;
	} else {
		while (host_char(*p))
			p++;
	}
	end = p;
	len = (size_t)(end - host);
	if (len == 0 || len >= sizeof(out->host) || host[0] == '.' || end[-1] == '.')
		return -1;
	for (size_t i = 0; i < len; i++)
		out->host[i] = (char)tolower((unsigned char)host[i]);
	out->port = out->https ? 443 : 80;
	if (*p == ':') {
		char *q;
		unsigned long port;

		if (!isdigit((unsigned char)p[1]))
			return -1;
		port = strtoul(p + 1, &q, 10);
		if (port == 0 || port > 65535 || q - (p + 1) > 5)
			return -1;
		out->port = (uint16_t)port;
		p = q;
	}
	return *p == '\0' ? 0 : -1;
}

bool
cors_origin_matches(const struct cors_origin *entry, const struct cors_origin *origin)
{
	size_t hl, el;

	if (entry->https != origin->https || entry->port != origin->port || origin->wildcard)
		return false;
	if (!entry->wildcard)
		return strcmp(entry->host, origin->host) == 0;
	/* "*.example.com" takes a.example.com and a.b.example.com. */
	hl = strlen(origin->host);
	el = strlen(entry->host);
	return hl > el + 1 && origin->host[hl - el - 1] == '.' &&
	       strcmp(origin->host + hl - el, entry->host) == 0;
}

bool
cors_allowed(const struct cors_origin *list, unsigned n, const char *origin)
{
	struct cors_origin o;

	if (n == 0)
		return true;
	if (origin == NULL || cors_origin_parse(origin, false, &o) != 0)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (cors_origin_matches(&list[i], &o))
			return true;
	return false;
}
