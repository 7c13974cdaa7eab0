// SPDX-License-Identifier: GPL-2.0
/*
 * -b FILE: a batch of commands, one a line, checked whole before any is
 * run, then run over one socket with changes pipelined (nl.c).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtprlctl.h"

/*
 * Split @line into words in place: blanks separate, "..." may hold blanks
 * and \" or \\, '...' is literal. Returns the word count, -1 if unbalanced.
 */
static int tokenize(char *line, char **argv, int max)
{
	char *in = line, *out;
	int n = 0;

	for (;;) {
		while (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r')
			in++;
		if (!*in || *in == '#')
			return n;
		if (n == max)
			return -1;
		argv[n++] = out = in;
		while (*in && *in != ' ' && *in != '\t' && *in != '\n' && *in != '\r') {
			if (*in == '"' || *in == '\'') {
				char q = *in++;

				while (*in && *in != q) {
					if (q == '"' && *in == '\\' && in[1])
						in++;
					*out++ = *in++;
				}
				if (*in != q)
					return -1;
				in++;
			} else {
				*out++ = *in++;
			}
		}
		if (*in)
			in++;
		*out = '\0';
	}
}

/* Run every line of @text (@len bytes of NUL-terminated lines) once. */
static int batch_pass(char *text, size_t len, command_fn (*find)(const char *name))
{
	char *line, *argv[64], *copy, what[128];
	int argc, lineno = 0, ret = EXIT_OK;
	command_fn fn;

	for (line = text; line < text + len; line += strlen(line) + 1) {
		pipe_line(++lineno);
		copy = strdup(line);	/* tokenize() works in place */
		if (!copy)
			return EXIT_REFUSED;
		argc = tokenize(copy, argv, 63);
		if (argc < 0) {
			report(lineno, "unbalanced quotes or too many words");
			ret = EXIT_USAGE;
		} else if (argc) {
			argv[argc] = NULL;
			fn = find(argv[0]);
			optind = 1;
			if (!fn) {
				snprintf(what, sizeof(what), "unknown command \"%.80s\"", argv[0]);
				report(lineno, what);
				ret = EXIT_USAGE;
			} else {
				switch (fn(argc, argv)) {
				case EXIT_USAGE:
					report(lineno, "in this line");
					ret = EXIT_USAGE;
					break;
				case EXIT_REFUSED:	/* reported by nl.c */
					pipe_refused();
					break;
				}
			}
		}
		free(copy);
		if (ret == EXIT_USAGE)
			break;
	}
	return ret;
}

/*
 * -b FILE: the whole file is checked first (nothing is sent if any line
 * is malformed), then run over one socket, changes pipelined. Refusals
 * are reported per line; the exit status is 1 if there was any. With
 * @check_only (-c), the check is all: no socket, no module needed.
 */
int batch(const char *file, bool json, bool pretty, bool check_only,
	  command_fn (*find)(const char *name))
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	char *text = NULL, buf[65536];
	size_t len = 0, i;
	int ret, out;
	FILE *mem;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, file, strerror(errno));
		return EXIT_USAGE;
	}
	/* Read it all (stdin cannot be read twice); lines become strings. */
	mem = open_memstream(&text, &len);
	if (!mem)
		return EXIT_REFUSED;
	for (size_t got; (got = fread(buf, 1, sizeof(buf), f));)
		fwrite(buf, 1, got, mem);
	fclose(mem);
	if (f != stdin)
		fclose(f);
	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			text[i] = '\0';

	pipe_begin(strcmp(file, "-") ? file : "<stdin>");
	/* Pass 1: parse only; what commands would print goes nowhere. */
	pipe_dry(true);
	fflush(stdout);
	out = dup(STDOUT_FILENO);
	ret = out < 0 ? EXIT_REFUSED : EXIT_OK;
	if (!ret && !freopen("/dev/null", "w", stdout))
		ret = EXIT_REFUSED;
	if (!ret)
		ret = batch_pass(text, len, find);
	fflush(stdout);
	if (out >= 0) {
		dup2(out, STDOUT_FILENO);
		close(out);
	}
	/* Pass 2: for real. */
	if (!ret && !check_only) {
		pipe_dry(false);
		out_init(json, pretty);
		ret = batch_pass(text, len, find);
		if (pipe_end() && !ret)
			ret = EXIT_REFUSED;
	}
	free(text);
	return ret;
}
