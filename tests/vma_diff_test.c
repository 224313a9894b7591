/* SPDX-License-Identifier: MIT */
/*
 * Differential test of the address-space system calls against the real
 * kernel of this machine.
 *
 * Each sequence of calls (mmap, munmap, mprotect, mlock, mlock2, munlock,
 * mlockall, munlockall, mremap, madvise, mseal, all with explicit addresses
 * inside a 256 MiB test window, touch, 8-byte reads and writes, fork and
 * exit) runs twice: on the host, in worker processes forked from this
 * one, through raw syscall(2) and real loads and stores, and in processes
 * of an mmkit machine. A sequence starts with one process (pid 1 in
 * mmkit); "fork P C" makes process C a copy of P, with fork(2) in the
 * worker of P and mmk_fork() in mmkit, and the calls after it go to either
 * of them (up to 4 processes); "exit P" ends one. "touch ADDR LEN
 * read|write" accesses one byte of every page of the range in ascending
 * order (the byte at ADDR, then each page's first byte) and stops at the
 * first fault: in the worker with SIGSEGV/SIGBUS handlers that siglongjmp
 * out (a write is one locked read-modify-write that stores back the byte
 * it read, so it faults as a write at once, like mmk_touch(), and a read
 * fault's fault-around does not happen first), in mmkit through
 * mmk_touch(); its result is ok, SIGSEGV or SIGBUS. "read" and "write"
 * load or store 8 bytes (mmk_read_u64(), mmk_write_u64()): the value read
 * is compared, so what a child sees of memory its parent wrote before the
 * fork (copy-on-write, MAP_SHARED, MADV_WIPEONFORK, MADV_DONTFORK's
 * SIGSEGV), and what each sees of the other's writes after it, must be
 * the kernel's. Write faults attach anon_vmas, which change later merges.
 *
 * After every call both sides report the result (address, 0, -errno, the
 * signal, or the value read) and, for every live process, the
 * /proc/PID/maps lines of the window, each window VMA's smaps "Rss:",
 * "Pss:", "Anonymous:" and "Locked:" lines (not in sequences with
 * MADV_HUGEPAGE: huge pages, and khugepaged, would make them differ;
 * Locked is the Pss of a VM_LOCKED VMA, so Pss and Locked show the pages
 * fork shares) and its "VmFlags:" line, and the change of VmLck, VmSize,
 * VmData, VmPTE (not in sequences with MADV_HUGEPAGE either), VmRSS,
 * RssAnon and RssShmem in /proc/PID/status since the sequence began
 * (build_report() says how the kernel's are isolated from the rest of
 * the test process). The reports must be equal, except for
 * what the simulator cannot know (device and inode of shared anonymous
 * memory, host-dependent VmFlags such as "sd"), and mmk_check() must pass
 * after every call.
 *
 * Sequences come from a seeded generator: a fifth of the mmaps map the
 * sequence's memfd (FILE_PAGES pages; offsets past its end and unaligned
 * now and then), the rest anonymous memory; page-aligned addresses that
 * favour the edges of earlier calls (so VMAs split and merge), some
 * unaligned addresses, zero, ragged and wrapping lengths, invalid flag
 * combinations and unusual prot bits (w, x, PROT_SEM, PROT_GROWSDOWN),
 * MAP_GROWSDOWN and MAP_NONBLOCK now and then, touches (about 12% of the
 * calls, 1 to 8 pages, mostly inside earlier mmap and mremap targets),
 * reads and writes (5% each; reads mostly where something was written),
 * every madvise advice (guard regions, COLD, PAGEOUT and POPULATE too),
 * mlock2 (mostly MLOCK_ONFAULT), mlockall (MCL_FUTURE, MCL_ONFAULT, invalid
 * flags) and munlockall; 60% of the sequences fork (3% of their calls,
 * then 1% exits). Calls whose outcome depends on where the kernel places
 * a mapping (no MAP_FIXED, mremap that may move without MREMAP_FIXED) are
 * not generated, nor mlockall(MCL_CURRENT) without MCL_ONFAULT (the
 * kernel would fault in the whole test process, mmkit's simulated RAM and
 * ASan's shadow included), nor MCL_CURRENT at all without CAP_IPC_LOCK
 * (the test process is bigger than any RLIMIT_MEMLOCK). A short list of
 * directed sequences checks each rule of LINUX-VMA-RULES.md once, and
 * fork's (L) rules.
 *
 * On a host whose CPU has protection keys, Linux makes a PROT_EXEC-only
 * mapping execute-only (execute_only_pkey(): reads fault); mmkit's
 * x86_64 has no protection keys, so there the generator asks for
 * PROT_READ | PROT_EXEC where it would have asked for PROT_EXEC alone.
 *
 * RLIMIT_MEMLOCK's soft limit is raised to the hard one. Without
 * CAP_IPC_LOCK (not root), mmkit's process is spawned unprivileged with
 * the host's RLIMIT_MEMLOCK, so both sides obey the same limit.
 *
 * On a mismatch the test prints the sequence's seed, its calls with both
 * sides' results, and the window before and after the failing call, side
 * by side (kernel left, mmkit right); then it shrinks the sequence to a
 * minimal one that still fails the same way and prints it as an mmkit
 * script (mlock2 has no script command). By default 100 sequences of 32
 * calls run, but no new sequence starts after 25 s. Environment:
 *   MMKIT_DIFF_LONG=N        run N random sequences, without a time limit
 *   MMKIT_DIFF_SEED=S        first sequence's seed (sequence i uses S + i)
 *   MMKIT_DIFF_CALLS=N       calls per sequence (default 32)
 *   MMKIT_DIFF_KEEP_GOING=1  report every distinct mismatch, then fail
 *   MMKIT_DIFF_MINIMIZE=0    do not shrink failing sequences
 *   MMKIT_DIFF_VERBOSE=1     print every call of every sequence (2: and
 *                            the kernel's report after it)
 *   MMKIT_DIFF_RSS=0         do not compare the smaps Rss, Pss, Anonymous
 *                            and Locked, nor VmRSS, RssAnon and RssShmem
 *   MMKIT_DIFF_PTE=0         do not compare VmPTE (an AddressSanitizer
 *                            build never does: its shadow has tables)
 *   MMKIT_DIFF_SMAPS=1       also compare all smaps fields of the window's
 *                            VMAs (Shared_Dirty, Referenced, ...) but
 *                            ProtectionKey and LazyFree; Referenced can
 *                            still differ where the kernel's result
 *                            depends on when a per-CPU mlock or lazyfree
 *                            batch drains (about 1 sequence in 200 of 64
 *                            calls; mm/memory.c, departures)
 *   MMKIT_DIFF_EXCLUDE=W,..  generate no call whose script line has one of
 *                            these words (e.g. dontunmap,mlock,touch,
 *                            write,fork),
 *                            to look past a known mismatch
 * To rerun one printed sequence: MMKIT_DIFF_SEED=<seed> MMKIT_DIFF_LONG=1.
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
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PG 4096UL
#define WIN_SIZE (256UL << 20)
#define WIN_PAGES (WIN_SIZE / PG)
#define MAX_CALLS 1024
#define REPORT_CAP (256UL << 10)
#define PROC_CAP (2UL << 20)
#define PID 1 /* process 0's pid in mmkit; process i is pid i + 1 */
#define MAXP 4 /* processes a sequence may have (fork) */
#define DEFAULT_SEQS 100
#define DEFAULT_CALLS 32
#define DEFAULT_SEED 1
#define MIN_TRIES 400
/* Without MMKIT_DIFF_LONG, stop starting sequences after this long. */
#define DEFAULT_BUDGET_SECONDS 25

/* uapi prot bits mmkit's header does not name. */
#define X_PROT_SEM 0x8UL
#define X_PROT_GROWSDOWN 0x01000000UL

/* Where the test window may go: the first one free in this process. */
static const unsigned long window_candidates[] = {
	0x200000000UL, /* 8 GiB: free in plain and TSan builds */
	0x300000000000UL, /* 48 TiB: ASan's shadow gap covers 8 GiB */
};

/* VmFlags mnemonics that depend on the host's configuration. */
static const char *const ignored_vmflags[] = { "sd" };
static unsigned long ignored_vmflags_seen[1];

/* Also compare every smaps field of the window's VMAs (Rss, Locked, ...):
 * MMKIT_DIFF_SMAPS=1. They depend on page faults, which populate, mlock
 * and MAP_LOCKED cause. */
static bool smaps_fields;

/* Compare each window VMA's smaps Rss, Pss, Anonymous and Locked, and
 * VmRSS, RssAnon and RssShmem (MMKIT_DIFF_RSS=0: never); rss_fields is set
 * per sequence, off in those with MADV_HUGEPAGE. */
static bool rss_wanted = true, rss_fields;

/* Compare the change of VmPTE (MMKIT_DIFF_PTE=0: never); pte_fields is
 * set per sequence: off in those with MADV_HUGEPAGE (a huge page maps
 * without a PTE table), and where the host has a VMA outside the window
 * within the 512 GiB one PGD entry maps (its tables would be the
 * window's too). */
static bool pte_wanted = true, pte_fields;

/* AddressSanitizer's workers write the shadow of every window byte they
 * touch: page tables of the shadow's own, which the kernel's VmPTE counts
 * and no mmkit process has. Such a build never compares VmPTE. */
#if defined(__SANITIZE_ADDRESS__)
#define PTE_COMPARABLE false
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PTE_COMPARABLE false
#endif
#endif
#ifndef PTE_COMPARABLE
#define PTE_COMPARABLE true
#endif

/* Fields of /proc/PID/status compared as changes since the start (see
 * build_report() for how the kernel's are measured). */
static const char *const status_keys[] = { "VmLck",   "VmSize", "VmData",
					   "VmPTE",   "VmRSS",	"RssAnon",
					   "RssShmem" };
enum {
	STATUS_VMLCK,
	STATUS_VMSIZE,
	STATUS_VMDATA,
	STATUS_VMPTE,
	STATUS_VMRSS,
	STATUS_RSSANON,
	STATUS_RSSSHMEM,
	NR_STATUS_KEYS
};

/* Signals that mean mmkit crashed; the handler names the sequence. */
static struct sigaction old_actions[4];
static const int crash_signals[4] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE };
static char crash_msg[192];
static volatile sig_atomic_t crash_call = -1; /* mmkit call running */
static char spawn_line[96] = "spawn 1"; /* as the script creates PID */
static const char *boot_line; /* the reproducer's boot line, or NULL */

/* ---- calls ---- */

enum dop {
	OP_MMAP,
	OP_MUNMAP,
	OP_MPROTECT,
	OP_MLOCK,
	OP_MUNLOCK,
	OP_MREMAP,
	OP_MADVISE,
	OP_TOUCH,
	OP_MLOCK2,
	OP_MLOCKALL,
	OP_MUNLOCKALL,
	OP_READ,
	OP_WRITE,
	OP_FORK,
	OP_EXIT,
	OP_MSEAL,
	NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"mmap",	   "munmap", "mprotect", "mlock",    "munlock",	   "mremap",
	"madvise", "touch",  "mlock2",	 "mlockall", "munlockall", "read",
	"write",   "fork",   "exit",	 "mseal",
};

struct dcall {
	enum dop op;
	int proc; /* the process that makes the call (0: the first) */
	int child; /* fork: the new process */
	unsigned long addr, len; /* len is old_len for mremap */
	unsigned long prot; /* mmap, mprotect */
	unsigned long flags; /* mmap, mremap, mlock2, mlockall */
	unsigned long new_len, new_addr; /* mremap */
	int advice; /* madvise */
	bool write; /* touch */
	uint64_t value; /* write */
	bool file; /* mmap of the sequence's memfd, at offset off */
	unsigned long off;
};

/*
 * Every sequence has one memfd of FILE_PAGES pages (zero-filled), created
 * before its first process: memfd_create + ftruncate in the kernel's
 * worker (inherited by every fork), mmk_memfd_create() in mmkit. File
 * mappings of it merge by page offset, COW on private writes, SIGBUS past
 * its end and count as shmem.
 */
#define FILE_PAGES 24UL
#define SYS_mseal_nr 462 /* mseal(2), x86_64 */
#define FILE_NAME "vma_diff"
static int host_memfd = -1;
static struct file *sim_memfd;

/* ---- touch in the kernel child: SIGSEGV/SIGBUS end it ---- */

static sigjmp_buf touch_jmp;
static volatile sig_atomic_t touch_armed;

static void touch_handler(int sig)
{
	if (!touch_armed) { /* a real crash of the child */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	touch_armed = 0;
	siglongjmp(touch_jmp, sig);
}

static void touch_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = touch_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/* Store back the byte at @p: one write access (x86: a locked
 * read-modify-write faults as a write, as mmk_touch()'s store does). */
static void touch_write(volatile char *p)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("lock orb $0, %0" : "+m"(*p) : : "memory");
#else
	char v = *p;

	*p = v;
#endif
}

/* One byte of every page of [@addr, +@len) in ascending order (the byte
 * at @addr, then each page's first): 0, or the signal that stopped it. */
static long kernel_touch(unsigned long addr, unsigned long len, bool write)
{
	unsigned long end = addr + len < addr ? ~0UL : addr + len;
	volatile unsigned long a;

	for (a = addr & ~(PG - 1); a < end; a += PG) {
		volatile char *p = (volatile char *)(a > addr ? a : addr);
		int sig = sigsetjmp(touch_jmp, 1);

		if (sig)
			return sig;
		touch_armed = 1;
		if (write)
			touch_write(p);
		else
			(void)*p;
		touch_armed = 0;
		if (a + PG < a)
			break;
	}
	return 0;
}

/* One 8-byte load (*@value) or store of @value at @addr: 0 or the
 * signal. */
/* May cross a page boundary: one unaligned access. */
typedef uint64_t __attribute__((aligned(1))) unaligned_u64;

static long kernel_rw(unsigned long addr, bool write, uint64_t *value)
{
	volatile unaligned_u64 *p = (volatile unaligned_u64 *)addr;
	int sig = sigsetjmp(touch_jmp, 1);

	if (sig)
		return sig;
	touch_armed = 1;
	if (write)
		*p = *value;
	else
		*value = *p;
	touch_armed = 0;
	return 0;
}

/* Run @c on the host kernel, in the calling process: the result or
 * -errno; a read's value in *@value. */
static long real_call(const struct dcall *c, uint64_t *value)
{
	long r;

	*value = 0;
	switch (c->op) {
	case OP_MMAP:
		r = syscall(SYS_mmap, c->addr, c->len, c->prot, c->flags,
			    c->file ? (long)host_memfd : -1L,
			    c->file ? (long)c->off : 0L);
		break;
	case OP_MUNMAP:
		r = syscall(SYS_munmap, c->addr, c->len);
		break;
	case OP_MPROTECT:
		r = syscall(SYS_mprotect, c->addr, c->len, c->prot);
		break;
	case OP_MLOCK:
		r = syscall(SYS_mlock, c->addr, c->len);
		break;
	case OP_MUNLOCK:
		r = syscall(SYS_munlock, c->addr, c->len);
		break;
	case OP_MREMAP:
		r = syscall(SYS_mremap, c->addr, c->len, c->new_len, c->flags,
			    c->new_addr);
		break;
	case OP_MADVISE:
		r = syscall(SYS_madvise, c->addr, c->len, (long)c->advice);
		break;
	case OP_TOUCH:
		return kernel_touch(c->addr, c->len, c->write);
	case OP_MLOCK2:
		r = syscall(SYS_mlock2, c->addr, c->len, c->flags);
		break;
	case OP_MLOCKALL:
		r = syscall(SYS_mlockall, c->flags);
		break;
	case OP_MUNLOCKALL:
		r = syscall(SYS_munlockall);
		break;
	case OP_MSEAL:
		r = syscall(SYS_mseal_nr, c->addr, c->len, c->flags);
		break;
	case OP_READ:
		return kernel_rw(c->addr, false, value);
	case OP_WRITE:
		*value = c->value;
		r = kernel_rw(c->addr, true, value);
		*value = 0;
		return r;
	default: /* fork and exit: the worker does them */
		return -ENOSYS;
	}
	return r == -1 ? -(long)errno : r;
}

/* Run @c in mmkit (process @c->proc is pid @c->proc + 1); a read's value
 * in *@value. */
static long sim_call(const struct dcall *c, uint64_t *value)
{
	int pid = c->proc + 1;

	*value = 0;
	switch (c->op) {
	case OP_MMAP:
		return mmk_mmap(pid, c->addr, c->len, c->prot, c->flags,
				c->file ? sim_memfd : NULL,
				c->file ? c->off : 0);
	case OP_MUNMAP:
		return mmk_munmap(pid, c->addr, c->len);
	case OP_MPROTECT:
		return mmk_mprotect(pid, c->addr, c->len, c->prot);
	case OP_MLOCK:
		return mmk_mlock(pid, c->addr, c->len);
	case OP_MUNLOCK:
		return mmk_munlock(pid, c->addr, c->len);
	case OP_MREMAP:
		return mmk_mremap(pid, c->addr, c->len, c->new_len, c->flags,
				  c->new_addr);
	case OP_MADVISE:
		return mmk_madvise(pid, c->addr, c->len, c->advice);
	case OP_TOUCH:
		return mmk_touch(pid, c->addr, c->len, c->write);
	case OP_MLOCK2:
		return mmk_mlock2(pid, c->addr, c->len, (unsigned int)c->flags);
	case OP_MLOCKALL:
		return mmk_mlockall(pid, (int)c->flags);
	case OP_MUNLOCKALL:
		return mmk_munlockall(pid);
	case OP_MSEAL:
		return mmk_mseal(pid, c->addr, c->len, c->flags);
	case OP_READ:
		return mmk_read_u64(pid, c->addr, value);
	case OP_WRITE:
		return mmk_write_u64(pid, c->addr, c->value);
	case OP_FORK:
		return mmk_fork(pid, c->child + 1);
	case OP_EXIT:
		return mmk_exit(pid);
	default:
		return -ENOSYS;
	}
}

/* ---- printing calls and results (mmkit script syntax) ---- */

static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" },	    { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },
	{ EINTR, "EINTR" },	    { EBADF, "EBADF" },	  { EAGAIN, "EAGAIN" },
	{ ENOMEM, "ENOMEM" },	    { EACCES, "EACCES" }, { EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" },	    { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" },
	{ EINVAL, "EINVAL" },	    { ENOSPC, "ENOSPC" }, { ENOSYS, "ENOSYS" },
	{ EOVERFLOW, "EOVERFLOW" },
};

