/* SPDX-License-Identifier: MIT */
/*
 * The mmkit command: `mmkit run FILE|-` runs a script (shared/SCRIPT.md),
 * `mmkit demo` runs the built-in tour. Exit status: the script's (0 ok,
 * 2 script error, 3 a check failed), 1 for usage or I/O errors.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <mmkit/mmkit.h>
#include <mmkit/script.h>

#include "cli/tour.h"

static void usage(FILE *f)
{
	fputs("usage: mmkit run [-q] FILE|-   run a script (- reads standard input)\n"
	      "       mmkit demo              run the built-in tour\n"
	      "       mmkit version           print the version\n"
	      "       mmkit help              this text\n"
	      "-q: do not echo the kernel log (warnings, bad page reports) to stderr\n",
	      f);
}

static int cmd_run(int argc, char **argv)
{
	int echo_log = 1, i = 2, status;
	const char *path;
	FILE *in;

	if (i < argc && !strcmp(argv[i], "-q")) {
		echo_log = 0;
		i++;
	}
	if (i != argc - 1) {
		usage(stderr);
		return 1;
	}
	path = argv[i];
	in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!in) {
		fprintf(stderr, "mmkit: %s: %s\n", path, strerror(errno));
		return 1;
	}
	status = mmk_script_run(in, path, stdout, stderr, echo_log);
	if (in != stdin)
		fclose(in);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc, argv);
	if (!strcmp(argv[1], "demo") && argc == 2)
		return mmk_script_run_string(mmk_tour_script, "tour", stdout,
					     stderr, 1);
	if (!strcmp(argv[1], "version") && argc == 2) {
		printf("mmkit %s\n", mmk_version());
		return 0;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "mmkit: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 1;
}
