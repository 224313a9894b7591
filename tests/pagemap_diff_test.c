/* SPDX-License-Identifier: MIT */
/*
 * /proc/PID/pagemap, /proc/kpageflags and /proc/kpagecount against the host
 * kernel: each scenario's calls (mmap, page accesses, mprotect, madvise
 * with guard regions, mlock, fork with writes in the child) run for real
 * in a child process of this test and on mmkit, and after each step the
 * pagemap entries of the region are compared, with smaps' Rss and
 * Referenced after writes to /proc/self/clear_refs: every bit but the pfn
 * (present, swapped, file or shared anonymous, guard region, exclusively
 * mapped, and a guard marker's whole encoding). Where the host lets this
 * test read /proc/kpageflags (root), the flags of each mapped page are
 * compared too, on the bits that do not depend on the timing of the
 * host's per-CPU LRU batches (mmap, anonymous, swapbacked, uptodate,
 * zero_page, reserved, compound), with its /proc/kpagecount.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include <errno.h>

#define BASE 0x300000000000UL
#define PG 4096UL
#define NPAGES 16
#define MAX_STEPS 24
#define MAX_SNAPS 16

/* The pagemap bits compared (all but the pfn, unless not present). */
#define PM_PRESENT (1ULL << 63)
#define PM_PFRAME_MASK ((1ULL << 55) - 1)
/* kpageflags bits compared: uptodate, mmap, anonymous, swapbacked,
 * compound_head/tail, zero_page, reserved. */
#define KPF_COMPARED                                                \
	((1ULL << 3) | (1ULL << 11) | (1ULL << 12) | (1ULL << 14) | \
	 (1ULL << 15) | (1ULL << 16) | (1ULL << 24) | (1ULL << 32))

enum op {
	END,
	MMAP_ANON, /* arg: MAP_SHARED or MAP_PRIVATE; prot */
	MMAP_MEMFD, /* the scenario's memfd, from offset 0 */
	READ, /* one byte of each page */
	WRITE,
	MPROTECT,
	ADVISE,
	MUNMAP,
	MLOCK,
	FORK, /* then the child runs the steps up to JOIN, the parent waits */
	JOIN, /* the child exits */
	CLEAR_REFS, /* arg: the type written to /proc/self/clear_refs */
	SNAP, /* compare the region */
};

struct step {
	enum op op;
	unsigned long first, pages; /* in pages from BASE */
	int arg, prot;
};

struct scenario {
	const char *name;
	struct step steps[MAX_STEPS];
};

#define RW (PROT_READ | PROT_WRITE)

