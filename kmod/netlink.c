// SPDX-License-Identifier: GPL-2.0
/*
 * The smtprl generic-netlink family: request handlers. Policies, the ops
 * table and the family come from Documentation/netlink/specs/smtprl.yaml
 * (netlink-gen.c, or netlink-gen-compat.c before 6.2). Every handler runs
 * in process context; changes are made under the namespace's config
 * mutex, validated completely before anything changes.
 */

#include <linux/delay.h>
#include <linux/overflow.h>
#include <linux/rhashtable.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "netlink-gen.h"
#include "netns.h"
#include "smtprl.h"

static struct smtprl_net *info_sn(struct genl_info *info)
{
	return smtprl_net(genl_info_net(info));
}

/* Ops without a request policy take no attributes at all. */
static int no_attrs(const struct nlmsghdr *nlh, struct netlink_ext_ack *extack)
{
	if (nlmsg_attrlen(nlh, GENL_HDRLEN)) {
		NL_SET_ERR_MSG_MOD(extack, "this command takes no attributes");
		return -EINVAL;
	}
	return 0;
}

static void *reply_put(struct sk_buff *skb, struct genl_info *info)
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
struct smtprl_field {
	const char *name;
	int type;
};

static const struct smtprl_field policy_fields[] = {
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

static const struct smtprl_field entry_fields[] = {
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

static int blame(struct genl_info *info, const struct smtprl_field *f,
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
static int parse_prefix(struct genl_info *info, struct smtprl_pfx_key *k,
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
	return blame(info, entry_fields, ARRAY_SIZE(entry_fields),
		     with_plen ? SMTPRL_A_ENTRY_PLEN : SMTPRL_A_ENTRY_ADDR6,
		     smtprl_pfx_key_init(k, family, &a, plen, info->extack));
}

#define PAD	SMTPRL_A_ENTRY_PAD

static int put_prefix(struct sk_buff *skb, u8 family,
		      const union smtprl_addr *a, u8 plen)
{
	if (family == NFPROTO_IPV4) {
		if (nla_put_in_addr(skb, SMTPRL_A_ENTRY_ADDR4, a->v4))
			return -EMSGSIZE;
	} else if (nla_put_in6_addr(skb, SMTPRL_A_ENTRY_ADDR6, &a->v6)) {
		return -EMSGSIZE;
	}
	return nla_put_u8(skb, SMTPRL_A_ENTRY_PLEN, plen);
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
	struct smtprl_net *sn = info_sn(info);
	struct smtprl_policy_cfg cfg;
	struct sk_buff *msg;
	bool enabled;
	void *hdr;
	int err;

	err = no_attrs(info->nlhdr, info->extack);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	cfg = smtprl_policy_locked(sn)->cfg;
	enabled = sn->enabled;
	mutex_unlock(&sn->lock);

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = reply_put(msg, info);
	if (!hdr || put_policy(msg, &cfg, enabled)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* The attribute's value if given, else @def (partial updates). */
static u32 attr_u32(struct nlattr **tb, int type, u32 def)
{
	return tb[type] ? nla_get_u32(tb[type]) : def;
}

static u8 attr_u8(struct nlattr **tb, int type, u8 def)
{
	return tb[type] ? nla_get_u8(tb[type]) : def;
}

int smtprl_nl_policy_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = info_sn(info);
	struct nlattr **tb = info->attrs;
	struct smtprl_policy_cfg cfg;
	const struct nlattr *a;
	int rem, n = 0, err;

	mutex_lock(&sn->lock);
	cfg = smtprl_policy_locked(sn)->cfg;
	cfg.rate = attr_u32(tb, SMTPRL_A_POLICY_RATE, cfg.rate);
	cfg.rate_unit = attr_u32(tb, SMTPRL_A_POLICY_RATE_UNIT, cfg.rate_unit);
	cfg.burst = attr_u32(tb, SMTPRL_A_POLICY_BURST, cfg.burst);
	cfg.daily = attr_u32(tb, SMTPRL_A_POLICY_DAILY, cfg.daily);
	cfg.action = attr_u32(tb, SMTPRL_A_POLICY_ACTION, cfg.action);
	cfg.when_full = attr_u32(tb, SMTPRL_A_POLICY_WHEN_FULL, cfg.when_full);
	cfg.v4_prefix = attr_u8(tb, SMTPRL_A_POLICY_V4_PREFIX, cfg.v4_prefix);
	cfg.v6_prefix = attr_u8(tb, SMTPRL_A_POLICY_V6_PREFIX, cfg.v6_prefix);
	cfg.max_sources = attr_u32(tb, SMTPRL_A_POLICY_MAX_SOURCES, cfg.max_sources);
	cfg.hooks = attr_u32(tb, SMTPRL_A_POLICY_HOOKS, cfg.hooks);
	cfg.strikes = attr_u32(tb, SMTPRL_A_POLICY_STRIKES, cfg.strikes);
	cfg.strike_window = attr_u32(tb, SMTPRL_A_POLICY_STRIKE_WINDOW,
				     cfg.strike_window);
	cfg.release_after = attr_u32(tb, SMTPRL_A_POLICY_RELEASE_AFTER,
				     cfg.release_after);
	cfg.quarantine_max = attr_u32(tb, SMTPRL_A_POLICY_QUARANTINE_MAX,
				      cfg.quarantine_max);
	cfg.fanout_limit = attr_u32(tb, SMTPRL_A_POLICY_FANOUT_LIMIT,
				    cfg.fanout_limit);
	cfg.event_interval = attr_u32(tb, SMTPRL_A_POLICY_EVENT_INTERVAL,
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
	return blame(info, policy_fields, ARRAY_SIZE(policy_fields),
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
	struct smtprl_net *sn = info_sn(info);
	struct smtprl_stats st;
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;
	int err;

	err = no_attrs(info->nlhdr, info->extack);
	if (err)
		return err;
	smtprl_stats_read(sn, &st);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = reply_put(msg, info);
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
 * Add or delete a scope or relay prefix; scope entries may
 * be interfaces. info->attrs is sized to the op's maxattr: relay requests
 * have no ifname slot at all.
 */
static int pfx_change(struct genl_info *info, struct smtprl_pfxset *(*set)(struct smtprl_net *),
		      bool add)
{
	struct smtprl_net *sn = info_sn(info);
	struct smtprl_pfx_key k;
	int err;

	if (set == scope_of && info->attrs[SMTPRL_A_ENTRY_IFNAME]) {
		char name[IFNAMSIZ];

		if (info->attrs[SMTPRL_A_ENTRY_ADDR4] || info->attrs[SMTPRL_A_ENTRY_ADDR6]) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SMTPRL_A_ENTRY_IFNAME],
					    "ifname: give an interface or a prefix, not both");
			return -EINVAL;
		}
		nla_strscpy(name, info->attrs[SMTPRL_A_ENTRY_IFNAME], sizeof(name));
		mutex_lock(&sn->lock);
		err = add ? smtprl_scope_iface_add(sn, name, info->extack)
			  : smtprl_scope_iface_del(sn, name);
		mutex_unlock(&sn->lock);
		if (err == -ENOENT)
			NL_SET_ERR_MSG_MOD(info->extack, "ifname: not in scope");
		return blame(info, entry_fields, ARRAY_SIZE(entry_fields),
			     SMTPRL_A_ENTRY_IFNAME, err);
	}
	err = parse_prefix(info, &k, true);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	err = add ? smtprl_pfx_add(set(sn), &k, info->extack)
		  : smtprl_pfx_del(set(sn), &k);
	mutex_unlock(&sn->lock);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_MOD(info->extack, "prefix: not present");
	return blame(info, entry_fields, ARRAY_SIZE(entry_fields),
		     SMTPRL_A_ENTRY_PLEN, err);
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
	struct smtprl_net *sn = info_sn(info);
	int err = no_attrs(info->nlhdr, info->extack);

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
	return pfx_flush(info, &info_sn(info)->scope, true);
}

int smtprl_nl_relay_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pfx_flush(info, &info_sn(info)->relay, false);
}

/*
 * Resumable dumps of an rhashtable, without duplicates or gaps. Each
 * callback dumps whole hash chains (one that does not fit is left for the
 * next callback), and the cursor is the next chain of the table walked:
 * an entry that is in the table from the start of the dump to its end is
 * dumped exactly once, however many others come and go meanwhile; one
 * added or removed during the dump may or may not be.
 *
 * That holds while the bucket table stays the same. A resize rehashes
 * every entry into a new table, and a reader can follow a moved entry
 * into the new table's chain: a dump that has sent anything and sees a
 * resize (begun or done) ends flagged NLM_F_DUMP_INTR (cb->seq changes),
 * and smtprlctl asks again. One that has sent nothing starts on the new
 * table.
 */
struct dump_ctx {
	unsigned long tbl;	/* the table walked */
	u32 bucket;		/* the next chain */
	u32 gen;		/* cb->seq; bumped when a resize broke the dump */
	u32 phase;		/* scope: 0 interfaces, 1 prefixes */
	u32 done;
};

static_assert(sizeof(struct dump_ctx) <= sizeof_field(struct netlink_callback, ctx));

typedef int (*fill_fn)(struct sk_buff *skb, void *obj, struct smtprl_net *sn, u64 now);

/* Reply with the one object @find returns for @key (under RCU), or -ENOENT. */
static int reply_one(struct genl_info *info,
		     void *(*find)(struct smtprl_net *sn, const void *key),
		     const void *key, fill_fn fill)
{
	struct smtprl_net *sn = info_sn(info);
	struct sk_buff *msg;
	void *hdr, *obj;
	int err = -EMSGSIZE;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = reply_put(msg, info);
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

/* How long a dump that has sent nothing waits for a resize: 100 x 1-2 ms. */
#define SMTPRL_DUMP_WAIT	100

static int dump_table(struct sk_buff *skb, struct netlink_callback *cb,
		      struct rhashtable *ht, unsigned int head_offset, fill_fn fill)
{
	struct dump_ctx *ctx = (struct dump_ctx *)cb->ctx;
	struct smtprl_net *sn = smtprl_net(sock_net(skb->sk));
	u8 cmd = ((struct genlmsghdr *)nlmsg_data(cb->nlh))->cmd;
	const struct bucket_table *tbl;
	unsigned int tries = 0;
	struct rhash_head *pos;
	u64 now = smtprl_now_ns();
	int err;
	u32 i;

	if (ctx->done)
		return 0;
	if (!ctx->gen)
		ctx->gen = 1;
	cb->seq = ctx->gen;
again:
	err = 0;
	rcu_read_lock();
	tbl = rht_dereference_rcu(ht->tbl, ht);
	if (ctx->tbl != (unsigned long)tbl || rcu_access_pointer(tbl->future_tbl)) {
		if (cb->prev_seq)
			goto interrupted;
		/* Nothing sent yet: start on the current table, once it is still. */
		ctx->tbl = (unsigned long)tbl;
		ctx->bucket = 0;
		if (rcu_access_pointer(tbl->future_tbl) && tries++ < SMTPRL_DUMP_WAIT)
			goto wait;
	}
	for (i = ctx->bucket; i < tbl->size; i++) {
		unsigned char *mark = skb_tail_pointer(skb);

		rht_for_each_rcu(pos, tbl, i) {
			void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
						cb->nlh->nlmsg_seq,
						&smtprl_nl_family, NLM_F_MULTI, cmd);

			if (!hdr) {
				err = -EMSGSIZE;
				break;
			}
			genl_dump_check_consistent(cb, hdr);
			err = fill(skb, (char *)pos - head_offset, sn, now);
			if (err) {
				genlmsg_cancel(skb, hdr);
				if (err != -ENOENT)	/* -ENOENT: going away, not listed */
					break;
				err = 0;
			} else {
				genlmsg_end(skb, hdr);
			}
		}
		if (err) {
			/* The whole chain next time, or never. */
			nlmsg_trim(skb, mark);
			break;
		}
		ctx->bucket = i + 1;
	}
	/* A resize that began meanwhile may have led the walk astray. */
	if (rcu_access_pointer(ht->tbl) != tbl || rcu_access_pointer(tbl->future_tbl)) {
		if (cb->prev_seq || tries++ >= SMTPRL_DUMP_WAIT)
			goto interrupted;
		ctx->tbl = 0;	/* nothing was sent: this pass never happened */
		goto wait;
	}
	rcu_read_unlock();
	/* A full skb is not an error: netlink calls again. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;

wait:
	rcu_read_unlock();
	usleep_range(1000, 2000);
	goto again;

interrupted:
	rcu_read_unlock();
	ctx->done = 1;
	if (!cb->prev_seq) {
		/* Nothing to flag: say so instead of ending an empty dump. */
		NL_SET_ERR_MSG_MOD(cb->extack, "the table is being resized; try again");
		return -EBUSY;
	}
	/* cb->seq changes: the next message (at least NLMSG_DONE) is flagged. */
	cb->seq = ++ctx->gen;
	return skb->len;
}

static int fill_pfx(struct sk_buff *skb, void *obj, struct smtprl_net *sn, u64 now)
{
	const struct smtprl_pfx *p = obj;

	return put_prefix(skb, p->key.family, &p->key.addr, p->key.plen);
}

int smtprl_nl_scope_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct dump_ctx *ctx = (struct dump_ctx *)cb->ctx;
	struct smtprl_net *sn = smtprl_net(sock_net(skb->sk));
	const struct smtprl_ifset *ifs;
	int err;

	err = no_attrs(cb->nlh, cb->extack);
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
	return dump_table(skb, cb, &sn->scope.ht, offsetof(struct smtprl_pfx, node), fill_pfx);
}

int smtprl_nl_relay_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct smtprl_net *sn = smtprl_net(sock_net(skb->sk));
	int err = no_attrs(cb->nlh, cb->extack);

	if (err)
		return err;
	return dump_table(skb, cb, &sn->relay.ht, offsetof(struct smtprl_pfx, node), fill_pfx);
}

