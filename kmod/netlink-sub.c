// SPDX-License-Identifier: GPL-2.0
/*
 * Requests on subscribers: add (bind), del (unbind, or end the session),
 * get, dump, flush. Process context; changes under the config mutex,
 * every attribute checked before anything changes.
 */

#include <linux/math64.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "attrs.h"
#include "netlink.h"
#include "smtprl.h"

#define PAD	SMTPRL_A_ENTRY_PAD

/* Refuse with @bad, pointing at @attr (a nest the request carried). */
static int refuse_at(struct netlink_ext_ack *extack, const struct nlattr *attr,
		     const struct smtprl_bad *bad, int err)
{
	if (err && bad->msg) {
		do_trace_netlink_extack(bad->msg);
		extack->_msg = bad->msg;
		NL_SET_BAD_ATTR(extack, attr);
	}
	return err;
}

/* One bind nest: addr4 or addr6, and plen (default: the whole address). */
static int parse_bind(const struct nlattr *nest, struct smtprl_pfx_key *k,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SMTPRL_A_ENTRY_PLEN + 1];
	struct smtprl_bad bad = {};
	union smtprl_addr a = {};
	u8 family, plen;
	int err;

	err = nla_parse_nested(tb, SMTPRL_A_ENTRY_PLEN, nest, smtprl_bind_nl_policy,
			       extack);
	if (err)
		return err;
	if (!tb[SMTPRL_A_ENTRY_ADDR4] == !tb[SMTPRL_A_ENTRY_ADDR6]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "bind: give addr4 or addr6");
		return -EINVAL;
	}
	if (tb[SMTPRL_A_ENTRY_ADDR4]) {
		a.v4 = nla_get_in_addr(tb[SMTPRL_A_ENTRY_ADDR4]);
		family = NFPROTO_IPV4;
		plen = 32;
	} else {
		a.v6 = nla_get_in6_addr(tb[SMTPRL_A_ENTRY_ADDR6]);
		family = NFPROTO_IPV6;
		plen = 128;
	}
	if (tb[SMTPRL_A_ENTRY_PLEN]) {
		if (nla_get_u8(tb[SMTPRL_A_ENTRY_PLEN]) > plen) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SMTPRL_A_ENTRY_PLEN],
					    "plen: longer than the address");
			return -EINVAL;
		}
		plen = nla_get_u8(tb[SMTPRL_A_ENTRY_PLEN]);
	}
	err = smtprl_pfx_key_init(k, family, &a, plen, &bad);
	return refuse_at(extack, tb[SMTPRL_A_ENTRY_PLEN] ?: nest, &bad, err);
}

/* The bind nests of the request, at most SMTPRL_SUB_BINDS_MAX. */
static int parse_binds(struct genl_info *info, struct smtprl_pfx_key *keys,
		       unsigned int *n)
{
	const struct nlattr *a;
	int rem, err;

	*n = 0;
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != SMTPRL_A_ENTRY_BIND)
			continue;
		if (*n == SMTPRL_SUB_BINDS_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "bind: at most 8 per subscriber");
			return -E2BIG;
		}
		err = parse_bind(a, &keys[(*n)++], info->extack);
		if (err)
			return err;
	}
	return 0;
}

static int parse_name(struct genl_info *info, char *name)
{
	struct smtprl_bad bad = {};
	int err;

	if (!info->attrs[SMTPRL_A_ENTRY_NAME]) {
		NL_SET_ERR_MSG_MOD(info->extack, "name: missing");
		return -EINVAL;
	}
	err = smtprl_sub_name_init(name, nla_data(info->attrs[SMTPRL_A_ENTRY_NAME]), &bad);
	return refuse_at(info->extack, info->attrs[SMTPRL_A_ENTRY_NAME], &bad, err);
}

