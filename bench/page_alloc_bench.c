/* SPDX-License-Identifier: MIT */
/*
 * page_alloc_bench: mmkit's buddy allocator against an ideal per-thread
 * free list (alone, and keeping a reference count in a 64-byte descriptor
 * per page, as any allocator of struct pages must), a naive buddy
 * allocator (bench/naive_buddy.h) and the malloc
 * implementations a user would otherwise reach for (glibc, jemalloc,
 * mimalloc, tcmalloc via posix_memalign(4096, 4096 << order)).
 *
 * One run prints:
 *  1. three workloads, each with 1 and 2 threads, ns per alloc+free pair:
 *     order0-hot       the same order-0 page allocated and freed again
 *     order0-random    live set of 10,000 order-0 blocks per thread; each
 *                      op frees a random slot and allocates into it
 *     order0-3-random  the same with orders random in 0..3
 *     Inputs (slot indices, orders) come from a fixed-seed xorshift and are
 *     precomputed into arrays, identical for every allocator. Each figure
 *     is the median of 3 runs of ~MMKIT_BENCH_MS (200) ms after a warm-up.
 *  2. fragmentation after fill / free / churn, mmkit vs naive buddy;
 *  3. the cost of booting a 64 GiB machine (time, RSS);
 *  4. with valgrind: callgrind instructions per op (repeatable figures).
 *  5. a summary of the performance goals, PASS or MISS.
 *
 * Every measurement runs in a child process: the binary re-executes itself
 * (/proc/self/exe MODE ...), for malloc peers with LD_PRELOAD naming the
 * peer library, and the child prints machine-readable lines ("RES ...",
 * "FRAG ...", "BOOT ...") that the parent parses. A missing peer library
 * is reported as skipped. Exit status: 0 whether or not goals are met;
 * 1 on a real error (mmk_boot failed, an mmkit child crashed, a verifier
 * failure).
 *
 * Fairness notes: the ideal and naive allocators are called through
 * noinline functions, so each allocator costs at least one call per
 * operation, as mmkit's alloc_pages()/__free_pages() and the PLT calls of
 * the malloc peers do. Returned pointers escape through an empty asm, so
 * no compiler can elide an allocation.
 */
#define BENCH_NAME "page_alloc_bench"
#include "harness.h"

#include <sys/mman.h>

#include "naive_buddy.h"

#define LIVE 10000u /* live blocks per thread in the random workloads */
#define RAND_N (1u << 20) /* precomputed inputs per thread (cycled) */
#define RAND_MASK (RAND_N - 1)
#define MAX_THREADS BENCH_MAX_THREADS
#define REPS BENCH_REPS
#define IDEAL_CAP 16384u /* blocks per order in the ideal stacks */
#define MAX_ORDER_USED 3

#define MMKIT_MEM (4ULL << 30)
#define NAIVE_PAGES (1UL << 20) /* 4 GiB of pfns */

#define FRAG_MEM (1ULL << 30)
#ifndef FRAG_CHURN
#define FRAG_CHURN 300000UL
#endif

#define CG_OPS1 100000UL
#define CG_OPS2 300000UL

/* ---------------------------------------------------------------------- */
/* Names */

enum workload { WL_HOT, WL_RAND0, WL_RAND03, NR_WL };

static const char *const wl_name[NR_WL] = { "order0-hot", "order0-random",
					    "order0-3-random" };
static const char *const wl_desc[NR_WL] = {
	"alloc+free of one order-0 page, the same page each time (pcp fast path)",
	"live set of 10,000 order-0 pages per thread; free a random slot, allocate into it",
	"live set of 10,000 blocks of random order 0..3 per thread; free a random slot, allocate into it",
};

enum kind { K_MMKIT, K_IDEAL, K_IDEAL_PAGE, K_NAIVE, K_MALLOC };

static const struct allocator allocators[] = {
	{ "mmkit", K_MMKIT, NULL, NULL },
	{ "ideal", K_IDEAL, NULL, NULL },
	{ "ideal-page", K_IDEAL_PAGE, NULL, NULL },
	{ "naive-buddy", K_NAIVE, NULL, NULL },
	MALLOC_PEERS(K_MALLOC) /* glibc, jemalloc, mimalloc, tcmalloc */
};
#define NR_ALLOC ((int)(sizeof(allocators) / sizeof(allocators[0])))

