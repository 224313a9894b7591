/* SPDX-License-Identifier: MIT */
/*
 * Differential test of msync(2) (mm/msync.c) against the real kernel of
 * this machine.
 *
 * A sequence of calls inside a 256 KiB window runs in a child process of
 * this one through raw syscall(2), on a new 64-page file of a disk file
 * system, and in process 1 of an mmkit machine on a new in-memory file of
 * the same size, each read into the page cache whole first
 * (POSIX_FADV_WILLNEED: how much a fault would read ahead, and in how
 * large folios, is the host's file system's and device's own): mmap MAP_FIXED of the file, shared or private, at a page
 * offset, or of anonymous memory; munmap; mprotect; one-page loads and
 * stores (the host child catches its SIGSEGV and SIGBUS); mlock and
 * munlock; and msync with every flag combination, good or bad, over
 * ranges with and without holes. After each call both sides report its
 * result and, for the window, each maps line (range, permissions,
 * offset) with its smaps Rss, Shared_Clean, Shared_Dirty, Private_Clean
 * and Private_Dirty: they must be equal, so MS_SYNC cleans exactly the
 * pages Linux's writeback cleans, and mmk_check() must pass after every
 * call. A directed sequence comes first, then seeded random ones.
 *
 * Skipped when no directory of a disk file system is at hand (a tmpfs
 * file, as shmem, would not be written back), or the window is not free
 * here.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include "tests/diff_test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#define PG 4096UL
#define WIN 0x3d0000000000UL
#define WIN_PAGES 64UL
#define FILE_PAGES 64UL
#define MAX_CALLS 40
#define SEQS 50
#define TMPFS_MAGIC_ 0x01021994L

enum op {
	OP_MAP_SHARED,
	OP_MAP_PRIVATE,
	OP_MAP_ANON,
	OP_MUNMAP,
	OP_MPROTECT,
	OP_READ,
	OP_WRITE,
	OP_MLOCK,
	OP_MUNLOCK,
	OP_MSYNC,
};

struct call {
	enum op op;
	unsigned long addr, len, prot;
	unsigned long off; /* the file offset of a file mapping */
	int flags; /* msync's */
};

static char host_dir[256];
static bool can_mlock;

/* ---- the host side ---- */

static int host_fd = -1;

static void host_open_file(void)
{
	char path[320];

	snprintf(path, sizeof path, "%s/mmkit-msync-XXXXXX", host_dir);
	host_fd = mkstemp(path);
	if (host_fd < 0 || ftruncate(host_fd, (off_t)(FILE_PAGES * PG)) ||
	    posix_fadvise(host_fd, 0, 0, POSIX_FADV_WILLNEED))
		_exit(2);
	unlink(path);
}

