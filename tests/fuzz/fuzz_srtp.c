/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_srtp.c - libFuzzer harness for SRTP/SRTCP unprotect. Byte 0 picks the
 * profile and RTP or RTCP; the rest is cut into up to 32 packets at 0xff 0xfe
 * markers and unprotected as one burst, then protected back (exercising the
 * room checks), against one receive context that lives across inputs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtcg_srtp.h"

#define ROOM 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rtcg_srtp_engine *e;
	static struct rtcg_srtp_ctx *ctx[RTCG_SRTP_PROFILE_MAX];
	static uint8_t bufs[RTCG_SRTP_MAX_BURST][ROOM];
	struct rtcg_srtp_pkt pk[RTCG_SRTP_MAX_BURST];
	struct rtcg_srtp_ctx *cs[RTCG_SRTP_MAX_BURST];
	const uint8_t key[64] = { 7, 7, 7 };
	unsigned prof, n = 0;
	bool rtcp;
	size_t at = 1;

	if (e == NULL) {
		e = rtcg_srtp_engine_create();
		for (int p = 0; p < RTCG_SRTP_PROFILE_MAX; p++) {
			ctx[p] = aligned_alloc(64, (rtcg_srtp_ctx_size() + 63) & ~(size_t)63);
			rtcg_srtp_ctx_init(ctx[p], e, p, key, key + 32, 64 * (1 + p));
		}
	}
	if (size < 1)
		return 0;
	prof = (data[0] & 0x7f) % RTCG_SRTP_PROFILE_MAX;
	rtcp = data[0] & 0x80;
	while (at < size && n < RTCG_SRTP_MAX_BURST) {
		size_t end = at;

		while (end + 1 < size && !(data[end] == 0xff && data[end + 1] == 0xfe))
			end++;
		if (end + 1 >= size)
			end = size;
		if (end - at <= ROOM - 64) {
			memcpy(bufs[n], data + at, end - at);
			pk[n] = (struct rtcg_srtp_pkt){ bufs[n], (uint32_t)(end - at),
							(uint32_t)(end - at) + (data[at] & 63), 0 };
			cs[n] = ctx[prof];
			n++;
		}
		at = end + 2;
	}
	if (rtcp) {
		rtcg_srtcp_unprotect_burst(e, cs, pk, n);
		for (unsigned i = 0; i < n; i++)
			if (pk[i].len > pk[i].room)
				abort();
		rtcg_srtcp_protect_burst(e, cs, pk, n);
	} else {
		rtcg_srtp_unprotect_burst(e, cs, pk, n);
		for (unsigned i = 0; i < n; i++)
			if (pk[i].len > pk[i].room)
				abort();
		rtcg_srtp_protect_burst(e, cs, pk, n);
	}
	for (unsigned i = 0; i < n; i++)
		if (pk[i].len > pk[i].room)
			abort();
	return 0;
}
