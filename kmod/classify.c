// SPDX-License-Identifier: GPL-2.0
/*
 * Classification: is this packet a new SMTP connection? Only a TCP SYN
 * without ACK (nor RST or FIN) to one of the policy's ports is; a SYN that
 * carries data (TCP Fast Open) is one too. Fragments after the first and
 * malformed headers (a TCP header or its options cut short) are not ours:
 * they are accepted untouched, and the receiver drops them. Nothing here
 * writes shared memory or takes a lock.
 */

#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "classify.h"
#include "policy.h"
#include "smtprl.h"

static bool tcp_is_new_conn(const struct sk_buff *skb, unsigned int thoff,
			    const struct smtprl_policy *p, __be16 *dport)
{
	struct tcphdr _th;
	const struct tcphdr *th;

	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th || th->doff < sizeof(*th) / 4)
		return false;
	/* Options cut short: the receiver drops it, so no connection. */
	if (thoff + th->doff * 4 > skb->len)
		return false;
	if (!th->syn || th->ack || th->rst || th->fin)
		return false;
	if (!smtprl_policy_port(p, th->dest))
		return false;
	*dport = th->dest;
	return true;
}

static bool classify_v4(const struct sk_buff *skb,
			const struct smtprl_policy *p, struct smtprl_conn *c)
{
	struct iphdr _iph;
	const struct iphdr *iph;

	iph = skb_header_pointer(skb, skb_network_offset(skb), sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5)
		return false;
	if (iph->protocol != IPPROTO_TCP || iph->frag_off & htons(IP_OFFSET))
		return false;
	if (!tcp_is_new_conn(skb, skb_network_offset(skb) + iph->ihl * 4, p,
			     &c->dport))
		return false;
	memset(&c->saddr, 0, sizeof(c->saddr));
	memset(&c->daddr, 0, sizeof(c->daddr));
	c->saddr.v4 = iph->saddr;
	c->daddr.v4 = iph->daddr;
	c->family = NFPROTO_IPV4;
	return true;
}

static bool classify_v6(const struct sk_buff *skb,
			const struct smtprl_policy *p, struct smtprl_conn *c)
{
	struct ipv6hdr _ip6h;
	const struct ipv6hdr *ip6h;
	__be16 frag_off = 0;
	u8 nexthdr;
	int thoff;

	ip6h = skb_header_pointer(skb, skb_network_offset(skb), sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6)
		return false;
	nexthdr = ip6h->nexthdr;
	thoff = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6h),
				 &nexthdr, &frag_off);
	if (thoff < 0 || nexthdr != IPPROTO_TCP || frag_off & htons(IP6_OFFSET))
		return false;
	if (!tcp_is_new_conn(skb, thoff, p, &c->dport))
		return false;
	c->saddr.v6 = ip6h->saddr;
	c->daddr.v6 = ip6h->daddr;
	c->family = NFPROTO_IPV6;
	return true;
}

/**
 * smtprl_classify - is @skb a new connection to one of @p's ports?
 * @skb: the packet, network header set
 * @pf: NFPROTO_IPV4 or NFPROTO_IPV6
 * @p: the policy in force (for its ports)
 * @c: filled with addresses and port when the answer is yes
 *
 * Call with RCU read lock (for @p).
 */
bool smtprl_classify(const struct sk_buff *skb, u8 pf,
		     const struct smtprl_policy *p, struct smtprl_conn *c)
{
	if (pf == NFPROTO_IPV4)
		return classify_v4(skb, p, c);
	if (pf == NFPROTO_IPV6)
		return classify_v6(skb, p, c);
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_classify);

/* @dst = @src with all but the first @plen bits cleared. */
void smtprl_addr_mask(union smtprl_addr *dst, const union smtprl_addr *src,
		      u8 family, u8 plen)
{
	if (family == NFPROTO_IPV4) {
		memset(dst, 0, sizeof(*dst));
		dst->v4 = src->v4 & inet_make_mask(min_t(u8, plen, 32));
	} else {
		ipv6_addr_prefix(&dst->v6, &src->v6, min_t(u8, plen, 128));
	}
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_addr_mask);
