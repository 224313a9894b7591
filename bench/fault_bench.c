/* SPDX-License-Identifier: MIT */
/*
 * Page faults and fork, mmkit against the host kernel, in one run:
 *   1. a demand-zero fault: the first write to each page of a fresh
 *      private anonymous mapping; mmkit: mmk_touch() of one page at a
 *      time, host: a one-byte store to each page of a fresh
 *      mmap(MAP_PRIVATE | MAP_ANONYMOUS) region with MADV_NOHUGEPAGE (THP
 *      off). The floors beside them: get_zeroed_page() + free_page(),
 *      mmkit's page allocator and a 4 KiB memset (of a cache-hot page: the
 *      per-CPU list hands the same page back), and a 4 KiB memset of each
 *      page of a resident but cache-cold host buffer (what zeroing a fresh
 *      page costs), and the host faults taken inside mmkit's timed run
 *      (0 if the simulator's RAM was resident). The goal: mmkit's fault
 *      costs at most a tenth of the host's;
 *   2. fork of a process with FORK_MIB MiB of private anonymous memory
 *      touched: mmkit: mmk_fork() + mmk_exit() of the child on a 4 GiB
 *      machine; host: a helper child (the bench binary run again, so it is
 *      small) with the same memory touched times fork() + the grandchild's
 *      _exit() + waitpid();
 *   3. a COW fault: after that fork the child's first write to each of
 *      COW_PAGES shared pages; mmkit: mmk_touch() of one page at a time in
 *      the child, host: a one-byte store in the grandchild while its parent
 *      waits (so every page is still mapped twice and must be copied);
 *   4. the reclaim round trip: MADV_PAGEOUT of RT_PAGES resident pages,
 *      then the first read of each again. mmkit: written private
 *      anonymous pages on a 512M machine with 256M of swap (written to
 *      swap, then swapped in: pswpout, pswpin, major faults); host (no
 *      swap here): clean pages of a MAP_SHARED file on the build's file
 *      system (dropped from the page cache, then read again: major
 *      faults), the nearest operation the host kernel can do;
 *   5. transparent huge pages: the first write to each 2 MiB of a fresh
 *      MADV_HUGEPAGE mapping (a huge page allocated, zeroed and mapped
 *      by one PMD entry: thp_fault_alloc), and MADV_COLLAPSE of 2 MiB of
 *      written base pages (a huge page allocated, 512 pages copied), in
 *      THP_REGIONS 2 MiB regions, on both; each side's thp_fault_alloc
 *      and thp_collapse_alloc per region are printed beside them (a
 *      host whose THP policy is "never", or that is short of huge pages,
 *      makes fewer).
 *
 * Beside 1., the host's cost of touching a page whose page-table entry
 * is new in ways no page fault counts: after MADV_POPULATE_WRITE filled
 * it, after mremap() moved its mapping, and (the floor) a page touched
 * before. Under a hypervisor that shadows the guest's page tables each of
 * the first two traps once (libmmkit-malloc.so backs page runs with
 * MADV_POPULATE_WRITE and grows huge blocks in place rather than move
 * them: docs/PERFORMANCE.md, session 27).
 *
 * Each figure is the median of BENCH_REPS timed runs after one warm-up run
 * (which also makes the simulator's RAM resident on the host, so mmkit's
 * figures do not include host faults on its own memory); ratios are
 * mmkit / host.
 */
#define BENCH_NAME "fault_bench"
#include "harness.h"

#include <sys/mman.h>
#include <sys/resource.h>

#define PID 1
#define CHILD 2
#define PG 4096UL
#define RW (PROT_READ | PROT_WRITE)
#define MAP_ANON_PRIV (MAP_PRIVATE | MAP_ANONYMOUS)
#define FORK_MIB 1024UL /* the touched memory of the forked process */
#define FORK_BYTES (FORK_MIB << 20)
#define COW_PAGES 16384UL /* 64 MiB of the forked process's memory */
#define MAX_DZ_PAGES 65536UL /* 256 MiB */
#define RT_PID 3
#define RT_PAGES 16384UL /* 64 MiB */
#define MIN_DZ_PAGES 4096UL

static int errors;
/* Host minor faults during the last timed loop of dz_mmk(), per page. */
static double dz_host_faults;

static long minflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? 0 : ru.ru_minflt;
}

static void err_line(const char *what, long v)
{
	printf("ERR %s: %ld\n", what, v);
	errors = 1;
}

/* ---- 1. demand-zero faults ---- */

