// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: strikes, the fan-out sketch and the quarantine state machine.
 * Time is an argument; nothing sleeps.
 */

#include <kunit/test.h>
#include <linux/netfilter.h>

#include "../quarantine.h"
#include "../table.h"

#define MINUTE_NS	(60ULL * NSEC_PER_SEC)
#define HOUR_NS		(3600ULL * NSEC_PER_SEC)
#define DAY_NS		(86400ULL * NSEC_PER_SEC)
#define SLOT_NS		(DAY_NS / SMTPRL_STRIKE_SLOTS)	/* 45 min */
#define T0		(10 * DAY_NS)

/* 3 strikes in a day, released after an hour's quiet, a day at most. */
static const struct smtprl_qcfg cfg3 = {
	.strikes = 3,
	.slot_ns = SLOT_NS,
	.release_ns = HOUR_NS,
	.max_ns = DAY_NS,
};

/* The hash of the i-th distinct /24, as the packet path gives it. */
static u32 dst(u32 i)
{
	union smtprl_addr a = { .v4 = htonl(0x0a000000 + (i << 8)) };

	return smtprl_dst_hash(NFPROTO_IPV4, &a);
}

static bool note(struct smtprl_strikes *s, const struct smtprl_qcfg *c,
		 u64 now, bool limited, u8 *cause)
{
	return smtprl_strikes_note(s, c, now, limited, dst(1), cause);
}

static void fanout_sketch_counts_small_sets_exactly(struct kunit *test)
{
	u64 sk = 0;
	u32 i;

	KUNIT_EXPECT_EQ(test, 0U, smtprl_fanout_estimate(sk));
	/* One destination a hundred times is one destination. */
	for (i = 0; i < 100; i++)
		sk |= smtprl_fanout_bit(dst(7));
	KUNIT_EXPECT_EQ(test, 1U, smtprl_fanout_estimate(sk));
	/* k bits set: 64 ln(64 / (64 - k)), allowing for collisions. */
	KUNIT_EXPECT_EQ(test, 9U, smtprl_fanout_estimate(GENMASK_ULL(7, 0)));
	KUNIT_EXPECT_EQ(test, 44U, smtprl_fanout_estimate(GENMASK_ULL(31, 0)));
	KUNIT_EXPECT_EQ(test, (u32)SMTPRL_FANOUT_MAX,
			smtprl_fanout_estimate(~0ULL));
}

/* n distinct destinations through the real hash: within the error bound. */
static void fanout_sketch_accuracy(struct kunit *test)
{
	static const struct { u32 n, lo, hi; } rows[] = {
		/* about three standard errors either side */
		{ 5, 3, 6 }, { 16, 11, 21 }, { 32, 22, 44 },
		{ 64, 45, 90 }, { 128, 80, 200 },
	};
	unsigned int r, i, run;

	for (r = 0; r < ARRAY_SIZE(rows); r++) {
		/* Several disjoint sets of n, so no one lucky hash decides. */
		for (run = 0; run < 4; run++) {
			u64 sk = 0;
			u32 est;

			for (i = 0; i < rows[r].n; i++)
				sk |= smtprl_fanout_bit(dst(run * 1000 + i));
			est = smtprl_fanout_estimate(sk);
			KUNIT_EXPECT_GE_MSG(test, est, rows[r].lo, "n=%u run %u", rows[r].n, run);
			KUNIT_EXPECT_LE_MSG(test, est, rows[r].hi, "n=%u run %u", rows[r].n, run);
		}
	}
	/* Far beyond the sketch: saturated, never a small number. */
	{
		u64 sk = 0;

		for (i = 0; i < 5000; i++)
			sk |= smtprl_fanout_bit(dst(i));
		KUNIT_EXPECT_EQ(test, (u32)SMTPRL_FANOUT_MAX, smtprl_fanout_estimate(sk));
	}
}

