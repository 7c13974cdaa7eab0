// SPDX-License-Identifier: GPL-2.0
/* Unit tests for smtprlctl's parsers: every accepted form and every error path. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "../util.h"

static int failures, checks;

#define CHECK(cond) do { \
	checks++; \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

static void test_u32(void)
{
	uint32_t v;

	CHECK(!parse_u32("0", 10, &v) && v == 0);
	CHECK(!parse_u32("4294967295", UINT32_MAX, &v) && v == UINT32_MAX);
	CHECK(parse_u32("4294967296", UINT32_MAX, &v));	/* overflow */
	CHECK(parse_u32("99999999999999999999999", UINT32_MAX, &v));
	CHECK(parse_u32("11", 10, &v));			/* above max */
	CHECK(parse_u32("", 10, &v));
	CHECK(parse_u32("-1", 10, &v));
	CHECK(parse_u32("+1", 10, &v));
	CHECK(parse_u32(" 1", 10, &v));
	CHECK(parse_u32("1 ", 10, &v));			/* trailing garbage */
	CHECK(parse_u32("1x", 10, &v));
	CHECK(parse_u32("0x10", 100, &v));
}

static void test_rate(void)
{
	uint32_t n, u;

	CHECK(!parse_rate("10/minute", &n, &u) && n == 10 && u == 1);
	CHECK(!parse_rate("1/day", &n, &u) && n == 1 && u == 3);
	CHECK(!parse_rate("1000000/second", &n, &u) && n == 1000000 && u == 0);
	CHECK(!parse_rate("6/hour", &n, &u) && u == 2);
	CHECK(parse_rate("0/minute", &n, &u));
	CHECK(parse_rate("10/min", &n, &u));			/* no prefix matching */
	CHECK(parse_rate("10/minutes", &n, &u));
	CHECK(parse_rate("10", &n, &u));
	CHECK(parse_rate("/minute", &n, &u));
	CHECK(parse_rate("10/", &n, &u));
	CHECK(parse_rate("4294967296/day", &n, &u));
	CHECK(parse_rate("10/minute/x", &n, &u));
}

static void test_duration(void)
{
	uint64_t s;

	CHECK(!parse_duration("90s", &s) && s == 90);
	CHECK(!parse_duration("15m", &s) && s == 900);
	CHECK(!parse_duration("12h", &s) && s == 43200);
	CHECK(!parse_duration("30d", &s) && s == 2592000);
	CHECK(!parse_duration("45", &s) && s == 45);
	CHECK(parse_duration("0s", &s));
	CHECK(parse_duration("", &s));
	CHECK(parse_duration("d", &s));
	CHECK(parse_duration("1w", &s));
	CHECK(parse_duration("1.5h", &s));
	CHECK(parse_duration("36501d", &s));			/* > 100 years */
	CHECK(parse_duration("99999999999999999999d", &s));
	CHECK(parse_duration("10dd", &s));
}

static void test_prefix(void)
{
	struct prefix p;
	char buf[64];

	CHECK(!parse_prefix("192.0.2.5", true, &p) && p.family == AF_INET && p.plen == 32);
	CHECK(!parse_prefix("192.0.2.0/24", true, &p) && p.plen == 24);
	format_prefix(&p, buf, sizeof(buf));
	CHECK(!strcmp(buf, "192.0.2.0/24"));
	CHECK(!parse_prefix("2001:db8::/48", true, &p) && p.family == AF_INET6 && p.plen == 48);
	format_prefix(&p, buf, sizeof(buf));
	CHECK(!strcmp(buf, "2001:db8::/48"));
	CHECK(!parse_prefix("2001:db8::1", false, &p) && p.plen == 128);
	CHECK(parse_prefix("192.0.2.0/33", true, &p));
	CHECK(parse_prefix("2001:db8::/129", true, &p));
	CHECK(parse_prefix("192.0.2.0/24", false, &p));		/* no length allowed */
	CHECK(parse_prefix("192.0.2.0/", true, &p));
	CHECK(parse_prefix("192.0.2/24", true, &p));
	CHECK(parse_prefix("example.org", true, &p));
	CHECK(parse_prefix("192.0.2.0/24x", true, &p));
}

int main(void)
{
	test_u32();
	test_rate();
	test_duration();
	test_prefix();
	printf("%d checks, %d failed\n", checks, failures);
	return failures != 0;
}