/* exemptions */

int smtprl_nl_exempt_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = info_sn(info);
	struct nlattr **tb = info->attrs;
	struct smtprl_exempt_spec spec = {};
	u64 now = smtprl_now_ns();
	int err;

	err = parse_prefix(info, &spec.key, true);
	if (err)
		return err;
	spec.rate = attr_u32(tb, SMTPRL_A_ENTRY_RATE, spec.rate);
	spec.rate_unit = attr_u32(tb, SMTPRL_A_ENTRY_RATE_UNIT, spec.rate_unit);
	spec.burst = attr_u32(tb, SMTPRL_A_ENTRY_BURST, spec.burst);
	spec.daily = attr_u32(tb, SMTPRL_A_ENTRY_DAILY, spec.daily);
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
				now, info->extack);
	mutex_unlock(&sn->lock);
	if (!err)
		smtprl_gc_kick(sn);	/* it may expire */
	return blame(info, entry_fields, ARRAY_SIZE(entry_fields),
		     SMTPRL_A_ENTRY_REPLACE, err);
}

int smtprl_nl_exempt_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = info_sn(info);
	struct smtprl_pfx_key k;
	int err;

	err = parse_prefix(info, &k, true);
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
	struct smtprl_net *sn = info_sn(info);
	int err = no_attrs(info->nlhdr, info->extack);

	if (err)
		return err;
	mutex_lock(&sn->lock);
	smtprl_exempt_flush(&sn->exempt);
	mutex_unlock(&sn->lock);
	return 0;
}

