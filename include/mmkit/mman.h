/* SPDX-License-Identifier: MIT */
/*
 * Processes and their address spaces: the mmap family of system calls
 * (include/linux/mm.h, include/uapi/asm-generic/mman*.h).
 *
 * Two levels, as in Linux:
 * - system calls on a process id, with the kernel's argument checks,
 *   privilege and rlimit rules, errno results and partial effects:
 *   mmk_mmap, mmk_munmap, mmk_mprotect, mmk_mremap, mmk_mlock, ...;
 * - the kernel functions behind them, on a struct mm_struct the caller has
 *   locked with mmap_write_lock(): do_mmap, do_munmap, do_mprotect_pkey,
 *   do_mlock, apply_vma_lock_flags, do_mremap, do_brk_flags, do_madvise,
 *   find_vma and friends.
 *
 * Every function acts on the calling thread's current machine. Results are
 * Linux's: an address or 0 on success, a negative errno on failure.
 * Flag and advice values are Linux's uapi values, so they equal the host's
 * <sys/mman.h> constants.
 */
#ifndef MMKIT_MMAN_H
#define MMKIT_MMAN_H

#include <stdbool.h>
#include <mmkit/mm_types.h>

/* ---- uapi constants (same values as Linux's) ----
 * Each one only where the host's <sys/mman.h>, included first, has not
 * defined it: strict C11 hides some of a group (MAP_ANONYMOUS) and not
 * others (MAP_SHARED). */
#ifndef PROT_NONE
#define PROT_NONE 0x0
#endif
#ifndef PROT_READ
#define PROT_READ 0x1
#endif
#ifndef PROT_WRITE
#define PROT_WRITE 0x2
#endif
#ifndef PROT_EXEC
#define PROT_EXEC 0x4
#endif
#ifndef PROT_GROWSDOWN
#define PROT_GROWSDOWN 0x01000000
#endif
#ifndef PROT_GROWSUP
#define PROT_GROWSUP 0x02000000
#endif
#ifndef MAP_SHARED
#define MAP_SHARED 0x01
#endif
#ifndef MAP_PRIVATE
#define MAP_PRIVATE 0x02
#endif
#ifndef MAP_FIXED
#define MAP_FIXED 0x10
#endif
#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS 0x20
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_TYPE
#define MAP_TYPE 0x0f
#endif
#ifndef MAP_GROWSDOWN
#define MAP_GROWSDOWN 0x0100
#endif
#ifndef MAP_DENYWRITE
#define MAP_DENYWRITE 0x0800
#endif
#ifndef MAP_EXECUTABLE
#define MAP_EXECUTABLE 0x1000
#endif
#ifndef MAP_LOCKED
#define MAP_LOCKED 0x2000
#endif
#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0x4000
#endif
#ifndef MAP_POPULATE
#define MAP_POPULATE 0x8000
#endif
#ifndef MAP_NONBLOCK
#define MAP_NONBLOCK 0x10000
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_STACK
#define MAP_STACK 0x20000
#endif
#ifndef MAP_HUGE_SHIFT
/* MAP_HUGETLB's page size: log2 of it in these bits (0: the default). */
#define MAP_HUGE_SHIFT 26
#define MAP_HUGE_MASK 0x3f
#endif
#ifndef MAP_HUGETLB
#define MAP_HUGETLB 0x40000
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif
#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE 1
#endif
#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MCL_CURRENT
#define MCL_CURRENT 1
#endif
#ifndef MCL_FUTURE
#define MCL_FUTURE 2
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef MADV_NORMAL
#define MADV_NORMAL 0
#endif
#ifndef MADV_RANDOM
#define MADV_RANDOM 1
#endif
#ifndef MADV_SEQUENTIAL
#define MADV_SEQUENTIAL 2
#endif
#ifndef MADV_WILLNEED
#define MADV_WILLNEED 3
#endif
#ifndef MADV_DONTNEED
#define MADV_DONTNEED 4
#endif
#ifndef MADV_FREE
#define MADV_FREE 8
#endif
#ifndef POSIX_FADV_NORMAL
#define POSIX_FADV_NORMAL 0
#endif
#ifndef POSIX_FADV_RANDOM
#define POSIX_FADV_RANDOM 1
#endif
#ifndef POSIX_FADV_SEQUENTIAL
#define POSIX_FADV_SEQUENTIAL 2
#endif
#ifndef POSIX_FADV_WILLNEED
#define POSIX_FADV_WILLNEED 3
#endif
#ifndef POSIX_FADV_DONTNEED
#define POSIX_FADV_DONTNEED 4
#endif
#ifndef POSIX_FADV_NOREUSE
#define POSIX_FADV_NOREUSE 5
#endif
/* memfd_create(2) flags, fcntl(2)'s file seals, fallocate(2) modes. */
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 1U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 2U
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 4U
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 8U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x10U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#endif
#ifndef F_GET_SEALS
#define F_GET_SEALS 1034
#endif
#ifndef F_SEAL_SEAL
#define F_SEAL_SEAL 0x0001
#endif
#ifndef F_SEAL_SHRINK
#define F_SEAL_SHRINK 0x0002
#endif
#ifndef F_SEAL_GROW
#define F_SEAL_GROW 0x0004
#endif
#ifndef F_SEAL_WRITE
#define F_SEAL_WRITE 0x0008
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif
#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif
#ifndef FALLOC_FL_COLLAPSE_RANGE
#define FALLOC_FL_COLLAPSE_RANGE 0x08
#endif
#ifndef FALLOC_FL_ZERO_RANGE
#define FALLOC_FL_ZERO_RANGE 0x10
#endif
#ifndef FALLOC_FL_INSERT_RANGE
#define FALLOC_FL_INSERT_RANGE 0x20
#endif
#ifndef FALLOC_FL_UNSHARE_RANGE
#define FALLOC_FL_UNSHARE_RANGE 0x40
#endif
#ifndef FALLOC_FL_WRITE_ZEROES
#define FALLOC_FL_WRITE_ZEROES 0x80
#endif
/* prctl(2) options. */
#ifndef PR_SET_THP_DISABLE
#define PR_SET_THP_DISABLE 41
#endif
#ifndef PR_GET_THP_DISABLE
#define PR_GET_THP_DISABLE 42
#endif
#ifndef PR_THP_DISABLE_EXCEPT_ADVISED
#define PR_THP_DISABLE_EXCEPT_ADVISED (1 << 1)
#endif
#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67
#endif
#ifndef PR_GET_MEMORY_MERGE
#define PR_GET_MEMORY_MERGE 68
#endif
#ifndef MADV_REMOVE
#define MADV_REMOVE 9
#endif
#ifndef MADV_MERGEABLE
#define MADV_MERGEABLE 12
#endif
#ifndef MADV_UNMERGEABLE
#define MADV_UNMERGEABLE 13
#endif
#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MADV_DONTFORK
#define MADV_DONTFORK 10
#endif
#ifndef MADV_DOFORK
#define MADV_DOFORK 11
#endif
#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE 14
#endif
#ifndef MADV_NOHUGEPAGE
#define MADV_NOHUGEPAGE 15
#endif
#ifndef MADV_DONTDUMP
#define MADV_DONTDUMP 16
#endif
#ifndef MS_ASYNC
#define MS_ASYNC 1
#endif
#ifndef MS_INVALIDATE
#define MS_INVALIDATE 2
#endif
#ifndef MS_SYNC
#define MS_SYNC 4
#endif
#ifndef MADV_DODUMP
#define MADV_DODUMP 17
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif
#ifndef MADV_KEEPONFORK
#define MADV_KEEPONFORK 19
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102 /* Linux 6.13: accesses raise SIGSEGV */
#endif
#ifndef MADV_GUARD_REMOVE
#define MADV_GUARD_REMOVE 103
#endif

