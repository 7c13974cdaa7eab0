// SPDX-License-Identifier: GPL-2.0
/*
 * subscriber: sessions' addresses bound to account names, listed, shown
 * with their state, unbound, forgotten; and their lines of save.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>

#include "smtprlctl.h"

#define BINDS_MAX 8

static const char *const mode_names[] = SMTPRL_SUB_MODE_NAMES;

struct sub_req {
	const char *name;
	struct prefix binds[BINDS_MAX];
	unsigned int nbinds;
	int mode;			/* -1: not given */
	uint32_t rate, unit, burst, daily;
	uint64_t linger;
	bool has_linger, replace;
};

static void sub_fill(struct nl_msg *m, void *arg)
{
	struct sub_req *r = arg;
	struct nlattr *nest;
	unsigned int i;

	nla_put_string(m, SMTPRL_A_ENTRY_NAME, r->name);
	for (i = 0; i < r->nbinds; i++) {
		nest = nla_nest_start(m, SMTPRL_A_ENTRY_BIND);
		entry_put_prefix(m, &r->binds[i], true);
		nla_nest_end(m, nest);
	}
	if (r->mode >= 0)
		nla_put_u32(m, SMTPRL_A_ENTRY_MODE, r->mode);
	entry_put_rate(m, r->rate, r->unit, r->burst, r->daily);
	if (r->has_linger)
		nla_put_u64(m, SMTPRL_A_ENTRY_LINGER, r->linger);
	if (r->replace)
		nla_put_flag(m, SMTPRL_A_ENTRY_REPLACE);
}

static void name_fill(struct nl_msg *m, void *arg)
{
	nla_put_string(m, SMTPRL_A_ENTRY_NAME, arg);
}

