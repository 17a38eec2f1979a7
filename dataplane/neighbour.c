/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * neighbour.c - the Ethernet address a session's packets go to, from the
 * kernel. The exception path gives each port a TAP twin with the port's
 * addresses, so the kernel already routes and resolves neighbours for it:
 * ask it (rtnetlink) for the route to the peer (the next hop is the peer
 * itself or a gateway) and for the next hop's neighbour entry. When there is
 * none yet, send one empty UDP datagram from the twin toward the peer's
 * discard port, so the kernel resolves (ARP or neighbour discovery), and
 * answer -EAGAIN: the control lcore asks again shortly. Control lcore only.
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "dp_priv.h"

#define NL_BUF 16384

struct nl_req {
	struct nlmsghdr nh;
	union {
		struct rtmsg rt;
		struct ndmsg nd;
	};
	char attrs[64];
};

static int
nl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct timeval tv = { 0, 200000 };

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void
add_attr(struct nl_req *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* The next hop toward ip out of ifindex: a gateway, or ip itself (on-link). */
static int
next_hop(int fd, int family, int ifindex, const uint8_t *ip, uint8_t *hop)
{
	struct nl_req r;
	char buf[NL_BUF];
	size_t alen = family == AF_INET ? 4 : 16;
	ssize_t n;

	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	r.nh.nlmsg_type = RTM_GETROUTE;
	r.nh.nlmsg_flags = NLM_F_REQUEST;
	r.nh.nlmsg_seq = 1;
	r.rt.rtm_family = (unsigned char)family;
	r.rt.rtm_dst_len = (unsigned char)(alen * 8);
	add_attr(&r, RTA_DST, ip, alen);
	add_attr(&r, RTA_OIF, &ifindex, sizeof(ifindex));
	memcpy(hop, ip, alen);
	if (send(fd, &r, r.nh.nlmsg_len, 0) < 0)
		return -errno;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
	     h = NLMSG_NEXT(h, n)) {
		struct rtmsg *rt;
		int len;

		if (h->nlmsg_type == NLMSG_ERROR)
			return ((struct nlmsgerr *)NLMSG_DATA(h))->error ?: -ENETUNREACH;
		if (h->nlmsg_type != RTM_NEWROUTE)
			continue;
		rt = NLMSG_DATA(h);
		len = (int)RTM_PAYLOAD(h);
		for (struct rtattr *a = RTM_RTA(rt); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
			if (a->rta_type == RTA_GATEWAY && RTA_PAYLOAD(a) == alen)
				memcpy(hop, RTA_DATA(a), alen);
			if (a->rta_type == RTA_OIF && *(int *)RTA_DATA(a) != ifindex)
				return -ENETUNREACH; /* the kernel would leave by another interface */
		}
		return 0;
	}
	return -ENETUNREACH;
}

/* The neighbour entry of hop on ifindex: 0 with mac, or -ENOENT. */
static int
neighbour_entry(int fd, int family, int ifindex, const uint8_t *hop, uint8_t mac[6])
{
	struct nl_req r;
	char buf[NL_BUF];
	size_t alen = family == AF_INET ? 4 : 16;
	const uint16_t usable = NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT;

	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	r.nh.nlmsg_type = RTM_GETNEIGH;
	r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r.nh.nlmsg_seq = 2;
	r.nd.ndm_family = (unsigned char)family;
	r.nd.ndm_ifindex = ifindex;
	if (send(fd, &r, r.nh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n <= 0)
			return n < 0 ? -errno : -ENOENT;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			struct ndmsg *nd;
			const uint8_t *dst = NULL, *ll = NULL;
			int len;

			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
				return -ENOENT;
			if (h->nlmsg_type != RTM_NEWNEIGH)
				continue;
			nd = NLMSG_DATA(h);
			if (nd->ndm_ifindex != ifindex || !(nd->ndm_state & usable))
				continue;
			len = (int)RTM_PAYLOAD(h);
			for (struct rtattr *a = (struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof(*nd)));
			     RTA_OK(a, len); a = RTA_NEXT(a, len)) {
				if (a->rta_type == NDA_DST && RTA_PAYLOAD(a) == alen)
					dst = RTA_DATA(a);
				else if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6)
					ll = RTA_DATA(a);
			}
			if (dst != NULL && ll != NULL && memcmp(dst, hop, alen) == 0) {
				memcpy(mac, ll, 6);
				return 0; /* the rest of the dump goes with the socket */
			}
		}
	}
}

/* Make the kernel resolve the next hop: one empty datagram to the discard port. */
static void
provoke(const char *ifname, int family, const uint8_t *ip)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(9);
		memcpy(&s4->sin_addr, ip, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(9);
		memcpy(&s6->sin6_addr, ip, 16);
		sl = sizeof(*s6);
	}
	(void)sendto(fd, "", 0, 0, (struct sockaddr *)&ss, sl);
	close(fd);
}

int
dp_neighbour(struct dp *dp, unsigned port, int family, const uint8_t *ip, uint8_t mac[6])
{
	const char *ifname;
	uint8_t hop[16];
	int fd, ifindex, rc;

	if (port >= dp->n_ports || (family != AF_INET && family != AF_INET6))
		return -EINVAL;
	if (!dp->ports[port].twin_started)
		return -ENODEV; /* no kernel twin: no routes to ask */
	ifname = dp->ports[port].twin_ifname;
	ifindex = (int)if_nametoindex(ifname);
	if (ifindex == 0)
		return -ENODEV;
	fd = nl_open();
	if (fd < 0)
		return -errno;
	rc = next_hop(fd, family, ifindex, ip, hop);
	if (rc == 0)
		rc = neighbour_entry(fd, family, ifindex, hop, mac);
	close(fd);
	if (rc == -ENOENT) {
		provoke(ifname, family, ip);
		rc = -EAGAIN;
	}
	return rc;
}
