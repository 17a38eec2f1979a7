/* SPDX-License-Identifier: BSD-3-Clause */
/* dtls.c - DTLS 1.2 handshakes over memory BIOs and SRTP key export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "dtls.h"
#include "tls_cert.h"

#define MTU 1200

struct dtls_ctx {
	SSL_CTX *ssl;
	uint8_t fp[32];
	enum rtcg_srtp_profile profiles[RTCG_SRTP_PROFILE_MAX];
	unsigned n_profiles;
};

struct dtls_conn {
	struct dtls_ctx *ctx;
	SSL *ssl;
	BIO *in, *out;
	bool server;
	uint8_t peer_fp[64];
	unsigned peer_fp_len;
	dtls_send_fn send;
	void *arg;
	enum dtls_state state;
	char error[128];
};

static int conn_index = -1;
static BIO_METHOD *out_method;

/*
 * The outgoing side: a BIO whose every write is one datagram, handed to the
 * connection's send callback (a memory BIO would merge a fragmented flight
 * into one buffer larger than the MTU).
 */
static int
out_write(BIO *b, const char *data, int len)
{
	struct dtls_conn *c = BIO_get_data(b);

	if (c != NULL && len > 0)
		c->send(c->arg, (const uint8_t *)data, (size_t)len);
	return len;
}

static long
out_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_DGRAM_QUERY_MTU:
	case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
		return MTU;
	case BIO_CTRL_WPENDING:
	case BIO_CTRL_PENDING:
		return 0;
	default:
		return 0;
	}
}

static int
out_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static const char *
openssl_profile(enum rtcg_srtp_profile p)
{
	switch (p) {
	case RTCG_SRTP_AES128_CM_SHA1_80: return "SRTP_AES128_CM_SHA1_80";
	case RTCG_SRTP_AES128_CM_SHA1_32: return "SRTP_AES128_CM_SHA1_32";
	case RTCG_SRTP_AEAD_AES_128_GCM: return "SRTP_AEAD_AES_128_GCM";
	case RTCG_SRTP_AEAD_AES_256_GCM: return "SRTP_AEAD_AES_256_GCM";
	default: return NULL;
	}
}

static int
profile_from_id(unsigned long id)
{
	switch (id) {
	case SRTP_AES128_CM_SHA1_80: return RTCG_SRTP_AES128_CM_SHA1_80;
	case SRTP_AES128_CM_SHA1_32: return RTCG_SRTP_AES128_CM_SHA1_32;
	case SRTP_AEAD_AES_128_GCM: return RTCG_SRTP_AEAD_AES_128_GCM;
	case SRTP_AEAD_AES_256_GCM: return RTCG_SRTP_AEAD_AES_256_GCM;
	default: return -1;
	}
}

