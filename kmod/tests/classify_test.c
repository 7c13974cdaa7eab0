// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: classification of crafted IPv4/IPv6 packets.
 */

#include <kunit/test.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "../classify.h"
#include "../policy.h"

#define F_SYN	0x01
#define F_ACK	0x02
#define F_RST	0x04
#define F_FIN	0x08

struct pkt {
	const char *desc;
	u8 pf;
	u8 flags;
	u16 dport;
	u16 frag_off;		/* host order: offset in 8-byte units | IP_MF */
	u8 exthdrs;		/* IPv6: hop-by-hop + destination options */
	bool v6_frag;		/* IPv6: a fragment header */
	int truncate;		/* bytes cut from the end */
	u8 expect;		/* enum smtprl_class (false, true: not ours, new) */
	u8 l4;			/* protocol in the IP header; 0: TCP */
	u8 doff;		/* TCP data offset; 0: 5 */
	u8 extra;		/* bytes after the TCP header (options, data) */
};

static const struct pkt pkts[] = {
	{ "v4 SYN to 25", NFPROTO_IPV4, F_SYN, 25, 0, 0, false, 0, true },
	{ "v4 SYN to 587", NFPROTO_IPV4, F_SYN, 587, 0, 0, false, 0, false },
	{ "v4 SYN to 80", NFPROTO_IPV4, F_SYN, 80, 0, 0, false, 0, false },
	{ "v4 SYN+ACK from 25", NFPROTO_IPV4, F_SYN | F_ACK, 25, 0, 0, false, 0, false },
	{ "v4 ACK to 25", NFPROTO_IPV4, F_ACK, 25, 0, 0, false, 0, false },
	{ "v4 SYN+RST to 25", NFPROTO_IPV4, F_SYN | F_RST, 25, 0, 0, false, 0, false },
	{ "v4 SYN+FIN to 25", NFPROTO_IPV4, F_SYN | F_FIN, 25, 0, 0, false, 0, false },
	{ "v4 first fragment SYN", NFPROTO_IPV4, F_SYN, 25, IP_MF, 0, false, 0, true },
	{ "v4 non-first fragment", NFPROTO_IPV4, F_SYN, 25, 8, 0, false, 0, false },
	{ "v4 truncated TCP header", NFPROTO_IPV4, F_SYN, 25, 0, 0, false, 8, false },
	/* RFC 1858: fragments that hide the flags (SMTPRL_EVASIVE_FRAG). */
	{ "v4 first fragment of 8 TCP bytes to 25", NFPROTO_IPV4, F_SYN, 25, IP_MF, 0, false,
	  12, SMTPRL_EVASIVE_FRAG },
	{ "v4 first fragment of 8 TCP bytes to 80", NFPROTO_IPV4, F_SYN, 80, IP_MF, 0, false,
	  12, false },
	{ "v4 first fragment, options in the next", NFPROTO_IPV4, F_SYN, 25, IP_MF, 0, false, 0,
	  SMTPRL_NEW_CONN, 0, 15, 8 },
	{ "v4 fragment at offset 8 bytes", NFPROTO_IPV4, 0, 80, 1, 0, false, 0,
	  SMTPRL_EVASIVE_FRAG },
	{ "v4 fragment at offset 16 bytes", NFPROTO_IPV4, F_SYN, 25, 2, 0, false, 0, false },
	{ "v4 TCP data offset below 5", NFPROTO_IPV4, F_SYN, 25, 0, 0, false, 0, false, 0, 4 },
	{ "v4 TCP options beyond the packet", NFPROTO_IPV4, F_SYN, 25, 0, 0, false, 0, false,
	  0, 15, 8 },
	{ "v4 TCP options within the packet", NFPROTO_IPV4, F_SYN, 25, 0, 0, false, 0, true,
	  0, 8, 12 },
	{ "v4 SYN with data (Fast Open)", NFPROTO_IPV4, F_SYN, 25, 0, 0, false, 0, true,
	  0, 0, 32 },
	{ "v6 SYN to 25", NFPROTO_IPV6, F_SYN, 25, 0, 0, false, 0, true },
	{ "v6 TCP options beyond the packet", NFPROTO_IPV6, F_SYN, 25, 0, 0, false, 0, false,
	  0, 6, 0 },
	{ "v6 SYN to 587", NFPROTO_IPV6, F_SYN, 587, 0, 0, false, 0, false },
	{ "v6 SYN+ACK", NFPROTO_IPV6, F_SYN | F_ACK, 25, 0, 0, false, 0, false },
	{ "v6 SYN behind extension headers", NFPROTO_IPV6, F_SYN, 25, 0, 2, false, 0, true },
	{ "v6 SYN in a first fragment", NFPROTO_IPV6, F_SYN, 25, 0, 1, true, 0, true },
	{ "v6 non-first fragment", NFPROTO_IPV6, F_SYN, 25, 8, 0, true, 0, false },
	{ "v6 first fragment of 8 TCP bytes to 25", NFPROTO_IPV6, F_SYN, 25, IP_MF, 0, true,
	  12, SMTPRL_EVASIVE_FRAG },
	{ "v6 first fragment of 8 TCP bytes to 587", NFPROTO_IPV6, F_SYN, 587, IP_MF, 0, true,
	  12, false },
	{ "v6 fragment at offset 8 bytes", NFPROTO_IPV6, 0, 80, 1, 0, true, 0,
	  SMTPRL_EVASIVE_FRAG },
	{ "v6 fragment at offset 16 bytes", NFPROTO_IPV6, F_SYN, 25, 2, 0, true, 0, false },
	{ "v6 truncated extension header", NFPROTO_IPV6, F_SYN, 25, 0, 2, false, 30, false },
	{ "v6 truncated TCP header", NFPROTO_IPV6, F_SYN, 25, 0, 0, false, 4, false },
	/* The inline pre-filter: not TCP, whatever follows. */
	{ "v4 UDP", NFPROTO_IPV4, F_SYN, 25, 0, 0, false, 0, false, IPPROTO_UDP },
	{ "v4 ICMP", NFPROTO_IPV4, F_SYN, 25, 0, 0, false, 0, false, IPPROTO_ICMP },
	{ "v6 UDP", NFPROTO_IPV6, F_SYN, 25, 0, 0, false, 0, false, IPPROTO_UDP },
	{ "v6 ICMPv6", NFPROTO_IPV6, F_SYN, 25, 0, 0, false, 0, false, IPPROTO_ICMPV6 },
	{ "v6 UDP behind extension headers", NFPROTO_IPV6, F_SYN, 25, 0, 2, false, 0, false,
	  IPPROTO_UDP },
};

