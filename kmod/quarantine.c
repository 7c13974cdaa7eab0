// SPDX-License-Identifier: GPL-2.0
/*
 * Strikes, the destination fan-out sketch and the quarantine state
 * machine (see quarantine.h). Pure functions of their arguments: the
 * caller holds the lock of the source entry they belong to.
 *
 *   normal --(limited: bucket empty)--> limited --(strikes in as many
 *   distinct slots of the strike window)--> quarantined --(quiet for
 *   release_ns | max_ns over | operator | policy off)--> normal
 */

#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/minmax.h>

#include "quarantine.h"
#include "smtprl.h"

/*
 * Linear counting (Whang, Vander-Zanden, Taylor 1990) over m = 64 bits:
 * with k bits set, n ~ m ln(m / (m - k)), rounded; precomputed so that the
 * packet path does no arithmetic beyond a popcount. Standard error
 * sqrt(m (e^t - t - 1)) / n for t = n / m: 6% at n = 16, 11% at 64, 13% at
 * 128; the sketch saturates (all bits set) from about 266 destinations on,
 * and reports SMTPRL_FANOUT_MAX then.
 */
static const u16 fanout_est[64] = {
	0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12,
	13, 15, 16, 17, 18, 20, 21, 23, 24, 25, 27, 28,
	30, 32, 33, 35, 37, 39, 40, 42, 44, 46, 48, 51,
	53, 55, 58, 60, 63, 65, 68, 71, 74, 78, 81, 85,
	89, 93, 97, 102, 107, 113, 119, 126, 133, 142, 151, 163,
	177, 196, 222, 266,
};

/* Distinct destinations the sketch has seen, estimated. */
u32 smtprl_fanout_estimate(u64 sketch)
{
	unsigned int k = hweight64(sketch);

	return k < ARRAY_SIZE(fanout_est) ? fanout_est[k] : SMTPRL_FANOUT_MAX;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_fanout_estimate);

/* The fewest sketch bits whose estimate is over @limit; 65: never. */
u32 smtprl_fanout_bits(u32 limit)
{
	u32 k;

	for (k = 0; k < ARRAY_SIZE(fanout_est); k++)
		if (fanout_est[k] > limit)
			return k;
	return limit < SMTPRL_FANOUT_MAX ? 64 : 65;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_fanout_bits);

/* Strikes within the strike window ending now. */
unsigned int smtprl_strikes_count(const struct smtprl_strikes *s,
				  const struct smtprl_qcfg *cfg, u64 now_ns)
{
	return hweight32(smtprl_strike_bits_at(s, smtprl_strike_slot(cfg, now_ns)));
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_strikes_count);

/* Destinations contacted in the current slot, estimated. */
u32 smtprl_strikes_fanout(const struct smtprl_strikes *s,
			  const struct smtprl_qcfg *cfg, u64 now_ns)
{
	if (smtprl_strike_slot(cfg, now_ns) != s->slot)
		return 0;
	return smtprl_fanout_estimate(s->fanout);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_strikes_fanout);

/**
 * smtprl_quar_start - begin a quarantine
 * @q: the quarantine
 * @now_ns: the current time
 * @for_ns: how long at most (the operator's time, or the policy's maximum)
 * @cause: enum smtprl_cause
 */
void smtprl_quar_start(struct smtprl_quar *q, u64 now_ns, u64 for_ns, u8 cause)
{
	q->since_ns = now_ns;
	q->last_ns = now_ns;
	q->until_ns = now_ns + min(for_ns, U64_MAX - now_ns);
	q->refused = 0;
	q->cause = cause;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_quar_start);

/* A connection attempt while quarantined: refused, and not quiet. */
void smtprl_quar_attempt(struct smtprl_quar *q, u64 now_ns)
{
	if (now_ns > q->last_ns)
		q->last_ns = now_ns;
	q->refused++;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_quar_attempt);

/**
 * smtprl_quar_check - is the quarantine over, and why?
 * @q: the quarantine
 * @cfg: the policy's thresholds now (a change applies to running
 *	quarantines: a shorter maximum releases sooner)
 * @now_ns: the current time
 *
 * An operator's quarantine lasts its time, whatever the policy and however
 * quiet the source; one the strikes caused also ends when the source has
 * been quiet for @cfg->release_ns, when @cfg->max_ns has passed since it
 * began, or when the policy turns quarantine off.
 */
enum smtprl_release smtprl_quar_check(const struct smtprl_quar *q,
				      const struct smtprl_qcfg *cfg,
				      u64 now_ns)
{
	bool op = q->cause == SMTPRL_CAUSE_OPERATOR;

	if (now_ns >= q->until_ns)
		return SMTPRL_RELEASE_TIMEOUT;
	if (op)
		return SMTPRL_RELEASE_NONE;
	if (!cfg->strikes)
		return SMTPRL_RELEASE_POLICY;
	if (now_ns > q->since_ns && now_ns - q->since_ns >= cfg->max_ns)
		return SMTPRL_RELEASE_TIMEOUT;
	if (now_ns > q->last_ns && now_ns - q->last_ns >= cfg->release_ns)
		return SMTPRL_RELEASE_QUIET;
	return SMTPRL_RELEASE_NONE;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_quar_check);
