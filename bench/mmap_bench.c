/* SPDX-License-Identifier: MIT */
/*
 * The address-space layer against the host kernel's own system calls, in
 * one run:
 *   1. find_vma() of random addresses in one mmkit process holding 100,
 *      10,000 and 65,530 VMAs (vm.max_map_count's default), with the mm
 *      write-locked; the host has no find_vma system call, so its figure
 *      is mincore(2) of one page of the same random VMAs (a VMA lookup
 *      under mmap_read_lock plus a page-table walk), beside getppid(2),
 *      the bare cost of a system call. Random addresses in any VMA (at
 *      65,530 VMAs the tree is ~8 MiB of VMAs: cache and TLB misses), and
 *      in one of 64 VMAs picked once (their paths stay cached, so the
 *      cost follows the tree height);
 *   2. mmap + munmap of one fixed 4 KiB page (MAP_FIXED | MAP_PRIVATE |
 *      MAP_ANONYMOUS, rw) among 10,000 VMAs: mmk_mmap/mmk_munmap against
 *      the host's mmap/munmap on the same layout in this process;
 *   3. mprotect of the middle page of a 3-page rw mapping to r and back to
 *      rw (the VMA splits into 3 and merges back into 1) among 10,000 VMAs.
 *
 * Layout, the same on both sides: slot i of 32 KiB holds one rw page at
 * its start (so no two VMAs merge); operations 2 and 3 use the hole of the
 * middle slot. The host's slots sit in a range of this process found free
 * with a PROT_NONE mmap and released, so its holes are real holes as in
 * mmkit. The host cannot hold 65,530 VMAs of ours next to the process's
 * own, so its last size is what fits under its max_map_count.
 *
 * Median of BENCH_REPS timed runs of ~MMKIT_BENCH_MS each, mmkit and host
 * runs interleaved; ratios are mmkit / host.
 */
#define BENCH_NAME "mmap_bench"
#include "harness.h"

#include <math.h>
#include <sys/mman.h>

#define PID 1
#define PG 4096UL
#define SLOT (8 * PG) /* one VMA page, then a hole of 7 pages */
#define MMK_BASE 0x100000000000UL /* 16 TiB: far from brk and mmap_base */
#define MAX_SLOTS 65530L /* Linux's default max_map_count */
#define OP_SLOTS 10000L /* the populated space of operations 2 and 3 */
#define RW (PROT_READ | PROT_WRITE)
#define MAP_FLAGS (MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS)

static const long sizes[] = { 100, OP_SLOTS, MAX_SLOTS };
#define NR_SIZES 3
#define NR_HOT 64 /* the working set of the cache-warm lookups */

/* One address space: mmkit's process PID or this process. */
struct side {
	bool host;
	unsigned long base; /* slot 0 */
	long nslots; /* populated slots */
	struct mm_struct *mm; /* mmkit, during lookups */
	uint64_t seed;
	unsigned long hot[NR_HOT]; /* slots of the cache-warm lookups */
};

/* Run @n operations on @s: 0, a negative errno, or a count of wrong
 * results (find_vma). */
typedef long (*op_fn)(struct side *s, uint64_t n);

static int errors;

static void err_line(const char *what, long v)
{
	printf("ERR %s: %ld\n", what, v);
	errors = 1;
}

/* A random address inside the VMA of a random populated slot. */
static inline unsigned long rnd_addr(struct side *s)
{
	uint64_t r = xs64(&s->seed);
	uint64_t idx = ((r >> 32) * (uint64_t)s->nslots) >> 32;

	return s->base + (unsigned long)idx * SLOT + (r & (PG - 1));
}

/* A random address inside the VMA of one of the @s->hot slots. */
static inline unsigned long hot_addr(struct side *s)
{
	uint64_t r = xs64(&s->seed);

	return s->base + s->hot[(r >> 32) & (NR_HOT - 1)] * SLOT +
	       (r & (PG - 1));
}

