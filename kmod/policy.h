/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_POLICY_H
#define _SMTPRL_POLICY_H

#include <linux/rcupdate.h>
#include <linux/types.h>

#include <uapi/linux/smtprl.h>

#include "bucket.h"
#include "quarantine.h"

#define SMTPRL_MAX_PORTS	8
#define SMTPRL_MAX_SOURCES_MAX	16777216
#define SMTPRL_STRIKE_WINDOW_MAX	2592000		/* 30 days, in seconds */
#define SMTPRL_QUARANTINE_MAX	31536000	/* 365 days */

/* The enums are the uAPI's (generated from the netlink spec). */
#define __SMTPRL_UNIT_MAX	(SMTPRL_UNIT_DAY + 1)
#define __SMTPRL_ACTION_MAX	(SMTPRL_ACTION_MONITOR + 1)
#define __SMTPRL_WHEN_FULL_MAX	(SMTPRL_WHEN_FULL_DROP + 1)
#define SMTPRL_HOOKS_ALL	(SMTPRL_HOOKS_PREROUTING | SMTPRL_HOOKS_OUTPUT)

/* What the operator sets; every field is validated by smtprl_policy_build. */
struct smtprl_policy_cfg {
	u32 rate;		/* connections per rate_unit */
	u32 burst;
	u32 daily;		/* connections per day, 0: no daily cap */
	u32 max_sources;
	u32 hooks;		/* SMTPRL_HOOKS_* */
	u16 ports[SMTPRL_MAX_PORTS];
	u8 nports;
	u8 rate_unit;		/* enum smtprl_unit */
	u8 action;		/* enum smtprl_action */
	u8 when_full;		/* enum smtprl_when_full */
	u8 v4_prefix;
	u8 v6_prefix;
	/* Quarantine (off while strikes is 0) and events; times in seconds. */
	u32 strikes;
	u32 strike_window;
	u32 release_after;
	u32 quarantine_max;
	u32 fanout_limit;
	u32 event_interval;
};

/* An immutable, published snapshot: replaced whole, never edited. */
struct smtprl_policy {
	struct smtprl_policy_cfg cfg;
	struct smtprl_limit limit;
	struct smtprl_qcfg q;
	u64 event_ns;
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
extern const char *const smtprl_full_names[__SMTPRL_WHEN_FULL_MAX];

#endif /* _SMTPRL_POLICY_H */
