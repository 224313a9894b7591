/* SPDX-License-Identifier: MIT */
/*
 * struct page: one per 4 KiB page frame, in the pfn-indexed mem_map
 * (include/linux/mm_types.h). 64 bytes, laid out like Linux's:
 *
 *   0  flags            PG_* bits
 *   8  lru / compound_head / pcp link      (union, 40 bytes)
 *      mapping, index, private             (private: buddy order when free)
 *  48  _mapcount | page_type               (union)
 *  52  _refcount
 *  56  mmk_alloc        allocation record: order + 1 (0 = not an allocated head)
 *
 * Departures, both to let mem_map start zero-filled and be initialised
 * lazily (so a 64 GiB machine boots in well under a second):
 * - _mapcount counts mappings from 0 (Linux stores the count minus one);
 * - a free page that is not the head of a buddy block is all zeroes, and
 *   the zone and node of a page come from its pfn, not from flag bits.
 */
#ifndef MMKIT_MM_TYPES_H
#define MMKIT_MM_TYPES_H

#include <pthread.h>
#include <stdatomic.h>
#include <mmkit/avltree_types.h>
#include <mmkit/mempolicy.h>
#include <mmkit/types.h>

struct address_space;
struct mmk_machine;

struct page {
	unsigned long flags;
	union {
		struct {
			union {
				/* On its node's LRU list, or a pcp list. */
				struct list_head lru;
				/* Unevictable (mlocked) pages are on no list:
				 * the VM_LOCKED mappings they have. */
				struct {
					void *__filler;
					unsigned int mlock_count;
				};
			};
			struct address_space *mapping;
			unsigned long index;
			unsigned long private;
		};
		struct {
			/* Tail pages: the head's address with bit 0 set. */
			unsigned long compound_head;
			/* First tail page: the compound order. */
			unsigned char compound_order;
		};
	};
	union {
		/* Number of page-table mappings (0 = unmapped). */
		atomic_int _mapcount;
		/* Typed pages (buddy, slab, table): PGTY_* in the top byte. */
		unsigned int page_type;
	};
	atomic_int _refcount;
	unsigned long mmk_alloc;
};

_Static_assert(sizeof(struct page) == 64, "struct page is 64 bytes");

/*
 * struct file: an in-memory file that mmap can map (the script's `file F
 * SIZE`), or the shmem object behind a shared anonymous mapping. Reference
 * counted: the creator and every VMA mapping it hold a reference.
 */
struct mmk_host_mem;
struct hugetlb_file;
/*
 * struct file_ra_state: a regular file's readahead (mm/readahead.c), under
 * the file's lock. The last window read is [start, start + size); its
 * last async_size pages are the lookahead, whose first page carries
 * PG_readahead. ra_pages is the window's limit (0: no readahead, as for
 * shmem); mmap_miss counts page faults that missed the cache, less the
 * pages fault-around found there.
 */
struct file_ra_state {
	unsigned long start;
	unsigned long size;
	unsigned long async_size;
	unsigned long ra_pages;
	unsigned int mmap_miss;
	long long prev_pos; /* the end of the last read(2), -1 before one */
};

