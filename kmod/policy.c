// SPDX-License-Identifier: GPL-2.0
/*
 * The policy: defaults, validation, and the derived token-bucket limits.
 * A policy is built completely before it is published; the packet path
 * only ever sees a validated snapshot.
 */

#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/netlink.h>
#include <linux/time64.h>

#include "policy.h"
#include "smtprl.h"

const char *const smtprl_unit_names[__SMTPRL_UNIT_MAX] = {
	[SMTPRL_UNIT_SECOND] = "second",
	[SMTPRL_UNIT_MINUTE] = "minute",
	[SMTPRL_UNIT_HOUR] = "hour",
	[SMTPRL_UNIT_DAY] = "day",
};

const char *const smtprl_action_names[__SMTPRL_ACTION_MAX] = {
	[SMTPRL_ACTION_DROP] = "drop",
	[SMTPRL_ACTION_REJECT] = "reject",
	[SMTPRL_ACTION_MONITOR] = "monitor",
};

const char *const smtprl_full_names[__SMTPRL_WHEN_FULL_MAX] = {
	[SMTPRL_WHEN_FULL_ACCEPT] = "accept",
	[SMTPRL_WHEN_FULL_DROP] = "drop",
};

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
	*cfg = (struct smtprl_policy_cfg) {
		.rate = 10,
		.rate_unit = SMTPRL_UNIT_MINUTE,
		.burst = 20,
		.daily = 500,
		.ports = { 25 },
		.nports = 1,
		.action = SMTPRL_ACTION_DROP,
		.when_full = SMTPRL_WHEN_FULL_ACCEPT,
		.v4_prefix = 32,
		.v6_prefix = 64,
		.max_sources = default_max_sources(),
		.hooks = SMTPRL_HOOKS_PREROUTING,
		.strike_window = 86400,
		.release_after = 3600,
		.quarantine_max = 86400,
		.event_interval = 60,
	};
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_policy_defaults);

static int check_ports(const struct smtprl_policy_cfg *cfg,
		       struct netlink_ext_ack *extack)
{
	unsigned int i, j;

	if (!cfg->nports || cfg->nports > SMTPRL_MAX_PORTS) {
		NL_SET_ERR_MSG_MOD(extack, "port: between 1 and 8 ports");
		return -EINVAL;
	}
	for (i = 0; i < cfg->nports; i++) {
		if (!cfg->ports[i]) {
			NL_SET_ERR_MSG_MOD(extack, "port: port 0 is not a port");
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (cfg->ports[i] == cfg->ports[j]) {
				NL_SET_ERR_MSG_MOD(extack, "port: duplicate port");
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int check_quarantine(const struct smtprl_policy_cfg *cfg,
			    struct netlink_ext_ack *extack)
{
	if (cfg->strikes > SMTPRL_STRIKE_SLOTS) {
		NL_SET_ERR_MSG_MOD(extack, "strikes: must be 0 to 32");
		return -ERANGE;
	}
	if (cfg->strike_window < SMTPRL_STRIKE_SLOTS ||
	    cfg->strike_window > SMTPRL_STRIKE_WINDOW_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "strike-window: must be 32 s to 30 days");
		return -ERANGE;
	}
	if (!cfg->release_after || cfg->release_after > SMTPRL_STRIKE_WINDOW_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "release-after: must be 1 s to 30 days");
		return -ERANGE;
	}
	if (!cfg->quarantine_max || cfg->quarantine_max > SMTPRL_QUARANTINE_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "quarantine-max: must be 1 s to 365 days");
		return -ERANGE;
	}
	if (cfg->fanout_limit >= SMTPRL_FANOUT_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "fanout-limit: must be 0 to 265");
		return -ERANGE;
	}
	if (!cfg->event_interval || cfg->event_interval > 86400) {
		NL_SET_ERR_MSG_MOD(extack, "event-interval: must be 1 s to 1 day");
		return -ERANGE;
	}
	return 0;
}

/**
 * smtprl_policy_build - validate @cfg and derive the limits into @p
 * @p: the policy to fill; its contents are undefined on error
 * @cfg: what the operator asked for
 * @extack: receives "field: reason" for the first invalid field
 */
int smtprl_policy_build(struct smtprl_policy *p,
			const struct smtprl_policy_cfg *cfg,
			struct netlink_ext_ack *extack)
{
	int err;

	if (cfg->rate_unit >= __SMTPRL_UNIT_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "rate: unknown unit");
		return -EINVAL;
	}
	err = smtprl_rate_init(&p->limit.rate, cfg->rate,
			       smtprl_unit_ns(cfg->rate_unit), cfg->burst, extack);
	if (err)
		return err;
	memset(&p->limit.daily, 0, sizeof(p->limit.daily));
	if (cfg->daily) {
		/* A day's worth: the cap is N per day, whatever the spread. */
		err = smtprl_rate_init(&p->limit.daily, cfg->daily,
				       smtprl_unit_ns(SMTPRL_UNIT_DAY),
				       cfg->daily, extack);
		if (err) {
			NL_SET_ERR_MSG_MOD(extack, "daily: value too large");
			return err;
		}
	}
	err = check_ports(cfg, extack);
	if (err)
		return err;
	if (cfg->action >= __SMTPRL_ACTION_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "action: must be drop, reject or monitor");
		return -EINVAL;
	}
	if (cfg->when_full >= __SMTPRL_WHEN_FULL_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "when-full: must be accept or drop");
		return -EINVAL;
	}
	if (!cfg->v4_prefix || cfg->v4_prefix > 32) {
		NL_SET_ERR_MSG_MOD(extack, "v4-prefix: must be 1 to 32");
		return -EINVAL;
	}
	if (!cfg->v6_prefix || cfg->v6_prefix > 128) {
		NL_SET_ERR_MSG_MOD(extack, "v6-prefix: must be 1 to 128");
		return -EINVAL;
	}
	if (!cfg->max_sources || cfg->max_sources > SMTPRL_MAX_SOURCES_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "max-sources: must be 1 to 16777216");
		return -ERANGE;
	}
	if (!cfg->hooks || cfg->hooks & ~SMTPRL_HOOKS_ALL) {
		NL_SET_ERR_MSG_MOD(extack, "hooks: prerouting and/or output");
		return -EINVAL;
	}
	err = check_quarantine(cfg, extack);
	if (err)
		return err;
	p->cfg = *cfg;
	p->q = (struct smtprl_qcfg) {
		.strikes = cfg->strikes,
		.fanout = cfg->fanout_limit,
		.slot_ns = div_u64((u64)cfg->strike_window * NSEC_PER_SEC,
				   SMTPRL_STRIKE_SLOTS),
		.release_ns = (u64)cfg->release_after * NSEC_PER_SEC,
		.max_ns = (u64)cfg->quarantine_max * NSEC_PER_SEC,
	};
	p->event_ns = (u64)cfg->event_interval * NSEC_PER_SEC;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_policy_build);

/* Is @port (network order) one of the policy's ports? Call under RCU. */
bool smtprl_policy_port(const struct smtprl_policy *p, __be16 port)
{
	u16 h = ntohs(port);
	unsigned int i;

	for (i = 0; i < p->cfg.nports; i++)
		if (p->cfg.ports[i] == h)
			return true;
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_policy_port);
