// SPDX-License-Identifier: GPL-2.0
/*
 * How a prefix, a quarantine and a source look on the wire: shared by
 * request replies, dumps and events, so that all three say the same.
 */

#include <linux/math64.h>
#include <net/netlink.h>

#include "attrs.h"
#include "smtprl.h"
#include "sub.h"

#define PAD	SMTPRL_A_ENTRY_PAD

int smtprl_put_prefix(struct sk_buff *skb, u8 family,
		      const union smtprl_addr *a, u8 plen)
{
	if (family == NFPROTO_IPV4) {
		if (nla_put_in_addr(skb, SMTPRL_A_ENTRY_ADDR4, a->v4))
			return -EMSGSIZE;
	} else if (nla_put_in6_addr(skb, SMTPRL_A_ENTRY_ADDR6, &a->v6)) {
		return -EMSGSIZE;
	}
	return nla_put_u8(skb, SMTPRL_A_ENTRY_PLEN, plen);
}

static u64 ago_s(u64 now_s, u64 then_s)
{
	return now_s > then_s ? now_s - then_s : 0;
}

/* The quarantine part of a source (state quarantined, or just released). */
int smtprl_put_quar(struct sk_buff *skb, const struct smtprl_quar *q, u64 now)
{
	return nla_put_u32(skb, SMTPRL_A_ENTRY_CAUSE, q->cause) ||
	       nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_QUARANTINED,
				 div_u64(now > q->since_ns ? now - q->since_ns : 0,
					 NSEC_PER_SEC), PAD) ||
	       nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_REFUSED, q->refused, PAD);
}

/*
 * A source: its prefix, or for a subscriber's entry the subscriber's name
 * (@sub, NULL for an orphan, see SMTPRL_FAMILY_SUB), and its levels by
 * the limits it is charged by. Under RCU.
 */
int smtprl_put_source(struct sk_buff *skb, const struct smtprl_snap *s,
		      const struct smtprl_policy *p, const struct smtprl_sub *sub,
		      u64 now)
{
	const struct smtprl_limit *lim = smtprl_sub_limit(sub, p);
	const struct smtprl_buckets *b = &s->b;
	u64 now_s = div_u64(now, NSEC_PER_SEC), until;

	if ((s->family == SMTPRL_FAMILY_SUB ?
	     sub && nla_put_string(skb, SMTPRL_A_ENTRY_NAME, sub->name) :
	     smtprl_put_prefix(skb, s->family, &s->addr, s->plen)) ||
	    nla_put_u32(skb, SMTPRL_A_ENTRY_STATE, smtprl_snap_state(s, lim, now)) ||
	    nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_ALLOWED, s->allowed, PAD) ||
	    nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_LIMITED, s->limited, PAD) ||
	    nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_TOKENS,
			      smtprl_bucket_level(b->tokens_ns, b->last_ns,
						  &lim->rate, now), PAD) ||
	    (lim->daily.cost_ns &&
	     nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_DAILY_TOKENS,
			       smtprl_bucket_level(b->daily_ns, b->last_ns,
						   &lim->daily, now), PAD)) ||
	    nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_AGE, ago_s(now_s, s->first_s), PAD) ||
	    nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_IDLE,
			      div_u64(now > b->last_ns ? now - b->last_ns : 0,
				      NSEC_PER_SEC), PAD) ||
	    (s->last_limited_s &&
	     nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_LAST_LIMITED,
			       ago_s(now_s, s->last_limited_s), PAD)) ||
	    nla_put_u32(skb, SMTPRL_A_ENTRY_STRIKES, s->strikes) ||
	    nla_put_u32(skb, SMTPRL_A_ENTRY_FANOUT, s->fanout))
		return -EMSGSIZE;
	if (s->state != SMTPRL_STATE_QUARANTINED)
		return 0;
	until = s->quar.cause == SMTPRL_CAUSE_OPERATOR ? s->quar.until_ns :
		min(s->quar.until_ns, s->quar.since_ns + p->q.max_ns);
	if (smtprl_put_quar(skb, &s->quar, now) ||
	    nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_REMAINING,
			      div_u64(until > now ? until - now : 0, NSEC_PER_SEC), PAD))
		return -EMSGSIZE;
	return 0;
}
