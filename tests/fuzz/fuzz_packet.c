/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_packet.c - libFuzzer harness for the worker's packet path: parsing
 * (Ethernet, IPv4, IPv6, UDP), the ban check, RFC 7983 classification, the
 * session lookup, SRTP, the header rewrite, and the control lcore's latching
 * parser for punted packets. Input: [port byte] then frames, each a 2-byte
 * big-endian length and that many bytes, up to a burst of 32. The dataplane
 * runs on two net_null ports without exception paths, with sessions (IPv4,
 * IPv6, latching) and a ban installed. After each input every mbuf must be
 * back in the pool. net_null counts as a port whose frames are in the
 * worker's cache; the internal port is marked otherwise here, so that
 * inputs on it take the path a NIC's frames take (prefetches ahead of the
 * parse and of the payload).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "config.h"
#include "dataplane.h"
#include "dp_eal.h"
#include "dp_priv.h"

static struct dp *dp;
static struct rte_mempool *pool;
static unsigned pool_full;

static const char *CONFIG =
	"eal: {no_huge: true, memory_mb: 512, no_pci: true}\n"
	"lcores: {control: 0, workers: [1]}\n"
	"ports:\n"
	"  - {name: fp, device: net_null0, role: public, exception_path: false,\n"
	"     addresses: [198.18.0.1/24, \"2001:2::1/64\"]}\n"
	"  - {name: fi, device: net_null1, role: internal, exception_path: false,\n"
	"     addresses: [198.19.0.1/24]}\n"
	"dataplane: {mbufs: 8191, max_sessions: 16}\n"
	"media: {public_ports: {min: 20000, max: 20010}, internal_ports: {min: 30000, max: 30010}}\n";

static void
leg(struct dp_leg_spec *l, int family, const char *local, uint16_t lport, const char *remote,
    uint16_t rport)
{
	l->family = family;
	inet_pton(family, local, l->local_ip);
	inet_pton(family, remote, l->remote_ip);
	l->local_port = lport;
	l->remote_port = rport;
	l->have_mac = true;
	memset(l->remote_mac, 0x02, 6);
}

static void
add_session(int family, const char *pub_local, const char *pub_remote, uint16_t n, bool latch)
{
	struct dp_session_spec s = { 0 };
	uint32_t id;

	leg(&s.leg[DP_PUBLIC], family, pub_local, (uint16_t)(20000 + n), pub_remote, 40000);
	leg(&s.leg[DP_INTERNAL], AF_INET, "198.19.0.1", (uint16_t)(30000 + n), "198.19.0.9", 50000);
	if (!latch)
		s.leg[DP_INTERNAL].local_rtcp_port = (uint16_t)(30005 + n);
	s.latch_internal = latch;
	s.srtp_in.profile = n % 4;
	s.srtp_out.profile = n % 4;
	memset(s.srtp_in.key, 0x11 * (n + 1), sizeof(s.srtp_in.key));
	memset(s.srtp_out.key, 0x22 * (n + 1), sizeof(s.srtp_out.key));
	if (dp_session_create(dp, &s, &id) != 0)
		abort();
}

/* At exit (libFuzzer's, or the replay driver's): the dataplane, then the EAL and its runtime directory. */
static void
teardown(void)
{
	dp_destroy(dp);
	rte_mempool_free(pool);
	dp_eal_cleanup();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[64], err[300];
	char *eal[] = { "fuzz", "-l", "0,1", "--no-huge", "-m", "512", "--no-pci", "--file-prefix",
			prefix, "--vdev", "net_null0", "--vdev", "net_null1", "--log-level", "*:error", NULL };
	struct config_errors errs;
	struct rtcg_config *cfg;
	uint8_t banned[4] = { 198, 18, 0, 66 };

	snprintf(prefix, sizeof(prefix), "rtcg-fuzz-%d", getpid());
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		abort();
	cfg = config_load_buffer("fuzz", CONFIG, strlen(CONFIG), NULL, 0, NULL, &errs);
	if (cfg == NULL)
		abort();
	dp = dp_create(cfg, err, sizeof(err));
	if (dp == NULL) {
		fprintf(stderr, "dp_create: %s\n", err);
		abort();
	}
	add_session(AF_INET, "198.18.0.1", "198.18.0.9", 0, false);
	add_session(AF_INET6, "2001:2::1", "2001:2::9", 1, false);
	add_session(AF_INET, "198.18.0.1", "198.18.0.10", 2, true);
	add_session(AF_INET, "198.18.0.1", "198.18.0.11", 3, false);
	dp_ban_add(dp, AF_INET, banned, 0);
	dp->ports[1].rx_copied = false;
	pool = rte_pktmbuf_pool_create("fuzz_pool", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	pool_full = rte_mempool_avail_count(pool);
	atexit(teardown);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf *pkts[32];
	uint16_t n = 0;
	size_t off = 1;

	if (size < 1)
		return 0;
	while (n < 32 && off + 2 <= size) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		struct rte_mbuf *m;
		uint8_t *p;

		off += 2;
		if (len > size - off)
			len = size - off;
		if (len > 1500)
			len = 1500;
		m = rte_pktmbuf_alloc(pool);
		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
		if (len != 0)
			memcpy(p, data + off, len);
		off += len;
		pkts[n++] = m;
	}
	if (n == 0)
		return 0;
	dp_worker_rx(dp, 0, data[0] & 1, pkts, n);
	/* Punted packets (STUN, DTLS, latching) through the control side. */
	while (dp_control_poll(dp) != 0)
		;
	dp_sync(dp);
	if (rte_mempool_avail_count(pool) != pool_full) {
		fprintf(stderr, "mbuf leak: %u of %u back in the pool\n", rte_mempool_avail_count(pool),
			pool_full);
		abort();
	}
	return 0;
}

/*
 * LeakSanitizer cannot see pointers kept in DPDK memory (rte_malloc'd, not
 * scanned), so it would call everything the dataplane holds there leaked.
 * This harness checks what it can own instead: every mbuf back in its pool.
 */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}
