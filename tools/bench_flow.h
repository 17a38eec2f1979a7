/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_flow.h - the frames of benchmark mode's synthetic sessions as their
 * peers send them (dataplane/dp_bench.h): rtcgate-loadgen sends them to a
 * gateway, bench-worker hands them to the worker's path in process.
 */
#ifndef RTCG_BENCH_FLOW_H
#define RTCG_BENCH_FLOW_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_malloc.h>

#include "config.h"
#include "dp_bench.h"
#include "rtcg_srtp.h"

/* Session i's SSRC, and the byte every payload is made of (flow_frame; the checks of what comes back). */
#define FLOW_SSRC(i) (0x10000000u + (uint32_t)(i))
#define FLOW_PAYLOAD_BYTE 0xab

/* Cache-line aligned: flows of different sending lcores share no line (seq is written). */
struct flow {
	uint8_t frame[128]; /* Ethernet/IP/UDP/RTP header template */
	uint16_t hdr_len;   /* up to the RTP payload */
	uint16_t payload;   /* RTP payload bytes */
	uint16_t seq;
	struct rtcg_srtp_ctx *ctx; /* decrypt direction: the browser's keys */
} __attribute__((aligned(64)));

/* Build the header template of session i: the peer side toward the gateway. */
static inline void
make_flow(const struct rtcg_config *cfg, uint32_t i, bool decrypt, unsigned frame_size,
	  struct flow *f)
{
	const struct config_port *pub = NULL, *in = NULL;
	uint32_t pub_range = cfg->media.public_ports.max - cfg->media.public_ports.min + 1;
	uint32_t in_range = cfg->media.internal_ports.max - cfg->media.internal_ports.min + 1;
	uint8_t src[16], dst[16];
	uint16_t sport = DP_BENCH_REMOTE_PORT(i), dport;
	int v6;
	uint8_t *p = f->frame, *u;
	unsigned iplen, payload, udp_len, tag = decrypt ? 10 : 0;

	for (unsigned k = 0; k < cfg->n_ports; k++) {
		if (pub == NULL && cfg->ports[k].role != CONFIG_ROLE_INTERNAL && cfg->ports[k].n_addresses)
			pub = &cfg->ports[k];
		if (in == NULL && cfg->ports[k].role != CONFIG_ROLE_PUBLIC && cfg->ports[k].n_addresses)
			in = &cfg->ports[k];
	}
	if (pub == NULL || in == NULL) {
		fprintf(stderr, "rtcgate-loadgen: the config needs a public and an internal port with addresses\n");
		exit(1);
	}
	if (decrypt) {
		v6 = pub->addresses[0].family == AF_INET6;
		memcpy(src, cfg->dataplane.benchmark.public_peer.bytes, 16);
		memcpy(dst, pub->addresses[0].bytes, 16);
		dport = (uint16_t)(cfg->media.public_ports.min + i % pub_range);
	} else {
		const struct config_addr *a = &in->addresses[(i / in_range) % in->n_addresses];

		v6 = a->family == AF_INET6;
		memcpy(src, cfg->dataplane.benchmark.internal_peer.bytes, 16);
		memcpy(dst, a->bytes, 16);
		dport = (uint16_t)(cfg->media.internal_ports.min + i % in_range);
	}
	dp_bench_addr_add(src, v6, i / DP_BENCH_PER_ADDR);
	iplen = v6 ? 40 : 20;
	f->hdr_len = (uint16_t)(14 + iplen + 8 + 12);
	/* In the decrypt direction the 80-bit tag is part of the frame size. */
	payload = frame_size > f->hdr_len + tag ? frame_size - f->hdr_len - tag : 0;
	f->payload = (uint16_t)payload;
	udp_len = 8 + 12 + payload + tag;
	memset(p, 0, sizeof(f->frame));
	/* The memif ports are promiscuous: any destination MAC reaches the gateway. */
	memset(p, 0x02, 6);
	p[6] = 0x02;
	p[11] = decrypt ? 1 : 2;
	p[12] = v6 ? 0x86 : 0x08;
	p[13] = v6 ? 0xdd : 0x00;
	if (v6) {
		p[14] = 0x60;
		p[18] = (uint8_t)(udp_len >> 8);
		p[19] = (uint8_t)udp_len;
		p[20] = IPPROTO_UDP;
		p[21] = 64;
		memcpy(p + 22, src, 16);
		memcpy(p + 38, dst, 16);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + 14);

		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + udp_len));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		memcpy(&ip->src_addr, src, 4);
		memcpy(&ip->dst_addr, dst, 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	u = p + 14 + iplen;
	u[0] = (uint8_t)(sport >> 8);
	u[1] = (uint8_t)sport;
	u[2] = (uint8_t)(dport >> 8);
	u[3] = (uint8_t)dport;
	u[4] = (uint8_t)(udp_len >> 8);
	u[5] = (uint8_t)udp_len;
	/* UDP checksum 0: allowed over IPv4; the gateway does not check it. */
	u[8] = 0x80; /* RTP v2 */
	u[9] = 111;
	u[16] = (uint8_t)(FLOW_SSRC(i) >> 24);
	u[17] = (uint8_t)(FLOW_SSRC(i) >> 16);
	u[18] = (uint8_t)(FLOW_SSRC(i) >> 8);
	u[19] = (uint8_t)FLOW_SSRC(i);
	f->seq = (uint16_t)(i * 7919);
}

