/* SPDX-License-Identifier: BSD-3-Clause */
/* sdp.c - SDP parsing and writing. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp.h"

struct parser {
	struct sdp *s;
	struct sdp_media *m; /* current media section, NULL at session level */
	unsigned line;
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 2, 3)))
fail(struct parser *p, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "line %u: %s", p->line, msg);
	return -1;
}

/* Copy a token of at most size-1 bytes; -1 when it does not fit or is empty. */
static int
copy(char *dst, size_t size, const char *src, size_t n)
{
	if (n == 0 || n >= size)
		return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

static bool
parse_u64(const char *s, uint64_t *out, const char **end)
{
	char *e;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*out = strtoull(s, &e, 10);
	if (errno != 0)
		return false;
	if (end != NULL)
		*end = e;
	return true;
}

const char *
sdp_setup_name(enum sdp_setup s)
{
	static const char *const n[] = { "", "actpass", "active", "passive", "holdconn" };

	return (unsigned)s < 5 ? n[s] : "";
}

const char *
sdp_dir_name(enum sdp_dir d)
{
	static const char *const n[] = { "", "sendrecv", "sendonly", "recvonly", "inactive" };

	return (unsigned)d < 5 ? n[d] : "";
}

int
sdp_fingerprint_parse(const char *text, char *alg, size_t alg_len, uint8_t *fp,
		      unsigned *fp_len)
{
	const char *sp = strchr(text, ' ');
	const char *h;
	unsigned n = 0;

	if (sp == NULL || copy(alg, alg_len, text, (size_t)(sp - text)) != 0)
		return -1;
	for (char *a = alg; *a; a++)
		*a = (char)tolower((unsigned char)*a);
	h = sp + 1;
	while (*h == ' ')
		h++;
	for (;;) {
		unsigned v;

		if (!isxdigit((unsigned char)h[0]) || !isxdigit((unsigned char)h[1]) || n >= 64)
			return -1;
		sscanf(h, "%2x", &v);
		fp[n++] = (uint8_t)v;
		h += 2;
		if (*h == '\0')
			break;
		if (*h != ':')
			return -1;
		h++;
	}
	*fp_len = n;
	return 0;
}

void
sdp_fingerprint_format(const uint8_t *fp, unsigned len, char *out, size_t outlen)
{
	size_t o = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	for (unsigned i = 0; i < len && o + 4 <= outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, i ? ":%02X" : "%02X", fp[i]);
}

static enum sdp_setup
setup_of(const char *v)
{
	if (strcmp(v, "actpass") == 0)
		return SDP_SETUP_ACTPASS;
	if (strcmp(v, "active") == 0)
		return SDP_SETUP_ACTIVE;
	if (strcmp(v, "passive") == 0)
		return SDP_SETUP_PASSIVE;
	if (strcmp(v, "holdconn") == 0)
		return SDP_SETUP_HOLDCONN;
	return SDP_SETUP_NONE;
}

static struct sdp_codec *
codec_for(struct sdp_media *m, uint8_t pt)
{
	for (unsigned i = 0; i < m->n_codecs; i++)
		if (m->codecs[i].pt == pt)
			return &m->codecs[i];
	return NULL;
}

const struct sdp_codec *
sdp_codec_by_pt(const struct sdp_media *m, uint8_t pt)
{
	return codec_for((struct sdp_media *)m, pt);
}

/* "PT rest": the payload type, which must be one of the m= line's formats. */
static struct sdp_codec *
codec_attr(struct parser *p, const char *v, const char **rest)
{
	uint64_t pt;
	const char *e;
	struct sdp_codec *c;

	if (!parse_u64(v, &pt, &e) || pt > 127 || (*e != ' ' && *e != '\0')) {
		fail(p, "bad payload type in '%.40s'", v);
		return NULL;
	}
	c = codec_for(p->m, (uint8_t)pt);
	if (c == NULL) {
		fail(p, "payload type %" PRIu64 " is not on the m= line", pt);
		return NULL;
	}
	while (*e == ' ')
		e++;
	*rest = e;
	return c;
}

static int
media_attr(struct parser *p, const char *name, const char *v)
{
	struct sdp_media *m = p->m;
	const char *rest;
	struct sdp_codec *c;

	if (strcmp(name, "rtpmap") == 0) {
		char enc[32];
		unsigned clock = 0, ch = 0;
		int n;

		if ((c = codec_attr(p, v, &rest)) == NULL)
			return -1;
		n = sscanf(rest, "%31[^/]/%u/%u", enc, &clock, &ch);
		if (n < 2 || clock == 0 || ch > 8)
			return fail(p, "bad rtpmap '%.60s'", v);
		snprintf(c->name, sizeof(c->name), "%s", enc);
		c->clock = clock;
		c->channels = (uint8_t)(n == 3 ? ch : 0);
		return 0;
	}
	if (strcmp(name, "fmtp") == 0) {
		if ((c = codec_attr(p, v, &rest)) == NULL)
			return -1;
		if (strlen(rest) >= sizeof(c->fmtp))
			return fail(p, "fmtp too long");
		strcpy(c->fmtp, rest);
		return 0;
	}
	if (strcmp(name, "rtcp-fb") == 0) {
		if (v[0] == '*')
			goto keep; /* applies to every codec: pass through as is */
		if ((c = codec_attr(p, v, &rest)) == NULL)
			return -1;
		if (c->n_rtcp_fb < 4 && strlen(rest) < SDP_TOKEN)
			strcpy(c->rtcp_fb[c->n_rtcp_fb++], rest);
		return 0;
	}
	if (strcmp(name, "mid") == 0)
		return copy(m->mid, sizeof(m->mid), v, strlen(v)) == 0 ? 0 : fail(p, "bad mid");
	if (strcmp(name, "rtcp-mux") == 0) {
		m->rtcp_mux = true;
		return 0;
	}
	if (strcmp(name, "rtcp") == 0) {
		uint64_t port;

		if (!parse_u64(v, &port, NULL) || port == 0 || port > 65535)
			return fail(p, "bad a=rtcp port");
		m->rtcp_port = (uint16_t)port;
		return 0;
	}
	if (strcmp(name, "sendrecv") == 0 || strcmp(name, "sendonly") == 0 ||
	    strcmp(name, "recvonly") == 0 || strcmp(name, "inactive") == 0) {
		m->dir = name[0] == 'i' ? SDP_INACTIVE : name[4] == 'r' ? SDP_SENDRECV :
			 name[0] == 's' ? SDP_SENDONLY : SDP_RECVONLY;
		return 0;
	}
	if (strcmp(name, "ice-ufrag") == 0)
		return copy(m->ice_ufrag, sizeof(m->ice_ufrag), v, strlen(v)) == 0 ? 0 :
		       fail(p, "bad ice-ufrag");
	if (strcmp(name, "ice-pwd") == 0)
		return copy(m->ice_pwd, sizeof(m->ice_pwd), v, strlen(v)) == 0 ? 0 :
		       fail(p, "bad ice-pwd");
	if (strcmp(name, "fingerprint") == 0)
		return sdp_fingerprint_parse(v, m->fp_alg, sizeof(m->fp_alg), m->fp, &m->fp_len) == 0 ?
		       0 : fail(p, "bad fingerprint");
	if (strcmp(name, "setup") == 0) {
		m->setup = setup_of(v);
		return m->setup != SDP_SETUP_NONE ? 0 : fail(p, "bad setup '%.20s'", v);
	}
	if (strcmp(name, "crypto") == 0) {
		struct sdp_crypto *cr;
		char key[160];
		int consumed = 0;

		if (m->n_crypto >= SDP_MAX_CRYPTO)
			return fail(p, "more than %d a=crypto lines", SDP_MAX_CRYPTO);
		cr = &m->crypto[m->n_crypto];
		memset(cr, 0, sizeof(*cr));
		if (sscanf(v, "%u %47s inline:%159[^ |]%n", &cr->tag, cr->suite, key, &consumed) < 3)
			return fail(p, "bad a=crypto '%.60s'", v);
		if (strlen(key) >= sizeof(cr->key))
			return fail(p, "a=crypto key too long");
		strcpy(cr->key, key);
		rest = v + consumed;
		if (strlen(rest) >= sizeof(cr->params))
			return fail(p, "a=crypto too long");
		strcpy(cr->params, rest);
		m->n_crypto++;
		return 0;
	}
	if (strcmp(name, "candidate") == 0) {
		if (m->n_candidates >= SDP_MAX_CANDIDATES)
			return 0; /* ICE-lite needs none of them: extra ones are ignored */
		if (strlen(v) >= SDP_LINE)
			return fail(p, "candidate too long");
		strcpy(m->candidates[m->n_candidates++], v);
		return 0;
	}
	if (strcmp(name, "end-of-candidates") == 0) {
		m->end_of_candidates = true;
		return 0;
	}
keep:
	if (m->n_attrs >= SDP_MAX_ATTRS)
		return fail(p, "more than %d other attributes in a media section", SDP_MAX_ATTRS);
	snprintf(m->attrs[m->n_attrs++], SDP_LINE, "%s%s%s", name, v[0] || strchr(name, ':') ?
		 ":" : "", v);
	return 0;
}

static int
session_attr(struct parser *p, const char *name, const char *v)
{
	struct sdp *s = p->s;

	if (strcmp(name, "group") == 0 && strncmp(v, "BUNDLE", 6) == 0) {
		const char *t = v + 6;

		s->n_bundle = 0;
		while (*t) {
			size_t n;

			while (*t == ' ')
				t++;
			n = strcspn(t, " ");
			if (n == 0)
				break;
			if (s->n_bundle >= SDP_MAX_BUNDLE ||
			    copy(s->bundle[s->n_bundle], SDP_TOKEN, t, n) != 0)
				return fail(p, "bad BUNDLE group");
			s->n_bundle++;
			t += n;
		}
		return 0;
	}
	if (strcmp(name, "ice-lite") == 0) {
		s->ice_lite = true;
		return 0;
	}
	if (strcmp(name, "ice-ufrag") == 0)
		return copy(s->ice_ufrag, sizeof(s->ice_ufrag), v, strlen(v)) == 0 ? 0 :
		       fail(p, "bad ice-ufrag");
	if (strcmp(name, "ice-pwd") == 0)
		return copy(s->ice_pwd, sizeof(s->ice_pwd), v, strlen(v)) == 0 ? 0 :
		       fail(p, "bad ice-pwd");
	if (strcmp(name, "fingerprint") == 0)
		return sdp_fingerprint_parse(v, s->fp_alg, sizeof(s->fp_alg), s->fp, &s->fp_len) == 0 ?
		       0 : fail(p, "bad fingerprint");
	if (strcmp(name, "setup") == 0) {
		s->setup = setup_of(v);
		return s->setup != SDP_SETUP_NONE ? 0 : fail(p, "bad setup");
	}
	if (s->n_attrs >= SDP_MAX_ATTRS)
		return fail(p, "more than %d session attributes", SDP_MAX_ATTRS);
	snprintf(s->attrs[s->n_attrs++], SDP_LINE, "%s%s%s", name, v[0] ? ":" : "", v);
	return 0;
}

static int
media_line(struct parser *p, const char *v)
{
	struct sdp_media *m;
	char type[16], proto[32];
	unsigned port, n_ports = 1;
	int consumed = 0;
	const char *f;

	if (p->s->n_media >= SDP_MAX_MEDIA)
		return fail(p, "more than %d m= lines", SDP_MAX_MEDIA);
	m = &p->s->media[p->s->n_media];
	memset(m, 0, sizeof(*m));
	if (sscanf(v, "%15s %u/%u %31s%n", type, &port, &n_ports, proto, &consumed) != 4) {
		n_ports = 1;
		if (sscanf(v, "%15s %u %31s%n", type, &port, proto, &consumed) != 3)
			return fail(p, "bad m= line '%.60s'", v);
	}
	/* sscanf's %u takes signs and spaces: the port must be plain digits. */
	{
		const char *sp = strchr(v, ' ');

		if (sp == NULL || !isdigit((unsigned char)sp[1]))
			return fail(p, "bad m= port");
	}
	if (port > 65535 || n_ports == 0 || n_ports > 2)
		return fail(p, "bad m= port");
	strcpy(m->type, type);
	strcpy(m->proto, proto);
	m->port = (uint16_t)port;
	m->n_ports = (uint16_t)n_ports;
	f = v + consumed;
	while (*f == ' ')
		f++;
	while (*f) {
		uint64_t pt;
		const char *e;

		if (strstr(m->proto, "RTP") == NULL) {
			/* non-RTP (application): keep the formats as written */
			if (strlen(f) >= sizeof(m->fmt_text))
				return fail(p, "m= line too long");
			strcpy(m->fmt_text, f);
			break;
		}
		if (!parse_u64(f, &pt, &e) || pt > 127 || (*e != ' ' && *e != '\0'))
			return fail(p, "bad payload type on the m= line");
		if (m->n_fmts >= SDP_MAX_CODECS)
			return fail(p, "more than %d payload types", SDP_MAX_CODECS);
		for (unsigned i = 0; i < m->n_fmts; i++)
			if (m->fmts[i] == pt)
				return fail(p, "payload type %" PRIu64 " twice", pt);
		m->fmts[m->n_fmts++] = (uint8_t)pt;
		m->codecs[m->n_codecs].pt = (uint8_t)pt;
		/* Static payload types have implied names (RFC 3551). */
		switch (pt) {
		case 0: strcpy(m->codecs[m->n_codecs].name, "PCMU"); m->codecs[m->n_codecs].clock = 8000; break;
		case 8: strcpy(m->codecs[m->n_codecs].name, "PCMA"); m->codecs[m->n_codecs].clock = 8000; break;
		case 9: strcpy(m->codecs[m->n_codecs].name, "G722"); m->codecs[m->n_codecs].clock = 8000; break;
		case 13: strcpy(m->codecs[m->n_codecs].name, "CN"); m->codecs[m->n_codecs].clock = 8000; break;
		default: break;
		}
		m->n_codecs++;
		f = e;
		while (*f == ' ')
			f++;
	}
	if (m->n_fmts == 0 && m->fmt_text[0] == '\0')
		return fail(p, "the m= line has no formats");
	p->m = m;
	p->s->n_media++;
	return 0;
}

int
sdp_parse(const char *text, size_t len, struct sdp *s, char *err, size_t errlen)
{
	struct parser p = { .s = s, .err = err, .errlen = errlen };
	size_t pos = 0;
	bool seen_v = false, seen_o = false;

	memset(s, 0, sizeof(*s));
	while (pos < len) {
		const char *start = text + pos, *nl = memchr(start, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - start) : len - pos;
		char line[1024], type, *v, name[64];

		pos += l + (nl ? 1 : 0);
		p.line++;
		if (l > 0 && start[l - 1] == '\r')
			l--;
		if (l == 0)
			continue;
		if (l >= sizeof(line))
			return fail(&p, "line longer than %zu bytes", sizeof(line) - 1);
		for (size_t i = 0; i < l; i++)
			if ((unsigned char)start[i] < 0x20 && start[i] != '\t')
				return fail(&p, "control character 0x%02x", (unsigned char)start[i]);
		memcpy(line, start, l);
		line[l] = '\0';
		if (l < 2 || line[1] != '=' || !islower((unsigned char)line[0]))
			return fail(&p, "not a 'x=value' line");
		type = line[0];
		v = line + 2;
		if (!seen_v) {
			if (type != 'v' || strcmp(v, "0") != 0)
				return fail(&p, "the first line must be v=0");
			seen_v = true;
			continue;
		}
		switch (type) {
		case 'o': {
			char user[SDP_TOKEN], addr[64];
			unsigned long long id, ver;

			if (sscanf(v, "%63s %llu %llu IN IP%*1[46] %63s", user, &id, &ver, addr) != 4)
				return fail(&p, "bad o= line");
			strcpy(s->origin_user, user);
			s->sess_id = id;
			s->sess_version = ver;
			strcpy(s->origin_addr, addr);
			seen_o = true;
			break;
		}
		case 's':
			snprintf(s->name, sizeof(s->name), "%s", v[0] ? v : "-");
			break;
		case 'c': {
			char addr[64];

			if (sscanf(v, "IN IP%*1[46] %63[^/ ]", addr) != 1)
				return fail(&p, "bad c= line");
			strcpy(p.m ? p.m->conn : s->conn, addr);
			break;
		}
		case 'm':
			if (media_line(&p, v) != 0)
				return -1;
			break;
		case 'a': {
			const char *colon = strchr(v, ':');
			size_t n = colon ? (size_t)(colon - v) : strlen(v);

			if (copy(name, sizeof(name), v, n) != 0)
				return fail(&p, "bad attribute name");
			if ((p.m ? media_attr(&p, name, colon ? colon + 1 : "") :
				   session_attr(&p, name, colon ? colon + 1 : "")) != 0)
				return -1;
			break;
		}
		default:
			break; /* t=, b=, i=, u=, e=, p=, z=, k=, r=: not needed */
		}
	}
	if (!seen_v || !seen_o)
		return fail(&p, "no %s line", seen_v ? "o=" : "v=0");
	/* Media-level ICE and DTLS fall back to the session level. */
	for (unsigned i = 0; i < s->n_media; i++) {
		struct sdp_media *m = &s->media[i];

		if (m->ice_ufrag[0] == '\0')
			strcpy(m->ice_ufrag, s->ice_ufrag);
		if (m->ice_pwd[0] == '\0')
			strcpy(m->ice_pwd, s->ice_pwd);
		if (m->fp_len == 0 && s->fp_len > 0) {
			memcpy(m->fp, s->fp, s->fp_len);
			m->fp_len = s->fp_len;
			strcpy(m->fp_alg, s->fp_alg);
		}
		if (m->setup == SDP_SETUP_NONE)
			m->setup = s->setup;
		if (m->conn[0] == '\0')
			strcpy(m->conn, s->conn);
		for (unsigned c = 0; c < m->n_codecs && m->port != 0; c++)
			if (m->codecs[c].name[0] == '\0' && m->codecs[c].pt >= 96)
				return fail(&p, "m=%s: payload type %u has no rtpmap", m->type,
					    m->codecs[c].pt);
	}
	return 0;
}

struct out {
	char *buf;
	size_t len, pos;
	bool over;
};

static void __attribute__((format(printf, 2, 3)))
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->pos) {
		o->over = true;
		return;
	}
	o->pos += (size_t)n;
}

