/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sdes_peer - an SDES peer for the WebRTC test, with libsrtp2 (the reference
 * SRTP implementation) for its media: it does what a legacy SDES endpoint
 * with ICE does after the offer/answer the test made through the API.
 *
 *   sdes_peer LOCAL_IP LOCAL_PORT GW_IP GW_PORT GW_UFRAG GW_PWD MY_UFRAG
 *             PROFILE TX_KEY RX_KEY COUNT
 *
 * An ICE connectivity check (USERNAME GW_UFRAG:MY_UFRAG, PRIORITY,
 * ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY with GW_PWD,
 * FINGERPRINT) until the gateway answers; then COUNT RTP packets (PCMU,
 * 20 ms, a payload pattern per sequence number) protected with TX_KEY (our
 * offer's inline key), and every packet that comes back unprotected with
 * RX_KEY (the answer's) and compared with what was sent. Prints
 * "checks=N sent=N received=N intact=N auth_fail=N" and exits 0 when every
 * packet came back intact.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <srtp2/srtp.h>
#include <zlib.h>

#define PAYLOAD 160

static size_t
put_attr(uint8_t *msg, size_t off, uint16_t type, const void *val, uint16_t len)
{
	msg[off] = type >> 8;
	msg[off + 1] = type & 0xff;
	msg[off + 2] = len >> 8;
	msg[off + 3] = len & 0xff;
	if (len)
		memcpy(msg + off + 4, val, len);
	off += 4 + len;
	while (off % 4)
		msg[off++] = 0;
	return off;
}

static void
set_len(uint8_t *msg, size_t total)
{
	msg[2] = (uint8_t)((total - 20) >> 8);
	msg[3] = (uint8_t)((total - 20) & 0xff);
}

/* An ICE Binding request with USE-CANDIDATE, integrity and fingerprint. */
static size_t
binding_request(uint8_t *msg, const char *user, const char *pwd)
{
	uint32_t prio = htonl(0x6e7f00ff), crc;
	uint8_t tie[8], mac[20];
	unsigned maclen = 20;
	size_t off;

	memset(msg, 0, 20);
	msg[1] = 0x01; /* Binding request */
	msg[4] = 0x21, msg[5] = 0x12, msg[6] = 0xa4, msg[7] = 0x42;
	RAND_bytes(msg + 8, 12);
	RAND_bytes(tie, sizeof(tie));
	off = put_attr(msg, 20, 0x0006, user, (uint16_t)strlen(user));
	off = put_attr(msg, off, 0x0024, &prio, 4);
	off = put_attr(msg, off, 0x802a, tie, 8);
	off = put_attr(msg, off, 0x0025, NULL, 0);
	set_len(msg, off + 24);
	HMAC(EVP_sha1(), pwd, (int)strlen(pwd), msg, off, mac, &maclen);
	off = put_attr(msg, off, 0x0008, mac, 20);
	set_len(msg, off + 8);
	crc = htonl((uint32_t)crc32(0, msg, (uInt)off) ^ 0x5354554e);
	return put_attr(msg, off, 0x8028, &crc, 4);
}

static int
policy(srtp_policy_t *p, const char *profile, const char *key_b64, bool inbound,
       uint8_t *keybuf)
{
	int n = EVP_DecodeBlock(keybuf, (const unsigned char *)key_b64, (int)strlen(key_b64));

	memset(p, 0, sizeof(*p));
	if (strcmp(profile, "AES_CM_128_HMAC_SHA1_80") == 0) {
		srtp_crypto_policy_set_rtp_default(&p->rtp);
		srtp_crypto_policy_set_rtcp_default(&p->rtcp);
	} else if (strcmp(profile, "AEAD_AES_128_GCM") == 0) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtcp);
	} else {
		fprintf(stderr, "unknown profile %s\n", profile);
		return -1;
	}
	if (n < 0)
		return -1;
	p->ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	p->key = keybuf;
	p->window_size = 128;
	return 0;
}

