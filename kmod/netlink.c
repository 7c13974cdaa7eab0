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
 * The core's validators know nothing of netlink; they report "field:
 * reason" using the spec's attribute names. When the request carried the
 * attribute a message is about, point the extack at it too, as the
 * policy checks do, so that a client can show which one was refused.
 * Only types up to the op's @maxattr exist in info->attrs.
 */
static const struct smtprl_req_field policy_fields[] = {
	{ "rate", SMTPRL_A_POLICY_RATE },
	{ "rate", SMTPRL_A_POLICY_RATE_UNIT },
	{ "burst", SMTPRL_A_POLICY_BURST },
	{ "daily", SMTPRL_A_POLICY_DAILY },
	{ "port", SMTPRL_A_POLICY_PORT },
	{ "action", SMTPRL_A_POLICY_ACTION },
	{ "when-full", SMTPRL_A_POLICY_WHEN_FULL },
	{ "v4-prefix", SMTPRL_A_POLICY_V4_PREFIX },
	{ "v6-prefix", SMTPRL_A_POLICY_V6_PREFIX },
	{ "max-sources", SMTPRL_A_POLICY_MAX_SOURCES },
	{ "hooks", SMTPRL_A_POLICY_HOOKS },
	{ "enabled", SMTPRL_A_POLICY_ENABLED },
	{ "strikes", SMTPRL_A_POLICY_STRIKES },
	{ "strike-window", SMTPRL_A_POLICY_STRIKE_WINDOW },
	{ "release-after", SMTPRL_A_POLICY_RELEASE_AFTER },
	{ "quarantine-max", SMTPRL_A_POLICY_QUARANTINE_MAX },
	{ "fanout-limit", SMTPRL_A_POLICY_FANOUT_LIMIT },
	{ "event-interval", SMTPRL_A_POLICY_EVENT_INTERVAL },
};

static const struct smtprl_req_field entry_fields[] = {
	{ "prefix", SMTPRL_A_ENTRY_PLEN },
	{ "prefix", SMTPRL_A_ENTRY_ADDR4 },
	{ "prefix", SMTPRL_A_ENTRY_ADDR6 },
	{ "ifname", SMTPRL_A_ENTRY_IFNAME },
	{ "rate", SMTPRL_A_ENTRY_RATE },
	{ "rate", SMTPRL_A_ENTRY_RATE_UNIT },
	{ "burst", SMTPRL_A_ENTRY_BURST },
	{ "daily", SMTPRL_A_ENTRY_DAILY },
	{ "expires", SMTPRL_A_ENTRY_EXPIRES },
	{ "comment", SMTPRL_A_ENTRY_COMMENT },
};

