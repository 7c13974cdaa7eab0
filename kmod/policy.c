// SPDX-License-Identifier: GPL-2.0
/*
 * The policy: defaults, validation, and the derived token-bucket limits.
 * A policy is built completely before it is published; the packet path
 * only ever sees a validated snapshot.
 */

#include <linux/inetdevice.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/time64.h>
#include <net/ipv6.h>

#include "policy.h"
#include "smtprl.h"

const char *const smtprl_unit_names[__SMTPRL_UNIT_MAX] = SMTPRL_UNIT_NAMES;
const char *const smtprl_action_names[__SMTPRL_ACTION_MAX] = SMTPRL_ACTION_NAMES;
const char *const smtprl_full_names[__SMTPRL_WHEN_FULL_MAX] = SMTPRL_WHEN_FULL_NAMES;
static_assert(SMTPRL_UNIT_COUNT == __SMTPRL_UNIT_MAX);
static_assert(SMTPRL_ACTION_COUNT == __SMTPRL_ACTION_MAX);
static_assert(SMTPRL_WHEN_FULL_COUNT == __SMTPRL_WHEN_FULL_MAX);

#define SMTPRL_FIELD(a, member, k, d) {				\
	.name = SMTPRL_POLICY_##a##_NAME,				\
	.key = SMTPRL_POLICY_##a##_KEY,					\
	.range = KBUILD_MODNAME ": " SMTPRL_POLICY_##a##_RANGE,		\
	.min = SMTPRL_POLICY_##a##_MIN,					\
	.max = SMTPRL_POLICY_##a##_MAX,					\
	.def = (d),							\
	.attr = SMTPRL_A_POLICY_##a,					\
	.offset = offsetof(struct smtprl_policy_cfg, member),		\
	.width = SMTPRL_POLICY_##a##_WIDTH,				\
	.kind = SMTPRL_KIND_##k,					\
},

const struct smtprl_field smtprl_policy_fields[] = {
#include "smtprl-policy-fields.h"
};

#undef SMTPRL_FIELD

const unsigned int smtprl_policy_nfields = ARRAY_SIZE(smtprl_policy_fields);

/* Every member is as wide as its attribute (ports: a list of them). */
#define SMTPRL_FIELD(a, member, k, d) {					\
	.check = sizeof(d) + BUILD_BUG_ON_ZERO(				\
		SMTPRL_KIND_##k != SMTPRL_KIND_PORTS &&			\
		sizeof_field(struct smtprl_policy_cfg, member) !=	\
		SMTPRL_POLICY_##a##_WIDTH),				\
},

static const struct { u8 check; } widths[] __maybe_unused = {
#include "smtprl-policy-fields.h"
};

#undef SMTPRL_FIELD

/* smtprl_limit_event_due() divides by the event interval. */
static_assert(SMTPRL_POLICY_EVENT_INTERVAL_MIN >= 1);
/* The spec's ranges are what the quarantine code can hold. */
static_assert(SMTPRL_POLICY_STRIKES_MAX == SMTPRL_STRIKE_SLOTS);
static_assert(SMTPRL_POLICY_STRIKE_WINDOW_MIN >= SMTPRL_STRIKE_SLOTS);
static_assert(SMTPRL_POLICY_FANOUT_LIMIT_MAX < SMTPRL_FANOUT_MAX);

/* The row of policy attribute @attr, or NULL ("enabled" is no field). */
const struct smtprl_field *smtprl_policy_field(u16 attr)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(smtprl_policy_fields); i++)
		if (smtprl_policy_fields[i].attr == attr)
			return &smtprl_policy_fields[i];
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_policy_field);

/* A field's value; not for ports, which are a list. */
u32 smtprl_field_get(const struct smtprl_policy_cfg *cfg,
		     const struct smtprl_field *f)
{
	const void *m = (const char *)cfg + f->offset;

	switch (f->width) {
	case 1:
		return *(const u8 *)m;
	case 2:
		return *(const u16 *)m;
	default:
		return *(const u32 *)m;
	}
}

/* Set a field; not ports. The attribute's width: nothing is cut. */
void smtprl_field_set(struct smtprl_policy_cfg *cfg,
		      const struct smtprl_field *f, u32 v)
{
	void *m = (char *)cfg + f->offset;

	switch (f->width) {
	case 1:
		*(u8 *)m = v;
		break;
	case 2:
		*(u16 *)m = v;
		break;
	default:
		*(u32 *)m = v;
	}
}

u64 smtprl_unit_ns(enum smtprl_unit unit)
{
	/* NSEC_PER_SEC is a long: 32 bits on a home router. */
	static const u64 ns[__SMTPRL_UNIT_MAX] = {
		[SMTPRL_UNIT_SECOND] = NSEC_PER_SEC,
		[SMTPRL_UNIT_MINUTE] = 60ULL * NSEC_PER_SEC,
		[SMTPRL_UNIT_HOUR] = 3600ULL * NSEC_PER_SEC,
		[SMTPRL_UNIT_DAY] = 86400ULL * NSEC_PER_SEC,
	};

	return unit < __SMTPRL_UNIT_MAX ? ns[unit] : 0;
}

