// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: prefix sets and exemptions: longest prefix wins, expiry, own
 * rates, replace, validation.
 */

#include <kunit/test.h>
#include <linux/netfilter.h>
#include <linux/slab.h>

#include "../exempt.h"
#include "../policy.h"

#define T0	(1000ULL * NSEC_PER_SEC)
#define HOUR_NS	(3600ULL * NSEC_PER_SEC)

static int exempt_init(struct kunit *test)
{
	struct smtprl_pfxset *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, 0, smtprl_pfxset_init(s));
	test->priv = s;
	return 0;
}

static void exempt_exit(struct kunit *test)
{
	struct smtprl_pfxset *s = test->priv;

	smtprl_exempt_flush(s);
	rcu_barrier();
	smtprl_pfxset_destroy(s, NULL);
}

static union smtprl_addr v4(u32 a)
{
	union smtprl_addr x = {};

	x.v4 = htonl(a);
	return x;
}

static struct smtprl_exempt_spec spec4(struct kunit *test, u32 a, u8 plen)
{
	struct smtprl_exempt_spec spec = {};
	union smtprl_addr x = v4(a);

	KUNIT_EXPECT_EQ(test, 0, smtprl_pfx_key_init(&spec.key, NFPROTO_IPV4, &x, plen, NULL));
	return spec;
}

static struct smtprl_exempt *match4(struct smtprl_pfxset *s, u32 a, u64 now)
{
	union smtprl_addr x = v4(a);
	struct smtprl_exempt *ex;

	rcu_read_lock();
	ex = smtprl_exempt_match(s, NFPROTO_IPV4, &x, now);
	rcu_read_unlock();
	return ex;
}

static void longest_prefix_wins(struct kunit *test)
{
	struct smtprl_pfxset *s = test->priv;
	struct smtprl_exempt_spec wide = spec4(test, 0xc0000200, 24);	/* 192.0.2.0/24 */
	struct smtprl_exempt_spec host = spec4(test, 0xc0000205, 32);	/* 192.0.2.5 */
	struct smtprl_exempt *ex;

	host.rate = 100;
	host.rate_unit = SMTPRL_UNIT_HOUR;
	KUNIT_ASSERT_EQ(test, 0, smtprl_exempt_add(s, &wide, false, T0, NULL));
	KUNIT_ASSERT_EQ(test, 0, smtprl_exempt_add(s, &host, false, T0, NULL));

	ex = match4(s, 0xc0000205, T0);
	KUNIT_ASSERT_NOT_NULL(test, ex);
	KUNIT_EXPECT_EQ(test, (u8)32, ex->pfx.key.plen);
	KUNIT_EXPECT_FALSE(test, smtprl_exempt_unlimited(ex));
	ex = match4(s, 0xc0000206, T0);
	KUNIT_ASSERT_NOT_NULL(test, ex);
	KUNIT_EXPECT_EQ(test, (u8)24, ex->pfx.key.plen);
	KUNIT_EXPECT_TRUE(test, smtprl_exempt_unlimited(ex));
	KUNIT_EXPECT_NULL(test, match4(s, 0xc0000305, T0));
}

static void deleting_the_longer_prefix_falls_back(struct kunit *test)
{
	struct smtprl_pfxset *s = test->priv;
	struct smtprl_exempt_spec wide = spec4(test, 0xc0000200, 24);
	struct smtprl_exempt_spec host = spec4(test, 0xc0000205, 32);
	struct smtprl_exempt *ex;

	KUNIT_ASSERT_EQ(test, 0, smtprl_exempt_add(s, &wide, false, T0, NULL));
	KUNIT_ASSERT_EQ(test, 0, smtprl_exempt_add(s, &host, false, T0, NULL));
	KUNIT_EXPECT_EQ(test, 0, smtprl_exempt_del(s, &host.key));
	KUNIT_EXPECT_EQ(test, -ENOENT, smtprl_exempt_del(s, &host.key));
	ex = match4(s, 0xc0000205, T0);
	KUNIT_ASSERT_NOT_NULL(test, ex);
	KUNIT_EXPECT_EQ(test, (u8)24, ex->pfx.key.plen);
	KUNIT_EXPECT_FALSE(test, smtprl_pfxset_uses_len(s, NFPROTO_IPV4, 32));
	KUNIT_EXPECT_TRUE(test, smtprl_pfxset_uses_len(s, NFPROTO_IPV4, 24));
}

