/* SPDX-License-Identifier: MIT */
/*
 * Differential test of HugeTLB mappings (mm/hugetlb.c: MAP_HUGETLB
 * anonymous memory from the vm.nr_hugepages pool) against the real kernel
 * of this machine, beside pkeys_diff_test.c and msync_diff_test.c.
 *
 * A sequence of calls inside a window of 16 huge pages (2 MiB each) runs
 * in a child process of this one through raw syscall(2), and in process
 * 1 of an x86_64 mmkit machine, both with a pool of POOL free unreserved
 * huge pages: mmap of MAP_HUGETLB anonymous memory (private or shared,
 * MAP_NORESERVE, MAP_POPULATE, MAP_LOCKED, MAP_HUGE_2MB, unaligned
 * addresses and lengths, no MAP_FIXED with and without a hint, more pages
 * than the pool has); munmap, mprotect, mlock and munlock; madvise
 * (MADV_DONTNEED with unaligned start or end, MADV_FREE, MADV_WILLNEED,
 * MADV_DONTFORK and MADV_DOFORK, MADV_POPULATE_READ/WRITE, MADV_REMOVE,
 * and the advice that sets VMA flags or that hugetlb refuses); mremap
 * (shrink, grow, move with MREMAP_FIXED to aligned and unaligned
 * addresses, MREMAP_DONTUNMAP); 8-byte loads and stores (the host's
 * processes catch their SIGSEGV and SIGBUS: a fault the pool cannot
 * serve is SIGBUS); and fork: "fork" makes a child (fork(2) in the host's
 * child, which then runs the child's calls on request over a pipe;
 * mmk_fork() to pid 2 in mmkit), and calls marked C run in it: loads,
 * stores, munmap and madvise (copy-on-write of private pages, a shared
 * page written by the other, the child's SIGBUS when the pool is empty,
 * and the page the parent takes back from the child when its own
 * copy-on-write finds none: unmap_ref_private()). Two directed sequences
 * and SEQS_OVERCOMMIT random ones run with vm.nr_overcommit_hugepages 2
 * on both sides (surplus pages).
 *
 * After each call both sides report its result (an address relative to
 * the window, 0, an errno name, the value loaded or the signal), the
 * change of /proc/meminfo's HugePages_Total, _Free, _Rsvd and _Surp
 * since the sequence began (so that pages other processes of the host
 * hold, or reservations leaked on it, do not count), and for the process
 * and its child if any: each VMA of the window as its smaps header shows
 * it, which is its maps line (range relative to the window, permissions,
 * offset and path; not the device and inode, which differ), its smaps
 * Size, KernelPageSize, MMUPageSize, Rss, Shared_Hugetlb,
 * Private_Hugetlb, Locked and VmFlags (without the host's "sd"), its
 * numa_maps line (report_numa_maps() says what of it), the pagemap
 * entries of each huge page (report_pagemap(): the child's page the
 * process's or its own copy), smaps_rollup's Shared_Hugetlb and
 * Private_Hugetlb, and the HugetlbPages line of /proc/PID/status; and
 * the change of htlb_buddy_alloc_success and _fail in /proc/vmstat. The reports must be equal, mmk_check() must pass
 * after every call (a failure ends mmkit's run and shows in its report),
 * and mmkit's pool must be as it was once the sequence's processes have
 * gone. Where the reports differ, the calls before the first report that
 * differs, and that report on both sides, are printed. Directed
 * sequences come first, then seeded random ones, all of which run (so
 * that one run shows every kind of difference).
 *
 * The host's pool: vm.nr_hugepages is set (as root) so that POOL pages
 * are free and unreserved, vm.nr_overcommit_hugepages to 0, and both are
 * put back when the tests end. Linux 6.18 leaks the unconsumed
 * reservations of a private mapping that mremap() moves part of (they
 * stay reserved after the process has gone, and the pool cannot shrink
 * below them again), so no sequence does that (random_seq()); should a
 * host run leave the pool changed all the same, it is reported on stderr
 * and the pool is fitted again. The free pages of such leaked
 * reservations are pages Linux may hand out while HugePages_Rsvd is below
 * them, which a clean host does not have: a sequence whose host run used
 * more pages than the pool is not compared (host_overdrew()). Skipped
 * when not root, when the host has no /proc/sys/vm/nr_hugepages, when
 * the pool cannot be made so, or when the window is not free here.
 * Two runs of this test take turns (a lock file in /tmp); another
 * process using huge pages on the host meanwhile can make the host's
 * reports differ.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include "tests/diff_test.h"
#include <mmkit/hugetlb.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL
#define HP (2UL << 20)
#define WIN 0x3b0000000000UL
#define WIN_HPAGES 16UL
#define WIN_END (WIN + WIN_HPAGES * HP)
#define H(k) (WIN + (k)*HP) /* huge page k of the window */
#define POOL 8UL
#define MAX_CALLS 40
#define SEQS 100
#define SEQS_OVERCOMMIT 40
#define KID 2 /* the child's pid in mmkit */
/* MAP_HUGE_2MB: log2 of the size in the flags' top bits. */
#define X_MAP_HUGE_2MB (21UL << 26)
#define RW (PROT_READ | PROT_WRITE)
#define HT (MAP_ANONYMOUS | MAP_HUGETLB)
#define PRIV (MAP_PRIVATE | HT | MAP_FIXED)
#define SHRD (MAP_SHARED | HT | MAP_FIXED)

enum op {
	OP_MMAP,
	OP_MUNMAP,
	OP_MPROTECT,
	OP_MADVISE,
	OP_MLOCK,
	OP_MUNLOCK,
	OP_MREMAP,
	OP_READ,
	OP_WRITE,
	OP_FORK,
	OP_EXIT, /* the child */
	OP_SETNR, /* vm.nr_hugepages: POOL on mmkit's side is len */
};

struct call {
	enum op op;
	int who; /* 0: the process; 1: its child */
	unsigned long addr, len, prot;
	unsigned long flags; /* mmap's, mremap's; madvise's advice */
	unsigned long len2, addr2; /* mremap's new_len and new_addr */
};

/* The length of the current sequence: its last call ends the child. */
static int seq_len;

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"
#define NR_OVERCOMMIT "/proc/sys/vm/nr_overcommit_hugepages"

/* vm.nr_hugepages of the host when the sequence began: there, POOL
 * pages are free and unreserved. */
static long host_nr_base;

/* ---- the host side ---- */

static long host_call(const struct call *c, int i)
{
	long r = 0;

	switch (c->op) {
	case OP_MMAP:
		r = syscall(SYS_mmap, c->addr, c->len, c->prot, c->flags, -1,
			    0);
		break;
	case OP_MUNMAP:
		r = syscall(SYS_munmap, c->addr, c->len);
		break;
	case OP_MPROTECT:
		r = syscall(SYS_mprotect, c->addr, c->len, c->prot);
		break;
	case OP_MADVISE:
		r = syscall(SYS_madvise, c->addr, c->len, (int)c->flags);
		break;
	case OP_MLOCK:
		/* The system call: ASan's mlock() does nothing. */
		r = syscall(SYS_mlock, c->addr, c->len);
		break;
	case OP_MUNLOCK:
		r = syscall(SYS_munlock, c->addr, c->len);
		break;
	case OP_MREMAP:
		r = syscall(SYS_mremap, c->addr, c->len, c->len2, c->flags,
			    c->addr2);
		break;
	case OP_READ:
	case OP_WRITE:
		return diff_host_access(c->addr, c->op == OP_WRITE,
					(uint64_t)i + 1, NULL, NULL);
	case OP_SETNR:
		/* As much bigger or smaller than the host's pool as mmkit's
		 * than POOL. */
		errno = EIO;
		r = diff_write_long(NR_HUGEPAGES,
				    host_nr_base - (long)POOL + (long)c->len) ?
			    0 :
			    -1;
		break;
	case OP_FORK:
	case OP_EXIT:
		break;
	}
	return r == -1 ? -errno : r;
}

/* The host's child of the sequence's process: its pid (0: none), and the
 * pipes that carry call numbers to it and results back. */
static pid_t kid_pid;
static int kid_cmd = -1, kid_res = -1;

/* The child: runs the calls whose numbers it reads, to a negative one. */
static void __attribute__((noreturn))
kid_loop(const struct call *calls, int cmd, int res)
{
	int i;
	long r;

	for (;;) {
		if (read(cmd, &i, sizeof i) != sizeof i || i < 0)
			_exit(0);
		r = host_call(&calls[i], i);
		if (write(res, &r, sizeof r) != sizeof r)
			_exit(1);
	}
}

