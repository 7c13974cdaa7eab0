// SPDX-License-Identifier: GPL-2.0
/*
 * Events. Best effort and never sleeping: the packet path sends limited,
 * quarantined and table-full events, so each CPU may send at most
 * SMTPRL_EVENTS_PER_CPU_SEC a second, and only when someone listens;
 * what does not fit is counted in events-dropped. Nothing is ever queued.
 */

#include <net/genetlink.h>
#include <net/netlink.h>

#include "attrs.h"
#include "events.h"
#include "netlink-gen.h"
#include "netns.h"
#include "smtprl.h"

#define PAD	SMTPRL_A_ENTRY_PAD

/*
 * The family, while it is registered. The packet path and GC send events
 * until their namespaces go, which on module unload is after the family
 * has gone (it must go first: no request may find a namespace torn down),
 * and its multicast group may by then belong to another family. Senders
 * read it once, under RCU, for the whole event.
 */
static const struct genl_family __rcu *events_family;

void smtprl_events_start(const struct genl_family *family)
{
	rcu_assign_pointer(events_family, family);
}

/* Before the family is unregistered: no event is sent from now on. */
void smtprl_events_stop(void)
{
	RCU_INIT_POINTER(events_family, NULL);
	synchronize_rcu();
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
		smtprl_stat_inc(sn, SMTPRL_A_STATS_EVENTS_DROPPED);
	return ok;
}

/*
 * Event sizes, by what each carries (smtprl_put_prefix(), _source(),
 * _quar()): an event is built in atomic context and must not ask for a
 * page when a few hundred bytes do; a failed allocation is counted in
 * events_dropped, never warned about.
 */
#define EV_U64			nla_total_size_64bit(sizeof(u64))
#define EV_PREFIX		(nla_total_size(sizeof(struct in6_addr)) + nla_total_size(1))
#define EV_QUAR			(nla_total_size(4) + 2 * EV_U64)
#define EV_NAME			nla_total_size(SMTPRL_SUB_NAME_MAX + 1)
/*
 * prefix (or a subscriber's name), state, strikes, fanout; allowed,
 * limited, tokens, daily tokens, age, idle, last limited, remaining; the
 * quarantine (twice at most: a released source's); the release reason.
 */
#define EV_SOURCE_SIZE		(max(EV_PREFIX, EV_NAME) + 3 * nla_total_size(4) + \
				 8 * EV_U64 + 2 * EV_QUAR + nla_total_size(4))
#define EV_EXEMPT_SIZE		(EV_PREFIX + nla_total_size(SMTPRL_COMMENT_MAX + 1) + \
				 2 * EV_U64)
#define EV_TABLE_FULL_SIZE	(EV_PREFIX + EV_U64)

/* An event under way: begun by event_new(), ended by event_send(). */
struct event {
	const struct genl_family *family;
	struct sk_buff *skb;
	void *hdr;
};

/* Under RCU: the family stays registered until event_send(). */
static bool event_new(struct smtprl_net *sn, u8 cmd, size_t size, u64 now,
		      struct event *ev)
{
	ev->family = rcu_dereference(events_family);
	if (!ev->family ||
	    !genl_has_listeners(ev->family, sn->net, SMTPRL_NLGRP_EVENTS) ||
	    !event_budget(sn, now))
		return false;
	/* The payload and the time every event carries. */
	ev->skb = genlmsg_new(size + EV_U64, GFP_ATOMIC | __GFP_NOWARN);
	if (!ev->skb)
		goto err;
	ev->hdr = genlmsg_put(ev->skb, 0, 0, ev->family, 0, cmd);
	if (!ev->hdr ||
	    nla_put_u64_64bit(ev->skb, SMTPRL_A_ENTRY_TIME,
			      ktime_get_real_seconds(), PAD)) {
		nlmsg_free(ev->skb);
		goto err;
	}
	return true;
err:
	smtprl_stat_inc(sn, SMTPRL_A_STATS_EVENTS_DROPPED);
	return false;
}

static void event_send(struct smtprl_net *sn, struct event *ev, int err)
{
	if (err) {
		nlmsg_free(ev->skb);
	} else {
		genlmsg_end(ev->skb, ev->hdr);
		err = genlmsg_multicast_netns(ev->family, sn->net, ev->skb, 0,
					      SMTPRL_NLGRP_EVENTS, GFP_ATOMIC);
		if (err == -ESRCH)
			err = 0;	/* the listener left meanwhile */
	}
	smtprl_stat_inc(sn, err ? SMTPRL_A_STATS_EVENTS_DROPPED : SMTPRL_A_STATS_EVENTS);
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
	struct event ev;
	int err;

	rcu_read_lock();
	if (!event_new(sn, cmd, EV_SOURCE_SIZE, now_ns, &ev))
		goto out;
	err = smtprl_put_source(ev.skb, s, rcu_dereference(sn->policy),
				smtprl_snap_sub(&sn->subs, s), now_ns);
	if (!err && cmd == SMTPRL_CMD_RELEASED_NTF)
		err = smtprl_put_quar(ev.skb, &s->quar, now_ns) ||
		      nla_put_u32(ev.skb, SMTPRL_A_ENTRY_RELEASE, why);
	event_send(sn, &ev, err);
out:
	rcu_read_unlock();
}

void smtprl_notify_exempt_expired(struct smtprl_net *sn,
				  struct smtprl_exempt *ex, u64 now_ns)
{
	const struct smtprl_pfx_key *k = &ex->pfx.key;
	u64 allowed, limited;
	struct event ev;
	int err;

	rcu_read_lock();
	if (!event_new(sn, SMTPRL_CMD_EXEMPT_EXPIRED_NTF, EV_EXEMPT_SIZE,
		       now_ns, &ev))
		goto out;
	spin_lock_bh(&ex->lock);
	allowed = ex->allowed;
	limited = ex->limited;
	spin_unlock_bh(&ex->lock);
	err = smtprl_put_prefix(ev.skb, k->family, &k->addr, k->plen) ||
	      (ex->spec.comment[0] &&
	       nla_put_string(ev.skb, SMTPRL_A_ENTRY_COMMENT, ex->spec.comment)) ||
	      nla_put_u64_64bit(ev.skb, SMTPRL_A_ENTRY_ALLOWED, allowed, PAD) ||
	      nla_put_u64_64bit(ev.skb, SMTPRL_A_ENTRY_LIMITED, limited, PAD);
	event_send(sn, &ev, err);
out:
	rcu_read_unlock();
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
	struct event ev;
	bool due;
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
	rcu_read_lock();
	if (!event_new(sn, SMTPRL_CMD_TABLE_FULL_NTF, EV_TABLE_FULL_SIZE,
		       now_ns, &ev))
		goto out;
	err = smtprl_put_prefix(ev.skb, c->family, &c->saddr,
				c->family == NFPROTO_IPV4 ? 32 : 128) ||
	      nla_put_u64_64bit(ev.skb, SMTPRL_A_ENTRY_SUPPRESSED, refused, PAD);
	event_send(sn, &ev, err);
out:
	rcu_read_unlock();
}