static int fill_exempt(struct sk_buff *skb, void *obj, struct smtprl_net *sn, u64 now)
{
	struct smtprl_exempt *ex = obj;
	const struct smtprl_exempt_spec *spec = &ex->spec;
	u64 allowed, limited, tokens;

	spin_lock_bh(&ex->lock);
	allowed = ex->allowed;
	limited = ex->limited;
	tokens = smtprl_bucket_level(ex->b.tokens_ns, ex->b.last_ns, &ex->limit.rate, now);
	spin_unlock_bh(&ex->lock);

	if (put_prefix(skb, spec->key.family, &spec->key.addr, spec->key.plen))
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

	err = parse_prefix(info, &k, true);
	if (err)
		return err;
	err = reply_one(info, find_exempt, &k, fill_exempt);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_MOD(info->extack, "prefix: no such exemption");
	return err;
}

int smtprl_nl_exempt_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct smtprl_net *sn = smtprl_net(sock_net(skb->sk));
	int err = no_attrs(cb->nlh, cb->extack);

	if (err)
		return err;
	return dump_table(skb, cb, &sn->exempt.ht,
			  offsetof(struct smtprl_exempt, pfx.node), fill_exempt);
}

/* sources */

static u64 ago_s(u64 now_s, u64 then_s)
{
	return now_s > then_s ? now_s - then_s : 0;
}

