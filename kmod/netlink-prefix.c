// SPDX-License-Identifier: GPL-2.0
/*
 * Requests on the prefix sets: scope (prefixes and interfaces), relay
 * and exemptions. Process context, config mutex for every change.
 */

#include <net/genetlink.h>
#include <net/netlink.h>

#include "attrs.h"
#include "netlink.h"
#include "smtprl.h"

#define PAD	SMTPRL_A_ENTRY_PAD

/* scope and relay */

static struct smtprl_pfxset *scope_of(struct smtprl_net *sn)
{
	return &sn->scope;
}

static struct smtprl_pfxset *relay_of(struct smtprl_net *sn)
{
	return &sn->relay;
}

/*
 * A scope prefix's group: absent (0, the policy's), or a length from the
 * prefix's own to the address's. Only scope-add's policy has the slot.
 */
static int scope_group(struct genl_info *info, const struct smtprl_pfx_key *k, u8 *group)
{
	struct nlattr *a = info->attrs[SMTPRL_A_ENTRY_GROUP];
	u8 max = k->family == NFPROTO_IPV4 ? 32 : 128;

	*group = a ? nla_get_u8(a) : 0;
	if (a && *group < k->plen) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "group: shorter than the prefix");
		return -EINVAL;
	}
	if (a && *group > max) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "group: longer than the address");
		return -EINVAL;
	}
	return 0;
}

/*
 * Add or delete a scope or relay prefix; scope entries may be interfaces,
 * and scope prefixes carry a group. info->attrs is sized to the op's
 * maxattr: relay requests have no ifname or group slot at all.
 */
static int pfx_change(struct genl_info *info, struct smtprl_pfxset *(*set)(struct smtprl_net *),
		      bool add)
{
	struct smtprl_net *sn = smtprl_info_sn(info);
	bool scope_add = set == scope_of && add;
	struct smtprl_bad bad = {};
	struct smtprl_pfx_key k;
	u8 group = 0;
	int err;

	if (set == scope_of && info->attrs[SMTPRL_A_ENTRY_IFNAME]) {
		char name[IFNAMSIZ];

		if (info->attrs[SMTPRL_A_ENTRY_ADDR4] || info->attrs[SMTPRL_A_ENTRY_ADDR6]) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SMTPRL_A_ENTRY_IFNAME],
					    "ifname: give an interface or a prefix, not both");
			return -EINVAL;
		}
		if (scope_add && (info->attrs[SMTPRL_A_ENTRY_GROUP] ||
				  info->attrs[SMTPRL_A_ENTRY_REPLACE])) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SMTPRL_A_ENTRY_GROUP] ?:
					    info->attrs[SMTPRL_A_ENTRY_REPLACE],
					    "ifname: group and replace are for prefixes");
			return -EINVAL;
		}
		nla_strscpy(name, info->attrs[SMTPRL_A_ENTRY_IFNAME], sizeof(name));
		mutex_lock(&sn->lock);
		err = add ? smtprl_scope_iface_add(sn, name, &bad)
			  : smtprl_scope_iface_del(sn, name);
		mutex_unlock(&sn->lock);
		if (err == -ENOENT)
			smtprl_refuse(&bad, SMTPRL_A_ENTRY_IFNAME, "ifname: not in scope", err);
		return smtprl_nl_refuse(info, SMTPRL_A_ENTRY_IFNAME, &bad, err);
	}
	err = smtprl_parse_prefix(info, &k, true);
	if (!err && scope_add)
		err = scope_group(info, &k, &group);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	err = add ? smtprl_pfx_add(set(sn), &k, group, scope_add &&
				   nla_get_flag(info->attrs[SMTPRL_A_ENTRY_REPLACE]), &bad)
		  : smtprl_pfx_del(set(sn), &k);
	mutex_unlock(&sn->lock);
	if (err == -ENOENT)
		smtprl_refuse(&bad, SMTPRL_A_ENTRY_PLEN, "prefix: not present", err);
	return smtprl_nl_refuse(info, SMTPRL_A_ENTRY_PLEN, &bad, err);
}

int smtprl_nl_scope_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pfx_change(info, scope_of, true);
}

int smtprl_nl_scope_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pfx_change(info, scope_of, false);
}

int smtprl_nl_relay_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pfx_change(info, relay_of, true);
}