static const struct scenario scenarios[] = {
	{ "anonymous: zero page, written, guard, protnone, dontneed",
	  { { MMAP_ANON, 0, 8, MAP_PRIVATE, RW },
	    { SNAP, 0, 0, 0, 0 },
	    { READ, 1, 1, 0, 0 },
	    { WRITE, 2, 2, 0, 0 },
	    { ADVISE, 5, 1, MADV_GUARD_INSTALL, 0 },
	    { SNAP, 0, 0, 0, 0 },
	    { MPROTECT, 3, 1, 0, PROT_NONE },
	    { ADVISE, 2, 1, MADV_DONTNEED, 0 },
	    { SNAP, 0, 0, 0, 0 },
	    { MUNMAP, 6, 1, 0, 0 },
	    { SNAP, 0, 0, 0, 0 } } },
	{ "fork: shared until the child writes",
	  { { MMAP_ANON, 0, 6, MAP_PRIVATE, RW },
	    { WRITE, 0, 3, 0, 0 },
	    { READ, 3, 1, 0, 0 },
	    { FORK, 0, 0, 0, 0 },
	    { SNAP, 0, 0, 0, 0 },
	    { WRITE, 1, 1, 0, 0 },
	    { SNAP, 0, 0, 0, 0 },
	    { JOIN, 0, 0, 0, 0 },
	    { SNAP, 0, 0, 0, 0 } } },
	{ "shared anonymous and mlock",
	  { { MMAP_ANON, 0, 4, MAP_SHARED, RW },
	    { WRITE, 0, 1, 0, 0 },
	    { READ, 1, 1, 0, 0 },
	    { SNAP, 0, 0, 0, 0 },
	    { MMAP_ANON, 8, 4, MAP_PRIVATE, RW },
	    { MLOCK, 8, 2, 0, 0 },
	    { SNAP, 0, 0, 0, 0 } } },
	{ "clear_refs: all, anonymous only, file only, then accesses",
	  { { MMAP_ANON, 0, 8, MAP_PRIVATE, RW },
	    { WRITE, 0, 4, 0, 0 },
	    { READ, 4, 2, 0, 0 },
	    { MMAP_MEMFD, 8, 4, MAP_SHARED, RW },
	    { WRITE, 8, 3, 0, 0 },
	    { SNAP, 0, 0, 0, 0 },
	    { CLEAR_REFS, 0, 0, 1, 0 },
	    { SNAP, 0, 0, 0, 0 },
	    /* New mappings only: whether an access through a translation
	     * the host's TLB kept sets the accessed bit again depends on
	     * the TLB's state, not the kernel's. */
	    { WRITE, 6, 1, 0, 0 },
	    { READ, 11, 1, 0, 0 },
	    { SNAP, 0, 0, 0, 0 },
	    { CLEAR_REFS, 0, 0, 2, 0 },
	    { SNAP, 0, 0, 0, 0 },
	    { CLEAR_REFS, 0, 0, 3, 0 },
	    { WRITE, 7, 1, 0, 0 },
	    { CLEAR_REFS, 0, 0, 4, 0 },
	    { SNAP, 0, 0, 0, 0 } } },
	{ "a memfd, shared and private",
	  { { MMAP_MEMFD, 0, 4, MAP_SHARED, RW },
	    { WRITE, 0, 1, 0, 0 },
	    { READ, 2, 1, 0, 0 },
	    { SNAP, 0, 0, 0, 0 },
	    { MMAP_MEMFD, 8, 4, MAP_PRIVATE, RW },
	    { READ, 8, 3, 0, 0 },
	    { WRITE, 9, 1, 0, 0 },
	    { SNAP, 0, 0, 0, 0 },
	    { FORK, 0, 0, 0, 0 },
	    { SNAP, 0, 0, 0, 0 },
	    { JOIN, 0, 0, 0, 0 } } },
};

/* What one snapshot saw: the entries, and per page its flags and count
 * (~0 where not read). */
struct snap {
	uint64_t pm[NPAGES], flags[NPAGES], count[NPAGES];
	/* smaps' Rss and Referenced (kB) of the VMAs that start at pages 0
	 * and 8 (~0: none). */
	unsigned long rss[2], referenced[2];
};

/* Rss and Referenced of the VMAs starting at pages 0 and 8 in @smaps. */
static void parse_smaps(const char *smaps, struct snap *s)
{
	int k;

	for (k = 0; k < 2; k++) {
		char head[32];
		const char *p, *end, *f;

		s->rss[k] = s->referenced[k] = ~0UL;
		snprintf(head, sizeof head, "%lx-",
			 BASE + (unsigned long)k * 8 * PG);
		p = strstr(smaps, head);
		if (!p || (p != smaps && p[-1] != '\n'))
			continue;
		/* The VMA's lines end where the next "start-end" line is. */
		end = strstr(p, "VmFlags:");
		f = strstr(p, "\nRss:");
		if (f && (!end || f < end))
			s->rss[k] = strtoul(f + 5, NULL, 10);
		f = strstr(p, "\nReferenced:");
		if (f && (!end || f < end))
			s->referenced[k] = strtoul(f + 12, NULL, 10);
	}
}

struct run {
	struct snap snaps[MAX_SNAPS];
	int n;
};

