// SPDX-License-Identifier: GPL-2.0
/*
 * smtprl: per-subscriber rate limiting of new outbound SMTP connections.
 *
 * main.c only orchestrates: module parameters (init_net's starting
 * policy), per-namespace setup and teardown, module init and exit in
 * exact reverse order.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netlink.h>
#include <net/net_namespace.h>

#include "events.h"
#include "netlink-gen.h"
#include "netns.h"
#include "proc.h"
#include "smtprl.h"

static char *rate = "10/minute";
module_param(rate, charp, 0444);
MODULE_PARM_DESC(rate, "connections per source: N/second|minute|hour|day (10/minute)");

static unsigned int burst = 20;
module_param(burst, uint, 0444);
MODULE_PARM_DESC(burst, "connections a source may make at once (20)");

static unsigned int daily = 500;
module_param(daily, uint, 0444);
MODULE_PARM_DESC(daily, "connections per source per day, 0 for no daily cap (500)");

static unsigned short ports[SMTPRL_MAX_PORTS] = { 25 };
static int nports = 1;
module_param_array(ports, ushort, &nports, 0444);
MODULE_PARM_DESC(ports, "destination ports, up to 8 (25)");

static char *action = "drop";
module_param(action, charp, 0444);
MODULE_PARM_DESC(action, "over the limit: drop, reject or monitor (drop)");

static char *when_full = "accept";
module_param(when_full, charp, 0444);
MODULE_PARM_DESC(when_full, "source table full: accept or drop (accept)");

static unsigned int max_sources;
module_param(max_sources, uint, 0444);
MODULE_PARM_DESC(max_sources, "cap on tracked sources, 0 to size from RAM (0)");

static unsigned char v4_prefix = 32;
module_param(v4_prefix, byte, 0444);
MODULE_PARM_DESC(v4_prefix, "IPv4 sources share a bucket per this prefix (32)");

static unsigned char v6_prefix = 64;
module_param(v6_prefix, byte, 0444);
MODULE_PARM_DESC(v6_prefix, "IPv6 sources share a bucket per this prefix (64)");

static char *hooks = "prerouting";
module_param(hooks, charp, 0444);
MODULE_PARM_DESC(hooks, "where to count: prerouting, output or prerouting,output (prerouting)");

static bool enable = true;
module_param(enable, bool, 0444);
MODULE_PARM_DESC(enable, "enforce in the initial network namespace at load (Y)");

static int parse_word(const char *const *names, unsigned int n, const char *s)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (names[i] && sysfs_streq(s, names[i]))
			return i;
	return -EINVAL;
}

/*
 * A refusal of the parameters, naming the parameter as it is spelt: the
 * checks are the netlink request's, whose reasons name the attribute
 * ("v4-prefix: ...") after the module's prefix, which pr_fmt adds again.
 */
static void param_error(const struct smtprl_bad *bad)
{
	const char *msg = bad->msg + strlen(KBUILD_MODNAME ": ");
	const struct smtprl_field *f = smtprl_policy_field(bad->attr);
	const char *why = strchr(msg, ':');
	const char *param;

	switch (bad->attr) {
	case SMTPRL_A_POLICY_PORT:
		param = "ports";
		break;
	case SMTPRL_A_POLICY_RATE_UNIT:
		param = "rate";
		break;
	case SMTPRL_A_POLICY_ENABLED:
		param = "enable";
		break;
	default:
		param = f ? f->key : NULL;
	}
	if (param && why)
		pr_err("%s%s\n", param, why);
	else
		pr_err("%s\n", msg);
}

/* "prerouting", "output" or both, comma-separated: the spec's names. */
static int parse_hooks(const char *s, u32 *out)
{
	static const char *const names[] = SMTPRL_HOOKS_NAMES;
	char buf[32], *p = buf, *tok;
	int i;

	if (strscpy(buf, s, sizeof(buf)) < 0)
		return -EINVAL;
	*out = 0;
	while ((tok = strsep(&p, ","))) {
		i = parse_word(names, ARRAY_SIZE(names), tok);
		if (i < 0)
			return -EINVAL;
		*out |= BIT(i);
	}
	return 0;
}

