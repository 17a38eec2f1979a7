/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * exception.c - the exception path. Each port gets a kernel TAP twin
 * (net_tap, interface rtcg-NAME) with the port's MAC and addresses. Workers
 * hand it whatever the fast path does not own (ARP, ICMP, TCP, SIP, ...)
 * over a ring; the control lcore writes those into the TAP and sends what the
 * kernel writes back out of the port on its own tx queue. So the HTTPS
 * listener and the SIP stack use ordinary sockets on the port's addresses.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ring.h>

#include "dp_priv.h"

#define TWIN_DESCRIPTORS 512
#define KERNEL_RING 1024

/* The kernel's struct in6_ifreq (linux/ipv6.h clashes with netinet/in.h). */
struct twin_in6_ifreq {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

static int
add_address(const char *ifname, const struct config_addr *a, char *why, size_t whylen)
{
	int fd = socket(a->family, SOCK_DGRAM, 0), rc = 0;

	if (fd < 0) {
		snprintf(why, whylen, "socket: %s", strerror(errno));
		return -errno;
	}
	if (a->family == AF_INET) {
		struct ifreq ifr = { 0 };
		struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
		uint32_t mask = a->prefix_len == 0 ? 0 : ~0u << (32 - a->prefix_len);

		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a->bytes, 4);
		if (ioctl(fd, SIOCSIFADDR, &ifr) != 0)
			rc = -errno;
		sin->sin_addr.s_addr = htonl(mask);
		if (rc == 0 && ioctl(fd, SIOCSIFNETMASK, &ifr) != 0)
			rc = -errno;
	} else {
		struct twin_in6_ifreq r = { 0 };
		char path[128];
		int sfd;

		/* No duplicate address detection: the address is ours at once. */
		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/accept_dad", ifname);
		sfd = open(path, O_WRONLY);
		if (sfd >= 0) {
			if (write(sfd, "0", 1) != 1)
				DP_LOG(WARNING, "cannot turn off DAD on %s", ifname);
			close(sfd);
		}
		memcpy(&r.addr, a->bytes, 16);
		r.prefixlen = a->prefix_len;
		r.ifindex = (int)if_nametoindex(ifname);
		if (ioctl(fd, SIOCSIFADDR, &r) != 0)
			rc = -errno;
	}
	if (rc != 0 && rc != -EEXIST)
		snprintf(why, whylen, "cannot add %s to %s: %s", a->text, ifname, strerror(-rc));
	else
		rc = 0;
	close(fd);
	return rc;
}

