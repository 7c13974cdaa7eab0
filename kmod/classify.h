/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_CLASSIFY_H
#define _SMTPRL_CLASSIFY_H

#include <linux/in6.h>
#include <linux/skbuff.h>
#include <linux/types.h>

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

bool smtprl_classify(const struct sk_buff *skb, u8 pf,
		     const struct smtprl_policy *p, struct smtprl_conn *c);
void smtprl_addr_mask(union smtprl_addr *dst, const union smtprl_addr *src,
		      u8 family, u8 plen);

#endif /* _SMTPRL_CLASSIFY_H */
