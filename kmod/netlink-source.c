// SPDX-License-Identifier: GPL-2.0
/*
 * Requests on tracked sources: get, dump, forget, quarantine, release.
 * A request names a source by an address in it, or a subscriber's state
 * by the subscriber's name or any address bound to it. Process context;
 * changes under the config mutex.
 */

#include <linux/overflow.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "attrs.h"
#include "events.h"
#include "netlink.h"
#include "smtprl.h"

static int fill_source(struct sk_buff *skb, void *obj, void *arg, u64 now)
{
	struct smtprl_net *sn = arg;
	const struct smtprl_policy *p = rcu_dereference(sn->policy);
	struct smtprl_snap s;

	if (!smtprl_entry_snap(obj, p, now, &s))
		return -ENOENT;
	return smtprl_put_source(skb, &s, p, smtprl_snap_sub(&sn->subs, &s), now);
}

/*
 * The key of the source the request names: a subscriber's (by name, or
 * by an address bound to it), or the one covering the address (its scope
 * prefix's group, or the policy's prefix length).
 */
static int source_key(struct genl_info *info, struct smtprl_net *sn, struct smtprl_key *k)
{
	char name[SMTPRL_SUB_NAME_MAX + 1];
	const struct smtprl_policy *p;
	struct smtprl_bad bad = {};
	const struct smtprl_pfx *sp;
	struct smtprl_pfx_key pk;
	struct smtprl_sub *sub;
	int err;

	memset(k, 0, sizeof(*k));
	if (info->attrs[SMTPRL_A_ENTRY_NAME]) {
		if (info->attrs[SMTPRL_A_ENTRY_ADDR4] || info->attrs[SMTPRL_A_ENTRY_ADDR6]) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SMTPRL_A_ENTRY_NAME],
					    "name: give a name or an address, not both");
			return -EINVAL;
		}
		err = smtprl_sub_name_init(name, nla_data(info->attrs[SMTPRL_A_ENTRY_NAME]),
					   &bad);
		if (err)
			return smtprl_nl_refuse(info, SMTPRL_A_ENTRY_NAME, &bad, err);
		rcu_read_lock();
		sub = smtprl_sub_find(&sn->subs, name);
		if (sub)
			smtprl_sub_key(k, sub->id);
		rcu_read_unlock();
		if (!sub)
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SMTPRL_A_ENTRY_NAME],
					    "name: no such subscriber");
		return sub ? 0 : -ENOENT;
	}
	err = smtprl_parse_prefix(info, &pk, false);
	if (err)
		return err;
	rcu_read_lock();
	sub = smtprl_bind_match(&sn->subs, pk.family, &pk.addr);
	if (sub) {
		smtprl_sub_key(k, sub->id);
	} else {
		k->family = pk.family;
		p = rcu_dereference(sn->policy);
		sp = smtprl_pfxset_match(&sn->scope, pk.family, &pk.addr);
		k->plen = sp ? READ_ONCE(sp->group) : 0;
		if (!k->plen)
			k->plen = pk.family == NFPROTO_IPV4 ? p->cfg.v4_prefix
							    : p->cfg.v6_prefix;
		smtprl_addr_mask(&k->addr, &pk.addr, k->family, k->plen);
	}
	rcu_read_unlock();
	return 0;
}

static void not_tracked(struct genl_info *info)
{
	if (info->attrs[SMTPRL_A_ENTRY_NAME])
		NL_SET_ERR_MSG_MOD(info->extack,
				   "name: no state: no connection since the subscriber was bound");
	else
		NL_SET_ERR_MSG_MOD(info->extack, "addr: source not tracked");
}

static void *find_source(struct smtprl_net *sn, const void *key)
{
	struct smtprl_entry *e = smtprl_table_lookup(&sn->sources, key);

	return e && !READ_ONCE(e->dead) ? e : NULL;
}

int smtprl_nl_source_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_key k;
	int err;

	err = source_key(info, smtprl_info_sn(info), &k);
	if (err)
		return err;
	err = smtprl_reply_one(info, find_source, &k, fill_source);
	if (err == -ENOENT)
		not_tracked(info);
	return err;
}

int smtprl_nl_source_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct smtprl_net *sn = smtprl_cb_sn(cb);
	int err = smtprl_no_attrs(cb->nlh, cb->extack);

	if (err)
		return err;
	return smtprl_dump(skb, cb, &sn->sources.ht,
			  offsetof(struct smtprl_entry, node), fill_source);
}

int smtprl_nl_source_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = smtprl_info_sn(info);
	struct smtprl_forget f = { .released = smtprl_forgot, .arg = sn };
	struct smtprl_key k;
	int err;

	err = source_key(info, sn, &k);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	f.p = smtprl_policy_locked(sn);
	f.now_ns = smtprl_now_ns();
	err = smtprl_table_reset(&sn->sources, &k, &f);
	mutex_unlock(&sn->lock);
	if (err == -ENOENT)
		not_tracked(info);
	return err;
}

