// SPDX-License-Identifier: GPL-2.0
/*
 * smtprlctl: configure and inspect the smtprl kernel module over its
 * generic-netlink family (include/uapi/linux/smtprl.h, generated from
 * Documentation/netlink/specs/smtprl.yaml).
 *
 * One command table; every object is "<object>_main(argc, argv)" in its
 * own file, in the wg(8) style (smtprlctl.h lists them); every reply goes
 * through the print path of util.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "smtprlctl.h"

const char *const prog = "smtprlctl";

int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

static int help_main(int argc, char **argv);

/* The loaded module's version ("" if none is), from sysfs: no netlink. */
static void module_version(char *buf, size_t len)
{
	FILE *f = fopen("/sys/module/smtprl/version", "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* version: this tool's, and the module's when it is loaded. */
static int version_main(int argc, char **argv)
{
	char mod[64];

	(void)argv;
	if (argc != 1)
		return usage_error("usage: version%s", "");
	module_version(mod, sizeof(mod));
	out_open_obj();
	out_str("smtprlctl", SMTPRL_VERSION);
	if (mod[0])
		out_str("module", mod);
	else
		out_null("module");
	out_close_obj();
	return EXIT_OK;
}

/* The one command table: dispatch and usage text (help, or usage()). */
static const struct command {
	const char *name;
	command_fn fn;
	const char *help;
	void (*usage)(FILE *f);
} commands[] = {
	{ "policy",  policy_main,  NULL, policy_usage },
	{ "scope", scope_main, "add|replace PREFIX [v4-prefix N | v6-prefix N] | del PREFIX | add|del dev IFNAME | list | flush", NULL },
	{ "relay", relay_main, "add|del PREFIX | list | flush", NULL },
	{ "exempt", exempt_main, "add|replace ADDR[/LEN] [rate N/UNIT [burst N] [daily N]] [expires DURATION] [comment TEXT] | del|show ADDR[/LEN] | list | flush", NULL },
	{ "source", source_main, "list [top N] [sort limited|allowed|last] | show ADDR|name NAME | reset ADDR|name NAME | quarantine ADDR|name NAME [for DURATION] [cause strikes|fanout|operator] | release ADDR|name NAME | flush", NULL },
	{ "subscriber", subscriber_main, "add|replace NAME [ADDR[/LEN]...] [exempt | policy | rate N/UNIT [burst N] [daily N]] | del NAME [ADDR[/LEN]...] [linger DURATION] | show NAME | list | flush", NULL },
	{ "monitor", monitor_main, "(events as they happen: limited, quarantined, released, exempt-expired, table-full)", NULL },
	{ "stats", stats_main, "", NULL },
	{ "save", save_main, "[config] (prints a batch file that -b restores; config: without subscribers and quarantines)", NULL },
	{ "version", version_main, "", NULL },
	{ "help", help_main, "", NULL },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s [-j [-p]] [-n NETNS] COMMAND ...\n"
		   "       %s [-n NETNS] -b FILE|-\n"
		   "       %s -c -b FILE|-\n\n"
		   "Options:\n"
		   "  -j, --json         JSON output\n"
		   "  -p, --pretty       indented JSON (with -j)\n"
		   "  -n, --netns NETNS  the named network namespace's module state\n"
		   "  -b, --batch FILE   commands from FILE (- for stdin), one a line, checked\n"
		   "                     whole before any is run\n"
		   "  -c, --check        with -b: only check the file (no module needed)\n"
		   "  -h, --help         this text\n"
		   "  -V, --version      the version\n\n"
		   "Commands:\n", prog, prog, prog);
	for (i = 0; i < N_COMMANDS; i++) {
		fprintf(f, "  %s ", commands[i].name);
		if (commands[i].usage)
			commands[i].usage(f);
		else
			fputs(commands[i].help, f);
		fputc('\n', f);
	}
	fprintf(f, "\nUNIT: second, minute, hour or day. DURATION: N[s|m|h|d].\n"
		   "See smtprlctl(8).\n");
}

static int help_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return EXIT_OK;
}

/* --version, as GNU tools print it. */
static int print_version(void)
{
	printf("smtprlctl (smtprl) %s\n"
	       "License GPL-2.0: GNU GPL version 2 <https://gnu.org/licenses/gpl-2.0.html>.\n"
	       "This is free software: you are free to change and redistribute it.\n"
	       "There is NO WARRANTY, to the extent permitted by law.\n", SMTPRL_VERSION);
	return EXIT_OK;
}

static command_fn find_command(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return commands[i].fn;
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json",    no_argument,       NULL, 'j' },
		{ "pretty",  no_argument,       NULL, 'p' },
		{ "netns",   required_argument, NULL, 'n' },
		{ "batch",   required_argument, NULL, 'b' },
		{ "check",   no_argument,       NULL, 'c' },
		{ "help",    no_argument,       NULL, 'h' },
		{ "version", no_argument,       NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *netns = NULL, *batch_file = NULL;
	bool json = false, pretty = false, check = false;
	command_fn fn;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "+jpn:b:chV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b': batch_file = optarg; break;
		case 'c': check = true; break;
		case 'j': json = true; break;
		case 'p': pretty = true; break;
		case 'n': netns = optarg; break;
		case 'V': return print_version();
		case 'h': usage(stdout); return EXIT_OK;
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n", prog);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	/* Dumps can be large; write them in big blocks (a tty stays line-buffered). */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 64 << 10);
	if (check && !batch_file)
		return usage_error("-c checks a batch file: give -b FILE%s", "");
	if (batch_file) {
		if (argc)
			return usage_error("-b takes no command on the command line (got \"%s\")",
					   argv[0]);
		out_init(json, pretty);
		ret = check ? 0 : ctl_open(netns);
		if (!ret)
			ret = batch(batch_file, json, pretty, check, find_command);
		ctl_close();
		return ret;
	}
	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	out_init(json, pretty);
	fn = find_command(argv[0]);
	if (!fn) {
		fprintf(stderr, "%s: unknown command \"%s\"\n", prog, argv[0]);
		fprintf(stderr, "Try '%s --help' for more information.\n", prog);
		return EXIT_USAGE;
	}
	/* help and version need no module. */
	if (fn == help_main || fn == version_main)
		return fn(argc, argv);
	ret = ctl_open(netns);
	if (ret)
		return ret;
	ret = fn(argc, argv);
	ctl_close();
	return ret;
}