static int check_name(const char *name)
{
	const unsigned char *c;

	if (!*name || strlen(name) > 64)
		return usage_error("invalid subscriber name \"%s\" (1 to 64 bytes)", name);
	for (c = (const unsigned char *)name; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return usage_error("invalid subscriber name \"%s\" (control character)",
					   name);
	return 0;
}

/* The bind nests of a reply, as text: "ADDR/LEN" each. */
static unsigned int binds_of(const struct nlmsghdr *nlh, char (*buf)[64])
{
	struct nlattr *a, *tb[SMTPRL_A_ENTRY_MAX + 1];
	unsigned int n = 0;
	struct prefix p;
	int rem;

	nlmsg_for_each_attr(a, nlh, GENL_HDRLEN, rem) {
		if (nla_type(a) != SMTPRL_A_ENTRY_BIND || n == BINDS_MAX)
			continue;
		if (nla_parse_nested(tb, SMTPRL_A_ENTRY_MAX, a, NULL) || !entry_prefix(tb, &p))
			continue;
		format_prefix(&p, buf[n++], sizeof(buf[0]));
	}
	return n;
}

/* A subscriber: name, mode (and own rate), its bindings, its linger. */
static void sub_print_fields(const struct nlmsghdr *nlh, struct nlattr **tb)
{
	char binds[BINDS_MAX][64];
	const char *list[BINDS_MAX];
	unsigned int i, n;
	uint32_t mode;

	if (tb[SMTPRL_A_ENTRY_NAME])
		out_str("name", nla_get_string(tb[SMTPRL_A_ENTRY_NAME]));
	if (tb[SMTPRL_A_ENTRY_MODE]) {
		mode = nla_get_u32(tb[SMTPRL_A_ENTRY_MODE]);
		if (mode < SMTPRL_SUB_MODE_COUNT)
			out_str("mode", mode_names[mode]);
		else
			out_uint("mode", mode);
	}
	entry_rate_fields(tb);
	n = binds_of(nlh, binds);
	for (i = 0; i < n; i++)
		list[i] = binds[i];
	out_str_list("binds", list, n);
	if (tb[SMTPRL_A_ENTRY_LINGER])
		out_uint("linger_s", nla_get_u64(tb[SMTPRL_A_ENTRY_LINGER]));
}

static int sub_print(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	(void)arg;
	out_open_obj();
	sub_print_fields(nlh, tb);
	out_close_obj();
	return 0;
}

/* subscriber show: the subscriber, then its state if it has one. */
struct sub_show {
	void *msg;			/* the subscriber-get reply */
};

static int sub_keep(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct sub_show *s = arg;

	(void)tb;
	free(s->msg);
	s->msg = malloc(nlh->nlmsg_len);
	if (!s->msg)
		return -1;
	memcpy(s->msg, nlh, nlh->nlmsg_len);
	return 0;
}

/* The state's fields, in the subscriber's object (its name is there). */
static int state_fields(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	(void)nlh;
	(void)arg;
	tb[SMTPRL_A_ENTRY_NAME] = NULL;
	entry_fields(tb);
	return 0;
}

static int sub_show(const char *name)
{
	struct sub_show s = { NULL };
	struct reply sub = { sub_keep, &s, SMTPRL_A_ENTRY_MAX, NULL };
	struct reply state = { state_fields, NULL, SMTPRL_A_ENTRY_MAX, NULL };
	struct nlattr *tb[SMTPRL_A_ENTRY_MAX + 1];
	int ret;

	ret = request(SMTPRL_CMD_SUBSCRIBER_GET, false, name_fill, (void *)name, &sub);
	if (ret || !s.msg)
		return ret ? ret : EXIT_REFUSED;
	if (genlmsg_parse(s.msg, 0, tb, SMTPRL_A_ENTRY_MAX, NULL)) {
		free(s.msg);
		return EXIT_REFUSED;
	}
	out_open_obj();
	sub_print_fields(s.msg, tb);
	/* No state: no connection since it was bound, or nothing left to keep. */
	request_quiet(-ENOENT);
	if (request(SMTPRL_CMD_SOURCE_GET, false, name_fill, (void *)name, &state))
		out_str("state", "none");
	request_quiet(0);
	out_close_obj();
	free(s.msg);
	return EXIT_OK;
}

/*
 * A session's prefix is often given by one of its addresses (accel-ppp's
 * IPV6_PREFIX): host bits are cleared here, not refused.
 */
static void mask_prefix(struct prefix *p)
{
	uint8_t *b = p->family == AF_INET ? (uint8_t *)&p->addr.v4 : p->addr.v6.s6_addr;
	unsigned int i, bytes = p->family == AF_INET ? 4 : 16;

	for (i = 0; i < bytes; i++) {
		if (8 * i >= p->plen)
			b[i] = 0;
		else if (8 * (i + 1) > p->plen)
			b[i] &= (uint8_t)(0xff << (8 * (i + 1) - p->plen));
	}
}

/* Bindings, then the mode: exempt | policy | rate N/UNIT [burst N] [daily N]. */
static int parse_sub(int argc, char **argv, int i, struct sub_req *r, bool del)
{
	struct prefix p;

	for (; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!parse_prefix(k, true, &p)) {
			if (r->nbinds == BINDS_MAX)
				return usage_error("at most 8 addresses per subscriber (\"%s\")", k);
			mask_prefix(&p);
			r->binds[r->nbinds++] = p;
			continue;
		}
		if (!del && (!strcmp(k, "exempt") || !strcmp(k, "policy"))) {
			r->mode = !strcmp(k, "exempt") ? SMTPRL_SUB_MODE_EXEMPT
						       : SMTPRL_SUB_MODE_POLICY;
			continue;
		}
		if (!del && !strcmp(k, "replace")) {
			r->replace = true;
			continue;
		}
		if (!v)
			return usage_error("subscriber: \"%s\" is neither an address nor a setting with a value",
					   k);
		i++;
		if (del && !strcmp(k, "linger")) {
			r->linger = 0;
			if (strcmp(v, "0") && parse_duration(v, &r->linger))
				return usage_error("invalid duration \"%s\" (0, 90s, 15m, 12h, 30d)", v);
			r->has_linger = true;
		} else if (!del && !strcmp(k, "rate")) {
			if (parse_rate(v, &r->rate, &r->unit))
				return usage_error("invalid rate \"%s\"", v);
			r->mode = SMTPRL_SUB_MODE_OWN;
		} else if (!del && !strcmp(k, "burst")) {
			if (parse_u32(v, UINT32_MAX, &r->burst) || !r->burst)
				return usage_error("invalid burst \"%s\"", v);
		} else if (!del && !strcmp(k, "daily")) {
			if (parse_u32(v, UINT32_MAX, &r->daily) || !r->daily)
				return usage_error("invalid daily \"%s\"", v);
		} else {
			return usage_error("subscriber: unknown setting \"%s\"", k);
		}
	}
	if ((r->burst || r->daily) && !r->rate)
		return usage_error("subscriber: burst and daily need a rate%s", "");
	return 0;
}

