/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_banstate.c - libFuzzer harness for the ban state file's parser. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ban.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
take(const struct ban_addr *a, time_t until, void *arg)
{
	char text[64];

	ban_addr_format(a, text, sizeof(text));
	(void)ban_add(arg, a, until);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ban_tracker *bt;
	struct ban_params p = { .max_failures = 3, .find_window_seconds = 60,
				.ban_seconds = 60, .capacity = 64 };
	unsigned bad, first_bad;

	if (bt == NULL)
		bt = ban_tracker_create(&p);
	ban_state_parse((const char *)data, size, 1000, take, bt, &bad, &first_bad);
	ban_expire(bt, 1 << 30, NULL, NULL);
	return 0;
}