struct file {
	char *name; /* path printed in maps */
	unsigned long ino; /* inode number printed in maps */
	unsigned int dev_major, dev_minor;
	/* Bytes: changed by ftruncate and fallocate (mm/truncate.c) under
	 * @lock and the machine's inode lock. */
	unsigned long size;
	bool readable, writable; /* FMODE_READ, FMODE_WRITE */
	bool shmem; /* MAP_SHARED|MAP_ANONYMOUS object: "/dev/zero (deleted)" */
	bool exec_mode; /* a memfd's mode has exec bits (i_mode & 0111) */
	unsigned int seals; /* a shmem object's F_SEAL_* (mm/memfd.c) */
	atomic_long f_count;
	struct mmk_machine *machine;
	/* The page cache (mm/filemap.c): one page per page of the file,
	 * created at its first fault, under @lock. */
	pthread_mutex_t lock;
	struct list_head i_mmap; /* VMAs mapping the file, under lock */
	struct page **pages;
	unsigned long nr_pages; /* pages in @size (rounded up) */
	bool pages_vmalloc;
	/* Shared mappings that may write (VM_SHARED|VM_MAYWRITE), or minus
	 * the writers that deny them (F_SEAL_WRITE): i_mmap_writable. */
	atomic_int i_mmap_writable;
	/* The file's blocks on "disk" (host memory, made at the first
	 * writeback): what a page read after reclaim evicted it holds.
	 * Bit i of @disk_blocks: page i has a block (it was written back
	 * and no hole punched since); the others are holes. */
	struct mmk_host_mem *disk;
	unsigned long *disk_blocks;
	/* Overcommit accounting of a shmem object: the pages charged when
	 * it was made (a shared anonymous mapping without MAP_NORESERVE),
	 * given back when it goes; or, with @acct_blocks (memfd, and
	 * MAP_NORESERVE), one page charged per page or swap slot it holds,
	 * as Linux's shmem_acct_blocks() does. */
	unsigned long acct_pages;
	bool acct_blocks;
	struct file_ra_state f_ra;
	unsigned int f_mode; /* FMODE_RANDOM, FMODE_NOREUSE: posix_fadvise */
	/* Slots of @pages (and pages of @disk): ftruncate below keeps
	 * them, beyond grows them. */
	unsigned int pages_cap;
	struct list_head f_list; /* on the machine's list of files */
	/* A hugetlbfs file (mm/hugetlb.c): its reservations and, shared,
	 * its huge pages; NULL for every other file. */
	struct hugetlb_file *hugetlb;
	/* On its thread's list of final fputs deferred to the end of the
	 * system call (fs/file_table.c). */
	struct file *delayed_next;
};

/*
 * struct anon_vma: the root of reverse mapping for anonymous pages
 * (mm/rmap.c). Every VMA whose pages may be mapped through it is on its
 * list of anon_vma_chains; a VMA is on the lists of its own anon_vma and,
 * after fork, of its ancestors' (so a COW-shared page finds both).
 */
struct anon_vma {
	struct anon_vma *parent; /* the anon_vma this one was forked from */
	atomic_long refcount; /* chains on the list + child anon_vmas */
	atomic_long num_active_vmas; /* VMAs with this as their anon_vma */
	/* Child anon_vmas: changed under the children's mmap locks. */
	atomic_long num_children;
	struct list_head head; /* anon_vma_chain.same_anon_vma */
	unsigned long id; /* creation order, for reports */
};

/* Links one VMA with one anon_vma (Linux's anon_vma_chain). */
struct anon_vma_chain {
	struct vm_area_struct *vma;
	struct anon_vma *anon_vma;
	struct list_head same_vma; /* on vma->anon_vma_chain */
	struct list_head same_anon_vma; /* on anon_vma->head */
};

struct mm_struct;

/* One range of a process's address space (include/linux/mm_types.h). */
struct vm_area_struct {
	/* The fields a tree walk reads share the first cache line. */
	unsigned long vm_start; /* first byte */
	unsigned long vm_end; /* first byte after */
	/* The address-ordered tree (augmented with free gaps) and list. */
	struct avl_node vm_rb;
	unsigned long rb_subtree_gap; /* largest free gap in this subtree */
	struct vm_area_struct *vm_next, *vm_prev;
	struct mm_struct *vm_mm;
	unsigned long vm_flags; /* VM_* (Linux's bit values) */
	unsigned long vm_page_prot; /* PTE protection bits (architecture) */
	unsigned long vm_pgoff; /* offset in vm_file, in pages */
	struct file *vm_file; /* NULL: anonymous */
	struct anon_vma *anon_vma; /* NULL until the first write fault */
	/* The anon_vmas this VMA's pages may belong to (its own first, then
	 * its ancestors' after fork), and how many. */
	struct list_head anon_vma_chain;
	unsigned int anon_vma_chain_len;
	/* A hugetlb VMA's HPAGE_RESV_* (mm/hugetlb.h; Linux keeps them in
	 * vm_private_data). */
	unsigned char hugetlb_resv;
	struct list_head i_mmap; /* on vm_file->i_mmap */
	/* mbind's policy (mode MPOL_DEFAULT: none, the task's applies). */
	struct mempolicy vm_policy;
};

