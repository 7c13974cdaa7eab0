// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/smtprl/: the zero-dependency view (busybox cat on a CPE).
 * Formats are documented in Documentation/admin-guide.md and stable: a
 * header line first, one record per line, whitespace-separated, "-" for
 * "none". stats and policy are world-readable (policy's scope and relay
 * sets only for CAP_NET_ADMIN); sources and exempt list subscribers and
 * are root-only.
 */

#include <linux/capability.h>
#include <linux/inet.h>
#include <linux/proc_fs.h>
#include <linux/rhashtable.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "netns.h"
#include "proc.h"
#include "smtprl.h"

static const char *const stat_keys[SMTPRL_STATS_N] = SMTPRL_STATS_KEYS;

static void seq_pfx(struct seq_file *seq, u8 family,
		    const union smtprl_addr *a, u8 plen)
{
	if (family == NFPROTO_IPV4)
		seq_printf(seq, "%pI4/%u", &a->v4, plen);
	else
		seq_printf(seq, "%pI6c/%u", &a->v6, plen);
}

static int stats_show(struct seq_file *seq, void *v)
{
	struct smtprl_net *sn = smtprl_net(seq_file_single_net(seq));
	struct smtprl_stats st;
	unsigned int entries, i;

	smtprl_stats_read(sn, &st);
	seq_puts(seq, "counter value\n");
	for (i = 1; i < SMTPRL_STATS_N; i++)
		if (smtprl_stat_counted(i))
			seq_printf(seq, "%s %llu\n", stat_keys[i], st.c[i]);

	entries = atomic_read(&sn->sources.count);
	seq_printf(seq, "entries %u\n", entries);
	seq_printf(seq, "exemptions %u\n", READ_ONCE(sn->exempt.n));
	seq_printf(seq, "quarantined_now %u\n", smtprl_quarantined_now(sn, &st));
	seq_printf(seq, "memory_bytes %llu\n", smtprl_table_memory(&sn->sources));
	seq_printf(seq, "subscribers %u\n", READ_ONCE(sn->subs.n));
	seq_printf(seq, "bindings %u\n", READ_ONCE(sn->subs.binds.n));
	seq_printf(seq, "lingering %u\n", READ_ONCE(sn->subs.nlinger));
	return 0;
}

/* One line of the policy: "key value", the value as smtprlctl takes it. */
static void seq_field(struct seq_file *seq, const struct smtprl_policy_cfg *cfg,
		      const struct smtprl_field *f)
{
	static const char *const hooks[] = SMTPRL_HOOKS_NAMES;
	u32 v = f->kind == SMTPRL_KIND_PORTS ? 0 : smtprl_field_get(cfg, f);
	unsigned int i;

	switch (f->kind) {
	case SMTPRL_KIND_UNIT:
		return;		/* with the rate */
	case SMTPRL_KIND_RATE:
		seq_printf(seq, "%s %u/%s\n", f->key, v, smtprl_unit_names[cfg->rate_unit]);
		return;
	case SMTPRL_KIND_DAILY:
		if (!v) {
			seq_printf(seq, "%s off\n", f->key);
			return;
		}
		break;
	case SMTPRL_KIND_PORTS:
		seq_printf(seq, "%ss ", f->key);
		for (i = 0; i < cfg->nports; i++)
			seq_printf(seq, "%s%u", i ? "," : "", cfg->ports[i]);
		seq_putc(seq, '\n');
		return;
	case SMTPRL_KIND_ACTION:
		seq_printf(seq, "%s %s\n", f->key, smtprl_action_names[v]);
		return;
	case SMTPRL_KIND_WHEN_FULL:
		seq_printf(seq, "%s %s\n", f->key, smtprl_full_names[v]);
		return;
	case SMTPRL_KIND_HOOKS:
		seq_printf(seq, "%s ", f->key);
		for (i = 0; i < ARRAY_SIZE(hooks); i++)
			if (v & BIT(i))
				seq_printf(seq, "%s%s", v & (BIT(i) - 1) ? "," : "", hooks[i]);
		seq_putc(seq, '\n');
		return;
	}
	seq_printf(seq, "%s %u\n", f->key, v);
}

/*
 * The policy from its RCU snapshot: readers never take the config mutex,
 * so no unprivileged reader can stall configuration or GC. The scope and
 * relay sets name the ISP's networks: only an opener with CAP_NET_ADMIN
 * (as netlink's scope-get and relay-get require) sees them.
 */