/* The quarantine part of a source (state quarantined, or just released). */
static int put_quar(struct sk_buff *skb, const struct smtprl_quar *q, u64 now)
{
	return nla_put_u32(skb, SMTPRL_A_ENTRY_CAUSE, q->cause) ||
	       nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_QUARANTINED,
				 div_u64(now > q->since_ns ? now - q->since_ns : 0,
					 NSEC_PER_SEC), PAD) ||
	       nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_REFUSED, q->refused, PAD);
}

static int put_source(struct sk_buff *skb, const struct smtprl_snap *s,
		      const struct smtprl_policy *p, u64 now)
{
	const struct smtprl_buckets *b = &s->b;
	u64 now_s = div_u64(now, NSEC_PER_SEC), until;

	if (put_prefix(skb, s->family, &s->addr, s->plen) ||
	    nla_put_u32(skb, SMTPRL_A_ENTRY_STATE, s->state) ||
	    nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_ALLOWED, s->allowed, PAD) ||
	    nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_LIMITED, s->limited, PAD) ||
	    nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_TOKENS,
			      smtprl_bucket_level(b->tokens_ns, b->last_ns,
						  &p->limit.rate, now), PAD) ||
	    (p->limit.daily.cost_ns &&
	     nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_DAILY_TOKENS,
			       smtprl_bucket_level(b->daily_ns, b->last_ns,
						   &p->limit.daily, now), PAD)) ||
	    nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_AGE, ago_s(now_s, s->first_s), PAD) ||
	    nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_IDLE,
			      div_u64(now > b->last_ns ? now - b->last_ns : 0,
				      NSEC_PER_SEC), PAD) ||
	    (s->last_limited_s &&
	     nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_LAST_LIMITED,
			       ago_s(now_s, s->last_limited_s), PAD)) ||
	    nla_put_u32(skb, SMTPRL_A_ENTRY_STRIKES, s->strikes) ||
	    nla_put_u32(skb, SMTPRL_A_ENTRY_FANOUT, s->fanout))
		return -EMSGSIZE;
	if (s->state != SMTPRL_STATE_QUARANTINED)
		return 0;
	until = s->quar.cause == SMTPRL_CAUSE_OPERATOR ? s->quar.until_ns :
		min(s->quar.until_ns, s->quar.since_ns + p->q.max_ns);
	if (put_quar(skb, &s->quar, now) ||
	    nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_REMAINING,
			      div_u64(until > now ? until - now : 0, NSEC_PER_SEC), PAD))
		return -EMSGSIZE;
	return 0;
}

