/* SPDX-License-Identifier: MIT */
/*
 * Fault-injection sweep (issue 8). Every scenario script (examples/tour.mms
 * and the tests/scripts goldens that neither exercise failure themselves
 * nor stop on a script error) runs in-process through the script API once
 * per allocation call it makes: a site table (mmk_fail_sites) attributes
 * each page and slab allocation to its first caller outside the
 * allocators, and run (site S, kind K, N) fails the N-th call of kind K
 * at S only. Each run must then
 *  - not crash, and run to its end (lines naming a handle whose creation
 *    failed are skipped, as a script would branch on the ENOMEM);
 *  - give the failing command Linux's result for an allocation failure:
 *    ENOMEM, EAGAIN (mlock's populate), SIGKILL (a fault's OOM kill), or
 *    its normal result where the kernel falls back (slab orders, retries);
 *  - leave `check` clean, and once the harness has freed every handle,
 *    exited every process, drained the per-CPU lists and shrunk every
 *    cache, leave no page missing: free pages + page cache (the script's
 *    files cannot be deleted) may lack no more than in the same script's
 *    run without failures, and no destroyed cache may keep objects.
 * The harness steps the interpreter line by line through a fopencookie
 * stream, so it sees the machine between commands.
 *
 * Boot is swept too (test_boot_sweep, below): boot-time fault plans fail
 * each boot site's N-th call on x86_64 and on i386 with highmem, and an
 * aligned __vmalloc_node() probe reaches what no script command does.
 *
 * `make test` runs a bounded sweep (N = 1, 2 and the last call of each
 * site, within MMK_SWEEP_BUDGET seconds, 40 by default) and two seconds
 * of 1% and 10% random failures. MMK_SWEEP=full runs every N;
 * MMK_SWEEP_RANDOM=SECONDS sets the random runs' length (`make sweep`).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include "mm/internal.h"
#include "mm/slab.h"
#include <mmkit/script.h>
#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_SCENARIOS 128
#define MAX_HANDLES 256
#define MAX_PIDS 64
#define MAX_SITES 1024

/* ---- scenarios ---- */

struct scenario {
	char *path;
	char **lines;
	size_t nr_lines;
	/* From the run without failures. */
	long ref_missing; /* pages missing after cleanup, page cache aside */
	unsigned long ref_calls; /* eligible calls, both kinds */
	char **ref_result; /* each line's result ([nr_lines], NULL: none) */
};

static struct scenario scenarios[MAX_SCENARIOS];
static int nr_scenarios;

static bool first_word_is(const char *line, const char *word)
{
	size_t n = strlen(word);

	while (*line == ' ' || *line == '\t')
		line++;
	return !strncmp(line, word, n) &&
	       (!line[n] || line[n] == ' ' || line[n] == '\t');
}

/* A sibling file of @mms with extension @ext exists. */
static bool sibling(const char *mms, const char *ext, char **text)
{
	char path[1024];

	snprintf(path, sizeof path, "%.*s%s", (int)strlen(mms) - 4, mms, ext);
	*text = mmk_test_slurp(path);
	return *text != NULL;
}

/* Add the script @path, unless it stops on a script error or, without
 * @own_fails, sets fault plans of its own (with it, those lines are
 * dropped: the sweep's plan stands). */
static void add_scenario(const char *path, bool own_fails)
{
	char *text = mmk_test_slurp(path), *other, *line, *next;
	struct scenario *sc;
	bool skip = false, booted = false;
	size_t cap;

	if (!text || nr_scenarios == MAX_SCENARIOS)
		return;
	/* Goldens that stop on a script error, or fail on purpose. */
	if (sibling(path, ".err", &other)) {
		skip = true;
		free(other);
	}
	if (sibling(path, ".status", &other)) {
		skip |= atoi(other) != 0;
		free(other);
	}
	for (line = text; !skip && !own_fails && line;
	     line = strchr(line, '\n')) {
		line += *line == '\n';
		skip = first_word_is(line, "fail");
	}
	if (skip) {
		free(text);
		return;
	}
	sc = &scenarios[nr_scenarios++];
	sc->path = strdup(path);
	cap = 16;
	for (line = text; *line; line++)
		cap += *line == '\n';
	sc->lines = calloc(cap, sizeof(char *));
	assert_non_null(sc->lines);
	for (line = text; *line; line = next) {
		const char *p = line;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		/* A CRLF script's carriage return goes, as the interpreter
		 * drops it: words appended to the line (boot's seed=) must
		 * not follow it. */
		if (*line && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		/* The harness arms its plan after boot: boot explicitly. */
		if (!booted && *p && *p != '#') {
			if (!first_word_is(p, "boot"))
				sc->lines[sc->nr_lines++] = strdup("boot");
			booted = true;
		}
		sc->lines[sc->nr_lines++] = strdup(
			first_word_is(p, "fail") ? "# fail: dropped" : line);
	}
	free(text);
}

static void collect(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[512];
	int n = 0, i;

	if (!d)
		return;
	while ((e = readdir(d)) && n < 512)
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	/* A fixed order, whatever the directory's. */
	for (i = 1; i < n; i++) {
		char *x = names[i];
		int j = i;

		for (; j > 0 && strcmp(names[j - 1], x) > 0; j--)
			names[j] = names[j - 1];
		names[j] = x;
	}
	for (i = 0; i < n; i++) {
		char path[1024];
		struct stat st;
		size_t len = strlen(names[i]);

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (!stat(path, &st) && S_ISDIR(st.st_mode))
			collect(path);
		else if (len > 4 && !strcmp(names[i] + len - 4, ".mms"))
			add_scenario(path, false);
		free(names[i]);
	}
}

/* ---- one stepped run ---- */

enum hkind { H_PAGES, H_CACHE, H_OBJECT, H_KMALLOC, H_VMALLOC, H_FILE };

struct hrec {
	char name[64];
	enum hkind kind;
	bool live, failed; /* created; its creation failed */
	int refs, kmaps;
};

struct plan {
	struct mmk_fail_attr attr[MMK_NR_FAIL_KINDS];
	bool armed[MMK_NR_FAIL_KINDS];
	unsigned long seed; /* random runs: replaces the boot's seed */
	char **record; /* where each line's result goes, or NULL */
};

struct run {
	const struct scenario *sc;
	const struct plan *plan;
	/* input */
	size_t next;
	char *given; /* the line the interpreter is running */
	char **cleanup;
	size_t nr_cleanup, next_cleanup;
	int phase; /* 0 script, 1 cleanup, 2 checked */
	char pending[4096];
	size_t pending_len, pending_off;
	/* output */
	FILE *out;
	char *outbuf;
	size_t outlen, seen;
	/* machine */
	struct mmk_machine *m;
	unsigned long base_free, fail_count;
	struct hrec h[MAX_HANDLES];
	int nr_h;
	int pids[MAX_PIDS], nr_pids;
	/* findings */
	int failures; /* commands during which a failure was injected */
	char bad[512]; /* the first problem, or "" */
	char first_fail[256]; /* "line N: CMD = RESULT" */
	bool fallback; /* a failing command still succeeded */
	char **record; /* the reference run: where each line's result goes */
	long missing; /* pages missing after cleanup, page cache aside */
	bool checked;
};

static void problem(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->bad[0])
		return;
	va_start(ap, fmt);
	vsnprintf(r->bad, sizeof r->bad, fmt, ap);
	va_end(ap);
}