/* A call's result as the script prints it (@value: a read's). */
static void fmt_ret(char *buf, size_t len, const struct dcall *c, long r,
		    uint64_t value)
{
	size_t i;

	if (r < 0 && r >= -4095) {
		for (i = 0; i < sizeof errno_names / sizeof errno_names[0]; i++)
			if (errno_names[i].err == (int)-r) {
				snprintf(buf, len, "%s", errno_names[i].name);
				return;
			}
		snprintf(buf, len, "E%ld", -r);
	} else if (c->op == OP_READ && r == 0) {
		snprintf(buf, len, "%#llx", (unsigned long long)value);
	} else if (c->op == OP_TOUCH || c->op == OP_READ || c->op == OP_WRITE) {
		if (r == 0)
			snprintf(buf, len, "ok");
		else if (r == MMK_SIGSEGV)
			snprintf(buf, len, "SIGSEGV");
		else if (r == MMK_SIGBUS)
			snprintf(buf, len, "SIGBUS");
		else if (r == MMK_SIGKILL)
			snprintf(buf, len, "SIGKILL");
		else
			snprintf(buf, len, "signal %ld", r);
	} else if (c->op == OP_MMAP || c->op == OP_MREMAP) {
		snprintf(buf, len, "%#lx", (unsigned long)r);
	} else {
		snprintf(buf, len, "%ld", r);
	}
}

struct flag_name {
	unsigned long value;
	const char *name;
};

static const struct flag_name mmap_flag_names[] = {
	{ MAP_PRIVATE, "private" },
	{ MAP_SHARED, "shared" },
	{ MAP_ANONYMOUS, "anonymous" },
	{ MAP_FIXED, "fixed" },
	{ MAP_FIXED_NOREPLACE, "fixed_noreplace" },
	{ MAP_POPULATE, "populate" },
	{ MAP_LOCKED, "locked" },
	{ MAP_NORESERVE, "noreserve" },
	{ MAP_GROWSDOWN, "growsdown" },
};

static const struct flag_name mremap_flag_names[] = {
	{ MREMAP_MAYMOVE, "maymove" },
	{ MREMAP_FIXED, "fixed" },
	{ MREMAP_DONTUNMAP, "dontunmap" },
};

static const struct flag_name mcl_names[] = {
	{ MCL_CURRENT, "current" },
	{ MCL_FUTURE, "future" },
	{ MCL_ONFAULT, "onfault" },
};

static const struct flag_name advice_names[] = {
	{ MADV_NORMAL, "normal" },
	{ MADV_RANDOM, "random" },
	{ MADV_SEQUENTIAL, "sequential" },
	{ MADV_WILLNEED, "willneed" },
	{ MADV_DONTNEED, "dontneed" },
	{ MADV_FREE, "free" },
	{ MADV_DONTFORK, "dontfork" },
	{ MADV_DOFORK, "dofork" },
	{ MADV_WIPEONFORK, "wipeonfork" },
	{ MADV_KEEPONFORK, "keeponfork" },
	{ MADV_DONTDUMP, "dontdump" },
	{ MADV_DODUMP, "dodump" },
	{ MADV_HUGEPAGE, "hugepage" },
	{ MADV_NOHUGEPAGE, "nohugepage" },
	{ MADV_REMOVE, "remove" },
	{ MADV_MERGEABLE, "mergeable" },
	{ MADV_UNMERGEABLE, "unmergeable" },
	{ MADV_COLD, "cold" },
	{ MADV_PAGEOUT, "pageout" },
	{ MADV_POPULATE_READ, "populate_read" },
	{ MADV_POPULATE_WRITE, "populate_write" },
	{ MADV_DONTNEED_LOCKED, "dontneed_locked" },
	{ MADV_GUARD_INSTALL, "guard_install" },
	{ MADV_GUARD_REMOVE, "guard_remove" },
};

/* A flag list as the script writes it; false if some bit has no name. */
static bool fmt_flags(char *buf, size_t len, unsigned long v,
		      const struct flag_name *t, size_t n, const char *zero)
{
	size_t i, used = 0;

	buf[0] = '\0';
	if (!v) {
		snprintf(buf, len, "%s", zero);
		return true;
	}
	for (i = 0; i < n; i++) {
		if (!(v & t[i].value))
			continue;
		v &= ~t[i].value;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 used ? "," : "", t[i].name);
		if (used >= len)
			return false;
	}
	if (v)
		snprintf(buf + used, len - used, "%s%#lx", used ? "," : "", v);
	return !v;
}

/* r, w, x in that order, or none; other bits as ",sem", ",growsdown" or
 * ",0x..." (which the script does not take). */
static bool fmt_prot(char *buf, size_t len, unsigned long prot)
{
	unsigned long rest =
		prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC |
					X_PROT_SEM | X_PROT_GROWSDOWN);

	snprintf(buf, len, "%s%s%s%s%s%s", prot & PROT_READ ? "r" : "",
		 prot & PROT_WRITE ? "w" : "", prot & PROT_EXEC ? "x" : "",
		 prot & 7 ? "" : "none", prot & X_PROT_SEM ? ",sem" : "",
		 prot & X_PROT_GROWSDOWN ? ",growsdown" : "");
	if (rest)
		snprintf(buf + strlen(buf), len - strlen(buf), ",%#lx", rest);
	return prot == (prot & 7);
}

/* @c as an mmkit script line; false if the script cannot express it. */
static bool fmt_call(char *buf, size_t len, const struct dcall *c)
{
	char a[100], b[100];
	bool ok = true;
	int pid = c->proc + 1;
	size_t i;

	switch (c->op) {
	case OP_MMAP:
		ok &= fmt_prot(a, sizeof a, c->prot);
		ok &= fmt_flags(b, sizeof b, c->flags, mmap_flag_names,
				sizeof mmap_flag_names /
					sizeof mmap_flag_names[0],
				"0");
		snprintf(buf, len, "mmap %d %#lx %#lx %s %s", pid, c->addr,
			 c->len, a, b);
		if (c->file)
			snprintf(buf + strlen(buf), len - strlen(buf),
				 " " FILE_NAME " %#lx", c->off);
		break;
	case OP_MPROTECT:
		ok &= fmt_prot(a, sizeof a, c->prot);
		snprintf(buf, len, "mprotect %d %#lx %#lx %s", pid, c->addr,
			 c->len, a);
		break;
	case OP_MUNMAP:
	case OP_MLOCK:
	case OP_MUNLOCK:
		snprintf(buf, len, "%s %d %#lx %#lx", op_names[c->op], pid,
			 c->addr, c->len);
		break;
	case OP_MREMAP:
		ok &= fmt_flags(a, sizeof a, c->flags, mremap_flag_names,
				sizeof mremap_flag_names /
					sizeof mremap_flag_names[0],
				"none");
		if (c->new_addr)
			snprintf(buf, len, "mremap %d %#lx %#lx %#lx %s %#lx",
				 pid, c->addr, c->len, c->new_len, a,
				 c->new_addr);
		else
			snprintf(buf, len, "mremap %d %#lx %#lx %#lx %s", pid,
				 c->addr, c->len, c->new_len, a);
		break;
	case OP_MADVISE:
		snprintf(a, sizeof a, "%d", c->advice);
		ok = false;
		for (i = 0; i < sizeof advice_names / sizeof advice_names[0];
		     i++)
			if (advice_names[i].value == (unsigned long)c->advice) {
				snprintf(a, sizeof a, "%s",
					 advice_names[i].name);
				ok = true;
			}
		snprintf(buf, len, "madvise %d %#lx %#lx %s", pid, c->addr,
			 c->len, a);
		break;
	case OP_TOUCH:
		snprintf(buf, len, "touch %d %#lx %#lx %s", pid, c->addr,
			 c->len, c->write ? "write" : "read");
		break;
	case OP_MLOCK2: /* no script command */
		snprintf(buf, len, "mlock2 %d %#lx %#lx %s", pid, c->addr,
			 c->len,
			 c->flags == MLOCK_ONFAULT ? "onfault" :
			 c->flags		   ? "?" :
						     "0");
		ok = false;
		break;
	case OP_MLOCKALL:
		ok &= fmt_flags(a, sizeof a, c->flags, mcl_names,
				sizeof mcl_names / sizeof mcl_names[0], "0");
		snprintf(buf, len, "mlockall %d %s", pid, a);
		break;
	case OP_MUNLOCKALL:
		snprintf(buf, len, "munlockall %d", pid);
		break;
	case OP_MSEAL:
		snprintf(buf, len, "mseal %d %#lx %#lx", pid, c->addr, c->len);
		if (c->flags)
			snprintf(buf + strlen(buf), len - strlen(buf), " %#lx",
				 c->flags);
		break;
	case OP_READ:
		snprintf(buf, len, "read %d %#lx", pid, c->addr);
		break;
	case OP_WRITE:
		snprintf(buf, len, "write %d %#lx %#llx", pid, c->addr,
			 (unsigned long long)c->value);
		break;
	case OP_FORK:
		snprintf(buf, len, "fork %d %d", pid, c->child + 1);
		break;
	case OP_EXIT:
		snprintf(buf, len, "exit %d", pid);
		break;
	default:
		snprintf(buf, len, "?");
		return false;
	}
	return ok;
}

/* ---- a bounded string buffer (no allocation once made) ---- */

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_init(struct sbuf *b, char *mem, size_t cap)
{
	b->p = mem;
	b->cap = cap;
	b->len = 0;
	b->p[0] = '\0';
}

__attribute__((format(printf, 2, 3))) static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len + 1 >= b->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	b->len += (size_t)n;
	if (b->len >= b->cap)
		b->len = b->cap - 1;
}

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
		n = b->cap - b->len - 1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* ---- /proc text ---- */

/* Read @path whole into @buf (NUL-terminated); its length or -errno. */
static long read_file(const char *path, char *buf, size_t cap)
{
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (len + 1 < cap) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (long)len;
}

/* A maps (or smaps header) line, parsed. */
struct mline {
	unsigned long start, end;
	int off_end; /* where the offset field ends */
	int ino_end; /* where the inode field ends */
	int name_col; /* where the name starts, or -1 */
	int want_col; /* where Linux's seq_pad() puts it */
	const char *name; /* in the caller's copy */
};

/* Parse the @len bytes at @s as a maps line (copied to @copy). */
static bool parse_mline(const char *s, size_t len, struct mline *ml, char *copy,
			size_t copy_cap)
{
	unsigned long long off;
	unsigned int major, minor;
	unsigned long ino;
	char perms[8];
	int i;

	ml->off_end = 0;
	ml->ino_end = 0;
	if (len >= copy_cap)
		return false;
	memcpy(copy, s, len);
	copy[len] = '\0';
	if (sscanf(copy, "%lx-%lx %7s %llx%n %x:%x %lu%n", &ml->start, &ml->end,
		   perms, &off, &ml->off_end, &major, &minor, &ino,
		   &ml->ino_end) < 7 ||
	    !ml->ino_end)
		return false;
	/* seq_pad(): spaces up to column 72, then one more. */
	ml->want_col = (ml->ino_end + 1 > 72 ? ml->ino_end + 1 : 72) + 1;
	ml->name = NULL;
	ml->name_col = -1;
	for (i = ml->ino_end; copy[i] == ' '; i++)
		;
	if (copy[i]) {
		ml->name = copy + i;
		ml->name_col = i;
	}
	return true;
}

/* Is the line at @s a maps line ("hex-hex ")? */
static bool is_map_header(const char *s)
{
	const char *p = s;

	while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
		p++;
	return p > s && *p == '-';
}

static const char *next_line(const char *s, size_t *len)
{
	const char *nl = strchr(s, '\n');

	*len = nl ? (size_t)(nl - s) : strlen(s);
	return nl ? nl + 1 : s + *len;
}

/* The value in kB of the status line "@key:" (*@line: the line), or -1. */
static long status_kb(const char *status, const char *key, const char **line)
{
	size_t klen = strlen(key);
	const char *p = status;

	while (*p) {
		size_t len;
		const char *next = next_line(p, &len);

		if (!strncmp(p, key, klen) && p[klen] == ':') {
			if (line)
				*line = p;
			return strtol(p + klen + 1, NULL, 10);
		}
		p = next;
	}
	return -1;
}

struct window {
	unsigned long start, end;
};

#define MAX_WIN_VMAS 4096

/* Is the VmFlags line @s (@len bytes) one with the mnemonic @flag? */
static bool has_vmflag(const char *s, size_t len, const char *flag)
{
	size_t fl = strlen(flag), i;

	for (i = 8; i + fl <= len; i++)
		if (s[i - 1] == ' ' && !strncmp(s + i, flag, fl) &&
		    (i + fl == len || s[i + fl] == ' '))
			return true;
	return false;
}

/* The smaps fields compared per VMA besides VmFlags (MMKIT_DIFF_SMAPS:
 * all of them). Locked is the Pss of VM_LOCKED VMAs: with Pss it shows
 * the pages fork shares. */
static bool shown_field(const char *f)
{
	static const char *const keys[] = { "Rss:", "Pss:", "Anonymous:",
					    "Locked:" };
	size_t i;

	/* ProtectionKey is shown only on a host CPU with pkeys (PROCFS.md);
	 * the simulated machine has none. LazyFree: the kernel shows a
	 * MADV_FREE'd page only once its per-CPU lazyfree batch drains,
	 * mmkit at once (proc/task_mmu.c, departures). */
	if (smaps_fields)
		return strncmp(f, "ProtectionKey:", 14) != 0 &&
		       strncmp(f, "LazyFree:", 9) != 0;
	if (!rss_fields)
		return false;
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!strncmp(f, keys[i], strlen(keys[i])))
			return true;
	return false;
}

/*
 * The report of one side after one call for one process: the maps lines
 * inside @w, each followed by its compared smaps fields and its VmFlags
 * line, then the status deltas against @base_kb. Inconsistencies of the
 * files themselves become "!!" lines.
 *
 * The status deltas say what the window did to the counters of
 * /proc/PID/status; the rest of the kernel's process (the test binary,
 * its heap and stack) is not in the window but in the same counters:
 * - VmSize, VmData: the status value minus @base_kb, the value when the
 *   process's sequence began (a forked process: its parent's). Nothing
 *   outside the window maps or unmaps memory in between: the worker
 *   processes do not allocate, and fork copies all of it (the worker
 *   inherited no VM_DONTCOPY VMA).
 * - VmPTE (where pte_fields): likewise. The kernel's process has tables
 *   outside the window, which must neither change during the sequence
 *   nor differ between a worker and its fork child: every worker, and
 *   every child before it answers its fork, faults in a page of each
 *   2 MiB of its readable VMAs outside the window (prefault_tables()), so
 *   those tables are all there from the start; and the host must map
 *   nothing else in the window's 512 GiB (window_tables_alone()), so that
 *   the window's tables at every level are its own, as in mmkit.
 * - VmLck: likewise, less the size of every VM_LOCKED VMA ("lo" in
 *   VmFlags) outside the window: mlockall(MCL_CURRENT) locks those too,
 *   and locked_vm counts exactly the VMAs mlock_fixup() gave VM_LOCKED
 *   (mmkit's process has no VMA outside the window).
 * - VmRSS, RssAnon, RssShmem (only where Rss is compared): the kernel's
 *   process faults pages of its own outside the window all the time (its
 *   stack, the buffers /proc is read into), so its status VmRSS has no
 *   exact delta. The kernel's figures are the sums of the window VMAs'
 *   smaps Rss, Anonymous and Rss - Anonymous (the window only has
 *   private anonymous memory, whose pages are all anonymous, and shared
 *   anonymous memory, whose pages are shmem; the zero page counts in
 *   neither the rss_stat counters nor smaps), which are what the kernel's
 *   MM_ANONPAGES and MM_SHMEMPAGES counters hold for the window. mmkit's
 *   are its status values minus @base_kb: so its rss_stat counters are
 *   checked against the kernel's page tables, and against its own smaps.
 * @host: the kernel's report.
 */
static void build_report(struct sbuf *out, const char *maps, const char *smaps,
			 const char *status, const struct window *w,
			 const long *base_kb, bool host)
{
	static const char *hdr[MAX_WIN_VMAS], *flags[MAX_WIN_VMAS],
		*fields[MAX_WIN_VMAS];
	static size_t hdr_len[MAX_WIN_VMAS], flags_len[MAX_WIN_VMAS];
	char copy[512];
	struct mline ml;
	const char *p;
	int nsm = 0, i = 0, k;
	bool in = false, out_vma = false;
	unsigned long out_size = 0, out_locked = 0; /* bytes */
	long win_rss = 0, win_anon = 0; /* kB */

	/* smaps: headers in the window and their VmFlags lines; the size of
	 * the locked VMAs outside. */
	for (p = smaps; *p;) {
		size_t len;
		const char *next = next_line(p, &len);

		if (is_map_header(p)) {
			bool parsed =
				parse_mline(p, len, &ml, copy, sizeof copy);

			in = parsed && ml.end > w->start && ml.start < w->end &&
			     nsm < MAX_WIN_VMAS;
			out_vma = parsed && !in;
			out_size = parsed ? ml.end - ml.start : 0;
			if (in) {
				hdr[nsm] = p;
				hdr_len[nsm] = len;
				fields[nsm] = next;
				flags[nsm] = NULL;
				flags_len[nsm++] = 0;
			}
		} else if (in && !strncmp(p, "VmFlags:", 8)) {
			flags[nsm - 1] = p;
			flags_len[nsm - 1] = len;
		} else if (in && !strncmp(p, "Rss:", 4)) {
			win_rss += strtol(p + 4, NULL, 10);
		} else if (in && !strncmp(p, "Anonymous:", 10)) {
			win_anon += strtol(p + 10, NULL, 10);
		} else if (out_vma && !strncmp(p, "VmFlags:", 8) &&
			   has_vmflag(p, len, "lo")) {
			out_locked += out_size;
		}
		p = next;
	}
	for (p = maps; *p;) {
		size_t len;
		const char *next = next_line(p, &len);
		unsigned long vs, ve;

		if (!is_map_header(p) || sscanf(p, "%lx-%lx", &vs, &ve) != 2 ||
		    ve <= w->start || vs >= w->end) {
			p = next;
			continue;
		}
		sb_putn(out, p, len);
		sb_putn(out, "\n", 1);
		if (!parse_mline(p, len, &ml, copy, sizeof copy)) {
			sb_printf(out, "!! maps line does not parse\n");
			p = next;
			continue;
		}
		if (ml.start < w->start || ml.end > w->end)
			sb_printf(out, "!! VMA crosses the window's edge\n");
		if (ml.name && ml.name_col != ml.want_col)
			sb_printf(out, "!! name at column %d, not %d\n",
				  ml.name_col, ml.want_col);
		if (!ml.name && len != (size_t)ml.ino_end + 1)
			sb_printf(out, "!! line without a name must end with "
				       "the inode and one space\n");
		if (i >= nsm || hdr_len[i] != len ||
		    memcmp(hdr[i], p, len) != 0) {
			sb_printf(out, "!! smaps has %s here\n",
				  i < nsm ? "another line" : "no line");
		} else if (!flags[i]) {
			sb_printf(out, "!! smaps has no VmFlags\n");
		} else {
			const char *f = fields[i];

			while (f < flags[i]) {
				size_t flen;
				const char *fnext = next_line(f, &flen);

				if (shown_field(f)) {
					sb_putn(out, "  ", 2);
					sb_putn(out, f, flen);
					sb_putn(out, "\n", 1);
				}
				f = fnext;
			}
			sb_putn(out, flags[i], flags_len[i]);
			sb_putn(out, "\n", 1);
		}
		i++;
		p = next;
	}
	if (i < nsm)
		sb_printf(out, "!! smaps has %d more VMAs\n", nsm - i);
	for (k = 0; k < NR_STATUS_KEYS; k++) {
		const char *line;
		long v = status_kb(status, status_keys[k], &line), d;
		char want[64];
		size_t len;

		if (v < 0) {
			sb_printf(out, "!! status has no %s\n", status_keys[k]);
			continue;
		}
		d = v - base_kb[k];
		if (k == STATUS_VMLCK)
			d -= (long)(out_locked >> 10);
		if (k >= STATUS_VMRSS && host)
			d = k == STATUS_VMRSS	? win_rss :
			    k == STATUS_RSSANON ? win_anon :
						  win_rss - win_anon;
		if (k == STATUS_VMPTE ? pte_fields :
					k < STATUS_VMRSS || rss_fields)
			sb_printf(out, "%s: %+ld kB\n", status_keys[k], d);
		/* task_mem(): "VmLck:\t%8lu kB" */
		snprintf(want, sizeof want, "%s:\t%8ld kB", status_keys[k], v);
		next_line(line, &len);
		if (len != strlen(want) || strncmp(line, want, len) != 0)
			sb_printf(out,
				  "!! status line \"%.*s\" is not \"%s\"\n",
				  (int)len, line, want);
	}
}

