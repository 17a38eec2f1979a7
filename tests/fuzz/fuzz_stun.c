/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_stun.c - libFuzzer harness for STUN parsing as the ICE-lite agent
 * does it: parse, check username and integrity, answer; an answer must
 * parse and verify.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "stun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in from = { .sin_family = AF_INET, .sin_port = htons(5000),
				    .sin_addr.s_addr = htonl(0xc6120002) };
	struct stun_msg m, r;
	uint8_t resp[128];
	int n;

	if (!stun_looks_like(data, size) || stun_parse(data, size, &m) != STUN_OK)
		return 0;
	(void)stun_check_username(&m, "evtj", "h6vY");
	(void)stun_check_integrity(data, size, &m, "VOkJxbRl1RmTxUk/WvJxBt");
	n = stun_binding_success(&m, (struct sockaddr *)&from, "gatewaypassword", resp,
				 sizeof(resp));
	if (n <= 0 || stun_parse(resp, (size_t)n, &r) != STUN_OK ||
	    stun_check_integrity(resp, (size_t)n, &r, "gatewaypassword") != STUN_OK)
		abort();
	return 0;
}
