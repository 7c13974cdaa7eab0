/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_TABLE_H
#define _SMTPRL_TABLE_H

#include <linux/atomic.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>

#include "bucket.h"
#include "classify.h"

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

#define SMTPRL_KEY_LEN	(offsetof(struct smtprl_key, plen) + 1)

/*
 * One tracked source. The first SMTPRL_KEY_LEN bytes from @addr are the
 * hash key; @dead sits in what would be the key's padding.
 */
struct smtprl_entry {
	struct rhash_head node;
	union smtprl_addr addr;
	u8 family;
	u8 plen;
	bool dead;		/* unlinked by GC; retry the lookup */
	spinlock_t lock;	/* protects everything below */
	struct smtprl_buckets b;
	u64 allowed;
	u64 limited;		/* or would-limit, in monitor mode */
	u32 first_s;		/* boot-time seconds */
	u32 last_limited_s;	/* 0: never */
	struct rcu_head rcu;
};

struct smtprl_table {
	struct rhashtable ht;
	atomic_t count;		/* entries, including ones racing to insert */
	struct rhashtable_iter gc_iter;
};

/*
 * What GC may forget: idle for gc_idle seconds (module parameter, this by
 * default) and both buckets full again.
 */
#define SMTPRL_GC_IDLE_S	60
#define SMTPRL_GC_IDLE_NS	(SMTPRL_GC_IDLE_S * NSEC_PER_SEC)
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
struct smtprl_entry *smtprl_table_get(struct smtprl_table *t,
				      const struct smtprl_key *k,
				      const struct smtprl_limit *lim,
				      u32 max_entries, u64 now_ns);
bool smtprl_entry_take(struct smtprl_entry *e, const struct smtprl_limit *lim,
		       u64 now_ns);
unsigned int smtprl_table_gc(struct smtprl_table *t,
			     const struct smtprl_limit *lim, u64 now_ns,
			     u64 idle_ns, unsigned int budget, bool all);
int smtprl_table_reset(struct smtprl_table *t, const struct smtprl_key *k);
unsigned int smtprl_table_flush(struct smtprl_table *t);

#endif /* _SMTPRL_TABLE_H */
