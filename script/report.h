/* SPDX-License-Identifier: MIT */
/*
 * The HTML report's record of a script run, shared by the two halves of
 * the report: script/report.c, the observer that samples procfs after
 * each command and keeps what the page needs, and script/report_html.c,
 * which renders that record as the page.
 */
#ifndef MMK_SCRIPT_REPORT_H
#define MMK_SCRIPT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define NR_ORDERS 11
#define MAX_ZONES 16 /* charted: the first ones /proc/buddyinfo lists */

/* The /proc/meminfo fields sampled (series_key in script/report.c): the
 * first is plotted alone, as MemTotal - MemFree; the last, SwapFree, as
 * SwapTotal - SwapFree, only on a machine with swap. */
#define NR_SERIES 9
#define SWAP (NR_SERIES - 1)

/* The /proc/vmstat event counters the Activity table shows, by group,
 * as /proc/vmstat names them in mmkit (Linux 6.18's vm_event_item.h and
 * numa_stat_item). */
enum { AG_FAULT, AG_RECLAIM, AG_SWAP, AG_COMPACT, AG_OOM, AG_NUMA, NR_AG };

struct report_counter {
	int group;
	const char *name, *label;
};

#define NR_ACTIVITY 26
extern const struct report_counter report_activity[NR_ACTIVITY];

#define NO_STEP ((size_t)-1)
#define VM_LINES 512 /* the lines of /proc/vmstat indexed (193 on x86_64) */

struct zone_free {
	char name[48]; /* "Node 0, zone Normal" */
	unsigned long blocks[NR_ORDERS];
};

struct buddy_snap {
	struct zone_free zone[MAX_ZONES];
	int nr;
};

/* A process the script made (spawn, fork), and its /proc/PID/maps
 * the last time it was alive. */
struct proc_seen {
	int pid;
	bool alive;
	char *maps;
	size_t step; /* the last command it lived through */
	size_t read_step; /* the one after which maps was read */
	size_t due; /* the first command after which it is read again */
	bool stale; /* a command named it since */
	bool gone; /* the last read found no such process: read again only
		    * after a command that names it */
};

/* VMAs read per command, in the long run, of a process every command
 * changes: one with more is read every VMAs / MAPS_BUDGET commands, so a
 * script that maps thousands of VMAs stays linear (8,000 mmaps of one
 * process: 16-29 s when every command read its maps, 2.1 s now). */
#define MAPS_BUDGET 64

struct step {
	char *cmd;
	char *output;
	int section;
	bool echo; /* an `echo` line: prose in the transcript */
	char *error; /* the script error that stopped the run here */
	unsigned long kb[NR_SERIES];
	unsigned long used_kb; /* MemTotal - MemFree */
};

struct report {
	FILE *real_out, *cap;
	char *capbuf;
	size_t caplen, capoff;
	struct step *steps;
	size_t nr_steps, cap_steps;
	char **sections;
	char *peak_slabinfo;
	unsigned long peak_slab_kb;
	size_t peak_step;
	unsigned long memtotal_kb;
	unsigned long swaptotal_kb; /* 0: a machine without swap */
	unsigned long peak_swap_kb;
	size_t peak_swap_step;
	long oom_kills; /* /proc/vmstat's oom_kill at the end; -1 unread */
	/* /proc/swaps after the command of the swap peak, and at the end;
	 * had_swap (below): SwapTotal was above 0 after some command. */
	char *swaps_peak, *swaps_end;
	struct proc_seen *procs;
	unsigned long read_error_line; /* with read_error, below */
	/* The activity counters: their values in the /proc/vmstat read at
	 * the end (vm_read: there was one), whether it printed them, and
	 * the command after which each was first nonzero (NO_STEP: never),
	 * or if that read came after several commands that may have moved
	 * it, the first of them (vm_from; = vm_first when it is exact).
	 * vm_pending of them are still 0; /proc/vmstat is read only while
	 * some are. vm_since and vm_until: the first and the last command
	 * since the last read (after vm_last_read) that may have moved
	 * one; vm_since NO_STEP if none. */
	size_t vm_pending, vm_since, vm_until, vm_last_read;
	unsigned long vm_val[NR_ACTIVITY];
	size_t vm_first[NR_ACTIVITY], vm_from[NR_ACTIVITY];
	struct buddy_snap first, last;
	int out_errno; /* why writing real_out first failed */
	int nr_sections;
	int nr_procs, cap_procs;
	bool vm_read;
	/* The counter on each line of /proc/vmstat (-1: none), as the
	 * first read found them (vm_indexed). */
	bool vm_indexed;
	bool had_swap;
	bool oom; /* an allocation for the report failed: it says so */
	bool stopped; /* the last step is the line a script error stopped */
	bool vm_present[NR_ACTIVITY];
	/* Why the script could not be read further, and the line; "": it
	 * could be. */
	char read_error[64];
	short vm_of_line[VM_LINES];
};

/* Whether @line (leading blanks allowed) is command @name: its first
 * word, ended by a blank, a comment or the line's end. */
static inline bool report_is_cmd(const char *line, const char *name)
{
	size_t n = strlen(name);

	line += strspn(line, " \t");
	return !strncmp(line, name, n) && strchr(" \t#", line[n]);
}

/* Write the page of run @r (the script @name, its exit @status) to @f. */
void report_render(FILE *f, const struct report *r, const char *name,
		   int status);

#endif /* MMK_SCRIPT_REPORT_H */
