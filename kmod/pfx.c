// SPDX-License-Identifier: GPL-2.0
/*
 * Prefix sets for scope, relay allowlist and exemptions.
 *
 * Locking: insert and remove are called with the owner's config mutex
 * held (they are the only writers of the length bitmaps and counts);
 * match and find are called under RCU and never write.
 */

#include <linux/inetdevice.h>
#include <linux/jhash.h>
#include <linux/netfilter.h>
#include <linux/rhashtable.h>
#include <net/ipv6.h>

#include "pfx.h"
#include "smtprl.h"

/*
 * The key's hash and compare, word by word: a match probes once per
 * length in use on every SYN that reaches it (scope, relay, bindings,
 * exemptions), where rhashtable's defaults would hash 18 bytes with jhash's
 * byte tail and compare them with a memcmp() call. Unused words of a key
 * are zero (smtprl_pfx_key_init(), __smtprl_pfxset_match()).
 */
static u32 pfx_hashfn(const void *data, u32 len, u32 seed)
{
	const struct smtprl_pfx_key *k = data;

	return jhash2((__force const u32 *)k->addr.v6.s6_addr32, 4,
		      seed ^ (k->family << 8 | k->plen));
}

static int pfx_cmpfn(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct smtprl_pfx_key *a = arg->key, *b = &((const struct smtprl_pfx *)obj)->key;

	return a->family != b->family || a->plen != b->plen ||
	       !ipv6_addr_equal(&a->addr.v6, &b->addr.v6);
}

static const struct rhashtable_params pfx_params = {
	.head_offset = offsetof(struct smtprl_pfx, node),
	.key_offset = offsetof(struct smtprl_pfx, key),
	.key_len = sizeof(struct smtprl_pfx_key),
	.hashfn = pfx_hashfn,
	.obj_cmpfn = pfx_cmpfn,
	.automatic_shrinking = true,
};

int smtprl_pfxset_init(struct smtprl_pfxset *s)
{
	memset(s, 0, sizeof(*s));
	return rhashtable_init(&s->ht, &pfx_params);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_pfxset_init);

