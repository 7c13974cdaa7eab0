// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the source table: insert, cap, insert race, GC rule, reset, flush.
 * Time is an argument; nothing sleeps.
 */

#include "table_fixture.h"

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
						  NSEC_PER_SEC, 100, NULL, NULL,
						  NULL));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&ctx->t.count));
	/* ...but a full bucket is still required. */
	e = get(ctx, key4(2), 100, now);
	smtprl_entry_take(e, &ctx->p.limit, now);
	KUNIT_EXPECT_EQ(test, 1U, smtprl_table_gc(&ctx->t, &ctx->p,
						  now + NSEC_PER_SEC,
						  NSEC_PER_SEC, 100, NULL, NULL,
						  NULL));
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
		gc(ctx, T0 + n + (u64)s * NSEC_PER_SEC, smtprl_table_gc_budget(&ctx->t));
		/* Nothing is forgotten before it has been idle. */
		if (s < SMTPRL_GC_IDLE_S)
			KUNIT_ASSERT_EQ(test, n, (u32)atomic_read(&ctx->t.count));
		if (!atomic_read(&ctx->t.count))
			empty_at = s;
	}
	kunit_info(test, "%u sources, idle %u s: empty after %u s\n", n,
		   SMTPRL_GC_IDLE_S, empty_at);
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&ctx->t.count));
	/*
	 * The call that removed the last entry need not have reached the end
	 * of the walk (a shrink, run by rhashtable's worker whenever it runs,
	 * restarts it): the next call does. Then a small table is still
	 * walked at least SMTPRL_GC_BATCH at a time.
	 */
	gc(ctx, T0 + n + (u64)s * NSEC_PER_SEC, smtprl_table_gc_budget(&ctx->t));
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
	size_t prod = sizeof(struct smtprl_entry) - lock_bytes + prod_bytes;
	size_t slab = ALIGN(prod, __alignof__(struct smtprl_entry));
	size_t ptr = sizeof(void *);

	KUNIT_EXPECT_LE(test, prod, (size_t)80);
	/*
	 * The figure for the architecture under test: an entry's slab object,
	 * and its share of the bucket array, which rhashtable grows at 3/4
	 * load to the next power of two (4/3 to 8/3 pointers a source).
	 */
	kunit_info(test,
		   "%d-bit: entry %zu bytes with a 4-byte lock (%zu here), %zu to %zu bytes per source with its hash buckets\n",
		   BITS_PER_LONG, slab, sizeof(struct smtprl_entry),
		   slab + DIV_ROUND_UP(4 * ptr, 3), slab + DIV_ROUND_UP(8 * ptr, 3));
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
	KUNIT_CASE(entry_fits_the_memory_budget),
	KUNIT_CASE(long_ipv6_keys_keep_every_bit),
	{}
};

static struct kunit_suite table_suite = {
	.name = "smtprl_table",
	.init = table_init,
	.exit = table_exit,
	.test_cases = table_cases,
};

kunit_test_suite(table_suite);
