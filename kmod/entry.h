/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_ENTRY_H
#define _SMTPRL_ENTRY_H

/*
 * The packet path's part of entry.c, inline: one attempt from a source
 * that is neither quarantined nor collecting strikes costs no call but
 * the lock's. The rest of a source's life stays in entry.c.
 */

#include <linux/lockdep.h>
#include <linux/math64.h>
#include <linux/spinlock.h>

#include "table.h"

struct smtprl_watch *smtprl_entry_watch_new(struct smtprl_table *t,
					    struct smtprl_entry *e);
void smtprl_entry_quarantine_start(struct smtprl_entry *e,
				   const struct smtprl_policy *p, u64 now_ns,
				   u8 cause, struct smtprl_outcome *o);
enum smtprl_verdict smtprl_entry_attempt_quarantined(struct smtprl_entry *e,
						     const struct smtprl_policy *p,
						     const struct smtprl_limit *lim,
						     u64 now_ns,
						     const struct smtprl_conn *c,
						     struct smtprl_outcome *o);

/* Charge one connection to @e, locked and alive; false if limited. */
static __always_inline bool smtprl_entry_charge(struct smtprl_entry *e,
						const struct smtprl_limit *lim,
						u64 now_ns)
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
 * Locked, alive, strikes on in the policy: note the attempt's strike and
 * fan-out; the strike that reaches the policy's count quarantines @e.
 * Returns true when it did: no limited event then.
 *
 * The watch that remembers strikes and fan-out is allocated when there
 * is something to remember: the first limited attempt, or the first one
 * at all while fan-out is limited. Without memory for it the attempt is
 * not remembered; the next one tries again.
 */
static __always_inline bool smtprl_entry_strike(struct smtprl_table *t,
						struct smtprl_entry *e,
						const struct smtprl_policy *p,
						u64 now_ns, bool limited, u8 family,
						const union smtprl_addr *daddr,
						struct smtprl_outcome *o)
{
	struct smtprl_watch *w = e->watch;
	u8 cause;

	if (unlikely(!w)) {
		if (!limited && !p->q.fanout)
			return false;
		w = smtprl_entry_watch_new(t, e);
		if (!w)
			return false;
	}
	if (likely(!smtprl_strikes_note(&w->strikes, &p->q, now_ns, limited,
					smtprl_dst_hash(family, daddr),
					&cause)))
		return false;
	smtprl_entry_quarantine_start(e, p, now_ns, cause, o);
	return true;
}

/*
 * The first limit of an event interval (event-interval seconds, aligned to
 * the boot-time clock) is announced; @prev_s is the last limit before this
 * one (0: never). @prev_s falls into the interval of @now_s when it is no
 * further back than @now_s is into it: one 32-bit remainder, none at all
 * for a source limited again within the second (a flood). The interval is
 * at least 1 (smtprl_policy_build() checks every field's range).
 */
static __always_inline bool
smtprl_limit_event_due(const struct smtprl_policy *p, u32 prev_s, u32 now_s)
{
	if (prev_s == now_s)
		return !prev_s;
	return !prev_s || now_s - prev_s > now_s % p->cfg.event_interval;
}

/**
 * __smtprl_entry_attempt - one new connection from the source of @e
 * @t: the table of @e
 * @e: the entry, under RCU
 * @p: the policy in force
 * @lim: the limits @e is charged by: the policy's, or its subscriber's
 * @now_ns: the current time
 * @c: the connection: its family (a subscriber's entry sees both) and
 *	destination, hashed only for fan-out, while @p->strikes_on or @e is
 *	quarantined
 * @o: the event due, if any, and what it carries
 *
 * The packet path's: BH is disabled (see hook.c). A quarantined source
 * is refused, unless its quarantine is over (then @o->release says why,
 * and the attempt is charged as usual, its strikes forgotten: a released
 * source starts afresh). Otherwise the attempt is charged to the buckets
 * and, while @p->strikes_on, may earn a strike; the strike that reaches
 * the policy's count quarantines the source from the next attempt on
 * (this one keeps its bucket's verdict: a fan-out strike may have been
 * allowed). Never sleeps; allocates (GFP_ATOMIC) only a watch, see
 * smtprl_entry_strike(). Inline: it is the packet path's.
 */
static __always_inline enum smtprl_verdict
__smtprl_entry_attempt(struct smtprl_table *t, struct smtprl_entry *e,
		       const struct smtprl_policy *p, const struct smtprl_limit *lim,
		       u64 now_ns, const struct smtprl_conn *c,
		       struct smtprl_outcome *o)
{
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
	if (unlikely(e->quarantined)) {
		v = smtprl_entry_attempt_quarantined(e, p, lim, now_ns, c, o);
		goto out;
	}
	prev_limited_s = e->last_limited_s;
	v = smtprl_entry_charge(e, lim, now_ns) ? SMTPRL_ALLOW : SMTPRL_LIMIT;
	if (unlikely(p->strikes_on) &&
	    smtprl_entry_strike(t, e, p, now_ns, v == SMTPRL_LIMIT, c->family,
				&c->daddr, o)) {
		/* A strike that quarantines has its own event. */
		smtprl_entry_snap_locked(e, p, now_ns, &o->snap);
	} else if (v == SMTPRL_LIMIT &&
		   smtprl_limit_event_due(p, prev_limited_s, e->last_limited_s)) {
		o->cmd = SMTPRL_CMD_LIMITED_NTF;
		smtprl_entry_snap_locked(e, p, now_ns, &o->snap);
	}
out:
	spin_unlock(&e->lock);
	return v;
}

#endif /* _SMTPRL_ENTRY_H */
