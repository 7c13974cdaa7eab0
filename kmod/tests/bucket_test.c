// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: token bucket arithmetic. Time is an argument; nothing sleeps.
 */

#include <kunit/test.h>
#include <linux/time64.h>

#include "../bucket.h"

#define MINUTE_NS	(60ULL * NSEC_PER_SEC)
#define DAY_NS		(86400ULL * NSEC_PER_SEC)
#define T0		(1000ULL * NSEC_PER_SEC)

/* 10/minute burst 20, daily @daily (0: off). */
static void limit_init(struct kunit *test, struct smtprl_limit *lim,
		       u64 count, u64 unit_ns, u64 burst, u64 daily)
{
	memset(lim, 0, sizeof(*lim));
	KUNIT_ASSERT_EQ(test, 0, smtprl_rate_init(&lim->rate, count, unit_ns,
						  burst, 1, 2, NULL));
	if (daily)
		KUNIT_ASSERT_EQ(test, 0, smtprl_rate_init(&lim->daily, daily,
							  DAY_NS, daily, 1, 2, NULL));
}

static unsigned int take_n(struct smtprl_buckets *b,
			   const struct smtprl_limit *lim, u64 now, unsigned int n)
{
	unsigned int ok = 0;

	while (n--)
		ok += smtprl_buckets_take(b, lim, now);
	return ok;
}

static void fresh_bucket_allows_exactly_burst(struct kunit *test)
{
	struct smtprl_limit lim;
	struct smtprl_buckets b;

	limit_init(test, &lim, 10, MINUTE_NS, 20, 0);
	smtprl_buckets_init(&b, &lim, T0);

	KUNIT_EXPECT_EQ(test, 20U, take_n(&b, &lim, T0, 25));
}

static void refill_restores_one_per_cost(struct kunit *test)
{
	struct smtprl_limit lim;
	struct smtprl_buckets b;

	limit_init(test, &lim, 10, MINUTE_NS, 20, 0);
	smtprl_buckets_init(&b, &lim, T0);
	take_n(&b, &lim, T0, 20);

	/* 6 s buys one connection at 10/minute; 5.999 s does not. */
	KUNIT_EXPECT_FALSE(test, smtprl_buckets_take(&b, &lim, T0 + 6ULL * NSEC_PER_SEC - 1));
	KUNIT_EXPECT_TRUE(test, smtprl_buckets_take(&b, &lim, T0 + 6ULL * NSEC_PER_SEC));
	KUNIT_EXPECT_FALSE(test, smtprl_buckets_take(&b, &lim, T0 + 6ULL * NSEC_PER_SEC));
}

static void refill_never_exceeds_burst(struct kunit *test)
{
	struct smtprl_limit lim;
	struct smtprl_buckets b;

	limit_init(test, &lim, 10, MINUTE_NS, 20, 0);
	smtprl_buckets_init(&b, &lim, T0);
	take_n(&b, &lim, T0, 5);

	KUNIT_EXPECT_EQ(test, 20U, take_n(&b, &lim, T0 + 365 * DAY_NS, 100));
}

static void limited_attempts_cost_nothing(struct kunit *test)
{
	struct smtprl_limit lim;
	struct smtprl_buckets b;

	limit_init(test, &lim, 10, MINUTE_NS, 2, 0);
	smtprl_buckets_init(&b, &lim, T0);
	take_n(&b, &lim, T0, 2);
	/* A flood of refused attempts does not push the next allowance back. */
	take_n(&b, &lim, T0 + NSEC_PER_SEC, 1000);
	KUNIT_EXPECT_TRUE(test, smtprl_buckets_take(&b, &lim, T0 + 6ULL * NSEC_PER_SEC));
}

static void one_per_day_is_valid_and_exact(struct kunit *test)
{
	struct smtprl_limit lim;
	struct smtprl_buckets b;

	limit_init(test, &lim, 1, DAY_NS, 1, 0);
	KUNIT_EXPECT_EQ(test, DAY_NS, lim.rate.cost_ns);
	smtprl_buckets_init(&b, &lim, T0);

	KUNIT_EXPECT_TRUE(test, smtprl_buckets_take(&b, &lim, T0));
	KUNIT_EXPECT_FALSE(test, smtprl_buckets_take(&b, &lim, T0 + DAY_NS - 1));
	KUNIT_EXPECT_TRUE(test, smtprl_buckets_take(&b, &lim, T0 + DAY_NS));
}

