// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace state and the configuration API the netlink layer and
 * the module parameters call. Everything here runs in process context
 * with sn->lock held where noted; nothing here is on the packet path.
 */

#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "events.h"
#include "hook.h"
#include "netns.h"
#include "smtprl.h"

unsigned int smtprl_net_id __read_mostly;

struct smtprl_net *smtprl_net(const struct net *net)
{
	return net_generic(net, smtprl_net_id);
}

static struct smtprl_policy *policy_of(struct smtprl_net *sn)
{
	return rcu_dereference_protected(sn->policy, lockdep_is_held(&sn->lock));
}

void smtprl_pfx_release(struct smtprl_pfx *p)
{
	kfree_rcu(p, rcu);
}

static void pfx_free(void *ptr, void *arg)
{
	kfree(ptr);
}

static void exempt_free(void *ptr, void *arg)
{
	kfree(container_of(ptr, struct smtprl_exempt, pfx));
}

/*
 * How long a source must have been idle (and its buckets full again)
 * before GC forgets it. Shorter frees memory sooner on small routers; the
 * stress test sets it to a second so GC races the packet path.
 */
static unsigned int gc_idle = SMTPRL_GC_IDLE_S;

static int gc_idle_set(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, 86400);
}

static const struct kernel_param_ops gc_idle_ops = {
	.set = gc_idle_set,
	.get = param_get_uint,
};

module_param_cb(gc_idle, &gc_idle_ops, &gc_idle, 0644);
MODULE_PARM_DESC(gc_idle, "seconds a source must be idle before it is forgotten, 1..86400 (60)");

struct gc_ctx {
	struct smtprl_net *sn;
	u64 now_ns;
};

/* A quiet source's quarantine ended without its help. */
static void gc_released(void *arg, const struct smtprl_snap *s, u8 why)
{
	struct gc_ctx *c = arg;

	smtprl_stat_inc(c->sn, SMTPRL_A_STATS_RELEASES);
	smtprl_notify_source(c->sn, SMTPRL_CMD_RELEASED_NTF, s, why, c->now_ns);
}

static void gc_expired(void *arg, struct smtprl_exempt *ex)
{
	struct gc_ctx *c = arg;

	smtprl_notify_exempt_expired(c->sn, ex, c->now_ns);
}

/*
 * A quarantined source was forgotten (source-del, -flush, a subscriber's
 * end): its quarantine ends, "gone". Not counted here: the table counts
 * it as it unlinks the entry (quar_gone, folded into releases).
 */
void smtprl_forgot(void *arg, const struct smtprl_snap *s, u8 why)
{
	smtprl_notify_source(arg, SMTPRL_CMD_RELEASED_NTF, s, why, smtprl_now_ns());
}

/*
 * @sub is about to be freed (its linger ran out, or the operator forgot
 * it): so is its state. A quarantine it was in ends, "gone". Config mutex
 * held. A SYN that found @sub before it was unbound may still recreate
 * the entry: an orphan GC forgets (smtprl_gc_sub_limit()).
 */
void smtprl_sub_forget(void *arg, struct smtprl_sub *sub)
{
	struct smtprl_net *sn = arg;
	struct smtprl_forget f = {
		.p = policy_of(sn),
		.now_ns = smtprl_now_ns(),
		.released = smtprl_forgot,
		.arg = sn,
	};
	struct smtprl_key k;

	smtprl_sub_key(&k, sub->id);
	smtprl_table_reset(&sn->sources, &k, &f);
}

/* See smtprl_sub_limit_fn. Config mutex held, under RCU. */
const struct smtprl_limit *smtprl_gc_sub_limit(void *arg, const struct smtprl_entry *e,
					       const struct smtprl_policy *p)
{
	struct gc_ctx *c = arg;
	struct smtprl_sub *sub = smtprl_sub_by_id(&c->sn->subs, smtprl_sub_id(e->addr));

	return sub ? smtprl_sub_charged(sub, p) : NULL;
}

