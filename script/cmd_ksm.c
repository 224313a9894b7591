/* SPDX-License-Identifier: MIT */
/*
 * Script commands of Kernel Samepage Merging and transparent huge pages'
 * knobs (extensions of this project;
 * <mmkit/ksm.h>, mm/ksm.c). Processes opt in with `madvise PID ADDR LEN
 * mergeable`; ksmd is no thread in mmkit, so its work runs when a script
 * asks for it:
 *   ksm_scan [N]          ksmd's work: N batches of pages_to_scan pages
 *                         (ksm_do_scan); without N, until the current full
 *                         scan ends (full_scans grows by one). The result
 *                         is the pages scanned (0 unless run is 1).
 *   ksm NAME=VALUE        writes /sys/kernel/mm/ksm/NAME: ok, EINVAL (a
 *                         value Linux refuses, or one of mm/ksm.c's
 *                         departures), EBUSY (max_page_sharing while KSM
 *                         pages exist), ENOMEM (run=2 could not unmerge
 *                         everything). NAME: run (0, 1, 2: unmerge all),
 *                         pages_to_scan, sleep_millisecs,
 *                         max_page_sharing, smart_scan, use_zero_pages,
 *                         merge_across_nodes (with NUMA).
 *   ksm NAME              its value (as `cat /sys/kernel/mm/ksm/NAME`).
 *   prctl PID OPTION [ARG2 [ARG3 [ARG4 [ARG5]]]]
 *                         prctl(2) by process PID: OPTION
 *                         set_memory_merge (PR_SET_MEMORY_MERGE: ARG2 1
 *                         makes every compatible VMA mergeable, 0 undoes
 *                         it), get_memory_merge, set_thp_disable
 *                         (PR_SET_THP_DISABLE: ARG2 1 forbids
 *                         transparent huge pages, with ARG3 2
 *                         outside MADV_HUGEPAGE VMAs only; 0 allows
 *                         them), get_thp_disable, or a number; the
 *                         result or an errno (EINVAL, ENOMEM, ESRCH).
 *   thp NAME=VALUE        writes /sys/kernel/mm/transparent_hugepage/NAME
 *                         (mm/huge_memory.c): ok or EINVAL. NAME:
 *                         enabled (always, madvise, never), defrag
 *                         (always, defer, defer+madvise, madvise,
 *                         never), use_zero_page (a number).
 *   thp NAME              its text (as `cat`), hpage_pmd_size too.
 *                         NAME may be khugepaged/KNOB: defrag (0, 1),
 *                         max_ptes_none, max_ptes_swap, max_ptes_shared
 *                         (0-511), pages_to_scan, scan_sleep_millisecs,
 *                         alloc_sleep_millisecs; full_scans and
 *                         pages_collapsed are read-only.
 *   khugepaged_scan [N]   khugepaged's work (mm/khugepaged.c): N wake-ups
 *                         of pages_to_scan pages each; without N, until
 *                         the current pass ends (full_scans grows by
 *                         one). The result is the huge pages collapsed
 *                         (ENOENT on i386).
 * An unknown NAME, a read-only one written, or a VALUE that is no
 * decimal or hex number is a script error.
 */
#include "script/internal.h"

#include <mmkit/ksm.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The knobs `ksm NAME=VALUE` writes (sysfs mode 0644). */
static const char *const ksm_writable[] = {
	"run",
	"pages_to_scan",
	"sleep_millisecs",
	"max_page_sharing",
	"smart_scan",
	"use_zero_pages",
	"merge_across_nodes",
};

char *sysfs_knob_read(struct script *sc, const char *dir, const char *name)
{
	char path[160];
	char *text;
	size_t len;

	if (strlen(name) > 64 || strchr(name, '/'))
		return NULL;
	snprintf(path, sizeof path, "%s%s", dir, name);
	text = mmk_proc_read(sc->m, path);
	if (!text)
		return NULL;
	len = strlen(text);
	if (len && text[len - 1] == '\n')
		text[len - 1] = '\0';
	return text;
}

