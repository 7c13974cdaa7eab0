// SPDX-License-Identifier: GPL-2.0
/*
 * policy show | policy set: every field as include/smtprl-policy-fields.h
 * says, and the line of save that sets them all again.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtprl-policy.h"
#include "smtprlctl.h"

struct field {
	const char *name;	/* the spec's, and the word of policy set and save */
	const char *key;	/* show and JSON (seconds: with "_s") */
	int attr;
	int width;		/* on the wire */
	enum smtprl_field_kind kind;
};

#define SMTPRL_FIELD(a, member, k, d) {					\
	SMTPRL_POLICY_##a##_NAME, SMTPRL_POLICY_##a##_KEY,		\
	SMTPRL_A_POLICY_##a, SMTPRL_POLICY_##a##_WIDTH, SMTPRL_KIND_##k	\
},

static const struct field fields[] = {
#include "smtprl-policy-fields.h"
};

#undef SMTPRL_FIELD

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const char *const hook_names[] = SMTPRL_HOOKS_NAMES;
static const char *const action_names[] = SMTPRL_ACTION_NAMES;
static const char *const full_names[] = SMTPRL_WHEN_FULL_NAMES;

/* The words of a field that is one word of a list, and how many: or 0. */
static unsigned int kind_words(enum smtprl_field_kind kind, const char *const **words)
{
	switch (kind) {
	case SMTPRL_KIND_ACTION:
		*words = action_names;
		return SMTPRL_ACTION_COUNT;
	case SMTPRL_KIND_WHEN_FULL:
		*words = full_names;
		return SMTPRL_WHEN_FULL_COUNT;
	default:
		return 0;
	}
}

/* The word that sets @f: its name, but "ports" for the list of ports. */
static const char *field_word(const struct field *f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", f->name, f->kind == SMTPRL_KIND_PORTS ? "s" : "");
	return buf;
}

static uint32_t attr_uint(const struct nlattr *a, int width)
{
	return width == 1 ? nla_get_u8((struct nlattr *)a) :
	       width == 2 ? nla_get_u16((struct nlattr *)a) : nla_get_u32((struct nlattr *)a);
}

/* "prerouting,output" from the bits of @v. */
static void format_hooks(uint32_t v, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < SMTPRL_HOOKS_COUNT; i++)
		if (v & (1U << i) && off < len)
			off += snprintf(buf + off, len - off, "%s%s", off ? "," : "", hook_names[i]);
}

static int parse_hooks(const char *s, uint32_t *v)
{
	char buf[64], *tok, *save = NULL;
	int w;

	snprintf(buf, sizeof(buf), "%s", s);
	*v = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		w = parse_word(tok, hook_names, SMTPRL_HOOKS_COUNT);
		if (w < 0)
			return -1;
		*v |= 1U << w;
	}
	return *v ? 0 : -1;
}

/* The ports of a policy message, "25,587": the attribute repeats. */
static void format_ports(const struct nlmsghdr *nlh, char *buf, size_t len)
{
	struct nlattr *a;
	size_t off = 0;
	int rem;

	buf[0] = '\0';
	nlmsg_for_each_attr(a, (struct nlmsghdr *)nlh, GENL_HDRLEN, rem)
		if (nla_type(a) == SMTPRL_A_POLICY_PORT && off < len - 6)
			off += snprintf(buf + off, len - off, "%s%u", off ? "," : "", nla_get_u16(a));
}

/*
 * The value of @f as policy set takes it: "10/minute", "off", "25,587",
 * "drop", "prerouting,output", or the number. @secs_unit: "s" after
 * seconds (save), or nothing (show, where the key says _s).
 */
static void format_field(const struct field *f, const struct nlmsghdr *nlh,
			 struct nlattr **tb, const char *secs_unit, char *buf, size_t len)
{
	uint32_t v = attr_uint(tb[f->attr], f->width), u;
	const char *const *words;

	switch (f->kind) {
	case SMTPRL_KIND_RATE:
		u = tb[SMTPRL_A_POLICY_RATE_UNIT] ? nla_get_u32(tb[SMTPRL_A_POLICY_RATE_UNIT]) : 0;
		snprintf(buf, len, "%u/%s", v, u < SMTPRL_UNIT_COUNT ? unit_names[u] : "?");
		return;
	case SMTPRL_KIND_DAILY:
		if (!v) {
			snprintf(buf, len, "off");
			return;
		}
		break;
	case SMTPRL_KIND_PORTS:
		format_ports(nlh, buf, len);
		return;
	case SMTPRL_KIND_ACTION:
	case SMTPRL_KIND_WHEN_FULL:
		if (v < kind_words(f->kind, &words)) {
			snprintf(buf, len, "%s", words[v]);
			return;
		}
		break;
	case SMTPRL_KIND_HOOKS:
		format_hooks(v, buf, len);
		return;
	case SMTPRL_KIND_SECONDS:
		snprintf(buf, len, "%u%s", v, secs_unit);
		return;
	default:
		break;
	}
	snprintf(buf, len, "%u", v);
}

