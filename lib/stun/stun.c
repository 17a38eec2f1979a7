/* SPDX-License-Identifier: BSD-3-Clause */
/* stun.c - STUN Binding for ICE-lite. */
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <zlib.h>

#include "stun.h"

#define ATTR_MAPPED_ADDRESS 0x0001
#define ATTR_USERNAME 0x0006
#define ATTR_MESSAGE_INTEGRITY 0x0008
#define ATTR_XOR_MAPPED_ADDRESS 0x0020
#define ATTR_PRIORITY 0x0024
#define ATTR_USE_CANDIDATE 0x0025
#define ATTR_SOFTWARE 0x8022
#define ATTR_FINGERPRINT 0x8028
#define ATTR_ICE_CONTROLLED 0x8029
#define ATTR_ICE_CONTROLLING 0x802A
#define FINGERPRINT_XOR 0x5354554eu

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

bool
stun_looks_like(const uint8_t *buf, size_t len)
{
	return len >= STUN_HEADER && (buf[0] & 0xc0) == 0 && rd32(buf + 4) == STUN_COOKIE &&
	       (rd16(buf + 2) & 3) == 0 && (size_t)rd16(buf + 2) + STUN_HEADER <= len;
}

static uint32_t
fingerprint_of(const uint8_t *buf, size_t upto)
{
	return (uint32_t)crc32(0L, buf, (uInt)upto) ^ FINGERPRINT_XOR;
}

enum stun_result
stun_parse(const uint8_t *buf, size_t len, struct stun_msg *m)
{
	size_t pos = STUN_HEADER, end;

	memset(m, 0, sizeof(*m));
	m->integrity_at = m->fingerprint_at = -1;
	if (len < STUN_HEADER)
		return STUN_ERR_TRUNCATED;
	if ((buf[0] & 0xc0) != 0 || rd32(buf + 4) != STUN_COOKIE || (rd16(buf + 2) & 3) != 0)
		return STUN_ERR_NOT_STUN;
	m->type = rd16(buf);
	m->length = rd16(buf + 2);
	memcpy(m->tid, buf + 8, 12);
	end = STUN_HEADER + (size_t)m->length;
	if (end > len)
		return STUN_ERR_TRUNCATED;
	while (pos < end) {
		uint16_t type, alen;
		const uint8_t *v;

		if (end - pos < 4)
			return STUN_ERR_BAD_ATTR;
		type = rd16(buf + pos);
		alen = rd16(buf + pos + 2);
		v = buf + pos + 4;
		if ((size_t)alen > end - pos - 4)
			return STUN_ERR_BAD_ATTR;
		if (m->fingerprint_at >= 0)
			return STUN_ERR_BAD_ATTR; /* nothing may follow FINGERPRINT */
		if (m->integrity_at >= 0 && type != ATTR_FINGERPRINT) {
			/* attributes after MESSAGE-INTEGRITY are ignored (RFC 8489 14.5) */
		} else {
			switch (type) {
			case ATTR_USERNAME:
				m->username = (const char *)v;
				m->username_len = alen;
				break;
			case ATTR_MESSAGE_INTEGRITY:
				if (alen != 20)
					return STUN_ERR_BAD_ATTR;
				m->integrity_at = (int)pos;
				break;
			case ATTR_FINGERPRINT:
				if (alen != 4)
					return STUN_ERR_BAD_ATTR;
				m->fingerprint_at = (int)pos;
				if (rd32(v) != fingerprint_of(buf, pos) ||
				    pos + 8 != end)
					return STUN_ERR_FINGERPRINT;
				break;
			case ATTR_PRIORITY:
				if (alen != 4)
					return STUN_ERR_BAD_ATTR;
				m->priority = rd32(v);
				m->has_priority = true;
				break;
			case ATTR_USE_CANDIDATE:
				m->use_candidate = true;
				break;
			case ATTR_ICE_CONTROLLING:
			case ATTR_ICE_CONTROLLED:
				if (alen != 8)
					return STUN_ERR_BAD_ATTR;
				m->tiebreaker = (uint64_t)rd32(v) << 32 | rd32(v + 4);
				if (type == ATTR_ICE_CONTROLLING)
					m->controlling = true;
				else
					m->controlled = true;
				break;
			default:
				if (type < 0x8000 && m->unknown_required == 0 &&
				    type != ATTR_MAPPED_ADDRESS && type != ATTR_XOR_MAPPED_ADDRESS)
					m->unknown_required = type;
				break;
			}
		}
		pos += 4 + (((size_t)alen + 3) & ~(size_t)3);
	}
	return pos == end ? STUN_OK : STUN_ERR_BAD_ATTR;
}