int smtprl_blame(struct genl_info *info, const struct smtprl_req_field *f,
		 size_t n, int maxattr, int err)
{
	struct netlink_ext_ack *extack = info->extack;
	const char *msg = extack->_msg;
	size_t i, len;

	if (!err || !msg || extack->bad_attr)
		return err;
	if (str_has_prefix(msg, KBUILD_MODNAME ": "))
		msg += strlen(KBUILD_MODNAME ": ");
	for (i = 0; i < n; i++) {
		len = strlen(f[i].name);
		if (f[i].type <= maxattr && info->attrs[f[i].type] &&
		    !strncmp(msg, f[i].name, len) && msg[len] == ':') {
			NL_SET_BAD_ATTR(extack, info->attrs[f[i].type]);
			break;
		}
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
	return smtprl_entry_blame(info,
				  with_plen ? SMTPRL_A_ENTRY_PLEN : SMTPRL_A_ENTRY_ADDR6,
				  smtprl_pfx_key_init(k, family, &a, plen, info->extack));
}

int smtprl_entry_blame(struct genl_info *info, int maxattr, int err)
{
	return smtprl_blame(info, entry_fields, ARRAY_SIZE(entry_fields),
			    maxattr, err);
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
	unsigned int i;

	if (nla_put_u32(skb, SMTPRL_A_POLICY_RATE, cfg->rate) ||
	    nla_put_u32(skb, SMTPRL_A_POLICY_RATE_UNIT, cfg->rate_unit) ||
	    nla_put_u32(skb, SMTPRL_A_POLICY_BURST, cfg->burst) ||
	    nla_put_u32(skb, SMTPRL_A_POLICY_DAILY, cfg->daily) ||
	    nla_put_u32(skb, SMTPRL_A_POLICY_ACTION, cfg->action) ||
	    nla_put_u32(skb, SMTPRL_A_POLICY_WHEN_FULL, cfg->when_full) ||
	    nla_put_u8(skb, SMTPRL_A_POLICY_V4_PREFIX, cfg->v4_prefix) ||
	    nla_put_u8(skb, SMTPRL_A_POLICY_V6_PREFIX, cfg->v6_prefix) ||
	    nla_put_u32(skb, SMTPRL_A_POLICY_MAX_SOURCES, cfg->max_sources) ||
	    nla_put_u32(skb, SMTPRL_A_POLICY_HOOKS, cfg->hooks) ||
	    nla_put_u8(skb, SMTPRL_A_POLICY_ENABLED, enabled) ||
	    nla_put_u32(skb, SMTPRL_A_POLICY_STRIKES, cfg->strikes) ||
	    nla_put_u32(skb, SMTPRL_A_POLICY_STRIKE_WINDOW, cfg->strike_window) ||
	    nla_put_u32(skb, SMTPRL_A_POLICY_RELEASE_AFTER, cfg->release_after) ||
	    nla_put_u32(skb, SMTPRL_A_POLICY_QUARANTINE_MAX, cfg->quarantine_max) ||
	    nla_put_u32(skb, SMTPRL_A_POLICY_FANOUT_LIMIT, cfg->fanout_limit) ||
	    nla_put_u32(skb, SMTPRL_A_POLICY_EVENT_INTERVAL, cfg->event_interval))
		return -EMSGSIZE;
	for (i = 0; i < cfg->nports; i++)
		if (nla_put_u16(skb, SMTPRL_A_POLICY_PORT, cfg->ports[i]))
			return -EMSGSIZE;
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

int smtprl_nl_policy_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = smtprl_info_sn(info);
	struct nlattr **tb = info->attrs;
	struct smtprl_policy_cfg cfg;
	const struct nlattr *a;
	int rem, n = 0, err;

	mutex_lock(&sn->lock);
	cfg = smtprl_policy_locked(sn)->cfg;
	cfg.rate = smtprl_attr_u32(tb, SMTPRL_A_POLICY_RATE, cfg.rate);
	cfg.rate_unit = smtprl_attr_u32(tb, SMTPRL_A_POLICY_RATE_UNIT, cfg.rate_unit);
	cfg.burst = smtprl_attr_u32(tb, SMTPRL_A_POLICY_BURST, cfg.burst);
	cfg.daily = smtprl_attr_u32(tb, SMTPRL_A_POLICY_DAILY, cfg.daily);
	cfg.action = smtprl_attr_u32(tb, SMTPRL_A_POLICY_ACTION, cfg.action);
	cfg.when_full = smtprl_attr_u32(tb, SMTPRL_A_POLICY_WHEN_FULL, cfg.when_full);
	cfg.v4_prefix = smtprl_attr_u8(tb, SMTPRL_A_POLICY_V4_PREFIX, cfg.v4_prefix);
	cfg.v6_prefix = smtprl_attr_u8(tb, SMTPRL_A_POLICY_V6_PREFIX, cfg.v6_prefix);
	cfg.max_sources = smtprl_attr_u32(tb, SMTPRL_A_POLICY_MAX_SOURCES, cfg.max_sources);
	cfg.hooks = smtprl_attr_u32(tb, SMTPRL_A_POLICY_HOOKS, cfg.hooks);
	cfg.strikes = smtprl_attr_u32(tb, SMTPRL_A_POLICY_STRIKES, cfg.strikes);
	cfg.strike_window = smtprl_attr_u32(tb, SMTPRL_A_POLICY_STRIKE_WINDOW,
					    cfg.strike_window);
	cfg.release_after = smtprl_attr_u32(tb, SMTPRL_A_POLICY_RELEASE_AFTER,
					    cfg.release_after);
	cfg.quarantine_max = smtprl_attr_u32(tb, SMTPRL_A_POLICY_QUARANTINE_MAX,
					     cfg.quarantine_max);
	cfg.fanout_limit = smtprl_attr_u32(tb, SMTPRL_A_POLICY_FANOUT_LIMIT,
					   cfg.fanout_limit);
	cfg.event_interval = smtprl_attr_u32(tb, SMTPRL_A_POLICY_EVENT_INTERVAL,
					     cfg.event_interval);
	if (tb[SMTPRL_A_POLICY_PORT]) {
		/* The ports given replace the whole set. */
		nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
			if (nla_type(a) != SMTPRL_A_POLICY_PORT)
				continue;
			if (n == SMTPRL_MAX_PORTS) {
				NL_SET_ERR_MSG_ATTR(info->extack, a, "port: at most 8 ports");
				err = -EINVAL;
				goto out;
			}
			cfg.ports[n++] = nla_get_u16(a);
		}
		cfg.nports = n;
	}
	err = smtprl_policy_set(sn, &cfg, tb[SMTPRL_A_POLICY_ENABLED] ?
				!!nla_get_u8(tb[SMTPRL_A_POLICY_ENABLED]) : sn->enabled,
				info->extack);
out:
	mutex_unlock(&sn->lock);
	return smtprl_blame(info, policy_fields, ARRAY_SIZE(policy_fields),
			    SMTPRL_A_POLICY_ENABLED, err);
}

