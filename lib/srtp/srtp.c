/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * srtp.c - engines, profiles and contexts: RFC 3711 key derivation (key
 * derivation rate 0) and the one-time expansion of every session key.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "srtp_priv.h"

struct profile_info {
	const char *name;
	uint8_t key_len, salt_len, tag_len, rtcp_tag_len;
	IMB_CIPHER_MODE cipher;
	const struct srtp_ops *ops;
};

static const struct profile_info profiles[RTCG_SRTP_PROFILE_MAX] = {
	[RTCG_SRTP_AES128_CM_SHA1_80] = { "AES_CM_128_HMAC_SHA1_80", 16, 14, 10, 10, IMB_CIPHER_CNTR, srtp_ops_hmac },
	[RTCG_SRTP_AES128_CM_SHA1_32] = { "AES_CM_128_HMAC_SHA1_32", 16, 14, 4, 10, IMB_CIPHER_CNTR, srtp_ops_hmac },
	[RTCG_SRTP_AEAD_AES_128_GCM] = { "AEAD_AES_128_GCM", 16, 12, 16, 16, IMB_CIPHER_GCM, srtp_ops_gcm },
	[RTCG_SRTP_AEAD_AES_256_GCM] = { "AEAD_AES_256_GCM", 32, 12, 16, 16, IMB_CIPHER_GCM, srtp_ops_gcm },
	[RTCG_SRTP_NULL_SHA1_80] = { "NULL_HMAC_SHA1_80", 16, 14, 10, 10, IMB_CIPHER_NULL, srtp_ops_hmac },
};

static const char *const status_names[RTCG_SRTP_STATUS_MAX] = {
	"ok", "auth_fail", "replay", "bad_length", "no_room", "ssrc_limit",
};

int rtcg_srtp_profile_key_len(enum rtcg_srtp_profile p) { return p < RTCG_SRTP_PROFILE_MAX ? profiles[p].key_len : -EINVAL; }
int rtcg_srtp_profile_salt_len(enum rtcg_srtp_profile p) { return p < RTCG_SRTP_PROFILE_MAX ? profiles[p].salt_len : -EINVAL; }
int rtcg_srtp_profile_tag_len(enum rtcg_srtp_profile p) { return p < RTCG_SRTP_PROFILE_MAX ? profiles[p].tag_len : -EINVAL; }
const char *rtcg_srtp_profile_name(enum rtcg_srtp_profile p) { return p < RTCG_SRTP_PROFILE_MAX ? profiles[p].name : "?"; }
const char *rtcg_srtp_status_name(enum rtcg_srtp_status s) { return s < RTCG_SRTP_STATUS_MAX ? status_names[s] : "?"; }

int
rtcg_srtp_profile_from_name(const char *name)
{
	/* DTLS-SRTP profile names (RFC 5764, RFC 7714) map onto the same. */
	static const struct { const char *alias; enum rtcg_srtp_profile p; } aliases[] = {
		{ "SRTP_AES128_CM_SHA1_80", RTCG_SRTP_AES128_CM_SHA1_80 },
		{ "SRTP_AES128_CM_SHA1_32", RTCG_SRTP_AES128_CM_SHA1_32 },
		{ "SRTP_AEAD_AES_128_GCM", RTCG_SRTP_AEAD_AES_128_GCM },
		{ "SRTP_AEAD_AES_256_GCM", RTCG_SRTP_AEAD_AES_256_GCM },
		{ "SRTP_NULL_SHA1_80", RTCG_SRTP_NULL_SHA1_80 },
	};

	for (int p = 0; p < RTCG_SRTP_PROFILE_MAX; p++)
		if (strcmp(name, profiles[p].name) == 0)
			return p;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(name, aliases[i].alias) == 0)
			return aliases[i].p;
	return -1;
}

/*
 * Two RTP packets of `prof` (160 payload bytes and none) protected, then
 * unprotected, through the engine's burst calls with e->split as given,
 * on fresh contexts; out: the SRTP bytes (room PROBE_ROOM a packet).
 * False unless both come back OK and as they started.
 */
