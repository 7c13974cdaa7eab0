/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_TABLE_H
#define _SMTPRL_TABLE_H

#include <linux/atomic.h>
#include <linux/rhashtable.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/ipv6.h>

#include "bucket.h"
#include "classify.h"
#include "policy.h"
#include "quarantine.h"

/*
 * Sources are keyed by prefix: address masked to the policy's prefix
 * length, family, length. A policy change of v4/v6-prefix thus starts new
 * keys instead of mixing /32 and /24 state under one.
 */
struct smtprl_key {
	union smtprl_addr addr;
	u8 family;
	u8 plen;
};

/*
 * The family of a subscriber's entry (sub.h). Its key is the subscriber's
 * id (64 bits, in the address's first two words, length 64), which is
 * never reused: an entry that outlives its subscriber (a SYN that raced
 * the subscriber's end) is an orphan GC forgets, never another's state.
 */
#define SMTPRL_FAMILY_SUB	NFPROTO_UNSPEC

/*
 * Strikes, fan-out and a quarantine: only a source that has needed them
 * has this (a limited one while strikes are on, every one while fan-out
 * is limited, a quarantined one), so that the rest stay small.
 */
struct smtprl_watch {
	struct smtprl_strikes strikes;
	struct smtprl_quar quar;	/* while the entry is quarantined */
};

/*
 * One tracked source, 80 bytes on a 64-bit production kernel (debug
 * spinlocks are bigger): with its share of hash buckets (8 to 21 bytes at
 * rhashtable's load factors) within 104 bytes a source.
 *
 * The key is @family, @plen and the masked address: its first 64 bits in
 * @addr (an IPv4 address in the first word, the second zero), and for an
 * IPv6 prefix longer than /64 its last 64 bits in @addr_lo, which only
 * such entries have (smtprl_entry_long()).
 *
 * @rcu shares its bytes with the counters: they are read and written only
 * under @lock while @dead is false, and call_rcu() comes only after @dead
 * was set under @lock.
 */
struct smtprl_entry {
	struct rhash_head node;
	__be32 addr[2];
	u8 family;
	u8 plen;
	bool dead;		/* unlinked by GC; retry the lookup */
	bool quarantined;	/* @watch->quar is in force */
	spinlock_t lock;	/* protects everything below */
	struct smtprl_buckets b;
	union {
		struct {
			u64 allowed;
			u64 limited;	/* or would-limit, in monitor mode */
		};
		struct rcu_head rcu;	/* once dead */
	};
	u32 first_s;		/* boot-time seconds */
	u32 last_limited_s;	/* 0: never */
	struct smtprl_watch *watch;	/* NULL until needed, then kept */
	__be32 addr_lo[];
};

/*
 * Which /24 (IPv4) or /48 (IPv6) a connection goes to, hashed for the
 * fan-out sketch (smtprl_fanout_bit() takes the top bits): the address
 * XORed with a random key, through MurmurHash3's 64-bit finalizer (a
 * bijection that mixes every input bit into the top ones). Without the
 * key a source cannot choose destinations that share a sketch bit; a
 * SipHash here cost a quarantine-enabled SYN 80 instructions. Plain
 * multiply-shift was cheaper still, but spreads consecutive networks
 * evenly over the bits, which linear counting reads as more of them.
 */
extern u64 smtprl_dst_key;

static __always_inline u32 smtprl_dst_hash(u8 family, const union smtprl_addr *daddr)
{
	u64 x;

	if (family == NFPROTO_IPV4)
		x = (__force u32)(daddr->v4 & htonl(0xffffff00));
	else
		x = (u64)(__force u32)daddr->v6.s6_addr32[0] << 32 |
		    (__force u32)(daddr->v6.s6_addr32[1] & htonl(0xffff0000));
	x ^= smtprl_dst_key;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x >> 32;
}

/* Does a key of @family and @plen need the address's last 64 bits? */
static __always_inline bool smtprl_key_long(u8 family, u8 plen)
{
	return family == NFPROTO_IPV6 && plen > 64;
}

/*
 * A consistent copy of a source, for dumps and events. Its @state is
 * quarantined or normal: whether a normal one is limited depends on the
 * limits it is charged by (smtprl_snap_state()).
 */
struct smtprl_snap {
	union smtprl_addr addr;
	u8 family;
	u8 plen;
	u8 state;		/* enum smtprl_state */
	u32 first_s;
	u32 last_limited_s;
	u32 strikes;
	u32 fanout;
	struct smtprl_buckets b;
	u64 allowed;
	u64 limited;
	struct smtprl_quar quar;	/* state quarantined, or just released */
};

enum smtprl_verdict {
	SMTPRL_ALLOW,
	SMTPRL_LIMIT,
	SMTPRL_QUARANTINE,	/* refused: the source is quarantined */
	SMTPRL_RETRY,		/* GC unlinked the entry under us */
};