static void pkt_desc(const struct pkt *p, char *desc)
{
	strscpy(desc, p->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pkt, pkts, pkt_desc);

static void put_tcp(struct sk_buff *skb, const struct pkt *p)
{
	struct tcphdr *th = skb_put_zero(skb, sizeof(*th));

	th->source = htons(40000);
	th->dest = htons(p->dport);
	th->doff = p->doff ?: sizeof(*th) / 4;
	th->syn = !!(p->flags & F_SYN);
	th->ack = !!(p->flags & F_ACK);
	th->rst = !!(p->flags & F_RST);
	th->fin = !!(p->flags & F_FIN);
	skb_put_zero(skb, p->extra);
}

static struct sk_buff *build(struct kunit *test, const struct pkt *p)
{
	struct sk_buff *skb = alloc_skb(256, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reset_network_header(skb);
	if (p->pf == NFPROTO_IPV4) {
		struct iphdr *iph = skb_put_zero(skb, sizeof(*iph));

		iph->version = 4;
		iph->ihl = 5;
		iph->protocol = p->l4 ?: IPPROTO_TCP;
		iph->frag_off = htons(p->frag_off);
		iph->saddr = htonl(0x0a000102);
		iph->daddr = htonl(0x0a000219);
	} else {
		struct ipv6hdr *ip6h = skb_put_zero(skb, sizeof(*ip6h));
		u8 *next = &ip6h->nexthdr;
		int i;

		ip6h->version = 6;
		ip6h->saddr.s6_addr[0] = 0x20;
		ip6h->daddr.s6_addr[0] = 0x20;
		for (i = 0; i < p->exthdrs; i++) {
			struct ipv6_opt_hdr *oh = skb_put_zero(skb, 8);

			*next = i ? NEXTHDR_DEST : NEXTHDR_HOP;
			next = &oh->nexthdr;
		}
		if (p->v6_frag) {
			struct frag_hdr *fh = skb_put_zero(skb, sizeof(*fh));

			*next = NEXTHDR_FRAGMENT;
			next = &fh->nexthdr;
			fh->frag_off = htons((p->frag_off & ~IP_MF) << 3 |
					     !!(p->frag_off & IP_MF));
		}
		*next = p->l4 ?: IPPROTO_TCP;
	}
	put_tcp(skb, p);
	skb_trim(skb, skb->len - p->truncate);
	return skb;
}

static void classifies_as_expected(struct kunit *test)
{
	const struct pkt *p = test->param_value;
	struct smtprl_policy pol = {};
	struct smtprl_policy_cfg cfg;
	struct smtprl_conn c;
	struct sk_buff *skb;
	bool maybe;

	smtprl_policy_defaults(&cfg);
	KUNIT_ASSERT_EQ(test, 0, smtprl_policy_build(&pol, &cfg, NULL));
	skb = build(test, p);
	/* The hook's inline pre-filter only ever turns away what is not TCP. */
	maybe = !p->l4 || (p->pf == NFPROTO_IPV6 && p->exthdrs);
	KUNIT_EXPECT_EQ(test, maybe, smtprl_maybe_tcp(skb, p->pf));
	KUNIT_EXPECT_EQ(test, p->expect, smtprl_classify(skb, p->pf, &pol, &c));
	if (p->expect == SMTPRL_NEW_CONN)
		KUNIT_EXPECT_EQ(test, htons(25), c.dport);
	kfree_skb(skb);
}

static void ports_come_from_the_policy(struct kunit *test)
{
	struct pkt p = { "v4 SYN to 2525", NFPROTO_IPV4, F_SYN, 2525 };
	struct smtprl_policy pol = {};
	struct smtprl_policy_cfg cfg;
	struct smtprl_conn c;
	struct sk_buff *skb = build(test, &p);

	smtprl_policy_defaults(&cfg);
	cfg.ports[1] = 2525;
	cfg.nports = 2;
	KUNIT_ASSERT_EQ(test, 0, smtprl_policy_build(&pol, &cfg, NULL));
	KUNIT_EXPECT_TRUE(test, smtprl_classify(skb, NFPROTO_IPV4, &pol, &c));
	KUNIT_EXPECT_EQ(test, htonl(0x0a000102), c.saddr.v4);
	KUNIT_EXPECT_EQ(test, htonl(0x0a000219), c.daddr.v4);
	kfree_skb(skb);
}

static void v4_mask_keeps_prefix_only(struct kunit *test)
{
	union smtprl_addr a = {}, m;

	a.v4 = htonl(0xc0a801fe);
	smtprl_addr_mask(&m, &a, NFPROTO_IPV4, 24);
	KUNIT_EXPECT_EQ(test, htonl(0xc0a80100), m.v4);
	smtprl_addr_mask(&m, &a, NFPROTO_IPV4, 0);
	KUNIT_EXPECT_EQ(test, 0U, (u32)m.v4);
}

static void v6_mask_keys_on_the_64(struct kunit *test)
{
	union smtprl_addr a, b, ma, mb;

	memset(&a, 0xab, sizeof(a));
	b = a;
	b.v6.s6_addr[15] = 0x01;	/* another host in the same /64 */
	smtprl_addr_mask(&ma, &a, NFPROTO_IPV6, 64);
	smtprl_addr_mask(&mb, &b, NFPROTO_IPV6, 64);
	KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&ma.v6, &mb.v6));
	KUNIT_EXPECT_EQ(test, 0, (int)ma.v6.s6_addr[8]);
}

static struct kunit_case classify_cases[] = {
	KUNIT_CASE_PARAM(classifies_as_expected, pkt_gen_params),
	KUNIT_CASE(ports_come_from_the_policy),
	KUNIT_CASE(v4_mask_keeps_prefix_only),
	KUNIT_CASE(v6_mask_keys_on_the_64),
	{}
};

static struct kunit_suite classify_suite = {
	.name = "smtprl_classify",
	.test_cases = classify_cases,
};

kunit_test_suite(classify_suite);
