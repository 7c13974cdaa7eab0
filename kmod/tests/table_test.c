// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the source table: insert, cap, insert race, GC rule, reset, flush.
 * Time is an argument; nothing sleeps.
 */

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

static int table_init(struct kunit *test)
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
	e = smtprl_table_get(&ctx->t, &k, &ctx->p.limit, max, now);
	rcu_read_unlock();
	return e;
}

/* GC with the default idle time, as the GC work runs it. */
static unsigned int gc(struct table_ctx *ctx, u64 now, unsigned int budget)
{
	return smtprl_table_gc(&ctx->t, &ctx->p, now, SMTPRL_GC_IDLE_NS,
			       budget, NULL, NULL);
}

static void new_source_starts_with_full_buckets(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_entry *e = get(ctx, key4(1), 100, T0);

	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_EXPECT_EQ(test, ctx->p.limit.rate.size_ns, e->b.tokens_ns);
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
	first = smtprl_table_insert(&ctx->t, &k, &ctx->p.limit, 100, T0);
	second = smtprl_table_insert(&ctx->t, &k, &ctx->p.limit, 100, T0);
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
		smtprl_entry_take(e, &ctx->p.limit, T0 + 5ULL * NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, 2ULL, e->allowed);
	KUNIT_EXPECT_EQ(test, 3ULL, e->limited);
	KUNIT_EXPECT_EQ(test, (u32)1005, e->last_limited_s);
}

static void gc_never_resets_an_unrefilled_bucket(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_entry *e;

	/* One a day: an empty bucket takes a day to refill. */
	KUNIT_ASSERT_EQ(test, 0, smtprl_rate_init(&ctx->p.limit.rate, 1, DAY_NS, 1, 1, 2, NULL));
	e = get(ctx, key4(1), 100, T0);
	KUNIT_ASSERT_TRUE(test, smtprl_entry_take(e, &ctx->p.limit, T0));

	/* Idle for hours, far beyond the GC idle time: still remembered. */
	KUNIT_EXPECT_EQ(test, 0U, gc(ctx, T0 + DAY_NS / 2, 100));
	KUNIT_EXPECT_EQ(test, 0U, gc(ctx, T0 + DAY_NS / 2, 100));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&ctx->t.count));
	/* So the source is still limited, not handed a fresh bucket. */
	e = get(ctx, key4(1), 100, T0 + DAY_NS / 2);
	KUNIT_EXPECT_FALSE(test, smtprl_entry_take(e, &ctx->p.limit, T0 + DAY_NS / 2));
}

static void gc_forgets_idle_full_entries(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_entry *e = get(ctx, key4(1), 100, T0);
	unsigned int removed = 0, i;

	smtprl_entry_take(e, &ctx->p.limit, T0);
	/* Refilled after 6 s, but idle only after SMTPRL_GC_IDLE_NS. */
	for (i = 0; i < 2; i++)
		removed += gc(ctx, T0 + 30ULL * NSEC_PER_SEC, 100);
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
	u64 now = T0 + 6ULL * NSEC_PER_SEC;

	smtprl_entry_take(e, &ctx->p.limit, T0);
	/* gc_idle=1: refilled and idle for a second is enough... */
	KUNIT_EXPECT_EQ(test, 0U, smtprl_table_gc(&ctx->t, &ctx->p, now - 1,
						  NSEC_PER_SEC, 100, NULL, NULL));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&ctx->t.count));
	/* ...but a full bucket is still required. */
	e = get(ctx, key4(2), 100, now);
	smtprl_entry_take(e, &ctx->p.limit, now);
	KUNIT_EXPECT_EQ(test, 1U, smtprl_table_gc(&ctx->t, &ctx->p,
						  now + NSEC_PER_SEC,
						  NSEC_PER_SEC, 100, NULL, NULL));
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

