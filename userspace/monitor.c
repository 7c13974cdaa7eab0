// SPDX-License-Identifier: GPL-2.0
/*
 * monitor: one line (or JSON object) per event, as "ip monitor" does.
 */

#include <stdio.h>
#include <string.h>

#include <sys/socket.h>
#include <netlink/genl/ctrl.h>

#include "smtprlctl.h"

static int monitor_cb(struct nl_msg *m, void *arg)
{
	static const char *const names[] = {
		[SMTPRL_CMD_LIMITED_NTF] = "limited",
		[SMTPRL_CMD_QUARANTINED_NTF] = "quarantined",
		[SMTPRL_CMD_RELEASED_NTF] = "released",
		[SMTPRL_CMD_EXEMPT_EXPIRED_NTF] = "exempt-expired",
		[SMTPRL_CMD_TABLE_FULL_NTF] = "table-full",
	};
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(m));
	struct nlattr *tb[SMTPRL_A_ENTRY_MAX + 1] = { 0 };
	bool *json = arg;

	if (g->cmd >= sizeof(names) / sizeof(names[0]) || !names[g->cmd] ||
	    genlmsg_parse(nlmsg_hdr(m), 0, tb, SMTPRL_A_ENTRY_MAX, NULL))
		return NL_SKIP;
	out_init(*json, false);		/* one object per line */
	entry_print(nlmsg_hdr(m), tb, (void *)names[g->cmd]);
	fflush(stdout);
	return NL_OK;
}

int monitor_main(int argc, char **argv)
{
	int grp, err, rcvbuf = 4 << 20;
	bool json = out_is_json();

	(void)argv;
	if (argc != 1)
		return usage_error("usage: monitor%s", "");
	if (pipe_is_dry())
		return EXIT_OK;
	grp = genl_ctrl_resolve_grp(ctl_sock(), SMTPRL_FAMILY_NAME, SMTPRL_MCGRP_EVENTS);
	if (grp < 0) {
		fprintf(stderr, "%s: no \"%s\" group: %s\n", prog, SMTPRL_MCGRP_EVENTS,
			nl_geterror(grp));
		return EXIT_REFUSED;
	}
	err = nl_socket_add_membership(ctl_sock(), grp);
	if (err) {
		fprintf(stderr, "%s: cannot join the events group: %s\n", prog,
			nl_geterror(err));
		return EXIT_REFUSED;
	}
	/* Room for bursts (best effort: SO_RCVBUFFORCE needs CAP_NET_ADMIN). */
	setsockopt(nl_socket_get_fd(ctl_sock()), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	nl_socket_disable_seq_check(ctl_sock());
	nl_socket_modify_cb(ctl_sock(), NL_CB_VALID, NL_CB_CUSTOM, monitor_cb, &json);
	for (;;) {
		err = nl_recvmsgs_default(ctl_sock());
		if (err == -NLE_NOMEM) {
			/* ENOBUFS: the socket overflowed; say so, go on. */
			fprintf(stderr, "%s: monitor: events lost (receive buffer full)\n", prog);
		} else if (err < 0) {
			fprintf(stderr, "%s: monitor: %s\n", prog, nl_geterror(err));
			return EXIT_REFUSED;
		}
	}
}