/* How the subscriber is to be limited: mode, or a rate (mode own). */
static int parse_mode(struct genl_info *info, struct smtprl_sub_req *r)
{
	struct nlattr **tb = info->attrs;

	r->set_mode = tb[SMTPRL_A_ENTRY_MODE] || tb[SMTPRL_A_ENTRY_RATE];
	r->mode = tb[SMTPRL_A_ENTRY_RATE] ? SMTPRL_SUB_MODE_OWN : SMTPRL_SUB_MODE_POLICY;
	r->mode = smtprl_attr_u32(tb, SMTPRL_A_ENTRY_MODE, r->mode);
	r->rate = smtprl_attr_u32(tb, SMTPRL_A_ENTRY_RATE, 0);
	r->rate_unit = smtprl_attr_u32(tb, SMTPRL_A_ENTRY_RATE_UNIT, 0);
	r->burst = smtprl_attr_u32(tb, SMTPRL_A_ENTRY_BURST, 0);
	r->daily = smtprl_attr_u32(tb, SMTPRL_A_ENTRY_DAILY, 0);
	if (r->mode == SMTPRL_SUB_MODE_OWN && !r->rate) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SMTPRL_A_ENTRY_MODE],
				    "mode: own needs a rate");
		return -EINVAL;
	}
	if (r->mode != SMTPRL_SUB_MODE_OWN &&
	    (tb[SMTPRL_A_ENTRY_RATE] || tb[SMTPRL_A_ENTRY_RATE_UNIT] ||
	     tb[SMTPRL_A_ENTRY_BURST] || tb[SMTPRL_A_ENTRY_DAILY])) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SMTPRL_A_ENTRY_MODE],
				    "mode: rate, rate-unit, burst and daily only with mode own");
		return -EINVAL;
	}
	return 0;
}

int smtprl_nl_subscriber_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = smtprl_info_sn(info);
	const struct smtprl_policy *p;
	struct smtprl_sub_done done;
	struct smtprl_bad bad = {};
	struct smtprl_sub_req *r;
	int err;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	err = parse_name(info, r->name);
	if (!err)
		err = parse_binds(info, r->binds, &r->nbinds);
	if (!err)
		err = parse_mode(info, r);
	if (err)
		goto out;
	r->replace = nla_get_flag(info->attrs[SMTPRL_A_ENTRY_REPLACE]);
	mutex_lock(&sn->lock);
	p = smtprl_policy_locked(sn);
	err = smtprl_sub_add(&sn->subs, r, p->cfg.max_subscribers,
			     (u64)p->cfg.subscriber_linger * NSEC_PER_SEC,
			     smtprl_now_ns(), &done, &bad);
	if (err == -ENOSPC && bad.attr == SMTPRL_A_ENTRY_NAME)
		smtprl_stat_inc(sn, SMTPRL_A_STATS_SUBSCRIBER_FULL);
	smtprl_stat_add(sn, SMTPRL_A_STATS_BIND_MOVED, done.moved);
	if (sn->subs.nlinger)
		smtprl_gc_kick(sn);
	mutex_unlock(&sn->lock);
	err = smtprl_nl_refuse(info, SMTPRL_A_ENTRY_BIND, &bad, err);
out:
	kfree(r);
	return err;
}

int smtprl_nl_subscriber_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = smtprl_info_sn(info);
	struct smtprl_pfx_key keys[SMTPRL_SUB_BINDS_MAX];
	char name[SMTPRL_SUB_NAME_MAX + 1];
	const struct smtprl_policy *p;
	struct smtprl_bad bad = {};
	unsigned int n;
	u64 linger_s;
	int err;

	err = parse_name(info, name);
	if (!err)
		err = parse_binds(info, keys, &n);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	p = smtprl_policy_locked(sn);
	linger_s = p->cfg.subscriber_linger;
	if (info->attrs[SMTPRL_A_ENTRY_LINGER]) {
		linger_s = nla_get_u64(info->attrs[SMTPRL_A_ENTRY_LINGER]);
		if (linger_s > SMTPRL_POLICY_SUBSCRIBER_LINGER_MAX) {
			mutex_unlock(&sn->lock);
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SMTPRL_A_ENTRY_LINGER],
					    "linger: at most 30 days");
			return -ERANGE;
		}
	}
	if (n)
		err = smtprl_sub_unbind(&sn->subs, name, keys, n, linger_s * NSEC_PER_SEC,
					smtprl_now_ns(), &bad);
	else
		err = smtprl_sub_end(&sn->subs, name, linger_s * NSEC_PER_SEC,
				     smtprl_now_ns(), smtprl_sub_forget, sn);
	if (sn->subs.nlinger)
		smtprl_gc_kick(sn);
	mutex_unlock(&sn->lock);
	if (err == -ENOENT && !bad.msg)
		smtprl_refuse(&bad, SMTPRL_A_ENTRY_NAME, "name: no such subscriber", err);
	return smtprl_nl_refuse(info, SMTPRL_A_ENTRY_LINGER, &bad, err);
}