/* ---- vm_flags (Linux's bit values; smaps prints them in bit order) ---- */
#define VM_NONE 0x00000000UL
#define VM_READ 0x00000001UL
#define VM_WRITE 0x00000002UL
#define VM_EXEC 0x00000004UL
#define VM_SHARED 0x00000008UL
#define VM_MAYREAD 0x00000010UL
#define VM_MAYWRITE 0x00000020UL
#define VM_MAYEXEC 0x00000040UL
#define VM_MAYSHARE 0x00000080UL
#define VM_GROWSDOWN 0x00000100UL
#define VM_PFNMAP 0x00000400UL
#define VM_MAYBE_GUARD 0x00000800UL /* MADV_GUARD_INSTALL ran here ("gu") */
#define VM_LOCKED 0x00002000UL
#define VM_IO 0x00004000UL
#define VM_SEQ_READ 0x00008000UL
#define VM_RAND_READ 0x00010000UL
#define VM_DONTCOPY 0x00020000UL
#define VM_DONTEXPAND 0x00040000UL
#define VM_LOCKONFAULT 0x00080000UL
#define VM_ACCOUNT 0x00100000UL
#define VM_NORESERVE 0x00200000UL
#define VM_HUGETLB 0x00400000UL
#define VM_WIPEONFORK 0x02000000UL
#define VM_DONTDUMP 0x04000000UL
#define VM_SOFTDIRTY 0x08000000UL
#define VM_MIXEDMAP 0x10000000UL
#define VM_HUGEPAGE 0x20000000UL
#define VM_NOHUGEPAGE 0x40000000UL
#define VM_MERGEABLE 0x80000000UL
/* The VMA's protection key, bits 32-35 (VM_HIGH_ARCH_0..3; smaps shows
 * it as ProtectionKey and gives the bits no mnemonic). */
