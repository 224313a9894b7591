/* SPDX-License-Identifier: MIT */
/*
 * Private to the address-space code (mm/vma.c, mm/mmap.c, mm/mprotect.c,
 * mm/mlock.c, mm/mremap.c, mm/madvise.c, mm/rmap.c, kernel/fork.c,
 * proc/task_mmu.c), as Linux's mm/vma.h: processes, the machine's
 * address-space state, and the VMA operations every system call is made of.
 */
#ifndef MMK_MM_VMA_H
#define MMK_MM_VMA_H

#include <errno.h>
#include <limits.h>
#include <mmkit/mman.h>
#include "mm/internal.h"

#define MMK_RLIM_NLIMITS 16
#define PID_HASH_SIZE 256
#define DEFAULT_MAX_MAP_COUNT 65530
#define DEFAULT_OVERCOMMIT_RATIO 50 /* vm.overcommit_ratio */
/* Linux's mmap_min_addr default on x86 (Debian: 65536). */
#define MMAP_MIN_ADDR 65536UL
/* stack_guard_gap: 256 pages. */
#define STACK_GUARD_GAP (256UL << PAGE_SHIFT)
#define PMD_SIZE (1UL << 21)

/* A process: what Linux keeps in task_struct and signal_struct for mm. */
struct task_struct {
	int pid;
	int ppid; /* the forking parent, 0 for a spawned process */
	struct mm_struct *mm;
	bool privileged; /* CAP_IPC_LOCK, CAP_SYS_RAWIO, CAP_SYS_RESOURCE */
	atomic_bool oom_victim; /* chosen by the OOM killer (mm/oom_kill.c) */
	bool oom_reaped; /* its private memory freed (MMF_OOM_SKIP) */
	short oom_score_adj; /* -1000 (never kill) .. 1000 */
	/* The least oom_score_adj the process may set without privilege:
	 * what it last set with it (signal_struct's, inherited by fork). */
	short oom_score_adj_min;
	unsigned long rlim[MMK_RLIM_NLIMITS]; /* soft = hard limit */
	/* The PKRU register of the process's thread (mm/pkeys.c): two bits
	 * a key, access disable and write disable. */
	uint32_t pkru;
	/* set_mempolicy's policy (mode MPOL_DEFAULT: local allocation), and
	 * the round-robin position of interleaving without an index: the
	 * last node used and the weight left on it. Under mm->mmap_lock. */
	struct mempolicy mempolicy;
	int il_prev;
	unsigned char il_weight;
	struct task_struct *hash_next;
	/* On mm_state.tasks in creation order (for_each_process), or on
	 * mm_state.oom_victims once killed and out of the pid table. */
	struct list_head tasks;
};

/* The machine's address-space state (m->mm). */
struct mm_state {
	pthread_mutex_t lock; /* pid table */
	struct task_struct *pid_hash[PID_HASH_SIZE];
	int nr_tasks;
	struct list_head tasks; /* live tasks, oldest first */
	/* Killed tasks whose exit waits for a point where the killing thread
	 * holds no mmap lock (oom_exit_victims). */
	struct list_head oom_victims;
	atomic_int nr_oom_victims; /* on that list */
	atomic_int max_map_count; /* sysctl vm.max_map_count */
	atomic_int nr_mms; /* live mm_structs, in the pid table or not */
	atomic_bool legacy_va_layout; /* sysctl vm.legacy_va_layout */
	atomic_bool oom_kill_allocating_task; /* sysctl, 0 by default */
	atomic_bool oom_dump_tasks; /* sysctl, 1 by default */
	atomic_int swappiness; /* sysctl vm.swappiness, 60 */
	/* /sys/kernel/mm/mempolicy/weighted_interleave/nodeN (0: the
	 * default weight, 1). */
	_Atomic unsigned char iw_table[MAX_NUMNODES];
	/* sysctl vm.overcommit_memory (OVERCOMMIT_*), vm.overcommit_ratio
	 * (50), vm.overcommit_kbytes (0), vm.admin_reserve_kbytes and
	 * vm.user_reserve_kbytes (3% of free memory at boot, at most 8 MiB
	 * and 128 MiB) */
	atomic_int overcommit_memory;
	atomic_long overcommit_ratio;
	atomic_ulong overcommit_kbytes;
	atomic_ulong admin_reserve_kbytes, user_reserve_kbytes;
	atomic_long vm_committed_as; /* Committed_AS, pages */
	atomic_ulong next_ino;
	atomic_ulong next_anon_vma_id;
	/* Every open file (the superblocks' inode lists), for drop_caches:
	 * under files_lock, which nests outside a file's lock. */
	pthread_mutex_t files_lock;
	struct list_head files;
	/* ftruncate, fallocate and F_ADD_SEALS, one at a time (Linux's
	 * inode_lock, here one for every file): outside mmap locks. */
	pthread_mutex_t inode_lock;
	atomic_bool drop_caches_stfu; /* drop_caches 4: no more log lines */
	struct kmem_cache *mm_cachep, *vma_cachep, *anon_vma_cachep,
		*avc_cachep, *task_cachep, *file_cachep;
	/* Held while mm_caches_init() makes them: not ms->lock, which the
	 * OOM killer takes when an allocation there runs out of memory. */
	pthread_mutex_t caches_lock;
	atomic_bool caches_ready; /* all six and the zero page exist */
	pthread_mutex_t anon_vma_lock; /* anon_vma chains (mm/rmap.c) */
	struct page *zero_page; /* the shared zero page */
	/* /sys/kernel/mm/transparent_hugepage (mm/huge_memory.c): enabled,
	 * defrag, use_zero_page; the huge zero page (NULL until a read
	 * fault needs it) and the huge entries mapping it. */
	atomic_int thp_enabled, thp_defrag;
	atomic_bool thp_use_zero_page;
	struct page *huge_zero_page;
	atomic_long huge_zero_refs;
	struct swap_state *swap; /* the swap areas (mm/swapfile.c) */
	struct ksm_state *ksm; /* ksmd's lists and trees (mm/ksm.c) */
	/* khugepaged's list, cursor and knobs (mm/khugepaged.c) */
	struct khugepaged_state *khugepaged;
	struct hstate *hstate; /* the huge page pool (mm/hugetlb.c) */
};