static long host_fork(const struct call *calls)
{
	int cmd[2], res[2];
	long fd, max;
	pid_t pid;

	if (kid_pid)
		return -EEXIST;
	if (pipe(cmd))
		return -errno;
	if (pipe(res)) {
		close(cmd[0]);
		close(cmd[1]);
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		fd = -errno;
		close(cmd[0]);
		close(cmd[1]);
		close(res[0]);
		close(res[1]);
		return fd;
	}
	if (pid == 0) {
		/* Hold no other descriptor (the report's pipe: its reader
		 * waits for every writer to close it), and die with the
		 * parent. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		max = sysconf(_SC_OPEN_MAX);
		for (fd = 3; fd < (max > 0 && max < 4096 ? max : 4096); fd++)
			if (fd != cmd[0] && fd != res[1])
				close((int)fd);
		kid_loop(calls, cmd[0], res[1]);
	}
	close(cmd[0]);
	close(res[1]);
	kid_pid = pid;
	kid_cmd = cmd[1];
	kid_res = res[0];
	return 0;
}

/* The child ends (asked to, or killed): 0, or DIFF_FAULTED of its
 * signal if one killed it. */
static long host_reap_kid(void)
{
	int status, stop = -1;

	if (!kid_pid)
		return -ESRCH;
	if (write(kid_cmd, &stop, sizeof stop) < 0) {
		/* Dead already: waitpid says how. */
	}
	close(kid_cmd);
	close(kid_res);
	waitpid(kid_pid, &status, 0);
	kid_pid = 0;
	return WIFSIGNALED(status) ? DIFF_FAULTED(WTERMSIG(status)) : 0;
}

static long host_kid_call(int i)
{
	long r;

	if (!kid_pid)
		return -ESRCH;
	if (write(kid_cmd, &i, sizeof i) != sizeof i ||
	    read(kid_res, &r, sizeof r) != sizeof r)
		return host_reap_kid(); /* killed by a fault */
	return r;
}

/* ---- the mmkit side ---- */

static bool sim_kid, sim_nr_changed;

static long sim_call(const struct call *c, int i)
{
	int pid = c->who ? KID : 1;
	uint64_t v = 0;
	long r;

	switch (c->op) {
	case OP_MMAP:
		return mmk_mmap(pid, c->addr, c->len, c->prot, c->flags, NULL,
				0);
	case OP_MUNMAP:
		return mmk_munmap(pid, c->addr, c->len);
	case OP_MPROTECT:
		return mmk_mprotect(pid, c->addr, c->len, c->prot);
	case OP_MADVISE:
		return mmk_madvise(pid, c->addr, c->len, (int)c->flags);
	case OP_MLOCK:
		return mmk_mlock(pid, c->addr, c->len);
	case OP_MUNLOCK:
		return mmk_munlock(pid, c->addr, c->len);
	case OP_MREMAP:
		return mmk_mremap(pid, c->addr, c->len, c->len2, c->flags,
				  c->addr2);
	case OP_READ:
		r = mmk_read_u64(pid, c->addr, &v);
		break;
	case OP_WRITE:
		r = mmk_write_u64(pid, c->addr, (uint64_t)i + 1);
		break;
	case OP_FORK:
		if (sim_kid)
			return -EEXIST;
		r = mmk_fork(1, KID);
		sim_kid = !r;
		return r;
	case OP_EXIT:
		if (!sim_kid)
			return -ESRCH;
		sim_kid = false;
		return mmk_exit(KID);
	case OP_SETNR:
		sim_nr_changed = true;
		return mmk_set_nr_hugepages(-1, c->len);
	default:
		return 0;
	}
	if (r < 0)
		return r;
	if (r == MMK_SIGKILL && pid == KID) {
		/* The child died of it, as the host's does. */
		sim_kid = false;
		mmk_exit(KID);
	}
	return r ? DIFF_FAULTED(r) : (long)v;
}

/* ---- reports ---- */

static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" },   { ENOENT, "ENOENT" },	  { ESRCH, "ESRCH" },
	{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },	  { EACCES, "EACCES" },
	{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },	  { EEXIST, "EEXIST" },
	{ ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },	  { ENOSPC, "ENOSPC" },
	{ ENOSYS, "ENOSYS" }, { EOVERFLOW, "EOVERFLOW" },
};

static const char *sig_name(long sig)
{
	switch (sig) {
	case SIGSEGV:
		return "SIGSEGV";
	case SIGBUS:
		return "SIGBUS";
	case SIGKILL:
		return "SIGKILL";
	default:
		return "signal?";
	}
}

/* An address: relative to the window inside it, else only whether it
 * is huge-page aligned (where the kernel puts it is its own). */
static void fmt_addr(char *buf, size_t len, unsigned long a)
{
	if (a >= WIN && a <= WIN_END)
		snprintf(buf, len, "W+%#lx", a - WIN);
	else if (!a)
		snprintf(buf, len, "0");
	else
		snprintf(buf, len, "away%s", a % HP ? "-unaligned" : "");
}

static void fmt_ret(char *buf, size_t len, const struct call *c, long r)
{
	size_t i;

	if (r <= DIFF_FAULTED(0) && r > DIFF_FAULTED(100)) {
		snprintf(buf, len, "%s", sig_name(DIFF_FAULTED(0) - r));
	} else if (r < 0 && r >= -4095) {
		for (i = 0; i < sizeof errno_names / sizeof errno_names[0]; i++)
			if (errno_names[i].err == (int)-r) {
				snprintf(buf, len, "%s", errno_names[i].name);
				return;
			}
		snprintf(buf, len, "E%ld", -r);
	} else if (c->op == OP_MMAP || c->op == OP_MREMAP) {
		fmt_addr(buf, len, (unsigned long)r);
	} else {
		snprintf(buf, len, "%ld", r);
	}
}

static void fmt_call(char *out, size_t cap, const struct call *c, long r)
{
	static const char *const names[] = {
		"mmap",	 "munmap",  "mprotect", "madvise",
		"mlock", "munlock", "mremap",	"read",
		"write", "fork",    "exit",	"nr_hugepages",
	};
	char a[32], a2[32], ret[32];

	fmt_addr(a, sizeof a, c->addr);
	fmt_addr(a2, sizeof a2, c->addr2);
	fmt_ret(ret, sizeof ret, c, r);
	switch (c->op) {
	case OP_MREMAP:
		diff_append(out, cap,
			    "%s %s %s %#lx -> %#lx flags=%#lx %s = %s\n",
			    c->who ? "C" : "P", names[c->op], a, c->len,
			    c->len2, c->flags, a2, ret);
		break;
	case OP_FORK:
	case OP_EXIT:
		diff_append(out, cap, "%s %s = %s\n", c->who ? "C" : "P",
			    names[c->op], ret);
		break;
	case OP_SETNR:
		diff_append(out, cap, "P %s POOL%+ld = %s\n", names[c->op],
			    (long)c->len - (long)POOL, ret);
		break;
	case OP_READ:
	case OP_WRITE:
		diff_append(out, cap, "%s %s %s = %s\n", c->who ? "C" : "P",
			    names[c->op], a, ret);
		break;
	default:
		diff_append(out, cap,
			    "%s %s %s %#lx prot=%lu flags=%#lx = %s\n",
			    c->who ? "C" : "P", names[c->op], a, c->len,
			    c->prot, c->flags, ret);
		break;
	}
}

/* HugePages_Total, _Free, _Rsvd and _Surp of a meminfo text. */
static void pool_counts(const char *meminfo, long v[4])
{
	static const char *const keys[4] = {
		"HugePages_Total:", "HugePages_Free:", "HugePages_Rsvd:",
		"HugePages_Surp:"
	};
	const char *p;
	int k;

	for (k = 0; k < 4; k++) {
		p = meminfo ? strstr(meminfo, keys[k]) : NULL;
		/* Unsigned: Linux's HugePages_Rsvd wraps below zero for a
		 * while when __unmap_hugepage_range() gives back the
		 * reservation of a page a fork child still maps; a change
		 * of -1 stays -1. */
		v[k] = p ? (long)strtoul(p + strlen(keys[k]), NULL, 10) :
			   -1000000;
	}
}

/* htlb_buddy_alloc_success and _fail of a vmstat text: huge pages the
 * pool took from the page allocator (surplus ones, in a sequence). */
static void buddy_counts(const char *vmstat, long v[2])
{
	static const char *const keys[2] = { "\nhtlb_buddy_alloc_success ",
					     "\nhtlb_buddy_alloc_fail " };
	const char *p;
	int k;

	for (k = 0; k < 2; k++) {
		p = vmstat ? strstr(vmstat, keys[k]) : NULL;
		v[k] = p ? strtol(p + strlen(keys[k]), NULL, 10) : -1000000;
	}
}

/* Their change since @base. */
static void report_buddy(char *out, size_t cap, const char *vmstat,
			 const long base[2])
{
	long v[2];

	buddy_counts(vmstat, v);
	diff_append(out, cap, "  htlb_buddy_alloc success %+ld fail %+ld\n",
		    v[0] - base[0], v[1] - base[1]);
}

/* The counters' change since @base. */
static void report_pool(char *out, size_t cap, const char *meminfo,
			const long base[4])
{
	long v[4];

	pool_counts(meminfo, v);
	diff_append(out, cap,
		    "  pool total %+ld free %+ld rsvd %+ld surp %+ld\n",
		    v[0] - base[0], v[1] - base[1], v[2] - base[2],
		    v[3] - base[3]);
}

/* The window's VMAs of an smaps text: the maps line (range relative to
 * the window, permissions, offset, path), then the fields compared. */
static void report_smaps(char *out, size_t cap, const char *tag,
			 const char *smaps)
{
	static const char *const fields[] = {
		"Size:",	   "KernelPageSize:",  "MMUPageSize:", "Rss:",
		"Shared_Hugetlb:", "Private_Hugetlb:", "Locked:",
	};
	bool in_win = false;
	const char *p, *nl;

	for (p = smaps; p && *p; p = nl + 1) {
		unsigned long start, end, off;
		char perms[8];
		int path = 0;

		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p) - 1;
		if (sscanf(p, "%lx-%lx %7s %lx %*s %*s%n", &start, &end, perms,
			   &off, &path) == 4 &&
		    path) {
			in_win = start < WIN_END && end > WIN;
			if (!in_win)
				continue;
			p += path;
			while (*p == ' ')
				p++;
			diff_append(out, cap,
				    "  %s W+%#lx-W+%#lx %s %08lx %.*s\n", tag,
				    start - WIN, end - WIN, perms, off,
				    (int)(nl - p > 0 ? nl - p : 0), p);
		} else if (in_win) {
			diff_smaps_line(out, cap, p, nl, fields,
					sizeof fields / sizeof fields[0]);
		}
	}
}