static void pick_hot(struct side *s)
{
	uint64_t seed = 0x407;
	int i;

	for (i = 0; i < NR_HOT; i++)
		s->hot[i] = (unsigned long)(((xs64(&seed) >> 32) *
					     (uint64_t)s->nslots) >>
					    32);
}

/* The hole in the middle slot where operations 2 and 3 map. */
static unsigned long hole(const struct side *s)
{
	return s->base + (unsigned long)(s->nslots / 2) * SLOT + 3 * PG;
}

/* ---- the operations ---- */

static long op_find_vma(struct side *s, uint64_t n)
{
	long bad = 0;
	uint64_t i;

	for (i = 0; i < n; i++) {
		unsigned long addr = rnd_addr(s);
		struct vm_area_struct *vma = find_vma(s->mm, addr);

		if (!vma || vma->vm_start > addr)
			bad++;
	}
	return bad;
}

static long op_find_vma_hot(struct side *s, uint64_t n)
{
	long bad = 0;
	uint64_t i;

	for (i = 0; i < n; i++) {
		unsigned long addr = hot_addr(s);
		struct vm_area_struct *vma = find_vma(s->mm, addr);

		if (!vma || vma->vm_start > addr)
			bad++;
	}
	return bad;
}

static long op_mincore_hot(struct side *s, uint64_t n)
{
	unsigned char vec[1];
	uint64_t i;

	for (i = 0; i < n; i++)
		if (mincore((void *)(hot_addr(s) & ~(PG - 1)), PG, vec))
			return -errno;
	return 0;
}

static long op_mincore(struct side *s, uint64_t n)
{
	unsigned char vec[1];
	uint64_t i;

	for (i = 0; i < n; i++)
		if (mincore((void *)(rnd_addr(s) & ~(PG - 1)), PG, vec))
			return -errno;
	return 0;
}

static long op_getppid(struct side *s, uint64_t n)
{
	uint64_t i;
	long sum = 0;

	(void)s;
	for (i = 0; i < n; i++)
		sum += getppid();
	ESCAPE(sum);
	return 0;
}

static long op_mmap_mmk(struct side *s, uint64_t n)
{
	unsigned long a = hole(s);
	uint64_t i;
	long r;

	for (i = 0; i < n; i++) {
		r = mmk_mmap(PID, a, PG, RW, MAP_FLAGS, NULL, 0);
		if (r != (long)a)
			return r < 0 ? r : -EFAULT;
		r = mmk_munmap(PID, a, PG);
		if (r)
			return r;
	}
	return 0;
}

static long op_mmap_host(struct side *s, uint64_t n)
{
	void *a = (void *)hole(s);
	uint64_t i;

	for (i = 0; i < n; i++) {
		if (mmap(a, PG, RW, MAP_FLAGS, -1, 0) != a)
			return -errno;
		if (munmap(a, PG))
			return -errno;
	}
	return 0;
}

static long op_mprotect_mmk(struct side *s, uint64_t n)
{
	unsigned long mid = hole(s) + PG;
	uint64_t i;
	long r;

	for (i = 0; i < n; i++) {
		r = mmk_mprotect(PID, mid, PG, PROT_READ);
		if (r)
			return r;
		r = mmk_mprotect(PID, mid, PG, RW);
		if (r)
			return r;
	}
	return 0;
}

static long op_mprotect_host(struct side *s, uint64_t n)
{
	void *mid = (void *)(hole(s) + PG);
	uint64_t i;

	for (i = 0; i < n; i++) {
		if (mprotect(mid, PG, PROT_READ))
			return -errno;
		if (mprotect(mid, PG, RW))
			return -errno;
	}
	return 0;
}

/* ---- timing ---- */

#define NR_MEASURE 5 /* at most, in one measure() */

/* ns per op of @n ops after @warm untimed ones, or -1 after an error. */
static double run_op(const char *what, op_fn fn, struct side *s, uint64_t n,
		     uint64_t warm)
{
	uint64_t t;
	long r;

	r = fn(s, warm);
	if (!r) {
		t = now_ns();
		r = fn(s, n);
		t = now_ns() - t;
	}
	if (r) {
		err_line(what, r);
		return -1;
	}
	return (double)t / (double)n;
}