/*
 * A spoofed flood fills the table, then stops. However big the table, GC
 * must make room within gc_idle plus a pass or two (SMTPRL_GC_PASS_S
 * each; the table shrinking under the walk restarts it), not take
 * table-size / 4096 seconds: the budget follows the table.
 */
static void gc_empties_a_flooded_table_within_idle_plus_a_pass(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	const unsigned int limit = SMTPRL_GC_IDLE_S + 2 * SMTPRL_GC_PASS_S;
	const u32 n = 50000;
	unsigned int s, empty_at = 0;
	u32 i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_NOT_NULL(test, get(ctx, key4(i), n, T0 + i));
	KUNIT_ASSERT_EQ(test, n, (u32)atomic_read(&ctx->t.count));
	for (s = 1; s <= limit && !empty_at; s++) {
		gc(ctx, T0 + n + s * NSEC_PER_SEC, smtprl_table_gc_budget(&ctx->t));
		/* Nothing is forgotten before it has been idle. */
		if (s < SMTPRL_GC_IDLE_S)
			KUNIT_ASSERT_EQ(test, n, (u32)atomic_read(&ctx->t.count));
		if (!atomic_read(&ctx->t.count))
			empty_at = s;
	}
	kunit_info(test, "%u sources, idle %u s: empty after %u s\n", n,
		   SMTPRL_GC_IDLE_S, empty_at);
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&ctx->t.count));
	/* A small table is still walked at least SMTPRL_GC_BATCH at a time. */
	KUNIT_EXPECT_EQ(test, (unsigned int)SMTPRL_GC_BATCH, smtprl_table_gc_budget(&ctx->t));
}

/*
 * The default daily cap (500) takes 172.8 s to refill the one SYN each
 * spoofed source of a flood spent. While the table is nearly full (above
 * 7/8), GC does not wait for that: a full table would leave every new
 * source untracked. Below 7/8 the daily cap is kept again.
 */
static void gc_under_pressure_does_not_wait_for_the_daily_cap(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	/* Idle, and the rate bucket refilled (one token in 6 s). */
	const u64 later = T0 + SMTPRL_GC_IDLE_NS + 10ULL * NSEC_PER_SEC;
	const struct smtprl_key k99 = key4(99);
	struct smtprl_policy_cfg cfg;
	struct smtprl_entry *e;
	u32 i;

	smtprl_policy_defaults(&cfg);	/* 10/minute burst 20, daily 500 */
	cfg.max_sources = 16;
	KUNIT_ASSERT_EQ(test, 0, smtprl_policy_build(&ctx->p, &cfg, NULL));
	for (i = 0; i < 16; i++) {
		e = get(ctx, key4(i), 16, T0);
		KUNIT_ASSERT_NOT_NULL(test, e);
		KUNIT_ASSERT_TRUE(test, smtprl_entry_take(e, &ctx->p.limit, T0));
	}
	KUNIT_ASSERT_NULL(test, get(ctx, key4(99), 16, T0));
	/* Before gc_idle nothing goes, pressure or not. */
	gc(ctx, T0 + SMTPRL_GC_IDLE_NS - 1, 100);
	gc(ctx, T0 + SMTPRL_GC_IDLE_NS - 1, 100);
	KUNIT_EXPECT_EQ(test, 16, atomic_read(&ctx->t.count));
	/* Then down to 7/8 of the cap, though no daily bucket is full. */
	gc(ctx, later, 100);
	gc(ctx, later, 100);
	KUNIT_EXPECT_EQ(test, 14, atomic_read(&ctx->t.count));
	/* Room: a new subscriber is tracked, and sends one. */
	e = get(ctx, key4(99), 16, later);
	KUNIT_ASSERT_NOT_NULL(test, e);
	KUNIT_ASSERT_TRUE(test, smtprl_entry_take(e, &ctx->p.limit, later));
	/* 15 > 14: one more goes under pressure, then the daily cap holds. */
	gc(ctx, T0 + 170ULL * NSEC_PER_SEC, 100);
	gc(ctx, T0 + 170ULL * NSEC_PER_SEC, 100);
	KUNIT_EXPECT_EQ(test, 14, atomic_read(&ctx->t.count));
	/* 172.8 s after their SYN the flood's daily buckets are full. */
	gc(ctx, T0 + 180ULL * NSEC_PER_SEC, 100);
	gc(ctx, T0 + 180ULL * NSEC_PER_SEC, 100);
	/* The subscriber's own daily bucket is full only at later + 172.8 s. */
	rcu_read_lock();
	e = smtprl_table_lookup(&ctx->t, &k99);
	KUNIT_EXPECT_EQ(test, e ? 1 : 0, atomic_read(&ctx->t.count));
	rcu_read_unlock();
}

