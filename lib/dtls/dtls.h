/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dtls.h - DTLS-SRTP (RFC 5764) with OpenSSL, for the control lcore. No
 * sockets: datagrams come in through dtls_conn_input() and go out through
 * the connection's send callback, so the caller can take them from the
 * dataplane's punt ring and hand them back to a port. Timers are the
 * caller's too (dtls_conn_timeout_ms, dtls_conn_on_timeout).
 *
 * One context per gateway: a fresh ECDSA P-256 certificate (its SHA-256
 * fingerprint goes into our SDP) and the SRTP profiles in preference order.
 * Each connection checks the peer's certificate against the fingerprint
 * from the peer's SDP, and once connected exports the SRTP master keys.
 */
#ifndef RTCG_DTLS_H
#define RTCG_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtcg_srtp.h"

struct dtls_ctx;
struct dtls_conn;

enum dtls_state {
	DTLS_HANDSHAKING,
	DTLS_CONNECTED,
	DTLS_FAILED, /* handshake error, alert, bad fingerprint, timeout */
	DTLS_CLOSED, /* close_notify received */
};

/* SRTP master keys for both directions, from the exporter. */
struct dtls_srtp_keys {
	enum rtcg_srtp_profile profile;
	uint8_t local_key[32], local_salt[14];	 /* what we protect with */
	uint8_t remote_key[32], remote_salt[14]; /* what the peer protects with */
};

/*
 * profiles: rtcg_srtp profiles in preference order (n of them). Returns
 * NULL with a reason in err.
 */
struct dtls_ctx *dtls_ctx_create(const enum rtcg_srtp_profile *profiles, unsigned n, char *err,
				 size_t errlen);
void dtls_ctx_destroy(struct dtls_ctx *ctx);

/* "sha-256" and the certificate's fingerprint bytes (32). */
const uint8_t *dtls_ctx_fingerprint(const struct dtls_ctx *ctx, unsigned *len);

typedef void (*dtls_send_fn)(void *arg, const uint8_t *data, size_t len);

/*
 * A connection in the server role (the gateway answers a=setup:passive) or
 * the client role; peer_fp is the sha-256 fingerprint from the peer's SDP.
 * The client starts its handshake at once.
 */
struct dtls_conn *dtls_conn_new(struct dtls_ctx *ctx, bool server, const uint8_t *peer_fp,
				unsigned peer_fp_len, dtls_send_fn send, void *arg);
void dtls_conn_free(struct dtls_conn *c);

/* Feed one datagram (first byte 20..63). Returns the state after it. */
enum dtls_state dtls_conn_input(struct dtls_conn *c, const uint8_t *data, size_t len);

/* Milliseconds until a retransmission is due; -1 when none. */
int dtls_conn_timeout_ms(struct dtls_conn *c);
/* Retransmit as due; a handshake that ran out of tries fails. */
enum dtls_state dtls_conn_on_timeout(struct dtls_conn *c);

enum dtls_state dtls_conn_state(const struct dtls_conn *c);
/* Why it failed, for logs and the call's end reason. */
const char *dtls_conn_error(const struct dtls_conn *c);

/* The negotiated profile's keys (connected only). 0 or -1. */
int dtls_conn_keys(struct dtls_conn *c, struct dtls_srtp_keys *out);

/* Send close_notify. */
void dtls_conn_close(struct dtls_conn *c);

#endif /* RTCG_DTLS_H */