/*
 * Default cap on tracked sources: 1/256 of RAM at 128 bytes a source, so a
 * 512 MiB CPE tracks 16k sources and a 16 GiB BRAS 512k; clamped to
 * [1024, 4M]. A spoofed flood can never take more than that.
 */
static u32 default_max_sources(void)
{
	u64 bytes = (u64)totalram_pages() << PAGE_SHIFT;

	return clamp_t(u64, bytes / 256 / 128, 1024, 1U << 22);
}

void smtprl_policy_defaults(struct smtprl_policy_cfg *cfg)
{
	const struct smtprl_field *f;

	memset(cfg, 0, sizeof(*cfg));
	for (f = smtprl_policy_fields; f < smtprl_policy_fields + smtprl_policy_nfields; f++) {
		if (f->kind == SMTPRL_KIND_PORTS) {
			cfg->ports[0] = f->def;
			cfg->nports = 1;
		} else {
			smtprl_field_set(cfg, f, f->def);
		}
	}
	if (!cfg->max_sources)
		cfg->max_sources = default_max_sources();
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_policy_defaults);

static int check_ports(const struct smtprl_policy_cfg *cfg,
		       struct smtprl_bad *bad)
{
	unsigned int i, j;

	if (!cfg->nports || cfg->nports > SMTPRL_MAX_PORTS)
		return smtprl_refuse(bad, SMTPRL_A_POLICY_PORT, "port: between 1 and 8 ports",
				     -EINVAL);
	for (i = 0; i < cfg->nports; i++) {
		if (!cfg->ports[i])
			return smtprl_refuse(bad, SMTPRL_A_POLICY_PORT,
					     "port: port 0 is not a port", -EINVAL);
		for (j = 0; j < i; j++)
			if (cfg->ports[i] == cfg->ports[j])
				return smtprl_refuse(bad, SMTPRL_A_POLICY_PORT,
						     "port: duplicate port", -EINVAL);
	}
	return 0;
}

static const struct in6_addr all_ones = {
	.s6_addr = { [0 ... 15] = 0xff },
};

/**
 * smtprl_policy_build - validate @cfg and derive the limits into @p
 * @p: the policy to fill; its contents are undefined on error
 * @cfg: what the operator asked for
 * @bad: the first field refused, and why
 *
 * Every field is checked against its range in the spec (the same checks
 * netlink's policy makes, for module parameters and for KUnit); then the
 * rates, which must fit in ns of credit, and the ports.
 */
int smtprl_policy_build(struct smtprl_policy *p,
			const struct smtprl_policy_cfg *cfg,
			struct smtprl_bad *bad)
{
	const struct smtprl_field *f;
	int err;
	u32 v;

	for (f = smtprl_policy_fields; f < smtprl_policy_fields + smtprl_policy_nfields; f++) {
		if (f->kind == SMTPRL_KIND_PORTS || f->kind == SMTPRL_KIND_RATE)
			continue;	/* below */
		v = smtprl_field_get(cfg, f);
		if (v < f->min || v > f->max)
			return __smtprl_refuse(bad, f->attr, f->range, -ERANGE);
	}
	err = smtprl_rate_init(&p->limit.rate, cfg->rate,
			       smtprl_unit_ns(cfg->rate_unit), cfg->burst,
			       SMTPRL_A_POLICY_RATE, SMTPRL_A_POLICY_BURST, bad);
	if (err)
		return err;
	memset(&p->limit.daily, 0, sizeof(p->limit.daily));
	/* A day's worth: the cap is N per day, whatever the spread. */
	if (cfg->daily &&
	    smtprl_rate_init(&p->limit.daily, cfg->daily,
			     smtprl_unit_ns(SMTPRL_UNIT_DAY), cfg->daily,
			     SMTPRL_A_POLICY_DAILY, SMTPRL_A_POLICY_DAILY, NULL))
		return smtprl_refuse(bad, SMTPRL_A_POLICY_DAILY, "daily: value too large",
				     -ERANGE);
	err = check_ports(cfg, bad);
	if (err)
		return err;
	p->cfg = *cfg;
	p->q = (struct smtprl_qcfg) {
		.strikes = cfg->strikes,
		.fanout = cfg->fanout_limit,
		.fanout_bits = smtprl_fanout_bits(cfg->fanout_limit),
		.slot_ns = div_u64((u64)cfg->strike_window * NSEC_PER_SEC,
				   SMTPRL_STRIKE_SLOTS),
		.release_ns = (u64)cfg->release_after * NSEC_PER_SEC,
		.max_ns = (u64)cfg->quarantine_max * NSEC_PER_SEC,
	};
	p->event_ns = (u64)cfg->event_interval * NSEC_PER_SEC;
	p->v4_mask = inet_make_mask(cfg->v4_prefix);
	ipv6_addr_prefix(&p->v6_mask, &all_ones, cfg->v6_prefix);
	p->strikes_on = cfg->strikes || cfg->fanout_limit;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_policy_build);

