// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: subscribers. Bindings and longest-prefix match, moves, the cap,
 * linger and redial, all-or-nothing refusals, and GC of a subscriber's
 * state by the subscriber's own limits. Time is an argument.
 */

#include <kunit/test.h>
#include <linux/netfilter.h>

#include "../sub.h"
#include "table_fixture.h"

#define LINGER_NS	(3600ULL * NSEC_PER_SEC)

struct sub_ctx {
	struct table_ctx tc;	/* first: table_exit() and get() take it */
	struct smtprl_subs s;
	unsigned int gone;
	u64 gone_id;
};

static int sub_init(struct kunit *test)
{
	struct sub_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	struct smtprl_policy_cfg cfg;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_EQ(test, 0, smtprl_table_init(&ctx->tc.t));
	smtprl_policy_defaults(&cfg);
	cfg.rate = 10;
	cfg.rate_unit = SMTPRL_UNIT_MINUTE;
	cfg.burst = 2;
	cfg.daily = 0;
	KUNIT_ASSERT_EQ(test, 0, smtprl_policy_build(&ctx->tc.p, &cfg, NULL));
	KUNIT_ASSERT_EQ(test, 0, smtprl_subs_init(&ctx->s));
	test->priv = ctx;
	return 0;
}

static void sub_exit(struct kunit *test)
{
	struct sub_ctx *ctx = test->priv;

	smtprl_subs_destroy(&ctx->s);
	smtprl_table_destroy(&ctx->tc.t);
}

static void gone(void *arg, struct smtprl_sub *sub)
{
	struct sub_ctx *ctx = arg;

	ctx->gone++;
	ctx->gone_id = sub->id;
}

static struct smtprl_pfx_key pfx4(u32 addr, u8 plen)
{
	union smtprl_addr a = { .v4 = htonl(addr) };
	struct smtprl_pfx_key k;

	WARN_ON(smtprl_pfx_key_init(&k, NFPROTO_IPV4, &a, plen, NULL));
	return k;
}

static struct smtprl_pfx_key pfx6(u32 w0, u32 w1, u8 plen)
{
	union smtprl_addr a = {};
	struct smtprl_pfx_key k;

	a.v6.s6_addr32[0] = htonl(w0);
	a.v6.s6_addr32[1] = htonl(w1);
	WARN_ON(smtprl_pfx_key_init(&k, NFPROTO_IPV6, &a, plen, NULL));
	return k;
}

/* A request for @name with @n binds. */
static void req(struct smtprl_sub_req *r, const char *name,
		const struct smtprl_pfx_key *binds, unsigned int n)
{
	memset(r, 0, sizeof(*r));
	WARN_ON(smtprl_sub_name_init(r->name, name, NULL));
	memcpy(r->binds, binds, n * sizeof(*binds));
	r->nbinds = n;
}

static int add(struct sub_ctx *ctx, const char *name,
	       const struct smtprl_pfx_key *binds, unsigned int n, u64 now)
{
	struct smtprl_sub_done done;
	struct smtprl_sub_req r;

	req(&r, name, binds, n);
	return smtprl_sub_add(&ctx->s, &r, 100, LINGER_NS, now, &done, NULL);
}

static struct smtprl_sub *who(struct sub_ctx *ctx, u32 v4)
{
	union smtprl_addr a = { .v4 = htonl(v4) };
	struct smtprl_sub *sub;

	rcu_read_lock();
	sub = smtprl_bind_match(&ctx->s, NFPROTO_IPV4, &a);
	rcu_read_unlock();
	return sub;
}

static struct smtprl_sub *find(struct sub_ctx *ctx, const char *name)
{
	char key[SMTPRL_SUB_NAME_MAX + 1];
	struct smtprl_sub *sub;

	WARN_ON(smtprl_sub_name_init(key, name, NULL));
	rcu_read_lock();
	sub = smtprl_sub_find(&ctx->s, key);
	rcu_read_unlock();
	return sub;
}