/*
 * Fill @c[k] with the median ns per op of @fn[k] on @s[k], k < @nr: a
 * pilot of each, then BENCH_REPS rounds of one timed run of each.
 */
static void measure(int nr, const char *const what[], const op_fn fn[],
		    struct side *const s[], struct cell c[])
{
	double v[NR_MEASURE][BENCH_REPS];
	uint64_t n[NR_MEASURE], warm[NR_MEASURE];
	int k, r;

	for (k = 0; k < nr; k++) {
		double pilot = run_op(what[k], fn[k], s[k], 2000, 200);

		if (pilot < 0)
			return;
		calibrate(target_ns(), pilot, 2000, 200, &n[k], &warm[k]);
	}
	for (r = 0; r < BENCH_REPS; r++)
		for (k = 0; k < nr; k++)
			if ((v[k][r] = run_op(what[k], fn[k], s[k], n[k],
					      warm[k])) < 0)
				return;
	for (k = 0; k < nr; k++)
		cell_set(&c[k], v[k], n[k]);
}

/* ---- the two address spaces ---- */

/* VMAs of this process (lines of /proc/self/maps), or -1. */
static long host_map_count(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	long lines = 0;
	int ch;

	if (!f)
		return -1;
	while ((ch = getc(f)) != EOF)
		lines += ch == '\n';
	fclose(f);
	return lines;
}

static long read_max_map_count(void)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	long v = MAX_SLOTS;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = MAX_SLOTS;
		fclose(f);
	}
	return v;
}

static int mmk_map_count(void)
{
	struct mm_struct *mm = mmk_get_mm(PID);
	int count;

	if (!mm)
		return -1;
	mmap_write_lock(mm);
	count = mm->map_count;
	mmap_write_unlock(mm);
	mmput(mm);
	return count;
}

/* Map the slots [@s->nslots, @upto) of @s; *@ns: ns per mmap. */
static int populate(struct side *s, long upto, double *ns)
{
	uint64_t t = now_ns();
	long i = s->nslots, added = upto - s->nslots;

	for (; i < upto; i++) {
		unsigned long a = s->base + (unsigned long)i * SLOT;
		long r;

		if (s->host) {
			void *p = mmap((void *)a, PG, RW,
				       MAP_PRIVATE | MAP_ANONYMOUS |
					       MAP_FIXED_NOREPLACE,
				       -1, 0);

			r = p == MAP_FAILED ? -errno : (long)p;
		} else {
			r = mmk_mmap(PID, a, PG, RW, MAP_FLAGS, NULL, 0);
		}
		if (r != (long)a) {
			printf("ERR %s mmap of slot %ld at %#lx: %ld\n",
			       s->host ? "host" : "mmkit", i, a, r);
			errors = 1;
			return -1;
		}
		s->nslots = i + 1;
	}
	*ns = added > 0 ? (double)(now_ns() - t) / (double)added : 0;
	return 0;
}

/* The AVL tree's height and the bound 1.44 log2(n + 2) it must respect. */
static int tree_height(struct mm_struct *mm)
{
	return mm->mm_rb ? mm->mm_rb->height : 0;
}

static double avl_bound(long n)
{
	return 1.4405 * log2((double)n + 2) - 0.3277;
}

/*
 * Check find_vma() and vma_lookup() against the layout: 100,000 random
 * addresses in VMAs and in holes, and past the last slot. Return the
 * number of wrong answers.
 */
