/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cksum.c - dp_sum with AVX-512 (dp_payload_sum in dp_priv.h picks it when
 * the CPU has it): a UDP payload's one's complement sum, 64 bytes an
 * addition and the last 1-63 bytes by one masked load, so no byte-count
 * branches. A masked load suppresses faults on the bytes it leaves out,
 * so it never reads past buf + len (test `relay`: sums ending at a page
 * that is not mapped).
 */
#include <stdbool.h>
#include <stdint.h>

#include <immintrin.h>

#include "dp_priv.h"

bool dp_sum_wide;

__attribute__((constructor)) static void
dp_sum_pick(void)
{
	__builtin_cpu_init();
	dp_sum_wide = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
}

/* As dp_sum: each 64-bit lane adds its two 32-bit halves, so no carry is lost before the fold. */
__attribute__((target("avx512f,avx512bw,bmi2"))) uint64_t
dp_sum_avx512(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	const __m512i lo = _mm512_set1_epi64(0xffffffff);
	__m512i acc = _mm512_setzero_si512(), v;

	for (; len >= 64; p += 64, len -= 64) {
		v = _mm512_loadu_si512((const void *)p);
		acc = _mm512_add_epi64(acc, _mm512_add_epi64(_mm512_and_si512(v, lo), _mm512_srli_epi64(v, 32)));
	}
	if (len != 0) {
		v = _mm512_maskz_loadu_epi8(_bzhi_u64(~0ull, (unsigned)len), p);
		acc = _mm512_add_epi64(acc, _mm512_add_epi64(_mm512_and_si512(v, lo), _mm512_srli_epi64(v, 32)));
	}
	return (uint64_t)_mm512_reduce_add_epi64(acc);
}