int smtprl_nl_relay_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pfx_change(info, relay_of, false);
}

static int pfx_flush(struct genl_info *info, struct smtprl_pfxset *s, bool ifaces)
{
	struct smtprl_net *sn = smtprl_info_sn(info);
	int err = smtprl_no_attrs(info->nlhdr, info->extack);

	if (err)
		return err;
	mutex_lock(&sn->lock);
	smtprl_pfxset_prune(s, NULL, NULL, smtprl_pfx_release);
	if (ifaces)
		smtprl_scope_iface_flush(sn);
	mutex_unlock(&sn->lock);
	return 0;
}

int smtprl_nl_scope_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pfx_flush(info, &smtprl_info_sn(info)->scope, true);
}

int smtprl_nl_relay_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pfx_flush(info, &smtprl_info_sn(info)->relay, false);
}

static int fill_pfx(struct sk_buff *skb, void *obj, void *arg, u64 now)
{
	const struct smtprl_pfx *p = obj;
	u8 group = READ_ONCE(p->group);

	if (smtprl_put_prefix(skb, p->key.family, &p->key.addr, p->key.plen) ||
	    (group && nla_put_u8(skb, SMTPRL_A_ENTRY_GROUP, group)))
		return -EMSGSIZE;
	return 0;
}

int smtprl_nl_scope_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct smtprl_dump_ctx *ctx = (struct smtprl_dump_ctx *)cb->ctx;
	struct smtprl_net *sn = smtprl_cb_sn(cb);
	const struct smtprl_ifset *ifs;
	int err;

	err = smtprl_no_attrs(cb->nlh, cb->extack);
	if (err)
		return err;
	/* All interfaces in the first message batch: at most 32, they fit. */
	if (ctx->phase == 0) {
		unsigned char *mark = skb_tail_pointer(skb);
		unsigned int i;

		rcu_read_lock();
		ifs = rcu_dereference(sn->scope_ifs);
		for (i = 0; ifs && i < ifs->n; i++) {
			void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
						cb->nlh->nlmsg_seq, &smtprl_nl_family,
						NLM_F_MULTI, SMTPRL_CMD_SCOPE_GET);

			if (!hdr || nla_put_string(skb, SMTPRL_A_ENTRY_IFNAME,
						   ifs->ifs[i].name)) {
				rcu_read_unlock();
				nlmsg_trim(skb, mark);
				return -EMSGSIZE;
			}
			genlmsg_end(skb, hdr);
		}
		rcu_read_unlock();
		ctx->phase = 1;
	}
	return smtprl_dump(skb, cb, &sn->scope.ht, offsetof(struct smtprl_pfx, node), fill_pfx);
}

int smtprl_nl_relay_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct smtprl_net *sn = smtprl_cb_sn(cb);
	int err = smtprl_no_attrs(cb->nlh, cb->extack);

	if (err)
		return err;
	return smtprl_dump(skb, cb, &sn->relay.ht, offsetof(struct smtprl_pfx, node), fill_pfx);
}

/* exemptions */

int smtprl_nl_exempt_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = smtprl_info_sn(info);
	struct nlattr **tb = info->attrs;
	struct smtprl_exempt_spec spec = {};
	struct smtprl_bad bad = {};
	u64 now = smtprl_now_ns();
	int err;

	err = smtprl_parse_prefix(info, &spec.key, true);
	if (err)
		return err;
	spec.rate = smtprl_attr_u32(tb, SMTPRL_A_ENTRY_RATE, spec.rate);
	spec.rate_unit = smtprl_attr_u32(tb, SMTPRL_A_ENTRY_RATE_UNIT, spec.rate_unit);
	spec.burst = smtprl_attr_u32(tb, SMTPRL_A_ENTRY_BURST, spec.burst);
	spec.daily = smtprl_attr_u32(tb, SMTPRL_A_ENTRY_DAILY, spec.daily);
	if (!spec.rate && (tb[SMTPRL_A_ENTRY_RATE_UNIT] || spec.burst || spec.daily)) {
		NL_SET_ERR_MSG_MOD(info->extack, "rate: needed with rate-unit, burst or daily");
		return -EINVAL;
	}
	if (tb[SMTPRL_A_ENTRY_EXPIRES]) {
		u64 secs = nla_get_u64(tb[SMTPRL_A_ENTRY_EXPIRES]);

		if (secs > 100ULL * 365 * 86400) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[SMTPRL_A_ENTRY_EXPIRES],
					    "expires: more than 100 years");
			return -ERANGE;
		}
		spec.expires_ns = now + secs * NSEC_PER_SEC;
	}
	if (tb[SMTPRL_A_ENTRY_COMMENT])
		nla_strscpy(spec.comment, tb[SMTPRL_A_ENTRY_COMMENT], sizeof(spec.comment));

	mutex_lock(&sn->lock);
	err = smtprl_exempt_add(&sn->exempt, &spec, nla_get_flag(tb[SMTPRL_A_ENTRY_REPLACE]),
				now, &bad);
	mutex_unlock(&sn->lock);
	if (!err)
		smtprl_gc_kick(sn);	/* it may expire */
	return smtprl_nl_refuse(info, SMTPRL_A_ENTRY_REPLACE, &bad, err);
}

