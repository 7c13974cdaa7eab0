// SPDX-License-Identifier: GPL-2.0
/*
 * source: the tracked sources, listed, sorted, shown, forgotten,
 * quarantined and released.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/socket.h>

#include "smtprlctl.h"

/*
 * Sources collected for "source list top N sort KEY": the N largest keys
 * seen so far, in a min-heap (the smallest of them at rows[0]), so that a
 * million sources cost N rows of memory, not a million. Without top, N is
 * every source.
 */
struct source_row {
	struct nlattr *tb[SMTPRL_A_ENTRY_MAX + 1];
	void *copy;
	uint64_t key;		/* listed largest first */
};

struct sources {
	struct source_row *rows;
	size_t n, cap;
	uint32_t top;
	int sort_attr;
};

static void *xalloc(void *old, size_t size)
{
	void *p = realloc(old, size);

	if (!p) {
		perror(prog);
		exit(EXIT_REFUSED);
	}
	return p;
}

/* Restore the heap below @i after rows[i] grew. */
static void sift_down(struct sources *s, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct source_row tmp;

		if (l < s->n && s->rows[l].key < s->rows[m].key)
			m = l;
		if (l + 1 < s->n && s->rows[l + 1].key < s->rows[m].key)
			m = l + 1;
		if (m == i)
			return;
		tmp = s->rows[i];
		s->rows[i] = s->rows[m];
		s->rows[m] = tmp;
		i = m;
	}
}

static int source_collect(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	struct sources *s = arg;
	struct source_row *row;
	size_t i;
	uint64_t key;

	key = tb[s->sort_attr] ? nla_get_u64(tb[s->sort_attr]) : 0;
	/* For "last", the most recent (smallest idle) first. */
	if (s->sort_attr == SMTPRL_A_ENTRY_IDLE)
		key = UINT64_MAX - key;
	if (s->n == s->top) {
		/* Full: a source only displaces the smallest it beats. */
		if (key <= s->rows[0].key)
			return 0;
		row = &s->rows[0];
		free(row->copy);
	} else {
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 1024;
			if (s->cap > s->top)
				s->cap = s->top;
			s->rows = xalloc(s->rows, s->cap * sizeof(*s->rows));
		}
		row = &s->rows[s->n++];
	}
	/* Keep the message: the attribute pointers point into it. */
	row->copy = xalloc(NULL, nlh->nlmsg_len);
	memcpy(row->copy, nlh, nlh->nlmsg_len);
	for (i = 0; i <= SMTPRL_A_ENTRY_MAX; i++)
		row->tb[i] = tb[i] ? (struct nlattr *)((char *)row->copy +
						       ((char *)tb[i] - (char *)nlh)) : NULL;
	row->key = key;
	if (row == &s->rows[0] && s->n == s->top) {
		sift_down(s, 0);
	} else {
		/* Sift the new row up. */
		for (i = s->n - 1; i > 0 && s->rows[(i - 1) / 2].key > s->rows[i].key;
		     i = (i - 1) / 2) {
			struct source_row tmp = s->rows[i];

			s->rows[i] = s->rows[(i - 1) / 2];
			s->rows[(i - 1) / 2] = tmp;
		}
	}
	return 0;
}

static void source_forget(void *arg)
{
	struct sources *s = arg;
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->rows[i].copy);
	s->n = 0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct source_row *x = a, *y = b;

	return x->key > y->key ? -1 : x->key < y->key;
}

static int source_top(int argc, char **argv)
{
	struct sources s = { .sort_attr = SMTPRL_A_ENTRY_LIMITED, .top = UINT32_MAX };
	struct reply rep = { source_collect, &s, SMTPRL_A_ENTRY_MAX, source_forget };
	size_t i;
	int ret;

	for (i = 2; i < (size_t)argc; i += 2) {
		if (i + 1 >= (size_t)argc)
			return usage_error("source list: %s needs a value", argv[i]);
		if (!strcmp(argv[i], "top")) {
			if (parse_u32(argv[i + 1], UINT32_MAX, &s.top) || !s.top)
				return usage_error("invalid top \"%s\"", argv[i + 1]);
		} else if (!strcmp(argv[i], "sort")) {
			if (!strcmp(argv[i + 1], "limited"))
				s.sort_attr = SMTPRL_A_ENTRY_LIMITED;
			else if (!strcmp(argv[i + 1], "allowed"))
				s.sort_attr = SMTPRL_A_ENTRY_ALLOWED;
			else if (!strcmp(argv[i + 1], "last"))
				s.sort_attr = SMTPRL_A_ENTRY_IDLE;
			else
				return usage_error("invalid sort \"%s\" (limited|allowed|last)",
						   argv[i + 1]);
		} else {
			return usage_error("source list: unknown option \"%s\"", argv[i]);
		}
	}
	ret = request(SMTPRL_CMD_SOURCE_GET, true, NULL, NULL, &rep);
	if (!ret) {
		qsort(s.rows, s.n, sizeof(*s.rows), row_cmp);
		out_open_list();
		for (i = 0; i < s.n; i++)
			entry_print(NULL, s.rows[i].tb, NULL);
		out_close_list();
	}
	source_forget(&s);
	free(s.rows);
	return ret;
}

