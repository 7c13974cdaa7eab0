/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_HOOK_H
#define _SMTPRL_HOOK_H

#include <linux/types.h>

struct smtprl_net;

/*
 * The packet path (hook.c): the rest of the module only switches its
 * netfilter hooks on and off; nothing calls into it otherwise.
 */
int smtprl_hooks_sync(struct smtprl_net *sn, u32 want);

#endif /* _SMTPRL_HOOK_H */