int smtprl_nl_exempt_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = smtprl_info_sn(info);
	struct smtprl_pfx_key k;
	int err;

	err = smtprl_parse_prefix(info, &k, true);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	err = smtprl_exempt_del(&sn->exempt, &k);
	mutex_unlock(&sn->lock);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_MOD(info->extack, "prefix: no such exemption");
	return err;
}

int smtprl_nl_exempt_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = smtprl_info_sn(info);
	int err = smtprl_no_attrs(info->nlhdr, info->extack);

	if (err)
		return err;
	mutex_lock(&sn->lock);
	smtprl_exempt_flush(&sn->exempt);
	mutex_unlock(&sn->lock);
	return 0;
}

static int fill_exempt(struct sk_buff *skb, void *obj, void *arg, u64 now)
{
	struct smtprl_exempt *ex = obj;
	const struct smtprl_exempt_spec *spec = &ex->spec;
	u64 allowed, limited, tokens;

	spin_lock_bh(&ex->lock);
	allowed = ex->allowed;
	limited = ex->limited;
	tokens = smtprl_bucket_level(ex->b.tokens_ns, ex->b.last_ns, &ex->limit.rate, now);
	spin_unlock_bh(&ex->lock);

	if (smtprl_put_prefix(skb, spec->key.family, &spec->key.addr, spec->key.plen))
		return -EMSGSIZE;
	if (spec->rate &&
	    (nla_put_u32(skb, SMTPRL_A_ENTRY_RATE, spec->rate) ||
	     nla_put_u32(skb, SMTPRL_A_ENTRY_RATE_UNIT, spec->rate_unit) ||
	     nla_put_u32(skb, SMTPRL_A_ENTRY_BURST, spec->burst ?: spec->rate) ||
	     (spec->daily && nla_put_u32(skb, SMTPRL_A_ENTRY_DAILY, spec->daily)) ||
	     nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_TOKENS, tokens, PAD)))
		return -EMSGSIZE;
	/* Remaining seconds, rounded up: save and restore never shortens it. */
	if (spec->expires_ns &&
	    nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_EXPIRES,
			      spec->expires_ns > now ?
			      div64_u64(spec->expires_ns - now + NSEC_PER_SEC - 1,
					NSEC_PER_SEC) : 1, PAD))
		return -EMSGSIZE;
	if (spec->comment[0] && nla_put_string(skb, SMTPRL_A_ENTRY_COMMENT, spec->comment))
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_ALLOWED, allowed, PAD) ||
	    nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_LIMITED, limited, PAD))
		return -EMSGSIZE;
	return 0;
}

static void *find_exempt(struct smtprl_net *sn, const void *key)
{
	return smtprl_pfxset_find(&sn->exempt, key);
}

int smtprl_nl_exempt_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_pfx_key k;
	int err;

	err = smtprl_parse_prefix(info, &k, true);
	if (err)
		return err;
	err = smtprl_reply_one(info, find_exempt, &k, fill_exempt);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_MOD(info->extack, "prefix: no such exemption");
	return err;
}

int smtprl_nl_exempt_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct smtprl_net *sn = smtprl_cb_sn(cb);
	int err = smtprl_no_attrs(cb->nlh, cb->extack);

	if (err)
		return err;
	return smtprl_dump(skb, cb, &sn->exempt.ht,
			  offsetof(struct smtprl_exempt, pfx.node), fill_exempt);
}