static int policy_show(struct seq_file *seq, void *v)
{
	struct smtprl_net *sn = smtprl_net(seq_file_single_net(seq));
	struct smtprl_pfxset *sets[] = { &sn->scope, &sn->relay };
	const struct smtprl_policy_cfg *cfg;
	const struct smtprl_field *f;
	const struct smtprl_ifset *ifs;
	unsigned int i;

	rcu_read_lock();
	cfg = &rcu_dereference(sn->policy)->cfg;
	seq_puts(seq, "setting value\n");
	seq_printf(seq, "enabled %s\n", READ_ONCE(sn->enabled) ? "yes" : "no");
	for (f = smtprl_policy_fields; f < smtprl_policy_fields + smtprl_policy_nfields; f++)
		seq_field(seq, cfg, f);
	if (!file_ns_capable(seq->file, &init_user_ns, CAP_NET_ADMIN)) {
		rcu_read_unlock();
		return 0;
	}
	ifs = rcu_dereference(sn->scope_ifs);
	for (i = 0; ifs && i < ifs->n; i++)
		seq_printf(seq, "scope_dev %s\n", ifs->ifs[i].name);
	rcu_read_unlock();

	for (i = 0; i < ARRAY_SIZE(sets); i++) {
		struct rhashtable_iter iter;
		struct smtprl_pfx *p;

		rhashtable_walk_enter(&sets[i]->ht, &iter);
		rhashtable_walk_start(&iter);
		while ((p = rhashtable_walk_next(&iter))) {
			if (IS_ERR(p))
				continue;
			seq_puts(seq, i ? "relay " : "scope ");
			seq_pfx(seq, p->key.family, &p->key.addr, p->key.plen);
			if (READ_ONCE(p->group))
				seq_printf(seq, " %s %u",
					   p->key.family == NFPROTO_IPV4 ? "v4_prefix"
									 : "v6_prefix",
					   READ_ONCE(p->group));
			seq_putc(seq, '\n');
		}
		rhashtable_walk_stop(&iter);
		rhashtable_walk_exit(&iter);
	}
	return 0;
}

/*
 * Large tables (sources, exemptions) are walked with an rhashtable
 * iterator that lives as long as the open file (stopped between reads,
 * so RCU is never held across them); on restart it peeks, so a record
 * that did not fit in the buffer is printed again, not lost. The files
 * hold no reference on the namespace: proc_remove() at namespace exit
 * releases open files before the state goes away.
 */
struct walk_state {
	struct smtprl_net *sn;
	struct rhashtable_iter iter;
	bool entered;
	u64 now_ns;
};

static void *walk_get(struct walk_state *w, bool peek)
{
	void *obj;

	for (;;) {
		obj = peek ? rhashtable_walk_peek(&w->iter) : rhashtable_walk_next(&w->iter);
		if (!IS_ERR(obj))
			return obj;
		if (PTR_ERR(obj) != -EAGAIN)
			return NULL;
		peek = false;
	}
}

static void *walk_start(struct seq_file *seq, loff_t *pos, struct rhashtable *ht)
	__acquires(RCU)
{
	struct walk_state *w = seq->private;

	if (!*pos) {
		if (w->entered)
			rhashtable_walk_exit(&w->iter);
		rhashtable_walk_enter(ht, &w->iter);
		w->entered = true;
		w->now_ns = smtprl_now_ns();
		rhashtable_walk_start(&w->iter);
		return SEQ_START_TOKEN;
	}
	rhashtable_walk_start(&w->iter);
	return walk_get(w, true);
}

static void *walk_next(struct seq_file *seq, void *v, loff_t *pos)
{
	++*pos;
	return walk_get(seq->private, false);
}

static void walk_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	struct walk_state *w = seq->private;

	rhashtable_walk_stop(&w->iter);
}

static int walk_open(struct inode *inode, struct file *file,
		     const struct seq_operations *ops)
{
	struct walk_state *w;

	w = __seq_open_private(file, ops, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->sn = pde_data(inode);
	return 0;
}

static int walk_release(struct inode *inode, struct file *file)
{
	struct walk_state *w = ((struct seq_file *)file->private_data)->private;

	if (w->entered)
		rhashtable_walk_exit(&w->iter);
	return seq_release_private(inode, file);
}

static void *sources_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct walk_state *w = seq->private;

	return walk_start(seq, pos, &w->sn->sources.ht);
}

static void seq_age(struct seq_file *seq, u64 now_s, u32 then_s)
{
	if (!then_s)
		seq_puts(seq, " -");
	else
		seq_printf(seq, " %llu", now_s > then_s ? now_s - then_s : 0);
}

static const char *const state_names[] = {
	[SMTPRL_STATE_NORMAL] = "normal",
	[SMTPRL_STATE_LIMITED] = "limited",
	[SMTPRL_STATE_QUARANTINED] = "quarantined",
};