static int fill_source(struct sk_buff *skb, void *obj, struct smtprl_net *sn, u64 now)
{
	const struct smtprl_policy *p = rcu_dereference(sn->policy);
	struct smtprl_snap s;

	if (!smtprl_entry_snap(obj, p, now, &s))
		return -ENOENT;
	return put_source(skb, &s, p, now);
}

/* The source key covering the address in the request (policy's prefix). */
static int source_key(struct genl_info *info, struct smtprl_net *sn, struct smtprl_key *k)
{
	struct smtprl_pfx_key pk;
	const struct smtprl_policy *p;
	int err;

	err = parse_prefix(info, &pk, false);
	if (err)
		return err;
	memset(k, 0, sizeof(*k));
	k->family = pk.family;
	rcu_read_lock();
	p = rcu_dereference(sn->policy);
	k->plen = pk.family == NFPROTO_IPV4 ? p->cfg.v4_prefix : p->cfg.v6_prefix;
	rcu_read_unlock();
	smtprl_addr_mask(&k->addr, &pk.addr, k->family, k->plen);
	return 0;
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

	err = source_key(info, info_sn(info), &k);
	if (err)
		return err;
	err = reply_one(info, find_source, &k, fill_source);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_MOD(info->extack, "addr: source not tracked");
	return err;
}

