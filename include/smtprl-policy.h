/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * The policy's fields, as the kernel and smtprlctl both read them: the
 * kinds of field here, the fields themselves in smtprl-policy-fields.h.
 */
#ifndef _SMTPRL_POLICY_KINDS_H
#define _SMTPRL_POLICY_KINDS_H

/* How people write and read a field (smtprlctl, /proc). */
enum smtprl_field_kind {
	SMTPRL_KIND_COUNT,	/* a number */
	SMTPRL_KIND_SECONDS,	/* a duration: N[s|m|h|d] in, seconds out */
	SMTPRL_KIND_RATE,	/* N/unit, with the RATE_UNIT row */
	SMTPRL_KIND_UNIT,	/* written and read with the rate */
	SMTPRL_KIND_DAILY,	/* a number, or "off" for 0 */
	SMTPRL_KIND_PORTS,	/* a comma-separated list, one attribute each */
	SMTPRL_KIND_ACTION,	/* a word of SMTPRL_ACTION_NAMES */
	SMTPRL_KIND_WHEN_FULL,	/* a word of SMTPRL_WHEN_FULL_NAMES */
	SMTPRL_KIND_HOOKS,	/* words of SMTPRL_HOOKS_NAMES, comma-separated */
};

#endif /* _SMTPRL_POLICY_KINDS_H */