static void status_base(const char *status, long *base_kb)
{
	int k;

	for (k = 0; k < NR_STATUS_KEYS; k++)
		base_kb[k] = status_kb(status, status_keys[k], NULL);
}

/* ---- canonical form of a report, for comparing ---- */

enum diff_class {
	DIFF_MAPS = 1, /* the VMAs themselves */
	DIFF_FLAGS = 2, /* VmFlags */
	DIFF_STATUS = 4, /* the status fields */
	DIFF_FORMAT = 8, /* "!!" lines */
	DIFF_SMAPS = 16, /* smaps fields (Rss, Anonymous; MMKIT_DIFF_SMAPS) */
};

/* Is the @len bytes at @tok a VmFlags mnemonic of the host's
 * configuration (ignored_vmflags)? */
static bool ignored_flag(const char *tok, size_t len, bool count)
{
	size_t i;

	for (i = 0; i < sizeof ignored_vmflags / sizeof ignored_vmflags[0]; i++)
		if (strlen(ignored_vmflags[i]) == len &&
		    !strncmp(tok, ignored_vmflags[i], len)) {
			if (count)
				ignored_vmflags_seen[i]++;
			return true;
		}
	return false;
}

/*
 * One report line in canonical form; returns its class. Maps lines of
 * named mappings lose their device, inode and padding (the format checks
 * of build_report() looked at those); VmFlags lines lose the host's
 * mnemonics with the space after them. Everything else stays as it is.
 */
static int canon_line(const char *s, size_t len, char *buf, size_t cap,
		      bool count_ignored)
{
	char copy[512];
	struct mline ml;
	size_t used = 0;

	if (len + 1 > cap)
		len = cap - 1;
	if (is_map_header(s) && parse_mline(s, len, &ml, copy, sizeof copy)) {
		if (ml.name)
			snprintf(buf, cap, "%.*s %s", ml.off_end, copy,
				 ml.name);
		else
			snprintf(buf, cap, "%s", copy);
		return DIFF_MAPS;
	}
	if (len >= 8 && !strncmp(s, "VmFlags:", 8)) {
		const char *p = s, *end = s + len;

		while (p < end) {
			const char *tok = p;

			if (*p == ' ' || (p > s && p[-1] != ' ')) {
				buf[used++] = *p++;
				continue;
			}
			while (p < end && *p != ' ')
				p++;
			if (ignored_flag(tok, (size_t)(p - tok),
					 count_ignored)) {
				if (p < end)
					p++;
				continue;
			}
			memcpy(buf + used, tok, (size_t)(p - tok));
			used += (size_t)(p - tok);
		}
		buf[used] = '\0';
		return DIFF_FLAGS;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (s[0] == '[') /* "[process N]" */
		return DIFF_MAPS;
	if (!strncmp(s, "  ", 2))
		return DIFF_SMAPS;
	return !strncmp(s, "!!", 2) ? DIFF_FORMAT : DIFF_STATUS;
}

struct lines {
	int n;
	const char **raw;
	size_t *raw_len;
	char **canon;
	int *cls;
};

static void lines_split(struct lines *l, const char *rep, bool count_ignored)
{
	const char *p;
	int n = 0, i = 0;
	char buf[512];

	for (p = rep; *p; n++) {
		size_t len;

		p = next_line(p, &len);
	}
	l->n = n;
	l->raw = calloc((size_t)n + 1, sizeof *l->raw);
	l->raw_len = calloc((size_t)n + 1, sizeof *l->raw_len);
	l->canon = calloc((size_t)n + 1, sizeof *l->canon);
	l->cls = calloc((size_t)n + 1, sizeof *l->cls);
	assert_true(l->raw && l->raw_len && l->canon && l->cls);
	for (p = rep; *p; i++) {
		size_t len;
		const char *next = next_line(p, &len);

		l->raw[i] = p;
		l->raw_len[i] = len;
		l->cls[i] = canon_line(p, len, buf, sizeof buf, count_ignored);
		l->canon[i] = strdup(buf);
		assert_non_null(l->canon[i]);
		p = next;
	}
}

static void lines_free(struct lines *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->canon[i]);
	free(l->raw);
	free(l->raw_len);
	free(l->canon);
	free(l->cls);
}

/* The classes in which two reports differ (0: equal). */
static int report_diff(const char *krep, const char *mrep)
{
	struct lines k, m;
	int cls = 0, c, i, j;

	lines_split(&k, krep, true);
	lines_split(&m, mrep, false);
	for (c = 1; c <= DIFF_SMAPS; c <<= 1) {
		for (i = 0, j = 0;; i++, j++) {
			while (i < k.n && k.cls[i] != c)
				i++;
			while (j < m.n && m.cls[j] != c)
				j++;
			if (i >= k.n || j >= m.n) {
				if (i < k.n || j < m.n)
					cls |= c;
				break;
			}
			if (strcmp(k.canon[i], m.canon[j]) != 0) {
				cls |= c;
				break;
			}
		}
	}
	lines_free(&k);
	lines_free(&m);
	return cls;
}

/* Print two reports side by side, aligned on their common lines. */
static void print_side_by_side(FILE *f, const char *krep, const char *mrep)
{
	struct lines k, m;
	int *lcs, i, j, w = 20, cols;

	lines_split(&k, krep, false);
	lines_split(&m, mrep, false);
	cols = m.n + 1;
	lcs = calloc((size_t)(k.n + 1) * (size_t)cols, sizeof *lcs);
	assert_non_null(lcs);
	for (i = k.n - 1; i >= 0; i--)
		for (j = m.n - 1; j >= 0; j--)
			lcs[i * cols + j] =
				!strcmp(k.canon[i], m.canon[j]) ?
					lcs[(i + 1) * cols + j + 1] + 1 :
				lcs[(i + 1) * cols + j] >
						lcs[i * cols + j + 1] ?
					lcs[(i + 1) * cols + j] :
					lcs[i * cols + j + 1];
	for (i = 0; i < k.n; i++)
		if ((int)k.raw_len[i] > w)
			w = (int)k.raw_len[i];
	fprintf(f, "    %-*s   %s\n", w, "kernel", "mmkit");
	for (i = 0, j = 0; i < k.n || j < m.n;) {
		if (i < k.n && j < m.n && !strcmp(k.canon[i], m.canon[j])) {
			fprintf(f, "    %-*.*s   %.*s\n", w, (int)k.raw_len[i],
				k.raw[i], (int)m.raw_len[j], m.raw[j]);
			i++;
			j++;
		} else if (i < k.n && j < m.n &&
			   lcs[(i + 1) * cols + j] == lcs[i * cols + j + 1] &&
			   k.cls[i] == m.cls[j]) {
			fprintf(f, "    %-*.*s | %.*s\n", w, (int)k.raw_len[i],
				k.raw[i], (int)m.raw_len[j], m.raw[j]);
			i++;
			j++;
		} else if (i < k.n &&
			   (j >= m.n ||
			    lcs[(i + 1) * cols + j] >= lcs[i * cols + j + 1])) {
			fprintf(f, "    %-*.*s <\n", w, (int)k.raw_len[i],
				k.raw[i]);
			i++;
		} else {
			fprintf(f, "    %-*s > %.*s\n", w, "",
				(int)m.raw_len[j], m.raw[j]);
			j++;
		}
	}
	free(lcs);
	lines_free(&k);
	lines_free(&m);
}

static void print_lines(FILE *f, const char *rep)
{
	const char *p;

	for (p = rep; *p;) {
		size_t len;
		const char *next = next_line(p, &len);

		fprintf(f, "    %.*s\n", (int)len, p);
		p = next;
	}
}

/* ---- the kernel side: forked worker processes ---- */

/*
 * Each process of a sequence is a worker process: process 0 is forked
 * from this one, the others by the worker that makes the fork call, with
 * fork(2). A worker waits on its command pipe for the index of its next
 * call, runs it and writes the result to the result pipe; this process
 * (the coordinator) sends the calls one at a time, in sequence order, and
 * between calls reads every live worker's /proc/PID/maps, smaps and
 * status itself (the workers allocate nothing: their VmSize stays put).
 * A worker's exit(2) is complete when its pidfd polls readable (exit_mm()
 * comes before the exit notification). This process is a child
 * subreaper, so that workers whose parent exited come back to it, and it
 * reaps them in creation order (a parent before its children).
 */

enum { CHILD_OK = 0, CHILD_BUSY = 1, CHILD_ERROR = 2 };

struct kside {
	int status; /* CHILD_* */
	int n; /* calls reported */
	long ret[MAX_CALLS];
	uint64_t value[MAX_CALLS]; /* reads */
	char *rep[MAX_CALLS];
	char why[256];
};

static bool window_free(const char *maps, const struct window *w)
{
	const char *p;

	for (p = maps; *p;) {
		size_t len;
		const char *next = next_line(p, &len);
		unsigned long s, e;

		/* A guard page on each side: nothing may merge with us. */
		if (sscanf(p, "%lx-%lx", &s, &e) == 2 && e > w->start - PG &&
		    s < w->end + PG)
			return false;
		p = next;
	}
	return true;
}

/* Does the host map nothing outside the window within the 512 GiB that
 * its PGD entries map (x86_64)? Then the window's page tables, at every
 * level, are the window's alone, as in mmkit's process. */
static bool window_tables_alone(const char *maps, const struct window *w)
{
	const unsigned long span = 1UL << 39;
	unsigned long lo = w->start & ~(span - 1);
	unsigned long hi = (w->end + span - 1) & ~(span - 1);
	const char *p;

	for (p = maps; *p;) {
		size_t len;
		const char *next = next_line(p, &len);
		unsigned long s, e;

		if (sscanf(p, "%lx-%lx", &s, &e) == 2 && e > lo && s < hi &&
		    (e <= w->start || s >= w->end))
			return false;
		p = next;
	}
	return true;
}

/*
 * A worker's page tables outside the window must not change while its
 * VmPTE is compared, nor differ between a worker and its fork child. Fork
 * copies the tables of the VMAs that have an anon_vma only (vma_needs_copy)
 * and a process faults its code (file VMAs) all the time, so each worker,
 * and each fork child before it answers the fork, faults in one page of
 * every 2 MiB of every readable private file VMA (its program and
 * libraries) and of the vDSO outside the window (MADV_POPULATE_READ: an
 * error is harmless): both then have a PTE table wherever they could
 * fault outside the window. The anonymous memory a worker uses (its
 * stack, its data) was written by this process and has its tables
 * copied; shared mappings (mmkit's memory) and VMAs over 64 MiB it does
 * not touch.
 */
#define MAX_PREFAULT 16384
static unsigned long prefault_addr[MAX_PREFAULT];
static int nr_prefault;

static void plan_prefault(const char *maps, const struct window *w)
{
	const unsigned long pmd = 2UL << 20;
	const char *p;

	nr_prefault = 0;
	for (p = maps; *p;) {
		size_t len;
		const char *next = next_line(p, &len);
		unsigned long s, e, a, ino;
		char perms[8];

		if (sscanf(p, "%lx-%lx %7s %*x %*s %lu", &s, &e, perms, &ino) ==
			    4 &&
		    perms[0] == 'r' && perms[3] == 'p' &&
		    (e <= w->start || s >= w->end) && e - s <= (64UL << 20) &&
		    (ino || memmem(p, len, "[vdso]", 6)))
			for (a = s; a < e && nr_prefault < MAX_PREFAULT;
			     a = (a + pmd) & ~(pmd - 1))
				prefault_addr[nr_prefault++] = a;
		p = next;
	}
}

static void prefault_tables(void)
{
	int i;

	for (i = 0; i < nr_prefault; i++)
		syscall(SYS_madvise, prefault_addr[i], PG, MADV_POPULATE_READ);
}

static bool write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static bool read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* The pipes of one sequence's workers. */
struct workers {
	int cmd[MAXP][2]; /* to worker i: call indices, -1 to quit */
	int res[2]; /* from the workers: { result, value or pid } */
};

#define WORKER_ALARM 120 /* seconds: a forgotten worker ends */

static __attribute__((noreturn)) void worker(const struct workers *wk, int me,
					     const struct dcall *c, int n)
{
	int i;

	for (i = 0; i < 4; i++)
		signal(crash_signals[i], SIG_DFL);
	touch_handlers();
	alarm(WORKER_ALARM);
	/* Ready: the coordinator reads the starting status after this. */
	prefault_tables();
	if (!write_all(wk->res[1], &(int64_t[2]){ 0, 0 }, 2 * sizeof(int64_t)))
		_exit(CHILD_ERROR);
	for (;;) {
		int32_t idx;
		int64_t msg[2] = { 0, 0 };
		uint64_t v = 0;
		pid_t pid;

		if (!read_all(wk->cmd[me][0], &idx, sizeof idx) || idx < 0 ||
		    idx >= n)
			_exit(0);
		switch (c[idx].op) {
		case OP_FORK:
			pid = fork();
			if (pid == 0) {
				/* The child answers, once its tables are
				 * in place. */
				me = c[idx].child;
				alarm(WORKER_ALARM);
				prefault_tables();
				msg[1] = getpid();
				if (!write_all(wk->res[1], msg, sizeof msg))
					_exit(CHILD_ERROR);
				continue;
			}
			if (pid > 0)
				continue;
			msg[0] = -errno;
			break;
		case OP_EXIT:
			if (!write_all(wk->res[1], msg, sizeof msg))
				_exit(CHILD_ERROR);
			_exit(0);
		default:
			msg[0] = real_call(&c[idx], &v);
			msg[1] = (int64_t)v;
			break;
		}
		if (!write_all(wk->res[1], msg, sizeof msg))
			_exit(CHILD_ERROR);
	}
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* Wait until @fd (a pipe, or a pidfd) is readable: true, or false after
 * @seconds. A second descriptor @fd2 (or -1) may end the wait too:
 * *@which says which one did. */
static bool wait_readable(int fd, int fd2, int seconds, int *which)
{
	struct pollfd pf[2] = { { .fd = fd, .events = POLLIN },
				{ .fd = fd2, .events = POLLIN } };

	for (;;) {
		int r = poll(pf, fd2 >= 0 ? 2 : 1, seconds * 1000);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		/* poll() tests the descriptors one after the other: a worker
		 * that answers and exits between the two tests shows only
		 * its exit. Its answer is in the pipe before it exits, so
		 * look at the pipe once more. */
		if (!pf[0].revents && pf[1].revents) {
			if (poll(pf, 1, 0) < 0)
				pf[0].revents = 0;
		}
		if (which)
			*which = pf[0].revents ? 0 : 1;
		return true;
	}
}

/* A worker's /proc files, read by the coordinator. */
static void read_proc(pid_t pid, const char *file, char *buf)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	if (read_file(path, buf, PROC_CAP) < 0)
		buf[0] = '\0';
}

struct hostbuf {
	char *maps, *smaps, *status, *rep;
};

/* The report of every live worker, in process order. */
static char *kernel_report(struct hostbuf *hb, const pid_t *pid,
			   const bool *live, long (*base)[NR_STATUS_KEYS],
			   const struct window *w)
{
	struct sbuf out;
	char *r;
	int p;

	sb_init(&out, hb->rep, REPORT_CAP);
	for (p = 0; p < MAXP; p++) {
		if (!live[p])
			continue;
		read_proc(pid[p], "maps", hb->maps);
		read_proc(pid[p], "smaps", hb->smaps);
		read_proc(pid[p], "status", hb->status);
		sb_printf(&out, "[process %d]\n", p + 1);
		build_report(&out, hb->maps, hb->smaps, hb->status, w, base[p],
			     true);
	}
	r = strdup(out.p);
	assert_non_null(r);
	return r;
}

/* Run @c on the kernel in worker processes; @k gets the results and
 * reports. */
static void run_kernel(const struct dcall *c, int n, const struct window *w,
		       struct hostbuf *hb, struct kside *k)
{
	struct workers wk;
	pid_t pid[MAXP], order[MAX_CALLS + 1];
	int pidfd[MAXP], norder = 0, i, p, st;
	bool live[MAXP] = { false };
	long base[MAXP][NR_STATUS_KEYS];