/* The peer's certificate must match its SDP fingerprint; no CA is involved. */
static int
verify_peer(int preverify, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct dtls_conn *c = SSL_get_ex_data(ssl, conn_index);
	X509 *cert = X509_STORE_CTX_get0_cert(store);
	uint8_t fp[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	if (X509_STORE_CTX_get_error_depth(store) != 0)
		return 1; /* only the leaf is checked, against the fingerprint */
	if (c == NULL || cert == NULL || X509_digest(cert, EVP_sha256(), fp, &len) != 1 ||
	    len != c->peer_fp_len || CRYPTO_memcmp(fp, c->peer_fp, len) != 0) {
		if (c != NULL)
			snprintf(c->error, sizeof(c->error),
				 "the peer's certificate does not match its SDP fingerprint");
		return 0;
	}
	return 1;
}

struct dtls_ctx *
dtls_ctx_create(const enum rtcg_srtp_profile *profiles, unsigned n, char *err, size_t errlen)
{
	struct dtls_ctx *ctx = calloc(1, sizeof(*ctx));
	char list[160] = "";
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	unsigned len = 0;

	if (ctx == NULL)
		return NULL;
	if (conn_index < 0)
		conn_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if (out_method == NULL) {
		out_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "rtcgate dtls out");
		if (out_method != NULL) {
			BIO_meth_set_write(out_method, out_write);
			BIO_meth_set_ctrl(out_method, out_ctrl);
			BIO_meth_set_create(out_method, out_create);
		}
	}
	for (unsigned i = 0; i < n && ctx->n_profiles < RTCG_SRTP_PROFILE_MAX; i++) {
		const char *name = openssl_profile(profiles[i]);

		if (name == NULL)
			continue;
		if (list[0])
			strcat(list, ":");
		strcat(list, name);
		ctx->profiles[ctx->n_profiles++] = profiles[i];
	}
	ctx->ssl = SSL_CTX_new(DTLS_method());
	if (ctx->ssl == NULL || ctx->n_profiles == 0 ||
	    tls_cert_generate("rtcgate-dtls", 30, &key, &cert) != 0 ||
	    SSL_CTX_use_certificate(ctx->ssl, cert) != 1 || SSL_CTX_use_PrivateKey(ctx->ssl, key) != 1 ||
	    SSL_CTX_set_tlsext_use_srtp(ctx->ssl, list) != 0 ||
	    X509_digest(cert, EVP_sha256(), ctx->fp, &len) != 1) {
		snprintf(err, errlen, "DTLS context: %s",
			 ctx->n_profiles == 0 ? "no DTLS-SRTP profile configured" : tls_last_error());
		EVP_PKEY_free(key);
		X509_free(cert);
		dtls_ctx_destroy(ctx);
		return NULL;
	}
	EVP_PKEY_free(key);
	X509_free(cert);
	SSL_CTX_set_min_proto_version(ctx->ssl, DTLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx->ssl, DTLS1_2_VERSION);
	SSL_CTX_set_cipher_list(ctx->ssl, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
				"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:"
				"ECDHE-RSA-AES256-GCM-SHA384");
	SSL_CTX_set_options(ctx->ssl, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET |
				      SSL_OP_NO_RENEGOTIATION);
	/* Browsers present self-signed certificates: demand one, check its fingerprint. */
	SSL_CTX_set_verify(ctx->ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_peer);
	SSL_CTX_set_read_ahead(ctx->ssl, 1);
	return ctx;
}

void
dtls_ctx_destroy(struct dtls_ctx *ctx)
{
	if (ctx == NULL)
		return;
	SSL_CTX_free(ctx->ssl);
	free(ctx);
}

const uint8_t *
dtls_ctx_fingerprint(const struct dtls_ctx *ctx, unsigned *len)
{
	*len = sizeof(ctx->fp);
	return ctx->fp;
}

static enum dtls_state
fail(struct dtls_conn *c, const char *why)
{
	if (c->error[0] == '\0') {
		unsigned long e = ERR_peek_last_error();

		snprintf(c->error, sizeof(c->error), "%s%s%s", why, e ? ": " : "",
			 e ? ERR_reason_error_string(e) : "");
	}
	ERR_clear_error();
	c->state = DTLS_FAILED;
	return c->state;
}

static enum dtls_state
progress(struct dtls_conn *c)
{
	int rc, e;

	if (c->state != DTLS_HANDSHAKING)
		return c->state;
	rc = SSL_do_handshake(c->ssl);
	if (rc == 1) {
		if (SSL_get_selected_srtp_profile(c->ssl) == NULL)
			return fail(c, "no common SRTP profile (use_srtp)");
		c->state = DTLS_CONNECTED;
		return c->state;
	}
	e = SSL_get_error(c->ssl, rc);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return c->state;
	return fail(c, "handshake failed");
}

struct dtls_conn *
dtls_conn_new(struct dtls_ctx *ctx, bool server, const uint8_t *peer_fp, unsigned peer_fp_len,
	      dtls_send_fn send, void *arg)
{
	struct dtls_conn *c = calloc(1, sizeof(*c));

	if (c == NULL || peer_fp_len == 0 || peer_fp_len > sizeof(c->peer_fp)) {
		free(c);
		return NULL;
	}
	c->ctx = ctx;
	c->server = server;
	memcpy(c->peer_fp, peer_fp, peer_fp_len);
	c->peer_fp_len = peer_fp_len;
	c->send = send;
	c->arg = arg;
	c->ssl = SSL_new(ctx->ssl);
	c->in = BIO_new(BIO_s_mem());
	c->out = out_method ? BIO_new(out_method) : NULL;
	if (c->ssl == NULL || c->in == NULL || c->out == NULL) {
		BIO_free(c->in);
		BIO_free(c->out);
		SSL_free(c->ssl);
		free(c);
		return NULL;
	}
	BIO_set_mem_eof_return(c->in, -1);
	BIO_set_data(c->out, c);
	SSL_set_bio(c->ssl, c->in, c->out);
	SSL_set_mtu(c->ssl, MTU);
	DTLS_set_link_mtu(c->ssl, MTU);
	SSL_set_ex_data(c->ssl, conn_index, c);
	if (server)
		SSL_set_accept_state(c->ssl);
	else
		SSL_set_connect_state(c->ssl);
	c->state = DTLS_HANDSHAKING;
	if (!server)
		progress(c);
	return c;
}

