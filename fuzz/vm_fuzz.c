/* SPDX-License-Identifier: MIT */
/*
 * A long-run random-operation fuzzer for the address-space layer:
 * processes, the mmap family of system calls, page faults, fork and exit.
 *
 * THREADS host threads, each on its own simulated CPU of one machine, run
 * OPS seeded random operations in all. Each thread owns up to 8 processes
 * (pids 100 * (thread + 1) + 1 .. + 8; some unprivileged, some with a low
 * RLIMIT_MEMLOCK or RLIMIT_AS) whose calls land mostly in a 256 MiB window
 * at 1 GiB, near the edges of earlier calls so that VMAs split and merge:
 * mmap (anonymous and file, private and shared, MAP_FIXED,
 * MAP_FIXED_NOREPLACE, a hint or none, MAP_POPULATE, MAP_LOCKED,
 * MAP_NORESERVE, MAP_GROWSDOWN, any protection), munmap, mprotect, mlock,
 * mlock2, munlock, mlockall, munlockall, mremap (shrink, grow in place,
 * MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP), brk, madvise (every
 * advice mmkit knows and invalid ones), touches, 8-byte loads and stores,
 * copy_to_user / copy_from_user, fork, spawn, exit, reads of
 * /proc/PID/{maps,smaps,status}, mincore, writes of vm.drop_caches,
 * swapon and swapoff of a swap area per thread, compaction (the
 * sysctls, and kernel allocations of order 1 to 4 that may compact
 * directly), fadvise of the shared files, KSM (ksmd's scan batches,
 * MADV_MERGEABLE over a whole window, PR_SET_MEMORY_MERGE, run=0/1/2
 * and the other knobs), memfds (ftruncate, fallocate, seals, pread and
 * pwrite),
 * HugeTLB (the pool's sysctls and MAP_HUGETLB mappings), transparent
 * huge pages (2 MiB-aligned MADV_HUGEPAGE mappings faulted or collapsed,
 * which the other calls then split, zap, move and copy; the enabled,
 * defrag and use_zero_page knobs)
 * and, with VM_FUZZ_OVERCOMMIT=1
 * in the environment, switches of vm.overcommit_memory (strict
 * accounting fails many of the calls); about 4% of the calls carry
 * invalid arguments (unaligned, empty, wrapping, bad flags). One call in
 * 20 goes to process 1, which all threads share: each maps, protects, remaps,
 * touches and reads its own 16 MiB slice of it, so several threads fault
 * and change one address space at once (no data oracle there).
 *
 * Checked at once:
 * - every result is success or an errno Linux gives for that call;
 *   mmap and mremap return page-aligned addresses inside user space,
 *   exactly the one asked for with MAP_FIXED / MREMAP_FIXED, the old one
 *   without MREMAP_MAYMOVE; brk returns the new break or the old one;
 * - every 8-byte access of one of a thread's own processes is predicted
 *   from the VMA tree (read under the mmap lock just before): no VMA, or
 *   one that does not allow the access, must give SIGSEGV; one that
 *   allows it must succeed (SIGBUS only for files, SIGKILL only when
 *   memory ran out, and the process must then be gone). This catches
 *   stale TLB and page-table entries after munmap and mprotect;
 * - after munmap the range has no VMA; fresh private anonymous memory
 *   (mmap, brk, the tail of mremap) reads as zeroes;
 * - the data oracle: each process has a shadow of the 8-byte values it
 *   stored (write_u64, copy_to_user) in private VMAs (not hugetlb ones:
 *   see predict()), up to ~2500 per
 *   process. A later load or copy_from_user of a shadowed address must
 *   give the stored value. Entries are dropped by any munmap, mmap,
 *   brk, mremap that fails, or destructive madvise (DONTNEED, FREE,
 *   DONTNEED_LOCKED, REMOVE) that overlaps them; mprotect, mlock and the
 *   other advice keep contents and keep them; a successful mremap moves
 *   them with the pages. fork copies the shadow to the child, less the
 *   pages whose VMA in the parent is VM_DONTCOPY or VM_WIPEONFORK. So
 *   COW leaks between parent and child, lost pages and pages mapped at
 *   the wrong place show up as a wrong value.
 *
 * Every CHECK_EVERY operations of each thread, each thread reads back a
 * sample of its shadows, then all threads meet and thread 0 runs
 * mmk_check() and vm_commit_verify() (Committed_AS is the sum of the
 * charges of every VM_ACCOUNT VMA and shmem object). At the end every process exits, the files are closed,
 * caches shrunk and per-CPU lists drained: mmk_check() must pass, the
 * free page count must be the one measured after boot, and no mm_struct,
 * swap slot or Committed_AS charge may be left.
 *
 *   vm_fuzz [-n OPS] [-s SEED] [-t THREADS] [-c CHECK_EVERY]
 *           [-a x86_64|i386] [-M MEM] [-S SWAP] [-q]
 *
 * Defaults: 10^6 operations, seed 1, 1 thread, a check every 2000
 * operations per thread (mmk_check() of a 128 MiB machine takes about
 * 2.5 ms, a quarter of the run at that rate), x86_64, 128 MiB (two
 * nodes from 64 MiB on x86_64). Running out of memory is a legitimate
 * outcome: ENOMEM, EAGAIN, or a process killed by SIGKILL in a fault
 * (it then counts as exited; process 1 is spawned again).
 *
 * A failure prints what was wrong and the command that replays the run,
 * then aborts. Single-threaded runs replay exactly; with several threads
 * the calls on the shared process interleave as the host schedules them.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include "fuzz/ops_common.h"
#include "mm/hugetlb.h"

#include <mmkit/compaction.h>
#include <mmkit/ksm.h>
#include <mmkit/mempolicy.h>

#define PG PAGE_SIZE
#define MAX_PROCS 8
#define SHARED_PID 1
#define WIN_BASE 0x40000000UL /* each own process's window */
#define WIN_PAGES 65536UL /* 256 MiB */
#define AREA_PAGES 1024UL /* its busy part */
#define SH_WIN_BASE 0x60000000UL /* slices of the shared process */
#define SH_WIN_PAGES 4096UL /* 16 MiB per thread */
#define MIN_ADDR 65536UL /* mmap_min_addr */
#define BRK_MAX (64UL << 20) /* brk grows no further above start_brk */

/* ---- counters ---- */

enum {
	C_MMAP,
	C_MUNMAP,
	C_MPROTECT,
	C_MLOCK,
	C_MLOCK2,
	C_MUNLOCK,
	C_MLOCKALL,
	C_MUNLOCKALL,
	C_MREMAP,
	C_BRK,
	C_MADVISE,
	C_TOUCH,
	C_WRITE,
	C_READ,
	C_COPY_TO,
	C_COPY_FROM,
	C_FORK,
	C_EXIT,
	C_PROC,
	C_MSEAL,
	C_SYSCTL,
	C_DROP_CACHES,
	C_FADVISE,
	C_MINCORE,
	C_SWAP,
	C_COMPACT,
	C_MEMPOLICY,
	C_PAGES,
	C_KSM,
	C_PKEYS,
	C_MSYNC,
	C_PROCESS_VM,
	C_HUGETLB,
	C_MEMFD,
	C_THP,
	NR_OPS,
	C_SHARED = NR_OPS,
	C_SPAWN,
	C_ERRNO,
	C_SIGNAL,
	C_OOM_KILL,
	C_VANISHED,
	C_SHADOW_OK,
	C_ZERO_OK,
	C_PREDICTED,
	C_SHARED_GONE,
	C_MIGRATED,
	C_COMPACT_STALL,
	NR_COUNTS
};

static struct fz_count counts[NR_COUNTS] = {
	[C_MMAP] = { .name = "mmap" },
	[C_MUNMAP] = { .name = "munmap" },
	[C_MPROTECT] = { .name = "mprotect" },
	[C_MLOCK] = { .name = "mlock" },
	[C_MLOCK2] = { .name = "mlock2" },
	[C_MUNLOCK] = { .name = "munlock" },
	[C_MLOCKALL] = { .name = "mlockall" },
	[C_MUNLOCKALL] = { .name = "munlockall" },
	[C_MREMAP] = { .name = "mremap" },
	[C_BRK] = { .name = "brk" },
	[C_MADVISE] = { .name = "madvise" },
	[C_TOUCH] = { .name = "touch" },
	[C_WRITE] = { .name = "write_u64" },
	[C_READ] = { .name = "read_u64" },
	[C_COPY_TO] = { .name = "copy_to_user" },
	[C_COPY_FROM] = { .name = "copy_from_user" },
	[C_FORK] = { .name = "fork" },
	[C_EXIT] = { .name = "exit" },
	[C_PROC] = { .name = "proc_read" },
	[C_MSEAL] = { .name = "mseal" },
	[C_SYSCTL] = { .name = "sysctl vm.overcommit_*" },
	[C_DROP_CACHES] = { .name = "sysctl vm.drop_caches" },
	[C_FADVISE] = { .name = "fadvise" },
	[C_MINCORE] = { .name = "mincore" },
	[C_SWAP] = { .name = "swapon/swapoff" },
	[C_COMPACT] = { .name = "compaction" },
	[C_MEMPOLICY] = { .name = "mempolicy" },
	[C_PAGES] = { .name = "pagemap/kpageflags/clear_refs/process_madvise" },
	[C_KSM] = { .name = "ksm (scan, knobs, MADV_MERGEABLE)" },
	[C_PKEYS] = { .name = "pkey_alloc/free/mprotect/set" },
	[C_MSYNC] = { .name = "msync" },
	[C_PROCESS_VM] = { .name = "process_vm_readv/writev" },
	[C_HUGETLB] = { .name = "hugetlb (pool, MAP_HUGETLB)" },
	[C_MEMFD] = { .name = "memfd (ftruncate, fallocate, seals)" },
	[C_THP] = { .name = "THP (knobs, faults, khugepaged)" },
	[C_SHARED] = { .name = "shared-process ops" },
	[C_SPAWN] = { .name = "spawn" },
	[C_ERRNO] = { .name = "errno results" },
	[C_SIGNAL] = { .name = "signals" },
	[C_OOM_KILL] = { .name = "oom kills" },
	[C_VANISHED] = { .name = "killed by another's allocation" },
	[C_SHADOW_OK] = { .name = "shadow values verified" },
	[C_ZERO_OK] = { .name = "fresh zeroes verified" },
	[C_PREDICTED] = { .name = "faults predicted" },
	[C_SHARED_GONE] = { .name = "shared process gone" },
	[C_MIGRATED] = { .name = "pages migrated" },
	[C_COMPACT_STALL] = { .name = "direct compactions" },
};

/* Weights of the operations on a thread's own processes, per 1000. */
static const unsigned int weights[NR_OPS] = {
	[C_MMAP] = 144,	     [C_MUNMAP] = 45,	 [C_MPROTECT] = 80,
	[C_MLOCK] = 20,	     [C_MLOCK2] = 15,	 [C_MUNLOCK] = 30,
	[C_MLOCKALL] = 2,    [C_MUNLOCKALL] = 6, [C_MREMAP] = 70,
	[C_BRK] = 15,	     [C_MADVISE] = 70,	 [C_TOUCH] = 120,
	[C_WRITE] = 138,     [C_READ] = 138,	 [C_COPY_TO] = 20,
	[C_COPY_FROM] = 20,  [C_FORK] = 7,	 [C_EXIT] = 4,
	[C_PROC] = 1,	     [C_MSEAL] = 3,	 [C_SYSCTL] = 1,
	[C_DROP_CACHES] = 1, [C_FADVISE] = 3,	 [C_MINCORE] = 2,
	[C_SWAP] = 1,	     [C_COMPACT] = 1,	 [C_MEMPOLICY] = 8,
	[C_PAGES] = 4,	     [C_KSM] = 5,	 [C_PKEYS] = 3,
	[C_MSYNC] = 2,	     [C_PROCESS_VM] = 3, [C_HUGETLB] = 5,
	[C_MEMFD] = 5,	     [C_THP] = 8,
};

/* Errnos Linux gives for each call (0-terminated). */
static const int e_mmap[] = { EACCES,	  EAGAIN, EBADF,  EEXIST,
			      EINVAL,	  ENODEV, ENOMEM, EOVERFLOW,
			      EOPNOTSUPP, EPERM,  0 };
/* EPERM: mseal(2). */
static const int e_munmap[] = { EINVAL, ENOMEM, EPERM, 0 };
static const int e_mprotect[] = { EACCES, EINVAL, ENOMEM, EPERM, 0 };
static const int e_mlock[] = { EAGAIN, EINVAL, ENOMEM, EPERM, 0 };
static const int e_munlock[] = { EAGAIN, EINVAL, ENOMEM, 0 };
static const int e_mlockall[] = { EINVAL, ENOMEM, EPERM, 0 };
static const int e_mremap[] = { EAGAIN, EFAULT, EINVAL, ENOMEM, EPERM, 0 };
static const int e_mseal[] = { EINVAL, ENOMEM, ENOSYS, 0 };
static const int e_mincore[] = { EINVAL, ENOMEM, 0 };
static const int e_madvise[] = { EACCES, EAGAIN, EFAULT, EINVAL,
				 ENOMEM, EPERM,	 0 };
static const int e_fork[] = { EAGAIN, ENOMEM, 0 };
/* ENOSYS: i386 has no NUMA. ENODEV, EACCES: move_pages. */
static const int e_mempolicy[] = { EINVAL, EFAULT, EIO,	   EPERM, ENOMEM,
				   ENODEV, EACCES, ENOSYS, 0 };
/* ENOSYS: i386 has no pkey calls; ENOSPC: no key free. */
static const int e_pkeys[] = {
	EINVAL, ENOMEM, ENOSPC, ENOSYS, EACCES, EPERM, 0
};
static const int e_pkey_mprotect[] = {
	EACCES, EINVAL, ENOMEM, EPERM, ENOSYS, 0
};
static const int e_msync[] = { EINVAL, ENOMEM, EBUSY, 0 };
static const int e_process_vm[] = { EFAULT, ENOMEM, EINVAL, 0 };
static const int e_ftruncate[] = { EINVAL, EPERM, ENOMEM, 0 };
static const int e_fallocate[] = {
	EINVAL, EOPNOTSUPP, EPERM, ENOMEM, ENOSPC, 0
};
static const int e_add_seals[] = { EINVAL, EPERM, EBUSY, 0 };
static const int e_pwrite[] = { EPERM, ENOMEM, ENOSPC, 0 };
static const int e_none[] = { 0 };

/* ---- the shadow: 8-byte values a process stored, by page ---- */

#define SH_BITS 10
#define SH_CAP (1u << SH_BITS) /* records */
#define SH_MAX (SH_CAP * 5 / 8) /* live records */
#define SH_WAYS 4 /* values per page */
#define SH_SMALL 64 /* ranges up to this many pages go page by page */

struct shrec {
	unsigned long key; /* page number + 1; 0: an empty slot */
	uint64_t val[SH_WAYS];
	uint16_t off[SH_WAYS];
	unsigned int n;
};

struct shadow {
	struct shrec *tab; /* SH_CAP records, linear probing */
	unsigned int used;
	unsigned int cursor; /* where the next sample starts */
};

/* Scratch space of the thread for whole-table rewrites and moves. */
static _Thread_local struct shrec sh_scratch[SH_CAP];
static _Thread_local struct {
	unsigned long addr;
	uint64_t val;
} mv_scratch[SH_MAX * SH_WAYS];

static inline unsigned int sh_hash(unsigned long key)
{
	return (unsigned int)(((uint64_t)key * 0x9E3779B97F4A7C15ULL) >>
			      (64 - SH_BITS));
}

static int sh_find(const struct shadow *s, unsigned long key)
{
	unsigned int i = sh_hash(key);

	for (;;) {
		if (s->tab[i].key == key)
			return (int)i;
		if (!s->tab[i].key)
			return -1;
		i = (i + 1) & (SH_CAP - 1);
	}
}

/* An empty record for @key, which is not in the table (used < SH_MAX). */
static struct shrec *sh_insert(struct shadow *s, unsigned long key)
{
	unsigned int i = sh_hash(key);

	while (s->tab[i].key)
		i = (i + 1) & (SH_CAP - 1);
	s->tab[i].key = key;
	s->tab[i].n = 0;
	s->used++;
	return &s->tab[i];
}

/* Delete record @i, shifting back the records probed past it. */
static void sh_del(struct shadow *s, unsigned int i)
{
	unsigned int j = i, k;

	for (;;) {
		j = (j + 1) & (SH_CAP - 1);
		if (!s->tab[j].key)
			break;
		k = sh_hash(s->tab[j].key);
		/* j's record may fill the hole unless its home slot lies
		 * cyclically in (i, j]. */
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			s->tab[i] = s->tab[j];
			i = j;
		}
	}
	s->tab[i].key = 0;
	s->tab[i].n = 0;
	s->used--;
}

