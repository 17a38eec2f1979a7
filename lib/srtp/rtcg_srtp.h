/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcg_srtp.h - SRTP and SRTCP (RFC 3711, RFC 7714) in bursts over
 * intel-ipsec-mb, in place on packet buffers. No DPDK here: a packet is a
 * pointer, a length and the room behind it.
 *
 * An engine (one IMB_MGR and job scratch) belongs to one lcore. A context is
 * one direction of one media session: its expanded keys, and per SSRC the
 * rollover counter and replay window. A context is used by one lcore only.
 * Set-up derives and expands every key once; the per-packet path does no key
 * schedule, allocation or branch on the profile (the profile's handlers are
 * picked from a table at set-up).
 *
 * Symbols carry rtcg_srtp_ so they never meet libsrtp2's srtp_ namespace
 * (the tests link both).
 */
#ifndef RTCG_SRTP_H
#define RTCG_SRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTCG_SRTP_MAX_BURST 32
#define RTCG_SRTP_MAX_MASTER_KEY 32
#define RTCG_SRTP_MAX_MASTER_SALT 14
#define RTCG_SRTP_MAX_SSRC 4	 /* SSRCs per context: audio, video, RTX... */
#define RTCG_SRTP_MAX_WINDOW 1024 /* replay window, packets */
#define RTCG_SRTP_DEFAULT_WINDOW 128
#define RTCG_SRTP_MAX_TRAILER 20 /* room a packet needs behind it (SRTCP: 4 + 16) */

enum rtcg_srtp_profile {
	RTCG_SRTP_AES128_CM_SHA1_80,
	RTCG_SRTP_AES128_CM_SHA1_32,
	RTCG_SRTP_AEAD_AES_128_GCM,
	RTCG_SRTP_AEAD_AES_256_GCM,
	RTCG_SRTP_NULL_SHA1_80,
	RTCG_SRTP_PROFILE_MAX
};

/* Per-packet outcome, also the name of the counter it increments. */
enum rtcg_srtp_status {
	RTCG_SRTP_OK = 0,
	RTCG_SRTP_AUTH_FAIL,  /* tag did not verify */
	RTCG_SRTP_REPLAY,     /* index seen before or older than the window */
	RTCG_SRTP_BAD_LENGTH, /* too short, bad version, header past the end */
	RTCG_SRTP_NO_ROOM,    /* no room behind the packet for the tag */
	RTCG_SRTP_SSRC_LIMIT, /* more SSRCs than a context tracks */
	RTCG_SRTP_STATUS_MAX
};

struct rtcg_srtp_pkt {
	uint8_t *data;
	uint32_t len;  /* in: packet length; out: new length when OK */
	uint32_t room; /* bytes writable from data (>= len) */
	uint8_t status; /* enum rtcg_srtp_status, set by every burst call */
};

struct rtcg_srtp_counters {
	uint64_t ok;
	uint64_t auth_fail;
	uint64_t replay;
	uint64_t bad_length;
	uint64_t no_room;
	uint64_t ssrc_limit;
};

struct rtcg_srtp_engine;
struct rtcg_srtp_ctx;

struct rtcg_srtp_engine *rtcg_srtp_engine_create(void);
void rtcg_srtp_engine_destroy(struct rtcg_srtp_engine *e);
/* The instruction set intel-ipsec-mb picked ("avx512", "avx2", "sse"...). */
const char *rtcg_srtp_engine_arch(const struct rtcg_srtp_engine *e);

/* Master key and salt lengths of a profile, in bytes. */
int rtcg_srtp_profile_key_len(enum rtcg_srtp_profile p);
int rtcg_srtp_profile_salt_len(enum rtcg_srtp_profile p);
/* Tag bytes the profile adds to SRTP packets. */
int rtcg_srtp_profile_tag_len(enum rtcg_srtp_profile p);
const char *rtcg_srtp_profile_name(enum rtcg_srtp_profile p);
/* From an SDES/DTLS-SRTP name ("AES_CM_128_HMAC_SHA1_80", ...); -1 if unknown. */
int rtcg_srtp_profile_from_name(const char *name);
const char *rtcg_srtp_status_name(enum rtcg_srtp_status s);

/*
 * Prefetching a context, in two steps. rtcg_srtp_prefetch_early starts
 * loading what a packet under ctx will touch, by the context's layout
 * alone (nothing of it is read, so it may still be in memory): its first
 * line, the first SSRC's state with a window up to 128 packets, and the
 * first four lines of the RTP or SRTCP keys (all an AES_CM_128_HMAC_SHA1
 * packet needs). Once those first lines are in, rtcg_srtp_prefetch_rest
 * adds for n packets what their profile and window need beyond that (GCM
 * and AES-256 key lines, windows over 128; nothing for the common case).
 * Call both, in that order, before rtcg_srtp_*_burst.
 */
void rtcg_srtp_prefetch_early(const struct rtcg_srtp_ctx *ctx, bool rtcp);
void rtcg_srtp_prefetch_rest(struct rtcg_srtp_ctx *const *ctx, unsigned n, bool rtcp);

/* Bytes to allocate for a context (it has no pointers inside: copyable). */
size_t rtcg_srtp_ctx_size(void);

/*
 * Derive and expand the session keys from master key||salt into ctx.
 * window: replay window in packets (64..1024, rounded up to 64); 0 = 128.
 * The engine is used only for its key-expansion functions.
 */
int rtcg_srtp_ctx_init(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_engine *e,
		       enum rtcg_srtp_profile profile, const uint8_t *master_key,
		       const uint8_t *master_salt, unsigned window);

/* Zero the keys. */
void rtcg_srtp_ctx_clear(struct rtcg_srtp_ctx *ctx);

struct rtcg_srtp_counters rtcg_srtp_ctx_counters(const struct rtcg_srtp_ctx *ctx);
enum rtcg_srtp_profile rtcg_srtp_ctx_profile(const struct rtcg_srtp_ctx *ctx);

/*
 * Protect or unprotect n packets (n <= RTCG_SRTP_MAX_BURST), packet i with
 * ctx[i] (a burst may mix sessions and profiles). Each packet's status is
 * set; returns how many are OK. Protect needs room for the tag (and for
 * SRTCP the 4-byte index) behind each packet.
 */
unsigned rtcg_srtp_protect_burst(struct rtcg_srtp_engine *e, struct rtcg_srtp_ctx *const *ctx,
				 struct rtcg_srtp_pkt *pkts, unsigned n);
unsigned rtcg_srtp_unprotect_burst(struct rtcg_srtp_engine *e, struct rtcg_srtp_ctx *const *ctx,
				   struct rtcg_srtp_pkt *pkts, unsigned n);
unsigned rtcg_srtcp_protect_burst(struct rtcg_srtp_engine *e, struct rtcg_srtp_ctx *const *ctx,
				  struct rtcg_srtp_pkt *pkts, unsigned n);
unsigned rtcg_srtcp_unprotect_burst(struct rtcg_srtp_engine *e, struct rtcg_srtp_ctx *const *ctx,
				    struct rtcg_srtp_pkt *pkts, unsigned n);

#endif /* RTCG_SRTP_H */