	memset(k, 0, sizeof *k);
	k->status = CHILD_ERROR;
	for (p = 0; p < MAXP; p++) {
		pidfd[p] = -1;
		assert_int_equal(pipe(wk.cmd[p]), 0);
	}
	assert_int_equal(pipe(wk.res), 0);
	host_memfd = (int)syscall(SYS_memfd_create, FILE_NAME, 0U);
	assert_true(host_memfd >= 0);
	assert_int_equal(ftruncate(host_memfd, (off_t)(FILE_PAGES * PG)), 0);
	read_proc(getpid(), "maps", hb->maps);
	plan_prefault(hb->maps, w);
	fflush(stdout);
	fflush(stderr);
	pid[0] = fork();
	assert_true(pid[0] >= 0);
	if (pid[0] == 0)
		worker(&wk, 0, c, n);
	close(host_memfd);
	live[0] = true;
	order[norder++] = pid[0];
	pidfd[0] = (int)syscall(SYS_pidfd_open, pid[0], 0);
	if (pidfd[0] < 0) {
		snprintf(k->why, sizeof k->why, "pidfd_open: %s",
			 strerror(errno));
		goto out;
	}
	{
		int64_t ready[2];
		int which = 1;

		if (!wait_readable(wk.res[0], pidfd[0], 30, &which) ||
		    which != 0 || !read_all(wk.res[0], ready, sizeof ready)) {
			snprintf(k->why, sizeof k->why,
				 "kernel process 1 did not start");
			goto out;
		}
	}
	read_proc(pid[0], "maps", hb->maps);
	read_proc(pid[0], "status", hb->status);
	if (!window_free(hb->maps, w)) {
		k->status = CHILD_BUSY;
		goto out;
	}
	if (!window_tables_alone(hb->maps, w))
		pte_fields = false;
	status_base(hb->status, base[0]);
	k->status = CHILD_OK;
	for (i = 0; i < n; i++) {
		int32_t idx = i;
		int64_t msg[2] = { 0, 0 };
		int which = 0;

		p = c[i].proc;
		if (p < 0 || p >= MAXP || !live[p]) {
			msg[0] = -ESRCH;
		} else if (c[i].op == OP_FORK &&
			   (c[i].child < 0 || c[i].child >= MAXP)) {
			msg[0] = -EINVAL;
		} else if (c[i].op == OP_FORK && live[c[i].child]) {
			msg[0] = -EEXIST;
		} else if (!write_all(wk.cmd[p][1], &idx, sizeof idx) ||
			   !wait_readable(wk.res[0], pidfd[p], 30, &which) ||
			   which != 0 ||
			   !read_all(wk.res[0], msg, sizeof msg)) {
			snprintf(k->why, sizeof k->why,
				 "kernel process %d did not answer call #%d",
				 p + 1, i);
			k->status = CHILD_ERROR;
			break;
		}
		if (c[i].op == OP_FORK && !msg[0]) {
			int ch = c[i].child;

			pid[ch] = (pid_t)msg[1];
			order[norder++] = pid[ch];
			live[ch] = true;
			memcpy(base[ch], base[p], sizeof base[p]);
			pidfd[ch] = (int)syscall(SYS_pidfd_open, pid[ch], 0);
			msg[1] = 0;
			if (pidfd[ch] < 0) {
				snprintf(k->why, sizeof k->why,
					 "pidfd_open: %s", strerror(errno));
				k->status = CHILD_ERROR;
				break;
			}
		} else if (c[i].op == OP_EXIT && !msg[0] && live[p]) {
			/* exit_mm() is done when the pidfd is readable. */
			if (!wait_readable(pidfd[p], -1, 30, NULL)) {
				snprintf(k->why, sizeof k->why,
					 "kernel process %d did not exit",
					 p + 1);
				k->status = CHILD_ERROR;
				break;
			}
			close(pidfd[p]);
			pidfd[p] = -1;
			live[p] = false;
		}
		k->ret[i] = (long)msg[0];
		k->value[i] = c[i].op == OP_READ ? (uint64_t)msg[1] : 0;
		k->rep[i] = kernel_report(hb, pid, live, base, w);
		k->n++;
	}
out:
	for (p = 0; p < MAXP; p++) {
		int32_t quit = -1;

		if (live[p] && !write_all(wk.cmd[p][1], &quit, sizeof quit))
			kill(pid[p], SIGKILL);
		if (pidfd[p] >= 0)
			close(pidfd[p]);
		close(wk.cmd[p][0]);
		close(wk.cmd[p][1]);
	}
	close(wk.res[0]);
	close(wk.res[1]);
	/* A worker's parent is reaped before it, so it is ours by then. */
	for (i = 0; i < norder; i++) {
		st = 0;
		while (waitpid(order[i], &st, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(st) && !WEXITSTATUS(st))
			continue;
		if (k->status == CHILD_OK) {
			k->status = CHILD_ERROR;
			snprintf(k->why, sizeof k->why,
				 "kernel process %s %d after %d calls",
				 WIFSIGNALED(st) ? "killed by signal" :
						   "exit status",
				 WIFSIGNALED(st) ? WTERMSIG(st) :
						   WEXITSTATUS(st),
				 k->n);
		}
	}
}

static void kside_free(struct kside *k)
{
	int i;

	for (i = 0; i < k->n; i++)
		free(k->rep[i]);
	k->n = 0;
}

/* ---- the mmkit side ---- */

/* The report of every live process of mmkit, in process order. */
static char *sim_report(struct mmk_machine *m, const struct window *w,
			const bool *live, long (*base)[NR_STATUS_KEYS])
{
	char *rep = malloc(REPORT_CAP);
	struct sbuf out;
	int p;

	assert_non_null(rep);
	sb_init(&out, rep, REPORT_CAP);
	for (p = 0; p < MAXP; p++) {
		char path[3][32];
		char *maps, *smaps, *status;

		if (!live[p])
			continue;
		snprintf(path[0], sizeof path[0], "/proc/%d/maps", p + 1);
		snprintf(path[1], sizeof path[1], "/proc/%d/smaps", p + 1);
		snprintf(path[2], sizeof path[2], "/proc/%d/status", p + 1);
		maps = mmk_proc_read(m, path[0]);
		smaps = mmk_proc_read(m, path[1]);
		status = mmk_proc_read(m, path[2]);
		sb_printf(&out, "[process %d]\n", p + 1);
		if (!maps || !smaps || !status)
			sb_printf(&out, "!! mmk_proc_read: %s missing\n",
				  !maps	 ? "maps" :
				  !smaps ? "smaps" :
					   "status");
		else
			build_report(&out, maps, smaps, status, w, base[p],
				     false);
		free(maps);
		free(smaps);
		free(status);
	}
	return rep;
}

static void sim_base(struct mmk_machine *m, int pid, long *base_kb)
{
	char path[32], *status;
	int k;

	snprintf(path, sizeof path, "/proc/%d/status", pid);
	status = mmk_proc_read(m, path);
	for (k = 0; k < NR_STATUS_KEYS; k++)
		base_kb[k] = 0;
	if (status)
		status_base(status, base_kb);
	free(status);
}

/* ---- one sequence on both sides ---- */

enum { KIND_NONE, KIND_RET, KIND_STATE, KIND_CHECK, KIND_SPAWN };

struct outcome {
	bool skipped; /* the window was not free in the child */
	bool child_failed;
	int at; /* first mismatching call, or -1 */
	int kind; /* KIND_* */
	int cls; /* DIFF_* for KIND_STATE */
	int n; /* calls run on mmkit */
	long mret[MAX_CALLS];
	uint64_t mvalue[MAX_CALLS]; /* reads */
	char *mrep; /* mmkit's report after call @at */
	char why[512];
	struct kside k;
};

struct ctx {
	struct mmk_machine *m;
	struct window w;
	int verbose; /* 2: print the kernel's reports too */
	/* Without CAP_IPC_LOCK the host process is bound by its
	 * RLIMIT_MEMLOCK; so is mmkit's process then. */
	bool unprivileged;
	unsigned long memlock;
	struct hostbuf hb;
};

static void outcome_free(struct outcome *o)
{
	free(o->mrep);
	o->mrep = NULL;
	kside_free(&o->k);
}

/* Do both sides' results of call @i differ? */
static bool ret_differs(const struct dcall *c, const struct outcome *o, int i)
{
	return o->mret[i] != o->k.ret[i] ||
	       (c[i].op == OP_READ && o->mvalue[i] != o->k.value[i]);
}

/*
 * Run @c on both sides and compare after each call; stop at the first
 * mismatch. mmk_check() runs after every call if @check_all, else only
 * after the last one.
 */
static void run_seq(struct ctx *x, const struct dcall *c, int n, bool check_all,
		    struct outcome *o)
{
	long base_kb[MAXP][NR_STATUS_KEYS];
	bool live[MAXP] = { false };
	int i, p, err;

	o->skipped = false;
	o->child_failed = false;
	o->at = -1;
	o->kind = KIND_NONE;
	o->cls = 0;
	o->n = 0;
	o->mrep = NULL;
	o->why[0] = '\0';
	o->k.n = 0;
	if (n < 1)
		return;
	/* Huge pages (and khugepaged) only come with MADV_HUGEPAGE. */
	rss_fields = rss_wanted;
	pte_fields = pte_wanted;
	for (i = 0; i < n; i++)
		if (c[i].op == OP_MADVISE && c[i].advice == MADV_HUGEPAGE)
			rss_fields = pte_fields = false;
	run_kernel(c, n, &x->w, &x->hb, &o->k);
	if (o->k.status == CHILD_BUSY) {
		o->skipped = true;
		return;
	}
	if (o->k.status != CHILD_OK) {
		o->child_failed = true;
		snprintf(o->why, sizeof o->why, "%s",
			 o->k.why[0] ? o->k.why : "kernel child failed");
		return;
	}
	/* The kernel is the reference: its reports must pass the format
	 * checks, else the checks are wrong. */
	for (i = 0; i < o->k.n; i++) {
		const char *bad = strstr(o->k.rep[i], "!!");

		if (bad) {
			o->child_failed = true;
			snprintf(o->why, sizeof o->why,
				 "the kernel's report after call #%d fails the "
				 "test's format checks:\n%s",
				 i, o->k.rep[i]);
			return;
		}
	}
	o->mret[0] = 0;
	sim_memfd = mmk_memfd_create(FILE_NAME, FILE_PAGES * PG);
	assert_non_null(sim_memfd);
	err = mmk_spawn(PID, x->unprivileged);
	if (!err && x->unprivileged)
		err = mmk_setrlimit(PID, MMK_RLIMIT_MEMLOCK, x->memlock);
	if (err) {
		o->at = 0;
		o->kind = KIND_SPAWN;
		snprintf(o->why, sizeof o->why, "mmk_spawn: %d", err);
		fput(sim_memfd);
		sim_memfd = NULL;
		return;
	}
	live[0] = true;
	sim_base(x->m, PID, base_kb[0]);
	for (i = 0; i < n; i++) {
		char *rep;
		int cls;

		crash_call = i;
		o->mret[i] = sim_call(&c[i], &o->mvalue[i]);
		o->n = i + 1;
		p = c[i].proc;
		if (c[i].op == OP_FORK && !o->mret[i] && c[i].child >= 0 &&
		    c[i].child < MAXP) {
			live[c[i].child] = true;
			memcpy(base_kb[c[i].child], base_kb[p],
			       sizeof base_kb[p]);
		}
		if (c[i].op == OP_EXIT && !o->mret[i] && p >= 0 && p < MAXP)
			live[p] = false;
		/* A fault that found no memory kills the process. */
		if (c[i].op == OP_TOUCH || c[i].op == OP_READ ||
		    c[i].op == OP_WRITE)
			if (o->mret[i] == MMK_SIGKILL && p >= 0 && p < MAXP)
				live[p] = false;
		rep = sim_report(x->m, &x->w, live, base_kb);
		if (x->verbose) {
			char a[320], kr[32], mr[32];

			fmt_call(a, sizeof a, &c[i]);
			fmt_ret(kr, sizeof kr, &c[i], o->k.ret[i],
				o->k.value[i]);
			fmt_ret(mr, sizeof mr, &c[i], o->mret[i], o->mvalue[i]);
			fprintf(stderr, "  #%d %s = %s / %s\n", i, a, kr, mr);
			if (x->verbose > 1)
				print_lines(stderr, o->k.rep[i]);
		}
		cls = report_diff(o->k.rep[i], rep);
		if ((check_all || i == n - 1) &&
		    mmk_check(x->m, o->why, sizeof o->why)) {
			o->kind = KIND_CHECK;
		} else if (ret_differs(c, o, i)) {
			o->kind = KIND_RET;
			o->cls = cls;
		} else if (cls) {
			o->kind = KIND_STATE;
			o->cls = cls;
		}
		if (o->kind != KIND_NONE) {
			o->at = i;
			o->mrep = rep;
			break;
		}
		free(rep);
	}
	crash_call = -1;
	for (p = 0; p < MAXP; p++) {
		if (!live[p])
			continue;
		err = mmk_exit(p + 1);
		if (err && o->kind == KIND_NONE) {
			o->at = n - 1;
			o->kind = KIND_SPAWN;
			snprintf(o->why, sizeof o->why, "mmk_exit(%d): %d",
				 p + 1, err);
		}
	}
	fput(sim_memfd);
	sim_memfd = NULL;
}

/* What kind of bug a mismatch is, to recognise it again. */
struct sig {
	enum dop op;
	int kind, cls;
	long kret, mret; /* errno, or 1 for success */
};

/* An access's signal, an errno, or 1 for any other success. */
static long ret_class(enum dop op, long r)
{
	if (op == OP_TOUCH || op == OP_READ || op == OP_WRITE)
		return r;
	return r < 0 && r >= -4095 ? r : 1;
}

static struct sig outcome_sig(const struct dcall *c, const struct outcome *o)
{
	struct sig s = { 0 };