static void reset_forgets_one_source(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_key k = key4(1);
	struct smtprl_entry *e = get(ctx, k, 100, T0);
	u64 tokens = e->b.tokens_ns;

	get(ctx, key4(2), 100, T0);
	/* A packet holds @e under RCU while it is forgotten. */
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, 0, smtprl_table_reset(&ctx->t, &k, NULL));
	KUNIT_EXPECT_EQ(test, -ENOENT, smtprl_table_reset(&ctx->t, &k, NULL));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&ctx->t.count));
	/* It is told to retry, and charges nothing. */
	KUNIT_EXPECT_TRUE(test, READ_ONCE(e->dead));
	KUNIT_EXPECT_FALSE(test, smtprl_entry_take(e, &ctx->p.limit, T0));
	KUNIT_EXPECT_EQ(test, tokens, e->b.tokens_ns);
	rcu_read_unlock();
}

static void flush_forgets_everything(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 1; i <= 50; i++)
		get(ctx, key4(i), 100, T0);
	KUNIT_EXPECT_EQ(test, 50U, smtprl_table_flush(&ctx->t, NULL));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&ctx->t.count));
}

/*
 * Flush pauses every 1024 entries. Pausing right after forgetting an
 * entry made the walk resume one entry too far in that chain: flush left
 * sources behind (seen as a stray entry in 37-dump-churn).
 */
static void flush_of_many_forgets_everything(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	const u32 n = 20000;
	u32 i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_NOT_NULL(test, get(ctx, key4(i), n, T0));
	KUNIT_EXPECT_EQ(test, n, smtprl_table_flush(&ctx->t, NULL));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&ctx->t.count));
}

/* Quarantine on: 2 strikes in 32 minutes, released after 10 quiet minutes. */
static void quarantine_on(struct kunit *test, struct table_ctx *ctx)
{
	struct smtprl_policy_cfg cfg = ctx->p.cfg;

	cfg.strikes = 2;
	cfg.strike_window = 32 * 60;
	cfg.release_after = 600;
	cfg.quarantine_max = 3600;
	cfg.event_interval = 60;
	KUNIT_ASSERT_EQ(test, 0, smtprl_policy_build(&ctx->p, &cfg, NULL));
}