/*
 * source list [top N] [sort limited|allowed|last] | show SOURCE |
 *	  reset SOURCE | quarantine SOURCE [for DURATION] | release SOURCE |
 *	  flush, where SOURCE is ADDR or "name NAME" (a subscriber's state)
 */
int source_main(int argc, char **argv)
{
	struct entry_req r = { .plen = false };
	struct reply rep = { entry_print, NULL, SMTPRL_A_ENTRY_MAX, NULL };
	const char *verb = argc > 1 ? argv[1] : "list";
	int i;

	if (!strcmp(verb, "list") && argc <= 2)
		return entry_list(SMTPRL_CMD_SOURCE_GET);
	if (!strcmp(verb, "list"))
		return source_top(argc, argv);
	if (!strcmp(verb, "flush") && argc == 2)
		return request(SMTPRL_CMD_SOURCE_FLUSH, false, NULL, NULL, NULL);
	/* SOURCE is ADDR, or "name NAME": the arguments after it start at @i. */
	i = 3;
	if (argc >= 4 && !strcmp(argv[2], "name"))
		r.name = argv[i++];
	/* quarantine SOURCE [for DURATION] [cause strikes|fanout|operator] */
	while (!strcmp(verb, "quarantine") && argc >= i + 2) {
		static const char *const causes[] = SMTPRL_CAUSE_NAMES;
		int c;

		if (!strcmp(argv[argc - 2], "for")) {
			if (parse_duration(argv[argc - 1], &r.expires))
				return usage_error("invalid duration \"%s\" (90s, 15m, 12h, 30d)",
						   argv[argc - 1]);
		} else if (!strcmp(argv[argc - 2], "cause")) {
			c = parse_word(argv[argc - 1], causes, SMTPRL_CAUSE_COUNT);
			if (c <= SMTPRL_CAUSE_NONE)
				return usage_error("invalid cause \"%s\" (strikes, fanout, operator)",
						   argv[argc - 1]);
			r.cause = c;
		} else {
			break;
		}
		argc -= 2;
	}
	if (argc != i || (!r.name && parse_prefix(argv[2], false, &r.p)))
		return usage_error("usage: source list | show SOURCE | reset SOURCE | quarantine SOURCE [for DURATION] [cause CAUSE] | release SOURCE | flush (SOURCE: ADDR or name NAME)%s", "");
	if (!strcmp(verb, "quarantine"))
		return request(SMTPRL_CMD_SOURCE_QUARANTINE, false, entry_fill, &r, NULL);
	if (!strcmp(verb, "release"))
		return request(SMTPRL_CMD_SOURCE_RELEASE, false, entry_fill, &r, NULL);
	if (!strcmp(verb, "show"))
		return request(SMTPRL_CMD_SOURCE_GET, false, entry_fill, &r, &rep);
	if (!strcmp(verb, "reset"))
		return request(SMTPRL_CMD_SOURCE_DEL, false, entry_fill, &r, NULL);
	return usage_error("unknown source command \"%s\"", verb);
}

/*
 * save: a running quarantine, as "source quarantine" restores it: for
 * what is left of it, with its cause (one the strikes caused still ends
 * after release-after of quiet, counted from the restore).
 */
int quarantine_save(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	static const char *const causes[] = SMTPRL_CAUSE_NAMES;
	struct prefix p;
	uint32_t cause;
	char buf[64];

	(void)nlh;
	(void)arg;
	if (!tb[SMTPRL_A_ENTRY_STATE] ||
	    nla_get_u32(tb[SMTPRL_A_ENTRY_STATE]) != SMTPRL_STATE_QUARANTINED ||
	    !tb[SMTPRL_A_ENTRY_REMAINING] || !nla_get_u64(tb[SMTPRL_A_ENTRY_REMAINING]))
		return 0;
	fputs("source quarantine ", stdout);
	if (tb[SMTPRL_A_ENTRY_NAME]) {
		fputs("name ", stdout);
		save_quoted(nla_get_string(tb[SMTPRL_A_ENTRY_NAME]));
	} else if (entry_prefix(tb, &p)) {
		/* Any address in the source names it: its first. */
		p.plen = p.family == AF_INET ? 32 : 128;
		format_prefix(&p, buf, sizeof(buf));
		*strchr(buf, '/') = '\0';
		fputs(buf, stdout);
	} else {
		return 0;
	}
	cause = tb[SMTPRL_A_ENTRY_CAUSE] ? nla_get_u32(tb[SMTPRL_A_ENTRY_CAUSE]) : 0;
	printf(" for %llus cause %s\n",
	       (unsigned long long)nla_get_u64(tb[SMTPRL_A_ENTRY_REMAINING]),
	       causes[cause > SMTPRL_CAUSE_NONE && cause < SMTPRL_CAUSE_COUNT ?
		      cause : SMTPRL_CAUSE_OPERATOR]);
	return 0;
}