static inline struct mm_state *mm_state(void)
{
	return mmk_cur()->mm;
}

static inline int max_map_count(void)
{
	return atomic_load_explicit(&mm_state()->max_map_count,
				    memory_order_relaxed);
}

static inline unsigned long rlimit(const struct mm_struct *mm, int res)
{
	return mm->owner ? mm->owner->rlim[res] : MMK_RLIM_INFINITY;
}

/* The uid /proc/PID/status and the OOM killer show: root, or nobody. */
static inline unsigned int task_uid(const struct task_struct *t)
{
	return t->privileged ? 0 : 65534;
}

static inline unsigned long get_mm_counter(const struct mm_struct *mm,
					   int member)
{
	long v = atomic_load(&mm->rss_stat[member]);

	return v > 0 ? (unsigned long)v : 0;
}

static inline unsigned long get_mm_rss(const struct mm_struct *mm)
{
	return get_mm_counter(mm, MM_FILEPAGES) +
	       get_mm_counter(mm, MM_ANONPAGES) +
	       get_mm_counter(mm, MM_SHMEMPAGES);
}

/* The OOM killer chose @mm's process: it dies on its way back to user
 * space (SIGKILL pending), so nothing it started goes on. */
static inline bool fatal_signal_pending(const struct mm_struct *mm)
{
	return mm->owner && atomic_load_explicit(&mm->owner->oom_victim,
						 memory_order_relaxed);
}

/* A VMA whose pages are mlocked (folio_add_lru_vma's test). */
static inline bool vma_mlocked(const struct vm_area_struct *vma)
{
	return (vma->vm_flags & (VM_LOCKED | VM_SPECIAL)) == VM_LOCKED;
}

static inline bool capable(const struct mm_struct *mm)
{
	return !mm->owner || mm->owner->privileged;
}

/* @mm's process could open @file for writing (inode_owner_or_capable()
 * || file_permission(MAY_WRITE) == 0): only then may it learn or change
 * which of the file's pages are cached (can_do_mincore,
 * can_do_file_pageout), a side channel otherwise. */
static inline bool can_write_file(const struct mm_struct *mm,
				  const struct file *file)
{
	return file->writable || (mm->owner && mm->owner->privileged);
}

static inline unsigned long
stack_guard_start_gap(const struct vm_area_struct *v)
{
	return (v->vm_flags & VM_GROWSDOWN) ? STACK_GUARD_GAP : 0;
}

/* The lowest address the VMA keeps others away from (stack guard gap). */
static inline unsigned long vm_start_gap(const struct vm_area_struct *vma)
{
	unsigned long gap = stack_guard_start_gap(vma);
	unsigned long start = vma->vm_start - gap;

	return start > vma->vm_start ? 0 : start;
}

static inline unsigned long vm_end_gap(const struct vm_area_struct *vma)
{
	return vma->vm_end;
}

static inline bool vma_is_anonymous(const struct vm_area_struct *vma)
{
	return !vma->vm_file;
}

static inline bool vma_is_shmem(const struct vm_area_struct *vma)
{
	return vma->vm_file && vma->vm_file->shmem;
}

/* The file page offset @addr of @vma maps. */
static inline unsigned long linear_page_index(const struct vm_area_struct *vma,
					      unsigned long addr)
{
	return vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
}

/* struct file.f_mode bits that posix_fadvise sets. */
#define FMODE_RANDOM 0x1u
#define FMODE_NOREUSE 0x2u

/* A regular file's readahead window: the default bdi's 128 KiB. */
#define VM_READAHEAD_PAGES 32UL

/* The file's readahead limit, which FADV_SEQUENTIAL and FADV_NORMAL
 * change while faults read it (READ_ONCE). */
static inline unsigned long file_ra_pages(const struct file *f)
{
	return __atomic_load_n(&f->f_ra.ra_pages, __ATOMIC_RELAXED);
}

/* vma_has_recency(): accesses through @vma say its pages are in use,
 * unless MADV_SEQUENTIAL, MADV_RANDOM or FADV_NOREUSE said otherwise. */
static inline bool vma_has_recency(const struct vm_area_struct *vma)
{
	if (vma->vm_flags & (VM_SEQ_READ | VM_RAND_READ))
		return false;
	return !(vma->vm_file &&
		 (__atomic_load_n(&vma->vm_file->f_mode, __ATOMIC_RELAXED) &
		  FMODE_NOREUSE));
}

/* The mm counters of total_vm's split (mm/internal.h of Linux). */
static inline bool is_exec_mapping(unsigned long flags)
{
	return (flags & (VM_EXEC | VM_WRITE | VM_STACK)) == VM_EXEC;
}

static inline bool is_stack_mapping(unsigned long flags)
{
	return (flags & VM_STACK) == VM_STACK;
}

static inline bool is_data_mapping(unsigned long flags)
{
	return (flags & (VM_WRITE | VM_SHARED | VM_STACK)) == VM_WRITE;
}

/* The VMA of a node of the VMA tree. */
#define vma_of(n) container_of(n, struct vm_area_struct, vm_rb)

/* ---- mm/vma.c ---- */
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig);
void vm_area_free(struct vm_area_struct *vma);
void vma_link(struct mm_struct *mm, struct vm_area_struct *vma);
void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma);
/* The VMA's range or pgoff changed: refresh the tree's gap summaries. */
void vma_set_range(struct vm_area_struct *vma, unsigned long start,
		   unsigned long end, unsigned long pgoff);
void vm_stat_account(struct mm_struct *mm, unsigned long flags, long npages);
bool may_expand_vm(struct mm_struct *mm, unsigned long flags,
		   unsigned long npages);
bool mlock_future_ok(struct mm_struct *mm, unsigned long flags,
		     unsigned long bytes);
/* __vm_enough_memory(): charge @pages to Committed_AS if the overcommit
 * policy allows (@mm NULL: a privileged caller with no address space).
 * 0 or -ENOMEM. */
