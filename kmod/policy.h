/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_POLICY_H
#define _SMTPRL_POLICY_H

#include <linux/rcupdate.h>
#include <linux/types.h>

#include "bucket.h"

#define SMTPRL_MAX_PORTS	8
#define SMTPRL_MAX_SOURCES_MAX	16777216

enum smtprl_unit {
	SMTPRL_UNIT_SECOND,
	SMTPRL_UNIT_MINUTE,
	SMTPRL_UNIT_HOUR,
	SMTPRL_UNIT_DAY,
	__SMTPRL_UNIT_MAX
};

enum smtprl_action {
	SMTPRL_ACTION_DROP,
	SMTPRL_ACTION_REJECT,
	SMTPRL_ACTION_MONITOR,
	__SMTPRL_ACTION_MAX
};

enum smtprl_when_full {
	SMTPRL_FULL_ACCEPT,
	SMTPRL_FULL_DROP,
	__SMTPRL_FULL_MAX
};

#define SMTPRL_HOOK_PREROUTING	BIT(0)
#define SMTPRL_HOOK_OUTPUT	BIT(1)
#define SMTPRL_HOOKS_ALL	(SMTPRL_HOOK_PREROUTING | SMTPRL_HOOK_OUTPUT)

/* What the operator sets; every field is validated by smtprl_policy_build. */
struct smtprl_policy_cfg {
	u32 rate;		/* connections per rate_unit */
	u32 burst;
	u32 daily;		/* connections per day, 0: no daily cap */
	u32 max_sources;
	u32 hooks;		/* SMTPRL_HOOK_* */
	u16 ports[SMTPRL_MAX_PORTS];
	u8 nports;
	u8 rate_unit;		/* enum smtprl_unit */
	u8 action;		/* enum smtprl_action */
	u8 when_full;		/* enum smtprl_when_full */
	u8 v4_prefix;
	u8 v6_prefix;
};

/* An immutable, published snapshot: replaced whole, never edited. */
struct smtprl_policy {
	struct smtprl_policy_cfg cfg;
	struct smtprl_limit limit;
	struct rcu_head rcu;
};

void smtprl_policy_defaults(struct smtprl_policy_cfg *cfg);
int smtprl_policy_build(struct smtprl_policy *p,
			const struct smtprl_policy_cfg *cfg,
			struct netlink_ext_ack *extack);
bool smtprl_policy_port(const struct smtprl_policy *p, __be16 port);
u64 smtprl_unit_ns(enum smtprl_unit unit);
extern const char *const smtprl_unit_names[__SMTPRL_UNIT_MAX];
extern const char *const smtprl_action_names[__SMTPRL_ACTION_MAX];
extern const char *const smtprl_full_names[__SMTPRL_FULL_MAX];

#endif /* _SMTPRL_POLICY_H */