static long verify_lookups(struct side *s)
{
	struct mm_struct *mm = s->mm;
	uint64_t seed = 0x5eed;
	long bad = 0, i;

	for (i = 0; i < 100000; i++) {
		uint64_t r = xs64(&seed);
		long idx = (long)(((r >> 32) * (uint64_t)s->nslots) >> 32);
		unsigned long start = s->base + (unsigned long)idx * SLOT;
		unsigned long addr = start + (r & (SLOT - 1));
		bool in = addr < start + PG;
		struct vm_area_struct *vma = find_vma(mm, addr);
		struct vm_area_struct *want_lookup = vma_lookup(mm, addr);
		unsigned long want = in ? start : start + SLOT;

		if (!in && idx == s->nslots - 1) {
			/* past the last VMA */
			if (vma &&
			    vma->vm_start <
				    s->base + (unsigned long)s->nslots * SLOT)
				bad++;
		} else if (!vma || vma->vm_start != want ||
			   vma->vm_end != want + PG) {
			if (bad < 3)
				printf("ERR find_vma(%#lx) with %ld VMAs: %#lx-%#lx, want %#lx-%#lx\n",
				       addr, s->nslots, vma ? vma->vm_start : 0,
				       vma ? vma->vm_end : 0, want, want + PG);
			bad++;
		}
		if ((want_lookup != NULL) != in || (in && want_lookup != vma))
			bad++;
	}
	return bad;
}

/*
 * The effect of operations 2 and 3 on the map count of @s, once each,
 * outside the timing: mmap +1, munmap -1; mprotect of the middle page
 * +2, back -2. Return 0, or -1 with an ERR line.
 */
static long map_count_of(const struct side *s)
{
	return s->host ? host_map_count() : mmk_map_count();
}

static int check_effects(struct side *s, bool mprotect_op)
{
	const char *who = s->host ? "host" : "mmkit";
	long c0 = map_count_of(s), c1, c2;
	unsigned long a = hole(s);
	long r1, r2;

	if (!mprotect_op) {
		if (s->host) {
			r1 = mmap((void *)a, PG, RW, MAP_FLAGS, -1, 0) ==
					     (void *)a ?
				     0 :
				     -errno;
		} else {
			r1 = mmk_mmap(PID, a, PG, RW, MAP_FLAGS, NULL, 0);
			r1 = r1 == (long)a ? 0 : r1;
		}
		c1 = map_count_of(s);
		r2 = s->host ? (munmap((void *)a, PG) ? -errno : 0) :
			       mmk_munmap(PID, a, PG);
		c2 = map_count_of(s);
		if (r1 || r2 || c1 != c0 + 1 || c2 != c0) {
			printf("ERR %s mmap/munmap of %#lx: results %ld/%ld, map count %ld -> %ld -> %ld (want +1, +0)\n",
			       who, a, r1, r2, c0, c1, c2);
			errors = 1;
			return -1;
		}
		return 0;
	}
	if (s->host) {
		r1 = mprotect((void *)(a + PG), PG, PROT_READ) ? -errno : 0;
		c1 = map_count_of(s);
		r2 = mprotect((void *)(a + PG), PG, RW) ? -errno : 0;
	} else {
		r1 = mmk_mprotect(PID, a + PG, PG, PROT_READ);
		c1 = map_count_of(s);
		r2 = mmk_mprotect(PID, a + PG, PG, RW);
	}
	c2 = map_count_of(s);
	if (r1 || r2 || c1 != c0 + 2 || c2 != c0) {
		printf("ERR %s mprotect of %#lx r then rw: results %ld/%ld, map count %ld -> %ld -> %ld (want +2, +0)\n",
		       who, a + PG, r1, r2, c0, c1, c2);
		errors = 1;
		return -1;
	}
	if (!s->host) {
		struct mm_struct *mm = mmk_get_mm(PID);
		struct vm_area_struct *vma;
		bool ok;

		mmap_write_lock(mm);
		vma = find_vma(mm, a);
		ok = vma && vma->vm_start == a && vma->vm_end == a + 3 * PG &&
		     (vma->vm_flags & VM_ACCESS_FLAGS) == (VM_READ | VM_WRITE);
		mmap_write_unlock(mm);
		mmput(mm);
		if (!ok) {
			printf("ERR mmkit mprotect: the mapping at %#lx did not merge back into one rw VMA\n",
			       a);
			errors = 1;
			return -1;
		}
	}
	return 0;
}

