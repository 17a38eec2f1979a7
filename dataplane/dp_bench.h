/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_bench.h - benchmark mode's synthetic sessions, shared by the gateway
 * (which installs them) and rtcgate-loadgen (which sends traffic for them).
 * Session i (0-based) of N:
 *   public leg:   local = first address of the first public port,
 *                 local port = media.public_ports.min + i % (public range),
 *                 remote = benchmark.public_peer + i / 16384,
 *                 remote port = 16384 + i % 16384; rtcp-mux.
 *   internal leg: local = internal port address (i / range) % n, local port =
 *                 media.internal_ports.min + i % (internal range),
 *                 remote = benchmark.internal_peer + i / 16384,
 *                 remote port = 16384 + i % 16384; rtcp-mux, no latching.
 *   keys:         dp_bench_key(i, dir, ...) below, benchmark.profile.
 */
#ifndef RTCG_DP_BENCH_H
#define RTCG_DP_BENCH_H

#include <stdint.h>

#define DP_BENCH_PER_ADDR 16384u
#define DP_BENCH_REMOTE_PORT(i) ((uint16_t)(16384u + (i) % DP_BENCH_PER_ADDR))

/* dir 0: the browser's keys (gateway unprotects); 1: the gateway's keys. */
static inline void
dp_bench_key(uint32_t i, unsigned dir, uint8_t key[32], uint8_t salt[14])
{
	for (unsigned j = 0; j < 32; j++)
		key[j] = (uint8_t)(0x5a ^ (dir * 0x11) ^ (j * 29) ^ (i >> ((j & 3) * 8)));
	for (unsigned j = 0; j < 14; j++)
		salt[j] = (uint8_t)(0xc3 ^ (dir * 0x22) ^ (j * 7) ^ (i >> ((j & 3) * 8)));
}

/* A 32-bit IPv4 address (host order) plus n, or an IPv6 address plus n in its low 32 bits. */
static inline void
dp_bench_addr_add(uint8_t *addr, int is_v6, uint32_t n)
{
	unsigned last = is_v6 ? 15 : 3;
	uint32_t v = ((uint32_t)addr[last - 3] << 24) | ((uint32_t)addr[last - 2] << 16) |
		     ((uint32_t)addr[last - 1] << 8) | addr[last];

	v += n;
	addr[last - 3] = (uint8_t)(v >> 24);
	addr[last - 2] = (uint8_t)(v >> 16);
	addr[last - 1] = (uint8_t)(v >> 8);
	addr[last] = (uint8_t)v;
}

#endif /* RTCG_DP_BENCH_H */
