// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path, all of it. Runs in softirq (PREROUTING) or process
 * context (LOCAL_OUT), always under RCU (nf_hook holds it), never sleeps,
 * never allocates except with GFP_ATOMIC: an entry for a new source, a
 * quarantine record, an event message (rate-limited, only with listeners).
 *
 *   classify  -> not a new connection to our ports: NF_ACCEPT, nothing written
 *                (a plain non-SYN segment leaves before the policy is read)
 *   scope     -> source outside the subscriber prefixes/interfaces: accept;
 *                inside, its scope prefix may group sources its own way
 *   relay     -> destination on the relay allowlist: accept, count
 *   subscriber-> source bound to a subscriber (longest prefix): its one
 *                entry, keyed by its id, by its limits (or exempt)
 *   exempt    -> longest-prefix exemption: unlimited, or its own bucket
 *   source    -> entry for the masked source (cap, when-full policy)
 *   quarantine-> a quarantined source is refused (unless released now)
 *   buckets   -> short window and daily cap; strikes and fan-out
 *   verdict   -> accept | drop | reject (RST) | monitor (accept, count)
 */

#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>

#include "entry.h"
#include "events.h"
#include "hook.h"
#include "netns.h"
#include "smtprl.h"

/* Is @name one of the scope interfaces? Call under RCU. */
static bool iface_match(const struct smtprl_ifset *set, const char *name)
{
	unsigned int i;

	for (i = 0; i < set->n; i++) {
		const struct smtprl_iface *ifc = &set->ifs[i];

		if (ifc->wildcard ? !strncmp(name, ifc->name, ifc->len)
				  : !strncmp(name, ifc->name, IFNAMSIZ))
			return true;
	}
	return false;
}

/*
 * In scope: the group of the longest scope prefix covering the source (0:
 * the policy's), or 0 for a source in a scope interface; -1 outside.
 */
static noinline int scope_match(struct smtprl_net *sn, const struct smtprl_conn *c,
				const struct net_device *in)
{
	const struct smtprl_ifset *ifs = rcu_dereference(sn->scope_ifs);
	const struct smtprl_pfx *sp;

	if (READ_ONCE(sn->scope.n)) {
		sp = __smtprl_pfxset_match(&sn->scope, c->family, &c->saddr);
		if (sp)
			return READ_ONCE(sp->group);
	} else if (!ifs || !ifs->n) {
		return 0;
	}
	/* Locally generated packets have no input device. */
	return ifs && in && iface_match(ifs, in->name) ? 0 : -1;
}

/* No scope set (a CPE: every source is a subscriber) costs two loads. */
static __always_inline int in_scope(struct smtprl_net *sn,
				    const struct smtprl_conn *c,
				    const struct net_device *in)
{
	if (!READ_ONCE(sn->scope.n) && !rcu_access_pointer(sn->scope_ifs))
		return 0;
	return scope_match(sn, c, in);
}

static noinline unsigned int
limited_other(struct smtprl_net *sn, const struct smtprl_policy *p,
	      struct sk_buff *skb, const struct nf_hook_state *state)
{
	if (p->cfg.action == SMTPRL_ACTION_MONITOR) {
		smtprl_stat_inc(sn, SMTPRL_A_STATS_WOULD_LIMIT);
		return NF_ACCEPT;
	}
	/* SMTPRL_ACTION_REJECT */
	if (state->pf == NFPROTO_IPV4)
		nf_send_reset(state->net, state->sk, skb, state->hook);
	else
		nf_send_reset6(state->net, state->sk, skb, state->hook);
	smtprl_stat_inc(sn, SMTPRL_A_STATS_REJECT_SENT);
	smtprl_stat_inc(sn, SMTPRL_A_STATS_LIMITED);
	return NF_DROP;
}

/* The verdict for a refused connection: drop (inline), monitor or reject. */
static __always_inline unsigned int limited(struct smtprl_net *sn,
					    const struct smtprl_policy *p,
					    struct sk_buff *skb,
					    const struct nf_hook_state *state)
{
	if (unlikely(p->cfg.action != SMTPRL_ACTION_DROP))
		return limited_other(sn, p, skb, state);
	smtprl_stat_inc(sn, SMTPRL_A_STATS_LIMITED);
	return NF_DROP;
}