/* ---- main ---- */

struct lookup_res {
	long n, host_n;
	int height;
	struct cell mmk, mmk_hot, host, host_hot, floor;
};

static void print_lookups(const struct lookup_res *lr)
{
	int i;

	printf("\n== 1. find_vma: ns per lookup of a random address, median of %d runs\n",
	       BENCH_REPS);
	printf("   mmkit: find_vma() with the mm write-locked; host: mincore() of that page (syscall +\n"
	       "   mmap_read_lock + VMA lookup + page walk); getppid(): the bare syscall.\n"
	       "   random: in any VMA; hot: in one of %d VMAs picked once (cache-warm paths)\n",
	       NR_HOT);
	printf("   %6s %6s %7s %9s %9s | %9s %9s %9s %9s | %10s\n", "VMAs",
	       "height", "AVL max", "random", "hot", "host VMAs", "random",
	       "hot", "getppid", "mmkit/host");
	for (i = 0; i < NR_SIZES; i++) {
		char a[32], a2[32], b[32], b2[32], c[32], d[32];

		fmt_ns(a, sizeof a, &lr[i].mmk);
		fmt_ns(a2, sizeof a2, &lr[i].mmk_hot);
		fmt_ns(b, sizeof b, &lr[i].host);
		fmt_ns(b2, sizeof b2, &lr[i].host_hot);
		fmt_ns(c, sizeof c, &lr[i].floor);
		fmt_ratio(d, sizeof d, &lr[i].mmk, &lr[i].host);
		printf("   %6ld %6d %7.1f %9s %9s | %9ld %9s %9s %9s | %10s\n",
		       lr[i].n, lr[i].height, avl_bound(lr[i].n), a, a2,
		       lr[i].host_n, b, b2, c, d);
	}
}

/* @last / @first as a ratio, or 0. */
static double growth(const struct cell *last, const struct cell *first)
{
	return last->have && first->have && first->med > 0 ?
		       last->med / first->med :
		       0;
}

static double delta(const struct cell *last, const struct cell *first)
{
	return last->have && first->have ? last->med - first->med : 0;
}

/* 1. at each size; 2. and 3. at OP_SLOTS. */
static void run_sizes(struct side *mmk, struct side *host, long host_max,
		      long own, struct lookup_res *lr, double *fill,
		      struct cell *pair, struct cell *prot)
{
	static const char *const what[NR_MEASURE] = {
		"find_vma", "find_vma hot", "mincore", "mincore hot", "getppid"
	};
	const op_fn fns[NR_MEASURE] = { op_find_vma, op_find_vma_hot,
					op_mincore, op_mincore_hot,
					op_getppid };
	struct side *const sides[NR_MEASURE] = { mmk, mmk, host, host, host };
	int k;