	s.op = c[o->at].op;
	s.kind = o->kind;
	s.cls = o->kind == KIND_STATE ? o->cls : 0;
	if (o->kind == KIND_RET) {
		s.kret = ret_class(s.op, o->k.ret[o->at]);
		s.mret = ret_class(s.op, o->mret[o->at]);
	}
	return s;
}

static bool sig_equal(const struct sig *a, const struct sig *b)
{
	return a->op == b->op && a->kind == b->kind && a->cls == b->cls &&
	       a->kret == b->kret && a->mret == b->mret;
}

static void describe_sig(char *buf, size_t len, const struct sig *s)
{
	static const char *const kinds[] = { "none", "result", "state",
					     "mmk_check", "spawn/exit" };
	char what[128] = "";

	if (s->kind == KIND_STATE)
		snprintf(what, sizeof what, " (%s%s%s%s%s)",
			 s->cls & DIFF_MAPS ? "maps " : "",
			 s->cls & DIFF_FLAGS ? "VmFlags " : "",
			 s->cls & DIFF_STATUS ? "status " : "",
			 s->cls & DIFF_FORMAT ? "format " : "",
			 s->cls & DIFF_SMAPS ? "smaps fields" : "");
	if (s->kind == KIND_RET) {
		struct dcall d = { .op = s->op };
		char k[32], m[32];

		fmt_ret(k, sizeof k, &d, s->kret, 0);
		fmt_ret(m, sizeof m, &d, s->mret, 0);
		if (s->kret == s->mret) /* a read's value */
			snprintf(what, sizeof what, " (the value read)");
		else
			snprintf(what, sizeof what, " (kernel %s, mmkit %s)",
				 s->kret == 1 ? "ok" : k,
				 s->mret == 1 ? "ok" : m);
	}
	snprintf(buf, len, "%s: %s differs%s", op_names[s->op], kinds[s->kind],
		 what);
}

/* The calls, both sides' results, and the window around call @o->at. */
static void print_outcome(FILE *f, const char *title, const struct dcall *c,
			  const struct outcome *o)
{
	char a[320], kr[32], mr[32], sdesc[256];
	struct sig s = outcome_sig(c, o);
	int i;

	describe_sig(sdesc, sizeof sdesc, &s);
	fprintf(f, "%s: %s at call #%d\n", title, sdesc, o->at);
	fprintf(f, "  # script (mmkit run -): result kernel / mmkit\n");
	if (boot_line)
		fprintf(f, "  %s\n", boot_line);
	for (i = 0; i <= o->at; i++)
		if (c[i].op == OP_MMAP && c[i].file) {
			fprintf(f, "  file " FILE_NAME " %#lx memfd\n",
				FILE_PAGES * PG);
			break;
		}
	fprintf(f, "  %s\n", spawn_line);
	for (i = 0; i <= o->at; i++) {
		bool ok = fmt_call(a, sizeof a, &c[i]);

		fmt_ret(kr, sizeof kr, &c[i], o->k.ret[i], o->k.value[i]);
		fmt_ret(mr, sizeof mr, &c[i], o->mret[i], o->mvalue[i]);
		fprintf(f, "  %-62s # #%d %s / %s%s%s\n", a, i, kr, mr,
			ret_differs(c, o, i) ? "  <-- differs" : "",
			ok ? "" : " (not script syntax)");
	}
	fprintf(f, "  cat /proc/%d/maps\n", c[o->at].proc + 1);
	if (o->kind == KIND_CHECK)
		fprintf(f, "  mmk_check: %s\n", o->why);
	if (o->at > 0) {
		fprintf(f, "  window before call #%d (both sides agreed):\n",
			o->at);
		print_lines(f, o->k.rep[o->at - 1]);
	}
	fprintf(f, "  window after call #%d:\n", o->at);
	if (o->mrep)
		print_side_by_side(f, o->k.rep[o->at], o->mrep);
	fflush(f);
}

/*
 * Shrink the failing @c (its first mismatch @o) to fewer calls that still
 * fail the same way at their last call. Returns the new length; @c is
 * rewritten in place.
 */
static int minimize(struct ctx *x, struct dcall *c, const struct outcome *o)
{
	struct sig want = outcome_sig(c, o), got;
	struct dcall *t = malloc(sizeof *t * MAX_CALLS);
	struct outcome *r = malloc(sizeof *r);
	int n = o->at + 1, chunk = n / 2, tries = 0, i;

	assert_true(t && r);
	if (chunk < 1)
		chunk = 1;
	while (chunk >= 1 && tries < MIN_TRIES) {
		bool progress = false;

		for (i = 0; i + chunk < n && tries < MIN_TRIES;) {
			int m = 0, j;
			bool same;

			for (j = 0; j < n; j++)
				if (j < i || j >= i + chunk)
					t[m++] = c[j];
			tries++;
			run_seq(x, t, m, want.kind == KIND_CHECK, r);
			same = r->at >= 0 && r->at < m;
			if (same) {
				got = outcome_sig(t, r);
				same = sig_equal(&got, &want);
			}
			if (same) {
				n = r->at + 1;
				memcpy(c, t, sizeof *c * (size_t)n);
				progress = true;
			} else {
				i += chunk;
			}
			outcome_free(r);
		}
		if (!progress)
			chunk /= 2;
		else if (chunk > n / 2)
			chunk = n / 2 > 0 ? n / 2 : 1;
	}
	free(t);
	free(r);
	return n;
}

/* Report the failing sequence @c: the original and a minimal one. */
static void report_mismatch(struct ctx *x, struct dcall *c,
			    const struct outcome *o, uint64_t seed, bool shrink)
{
	char title[128];
	struct outcome *r;
	int n;

	snprintf(title, sizeof title, "vma_diff: seed %llu (window %#lx)",
		 (unsigned long long)seed, x->w.start);
	print_outcome(stderr, title, c, o);
	if (!shrink || o->at < 1)
		return;
	n = minimize(x, c, o);
	r = malloc(sizeof *r);
	assert_non_null(r);
	run_seq(x, c, n, true, r);
	if (r->at >= 0) {
		snprintf(title, sizeof title,
			 "vma_diff: seed %llu, minimal reproducer (%d calls)",
			 (unsigned long long)seed, r->at + 1);
		print_outcome(stderr, title, c, r);
	}
	outcome_free(r);
	free(r);
}

/* ---- the generator ---- */

struct gen {
	uint64_t s;
	unsigned long base; /* window start */
	unsigned long area; /* pages most calls fall into */
	unsigned long bounds[64]; /* page numbers of earlier calls' edges */
	int nb, nextb;
	/* Earlier mmap and mremap targets (first page, pages): touches go
	 * there mostly. */
	unsigned long mapped[32][2];
	int nm, nextm;
	/* Addresses written earlier: reads go there mostly. */
	unsigned long written[16];
	int nw, nextw;
	/* Processes: live ones, the one most calls come from, and whether
	 * this sequence forks at all. */
	bool live[MAXP];
	int nlive, cur;
	bool forks;
	int fork_at; /* a call that is a fork, in sequences that fork */
};

/* mlockall(MCL_CURRENT) is generated only with CAP_IPC_LOCK (the kernel's
 * process is far over any RLIMIT_MEMLOCK), and only with MCL_ONFAULT:
 * without it, the kernel would fault in the whole test process, mmkit's
 * simulated RAM (a 1 GiB memfd mapping) and ASan's shadow included. */
static bool gen_mcl_current;

static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned long rnd(struct gen *g, unsigned long n)
{
	return n ? (unsigned long)(next_rand(&g->s) % n) : 0;
}

static bool chance(struct gen *g, unsigned int percent)
{
	return rnd(g, 100) < percent;
}

static void add_bound(struct gen *g, unsigned long page)
{
	if (page >= WIN_PAGES)
		return;
	g->bounds[g->nextb] = page;
	g->nextb = (g->nextb + 1) % 64;
	if (g->nb < 64)
		g->nb++;
}

static void add_mapped(struct gen *g, unsigned long page, unsigned long pages)
{
	g->mapped[g->nextm][0] = page;
	g->mapped[g->nextm][1] = pages ? pages : 1;
	g->nextm = (g->nextm + 1) % 32;
	if (g->nm < 32)
		g->nm++;
}

/* A page of the window: near earlier edges, in the busy area, or far. */
static unsigned long pick_page(struct gen *g)
{
	unsigned long r = rnd(g, 100), p;

	if (g->nb && r < 50) {
		p = g->bounds[rnd(g, (unsigned long)g->nb)];
		r = rnd(g, 10);
		if (r == 0 && p > 0)
			p--;
		else if (r == 1)
			p++;
		return p;
	}
	if (r < 97)
		return rnd(g, g->area);
	return g->area + rnd(g, WIN_PAGES / 2);
}

static unsigned long pick_pages(struct gen *g)
{
	unsigned long r = rnd(g, 100);

	if (r < 75)
		return 1 + rnd(g, 8);
	if (r < 93)
		return 1 + rnd(g, 16);
	if (r < 99)
		return 17 + rnd(g, 48);
	return 512 + rnd(g, 512); /* 2-4 MiB: room for a huge page */
}

/* Clamp [page, +pages) into the window. */
static unsigned long fit(unsigned long page, unsigned long pages)
{
	return page + pages > WIN_PAGES - 1 ? WIN_PAGES - 1 - pages : page;
}

static unsigned long addr_of(struct gen *g, unsigned long page, bool odd)
{
	unsigned long a = g->base + page * PG;

	if (odd && chance(g, 3))
		a += 1 + rnd(g, PG - 1);
	return a;
}

/* @pages as a byte length: sometimes ragged, sometimes 0 if @zero_ok. */
static unsigned long len_of(struct gen *g, unsigned long pages, bool zero_ok)
{
	unsigned long r = rnd(g, 100);

	if (zero_ok && r < 3)
		return 0;
	/* So large that start + len wraps around (never by more than the
	 * window's address, or the range would cover the whole process). */
	if (zero_ok && r < 4)
		return 0UL - PG * (1 + rnd(g, 1024)) + rnd(g, PG);
	if (r < 12)
		return pages * PG - 1 - rnd(g, PG - 1);
	return pages * PG;
}

/* Reads of PROT_EXEC-only memory fault on this host (protection keys). */
static bool host_exec_only;

static bool probe_exec_only(void)
{
	/* Raw system calls, as the workers make them (mmkit's mman.h is
	 * included instead of the host's). */
	long r = syscall(SYS_mmap, 0UL, 4096UL, (unsigned long)PROT_EXEC,
			 (unsigned long)(MAP_PRIVATE | MAP_ANONYMOUS), -1L, 0L);
	void *p = (void *)r;
	int status = 0;
	pid_t pid;

	if (r == -1)
		return false;
	pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		(void)*(volatile char *)p;
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	syscall(SYS_munmap, p, 4096UL);
	return pid > 0 && WIFSIGNALED(status);
}

/*
 * Guard regions as Linux 6.18 has them: MADV_GUARD_INSTALL works and marks
 * its VMA "gu" (VM_MAYBE_GUARD, sticky). On an older host the generator
 * asks for no guard advice and the directed sequences with one are left
 * out.
 */
static bool host_guards;

static bool probe_guards(void)
{
	long r = syscall(SYS_mmap, 0UL, 8192UL,
			 (unsigned long)(PROT_READ | PROT_WRITE),
			 (unsigned long)(MAP_PRIVATE | MAP_ANONYMOUS), -1L, 0L);
	char *smaps = malloc(1 << 20), head[32], line[256];
	const char *at, *flags;
	bool ok = false;

	if (r == -1 || !smaps)
		goto out;
	if (syscall(SYS_madvise, (unsigned long)r, 4096UL,
		    (long)MADV_GUARD_INSTALL) != 0)
		goto out;
	snprintf(head, sizeof head, "\n%lx-", (unsigned long)r);
	if (read_file("/proc/self/smaps", smaps, 1 << 20) <= 0)
		goto out;
	at = strstr(smaps, head);
	flags = at ? strstr(at, "VmFlags:") : NULL;
	if (flags) {
		snprintf(line, sizeof line, "%.*s ", (int)strcspn(flags, "\n"),
			 flags);
		ok = strstr(line, " gu ") != NULL;
	}
out:
	if (r != -1)
		syscall(SYS_munmap, (unsigned long)r, 8192UL);
	free(smaps);
	return ok;
}

/*
 * mseal(2), Linux 6.10 (x86_64). Probed in a child: a seal lasts as long
 * as the process. Without it the generator asks for no mseal.
 */
static bool host_mseal;

static bool probe_mseal(void)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		long r = syscall(SYS_mmap, 0UL, 4096UL,
				 (unsigned long)PROT_READ,
				 (unsigned long)(MAP_PRIVATE | MAP_ANONYMOUS),
				 -1L, 0L);

		_exit(r != -1 && !syscall(SYS_mseal_nr, r, 4096UL, 0UL) &&
				      syscall(SYS_munmap, r, 4096UL) == -1 &&
				      errno == EPERM ?
			      0 :
			      1);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool is_guard_advice(const struct dcall *c)
{
	return c->op == OP_MADVISE && (c->advice == MADV_GUARD_INSTALL ||
				       c->advice == MADV_GUARD_REMOVE);
}

static unsigned long pick_prot(struct gen *g)
{
	unsigned long r = rnd(g, 100);

	if (r < 10)
		return PROT_NONE;
	if (r < 30)
		return PROT_READ;
	if (r < 75)
		return PROT_READ | PROT_WRITE;
	if (r < 88)
		return PROT_READ | PROT_EXEC;
	if (r < 96)
		return PROT_READ | PROT_WRITE | PROT_EXEC;
	if (r < 97)
		return PROT_WRITE;
	if (r < 98)
		return host_exec_only ? PROT_READ | PROT_EXEC : PROT_EXEC;
	return PROT_WRITE | PROT_EXEC;
}

static void gen_mmap(struct gen *g, struct dcall *c, bool valid)
{
	unsigned long pages = pick_pages(g), page = fit(pick_page(g), pages), r;

	c->op = OP_MMAP;
	c->addr = addr_of(g, page, !valid);
	c->len = valid ? pages * PG : len_of(g, pages, true);
	c->prot = pick_prot(g);
	/* A fifth map the memfd: mostly within it, now and then past its
	 * end (SIGBUS there) or at an unaligned offset (EINVAL). */
	c->file = chance(g, 20);
	if (c->file) {
		c->off = rnd(g, FILE_PAGES + 4) * PG;
		if (chance(g, 3))
			c->off += 1 + rnd(g, PG - 1);
	}
	r = rnd(g, 100);
	c->flags = c->file ? 0 : MAP_ANONYMOUS;
	if (r < 64 || valid)
		c->flags |= r < 70 ? MAP_PRIVATE : MAP_SHARED;
	else if (r < 94)
		c->flags |= MAP_SHARED;
	else if (r < 97)
		c->flags |= MAP_SHARED_VALIDATE; /* private and shared */
	/* else: neither */
	r = rnd(g, 100);
	if (r < 80 || valid)
		c->flags |= MAP_FIXED;
	else if (r < 97)
		c->flags |= MAP_FIXED_NOREPLACE;
	else
		c->flags |= MAP_FIXED | MAP_FIXED_NOREPLACE;
	if (chance(g, 12))
		c->flags |= MAP_NORESERVE;
	if (chance(g, 10))
		c->flags |= MAP_POPULATE;
	if (chance(g, 10))
		c->flags |= MAP_LOCKED;
	if ((c->flags & MAP_POPULATE) && chance(g, 20))
		c->flags |= MAP_NONBLOCK; /* populate nothing */
	if (chance(g, 2))
		c->flags |= MAP_GROWSDOWN;
	if (chance(g, 1))
		c->prot |= X_PROT_SEM;
	add_bound(g, page);
	add_bound(g, page + pages);
	add_mapped(g, page, pages);
}

static void gen_mremap(struct gen *g, struct dcall *c)
{
	unsigned long op = pick_pages(g), np, dst,
		      page = fit(pick_page(g), op + 8), r = rnd(g, 100);

	c->op = OP_MREMAP;
	c->addr = addr_of(g, page, true);
	c->len = len_of(g, op, false);
	c->new_addr = 0;
	if (r < 20) { /* shrink in place; maymove never moves a shrink */
		np = op > 1 ? 1 + rnd(g, op - 1) : 1;
		c->new_len = len_of(g, np, false);
		c->flags = chance(g, 25) ? MREMAP_MAYMOVE : 0;
	} else if (r < 40) { /* grow in place, or ENOMEM */
		np = op + 1 + rnd(g, 8);
		c->new_len = len_of(g, np, false);
		c->flags = 0;
		if (chance(g, 5))
			c->len = chance(g, 30) ? 0UL - 1 - rnd(g, PG - 1) : 0;
	} else if (r < 45) { /* same size: a no-op */
		np = op;
		c->new_len = c->len;
		c->flags = chance(g, 50) ? MREMAP_MAYMOVE : 0;
	} else {
		/* 45-64: move, same size; 65-93: move and resize, dontunmap,
		 * dup; 94-99: invalid. */
		np = r >= 65 && r < 94 ? pick_pages(g) : op;
		dst = fit(pick_page(g), np);
		c->new_addr = g->base + dst * PG;
		c->new_len = np == op ? c->len : len_of(g, np, false);
		c->flags = MREMAP_MAYMOVE | MREMAP_FIXED;
		if (r >= 80 && r < 90) {
			c->flags |= MREMAP_DONTUNMAP;
			if (!chance(g, 10)) {
				np = op;
				c->new_len = c->len;
			}
		} else if (r >= 90 && r < 94) { /* duplicate: old_len 0 */
			/* or one within a page of ~0UL, which rounds up to 0 */
			c->len = chance(g, 30) ? 0UL - 1 - rnd(g, PG - 1) : 0;
		} else if (r >= 94) {
			switch (rnd(g, 5)) {
			case 0:
				c->flags = MREMAP_FIXED;
				break;
			case 1:
				c->flags = MREMAP_FIXED | MREMAP_DONTUNMAP;
				break;
			case 2:
				c->flags |= 8;
				break;
			case 3:
				c->new_addr += 1 + rnd(g, PG - 1);
				break;
			default:
				c->new_len = 0;
				break;
			}
		}
		add_bound(g, dst);
		add_bound(g, dst + np);
		add_mapped(g, dst, np);
	}
	add_bound(g, page);
	add_bound(g, page + op);
	add_bound(g, page + np);
}

static const int advices[] = {
	MADV_DONTNEED,	     MADV_DONTNEED,	  MADV_WILLNEED,
	MADV_NORMAL,	     MADV_RANDOM,	  MADV_SEQUENTIAL,
	MADV_DONTFORK,	     MADV_DONTFORK,	  MADV_DOFORK,
	MADV_DONTDUMP,	     MADV_DONTDUMP,	  MADV_DODUMP,
	MADV_FREE,	     MADV_WIPEONFORK,	  MADV_KEEPONFORK,
	MADV_HUGEPAGE,	     MADV_NOHUGEPAGE,	  999,
	MADV_REMOVE,	     MADV_MERGEABLE,	  MADV_UNMERGEABLE,
	MADV_COLD,	     MADV_PAGEOUT,	  MADV_POPULATE_READ,
	MADV_POPULATE_WRITE, MADV_POPULATE_WRITE, MADV_DONTNEED_LOCKED,
	MADV_GUARD_INSTALL,  MADV_GUARD_INSTALL,  MADV_GUARD_REMOVE,
};

/* touch: 1-8 pages, mostly starting inside an earlier mmap or mremap
 * target; now and then unaligned, ragged or empty. */
static void gen_touch(struct gen *g, struct dcall *c)
{
	unsigned long pages = 1 + rnd(g, 8), page, r;

	c->op = OP_TOUCH;
	c->write = chance(g, 55);
	if (g->nm && chance(g, 85)) {
		const unsigned long *m =
			g->mapped[rnd(g, (unsigned long)g->nm)];

		page = m[0] + rnd(g, m[1]);
		if (page + pages > m[0] + m[1] && chance(g, 75))
			pages = m[0] + m[1] - page; /* stay inside */
	} else {
		page = pick_page(g);
	}
	page = fit(page, pages);
	c->addr = g->base + page * PG;
	c->len = pages * PG;
	r = rnd(g, 100);
	if (r < 8)
		c->addr += 1 + rnd(g, PG - 1);
	else if (r < 16)
		c->len -= 1 + rnd(g, PG - 1);
	else if (r < 18)
		c->len = 0;
}

/* A live process other than the current one now and then. */
static int pick_proc(struct gen *g)
{
	int p, k;

	if (g->nlive < 2 || chance(g, 70))
		return g->cur;
	k = (int)rnd(g, (unsigned long)g->nlive);
	for (p = 0; p < MAXP; p++)
		if (g->live[p] && k-- == 0)
			return p;
	return g->cur;
}

/* After an exit: any live process goes on. */
static void pick_cur(struct gen *g)
{
	int p, k = (int)rnd(g, (unsigned long)g->nlive);

	for (p = 0; p < MAXP; p++)
		if (g->live[p] && k-- == 0)
			g->cur = p;
}

/* read and write: 8 bytes, aligned, inside earlier mmap or mremap targets
 * mostly; reads mostly where something was written; a few cross a page
 * boundary. */
static void gen_rw(struct gen *g, struct dcall *c, bool write)
{
	unsigned long page;

	c->op = write ? OP_WRITE : OP_READ;
	if (!write && g->nw && chance(g, 80)) {
		c->addr = g->written[rnd(g, (unsigned long)g->nw)];
		return;
	}
	if (g->nm && chance(g, 90)) {
		const unsigned long *m =
			g->mapped[rnd(g, (unsigned long)g->nm)];

		page = m[0] + rnd(g, m[1]);
	} else {
		page = pick_page(g);
	}
	page = fit(page, 2);
	c->addr = g->base + page * PG + 8 * rnd(g, PG / 8);
	if (chance(g, 3))
		c->addr = g->base + page * PG + PG - 4;
	if (write) {
		c->value = next_rand(&g->s) | 1; /* never 0 */
		g->written[g->nextw] = c->addr;
		g->nextw = (g->nextw + 1) % 16;
		if (g->nw < 16)
			g->nw++;
	}
}

static void gen_mlockall(struct gen *g, struct dcall *c)
{
	static const unsigned long flags[] = {
		MCL_FUTURE,
		MCL_FUTURE | MCL_ONFAULT,
		MCL_FUTURE,
		MCL_CURRENT | MCL_ONFAULT,
		MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT,
		MCL_CURRENT | MCL_ONFAULT,
		0, /* EINVAL */
		MCL_ONFAULT, /* EINVAL */
		8, /* EINVAL */
	};
	unsigned long n = gen_mcl_current ? 9 : 3;

	c->op = OP_MLOCKALL;
	c->flags = flags[rnd(g, n)];
	if (!gen_mcl_current && chance(g, 10))
		c->flags = flags[6 + rnd(g, 3)];
}

/* fork: the new process takes the lowest free number; the sequence goes
 * on in the parent or in the child. */
static bool gen_fork(struct gen *g, struct dcall *c)
{
	int p;

	for (p = 0; p < MAXP && g->live[p]; p++)
		;
	if (p == MAXP)
		return false;
	c->op = OP_FORK;
	c->proc = pick_proc(g);
	c->child = p;
	g->live[p] = true;
	g->nlive++;
	g->cur = chance(g, 50) ? p : c->proc;
	return true;
}

static void gen_call(struct gen *g, struct dcall *c, int i)
{
	static const unsigned int weights[NR_OPS] = {
		[OP_MMAP] = 220,    [OP_MUNMAP] = 60,	  [OP_MPROTECT] = 120,
		[OP_MLOCK] = 55,    [OP_MUNLOCK] = 50,	  [OP_MREMAP] = 120,
		[OP_MADVISE] = 95,  [OP_TOUCH] = 125,	  [OP_MLOCK2] = 25,
		[OP_MLOCKALL] = 10, [OP_MUNLOCKALL] = 10, [OP_READ] = 50,
		[OP_WRITE] = 50,    [OP_FORK] = 30,	  [OP_EXIT] = 20,
		[OP_MSEAL] = 12,
	};
	unsigned long r, pages, page, total = 0, w[NR_OPS];
	int op;

	memset(c, 0, sizeof *c);
	c->proc = g->cur;
	if (i < 2) {
		gen_mmap(g, c, true);
		return;
	}
	/* With several processes, reads and writes (mostly where something
	 * was written) show what each sees of the others' memory. */
	for (op = 0; op < NR_OPS; op++) {
		w[op] = weights[op];
		if (g->nlive > 1 && op == OP_READ)
			w[op] = 3 * weights[op];
		if (g->nlive > 1 && op == OP_WRITE)
			w[op] = 2 * weights[op];
		if ((op == OP_FORK && !g->forks) ||
		    (op == OP_EXIT && g->nlive < 2) ||
		    (op == OP_MSEAL && !host_mseal))
			w[op] = 0;
		total += w[op];
	}
	r = rnd(g, total);
	for (op = 0; r >= w[op]; op++)
		r -= w[op];
	if (g->forks && i == g->fork_at)
		op = OP_FORK;
	c->proc = pick_proc(g);
	if (op == OP_FORK && gen_fork(g, c))
		return;
	if (op == OP_FORK)
		op = OP_TOUCH;
	if (op == OP_EXIT) {
		c->op = OP_EXIT;
		g->live[c->proc] = false;
		g->nlive--;
		pick_cur(g);
		return;
	}
	if (op == OP_READ || op == OP_WRITE) {
		gen_rw(g, c, op == OP_WRITE);
		return;
	}
	if (op == OP_MLOCKALL) {
		gen_mlockall(g, c);
		return;
	}
	if (op == OP_MUNLOCKALL) {
		c->op = OP_MUNLOCKALL;
		return;
	}
	if (op == OP_MMAP) {
		gen_mmap(g, c, false);
		return;
	}
	if (op == OP_MREMAP) {
		gen_mremap(g, c);
		return;
	}
	if (op == OP_TOUCH) {
		gen_touch(g, c);
		return;
	}
	pages = pick_pages(g);
	page = fit(pick_page(g), pages);
	c->op = (enum dop)op;
	c->addr = addr_of(g, page, true);
	c->len = len_of(g, pages, true);
	if (op == OP_MLOCK2) {
		r = rnd(g, 100);
		c->flags = r < 85 ? MLOCK_ONFAULT : r < 97 ? 0 : 2;
	} else if (op == OP_MSEAL) {
		c->flags = chance(g, 3) ? 1 : 0; /* no flags exist: EINVAL */
	} else if (op == OP_MPROTECT) {
		c->prot = pick_prot(g);
		r = rnd(g, 100);
		if (r < 2)
			c->prot |= 0x40; /* no such bit: EINVAL */
		else if (r < 3)
			c->prot |= X_PROT_SEM;
		else if (r < 4)
			c->prot |= X_PROT_GROWSDOWN;
	} else if (op == OP_MADVISE) {
		c->advice = advices[rnd(g, sizeof advices / sizeof advices[0])];
		if (!host_guards && is_guard_advice(c))
			c->advice = MADV_NORMAL;
	}
	add_bound(g, page);
	add_bound(g, page + pages);
}

/* Does @c's script line have one of the words in the comma-separated
 * @exclude (e.g. "dontunmap,mlock")? */
static bool excluded(const struct dcall *c, const char *exclude)
{
	char line[320];
	const char *p, *w;

	if (!exclude || !*exclude)
		return false;
	fmt_call(line, sizeof line, c);
	for (p = line; *p;) {
		size_t len = strcspn(p, " ,");

		for (w = exclude; *w;) {
			size_t wlen = strcspn(w, ",");

			if (wlen && wlen == len && !strncmp(p, w, len))
				return true;
			w += wlen;
			if (*w)
				w++;
		}
		p += len;
		if (*p)
			p++;
	}
	return false;
}

static void gen_seq(uint64_t seed, const struct window *w, struct dcall *c,
		    int n, const char *exclude)
{
	static const unsigned long areas[] = { 24, 48, 96, 256 };
	struct gen g = { .s = seed, .base = w->start };
	int i, tries;

	g.area = areas[rnd(&g, 4)];
	g.live[0] = true;
	g.nlive = 1;
	g.forks = chance(&g, 60);
	g.fork_at = 4 + (int)rnd(&g, 12);
	for (i = 0; i < n; i++) {
		bool live[MAXP];
		int nlive, cur;

		tries = 0;
		memcpy(live, g.live, sizeof live);
		nlive = g.nlive;
		cur = g.cur;
		for (;;) {
			gen_call(&g, &c[i], i);
			if (!excluded(&c[i], exclude) || ++tries >= 1000)
				break;
			memcpy(g.live, live, sizeof live);
			g.nlive = nlive;
			g.cur = cur;
		}
	}
}

/* ---- set-up ---- */

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A crash inside mmkit says which sequence it was running. */
static void crash_handler(int sig)
{
	int i;

	char num[32] = " during mmkit call #", *p = num + sizeof num - 1;
	long call = crash_call;

	*p = '\0';
	*--p = '\n';
	do
		*--p = (char)('0' + call % 10);
	while ((call /= 10) > 0);
	if (write(2, crash_msg, strlen(crash_msg)) < 0 ||
	    (crash_call >= 0 &&
	     (write(2, num, strlen(num)) < 0 || write(2, p, strlen(p)) < 0))) {
		/* nothing to do */
	}
	for (i = 0; i < 4; i++)
		if (crash_signals[i] == sig)
			sigaction(sig, &old_actions[i], NULL);
	raise(sig);
}

static void crash_handlers(bool on)
{
	struct sigaction sa;
	int i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = crash_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	for (i = 0; i < 4; i++) {
		if (!on) {
			sigaction(crash_signals[i], &old_actions[i], NULL);
			continue;
		}
		sigaction(crash_signals[i], &sa, &old_actions[i]);
		/* Still ours after a test that crashed: chain to the default. */
		if (old_actions[i].sa_handler == crash_handler)
			old_actions[i].sa_handler = SIG_DFL;
	}
}

static void set_crash_msg(uint64_t seed)
{
	snprintf(crash_msg, sizeof crash_msg,
		 "\nvma_diff: crashed while running seed %llu "
		 "(MMKIT_DIFF_SEED=%llu MMKIT_DIFF_LONG=1 MMKIT_DIFF_VERBOSE=1 "
		 "reruns it)",
		 (unsigned long long)seed, (unsigned long long)seed);
}

/* Does this process have CAP_IPC_LOCK (mlock beyond RLIMIT_MEMLOCK)? */
static bool has_cap_ipc_lock(void)
{
	static char status[1 << 16];
	const char *line;

	if (read_file("/proc/self/status", status, sizeof status) < 0 ||
	    status_kb(status, "CapEff", &line) < 0)
		return geteuid() == 0;
	return (strtoull(line + strlen("CapEff:"), NULL, 16) >> 14) & 1;
}

/* Does a read fault on private anonymous memory map the shared zero
 * page here? Some kernels forbid it (mm_forbids_zeropage()) and give
 * each such fault a page of its own; mmkit is then booted to do the
 * same. /proc/self/pagemap marks a page mapped once, which the zero
 * page never is, exclusive (bit 56), without privileges. */
static bool host_maps_zero_page(void)
{
	long r = syscall(SYS_mmap, 0UL, PG,
			 (unsigned long)(PROT_READ | PROT_WRITE),
			 (unsigned long)(MAP_PRIVATE | MAP_ANONYMOUS), -1L, 0L);
	volatile char *p = (volatile char *)r;
	uint64_t entry = 0;
	int fd;

	assert_true(r != -1);
	(void)p[0];
	fd = open("/proc/self/pagemap", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &entry, sizeof entry,
			       (off_t)((uintptr_t)p / PG * sizeof entry)),
			 sizeof entry);
	close(fd);
	syscall(SYS_munmap, (unsigned long)r, PG);
	assert_true(entry >> 63); /* present either way */
	return !((entry >> 56) & 1);
}