/* Both addresses of a session, and only they, name its subscriber. */
static void binds_name_the_subscriber(struct kunit *test)
{
	struct sub_ctx *ctx = test->priv;
	struct smtprl_pfx_key b[] = {
		pfx4(0x64400001, 32), pfx6(0x20010db8, 0x00010000, 56),
	};
	union smtprl_addr a6 = {};
	struct smtprl_sub *sub;

	KUNIT_ASSERT_EQ(test, 0, add(ctx, "alice@isp", b, 2, T0));
	sub = find(ctx, "alice@isp");
	KUNIT_ASSERT_NOT_NULL(test, sub);
	KUNIT_EXPECT_PTR_EQ(test, sub, who(ctx, 0x64400001));
	KUNIT_EXPECT_NULL(test, who(ctx, 0x64400002));
	a6.v6.s6_addr32[0] = htonl(0x20010db8);
	a6.v6.s6_addr32[1] = htonl(0x000100ff);	/* inside the /56 */
	a6.v6.s6_addr32[3] = htonl(1);
	rcu_read_lock();
	KUNIT_EXPECT_PTR_EQ(test, sub, smtprl_bind_match(&ctx->s, NFPROTO_IPV6, &a6));
	a6.v6.s6_addr32[1] = htonl(0x00010100);	/* the next /56 */
	KUNIT_EXPECT_NULL(test, smtprl_bind_match(&ctx->s, NFPROTO_IPV6, &a6));
	KUNIT_EXPECT_PTR_EQ(test, sub, smtprl_sub_by_id(&ctx->s, sub->id));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, 2U, sub->nbinds);
	KUNIT_EXPECT_EQ(test, 1U, ctx->s.n);
	KUNIT_EXPECT_EQ(test, 0U, ctx->s.nlinger);
	/* Adding the same again changes nothing. */
	KUNIT_EXPECT_EQ(test, 0, add(ctx, "alice@isp", b, 2, T0));
	KUNIT_EXPECT_EQ(test, 2U, ctx->s.binds.n);
}

/* The pool hands an address on: the binding moves, the old one lingers. */
static void an_address_moves_to_the_new_session(struct kunit *test)
{
	struct sub_ctx *ctx = test->priv;
	struct smtprl_pfx_key b = pfx4(0x64400001, 32);
	struct smtprl_sub_done done;
	struct smtprl_sub_req r;
	struct smtprl_sub *alice;

	KUNIT_ASSERT_EQ(test, 0, add(ctx, "alice", &b, 1, T0));
	alice = find(ctx, "alice");
	req(&r, "bob", &b, 1);
	KUNIT_ASSERT_EQ(test, 0, smtprl_sub_add(&ctx->s, &r, 100, LINGER_NS, T0,
						&done, NULL));
	KUNIT_EXPECT_EQ(test, 1U, done.moved);
	KUNIT_EXPECT_PTR_EQ(test, find(ctx, "bob"), who(ctx, 0x64400001));
	KUNIT_EXPECT_EQ(test, 0U, alice->nbinds);
	KUNIT_EXPECT_EQ(test, 1U, ctx->s.nlinger);
	KUNIT_EXPECT_EQ(test, 1U, ctx->s.binds.n);
}

/* A session ends; its subscriber is kept for the linger, then forgotten. */
static void linger_keeps_then_forgets(struct kunit *test)
{
	struct sub_ctx *ctx = test->priv;
	struct smtprl_pfx_key b = pfx4(0x64400001, 32);
	struct smtprl_sub *sub;
	char key[SMTPRL_SUB_NAME_MAX + 1];
	u64 id;

	KUNIT_ASSERT_EQ(test, 0, add(ctx, "zombie", &b, 1, T0));
	id = find(ctx, "zombie")->id;
	WARN_ON(smtprl_sub_name_init(key, "zombie", NULL));
	KUNIT_ASSERT_EQ(test, 0, smtprl_sub_end(&ctx->s, key, LINGER_NS, T0, gone, ctx));
	KUNIT_EXPECT_NULL(test, who(ctx, 0x64400001));
	KUNIT_EXPECT_EQ(test, 1U, ctx->s.nlinger);
	KUNIT_EXPECT_EQ(test, 0U, smtprl_subs_expire(&ctx->s, T0 + LINGER_NS - 1,
						     gone, ctx));
	KUNIT_EXPECT_EQ(test, 0U, ctx->gone);
	KUNIT_EXPECT_EQ(test, 1U, smtprl_subs_expire(&ctx->s, T0 + LINGER_NS, gone, ctx));
	KUNIT_EXPECT_EQ(test, 1U, ctx->gone);
	KUNIT_EXPECT_EQ(test, id, ctx->gone_id);
	KUNIT_EXPECT_EQ(test, 0U, ctx->s.n);
	KUNIT_EXPECT_EQ(test, 0U, ctx->s.nlinger);
	sub = find(ctx, "zombie");
	KUNIT_EXPECT_NULL(test, sub);
}

