/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smtprlctl, by responsibility (after wireguard-tools' wg):
 *   nl.c        the netlink transport: requests, dumps, the batch pipeline
 *   batch.c     -b FILE: tokenizing, the dry pass, the real one
 *   policy.c    policy show|set, and its line of save (the field table)
 *   stats.c     stats
 *   entry.c     what scope, relay, exempt, source and monitor share
 *   prefix.c    scope, relay, exempt
 *   source.c    source
 *   subscriber.c subscriber
 *   monitor.c   monitor
 *   save.c      save
 *   smtprlctl.c the command table and main
 * Output goes through util.c's one print path (text or JSON).
 */
#ifndef SMTPRLCTL_H
#define SMTPRLCTL_H

#include <stdbool.h>
#include <stdint.h>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "linux/smtprl.h"
#include "linux/smtprl-names.h"
#include "util.h"

#include "smtprl-version.h"

enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

extern const char *const prog;

int usage_error(const char *fmt, const char *arg);

/* nl.c: requests */

/* How a request's answers are read: each message, parsed to @maxattr. */
struct reply {
	int (*parse)(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg);
	void *arg;
	int maxattr;
	void (*reset)(void *arg);	/* a dump starts over: forget what parse kept */
};

typedef void (*fill_fn)(struct nl_msg *m, void *arg);

int ctl_open(const char *netns);
void ctl_close(void);
struct nl_sock *ctl_sock(void);
int ctl_family(void);
int request(uint8_t cmd, bool dump, fill_fn fill, void *farg, struct reply *r);
void request_quiet(int err);

/* nl.c: the batch pipeline (-b) */
void pipe_begin(const char *file);
void pipe_dry(bool dry);
bool pipe_is_dry(void);
void pipe_line(int lineno);
void pipe_refused(void);
int pipe_end(void);
void report(int lineno, const char *text);

/* batch.c */
typedef int (*command_fn)(int argc, char **argv);
int batch(const char *file, bool json, bool pretty, bool check_only,
	  command_fn (*find)(const char *name));

/* The commands (one file each) */
int policy_main(int argc, char **argv);
int stats_main(int argc, char **argv);
int scope_main(int argc, char **argv);
int relay_main(int argc, char **argv);
int exempt_main(int argc, char **argv);
int source_main(int argc, char **argv);
int monitor_main(int argc, char **argv);
int subscriber_main(int argc, char **argv);
int save_main(int argc, char **argv);

/* policy.c, prefix.c: save's lines */
void policy_usage(FILE *f);
int policy_save(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg);
int entry_save(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg);
int sub_save(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg);
int quarantine_save(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg);
void save_quoted(const char *str);

/* entry.c: the attributes of scope, relay, exempt and source entries */
struct entry_req {
	struct prefix p;
	bool plen;
	const char *ifname;
	uint32_t rate, unit, burst, daily;
	uint64_t expires;
	const char *comment;
	const char *name;	/* a subscriber's state instead of the prefix */
	uint32_t cause;		/* a restored quarantine's; 0: the operator's */
	uint8_t group;		/* a scope prefix's grouping length; 0: none */
	bool replace;
};

void entry_fill(struct nl_msg *m, void *arg);
void entry_put_prefix(struct nl_msg *m, const struct prefix *p, bool plen);
void entry_put_rate(struct nl_msg *m, uint32_t rate, uint32_t unit, uint32_t burst,
		    uint32_t daily);
void entry_rate_fields(struct nlattr **tb);
void entry_save_rate(struct nlattr **tb);
bool entry_prefix(struct nlattr **tb, struct prefix *p);
int entry_print(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg);
void entry_fields(struct nlattr **tb);
int entry_list(uint8_t cmd);

#endif
