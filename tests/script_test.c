/* SPDX-License-Identifier: MIT */
/*
 * Script tests: every tests/scripts/<subsystem>/NAME.mms runs through the
 * interpreter and must print exactly NAME.out on stdout, exit with the
 * status in NAME.status (0 when absent), and, when NAME.err exists, print
 * exactly that on stderr. procfs text in the .out files follows Linux
 * 6.18's formats byte for byte (shared/PROCFS.md).
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <mmkit/script.h>

#define SCRIPT_DIR "tests/scripts"
#define MAX_SCRIPTS 512

static char *with_ext(const char *mms, const char *ext)
{
	size_t len = strlen(mms) - 4;
	char *p = malloc(len + strlen(ext) + 1);

	memcpy(p, mms, len);
	strcpy(p + len, ext);
	return p;
}

static void first_difference(const char *want, const char *got)
{
	int line = 1;
	const char *w = want, *g = got;

	while (*w && *w == *g) {
		if (*w == '\n')
			line++;
		w++;
		g++;
	}
	print_error(
		"first difference at line %d\n--- expected: %.120s\n--- got:      %.120s\n",
		line, w, g);
}

static void run_script_test(void **state)
{
	const char *mms = *state;
	char *outp = with_ext(mms, ".out"), *errp = with_ext(mms, ".err");
	char *statusp = with_ext(mms, ".status");
	char *want_out = mmk_test_slurp(outp), *want_err = mmk_test_slurp(errp);
	char *want_status = mmk_test_slurp(statusp), *got_out, *got_err;
	FILE *in = fopen(mms, "r"), *out = tmpfile(), *err = tmpfile();
	int status, expect = want_status ? atoi(want_status) : 0;
	const char *name = strstr(mms, SCRIPT_DIR);

	assert_non_null(in);
	assert_non_null(want_out);
	/* Errors name the script relative to tests/scripts, as the .err
	 * files were written. */
	status = mmk_script_run(in, name ? name + strlen(SCRIPT_DIR) + 1 : mms,
				out, err, 0);
	got_out = mmk_test_read_stream(out);
	got_err = mmk_test_read_stream(err);
	if (strcmp(want_out, got_out))
		first_difference(want_out, got_out);
	assert_string_equal(got_out, want_out);
	if (want_err)
		assert_string_equal(got_err, want_err);
	assert_int_equal(status, expect);
	fclose(in);
	fclose(out);
	fclose(err);
	free(want_out);
	free(want_err);
	free(want_status);
	free(got_out);
	free(got_err);
	free(outp);
	free(errp);
	free(statusp);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect(const char *dir, char **list, int *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) && *n < MAX_SCRIPTS) {
		char path[1024];
		struct stat st;
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			collect(path, list, n);
		else if (len > 4 && !strcmp(e->d_name + len - 4, ".mms"))
			list[(*n)++] = strdup(path);
	}
	closedir(d);
}

int main(void)
{
	static char *scripts[MAX_SCRIPTS];
	static struct CMUnitTest tests[MAX_SCRIPTS];
	int n = 0, i, rc;

	collect(SCRIPT_DIR, scripts, &n);
	if (n == 0) {
		fprintf(stderr,
			"no scripts under %s (run from the source root)\n",
			SCRIPT_DIR);
		return 1;
	}
	qsort(scripts, (size_t)n, sizeof(scripts[0]), cmp_str);
	for (i = 0; i < n; i++) {
		tests[i].name = scripts[i] + strlen(SCRIPT_DIR) + 1;
		tests[i].test_func = run_script_test;
		tests[i].initial_state = scripts[i];
	}
	rc = _cmocka_run_group_tests("scripts", tests, (size_t)n, NULL, NULL);
	for (i = 0; i < n; i++)
		free(scripts[i]);
	return rc;
}