/* A watch for smtprl_entry_quarantine(), which consumes it. */
static struct smtprl_watch *new_watch(struct kunit *test)
{
	struct smtprl_watch *w = smtprl_watch_alloc(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	return w;
}

static enum smtprl_verdict attempt(struct table_ctx *ctx, struct smtprl_entry *e,
				   u64 now, struct smtprl_outcome *o)
{
	enum smtprl_verdict v;

	rcu_read_lock();
	v = smtprl_entry_attempt(&ctx->t, e, &ctx->p, now, 0, o);
	rcu_read_unlock();
	return v;
}

/*
 * The attempt whose fan-out strike quarantines the source keeps its
 * bucket's verdict (allowed here); the quarantine refuses the next one.
 */
static void fanout_quarantine_starts_at_the_next_attempt(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_policy_cfg cfg = ctx->p.cfg;
	enum smtprl_verdict v = SMTPRL_ALLOW;
	struct smtprl_outcome o = {};
	struct smtprl_entry *e;
	u32 dst;

	cfg.burst = 100;
	cfg.strikes = 1;
	cfg.fanout_limit = 3;
	cfg.strike_window = 32 * 60;
	cfg.release_after = 600;
	cfg.quarantine_max = 3600;
	KUNIT_ASSERT_EQ(test, 0, smtprl_policy_build(&ctx->p, &cfg, NULL));
	e = get(ctx, key4(1), 100, T0);
	for (dst = 1; dst <= 20; dst++) {
		rcu_read_lock();
		v = smtprl_entry_attempt(&ctx->t, e, &ctx->p, T0, dst * 0x9e3779b9U, &o);
		rcu_read_unlock();
		if (o.cmd == SMTPRL_CMD_QUARANTINED_NTF)
			break;
		KUNIT_EXPECT_EQ(test, SMTPRL_ALLOW, v);
	}
	KUNIT_ASSERT_EQ(test, SMTPRL_CMD_QUARANTINED_NTF, o.cmd);
	KUNIT_EXPECT_EQ(test, (u8)SMTPRL_CAUSE_FANOUT, o.snap.quar.cause);
	KUNIT_EXPECT_EQ(test, SMTPRL_ALLOW, v);
	KUNIT_EXPECT_EQ(test, SMTPRL_QUARANTINE, attempt(ctx, e, T0, &o));
}

static void zombie_is_quarantined_then_released_when_quiet(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_entry *e = get(ctx, key4(1), 100, T0);
	struct smtprl_outcome o;
	struct smtprl_snap s;
	u64 t = T0;

	quarantine_on(test, ctx);
	/* Burst of 2, then limited: strike 1 and a limited event. */
	KUNIT_EXPECT_EQ(test, SMTPRL_ALLOW, attempt(ctx, e, t, &o));
	KUNIT_EXPECT_EQ(test, SMTPRL_ALLOW, attempt(ctx, e, t, &o));
	KUNIT_EXPECT_EQ(test, 0, o.cmd);
	KUNIT_EXPECT_EQ(test, SMTPRL_LIMIT, attempt(ctx, e, t, &o));
	KUNIT_EXPECT_EQ(test, SMTPRL_CMD_LIMITED_NTF, o.cmd);
	KUNIT_EXPECT_EQ(test, (u8)SMTPRL_STATE_LIMITED, o.snap.state);
	KUNIT_EXPECT_EQ(test, 1U, o.snap.strikes);
	/* Limited again in the same slot: no second strike, no event. */
	KUNIT_EXPECT_EQ(test, SMTPRL_LIMIT, attempt(ctx, e, t + 1, &o));
	KUNIT_EXPECT_EQ(test, 0, o.cmd);
	/* The next minute (slot): refilled, limited again: quarantined. */
	t += MINUTE_NS;
	attempt(ctx, e, t, &o);
	attempt(ctx, e, t, &o);
	KUNIT_EXPECT_EQ(test, SMTPRL_LIMIT, attempt(ctx, e, t, &o));
	KUNIT_EXPECT_EQ(test, SMTPRL_CMD_QUARANTINED_NTF, o.cmd);
	KUNIT_EXPECT_EQ(test, (u8)SMTPRL_STATE_QUARANTINED, o.snap.state);
	KUNIT_EXPECT_EQ(test, (u8)SMTPRL_CAUSE_STRIKES, o.snap.quar.cause);
	/* From now on refused, whatever its bucket says, and never forgotten. */
	t += 5 * MINUTE_NS;
	KUNIT_EXPECT_EQ(test, SMTPRL_QUARANTINE, attempt(ctx, e, t, &o));
	KUNIT_EXPECT_EQ(test, 0U, gc(ctx, t + 5 * MINUTE_NS, 100));
	KUNIT_EXPECT_EQ(test, 0U, gc(ctx, t + 5 * MINUTE_NS, 100));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&ctx->t.count));
	/* Knocking 9 minutes later restarts the quiet time... */
	KUNIT_EXPECT_EQ(test, SMTPRL_QUARANTINE, attempt(ctx, e, t + 9 * MINUTE_NS, &o));
	t += 9 * MINUTE_NS;
	KUNIT_EXPECT_EQ(test, SMTPRL_QUARANTINE, attempt(ctx, e, t + 9 * MINUTE_NS, &o));
	t += 9 * MINUTE_NS;
	/* ...10 quiet minutes release it; this attempt is charged as usual. */
	t += 10 * MINUTE_NS;
	KUNIT_EXPECT_EQ(test, SMTPRL_ALLOW, attempt(ctx, e, t, &o));
	KUNIT_EXPECT_EQ(test, (u8)SMTPRL_RELEASE_QUIET, o.release);
	KUNIT_EXPECT_EQ(test, 0, o.cmd);
	KUNIT_EXPECT_EQ(test, 3ULL, o.snap.quar.refused);
	KUNIT_EXPECT_EQ(test, (u8)SMTPRL_STATE_NORMAL, o.snap.state);
	/* Afresh: no strikes left. */
	KUNIT_ASSERT_TRUE(test, smtprl_entry_snap(e, &ctx->p, t, &s));
	KUNIT_EXPECT_EQ(test, 0U, s.strikes);
}

