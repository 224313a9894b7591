/* SPDX-License-Identifier: MIT */
/*
 * The HTML report of a script run (`mmkit demo`, `mmkit run --report`).
 *
 * Design. The report watches the interpreter through its observer (one
 * call after every command line) and reads the machine only as a user
 * would, through procfs: after each command it keeps a sample of
 * /proc/meminfo (memory in use, the kernel's and processes' uses of it,
 * and the swap in use), the free block counts of /proc/buddyinfo after
 * the first command and at the end, /proc/slabinfo at the command after which
 * Slab was highest, /proc/swaps at the command after which swap use was
 * highest and at the end, /proc/vmstat's event counters at the end (the
 * Activity table: faults, reclaim, swap, compaction and migration, the
 * OOM killer, and NUMA's on a machine of several nodes), and /proc/PID/maps
 * of each process the script spawned or forked, the last time it was
 * alive (read again after a command that names the process first, or
 * makes it). To tell after which command each event counter first rose
 * above 0 (numbered as the transcript numbers commands: the observer is
 * told no line of the file), /proc/vmstat is read after every command
 * but echo, cat and check (which change nothing) while one is still 0;
 * the first read notes which line holds which counter, so that later
 * ones compare one name for each counter, not every name with every
 * counter. Rendering /proc/vmstat costs more than the command itself in
 * a long run of cheap ones, so past VM_EXACT commands it is read every
 * few commands (VM_SAMPLES reads each time the run doubles) and a
 * counter that moved in between is shown with the commands it may have
 * moved in, as a range (10,000 commands: about 1,850 reads, not 10,000).
 * The script's output goes through a memory stream: each command's part
 * is passed on to the real output at once and kept for the transcript;
 * the line a script error stops at comes too (stopped_at), with its
 * error. `echo` lines that print `== N. title` start sections (the tour's
 * chapters); a script without them is one section.
 *
 * The page is self-contained (inline CSS and SVG, no script, nothing
 * fetched): a summary (the machine, with the defaults of the boot keys the
 * script left out; the peaks of slab and swap; the OOM killer's kills,
 * /proc/vmstat's oom_kill at the end), a plot of memory in use and one of
 * its uses over the commands with the sections marked (thousands of
 * commands plot as at most four points a pixel column, peaks kept; section
 * marks too close to tell apart are merged), the Activity table (each
 * counter /proc/vmstat printed, by its exact name with a label, its value
 * and the command, linked to the transcript, after which it was first
 * above 0, or in a long run the few commands it moved in; a group whose
 * counters all stayed 0 is one "none" line naming them), on a machine
 * that had swap the swap areas' table at the swap peak and at the end if
 * it differs (tables scroll sideways in a narrow window rather than
 * overflow it), grouped bars of free blocks per order for each zone
 * (start and end, log scale), horizontal bars of
 * the largest slab caches, a row per VMA of each process (bar length by
 * the log of its size, colour by protection), and the transcript by
 * section, `echo` lines as prose. Every text from the script or procfs is
 * escaped (bytes that are no UTF-8, and control characters, as \xNN).
 */
#define _POSIX_C_SOURCE 200809L
#include "script/internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define NR_ORDERS 11
#define MAX_ZONES 16 /* charted: the first ones /proc/buddyinfo lists */
#define TOP_CACHES 12

/* The /proc/meminfo fields sampled: the first is plotted alone, as
 * MemTotal - MemFree; the last, as SwapTotal - SwapFree, only on a
 * machine with swap. */
static const char *const series_key[] = {
	"MemFree",   "Slab",  "Percpu", "PageTables", "VmallocUsed",
	"AnonPages", "Shmem", "Cached", "SwapFree",
};
#define NR_SERIES (sizeof series_key / sizeof series_key[0])
#define SWAP (NR_SERIES - 1)

static const char *const series_colour[NR_SERIES] = {
	"#1f77b4", "#d62728", "#9467bd", "#8c564b", "#e377c2",
	"#2ca02c", "#17becf", "#ff7f0e", "#7f7f7f",
};

/* What the charts call each series (data-series and the legend). */
static const char *const series_name[NR_SERIES][2] = {
	{ "used", "MemTotal - MemFree" },
	{ "Slab", "Slab" },
	{ "Percpu", "Percpu" },
	{ "PageTables", "PageTables" },
	{ "VmallocUsed", "VmallocUsed" },
	{ "AnonPages", "AnonPages" },
	{ "Shmem", "Shmem" },
	{ "Cached", "Cached" },
	{ "swap", "swap used (SwapTotal - SwapFree)" },
};

/* The /proc/vmstat event counters the Activity table shows, by group
 * (activity_group), as /proc/vmstat names them in mmkit (Linux 6.18's
 * vm_event_item.h and numa_stat_item). */
enum { AG_FAULT, AG_RECLAIM, AG_SWAP, AG_COMPACT, AG_OOM, AG_NUMA, NR_AG };

static const char *const activity_group[NR_AG][2] = {
	{ "faults", "Page faults" },
	{ "reclaim", "Reclaim" },
	{ "swap", "Swap" },
	{ "compaction", "Compaction and migration" },
	{ "oom", "The OOM killer" },
	{ "numa", "NUMA" },
};

static const struct {
	int group;
	const char *name, *label;
} activity[] = {
	{ AG_FAULT, "pgfault", "page faults" },
	{ AG_FAULT, "pgmajfault", "major faults (the page read in)" },
	{ AG_RECLAIM, "pageoutrun", "kswapd runs (balance_pgdat)" },
	{ AG_RECLAIM, "pgscan_kswapd", "pages scanned by kswapd" },
	{ AG_RECLAIM, "pgscan_direct", "pages scanned by direct reclaim" },
	{ AG_RECLAIM, "pgsteal_kswapd", "pages reclaimed by kswapd" },
	{ AG_RECLAIM, "pgsteal_direct", "pages reclaimed by direct reclaim" },
	{ AG_RECLAIM, "pgactivate", "pages moved to an active list" },
	{ AG_RECLAIM, "pgdeactivate", "pages moved to an inactive list" },
	{ AG_RECLAIM, "workingset_refault_anon",
	  "refaults of evicted anonymous pages" },
	{ AG_RECLAIM, "workingset_refault_file",
	  "refaults of evicted file pages" },
	{ AG_SWAP, "pswpin", "pages swapped in" },
	{ AG_SWAP, "pswpout", "pages swapped out" },
	{ AG_COMPACT, "compact_stall", "direct compaction runs (stalls)" },
	{ AG_COMPACT, "compact_success", "stalls that freed a block" },
	{ AG_COMPACT, "compact_fail", "stalls that did not" },
	{ AG_COMPACT, "compact_migrate_scanned",
	  "pages the migrate scanner looked at" },
	{ AG_COMPACT, "compact_free_scanned",
	  "pages the free scanner looked at" },
	{ AG_COMPACT, "compact_daemon_wake", "kcompactd wakeups" },
	{ AG_COMPACT, "pgmigrate_success", "pages migrated" },
	{ AG_COMPACT, "pgmigrate_fail", "pages that failed to migrate" },
	{ AG_OOM, "oom_kill", "processes the OOM killer killed" },
	{ AG_NUMA, "numa_hit", "allocations on the node intended" },
	{ AG_NUMA, "numa_miss",
	  "allocations on this node, intended elsewhere" },
	{ AG_NUMA, "numa_foreign",
	  "allocations intended here, made elsewhere" },
	{ AG_NUMA, "numa_interleave", "interleave policy allocations" },
};
#define NR_ACTIVITY (sizeof activity / sizeof activity[0])
#define NO_STEP ((size_t)-1)
#define VM_LINES 512 /* the lines of /proc/vmstat indexed (193 on x86_64) */
/* /proc/vmstat is read after each of the first VM_EXACT commands; after
 * command i beyond, after every s-th, s the power of two at most
 * i / VM_SAMPLES: VM_SAMPLES reads each time the run doubles. */