static void million_per_second_does_not_overflow(struct kunit *test)
{
	struct smtprl_limit lim;
	struct smtprl_buckets b;

	limit_init(test, &lim, 1000000, NSEC_PER_SEC, 1000000, 0);
	KUNIT_EXPECT_EQ(test, 1000ULL, lim.rate.cost_ns);
	KUNIT_EXPECT_EQ(test, NSEC_PER_SEC, lim.rate.size_ns);
	smtprl_buckets_init(&b, &lim, T0);

	KUNIT_EXPECT_EQ(test, 1000000U, take_n(&b, &lim, T0, 1000001));
	/* 1 ms later: exactly 1000 more. */
	KUNIT_EXPECT_EQ(test, 1000U, take_n(&b, &lim, T0 + NSEC_PER_MSEC, 1001));
}

static void overflowing_burst_is_rejected(struct kunit *test)
{
	struct smtprl_bad bad = {};
	struct smtprl_rate r = { .cost_ns = 1, .size_ns = 2 };

	/* A day of credit per connection, times 2^40 connections: > 2^64 ns. */
	KUNIT_EXPECT_EQ(test, -ERANGE,
			smtprl_rate_init(&r, 1, DAY_NS, 1ULL << 40, 1, 2, &bad));
	KUNIT_EXPECT_NOT_NULL(test, bad.msg);
	KUNIT_EXPECT_NOT_NULL(test, strstr(bad.msg, "burst"));
	KUNIT_EXPECT_EQ(test, 2, bad.attr);
	/* Untouched on error. */
	KUNIT_EXPECT_EQ(test, 1ULL, r.cost_ns);
	KUNIT_EXPECT_EQ(test, 2ULL, r.size_ns);
}

static void zero_and_impossible_rates_are_rejected(struct kunit *test)
{
	struct smtprl_bad bad = {};
	struct smtprl_rate r;

	KUNIT_EXPECT_EQ(test, -EINVAL, smtprl_rate_init(&r, 0, MINUTE_NS, 1, 1, 2, &bad));
	KUNIT_EXPECT_NOT_NULL(test, strstr(bad.msg, "rate"));
	KUNIT_EXPECT_EQ(test, 1, bad.attr);
	KUNIT_EXPECT_EQ(test, -EINVAL, smtprl_rate_init(&r, 1, MINUTE_NS, 0, 1, 2, &bad));
	KUNIT_EXPECT_NOT_NULL(test, strstr(bad.msg, "burst"));
	KUNIT_EXPECT_EQ(test, 2, bad.attr);
	/* More than one per nanosecond cannot be expressed. */
	KUNIT_EXPECT_EQ(test, -ERANGE,
			smtprl_rate_init(&r, NSEC_PER_SEC + 1, NSEC_PER_SEC, 1, 1, 2, &bad));
	KUNIT_EXPECT_NOT_NULL(test, strstr(bad.msg, "rate"));
	KUNIT_EXPECT_EQ(test, 1, bad.attr);
}

static void clock_going_backwards_refills_nothing(struct kunit *test)
{
	struct smtprl_limit lim;
	struct smtprl_buckets b;

	limit_init(test, &lim, 10, MINUTE_NS, 1, 0);
	smtprl_buckets_init(&b, &lim, T0 + MINUTE_NS);
	KUNIT_EXPECT_TRUE(test, smtprl_buckets_take(&b, &lim, T0 + MINUTE_NS));

	KUNIT_EXPECT_FALSE(test, smtprl_buckets_take(&b, &lim, T0));
	KUNIT_EXPECT_EQ(test, T0 + MINUTE_NS, b.last_ns);
	/* Refill counts from the latest time seen, not from the step back. */
	KUNIT_EXPECT_FALSE(test, smtprl_buckets_take(&b, &lim,
						     T0 + MINUTE_NS + 5ULL * NSEC_PER_SEC));
	KUNIT_EXPECT_TRUE(test, smtprl_buckets_take(&b, &lim,
						    T0 + MINUTE_NS + 6ULL * NSEC_PER_SEC));
}

static void daily_cap_holds_across_refills(struct kunit *test)
{
	struct smtprl_limit lim;
	struct smtprl_buckets b;
	unsigned int ok = 0, minute;

	/*
	 * 10/minute burst 20, 50/day: an hour of steady sending gives the 50
	 * of the day plus what 59 minutes refill at 50/day (one per 28.8 min).
	 */
	limit_init(test, &lim, 10, MINUTE_NS, 20, 50);
	smtprl_buckets_init(&b, &lim, T0);
	for (minute = 0; minute < 60; minute++)
		ok += take_n(&b, &lim, T0 + minute * MINUTE_NS, 30);

	KUNIT_EXPECT_EQ(test, 50U + 2, ok);
}