int
dp_exception_setup(struct dp *dp, unsigned idx, char *err, size_t errlen)
{
	struct dp_port *port = &dp->ports[idx];
	const struct config_port *pc = port->cfg;
	struct rte_eth_conf conf = { 0 };
	char args[128], ifname[IFNAMSIZ], ring[RTE_RING_NAMESIZE], why[200];
	uint16_t nb_rxd = TWIN_DESCRIPTORS, nb_txd = TWIN_DESCRIPTORS;
	int rc;

	snprintf(ifname, sizeof(ifname), "rtcg-%s", pc->name);
	snprintf(port->twin_ifname, sizeof(port->twin_ifname), "%s", ifname);
	snprintf(port->twin_name, sizeof(port->twin_name), "net_tap_rtcgx%u", idx);
	snprintf(args, sizeof(args), "iface=%s,mac=" RTE_ETHER_ADDR_PRT_FMT, ifname,
		 RTE_ETHER_ADDR_BYTES(&port->mac));
	rc = rte_eal_hotplug_add("vdev", port->twin_name, args);
	if (rc != 0) {
		snprintf(err, errlen, "ports[%u] (%s): cannot create the exception-path TAP %s: %s",
			 idx, pc->name, ifname, rte_strerror(-rc));
		return rc;
	}
	port->has_twin = true;
	if (rte_eth_dev_get_port_by_name(port->twin_name, &port->twin_id) != 0 ||
	    (rc = rte_eth_dev_configure(port->twin_id, 1, 1, &conf)) != 0 ||
	    (rc = rte_eth_dev_adjust_nb_rx_tx_desc(port->twin_id, &nb_rxd, &nb_txd)) != 0 ||
	    (rc = rte_eth_rx_queue_setup(port->twin_id, 0, nb_rxd, rte_socket_id(), NULL,
					 dp->pool)) != 0 ||
	    (rc = rte_eth_tx_queue_setup(port->twin_id, 0, nb_txd, rte_socket_id(), NULL)) != 0) {
		snprintf(err, errlen, "ports[%u] (%s): exception-path TAP %s: %s", idx, pc->name,
			 ifname, rte_strerror(rc < 0 ? -rc : ENODEV));
		return rc < 0 ? rc : -ENODEV;
	}
	rte_eth_dev_set_mtu(port->twin_id, pc->mtu);
	snprintf(ring, sizeof(ring), "rtcg_kern%u", idx);
	port->to_kernel = rte_ring_create(ring, KERNEL_RING, rte_socket_id(), RING_F_SC_DEQ);
	if (port->to_kernel == NULL) {
		snprintf(err, errlen, "ports[%u] (%s): exception ring: %s", idx, pc->name,
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	rc = rte_eth_dev_start(port->twin_id);
	if (rc != 0) {
		snprintf(err, errlen, "ports[%u] (%s): cannot start %s: %s", idx, pc->name, ifname,
			 rte_strerror(-rc));
		return rc;
	}
	port->twin_started = true;
	for (unsigned a = 0; a < pc->n_addresses; a++) {
		rc = add_address(ifname, &pc->addresses[a], why, sizeof(why));
		if (rc != 0) {
			snprintf(err, errlen, "ports[%u] (%s): %s", idx, pc->name, why);
			return rc;
		}
	}
	/* IPv6 neighbour discovery and other multicast the kernel wants. */
	rte_eth_allmulticast_enable(port->port_id);
	DP_LOG(INFO, "port %s: exception path through kernel interface %s", pc->name, ifname);
	return 0;
}

void
dp_exception_free(struct dp *dp)
{
	for (unsigned i = 0; i < dp->n_ports; i++) {
		struct dp_port *port = &dp->ports[i];

		if (port->has_twin) {
			if (port->twin_started)
				rte_eth_dev_stop(port->twin_id);
			rte_eth_dev_close(port->twin_id);
			rte_eal_hotplug_remove("vdev", port->twin_name);
			port->has_twin = port->twin_started = false;
		}
		if (port->to_kernel != NULL) {
			struct rte_mbuf *m;

			while (rte_ring_dequeue(port->to_kernel, (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(port->to_kernel);
			port->to_kernel = NULL;
		}
	}
}

/* Move packets both ways between each port and its twin; returns how many. */
unsigned
dp_exception_poll(struct dp *dp)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned work = 0;

	for (unsigned i = 0; i < dp->n_ports; i++) {
		struct dp_port *port = &dp->ports[i];
		unsigned n;
		uint16_t sent;

		if (!port->twin_started)
			continue;
		n = rte_ring_dequeue_burst(port->to_kernel, (void **)pkts, DP_BURST, NULL);
		if (n != 0) {
			sent = rte_eth_tx_burst(port->twin_id, 0, pkts, (uint16_t)n);
			port->to_kernel_pkts += sent;
			if (sent < n) {
				port->kernel_drops += n - sent;
				rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
			}
			work += n;
		}
		n = rte_eth_rx_burst(port->twin_id, 0, pkts, DP_BURST);
		if (n != 0 && port->started) {
			sent = dp_ctl_tx_burst(port, pkts, (uint16_t)n);
			port->from_kernel_pkts += sent;
			if (sent < n) {
				port->kernel_drops += n - sent;
				rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
			}
			work += n;
		} else if (n != 0) {
			rte_pktmbuf_free_bulk(pkts, n);
		}
	}
	return work;
}
