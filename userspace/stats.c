// SPDX-License-Identifier: GPL-2.0
/*
 * stats: the namespace's counters, named as the spec names them.
 */

#include "smtprlctl.h"

static int stats_print(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	static const char *const names[SMTPRL_A_STATS_MAX + 1] = SMTPRL_STATS_KEYS;
	int a;

	(void)nlh;
	(void)arg;
	out_open_obj();
	for (a = 1; a < (int)(sizeof(names) / sizeof(names[0])); a++) {
		if (!names[a] || !tb[a] || a == SMTPRL_A_STATS_PAD)
			continue;
		/* Bytes, as /proc/net/smtprl/stats says it. */
		out_uint(a == SMTPRL_A_STATS_MEMORY ? "memory_bytes" : names[a],
			 nla_len(tb[a]) == 4 ? nla_get_u32(tb[a]) : nla_get_u64(tb[a]));
	}
	out_close_obj();
	return 0;
}

int stats_main(int argc, char **argv)
{
	struct reply r = { stats_print, NULL, SMTPRL_A_STATS_MAX, NULL };

	(void)argv;
	if (argc != 1)
		return usage_error("usage: stats%s", "");
	return request(SMTPRL_CMD_STATS_GET, false, NULL, NULL, &r);
}