/* HMAC-SHA1 over the message up to `at`, with the length field set to end at at+24. */
static void
integrity_of(const uint8_t *buf, size_t at, const char *password, uint8_t mac[20])
{
	uint8_t head[4];
	static EVP_MAC *emac; /* fetched once: the control lcore is one thread */
	EVP_MAC_CTX *ctx;
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA1", 0),
		OSSL_PARAM_construct_end(),
	};
	size_t out_len = 0;

	if (emac == NULL)
		emac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	ctx = emac ? EVP_MAC_CTX_new(emac) : NULL;
	memcpy(head, buf, 4);
	wr16(head + 2, (uint16_t)(at + 24 - STUN_HEADER));
	memset(mac, 0, 20);
	if (ctx != NULL &&
	    EVP_MAC_init(ctx, (const unsigned char *)password, strlen(password), params) == 1 &&
	    EVP_MAC_update(ctx, head, 4) == 1 && EVP_MAC_update(ctx, buf + 4, at - 4) == 1)
		EVP_MAC_final(ctx, mac, &out_len, 20);
	EVP_MAC_CTX_free(ctx);
}

enum stun_result
stun_check_integrity(const uint8_t *buf, size_t len, const struct stun_msg *m,
		     const char *password)
{
	uint8_t mac[20];

	if (m->integrity_at < 0 || (size_t)m->integrity_at + 24 > len)
		return STUN_ERR_INTEGRITY;
	integrity_of(buf, (size_t)m->integrity_at, password, mac);
	return CRYPTO_memcmp(mac, buf + m->integrity_at + 4, 20) == 0 ? STUN_OK :
	       STUN_ERR_INTEGRITY;
}

enum stun_result
stun_check_username(const struct stun_msg *m, const char *our_ufrag, const char *their_ufrag)
{
	size_t ol = strlen(our_ufrag), tl = their_ufrag ? strlen(their_ufrag) : 0;

	if (m->username == NULL || m->username_len < ol + 1 ||
	    memcmp(m->username, our_ufrag, ol) != 0 || m->username[ol] != ':')
		return STUN_ERR_USERNAME;
	if (their_ufrag != NULL &&
	    (m->username_len != ol + 1 + tl || memcmp(m->username + ol + 1, their_ufrag, tl) != 0))
		return STUN_ERR_USERNAME;
	return STUN_OK;
}

/* Append MESSAGE-INTEGRITY and FINGERPRINT at pos; returns the new length. */
static size_t
sign(uint8_t *out, size_t pos, const char *password)
{
	wr16(out + pos, ATTR_MESSAGE_INTEGRITY);
	wr16(out + pos + 2, 20);
	integrity_of(out, pos, password, out + pos + 4);
	pos += 24;
	wr16(out + 2, (uint16_t)(pos + 8 - STUN_HEADER));
	wr16(out + pos, ATTR_FINGERPRINT);
	wr16(out + pos + 2, 4);
	wr32(out + pos + 4, fingerprint_of(out, pos));
	return pos + 8;
}

int
stun_binding_success(const struct stun_msg *req, const struct sockaddr *from,
		     const char *password, uint8_t *out, size_t outlen)
{
	size_t pos = STUN_HEADER;

	if (outlen < 80)
		return -1;
	wr16(out, STUN_BINDING_SUCCESS);
	wr32(out + 4, STUN_COOKIE);
	memcpy(out + 8, req->tid, 12);
	wr16(out + pos, ATTR_XOR_MAPPED_ADDRESS);
	if (from->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)from;
		uint32_t ip = ntohl(sin->sin_addr.s_addr);

		wr16(out + pos + 2, 8);
		out[pos + 4] = 0;
		out[pos + 5] = 0x01;
		wr16(out + pos + 6, (uint16_t)(ntohs(sin->sin_port) ^ (STUN_COOKIE >> 16)));
		wr32(out + pos + 8, ip ^ STUN_COOKIE);
		pos += 12;
	} else if (from->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)from;
		uint8_t key[16];

		wr32(key, STUN_COOKIE);
		memcpy(key + 4, req->tid, 12);
		wr16(out + pos + 2, 20);
		out[pos + 4] = 0;
		out[pos + 5] = 0x02;
		wr16(out + pos + 6, (uint16_t)(ntohs(sin6->sin6_port) ^ (STUN_COOKIE >> 16)));
		for (int i = 0; i < 16; i++)
			out[pos + 8 + i] = sin6->sin6_addr.s6_addr[i] ^ key[i];
		pos += 24;
	} else {
		return -1;
	}
	wr16(out + 2, (uint16_t)(pos + 24 - STUN_HEADER));
	return (int)sign(out, pos, password);
}