/* ns per page of the first write to @n pages of a fresh mmkit mapping. */
static double dz_mmk(unsigned long n)
{
	long addr = mmk_mmap(PID, 0, n * PG, RW, MAP_ANON_PRIV, NULL, 0);
	unsigned long i;
	uint64_t t0, t1;
	long f0;
	int r = 0;

	if (IS_ERR_VALUE((unsigned long)addr)) {
		err_line("mmkit mmap of the demand-zero region", addr);
		return -1;
	}
	f0 = minflt();
	t0 = now_ns();
	for (i = 0; i < n && !r; i++)
		r = mmk_touch(PID, (unsigned long)addr + i * PG, PG, true);
	t1 = now_ns();
	dz_host_faults = (double)(minflt() - f0) / (double)n;
	if (r)
		err_line("mmkit demand-zero mmk_touch", r);
	if (mmk_munmap(PID, (unsigned long)addr, n * PG))
		err_line("mmkit munmap of the demand-zero region", -1);
	return r ? -1 : (double)(t1 - t0) / (double)n;
}

/* Map @len bytes of private anonymous host memory without THP, or NULL. */
static char *host_map(unsigned long len)
{
	char *p = mmap(NULL, len, RW, MAP_ANON_PRIV, -1, 0);

	if (p == MAP_FAILED) {
		printf("ERR host mmap of %lu bytes: %s\n", len,
		       strerror(errno));
		errors = 1;
		return NULL;
	}
	if (madvise(p, len, MADV_NOHUGEPAGE))
		printf("INFO madvise(MADV_NOHUGEPAGE): %s\n", strerror(errno));
	return p;
}

/* One byte stored to each page of [@p, +@n pages): ns per page. */
static BENCH_NOINLINE double write_pages(char *p, unsigned long n)
{
	unsigned long i;
	uint64_t t0 = now_ns();

	for (i = 0; i < n; i++) {
		*(volatile char *)(p + i * PG) = 1;
	}
	ESCAPE(p);
	return (double)(now_ns() - t0) / (double)n;
}

static double dz_host(unsigned long n)
{
	char *p = host_map(n * PG);
	double ns;

	if (!p)
		return -1;
	ns = write_pages(p, n);
	munmap(p, n * PG);
	return ns;
}

/* The first write to each of @n pages MADV_POPULATE_WRITE filled. */
static double touch_populated(unsigned long n)
{
	char *p = host_map(n * PG);
	double ns;

	if (!p)
		return -1;
	if (madvise(p, n * PG, MADV_POPULATE_WRITE)) {
		printf("ERR madvise(MADV_POPULATE_WRITE): %s\n",
		       strerror(errno));
		munmap(p, n * PG);
		return -1;
	}
	ns = write_pages(p, n);
	munmap(p, n * PG);
	return ns;
}

/* The first write to each of @n touched pages after mremap() moved them
 * (a page mapped right after the region stops it growing in place); with
 * @again, the second write (the floor: a resident page). */
static double touch_moved_or_again(unsigned long n, bool again)
{
	char *p = host_map(n * PG), *q;
	void *blk;
	double ns;

	if (!p)
		return -1;
	write_pages(p, n);
	if (again) {
		ns = write_pages(p, n);
		munmap(p, n * PG);
		return ns;
	}
	blk = mmap(p + n * PG, PG, PROT_READ,
		   MAP_ANON_PRIV | MAP_FIXED_NOREPLACE, -1, 0);
	q = mremap(p, n * PG, (n + 1) * PG, MREMAP_MAYMOVE);
	if (blk != MAP_FAILED)
		munmap(blk, PG);
	if (q == MAP_FAILED) {
		printf("ERR mremap: %s\n", strerror(errno));
		munmap(p, n * PG);
		return -1;
	}
	ns = write_pages(q, n);
	munmap(q, (n + 1) * PG);
	return ns;
}

static double touch_moved(unsigned long n)
{
	return touch_moved_or_again(n, false);
}

static double touch_again(unsigned long n)
{
	return touch_moved_or_again(n, true);
}

/* ns per get_zeroed_page() + free_page() pair. */
static double zp_floor(unsigned long n)
{
	unsigned long i;
	uint64_t t0 = now_ns();

	for (i = 0; i < n; i++) {
		unsigned long a = get_zeroed_page(GFP_KERNEL);

		if (!a) {
			err_line("get_zeroed_page", 0);
			return -1;
		}
		ESCAPE((void *)a);
		free_page(a);
	}
	return (double)(now_ns() - t0) / (double)n;
}

