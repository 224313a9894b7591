/* SPDX-License-Identifier: MIT */
/*
 * The mmkit script interpreter (shared/SCRIPT.md, contract v1): boots a
 * machine and runs one command per line, printing result lines and procfs
 * files. The `mmkit run` command is a thin wrapper around it.
 */
#ifndef MMKIT_SCRIPT_H
#define MMKIT_SCRIPT_H

#include <stdio.h>

/* Exit statuses of a script run. */
#define MMK_SCRIPT_OK 0
#define MMK_SCRIPT_IO_ERROR \
	1 /* the script could not be read, or the output written */
#define MMK_SCRIPT_ERROR 2 /* a script error stopped the run */
#define MMK_SCRIPT_CHECK_FAILED 3 /* ran to the end, a `check` failed */

/**
 * mmk_script_run() - run the script read from @in.
 * @name: the file name used in error messages ("-" for standard input).
 * @out: result lines and procfs text.
 * @err: script errors ("mmkit: FILE:LINE: message") and, if @echo_log,
 *	 the kernel log as it is written.
 * Return: MMK_SCRIPT_OK, MMK_SCRIPT_ERROR or MMK_SCRIPT_CHECK_FAILED; or
 * MMK_SCRIPT_IO_ERROR when @in could not be read to its end (a
 * directory, an I/O error) or @out not written (a full disk), reported on
 * @err as "mmkit: FILE: reason" after the lines read so far have run.
 */
int mmk_script_run(FILE *in, const char *name, FILE *out, FILE *err,
		   int echo_log);

/** mmk_script_run_string() - as mmk_script_run() on an in-memory script. */
int mmk_script_run_string(const char *text, const char *name, FILE *out,
			  FILE *err, int echo_log);

/**
 * mmk_script_run_report() - run a script as mmk_script_run() does (@text
 * if not NULL, else read from @in), and write to @html a self-contained
 * HTML page about the run: free memory and its other uses after every
 * command (plots, from /proc/meminfo), the free blocks per zone and order
 * at the start and the end (/proc/buddyinfo), the largest slab caches
 * when slab memory peaked (/proc/slabinfo), each process's VMAs the last
 * time it was alive (/proc/PID/maps), and the transcript, in
 * sections started by `echo == N. title` lines. @out gets exactly what
 * mmk_script_run() would print.
 * Return: as mmk_script_run().
 */
int mmk_script_run_report(FILE *in, const char *text, const char *name,
			  FILE *out, FILE *err, int echo_log, FILE *html);

#endif /* MMKIT_SCRIPT_H */
