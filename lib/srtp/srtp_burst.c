/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * srtp_burst.c - the per-packet path: prepare every packet of a burst
 * (parse, index and rollover, replay pre-check, IV), hand the whole burst to
 * intel-ipsec-mb (HMAC-SHA1 profiles: one cipher and one hash burst on the
 * engine's own jobs; GCM: the direct AES-GCM calls, a packet at a time;
 * bursts mixing the two: one IMB_SUBMIT_BURST through the manager's job
 * queue), then finish each packet (tag, replay window, length). The
 * profile's handlers come from the context; no allocation, lock or key
 * schedule here.
 */
#include <stddef.h>
#include <string.h>

#include "srtp_priv.h"

#define TAG_HMAC_FULL 12 /* intel-ipsec-mb 1.3 computes 12 bytes; we keep 10 or 4 */
#define INDEX_INVALID UINT64_MAX
#define HOT static inline __attribute__((always_inline))

_Static_assert(offsetof(struct rtcg_srtp_counters, ssrc_limit) / sizeof(uint64_t) ==
	       RTCG_SRTP_SSRC_LIMIT, "counters follow the status enum");

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}
static inline uint64_t be64(uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}

/*
 * Constant-time comparison: a tag check must not leak where it differs.
 * The tag lengths there are (4, 10, 16 bytes) compare as whole words.
 */
HOT int
tag_differs(const uint8_t *a, const uint8_t *b, unsigned n)
{
	uint64_t x, y, u, v;
	uint32_t p, q;
	uint16_t r, t;
	uint8_t d = 0;

	switch (n) {
	case 16:
		memcpy(&x, a, 8); memcpy(&y, b, 8);
		memcpy(&u, a + 8, 8); memcpy(&v, b + 8, 8);
		return ((x ^ y) | (u ^ v)) != 0;
	case 10:
		memcpy(&x, a, 8); memcpy(&y, b, 8);
		memcpy(&r, a + 8, 2); memcpy(&t, b + 8, 2);
		return ((x ^ y) | (uint64_t)(r ^ t)) != 0;
	case 4:
		memcpy(&p, a, 4); memcpy(&q, b, 4);
		return (p ^ q) != 0;
	default:
		for (unsigned i = 0; i < n; i++)
			d |= a[i] ^ b[i];
		return d != 0;
	}
}

/* A tag of n bytes (10 or 4 for HMAC-SHA1) as fixed-size copies, not a libc call. */
HOT void
copy_tag(uint8_t *dst, const uint8_t *src, unsigned n)
{
	if (n == 10) {
		memcpy(dst, src, 8);
		memcpy(dst + 8, src + 8, 2);
	} else if (n == 4) {
		memcpy(dst, src, 4);
	} else {
		memcpy(dst, src, n);
	}
}

/* RTP header length (fixed part, CSRCs, extension) within len, or 0. */
HOT uint32_t
rtp_header_len(const uint8_t *p, uint32_t len)
{
	uint32_t h;

	if (len < 12 || (p[0] >> 6) != 2)
		return 0;
	h = 12 + 4 * (p[0] & 0x0f);
	if (p[0] & 0x10) {
		if (h + 4 > len)
			return 0;
		h += 4 + 4 * (uint32_t)rd16(p + h + 2);
	}
	return h <= len ? h : 0;
}

HOT struct srtp_ssrc_state *
ssrc_find(struct srtp_ssrc_state *t, uint32_t ssrc)
{
	for (unsigned i = 0; i < RTCG_SRTP_MAX_SSRC; i++)
		if (t[i].used && t[i].ssrc == ssrc)
			return &t[i];
	return NULL;
}

static inline struct srtp_ssrc_state *
ssrc_add(struct srtp_ssrc_state *t, uint32_t ssrc, uint64_t first_index)
{
	for (unsigned i = 0; i < RTCG_SRTP_MAX_SSRC; i++) {
		if (!t[i].used) {
			memset(&t[i], 0, sizeof(t[i]));
			t[i].used = 1;
			t[i].ssrc = ssrc;
			t[i].max_index = first_index;
			t[i].window[0] = 1;
			return &t[i];
		}
	}
	return NULL;
}

/* RFC 3711 Appendix A: the 48-bit index of seq given the highest so far. */
HOT uint64_t
rtp_estimate_index(const struct srtp_ssrc_state *st, uint16_t seq)
{
	uint32_t roc = st->max_index >> 16;
	uint16_t s_l = st->max_index & 0xffff;

	if (s_l < 32768) {
		if (seq > s_l && seq - s_l > 32768) {
			if (roc == 0)
				return INDEX_INVALID; /* before the stream began */
			roc--;
		}
	} else if (seq < s_l - 32768) {
		roc++;
	}
	return (uint64_t)roc << 16 | seq;
}