/* A redial within the linger gets the same subscriber: the same state. */
static void redial_takes_the_state_back(struct kunit *test)
{
	struct sub_ctx *ctx = test->priv;
	struct smtprl_pfx_key first = pfx4(0x64400001, 32), second = pfx4(0x64400099, 32);
	char key[SMTPRL_SUB_NAME_MAX + 1];
	u64 id;

	KUNIT_ASSERT_EQ(test, 0, add(ctx, "zombie", &first, 1, T0));
	id = find(ctx, "zombie")->id;
	WARN_ON(smtprl_sub_name_init(key, "zombie", NULL));
	KUNIT_ASSERT_EQ(test, 0, smtprl_sub_end(&ctx->s, key, LINGER_NS, T0, gone, ctx));
	KUNIT_ASSERT_EQ(test, 0, add(ctx, "zombie", &second, 1, T0 + MINUTE_NS));
	KUNIT_EXPECT_EQ(test, id, who(ctx, 0x64400099)->id);
	KUNIT_EXPECT_NULL(test, who(ctx, 0x64400001));
	KUNIT_EXPECT_EQ(test, 0U, ctx->s.nlinger);
	/* Bound again: the old linger's end forgets nothing. */
	KUNIT_EXPECT_EQ(test, 0U, smtprl_subs_expire(&ctx->s, T0 + 2 * LINGER_NS,
						     gone, ctx));
	/* Linger 0: forgotten at once, and told. */
	KUNIT_ASSERT_EQ(test, 0, smtprl_sub_end(&ctx->s, key, 0, T0, gone, ctx));
	KUNIT_EXPECT_EQ(test, 1U, ctx->gone);
	KUNIT_EXPECT_EQ(test, 0U, ctx->s.n);
}

/* At the cap a new name is refused; a known one is not. */
static void the_cap_refuses_new_names_only(struct kunit *test)
{
	struct sub_ctx *ctx = test->priv;
	struct smtprl_pfx_key b1 = pfx4(0x64400001, 32), b2 = pfx4(0x64400002, 32);
	struct smtprl_sub_done done;
	struct smtprl_bad bad = {};
	struct smtprl_sub_req r;

	req(&r, "one", &b1, 1);
	KUNIT_ASSERT_EQ(test, 0, smtprl_sub_add(&ctx->s, &r, 1, LINGER_NS, T0, &done, NULL));
	req(&r, "two", &b2, 1);
	KUNIT_EXPECT_EQ(test, -ENOSPC, smtprl_sub_add(&ctx->s, &r, 1, LINGER_NS, T0,
						      &done, &bad));
	KUNIT_EXPECT_EQ(test, (u16)SMTPRL_A_ENTRY_NAME, bad.attr);
	KUNIT_EXPECT_NULL(test, who(ctx, 0x64400002));
	req(&r, "one", &b2, 1);
	KUNIT_EXPECT_EQ(test, 0, smtprl_sub_add(&ctx->s, &r, 1, LINGER_NS, T0, &done, NULL));
	KUNIT_EXPECT_EQ(test, 1U, ctx->s.n);
	KUNIT_EXPECT_EQ(test, 2U, ctx->s.binds.n);
}