/* Every setting as policy set takes it: "rate 10/minute ... enabled yes". */
static void policy_words(const struct nlmsghdr *nlh, struct nlattr **tb)
{
	const struct field *f;
	char word[48], val[64];

	for (f = fields; f < fields + NFIELDS; f++) {
		if (!tb[f->attr] || f->kind == SMTPRL_KIND_UNIT)
			continue;
		format_field(f, nlh, tb, "s", val, sizeof(val));
		printf("%s %s ", field_word(f, word, sizeof(word)), val);
	}
	printf("enabled %s\n", tb[SMTPRL_A_POLICY_ENABLED] &&
	       nla_get_u8(tb[SMTPRL_A_POLICY_ENABLED]) ? "yes" : "no");
}

/*
 * policy show: in text, the words policy set takes (so that "policy set
 * $(smtprlctl policy show)" sets the same policy again); in JSON, the keys
 * of /proc/net/smtprl/policy, numbers as numbers, seconds with "_s".
 */
static int policy_print(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	const struct field *f;
	char key[48], val[64];

	(void)arg;
	if (!out_is_json()) {
		policy_words(nlh, tb);
		return 0;
	}
	out_open_obj();
	out_str("enabled", tb[SMTPRL_A_POLICY_ENABLED] &&
		nla_get_u8(tb[SMTPRL_A_POLICY_ENABLED]) ? "yes" : "no");
	for (f = fields; f < fields + NFIELDS; f++) {
		if (!tb[f->attr] || f->kind == SMTPRL_KIND_UNIT)
			continue;
		switch (f->kind) {
		case SMTPRL_KIND_COUNT:
			out_uint(f->key, attr_uint(tb[f->attr], f->width));
			break;
		case SMTPRL_KIND_SECONDS:
			snprintf(key, sizeof(key), "%s_s", f->key);
			out_uint(key, attr_uint(tb[f->attr], f->width));
			break;
		case SMTPRL_KIND_DAILY:
			if (attr_uint(tb[f->attr], f->width)) {
				out_uint(f->key, attr_uint(tb[f->attr], f->width));
				break;
			}
			/* fall through */
		default:
			format_field(f, nlh, tb, "", val, sizeof(val));
			out_str(f->kind == SMTPRL_KIND_PORTS ?
				field_word(f, key, sizeof(key)) : f->key, val);
		}
	}
	out_close_obj();
	return 0;
}

struct policy_req {
	uint32_t set[SMTPRL_A_POLICY_MAX + 1];
	bool given[SMTPRL_A_POLICY_MAX + 1];
	uint16_t ports[9];
	int nports;
};

static void policy_fill(struct nl_msg *m, void *arg)
{
	struct policy_req *r = arg;
	const struct field *f;
	int i;

	if (r->given[SMTPRL_A_POLICY_ENABLED])
		nla_put_u8(m, SMTPRL_A_POLICY_ENABLED, (uint8_t)r->set[SMTPRL_A_POLICY_ENABLED]);
	for (f = fields; f < fields + NFIELDS; f++) {
		if (!r->given[f->attr])
			continue;
		if (f->kind == SMTPRL_KIND_PORTS)
			for (i = 0; i < r->nports; i++)
				nla_put_u16(m, f->attr, r->ports[i]);
		else if (f->width == 1)
			nla_put_u8(m, f->attr, (uint8_t)r->set[f->attr]);
		else if (f->width == 2)
			nla_put_u16(m, f->attr, (uint16_t)r->set[f->attr]);
		else
			nla_put_u32(m, f->attr, r->set[f->attr]);
	}
}

