/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SMTPRL_DUMP_H
#define _SMTPRL_DUMP_H

#include <linux/types.h>

struct genl_family;
struct netlink_callback;
struct rhashtable;
struct sk_buff;

/* The state of a resumable dump, kept in cb->ctx. */
struct smtprl_dump_ctx {
	unsigned long tbl;	/* the table walked */
	u32 bucket;		/* the next chain */
	u32 gen;		/* cb->seq; bumped when a resize broke the dump */
	u32 phase;		/* for the caller: e.g. scope's interfaces first */
	u32 done;
};

/* Put one object's attributes; -ENOENT: going away, leave it out. */
typedef int (*smtprl_fill_fn)(struct sk_buff *skb, void *obj, void *arg,
			      u64 now);

int smtprl_dump_table(struct sk_buff *skb, struct netlink_callback *cb,
		      const struct genl_family *family, struct rhashtable *ht,
		      unsigned int head_offset, smtprl_fill_fn fill, void *arg);

#endif /* _SMTPRL_DUMP_H */