static void sh_clear(struct shadow *s)
{
	memset(s->tab, 0, SH_CAP * sizeof(*s->tab));
	s->used = 0;
}

static void sh_set(struct shadow *s, unsigned long addr, uint64_t v)
{
	unsigned long key = (addr >> PAGE_SHIFT) + 1;
	uint16_t off = (uint16_t)(addr & ~PAGE_MASK);
	int i = sh_find(s, key);
	struct shrec *r;
	unsigned int k;

	if (i >= 0) {
		r = &s->tab[i];
	} else {
		if (s->used >= SH_MAX)
			return; /* full: the value is simply not shadowed */
		r = sh_insert(s, key);
	}
	for (k = 0; k < r->n; k++) {
		if (r->off[k] == off) {
			r->val[k] = v;
			return;
		}
	}
	k = r->n < SH_WAYS ? r->n++ : (unsigned int)(v >> 40) % SH_WAYS;
	r->off[k] = off;
	r->val[k] = v;
}

static bool sh_get(const struct shadow *s, unsigned long addr, uint64_t *v)
{
	int i = sh_find(s, (addr >> PAGE_SHIFT) + 1);
	const struct shrec *r;
	unsigned int k;

	if (i < 0)
		return false;
	r = &s->tab[i];
	for (k = 0; k < r->n; k++) {
		if (r->off[k] == (addr & ~PAGE_MASK)) {
			*v = r->val[k];
			return true;
		}
	}
	return false;
}

/*
 * Drop the values of record @r that overlap page offsets [@lo, @hi); with
 * @out, append them (as addresses) to mv_scratch at *@nout first.
 */
static void rec_drop(struct shrec *r, unsigned long lo, unsigned long hi,
		     unsigned int *nout)
{
	unsigned int k, n = 0;

	for (k = 0; k < r->n; k++) {
		if (r->off[k] < hi && r->off[k] + 8UL > lo) {
			if (nout) {
				mv_scratch[*nout].addr =
					((r->key - 1) << PAGE_SHIFT) +
					r->off[k];
				mv_scratch[(*nout)++].val = r->val[k];
			}
			continue;
		}
		r->off[n] = r->off[k];
		r->val[n++] = r->val[k];
	}
	r->n = n;
}

/* Drop every value overlapping [@start, @end); with @nout, collect the
 * ones wholly inside into mv_scratch. */
static void sh_walk(struct shadow *s, unsigned long start, unsigned long end,
		    unsigned int *nout)
{
	unsigned long first, last, pg, lo, hi;
	unsigned int i, n = 0;
	int j;

	if (end <= start || !s->used)
		return;
	first = start >> PAGE_SHIFT;
	last = (end - 1) >> PAGE_SHIFT;
	if (last - first < SH_SMALL) {
		for (pg = first;; pg++) {
			j = sh_find(s, pg + 1);
			if (j >= 0) {
				lo = pg == first ? start & ~PAGE_MASK : 0;
				hi = pg == last ? ((end - 1) & ~PAGE_MASK) + 1 :
						  PG;
				rec_drop(&s->tab[j], lo, hi, nout);
				if (!s->tab[j].n)
					sh_del(s, (unsigned int)j);
			}
			if (pg == last)
				break;
		}
		return;
	}
	for (i = 0; i < SH_CAP; i++) {
		struct shrec *r = &s->tab[i];
		unsigned long p = r->key - 1;

		if (!r->key)
			continue;
		if (p >= first && p <= last) {
			lo = p == first ? start & ~PAGE_MASK : 0;
			hi = p == last ? ((end - 1) & ~PAGE_MASK) + 1 : PG;
			rec_drop(r, lo, hi, nout);
		}
		if (r->n)
			sh_scratch[n++] = *r;
	}
	sh_clear(s);
	for (i = 0; i < n; i++)
		*sh_insert(s, sh_scratch[i].key) = sh_scratch[i];
}

/* [@addr, +@len) as an end address, clamped where it would wrap. */
static unsigned long end_of(unsigned long addr, unsigned long len)
{
	return addr + len < addr ? ~0UL : addr + len;
}

static void sh_drop(struct shadow *s, unsigned long addr, unsigned long len)
{
	sh_walk(s, addr, end_of(addr, len), NULL);
}

/* ---- processes, generators, threads ---- */

/* Recent mappings of a process (or a slice), where accesses go. */
struct ring {
	unsigned long addr[32], pages[32];
	unsigned int n, next;
};

struct proc {
	int pid;
	bool live;
	bool unprivileged;
	unsigned long brk, start_brk;
	struct shadow sh;
	unsigned long recent[32]; /* addresses stored to lately */
	unsigned int nrecent, nextrecent;
	struct ring ring;
	/* When it last went: the call in progress then, and its number. */
	const char *gone_in;
	uint64_t gone_op;
};

/* Where a thread's calls go: a window of an address space. */
struct gen {
	unsigned long base; /* first byte */
	unsigned long pages; /* size */
	unsigned long area; /* the busy part, pages from base */
	unsigned long bounds[64]; /* page numbers of earlier edges */
	unsigned int nb, nextb;
	struct ring *ring; /* earlier mappings */
};

/* The call in progress, for failure reports. */
struct call {
	const char *name;
	int pid;
	int na;
	unsigned long a[6];
};

struct thr {
	int id;
	pthread_t tid;
	struct fz_rng r;
	struct fz_where w;
	struct call c;
	struct proc p[MAX_PROCS];
	int nlive;
	int cur; /* the process most calls go to */
	struct gen own, sh;
	struct ring sh_ring;
	uint64_t nops;
	bool swap_on; /* its swap area, "/vm_fuzz-swapN", is enabled */
	struct file *mfd; /* its memfd (op_memfd), or NULL */
	unsigned long long cnt[NR_COUNTS];
	sigjmp_buf vanished; /* one_op's exit when its process was killed */
};

static struct {
	struct fz_opts o;
	struct mmk_machine *m;
	struct file *frw, *fro; /* 1 MiB read-write, 256 KiB read-only */
	unsigned long task_size;
	unsigned char pick[1000];
	bool overcommit; /* VM_FUZZ_OVERCOMMIT=1: op_sysctl runs */
	pthread_barrier_t bar;
	atomic_int claimed;
	uint64_t rounds;
	uint64_t checks;
	double check_secs;
	pthread_mutex_t shared_lock; /* respawning process 1 */
	/* Own processes found killed by another process's allocation: the
	 * OOM killer's /proc/vmstat oom_kill must cover every one. */
	atomic_ulong vanished;
} G;

