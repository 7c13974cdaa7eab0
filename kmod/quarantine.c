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

static u32 slot_of(const struct smtprl_qcfg *cfg, u64 now_ns)
{
	return (u32)div64_u64(now_ns, cfg->slot_ns);
}

/* Strike bits as they would be in slot @cur (older strikes shifted out). */
static u32 bits_at(const struct smtprl_strikes *s, u32 cur)
{
	u32 delta = cur - s->slot;

	/* A slot before ours: the clock or the strike window changed. */
	if (cur < s->slot || delta >= SMTPRL_STRIKE_SLOTS)
		return 0;
	return s->bits << delta;
}

/**
 * smtprl_fanout_note - add a destination to the current slot's sketch
 * @s: the source's strikes
 * @cfg: the policy's thresholds
 * @now_ns: the current time
 * @dst_hash: hash of the destination's /24 (IPv4) or /48 (IPv6)
 *
 * Also called for the attempts of a quarantined source, which earn no
 * strikes: its fan-out still shows what it keeps trying.
 */
void smtprl_fanout_note(struct smtprl_strikes *s,
			const struct smtprl_qcfg *cfg, u64 now_ns, u32 dst_hash)
{
	u32 cur = slot_of(cfg, now_ns);

	if (cur != s->slot) {
		s->bits = bits_at(s, cur);
		s->slot = cur;
		s->fanout = 0;
	}
	s->fanout |= BIT_ULL(dst_hash & 63);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_fanout_note);

/**
 * smtprl_strikes_note - account one connection attempt of a source
 * @s: the source's strikes
 * @cfg: the policy's thresholds
 * @now_ns: the current time
 * @limited: the attempt was over the source's rate
 * @dst_hash: hash of the destination's /24 (IPv4) or /48 (IPv6)
 * @cause: set to the cause when the return value is true
 *
 * Returns true when this attempt earned the strike that reaches
 * @cfg->strikes: the caller quarantines the source.
 */
bool smtprl_strikes_note(struct smtprl_strikes *s,
			 const struct smtprl_qcfg *cfg, u64 now_ns,
			 bool limited, u32 dst_hash, u8 *cause)
{
	bool fan;

	smtprl_fanout_note(s, cfg, now_ns, dst_hash);
	fan = cfg->fanout && smtprl_fanout_estimate(s->fanout) > cfg->fanout;
	if ((!limited && !fan) || (s->bits & 1))
		return false;	/* no strike, or this slot has one already */
	s->bits |= 1;
	if (!cfg->strikes || hweight32(s->bits) < cfg->strikes)
		return false;
	*cause = limited ? SMTPRL_CAUSE_STRIKES : SMTPRL_CAUSE_FANOUT;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_strikes_note);

/* Strikes within the strike window ending now. */
unsigned int smtprl_strikes_count(const struct smtprl_strikes *s,
				  const struct smtprl_qcfg *cfg, u64 now_ns)
{
	return hweight32(bits_at(s, slot_of(cfg, now_ns)));
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_strikes_count);

/* Destinations contacted in the current slot, estimated. */
u32 smtprl_strikes_fanout(const struct smtprl_strikes *s,
			  const struct smtprl_qcfg *cfg, u64 now_ns)
{
	if (slot_of(cfg, now_ns) != s->slot)
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