/* Frees every member with @free_fn; no reader may be left. */
void smtprl_pfxset_destroy(struct smtprl_pfxset *s,
			   void (*free_fn)(void *ptr, void *arg))
{
	rhashtable_free_and_destroy(&s->ht, free_fn, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_pfxset_destroy);

/**
 * smtprl_pfx_key_init - build the canonical key of ADDR/PLEN
 * @k: the key to fill
 * @family: NFPROTO_IPV4 or NFPROTO_IPV6
 * @addr: the address as given
 * @plen: prefix length
 * @bad: why it was refused (the prefix length is blamed)
 *
 * Like ip(8), refuses a prefix with host bits set rather than guess.
 */
int smtprl_pfx_key_init(struct smtprl_pfx_key *k, u8 family,
			const union smtprl_addr *addr, u8 plen,
			struct smtprl_bad *bad)
{
	if (family != NFPROTO_IPV4 && family != NFPROTO_IPV6)
		return smtprl_refuse(bad, 0, "prefix: unknown address family", -EAFNOSUPPORT);
	if (plen > (family == NFPROTO_IPV4 ? 32 : 128))
		return smtprl_refuse(bad, SMTPRL_A_ENTRY_PLEN,
				     "prefix: length too long for the address family", -EINVAL);
	memset(k, 0, sizeof(*k));
	smtprl_addr_mask(&k->addr, addr, family, plen);
	if ((family == NFPROTO_IPV4 && k->addr.v4 != addr->v4) ||
	    (family == NFPROTO_IPV6 && !ipv6_addr_equal(&k->addr.v6, &addr->v6)))
		return smtprl_refuse(bad, SMTPRL_A_ENTRY_PLEN,
				     "prefix: host bits set for this prefix length", -EINVAL);
	k->family = family;
	k->plen = plen;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_pfx_key_init);

static u32 *len_count(struct smtprl_pfxset *s, const struct smtprl_pfx_key *k)
{
	return k->family == NFPROTO_IPV4 ? &s->count4[k->plen] : &s->count6[k->plen];
}

static unsigned long *len_map(struct smtprl_pfxset *s, u8 family)
{
	return family == NFPROTO_IPV4 ? s->lens4 : s->lens6;
}

static unsigned int max_len(u8 family)
{
	return family == NFPROTO_IPV4 ? 32 : 128;
}

/* Returns -EEXIST if the prefix is already there. Config mutex held. */
int smtprl_pfxset_insert(struct smtprl_pfxset *s, struct smtprl_pfx *p)
{
	int err;

	err = rhashtable_lookup_insert_fast(&s->ht, &p->node, pfx_params);
	if (err)
		return err;
	if (!(*len_count(s, &p->key))++)
		set_bit(max_len(p->key.family) - p->key.plen, len_map(s, p->key.family));
	WRITE_ONCE(s->n, s->n + 1);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_pfxset_insert);

/* @p must be in @s. Config mutex held; free @p after a grace period. */
void smtprl_pfxset_remove(struct smtprl_pfxset *s, struct smtprl_pfx *p)
{
	if (WARN_ON(rhashtable_remove_fast(&s->ht, &p->node, pfx_params)))
		return;
	if (!--(*len_count(s, &p->key)))
		clear_bit(max_len(p->key.family) - p->key.plen, len_map(s, p->key.family));
	WRITE_ONCE(s->n, s->n - 1);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_pfxset_remove);

/*
 * Remove the member with key @k and hand it to @release (which frees it
 * after a grace period). -ENOENT if there is none. Config mutex held.
 */
int smtprl_pfxset_del(struct smtprl_pfxset *s, const struct smtprl_pfx_key *k,
		      void (*release)(struct smtprl_pfx *p))
{
	struct smtprl_pfx *p;

	rcu_read_lock();
	p = smtprl_pfxset_find(s, k);
	rcu_read_unlock();
	if (!p)
		return -ENOENT;
	smtprl_pfxset_remove(s, p);
	release(p);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_pfxset_del);

/* Swap @old for @new (same key) atomically for readers. Config mutex held. */
int smtprl_pfxset_replace(struct smtprl_pfxset *s, struct smtprl_pfx *old,
			  struct smtprl_pfx *new)
{
	return rhashtable_replace_fast(&s->ht, &old->node, &new->node, pfx_params);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_pfxset_replace);

/* Exact lookup. Call under RCU. */
struct smtprl_pfx *smtprl_pfxset_find(struct smtprl_pfxset *s,
				      const struct smtprl_pfx_key *k)
{
	return rhashtable_lookup(&s->ht, k, pfx_params);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_pfxset_find);

/**
 * smtprl_pfxset_prune - remove every member @pred selects
 * @s: the set
 * @pred: returns true for members to remove (NULL: all)
 * @arg: passed to @pred
 * @release: frees a removed member after a grace period
 *
 * Config mutex held. Returns the number removed.
 */
unsigned int smtprl_pfxset_prune(struct smtprl_pfxset *s,
				 bool (*pred)(struct smtprl_pfx *p, void *arg),
				 void *arg, void (*release)(struct smtprl_pfx *p))
{
	struct rhashtable_iter iter;
	struct smtprl_pfx *p;
	unsigned int removed = 0;

	rhashtable_walk_enter(&s->ht, &iter);
	rhashtable_walk_start(&iter);
	while ((p = rhashtable_walk_next(&iter))) {
		if (IS_ERR(p)) {
			if (PTR_ERR(p) == -EAGAIN)
				continue;
			break;
		}
		if (pred && !pred(p, arg))
			continue;
		smtprl_pfxset_remove(s, p);
		release(p);
		removed++;
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return removed;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_pfxset_prune);

/**
 * __smtprl_pfxset_match - longest prefix in @s covering @addr, or NULL
 * @s: the set
 * @family: NFPROTO_IPV4 or NFPROTO_IPV6
 * @addr: the address to match
 *
 * One hash probe per prefix length in use. Call under RCU, through
 * smtprl_pfxset_match().
 */
struct smtprl_pfx *__smtprl_pfxset_match(struct smtprl_pfxset *s, u8 family,
					 const union smtprl_addr *addr)
{
	const __be32 *a = addr->v6.s6_addr32;
	struct smtprl_pfx_key k;
	struct smtprl_pfx *p;
	unsigned int i, w;

	memset(&k, 0, sizeof(k));
	k.family = family;
	if (family == NFPROTO_IPV4) {
		for_each_set_bit(i, s->lens4, 33) {
			k.plen = 32 - i;
			k.addr.v4 = a[0] & inet_make_mask(k.plen);
			p = rhashtable_lookup(&s->ht, &k, pfx_params);
			if (p)
				return p;
		}
		return NULL;
	}
	/* Longest first: each shorter length clears bits, never sets them. */
	memcpy(&k.addr.v6, &addr->v6, sizeof(k.addr.v6));
	for_each_set_bit(i, s->lens6, 129) {
		k.plen = 128 - i;
		for (w = k.plen / 32; w < 4; w++)
			k.addr.v6.s6_addr32[w] = k.plen > w * 32 ?
				a[w] & htonl(~0U << (32 - (k.plen - w * 32))) : 0;
		p = rhashtable_lookup(&s->ht, &k, pfx_params);
		if (p)
			return p;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(__smtprl_pfxset_match);