static void expired_exemption_stops_applying(struct kunit *test)
{
	struct smtprl_pfxset *s = test->priv;
	struct smtprl_exempt_spec sp = spec4(test, 0xc0000205, 32);

	sp.expires_ns = T0 + HOUR_NS;
	KUNIT_ASSERT_EQ(test, 0, smtprl_exempt_add(s, &sp, false, T0, NULL));
	KUNIT_EXPECT_NOT_NULL(test, match4(s, 0xc0000205, T0 + HOUR_NS - 1));
	KUNIT_EXPECT_NULL(test, match4(s, 0xc0000205, T0 + HOUR_NS));
}

static void expiry_gc_waits_for_the_deadline(struct kunit *test)
{
	struct smtprl_pfxset *s = test->priv;
	struct smtprl_exempt_spec a = spec4(test, 0xc0000205, 32);
	struct smtprl_exempt_spec b = spec4(test, 0xc0000206, 32);

	a.expires_ns = T0 + HOUR_NS;
	KUNIT_ASSERT_EQ(test, 0, smtprl_exempt_add(s, &a, false, T0, NULL));
	KUNIT_ASSERT_EQ(test, 0, smtprl_exempt_add(s, &b, false, T0, NULL));

	KUNIT_EXPECT_EQ(test, 0U, smtprl_exempt_expire(s, T0 + HOUR_NS - 1, NULL, NULL));
	KUNIT_EXPECT_EQ(test, 2U, s->n);
	KUNIT_EXPECT_EQ(test, 1U, smtprl_exempt_expire(s, T0 + HOUR_NS, NULL, NULL));
	KUNIT_EXPECT_EQ(test, 1U, s->n);
	/* The one without expiry is never collected. */
	KUNIT_EXPECT_EQ(test, 0U, smtprl_exempt_expire(s, U64_MAX, NULL, NULL));
	KUNIT_EXPECT_NOT_NULL(test, match4(s, 0xc0000206, U64_MAX));
}

static void own_rate_applies_to_the_whole_prefix(struct kunit *test)
{
	struct smtprl_pfxset *s = test->priv;
	struct smtprl_exempt_spec sp = spec4(test, 0xc0000200, 24);
	unsigned int ok = 0, i;

	sp.rate = 100;
	sp.rate_unit = SMTPRL_UNIT_HOUR;
	sp.burst = 3;
	KUNIT_ASSERT_EQ(test, 0, smtprl_exempt_add(s, &sp, false, T0, NULL));
	for (i = 0; i < 5; i++)
		ok += smtprl_exempt_take(match4(s, 0xc0000201 + i, T0), T0);
	KUNIT_EXPECT_EQ(test, 3U, ok);
	/* 36 s buys one more at 100/hour. */
	KUNIT_EXPECT_TRUE(test, smtprl_exempt_take(match4(s, 0xc0000201, T0),
						   T0 + 36ULL * NSEC_PER_SEC));
}

static void unlimited_exemption_counts_but_never_limits(struct kunit *test)
{
	struct smtprl_pfxset *s = test->priv;
	struct smtprl_exempt_spec sp = spec4(test, 0xc0000205, 32);
	struct smtprl_exempt *ex;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, 0, smtprl_exempt_add(s, &sp, false, T0, NULL));
	ex = match4(s, 0xc0000205, T0);
	for (i = 0; i < 1000; i++)
		KUNIT_EXPECT_TRUE(test, smtprl_exempt_take(ex, T0));
	KUNIT_EXPECT_EQ(test, 1000ULL, ex->allowed);
}