HOT int
replay_seen(const struct srtp_ssrc_state *st, uint64_t idx, unsigned window)
{
	uint64_t d;

	if (idx > st->max_index)
		return 0;
	d = st->max_index - idx;
	if (d >= window)
		return 1;
	return (st->window[d / 64] >> (d % 64)) & 1;
}

HOT void
replay_add(struct srtp_ssrc_state *st, uint64_t idx, unsigned window)
{
	unsigned words = window / 64;

	if (idx > st->max_index) {
		uint64_t delta = idx - st->max_index;

		if (delta < 64) {
			/* The common case: the window moves by less than a word. */
			for (unsigned i = words - 1; i > 0; i--)
				st->window[i] = st->window[i] << delta |
						st->window[i - 1] >> (64 - delta);
			st->window[0] <<= delta;
		} else if (delta >= window) {
			memset(st->window, 0, words * sizeof(uint64_t));
		} else {
			unsigned ws = delta / 64, bs = delta % 64;

			for (int i = (int)words - 1; i >= 0; i--) {
				uint64_t v = 0;

				if (i - (int)ws >= 0) {
					v = st->window[i - ws] << bs;
					if (bs != 0 && i - (int)ws - 1 >= 0)
						v |= st->window[i - ws - 1] >> (64 - bs);
				}
				st->window[i] = v;
			}
		}
		st->window[0] |= 1;
		st->max_index = idx;
	} else {
		uint64_t d = st->max_index - idx;

		st->window[d / 64] |= 1ull << (d % 64);
	}
}

/* Receive side, after the tag verified: record the index (new SSRCs here). */
HOT uint8_t
accept_index(struct rtcg_srtp_ctx *ctx, struct srtp_ssrc_state *table,
	     struct srtp_scratch *s)
{
	struct srtp_ssrc_state *st = s->st ? s->st : ssrc_find(table, s->ssrc);

	if (st == NULL)
		return ssrc_add(table, s->ssrc, s->index) ? RTCG_SRTP_OK : RTCG_SRTP_SSRC_LIMIT;
	/* Again: an earlier packet of this burst may have had the same index. */
	if (replay_seen(st, s->index, ctx->window))
		return RTCG_SRTP_REPLAY;
	replay_add(st, s->index, ctx->window);
	return RTCG_SRTP_OK;
}

/* Send side: the index of seq, keeping the rollover counter. */
HOT uint8_t
send_index_rtp(struct rtcg_srtp_ctx *ctx, uint32_t ssrc, uint16_t seq, uint64_t *idx)
{
	struct srtp_ssrc_state *st = ssrc_find(ctx->rtp_ssrc, ssrc);

	if (st == NULL) {
		if (ssrc_add(ctx->rtp_ssrc, ssrc, seq) == NULL)
			return RTCG_SRTP_SSRC_LIMIT;
		*idx = seq;
		return RTCG_SRTP_OK;
	}
	*idx = rtp_estimate_index(st, seq);
	if (*idx == INDEX_INVALID)
		*idx = seq;
	if (*idx > st->max_index)
		st->max_index = *idx;
	return RTCG_SRTP_OK;
}

HOT uint8_t
send_index_rtcp(struct rtcg_srtp_ctx *ctx, uint32_t ssrc, uint64_t *idx)
{
	struct srtp_ssrc_state *st = ssrc_find(ctx->rtcp_ssrc, ssrc);

	if (st == NULL && (st = ssrc_add(ctx->rtcp_ssrc, ssrc, 0)) == NULL)
		return RTCG_SRTP_SSRC_LIMIT;
	st->max_index = (st->max_index + 1) & 0x7fffffff;
	*idx = st->max_index;
	return RTCG_SRTP_OK;
}

/* Receive side: the RTP index of a packet and the replay pre-check. */
HOT uint8_t
recv_index_rtp(struct rtcg_srtp_ctx *ctx, struct srtp_scratch *s, uint16_t seq)
{
	s->st = ssrc_find(ctx->rtp_ssrc, s->ssrc);
	if (s->st == NULL) {
		s->index = seq;
		return RTCG_SRTP_OK;
	}
	s->index = rtp_estimate_index(s->st, seq);
	if (s->index == INDEX_INVALID || replay_seen(s->st, s->index, ctx->window))
		return RTCG_SRTP_REPLAY;
	return RTCG_SRTP_OK;
}

