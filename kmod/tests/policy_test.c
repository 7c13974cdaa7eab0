// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: policy validation, defaults and the limits derived from them.
 */

#include <kunit/test.h>
#include <linux/minmax.h>
#include <linux/mm.h>

#include "../policy.h"

static struct smtprl_policy_cfg cfg_default(void)
{
	struct smtprl_policy_cfg cfg;

	smtprl_policy_defaults(&cfg);
	return cfg;
}

/* Build @cfg; on failure the message must name @field, and blame it. */
static int build(struct kunit *test, const struct smtprl_policy_cfg *cfg,
		 const char *field)
{
	struct smtprl_bad bad = {};
	struct smtprl_policy p = {};
	int err = smtprl_policy_build(&p, cfg, &bad);

	if (err && field) {
		const struct smtprl_field *f = smtprl_policy_field(bad.attr);
		size_t len = strcspn(field, ":");

		KUNIT_EXPECT_NOT_NULL_MSG(test, f, "no field blamed for %s", field);
		if (f)
			KUNIT_EXPECT_EQ_MSG(test, 0, strncmp(f->name, field, len),
					    "%s blamed for %s", f->name, field);
		KUNIT_EXPECT_NOT_NULL(test, bad.msg);
		if (bad.msg)
			KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(bad.msg, field),
						  "message \"%s\" should name %s",
						  bad.msg, field);
	}
	return err;
}

static void defaults_are_valid_and_documented(struct kunit *test)
{
	struct smtprl_policy_cfg cfg = cfg_default();
	struct smtprl_policy p = {};

	KUNIT_ASSERT_EQ(test, 0, smtprl_policy_build(&p, &cfg, NULL));
	KUNIT_EXPECT_EQ(test, 10U, cfg.rate);
	KUNIT_EXPECT_EQ(test, (u8)SMTPRL_UNIT_MINUTE, cfg.rate_unit);
	KUNIT_EXPECT_EQ(test, 20U, cfg.burst);
	KUNIT_EXPECT_EQ(test, 500U, cfg.daily);
	KUNIT_EXPECT_EQ(test, (u8)1, cfg.nports);
	KUNIT_EXPECT_EQ(test, (u16)25, cfg.ports[0]);
	KUNIT_EXPECT_EQ(test, (u8)SMTPRL_ACTION_DROP, cfg.action);
	KUNIT_EXPECT_EQ(test, (u8)32, cfg.v4_prefix);
	KUNIT_EXPECT_EQ(test, (u8)64, cfg.v6_prefix);
	/* 1/256 of RAM at 128 bytes a source, between 1024 and 4M. */
	KUNIT_EXPECT_EQ(test, (u64)cfg.max_sources,
			clamp_t(u64, ((u64)totalram_pages() << PAGE_SHIFT) / (256 * 128),
				1024, 1U << 22));
	/* 10/minute: 6 s a connection, 20 of them. */
	KUNIT_EXPECT_EQ(test, 6ULL * NSEC_PER_SEC, p.limit.rate.cost_ns);
	KUNIT_EXPECT_EQ(test, 120ULL * NSEC_PER_SEC, p.limit.rate.size_ns);
}

static void extremes_of_rate_are_valid(struct kunit *test)
{
	struct smtprl_policy_cfg cfg = cfg_default();

	cfg.rate = 1;
	cfg.rate_unit = SMTPRL_UNIT_DAY;
	cfg.burst = 1;
	KUNIT_EXPECT_EQ(test, 0, build(test, &cfg, NULL));
	cfg.rate = 1000000;
	cfg.rate_unit = SMTPRL_UNIT_SECOND;
	cfg.burst = 1000000;
	KUNIT_EXPECT_EQ(test, 0, build(test, &cfg, NULL));
}