#define VM_EXACT 1024
#define VM_SAMPLES 256

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

/* ---- escaping ---- */

/* The length of the well-formed UTF-8 sequence (not an overlong form, a
 * surrogate or above U+10FFFF) @s starts, of at most @n bytes; 0 if
 * none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* @n bytes of @s as HTML text of a UTF-8 page: markup characters
 * escaped, and bytes that are no UTF-8 or are control characters (but a
 * tab or a newline) shown as \xNN. */
static void put_escaped_n(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len;

	for (; n; p += len, n -= len) {
		len = utf8_len(p, n);
		if (!len || (*p < 0x20 && *p != '\t' && *p != '\n') ||
		    *p == 0x7f) {
			fprintf(f, "\\x%02x", *p);
			len = 1;
		} else if (*p == '<') {
			fputs("&lt;", f);
		} else if (*p == '>') {
			fputs("&gt;", f);
		} else if (*p == '&') {
			fputs("&amp;", f);
		} else if (*p == '"') {
			fputs("&quot;", f);
		} else {
			fwrite(p, 1, len, f);
		}
	}
}

static void put_escaped(FILE *f, const char *s)
{
	if (s)
		put_escaped_n(f, s, strlen(s));
}

/* ---- sampling ---- */

static unsigned long meminfo_field(const char *text, const char *key)
{
	size_t len = strlen(key);
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, len) && p[len] == ':')
			return strtoul(p + len + 1, NULL, 10);
	return 0;
}

