// SPDX-License-Identifier: GPL-2.0
/*
 * smtprl: per-subscriber rate limiting of new outbound SMTP connections.
 *
 * main.c only orchestrates: per-netns state setup and teardown, in order.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/proc_fs.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "smtprl.h"

static unsigned int smtprl_net_id __read_mostly;

struct smtprl_net {
	struct proc_dir_entry *proc_dir;
};

static int __net_init smtprl_net_init(struct net *net)
{
	struct smtprl_net *sn = net_generic(net, smtprl_net_id);

	sn->proc_dir = proc_net_mkdir(net, "smtprl", net->proc_net);
	if (!sn->proc_dir)
		return -ENOMEM;
	return 0;
}

static void __net_exit smtprl_net_exit(struct net *net)
{
	remove_proc_subtree("smtprl", net->proc_net);
}

static struct pernet_operations smtprl_net_ops = {
	.init = smtprl_net_init,
	.exit = smtprl_net_exit,
	.id   = &smtprl_net_id,
	.size = sizeof(struct smtprl_net),
};

static int __init smtprl_init(void)
{
	int err;

	err = register_pernet_subsys(&smtprl_net_ops);
	if (err)
		return err;

	pr_info("version %s loaded\n", SMTPRL_VERSION);
	return 0;
}

static void __exit smtprl_exit(void)
{
	unregister_pernet_subsys(&smtprl_net_ops);
}

module_init(smtprl_init);
module_exit(smtprl_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Per-subscriber rate limiting of new outbound SMTP connections");
MODULE_VERSION(SMTPRL_VERSION);