/* Boot the machine and pick a window that is free in this process (and
 * so in the children it forks). Skips the test if there is none. */
static void ctx_init(struct ctx *x)
{
	struct mmk_config cfg;
	struct rlimit rl;
	char *maps = malloc(PROC_CAP);
	const char *p;
	size_t i;
	bool found = false, huge_vma = false;

	assert_non_null(maps);
	assert_true(read_file("/proc/self/maps", maps, PROC_CAP) > 0);
	/* Linux's mlock_fixup() counts a VMA's pages in locked_vm through an
	 * int: one of 2^31 pages (8 TiB) or more, such as ASan's shadow gap,
	 * makes VmLck after mlockall(MCL_CURRENT) 2^32 pages off the sum of
	 * the locked VMAs, which build_report() relies on. */
	for (p = maps; *p;) {
		size_t len;
		const char *next = next_line(p, &len);
		unsigned long s, e;

		if (sscanf(p, "%lx-%lx", &s, &e) == 2 && e - s >= (PG << 31))
			huge_vma = true;
		p = next;
	}
	for (i = 0; i < sizeof window_candidates / sizeof window_candidates[0];
	     i++) {
		x->w.start = window_candidates[i];
		x->w.end = x->w.start + WIN_SIZE;
		if (window_free(maps, &x->w)) {
			found = true;
			break;
		}
	}
	free(maps);
	if (!found) {
		print_message("vma_diff: no free test window, skipping\n");
		skip();
	}
	x->verbose = (int)diff_env_long("MMKIT_DIFF_VERBOSE", 0);
	x->unprivileged = !has_cap_ipc_lock();
	x->memlock = MMK_RLIM_INFINITY;
	/* As much RLIMIT_MEMLOCK as the hard limit allows; mmkit's process
	 * gets the same soft limit (its hard limit does not matter: nothing
	 * raises it). */
	if (!getrlimit(RLIMIT_MEMLOCK, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_MEMLOCK, &rl);
	}
	if (x->unprivileged && !getrlimit(RLIMIT_MEMLOCK, &rl) &&
	    rl.rlim_cur != RLIM_INFINITY)
		x->memlock = (unsigned long)rl.rlim_cur;
	gen_mcl_current = !x->unprivileged && !huge_vma;
	/* Workers whose parent exited are reparented to us (run_kernel()). */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	x->hb.maps = malloc(PROC_CAP);
	x->hb.smaps = malloc(PROC_CAP);
	x->hb.status = malloc(PROC_CAP);
	x->hb.rep = malloc(REPORT_CAP);
	assert_true(x->hb.maps && x->hb.smaps && x->hb.status && x->hb.rep);
	if (x->unprivileged)
		snprintf(spawn_line, sizeof spawn_line,
			 "spawn %d unprivileged\n  setrlimit %d memlock %lu",
			 PID, PID, x->memlock);
	smaps_fields = diff_env_long("MMKIT_DIFF_SMAPS", 0) != 0;
	rss_wanted = diff_env_long("MMKIT_DIFF_RSS", 1) != 0;
	pte_wanted = PTE_COMPARABLE && diff_env_long("MMKIT_DIFF_PTE", 1) != 0;
	mmk_config_init(&cfg);
	/* Overcommit never refuses: no mapping is bigger than the window
	 * (which wrapping lengths cannot map either). 1 GiB holds what a
	 * default sequence can fault in, even when forks copy it; longer
	 * sequences get 4 GiB. (mmk_check() after every call costs time in
	 * proportion to the memory.) */
	cfg.mem_bytes = diff_env_long("MMKIT_DIFF_CALLS", DEFAULT_CALLS) > 64 ?
				4ULL << 30 :
				1ULL << 30;
	cfg.forbid_zero_page = !host_maps_zero_page();
	boot_line = cfg.forbid_zero_page ? "boot zero_page=off" : NULL;
	x->m = mmk_boot(&cfg);
	assert_non_null(x->m);
}

static void ctx_fini(struct ctx *x)
{
	char why[512];
	int bad = mmk_check(x->m, why, sizeof why);

	mmk_shutdown(x->m);
	x->m = NULL;
	free(x->hb.maps);
	free(x->hb.smaps);
	free(x->hb.status);
	free(x->hb.rep);
	if (bad)
		fail_msg("vma_diff: mmk_check after the last sequence: %s",
			 why);
}

/* ---- the random test ---- */

struct seen_sig {
	struct sig s;
	uint64_t seed;
	unsigned long count;
};

static void test_random_sequences(void **state)
{
	bool long_mode = diff_env_long("MMKIT_DIFF_LONG", 0) > 0;
	long nseq = diff_env_long("MMKIT_DIFF_LONG", DEFAULT_SEQS);
	double t0 = now_seconds();
	long ncalls = diff_env_long("MMKIT_DIFF_CALLS", DEFAULT_CALLS);
	uint64_t seed0 =
		(uint64_t)diff_env_long("MMKIT_DIFF_SEED", DEFAULT_SEED);
	bool keep_going = diff_env_long("MMKIT_DIFF_KEEP_GOING", 0) != 0;
	bool shrink = diff_env_long("MMKIT_DIFF_MINIMIZE", 1) != 0;
	const char *exclude = getenv("MMKIT_DIFF_EXCLUDE");
	struct dcall *c;
	struct outcome *o;
	struct seen_sig seen[64];
	int nseen = 0, failed = 0, skipped = 0, j;
	unsigned long calls = 0, touches[4] = { 0 }; /* all, ok, SEGV, BUS */
	unsigned long by_op[NR_OPS] = { 0 };
	uint64_t first_failed = 0;
	char ops[512];
	size_t used = 0;
	struct ctx x;
	long i;
	size_t f;

	(void)state;
	memset(seen, 0, sizeof seen);
	if (ncalls < 1 || ncalls > MAX_CALLS)
		ncalls = DEFAULT_CALLS;
	ctx_init(&x);
	c = malloc(sizeof *c * MAX_CALLS);
	o = malloc(sizeof *o);
	assert_true(c && o);
	crash_handlers(true);
	for (i = 0; i < nseq; i++) {
		uint64_t seed = seed0 + (uint64_t)i;
		struct sig s;

		if (!long_mode && i > 0 &&
		    now_seconds() - t0 > DEFAULT_BUDGET_SECONDS) {
			print_message("vma_diff: time budget of %d s used up "
				      "after %ld of %ld sequences\n",
				      DEFAULT_BUDGET_SECONDS, i, nseq);
			nseq = i;
			break;
		}
		set_crash_msg(seed);
		gen_seq(seed, &x.w, c, (int)ncalls, exclude);
		if (x.verbose)
			fprintf(stderr, "vma_diff: seed %llu\n",
				(unsigned long long)seed);
		run_seq(&x, c, (int)ncalls, true, o);
		calls += (unsigned long)o->n;
		for (j = 0; j < o->n && j < o->k.n; j++) {
			by_op[c[j].op]++;
			if (c[j].op != OP_TOUCH)
				continue;
			touches[0]++;
			touches[o->k.ret[j] == 0	   ? 1 :
				o->k.ret[j] == MMK_SIGSEGV ? 2 :
							     3]++;
		}
		if (o->skipped) {
			skipped++;
			outcome_free(o);
			break;
		}
		if (o->child_failed) {
			fprintf(stderr, "vma_diff: seed %llu: %s\n",
				(unsigned long long)seed, o->why);
			if (!failed++)
				first_failed = seed;
			outcome_free(o);
			if (!keep_going)
				break;
			continue;
		}
		if (o->at < 0) {
			outcome_free(o);
			continue;
		}
		if (!failed++)
			first_failed = seed;
		s = outcome_sig(c, o);
		for (j = 0; j < nseen; j++)
			if (sig_equal(&seen[j].s, &s))
				break;
		if (j < nseen) {
			seen[j].count++;
			outcome_free(o);
			continue;
		}
		if (nseen < 64) {
			seen[nseen].s = s;
			seen[nseen].seed = seed;
			seen[nseen++].count = 1;
		}
		report_mismatch(&x, c, o, seed, shrink);
		outcome_free(o);
		if (!keep_going)
			break;
	}
	crash_handlers(false);
	for (f = 0; f < sizeof ignored_vmflags / sizeof ignored_vmflags[0]; f++)
		if (ignored_vmflags_seen[f])
			print_message("vma_diff: ignored VmFlags \"%s\" "
				      "(host configuration) %lu times\n",
				      ignored_vmflags[f],
				      ignored_vmflags_seen[f]);
	print_message("vma_diff: %ld sequences, %lu calls compared, "
		      "%d failed\n",
		      i < nseq ? i + 1 : nseq, calls, failed);
	print_message("vma_diff: %lu touches compared (kernel: %lu ok, %lu "
		      "SIGSEGV, %lu SIGBUS)\n",
		      touches[0], touches[1], touches[2], touches[3]);
	for (j = 0; j < NR_OPS; j++)
		used += (size_t)snprintf(ops + used, sizeof ops - used,
					 "%s%s %lu", j ? ", " : "", op_names[j],
					 by_op[j]);
	print_message("vma_diff: compared calls: %s\n", ops);
	if (nseen > 1 || (nseen && seen[0].count > 1)) {
		print_message("vma_diff: distinct mismatches:\n");
		for (j = 0; j < nseen; j++) {
			char d[256];

			describe_sig(d, sizeof d, &seen[j].s);
			print_message("  %s: %lu sequences, first seed %llu\n",
				      d, seen[j].count,
				      (unsigned long long)seen[j].seed);
		}
	}
	free(c);
	free(o);
	ctx_fini(&x);
	if (skipped)
		skip();
	if (failed)
		fail_msg("vma_diff: %d sequences differ from the kernel "
			 "(first seed %llu; output above)",
			 failed, (unsigned long long)first_failed);
}

/* ---- directed sequences: one per rule of LINUX-VMA-RULES.md ---- */

#define P(n) ((unsigned long)(n)*PG)
#define M2 (2UL << 20)
#define ANON_P (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define ANON_S (MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED)
#define RW (PROT_READ | PROT_WRITE)
#define MMAP(a, l, p, f)                                             \
	{                                                            \
		.op = OP_MMAP, .addr = (a), .len = (l), .prot = (p), \
		.flags = (f)                                         \
	}
#define MMAP_F(a, l, p, f, o)                                        \
	{                                                            \
		.op = OP_MMAP, .addr = (a), .len = (l), .prot = (p), \
		.flags = (f), .file = true, .off = (o)               \
	}
#define MSEAL(a, l, f)                                                \
	{                                                             \
		.op = OP_MSEAL, .addr = (a), .len = (l), .flags = (f) \
	}
#define MUNMAP(a, l)                                     \
	{                                                \
		.op = OP_MUNMAP, .addr = (a), .len = (l) \
	}
#define MPROTECT(a, l, p)                                               \
	{                                                               \
		.op = OP_MPROTECT, .addr = (a), .len = (l), .prot = (p) \
	}
#define MLOCK(a, l)                                     \
	{                                               \
		.op = OP_MLOCK, .addr = (a), .len = (l) \
	}
#define MUNLOCK(a, l)                                     \
	{                                                 \
		.op = OP_MUNLOCK, .addr = (a), .len = (l) \
	}
#define MREMAP(a, ol, nl, f, na)                                            \
	{                                                                   \
		.op = OP_MREMAP, .addr = (a), .len = (ol), .new_len = (nl), \
		.flags = (f), .new_addr = (na)                              \
	}
