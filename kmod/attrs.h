/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_ATTRS_H
#define _SMTPRL_ATTRS_H

#include <linux/types.h>

#include "classify.h"

struct sk_buff;
struct smtprl_policy;
struct smtprl_quar;
struct smtprl_snap;
struct smtprl_sub;

/*
 * Attribute writers shared by replies, dumps and events: one place says
 * how a prefix, a quarantine and a source look on the wire.
 */
int smtprl_put_prefix(struct sk_buff *skb, u8 family,
		      const union smtprl_addr *a, u8 plen);
int smtprl_put_quar(struct sk_buff *skb, const struct smtprl_quar *q, u64 now);
int smtprl_put_source(struct sk_buff *skb, const struct smtprl_snap *s,
		      const struct smtprl_policy *p, const struct smtprl_sub *sub,
		      u64 now);

#endif /* _SMTPRL_ATTRS_H */
