/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcgate-srtp - for people who debug calls: protect or unprotect every
 * RTP/RTCP packet of a pcap with one profile and an SDES-style base64
 * master key||salt, writing a new pcap. UDP packets that are not RTP/RTCP,
 * or not of --ssrc, and non-UDP frames are copied unchanged. Prints counts.
 *
 * usage: rtcgate-srtp protect|unprotect --profile NAME --key BASE64
 *                     [--ssrc N] IN.pcap OUT.pcap
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <pcap/pcap.h>

#include "rtcg_srtp.h"

#define ROOM 65600

static void
usage(void)
{
	fprintf(stderr,
		"usage: rtcgate-srtp protect|unprotect --profile NAME --key BASE64 [--ssrc N] IN.pcap OUT.pcap\n"
		"profiles: AES_CM_128_HMAC_SHA1_80 AES_CM_128_HMAC_SHA1_32 AEAD_AES_128_GCM AEAD_AES_256_GCM NULL_HMAC_SHA1_80\n");
	exit(2);
}

/* Base64 (OpenSSL's decoder); returns the decoded length or -1. */
static int
b64_decode(const char *in, uint8_t *out, size_t max)
{
	size_t len = strlen(in), pad = 0;
	int n;

	if (len == 0 || len % 4 != 0 || len / 4 * 3 > max)
		return -1;
	n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
	if (n < 0)
		return -1;
	while (pad < 2 && in[len - 1 - pad] == '=')
		pad++;
	return n - (int)pad;
}

static uint16_t
csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

