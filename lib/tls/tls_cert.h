/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls_cert.h - self-signed ECDSA P-256 certificates: generated for the HTTPS
 * listener on first start (stored as PEM files) and for DTLS at every start.
 */
#ifndef RTCG_TLS_CERT_H
#define RTCG_TLS_CERT_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* A new P-256 key and a certificate for it, CN=cn, valid `days` days. */
int tls_cert_generate(const char *cn, unsigned days, EVP_PKEY **key, X509 **cert);

/*
 * If cert_path or key_path is missing, generate a pair and write both, mode
 * 0600, each through a temporary file and rename so a crash leaves no half
 * file. Returns 1 if generated, 0 if both existed, negative errno on error.
 */
int tls_cert_ensure_files(const char *cert_path, const char *key_path,
			  char *err, size_t errlen);

/*
 * A server SSL_CTX with TLS 1.2 and 1.3 only, forward-secret AEAD ciphers,
 * no renegotiation or compression, and the given PEM chain and key.
 */
SSL_CTX *tls_server_ctx_new(const char *cert_path, const char *key_path,
			    char *err, size_t errlen);

/* The last OpenSSL error as text, for messages. */
const char *tls_last_error(void);

#endif /* RTCG_TLS_CERT_H */