int security_vm_enough_memory_mm(struct mm_struct *mm, long pages);
#define OVERCOMMIT_GUESS 0
#define OVERCOMMIT_ALWAYS 1
#define OVERCOMMIT_NEVER 2
static inline int sysctl_overcommit_memory(void)
{
	return atomic_load_explicit(&mm_state()->overcommit_memory,
				    memory_order_relaxed);
}
/* CommitLimit in pages: overcommit_kbytes, or overcommit_ratio percent
 * of RAM, plus swap. */
unsigned long vm_commit_limit(struct mmk_machine *m);
/* The reserves' defaults, from the free memory after boot. */
void mm_reserves_init(struct mmk_machine *m);
void vm_unacct_memory(long pages);
void vm_acct_memory(long pages);
int __split_vma(struct mm_struct *mm, struct vm_area_struct *vma,
		unsigned long addr, int new_below);
int split_vma(struct mm_struct *mm, struct vm_area_struct *vma,
	      unsigned long addr, int new_below);
/* Merge [start, end) with flags/file/pgoff/anon_vma into prev and/or next
 * (vma_merge_new_range); NULL if it cannot merge. */
struct vm_area_struct *
vma_merge_new_range(struct mm_struct *mm, struct vm_area_struct *prev,
		    struct vm_area_struct *next, unsigned long start,
		    unsigned long end, unsigned long flags, struct file *file,
		    unsigned long pgoff, struct anon_vma *anon_vma,
		    const struct vm_area_struct *copied_from,
		    const struct mempolicy *pol);
/* Change [start, end) of @vma to @newflags: merge with neighbours or
 * split (vma_modify_flags). ERR_PTR-style: NULL with *err set. */
struct vm_area_struct *vma_modify_flags(struct mm_struct *mm,
					struct vm_area_struct *prev,
					struct vm_area_struct *vma,
					unsigned long start, unsigned long end,
					unsigned long newflags, int *err);
/* The same with @pol as the range's policy, its flags kept (mbind's
 * vma_modify_policy). */
struct vm_area_struct *vma_modify_policy(struct mm_struct *mm,
					 struct vm_area_struct *prev,
					 struct vm_area_struct *vma,
					 unsigned long start, unsigned long end,
					 const struct mempolicy *pol, int *err);
/* Unmap [start, end) (do_vmi_align_munmap); @account: uncharge VM_ACCOUNT. */
/*
 * The end of the range madvise(2) and mseal(2) take: @len_in rounded up
 * to pages from a page-aligned @start. -EINVAL for an unaligned start or
 * a length that wraps; 0 with *@end set (*@end == @start: nothing to do).
 */
static inline int user_range_end(unsigned long start, size_t len_in,
				 unsigned long *end)
{
	size_t len = PAGE_ALIGN(len_in);

	if ((start & ~PAGE_MASK) || (len_in && !len) || start + len < start)
		return -EINVAL;
	*end = start + len;
	return 0;
}

/* The first step of unmapping [start, end): its first and last VMAs are
 * split at its ends, so that it is a run of whole VMAs. -ENOMEM when the
 * first split would pass max_map_count in a VMA that covers the range,
 * -EPERM at a sealed VMA (mseal), or a split's error; splits made before
 * a failure stay, as Linux leaves them. */
int vms_gather_munmap_vmas(struct mm_struct *mm, unsigned long start,
			   unsigned long end);
int do_vmi_munmap(struct mm_struct *mm, unsigned long start, size_t len,
		  bool account);
/* Pages of [start, end) in VMAs that have all of @flags (0: any VMA). */
unsigned long count_vma_pages_range(struct mm_struct *mm, unsigned long start,
				    unsigned long end, unsigned long flags);
/* Unmap every VMA (exit_mmap). */
void exit_mmap(struct mm_struct *mm);
bool mm_verify(struct mm_struct *mm, char *why, size_t len);

/* ---- mm/rmap.c ---- */
/* A reference on @av held outside any chain (a KSM rmap_item's), and
 * its release (the last reference frees it). */
void get_anon_vma(struct anon_vma *av);
void put_anon_vma(struct anon_vma *av);
void vma_rmap_init(struct vm_area_struct *vma);
int anon_vma_prepare(struct vm_area_struct *vma);
/* @dst shares @src's anon_vma and chain (split, copy, merge). */
int anon_vma_clone(struct vm_area_struct *dst,
		   const struct vm_area_struct *src);
void vma_file_link(struct vm_area_struct *vma);
void vma_file_unlink(struct vm_area_struct *vma);
/* A page shared by the VMAs of a fork family belongs to the family's
 * oldest anon_vma, which is on all their chains (__folio_set_anon of a
 * non-exclusive folio): its page->mapping value. */
unsigned long anon_vma_root_mapping(const struct vm_area_struct *vma);
/* The walks below read a page-cache page's ->mapping: the caller holds
 * its page lock (or nothing else can remove it, as in a test). */
/* Count and clear the young entries mapping @page. */
int page_referenced(struct page *page);
/* folio_referenced() for reclaim (try-lock walk): young entries found
 * and cleared; *@vm_flags the union of their VMAs' flags (VM_LOCKED: an
 * mlocked VMA maps the page). @locked_mm: the caller holds its lock. */
int page_referenced_reclaim(struct page *page, struct mm_struct *locked_mm,
			    unsigned long *vm_flags);
struct reclaim_unmap {
	struct page *page;
	unsigned long swp; /* swap-backed: its swap-cache slot */
	int nr_entries; /* swap entries made */
	bool mlocked; /* an mlocked VMA maps it */
	bool redirtied; /* lazy-free, but written since */
};
/* Unmap @u->page everywhere for reclaim; true when nothing maps it now.
 * Entries unmapped before a failure stay unmapped. */
bool try_to_unmap_reclaim(struct reclaim_unmap *u, struct mm_struct *locked_mm);
/* Unmap a page-cache page from every process: true if none maps it. */
bool try_to_unmap(struct page *page);
/* Unmap a page-cache page from every process whose mmap lock is free,
 * and from @locked_mm, whose lock the caller holds. Returns how many
 * mappers were skipped because their lock was busy, -1 for an anonymous
 * page (it needs a swap entry). With @busy: the first busy mapper not
 * exiting, with a reference (mmput() drops it), or NULL. */