struct counts {
	unsigned long frames, converted, copied, rejected[RTCG_SRTP_STATUS_MAX];
};

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "key", required_argument, NULL, 'k' },
		{ "ssrc", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *profile_name = NULL, *key_b64 = NULL;
	bool protect, have_ssrc = false;
	uint32_t want_ssrc = 0;
	uint8_t keysalt[64];
	char errbuf[PCAP_ERRBUF_SIZE];
	static uint8_t frame[ROOM];
	struct counts c = { 0 };
	struct rtcg_srtp_engine *e;
	struct rtcg_srtp_ctx *ctx;
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *in, *dead;
	pcap_dumper_t *out;
	int opt, prof, klen, link, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'p')
			profile_name = optarg;
		else if (opt == 'k')
			key_b64 = optarg;
		else if (opt == 's') {
			want_ssrc = (uint32_t)strtoul(optarg, NULL, 0);
			have_ssrc = true;
		} else
			usage();
	}
	if (argc - optind != 3 || profile_name == NULL || key_b64 == NULL)
		usage();
	if (strcmp(argv[optind], "protect") == 0)
		protect = true;
	else if (strcmp(argv[optind], "unprotect") == 0)
		protect = false;
	else
		usage();
	prof = rtcg_srtp_profile_from_name(profile_name);
	if (prof < 0) {
		fprintf(stderr, "rtcgate-srtp: unknown profile '%s'\n", profile_name);
		usage();
	}
	klen = b64_decode(key_b64, keysalt, sizeof(keysalt));
	if (klen != rtcg_srtp_profile_key_len(prof) + rtcg_srtp_profile_salt_len(prof)) {
		fprintf(stderr, "rtcgate-srtp: --key must be base64 of %d bytes (master key || salt) for %s, got %d\n",
			rtcg_srtp_profile_key_len(prof) + rtcg_srtp_profile_salt_len(prof),
			profile_name, klen);
		return 2;
	}
	e = rtcg_srtp_engine_create();
	ctx = aligned_alloc(64, (rtcg_srtp_ctx_size() + 63) & ~(size_t)63);
	if (e == NULL || ctx == NULL ||
	    rtcg_srtp_ctx_init(ctx, e, prof, keysalt, keysalt + rtcg_srtp_profile_key_len(prof),
			       RTCG_SRTP_MAX_WINDOW) != 0) {
		fprintf(stderr, "rtcgate-srtp: cannot set up the SRTP context\n");
		return 1;
	}
	in = pcap_open_offline(argv[optind + 1], errbuf);
	if (in == NULL) {
		fprintf(stderr, "rtcgate-srtp: %s\n", errbuf);
		return 1;
	}
	link = pcap_datalink(in);
	if (link != DLT_EN10MB && link != DLT_RAW && link != DLT_LINUX_SLL && link != DLT_NULL) {
		fprintf(stderr, "rtcgate-srtp: link type %s is not supported\n",
			pcap_datalink_val_to_name(link));
		return 1;
	}
	dead = pcap_open_dead(link, 65535);
	out = pcap_dump_open(dead, argv[optind + 2]);
	if (out == NULL) {
		fprintf(stderr, "rtcgate-srtp: %s\n", pcap_geterr(dead));
		return 1;
	}

	while ((rc = pcap_next_ex(in, &h, &data)) == 1) {
		struct pcap_pkthdr oh = *h;
		uint32_t l3 = 0, l4, caplen = h->caplen;
		uint16_t ethertype = 0;
		uint8_t *ip, *udp, *rtp;
		bool v6;
		struct rtcg_srtp_pkt pk;
		uint32_t rtp_len, ssrc;
		bool is_rtcp;

		c.frames++;
		if (caplen > ROOM - 64 || caplen != h->len)
			goto copy;
		memcpy(frame, data, caplen);
		switch (link) {
		case DLT_EN10MB:
			l3 = 14;
			if (caplen < 14)
				goto copy;
			ethertype = (uint16_t)(frame[12] << 8 | frame[13]);
			while ((ethertype == 0x8100 || ethertype == 0x88a8) && caplen >= l3 + 4) {
				ethertype = (uint16_t)(frame[l3 + 2] << 8 | frame[l3 + 3]);
				l3 += 4;
			}
			break;
		case DLT_LINUX_SLL:
			l3 = 16;
			if (caplen < 16)
				goto copy;
			ethertype = (uint16_t)(frame[14] << 8 | frame[15]);
			break;
		case DLT_NULL:
			l3 = 4;
			ethertype = caplen > 4 && (frame[4] >> 4) == 6 ? 0x86dd : 0x0800;
			break;
		default:
			ethertype = caplen > 0 && (frame[0] >> 4) == 6 ? 0x86dd : 0x0800;
		}
		if (ethertype != 0x0800 && ethertype != 0x86dd)
			goto copy;
		ip = frame + l3;
		v6 = ethertype == 0x86dd;
		if (!v6) {
			if (caplen < l3 + 20 || (ip[0] >> 4) != 4 || ip[9] != 17 ||
			    (ip[6] & 0x3f) != 0 || ip[7] != 0)
				goto copy;
			l4 = l3 + 4 * (ip[0] & 0x0f);
		} else {
			if (caplen < l3 + 40 || ip[6] != 17)
				goto copy;
			l4 = l3 + 40;
		}
		if (caplen < l4 + 8)
			goto copy;
		udp = frame + l4;
		rtp = udp + 8;
		rtp_len = (uint32_t)(udp[4] << 8 | udp[5]);
		if (rtp_len < 8 || l4 + rtp_len > caplen)
			goto copy;
		rtp_len -= 8;
		if (rtp_len < 8 || (rtp[0] >> 6) != 2)
			goto copy;
		/* RFC 5761: RTCP packet types 192-223 in the second byte. */
		is_rtcp = rtp[1] >= 192 && rtp[1] <= 223;
		if (!is_rtcp && rtp_len < 12)
			goto copy;
		{
			const uint8_t *sp = rtp + (is_rtcp ? 4 : 8);

			ssrc = (uint32_t)sp[0] << 24 | (uint32_t)sp[1] << 16 | (uint32_t)sp[2] << 8 | sp[3];
		}
		if (have_ssrc && ssrc != want_ssrc)
			goto copy;

		pk = (struct rtcg_srtp_pkt){ rtp, rtp_len, (uint32_t)(ROOM - (rtp - frame)), 0 };
		if (is_rtcp)
			protect ? rtcg_srtcp_protect_burst(e, &ctx, &pk, 1)
				: rtcg_srtcp_unprotect_burst(e, &ctx, &pk, 1);
		else
			protect ? rtcg_srtp_protect_burst(e, &ctx, &pk, 1)
				: rtcg_srtp_unprotect_burst(e, &ctx, &pk, 1);
		if (pk.status != RTCG_SRTP_OK) {
			c.rejected[pk.status]++;
			continue; /* rejected packets are left out of the output */
		}
		/* New lengths and checksums. */
		{
			uint32_t ulen = pk.len + 8;
			uint32_t total = l4 - l3 + ulen;
			uint16_t sum;

			udp[4] = ulen >> 8;
			udp[5] = ulen;
			udp[6] = udp[7] = 0;
			if (!v6) {
				ip[2] = total >> 8;
				ip[3] = total;
				ip[10] = ip[11] = 0;
				sum = ~csum_add(0, ip, l4 - l3);
				ip[10] = sum >> 8;
				ip[11] = sum;
				/* UDP checksum over IPv4 is optional: left 0. */
			} else {
				uint8_t pseudo[40] = { 0 };

				ip[4] = (ulen >> 8) & 0xff;
				ip[5] = ulen;
				memcpy(pseudo, ip + 8, 32);
				pseudo[34] = ulen >> 8;
				pseudo[35] = ulen;
				pseudo[39] = 17;
				sum = ~csum_add(csum_add(0, pseudo, 40), udp, ulen);
				if (sum == 0)
					sum = 0xffff;
				udp[6] = sum >> 8;
				udp[7] = sum;
			}
			oh.caplen = oh.len = l4 + ulen;
		}
		pcap_dump((u_char *)out, &oh, frame);
		c.converted++;
		continue;
copy:
		pcap_dump((u_char *)out, h, data);
		c.copied++;
	}
	if (rc == -1)
		fprintf(stderr, "rtcgate-srtp: reading %s: %s\n", argv[optind + 1], pcap_geterr(in));
	pcap_dump_close(out);
	pcap_close(dead);
	pcap_close(in);

	printf("frames %lu, %s %lu, copied unchanged %lu", c.frames,
	       protect ? "protected" : "unprotected", c.converted, c.copied);
	for (int s = 1; s < RTCG_SRTP_STATUS_MAX; s++)
		if (c.rejected[s])
			printf(", rejected %s %lu", rtcg_srtp_status_name(s), c.rejected[s]);
	printf("\n");
	rtcg_srtp_engine_destroy(e);
	free(ctx);
	return rc == -1 ? 1 : 0;
}
