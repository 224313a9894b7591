/* SPDX-License-Identifier: MIT */
/*
 * What the long-run operation fuzzers (fuzz/pages_fuzz.c, fuzz/vm_fuzz.c)
 * share: a seeded generator, the command line, failure reports that name
 * the seed and the operation to replay, a barrier for the periodic
 * verifier, and the summary line.
 *
 * These fuzzers are not coverage-guided: they drive mmkit's C API with
 * seeded random operations as fast as the library allows (the default
 * build, MMK_DEBUG=1 assertions on), check every result against what
 * Linux promises, and run mmk_check() every few thousand operations, so
 * that 10^8..10^9 operations fit in minutes. The libFuzzer target
 * (fuzz/script_fuzz.c) is the coverage-guided one.
 */
#ifndef MMKIT_FUZZ_OPS_COMMON_H
#define MMKIT_FUZZ_OPS_COMMON_H

#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <mmkit/mmkit.h>
#include <mmkit/gfp.h>
#include <mmkit/slab.h>
#include <mmkit/vmalloc.h>
#include "mm/internal.h"
#include "mm/slab.h"

#define FZ_MAX_THREADS 32

/* ---- the generator: xorshift64*, one per thread ---- */

struct fz_rng {
	uint64_t s;
};

static inline void fz_seed(struct fz_rng *r, uint64_t seed)
{
	r->s = seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
	if (!r->s)
		r->s = 1;
}

static inline uint64_t fz_next(struct fz_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [0, n), n > 0. */
static inline uint64_t fz_below(struct fz_rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)fz_next(r) * n) >> 64);
}

/* True with probability @pct percent. */
static inline int fz_chance(struct fz_rng *r, unsigned int pct)
{
	return fz_below(r, 100) < pct;
}

/* A tag that depends on an address and a salt: what a block must still
 * hold when it is checked. */
static inline uint64_t fz_tag(uintptr_t addr, uint64_t salt)
{
	uint64_t x = (uint64_t)addr ^ (salt * 0xD6E8FEB86659FD93ULL);

	x ^= x >> 32;
	x *= 0xD6E8FEB86659FD93ULL;
	x ^= x >> 32;
	return x | 1;
}

/* ---- options ---- */

struct fz_opts {
	const char *prog;
	uint64_t ops; /* operations in all (-n) */
	uint64_t seed; /* -s */
	int threads; /* -t */
	uint64_t check_every; /* operations per thread between checks (-c) */
	const char *arch; /* -a: x86_64 or i386 */
	uint64_t mem; /* -M, bytes */
	uint64_t swap; /* -S, bytes (0: no swap) */
	int quiet; /* -q: only the summary */
};

static inline uint64_t fz_parse_size(const char *prog, const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	switch (*end) {
	case 'k':
	case 'K':
		v <<= 10;
		end++;
		break;
	case 'm':
	case 'M':
		v <<= 20;
		end++;
		break;
	case 'g':
	case 'G':
		v <<= 30;
		end++;
		break;
	case 'e': /* 1e9 */
		if (end[1] >= '0' && end[1] <= '9') {
			int e = atoi(end + 1);

			while (e-- > 0)
				v *= 10;
			end += strlen(end);
		}
		break;
	default:
		break;
	}
	if (*end || end == s) {
		fprintf(stderr, "%s: bad number '%s'\n", prog, s);
		exit(2);
	}
	return v;
}

/* Parses -n -s -t -c -a -M -S -q; @usage is printed on anything else. */
static inline void fz_parse(struct fz_opts *o, int argc, char **argv,
			    const char *usage)
{
	int c;

	o->prog = argv[0];
	while ((c = getopt(argc, argv, "n:s:t:c:a:M:S:qh")) != -1) {
		switch (c) {
		case 'n':
			o->ops = fz_parse_size(o->prog, optarg);
			break;
		case 's':
			o->seed = fz_parse_size(o->prog, optarg);
			break;
		case 't':
			o->threads = (int)fz_parse_size(o->prog, optarg);
			break;
		case 'c':
			o->check_every = fz_parse_size(o->prog, optarg);
			break;
		case 'a':
			o->arch = optarg;
			break;
		case 'M':
			o->mem = fz_parse_size(o->prog, optarg);
			break;
		case 'S':
			o->swap = fz_parse_size(o->prog, optarg);
			break;
		case 'q':
			o->quiet = 1;
			break;
		default:
			fputs(usage, stderr);
			exit(c == 'h' ? 0 : 2);
		}
	}
	if (optind != argc || o->threads < 1 || o->threads > FZ_MAX_THREADS ||
	    !o->check_every ||
	    (strcmp(o->arch, "x86_64") && strcmp(o->arch, "i386"))) {
		fputs(usage, stderr);
		exit(2);
	}
}