static void bad_values_are_rejected_with_the_field_named(struct kunit *test)
{
	struct smtprl_policy_cfg cfg;

	cfg = cfg_default();
	cfg.rate = 0;
	KUNIT_EXPECT_NE(test, 0, build(test, &cfg, "rate"));
	cfg = cfg_default();
	cfg.rate_unit = __SMTPRL_UNIT_MAX;
	KUNIT_EXPECT_NE(test, 0, build(test, &cfg, "rate"));
	cfg = cfg_default();
	cfg.burst = 0;
	KUNIT_EXPECT_NE(test, 0, build(test, &cfg, "burst"));
	cfg = cfg_default();
	cfg.rate = 1;
	cfg.rate_unit = SMTPRL_UNIT_DAY;
	cfg.burst = U32_MAX;	/* a day of credit each: > 2^64 ns */
	KUNIT_EXPECT_EQ(test, -ERANGE, build(test, &cfg, "burst"));
	cfg = cfg_default();
	cfg.action = __SMTPRL_ACTION_MAX;
	KUNIT_EXPECT_NE(test, 0, build(test, &cfg, "action"));
	cfg = cfg_default();
	cfg.when_full = __SMTPRL_WHEN_FULL_MAX;
	KUNIT_EXPECT_NE(test, 0, build(test, &cfg, "when-full"));
	cfg = cfg_default();
	cfg.v4_prefix = 33;
	KUNIT_EXPECT_NE(test, 0, build(test, &cfg, "v4-prefix"));
	cfg = cfg_default();
	cfg.v6_prefix = 0;
	KUNIT_EXPECT_NE(test, 0, build(test, &cfg, "v6-prefix"));
	cfg = cfg_default();
	cfg.max_sources = 0;
	KUNIT_EXPECT_NE(test, 0, build(test, &cfg, "max-sources"));
	cfg = cfg_default();
	cfg.hooks = 0;
	KUNIT_EXPECT_NE(test, 0, build(test, &cfg, "hooks"));
	cfg = cfg_default();
	cfg.hooks = 0x80;
	KUNIT_EXPECT_NE(test, 0, build(test, &cfg, "hooks"));
}

static void ports_are_checked(struct kunit *test)
{
	struct smtprl_policy_cfg cfg;

	cfg = cfg_default();
	cfg.nports = 0;
	KUNIT_EXPECT_NE(test, 0, build(test, &cfg, "port:"));
	cfg = cfg_default();
	cfg.nports = SMTPRL_MAX_PORTS + 1;
	KUNIT_EXPECT_NE(test, 0, build(test, &cfg, "port:"));
	cfg = cfg_default();
	cfg.ports[1] = 25;
	cfg.nports = 2;
	KUNIT_EXPECT_NE(test, 0, build(test, &cfg, "port:"));
	cfg = cfg_default();
	cfg.ports[0] = 0;
	KUNIT_EXPECT_NE(test, 0, build(test, &cfg, "port:"));
	cfg = cfg_default();
	cfg.ports[1] = 465;
	cfg.ports[2] = 2525;
	cfg.nports = 3;
	KUNIT_EXPECT_EQ(test, 0, build(test, &cfg, NULL));
}

static void port_set_matches_network_order(struct kunit *test)
{
	struct smtprl_policy_cfg cfg = cfg_default();
	struct smtprl_policy p = {};

	cfg.ports[1] = 2525;
	cfg.nports = 2;
	KUNIT_ASSERT_EQ(test, 0, smtprl_policy_build(&p, &cfg, NULL));
	KUNIT_EXPECT_TRUE(test, smtprl_policy_port(&p, htons(25)));
	KUNIT_EXPECT_TRUE(test, smtprl_policy_port(&p, htons(2525)));
	KUNIT_EXPECT_FALSE(test, smtprl_policy_port(&p, htons(587)));
	/*
	 * 25 with its bytes the other way round, port 6400: what a set kept in
	 * host order would match on a little-endian CPU. (A bare 25, as this
	 * test had it, is htons(25) itself on a big-endian one.)
	 */
	KUNIT_EXPECT_FALSE(test, smtprl_policy_port(&p, htons(25 << 8)));
}

static void daily_off_means_no_daily_bucket(struct kunit *test)
{
	struct smtprl_policy_cfg cfg = cfg_default();
	struct smtprl_policy p = {};

	cfg.daily = 0;
	KUNIT_ASSERT_EQ(test, 0, smtprl_policy_build(&p, &cfg, NULL));
	KUNIT_EXPECT_EQ(test, 0ULL, p.limit.daily.cost_ns);
	cfg.daily = 500;
	KUNIT_ASSERT_EQ(test, 0, smtprl_policy_build(&p, &cfg, NULL));
	KUNIT_EXPECT_EQ(test, 86400ULL * NSEC_PER_SEC, p.limit.daily.size_ns);
}

static struct kunit_case policy_cases[] = {
	KUNIT_CASE(defaults_are_valid_and_documented),
	KUNIT_CASE(extremes_of_rate_are_valid),
	KUNIT_CASE(bad_values_are_rejected_with_the_field_named),
	KUNIT_CASE(ports_are_checked),
	KUNIT_CASE(port_set_matches_network_order),
	KUNIT_CASE(daily_off_means_no_daily_bucket),
	{}
};

static struct kunit_suite policy_suite = {
	.name = "smtprl_policy",
	.test_cases = policy_cases,
};

kunit_test_suite(policy_suite);