static int split(char *line, char **w, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#' || n == max)
			break;
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '#')
			p++;
		if (*p == '#') {
			*p = '\0';
			break;
		}
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static struct hrec *hfind(struct run *r, const char *name)
{
	int i;

	for (i = 0; i < r->nr_h; i++)
		if (!strcmp(r->h[i].name, name))
			return &r->h[i];
	return NULL;
}

static struct hrec *hget(struct run *r, const char *name)
{
	struct hrec *h = hfind(r, name);

	if (h)
		return h;
	assert_true(r->nr_h < MAX_HANDLES);
	h = &r->h[r->nr_h++];
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof h->name, "%s", name);
	return h;
}

/* Shrink every cache and drain the per-CPU lists. */
static void settle(struct mmk_machine *m)
{
	struct kmem_cache *s;

	list_for_each_entry(s, &m->slab->caches, list)
		kmem_cache_shrink(s);
	list_for_each_entry(s, &m->slab->leaked, list)
		kmem_cache_shrink(s);
	drain_all_pages(NULL);
}

static void arm(struct run *r)
{
	int k;

	r->m = mmk_current();
	settle(r->m);
	r->base_free = mmk_nr_free_pages(r->m);
	for (k = 0; k < MMK_NR_FAIL_KINDS; k++)
		if (r->plan->armed[k])
			assert_int_equal(mmk_fail_set(r->m,
						      (enum mmk_fail_kind)k,
						      &r->plan->attr[k]),
					 0);
}

static unsigned long fail_count(struct mmk_machine *m)
{
	return mmk_fail_count(m, MMK_FAIL_PAGE_ALLOC) +
	       mmk_fail_count(m, MMK_FAIL_SLAB);
}

/* A failing command's result: an allocation failure as Linux reports it,
 * or a normal result (the kernel fell back). */
static bool acceptable(const char *cmd, const char *res)
{
	static const char *const errors[] = {
		"EINVAL", "EEXIST", "EFAULT",  "EPERM",	 "EBUSY",
		"ESRCH",  "ENOENT", "SIGSEGV", "SIGBUS", "EAGAIN",
	};
	size_t i;

	/* mlock's populate and madvise's VMA split turn ENOMEM into
	 * EAGAIN, as on Linux. */
	if (!strcmp(res, "EAGAIN"))
		return !strncmp(cmd, "mlock", 5) || !strcmp(cmd, "madvise");
	for (i = 0; i < sizeof errors / sizeof errors[0]; i++)
		if (!strcmp(res, errors[i]))
			return false;
	return true;
}

static bool same_as_reference(const struct run *r, const char *res)
{
	const char *ref = r->next && r->sc->ref_result ?
				  r->sc->ref_result[r->next - 1] :
				  NULL;

	return ref && !strcmp(ref, res);
}

