/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sdp.c - the SDP parser and writer on a real Chromium offer (captured
 * from Debian's chromium 156, addresses rewritten to 198.18.0.0/15), a SIP
 * phone's offer and an SDES offer; round trips and malformed input.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sdp.h"
#include "unit.h"

static char *
slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;

	snprintf(path, sizeof(path), "%s/tests/fuzz/corpus/sdp/%s", RTCG_SOURCE_ROOT, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	buf = calloc(1, 1 << 16);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	return buf;
}

static int
parse_text(const char *text, struct sdp *s, char *err)
{
	return sdp_parse(text, strlen(text), s, err, 200);
}

TEST(sdp_chromium_offer)
{
	struct sdp *s = calloc(1, sizeof(*s)), *s2 = calloc(1, sizeof(*s2));
	size_t len = 0;
	char *text = slurp("chromium_offer.sdp", &len), err[200] = "", out[1 << 16];
	const struct sdp_media *a, *v;
	const struct sdp_codec *opus;
	int n;

	CHECK(text != NULL);
	CHECK(sdp_parse(text, len, s, err, sizeof(err)) == 0);
	if (err[0])
		fprintf(stderr, "%s\n", err);
	CHECK(s->n_media == 2 && s->n_bundle == 2);
	CHECK(strcmp(s->bundle[0], "0") == 0 && strcmp(s->bundle[1], "1") == 0);
	a = &s->media[0];
	v = &s->media[1];
	CHECK(strcmp(a->type, "audio") == 0 && strcmp(a->proto, "UDP/TLS/RTP/SAVPF") == 0);
	CHECK(a->n_fmts == 8 && a->fmts[0] == 111);
	opus = sdp_codec_by_pt(a, 111);
	CHECK(opus != NULL && strcmp(opus->name, "opus") == 0 && opus->clock == 48000 &&
	      opus->channels == 2 && strcmp(opus->fmtp, "minptime=10;useinbandfec=1") == 0);
	CHECK(opus != NULL && opus->n_rtcp_fb == 1 && strcmp(opus->rtcp_fb[0], "transport-cc") == 0);
	CHECK(strcmp(sdp_codec_by_pt(a, 0)->name, "PCMU") == 0);
	CHECK(strcmp(sdp_codec_by_pt(a, 126)->name, "telephone-event") == 0);
	CHECK(strcmp(a->mid, "0") == 0 && a->rtcp_mux && a->dir == SDP_SENDRECV);
	CHECK(strcmp(a->ice_ufrag, "o9X1") == 0 && strlen(a->ice_pwd) == 24);
	CHECK(strcmp(a->fp_alg, "sha-256") == 0 && a->fp_len == 32 && a->fp[0] == 0x2E);
	CHECK(a->setup == SDP_SETUP_ACTPASS);
	CHECK(a->n_candidates == 4 && strncmp(a->candidates[0], "2583745563 1 udp", 16) == 0);
	CHECK(strcmp(a->conn, "198.18.0.2") == 0 && a->port == 38477 && a->rtcp_port == 9);
	CHECK(strcmp(v->type, "video") == 0 && strcmp(sdp_codec_by_pt(v, 96)->name, "VP8") == 0);
	CHECK(sdp_codec_by_pt(v, 96)->n_rtcp_fb == 4); /* 5 given, 4 kept */
	/* ssrc, msid and extmap lines are kept for pass-through. */
	{
		bool ssrc = false, extmap = false;

		for (unsigned i = 0; i < a->n_attrs; i++) {
			ssrc |= strncmp(a->attrs[i], "ssrc:2895808148 cname:", 22) == 0;
			extmap |= strcmp(a->attrs[i], "extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level") == 0;
		}
		CHECK(ssrc && extmap);
	}
	/* Write and parse again: the same description. */
	n = sdp_write(s, out, sizeof(out));
	CHECK(n > 0);
	CHECK(sdp_parse(out, (size_t)n, s2, err, sizeof(err)) == 0);
	CHECK(s2->n_media == 2 && s2->media[0].n_fmts == 8 && s2->media[1].n_fmts == v->n_fmts);
	CHECK(memcmp(s2->media[0].fp, a->fp, 32) == 0 && s2->media[0].setup == SDP_SETUP_ACTPASS);
	CHECK(strcmp(sdp_codec_by_pt(&s2->media[0], 111)->fmtp, opus->fmtp) == 0);
	CHECK(s2->media[0].n_attrs == a->n_attrs && s2->media[0].n_candidates == 4);
	/* A short buffer is an error, not a truncation. */
	CHECK(sdp_write(s, out, 100) == -1);
	free(text);
	free(s);
	free(s2);
}

TEST(sdp_sip_and_sdes_offers)
{
	struct sdp *s = calloc(1, sizeof(*s));
	size_t len = 0;
	char *text = slurp("sip_offer.sdp", &len), err[200];

	CHECK(sdp_parse(text, len, s, err, sizeof(err)) == 0);
	CHECK(s->n_media == 1 && strcmp(s->media[0].conn, "198.19.0.10") == 0);
	CHECK(strcmp(s->media[0].proto, "RTP/AVP") == 0 && s->media[0].n_fmts == 3);
	CHECK(strcmp(sdp_codec_by_pt(&s->media[0], 8)->name, "PCMA") == 0);
	CHECK(strcmp(sdp_codec_by_pt(&s->media[0], 101)->fmtp, "0-16") == 0);
	free(text);
	text = slurp("sdes_offer.sdp", &len);
	CHECK(sdp_parse(text, len, s, err, sizeof(err)) == 0);
	CHECK(s->n_media == 2 && s->media[0].n_crypto == 2);
	CHECK(strcmp(s->media[0].crypto[0].suite, "AES_CM_128_HMAC_SHA1_80") == 0);
	CHECK(strcmp(s->media[0].crypto[0].key, "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz") == 0);
	CHECK(strcmp(s->media[0].crypto[0].params, "|2^20|1:4") == 0);
	CHECK(s->media[0].crypto[1].tag == 2);
	CHECK(strcmp(s->media[1].type, "application") == 0);
	free(text);
	free(s);
}

TEST(sdp_malformed)
{
	static const struct { const char *text, *why; } cases[] = {
		{ "o=- 1 1 IN IP4 1.2.3.4\r\n", "line 1: the first line must be v=0" },
		{ "v=0\r\ns=-\r\n", "no o= line" },
		{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 9 RTP/AVP 96\r\n", "payload type 96 has no rtpmap" },
		{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:8 PCMA/8000\r\n", "line 4: payload type 8 is not on the m= line" },
		{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 70000 RTP/AVP 0\r\n", "bad m= port" },
		{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 9 RTP/AVP 0 0\r\n", "payload type 0 twice" },
		{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 9 RTP/AVP 128\r\n", "bad payload type" },
		{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\na=fingerprint:sha-256 AB:C\r\n", "bad fingerprint" },
		{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 9 RTP/AVP 0\r\na=setup:sometimes\r\n", "bad setup" },
		{ "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nX=1\r\n", "line 3: not a 'x=value' line" },
	};
	struct sdp *s = calloc(1, sizeof(*s));
	char err[200];

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		CHECK(parse_text(cases[i].text, s, err) == -1);
		CHECK_STR_CONTAINS(err, cases[i].why);
	}
	{
		char many[4096] = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n";

		for (int i = 0; i < 9; i++)
			strcat(many, "m=audio 9 RTP/AVP 0\r\n");
		CHECK(parse_text(many, s, err) == -1);
		CHECK_STR_CONTAINS(err, "more than 8 m= lines");
	}
	CHECK(sdp_parse("v=0\r\no\0=x", 9, s, err, sizeof(err)) == -1);
	CHECK(parse_text("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\na=x:1\r2\r\n", s, err) == -1);
	CHECK_STR_CONTAINS(err, "line 3: control character 0x0d");
	free(s);
}