int smtprl_nl_source_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct smtprl_net *sn = smtprl_net(sock_net(skb->sk));
	int err = no_attrs(cb->nlh, cb->extack);

	if (err)
		return err;
	return dump_table(skb, cb, &sn->sources.ht,
			  offsetof(struct smtprl_entry, node), fill_source);
}

/* A quarantined source was forgotten: its quarantine ends, "gone". */
static void forgot(void *arg, const struct smtprl_snap *s, u8 why)
{
	smtprl_notify_source(arg, SMTPRL_CMD_RELEASED_NTF, s, why, smtprl_now_ns());
}

int smtprl_nl_source_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = info_sn(info);
	struct smtprl_forget f = { .released = forgot, .arg = sn };
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
		NL_SET_ERR_MSG_MOD(info->extack, "addr: source not tracked");
	return err;
}

int smtprl_nl_source_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct smtprl_net *sn = info_sn(info);
	struct smtprl_forget f = { .released = forgot, .arg = sn };
	int err = no_attrs(info->nlhdr, info->extack);

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
	struct smtprl_net *sn = info_sn(info);
	const struct smtprl_policy *p;
	struct smtprl_entry *e;
	struct smtprl_quar *q;
	struct smtprl_snap s;
	struct smtprl_key k;
	u64 now, for_ns;
	int err;

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
	q = kmalloc(sizeof(*q), GFP_KERNEL);
	if (!q) {
		mutex_unlock(&sn->lock);
		return -ENOMEM;
	}
	rcu_read_lock();
	/* Tracked from now on: a full bucket, as any new source. */
	e = smtprl_table_get(&sn->sources, &k, &p->limit, p->cfg.max_sources, now);
	if (!e) {
		kfree(q);
		NL_SET_ERR_MSG_MOD(info->extack, "addr: the source table is full");
		err = -ENOSPC;
	} else {
		err = smtprl_entry_quarantine(e, now, for_ns, q);
		if (err > 0) {
			/* A new quarantine, not a longer one. */
			smtprl_stat_inc(sn, SMTPRL_STAT_QUARANTINES);
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
	struct smtprl_net *sn = info_sn(info);
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
		smtprl_stat_inc(sn, SMTPRL_STAT_RELEASES);
		smtprl_notify_source(sn, SMTPRL_CMD_RELEASED_NTF, &s,
				     SMTPRL_RELEASE_OPERATOR, now);
	}
	rcu_read_unlock();
	mutex_unlock(&sn->lock);
	if (err == -ENOENT)
		NL_SET_ERR_MSG_MOD(info->extack, "addr: source not tracked");
	else if (err == -ESRCH)
		NL_SET_ERR_MSG_MOD(info->extack, "addr: source not quarantined");
	return err;
}

