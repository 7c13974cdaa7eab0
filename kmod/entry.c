// SPDX-License-Identifier: GPL-2.0
/*
 * One source's life: charging its buckets, strikes and fan-out, its
 * quarantine and release, and consistent snapshots of it. Every function
 * here takes the entry's own spinlock (BH disabled: LOCAL_OUT runs in
 * process context) and nothing else; the table around it is table.c's.
 */

#include <linux/random.h>
#include <linux/slab.h>

#include "entry.h"
#include "smtprl.h"
#include "table.h"

static struct kmem_cache *watch_cache __read_mostly;
/* The key of smtprl_dst_hash(): fan-out sketches live in watches. */
u64 smtprl_dst_key __read_mostly;
EXPORT_SYMBOL_IF_KUNIT(smtprl_dst_key);

int smtprl_watch_cache_init(void)
{
	smtprl_dst_key = get_random_u64();
	watch_cache = KMEM_CACHE(smtprl_watch, 0);
	return watch_cache ? 0 : -ENOMEM;
}

/* After every entry is freed (rcu_barrier()). */
void smtprl_watch_cache_exit(void)
{
	kmem_cache_destroy(watch_cache);
}

unsigned int smtprl_watch_size(void)
{
	return kmem_cache_size(watch_cache);
}

/* Zeroed; @gfp as the caller's context allows. */
struct smtprl_watch *smtprl_watch_alloc(gfp_t gfp)
{
	return kmem_cache_zalloc(watch_cache, gfp);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_watch_alloc);

void smtprl_watch_free(struct smtprl_watch *w)
{
	if (w)
		kmem_cache_free(watch_cache, w);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_watch_free);

/*
 * Charge one connection to @e, rate only. Returns false if it was limited,
 * and also (via @e->dead, checked by the caller) if GC got there first.
 */
bool smtprl_entry_take(struct smtprl_entry *e, const struct smtprl_limit *lim,
		       u64 now_ns)
{
	bool ok = false;

	spin_lock_bh(&e->lock);
	if (likely(!e->dead))
		ok = smtprl_entry_charge(e, lim, now_ns);
	spin_unlock_bh(&e->lock);
	return ok;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_entry_take);

/* Locked and alive: copy @e into @s. */
void smtprl_entry_snap_locked(const struct smtprl_entry *e,
			      const struct smtprl_policy *p, u64 now_ns,
			      struct smtprl_snap *s)
{
	memset(&s->addr, 0, sizeof(s->addr));
	s->addr.v6.s6_addr32[0] = e->addr[0];
	s->addr.v6.s6_addr32[1] = e->addr[1];
	if (smtprl_key_long(e->family, e->plen)) {
		s->addr.v6.s6_addr32[2] = e->addr_lo[0];
		s->addr.v6.s6_addr32[3] = e->addr_lo[1];
	}
	s->family = e->family;
	s->plen = e->plen;
	s->first_s = e->first_s;
	s->last_limited_s = e->last_limited_s;
	s->b = e->b;
	s->allowed = e->allowed;
	s->limited = e->limited;
	s->strikes = 0;
	s->fanout = 0;
	if (e->watch) {
		s->strikes = smtprl_strikes_count(&e->watch->strikes, &p->q, now_ns);
		s->fanout = smtprl_strikes_fanout(&e->watch->strikes, &p->q, now_ns);
	}
	if (e->quarantined) {
		s->state = SMTPRL_STATE_QUARANTINED;
		s->quar = e->watch->quar;
		return;
	}
	memset(&s->quar, 0, sizeof(s->quar));
	s->state = SMTPRL_STATE_NORMAL;
}

