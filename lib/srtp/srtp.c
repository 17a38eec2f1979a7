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

static void
probe_job(IMB_JOB *j, bool encrypt, uint8_t *msg, const uint8_t *enc, const uint8_t *ipad,
	  const uint8_t *opad, const uint8_t *iv, uint8_t *tag)
{
	memset(j, 0, sizeof(*j));
	j->cipher_direction = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	j->chain_order = encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	j->cipher_mode = IMB_CIPHER_CNTR;
	j->enc_keys = enc;
	j->dec_keys = enc;
	j->key_len_in_bytes = IMB_KEY_128_BYTES;
	j->src = msg;
	j->dst = msg + 12;
	j->cipher_start_src_offset_in_bytes = 12;
	j->msg_len_to_cipher_in_bytes = 188;
	j->iv = iv;
	j->iv_len_in_bytes = 16;
	j->hash_alg = IMB_AUTH_HMAC_SHA_1;
	j->msg_len_to_hash_in_bytes = 200;
	j->u.HMAC._hashed_auth_key_xor_ipad = ipad;
	j->u.HMAC._hashed_auth_key_xor_opad = opad;
	j->auth_tag_output = tag;
	j->auth_tag_output_len_in_bytes = 12;
}

/* AES-128-GCM both ways, through the job queue and the direct calls (submit_gcm_direct). */
static bool
gcm_probe(IMB_MGR *mgr, const uint8_t *key, const uint8_t *iv)
{
	DECLARE_ALIGNED(struct gcm_key_data gk, 64);
	struct gcm_context_data cd;
	uint8_t msg[2][200], tag[2][16];
	IMB_JOB *q[1];

	IMB_AES128_GCM_PRE(mgr, key, &gk);
	for (unsigned i = 0; i < sizeof(msg[0]); i++)
		msg[0][i] = msg[1][i] = (uint8_t)(i * 17 + 3);
	for (int encrypt = 1; encrypt >= 0; encrypt--) {
		IMB_JOB *j;

		IMB_GET_NEXT_BURST(mgr, 1, q);
		j = q[0];
		memset(j, 0, sizeof(*j));
		j->cipher_direction = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
		j->chain_order = encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
		j->cipher_mode = IMB_CIPHER_GCM;
		j->hash_alg = IMB_AUTH_AES_GMAC;
		j->enc_keys = j->dec_keys = &gk;
		j->key_len_in_bytes = IMB_KEY_128_BYTES;
		j->src = msg[0];
		j->dst = msg[0] + 12;
		j->cipher_start_src_offset_in_bytes = j->hash_start_src_offset_in_bytes = 12;
		j->msg_len_to_cipher_in_bytes = j->msg_len_to_hash_in_bytes = 188;
		j->iv = iv;
		j->iv_len_in_bytes = 12;
		j->u.GCM.aad = msg[0];
		j->u.GCM.aad_len_in_bytes = 12;
		j->auth_tag_output = tag[0];
		j->auth_tag_output_len_in_bytes = 16;
		if (IMB_SUBMIT_BURST(mgr, 1, q) == 0 && IMB_FLUSH_BURST(mgr, 1, q) != 1)
			return false;
		if (q[0]->status != IMB_STATUS_COMPLETED)
			return false;
		if (encrypt)
			IMB_AES128_GCM_ENC(mgr, &gk, &cd, msg[1] + 12, msg[1] + 12, 188, iv, msg[1], 12,
					   tag[1], 16);
		else
			IMB_AES128_GCM_DEC(mgr, &gk, &cd, msg[1] + 12, msg[1] + 12, 188, iv, msg[1], 12,
					   tag[1], 16);
		if (memcmp(msg[0], msg[1], sizeof(msg[0])) != 0 || memcmp(tag[0], tag[1], sizeof(tag[0])) != 0)
			return false;
	}
	for (unsigned i = 0; i < sizeof(msg[0]); i++)
		if (msg[1][i] != (uint8_t)(i * 17 + 3))
			return false;
	return true;
}

/*
 * A 200-byte message ciphered and hashed both ways, through the job queue
 * and through the cipher and hash bursts (as submit_split in srtp_burst.c
 * runs them), and the same for AES-GCM's direct calls: the engine runs
 * its own jobs only if they complete and agree.
 */
bool
srtp_split_probe(IMB_MGR *mgr)
{
	DECLARE_ALIGNED(uint8_t enc[15 * 16], 16);
	DECLARE_ALIGNED(uint8_t dec[15 * 16], 16);
	DECLARE_ALIGNED(uint8_t ipad[32], 16);
	DECLARE_ALIGNED(uint8_t opad[32], 16);
	DECLARE_ALIGNED(uint8_t iv[16], 16);
	uint8_t key[16], block[64], msg[2][200], tag[2][12];
	IMB_JOB own, *q[1];

	for (unsigned i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(7 * i + 1);
	for (unsigned i = 0; i < sizeof(iv); i++)
		iv[i] = (uint8_t)(13 * i);
	IMB_AES_KEYEXP_128(mgr, key, enc, dec);
	memset(block, 0x36, sizeof(block));
	IMB_SHA1_ONE_BLOCK(mgr, block, ipad);
	memset(block, 0x5c, sizeof(block));
	IMB_SHA1_ONE_BLOCK(mgr, block, opad);
	for (unsigned i = 0; i < sizeof(msg[0]); i++)
		msg[0][i] = msg[1][i] = (uint8_t)(i * 31 + 5);
	for (int encrypt = 1; encrypt >= 0; encrypt--) {
		unsigned done;

		IMB_GET_NEXT_BURST(mgr, 1, q);
		probe_job(q[0], encrypt, msg[0], enc, ipad, opad, iv, tag[0]);
		done = IMB_SUBMIT_BURST(mgr, 1, q);
		if (done == 0 && IMB_FLUSH_BURST(mgr, 1, q) != 1)
			return false;
		if (q[0]->status != IMB_STATUS_COMPLETED)
			return false;

		probe_job(&own, encrypt, msg[1], enc, ipad, opad, iv, tag[1]);
		if (encrypt && IMB_SUBMIT_CIPHER_BURST(mgr, &own, 1, IMB_CIPHER_CNTR, IMB_DIR_ENCRYPT,
							IMB_KEY_128_BYTES) != 1)
			return false;
		if (IMB_SUBMIT_HASH_BURST(mgr, &own, 1, IMB_AUTH_HMAC_SHA_1) != 1)
			return false;
		if (!encrypt && IMB_SUBMIT_CIPHER_BURST(mgr, &own, 1, IMB_CIPHER_CNTR, IMB_DIR_DECRYPT,
							 IMB_KEY_128_BYTES) != 1)
			return false;
		if (own.status != IMB_STATUS_COMPLETED || memcmp(msg[0], msg[1], sizeof(msg[0])) != 0 ||
		    memcmp(tag[0], tag[1], sizeof(tag[0])) != 0)
			return false;
	}
	/* Deciphered back: the message must be the one it started as. */
	for (unsigned i = 0; i < sizeof(msg[0]); i++)
		if (msg[1][i] != (uint8_t)(i * 31 + 5))
			return false;
	return gcm_probe(mgr, key, iv);
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
	e->split = srtp_split_probe(e->mgr);
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
