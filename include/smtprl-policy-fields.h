/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * The policy's fields: the one table of them, for the kernel (netlink
 * get and set, validation, defaults, /proc/net/smtprl/policy) and for
 * smtprlctl (policy set, show, JSON, save). Not a header: the includer
 * defines SMTPRL_FIELD(ATTR, member, kind, default) and includes this
 * file where it wants the rows.
 *
 *   ATTR     SMTPRL_A_POLICY_<ATTR>; the field's name, wire width and
 *            range are the spec's (<linux/smtprl-names.h>:
 *            SMTPRL_POLICY_<ATTR>_*)
 *   member   where struct smtprl_policy_cfg keeps it (kernel), as wide
 *            as the attribute (ports: a list of them)
 *   kind     how people write and read it (enum smtprl_field_kind)
 *   default  its value in a new network namespace (max_sources' 0: sized
 *            from RAM)
 *
 * Rows are in the order /proc, show and save list them. "enabled" is the
 * namespace's state, not the policy's: the code around this table lists
 * it first (save: last). Adding a field: the spec, a row here, a member
 * of struct smtprl_policy_cfg, the docs.
 */
SMTPRL_FIELD(RATE,		rate,		RATE,		10)
SMTPRL_FIELD(RATE_UNIT,		rate_unit,	UNIT,		SMTPRL_UNIT_MINUTE)
SMTPRL_FIELD(BURST,		burst,		COUNT,		20)
SMTPRL_FIELD(DAILY,		daily,		DAILY,		500)
SMTPRL_FIELD(PORT,		ports,		PORTS,		25)
SMTPRL_FIELD(ACTION,		action,		ACTION,		SMTPRL_ACTION_DROP)
SMTPRL_FIELD(WHEN_FULL,		when_full,	WHEN_FULL,	SMTPRL_WHEN_FULL_ACCEPT)
SMTPRL_FIELD(V4_PREFIX,		v4_prefix,	COUNT,		32)
SMTPRL_FIELD(V6_PREFIX,		v6_prefix,	COUNT,		64)
SMTPRL_FIELD(MAX_SOURCES,	max_sources,	COUNT,		0)
SMTPRL_FIELD(HOOKS,		hooks,		HOOKS,		SMTPRL_HOOKS_PREROUTING)
SMTPRL_FIELD(STRIKES,		strikes,	COUNT,		0)
SMTPRL_FIELD(STRIKE_WINDOW,	strike_window,	SECONDS,	86400)
SMTPRL_FIELD(RELEASE_AFTER,	release_after,	SECONDS,	3600)
SMTPRL_FIELD(QUARANTINE_MAX,	quarantine_max,	SECONDS,	86400)
SMTPRL_FIELD(FANOUT_LIMIT,	fanout_limit,	COUNT,		0)
SMTPRL_FIELD(EVENT_INTERVAL,	event_interval,	SECONDS,	60)
SMTPRL_FIELD(MAX_SUBSCRIBERS,	max_subscribers, COUNT,		262144)
SMTPRL_FIELD(SUBSCRIBER_LINGER,	subscriber_linger, SECONDS,	86400)