static void duplicate_needs_replace_which_keeps_counters(struct kunit *test)
{
	struct smtprl_pfxset *s = test->priv;
	struct smtprl_exempt_spec sp = spec4(test, 0xc0000205, 32);
	struct smtprl_bad bad = {};
	struct smtprl_exempt *ex;

	KUNIT_ASSERT_EQ(test, 0, smtprl_exempt_add(s, &sp, false, T0, NULL));
	smtprl_exempt_take(match4(s, 0xc0000205, T0), T0);
	KUNIT_EXPECT_EQ(test, -EEXIST, smtprl_exempt_add(s, &sp, false, T0, &bad));
	KUNIT_EXPECT_NOT_NULL(test, strstr(bad.msg, "exists"));

	strscpy(sp.comment, "customer 4711, own MX", sizeof(sp.comment));
	KUNIT_EXPECT_EQ(test, 0, smtprl_exempt_add(s, &sp, true, T0, NULL));
	ex = match4(s, 0xc0000205, T0);
	KUNIT_ASSERT_NOT_NULL(test, ex);
	KUNIT_EXPECT_EQ(test, 1ULL, ex->allowed);
	KUNIT_EXPECT_STREQ(test, "customer 4711, own MX", ex->spec.comment);
	KUNIT_EXPECT_EQ(test, 1U, s->n);
}

static void invalid_requests_change_nothing(struct kunit *test)
{
	struct smtprl_pfxset *s = test->priv;
	struct smtprl_bad bad = {};
	struct smtprl_exempt_spec sp = spec4(test, 0xc0000205, 32);
	struct smtprl_pfx_key k;
	union smtprl_addr x = v4(0xc0000205);

	KUNIT_EXPECT_EQ(test, -EINVAL, smtprl_pfx_key_init(&k, NFPROTO_IPV4, &x, 24, &bad));
	KUNIT_EXPECT_NOT_NULL(test, strstr(bad.msg, "host bits"));
	KUNIT_EXPECT_EQ(test, -EINVAL, smtprl_pfx_key_init(&k, NFPROTO_IPV4, &x, 33, &bad));
	KUNIT_EXPECT_EQ(test, -EAFNOSUPPORT, smtprl_pfx_key_init(&k, 99, &x, 8, &bad));

	sp.expires_ns = T0;
	KUNIT_EXPECT_EQ(test, -EINVAL, smtprl_exempt_add(s, &sp, false, T0, &bad));
	KUNIT_EXPECT_NOT_NULL(test, strstr(bad.msg, "expires"));
	sp.expires_ns = 0;
	memset(sp.comment, 'x', sizeof(sp.comment));
	KUNIT_EXPECT_EQ(test, -EINVAL, smtprl_exempt_add(s, &sp, false, T0, &bad));
	KUNIT_EXPECT_NOT_NULL(test, strstr(bad.msg, "comment"));
	sp.comment[0] = '\0';
	sp.burst = 5;	/* a burst without a rate means nothing */
	KUNIT_EXPECT_EQ(test, -EINVAL, smtprl_exempt_add(s, &sp, false, T0, &bad));
	sp.burst = 0;
	sp.rate = 1;
	sp.rate_unit = SMTPRL_UNIT_DAY;
	sp.burst = U32_MAX;
	KUNIT_EXPECT_EQ(test, -ERANGE, smtprl_exempt_add(s, &sp, false, T0, &bad));

	KUNIT_EXPECT_EQ(test, 0U, s->n);
	KUNIT_EXPECT_NULL(test, match4(s, 0xc0000205, T0));
}