static void gc_releases_a_quiet_source_and_only_then_forgets_it(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_entry *e = get(ctx, key4(1), 100, T0);
	struct smtprl_outcome o;
	int i;

	quarantine_on(test, ctx);
	for (i = 0; i < 3; i++) {
		attempt(ctx, e, T0, &o);
		attempt(ctx, e, T0 + MINUTE_NS, &o);
	}
	KUNIT_ASSERT_EQ(test, SMTPRL_QUARANTINE, attempt(ctx, e, T0 + MINUTE_NS, &o));
	/* A day later: the first pass of GC releases it, the next forgets it. */
	KUNIT_EXPECT_EQ(test, 0U, gc(ctx, T0 + DAY_NS, 100));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(e->quarantined));
	KUNIT_EXPECT_EQ(test, 1U, gc(ctx, T0 + DAY_NS, 100));
}

static void gc_keeps_sources_with_strikes(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_entry *e = get(ctx, key4(1), 100, T0);
	struct smtprl_outcome o;
	int i;

	quarantine_on(test, ctx);	/* strikes count for 32 minutes */
	for (i = 0; i < 3; i++)
		attempt(ctx, e, T0, &o);
	/* Idle and refilled after 10 minutes, but it has a strike. */
	KUNIT_EXPECT_EQ(test, 0U, gc(ctx, T0 + 10 * MINUTE_NS, 100) +
				  gc(ctx, T0 + 10 * MINUTE_NS, 100));
	/* Once the strike is out of the window it may go. */
	KUNIT_EXPECT_EQ(test, 1U, gc(ctx, T0 + 33 * MINUTE_NS, 100) +
				  gc(ctx, T0 + 33 * MINUTE_NS, 100));
}

