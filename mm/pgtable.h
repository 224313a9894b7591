/* SPDX-License-Identifier: MIT */
/*
 * Software page tables (Linux's include/linux/pgtable.h and the x86
 * pgtable headers, reduced): the entry format, the walk, and the PTE
 * helpers mm/memory.c builds faults, zapping, fork and mprotect on.
 */
#ifndef MMK_MM_PGTABLE_H
#define MMK_MM_PGTABLE_H

#include "mm/vma.h"

/* x86 entry bits (both paging formats). */
#define _PAGE_PRESENT 0x001UL
#define _PAGE_RW 0x002UL
#define _PAGE_USER 0x004UL
#define _PAGE_ACCESSED 0x020UL
#define _PAGE_DIRTY 0x040UL
/* An upper-level entry that maps a huge page (a hugetlb PMD entry, or
 * i386's PGD entry) instead of pointing at a table. */
#define _PAGE_PSE 0x080UL
#define _PAGE_PROTNONE 0x100UL /* the global bit, in a non-present PTE */
#define _PAGE_SPECIAL 0x200UL /* software bit: the zero page */
/* A non-present entry that is not empty: a PTE marker (Linux's
 * PTE_MARKER_GUARD, kept in a swap-format entry there). Only the guard
 * marker of MADV_GUARD_INSTALL exists: an access to it is SIGSEGV. */
#define PTE_MARKER_GUARD 0x400UL
/* A non-present entry naming a swap slot (mm/swapfile.c): this software
 * bit, the slot's offset where a present entry has its pfn, and the
 * area's type in bits 1-5, as i386's swap entries keep it:
 *
 *      31 (63)          12 11        6 5     1 0
 *     [ offset          ][ 1 0 0 0 0 0][ type ][0]
 */
#define _PAGE_SWP_ENTRY 0x800UL
#define _PAGE_SWP_TYPE_SHIFT 1
/* x86_64's protection key of the entry, bits 59-62 (mm/pkeys.c). */
#define _PAGE_PKEY_SHIFT 59
#define _PAGE_PKEY_MASK (0xfUL << _PAGE_PKEY_SHIFT)
#define _PAGE_NX (1UL << 63)
/* An upper-level entry pointing at a table (_PAGE_TABLE). */
#define _PAGE_TABLE \
	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)

typedef unsigned long pte_t;

/* The paging format of an architecture profile. */
struct pt_format {
	int levels; /* 4 (x86_64) or 2 (i386 without PAE) */
	int shift[4]; /* address shift of each level, top first */
	unsigned int entries; /* per table */
	unsigned int esize; /* bytes per entry */
	unsigned long pfn_mask; /* bits of the pfn in an entry */
};

const struct pt_format *pt_format_of(const struct mm_struct *mm);

static inline pte_t pte_read(const struct pt_format *f, const void *slot)
{
	if (f->esize == 8)
		return *(const uint64_t *)slot;
	return *(const uint32_t *)slot;
}

static inline void pte_write(const struct pt_format *f, void *slot, pte_t v)
{
	if (f->esize == 8)
		*(uint64_t *)slot = v;
	else
		*(uint32_t *)slot = (uint32_t)v;
}

static inline bool pte_present(pte_t v)
{
	return v & _PAGE_PRESENT;
}

/* Present, or a PROT_NONE mapping of a page (still mapped and counted). */
static inline bool pte_mapped(pte_t v)
{
	return v & (_PAGE_PRESENT | _PAGE_PROTNONE);
}

static inline bool is_guard_marker(pte_t v)
{
	return v == PTE_MARKER_GUARD;
}

static inline bool is_swap_pte(pte_t v)
{
	return !(v & (_PAGE_PRESENT | _PAGE_PROTNONE)) && (v & _PAGE_SWP_ENTRY);
}

/* The swap entry (swp_entry()) of a swap PTE. */
static inline unsigned long pte_to_swp_entry(pte_t v)
{
	return swp_entry((unsigned int)(v >> _PAGE_SWP_TYPE_SHIFT) &
				 (MAX_SWAPFILES - 1),
			 v >> PAGE_SHIFT);
}

static inline pte_t swp_entry_to_pte(unsigned long entry)
{
	return (swp_offset(entry) << PAGE_SHIFT) |
	       ((pte_t)swp_type(entry) << _PAGE_SWP_TYPE_SHIFT) |
	       _PAGE_SWP_ENTRY;
}

static inline unsigned long pte_pfn(const struct pt_format *f, pte_t v)
{
	return (v & f->pfn_mask) >> PAGE_SHIFT;
}

/* The pfn of the page that leaf entry @e maps at @addr: a huge entry's
 * subpage. */
