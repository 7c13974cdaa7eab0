// SPDX-License-Identifier: GPL-2.0
/* smtprlctl: strict parsers and the single text/JSON print path. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/smtprl-names.h"
#include "util.h"

const char *const unit_names[SMTPRL_UNIT_COUNT] = SMTPRL_UNIT_NAMES;

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(s, max, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int parse_word(const char *s, const char *const *words, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, words[i]))
			return (int)i;
	return -1;
}

/* "N/second|minute|hour|day" */
int parse_rate(const char *s, uint32_t *count, uint32_t *unit)
{
	char buf[32];
	char *slash;
	int u;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	u = parse_word(slash + 1, unit_names, SMTPRL_UNIT_COUNT);
	if (u < 0 || parse_u32(buf, UINT32_MAX, count) || !*count)
		return -1;
	*unit = (uint32_t)u;
	return 0;
}

/* "90s", "15m", "12h", "30d" (a bare number is seconds). */
int parse_duration(const char *s, uint64_t *secs)
{
	static const struct { char c; uint64_t mul; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	};
	char buf[32];
	size_t len = strlen(s);
	uint64_t mul = 1, v;
	unsigned int i;

	if (!len || len >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (buf[len - 1] == units[i].c) {
			mul = units[i].mul;
			buf[len - 1] = '\0';
			break;
		}
	}
	/* At most 100 years, as the kernel accepts. */
	if (parse_u64(buf, UINT64_MAX / 86400, &v) || !v || v * mul > 100ULL * 365 * 86400)
		return -1;
	*secs = v * mul;
	return 0;
}

int parse_prefix(const char *s, bool allow_len, struct prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 5];
	char *slash;
	uint32_t plen;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		if (!allow_len)
			return -1;
		*slash++ = '\0';
	}
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, &p->addr.v4) == 1) {
		p->family = AF_INET;
		p->plen = 32;
	} else if (inet_pton(AF_INET6, buf, &p->addr.v6) == 1) {
		p->family = AF_INET6;
		p->plen = 128;
	} else {
		return -1;
	}
	if (slash) {
		if (parse_u32(slash, p->plen, &plen))
			return -1;
		p->plen = (uint8_t)plen;
	}
	return 0;
}

/* @v in decimal at @p, without a terminator; returns the end. */
static char *dec(char *p, unsigned int v)
{
	char buf[10], *q = buf + sizeof(buf);

	do {
		*--q = '0' + v % 10;
		v /= 10;
	} while (v);
	memcpy(p, q, buf + sizeof(buf) - q);
	return p + (buf + sizeof(buf) - q);
}

/*
 * ADDR/LEN into @buf (INET6_ADDRSTRLEN + 4 bytes at least). A dump of a
 * million sources formats a million of these, so no printf (glibc's
 * inet_ntop() formats IPv4 with sprintf()).
 */
void format_prefix(const struct prefix *p, char *buf, size_t len)
{
	const unsigned char *b = (const unsigned char *)&p->addr.v4.s_addr;
	char *e = buf;
	int i;

	if (len < INET6_ADDRSTRLEN + 4) {
		*buf = '\0';
		return;
	}
	if (p->family == AF_INET) {
		for (i = 0; i < 4; i++) {
			e = dec(e, b[i]);
			*e++ = '.';
		}
		e--;
	} else {
		inet_ntop(p->family, &p->addr, buf, INET6_ADDRSTRLEN);
		e += strlen(buf);
	}
	*e++ = '/';
	*dec(e, p->plen) = '\0';
}

/*
 * The print path runs once per field of every source in a dump of a
 * million. It gathers an object's text in its own buffer and hands it to
 * stdio in one call when the object is closed: a stdio call per field cost
 * more than the formatting itself. Between objects nothing is held back,
 * so other output, and a dump's change of stdout, stay in order.
 */
static bool json, pretty;
static int depth;
static bool first[8];
static char ob[4096];
static size_t on;