int cmd_ksm(struct script *sc, int argc, char **argv)
{
	char name[64], *eq = strchr(argv[1], '='), *text;
	uint64_t v;
	size_t i, len = eq ? (size_t)(eq - argv[1]) : strlen(argv[1]);
	int err;

	if (len >= sizeof name)
		return script_error(sc, "unknown ksm knob '%s'", argv[1]);
	memcpy(name, argv[1], len);
	name[len] = '\0';
	text = sysfs_knob_read(sc, "/sys/kernel/mm/ksm/", name);
	if (!text)
		return script_error(sc, "unknown ksm knob '%s'", name);
	if (!eq) {
		result(sc, argc, argv, "%s", text);
		free(text);
		return 0;
	}
	free(text);
	for (i = 0; i < sizeof ksm_writable / sizeof ksm_writable[0]; i++)
		if (!strcmp(name, ksm_writable[i]))
			break;
	if (i == sizeof ksm_writable / sizeof ksm_writable[0])
		return script_error(sc, "ksm knob '%s' is read-only", name);
	if (!parse_number(eq + 1, &v))
		return script_error(sc, "bad number '%s'", eq + 1);
	err = mmk_ksm_set(name, (unsigned long)v);
	if (err)
		result(sc, argc, argv, "%s", errno_name(-err));
	else
		result(sc, argc, argv, "ok");
	return 0;
}

int cmd_thp(struct script *sc, int argc, char **argv)
{
	static const char dir[] = "/sys/kernel/mm/transparent_hugepage/";
	char name[64], *eq = strchr(argv[1], '='), *text;
	size_t len = eq ? (size_t)(eq - argv[1]) : strlen(argv[1]);
	int err;

	if (len >= sizeof name)
		return script_error(sc, "unknown thp knob '%s'", argv[1]);
	memcpy(name, argv[1], len);
	name[len] = '\0';
	/* khugepaged's knobs, in their own directory. */
	text = strncmp(name, "khugepaged/", 11) ?
		       sysfs_knob_read(sc, dir, name) :
		       sysfs_knob_read(sc,
				       "/sys/kernel/mm/transparent_hugepage/"
				       "khugepaged/",
				       name + 11);
	if (!text)
		return script_error(sc, "unknown thp knob '%s'", name);
	if (!eq) {
		result(sc, argc, argv, "%s", text);
		free(text);
		return 0;
	}
	free(text);
	err = mmk_thp_set(name, eq + 1);
	if (err == -EACCES)
		return script_error(sc, "thp knob '%s' is read-only", name);
	if (err)
		result(sc, argc, argv, "%s", errno_name(-err));
	else
		result(sc, argc, argv, "ok");
	return 0;
}

/* `ksm_scan [N]`, `khugepaged_scan [N]`: @scan with N (1 or more @unit),
 * or 0 without; its count or errno. */
static int run_scan(struct script *sc, int argc, char **argv,
		    long (*scan)(unsigned long), const char *unit)
{
	uint64_t n = 0;
	long ret;

	if (argc > 1 && !parse_number(argv[1], &n))
		return script_error(sc, "bad number '%s'", argv[1]);
	if (argc > 1 && n == 0)
		return script_error(sc, "%s takes a number of %s, 1 or more",
				    argv[0], unit);
	ret = scan((unsigned long)n);
	if (ret < 0)
		result(sc, argc, argv, "%s", errno_name((int)-ret));
	else
		result(sc, argc, argv, "%ld", ret);
	return 0;
}

int cmd_ksm_scan(struct script *sc, int argc, char **argv)
{
	return run_scan(sc, argc, argv, mmk_ksm_scan, "batches");
}

int cmd_khugepaged_scan(struct script *sc, int argc, char **argv)
{
	return run_scan(sc, argc, argv, mmk_khugepaged_scan, "wake-ups");
}

static const struct {
	const char *name;
	int option;
} prctl_names[] = {
	{ "set_memory_merge", PR_SET_MEMORY_MERGE },
	{ "get_memory_merge", PR_GET_MEMORY_MERGE },
	{ "set_thp_disable", PR_SET_THP_DISABLE },
	{ "get_thp_disable", PR_GET_THP_DISABLE },
};

int cmd_prctl(struct script *sc, int argc, char **argv)
{
	unsigned long args[4] = { 0, 0, 0, 0 };
	int pid, option = -1, i;
	size_t k;

	if (parse_pid(sc, argv[1], &pid))
		return -1;
	for (k = 0; k < sizeof prctl_names / sizeof prctl_names[0]; k++)
		if (!strcmp(argv[2], prctl_names[k].name))
			option = prctl_names[k].option;
	if (option < 0 && parse_int(sc, argv[2], &option))
		return -1;
	for (i = 3; i < argc; i++)
		if (parse_ulong(sc, argv[i], &args[i - 3]))
			return -1;
	sys_result(sc, argc, argv,
		   mmk_prctl(pid, option, args[0], args[1], args[2], args[3]),
		   false);
	return 0;
}