static const char *
ip_kind(const char *addr)
{
	return strchr(addr, ':') ? "IP6" : "IP4";
}

int
sdp_write(const struct sdp *s, char *buf, size_t len)
{
	struct out o = { buf, len, 0, false };
	char fp[200];

	if (len == 0)
		return -1;
	put(&o, "v=0\r\no=%s %" PRIu64 " %" PRIu64 " IN %s %s\r\ns=%s\r\n",
	    s->origin_user[0] ? s->origin_user : "-", s->sess_id, s->sess_version,
	    ip_kind(s->origin_addr), s->origin_addr[0] ? s->origin_addr : "0.0.0.0",
	    s->name[0] ? s->name : "-");
	if (s->conn[0])
		put(&o, "c=IN %s %s\r\n", ip_kind(s->conn), s->conn);
	put(&o, "t=0 0\r\n");
	if (s->ice_lite)
		put(&o, "a=ice-lite\r\n");
	if (s->n_bundle > 0) {
		put(&o, "a=group:BUNDLE");
		for (unsigned i = 0; i < s->n_bundle; i++)
			put(&o, " %s", s->bundle[i]);
		put(&o, "\r\n");
	}
	for (unsigned i = 0; i < s->n_attrs; i++)
		put(&o, "a=%s\r\n", s->attrs[i]);
	for (unsigned i = 0; i < s->n_media; i++) {
		const struct sdp_media *m = &s->media[i];

		put(&o, "m=%s %u %s", m->type, m->port, m->proto);
		for (unsigned f = 0; f < m->n_fmts; f++)
			put(&o, " %u", m->fmts[f]);
		if (m->n_fmts == 0)
			put(&o, " %s", m->fmt_text[0] ? m->fmt_text : "0");
		put(&o, "\r\n");
		if (m->conn[0])
			put(&o, "c=IN %s %s\r\n", ip_kind(m->conn), m->conn);
		if (m->port == 0) {
			if (m->mid[0])
				put(&o, "a=mid:%s\r\n", m->mid);
			continue; /* rejected: nothing else matters */
		}
		if (m->rtcp_port)
			put(&o, "a=rtcp:%u\r\n", m->rtcp_port);
		if (m->mid[0])
			put(&o, "a=mid:%s\r\n", m->mid);
		if (m->ice_ufrag[0])
			put(&o, "a=ice-ufrag:%s\r\n", m->ice_ufrag);
		if (m->ice_pwd[0])
			put(&o, "a=ice-pwd:%s\r\n", m->ice_pwd);
		if (m->fp_len) {
			sdp_fingerprint_format(m->fp, m->fp_len, fp, sizeof(fp));
			put(&o, "a=fingerprint:%s %s\r\n", m->fp_alg, fp);
		}
		if (m->setup != SDP_SETUP_NONE)
			put(&o, "a=setup:%s\r\n", sdp_setup_name(m->setup));
		for (unsigned c = 0; c < m->n_crypto; c++)
			put(&o, "a=crypto:%u %s inline:%s%s\r\n", m->crypto[c].tag, m->crypto[c].suite,
			    m->crypto[c].key, m->crypto[c].params);
		if (m->dir != SDP_DIR_NONE)
			put(&o, "a=%s\r\n", sdp_dir_name(m->dir));
		if (m->rtcp_mux)
			put(&o, "a=rtcp-mux\r\n");
		for (unsigned f = 0; f < m->n_fmts; f++) {
			const struct sdp_codec *c = sdp_codec_by_pt(m, m->fmts[f]);

			if (c == NULL || c->name[0] == '\0')
				continue;
			if (c->channels)
				put(&o, "a=rtpmap:%u %s/%u/%u\r\n", c->pt, c->name, c->clock, c->channels);
			else
				put(&o, "a=rtpmap:%u %s/%u\r\n", c->pt, c->name, c->clock);
			if (c->fmtp[0])
				put(&o, "a=fmtp:%u %s\r\n", c->pt, c->fmtp);
			for (unsigned k = 0; k < c->n_rtcp_fb; k++)
				put(&o, "a=rtcp-fb:%u %s\r\n", c->pt, c->rtcp_fb[k]);
		}
		for (unsigned a = 0; a < m->n_attrs; a++)
			put(&o, "a=%s\r\n", m->attrs[a]);
		for (unsigned c = 0; c < m->n_candidates; c++)
			put(&o, "a=candidate:%s\r\n", m->candidates[c]);
		if (m->end_of_candidates)
			put(&o, "a=end-of-candidates\r\n");
	}
	return o.over ? -1 : (int)o.pos;
}
