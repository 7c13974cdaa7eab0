// SPDX-License-Identifier: GPL-2.0
/*
 * Resumable dumps of an rhashtable, without duplicates or gaps. Each
 * callback dumps whole hash chains (one that does not fit is left for the
 * next callback), and the cursor is the next chain of the table walked:
 * an entry that is in the table from the start of the dump to its end is
 * dumped exactly once, however many others come and go meanwhile; one
 * added or removed during the dump may or may not be.
 *
 * That holds while the bucket table stays the same. A resize rehashes
 * every entry into a new table, and a reader can follow a moved entry
 * into the new table's chain: a dump that has sent anything and sees a
 * resize (begun or done) ends flagged NLM_F_DUMP_INTR (cb->seq changes),
 * and smtprlctl asks again. One that has sent nothing starts on the new
 * table.
 */

#include <linux/delay.h>
#include <linux/rhashtable.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "dump.h"
#include "netns.h"

static_assert(sizeof(struct smtprl_dump_ctx) <=
	      sizeof_field(struct netlink_callback, ctx));

/* How long a dump that has sent nothing waits for a resize: 100 x 1-2 ms. */
#define SMTPRL_DUMP_WAIT	100

/**
 * smtprl_dump_table - dump the objects of @ht, resumably
 * @skb: the message buffer
 * @cb: the dump's callback state (cb->ctx is a struct smtprl_dump_ctx)
 * @family: the family the messages belong to
 * @ht: the table
 * @head_offset: where the rhash_head sits in an object
 * @fill: puts one object's attributes
 * @arg: for @fill
 */
int smtprl_dump_table(struct sk_buff *skb, struct netlink_callback *cb,
		      const struct genl_family *family, struct rhashtable *ht,
		      unsigned int head_offset, smtprl_fill_fn fill, void *arg)
{
	struct smtprl_dump_ctx *ctx = (struct smtprl_dump_ctx *)cb->ctx;
	u8 cmd = ((struct genlmsghdr *)nlmsg_data(cb->nlh))->cmd;
	const struct bucket_table *tbl;
	unsigned int tries = 0;
	struct rhash_head *pos;
	u64 now = smtprl_now_ns();
	int err;
	u32 i;

	if (ctx->done)
		return 0;
	if (!ctx->gen)
		ctx->gen = 1;
	cb->seq = ctx->gen;
again:
	err = 0;
	rcu_read_lock();
	tbl = rht_dereference_rcu(ht->tbl, ht);
	if (ctx->tbl != (unsigned long)tbl || rcu_access_pointer(tbl->future_tbl)) {
		if (cb->prev_seq)
			goto interrupted;
		/* Nothing sent yet: start on the current table, once it is still. */
		ctx->tbl = (unsigned long)tbl;
		ctx->bucket = 0;
		if (rcu_access_pointer(tbl->future_tbl) && tries++ < SMTPRL_DUMP_WAIT)
			goto wait;
	}
	for (i = ctx->bucket; i < tbl->size; i++) {
		unsigned char *mark = skb_tail_pointer(skb);

		rht_for_each_rcu(pos, tbl, i) {
			void *hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
						cb->nlh->nlmsg_seq, family,
						NLM_F_MULTI, cmd);

			if (!hdr) {
				err = -EMSGSIZE;
				break;
			}
			genl_dump_check_consistent(cb, hdr);
			err = fill(skb, (char *)pos - head_offset, arg, now);
			if (err) {
				genlmsg_cancel(skb, hdr);
				if (err != -ENOENT)	/* -ENOENT: going away, not listed */
					break;
				err = 0;
			} else {
				genlmsg_end(skb, hdr);
			}
		}
		if (err) {
			/* The whole chain next time, or never. */
			nlmsg_trim(skb, mark);
			break;
		}
		ctx->bucket = i + 1;
	}
	/* A resize that began meanwhile may have led the walk astray. */
	if (rcu_access_pointer(ht->tbl) != tbl || rcu_access_pointer(tbl->future_tbl)) {
		if (cb->prev_seq || tries++ >= SMTPRL_DUMP_WAIT)
			goto interrupted;
		ctx->tbl = 0;	/* nothing was sent: this pass never happened */
		goto wait;
	}
	rcu_read_unlock();
	/* A full skb is not an error: netlink calls again. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;

wait:
	rcu_read_unlock();
	usleep_range(1000, 2000);
	goto again;

interrupted:
	rcu_read_unlock();
	ctx->done = 1;
	if (!cb->prev_seq) {
		/* Nothing to flag: say so instead of ending an empty dump. */
		NL_SET_ERR_MSG_MOD(cb->extack, "the table is being resized; try again");
		return -EBUSY;
	}
	/* cb->seq changes: the next message (at least NLMSG_DONE) is flagged. */
	cb->seq = ++ctx->gen;
	return skb->len;
}
