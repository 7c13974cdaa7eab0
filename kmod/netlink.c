// SPDX-License-Identifier: GPL-2.0
/*
 * The smtprl generic-netlink family: what every request handler shares,
 * and the policy and stats requests. Policies, the ops table and the
 * family come from Documentation/netlink/specs/smtprl.yaml (netlink-gen.c,
 * or netlink-gen-compat.c before 6.2); the handlers of the prefix sets
 * are in netlink-prefix.c, those of sources in netlink-source.c. Every
 * handler runs in process context; changes are made under the
 * namespace's config mutex, validated completely before anything changes.
 */

#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "netlink.h"
#include "smtprl.h"

/* Ops without a request policy take no attributes at all. */
int smtprl_no_attrs(const struct nlmsghdr *nlh, struct netlink_ext_ack *extack)
{
	if (nlmsg_attrlen(nlh, GENL_HDRLEN)) {
		NL_SET_ERR_MSG_MOD(extack, "this command takes no attributes");
		return -EINVAL;
	}
	return 0;
}

void *smtprl_reply_put(struct sk_buff *skb, struct genl_info *info)
{
	return genlmsg_put(skb, info->snd_portid, info->snd_seq,
			   &smtprl_nl_family, 0, info->genlhdr->cmd);
}

/*
 * The core's refusal, on the wire: the reason, and a pointer to the
 * attribute it blames when the request carried it, as the policy checks
 * do, so that a client can show which one was refused. A prefix is
 * blamed on its length or, if none was given, on its address. Only
 * types up to the op's @maxattr exist in info->attrs.
 */
int smtprl_nl_refuse(struct genl_info *info, int maxattr,
		     const struct smtprl_bad *bad, int err)
{
	static const u16 prefix[] = {
		SMTPRL_A_ENTRY_PLEN, SMTPRL_A_ENTRY_ADDR4, SMTPRL_A_ENTRY_ADDR6
	};
	struct netlink_ext_ack *extack = info->extack;
	unsigned int i;
	u16 attr;

	if (!err || !bad->msg)
		return err;
	do_trace_netlink_extack(bad->msg);
	extack->_msg = bad->msg;
	for (i = 0; i < ARRAY_SIZE(prefix); i++) {
		attr = bad->attr == SMTPRL_A_ENTRY_PLEN ? prefix[i] : bad->attr;
		if (attr && attr <= maxattr && info->attrs[attr]) {
			NL_SET_BAD_ATTR(extack, info->attrs[attr]);
			break;
		}
		if (bad->attr != SMTPRL_A_ENTRY_PLEN)
			break;
	}
	return err;
}

/*
 * The prefix named by addr4/addr6 and plen (default: the full address).
 * info->attrs is sized to the op's maxattr: only ops whose request has
 * plen (@with_plen) may look at it.
 */
int smtprl_parse_prefix(struct genl_info *info, struct smtprl_pfx_key *k,
			bool with_plen)
{
	struct nlattr **tb = info->attrs;
	struct smtprl_bad bad = {};
	union smtprl_addr a = {};
	u8 family, plen;

	if (tb[SMTPRL_A_ENTRY_ADDR4] && tb[SMTPRL_A_ENTRY_ADDR6]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SMTPRL_A_ENTRY_ADDR6],
				    "addr6: give addr4 or addr6, not both");
		return -EINVAL;
	}
	if (tb[SMTPRL_A_ENTRY_ADDR4]) {
		a.v4 = nla_get_in_addr(tb[SMTPRL_A_ENTRY_ADDR4]);
		family = NFPROTO_IPV4;
		plen = 32;
	} else if (tb[SMTPRL_A_ENTRY_ADDR6]) {
		a.v6 = nla_get_in6_addr(tb[SMTPRL_A_ENTRY_ADDR6]);
		family = NFPROTO_IPV6;
		plen = 128;
	} else {
		NL_SET_ERR_MSG_MOD(info->extack, "addr4 or addr6: missing");
		return -EINVAL;
	}
	if (with_plen && tb[SMTPRL_A_ENTRY_PLEN]) {
		if (nla_get_u8(tb[SMTPRL_A_ENTRY_PLEN]) > plen) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[SMTPRL_A_ENTRY_PLEN],
					    "plen: longer than the address");
			return -EINVAL;
		}
		plen = nla_get_u8(tb[SMTPRL_A_ENTRY_PLEN]);
	}
	return smtprl_nl_refuse(info, with_plen ? SMTPRL_A_ENTRY_PLEN : SMTPRL_A_ENTRY_ADDR6,
				&bad, smtprl_pfx_key_init(k, family, &a, plen, &bad));
}

