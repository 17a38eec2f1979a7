/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port.c - bring up one configured port: find the device EAL probed, give it
 * one rx queue per worker and one tx queue per worker plus one for the
 * control lcore, RSS where the driver offers it, MTU and MAC from config.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>

#include "dp_priv.h"

/* Does the driver copy received frames into our mbufs on the polling core? (struct dp_port) */
static bool
rx_copies(const char *driver, const char *device)
{
	if (strcmp(driver, "net_memif") == 0) /* zero-copy: a client's option */
		return strstr(device, "zero-copy=yes") == NULL || strstr(device, "role=client") == NULL;
	/* net_null receives mbufs of this core's pool that no one else wrote (bench-worker fills them here). */
	return strcmp(driver, "net_af_packet") == 0 || strcmp(driver, "net_tap") == 0 ||
	       strcmp(driver, "net_pcap") == 0 || strcmp(driver, "net_null") == 0;
}

/* The ethdev name of a config device: "net_tap0,iface=x" -> "net_tap0". */
static void
device_name(const char *device, char *out, size_t len)
{
	size_t n = strcspn(device, ",");

	if (n >= len)
		n = len - 1;
	memcpy(out, device, n);
	out[n] = '\0';
}

#define PORT_ERR(fmt, ...) \
	snprintf(err, errlen, "ports[%u] (%s): " fmt, idx, pc->name, ##__VA_ARGS__)

int
dp_port_setup(struct dp *dp, unsigned idx, char *err, size_t errlen)
{
	struct dp_port *port = &dp->ports[idx];
	const struct config_port *pc = port->cfg;
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = pc->rx_descriptors, nb_txd = pc->tx_descriptors;
	uint16_t nb_rxq = dp->n_workers, nb_txq = dp->n_workers + 1;
	char name[RTE_ETH_NAME_MAX_LEN];
	int rc;

	device_name(pc->device, name, sizeof(name));
	rc = rte_eth_dev_get_port_by_name(name, &port->port_id);
	if (rc != 0) {
		PORT_ERR("device '%s' was not found (is it attached, and the PCI address or vdev string right?)", name);
		return -ENODEV;
	}
	rc = rte_eth_dev_info_get(port->port_id, &info);
	if (rc != 0) {
		PORT_ERR("cannot read device info: %s", rte_strerror(-rc));
		return rc;
	}
	if (info.max_tx_queues < dp->n_workers) {
		PORT_ERR("%s offers %u tx queues; %u workers need one each", info.driver_name,
			 info.max_tx_queues, dp->n_workers);
		return -EINVAL;
	}
	/* No queue for the control lcore: worker 0 sends its packets. */
	if (info.max_tx_queues < nb_txq) {
		char rname[RTE_RING_NAMESIZE];

		nb_txq = dp->n_workers;
		snprintf(rname, sizeof(rname), "rtcg_ctltx%u", idx);
		port->ctl_ring = rte_ring_create(rname, 1024, rte_socket_id(), RING_F_SC_DEQ);
		if (port->ctl_ring == NULL) {
			PORT_ERR("cannot make the control lcore's tx ring: %s", rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	/*
	 * Fewer rx queues than workers, or several without RSS to fill them
	 * (net_tap: its queues follow the kernel's, kept): software RSS, the
	 * worker owning each rx queue spreads its packets by flow hash. One
	 * queue unless ports[].rx_queues asks for more (a memif peer that
	 * sends on as many), so that more workers share the receiving.
	 */
	if (pc->rx_queues != 0) {
		if (pc->rx_queues > info.max_rx_queues) {
			PORT_ERR("rx_queues: %s offers %u rx queues, %u asked for",
				 info.driver_name, info.max_rx_queues, pc->rx_queues);
			return -EINVAL;
		}
		nb_rxq = (uint16_t)pc->rx_queues;
	}
	port->sw_rss = dp->n_workers > 1 && strcmp(info.driver_name, "net_tap") != 0 &&
		       (info.max_rx_queues < nb_rxq || nb_rxq < dp->n_workers ||
			info.flow_type_rss_offloads == 0);
	if (port->sw_rss && pc->rx_queues == 0)
		nb_rxq = 1;
	if (nb_rxq > 1 && info.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP);
	}
	port->rx_copied = rx_copies(info.driver_name, pc->device);
	/* Checksums in hardware where the port offers it, else the worker's. */
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
		port->tx_ip_cksum = true;
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
		port->tx_udp_cksum = true;
	}

	/* net_tap wants as many rx queues as tx queues; workers share the extra. */
	if (strcmp(info.driver_name, "net_tap") == 0)
		nb_rxq = nb_txq;
	rc = rte_eth_dev_configure(port->port_id, nb_rxq, nb_txq, &conf);
	if (rc != 0) {
		PORT_ERR("configure failed: %s", rte_strerror(-rc));
		return rc;
	}
	port->nb_rxq = nb_rxq;
	port->ctl_txq = dp->n_workers;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port->port_id, &nb_rxd, &nb_txd);
	if (rc != 0) {
		PORT_ERR("descriptor counts refused: %s", rte_strerror(-rc));
		return rc;
	}
	for (uint16_t q = 0; q < nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(port->port_id, q, nb_rxd,
					    rte_eth_dev_socket_id(port->port_id),
					    NULL, dp->pool);
		if (rc != 0) {
			PORT_ERR("rx queue %u: %s", q, rte_strerror(-rc));
			return rc;
		}
	}
	for (uint16_t q = 0; q < nb_txq; q++) {
		struct rte_eth_txconf txconf = info.default_txconf;

		txconf.offloads = conf.txmode.offloads;
		rc = rte_eth_tx_queue_setup(port->port_id, q, nb_txd,
					    rte_eth_dev_socket_id(port->port_id), &txconf);
		if (rc != 0) {
			PORT_ERR("tx queue %u: %s", q, rte_strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_set_mtu(port->port_id, pc->mtu);
	if (rc != 0 && rc != -ENOTSUP)
		DP_LOG(WARNING, "port %s: cannot set MTU %u: %s", pc->name, pc->mtu,
		       rte_strerror(-rc));
	if (pc->mac[0] != '\0') {
		struct rte_ether_addr mac;

		if (rte_ether_unformat_addr(pc->mac, &mac) == 0) {
			rc = rte_eth_dev_default_mac_addr_set(port->port_id, &mac);
			if (rc != 0) {
				PORT_ERR("cannot set MAC %s: %s",
				       pc->mac, rte_strerror(-rc));
				return rc;
			}
		}
	}
	rte_eth_macaddr_get(port->port_id, &port->mac);
	if (pc->role != CONFIG_ROLE_INTERNAL) {
		port->pub_min = (uint16_t)dp->cfg->media.public_ports.min;
		port->pub_max = (uint16_t)dp->cfg->media.public_ports.max;
	}
	if (pc->role != CONFIG_ROLE_PUBLIC) {
		port->int_min = (uint16_t)dp->cfg->media.internal_ports.min;
		port->int_max = (uint16_t)dp->cfg->media.internal_ports.max;
	}
	if (port->sw_rss)
		DP_LOG(INFO, "port %s: %s has %u rx queue(s)%s; %u polled for %u workers: software RSS",
		       pc->name, info.driver_name, info.max_rx_queues,
		       info.flow_type_rss_offloads ? "" : " and no RSS", nb_rxq, dp->n_workers);
	DP_LOG(INFO, "port %s: %s (port %u, driver %s), role %s, %u rx / %u tx queues%s%s%s%s",
	       pc->name, name, port->port_id, info.driver_name,
	       config_role_name(pc->role), nb_rxq, nb_txq,
	       port->ctl_ring != NULL ? " (the control lcore's packets through worker 0)" : "",
	       conf.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS ? ", RSS" : "",
	       port->tx_udp_cksum ? ", checksum offload" : ", software checksums",
	       port->rx_copied ? ", frames copied in" : ", frames prefetched");
	return 0;
}