#define VM_PKEY_SHIFT 32
#define VM_PKEY_BIT0 (1ULL << 32)
#define VM_PKEY_BIT1 (1ULL << 33)
#define VM_PKEY_BIT2 (1ULL << 34)
#define VM_PKEY_BIT3 (1ULL << 35)
#define VM_PKEY_MASK (VM_PKEY_BIT0 | VM_PKEY_BIT1 | VM_PKEY_BIT2 | VM_PKEY_BIT3)
#define VM_SEALED (1ULL << 42) /* mseal(2): "sl" */
#define VM_STACK VM_GROWSDOWN
#define VM_LOCKED_MASK (VM_LOCKED | VM_LOCKONFAULT)
/* Sticky flags do not stop a merge and survive it (the merged VMA has
 * them if any part had); merges also ignore VM_SOFTDIRTY. */
#define VM_STICKY VM_MAYBE_GUARD
#define VM_IGNORE_MERGE (VM_SOFTDIRTY | VM_STICKY)
/* fork copies the page tables of these VMAs: refaults could not rebuild
 * them (vma_needs_copy). */
#define VM_COPY_ON_FORK (VM_PFNMAP | VM_MIXEDMAP | VM_MAYBE_GUARD)
#define VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC)
/* VMAs with these never merge and are never locked. */
#define VM_SPECIAL (VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)

/* Resource limits a process has (Linux's RLIMIT_* numbers). */
#define MMK_RLIMIT_DATA 2
#define MMK_RLIMIT_STACK 3
#define MMK_RLIMIT_MEMLOCK 8
#define MMK_RLIMIT_AS 9
#define MMK_RLIM_INFINITY (~0UL)

/* ---- processes ---- */

/**
 * mmk_spawn() - create process @pid with an empty address space, laid out
 * for the machine's architecture (mmap_base under a randomised stack top,
 * brk after a randomised program break). A privileged process has
 * CAP_IPC_LOCK and CAP_SYS_RAWIO; an unprivileged one is bound by its
 * rlimits (RLIMIT_MEMLOCK 8 MiB, the others unlimited).
 * Return: 0; -EINVAL (pid < 1), -EEXIST (pid in use), -ENOMEM.
 */
int mmk_spawn(int pid, bool unprivileged);

/**
 * mmk_fork() - create @child as a copy of @parent (dup_mmap): VMAs except
 * VM_DONTCOPY ones, without VM_LOCKED; anonymous VMAs get anon_vmas
 * chained to the parent's.
 * Return: 0; -ESRCH (no parent), -EEXIST (child pid in use), -EINVAL,
 * -ENOMEM.
 */
int mmk_fork(int parent, int child);

/** mmk_exit() - end process @pid: exit_mmap() frees everything. 0 or -ESRCH. */
int mmk_exit(int pid);

/**
 * mmk_setrlimit() - set @pid's soft and hard limit for @resource (one of
 * MMK_RLIMIT_*) to @value (bytes, or MMK_RLIM_INFINITY). 0, -ESRCH, -EINVAL.
 */
int mmk_setrlimit(int pid, int resource, unsigned long value);

/**
 * mmk_get_mm() - @pid's address space with a reference (mmput() drops
 * it), or NULL if there is no such live process.
 */
struct mm_struct *mmk_get_mm(int pid);
void mmput(struct mm_struct *mm);

/** sysctl vm.max_map_count (65530 by default). Return: previous value. */
int mmk_set_max_map_count(int count);

/**
 * mmk_task_alive() - whether process @pid exists (not exited, not killed
 * by the OOM killer).
 */
bool mmk_task_alive(int pid);

/**
 * mmk_set_oom_score_adj() - write /proc/@pid/oom_score_adj: @adj from -1000
 * (the OOM killer never chooses the process) to 1000 (it goes first),
 * added to the badness in thousandths of memory + swap. fork inherits it.
 * The process writes it, as Linux's __set_oom_adj() has it: an
 * unprivileged one may not go below the value it last set while
 * privileged (0 unless it did; fork inherits that floor too), a privileged
 * one (CAP_SYS_RESOURCE) may, and moves its floor there.
 * Return: 0, -ESRCH, -EINVAL (out of range), -EACCES (below the floor).
 */
int mmk_set_oom_score_adj(int pid, int adj);
/**
 * mmk_clear_refs() - what writing @type to /proc/@pid/clear_refs does: 1
 * clears the accessed bit and PG_referenced of every mapped page (smaps'
 * Referenced), 2 only in anonymous VMAs, 3 only in file VMAs, 4 nothing
 * (no soft-dirty tracking, as the reference kernel is built), 5 resets
 * VmHWM to the current RSS. As in Linux the TLB is not flushed: an access
 * through a translation the simulated TLB still holds does not mark the
 * page again. Return: 0, -EINVAL for another type, -ESRCH.
 */