/* What one connection attempt did to its source, for events. */
struct smtprl_outcome {
	u8 cmd;			/* the event due (SMTPRL_CMD_*_NTF), or 0 */
	u8 release;		/* a quarantine ended first: enum smtprl_release */
	struct smtprl_snap snap;	/* when @cmd or @release is set */
};

/*
 * The key's hash and comparison, and the table's parameters, are here so
 * that the packet path's lookup (smtprl_table_get()) is inline, hash and
 * compare included.
 *
 * Keyed SipHash, so that a flood of chosen sources cannot pile into one
 * bucket, over the key's significant words only (one for IPv4, two for an
 * IPv6 prefix up to /64, four beyond): every source is hashed once per new
 * connection. The table's seed, which rhashtable changes when it rehashes,
 * is folded into the first word (a bijection: the same sources fall into
 * other buckets). Family and length are not hashed: keys that differ only
 * there (briefly, after a prefix length changes) may share a bucket, and
 * smtprl_key_cmp() tells them apart. A key (struct smtprl_key) and an
 * entry hash alike.
 */
extern hsiphash_key_t smtprl_key_secret;

static __always_inline u32 smtprl_addr_hash(u8 family, u8 plen, const __be32 *hi,
					    const __be32 *lo, u32 seed)
{
	if (family == NFPROTO_IPV4)
		return hsiphash_1u32((__force u32)hi[0] ^ seed, &smtprl_key_secret);
	if (plen <= 64)
		return hsiphash_2u32((__force u32)hi[0] ^ seed, (__force u32)hi[1],
				     &smtprl_key_secret);
	return hsiphash_4u32((__force u32)hi[0] ^ seed, (__force u32)hi[1],
			     (__force u32)lo[0], (__force u32)lo[1],
			     &smtprl_key_secret);
}

static __always_inline u32 smtprl_key_hash(const void *data, u32 len, u32 seed)
{
	const struct smtprl_key *k = data;

	return smtprl_addr_hash(k->family, k->plen, &k->addr.v6.s6_addr32[0],
				&k->addr.v6.s6_addr32[2], seed);
}

static __always_inline u32 smtprl_entry_hash(const void *data, u32 len, u32 seed)
{
	const struct smtprl_entry *e = data;

	return smtprl_addr_hash(e->family, e->plen, e->addr, e->addr_lo, seed);
}

/* 0 means equal: family and length in one compare, then the address. */
static __always_inline int smtprl_key_cmp(struct rhashtable_compare_arg *arg,
					  const void *obj)
{
	const struct smtprl_entry *e = obj;
	const struct smtprl_key *k = arg->key;
	const __be32 *w = k->addr.v6.s6_addr32;

	if (e->family != k->family || e->plen != k->plen ||
	    ((e->addr[0] ^ w[0]) | (e->addr[1] ^ w[1])))
		return 1;
	return smtprl_key_long(k->family, k->plen) &&
	       ((e->addr_lo[0] ^ w[2]) | (e->addr_lo[1] ^ w[3]));
}

#define SMTPRL_ENTRY_PARAMS {						\
	.head_offset = offsetof(struct smtprl_entry, node),		\
	.key_len = sizeof(struct smtprl_key),				\
	.hashfn = smtprl_key_hash,					\
	.obj_hashfn = smtprl_entry_hash,				\
	.obj_cmpfn = smtprl_key_cmp,					\
	.automatic_shrinking = true,					\
}

struct smtprl_table {
	struct rhashtable ht;
	atomic_t count;		/* entries, including ones racing to insert */
	atomic_t long_count;	/* of those, with a key longer than 64 bits */
	atomic_t watch_count;	/* entries with a watch */
	atomic_long_t quar_gone;	/* quarantined entries forgotten */
	struct rhashtable_iter gc_iter;
	unsigned int gc_pass_n;	/* entries when the current GC pass began */
	struct delayed_work *gc_work;	/* queued when the table stops being empty */
};

/*
 * What GC may forget: idle for gc_idle seconds (module parameter, this by
 * default) and both buckets full again.
 */
#define SMTPRL_GC_IDLE_S	60
#define SMTPRL_GC_IDLE_NS	(SMTPRL_GC_IDLE_S * (u64)NSEC_PER_SEC)
/*
 * How much GC looks at each second: the whole table every
 * SMTPRL_GC_PASS_S seconds, and never fewer than SMTPRL_GC_BATCH entries.
 * A source becomes forgettable gc_idle seconds after its last packet, so
 * once a flood stops the table has room again within gc_idle plus
 * SMTPRL_GC_PASS_S seconds, whatever its size.
 */