HOT uint8_t
recv_index_rtcp(struct rtcg_srtp_ctx *ctx, struct srtp_scratch *s)
{
	s->st = ssrc_find(ctx->rtcp_ssrc, s->ssrc);
	if (s->st != NULL && replay_seen(s->st, s->index, ctx->window))
		return RTCG_SRTP_REPLAY;
	return RTCG_SRTP_OK;
}

/*
 * AES-CM IV (RFC 3711 4.1.1): (salt << 16) ^ (SSRC << 64) ^ (index << 16),
 * as two 64-bit words in registers and two stores (byte-wise XORs into the
 * copied salt stalled on the copy's store: ~5% of a protect).
 */
HOT void
cm_iv(uint8_t *iv, const struct srtp_keys *k, uint32_t ssrc, uint64_t index)
{
	uint64_t w[2];

	memcpy(w, k->salt, 16);
	w[0] ^= be64((uint64_t)ssrc);	 /* bytes 4-7 */
	w[1] ^= be64(index << 16); /* bytes 8-13 */
	memcpy(iv, w, 16);
}

/* Send side, RTP: header, room for `trailer` bytes, SSRC and index. */
HOT uint8_t
rtp_send_prepare(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
		 struct srtp_scratch *s, uint32_t trailer)
{
	s->hdr_len = rtp_header_len(pkt->data, pkt->len);
	if (s->hdr_len == 0)
		return RTCG_SRTP_BAD_LENGTH;
	if (pkt->len + trailer > pkt->room)
		return RTCG_SRTP_NO_ROOM;
	s->ssrc = rd32(pkt->data + 8);
	return send_index_rtp(ctx, s->ssrc, rd16(pkt->data + 2), &s->index);
}

/* Receive side, RTP: header before the `tag` bytes, SSRC, index, replay pre-check. */
HOT uint8_t
rtp_recv_prepare(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
		 struct srtp_scratch *s, uint32_t tag, uint32_t *end)
{
	if (pkt->len < 12 + tag)
		return RTCG_SRTP_BAD_LENGTH;
	*end = pkt->len - tag;
	s->hdr_len = rtp_header_len(pkt->data, *end);
	if (s->hdr_len == 0)
		return RTCG_SRTP_BAD_LENGTH;
	s->ssrc = rd32(pkt->data + 8);
	return recv_index_rtp(ctx, s, rd16(pkt->data + 2));
}

/* Send side, RTCP: version, room for `trailer` bytes, SSRC and the next index. */
HOT uint8_t
rtcp_send_prepare(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
		  struct srtp_scratch *s, uint32_t trailer)
{
	if (pkt->len < 8 || (pkt->data[0] >> 6) != 2)
		return RTCG_SRTP_BAD_LENGTH;
	if (pkt->len + trailer > pkt->room)
		return RTCG_SRTP_NO_ROOM;
	s->ssrc = rd32(pkt->data + 4);
	s->hdr_len = 8;
	return send_index_rtcp(ctx, s->ssrc, &s->index);
}

/* ---- AES-CM / NULL with HMAC-SHA1 (RFC 3711) ---- */

static uint8_t
hmac_rtp_protect_prepare(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			 struct srtp_scratch *s)
{
	uint8_t *p = pkt->data;
	uint8_t rc = rtp_send_prepare(ctx, pkt, s, ctx->tag_len);

	if (rc != RTCG_SRTP_OK)
		return rc;
	cm_iv(s->iv, &ctx->rtp, s->ssrc, s->index);
	wr32(p + pkt->len, (uint32_t)(s->index >> 16)); /* ROC, hashed, then overwritten by the tag */
	s->body_len = pkt->len - s->hdr_len;
	s->auth_len = pkt->len + 4;
	return RTCG_SRTP_OK;
}

static uint8_t
hmac_rtp_unprotect_prepare(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			   struct srtp_scratch *s)
{
	uint8_t *p = pkt->data;
	uint32_t end;
	uint8_t rc = rtp_recv_prepare(ctx, pkt, s, ctx->tag_len, &end);

	if (rc != RTCG_SRTP_OK)
		return rc;
	cm_iv(s->iv, &ctx->rtp, s->ssrc, s->index);
	copy_tag(s->tag_rx, p + end, ctx->tag_len);
	wr32(p + end, (uint32_t)(s->index >> 16));
	s->body_len = end - s->hdr_len;
	s->auth_len = end + 4;
	return RTCG_SRTP_OK;
}

static uint8_t
hmac_rtcp_protect_prepare(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			  struct srtp_scratch *s)
{
	uint8_t *p = pkt->data;
	uint8_t rc = rtcp_send_prepare(ctx, pkt, s, 4u + ctx->rtcp_tag_len);

	if (rc != RTCG_SRTP_OK)
		return rc;
	s->encrypted = ctx->cipher != IMB_CIPHER_NULL;
	wr32(p + pkt->len, (uint32_t)s->index | (s->encrypted ? 0x80000000u : 0));
	cm_iv(s->iv, &ctx->rtcp, s->ssrc, s->index);
	s->body_len = s->encrypted ? pkt->len - 8 : 0;
	s->auth_len = pkt->len + 4;
	return RTCG_SRTP_OK;
}

