// SPDX-License-Identifier: GPL-2.0
/*
 * One source's life: charging its buckets, strikes and fan-out, its
 * quarantine and release, and consistent snapshots of it. Every function
 * here takes the entry's own spinlock (BH disabled: LOCAL_OUT runs in
 * process context) and nothing else; the table around it is table.c's.
 */

#include <linux/slab.h>

#include "smtprl.h"
#include "table.h"

/* Charge one connection to @e, locked and alive; false if limited. */
static __always_inline bool charge(struct smtprl_entry *e,
				   const struct smtprl_limit *lim, u64 now_ns)
{
	if (smtprl_buckets_take(&e->b, lim, now_ns)) {
		e->allowed++;
		return true;
	}
	e->limited++;
	e->last_limited_s = div_u64(now_ns, NSEC_PER_SEC);
	return false;
}

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
		ok = charge(e, lim, now_ns);
	spin_unlock_bh(&e->lock);
	return ok;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_entry_take);

/* Locked and alive: copy @e into @s. */
void smtprl_entry_snap_locked(const struct smtprl_entry *e,
			      const struct smtprl_policy *p, u64 now_ns,
			      struct smtprl_snap *s)
{
	const struct smtprl_limit *lim = &p->limit;

	s->addr = e->addr;
	s->family = e->family;
	s->plen = e->plen;
	s->first_s = e->first_s;
	s->last_limited_s = e->last_limited_s;
	s->b = e->b;
	s->allowed = e->allowed;
	s->limited = e->limited;
	s->strikes = smtprl_strikes_count(&e->strikes, &p->q, now_ns);
	s->fanout = smtprl_strikes_fanout(&e->strikes, &p->q, now_ns);
	if (e->quar) {
		s->state = SMTPRL_STATE_QUARANTINED;
		s->quar = *e->quar;
		return;
	}
	memset(&s->quar, 0, sizeof(s->quar));
	if (!smtprl_bucket_level(e->b.tokens_ns, e->b.last_ns, &lim->rate, now_ns) ||
	    (lim->daily.cost_ns &&
	     !smtprl_bucket_level(e->b.daily_ns, e->b.last_ns, &lim->daily, now_ns)))
		s->state = SMTPRL_STATE_LIMITED;
	else
		s->state = SMTPRL_STATE_NORMAL;
}

/**
 * smtprl_entry_snap - a consistent copy of @e
 * @e: the entry, under RCU
 * @p: the policy in force (bucket levels, strike window)
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

/* Locked: end @e's quarantine for @why, with a snapshot for the event. */
static struct smtprl_quar *release_locked(struct smtprl_entry *e,
					  const struct smtprl_policy *p,
					  u64 now_ns, struct smtprl_snap *s)
{
	struct smtprl_quar *q = e->quar;

	smtprl_entry_snap_locked(e, p, now_ns, s);
	e->quar = NULL;
	/* A fresh start: old strikes would quarantine it again at once. */
	e->strikes.bits = 0;
	s->state = SMTPRL_STATE_NORMAL;
	return q;
}

/*
 * Locked, alive, strikes on in the policy: note the attempt's strike and
 * fan-out; the strike that reaches the policy's count quarantines @e.
 * Returns true when it did, or would have but for memory (the next
 * attempt retries): no limited event then. Out of line: a policy without
 * quarantine or fan-out limit never comes here.
 */
static noinline bool strike(struct smtprl_entry *e, const struct smtprl_policy *p,
			    u64 now_ns, bool limited, u32 dst_hash,
			    struct smtprl_outcome *o)
{
	struct smtprl_quar *q;
	u8 cause;

	if (!smtprl_strikes_note(&e->strikes, &p->q, now_ns, limited, dst_hash,
				 &cause))
		return false;
	q = kmalloc(sizeof(*q), GFP_ATOMIC | __GFP_NOWARN);
	if (!q) {
		e->strikes.bits &= ~1U;	/* the next attempt retries */
		return true;
	}
	smtprl_quar_start(q, now_ns, p->q.max_ns, cause);
	e->quar = q;
	o->cmd = SMTPRL_CMD_QUARANTINED_NTF;
	return true;
}

/*
 * The first limit of an event interval (event-interval seconds, aligned to
 * the boot-time clock) is announced; @prev_s is the last limit before this
 * one (0: never). Seconds, so 32-bit divisions only.
 */
static bool limit_event_due(const struct smtprl_policy *p, u32 prev_s, u32 now_s)
{
	u32 every = p->cfg.event_interval;

	return !prev_s || !every || prev_s / every != now_s / every;
}

/**
 * __smtprl_entry_attempt - one new connection from the source of @e
 * @e: the entry, under RCU
 * @p: the policy in force
 * @now_ns: the current time
 * @dst_hash: smtprl_dst_hash() of the destination; needed only while
 *	@p->strikes_on or @e is quarantined (fan-out), else any value
 * @o: the event due, if any, and what it carries
 *
 * The packet path's: BH is disabled (see hook.c). A quarantined source
 * is refused, unless its quarantine is over (then @o->release says why,
 * and the attempt is charged as usual, its strikes forgotten: a released
 * source starts afresh). Otherwise the attempt is charged to the buckets
 * and, while @p->strikes_on, may earn a strike; the strike that reaches
 * the policy's count quarantines the source from the next attempt on
 * (this one keeps its bucket's verdict: a fan-out strike may have been
 * allowed). Never sleeps; allocates (GFP_ATOMIC) only to quarantine, and
 * if that fails the next attempt tries again.
 */