int mmk_clear_refs(int pid, int type);

/**
 * sysctl vm.oom_kill_allocating_task (0): when set, the OOM killer kills
 * the process whose allocation ran out of memory, if it may, instead of
 * choosing by badness. sysctl vm.oom_dump_tasks (1): the kill report
 * lists every process. Return: the previous value, -EINVAL without a
 * machine.
 */
int mmk_set_oom_kill_allocating_task(bool on);
int mmk_set_oom_dump_tasks(bool on);

/**
 * sysctl vm.legacy_va_layout: processes spawned afterwards place mappings
 * bottom-up from mmap_legacy_base (TASK_SIZE / 3 plus randomness) instead
 * of top-down under mmap_base. Return: the previous value.
 */
int mmk_set_legacy_va_layout(bool legacy);

/**
 * sysctl vm.swappiness (60): reclaim's relative pressure on anonymous
 * memory (swap) against the page cache, 0..200; the file lists get 200
 * minus it. Return: the previous value, -EINVAL out of range.
 */
int mmk_set_swappiness(int swappiness);

/**
 * sysctl vm.overcommit_memory: 0 (the default) refuses only a charge
 * larger than RAM and swap; 1 never refuses; 2 (strict) refuses once
 * Committed_AS would reach CommitLimit, less vm.admin_reserve_kbytes for
 * an unprivileged process and the smaller of vm.user_reserve_kbytes and
 * a 32nd of the process's size, and ignores MAP_NORESERVE. A refusal is
 * ENOMEM with "__vm_enough_memory: ..." in the kernel log. Return: the
 * previous mode, -EINVAL.
 */
int mmk_set_overcommit_memory(int mode);
/**
 * mmk_mincore() - mincore(2) in process @pid: for each page of [@addr,
 * @addr + @len), 1 in @vec if it is in memory (mapped; in the swap
 * cache; or, unmapped, in the page cache of the mapped file), else 0.
 * Return: 0, -EINVAL (@addr unaligned), -ENOMEM (beyond user space or a
 * hole in the range; the pages before it are filled), -EFAULT (@vec
 * NULL), -ESRCH.
 */
long mmk_mincore(int pid, unsigned long addr, unsigned long len,
		 unsigned char *vec);
/**
 * mmk_fadvise() - posix_fadvise(2) on @f for bytes [@offset, @offset +
 * @len) (@len 0: to the end). NORMAL, SEQUENTIAL (twice the readahead
 * window) and RANDOM set the file's readahead; WILLNEED reads up to a
 * window of the range into the page cache; DONTNEED writes the range's
 * dirty pages back (they stay, as if still under writeback) and drops
 * its whole pages that are clean and unmapped; NOREUSE makes accesses
 * through mappings of @f no reason to keep its pages. A shmem object
 * takes every advice and ignores it. Return: 0, -EBADF for no file,
 * -EINVAL for an unknown advice or a negative @len.
 */
int mmk_fadvise(struct file *f, long long offset, long long len, int advice);
/**
 * mmk_drop_caches() - sysctl vm.drop_caches: 1 drops the clean, unmapped
 * page cache of regular files (the rest goes inactive), 2 runs the slab
 * shrinkers, 3 both; 4 added silences the log line each write prints.
 * Return: 0, or -EINVAL for a value outside 1..4 or no current machine.
 */
int mmk_drop_caches(int what);
/**
 * sysctl vm.overcommit_ratio (50) and vm.overcommit_kbytes (0):
 * CommitLimit is swap plus that percentage of RAM, or plus that many
 * kilobytes when vm.overcommit_kbytes is nonzero; setting either clears
 * the other, as Linux does. Return: the previous value, -EINVAL.
 */
long mmk_set_overcommit_ratio(long ratio);
long mmk_set_overcommit_kbytes(unsigned long kbytes);
/**
 * sysctl vm.admin_reserve_kbytes (@admin) or vm.user_reserve_kbytes:
 * strict overcommit's reserves (by default 3% of the free memory after
 * boot, at most 8 MiB and 128 MiB). Return: the previous value, -EINVAL.
 */
long mmk_set_reserve_kbytes(bool admin, unsigned long kbytes);

/**
 * mmk_swapon() - mkswap and swapon(2) of a swap file @path of @bytes:
 * the machine swaps to it too. @prio: 0..32767 (SWAP_FLAG_PREFER), or -1
 * for the next default priority (-2, -3, ...).
 * Return: 0; -EINVAL for a @path not absolute, @bytes below mkswap's 40K
 * or above the largest area (4G on i386, 64G on x86_64), or a bad @prio;
 * -EBUSY if @path is an area in use; -EPERM with MAX_SWAPFILES (32)
 * areas in use; -ENOMEM.
 */
