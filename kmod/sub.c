// SPDX-License-Identifier: GPL-2.0
/*
 * Subscribers: names, their bindings, their linger (see sub.h). Every
 * change runs with the namespace's config mutex held, validates and
 * allocates everything first, and then cannot fail halfway.
 */

#include <linux/ctype.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "policy.h"
#include "smtprl.h"
#include "sub.h"

static const struct rhashtable_params name_params = {
	.head_offset = offsetof(struct smtprl_sub, node),
	.key_offset = offsetof(struct smtprl_sub, name),
	.key_len = SMTPRL_SUB_NAME_MAX + 1,
	.automatic_shrinking = true,
};

static const struct rhashtable_params id_params = {
	.head_offset = offsetof(struct smtprl_sub, id_node),
	.key_offset = offsetof(struct smtprl_sub, id),
	.key_len = sizeof(u64),
	.automatic_shrinking = true,
};

int smtprl_subs_init(struct smtprl_subs *s)
{
	int err;

	memset(s, 0, sizeof(*s));
	INIT_LIST_HEAD(&s->lingering);
	s->next_id = 1;
	err = rhashtable_init(&s->names, &name_params);
	if (err)
		return err;
	err = rhashtable_init(&s->ids, &id_params);
	if (err)
		goto err_names;
	err = smtprl_pfxset_init(&s->binds);
	if (err)
		goto err_ids;
	return 0;

err_ids:
	rhashtable_destroy(&s->ids);
err_names:
	rhashtable_destroy(&s->names);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_subs_init);

static void bind_release(struct smtprl_pfx *p)
{
	kfree_rcu(container_of(p, struct smtprl_bind, pfx), pfx.rcu);
}

static void bind_free(void *ptr, void *arg)
{
	kfree(container_of(ptr, struct smtprl_bind, pfx));
}

static void sub_free(void *ptr, void *arg)
{
	struct smtprl_sub *sub = ptr;

	kfree(rcu_dereference_raw(sub->cfg));
	kfree(sub);
}

