/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_config.c - libFuzzer harness for the YAML configuration loader. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config_errors errs;
	struct rtcg_config *cfg;
	const char *sets[1];
	const uint8_t *nl;

	/* A first line starting with "#set " is also tried as a --set override. */
	cfg = config_load_buffer("fuzz.yaml", data, size, NULL, 0, NULL, &errs);
	config_free(cfg);
	if (size > 5 && memcmp(data, "#set ", 5) == 0 &&
	    (nl = memchr(data, '\n', size)) != NULL && nl - data < 200) {
		char set[200];

		memcpy(set, data + 5, nl - data - 5);
		set[nl - data - 5] = '\0';
		sets[0] = set;
		cfg = config_load_buffer("fuzz.yaml", nl + 1, size - (nl + 1 - data), sets, 1,
					 NULL, &errs);
		config_free(cfg);
	}
	return 0;
}
