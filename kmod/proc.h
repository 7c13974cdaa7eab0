/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_PROC_H
#define _SMTPRL_PROC_H

struct net;
struct smtprl_net;

int smtprl_proc_init(struct net *net, struct smtprl_net *sn);
void smtprl_proc_exit(struct net *net);

#endif /* _SMTPRL_PROC_H */