static uint8_t
hmac_rtcp_unprotect_prepare(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			    struct srtp_scratch *s)
{
	uint8_t *p = pkt->data;
	uint32_t trailer, end;

	if (pkt->len < 8u + 4u + ctx->rtcp_tag_len || (p[0] >> 6) != 2)
		return RTCG_SRTP_BAD_LENGTH;
	end = pkt->len - ctx->rtcp_tag_len; /* E|index ends here */
	trailer = rd32(p + end - 4);
	s->encrypted = trailer >> 31;
	s->index = trailer & 0x7fffffff;
	s->ssrc = rd32(p + 4);
	if (recv_index_rtcp(ctx, s) != RTCG_SRTP_OK)
		return RTCG_SRTP_REPLAY;
	cm_iv(s->iv, &ctx->rtcp, s->ssrc, s->index);
	copy_tag(s->tag_rx, p + end, ctx->rtcp_tag_len);
	s->hdr_len = 8;
	s->body_len = s->encrypted ? end - 4 - 8 : 0;
	s->auth_len = end;
	return RTCG_SRTP_OK;
}

HOT void
hmac_fill(const struct rtcg_srtp_ctx *ctx, const struct srtp_keys *k,
	  struct rtcg_srtp_pkt *pkt, struct srtp_scratch *s, IMB_JOB *job, bool encrypt)
{
	job->cipher_direction = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	job->chain_order = encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	job->cipher_mode = s->body_len != 0 ? ctx->cipher : IMB_CIPHER_NULL;
	job->enc_keys = k->cm.aes_enc;
	job->dec_keys = k->cm.aes_enc; /* CTR decrypts with the encrypt schedule */
	job->key_len_in_bytes = IMB_KEY_128_BYTES;
	job->src = pkt->data;
	job->dst = pkt->data + s->hdr_len;
	job->cipher_start_src_offset_in_bytes = s->hdr_len;
	job->msg_len_to_cipher_in_bytes = s->body_len;
	job->iv = s->iv;
	job->iv_len_in_bytes = 16;
	job->hash_alg = IMB_AUTH_HMAC_SHA_1;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = s->auth_len;
	job->u.HMAC._hashed_auth_key_xor_ipad = k->cm.ipad;
	job->u.HMAC._hashed_auth_key_xor_opad = k->cm.opad;
	job->auth_tag_output = s->tag_out;
	job->auth_tag_output_len_in_bytes = TAG_HMAC_FULL;
}

static void
hmac_rtp_protect_fill(const struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
		      struct srtp_scratch *s, IMB_JOB *job)
{
	hmac_fill(ctx, &ctx->rtp, pkt, s, job, true);
}

static void
hmac_rtp_unprotect_fill(const struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			struct srtp_scratch *s, IMB_JOB *job)
{
	hmac_fill(ctx, &ctx->rtp, pkt, s, job, false);
}

static void
hmac_rtcp_protect_fill(const struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
		       struct srtp_scratch *s, IMB_JOB *job)
{
	hmac_fill(ctx, &ctx->rtcp, pkt, s, job, true);
}

static void
hmac_rtcp_unprotect_fill(const struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			 struct srtp_scratch *s, IMB_JOB *job)
{
	hmac_fill(ctx, &ctx->rtcp, pkt, s, job, false);
}

static uint8_t
hmac_rtp_protect_finish(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			struct srtp_scratch *s)
{
	copy_tag(pkt->data + pkt->len, s->tag_out, ctx->tag_len);
	pkt->len += ctx->tag_len;
	return RTCG_SRTP_OK;
}

static uint8_t
hmac_rtp_unprotect_finish(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			  struct srtp_scratch *s)
{
	uint8_t rc;

	if (tag_differs(s->tag_out, s->tag_rx, ctx->tag_len))
		return RTCG_SRTP_AUTH_FAIL;
	rc = accept_index(ctx, ctx->rtp_ssrc, s);
	if (rc == RTCG_SRTP_OK)
		pkt->len -= ctx->tag_len;
	return rc;
}

static uint8_t
hmac_rtcp_protect_finish(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			 struct srtp_scratch *s)
{
	copy_tag(pkt->data + pkt->len + 4, s->tag_out, ctx->rtcp_tag_len);
	pkt->len += 4 + ctx->rtcp_tag_len;
	return RTCG_SRTP_OK;
}

