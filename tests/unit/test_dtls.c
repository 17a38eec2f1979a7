/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_dtls.c - DTLS-SRTP between two OpenSSL endpoints over in-memory
 * datagram queues: keys agree (RFC 5764 exporter), the profile follows the
 * server's preference, a wrong SDP fingerprint fails, lost flights are
 * retransmitted on the timer, close_notify closes.
 */
#include <time.h>

#include "dtls.h"
#include "unit.h"

struct queue {
	uint8_t pkt[16][2048];
	size_t len[16];
	unsigned n;
	unsigned drop; /* drop this many datagrams first */
	size_t largest;
};

static void
enqueue(void *arg, const uint8_t *data, size_t len)
{
	struct queue *q = arg;

	if (len > q->largest)
		q->largest = len;
	if (q->drop > 0) {
		q->drop--;
		return;
	}
	if (q->n < 16 && len <= 2048) {
		memcpy(q->pkt[q->n], data, len);
		q->len[q->n++] = len;
	}
}

static void
deliver(struct queue *q, struct dtls_conn *to)
{
	unsigned n = q->n;

	q->n = 0;
	for (unsigned i = 0; i < n; i++)
		dtls_conn_input(to, q->pkt[i], q->len[i]);
}

/* Run the exchange until both sides settle (or 50 rounds). */
static void
run(struct dtls_conn *srv, struct queue *to_srv, struct dtls_conn *cli, struct queue *to_cli)
{
	for (int i = 0; i < 50 && (to_srv->n || to_cli->n); i++) {
		deliver(to_srv, srv);
		deliver(to_cli, cli);
	}
}

TEST(dtls_srtp_handshake_and_keys)
{
	enum rtcg_srtp_profile pref[] = { RTCG_SRTP_AEAD_AES_128_GCM, RTCG_SRTP_AES128_CM_SHA1_80 };
	enum rtcg_srtp_profile cli_pref[] = { RTCG_SRTP_AES128_CM_SHA1_80, RTCG_SRTP_AEAD_AES_128_GCM };
	char err[200];
	struct dtls_ctx *sctx = dtls_ctx_create(pref, 2, err, sizeof(err));
	struct dtls_ctx *cctx = dtls_ctx_create(cli_pref, 2, err, sizeof(err));
	static struct queue to_srv, to_cli;
	struct dtls_srtp_keys sk, ck;
	unsigned sfl, cfl;
	const uint8_t *sfp = dtls_ctx_fingerprint(sctx, &sfl), *cfp = dtls_ctx_fingerprint(cctx, &cfl);
	struct dtls_conn *srv = dtls_conn_new(sctx, true, cfp, cfl, enqueue, &to_cli);
	struct dtls_conn *cli = dtls_conn_new(cctx, false, sfp, sfl, enqueue, &to_srv);

	CHECK(sctx != NULL && cctx != NULL && srv != NULL && cli != NULL && sfl == 32);
	CHECK(to_srv.n > 0); /* the client's ClientHello */
	run(srv, &to_srv, cli, &to_cli);
	CHECK(dtls_conn_state(srv) == DTLS_CONNECTED && dtls_conn_state(cli) == DTLS_CONNECTED);
	CHECK(to_srv.largest <= 1200 && to_cli.largest <= 1200);
	CHECK(dtls_conn_keys(srv, &sk) == 0 && dtls_conn_keys(cli, &ck) == 0);
	/* The server's preference wins; both sides derive mirrored keys. */
	CHECK(sk.profile == RTCG_SRTP_AEAD_AES_128_GCM && ck.profile == sk.profile);
	CHECK(memcmp(sk.local_key, ck.remote_key, 16) == 0 && memcmp(sk.remote_key, ck.local_key, 16) == 0);
	CHECK(memcmp(sk.local_salt, ck.remote_salt, 12) == 0 && memcmp(sk.remote_salt, ck.local_salt, 12) == 0);
	CHECK(memcmp(sk.local_key, sk.remote_key, 16) != 0);
	dtls_conn_close(cli);
	deliver(&to_srv, srv);
	CHECK(dtls_conn_state(srv) == DTLS_CLOSED);
	dtls_conn_free(srv);
	dtls_conn_free(cli);
	dtls_ctx_destroy(sctx);
	dtls_ctx_destroy(cctx);
}