/* ---- failure reports ---- */

/* What a failure report names so the run can be replayed. */
struct fz_where {
	const struct fz_opts *o;
	int thread;
	uint64_t op; /* this thread's operation number */
	const char *what; /* the operation */
};

static inline void fz_fail(const struct fz_where *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static inline void fz_fail(const struct fz_where *w, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr,
		"%s: FAILED: %s\n%s:   thread %d, its operation %llu (%s); "
		"replay: %s -a %s -M %llu -S %llu -t %d -s %llu -c %llu "
		"-n %llu\n",
		w->o->prog, msg, w->o->prog, w->thread,
		(unsigned long long)w->op, w->what ? w->what : "-", w->o->prog,
		w->o->arch, (unsigned long long)w->o->mem,
		(unsigned long long)w->o->swap, w->o->threads,
		(unsigned long long)w->o->seed,
		(unsigned long long)w->o->check_every,
		(unsigned long long)w->o->ops);
	fflush(stderr);
	abort();
}

/* Kernel reports of corruption (bad_page, "BUG:" lines and the page dumps
 * that follow) seen by fz_printk, the fuzzers' printk hook. */
static atomic_ulong fz_bugs;

/* The operation this thread is in, for the reports below (set by the
 * fuzzer's threads; NULL in others). */
static _Thread_local const struct fz_where *fz_cur;

/* A "BUG:" line comes with the operation and the stack that found it:
 * the corruption is often found long before the next check. Frames
 * print as binary(+offset); `addr2line -e binary offset` names them. */
static inline void fz_report_stack(void)
{
	void *frames[32];
	int n = backtrace(frames, 32);

	if (fz_cur)
		fprintf(stderr,
			"dmesg:   (thread %d, its operation %llu: %s)\n",
			fz_cur->thread, (unsigned long long)fz_cur->op,
			fz_cur->what ? fz_cur->what : "?");
	fflush(stderr);
	backtrace_symbols_fd(frames, n, 2);
}

static inline void fz_printk(void *arg, const char *line)
{
	static const char *const shown[] = {
		"BUG:", "page:", "head:", "flags:", "page_type:", "page dumped"
	};
	size_t i;

	(void)arg;
	for (i = 0; i < sizeof shown / sizeof shown[0]; i++)
		if (!strncmp(line, shown[i], strlen(shown[i]))) {
			fprintf(stderr, "dmesg: %s\n", line);
			if (i == 0) {
				atomic_fetch_add(&fz_bugs, 1);
				fz_report_stack();
			}
		}
}

/* mmk_check(), failing with its reason; or the kernel reported a bug. */
static inline void fz_check(const struct fz_where *w, struct mmk_machine *m)
{
	char why[512];

	if (atomic_load(&fz_bugs))
		fz_fail(w, "the kernel reported %lu bugs (dmesg above)",
			atomic_load(&fz_bugs));
	if (mmk_check(m, why, sizeof why))
		fz_fail(w, "check: %s", why);
}

/* ---- time and the summary ---- */

static inline double fz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Per-operation counters, printed as "name count" pairs. */
struct fz_count {
	const char *name;
	atomic_ullong n;
};

static inline void fz_summary(const struct fz_opts *o, const char *fuzzer,
			      uint64_t ops, uint64_t checks, double secs,
			      struct fz_count *c, int nr)
{
	int i;

	if (!o->quiet)
		for (i = 0; i < nr; i++)
			printf("  %-24s %llu\n", c[i].name,
			       (unsigned long long)atomic_load(&c[i].n));
	printf("%s: ok: %llu operations, %d threads, %llu checks, seed %llu, "
	       "%s mem=%lluM, %.1f s (%.0f ops/s)\n",
	       fuzzer, (unsigned long long)ops, o->threads,
	       (unsigned long long)checks, (unsigned long long)o->seed, o->arch,
	       (unsigned long long)(o->mem >> 20), secs,
	       secs > 0 ? (double)ops / secs : 0.0);
	fflush(stdout);
}

/* Give back what caches hold, for the leak check: lazily freed vmalloc
 * areas, every cache's empty slabs and per-CPU objects (leaked caches'
 * too), every CPU's page lists. */
static inline void fz_settle(struct mmk_machine *m)
{
	struct kmem_cache *s;

	vm_unmap_aliases();
	list_for_each_entry(s, &m->slab->caches, list)
		kmem_cache_shrink(s);
	list_for_each_entry(s, &m->slab->leaked, list)
		kmem_cache_shrink(s);
	drain_all_pages(NULL);
}

#endif /* MMKIT_FUZZ_OPS_COMMON_H */
