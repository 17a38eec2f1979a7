/* SPDX-License-Identifier: BSD-3-Clause */
/* srtp_priv.h - lib/srtp internals: contexts, per-SSRC state, the handler table. */
#ifndef RTCG_SRTP_PRIV_H
#define RTCG_SRTP_PRIV_H

#include <stdbool.h>

#include <intel-ipsec-mb.h>

#include "rtcg_srtp.h"

#define SRTP_WINDOW_WORDS (RTCG_SRTP_MAX_WINDOW / 64)

/*
 * Session keys of one of SRTP or SRTCP, expanded for intel-ipsec-mb, on a
 * cache line of their own. The salt and HMAC states come first and the AES
 * schedule last, so AES_CM_128 with HMAC-SHA1 (an 11-round schedule, 176 of
 * its 240 bytes) reads exactly 4 cache lines.
 */
struct srtp_keys {
	uint8_t salt[16]; /* session salt (14 or 12 bytes), zero padded */
	union {
		struct {
			DECLARE_ALIGNED(uint8_t ipad[32], 16); /* SHA1 state after key^ipad */
			DECLARE_ALIGNED(uint8_t opad[32], 16); /* SHA1 state after key^opad */
			DECLARE_ALIGNED(uint8_t aes_enc[15 * 16], 16); /* CTR: encrypt schedule */
		} cm;
		struct gcm_key_data gcm;
	};
} __attribute__((aligned(64)));

/* Rollover state and replay window of one SSRC, in one direction. */
struct srtp_ssrc_state {
	uint32_t ssrc;
	uint8_t used;
	uint64_t max_index; /* highest index sent or authenticated */
	uint64_t window[SRTP_WINDOW_WORDS]; /* bit i: max_index - i was seen */
};

/* What the prepare stage leaves for the job and finish stages, per packet. */
struct srtp_scratch {
	DECLARE_ALIGNED(uint8_t iv[16], 16);
	DECLARE_ALIGNED(uint8_t tag_out[16], 16); /* tag computed by the library */
	uint8_t tag_rx[16];			  /* tag received, for unprotect */
	uint8_t aad[12];			  /* SRTCP-GCM: header || E|index */
	uint64_t index;				  /* RTP 48-bit or SRTCP 31-bit */
	struct srtp_ssrc_state *st;		  /* NULL: a new SSRC */
	uint32_t hdr_len;
	uint32_t body_len;  /* bytes ciphered */
	uint32_t auth_len;  /* HMAC: bytes hashed */
	uint32_t ssrc;
	uint8_t encrypted; /* SRTCP E flag */
};

enum srtp_kind { SRTP_PROTECT, SRTP_UNPROTECT, SRTCP_PROTECT, SRTCP_UNPROTECT, SRTP_KINDS };

struct rtcg_srtp_ctx;

/* A profile family's handlers, one set per kind; chosen once at ctx init. */
struct srtp_ops {
	uint8_t (*prepare)(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			   struct srtp_scratch *s);
	void (*fill)(const struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
		     struct srtp_scratch *s, IMB_JOB *job);
	uint8_t (*finish)(struct rtcg_srtp_ctx *ctx, struct rtcg_srtp_pkt *pkt,
			  struct srtp_scratch *s);
};

/*
 * Laid out for the worker's cache: what an RTP packet touches (the header,
 * the ok counter and the first SSRC's state on one line, then the SRTP
 * keys) comes first; SRTCP's keys and state, touched a few times a second,
 * last. rtcg_srtp_prefetch_early and _rest know these offsets.
 */
struct rtcg_srtp_ctx {
	/* First line: all a packet of the first SSRC reads and writes here (with a window up to 128). */
	const struct srtp_ops *ops; /* [SRTP_KINDS], from a constant table */
	enum rtcg_srtp_profile profile;
	uint8_t tag_len;	/* SRTP tag */
	uint8_t rtcp_tag_len;	/* SRTCP tag (80 bits for every HMAC profile) */
	uint8_t key_len;
	IMB_CIPHER_MODE cipher; /* CNTR, NULL or GCM */
	unsigned window;	/* replay window, packets, multiple of 64 */
	uint64_t ok;		/* packets protected or unprotected */
	struct srtp_ssrc_state rtp_ssrc[RTCG_SRTP_MAX_SSRC];
	uint64_t errors[RTCG_SRTP_SSRC_LIMIT]; /* [status - 1], rare */
	struct srtp_keys rtp;
	struct srtp_keys rtcp;
	struct srtp_ssrc_state rtcp_ssrc[RTCG_SRTP_MAX_SSRC];
};

/*
 * An engine: one intel-ipsec-mb manager and the burst's scratch, per
 * thread. HMAC-SHA1 profiles run through the library's cipher-only and
 * hash-only burst calls on jobs of the engine's own (one array of a burst's
 * size, reused every burst, so it stays in L1), and GCM through its direct
 * calls, rather than through the manager's job queue, whose 256 jobs of 200
 * bytes (50 KiB, more than a core's L1) a burst walks on from where the
 * last one stopped: ~10% fewer cycles a packet for the same work
 * (docs/benchmarks.md). `split` says the library passed the engine's
 * start-up check of those calls (srtp_split_probe); bursts mixing profile
 * families use the queue.
 */
struct rtcg_srtp_engine {
	IMB_MGR *mgr;
	struct srtp_scratch scratch[RTCG_SRTP_MAX_BURST];
	IMB_JOB jobs[RTCG_SRTP_MAX_BURST];
	bool split;
	char arch[16];
};

/* Do the engine's own jobs give what the job queue gives, on this CPU and library? Sets e->split. */
bool srtp_split_probe(struct rtcg_srtp_engine *e);

/* RFC 3711 key derivation (kdr 0): out_len bytes of session key for label. */
int rtcg_srtp_kdf(const uint8_t *mkey, unsigned mkey_len, const uint8_t *msalt,
		  unsigned msalt_len, uint8_t label, uint8_t *out, unsigned out_len);

extern const struct srtp_ops srtp_ops_hmac[SRTP_KINDS];
extern const struct srtp_ops srtp_ops_gcm[SRTP_KINDS];

#endif /* RTCG_SRTP_PRIV_H */