/* ns per 4 KiB memset of each page of @n resident, cache-cold pages. */
static double cold_memset(unsigned long n)
{
	char *p = host_map(n * PG);
	unsigned long i;
	uint64_t t0;
	double ns;

	if (!p)
		return -1;
	memset(p, 1, n * PG); /* resident; then evict from the caches: */
	for (i = 0; i < 64; i++) {
		char *q = host_map(1UL << 20);

		if (!q)
			break;
		memset(q, 2, 1UL << 20);
		munmap(q, 1UL << 20);
	}
	t0 = now_ns();
	for (i = 0; i < n; i++)
		memset(p + i * PG, 0, PG);
	ESCAPE(p);
	ns = (double)(now_ns() - t0) / (double)n;
	munmap(p, n * PG);
	return ns;
}

/* Three timed runs of @fn(@n) after one warm-up; false on an error. */
static bool runs(double (*fn)(unsigned long), unsigned long n, struct cell *c)
{
	double v[BENCH_REPS];
	int r;

	if (fn(n) < 0)
		return false;
	for (r = 0; r < BENCH_REPS; r++)
		if ((v[r] = fn(n)) < 0)
			return false;
	cell_set(c, v, n);
	return true;
}

/* ---- 4. the reclaim round trip ---- */

static unsigned long rt_addr; /* RT_PID's written region */
static double rt_back; /* the last run's refault ns per page */
static char *rt_file; /* the host's mapped file */
static double rt_host_major, rt_host_minor; /* host faults per page */

/* mmkit: MADV_PAGEOUT of the region (ns per page), then a read of each
 * page (rt_back). */
static double rt_mmk(unsigned long n)
{
	uint64_t t0, t1, t2;
	unsigned long i;
	int r = 0;
	long e;

	t0 = now_ns();
	e = mmk_madvise(RT_PID, rt_addr, n * PG, MADV_PAGEOUT);
	t1 = now_ns();
	for (i = 0; i < n && !r; i++)
		r = mmk_touch(RT_PID, rt_addr + i * PG, PG, false);
	t2 = now_ns();
	if (e || r) {
		err_line("mmkit MADV_PAGEOUT or swap-in", e ? e : r);
		return -1;
	}
	rt_back = (double)(t2 - t1) / (double)n;
	return (double)(t1 - t0) / (double)n;
}

/* A /proc/vmstat counter of @m. */
static unsigned long vm_event(struct mmk_machine *m, const char *name)
{
	char *text = mmk_proc_read(m, "/proc/vmstat"), *p;
	size_t len = strlen(name);
	unsigned long v = 0;

	for (p = text; p && (p = strstr(p, name)); p += len)
		if ((p == text || p[-1] == '\n') && p[len] == ' ') {
			v = strtoul(p + len + 1, NULL, 10);
			break;
		}
	free(text);
	return v;
}

static long majflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? 0 : ru.ru_majflt;
}

/* The host: the same on the clean pages of a mapped file. */
static double rt_host(unsigned long n)
{
	uint64_t t0, t1, t2;
	unsigned long i;
	long f0, m0;
	int e;

	t0 = now_ns();
	e = madvise(rt_file, n * PG, MADV_PAGEOUT);
	t1 = now_ns();
	f0 = majflt();
	m0 = minflt();
	for (i = 0; i < n; i++)
		(void)*(volatile char *)(rt_file + i * PG);
	t2 = now_ns();
	rt_host_minor = (double)(minflt() - m0) / (double)n;
	if (e) {
		printf("ERR host MADV_PAGEOUT: %s\n", strerror(errno));
		errors = 1;
		return -1;
	}
	rt_host_major = (double)(majflt() - f0) / (double)n;
	rt_back = (double)(t2 - t1) / (double)n;
	return (double)(t1 - t0) / (double)n;
}

/* A file of @n clean pages on the build's file system, mapped shared
 * and read once; NULL on error. */