int
stun_binding_request(const uint8_t tid[12], const char *username, const char *password,
		     uint32_t priority, bool use_candidate, uint64_t tiebreaker, uint8_t *out,
		     size_t outlen)
{
	size_t ulen = strlen(username), pos = STUN_HEADER, padded = (ulen + 3) & ~(size_t)3;

	if (ulen > 512 || outlen < STUN_HEADER + 4 + padded + 8 + 4 + 12 + 24 + 8)
		return -1;
	wr16(out, STUN_BINDING_REQUEST);
	wr32(out + 4, STUN_COOKIE);
	memcpy(out + 8, tid, 12);
	wr16(out + pos, ATTR_USERNAME);
	wr16(out + pos + 2, (uint16_t)ulen);
	memcpy(out + pos + 4, username, ulen);
	memset(out + pos + 4 + ulen, 0, padded - ulen);
	pos += 4 + padded;
	wr16(out + pos, ATTR_PRIORITY);
	wr16(out + pos + 2, 4);
	wr32(out + pos + 4, priority);
	pos += 8;
	wr16(out + pos, ATTR_ICE_CONTROLLING);
	wr16(out + pos + 2, 8);
	wr32(out + pos + 4, (uint32_t)(tiebreaker >> 32));
	wr32(out + pos + 8, (uint32_t)tiebreaker);
	pos += 12;
	if (use_candidate) {
		wr16(out + pos, ATTR_USE_CANDIDATE);
		wr16(out + pos + 2, 0);
		pos += 4;
	}
	wr16(out + 2, (uint16_t)(pos + 24 - STUN_HEADER));
	return (int)sign(out, pos, password);
}

int
stun_xor_mapped(const uint8_t *buf, size_t len, struct sockaddr_storage *sa)
{
	size_t pos = STUN_HEADER, end;

	if (len < STUN_HEADER)
		return -1;
	end = STUN_HEADER + rd16(buf + 2);
	if (end > len)
		return -1;
	memset(sa, 0, sizeof(*sa));
	while (end - pos >= 4) {
		uint16_t type = rd16(buf + pos), alen = rd16(buf + pos + 2);
		const uint8_t *v = buf + pos + 4;

		if ((size_t)alen > end - pos - 4)
			return -1;
		if (type == ATTR_XOR_MAPPED_ADDRESS && alen >= 8) {
			uint16_t port = rd16(v + 2) ^ (uint16_t)(STUN_COOKIE >> 16);

			if (v[1] == 0x01 && alen == 8) {
				struct sockaddr_in *sin = (struct sockaddr_in *)sa;

				sin->sin_family = AF_INET;
				sin->sin_port = htons(port);
				sin->sin_addr.s_addr = htonl(rd32(v + 4) ^ STUN_COOKIE);
				return 0;
			}
			if (v[1] == 0x02 && alen == 20) {
				struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)sa;
				uint8_t key[16];

				wr32(key, STUN_COOKIE);
				memcpy(key + 4, buf + 8, 12);
				sin6->sin6_family = AF_INET6;
				sin6->sin6_port = htons(port);
				for (int i = 0; i < 16; i++)
					sin6->sin6_addr.s6_addr[i] = v[4 + i] ^ key[i];
				return 0;
			}
			return -1;
		}
		pos += 4 + (((size_t)alen + 3) & ~(size_t)3);
	}
	return -1;
}

const char *
stun_result_name(enum stun_result r)
{
	static const char *const names[] = {
		"ok", "truncated", "not_stun", "bad_attribute", "bad_fingerprint",
		"bad_integrity", "bad_username",
	};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}