/* Nothing reads @s any more (the namespace is gone). */
void smtprl_subs_destroy(struct smtprl_subs *s)
{
	smtprl_pfxset_destroy(&s->binds, bind_free);
	rhashtable_destroy(&s->ids);
	rhashtable_free_and_destroy(&s->names, sub_free, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_subs_destroy);

/*
 * A name as the key wants it, zero-padded: 1 to SMTPRL_SUB_NAME_MAX bytes,
 * no control characters (they would forge lines in /proc and logs).
 */
int smtprl_sub_name_init(char *dst, const char *src, struct smtprl_bad *bad)
{
	size_t i, len = strnlen(src, SMTPRL_SUB_NAME_MAX + 1);

	if (!len)
		return smtprl_refuse(bad, SMTPRL_A_ENTRY_NAME, "name: empty", -EINVAL);
	if (len > SMTPRL_SUB_NAME_MAX)
		return smtprl_refuse(bad, SMTPRL_A_ENTRY_NAME,
				     "name: longer than 64 bytes", -EINVAL);
	for (i = 0; i < len; i++)
		if ((unsigned char)src[i] < 0x20 || src[i] == 0x7f)
			return smtprl_refuse(bad, SMTPRL_A_ENTRY_NAME,
					     "name: control character", -EINVAL);
	memset(dst, 0, SMTPRL_SUB_NAME_MAX + 1);
	memcpy(dst, src, len);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_sub_name_init);

/* Under RCU, or the config mutex. @name zero-padded. */
struct smtprl_sub *smtprl_sub_find(struct smtprl_subs *s, const char *name)
{
	return rhashtable_lookup(&s->names, name, name_params);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_sub_find);

struct smtprl_sub *smtprl_sub_by_id(struct smtprl_subs *s, u64 id)
{
	return rhashtable_lookup(&s->ids, &id, id_params);
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_sub_by_id);

/*
 * Lookups for the config side: the mutex keeps what they find, RCU is
 * only what the hash tables' walkers check for.
 */
static struct smtprl_sub *sub_lookup(struct smtprl_subs *s, const char *name)
{
	struct smtprl_sub *sub;

	rcu_read_lock();
	sub = smtprl_sub_find(s, name);
	rcu_read_unlock();
	return sub;
}

static struct smtprl_pfx *bind_lookup(struct smtprl_subs *s,
				      const struct smtprl_pfx_key *k)
{
	struct smtprl_pfx *p;

	rcu_read_lock();
	p = smtprl_pfxset_find(&s->binds, k);
	rcu_read_unlock();
	return p;
}

/* Lingering from now until @until_ns; the list stays in expiry order. */
static void linger_start(struct smtprl_subs *s, struct smtprl_sub *sub,
			 u64 until_ns)
{
	struct smtprl_sub *pos;

	/* Dumps read it, and @nbinds, under RCU (fill_sub()). */
	WRITE_ONCE(sub->linger_until_ns, until_ns);
	/* Usually the latest: the linger is the same for everybody. */
	list_for_each_entry_reverse(pos, &s->lingering, linger)
		if (pos->linger_until_ns <= until_ns)
			break;
	list_add(&sub->linger, &pos->linger);
	WRITE_ONCE(s->nlinger, s->nlinger + 1);
}

static void linger_stop(struct smtprl_subs *s, struct smtprl_sub *sub)
{
	if (list_empty(&sub->linger))
		return;
	list_del_init(&sub->linger);
	WRITE_ONCE(s->nlinger, s->nlinger - 1);
}

/* Take @b off its subscriber; the last binding gone starts its linger. */
static void bind_detach(struct smtprl_subs *s, struct smtprl_bind *b,
			u64 linger_until_ns)
{
	struct smtprl_sub *sub = b->sub;

	hlist_del_rcu(&b->node);
	WRITE_ONCE(sub->nbinds, sub->nbinds - 1);
	if (!sub->nbinds)
		linger_start(s, sub, linger_until_ns);
}

static void bind_attach(struct smtprl_subs *s, struct smtprl_bind *b)
{
	struct smtprl_sub *sub = b->sub;

	hlist_add_head_rcu(&b->node, &sub->binds);
	WRITE_ONCE(sub->nbinds, sub->nbinds + 1);
	if (sub->nbinds == 1)
		linger_stop(s, sub);
}

/* Free @sub, already unbound and unhashed, after a grace period. */
static void sub_unhash(struct smtprl_subs *s, struct smtprl_sub *sub,
		       smtprl_sub_gone_fn gone, void *arg)
{
	struct smtprl_sub_cfg *cfg;
	struct smtprl_bind *b;
	struct hlist_node *tmp;

	hlist_for_each_entry_safe(b, tmp, &sub->binds, node) {
		smtprl_pfxset_remove(&s->binds, &b->pfx);
		hlist_del_rcu(&b->node);
		bind_release(&b->pfx);
	}
	WRITE_ONCE(sub->nbinds, 0);
	linger_stop(s, sub);
	/* While its id still names it: the end of its quarantine does too. */
	if (gone)
		gone(arg, sub);
	WARN_ON(rhashtable_remove_fast(&s->names, &sub->node, name_params));
	WARN_ON(rhashtable_remove_fast(&s->ids, &sub->id_node, id_params));
	WRITE_ONCE(s->n, s->n - 1);
	cfg = rcu_dereference_protected(sub->cfg, true);
	if (cfg)
		kfree_rcu(cfg, rcu);
	kfree_rcu(sub, rcu);
}

static struct smtprl_sub_cfg *cfg_new(const struct smtprl_sub_req *r,
				      struct smtprl_bad *bad, int *err)
{
	struct smtprl_sub_cfg *cfg;

	*err = 0;
	if (r->mode == SMTPRL_SUB_MODE_POLICY)
		return NULL;
	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg) {
		*err = -ENOMEM;
		return NULL;
	}
	cfg->mode = r->mode;
	if (r->mode == SMTPRL_SUB_MODE_EXEMPT)
		return cfg;
	cfg->rate = r->rate;
	cfg->burst = r->burst;
	cfg->daily = r->daily;
	cfg->rate_unit = r->rate_unit;
	/* Burst defaults to one unit's worth, as for an exemption. */
	*err = smtprl_rate_init(&cfg->limit.rate, r->rate,
				smtprl_unit_ns(r->rate_unit), r->burst ?: r->rate,
				SMTPRL_A_ENTRY_RATE, SMTPRL_A_ENTRY_BURST, bad);
	if (!*err && r->daily)
		*err = smtprl_rate_init(&cfg->limit.daily, r->daily,
					smtprl_unit_ns(SMTPRL_UNIT_DAY), r->daily,
					SMTPRL_A_ENTRY_DAILY, SMTPRL_A_ENTRY_DAILY, bad);
	if (*err) {
		kfree(cfg);
		return NULL;
	}
	return cfg;
}

/* Is @k one of @sub's bindings? */
static bool sub_has(struct smtprl_subs *s, struct smtprl_sub *sub,
		    const struct smtprl_pfx_key *k, struct smtprl_bind **bp)
{
	struct smtprl_pfx *p = bind_lookup(s, k);

	*bp = p ? container_of(p, struct smtprl_bind, pfx) : NULL;
	return *bp && (*bp)->sub == sub;
}