/* Reply with the one object @find returns for @key (under RCU), or -ENOENT. */
int smtprl_reply_one(struct genl_info *info,
		     void *(*find)(struct smtprl_net *sn, const void *key),
		     const void *key, smtprl_fill_fn fill)
{
	struct smtprl_net *sn = smtprl_info_sn(info);
	struct sk_buff *msg;
	void *hdr, *obj;
	int err = -EMSGSIZE;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = smtprl_reply_put(msg, info);
	rcu_read_lock();
	obj = find(sn, key);
	if (!obj)
		err = -ENOENT;
	else if (hdr && !fill(msg, obj, sn, smtprl_now_ns()))
		err = 0;
	rcu_read_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* A resumable dump of @ht, in the request's namespace and our family. */
int smtprl_dump(struct sk_buff *skb, struct netlink_callback *cb,
		struct rhashtable *ht, unsigned int head_offset,
		smtprl_fill_fn fill)
{
	return smtprl_dump_table(skb, cb, &smtprl_nl_family, ht, head_offset,
				 fill, smtprl_cb_sn(cb));
}

/* policy-get / policy-set */

static int put_policy(struct sk_buff *skb, const struct smtprl_policy_cfg *cfg,
		      bool enabled)
{
	const struct smtprl_field *f;
	unsigned int i;
	u32 v;

	if (nla_put_u8(skb, SMTPRL_A_POLICY_ENABLED, enabled))
		return -EMSGSIZE;
	for (f = smtprl_policy_fields; f < smtprl_policy_fields + smtprl_policy_nfields; f++) {
		if (f->kind == SMTPRL_KIND_PORTS) {
			for (i = 0; i < cfg->nports; i++)
				if (nla_put_u16(skb, f->attr, cfg->ports[i]))
					return -EMSGSIZE;
			continue;
		}
		v = smtprl_field_get(cfg, f);
		if (f->width == 1 ? nla_put_u8(skb, f->attr, v) :
		    f->width == 2 ? nla_put_u16(skb, f->attr, v) :
		    nla_put_u32(skb, f->attr, v))
			return -EMSGSIZE;
	}
	return 0;
}

int smtprl_nl_policy_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = smtprl_info_sn(info);
	struct smtprl_policy_cfg cfg;
	struct sk_buff *msg;
	bool enabled;
	void *hdr;
	int err;

	err = smtprl_no_attrs(info->nlhdr, info->extack);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	cfg = smtprl_policy_locked(sn)->cfg;
	enabled = sn->enabled;
	mutex_unlock(&sn->lock);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = smtprl_reply_put(msg, info);
	if (!hdr || put_policy(msg, &cfg, enabled)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* The ports given replace the whole set. */
static int get_ports(struct genl_info *info, struct smtprl_policy_cfg *cfg)
{
	const struct nlattr *a;
	int rem, n = 0;

	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != SMTPRL_A_POLICY_PORT)
			continue;
		if (n == SMTPRL_MAX_PORTS) {
			NL_SET_ERR_MSG_ATTR(info->extack, a, "port: at most 8 ports");
			return -EINVAL;
		}
		cfg->ports[n++] = nla_get_u16(a);
	}
	cfg->nports = n;
	return 0;
}

int smtprl_nl_policy_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = smtprl_info_sn(info);
	struct nlattr **tb = info->attrs;
	const struct smtprl_field *f;
	struct smtprl_policy_cfg cfg;
	struct smtprl_bad bad = {};
	int err = 0;

	mutex_lock(&sn->lock);
	/* Fields not given keep their value. */
	cfg = smtprl_policy_locked(sn)->cfg;
	for (f = smtprl_policy_fields; f < smtprl_policy_fields + smtprl_policy_nfields; f++) {
		if (!tb[f->attr])
			continue;
		if (f->kind == SMTPRL_KIND_PORTS)
			err = get_ports(info, &cfg);
		else
			smtprl_field_set(&cfg, f, f->width == 1 ? nla_get_u8(tb[f->attr]) :
					 f->width == 2 ? nla_get_u16(tb[f->attr]) :
					 nla_get_u32(tb[f->attr]));
		if (err)
			goto out;
	}
	err = smtprl_policy_set(sn, &cfg, tb[SMTPRL_A_POLICY_ENABLED] ?
				!!nla_get_u8(tb[SMTPRL_A_POLICY_ENABLED]) : sn->enabled,
				&bad);
out:
	mutex_unlock(&sn->lock);
	return smtprl_nl_refuse(info, SMTPRL_A_POLICY_MAX, &bad, err);
}

/* stats-get */

int smtprl_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = smtprl_info_sn(info);
	struct smtprl_stats st;
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;
	int err;

	err = smtprl_no_attrs(info->nlhdr, info->extack);
	if (err)
		return err;
	smtprl_stats_read(sn, &st);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = smtprl_reply_put(msg, info);
	if (!hdr)
		goto err_free;
	for (i = 1; i < SMTPRL_STATS_N; i++)
		if (smtprl_stat_counted(i) &&
		    nla_put_u64_64bit(msg, i, st.c[i], SMTPRL_A_STATS_PAD))
			goto err_free;
	if (nla_put_u32(msg, SMTPRL_A_STATS_QUARANTINED_NOW, smtprl_quarantined_now(sn, &st)) ||
	    nla_put_u32(msg, SMTPRL_A_STATS_ENTRIES, atomic_read(&sn->sources.count)) ||
	    nla_put_u32(msg, SMTPRL_A_STATS_EXEMPTIONS, READ_ONCE(sn->exempt.n)) ||
	    nla_put_u32(msg, SMTPRL_A_STATS_SUBSCRIBERS, READ_ONCE(sn->subs.n)) ||
	    nla_put_u32(msg, SMTPRL_A_STATS_BINDINGS, READ_ONCE(sn->subs.binds.n)) ||
	    nla_put_u32(msg, SMTPRL_A_STATS_LINGERING, READ_ONCE(sn->subs.nlinger)) ||
	    nla_put_u64_64bit(msg, SMTPRL_A_STATS_MEMORY, smtprl_table_memory(&sn->sources),
			      SMTPRL_A_STATS_PAD))
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