/*
 * The numa_maps lines of the window's VMAs, the address relative. Not
 * the "dirty=" of private (anon=) memory: Linux counts a page whose
 * entry is clean as dirty if its folio has PG_dirty, and a huge page
 * keeps PG_dirty through the pool's free list, so a read fault's page
 * shows as dirty if a process once wrote to it, before this test too.
 */
static void report_numa_maps(char *out, size_t cap, const char *tag,
			     const char *text)
{
	const char *p, *nl;

	for (p = text; p && *p; p = nl + 1) {
		unsigned long start;
		char line[512], *d, *after;
		int rest = 0;

		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p) - 1;
		if (sscanf(p, "%lx %n", &start, &rest) != 1 || !rest ||
		    start < WIN || start >= WIN_END)
			continue;
		snprintf(line, sizeof line, "%.*s", (int)(nl - p - rest),
			 p + rest);
		d = strstr(line, " dirty=");
		if (d && strstr(line, " anon=")) {
			after = strchr(d + 1, ' ');
			if (after)
				memmove(d, after, strlen(after) + 1);
			else
				*d = '\0';
		}
		diff_append(out, cap, "  %s numa W+%#lx %s\n", tag, start - WIN,
			    line);
	}
}

/* The Shared_Hugetlb and Private_Hugetlb lines of smaps_rollup (of all
 * the process's memory: the host's child has no other huge pages). */
static void report_rollup(char *out, size_t cap, const char *tag,
			  const char *text)
{
	static const char *const keys[] = { "Shared_Hugetlb:",
					    "Private_Hugetlb:" };
	const char *p;
	size_t k;

	for (k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		p = text ? strstr(text, keys[k]) : NULL;
		diff_append(out, cap, "  %s rollup %s %ld\n", tag, keys[k],
			    p ? strtol(p + strlen(keys[k]), NULL, 10) : -1L);
	}
}

/* pagemap's bits (fs/proc/task_mmu.c) */
#define PM_PFN(e) ((e) & ((1ULL << 55) - 1))
#define PM_EXCLUSIVE (1ULL << 56)
#define PM_FILE (1ULL << 61)
#define PM_SWAP (1ULL << 62)
#define PM_PRESENT (1ULL << 63)

/* The pagemap entry of @addr (0 if it cannot be read). */
typedef uint64_t pagemap_get_t(void *ctx, unsigned long addr);

/* The first pfn of each huge page of the window in the process's
 * pagemap, for its child's to be compared with (0: none). */
static uint64_t parent_pfn[WIN_HPAGES];

/*
 * The pagemap entries of the window's huge pages, each from the entries
 * of its first and last base page: present, file (shared memory), mapped
 * once (exclusive), swap; "+511" if the last one's pfn is the first's
 * plus 511, as one huge page maps them; for the child, "=P" where its
 * page is the process's. Not the soft-dirty bit, nor pfns themselves.
 */
static void report_pagemap(char *out, size_t cap, const char *tag,
			   pagemap_get_t *get, void *ctx)
{
	bool child = !strcmp(tag, "C");
	unsigned long k;

	diff_append(out, cap, "  %s pagemap", tag);
	for (k = 0; k < WIN_HPAGES; k++) {
		uint64_t first = get(ctx, H(k)),
			 last = get(ctx, H(k) + HP - PG);

		if (!child)
			parent_pfn[k] = first & PM_PRESENT ? PM_PFN(first) : 0;
		if (!first && !last)
			continue;
		diff_append(out, cap, " %lu:%s%s%s%s%s%s", k,
			    first & PM_PRESENT ? "p" : "",
			    first & PM_FILE ? "f" : "",
			    first & PM_EXCLUSIVE ? "x" : "",
			    first & PM_SWAP ? "s" : "",
			    (first & last & PM_PRESENT) &&
					    PM_PFN(last) ==
						    PM_PFN(first) + 511 ?
				    "+511" :
				    "",
			    child && (first & PM_PRESENT) && parent_pfn[k] &&
					    PM_PFN(first) == parent_pfn[k] ?
				    "=P" :
				    "");
	}
	diff_append(out, cap, "\n");
}

static uint64_t host_pagemap_get(void *ctx, unsigned long addr)
{
	uint64_t e = 0;

	if (pread(*(int *)ctx, &e, sizeof e, (off_t)(addr / PG * sizeof e)) !=
	    (ssize_t)sizeof e)
		return 0;
	return e;
}

struct sim_pagemap {
	struct mmk_machine *m;
	char path[32];
};

static uint64_t sim_pagemap_get(void *ctx, unsigned long addr)
{
	struct sim_pagemap *pm = ctx;
	uint64_t e = 0;

	if (mmk_proc_pread(pm->m, pm->path, &e, sizeof e,
			   addr / PG * sizeof e) != (long)sizeof e)
		return 0;
	return e;
}

/* The HugetlbPages line of a status text, as it is. */
static void report_status(char *out, size_t cap, const char *tag,
			  const char *status)
{
	const char *p = status ? strstr(status, "\nHugetlbPages:") : NULL;
	const char *nl;

	if (!p) {
		diff_append(out, cap, "  %s no HugetlbPages line\n", tag);
		return;
	}
	p++;
	nl = strchr(p, '\n');
	diff_append(out, cap, "  %s %.*s\n", tag,
		    (int)(nl ? nl - p : (long)strlen(p)), p);
}

/* ---- the steps ---- */

static long host_base[4], sim_base[4], host_buddy[2], sim_buddy[2];

static void host_child_init(void)
{
	char *meminfo = mmk_test_slurp("/proc/meminfo");

	pool_counts(meminfo, host_base);
	free(meminfo);
	meminfo = mmk_test_slurp("/proc/vmstat");
	buddy_counts(meminfo, host_buddy);
	free(meminfo);
	host_nr_base = diff_read_long(NR_HUGEPAGES);
	kid_pid = 0;
	/* A write to the pipe of a child a fault killed is EPIPE. */
	signal(SIGPIPE, SIG_IGN);
}