/*
 * The next frame of flow f into d (f->hdr_len + f->payload bytes, plus the
 * 10-byte tag's room in the decrypt direction): the template, the flow's
 * next sequence number, a constant payload. In the decrypt direction *sp
 * describes the RTP packet for the browser's protect (rtcg_srtp_protect_burst
 * with f->ctx); returns the frame's length before that tag.
 */
static inline unsigned
flow_frame(struct flow *f, uint8_t *d, bool decrypt, struct rtcg_srtp_pkt *sp)
{
	unsigned hl = f->hdr_len, pl = f->payload;

	memcpy(d, f->frame, hl);
	d[hl - 10] = (uint8_t)(f->seq >> 8);
	d[hl - 9] = (uint8_t)f->seq;
	f->seq++;
	memset(d + hl, FLOW_PAYLOAD_BYTE, pl);
	if (decrypt) {
		sp->data = d + hl - 12;
		sp->len = 12 + pl;
		sp->room = 12 + pl + 10;
	}
	return hl + pl;
}

/* "decrypt" or "encrypt" into *decrypt; false for anything else. */
static inline bool
flow_direction(const char *s, bool *decrypt)
{
	if (strcmp(s, "decrypt") != 0 && strcmp(s, "encrypt") != 0)
		return false;
	*decrypt = strcmp(s, "decrypt") == 0;
	return true;
}

/*
 * Shuffles idx[0..n) (one fixed permutation, the same every run): the
 * sessions in the order independent streams arrive, not the order they
 * were installed in, where neighbours share pages and the hardware
 * prefetcher streams their lines (docs/benchmarks.md).
 */
static inline void
flows_shuffle(uint32_t *idx, uint32_t n)
{
	uint32_t x = 2463534242u;

	for (uint32_t i = n; i > 1; i--) {
		uint32_t j, t;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		j = x % i;
		t = idx[i - 1];
		idx[i - 1] = idx[j];
		idx[j] = t;
	}
}

/* "slot" or "random" (--order) into *shuffled; false for anything else. */
static inline bool
flow_order(const char *s, bool *shuffled)
{
	if (strcmp(s, "slot") != 0 && strcmp(s, "random") != 0)
		return false;
	*shuffled = strcmp(s, "random") == 0;
	return true;
}