/* Nine binds, a bad name, a foreign unbind: refused, nothing changed. */
static void refusals_change_nothing(struct kunit *test)
{
	struct sub_ctx *ctx = test->priv;
	struct smtprl_pfx_key b[SMTPRL_SUB_BINDS_MAX], extra = pfx4(0x0a000063, 32);
	char key[SMTPRL_SUB_NAME_MAX + 2];
	struct smtprl_sub_done done;
	struct smtprl_bad bad = {};
	struct smtprl_sub_req r;
	unsigned int i;

	for (i = 0; i < SMTPRL_SUB_BINDS_MAX; i++)
		b[i] = pfx4(0x0a000000 + i, 32);
	KUNIT_ASSERT_EQ(test, 0, add(ctx, "full", b, SMTPRL_SUB_BINDS_MAX, T0));
	req(&r, "full", &extra, 1);
	KUNIT_EXPECT_EQ(test, -ENOSPC, smtprl_sub_add(&ctx->s, &r, 100, LINGER_NS, T0,
						      &done, &bad));
	KUNIT_EXPECT_EQ(test, (u16)SMTPRL_A_ENTRY_BIND, bad.attr);
	KUNIT_EXPECT_NULL(test, who(ctx, 0x0a000063));
	/* With replace, eight are fine: one stays, seven go, one comes. */
	r.replace = true;
	r.binds[1] = b[0];
	r.nbinds = 2;
	KUNIT_EXPECT_EQ(test, 0, smtprl_sub_add(&ctx->s, &r, 100, LINGER_NS, T0, &done,
						NULL));
	KUNIT_EXPECT_EQ(test, 2U, ctx->s.binds.n);
	KUNIT_EXPECT_NOT_NULL(test, who(ctx, 0x0a000063));
	KUNIT_EXPECT_NULL(test, who(ctx, 0x0a000001));

	KUNIT_EXPECT_EQ(test, -EINVAL, smtprl_sub_name_init(key, "", NULL));
	KUNIT_EXPECT_EQ(test, -EINVAL, smtprl_sub_name_init(key, "evil\nname", NULL));
	memset(key, 'x', sizeof(key) - 1);
	key[sizeof(key) - 1] = 0;	/* 65 bytes */
	KUNIT_EXPECT_EQ(test, -EINVAL, smtprl_sub_name_init(r.name, key, NULL));
	/* Spaces and quotes are names like any other. */
	KUNIT_EXPECT_EQ(test, 0, smtprl_sub_name_init(key, "o'brien \"x\"", NULL));

	/* Unbinding what is not its own: refused, its bindings stay. */
	WARN_ON(smtprl_sub_name_init(key, "full", NULL));
	b[1] = pfx4(0x0a0000fe, 32);
	KUNIT_EXPECT_EQ(test, -ENOENT, smtprl_sub_unbind(&ctx->s, key, b, 2, LINGER_NS,
							 T0, &bad));
	KUNIT_EXPECT_EQ(test, 2U, ctx->s.binds.n);
	KUNIT_EXPECT_EQ(test, 0, smtprl_sub_unbind(&ctx->s, key, b, 1, LINGER_NS, T0,
						   NULL));
	KUNIT_EXPECT_NULL(test, who(ctx, 0x0a000000));
	KUNIT_EXPECT_EQ(test, 0U, ctx->s.nlinger);
}

/* GC's question, as netns.c answers it: the subscriber's limits. */
static const struct smtprl_limit *lim_of(void *arg, const struct smtprl_entry *e,
					 const struct smtprl_policy *p)
{
	struct sub_ctx *ctx = arg;
	struct smtprl_sub *sub = smtprl_sub_by_id(&ctx->s, smtprl_sub_id(e->addr));

	return sub ? smtprl_sub_charged(sub, p) : NULL;
}

