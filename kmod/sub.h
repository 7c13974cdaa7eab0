/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_SUB_H
#define _SMTPRL_SUB_H

/*
 * Subscribers: a BRAS session's addresses and prefixes, bound to the
 * account that dialled in (the PPP user name). A SYN from a bound address
 * is charged to its subscriber's one state, a source entry keyed by the
 * subscriber's id instead of an address (smtprl_sub_key()): buckets,
 * strikes, fan-out, quarantine, whatever address of the session it came
 * from. When the session ends the subscriber lingers, unbound, its state
 * kept, for the policy's subscriber-linger: a redial under the same name
 * takes it back. Unbound addresses are sources as before.
 *
 * Locking: everything here changes under the namespace's config mutex
 * (process context, GFP_KERNEL); the packet path matches a binding under
 * RCU and reads its subscriber's id and limits, nothing else. A
 * subscriber is freed after a grace period, its bindings before it.
 */

#include <linux/list.h>
#include <linux/rculist.h>
#include <linux/rhashtable-types.h>

#include "bad.h"
#include "bucket.h"
#include "pfx.h"
#include "table.h"

#define SMTPRL_SUB_NAME_MAX	64
#define SMTPRL_SUB_BINDS_MAX	8

/* How a subscriber is limited, when not by the policy; immutable. */
struct smtprl_sub_cfg {
	struct smtprl_limit limit;	/* mode own */
	u32 rate;
	u32 burst;			/* as given; 0: one unit's worth */
	u32 daily;			/* 0: no daily cap */
	u8 rate_unit;
	u8 mode;			/* enum smtprl_sub_mode */
	struct rcu_head rcu;
};

struct smtprl_sub {
	struct rhash_head node;		/* in names, keyed by @name */
	struct rhash_head id_node;	/* in ids, keyed by @id */
	u64 id;
	struct smtprl_sub_cfg __rcu *cfg;	/* NULL: the policy's limits */
	struct hlist_head binds;	/* its bindings (RCU list) */
	unsigned int nbinds;
	u64 linger_until_ns;		/* while on the lingering list */
	struct list_head linger;	/* on it while @nbinds is 0 */
	struct rcu_head rcu;
	char name[SMTPRL_SUB_NAME_MAX + 1];	/* zero-padded: the key */
};

/* An address or prefix bound to a subscriber. */
struct smtprl_bind {
	struct smtprl_pfx pfx;		/* first: the bind set's member */
	struct smtprl_sub *sub;
	struct hlist_node node;		/* on @sub->binds */
};

struct smtprl_subs {
	struct rhashtable names;
	struct rhashtable ids;
	struct smtprl_pfxset binds;
	struct list_head lingering;	/* soonest linger end first */
	u64 next_id;
	unsigned int n;			/* subscribers, lingering included */
	unsigned int nlinger;
};

/* What subscriber-add asks for. */
struct smtprl_sub_req {
	char name[SMTPRL_SUB_NAME_MAX + 1];	/* zero-padded */
	struct smtprl_pfx_key binds[SMTPRL_SUB_BINDS_MAX];
	unsigned int nbinds;
	bool replace;			/* @binds are the whole set */
	bool set_mode;			/* else the mode stays (new: policy) */
	u8 mode;
	u8 rate_unit;
	u32 rate, burst, daily;
};

/* What a change did, for the counters. */
struct smtprl_sub_done {
	unsigned int moved;		/* bindings taken from another subscriber */
};

/* Called for each subscriber about to be freed (its state's end). */
typedef void (*smtprl_sub_gone_fn)(void *arg, struct smtprl_sub *sub);

int smtprl_subs_init(struct smtprl_subs *s);
void smtprl_subs_destroy(struct smtprl_subs *s);
int smtprl_sub_name_init(char *dst, const char *src, struct smtprl_bad *bad);
int smtprl_sub_add(struct smtprl_subs *s, const struct smtprl_sub_req *r,
		   u32 max, u64 linger_ns, u64 now_ns, struct smtprl_sub_done *done,
		   struct smtprl_bad *bad);
int smtprl_sub_unbind(struct smtprl_subs *s, const char *name,
		      const struct smtprl_pfx_key *keys, unsigned int n,
		      u64 linger_ns, u64 now_ns, struct smtprl_bad *bad);
int smtprl_sub_end(struct smtprl_subs *s, const char *name, u64 linger_ns,
		   u64 now_ns, smtprl_sub_gone_fn gone, void *arg);
unsigned int smtprl_subs_expire(struct smtprl_subs *s, u64 now_ns,
				smtprl_sub_gone_fn gone, void *arg);
unsigned int smtprl_subs_flush(struct smtprl_subs *s, smtprl_sub_gone_fn gone,
			       void *arg);
struct smtprl_sub *smtprl_sub_find(struct smtprl_subs *s, const char *name);
struct smtprl_sub *smtprl_sub_by_id(struct smtprl_subs *s, u64 id);

/* The key of @id's source entry. Only the words a key of length 64 uses. */
static __always_inline void smtprl_sub_key(struct smtprl_key *k, u64 id)
{
	k->family = SMTPRL_FAMILY_SUB;
	k->plen = 64;
	k->addr.v6.s6_addr32[0] = (__force __be32)lower_32_bits(id);
	k->addr.v6.s6_addr32[1] = (__force __be32)upper_32_bits(id);
}

/*
 * The subscriber id in the first two words of a subscriber's key, entry
 * or snapshot (see smtprl_sub_key()).
 */
static inline u64 smtprl_sub_id(const __be32 *w)
{
	return (u64)(__force u32)w[1] << 32 | (__force u32)w[0];
}

/* The subscriber of @s, or NULL (an address, or an orphan). Under RCU. */
static inline struct smtprl_sub *smtprl_snap_sub(struct smtprl_subs *subs,
						 const struct smtprl_snap *s)
{
	if (s->family != SMTPRL_FAMILY_SUB)
		return NULL;
	return smtprl_sub_by_id(subs, smtprl_sub_id(s->addr.v6.s6_addr32));
}

/* The limits @sub is charged by (@sub may be NULL). Under RCU. */
static __always_inline const struct smtprl_limit *
smtprl_sub_limit(const struct smtprl_sub *sub, const struct smtprl_policy *p)
{
	const struct smtprl_sub_cfg *cfg = sub ? rcu_dereference(sub->cfg) : NULL;

	return cfg && cfg->mode == SMTPRL_SUB_MODE_OWN ? &cfg->limit : &p->limit;
}

/* What @sub's connections are charged by; NULL: exempt. Under RCU. */
static inline const struct smtprl_limit *
smtprl_sub_charged(const struct smtprl_sub *sub, const struct smtprl_policy *p)
{
	const struct smtprl_sub_cfg *cfg = rcu_dereference(sub->cfg);

	if (cfg && cfg->mode == SMTPRL_SUB_MODE_EXEMPT)
		return NULL;
	return smtprl_sub_limit(sub, p);
}

/*
 * smtprl_bind_match - the subscriber @addr is bound to, or NULL
 *
 * Longest prefix first; inline for the common case of no bindings at all
 * (a CPE): one load. Call under RCU.
 */
static __always_inline struct smtprl_sub *
smtprl_bind_match(struct smtprl_subs *s, u8 family, const union smtprl_addr *addr)
{
	struct smtprl_pfx *p = smtprl_pfxset_match(&s->binds, family, addr);

	return p ? container_of(p, struct smtprl_bind, pfx)->sub : NULL;
}

#endif /* _SMTPRL_SUB_H */