/* The effects of the line the interpreter just ran. */
static void after_line(struct run *r)
{
	char *res = NULL, *w[16], *copy;
	unsigned long fc;
	struct hrec *h;
	int n;

	fflush(r->out);
	if (r->outlen > r->seen) {
		/* The result: after the last " = " of the new output. */
		char *p = r->outbuf + r->seen, *eq = NULL, *q;

		while ((q = strstr(p, " = ")))
			eq = q, p = q + 3;
		if (eq) {
			res = eq + 3;
			q = strchr(res, '\n');
			if (q)
				*q = '\0';
		}
		r->seen = r->outlen;
	}
	if (!r->m && mmk_current()) {
		arm(r);
		r->fail_count = 0;
		return;
	}
	if (!r->m || !r->given)
		return;
	copy = strdup(r->given);
	n = split(copy, w, 16);
	fc = fail_count(r->m);
	if (r->record && res && r->phase == 0 && r->next) {
		free(r->record[r->next - 1]);
		r->record[r->next - 1] = strdup(res);
	}
	if (fc > r->fail_count && r->phase == 0) {
		r->failures++;
		if (!r->first_fail[0])
			snprintf(r->first_fail, sizeof r->first_fail,
				 "line %zu: %s = %s", r->next, r->given,
				 res ? res : "(no result)");
		/* A failure the kernel absorbed (a fault retried) gives the
		 * result the run without failures gave. */
		if (n && res && !acceptable(w[0], res) &&
		    !same_as_reference(r, res))
			problem(r,
				"line %zu: `%s` = %s after an injected failure",
				r->next, r->given, res);
		if (res && strcmp(res, "ENOMEM") != 0 &&
		    strcmp(res, "SIGKILL") != 0 && strcmp(res, "EAGAIN") != 0)
			r->fallback = true;
	}
	r->fail_count = fc;
	if (n >= 2 && res) {
		bool ok = strncmp(res, "E", 1) != 0 && strcmp(res, "SIGKILL");
		const char *c = w[0];

		if (!strcmp(c, "alloc_pages") ||
		    !strcmp(c, "kmem_cache_alloc") || !strcmp(c, "kmalloc") ||
		    !strcmp(c, "vmalloc") || !strcmp(c, "kmem_cache_create") ||
		    !strcmp(c, "file") || !strcmp(c, "memfd")) {
			h = hget(r, w[1]);
			h->live = ok;
			h->failed = !ok;
			h->refs = 1;
			h->kmaps = 0;
			h->kind = c[0] == 'a'			 ? H_PAGES :
				  c[0] == 'f' || c[0] == 'm'	 ? H_FILE :
				  c[0] == 'v'			 ? H_VMALLOC :
				  !strcmp(c, "kmalloc")		 ? H_KMALLOC :
				  !strcmp(c, "kmem_cache_alloc") ? H_OBJECT :
								   H_CACHE;
		} else if (!strcmp(c, "free_pages") || !strcmp(c, "kfree") ||
			   !strcmp(c, "vfree") ||
			   !strcmp(c, "kmem_cache_free") ||
			   !strcmp(c, "kmem_cache_destroy")) {
			/* A refused destroy drops the handle too. */
			if ((h = hfind(r, w[1])))
				h->live = false;
		} else if (!strcmp(c, "get_page")) {
			if ((h = hfind(r, w[1])))
				h->refs++;
		} else if (!strcmp(c, "put_page")) {
			if ((h = hfind(r, w[1])) && --h->refs <= 0)
				h->live = false;
		} else if (!strcmp(c, "kmap") && ok) {
			if ((h = hfind(r, w[1])))
				h->kmaps++;
		} else if (!strcmp(c, "kunmap")) {
			if ((h = hfind(r, w[1])) && h->kmaps)
				h->kmaps--;
		} else if ((!strcmp(c, "spawn") || !strcmp(c, "fork")) && ok &&
			   r->nr_pids < MAX_PIDS) {
			r->pids[r->nr_pids++] =
				atoi(w[n >= 3 && c[0] == 'f' ? 2 : 1]);
		}
	}
	free(copy);
}

/* The handles a command names that must exist, by word position. */
static bool names_failed_handle(struct run *r, const char *line)
{
	static const struct {
		const char *cmd;
		int pos;
	} uses[] = {
		{ "free_pages", 1 },
		{ "get_page", 1 },
		{ "put_page", 1 },
		{ "kmem_cache_alloc", 2 },
		{ "kmem_cache_free", 1 },
		{ "kmem_cache_shrink", 1 },
		{ "kmem_cache_destroy", 1 },
		{ "kfree", 1 },
		{ "krealloc", 1 },
		{ "vfree", 1 },
		{ "kmap", 1 },
		{ "kunmap", 1 },
		{ "mmap", 6 },
		{ "fadvise", 1 },
		{ "ftruncate", 1 },
		{ "fallocate", 1 },
		{ "seal", 1 },
		{ "seals", 1 },
		{ "pread", 1 },
		{ "pwrite", 1 },
	};
	char *copy = strdup(line), *w[16];
	int n = split(copy, w, 16);
	bool skip = false;
	size_t i;

	for (i = 0; n && i < sizeof uses / sizeof uses[0]; i++) {
		struct hrec *h;

		if (strcmp(w[0], uses[i].cmd) != 0 || n <= uses[i].pos)
			continue;
		h = hfind(r, w[uses[i].pos]);
		skip = h && h->failed && !h->live;
		/* What the skipped command would have made is missing too. */
		if (skip && !strcmp(w[0], "kmem_cache_alloc")) {
			h = hget(r, w[1]);
			h->live = false;
			h->failed = true;
		}
	}
	free(copy);
	return skip;
}

