/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_srtp.c - lib/srtp against RFC 3711's vectors and, for every profile,
 * against libsrtp2 in both directions: what we protect libsrtp2 unprotects to
 * the same bytes and vice versa; tampered packets and replays are refused by
 * both. Thousands of random packets: payloads 0..1400 bytes, random CSRCs and
 * header extensions, sequence numbers across a wrap, two SSRCs.
 */
#include <srtp2/srtp.h>

#include "libsrtp_policy.h"
#include "rtcg_srtp.h"
#include "srtp_priv.h"
#include "unit.h"

#define PKT_ROOM 1600

static void
hex(const char *h, uint8_t *out)
{
	for (size_t i = 0; h[2 * i] && h[2 * i + 1]; i++) {
		unsigned v;

		sscanf(h + 2 * i, "%2x", &v);
		out[i] = v;
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

TEST(srtp_rfc3711_b3_key_derivation)
{
	uint8_t mk[16], ms[14], key[16], salt[14], auth[20];
	uint8_t ek[16], es[14], ea[20];

	hex("E1F97A0D3E018BE0D64FA32C06DE4139", mk);
	hex("0EC675AD498AFEEBB6960B3AABE6", ms);
	hex("C61E7A93744F39EE10734AFE3FF7A087", ek);
	hex("30CBBC08863D8C85D49DB34A9AE1", es);
	hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4", ea);
	CHECK(rtcg_srtp_kdf(mk, 16, ms, 14, 0, key, 16) == 0);
	CHECK(rtcg_srtp_kdf(mk, 16, ms, 14, 2, salt, 14) == 0);
	CHECK(rtcg_srtp_kdf(mk, 16, ms, 14, 1, auth, 20) == 0);
	CHECK(memcmp(key, ek, 16) == 0);
	CHECK(memcmp(salt, es, 14) == 0);
	CHECK(memcmp(auth, ea, 20) == 0);
}

TEST(srtp_rfc3711_b2_aes_cm_keystream)
{
	/* Session key and salt injected; SSRC 0, index 0; zero payload shows the keystream. */
	struct rtcg_srtp_engine *e = rtcg_srtp_engine_create();
	struct rtcg_srtp_ctx *ctx = aligned_alloc(64, (rtcg_srtp_ctx_size() + 63) / 64 * 64);
	uint8_t zero[30] = { 0 }, key[16], pkt[PKT_ROOM] = { 0x80, 0 }, want[48];
	DECLARE_ALIGNED(uint8_t dec[240], 16);
	struct rtcg_srtp_pkt p = { pkt, 12 + 48, PKT_ROOM, 0 };

	CHECK(e != NULL && ctx != NULL);
	CHECK(rtcg_srtp_ctx_init(ctx, e, RTCG_SRTP_AES128_CM_SHA1_80, zero, zero, 0) == 0);
	hex("2B7E151628AED2A6ABF7158809CF4F3C", key);
	IMB_AES_KEYEXP_128(e->mgr, key, ctx->rtp.cm.aes_enc, dec);
	memset(ctx->rtp.salt, 0, 16);
	hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD", ctx->rtp.salt);
	hex("E03EAD0935C95E80E166B16DD92B4EB4D23513162B02D0F72A43A2FE4A5F97AB"
	    "41E95B3BB0A2E8DD477901E4FCA894C0", want);
	CHECK(rtcg_srtp_protect_burst(e, &ctx, &p, 1) == 1);
	CHECK(memcmp(pkt + 12, want, 48) == 0);
	CHECK(p.len == 12 + 48 + 10);
	rtcg_srtp_engine_destroy(e);
	free(ctx);
}

/* A random RTP packet: CSRCs, maybe an extension, maybe padding. */
static uint32_t
make_rtp(uint8_t *p, uint16_t seq, uint32_t ssrc, uint32_t payload)
{
	unsigned cc = rnd() % 4 == 0 ? rnd() % 16 : 0;
	bool ext = rnd() % 3 == 0;
	uint32_t o = 12;

	p[0] = 0x80 | (ext ? 0x10 : 0) | cc;
	p[1] = 0x60 | (rnd() & 0x80);
	p[2] = seq >> 8;
	p[3] = seq;
	for (int i = 4; i < 8; i++)
		p[i] = rnd();
	p[8] = ssrc >> 24; p[9] = ssrc >> 16; p[10] = ssrc >> 8; p[11] = ssrc;
	for (unsigned i = 0; i < cc * 4; i++)
		p[o++] = rnd();
	if (ext) {
		unsigned words = rnd() % 4;

		p[o++] = 0xbe; p[o++] = 0xde; p[o++] = 0; p[o++] = words;
		for (unsigned i = 0; i < words * 4; i++)
			p[o++] = rnd();
	}
	for (unsigned i = 0; i < payload; i++)
		p[o++] = rnd();
	return o;
}

static uint32_t
make_rtcp(uint8_t *p, uint32_t ssrc, uint32_t payload_words)
{
	uint32_t len = 8 + 4 * payload_words;

	p[0] = 0x80 | (rnd() % 32);
	p[1] = 200 + rnd() % 5;
	p[2] = (len / 4 - 1) >> 8;
	p[3] = len / 4 - 1;
	p[4] = ssrc >> 24; p[5] = ssrc >> 16; p[6] = ssrc >> 8; p[7] = ssrc;
	for (uint32_t i = 8; i < len; i++)
		p[i] = rnd();
	return len;
}

static srtp_t
libsrtp_session(enum rtcg_srtp_profile prof, const uint8_t *keysalt, bool outbound)
{
	srtp_policy_t pol;
	srtp_t s = NULL;

	if (libsrtp_policy_for(prof, &pol) != 0)
		return NULL;
	pol.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	pol.key = (unsigned char *)keysalt;
	pol.window_size = 128;
	if (srtp_create(&s, &pol) != srtp_err_status_ok)
		return NULL;
	return s;
}

struct pair {
	uint8_t orig[PKT_ROOM], buf[PKT_ROOM];
	uint32_t len;
};

/*
 * One profile, RTP or RTCP, both directions, with tampering and replays.
 * With `queue` the engine runs every profile through intel-ipsec-mb's job
 * queue, as it does where its start-up check of its own jobs fails
 * (srtp_split_probe), instead of the cipher and hash bursts (HMAC) or the
 * direct calls (GCM).
 */
static void
cross_check_via(enum rtcg_srtp_profile prof, bool rtcp, unsigned n_packets, bool queue)
{
	struct rtcg_srtp_engine *e = rtcg_srtp_engine_create();
	size_t csz = (rtcg_srtp_ctx_size() + 63) / 64 * 64;
	struct rtcg_srtp_ctx *tx = aligned_alloc(64, csz), *rx = aligned_alloc(64, csz);
	unsigned kl = rtcg_srtp_profile_key_len(prof);
	uint8_t keysalt[64];
	static struct pair pairs[RTCG_SRTP_MAX_BURST];
	static uint8_t prot[RTCG_SRTP_MAX_BURST][PKT_ROOM];
	uint32_t prot_len[RTCG_SRTP_MAX_BURST];
	srtp_t ls_tx, ls_rx;
	uint16_t seq[2] = { 65535 - 300 - (rnd() % 100), rnd() };
	uint32_t ssrcs[2] = { rnd(), rnd() };
	unsigned mismatches = 0, lib_rejects = 0, our_rejects = 0, tamper_missed = 0, replay_missed = 0;

	for (unsigned i = 0; i < sizeof(keysalt); i++)
		keysalt[i] = rnd();
	ls_tx = libsrtp_session(prof, keysalt, true);
	ls_rx = libsrtp_session(prof, keysalt, false);
	CHECK(e && tx && rx && ls_tx && ls_rx);
	if (!(e && tx && rx && ls_tx && ls_rx))
		goto out;
	if (queue)
		e->split = false;
	CHECK(rtcg_srtp_ctx_init(tx, e, prof, keysalt, keysalt + kl, 128) == 0);
	CHECK(rtcg_srtp_ctx_init(rx, e, prof, keysalt, keysalt + kl, 128) == 0);

	for (unsigned done = 0; done < n_packets;) {
		unsigned n = 1 + rnd() % RTCG_SRTP_MAX_BURST;
		struct rtcg_srtp_pkt pk[RTCG_SRTP_MAX_BURST];
		struct rtcg_srtp_ctx *txs[RTCG_SRTP_MAX_BURST], *rxs[RTCG_SRTP_MAX_BURST];

		for (unsigned i = 0; i < n; i++) {
			unsigned which = rnd() % 2;
			uint32_t payload = rnd() % 5 == 0 ? rnd() % 1401 : rnd() % 200;

			pairs[i].len = rtcp ? make_rtcp(pairs[i].orig, ssrcs[which], payload / 4)
					    : make_rtp(pairs[i].orig, seq[which]++, ssrcs[which], payload);
			memcpy(pairs[i].buf, pairs[i].orig, pairs[i].len);
			pk[i] = (struct rtcg_srtp_pkt){ pairs[i].buf, pairs[i].len, PKT_ROOM, 0 };
			txs[i] = tx;
			rxs[i] = rx;
		}
		/* Direction 1: we protect, libsrtp2 unprotects. */
		if (rtcp)
			rtcg_srtcp_protect_burst(e, txs, pk, n);
		else
			rtcg_srtp_protect_burst(e, txs, pk, n);
		for (unsigned i = 0; i < n; i++) {
			uint8_t copy[PKT_ROOM];
			int len = pk[i].len;
			srtp_err_status_t st;

			CHECK(pk[i].status == RTCG_SRTP_OK);
			memcpy(copy, pk[i].data, pk[i].len);
			st = rtcp ? srtp_unprotect_rtcp(ls_rx, copy, &len) : srtp_unprotect(ls_rx, copy, &len);
			if (st != srtp_err_status_ok)
				lib_rejects++;
			else if ((uint32_t)len != pairs[i].len || memcmp(copy, pairs[i].orig, len) != 0)
				mismatches++;
			/* Replay to libsrtp2: refused. */
			memcpy(copy, pk[i].data, pk[i].len);
			len = pk[i].len;
			st = rtcp ? srtp_unprotect_rtcp(ls_rx, copy, &len) : srtp_unprotect(ls_rx, copy, &len);
			if (st == srtp_err_status_ok)
				replay_missed++;
		}
		/* Direction 2: libsrtp2 protects, we unprotect, with tampered copies and replays. */
		for (unsigned i = 0; i < n; i++) {
			int len = pairs[i].len;

			memcpy(pairs[i].buf, pairs[i].orig, pairs[i].len);
			if ((rtcp ? srtp_protect_rtcp(ls_tx, pairs[i].buf, &len)
				  : srtp_protect(ls_tx, pairs[i].buf, &len)) != srtp_err_status_ok)
				lib_rejects++;
			pk[i] = (struct rtcg_srtp_pkt){ pairs[i].buf, len, PKT_ROOM, 0 };
		}
		{
			/* A tampered copy of a random packet goes first: it must fail and not disturb. */
			unsigned t = rnd() % n;
			static uint8_t tb[PKT_ROOM];
			struct rtcg_srtp_pkt tp = { tb, pk[t].len, PKT_ROOM, 0 };
			struct rtcg_srtp_ctx *one = rx;

			memcpy(tb, pk[t].data, pk[t].len);
			tb[rtcp ? 8 + rnd() % (pk[t].len - 8) : rnd() % pk[t].len] ^= 1 << (rnd() % 8);
			if (rtcp ? rtcg_srtcp_unprotect_burst(e, &one, &tp, 1)
				 : rtcg_srtp_unprotect_burst(e, &one, &tp, 1))
				tamper_missed++;
		}
		for (unsigned i = 0; i < n; i++) {
			memcpy(prot[i], pk[i].data, pk[i].len);
			prot_len[i] = pk[i].len;
		}
		if (rtcp)
			rtcg_srtcp_unprotect_burst(e, rxs, pk, n);
		else
			rtcg_srtp_unprotect_burst(e, rxs, pk, n);
		for (unsigned i = 0; i < n; i++) {
			if (pk[i].status != RTCG_SRTP_OK)
				our_rejects++;
			else if (pk[i].len != pairs[i].len || memcmp(pk[i].data, pairs[i].orig, pk[i].len) != 0)
				mismatches++;
		}
		/* Replays of the whole burst: every one refused as a replay. */
		for (unsigned i = 0; i < n; i++)
			pk[i] = (struct rtcg_srtp_pkt){ prot[i], prot_len[i], PKT_ROOM, 0 };
		if (rtcp)
			rtcg_srtcp_unprotect_burst(e, rxs, pk, n);
		else
			rtcg_srtp_unprotect_burst(e, rxs, pk, n);
		for (unsigned i = 0; i < n; i++)
			replay_missed += pk[i].status != RTCG_SRTP_REPLAY;
		done += n;
	}
	if (mismatches || lib_rejects || our_rejects || tamper_missed || replay_missed)
		fprintf(stderr, "%s %s: mismatches %u, libsrtp2 rejects %u, our rejects %u, tamper missed %u, replay missed %u\n",
			rtcg_srtp_profile_name(prof), rtcp ? "SRTCP" : "SRTP", mismatches, lib_rejects,
			our_rejects, tamper_missed, replay_missed);
	CHECK(mismatches == 0 && lib_rejects == 0 && our_rejects == 0);
	CHECK(tamper_missed == 0 && replay_missed == 0);
	CHECK(rtcg_srtp_ctx_counters(rx).auth_fail > 0);
	CHECK(rtcg_srtp_ctx_counters(rx).replay > 0);
out:
	if (ls_tx)
		srtp_dealloc(ls_tx);
	if (ls_rx)
		srtp_dealloc(ls_rx);
	free(tx);
	free(rx);
	rtcg_srtp_engine_destroy(e);
}

static void __attribute__((constructor))
init_libsrtp(void)
{
	srtp_init();
}

static void
cross_check(enum rtcg_srtp_profile prof, bool rtcp, unsigned n_packets)
{
	cross_check_via(prof, rtcp, n_packets, false);
}

/* The engine's own check passes on the hosts CI runs on: the bursts are what the tests below exercise. */
TEST(srtp_split_probe_passes)
{
	struct rtcg_srtp_engine *e = rtcg_srtp_engine_create();

	CHECK(e != NULL && e->split);
	rtcg_srtp_engine_destroy(e);
}

TEST(srtp_vs_libsrtp2_aes_cm_sha1_80) { cross_check(RTCG_SRTP_AES128_CM_SHA1_80, false, 3000); }
TEST(srtp_vs_libsrtp2_aes_cm_sha1_32) { cross_check(RTCG_SRTP_AES128_CM_SHA1_32, false, 3000); }
TEST(srtp_vs_libsrtp2_aes_128_gcm) { cross_check(RTCG_SRTP_AEAD_AES_128_GCM, false, 3000); }
TEST(srtp_vs_libsrtp2_aes_256_gcm) { cross_check(RTCG_SRTP_AEAD_AES_256_GCM, false, 3000); }
TEST(srtp_vs_libsrtp2_null_sha1_80) { cross_check(RTCG_SRTP_NULL_SHA1_80, false, 1000); }
TEST(srtcp_vs_libsrtp2_aes_cm_sha1_80) { cross_check(RTCG_SRTP_AES128_CM_SHA1_80, true, 1500); }
TEST(srtcp_vs_libsrtp2_aes_cm_sha1_32) { cross_check(RTCG_SRTP_AES128_CM_SHA1_32, true, 1500); }
TEST(srtcp_vs_libsrtp2_aes_128_gcm) { cross_check(RTCG_SRTP_AEAD_AES_128_GCM, true, 1500); }
TEST(srtcp_vs_libsrtp2_aes_256_gcm) { cross_check(RTCG_SRTP_AEAD_AES_256_GCM, true, 1500); }
TEST(srtcp_vs_libsrtp2_null_sha1_80) { cross_check(RTCG_SRTP_NULL_SHA1_80, true, 500); }
TEST(srtp_vs_libsrtp2_via_job_queue) {
	cross_check_via(RTCG_SRTP_AES128_CM_SHA1_80, false, 1500, true);
	cross_check_via(RTCG_SRTP_NULL_SHA1_80, false, 500, true);
	cross_check_via(RTCG_SRTP_AEAD_AES_128_GCM, false, 1000, true);
}
TEST(srtcp_vs_libsrtp2_via_job_queue) {
	cross_check_via(RTCG_SRTP_AES128_CM_SHA1_32, true, 1000, true);
	cross_check_via(RTCG_SRTP_AEAD_AES_256_GCM, true, 500, true);
}

/* RFC 7714's vectors give session keys directly (no KDF): inject them. */
static struct rtcg_srtp_ctx *
gcm_ctx_with_session_keys(struct rtcg_srtp_engine *e, enum rtcg_srtp_profile prof,
			  const char *key_hex, bool rtcp)
{
	struct rtcg_srtp_ctx *ctx = aligned_alloc(64, (rtcg_srtp_ctx_size() + 63) / 64 * 64);
	uint8_t zero[32] = { 0 }, key[32];
	struct srtp_keys *k = rtcp ? &ctx->rtcp : &ctx->rtp;

	rtcg_srtp_ctx_init(ctx, e, prof, zero, zero, 0);
	hex(key_hex, key);
	if (prof == RTCG_SRTP_AEAD_AES_256_GCM)
		IMB_AES256_GCM_PRE(e->mgr, key, &k->gcm);
	else
		IMB_AES128_GCM_PRE(e->mgr, key, &k->gcm);
	memset(k->salt, 0, sizeof(k->salt));
	hex("517569642070726f2071756f", k->salt); /* "Quid pro quo" */
	return ctx;
}

TEST(srtp_rfc7714_16_aes_128_gcm_rtp)
{
	struct rtcg_srtp_engine *e = rtcg_srtp_engine_create();
	struct rtcg_srtp_ctx *tx = gcm_ctx_with_session_keys(e, RTCG_SRTP_AEAD_AES_128_GCM,
							     "000102030405060708090a0b0c0d0e0f", false);
	struct rtcg_srtp_ctx *rx = gcm_ctx_with_session_keys(e, RTCG_SRTP_AEAD_AES_128_GCM,
							     "000102030405060708090a0b0c0d0e0f", false);
	uint8_t plain[50], want[66], buf[PKT_ROOM];
	struct rtcg_srtp_pkt p = { buf, sizeof(plain), PKT_ROOM, 0 };

	hex("8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120"
	    "696e207061727465732074726573", plain);
	hex("8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f"
	    "42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce", want);
	memcpy(buf, plain, sizeof(plain));
	CHECK(rtcg_srtp_protect_burst(e, &tx, &p, 1) == 1);
	CHECK(p.len == sizeof(want) && memcmp(buf, want, sizeof(want)) == 0);
	p = (struct rtcg_srtp_pkt){ buf, sizeof(want), PKT_ROOM, 0 };
	memcpy(buf, want, sizeof(want));
	CHECK(rtcg_srtp_unprotect_burst(e, &rx, &p, 1) == 1);
	CHECK(p.len == sizeof(plain) && memcmp(buf, plain, sizeof(plain)) == 0);
	free(tx);
	free(rx);
	rtcg_srtp_engine_destroy(e);
}

TEST(srtp_rfc7714_17_aes_256_gcm_rtcp)
{
	struct rtcg_srtp_engine *e = rtcg_srtp_engine_create();
	const char *key = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
	struct rtcg_srtp_ctx *tx = gcm_ctx_with_session_keys(e, RTCG_SRTP_AEAD_AES_256_GCM, key, true);
	struct rtcg_srtp_ctx *rx = gcm_ctx_with_session_keys(e, RTCG_SRTP_AEAD_AES_256_GCM, key, true);
	uint8_t plain[52], want[72], buf[PKT_ROOM];
	struct rtcg_srtp_pkt p = { buf, sizeof(plain), PKT_ROOM, 0 };

	hex("81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61"
	    "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef", plain);
	hex("81c8000d4d617273d50ae4d1f5ce5d304ba297e47d470c282c3ece5dbffe0a50a2eaa5c1"
	    "110555be8415f658c61de0476f1b6fad1d1eb30c4446839f57ff6f6cb26ac3be800005d4", want);
	/* The sender's SRTCP index is 0x5d4: prime its state one below. */
	tx->rtcp_ssrc[0].used = 1;
	tx->rtcp_ssrc[0].ssrc = 0x4d617273;
	tx->rtcp_ssrc[0].max_index = 0x5d3;
	memcpy(buf, plain, sizeof(plain));
	CHECK(rtcg_srtcp_protect_burst(e, &tx, &p, 1) == 1);
	CHECK(p.len == sizeof(want) && memcmp(buf, want, sizeof(want)) == 0);
	p = (struct rtcg_srtp_pkt){ buf, sizeof(want), PKT_ROOM, 0 };
	memcpy(buf, want, sizeof(want));
	CHECK(rtcg_srtcp_unprotect_burst(e, &rx, &p, 1) == 1);
	CHECK(p.len == sizeof(plain) && memcmp(buf, plain, sizeof(plain)) == 0);
	free(tx);
	free(rx);
	rtcg_srtp_engine_destroy(e);
}

/* Protect seq with tx, return the packet's length; buf gets the SRTP packet. */
static uint32_t
protect_seq(struct rtcg_srtp_engine *e, struct rtcg_srtp_ctx *tx, uint8_t *buf, uint16_t seq)
{
	struct rtcg_srtp_pkt p = { buf, 12 + 20, PKT_ROOM, 0 };

	memset(buf, 0x55, 32);
	buf[0] = 0x80; buf[1] = 0; buf[2] = seq >> 8; buf[3] = seq;
	buf[8] = 1; buf[9] = 2; buf[10] = 3; buf[11] = 4;
	rtcg_srtp_protect_burst(e, &tx, &p, 1);
	return p.len;
}

static uint8_t
unprotect_copy(struct rtcg_srtp_engine *e, struct rtcg_srtp_ctx *rx, const uint8_t *pkt, uint32_t len)
{
	uint8_t buf[PKT_ROOM];
	struct rtcg_srtp_pkt p = { buf, len, PKT_ROOM, 0 };

	memcpy(buf, pkt, len);
	rtcg_srtp_unprotect_burst(e, &rx, &p, 1);
	return p.status;
}

TEST(srtp_replay_window_and_rollover)
{
	struct rtcg_srtp_engine *e = rtcg_srtp_engine_create();
	size_t csz = (rtcg_srtp_ctx_size() + 63) / 64 * 64;
	struct rtcg_srtp_ctx *tx = aligned_alloc(64, csz), *rx = aligned_alloc(64, csz);
	static uint8_t pkts[1200][64];
	uint32_t lens[1200];
	uint8_t key[30] = { 3 };

	rtcg_srtp_ctx_init(tx, e, RTCG_SRTP_AES128_CM_SHA1_80, key, key + 16, 0);
	rtcg_srtp_ctx_init(rx, e, RTCG_SRTP_AES128_CM_SHA1_80, key, key + 16, 1024);
	/* 1200 packets from seq 65000: the sequence number wraps at 536. */
	for (unsigned i = 0; i < 1200; i++)
		lens[i] = protect_seq(e, tx, pkts[i], (uint16_t)(65000 + i));
	CHECK(tx->rtp_ssrc[0].max_index == (1ull << 16) + (uint16_t)(65000 + 1199));
	/*
	 * The first packet starts the stream (ROC 0); then the last one, across
	 * the wrap: everything within 1024 behind it is still fresh.
	 */
	CHECK(unprotect_copy(e, rx, pkts[0], lens[0]) == RTCG_SRTP_OK);
	CHECK(unprotect_copy(e, rx, pkts[1199], lens[1199]) == RTCG_SRTP_OK);
	CHECK(unprotect_copy(e, rx, pkts[1199 - 1023], lens[1199 - 1023]) == RTCG_SRTP_OK);
	CHECK(unprotect_copy(e, rx, pkts[1199 - 1023], lens[1199 - 1023]) == RTCG_SRTP_REPLAY);
	CHECK(unprotect_copy(e, rx, pkts[1199 - 1024], lens[1199 - 1024]) == RTCG_SRTP_REPLAY);
	CHECK(unprotect_copy(e, rx, pkts[600], lens[600]) == RTCG_SRTP_OK); /* after the wrap */
	CHECK(unprotect_copy(e, rx, pkts[530], lens[530]) == RTCG_SRTP_OK); /* before the wrap */
	CHECK(unprotect_copy(e, rx, pkts[600], lens[600]) == RTCG_SRTP_REPLAY);
	CHECK(rx->rtp_ssrc[0].max_index == (1ull << 16) + (uint16_t)(65000 + 1199));
	CHECK(rtcg_srtp_ctx_counters(rx).replay == 3 && rtcg_srtp_ctx_counters(rx).ok == 5);
	/* A bad length is counted, not crashed on. */
	CHECK(unprotect_copy(e, rx, pkts[0], 11) == RTCG_SRTP_BAD_LENGTH);
	free(tx);
	free(rx);
	rtcg_srtp_engine_destroy(e);
}

/* A burst mixing sessions of every profile takes the per-context handler path. */
TEST(srtp_mixed_profile_burst)
{
	struct rtcg_srtp_engine *e = rtcg_srtp_engine_create();
	size_t csz = (rtcg_srtp_ctx_size() + 63) / 64 * 64;
	struct rtcg_srtp_ctx *tx[RTCG_SRTP_PROFILE_MAX], *rx[RTCG_SRTP_PROFILE_MAX];
	struct rtcg_srtp_ctx *txs[RTCG_SRTP_MAX_BURST], *rxs[RTCG_SRTP_MAX_BURST];
	struct rtcg_srtp_pkt pk[RTCG_SRTP_MAX_BURST];
	static uint8_t orig[RTCG_SRTP_MAX_BURST][PKT_ROOM], buf[RTCG_SRTP_MAX_BURST][PKT_ROOM];
	uint32_t len[RTCG_SRTP_MAX_BURST];
	uint8_t key[64];

	for (unsigned i = 0; i < sizeof(key); i++)
		key[i] = rnd();
	for (int p = 0; p < RTCG_SRTP_PROFILE_MAX; p++) {
		tx[p] = aligned_alloc(64, csz);
		rx[p] = aligned_alloc(64, csz);
		CHECK(rtcg_srtp_ctx_init(tx[p], e, p, key, key + 32, 0) == 0);
		CHECK(rtcg_srtp_ctx_init(rx[p], e, p, key, key + 32, 0) == 0);
	}
	for (unsigned i = 0; i < RTCG_SRTP_MAX_BURST; i++) {
		len[i] = make_rtp(orig[i], (uint16_t)(100 + i), 0xabc, rnd() % 300);
		memcpy(buf[i], orig[i], len[i]);
		pk[i] = (struct rtcg_srtp_pkt){ buf[i], len[i], PKT_ROOM, 0 };
		txs[i] = tx[i % RTCG_SRTP_PROFILE_MAX];
		rxs[i] = rx[i % RTCG_SRTP_PROFILE_MAX];
	}
	CHECK(rtcg_srtp_protect_burst(e, txs, pk, RTCG_SRTP_MAX_BURST) == RTCG_SRTP_MAX_BURST);
	for (unsigned i = 0; i < RTCG_SRTP_MAX_BURST; i++)
		CHECK(pk[i].len == len[i] + (uint32_t)rtcg_srtp_profile_tag_len(i % RTCG_SRTP_PROFILE_MAX));
	CHECK(rtcg_srtp_unprotect_burst(e, rxs, pk, RTCG_SRTP_MAX_BURST) == RTCG_SRTP_MAX_BURST);
	for (unsigned i = 0; i < RTCG_SRTP_MAX_BURST; i++)
		CHECK(pk[i].len == len[i] && memcmp(buf[i], orig[i], len[i]) == 0);
	for (int p = 0; p < RTCG_SRTP_PROFILE_MAX; p++) {
		free(tx[p]);
		free(rx[p]);
	}
	rtcg_srtp_engine_destroy(e);
}
