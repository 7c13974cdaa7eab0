// SPDX-License-Identifier: GPL-2.0
/*
 * smtprlctl: configure and inspect the smtprl kernel module.
 *
 * The command table below is the whole grammar; each entry is a
 * "<object>_main(argc, argv)" in the wg(8) style.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#define SMTPRL_TOOL_VERSION "0.1"
#define SMTPRL_FAMILY_NAME "smtprl"

enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

static const char *prog = "smtprlctl";

static int help_main(int argc, char **argv);

/* Resolve the family; returns its id or a negative libnl error. */
static int family_probe(void)
{
	struct nl_sock *sk;
	int id;

	sk = nl_socket_alloc();
	if (!sk)
		return -NLE_NOMEM;
	id = genl_connect(sk);
	if (!id)
		id = genl_ctrl_resolve(sk, SMTPRL_FAMILY_NAME);
	nl_socket_free(sk);
	return id;
}

static int version_main(int argc, char **argv)
{
	int id;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "Usage: %s version\n", prog);
		return EXIT_USAGE;
	}
	printf("smtprlctl %s\n", SMTPRL_TOOL_VERSION);
	id = family_probe();
	if (id < 0) {
		printf("kernel: generic netlink family \"%s\" not available (%s)\n",
		       SMTPRL_FAMILY_NAME, nl_geterror(id));
		return EXIT_REFUSED;
	}
	printf("kernel: generic netlink family \"%s\" id %d\n",
	       SMTPRL_FAMILY_NAME, id);
	return EXIT_OK;
}

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "version", version_main, "print the tool version and probe the kernel family" },
	{ "help",    help_main,    "show this help" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s COMMAND [ARGS]\n\nCommands:\n", prog);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
}

static int help_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command \"%s\"\n", prog, argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