static void add_cleanup(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_cleanup(struct run *r, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	r->cleanup = realloc(r->cleanup, (r->nr_cleanup + 1) * sizeof(char *));
	assert_non_null(r->cleanup);
	r->cleanup[r->nr_cleanup++] = strdup(buf);
}

/* Free what the script still holds, caches last, then exit its processes. */
static void make_cleanup(struct run *r)
{
	static const char *const free_cmd[] = {
		[H_PAGES] = "free_pages",
		[H_OBJECT] = "kmem_cache_free",
		[H_KMALLOC] = "kfree",
		[H_VMALLOC] = "vfree",
	};
	int i, j;

	for (i = 0; i < r->nr_h; i++) {
		struct hrec *h = &r->h[i];

		if (!h->live || h->kind == H_CACHE || h->kind == H_FILE)
			continue;
		for (j = 0; j < h->kmaps; j++)
			add_cleanup(r, "kunmap %s", h->name);
		for (j = 1; h->kind == H_PAGES && j < h->refs; j++)
			add_cleanup(r, "put_page %s", h->name);
		add_cleanup(r, "%s %s", free_cmd[h->kind], h->name);
	}
	for (i = 0; i < r->nr_h; i++)
		if (r->h[i].live && r->h[i].kind == H_CACHE)
			add_cleanup(r, "kmem_cache_destroy %s", r->h[i].name);
	for (i = 0; i < r->nr_pids; i++)
		add_cleanup(r, "exit %d", r->pids[i]);
}

/* After the cleanup: the verifier, and every page accounted for. */
static void final_checks(struct run *r)
{
	struct kmem_cache *s;
	char why[512];
	unsigned long cached;
	int leaked = 0;

	r->checked = true;
	if (mmk_check(r->m, why, sizeof why)) {
		problem(r, "check failed: %s", why);
		return;
	}
	/* Destroying a cache with objects leaks it (as Linux does); the
	 * script's cleanup frees those objects. */
	settle(r->m);
	list_for_each_entry(s, &r->m->slab->leaked, list) {
		unsigned long active, total, slabs;

		slab_info(r->m, s, &active, &total, &slabs);
		leaked += active != 0;
	}
	if (leaked)
		problem(r, "%d destroyed caches kept objects", leaked);
	settle(r->m);
	cached = meminfo_kb(r->m, "Cached") / 4;
	r->missing = (long)r->base_free - (long)mmk_nr_free_pages(r->m) -
		     (long)cached;
	if (mmk_check(r->m, why, sizeof why))
		problem(r, "check failed after cleanup: %s", why);
}

static const char *next_line(struct run *r)
{
	static char seeded[512];

	while (r->phase == 0 && r->next < r->sc->nr_lines) {
		const char *line = r->sc->lines[r->next++];

		if (r->m && names_failed_handle(r, line))
			continue;
		if (r->plan->seed && first_word_is(line, "boot")) {
			/* A random run: another seed for each run. */
			char *copy = strdup(line), *w[16];
			int n = split(copy, w, 16), i, len;

			len = snprintf(seeded, sizeof seeded, "boot");
			for (i = 1; i < n; i++)
				if (strncmp(w[i], "seed=", 5) != 0)
					len += snprintf(seeded + len,
							sizeof seeded -
								(size_t)len,
							" %s", w[i]);
			snprintf(seeded + len, sizeof seeded - (size_t)len,
				 " seed=%lu", r->plan->seed);
			free(copy);
			return seeded;
		}
		return line;
	}
	if (r->phase == 0) {
		int k;

		r->phase = 1;
		if (!r->m)
			return NULL;
		for (k = 0; k < MMK_NR_FAIL_KINDS; k++)
			mmk_fail_set(r->m, (enum mmk_fail_kind)k, NULL);
		make_cleanup(r);
	}
	if (r->phase == 1 && r->next_cleanup < r->nr_cleanup)
		return r->cleanup[r->next_cleanup++];
	if (r->phase == 1) {
		r->phase = 2;
		final_checks(r);
	}
	return NULL;
}

static ssize_t step_read(void *cookie, char *buf, size_t size)
{
	struct run *r = cookie;
	size_t n;

	if (r->pending_off == r->pending_len) {
		const char *line;

		after_line(r);
		line = next_line(r);
		free(r->given);
		r->given = line ? strdup(line) : NULL;
		if (!line)
			return 0;
		r->pending_len = (size_t)snprintf(r->pending, sizeof r->pending,
						  "%s\n", line);
		if (r->pending_len >= sizeof r->pending)
			r->pending_len = sizeof r->pending - 1;
		r->pending_off = 0;
	}
	n = r->pending_len - r->pending_off;
	if (n > size)
		n = size;
	memcpy(buf, r->pending + r->pending_off, n);
	r->pending_off += n;
	return (ssize_t)n;
}

static void run_scenario(struct run *r, const struct scenario *sc,
			 const struct plan *plan)
{
	cookie_io_functions_t io = { .read = step_read };
	FILE *in, *err = tmpfile();
	char errtext[512] = "";
	size_t i;
	int status;

	memset(r, 0, sizeof(*r));
	r->sc = sc;
	r->plan = plan;
	r->record = plan->record;
	r->out = open_memstream(&r->outbuf, &r->outlen);
	in = fopencookie(r, "r", io);
	assert_non_null(r->out);
	assert_non_null(in);
	assert_non_null(err);
	status = mmk_script_run(in, sc->path, r->out, err, 0);
	fclose(in);
	fflush(err);
	rewind(err);
	if (!fgets(errtext, sizeof errtext, err))
		errtext[0] = '\0';
	errtext[strcspn(errtext, "\n")] = '\0';
	fclose(err);
	if (status == MMK_SCRIPT_ERROR || errtext[0])
		problem(r, "script stopped (status %d): %s", status, errtext);
	else if (status == MMK_SCRIPT_CHECK_FAILED)
		problem(r, "a `check` in the script failed");
	else if (!r->checked)
		problem(r, "the run did not reach its final checks");
	fclose(r->out);
	free(r->outbuf);
	free(r->given);
	for (i = 0; i < r->nr_cleanup; i++)
		free(r->cleanup[i]);
	free(r->cleanup);
}

/* ---- the sweep ---- */

static struct mmk_fail_sites *sites;
static unsigned long site_calls[MAX_SITES][MMK_NR_FAIL_KINDS];
static unsigned long nr_runs, nr_injected, nr_fallbacks, nr_missed;
static int nr_problems;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double env_seconds(const char *name, double def)
{
	const char *v = getenv(name);

	return v && *v ? atof(v) : def;
}

static void report_problem(const struct scenario *sc, const char *what,
			   const struct run *r)
{
	nr_problems++;
	if (nr_problems <= 40)
		print_message("PROBLEM %s [%s]: %s%s%s\n", sc->path, what,
			      r->bad,
			      r->first_fail[0] ? " -- first failure " : "",
			      r->first_fail);
}

/* The run without failures: it records each site's calls. */
static void reference_run(struct scenario *sc)
{
	struct plan plan;
	struct mmk_fail_site_info info;
	struct run r;
	size_t i;
	int k;

	memset(&plan, 0, sizeof plan);
	for (k = 0; k < MMK_NR_FAIL_KINDS; k++) {
		plan.attr[k].sites = sites;
		plan.armed[k] = true;
	}
	memset(site_calls, 0, sizeof site_calls);
	for (i = 0; i < MAX_SITES && !mmk_fail_site(sites, i, &info); i++)
		for (k = 0; k < MMK_NR_FAIL_KINDS; k++)
			site_calls[i][k] = info.calls[k];
	if (!sc->ref_result) {
		sc->ref_result = calloc(sc->nr_lines, sizeof(char *));
		assert_non_null(sc->ref_result);
	}
	plan.record = sc->ref_result;
	run_scenario(&r, sc, &plan);
	if (r.bad[0])
		report_problem(sc, "no failures", &r);
	sc->ref_missing = r.missing;
	/* This run's calls: the counts' growth. */
	sc->ref_calls = 0;
	for (i = 0; i < MAX_SITES; i++) {
		for (k = 0; k < MMK_NR_FAIL_KINDS; k++) {
			unsigned long was = site_calls[i][k];

			site_calls[i][k] = 0;
			if (mmk_fail_site(sites, i, &info))
				continue;
			site_calls[i][k] = info.calls[k] - was;
			sc->ref_calls += site_calls[i][k];
		}
	}
}

static void injected_run(struct scenario *sc, size_t site, int kind,
			 unsigned long nth)
{
	struct mmk_fail_site_info info;
	struct plan plan;
	struct run r;
	char what[160];

	assert_int_equal(mmk_fail_site(sites, site, &info), 0);
	memset(&plan, 0, sizeof plan);
	plan.attr[kind].sites = sites;
	plan.attr[kind].site = info.name;
	plan.attr[kind].nth = nth;
	plan.attr[kind].times = 1;
	plan.armed[kind] = true;
	run_scenario(&r, sc, &plan);
	nr_runs++;
	snprintf(what, sizeof what, "%s %s call %lu", info.name,
		 kind == MMK_FAIL_SLAB ? "slab" : "page_alloc", nth);
	if (!r.failures)
		nr_missed++; /* the run took another path before it */
	nr_injected += r.failures != 0;
	nr_fallbacks += r.fallback;
	if (!r.bad[0] && r.missing > sc->ref_missing)
		problem(&r,
			"%ld pages leaked (%ld missing, %ld without failures)",
			r.missing - sc->ref_missing, r.missing,
			sc->ref_missing);
	if (r.bad[0])
		report_problem(sc, what, &r);
	if (getenv("MMK_SWEEP_VERBOSE"))
		print_message("run %s [%s]: %s\n", sc->path, what,
			      r.first_fail[0] ? r.first_fail : "no failure");
}

/* ---- boot ---- */

/*
 * Boot sweep: a site table attached to counting-only boot plans
 * (cfg.boot_fail, nth 0) finds the sites boot calls; then each boot fails
 * the N-th call at one site and must return NULL with errno ENOMEM (or
 * succeed where the kernel falls back, e.g. to a smaller slab order),
 * with no current machine left behind and no host descriptor or address
 * space kept (ASan's leak checker sees the host allocations). Both
 * profiles: x86_64 and i386 with highmem (highmem_init). Each booted
 * machine then runs a probe no script can: one __vmalloc_node() with an
 * alignment above a page, swept the same way (NULL or success, the
 * verifier clean, no page kept).
 */

struct boot_profile {
	const char *name;
	enum mmk_arch arch;
	uint64_t mem;
};

static const struct boot_profile boot_profiles[] = {
	{ "x86_64 mem=1G", MMK_ARCH_X86_64, 1ULL << 30 },
	{ "i386 mem=2G", MMK_ARCH_I386, 2ULL << 30 },
};

#define PROBE_SIZE (5 * PAGE_SIZE)
#define PROBE_ALIGN (1UL << 20)

static unsigned long nr_boots, nr_boot_failed, nr_boot_fallbacks;
static unsigned long nr_probes, nr_probe_failed;

static void site_snapshot(unsigned long (*calls)[MMK_NR_FAIL_KINDS],
			  unsigned long (*failed)[MMK_NR_FAIL_KINDS])
{
	struct mmk_fail_site_info info;
	size_t i;
	int k;

	memset(calls, 0, sizeof(unsigned long[MAX_SITES][MMK_NR_FAIL_KINDS]));
	if (failed)
		memset(failed, 0,
		       sizeof(unsigned long[MAX_SITES][MMK_NR_FAIL_KINDS]));
	for (i = 0; i < MAX_SITES && !mmk_fail_site(sites, i, &info); i++)
		for (k = 0; k < MMK_NR_FAIL_KINDS; k++) {
			calls[i][k] = info.calls[k];
			if (failed)
				failed[i][k] = info.failed[k];
		}
}

/* Host descriptors and address space (kB) of this process. */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static long vm_size_kb(void)
{
	char *status = mmk_test_slurp("/proc/self/status"), *p;
	long kb;

	assert_non_null(status);
	p = strstr(status, "VmSize:");
	kb = p ? atol(p + 7) : 0;
	free(status);
	return kb;
}

static void boot_config(struct mmk_config *cfg, const struct boot_profile *bp,
			const struct mmk_fail_attr *attr, int kind)
{
	mmk_config_init(cfg);
	cfg->arch = bp->arch;
	cfg->mem_bytes = bp->mem;
	if (attr)
		cfg->boot_fail[kind] = attr;
}

/* The probe: an aligned vmalloc and its vfree; the pages it keeps. */
static long probe(struct mmk_machine *m, const struct mmk_fail_attr *attr,
		  int kind, bool *failed)
{
	unsigned long base;
	char why[512];
	char *p;

	settle(m);
	base = mmk_nr_free_pages(m);
	if (attr)
		assert_int_equal(
			mmk_fail_set(m, (enum mmk_fail_kind)kind, attr), 0);
	p = __vmalloc_node(PROBE_SIZE, PROBE_ALIGN, GFP_KERNEL | __GFP_NOWARN,
			   NUMA_NO_NODE, "probe");
	if (attr)
		mmk_fail_set(m, (enum mmk_fail_kind)kind, NULL);
	*failed = !p;
	if (p) {
		if (mmk_kaddr(p) % PROBE_ALIGN || (uintptr_t)p % PROBE_ALIGN)
			fail_msg("probe: %p (%#lx) is not aligned", (void *)p,
				 mmk_kaddr(p));
		memset(p, 1, PROBE_SIZE);
		vfree(p);
	}
	if (mmk_check(m, why, sizeof why))
		fail_msg("probe: check failed: %s", why);
	settle(m);
	return (long)base - (long)mmk_nr_free_pages(m);
}

static bool sweep_full(void)
{
	const char *mode = getenv("MMK_SWEEP");

	return mode && !strcmp(mode, "full");
}

/* N = 1, 2 and the last call; every N under MMK_SWEEP=full. */
static bool next_nth(unsigned long *nth, unsigned long calls)
{
	if (sweep_full() || *nth < 2)
		++*nth;
	else
		*nth = *nth < calls ? calls : calls + 1;
	return *nth <= calls;
}

static void boot_sweep(const struct boot_profile *bp)
{
	static unsigned long boot_calls[MAX_SITES][MMK_NR_FAIL_KINDS],
		probe_calls[MAX_SITES][MMK_NR_FAIL_KINDS],
		was[MAX_SITES][MMK_NR_FAIL_KINDS],
		was_failed[MAX_SITES][MMK_NR_FAIL_KINDS],
		now_calls[MAX_SITES][MMK_NR_FAIL_KINDS],
		now_failed[MAX_SITES][MMK_NR_FAIL_KINDS];
	struct mmk_fail_attr count[MMK_NR_FAIL_KINDS];
	struct mmk_fail_site_info info;
	struct mmk_machine *m;
	struct mmk_config cfg;
	unsigned long ref_calls = 0;
	long ref_kept, vm_kb;
	bool failed;
	size_t s;
	int k, fds;

	/* Discovery: count the calls of each site during boot, then during
	 * the probe (the boot plans stay in force after boot). */
	memset(count, 0, sizeof count);
	boot_config(&cfg, bp, NULL, 0);
	for (k = 0; k < MMK_NR_FAIL_KINDS; k++) {
		count[k].sites = sites;
		cfg.boot_fail[k] = &count[k];
	}
	site_snapshot(was, NULL);
	m = mmk_boot(&cfg);
	assert_non_null(m);
	site_snapshot(boot_calls, NULL);
	ref_kept = probe(m, NULL, 0, &failed);
	assert_false(failed);
	site_snapshot(probe_calls, NULL);
	mmk_shutdown(m);
	for (s = 0; s < MAX_SITES; s++)
		for (k = 0; k < MMK_NR_FAIL_KINDS; k++) {
			probe_calls[s][k] -= boot_calls[s][k];
			boot_calls[s][k] -= was[s][k];
			ref_calls += boot_calls[s][k];
		}
	print_message("boot sweep %s: %lu allocation calls at boot\n", bp->name,
		      ref_calls);
	fds = open_fds();
	vm_kb = vm_size_kb();
	for (s = 0; s < MAX_SITES; s++) {
		for (k = 0; k < MMK_NR_FAIL_KINDS; k++) {
			unsigned long nth = 0;

			while (next_nth(&nth, boot_calls[s][k])) {
				struct mmk_fail_attr attr = { 0 };

				assert_int_equal(mmk_fail_site(sites, s, &info),
						 0);
				attr.sites = sites;
				attr.site = info.name;
				attr.nth = nth;
				attr.times = 1;
				boot_config(&cfg, bp, &attr, k);
				site_snapshot(was, was_failed);
				errno = 0;
				m = mmk_boot(&cfg);
				nr_boots++;
				site_snapshot(now_calls, now_failed);
				if (now_failed[s][k] == was_failed[s][k])
					fail_msg(
						"boot %s: %s call %lu of %s was not reached",
						bp->name, info.name, nth,
						k ? "slab" : "page_alloc");
				if (m) {
					char why[512];

					/* The kernel fell back. */
					nr_boot_fallbacks++;
					if (getenv("MMK_SWEEP_VERBOSE"))
						print_message(
							"boot %s: %s call %lu of %s: fallback\n",
							bp->name, info.name,
							nth,
							k ? "slab" :
							    "page_alloc");
					if (mmk_check(m, why, sizeof why))
						fail_msg(
							"boot %s: %s call %lu: check failed: %s",
							bp->name, info.name,
							nth, why);
					mmk_shutdown(m);
				} else {
					nr_boot_failed++;
					if (errno != ENOMEM)
						fail_msg(
							"boot %s: %s call %lu: errno %d, not ENOMEM",
							bp->name, info.name,
							nth, errno);
					assert_null(mmk_current());
				}
				if (open_fds() != fds ||
				    vm_size_kb() - vm_kb > 64 * 1024)
					fail_msg(
						"boot %s: %s call %lu: host descriptors %d -> %d, VmSize %ld -> %ld kB",
						bp->name, info.name, nth, fds,
						open_fds(), vm_kb,
						vm_size_kb());
			}
		}
	}
	/* The probe, with one failure per run. */
	for (s = 0; s < MAX_SITES; s++) {
		for (k = 0; k < MMK_NR_FAIL_KINDS; k++) {
			unsigned long nth = 0;

			while (next_nth(&nth, probe_calls[s][k])) {
				struct mmk_fail_attr attr = { 0 };
				long kept;

				assert_int_equal(mmk_fail_site(sites, s, &info),
						 0);
				attr.sites = sites;
				attr.site = info.name;
				attr.nth = nth;
				attr.times = 1;
				boot_config(&cfg, bp, NULL, 0);
				m = mmk_boot(&cfg);
				assert_non_null(m);
				site_snapshot(was, was_failed);
				kept = probe(m, &attr, k, &failed);
				site_snapshot(now_calls, now_failed);
				nr_probes++;
				nr_probe_failed += failed;
				if (now_failed[s][k] == was_failed[s][k])
					fail_msg(
						"probe %s: %s call %lu of %s was not reached",
						bp->name, info.name, nth,
						k ? "slab" : "page_alloc");
				if (kept > ref_kept)
					fail_msg(
						"probe %s: %s call %lu: %ld pages leaked",
						bp->name, info.name, nth,
						kept - ref_kept);
				mmk_shutdown(m);
			}
		}
	}
}

static void test_boot_sweep(void **state)
{
	double t0 = now();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof boot_profiles / sizeof boot_profiles[0]; i++)
		boot_sweep(&boot_profiles[i]);
	print_message("boot sweep: %lu boots (%lu failed with ENOMEM, %lu "
		      "absorbed by a fallback), %lu aligned vmalloc probes "
		      "(%lu failed), %.1f s\n",
		      nr_boots, nr_boot_failed, nr_boot_fallbacks, nr_probes,
		      nr_probe_failed, now() - t0);
	assert_true(nr_boots > 0);
	assert_true(nr_probes > 0);
}

