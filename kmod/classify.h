/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_CLASSIFY_H
#define _SMTPRL_CLASSIFY_H

#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/types.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "policy.h"

/* An address of either family; IPv4 lives in the first word, rest zero. */
union smtprl_addr {
	__be32 v4;
	struct in6_addr v6;
};

/*
 * A new connection attempt, as the hook sees it. For IPv4 only the first
 * word of each address is set: nothing reads the rest of an IPv4 address.
 */
struct smtprl_conn {
	union smtprl_addr saddr;
	union smtprl_addr daddr;
	__be16 dport;
	u8 family;		/* NFPROTO_IPV4 or NFPROTO_IPV6 */
};

/* What smtprl_classify() made of a packet. */
enum smtprl_class {
	SMTPRL_NOT_OURS,	/* not a new connection to a policed port */
	SMTPRL_NEW_CONN,	/* a new connection: count it */
	SMTPRL_EVASIVE_FRAG,	/* a fragment that hides its TCP flags */
};

enum smtprl_class smtprl_classify(const struct sk_buff *skb, u8 pf,
				  const struct smtprl_policy *p,
				  struct smtprl_conn *c);

/**
 * smtprl_maybe_tcp - can @skb be a TCP segment at all?
 * @skb: the packet, network header set and pulled (as at PREROUTING and
 *	LOCAL_OUT: ip_rcv/ipv6_rcv and the output path guarantee it)
 * @pf: NFPROTO_IPV4 or NFPROTO_IPV6
 *
 * The hook's first question, inline, so that what cannot be TCP (IPv4
 * protocol other than TCP; IPv6 whose first next header is UDP, ICMPv6,
 * ESP or none) leaves without a call or a stack frame. Anything else goes
 * to smtprl_classify(), which looks at every header properly.
 */
static __always_inline bool smtprl_maybe_tcp(const struct sk_buff *skb, u8 pf)
{
	u8 nexthdr;

	if (pf == NFPROTO_IPV4)
		return ip_hdr(skb)->protocol == IPPROTO_TCP;
	/* TCP right behind the header, the common case, first. */
	nexthdr = ipv6_hdr(skb)->nexthdr;
	if (likely(nexthdr == IPPROTO_TCP))
		return true;
	switch (nexthdr) {
	case IPPROTO_UDP:
	case IPPROTO_ICMPV6:
	case IPPROTO_ESP:
	case NEXTHDR_NONE:
		return false;
	}
	return true;
}

/**
 * smtprl_plain_tcp - the TCP header of @skb, in the common case
 * @skb: a packet smtprl_maybe_tcp() let through
 * @pf: NFPROTO_IPV4 or NFPROTO_IPV6
 *
 * The common case is a TCP segment that is not a fragment, behind an IPv4
 * header without options or an IPv6 header without extension headers,
 * its TCP header in the linear area: then the header is returned, read
 * in place. Anything else returns NULL, and smtprl_classify() looks at it
 * properly.
 */
static __always_inline const struct tcphdr *
smtprl_plain_tcp(const struct sk_buff *skb, u8 pf)
{
	const u8 *nh = skb_network_header(skb);
	unsigned int thoff;

	if (pf == NFPROTO_IPV4) {
		/* Version 4, header length 5 words (no options), whole. */
		if (*nh != 0x45 ||
		    ((const struct iphdr *)nh)->frag_off & htons(IP_MF | IP_OFFSET))
			return NULL;
		thoff = sizeof(struct iphdr);
	} else {
		if (((const struct ipv6hdr *)nh)->nexthdr != IPPROTO_TCP ||
		    (*nh >> 4) != 6)
			return NULL;
		thoff = sizeof(struct ipv6hdr);
	}
	if (skb_network_offset(skb) + thoff + sizeof(struct tcphdr) > skb_headlen(skb))
		return NULL;
	return (const struct tcphdr *)(nh + thoff);
}

/* SYN, without ACK, RST or FIN: the first segment of a connection. */
static __always_inline bool smtprl_tcp_syn(const struct tcphdr *th)
{
	return (tcp_flag_word(th) & (TCP_FLAG_SYN | TCP_FLAG_ACK |
				     TCP_FLAG_RST | TCP_FLAG_FIN)) == TCP_FLAG_SYN;
}

/**
 * smtprl_classify_plain - smtprl_classify() of a packet with a plain header
 * @skb: the packet
 * @pf: NFPROTO_IPV4 or NFPROTO_IPV6
 * @th: smtprl_plain_tcp() of @skb, a SYN (smtprl_tcp_syn(): the hook
 *	asked already, and does not ask twice)
 * @p: the policy in force (for its ports)
 * @c: filled with addresses and port when the answer is a new connection
 *
 * A TCP header too short for itself or its options is not ours (the
 * receiver drops it). Call under RCU (for @p).
 */
static __always_inline enum smtprl_class
smtprl_classify_plain(const struct sk_buff *skb, u8 pf, const struct tcphdr *th,
		      const struct smtprl_policy *p, struct smtprl_conn *c)
{
	unsigned int thoff = (const u8 *)th - skb->data;

	if (th->doff < sizeof(*th) / 4 ||
	    thoff + th->doff * 4 > skb->len || !smtprl_policy_port(p, th->dest))
		return SMTPRL_NOT_OURS;
	c->dport = th->dest;
	if (pf == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		c->saddr.v4 = iph->saddr;
		c->daddr.v4 = iph->daddr;
		c->family = NFPROTO_IPV4;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		c->saddr.v6 = ip6h->saddr;
		c->daddr.v6 = ip6h->daddr;
		c->family = NFPROTO_IPV6;
	}
	return SMTPRL_NEW_CONN;
}

enum smtprl_class smtprl_classify_other(const struct sk_buff *skb, u8 pf,
					const struct smtprl_policy *p,
					struct smtprl_conn *c);

void smtprl_addr_mask(union smtprl_addr *dst, const union smtprl_addr *src,
		      u8 family, u8 plen);

#endif /* _SMTPRL_CLASSIFY_H */