/* An own rate is what its state is charged by and judged full by. */
static void own_rate_is_charged_and_collected(struct kunit *test)
{
	struct sub_ctx *ctx = test->priv;
	struct smtprl_pfx_key b = pfx4(0x64400001, 32);
	const struct smtprl_limit *lim;
	struct smtprl_sub_done done;
	struct smtprl_outcome o;
	struct smtprl_sub_req r;
	struct smtprl_entry *e;
	struct smtprl_sub *sub;
	struct smtprl_key k;
	union smtprl_addr d = {};
	int i, allowed = 0;

	req(&r, "shop", &b, 1);
	r.set_mode = true;
	r.mode = SMTPRL_SUB_MODE_OWN;
	r.rate = 100;
	r.rate_unit = SMTPRL_UNIT_HOUR;
	KUNIT_ASSERT_EQ(test, 0, smtprl_sub_add(&ctx->s, &r, 100, LINGER_NS, T0, &done,
						NULL));
	sub = find(ctx, "shop");
	smtprl_sub_key(&k, sub->id);
	rcu_read_lock();
	lim = smtprl_sub_limit(sub, &ctx->tc.p);
	e = smtprl_table_get(&ctx->tc.t, &k, lim, 100, T0);
	KUNIT_ASSERT_NOT_NULL(test, e);
	for (i = 0; i < 150; i++)
		allowed += smtprl_entry_attempt(&ctx->tc.t, e, &ctx->tc.p, lim, T0,
						NFPROTO_IPV6, &d, &o) == SMTPRL_ALLOW;
	rcu_read_unlock();
	/* Its burst (one hour's worth), not the policy's 2. */
	KUNIT_EXPECT_EQ(test, 100, allowed);
	/*
	 * An hour idle refills the policy's 2 many times over, not its 100:
	 * GC asked for its limits keeps it (the same at every earlier time).
	 */
	KUNIT_EXPECT_EQ(test, 0U, smtprl_table_gc(&ctx->tc.t, &ctx->tc.p,
						  T0 + 30 * MINUTE_NS, SMTPRL_GC_IDLE_NS,
						  100, NULL, lim_of, ctx));
	KUNIT_EXPECT_EQ(test, 1, atomic_read(&ctx->tc.t.count));
	/* Full again after an hour: forgotten, nothing lost. */
	KUNIT_EXPECT_EQ(test, 1U, smtprl_table_gc(&ctx->tc.t, &ctx->tc.p,
						  T0 + 61 * MINUTE_NS, SMTPRL_GC_IDLE_NS,
						  100, NULL, lim_of, ctx));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&ctx->tc.t.count));
}

/* A state whose subscriber is gone is an orphan: forgotten once idle. */
static void orphans_are_forgotten(struct kunit *test)
{
	struct sub_ctx *ctx = test->priv;
	struct smtprl_entry *e;
	struct smtprl_key k;

	smtprl_sub_key(&k, 12345);
	rcu_read_lock();
	e = smtprl_table_get(&ctx->tc.t, &k, &ctx->tc.p.limit, 100, T0);
	KUNIT_ASSERT_NOT_NULL(test, e);
	smtprl_entry_take(e, &ctx->tc.p.limit, T0);
	rcu_read_unlock();
	/* Not full yet: an address's state would stay. */
	KUNIT_EXPECT_EQ(test, 1U, smtprl_table_gc(&ctx->tc.t, &ctx->tc.p,
						  T0 + SMTPRL_GC_IDLE_NS, SMTPRL_GC_IDLE_NS,
						  100, NULL, lim_of, ctx));
	KUNIT_EXPECT_EQ(test, 0, atomic_read(&ctx->tc.t.count));
}

static struct kunit_case sub_cases[] = {
	KUNIT_CASE(binds_name_the_subscriber),
	KUNIT_CASE(an_address_moves_to_the_new_session),
	KUNIT_CASE(linger_keeps_then_forgets),
	KUNIT_CASE(redial_takes_the_state_back),
	KUNIT_CASE(the_cap_refuses_new_names_only),
	KUNIT_CASE(refusals_change_nothing),
	KUNIT_CASE(own_rate_is_charged_and_collected),
	KUNIT_CASE(orphans_are_forgotten),
	{}
};

static struct kunit_suite sub_suite = {
	.name = "smtprl_sub",
	.init = sub_init,
	.exit = sub_exit,
	.test_cases = sub_cases,
};

kunit_test_suite(sub_suite);