static char *rt_host_file(unsigned long n)
{
	char path[] = "build/fault_bench.XXXXXX", buf[PG];
	unsigned long i;
	char *p = NULL;
	int fd = mkstemp(path);

	if (fd < 0)
		return NULL;
	unlink(path);
	memset(buf, 7, sizeof buf);
	for (i = 0; i < n; i++)
		if (write(fd, buf, PG) != (ssize_t)PG)
			break;
	if (i == n && !fsync(fd)) {
		p = mmap(NULL, n * PG, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			p = NULL;
	}
	close(fd);
	for (i = 0; p && i < n; i++)
		(void)*(volatile char *)(p + i * PG);
	return p;
}

/* Both sides: pageout and refault cells for mmkit (@mo, @mb) and the
 * host (@ho, @hb). */
static void reclaim_round_trip(struct cell *mo, struct cell *mb,
			       struct cell *ho, struct cell *hb,
			       unsigned long *swpout, unsigned long *swpin)
{
	double v[BENCH_REPS], w[BENCH_REPS];
	struct mmk_machine *prev = mmk_current(), *m;
	struct mmk_config cfg;
	char why[256];
	int r;

	mmk_config_init(&cfg);
	cfg.mem_bytes = 512ULL << 20;
	cfg.swap_bytes = 256ULL << 20;
	m = mmk_boot(&cfg);
	if (!m || mmk_spawn(RT_PID, false)) {
		err_line("boot of the swap machine", 0);
		return;
	}
	rt_addr = (unsigned long)mmk_mmap(RT_PID, 0, RT_PAGES * PG, RW,
					  MAP_ANON_PRIV, NULL, 0);
	if (IS_ERR_VALUE(rt_addr) ||
	    mmk_touch(RT_PID, rt_addr, RT_PAGES * PG, true)) {
		err_line("mmkit swap region", 0);
	} else if (rt_mmk(RT_PAGES) > 0) {
		unsigned long out0 = vm_event(m, "pswpout"),
			      in0 = vm_event(m, "pswpin");

		for (r = 0; r < BENCH_REPS; r++) {
			v[r] = rt_mmk(RT_PAGES);
			w[r] = rt_back;
		}
		*swpout = (vm_event(m, "pswpout") - out0) / BENCH_REPS;
		*swpin = (vm_event(m, "pswpin") - in0) / BENCH_REPS;
		cell_set(mo, v, RT_PAGES);
		cell_set(mb, w, RT_PAGES);
	}
	if (mmk_check(m, why, sizeof why)) {
		printf("ERR mmk_check of the swap machine: %s\n", why);
		errors = 1;
	}
	mmk_exit(RT_PID);
	mmk_shutdown(m);
	mmk_set_current(prev);

	rt_file = rt_host_file(RT_PAGES);
	if (!rt_file) {
		printf("ERR host file for the reclaim round trip: %s\n",
		       strerror(errno));
		errors = 1;
		return;
	}
	if (rt_host(RT_PAGES) > 0) {
		for (r = 0; r < BENCH_REPS; r++) {
			v[r] = rt_host(RT_PAGES);
			w[r] = rt_back;
		}
		cell_set(ho, v, RT_PAGES);
		cell_set(hb, w, RT_PAGES);
	}
	munmap(rt_file, RT_PAGES * PG);
}

/* ---- 2., 3. the host side, in a helper child: `host` ---- */

/* fork() + the grandchild's _exit(0) + waitpid(): ns, or -1. */
static double host_fork_once(void)
{
	uint64_t t0 = now_ns();
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(0);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!status_ok(st))
		return -1;
	return (double)(now_ns() - t0);
}

/* Fork; the grandchild times its first write to COW_PAGES pages of @p
 * and sends ns per page through a pipe. Return it, or -1. */