/* Keys are zeroed whole before they are set (smtprl_pfx_key_init()). */
static bool req_has(const struct smtprl_sub_req *r, const struct smtprl_pfx_key *k)
{
	unsigned int i;

	for (i = 0; i < r->nbinds; i++)
		if (!memcmp(&r->binds[i], k, sizeof(*k)))
			return true;
	return false;
}

/* Is the @i-th key of @r one an earlier one repeats? */
static bool req_dup(const struct smtprl_sub_req *r, unsigned int i)
{
	unsigned int j;

	for (j = 0; j < i; j++)
		if (!memcmp(&r->binds[j], &r->binds[i], sizeof(r->binds[i])))
			return true;
	return false;
}

/**
 * smtprl_sub_add - bind @r's addresses to @r->name, creating it if need be
 * @s: the subscribers
 * @r: the request, its name and prefixes validated
 * @max: the policy's max-subscribers
 * @linger_ns: the policy's subscriber-linger (a subscriber left unbound)
 * @now_ns: the current time
 * @done: what it did besides
 * @bad: why it was refused
 *
 * A lingering subscriber is bound again and keeps its state. A prefix
 * bound to another subscriber moves. All or nothing. Config mutex held.
 */
int smtprl_sub_add(struct smtprl_subs *s, const struct smtprl_sub_req *r,
		   u32 max, u64 linger_ns, u64 now_ns, struct smtprl_sub_done *done,
		   struct smtprl_bad *bad)
{
	struct smtprl_bind *nb[SMTPRL_SUB_BINDS_MAX] = {}, *b;
	struct smtprl_sub_cfg *cfg = NULL, *old_cfg;
	struct smtprl_sub *sub, *created = NULL;
	unsigned int i, keep = 0, added = 0, inserted = 0;
	struct hlist_node *tmp;
	int err;

	memset(done, 0, sizeof(*done));
	sub = sub_lookup(s, r->name);
	if (!sub && s->n >= max)
		return smtprl_refuse(bad, SMTPRL_A_ENTRY_NAME,
				     "name: max-subscribers reached", -ENOSPC);
	if (r->set_mode) {
		cfg = cfg_new(r, bad, &err);
		if (err)
			return err;
	}
	if (!sub) {
		sub = kzalloc(sizeof(*sub), GFP_KERNEL);
		if (!sub) {
			err = -ENOMEM;
			goto err_free;
		}
		created = sub;
		memcpy(sub->name, r->name, sizeof(sub->name));
		sub->id = s->next_id;
		INIT_HLIST_HEAD(&sub->binds);
		INIT_LIST_HEAD(&sub->linger);
	}
	/* The bindings that stay, and the new ones, at most SMTPRL_SUB_BINDS_MAX. */
	if (!r->replace)
		keep = sub->nbinds;
	else
		hlist_for_each_entry(b, &sub->binds, node)
			keep += req_has(r, &b->pfx.key);
	for (i = 0; i < r->nbinds; i++) {
		/* Bound already, or a duplicate within the request. */
		if (sub_has(s, sub, &r->binds[i], &b) || req_dup(r, i))
			continue;
		if (keep + added == SMTPRL_SUB_BINDS_MAX) {
			err = smtprl_refuse(bad, SMTPRL_A_ENTRY_BIND,
					    "bind: at most 8 per subscriber", -ENOSPC);
			goto err_free;
		}
		nb[added] = kzalloc(sizeof(*nb[added]), GFP_KERNEL);
		if (!nb[added]) {
			err = -ENOMEM;
			goto err_free;
		}
		nb[added]->pfx.key = r->binds[i];
		nb[added]->sub = sub;
		added++;
	}

	if (created) {
		err = rhashtable_lookup_insert_fast(&s->names, &sub->node, name_params);
		if (err)
			goto err_free;
		err = rhashtable_insert_fast(&s->ids, &sub->id_node, id_params);
		if (err) {
			rhashtable_remove_fast(&s->names, &sub->node, name_params);
			goto err_free;
		}
	}
	/* New prefixes first: inserting may fail, and is undone then. */
	for (i = 0; i < added; i++) {
		if (bind_lookup(s, &nb[i]->pfx.key))
			continue;
		err = smtprl_pfxset_insert(&s->binds, &nb[i]->pfx);
		if (err)
			goto err_unwind;
		inserted |= BIT(i);
	}
	/* From here on nothing fails. */
	if (created) {
		s->next_id++;
		WRITE_ONCE(s->n, s->n + 1);
		linger_start(s, sub, now_ns + linger_ns);
	}
	for (i = 0; i < added; i++) {
		if (!(inserted & BIT(i))) {
			struct smtprl_pfx *p = bind_lookup(s, &nb[i]->pfx.key);

			b = container_of(p, struct smtprl_bind, pfx);
			WARN_ON(smtprl_pfxset_replace(&s->binds, p, &nb[i]->pfx));
			bind_detach(s, b, now_ns + linger_ns);
			bind_release(p);
			done->moved++;
		}
		bind_attach(s, nb[i]);
	}
	if (r->replace) {
		hlist_for_each_entry_safe(b, tmp, &sub->binds, node) {
			if (req_has(r, &b->pfx.key))
				continue;
			smtprl_pfxset_remove(&s->binds, &b->pfx);
			bind_detach(s, b, now_ns + linger_ns);
			bind_release(&b->pfx);
		}
	}
	if (r->set_mode) {
		old_cfg = rcu_replace_pointer(sub->cfg, cfg, true);
		if (old_cfg)
			kfree_rcu(old_cfg, rcu);
	}
	return 0;

err_unwind:
	for (i = 0; i < added; i++)
		if (inserted & BIT(i))
			smtprl_pfxset_remove(&s->binds, &nb[i]->pfx);
	if (created) {
		rhashtable_remove_fast(&s->ids, &sub->id_node, id_params);
		rhashtable_remove_fast(&s->names, &sub->node, name_params);
	}
	/* Readers may have found what was inserted. */
	synchronize_rcu();
err_free:
	for (i = 0; i < added; i++)
		kfree(nb[i]);
	kfree(created);
	kfree(cfg);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_sub_add);