/*
 * Events. Best effort and never sleeping: the packet path sends limited,
 * quarantined and table-full events, so each CPU may send at most
 * SMTPRL_EVENTS_PER_CPU_SEC a second, and only when someone listens;
 * what does not fit is counted in events-dropped. Nothing is ever queued.
 */

/*
 * Set while the family is registered. The packet path and GC send events
 * until their namespaces go, which on module unload is after the family
 * has gone (it must go first: no request may find a namespace torn down),
 * and its multicast group may by then belong to another family.
 */
static bool events_on __read_mostly;

void smtprl_events_start(void)
{
	WRITE_ONCE(events_on, true);
}

/* Before the family is unregistered: no event is sent from now on. */
void smtprl_events_stop(void)
{
	WRITE_ONCE(events_on, false);
	synchronize_rcu();	/* senders check it under RCU */
}

static bool event_budget(struct smtprl_net *sn, u64 now)
{
	u64 sec = div_u64(now, NSEC_PER_SEC);
	struct smtprl_stats *st;
	bool ok;

	local_bh_disable();
	st = this_cpu_ptr(sn->stats);
	if (st->ev_sec != sec) {
		st->ev_sec = sec;
		st->ev_n = 0;
	}
	ok = st->ev_n < SMTPRL_EVENTS_PER_CPU_SEC;
	if (ok)
		st->ev_n++;
	local_bh_enable();
	if (!ok)
		smtprl_stat_inc(sn, SMTPRL_STAT_EVENTS_DROPPED);
	return ok;
}

/*
 * Event sizes, by what each carries (put_prefix(), put_source(),
 * put_quar()): an event is built in atomic context and must not ask for
 * a page when a few hundred bytes do; a failed allocation is counted in
 * events_dropped, never warned about.
 */
#define EV_U64			nla_total_size_64bit(sizeof(u64))
#define EV_PREFIX		(nla_total_size(sizeof(struct in6_addr)) + nla_total_size(1))
#define EV_QUAR			(nla_total_size(4) + 2 * EV_U64)
/*
 * prefix, state, strikes, fanout; allowed, limited, tokens, daily tokens,
 * age, idle, last limited, remaining; the quarantine (twice at most: a
 * released source's); the release reason.
 */
#define EV_SOURCE_SIZE		(EV_PREFIX + 3 * nla_total_size(4) + 8 * EV_U64 + \
				 2 * EV_QUAR + nla_total_size(4))
#define EV_EXEMPT_SIZE		(EV_PREFIX + nla_total_size(SMTPRL_COMMENT_MAX + 1) + \
				 2 * EV_U64)
#define EV_TABLE_FULL_SIZE	(EV_PREFIX + EV_U64)

static struct sk_buff *event_new(struct smtprl_net *sn, u8 cmd, size_t size,
				 u64 now, void **hdr)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&smtprl_nl_family, sn->net, SMTPRL_NLGRP_EVENTS) ||
	    !event_budget(sn, now))
		return NULL;
	/* The payload and the time every event carries. */
	skb = genlmsg_new(size + EV_U64, GFP_ATOMIC | __GFP_NOWARN);
	if (!skb)
		goto err;
	*hdr = genlmsg_put(skb, 0, 0, &smtprl_nl_family, 0, cmd);
	if (!*hdr ||
	    nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_TIME, ktime_get_real_seconds(), PAD)) {
		nlmsg_free(skb);
		goto err;
	}
	return skb;
err:
	smtprl_stat_inc(sn, SMTPRL_STAT_EVENTS_DROPPED);
	return NULL;
}