static int sources_show(struct seq_file *seq, void *v)
{
	struct walk_state *w = seq->private;
	const struct smtprl_policy *p = rcu_dereference(w->sn->policy);
	u64 now_s = div_u64(w->now_ns, NSEC_PER_SEC);
	const struct smtprl_limit *lim;
	struct smtprl_snap s;
	struct smtprl_sub *sub;

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "source tokens daily_tokens allowed limited age_s idle_s last_limited_s state strikes fanout subscriber\n");
		return 0;
	}
	if (!smtprl_entry_snap(v, p, w->now_ns, &s))
		return 0;
	/* A subscriber's state has a name (its last column) instead of a prefix. */
	sub = smtprl_snap_sub(&w->sn->subs, &s);
	if (s.family == SMTPRL_FAMILY_SUB)
		seq_putc(seq, '-');
	else
		seq_pfx(seq, s.family, &s.addr, s.plen);
	lim = smtprl_sub_limit(sub, p);
	seq_printf(seq, " %llu", smtprl_bucket_level(s.b.tokens_ns, s.b.last_ns,
						     &lim->rate, w->now_ns));
	if (lim->daily.cost_ns)
		seq_printf(seq, " %llu", smtprl_bucket_level(s.b.daily_ns, s.b.last_ns,
							     &lim->daily, w->now_ns));
	else
		seq_puts(seq, " -");
	seq_printf(seq, " %llu %llu", s.allowed, s.limited);
	seq_age(seq, now_s, s.first_s ?: 1);
	seq_printf(seq, " %llu", div_u64(w->now_ns > s.b.last_ns ?
					 w->now_ns - s.b.last_ns : 0, NSEC_PER_SEC));
	seq_age(seq, now_s, s.last_limited_s);
	seq_printf(seq, " %s %u %u ", state_names[smtprl_snap_state(&s, lim, w->now_ns)],
		   s.strikes, s.fanout);
	/* Names may hold spaces: escaped, as /proc/mounts does. */
	if (sub)
		seq_escape(seq, sub->name, " \t\n\\");
	else
		seq_putc(seq, '-');
	seq_putc(seq, '\n');
	return 0;
}

static const struct seq_operations sources_seq_ops = {
	.start = sources_start,
	.next = walk_next,
	.stop = walk_stop,
	.show = sources_show,
};

static int sources_open(struct inode *inode, struct file *file)
{
	return walk_open(inode, file, &sources_seq_ops);
}

static const struct proc_ops sources_proc_ops = {
	.proc_open = sources_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = walk_release,
};

static void *exempt_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct walk_state *w = seq->private;

	return walk_start(seq, pos, &w->sn->exempt.ht);
}

static int exempt_show(struct seq_file *seq, void *v)
{
	struct walk_state *w = seq->private;
	struct smtprl_exempt *ex = container_of(v, struct smtprl_exempt, pfx);
	const struct smtprl_exempt_spec *spec = &ex->spec;
	u64 allowed, limited, tokens;

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "prefix rate burst daily tokens allowed limited expires_in_s comment\n");
		return 0;
	}
	spin_lock_bh(&ex->lock);
	allowed = ex->allowed;
	limited = ex->limited;
	tokens = smtprl_bucket_level(ex->b.tokens_ns, ex->b.last_ns,
				     &ex->limit.rate, w->now_ns);
	spin_unlock_bh(&ex->lock);

	seq_pfx(seq, spec->key.family, &spec->key.addr, spec->key.plen);
	if (!spec->rate) {
		seq_puts(seq, " unlimited - - -");
	} else {
		seq_printf(seq, " %u/%s %u", spec->rate,
			   smtprl_unit_names[spec->rate_unit],
			   spec->burst ?: spec->rate);
		if (spec->daily)
			seq_printf(seq, " %u", spec->daily);
		else
			seq_puts(seq, " -");
		seq_printf(seq, " %llu", tokens);
	}
	seq_printf(seq, " %llu %llu", allowed, limited);
	if (spec->expires_ns)
		seq_printf(seq, " %llu", div_u64(spec->expires_ns > w->now_ns ?
						 spec->expires_ns - w->now_ns : 0,
						 NSEC_PER_SEC));
	else
		seq_puts(seq, " -");
	/* The comment is last, so it may hold spaces; escape newlines. */
	seq_putc(seq, ' ');
	if (spec->comment[0])
		seq_escape(seq, spec->comment, "\n\\");
	else
		seq_putc(seq, '-');
	seq_putc(seq, '\n');
	return 0;
}

static const struct seq_operations exempt_seq_ops = {
	.start = exempt_start,
	.next = walk_next,
	.stop = walk_stop,
	.show = exempt_show,
};

static int exempt_open(struct inode *inode, struct file *file)
{
	return walk_open(inode, file, &exempt_seq_ops);
}

static const struct proc_ops exempt_proc_ops = {
	.proc_open = exempt_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = walk_release,
};

int smtprl_proc_init(struct net *net, struct smtprl_net *sn)
{
	sn->proc_dir = proc_net_mkdir(net, "smtprl", net->proc_net);
	if (!sn->proc_dir)
		return -ENOMEM;
	if (!proc_create_net_single("stats", 0444, sn->proc_dir, stats_show, NULL) ||
	    !proc_create_net_single("policy", 0444, sn->proc_dir, policy_show, NULL) ||
	    !proc_create_data("sources", 0400, sn->proc_dir, &sources_proc_ops, sn) ||
	    !proc_create_data("exempt", 0400, sn->proc_dir, &exempt_proc_ops, sn)) {
		remove_proc_subtree("smtprl", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

void smtprl_proc_exit(struct net *net)
{
	remove_proc_subtree("smtprl", net->proc_net);
}
