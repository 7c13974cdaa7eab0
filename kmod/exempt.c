// SPDX-License-Identifier: GPL-2.0
/*
 * Exemptions: opted-in subscribers, by address or prefix (longest wins),
 * unlimited or with their own rate, optionally until an absolute time.
 *
 * Locking: add, del, flush and expire run with the netns config mutex
 * held (process context, may allocate with GFP_KERNEL); match runs under
 * RCU; an exemption's bucket and counters are under its own spinlock.
 */

#include <linux/netlink.h>
#include <linux/slab.h>

#include "exempt.h"
#include "policy.h"
#include "smtprl.h"

void smtprl_exempt_release(struct smtprl_pfx *p)
{
	struct smtprl_exempt *ex = container_of(p, struct smtprl_exempt, pfx);

	kfree_rcu(ex, pfx.rcu);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_exempt_release);

static int limit_init(struct smtprl_exempt *ex, struct smtprl_bad *bad)
{
	const struct smtprl_exempt_spec *spec = &ex->spec;
	int err;

	if (!spec->rate) {
		if (spec->burst || spec->daily)
			return smtprl_refuse(bad, 0, "exempt: burst and daily need a rate",
					     -EINVAL);
		return 0;
	}
	if (spec->rate_unit >= __SMTPRL_UNIT_MAX)
		return smtprl_refuse(bad, SMTPRL_A_ENTRY_RATE_UNIT, "rate: unknown unit", -EINVAL);
	/* Burst defaults to one unit's worth, as in "rate 100/hour". */
	err = smtprl_rate_init(&ex->limit.rate, spec->rate,
			       smtprl_unit_ns(spec->rate_unit),
			       spec->burst ?: spec->rate, SMTPRL_A_ENTRY_RATE,
			       SMTPRL_A_ENTRY_BURST, bad);
	if (err)
		return err;
	if (spec->daily)
		return smtprl_rate_init(&ex->limit.daily, spec->daily,
					smtprl_unit_ns(SMTPRL_UNIT_DAY),
					spec->daily, SMTPRL_A_ENTRY_DAILY,
					SMTPRL_A_ENTRY_DAILY, bad);
	return 0;
}

/**
 * smtprl_exempt_add - add (or replace) the exemption for @spec->key
 * @s: the exemption set
 * @spec: validated key plus what the operator asked for
 * @replace: replace an existing exemption instead of failing with -EEXIST
 * @now_ns: the current time (an expiry in the past is refused)
 * @bad: why it was refused
 *
 * A replaced exemption keeps its counters and its bucket's credit
 * (clamped to the new size). Config mutex held.
 */
int smtprl_exempt_add(struct smtprl_pfxset *s, const struct smtprl_exempt_spec *spec,
		      bool replace, u64 now_ns, struct smtprl_bad *bad)
{
	struct smtprl_exempt *ex, *old = NULL;
	struct smtprl_pfx *found;
	int err;

	/* Allocates with GFP_KERNEL: never from the packet path. */
	might_sleep();
	if (spec->expires_ns && spec->expires_ns <= now_ns)
		return smtprl_refuse(bad, SMTPRL_A_ENTRY_EXPIRES, "expires: already in the past",
				     -EINVAL);
	if (strnlen(spec->comment, sizeof(spec->comment)) > SMTPRL_COMMENT_MAX)
		return smtprl_refuse(bad, SMTPRL_A_ENTRY_COMMENT, "comment: longer than 64 bytes",
				     -EINVAL);
	rcu_read_lock();
	found = smtprl_pfxset_find(s, &spec->key);
	rcu_read_unlock();
	if (found && !replace)
		return smtprl_refuse(bad, 0, "exempt: already exists (use replace)", -EEXIST);
	if (!found && s->n >= SMTPRL_EXEMPT_MAX)
		return smtprl_refuse(bad, 0, "exempt: too many exemptions (max 1048576)", -ENOSPC);

	ex = kzalloc(sizeof(*ex), GFP_KERNEL_ACCOUNT);
	if (!ex)
		return -ENOMEM;
	ex->spec = *spec;
	ex->pfx.key = spec->key;
	spin_lock_init(&ex->lock);
	err = limit_init(ex, bad);
	if (err)
		goto err_free;
	smtprl_buckets_init(&ex->b, &ex->limit, now_ns);

	if (found) {
		old = container_of(found, struct smtprl_exempt, pfx);
		spin_lock_bh(&old->lock);
		ex->allowed = old->allowed;
		ex->limited = old->limited;
		if (!smtprl_exempt_unlimited(old))
			smtprl_buckets_carry(&ex->b, &old->b, &ex->limit);
		spin_unlock_bh(&old->lock);
		/* Readers see the old or the new one, never neither. */
		err = smtprl_pfxset_replace(s, &old->pfx, &ex->pfx);
		if (WARN_ON(err))
			goto err_free;
		smtprl_exempt_release(&old->pfx);
		return 0;
	}
	err = smtprl_pfxset_insert(s, &ex->pfx);
	if (err)
		goto err_free;
	return 0;

err_free:
	kfree(ex);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_exempt_add);

