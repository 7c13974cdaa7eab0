/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_QUARANTINE_H
#define _SMTPRL_QUARANTINE_H

#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/types.h>

#include <uapi/linux/smtprl.h>

/*
 * Graduated per-source state: a source that keeps being limited, or that
 * contacts too many distinct mail servers, collects strikes; enough strikes
 * within the strike window put it in quarantine (every new connection to
 * the policy's ports is refused); it is released once it has stayed quiet
 * for the release time, when the longest quarantine is over, or by the
 * operator.
 *
 * The strike window is cut into SMTPRL_STRIKE_SLOTS slots; a source earns
 * at most one strike per slot, so "3 strikes in a day" means limited in
 * three distinct 45-minute slots of the last day, not three limited
 * connections in a row.
 *
 * Everything here is arithmetic on state the caller locks; time is an
 * argument, nothing allocates or sleeps. What every attempt of a watched
 * source runs is inline: the packet path's.
 */

#define SMTPRL_STRIKE_SLOTS	32
#define SMTPRL_FANOUT_MAX	266	/* what a saturated sketch reports */

/* What the policy says; all zero: quarantine and fan-out strikes off. */
struct smtprl_qcfg {
	u32 strikes;		/* strikes that quarantine; 0: never */
	u32 fanout;		/* destinations per slot above which a strike; 0: off */
	u32 fanout_bits;	/* sketch bits that mean more than @fanout */
	u64 slot_ns;		/* strike window / SMTPRL_STRIKE_SLOTS */
	u64 release_ns;		/* quiet time that releases */
	u64 max_ns;		/* longest quarantine */
};

/*
 * Per source: which of the last SMTPRL_STRIKE_SLOTS slots earned a strike
 * (bit 0: slot @slot, the current one), and the destinations contacted in
 * the current slot, a 64-bit linear-counting sketch.
 */
struct smtprl_strikes {
	u64 fanout;
	u32 bits;
	u32 slot;
};

/*
 * Causes and release reasons are the uAPI's enum smtprl_cause (strikes:
 * limited in enough slots; fanout: the last strike was for fan-out;
 * operator: source-quarantine) and enum smtprl_release.
 */

/* A quarantine in progress. */
struct smtprl_quar {
	u64 since_ns;
	u64 until_ns;		/* released at the latest then */
	u64 last_ns;		/* the last attempt (or since_ns) */
	u64 refused;		/* connections refused while quarantined */
	u8 cause;		/* enum smtprl_cause */
};

u32 smtprl_fanout_estimate(u64 sketch);
u32 smtprl_fanout_bits(u32 limit);

/* The sketch bit of a destination: smtprl_dst_hash()'s top six bits. */
static __always_inline u64 smtprl_fanout_bit(u32 dst_hash)
{
	return BIT_ULL(dst_hash >> 26);
}

/* The slot @now_ns is in. One division: nothing to do on x86_64. */
static __always_inline u32 smtprl_strike_slot(const struct smtprl_qcfg *cfg,
					      u64 now_ns)
{
	return (u32)div64_u64(now_ns, cfg->slot_ns);
}

/* Strike bits as they would be in slot @cur (older strikes shifted out). */
static __always_inline u32 smtprl_strike_bits_at(const struct smtprl_strikes *s,
						 u32 cur)
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
 * @dst_hash: smtprl_dst_hash() of the destination
 *
 * Also called for the attempts of a quarantined source, which earn no
 * strikes: its fan-out still shows what it keeps trying.
 */
static __always_inline void smtprl_fanout_note(struct smtprl_strikes *s,
					       const struct smtprl_qcfg *cfg,
					       u64 now_ns, u32 dst_hash)
{
	u32 cur = smtprl_strike_slot(cfg, now_ns);

	if (unlikely(cur != s->slot)) {
		s->bits = smtprl_strike_bits_at(s, cur);
		s->slot = cur;
		s->fanout = 0;
	}
	s->fanout |= smtprl_fanout_bit(dst_hash);
}

/**
 * smtprl_strikes_note - account one connection attempt of a source
 * @s: the source's strikes
 * @cfg: the policy's thresholds
 * @now_ns: the current time
 * @limited: the attempt was over the source's rate
 * @dst_hash: smtprl_dst_hash() of the destination
 * @cause: set to the cause when the return value is true
 *
 * Returns true when this attempt earned the strike that reaches
 * @cfg->strikes: the caller quarantines the source.
 */
static __always_inline bool smtprl_strikes_note(struct smtprl_strikes *s,
						const struct smtprl_qcfg *cfg,
						u64 now_ns, bool limited,
						u32 dst_hash, u8 *cause)
{
	bool fan;

	smtprl_fanout_note(s, cfg, now_ns, dst_hash);
	fan = cfg->fanout && hweight64(s->fanout) >= cfg->fanout_bits;
	if ((!limited && !fan) || (s->bits & 1))
		return false;	/* no strike, or this slot has one already */
	s->bits |= 1;
	if (!cfg->strikes || hweight32(s->bits) < cfg->strikes)
		return false;
	*cause = limited ? SMTPRL_CAUSE_STRIKES : SMTPRL_CAUSE_FANOUT;
	return true;
}

unsigned int smtprl_strikes_count(const struct smtprl_strikes *s,
				  const struct smtprl_qcfg *cfg, u64 now_ns);
u32 smtprl_strikes_fanout(const struct smtprl_strikes *s,
			  const struct smtprl_qcfg *cfg, u64 now_ns);
void smtprl_quar_start(struct smtprl_quar *q, u64 now_ns, u64 for_ns, u8 cause);
void smtprl_quar_attempt(struct smtprl_quar *q, u64 now_ns);
enum smtprl_release smtprl_quar_check(const struct smtprl_quar *q,
				      const struct smtprl_qcfg *cfg,
				      u64 now_ns);

#endif /* _SMTPRL_QUARANTINE_H */