static void event_send(struct smtprl_net *sn, struct sk_buff *skb, void *hdr,
		       int err)
{
	rcu_read_lock();
	if (err || !READ_ONCE(events_on)) {
		nlmsg_free(skb);
		err = err ?: -ESHUTDOWN;
	} else {
		genlmsg_end(skb, hdr);
		err = genlmsg_multicast_netns(&smtprl_nl_family, sn->net, skb, 0,
					      SMTPRL_NLGRP_EVENTS, GFP_ATOMIC);
		if (err == -ESRCH)
			err = 0;	/* the listener left meanwhile */
	}
	rcu_read_unlock();
	smtprl_stat_inc(sn, err ? SMTPRL_STAT_EVENTS_DROPPED : SMTPRL_STAT_EVENTS);
}

/**
 * smtprl_notify_source - a limited, quarantined or released event
 * @sn: the namespace
 * @cmd: SMTPRL_CMD_LIMITED_NTF, _QUARANTINED_NTF or _RELEASED_NTF
 * @s: the source
 * @why: for released, enum smtprl_release
 * @now_ns: the current time
 */
void smtprl_notify_source(struct smtprl_net *sn, u8 cmd,
			  const struct smtprl_snap *s, u8 why, u64 now_ns)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	skb = event_new(sn, cmd, EV_SOURCE_SIZE, now_ns, &hdr);
	if (!skb)
		return;
	rcu_read_lock();
	err = put_source(skb, s, rcu_dereference(sn->policy), now_ns);
	rcu_read_unlock();
	if (!err && cmd == SMTPRL_CMD_RELEASED_NTF)
		err = put_quar(skb, &s->quar, now_ns) ||
		      nla_put_u32(skb, SMTPRL_A_ENTRY_RELEASE, why);
	event_send(sn, skb, hdr, err);
}

void smtprl_notify_exempt_expired(struct smtprl_net *sn,
				  struct smtprl_exempt *ex, u64 now_ns)
{
	const struct smtprl_pfx_key *k = &ex->pfx.key;
	struct sk_buff *skb;
	u64 allowed, limited;
	void *hdr;
	int err;

	skb = event_new(sn, SMTPRL_CMD_EXEMPT_EXPIRED_NTF, EV_EXEMPT_SIZE, now_ns, &hdr);
	if (!skb)
		return;
	spin_lock_bh(&ex->lock);
	allowed = ex->allowed;
	limited = ex->limited;
	spin_unlock_bh(&ex->lock);
	err = put_prefix(skb, k->family, &k->addr, k->plen) ||
	      (ex->spec.comment[0] &&
	       nla_put_string(skb, SMTPRL_A_ENTRY_COMMENT, ex->spec.comment)) ||
	      nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_ALLOWED, allowed, PAD) ||
	      nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_LIMITED, limited, PAD);
	event_send(sn, skb, hdr, err);
}

/**
 * smtprl_notify_table_full - a new source found the table full
 * @sn: the namespace
 * @c: the connection
 * @now_ns: the current time
 * @interval_ns: the policy's event interval
 *
 * At most one event per CPU per interval, with the number of sources
 * refused on this CPU since the previous one.
 */
void smtprl_notify_table_full(struct smtprl_net *sn,
			      const struct smtprl_conn *c, u64 now_ns,
			      u64 interval_ns)
{
	u64 period = div64_u64(now_ns, interval_ns), refused = 0;
	struct smtprl_stats *st;
	struct sk_buff *skb;
	bool due;
	void *hdr;
	int err;

	local_bh_disable();
	st = this_cpu_ptr(sn->stats);
	st->full_refused++;
	due = st->full_period != period;
	if (due) {
		st->full_period = period;
		refused = st->full_refused;
		st->full_refused = 0;
	}
	local_bh_enable();
	if (!due)
		return;
	skb = event_new(sn, SMTPRL_CMD_TABLE_FULL_NTF, EV_TABLE_FULL_SIZE, now_ns, &hdr);
	if (!skb)
		return;
	err = put_prefix(skb, c->family, &c->saddr,
			 c->family == NFPROTO_IPV4 ? 32 : 128) ||
	      nla_put_u64_64bit(skb, SMTPRL_A_ENTRY_SUPPRESSED, refused, PAD);
	event_send(sn, skb, hdr, err);
}