/* Config mutex held. */
static void gc_run(struct smtprl_net *sn, u64 now_ns)
{
	struct gc_ctx c = { .sn = sn, .now_ns = now_ns };
	unsigned int n;

	n = smtprl_table_gc(&sn->sources, policy_of(sn), now_ns,
			    (u64)READ_ONCE(gc_idle) * NSEC_PER_SEC,
			    smtprl_table_gc_budget(&sn->sources),
			    gc_released, smtprl_gc_sub_limit, &c);
	smtprl_stat_add(sn, SMTPRL_A_STATS_GC_REMOVED, n);
	n = smtprl_exempt_expire(&sn->exempt, now_ns, gc_expired, &c);
	smtprl_stat_add(sn, SMTPRL_A_STATS_EXEMPT_EXPIRED, n);
	n = smtprl_subs_expire(&sn->subs, now_ns, smtprl_sub_forget, sn);
	smtprl_stat_add(sn, SMTPRL_A_STATS_SUBSCRIBER_EXPIRED, n);
}

/* Run GC in a second, unless it is due already. Any context. */
void smtprl_gc_kick(struct smtprl_net *sn)
{
	queue_delayed_work(system_power_efficient_wq, &sn->gc_work,
			   SMTPRL_GC_INTERVAL);
}

static void gc_work(struct work_struct *work)
{
	struct smtprl_net *sn = container_of(to_delayed_work(work),
					     struct smtprl_net, gc_work);
	bool again;

	mutex_lock(&sn->lock);
	gc_run(sn, smtprl_now_ns());
	/*
	 * Sleep while there is nothing to forget or expire: the first new
	 * source (smtprl_table_insert()) or exemption queues the work again.
	 * Either comes after this read, or this read sees it.
	 */
	again = atomic_read(&sn->sources.count) ||
		atomic_read(&sn->exempt.ht.nelems) || sn->subs.nlinger;
	mutex_unlock(&sn->lock);
	if (again)
		smtprl_gc_kick(sn);
}

/**
 * smtprl_net_setup - bring up @sn for @net with policy @cfg (not enabled)
 * @sn: the namespace's state
 * @net: the namespace
 * @cfg: the starting policy (validated here)
 * @bad: why it was refused
 */
int smtprl_net_setup(struct smtprl_net *sn, struct net *net,
		     const struct smtprl_policy_cfg *cfg,
		     struct smtprl_bad *bad)
{
	struct smtprl_policy *p;
	int cpu, err;

	sn->net = net;
	mutex_init(&sn->lock);
	INIT_DEFERRABLE_WORK(&sn->gc_work, gc_work);

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	err = smtprl_policy_build(p, cfg, bad);
	if (err)
		goto err_free_policy;
	RCU_INIT_POINTER(sn->policy, p);

	sn->stats = alloc_percpu(struct smtprl_stats);
	if (!sn->stats) {
		err = -ENOMEM;
		goto err_free_policy;
	}
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(sn->stats, cpu)->syncp);
	err = smtprl_pfxset_init(&sn->scope);
	if (err)
		goto err_free_stats;
	err = smtprl_pfxset_init(&sn->relay);
	if (err)
		goto err_destroy_scope;
	err = smtprl_pfxset_init(&sn->exempt);
	if (err)
		goto err_destroy_relay;
	err = smtprl_subs_init(&sn->subs);
	if (err)
		goto err_destroy_exempt;
	err = smtprl_table_init(&sn->sources);
	if (err)
		goto err_destroy_subs;
	sn->sources.gc_work = &sn->gc_work;
	return 0;

err_destroy_subs:
	smtprl_subs_destroy(&sn->subs);
err_destroy_exempt:
	smtprl_pfxset_destroy(&sn->exempt, exempt_free);
err_destroy_relay:
	smtprl_pfxset_destroy(&sn->relay, pfx_free);
err_destroy_scope:
	smtprl_pfxset_destroy(&sn->scope, pfx_free);
err_free_stats:
	free_percpu(sn->stats);
err_free_policy:
	kfree(p);
	return err;
}

/*
 * Unregister the namespace's hooks. nf_unregister_net_hook() does not wait
 * for CPUs still inside the hook: it swaps the hook blob and frees the old
 * one with call_rcu(). The state the hook reads may be freed only after an
 * RCU grace period: smtprl_net_teardown() must not run before one.
 */
void smtprl_net_stop(struct smtprl_net *sn)
{
	mutex_lock(&sn->lock);
	smtprl_hooks_sync(sn, 0);
	WRITE_ONCE(sn->enabled, false);
	mutex_unlock(&sn->lock);
}

/*
 * Undo smtprl_net_setup: work stopped, everything freed. The hooks must be
 * off (smtprl_net_stop()) for an RCU grace period already: the netns core
 * waits one between .pre_exit and .exit, the init error path calls
 * synchronize_net().
 */