/* @s's state, told limited from normal by the limits it is charged by. */
u8 smtprl_snap_state(const struct smtprl_snap *s, const struct smtprl_limit *lim,
		     u64 now_ns)
{
	const struct smtprl_buckets *b = &s->b;

	if (s->state != SMTPRL_STATE_NORMAL)
		return s->state;
	if (!smtprl_bucket_level(b->tokens_ns, b->last_ns, &lim->rate, now_ns) ||
	    (lim->daily.cost_ns &&
	     !smtprl_bucket_level(b->daily_ns, b->last_ns, &lim->daily, now_ns)))
		return SMTPRL_STATE_LIMITED;
	return SMTPRL_STATE_NORMAL;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_snap_state);

/**
 * smtprl_entry_snap - a consistent copy of @e
 * @e: the entry, under RCU
 * @p: the policy in force (the strike window)
 * @now_ns: the current time
 * @s: the copy
 *
 * Returns false if GC has unlinked the entry: there is nothing to show.
 */
bool smtprl_entry_snap(struct smtprl_entry *e, const struct smtprl_policy *p,
		       u64 now_ns, struct smtprl_snap *s)
{
	bool alive;

	spin_lock_bh(&e->lock);
	alive = !e->dead;
	if (alive)
		smtprl_entry_snap_locked(e, p, now_ns, s);
	spin_unlock_bh(&e->lock);
	return alive;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_entry_snap);

/*
 * Locked, quarantined: end @e's quarantine, with a snapshot for the
 * event. The watch stays: a released zombie is likely to need it again.
 */
static void release_locked(struct smtprl_entry *e,
			   const struct smtprl_policy *p, u64 now_ns,
			   struct smtprl_snap *s)
{
	smtprl_entry_snap_locked(e, p, now_ns, s);
	WRITE_ONCE(e->quarantined, false);
	/* A fresh start: old strikes would quarantine it again at once. */
	e->watch->strikes.bits = 0;
	s->state = SMTPRL_STATE_NORMAL;
}

/* Locked, alive: give @e its watch, counted in @t; NULL without memory. */
struct smtprl_watch *smtprl_entry_watch_new(struct smtprl_table *t,
					    struct smtprl_entry *e)
{
	struct smtprl_watch *w = smtprl_watch_alloc(GFP_ATOMIC | __GFP_NOWARN);

	if (w) {
		atomic_inc(&t->watch_count);
		e->watch = w;
	}
	return w;
}

/* Locked, alive, watched: the strike that reached the count quarantines. */
void smtprl_entry_quarantine_start(struct smtprl_entry *e,
				   const struct smtprl_policy *p, u64 now_ns,
				   u8 cause, struct smtprl_outcome *o)
{
	smtprl_quar_start(&e->watch->quar, now_ns, p->q.max_ns, cause);
	WRITE_ONCE(e->quarantined, true);
	o->cmd = SMTPRL_CMD_QUARANTINED_NTF;
}

/*
 * Locked, alive, quarantined: an attempt from @e. Refused, unless the
 * quarantine is over: then @o->release says why, the attempt is charged
 * as usual, its strikes forgotten (a released source starts afresh), and
 * no other event is due.
 */
enum smtprl_verdict smtprl_entry_attempt_quarantined(struct smtprl_entry *e,
						     const struct smtprl_policy *p,
						     const struct smtprl_limit *lim,
						     u64 now_ns,
						     const struct smtprl_conn *c,
						     struct smtprl_outcome *o)
{
	struct smtprl_watch *w = e->watch;

	o->release = smtprl_quar_check(&w->quar, &p->q, now_ns);
	if (o->release == SMTPRL_RELEASE_NONE) {
		smtprl_quar_attempt(&w->quar, now_ns);
		smtprl_fanout_note(&w->strikes, &p->q, now_ns,
				   smtprl_dst_hash(c->family, &c->daddr));
		return SMTPRL_QUARANTINE;
	}
	release_locked(e, p, now_ns, &o->snap);
	return smtprl_entry_charge(e, lim, now_ns) ? SMTPRL_ALLOW : SMTPRL_LIMIT;
}

/**
 * smtprl_entry_attempt - __smtprl_entry_attempt() from any context
 * @t: the table of @e
 * @e: the entry, under RCU
 * @p: the policy in force
 * @lim: the limits @e is charged by
 * @now_ns: the current time
 * @family: the connection's
 * @daddr: the destination
 * @o: the event due, if any, and what it carries
 */
