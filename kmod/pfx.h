/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_PFX_H
#define _SMTPRL_PFX_H

#include <linux/bitops.h>
#include <linux/netfilter.h>
#include <linux/rhashtable-types.h>

#include <uapi/linux/smtprl.h>

#include "bad.h"
#include "classify.h"

/* A prefix: masked address, family, length. Host bits are always zero. */
struct smtprl_pfx_key {
	union smtprl_addr addr;
	u8 family;
	u8 plen;
};

/*
 * @group: in the scope set, the length the prefix's unbound sources are
 * grouped by (0: the policy's v4-prefix/v6-prefix); in padding, unused
 * by the other sets.
 */
struct smtprl_pfx {
	struct rhash_head node;
	struct smtprl_pfx_key key;
	u8 group;
	struct rcu_head rcu;
};

/*
 * A set of prefixes with longest-prefix match: one exact-match hash table
 * probed once per prefix length in use, longest first. Written only under
 * the owner's config mutex; matched under RCU. The length maps hold bit
 * (max length - length), so that walking set bits upwards visits the
 * lengths in use longest first, and only those.
 */
struct smtprl_pfxset {
	struct rhashtable ht;
	unsigned int n;
	DECLARE_BITMAP(lens4, 33);
	DECLARE_BITMAP(lens6, 129);
	u32 count4[33];
	u32 count6[129];
};

/* Is a prefix of length @plen in @s? (For tests and proc.) */
static inline bool smtprl_pfxset_uses_len(const struct smtprl_pfxset *s, u8 family,
					  u8 plen)
{
	return family == NFPROTO_IPV4 ? test_bit(32 - plen, s->lens4)
				      : test_bit(128 - plen, s->lens6);
}

int smtprl_pfxset_init(struct smtprl_pfxset *s);
void smtprl_pfxset_destroy(struct smtprl_pfxset *s,
			   void (*free_fn)(void *ptr, void *arg));
int smtprl_pfx_key_init(struct smtprl_pfx_key *k, u8 family,
			const union smtprl_addr *addr, u8 plen,
			struct smtprl_bad *bad);
int smtprl_pfxset_insert(struct smtprl_pfxset *s, struct smtprl_pfx *p);
void smtprl_pfxset_remove(struct smtprl_pfxset *s, struct smtprl_pfx *p);
int smtprl_pfxset_del(struct smtprl_pfxset *s, const struct smtprl_pfx_key *k,
		      void (*release)(struct smtprl_pfx *p));
int smtprl_pfxset_replace(struct smtprl_pfxset *s, struct smtprl_pfx *old,
			  struct smtprl_pfx *new);
struct smtprl_pfx *smtprl_pfxset_find(struct smtprl_pfxset *s,
				      const struct smtprl_pfx_key *k);
unsigned int smtprl_pfxset_prune(struct smtprl_pfxset *s,
				 bool (*pred)(struct smtprl_pfx *p, void *arg),
				 void *arg, void (*release)(struct smtprl_pfx *p));
struct smtprl_pfx *__smtprl_pfxset_match(struct smtprl_pfxset *s, u8 family,
					 const union smtprl_addr *addr);

/*
 * smtprl_pfxset_match - longest prefix in @s covering @addr, or NULL
 *
 * Inline for the packet path's common case, an empty set (no relay, no
 * exemption): one load, no call. Call under RCU.
 */
static inline struct smtprl_pfx *smtprl_pfxset_match(struct smtprl_pfxset *s, u8 family,
						     const union smtprl_addr *addr)
{
	if (!READ_ONCE(s->n))
		return NULL;
	return __smtprl_pfxset_match(s, family, addr);
}

#endif /* _SMTPRL_PFX_H */