int smtprl_nl_subscriber_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = smtprl_info_sn(info);
	int err = smtprl_no_attrs(info->nlhdr, info->extack);

	if (err)
		return err;
	mutex_lock(&sn->lock);
	smtprl_subs_flush(&sn->subs, smtprl_sub_forget, sn);
	mutex_unlock(&sn->lock);
	return 0;
}

/* A subscriber on the wire, under RCU. */
static int fill_sub(struct sk_buff *skb, void *obj, void *arg, u64 now)
{
	const struct smtprl_sub *sub = obj;
	const struct smtprl_sub_cfg *cfg = rcu_dereference(sub->cfg);
	const struct smtprl_bind *b;
	struct nlattr *nest;
	u64 until;

	if (nla_put_string(skb, SMTPRL_A_ENTRY_NAME, sub->name) ||
	    nla_put_u32(skb, SMTPRL_A_ENTRY_MODE, cfg ? cfg->mode : SMTPRL_SUB_MODE_POLICY))
		return -EMSGSIZE;
	if (cfg && cfg->mode == SMTPRL_SUB_MODE_OWN &&
	    (nla_put_u32(skb, SMTPRL_A_ENTRY_RATE, cfg->rate) ||
	     nla_put_u32(skb, SMTPRL_A_ENTRY_RATE_UNIT, cfg->rate_unit) ||
	     (cfg->burst && nla_put_u32(skb, SMTPRL_A_ENTRY_BURST, cfg->burst)) ||
	     (cfg->daily && nla_put_u32(skb, SMTPRL_A_ENTRY_DAILY, cfg->daily))))
		return -EMSGSIZE;
	hlist_for_each_entry_rcu(b, &sub->binds, node) {
		nest = nla_nest_start(skb, SMTPRL_A_ENTRY_BIND);
		if (!nest || smtprl_put_prefix(skb, b->pfx.key.family, &b->pfx.key.addr,
					       b->pfx.key.plen))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	/* Lingering: how long its state is kept yet. */
	if (!READ_ONCE(sub->nbinds)) {
		until = READ_ONCE(sub->linger_until_ns);
		if (nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_LINGER,
				      div_u64(until > now ? until - now : 0, NSEC_PER_SEC),
				      PAD))
			return -EMSGSIZE;
	}
	return 0;
}

static void *find_sub(struct smtprl_net *sn, const void *name)
{
	return smtprl_sub_find(&sn->subs, name);
}

int smtprl_nl_subscriber_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	char name[SMTPRL_SUB_NAME_MAX + 1];
	int err;

	err = parse_name(info, name);
	if (err)
		return err;
	err = smtprl_reply_one(info, find_sub, name, fill_sub);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SMTPRL_A_ENTRY_NAME],
				    "name: no such subscriber");
	return err;
}

int smtprl_nl_subscriber_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct smtprl_net *sn = smtprl_cb_sn(cb);
	int err = smtprl_no_attrs(cb->nlh, cb->extack);

	if (err)
		return err;
	return smtprl_dump(skb, cb, &sn->subs.names, offsetof(struct smtprl_sub, node),
			  fill_sub);
}