static void v6_prefixes_match_inside_only(struct kunit *test)
{
	struct smtprl_pfxset *s = test->priv;
	struct smtprl_exempt_spec sp = {};
	union smtprl_addr p = {}, in, out;
	struct smtprl_exempt *hit_in, *hit_out, *hit_v4;

	p.v6.s6_addr[0] = 0x20;
	p.v6.s6_addr[1] = 0x01;
	p.v6.s6_addr[2] = 0x0d;
	p.v6.s6_addr[3] = 0xb8;
	KUNIT_ASSERT_EQ(test, 0, smtprl_pfx_key_init(&sp.key, NFPROTO_IPV6, &p, 48, NULL));
	KUNIT_ASSERT_EQ(test, 0, smtprl_exempt_add(s, &sp, false, T0, NULL));
	in = p;
	in.v6.s6_addr[6] = 0x42;
	in.v6.s6_addr[15] = 0x01;
	out = p;
	out.v6.s6_addr[4] = 0x01;

	/* Expectations allocate when they fail: never under RCU. */
	rcu_read_lock();
	hit_in = smtprl_exempt_match(s, NFPROTO_IPV6, &in, T0);
	hit_out = smtprl_exempt_match(s, NFPROTO_IPV6, &out, T0);
	hit_v4 = smtprl_exempt_match(s, NFPROTO_IPV4, &in, T0);
	rcu_read_unlock();
	KUNIT_EXPECT_NOT_NULL(test, hit_in);
	KUNIT_EXPECT_NULL(test, hit_out);
	/* Same leading bytes, other family: no match. */
	KUNIT_EXPECT_NULL(test, hit_v4);
}

/* Lengths 0 and 128 are the ends of the length map; longest wins. */
static void v6_longest_of_many_lengths_wins(struct kunit *test)
{
	static const u8 lens[] = { 0, 48, 64, 128 };
	struct smtprl_pfxset *s = test->priv;
	union smtprl_addr host = {}, other;
	struct smtprl_exempt *hit[3];
	unsigned int i;

	host.v6.s6_addr32[0] = htonl(0x20010db8);
	host.v6.s6_addr32[3] = htonl(0x25);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		struct smtprl_exempt_spec sp = {};
		union smtprl_addr p = {};

		smtprl_addr_mask(&p, &host, NFPROTO_IPV6, lens[i]);
		KUNIT_ASSERT_EQ(test, 0, smtprl_pfx_key_init(&sp.key, NFPROTO_IPV6, &p,
							     lens[i], NULL));
		KUNIT_ASSERT_EQ(test, 0, smtprl_exempt_add(s, &sp, false, T0, NULL));
		KUNIT_EXPECT_TRUE(test, smtprl_pfxset_uses_len(s, NFPROTO_IPV6, lens[i]));
	}
	KUNIT_EXPECT_FALSE(test, smtprl_pfxset_uses_len(s, NFPROTO_IPV6, 127));
	other = host;
	other.v6.s6_addr32[3] = htonl(0x26);	/* same /64, other host */
	rcu_read_lock();
	hit[0] = smtprl_exempt_match(s, NFPROTO_IPV6, &host, T0);
	hit[1] = smtprl_exempt_match(s, NFPROTO_IPV6, &other, T0);
	other.v6.s6_addr32[0] = htonl(0x20010db9);	/* only ::/0 covers it */
	hit[2] = smtprl_exempt_match(s, NFPROTO_IPV6, &other, T0);
	rcu_read_unlock();
	KUNIT_ASSERT_NOT_NULL(test, hit[0]);
	KUNIT_ASSERT_NOT_NULL(test, hit[1]);
	KUNIT_ASSERT_NOT_NULL(test, hit[2]);
	KUNIT_EXPECT_EQ(test, (u8)128, hit[0]->pfx.key.plen);
	KUNIT_EXPECT_EQ(test, (u8)64, hit[1]->pfx.key.plen);
	KUNIT_EXPECT_EQ(test, (u8)0, hit[2]->pfx.key.plen);
}

/* Flip bit @bit (0: the most significant) of @a. */
static void flip(union smtprl_addr *a, unsigned int bit)
{
	a->v6.s6_addr[bit / 8] ^= 0x80 >> (bit % 8);
}