/* Every allocation call in the library's sources outside the allocators:
 * the static sites, one per line. */
static const char *const alloc_apis[] = {
	"__alloc_pages",
	"alloc_pages",
	"alloc_page",
	"alloc_pages_node",
	"__get_free_pages",
	"__get_free_page",
	"__get_dma_pages",
	"get_zeroed_page",
	"kmalloc",
	"kmalloc_node",
	"kmalloc_array",
	"kcalloc",
	"kzalloc",
	"krealloc",
	"kmem_cache_alloc",
	"kmem_cache_zalloc",
	"kmem_cache_alloc_node",
	"kmem_cache_alloc_bulk",
	"kmem_cache_create",
	"kmem_cache_init",
	"create_kmalloc_caches",
};

/* The site has been called in some run. */
static bool reached(const struct mmk_fail_site_info *info)
{
	return info->calls[MMK_FAIL_PAGE_ALLOC] || info->calls[MMK_FAIL_SLAB];
}

static bool allocator_file(const char *path)
{
	static const char *const files[] = {
		"mm/page_alloc.c",
		"mm/slub.c",
		"mm/slab_common.c",
		"mm/slab.h",
		"mm/fail.c",
		"include/mmkit/gfp.h",
		"include/mmkit/slab.h",
	};
	size_t i, len = strlen(path);

	for (i = 0; i < sizeof files / sizeof files[0]; i++)
		if (!strcmp(path, files[i]))
			return true;
	return len > 7 && !strcmp(path + len - 7, "_test.c");
}

