// SPDX-License-Identifier: GPL-2.0
/*
 * The source table: one entry per subscriber key, in an rhashtable.
 *
 * Locking:
 *  - lookups run under RCU and never lock the table;
 *  - an entry's buckets and counters are protected by its own spinlock,
 *    taken with BH disabled (LOCAL_OUT runs in process context);
 *  - inserts race freely: rhashtable_lookup_get_insert_fast() keeps the
 *    first, the loser frees its unpublished copy;
 *  - GC marks an entry dead under its lock before unlinking it, so a
 *    packet holding a stale pointer retries instead of charging a ghost;
 *  - GC, reset and flush run in process context under the owner's config
 *    mutex, which also protects the GC cursor;
 *  - entries are freed after an RCU grace period; module exit runs
 *    rcu_barrier() before destroying the cache.
 *
 * GC rule: an entry is removed only when it has been idle for
 * gc_idle seconds AND both its buckets would be full again by now. A
 * new entry starts full, so forgetting one never hands out credit.
 */

#include <linux/rhashtable.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "smtprl.h"
#include "table.h"

/* Entries with a key of up to 64 bits, and longer ones. */
static struct kmem_cache *entry_cache __read_mostly;
static struct kmem_cache *entry_long_cache __read_mostly;
hsiphash_key_t smtprl_key_secret __read_mostly;
EXPORT_SYMBOL_IF_KUNIT(smtprl_key_secret);

static const struct rhashtable_params entry_params = SMTPRL_ENTRY_PARAMS;

int smtprl_table_module_init(void)
{
	size_t len = sizeof(struct smtprl_entry);

	BUILD_BUG_ON(sizeof(struct rcu_head) > 2 * sizeof(u64));
	/* 104 bytes a source with its hash bucket (debug locks are bigger). */
	BUILD_BUG_ON(!IS_ENABLED(CONFIG_DEBUG_SPINLOCK) &&
		     !IS_ENABLED(CONFIG_DEBUG_LOCK_ALLOC) &&
		     sizeof(struct smtprl_entry) > 80);
	get_random_bytes(&smtprl_key_secret, sizeof(smtprl_key_secret));
	entry_cache = kmem_cache_create("smtprl_entry", len,
					__alignof__(struct smtprl_entry), 0, NULL);
	entry_long_cache = kmem_cache_create("smtprl_entry_long", len + 2 * sizeof(__be32),
					     __alignof__(struct smtprl_entry), 0, NULL);
	if (entry_cache && entry_long_cache && !smtprl_watch_cache_init())
		return 0;
	kmem_cache_destroy(entry_long_cache);
	kmem_cache_destroy(entry_cache);
	return -ENOMEM;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_table_module_init);

/* Call after every table is destroyed. */
void smtprl_table_module_exit(void)
{
	rcu_barrier();
	smtprl_watch_cache_exit();
	kmem_cache_destroy(entry_long_cache);
	kmem_cache_destroy(entry_cache);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_table_module_exit);

int smtprl_table_init(struct smtprl_table *t)
{
	int err;

	atomic_set(&t->count, 0);
	atomic_set(&t->long_count, 0);
	atomic_set(&t->watch_count, 0);
	atomic_long_set(&t->quar_gone, 0);
	t->gc_pass_n = 0;
	err = rhashtable_init(&t->ht, &entry_params);
	if (err)
		return err;
	rhashtable_walk_enter(&t->ht, &t->gc_iter);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_table_init);

static struct kmem_cache *cache_of(u8 family, u8 plen)
{
	return smtprl_key_long(family, plen) ? entry_long_cache : entry_cache;
}

static void entry_free(void *ptr, void *arg)
{
	struct smtprl_entry *e = ptr;

	smtprl_watch_free(e->watch);
	kmem_cache_free(cache_of(e->family, e->plen), e);
}

static void entry_free_rcu(struct rcu_head *head)
{
	entry_free(container_of(head, struct smtprl_entry, rcu), NULL);
}