/* init_net's starting policy from the module parameters. */
static int params_to_cfg(struct smtprl_policy_cfg *cfg)
{
	char buf[32], *unit;
	int i;

	smtprl_policy_defaults(cfg);
	unit = strscpy(buf, rate, sizeof(buf)) < 0 ? NULL : strchr(buf, '/');
	if (!unit) {
		pr_err("rate: expected N/second, N/minute, N/hour or N/day\n");
		return -EINVAL;
	}
	*unit++ = '\0';
	i = parse_word(smtprl_unit_names, __SMTPRL_UNIT_MAX, unit);
	if (kstrtou32(buf, 10, &cfg->rate) || i < 0) {
		pr_err("rate: expected N/second, N/minute, N/hour or N/day\n");
		return -EINVAL;
	}
	cfg->rate_unit = i;
	cfg->burst = burst;
	cfg->daily = daily;
	cfg->nports = nports;
	for (i = 0; i < nports; i++)
		cfg->ports[i] = ports[i];
	i = parse_word(smtprl_action_names, __SMTPRL_ACTION_MAX, action);
	if (i < 0) {
		pr_err("action: must be drop, reject or monitor\n");
		return -EINVAL;
	}
	cfg->action = i;
	i = parse_word(smtprl_full_names, __SMTPRL_WHEN_FULL_MAX, when_full);
	if (i < 0) {
		pr_err("when_full: must be accept or drop\n");
		return -EINVAL;
	}
	cfg->when_full = i;
	if (max_sources)
		cfg->max_sources = max_sources;
	cfg->v4_prefix = v4_prefix;
	cfg->v6_prefix = v6_prefix;
	if (parse_hooks(hooks, &cfg->hooks)) {
		pr_err("hooks: must be prerouting, output or prerouting,output\n");
		return -EINVAL;
	}
	return 0;
}

static int __net_init smtprl_net_init(struct net *net)
{
	struct smtprl_net *sn = smtprl_net(net);
	struct smtprl_policy_cfg cfg;
	struct smtprl_bad bad = {};
	int err;

	if (net_eq(net, &init_net)) {
		err = params_to_cfg(&cfg);
		if (err)
			return err;
	} else {
		smtprl_policy_defaults(&cfg);
	}
	/* The parameters are checked like any netlink request. */
	err = smtprl_net_setup(sn, net, &cfg, &bad);
	if (err) {
		if (bad.msg)
			param_error(&bad);
		return err;
	}
	err = smtprl_proc_init(net, sn);
	if (err)
		goto err_teardown;
	if (net_eq(net, &init_net) && enable) {
		mutex_lock(&sn->lock);
		err = smtprl_net_enable(sn, true, NULL);
		mutex_unlock(&sn->lock);
		if (err)
			goto err_proc;
	}
	return 0;

err_proc:
	smtprl_proc_exit(net);
err_teardown:
	/*
	 * A hook that enabling registered before it failed may still be
	 * running on another CPU; our .pre_exit/.exit are not called for a
	 * namespace whose init failed.
	 */
	smtprl_net_stop(sn);
	synchronize_net();
	smtprl_net_teardown(sn);
	return err;
}

/*
 * Hooks off first: the netns core waits for an RCU grace period between
 * every .pre_exit and .exit (namespace dismantle and module unload alike),
 * so no CPU is inside our hook when .exit frees what it reads.
 */
static void __net_exit smtprl_net_pre_exit(struct net *net)
{
	smtprl_net_stop(smtprl_net(net));
}

static void __net_exit smtprl_net_exit(struct net *net)
{
	struct smtprl_net *sn = smtprl_net(net);

	smtprl_proc_exit(net);
	smtprl_net_teardown(sn);
}

static struct pernet_operations smtprl_net_ops = {
	.init = smtprl_net_init,
	.pre_exit = smtprl_net_pre_exit,
	.exit = smtprl_net_exit,
	.id   = &smtprl_net_id,
	.size = sizeof(struct smtprl_net),
};

static int __init smtprl_init(void)
{
	int err;

	err = smtprl_table_module_init();
	if (err)
		return err;
	err = register_pernet_subsys(&smtprl_net_ops);
	if (err)
		goto err_table;
	err = genl_register_family(&smtprl_nl_family);
	if (err)
		goto err_pernet;
	smtprl_events_start(&smtprl_nl_family);

	pr_info("version %s loaded\n", SMTPRL_VERSION);
	return 0;

err_pernet:
	unregister_pernet_subsys(&smtprl_net_ops);
err_table:
	smtprl_table_module_exit();
	return err;
}

static void __exit smtprl_exit(void)
{
	smtprl_events_stop();
	genl_unregister_family(&smtprl_nl_family);
	unregister_pernet_subsys(&smtprl_net_ops);
	smtprl_table_module_exit();
}

module_init(smtprl_init);
module_exit(smtprl_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Per-subscriber rate limiting of new outbound SMTP connections");
MODULE_VERSION(SMTPRL_VERSION);