void smtprl_net_teardown(struct smtprl_net *sn)
{
	WARN_ON_ONCE(sn->hooks_on);
	cancel_delayed_work_sync(&sn->gc_work);
	smtprl_table_destroy(&sn->sources);
	smtprl_subs_destroy(&sn->subs);
	smtprl_pfxset_destroy(&sn->exempt, exempt_free);
	smtprl_pfxset_destroy(&sn->relay, pfx_free);
	smtprl_pfxset_destroy(&sn->scope, pfx_free);
	kfree(rcu_dereference_raw(sn->scope_ifs));
	kfree(rcu_dereference_raw(sn->policy));
	free_percpu(sn->stats);
}

/* Start or stop enforcing in this namespace. Config mutex held. */
int smtprl_net_enable(struct smtprl_net *sn, bool on,
		      struct smtprl_bad *bad)
{
	int err;

	lockdep_assert_held(&sn->lock);
	err = smtprl_hooks_sync(sn, on ? policy_of(sn)->cfg.hooks : 0);
	if (!err)
		WRITE_ONCE(sn->enabled, on);
	else
		smtprl_refuse(bad, SMTPRL_A_POLICY_ENABLED,
			      "enabled: cannot register netfilter hooks", err);
	return err;
}

/* The policy in force. Config mutex held. */
const struct smtprl_policy *smtprl_policy_locked(struct smtprl_net *sn)
{
	return policy_of(sn);
}

/**
 * smtprl_policy_set - validate @cfg and publish it as the new policy
 * @sn: the namespace's state
 * @cfg: the complete new policy
 * @enable: enforce from now on (the caller passes sn->enabled to keep it)
 * @bad: why it was refused
 *
 * All or nothing: the policy is built and the hooks it needs registered
 * before anything is published; on error the old policy, hooks and
 * enabled state stay. Existing sources keep their buckets; credit beyond
 * the new size is clamped at their next packet. Config mutex held.
 */
int smtprl_policy_set(struct smtprl_net *sn, const struct smtprl_policy_cfg *cfg,
		      bool enable, struct smtprl_bad *bad)
{
	struct smtprl_policy *p, *old;
	int err;

	lockdep_assert_held(&sn->lock);
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	err = smtprl_policy_build(p, cfg, bad);
	if (err)
		goto err_free;
	/* smtprl_hooks_sync() unwinds itself: on error nothing changed. */
	err = smtprl_hooks_sync(sn, enable ? cfg->hooks : 0);
	if (err) {
		if (enable && !sn->enabled)
			smtprl_refuse(bad, SMTPRL_A_POLICY_ENABLED,
				      "enabled: cannot register netfilter hooks", err);
		else
			smtprl_refuse(bad, SMTPRL_A_POLICY_HOOKS,
				      "hooks: cannot register netfilter hooks", err);
		goto err_free;
	}
	old = policy_of(sn);
	rcu_assign_pointer(sn->policy, p);
	WRITE_ONCE(sn->enabled, enable);
	kfree_rcu(old, rcu);
	return 0;

err_free:
	kfree(p);
	return err;
}

int smtprl_scope_iface_add(struct smtprl_net *sn, const char *name,
			   struct smtprl_bad *bad)
{
	struct smtprl_ifset *old, *set;
	size_t len = strnlen(name, IFNAMSIZ);
	unsigned int i, n;

