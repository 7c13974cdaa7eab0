// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the source table: insert, cap, insert race, GC rule, reset, flush.
 * Time is an argument; nothing sleeps.
 */

#include <kunit/test.h>
#include <linux/netfilter.h>
#include <linux/slab.h>

#include "../table.h"

#define MINUTE_NS	(60 * NSEC_PER_SEC)
#define DAY_NS		(86400 * NSEC_PER_SEC)
#define T0		(1000 * NSEC_PER_SEC)

struct table_ctx {
	struct smtprl_table t;
	struct smtprl_limit lim;
};

static int table_init(struct kunit *test)
{
	struct table_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_EQ(test, 0, smtprl_table_init(&ctx->t));
	/* 10/minute burst 2, no daily cap. */
	KUNIT_ASSERT_EQ(test, 0, smtprl_rate_init(&ctx->lim.rate, 10, MINUTE_NS, 2, NULL));
	test->priv = ctx;
	return 0;
}

static void table_exit(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;

	smtprl_table_destroy(&ctx->t);
}

static struct smtprl_key key4(u32 host)
{
	struct smtprl_key k = {};

	k.addr.v4 = htonl(0x0a000000 | host);
	k.family = NFPROTO_IPV4;
	k.plen = 32;
	return k;
}

static struct smtprl_entry *get(struct table_ctx *ctx, struct smtprl_key k,
				u32 max, u64 now)
{
	struct smtprl_entry *e;

	rcu_read_lock();
	e = smtprl_table_get(&ctx->t, &k, &ctx->lim, max, now);
	rcu_read_unlock();
	return e;
}

/* GC with the default idle time, as the GC work runs it. */
static unsigned int gc(struct table_ctx *ctx, u64 now, unsigned int budget)
{
	return smtprl_table_gc(&ctx->t, &ctx->lim, now, SMTPRL_GC_IDLE_NS,
			       budget, false);
}

static void new_source_starts_with_full_buckets(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_entry *e = get(ctx, key4(1), 100, T0);

	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, ctx->lim.rate.size_ns, e->b.tokens_ns);
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&ctx->t.count));
	KUNIT_EXPECT_EQ(test, (u32)1000, e->first_s);
}

static void same_source_same_entry(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_entry *a = get(ctx, key4(1), 100, T0);
	struct smtprl_entry *b = get(ctx, key4(1), 100, T0 + 1);

	KUNIT_EXPECT_PTR_EQ(test, a, b);
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&ctx->t.count));
}

static void families_never_share_an_entry(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_key k6 = key4(1);

	/* Same bytes, other family: 10.0.0.1 vs 0a00:0001::. */
	k6.family = NFPROTO_IPV6;
	k6.plen = 32;
	KUNIT_EXPECT_PTR_NE(test, get(ctx, key4(1), 100, T0), get(ctx, k6, 100, T0));
	KUNIT_EXPECT_EQ(test, 2, atomic_read(&ctx->t.count));
}

static void prefix_length_is_part_of_the_key(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_key k24 = key4(0);

	/* 10.0.0.0/32 and 10.0.0.0/24 (after a v4-prefix change) differ. */
	k24.plen = 24;
	KUNIT_EXPECT_PTR_NE(test, get(ctx, key4(0), 100, T0), get(ctx, k24, 100, T0));
}

static void insert_race_leaves_one_entry(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_key k = key4(7);
	struct smtprl_entry *first, *second;

	/* Both CPUs missed the lookup and insert: the loser gets the winner. */
	rcu_read_lock();
	first = smtprl_table_insert(&ctx->t, &k, &ctx->lim, 100, T0);
	second = smtprl_table_insert(&ctx->t, &k, &ctx->lim, 100, T0);
	rcu_read_unlock();

	KUNIT_ASSERT_NOT_NULL(test, first);
	KUNIT_EXPECT_PTR_EQ(test, first, second);
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&ctx->t.count));
}

static void cap_refuses_new_sources_only(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;

	KUNIT_EXPECT_NOT_NULL(test, get(ctx, key4(1), 2, T0));
	KUNIT_EXPECT_NOT_NULL(test, get(ctx, key4(2), 2, T0));
	KUNIT_EXPECT_NULL(test, get(ctx, key4(3), 2, T0));
	/* Known sources still resolve at the cap. */
	KUNIT_EXPECT_NOT_NULL(test, get(ctx, key4(1), 2, T0));
	KUNIT_EXPECT_EQ(test, 2, atomic_read(&ctx->t.count));
}

static void take_counts_allowed_and_limited(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_entry *e = get(ctx, key4(1), 100, T0);
	int i;

	for (i = 0; i < 5; i++)
		smtprl_entry_take(e, &ctx->lim, T0 + 5 * NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, 2ULL, e->allowed);
	KUNIT_EXPECT_EQ(test, 3ULL, e->limited);
	KUNIT_EXPECT_EQ(test, (u32)1005, e->last_limited_s);
}

static void gc_never_resets_an_unrefilled_bucket(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_entry *e;

	/* One a day: an empty bucket takes a day to refill. */
	KUNIT_ASSERT_EQ(test, 0, smtprl_rate_init(&ctx->lim.rate, 1, DAY_NS, 1, NULL));
	e = get(ctx, key4(1), 100, T0);
	KUNIT_ASSERT_TRUE(test, smtprl_entry_take(e, &ctx->lim, T0));

	/* Idle for hours, far beyond the GC idle time: still remembered. */
	KUNIT_EXPECT_EQ(test, 0U, gc(ctx, T0 + DAY_NS / 2, 100));
	KUNIT_EXPECT_EQ(test, 0U, gc(ctx, T0 + DAY_NS / 2, 100));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&ctx->t.count));
	/* So the source is still limited, not handed a fresh bucket. */
	e = get(ctx, key4(1), 100, T0 + DAY_NS / 2);
	KUNIT_EXPECT_FALSE(test, smtprl_entry_take(e, &ctx->lim, T0 + DAY_NS / 2));
}