static inline unsigned long pte_leaf_pfn(const struct pt_format *f, pte_t e,
					 unsigned long addr)
{
	unsigned long mask = (1UL << f->shift[f->levels - 2]) - 1;

	if (!(e & _PAGE_PSE))
		return pte_pfn(f, e);
	return pte_pfn(f, e) + ((addr & mask) >> PAGE_SHIFT);
}

static inline pte_t mk_pte(const struct pt_format *f, unsigned long pfn,
			   unsigned long prot)
{
	pte_t v = (pfn << PAGE_SHIFT) | prot;

	/* i386 has no NX bit. */
	return f->esize == 8 ? v : v & 0xffffffffUL;
}

/* The protection key an entry carries (x86_64's bits 59-62). */
static inline int pte_pkey(const struct pt_format *f, pte_t e)
{
	return f->esize == 8 ?
		       (int)((e & _PAGE_PKEY_MASK) >> _PAGE_PKEY_SHIFT) :
		       0;
}

/* Host pointer to a page's bytes (any zone, lowmem or not). */
static inline void *page_host(struct mmk_machine *m, const struct page *page)
{
	return (char *)m->phys.base +
	       ((size_t)(page - m->mem_map) << PAGE_SHIFT);
}

/* Transparent huge pages (mm/huge_memory.c): the huge PMD entries of
 * anonymous memory (huge pages and the huge zero page) are counted in
 * the PGD page's index, and the PTE tables deposited for their split,
 * one each (pmd_huge_pte), chained from its private through theirs. */
static inline unsigned long mm_nr_huge_pmds(const struct mm_struct *mm)
{
	return mm->pgd ? mm->pgd->index : 0;
}

int pgd_alloc(struct mm_struct *mm);
/* A zeroed PTE table counted in @mm's VmPTE and NR_PAGETABLE (NULL when
 * memory runs out), and its release. */
struct page *pte_table_alloc(struct mm_struct *mm);
void pte_table_free(struct mm_struct *mm, struct page *table);
void pgd_free(struct mm_struct *mm);
/* The PTE slot of @addr; with @alloc, missing tables are allocated (NULL
 * when that fails), else NULL where a table is missing. Without @alloc,
 * the slot of the huge entry that maps @addr, if one does. */
void *pte_offset(struct mm_struct *mm, unsigned long addr, bool alloc);
/* As __handle_mm_fault's walk: the upper tables are allocated, the PTE
 * table not (NULL if it is missing; *@oom if an allocation failed). */
void *pte_offset_upper(struct mm_struct *mm, unsigned long addr, bool *oom);
/* Free the tables that map only [floor, ceiling) within [start, end)
 * (Linux's free_pgd_range), after those addresses were unmapped. */
void free_pgtables(struct mm_struct *mm, unsigned long start, unsigned long end,
		   unsigned long floor, unsigned long ceiling);
/* The slot of @addr's entry at @level (0: the PGD's; levels - 1: the
 * PTE's): NULL where a table above it is missing, unless @alloc, which
 * allocates them (NULL and *@oom when that fails). */
void *pt_entry(struct mm_struct *mm, unsigned long addr, int level, bool alloc,
	       bool *oom);
/* The span of one entry at @level. */
unsigned long pt_level_size(const struct pt_format *f, int level);
/* copy_page_range's tables (copy_pud_range's pud_alloc, copy_pmd_range's
 * pmd_alloc, copy_pte_range's pte_alloc): for every present entry of
 * @src's tables within [start, end), @dst gets the table below its own
 * entry there, whether the source table holds anything or not. */
int pgtables_dup(struct mm_struct *dst, struct mm_struct *src,
		 unsigned long start, unsigned long end);
/* CONFIG_PT_RECLAIM (zap_pte_range with zap_details.reclaim_pt, for
 * MADV_DONTNEED): each PTE table whose whole span lies in [start, end)
 * and holds no entry is freed. x86_64 only, as in Linux. */
void pt_reclaim_range(struct mm_struct *mm, unsigned long start,
		      unsigned long end);
/* Call @fn on every mapped PTE of [start, end). */
void walk_ptes(struct mm_struct *mm, unsigned long start, unsigned long end,
	       void (*fn)(struct mm_struct *mm, unsigned long addr, void *slot,
			  void *arg),
	       void *arg);
/* Call @fn on every huge entry (_PAGE_PSE, present or PROT_NONE) of
 * [start, end); walk_ptes() skips them. */
void walk_huge(struct mm_struct *mm, unsigned long start, unsigned long end,
	       void (*fn)(struct mm_struct *mm, unsigned long addr, void *slot,
			  void *arg),
	       void *arg);
/* Count table pages and check upper entries (for the verifier). */
bool pgtables_verify(struct mm_struct *mm, char *why, size_t len);

#endif /* MMK_MM_PGTABLE_H */