static bool calls_allocator(const char *line)
{
	const char *p = line;
	size_t i;

	/* Calls are indented: a line that is not declares or defines. */
	if (*p != ' ' && *p != '\t')
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '*' || (p[0] == '/' && (p[1] == '*' || p[1] == '/')))
		return false;
	for (i = 0; i < sizeof alloc_apis / sizeof alloc_apis[0]; i++) {
		size_t n = strlen(alloc_apis[i]);
		const char *q = line;

		while ((q = strstr(q, alloc_apis[i]))) {
			bool start = q == line ||
				     !(isalnum((unsigned char)q[-1]) ||
				       q[-1] == '_');

			if (start && q[n] == '(')
				return true;
			q += n;
		}
	}
	return false;
}

static int static_sites(char names[][96], int max)
{
	static const char *const dirs[] = { "lib",    "platform",     "mm",
					    "fs",     "kernel",	      "proc",
					    "script", "include/mmkit" };
	int n = 0;
	size_t d;

	for (d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *e;

		assert_non_null(dir);
		while ((e = readdir(dir))) {
			char path[300], line[1024];
			size_t len = strlen(e->d_name);
			FILE *f;
			int no = 0;

			if (len < 3 || len > 40 || e->d_name[len - 2] != '.' ||
			    (e->d_name[len - 1] != 'c' &&
			     e->d_name[len - 1] != 'h'))
				continue;
			snprintf(path, sizeof path, "%s/%s", dirs[d],
				 e->d_name);
			if (allocator_file(path) || !(f = fopen(path, "r")))
				continue;
			while (fgets(line, sizeof line, f)) {
				no++;
				if (calls_allocator(line) && n < max &&
				    strlen(path) < 80)
					snprintf(names[n++], 96, "%.80s:%d",
						 path, no);
			}
			fclose(f);
		}
		closedir(dir);
	}
	return n;
}

