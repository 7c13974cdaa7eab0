/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_EXEMPT_H
#define _SMTPRL_EXEMPT_H

#include <linux/spinlock.h>

#include "bucket.h"
#include "pfx.h"

#define SMTPRL_COMMENT_MAX	64
#define SMTPRL_EXEMPT_MAX	1048576

/* What the operator asks for. rate == 0: unlimited. */
struct smtprl_exempt_spec {
	struct smtprl_pfx_key key;
	u32 rate;
	u32 burst;
	u32 daily;		/* 0: no daily cap */
	u8 rate_unit;
	u64 expires_ns;		/* boot-time ns; 0: never */
	char comment[SMTPRL_COMMENT_MAX + 1];
};

/*
 * An exemption. Never evicted, never counted against the source cap,
 * removed only by the operator or once expired. A limited exemption has
 * one bucket for its whole prefix.
 */
struct smtprl_exempt {
	struct smtprl_pfx pfx;		/* first: the set's member */
	struct smtprl_exempt_spec spec;
	struct smtprl_limit limit;
	spinlock_t lock;		/* protects what follows */
	struct smtprl_buckets b;
	u64 allowed;
	u64 limited;
};

int smtprl_exempt_add(struct smtprl_pfxset *s, const struct smtprl_exempt_spec *spec,
		      bool replace, u64 now_ns, struct smtprl_bad *bad);
int smtprl_exempt_del(struct smtprl_pfxset *s, const struct smtprl_pfx_key *k);
unsigned int smtprl_exempt_flush(struct smtprl_pfxset *s);
typedef void (*smtprl_expired_fn)(void *arg, struct smtprl_exempt *ex);
unsigned int smtprl_exempt_expire(struct smtprl_pfxset *s, u64 now_ns,
				  smtprl_expired_fn fn, void *arg);
struct smtprl_exempt *__smtprl_exempt_match(struct smtprl_pfxset *s, u8 family,
					    const union smtprl_addr *addr,
					    u64 now_ns);
bool smtprl_exempt_take(struct smtprl_exempt *ex, u64 now_ns);
bool __smtprl_exempt_take(struct smtprl_exempt *ex, u64 now_ns);

/* The exemption covering @addr, unexpired; inline for an empty set. */
static inline struct smtprl_exempt *smtprl_exempt_match(struct smtprl_pfxset *s,
							u8 family,
							const union smtprl_addr *addr,
							u64 now_ns)
{
	if (!READ_ONCE(s->n))
		return NULL;
	return __smtprl_exempt_match(s, family, addr, now_ns);
}

void smtprl_exempt_release(struct smtprl_pfx *p);

static inline bool smtprl_exempt_unlimited(const struct smtprl_exempt *ex)
{
	return !ex->spec.rate;
}

#endif /* _SMTPRL_EXEMPT_H */
