/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_NETLINK_H
#define _SMTPRL_NETLINK_H

#include <net/genetlink.h>

#include "dump.h"
#include "netlink-gen.h"
#include "netns.h"

/*
 * What the request handlers (netlink*.c) share: the namespace of a
 * request, reply building, prefix parsing and the mapping of a refusal
 * to the attribute it is about. The handlers themselves are declared in
 * netlink-gen.h, generated from the spec.
 */

static inline struct smtprl_net *smtprl_info_sn(struct genl_info *info)
{
	return smtprl_net(genl_info_net(info));
}

static inline struct smtprl_net *smtprl_cb_sn(struct netlink_callback *cb)
{
	return smtprl_net(sock_net(cb->skb->sk));
}

int smtprl_no_attrs(const struct nlmsghdr *nlh, struct netlink_ext_ack *extack);
void *smtprl_reply_put(struct sk_buff *skb, struct genl_info *info);
int smtprl_reply_one(struct genl_info *info,
		     void *(*find)(struct smtprl_net *sn, const void *key),
		     const void *key, smtprl_fill_fn fill);
int smtprl_dump(struct sk_buff *skb, struct netlink_callback *cb,
		struct rhashtable *ht, unsigned int head_offset,
		smtprl_fill_fn fill);
int smtprl_nl_refuse(struct genl_info *info, int maxattr,
		     const struct smtprl_bad *bad, int err);
int smtprl_parse_prefix(struct genl_info *info, struct smtprl_pfx_key *k,
			bool with_plen);

/* The attribute's value if given, else @def (partial updates). */
static inline u32 smtprl_attr_u32(struct nlattr **tb, int type, u32 def)
{
	return tb[type] ? nla_get_u32(tb[type]) : def;
}

#endif /* _SMTPRL_NETLINK_H */
