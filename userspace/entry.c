// SPDX-License-Identifier: GPL-2.0
/*
 * What scope, relay, exempt, source and monitor share: the attributes of
 * an entry, how they are sent, and how an entry is printed.
 */

#include <stdio.h>
#include <string.h>

#include <sys/socket.h>

#include "smtprlctl.h"

void entry_put_prefix(struct nl_msg *m, const struct prefix *p, bool plen)
{
	if (p->family == AF_INET)
		nla_put(m, SMTPRL_A_ENTRY_ADDR4, 4, &p->addr.v4);
	else
		nla_put(m, SMTPRL_A_ENTRY_ADDR6, 16, &p->addr.v6);
	if (plen)
		nla_put_u8(m, SMTPRL_A_ENTRY_PLEN, p->plen);
}

bool entry_prefix(struct nlattr **tb, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (tb[SMTPRL_A_ENTRY_ADDR4]) {
		p->family = AF_INET;
		memcpy(&p->addr.v4, nla_data(tb[SMTPRL_A_ENTRY_ADDR4]), 4);
	} else if (tb[SMTPRL_A_ENTRY_ADDR6]) {
		p->family = AF_INET6;
		memcpy(&p->addr.v6, nla_data(tb[SMTPRL_A_ENTRY_ADDR6]), 16);
	} else {
		return false;
	}
	p->plen = tb[SMTPRL_A_ENTRY_PLEN] ? nla_get_u8(tb[SMTPRL_A_ENTRY_PLEN]) : 0;
	return true;
}

/* An own rate: of an exemption or a subscriber (rate 0: none). */
void entry_put_rate(struct nl_msg *m, uint32_t rate, uint32_t unit, uint32_t burst,
		    uint32_t daily)
{
	if (rate) {
		nla_put_u32(m, SMTPRL_A_ENTRY_RATE, rate);
		nla_put_u32(m, SMTPRL_A_ENTRY_RATE_UNIT, unit);
	}
	if (burst)
		nla_put_u32(m, SMTPRL_A_ENTRY_BURST, burst);
	if (daily)
		nla_put_u32(m, SMTPRL_A_ENTRY_DAILY, daily);
}

/* An own rate as "N/unit" into @buf; false if @tb has none. */
static bool rate_text(struct nlattr **tb, char *buf, size_t len)
{
	uint32_t u;

	if (!tb[SMTPRL_A_ENTRY_RATE] || !tb[SMTPRL_A_ENTRY_RATE_UNIT])
		return false;
	u = nla_get_u32(tb[SMTPRL_A_ENTRY_RATE_UNIT]);
	snprintf(buf, len, "%u/%s", nla_get_u32(tb[SMTPRL_A_ENTRY_RATE]),
		 u < SMTPRL_UNIT_COUNT ? unit_names[u] : "?");
	return true;
}

/* An own rate, printed (rate, burst, daily). */
void entry_rate_fields(struct nlattr **tb)
{
	char buf[32];

	if (!rate_text(tb, buf, sizeof(buf)))
		return;
	out_str("rate", buf);
	if (tb[SMTPRL_A_ENTRY_BURST])
		out_uint("burst", nla_get_u32(tb[SMTPRL_A_ENTRY_BURST]));
	if (tb[SMTPRL_A_ENTRY_DAILY])
		out_uint("daily", nla_get_u32(tb[SMTPRL_A_ENTRY_DAILY]));
}

/* An own rate, as save writes it: " rate N/unit [burst N] [daily N]". */
void entry_save_rate(struct nlattr **tb)
{
	char buf[32];

	if (!rate_text(tb, buf, sizeof(buf)))
		return;
	printf(" rate %s", buf);
	if (tb[SMTPRL_A_ENTRY_BURST])
		printf(" burst %u", nla_get_u32(tb[SMTPRL_A_ENTRY_BURST]));
	if (tb[SMTPRL_A_ENTRY_DAILY])
		printf(" daily %u", nla_get_u32(tb[SMTPRL_A_ENTRY_DAILY]));
}

void entry_fill(struct nl_msg *m, void *arg)
{
	struct entry_req *r = arg;

	if (r->ifname) {
		nla_put_string(m, SMTPRL_A_ENTRY_IFNAME, r->ifname);
		return;
	}
	if (r->name)
		nla_put_string(m, SMTPRL_A_ENTRY_NAME, r->name);
	else
		entry_put_prefix(m, &r->p, r->plen);
	entry_put_rate(m, r->rate, r->unit, r->burst, r->daily);
	if (r->expires)
		nla_put_u64(m, SMTPRL_A_ENTRY_EXPIRES, r->expires);
	if (r->comment)
		nla_put_string(m, SMTPRL_A_ENTRY_COMMENT, r->comment);
	if (r->cause)
		nla_put_u32(m, SMTPRL_A_ENTRY_CAUSE, r->cause);
	if (r->group)
		nla_put_u8(m, SMTPRL_A_ENTRY_GROUP, r->group);
	if (r->replace)
		nla_put_flag(m, SMTPRL_A_ENTRY_REPLACE);
}