static int setup(void **state)
{
	(void)state;
	nr_scenarios = 0;
	add_scenario("examples/tour.mms", true);
	collect("tests/scripts");
	collect("tests/sweep");
	sites = mmk_fail_sites_new();
	return sites && nr_scenarios ? 0 : -1;
}

static int teardown(void **state)
{
	int i;
	size_t j;

	(void)state;
	for (i = 0; i < nr_scenarios; i++) {
		for (j = 0; j < scenarios[i].nr_lines; j++) {
			free(scenarios[i].lines[j]);
			if (scenarios[i].ref_result)
				free(scenarios[i].ref_result[j]);
		}
		free(scenarios[i].lines);
		free(scenarios[i].ref_result);
		free(scenarios[i].path);
	}
	mmk_fail_sites_free(sites);
	return 0;
}

/*
 * One failure per run at each allocation site in turn: N = 1, 2 and the
 * last call of each site (every N with MMK_SWEEP=full), within the time
 * budget; then the share of the library's static sites that were reached.
 */
static void test_sweep_every_site(void **state)
{
	static char statics[MAX_SITES][96];
	const char *mode = getenv("MMK_SWEEP");
	bool full = mode && !strcmp(mode, "full");
	double budget = env_seconds("MMK_SWEEP_BUDGET", full ? 1e9 : 40);
	double t0 = now();
	struct mmk_fail_site_info info;
	int i, k, nr_static, reached_static = 0, pass;
	unsigned long total_calls = 0;
	size_t s, nr_sites = 0;
	bool out_of_time = false;

	(void)state;
	/* Pass 0 covers every site once; the later ones go deeper. */
	for (pass = 0; pass < (full ? 1 : 3) && !out_of_time; pass++) {
		for (i = 0; i < nr_scenarios && !out_of_time; i++) {
			struct scenario *sc = &scenarios[i];
			unsigned long calls[MAX_SITES][MMK_NR_FAIL_KINDS];

			reference_run(sc);
			if (pass == 0)
				total_calls += sc->ref_calls;
			memcpy(calls, site_calls, sizeof calls);
			for (s = 0; s < MAX_SITES && !out_of_time; s++) {
				for (k = 0; k < MMK_NR_FAIL_KINDS; k++) {
					unsigned long c = calls[s][k], nth;

					if (!c)
						continue;
					if (full) {
						for (nth = 1; nth <= c; nth++)
							injected_run(sc, s, k,
								     nth);
						continue;
					}
					nth = pass == 0 ? 1 : pass == 1 ? 2 : c;
					if (nth > c || (pass == 2 && c <= 2))
						continue;
					injected_run(sc, s, k, nth);
					out_of_time = now() - t0 > budget;
				}
			}
		}
	}
	nr_static = static_sites(statics, MAX_SITES);
	for (s = 0; !mmk_fail_site(sites, s, &info); s++) {
		bool known = false;

		if (!reached(&info))
			continue;
		nr_sites++;
		for (i = 0; i < nr_static; i++)
			known |= !strcmp(statics[i], info.name);
		if (!known)
			print_message(
				"site reached but not found statically: %s (%s)\n",
				info.name, info.function);
	}
	for (i = 0; i < nr_static; i++) {
		bool hit = false;

		for (s = 0; !mmk_fail_site(sites, s, &info); s++)
			hit |= reached(&info) && !strcmp(statics[i], info.name);
		reached_static += hit;
		if (!hit)
			print_message("site not reached: %s\n", statics[i]);
	}
	print_message("sweep: %d scenarios, %lu allocation calls, %lu runs "
		      "(%lu injected, %lu absorbed by a fallback, %lu took "
		      "another path), %.1f s%s\n",
		      nr_scenarios, total_calls, nr_runs, nr_injected,
		      nr_fallbacks, nr_missed, now() - t0,
		      out_of_time ? " (time budget reached)" : "");
	print_message("sweep: sites reached %zu; static sites %d, reached %d "
		      "(%.1f%%)\n",
		      nr_sites, nr_static, reached_static,
		      nr_static ? 100.0 * reached_static / nr_static : 0.0);
	if (getenv("MMK_SWEEP_SITES"))
		for (s = 0; !mmk_fail_site(sites, s, &info); s++)
			print_message(
				"  %-28s %-24s page_alloc %6lu slab %6lu\n",
				info.name, info.function,
				info.calls[MMK_FAIL_PAGE_ALLOC],
				info.calls[MMK_FAIL_SLAB]);
	assert_int_equal(nr_problems, 0);
	assert_true(nr_runs > 0);
}