/* Config mutex held. */
int smtprl_exempt_del(struct smtprl_pfxset *s, const struct smtprl_pfx_key *k)
{
	return smtprl_pfxset_del(s, k, smtprl_exempt_release);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_exempt_del);

/* Config mutex held. */
unsigned int smtprl_exempt_flush(struct smtprl_pfxset *s)
{
	return smtprl_pfxset_prune(s, NULL, NULL, smtprl_exempt_release);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_exempt_flush);

static bool expired(const struct smtprl_exempt *ex, u64 now_ns)
{
	return ex->spec.expires_ns && now_ns >= ex->spec.expires_ns;
}

struct expire_arg {
	u64 now_ns;
	smtprl_expired_fn fn;
	void *arg;
};

static bool expired_pred(struct smtprl_pfx *p, void *arg)
{
	const struct expire_arg *a = arg;
	struct smtprl_exempt *ex = container_of(p, struct smtprl_exempt, pfx);

	if (!expired(ex, a->now_ns))
		return false;
	if (a->fn)
		a->fn(a->arg, ex);
	return true;
}

/**
 * smtprl_exempt_expire - remove exemptions whose time is up
 * @s: the set
 * @now_ns: the current time
 * @fn: if not NULL, called for each before it goes (must not sleep)
 * @arg: its first argument
 *
 * Config mutex held. Returns how many went.
 */
unsigned int smtprl_exempt_expire(struct smtprl_pfxset *s, u64 now_ns,
				  smtprl_expired_fn fn, void *arg)
{
	struct expire_arg a = { .now_ns = now_ns, .fn = fn, .arg = arg };

	return smtprl_pfxset_prune(s, expired_pred, &a, smtprl_exempt_release);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_exempt_expire);

/*
 * The exemption covering @addr, longest prefix first, or NULL. An expired
 * exemption no longer applies, even before GC removes it. Call under RCU.
 */
struct smtprl_exempt *__smtprl_exempt_match(struct smtprl_pfxset *s, u8 family,
					    const union smtprl_addr *addr,
					    u64 now_ns)
{
	struct smtprl_pfx *p = __smtprl_pfxset_match(s, family, addr);
	struct smtprl_exempt *ex;

	if (!p)
		return NULL;
	ex = container_of(p, struct smtprl_exempt, pfx);
	return expired(ex, now_ns) ? NULL : ex;
}
EXPORT_SYMBOL_IF_KUNIT(__smtprl_exempt_match);

/*
 * Charge one connection to @ex; false if its own rate limits it. The
 * packet path's: BH is disabled (PREROUTING runs in softirq, and the hook
 * disables it for LOCAL_OUT), so the lock needs no _bh of its own.
 */
bool __smtprl_exempt_take(struct smtprl_exempt *ex, u64 now_ns)
{
	bool ok = true;

	lockdep_assert_in_softirq();
	spin_lock(&ex->lock);
	if (!smtprl_exempt_unlimited(ex))
		ok = smtprl_buckets_take(&ex->b, &ex->limit, now_ns);
	if (ok)
		ex->allowed++;
	else
		ex->limited++;
	spin_unlock(&ex->lock);
	return ok;
}

/* The same from any context. */
bool smtprl_exempt_take(struct smtprl_exempt *ex, u64 now_ns)
{
	bool ok;

	local_bh_disable();
	ok = __smtprl_exempt_take(ex, now_ns);
	local_bh_enable();
	return ok;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_exempt_take);