	for (k = 0; k < NR_SIZES; k++) {
		struct cell cells[NR_MEASURE];
		long bad;

		memset(cells, 0, sizeof cells);
		fprintf(stderr, "  [" BENCH_NAME "] %ld VMAs ...\n", sizes[k]);
		if (populate(mmk, sizes[k], &fill[0]) ||
		    populate(host, sizes[k] < host_max ? sizes[k] : host_max,
			     &fill[1]))
			return;
		if (mmk_map_count() != mmk->nslots)
			err_line("mmkit map_count differs from the VMAs mapped",
				 mmk_map_count());
		if (host_map_count() != own + host->nslots)
			printf("INFO host has %ld VMAs, expected %ld\n",
			       host_map_count(), own + host->nslots);
		pick_hot(mmk);
		pick_hot(host);
		mmk->mm = mmk_get_mm(PID);
		mmap_write_lock(mmk->mm);
		lr[k].n = mmk->nslots;
		lr[k].host_n = host->nslots;
		lr[k].height = tree_height(mmk->mm);
		bad = verify_lookups(mmk);
		if (bad)
			err_line("wrong find_vma/vma_lookup results of 100,000",
				 bad);
		measure(NR_MEASURE, what, fns, sides, cells);
		mmap_write_unlock(mmk->mm);
		mmput(mmk->mm);
		mmk->mm = NULL;
		lr[k].mmk = cells[0];
		lr[k].mmk_hot = cells[1];
		lr[k].host = cells[2];
		lr[k].host_hot = cells[3];
		lr[k].floor = cells[4];

		if (sizes[k] == OP_SLOTS) {
			static const char *const w2[2] = { "mmkit mmap+munmap",
							   "host mmap+munmap" };
			static const char *const w3[2] = { "mmkit mprotect",
							   "host mprotect" };
			const op_fn f2[2] = { op_mmap_mmk, op_mmap_host };
			const op_fn f3[2] = { op_mprotect_mmk,
					      op_mprotect_host };
			struct side *const s2[2] = { mmk, host };
			unsigned long hm = hole(mmk), hh = hole(host);

			fprintf(stderr,
				"  [" BENCH_NAME "] mmap, mprotect ...\n");
			if (!check_effects(mmk, false) &&
			    !check_effects(host, false))
				measure(2, w2, f2, s2, pair);
			if (mmk_mmap(PID, hm, 3 * PG, RW, MAP_FLAGS, NULL, 0) !=
				    (long)hm ||
			    mmap((void *)hh, 3 * PG, RW, MAP_FLAGS, -1, 0) !=
				    (void *)hh)
				err_line("mapping the 3-page mappings", -1);
			else if (!check_effects(mmk, true) &&
				 !check_effects(host, true))
				measure(2, w3, f3, s2, prot);
			if (mmk_munmap(PID, hm, 3 * PG) ||
			    munmap((void *)hh, 3 * PG))
				err_line("unmapping the 3-page mappings", -1);
		}
	}
}

static void print_pair(const char *what, const struct cell *c)
{
	char a[32], b[32], r[32];

	fmt_ns(a, sizeof a, &c[0]);
	fmt_ns(b, sizeof b, &c[1]);
	fmt_ratio(r, sizeof r, &c[0], &c[1]);
	printf("   %-58s %8s %8s %11s\n", what, a, b, r);
}

static void print_goal(const char *what, const struct cell *c)
{
	char r[32];

	fmt_ratio(r, sizeof r, &c[0], &c[1]);
	printf("   %s  %s no slower than the host's: %s\n",
	       pass(c[0].have && c[1].have && c[0].med <= c[1].med), what, r);
}

