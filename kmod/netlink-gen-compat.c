// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/smtprl.yaml */
/* YNL-GEN kernel source, rewritten by scripts/ynl/ynl-compat.py for < 6.2 */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/smtprl.h>

/* Integer value ranges */
static struct netlink_range_validation smtprl_a_policy_max_sources_range = {
	.min	= 1ULL,
	.max	= 16777216ULL,
};

static struct netlink_range_validation smtprl_a_policy_strike_window_range = {
	.min	= 32ULL,
	.max	= 2592000ULL,
};

static struct netlink_range_validation smtprl_a_policy_release_after_range = {
	.min	= 1ULL,
	.max	= 2592000ULL,
};

static struct netlink_range_validation smtprl_a_policy_quarantine_max_range = {
	.min	= 1ULL,
	.max	= 31536000ULL,
};

static struct netlink_range_validation smtprl_a_policy_event_interval_range = {
	.min	= 1ULL,
	.max	= 86400ULL,
};

static struct netlink_range_validation smtprl_a_policy_max_subscribers_range = {
	.min	= 1ULL,
	.max	= 16777216ULL,
};

static struct netlink_range_validation smtprl_a_policy_subscriber_linger_range = {
	.max	= 2592000ULL,
};

/* Common nested types */
const struct nla_policy smtprl_bind_nl_policy[SMTPRL_A_ENTRY_PLEN + 1] = {
	[SMTPRL_A_ENTRY_ADDR4] = { .type = NLA_U32, },
	[SMTPRL_A_ENTRY_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[SMTPRL_A_ENTRY_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

/* SMTPRL_CMD_POLICY_SET - do */
static const struct nla_policy smtprl_policy_set_nl_policy[SMTPRL_A_POLICY_SUBSCRIBER_LINGER + 1] = {
	[SMTPRL_A_POLICY_RATE] = NLA_POLICY_MIN(NLA_U32, 1),
	[SMTPRL_A_POLICY_RATE_UNIT] = NLA_POLICY_MAX(NLA_U32, 3),
	[SMTPRL_A_POLICY_BURST] = NLA_POLICY_MIN(NLA_U32, 1),
	[SMTPRL_A_POLICY_DAILY] = { .type = NLA_U32, },
	[SMTPRL_A_POLICY_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[SMTPRL_A_POLICY_ACTION] = NLA_POLICY_MAX(NLA_U32, 2),
	[SMTPRL_A_POLICY_WHEN_FULL] = NLA_POLICY_MAX(NLA_U32, 1),
	[SMTPRL_A_POLICY_V4_PREFIX] = NLA_POLICY_RANGE(NLA_U8, 1, 32),
	[SMTPRL_A_POLICY_V6_PREFIX] = NLA_POLICY_RANGE(NLA_U8, 1, 128),
	[SMTPRL_A_POLICY_MAX_SOURCES] = NLA_POLICY_FULL_RANGE(NLA_U32, &smtprl_a_policy_max_sources_range),
	[SMTPRL_A_POLICY_HOOKS] = NLA_POLICY_MASK(NLA_U32, 0x3),
	[SMTPRL_A_POLICY_ENABLED] = NLA_POLICY_MAX(NLA_U8, 1),
	[SMTPRL_A_POLICY_STRIKES] = NLA_POLICY_MAX(NLA_U32, 32),
	[SMTPRL_A_POLICY_STRIKE_WINDOW] = NLA_POLICY_FULL_RANGE(NLA_U32, &smtprl_a_policy_strike_window_range),
	[SMTPRL_A_POLICY_RELEASE_AFTER] = NLA_POLICY_FULL_RANGE(NLA_U32, &smtprl_a_policy_release_after_range),
	[SMTPRL_A_POLICY_QUARANTINE_MAX] = NLA_POLICY_FULL_RANGE(NLA_U32, &smtprl_a_policy_quarantine_max_range),
	[SMTPRL_A_POLICY_FANOUT_LIMIT] = NLA_POLICY_MAX(NLA_U32, 265),
	[SMTPRL_A_POLICY_EVENT_INTERVAL] = NLA_POLICY_FULL_RANGE(NLA_U32, &smtprl_a_policy_event_interval_range),
	[SMTPRL_A_POLICY_MAX_SUBSCRIBERS] = NLA_POLICY_FULL_RANGE(NLA_U32, &smtprl_a_policy_max_subscribers_range),
	[SMTPRL_A_POLICY_SUBSCRIBER_LINGER] = NLA_POLICY_FULL_RANGE(NLA_U32, &smtprl_a_policy_subscriber_linger_range),
};

/* SMTPRL_CMD_SCOPE_ADD - do */
static const struct nla_policy smtprl_scope_add_nl_policy[SMTPRL_A_ENTRY_GROUP + 1] = {
	[SMTPRL_A_ENTRY_ADDR4] = { .type = NLA_U32, },
	[SMTPRL_A_ENTRY_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[SMTPRL_A_ENTRY_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[SMTPRL_A_ENTRY_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[SMTPRL_A_ENTRY_GROUP] = NLA_POLICY_RANGE(NLA_U8, 1, 128),
	[SMTPRL_A_ENTRY_REPLACE] = { .type = NLA_FLAG, },
};

/* SMTPRL_CMD_SCOPE_DEL - do */
static const struct nla_policy smtprl_scope_del_nl_policy[SMTPRL_A_ENTRY_IFNAME + 1] = {
	[SMTPRL_A_ENTRY_ADDR4] = { .type = NLA_U32, },
	[SMTPRL_A_ENTRY_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[SMTPRL_A_ENTRY_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[SMTPRL_A_ENTRY_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
};

/* SMTPRL_CMD_RELAY_ADD - do */
static const struct nla_policy smtprl_relay_add_nl_policy[SMTPRL_A_ENTRY_PLEN + 1] = {
	[SMTPRL_A_ENTRY_ADDR4] = { .type = NLA_U32, },
	[SMTPRL_A_ENTRY_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[SMTPRL_A_ENTRY_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

/* SMTPRL_CMD_RELAY_DEL - do */
static const struct nla_policy smtprl_relay_del_nl_policy[SMTPRL_A_ENTRY_PLEN + 1] = {
	[SMTPRL_A_ENTRY_ADDR4] = { .type = NLA_U32, },
	[SMTPRL_A_ENTRY_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[SMTPRL_A_ENTRY_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

/* SMTPRL_CMD_EXEMPT_ADD - do */
static const struct nla_policy smtprl_exempt_add_nl_policy[SMTPRL_A_ENTRY_REPLACE + 1] = {
	[SMTPRL_A_ENTRY_ADDR4] = { .type = NLA_U32, },
	[SMTPRL_A_ENTRY_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[SMTPRL_A_ENTRY_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[SMTPRL_A_ENTRY_RATE] = NLA_POLICY_MIN(NLA_U32, 1),
	[SMTPRL_A_ENTRY_RATE_UNIT] = NLA_POLICY_MAX(NLA_U32, 3),
	[SMTPRL_A_ENTRY_BURST] = NLA_POLICY_MIN(NLA_U32, 1),
	[SMTPRL_A_ENTRY_DAILY] = NLA_POLICY_MIN(NLA_U32, 1),
	[SMTPRL_A_ENTRY_EXPIRES] = NLA_POLICY_MIN(NLA_U64, 1),
	[SMTPRL_A_ENTRY_COMMENT] = { .type = NLA_NUL_STRING, .len = 64, },
	[SMTPRL_A_ENTRY_REPLACE] = { .type = NLA_FLAG, },
};

/* SMTPRL_CMD_EXEMPT_DEL - do */
static const struct nla_policy smtprl_exempt_del_nl_policy[SMTPRL_A_ENTRY_PLEN + 1] = {
	[SMTPRL_A_ENTRY_ADDR4] = { .type = NLA_U32, },
	[SMTPRL_A_ENTRY_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[SMTPRL_A_ENTRY_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

/* SMTPRL_CMD_EXEMPT_GET - do */
static const struct nla_policy smtprl_exempt_get_nl_policy[SMTPRL_A_ENTRY_PLEN + 1] = {
	[SMTPRL_A_ENTRY_ADDR4] = { .type = NLA_U32, },
	[SMTPRL_A_ENTRY_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[SMTPRL_A_ENTRY_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

/* SMTPRL_CMD_SOURCE_GET - do */
static const struct nla_policy smtprl_source_get_nl_policy[SMTPRL_A_ENTRY_NAME + 1] = {
	[SMTPRL_A_ENTRY_ADDR4] = { .type = NLA_U32, },
	[SMTPRL_A_ENTRY_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[SMTPRL_A_ENTRY_NAME] = { .type = NLA_NUL_STRING, .len = 64, },
};

/* SMTPRL_CMD_SOURCE_DEL - do */
static const struct nla_policy smtprl_source_del_nl_policy[SMTPRL_A_ENTRY_NAME + 1] = {
	[SMTPRL_A_ENTRY_ADDR4] = { .type = NLA_U32, },
	[SMTPRL_A_ENTRY_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[SMTPRL_A_ENTRY_NAME] = { .type = NLA_NUL_STRING, .len = 64, },
};

/* SMTPRL_CMD_SOURCE_QUARANTINE - do */
static const struct nla_policy smtprl_source_quarantine_nl_policy[SMTPRL_A_ENTRY_NAME + 1] = {
	[SMTPRL_A_ENTRY_ADDR4] = { .type = NLA_U32, },
	[SMTPRL_A_ENTRY_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[SMTPRL_A_ENTRY_NAME] = { .type = NLA_NUL_STRING, .len = 64, },
	[SMTPRL_A_ENTRY_EXPIRES] = NLA_POLICY_MIN(NLA_U64, 1),
	[SMTPRL_A_ENTRY_CAUSE] = NLA_POLICY_MAX(NLA_U32, 3),
};

/* SMTPRL_CMD_SOURCE_RELEASE - do */
static const struct nla_policy smtprl_source_release_nl_policy[SMTPRL_A_ENTRY_NAME + 1] = {
	[SMTPRL_A_ENTRY_ADDR4] = { .type = NLA_U32, },
	[SMTPRL_A_ENTRY_ADDR6] = NLA_POLICY_EXACT_LEN(16),
	[SMTPRL_A_ENTRY_NAME] = { .type = NLA_NUL_STRING, .len = 64, },
};

/* SMTPRL_CMD_SUBSCRIBER_ADD - do */
static const struct nla_policy smtprl_subscriber_add_nl_policy[SMTPRL_A_ENTRY_BIND + 1] = {
	[SMTPRL_A_ENTRY_NAME] = { .type = NLA_NUL_STRING, .len = 64, },
	[SMTPRL_A_ENTRY_BIND] = NLA_POLICY_NESTED(smtprl_bind_nl_policy),
	[SMTPRL_A_ENTRY_MODE] = NLA_POLICY_MAX(NLA_U32, 2),
	[SMTPRL_A_ENTRY_RATE] = NLA_POLICY_MIN(NLA_U32, 1),
	[SMTPRL_A_ENTRY_RATE_UNIT] = NLA_POLICY_MAX(NLA_U32, 3),
	[SMTPRL_A_ENTRY_BURST] = NLA_POLICY_MIN(NLA_U32, 1),
	[SMTPRL_A_ENTRY_DAILY] = NLA_POLICY_MIN(NLA_U32, 1),
	[SMTPRL_A_ENTRY_REPLACE] = { .type = NLA_FLAG, },
};

/* SMTPRL_CMD_SUBSCRIBER_DEL - do */
static const struct nla_policy smtprl_subscriber_del_nl_policy[SMTPRL_A_ENTRY_LINGER + 1] = {
	[SMTPRL_A_ENTRY_NAME] = { .type = NLA_NUL_STRING, .len = 64, },
	[SMTPRL_A_ENTRY_BIND] = NLA_POLICY_NESTED(smtprl_bind_nl_policy),
	[SMTPRL_A_ENTRY_LINGER] = { .type = NLA_U64, },
};

/* SMTPRL_CMD_SUBSCRIBER_GET - do */
static const struct nla_policy smtprl_subscriber_get_nl_policy[SMTPRL_A_ENTRY_NAME + 1] = {
	[SMTPRL_A_ENTRY_NAME] = { .type = NLA_NUL_STRING, .len = 64, },
};

/* Ops table for smtprl: one entry per command (no split ops before 6.2) */
static const struct genl_ops smtprl_nl_ops[] = {
	{
		.cmd		= SMTPRL_CMD_POLICY_GET,
		.doit		= smtprl_nl_policy_get_doit,
		.flags		= 0,
	},
	{
		.cmd		= SMTPRL_CMD_POLICY_SET,
		.doit		= smtprl_nl_policy_set_doit,
		.policy		= smtprl_policy_set_nl_policy,
		.maxattr	= SMTPRL_A_POLICY_SUBSCRIBER_LINGER,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_STATS_GET,
		.doit		= smtprl_nl_stats_get_doit,
		.flags		= 0,
	},
	{
		.cmd		= SMTPRL_CMD_SCOPE_ADD,
		.doit		= smtprl_nl_scope_add_doit,
		.policy		= smtprl_scope_add_nl_policy,
		.maxattr	= SMTPRL_A_ENTRY_GROUP,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_SCOPE_DEL,
		.doit		= smtprl_nl_scope_del_doit,
		.policy		= smtprl_scope_del_nl_policy,
		.maxattr	= SMTPRL_A_ENTRY_IFNAME,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_SCOPE_GET,
		.dumpit		= smtprl_nl_scope_get_dumpit,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_SCOPE_FLUSH,
		.doit		= smtprl_nl_scope_flush_doit,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_RELAY_ADD,
		.doit		= smtprl_nl_relay_add_doit,
		.policy		= smtprl_relay_add_nl_policy,
		.maxattr	= SMTPRL_A_ENTRY_PLEN,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_RELAY_DEL,
		.doit		= smtprl_nl_relay_del_doit,
		.policy		= smtprl_relay_del_nl_policy,
		.maxattr	= SMTPRL_A_ENTRY_PLEN,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_RELAY_GET,
		.dumpit		= smtprl_nl_relay_get_dumpit,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_RELAY_FLUSH,
		.doit		= smtprl_nl_relay_flush_doit,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_EXEMPT_ADD,
		.doit		= smtprl_nl_exempt_add_doit,
		.policy		= smtprl_exempt_add_nl_policy,
		.maxattr	= SMTPRL_A_ENTRY_REPLACE,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_EXEMPT_DEL,
		.doit		= smtprl_nl_exempt_del_doit,
		.policy		= smtprl_exempt_del_nl_policy,
		.maxattr	= SMTPRL_A_ENTRY_PLEN,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_EXEMPT_GET,
		.doit		= smtprl_nl_exempt_get_doit,
		.dumpit		= smtprl_nl_exempt_get_dumpit,
		.policy		= smtprl_exempt_get_nl_policy,
		.maxattr	= SMTPRL_A_ENTRY_PLEN,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_EXEMPT_FLUSH,
		.doit		= smtprl_nl_exempt_flush_doit,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_SOURCE_GET,
		.doit		= smtprl_nl_source_get_doit,
		.dumpit		= smtprl_nl_source_get_dumpit,
		.policy		= smtprl_source_get_nl_policy,
		.maxattr	= SMTPRL_A_ENTRY_NAME,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_SOURCE_DEL,
		.doit		= smtprl_nl_source_del_doit,
		.policy		= smtprl_source_del_nl_policy,
		.maxattr	= SMTPRL_A_ENTRY_NAME,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_SOURCE_FLUSH,
		.doit		= smtprl_nl_source_flush_doit,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_SOURCE_QUARANTINE,
		.doit		= smtprl_nl_source_quarantine_doit,
		.policy		= smtprl_source_quarantine_nl_policy,
		.maxattr	= SMTPRL_A_ENTRY_NAME,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_SOURCE_RELEASE,
		.doit		= smtprl_nl_source_release_doit,
		.policy		= smtprl_source_release_nl_policy,
		.maxattr	= SMTPRL_A_ENTRY_NAME,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_SUBSCRIBER_ADD,
		.doit		= smtprl_nl_subscriber_add_doit,
		.policy		= smtprl_subscriber_add_nl_policy,
		.maxattr	= SMTPRL_A_ENTRY_BIND,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_SUBSCRIBER_DEL,
		.doit		= smtprl_nl_subscriber_del_doit,
		.policy		= smtprl_subscriber_del_nl_policy,
		.maxattr	= SMTPRL_A_ENTRY_LINGER,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_SUBSCRIBER_GET,
		.doit		= smtprl_nl_subscriber_get_doit,
		.dumpit		= smtprl_nl_subscriber_get_dumpit,
		.policy		= smtprl_subscriber_get_nl_policy,
		.maxattr	= SMTPRL_A_ENTRY_NAME,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= SMTPRL_CMD_SUBSCRIBER_FLUSH,
		.doit		= smtprl_nl_subscriber_flush_doit,
		.flags		= GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group smtprl_nl_mcgrps[] = {
	[SMTPRL_NLGRP_EVENTS] = { "events", .flags = GENL_MCAST_CAP_NET_ADMIN, },
};

struct genl_family smtprl_nl_family __ro_after_init = {
	.name		= SMTPRL_FAMILY_NAME,
	.version	= SMTPRL_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= smtprl_nl_ops,
	.n_ops		= ARRAY_SIZE(smtprl_nl_ops),
	.resv_start_op	= SMTPRL_CMD_SUBSCRIBER_FLUSH + 1,
	.mcgrps		= smtprl_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(smtprl_nl_mcgrps),
};
