/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_sdp.c - libFuzzer harness for the SDP parser and writer: whatever
 * parses must write, and what was written must parse again to the same
 * media count and payload types.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sdp *s, *s2;
	static char out[1 << 18];
	char err[200];
	int n;

	if (s == NULL) {
		s = malloc(sizeof(*s));
		s2 = malloc(sizeof(*s2));
	}
	if (sdp_parse((const char *)data, size, s, err, sizeof(err)) != 0)
		return 0;
	n = sdp_write(s, out, sizeof(out));
	if (n < 0)
		abort(); /* the buffer holds any description the limits allow */
	if (sdp_parse(out, (size_t)n, s2, err, sizeof(err)) != 0)
		abort();
	if (s2->n_media != s->n_media)
		abort();
	for (unsigned i = 0; i < s->n_media; i++)
		if (s->media[i].port != 0 &&
		    (s2->media[i].n_fmts != s->media[i].n_fmts ||
		     memcmp(s2->media[i].fmts, s->media[i].fmts, s->media[i].n_fmts) != 0))
			abort();
	return 0;
}
