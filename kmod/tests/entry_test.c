// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: one source's life in the table: strikes, fan-out, quarantine and
 * release, the watch that remembers them, limited events. Time is an
 * argument; nothing sleeps.
 */

#include "table_fixture.h"

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

/* The destination of attempt(): 0.0.0.0. */
static const union smtprl_addr no_dst;

/* A destination network whose fan-out bit is not in @used yet (now it is). */
static union smtprl_addr fresh_dst(struct kunit *test, u64 *used)
{
	union smtprl_addr a = {};
	u32 n;

	for (n = 1; n < 1 << 16; n++) {
		u64 bit;

		a.v4 = htonl(0x0a000000 | n << 8);
		bit = smtprl_fanout_bit(smtprl_dst_hash(NFPROTO_IPV4, &a));
		if (!(*used & bit)) {
			*used |= bit;
			return a;
		}
	}
	KUNIT_FAIL(test, "no destination with a new fan-out bit");
	return a;
}

static enum smtprl_verdict attempt(struct table_ctx *ctx, struct smtprl_entry *e,
				   u64 now, struct smtprl_outcome *o)
{
	enum smtprl_verdict v;

	rcu_read_lock();
	v = smtprl_entry_attempt(&ctx->t, e, &ctx->p, &ctx->p.limit, now,
				 NFPROTO_IPV4, &no_dst, o);
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
	u64 used = 0;
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
		union smtprl_addr a = fresh_dst(test, &used);

		rcu_read_lock();
		v = smtprl_entry_attempt(&ctx->t, e, &ctx->p, &ctx->p.limit, T0,
					 NFPROTO_IPV4, &a, &o);
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
	KUNIT_EXPECT_EQ(test, (u8)SMTPRL_STATE_LIMITED,
			smtprl_snap_state(&o.snap, &ctx->p.limit, t));
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
	u64 used;
	u32 i;

	/* Quarantine off in the policy: the operator's still holds. */
	KUNIT_EXPECT_EQ(test, -ESRCH,
			smtprl_entry_release(e, &ctx->p, T0, SMTPRL_RELEASE_OPERATOR, &s));
	KUNIT_EXPECT_EQ(test, 1,
			smtprl_entry_quarantine(&ctx->t, e, T0, DAY_NS, SMTPRL_CAUSE_OPERATOR,
						new_watch(test)));
	KUNIT_EXPECT_EQ(test, 0,
			smtprl_entry_quarantine(&ctx->t, e, T0, 2 * DAY_NS,
						SMTPRL_CAUSE_OPERATOR, new_watch(test)));
	KUNIT_EXPECT_EQ(test, SMTPRL_QUARANTINE, attempt(ctx, e, T0 + DAY_NS, &o));
	KUNIT_EXPECT_EQ(test, 0U, gc(ctx, T0 + DAY_NS + 1, 100) + gc(ctx, T0 + DAY_NS + 1, 100));
	/* Refused attempts still show in its fan-out: 5 more networks. */
	used = smtprl_fanout_bit(smtprl_dst_hash(NFPROTO_IPV4, &no_dst));
	for (i = 1; i <= 5; i++) {
		union smtprl_addr a = fresh_dst(test, &used);

		rcu_read_lock();
		smtprl_entry_attempt(&ctx->t, e, &ctx->p, &ctx->p.limit, T0 + DAY_NS,
				     NFPROTO_IPV4, &a, &o);
		rcu_read_unlock();
	}
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

static struct kunit_case entry_cases[] = {
	KUNIT_CASE(zombie_is_quarantined_then_released_when_quiet),
	KUNIT_CASE(fanout_quarantine_starts_at_the_next_attempt),
	KUNIT_CASE(gc_releases_a_quiet_source_and_only_then_forgets_it),
	KUNIT_CASE(gc_keeps_sources_with_strikes),
	KUNIT_CASE(operator_quarantine_and_release),
	KUNIT_CASE(limited_events_once_per_interval),
	KUNIT_CASE(only_limited_sources_get_a_watch),
	{}
};

static struct kunit_suite entry_suite = {
	.name = "smtprl_entry",
	.init = table_init,
	.exit = table_exit,
	.test_cases = entry_cases,
};

kunit_test_suite(entry_suite);