/* Count and announce what an attempt did to its source's lifecycle. */
static void notify(struct smtprl_net *sn, const struct smtprl_outcome *o,
		   u64 now)
{
	if (o->release) {
		smtprl_stat_inc(sn, SMTPRL_A_STATS_RELEASES);
		smtprl_notify_source(sn, SMTPRL_CMD_RELEASED_NTF, &o->snap,
				     o->release, now);
	}
	if (o->cmd == SMTPRL_CMD_QUARANTINED_NTF)
		smtprl_stat_inc(sn, SMTPRL_A_STATS_QUARANTINES);
	if (o->cmd)
		smtprl_notify_source(sn, o->cmd, &o->snap, 0, now);
}

/* @k = the source of @c masked to a scope prefix's @group. Out of line. */
static noinline void group_key(struct smtprl_key *k, const struct smtprl_conn *c, u8 group)
{
	k->family = c->family;
	k->plen = group;
	smtprl_addr_mask(&k->addr, &c->saddr, c->family, group);
}

/*
 * @k = the source of @c masked to the policy's prefix length, or to the
 * @group of its scope prefix. Only the words a key of its length uses are
 * written: the first two (an IPv4 key's second is zero), all four beyond
 * /64. The table's hash, compare and insert read no others
 * (smtprl_key_long()).
 */
static __always_inline void source_key(struct smtprl_key *k, const struct smtprl_policy *p,
				       const struct smtprl_conn *c, int group)
{
	const __be32 *a = c->saddr.v6.s6_addr32, *m = p->v6_mask.s6_addr32;
	__be32 *w = k->addr.v6.s6_addr32;

	if (unlikely(group)) {
		group_key(k, c, group);
		return;
	}
	k->family = c->family;
	if (c->family == NFPROTO_IPV4) {
		k->plen = p->cfg.v4_prefix;
		w[0] = c->saddr.v4 & p->v4_mask;
		w[1] = 0;
		return;
	}
	k->plen = p->cfg.v6_prefix;
	w[0] = a[0] & m[0];
	w[1] = a[1] & m[1];
	if (smtprl_key_long(NFPROTO_IPV6, k->plen)) {
		w[2] = a[2] & m[2];
		w[3] = a[3] & m[3];
	}
}

/* Charge @c to the entry of @k, by @lim: a source's, or a subscriber's. */
static __always_inline unsigned int track(struct smtprl_net *sn,
					  const struct smtprl_policy *p,
					  const struct smtprl_key *k,
					  const struct smtprl_limit *lim,
					  const struct smtprl_conn *c, u64 now,
					  struct sk_buff *skb,
					  const struct nf_hook_state *state)
{
	struct smtprl_outcome o __uninitialized;	/* its snapshot: only with an event */
	struct smtprl_entry *e;
	int tries;

	/* A second try only if GC unlinked the entry under us. */
	for (tries = 0; tries < 2; tries++) {
		e = smtprl_table_get(&sn->sources, k, lim, p->cfg.max_sources, now);
		if (!e)
			break;
		switch (__smtprl_entry_attempt(&sn->sources, e, p, lim, now, c, &o)) {
		case SMTPRL_RETRY:
			continue;
		case SMTPRL_ALLOW:
			smtprl_stat_inc(sn, SMTPRL_A_STATS_ALLOWED);
			if (unlikely(o.cmd || o.release))
				notify(sn, &o, now);
			return NF_ACCEPT;
		case SMTPRL_QUARANTINE:
			smtprl_stat_inc(sn, SMTPRL_A_STATS_QUARANTINE_REFUSED);
			return limited(sn, p, skb, state);
		case SMTPRL_LIMIT:
			if (unlikely(o.cmd || o.release))
				notify(sn, &o, now);
			return limited(sn, p, skb, state);
		}
	}
	smtprl_stat_inc(sn, SMTPRL_A_STATS_TABLE_FULL);
	smtprl_notify_table_full(sn, c, now, p->event_ns);
	return p->cfg.when_full == SMTPRL_WHEN_FULL_DROP ? NF_DROP : NF_ACCEPT;
}

