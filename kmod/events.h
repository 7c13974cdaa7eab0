/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_EVENTS_H
#define _SMTPRL_EVENTS_H

#include <linux/types.h>

struct genl_family;
struct smtprl_conn;
struct smtprl_exempt;
struct smtprl_net;
struct smtprl_snap;

/*
 * Events: multicast on the family's "events" group, best effort, never
 * sleeping. The packet path, GC and request handlers all send them; the
 * family is handed in by main.c, so nothing here calls up into netlink.
 */
void smtprl_events_start(const struct genl_family *family);
void smtprl_events_stop(void);
void smtprl_notify_source(struct smtprl_net *sn, u8 cmd,
			  const struct smtprl_snap *s, u8 why, u64 now_ns);
void smtprl_notify_exempt_expired(struct smtprl_net *sn,
				  struct smtprl_exempt *ex, u64 now_ns);
void smtprl_notify_table_full(struct smtprl_net *sn,
			      const struct smtprl_conn *c, u64 now_ns,
			      u64 interval_ns);

#endif /* _SMTPRL_EVENTS_H */