static uint8_t
hmac_rtcp_unprotect_finish(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			   struct srtp_scratch *s)
{
	uint8_t rc;

	if (tag_differs(s->tag_out, s->tag_rx, ctx->rtcp_tag_len))
		return RTCG_SRTP_AUTH_FAIL;
	rc = accept_index(ctx, ctx->rtcp_ssrc, s);
	if (rc == RTCG_SRTP_OK)
		pkt->len -= 4 + ctx->rtcp_tag_len;
	return rc;
}

const struct srtp_ops srtp_ops_hmac[SRTP_KINDS] = {
	[SRTP_PROTECT] = { hmac_rtp_protect_prepare, hmac_rtp_protect_fill, hmac_rtp_protect_finish },
	[SRTP_UNPROTECT] = { hmac_rtp_unprotect_prepare, hmac_rtp_unprotect_fill, hmac_rtp_unprotect_finish },
	[SRTCP_PROTECT] = { hmac_rtcp_protect_prepare, hmac_rtcp_protect_fill, hmac_rtcp_protect_finish },
	[SRTCP_UNPROTECT] = { hmac_rtcp_unprotect_prepare, hmac_rtcp_unprotect_fill, hmac_rtcp_unprotect_finish },
};

/* ---- AEAD AES-GCM (RFC 7714) ---- */

#define GCM_TAG 16

/*
 * SRTP: IV = (00 00 || SSRC || ROC || SEQ) ^ salt; SRTCP: IV = (00 00 ||
 * SSRC || 00 00 || 0 || index) ^ salt, the same bytes for a 31-bit index:
 * SSRC in bytes 2-5, the index's 48 bits in bytes 6-11. Built as cm_iv
 * is, in two registers; the salt's padding leaves bytes 12-15 zero.
 */
HOT void
gcm_iv(uint8_t *iv, const struct srtp_keys *k, uint32_t ssrc, uint64_t index)
{
	uint64_t w[2];

	memcpy(w, k->salt, 16);
	w[0] ^= be64((uint64_t)ssrc << 16 | index >> 32);
	w[1] ^= be64(index << 32);
	memcpy(iv, w, 16);
}

static uint8_t
gcm_rtp_protect_prepare(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			struct srtp_scratch *s)
{
	uint8_t rc = rtp_send_prepare(ctx, pkt, s, GCM_TAG);

	if (rc != RTCG_SRTP_OK)
		return rc;
	gcm_iv(s->iv, &ctx->rtp, s->ssrc, s->index);
	s->body_len = pkt->len - s->hdr_len;
	return RTCG_SRTP_OK;
}

static uint8_t
gcm_rtp_unprotect_prepare(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			  struct srtp_scratch *s)
{
	uint32_t end;
	uint8_t rc = rtp_recv_prepare(ctx, pkt, s, GCM_TAG, &end);

	if (rc != RTCG_SRTP_OK)
		return rc;
	gcm_iv(s->iv, &ctx->rtp, s->ssrc, s->index);
	s->body_len = end - s->hdr_len;
	return RTCG_SRTP_OK;
}

static uint8_t
gcm_rtcp_protect_prepare(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			 struct srtp_scratch *s)
{
	uint8_t *p = pkt->data;
	uint8_t rc = rtcp_send_prepare(ctx, pkt, s, GCM_TAG + 4);

	if (rc != RTCG_SRTP_OK)
		return rc;
	wr32(p + pkt->len + GCM_TAG, 0x80000000u | (uint32_t)s->index);
	memcpy(s->aad, p, 8);
	wr32(s->aad + 8, 0x80000000u | (uint32_t)s->index);
	gcm_iv(s->iv, &ctx->rtcp, s->ssrc, s->index);
	s->body_len = pkt->len - 8;
	return RTCG_SRTP_OK;
}

static uint8_t
gcm_rtcp_unprotect_prepare(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			   struct srtp_scratch *s)
{
	uint8_t *p = pkt->data;
	uint32_t trailer;

	if (pkt->len < 8 + GCM_TAG + 4 || (p[0] >> 6) != 2)
		return RTCG_SRTP_BAD_LENGTH;
	trailer = rd32(p + pkt->len - 4);
	if (!(trailer >> 31))
		return RTCG_SRTP_BAD_LENGTH; /* unencrypted SRTCP-GCM is not accepted */
	s->index = trailer & 0x7fffffff;
	s->ssrc = rd32(p + 4);
	if (recv_index_rtcp(ctx, s) != RTCG_SRTP_OK)
		return RTCG_SRTP_REPLAY;
	memcpy(s->aad, p, 8);
	wr32(s->aad + 8, trailer);
	gcm_iv(s->iv, &ctx->rtcp, s->ssrc, s->index);
	s->hdr_len = 8;
	s->body_len = pkt->len - 4 - GCM_TAG - 8;
	return RTCG_SRTP_OK;
}