/* folio_mkclean(): every entry mapping @page (a page-cache page, locked)
 * write-protected and clean, so that the next write faults and dirties
 * it again; false if a mapper's mm was busy (some entry may be left).
 * The caller may hold @locked_mm's lock (NULL: none). */
bool page_mkclean(struct page *page, struct mm_struct *locked_mm);
int try_to_unmap_busy(struct page *page, struct mm_struct *locked_mm,
		      struct mm_struct **busy);
bool rmap_verify(struct mm_struct *mm, char *why, size_t len);
/* @vma drops its anon_vma (unmap, merge away, MREMAP_DONTUNMAP). */
void unlink_anon_vmas(struct vm_area_struct *vma);
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma);

/* ---- mm/pkeys.c ---- */
/* The protection key of @vma (0 without protection keys). */
int vma_pkey(const struct vm_area_struct *vma);
/* A new process's keys (key 0 allocated) and PKRU. */
void pkeys_init(struct mm_struct *mm, struct task_struct *t);
/* fork: the child @mm (its owner set) gets @oldmm's keys and PKRU. */
void pkeys_dup(struct mm_struct *mm, const struct mm_struct *oldmm);
/* Whether @mm's process may load (or, with @write, store) through key
 * @pkey by its PKRU (always without protection keys). */
bool pkru_allows_pkey(const struct mm_struct *mm, int pkey, bool write);
/* arch_vma_access_permitted() for a data access by @vma's own process. */
bool arch_vma_access_permitted(const struct vm_area_struct *vma, bool write);
/* The key of execute-only memory (allocated, access-disabled in PKRU on
 * first use); 0 without protection keys, -1 if no key is free. */
int execute_only_pkey(struct mm_struct *mm);
/* The key mprotect() (@pkey -1) or pkey_mprotect() gives @vma. */
int arch_override_mprotect_pkey(struct vm_area_struct *vma, unsigned long prot,
				int pkey);
/* pkey_mprotect()'s check: @pkey is -1 or allocated (not the
 * execute-only key). */
bool pkey_may_use(const struct mm_struct *mm, int pkey);

/* ---- mm/mmap.c ---- */
/* The VM_READ/WRITE/EXEC and VM_PKEY_BIT* flags of @prot and @pkey. */
unsigned long calc_vm_prot_bits(unsigned long prot, int pkey);
void vma_set_page_prot(struct vm_area_struct *vma);
void mm_layout_init(struct mm_struct *mm, unsigned int seed);

/* Page statistics of one VMA for smaps (struct mem_size_stats); pss
 * fields are bytes << PSS_SHIFT. */
#define PSS_SHIFT 12
struct mem_size_stats {
	unsigned long resident, shared_clean, shared_dirty, private_clean,
		private_dirty, referenced, anonymous, ksm, lazyfree, swap;
	unsigned long anonymous_thp;
	unsigned long shared_hugetlb, private_hugetlb;
	unsigned long long pss, pss_dirty, swap_pss;
};

/* ---- mm/memory.c ---- */
/* A further mapping of the anonymous (KSM) @page in @mm: its mapcount
 * and @mm's RSS grow; the caller took the reference. */
void page_dup_anon_rmap(struct mm_struct *mm, struct page *page);
/* The unshare fault of a KSM page mapped at @addr of @vma (break_ksm):
 * a private copy replaces it (cow_ksm). 0 (also when @addr maps no KSM
 * page) or -ENOMEM, nothing changed. The caller holds the mmap lock. */
int break_ksm(struct mm_struct *mm, struct vm_area_struct *vma,
	      unsigned long addr);
void page_remove_rmap(struct mm_struct *mm, struct page *page, bool dirty);
void mark_page_accessed(struct page *page, struct mm_struct *mm);
void flush_tlb_mm(struct mm_struct *mm);
void mlock_pte_range(struct mm_struct *mm, unsigned long start,
		     unsigned long end, bool lock);
/* Zap the pages of [start, end): zap_page_range() keeps guard markers
 * (MADV_DONTNEED), unmap_page_range() drops them too (munmap, exit). */
void zap_page_range(struct mm_struct *mm, unsigned long start,
		    unsigned long end);
void unmap_page_range(struct mm_struct *mm, unsigned long start,
		      unsigned long end);
void exit_page_tables(struct mm_struct *mm);
int copy_page_range(struct mm_struct *dst, struct mm_struct *src,
		    struct vm_area_struct *src_vma);
void change_protection(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end);
int move_page_tables(struct mm_struct *mm, unsigned long old_addr,
		     unsigned long new_addr, unsigned long len);
void madvise_free_range(struct mm_struct *mm, unsigned long start,
			unsigned long end);
/* MADV_COLD, or with @pageout MADV_PAGEOUT, on [start, end); with
 * @anon_only, anonymous pages only (pageout_anon_only_filter). */
void madvise_cold_range(struct mm_struct *mm, unsigned long start,
			unsigned long end, bool pageout, bool anon_only);
/* MADV_GUARD_INSTALL / _REMOVE on the page tables of [start, end). */
int guard_install_range(struct mm_struct *mm, unsigned long start,
			unsigned long end);
void guard_remove_range(struct mm_struct *mm, unsigned long start,
			unsigned long end);
/* MADV_WILLNEED on anonymous [start, end) of @vma: swap-in into the swap
 * cache. */
void swapin_range(struct mm_struct *mm, struct vm_area_struct *vma,
		  unsigned long start, unsigned long end);
void smaps_account(struct vm_area_struct *vma, struct mem_size_stats *mss);
bool mm_verify_pages(struct mm_struct *mm, char *why, size_t len);
/* Across the @n locked mms: every page's mapcount equals the entries
 * mapping it (at least, unless @all: some mm is outside the list), its
 * refcount covers them and the page cache's, and NR_PAGETABLE equals
 * the page-table pages the mms hold. */