#define PROBE_ROOM 256
static bool
probe_run(struct rtcg_srtp_engine *e, enum rtcg_srtp_profile prof, bool split,
	  uint8_t out[2][PROBE_ROOM], uint32_t out_len[2])
{
	size_t cs = (rtcg_srtp_ctx_size() + 63) & ~(size_t)63;
	uint8_t *mem = aligned_alloc(64, 2 * cs), key[64], rtp[2][PROBE_ROOM];
	struct rtcg_srtp_ctx *ctx[2][2];
	struct rtcg_srtp_pkt pk[2];
	bool ok = false;

	if (mem == NULL)
		return false;
	for (unsigned i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(7 * i + 1);
	ctx[0][0] = ctx[0][1] = (struct rtcg_srtp_ctx *)mem;
	ctx[1][0] = ctx[1][1] = (struct rtcg_srtp_ctx *)(mem + cs);
	if (rtcg_srtp_ctx_init(ctx[0][0], e, prof, key, key + 32, 128) != 0 ||
	    rtcg_srtp_ctx_init(ctx[1][0], e, prof, key, key + 32, 128) != 0)
		goto out;
	for (unsigned k = 0; k < 2; k++) {
		out_len[k] = 12 + (k == 0 ? 160 : 0);
		for (unsigned i = 0; i < out_len[k]; i++)
			rtp[k][i] = (uint8_t)(31 * i + 5 + k);
		rtp[k][0] = 0x80;
		rtp[k][1] = 0x60;
		rtp[k][2] = 0;
		rtp[k][3] = (uint8_t)(1 + k); /* sequence numbers 1 and 2 */
		memcpy(out[k], rtp[k], out_len[k]);
		pk[k] = (struct rtcg_srtp_pkt){ out[k], out_len[k], PROBE_ROOM, 0 };
	}
	e->split = split;
	if (rtcg_srtp_protect_burst(e, ctx[0], pk, 2) != 2)
		goto out;
	for (unsigned k = 0; k < 2; k++)
		out_len[k] = pk[k].len;
	{
		uint8_t back[2][PROBE_ROOM];

		for (unsigned k = 0; k < 2; k++) {
			memcpy(back[k], out[k], out_len[k]);
			pk[k] = (struct rtcg_srtp_pkt){ back[k], out_len[k], PROBE_ROOM, 0 };
		}
		ok = rtcg_srtp_unprotect_burst(e, ctx[1], pk, 2) == 2;
		for (unsigned k = 0; ok && k < 2; k++)
			ok = pk[k].len == 12 + (k == 0 ? 160u : 0u) && memcmp(back[k], rtp[k], pk[k].len) == 0;
	}
out:
	rtcg_srtp_ctx_clear(ctx[0][0]);
	rtcg_srtp_ctx_clear(ctx[1][0]);
	free(mem);
	return ok;
}

/*
 * The engine's own jobs (submit_split, submit_gcm_direct in srtp_burst.c)
 * against the manager's job queue, on the real burst path: an HMAC and a
 * GCM profile, each both ways. e->split is left at the answer.
 */
bool
srtp_split_probe(struct rtcg_srtp_engine *e)
{
	static const enum rtcg_srtp_profile profs[] = { RTCG_SRTP_AES128_CM_SHA1_80,
							RTCG_SRTP_AEAD_AES_128_GCM };
	uint8_t q[2][PROBE_ROOM], own[2][PROBE_ROOM];
	uint32_t ql[2], ownl[2];
	bool same = true;

	for (size_t p = 0; same && p < sizeof(profs) / sizeof(profs[0]); p++) {
		same = probe_run(e, profs[p], false, q, ql) && probe_run(e, profs[p], true, own, ownl);
		for (unsigned k = 0; same && k < 2; k++)
			same = ql[k] == ownl[k] && memcmp(q[k], own[k], ql[k]) == 0;
	}
	e->split = same;
	return same;
}

struct rtcg_srtp_engine *
rtcg_srtp_engine_create(void)
{
	struct rtcg_srtp_engine *e;
	IMB_ARCH arch;

	if (posix_memalign((void **)&e, 64, sizeof(*e)) != 0)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->mgr = alloc_mb_mgr(0);
	if (e->mgr == NULL) {
		free(e);
		return NULL;
	}
	init_mb_mgr_auto(e->mgr, &arch);
	snprintf(e->arch, sizeof(e->arch), "%s",
		 arch == IMB_ARCH_AVX512 ? "avx512" : arch == IMB_ARCH_AVX2 ? "avx2" :
		 arch == IMB_ARCH_AVX ? "avx" : arch == IMB_ARCH_SSE ? "sse" : "none");
	if (arch == IMB_ARCH_NONE || imb_get_errno(e->mgr) != 0) {
		free_mb_mgr(e->mgr);
		free(e);
		return NULL;
	}
	srtp_split_probe(e);
	return e;
}

void
rtcg_srtp_engine_destroy(struct rtcg_srtp_engine *e)
{
	if (e == NULL)
		return;
	free_mb_mgr(e->mgr);
	free(e);
}

const char *
rtcg_srtp_engine_arch(const struct rtcg_srtp_engine *e)
{
	return e->arch;
}

/* What rtcg_srtp_prefetch_early fetches without reading the context. */
#define EARLY_WINDOW 128u
#define EARLY_KEY_BYTES (4u * 64u)

static inline const uint8_t *
ssrc_state(const struct rtcg_srtp_ctx *c, bool rtcp)
{
	return (const uint8_t *)(rtcp ? c->rtcp_ssrc : c->rtp_ssrc);
}

/* The last byte of the first SSRC's state with a window of `window` packets. */
static inline const uint8_t *
ssrc_state_end(const struct rtcg_srtp_ctx *c, bool rtcp, unsigned window)
{
	return ssrc_state(c, rtcp) + offsetof(struct srtp_ssrc_state, window) + window / 8u - 1u;
}

static inline const uint8_t *
keys(const struct rtcg_srtp_ctx *c, bool rtcp)
{
	return (const uint8_t *)(rtcp ? &c->rtcp : &c->rtp);
}

void
rtcg_srtp_prefetch_early(const struct rtcg_srtp_ctx *c, bool rtcp)
{
	const uint8_t *st = ssrc_state(c, rtcp), *end = ssrc_state_end(c, rtcp, EARLY_WINDOW);

	__builtin_prefetch(c, 1, 3);
	__builtin_prefetch(st, 1, 3);
	if (((uintptr_t)end >> 6) != ((uintptr_t)st >> 6))
		__builtin_prefetch(end, 1, 3);
	for (size_t o = 0; o < EARLY_KEY_BYTES; o += 64)
		__builtin_prefetch(keys(c, rtcp) + o, 0, 3);
}

void
rtcg_srtp_prefetch_rest(struct rtcg_srtp_ctx *const *ctx, unsigned n, bool rtcp)
{
	for (unsigned i = 0; i < n; i++) {
		const struct rtcg_srtp_ctx *c = ctx[i];
		/* AES-CM: salt, HMAC states, the rounds' keys; GCM: all its key data. */
		size_t klen = c->cipher == IMB_CIPHER_GCM ? sizeof(struct srtp_keys)
			: offsetof(struct srtp_keys, cm.aes_enc) + (c->key_len / 4u + 7u) * 16u;

		if (c->window > EARLY_WINDOW)
			__builtin_prefetch(ssrc_state_end(c, rtcp, c->window), 1, 3);
		for (size_t o = EARLY_KEY_BYTES; o < klen; o += 64)
			__builtin_prefetch(keys(c, rtcp) + o, 0, 3);
	}
}

size_t
rtcg_srtp_ctx_size(void)
{
	return sizeof(struct rtcg_srtp_ctx);
}

/*
 * RFC 3711 4.3: the session key for `label` is the AES-CM keystream under the
 * master key with IV = (master_salt XOR (label << 48)) << 16 (kdr 0). Salts
 * shorter than 14 bytes (GCM's 12) are zero padded to 14, as libsrtp does.
 */
int
rtcg_srtp_kdf(const uint8_t *mkey, unsigned mkey_len, const uint8_t *msalt, unsigned msalt_len,
    uint8_t label, uint8_t *out, unsigned out_len)
{
	uint8_t iv[16] = { 0 }, zeros[64] = { 0 };
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, ok;

	if (c == NULL || out_len > sizeof(zeros))
		return -ENOMEM;
	memcpy(iv, msalt, msalt_len);
	iv[7] ^= label;
	ok = EVP_EncryptInit_ex(c, mkey_len == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr(),
				NULL, mkey, iv) == 1 &&
	     EVP_EncryptUpdate(c, out, &n, zeros, out_len) == 1 && n == (int)out_len;
	EVP_CIPHER_CTX_free(c);
	OPENSSL_cleanse(iv, sizeof(iv));
	return ok ? 0 : -EINVAL;
}

static void
hmac_precompute(IMB_MGR *mgr, const uint8_t *key, unsigned len, uint8_t *ipad, uint8_t *opad)
{
	uint8_t block[64];

	memset(block, 0x36, sizeof(block));
	for (unsigned i = 0; i < len; i++)
		block[i] ^= key[i];
	IMB_SHA1_ONE_BLOCK(mgr, block, ipad);
	memset(block, 0x5c, sizeof(block));
	for (unsigned i = 0; i < len; i++)
		block[i] ^= key[i];
	IMB_SHA1_ONE_BLOCK(mgr, block, opad);
	OPENSSL_cleanse(block, sizeof(block));
}

static int
derive(IMB_MGR *mgr, const struct profile_info *pi,
       const uint8_t *mkey, const uint8_t *msalt, uint8_t first_label, struct srtp_keys *k)
{
	uint8_t enc[32], auth[20];
	DECLARE_ALIGNED(uint8_t dec_unused[15 * 16], 16);
	int rc;

	rc = rtcg_srtp_kdf(mkey, pi->key_len, msalt, pi->salt_len, first_label, enc, pi->key_len);
	if (rc == 0)
		rc = rtcg_srtp_kdf(mkey, pi->key_len, msalt, pi->salt_len, first_label + 2, k->salt, pi->salt_len);
	if (rc == 0 && pi->cipher != IMB_CIPHER_GCM)
		rc = rtcg_srtp_kdf(mkey, pi->key_len, msalt, pi->salt_len, first_label + 1, auth, sizeof(auth));
	if (rc != 0)
		return rc;
	if (pi->cipher == IMB_CIPHER_GCM) {
		if (pi->key_len == 32)
			IMB_AES256_GCM_PRE(mgr, enc, &k->gcm);
		else
			IMB_AES128_GCM_PRE(mgr, enc, &k->gcm);
	} else {
		IMB_AES_KEYEXP_128(mgr, enc, k->cm.aes_enc, dec_unused);
		hmac_precompute(mgr, auth, sizeof(auth), k->cm.ipad, k->cm.opad);
	}
	OPENSSL_cleanse(enc, sizeof(enc));
	OPENSSL_cleanse(auth, sizeof(auth));
	return 0;
}

int
rtcg_srtp_ctx_init(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_engine *e,
		   enum rtcg_srtp_profile profile, const uint8_t *master_key,
		   const uint8_t *master_salt, unsigned window)
{
	const struct profile_info *pi;
	int rc;

	if (profile >= RTCG_SRTP_PROFILE_MAX || window > RTCG_SRTP_MAX_WINDOW)
		return -EINVAL;
	pi = &profiles[profile];
	memset(ctx, 0, sizeof(*ctx));
	ctx->ops = pi->ops;
	ctx->profile = profile;
	ctx->tag_len = pi->tag_len;
	ctx->rtcp_tag_len = pi->rtcp_tag_len;
	ctx->key_len = pi->key_len;
	ctx->cipher = pi->cipher;
	ctx->window = window == 0 ? RTCG_SRTP_DEFAULT_WINDOW : (window + 63) / 64 * 64;
	if (ctx->window < 64)
		ctx->window = 64;
	rc = derive(e->mgr, pi, master_key, master_salt, 0, &ctx->rtp);
	if (rc == 0)
		rc = derive(e->mgr, pi, master_key, master_salt, 3, &ctx->rtcp);
	if (rc != 0)
		rtcg_srtp_ctx_clear(ctx);
	return rc;
}

void
rtcg_srtp_ctx_clear(struct rtcg_srtp_ctx *ctx)
{
	OPENSSL_cleanse(ctx, sizeof(*ctx));
}

struct rtcg_srtp_counters
rtcg_srtp_ctx_counters(const struct rtcg_srtp_ctx *ctx)
{
	_Static_assert(offsetof(struct rtcg_srtp_ctx, rtp_ssrc[0].window) + 16 <= 64,
		       "the first SSRC's state and a 128-packet window on the first line");
	return (struct rtcg_srtp_counters){
		.ok = ctx->ok,
		.auth_fail = ctx->errors[RTCG_SRTP_AUTH_FAIL - 1],
		.replay = ctx->errors[RTCG_SRTP_REPLAY - 1],
		.bad_length = ctx->errors[RTCG_SRTP_BAD_LENGTH - 1],
		.no_room = ctx->errors[RTCG_SRTP_NO_ROOM - 1],
		.ssrc_limit = ctx->errors[RTCG_SRTP_SSRC_LIMIT - 1],
	};
}

enum rtcg_srtp_profile
rtcg_srtp_ctx_profile(const struct rtcg_srtp_ctx *ctx)
{
	return ctx->profile;
}