static void operator_quarantine_and_release(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_entry *e = get(ctx, key4(1), 100, T0);
	struct smtprl_outcome o;
	struct smtprl_snap s;
	u32 i;

	/* Quarantine off in the policy: the operator's still holds. */
	KUNIT_EXPECT_EQ(test, -ESRCH,
			smtprl_entry_release(e, &ctx->p, T0, SMTPRL_RELEASE_OPERATOR, &s));
	KUNIT_EXPECT_EQ(test, 1,
			smtprl_entry_quarantine(&ctx->t, e, T0, DAY_NS, new_watch(test)));
	KUNIT_EXPECT_EQ(test, 0,
			smtprl_entry_quarantine(&ctx->t, e, T0, 2 * DAY_NS, new_watch(test)));
	KUNIT_EXPECT_EQ(test, SMTPRL_QUARANTINE, attempt(ctx, e, T0 + DAY_NS, &o));
	KUNIT_EXPECT_EQ(test, 0U, gc(ctx, T0 + DAY_NS + 1, 100) + gc(ctx, T0 + DAY_NS + 1, 100));
	/* Refused attempts still show in its fan-out. */
	rcu_read_lock();
	for (i = 1; i <= 5; i++)
		smtprl_entry_attempt(&ctx->t, e, &ctx->p, T0 + DAY_NS,
				     i * 0x9e3779b9U, &o);
	rcu_read_unlock();
	KUNIT_ASSERT_TRUE(test, smtprl_entry_snap(e, &ctx->p, T0 + DAY_NS, &s));
	KUNIT_EXPECT_EQ(test, 6U, s.fanout);
	KUNIT_EXPECT_EQ(test, 0, smtprl_entry_release(e, &ctx->p, T0 + DAY_NS,
						      SMTPRL_RELEASE_OPERATOR, &s));
	KUNIT_EXPECT_EQ(test, (u8)SMTPRL_CAUSE_OPERATOR, s.quar.cause);
	KUNIT_EXPECT_EQ(test, 6ULL, s.quar.refused);
	KUNIT_EXPECT_EQ(test, SMTPRL_ALLOW, attempt(ctx, e, T0 + DAY_NS, &o));
}

static void limited_events_once_per_interval(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_entry *e = get(ctx, key4(1), 100, T0);
	unsigned int events = 0;
	struct smtprl_outcome o;
	u64 t;

	quarantine_on(test, ctx);
	ctx->p.q.strikes = 0;
	/*
	 * A limited attempt every second for 10 minutes from T0 (1000 s, not
	 * on a minute): one event in each of the 11 minutes it touches.
	 */
	for (t = T0; t < T0 + 10 * MINUTE_NS; t += NSEC_PER_SEC)
		if (attempt(ctx, e, t, &o) == SMTPRL_LIMIT &&
		    o.cmd == SMTPRL_CMD_LIMITED_NTF)
			events++;
	KUNIT_EXPECT_EQ(test, 11U, events);
}

static void entry_fits_the_memory_budget(struct kunit *test)
{
	/*
	 * <= 104 bytes per source with hash buckets (8 to 21 at rhashtable's
	 * load factors): within 80 bytes with a production kernel's 4-byte
	 * spinlock; debug kernels (lockdep) grow it, measure without that.
	 */
	size_t at = offsetof(struct smtprl_entry, quarantined) + 1;
	size_t lock_bytes = offsetof(struct smtprl_entry, b) - at;
	size_t prod_bytes = ALIGN(at, 4) + 4 - at;	/* 4-byte lock, aligned */

	KUNIT_EXPECT_LE(test, sizeof(struct smtprl_entry) - lock_bytes + prod_bytes,
			(size_t)80);
}

static struct smtprl_key key6(u32 w0, u32 w1, u32 w2, u32 w3, u8 plen)
{
	struct smtprl_key k = {};

	k.addr.v6.s6_addr32[0] = htonl(w0);
	k.addr.v6.s6_addr32[1] = htonl(w1);
	k.addr.v6.s6_addr32[2] = htonl(w2);
	k.addr.v6.s6_addr32[3] = htonl(w3);
	k.family = NFPROTO_IPV6;
	k.plen = plen;
	return k;
}

/*
 * An IPv6 key longer than /64 keeps its last 64 bits (in the entry's
 * tail): sources that differ only there are distinct, the same one is
 * found again, and it is reported whole. 64 of them in a table of at
 * most 128 buckets: some share a bucket, so the comparison decides.
 */