static long host_call(const struct call *c, int i)
{
	long r = 0;

	switch (c->op) {
	case OP_MAP_SHARED:
	case OP_MAP_PRIVATE:
		r = syscall(SYS_mmap, c->addr, c->len, c->prot,
			    (c->op == OP_MAP_SHARED ? MAP_SHARED :
						      MAP_PRIVATE) |
				    MAP_FIXED,
			    host_fd, c->off);
		return r == -1 ? -errno : 0;
	case OP_MAP_ANON:
		r = syscall(SYS_mmap, c->addr, c->len, c->prot,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		return r == -1 ? -errno : 0;
	case OP_MUNMAP:
		r = syscall(SYS_munmap, c->addr, c->len);
		break;
	case OP_MPROTECT:
		r = syscall(SYS_mprotect, c->addr, c->len, c->prot);
		break;
	case OP_READ:
	case OP_WRITE:
		return diff_host_access(c->addr, c->op == OP_WRITE,
					(uint64_t)i + 1, NULL, NULL);
	case OP_MLOCK:
		/* The system call: ASan's mlock() does nothing. */
		r = syscall(SYS_mlock, c->addr, c->len);
		break;
	case OP_MUNLOCK:
		r = syscall(SYS_munlock, c->addr, c->len);
		break;
	case OP_MSYNC:
		r = syscall(SYS_msync, c->addr, c->len, c->flags);
		break;
	}
	return r == -1 ? -errno : r;
}

static long sim_call(struct file *f, const struct call *c, int i)
{
	uint64_t v = 0;
	long r;

	switch (c->op) {
	case OP_MAP_SHARED:
	case OP_MAP_PRIVATE:
		r = mmk_mmap(1, c->addr, c->len, c->prot,
			     (c->op == OP_MAP_SHARED ? MAP_SHARED :
						       MAP_PRIVATE) |
				     MAP_FIXED,
			     f, c->off);
		return r < 0 ? r : 0;
	case OP_MAP_ANON:
		r = mmk_mmap(1, c->addr, c->len, c->prot,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
		return r < 0 ? r : 0;
	case OP_MUNMAP:
		return mmk_munmap(1, c->addr, c->len);
	case OP_MPROTECT:
		return mmk_mprotect(1, c->addr, c->len, c->prot);
	case OP_READ:
		r = mmk_read_u64(1, c->addr, &v);
		return r ? DIFF_FAULTED(r) : (long)v;
	case OP_WRITE:
		r = mmk_write_u64(1, c->addr, (uint64_t)i + 1);
		return r ? DIFF_FAULTED(r) : 0;
	case OP_MLOCK:
		return mmk_mlock(1, c->addr, c->len);
	case OP_MUNLOCK:
		return mmk_munlock(1, c->addr, c->len);
	case OP_MSYNC:
		return mmk_msync(1, c->addr, c->len, c->flags);
	}
	return 0;
}

/* ---- reports ---- */

/* The window's smaps headers with their Rss and clean and dirty sizes. */
static void report_smaps(char *out, size_t cap, const char *smaps)
{
	static const char *const fields[] = { "Rss:", "Shared_Clean:",
					      "Shared_Dirty:", "Private_Clean:",
					      "Private_Dirty:" };
	bool in_win = false;
	const char *p;

	for (p = smaps; *p; p = strchr(p, '\n') + 1) {
		unsigned long start, end, off, kb;
		char perms[8], name[20];
		size_t k;

		if (sscanf(p, "%lx-%lx %7s %lx", &start, &end, perms, &off) ==
		    4) {
			in_win = start >= WIN && end <= WIN + WIN_PAGES * PG;
			if (in_win)
				diff_append(out, cap, "  %lx-%lx %s %08lx\n",
					    start, end, perms, off);
		} else if (in_win && sscanf(p, "%19s %lu kB", name, &kb) == 2) {
			for (k = 0; k < sizeof fields / sizeof fields[0]; k++)
				if (!strcmp(name, fields[k]))
					diff_append(out, cap, "    %s %lu\n",
						    name, kb);
		}
		if (!strchr(p, '\n'))
			break;
	}
}

static void fmt_call(char *out, size_t cap, const struct call *c, long ret)
{
	static const char *const names[] = {
		"mmap shared", "mmap private", "mmap anon", "munmap",
		"mprotect",    "read",	       "write",	    "mlock",
		"munlock",     "msync",
	};

	diff_append(out, cap, "%s %#lx %#lx prot=%lu off=%#lx flags=%d = %ld\n",
		    names[c->op], c->addr, c->len, c->prot, c->off, c->flags,
		    ret);
}

static void host_step(const void *calls, int i, char *out, size_t cap)
{
	const struct call *c = calls;
	char *smaps;

	fmt_call(out, cap, &c[i], host_call(&c[i], i));
	smaps = mmk_test_slurp("/proc/self/smaps");
	if (smaps)
		report_smaps(out, cap, smaps);
	free(smaps);
}

static struct file *sim_file;

static void sim_step(struct mmk_machine *m, const void *calls, int i, char *out,
		     size_t cap)
{
	const struct call *c = calls;
	char *smaps;

	fmt_call(out, cap, &c[i], sim_call(sim_file, &c[i], i));
	smaps = proc(m, "/proc/1/smaps");
	report_smaps(out, cap, smaps);
	free(smaps);
}

static void compare(struct mmk_machine *m, const void *calls, int n,
		    const char *what)
{
	sim_file = mmk_file_create("msync", FILE_PAGES * PG, false);
	assert_non_null(sim_file);
	assert_int_equal(mmk_fadvise(sim_file, 0, 0, POSIX_FADV_WILLNEED), 0);
	diff_compare(m, host_step, host_open_file, sim_step, calls, n, what);
	fput(sim_file);
}

/* ---- the host's readiness ---- */

/* A directory of a file system with writeback: $TMPDIR, /var/tmp or
 * /tmp, the first that is not tmpfs. */
static bool find_host_dir(void)
{
	const char *dirs[] = { getenv("TMPDIR"), "/var/tmp", "/tmp" };
	struct statfs sf;
	size_t i;

	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (dirs[i] && !statfs(dirs[i], &sf) &&
		    (long)sf.f_type != TMPFS_MAGIC_ && !access(dirs[i], W_OK)) {
			snprintf(host_dir, sizeof host_dir, "%s", dirs[i]);
			return true;
		}
	return false;
}

static bool host_ready(void)
{
	if (!find_host_dir())
		return false;
	can_mlock = diff_can_mlock(WIN_PAGES * PG);
	return diff_window_free(WIN, WIN_PAGES * PG);
}

/* ---- sequences ---- */

#define RW (PROT_READ | PROT_WRITE)
#define CALL(o, a, l, p, off, fl)                              \
	{                                                      \
		(o), WIN + (a)*PG, (l)*PG, (p), (off)*PG, (fl) \
	}

static void test_directed(void **state)
{
	const struct call seq[] = {
		CALL(OP_MAP_SHARED, 0, 16, RW, 0, 0),
		CALL(OP_WRITE, 0, 0, 0, 0, 0),
		CALL(OP_WRITE, 3, 0, 0, 0, 0),
		CALL(OP_READ, 5, 0, 0, 0, 0),
		CALL(OP_MSYNC, 0, 16, 0, 0, MS_ASYNC),
		CALL(OP_MSYNC, 0, 1, 0, 0, MS_SYNC),
		CALL(OP_WRITE, 0, 0, 0, 0, 0),
		CALL(OP_MSYNC, 0, 16, 0, 0, MS_SYNC | MS_INVALIDATE),
		/* A private mapping of the same file: its copies stay. */
		CALL(OP_MAP_PRIVATE, 20, 4, RW, 2, 0),
		CALL(OP_WRITE, 20, 0, 0, 0, 0),
		CALL(OP_READ, 21, 0, 0, 0, 0),
		CALL(OP_WRITE, 2, 0, 0, 0, 0),
		CALL(OP_MSYNC, 0, 24, 0, 0, MS_SYNC),
		/* Holes: ENOMEM, the rest synced; MS_ASYNC stops at one. */
		CALL(OP_WRITE, 1, 0, 0, 0, 0),
		CALL(OP_MSYNC, 16, 8, 0, 0, MS_ASYNC),
		CALL(OP_MSYNC, 30, 2, 0, 0, MS_SYNC),
		CALL(OP_MSYNC, 0, 24, 0, 0, MS_SYNC),
		CALL(OP_MSYNC, 0, 24, 0, 0, MS_ASYNC | MS_INVALIDATE),
		/* Bad flags, unaligned, a length of 0. */
		CALL(OP_MSYNC, 0, 1, 0, 0, MS_ASYNC | MS_SYNC),
		CALL(OP_MSYNC, 0, 1, 0, 0, 8),
		CALL(OP_MSYNC, 0, 0, 0, 0, 0),
		{ OP_MSYNC, WIN + 1, PG, 0, 0, MS_SYNC },
		{ OP_MSYNC, WIN, 0, 0, 0, MS_SYNC },
		{ OP_MSYNC, WIN, 100, 0, 0, MS_SYNC },
		/* MS_INVALIDATE on locked memory. */
		CALL(OP_MLOCK, 4, 2, 0, 0, 0),
		CALL(OP_MSYNC, 0, 8, 0, 0, MS_INVALIDATE),
		CALL(OP_MSYNC, 6, 2, 0, 0, MS_INVALIDATE),
		CALL(OP_MUNLOCK, 4, 2, 0, 0, 0),
		/* A read-only shared mapping of dirty pages. */
		CALL(OP_WRITE, 7, 0, 0, 0, 0),
		CALL(OP_MPROTECT, 6, 4, PROT_READ, 0, 0),
		CALL(OP_MSYNC, 6, 4, 0, 0, MS_SYNC),
		CALL(OP_MAP_ANON, 40, 4, RW, 0, 0),
		CALL(OP_WRITE, 40, 0, 0, 0, 0),
		CALL(OP_MSYNC, 36, 8, 0, 0, MS_SYNC),
		CALL(OP_MUNMAP, 0, 64, 0, 0, 0),
		CALL(OP_MSYNC, 0, 1, 0, 0, MS_ASYNC),
	};
	struct call run[sizeof seq / sizeof seq[0]];
	struct mmk_machine *m;
	size_t i;
	int n = 0;

	if (!host_ready())
		skip();
	/* Without the privilege or the limit to lock the window, no mlock. */
	for (i = 0; i < sizeof seq / sizeof seq[0]; i++)
		if (can_mlock ||
		    (seq[i].op != OP_MLOCK && seq[i].op != OP_MUNLOCK))
			run[n++] = seq[i];
	m = mmk_test_boot(MMK_ARCH_X86_64, 256ULL << 20, 1, 1, true);
	*state = m;
	compare(m, run, n, "directed");
}

static void random_seq(uint64_t seed, void *calls, int n)
{
	struct call *c = calls;
	static const unsigned long prots[] = { PROT_READ, RW, RW, PROT_NONE };
	static const int flags[] = {
		MS_ASYNC,
		MS_SYNC,
		MS_SYNC,
		MS_INVALIDATE,
		MS_SYNC | MS_INVALIDATE,
		MS_ASYNC | MS_INVALIDATE,
		0,
		MS_ASYNC | MS_SYNC,
	};
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;
	int i;

	c[0] = (struct call)CALL(OP_MAP_SHARED, 0, 32, RW, 0, 0);
	for (i = 1; i < n; i++) {
		struct call *x = &c[i];
		unsigned long first = diff_pick(&s, WIN_PAGES - 8),
			      pages = 1 + diff_pick(&s, 8);

		memset(x, 0, sizeof(*x));
		x->addr = WIN + first * PG;
		x->len = pages * PG;
		x->prot = prots[diff_pick(&s, 4)];
		x->off = diff_pick(&s, FILE_PAGES - pages + 1) * PG;
		switch (diff_pick(&s, 16)) {
		case 0:
			x->op = OP_MAP_SHARED;
			break;
		case 1:
			x->op = diff_pick(&s, 2) ? OP_MAP_PRIVATE : OP_MAP_ANON;
			break;
		case 2:
			x->op = OP_MUNMAP;
			break;
		case 3:
			x->op = OP_MPROTECT;
			break;
		case 4:
		case 5:
			x->op = OP_READ;
			break;
		case 6:
		case 7:
		case 8:
		case 9:
			x->op = OP_WRITE;
			break;
		case 10:
			x->op = can_mlock ? (diff_pick(&s, 2) ? OP_MLOCK :
								OP_MUNLOCK) :
					    OP_WRITE;
			break;
		default:
			x->op = OP_MSYNC;
			x->flags = flags[diff_pick(&s, 8)];
			break;
		}
	}
}

static void test_random(void **state)
{
	struct mmk_machine *m;

	if (!host_ready())
		skip();
	m = mmk_test_boot(MMK_ARCH_X86_64, 256ULL << 20, 1, 1, true);
	*state = m;
	diff_random(m, random_seq, compare, sizeof(struct call), MAX_CALLS,
		    SEQS);
}

/*
 * The host's periodic writeback (the flusher, every
 * dirty_writeback_centisecs) locks a dirty page while it writes it, and
 * fault-around passes over a locked page: a mapping then maps one page
 * less than mmkit's, now and then. The flusher is off while the test
 * runs (root only; the value is put back after).
 */
#define WB_KNOB "/proc/sys/vm/dirty_writeback_centisecs"
static char wb_saved[32];

static int flusher_off(void **state)
{
	FILE *f = fopen(WB_KNOB, "r");

	(void)state;
	if (!f)
		return 0;
	if (!fgets(wb_saved, sizeof wb_saved, f))
		wb_saved[0] = '\0';
	fclose(f);
	f = geteuid() == 0 && wb_saved[0] ? fopen(WB_KNOB, "w") : NULL;
	if (!f) {
		wb_saved[0] = '\0';
		return 0;
	}
	fputs("0\n", f);
	fclose(f);
	return 0;
}

static int flusher_back(void **state)
{
	FILE *f = wb_saved[0] ? fopen(WB_KNOB, "w") : NULL;

	(void)state;
	if (f) {
		fputs(wb_saved, f);
		fclose(f);
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_directed, mmk_test_teardown),
		cmocka_unit_test_teardown(test_random, mmk_test_teardown),
	};

	return cmocka_run_group_tests(tests, flusher_off, flusher_back);
}