/* ---- the host ---- */

static bool host_kpageflags(void)
{
	int fd = open("/proc/kpageflags", O_RDONLY);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void host_snap(struct snap *s)
{
	int pm = open("/proc/self/pagemap", O_RDONLY);
	int kf = open("/proc/kpageflags", O_RDONLY);
	int kc = open("/proc/kpagecount", O_RDONLY);
	int i;

	if (pm < 0 || pread(pm, s->pm, sizeof s->pm, BASE / PG * 8) !=
			      (ssize_t)sizeof s->pm)
		_exit(3);
	for (i = 0; i < NPAGES; i++) {
		uint64_t pfn = s->pm[i] & PM_PFRAME_MASK;

		s->flags[i] = s->count[i] = ~0ULL;
		if (kf < 0 || !(s->pm[i] & PM_PRESENT))
			continue;
		if (pread(kf, &s->flags[i], 8, pfn * 8) != 8 ||
		    pread(kc, &s->count[i], 8, pfn * 8) != 8)
			_exit(4);
	}
	close(pm);
	if (kf >= 0) {
		close(kf);
		close(kc);
	}
	{
		char *text = mmk_test_slurp("/proc/self/smaps");

		if (!text)
			_exit(12);
		parse_smaps(text, s);
		free(text);
	}
}

/* Runs @sc's steps from @i in this process, writing each snapshot to
 * @fd; returns the index after the JOIN that ends a child's part. */
static int host_steps(const struct scenario *sc, int i, int memfd, int fd)
{
	for (; sc->steps[i].op != END; i++) {
		const struct step *st = &sc->steps[i];
		char *p = (char *)(BASE + st->first * PG);
		unsigned long len = st->pages * PG, k;
		struct snap s;
		pid_t pid;

		switch (st->op) {
		case MMAP_ANON:
			if (mmap(p, len, st->prot,
				 st->arg | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				 -1, 0) != p)
				_exit(5);
			break;
		case MMAP_MEMFD:
			if (mmap(p, len, st->prot,
				 st->arg | MAP_FIXED_NOREPLACE, memfd, 0) != p)
				_exit(5);
			break;
		case READ:
			for (k = 0; k < len; k += PG)
				(void)*(volatile char *)(p + k);
			break;
		case WRITE:
			for (k = 0; k < len; k += PG)
				*(volatile char *)(p + k) = 1;
			break;
		case MPROTECT:
			if (mprotect(p, len, st->prot))
				_exit(6);
			break;
		case ADVISE:
			if (madvise(p, len, st->arg))
				_exit(7);
			break;
		case MUNMAP:
			munmap(p, len);
			break;
		case MLOCK:
			/* The system call itself: ASan's mlock() does
			 * nothing. */
			if (syscall(SYS_mlock, p, len))
				_exit(8);
			break;
		case FORK:
			pid = fork();
			if (pid < 0)
				_exit(9);
			if (pid == 0) {
				host_steps(sc, i + 1, memfd, fd);
				_exit(0);
			}
			if (waitpid(pid, NULL, 0) != pid)
				_exit(10);
			/* The parent goes on after the child's JOIN. */
			while (sc->steps[i].op != JOIN)
				i++;
			break;
		case JOIN:
			return i + 1;
		case CLEAR_REFS: {
			int cr = open("/proc/self/clear_refs", O_WRONLY);
			char c = (char)('0' + st->arg);

			if (cr < 0 || write(cr, &c, 1) != 1)
				_exit(13);
			close(cr);
			break;
		}
		case SNAP:
			host_snap(&s);
			if (write(fd, &s, sizeof s) != (ssize_t)sizeof s)
				_exit(11);
			break;
		case END:
			break;
		}
	}
	return i;
}

static void host_run(const struct scenario *sc, struct run *r)
{
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int memfd = memfd_create("pagemap_diff", 0);

		close(fds[0]);
		if (memfd < 0 || ftruncate(memfd, NPAGES * PG))
			_exit(2);
		host_steps(sc, 0, memfd, fds[1]);
		_exit(0);
	}
	close(fds[1]);
	r->n = 0;
	while (r->n < MAX_SNAPS &&
	       read(fds[0], &r->snaps[r->n], sizeof r->snaps[0]) ==
		       (ssize_t)sizeof r->snaps[0])
		r->n++;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("%s: the host's run failed (status %#x)", sc->name,
			 status);
}

