/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Token buckets in nanoseconds of credit, after WireGuard's ratelimiter and
 * nft_limit: a connection costs unit/count ns, a bucket holds burst of them,
 * idle time refills it. The clock is always an argument.
 */
#ifndef _SMTPRL_BUCKET_H
#define _SMTPRL_BUCKET_H

#include <linux/limits.h>
#include <linux/types.h>

#include "bad.h"

/* A validated rate: what one connection costs and how much a bucket holds. */
struct smtprl_rate {
	u64 cost_ns;
	u64 size_ns;
};

/* The short window and the optional daily cap (daily.cost_ns == 0: off). */
struct smtprl_limit {
	struct smtprl_rate rate;
	struct smtprl_rate daily;
};

/* Per-source (or per-exemption) state; refilled together, so one clock. */
struct smtprl_buckets {
	u64 last_ns;
	u64 tokens_ns;
	u64 daily_ns;
};

int smtprl_rate_init(struct smtprl_rate *r, u64 count, u64 unit_ns, u64 burst,
		     u16 count_attr, u16 burst_attr, struct smtprl_bad *bad);
void smtprl_buckets_init(struct smtprl_buckets *b,
			 const struct smtprl_limit *lim, u64 now_ns);
void smtprl_buckets_carry(struct smtprl_buckets *b,
			  const struct smtprl_buckets *old,
			  const struct smtprl_limit *lim);
bool smtprl_buckets_full(const struct smtprl_buckets *b,
			 const struct smtprl_limit *lim, u64 now_ns);
u64 smtprl_bucket_level(u64 tokens_ns, u64 last_ns,
			const struct smtprl_rate *r, u64 now_ns);

/*
 * A daily cap that is off is unlimited credit: the day it is switched on
 * (policy set daily N, an exemption replaced by one with a cap), the
 * bucket starts full, clamped to its size by the first refill.
 */
#define SMTPRL_DAILY_OFF_NS	U64_MAX

static inline bool smtprl_daily_on(const struct smtprl_limit *lim)
{
	return lim->daily.cost_ns != 0;
}

/* Time since @last_ns; zero if the clock went backwards. */
static inline u64 smtprl_elapsed(u64 last_ns, u64 now_ns)
{
	return now_ns > last_ns ? now_ns - last_ns : 0;
}

/* Credit after @elapsed ns of idle time; a bucket above @size is clamped. */
static inline u64 smtprl_refill(u64 tokens, u64 elapsed, u64 size)
{
	if (tokens >= size || elapsed >= size - tokens)
		return size;
	return tokens + elapsed;
}

/**
 * smtprl_buckets_take - refill to @now_ns and take one connection
 * @b: the buckets; caller holds the lock of whatever embeds them
 * @lim: the limits in force
 * @now_ns: the current time
 *
 * Returns true if both the short window and the daily cap had a
 * connection's worth of credit (both are then charged), false if either
 * was short (neither is charged). A clock that goes backwards refills
 * nothing and never moves @b->last_ns back. Inline: it is the packet
 * path's arithmetic, a few compares and adds.
 */
static inline bool smtprl_buckets_take(struct smtprl_buckets *b,
				       const struct smtprl_limit *lim, u64 now_ns)
{
	u64 elapsed = smtprl_elapsed(b->last_ns, now_ns);
	bool daily = smtprl_daily_on(lim);
	u64 tokens, day = SMTPRL_DAILY_OFF_NS;
	bool ok;

	if (elapsed)
		b->last_ns = now_ns;
	tokens = smtprl_refill(b->tokens_ns, elapsed, lim->rate.size_ns);
	if (daily)
		day = smtprl_refill(b->daily_ns, elapsed, lim->daily.size_ns);

	ok = tokens >= lim->rate.cost_ns;
	if (daily && day < lim->daily.cost_ns)
		ok = false;
	if (ok) {
		tokens -= lim->rate.cost_ns;
		if (daily)
			day -= lim->daily.cost_ns;
	}
	b->tokens_ns = tokens;
	b->daily_ns = day;
	return ok;
}

#endif /* _SMTPRL_BUCKET_H */
