/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/smtprl.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_SMTPRL_GEN_H
#define _LINUX_SMTPRL_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/smtprl.h>

/* Common nested types */
extern const struct nla_policy smtprl_bind_nl_policy[SMTPRL_A_ENTRY_PLEN + 1];

int smtprl_nl_policy_get_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_policy_set_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_scope_add_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_scope_del_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_scope_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb);
int smtprl_nl_scope_flush_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_relay_add_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_relay_del_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_relay_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb);
int smtprl_nl_relay_flush_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_exempt_add_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_exempt_del_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_exempt_get_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_exempt_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int smtprl_nl_exempt_flush_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_source_get_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_source_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int smtprl_nl_source_del_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_source_flush_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_source_quarantine_doit(struct sk_buff *skb,
				     struct genl_info *info);
int smtprl_nl_source_release_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_subscriber_add_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_subscriber_del_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_subscriber_get_doit(struct sk_buff *skb, struct genl_info *info);
int smtprl_nl_subscriber_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb);
int smtprl_nl_subscriber_flush_doit(struct sk_buff *skb,
				    struct genl_info *info);

enum {
	SMTPRL_NLGRP_EVENTS,
};

extern struct genl_family smtprl_nl_family;

#endif /* _LINUX_SMTPRL_GEN_H */
