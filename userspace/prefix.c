// SPDX-License-Identifier: GPL-2.0
/*
 * scope, relay and exempt: the prefix sets, and their lines of save.
 */

#include <stdio.h>
#include <string.h>

#include "smtprlctl.h"

/* The requests of a prefix set. */
struct pfxset {
	uint8_t add, del, get, flush;
	bool devs;		/* may hold interfaces */
};

static const struct pfxset scope = {
	SMTPRL_CMD_SCOPE_ADD, SMTPRL_CMD_SCOPE_DEL, SMTPRL_CMD_SCOPE_GET,
	SMTPRL_CMD_SCOPE_FLUSH, true
};

static const struct pfxset relay = {
	SMTPRL_CMD_RELAY_ADD, SMTPRL_CMD_RELAY_DEL, SMTPRL_CMD_RELAY_GET,
	SMTPRL_CMD_RELAY_FLUSH, false
};

/* A scope prefix's "v4-prefix N" or "v6-prefix N" (its family's only). */
static int parse_group(const char *k, const char *v, struct entry_req *r)
{
	const char *key = r->p.family == AF_INET ? "v4-prefix" : "v6-prefix";
	uint32_t max = r->p.family == AF_INET ? 32 : 128, n;
	char msg[96];

	if (strcmp(k, key)) {
		snprintf(msg, sizeof(msg), "scope: unknown setting \"%%s\" (this prefix takes %s)",
			 key);
		return usage_error(msg, k);
	}
	if (!v || parse_u32(v, max, &n) || n < r->p.plen) {
		snprintf(msg, sizeof(msg), "scope: %%s needs a length from %u to %u",
			 r->p.plen, max);
		return usage_error(msg, k);
	}
	r->group = n;
	return 0;
}

/*
 * scope/relay: add|del PREFIX | add|del dev IFNAME | list | flush
 * scope add|replace PREFIX [v4-prefix N | v6-prefix N]
 */
static int pfxset_main(int argc, char **argv, const struct pfxset *set)
{
	struct entry_req r = { .plen = true };
	const char *verb = argc > 1 ? argv[1] : "list";
	bool add = !strcmp(verb, "add") || (set->devs && !strcmp(verb, "replace"));
	int i;

	if (!strcmp(verb, "list") && argc <= 2)
		return entry_list(set->get);
	if (!strcmp(verb, "flush") && argc == 2)
		return request(set->flush, false, NULL, NULL, NULL);
	if ((add || !strcmp(verb, "del")) && argc >= 3) {
		if (set->devs && !strcmp(argv[2], "dev") && argc == 4 && verb[0] != 'r')
			r.ifname = argv[3];
		else if (parse_prefix(argv[2], true, &r.p))
			return usage_error("invalid prefix \"%s\"", argv[2]);
		else if (argc > 3 && !(set->devs && add))
			return usage_error("unexpected \"%s\"", argv[3]);
		r.replace = verb[0] == 'r';
		for (i = 3; !r.ifname && i < argc; i += 2)
			if (parse_group(argv[i], i + 1 < argc ? argv[i + 1] : NULL, &r))
				return EXIT_USAGE;
		return request(add ? set->add : set->del, false, entry_fill, &r, NULL);
	}
	if (set->devs)
		return usage_error("usage: %s add|replace PREFIX [v4-prefix N | v6-prefix N] | "
				   "add|del dev IFNAME | del PREFIX | list | flush", argv[0]);
	return usage_error("usage: %s add|del PREFIX | list | flush", argv[0]);
}

int scope_main(int argc, char **argv)
{
	return pfxset_main(argc, argv, &scope);
}

int relay_main(int argc, char **argv)
{
	return pfxset_main(argc, argv, &relay);
}