HOT void
gcm_fill(const struct rtcg_srtp_ctx *ctx, const struct srtp_keys *k,
	 struct rtcg_srtp_pkt *pkt, struct srtp_scratch *s, IMB_JOB *job, bool encrypt,
	 const uint8_t *aad, uint32_t aad_len)
{
	job->cipher_direction = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	job->chain_order = encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	job->cipher_mode = IMB_CIPHER_GCM;
	job->hash_alg = IMB_AUTH_AES_GMAC;
	job->enc_keys = &k->gcm;
	job->dec_keys = &k->gcm;
	job->key_len_in_bytes = ctx->key_len;
	job->src = pkt->data;
	job->dst = pkt->data + s->hdr_len;
	job->cipher_start_src_offset_in_bytes = s->hdr_len;
	job->msg_len_to_cipher_in_bytes = s->body_len;
	job->hash_start_src_offset_in_bytes = s->hdr_len;
	job->msg_len_to_hash_in_bytes = s->body_len;
	job->iv = s->iv;
	job->iv_len_in_bytes = 12;
	job->u.GCM.aad = aad;
	job->u.GCM.aad_len_in_bytes = aad_len;
	/* Protect writes the tag straight behind the payload. */
	job->auth_tag_output = encrypt ? pkt->data + pkt->len : s->tag_out;
	job->auth_tag_output_len_in_bytes = GCM_TAG;
}

static void
gcm_rtp_protect_fill(const struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
		     struct srtp_scratch *s, IMB_JOB *job)
{
	gcm_fill(ctx, &ctx->rtp, pkt, s, job, true, pkt->data, s->hdr_len);
}

static void
gcm_rtp_unprotect_fill(const struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
		       struct srtp_scratch *s, IMB_JOB *job)
{
	gcm_fill(ctx, &ctx->rtp, pkt, s, job, false, pkt->data, s->hdr_len);
}

static void
gcm_rtcp_protect_fill(const struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
		      struct srtp_scratch *s, IMB_JOB *job)
{
	gcm_fill(ctx, &ctx->rtcp, pkt, s, job, true, s->aad, 12);
}

static void
gcm_rtcp_unprotect_fill(const struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			struct srtp_scratch *s, IMB_JOB *job)
{
	gcm_fill(ctx, &ctx->rtcp, pkt, s, job, false, s->aad, 12);
}

static uint8_t
gcm_rtp_protect_finish(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
		       struct srtp_scratch *s)
{
	pkt->len += GCM_TAG;
	return RTCG_SRTP_OK;
}

static uint8_t
gcm_rtp_unprotect_finish(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			 struct srtp_scratch *s)
{
	uint8_t rc;

	if (tag_differs(s->tag_out, pkt->data + pkt->len - GCM_TAG, GCM_TAG))
		return RTCG_SRTP_AUTH_FAIL;
	rc = accept_index(ctx, ctx->rtp_ssrc, s);
	if (rc == RTCG_SRTP_OK)
		pkt->len -= GCM_TAG;
	return rc;
}

static uint8_t
gcm_rtcp_protect_finish(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			struct srtp_scratch *s)
{
	pkt->len += GCM_TAG + 4;
	return RTCG_SRTP_OK;
}

static uint8_t
gcm_rtcp_unprotect_finish(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			  struct srtp_scratch *s)
{
	uint8_t rc;

	if (tag_differs(s->tag_out, pkt->data + pkt->len - 4 - GCM_TAG, GCM_TAG))
		return RTCG_SRTP_AUTH_FAIL;
	rc = accept_index(ctx, ctx->rtcp_ssrc, s);
	if (rc == RTCG_SRTP_OK)
		pkt->len -= GCM_TAG + 4;
	return rc;
}

const struct srtp_ops srtp_ops_gcm[SRTP_KINDS] = {
	[SRTP_PROTECT] = { gcm_rtp_protect_prepare, gcm_rtp_protect_fill, gcm_rtp_protect_finish },
	[SRTP_UNPROTECT] = { gcm_rtp_unprotect_prepare, gcm_rtp_unprotect_fill, gcm_rtp_unprotect_finish },
	[SRTCP_PROTECT] = { gcm_rtcp_protect_prepare, gcm_rtcp_protect_fill, gcm_rtcp_protect_finish },
	[SRTCP_UNPROTECT] = { gcm_rtcp_unprotect_prepare, gcm_rtcp_unprotect_fill, gcm_rtcp_unprotect_finish },
};