TEST(dtls_wrong_fingerprint_and_retransmission)
{
	enum rtcg_srtp_profile pref[] = { RTCG_SRTP_AES128_CM_SHA1_80 };
	enum rtcg_srtp_profile only_gcm[] = { RTCG_SRTP_AEAD_AES_256_GCM };
	char err[200];
	struct dtls_ctx *sctx = dtls_ctx_create(pref, 1, err, sizeof(err));
	struct dtls_ctx *cctx = dtls_ctx_create(pref, 1, err, sizeof(err));
	static struct queue to_srv, to_cli;
	unsigned sfl, cfl;
	const uint8_t *sfp = dtls_ctx_fingerprint(sctx, &sfl), *cfp = dtls_ctx_fingerprint(cctx, &cfl);
	uint8_t bad[32];
	struct dtls_conn *srv, *cli;
	struct dtls_srtp_keys k;

	/* The server expects another certificate than the client has. */
	memcpy(bad, cfp, 32);
	bad[5] ^= 1;
	memset(&to_srv, 0, sizeof(to_srv));
	memset(&to_cli, 0, sizeof(to_cli));
	srv = dtls_conn_new(sctx, true, bad, 32, enqueue, &to_cli);
	cli = dtls_conn_new(cctx, false, sfp, sfl, enqueue, &to_srv);
	run(srv, &to_srv, cli, &to_cli);
	CHECK(dtls_conn_state(srv) == DTLS_FAILED);
	CHECK_STR_CONTAINS(dtls_conn_error(srv), "fingerprint");
	CHECK(dtls_conn_keys(srv, &k) == -1);
	dtls_conn_free(srv);
	dtls_conn_free(cli);

	/* The ClientHello is lost: the client's timer sends it again. */
	memset(&to_srv, 0, sizeof(to_srv));
	memset(&to_cli, 0, sizeof(to_cli));
	to_srv.drop = 1;
	srv = dtls_conn_new(sctx, true, cfp, cfl, enqueue, &to_cli);
	cli = dtls_conn_new(cctx, false, sfp, sfl, enqueue, &to_srv);
	CHECK(to_srv.n == 0 && dtls_conn_timeout_ms(cli) > 0);
	/* OpenSSL's timer runs on the wall clock: wait it out (1 s initially). */
	for (int i = 0; i < 30 && to_srv.n == 0; i++) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		dtls_conn_on_timeout(cli);
	}
	CHECK(to_srv.n > 0);
	run(srv, &to_srv, cli, &to_cli);
	CHECK(dtls_conn_state(srv) == DTLS_CONNECTED && dtls_conn_state(cli) == DTLS_CONNECTED);
	dtls_conn_free(srv);
	dtls_conn_free(cli);

	/* No common SRTP profile: the handshake fails. */
	dtls_ctx_destroy(cctx);
	cctx = dtls_ctx_create(only_gcm, 1, err, sizeof(err));
	cfp = dtls_ctx_fingerprint(cctx, &cfl);
	memset(&to_srv, 0, sizeof(to_srv));
	memset(&to_cli, 0, sizeof(to_cli));
	srv = dtls_conn_new(sctx, true, cfp, cfl, enqueue, &to_cli);
	cli = dtls_conn_new(cctx, false, sfp, sfl, enqueue, &to_srv);
	run(srv, &to_srv, cli, &to_cli);
	CHECK(dtls_conn_state(srv) != DTLS_CONNECTED || dtls_conn_keys(srv, &k) == -1);
	CHECK(dtls_conn_state(cli) != DTLS_CONNECTED);
	dtls_conn_free(srv);
	dtls_conn_free(cli);
	dtls_ctx_destroy(sctx);
	dtls_ctx_destroy(cctx);
}