enum smtprl_verdict smtprl_entry_attempt(struct smtprl_table *t,
					 struct smtprl_entry *e,
					 const struct smtprl_policy *p,
					 const struct smtprl_limit *lim,
					 u64 now_ns, u8 family,
					 const union smtprl_addr *daddr,
					 struct smtprl_outcome *o)
{
	struct smtprl_conn c = { .daddr = *daddr, .family = family };
	enum smtprl_verdict v;

	local_bh_disable();
	v = __smtprl_entry_attempt(t, e, p, lim, now_ns, &c, o);
	local_bh_enable();
	return v;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_entry_attempt);

/**
 * smtprl_entry_quarantine - the operator quarantines @e
 * @t: the table of @e
 * @e: the entry, under RCU
 * @now_ns: the current time
 * @for_ns: how long
 * @cause: SMTPRL_CAUSE_OPERATOR, or the cause of a saved quarantine that
 *	is restored (it then also ends by the policy's rules, see
 *	smtprl_quar_check())
 * @w: a watch (smtprl_watch_alloc()), allocated by the caller before it
 *	looked @e up or created it, so that no allocation can fail after a
 *	new source was tracked; used if @e has none yet, else freed
 *
 * Replaces a quarantine in progress (the operator's time wins; what it
 * refused so far still counts). Returns 1 for a new quarantine, 0 for a
 * replaced one, -ENOENT if GC got there first.
 */
int smtprl_entry_quarantine(struct smtprl_table *t, struct smtprl_entry *e,
			    u64 now_ns, u64 for_ns, u8 cause, struct smtprl_watch *w)
{
	u64 refused;
	int err;

	spin_lock_bh(&e->lock);
	if (e->dead) {
		err = -ENOENT;
	} else {
		if (!e->watch) {
			atomic_inc(&t->watch_count);
			swap(e->watch, w);
		}
		refused = e->quarantined ? e->watch->quar.refused : 0;
		smtprl_quar_start(&e->watch->quar, now_ns, for_ns, cause);
		e->watch->quar.refused = refused;
		err = !e->quarantined;
		WRITE_ONCE(e->quarantined, true);
	}
	spin_unlock_bh(&e->lock);
	smtprl_watch_free(w);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_entry_quarantine);

/**
 * smtprl_entry_release - end @e's quarantine, for @why
 * @e: the entry, under RCU
 * @p: the policy in force
 * @now_ns: the current time
 * @why: enum smtprl_release
 * @s: the source as it was released, for the event
 *
 * Returns -ENOENT if @e is gone, -ESRCH if it was not quarantined.
 */
int smtprl_entry_release(struct smtprl_entry *e, const struct smtprl_policy *p,
			 u64 now_ns, u8 why, struct smtprl_snap *s)
{
	int err = 0;

	spin_lock_bh(&e->lock);
	if (e->dead)
		err = -ENOENT;
	else if (!e->quarantined)
		err = -ESRCH;
	else
		release_locked(e, p, now_ns, s);
	spin_unlock_bh(&e->lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_entry_release);

/* A quiet source must not wait for its next attempt to be released. */
void smtprl_entry_release_if_over(struct smtprl_entry *e,
				  const struct smtprl_policy *p, u64 now_ns,
				  smtprl_released_fn released, void *arg)
{
	struct smtprl_snap s;
	u8 why = SMTPRL_RELEASE_NONE;

	spin_lock_bh(&e->lock);
	if (!e->dead && e->quarantined) {
		why = smtprl_quar_check(&e->watch->quar, &p->q, now_ns);
		if (why != SMTPRL_RELEASE_NONE)
			release_locked(e, p, now_ns, &s);
	}
	spin_unlock_bh(&e->lock);
	if (why != SMTPRL_RELEASE_NONE && released)
		released(arg, &s, why);
}