static void daily_refusal_does_not_charge_short_window(struct kunit *test)
{
	struct smtprl_limit lim;
	struct smtprl_buckets b;

	limit_init(test, &lim, 10, MINUTE_NS, 20, 3);
	smtprl_buckets_init(&b, &lim, T0);
	KUNIT_EXPECT_EQ(test, 3U, take_n(&b, &lim, T0, 10));
	/* The short bucket still holds 17: once the day refills, they count. */
	KUNIT_EXPECT_EQ(test, 17 * lim.rate.cost_ns, b.tokens_ns);
}

static void daily_off_means_short_window_only(struct kunit *test)
{
	struct smtprl_limit lim;
	struct smtprl_buckets b;
	unsigned int ok = 0, minute;

	limit_init(test, &lim, 10, MINUTE_NS, 20, 0);
	smtprl_buckets_init(&b, &lim, T0);
	for (minute = 0; minute < 60; minute++)
		ok += take_n(&b, &lim, T0 + minute * MINUTE_NS, 30);

	KUNIT_EXPECT_EQ(test, 20U + 59 * 10, ok);
}

static void full_only_when_both_buckets_refilled(struct kunit *test)
{
	struct smtprl_limit lim;
	struct smtprl_buckets b;

	limit_init(test, &lim, 10, MINUTE_NS, 20, 100);
	smtprl_buckets_init(&b, &lim, T0);
	KUNIT_EXPECT_TRUE(test, smtprl_buckets_full(&b, &lim, T0));

	take_n(&b, &lim, T0, 1);
	KUNIT_EXPECT_FALSE(test, smtprl_buckets_full(&b, &lim, T0));
	/* Short window full after 6 s, daily only after 864 s. */
	KUNIT_EXPECT_FALSE(test, smtprl_buckets_full(&b, &lim, T0 + 6ULL * NSEC_PER_SEC));
	KUNIT_EXPECT_FALSE(test, smtprl_buckets_full(&b, &lim, T0 + 864ULL * NSEC_PER_SEC - 1));
	KUNIT_EXPECT_TRUE(test, smtprl_buckets_full(&b, &lim, T0 + 864ULL * NSEC_PER_SEC));
}

static void full_check_changes_nothing(struct kunit *test)
{
	struct smtprl_limit lim;
	struct smtprl_buckets b, before;

	limit_init(test, &lim, 10, MINUTE_NS, 20, 100);
	smtprl_buckets_init(&b, &lim, T0);
	take_n(&b, &lim, T0, 7);
	before = b;
	smtprl_buckets_full(&b, &lim, T0 + DAY_NS);
	KUNIT_EXPECT_EQ(test, 0, memcmp(&before, &b, sizeof(b)));
}

static void smaller_burst_clamps_existing_credit(struct kunit *test)
{
	struct smtprl_limit lim, small;
	struct smtprl_buckets b;

	limit_init(test, &lim, 10, MINUTE_NS, 20, 0);
	limit_init(test, &small, 10, MINUTE_NS, 5, 0);
	smtprl_buckets_init(&b, &lim, T0);

	/* A full bucket of 20 meets a policy of burst 5: 5 go through. */
	KUNIT_EXPECT_EQ(test, 5U, take_n(&b, &small, T0, 20));
}

static void larger_burst_gives_no_instant_credit(struct kunit *test)
{
	struct smtprl_limit lim, big;
	struct smtprl_buckets b;

	limit_init(test, &lim, 10, MINUTE_NS, 2, 0);
	limit_init(test, &big, 10, MINUTE_NS, 200, 0);
	smtprl_buckets_init(&b, &lim, T0);
	take_n(&b, &lim, T0, 2);

	/* An empty bucket stays empty when the policy grows. */
	KUNIT_EXPECT_EQ(test, 0U, take_n(&b, &big, T0, 10));
}

static void level_reports_whole_connections(struct kunit *test)
{
	struct smtprl_limit lim;
	struct smtprl_buckets b;

	limit_init(test, &lim, 10, MINUTE_NS, 20, 0);
	smtprl_buckets_init(&b, &lim, T0);
	take_n(&b, &lim, T0, 20);
	KUNIT_EXPECT_EQ(test, 0ULL, smtprl_bucket_level(b.tokens_ns, b.last_ns, &lim.rate, T0));
	KUNIT_EXPECT_EQ(test, 1ULL, smtprl_bucket_level(b.tokens_ns, b.last_ns, &lim.rate,
							T0 + 11ULL * NSEC_PER_SEC));
	KUNIT_EXPECT_EQ(test, 20ULL, smtprl_bucket_level(b.tokens_ns, b.last_ns, &lim.rate,
							 T0 + DAY_NS));
}