static void gc_forgets_idle_full_entries(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_entry *e = get(ctx, key4(1), 100, T0);
	unsigned int removed = 0, i;

	smtprl_entry_take(e, &ctx->lim, T0);
	/* Refilled after 6 s, but idle only after SMTPRL_GC_IDLE_NS. */
	for (i = 0; i < 2; i++)
		removed += gc(ctx, T0 + 30 * NSEC_PER_SEC, 100);
	KUNIT_EXPECT_EQ(test, 0U, removed);
	for (i = 0; i < 2; i++)
		removed += gc(ctx, T0 + SMTPRL_GC_IDLE_NS, 100);
	KUNIT_EXPECT_EQ(test, 1U, removed);
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&ctx->t.count));
}

static void gc_idle_time_is_the_callers(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_entry *e = get(ctx, key4(1), 100, T0);
	u64 now = T0 + 6 * NSEC_PER_SEC;

	smtprl_entry_take(e, &ctx->lim, T0);
	/* gc_idle=1: refilled and idle for a second is enough... */
	KUNIT_EXPECT_EQ(test, 0U, smtprl_table_gc(&ctx->t, &ctx->lim, now - 1,
						  NSEC_PER_SEC, 100, false));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&ctx->t.count));
	/* ...but a full bucket is still required. */
	e = get(ctx, key4(2), 100, now);
	smtprl_entry_take(e, &ctx->lim, now);
	KUNIT_EXPECT_EQ(test, 1U, smtprl_table_gc(&ctx->t, &ctx->lim,
						  now + NSEC_PER_SEC,
						  NSEC_PER_SEC, 100, false));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&ctx->t.count));
}

static void gc_work_is_bounded_per_call(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	unsigned int i, calls = 0, removed = 0, n;

	for (i = 1; i <= 10; i++)
		get(ctx, key4(i), 100, T0);
	do {
		n = gc(ctx, T0 + DAY_NS, 3);
		KUNIT_EXPECT_LE(test, n, 3U);
		removed += n;
	} while (++calls < 20 && atomic_read(&ctx->t.count));

	KUNIT_EXPECT_EQ(test, 10U, removed);
	KUNIT_EXPECT_GE(test, calls, 4U);
}

static void reset_forgets_one_source(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_key k = key4(1);
	struct smtprl_entry *e = get(ctx, k, 100, T0);

	get(ctx, key4(2), 100, T0);
	KUNIT_EXPECT_EQ(test, 0, smtprl_table_reset(&ctx->t, &k));
	KUNIT_EXPECT_EQ(test, -ENOENT, smtprl_table_reset(&ctx->t, &k));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&ctx->t.count));
	/* A packet still holding the old pointer is told to retry. */
	KUNIT_EXPECT_TRUE(test, READ_ONCE(e->dead));
	KUNIT_EXPECT_FALSE(test, smtprl_entry_take(e, &ctx->lim, T0));
	KUNIT_EXPECT_EQ(test, 0ULL, e->limited);
}

static void flush_forgets_everything(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 1; i <= 50; i++)
		get(ctx, key4(i), 100, T0);
	KUNIT_EXPECT_EQ(test, 50U, smtprl_table_flush(&ctx->t));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&ctx->t.count));
}

static void entry_fits_the_memory_budget(struct kunit *test)
{
	/*
	 * <= 128 bytes per source with hash buckets (8 to 21 bytes each at
	 * rhashtable's load factors): the entry must stay within 104 bytes
	 * on a production kernel, whose spinlock is 4 bytes. Debug kernels
	 * (lockdep) grow the lock; measure without that growth.
	 */
	size_t lock_bytes = offsetof(struct smtprl_entry, b) -
			    offsetof(struct smtprl_entry, lock);

	KUNIT_EXPECT_LE(test, sizeof(struct smtprl_entry) - lock_bytes + 4, (size_t)104);
}

static struct kunit_case table_cases[] = {
	KUNIT_CASE(new_source_starts_with_full_buckets),
	KUNIT_CASE(same_source_same_entry),
	KUNIT_CASE(families_never_share_an_entry),
	KUNIT_CASE(prefix_length_is_part_of_the_key),
	KUNIT_CASE(insert_race_leaves_one_entry),
	KUNIT_CASE(cap_refuses_new_sources_only),
	KUNIT_CASE(take_counts_allowed_and_limited),
	KUNIT_CASE(gc_never_resets_an_unrefilled_bucket),
	KUNIT_CASE(gc_forgets_idle_full_entries),
	KUNIT_CASE(gc_idle_time_is_the_callers),
	KUNIT_CASE(gc_work_is_bounded_per_call),
	KUNIT_CASE(reset_forgets_one_source),
	KUNIT_CASE(flush_forgets_everything),
	KUNIT_CASE(entry_fits_the_memory_budget),
	{}
};

static struct kunit_suite table_suite = {
	.name = "smtprl_table",
	.init = table_init,
	.exit = table_exit,
	.test_cases = table_cases,
};

kunit_test_suite(table_suite);
