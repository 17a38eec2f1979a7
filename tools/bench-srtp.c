/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-srtp - one core, bursts of 32: ns per packet and Mpps for our SRTP
 * protect and unprotect, for the raw intel-ipsec-mb jobs doing the same bytes
 * (the floor: chained AES-CTR + HMAC-SHA1, or AES-GCM), and for the system
 * libsrtp2, all in one run, with the ratios. Not part of meson test.
 *
 * With --sessions N,N,...: AES_CM_128_HMAC_SHA1_80, 160-byte payload only,
 * ours through N sessions' own contexts (each way one array, the
 * dataplane's context size apart), bursts visiting the sessions in turn,
 * each packet with its session's SSRC, key and next sequence number, and
 * the ratios against 1 session: what N sessions' SRTP state costs the
 * crypto alone on this machine. Not libsrtp2: Debian's is built on NSS,
 * ~3.5 us a packet, and its srtp_dealloc slows with the number of live
 * NSS contexts (10,000 sessions did not finish in 16 minutes).
 *
 * usage: bench-srtp [--sessions N,N,...] [packets-per-measurement (default 200000)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <srtp2/srtp.h>

#include "libsrtp_policy.h"
#include "rtcg_srtp.h"
#include "srtp_priv.h"

#define BURST 32
#define ROOM 1600

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint8_t bufs[BURST][ROOM], orig[BURST][ROOM];

/*
 * The next burst into orig: packet i of session *cur (advancing modulo n;
 * into sess[i] unless NULL), with that session's next sequence number
 * (seqs[session]) and SSRC 0x12345678 + session.
 */
static void
make_packets(unsigned payload, uint16_t *seqs, uint32_t n, uint32_t *cur, uint32_t *sess)
{
	for (unsigned i = 0; i < BURST; i++) {
		uint8_t *p = orig[i];
		uint32_t s = *cur, ssrc = 0x12345678u + s;

		memset(p, 0xab, 12 + payload);
		p[0] = 0x80; p[1] = 0x6f;
		p[2] = seqs[s] >> 8; p[3] = seqs[s];
		p[8] = ssrc >> 24; p[9] = ssrc >> 16; p[10] = ssrc >> 8; p[11] = ssrc;
		seqs[s]++;
		if (sess != NULL)
			sess[i] = s;
		*cur = s + 1 == n ? 0 : s + 1;
	}
}

/* Packets of an untimed first round through n sessions: each one's first (none for one session). */
static unsigned
warm_up(uint32_t n)
{
	return n > 1 ? (n + BURST - 1) / BURST * BURST : 0;
}

/* Session i's master key (the same for both ends): a base key with i in it. */
static void
session_key(uint32_t i, uint8_t key[64])
{
	memset(key, 0, 64);
	key[0] = 1; key[1] = 2; key[2] = 3; key[3] = 4; key[4] = 5;
	memcpy(key + 8, &i, sizeof(i));
}

struct result { double protect_ns, unprotect_ns; };

/*
 * Our engine through n sessions' contexts (each way one array, the
 * dataplane's context size apart): protect (timed) then unprotect (timed)
 * the same bursts. Negative: no memory.
 */
static struct result
bench_ours(enum rtcg_srtp_profile prof, unsigned payload, unsigned total, uint32_t n)
{
	struct rtcg_srtp_engine *e = rtcg_srtp_engine_create();
	size_t cs = (rtcg_srtp_ctx_size() + 63) & ~63ul;
	uint8_t *tx = aligned_alloc(64, cs * n), *rx = aligned_alloc(64, cs * n);
	uint16_t *seqs = malloc(n * sizeof(uint16_t));
	struct rtcg_srtp_ctx *txs[BURST], *rxs[BURST];
	struct rtcg_srtp_pkt pk[BURST];
	uint8_t key[64];
	uint64_t tp = 0, tu = 0, t0;
	uint32_t cur = 0, sess[BURST];
	unsigned bad = 0;

	if (e == NULL || tx == NULL || rx == NULL || seqs == NULL) {
		free(tx);
		free(rx);
		free(seqs);
		rtcg_srtp_engine_destroy(e);
		return (struct result){ -1, -1 };
	}
	for (uint32_t i = 0; i < n; i++) {
		session_key(i, key);
		rtcg_srtp_ctx_init((struct rtcg_srtp_ctx *)(tx + cs * i), e, prof, key, key + 32, 128);
		rtcg_srtp_ctx_init((struct rtcg_srtp_ctx *)(rx + cs * i), e, prof, key, key + 32, 128);
		seqs[i] = 1;
	}
	/* With n sessions, a first untimed round gives each a packet. */
	for (unsigned done = 0; done < warm_up(n) + total; done += BURST) {
		if (done == warm_up(n))
			tp = tu = 0;
		make_packets(payload, seqs, n, &cur, sess);
		for (unsigned i = 0; i < BURST; i++) {
			memcpy(bufs[i], orig[i], 12 + payload);
			pk[i] = (struct rtcg_srtp_pkt){ bufs[i], 12 + payload, ROOM, 0 };
			txs[i] = (struct rtcg_srtp_ctx *)(tx + cs * sess[i]);
			rxs[i] = (struct rtcg_srtp_ctx *)(rx + cs * sess[i]);
		}
		t0 = now_ns();
		rtcg_srtp_protect_burst(e, txs, pk, BURST);
		tp += now_ns() - t0;
		t0 = now_ns();
		bad += BURST - rtcg_srtp_unprotect_burst(e, rxs, pk, BURST);
		tu += now_ns() - t0;
	}
	if (bad)
		fprintf(stderr, "warning: %u packets failed to unprotect\n", bad);
	for (uint32_t i = 0; i < n; i++) {
		rtcg_srtp_ctx_clear((struct rtcg_srtp_ctx *)(tx + cs * i));
		rtcg_srtp_ctx_clear((struct rtcg_srtp_ctx *)(rx + cs * i));
	}
	rtcg_srtp_engine_destroy(e);
	free(tx);
	free(rx);
	free(seqs);
	return (struct result){ (double)tp / total, (double)tu / total };
}

static bool
gcm_profile(enum rtcg_srtp_profile prof)
{
	return prof == RTCG_SRTP_AEAD_AES_128_GCM || prof == RTCG_SRTP_AEAD_AES_256_GCM;
}

/*
 * The floor: the same cipher and hash jobs on the same bytes, nothing else,
 * through the manager's job queue or (split) lib/srtp's way: for HMAC
 * profiles one cipher and one hash burst on an array of our own jobs, for
 * GCM the direct AES-GCM calls.
 */
static double
bench_raw(enum rtcg_srtp_profile prof, unsigned payload, unsigned total, bool split)
{
	IMB_MGR *mgr = alloc_mb_mgr(0);
	DECLARE_ALIGNED(uint8_t enc[240], 16);
	DECLARE_ALIGNED(uint8_t dec[240], 16);
	DECLARE_ALIGNED(uint8_t ipad[32], 16);
	DECLARE_ALIGNED(uint8_t opad[32], 16);
	DECLARE_ALIGNED(uint8_t iv[16], 16) = { 0 };
	DECLARE_ALIGNED(uint8_t tags[BURST][16], 16);
	DECLARE_ALIGNED(struct gcm_key_data gk, 64);
	uint8_t key[32] = { 9 }, block[64];
	bool gcm = gcm_profile(prof);
	IMB_JOB *jobs[BURST];
	static IMB_JOB own[BURST];
	uint64_t t = 0, t0;

	init_mb_mgr_auto(mgr, NULL);
	IMB_AES_KEYEXP_128(mgr, key, enc, dec);
	memset(block, 0x36, 64);
	IMB_SHA1_ONE_BLOCK(mgr, block, ipad);
	memset(block, 0x5c, 64);
	IMB_SHA1_ONE_BLOCK(mgr, block, opad);
	if (prof == RTCG_SRTP_AEAD_AES_256_GCM)
		IMB_AES256_GCM_PRE(mgr, key, &gk);
	else
		IMB_AES128_GCM_PRE(mgr, key, &gk);
	make_packets(payload, &(uint16_t){ 1 }, 1, &(uint32_t){ 0 }, NULL);
	for (unsigned done = 0; done < total; done += BURST) {
		unsigned n;

		for (unsigned i = 0; i < BURST; i++)
			memcpy(bufs[i], orig[i], 12 + payload);
		t0 = now_ns();
		if (split) {
			for (unsigned i = 0; i < BURST; i++)
				jobs[i] = &own[i];
		} else {
			IMB_GET_NEXT_BURST(mgr, BURST, jobs);
		}
		for (unsigned i = 0; !(split && gcm) && i < BURST; i++) {
			IMB_JOB *j = jobs[i];

			j->cipher_direction = IMB_DIR_ENCRYPT;
			j->chain_order = IMB_ORDER_CIPHER_HASH;
			j->src = bufs[i];
			j->dst = bufs[i] + 12;
			j->cipher_start_src_offset_in_bytes = 12;
			j->msg_len_to_cipher_in_bytes = payload;
			j->iv = iv;
			j->auth_tag_output = tags[i];
			if (gcm) {
				j->cipher_mode = IMB_CIPHER_GCM;
				j->hash_alg = IMB_AUTH_AES_GMAC;
				j->enc_keys = j->dec_keys = &gk;
				j->key_len_in_bytes = prof == RTCG_SRTP_AEAD_AES_256_GCM ? 32 : 16;
				j->hash_start_src_offset_in_bytes = 12;
				j->msg_len_to_hash_in_bytes = payload;
				j->iv_len_in_bytes = 12;
				j->u.GCM.aad = bufs[i];
				j->u.GCM.aad_len_in_bytes = 12;
				j->auth_tag_output_len_in_bytes = 16;
			} else {
				j->cipher_mode = prof == RTCG_SRTP_NULL_SHA1_80 ? IMB_CIPHER_NULL : IMB_CIPHER_CNTR;
				j->hash_alg = IMB_AUTH_HMAC_SHA_1;
				j->enc_keys = j->dec_keys = enc;
				j->key_len_in_bytes = 16;
				j->iv_len_in_bytes = 16;
				j->hash_start_src_offset_in_bytes = 0;
				j->msg_len_to_hash_in_bytes = 12 + payload + 4;
				j->u.HMAC._hashed_auth_key_xor_ipad = ipad;
				j->u.HMAC._hashed_auth_key_xor_opad = opad;
				j->auth_tag_output_len_in_bytes = 12;
			}
		}
		if (split && gcm) {
			struct gcm_context_data cd;

			for (unsigned i = 0; i < BURST; i++) {
				if (prof == RTCG_SRTP_AEAD_AES_256_GCM)
					IMB_AES256_GCM_ENC(mgr, &gk, &cd, bufs[i] + 12, bufs[i] + 12, payload, iv,
							   bufs[i], 12, tags[i], 16);
				else
					IMB_AES128_GCM_ENC(mgr, &gk, &cd, bufs[i] + 12, bufs[i] + 12, payload, iv,
							   bufs[i], 12, tags[i], 16);
			}
		} else if (split) {
			if (prof != RTCG_SRTP_NULL_SHA1_80)
				IMB_SUBMIT_CIPHER_BURST_NOCHECK(mgr, own, BURST, IMB_CIPHER_CNTR,
								IMB_DIR_ENCRYPT, IMB_KEY_128_BYTES);
			IMB_SUBMIT_HASH_BURST_NOCHECK(mgr, own, BURST, IMB_AUTH_HMAC_SHA_1);
		} else {
			n = IMB_SUBMIT_BURST_NOCHECK(mgr, BURST, jobs);
			if (n < BURST)
				IMB_FLUSH_BURST(mgr, BURST - n, jobs + n);
		}
		t += now_ns() - t0;
	}
	free_mb_mgr(mgr);
	return (double)t / total;
}

static struct result
bench_libsrtp(enum rtcg_srtp_profile prof, unsigned payload, unsigned total)
{
	srtp_policy_t pol;
	srtp_t tx = NULL, rx = NULL;
	uint8_t key[64];
	uint64_t tp = 0, tu = 0, t0;
	uint16_t seq = 1;
	uint32_t cur = 0;

	libsrtp_policy_for(prof, &pol);
	session_key(0, key);
	pol.key = key;
	pol.ssrc.type = ssrc_any_outbound;
	if (srtp_create(&tx, &pol) != srtp_err_status_ok)
		return (struct result){ -1, -1 };
	pol.ssrc.type = ssrc_any_inbound;
	if (srtp_create(&rx, &pol) != srtp_err_status_ok)
		return (struct result){ -1, -1 };
	for (unsigned done = 0; done < total; done += BURST) {
		int len[BURST];

		make_packets(payload, &seq, 1, &cur, NULL);
		for (unsigned i = 0; i < BURST; i++) {
			memcpy(bufs[i], orig[i], 12 + payload);
			len[i] = 12 + payload;
		}
		t0 = now_ns();
		for (unsigned i = 0; i < BURST; i++)
			srtp_protect(tx, bufs[i], &len[i]);
		tp += now_ns() - t0;
		t0 = now_ns();
		for (unsigned i = 0; i < BURST; i++)
			srtp_unprotect(rx, bufs[i], &len[i]);
		tu += now_ns() - t0;
	}
	srtp_dealloc(tx);
	srtp_dealloc(rx);
	return (struct result){ (double)tp / total, (double)tu / total };
}

static double
best(double a, double b)
{
	return a < b ? a : b;
}

/*
 * --sessions: AES_CM_128_HMAC_SHA1_80 with a 160-byte payload through 1
 * session and then each n of list (commas), best of 3, with the ratios
 * against 1 session. Returns nonzero on a bad list or no memory.
 */
static int
bench_sessions(const char *list, unsigned long total)
{
	const enum rtcg_srtp_profile prof = RTCG_SRTP_AES128_CM_SHA1_80;
	const char *q = list;
	uint32_t n = 1;

	printf("\n%s, 160-byte payload, through N sessions' own contexts, best of 3\n",
	       rtcg_srtp_profile_name(prof));
	printf("(each row's 1-session figures measured in turn with its N, so a slow spell of the machine touches both)\n");
	printf("%8s | %9s %9s | %9s %9s | %7s %7s\n", "sessions", "prot ns", "unprot ns", "1: prot", "1: unprot",
	       "p/1", "u/1");
	for (;;) {
		struct result o = { 1e9, 1e9 }, one = { 1e9, 1e9 };

		for (int r = 0; r < 3; r++) {
			struct result a = bench_ours(prof, 160, total, n), b = bench_ours(prof, 160, total, 1);

			if (a.protect_ns < 0 || b.protect_ns < 0) {
				fprintf(stderr, "bench-srtp: no memory for %u sessions\n", n);
				return 1;
			}
			o = (struct result){ best(o.protect_ns, a.protect_ns), best(o.unprotect_ns, a.unprotect_ns) };
			one = (struct result){ best(one.protect_ns, b.protect_ns), best(one.unprotect_ns, b.unprotect_ns) };
		}
		printf("%8u | %9.1f %9.1f | %9.1f %9.1f | %7.2f %7.2f\n", n, o.protect_ns, o.unprotect_ns,
		       one.protect_ns, one.unprotect_ns, o.protect_ns / one.protect_ns, o.unprotect_ns / one.unprotect_ns);
		fflush(stdout);
		/* The next n of the list, skipping a 1 already measured. */
		do {
			char *end;
			unsigned long v;

			if (*q == '\0')
				return 0;
			v = strtoul(q, &end, 10);
			if (end == q || v < 1 || v > 1000000 || (*end != ',' && *end != '\0')) {
				fprintf(stderr, "bench-srtp: --sessions wants numbers 1-1000000 with commas: %s\n", list);
				return 2;
			}
			n = (uint32_t)v;
			q = *end == ',' ? end + 1 : end;
		} while (n == 1);
	}
}

int
main(int argc, char **argv)
{
	unsigned long total = 200000;
	const char *sessions = NULL;
	char *end;
	static const enum rtcg_srtp_profile profs[] = {
		RTCG_SRTP_AES128_CM_SHA1_80, RTCG_SRTP_AES128_CM_SHA1_32,
		RTCG_SRTP_AEAD_AES_128_GCM, RTCG_SRTP_AEAD_AES_256_GCM,
	};
	static const unsigned payloads[] = { 160, 1200 };
	struct rtcg_srtp_engine *e;
	bool split;

	if (argc >= 3 && strcmp(argv[1], "--sessions") == 0) {
		sessions = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc > 2 || (argc == 2 && ((total = strtoul(argv[1], &end, 10)) == 0 || *end != '\0' ||
				       total > 100000000))) {
		fprintf(stderr, "usage: bench-srtp [--sessions N,N,...] [packets-per-measurement, 1-100000000 (default 200000)]\n");
		return 2;
	}
	e = rtcg_srtp_engine_create();
	if (e == NULL) {
		fprintf(stderr, "bench-srtp: no intel-ipsec-mb engine on this CPU\n");
		return 1;
	}
	split = e->split;
	total = (total + BURST - 1) / BURST * BURST;
	srtp_init();
	printf("bench-srtp: one core, bursts of %d, %lu packets per measurement, best of 3\n",
	       BURST, total);
	printf("intel-ipsec-mb %s (%s), %s\n", imb_get_version_str(), rtcg_srtp_engine_arch(e),
	       srtp_get_version_string());
	rtcg_srtp_engine_destroy(e);
	if (sessions != NULL)
		return bench_sessions(sessions, total);
	printf("\n%-24s %7s | %9s %9s | %9s | %9s %9s | %7s %7s | %8s %8s\n", "profile", "payload",
	       "prot ns", "unprot ns", "floor ns", "libsrtp p", "libsrtp u", "p/floor", "u/floor",
	       "lib/ours", "lib/ours");
	for (size_t p = 0; p < sizeof(profs) / sizeof(profs[0]); p++) {
		for (size_t s = 0; s < sizeof(payloads) / sizeof(payloads[0]); s++) {
			struct result ours = { 1e9, 1e9 }, lib = { 1e9, 1e9 };
			double floor_ns = 1e9;

			for (int r = 0; r < 3; r++) {
				struct result o = bench_ours(profs[p], payloads[s], total, 1);
				struct result l = bench_libsrtp(profs[p], payloads[s], total / 4);

				ours.protect_ns = best(ours.protect_ns, o.protect_ns);
				ours.unprotect_ns = best(ours.unprotect_ns, o.unprotect_ns);
				lib.protect_ns = best(lib.protect_ns, l.protect_ns);
				lib.unprotect_ns = best(lib.unprotect_ns, l.unprotect_ns);
				floor_ns = best(floor_ns, bench_raw(profs[p], payloads[s], total, false));
				if (split)
					floor_ns = best(floor_ns, bench_raw(profs[p], payloads[s], total, true));
			}
			printf("%-24s %7u | %9.1f %9.1f | %9.1f | %9.1f %9.1f | %7.2f %7.2f | %8.1f %8.1f\n",
			       rtcg_srtp_profile_name(profs[p]), payloads[s], ours.protect_ns,
			       ours.unprotect_ns, floor_ns, lib.protect_ns, lib.unprotect_ns,
			       ours.protect_ns / floor_ns, ours.unprotect_ns / floor_ns,
			       lib.protect_ns / ours.protect_ns, lib.unprotect_ns / ours.unprotect_ns);
		}
	}
	printf("\nMpps = 1000 / ns. floor: raw intel-ipsec-mb jobs on the same bytes (CTR+HMAC-SHA1 with ROC, or GCM with the header as AAD),\n"
	       "the faster of the manager's job queue and%s (HMAC) one cipher and one hash burst on an array of jobs of our own, (GCM) the direct calls.\n",
	       split ? "" : " (not on this library build: its start-up check failed)");
	return 0;
}