int mmk_swapon(const char *path, unsigned long long bytes, int prio);
/**
 * mmk_swapoff() - swapoff(2): every page swapped to the area @path comes
 * back into memory (processes' and shmem objects'), then the area goes.
 * Return: 0; -EINVAL if @path is no area in use; -ENOMEM if the
 * overcommit policy refuses the area's size, or a page could not be had
 * (the area stays in use, what came back stays in memory).
 */
int mmk_swapoff(const char *path);

/* ---- files ---- */

/**
 * mmk_file_create() - an in-memory file of @size bytes named @name (printed
 * in maps as "/@name"), opened read-write, or read-only if @readonly.
 * Return: a reference (fput() drops it), or NULL with errno.
 */
struct file *mmk_file_create(const char *name, unsigned long size,
			     bool readonly);
/**
 * mmk_memfd_create() - memfd_create(@name) and ftruncate(@size): a shmem
 * file, read-write, shown in maps as "/memfd:@name (deleted)" on 00:01;
 * its pages count as shmem (RssShmem, Shmem). Return as mmk_file_create().
 */
struct file *mmk_memfd_create(const char *name, unsigned long size);
/**
 * mmk_memfd() - memfd_create(2) itself: an empty shmem file as
 * mmk_memfd_create() makes, with @flags MFD_CLOEXEC, MFD_ALLOW_SEALING
 * (else its seals are F_SEAL_SEAL), MFD_NOEXEC_SEAL (F_SEAL_EXEC, no
 * exec bits) or MFD_EXEC. Return as mmk_file_create(); EINVAL for other
 * flags (MFD_HUGETLB included), both MFD_EXEC and MFD_NOEXEC_SEAL, or a
 * name of more than 249 bytes (any bytes, '/' too, as Linux takes).
 */
struct file *mmk_memfd(const char *name, unsigned int flags);
/**
 * mmk_ftruncate() - ftruncate(2): a shorter file loses its pages past
 * the end from the cache and from every mapping, private copies
 * included (a later access there is SIGBUS), and the rest of its last
 * page reads as zeroes; a longer one reads as zeroes past the old end
 * (a regular file's last page is zeroed there; a memfd's keeps what a
 * mapping wrote past its end, as tmpfs does). Return: 0; -EINVAL for a
 * negative @length or a file not open for writing; -EFBIG beyond the
 * file system's largest file; -EPERM against F_SEAL_SHRINK or
 * F_SEAL_GROW; -ENOMEM.
 */
long mmk_ftruncate(struct file *f, long long length);
/**
 * mmk_fallocate() - fallocate(2) on @f. Mode 0 or FALLOC_FL_KEEP_SIZE
 * allocates (a memfd's pages, zero-filled, in its cache; a regular
 * file's blocks, which read as zeroes) and, without KEEP_SIZE, extends
 * the file; FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE frees the whole
 * pages of the range (from the cache and every shared mapping) and
 * zeroes the partial ones; a regular file also takes
 * FALLOC_FL_ZERO_RANGE (with or without KEEP_SIZE). Return: 0;
 * -EINVAL (negative offset, length not positive), -EOPNOTSUPP (other
 * modes), -EBADF (not open for writing), -EFBIG, -EPERM (a seal),
 * -ENOSPC (a memfd's pages could not be had: none of this call's stay).
 */
long mmk_fallocate(struct file *f, int mode, long long offset, long long len);
/**
 * mmk_pread() - pread(2): up to @count bytes of @f from @offset into
 * @buf, through the page cache (a regular file reads ahead as a
 * sequential reader's faults do; a memfd's holes read as zeroes and
 * allocate nothing). Return: the bytes read (0 at or past the end);
 * -EINVAL (negative offset), -EBADF (not open for reading), -EFAULT,
 * -ENOMEM.
 */
long mmk_pread(struct file *f, void *buf, size_t count, long long offset);
/**
 * mmk_pwrite() - pwrite(2): @count bytes of @buf into @f at @offset,
 * page by page into the cache (dirty), extending the file past its
 * end. Return: the bytes written (those before an error, if any);
 * -EINVAL, -EBADF (not open for writing), -EFAULT, -EFBIG (at the
 * largest file's end), -EPERM (F_SEAL_WRITE, F_SEAL_FUTURE_WRITE, or
 * F_SEAL_GROW past the end), -ENOMEM, -ENOSPC.
 */
long mmk_pwrite(struct file *f, const void *buf, size_t count,
		long long offset);