	lockdep_assert_held(&sn->lock);
	if (!len || len >= IFNAMSIZ)
		return smtprl_refuse(bad, SMTPRL_A_ENTRY_IFNAME, "ifname: empty or too long",
				     -EINVAL);
	old = rcu_dereference_protected(sn->scope_ifs, lockdep_is_held(&sn->lock));
	n = old ? old->n : 0;
	/* Exact duplicates only: "ppp+" and "ppp0" may coexist. */
	for (i = 0; i < n; i++) {
		if (!strncmp(old->ifs[i].name, name, IFNAMSIZ))
			return smtprl_refuse(bad, SMTPRL_A_ENTRY_IFNAME,
					     "ifname: already in scope", -EEXIST);
	}
	if (n >= SMTPRL_MAX_IFACES)
		return smtprl_refuse(bad, SMTPRL_A_ENTRY_IFNAME,
				     "ifname: too many interfaces (max 32)", -ENOSPC);
	set = kzalloc(struct_size(set, ifs, n + 1), GFP_KERNEL);
	if (!set)
		return -ENOMEM;
	if (old)
		memcpy(set->ifs, old->ifs, n * sizeof(set->ifs[0]));
	strscpy(set->ifs[n].name, name, IFNAMSIZ);
	set->ifs[n].wildcard = name[len - 1] == '+';
	set->ifs[n].len = set->ifs[n].wildcard ? len - 1 : len;
	set->n = n + 1;
	rcu_assign_pointer(sn->scope_ifs, set);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

/* Config mutex held. */
int smtprl_scope_iface_del(struct smtprl_net *sn, const char *name)
{
	struct smtprl_ifset *old, *set;
	unsigned int i, j;

	lockdep_assert_held(&sn->lock);
	old = rcu_dereference_protected(sn->scope_ifs, lockdep_is_held(&sn->lock));
	for (i = 0; old && i < old->n; i++)
		if (!strncmp(old->ifs[i].name, name, IFNAMSIZ))
			break;
	if (!old || i == old->n)
		return -ENOENT;
	set = kzalloc(struct_size(set, ifs, old->n - 1), GFP_KERNEL);
	if (!set)
		return -ENOMEM;
	for (j = 0; j < old->n; j++)
		if (j != i)
			set->ifs[set->n++] = old->ifs[j];
	rcu_assign_pointer(sn->scope_ifs, set);
	kfree_rcu(old, rcu);
	return 0;
}

/* Config mutex held. */
void smtprl_scope_iface_flush(struct smtprl_net *sn)
{
	struct smtprl_ifset *old;

	lockdep_assert_held(&sn->lock);
	old = rcu_replace_pointer(sn->scope_ifs, NULL, lockdep_is_held(&sn->lock));
	if (old)
		kfree_rcu(old, rcu);
}

/*
 * Add a plain prefix (scope or relay), with the group its sources are
 * grouped by (scope only, 0: the policy's); @replace changes the group of
 * a prefix already present. Config mutex held.
 */
int smtprl_pfx_add(struct smtprl_pfxset *s, const struct smtprl_pfx_key *k,
		   u8 group, bool replace, struct smtprl_bad *bad)
{
	struct smtprl_pfx *p;
	int err;

	/*
	 * A scope prefix's group is one byte: readers see the old or the new.
	 * (The lookup wants RCU; the mutex keeps @p.)
	 */
	rcu_read_lock();
	p = replace ? smtprl_pfxset_find(s, k) : NULL;
	if (p)
		WRITE_ONCE(p->group, group);
	rcu_read_unlock();
	if (p)
		return 0;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->key = *k;
	p->group = group;
	err = smtprl_pfxset_insert(s, p);
	if (err) {
		if (err == -EEXIST)
			smtprl_refuse(bad, SMTPRL_A_ENTRY_PLEN, "prefix: already present", err);
		kfree(p);
	}
	return err;
}

/* Config mutex held. */
int smtprl_pfx_del(struct smtprl_pfxset *s, const struct smtprl_pfx_key *k)
{
	return smtprl_pfxset_del(s, k, smtprl_pfx_release);
}

void smtprl_stats_read(struct smtprl_net *sn, struct smtprl_stats *out)
{
	int cpu, i;

	memset(out, 0, sizeof(*out));
	for_each_possible_cpu(cpu) {
		const struct smtprl_stats *s = per_cpu_ptr(sn->stats, cpu);
		u64 c[SMTPRL_STATS_N];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < SMTPRL_STATS_N; i++)
				c[i] = READ_ONCE(s->c[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < SMTPRL_STATS_N; i++)
			out->c[i] += c[i];
	}
	/* Quarantined sources forgotten by source-del or source-flush. */
	out->c[SMTPRL_A_STATS_RELEASES] += atomic_long_read(&sn->sources.quar_gone);
}

/* Sources in quarantine now, from counters read by smtprl_stats_read. */
u32 smtprl_quarantined_now(struct smtprl_net *sn, const struct smtprl_stats *st)
{
	u64 in = st->c[SMTPRL_A_STATS_QUARANTINES], out = st->c[SMTPRL_A_STATS_RELEASES];

	/* Per-CPU counters read one after the other may lag by a few. */
	return in > out ? min_t(u64, in - out, U32_MAX) : 0;
}
