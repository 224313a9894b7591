/* SPDX-License-Identifier: MIT */
/*
 * Transparent huge pages (Linux's include/linux/huge_mm.h): the PMD-sized
 * anonymous huge pages of mm/huge_memory.c and its hooks in the walks of
 * mm/memory.c, mm/vma.c, mm/vmscan.c and the procfs views.
 */
#ifndef MMK_MM_HUGE_MM_H
#define MMK_MM_HUGE_MM_H

#include "mm/pgtable.h"

struct seq_file;

#define HPAGE_PMD_ORDER 9
#define HPAGE_PMD_NR (1UL << HPAGE_PMD_ORDER)
#define HPAGE_PMD_SIZE PMD_SIZE
#define HPAGE_PMD_MASK (~(HPAGE_PMD_SIZE - 1))

/* /sys/kernel/mm/transparent_hugepage/enabled and defrag. */
enum thp_enabled { THP_ALWAYS, THP_MADVISE, THP_NEVER };
enum thp_defrag {
	THP_DEFRAG_ALWAYS,
	THP_DEFRAG_DEFER,
	THP_DEFRAG_DEFER_MADVISE,
	THP_DEFRAG_MADVISE,
	THP_DEFRAG_NEVER,
};

/* mm->thp_disable: prctl(PR_SET_THP_DISABLE)'s MMF_DISABLE_THP_* bits,
 * and MMF_HUGE_ZERO_FOLIO (the mm holds the huge zero page). */
#define MMF_DISABLE_THP_COMPLETELY 0x1
#define MMF_DISABLE_THP_EXCEPT_ADVISED 0x2
#define MMF_VM_HUGEPAGE 0x40 /* on khugepaged's list (mm/khugepaged.c) */
#define MMF_HUGE_ZERO_FOLIO 0x80

/* struct collapse_control: who collapses (khugepaged, or MADV_COLLAPSE
 * with no limits), its limits (the khugepaged/max_ptes_* knobs) and how
 * hard its allocation tries. */
struct collapse_control {
	bool is_khugepaged;
	unsigned int max_ptes_none, max_ptes_swap, max_ptes_shared;
	gfp_t gfp;
};

void thp_init(struct mmk_machine *m);
/* thp_vma_allowable_order(..., PMD_ORDER) for @vma, at @addr (a fault:
 * its huge page must fit in the VMA) or, with @smaps, anywhere. */
bool thp_vma_allowable(const struct vm_area_struct *vma, unsigned long addr,
		       bool smaps);
/* A fault at @addr handled at the PMD level (a huge entry there, or a
 * new huge page): true with *@ret the fault's result; false: the PTE
 * level handles it (VM_FAULT_FALLBACK). Under the mmap lock. */
bool huge_pmd_fault(struct mm_struct *mm, struct vm_area_struct *vma,
		    unsigned long addr, bool write, int *ret);
/* __split_huge_pmd_locked(): the huge entry at @slot (of @haddr in @vma)
 * becomes a PTE table, its page 512 pages (@count_page: counted as a
 * folio split, thp_split_page). */
void __split_huge_pmd_locked(struct vm_area_struct *vma, unsigned long haddr,
			     void *slot, bool count_page);
/* Split the huge entries of @mm that [start, end) covers only in part;
 * with @all, every one it touches. */
void split_huge_pmd_range(struct mm_struct *mm, unsigned long start,
			  unsigned long end, bool all);
/* vma_adjust_trans_huge(): @vma's bounds move to [start, end) (@next's
 * start to @end, if @next): a huge page across either goes. */
void vma_adjust_trans_huge(struct vm_area_struct *vma, unsigned long start,
			   unsigned long end, struct vm_area_struct *next);
/* zap_huge_pmd() for the huge entries [start, end) covers whole; the
 * others are split. */
void zap_huge_range(struct mm_struct *mm, unsigned long start,
		    unsigned long end);
/* change_huge_pmd() of mprotect over [start, end) of @vma. */
void change_huge_range(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end);
/* move_page_tables()'s move_huge_pmd(): the huge entries of
 * [old_addr, old_addr + len) that cannot move whole to @new_addr (not
 * both aligned, not covered whole, or a table in the way) are split. */
void thp_prepare_move(struct mm_struct *mm, unsigned long old_addr,
		      unsigned long new_addr, unsigned long len);
/* MADV_FREE (madvise_free_huge_pmd) and MADV_COLD / MADV_PAGEOUT
 * (madvise_cold_or_pageout_pte_range) of the huge entries of
 * [start, end). */
void madvise_free_huge_range(struct mm_struct *mm, unsigned long start,
			     unsigned long end);
void madvise_cold_huge_range(struct mm_struct *mm, unsigned long start,
			     unsigned long end, bool pageout);