/**
 * mmk_fcntl() - fcntl(2)'s F_ADD_SEALS (@arg: F_SEAL_* bits) and
 * F_GET_SEALS on a shmem file. Return: F_GET_SEALS the seals; 0;
 * -EINVAL (another command, unknown seals, a file that takes none);
 * -EPERM (not open for writing, or F_SEAL_SEAL set); -EBUSY (F_SEAL_WRITE
 * while a shared mapping may write, or a page is pinned).
 */
long mmk_fcntl(struct file *f, unsigned int cmd, unsigned long arg);
struct file *get_file(struct file *file);
void fput(struct file *file);

/* ---- system calls (with the kernel's checks and partial effects) ---- */

/** mmk_mmap() - mmap(2); @file NULL unless mapping a file. */
long mmk_mmap(int pid, unsigned long addr, unsigned long len,
	      unsigned long prot, unsigned long flags, struct file *file,
	      unsigned long off);
long mmk_munmap(int pid, unsigned long addr, unsigned long len);
long mmk_mprotect(int pid, unsigned long addr, unsigned long len,
		  unsigned long prot);
long mmk_mremap(int pid, unsigned long addr, unsigned long old_len,
		unsigned long new_len, unsigned long flags,
		unsigned long new_addr);
long mmk_mlock(int pid, unsigned long addr, unsigned long len);
/** mmk_mlock2() - mlock2(2): @flags 0 or MLOCK_ONFAULT. */
long mmk_mlock2(int pid, unsigned long addr, unsigned long len,
		unsigned int flags);
long mmk_munlock(int pid, unsigned long addr, unsigned long len);
long mmk_mlockall(int pid, int flags);
long mmk_munlockall(int pid);
/** mmk_brk() - brk(2): the new break, or the old one if it cannot move. */
long mmk_brk(int pid, unsigned long addr);
long mmk_madvise(int pid, unsigned long addr, unsigned long len, int advice);
/** struct mmk_iovec - one range of a process's memory (struct iovec). */
struct mmk_iovec {
	unsigned long base;
	unsigned long len;
};
/**
 * mmk_process_madvise() - process_madvise(2) by process @caller on the
 * memory of process @pid (its pidfd): madvise on each of the @vlen ranges
 * in turn, to the first error. Another process's memory takes only
 * MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED and MADV_COLLAPSE (else -EINVAL),
 * and a privileged caller (CAP_SYS_NICE; -EPERM; -EACCES for a process of
 * another user). Return: the bytes of the ranges advised, or the first
 * range's error; -EINVAL for @flags or more than 1024 ranges, -ESRCH.
 */
long mmk_process_madvise(int caller, int pid, const struct mmk_iovec *vec,
			 size_t vlen, int advice, unsigned int flags);
/**
 * mmk_msync() - msync(2): MS_SYNC writes the dirty file pages of the
 * range's shared file mappings back (cleaning their entries); MS_ASYNC
 * and MS_INVALIDATE only check. Return: 0, -EINVAL, -ENOMEM (a hole, the
 * rest synced all the same), -EBUSY (MS_INVALIDATE on locked memory),
 * -ESRCH.
 */
long mmk_msync(int pid, unsigned long addr, unsigned long len, int flags);
/**
 * mmk_process_vm_readv() - process_vm_readv(2) by process @caller: the
 * bytes of @pid's memory at the @riovcnt ranges of @rvec copied into
 * @caller's memory at the @liovcnt ranges of @lvec, in order, to the end
 * of either or the first page that cannot be read (no VM_READ, a hole; a
 * page not present is faulted in for @pid) or written.
 * Return: the bytes copied, else -EFAULT (nothing copied), -EINVAL
 * (@flags, a vector longer than 1024), -ESRCH, -EPERM (another user's
 * process, unprivileged), -ENOMEM.
 */
long mmk_process_vm_readv(int caller, int pid, const struct mmk_iovec *lvec,
			  size_t liovcnt, const struct mmk_iovec *rvec,
			  size_t riovcnt, unsigned long flags);
/** mmk_process_vm_writev() - process_vm_writev(2): the other way, into
 * @pid's memory (VM_WRITE needed; copy-on-write is broken). */
long mmk_process_vm_writev(int caller, int pid, const struct mmk_iovec *lvec,
			   size_t liovcnt, const struct mmk_iovec *rvec,
			   size_t riovcnt, unsigned long flags);
/**
 * mmk_prctl() - prctl(2) by process @pid, with @option
 * PR_SET_MEMORY_MERGE (@arg2 non-zero: KSM may merge every compatible
 * VMA, now and later, and ksmd scans the process; 0: unmerge it all and
 * stop) or PR_GET_MEMORY_MERGE (1 or 0), PR_SET_THP_DISABLE (@arg2
 * non-zero: no transparent huge pages; @arg3 PR_THP_DISABLE_EXCEPT_ADVISED:
 * none outside MADV_HUGEPAGE VMAs) or PR_GET_THP_DISABLE (0, 1, or 3 for
 * except-advised). Return: 0 or the value;
 * -EINVAL (another option, an argument that must be 0), -ENOMEM, -ESRCH.
 */