/*
 * Unbind @keys from @name: each must be one of its bindings. All or
 * nothing. The last binding gone starts the linger. Config mutex held.
 */
int smtprl_sub_unbind(struct smtprl_subs *s, const char *name,
		      const struct smtprl_pfx_key *keys, unsigned int n,
		      u64 linger_ns, u64 now_ns, struct smtprl_bad *bad)
{
	struct smtprl_bind *b;
	struct smtprl_sub *sub;
	unsigned int i;

	sub = sub_lookup(s, name);
	if (!sub)
		return smtprl_refuse(bad, SMTPRL_A_ENTRY_NAME, "name: no such subscriber",
				     -ENOENT);
	for (i = 0; i < n; i++)
		if (!sub_has(s, sub, &keys[i], &b))
			return smtprl_refuse(bad, SMTPRL_A_ENTRY_BIND,
					     "bind: not bound to this subscriber", -ENOENT);
	for (i = 0; i < n; i++) {
		/* A duplicate in the request is gone already. */
		if (!sub_has(s, sub, &keys[i], &b))
			continue;
		smtprl_pfxset_remove(&s->binds, &b->pfx);
		bind_detach(s, b, now_ns + linger_ns);
		bind_release(&b->pfx);
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_sub_unbind);

/*
 * The session of @name ended: unbind everything; keep its state for
 * @linger_ns (0: forget it now, and tell @gone). Config mutex held.
 */
int smtprl_sub_end(struct smtprl_subs *s, const char *name, u64 linger_ns,
		   u64 now_ns, smtprl_sub_gone_fn gone, void *arg)
{
	struct smtprl_sub *sub = sub_lookup(s, name);
	struct smtprl_bind *b;
	struct hlist_node *tmp;

	if (!sub)
		return -ENOENT;
	if (!linger_ns) {
		sub_unhash(s, sub, gone, arg);
		return 0;
	}
	hlist_for_each_entry_safe(b, tmp, &sub->binds, node) {
		smtprl_pfxset_remove(&s->binds, &b->pfx);
		bind_detach(s, b, now_ns + linger_ns);
		bind_release(&b->pfx);
	}
	/* Lingering already: the new linger counts from now. */
	linger_stop(s, sub);
	linger_start(s, sub, now_ns + linger_ns);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_sub_end);

/* Forget the subscribers whose linger is over; returns how many. */
unsigned int smtprl_subs_expire(struct smtprl_subs *s, u64 now_ns,
				smtprl_sub_gone_fn gone, void *arg)
{
	struct smtprl_sub *sub, *tmp;
	unsigned int n = 0;

	list_for_each_entry_safe(sub, tmp, &s->lingering, linger) {
		if (sub->linger_until_ns > now_ns)
			break;
		sub_unhash(s, sub, gone, arg);
		n++;
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_subs_expire);

/* Forget every subscriber; returns how many. Config mutex held. */
unsigned int smtprl_subs_flush(struct smtprl_subs *s, smtprl_sub_gone_fn gone,
			       void *arg)
{
	struct rhashtable_iter iter;
	struct smtprl_sub *sub;
	unsigned int n = 0;

	rhashtable_walk_enter(&s->names, &iter);
	rhashtable_walk_start(&iter);
	while ((sub = rhashtable_walk_next(&iter))) {
		if (IS_ERR(sub)) {
			if (PTR_ERR(sub) == -EAGAIN)
				continue;
			break;
		}
		sub_unhash(s, sub, gone, arg);
		n++;
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(smtprl_subs_flush);