/* No reader may be left: the hooks are gone and a grace period passed. */
void smtprl_table_destroy(struct smtprl_table *t)
{
	rhashtable_walk_exit(&t->gc_iter);
	rhashtable_free_and_destroy(&t->ht, entry_free, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_table_destroy);

/* Bytes used by the entries and the hash buckets, for stats. */
u64 smtprl_table_memory(struct smtprl_table *t)
{
	const struct bucket_table *tbl;
	u64 buckets;

	rcu_read_lock();
	tbl = rht_dereference_rcu(t->ht.tbl, &t->ht);
	buckets = tbl->size;
	rcu_read_unlock();
	return (u64)atomic_read(&t->count) * kmem_cache_size(entry_cache) +
	       (u64)atomic_read(&t->long_count) *
	       (kmem_cache_size(entry_long_cache) - kmem_cache_size(entry_cache)) +
	       (u64)atomic_read(&t->watch_count) * smtprl_watch_size() +
	       buckets * sizeof(struct rhash_lock_head *);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_table_memory);

/* Call under RCU. */
struct smtprl_entry *smtprl_table_lookup(struct smtprl_table *t,
					 const struct smtprl_key *k)
{
	return rhashtable_lookup(&t->ht, k, entry_params);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_table_lookup);

/**
 * smtprl_table_insert - create the entry for @k, full, unless one exists
 * @t: the table
 * @k: the masked source
 * @lim: limits a new entry starts with (full)
 * @max_entries: the cap; at it, nothing is created
 * @now_ns: the current time
 *
 * The slow path of smtprl_table_get(): if another CPU inserted @k first,
 * its entry is returned and ours, never visible, is freed. Returns NULL
 * when the source cannot be tracked (cap reached, or no memory). Never
 * sleeps. Call under RCU.
 */
struct smtprl_entry *smtprl_table_insert(struct smtprl_table *t,
					 const struct smtprl_key *k,
					 const struct smtprl_limit *lim,
					 u32 max_entries, u64 now_ns)
{
	struct smtprl_entry *e, *old;
	unsigned int n = atomic_inc_return(&t->count);

	if (n > max_entries) {
		/* At the cap: another CPU may just have inserted this key. */
		atomic_dec(&t->count);
		return rhashtable_lookup(&t->ht, k, entry_params);
	}
	/* GC sleeps while the table is empty; an idle namespace costs nothing. */
	if (n == 1 && t->gc_work)
		queue_delayed_work(system_power_efficient_wq, t->gc_work, HZ);
	e = kmem_cache_zalloc(cache_of(k->family, k->plen), GFP_ATOMIC | __GFP_NOWARN);
	if (!e)
		goto err_uncount;
	e->addr[0] = k->addr.v6.s6_addr32[0];
	e->addr[1] = k->addr.v6.s6_addr32[1];
	if (smtprl_key_long(k->family, k->plen)) {
		e->addr_lo[0] = k->addr.v6.s6_addr32[2];
		e->addr_lo[1] = k->addr.v6.s6_addr32[3];
		atomic_inc(&t->long_count);
	}
	e->family = k->family;
	e->plen = k->plen;
	spin_lock_init(&e->lock);
	smtprl_buckets_init(&e->b, lim, now_ns);
	e->first_s = div_u64(now_ns, NSEC_PER_SEC);

	old = rhashtable_lookup_get_insert_key(&t->ht, k, &e->node, entry_params);
	if (likely(!old))
		return e;
	if (smtprl_key_long(k->family, k->plen))
		atomic_dec(&t->long_count);
	entry_free(e, NULL);
	atomic_dec(&t->count);
	return IS_ERR(old) ? NULL : old;

err_uncount:
	atomic_dec(&t->count);
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_table_insert);

/*
 * Unlink @e from @t and mark it dead, both under its lock, if it may be
 * forgotten, or unconditionally when @lim is NULL; returns whether it did. Dead and linked never
 * coexist: a lookup that finds @e dead and looks again cannot find it
 * again, so a SYN racing GC gets a fresh entry, never the table-full path.
 * With @s (and @p), a quarantine @e was in is copied there, under the same
 * lock: its end is announced exactly once. The entry lock nests outside
 * the hash bucket's, which is never held while taking an entry's.
 * @lim: the limits whose buckets must be full again (GC).
 */
static bool kill_if(struct smtprl_table *t, struct smtprl_entry *e,
		    const struct smtprl_policy *p, const struct smtprl_limit *lim,
		    u64 now_ns, u64 idle_ns, struct smtprl_snap *s,
		    bool *quarantined)
{
	bool kill;

	spin_lock_bh(&e->lock);
	/*
	 * GC never forgets a quarantined source, nor, while quarantine is on,
	 * one with strikes in the window (a zombie pausing between bursts
	 * would shed them); the operator may.
	 */
	kill = !e->dead &&
	       (!lim || (!e->quarantined && now_ns > e->b.last_ns &&
			now_ns - e->b.last_ns >= idle_ns &&
			smtprl_buckets_full(&e->b, lim, now_ns) &&
			!(p->q.strikes && e->watch &&
			  smtprl_strikes_count(&e->watch->strikes, &p->q, now_ns))));
	if (kill) {
		*quarantined = s && e->quarantined;
		if (*quarantined)
			smtprl_entry_snap_locked(e, p, now_ns, s);
		/* Fails only if it was never linked: then it is not ours to free. */
		kill = !rhashtable_remove_fast(&t->ht, &e->node, entry_params);
		e->dead = kill;
	}
	spin_unlock_bh(&e->lock);
	return kill;
}

/* @e is dead and unlinked: nothing changes it any more; free it. */
static void unlink(struct smtprl_table *t, struct smtprl_entry *e)
{
	if (e->quarantined)
		atomic_long_inc(&t->quar_gone);
	if (e->watch)
		atomic_dec(&t->watch_count);
	if (smtprl_key_long(e->family, e->plen))
		atomic_dec(&t->long_count);
	atomic_dec(&t->count);
	call_rcu(&e->rcu, entry_free_rcu);
}

/*
 * Entries GC looks at per run (second), see SMTPRL_GC_PASS_S: sized by the
 * table as the pass began, or as it is now if it grew since. Not by what
 * is left alone: a pass that forgets as it goes would slow down with every
 * entry it forgets.
 */
unsigned int smtprl_table_gc_budget(const struct smtprl_table *t)
{
	unsigned int n = max(atomic_read(&t->count), 0);

	n = max(n, t->gc_pass_n);
	return max_t(unsigned int, SMTPRL_GC_BATCH,
		     DIV_ROUND_UP(n, SMTPRL_GC_PASS_S));
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_table_gc_budget);

/**
 * smtprl_table_gc - forget idle sources, release quarantines that are over
 * @t: the table
 * @p: the policy in force (are buckets full? is a quarantine over?)
 * @now_ns: the current time
 * @idle_ns: how long an entry must have been idle
 * @budget: entries to look at in this call
 * @released: called (under RCU: must not sleep) for each quarantine ended
 * @sub_limit: asked (under RCU) for a subscriber's entry's limits
 * @arg: the first argument of both
 *
 * Resumes where the previous call stopped. Process context; safe against
 * concurrent lookups and inserts; yields the CPU every 1024 entries.
 *
 * Under pressure (more than 7/8 of max_sources tracked), an idle source
 * whose rate bucket is full is forgotten even if its daily cap is not:
 * one SYN costs 1/daily of a day to refill (172.8 s at 500/day), and a
 * full table leaves every new source untracked (when-full). Down to 7/8,
 * the usual rule holds. Returns the number of entries removed.
 */
unsigned int smtprl_table_gc(struct smtprl_table *t,
			     const struct smtprl_policy *p, u64 now_ns,
			     u64 idle_ns, unsigned int budget,
			     smtprl_released_fn released,
			     smtprl_sub_limit_fn sub_limit, void *arg)
{
	struct rhashtable_iter *iter = &t->gc_iter;
	u32 high = p->cfg.max_sources - p->cfg.max_sources / 8;
	struct smtprl_limit rate_only = p->limit, sub_rate_only;
	const struct smtprl_limit *lim;
	unsigned int removed = 0, seen = 0;
	struct smtprl_entry *e;
	bool pressure, q;

	rate_only.daily.cost_ns = 0;	/* under pressure: daily off */

	rhashtable_walk_start(iter);
	while (budget--) {
		/*
		 * A big table is walked in seconds: do not hog CPU or RCU.
		 * Where the entry returned last was removed, the walk resumes
		 * one entry too far in its chain (see smtprl_table_flush());
		 * for GC that entry waits for the next pass.
		 */
		if (!(++seen % 1024)) {
			rhashtable_walk_stop(iter);
			cond_resched();
			rhashtable_walk_start(iter);
		}
		e = rhashtable_walk_next(iter);
		if (IS_ERR(e)) {
			if (PTR_ERR(e) == -EAGAIN)
				continue;	/* resized under us: go on */
			break;
		}
		if (!e) {
			/* End of table: the next call starts over. */
			rhashtable_walk_stop(iter);
			rhashtable_walk_exit(iter);
			rhashtable_walk_enter(&t->ht, iter);
			t->gc_pass_n = max(atomic_read(&t->count), 0);
			return removed;
		}
		if (READ_ONCE(e->quarantined)) {
			smtprl_entry_release_if_over(e, p, now_ns, released, arg);
			continue;
		}
		/*
		 * After a flood most entries are young: skip them without
		 * their lock. A stale or (32-bit) torn read only decides
		 * whether to look closer; kill_if() decides under the lock.
		 */
		if (now_ns - READ_ONCE(e->b.last_ns) < idle_ns)
			continue;
		pressure = atomic_read(&t->count) > high;
		lim = pressure ? &rate_only : &p->limit;
		if (unlikely(e->family == SMTPRL_FAMILY_SUB)) {
			/* NULL: no such subscriber, or an exempt one. */
			lim = sub_limit(arg, e, p);
			if (lim && pressure) {
				sub_rate_only = *lim;
				sub_rate_only.daily.cost_ns = 0;
				lim = &sub_rate_only;
			}
		}
		if (kill_if(t, e, p, lim, now_ns, idle_ns, NULL, &q)) {
			unlink(t, e);
			removed++;
		}
	}
	rhashtable_walk_stop(iter);
	return removed;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_table_gc);

/* Forget @e; a quarantine it was in ends ("gone"), and @f hears of it. */
static bool forget(struct smtprl_table *t, struct smtprl_entry *e,
		   const struct smtprl_forget *f)
{
	struct smtprl_snap s;
	bool quarantined;

	if (!kill_if(t, e, f ? f->p : NULL, NULL, f ? f->now_ns : 0, 0,
		     f ? &s : NULL, &quarantined))
		return false;
	unlink(t, e);
	if (quarantined)
		f->released(f->arg, &s, SMTPRL_RELEASE_GONE);
	return true;
}

/* Forget one source. Returns -ENOENT if it is not tracked. */
int smtprl_table_reset(struct smtprl_table *t, const struct smtprl_key *k,
		       const struct smtprl_forget *f)
{
	struct smtprl_entry *e;
	int err = -ENOENT;

	rcu_read_lock();
	e = rhashtable_lookup(&t->ht, k, entry_params);
	if (e && forget(t, e, f))
		err = 0;
	rcu_read_unlock();
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_table_reset);

/* Forget every source; returns how many. Process context. */
unsigned int smtprl_table_flush(struct smtprl_table *t,
				const struct smtprl_forget *f)
{
	struct rhashtable_iter iter;
	struct smtprl_entry *e;
	unsigned int removed = 0, seen = 0;

	rhashtable_walk_enter(&t->ht, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		if (IS_ERR(e)) {
			if (PTR_ERR(e) == -EAGAIN)
				continue;
			break;
		}
		/*
		 * Do not hold RCU across a million entries. Pause while @e is
		 * still linked: rhashtable_walk_start() finds the place again
		 * by the last entry returned, and one removed meanwhile made
		 * it skip an entry (source flush left one behind).
		 */
		if (!(++seen % 1024)) {
			rhashtable_walk_stop(&iter);
			cond_resched();
			rhashtable_walk_start(&iter);
		}
		if (forget(t, e, f))
			removed++;
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return removed;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_table_flush);