#define SUB_USAGE "usage: subscriber add|replace NAME [ADDR[/LEN]...] " \
	"[exempt | policy | rate N/UNIT [burst N] [daily N]] | " \
	"del NAME [ADDR[/LEN]...] [linger DURATION] | show NAME | list | flush%s"

int subscriber_main(int argc, char **argv)
{
	struct sub_req r = { .mode = -1 };
	const char *verb = argc > 1 ? argv[1] : "list";
	struct reply rep = { sub_print, NULL, SMTPRL_A_ENTRY_MAX, NULL };
	int ret;

	if (!strcmp(verb, "list") && argc <= 2) {
		out_open_list();
		ret = request(SMTPRL_CMD_SUBSCRIBER_GET, true, NULL, NULL, &rep);
		out_close_list();
		return ret;
	}
	if (!strcmp(verb, "flush") && argc == 2)
		return request(SMTPRL_CMD_SUBSCRIBER_FLUSH, false, NULL, NULL, NULL);
	if (argc < 3)
		return usage_error(SUB_USAGE, "");
	r.name = argv[2];
	if (check_name(r.name))
		return EXIT_USAGE;
	if (!strcmp(verb, "show") && argc == 3)
		return sub_show(r.name);
	if (!strcmp(verb, "add") || !strcmp(verb, "replace")) {
		r.replace = !strcmp(verb, "replace");
		if (parse_sub(argc, argv, 3, &r, false))
			return EXIT_USAGE;
		return request(SMTPRL_CMD_SUBSCRIBER_ADD, false, sub_fill, &r, NULL);
	}
	if (!strcmp(verb, "del")) {
		if (parse_sub(argc, argv, 3, &r, true))
			return EXIT_USAGE;
		return request(SMTPRL_CMD_SUBSCRIBER_DEL, false, sub_fill, &r, NULL);
	}
	return usage_error(SUB_USAGE, "");
}

/* save: "subscriber add NAME ADDR... MODE", quoted for -b. */
int sub_save(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	char binds[BINDS_MAX][64];
	unsigned int i, n;
	uint32_t mode;

	(void)arg;
	if (!tb[SMTPRL_A_ENTRY_NAME])
		return 0;
	fputs("subscriber add ", stdout);
	save_quoted(nla_get_string(tb[SMTPRL_A_ENTRY_NAME]));
	n = binds_of(nlh, binds);
	for (i = 0; i < n; i++)
		printf(" %s", binds[i]);
	mode = tb[SMTPRL_A_ENTRY_MODE] ? nla_get_u32(tb[SMTPRL_A_ENTRY_MODE]) : 0;
	if (mode == SMTPRL_SUB_MODE_EXEMPT) {
		fputs(" exempt", stdout);
	} else if (mode == SMTPRL_SUB_MODE_OWN) {
		entry_save_rate(tb);
	}
	putchar('\n');
	/* A lingering subscriber lingers again, for what it had left. */
	if (tb[SMTPRL_A_ENTRY_LINGER]) {
		fputs("subscriber del ", stdout);
		save_quoted(nla_get_string(tb[SMTPRL_A_ENTRY_NAME]));
		printf(" linger %llus\n",
		       (unsigned long long)nla_get_u64(tb[SMTPRL_A_ENTRY_LINGER]) ?: 1ULL);
	}
	return 0;
}