/* ---- mmkit ---- */

static void mmk_snap(struct mmk_machine *m, int pid, struct snap *s, bool flags)
{
	char path[32];
	int i;

	char *smaps;

	snprintf(path, sizeof path, "/proc/%d/pagemap", pid);
	assert_int_equal(mmk_proc_pread(m, path, s->pm, sizeof s->pm,
					BASE / PG * 8),
			 sizeof s->pm);
	snprintf(path, sizeof path, "/proc/%d/smaps", pid);
	smaps = mmk_proc_read(m, path);
	assert_non_null(smaps);
	parse_smaps(smaps, s);
	free(smaps);
	for (i = 0; i < NPAGES; i++) {
		uint64_t pfn = s->pm[i] & PM_PFRAME_MASK;

		s->flags[i] = s->count[i] = ~0ULL;
		if (!flags || !(s->pm[i] & PM_PRESENT))
			continue;
		assert_int_equal(mmk_proc_pread(m, "/proc/kpageflags",
						&s->flags[i], 8, pfn * 8),
				 8);
		assert_int_equal(mmk_proc_pread(m, "/proc/kpagecount",
						&s->count[i], 8, pfn * 8),
				 8);
	}
}

static int mmk_steps(struct mmk_machine *m, const struct scenario *sc, int i,
		     int pid, struct file *memfd, struct run *r, bool flags)
{
	for (; sc->steps[i].op != END; i++) {
		const struct step *st = &sc->steps[i];
		unsigned long p = BASE + st->first * PG;
		unsigned long len = st->pages * PG;

		switch (st->op) {
		case MMAP_ANON:
			assert_int_equal(mmk_mmap(pid, p, len,
						  (unsigned long)st->prot,
						  (unsigned long)st->arg |
							  MAP_ANONYMOUS |
							  MAP_FIXED_NOREPLACE,
						  NULL, 0),
					 (long)p);
			break;
		case MMAP_MEMFD:
			assert_int_equal(mmk_mmap(pid, p, len,
						  (unsigned long)st->prot,
						  (unsigned long)st->arg |
							  MAP_FIXED_NOREPLACE,
						  memfd, 0),
					 (long)p);
			break;
		case READ:
		case WRITE:
			assert_int_equal(
				mmk_touch(pid, p, len, st->op == WRITE), 0);
			break;
		case MPROTECT:
			assert_int_equal(mmk_mprotect(pid, p, len,
						      (unsigned long)st->prot),
					 0);
			break;
		case ADVISE:
			assert_int_equal(mmk_madvise(pid, p, len, st->arg), 0);
			break;
		case MUNMAP:
			assert_int_equal(mmk_munmap(pid, p, len), 0);
			break;
		case MLOCK:
			assert_int_equal(mmk_mlock(pid, p, len), 0);
			break;
		case FORK:
			/* The host's child runs first; so does this one. */
			assert_int_equal(mmk_fork(pid, pid + 1), 0);
			i = mmk_steps(m, sc, i + 1, pid + 1, memfd, r, flags);
			assert_int_equal(mmk_exit(pid + 1), 0);
			i--; /* at the JOIN */
			break;
		case JOIN:
			return i + 1;
		case CLEAR_REFS:
			assert_int_equal(mmk_clear_refs(pid, st->arg), 0);
			break;
		case SNAP:
			assert_true(r->n < MAX_SNAPS);
			mmk_snap(m, pid, &r->snaps[r->n++], flags);
			break;
		case END:
			break;
		}
	}
	return i;
}