enum smtprl_verdict __smtprl_entry_attempt(struct smtprl_entry *e,
					   const struct smtprl_policy *p,
					   u64 now_ns, u32 dst_hash,
					   struct smtprl_outcome *o)
{
	struct smtprl_quar *gone = NULL;
	enum smtprl_verdict v;
	u32 prev_limited_s;

	lockdep_assert_in_softirq();
	o->cmd = 0;
	o->release = SMTPRL_RELEASE_NONE;
	spin_lock(&e->lock);
	if (unlikely(e->dead)) {
		v = SMTPRL_RETRY;
		goto out;
	}
	if (unlikely(e->quar)) {
		o->release = smtprl_quar_check(e->quar, &p->q, now_ns);
		if (o->release == SMTPRL_RELEASE_NONE) {
			smtprl_quar_attempt(e->quar, now_ns);
			smtprl_fanout_note(&e->strikes, &p->q, now_ns, dst_hash);
			v = SMTPRL_QUARANTINE;
			goto out;
		}
		gone = release_locked(e, p, now_ns, &o->snap);
	}
	prev_limited_s = e->last_limited_s;
	v = charge(e, &p->limit, now_ns) ? SMTPRL_ALLOW : SMTPRL_LIMIT;
	/* The attempt that ends a quarantine has its event; nothing more. */
	if (unlikely(gone))
		goto out;
	/* A strike that quarantines has its own event. */
	if (!(p->strikes_on && strike(e, p, now_ns, v == SMTPRL_LIMIT, dst_hash, o)) &&
	    v == SMTPRL_LIMIT && limit_event_due(p, prev_limited_s, e->last_limited_s))
		o->cmd = SMTPRL_CMD_LIMITED_NTF;
	if (unlikely(o->cmd))
		smtprl_entry_snap_locked(e, p, now_ns, &o->snap);
out:
	spin_unlock(&e->lock);
	if (unlikely(gone))
		kfree(gone);
	return v;
}

/**
 * smtprl_entry_attempt - __smtprl_entry_attempt() from any context
 * @e: the entry, under RCU
 * @p: the policy in force
 * @now_ns: the current time
 * @dst_hash: smtprl_dst_hash() of the destination
 * @o: the event due, if any, and what it carries
 */
enum smtprl_verdict smtprl_entry_attempt(struct smtprl_entry *e,
					 const struct smtprl_policy *p,
					 u64 now_ns, u32 dst_hash,
					 struct smtprl_outcome *o)
{
	enum smtprl_verdict v;

	local_bh_disable();
	v = __smtprl_entry_attempt(e, p, now_ns, dst_hash, o);
	local_bh_enable();
	return v;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_entry_attempt);

/**
 * smtprl_entry_quarantine - the operator quarantines @e
 * @e: the entry, under RCU
 * @now_ns: the current time
 * @for_ns: how long
 * @q: the quarantine record, allocated by the caller before it looked
 *	@e up or created it (so that no allocation can fail after a new
 *	source was tracked); always consumed
 *
 * Replaces a quarantine in progress (the operator's time wins). Returns 1
 * for a new quarantine, 0 for a replaced one, -ENOENT if GC got there
 * first.
 */
int smtprl_entry_quarantine(struct smtprl_entry *e, u64 now_ns, u64 for_ns,
			    struct smtprl_quar *q)
{
	int err = 0;

	smtprl_quar_start(q, now_ns, for_ns, SMTPRL_CAUSE_OPERATOR);
	spin_lock_bh(&e->lock);
	if (e->dead) {
		err = -ENOENT;
	} else {
		swap(q, e->quar);
		if (q)
			e->quar->refused = q->refused;
		err = !q;
	}
	spin_unlock_bh(&e->lock);
	kfree(q);
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
	struct smtprl_quar *gone = NULL;
	int err = 0;

	spin_lock_bh(&e->lock);
	if (e->dead)
		err = -ENOENT;
	else if (!e->quar)
		err = -ESRCH;
	else
		gone = release_locked(e, p, now_ns, s);
	spin_unlock_bh(&e->lock);
	kfree(gone);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_entry_release);

/* A quiet source must not wait for its next attempt to be released. */
void smtprl_entry_release_if_over(struct smtprl_entry *e,
				  const struct smtprl_policy *p, u64 now_ns,
				  smtprl_released_fn released, void *arg)
{
	struct smtprl_quar *gone = NULL;
	struct smtprl_snap s;
	u8 why = SMTPRL_RELEASE_NONE;

	spin_lock_bh(&e->lock);
	if (!e->dead && e->quar) {
		why = smtprl_quar_check(e->quar, &p->q, now_ns);
		if (why != SMTPRL_RELEASE_NONE)
			gone = release_locked(e, p, now_ns, &s);
	}
	spin_unlock_bh(&e->lock);
	kfree(gone);
	if (gone && released)
		released(arg, &s, why);
}