static const struct allocator *find_allocator(const char *name)
{
	int i;

	for (i = 0; i < NR_ALLOC; i++)
		if (!strcmp(allocators[i].name, name))
			return &allocators[i];
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* The allocators, as seen by one benchmark thread */

struct ideal_stack {
	void **v;
	unsigned int top;
};

/* ideal-page's descriptor of a 4 KiB page of the ideal region: a
 * reference count in a struct page's 64 bytes. */
struct ideal_desc {
	_Alignas(64) int refcount;
};

struct thr {
	int id;
	/* inputs */
	uint32_t *idx; /* RAND_N slot indices in [0, LIVE) */
	uint8_t *ord; /* RAND_N orders for the new blocks */
	uint8_t *fill_ord; /* LIVE orders for the initial fill */
	uint64_t pos; /* next input */
	/* live set */
	void **slot;
	uint8_t *slot_ord;
	/* ideal allocator */
	struct ideal_stack ideal[MAX_ORDER_USED + 1];
	void *ideal_region;
	size_t ideal_len;
	struct ideal_desc *desc; /* ideal-page: one per 4 KiB of the region */
};

static struct mmk_machine *g_m;
static struct naive_buddy g_nb;
static enum kind g_kind;

typedef void *(*alloc_fn)(struct thr *, unsigned int);
typedef void (*free_fn)(struct thr *, void *, unsigned int);

static inline void *mmkit_alloc(struct thr *t, unsigned int order)
{
	(void)t;
	return alloc_pages(GFP_KERNEL, order);
}

static inline void mmkit_free(struct thr *t, void *h, unsigned int order)
{
	(void)t;
	__free_pages(h, order);
}

static BENCH_NOINLINE void *ideal_alloc(struct thr *t, unsigned int order)
{
	struct ideal_stack *s = &t->ideal[order];

	return s->top ? s->v[--s->top] : NULL;
}

static BENCH_NOINLINE void ideal_free(struct thr *t, void *h,
				      unsigned int order)
{
	struct ideal_stack *s = &t->ideal[order];

	s->v[s->top++] = h;
}

/* ideal-page: the ideal stacks, plus what alloc_pages() and
 * __free_pages() cannot avoid - setting the head's reference count, and
 * dropping it (a free of a block whose count is not 1 is refused). */
static inline struct ideal_desc *ideal_desc_of(struct thr *t, void *h)
{
	return &t->desc[((char *)h - (char *)t->ideal_region) >> 12];
}

static BENCH_NOINLINE void *ideal_page_alloc(struct thr *t, unsigned int order)
{
	struct ideal_stack *s = &t->ideal[order];
	void *h;

	if (!s->top)
		return NULL;
	h = s->v[--s->top];
	ideal_desc_of(t, h)->refcount = 1;
	return h;
}

static BENCH_NOINLINE void ideal_page_free(struct thr *t, void *h,
					   unsigned int order)
{
	struct ideal_stack *s = &t->ideal[order];
	struct ideal_desc *d = ideal_desc_of(t, h);

	if (d->refcount != 1)
		return;
	d->refcount = 0;
	s->v[s->top++] = h;
}

static BENCH_NOINLINE void *naive_alloc(struct thr *t, unsigned int order)
{
	long pfn = nb_alloc(&g_nb, order);

	(void)t;
	return pfn < 0 ? NULL : &g_nb.pages[pfn];
}

static BENCH_NOINLINE void naive_free(struct thr *t, void *h,
				      unsigned int order)
{
	(void)t;
	nb_free(&g_nb, (unsigned long)((struct nb_page *)h - g_nb.pages),
		order);
}

static inline void *malloc_alloc(struct thr *t, unsigned int order)
{
	void *p;

	(void)t;
	if (posix_memalign(&p, 4096, (size_t)4096 << order))
		return NULL;
	return p;
}

static inline void malloc_free(struct thr *t, void *h, unsigned int order)
{
	(void)t;
	(void)order;
	free(h);
}

/* The loops, instantiated per allocator so every call is direct. */

static BENCH_ALWAYS_INLINE int loop_hot(struct thr *t, uint64_t n, alloc_fn A,
					free_fn F)
{
	uint64_t i;

	for (i = 0; i < n; i++) {
		void *p = A(t, 0);

		if (!p)
			return -1;
		ESCAPE(p);
		F(t, p, 0);
	}
	return 0;
}

static BENCH_ALWAYS_INLINE int loop_random(struct thr *t, uint64_t n,
					   alloc_fn A, free_fn F)
{
	const uint32_t *idx = t->idx;
	const uint8_t *ord = t->ord;
	void **slot = t->slot;
	uint8_t *so = t->slot_ord;
	uint64_t i, pos = t->pos;

	for (i = 0; i < n; i++, pos++) {
		uint32_t k = (uint32_t)pos & RAND_MASK;
		uint32_t s = idx[k];
		unsigned int o = ord[k];
		void *p;

		F(t, slot[s], so[s]);
		p = A(t, o);
		slot[s] = p;
		so[s] = (uint8_t)o;
		if (!p) {
			t->pos = pos + 1;
			return -1;
		}
	}
	t->pos = pos;
	return 0;
}

static BENCH_ALWAYS_INLINE int loop_fill(struct thr *t, alloc_fn A)
{
	unsigned int s;

	for (s = 0; s < LIVE; s++) {
		unsigned int o = t->fill_ord[s];

		t->slot[s] = A(t, o);
		t->slot_ord[s] = (uint8_t)o;
		if (!t->slot[s])
			return -1;
	}
	return 0;
}

static BENCH_ALWAYS_INLINE void loop_release(struct thr *t, free_fn F)
{
	unsigned int s;

	for (s = 0; s < LIVE; s++) {
		if (t->slot[s])
			F(t, t->slot[s], t->slot_ord[s]);
		t->slot[s] = NULL;
	}
}

struct alloc_ops {
	int (*hot)(struct thr *, uint64_t);
	int (*rnd)(struct thr *, uint64_t);
	int (*fill)(struct thr *);
	void (*release)(struct thr *);
};

#define DEFINE_OPS(pfx, A, F)                                             \
	static int pfx##_hot(struct thr *t, uint64_t n)                   \
	{                                                                 \
		return loop_hot(t, n, A, F);                              \
	}                                                                 \
	static int pfx##_rnd(struct thr *t, uint64_t n)                   \
	{                                                                 \
		return loop_random(t, n, A, F);                           \
	}                                                                 \
	static int pfx##_fill(struct thr *t)                              \
	{                                                                 \
		return loop_fill(t, A);                                   \
	}                                                                 \
	static void pfx##_release(struct thr *t)                          \
	{                                                                 \
		loop_release(t, F);                                       \
	}                                                                 \
	static const struct alloc_ops pfx##_ops = { pfx##_hot, pfx##_rnd, \
						    pfx##_fill,           \
						    pfx##_release };

DEFINE_OPS(mmkit, mmkit_alloc, mmkit_free)
DEFINE_OPS(ideal, ideal_alloc, ideal_free)
DEFINE_OPS(ideal_page, ideal_page_alloc, ideal_page_free)
DEFINE_OPS(naive, naive_alloc, naive_free)
DEFINE_OPS(malloc, malloc_alloc, malloc_free)

static const struct alloc_ops *ops_of(enum kind k)
{
	switch (k) {
	case K_MMKIT:
		return &mmkit_ops;
	case K_IDEAL:
		return &ideal_ops;
	case K_IDEAL_PAGE:
		return &ideal_page_ops;
	case K_NAIVE:
		return &naive_ops;
	case K_MALLOC:
		break;
	}
	return &malloc_ops;
}

/* ---------------------------------------------------------------------- */
/* Per-thread setup */

static struct thr g_thr[MAX_THREADS];

static void thr_alloc(struct thr *t, int id)
{
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->idx = xmalloc(RAND_N * sizeof(*t->idx));
	t->ord = xmalloc(RAND_N);
	t->fill_ord = xmalloc(LIVE);
	t->slot = xmalloc(LIVE * sizeof(*t->slot));
	memset(t->slot, 0, LIVE * sizeof(*t->slot));
	t->slot_ord = xmalloc(LIVE);
}

/* Inputs for @wl, thread @id: the same for every allocator. */
static void thr_inputs(struct thr *t, enum workload wl)
{
	uint64_t seed = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)wl << 32) ^
			(uint64_t)(t->id + 1);
	unsigned int i, omask = wl == WL_RAND03 ? 3 : 0;

	for (i = 0; i < 16; i++)
		xs64(&seed);
	for (i = 0; i < RAND_N; i++) {
		uint64_t r = xs64(&seed);

		t->idx[i] = (uint32_t)((r >> 16) % LIVE);
		t->ord[i] = (uint8_t)(r & omask);
	}
	for (i = 0; i < LIVE; i++)
		t->fill_ord[i] = (uint8_t)(xs64(&seed) & omask);
	t->pos = 0;
}