/* stats-get */

int smtprl_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	static const int attr[__SMTPRL_STAT_MAX] = {
		[SMTPRL_STAT_SEEN] = SMTPRL_A_STATS_SEEN,
		[SMTPRL_STAT_ALLOWED] = SMTPRL_A_STATS_ALLOWED,
		[SMTPRL_STAT_LIMITED] = SMTPRL_A_STATS_LIMITED,
		[SMTPRL_STAT_WOULD_LIMIT] = SMTPRL_A_STATS_WOULD_LIMIT,
		[SMTPRL_STAT_EXEMPT] = SMTPRL_A_STATS_EXEMPT,
		[SMTPRL_STAT_EXEMPT_LIMITED] = SMTPRL_A_STATS_EXEMPT_LIMITED,
		[SMTPRL_STAT_RELAY] = SMTPRL_A_STATS_RELAY,
		[SMTPRL_STAT_OUT_OF_SCOPE] = SMTPRL_A_STATS_OUT_OF_SCOPE,
		[SMTPRL_STAT_TABLE_FULL] = SMTPRL_A_STATS_TABLE_FULL,
		[SMTPRL_STAT_REJECT_SENT] = SMTPRL_A_STATS_REJECT_SENT,
		[SMTPRL_STAT_GC_REMOVED] = SMTPRL_A_STATS_GC_REMOVED,
		[SMTPRL_STAT_EXEMPT_EXPIRED] = SMTPRL_A_STATS_EXEMPT_EXPIRED,
		[SMTPRL_STAT_QUARANTINES] = SMTPRL_A_STATS_QUARANTINES,
		[SMTPRL_STAT_RELEASES] = SMTPRL_A_STATS_RELEASES,
		[SMTPRL_STAT_QUARANTINE_REFUSED] = SMTPRL_A_STATS_QUARANTINE_REFUSED,
		[SMTPRL_STAT_EVENTS] = SMTPRL_A_STATS_EVENTS,
		[SMTPRL_STAT_EVENTS_DROPPED] = SMTPRL_A_STATS_EVENTS_DROPPED,
		[SMTPRL_STAT_FRAGMENTS_DROPPED] = SMTPRL_A_STATS_FRAGMENTS_DROPPED,
	};
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
	for (i = 0; i < __SMTPRL_STAT_MAX; i++)
		if (nla_put_u64_64bit(msg, attr[i], st.c[i], SMTPRL_A_STATS_PAD))
			goto err_free;
	if (nla_put_u32(msg, SMTPRL_A_STATS_QUARANTINED_NOW, smtprl_quarantined_now(sn, &st)) ||
	    nla_put_u32(msg, SMTPRL_A_STATS_ENTRIES, atomic_read(&sn->sources.count)) ||
	    nla_put_u32(msg, SMTPRL_A_STATS_EXEMPTIONS, READ_ONCE(sn->exempt.n)) ||
	    nla_put_u64_64bit(msg, SMTPRL_A_STATS_MEMORY, smtprl_table_memory(&sn->sources),
			      SMTPRL_A_STATS_PAD))
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

