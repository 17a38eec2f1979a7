/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_banstate.c - libFuzzer harness for the ban state file's parser. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ban.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ban_tracker *bt, *bt64; /* per address; IPv6 by /64 (ban.ipv6_prefix) */

static void
take(const struct ban_addr *a, time_t until, void *arg)
{
	char text[64];

	ban_addr_format(a, text, sizeof(text));
	(void)ban_add(bt, a, until);
	(void)ban_add(bt64, a, until);
	/* The lookups a client's address takes, over networks of every length loaded. */
	(void)ban_is_banned(bt, a, 1000, NULL);
	(void)ban_is_banned(bt64, a, 1000, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ban_params p = { .max_failures = 3, .find_window_seconds = 60,
				.ban_seconds = 60, .capacity = 64 };
	unsigned bad, first_bad;

	if (bt == NULL) {
		bt = ban_tracker_create(&p);
		p.ipv6_prefix = 64;
		bt64 = ban_tracker_create(&p);
	}
	ban_state_parse((const char *)data, size, 1000, take, NULL, &bad, &first_bad);
	ban_expire(bt, 1 << 30, NULL, NULL);
	ban_expire(bt64, 1 << 30, NULL, NULL);
	return 0;
}