int main(void)
{
	struct side mmk = { .host = false, .base = MMK_BASE, .seed = 1 };
	struct side host = { .host = true, .seed = 1 };
	struct lookup_res lr[NR_SIZES];
	struct cell pair[2], prot[2];
	struct mmk_config cfg;
	struct mmk_machine *m;
	double fill[2] = { 0, 0 }, g_rnd, g_hot, g_hrnd, g_hhot, g_h, g_log;
	long host_max, own, i;
	uint64_t t_start = now_ns();
	char why[256];
	void *res;

	memset(lr, 0, sizeof lr);
	memset(pair, 0, sizeof pair);
	memset(prot, 0, sizeof prot);
	if (bench_parent_start())
		return 1;
	mmk_config_init(&cfg);
	cfg.mem_bytes = 4ULL << 30;
	m = mmk_boot(&cfg);
	if (!m || mmk_spawn(PID, false)) {
		printf("ERR boot or mmk_spawn failed\n");
		return 1;
	}
	/* A free host range for every slot, released again. */
	res = mmap(NULL, (unsigned long)MAX_SLOTS * SLOT, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED || munmap(res, (unsigned long)MAX_SLOTS * SLOT)) {
		perror(BENCH_NAME ": reserving the host range");
		return 1;
	}
	host.base = (unsigned long)res;
	own = host_map_count();
	host_max = read_max_map_count() - own - 64;
	if (host_max > MAX_SLOTS)
		host_max = MAX_SLOTS;
	printf("  mmkit: mem=4G cpus=2, process %d (privileged); slot i = one rw page at %#lx + i * 32 KiB,\n"
	       "         mapped with mmk_mmap(MAP_FIXED|MAP_PRIVATE|MAP_ANONYMOUS); 7-page holes keep VMAs apart\n"
	       "  host:  the same layout at %#lx in this process (%ld VMAs of its own, max_map_count %ld,\n"
	       "         so at most %ld slots); median of %d timed runs, mmkit and host interleaved\n",
	       PID, MMK_BASE, host.base, own, read_max_map_count(), host_max,
	       BENCH_REPS);

	run_sizes(&mmk, &host, host_max, own, lr, fill, pair, prot);
	if (mmk_check(m, why, sizeof why)) {
		printf("ERR mmk_check: %s\n", why);
		errors = 1;
	}

	print_lookups(lr);
	g_rnd = growth(&lr[2].mmk, &lr[0].mmk);
	g_hot = growth(&lr[2].mmk_hot, &lr[0].mmk_hot);
	g_hrnd = growth(&lr[2].host, &lr[0].host);
	g_hhot = growth(&lr[2].host_hot, &lr[0].host_hot);
	g_h = lr[0].height ? (double)lr[2].height / lr[0].height : 0;
	g_log = lr[0].n > 1 ? log2((double)lr[2].n) / log2((double)lr[0].n) : 0;
	printf("   %ld vs %ld VMAs: mmkit find_vma %.2fx random, %.2fx hot (tree height %.2fx,\n"
	       "   log2 n %.2fx, linear %.0fx); host mincore %.2fx random, %.2fx hot (%ld vs %ld VMAs)\n",
	       lr[2].n, lr[0].n, g_rnd, g_hot, g_h, g_log,
	       lr[0].n ? (double)lr[2].n / (double)lr[0].n : 0, g_hrnd, g_hhot,
	       lr[2].host_n, lr[0].host_n);
	printf("   increase in ns: mmkit %+.1f random, %+.1f hot; host %+.1f random, %+.1f hot\n",
	       delta(&lr[2].mmk, &lr[0].mmk),
	       delta(&lr[2].mmk_hot, &lr[0].mmk_hot),
	       delta(&lr[2].host, &lr[0].host),
	       delta(&lr[2].host_hot, &lr[0].host_hot));
	printf("   building the last %ld VMAs: %.0f ns per mmap (mmkit), %.0f ns (host, %ld)\n",
	       lr[2].n - lr[1].n, fill[0], fill[1],
	       lr[2].host_n - lr[1].host_n);

	printf("\n== 2., 3. ns per pair among %ld VMAs, median of %d runs\n",
	       OP_SLOTS, BENCH_REPS);
	printf("   %-58s %8s %8s %11s\n", "", "mmkit", "host", "mmkit/host");
	print_pair(
		"mmap + munmap, 4 KiB MAP_FIXED|MAP_PRIVATE|MAP_ANONYMOUS rw",
		pair);
	print_pair("mprotect middle page r, then rw (1 -> 3 -> 1 VMAs)", prot);

	printf("\n== goals\n");
	for (i = 0; i < NR_SIZES; i++)
		printf("   %s  VMA tree height %d with %ld VMAs within the AVL bound %.1f\n",
		       pass(lr[i].height > 0 &&
			    lr[i].height <= avl_bound(lr[i].n)),
		       lr[i].height, lr[i].n, avl_bound(lr[i].n));
	printf("   %s  find_vma (hot) grows with the tree height, %ld vs %ld VMAs: %.2fx <= 1.5 * %.2fx\n",
	       pass(g_hot > 0 && g_hot <= 1.5 * g_h), lr[2].n, lr[0].n, g_hot,
	       g_h);
	print_goal("mmap+munmap pair", pair);
	print_goal("mprotect split+merge pair", prot);

	mmk_exit(PID);
	mmk_shutdown(m);
	print_done(t_start, errors);
	return errors;
}