/* The ideal allocator's stacks: IDEAL_CAP blocks of each order, pointers
 * into one reserved (never touched) address range; with @desc, ideal-page's
 * descriptors (zeroed memory the host backs as they are first touched). */
static int ideal_setup(struct thr *t, bool desc)
{
	size_t len = 0, off = 0;
	unsigned int o, i;
	char *base;

	for (o = 0; o <= MAX_ORDER_USED; o++)
		len += (size_t)IDEAL_CAP * (4096UL << o);
	base = mmap(NULL, len, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return -1;
	t->ideal_region = base;
	t->ideal_len = len;
	if (desc) {
		t->desc = mmap(NULL, (len >> 12) * sizeof(*t->desc),
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
			       0);
		if (t->desc == MAP_FAILED)
			return -1;
	}
	for (o = 0; o <= MAX_ORDER_USED; o++) {
		struct ideal_stack *s = &t->ideal[o];

		s->v = xmalloc(IDEAL_CAP * sizeof(*s->v));
		/* Pushed high to low, so pops come out in address order. */
		for (i = 0; i < IDEAL_CAP; i++)
			s->v[i] = base + off +
				  (size_t)(IDEAL_CAP - 1 - i) * (4096UL << o);
		s->top = IDEAL_CAP;
		off += (size_t)IDEAL_CAP * (4096UL << o);
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* One measurement: @nthreads threads each run @warm ops, then @n timed ops */

struct run {
	const struct alloc_ops *ops;
	enum workload wl;
	uint64_t n, warm;
};

static void *worker(void *arg)
{
	struct worker_arg *wa = arg;
	struct run *r = wa->run;
	struct thr *t = wa->thr;
	/* With mmkit, each thread owns its own simulated CPU. */
	int err = worker_start(wa, g_kind == K_MMKIT ? g_m : NULL);

	if (!err && r->wl != WL_HOT)
		err = r->ops->fill(t) != 0;
	if (!err)
		err = (r->wl == WL_HOT ? r->ops->hot(t, r->warm) :
					 r->ops->rnd(t, r->warm)) != 0;
	pthread_barrier_wait(&wa->team->bar);
	wa->t0 = now_ns();
	if (!err)
		err = (r->wl == WL_HOT ? r->ops->hot(t, r->n) :
					 r->ops->rnd(t, r->n)) != 0;
	wa->t1 = now_ns();
	/* Nobody releases its live set while another thread is timed. */
	pthread_barrier_wait(&wa->team->bar);
	if (r->wl != WL_HOT)
		r->ops->release(t);
	if (g_kind == K_MMKIT)
		mmk_set_current(NULL);
	wa->err = err;
	return NULL;
}

/* Return: ns per op per thread (wall time of the timed section / n), or
 * a negative value on error. */
static double measure(enum workload wl, int nthreads, uint64_t n, uint64_t warm)
{
	struct run r = { ops_of(g_kind), wl, n, warm };
	double wall = run_team(nthreads, worker, &r, g_thr, sizeof g_thr[0]);

	if (g_kind == K_MMKIT) {
		/* Return what the CPUs' lists hold before the next run. */
		mmk_set_current(g_m);
		drain_all_pages(NULL);
		mmk_set_current(NULL);
	}
	if (wall < 0)
		return -1;
	return wall / (double)n;
}

/* ---------------------------------------------------------------------- */
/* Child modes */

static struct mmk_machine *boot_machine(uint64_t mem, int cpus)
{
	struct mmk_config cfg;
	struct mmk_machine *m;

	mmk_config_init(&cfg);
	cfg.mem_bytes = mem;
	cfg.nr_cpus = cpus;
	cfg.pcp = true;
	m = mmk_boot(&cfg);
	if (!m)
		fprintf(stderr,
			"page_alloc_bench: mmk_boot(mem=%llu MiB): %s\n",
			(unsigned long long)(mem >> 20), strerror(errno));
	return m;
}

/* Set up the allocator of this child. Return 0 or -1. */
static int setup_kind(const struct allocator *a, unsigned long *initial_free)
{
	int i;

	g_kind = a->kind;
	for (i = 0; i < MAX_THREADS; i++)
		thr_alloc(&g_thr[i], i);
	switch ((enum kind)a->kind) {
	case K_MMKIT:
		g_m = boot_machine(MMKIT_MEM, 2);
		if (!g_m)
			return -1;
		*initial_free = mmk_nr_free_pages(g_m);
		mmk_set_current(NULL); /* release CPU 0 for the workers */
		break;
	case K_IDEAL:
	case K_IDEAL_PAGE:
		for (i = 0; i < MAX_THREADS; i++)
			if (ideal_setup(&g_thr[i], a->kind == K_IDEAL_PAGE))
				return -1;
		break;
	case K_NAIVE:
		if (nb_init(&g_nb, NAIVE_PAGES))
			return -1;
		*initial_free = nb_nr_free_pages(&g_nb);
		break;
	case K_MALLOC:
		check_preload(a);
		break;
	}
	return 0;
}

/* After all runs: everything is back, and mmkit's verifier is happy. */
static int teardown_kind(const struct allocator *a, unsigned long initial_free)
{
	char why[256];
	int rc = 0;

	switch (a->kind) {
	case K_MMKIT: {
		unsigned long nfree;

		mmk_set_current(g_m);
		drain_all_pages(NULL);
		nfree = mmk_nr_free_pages(g_m);
		if (nfree != initial_free) {
			printf("ERR mmkit: %lu pages free after the runs, %lu after boot\n",
			       nfree, initial_free);
			rc = -1;
		}
		if (mmk_check(g_m, why, sizeof why)) {
			printf("ERR mmkit: check failed: %s\n", why);
			rc = -1;
		}
		mmk_shutdown(g_m);
		break;
	}
	case K_NAIVE:
		if (nb_nr_free_pages(&g_nb) != initial_free) {
			printf("ERR naive-buddy: %lu pages free after the runs, %lu at start\n",
			       nb_nr_free_pages(&g_nb), initial_free);
			rc = -1;
		}
		nb_destroy(&g_nb);
		break;
	default:
		break;
	}
	return rc;
}

/* `run ALLOC`: every workload, 1 and 2 threads, REPS timed runs each. */
static int child_run(const char *name)
{
	const struct allocator *a = find_allocator(name);
	unsigned long initial_free = 0;
	double tgt = target_ns();
	int wl, nt, i;

	if (!a)
		return 2;
	if (setup_kind(a, &initial_free))
		return 1;
	for (wl = 0; wl < NR_WL; wl++) {
		for (i = 0; i < MAX_THREADS; i++)
			thr_inputs(&g_thr[i], (enum workload)wl);
		for (nt = 1; nt <= MAX_THREADS; nt++) {
			double pilot, ns[REPS];
			uint64_t n, warm;

			/* Calibrate: ~tgt ns per timed run. */
			pilot = measure((enum workload)wl, nt, 100000, 20000);
			if (pilot <= 0) {
				printf("ERR %s %s %dT: allocation failed\n",
				       name, wl_name[wl], nt);
				return 1;
			}
			calibrate(tgt, pilot, 100000, 50000, &n, &warm);
			for (i = 0; i < REPS; i++) {
				ns[i] = measure((enum workload)wl, nt, n, warm);
				if (ns[i] < 0) {
					printf("ERR %s %s %dT: allocation failed\n",
					       name, wl_name[wl], nt);
					return 1;
				}
			}
			printf("RES %s %s %d %llu %.3f %.3f %.3f\n", name,
			       wl_name[wl], nt, (unsigned long long)n, ns[0],
			       ns[1], ns[2]);
			fflush(stdout);
		}
	}
	return teardown_kind(a, initial_free) ? 1 : 0;
}

/* `cg ALLOC WL NOPS`: one thread, NOPS ops after a fixed warm-up; run
 * under callgrind twice with two NOPS values. */
static int child_cg(const char *name, const char *wlname, const char *nops)
{
	const struct allocator *a = find_allocator(name);
	unsigned long initial_free = 0;
	int wl;

	if (!a)
		return 2;
	for (wl = 0; wl < NR_WL; wl++)
		if (!strcmp(wl_name[wl], wlname))
			break;
	if (wl == NR_WL)
		return 2;
	if (setup_kind(a, &initial_free))
		return 1;
	thr_inputs(&g_thr[0], (enum workload)wl);
	if (measure((enum workload)wl, 1, strtoull(nops, NULL, 10), 20000) < 0)
		return 1;
	return teardown_kind(a, initial_free) ? 1 : 0;
}

/* ---- fragmentation ---- */

struct frag_result {
	unsigned long initial; /* free pages at the start */
	unsigned long fail1, fail3;
	unsigned long live_pages; /* at the end */
	unsigned long nr_free[NB_NR_ORDERS]; /* blocks per order at the end */
};

typedef void *(*frag_alloc_fn)(unsigned int order);
typedef void (*frag_free_fn)(void *h, unsigned int order);

static void *frag_mmkit_alloc(unsigned int order)
{
	return alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
}

static void frag_mmkit_free(void *h, unsigned int order)
{
	__free_pages(h, order);
}

static void *frag_naive_alloc(unsigned int order)
{
	long pfn = nb_alloc(&g_nb, order);

	return pfn < 0 ? NULL : &g_nb.pages[pfn];
}

static void frag_naive_free(void *h, unsigned int order)
{
	nb_free(&g_nb, (unsigned long)((struct nb_page *)h - g_nb.pages),
		order);
}

struct frag_live {
	void **h;
	uint8_t *o;
	unsigned long n, pages;
};

static void frag_drop(struct frag_live *l, unsigned long i, frag_free_fn F)
{
	F(l->h[i], l->o[i]);
	l->pages -= 1UL << l->o[i];
	l->n--;
	l->h[i] = l->h[l->n];
	l->o[i] = l->o[l->n];
}

/* The operation sequence; identical for both allocators as long as their
 * allocations succeed and fail alike. Leaves the live blocks in @l. */
static void frag_sequence(struct frag_live *l, unsigned long initial,
			  frag_alloc_fn A, frag_free_fn F,
			  struct frag_result *r)
{
	uint64_t seed = 0x243F6A8885A308D3ULL;
	unsigned long step;

	l->h = xmalloc((initial + 64) * sizeof(*l->h));
	l->o = xmalloc(initial + 64);
	l->n = l->pages = 0;
	r->initial = initial;
	/* Phase 1: fill to 90% of the initially free pages. */
	while (l->pages < initial / 10 * 9 && l->n < initial) {
		unsigned int o = (unsigned int)(xs64(&seed) & 3);
		void *p = A(o);

		if (!p) {
			if (++r->fail1 > 100000)
				break;
			continue;
		}
		l->h[l->n] = p;
		l->o[l->n++] = (uint8_t)o;
		l->pages += 1UL << o;
	}
	/* Phase 2: free random blocks down to 50%. */
	while (l->pages > initial / 2 && l->n)
		frag_drop(l, xs64(&seed) % l->n, F);
	/* Phase 3: churn. */
	for (step = 0; step < FRAG_CHURN; step++) {
		uint64_t ri = xs64(&seed);
		unsigned int o = (unsigned int)(xs64(&seed) & 3);
		void *p;

		if (l->n)
			frag_drop(l, ri % l->n, F);
		p = A(o);
		if (!p) {
			r->fail3++;
			continue;
		}
		l->h[l->n] = p;
		l->o[l->n++] = (uint8_t)o;
		l->pages += 1UL << o;
	}
	r->live_pages = l->pages;
}

static void frag_free_all(struct frag_live *l, frag_free_fn F)
{
	while (l->n)
		frag_drop(l, l->n - 1, F);
	free(l->h);
	free(l->o);
}

/* Sum /proc/buddyinfo over nodes and zones. */
static int read_buddyinfo(struct mmk_machine *m,
			  unsigned long nr_free[NB_NR_ORDERS])
{
	char *text = mmk_proc_read(m, "/proc/buddyinfo"), *line, *save = NULL;
	int lines = 0;

	memset(nr_free, 0, NB_NR_ORDERS * sizeof(*nr_free));
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, "zone");
		int o;

		if (!p)
			continue;
		p += 4;
		while (*p == ' ')
			p++;
		while (*p && *p != ' ') /* the zone's name */
			p++;
		for (o = 0; o < NB_NR_ORDERS; o++) {
			char *end;
			unsigned long v = strtoul(p, &end, 10);

			if (end == p)
				break;
			nr_free[o] += v;
			p = end;
		}
		if (o != NB_NR_ORDERS) {
			free(text);
			return -1;
		}
		lines++;
	}
	free(text);
	return lines ? 0 : -1;
}

static void print_frag(const char *name, const struct frag_result *r)
{
	int o;

	printf("FRAG %s %lu %lu %lu %lu", name, r->initial, r->fail1, r->fail3,
	       r->live_pages);
	for (o = 0; o < NB_NR_ORDERS; o++)
		printf(" %lu", r->nr_free[o]);
	printf("\n");
}

/* The sequence on a fresh mem=1G machine with one CPU. */
static int frag_mmkit(const char *name, bool pcp, unsigned long *initial)
{
	struct frag_result r;
	struct frag_live l;
	struct mmk_config cfg;
	char why[256];
	int rc = 0;

	memset(&r, 0, sizeof r);
	mmk_config_init(&cfg);
	cfg.mem_bytes = FRAG_MEM;
	cfg.nr_cpus = 1;
	cfg.pcp = pcp;
	g_m = mmk_boot(&cfg);
	if (!g_m) {
		fprintf(stderr, "page_alloc_bench: mmk_boot(mem=1G): %s\n",
			strerror(errno));
		return 1;
	}
	*initial = mmk_nr_free_pages(g_m);
	frag_sequence(&l, *initial, frag_mmkit_alloc, frag_mmkit_free, &r);
	drain_all_pages(NULL);
	if (read_buddyinfo(g_m, r.nr_free)) {
		printf("ERR cannot parse /proc/buddyinfo\n");
		rc = 1;
	}
	frag_free_all(&l, frag_mmkit_free);
	drain_all_pages(NULL);
	if (mmk_check(g_m, why, sizeof why)) {
		printf("ERR %s (frag): check failed: %s\n", name, why);
		rc = 1;
	}
	if (mmk_nr_free_pages(g_m) != *initial) {
		printf("ERR %s (frag): %lu pages free at the end, %lu at boot\n",
		       name, mmk_nr_free_pages(g_m), *initial);
		rc = 1;
	}
	mmk_shutdown(g_m);
	g_m = NULL;
	print_frag(name, &r);
	return rc;
}

/* `frag`: mmkit (mem=1G, 1 CPU, pcp on; and for reference pcp off), then
 * the naive buddy over as many pages as mmkit had free, same sequence. */
static int child_frag(void)
{
	struct frag_result rn;
	struct frag_live l;
	unsigned long initial, initial_off;
	int rc;

	rc = frag_mmkit("mmkit", true, &initial);
	rc |= frag_mmkit("mmkit-pcp-off", false, &initial_off);
	memset(&rn, 0, sizeof rn);
	if (nb_init(&g_nb, initial))
		return 1;
	frag_sequence(&l, initial, frag_naive_alloc, frag_naive_free, &rn);
	memcpy(rn.nr_free, g_nb.nr_free, sizeof rn.nr_free);
	frag_free_all(&l, frag_naive_free);
	if (nb_nr_free_pages(&g_nb) != initial) {
		printf("ERR naive-buddy (frag): pages lost\n");
		rc = 1;
	}
	nb_destroy(&g_nb);
	print_frag("naive-buddy", &rn);
	return rc;
}

/* `boot64g`: time and RSS of booting a 64 GiB machine. */
static int child_boot(void)
{
	size_t rss0 = rss_bytes(), rss1;
	uint64_t t0 = now_ns(), t1;
	struct mmk_machine *m = boot_machine(64ULL << 30, 2);

	t1 = now_ns();
	if (!m)
		return 1;
	rss1 = rss_bytes();
	printf("BOOT %.3f %.3f\n", (double)(t1 - t0) / 1e6,
	       (double)(rss1 > rss0 ? rss1 - rss0 : 0) / 1048576.0);
	mmk_shutdown(m);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The parent: run children, parse, print */

static struct cell results[NR_ALLOC][NR_WL][MAX_THREADS + 1];
static struct child_result child[NR_ALLOC];

static void parse_res(int ai, const char *text)
{
	const char *p;

	for (p = text; p && *p; p = next_line(p)) {
		char name[64], wl[64];
		int nt, w;
		unsigned long long n;
		double v[REPS];

		if (sscanf(p, "RES %63s %63s %d %llu %lf %lf %lf", name, wl,
			   &nt, &n, &v[0], &v[1], &v[2]) == 7 &&
		    nt >= 1 && nt <= MAX_THREADS) {
			for (w = 0; w < NR_WL; w++)
				if (!strcmp(wl, wl_name[w]))
					break;
			if (w < NR_WL)
				cell_set(&results[ai][w][nt], v, n);
		}
	}
}

static void fmt_spread(char *buf, size_t len, const struct cell *c)
{
	if (!c->have || c->med <= 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.0f%%", 100.0 * (c->hi - c->lo) / c->med);
}

static void print_tables(void)
{
	int w, ai;

	for (w = 0; w < NR_WL; w++) {
		printf("\n== %s: %s\n", wl_name[w], wl_desc[w]);
		printf("   ns per alloc+free pair; 2T = ns per pair per thread with 2 threads; median of %d runs\n",
		       REPS);
		printf("   %-12s %10s %12s %7s %10s %10s %11s\n", "allocator",
		       "1T ns/op", "2T ns/op/thr", "2T/1T", "1T/mmkit",
		       "2T/mmkit", "spread1/2");
		for (ai = 0; ai < NR_ALLOC; ai++) {
			const struct cell *c1 = &results[ai][w][1],
					  *c2 = &results[ai][w][2],
					  *m1 = &results[0][w][1],
					  *m2 = &results[0][w][2];
			char a[32], b[32], c[32], d[32], e[32], s1[16], s2[16],
				sp[40];

			if (!child[ai].ran) {
				printf("   %-12s skipped (%s)\n",
				       allocators[ai].name,
				       child[ai].skip[0] ? child[ai].skip :
							   "not run");
				continue;
			}
			fmt_ns(a, sizeof a, c1);
			fmt_ns(b, sizeof b, c2);
			fmt_ratio(c, sizeof c, c2, c1);
			fmt_ratio(d, sizeof d, c1, m1);
			fmt_ratio(e, sizeof e, c2, m2);
			fmt_spread(s1, sizeof s1, c1);
			fmt_spread(s2, sizeof s2, c2);
			snprintf(sp, sizeof sp, "%s/%s", s1, s2);
			printf("   %-12s %10s %12s %7s %10s %10s %11s\n",
			       allocators[ai].name, a, b, c, d, e, sp);
		}
	}
	printf("   (spread = (max - min) / median of the %d runs; x/mmkit = that allocator's ns / mmkit's ns;\n"
	       "    naive-buddy's order0-hot splits an order-10 block and merges it back on every pair)\n",
	       REPS);
}

static double frag_share(const unsigned long nr_free[NB_NR_ORDERS],
			 int from_order, unsigned long *total_out)
{
	unsigned long total = 0, part = 0;
	int o;

	for (o = 0; o < NB_NR_ORDERS; o++) {
		total += nr_free[o] << o;
		if (o >= from_order)
			part += nr_free[o] << o;
	}
	if (total_out)
		*total_out = total;
	return total ? 100.0 * (double)part / (double)total : 0;
}

static int parent(void)
{
	int w, rc;
	char *out, sbuf[64];
	static const char *const frag_names[3] = { "mmkit", "mmkit-pcp-off",
						   "naive-buddy" };
	struct frag_result fr[3];
	bool have_frag[3] = { false, false, false };
	double boot_ms = -1, boot_mib = -1;
	double cg[3][NR_WL];
	bool have_cg = false;
	uint64_t t_start = now_ns();

	if (init_parent())
		return 1;
	printf("  mmkit: mem=4G cpus=2 pcp on, alloc_pages(GFP_KERNEL)/__free_pages\n");
	printf("  ideal: per-thread stacks per order (pop/push); ideal-page: the same, setting and dropping\n"
	       "  a reference count in a 64-byte descriptor per page; naive-buddy: LIFO lists, one mutex, 1M pfns\n");
	printf("  malloc peers: posix_memalign(4096, 4096 << order) / free, in LD_PRELOAD'ed children\n");
	fflush(stdout);

	/* 1. Workloads. */
	rc = run_children(allocators, NR_ALLOC, K_MALLOC, false, parse_res,
			  child);
	print_tables();

	/* 2. Fragmentation. */
	{
		char *args[] = { (char *)"frag", NULL };
		int st;
		const char *p;

		fprintf(stderr, "  [" BENCH_NAME "] fragmentation ...\n");
		st = spawn(NULL, false, args, &out);
		for (p = out; p && *p; p = next_line(p)) {
			char name[64];
			struct frag_result r;
			int k = -1;

			memset(&r, 0, sizeof r);
			if (sscanf(p,
				   "FRAG %63s %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu",
				   name, &r.initial, &r.fail1, &r.fail3,
				   &r.live_pages, &r.nr_free[0], &r.nr_free[1],
				   &r.nr_free[2], &r.nr_free[3], &r.nr_free[4],
				   &r.nr_free[5], &r.nr_free[6], &r.nr_free[7],
				   &r.nr_free[8], &r.nr_free[9],
				   &r.nr_free[10]) == 16) {
				for (k = 2; k >= 0; k--)
					if (!strcmp(name, frag_names[k]))
						break;
				if (k >= 0) {
					fr[k] = r;
					have_frag[k] = true;
				}
			}
		}
		printf("\n== fragmentation: mem=1G; fill to 90%% of free pages with orders 0..3, free down to 50%%,\n"
		       "   %lu churn steps (free a random block, allocate order 0..3), then drain the pcp lists\n",
		       FRAG_CHURN);
		if (out)
			echo_notes(out);
		free(out);
		if (!status_ok(st)) {
			printf("  frag child failed (%s)\n",
			       status_str(st, sbuf, sizeof sbuf));
			rc = 1;
		}
		printf("   %-13s %9s %9s %9s %10s %10s   %s\n", "allocator",
		       "free pgs", "order-10", "order>=4", "fail@fill",
		       "fail@churn", "free blocks per order 0..10");
		for (w = 0; w < 3; w++) {
			unsigned long total;
			double s10, s4;
			int o;

			if (!have_frag[w])
				continue;
			s10 = frag_share(fr[w].nr_free, 10, &total);
			s4 = frag_share(fr[w].nr_free, 4, NULL);
			printf("   %-13s %9lu %8.1f%% %8.1f%% %10lu %10lu  ",
			       frag_names[w], total, s10, s4, fr[w].fail1,
			       fr[w].fail3);
			for (o = 0; o < NB_NR_ORDERS; o++)
				printf(" %lu", fr[w].nr_free[o]);
			printf("\n");
		}
		if (have_frag[0])
			printf("   (%lu pages free at boot; goal for mmkit: >= 80%% of free memory in order-10 blocks,\n"
			       "    0 failed requests at 90%% full; plain LIFO lists are expected to reach only ~16%%;\n"
			       "    mmkit-pcp-off is for reference only: the same machine booted with pcp off)\n",
			       fr[0].initial);
	}

	/* 3. Boot cost. */
	{
		char *args[] = { (char *)"boot64g", NULL };
		int st;
		const char *p;

		fprintf(stderr, "  [" BENCH_NAME "] boot mem=64G ...\n");
		st = spawn(NULL, false, args, &out);
		p = out ? strstr(out, "BOOT ") : NULL;
		if (p && sscanf(p, "BOOT %lf %lf", &boot_ms, &boot_mib) != 2)
			boot_ms = boot_mib = -1;
		printf("\n== boot mem=64G (fresh process)\n");
		if (out)
			echo_notes(out);
		free(out);
		if (!status_ok(st) || boot_ms < 0) {
			printf("   boot failed (%s)\n",
			       status_str(st, sbuf, sizeof sbuf));
			rc = 1;
		} else {
			printf("   mmk_boot: %.1f ms, RSS +%.1f MiB   (goals: < 1000 ms, < 256 MiB)\n",
			       boot_ms, boot_mib);
		}
	}

	/* 4. Callgrind. */
	if (have_valgrind())
		fprintf(stderr, "  [" BENCH_NAME "] callgrind ...\n");
	printf("\n== callgrind: instructions per alloc+free pair, 1 thread\n");
	if (!have_valgrind()) {
		printf("   skipped: valgrind is not installed\n");
	} else {
		static const enum kind kinds[3] = { K_MMKIT, K_IDEAL, K_NAIVE };
		static const enum workload wls[2] = { WL_HOT, WL_RAND0 };
		int k, wi;

		have_cg = true;
		for (k = 0; k < 3; k++)
			for (wi = 0; wi < 2; wi++) {
				const char *an = allocators[kinds[k]].name;
				int st;

				cg[k][wls[wi]] = -1;
				if (!cg_per_op(NULL, an, wl_name[wls[wi]],
					       CG_OPS1, CG_OPS2,
					       &cg[k][wls[wi]], &st, NULL))
					printf("   %s %s: callgrind run failed (%s)\n",
					       an, wl_name[wls[wi]],
					       status_str(st, sbuf,
							  sizeof sbuf));
			}
		printf("   %-12s %12s %14s\n", "allocator", wl_name[WL_HOT],
		       wl_name[WL_RAND0]);
		for (k = 0; k < 3; k++) {
			char a[32], b[32];

			if (cg[k][WL_HOT] >= 0)
				snprintf(a, sizeof a, "%.1f", cg[k][WL_HOT]);
			else
				snprintf(a, sizeof a, "-");
			if (cg[k][WL_RAND0] >= 0)
				snprintf(b, sizeof b, "%.1f", cg[k][WL_RAND0]);
			else
				snprintf(b, sizeof b, "-");
			printf("   %-12s %12s %14s\n",
			       allocators[kinds[k]].name, a, b);
		}
		printf("   ((Ir(%lu ops) - Ir(%lu ops)) / %lu; includes the benchmark loop's own few instructions)\n",
		       CG_OPS2, CG_OPS1, CG_OPS2 - CG_OPS1);
	}

	/* 5. Summary. */
	printf("\n== goals\n");
	{
		const struct cell *mh = &results[0][WL_HOT][1],
				  *ih = &results[1][WL_HOT][1];

		if (mh->have && ih->have) {
			double r = mh->med / ih->med;

			printf("   %s  order-0 hot pair within 3x of ideal: %.1f ns vs %.1f ns = %.1fx",
			       pass(r <= 3.0), mh->med, ih->med, r);
			if (have_cg && cg[0][WL_HOT] > 0 && cg[1][WL_HOT] > 0)
				printf(" (instructions: %.0f vs %.0f = %.1fx)",
				       cg[0][WL_HOT], cg[1][WL_HOT],
				       cg[0][WL_HOT] / cg[1][WL_HOT]);
			printf("\n");
		} else {
			printf("   MISS  order-0 hot pair within 3x of ideal: no figures\n");
		}
		/* "About 4 ns" and "about 16 ns": at most the figure. */
		for (w = WL_RAND0; w <= WL_RAND03; w++) {
			static const double goal[NR_WL] = { 0, 4.0, 16.0 };
			const struct cell *mc = &results[0][w][1],
					  *ic = &results[1][w][1];

			if (!mc->have) {
				printf("   MISS  %s pair about %.0f ns: no figures\n",
				       wl_name[w], goal[w]);
				continue;
			}
			printf("   %s  %s pair about %.0f ns (PASS if <= %.1f): %.1f ns",
			       pass(mc->med <= goal[w]), wl_name[w], goal[w],
			       goal[w], mc->med);
			if (ic->have)
				printf("; ideal %.1f ns", ic->med);
			if (results[K_IDEAL_PAGE][w][1].have)
				printf(", ideal-page %.1f ns",
				       results[K_IDEAL_PAGE][w][1].med);
			printf("\n");
		}
		for (w = 0; w < NR_WL; w++) {
			const struct cell *c1 = &results[0][w][1],
					  *c2 = &results[0][w][2],
					  *i1 = &results[1][w][1],
					  *i2 = &results[1][w][2];

			if (c1->have && c2->have) {
				printf("   %s  2 threads at most 1.2x per thread of 1 thread, %s: %.2fx (%.1f vs %.1f ns)",
				       pass(c2->med / c1->med <= 1.2),
				       wl_name[w], c2->med / c1->med, c2->med,
				       c1->med);
				if (i1->have && i2->have)
					printf("; ideal here: %.2fx",
					       i2->med / i1->med);
				printf("\n");
			} else
				printf("   MISS  2 threads at most 1.2x per thread of 1 thread, %s: no figures\n",
				       wl_name[w]);
		}
		if (have_frag[0]) {
			double s10 = frag_share(fr[0].nr_free, 10, NULL);

			printf("   %s  fragmentation: >= 80%% of free memory in order-10 blocks: %.1f%%\n",
			       pass(s10 >= 80.0), s10);
			printf("   %s  fragmentation: 0 failed order<=3 requests at 90%% full: %lu\n",
			       pass(fr[0].fail1 == 0), fr[0].fail1);
		} else {
			printf("   MISS  fragmentation: no figures\n");
		}
		if (boot_ms >= 0) {
			printf("   %s  boot mem=64G < 1 s: %.1f ms\n",
			       pass(boot_ms < 1000), boot_ms);
			printf("   %s  boot mem=64G < 256 MiB RSS: %.1f MiB\n",
			       pass(boot_mib < 256), boot_mib);
		} else {
			printf("   MISS  boot mem=64G: no figures\n");
		}
	}
	print_done(t_start, rc);
	return rc;
}

int main(int argc, char **argv)
{
	init_cpus();
	if (argc >= 3 && !strcmp(argv[1], "run"))
		return child_run(argv[2]);
	if (argc >= 5 && !strcmp(argv[1], "cg"))
		return child_cg(argv[2], argv[3], argv[4]);
	if (argc >= 2 && !strcmp(argv[1], "frag"))
		return child_frag();
	if (argc >= 2 && !strcmp(argv[1], "boot64g"))
		return child_boot();
	if (argc >= 2) {
		fprintf(stderr,
			"usage: %s [run ALLOC | cg ALLOC WORKLOAD NOPS | frag | boot64g]\n",
			argv[0]);
		return 2;
	}
	return parent();
}
