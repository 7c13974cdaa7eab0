/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_NETNS_H
#define _SMTPRL_NETNS_H

#include <linux/if.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#include "exempt.h"
#include "pfx.h"
#include "policy.h"
#include "sub.h"
#include "table.h"

/*
 * Counters are indexed by their stats attribute, so their names and ids
 * are the spec's. Some attributes are read from the state instead of
 * counted (entries, exemptions, memory, quarantined-now, subscribers,
 * bindings, lingering): their slots, and the pad's, stay 0.
 */
#define SMTPRL_STATS_N		(SMTPRL_A_STATS_MAX + 1)

static inline bool smtprl_stat_counted(unsigned int a)
{
	switch (a) {
	case SMTPRL_A_STATS_ENTRIES:
	case SMTPRL_A_STATS_EXEMPTIONS:
	case SMTPRL_A_STATS_MEMORY:
	case SMTPRL_A_STATS_PAD:
	case SMTPRL_A_STATS_QUARANTINED_NOW:
	case SMTPRL_A_STATS_SUBSCRIBERS:
	case SMTPRL_A_STATS_BINDINGS:
	case SMTPRL_A_STATS_LINGERING:
		return false;
	}
	return true;
}

/* Events a CPU may send per second; the rest are counted as dropped. */
#define SMTPRL_EVENTS_PER_CPU_SEC	1000

struct smtprl_stats {
	u64 c[SMTPRL_STATS_N];
	struct u64_stats_sync syncp;	/* c[] on 32-bit; empty on 64-bit */
	/* The event budget of this CPU, and its table-full event period. */
	u64 ev_sec;
	u32 ev_n;
	u64 full_period;
	u64 full_refused;	/* table full since the last event */
};

#define SMTPRL_MAX_IFACES	32

struct smtprl_iface {
	char name[IFNAMSIZ];
	u8 len;			/* bytes to compare: a trailing '+' matches a prefix */
	bool wildcard;
};

/* Scope interfaces: an immutable array, replaced whole under the mutex. */
struct smtprl_ifset {
	unsigned int n;
	struct rcu_head rcu;
	struct smtprl_iface ifs[];
};

enum {
	SMTPRL_OPS_PRE4,
	SMTPRL_OPS_PRE6,
	SMTPRL_OPS_OUT4,
	SMTPRL_OPS_OUT6,
	__SMTPRL_OPS_MAX
};

/*
 * Per network namespace state.
 *
 * Locking: @lock (a mutex, process context only) serialises every change
 * of configuration, hook registration, GC and table maintenance. The
 * packet path takes none of it: it reads @policy, @scope_ifs and the
 * prefix sets under RCU and locks at most one entry.
 */
struct smtprl_net {
	struct net *net;
	struct mutex lock;	/* configuration, hooks, GC; see above */
	struct smtprl_policy __rcu *policy;
	struct smtprl_ifset __rcu *scope_ifs;
	struct smtprl_pfxset scope;
	struct smtprl_pfxset relay;
	struct smtprl_pfxset exempt;
	struct smtprl_subs subs;
	struct smtprl_table sources;
	struct smtprl_stats __percpu *stats;
	struct nf_hook_ops ops[__SMTPRL_OPS_MAX];
	u32 hooks_on;		/* SMTPRL_HOOKS_* registered now */
	bool enabled;
	struct delayed_work gc_work;
	struct proc_dir_entry *proc_dir;
};

#define SMTPRL_GC_INTERVAL	HZ

/*
 * Count @n at @s on this CPU, from any context. On 64-bit that is one
 * instruction (this_cpu_add()) and a reader cannot see half of it. A
 * 32-bit CPU adds a u64 in two: there writers go through u64_stats_sync
 * (irqs off, as the packet path and process context both count) and
 * readers retry, see smtprl_stats_read().
 */
static inline void smtprl_stat_add(struct smtprl_net *sn, unsigned int s, u64 n)
{
#if BITS_PER_LONG == 64
	this_cpu_add(sn->stats->c[s], n);
#else
	struct smtprl_stats *st;
	unsigned long flags;

	local_irq_save(flags);
	st = this_cpu_ptr(sn->stats);
	u64_stats_update_begin(&st->syncp);
	st->c[s] += n;
	u64_stats_update_end(&st->syncp);
	local_irq_restore(flags);
#endif
}

static inline void smtprl_stat_inc(struct smtprl_net *sn, unsigned int s)
{
	smtprl_stat_add(sn, s, 1);
}

/*
 * smtprl's clock: nanoseconds since boot at tick resolution, from jiffies,
 * as xt_hashlimit and nf_conncount keep time. A load and a multiply on
 * the packet path; ktime_get_coarse_boottime_ns() has the same resolution
 * and cost a call and 21 instructions a SYN. It stops while the system is
 * suspended, which a router does not do.
 */
static __always_inline u64 smtprl_now_ns(void)
{
	u64 j = get_jiffies_64() - INITIAL_JIFFIES;

#if !(NSEC_PER_SEC % HZ)
	return j * (NSEC_PER_SEC / HZ);
#else
	return jiffies64_to_nsecs(j);
#endif
}

extern unsigned int smtprl_net_id;
struct smtprl_net *smtprl_net(const struct net *net);
int smtprl_net_setup(struct smtprl_net *sn, struct net *net,
		     const struct smtprl_policy_cfg *cfg,
		     struct smtprl_bad *bad);
void smtprl_net_stop(struct smtprl_net *sn);
void smtprl_net_teardown(struct smtprl_net *sn);
void smtprl_gc_kick(struct smtprl_net *sn);
int smtprl_net_enable(struct smtprl_net *sn, bool on,
		      struct smtprl_bad *bad);
int smtprl_policy_set(struct smtprl_net *sn, const struct smtprl_policy_cfg *cfg,
		      bool enable, struct smtprl_bad *bad);
int smtprl_scope_iface_add(struct smtprl_net *sn, const char *name,
			   struct smtprl_bad *bad);
int smtprl_scope_iface_del(struct smtprl_net *sn, const char *name);
void smtprl_scope_iface_flush(struct smtprl_net *sn);
const struct smtprl_policy *smtprl_policy_locked(struct smtprl_net *sn);
int smtprl_pfx_add(struct smtprl_pfxset *s, const struct smtprl_pfx_key *k,
		   u8 group, bool replace, struct smtprl_bad *bad);
int smtprl_pfx_del(struct smtprl_pfxset *s, const struct smtprl_pfx_key *k);
void smtprl_pfx_release(struct smtprl_pfx *p);
void smtprl_stats_read(struct smtprl_net *sn, struct smtprl_stats *out);
u32 smtprl_quarantined_now(struct smtprl_net *sn, const struct smtprl_stats *st);
void smtprl_sub_forget(void *arg, struct smtprl_sub *sub);
void smtprl_forgot(void *arg, const struct smtprl_snap *s, u8 why);
const struct smtprl_limit *smtprl_gc_sub_limit(void *arg, const struct smtprl_entry *e,
					       const struct smtprl_policy *p);

#endif /* _SMTPRL_NETNS_H */