static void bad(struct thr *t, long ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

static struct proc *own_proc(struct thr *t, int pid);
static bool vanished(struct thr *t, struct proc *p);

static void bad(struct thr *t, long ret, const char *fmt, ...)
{
	struct proc *p = own_proc(t, t->c.pid);
	char why[640], args[200];
	size_t n = 0;
	va_list ap;
	int i;

	/* Whatever went wrong, the OOM killer may have chosen the process
	 * during the call: then the call's result does not matter. */
	if (p && vanished(t, p))
		siglongjmp(t->vanished, 1);

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	args[0] = '\0';
	for (i = 0; i < t->c.na && n < sizeof args; i++)
		n += (size_t)snprintf(args + n, sizeof args - n, ", %#lx",
				      t->c.a[i]);
	fz_fail(&t->w, "%s(pid %d%s) = %ld: %s", t->c.name, t->c.pid, args, ret,
		why);
}

static void setc(struct thr *t, const char *name, int pid, int na,
		 unsigned long a0, unsigned long a1, unsigned long a2,
		 unsigned long a3, unsigned long a4)
{
	t->w.what = name;
	t->c.name = name;
	t->c.pid = pid;
	t->c.na = na;
	t->c.a[0] = a0;
	t->c.a[1] = a1;
	t->c.a[2] = a2;
	t->c.a[3] = a3;
	t->c.a[4] = a4;
}

/* @ret is a success (>= 0) or one of the errnos in @ok. */
static void check_err(struct thr *t, long ret, const int *ok)
{
	int i;

	if (ret >= 0)
		return;
	for (i = 0; ok[i]; i++) {
		if (ret == -ok[i]) {
			t->cnt[C_ERRNO]++;
			return;
		}
	}
	bad(t, ret, "unexpected result (%s)",
	    ret > -4096 ? strerror((int)-ret) : "not an errno");
}

static int pid_of(const struct thr *t, int slot)
{
	return 100 * (t->id + 1) + slot + 1;
}

static void load_brk(struct thr *t, struct proc *p)
{
	struct mm_struct *mm = mmk_get_mm(p->pid);

	/* Just forked or spawned, and already the OOM killer's. */
	if (!mm && vanished(t, p))
		siglongjmp(t->vanished, 1);
	if (!mm)
		bad(t, 0, "process %d is gone", p->pid);
	mmap_write_lock(mm);
	p->brk = mm->brk;
	p->start_brk = mm->start_brk;
	mmap_write_unlock(mm);
	mmput(mm);
}

static void proc_live(struct thr *t, struct proc *p)
{
	if (!t->p[t->cur].live)
		t->cur = (int)(p - t->p);
	p->live = true;
	t->nlive++;
	p->nrecent = 0;
	p->nextrecent = 0;
	load_brk(t, p);
}

static void proc_gone(struct thr *t, struct proc *p)
{
	/* Whatever ended it (exit, the OOM killer), it is gone. */
	if (mmk_task_alive(p->pid))
		fz_fail(&t->w, "process %d is still there after %s", p->pid,
			t->c.name ? t->c.name : "-");
	p->gone_in = t->c.name;
	p->gone_op = t->w.op;
	p->live = false;
	t->nlive--;
	sh_clear(&p->sh);
	if (t->cur == (int)(p - t->p)) {
		int i;

		for (i = 0; i < MAX_PROCS; i++)
			if (t->p[i].live)
				t->cur = i;
	}
}

/* Spawn a process in free slot @slot: 0, or -ENOMEM. */
static int spawn(struct thr *t, int slot)
{
	struct proc *p = &t->p[slot];
	bool unpriv = fz_chance(&t->r, 35);
	long ret;

	setc(t, "spawn", pid_of(t, slot), 1, unpriv, 0, 0, 0, 0);
	ret = mmk_spawn(p->pid, unpriv);
	if (ret == -ENOMEM) {
		t->cnt[C_ERRNO]++;
		return -ENOMEM;
	}
	if (ret)
		bad(t, ret,
		    "spawn failed (the slot's process went in %s, "
		    "operation %llu)",
		    p->gone_in ? p->gone_in : "-",
		    (unsigned long long)p->gone_op);
	t->cnt[C_SPAWN]++;
	p->unprivileged = unpriv;
	if (fz_chance(&t->r, unpriv ? 60 : 20)) {
		static const unsigned long lim[] = { 0, 4096, 65536, 1 << 20 };
		unsigned long v = lim[fz_below(&t->r, 4)];

		setc(t, "setrlimit", p->pid, 2, MMK_RLIMIT_MEMLOCK, v, 0, 0, 0);
		ret = mmk_setrlimit(p->pid, MMK_RLIMIT_MEMLOCK, v);
		if (ret)
			bad(t, ret, "setrlimit failed");
	}
	if (fz_chance(&t->r, 5)) {
		unsigned long v = (64UL << 20) << fz_below(&t->r, 5);

		setc(t, "setrlimit", p->pid, 2, MMK_RLIMIT_AS, v, 0, 0, 0);
		ret = mmk_setrlimit(p->pid, MMK_RLIMIT_AS, v);
		if (ret)
			bad(t, ret, "setrlimit failed");
	}
	sh_clear(&p->sh);
	memset(&p->ring, 0, sizeof p->ring);
	proc_live(t, p);
	return 0;
}

static struct proc *own_proc(struct thr *t, int pid)
{
	int i;

	for (i = 0; i < MAX_PROCS; i++)
		if (t->p[i].live && t->p[i].pid == pid)
			return &t->p[i];
	return NULL;
}

/* /proc/vmstat's oom_kill. */
static unsigned long oom_kills(void)
{
	char *text = mmk_proc_read(G.m, "/proc/vmstat"), *at;
	unsigned long n = 0;

	at = text ? strstr(text, "\noom_kill ") : NULL;
	if (at)
		n = strtoul(at + 10, NULL, 10);
	free(text);
	return n;
}

/* Own process @p is gone though no call of this thread ended it: the OOM
 * killer must have chosen it, one kill each. Then it is gone for us too. */
static bool vanished(struct thr *t, struct proc *p)
{
	unsigned long k;

	if (mmk_task_alive(p->pid))
		return false;
	k = atomic_fetch_add(&G.vanished, 1) + 1;
	if (k > oom_kills())
		fz_fail(&t->w, "process %d is gone, and oom_kill is %lu < %lu",
			p->pid, oom_kills(), k);
	t->cnt[C_VANISHED]++;
	proc_gone(t, p);
	return true;
}

/* An access got SIGKILL: the process must be gone. */
static void killed(struct thr *t, struct proc *p)
{
	struct mm_struct *mm = mmk_get_mm(p->pid);

	if (mm) {
		mmput(mm);
		bad(t, MMK_SIGKILL, "SIGKILL, but process %d lives on", p->pid);
	}
	t->cnt[C_OOM_KILL]++;
	proc_gone(t, p);
}

/* A copy came up short: the process may have been killed. */
static bool gone_after_copy(struct thr *t, struct proc *p)
{
	struct mm_struct *mm = mmk_get_mm(p->pid);

	if (mm) {
		mmput(mm);
		return false;
	}
	t->cnt[C_OOM_KILL]++;
	proc_gone(t, p);
	return true;
}

static struct proc *pick_proc(struct thr *t)
{
	int i, k;

	if (t->nlive < 2 || fz_chance(&t->r, 75))
		return &t->p[t->cur];
	k = (int)fz_below(&t->r, (uint64_t)t->nlive);
	for (i = 0; i < MAX_PROCS; i++)
		if (t->p[i].live && k-- == 0)
			return &t->p[i];
	return &t->p[t->cur];
}

/* ---- argument generators ---- */

static void add_bound(struct gen *g, unsigned long page)
{
	if (page >= g->pages)
		return;
	g->bounds[g->nextb] = page;
	g->nextb = (g->nextb + 1) % 64;
	if (g->nb < 64)
		g->nb++;
}

static void add_mapped(struct gen *g, unsigned long addr, unsigned long pages)
{
	struct ring *r = g->ring;

	r->addr[r->next] = addr & PAGE_MASK;
	r->pages[r->next] = pages ? (pages > 1024 ? 1024 : pages) : 1;
	r->next = (r->next + 1) % 32;
	if (r->n < 32)
		r->n++;
}

/* A page of the window: near earlier edges, in the busy area, or far. */
static unsigned long pick_page(struct thr *t, struct gen *g)
{
	unsigned long r = fz_below(&t->r, 100), p;

	if (g->nb && r < 50) {
		p = g->bounds[fz_below(&t->r, g->nb)];
		r = fz_below(&t->r, 10);
		if (r == 0 && p > 0)
			p--;
		else if (r == 1)
			p++;
		return p;
	}
	if (r < 97)
		return fz_below(&t->r, g->area);
	return fz_below(&t->r, g->pages);
}

static unsigned long pick_pages(struct thr *t)
{
	unsigned long r = fz_below(&t->r, 1000);

	if (r < 750)
		return 1 + fz_below(&t->r, 8);
	if (r < 930)
		return 1 + fz_below(&t->r, 16);
	if (r < 995)
		return 17 + fz_below(&t->r, 48);
	return 512 + fz_below(&t->r, 512); /* 2-4 MiB */
}

/* Clamp [page, +pages) into the window. */
static unsigned long fit(const struct gen *g, unsigned long page,
			 unsigned long pages)
{
	return page + pages > g->pages - 1 ? g->pages - 1 - pages : page;
}

/* @pages as a byte length: sometimes ragged, sometimes 0 or wrapping if
 * @zero_ok. */
static unsigned long len_of(struct thr *t, unsigned long pages, bool zero_ok)
{
	unsigned long r = fz_below(&t->r, 100);

	if (zero_ok && r < 2)
		return 0;
	if (zero_ok && r < 3)
		return 0UL - PG * (1 + fz_below(&t->r, 1024)) +
		       fz_below(&t->r, PG);
	if (r < 11)
		return pages * PG - 1 - fz_below(&t->r, PG - 1);
	return pages * PG;
}

static unsigned long pick_prot(struct thr *t)
{
	unsigned long r = fz_below(&t->r, 100);

	if (r < 6)
		return PROT_NONE;
	if (r < 20)
		return PROT_READ;
	if (r < 78)
		return PROT_READ | PROT_WRITE;
	if (r < 86)
		return PROT_READ | PROT_EXEC;
	if (r < 95)
		return PROT_READ | PROT_WRITE | PROT_EXEC;
	if (r < 97)
		return PROT_WRITE;
	if (r < 98)
		return PROT_EXEC;
	return PROT_WRITE | PROT_EXEC;
}

/* A page to access: mostly inside an earlier mapping. */
static unsigned long pick_access_page(struct thr *t, struct gen *g)
{
	const struct ring *r = g->ring;

	if (r->n && fz_chance(&t->r, 90)) {
		unsigned int i = (unsigned int)fz_below(&t->r, r->n);

		return r->addr[i] + fz_below(&t->r, r->pages[i]) * PG;
	}
	return g->base + fit(g, pick_page(t, g), 1) * PG;
}

/* An 8-byte access address; now and then unaligned or wild. */
static unsigned long pick_access(struct thr *t, struct gen *g)
{
	unsigned long r = fz_below(&t->r, 1000);

	if (r < 15)
		return pick_access_page(t, g) + PG - 4; /* crosses a page */
	if (r < 30)
		return pick_access_page(t, g) + fz_below(&t->r, PG - 8);
	if (r < 32) {
		static const unsigned long wild[] = { 0, 4096, MIN_ADDR };

		return r == 30 ? wild[fz_below(&t->r, 3)] :
				 G.task_size - 8 * fz_below(&t->r, 3);
	}
	return pick_access_page(t, g) + 8 * fz_below(&t->r, PG / 8);
}

/* ---- the access oracle ---- */

enum { ACC_SEGV, ACC_OK, ACC_ANY };

struct pred {
	int x; /* what the access must give */
	bool file; /* the VMA maps a file (SIGBUS possible) */
	bool priv; /* ... is private */
	unsigned long start, end, flags; /* the VMA */
};

/* What an access at @addr by own process @p must give, from its VMAs. */
static struct pred predict(struct thr *t, struct proc *p, unsigned long addr,
			   bool write)
{
	struct pred r = { ACC_SEGV, false, false, 0, 0, 0 };
	struct vm_area_struct *vma;
	struct mm_struct *mm = mmk_get_mm(p->pid);

	if (!mm)
		bad(t, 0, "process %d is gone", p->pid);
	mmap_write_lock(mm);
	vma = addr < mm->task_size ? find_vma(mm, addr) : NULL;
	if (vma) {
		r.start = vma->vm_start;
		r.end = vma->vm_end;
		r.flags = vma->vm_flags;
		r.file = vma->vm_file != NULL;
		/* A private huge page is no place for the data oracle: an
		 * owner's copy-on-write that finds no free page takes the
		 * page from the processes forked from it (unmap_ref_private),
		 * whose children then fault fresh ones (mm/hugetlb.c). */
		r.priv = !(vma->vm_flags & (VM_MAYSHARE | VM_HUGETLB));
		/* Nor is a private mapping of a memfd: a truncation by
		 * another process of the thread takes its copies. */
		if (vma->vm_file && vma->vm_file->shmem)
			r.priv = false;
		if (vma->vm_start > addr)
			/* Below a stack the stack may grow. */
			r.x = (vma->vm_flags & VM_GROWSDOWN) ? ACC_ANY :
							       ACC_SEGV;
		else if (write ? (vma->vm_flags & VM_WRITE) :
				 (vma->vm_flags & VM_ACCESS_FLAGS))
			r.x = ACC_OK;
		/* A protection key PKRU denies (mm/pkeys.c). */
		if (r.x == ACC_OK && !arch_vma_access_permitted(vma, write))
			r.x = ACC_SEGV;
		/* A guard marker (MADV_GUARD_INSTALL) faults whatever the
		 * VMA allows. */
		if (r.x == ACC_OK && (vma->vm_flags & VM_MAYBE_GUARD)) {
			void *slot = pte_offset(mm, addr, false);

			if (slot &&
			    is_guard_marker(pte_read(pt_format_of(mm), slot)))
				r.x = ACC_SEGV;
		}
	}
	mmap_write_unlock(mm);
	mmput(mm);
	return r;
}

/* Check the signal @sig of an access by own process @p against @pr.
 * Return: whether the process is still alive. */
static bool check_access(struct thr *t, struct proc *p, const struct pred *pr,
			 int sig)
{
	if (sig != 0 && sig != MMK_SIGSEGV && sig != MMK_SIGBUS &&
	    sig != MMK_SIGKILL)
		bad(t, sig, "not a signal an access can get");
	if (sig)
		t->cnt[C_SIGNAL]++;
	if (pr->x == ACC_SEGV && sig != MMK_SIGSEGV)
		bad(t, sig,
		    "no VMA allows the access (next VMA %#lx-%#lx flags "
		    "%#lx), but no SIGSEGV",
		    pr->start, pr->end, pr->flags);
	if (pr->x == ACC_OK &&
	    (sig == MMK_SIGSEGV || (sig == MMK_SIGBUS && !pr->file)))
		bad(t, sig, "VMA %#lx-%#lx flags %#lx allows the access",
		    pr->start, pr->end, pr->flags);
	if (pr->x != ACC_ANY)
		t->cnt[C_PREDICTED]++;
	if (sig == MMK_SIGKILL) {
		killed(t, p);
		return false;
	}
	return true;
}

static void remember(struct proc *p, unsigned long addr)
{
	p->recent[p->nextrecent] = addr;
	p->nextrecent = (p->nextrecent + 1) % 32;
	if (p->nrecent < 32)
		p->nrecent++;
}

/* A load by own process @p at @addr, checked against the VMAs and the
 * shadow; with @zero, the memory must be fresh (zeroes). */
static void checked_read(struct thr *t, struct proc *p, unsigned long addr,
			 bool zero)
{
	bool one_page = (addr & ~PAGE_MASK) <= PG - 8;
	struct pred pr = predict(t, p, addr, false);
	uint64_t v = 0, want;
	int sig;

	if (!one_page)
		pr.x = ACC_ANY;
	sig = mmk_read_u64(p->pid, addr, &v);
	if (sig < 0)
		bad(t, sig, "read of %#lx: process %d is gone", addr, p->pid);
	if (!check_access(t, p, &pr, sig) || sig)
		return;
	if (zero) {
		if (v)
			bad(t, 0,
			    "fresh private anonymous memory at %#lx reads "
			    "%#llx, not 0 (VMA %#lx-%#lx flags %#lx)",
			    addr, (unsigned long long)v, pr.start, pr.end,
			    pr.flags);
		t->cnt[C_ZERO_OK]++;
	}
	if (!(addr & 7) && sh_get(&p->sh, addr, &want)) {
		if (v != want)
			bad(t, 0,
			    "process %d reads %#llx at %#lx, but stored "
			    "%#llx there (%s %#lx-%#lx flags %#lx%s)",
			    p->pid, (unsigned long long)v, addr,
			    (unsigned long long)want,
			    pr.start > addr ? "no VMA; the next is" : "VMA",
			    pr.start, pr.end, pr.flags,
			    pr.file ? ", file" : "");
		t->cnt[C_SHADOW_OK]++;
	}
}

static void checked_write(struct thr *t, struct proc *p, unsigned long addr,
			  uint64_t v)
{
	bool one_page = (addr & ~PAGE_MASK) <= PG - 8;
	struct pred pr = predict(t, p, addr, true);
	int sig;

	if (!one_page)
		pr.x = ACC_ANY;
	sig = mmk_write_u64(p->pid, addr, v);
	if (sig < 0)
		bad(t, sig, "write of %#lx: process %d is gone", addr, p->pid);
	if (!check_access(t, p, &pr, sig))
		return;
	if (!sig && !(addr & 7) && pr.x == ACC_OK && pr.priv) {
		sh_set(&p->sh, addr, v);
		remember(p, addr);
	} else {
		sh_drop(&p->sh, addr, 8);
	}
}

/* ---- operations on a thread's own processes ---- */

static void op_mmap(struct thr *t, struct proc *p)
{
	struct gen *g = &t->own;
	unsigned long pages = pick_pages(t),
		      page = fit(g, pick_page(t, g), pages);
	unsigned long addr = g->base + page * PG, len = pages * PG, alen;
	unsigned long prot = pick_prot(t), flags, off = 0, r;
	struct file *f = NULL;
	bool fixed, anon_priv = false;
	long ret;

	r = fz_below(&t->r, 100);
	if (r < 50) {
		flags = MAP_PRIVATE | MAP_ANONYMOUS;
		anon_priv = true;
	} else if (r < 65) {
		flags = MAP_SHARED | MAP_ANONYMOUS;
	} else {
		unsigned long fpages;

		f = fz_chance(&t->r, 80) ? G.frw : G.fro;
		if (t->mfd && fz_chance(&t->r, 15))
			f = t->mfd;
		fpages = file_size(f) / PG;
		flags = r < 86 ? MAP_PRIVATE :
			r < 98 ? MAP_SHARED :
				 MAP_SHARED_VALIDATE;
		if (fz_chance(&t->r, 90))
			off = fz_below(&t->r,
				       fpages > pages ? fpages - pages : 1);
		else
			off = fz_below(&t->r, fpages + 16);
		off *= PG;
	}
	r = fz_below(&t->r, 100);
	if (r < 55)
		flags |= MAP_FIXED;
	else if (r < 70)
		flags |= MAP_FIXED_NOREPLACE;
	else if (r >= 85)
		addr = 0;
	if (fz_chance(&t->r, 8))
		flags |= MAP_POPULATE;
	if ((flags & MAP_POPULATE) && fz_chance(&t->r, 20))
		flags |= MAP_NONBLOCK;
	if (fz_chance(&t->r, 4))
		flags |= MAP_LOCKED;
	if (fz_chance(&t->r, 10))
		flags |= MAP_NORESERVE;
	if (fz_chance(&t->r, 2))
		flags |= MAP_GROWSDOWN;
	if (fz_chance(&t->r, 1))
		flags |= MAP_STACK;
	if (fz_chance(&t->r, 8) && len > PG)
		len -= 1 + fz_below(&t->r, PG - 1);
	if (fz_chance(&t->r, 4)) {
		switch (fz_below(&t->r, 8)) {
		case 0:
			addr |= 1 + fz_below(&t->r, PG - 1);
			break;
		case 1:
			len = 0;
			break;
		case 2:
			len = 0UL - PG * (1 + fz_below(&t->r, 16));
			break;
		case 3:
			flags &= ~(unsigned long)MAP_TYPE;
			break;
		case 4:
			flags = (flags & ~(unsigned long)MAP_TYPE) |
				MAP_SHARED_VALIDATE | 0x400000;
			break;
		case 5:
			off |= 1 + fz_below(&t->r, PG - 1);
			break;
		case 6:
			addr = G.task_size - PG * fz_below(&t->r, 4);
			flags |= MAP_FIXED;
			break;
		default:
			flags &= ~(unsigned long)MAP_ANONYMOUS;
			f = NULL;
			break;
		}
	}
	fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	setc(t, "mmap", p->pid, 5, addr, len, prot, flags, off);
	ret = mmk_mmap(p->pid, addr, len, prot, flags, f, off);
	check_err(t, ret, e_mmap);
	alen = PAGE_ALIGN(len);
	if (fixed)
		sh_drop(&p->sh, addr & PAGE_MASK, alen ? alen : ~0UL);
	if (ret < 0)
		return;
	if ((ret & ~PAGE_MASK) || !alen || (unsigned long)ret < MIN_ADDR ||
	    end_of((unsigned long)ret, alen) > G.task_size)
		bad(t, ret, "not a place for %#lx bytes", alen);
	if (fixed && (unsigned long)ret != addr)
		bad(t, ret, "MAP_FIXED mapped elsewhere");
	sh_drop(&p->sh, (unsigned long)ret, alen);
	add_mapped(g, (unsigned long)ret, alen / PG);
	if ((unsigned long)ret >= g->base) {
		add_bound(g, ((unsigned long)ret - g->base) / PG);
		add_bound(g, ((unsigned long)ret - g->base + alen) / PG);
	}
	if (anon_priv && (prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) &&
	    fz_chance(&t->r, 30))
		checked_read(t, p,
			     (unsigned long)ret + 8 * fz_below(&t->r, alen / 8),
			     true);
}

/* The usual [addr, +len) of a range call, with invalid ones now and then. */
/*
 * The page-aligned start and page count of a range call: mostly part of an
 * earlier mapping (now and then one page beyond either end), else
 * anywhere in the window.
 */
static void pick_span(struct thr *t, struct gen *g, unsigned long *addr,
		      unsigned long *pages)
{
	unsigned long page, n;

	const struct ring *r = g->ring;

	if (r->n && fz_chance(&t->r, 60)) {
		unsigned int i = (unsigned int)fz_below(&t->r, r->n);
		unsigned long first = fz_below(&t->r, r->pages[i]);

		n = 1 + fz_below(&t->r, r->pages[i] - first);
		*addr = r->addr[i] + first * PG;
		if (fz_chance(&t->r, 15))
			n += 1 + fz_below(&t->r, 2);
		if (fz_chance(&t->r, 10) && *addr > g->base) {
			*addr -= PG;
			n++;
		}
		*pages = n;
		return;
	}
	n = pick_pages(t);
	page = fit(g, pick_page(t, g), n);
	*addr = g->base + page * PG;
	*pages = n;
}

/* Note the edges of [@addr, +@pages) if they are in the window. */
static void note_span(struct gen *g, unsigned long addr, unsigned long pages)
{
	if (addr < g->base)
		return;
	add_bound(g, (addr - g->base) / PG);
	add_bound(g, (addr - g->base) / PG + pages);
}

/* The usual [addr, +len) of a range call, with invalid ones now and then. */
static void pick_range(struct thr *t, struct gen *g, unsigned long *addr,
		       unsigned long *len)
{
	unsigned long pages;

	pick_span(t, g, addr, &pages);
	note_span(g, *addr, pages);
	if (fz_chance(&t->r, 2))
		*addr += 1 + fz_below(&t->r, PG - 1);
	*len = len_of(t, pages, true);
}

static void op_munmap(struct thr *t, struct proc *p)
{
	unsigned long addr, len, a;
	struct mm_struct *mm;
	bool hole;
	long ret;

	pick_range(t, &t->own, &addr, &len);
	setc(t, "munmap", p->pid, 2, addr, len, 0, 0, 0);
	ret = mmk_munmap(p->pid, addr, len);
	check_err(t, ret, e_munmap);
	sh_drop(&p->sh, addr & PAGE_MASK,
		PAGE_ALIGN(len) ? PAGE_ALIGN(len) : ~0UL);
	if (ret || !len || end_of(addr, len) == ~0UL || fz_chance(&t->r, 60))
		return;
	/* The range has no VMA left, and an access there faults. */
	a = (addr & PAGE_MASK) + 8 * fz_below(&t->r, PAGE_ALIGN(len) / 8);
	mm = mmk_get_mm(p->pid);
	if (!mm)
		bad(t, ret, "process %d is gone", p->pid);
	mmap_write_lock(mm);
	hole = !vma_lookup(mm, a);
	mmap_write_unlock(mm);
	mmput(mm);
	if (!hole)
		bad(t, ret, "a VMA still holds %#lx", a);
	if (fz_chance(&t->r, 50))
		checked_read(t, p, a, false);
	else
		checked_write(t, p, a, fz_next(&t->r) | 1);
}

static void op_mprotect(struct thr *t, struct proc *p)
{
	unsigned long addr, len, prot = pick_prot(t);
	long ret;

	pick_range(t, &t->own, &addr, &len);
	if (fz_chance(&t->r, 2))
		prot |= PROT_GROWSDOWN;
	if (fz_chance(&t->r, 1))
		prot |= fz_chance(&t->r, 50) ? 0x8 /* PROT_SEM */ : 0x10;
	setc(t, "mprotect", p->pid, 3, addr, len, prot, 0, 0);
	ret = mmk_mprotect(p->pid, addr, len, prot);
	check_err(t, ret, e_mprotect);
	/* Contents stay: the shadow stays. The VMA's new protection must
	 * show in the next access (a stale TLB entry would not). */
	if (!ret && len && end_of(addr, len) != ~0UL && fz_chance(&t->r, 30)) {
		unsigned long a = (addr & PAGE_MASK) +
				  8 * fz_below(&t->r, PAGE_ALIGN(len) / 8);

		if (fz_chance(&t->r, 50))
			checked_read(t, p, a, false);
		else
			checked_write(t, p, a, fz_next(&t->r) | 1);
	}
}

static void op_mlock(struct thr *t, struct proc *p, int op)
{
	unsigned long addr, len, fl = 0, r;
	long ret;

	pick_range(t, &t->own, &addr, &len);
	switch (op) {
	case C_MLOCK:
		setc(t, "mlock", p->pid, 2, addr, len, 0, 0, 0);
		ret = mmk_mlock(p->pid, addr, len);
		check_err(t, ret, e_mlock);
		break;
	case C_MLOCK2:
		r = fz_below(&t->r, 100);
		fl = r < 85 ? MLOCK_ONFAULT : r < 97 ? 0 : 2;
		setc(t, "mlock2", p->pid, 3, addr, len, fl, 0, 0);
		ret = mmk_mlock2(p->pid, addr, len, (unsigned int)fl);
		check_err(t, ret, e_mlock);
		break;
	default:
		setc(t, "munlock", p->pid, 2, addr, len, 0, 0, 0);
		ret = mmk_munlock(p->pid, addr, len);
		check_err(t, ret, e_munlock);
		break;
	}
}

static void op_mlockall(struct thr *t, struct proc *p)
{
	static const int flags[] = {
		MCL_FUTURE,
		MCL_FUTURE | MCL_ONFAULT,
		MCL_CURRENT | MCL_ONFAULT,
		MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT,
		MCL_CURRENT,
		MCL_CURRENT | MCL_FUTURE,
		0, /* EINVAL */
		MCL_ONFAULT, /* EINVAL */
		8, /* EINVAL */
	};
	int fl = flags[fz_below(&t->r, 9)];
	long ret;

	setc(t, "mlockall", p->pid, 1, (unsigned long)fl, 0, 0, 0, 0);
	ret = mmk_mlockall(p->pid, fl);
	check_err(t, ret, e_mlockall);
}

static void op_munlockall(struct thr *t, struct proc *p)
{
	long ret;

	setc(t, "munlockall", p->pid, 0, 0, 0, 0, 0, 0);
	ret = mmk_munlockall(p->pid);
	check_err(t, ret, e_none);
	if (ret)
		bad(t, ret, "munlockall cannot fail");
}

/* Seal a range now and then: later unmaps, mprotects and mremaps of it
 * fail with EPERM until the process exits. */
static void op_mseal(struct thr *t, struct proc *p)
{
	unsigned long addr, len, flags = fz_chance(&t->r, 3) ? 1 : 0;

	pick_range(t, &t->own, &addr, &len);
	setc(t, "mseal", p->pid, 3, addr, len, flags, 0, 0);
	check_err(t, mmk_mseal(p->pid, addr, len, flags), e_mseal);
}

/* mincore of a range near the thread's earlier calls: 0, or EINVAL
 * (unaligned) or ENOMEM (a hole); bytes 0 or 1. */
static void op_mincore(struct thr *t, struct proc *p)
{
	static _Thread_local unsigned char vec[WIN_PAGES + 1];
	unsigned long addr, len, i;
	long ret;

	pick_range(t, &t->own, &addr, &len);
	if (len > WIN_PAGES * PG)
		len = WIN_PAGES * PG;
	setc(t, "mincore", p->pid, 2, addr, len, 0, 0, 0);
	ret = mmk_mincore(p->pid, addr, len, vec);
	check_err(t, ret, e_mincore);
	for (i = 0; !ret && i < (len + PG - 1) / PG; i++)
		if (vec[i] > 1)
			bad(t, ret, "byte %lu is %u", i, vec[i]);
}

/* ---- NUMA memory policy ---- */

/* A node mask over the machine's nodes, now and then one naming a node
 * it lacks, or none. */
static unsigned long pick_nodes(struct thr *t)
{
	if (fz_chance(&t->r, 5))
		return 0;
	if (fz_chance(&t->r, 5))
		return 1UL << fz_below(&t->r, 8);
	return 1 + fz_below(&t->r, 3);
}

static int pick_policy_mode(struct thr *t)
{
	int mode = (int)fz_below(&t->r, MPOL_MAX + 1);

	if (fz_chance(&t->r, 10))
		mode |= fz_chance(&t->r, 50) ? MPOL_F_STATIC_NODES :
					       MPOL_F_RELATIVE_NODES;
	if (fz_chance(&t->r, 3))
		mode |= MPOL_F_NUMA_BALANCING;
	return mode;
}

static void op_mempolicy(struct thr *t, struct proc *p)
{
	unsigned long addr, len, nodes = pick_nodes(t), to, pages[8];
	unsigned int flags = 0, r = (unsigned int)fz_below(&t->r, 100);
	int mode = pick_policy_mode(t), nr[8], status[8], i, pol;
	long ret;

	pick_range(t, &t->own, &addr, &len);
	if (r < 20) {
		setc(t, "set_mempolicy", p->pid, 2, (unsigned long)mode, nodes,
		     0, 0, 0);
		ret = mmk_set_mempolicy(p->pid, mode, &nodes, 65);
	} else if (r < 65) {
		if (fz_chance(&t->r, 40))
			flags |= MPOL_MF_MOVE;
		if (fz_chance(&t->r, 10))
			flags |= MPOL_MF_MOVE_ALL;
		if (fz_chance(&t->r, 20))
			flags |= MPOL_MF_STRICT;
		if (fz_chance(&t->r, 2))
			flags |= 8; /* MPOL_MF_LAZY: EINVAL */
		setc(t, "mbind", p->pid, 5, addr, len, (unsigned long)mode,
		     nodes, flags);
		ret = mmk_mbind(p->pid, addr, len, (unsigned long)mode, &nodes,
				65, flags);
	} else if (r < 85) {
		unsigned long n = 1 + fz_below(&t->r, 8);
		bool stat = fz_chance(&t->r, 30);
		int node = (int)fz_below(&t->r, 3);

		for (i = 0; i < (int)n; i++) {
			pages[i] = (addr & PAGE_MASK) + (unsigned long)i * PG;
			nr[i] = fz_chance(&t->r, 70) ? node :
						       (int)fz_below(&t->r, 3);
			status[i] = 12345;
		}
		flags = fz_chance(&t->r, 20) ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE;
		setc(t, "move_pages", p->pid, 4, addr, n, stat, flags, 0);
		ret = mmk_move_pages(p->pid, n, pages, stat ? NULL : nr, status,
				     (int)flags);
		for (i = 0; ret == 0 && i < (int)n; i++)
			if (status[i] != -EFAULT && status[i] != -ENOENT &&
			    status[i] != -EACCES && status[i] != -EBUSY &&
			    status[i] != -ENOMEM &&
			    (status[i] < 0 || status[i] >= 2))
				bad(t, ret, "page %d: status %d", i, status[i]);
	} else if (r < 92) {
		to = pick_nodes(t);
		setc(t, "migrate_pages", p->pid, 2, nodes, to, 0, 0, 0);
		ret = mmk_migrate_pages(p->pid, 65, &nodes, &to);
	} else if (r < 97) {
		unsigned long mask = 0;

		flags = fz_chance(&t->r, 50) ? MPOL_F_ADDR : 0;
		if (flags && fz_chance(&t->r, 50))
			flags |= MPOL_F_NODE;
		setc(t, "get_mempolicy", p->pid, 2, addr, flags, 0, 0, 0);
		ret = mmk_get_mempolicy(p->pid, &pol, &mask, 65,
					flags ? addr : 0, flags);
		if (!ret && (flags & MPOL_F_NODE) && (pol < 0 || pol >= 2))
			bad(t, ret, "node %d", pol);
	} else {
		char path[64], *text;

		snprintf(path, sizeof path, "/proc/%d/numa_maps", p->pid);
		setc(t, "numa_maps", p->pid, 0, 0, 0, 0, 0, 0);
		text = mmk_proc_read(G.m, path);
		free(text);
		ret = 0;
	}
	check_err(t, ret, e_mempolicy);
}

struct remap {
	unsigned long addr, old_len, new_len, flags, new_addr;
};

/* mremap arguments in @g: shrink, grow in place, no-op, move (and
 * resize, don't-unmap, duplicate), invalid. */
static void gen_mremap(struct thr *t, struct gen *g, struct remap *m)
{
	unsigned long op, np, dst, r = fz_below(&t->r, 100);

	pick_span(t, g, &m->addr, &op);
	note_span(g, m->addr, op);
	if (fz_chance(&t->r, 2))
		m->addr += 1 + fz_below(&t->r, PG - 1);
	m->old_len = len_of(t, op, false);
	m->new_addr = 0;
	if (r < 20) {
		np = op > 1 ? 1 + fz_below(&t->r, op - 1) : 1;
		m->new_len = len_of(t, np, false);
		m->flags = fz_chance(&t->r, 25) ? MREMAP_MAYMOVE : 0;
	} else if (r < 40) {
		np = op + 1 + fz_below(&t->r, 8);
		m->new_len = len_of(t, np, false);
		m->flags = fz_chance(&t->r, 30) ? MREMAP_MAYMOVE : 0;
	} else if (r < 45) {
		np = op;
		m->new_len = m->old_len;
		m->flags = fz_chance(&t->r, 50) ? MREMAP_MAYMOVE : 0;
	} else {
		np = r >= 65 && r < 94 ? pick_pages(t) : op;
		dst = fit(g, pick_page(t, g), np);
		m->new_addr = g->base + dst * PG;
		m->new_len = np == op ? m->old_len : len_of(t, np, false);
		m->flags = MREMAP_MAYMOVE | MREMAP_FIXED;
		if (r >= 80 && r < 90) {
			m->flags |= MREMAP_DONTUNMAP;
			if (!fz_chance(&t->r, 10)) {
				np = op;
				m->new_len = m->old_len;
			}
		} else if (r >= 90 && r < 94) {
			m->old_len = 0;
		} else if (r >= 94) {
			switch (fz_below(&t->r, 5)) {
			case 0:
				m->flags = MREMAP_FIXED;
				break;
			case 1:
				m->flags = MREMAP_FIXED | MREMAP_DONTUNMAP;
				break;
			case 2:
				m->flags |= 8;
				break;
			case 3:
				m->new_addr += 1 + fz_below(&t->r, PG - 1);
				break;
			default:
				m->new_len = 0;
				break;
			}
		}
		add_bound(g, dst);
		add_bound(g, dst + np);
	}
	note_span(g, m->addr & PAGE_MASK, np);
}

/* A successful mremap's result @ret for @m; the call is checked. */
static void check_remap(struct thr *t, const struct remap *m, long ret)
{
	unsigned long nlen = PAGE_ALIGN(m->new_len);

	/* Linux checks the whole new range only where it maps something
	 * new: a shrink or no-op in place returns @addr unchecked (as long
	 * as a VMA holds it). */
	if ((ret & ~PAGE_MASK) || (unsigned long)ret < MIN_ADDR ||
	    (unsigned long)ret >= G.task_size ||
	    (((unsigned long)ret != m->addr || nlen > PAGE_ALIGN(m->old_len)) &&
	     end_of((unsigned long)ret, nlen) > G.task_size))
		bad(t, ret, "not a place for %#lx bytes", m->new_len);
	if ((m->flags & MREMAP_FIXED) && (unsigned long)ret != m->new_addr)
		bad(t, ret, "MREMAP_FIXED moved elsewhere");
	if (!(m->flags & MREMAP_MAYMOVE) && (unsigned long)ret != m->addr)
		bad(t, ret, "moved without MREMAP_MAYMOVE");
}

static void op_mremap(struct thr *t, struct proc *p)
{
	unsigned long olen, nlen, keep, dst;
	struct remap m;
	unsigned int n = 0, i;
	struct pred pr;
	long ret;

	gen_mremap(t, &t->own, &m);
	setc(t, "mremap", p->pid, 5, m.addr, m.old_len, m.new_len, m.flags,
	     m.new_addr);
	/* The VMA's kind, for the zero check of a grown tail. */
	pr = predict(t, p, m.addr, false);
	ret = mmk_mremap(p->pid, m.addr, m.old_len, m.new_len, m.flags,
			 m.new_addr);
	check_err(t, ret, e_mremap);
	olen = PAGE_ALIGN(m.old_len);
	nlen = PAGE_ALIGN(m.new_len);
	if (ret < 0) {
		sh_drop(&p->sh, m.addr & PAGE_MASK, olen);
		if (m.flags & MREMAP_FIXED)
			sh_drop(&p->sh, m.new_addr & PAGE_MASK, nlen);
		return;
	}
	check_remap(t, &m, ret);
	dst = (unsigned long)ret;
	/* The pages move, and the values in them. */
	keep = olen < nlen ? olen : nlen;
	if (keep)
		sh_walk(&p->sh, m.addr, m.addr + keep, &n);
	sh_drop(&p->sh, m.addr, olen);
	sh_drop(&p->sh, dst, nlen);
	for (i = 0; i < n; i++)
		sh_set(&p->sh, dst + (mv_scratch[i].addr - m.addr),
		       mv_scratch[i].val);
	add_mapped(&t->own, dst, nlen / PG);
	/* A grown private anonymous mapping's tail is fresh. */
	if (olen && nlen > olen && pr.x == ACC_OK && pr.priv && !pr.file &&
	    pr.start <= m.addr && fz_chance(&t->r, 30))
		checked_read(t, p,
			     dst + olen +
				     8 * fz_below(&t->r, (nlen - olen) / 8),
			     true);
}

static void op_brk(struct thr *t, struct proc *p)
{
	unsigned long req, r = fz_below(&t->r, 100), old = p->brk, lo, hi;
	long ret;

	if (r < 40 && old - p->start_brk < BRK_MAX)
		req = old + 1 + fz_below(&t->r, 16 * PG);
	else if (r < 45 && old - p->start_brk < BRK_MAX)
		req = old + PG * (256 + fz_below(&t->r, 768));
	else if (r < 85)
		req = p->start_brk + fz_below(&t->r, old - p->start_brk + 1);
	else if (r < 90)
		req = old;
	else if (r < 93)
		req = 0;
	else if (r < 96)
		req = p->start_brk - 1 - fz_below(&t->r, 1 << 20);
	else
		req = G.task_size + fz_below(&t->r, 1UL << 30);
	setc(t, "brk", p->pid, 1, req, 0, 0, 0, 0);
	ret = mmk_brk(p->pid, req);
	if (ret < 0)
		bad(t, ret, "brk returns the break, never an errno");
	if ((unsigned long)ret != req && (unsigned long)ret != old)
		bad(t, ret, "neither the new break nor the old one (%#lx)",
		    old);
	p->brk = (unsigned long)ret;
	if (p->brk == old)
		return;
	lo = old < p->brk ? old : p->brk;
	hi = old < p->brk ? p->brk : old;
	sh_walk(&p->sh, lo & PAGE_MASK, PAGE_ALIGN(hi), NULL);
	if (p->brk > old) {
		add_mapped(&t->own, old,
			   (PAGE_ALIGN(p->brk) - (old & PAGE_MASK)) / PG);
		if (PAGE_ALIGN(p->brk) > PAGE_ALIGN(old) &&
		    fz_chance(&t->r, 30))
			checked_read(t, p,
				     PAGE_ALIGN(old) +
					     8 * fz_below(&t->r,
							  (PAGE_ALIGN(p->brk) -
							   PAGE_ALIGN(old)) /
								  8),
				     true);
	}
}

static const int advices[] = {
	MADV_DONTNEED,
	MADV_DONTNEED,
	MADV_DONTNEED,
	MADV_FREE,
	MADV_FREE,
	MADV_WILLNEED,
	MADV_NORMAL,
	MADV_RANDOM,
	MADV_SEQUENTIAL,
	MADV_DONTFORK,
	MADV_DONTFORK,
	MADV_DOFORK,
	MADV_WIPEONFORK,
	MADV_WIPEONFORK,
	MADV_KEEPONFORK,
	MADV_COLD,
	MADV_PAGEOUT,
	MADV_POPULATE_READ,
	MADV_POPULATE_WRITE,
	MADV_DONTNEED_LOCKED,
	MADV_HUGEPAGE,
	MADV_NOHUGEPAGE,
	MADV_COLLAPSE,
	MADV_DONTDUMP,
	MADV_DODUMP,
	MADV_REMOVE,
	MADV_MERGEABLE,
	MADV_UNMERGEABLE,
	MADV_GUARD_INSTALL,
	MADV_GUARD_REMOVE,
	MADV_GUARD_REMOVE,
	999,
	-1,
	7,
};

/* Advice that may change what the range reads. */
static bool destructive(int advice)
{
	return advice == MADV_DONTNEED || advice == MADV_FREE ||
	       advice == MADV_DONTNEED_LOCKED || advice == MADV_REMOVE ||
	       advice == MADV_GUARD_INSTALL;
}

static void op_madvise(struct thr *t, struct proc *p)
{
	int advice =
		advices[fz_below(&t->r, sizeof(advices) / sizeof(advices[0]))];
	unsigned long addr, len;
	long ret;

	pick_range(t, &t->own, &addr, &len);
	setc(t, "madvise", p->pid, 3, addr, len, (unsigned long)advice, 0, 0);
	ret = mmk_madvise(p->pid, addr, len, advice);
	check_err(t, ret, e_madvise);
	if (destructive(advice))
		sh_drop(&p->sh, addr & PAGE_MASK,
			PAGE_ALIGN(len) ? PAGE_ALIGN(len) : ~0UL);
}

/* One mmk_touch() and the checks of its result. */
static void touch_checked(struct thr *t, struct proc *p, unsigned long addr,
			  unsigned long len, bool write)
{
	int sig;

	setc(t, "touch", p->pid, 3, addr, len, write, 0, 0);
	sig = mmk_touch(p->pid, addr, len, write);
	if (sig < 0)
		bad(t, sig, "process %d is gone", p->pid);
	if (sig != 0 && sig != MMK_SIGSEGV && sig != MMK_SIGBUS &&
	    sig != MMK_SIGKILL)
		bad(t, sig, "not a signal an access can get");
	if (sig)
		t->cnt[C_SIGNAL]++;
	if (sig == MMK_SIGKILL)
		killed(t, p);
}

static void op_touch(struct thr *t, struct proc *p)
{
	unsigned long pages = 1 + fz_below(&t->r, 16), addr, len, r;

	addr = pick_access_page(t, &t->own);
	len = pages * PG;
	r = fz_below(&t->r, 100);
	if (r < 8)
		addr += 1 + fz_below(&t->r, PG - 1);
	else if (r < 16)
		len -= 1 + fz_below(&t->r, PG - 1);
	else if (r < 18)
		len = 0;
	touch_checked(t, p, addr, len, fz_chance(&t->r, 55));
}

/*
 * Transparent huge pages: a 2 MiB-aligned range of 2-6 MiB of the window,
 * mapped afresh (anonymous, private, writable) half the time, made
 * MADV_HUGEPAGE and faulted by reads (the huge zero page) and writes
 * (huge pages), for the other calls to split, zap, move, protect and
 * copy. One call in 8 writes a knob of /sys/kernel/mm/
 * transparent_hugepage instead (enabled=always gives every large enough
 * anonymous mapping huge pages).
 */
static void op_thp(struct thr *t, struct proc *p)
{
	static const char *const knobs[][2] = {
		{ "enabled", "always" },
		{ "enabled", "madvise" },
		{ "enabled", "madvise" },
		{ "enabled", "never" },
		{ "defrag", "always" },
		{ "defrag", "defer" },
		{ "defrag", "defer+madvise" },
		{ "defrag", "madvise" },
		{ "defrag", "never" },
		{ "use_zero_page", "0" },
		{ "use_zero_page", "1" },
		{ "khugepaged/max_ptes_none", "0" },
		{ "khugepaged/max_ptes_none", "511" },
		{ "khugepaged/max_ptes_shared", "511" },
		{ "khugepaged/max_ptes_swap", "0" },
		{ "khugepaged/pages_to_scan", "512" },
		{ "khugepaged/pages_to_scan", "4096" },
		{ "khugepaged/defrag", "0" },
		{ "khugepaged/defrag", "1" },
	};
	struct gen *g = &t->own;
	unsigned long pmds = g->pages / 512, addr, len, i, n;
	long ret;

	if (fz_chance(&t->r, 12)) {
		i = fz_below(&t->r, sizeof(knobs) / sizeof(knobs[0]));
		setc(t, "thp_set", p->pid, 1, i, 0, 0, 0, 0);
		/* The i386 profile has no THP (no such files). */
		if (mmk_thp_set(knobs[i][0], knobs[i][1]) !=
		    (G.task_size == 0xc0000000UL ? -ENOENT : 0))
			bad(t, -1, "writing %s=%s failed", knobs[i][0],
			    knobs[i][1]);
		return;
	}
	/* khugepaged's wake-ups, over every thread's processes. */
	if (fz_chance(&t->r, 12)) {
		setc(t, "khugepaged_scan", 0, 1, 1, 0, 0, 0, 0);
		ret = mmk_khugepaged_scan(1 + fz_below(&t->r, 2));
		if (G.task_size == 0xc0000000UL ? ret != -ENOENT : ret < 0)
			bad(t, ret, "khugepaged_scan");
		return;
	}
	if (pmds < 4)
		return;
	addr = g->base + fz_below(&t->r, pmds - 3) * 512 * PG;
	len = (1 + fz_below(&t->r, 3)) * 512 * PG;
	if (fz_chance(&t->r, 50)) {
		setc(t, "mmap", p->pid, 5, addr, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
		ret = mmk_mmap(p->pid, addr, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL,
			       0);
		check_err(t, ret, e_mmap);
		sh_drop(&p->sh, addr, len);
		if (ret < 0)
			return;
		if ((unsigned long)ret != addr)
			bad(t, ret, "MAP_FIXED mapped elsewhere");
		add_mapped(g, addr, len / PG);
		add_bound(g, (addr - g->base) / PG);
		add_bound(g, (addr - g->base + len) / PG);
	}
	setc(t, "madvise", p->pid, 3, addr, len, MADV_HUGEPAGE, 0, 0);
	ret = mmk_madvise(p->pid, addr, len, MADV_HUGEPAGE);
	check_err(t, ret, e_madvise);
	n = 1 + fz_below(&t->r, 4);
	for (i = 0; i < n && p->live; i++)
		touch_checked(t, p, addr + fz_below(&t->r, len / PG) * PG, PG,
			      fz_chance(&t->r, 60));
	/* MADV_COLLAPSE of what base pages there are. */
	if (p->live && fz_chance(&t->r, 25)) {
		setc(t, "madvise", p->pid, 3, addr, len, MADV_COLLAPSE, 0, 0);
		check_err(t, mmk_madvise(p->pid, addr, len, MADV_COLLAPSE),
			  e_madvise);
	}
}

static void op_write(struct thr *t, struct proc *p)
{
	unsigned long addr = pick_access(t, &t->own);
	uint64_t v = fz_next(&t->r) | 1;

	setc(t, "write_u64", p->pid, 2, addr, (unsigned long)v, 0, 0, 0);
	checked_write(t, p, addr, v);
}

static void op_read(struct thr *t, struct proc *p)
{
	unsigned long addr;

	if (p->nrecent && fz_chance(&t->r, 60))
		addr = p->recent[fz_below(&t->r, p->nrecent)];
	else
		addr = pick_access(t, &t->own);
	setc(t, "read_u64", p->pid, 1, addr, 0, 0, 0, 0);
	checked_read(t, p, addr, false);
}

static void op_copy(struct thr *t, struct proc *p, bool to)
{
	uint64_t buf[32], want;
	unsigned long addr, n = 8 * (1 + fz_below(&t->r, 32)), i, done;
	struct pred pr;
	long ret;

	if (!to && p->nrecent && fz_chance(&t->r, 60))
		addr = p->recent[fz_below(&t->r, p->nrecent)] -
		       8 * fz_below(&t->r, 4);
	else
		addr = pick_access_page(t, &t->own) +
		       8 * fz_below(&t->r, PG / 8);
	if (fz_chance(&t->r, 5))
		addr += 1 + fz_below(&t->r, 7);
	pr = predict(t, p, addr, to);
	setc(t, to ? "copy_to_user" : "copy_from_user", p->pid, 2, addr, n, 0,
	     0, 0);
	if (to) {
		for (i = 0; i < n / 8; i++)
			buf[i] = fz_next(&t->r) | 1;
		ret = mmk_copy_to_user(p->pid, addr, buf, n);
	} else {
		memset(buf, 0, sizeof buf);
		ret = mmk_copy_from_user(p->pid, buf, addr, n);
	}
	if (ret < 0 || (unsigned long)ret > n)
		bad(t, ret, "not a count of bytes left");
	if (ret && gone_after_copy(t, p))
		return;
	/* A copy that starts in a VMA allowing it goes on to its end, but
	 * for a guard marker on a later page (MADV_GUARD_INSTALL). */
	if (pr.x == ACC_SEGV && (unsigned long)ret != n)
		bad(t, ret, "copied into no VMA allowing it (%#lx-%#lx %#lx)",
		    pr.start, pr.end, pr.flags);
	if (pr.x == ACC_OK && !pr.file && !(pr.flags & VM_MAYBE_GUARD) &&
	    end_of(addr, n) <= pr.end && ret)
		bad(t, ret, "VMA %#lx-%#lx flags %#lx allows the copy",
		    pr.start, pr.end, pr.flags);
	done = n - (unsigned long)ret;
	if (to) {
		sh_drop(&p->sh, addr, n);
		if (!ret && !(addr & 7) && pr.x == ACC_OK && pr.priv &&
		    addr + n <= pr.end)
			for (i = 0; i < n / 8; i++)
				sh_set(&p->sh, addr + 8 * i, buf[i]);
		if (!ret && !(addr & 7))
			remember(p, addr);
		return;
	}
	for (i = (8 - (addr & 7)) & 7; i + 8 <= done; i += 8) {
		uint64_t got;

		if (!sh_get(&p->sh, addr + i, &want))
			continue;
		memcpy(&got, (char *)buf + i, 8);
		if (got != want)
			bad(t, ret,
			    "copy_from_user gives %#llx at %#lx, but the "
			    "process stored %#llx there",
			    (unsigned long long)got, addr + i,
			    (unsigned long long)want);
		t->cnt[C_SHADOW_OK]++;
	}
}

static int free_slot(const struct thr *t)
{
	int i;

	for (i = 0; i < MAX_PROCS; i++)
		if (!t->p[i].live)
			return i;
	return -1;
}

/* The child's shadow: the parent's, less what fork does not copy. */
static void fork_shadow(struct proc *parent, struct proc *c)
{
	struct mm_struct *mm = mmk_get_mm(parent->pid);
	unsigned int i, n = 0;

	/* The OOM killer may take the parent, or the child, as soon as the
	 * fork returns: the child's VMAs are the ones the parent copied
	 * (the fuzzer notices either gone later). */
	if (!mm)
		mm = mmk_get_mm(c->pid);
	sh_clear(&c->sh);
	if (!mm)
		return;
	mmap_write_lock(mm);
	for (i = 0; i < SH_CAP; i++) {
		const struct shrec *r = &parent->sh.tab[i];
		struct vm_area_struct *vma;

		if (!r->key)
			continue;
		vma = vma_lookup(mm, (r->key - 1) << PAGE_SHIFT);
		if (!vma || (vma->vm_flags &
			     (VM_DONTCOPY | VM_WIPEONFORK | VM_MAYSHARE)))
			continue;
		sh_scratch[n++] = *r;
	}
	mmap_write_unlock(mm);
	mmput(mm);
	for (i = 0; i < n; i++)
		*sh_insert(&c->sh, sh_scratch[i].key) = sh_scratch[i];
}

static void op_fork(struct thr *t, struct proc *p)
{
	int slot = free_slot(t);
	struct proc *c;
	bool shared;
	long ret;

	if (slot < 0) {
		t->cnt[C_FORK]--;
		t->cnt[C_TOUCH]++;
		op_touch(t, p);
		return;
	}
	c = &t->p[slot];
	if (fz_chance(&t->r, 20)) {
		spawn(t, slot);
		return;
	}
	shared = fz_chance(&t->r, 3);
	setc(t, "fork", shared ? SHARED_PID : p->pid, 1, (unsigned long)c->pid,
	     0, 0, 0, 0);
	ret = mmk_fork(shared ? SHARED_PID : p->pid, c->pid);
	/* Process 1 exited, or the OOM killer chose it during the fork. */
	if ((ret == -ESRCH || ret == -EINTR) && shared) {
		t->cnt[C_SHARED_GONE]++;
		return;
	}
	if (ret == -EEXIST)
		bad(t, ret,
		    "child %d exists (its slot's process went in %s, "
		    "operation %llu)",
		    c->pid, c->gone_in ? c->gone_in : "-",
		    (unsigned long long)c->gone_op);
	check_err(t, ret, e_fork);
	if (ret)
		return;
	c->unprivileged = shared ? false : p->unprivileged;
	if (shared)
		sh_clear(&c->sh);
	else
		fork_shadow(p, c);
	proc_live(t, c);
	if (!shared) {
		memcpy(c->recent, p->recent, sizeof c->recent);
		c->nrecent = p->nrecent;
		c->nextrecent = p->nextrecent;
		c->ring = p->ring;
	} else {
		memset(&c->ring, 0, sizeof c->ring);
	}
	if (fz_chance(&t->r, 50))
		t->cur = slot;
}

static void op_exit(struct thr *t, struct proc *p)
{
	long ret;

	if (t->nlive < 2) {
		t->cnt[C_EXIT]--;
		t->cnt[C_READ]++;
		op_read(t, p);
		return;
	}
	setc(t, "exit", p->pid, 0, 0, 0, 0, 0, 0);
	ret = mmk_exit(p->pid);
	if (ret)
		bad(t, ret, "exit failed");
	proc_gone(t, p);
}

static void op_proc(struct thr *t, struct proc *p)
{
	static const char *const files[] = { "maps", "smaps", "status" };
	bool shared = fz_chance(&t->r, 20);
	char path[64], *text;

	if (fz_chance(&t->r, 10))
		snprintf(path, sizeof path, "/proc/meminfo");
	else
		snprintf(path, sizeof path, "/proc/%d/%s",
			 shared ? SHARED_PID : p->pid,
			 files[fz_below(&t->r, 3)]);
	setc(t, "proc_read", shared ? SHARED_PID : p->pid, 0, 0, 0, 0, 0, 0);
	text = mmk_proc_read(G.m, path);
	if (!text && !shared)
		bad(t, 0, "%s: %s", path, strerror(errno));
	if (!text)
		t->cnt[C_SHARED_GONE]++;
	free(text);
}

/*
 * vm.overcommit_memory moves between its policies, half the time back to
 * the default heuristic, now and then with another ratio: strict
 * accounting refuses mmap, mprotect, mremap, brk, stack growth and fork
 * with ENOMEM, which every errno list allows, and whatever the policy,
 * the charges must balance (Committed_AS is 0 once every process
 * exited).
 */
static void op_sysctl(struct thr *t)
{
	unsigned int r = fz_below(&t->r, 10);
	long v = r < 5 ? 0 : r < 7 ? 1 : 2;

	if (r == 9) {
		v = (long)fz_below(&t->r, 150);
		setc(t, "overcommit_ratio", 0, 1, (unsigned long)v, 0, 0, 0, 0);
		if (mmk_set_overcommit_ratio(v) < 0)
			bad(t, 0, "vm.overcommit_ratio=%ld refused", v);
		return;
	}
	setc(t, "overcommit_memory", 0, 1, (unsigned long)v, 0, 0, 0, 0);
	if (mmk_set_overcommit_memory((int)v) < 0)
		bad(t, 0, "vm.overcommit_memory=%ld refused", v);
}

/* vm.drop_caches: the clean page cache nobody maps goes (1), with the
 * slab shrinkers (3), while the other threads fault the files' pages. */
static void op_drop_caches(struct thr *t)
{
	int v = fz_chance(&t->r, 50) ? 1 : 3;

	setc(t, "drop_caches", 0, 1, (unsigned long)v, 0, 0, 0, 0);
	if (mmk_drop_caches(v))
		bad(t, 0, "vm.drop_caches=%d refused", v);
}

/* The thread's own swap area, "/vm_fuzz-swapN". */
static void swap_path(const struct thr *t, char *buf, size_t len)
{
	snprintf(buf, len, "/vm_fuzz-swap%d", t->id);
}

/* swapon(2) of the thread's own swap area (64 KiB to 8 MiB, a default or
 * a given priority) or swapoff(2) of it, while the other threads fault,
 * reclaim, fork and swap off theirs: swapoff brings every page back,
 * which the data checks then read. Now and then the call that must fail:
 * swapon of the enabled area (EBUSY), swapoff of the disabled one
 * (EINVAL). */
static void op_swap(struct thr *t)
{
	bool wrong = fz_chance(&t->r, 10);
	char path[32];
	int ret;

	swap_path(t, path, sizeof path);
	if (t->swap_on != wrong) {
		setc(t, "swapoff", 0, 0, 0, 0, 0, 0, 0);
		ret = mmk_swapoff(path);
		if (ret != (wrong ? -EINVAL : 0) && (wrong || ret != -ENOMEM))
			bad(t, ret, "swapoff(%s)", path);
		if (!ret)
			t->swap_on = false;
	} else {
		unsigned long long bytes =
			(unsigned long long)(16 + fz_below(&t->r, 2033)) << 12;
		int prio = fz_chance(&t->r, 50) ? -1 : (int)fz_below(&t->r, 20);

		setc(t, "swapon", 0, 2, (unsigned long)bytes,
		     (unsigned long)prio, 0, 0, 0);
		ret = mmk_swapon(path, bytes, prio);
		if (ret != (wrong ? -EBUSY : 0) && (wrong || ret != -ENOMEM))
			bad(t, ret, "swapon(%s, %llu, %d)", path, bytes, prio);
		if (!ret)
			t->swap_on = true;
	}
}

/* Compaction moves the processes' pages under the other threads' faults,
 * which the data checks then read: vm.compact_memory (every zone whole),
 * a proactive round (vm.compaction_proactiveness), a switch of
 * vm.compact_unevictable_allowed, or a kernel allocation of order 1 to 4
 * (movable or not), which the slow path may get by direct compaction. */
static void op_compact(struct thr *t)
{
	unsigned int r = fz_below(&t->r, 10);
	int ret;

	if (r < 2) {
		setc(t, "compact_memory", 0, 0, 0, 0, 0, 0, 0);
		ret = mmk_compact_memory();
		if (ret)
			bad(t, ret, "vm.compact_memory=1 refused");
	} else if (r < 4) {
		int v = (int)fz_below(&t->r, 101);

		setc(t, "compaction_proactiveness", 0, 1, (unsigned long)v, 0,
		     0, 0, 0);
		ret = mmk_set_compaction_proactiveness(v);
		if (ret < 0 || ret > 100)
			bad(t, ret, "vm.compaction_proactiveness=%d", v);
	} else if (r < 5) {
		bool on = fz_chance(&t->r, 50);

		setc(t, "compact_unevictable_allowed", 0, 1, on, 0, 0, 0, 0);
		ret = mmk_set_compact_unevictable_allowed(on);
		if (ret != 0 && ret != 1)
			bad(t, ret, "vm.compact_unevictable_allowed=%d", on);
	} else {
		unsigned int order = 1 + fz_below(&t->r, 4);
		gfp_t gfp = fz_chance(&t->r, 50) ? GFP_HIGHUSER_MOVABLE :
						   GFP_KERNEL;
		struct page *page;

		setc(t, "alloc_pages", 0, 2, (unsigned long)gfp, order, 0, 0,
		     0);
		page = alloc_pages(gfp | __GFP_NORETRY | __GFP_NOWARN, order);
		if (page)
			__free_pages(page, order);
	}
}

/*
 * KSM (mm/ksm.c): ksmd's batches over every registered process (all
 * threads'), MADV_MERGEABLE over the whole window (the mapped part of
 * it), and the knobs. Merging must keep every value: the data oracle
 * reads them back; a write after a merge copies the page.
 */
static void op_ksm(struct thr *t, struct proc *p)
{
	unsigned int r = fz_below(&t->r, 20);
	long ret;

	if (r < 12) {
		unsigned long n = 1 + fz_below(&t->r, 3);

		setc(t, "ksm_scan", 0, 1, n, 0, 0, 0, 0);
		ret = mmk_ksm_scan(n);
		if (ret < 0)
			bad(t, ret, "ksm_scan %lu", n);
	} else if (r < 14 && fz_chance(&t->r, 50)) {
		/* PR_SET_MEMORY_MERGE: the whole process, and back; the
		 * flag reads back as set unless unmerging ran out. */
		unsigned long on = fz_below(&t->r, 2);

		setc(t, "prctl memory_merge", p->pid, 1, on, 0, 0, 0, 0);
		ret = mmk_prctl(p->pid, PR_SET_MEMORY_MERGE, on, 0, 0, 0);
		if (ret && ret != -ENOMEM)
			bad(t, ret, "PR_SET_MEMORY_MERGE %lu", on);
		if (!ret && mmk_prctl(p->pid, PR_GET_MEMORY_MERGE, 0, 0, 0,
				      0) != (long)on)
			bad(t, ret, "PR_GET_MEMORY_MERGE is not %lu", on);
	} else if (r < 16) {
		int advice = fz_chance(&t->r, 80) ? MADV_MERGEABLE :
						    MADV_UNMERGEABLE;

		setc(t, "madvise (ksm)", p->pid, 3, WIN_BASE,
		     WIN_PAGES * PAGE_SIZE, (unsigned long)advice, 0, 0);
		ret = mmk_madvise(p->pid, WIN_BASE, WIN_PAGES * PAGE_SIZE,
				  advice);
		check_err(t, ret, e_madvise);
	} else if (r < 17) {
		unsigned long v = fz_chance(&t->r, 10) ? 1UL << 32 :
							 fz_below(&t->r, 300);

		setc(t, "ksm pages_to_scan", 0, 1, v, 0, 0, 0, 0);
		ret = mmk_ksm_set("pages_to_scan", v);
		if (ret && !(ret == -EINVAL && v > 0xffffffffUL))
			bad(t, ret, "ksm pages_to_scan=%lu", v);
	} else if (r < 18) {
		unsigned long v = fz_below(&t->r, 3);

		/* run=2 unmerges everything (ENOMEM if it runs out). */
		setc(t, "ksm run", 0, 1, v, 0, 0, 0, 0);
		ret = mmk_ksm_set("run", v);
		if (ret && ret != -ENOMEM)
			bad(t, ret, "ksm run=%lu", v);
	} else if (r < 19) {
		unsigned long v = 1 + fz_below(&t->r, 6);

		/* EBUSY while KSM pages exist; EINVAL below 2. */
		setc(t, "ksm max_page_sharing", 0, 1, v, 0, 0, 0, 0);
		ret = mmk_ksm_set("max_page_sharing", v);
		if (ret && ret != -EBUSY && !(ret == -EINVAL && v < 2))
			bad(t, ret, "ksm max_page_sharing=%lu", v);
	} else {
		bool on = fz_chance(&t->r, 50);

		setc(t, "ksm smart_scan", 0, 1, on, 0, 0, 0, 0);
		ret = mmk_ksm_set("smart_scan", on);
		if (ret)
			bad(t, ret, "ksm smart_scan=%d", on);
	}
}

/* posix_fadvise on a shared file, any advice over any range, while the
 * other threads map, write and read its pages: DONTNEED writes the dirty
 * ones back (mapped ones write-protected first) and drops clean ones,
 * which the data checks then read back. */
static void op_fadvise(struct thr *t)
{
	struct file *f = fz_chance(&t->r, 75) ? G.frw : G.fro;
	long long off =
		(long long)(fz_below(&t->r, 300) << 12) +
		(fz_chance(&t->r, 20) ? (long long)fz_below(&t->r, 4096) : 0);
	long long len =
		fz_chance(&t->r, 30) ? 0 : (long long)fz_below(&t->r, 80) << 12;
	int advice = (int)fz_below(&t->r, 7), ret;

	if (fz_chance(&t->r, 2))
		len = -1;
	setc(t, "fadvise", 0, 1, (unsigned long)off, (unsigned long)len,
	     (unsigned long)advice, 0, 0);
	ret = mmk_fadvise(f, off, len, advice);
	if (ret != ((len < 0 || advice > 5) ? -EINVAL : 0))
		bad(t, ret, "fadvise(%lld, %lld, %d)", off, len, advice);
}

/* ---- operations on the shared process ---- */

/* Process 1 died (memory ran out): bring it back. */
static void shared_respawn(struct thr *t)
{
	int ret;

	t->cnt[C_SHARED_GONE]++;
	pthread_mutex_lock(&G.shared_lock);
	ret = mmk_spawn(SHARED_PID, false);
	pthread_mutex_unlock(&G.shared_lock);
	if (ret && ret != -EEXIST && ret != -ENOMEM)
		bad(t, ret, "respawn of process %d", SHARED_PID);
}

/* A result on the shared process: -ESRCH if it died meanwhile, -EINTR if
 * the OOM killer chose it during the call (MADV_POPULATE_*, which its
 * caller, killed, would never see). */
static bool shared_ret(struct thr *t, long ret, const int *ok)
{
	if (ret == -ESRCH || ret == -EINTR) {
		shared_respawn(t);
		return false;
	}
	check_err(t, ret, ok);
	return ret >= 0;
}

static void shared_access(struct thr *t, int sig)
{
	if (sig == -ESRCH) {
		shared_respawn(t);
		return;
	}
	if (sig != 0 && sig != MMK_SIGSEGV && sig != MMK_SIGBUS &&
	    sig != MMK_SIGKILL)
		bad(t, sig, "not a signal an access can get");
	if (sig)
		t->cnt[C_SIGNAL]++;
	if (sig == MMK_SIGKILL) {
		t->cnt[C_OOM_KILL]++;
		shared_respawn(t);
	}
}

static void op_shared(struct thr *t)
{
	struct gen *g = &t->sh;
	unsigned long r = fz_below(&t->r, 100), addr, len, prot, flags;
	const int pid = SHARED_PID;
	uint64_t v;
	long ret;

	t->cnt[C_SHARED]++;
	if (r < 18) {
		unsigned long pages = pick_pages(t);
		struct file *f = NULL;

		if (pages > 64)
			pages = 64;
		addr = g->base + fit(g, pick_page(t, g), pages) * PG;
		len = pages * PG;
		prot = pick_prot(t);
		flags = (fz_chance(&t->r, 80) ? MAP_FIXED :
						MAP_FIXED_NOREPLACE);
		r = fz_below(&t->r, 100);
		if (r < 60) {
			flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		} else if (r < 80) {
			flags |= MAP_SHARED | MAP_ANONYMOUS;
		} else {
			f = G.frw;
			flags |= r < 90 ? MAP_PRIVATE : MAP_SHARED;
		}
		if (fz_chance(&t->r, 8))
			flags |= MAP_POPULATE;
		setc(t, "mmap", pid, 4, addr, len, prot, flags, 0);
		ret = mmk_mmap(pid, addr, len, prot, flags, f, 0);
		if (shared_ret(t, ret, e_mmap)) {
			if ((unsigned long)ret != addr)
				bad(t, ret, "MAP_FIXED mapped elsewhere");
			add_mapped(g, addr, pages);
			add_bound(g, (addr - g->base) / PG);
			add_bound(g, (addr - g->base) / PG + pages);
		}
	} else if (r < 28) {
		pick_range(t, g, &addr, &len);
		if (end_of(addr, len) > g->base + g->pages * PG)
			len = PG;
		setc(t, "munmap", pid, 2, addr, len, 0, 0, 0);
		shared_ret(t, mmk_munmap(pid, addr, len), e_munmap);
	} else if (r < 40) {
		pick_range(t, g, &addr, &len);
		if (end_of(addr, len) > g->base + g->pages * PG)
			len = PG;
		prot = pick_prot(t);
		setc(t, "mprotect", pid, 3, addr, len, prot, 0, 0);
		shared_ret(t, mmk_mprotect(pid, addr, len, prot), e_mprotect);
	} else if (r < 47) {
		int advice = advices[fz_below(
			&t->r, sizeof(advices) / sizeof(advices[0]))];

		pick_range(t, g, &addr, &len);
		if (end_of(addr, len) > g->base + g->pages * PG)
			len = PG;
		setc(t, "madvise", pid, 3, addr, len, (unsigned long)advice, 0,
		     0);
		shared_ret(t, mmk_madvise(pid, addr, len, advice), e_madvise);
	} else if (r < 53) {
		pick_range(t, g, &addr, &len);
		if (end_of(addr, len) > g->base + g->pages * PG)
			len = PG;
		if (r & 1) {
			setc(t, "mlock2", pid, 3, addr, len, MLOCK_ONFAULT, 0,
			     0);
			shared_ret(t, mmk_mlock2(pid, addr, len, MLOCK_ONFAULT),
				   e_mlock);
		} else {
			setc(t, "munlock", pid, 2, addr, len, 0, 0, 0);
			shared_ret(t, mmk_munlock(pid, addr, len), e_munlock);
		}
	} else if (r < 61) {
		struct remap m;

		gen_mremap(t, g, &m);
		/* Stay in the slice: shrink in place or move within it. */
		if (end_of(m.addr, PAGE_ALIGN(m.old_len)) >
		    g->base + g->pages * PG)
			m.old_len = PG;
		if (!(m.flags & MREMAP_FIXED) ||
		    end_of(m.new_addr, m.new_len) > g->base + g->pages * PG) {
			m.flags = 0;
			if (m.new_len > m.old_len)
				m.new_len = m.old_len;
		}
		setc(t, "mremap", pid, 5, m.addr, m.old_len, m.new_len, m.flags,
		     m.new_addr);
		ret = mmk_mremap(pid, m.addr, m.old_len, m.new_len, m.flags,
				 m.new_addr);
		if (shared_ret(t, ret, e_mremap)) {
			check_remap(t, &m, ret);
			add_mapped(g, (unsigned long)ret,
				   PAGE_ALIGN(m.new_len) / PG);
		}
	} else if (r < 77) {
		addr = pick_access_page(t, g);
		len = (1 + fz_below(&t->r, 16)) * PG;
		if (end_of(addr, len) > g->base + g->pages * PG)
			len = PG;
		setc(t, "touch", pid, 3, addr, len, r & 1, 0, 0);
		shared_access(t, mmk_touch(pid, addr, len, r & 1));
	} else if (r < 88) {
		addr = pick_access_page(t, g) + 8 * fz_below(&t->r, PG / 8);
		v = fz_next(&t->r);
		setc(t, "write_u64", pid, 2, addr, (unsigned long)v, 0, 0, 0);
		shared_access(t, mmk_write_u64(pid, addr, v));
	} else if (r < 98) {
		addr = pick_access_page(t, g) + 8 * fz_below(&t->r, PG / 8);
		setc(t, "read_u64", pid, 1, addr, 0, 0, 0, 0);
		shared_access(t, mmk_read_u64(pid, addr, &v));
	} else if (r < 99) {
		/* mbind of the slice, moving pages other threads may be
		 * faulting next to. */
		unsigned long nodes = 1 + fz_below(&t->r, 3);
		unsigned long mode = fz_below(&t->r, MPOL_MAX);
		unsigned int mf = fz_chance(&t->r, 50) ? MPOL_MF_MOVE : 0;

		addr = pick_access_page(t, g) & PAGE_MASK;
		len = (1 + fz_below(&t->r, 16)) * PG;
		if (end_of(addr, len) > g->base + g->pages * PG)
			len = PG;
		if (mode == MPOL_DEFAULT || mode == MPOL_LOCAL)
			nodes = 0;
		setc(t, "mbind", pid, 5, addr, len, mode, nodes, mf);
		shared_ret(t, mmk_mbind(pid, addr, len, mode, &nodes, 65, mf),
			   e_mempolicy);
	} else {
		t->cnt[C_PROC]++;
		op_proc(t, &t->p[t->cur]);
	}
}

/*
 * The page inspection files and calls, against every other thread's
 * faults, reclaim, migration and exits: /proc/PID/pagemap of a range of
 * the process (or the shared one), /proc/kpageflags and kpagecount of
 * frames anywhere, /proc/PID/clear_refs, /proc/sys/vm, and
 * process_madvise from the process to itself or to the shared one with
 * advice that keeps the data (so the shadow stays true). Their results
 * must be whole reads and errnos Linux gives.
 */
static const int e_process_madvise[] = { EAGAIN, EINVAL, ENOMEM,
					 EPERM,	 EACCES, 0 };

/* Protection keys: keys taken and freed, ranges given keys, PKRU
 * rights changed (never key 0's: everything else of the process would
 * fault too). predict() knows what PKRU denies. */
static void op_pkeys(struct thr *t, struct proc *p)
{
	unsigned long addr, len, prot;
	int key = (int)fz_below(&t->r, 17) - 1;
	long ret;

	switch (fz_below(&t->r, 4)) {
	case 0:
		ret = (long)fz_below(&t->r, 4);
		setc(t, "pkey_alloc", p->pid, 2, 0, (unsigned long)ret, 0, 0,
		     0);
		ret = mmk_pkey_alloc(p->pid, 0, (unsigned long)ret);
		if (ret >= 0 && ret >= MMK_NR_PKEYS)
			bad(t, ret, "pkey_alloc gave key %ld", ret);
		if (ret < 0)
			check_err(t, ret, e_pkeys);
		break;
	case 1:
		setc(t, "pkey_free", p->pid, 1, (unsigned long)key, 0, 0, 0, 0);
		ret = mmk_pkey_free(p->pid, key ? key : 1);
		check_err(t, ret, e_pkeys);
		break;
	case 2:
		pick_range(t, &t->own, &addr, &len);
		prot = fz_below(&t->r, 8);
		setc(t, "pkey_mprotect", p->pid, 4, addr, len, prot,
		     (unsigned long)key, 0);
		ret = mmk_pkey_mprotect(p->pid, addr, len, prot, key);
		check_err(t, ret, e_pkey_mprotect);
		break;
	default:
		setc(t, "pkey_set", p->pid, 2, (unsigned long)key, 0, 0, 0, 0);
		ret = mmk_pkey_set(p->pid, key > 0 ? key : 1,
				   (unsigned int)fz_below(&t->r, 4));
		if (ret && ret != -ENOSYS)
			bad(t, ret, "pkey_set of key %d", key);
		break;
	}
}

/*
 * memfds (mm/memfd.c, mm/truncate.c): the thread's memfd, made now and
 * then anew (with or without sealing), changes size (ftruncate, now and
 * then unaligned or invalid), gets pages or holes (fallocate, any mode)
 * and seals; op_mmap maps it. Its mappings then see pages vanish past
 * the end (SIGBUS, private copies included), so the data oracle leaves
 * them out. The seals it reports only ever grow.
 */
static void op_memfd(struct thr *t, struct proc *p)
{
	static const int modes[] = {
		0,
		FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_PUNCH_HOLE,
		FALLOC_FL_ZERO_RANGE,
		FALLOC_FL_COLLAPSE_RANGE,
	};
	static const unsigned int mfd_flags[] = {
		0,
		MFD_ALLOW_SEALING,
		MFD_NOEXEC_SEAL,
		MFD_ALLOW_SEALING | MFD_EXEC,
		MFD_CLOEXEC,
	};
	unsigned long r = fz_below(&t->r, 100), off, len;
	long ret, seals;
	int mode;

	(void)p;
	if (!t->mfd || r < 10) {
		unsigned int fl = mfd_flags[fz_below(&t->r, 5)];
		struct file *f;

		setc(t, "memfd", 0, 1, fl, 0, 0, 0, 0);
		f = mmk_memfd("vm_fuzz", fl);
		if (!f) {
			if (errno != ENOMEM)
				bad(t, -errno, "memfd_create");
			return;
		}
		fput(t->mfd);
		t->mfd = f;
		r = 10; /* and a size */
	}
	if (r < 50) {
		off = fz_below(&t->r, 64) * PG;
		if (fz_chance(&t->r, 20))
			off += fz_below(&t->r, PG);
		setc(t, "ftruncate", 0, 1, off, 0, 0, 0, 0);
		ret = mmk_ftruncate(t->mfd, fz_chance(&t->r, 3) ?
						    -(long long)PG :
						    (long long)off);
		check_err(t, ret, e_ftruncate);
		if (!ret && file_size(t->mfd) != off)
			bad(t, ret, "ftruncate left %lu bytes",
			    file_size(t->mfd));
	} else if (r < 62) {
		/* pread/pwrite: what a write stored reads back. */
		unsigned char in[64], out[64];
		size_t n = 1 + fz_below(&t->r, sizeof in);
		unsigned long size;

		off = fz_below(&t->r, 64 * PG);
		memset(in, (int)(r | 1), sizeof in);
		setc(t, "pwrite", 0, 2, off, n, 0, 0, 0);
		ret = mmk_pwrite(t->mfd, in, n, (long long)off);
		check_err(t, ret, e_pwrite);
		size = file_size(t->mfd);
		setc(t, "pread", 0, 2, off, n, 0, 0, 0);
		len = (unsigned long)mmk_pread(t->mfd, out, n, (long long)off);
		if ((long)len < 0)
			check_err(t, (long)len, e_pwrite);
		else if (len != (off >= size ? 0 : min(n, size - off)) ||
			 (ret > 0 && memcmp(in, out, (size_t)ret)))
			bad(t, (long)len, "pread after pwrite of %zu", n);
	} else if (r < 80) {
		mode = modes[fz_below(&t->r, ARRAY_SIZE(modes))];
		off = fz_below(&t->r, 72 * PG);
		len = fz_below(&t->r, 16 * PG);
		setc(t, "fallocate", 0, 3, (unsigned long)mode, off, len, 0, 0);
		ret = mmk_fallocate(t->mfd, mode, (long long)off,
				    (long long)len);
		check_err(t, ret, e_fallocate);
	} else {
		seals = mmk_fcntl(t->mfd, F_GET_SEALS, 0);
		off = fz_below(&t->r, 0x40);
		setc(t, "add_seals", 0, 1, off, 0, 0, 0, 0);
		ret = mmk_fcntl(t->mfd, F_ADD_SEALS, off);
		check_err(t, ret, e_add_seals);
		if (seals < 0 ||
		    (mmk_fcntl(t->mfd, F_GET_SEALS, 0) & seals) != seals)
			bad(t, seals, "seals went away");
	}
}

/*
 * HugeTLB (mm/hugetlb.c): now and then the pool changes (vm.nr_hugepages,
 * a node's, vm.nr_overcommit_hugepages); otherwise a MAP_HUGETLB mapping
 * of one to three huge pages, private or shared, at a huge page boundary
 * of the window or where the kernel likes, reserved or not, populated
 * now and then, which the other calls then split (EINVAL off the huge
 * page boundaries), protect, remap, advise, fork, lock and touch; an
 * access there may be SIGBUS (no page left for a fault or a copy).
 */
static void op_hugetlb(struct thr *t, struct proc *p)
{
	struct gen *g = &t->own;
	unsigned long hsz = huge_page_size(G.m), hpg = hsz / PG;
	unsigned long r = fz_below(&t->r, 100), n, addr, len, flags, prot;
	unsigned long max_pool = hsz > (2UL << 20) ? 4 : 8;
	bool fixed;
	long ret;

	if (r < 12) {
		int nid = fz_chance(&t->r, 70) ?
				  -1 :
				  (int)fz_below(&t->r,
						(unsigned long)G.m->nr_nodes);

		n = fz_below(&t->r, max_pool + 1);
		setc(t, "nr_hugepages", 0, 2, (unsigned long)(long)nid, n, 0, 0,
		     0);
		if (mmk_set_nr_hugepages(nid, n))
			bad(t, 0, "nr_hugepages=%lu on node %d refused", n,
			    nid);
		return;
	}
	if (r < 16) {
		n = fz_below(&t->r, 3);
		setc(t, "nr_overcommit_hugepages", 0, 1, n, 0, 0, 0, 0);
		if (mmk_set_nr_overcommit_hugepages(n) < 0)
			bad(t, 0, "nr_overcommit_hugepages=%lu refused", n);
		return;
	}
	n = 1 + fz_below(&t->r, 3);
	addr = g->base + fz_below(&t->r, g->area / hpg + 4) * hsz;
	len = n * hsz;
	if (fz_chance(&t->r, 20))
		len -= fz_below(&t->r, hsz - PG) & PAGE_MASK;
	flags = (fz_chance(&t->r, 60) ? MAP_PRIVATE : MAP_SHARED) |
		MAP_ANONYMOUS | MAP_HUGETLB;
	r = fz_below(&t->r, 100);
	if (r < 70)
		flags |= MAP_FIXED;
	else if (r < 80)
		flags |= MAP_FIXED_NOREPLACE;
	else if (r >= 90)
		addr = 0;
	if (fz_chance(&t->r, 20))
		flags |= MAP_NORESERVE;
	if (fz_chance(&t->r, 10))
		flags |= MAP_POPULATE;
	if (fz_chance(&t->r, 5))
		addr += PG * (1 + fz_below(&t->r, hpg - 1));
	fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	prot = pick_prot(t);
	setc(t, "mmap", p->pid, 5, addr, len, prot, flags, 0);
	ret = mmk_mmap(p->pid, addr, len, prot, flags, NULL, 0);
	check_err(t, ret, e_mmap);
	if (fixed && !(addr & (hsz - 1)))
		sh_drop(&p->sh, addr, n * hsz);
	if (ret < 0)
		return;
	if (((unsigned long)ret & (hsz - 1)) ||
	    end_of((unsigned long)ret, n * hsz) > G.task_size)
		bad(t, ret, "not a place for %lu huge pages", n);
	if (fixed && (unsigned long)ret != addr)
		bad(t, ret, "MAP_FIXED mapped elsewhere");
	sh_drop(&p->sh, (unsigned long)ret, n * hsz);
	add_mapped(g, (unsigned long)ret, n * hpg);
	if ((unsigned long)ret >= g->base) {
		add_bound(g, ((unsigned long)ret - g->base) / PG);
		add_bound(g, ((unsigned long)ret - g->base) / PG + n * hpg);
	}
}

static void op_msync(struct thr *t, struct proc *p)
{
	static const int flags[] = {
		MS_ASYNC, MS_SYNC, MS_INVALIDATE, MS_SYNC | MS_INVALIDATE, 0, 8
	};
	unsigned long addr, len;
	int f = flags[fz_below(&t->r, 6)];
	long ret;

	pick_range(t, &t->own, &addr, &len);
	setc(t, "msync", p->pid, 3, addr, len, (unsigned long)f, 0, 0);
	ret = mmk_msync(p->pid, addr, len, f);
	check_err(t, ret, e_msync);
}

/* process_vm_readv/writev of the process on itself: what it writes (the
 * local ranges of a read, the remote ones of a write) leaves the shadow. */
static void op_process_vm(struct thr *t, struct proc *p)
{
	struct mmk_iovec l[3], r[3];
	int nl = 1 + (int)fz_below(&t->r, 3), nr = 1 + (int)fz_below(&t->r, 3);
	bool write = fz_chance(&t->r, 50);
	unsigned long total = 0;
	long ret;
	int k;

	for (k = 0; k < nl; k++) {
		pick_range(t, &t->own, &l[k].base, &l[k].len);
		total = l[k].len > ~0UL - total ? ~0UL : total + l[k].len;
	}
	for (k = 0; k < nr; k++)
		pick_range(t, &t->own, &r[k].base, &r[k].len);
	setc(t, write ? "process_vm_writev" : "process_vm_readv", p->pid, 4,
	     l[0].base, l[0].len, r[0].base, r[0].len, 0);
	ret = write ? mmk_process_vm_writev(p->pid, p->pid, l, (size_t)nl, r,
					    (size_t)nr, 0) :
		      mmk_process_vm_readv(p->pid, p->pid, l, (size_t)nl, r,
					   (size_t)nr, 0);
	if (ret > 0 && (unsigned long)ret > total)
		bad(t, ret, "copied more than the %lu bytes asked", total);
	if (ret < 0)
		check_err(t, ret, e_process_vm);
	for (k = 0; k < (write ? nr : nl); k++)
		sh_drop(&p->sh, write ? r[k].base : l[k].base,
			write ? r[k].len : l[k].len);
}

static void op_pages(struct thr *t, struct proc *p)
{
	static const int advice[] = { MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED };
	unsigned int r = fz_below(&t->r, 5);
	bool shared = fz_chance(&t->r, 20);
	int pid = shared ? SHARED_PID : p->pid;
	uint64_t words[64];
	unsigned long addr, len, n;
	char path[64];
	long ret;

	switch (r) {
	case 0: /* pagemap of a range */
		pick_range(t, &t->own, &addr, &len);
		n = 1 + fz_below(&t->r, 64);
		snprintf(path, sizeof path, "/proc/%d/pagemap", pid);
		setc(t, "pagemap", pid, 2, addr, n, 0, 0, 0);
		ret = mmk_proc_pread(G.m, path, words, n * 8,
				     (unsigned long long)(addr >> PAGE_SHIFT) *
					     8);
		/* Whole below 2G (under every profile's TASK_SIZE), cut at
		 * TASK_SIZE above. */
		if (shared && ret == -ENOENT)
			t->cnt[C_SHARED_GONE]++;
		else if (ret < 0 || ret > (long)(n * 8) || ret % 8 ||
			 ((addr >> PAGE_SHIFT) + n <= (0x7fffffffUL >> 12) &&
			  ret != (long)(n * 8)))
			bad(t, ret, "pagemap read %ld of %lu bytes", ret,
			    n * 8);
		break;
	case 1: /* kpageflags and kpagecount of frames anywhere */
		n = 1 + fz_below(&t->r, 64);
		addr = fz_below(&t->r, (unsigned int)(G.o.mem >> PAGE_SHIFT));
		setc(t, "kpageflags", 0, 2, addr, n, 0, 0, 0);
		ret = mmk_proc_pread(G.m,
				     fz_chance(&t->r, 50) ? "/proc/kpageflags" :
							    "/proc/kpagecount",
				     words, n * 8,
				     (unsigned long long)addr * 8);
		if (ret <= 0 || ret > (long)(n * 8) || ret % 8)
			bad(t, ret, "kpage read of %lu frames at %#lx", n,
			    addr);
		break;
	case 2: /* clear_refs: every type; the shadow is not affected */
		n = 1 + fz_below(&t->r, 5);
		setc(t, "clear_refs", p->pid, 1, n, 0, 0, 0, 0);
		ret = mmk_clear_refs(p->pid, (int)n);
		if (ret)
			bad(t, ret, "clear_refs %lu", n);
		break;
	case 3: { /* process_madvise: one to three ranges */
		struct mmk_iovec vec[3];
		int k, nr = 1 + (int)fz_below(&t->r, 3);
		int adv = advice[fz_below(&t->r, 3)];

		for (k = 0; k < nr; k++)
			pick_range(t, &t->own, &vec[k].base, &vec[k].len);
		setc(t, "process_madvise", pid, 4, vec[0].base, vec[0].len,
		     (unsigned long)nr, (unsigned long)adv, 0);
		ret = mmk_process_madvise(p->pid, pid, vec, (size_t)nr, adv, 0);
		if (shared)
			shared_ret(t, ret, e_process_madvise);
		else
			check_err(t, ret, e_process_madvise);
		break;
	}
	default: { /* /proc/sys/vm, as the sysctls above change them */
		static const char *const names[] = {
			"overcommit_memory",	    "overcommit_ratio",
			"compaction_proactiveness", "min_free_kbytes",
			"lowmem_reserve_ratio",	    "swappiness"
		};
		char *text;

		snprintf(path, sizeof path, "/proc/sys/vm/%s",
			 names[fz_below(&t->r, 6)]);
		setc(t, "proc_read", 0, 0, 0, 0, 0, 0, 0);
		text = mmk_proc_read(G.m, path);
		if (!text)
			bad(t, 0, "%s: %s", path, strerror(errno));
		free(text);
		break;
	}
	}
}

/* ---- the run ---- */ /* ---- the run ---- */

/* Read back @p's shadow: @all of it, or the next 16 records from its
 * cursor. A read that finds @p gone (the OOM killer's, through another
 * thread's allocation) ends here: the jump must land in a frame that is
 * still live, not in a one_op() that has returned. */
static void read_shadow(struct thr *t, struct proc *p, bool all)
{
	unsigned int k, j;

	if (sigsetjmp(t->vanished, 0))
		return;
	for (k = 0; k < (all ? SH_CAP : 16) && p->live && p->sh.used; k++) {
		const struct shrec *r = &p->sh.tab[all ? k : p->sh.cursor];
		unsigned long base = (r->key - 1) << PAGE_SHIFT;

		if (!all)
			p->sh.cursor = (p->sh.cursor + 1) & (SH_CAP - 1);
		if (!r->key)
			continue;
		for (j = 0; j < r->n && p->live; j++) {
			setc(t, all ? "final read_u64" : "sample read_u64",
			     p->pid, 1, base + r->off[j], 0, 0, 0, 0);
			checked_read(t, p, base + r->off[j], false);
		}
	}
}

/* The thread's last exit of @p, which the OOM killer may have taken
 * meanwhile (bad() then jumps back here). */
static void final_exit(struct thr *t, struct proc *p)
{
	if (sigsetjmp(t->vanished, 0))
		return;
	setc(t, "exit", p->pid, 0, 0, 0, 0, 0, 0);
	if (mmk_exit(p->pid))
		bad(t, 0, "exit failed");
	proc_gone(t, p);
}

/* Read back a sample of every live process's shadow. */
static void verify_sample(struct thr *t)
{
	int i;

	for (i = 0; i < MAX_PROCS; i++)
		read_shadow(t, &t->p[i], false);
}

static void one_op(struct thr *t)
{
	struct proc *p;
	int op;

	/* Every exit through vanished comes here: the process an operation
	 * works on (or spawns) was the OOM killer's. */
	if (sigsetjmp(t->vanished, 0))
		return;
	if (!t->nlive && spawn(t, free_slot(t)))
		return;
	if (fz_below(&t->r, 100) < 5) {
		op_shared(t);
		return;
	}
	op = G.pick[fz_below(&t->r, 1000)];
	p = pick_proc(t);
	if (vanished(t, p))
		return;
	t->own.ring = &p->ring;
	t->cnt[op]++;
	switch (op) {
	case C_MMAP:
		op_mmap(t, p);
		break;
	case C_MUNMAP:
		op_munmap(t, p);
		break;
	case C_MPROTECT:
		op_mprotect(t, p);
		break;
	case C_MLOCK:
	case C_MLOCK2:
	case C_MUNLOCK:
		op_mlock(t, p, op);
		break;
	case C_MLOCKALL:
		op_mlockall(t, p);
		break;
	case C_MUNLOCKALL:
		op_munlockall(t, p);
		break;
	case C_MREMAP:
		op_mremap(t, p);
		break;
	case C_BRK:
		op_brk(t, p);
		break;
	case C_MADVISE:
		op_madvise(t, p);
		break;
	case C_TOUCH:
		op_touch(t, p);
		break;
	case C_WRITE:
		op_write(t, p);
		break;
	case C_READ:
		op_read(t, p);
		break;
	case C_COPY_TO:
	case C_COPY_FROM:
		op_copy(t, p, op == C_COPY_TO);
		break;
	case C_FORK:
		op_fork(t, p);
		break;
	case C_EXIT:
		op_exit(t, p);
		break;
	case C_MSEAL:
		op_mseal(t, p);
		break;
	case C_SYSCTL:
		op_sysctl(t);
		break;
	case C_DROP_CACHES:
		op_drop_caches(t);
		break;
	case C_FADVISE:
		op_fadvise(t);
		break;
	case C_MINCORE:
		op_mincore(t, p);
		break;
	case C_SWAP:
		op_swap(t);
		break;
	case C_COMPACT:
		op_compact(t);
		break;
	case C_MEMPOLICY:
		op_mempolicy(t, p);
		break;
	case C_PAGES:
		op_pages(t, p);
		break;
	case C_PKEYS:
		op_pkeys(t, p);
		break;
	case C_MSYNC:
		op_msync(t, p);
		break;
	case C_PROCESS_VM:
		op_process_vm(t, p);
		break;
	case C_HUGETLB:
		op_hugetlb(t, p);
		break;
	case C_MEMFD:
		op_memfd(t, p);
		break;
	case C_THP:
		op_thp(t, p);
		break;
	case C_KSM:
		op_ksm(t, p);
		break;
	default:
		op_proc(t, p);
		break;
	}
}

/* Committed_AS matches what charged it (every thread waits at the
 * barrier, or is done). */
static void check_commit(const struct fz_where *w)
{
	char why[256];

	if (!vm_commit_verify(G.m, why, sizeof why))
		fz_fail(w, "%s", why);
}

/* The thread's first process (spawned again while memory is short or the
 * OOM killer takes it at once). */
static void first_spawn(struct thr *t)
{
	while (!t->nlive) {
		if (sigsetjmp(t->vanished, 0))
			continue;
		spawn(t, 0);
	}
}

/* No process of this thread's comes back once gone. */
static void gone_stay_gone(struct thr *t)
{
	int k;

	for (k = 0; k < MAX_PROCS; k++)
		if (!t->p[k].live && mmk_task_alive(t->p[k].pid))
			fz_fail(&t->w,
				"process %d (gone in %s, operation %llu) is "
				"back after %s",
				t->p[k].pid,
				t->p[k].gone_in ? t->p[k].gone_in : "-",
				(unsigned long long)t->p[k].gone_op,
				t->c.name ? t->c.name : "-");
}

static void *thread_main(void *arg)
{
	struct thr *t = arg;
	uint64_t round, i = 0, end;
	int k;

	fz_cur = &t->w;
	mmk_set_current(G.m);
	if (mmk_get_cpu() != t->id + 1 && mmk_set_cpu(t->id + 1)) {
		fprintf(stderr, "%s: thread %d cannot run on CPU %d\n",
			G.o.prog, t->id, t->id + 1);
		exit(1);
	}
	atomic_fetch_add(&G.claimed, 1);
	for (k = 0; k < MAX_PROCS; k++) {
		t->p[k].pid = pid_of(t, k);
		t->p[k].sh.tab = calloc(SH_CAP, sizeof(struct shrec));
		if (!t->p[k].sh.tab) {
			perror("calloc");
			exit(1);
		}
	}
	first_spawn(t);
	for (round = 0; round < G.rounds; round++) {
		end = (round + 1) * G.o.check_every;
		if (end > t->nops)
			end = t->nops;
		for (; i < end; i++) {
			t->w.op = i;
			one_op(t);
			gone_stay_gone(t);
		}
		t->w.what = "shadow sample";
		verify_sample(t);
		pthread_barrier_wait(&G.bar);
		if (t->id == 0) {
			double t0 = fz_now();

			t->w.what = "check";
			fz_check(&t->w, G.m);
			check_commit(&t->w);
			G.checks++;
			G.check_secs += fz_now() - t0;
		}
		pthread_barrier_wait(&G.bar);
	}
	t->w.what = "final shadow check";
	for (k = 0; k < MAX_PROCS; k++)
		read_shadow(t, &t->p[k], true);
	t->w.what = "exit";
	for (k = 0; k < MAX_PROCS; k++) {
		if (t->p[k].live)
			final_exit(t, &t->p[k]);
		free(t->p[k].sh.tab);
	}
	if (t->swap_on) {
		char path[32];
		int ret;

		swap_path(t, path, sizeof path);
		t->w.what = "final swapoff";
		ret = mmk_swapoff(path);
		if (ret)
			fz_fail(&t->w, "swapoff(%s) with no process left: %d",
				path, ret);
	}
	mmk_set_current(NULL);
	return NULL;
}

/* Bring up the lazily made caches, so the baseline holds them. */
static void warm_up(struct fz_where *w)
{
	struct file *f = mmk_file_create("warm-up", 4 * PG, false);
	long a;

	if (!f || mmk_spawn(2, false) || mmk_spawn(3, true))
		fz_fail(w, "warm-up: spawn or file_create failed");
	a = mmk_mmap(2, 0, 4 * PG, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
	if (a < 0 || mmk_touch(2, (unsigned long)a, 4 * PG, true) ||
	    mmk_mmap(2, 0, 4 * PG, PROT_READ, MAP_SHARED, f, 0) < 0 ||
	    mmk_mmap(2, 0, 4 * PG, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, NULL, 0) < 0 ||
	    mmk_fork(2, 4) || mmk_exit(2) || mmk_exit(3) || mmk_exit(4))
		fz_fail(w, "warm-up failed");
	fput(f);
	/* KSM's caches, made at the first registration, stay. */
	if (mmk_spawn(2, false) ||
	    (a = mmk_mmap(2, 0, 4 * PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0)) < 0 ||
	    mmk_madvise(2, (unsigned long)a, 4 * PG, MADV_MERGEABLE) ||
	    mmk_exit(2))
		fz_fail(w, "warm-up of KSM failed");
	/* khugepaged's, at the first registration (x86_64: THP). */
	if (G.task_size == 0xc0000000UL)
		return;
	if (mmk_spawn(2, false) ||
	    (a = mmk_mmap(2, 0, 4 << 20, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0)) < 0 ||
	    mmk_touch(2, (unsigned long)a, PG, true) ||
	    mmk_madvise(2, (unsigned long)a, 4 << 20, MADV_HUGEPAGE) ||
	    mmk_exit(2))
		fz_fail(w, "warm-up of khugepaged failed");
}

/* The pfns on the buddy free lists (a bitmap the caller frees), for naming
 * the pages a leak check finds missing. */
static unsigned long *free_pfn_map(struct mmk_machine *m)
{
	unsigned long bits = 8 * sizeof(unsigned long), pfn, *map;

	map = calloc(m->max_pfn / bits + 1, sizeof(*map));
	for (pfn = 0; map && pfn < m->max_pfn; pfn++) {
		struct page *page = pfn_to_page(pfn);
		unsigned long k;

		if (!page || !PageBuddy(page) || page->private > MAX_PAGE_ORDER)
			continue;
		for (k = 0; k < (1UL << page->private) && pfn + k < m->max_pfn;
		     k++)
			map[(pfn + k) / bits] |= 1UL << ((pfn + k) % bits);
	}
	return map;
}

/* Describe each page free at @base and not free now. */
static void report_missing(struct mmk_machine *m, const unsigned long *base)
{
	unsigned long bits = 8 * sizeof(unsigned long), pfn, *now;
	int shown = 0;

	now = free_pfn_map(m);
	for (pfn = 0; base && now && pfn < m->max_pfn && shown < 8; pfn++) {
		struct page *page = pfn_to_page(pfn);

		if (!(base[pfn / bits] >> (pfn % bits) & 1) ||
		    (now[pfn / bits] >> (pfn % bits) & 1))
			continue;
		fprintf(stderr,
			"%s:   missing pfn %#lx: flags %#lx refcount %d "
			"mapcount/type %#x mapping %p index %#lx private %#lx "
			"alloc %#lx\n",
			G.o.prog, pfn, page->flags, page_ref_count(page),
			(unsigned int)atomic_load(&page->_mapcount),
			(void *)page->mapping, page->index, page->private,
			page->mmk_alloc);
		shown++;
	}
	free(now);
}

int main(int argc, char **argv)
{
	static const char usage[] =
		"usage: vm_fuzz [-n OPS] [-s SEED] [-t THREADS] "
		"[-c CHECK_EVERY] [-a x86_64|i386] [-M MEM] [-S SWAP] [-q]\n";
	struct fz_where w = { 0 };
	struct mmk_config cfg;
	struct thr *thr;
	unsigned long base_free, end_free, hugetlb_pinned, *base_map;
	uint64_t ops = 0, per, maxper;
	double t0, secs;
	char why[256];
	int i, k, n;

	G.o.ops = 1000000;
	G.o.seed = 1;
	G.o.threads = 1;
	G.o.check_every = 2000;
	G.o.arch = "x86_64";
	G.o.mem = 128UL << 20;
	fz_parse(&G.o, argc, argv, usage);
	w.o = &G.o;
	w.what = "boot";
	/* The overcommit switches only with VM_FUZZ_OVERCOMMIT=1: their
	 * slot goes to read_u64 otherwise (see op_sysctl). */
	G.overcommit = getenv("VM_FUZZ_OVERCOMMIT") &&
		       !strcmp(getenv("VM_FUZZ_OVERCOMMIT"), "1");
	for (i = 0, n = 0; i < NR_OPS; i++)
		for (k = 0; k < (int)weights[i]; k++)
			G.pick[n++] =
				(unsigned char)(i == C_SYSCTL && !G.overcommit ?
							C_READ :
							i);
	if (n != 1000) {
		fprintf(stderr, "%s: weights add up to %d\n", G.o.prog, n);
		return 2;
	}

	mmk_config_init(&cfg);
	cfg.arch = strcmp(G.o.arch, "i386") ? MMK_ARCH_X86_64 : MMK_ARCH_I386;
	cfg.mem_bytes = G.o.mem;
	cfg.swap_bytes = G.o.swap;
	/* Two nodes where there is room (i386 has one). */
	cfg.nr_nodes =
		cfg.arch == MMK_ARCH_X86_64 && G.o.mem >= (64ULL << 20) ? 2 : 1;
	cfg.nr_cpus = G.o.threads + 1;
	/* Odd seeds: CPUs come online as the workers take them, while the
	 * others already run. */
	cfg.cpus_on_demand = G.o.seed & 1;
	/* Protection keys on half the x86_64 seeds (mm/pkeys.c). */
	cfg.pku = cfg.arch == MMK_ARCH_X86_64 && (G.o.seed & 2);
	cfg.seed = G.o.seed;
	cfg.printk = fz_printk;
	if (mmk_config_validate(&cfg, why, sizeof why)) {
		fprintf(stderr, "%s: %s\n", G.o.prog, why);
		return 2;
	}
	G.m = mmk_boot(&cfg);
	if (!G.m) {
		fprintf(stderr, "%s: boot failed: %s\n", G.o.prog,
			strerror(errno));
		return 1;
	}
	G.task_size = cfg.arch == MMK_ARCH_I386 ? 0xc0000000UL :
						  0x7ffffffff000UL;
	warm_up(&w);
	fz_settle(G.m);
	base_free = mmk_nr_free_pages(G.m);
	base_map = free_pfn_map(G.m);

	G.frw = mmk_file_create("vm_fuzz-rw", 1UL << 20, false);
	G.fro = mmk_file_create("vm_fuzz-ro", 256UL << 10, true);
	if (!G.frw || !G.fro || mmk_spawn(SHARED_PID, false))
		fz_fail(&w, "files or process %d", SHARED_PID);
	pthread_mutex_init(&G.shared_lock, NULL);

	thr = calloc((size_t)G.o.threads, sizeof(*thr));
	if (!thr) {
		perror("calloc");
		return 1;
	}
	per = G.o.ops / (uint64_t)G.o.threads;
	maxper = per + (G.o.ops % (uint64_t)G.o.threads != 0);
	G.rounds = (maxper + G.o.check_every - 1) / G.o.check_every;
	pthread_barrier_init(&G.bar, NULL, (unsigned int)G.o.threads);
	if (!G.o.quiet)
		printf("vm_fuzz: %llu operations, %d threads%s, seed %llu, %s "
		       "mem=%lluM, check every %llu\n",
		       (unsigned long long)G.o.ops, G.o.threads,
		       cfg.cpus_on_demand ? " (CPUs on demand)" : "",
		       (unsigned long long)G.o.seed, G.o.arch,
		       (unsigned long long)(G.o.mem >> 20),
		       (unsigned long long)G.o.check_every);
	t0 = fz_now();
	for (i = 0; i < G.o.threads; i++) {
		struct thr *t = &thr[i];

		t->id = i;
		t->nops = per + ((uint64_t)i < G.o.ops % (uint64_t)G.o.threads);
		fz_seed(&t->r, G.o.seed * 0x100000001ULL + (uint64_t)i);
		t->w.o = &G.o;
		t->w.thread = i;
		t->own.base = WIN_BASE;
		t->own.pages = WIN_PAGES;
		t->own.area = AREA_PAGES;
		t->sh.base = SH_WIN_BASE + (unsigned long)i * SH_WIN_PAGES * PG;
		t->sh.pages = SH_WIN_PAGES;
		t->sh.area = SH_WIN_PAGES;
		t->sh.ring = &t->sh_ring;
		t->own.ring = &t->p[0].ring;
		if (pthread_create(&t->tid, NULL, thread_main, t)) {
			perror("pthread_create");
			return 1;
		}
		/* One at a time, so that each finds its CPU free. */
		while (atomic_load(&G.claimed) <= i)
			sched_yield();
	}
	for (i = 0; i < G.o.threads; i++) {
		pthread_join(thr[i].tid, NULL);
		fput(thr[i].mfd);
		ops += thr[i].nops;
		for (k = 0; k < NR_COUNTS; k++)
			atomic_fetch_add(&counts[k].n, thr[i].cnt[k]);
	}
	atomic_store(&counts[C_MIGRATED].n,
		     global_vm_event(G.m, PGMIGRATE_SUCCESS));
	atomic_store(&counts[C_COMPACT_STALL].n,
		     global_vm_event(G.m, COMPACTSTALL));
	secs = fz_now() - t0;

	w.what = "teardown";
	w.op = 0;
	mmk_exit(SHARED_PID);
	fput(G.frw);
	fput(G.fro);
	/* The pool goes back, but for the pages that reservations nobody
	 * owns pin (mremap's clear_vma_resv_huge_pages, as in Linux). */
	mmk_set_nr_hugepages(-1, 0);
	hugetlb_pinned = hugetlb_total_pages(G.m);
	/* The huge zero page stays until its shrinker runs (drop_caches'
	 * 2, as Linux's does under memory pressure). */
	if (mmk_drop_caches(2))
		fz_fail(&w, "drop_caches");
	/* The slot khugepaged's cursor was on when its mm exited waits for
	 * its next wake-up (collect_mm_slot), as in Linux: one that THP
	 * "never" does not put off. */
	if (G.task_size != 0xc0000000UL &&
	    (mmk_thp_set("enabled", "madvise") || mmk_khugepaged_scan(1) < 0))
		fz_fail(&w, "khugepaged_scan");
	fz_settle(G.m);
	fz_check(&w, G.m);
	check_commit(&w);
	end_free = mmk_nr_free_pages(G.m) + hugetlb_pinned;
	if (atomic_load(&G.m->mm->nr_mms))
		fz_fail(&w, "%d mm_structs alive after every process exited",
			atomic_load(&G.m->mm->nr_mms));
	if (nr_swap_pages(G.m) != total_swap_pages(G.m))
		fz_fail(&w, "%lu swap slots in use after every process exited",
			total_swap_pages(G.m) - nr_swap_pages(G.m));
	if (vm_memory_committed(G.m))
		fz_fail(&w,
			"Committed_AS is %lu pages after every process "
			"exited",
			vm_memory_committed(G.m));
	if (end_free != base_free) {
		report_missing(G.m, base_map);
		fz_fail(&w,
			"%ld pages missing after every process exited "
			"(free %lu after boot, %lu now)",
			(long)base_free - (long)end_free, base_free, end_free);
	}
	free(base_map);
	mmk_shutdown(G.m);
	if (!G.o.quiet)
		printf("  check cost: %.1f%% (%llu checks, %.2f ms each)\n",
		       secs > 0 ? 100.0 * G.check_secs / secs : 0.0,
		       (unsigned long long)G.checks,
		       G.checks ? 1e3 * G.check_secs / (double)G.checks : 0.0);
	fz_summary(&G.o, "vm_fuzz", ops, G.checks, secs, counts, NR_COUNTS);
	free(thr);
	return 0;
}
