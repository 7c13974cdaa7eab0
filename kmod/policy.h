/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_POLICY_H
#define _SMTPRL_POLICY_H

#include <linux/in6.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

#include <uapi/linux/smtprl.h>
#include <uapi/linux/smtprl-names.h>

#include "bad.h"
#include "bucket.h"
#include "quarantine.h"
#include "smtprl-policy.h"

#define SMTPRL_MAX_PORTS	8

/* The enums are the uAPI's (generated from the netlink spec). */
#define __SMTPRL_UNIT_MAX	(SMTPRL_UNIT_DAY + 1)
#define __SMTPRL_ACTION_MAX	(SMTPRL_ACTION_MONITOR + 1)
#define __SMTPRL_WHEN_FULL_MAX	(SMTPRL_WHEN_FULL_DROP + 1)
#define SMTPRL_HOOKS_ALL	(SMTPRL_HOOKS_PREROUTING | SMTPRL_HOOKS_OUTPUT)

/*
 * What the operator sets; every field is validated by smtprl_policy_build.
 * Each member is a row of include/smtprl-policy-fields.h, which says how
 * it is named, checked, sent and shown, and is as wide as its attribute;
 * nports goes with ports.
 */
struct smtprl_policy_cfg {
	u32 rate;		/* connections per rate_unit */
	u32 burst;
	u32 daily;		/* connections per day, 0: no daily cap */
	u32 max_sources;
	u32 hooks;		/* SMTPRL_HOOKS_* */
	u32 rate_unit;		/* enum smtprl_unit */
	u32 action;		/* enum smtprl_action */
	u32 when_full;		/* enum smtprl_when_full */
	u16 ports[SMTPRL_MAX_PORTS];
	u8 nports;
	u8 v4_prefix;
	u8 v6_prefix;
	/* Quarantine (off while strikes is 0) and events; times in seconds. */
	u32 strikes;
	u32 strike_window;
	u32 release_after;
	u32 quarantine_max;
	u32 fanout_limit;
	u32 event_interval;
	/* Subscribers (sub.h). */
	u32 max_subscribers;
	u32 subscriber_linger;
};

/* An immutable, published snapshot: replaced whole, never edited. */
struct smtprl_policy {
	struct smtprl_policy_cfg cfg;
	struct smtprl_limit limit;
	struct smtprl_qcfg q;
	u64 event_ns;
	/*
	 * Derived once here, so that the packet path neither computes them
	 * nor pays for features that are off: the source prefix masks, and
	 * whether strikes and fan-out are tracked at all (quarantine or a
	 * fan-out limit on).
	 */
	__be32 v4_mask;
	struct in6_addr v6_mask;
	bool strikes_on;
	struct rcu_head rcu;
};

/* A row of include/smtprl-policy-fields.h, as the kernel uses it. */
struct smtprl_field {
	const char *name;	/* the spec's */
	const char *key;	/* /proc's: with underscores */
	const char *range;	/* the refusal of a value out of [min, max] */
	u32 min, max, def;
	u16 attr;		/* SMTPRL_A_POLICY_* */
	u16 offset;		/* in struct smtprl_policy_cfg */
	u8 width;		/* on the wire and of the member, bytes */
	u8 kind;		/* enum smtprl_field_kind */
};

extern const struct smtprl_field smtprl_policy_fields[];
extern const unsigned int smtprl_policy_nfields;
const struct smtprl_field *smtprl_policy_field(u16 attr);
u32 smtprl_field_get(const struct smtprl_policy_cfg *cfg,
		     const struct smtprl_field *f);
void smtprl_field_set(struct smtprl_policy_cfg *cfg,
		      const struct smtprl_field *f, u32 v);

void smtprl_policy_defaults(struct smtprl_policy_cfg *cfg);
int smtprl_policy_build(struct smtprl_policy *p,
			const struct smtprl_policy_cfg *cfg,
			struct smtprl_bad *bad);
u64 smtprl_unit_ns(enum smtprl_unit unit);

/*
 * Is @port (network order) one of the policy's ports? Call under RCU.
 * A policy has at least one port (smtprl_policy_build() sees to it), so
 * the first is compared before the loop's bound is even read.
 */
static inline bool smtprl_policy_port(const struct smtprl_policy *p, __be16 port)
{
	u16 h = ntohs(port);
	unsigned int i = 0;

	do {
		if (p->cfg.ports[i] == h)
			return true;
	} while (++i < p->cfg.nports);
	return false;
}

extern const char *const smtprl_unit_names[__SMTPRL_UNIT_MAX];
extern const char *const smtprl_action_names[__SMTPRL_ACTION_MAX];
extern const char *const smtprl_full_names[__SMTPRL_WHEN_FULL_MAX];

#endif /* _SMTPRL_POLICY_H */