/* The frame templates of benchmark mode's n sessions (free() them); NULL: no memory. */
static inline struct flow *
flows_create(const struct rtcg_config *cfg, uint32_t n, bool decrypt, unsigned frame_size)
{
	struct flow *flows = aligned_alloc(64, (size_t)n * sizeof(*flows));

	if (flows == NULL)
		return NULL;
	memset(flows, 0, (size_t)n * sizeof(*flows));
	for (uint32_t i = 0; i < n; i++)
		make_flow(cfg, i, decrypt, frame_size, &flows[i]);
	return flows;
}

/*
 * SRTP contexts of benchmark mode's n sessions with the keys of direction
 * dir (dp_bench_key: 0 the browsers', 1 the gateway's), session i's at
 * *stride * i of one rte_zmalloc block that the caller rte_free()s; NULL:
 * no memory.
 */
static inline uint8_t *
bench_ctxs_create(uint32_t n, unsigned dir, struct rtcg_srtp_engine *eng, int profile, size_t *stride)
{
	size_t cs = RTE_ALIGN_CEIL(rtcg_srtp_ctx_size(), 64);
	uint8_t *mem = rte_zmalloc(NULL, cs * n, 64);

	for (uint32_t i = 0; mem != NULL && i < n; i++) {
		uint8_t key[32], salt[14];

		dp_bench_key(i, dir, key, salt);
		rtcg_srtp_ctx_init((struct rtcg_srtp_ctx *)(mem + cs * i), eng, profile, key, salt, 128);
	}
	*stride = cs;
	return mem;
}

/* The browsers' SRTP contexts of flows[0..n) (the decrypt direction), as bench_ctxs_create gives them. */
static inline uint8_t *
flows_keys_create(struct flow *flows, uint32_t n, struct rtcg_srtp_engine *eng, int profile)
{
	size_t cs;
	uint8_t *mem = bench_ctxs_create(n, 0, eng, profile, &cs);

	for (uint32_t i = 0; mem != NULL && i < n; i++)
		flows[i].ctx = (struct rtcg_srtp_ctx *)(mem + cs * i);
	return mem;
}

/* The session a frame's RTP header names (its SSRC, as make_flow writes it), if one of n. */
static inline bool
flow_session(const uint8_t *d, unsigned len, uint32_t n, uint32_t *i)
{
	unsigned l4 = d[12] == 0x86 && d[13] == 0xdd ? 54 : 34;
	uint32_t ssrc;

	if (len < l4 + 8 + 12)
		return false;
	ssrc = (uint32_t)d[l4 + 16] << 24 | (uint32_t)d[l4 + 17] << 16 | (uint32_t)d[l4 + 18] << 8 |
	       d[l4 + 19];
	*i = ssrc - FLOW_SSRC(0);
	return ssrc >= FLOW_SSRC(0) && *i < n;
}

/*
 * Is frame d one the gateway sends session i's far peer: the addresses and
 * ports of rev, session i's frame toward the gateway from that peer
 * (make_flow of the other direction), the other way round? The header's
 * length is rev's; *payload is where the UDP payload starts.
 */
static inline bool
flow_is_reply(const struct flow *rev, const uint8_t *d, unsigned len, unsigned *payload)
{
	const uint8_t *r = rev->frame;
	bool v6 = r[12] == 0x86;
	unsigned a = v6 ? 22 : 26, al = v6 ? 16 : 4, u = v6 ? 54 : 34;

	if (len < rev->hdr_len || d[12] != r[12] || d[13] != r[13])
		return false;
	*payload = u + 8;
	return memcmp(d + a, r + a + al, al) == 0 && memcmp(d + a + al, r + a, al) == 0 &&
	       memcmp(d + u, r + u + 2, 2) == 0 && memcmp(d + u + 2, r + u, 2) == 0;
}

/* Are the n bytes at p flow_frame's payload (all FLOW_PAYLOAD_BYTE)? */
static inline bool
flow_payload_ok(const uint8_t *p, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		if (p[k] != FLOW_PAYLOAD_BYTE)
			return false;
	return true;
}

#endif /* RTCG_BENCH_FLOW_H */
