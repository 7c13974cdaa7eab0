/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit: what table_test.c and entry_test.c share: a table, a policy
 * (10/minute burst 2, no daily cap, quarantine off), IPv4 keys, lookups
 * and GC. Time is an argument; nothing sleeps.
 */
#ifndef _SMTPRL_TABLE_FIXTURE_H
#define _SMTPRL_TABLE_FIXTURE_H

#include <kunit/test.h>
#include <linux/netfilter.h>
#include <linux/slab.h>

#include "../table.h"

#define MINUTE_NS	(60ULL * NSEC_PER_SEC)
#define DAY_NS		(86400ULL * NSEC_PER_SEC)
#define T0		(1000ULL * NSEC_PER_SEC)

struct table_ctx {
	struct smtprl_table t;
	struct smtprl_policy p;
};

static inline int table_init(struct kunit *test)
{
	struct table_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	struct smtprl_policy_cfg cfg;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_EQ(test, 0, smtprl_table_init(&ctx->t));
	/* 10/minute burst 2, no daily cap; quarantine off. */
	smtprl_policy_defaults(&cfg);
	cfg.rate = 10;
	cfg.rate_unit = SMTPRL_UNIT_MINUTE;
	cfg.burst = 2;
	cfg.daily = 0;
	KUNIT_ASSERT_EQ(test, 0, smtprl_policy_build(&ctx->p, &cfg, NULL));
	test->priv = ctx;
	return 0;
}

static inline void table_exit(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;

	smtprl_table_destroy(&ctx->t);
}

static inline struct smtprl_key key4(u32 host)
{
	struct smtprl_key k = {};

	k.addr.v4 = htonl(0x0a000000 | host);
	k.family = NFPROTO_IPV4;
	k.plen = 32;
	return k;
}

static inline struct smtprl_entry *get(struct table_ctx *ctx, struct smtprl_key k,
				       u32 max, u64 now)
{
	struct smtprl_entry *e;

	rcu_read_lock();
	e = smtprl_table_get(&ctx->t, &k, &ctx->p.limit, max, now);
	rcu_read_unlock();
	return e;
}

/* GC with the default idle time, as the GC work runs it. */
static inline unsigned int gc(struct table_ctx *ctx, u64 now, unsigned int budget)
{
	return smtprl_table_gc(&ctx->t, &ctx->p, now, SMTPRL_GC_IDLE_NS,
			       budget, NULL, NULL, NULL);
}

#endif /* _SMTPRL_TABLE_FIXTURE_H */
