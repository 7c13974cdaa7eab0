// SPDX-License-Identifier: GPL-2.0
/*
 * Classification: is this packet a new SMTP connection? Only a TCP SYN
 * without ACK (nor RST or FIN) to one of the policy's ports is; a SYN that
 * carries data (TCP Fast Open) is one too. Malformed headers (a TCP header
 * or its options cut short) are not ours: they are accepted untouched, and
 * the receiver drops them. Nothing here writes shared memory or takes a
 * lock.
 *
 * Fragments. Without conntrack nothing reassembles forwarded fragments
 * before us, and a SYN can be split so that no fragment shows its flags:
 * a first fragment with only the ports (8 bytes of TCP header) and a
 * second with the rest, or a whole first fragment without SYN whose flags
 * a fragment at offset 8 overwrites. As RFC 1858 recommends, both are
 * evasive: a first fragment to a policed port too short for the whole TCP
 * header, and any TCP fragment at offset 8 (no sender makes either). The
 * hook drops them. Later fragments at other offsets cannot reach the
 * ports or the flags and are not ours. Enabling nf_defrag instead would
 * reassemble every forwarded fragment on the box; this costs nothing to
 * packets that are not fragments.
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

/* Fragment offsets in 8-byte units, as RFC 1858 counts them. */
#define TINY_FRAG_OFFSET	1

/*
 * @frag: the packet is a first fragment (more follow), whose TCP header
 * must then be whole: a short one to a policed port is evasive.
 */
static enum smtprl_class tcp_class(const struct sk_buff *skb, unsigned int thoff,
				   bool frag, const struct smtprl_policy *p,
				   __be16 *dport)
{
	struct tcphdr _th;
	const struct tcphdr *th;
	__be16 _ports[2];
	const __be16 *ports;

	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (unlikely(!th && frag)) {
		/* Fragments carry multiples of 8 bytes: the ports are here. */
		ports = skb_header_pointer(skb, thoff, sizeof(_ports), _ports);
		if (ports && smtprl_policy_port(p, ports[1])) {
			*dport = ports[1];
			return SMTPRL_EVASIVE_FRAG;
		}
		return SMTPRL_NOT_OURS;
	}
	if (!th || th->doff < sizeof(*th) / 4)
		return SMTPRL_NOT_OURS;
	/*
	 * Options cut short: the receiver drops such a packet, so no
	 * connection; but in a first fragment they follow, and the flags
	 * are here.
	 */
	if (thoff + th->doff * 4 > skb->len && !frag)
		return SMTPRL_NOT_OURS;
	if (!th->syn || th->ack || th->rst || th->fin)
		return SMTPRL_NOT_OURS;
	if (!smtprl_policy_port(p, th->dest))
		return SMTPRL_NOT_OURS;
	*dport = th->dest;
	return SMTPRL_NEW_CONN;
}

static enum smtprl_class classify_v4(const struct sk_buff *skb,
				     const struct smtprl_policy *p,
				     struct smtprl_conn *c)
{
	struct iphdr _iph;
	const struct iphdr *iph;
	enum smtprl_class cls;
	u16 off;

	iph = skb_header_pointer(skb, skb_network_offset(skb), sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5)
		return SMTPRL_NOT_OURS;
	if (iph->protocol != IPPROTO_TCP)
		return SMTPRL_NOT_OURS;
	off = ntohs(iph->frag_off) & IP_OFFSET;
	c->dport = 0;
	cls = SMTPRL_EVASIVE_FRAG;
	if (unlikely(off && off != TINY_FRAG_OFFSET))
		return SMTPRL_NOT_OURS;
	if (!off)
		cls = tcp_class(skb, skb_network_offset(skb) + iph->ihl * 4,
				iph->frag_off & htons(IP_MF), p, &c->dport);
	if (cls == SMTPRL_NOT_OURS)
		return cls;
	memset(&c->saddr, 0, sizeof(c->saddr));
	memset(&c->daddr, 0, sizeof(c->daddr));
	c->saddr.v4 = iph->saddr;
	c->daddr.v4 = iph->daddr;
	c->family = NFPROTO_IPV4;
	return cls;
}