static double host_cow_once(char *p)
{
	int fd[2], st;
	double ns = -1;
	pid_t pid;

	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		double v;

		close(fd[0]);
		v = write_pages(p, COW_PAGES);
		if (p[0] != 1 || p[PG] != 1)
			v = -1;
		if (write(fd[1], &v, sizeof v) != (ssize_t)sizeof v)
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], &ns, sizeof ns) != (ssize_t)sizeof ns)
		ns = -1;
	close(fd[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status_ok(st) ? ns : -1;
}

static int host_child(void)
{
	double fk[BENCH_REPS], cow[BENCH_REPS];
	char *p;
	int r;

	pin_self(0);
	p = host_map(FORK_BYTES);
	if (!p)
		return 1;
	memset(p, 1, FORK_BYTES);
	for (r = -1; r < BENCH_REPS; r++) {
		double f = host_fork_once(), c = host_cow_once(p);

		if (f < 0 || c < 0) {
			printf("ERR host fork or COW run failed\n");
			return 1;
		}
		if (r >= 0) {
			fk[r] = f;
			cow[r] = c;
		}
	}
	/* The parent's memory is still its own. */
	if (p[0] != 1 || p[FORK_BYTES - 1] != 1) {
		printf("ERR host memory changed by the grandchild\n");
		return 1;
	}
	printf("RES fork %.1f %.1f %.1f\n", fk[0], fk[1], fk[2]);
	printf("RES cow %.3f %.3f %.3f\n", cow[0], cow[1], cow[2]);
	munmap(p, FORK_BYTES);
	return 0;
}

static bool parse_res(const char *text, const char *name, struct cell *c)
{
	const char *p = text;
	char key[32];
	double v[BENCH_REPS];

	snprintf(key, sizeof key, "RES %s ", name);
	while (p && *p) {
		if (!strncmp(p, key, strlen(key)) &&
		    sscanf(p + strlen(key), "%lf %lf %lf", &v[0], &v[1],
			   &v[2]) == BENCH_REPS) {
			cell_set(c, v, 1);
			return true;
		}
		p = next_line(p);
	}
	return false;
}

/* ---- 2., 3. the mmkit side ---- */

/*
 * @pid's first write to each of COW_PAGES pages at @addr: ns per page.
 * Afterwards check that the child sees its stores and PID the old data.
 */
static double mmk_cow_once(unsigned long addr)
{
	uint64_t t1, t2, v = 0;
	unsigned long i;
	double ns;
	int r = 0;

	if (mmk_fork(PID, CHILD)) {
		err_line("mmk_fork", -1);
		return -1;
	}
	t1 = now_ns();
	for (i = 0; i < COW_PAGES && !r; i++)
		r = mmk_touch(CHILD, addr + i * PG, PG, true);
	t2 = now_ns();
	ns = (double)(t2 - t1) / (double)COW_PAGES;
	if (r) {
		err_line("mmkit COW mmk_touch", r);
		ns = -1;
	}
	if (mmk_write_u64(CHILD, addr + PG, 0xc0) ||
	    mmk_read_u64(PID, addr + PG, &v) || v != 0xfa) {
		printf("ERR mmkit COW: parent reads %#llx after the child's store, want 0xfa\n",
		       (unsigned long long)v);
		errors = 1;
		ns = -1;
	}
	if (mmk_exit(CHILD)) {
		err_line("mmk_exit of the child", -1);
		ns = -1;
	}
	return ns;
}

/* mmk_fork() + mmk_exit() of the child: ns, split into *@f and *@e. */
static double mmk_fork_once(double *f, double *e)
{
	uint64_t t0 = now_ns(), t1, t2;

	if (mmk_fork(PID, CHILD)) {
		err_line("mmk_fork", -1);
		return -1;
	}
	t1 = now_ns();
	if (mmk_exit(CHILD)) {
		err_line("mmk_exit of the child", -1);
		return -1;
	}
	t2 = now_ns();
	*f = (double)(t1 - t0);
	*e = (double)(t2 - t1);
	return (double)(t2 - t0);
}

struct fork_res {
	struct cell fork, fork_only, exit_only, cow;
	double touch_ms;
};

static void mmk_fork_cow(struct fork_res *fr)
{
	double fk[BENCH_REPS], fo[BENCH_REPS], eo[BENCH_REPS], cw[BENCH_REPS];
	double f, e, c, t;
	uint64_t t0;
	long addr;
	int r;

	addr = mmk_mmap(PID, 0, FORK_BYTES, RW, MAP_ANON_PRIV, NULL, 0);
	if (IS_ERR_VALUE((unsigned long)addr)) {
		err_line("mmkit mmap of the forked memory", addr);
		return;
	}
	t0 = now_ns();
	r = mmk_touch(PID, (unsigned long)addr, FORK_BYTES, true);
	fr->touch_ms = (double)(now_ns() - t0) / 1e6;
	if (r) {
		err_line("mmkit touch of the forked memory", r);
		return;
	}
	if (mmk_write_u64(PID, (unsigned long)addr + PG, 0xfa)) {
		err_line("mmkit store to the forked memory", -1);
		return;
	}
	for (r = -1; r < BENCH_REPS; r++) {
		t = mmk_fork_once(&f, &e);
		c = mmk_cow_once((unsigned long)addr);
		if (t < 0 || c < 0)
			return;
		if (r >= 0) {
			fk[r] = t;
			fo[r] = f;
			eo[r] = e;
			cw[r] = c;
		}
	}
	cell_set(&fr->fork, fk, 1);
	cell_set(&fr->fork_only, fo, 1);
	cell_set(&fr->exit_only, eo, 1);
	cell_set(&fr->cow, cw, COW_PAGES);
	if (mmk_munmap(PID, (unsigned long)addr, FORK_BYTES))
		err_line("mmkit munmap of the forked memory", -1);
}

/* ---- 5. transparent huge pages ---- */

#define HP (2UL << 20)
#define THP_REGIONS 64UL /* 128 MiB */

static struct mmk_machine *thp_m;
/* Huge pages made per region in the last run: faults, collapses. */
static double thp_mmk_made, thp_host_made, col_mmk_made, col_host_made;

/* A /proc/vmstat counter of the host. */
static unsigned long host_vm_event(const char *name)
{
	FILE *f = fopen("/proc/vmstat", "r");
	char key[64];
	unsigned long v, r = 0;

	if (!f)
		return 0;
	while (fscanf(f, "%63s %lu", key, &v) == 2)
		if (!strcmp(key, name))
			r = v;
	fclose(f);
	return r;
}

/* @n regions of mmkit's process: mapped 2 MiB aligned, MADV_HUGEPAGE
 * unless @collapse (then every page written, base pages); the address
 * or 0 after an error. */
static unsigned long thp_mmk_map(unsigned long n, bool collapse)
{
	long addr = mmk_mmap(PID, 0, n * HP, RW, MAP_ANON_PRIV, NULL, 0);

	if (IS_ERR_VALUE((unsigned long)addr) || (addr & (HP - 1))) {
		err_line("mmkit mmap of the THP region", addr);
		return 0;
	}
	if (collapse ? mmk_touch(PID, (unsigned long)addr, n * HP, true) :
		       mmk_madvise(PID, (unsigned long)addr, n * HP,
				   MADV_HUGEPAGE)) {
		err_line("mmkit touch or MADV_HUGEPAGE of the THP region", -1);
		return 0;
	}
	return (unsigned long)addr;
}

/* ns per region: the first write to each 2 MiB (THP fault), or with
 * @collapse MADV_COLLAPSE of each 2 MiB of base pages. */
static double thp_mmk_run(unsigned long n, bool collapse)
{
	unsigned long addr = thp_mmk_map(n, collapse), i;
	const char *event = collapse ? "thp_collapse_alloc" : "thp_fault_alloc";
	unsigned long e0 = vm_event(thp_m, event);
	uint64_t t0, t1;
	int r = 0;

	if (!addr)
		return -1;
	t0 = now_ns();
	for (i = 0; i < n && !r; i++)
		r = collapse ? (int)mmk_madvise(PID, addr + i * HP, HP,
						MADV_COLLAPSE) :
			       mmk_touch(PID, addr + i * HP, PG, true);
	t1 = now_ns();
	*(collapse ? &col_mmk_made : &thp_mmk_made) =
		(double)(vm_event(thp_m, event) - e0) / (double)n;
	if (r)
		err_line(collapse ? "mmkit MADV_COLLAPSE" : "mmkit THP fault",
			 r);
	if (mmk_munmap(PID, addr, n * HP))
		err_line("mmkit munmap of the THP region", -1);
	return r ? -1 : (double)(t1 - t0) / (double)n;
}

static double thp_mmk(unsigned long n)
{
	return thp_mmk_run(n, false);
}

static double col_mmk(unsigned long n)
{
	return thp_mmk_run(n, true);
}

/* The host: the same in this process (its own 2 MiB alignment). */
static double thp_host_run(unsigned long n, bool collapse)
{
	char *raw = mmap(NULL, (n + 1) * HP, RW, MAP_ANON_PRIV, -1, 0), *p;
	const char *event = collapse ? "thp_collapse_alloc" : "thp_fault_alloc";
	unsigned long e0, i;
	uint64_t t0, t1;
	int r = 0;

	if (raw == MAP_FAILED) {
		err_line("host mmap of the THP region", -errno);
		return -1;
	}
	p = (char *)(((uintptr_t)raw + HP - 1) & ~(uintptr_t)(HP - 1));
	if (collapse)
		memset(p, 1, n * HP);
	else if (madvise(p, n * HP, MADV_HUGEPAGE))
		r = -errno;
	e0 = host_vm_event(event);
	t0 = now_ns();
	for (i = 0; i < n && !r; i++) {
		if (!collapse)
			*(volatile char *)(p + i * HP) = 1;
		else if (madvise(p + i * HP, HP, MADV_COLLAPSE) &&
			 errno != EAGAIN && errno != ENOMEM)
			r = -errno;
	}
	t1 = now_ns();
	*(collapse ? &col_host_made : &thp_host_made) =
		(double)(host_vm_event(event) - e0) / (double)n;
	ESCAPE(p);
	munmap(raw, (n + 1) * HP);
	if (r) {
		err_line(collapse ? "host MADV_COLLAPSE" : "host MADV_HUGEPAGE",
			 r);
		return -1;
	}
	return (double)(t1 - t0) / (double)n;
}

static double thp_host(unsigned long n)
{
	return thp_host_run(n, false);
}

static double col_host(unsigned long n)
{
	return thp_host_run(n, true);
}

/* ---- main ---- */

static void print_row(const char *what, const struct cell *a,
		      const struct cell *b, double scale, const char *unit)
{
	char x[32] = "-", y[32] = "-", q[32];

	if (a && a->have)
		snprintf(x, sizeof x, "%.2f", a->med / scale);
	if (b && b->have)
		snprintf(y, sizeof y, "%.2f", b->med / scale);
	if (a && b)
		fmt_ratio(q, sizeof q, a, b);
	else
		snprintf(q, sizeof q, "-");
	printf("   %-44s %10s %10s %4s %10s\n", what, x, y, unit, q);
}

int main(int argc, char **argv)
{
	struct cell dzm, dzh, zp, cm, hfork, hcow, rmo, rmb, rho, rhb, tp, tm,
		ta, thm, thh, clm, clh;
	unsigned long swpout = 0, swpin = 0;
	struct fork_res fr;
	struct mmk_config cfg;
	struct mmk_machine *m;
	uint64_t t_start = now_ns();
	unsigned long n, nz;
	uint64_t warm;
	double pilot;
	char why[256], sbuf[64], *out = NULL;
	char *args[] = { (char *)"host", NULL };
	int st;

	if (argc > 1 && !strcmp(argv[1], "host")) {
		init_cpus();
		return host_child();
	}
	memset(&dzm, 0, sizeof dzm);
	memset(&dzh, 0, sizeof dzh);
	memset(&zp, 0, sizeof zp);
	memset(&cm, 0, sizeof cm);
	memset(&hfork, 0, sizeof hfork);
	memset(&hcow, 0, sizeof hcow);
	memset(&fr, 0, sizeof fr);
	memset(&rmo, 0, sizeof rmo);
	memset(&rmb, 0, sizeof rmb);
	memset(&rho, 0, sizeof rho);
	memset(&rhb, 0, sizeof rhb);
	memset(&tp, 0, sizeof tp);
	memset(&tm, 0, sizeof tm);
	memset(&ta, 0, sizeof ta);
	memset(&thm, 0, sizeof thm);
	memset(&thh, 0, sizeof thh);
	memset(&clm, 0, sizeof clm);
	memset(&clh, 0, sizeof clh);
	if (bench_parent_start())
		return 1;

	/* The host side of 2. and 3. first, while this process is small. */
	fprintf(stderr, "  [" BENCH_NAME "] host fork, COW ...\n");
	st = spawn(NULL, false, args, &out);
	if (out) {
		echo_notes(out);
		if (!parse_res(out, "fork", &hfork) ||
		    !parse_res(out, "cow", &hcow))
			errors = 1;
	}
	free(out);
	if (!status_ok(st)) {
		printf("  host helper failed (%s); reproduce: %s host\n",
		       status_str(st, sbuf, sizeof sbuf), self_exe);
		errors = 1;
	}

	mmk_config_init(&cfg);
	cfg.mem_bytes = 4ULL << 30;
	m = mmk_boot(&cfg);
	if (!m || mmk_spawn(PID, false)) {
		printf("ERR boot or mmk_spawn failed\n");
		return 1;
	}
	printf("  mmkit: mem=4G cpus=%d, process %d; host: THP %s\n",
	       cfg.nr_cpus, PID, "off (MADV_NOHUGEPAGE)");

	fprintf(stderr, "  [" BENCH_NAME "] demand-zero faults ...\n");
	pilot = dz_mmk(MIN_DZ_PAGES);
	if (pilot > 0) {
		calibrate(target_ns(), pilot, MIN_DZ_PAGES, 0, &n, &warm);
		if (n > MAX_DZ_PAGES)
			n = MAX_DZ_PAGES;
		runs(dz_mmk, n, &dzm);
		runs(dz_host, n, &dzh);
		nz = n * 4;
		runs(zp_floor, nz, &zp);
		runs(cold_memset, n, &cm);
		runs(touch_populated, n, &tp);
		runs(touch_moved, n, &tm);
		runs(touch_again, n, &ta);
	}

	fprintf(stderr, "  [" BENCH_NAME "] mmkit fork, COW ...\n");
	mmk_fork_cow(&fr);

	fprintf(stderr, "  [" BENCH_NAME "] transparent huge pages ...\n");
	thp_m = m;
	runs(thp_mmk, THP_REGIONS, &thm);
	runs(thp_host, THP_REGIONS, &thh);
	runs(col_mmk, THP_REGIONS, &clm);
	runs(col_host, THP_REGIONS, &clh);

	fprintf(stderr, "  [" BENCH_NAME "] reclaim round trip ...\n");
	reclaim_round_trip(&rmo, &rmb, &rho, &rhb, &swpout, &swpin);

	if (mmk_check(m, why, sizeof why)) {
		printf("ERR mmk_check: %s\n", why);
		errors = 1;
	} else {
		printf("  mmk_check: clean\n");
	}

	printf("\n== 1. demand-zero fault, ns per page (%llu pages per run), median of %d runs\n",
	       dzm.n, BENCH_REPS);
	printf("   %-44s %10s %10s %4s %10s\n", "", "mmkit", "host", "",
	       "mmkit/host");
	print_row("first write to a fresh private anonymous page", &dzm, &dzh,
		  1, "ns");
	print_row("floor: get_zeroed_page() + free_page()", &zp, NULL, 1, "ns");
	print_row("floor: memset of a cold resident 4 KiB page", &cm, NULL, 1,
		  "ns");
	printf("   host page faults inside the last mmkit run: %.2f per simulated fault\n",
	       dz_host_faults);
	print_row("host: first write, after MADV_POPULATE_WRITE", NULL, &tp, 1,
		  "ns");
	print_row("host: first write, after mremap() moved it", NULL, &tm, 1,
		  "ns");
	print_row("host: second write (a resident page)", NULL, &ta, 1, "ns");

	printf("\n== 2. fork with %lu MiB private anonymous touched, median of %d runs\n",
	       FORK_MIB, BENCH_REPS);
	printf("   (mmkit: touching it took %.0f ms, %.0f ns per page)\n",
	       fr.touch_ms, fr.touch_ms * 1e6 / (double)(FORK_BYTES / PG));
	print_row("fork + child exit (+ waitpid on the host)", &fr.fork, &hfork,
		  1e6, "ms");
	print_row("  mmkit: mmk_fork() alone", &fr.fork_only, NULL, 1e6, "ms");
	print_row("  mmkit: mmk_exit() of the child alone", &fr.exit_only, NULL,
		  1e6, "ms");

	printf("\n== 3. COW fault: the child's first write to a shared page, ns per page (%lu pages)\n",
	       COW_PAGES);
	print_row("first write after fork", &fr.cow, &hcow, 1, "ns");

	printf("\n== 4. reclaim round trip, ns per page (%lu pages), median of %d runs\n",
	       RT_PAGES, BENCH_REPS);
	printf("   (mmkit: anonymous pages to swap and back, %lu pswpout and %lu pswpin per run;\n"
	       "    host: clean file pages out of the page cache and back, read ahead: %.3f major and\n"
	       "    %.3f minor faults per page)\n",
	       swpout, swpin, rt_host_major, rt_host_minor);
	print_row("MADV_PAGEOUT", &rmo, &rho, 1, "ns");
	print_row("first read afterwards (major fault)", &rmb, &rhb, 1, "ns");

	printf("\n== 5. transparent huge pages, us per 2 MiB (%lu per run), median of %d runs\n",
	       THP_REGIONS, BENCH_REPS);
	printf("   (huge pages made per 2 MiB in the last run: faults %.2f mmkit, %.2f host;\n"
	       "    collapses %.2f mmkit, %.2f host)\n",
	       thp_mmk_made, thp_host_made, col_mmk_made, col_host_made);
	print_row("first write to a MADV_HUGEPAGE 2 MiB", &thm, &thh, 1e3,
		  "us");
	print_row("MADV_COLLAPSE of 512 written pages", &clm, &clh, 1e3, "us");

	printf("\n== goals\n");
	printf("   %s  demand-zero fault at most 1/10 of the host's: %.3fx\n",
	       pass(dzm.have && dzh.have && dzm.med * 10 <= dzh.med),
	       dzm.have && dzh.have ? dzm.med / dzh.med : 0);

	mmk_exit(PID);
	mmk_shutdown(m);
	if (!dzm.have || !dzh.have || !zp.have || !fr.fork.have ||
	    !fr.cow.have || !hfork.have || !hcow.have || !rmo.have ||
	    !rho.have || !tp.have || !tm.have || !ta.have || !thm.have ||
	    !thh.have || !clm.have || !clh.have)
		errors = 1;
	print_done(t_start, errors);
	return errors;
}