/* Off means unlimited: a source known before the cap starts with a full one. */
static void daily_switched_on_starts_full(struct kunit *test)
{
	struct smtprl_limit off, on;
	struct smtprl_buckets b;

	limit_init(test, &off, 1000, NSEC_PER_SEC, 1000, 0);
	limit_init(test, &on, 1000, NSEC_PER_SEC, 1000, 3);
	smtprl_buckets_init(&b, &off, T0);
	KUNIT_EXPECT_EQ(test, 10U, take_n(&b, &off, T0, 10));

	KUNIT_EXPECT_EQ(test, 3U, take_n(&b, &on, T0 + 1, 5));
	/* Off and on again: unlimited meanwhile, so full again. */
	KUNIT_EXPECT_EQ(test, 2U, take_n(&b, &off, T0 + 2, 2));
	KUNIT_EXPECT_EQ(test, 3U, take_n(&b, &on, T0 + 3, 5));
}

/* A cap that was on and is raised keeps what was left, no more. */
static void daily_raised_refills_nothing(struct kunit *test)
{
	struct smtprl_limit low, high;
	struct smtprl_buckets b;

	limit_init(test, &low, 1000, NSEC_PER_SEC, 1000, 3);
	limit_init(test, &high, 1000, NSEC_PER_SEC, 1000, 500);
	smtprl_buckets_init(&b, &low, T0);
	KUNIT_EXPECT_EQ(test, 3U, take_n(&b, &low, T0, 5));

	/* A second at 500/day earns nothing yet. */
	KUNIT_EXPECT_EQ(test, 0U, take_n(&b, &high, T0 + NSEC_PER_SEC, 5));
}

/* Carrying buckets over to new limits (an exemption replaced). */
static void carry_clamps_and_starts_a_new_cap_full(struct kunit *test)
{
	struct smtprl_limit off, on, small;
	struct smtprl_buckets old, b;

	limit_init(test, &off, 10, MINUTE_NS, 20, 0);
	limit_init(test, &on, 10, MINUTE_NS, 20, 4);
	limit_init(test, &small, 10, MINUTE_NS, 5, 4);

	smtprl_buckets_init(&old, &off, T0);
	take_n(&old, &off, T0, 12);
	smtprl_buckets_carry(&b, &old, &on);
	/* 8 left of the short window; the new daily cap starts full. */
	KUNIT_EXPECT_EQ(test, 4U, take_n(&b, &on, T0, 10));

	smtprl_buckets_init(&old, &on, T0);
	take_n(&old, &on, T0, 3);
	smtprl_buckets_carry(&b, &old, &small);
	/* 17 left, clamped to the new burst of 5; 1 left of the day. */
	KUNIT_EXPECT_EQ(test, 1U, take_n(&b, &small, T0, 10));
	smtprl_buckets_carry(&old, &b, &off);
	KUNIT_EXPECT_EQ(test, 4U, take_n(&old, &off, T0, 10));
}

static struct kunit_case bucket_cases[] = {
	KUNIT_CASE(fresh_bucket_allows_exactly_burst),
	KUNIT_CASE(refill_restores_one_per_cost),
	KUNIT_CASE(refill_never_exceeds_burst),
	KUNIT_CASE(limited_attempts_cost_nothing),
	KUNIT_CASE(one_per_day_is_valid_and_exact),
	KUNIT_CASE(million_per_second_does_not_overflow),
	KUNIT_CASE(overflowing_burst_is_rejected),
	KUNIT_CASE(zero_and_impossible_rates_are_rejected),
	KUNIT_CASE(clock_going_backwards_refills_nothing),
	KUNIT_CASE(daily_cap_holds_across_refills),
	KUNIT_CASE(daily_refusal_does_not_charge_short_window),
	KUNIT_CASE(daily_off_means_short_window_only),
	KUNIT_CASE(full_only_when_both_buckets_refilled),
	KUNIT_CASE(full_check_changes_nothing),
	KUNIT_CASE(smaller_burst_clamps_existing_credit),
	KUNIT_CASE(larger_burst_gives_no_instant_credit),
	KUNIT_CASE(level_reports_whole_connections),
	KUNIT_CASE(daily_switched_on_starts_full),
	KUNIT_CASE(daily_raised_refills_nothing),
	KUNIT_CASE(carry_clamps_and_starts_a_new_cap_full),
	{}
};

static struct kunit_suite bucket_suite = {
	.name = "smtprl_bucket",
	.test_cases = bucket_cases,
};

kunit_test_suite(bucket_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for smtprl");
