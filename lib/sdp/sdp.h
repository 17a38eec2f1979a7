/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sdp.h - SDP (RFC 8866) as browsers and SIP endpoints write it: a parser
 * into a fixed-size structure (no allocation; limits below, anything over
 * them is an error, never a truncation) and a writer back to text.
 *
 * Understood: session and media lines; BUNDLE groups, mid, rtcp-mux,
 * ICE credentials and ice-lite, candidates (counted and kept), DTLS
 * fingerprint (sha-256 etc.) and setup role, SDES a=crypto, rtpmap, fmtp,
 * rtcp-fb, direction. Other attributes (ssrc, msid, extmap, ...) are kept
 * as text per media section, so an answer can pass them through or drop
 * them deliberately.
 */
#ifndef RTCG_SDP_H
#define RTCG_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDP_MAX_MEDIA 8
#define SDP_MAX_CODECS 32
#define SDP_MAX_CRYPTO 4
#define SDP_MAX_ATTRS 48	/* other a= lines per media section */
#define SDP_MAX_CANDIDATES 16
#define SDP_MAX_BUNDLE 8
#define SDP_TOKEN 64
#define SDP_LINE 256

enum sdp_setup { SDP_SETUP_NONE, SDP_SETUP_ACTPASS, SDP_SETUP_ACTIVE, SDP_SETUP_PASSIVE,
		 SDP_SETUP_HOLDCONN };
enum sdp_dir { SDP_DIR_NONE, SDP_SENDRECV, SDP_SENDONLY, SDP_RECVONLY, SDP_INACTIVE };

struct sdp_codec {
	uint8_t pt;
	char name[32];	   /* as written: opus, PCMU, telephone-event, VP8 */
	uint32_t clock;
	uint8_t channels;  /* 0 when not given */
	char fmtp[SDP_LINE];
	char rtcp_fb[4][SDP_TOKEN];
	unsigned n_rtcp_fb;
};

struct sdp_crypto {
	unsigned tag;
	char suite[48];	 /* AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM, ... */
	char key[128];	 /* the inline: key||salt in base64 (without lifetime/MKI) */
	char params[SDP_LINE]; /* everything after the key, kept */
};

struct sdp_media {
	char type[16];	 /* audio, video, application */
	uint16_t port;	 /* 0: rejected */
	uint16_t n_ports;
	char proto[32];	 /* UDP/TLS/RTP/SAVPF, RTP/SAVP, RTP/AVP, ... */
	char fmt_text[SDP_LINE]; /* the formats of a non-RTP m= line, as written */
	uint8_t fmts[SDP_MAX_CODECS];
	unsigned n_fmts;
	struct sdp_codec codecs[SDP_MAX_CODECS];
	unsigned n_codecs;
	char conn[64];	 /* c= address, empty: the session's */
	char mid[SDP_TOKEN];
	bool rtcp_mux;
	uint16_t rtcp_port; /* a=rtcp, 0 when absent */
	enum sdp_dir dir;
	char ice_ufrag[SDP_TOKEN], ice_pwd[SDP_TOKEN];
	char fp_alg[16];
	uint8_t fp[64];
	unsigned fp_len;
	enum sdp_setup setup;
	struct sdp_crypto crypto[SDP_MAX_CRYPTO];
	unsigned n_crypto;
	char candidates[SDP_MAX_CANDIDATES][SDP_LINE]; /* after "candidate:" */
	unsigned n_candidates;
	bool end_of_candidates;
	char attrs[SDP_MAX_ATTRS][SDP_LINE]; /* other a= values, without "a=" */
	unsigned n_attrs;
};

struct sdp {
	char origin_user[SDP_TOKEN];
	uint64_t sess_id, sess_version;
	char origin_addr[64];
	char name[SDP_TOKEN];
	char conn[64];
	bool ice_lite;
	char ice_ufrag[SDP_TOKEN], ice_pwd[SDP_TOKEN]; /* session level */
	char fp_alg[16];
	uint8_t fp[64];
	unsigned fp_len;
	enum sdp_setup setup;
	char bundle[SDP_MAX_BUNDLE][SDP_TOKEN];
	unsigned n_bundle;
	char attrs[SDP_MAX_ATTRS][SDP_LINE]; /* other session a= values */
	unsigned n_attrs;
	struct sdp_media media[SDP_MAX_MEDIA];
	unsigned n_media;
};

/*
 * Parse text (len bytes, CRLF or LF). Returns 0, or -1 with "line N: what"
 * in err. Media-level ICE and fingerprint fall back to the session's.
 */
int sdp_parse(const char *text, size_t len, struct sdp *out, char *err, size_t errlen);

/* Write s as SDP text (CRLF). Returns the length, or -1 when buf is short. */
int sdp_write(const struct sdp *s, char *buf, size_t len);

/* The codec with payload type pt in m, or NULL. */
const struct sdp_codec *sdp_codec_by_pt(const struct sdp_media *m, uint8_t pt);

/* "sha-256 AB:CD:..." into alg and bytes; 0 or -1. */
int sdp_fingerprint_parse(const char *text, char *alg, size_t alg_len, uint8_t *fp,
			  unsigned *fp_len);
/* bytes to "AB:CD:..." */
void sdp_fingerprint_format(const uint8_t *fp, unsigned len, char *out, size_t outlen);

const char *sdp_setup_name(enum sdp_setup s);
const char *sdp_dir_name(enum sdp_dir d);

#endif /* RTCG_SDP_H */