bool pages_verify(struct mmk_machine *m, struct mm_struct **mms, int n,
		  bool all, char *why, size_t len);

/* import_iovec()'s limits: vectors of UIO_MAXIOV at most, a call moves
 * MAX_RW_COUNT bytes at most. */
#define UIO_MAXIOV 1024
#define MAX_RW_COUNT (0x7fffffffUL & PAGE_MASK)

/* ---- mm/gup.c ---- */
long get_user_pages_remote(struct mm_struct *mm, unsigned long start,
			   unsigned long nr, bool write, struct page **pages);
/* Fault in the pages of [start, end) (one VMA) that are not mapped for
 * the access yet. Return: 0, -EFAULT (a signal) or -ENOMEM. */
int faultin_page_range(struct mm_struct *mm, unsigned long start,
		       unsigned long end, bool write);
int __mm_populate(struct mm_struct *mm, unsigned long start, unsigned long len,
		  bool ignore_errors);

/* ---- mm/filemap.c ---- */
/* The page lock, PG_locked (folio_trylock, folio_lock, folio_unlock): it
 * keeps a page-cache page's ->mapping stable. Faults map a page under it,
 * removal from the cache happens under it, reclaim only tries it. */
bool trylock_page(struct page *page);
void lock_page(struct page *page);
void unlock_page(struct page *page);
int filemap_init(struct file *f);
/* A file's size and pages, which ftruncate and fallocate change under
 * f->lock, for a reader without it (i_size_read). */
static inline unsigned long file_size(const struct file *f)
{
	return __atomic_load_n(&f->size, __ATOMIC_RELAXED);
}

static inline unsigned long file_nr_pages(const struct file *f)
{
	return __atomic_load_n(&f->nr_pages, __ATOMIC_RELAXED);
}

/* s_maxbytes: tmpfs's MAX_LFS_FILESIZE, or ext4's with extents and 4K
 * blocks (ext4_max_size). */
static inline unsigned long long file_max_bytes(const struct file *f)
{
	return f->shmem ? (unsigned long long)LLONG_MAX : 0xffffffffULL << 12;
}

/* The cache's slots: pages past the end may be there (fallocate with
 * FALLOC_FL_KEEP_SIZE), never past these. */
static inline unsigned long file_pages_cap(const struct file *f)
{
	return __atomic_load_n(&f->pages_cap, __ATOMIC_RELAXED);
}
/*
 * filemap_fault(): the page at @index of @vma's file with a reference,
 * read if it is not cached; NULL with *@err -EFAULT beyond the end
 * (SIGBUS) or -ENOMEM. A regular file's miss is a major fault
 * (pgmajfault, *@major) and reads ahead (do_sync_mmap_readahead); a hit
 * on a readahead mark reads the next window, unless the fault is @tried
 * again after a major one. A shmem object reads no more than its page.
 */
struct page *filemap_fault(struct vm_area_struct *vma, unsigned long index,
			   bool tried, int *err, bool *major);
/* filemap_map_pages()'s tally: fault-around found @hits pages cached,
 * which offset as many misses (file_ra_state.mmap_miss). */
void filemap_mmap_hits(struct file *f, unsigned int hits);
/* MADV_WILLNEED's readahead of [index, index + nr) into the cache. */
void filemap_willneed(struct file *f, unsigned long index, unsigned long nr);
/* page_cache_ra_unbounded()'s step: a page at @index (< the file's
 * pages) read into the cache unless one is there, marked PG_readahead if
 * @mark. 1 if it read one, 0 if one was cached, -ENOMEM. */
int filemap_ra_add(struct file *f, unsigned long index, bool mark);
/* The first index of [index, index + max_scan) with no cached page (the
 * file's end counts as one), else index + max_scan. f->lock held. */
unsigned long page_cache_next_miss(struct file *f, unsigned long index,
				   unsigned long max_scan);
/* The last index of (index - max_scan, index] with no cached page, else
 * index - max_scan, or ULONG_MAX when all down to 0 are cached. f->lock
 * held. */
unsigned long page_cache_prev_miss(struct file *f, unsigned long index,
				   unsigned long max_scan);

/* ---- mm/readahead.c ---- */
/* A regular file's window limit: VM_READAHEAD_PAGES. */
void file_ra_state_init(struct file *f);
/* Read the pages of [index, index + nr), clamped to the file's end, that
 * are not cached; mark the one @lookahead before the end. */
void do_page_cache_ra(struct file *f, unsigned long index, unsigned long nr,
		      unsigned long lookahead);
/* Read the window f->f_ra now holds; called with f->lock held, which it
 * drops first. */
void page_cache_ra_order(struct file *f);
/* MADV_WILLNEED, FADV_WILLNEED (force_page_cache_ra): up to the
 * device's largest request (or the window, if larger) from @index. */
void force_page_cache_ra(struct file *f, unsigned long index, unsigned long nr);
/* A miss at @index with a sequential pattern: a window from it. */
void page_cache_sync_ra(struct file *f, unsigned long index,
			unsigned long req_count);
/* A hit on @page's PG_readahead at @index: the next window. */
void page_cache_async_ra(struct file *f, struct page *page, unsigned long index,
			 unsigned long req_count);
/* fallocate(PUNCH_HOLE) of pages [index, index + nr): unmapped from every
 * process and dropped. The caller holds no mmap lock (this one waits for
 * busy ones). */
void filemap_punch_hole(struct file *f, unsigned long index, unsigned long nr);
/* ftruncate's new size (i_size_write), with room in the cache for it;
 * nothing else changes: the caller truncates. -ENOMEM. */
int filemap_set_size(struct file *f, unsigned long size);
/* Room for @nr pages in the cache (and on the disk), made anew outside
 * file->lock and swapped in under it: -ENOMEM. */
int filemap_reserve(struct file *f, unsigned long nr);
/* unmap_mapping_pages(even_cows false): the cached pages of @f from
 * @first on leave every mapping (private copies stay), not the cache.
 * The caller holds no mmap lock. */
void filemap_unmap_pages(struct file *f, unsigned long first);
/* filemap_get_read_batch(): the cached pages from @index to @last, each
 * with a reference, at most @max: the run stops before a hole and after
 * a page not uptodate or carrying the readahead mark. */
