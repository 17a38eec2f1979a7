/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_rss.h - software RSS's flow hash, shared by the workers (which spread
 * packets by it) and rtcgate-loadgen (which can send each flow on the
 * queue of the worker that owns it, as a NIC's RSS would).
 */
#ifndef RTCG_DP_RSS_H
#define RTCG_DP_RSS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <netinet/in.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>

/*
 * The hash of an Ethernet frame's UDP 5-tuple: CRC32-C of the IP addresses,
 * then of the two ports (the same for every packet of a flow). false: not
 * UDP over IPv4 or IPv6 (or too short).
 */
static inline bool
dp_rss_hash(const uint8_t *frame, uint32_t len, uint32_t *hash)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)frame;
	const uint8_t *l3 = frame + sizeof(*eth);
	uint32_t h, ports;

	if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) && len >= sizeof(*eth) + 28) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;
		size_t hl = rte_ipv4_hdr_len(ip);

		if (ip->next_proto_id != IPPROTO_UDP || len < sizeof(*eth) + hl + 8)
			return false;
		memcpy(&ports, l3 + hl, 4); /* source and destination port */
		h = rte_hash_crc_4byte(ip->src_addr, ip->dst_addr);
	} else if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6) &&
		   len >= sizeof(*eth) + 48) {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;
		uint64_t a[4]; /* source and destination, aligned for the CRC */

		if (ip->proto != IPPROTO_UDP)
			return false;
		memcpy(a, ip->src_addr, 32);
		memcpy(&ports, l3 + sizeof(*ip), 4);
		h = rte_hash_crc(a, sizeof(a), 0);
	} else {
		return false;
	}
	*hash = rte_hash_crc_4byte(ports, h);
	return true;
}

#endif /* RTCG_DP_RSS_H */
