// SPDX-License-Identifier: GPL-2.0
/*
 * Token bucket arithmetic. All quantities are u64 nanoseconds: a bucket of
 * size_ns holds size_ns / cost_ns connections, and every nanosecond of idle
 * time adds one nanosecond of credit. Nothing here reads a clock, takes a
 * lock or allocates: callers hold the lock of whatever embeds the buckets.
 */

#include <linux/errno.h>
#include <linux/export.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/overflow.h>

#include "bucket.h"
#include "smtprl.h"

/**
 * smtprl_rate_init - validate COUNT connections per UNIT_NS with BURST
 * @r: result, untouched on error
 * @count: connections per unit, >= 1
 * @unit_ns: length of the unit in ns
 * @burst: connections the bucket holds, >= 1
 * @count_attr: the attribute @count came from, blamed if it is refused
 * @burst_attr: the same for @burst
 * @bad: why it was refused
 *
 * 1/day and 1000000/second are both valid; a burst whose credit does not fit
 * in u64 ns is rejected rather than wrapped.
 */
int smtprl_rate_init(struct smtprl_rate *r, u64 count, u64 unit_ns, u64 burst,
		     u16 count_attr, u16 burst_attr, struct smtprl_bad *bad)
{
	u64 cost, size;

	if (!count)
		return smtprl_refuse(bad, count_attr, "rate: must be at least 1 per unit",
				     -EINVAL);
	if (count > unit_ns)
		return smtprl_refuse(bad, count_attr,
				     "rate: value too large (max 1000000000/second)",
				     -ERANGE);
	if (!burst)
		return smtprl_refuse(bad, burst_attr, "burst: must be at least 1", -EINVAL);
	cost = div64_u64(unit_ns, count);
	if (check_mul_overflow(cost, burst, &size))
		return smtprl_refuse(bad, burst_attr, "burst: value too large for this rate",
				     -ERANGE);
	r->cost_ns = cost;
	r->size_ns = size;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_rate_init);

void smtprl_buckets_init(struct smtprl_buckets *b,
			 const struct smtprl_limit *lim, u64 now_ns)
{
	b->last_ns = now_ns;
	b->tokens_ns = lim->rate.size_ns;
	b->daily_ns = smtprl_daily_on(lim) ? lim->daily.size_ns : SMTPRL_DAILY_OFF_NS;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_buckets_init);

/**
 * smtprl_buckets_carry - @old's credit under new limits
 * @b: result
 * @old: the buckets so far (caller holds their lock)
 * @lim: the new limits
 *
 * No more than the new buckets hold; a daily cap that was off starts full,
 * one that is now off holds unlimited credit. A raised limit refills
 * nothing.
 */
void smtprl_buckets_carry(struct smtprl_buckets *b,
			  const struct smtprl_buckets *old,
			  const struct smtprl_limit *lim)
{
	b->last_ns = old->last_ns;
	b->tokens_ns = min(old->tokens_ns, lim->rate.size_ns);
	b->daily_ns = smtprl_daily_on(lim) ? min(old->daily_ns, lim->daily.size_ns) :
		      SMTPRL_DAILY_OFF_NS;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_buckets_carry);

/*
 * Would both buckets be full by @now_ns? Only then may state be forgotten:
 * a fresh entry starts full, so dropping any other would hand out credit.
 */
bool smtprl_buckets_full(const struct smtprl_buckets *b,
			 const struct smtprl_limit *lim, u64 now_ns)
{
	u64 elapsed = smtprl_elapsed(b->last_ns, now_ns);

	if (smtprl_refill(b->tokens_ns, elapsed, lim->rate.size_ns) < lim->rate.size_ns)
		return false;
	return !smtprl_daily_on(lim) ||
	       smtprl_refill(b->daily_ns, elapsed, lim->daily.size_ns) >= lim->daily.size_ns;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_buckets_full);

/* Whole connections one bucket would allow at @now_ns, for display. */
u64 smtprl_bucket_level(u64 tokens_ns, u64 last_ns,
			const struct smtprl_rate *r, u64 now_ns)
{
	if (!r->cost_ns)
		return 0;
	return div64_u64(smtprl_refill(tokens_ns, smtprl_elapsed(last_ns, now_ns),
				r->size_ns), r->cost_ns);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_bucket_level);