static void one_strike_per_slot(struct kunit *test)
{
	struct smtprl_strikes s = {};
	u8 cause = 0;
	int i;

	/* A hundred limited attempts within one slot: one strike. */
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_FALSE(test, note(&s, &cfg3, T0 + (u64)i * NSEC_PER_SEC, true, &cause));
	KUNIT_EXPECT_EQ(test, 1U, smtprl_strikes_count(&s, &cfg3, T0 + 100ULL * NSEC_PER_SEC));
	/* The second slot: two. The third: quarantine. */
	KUNIT_EXPECT_FALSE(test, note(&s, &cfg3, T0 + SLOT_NS, true, &cause));
	KUNIT_EXPECT_EQ(test, 2U, smtprl_strikes_count(&s, &cfg3, T0 + SLOT_NS));
	KUNIT_EXPECT_TRUE(test, note(&s, &cfg3, T0 + 5 * SLOT_NS, true, &cause));
	KUNIT_EXPECT_EQ(test, (u8)SMTPRL_CAUSE_STRIKES, cause);
	/* Once per slot: the same slot does not fire again. */
	KUNIT_EXPECT_FALSE(test, note(&s, &cfg3, T0 + 5 * SLOT_NS + 1, true, &cause));
}

static void strikes_expire_with_the_window(struct kunit *test)
{
	struct smtprl_strikes s = {};
	u8 cause = 0;

	note(&s, &cfg3, T0, true, &cause);
	note(&s, &cfg3, T0 + SLOT_NS, true, &cause);
	/* A day later both are out of the window: this is the first again. */
	KUNIT_EXPECT_EQ(test, 0U, smtprl_strikes_count(&s, &cfg3, T0 + SLOT_NS + DAY_NS));
	KUNIT_EXPECT_FALSE(test, note(&s, &cfg3, T0 + SLOT_NS + DAY_NS, true, &cause));
	KUNIT_EXPECT_EQ(test, 1U, smtprl_strikes_count(&s, &cfg3, T0 + SLOT_NS + DAY_NS));
	/* A strike counts for exactly SMTPRL_STRIKE_SLOTS slots. */
	note(&s, &cfg3, T0 + 40 * SLOT_NS, true, &cause);
	KUNIT_EXPECT_EQ(test, 2U, smtprl_strikes_count(&s, &cfg3, T0 + 40 * SLOT_NS));
	KUNIT_EXPECT_EQ(test, 2U, smtprl_strikes_count(&s, &cfg3, T0 + 64 * SLOT_NS));
	KUNIT_EXPECT_EQ(test, 1U, smtprl_strikes_count(&s, &cfg3, T0 + 65 * SLOT_NS));
	KUNIT_EXPECT_EQ(test, 1U, smtprl_strikes_count(&s, &cfg3, T0 + 71 * SLOT_NS));
	KUNIT_EXPECT_EQ(test, 0U, smtprl_strikes_count(&s, &cfg3, T0 + 72 * SLOT_NS));
}

static void steady_sender_never_strikes(struct kunit *test)
{
	struct smtprl_strikes s = {};
	u8 cause = 0;
	u64 t;
	u32 i = 0;

	/* Mail every 5 minutes for a week, a few servers, never limited. */
	for (t = T0; t < T0 + 7 * DAY_NS; t += 5 * MINUTE_NS, i++)
		KUNIT_EXPECT_FALSE(test, smtprl_strikes_note(&s, &cfg3, t, false,
							     dst(i % 4), &cause));
	KUNIT_EXPECT_EQ(test, 0U, smtprl_strikes_count(&s, &cfg3, t));
}

/*
 * The packet path compares the sketch's bit count with the policy's
 * fanout_bits instead of estimating: the same answer for every limit.
 */
static void fanout_bits_agree_with_the_estimate(struct kunit *test)
{
	u32 limit, k;

	for (limit = 0; limit <= SMTPRL_FANOUT_MAX + 1; limit++)
		for (k = 0; k <= 64; k++) {
			u64 sketch = k ? ~0ULL << (64 - k) : 0;

			KUNIT_EXPECT_EQ_MSG(test, smtprl_fanout_estimate(sketch) > limit,
					    k >= smtprl_fanout_bits(limit),
					    "limit %u, %u bits", limit, k);
		}
}