/* ---- the burst driver ---- */

HOT int
likely_ok(const IMB_JOB *job)
{
	return __builtin_expect(job->status == IMB_STATUS_COMPLETED, 1);
}

static inline void
count(struct rtcg_srtp_ctx *ctx, uint8_t status)
{
	if (__builtin_expect(status == RTCG_SRTP_OK, 1))
		ctx->ok++;
	else
		ctx->errors[status - 1]++;
}

/*
 * Run the jobs of an HMAC-SHA1 burst (profile family srtp_ops_hmac) as one
 * cipher-only and one hash-only call on the engine's own jobs: the
 * ciphered ones first in e->jobs, those with nothing to cipher (an empty
 * payload, SRTCP without the E flag, the NULL cipher) after them, so each
 * call gets the contiguous array it takes. Protect ciphers, then hashes the
 * ciphertext; unprotect hashes the ciphertext, then deciphers (the chain
 * orders of the job queue). jobs[j] is packet map[j]'s. False when the
 * library completed fewer jobs than asked (the burst then fails whole).
 */
HOT bool
submit_split(struct rtcg_srtp_engine *e, struct rtcg_srtp_ctx *const *ctx,
	     struct rtcg_srtp_pkt *pkts, const uint8_t *map, unsigned k, enum srtp_kind kind,
	     IMB_JOB **jobs)
{
	bool protect = kind == SRTP_PROTECT || kind == SRTCP_PROTECT;
	unsigned front = 0, back = k;

	for (unsigned j = 0; j < k; j++) {
		unsigned i = map[j];
		IMB_JOB *job = e->scratch[i].body_len != 0 && ctx[i]->cipher == IMB_CIPHER_CNTR
				       ? &e->jobs[front++] : &e->jobs[--back];

		srtp_ops_hmac[kind].fill(ctx[i], &pkts[i], &e->scratch[i], job);
		jobs[j] = job;
	}
	if (protect && front != 0 &&
	    IMB_SUBMIT_CIPHER_BURST_NOCHECK(e->mgr, e->jobs, front, IMB_CIPHER_CNTR, IMB_DIR_ENCRYPT,
					    IMB_KEY_128_BYTES) != front)
		return false;
	if (IMB_SUBMIT_HASH_BURST_NOCHECK(e->mgr, e->jobs, k, IMB_AUTH_HMAC_SHA_1) != k)
		return false;
	if (!protect && front != 0 &&
	    IMB_SUBMIT_CIPHER_BURST_NOCHECK(e->mgr, e->jobs, front, IMB_CIPHER_CNTR, IMB_DIR_DECRYPT,
					    IMB_KEY_128_BYTES) != front)
		return false;
	return true;
}

/*
 * Run the jobs of a GCM burst (srtp_ops_gcm) one by one through
 * intel-ipsec-mb's direct AES-GCM calls, which take the same key data,
 * buffers, IV, AAD and tag the job holds: GCM is one buffer at a time
 * either way, and the direct call skips the job queue (~4 ns a packet of
 * 160 bytes). The jobs are the engine's own, filled as for the queue.
 */
HOT void
submit_gcm_direct(struct rtcg_srtp_engine *e, struct rtcg_srtp_ctx *const *ctx,
		  struct rtcg_srtp_pkt *pkts, const uint8_t *map, unsigned k, enum srtp_kind kind,
		  IMB_JOB **jobs)
{
	bool protect = kind == SRTP_PROTECT || kind == SRTCP_PROTECT;
	struct gcm_context_data cd;

	for (unsigned j = 0; j < k; j++) {
		unsigned i = map[j];
		IMB_JOB *job = &e->jobs[j];
		aes_gcm_enc_dec_t call;

		srtp_ops_gcm[kind].fill(ctx[i], &pkts[i], &e->scratch[i], job);
		/* What IMB_AES{128,256}_GCM_{ENC,DEC} call, picked by the context's key. */
		call = job->key_len_in_bytes == IMB_KEY_256_BYTES
			       ? (protect ? e->mgr->gcm256_enc : e->mgr->gcm256_dec)
			       : (protect ? e->mgr->gcm128_enc : e->mgr->gcm128_dec);
		call(job->enc_keys, &cd, job->dst, job->src + job->cipher_start_src_offset_in_bytes,
		     job->msg_len_to_cipher_in_bytes, job->iv, job->u.GCM.aad,
		     job->u.GCM.aad_len_in_bytes, job->auth_tag_output, GCM_TAG);
		job->status = IMB_STATUS_COMPLETED;
		jobs[j] = job;
	}
}