void
dtls_conn_free(struct dtls_conn *c)
{
	if (c == NULL)
		return;
	SSL_free(c->ssl); /* frees the BIOs */
	free(c);
}

enum dtls_state
dtls_conn_input(struct dtls_conn *c, const uint8_t *data, size_t len)
{
	uint8_t buf[2048];
	int n;

	if (len == 0 || len > 16384 || c->state == DTLS_FAILED || c->state == DTLS_CLOSED)
		return c->state;
	BIO_write(c->in, data, (int)len);
	if (c->state == DTLS_HANDSHAKING)
		return progress(c);
	/* Connected: only alerts and close_notify are expected (no app data). */
	n = SSL_read(c->ssl, buf, sizeof(buf));
	if (n <= 0) {
		int e = SSL_get_error(c->ssl, n);

		if (e == SSL_ERROR_ZERO_RETURN) {
			c->state = DTLS_CLOSED;
			snprintf(c->error, sizeof(c->error), "close_notify");
		} else if (e != SSL_ERROR_WANT_READ) {
			return fail(c, "DTLS error");
		}
	}
	ERR_clear_error();
	return c->state;
}

int
dtls_conn_timeout_ms(struct dtls_conn *c)
{
	struct timeval tv;

	if (c->state != DTLS_HANDSHAKING || DTLSv1_get_timeout(c->ssl, &tv) != 1)
		return -1;
	return (int)(tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

enum dtls_state
dtls_conn_on_timeout(struct dtls_conn *c)
{
	if (c->state != DTLS_HANDSHAKING)
		return c->state;
	if (DTLSv1_handle_timeout(c->ssl) < 0)
		return fail(c, "handshake timed out");
	return c->state;
}

enum dtls_state
dtls_conn_state(const struct dtls_conn *c)
{
	return c->state;
}

const char *
dtls_conn_error(const struct dtls_conn *c)
{
	return c->error;
}

int
dtls_conn_keys(struct dtls_conn *c, struct dtls_srtp_keys *out)
{
	SRTP_PROTECTION_PROFILE *p;
	uint8_t material[2 * (32 + 14)];
	int profile, kl, sl;
	const uint8_t *ck, *sk, *cs, *ss;

	if (c->state != DTLS_CONNECTED || (p = SSL_get_selected_srtp_profile(c->ssl)) == NULL ||
	    (profile = profile_from_id(p->id)) < 0)
		return -1;
	kl = rtcg_srtp_profile_key_len(profile);
	sl = rtcg_srtp_profile_salt_len(profile);
	if (SSL_export_keying_material(c->ssl, material, (size_t)(2 * (kl + sl)),
				       "EXTRACTOR-dtls_srtp", 19, NULL, 0, 0) != 1)
		return -1;
	/* RFC 5764 4.2: client key, server key, client salt, server salt. */
	ck = material;
	sk = material + kl;
	cs = material + 2 * kl;
	ss = material + 2 * kl + sl;
	memset(out, 0, sizeof(*out));
	out->profile = (enum rtcg_srtp_profile)profile;
	memcpy(out->local_key, c->server ? sk : ck, (size_t)kl);
	memcpy(out->local_salt, c->server ? ss : cs, (size_t)sl);
	memcpy(out->remote_key, c->server ? ck : sk, (size_t)kl);
	memcpy(out->remote_salt, c->server ? cs : ss, (size_t)sl);
	OPENSSL_cleanse(material, sizeof(material));
	return 0;
}

void
dtls_conn_close(struct dtls_conn *c)
{
	if (c->state == DTLS_CONNECTED) {
		SSL_shutdown(c->ssl);
	}
	c->state = DTLS_CLOSED;
}