unsigned int filemap_get_read_batch(struct file *f, unsigned long index,
				    unsigned long last, struct page **batch,
				    unsigned int max);
/* filemap_create_folio(): page @index read into the cache alone (no
 * readahead), with a reference; NULL with *@err -ENOMEM or -EFAULT. */
struct page *filemap_read_one(struct file *f, unsigned long index, int *err);
/* shmem_file_read_iter()'s page (SGP_READ): the uptodate page at @index
 * (one in swap comes back), with a reference, or NULL (a hole: zeroes;
 * *@err -ENOMEM if swap-in failed). */
struct page *shmem_read_page(struct file *f, unsigned long index, int *err);
/* write_begin(): the page at @index (past the end too: the caller has
 * made room), read in or zero-filled, locked, with a reference; NULL
 * with *@err -ENOMEM or -ENOSPC. filemap_write_done() (write_end):
 * uptodate, @dirty, accessed, unlocked, released. */
struct page *filemap_write_page(struct file *f, unsigned long index, int *err);
void filemap_write_done(struct file *f, struct page *page, bool dirty);
/* Bytes [@from, @to) of one page of @f read as zeroes: in its cached
 * page (a shmem page in swap comes back for it) and in its block. */
void filemap_zero_partial(struct file *f, unsigned long from, unsigned long to);
/* shmem_fallocate()'s page at @index (past the end too): allocated,
 * zero-filled, not uptodate, in the cache (one already there stays, and
 * is uptodate); dirty. -ENOMEM, -ENOSPC (strict overcommit). */
int filemap_falloc_page(struct file *f, unsigned long index);
/* shmem_undo_range(unfalloc): the pages of [@index, +@nr) fallocate
 * allocated and nothing has used (not uptodate) leave the cache. */
void filemap_unfalloc(struct file *f, unsigned long index, unsigned long nr);
/* Reclaim's pageout of a dirty page of a regular file: its bytes to the
 * file's blocks, PG_dirty cleared (nr_written, pgpgout). False for
 * shmem, which has no blocks. */
bool filemap_writeback(struct page *page);
/* folio_mark_dirty(): PG_dirty, counted in nr_dirty (Dirty) and
 * nr_dirtied for a regular file's page. */
void folio_mark_dirty(struct page *page);
/* __remove_mapping(): a clean, unmapped page nobody else holds leaves
 * the cache (the cache's reference dropped); 1 if it did, 0 if not or
 * the file's lock was busy. The caller holds a reference. */
int filemap_remove_mapping(struct page *page);
/* shmem_writeout(): an unmapped shmem page nobody else holds goes to a
 * swap slot, which takes its place in the cache (the cache's reference
 * dropped); 1 if it did, 0 if not (no free slot, busy, held). */
int shmem_writeout(struct page *page);
/* Pages of [@index, +@nr) of @f that are in swap (smaps Swap). */
unsigned long shmem_swapped(struct file *f, unsigned long index,
			    unsigned long nr);
/* The cached page at @index with a reference, or NULL (no creation). */
struct page *filemap_find_page(struct file *f, unsigned long index);
/* mincore_page(): 1 if the page at @index is in @f's cache (or, a shmem
 * page in swap, in the swap cache), else 0. */
int filemap_mincore_page(struct file *f, unsigned long index);
/* mincore(2) of @mm, locked: one byte per page into @vec. */
long do_mincore(struct mm_struct *mm, unsigned long addr, unsigned long len,
		unsigned char *vec);
/* invalidate_mapping_pages() of pages [start, end]: the clean ones that
 * no page table maps and nobody else holds leave the cache; the others
 * but those locked are deactivated (deactivate_file_folio). Returns how
 * many left. */
unsigned long invalidate_mapping_pages(struct file *f, unsigned long start,
				       unsigned long end);
/* filemap_write_and_wait_range() of pages [first, last] (fsync, msync's
 * MS_SYNC): each dirty page written, its mappers' entries cleaned first;
 * one a busy mapper maps, or another locks, stays dirty. The caller may
 * hold @locked_mm's lock. A shmem object has nothing to write. */
void filemap_fsync_range(struct file *f, unsigned long first,
			 unsigned long last, struct mm_struct *locked_mm);
/* FADV_DONTNEED: the dirty pages of [wb_start, wb_end] written back (and
 * so still under writeback: kept), then invalidate_mapping_pages() of
 * [start, end], within the former. The caller holds no mmap lock. */
void filemap_fadvise_dontneed(struct file *f, unsigned long wb_start,
			      unsigned long wb_end, unsigned long start,
			      unsigned long end);
void filemap_release(struct file *f);
bool filemap_verify(struct file *f, char *why, size_t len);
/* The pages @f charged to Committed_AS one by one (memfd, MAP_NORESERVE
 * shared anonymous memory): its pages, in the cache or in swap. */
unsigned long shmem_charged_blocks(struct file *f);

/* ---- mm/vmscan.c ---- */
void reclaim_init(struct mmk_machine *m);
/* Run the kswapd of every woken node, if this thread holds no mmap lock
 * (the safe points: the end of a system call, access or fork). */
void kswapd_run(struct mmk_machine *m);
/* Direct reclaim for an allocation: pages freed (SWAP_CLUSTER_MAX is
 * enough). */
unsigned long try_to_free_pages(struct mmk_machine *m, struct zonelist *zl,
				unsigned int order, gfp_t gfp,
				enum zone_type highest);
/* MADV_PAGEOUT of one page (reclaim_pages): 1 if it was freed. */
int reclaim_page(struct mmk_machine *m, struct page *page,
		 struct mm_struct *locked_mm);
/* Let reclaim on this thread unmap pages of @mm, whose lock it holds,
 * while its fault fills an entry reclaim never touches (empty or swap).
 * Returns the previous one (restore it after). */
struct mm_struct *reclaim_allow_mm(struct mm_struct *mm);

/* ---- mm/swapfile.c: swap areas (entries are swp_entry() values naming
 * an area and a slot, 0 none: mm/internal.h) ---- */