#define MADVISE(a, l, adv)                                                 \
	{                                                                  \
		.op = OP_MADVISE, .addr = (a), .len = (l), .advice = (adv) \
	}
#define TOUCH(a, l, w)                                                \
	{                                                             \
		.op = OP_TOUCH, .addr = (a), .len = (l), .write = (w) \
	}
/* In process @p (0: the first): */
#define TOUCH_IN(p, a, l, w)                                          \
	{                                                             \
		.op = OP_TOUCH, .proc = (p), .addr = (a), .len = (l), \
		.write = (w)                                          \
	}
#define READ(p, a)                                      \
	{                                               \
		.op = OP_READ, .proc = (p), .addr = (a) \
	}
#define WRITE(p, a, v)                                                 \
	{                                                              \
		.op = OP_WRITE, .proc = (p), .addr = (a), .value = (v) \
	}
#define FORK(p, ch)                                       \
	{                                                 \
		.op = OP_FORK, .proc = (p), .child = (ch) \
	}
#define EXIT(p)                            \
	{                                  \
		.op = OP_EXIT, .proc = (p) \
	}
#define MMAP_IN(p, a, l, pr, f)                                      \
	{                                                            \
		.op = OP_MMAP, .proc = (p), .addr = (a), .len = (l), \
		.prot = (pr), .flags = (f)                           \
	}
#define MUNMAP_IN(p, a, l)                                            \
	{                                                             \
		.op = OP_MUNMAP, .proc = (p), .addr = (a), .len = (l) \
	}
#define MLOCK_IN(p, a, l)                                            \
	{                                                            \
		.op = OP_MLOCK, .proc = (p), .addr = (a), .len = (l) \
	}
#define MUNLOCK_IN(p, a, l)                                            \
	{                                                              \
		.op = OP_MUNLOCK, .proc = (p), .addr = (a), .len = (l) \
	}
#define MLOCK2(p, a, l, f)                                             \
	{                                                              \
		.op = OP_MLOCK2, .proc = (p), .addr = (a), .len = (l), \
		.flags = (f)                                           \
	}
#define MLOCKALL(p, f)                                       \
	{                                                    \
		.op = OP_MLOCKALL, .proc = (p), .flags = (f) \
	}
#define MUNLOCKALL(p)                            \
	{                                        \
		.op = OP_MUNLOCKALL, .proc = (p) \
	}
#define MADVISE_IN(p, a, l, adv)                                        \
	{                                                               \
		.op = OP_MADVISE, .proc = (p), .addr = (a), .len = (l), \
		.advice = (adv)                                         \
	}
#define MREMAP_IN(p, a, ol, nl, f, na)                                  \
	{                                                               \
		.op = OP_MREMAP, .proc = (p), .addr = (a), .len = (ol), \
		.new_len = (nl), .flags = (f), .new_addr = (na)         \
	}
#define MOVE (MREMAP_MAYMOVE | MREMAP_FIXED)
#define END                  \
	{                    \
		.op = NR_OPS \
	}

struct directed {
	const char *name;
	struct dcall calls[32];
};

/* Addresses are offsets into the window; new_addr too when non-zero. */
static const struct directed directed[] = {
	{ "A: written then read-only keeps VM_ACCOUNT",
	  { MMAP(P(0), P(2), RW, ANON_P | MAP_POPULATE),
	    MPROTECT(P(0), P(2), PROT_READ),
	    MMAP(P(2), P(2), PROT_READ, ANON_P), END } },
	{ "A: never written, read-only merges",
	  { MMAP(P(0), P(2), RW, ANON_P), MPROTECT(P(0), P(2), PROT_READ),
	    MMAP(P(2), P(2), PROT_READ, ANON_P), END } },
	{ "A: noreserve does not merge with normal",
	  { MMAP(P(0), P(2), RW, ANON_P | MAP_NORESERVE),
	    MMAP(P(2), P(2), RW, ANON_P),
	    MMAP(P(4), P(2), PROT_READ, ANON_P | MAP_NORESERVE),
	    MMAP(P(6), P(2), PROT_READ, ANON_P), END } },
	{ "A: shared pieces re-merge, separate shared do not",
	  { MMAP(P(0), P(4), RW, ANON_S), MMAP(P(4), P(4), RW, ANON_S),
	    MPROTECT(P(1), P(1), PROT_READ), MPROTECT(P(1), P(1), RW),
	    MLOCK(P(2), P(4)), MUNLOCK(P(0), P(8)), END } },
	{ "A: mprotect rw adds VM_ACCOUNT",
	  { MMAP(P(0), P(2), PROT_READ, ANON_P), MPROTECT(P(0), P(1), RW),
	    MMAP(P(2), P(1), RW, ANON_P), MPROTECT(P(1), P(1), RW), END } },
	{ "B: fixed over the middle merges both sides",
	  { MMAP(P(0), P(6), RW, ANON_P), MMAP(P(2), P(2), PROT_READ, ANON_P),
	    MMAP(P(2), P(2), RW, ANON_P), END } },
	{ "C: independently written VMAs merge with the left only",
	  { MMAP(P(0), P(2), RW, ANON_P | MAP_POPULATE),
	    MMAP(P(4), P(2), RW, ANON_P | MAP_POPULATE),
	    MMAP(P(2), P(2), RW, ANON_P), END } },
	{ "C: populate of read-only attaches no anon_vma",
	  { MMAP(P(0), P(2), PROT_READ, ANON_P | MAP_POPULATE),
	    MMAP(P(4), P(2), RW, ANON_P | MAP_POPULATE),
	    MMAP(P(2), P(2), PROT_READ, ANON_P), MPROTECT(P(0), P(4), RW),
	    END } },
	{ "D: moved VMA with anon_vma keeps pgoff, back again merges",
	  { MMAP(P(0), P(4), RW, ANON_P | MAP_POPULATE),
	    MREMAP(P(2), P(2), P(2), MOVE, P(20)),
	    MMAP(P(22), P(2), RW, ANON_P), MUNMAP(P(22), P(2)),
	    MREMAP(P(20), P(2), P(2), MOVE, P(2)), END } },
	{ "D: moved VMA without anon_vma merges like a fresh mmap",
	  { MMAP(P(0), P(4), RW, ANON_P), MMAP(P(20), P(2), RW, ANON_P),
	    MREMAP(P(2), P(2), P(2), MOVE, P(22)), END } },
	{ "E: fixed_noreplace, EINVAL cases, locked none",
	  { MMAP(P(0), P(2), RW, ANON_P),
	    MMAP(P(1), P(2), RW,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE),
	    MMAP(P(4) + 5, P(1), RW, ANON_P), MMAP(P(4), 0, RW, ANON_P),
	    MMAP(P(4), P(1), RW, MAP_ANONYMOUS | MAP_FIXED),
	    MMAP(P(4), P(1), RW,
		 MAP_SHARED_VALIDATE | MAP_ANONYMOUS | MAP_FIXED),
	    MMAP(P(4), P(2), PROT_NONE, ANON_P | MAP_LOCKED),
	    MMAP(P(8), 100, RW, ANON_P), END } },
	{ "F: munmap holes, splits and locked parts",
	  { MMAP(P(0), P(4), RW, ANON_P | MAP_LOCKED), MUNMAP(P(10), P(2)),
	    MUNMAP(P(1), P(1)), MUNMAP(P(3), P(4)), MUNMAP(P(0) + 1, P(1)),
	    MUNMAP(P(0), 0), END } },
	{ "G: mprotect stops at a hole",
	  { MMAP(P(0), P(2), RW, ANON_P), MMAP(P(3), P(2), RW, ANON_P),
	    MPROTECT(P(1), P(3), PROT_READ), MPROTECT(P(2), P(1), RW),
	    MPROTECT(P(0) + 1, 0, RW), MPROTECT(P(0), 0, RW), END } },
	{ "H: mlock rounding, holes, PROT_NONE",
	  { MMAP(P(0), P(3), RW, ANON_P), MMAP(P(4), P(2), PROT_NONE, ANON_P),
	    MLOCK(P(0) + 100, P(1)), MLOCK(P(3), P(1)), MLOCK(P(2), P(3)),
	    MLOCK(P(4), P(2)), MUNLOCK(P(0), P(6)), MLOCK(P(0), 0), END } },
	{ "H: dontunmap of a locked VMA overcounts VmLck",
	  { MMAP(P(0), P(4), RW, ANON_P | MAP_LOCKED),
	    MREMAP(P(0), P(2), P(2), MOVE | MREMAP_DONTUNMAP, P(10)),
	    MUNMAP(P(0), P(4)), MUNMAP(P(10), P(2)), END } },
	{ "I: same-size move of several VMAs keeps the gaps",
	  { MMAP(P(0), P(2), RW, ANON_P), MMAP(P(3), P(2), PROT_READ, ANON_S),
	    MMAP(P(21), P(1), PROT_READ, ANON_P),
	    MREMAP(P(0), P(5), P(5), MOVE, P(20)),
	    MREMAP(P(40), P(2), P(2), MOVE, P(60)), END } },
	{ "I: shrink across VMAs, grow merges with next",
	  { MMAP(P(0), P(2), RW, ANON_P), MMAP(P(3), P(2), RW, ANON_P),
	    MREMAP(P(0), P(5), P(1), 0, 0), MMAP(P(3), P(2), RW, ANON_P),
	    MREMAP(P(0), P(1), P(3), 0, 0), MREMAP(P(0), P(5), P(6), 0, 0),
	    END } },
	{ "I: resize-move, EFAULT, ENOMEM, EINVAL",
	  { MMAP(P(0), P(4), RW, ANON_P), MMAP(P(4), P(4), PROT_READ, ANON_P),
	    MREMAP(P(0), P(6), P(8), MOVE, P(20)),
	    MREMAP(P(10), P(1), P(1), MOVE, P(30)),
	    MREMAP(P(0), P(2), P(3), 0, 0),
	    MREMAP(P(0), P(2), P(2), MOVE, P(1)),
	    MREMAP(P(0), P(2), P(3), MOVE | MREMAP_DONTUNMAP, P(30)),
	    MREMAP(P(0), P(2), P(1), MOVE, P(30)), END } },
	{ "I: old_len 0 duplicates shared, not private",
	  { MMAP(P(0), P(2), RW, ANON_S), MMAP(P(4), P(2), RW, ANON_P),
	    MREMAP(P(0), 0, P(2), MOVE, P(10)),
	    MREMAP(P(4), 0, P(2), MOVE, P(20)), END } },
	{ "H: shared grown past its size, then mlock",
	  { MMAP(P(0), P(2), RW, ANON_S), MREMAP(P(0), P(2), P(4), 0, 0),
	    MLOCK(P(0), P(4)), END } },
	{ "B: moving the tail right behind a fresh VMA",
	  { MMAP(P(0), P(4), RW, ANON_P), MREMAP(P(2), P(2), P(2), MOVE, P(4)),
	    END } },
	{ "J: dontneed on locked and holes",
	  { MMAP(P(0), P(2), RW, ANON_P), MMAP(P(3), P(2), RW, ANON_P),
	    MLOCK(P(3), P(1)), MADVISE(P(0), P(6), MADV_DONTNEED),
	    MADVISE(P(0), P(3), MADV_DONTNEED),
	    MADVISE(P(0) + 1, 0, MADV_DONTNEED), END } },
	{ "H: locked VMA shrunk, grown in place, moved whole with dontunmap",
	  { MMAP(P(0), P(4), RW, ANON_P | MAP_LOCKED),
	    MREMAP(P(0), P(4), P(2), 0, 0), MREMAP(P(0), P(2), P(6), 0, 0),
	    MREMAP(P(0), P(6), P(6), MOVE | MREMAP_DONTUNMAP, P(20)),
	    MLOCK(P(0), P(6)), MUNMAP(P(0), P(30)), END } },
	{ "I: duplicate of a locked shared mapping, then grow it",
	  { MMAP(P(0), P(2), RW, ANON_S | MAP_LOCKED),
	    MREMAP(P(0), 0, P(2), MOVE, P(10)), MREMAP(P(10), P(2), P(4), 0, 0),
	    MLOCK(P(10), P(4)), END } },
	{ "growsdown mappings and PROT_GROWSDOWN",
	  { MMAP(P(4), P(4), RW, ANON_P | MAP_GROWSDOWN),
	    MPROTECT(P(6), P(1), PROT_READ | X_PROT_GROWSDOWN),
	    MPROTECT(P(0), P(1), PROT_READ | X_PROT_GROWSDOWN),
	    MMAP(P(10), P(2), RW, ANON_P),
	    MPROTECT(P(11), P(1), PROT_READ | X_PROT_GROWSDOWN),
	    MMAP(P(2), P(2), RW, ANON_P), MPROTECT(P(0), P(8), RW), END } },
	{ "lengths that wrap around",
	  { MMAP(P(0), P(2), RW, ANON_P), MUNMAP(P(0), 0UL - P(1)),
	    MPROTECT(P(0), 0UL - P(1), PROT_READ), MLOCK(P(0), 0UL - P(1)),
	    MUNLOCK(P(0), 0UL - 1), MADVISE(P(0), 0UL - P(1), MADV_DONTNEED),
	    MMAP(P(4), 0UL - P(1), RW, ANON_P),
	    MREMAP(P(0), P(2), 0UL - P(1), 0, 0), END } },
	{ "madvise flag advices split and merge",
	  { MMAP(P(0), P(6), RW, ANON_P), MMAP(P(6), P(2), RW, ANON_S),
	    MADVISE(P(1), P(2), MADV_DONTFORK),
	    MADVISE(P(2), P(2), MADV_DONTDUMP),
	    MADVISE(P(0), P(8), MADV_RANDOM), MADVISE(P(0), P(8), MADV_DOFORK),
	    MADVISE(P(0), P(8), MADV_NORMAL), MADVISE(P(0), P(8), MADV_DODUMP),
	    MADVISE(P(0), P(8), MADV_WIPEONFORK),
	    MADVISE(P(0), P(6), MADV_WIPEONFORK),
	    MADVISE(P(5), P(1), MADV_HUGEPAGE), MADVISE(P(0), P(8), MADV_FREE),
	    END } },
	{ "C/K: write faults attach anon_vmas, read faults do not",
	  { MMAP(P(0), P(2), RW, ANON_P), TOUCH(P(0), P(2), true),
	    MMAP(P(4), P(2), RW, ANON_P), TOUCH(P(4), P(2), false),
	    MMAP(P(2), P(2), RW, ANON_P), MMAP(P(10), P(2), RW, ANON_P),
	    TOUCH(P(10) + 5, P(1), true), MMAP(P(6), P(4), RW, ANON_P),
	    TOUCH(P(4), P(1), true), END } },
	{ "C: a first write fault reuses the neighbour's anon_vma",
	  { MMAP(P(0), P(2), RW, ANON_P), TOUCH(P(0), P(1), true),
	    MPROTECT(P(0), P(2), PROT_READ), MMAP(P(2), P(2), RW, ANON_P),
	    TOUCH(P(3), P(1), true), MPROTECT(P(0), P(2), RW),
	    MMAP(P(8), P(2), RW, ANON_P | MAP_LOCKED),
	    MMAP(P(6), P(2), RW, ANON_P), TOUCH(P(6), P(2), true),
	    MUNLOCK(P(8), P(2)), END } },
	{ "K: SIGSEGV, SIGBUS and the pages before them",
	  { MMAP(P(0), P(2), PROT_READ, ANON_P), TOUCH(P(0), P(2), true),
	    TOUCH(P(0), P(3), false), MMAP(P(4), P(1), PROT_NONE, ANON_P),
	    TOUCH(P(4), P(1), false), MMAP(P(6), P(2), RW, ANON_S),
	    MREMAP(P(6), P(2), P(4), 0, 0), TOUCH(P(6), P(4), true),
	    TOUCH(P(6), P(4), false), MMAP(P(12), P(2), PROT_WRITE, ANON_P),
	    TOUCH(P(12), P(2), false), TOUCH(P(12), 0, true),
	    TOUCH(P(13) + 7, 1, true), END } },
	{ "K: a load across a page boundary faulting on its second page loads nothing",
	  { MMAP(P(0), P(1), RW, ANON_S), MMAP(P(1), P(2), RW, ANON_P),
	    WRITE(0, P(1) - 4, 0x1122334455667788ULL),
	    MPROTECT(P(1), P(2), PROT_NONE), READ(0, P(1) - 4),
	    READ(0, P(1) - 8), WRITE(0, P(1) - 4, 0x99), READ(0, P(1) - 8),
	    END } },
	{ "K: shared pages stay cached: dontneed, fault-around, mremap",
	  { MMAP(P(0), P(20), RW, ANON_S), TOUCH(P(0), P(20), true),
	    MADVISE(P(0), P(20), MADV_DONTNEED), TOUCH(P(3), P(1), false),
	    TOUCH(P(17), P(1), true), MREMAP(P(0), P(20), P(20), MOVE, P(40)),
	    MADVISE(P(40), P(20), MADV_DONTNEED), TOUCH(P(58), P(1), false),
	    MLOCK(P(40), P(4)), END } },
	{ "K: populate and mlock after touches, dontneed and free",
	  { MMAP(P(0), P(8), RW, ANON_P), TOUCH(P(2), P(2), false),
	    TOUCH(P(5), P(2), true), MADVISE(P(5), P(1), MADV_DONTNEED),
	    MADVISE(P(6), P(1), MADV_FREE), MLOCK(P(0), P(8)),
	    MUNLOCK(P(0), P(8)), MREMAP(P(0), P(8), P(4), 0, 0),
	    MREMAP(P(0), P(4), P(8), 0, 0), TOUCH(P(0), P(8), true), END } },
	{ "L: fork: COW, shared, dontfork and wipeonfork memory in the child",
	  { MMAP(P(0), P(4), RW, ANON_P),
	    MMAP(P(4), P(2), RW, ANON_S),
	    MMAP(P(8), P(2), RW, ANON_P),
	    MMAP(P(12), P(2), RW, ANON_P),
	    WRITE(0, P(0), 0x1111),
	    WRITE(0, P(1) + 8, 0x2222),
	    WRITE(0, P(4), 0x3333),
	    WRITE(0, P(8), 0x4444),
	    WRITE(0, P(12), 0x5555),
	    MADVISE(P(8), P(2), MADV_DONTFORK),
	    MADVISE(P(12), P(2), MADV_WIPEONFORK),
	    FORK(0, 1),
	    READ(1, P(0)),
	    READ(1, P(1) + 8),
	    READ(1, P(4)),
	    READ(1, P(8)),
	    READ(1, P(12)),
	    WRITE(1, P(0), 0x6666),
	    READ(0, P(0)),
	    WRITE(1, P(4) + 16, 0x7777),
	    READ(0, P(4) + 16),
	    TOUCH_IN(1, P(8), P(2), false),
	    TOUCH_IN(1, P(0), P(4), true),
	    EXIT(1),
	    WRITE(0, P(1), 0x8888),
	    READ(0, P(1) + 8),
	    END } },
	{ "L: fork: the child's VMAs are not locked, Locked is the Pss",
	  { MMAP(P(0), P(4), RW, ANON_P | MAP_LOCKED),
	    MMAP(P(6), P(4), RW, ANON_S | MAP_LOCKED), FORK(0, 1),
	    TOUCH_IN(1, P(0), P(2), true), TOUCH_IN(1, P(6), P(2), false),
	    MLOCK_IN(1, P(0), P(4)), MLOCK2(0, P(6), P(4), MLOCK_ONFAULT),
	    MUNLOCK_IN(0, P(0), P(2)), EXIT(0), TOUCH_IN(1, P(2), P(2), true),
	    MUNMAP_IN(1, P(0), P(1)), MLOCK2(1, P(6), P(4), MLOCK_ONFAULT),
	    TOUCH_IN(1, P(9), P(1), true), END } },
	{ "L: mlockall future and onfault are not inherited",
	  { MLOCKALL(0, MCL_FUTURE), MMAP(P(0), P(2), RW, ANON_P), FORK(0, 1),
	    MMAP_IN(1, P(4), P(2), RW, ANON_P), MMAP(P(8), P(2), RW, ANON_P),
	    MLOCKALL(1, MCL_FUTURE | MCL_ONFAULT),
	    MMAP_IN(1, P(10), P(2), RW, ANON_P), TOUCH_IN(1, P(10), P(1), true),
	    MUNLOCKALL(0), MMAP(P(12), P(2), RW, ANON_P),
	    MLOCK2(0, P(12), P(2), MLOCK_ONFAULT), TOUCH(P(12), P(1), true),
	    MUNLOCKALL(1), MLOCKALL(0, 0), MLOCKALL(0, MCL_ONFAULT), END } },
	{ "L: fork: the parent exits, the child goes on; a grandchild",
	  { MMAP(P(0), P(8), RW, ANON_P),
	    TOUCH(P(0), P(8), true),
	    WRITE(0, P(2), 0xaaaa),
	    FORK(0, 1),
	    FORK(1, 2),
	    WRITE(2, P(2), 0xbbbb),
	    READ(1, P(2)),
	    READ(0, P(2)),
	    EXIT(0),
	    WRITE(1, P(3), 0xcccc),
	    READ(2, P(3)),
	    MREMAP_IN(1, P(0), P(4), P(4), MOVE, P(20)),
	    READ(1, P(22)),
	    MADVISE_IN(2, P(0), P(4), MADV_DONTNEED),
	    READ(2, P(2)),
	    EXIT(1),
	    TOUCH_IN(2, P(0), P(8), true),
	    FORK(2, 0),
	    READ(0, P(4)),
	    END } },
	{ "L: fork: shared memory, dontfork of part, mremap in the child",
	  { MMAP(P(0), P(4), RW, ANON_S), WRITE(0, P(0), 0x1),
	    MADVISE(P(2), P(2), MADV_DONTFORK), FORK(0, 1), WRITE(1, P(1), 0x2),
	    READ(0, P(1)), TOUCH_IN(1, P(2), P(1), false),
	    MREMAP_IN(1, P(0), P(2), P(4), MOVE, P(10)),
	    WRITE(0, P(0) + 8, 0x3), READ(1, P(10) + 8), READ(1, P(12)),
	    MADVISE(P(0), P(4), MADV_DOFORK), FORK(0, 2), READ(2, P(1)),
	    WRITE(2, P(3), 0x4), READ(0, P(3)), EXIT(0), READ(2, P(0) + 8),
	    END } },
	{ "L: fork: free and dontneed of shared COW pages",
	  { MMAP(P(0), P(4), RW, ANON_P), TOUCH(P(0), P(4), true),
	    WRITE(0, P(0), 0x5), FORK(0, 1), MADVISE(P(0), P(4), MADV_FREE),
	    READ(0, P(0)), MADVISE_IN(1, P(0), P(2), MADV_DONTNEED),
	    READ(1, P(0)), READ(0, P(0)), EXIT(1), WRITE(0, P(1), 0x6),
	    MADVISE(P(0), P(4), MADV_FREE), READ(0, P(0)), END } },
	{ "guard regions: install zaps and traps, gu is sticky, remove",
	  { MMAP(P(0), P(8), RW, ANON_P), WRITE(0, P(2), 0x7),
	    TOUCH(P(0), P(8), true), MADVISE(P(2), P(2), MADV_GUARD_INSTALL),
	    READ(0, P(2)), TOUCH(P(1), P(3), false), TOUCH(P(3), P(1), true),
	    MPROTECT(P(5), P(1), PROT_READ), MPROTECT(P(5), P(1), RW),
	    MMAP(P(8), P(2), RW, ANON_P), MADVISE(P(0), P(10), MADV_DONTNEED),
	    TOUCH(P(2), P(1), true), MADVISE(P(0), P(12), MADV_GUARD_REMOVE),
	    READ(0, P(2)), TOUCH(P(0), P(10), true), END } },
	{ "guard regions: locked VMAs, mlock, populate, holes",
	  { MMAP(P(0), P(4), RW, ANON_P), MMAP(P(5), P(2), RW, ANON_P),
	    MADVISE(P(1), P(1), MADV_GUARD_INSTALL),
	    MADVISE(P(0), P(7), MADV_GUARD_INSTALL),
	    MADVISE(P(0), P(4), MADV_POPULATE_WRITE),
	    MADVISE(P(5), P(2), MADV_POPULATE_READ), MLOCK(P(0), P(4)),
	    MADVISE(P(2), P(1), MADV_GUARD_INSTALL),
	    MADVISE(P(0), P(4), MADV_GUARD_REMOVE), MLOCK(P(0), P(4)),
	    MLOCK2(0, P(5), P(2), MLOCK_ONFAULT),
	    MADVISE(P(5), P(2), MADV_GUARD_INSTALL), END } },
	{ "L: guard regions: fork copies markers, mremap moves them",
	  { MMAP(P(0), P(4), RW, ANON_S), MMAP(P(4), P(4), RW, ANON_P),
	    MADVISE(P(1), P(1), MADV_GUARD_INSTALL),
	    MADVISE(P(5), P(1), MADV_GUARD_INSTALL),
	    MADVISE(P(7), P(1), MADV_WIPEONFORK), FORK(0, 1),
	    TOUCH_IN(1, P(0), P(4), true), TOUCH_IN(1, P(4), P(4), true),
	    MADVISE_IN(1, P(5), P(1), MADV_GUARD_REMOVE),
	    TOUCH_IN(1, P(5), P(1), true), TOUCH(P(5), P(1), true),
	    MREMAP(P(4), P(4), P(4), MOVE, P(20)), TOUCH(P(20), P(4), false),
	    MUNMAP(P(20), P(4)), MMAP(P(20), P(4), RW, ANON_P),
	    TOUCH(P(20), P(4), true), END } },
	{ "L: memfd: merges by offset, COW, SIGBUS past the end, remove",
	  { MMAP_F(P(0), P(4), RW, MAP_SHARED | MAP_FIXED, 0),
	    MMAP_F(P(4), P(4), RW, MAP_SHARED | MAP_FIXED, P(4)),
	    WRITE(0, P(1), 0xb),
	    MMAP_F(P(10), P(4), RW, MAP_PRIVATE | MAP_FIXED, 0),
	    READ(0, P(11)),
	    WRITE(0, P(11), 0xc),
	    READ(0, P(1)),
	    MMAP_F(P(20), P(8), PROT_READ, MAP_SHARED | MAP_FIXED, P(20)),
	    TOUCH(P(20), P(8), false),
	    MADVISE(P(0), P(2), MADV_REMOVE),
	    READ(0, P(1)),
	    READ(0, P(11)),
	    MREMAP(P(4), P(4), P(4), MOVE, P(30)),
	    MMAP_F(P(34), P(2), RW, MAP_SHARED | MAP_FIXED, P(8)),
	    MMAP_F(P(40), P(2), RW, MAP_SHARED | MAP_FIXED, 1),
	    FORK(0, 1),
	    READ(1, P(11)),
	    WRITE(1, P(0), 0xd),
	    READ(0, P(0)),
	    MADVISE(P(10), P(4), MADV_FREE),
	    MLOCK(P(10), P(4)),
	    END } },
	{ "L: mseal: what a seal refuses, with the splits before it",
	  { MMAP(P(0), P(8), RW, ANON_P),
	    MSEAL(P(2), P(3), 0),
	    MUNMAP(P(0), P(4)),
	    MUNMAP(P(1), P(2)),
	    MPROTECT(P(0), P(8), PROT_READ),
	    MREMAP(P(2), P(1), P(2), 0, 0),
	    MMAP(P(4), P(1), RW, ANON_P),
	    MADVISE(P(2), P(1), MADV_DONTNEED),
	    MMAP(P(10), P(2), PROT_READ, ANON_P),
	    MSEAL(P(10), P(2), 0),
	    MADVISE(P(10), P(2), MADV_DONTNEED),
	    MADVISE(P(10), P(2), MADV_RANDOM),
	    MLOCK(P(2), P(3)),
	    MSEAL(P(0), P(1), 1),
	    MSEAL(P(0), P(16), 0),
	    MSEAL(P(0), P(12), 0),
	    FORK(0, 1),
	    MUNMAP_IN(1, P(6), P(1)),
	    MREMAP(P(20), 0, P(1), MOVE, P(6)),
	    END } },
	/* Page tables (VmPTE): free_pgtables, move_page_tables, PT_RECLAIM
	 * and copy_page_range; M2 is one PTE table's span. */
	{ "pt: munmap frees a table once no VMA is left in its span",
	  { MMAP(0, M2, RW, ANON_P), TOUCH(0, M2, true), MUNMAP(0, P(1)),
	    MUNMAP(M2 - P(1), P(1)), MUNMAP(P(1), M2 - P(2)),
	    MMAP(0, M2, RW, ANON_P), TOUCH(0, P(2), true),
	    MMAP(4 * M2, M2, RW, ANON_P), TOUCH(4 * M2, P(1), true),
	    MUNMAP(0, M2), MMAP(4 * M2, P(1), RW, ANON_P),
	    TOUCH(4 * M2, P(1), true), MMAP(4 * M2, M2, RW, ANON_P),
	    MMAP(0, M2, RW, ANON_P), TOUCH(0, P(1), true), MUNMAP(0, 8 * M2),
	    END } },
	{ "pt: mremap moves tables, whole when aligned, empty ones too",
	  { MMAP(0, M2, RW, ANON_P), TOUCH(0, P(1), true),
	    MREMAP(0, M2, M2, MOVE, 8 * M2),
	    MREMAP(8 * M2, M2, M2, MOVE, 16 * M2 + P(1)),
	    MREMAP(16 * M2 + P(1), M2, M2, MOVE, 32 * M2),
	    MADVISE(32 * M2, P(1), MADV_DONTNEED),
	    MREMAP(32 * M2, P(2), P(2), MOVE, 40 * M2),
	    TOUCH(32 * M2 + P(4), P(1), true),
	    MREMAP(32 * M2 + P(2), M2 - P(2), M2 - P(2),
		   MOVE | MREMAP_DONTUNMAP, 48 * M2 + P(2)),
	    TOUCH(32 * M2 + P(4), P(1), true),
	    MREMAP(32 * M2 + P(4), P(2), P(2), MOVE | MREMAP_DONTUNMAP,
		   56 * M2 + P(4)),
	    MMAP(64 * M2, 4 * M2, RW, ANON_P), TOUCH(64 * M2, 4 * M2, true),
	    MREMAP(65 * M2, M2, M2, MOVE, 80 * M2),
	    MREMAP(64 * M2 + P(1), P(1), P(1), MOVE, 81 * M2),
	    MREMAP(66 * M2 + P(3), M2, M2, MOVE, 90 * M2 + P(3)), END } },
	{ "pt: MADV_DONTNEED frees the PTE tables it empties whole",
	  { MMAP(0, 2 * M2, RW, ANON_P), TOUCH(0, 2 * M2, true),
	    MADVISE(0, M2 - P(1), MADV_DONTNEED), MADVISE(0, M2, MADV_DONTNEED),
	    MADVISE(M2 + P(1), M2 - P(1), MADV_DONTNEED),
	    MADVISE(M2, P(1), MADV_DONTNEED), TOUCH(0, P(1), true),
	    TOUCH(M2, P(1), true), MADVISE(P(1), M2, MADV_DONTNEED),
	    MADVISE(0, M2 + M2 / 2, MADV_DONTNEED),
	    MPROTECT(M2 + P(8), P(8), PROT_READ), TOUCH(M2, M2, false),
	    MADVISE(M2, M2, MADV_DONTNEED), TOUCH(0, M2, true),
	    MADVISE(0, M2, MADV_FREE), MLOCK(0, M2),
	    MADVISE(0, M2, MADV_DONTNEED_LOCKED), END } },
	{ "pt: fork copies the tables of VMAs with an anon_vma, empty ones too",
	  { MMAP(0, M2, RW, ANON_P),
	    WRITE(0, 0, 1),
	    MADVISE(0, P(1), MADV_DONTNEED),
	    MMAP(4 * M2, M2, RW, ANON_S),
	    WRITE(0, 4 * M2, 1),
	    MMAP_F(8 * M2, P(4), RW, MAP_SHARED | MAP_FIXED, 0),
	    TOUCH(8 * M2, P(2), true),
	    MMAP_F(12 * M2, P(4), RW, MAP_PRIVATE | MAP_FIXED, 0),
	    TOUCH(12 * M2, P(1), false),
	    MMAP(16 * M2 + P(1), P(1), RW, ANON_P),
	    FORK(0, 1),
	    WRITE(0, 12 * M2 + P(1), 2),
	    FORK(0, 2),
	    MADVISE(12 * M2, P(4), MADV_DONTNEED),
	    FORK(0, 3),
	    MUNMAP_IN(1, 0, 2 * M2),
	    EXIT(0),
	    MUNMAP_IN(2, 0, 32 * M2),
	    EXIT(3),
	    EXIT(2),
	    END } },
	{ "pageout: clean shmem pages leave the cache, dirty ones stay",
	  { MMAP(P(0), P(15), RW, ANON_S | MAP_POPULATE), WRITE(0, P(3), 0xa),
	    MADVISE(P(2), P(7), MADV_PAGEOUT), READ(0, P(2) + 0xf60),
	    READ(0, P(3)), END } },
	{ "populate: PROT_NONE and write to read-only are EINVAL",
	  { MMAP(P(0), P(2), PROT_NONE, ANON_P),
	    MMAP(P(3), P(2), PROT_READ, ANON_S),
	    MADVISE(P(0), P(2), MADV_POPULATE_READ),
	    MADVISE(P(3), P(2), MADV_POPULATE_WRITE),
	    MADVISE(P(3), P(2), MADV_POPULATE_READ),
	    MADVISE(P(2), P(2), MADV_POPULATE_READ), END } },
	{ "L: cold and pageout: shared pages unmapped, lazy-free dropped",
	  { MMAP(P(0), P(4), RW, ANON_S), TOUCH(P(0), P(4), true),
	    MMAP(P(4), P(4), RW, ANON_P), TOUCH(P(4), P(4), true),
	    WRITE(0, P(4), 0x8), MADVISE(P(0), P(8), MADV_COLD),
	    MADVISE(P(0), P(2), MADV_PAGEOUT), READ(0, P(0)),
	    MADVISE(P(4), P(4), MADV_FREE), WRITE(0, P(5), 0x9),
	    MADVISE(P(4), P(4), MADV_PAGEOUT), READ(0, P(4)), READ(0, P(5)),
	    FORK(0, 1), MADVISE_IN(1, P(0), P(8), MADV_PAGEOUT),
	    MLOCK(P(2), P(1)), MADVISE(P(0), P(4), MADV_PAGEOUT), END } },
};

