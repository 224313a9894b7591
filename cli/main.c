/* SPDX-License-Identifier: MIT */
/*
 * The mmkit command: `mmkit run FILE|-` runs a script (shared/SCRIPT.md),
 * `mmkit demo` runs the built-in tour and writes its HTML report
 * (script/report.c; `--report FILE` writes one for any run). Exit status:
 * the script's (0 ok, 2 script error, 3 a check failed), 1 for usage or
 * I/O errors.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <mmkit/mmkit.h>
#include <mmkit/script.h>

#include "cli/tour.h"

#define DEMO_REPORT "mmkit-report.html"

static void usage(FILE *f)
{
	fputs("usage: mmkit run [-q] [--report FILE] FILE|-\n"
	      "                               run a script (- reads standard input)\n"
	      "       mmkit demo [--report FILE | --no-report]\n"
	      "                               run the built-in tour and write its\n"
	      "                               HTML report (default " DEMO_REPORT
	      ")\n"
	      "       mmkit version           print the version\n"
	      "       mmkit help              this text\n"
	      "-q: do not echo the kernel log (warnings, bad page reports) to stderr\n"
	      "--report FILE: also write an HTML report of the run to FILE\n",
	      f);
}

/* Descriptors 0-2 that are closed get /dev/null opened the wrong way
 * round: they stay unusable (a write to a closed standard output still
 * fails), and no file the command opens (a report) takes one of them and
 * gets the transcript or the kernel log. */
static void hold_std_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
		    open("/dev/null", fd ? O_RDONLY : O_WRONLY) != fd)
			_exit(1);
}

/* Whether @report names the regular file open as @fd: the script (a
 * swap of the arguments would truncate it before it is read), or the
 * standard output or error (`--report out.html > out.html` would have
 * the transcript and the page overwrite each other). */
static bool report_is_fd(const char *report, int fd)
{
	struct stat a, b;

	return fd >= 0 && !stat(report, &a) && !fstat(fd, &b) &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
	       S_ISREG(a.st_mode);
}

/* Run the script (@text, or @in) with a report to @report if not NULL. */
static int run(FILE *in, const char *text, const char *name, int echo_log,
	       const char *report)
{
	FILE *html;
	int status, werr;

	if (!report)
		return text ? mmk_script_run_string(text, name, stdout, stderr,
						    echo_log) :
			      mmk_script_run(in, name, stdout, stderr,
					     echo_log);
	if (report_is_fd(report, in ? fileno(in) : -1)) {
		fprintf(stderr,
			"mmkit: %s: the report would overwrite the "
			"script\n",
			report);
		return 1;
	}
	if (report_is_fd(report, 1) || report_is_fd(report, 2)) {
		fprintf(stderr,
			"mmkit: %s: the report would overwrite the standard "
			"%s\n",
			report, report_is_fd(report, 1) ? "output" : "error");
		return 1;
	}
	html = fopen(report, "w");
	if (!html) {
		fprintf(stderr, "mmkit: %s: %s\n", report, strerror(errno));
		return 1;
	}
	status = mmk_script_run_report(in, text, name, stdout, stderr, echo_log,
				       html);
	errno = 0;
	werr = fflush(html) ? errno : 0;
	if (ferror(html) | fclose(html)) {
		fprintf(stderr, "mmkit: %s: write error%s%s\n", report,
			werr ? ": " : "", werr ? strerror(werr) : "");
		return 1;
	}
	fprintf(stderr, "mmkit: report written to %s\n", report);
	return status;
}

static int cmd_run(int argc, char **argv)
{
	const char *path, *report = NULL;
	int echo_log = 1, i = 2, status;
	FILE *in;

	for (; i < argc; i++) {
		if (!strcmp(argv[i], "-q")) {
			echo_log = 0;
		} else if (!strcmp(argv[i], "--report")) {
			if (i + 1 == argc) {
				fputs("mmkit: --report needs a FILE\n", stderr);
				return 1;
			}
			if (report) {
				fputs("mmkit: --report given twice\n", stderr);
				return 1;
			}
			report = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "mmkit: unknown option '%s'\n",
				argv[i]);
			usage(stderr);
			return 1;
		} else {
			break;
		}
	}
	if (i >= argc) {
		fputs("mmkit: run needs a script FILE (- for standard input)\n",
		      stderr);
		usage(stderr);
		return 1;
	}
	if (i != argc - 1) {
		fprintf(stderr,
			"mmkit: run takes one FILE: '%s' is one too many\n",
			argv[i + 1]);
		usage(stderr);
		return 1;
	}
	path = argv[i];
	in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!in) {
		fprintf(stderr, "mmkit: %s: %s\n", path, strerror(errno));
		return 1;
	}
	status = run(in, NULL, path, echo_log, report);
	if (in != stdin)
		fclose(in);
	return status;
}

static int cmd_demo(int argc, char **argv)
{
	const char *report = DEMO_REPORT;
	bool chosen = false;
	int i;

	for (i = 2; i < argc; i++) {
		bool no = !strcmp(argv[i], "--no-report");

		if (!no && strcmp(argv[i], "--report") != 0) {
			fprintf(stderr,
				argv[i][0] == '-' ?
					"mmkit: unknown option '%s'\n" :
					"mmkit: demo runs the built-in tour, "
					"not '%s' (mmkit run FILE runs a "
					"script)\n",
				argv[i]);
			usage(stderr);
			return 1;
		}
		if (chosen) {
			fputs("mmkit: demo takes one of --report FILE and "
			      "--no-report\n",
			      stderr);
			return 1;
		}
		chosen = true;
		if (no) {
			report = NULL;
		} else if (++i == argc) {
			fputs("mmkit: --report needs a FILE\n", stderr);
			return 1;
		} else {
			report = argv[i];
		}
	}
	return run(NULL, mmk_tour_script, "tour", 1, report);
}

/* What version and help print; 1 if stdout took none of it. */
static int print_out(int status)
{
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "mmkit: cannot write the output: %s\n",
			strerror(errno ? errno : EIO));
		return 1;
	}
	return status;
}

int main(int argc, char **argv)
{
	hold_std_fds();
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc, argv);
	if (!strcmp(argv[1], "demo"))
		return cmd_demo(argc, argv);
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version") ||
	    !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		if (argc > 2) {
			fprintf(stderr, "mmkit: %s takes no arguments\n",
				argv[1]);
			return 1;
		}
		errno = 0;
		if (strstr(argv[1], "version"))
			printf("mmkit %s\n", mmk_version());
		else
			usage(stdout);
		return print_out(0);
	}
	fprintf(stderr, "mmkit: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 1;
}