static void long_ipv6_keys_keep_every_bit(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_entry **e = kunit_kcalloc(test, 64, sizeof(*e), GFP_KERNEL);
	struct smtprl_key *k = kunit_kcalloc(test, 64, sizeof(*k), GFP_KERNEL);
	struct smtprl_snap s;
	int i;

	KUNIT_ASSERT_TRUE(test, e && k);
	for (i = 0; i < 64; i++) {
		/* Half differ in the third word, half in the fourth. */
		k[i] = key6(0x20010db8, 1, i < 32 ? i << 24 : 0, i < 32 ? 0 : i, 128);
		e[i] = get(ctx, k[i], 100, T0);
		KUNIT_ASSERT_NOT_NULL(test, e[i]);
	}
	KUNIT_EXPECT_EQ(test, 64, atomic_read(&ctx->t.count));
	KUNIT_EXPECT_EQ(test, 64, atomic_read(&ctx->t.long_count));
	for (i = 0; i < 64; i++) {
		KUNIT_EXPECT_PTR_EQ(test, e[i], get(ctx, k[i], 100, T0));
		KUNIT_ASSERT_TRUE(test, smtprl_entry_snap(e[i], &ctx->p, T0, &s));
		KUNIT_EXPECT_TRUE(test, ipv6_addr_equal(&k[i].addr.v6, &s.addr.v6));
	}
	/* The /64 that holds them all is another source. */
	KUNIT_EXPECT_PTR_NE(test, e[0], get(ctx, key6(0x20010db8, 1, 0, 0, 64), 100, T0));
	KUNIT_EXPECT_EQ(test, 64, atomic_read(&ctx->t.long_count));
	/* Forgetting them gives their memory back, long tails included. */
	KUNIT_EXPECT_EQ(test, 65U, smtprl_table_flush(&ctx->t, NULL));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&ctx->t.long_count));
}

/*
 * Strikes and fan-out live in a watch that only a source that needs one
 * has: with strikes on, the first limited attempt; none for a source
 * that was never limited. Its memory is counted, and given back with it.
 */
static void only_limited_sources_get_a_watch(struct kunit *test)
{
	struct table_ctx *ctx = test->priv;
	struct smtprl_entry *quiet = get(ctx, key4(1), 100, T0);
	struct smtprl_entry *busy = get(ctx, key4(2), 100, T0);
	struct smtprl_outcome o;
	u64 before;
	int i;

	quarantine_on(test, ctx);
	before = smtprl_table_memory(&ctx->t);
	attempt(ctx, quiet, T0, &o);
	KUNIT_EXPECT_NULL(test, quiet->watch);
	for (i = 0; i < 3; i++)
		attempt(ctx, busy, T0, &o);
	KUNIT_EXPECT_NOT_NULL(test, busy->watch);
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&ctx->t.watch_count));
	KUNIT_EXPECT_GT(test, smtprl_table_memory(&ctx->t), before);
	KUNIT_EXPECT_EQ(test, 2U, smtprl_table_flush(&ctx->t, NULL));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&ctx->t.watch_count));
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
	KUNIT_CASE(gc_empties_a_flooded_table_within_idle_plus_a_pass),
	KUNIT_CASE(gc_under_pressure_does_not_wait_for_the_daily_cap),
	KUNIT_CASE(reset_forgets_one_source),
	KUNIT_CASE(flush_forgets_everything),
	KUNIT_CASE(flush_of_many_forgets_everything),
	KUNIT_CASE(zombie_is_quarantined_then_released_when_quiet),
	KUNIT_CASE(fanout_quarantine_starts_at_the_next_attempt),
	KUNIT_CASE(gc_releases_a_quiet_source_and_only_then_forgets_it),
	KUNIT_CASE(gc_keeps_sources_with_strikes),
	KUNIT_CASE(operator_quarantine_and_release),
	KUNIT_CASE(limited_events_once_per_interval),
	KUNIT_CASE(entry_fits_the_memory_budget),
	KUNIT_CASE(long_ipv6_keys_keep_every_bit),
	KUNIT_CASE(only_limited_sources_get_a_watch),
	{}
};

static struct kunit_suite table_suite = {
	.name = "smtprl_table",
	.init = table_init,
	.exit = table_exit,
	.test_cases = table_cases,
};

kunit_test_suite(table_suite);
