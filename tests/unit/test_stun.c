/* SPDX-License-Identifier: BSD-3-Clause */
/* test_stun.c - STUN for ICE-lite: the RFC 5769 sample request, responses, tampering. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "stun.h"
#include "unit.h"

/* RFC 5769 section 2.1: software "STUN test client", username "evtj:h6vY". */
static const uint8_t rfc5769_request[] = {
	0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
	0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10,
	0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x63, 0x6c,
	0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
	0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36,
	0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76,
	0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c,
	0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
	0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
};
static const char rfc5769_password[] = "VOkJxbRl1RmTxUk/WvJxBt";

TEST(stun_rfc5769_sample_request)
{
	struct stun_msg m;
	uint8_t copy[sizeof(rfc5769_request)];

	CHECK(stun_looks_like(rfc5769_request, sizeof(rfc5769_request)));
	CHECK(stun_parse(rfc5769_request, sizeof(rfc5769_request), &m) == STUN_OK);
	CHECK(m.type == STUN_BINDING_REQUEST && m.fingerprint_at == 100 && m.integrity_at == 76);
	CHECK(m.has_priority && m.priority == 0x6e0001ff && m.controlled && !m.controlling);
	CHECK(m.tiebreaker == 0x932ff9b151263b36ull && !m.use_candidate);
	CHECK(stun_check_integrity(rfc5769_request, sizeof(rfc5769_request), &m, rfc5769_password) == STUN_OK);
	CHECK(stun_check_integrity(rfc5769_request, sizeof(rfc5769_request), &m, "wrong") == STUN_ERR_INTEGRITY);
	CHECK(stun_check_username(&m, "evtj", "h6vY") == STUN_OK);
	CHECK(stun_check_username(&m, "evtj", NULL) == STUN_OK);
	CHECK(stun_check_username(&m, "evt", NULL) == STUN_ERR_USERNAME);
	CHECK(stun_check_username(&m, "evtj", "h6v") == STUN_ERR_USERNAME);
	/*
	 * One flipped bit anywhere breaks FINGERPRINT or the structure, or (in
	 * FINGERPRINT's own type) leaves a message without one, which ICE
	 * refuses (RFC 8445 requires FINGERPRINT on checks).
	 */
	for (size_t i = 0; i < sizeof(copy); i++) {
		memcpy(copy, rfc5769_request, sizeof(copy));
		copy[i] ^= 0x10;
		CHECK(stun_parse(copy, sizeof(copy), &m) != STUN_OK || m.fingerprint_at < 0);
	}
	CHECK(stun_parse(rfc5769_request, 50, &m) == STUN_ERR_TRUNCATED);
}

TEST(stun_binding_round_trip)
{
	uint8_t tid[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, req[200], resp[100];
	struct sockaddr_in from = { .sin_family = AF_INET, .sin_port = htons(54321) };
	struct sockaddr_in6 from6 = { .sin6_family = AF_INET6, .sin6_port = htons(4444) };
	struct sockaddr_storage got;
	struct stun_msg m, r;
	int n, rn;

	inet_pton(AF_INET, "198.18.0.2", &from.sin_addr);
	inet_pton(AF_INET6, "2001:2::2", &from6.sin6_addr);
	n = stun_binding_request(tid, "gwufrag:brufrag", "peerpassword-22chars!!", 0x7e7f00ff,
				 true, 42, req, sizeof(req));
	CHECK(n > 0);
	CHECK(stun_parse(req, (size_t)n, &m) == STUN_OK);
	CHECK(m.use_candidate && m.controlling && m.priority == 0x7e7f00ff);
	CHECK(stun_check_integrity(req, (size_t)n, &m, "peerpassword-22chars!!") == STUN_OK);
	CHECK(stun_check_username(&m, "gwufrag", "brufrag") == STUN_OK);
	rn = stun_binding_success(&m, (struct sockaddr *)&from, "gatewaypassword", resp, sizeof(resp));
	CHECK(rn > 0);
	CHECK(stun_parse(resp, (size_t)rn, &r) == STUN_OK && r.type == STUN_BINDING_SUCCESS);
	CHECK(memcmp(r.tid, tid, 12) == 0);
	CHECK(stun_check_integrity(resp, (size_t)rn, &r, "gatewaypassword") == STUN_OK);
	CHECK(stun_xor_mapped(resp, (size_t)rn, &got) == 0 && got.ss_family == AF_INET &&
	      memcmp(&((struct sockaddr_in *)&got)->sin_addr, &from.sin_addr, 4) == 0 &&
	      ((struct sockaddr_in *)&got)->sin_port == from.sin_port);
	rn = stun_binding_success(&m, (struct sockaddr *)&from6, "gatewaypassword", resp, sizeof(resp));
	CHECK(rn > 0 && stun_parse(resp, (size_t)rn, &r) == STUN_OK);
	CHECK(stun_xor_mapped(resp, (size_t)rn, &got) == 0 && got.ss_family == AF_INET6 &&
	      memcmp(&((struct sockaddr_in6 *)&got)->sin6_addr, &from6.sin6_addr, 16) == 0);
	CHECK(stun_binding_success(&m, (struct sockaddr *)&from, "x", resp, 40) == -1);
}