static void
pattern(uint8_t *p, uint16_t seq)
{
	for (int i = 0; i < PAYLOAD; i++)
		p[i] = (uint8_t)(seq * 7 + i);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in me = { .sin_family = AF_INET }, gw = { .sin_family = AF_INET };
	srtp_policy_t tx_p, rx_p;
	srtp_t tx, rx;
	uint8_t txkey[64], rxkey[64], buf[1500];
	char user[256];
	unsigned checks = 0, sent = 0, received = 0, intact = 0, auth_fail = 0, count;
	bool connected = false;
	int fd;

	if (argc != 12) {
		fprintf(stderr, "usage: sdes_peer LOCAL_IP LOCAL_PORT GW_IP GW_PORT GW_UFRAG GW_PWD MY_UFRAG PROFILE TX_KEY RX_KEY COUNT\n");
		return 2;
	}
	inet_pton(AF_INET, argv[1], &me.sin_addr);
	me.sin_port = htons((uint16_t)atoi(argv[2]));
	inet_pton(AF_INET, argv[3], &gw.sin_addr);
	gw.sin_port = htons((uint16_t)atoi(argv[4]));
	snprintf(user, sizeof(user), "%s:%s", argv[5], argv[7]);
	count = (unsigned)atoi(argv[11]);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) != 0 ||
	    connect(fd, (struct sockaddr *)&gw, sizeof(gw)) != 0) {
		perror("socket");
		return 1;
	}
	if (srtp_init() != srtp_err_status_ok ||
	    policy(&tx_p, argv[8], argv[9], false, txkey) != 0 ||
	    policy(&rx_p, argv[8], argv[10], true, rxkey) != 0 ||
	    srtp_create(&tx, &tx_p) != srtp_err_status_ok || srtp_create(&rx, &rx_p) != srtp_err_status_ok) {
		fprintf(stderr, "libsrtp2 set-up failed\n");
		return 1;
	}
	/* ICE: checks every 100 ms (at most 50) until a Binding success comes. */
	for (int i = 0; i < 50 && !connected; i++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		size_t n = binding_request(buf, user, argv[6]);

		if (send(fd, buf, n, 0) > 0)
			checks++;
		while (poll(&pfd, 1, 100) > 0) {
			ssize_t r = recv(fd, buf, sizeof(buf), 0);

			if (r >= 20 && buf[0] == 0x01 && buf[1] == 0x01) {
				connected = true;
				break;
			}
		}
	}
	if (!connected) {
		printf("checks=%u sent=0 received=0 intact=0 auth_fail=0 (no ICE answer)\n", checks);
		return 1;
	}
	/* Media: one packet every 20 ms, and whatever comes back. */
	for (unsigned i = 0; i < count + 25; i++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct timespec until, now;

		if (i < count) {
			int len = 12 + PAYLOAD;
			uint16_t seq = (uint16_t)(1000 + i);
			uint32_t ts = htonl(160u * i), ssrc = htonl(0x5de5cafe);

			buf[0] = 0x80;
			buf[1] = 0; /* PCMU */
			buf[2] = seq >> 8;
			buf[3] = seq & 0xff;
			memcpy(buf + 4, &ts, 4);
			memcpy(buf + 8, &ssrc, 4);
			pattern(buf + 12, seq);
			if (srtp_protect(tx, buf, &len) == srtp_err_status_ok && send(fd, buf, (size_t)len, 0) > 0)
				sent++;
		}
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += 20000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		for (;;) {
			int ms;
			ssize_t r;

			clock_gettime(CLOCK_MONOTONIC, &now);
			ms = (int)((until.tv_sec - now.tv_sec) * 1000 + (until.tv_nsec - now.tv_nsec) / 1000000);
			if (ms <= 0 || poll(&pfd, 1, ms) <= 0)
				break;
			r = recv(fd, buf, sizeof(buf), 0);
			if (r < 12 || buf[0] < 128 || buf[0] > 191)
				continue; /* STUN answers and the like */
			received++;
			{
				int len = (int)r;
				uint8_t want[PAYLOAD];

				if (srtp_unprotect(rx, buf, &len) != srtp_err_status_ok) {
					auth_fail++;
					continue;
				}
				pattern(want, (uint16_t)(buf[2] << 8 | buf[3]));
				if (len == 12 + PAYLOAD && memcmp(buf + 12, want, PAYLOAD) == 0)
					intact++;
			}
		}
	}
	printf("checks=%u sent=%u received=%u intact=%u auth_fail=%u\n", checks, sent, received, intact,
	       auth_fail);
	srtp_dealloc(tx);
	srtp_dealloc(rx);
	close(fd);
	return sent == count && intact == count ? 0 : 1;
}
