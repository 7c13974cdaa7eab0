/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Token buckets in nanoseconds of credit, after WireGuard's ratelimiter and
 * nft_limit: a connection costs unit/count ns, a bucket holds burst of them,
 * idle time refills it. The clock is always an argument.
 */
#ifndef _SMTPRL_BUCKET_H
#define _SMTPRL_BUCKET_H

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
bool smtprl_buckets_take(struct smtprl_buckets *b,
			 const struct smtprl_limit *lim, u64 now_ns);
bool smtprl_buckets_full(const struct smtprl_buckets *b,
			 const struct smtprl_limit *lim, u64 now_ns);
u64 smtprl_bucket_level(u64 tokens_ns, u64 last_ns,
			const struct smtprl_rate *r, u64 now_ns);

#endif /* _SMTPRL_BUCKET_H */