/* MADV_COLLAPSE over [start, end) of @vma: 0, -EINVAL, -EAGAIN or
 * -ENOMEM, as Linux's madvise_collapse(). */
int madvise_collapse(struct mm_struct *mm, struct vm_area_struct *vma,
		     unsigned long start, unsigned long end);
/* thp_vma_allowable_order() for a collapse in @vma with @vm_flags:
 * TVA_KHUGEPAGED (the sysfs policy applies) or, @forced,
 * TVA_FORCED_COLLAPSE (MADV_COLLAPSE); the VMA needs its anon_vma and
 * room for a huge page. */
bool thp_vma_collapsible(const struct vm_area_struct *vma,
			 unsigned long vm_flags, bool forced);
/* hpage_collapse_scan_pmd() and collapse_huge_page() of the PMD at
 * @haddr of @vma, mapped by a PTE table: every page copied into a new
 * huge page, empty entries and the zero page read as zeroes, swapped-out
 * pages read back; the huge page replaces them (the table becomes its
 * deposit). 0, -EEXIST (a huge entry there already), -EINVAL (no table;
 * a guard marker, a KSM page, a limit of @cc passed), -EAGAIN (a page
 * others hold or in the swap cache), -ENOMEM (no huge page). *@tried is
 * set once the scan found the collapse worth a huge page. Under the mmap
 * lock. */
int thp_collapse_pmd(struct mm_struct *mm, struct vm_area_struct *vma,
		     unsigned long haddr, const struct collapse_control *cc,
		     bool *tried);
/* khugepaged (mm/khugepaged.c): the mm of @vma joins its list if a
 * collapse is allowed there with @vm_flags (khugepaged_enter_vma);
 * fork's child joins if the parent is on it; the last mmput leaves it. */
int khugepaged_init(struct mmk_machine *m);
void khugepaged_state_exit(struct mmk_machine *m);
void khugepaged_enter_vma(struct vm_area_struct *vma, unsigned long vm_flags);
void khugepaged_fork(struct mm_struct *mm, struct mm_struct *oldmm);
void khugepaged_exit(struct mm_struct *mm);
/* /sys/kernel/mm/transparent_hugepage/khugepaged/@name: 0 or -ENOENT;
 * the write: 0, -EINVAL, -EACCES (read-only) or -ENOENT. */
int khugepaged_sysfs_show(struct seq_file *s, struct mmk_machine *m,
			  const char *name);
int khugepaged_sysfs_store(struct mmk_machine *m, const char *name,
			   const char *value);
/* copy_huge_pmd() of fork for @src_vma: 0 or -ENOMEM. */
int copy_huge_range(struct mm_struct *dst, struct mm_struct *src,
		    struct vm_area_struct *src_vma);
/* mlock's walk over the huge pages of [start, end). */
void mlock_huge_range(struct mm_struct *mm, unsigned long start,
		      unsigned long end, bool lock);
/* split_huge_page(): a huge page reclaim, migration or KSM wants as base
 * pages. False if a mapper's mm was busy. */
bool split_huge_page(struct page *page, struct mm_struct *locked_mm);
/* rmap's half of it (mm/rmap.c). */
bool split_huge_page_rmap(struct page *page, struct mm_struct *locked_mm);
/* The huge page (not the huge zero page) a huge entry @e maps, or NULL. */
struct page *thp_entry_page(struct mm_struct *mm, pte_t e);
/* smaps' accounting of @vma's huge entries. */
void smaps_huge_range(struct vm_area_struct *vma, struct mem_size_stats *mss);
/* The mm goes: its hold on the huge zero page too. */
void thp_mm_exit(struct mm_struct *mm);
/* The huge zero page's shrinker (shrink_huge_zero_folio_scan): freed if
 * no mm holds it. */
void shrink_huge_zero_page(struct mmk_machine *m);
/* /sys/kernel/mm/transparent_hugepage/@name: 0 or -ENOENT. */
int thp_sysfs_show(struct seq_file *s, struct mmk_machine *m, const char *name);
/* A sysfs knob's number (kstrtoul, base 10): 0 or -EINVAL. */
int thp_knob_ulong(const char *value, unsigned long *v);
/* PR_SET_THP_DISABLE / PR_GET_THP_DISABLE (kernel/sys.c). */
long thp_prctl(struct mm_struct *mm, int option, unsigned long arg2,
	       unsigned long arg3, unsigned long arg4, unsigned long arg5);
/* The verifier: huge entries, deposits and counters of @mm. */
bool thp_verify(struct mm_struct *mm, long *anon_pages, char *why, size_t len);

#endif /* MMK_MM_HUGE_MM_H */