/* exempt add ADDR[/LEN] [rate N/UNIT [burst N] [daily N]] [expires D] [comment T] [replace] */
int exempt_main(int argc, char **argv)
{
	struct entry_req r = { .plen = true };
	const char *verb = argc > 1 ? argv[1] : "list";
	int i;

	if (!strcmp(verb, "list") && argc <= 2)
		return entry_list(SMTPRL_CMD_EXEMPT_GET);
	if (!strcmp(verb, "flush") && argc == 2)
		return request(SMTPRL_CMD_EXEMPT_FLUSH, false, NULL, NULL, NULL);
	if (argc < 3 || parse_prefix(argv[2], true, &r.p))
		return usage_error("usage: exempt add|del ADDR[/LEN] ... | list | flush%s", "");
	if (!strcmp(verb, "del") && argc == 3)
		return request(SMTPRL_CMD_EXEMPT_DEL, false, entry_fill, &r, NULL);
	if (!strcmp(verb, "show") && argc == 3) {
		struct reply rep = { entry_print, NULL, SMTPRL_A_ENTRY_MAX, NULL };

		return request(SMTPRL_CMD_EXEMPT_GET, false, entry_fill, &r, &rep);
	}
	if (strcmp(verb, "add") && strcmp(verb, "replace"))
		return usage_error("unknown exempt command \"%s\"", verb);
	r.replace = !strcmp(verb, "replace");
	for (i = 3; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(k, "replace")) {
			r.replace = true;
			continue;
		}
		if (!v)
			return usage_error("exempt: %s needs a value", k);
		i++;
		if (!strcmp(k, "rate")) {
			if (parse_rate(v, &r.rate, &r.unit))
				return usage_error("invalid rate \"%s\"", v);
		} else if (!strcmp(k, "burst")) {
			if (parse_u32(v, UINT32_MAX, &r.burst) || !r.burst)
				return usage_error("invalid burst \"%s\"", v);
		} else if (!strcmp(k, "daily")) {
			if (parse_u32(v, UINT32_MAX, &r.daily) || !r.daily)
				return usage_error("invalid daily \"%s\"", v);
		} else if (!strcmp(k, "expires")) {
			if (parse_duration(v, &r.expires))
				return usage_error("invalid duration \"%s\" (90s, 15m, 12h, 30d)", v);
		} else if (!strcmp(k, "comment")) {
			if (strlen(v) > 64)
				return usage_error("comment longer than 64 bytes: \"%s\"", v);
			r.comment = v;
		} else {
			return usage_error("exempt: unknown setting \"%s\"", k);
		}
	}
	return request(SMTPRL_CMD_EXEMPT_ADD, false, entry_fill, &r, NULL);
}

void save_quoted(const char *str)
{
	putchar('"');
	for (; *str; str++) {
		if (*str == '"' || *str == '\\')
			putchar('\\');
		putchar(*str);
	}
	putchar('"');
}

int entry_save(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	const char *what = arg;
	struct prefix p;
	char buf[64];

	(void)nlh;
	if (tb[SMTPRL_A_ENTRY_IFNAME]) {
		printf("%s add dev %s\n", what, nla_get_string(tb[SMTPRL_A_ENTRY_IFNAME]));
		return 0;
	}
	if (!entry_prefix(tb, &p))
		return 0;
	format_prefix(&p, buf, sizeof(buf));
	printf("%s add %s", what, buf);
	if (tb[SMTPRL_A_ENTRY_GROUP])
		printf(" %s %u", p.family == AF_INET ? "v4-prefix" : "v6-prefix",
		       nla_get_u8(tb[SMTPRL_A_ENTRY_GROUP]));
	entry_save_rate(tb);
	/* The remaining time, rounded up by the kernel. */
	if (tb[SMTPRL_A_ENTRY_EXPIRES])
		printf(" expires %llus", (unsigned long long)nla_get_u64(tb[SMTPRL_A_ENTRY_EXPIRES]));
	if (tb[SMTPRL_A_ENTRY_COMMENT]) {
		fputs(" comment ", stdout);
		save_quoted(nla_get_string(tb[SMTPRL_A_ENTRY_COMMENT]));
	}
	putchar('\n');
	return 0;
}