/*
 * The limits @sub is charged by, or NULL for an exempt subscriber. Out of
 * line, and given nothing on the stack: the common SYN, from an unbound
 * address, pays for none of it.
 */
static noinline const struct smtprl_limit *sub_limits(const struct smtprl_sub *sub,
						      const struct smtprl_policy *p)
{
	return smtprl_sub_charged(sub, p);
}

/*
 * A TCP segment that may be a new connection: @th is its header when
 * smtprl_plain_tcp() found it in place (and it is then a SYN), NULL when
 * the packet needs the full classification. BH disabled.
 */
static unsigned int hook_syn(struct smtprl_net *sn, struct sk_buff *skb,
			     const struct nf_hook_state *state,
			     const struct tcphdr *th)
{
	const struct smtprl_policy *p = rcu_dereference(sn->policy);
	struct smtprl_conn c __uninitialized;	/* classify writes what is read */
	struct smtprl_key k __uninitialized;
	const struct smtprl_limit *lim;
	struct smtprl_exempt *ex;
	struct smtprl_sub *sub;
	enum smtprl_class cls;
	int group;
	u64 now;

	if (likely(th))
		cls = smtprl_classify_plain(skb, state->pf, th, p, &c);
	else
		cls = smtprl_classify_other(skb, state->pf, p, &c);
	switch (cls) {
	case SMTPRL_NOT_OURS:
		return NF_ACCEPT;
	case SMTPRL_EVASIVE_FRAG:
		/* No connection to count, but one could hide in it. */
		if (in_scope(sn, &c, state->in) < 0)
			return NF_ACCEPT;
		smtprl_stat_inc(sn, SMTPRL_A_STATS_FRAGMENTS_DROPPED);
		return p->cfg.action == SMTPRL_ACTION_MONITOR ? NF_ACCEPT : NF_DROP;
	case SMTPRL_NEW_CONN:
		break;
	}

	smtprl_stat_inc(sn, SMTPRL_A_STATS_SEEN);
	group = in_scope(sn, &c, state->in);
	if (group < 0) {
		smtprl_stat_inc(sn, SMTPRL_A_STATS_OUT_OF_SCOPE);
		return NF_ACCEPT;
	}
	if (smtprl_pfxset_match(&sn->relay, c.family, &c.daddr)) {
		smtprl_stat_inc(sn, SMTPRL_A_STATS_RELAY);
		return NF_ACCEPT;
	}
	now = smtprl_now_ns();
	/* A subscriber's address: its subscriber decides, not an exemption. */
	sub = smtprl_bind_match(&sn->subs, c.family, &c.saddr);
	if (unlikely(sub)) {
		lim = sub_limits(sub, p);
		if (!lim) {
			smtprl_stat_inc(sn, SMTPRL_A_STATS_EXEMPT);
			return NF_ACCEPT;
		}
		smtprl_sub_key(&k, sub->id);
	} else {
		ex = smtprl_exempt_match(&sn->exempt, c.family, &c.saddr, now);
		if (ex) {
			if (__smtprl_exempt_take(ex, now)) {
				smtprl_stat_inc(sn, SMTPRL_A_STATS_EXEMPT);
				return NF_ACCEPT;
			}
			smtprl_stat_inc(sn, SMTPRL_A_STATS_EXEMPT_LIMITED);
			return limited(sn, p, skb, state);
		}
		source_key(&k, p, &c, group);
		lim = &p->limit;
	}
	/* One call: the table's lookup stays inline. */
	return track(sn, p, &k, lim, &c, now, skb, state);
}

/*
 * The entry and exemption locks are taken without _bh: PREROUTING runs in
 * softirq, and LOCAL_OUT, which may run in process context, gets BH
 * disabled here, once per SYN instead of once per lock.
 */