static void out_u64_attr(struct nlattr **tb, int a, const char *key)
{
	if (tb[a])
		out_uint(key, nla_get_u64(tb[a]));
}

static const char *const state_names[] = SMTPRL_STATE_NAMES;
static const char *const cause_names[] = SMTPRL_CAUSE_NAMES;
static const char *const release_names[] = SMTPRL_RELEASE_NAMES;

/* A u32 enum attribute as its name (or its number, from a newer kernel). */
static void out_enum_attr(struct nlattr **tb, int a, const char *key,
			  const char *const *names, uint32_t n)
{
	uint32_t v;

	if (!tb[a])
		return;
	v = nla_get_u32(tb[a]);
	if (v < n)
		out_str(key, names[v]);
	else
		out_uint(key, v);
}

/* The event name, if @arg is one (monitor), then the entry. */
int entry_print(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	(void)nlh;
	out_open_obj();
	if (arg)
		out_str("event", arg);
	entry_fields(tb);
	out_close_obj();
	return 0;
}

/* An entry's attributes; a subscriber's state has a name, no prefix. */
void entry_fields(struct nlattr **tb)
{
	struct prefix p;
	char buf[64];

	if (tb[SMTPRL_A_ENTRY_NAME])
		out_str("subscriber", nla_get_string(tb[SMTPRL_A_ENTRY_NAME]));
	if (tb[SMTPRL_A_ENTRY_IFNAME]) {
		out_str("dev", nla_get_string(tb[SMTPRL_A_ENTRY_IFNAME]));
	} else if (entry_prefix(tb, &p)) {
		format_prefix(&p, buf, sizeof(buf));
		out_str("prefix", buf);
	}
	if (tb[SMTPRL_A_ENTRY_GROUP])
		out_uint(p.family == AF_INET ? "v4_prefix" : "v6_prefix",
			 nla_get_u8(tb[SMTPRL_A_ENTRY_GROUP]));
	entry_rate_fields(tb);
	out_u64_attr(tb, SMTPRL_A_ENTRY_TOKENS, "tokens");
	out_u64_attr(tb, SMTPRL_A_ENTRY_DAILY_TOKENS, "daily_tokens");
	out_u64_attr(tb, SMTPRL_A_ENTRY_ALLOWED, "allowed");
	out_u64_attr(tb, SMTPRL_A_ENTRY_LIMITED, "limited");
	out_u64_attr(tb, SMTPRL_A_ENTRY_AGE, "age_s");
	out_u64_attr(tb, SMTPRL_A_ENTRY_IDLE, "idle_s");
	out_u64_attr(tb, SMTPRL_A_ENTRY_LAST_LIMITED, "last_limited_s");
	out_u64_attr(tb, SMTPRL_A_ENTRY_EXPIRES, "expires_s");
	if (tb[SMTPRL_A_ENTRY_COMMENT])
		out_str("comment", nla_get_string(tb[SMTPRL_A_ENTRY_COMMENT]));
	out_enum_attr(tb, SMTPRL_A_ENTRY_STATE, "state", state_names, SMTPRL_STATE_COUNT);
	if (tb[SMTPRL_A_ENTRY_STRIKES])
		out_uint("strikes", nla_get_u32(tb[SMTPRL_A_ENTRY_STRIKES]));
	if (tb[SMTPRL_A_ENTRY_FANOUT])
		out_uint("fanout", nla_get_u32(tb[SMTPRL_A_ENTRY_FANOUT]));
	out_enum_attr(tb, SMTPRL_A_ENTRY_CAUSE, "cause", cause_names, SMTPRL_CAUSE_COUNT);
	out_u64_attr(tb, SMTPRL_A_ENTRY_QUARANTINED, "quarantined_s");
	out_u64_attr(tb, SMTPRL_A_ENTRY_REMAINING, "remaining_s");
	out_u64_attr(tb, SMTPRL_A_ENTRY_REFUSED, "refused");
	out_enum_attr(tb, SMTPRL_A_ENTRY_RELEASE, "release", release_names, SMTPRL_RELEASE_COUNT);
	out_u64_attr(tb, SMTPRL_A_ENTRY_SUPPRESSED, "suppressed");
	out_u64_attr(tb, SMTPRL_A_ENTRY_TIME, "time");
}

int entry_list(uint8_t cmd)
{
	struct reply r = { entry_print, NULL, SMTPRL_A_ENTRY_MAX, NULL };
	int ret;

	out_open_list();
	ret = request(cmd, true, NULL, NULL, &r);
	out_close_list();
	return ret;
}