/*
 * The stages over one burst. With `fixed` a constant table (every packet of
 * the burst in one profile family, the usual case) the handlers are direct
 * calls the compiler inlines; with NULL each packet's context supplies them.
 */
HOT unsigned
run_stages(struct rtcg_srtp_engine *e, struct rtcg_srtp_ctx *const *ctx,
	   struct rtcg_srtp_pkt *pkts, unsigned n, enum srtp_kind kind,
	   const struct srtp_ops *fixed)
{
	IMB_JOB *jobs[RTCG_SRTP_MAX_BURST];
	uint8_t map[RTCG_SRTP_MAX_BURST];
	unsigned k = 0, ok = 0, done;
	bool all = true;

	for (unsigned i = 0; i < n; i++) {
		uint8_t st = (fixed ? fixed : ctx[i]->ops)[kind].prepare(ctx[i], &pkts[i], &e->scratch[i]);

		pkts[i].status = st;
		if (st == RTCG_SRTP_OK)
			map[k++] = i;
		else
			count(ctx[i], st);
	}
	if (k == 0)
		return 0;

	if (fixed == srtp_ops_hmac && e->split) {
		all = submit_split(e, ctx, pkts, map, k, kind, jobs);
	} else if (fixed == srtp_ops_gcm && e->split) {
		submit_gcm_direct(e, ctx, pkts, map, k, kind, jobs);
	} else {
		/* Every call flushes all its jobs, so the manager's queue is empty here. */
		IMB_GET_NEXT_BURST(e->mgr, k, jobs);
		for (unsigned j = 0; j < k; j++) {
			unsigned i = map[j];

			(fixed ? fixed : ctx[i]->ops)[kind].fill(ctx[i], &pkts[i], &e->scratch[i], jobs[j]);
		}
		/* Jobs come back in the order they went in: jobs[j] is packet map[j]. */
		done = IMB_SUBMIT_BURST_NOCHECK(e->mgr, k, jobs);
		if (done < k)
			IMB_FLUSH_BURST(e->mgr, k - done, jobs + done);
	}

	for (unsigned j = 0; j < k; j++) {
		unsigned i = map[j];
		uint8_t st = all && likely_ok(jobs[j]) ? (fixed ? fixed : ctx[i]->ops)[kind].finish(ctx[i], &pkts[i], &e->scratch[i])
						       : RTCG_SRTP_AUTH_FAIL;

		pkts[i].status = st;
		count(ctx[i], st);
		ok += st == RTCG_SRTP_OK;
	}
	return ok;
}

HOT unsigned
run_burst(struct rtcg_srtp_engine *e, struct rtcg_srtp_ctx *const *ctx,
	  struct rtcg_srtp_pkt *pkts, unsigned n, enum srtp_kind kind)
{
	const struct srtp_ops *ops;
	bool uniform = true;

	if (n == 0)
		return 0;
	if (n > RTCG_SRTP_MAX_BURST)
		n = RTCG_SRTP_MAX_BURST;
	ops = ctx[0]->ops;
	for (unsigned i = 1; i < n; i++)
		uniform &= ctx[i]->ops == ops;
	if (uniform && ops == srtp_ops_gcm)
		return run_stages(e, ctx, pkts, n, kind, srtp_ops_gcm);
	if (uniform && ops == srtp_ops_hmac)
		return run_stages(e, ctx, pkts, n, kind, srtp_ops_hmac);
	return run_stages(e, ctx, pkts, n, kind, NULL);
}

unsigned
rtcg_srtp_protect_burst(struct rtcg_srtp_engine *e, struct rtcg_srtp_ctx *const *ctx,
			struct rtcg_srtp_pkt *pkts, unsigned n)
{
	return run_burst(e, ctx, pkts, n, SRTP_PROTECT);
}

unsigned
rtcg_srtp_unprotect_burst(struct rtcg_srtp_engine *e, struct rtcg_srtp_ctx *const *ctx,
			  struct rtcg_srtp_pkt *pkts, unsigned n)
{
	return run_burst(e, ctx, pkts, n, SRTP_UNPROTECT);
}

unsigned
rtcg_srtcp_protect_burst(struct rtcg_srtp_engine *e, struct rtcg_srtp_ctx *const *ctx,
			 struct rtcg_srtp_pkt *pkts, unsigned n)
{
	return run_burst(e, ctx, pkts, n, SRTCP_PROTECT);
}

unsigned
rtcg_srtcp_unprotect_burst(struct rtcg_srtp_engine *e, struct rtcg_srtp_ctx *const *ctx,
			   struct rtcg_srtp_pkt *pkts, unsigned n)
{
	return run_burst(e, ctx, pkts, n, SRTCP_UNPROTECT);
}