static noinline unsigned int hook_tcp(struct smtprl_net *sn, struct sk_buff *skb,
				      const struct nf_hook_state *state,
				      const struct tcphdr *th)
{
	bool bh = !in_softirq();
	unsigned int verdict;

	if (unlikely(bh))
		local_bh_disable();
	verdict = hook_syn(sn, skb, state, th);
	if (unlikely(bh))
		local_bh_enable();
	return verdict;
}

/*
 * Every packet of the namespace passes here. What cannot be TCP, and a
 * plain TCP segment that is not a SYN (almost every TCP packet), leave at
 * once: no call, no stack frame, nothing read but the packet.
 */
static unsigned int smtprl_hook(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	const struct tcphdr *th;

	if (!smtprl_maybe_tcp(skb, state->pf))
		return NF_ACCEPT;
	th = smtprl_plain_tcp(skb, state->pf);
	if (likely(th) && !smtprl_tcp_syn(th))
		return NF_ACCEPT;
	return hook_tcp(priv, skb, state, th);
}

/*
 * Ahead of conntrack (a dropped SYN never costs a conntrack entry) and of
 * the raw table, after defragmentation.
 */
static const struct nf_hook_ops hook_templates[__SMTPRL_OPS_MAX] = {
	[SMTPRL_OPS_PRE4] = { .hook = smtprl_hook, .pf = NFPROTO_IPV4,
			      .hooknum = NF_INET_PRE_ROUTING,
			      .priority = NF_IP_PRI_RAW - 1 },
	[SMTPRL_OPS_PRE6] = { .hook = smtprl_hook, .pf = NFPROTO_IPV6,
			      .hooknum = NF_INET_PRE_ROUTING,
			      .priority = NF_IP6_PRI_RAW - 1 },
	[SMTPRL_OPS_OUT4] = { .hook = smtprl_hook, .pf = NFPROTO_IPV4,
			      .hooknum = NF_INET_LOCAL_OUT,
			      .priority = NF_IP_PRI_RAW - 1 },
	[SMTPRL_OPS_OUT6] = { .hook = smtprl_hook, .pf = NFPROTO_IPV6,
			      .hooknum = NF_INET_LOCAL_OUT,
			      .priority = NF_IP6_PRI_RAW - 1 },
};

/*
 * Register exactly the hooks in @want (SMTPRL_HOOK_*), unregistering the
 * others. Config mutex held.
 */
int smtprl_hooks_sync(struct smtprl_net *sn, u32 want)
{
	static const u32 bit[__SMTPRL_OPS_MAX] = {
		[SMTPRL_OPS_PRE4] = SMTPRL_HOOKS_PREROUTING,
		[SMTPRL_OPS_PRE6] = SMTPRL_HOOKS_PREROUTING,
		[SMTPRL_OPS_OUT4] = SMTPRL_HOOKS_OUTPUT,
		[SMTPRL_OPS_OUT6] = SMTPRL_HOOKS_OUTPUT,
	};
	unsigned int i;
	int err;

	lockdep_assert_held(&sn->lock);
	for (i = 0; i < __SMTPRL_OPS_MAX; i++) {
		bool on = sn->hooks_on & bit[i], need = want & bit[i];

		if (on == need)
			continue;
		if (need) {
			sn->ops[i] = hook_templates[i];
			sn->ops[i].priv = sn;
			err = nf_register_net_hook(sn->net, &sn->ops[i]);
			if (err)
				goto err_unwind;
		} else {
			nf_unregister_net_hook(sn->net, &sn->ops[i]);
		}
	}
	sn->hooks_on = want;
	return 0;

err_unwind:
	/* Back to what was registered before: hooks i-1..0 flip back. */
	while (i--) {
		bool on = sn->hooks_on & bit[i], need = want & bit[i];

		if (on == need)
			continue;
		if (need)
			nf_unregister_net_hook(sn->net, &sn->ops[i]);
		else
			WARN_ON(nf_register_net_hook(sn->net, &sn->ops[i]));
	}
	return err;
}