static void compare(const struct scenario *sc, const struct run *host,
		    const struct run *mine)
{
	int s, i;

	assert_int_equal(host->n, mine->n);
	for (s = 0; s < host->n; s++) {
		const struct snap *h = &host->snaps[s], *k = &mine->snaps[s];
		int v;

		for (v = 0; v < 2; v++)
			if (h->rss[v] != k->rss[v] ||
			    h->referenced[v] != k->referenced[v])
				fail_msg("%s: snapshot %d, VMA at page %d: Rss "
					 "%lu Referenced %lu kB on the host, "
					 "%lu and %lu here",
					 sc->name, s, v * 8, h->rss[v],
					 h->referenced[v], k->rss[v],
					 k->referenced[v]);

		for (i = 0; i < NPAGES; i++) {
			uint64_t mask =
				h->pm[i] & PM_PRESENT ? ~PM_PFRAME_MASK : ~0ULL;

			if ((h->pm[i] & mask) != (k->pm[i] & mask))
				fail_msg("%s: snapshot %d, page %d: pagemap "
					 "%016llx on the host, %016llx here",
					 sc->name, s, i,
					 (unsigned long long)h->pm[i],
					 (unsigned long long)k->pm[i]);
			if (h->flags[i] == ~0ULL)
				continue;
			if ((h->flags[i] & KPF_COMPARED) !=
				    (k->flags[i] & KPF_COMPARED) ||
			    h->count[i] != k->count[i])
				fail_msg("%s: snapshot %d, page %d: kpageflags "
					 "%llx count %llu on the host, %llx "
					 "count %llu here",
					 sc->name, s, i,
					 (unsigned long long)h->flags[i],
					 (unsigned long long)h->count[i],
					 (unsigned long long)k->flags[i],
					 (unsigned long long)k->count[i]);
		}
	}
}

static void test_scenarios(void **state)
{
	bool flags = host_kpageflags();
	size_t n;

	(void)state;
	if (access("/proc/self/pagemap", R_OK))
		skip();
	for (n = 0; n < sizeof scenarios / sizeof scenarios[0]; n++) {
		const struct scenario *sc = &scenarios[n];
		struct mmk_machine *m =
			mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 2, true);
		struct run host, mine = { .n = 0 };
		struct file *memfd;

		host_run(sc, &host);
		memfd = mmk_memfd_create("pagemap_diff", NPAGES * PG);
		assert_non_null(memfd);
		assert_int_equal(mmk_spawn(1, false), 0);
		mmk_steps(m, sc, 0, 1, memfd, &mine, flags);
		compare(sc, &host, &mine);
		fput(memfd);
		assert_check_ok(m);
		mmk_shutdown(m);
	}
}