struct swap_state;
/* cfg->swap_bytes is 0 or a usable area no larger than @max_bytes. */
int swap_config_check(const struct mmk_config *cfg, uint64_t max_bytes);
int swap_init(struct mmk_machine *m);
void swap_exit(struct mmk_machine *m);
/* Slots of the enabled areas (total_swap_pages), and the free ones
 * (nr_swap_pages). */
unsigned long total_swap_pages(struct mmk_machine *m);
unsigned long nr_swap_pages(struct mmk_machine *m);
/* si_swapinfo(): the same, counting in what an area being swapped off
 * still holds (meminfo's SwapFree and SwapTotal). */
void si_swapinfo(struct mmk_machine *m, unsigned long *freeswap,
		 unsigned long *totalswap);
/* Holders of a slot besides its swap entries: reclaim, between
 * add_to_swap and the last entry it makes; a shmem file's page. */
#define SWAP_HAS_RESERVE 0x80000000U
#define SWAP_HAS_SHMEM 0x40000000U
/* A free slot held by @holder, or 0 when every area is full or none is
 * enabled. */
unsigned long get_swap_page(unsigned int holder);
/* One entry more names the slot (fork). */
void swap_duplicate(unsigned long entry);
/* One entry less; returns the entries left. A slot nothing holds any
 * more is free. */
int swap_free(unsigned long entry);
/* @holder lets go of the slot. */
void swap_release(unsigned long entry, unsigned int holder);
/* Whether @entry names a slot of an area in use that @holder holds. */
bool swap_slot_held(struct mmk_machine *m, unsigned long entry,
		    unsigned int holder);
int swap_count(unsigned long entry);
/* The swap cache: the page holding a slot's data, with a reference, or
 * NULL; add (false if the slot has one already, or is free); delete
 * (reclaim's: only a page unmapped that nobody but the cache and the
 * caller holds; the cache's reference dropped). A slot whose count
 * falls to 0 leaves it. */
struct page *swap_cache_get(unsigned long entry);
bool add_to_swap_cache(struct page *page, unsigned long entry);
bool delete_from_swap_cache(struct page *page);
/* add_to_swap(): @page into the swap cache under a new slot reclaim
 * holds (SWAP_HAS_RESERVE); 0 when swap is full or absent. */
unsigned long add_to_swap(struct page *page);
/* Reclaim takes hold of a swap-cache page's slot (SWAP_HAS_RESERVE), so
 * that it stays while the page's entries change; false if the page left
 * the cache, or another reclaim holds it. */
bool swap_cache_reserve(struct page *page);
void swap_writepage(struct mmk_machine *m, struct page *page,
		    unsigned long entry);
void swap_readpage(struct mmk_machine *m, struct page *page,
		   unsigned long entry);
/* The verifier's census of swap entries: begun over the areas in use
 * (NULL: no host memory), each entry found added (false: it names no
 * slot of them), ended. */
struct swap_census;
struct swap_census *swap_census_start(struct mmk_machine *m);
bool swap_census_add(struct swap_census *c, unsigned long entry);
void swap_census_end(struct swap_census *c);
/* Every area, and its slots' counts against census @c (NULL: only
 * inuse_pages is checked). */
bool swap_verify(struct mmk_machine *m, const struct swap_census *c, char *why,
		 size_t len);
/* try_to_unuse()'s walks: @mm's swap entries of area @type
 * (mm/memory.c) and the shmem objects' swapped pages of it
 * (mm/filemap.c) back in memory; -ENOMEM when a page could not be had.
 * unuse_mm: the caller holds @mm's mmap lock. */
int unuse_mm(struct mm_struct *mm, unsigned int type);
int shmem_unuse(unsigned int type);

/* ---- fs/file_table.c ---- */
struct file *shmem_file_setup(unsigned long size);
/* memfd_create(@name, 0): an empty memfd, F_SEAL_SEAL, exec bits set. */
struct file *shmem_memfd_alloc(const char *name);

/* ---- mm/memfd.c ---- */
static inline unsigned int file_seals(const struct file *f)
{
	return __atomic_load_n(&f->seals, __ATOMIC_RELAXED);
}
/* memfd_check_seals_mmap(): -EPERM for a writable shared mapping of a
 * write-sealed file; a read-only one loses VM_MAYWRITE. */
int memfd_check_seals_mmap(struct file *f, unsigned long *vm_flags);
/* mapping_map_writable(): one more shared mapping that may write, unless
 * F_SEAL_WRITE denies them (false). mapping_unmap_writable() undoes it. */
bool mapping_map_writable(struct file *f);
static inline void mapping_unmap_writable(struct file *f)
{
	atomic_fetch_sub(&f->i_mmap_writable, 1);
}
static inline bool vma_is_shared_maywrite(const struct vm_area_struct *vma)
{
	return (vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) ==
	       (VM_SHARED | VM_MAYWRITE);
}

/* ---- mm/truncate.c ---- */
/* vfs_fallocate() (mmk_fallocate) for MADV_REMOVE's hole. The caller
 * holds no mmap lock. */
long vfs_fallocate(struct file *f, int mode, long long offset, long long len);
struct file *hugetlbfs_file_alloc(unsigned long size);
/* The end of a system call: the files whose last reference it dropped
 * are released (task_work's ____fput). */
void flush_delayed_fput(void);

/* ---- kernel/fork.c ---- */
struct mm_struct *mm_alloc(void);
struct task_struct *find_task(int pid);
struct task_struct *find_task_locked(struct mm_state *ms, int pid);
/* The mm of the process this thread runs a system call or an access for
 * (Linux's current->mm), or NULL in kernel context. */
struct mm_struct *current_mm(void);
/* Whether this thread holds an mmap lock (then the OOM killer must not
 * take a lock that nests outside it, nor tear a process down). */
bool mmap_lock_held(void);
/* The end of a task that left the pid table: its mm loses its owner and
 * its reference (exit_mmap when nobody else holds it). */