static void fanout_over_the_threshold_is_a_strike(struct kunit *test)
{
	struct smtprl_qcfg c = cfg3;
	struct smtprl_strikes s = {};
	u8 cause = 0;
	u32 i, slot;
	bool q = false;

	c.fanout = 20;
	c.fanout_bits = smtprl_fanout_bits(20);
	/* 15 distinct servers in a slot: under the threshold. */
	for (i = 0; i < 15; i++)
		KUNIT_EXPECT_FALSE(test, smtprl_strikes_note(&s, &c, T0, false, dst(i), &cause));
	KUNIT_EXPECT_EQ(test, 0U, smtprl_strikes_count(&s, &c, T0));
	KUNIT_EXPECT_LE(test, smtprl_strikes_fanout(&s, &c, T0), 20U);
	/* 60 per slot, never limited: a strike each slot, then quarantine. */
	for (slot = 1; slot <= 3 && !q; slot++)
		for (i = 0; i < 60 && !q; i++)
			q = smtprl_strikes_note(&s, &c, T0 + slot * SLOT_NS, false,
						dst(slot * 100 + i), &cause);
	KUNIT_EXPECT_TRUE(test, q);
	KUNIT_EXPECT_EQ(test, 4U, slot);
	KUNIT_EXPECT_EQ(test, (u8)SMTPRL_CAUSE_FANOUT, cause);
	KUNIT_EXPECT_GT(test, smtprl_strikes_fanout(&s, &c, T0 + 3 * SLOT_NS), 20U);
	/* The sketch starts over with the next slot. */
	KUNIT_EXPECT_EQ(test, 0U, smtprl_strikes_fanout(&s, &c, T0 + 4 * SLOT_NS));
}

static void quarantine_off_never_fires(struct kunit *test)
{
	struct smtprl_qcfg c = cfg3;
	struct smtprl_strikes s = {};
	u8 cause = 0;
	int i;

	c.strikes = 0;
	for (i = 0; i < 32; i++)
		KUNIT_EXPECT_FALSE(test, note(&s, &c, T0 + i * SLOT_NS, true, &cause));
	/* Strikes are still counted, for the operator to see. */
	KUNIT_EXPECT_EQ(test, 32U, smtprl_strikes_count(&s, &c, T0 + 31 * SLOT_NS));
	/* Turned on: the next strike quarantines at once. */
	c.strikes = 3;
	KUNIT_EXPECT_TRUE(test, note(&s, &c, T0 + 32 * SLOT_NS, true, &cause));
}

static void strike_window_change_starts_over_safely(struct kunit *test)
{
	struct smtprl_qcfg c = cfg3;
	struct smtprl_strikes s = {};
	u8 cause = 0;

	note(&s, &c, T0, true, &cause);
	note(&s, &c, T0 + SLOT_NS, true, &cause);
	/* Strike window 1 hour: slot numbers jump forward; nothing carries. */
	c.slot_ns = HOUR_NS / SMTPRL_STRIKE_SLOTS;
	KUNIT_EXPECT_EQ(test, 0U, smtprl_strikes_count(&s, &c, T0 + SLOT_NS));
	KUNIT_EXPECT_FALSE(test, note(&s, &c, T0 + SLOT_NS, true, &cause));
	/* And back to a day: slot numbers go backwards; start over. */
	KUNIT_EXPECT_EQ(test, 0U, smtprl_strikes_count(&s, &cfg3, T0 + 2 * SLOT_NS));
	KUNIT_EXPECT_FALSE(test, note(&s, &cfg3, T0 + 2 * SLOT_NS, true, &cause));
	KUNIT_EXPECT_EQ(test, 1U, smtprl_strikes_count(&s, &cfg3, T0 + 2 * SLOT_NS));
}

static void quiet_source_is_released(struct kunit *test)
{
	struct smtprl_quar q;

	smtprl_quar_start(&q, T0, cfg3.max_ns, SMTPRL_CAUSE_STRIKES);
	KUNIT_EXPECT_EQ(test, SMTPRL_RELEASE_NONE, smtprl_quar_check(&q, &cfg3, T0 + HOUR_NS - 1));
	/* Still trying after 50 minutes: the quiet hour starts again. */
	smtprl_quar_attempt(&q, T0 + 50 * MINUTE_NS);
	KUNIT_EXPECT_EQ(test, 1ULL, q.refused);
	KUNIT_EXPECT_EQ(test, SMTPRL_RELEASE_NONE,
			smtprl_quar_check(&q, &cfg3, T0 + 109 * MINUTE_NS));
	KUNIT_EXPECT_EQ(test, SMTPRL_RELEASE_QUIET,
			smtprl_quar_check(&q, &cfg3, T0 + 110 * MINUTE_NS));
}