/* Process-wide memory counters of struct mm_struct (mm_rss_stat). */
enum { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES, NR_MM_COUNTERS };

struct task_struct;
struct ksm_mm_slot;

/* One translation cached by the simulated TLB (mm/memory.c). */
#define MMK_TLB_ENTRIES 64
struct mmk_tlb_entry {
	unsigned long vpn_plus_one; /* 0: empty */
	void *host; /* the page's bytes */
	bool writable; /* cached after a write: rw and dirty */
	unsigned char pkey; /* the entry's protection key */
};

/* A process address space (include/linux/mm_types.h). */
struct mm_struct {
	struct avl_node *mm_rb; /* root of the VMA tree */
	struct page *pgd; /* top-level page table (NULL: none yet) */
	struct vm_area_struct *mmap; /* lowest VMA (list head) */
	struct vm_area_struct *vmacache; /* last find_vma() result */
	unsigned long mmap_base; /* top of the top-down mmap area */
	unsigned long mmap_legacy_base; /* bottom-up base */
	unsigned long task_size; /* size of user space */
	bool topdown; /* MMF_TOPDOWN */
	/* MMF_VM_MERGE_ANY (prctl PR_SET_MEMORY_MERGE, mm/ksm.c): every
	 * compatible VMA is VM_MERGEABLE; kept across fork. */
	bool merge_any;
	/* prctl(PR_SET_THP_DISABLE) (mm/huge_memory.c): MMF_DISABLE_THP_*
	 * bits, kept across fork. */
	unsigned char thp_disable;
	int map_count;
	unsigned long total_vm, locked_vm, pinned_vm, data_vm, exec_vm,
		stack_vm; /* pages */
	unsigned long hiwater_vm, hiwater_rss; /* pages */
	unsigned long def_flags; /* VM_LOCKED after mlockall(MCL_FUTURE) */
	/* Protection keys (mm/pkeys.c; x86's mm_context_t): the keys
	 * allocated, bit per key (key 0 from the start), and the one
	 * PROT_EXEC-only memory uses (-1: none yet). */
	unsigned short pkey_allocation_map;
	short execute_only_pkey;
	/* Huge entries mapped (mm/hugetlb.c): HugetlbPages. */
	atomic_uint hugetlb_usage;
	unsigned long start_code, end_code, start_data, end_data;
	unsigned long start_brk, brk, start_stack;
	atomic_long rss_stat[NR_MM_COUNTERS];
	atomic_long pgtables_bytes;
	pthread_mutex_t mmap_lock;
	/* Which lock-all walk of migration holds mmap_lock (mm/rmap.c's
	 * rmap_lock_mappers; 0: none), so that it locks each mm once. */
	atomic_ulong rmap_lock_stamp;
	/* The simulated TLB: a direct-mapped cache of translations, flushed
	 * whenever an entry it may hold changes (flush_tlb_mm). */
	struct mmk_tlb_entry tlb[MMK_TLB_ENTRIES];
	atomic_int mm_users; /* the process and callers of mmk_get_mm() */
	/* KSM (mm/ksm.c): the mm's slot on ksmd's list (NULL: not
	 * MMF_VM_MERGEABLE), with its rmap_item counts; under the KSM lock. */
	struct ksm_mm_slot *ksm_slot;
	struct task_struct *owner;
	struct mmk_machine *machine;
};

#endif /* MMKIT_MM_TYPES_H */