void release_task(struct task_struct *t);
/* Take @t out of the pid table and the task list (ms->lock held). */
void unhash_task(struct mm_state *ms, struct task_struct *t);
bool mmap_write_trylock(struct mm_struct *mm);
/* A reference to @mm (mmput() drops it) unless it is exiting already. */
bool mmget_not_zero(struct mm_struct *mm);

/* ---- mm/oom_kill.c ---- */
void oom_init(struct mmk_machine *m);
/* Let the OOM killer's victims exit, if this thread holds no mmap lock.
 * Returns how many did. */
int oom_exit_victims(struct mmk_machine *m);
/* Linux's oom_badness(): pages the task would free, moved by its
 * oom_score_adj; LONG_MIN for a task that must not be killed. */
long oom_badness(struct task_struct *p, unsigned long totalpages);
unsigned long oom_totalpages(struct mmk_machine *m);
/* Whether this thread's last OOM kill found no process to kill (then a
 * failed fault is not retried); reading clears it. */
bool oom_found_no_victim(void);
int mm_state_init(struct mmk_machine *m);
int mm_caches_init(void);
/* Committed_AS in pages (VM_ACCOUNT charges of every process). */
unsigned long vm_memory_committed(struct mmk_machine *m);
void mm_state_exit(struct mmk_machine *m);
bool mm_state_verify(struct mmk_machine *m, char *why, size_t len);
/* Committed_AS is the sum of its charges: every process's VM_ACCOUNT
 * VMAs, and each shmem object's size or pages. Only while no system call
 * runs (a fuzzer's barrier), else a charge in flight fails it. */
bool vm_commit_verify(struct mmk_machine *m, char *why, size_t len);

/* ---- mm/ksm.c ---- */
struct ksm_state;
int ksm_init(struct mmk_machine *m);
void ksm_state_exit(struct mmk_machine *m);
/* MADV_MERGEABLE / MADV_UNMERGEABLE of [start, end) of @vma: *@vm_flags
 * gains or loses VM_MERGEABLE (registering the mm, or unmerging the
 * range's KSM pages first). 0 or -ENOMEM (nothing changed but the pages
 * unmerged before the failure). Under the mmap lock. */
int ksm_madvise(struct vm_area_struct *vma, unsigned long start,
		unsigned long end, int advice, unsigned long *vm_flags);
/* fork: @mm is registered if @oldmm is (0 or -ENOMEM). */
int ksm_fork(struct mm_struct *mm, struct mm_struct *oldmm);
/* ksm_vma_flags(): a new VMA's flags with VM_MERGEABLE added when @mm is
 * MMF_VM_MERGE_ANY and the memory compatible (mmap, brk). */
unsigned long ksm_vma_flags(struct mm_struct *mm, unsigned long vm_flags);
/* PR_SET_MEMORY_MERGE 1 and 0, the mmap lock held for writing: 0, or
 * -ENOMEM (registering, or unmerging: then nothing changed). */
int ksm_enable_merge_any(struct mm_struct *mm);
int ksm_disable_merge_any(struct mm_struct *mm);
/* The mm's last user is gone: its slot and rmap_items go. */
void ksm_exit(struct mm_struct *mm);
/* /sys/kernel/mm/ksm/@name's value, or -ENOENT. */
int ksm_sysfs_value(struct mmk_machine *m, const char *name, long *val);
/* /proc/PID/ksm_stat's figures: rmap_items and merging pages (0 for
 * an mm not registered), ksm_process_profit and ksm_mergeable. */
void ksm_process_counts(const struct mm_struct *mm, long *items, long *merging);
long ksm_process_profit(const struct mm_struct *mm);
bool ksm_process_mergeable(struct mm_struct *mm);
/* For rmap_verify: the entry of @addr in @vma maps the KSM @page. */
bool ksm_mapping_reachable(const struct page *page,
			   const struct vm_area_struct *vma,
			   unsigned long addr);
bool ksm_verify(struct mmk_machine *m, char *why, size_t len);

/* ---- mm/mempolicy.c ---- */
/* mpol_equal(): the same mode, flags and nodes (a default policy equals
 * only a default one). */
bool mpol_equal(const struct mempolicy *a, const struct mempolicy *b);
/* The node a huge page for @addr of @vma comes from first (huge_node()). */
int vma_policy_node(struct vm_area_struct *vma, unsigned long addr);
/* vma_alloc_folio(): a user page for @addr of @vma under the policy in
 * effect there (the VMA's, else the task's, else the local node). */
struct page *vma_alloc_page(gfp_t gfp, struct vm_area_struct *vma,
			    unsigned long addr);
/* The same for a folio of 2^@order pages at @addr (the THP fault's). */
struct page *vma_alloc_folio(gfp_t gfp, unsigned int order,
			     struct vm_area_struct *vma, unsigned long addr);
/* A page-cache page of @f at @index: shmem's under the policy of the
 * faulting @vma (if any) else the task's, interleaved by inode and
 * index; a regular file's under the current task's policy
 * (filemap_alloc_folio). */
struct page *filemap_alloc_page(gfp_t gfp, struct file *f,
				struct vm_area_struct *vma,
				unsigned long index);
/* The policy numa_maps shows for @vma: its own, else its task's. */
const struct mempolicy *vma_shown_policy(const struct vm_area_struct *vma);
/* mpol_to_str(): "default", "bind=static:0-1", ... into @buf. */
void mpol_to_str(char *buf, size_t len, const struct mempolicy *pol);
/* The policies of @mm's task and VMAs are valid (mode, flags, nodes
 * online). */
bool mpol_verify(struct mm_struct *mm, char *why, size_t len);
/* mempolicy_in_oom_domain(): whether killing @t can free memory for an
 * allocation limited to @nodemask: not if its own policy binds it to
 * other nodes only (0: the allocation was not limited; always). */
bool mempolicy_in_oom_domain(struct task_struct *t, unsigned long nodemask);

/* ---- kernel/fork.c: system call entry ---- */
/* Look up @pid's mm with the mmap lock taken; NULL: -ESRCH. */
struct mm_struct *syscall_mm_lock(int pid);
void syscall_mm_unlock(struct mm_struct *mm);

#endif /* MMK_MM_VMA_H */
