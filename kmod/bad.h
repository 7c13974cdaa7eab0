/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_BAD_H
#define _SMTPRL_BAD_H

#include <linux/types.h>

/*
 * Why the core refused a request: the attribute at fault and a reason
 * that names it as the spec does. The core knows nothing of netlink
 * messages; the netlink layer points the extack at the attribute, if the
 * request carried it, and module loading names the parameter.
 */
struct smtprl_bad {
	u16 attr;		/* SMTPRL_A_*; 0: no one attribute */
	const char *msg;	/* static: "smtprl: name: reason" */
};

static inline int __smtprl_refuse(struct smtprl_bad *bad, u16 attr,
				  const char *msg, int err)
{
	if (bad) {
		bad->attr = attr;
		bad->msg = msg;
	}
	return err;
}

/* Refuse with @err, blaming @attr: "return smtprl_refuse(...);". */
#define smtprl_refuse(bad, attr, text, err) \
	__smtprl_refuse(bad, attr, KBUILD_MODNAME ": " text, err)

#endif /* _SMTPRL_BAD_H */
