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

static int version_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("smtprlctl %s, kernel family \"%s\" id %d\n", SMTPRL_TOOL_VERSION,
	       SMTPRL_FAMILY_NAME, ctl_family());
	return EXIT_OK;
}

static const struct command {
	const char *name;
	command_fn fn;
	const char *help;
} commands[] = {
	{ "policy",  policy_main,  "show | set [rate N/UNIT] [burst N] [daily N|off] [ports P,..] [action drop|reject|monitor] [when-full accept|drop] [v4-prefix L] [v6-prefix L] [max-sources N] [hooks prerouting[,output]] [enabled yes|no]" },
	{ "scope",   scope_main,   "add|replace PREFIX [v4-prefix N | v6-prefix N] | del PREFIX | add|del dev IFNAME | list | flush" },
	{ "relay",   relay_main,   "add|del PREFIX | list | flush" },
	{ "exempt",  exempt_main,  "add|replace ADDR[/LEN] [rate N/UNIT [burst N] [daily N]] [expires DURATION] [comment TEXT] | del|show ADDR[/LEN] | list | flush" },
	{ "source",  source_main,  "list [top N] [sort limited|allowed|last] | show ADDR|name NAME | reset ADDR|name NAME | quarantine ADDR|name NAME [for DURATION] [cause strikes|fanout|operator] | release ADDR|name NAME | flush" },
	{ "subscriber", subscriber_main, "add|replace NAME [ADDR[/LEN]...] [exempt | policy | rate N/UNIT [burst N] [daily N]] | del NAME [ADDR[/LEN]...] [linger DURATION] | show NAME | list | flush" },
	{ "monitor", monitor_main, "(events as they happen: limited, quarantined, released, exempt-expired, table-full)" },
	{ "stats",   stats_main,   "" },
	{ "save",    save_main,    "(prints a batch file that -b restores)" },
	{ "version", version_main, "" },
	{ "help",    help_main,    "" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s [-j [-p]] [-n NETNS] COMMAND ...\n"
		   "       %s [-n NETNS] -b FILE|-\n\n", prog, prog);
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %s %s\n", commands[i].name, commands[i].help);
}

static int help_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
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
	const char *netns = NULL, *batch_file = NULL;
	bool json = false, pretty = false;
	size_t i;
	int opt, ret;

	while ((opt = getopt(argc, argv, "+jpn:b:hV")) != -1) {
		switch (opt) {
		case 'b': batch_file = optarg; break;
		case 'j': json = true; break;
		case 'p': pretty = true; break;
		case 'n': netns = optarg; break;
		case 'V': printf("smtprlctl %s\n", SMTPRL_TOOL_VERSION); return EXIT_OK;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	/* Dumps can be large; write them in big blocks (a tty stays line-buffered). */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 64 << 10);
	if (batch_file) {
		if (argc)
			return usage_error("-b takes no command on the command line (got \"%s\")",
					   argv[0]);
		out_init(json, pretty);
		ret = ctl_open(netns);
		if (!ret)
			ret = batch(batch_file, json, pretty, find_command);
		ctl_close();
		return ret;
	}
	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	out_init(json, pretty);
	for (i = 0; i < N_COMMANDS; i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		if (commands[i].fn == help_main)
			return help_main(argc, argv);
		ret = ctl_open(netns);
		if (ret)
			return ret;
		ret = commands[i].fn(argc, argv);
		ctl_close();
		return ret;
	}
	fprintf(stderr, "%s: unknown command \"%s\"\n", prog, argv[0]);
	usage(stderr);
	return EXIT_USAGE;
}