/* The files' own rules, on mmkit alone. */
static void test_read_rules(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 2, true);
	uint64_t w[4];
	char text[8];

	(void)state;
	assert_int_equal(mmk_spawn(1, false), 0);
	/* Offsets and sizes in whole entries. */
	assert_int_equal(mmk_proc_pread(m, "/proc/1/pagemap", w, 12, 0),
			 -EINVAL);
	assert_int_equal(mmk_proc_pread(m, "/proc/1/pagemap", w, 8, 4),
			 -EINVAL);
	assert_int_equal(mmk_proc_pread(m, "/proc/kpageflags", w, 8, 3),
			 -EINVAL);
	assert_int_equal(mmk_proc_pread(m, "/proc/kpagecount", w, 7, 0),
			 -EINVAL);
	/* From the end of user space (TASK_SIZE, a page below 2^47) on:
	 * nothing; a read across it stops there. */
	assert_int_equal(mmk_proc_pread(m, "/proc/1/pagemap", w, 8,
					((1ULL << 47) / PG - 1) * 8),
			 0);
	assert_int_equal(mmk_proc_pread(m, "/proc/1/pagemap", w, 32,
					((1ULL << 47) / PG - 2) * 8),
			 8);
	assert_int_equal(
		mmk_proc_pread(m, "/proc/1/pagemap", w, 8, ~0ULL & ~7ULL), 0);
	/* 64M of RAM rounds up to one 128M section: 32768 pfns. */
	assert_int_equal(mmk_proc_pread(m, "/proc/kpageflags", w, 32,
					32768ULL * 8 - 16),
			 16);
	assert_int_equal(
		mmk_proc_pread(m, "/proc/kpagecount", w, 8, 32768ULL * 8), 0);
	assert_int_equal(mmk_proc_pread(m, "/proc/1/pagemap", w, 0, 0), 0);
	/* No such process or file; not a text file. */
	assert_int_equal(mmk_proc_pread(m, "/proc/2/pagemap", w, 8, 0),
			 -ENOENT);
	assert_int_equal(mmk_proc_pread(m, "/proc/kpagecgroup", w, 8, 0),
			 -ENOENT);
	assert_null(mmk_proc_read(m, "/proc/1/pagemap"));
	assert_int_equal(errno, EINVAL);
	assert_null(mmk_proc_read(m, "/proc/kpageflags"));
	assert_int_equal(errno, EINVAL);
	assert_null(mmk_proc_read(m, "/proc/2/pagemap"));
	assert_int_equal(errno, ENOENT);
	/* A text file, from an offset. */
	assert_int_equal(mmk_proc_pread(m, "/proc/meminfo", text, 7, 3), 7);
	assert_memory_equal(text, "Total: ", 7);
	assert_int_equal(
		mmk_proc_pread(m, "/proc/meminfo", text, 8, 1ULL << 40), 0);
	assert_int_equal(mmk_proc_pread(NULL, "/proc/meminfo", text, 8, 0),
			 -EINVAL);
	assert_int_equal(mmk_proc_pread(m, "/proc/meminfo", NULL, 8, 0),
			 -EINVAL);
	/* Names of the bits, as page-types prints them. */
	assert_string_equal(mmk_kpageflag_name(5), "lru");
	assert_string_equal(mmk_kpageflag_name(24), "zero_page");
	assert_string_equal(mmk_kpageflag_name(33), "mlocked");
	assert_null(mmk_kpageflag_name(50));
	assert_null(mmk_kpageflag_name(64));
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* The value of status field @name (kB) of process 1. */
static unsigned long status_kb(struct mmk_machine *m, const char *name)
{
	char *text = mmk_proc_read(m, "/proc/1/status"), *p;
	unsigned long v;

	assert_non_null(text);
	p = strstr(text, name);
	assert_non_null(p);
	v = strtoul(p + strlen(name) + 1, NULL, 10);
	free(text);
	return v;
}

/* clear_refs' types: 5 resets the peak RSS, others are refused. */
static void test_clear_refs_rules(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 2, true);

	(void)state;
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, BASE, 16 * PG, RW,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL,
				  0),
			 (long)BASE);
	assert_int_equal(mmk_touch(1, BASE, 16 * PG, true), 0);
	assert_int_equal(mmk_munmap(1, BASE, 8 * PG), 0);
	assert_int_equal(status_kb(m, "VmHWM:"), 64);
	assert_int_equal(status_kb(m, "VmRSS:"), 32);
	assert_int_equal(mmk_clear_refs(1, 5), 0);
	assert_int_equal(status_kb(m, "VmHWM:"), 32);
	assert_int_equal(mmk_clear_refs(1, 0), -EINVAL);
	assert_int_equal(mmk_clear_refs(1, 6), -EINVAL);
	assert_int_equal(mmk_clear_refs(1, -1), -EINVAL);
	assert_int_equal(mmk_clear_refs(2, 1), -ESRCH);
	assert_check_ok(m);
	mmk_shutdown(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_read_rules),
		cmocka_unit_test(test_clear_refs_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