/* Pages missing after the cleanup of @sc's run without failures, booted
 * with @seed. */
static long missing_without_failures(const struct scenario *sc,
				     unsigned long seed)
{
	struct plan plan;
	struct run r;

	memset(&plan, 0, sizeof plan);
	plan.seed = seed;
	run_scenario(&r, sc, &plan);
	if (r.bad[0])
		report_problem(sc, "no failures", &r);
	return r.missing;
}

/* Random failures at @pct% of every eligible call of both kinds, over
 * every scenario in turn with a new seed per run, for @secs seconds. */
static void random_rate(int pct, double secs)
{
	double t0 = now();
	unsigned long runs = 0, commands = 0, failures = 0, seed = 1;
	int i = 0, k, before = nr_problems;

	do {
		struct scenario *sc = &scenarios[i];
		long ref = missing_without_failures(sc, seed);
		struct plan plan;
		struct run r;

		memset(&plan, 0, sizeof plan);
		for (k = 0; k < MMK_NR_FAIL_KINDS; k++) {
			plan.attr[k].probability = (unsigned int)pct;
			plan.armed[k] = true;
		}
		plan.seed = seed++;
		run_scenario(&r, sc, &plan);
		runs++;
		commands += r.next;
		failures += (unsigned long)r.failures;
		if (!r.bad[0] && r.missing > ref)
			problem(&r,
				"%ld pages leaked (%ld missing, %ld without failures)",
				r.missing - ref, r.missing, ref);
		if (r.bad[0])
			report_problem(sc, pct == 1 ? "1%" : "10%", &r);
		i = (i + 1) % nr_scenarios;
	} while (now() - t0 < secs);
	print_message("random %d%%: %.1f s, %lu runs, %lu commands, %lu "
		      "commands met a failure, %d problems\n",
		      pct, now() - t0, runs, commands, failures,
		      nr_problems - before);
}

static void test_random_failure_rates(void **state)
{
	double secs = env_seconds("MMK_SWEEP_RANDOM", 2);

	(void)state;
	nr_problems = 0;
	random_rate(1, secs);
	random_rate(10, secs);
	assert_int_equal(nr_problems, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_sweep),
		cmocka_unit_test(test_sweep_every_site),
		cmocka_unit_test(test_random_failure_rates),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