long mmk_prctl(int pid, int option, unsigned long arg2, unsigned long arg3,
	       unsigned long arg4, unsigned long arg5);
/**
 * mmk_thp_set() - write @value to /sys/kernel/mm/transparent_hugepage/
 * @name: enabled (always, madvise, never), defrag (always, defer,
 * defer+madvise, madvise, never), use_zero_page (a number), or
 * khugepaged/NAME: defrag (0, 1), max_ptes_none, max_ptes_swap,
 * max_ptes_shared (0-511), pages_to_scan (1 or more),
 * scan_sleep_millisecs, alloc_sleep_millisecs. Return: 0, -EINVAL (a
 * value Linux refuses), -EACCES (hpage_pmd_size, khugepaged/full_scans,
 * khugepaged/pages_collapsed: read-only), -ENOENT (no such file; the
 * i386 profile has none).
 */
int mmk_thp_set(const char *name, const char *value);
/**
 * mmk_khugepaged_scan() - khugepaged's work (it is no thread in mmkit):
 * @wakeups wake-ups of pages_to_scan pages each, or with 0, until the
 * current pass over its processes ends (khugepaged/full_scans grows).
 * Return: the huge pages collapsed; -ENOENT on the i386 profile.
 */
long mmk_khugepaged_scan(unsigned long wakeups);
/** mmk_mseal() - mseal(2) (x86_64; ENOSYS on i386): @flags must be 0. */
long mmk_mseal(int pid, unsigned long addr, unsigned long len,
	       unsigned long flags);

/* ---- memory protection keys (mm/pkeys.c; x86_64) ---- */

/* pkey_alloc()'s access rights (asm-generic/mman-common.h). */
#define MMK_PKEY_DISABLE_ACCESS 0x1
#define MMK_PKEY_DISABLE_WRITE 0x2
#define MMK_PKEY_ACCESS_MASK (MMK_PKEY_DISABLE_ACCESS | MMK_PKEY_DISABLE_WRITE)
/* How many keys a CPU with protection keys has (arch_max_pkey()). */
#define MMK_NR_PKEYS 16

/**
 * mmk_pkey_alloc() - pkey_alloc(2) for process @pid: the lowest free key,
 * its rights in the process's PKRU set to @init_val.
 * Return: the key; -EINVAL (@flags, or @init_val beyond
 * MMK_PKEY_ACCESS_MASK), -ENOSPC (none free: always on a machine booted
 * without pku), -ESRCH, -ENOSYS (i386).
 */
long mmk_pkey_alloc(int pid, unsigned long flags, unsigned long init_val);
/**
 * mmk_pkey_free() - pkey_free(2): @pkey is free again (VMAs keep it).
 * Return: 0; -EINVAL (not allocated, or the execute-only key), -ESRCH,
 * -ENOSYS (i386).
 */
long mmk_pkey_free(int pid, int pkey);
/**
 * mmk_pkey_mprotect() - pkey_mprotect(2): mprotect() that also gives the
 * range key @pkey (-1: as mprotect() does).
 * Return: as mmk_mprotect(); -EINVAL for a key not allocated.
 */
long mmk_pkey_mprotect(int pid, unsigned long addr, unsigned long len,
		       unsigned long prot, int pkey);
/**
 * mmk_pkey_set() - glibc's pkey_set(): the rights of @pkey in process
 * @pid's PKRU register (WRPKRU; the key need not be allocated).
 * Return: 0; -EINVAL (@pkey outside 0-15, @rights beyond
 * MMK_PKEY_ACCESS_MASK), -ENOSYS (a CPU without protection keys), -ESRCH.
 */
long mmk_pkey_set(int pid, int pkey, unsigned int rights);
/** mmk_pkey_get() - glibc's pkey_get(): the rights of @pkey, or -errno as
 * mmk_pkey_set(). */
long mmk_pkey_get(int pid, int pkey);

/* ---- accesses by a process (the software MMU, mm/memory.c) ---- */

/* Signals an access can raise (Linux's numbers). */
#define MMK_SIGBUS 7
#define MMK_SIGKILL 9
#define MMK_SIGSEGV 11

/**
 * mmk_touch() - the process accesses one byte of every page of [@addr,
 * +@len), in ascending order, reading or writing; the first fault that
 * cannot be handled stops it, the pages before it stay faulted in.
 * Return: 0, the signal (MMK_SIGSEGV, MMK_SIGBUS, or MMK_SIGKILL if the
 * process died), or -ESRCH.
 */
