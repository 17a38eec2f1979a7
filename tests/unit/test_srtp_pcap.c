/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_srtp_pcap.c - tools/rtcgate-srtp round trip, for every profile: a pcap
 * of RTP and RTCP over IPv4 and IPv6 (CSRCs, extensions, a sequence wrap),
 * with other frames mixed in, is protected by the tool; libsrtp2 must
 * unprotect every packet of that to the original; the tool's unprotect must
 * give back the original file's packets byte for byte.
 *
 * usage: test_srtp_pcap PATH-TO-rtcgate-srtp
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <pcap/pcap.h>
#include <srtp2/srtp.h>

#include "libsrtp_policy.h"
#include "rtcg_srtp.h"

#define N_FRAMES 400
#define MAXF 1600

static uint8_t frames[N_FRAMES][MAXF];
static uint32_t flen[N_FRAMES], payload_off[N_FRAMES], payload_len[N_FRAMES];
static bool is_rtp[N_FRAMES], is_rtcp[N_FRAMES];
static unsigned failures;

#define EXPECT(c, ...) do { if (!(c)) { failures++; fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static uint32_t seed = 12345;
static uint32_t rnd(void) { seed = seed * 1103515245 + 12345; return seed >> 8; }

static uint16_t
csum(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Ethernet + IPv4/IPv6 + UDP around an RTP, RTCP or other payload. */
static void
make_frames(void)
{
	uint16_t seq = 65500;

	for (unsigned i = 0; i < N_FRAMES; i++) {
		uint8_t *f = frames[i], *ip = f + 14, *udp, *pl;
		bool v6 = i % 3 == 0;
		unsigned kind = i % 10; /* 0..6 RTP, 7..8 RTCP, 9 other */
		uint32_t len = 0, l4;

		memset(f, 0, MAXF);
		memcpy(f, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
		f[12] = v6 ? 0x86 : 0x08;
		f[13] = v6 ? 0xdd : 0x00;
		l4 = 14 + (v6 ? 40 : 20);
		udp = f + l4;
		pl = udp + 8;
		if (kind <= 6) {
			unsigned cc = rnd() % 3, ext = rnd() % 2, words = rnd() % 3;

			pl[0] = 0x80 | (ext ? 0x10 : 0) | cc;
			pl[1] = 111;
			pl[2] = seq >> 8; pl[3] = seq; seq++;
			pl[8] = 0x11; pl[9] = 0x22; pl[10] = 0x33; pl[11] = 0x44;
			for (uint32_t b = 4; b < 8; b++)
				pl[b] = rnd();
			for (len = 12; len < 12 + 4 * cc; len++)
				pl[len] = rnd();
			if (ext) {
				pl[len] = 0xbe; pl[len + 1] = 0xde; pl[len + 3] = words;
				len += 4;
				for (uint32_t b = 0; b < 4 * words; b++)
					pl[len++] = rnd();
			}
			for (uint32_t end = len + rnd() % 300; len < end; len++)
				pl[len] = rnd();
			is_rtp[i] = true;
		} else if (kind <= 8) {
			len = 8 + 4 * (rnd() % 20);
			pl[0] = 0x81; pl[1] = 200; pl[2] = 0; pl[3] = len / 4 - 1;
			pl[4] = 0x11; pl[5] = 0x22; pl[6] = 0x33; pl[7] = 0x44;
			for (uint32_t b = 8; b < len; b++)
				pl[b] = rnd();
			is_rtcp[i] = true;
		} else {
			len = 20;
			memcpy(pl, "not rtp, just udp...", 20);
		}
		udp[0] = 0x9c; udp[1] = 0x40; udp[2] = 0x75; udp[3] = 0x30;
		udp[4] = (len + 8) >> 8; udp[5] = len + 8;
		if (v6) {
			uint8_t pseudo[40] = { 0 };
			uint16_t s;

			ip[0] = 0x60; ip[4] = (len + 8) >> 8; ip[5] = len + 8; ip[6] = 17; ip[7] = 64;
			ip[8] = 0x20; ip[9] = 0x01; ip[10] = 0x0d; ip[11] = 0xb8; ip[23] = 1;
			ip[24] = 0x20; ip[25] = 0x01; ip[26] = 0x0d; ip[27] = 0xb8; ip[39] = 2;
			memcpy(pseudo, ip + 8, 32);
			pseudo[34] = (len + 8) >> 8; pseudo[35] = len + 8; pseudo[39] = 17;
			s = ~csum(csum(0, pseudo, 40), udp, len + 8);
			udp[6] = s >> 8; udp[7] = s ? s : 0xff;
			if (!s)
				udp[6] = 0xff;
		} else {
			uint16_t s;

			ip[0] = 0x45; ip[2] = (len + 28) >> 8; ip[3] = len + 28; ip[8] = 64; ip[9] = 17;
			ip[12] = 198; ip[13] = 18; ip[15] = 1; ip[16] = 198; ip[17] = 18; ip[19] = 2;
			s = ~csum(0, ip, 20);
			ip[10] = s >> 8; ip[11] = s;
		}
		flen[i] = l4 + 8 + len;
		payload_off[i] = l4 + 8;
		payload_len[i] = len;
	}
}

static void
write_pcap(const char *path)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pcap_dump_open(dead, path);

	for (unsigned i = 0; i < N_FRAMES; i++) {
		struct pcap_pkthdr h = { { 1700000000 + i, i }, flen[i], flen[i] };

		pcap_dump((u_char *)d, &h, frames[i]);
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

static int
run_tool(const char *tool, const char *verb, const char *prof, const char *key,
	 const char *in, const char *out)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "%s %s --profile %s --key %s %s %s", tool, verb, prof, key, in, out);
	printf("$ %s\n", cmd);
	fflush(stdout);
	return system(cmd);
}

static void
check_profile(const char *tool, enum rtcg_srtp_profile prof, const char *dir)
{
	const char *name = rtcg_srtp_profile_name(prof);
	unsigned kl = rtcg_srtp_profile_key_len(prof) + rtcg_srtp_profile_salt_len(prof);
	uint8_t keysalt[64];
	char key[100], in[512], prot[512], back[512], errbuf[PCAP_ERRBUF_SIZE];
	srtp_policy_t pol;
	srtp_t rx = NULL;
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	unsigned i = 0;

	for (unsigned b = 0; b < kl; b++)
		keysalt[b] = rnd();
	EVP_EncodeBlock((unsigned char *)key, keysalt, kl);
	snprintf(in, sizeof(in), "%s/in.pcap", dir);
	snprintf(prot, sizeof(prot), "%s/prot-%s.pcap", dir, name);
	snprintf(back, sizeof(back), "%s/back-%s.pcap", dir, name);
	EXPECT(run_tool(tool, "protect", name, key, in, prot) == 0, "%s: protect failed", name);

	libsrtp_policy_for(prof, &pol);
	pol.key = keysalt;
	pol.ssrc.type = ssrc_any_inbound;
	pol.window_size = 1024;
	EXPECT(srtp_create(&rx, &pol) == srtp_err_status_ok, "%s: libsrtp2 session", name);

	p = pcap_open_offline(prot, errbuf);
	EXPECT(p != NULL, "%s: %s", name, errbuf);
	while (p && rx && pcap_next_ex(p, &h, &data) == 1 && i < N_FRAMES) {
		uint8_t buf[MAXF + 64];
		int len = (int)(h->caplen - payload_off[i]);

		if (is_rtp[i] || is_rtcp[i]) {
			srtp_err_status_t st;

			memcpy(buf, data + payload_off[i], len);
			st = is_rtp[i] ? srtp_unprotect(rx, buf, &len) : srtp_unprotect_rtcp(rx, buf, &len);
			EXPECT(st == srtp_err_status_ok, "%s: frame %u: libsrtp2 refused it (%d)", name, i, st);
			EXPECT(st != srtp_err_status_ok ||
			       ((uint32_t)len == payload_len[i] &&
				memcmp(buf, frames[i] + payload_off[i], len) == 0),
			       "%s: frame %u: libsrtp2 got other bytes", name, i);
		} else {
			EXPECT(h->caplen == flen[i] && memcmp(data, frames[i], flen[i]) == 0,
			       "%s: frame %u: a non-RTP frame was changed", name, i);
		}
		i++;
	}
	EXPECT(i == N_FRAMES, "%s: %u frames in the protected pcap", name, i);
	if (p)
		pcap_close(p);
	if (rx)
		srtp_dealloc(rx);

	EXPECT(run_tool(tool, "unprotect", name, key, prot, back) == 0, "%s: unprotect failed", name);
	p = pcap_open_offline(back, errbuf);
	i = 0;
	while (p && pcap_next_ex(p, &h, &data) == 1 && i < N_FRAMES) {
		EXPECT(h->caplen == flen[i] && memcmp(data, frames[i], flen[i]) == 0,
		       "%s: frame %u differs after the round trip", name, i);
		i++;
	}
	EXPECT(i == N_FRAMES, "%s: %u frames after the round trip", name, i);
	if (p)
		pcap_close(p);
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/rtcg-pcap-XXXXXX", in[600], cmd[700];
	unsigned before, passed = 0, failed = 0;

	if (argc != 2 || mkdtemp(dir) == NULL)
		return 2;
	srtp_init();
	make_frames();
	snprintf(in, sizeof(in), "%s/in.pcap", dir);
	write_pcap(in);
	for (int prof = 0; prof < RTCG_SRTP_PROFILE_MAX; prof++) {
		before = failures;
		check_profile(argv[1], prof, dir);
		if (failures == before) {
			passed++;
			printf("ok   %s round trip\n", rtcg_srtp_profile_name(prof));
		} else {
			failed++;
			printf("FAIL %s round trip\n", rtcg_srtp_profile_name(prof));
		}
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	printf("%u passed, %u failed\n", passed, failed);
	return failed != 0;
}