/* "Node 0, zone   Normal      1      0 ..." lines into @b. */
static void parse_buddyinfo(const char *text, struct buddy_snap *b)
{
	const char *p = text;

	b->nr = 0;
	while (p && *p && b->nr < MAX_ZONES) {
		struct zone_free *z = &b->zone[b->nr];
		int node, used = 0, k;
		char zone[24];
		const char *q;

		if (sscanf(p, "Node %d, zone %23s%n", &node, zone, &used) ==
		    2) {
			snprintf(z->name, sizeof z->name, "Node %d, zone %s",
				 node, zone);
			q = p + used;
			for (k = 0; k < NR_ORDERS; k++) {
				char *end;

				z->blocks[k] = strtoul(q, &end, 10);
				q = end;
			}
			b->nr++;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

/* The title of the section an `echo` that printed @out starts ("== N.
 * title", as the terminal shows it: the comment gone, the words one space
 * apart), a copy without the newline; NULL if none (or no memory). */
static char *section_title(const char *out)
{
	if (strncmp(out, "== ", 3) != 0 || out[3] < '0' || out[3] > '9')
		return NULL;
	out += 3;
	return strndup(out, strcspn(out, "\n"));
}

/* A section's heading: its title's first sentence ("1. A freshly booted
 * machine."), or all of it. */
static void put_heading(FILE *f, const char *title)
{
	const char *num_end = strstr(title, ". "), *end;

	end = num_end ? strstr(num_end + 2, ". ") : NULL;
	put_escaped_n(f, title,
		      end ? (size_t)(end - title + 1) : strlen(title));
}

/* Whether @line (leading blanks allowed) is command @name: its first
 * word, ended by a blank, a comment or the line's end. */
static bool is_cmd(const char *line, const char *name)
{
	size_t n = strlen(name);

	line += strspn(line, " \t");
	return !strncmp(line, name, n) && strchr(" \t#", line[n]);
}

/* Word @i (from 0) of @line as a number, in the interpreter's forms
 * (decimal or 0x hex); -1 if there is none. */
static long word_number(const char *line, int i)
{
	char *end;
	long v;

	for (line += strspn(line, " \t"); i > 0 && *line; i--) {
		line += strcspn(line, " \t");
		line += strspn(line, " \t");
	}
	if (*line < '0' || *line > '9')
		return -1;
	v = strtol(line, &end, 0);
	return strchr(" \t#", *end) && v > 0 && v <= INT_MAX ? v : -1;
}

/* Read process @p's maps after command @step (from 0). */
static void read_maps(struct mmk_machine *m, struct proc_seen *p, size_t step)
{
	char path[48], *text;
	const char *q;
	size_t lines = 0;

	snprintf(path, sizeof path, "/proc/%d/maps", p->pid);
	text = mmk_proc_read(m, path);
	p->alive = text != NULL;
	p->gone = !text;
	if (!text)
		return;
	for (q = text; (q = strchr(q, '\n')); q++)
		lines++;
	free(p->maps);
	p->maps = text;
	p->step = p->read_step = step;
	p->due = step + lines / MAPS_BUDGET;
	p->stale = false;
}

/* Note the processes `spawn PID` and `fork PARENT CHILD` make, and keep
 * each one's maps while it lives: read again after a command that names
 * it first or makes it (only such commands change its VMAs), at most as
 * often as MAPS_BUDGET allows, and at the end. One that has exited, or
 * never lived (a fork that failed), is not read again until a command
 * names it: thousands of them cost no more than one each (a read after
 * every command of each made 3,000 processes that exited and 10,000
 * commands take 9.5 s, not 1.6). */
static void watch_processes(struct report *r, struct mmk_machine *m,
			    const char *line)
{
	long named = word_number(line, 1), pid = -1;
	int i;

	if (is_cmd(line, "spawn"))
		pid = named;
	else if (is_cmd(line, "fork"))
		pid = word_number(line, 2);
	for (i = 0; pid > 0 && i < r->nr_procs; i++)
		if (r->procs[i].pid == pid)
			break;
	if (pid > 0 && i == r->nr_procs) {
		if (r->nr_procs == r->cap_procs) {
			int ncap = r->cap_procs ? 2 * r->cap_procs : 16;
			struct proc_seen *np =
				realloc(r->procs, (size_t)ncap * sizeof(*np));

			if (!np) {
				r->oom = true;
				pid = -1;
			} else {
				r->procs = np;
				r->cap_procs = ncap;
			}
		}
		if (pid > 0)
			r->procs[r->nr_procs++] =
				(struct proc_seen){ .pid = (int)pid };
	}
	for (i = 0; i < r->nr_procs; i++) {
		struct proc_seen *p = &r->procs[i];

		if (p->pid == named || p->pid == pid) {
			p->stale = p->maps != NULL;
			p->gone = false;
		}
		if (!p->gone &&
		    (!p->maps || (p->stale && r->nr_steps >= p->due))) {
			read_maps(m, p, r->nr_steps);
			continue;
		}
		if (p->alive)
			p->alive = mmk_task_alive(p->pid);
		if (p->alive)
			p->step = r->nr_steps;
	}
}

/* The activity counter the /proc/vmstat line @p ("name value") is; -1
 * if none. */
static int activity_line(const char *p)
{
	size_t n = strcspn(p, " \n");
	size_t i;

	for (i = 0; i < NR_ACTIVITY; i++)
		if (!strncmp(p, activity[i].name, n) && !activity[i].name[n])
			return (int)i;
	return -1;
}

/* Read /proc/vmstat: note the activity counters it shows above 0 for
 * the first time as first nonzero after this command, or one of those
 * since the last read (from vm_since). The first read notes which line
 * has which counter (a machine prints the same lines every time); later
 * reads compare only those lines' names with the counter's, and search
 * the others' only if one differs. */
static void sample_vmstat(struct report *r, struct mmk_machine *m)
{
	char *text;
	const char *p;
	size_t k;
	int i;

	text = mmk_proc_read(m, "/proc/vmstat");
	if (!text) {
		r->oom = true; /* a counter may be shown late */
		return;
	}
	for (p = text, k = 0; *p; k++) {
		if (k >= VM_LINES || !r->vm_indexed)
			i = activity_line(p);
		else
			i = r->vm_of_line[k];
		if (i >= 0 && (strncmp(p, activity[i].name,
				       strlen(activity[i].name)) != 0 ||
			       p[strlen(activity[i].name)] != ' '))
			i = activity_line(p);
		if (k < VM_LINES && !r->vm_indexed)
			r->vm_of_line[k] = (short)i;
		if (i >= 0 && r->vm_first[i] == NO_STEP &&
		    strtoul(p + strlen(activity[i].name), NULL, 10)) {
			r->vm_first[i] = r->nr_steps;
			r->vm_from[i] = r->vm_since;
			r->vm_pending--;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	for (; k < VM_LINES && !r->vm_indexed; k++)
		r->vm_of_line[k] = -1;
	r->vm_indexed = true;
	r->vm_since = NO_STEP;
	r->vm_last_read = r->nr_steps;
	free(text);
}

/* After command @line: whether it may have moved an event counter (echo
 * changes nothing, nor do cat, as procfs only reads, and check, as the
 * verifiers only read), and whether /proc/vmstat is due: after every
 * command of the first VM_EXACT, then every s-th (see VM_SAMPLES), so
 * that 10,000 commands cost not 10,000 reads but under 2,000; never
 * again once every counter has moved. */
static void watch_vmstat(struct report *r, struct mmk_machine *m,
			 const char *line)
{
	size_t stride = 1;

	if (!r->vm_pending || is_cmd(line, "echo") || is_cmd(line, "cat") ||
	    is_cmd(line, "check"))
		return;
	if (r->vm_since == NO_STEP)
		r->vm_since = r->nr_steps;
	r->vm_until = r->nr_steps;
	if (r->nr_steps >= VM_EXACT)
		while (2 * stride <= r->nr_steps / VM_SAMPLES)
			stride *= 2;
	if (r->vm_last_read == NO_STEP ||
	    r->nr_steps - r->vm_last_read >= stride)
		sample_vmstat(r, m);
}

/* The counters' values in /proc/vmstat at the end, and /proc/swaps. */
static void read_vmstat_end(struct report *r, struct mmk_machine *m)
{
	char *text = mmk_proc_read(m, "/proc/vmstat");
	const char *p;
	int i;

	r->vm_read = text != NULL;
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		i = activity_line(p);
		if (i < 0)
			continue;
		r->vm_present[i] = true;
		r->vm_val[i] = strtoul(p + strlen(activity[i].name), NULL, 10);
		/* Moved in the commands since the last read. */
		if (r->vm_val[i] && r->vm_first[i] == NO_STEP &&
		    r->vm_since != NO_STEP) {
			r->vm_first[i] = r->vm_until;
			r->vm_from[i] = r->vm_since;
		}
		if (!strcmp(activity[i].name, "oom_kill"))
			r->oom_kills = (long)r->vm_val[i];
	}
	free(text);
	r->swaps_end = mmk_proc_read(m, "/proc/swaps");
	r->oom |= !r->vm_read || !r->swaps_end;
}

static void at_end(void *arg, struct mmk_machine *m)
{
	struct report *r = arg;
	char *text;
	int i;

	if (!m || !r->nr_steps)
		return;
	text = mmk_proc_read(m, "/proc/buddyinfo");
	if (text)
		parse_buddyinfo(text, &r->last);
	free(text);
	read_vmstat_end(r, m);
	for (i = 0; i < r->nr_procs; i++)
		if (r->procs[i].alive && r->procs[i].stale)
			read_maps(m, &r->procs[i], r->nr_steps - 1);
}

/* Record the command @line ran on @m (@error: the script error that
 * stopped it, or NULL): its output, passed on to the real output, and
 * the machine's state after it. */
static void record_step(struct report *r, struct mmk_machine *m,
			const char *line, const char *error)
{
	struct step *st;
	char *text, *title = NULL;
	size_t i;

	fflush(r->cap);
	if (r->caplen > r->capoff)
		fwrite(r->capbuf + r->capoff, 1, r->caplen - r->capoff,
		       r->real_out);
	errno = 0;
	if (fflush(r->real_out) && !r->out_errno)
		r->out_errno = errno; /* the first failure's reason */
	if (r->nr_steps == r->cap_steps) {
		size_t ncap = r->cap_steps ? 2 * r->cap_steps : 64;
		struct step *ns = realloc(r->steps, ncap * sizeof(*ns));

		if (!ns) {
			r->oom = true;
			r->capoff = r->caplen;
			return;
		}
		r->steps = ns;
		r->cap_steps = ncap;
	}
	st = &r->steps[r->nr_steps];
	memset(st, 0, sizeof(*st));
	st->cmd = str_dup(line + strspn(line, " \t"));
	st->echo = st->cmd && is_cmd(st->cmd, "echo");
	st->output = malloc(r->caplen - r->capoff + 1);
	if (st->output) {
		memcpy(st->output, r->capbuf + r->capoff,
		       r->caplen - r->capoff);
		st->output[r->caplen - r->capoff] = '\0';
	}
	st->error = error ? str_dup(error) : NULL;
	if (!st->cmd || !st->output || (error && !st->error))
		r->oom = true;
	r->capoff = r->caplen;
	if (st->echo && st->output)
		title = section_title(st->output);
	if (title) {
		char **ns = realloc(r->sections,
				    (size_t)(r->nr_sections + 1) * sizeof(*ns));

		if (!ns) {
			free(title);
			r->oom = true;
		} else {
			r->sections = ns;
			r->sections[r->nr_sections++] = title;
		}
	}
	st->section = r->nr_sections - 1;
	if (!m) {
		r->nr_steps++;
		return;
	}
	text = mmk_proc_read(m, "/proc/meminfo");
	if (text) {
		for (i = 0; i < NR_SERIES; i++)
			st->kb[i] = meminfo_field(text, series_key[i]);
		r->memtotal_kb = meminfo_field(text, "MemTotal");
		st->used_kb = r->memtotal_kb - st->kb[0];
		r->swaptotal_kb = meminfo_field(text, "SwapTotal");
		st->kb[SWAP] = r->swaptotal_kb - st->kb[SWAP];
		r->had_swap |= r->swaptotal_kb > 0;
		if (st->kb[SWAP] > r->peak_swap_kb) {
			r->peak_swap_kb = st->kb[SWAP];
			r->peak_swap_step = r->nr_steps;
			/* The areas then: read again while the peak rises. */
			free(r->swaps_peak);
			r->swaps_peak = mmk_proc_read(m, "/proc/swaps");
			r->oom |= !r->swaps_peak;
		}
		free(text);
	}
	watch_vmstat(r, m, line);
	/* The first free block counts; the last are read at the end. */
	text = r->first.nr ? NULL : mmk_proc_read(m, "/proc/buddyinfo");
	if (text) {
		parse_buddyinfo(text, &r->first);
		r->last = r->first;
		free(text);
	}
	/* Slab is series 1. */
	if (!r->peak_slabinfo || st->kb[1] > r->peak_slab_kb) {
		text = mmk_proc_read(m, "/proc/slabinfo");
		if (text) {
			free(r->peak_slabinfo);
			r->peak_slabinfo = text;
			r->peak_slab_kb = st->kb[1];
			r->peak_step = r->nr_steps;
		}
	}
	watch_processes(r, m, line);
	r->nr_steps++;
}

static void after_line(void *arg, struct mmk_machine *m, const char *line)
{
	record_step(arg, m, line, NULL);
}

static void stopped_at(void *arg, struct mmk_machine *m, const char *line,
		       const char *error)
{
	struct report *r = arg;

	record_step(r, m, line, error);
	r->stopped = true;
}

static void read_error(void *arg, unsigned long line, const char *error)
{
	struct report *r = arg;

	snprintf(r->read_error, sizeof r->read_error, "%s", error);
	r->read_error_line = line;
}

/* ---- rendering helpers ---- */

/* @kb as "12.3 MiB" / "456 KiB". */
static void fmt_kb(char *buf, size_t len, double kb)
{
	if (kb >= 1024.0 * 1024)
		snprintf(buf, len, "%.2f GiB", kb / (1024.0 * 1024));
	else if (kb >= 1024.0)
		snprintf(buf, len, "%.1f MiB", kb / 1024.0);
	else
		snprintf(buf, len, "%.0f KiB", kb);
}

/* A round axis maximum at or above @v (1, 2 or 5 times a power of 10). */
static double nice_max(double v)
{
	double p = 1;

	if (v <= 1)
		return 1;
	while (p * 10 < v)
		p *= 10;
	if (v <= p)
		return p;
	if (v <= 2 * p)
		return 2 * p;
	if (v <= 5 * p)
		return 5 * p;
	return 10 * p;
}

/* log2(@y) for @y >= 1, to within 1% (bar heights need no more; the
 * library does not link libm): the exponent, plus a quadratic fit of
 * log2 on [1, 2). */
static double log2_approx(double y)
{
	double e = 0, m;

	while (y >= 2) {
		y /= 2;
		e++;
	}
	m = y - 1;
	return e + m * (1.3465 - 0.3465 * m);
}

/* What the charts plot for series @s: memory in use for MemFree. */
static double step_value(const struct step *st, size_t s)
{
	return (double)(s ? st->kb[s] : st->used_kb);
}

/* A tick label of an axis in @unit (1024^k KiB): @kb in that unit, with
 * the decimals it has (a quarter of 50 KiB is 12.5 KiB, not 12). */
static void fmt_tick(char *buf, size_t len, double kb, double unit)
{
	const char *name = unit >= 1024.0 * 1024 ? "GiB" :
			   unit >= 1024.0	 ? "MiB" :
						   "KiB";
	char num[32];
	size_t n;

	snprintf(num, sizeof num, "%.2f", kb / unit);
	n = strlen(num);
	while (num[n - 1] == '0')
		num[--n] = '\0';
	if (num[n - 1] == '.')
		num[--n] = '\0';
	snprintf(buf, len, "%s %s", num, name);
}

#define CW 920 /* chart width */
#define CH 260 /* chart height */
#define ML 80 /* left margin (axis labels) */
#define MR 20
#define MT 20
#define MB 40

#define SECT_GAP 3 /* px between two section lines */
#define DIGIT_W 6.2 /* px a digit of a section number takes */

/* Series @s's points over the steps, @xstep px apart: all of them, or
 * when several steps share a pixel column (thousands of commands), the
 * column's first, lowest, highest and last, in order: the same line,
 * its peaks and all, in at most four points a column. */
static void put_points(FILE *f, const struct report *r, size_t s, double xstep,
		       double ymax)
{
	size_t i = 0, j, k, lo, hi, pick[4];
	bool first = true;
	int n, c;

	while (i < r->nr_steps) {
		long col = (long)(xstep * (double)i);

		lo = hi = i;
		for (j = i + 1;
		     j < r->nr_steps && (long)(xstep * (double)j) == col; j++) {
			if (step_value(&r->steps[j], s) <
			    step_value(&r->steps[lo], s))
				lo = j;
			if (step_value(&r->steps[j], s) >
			    step_value(&r->steps[hi], s))
				hi = j;
		}
		pick[0] = i;
		pick[1] = lo < hi ? lo : hi;
		pick[2] = lo < hi ? hi : lo;
		pick[3] = j - 1;
		for (n = 0; n < 4; n++) {
			k = pick[n];
			for (c = 0; c < n && pick[c] != k; c++)
				;
			if (c < n)
				continue;
			fprintf(f, "%s%.1f,%.1f", first ? "" : " ",
				ML + xstep * (double)k,
				MT + (CH - MT -
				      MB) * (1 - step_value(&r->steps[k], s) /
							 ymax));
			first = false;
		}
		i = j;
	}
}

/* A line chart of the series in @mask over the steps, the sections
 * marked by dashed lines numbered as in the transcript. */
static void line_chart(FILE *f, const struct report *r, unsigned int mask,
		       const char *label)
{
	double max = 0, ymax, xstep, unit, line_x = -CW, label_end = -CW;
	size_t i, s;
	int t, sec = -1;

	for (i = 0; i < r->nr_steps; i++)
		for (s = 0; s < NR_SERIES; s++)
			if ((mask >> s & 1) &&
			    step_value(&r->steps[i], s) > max)
				max = step_value(&r->steps[i], s);
	/* Round in the unit the labels use (KiB, MiB or GiB). */
	unit = max >= 1024.0 * 1024 ? 1024.0 * 1024 : max >= 1024 ? 1024 : 1;
	ymax = nice_max(max / unit) * unit;
	/* 1000-1023 KiB rounds up to 2000: label it in MiB, 2 MiB. */
	if (ymax >= 1024 * unit && unit < 1024.0 * 1024) {
		unit *= 1024;
		ymax = nice_max(max / unit) * unit;
	}
	xstep = r->nr_steps > 1 ?
			(double)(CW - ML - MR) / (double)(r->nr_steps - 1) :
			0;
	fprintf(f,
		"<svg class=\"chart\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
		CW, CH, CW, CH);
	put_escaped(f, label);
	fputs("\">\n", f);
	for (t = 0; t <= 4; t++) {
		double y = MT + (CH - MT - MB) * (1 - t / 4.0);
		char v[48];

		fmt_tick(v, sizeof v, ymax * t / 4.0, unit);
		fprintf(f,
			"<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
			"y2=\"%.1f\"/><text class=\"ylab\" x=\"%d\" "
			"y=\"%.1f\">%s</text>\n",
			ML, y, CW - MR, y, ML - 6, y + 4, v);
	}
	/* Sections closer than SECT_GAP px share the first one's line, and
	 * a number that would overlap the last one shown is left out. */
	for (i = 0; i < r->nr_steps; i++) {
		double x = ML + xstep * (double)i;
		int digits;

		if (r->steps[i].section == sec || r->steps[i].section < 0)
			continue;
		sec = r->steps[i].section;
		if (x < line_x + SECT_GAP)
			continue;
		line_x = x;
		fprintf(f,
			"<line class=\"sect\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
			"y2=\"%d\"/>\n",
			x, MT, x, CH - MB);
		if (x < label_end)
			continue;
		/* Numbered as its title is ("3. ..." -> 3). */
		digits = (int)strspn(r->sections[sec], "0123456789");
		fprintf(f,
			"<text class=\"slab\" x=\"%.1f\" y=\"%d\">%.*s</text>\n",
			x + 2, CH - MB + 14, digits, r->sections[sec]);
		label_end = x + 2 + DIGIT_W * digits + 2;
	}
	for (s = 0; s < NR_SERIES; s++) {
		if (!(mask >> s & 1))
			continue;
		fprintf(f,
			"<polyline class=\"series\" fill=\"none\" "
			"stroke=\"%s\"%s data-series=\"%s\" points=\"",
			series_colour[s],
			s == SWAP ? " stroke-dasharray=\"6 3\"" : "",
			series_name[s][0]);
		put_points(f, r, s, xstep, ymax);
		fputs("\"/>\n", f);
	}
	if (r->nr_steps)
		fprintf(f,
			"<text class=\"xlab\" x=\"%d\" y=\"%d\">command (1 to "
			"%zu); dashed lines start the numbered sections</text>"
			"\n</svg>\n",
			ML, CH - 6, r->nr_steps);
	else
		fprintf(f,
			"<text class=\"xlab\" x=\"%d\" y=\"%d\">no command "
			"ran</text>\n</svg>\n",
			ML, CH - 6);
	fputs("<p class=\"legend\">", f);
	for (s = 0; s < NR_SERIES; s++)
		if (mask >> s & 1)
			fprintf(f,
				"<span><i style=\"background:%s\"></i>%s</span> ",
				series_colour[s], series_name[s][1]);
	fputs("</p>\n", f);
}

/* Grouped bars, log scale: free blocks per order at the start and the
 * end, for each zone of the first sample. */
static void buddy_charts(FILE *f, const struct report *r)
{
	/* A bar is as wide as five digits of its count, which a bigger
	 * count shortens to (128246 as 128k). */
	const int h = 170, bw = 30, gap = 12;
	int zi, k;

	for (zi = 0; zi < r->first.nr; zi++) {
		const struct zone_free *a = &r->first.zone[zi], *b = NULL;
		unsigned long max = 1;
		int w = ML + NR_ORDERS * (2 * bw + gap) + MR, j;

		for (j = 0; j < r->last.nr; j++)
			if (!strcmp(r->last.zone[j].name, a->name))
				b = &r->last.zone[j];
		for (k = 0; k < NR_ORDERS; k++) {
			if (a->blocks[k] > max)
				max = a->blocks[k];
			if (b && b->blocks[k] > max)
				max = b->blocks[k];
		}
		fputs("<figure><figcaption>", f);
		put_escaped(f, a->name);
		fputs("</figcaption>\n", f);
		fprintf(f,
			"<svg class=\"chart\" width=\"%d\" height=\"%d\" "
			"viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"free "
			"blocks per order\">\n",
			w, h, w, h);
		for (k = 0; k < NR_ORDERS; k++) {
			int x = ML + k * (2 * bw + gap), side;

			for (side = 0; side < 2; side++) {
				const struct zone_free *z = side ? b : a;
				unsigned long n = z ? z->blocks[k] : 0;
				double bh = (h - 50) *
					    log2_approx(1.0 + (double)n) /
					    log2_approx(1.0 + (double)max);

				char count[24];

				if (n < 100000)
					snprintf(count, sizeof count, "%lu", n);
				else if (n < 10000000)
					snprintf(count, sizeof count, "%luk",
						 n / 1000);
				else
					snprintf(count, sizeof count, "%luM",
						 n / 1000000);
				fprintf(f,
					"<rect class=\"%s\" x=\"%d\" y=\"%.1f\" "
					"width=\"%d\" height=\"%.1f\" "
					"data-blocks=\"%lu\"/><text "
					"class=\"val\" x=\"%d\" y=\"%.1f\">%s"
					"</text>\n",
					side ? "end" : "start", x + side * bw,
					h - 30 - bh, bw - 2, bh, n,
					x + side * bw + bw / 2 - 1, h - 33 - bh,
					count);
			}
			fprintf(f,
				"<text class=\"olab\" x=\"%d\" y=\"%d\">%d</text>\n",
				x + bw, h - 14, k);
		}
		fprintf(f,
			"<text class=\"xlab\" x=\"%d\" y=\"%d\">order</text>\n"
			"</svg></figure>\n",
			ML - 50, h - 14);
	}
	fputs("<p class=\"legend\"><span><i class=\"start\"></i>after the "
	      "first command</span> <span><i class=\"end\"></i>after the "
	      "last</span> (bar heights: log scale)</p>\n",
	      f);
}

struct cache_row {
	char name[64];
	unsigned long active, objsize, kb;
};

static int cmp_cache(const void *a, const void *b)
{
	const struct cache_row *x = a, *y = b;

	if (x->kb != y->kb)
		return x->kb < y->kb ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Horizontal bars of the largest caches in /proc/slabinfo @text. */
static void slab_chart(FILE *f, const char *text)
{
	struct cache_row rows[TOP_CACHES + 1];
	int n = 0, i;
	unsigned long max = 1;
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		struct cache_row c;
		unsigned long num, perslab, pages, a1, a2, a3, slabs;
		/* A name of any length: the chart shows its first 63 bytes. */
		size_t nlen = strcspn(p, " \t\n");

		if (*p == '#' || !strncmp(p, "slabinfo", 8))
			continue;
		if (sscanf(p + nlen,
			   "%lu %lu %lu %lu %lu : tunables %lu %lu %lu : "
			   "slabdata %*u %lu",
			   &c.active, &num, &c.objsize, &perslab, &pages, &a1,
			   &a2, &a3, &slabs) != 9)
			continue;
		c.kb = slabs * pages * 4;
		if (!c.kb)
			continue;
		snprintf(c.name, sizeof c.name, "%.*s", (int)nlen, p);
		/* Keep the TOP_CACHES largest: the smallest falls off. */
		rows[n] = c;
		qsort(rows, (size_t)n + 1, sizeof rows[0], cmp_cache);
		if (n < TOP_CACHES)
			n++;
	}
	for (i = 0; i < n; i++)
		if (rows[i].kb > max)
			max = rows[i].kb;
	fprintf(f,
		"<svg class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 "
		"%d %d\" role=\"img\" aria-label=\"largest slab caches\">\n",
		CW, 24 * n + 10, CW, 24 * n + 10);
	for (i = 0; i < n; i++) {
		double w = 420.0 * (double)rows[i].kb / (double)max;
		char v[32];

		fmt_kb(v, sizeof v, (double)rows[i].kb);
		fprintf(f, "<text class=\"cname\" x=\"200\" y=\"%d\">",
			24 * i + 20);
		put_escaped(f, rows[i].name);
		fprintf(f,
			"</text><rect class=\"cache\" x=\"210\" y=\"%d\" "
			"width=\"%.1f\" height=\"16\" data-kb=\"%lu\"/>"
			"<text class=\"val2\" x=\"%.1f\" y=\"%d\">%s: %lu "
			"objects of %lu B</text>\n",
			24 * i + 7, w, rows[i].kb, 216 + w, 24 * i + 20, v,
			rows[i].active, rows[i].objsize);
	}
	fputs("</svg>\n", f);
}

static const char *vma_class(const char *perms)
{
	if (perms[3] == 's')
		return "vs";
	if (perms[1] == 'w')
		return "vw";
	if (perms[2] == 'x')
		return "vx";
	if (perms[0] == 'r')
		return "vr";
	return "vn";
}

/* A row per VMA of @maps, in address order: its range, a bar whose
 * length grows with the log of its size, and its protection, size and
 * name. */
static void maps_chart(FILE *f, const char *maps)
{
	const char *p;
	int n = 0, row = 0;

	for (p = maps; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n++;
	fprintf(f,
		"<svg class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 "
		"%d %d\" role=\"img\" aria-label=\"address space\">\n",
		CW, 20 * n + 6, CW, 20 * n + 6);
	for (p = maps; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned long start, end, kb;
		char perms[8], name[128] = "", size[32];
		int used = 0;
		double w;

		if (sscanf(p, "%lx-%lx %7s %*s %*s %*s%n", &start, &end, perms,
			   &used) != 3 ||
		    strlen(perms) != 4)
			continue;
		used += (int)strspn(p + used, " \t");
		if (p[used] != '\n')
			sscanf(p + used, "%127[^\n]", name);
		kb = (end - start) >> 10;
		/* 12 px a doubling: 4 KiB 12 px, 1 GiB 228, 128 TiB 432,
		 * so that the label after it fits. */
		w = 12 * (1 + log2_approx((double)((end - start) >> 12) + 1));
		fprintf(f,
			"<text class=\"cname\" x=\"250\" y=\"%d\">%lx-%lx"
			"</text><rect class=\"%s\" x=\"260\" y=\"%d\" "
			"width=\"%.1f\" height=\"14\"/><text class=\"val2\" "
			"x=\"%.1f\" y=\"%d\">%s ",
			20 * row + 16, start, end, vma_class(perms),
			20 * row + 4, w, 266 + w, 20 * row + 16, perms);
		fmt_kb(size, sizeof size, (double)kb);
		fputs(size, f);
		if (*name) {
			fputc(' ', f);
			put_escaped(f, name);
		}
		fputs("</text>\n", f);
		row++;
	}
	fputs("</svg>\n", f);
}

static void process_charts(FILE *f, const struct report *r)
{
	int i;

	if (!r->nr_procs)
		return;
	fputs("<h2>Process address spaces</h2>\n<p>Each process's VMAs from "
	      "/proc/PID/maps, as they were after the last command it "
	      "lived through (bar length: log of the size; colour: "
	      "<span class=\"k vw\">writable</span> <span class=\"k "
	      "vr\">read-only</span> <span class=\"k vx\">executable</span> "
	      "<span class=\"k vs\">shared</span> <span class=\"k "
	      "vn\">no access</span>).</p>\n",
	      f);
	for (i = 0; i < r->nr_procs; i++) {
		const struct proc_seen *p = &r->procs[i];

		if (!p->maps)
			continue;
		fprintf(f,
			"<figure><figcaption>Process %d, after command %zu%s"
			"</figcaption>\n",
			p->pid, (p->stale ? p->read_step : p->step) + 1,
			p->alive ? "" : " (then it exited)");
		maps_chart(f, p->maps);
		fputs("</figure>\n", f);
	}
}

/* Where step @i is: a link to command @i + 1 in the transcript, its
 * section's number, and the command (its first 80 bytes, cut at a
 * character). */
static void put_command_ref(FILE *f, const struct report *r, size_t i)
{
	const struct step *st = &r->steps[i];
	const char *cmd = st->cmd ? st->cmd : "";
	size_t n = strlen(cmd), cut = n;

	fprintf(f, "<a href=\"#c%zu\">command %zu</a>", i + 1, i + 1);
	if (st->section >= 0)
		fprintf(f, " (section %.*s)",
			(int)strspn(r->sections[st->section], "0123456789"),
			r->sections[st->section]);
	if (n > 80)
		for (cut = 80; cut && (cmd[cut] & 0xc0) == 0x80; cut--)
			;
	fputs(": <code>", f);
	put_escaped_n(f, cmd, cut);
	fputs(cut < n ? " \xe2\x80\xa6</code>" : "</code>", f);
}

/* The number of nodes /proc/buddyinfo listed (one more than the
 * highest). */
static int nr_nodes(const struct report *r)
{
	int i, node, max = 0;

	for (i = 0; i < r->last.nr; i++)
		if (sscanf(r->last.zone[i].name, "Node %d", &node) == 1 &&
		    node + 1 > max)
			max = node + 1;
	return max;
}

/* The table of activity counters in /proc/vmstat at the end, by group:
 * each one it printed (NUMA's on a machine of several nodes only), with
 * the command after which it was first above 0; a group whose counters
 * all stayed 0 is one line, "none". */
static void activity_table(FILE *f, const struct report *r)
{
	int g;
	size_t i;

	fputs("<div class=\"wide\"><table class=\"activity events\">\n<tr><th>"
	      "Event</th><th>Counter</th><th class=\"num\">At the end</th>"
	      "<th>First nonzero after</th></tr>\n",
	      f);
	for (g = 0; g < NR_AG; g++) {
		bool any = false, moved = false;

		if (g == AG_NUMA && nr_nodes(r) < 2)
			continue;
		for (i = 0; i < NR_ACTIVITY; i++)
			if (activity[i].group == g && r->vm_present[i]) {
				any = true;
				moved |= r->vm_val[i] > 0;
			}
		if (!any)
			continue;
		if (!moved) {
			const char *sep = "";

			fprintf(f,
				"<tr class=\"group\"><th>%s</th><td "
				"colspan=\"3\" id=\"none-%s\">none: ",
				activity_group[g][1], activity_group[g][0]);
			for (i = 0; i < NR_ACTIVITY; i++) {
				if (activity[i].group != g || !r->vm_present[i])
					continue;
				fprintf(f, "%s<code>%s</code>", sep,
					activity[i].name);
				sep = " ";
			}
			fputs(" stayed 0</td></tr>\n", f);
			continue;
		}
		fprintf(f,
			"<tr class=\"group\"><th colspan=\"4\" "
			"id=\"group-%s\">%s</th></tr>\n",
			activity_group[g][0], activity_group[g][1]);
		for (i = 0; i < NR_ACTIVITY; i++) {
			if (activity[i].group != g || !r->vm_present[i])
				continue;
			fprintf(f,
				"<tr><td>%s</td><td><code>%s</code></td><td "
				"class=\"num\" id=\"vm-%s\">%lu</td><td "
				"id=\"first-%s\">",
				activity[i].label, activity[i].name,
				activity[i].name, r->vm_val[i],
				activity[i].name);
			if (r->vm_first[i] >= r->nr_steps)
				fputs("never", f);
			else if (r->vm_from[i] < r->vm_first[i])
				fprintf(f,
					"one of <a href=\"#c%zu\">commands "
					"%zu</a> to <a href=\"#c%zu\">%zu</a> "
					"(a long run: /proc/vmstat read every "
					"few commands)",
					r->vm_from[i] + 1, r->vm_from[i] + 1,
					r->vm_first[i] + 1, r->vm_first[i] + 1);
			else
				put_command_ref(f, r, r->vm_first[i]);
			fputs("</td></tr>\n", f);
		}
	}
	fputs("</table></div>\n", f);
}

static void activity_section(FILE *f, const struct report *r)
{
	fputs("<h2>Activity</h2>\n", f);
	if (!r->vm_read) {
		fputs(r->first.nr ? "<p class=\"none\">/proc/vmstat could not "
				    "be read at the end.</p>\n" :
				    "<p class=\"none\">No machine ran a "
				    "command: no /proc/vmstat to show.</p>\n",
		      f);
		return;
	}
	fputs("<p>Event counters of /proc/vmstat after the last command, "
	      "with the command after which each first rose above 0 "
	      "(/proc/vmstat is read after every command, and past the "
	      "1,024th every few). A group whose "
	      "counters all stayed 0 is one line: none.</p>\n",
	      f);
	activity_table(f, r);
}

/* /proc/swaps @text as a table (Filename, Type, Size, Used, Priority;
 * sizes in kB), its rows in the file's order; @id names it. */
static void swaps_table(FILE *f, const char *text, const char *id)
{
	const char *p;

	fprintf(f,
		"<div class=\"wide\"><table class=\"activity\" id=\"%s\">\n"
		"<tr><th>Filename</th><th>Type</th><th class=\"num\">Size "
		"(kB)</th><th class=\"num\">Used (kB)</th><th "
		"class=\"num\">Priority</th></tr>\n",
		id);
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		/* "NAME<spaces>TYPE\t\tSIZE\t\tUSED\t\tPRIO": the name
		 * ends where the spaces before the type start. */
		size_t head = strcspn(p, "\t\n"), type, name;
		unsigned long size, used;
		long prio;

		if (!strncmp(p, "Filename", 8) || p[head] != '\t' ||
		    sscanf(p + head, "%lu %lu %ld", &size, &used, &prio) != 3)
			continue;
		for (type = head; type && p[type - 1] != ' '; type--)
			;
		for (name = type; name && p[name - 1] == ' '; name--)
			;
		fputs("<tr><td>", f);
		put_escaped_n(f, p, name);
		fputs("</td><td>", f);
		put_escaped_n(f, p + type, head - type);
		fprintf(f,
			"</td><td class=\"num\">%lu</td><td class=\"num\">%lu"
			"</td><td class=\"num\">%ld</td></tr>\n",
			size, used, prio);
	}
	fputs("</table></div>\n", f);
}

/* Whether /proc/swaps @text lists an area. */
static bool has_areas(const char *text)
{
	const char *nl = text ? strchr(text, '\n') : NULL;

	return nl && nl[1];
}

/* The swap areas when swap use peaked, and at the end if they differ:
 * on a machine that had swap after some command. */
static void swap_section(FILE *f, const struct report *r)
{
	char v[32];

	if (!r->had_swap && !has_areas(r->swaps_end))
		return;
	fputs("<h2>Swap areas</h2>\n", f);
	if (r->swaps_peak && r->peak_swap_kb) {
		fmt_kb(v, sizeof v, (double)r->peak_swap_kb);
		fputs("<p>/proc/swaps after ", f);
		put_command_ref(f, r, r->peak_swap_step);
		fprintf(f, ", when swap use peaked (%s, %lu kB):</p>\n", v,
			r->peak_swap_kb);
		swaps_table(f, r->swaps_peak, "swaps-peak");
	} else if (r->peak_swap_kb) {
		fputs("<p class=\"none\">/proc/swaps could not be read when "
		      "swap use peaked.</p>\n",
		      f);
	} else {
		fputs("<p>No swap was used.</p>\n", f);
	}
	if (r->swaps_peak && r->swaps_end &&
	    !strcmp(r->swaps_peak, r->swaps_end))
		return;
	if (!r->swaps_end) {
		fputs("<p class=\"none\">/proc/swaps could not be read at the "
		      "end.</p>\n",
		      f);
	} else if (has_areas(r->swaps_end)) {
		fputs("<p>/proc/swaps after the last command:</p>\n", f);
		swaps_table(f, r->swaps_end, "swaps-end");
	} else {
		fputs("<p id=\"swaps-end\">No swap area was on after the last "
		      "command.</p>\n",
		      f);
	}
}

static const char style[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;"
	"max-width:980px;color:#222}\n"
	"h1{font-size:24px}h2{font-size:19px;margin-top:32px;border-bottom:"
	"1px solid #ccc}h3{font-size:15px}\n"
	"table.summary td{padding:2px 14px 2px 0}\n"
	".chart text{font-size:11px;fill:#333}.ylab{text-anchor:end}"
	".val,.olab{text-anchor:middle}.val{font-size:9px}"
	".cname{text-anchor:end}\n"
	".grid{stroke:#e4e4e4}.sect{stroke:#999;stroke-dasharray:4 3}"
	".series{stroke-width:2}\n"
	"rect.start,i.start{fill:#9ecae1;background:#9ecae1}"
	"rect.end,i.end{fill:#3182bd;background:#3182bd}"
	"rect.cache{fill:#d62728}\n"
	".vw{fill:#2ca02c;background:#2ca02c}.vr{fill:#9ecae1;background:"
	"#9ecae1}.vx{fill:#ff7f0e;background:#ff7f0e}.vs{fill:#9467bd;"
	"background:#9467bd}.vn{fill:#bbb;background:#bbb}\n"
	"span.k{color:#111;padding:0 4px;border-radius:3px}\n"
	".legend span{margin-right:14px}.legend i{display:inline-block;"
	"width:12px;height:12px;margin-right:4px;vertical-align:-1px}\n"
	"figure{margin:8px 0}figcaption{font-weight:600}\n"
	"pre{background:#f6f6f6;padding:6px 8px;overflow-x:auto;margin:2px "
	"0 10px;font-size:12px}\n"
	".cmd{font-family:monospace;font-weight:600;margin-top:6px}\n"
	".note{font-style:italic;color:#444}\n"
	"pre.error{background:#fdecea;color:#a00}\n"
	".wide{overflow-x:auto}table.activity{border-collapse:collapse}"
	"table.events{min-width:640px}"
	"table.activity td,table.activity th{padding:2px 12px 2px 0;"
	"text-align:left;vertical-align:top}\n"
	"table.activity .num{text-align:right;font-variant-numeric:"
	"tabular-nums}tr.group th{padding-top:8px}tr.group td{padding-top:"
	"8px;color:#666}\n";

/* The boot keys the summary names the default of, if a boot line
 * leaves them out. */
static const char *const boot_default[4][2] = {
	{ "arch", "x86_64" },
	{ "mem", "1G" },
	{ "nodes", "one node" },
	{ "cpus", "two CPUs" },
};

/* Whether command @line (before any comment) has a word @key=... */
static bool has_key(const char *line, const char *key)
{
	size_t n = strlen(key);

	for (line += strspn(line, " \t"); *line && *line != '#';) {
		if (!strncmp(line, key, n) && line[n] == '=')
			return true;
		line += strcspn(line, " \t");
		line += strspn(line, " \t");
	}
	return false;
}

static void render(FILE *f, const struct report *r, const char *name,
		   int status)
{
	const struct step *last = r->nr_steps ? &r->steps[r->nr_steps - 1] :
						NULL;
	int checks_ok = 0, checks_failed = 0, sec;
	const char *boot = "boot", *sep;
	char v1[32], v2[32];
	size_t i;

	/* The verifier's commands, not any output that quotes one. */
	for (i = 0; i < r->nr_steps; i++) {
		const struct step *st = &r->steps[i];

		if (!st->cmd || !is_cmd(st->cmd, "check") || st->error)
			continue;
		if (st->output && strstr(st->output, "check = ok\n"))
			checks_ok++;
		else
			checks_failed++;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
	      "charset=\"utf-8\">\n<title>mmkit report: ",
	      f);
	put_escaped(f, name);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
	fputs("<h1>mmkit report: ", f);
	put_escaped(f, name);
	fputs("</h1>\n<table class=\"summary\">\n", f);
	/* The machine: the script's boot line, or the default one, and the
	 * defaults of what it leaves out. */
	fputs("<tr><td>Machine</td><td id=\"machine\"><code>", f);
	if (r->nr_steps && r->steps[0].cmd && is_cmd(r->steps[0].cmd, "boot"))
		boot = r->steps[0].cmd;
	put_escaped(f, boot);
	fputs("</code>", f);
	for (i = 0, sep = " (by default "; i < 4; i++) {
		if (has_key(boot, boot_default[i][0]))
			continue;
		fprintf(f, "%s%s", sep, boot_default[i][1]);
		sep = ", ";
	}
	fputs(*sep == ',' ? ")</td></tr>\n" : "</td></tr>\n", f);
	fmt_kb(v1, sizeof v1, (double)r->memtotal_kb);
	fprintf(f,
		"<tr><td>Commands run</td><td id=\"commands\">%zu</td></tr>\n",
		r->nr_steps - r->stopped);
	if (r->stopped && last) {
		fprintf(f,
			"<tr><td>Stopped at</td><td id=\"stopped\"><a "
			"href=\"#c%zu\">command %zu</a>, <code>",
			r->nr_steps, r->nr_steps);
		put_escaped(f, last->cmd);
		fputs("</code>: ", f);
		put_escaped(f, last->error);
		fputs("</td></tr>\n", f);
	}
	if (r->read_error[0]) {
		fprintf(f,
			"<tr><td>Stopped at</td><td id=\"stopped\">line %lu, "
			"which could not be read: ",
			r->read_error_line);
		put_escaped(f, r->read_error);
		fputs("</td></tr>\n", f);
	}
	if (r->memtotal_kb)
		fprintf(f, "<tr><td>MemTotal</td><td>%s (%lu kB)</td></tr>\n",
			v1, r->memtotal_kb);
	if (last && r->memtotal_kb) {
		fmt_kb(v2, sizeof v2, (double)last->kb[0]);
		fprintf(f,
			"<tr><td>MemFree after the last command</td><td "
			"id=\"memfree-end\">%s (%lu kB)</td></tr>\n",
			v2, last->kb[0]);
	}
	fmt_kb(v1, sizeof v1, (double)r->peak_slab_kb);
	if (r->peak_slabinfo)
		fprintf(f,
			"<tr><td>Slab at its peak</td><td>%s (%lu kB), after "
			"command %zu</td></tr>\n",
			v1, r->peak_slab_kb, r->peak_step + 1);
	fmt_kb(v1, sizeof v1, (double)r->peak_swap_kb);
	if (r->swaptotal_kb)
		fprintf(f,
			"<tr><td>Swap used at its peak</td><td id=\"swap-peak\">"
			"%s (%lu kB of %lu)%s",
			v1, r->peak_swap_kb, r->swaptotal_kb,
			r->peak_swap_kb ? ", after command " : "</td></tr>\n");
	if (r->swaptotal_kb && r->peak_swap_kb)
		fprintf(f, "%zu</td></tr>\n", r->peak_swap_step + 1);
	if (r->oom_kills >= 0)
		fprintf(f,
			"<tr><td>Processes the OOM killer killed</td><td "
			"id=\"oom-kills\">%ld</td></tr>\n",
			r->oom_kills);
	fprintf(f,
		"<tr><td>Verifier (<code>check</code>)</td><td "
		"id=\"checks\">%d ok, %d failed</td></tr>\n",
		checks_ok, checks_failed);
	fprintf(f, "<tr><td>Exit status</td><td id=\"status\">%d%s</td></tr>\n",
		status,
		status == MMK_SCRIPT_ERROR ?
			" (a script error stopped the run)" :
		status == MMK_SCRIPT_CHECK_FAILED ?
			" (a check failed)" :
		status == MMK_SCRIPT_IO_ERROR ?
			" (the script could not be read, or the output written)" :
			"");
	fputs("</table>\n", f);
	if (r->oom)
		fputs("<p><strong>The report ran out of memory: parts of it "
		      "are missing.</strong></p>\n",
		      f);

	fputs("<h2>Memory in use</h2>\n<p>MemTotal minus MemFree after "
	      "each command: everything allocated, by the kernel, the "
	      "script's <code>alloc_pages</code> and the processes.</p>\n",
	      f);
	line_chart(f, r, 1u, "memory in use after each command");
	fputs("<h2>Where the rest goes</h2>\n<p>The kernel's own uses of "
	      "memory and the processes' pages, from /proc/meminfo after each "
	      "command. Pages a script allocates with <code>alloc_pages</code> "
	      "show only as less MemFree. On a machine with swap, the swap "
	      "in use too.</p>\n",
	      f);
	line_chart(f, r,
		   ((1u << NR_SERIES) - 1) & ~1u &
			   ~(r->swaptotal_kb ? 0 : 1u << SWAP),
		   "memory uses after each command");
	activity_section(f, r);
	swap_section(f, r);
	/* A run that stopped before any command ran on a machine says so
	 * rather than draw empty charts. */
	fputs("<h2>The buddy allocator: free blocks per order</h2>\n", f);
	if (r->first.nr)
		buddy_charts(f, r);
	else
		fputs("<p class=\"none\">No machine ran a command: no "
		      "/proc/buddyinfo to show.</p>\n",
		      f);
	fputs("<h2>The largest slab caches</h2>\n", f);
	if (r->peak_slabinfo) {
		fputs("<p>/proc/slabinfo when Slab was highest: memory in "
		      "each cache's slabs.</p>\n",
		      f);
		slab_chart(f, r->peak_slabinfo);
	} else {
		fputs("<p class=\"none\">No machine ran a command: no "
		      "/proc/slabinfo to show.</p>\n",
		      f);
	}
	process_charts(f, r);

	fputs("<h2>Transcript</h2>\n<p>Each command with its number and "
	      "output; <code>echo</code> lines as prose.</p>\n",
	      f);
	for (sec = -1; sec < r->nr_sections; sec++) {
		bool any = false, in_note = false;

		for (i = 0; i < r->nr_steps; i++) {
			const struct step *st = &r->steps[i];

			if (st->section != sec)
				continue;
			if (!any) {
				fputs("<section>\n<h3>", f);
				if (sec >= 0)
					put_heading(f, r->sections[sec]);
				else
					fputs(r->nr_sections ?
						      "Before the first section" :
						      "The script",
					      f);
				fputs("</h3>\n", f);
				any = true;
			}
			if (st->echo) {
				const char *o = st->output ? st->output : "";

				size_t n;

				if (!strncmp(o, "== ", 3))
					o += 3;
				fputs(in_note ? " " : "<p class=\"note\">", f);
				for (n = strlen(o); n && o[n - 1] == '\n'; n--)
					;
				put_escaped_n(f, o, n);
				in_note = true;
				continue;
			}
			if (in_note)
				fputs("</p>\n", f);
			in_note = false;
			fprintf(f,
				"<div class=\"cmd\" id=\"c%zu\">%zu: ", i + 1,
				i + 1);
			put_escaped(f, st->cmd);
			fputs("</div>\n", f);
			if (st->output && *st->output) {
				fputs("<pre>", f);
				put_escaped(f, st->output);
				fputs("</pre>\n", f);
			}
			if (st->error) {
				fputs("<pre class=\"error\">script error: ", f);
				put_escaped(f, st->error);
				fputs("</pre>\n", f);
			}
		}
		if (in_note)
			fputs("</p>\n", f);
		if (any)
			fputs("</section>\n", f);
	}
	fputs("</body>\n</html>\n", f);
}

int mmk_script_run_report(FILE *in, const char *text, const char *name,
			  FILE *out, FILE *err, int echo_log, FILE *html)
{
	struct report r = { .real_out = out,
			    .oom_kills = -1,
			    .vm_pending = NR_ACTIVITY,
			    .vm_since = NO_STEP,
			    .vm_last_read = NO_STEP };
	struct script_observer obs = { after_line, &r, stopped_at, at_end,
				       read_error };
	int status, i, werr;
	size_t s;

	for (s = 0; s < NR_ACTIVITY; s++)
		r.vm_first[s] = r.vm_from[s] = NO_STEP;

	r.cap = open_memstream(&r.capbuf, &r.caplen);
	if (!r.cap)
		return text ? mmk_script_run_string(text, name, out, err,
						    echo_log) :
			      mmk_script_run(in, name, out, err, echo_log);
	status =
		script_run_observed(in, text, name, r.cap, err, echo_log, &obs);
	fflush(r.cap);
	/* What a stopped run printed after its last complete command. */
	if (r.caplen > r.capoff)
		fwrite(r.capbuf + r.capoff, 1, r.caplen - r.capoff, out);
	/* The interpreter checked only r.cap: the transcript went to @out
	 * here, and failing to write it fails the run as it would without
	 * a report. */
	if (!script_out_ok(out, &werr) && status != MMK_SCRIPT_IO_ERROR) {
		script_out_error(err, name, werr ? werr : r.out_errno);
		status = MMK_SCRIPT_IO_ERROR;
	}
	render(html, &r, name, status);
	fclose(r.cap);
	free(r.capbuf);
	for (s = 0; s < r.nr_steps; s++) {
		free(r.steps[s].cmd);
		free(r.steps[s].output);
		free(r.steps[s].error);
	}
	free(r.steps);
	for (i = 0; i < r.nr_sections; i++)
		free(r.sections[i]);
	free(r.sections);
	free(r.peak_slabinfo);
	free(r.swaps_peak);
	free(r.swaps_end);
	for (i = 0; i < r.nr_procs; i++)
		free(r.procs[i].maps);
	free(r.procs);
	return status;
}