int mmk_touch(int pid, unsigned long addr, unsigned long len, bool write);
/** mmk_write_u64() - the process stores @value at @addr: 0 or a signal. */
int mmk_write_u64(int pid, unsigned long addr, uint64_t value);
/** mmk_read_u64() - the process loads *@value from @addr: 0 or a signal
 * (then *@value is 0: a load that faults loads nothing); -ESRCH, or
 * -EFAULT for a NULL @value. */
int mmk_read_u64(int pid, unsigned long addr, uint64_t *value);
/**
 * mmk_copy_to_user() / mmk_copy_from_user() - the kernel copies to or
 * from the process's memory, faulting pages in as needed.
 * Return: the number of bytes NOT copied (Linux's convention), -ESRCH, or
 * -EFAULT for a NULL host buffer.
 */
long mmk_copy_to_user(int pid, unsigned long to, const void *from, size_t n);
long mmk_copy_from_user(int pid, void *to, unsigned long from, size_t n);

/* ---- the kernel functions (mm locked by the caller) ---- */

void mmap_write_lock(struct mm_struct *mm);
void mmap_write_unlock(struct mm_struct *mm);

/** find_vma() - the first VMA with vm_end > @addr, or NULL. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
/** find_vma_prev() - find_vma(), and the VMA before it in *@pprev. */
struct vm_area_struct *find_vma_prev(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **pprev);
/** find_vma_intersection() - first VMA overlapping [@start, @end). */
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
					     unsigned long start,
					     unsigned long end);
/** vma_lookup() - the VMA containing @addr, or NULL. */
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);
#define for_each_vma(mm, vma) \
	for ((vma) = (mm)->mmap; (vma); (vma) = (vma)->vm_next)

/**
 * get_unmapped_area() - choose (or with MAP_FIXED, check) where a mapping
 * of @len bytes goes: top-down under mmap_base (bottom-up from
 * mmap_legacy_base as the fallback), honouring a free hint @addr.
 */
unsigned long get_unmapped_area(struct mm_struct *mm, struct file *file,
				unsigned long addr, unsigned long len,
				unsigned long pgoff, unsigned long flags,
				unsigned long vm_flags);
/**
 * do_mmap() - map [@addr, +@len) (Linux's do_mmap after the syscall's
 * checks). *@populate is set to the length to fault in afterwards.
 */
unsigned long do_mmap(struct mm_struct *mm, struct file *file,
		      unsigned long addr, unsigned long len, unsigned long prot,
		      unsigned long flags, unsigned long vm_flags,
		      unsigned long pgoff, unsigned long *populate);
int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len);
int do_mprotect_pkey(struct mm_struct *mm, unsigned long start, size_t len,
		     unsigned long prot, int pkey);
/** do_mlock() - mlock with @flags VM_LOCKED[|VM_LOCKONFAULT]. */
int do_mlock(struct mm_struct *mm, unsigned long start, size_t len,
	     unsigned long flags);
int apply_vma_lock_flags(struct mm_struct *mm, unsigned long start, size_t len,
			 unsigned long flags);
unsigned long do_mremap(struct mm_struct *mm, unsigned long addr,
			unsigned long old_len, unsigned long new_len,
			unsigned long flags, unsigned long new_addr);
int do_brk_flags(struct mm_struct *mm, unsigned long addr, unsigned long len,
		 unsigned long flags);
/* MADV_REMOVE drops and retakes @mm's lock, as Linux's does (the caller
 * must hold no other mmap lock). */
int do_madvise(struct mm_struct *mm, unsigned long start, size_t len,
	       int behavior);
int do_mseal(struct mm_struct *mm, unsigned long start, size_t len,
	     unsigned long flags);
int do_msync(struct mm_struct *mm, unsigned long start, size_t len, int flags);
/**
 * handle_mm_fault() - resolve a fault at @addr (a write if @write).
 * Return: 0, or the signal the access gets (MMK_SIGSEGV, MMK_SIGBUS;
 * MMK_SIGKILL when memory ran out).
 */
int handle_mm_fault(struct mm_struct *mm, unsigned long addr, bool write);
/* The same, for get_user_pages_remote() when @remote: the access is not
 * by @mm's own process, and no protection key refuses it. */
int __handle_mm_fault(struct mm_struct *mm, unsigned long addr, bool write,
		      bool remote);
/** mm_populate() - fault in [@start, +@len) as MAP_POPULATE/mlock do. */
int mm_populate(struct mm_struct *mm, unsigned long start, unsigned long len);

static inline bool IS_ERR_VALUE(unsigned long x)
{
	return x >= (unsigned long)-4095;
}

static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}

#endif /* MMKIT_MMAN_H */