static void persistent_source_is_released_at_max(struct kunit *test)
{
	struct smtprl_quar q;
	u64 t;

	smtprl_quar_start(&q, T0, cfg3.max_ns, SMTPRL_CAUSE_STRIKES);
	/* Knocking every 10 minutes: never quiet, out after the maximum. */
	for (t = T0; t < T0 + DAY_NS; t += 10 * MINUTE_NS) {
		KUNIT_EXPECT_EQ(test, SMTPRL_RELEASE_NONE, smtprl_quar_check(&q, &cfg3, t));
		smtprl_quar_attempt(&q, t);
	}
	KUNIT_EXPECT_EQ(test, SMTPRL_RELEASE_TIMEOUT, smtprl_quar_check(&q, &cfg3, T0 + DAY_NS));
	KUNIT_EXPECT_EQ(test, 144ULL, q.refused);
}

static void policy_changes_apply_to_running_quarantines(struct kunit *test)
{
	struct smtprl_qcfg c = cfg3;
	struct smtprl_quar q;

	smtprl_quar_start(&q, T0, cfg3.max_ns, SMTPRL_CAUSE_STRIKES);
	smtprl_quar_attempt(&q, T0 + 5 * HOUR_NS);
	/* A shorter maximum releases a long-running quarantine... */
	c.max_ns = 4 * HOUR_NS;
	KUNIT_EXPECT_EQ(test, SMTPRL_RELEASE_TIMEOUT, smtprl_quar_check(&q, &c, T0 + 5 * HOUR_NS));
	/* ...turning quarantine off releases every one the strikes caused. */
	c = cfg3;
	c.strikes = 0;
	KUNIT_EXPECT_EQ(test, SMTPRL_RELEASE_POLICY, smtprl_quar_check(&q, &c, T0 + 5 * HOUR_NS));
}

static void operator_quarantine_lasts_its_time(struct kunit *test)
{
	struct smtprl_qcfg off = cfg3;
	struct smtprl_quar q;

	off.strikes = 0;
	smtprl_quar_start(&q, T0, 3 * DAY_NS, SMTPRL_CAUSE_OPERATOR);
	/* Quiet for two days, quarantine off, past the policy maximum: still in. */
	KUNIT_EXPECT_EQ(test, SMTPRL_RELEASE_NONE, smtprl_quar_check(&q, &off, T0 + 2 * DAY_NS));
	KUNIT_EXPECT_EQ(test, SMTPRL_RELEASE_NONE, smtprl_quar_check(&q, &cfg3, T0 + 2 * DAY_NS));
	KUNIT_EXPECT_EQ(test, SMTPRL_RELEASE_TIMEOUT,
			smtprl_quar_check(&q, &cfg3, T0 + 3 * DAY_NS));
	/* "for ever" does not wrap. */
	smtprl_quar_start(&q, T0, U64_MAX, SMTPRL_CAUSE_OPERATOR);
	KUNIT_EXPECT_EQ(test, U64_MAX, q.until_ns);
	KUNIT_EXPECT_EQ(test, SMTPRL_RELEASE_NONE, smtprl_quar_check(&q, &cfg3, U64_MAX - 1));
}

static struct kunit_case quarantine_cases[] = {
	KUNIT_CASE(fanout_sketch_counts_small_sets_exactly),
	KUNIT_CASE(fanout_sketch_accuracy),
	KUNIT_CASE(one_strike_per_slot),
	KUNIT_CASE(strikes_expire_with_the_window),
	KUNIT_CASE(steady_sender_never_strikes),
	KUNIT_CASE(fanout_bits_agree_with_the_estimate),
	KUNIT_CASE(fanout_over_the_threshold_is_a_strike),
	KUNIT_CASE(quarantine_off_never_fires),
	KUNIT_CASE(strike_window_change_starts_over_safely),
	KUNIT_CASE(quiet_source_is_released),
	KUNIT_CASE(persistent_source_is_released_at_max),
	KUNIT_CASE(policy_changes_apply_to_running_quarantines),
	KUNIT_CASE(operator_quarantine_lasts_its_time),
	{}
};

static struct kunit_suite quarantine_suite = {
	.name = "smtprl_quarantine",
	.test_cases = quarantine_cases,
};

kunit_test_suite(quarantine_suite);
