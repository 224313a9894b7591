/* SPDX-License-Identifier: MIT */
/*
 * The HTML report of a script run (`mmkit demo`, `mmkit run --report`):
 * what it records while the script runs.
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
 * The page itself is rendered by script/report_html.c from the record
 * kept here (struct report, script/report.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "script/internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "script/report.h"

/* The /proc/meminfo fields sampled, in the order of struct step's kb. */
static const char *const series_key[] = {
	"MemFree",   "Slab",  "Percpu", "PageTables", "VmallocUsed",
	"AnonPages", "Shmem", "Cached", "SwapFree",
};
_Static_assert(sizeof series_key / sizeof series_key[0] == NR_SERIES,
	       "a series each");

/* The Activity table's counters, each with what the page calls it. */
const struct report_counter report_activity[] = {
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
_Static_assert(sizeof report_activity / sizeof report_activity[0] ==
		       NR_ACTIVITY,
	       "NR_ACTIVITY counts the table");

/* /proc/vmstat is read after each of the first VM_EXACT commands; after
 * command i beyond, after every s-th, s the power of two at most
 * i / VM_SAMPLES: VM_SAMPLES reads each time the run doubles. */
#define VM_EXACT 1024
#define VM_SAMPLES 256

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

	if (report_is_cmd(line, "spawn"))
		pid = named;
	else if (report_is_cmd(line, "fork"))
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
		if (!strncmp(p, report_activity[i].name, n) &&
		    !report_activity[i].name[n])
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
		if (i >= 0 && (strncmp(p, report_activity[i].name,
				       strlen(report_activity[i].name)) != 0 ||
			       p[strlen(report_activity[i].name)] != ' '))
			i = activity_line(p);
		if (k < VM_LINES && !r->vm_indexed)
			r->vm_of_line[k] = (short)i;
		if (i >= 0 && r->vm_first[i] == NO_STEP &&
		    strtoul(p + strlen(report_activity[i].name), NULL, 10)) {
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

	if (!r->vm_pending || report_is_cmd(line, "echo") ||
	    report_is_cmd(line, "cat") || report_is_cmd(line, "check"))
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
		r->vm_val[i] =
			strtoul(p + strlen(report_activity[i].name), NULL, 10);
		/* Moved in the commands since the last read. */
		if (r->vm_val[i] && r->vm_first[i] == NO_STEP &&
		    r->vm_since != NO_STEP) {
			r->vm_first[i] = r->vm_until;
			r->vm_from[i] = r->vm_since;
		}
		if (!strcmp(report_activity[i].name, "oom_kill"))
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
	st->echo = st->cmd && report_is_cmd(st->cmd, "echo");
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
	report_render(html, &r, name, status);
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