int smtprl_nl_source_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = smtprl_info_sn(info);
	struct smtprl_forget f = { .released = smtprl_forgot, .arg = sn };
	int err = smtprl_no_attrs(info->nlhdr, info->extack);

	if (err)
		return err;
	mutex_lock(&sn->lock);
	f.p = smtprl_policy_locked(sn);
	f.now_ns = smtprl_now_ns();
	smtprl_table_flush(&sn->sources, &f);
	mutex_unlock(&sn->lock);
	return 0;
}

/* source-quarantine / source-release */

int smtprl_nl_source_quarantine_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = smtprl_info_sn(info);
	const struct smtprl_policy *p;
	struct smtprl_entry *e;
	struct smtprl_sub *sub;
	struct smtprl_watch *w;
	struct smtprl_snap s;
	struct smtprl_key k;
	u8 cause = SMTPRL_CAUSE_OPERATOR;
	u64 now, for_ns;
	int err;

	if (info->attrs[SMTPRL_A_ENTRY_CAUSE]) {
		cause = nla_get_u32(info->attrs[SMTPRL_A_ENTRY_CAUSE]);
		if (cause == SMTPRL_CAUSE_NONE) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SMTPRL_A_ENTRY_CAUSE],
					    "cause: none is no cause");
			return -EINVAL;
		}
	}
	err = source_key(info, sn, &k);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	p = smtprl_policy_locked(sn);
	now = smtprl_now_ns();
	for_ns = p->q.max_ns;
	/* Seconds; so many that they overflow in ns mean "for ever". */
	if (info->attrs[SMTPRL_A_ENTRY_EXPIRES] &&
	    check_mul_overflow(nla_get_u64(info->attrs[SMTPRL_A_ENTRY_EXPIRES]),
			       (u64)NSEC_PER_SEC, &for_ns))
		for_ns = U64_MAX;
	/* Before the source is tracked: a refusal leaves nothing behind. */
	w = smtprl_watch_alloc(GFP_KERNEL);
	if (!w) {
		mutex_unlock(&sn->lock);
		return -ENOMEM;
	}
	rcu_read_lock();
	sub = k.family == SMTPRL_FAMILY_SUB ?
	      smtprl_sub_by_id(&sn->subs, smtprl_sub_id(k.addr.v6.s6_addr32)) : NULL;
	/* Tracked from now on: a full bucket, as any new source. */
	e = smtprl_table_get(&sn->sources, &k, smtprl_sub_limit(sub, p),
			     p->cfg.max_sources, now);
	if (!e) {
		smtprl_watch_free(w);
		NL_SET_ERR_MSG_MOD(info->extack, "addr: the source table is full");
		err = -ENOSPC;
	} else {
		err = smtprl_entry_quarantine(&sn->sources, e, now, for_ns, cause, w);
		if (err > 0) {
			/* A new quarantine, not a longer one. */
			smtprl_stat_inc(sn, SMTPRL_A_STATS_QUARANTINES);
			if (smtprl_entry_snap(e, p, now, &s))
				smtprl_notify_source(sn, SMTPRL_CMD_QUARANTINED_NTF,
						     &s, 0, now);
			err = 0;
		} else if (err == -ENOENT) {
			NL_SET_ERR_MSG_MOD(info->extack,
					   "addr: source forgotten meanwhile, try again");
		}
	}
	rcu_read_unlock();
	mutex_unlock(&sn->lock);
	return err;
}

int smtprl_nl_source_release_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = smtprl_info_sn(info);
	const struct smtprl_policy *p;
	struct smtprl_entry *e;
	struct smtprl_snap s;
	struct smtprl_key k;
	u64 now;
	int err;

	err = source_key(info, sn, &k);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	p = smtprl_policy_locked(sn);
	now = smtprl_now_ns();
	rcu_read_lock();
	e = smtprl_table_lookup(&sn->sources, &k);
	err = e ? smtprl_entry_release(e, p, now, SMTPRL_RELEASE_OPERATOR, &s) : -ENOENT;
	if (!err) {
		smtprl_stat_inc(sn, SMTPRL_A_STATS_RELEASES);
		smtprl_notify_source(sn, SMTPRL_CMD_RELEASED_NTF, &s,
				     SMTPRL_RELEASE_OPERATOR, now);
	}
	rcu_read_unlock();
	mutex_unlock(&sn->lock);
	if (err == -ENOENT)
		not_tracked(info);
	else if (err == -ESRCH)
		NL_SET_ERR_MSG_MOD(info->extack, "addr: source not quarantined");
	return err;
}