#define SMTPRL_GC_PASS_S	4
#define SMTPRL_GC_BATCH		4096

int smtprl_table_module_init(void);
void smtprl_table_module_exit(void);
int smtprl_table_init(struct smtprl_table *t);
u64 smtprl_table_memory(struct smtprl_table *t);
void smtprl_table_destroy(struct smtprl_table *t);
struct smtprl_entry *smtprl_table_lookup(struct smtprl_table *t,
					 const struct smtprl_key *k);
struct smtprl_entry *smtprl_table_insert(struct smtprl_table *t,
					 const struct smtprl_key *k,
					 const struct smtprl_limit *lim,
					 u32 max_entries, u64 now_ns);
/**
 * smtprl_table_get - find the entry for @k, or create it full
 * @t: the table
 * @k: the masked source
 * @lim: limits a new entry starts with
 * @max_entries: the cap
 * @now_ns: the current time
 *
 * NULL when the source cannot be tracked; the caller applies the policy's
 * when-full behaviour. Call under RCU. Inline: it is the packet path's.
 */
static __always_inline struct smtprl_entry *
smtprl_table_get(struct smtprl_table *t, const struct smtprl_key *k,
		 const struct smtprl_limit *lim, u32 max_entries, u64 now_ns)
{
	struct smtprl_entry *e;

	e = rhashtable_lookup(&t->ht, k, (const struct rhashtable_params)SMTPRL_ENTRY_PARAMS);
	if (likely(e))
		return e;
	return smtprl_table_insert(t, k, lim, max_entries, now_ns);
}

bool smtprl_entry_take(struct smtprl_entry *e, const struct smtprl_limit *lim,
		       u64 now_ns);
enum smtprl_verdict smtprl_entry_attempt(struct smtprl_table *t,
					 struct smtprl_entry *e,
					 const struct smtprl_policy *p,
					 const struct smtprl_limit *lim,
					 u64 now_ns, u8 family,
					 const union smtprl_addr *daddr,
					 struct smtprl_outcome *o);
u8 smtprl_snap_state(const struct smtprl_snap *s, const struct smtprl_limit *lim,
		     u64 now_ns);
bool smtprl_entry_snap(struct smtprl_entry *e, const struct smtprl_policy *p,
		       u64 now_ns, struct smtprl_snap *s);
int smtprl_watch_cache_init(void);
void smtprl_watch_cache_exit(void);
unsigned int smtprl_watch_size(void);
struct smtprl_watch *smtprl_watch_alloc(gfp_t gfp);
void smtprl_watch_free(struct smtprl_watch *w);
int smtprl_entry_quarantine(struct smtprl_table *t, struct smtprl_entry *e,
			    u64 now_ns, u64 for_ns, u8 cause, struct smtprl_watch *w);
int smtprl_entry_release(struct smtprl_entry *e, const struct smtprl_policy *p,
			 u64 now_ns, u8 why, struct smtprl_snap *s);

/* For table.c: entry.c's work on an entry it holds locked or GC visits. */
void smtprl_entry_snap_locked(const struct smtprl_entry *e,
			      const struct smtprl_policy *p, u64 now_ns,
			      struct smtprl_snap *s);

/* Called by GC for each quarantine it ends, in process context. */
typedef void (*smtprl_released_fn)(void *arg, const struct smtprl_snap *s,
				   u8 why);
/*
 * Asked by GC for a subscriber's entry: the limits it is charged by, whose
 * buckets must be full again before it is forgotten; NULL: forget it (no
 * such subscriber any more, or an exempt one). Under RCU.
 */
typedef const struct smtprl_limit *(*smtprl_sub_limit_fn)(void *arg,
							  const struct smtprl_entry *e,
							  const struct smtprl_policy *p);

unsigned int smtprl_table_gc_budget(const struct smtprl_table *t);
unsigned int smtprl_table_gc(struct smtprl_table *t,
			     const struct smtprl_policy *p, u64 now_ns,
			     u64 idle_ns, unsigned int budget,
			     smtprl_released_fn released,
			     smtprl_sub_limit_fn sub_limit, void *arg);
void smtprl_entry_release_if_over(struct smtprl_entry *e,
				  const struct smtprl_policy *p, u64 now_ns,
				  smtprl_released_fn released, void *arg);
/* Whom source-del and source-flush tell of the quarantines they end. */
struct smtprl_forget {
	const struct smtprl_policy *p;
	u64 now_ns;
	smtprl_released_fn released;
	void *arg;
};

int smtprl_table_reset(struct smtprl_table *t, const struct smtprl_key *k,
		       const struct smtprl_forget *f);
unsigned int smtprl_table_flush(struct smtprl_table *t,
				const struct smtprl_forget *f);

#endif /* _SMTPRL_TABLE_H */