static void test_directed_sequences(void **state)
{
	struct dcall *c;
	struct outcome *o;
	size_t d;
	int failed = 0, n;
	bool skipped = false;
	struct ctx x;

	(void)state;
	ctx_init(&x);
	c = malloc(sizeof *c * MAX_CALLS);
	o = malloc(sizeof *o);
	assert_true(c && o);
	crash_handlers(true);
	for (d = 0; d < sizeof directed / sizeof directed[0]; d++) {
		char title[160];
		bool guards = false;

		for (n = 0; directed[d].calls[n].op != NR_OPS; n++) {
			c[n] = directed[d].calls[n];
			guards |= is_guard_advice(&c[n]);
			if (c[n].op == OP_FORK || c[n].op == OP_EXIT ||
			    c[n].op == OP_MLOCKALL || c[n].op == OP_MUNLOCKALL)
				continue;
			c[n].addr += x.w.start;
			if (c[n].new_addr)
				c[n].new_addr += x.w.start;
		}
		if (guards && !host_guards) {
			fprintf(stderr,
				"vma_diff: \"%s\" left out: this host has no "
				"guard regions with VM_MAYBE_GUARD\n",
				directed[d].name);
			continue;
		}
		snprintf(crash_msg, sizeof crash_msg,
			 "\nvma_diff: crashed in directed sequence \"%s\"",
			 directed[d].name);
		run_seq(&x, c, n, true, o);
		if (o->skipped) {
			skipped = true;
			outcome_free(o);
			break;
		}
		if (o->child_failed) {
			fprintf(stderr, "vma_diff: \"%s\": %s\n",
				directed[d].name, o->why);
			failed++;
		} else if (o->at >= 0 && o->at < n) {
			snprintf(title, sizeof title, "vma_diff: \"%s\"",
				 directed[d].name);
			print_outcome(stderr, title, c, o);
			failed++;
		}
		outcome_free(o);
	}
	crash_handlers(false);
	free(c);
	free(o);
	ctx_fini(&x);
	if (skipped)
		skip();
	if (failed)
		fail_msg("vma_diff: %d of %zu directed sequences differ from "
			 "the kernel (output above)",
			 failed, sizeof directed / sizeof directed[0]);
}

/*
 * Run every worker on one CPU. MADV_COLD and MADV_PAGEOUT pass over a page
 * that waits in a CPU's LRU batch (a fresh fault, a munlock, MADV_FREE)
 * and drain only their own CPU's batches first: with the workers on two
 * CPUs, whether a page is reclaimed would depend on where its last fault
 * ran. mmkit's pages are always on its (implicit) LRU.
 */
static void pin_to_one_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	if (sched_setaffinity(0, sizeof set, &set))
		fprintf(stderr, "vma_diff: sched_setaffinity: %s\n",
			strerror(errno));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_directed_sequences),
		cmocka_unit_test(test_random_sequences),
	};

	host_exec_only = probe_exec_only();
	host_guards = probe_guards();
	host_mseal = probe_mseal();
	pin_to_one_cpu();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
