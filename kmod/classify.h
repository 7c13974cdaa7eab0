/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_CLASSIFY_H
#define _SMTPRL_CLASSIFY_H

#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <net/ipv6.h>

struct smtprl_policy;

/* An address of either family; IPv4 lives in the first word, rest zero. */
union smtprl_addr {
	__be32 v4;
	struct in6_addr v6;
};

/* A new connection attempt, as the hook sees it. */
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
	if (pf == NFPROTO_IPV4)
		return ip_hdr(skb)->protocol == IPPROTO_TCP;
	switch (ipv6_hdr(skb)->nexthdr) {
	case IPPROTO_UDP:
	case IPPROTO_ICMPV6:
	case IPPROTO_ESP:
	case NEXTHDR_NONE:
		return false;
	}
	return true;
}

void smtprl_addr_mask(union smtprl_addr *dst, const union smtprl_addr *src,
		      u8 family, u8 plen);

#endif /* _SMTPRL_CLASSIFY_H */
