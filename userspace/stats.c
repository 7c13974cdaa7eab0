// SPDX-License-Identifier: GPL-2.0
/*
 * stats: the namespace's counters, named as the spec names them; or, with
 * -o prometheus, as Prometheus metrics (text exposition format 0.0.4).
 */

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <dirent.h>

#include "smtprlctl.h"

static const char *const names[SMTPRL_A_STATS_MAX + 1] = SMTPRL_STATS_KEYS;
static const char *const docs[SMTPRL_A_STATS_MAX + 1] = SMTPRL_STATS_DOCS;

#define N_STATS ((int)(sizeof(names) / sizeof(names[0])))

static uint64_t stat_value(struct nlattr *a)
{
	return nla_len(a) == 4 ? nla_get_u32(a) : nla_get_u64(a);
}

static int stats_print(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	int a;

	(void)nlh;
	(void)arg;
	out_open_obj();
	for (a = 1; a < N_STATS; a++) {
		if (!names[a] || !tb[a] || a == SMTPRL_A_STATS_PAD)
			continue;
		/* Bytes, as /proc/net/smtprl/stats says it. */
		out_uint(a == SMTPRL_A_STATS_MEMORY ? "memory_bytes" : names[a], stat_value(tb[a]));
	}
	out_close_obj();
	return 0;
}

/*
 * What each new connection to the policy's ports came to: these add up to
 * seen (exempt-limited and quarantine-refused are parts of limited and
 * would-limit, reject-sent of limited).
 */
static const int outcomes[] = {
	SMTPRL_A_STATS_ALLOWED, SMTPRL_A_STATS_LIMITED, SMTPRL_A_STATS_WOULD_LIMIT,
	SMTPRL_A_STATS_EXEMPT, SMTPRL_A_STATS_RELAY, SMTPRL_A_STATS_OUT_OF_SCOPE,
	SMTPRL_A_STATS_TABLE_FULL,
};

/* The counters that say what is now; every other one only grows. */
static const struct {
	int attr;
	const char *metric;
} gauges[] = {
	{ SMTPRL_A_STATS_ENTRIES,	  "smtprl_sources" },
	{ SMTPRL_A_STATS_EXEMPTIONS,	  "smtprl_exemptions" },
	{ SMTPRL_A_STATS_MEMORY,	  "smtprl_memory_bytes" },
	{ SMTPRL_A_STATS_QUARANTINED_NOW, "smtprl_quarantined_sources" },
	{ SMTPRL_A_STATS_SUBSCRIBERS,	  "smtprl_subscribers" },
	{ SMTPRL_A_STATS_BINDINGS,	  "smtprl_bindings" },
	{ SMTPRL_A_STATS_LINGERING,	  "smtprl_lingering_subscribers" },
};

struct prom {
	const char *netns;	/* the netns label's value */
};

static bool is_outcome(int a)
{
	size_t i;

	for (i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		if (outcomes[i] == a)
			return true;
	return false;
}

static const char *gauge_metric(int a)
{
	size_t i;

	for (i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++)
		if (gauges[i].attr == a)
			return gauges[i].metric;
	return NULL;
}

/* A label value: backslash, double quote and newline escaped. */
static void put_label(const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			putchar('\\');
		if (*v == '\n')
			fputs("\\n", stdout);
		else
			putchar(*v);
	}
}

static void sample(const char *metric, const struct prom *pr, const char *outcome,
		   uint64_t v)
{
	printf("%s{netns=\"", metric);
	put_label(pr->netns);
	if (outcome)
		printf("\",outcome=\"%s", outcome);
	printf("\"} %llu\n", (unsigned long long)v);
}

static int stats_prometheus(const struct nlmsghdr *nlh, struct nlattr **tb, void *arg)
{
	const struct prom *pr = arg;
	const char *metric;
	char name[96];
	size_t i;
	int a;

	(void)nlh;
	printf("# HELP smtprl_connections_total New connections to the policy's ports, "
	       "by outcome; the outcomes add up to smtprl_seen_total.\n"
	       "# TYPE smtprl_connections_total counter\n");
	for (i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		if (tb[outcomes[i]])
			sample("smtprl_connections_total", pr, names[outcomes[i]],
			       stat_value(tb[outcomes[i]]));
	for (a = 1; a < N_STATS; a++) {
		if (!names[a] || !tb[a] || a == SMTPRL_A_STATS_PAD || is_outcome(a))
			continue;
		metric = gauge_metric(a);
		if (!metric) {
			snprintf(name, sizeof(name), "smtprl_%s_total", names[a]);
			metric = name;
		}
		printf("# HELP %s %s\n# TYPE %s %s\n", metric, docs[a] ? docs[a] : names[a],
		       metric, gauge_metric(a) ? "gauge" : "counter");
		sample(metric, pr, NULL, stat_value(tb[a]));
	}
	return 0;
}

/*
 * The netns label: "init" for the initial namespace; else the name under
 * /run/netns of the one we are in (-n entered it), or its inode.
 */
static void netns_label(char *buf, size_t len)
{
	struct stat self, other;
	struct dirent *d;
	char path[300];
	DIR *dir;

	if (stat("/proc/self/ns/net", &self)) {
		snprintf(buf, len, "unknown");
		return;
	}
	if (!stat("/proc/1/ns/net", &other) && other.st_ino == self.st_ino) {
		snprintf(buf, len, "init");
		return;
	}
	snprintf(buf, len, "net:[%llu]", (unsigned long long)self.st_ino);
	dir = opendir("/run/netns");
	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", d->d_name);
		if (!stat(path, &other) && other.st_ino == self.st_ino &&
		    other.st_dev == self.st_dev) {
			snprintf(buf, len, "%s", d->d_name);
			break;
		}
	}
	if (dir)
		closedir(dir);
}

/* stats [-o json|text|prometheus] */
int stats_main(int argc, char **argv)
{
	struct reply r = { stats_print, NULL, SMTPRL_A_STATS_MAX, NULL };
	struct prom pr;
	char label[256];

	if (argc == 3 && !strcmp(argv[1], "-o") && !strcmp(argv[2], "prometheus")) {
		netns_label(label, sizeof(label));
		pr.netns = label;
		r.parse = stats_prometheus;
		r.arg = &pr;
	} else if (argc != 1) {
		return usage_error("usage: stats [-o prometheus]%s", "");
	}
	return request(SMTPRL_CMD_STATS_GET, false, NULL, NULL, &r);
}