static void host_report_mm(char *out, size_t cap, const char *tag, pid_t pid)
{
	char path[64], *text;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/smaps", (int)pid);
	text = mmk_test_slurp(path);
	report_smaps(out, cap, tag, text);
	free(text);
	snprintf(path, sizeof path, "/proc/%d/numa_maps", (int)pid);
	text = mmk_test_slurp(path);
	report_numa_maps(out, cap, tag, text);
	free(text);
	snprintf(path, sizeof path, "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY);
	report_pagemap(out, cap, tag, host_pagemap_get, &fd);
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
	text = mmk_test_slurp(path);
	report_rollup(out, cap, tag, text);
	free(text);
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	text = mmk_test_slurp(path);
	report_status(out, cap, tag, text);
	free(text);
}

static void host_step(const void *calls, int i, char *out, size_t cap)
{
	const struct call *c = &((const struct call *)calls)[i];
	char *meminfo;
	long r;

	if (c->op == OP_FORK)
		r = host_fork(calls);
	else if (c->op == OP_EXIT)
		r = host_reap_kid();
	else if (c->who)
		r = host_kid_call(i);
	else
		r = host_call(c, i);
	fmt_call(out, cap, c, r);
	meminfo = mmk_test_slurp("/proc/meminfo");
	report_pool(out, cap, meminfo, host_base);
	free(meminfo);
	meminfo = mmk_test_slurp("/proc/vmstat");
	report_buddy(out, cap, meminfo, host_buddy);
	free(meminfo);
	host_report_mm(out, cap, "P", getpid());
	if (kid_pid)
		host_report_mm(out, cap, "C", kid_pid);
	if (i == seq_len - 1 && kid_pid)
		host_reap_kid();
	if (i == seq_len - 1 && diff_read_long(NR_HUGEPAGES) != host_nr_base)
		diff_write_long(NR_HUGEPAGES, host_nr_base);
}

static void sim_report_mm(struct mmk_machine *m, char *out, size_t cap,
			  const char *tag, int pid)
{
	struct sim_pagemap pm;
	char path[64], *text;

	snprintf(path, sizeof path, "/proc/%d/smaps", pid);
	text = proc(m, path);
	report_smaps(out, cap, tag, text);
	free(text);
	snprintf(path, sizeof path, "/proc/%d/numa_maps", pid);
	text = proc(m, path);
	report_numa_maps(out, cap, tag, text);
	free(text);
	pm.m = m;
	snprintf(pm.path, sizeof pm.path, "/proc/%d/pagemap", pid);
	report_pagemap(out, cap, tag, sim_pagemap_get, &pm);
	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
	text = proc(m, path);
	report_rollup(out, cap, tag, text);
	free(text);
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	text = proc(m, path);
	report_status(out, cap, tag, text);
	free(text);
}

static void sim_step(struct mmk_machine *m, const void *calls, int i, char *out,
		     size_t cap)
{
	const struct call *c = &((const struct call *)calls)[i];
	char *meminfo;
	long r;

	if (i == 0) {
		meminfo = proc(m, "/proc/meminfo");
		pool_counts(meminfo, sim_base);
		free(meminfo);
		meminfo = proc(m, "/proc/vmstat");
		buddy_counts(meminfo, sim_buddy);
		free(meminfo);
		sim_kid = sim_nr_changed = false;
	}
	r = c->who && !sim_kid ? -ESRCH : sim_call(c, i);
	fmt_call(out, cap, c, r);
	meminfo = proc(m, "/proc/meminfo");
	report_pool(out, cap, meminfo, sim_base);
	free(meminfo);
	meminfo = proc(m, "/proc/vmstat");
	report_buddy(out, cap, meminfo, sim_buddy);
	free(meminfo);
	sim_report_mm(m, out, cap, "P", 1);
	if (sim_kid)
		sim_report_mm(m, out, cap, "C", KID);
	if (i == seq_len - 1 && sim_kid) {
		sim_kid = false;
		assert_int_equal(mmk_exit(KID), 0);
	}
	if (i == seq_len - 1 && sim_nr_changed)
		assert_int_equal(mmk_set_nr_hugepages(-1, POOL), 0);
}

static void host_pool_now(long v[4]);
static bool host_pool_fit(void);

/*
 * Whether a pool line of the host's report has more pages in use than
 * the pool has. The free pages of reservations leaked on the host (see
 * the top) are free pages Linux may hand out while HugePages_Rsvd is
 * below them: after __unmap_hugepage_range() gave back the reservation
 * of a page a fork child still maps (on a host without such leftovers
 * the counter wraps, and no page is there to take). What a host without
 * them would do is then unknown.
 */
static bool host_overdrew(const char *host)
{
	const char *p;
	long total, free_;

	for (p = strstr(host, "  pool total "); p;
	     p = strstr(p + 1, "  pool total "))
		if (sscanf(p, "  pool total %ld free %ld", &total, &free_) ==
			    2 &&
		    free_ < -(long)POOL)
			return true;
	return false;
}

/*
 * diff_compare(), with a look at the host's pool once its processes are
 * gone: their reservations should be too. Where the kernel leaked some,
 * the pool grows by them, so that later sequences start from POOL free
 * unreserved pages again. Whether the reports are equal.
 */
static bool compare_ok(struct mmk_machine *m, const void *calls, int n,
		       const char *what)
{
	char *host = calloc(1, DIFF_REPORT_CAP),
	     *sim = calloc(1, DIFF_REPORT_CAP), *meminfo;
	long before[4], after[4];
	bool checked = true, ok;
	char why[512];
	int i;

	assert_non_null(host);
	assert_non_null(sim);
	seq_len = n;
	host_pool_now(before);
	assert_true(diff_run_host(host_step, calls, n, host_child_init, host));
	host_pool_now(after);
	if (memcmp(before, after, sizeof before)) {
		fprintf(stderr,
			"%s: the host kernel's pool changed across it: total "
			"%+ld free %+ld rsvd %+ld surp %+ld\n",
			what, after[0] - before[0], after[1] - before[1],
			after[2] - before[2], after[3] - before[3]);
		assert_true(host_pool_fit());
	}
	if (host_overdrew(host)) {
		fprintf(stderr,
			"%s: not compared: the host kernel used more than the "
			"pool's %lu pages (free pages of reservations leaked "
			"on it, while its HugePages_Rsvd was below them)\n",
			what, POOL);
		free(host);
		free(sim);
		return true;
	}
	meminfo = proc(m, "/proc/meminfo");
	pool_counts(meminfo, before);
	free(meminfo);
	assert_int_equal(mmk_spawn(1, false), 0);
	for (i = 0; i < n; i++) {
		sim_step(m, calls, i, sim, DIFF_REPORT_CAP);
		/* A broken invariant ends mmkit's run, shown in its report
		 * where the reports are compared. */
		if (mmk_check(m, why, sizeof why)) {
			diff_append(sim, DIFF_REPORT_CAP,
				    "mmk_check() failed: %s\n", why);
			checked = false;
			break;
		}
	}
	if (sim_kid)
		mmk_exit(KID);
	if (sim_nr_changed && !checked)
		mmk_set_nr_hugepages(-1, POOL);
	sim_kid = sim_nr_changed = false;
	if (checked)
		assert_int_equal(mmk_exit(1), 0);
	else
		mmk_exit(1);
	ok = diff_reports_equal(host, sim, what, false) && checked;
	/* mmkit's processes are gone: so must their reservations be, even
	 * where the host kernel leaked some. */
	meminfo = proc(m, "/proc/meminfo");
	pool_counts(meminfo, after);
	free(meminfo);
	if (checked && memcmp(before, after, sizeof before)) {
		fprintf(stderr,
			"%s: mmkit's pool changed across it: total %+ld free "
			"%+ld rsvd %+ld surp %+ld\n",
			what, after[0] - before[0], after[1] - before[1],
			after[2] - before[2], after[3] - before[3]);
		ok = false;
	}
	free(host);
	free(sim);
	return ok;
}

static void compare(struct mmk_machine *m, const void *calls, int n,
		    const char *what)
{
	if (!compare_ok(m, calls, n, what))
		fail_msg("%s: mmkit differs from the host kernel", what);
}

/* ---- the host's pool ---- */

static bool host_ok;
static long old_nr = -1, old_overcommit = -1;

static void host_pool_now(long v[4])
{
	char *meminfo = mmk_test_slurp("/proc/meminfo");

	pool_counts(meminfo, v);
	free(meminfo);
}

static void host_pool_restore(void)
{
	if (old_nr >= 0)
		diff_write_long(NR_HUGEPAGES, old_nr);
	if (old_overcommit >= 0)
		diff_write_long(NR_OVERCOMMIT, old_overcommit);
	old_nr = old_overcommit = -1;
}

/*
 * POOL free unreserved pages on the host, none to overcommit: the pool
 * grows by what other processes use and what other reservations (leaked
 * ones too: see the top) hold of it. Growing the pool to its total first
 * makes its surplus pages persistent, without adding free pages.
 */
static bool host_pool_fit(void)
{
	long v[4], avail, nr;
	int tries;

	for (tries = 0; tries < 4; tries++) {
		host_pool_now(v);
		avail = v[1] - v[2];
		if (avail == (long)POOL)
			return true;
		nr = avail < (long)POOL ? v[0] + (long)POOL - avail :
					  diff_read_long(NR_HUGEPAGES) -
						  (avail - (long)POOL);
		if (nr < 0 || !diff_write_long(NR_HUGEPAGES, nr))
			return false;
	}
	return false;
}

static bool host_pool_setup(void)
{
	if (geteuid() != 0 || access(NR_HUGEPAGES, W_OK) ||
	    access(NR_OVERCOMMIT, W_OK))
		return false;
	old_nr = diff_read_long(NR_HUGEPAGES);
	old_overcommit = diff_read_long(NR_OVERCOMMIT);
	if (old_nr >= 0 && old_overcommit >= 0 &&
	    diff_write_long(NR_OVERCOMMIT, 0) && host_pool_fit())
		return true;
	host_pool_restore();
	return false;
}

/* Held while the test runs: another run of it (another build's, say)
 * waits, rather than resize the host's pool under this one. */
#define LOCK_PATH "/tmp/mmkit-hugetlb_diff_test.lock"

static int group_setup(void **state)
{
	int lock;

	(void)state;
	lock = geteuid() == 0 ? open(LOCK_PATH, O_RDWR | O_CREAT, 0600) : -1;
	if (lock >= 0 && flock(lock, LOCK_EX)) {
		close(lock);
		lock = -1;
	}
	host_ok = lock >= 0 && diff_window_free(WIN, WIN_HPAGES * HP) &&
		  host_pool_setup();
	/* Should the test end without its teardown, the host's pool is put
	 * back all the same. */
	if (host_ok)
		atexit(host_pool_restore);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	host_pool_restore();
	return 0;
}

static struct mmk_machine *boot_pool(void **state)
{
	struct mmk_machine *m;

	m = mmk_test_boot(MMK_ARCH_X86_64, 256ULL << 20, 1, 1, true);
	*state = m;
	assert_int_equal(mmk_set_nr_hugepages(-1, POOL), 0);
	assert_int_equal(meminfo_kb(m, "HugePages_Free"), POOL);
	return m;
}

/* ---- sequences ---- */

/* A call: op, who (0, 1: the child), addr, len, prot, flags, len2, addr2. */
#define CALL(o, w, a, l, p, fl, l2, a2)                   \
	{                                                 \
		(o), (w), (a), (l), (p), (fl), (l2), (a2) \
	}
#define MMAP(a, l, fl) CALL(OP_MMAP, 0, a, l, RW, fl, 0, 0)
#define MUNMAP(a, l) CALL(OP_MUNMAP, 0, a, l, 0, 0, 0, 0)
#define MPROTECT(a, l, p) CALL(OP_MPROTECT, 0, a, l, p, 0, 0, 0)
#define MADVISE(a, l, adv) CALL(OP_MADVISE, 0, a, l, 0, adv, 0, 0)
#define MLOCK(a, l) CALL(OP_MLOCK, 0, a, l, 0, 0, 0, 0)
#define MUNLOCK(a, l) CALL(OP_MUNLOCK, 0, a, l, 0, 0, 0, 0)
#define MREMAP(a, l, l2, fl, a2) CALL(OP_MREMAP, 0, a, l, 0, fl, l2, a2)
#define READ(a) CALL(OP_READ, 0, a, 0, 0, 0, 0, 0)
#define WRITE(a) CALL(OP_WRITE, 0, a, 0, 0, 0, 0, 0)
#define C_READ(a) CALL(OP_READ, 1, a, 0, 0, 0, 0, 0)
#define C_WRITE(a) CALL(OP_WRITE, 1, a, 0, 0, 0, 0, 0)
#define C_MUNMAP(a, l) CALL(OP_MUNMAP, 1, a, l, 0, 0, 0, 0)
#define FORK CALL(OP_FORK, 0, 0, 0, 0, 0, 0, 0)
#define EXIT CALL(OP_EXIT, 1, 0, 0, 0, 0, 0, 0)
#define SETNR(n) CALL(OP_SETNR, 0, 0, n, 0, 0, 0, 0)
#define RUN(seq, what) compare(m, seq, (int)(sizeof seq / sizeof seq[0]), what)

/* mmap: reservations, the pool's limit, alignment and rounding. */
static void test_mmap(void **state)
{
	const struct call seq[] = {
		MMAP(H(0), HP, PRIV),
		MMAP(H(2), 3 * HP, PRIV),
		/* More than the pool, or than it has unreserved: ENOMEM. */
		MMAP(H(6), 9 * HP, PRIV),
		MMAP(H(6), 9 * HP, SHRD),
		MMAP(H(6), 5 * HP, PRIV),
		/* An unaligned MAP_FIXED address: EINVAL, nothing unmapped. */
		MMAP(H(0) + PG, HP, PRIV),
		MMAP(H(2) + PG, HP, PRIV),
		MMAP(H(7) + PG, HP, MAP_PRIVATE | HT | MAP_FIXED_NOREPLACE),
		MMAP(H(2), HP, MAP_PRIVATE | HT | MAP_FIXED_NOREPLACE),
		/* A hint: aligned up, taken if free. */
		MMAP(H(0) + 5 * PG, HP, MAP_PRIVATE | HT),
		/* A length rounded up to whole huge pages. */
		MMAP(H(6), HP + PG, PRIV),
		MMAP(H(8), HP, PRIV | X_MAP_HUGE_2MB),
		/* All reserved now: a reservation fails, MAP_NORESERVE
		 * maps, and its fault finds no page. */
		MMAP(H(9), HP, PRIV),
		MMAP(H(9), HP, PRIV | MAP_NORESERVE),
		WRITE(H(9)),
		READ(H(9) + 8),
		WRITE(H(0)),
		READ(H(0)),
		WRITE(H(1) + 3 * PG),
		READ(H(1) + HP - 8),
		MUNMAP(H(2), 3 * HP),
		WRITE(H(9)),
		READ(H(9)),
		/* Shared memory, populated and locked mappings. */
		MMAP(H(12), HP, SHRD),
		WRITE(H(12) + 16),
		READ(H(12) + 16),
		READ(H(13)),
		MUNMAP(H(6), 2 * HP),
		MMAP(H(10), HP, PRIV | MAP_POPULATE),
		MMAP(H(11), HP, PRIV | MAP_LOCKED),
		MMAP(H(14), 2 * HP, SHRD | MAP_NORESERVE),
		WRITE(H(14)),
		WRITE(H(15)),
		/* MAP_FIXED over a shared mapping with a page: the old file
		 * goes only when mmap returns, so its page still counts when
		 * the new mapping reserves: ENOMEM, and a hole. */
		MMAP(H(12), HP, PRIV),
		READ(H(12) + 16),
		READ(H(13) + 16),
		MUNMAP(H(0), 16 * HP),
		MMAP(H(0), 8 * HP, SHRD),
		MMAP(H(8), 8 * HP, PRIV | MAP_NORESERVE),
		MADVISE(H(8), 8 * HP, MADV_POPULATE_WRITE),
		MUNMAP(H(0), 16 * HP),
		/* A shared file keeps the reservations of pages no longer
		 * mapped, until its last mapping goes. */
		MMAP(H(0), 4 * HP, SHRD),
		WRITE(H(3)),
		MUNMAP(H(1), 2 * HP),
		MMAP(H(1), 2 * HP, PRIV),
		MMAP(H(8), 3 * HP, PRIV),
		MUNMAP(H(3), HP),
		MMAP(H(8), 3 * HP, PRIV),
		MUNMAP(H(0), HP),
		MMAP(H(8), 3 * HP, PRIV),
		MUNMAP(H(0), 16 * HP),
		/* A shared page only read (numa_maps counts it dirty). */
		MMAP(H(0), 2 * HP, SHRD),
		READ(H(0)),
		WRITE(H(1)),
		MUNMAP(H(0), 16 * HP),
		/* Where the kernel likes: away from the window, aligned. */
		MMAP(0, 3 * HP, MAP_PRIVATE | HT),
		MMAP(0, HP + PG, MAP_SHARED | HT),
	};
	struct mmk_machine *m;

	if (!host_ok)
		skip();
	m = boot_pool(state);
	RUN(seq, "mmap");
}

/* munmap, mprotect, madvise and mlock: splits at huge page boundaries
 * only. */
static void test_split(void **state)
{
	const struct call seq[] = {
		MMAP(H(0), 4 * HP, PRIV),
		WRITE(H(0)),
		WRITE(H(1)),
		WRITE(H(3) + 8),
		MUNMAP(H(0) + PG, HP),
		MUNMAP(H(1), PG),
		MUNMAP(H(1), HP + PG),
		MUNMAP(H(1), HP),
		/*
		 * huge page   0     1     2     3
		 *           [rw-p]     [rw-p  rw-p ]  offsets 0, 0x400000
		 */
		READ(H(1)),
		MPROTECT(H(2) + PG, HP, PROT_READ),
		MPROTECT(H(2), PG, PROT_READ),
		MPROTECT(H(2), HP + PG, PROT_READ),
		MPROTECT(H(2), HP, PROT_READ),
		WRITE(H(2)),
		READ(H(2)),
		MPROTECT(H(3), HP, PROT_NONE),
		READ(H(3) + 8),
		MPROTECT(H(3), HP, RW),
		READ(H(3) + 8),
		MPROTECT(H(2), 2 * HP, RW),
		/*
		 * huge page   0     1     2     3
		 *           [rw-p]     [rw-p][rw-p]   no merging back ("de")
		 */
		WRITE(H(2)),
		/* madvise on another mapping. */
		MMAP(H(8), 4 * HP, PRIV),
		WRITE(H(8)),
		WRITE(H(9)),
		WRITE(H(10)),
		MADVISE(H(8) + PG, HP, MADV_DONTNEED),
		MADVISE(H(8), HP + PG, MADV_DONTNEED),
		READ(H(8)),
		READ(H(9)),
		MADVISE(H(10), PG, MADV_DONTNEED),
		READ(H(10)),
		MADVISE(H(10), HP, MADV_DONTNEED),
		READ(H(10)),
		MADVISE(H(8), HP, MADV_FREE),
		MADVISE(H(8), 4 * HP, MADV_WILLNEED),
		MADVISE(H(8), 4 * HP, MADV_POPULATE_READ),
		MADVISE(H(8), 4 * HP, MADV_POPULATE_WRITE),
		MADVISE(H(9), HP, MADV_DONTFORK),
		MADVISE(H(9) + PG, HP, MADV_DOFORK),
		MADVISE(H(9), HP, MADV_DOFORK),
		MADVISE(H(8), 4 * HP, MADV_DONTNEED),
		/* mlock: 0, but no VM_LOCKED; it faults the pages in. */
		MLOCK(H(8), 4 * HP),
		MLOCK(H(8) + PG, PG),
		MUNLOCK(H(8), 4 * HP),
		MLOCK(H(0), 4 * HP),
		MUNMAP(H(0), 16 * HP),
		/* MADV_REMOVE: shared memory only; it punches a hole in
		 * the file, freeing its pages. */
		MMAP(H(8), HP, PRIV),
		MADVISE(H(8), HP, MADV_REMOVE),
		MMAP(H(12), 3 * HP, SHRD),
		WRITE(H(12)),
		WRITE(H(13)),
		MADVISE(H(12), 2 * HP, MADV_REMOVE),
		READ(H(12)),
		MADVISE(H(13) + PG, HP, MADV_REMOVE),
		MADVISE(H(14), PG, MADV_REMOVE),
		/* A hole where no page is: its reservation stays. */
		MADVISE(H(14), HP, MADV_REMOVE),
		READ(H(14)),
		MUNMAP(H(12), 3 * HP),
		MUNMAP(H(0), 16 * HP),
	};
	struct mmk_machine *m;

	if (!host_ok)
		skip();
	m = boot_pool(state);
	RUN(seq, "split");
}

/* Advice that sets or clears VMA flags, and advice a hugetlb VMA
 * refuses. */
static void test_advice(void **state)
{
	const struct call seq[] = {
		MMAP(H(0), 2 * HP, PRIV),
		WRITE(H(0)),
		MMAP(H(4), 2 * HP, SHRD),
		WRITE(H(4)),
		MADVISE(H(0), HP, MADV_RANDOM),
		MADVISE(H(0), HP, MADV_SEQUENTIAL),
		MADVISE(H(0), HP, MADV_NORMAL),
		MADVISE(H(0), HP, MADV_DONTDUMP),
		MADVISE(H(4), 2 * HP, MADV_DONTDUMP),
		MADVISE(H(0), HP, MADV_WIPEONFORK),
		MADVISE(H(0), HP, MADV_KEEPONFORK),
		MADVISE(H(0), HP, MADV_COLD),
		MADVISE(H(0), HP, MADV_PAGEOUT),
		MADVISE(H(0), HP, MADV_HUGEPAGE),
		MADVISE(H(0), HP, MADV_NOHUGEPAGE),
		MADVISE(H(0), HP, MADV_MERGEABLE),
		MADVISE(H(0), HP, MADV_UNMERGEABLE),
		MADVISE(H(0), HP, MADV_DONTNEED_LOCKED),
		MADVISE(H(0), HP, MADV_GUARD_INSTALL),
		MADVISE(H(0), HP, MADV_GUARD_REMOVE),
		READ(H(0)),
		MADVISE(H(4), HP, MADV_DODUMP),
		MADVISE(H(0), 2 * HP, MADV_DODUMP),
		FORK,
		C_READ(H(4)),
		C_READ(H(1)),
		EXIT,
		MUNMAP(H(0), 16 * HP),
	};
	struct mmk_machine *m;

	if (!host_ok)
		skip();
	m = boot_pool(state);
	RUN(seq, "advice");
}

/* mmap flags and protections besides the usual ones. */
static void test_flags(void **state)
{
	const struct call seq[] = {
		MMAP(H(0), HP, PRIV | MAP_GROWSDOWN),
		MMAP(H(0), HP, MAP_SHARED_VALIDATE | HT | MAP_FIXED),
		MMAP(H(2), HP, PRIV | MAP_STACK),
		MMAP(H(3), HP, PRIV | (20UL << 26)),
		MMAP(H(3), HP, PRIV | X_MAP_HUGE_2MB | MAP_NORESERVE),
		/* Protections: none, then read-write; execute. */
		CALL(OP_MMAP, 0, H(4), 2 * HP, PROT_NONE, PRIV, 0, 0),
		READ(H(4)),
		MPROTECT(H(4), HP, PROT_READ | PROT_WRITE | PROT_EXEC),
		WRITE(H(4)),
		READ(H(4)),
		READ(H(5)),
		CALL(OP_MMAP, 0, H(6), HP, PROT_READ | PROT_EXEC, SHRD, 0, 0),
		READ(H(6)),
		WRITE(H(6)),
		CALL(OP_MMAP, 0, H(7), HP, PROT_WRITE, PRIV, 0, 0),
		WRITE(H(7)),
		READ(H(7)),
		MPROTECT(H(0), 8 * HP, PROT_READ),
		MPROTECT(H(0), 16 * HP, RW),
		MUNMAP(H(0), 16 * HP),
	};
	struct mmk_machine *m;

	if (!host_ok)
		skip();
	m = boot_pool(state);
	RUN(seq, "flags");
}

/* mremap: shrink in place, no growing, moves that keep the data. */
static void test_mremap(void **state)
{
	const unsigned long mf = MREMAP_MAYMOVE | MREMAP_FIXED;
	const struct call seq[] = {
		MMAP(H(0), 4 * HP, PRIV),
		WRITE(H(0)),
		WRITE(H(1) + 8),
		WRITE(H(3)),
		/* Shrink; grow: EINVAL. */
		MREMAP(H(0), 4 * HP, 2 * HP, 0, 0),
		MREMAP(H(0), 2 * HP, 3 * HP, 0, 0),
		MREMAP(H(0), 2 * HP, 3 * HP, MREMAP_MAYMOVE, 0),
		MREMAP(H(0), 2 * HP, HP + PG, 0, 0),
		MREMAP(H(0) + PG, HP, HP, 0, 0),
		/* Moves: the data goes along.
		 * huge page   0 ..  7     8     9
		 *                        [rw-p  rw-p ]   from 0 */
		MREMAP(H(0), 2 * HP, 2 * HP, mf, H(8)),
		READ(H(8)),
		READ(H(9) + 8),
		READ(H(0)),
		MREMAP(H(8), 2 * HP, 2 * HP, mf, H(4) + PG),
		MREMAP(H(8), 2 * HP, 2 * HP, mf, H(9)),
		/* Part of a private mapping moves: all its pages have been
		 * written (see the top about unconsumed reservations). */
		MREMAP(H(9), HP, HP, mf, H(12)),
		/* huge page   8     9 .. 11   12
		 *           [rw-p]           [rw-p]  offset 0x200000 */
		READ(H(12) + 8),
		MREMAP(H(12), HP, HP, mf | MREMAP_DONTUNMAP, H(14)),
		MREMAP(H(12), HP + PG, HP + PG, mf, H(14)),
		MREMAP(H(8), HP, HP / 2, 0, 0),
		/* A shared mapping moves too. */
		MMAP(H(2), 2 * HP, SHRD),
		WRITE(H(3) + 24),
		MREMAP(H(2), 2 * HP, 2 * HP, mf, H(4)),
		READ(H(5) + 24),
		MREMAP(H(4), 2 * HP, HP, 0, 0),
		MUNMAP(H(0), 16 * HP),
	};
	struct mmk_machine *m;

	if (!host_ok)
		skip();
	m = boot_pool(state);
	RUN(seq, "mremap");
}

/* fork: copy-on-write of private pages, shared pages, MADV_DONTFORK. */
static void test_fork(void **state)
{
	const struct call seq[] = {
		MMAP(H(0), 2 * HP, PRIV),
		MMAP(H(4), HP, SHRD),
		MMAP(H(6), HP, PRIV),
		WRITE(H(0)),
		WRITE(H(4)),
		WRITE(H(6)),
		MADVISE(H(6), HP, MADV_DONTFORK),
		FORK,
		C_READ(H(0)),
		C_WRITE(H(0)),
		C_READ(H(0)),
		READ(H(0)),
		WRITE(H(0)),
		READ(H(0)),
		C_READ(H(4)),
		C_WRITE(H(4) + 8),
		READ(H(4) + 8),
		WRITE(H(4) + 16),
		C_READ(H(4) + 16),
		/* Not populated in the parent: the child's own page. */
		C_READ(H(1)),
		C_READ(H(6)),
		READ(H(6)),
		EXIT,
		READ(H(0)),
		WRITE(H(1)),
		/* Another child, which goes with the sequence's end. */
		FORK,
		C_WRITE(H(1) + 8),
		READ(H(1) + 8),
		MUNMAP(H(0), 2 * HP),
		C_READ(H(0)),
		EXIT,
		READ(H(4)),
	};
	struct mmk_machine *m;

	if (!host_ok)
		skip();
	m = boot_pool(state);
	RUN(seq, "fork");
}

/* fork with the pool used up: the child's copy-on-write is SIGBUS; the
 * parent's takes the page from the child, whose next fault there is
 * SIGBUS. */
static void test_fork_exhausted(void **state)
{
	const struct call seq[] = {
		MMAP(H(0), 6 * HP, PRIV),
		MMAP(H(8), 2 * HP, SHRD),
		WRITE(H(0)),
		WRITE(H(1)),
		WRITE(H(2)),
		WRITE(H(3)),
		WRITE(H(4)),
		WRITE(H(5)),
		WRITE(H(8)),
		WRITE(H(9)),
		FORK,
		C_READ(H(0)),
		C_WRITE(H(0)),
		C_READ(H(0)),
		C_READ(H(1)),
		WRITE(H(1)),
		READ(H(1)),
		C_READ(H(1)),
		C_WRITE(H(1)),
		C_READ(H(2)),
		C_WRITE(H(8) + 8),
		READ(H(8) + 8),
		/* Page 5 is free when both have unmapped it. */
		MUNMAP(H(5), HP),
		C_MUNMAP(H(5), HP),
		C_WRITE(H(2)),
		C_READ(H(2)),
		READ(H(2)),
		EXIT,
		WRITE(H(3)),
		READ(H(3)),
		/* The child of a MAP_NORESERVE mapping with no page left. */
		MUNMAP(H(0), 16 * HP),
		MMAP(H(0), 8 * HP, PRIV),
		MMAP(H(8), 2 * HP, SHRD | MAP_NORESERVE),
		FORK,
		C_READ(H(8)),
		C_WRITE(H(0)),
		WRITE(H(0)),
		C_READ(H(0)),
		READ(H(8)),
	};
	struct mmk_machine *m;

	if (!host_ok)
		skip();
	m = boot_pool(state);
	RUN(seq, "fork with the pool used up");
}

/*
 * vm.nr_overcommit_hugepages 2 (on both sides, for this sequence):
 * reservations and faults take surplus pages from the page allocator
 * beyond the pool, and give them back when they end.
 */
static void test_overcommit(void **state)
{
	const struct call seq[] = {
		MMAP(H(0), 9 * HP, PRIV),
		MMAP(H(9), HP, PRIV),
		MMAP(H(10), HP, PRIV | MAP_NORESERVE),
		WRITE(H(10)),
		WRITE(H(0)),
		WRITE(H(8)),
		WRITE(H(9)),
		MUNMAP(H(9), HP),
		WRITE(H(10)),
		MMAP(H(11), 2 * HP, SHRD | MAP_NORESERVE),
		WRITE(H(11)),
		MUNMAP(H(0), 9 * HP),
		WRITE(H(12)),
		READ(H(11)),
		FORK,
		C_WRITE(H(10)),
		C_READ(H(12)),
		MADVISE(H(10), HP, MADV_DONTNEED),
		EXIT,
		MUNMAP(H(0), 16 * HP),
		MMAP(H(0), 10 * HP, SHRD),
		MMAP(H(10), HP, SHRD),
		MADVISE(H(0), 10 * HP, MADV_POPULATE_WRITE),
		MUNMAP(H(2), 2 * HP),
		MUNMAP(H(0), 16 * HP),
	};
	/* A reservation the overcommit cannot cover fails, and gives
	 * back only the surplus pages it took itself. */
	const struct call seq2[] = {
		MMAP(H(0), 9 * HP, PRIV),
		MMAP(H(9), 2 * HP, PRIV),
		MMAP(H(9), 2 * HP, SHRD),
		MMAP(H(9), HP, PRIV),
		WRITE(H(9)),
		MMAP(H(10), HP, SHRD),
		MUNMAP(H(0), HP),
		MMAP(H(10), HP, SHRD),
		MUNMAP(H(0), 16 * HP),
	};
	/* With surplus pages, unmapping a private page a fork child
	 * still maps gives its reservation back no more (Linux decides
	 * before the pages the unmap frees are freed). */
	const struct call seq3[] = {
		MMAP(H(0), 4 * HP, PRIV),
		WRITE(H(3)),
		FORK,
		MMAP(H(8), 5 * HP, SHRD),
		WRITE(H(1)),
		MUNMAP(H(0), 4 * HP),
		EXIT,
		MUNMAP(H(0), 16 * HP),
	};
	struct mmk_machine *m;
	int failed = 0;

	if (!host_ok)
		skip();
	m = boot_pool(state);
	assert_true(diff_write_long(NR_OVERCOMMIT, 2));
	assert_int_equal(mmk_set_nr_overcommit_hugepages(2), 0);
	failed += !compare_ok(m, seq, (int)(sizeof seq / sizeof seq[0]),
			      "overcommit");
	failed += !compare_ok(m, seq2, (int)(sizeof seq2 / sizeof seq2[0]),
			      "overcommit, a reservation too many");
	failed += !compare_ok(m, seq3, (int)(sizeof seq3 / sizeof seq3[0]),
			      "overcommit, a child's page unmapped");
	if (failed)
		fail_msg("overcommit: %d sequences differ", failed);
}

/*
 * vm.nr_hugepages changed while pages are in use: a smaller pool frees
 * free pages but keeps the reserved and used ones, the used ones beyond
 * it becoming surplus pages (freed when they are); a bigger one turns
 * surplus pages back into persistent ones first.
 */
static void test_resize(void **state)
{
	const struct call seq[] = {
		MMAP(H(0), 4 * HP, PRIV),
		WRITE(H(0)),
		WRITE(H(1)),
		SETNR(6),
		SETNR(2),
		SETNR(0),
		WRITE(H(2)),
		MUNMAP(H(1), HP),
		MMAP(H(4), HP, PRIV),
		MMAP(H(4), HP, PRIV | MAP_NORESERVE),
		WRITE(H(4)),
		SETNR(3),
		SETNR(8),
		MMAP(H(6), 4 * HP, SHRD),
		SETNR(12),
		MMAP(H(6), 8 * HP, SHRD),
		WRITE(H(7)),
		SETNR(4),
		MUNMAP(H(6), 8 * HP),
		WRITE(H(3)),
		FORK,
		C_WRITE(H(0)),
		EXIT,
		SETNR(1),
		MUNMAP(H(0), 16 * HP),
		SETNR(5),
	};
	struct mmk_machine *m;

	if (!host_ok)
		skip();
	m = boot_pool(state);
	RUN(seq, "resize");
}

/* The host's overcommit back to 0, whatever the test did. */
static int overcommit_teardown(void **state)
{
	diff_write_long(NR_OVERCOMMIT, 0);
	return mmk_test_teardown(state);
}

/*
 * Random sequences: a 4-page private mapping first, then calls on 1 to 4
 * huge pages of the window, a tenth at an unaligned address and a tenth
 * of an unaligned length: mmap (a third shared; MAP_NORESERVE,
 * MAP_POPULATE, MAP_LOCKED now and then), munmap, mprotect, madvise,
 * mlock and munlock, mremap (shrink, grow, move), fork and exit,
 * vm.nr_hugepages from 0 to 12 (while there is no child), and
 * loads and stores at a huge page's start, inside it or at its end (half
 * of them the child's while there is one, which also unmaps and advises
 * now and then).
 *
 * Linux 6.18 leaks the unconsumed reservations of a
 * private mapping when mremap() moves part of it (they stay in
 * HugePages_Rsvd after the process is gone: the pool's pages can never
 * be freed again), so only shared memory moves: private mappings stay
 * below SHARED_HP, and moves start at or above it, where mappings are
 * all shared (mremap() moves nothing there but what it found there).
 */
#define SHARED_HP 12UL

static void random_seq(uint64_t seed, void *calls, int n)
{
	static const unsigned long prots[] = { PROT_READ, RW, RW, PROT_NONE };
	static const unsigned long advice[] = {
		MADV_DONTNEED,	    MADV_DONTNEED,	 MADV_FREE,
		MADV_WILLNEED,	    MADV_DONTFORK,	 MADV_DOFORK,
		MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_REMOVE,
		MADV_REMOVE,	    MADV_DONTDUMP,	 MADV_COLD,
	};
	static const unsigned long offs[] = { 0, 3 * PG + 8, HP - 8 };
	struct call *c = calls;
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;
	bool kid = false;
	int i;

	c[0] = (struct call)MMAP(H(0), 4 * HP, PRIV);
	for (i = 1; i < n; i++) {
		struct call *x = &c[i];
		unsigned long k = diff_pick(&s, WIN_HPAGES),
			      pages = 1 + diff_pick(&s, 4), k2;

		if (k + pages > WIN_HPAGES)
			pages = WIN_HPAGES - k;
		memset(x, 0, sizeof(*x));
		x->addr = H(k);
		x->len = pages * HP;
		if (!diff_pick(&s, 10))
			x->addr += PG * (1 + diff_pick(&s, 511));
		else if (!diff_pick(&s, 10))
			x->len -= PG * (1 + diff_pick(&s, 511));
		x->prot = prots[diff_pick(&s, 4)];
		switch (diff_pick(&s, 21)) {
		case 0:
		case 1:
			x->op = OP_MMAP;
			x->prot = RW;
			x->flags = (diff_pick(&s, 3) && k + pages <= SHARED_HP ?
					    PRIV :
					    SHRD) |
				   (diff_pick(&s, 4) ? 0 : MAP_NORESERVE) |
				   (diff_pick(&s, 6) ? 0 : MAP_POPULATE) |
				   (diff_pick(&s, 10) ? 0 : MAP_LOCKED);
			break;
		case 2:
			x->op = OP_MUNMAP;
			break;
		case 3:
			x->op = OP_MPROTECT;
			break;
		case 4:
		case 5:
			x->op = OP_MADVISE;
			x->flags = advice[diff_pick(
				&s, sizeof advice / sizeof advice[0])];
			break;
		case 6:
			x->op = diff_pick(&s, 2) ? OP_MLOCK : OP_MUNLOCK;
			break;
		case 7:
		case 8:
			x->op = OP_MREMAP;
			switch (diff_pick(&s, 4)) {
			case 0: /* shrink */
				x->len2 = x->len - HP * diff_pick(&s, pages);
				break;
			case 1: /* grow */
				x->len2 = x->len + HP;
				x->flags = MREMAP_MAYMOVE;
				break;
			default: /* move, of shared memory */
				k = SHARED_HP +
				    diff_pick(&s, WIN_HPAGES - SHARED_HP);
				pages = pages < WIN_HPAGES - k ? pages :
								 WIN_HPAGES - k;
				x->addr = H(k);
				x->len = pages * HP;
				x->len2 = x->len;
				x->flags = MREMAP_MAYMOVE | MREMAP_FIXED;
				k2 = diff_pick(&s, WIN_HPAGES - pages + 1);
				x->addr2 = H(k2);
				if (!diff_pick(&s, 6))
					x->addr2 += PG;
				break;
			}
			break;
		case 9:
			if (kid) {
				x->op = OP_EXIT;
				x->who = 1;
				kid = false;
			} else {
				x->op = OP_FORK;
				kid = true;
			}
			break;
		case 10:
			/* Not while a child maps pages: the host's
			 * HugePages_Rsvd may be below its leaked
			 * reservations then (see host_overdrew()), and how
			 * far the pool shrinks depends on them. */
			if (!kid) {
				static const unsigned long nr[] = { 0, 2,  4, 6,
								    8, 10, 12 };

				x->op = OP_SETNR;
				x->len = nr[diff_pick(&s, 7)];
				break;
			}
			x->op = OP_READ;
			x->addr = H(k);
			break;
		default:
			x->op = diff_pick(&s, 2) ? OP_READ : OP_WRITE;
			x->addr = H(k) + offs[diff_pick(&s, 3)];
			x->who = kid && diff_pick(&s, 2);
			break;
		}
		/* The child's calls: loads, stores, munmap, madvise. */
		if ((x->op == OP_MUNMAP || x->op == OP_MADVISE) && kid &&
		    !diff_pick(&s, 4))
			x->who = 1;
	}
}

/* Random sequences @first .. @first + @n - 1, every one of them, so that
 * one run shows every kind of difference. */
static void run_random(struct mmk_machine *m, int first, int n)
{
	struct call calls[MAX_CALLS];
	int i, failed = 0;
	char what[48];

	for (i = first; i < first + n; i++) {
		snprintf(what, sizeof what, "sequence %d", i);
		random_seq((uint64_t)i, calls, MAX_CALLS);
		if (!compare_ok(m, calls, MAX_CALLS, what))
			failed++;
	}
	if (failed)
		fail_msg("%d of %d random sequences differ", failed, n);
}

static void test_random(void **state)
{
	if (!host_ok)
		skip();
	run_random(boot_pool(state), 1, SEQS);
}

/* Random sequences with vm.nr_overcommit_hugepages 2. */
static void test_random_overcommit(void **state)
{
	struct mmk_machine *m;

	if (!host_ok)
		skip();
	m = boot_pool(state);
	assert_true(diff_write_long(NR_OVERCOMMIT, 2));
	assert_int_equal(mmk_set_nr_overcommit_hugepages(2), 0);
	run_random(m, 1001, SEQS_OVERCOMMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_mmap, mmk_test_teardown),
		cmocka_unit_test_teardown(test_split, mmk_test_teardown),
		cmocka_unit_test_teardown(test_advice, mmk_test_teardown),
		cmocka_unit_test_teardown(test_flags, mmk_test_teardown),
		cmocka_unit_test_teardown(test_mremap, mmk_test_teardown),
		cmocka_unit_test_teardown(test_fork, mmk_test_teardown),
		cmocka_unit_test_teardown(test_fork_exhausted,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_overcommit, overcommit_teardown),
		cmocka_unit_test_teardown(test_resize, mmk_test_teardown),
		cmocka_unit_test_teardown(test_random, mmk_test_teardown),
		cmocka_unit_test_teardown(test_random_overcommit,
					  overcommit_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