/* Parse @v for @f into @r: 0, or a usage error. */
static int parse_field(const struct field *f, const char *v, struct policy_req *r)
{
	uint32_t *out = &r->set[f->attr], p;
	char what[96], buf[160], *tok, *save = NULL;
	const char *const *words;
	const char *hint = "";
	unsigned int n, i;
	uint64_t d;
	int w;

	snprintf(what, sizeof(what), "%s \"%.40s\"", f->name, v);
	switch (f->kind) {
	case SMTPRL_KIND_RATE:
		hint = " (N/second|minute|hour|day)";
		if (parse_rate(v, out, &r->set[SMTPRL_A_POLICY_RATE_UNIT]))
			goto bad;
		r->given[SMTPRL_A_POLICY_RATE_UNIT] = true;
		break;
	case SMTPRL_KIND_SECONDS:
		hint = " (a duration: N[s|m|h|d])";
		if (parse_duration(v, &d) || d > UINT32_MAX)
			goto bad;
		*out = (uint32_t)d;
		break;
	case SMTPRL_KIND_DAILY:
		hint = " (N or off)";
		if (!strcmp(v, "off"))
			*out = 0;
		else if (parse_u32(v, UINT32_MAX, out))
			goto bad;
		break;
	case SMTPRL_KIND_PORTS:
		snprintf(buf, sizeof(buf), "%s", v);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (r->nports == 9 || parse_u32(tok, 65535, &p) || !p)
				goto bad;
			r->ports[r->nports++] = (uint16_t)p;
		}
		break;
	case SMTPRL_KIND_ACTION:
	case SMTPRL_KIND_WHEN_FULL:
		n = kind_words(f->kind, &words);
		w = parse_word(v, words, n);
		if (w < 0) {
			/* " (drop|reject|monitor)" */
			for (i = 0, p = 0; i < n; i++)
				p += snprintf(buf + p, sizeof(buf) - p, "%s%s",
					      i ? "|" : " (", words[i]);
			snprintf(buf + p, sizeof(buf) - p, ")");
			hint = buf;
			goto bad;
		}
		*out = (uint32_t)w;
		break;
	case SMTPRL_KIND_HOOKS:
		hint = " (prerouting, output or prerouting,output)";
		if (parse_hooks(v, out))
			goto bad;
		break;
	default:
		/* The wire type's range; the kernel checks the spec's. */
		if (parse_u32(v, f->width == 1 ? 255 : f->width == 2 ? 65535 : UINT32_MAX, out))
			goto bad;
	}
	r->given[f->attr] = true;
	return 0;
bad:
	fprintf(stderr, "%s: invalid %s%s\n", prog, what, hint);
	return EXIT_USAGE;
}

static int policy_set(int argc, char **argv)
{
	struct policy_req r = { 0 };
	const struct field *f;
	char word[48];
	int i, w;

	for (i = 0; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			return usage_error("policy set: %s needs a value", k);
		if (!strcmp(k, "enabled")) {
			w = parse_word(v, (const char *const[]){ "no", "yes" }, 2);
			if (w < 0)
				return usage_error("invalid enabled \"%s\" (yes|no)", v);
			r.set[SMTPRL_A_POLICY_ENABLED] = (uint32_t)w;
			r.given[SMTPRL_A_POLICY_ENABLED] = true;
			continue;
		}
		for (f = fields; f < fields + NFIELDS; f++)
			if (f->kind != SMTPRL_KIND_UNIT &&
			    !strcmp(k, field_word(f, word, sizeof(word))))
				break;
		if (f == fields + NFIELDS)
			return usage_error("policy set: unknown setting \"%s\"", k);
		w = parse_field(f, v, &r);
		if (w)
			return w;
	}
	if (!argc)
		return usage_error("policy set: %s", "nothing to set");
	return request(SMTPRL_CMD_POLICY_SET, false, policy_fill, &r, NULL);
}

int policy_main(int argc, char **argv)
{
	struct reply r = { policy_print, NULL, SMTPRL_A_POLICY_MAX, NULL };

	if (argc >= 2 && !strcmp(argv[1], "set"))
		return policy_set(argc - 2, argv + 2);
	if (argc == 1 || (argc == 2 && !strcmp(argv[1], "show")))
		return request(SMTPRL_CMD_POLICY_GET, false, NULL, NULL, &r);
	return usage_error("usage: policy show | policy set SETTING VALUE...%s", "");
}
int policy_save(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	(void)arg;
	fputs("policy set ", stdout);
	policy_words(nlh, tb);
	return 0;
}

/* The value a setting of @kind takes, for the usage text. */
static const char *kind_hint(const struct field *f, char *buf, size_t len)
{
	const char *const *words;
	unsigned int n, i;
	size_t off = 0;

	switch (f->kind) {
	case SMTPRL_KIND_RATE:    return "N/UNIT";
	case SMTPRL_KIND_DAILY:   return "N|off";
	case SMTPRL_KIND_PORTS:   return "P[,P...]";
	case SMTPRL_KIND_HOOKS:   return "prerouting[,output]";
	case SMTPRL_KIND_SECONDS: return "DURATION";
	case SMTPRL_KIND_ACTION:
	case SMTPRL_KIND_WHEN_FULL:
		n = kind_words(f->kind, &words);
		buf[0] = '\0';
		for (i = 0; i < n && off < len; i++)
			off += snprintf(buf + off, len - off, "%s%s", i ? "|" : "", words[i]);
		return buf;
	default:                  return "N";
	}
}

/* policy's line of the usage text, from the field table: none is missed. */
void policy_usage(FILE *f)
{
	const struct field *fl;
	char word[48], hint[64];

	fputs("show | set", f);
	for (fl = fields; fl < fields + NFIELDS; fl++)
		if (fl->kind != SMTPRL_KIND_UNIT)
			fprintf(f, " [%s %s]", field_word(fl, word, sizeof(word)),
				kind_hint(fl, hint, sizeof(hint)));
	fputs(" [enabled yes|no]", f);
}