static void flush_obj(void)
{
	if (on)
		fwrite_unlocked(ob, 1, on, stdout);
	on = 0;
}

static void put_n(const char *s, size_t n)
{
	if (on + n > sizeof(ob)) {
		flush_obj();
		if (n > sizeof(ob)) {
			fwrite_unlocked(s, 1, n, stdout);
			return;
		}
	}
	memcpy(ob + on, s, n);
	on += n;
}

static void put(const char *s)
{
	put_n(s, strlen(s));
}

static void put_c(char c)
{
	if (on == sizeof(ob))
		flush_obj();
	ob[on++] = c;
}

void out_init(bool j, bool p)
{
	json = j;
	pretty = p;
	depth = 0;
	first[0] = true;
	on = 0;
}

bool out_is_json(void)
{
	return json;
}

void out_save(struct out_state *st)
{
	st->depth = depth;
	memcpy(st->first, first, sizeof(first));
}

void out_restore(const struct out_state *st)
{
	depth = st->depth;
	memcpy(first, st->first, sizeof(first));
}

static void put_u64(uint64_t v)
{
	char buf[21], *p = buf + sizeof(buf);

	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	put_n(p, buf + sizeof(buf) - p);
}

static void indent(void)
{
	int i;

	if (pretty) {
		put_c('\n');
		for (i = 0; i < depth; i++)
			put_n("  ", 2);
	}
}

static void sep(void)
{
	if (!first[depth])
		put_c(json ? ',' : ' ');
	first[depth] = false;
	if (json)
		indent();
}

void out_open_list(void)
{
	if (json) {
		put_c('[');
		first[++depth] = true;
		flush_obj();
	}
}

void out_close_list(void)
{
	if (json) {
		depth--;
		indent();
		put_n("]\n", 2);
		flush_obj();
	}
}

void out_open_obj(void)
{
	if (json) {
		sep();
		put_c('{');
	}
	first[++depth] = true;
}

void out_close_obj(void)
{
	depth--;
	if (json) {
		indent();
		put_c('}');
		if (!depth)
			put_c('\n');
	} else {
		put_c('\n');
	}
	flush_obj();
}

/* @s as a JSON string: runs of plain characters are copied whole. */
static void json_string(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n;

	put_c('"');
	for (;;) {
		for (n = 0; s[n] && s[n] != '"' && s[n] != '\\' &&
			    (unsigned char)s[n] >= 0x20; n++)
			;
		put_n(s, n);
		s += n;
		if (!*s)
			break;
		if (*s == '"' || *s == '\\') {
			put_c('\\');
			put_c(*s);
		} else {
			put_n("\\u00", 4);
			put_c(hex[(unsigned char)*s >> 4]);
			put_c(hex[*s & 15]);
		}
		s++;
	}
	put_c('"');
}

/* "key": in JSON, "key " in text. Keys are plain words, never escaped. */
static void key(const char *k)
{
	sep();
	if (json) {
		put_c('"');
		put(k);
		put_n("\": ", pretty ? 3 : 2);
	} else {
		put(k);
		put_c(' ');
	}
}

void out_str(const char *k, const char *val)
{
	key(k);
	if (json)
		json_string(val);
	else
		put(val);
}

/* A list of strings: a JSON array, or in text joined by commas. */
void out_str_list(const char *k, const char *const *vals, size_t n)
{
	size_t i;

	key(k);
	if (json)
		put_c('[');
	for (i = 0; i < n; i++) {
		if (i)
			put_c(',');
		if (json)
			json_string(vals[i]);
		else
			put(vals[i]);
	}
	if (json)
		put_c(']');
	else if (!n)
		put_c('-');
}

void out_uint(const char *k, uint64_t val)
{
	key(k);
	put_u64(val);
}

void out_null(const char *k)
{
	key(k);
	put(json ? "null" : "-");
}