static enum smtprl_class classify_v6(const struct sk_buff *skb,
				     const struct smtprl_policy *p,
				     struct smtprl_conn *c)
{
	struct ipv6hdr _ip6h;
	const struct ipv6hdr *ip6h;
	enum smtprl_class cls;
	__be16 frag_off = 0;
	u8 nexthdr;
	int thoff;
	u16 off;

	ip6h = skb_header_pointer(skb, skb_network_offset(skb), sizeof(_ip6h), &_ip6h);
	if (!ip6h || ip6h->version != 6)
		return SMTPRL_NOT_OURS;
	nexthdr = ip6h->nexthdr;
	thoff = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6h),
				 &nexthdr, &frag_off);
	if (thoff < 0)
		return SMTPRL_NOT_OURS;
	/* The fragment header's field: offset in bytes, IP6_MF in bit 0. */
	off = ntohs(frag_off & htons(IP6_OFFSET)) >> 3;
	c->dport = 0;
	if (unlikely(off)) {
		struct frag_hdr _fh;
		const struct frag_hdr *fh;

		/* A later fragment: ipv6_skip_exthdr() stopped at its header. */
		if (off != TINY_FRAG_OFFSET || nexthdr != NEXTHDR_FRAGMENT)
			return SMTPRL_NOT_OURS;
		fh = skb_header_pointer(skb, thoff, sizeof(_fh), &_fh);
		if (!fh || fh->nexthdr != IPPROTO_TCP)
			return SMTPRL_NOT_OURS;
		cls = SMTPRL_EVASIVE_FRAG;
	} else {
		if (nexthdr != IPPROTO_TCP)
			return SMTPRL_NOT_OURS;
		cls = tcp_class(skb, thoff, frag_off & htons(IP6_MF), p, &c->dport);
	}
	if (cls == SMTPRL_NOT_OURS)
		return cls;
	c->saddr.v6 = ip6h->saddr;
	c->daddr.v6 = ip6h->daddr;
	c->family = NFPROTO_IPV6;
	return cls;
}

/*
 * What smtprl_plain_tcp() leaves: IPv4 options, IPv6 extension headers,
 * fragments, headers outside the linear area, malformed headers. Out of
 * line: the packet path calls it only for those.
 */
enum smtprl_class smtprl_classify_other(const struct sk_buff *skb, u8 pf,
					const struct smtprl_policy *p,
					struct smtprl_conn *c)
{
	if (pf == NFPROTO_IPV4)
		return classify_v4(skb, p, c);
	if (pf == NFPROTO_IPV6)
		return classify_v6(skb, p, c);
	return SMTPRL_NOT_OURS;
}

/**
 * smtprl_classify - is @skb a new connection to one of @p's ports?
 * @skb: the packet, network header set
 * @pf: NFPROTO_IPV4 or NFPROTO_IPV6
 * @p: the policy in force (for its ports)
 * @c: filled with addresses and port when the answer is yes
 *
 * What the hook does, as one call (the hook itself inlines the common
 * case and leaves non-SYN segments before it looks at the policy). Call
 * with RCU read lock (for @p).
 */
enum smtprl_class smtprl_classify(const struct sk_buff *skb, u8 pf,
				  const struct smtprl_policy *p,
				  struct smtprl_conn *c)
{
	const struct tcphdr *th;

	if (pf != NFPROTO_IPV4 && pf != NFPROTO_IPV6)
		return SMTPRL_NOT_OURS;
	if (!smtprl_maybe_tcp(skb, pf))
		return SMTPRL_NOT_OURS;
	th = smtprl_plain_tcp(skb, pf);
	if (th)
		return smtprl_tcp_syn(th) ? smtprl_classify_plain(skb, pf, th, p, c) :
					    SMTPRL_NOT_OURS;
	return smtprl_classify_other(skb, pf, p, c);
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