/*
 * Every length of both families, alone in the set: the prefix covers an
 * address whatever its host bits (the first of them flipped), and not once
 * its last prefix bit is flipped. The match masks word by word.
 */
static void every_length_masks_exactly(struct kunit *test)
{
	struct smtprl_pfxset *s = test->priv;
	union smtprl_addr host = {}, a;
	unsigned int fam, len, max, i;
	struct smtprl_pfx *hit[3];

	for (i = 0; i < 16; i++)
		host.v6.s6_addr[i] = 0xa5 ^ (i * 37);
	for (fam = 0; fam < 2; fam++) {
		u8 family = fam ? NFPROTO_IPV6 : NFPROTO_IPV4;

		max = fam ? 128 : 32;
		for (len = 0; len <= max; len++) {
			struct smtprl_exempt_spec sp = {};
			union smtprl_addr p = {};

			if (!fam)
				memset(&host.v6.s6_addr[4], 0, 12);
			smtprl_addr_mask(&p, &host, family, len);
			KUNIT_ASSERT_EQ(test, 0,
					smtprl_pfx_key_init(&sp.key, family, &p, len, NULL));
			KUNIT_ASSERT_EQ(test, 0, smtprl_exempt_add(s, &sp, false, T0, NULL));
			rcu_read_lock();
			hit[0] = smtprl_pfxset_match(s, family, &host);
			a = host;
			if (len < max)
				flip(&a, len);
			hit[1] = smtprl_pfxset_match(s, family, &a);
			a = host;
			if (len)
				flip(&a, len - 1);
			hit[2] = smtprl_pfxset_match(s, family, &a);
			rcu_read_unlock();
			KUNIT_EXPECT_NOT_NULL_MSG(test, hit[0], "family %u len %u", family, len);
			KUNIT_EXPECT_NOT_NULL_MSG(test, hit[1], "family %u len %u", family, len);
			if (len)
				KUNIT_EXPECT_NULL_MSG(test, hit[2], "family %u len %u",
						      family, len);
			KUNIT_ASSERT_EQ(test, 0, smtprl_exempt_del(s, &sp.key));
		}
	}
}

static void flush_empties_the_set(struct kunit *test)
{
	struct smtprl_pfxset *s = test->priv;
	unsigned int i;

	for (i = 0; i < 20; i++) {
		struct smtprl_exempt_spec sp = spec4(test, 0x0a000000 + (i << 8), 24);

		KUNIT_ASSERT_EQ(test, 0, smtprl_exempt_add(s, &sp, false, T0, NULL));
	}
	KUNIT_EXPECT_EQ(test, 20U, smtprl_exempt_flush(s));
	KUNIT_EXPECT_EQ(test, 0U, s->n);
	KUNIT_EXPECT_FALSE(test, smtprl_pfxset_uses_len(s, NFPROTO_IPV4, 24));
}

static struct kunit_case exempt_cases[] = {
	KUNIT_CASE(longest_prefix_wins),
	KUNIT_CASE(deleting_the_longer_prefix_falls_back),
	KUNIT_CASE(expired_exemption_stops_applying),
	KUNIT_CASE(expiry_gc_waits_for_the_deadline),
	KUNIT_CASE(own_rate_applies_to_the_whole_prefix),
	KUNIT_CASE(unlimited_exemption_counts_but_never_limits),
	KUNIT_CASE(duplicate_needs_replace_which_keeps_counters),
	KUNIT_CASE(invalid_requests_change_nothing),
	KUNIT_CASE(v6_prefixes_match_inside_only),
	KUNIT_CASE(v6_longest_of_many_lengths_wins),
	KUNIT_CASE(every_length_masks_exactly),
	KUNIT_CASE(flush_empties_the_set),
	{}
};

static struct kunit_suite exempt_suite = {
	.name = "smtprl_exempt",
	.init = exempt_init,
	.exit = exempt_exit,
	.test_cases = exempt_cases,
};

kunit_test_suite(exempt_suite);
