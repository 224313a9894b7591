/* SPDX-License-Identifier: MIT */
/*
 * Page tables (Linux's mm/pgtable-generic.c, the table parts of
 * mm/memory.c and arch/x86/mm/pgtable.c).
 *
 * 1. What it models. Every process has real page tables in simulated
 *    memory, in its architecture's format: x86_64 has four levels (PGD,
 *    PUD, PMD, PTE) of 512 8-byte entries, i386 without PAE two levels
 *    (PGD, PTE) of 1024 4-byte entries. Entries carry x86's bits (present,
 *    rw, user, accessed, dirty, NX on x86_64) and the pfn. Each table is
 *    one zeroed page from the page allocator (page_type PGTY_table),
 *    allocated when a fault first needs it (pte_alloc) and freed by
 *    free_pgtables once no VMA covers its span. mm->pgtables_bytes counts
 *    the tables below the PGD (VmPTE), the node's NR_PAGETABLE all of
 *    them (PageTables in /proc/meminfo). Tables also come and go as
 *    Linux 6.18's do (its numbers, measured on x86_64, are in
 *    mm/memory_test.c's test_vmpte_* tests): fork gives the child a table
 *    below every present entry of a copied VMA's range, empty PTE tables
 *    included (pgtables_dup); mremap's move_page_tables (mm/memory.c)
 *    gives the destination one wherever the source has one, or moves a
 *    whole PMD's or PUD's table; MADV_DONTNEED frees the PTE tables it
 *    emptied whole (CONFIG_PT_RECLAIM, x86_64 only: pt_reclaim_range).
 *
 * 2. Objects. mm->pgd -> table pages -> leaf entries (pfn of a user page).
 *
 * 3. Invariants (pgtables_verify). Every upper entry is either zero or a
 *    present _PAGE_TABLE entry pointing at a PGTY_table page;
 *    pgtables_bytes equals the pages counted below the PGD.
 *
 *    A hugetlb mapping's PMD entries (i386: PGD entries) map huge pages
 *    themselves (_PAGE_PSE, mm/hugetlb.c): no table below them; the
 *    walks here step over them and walk_huge visits them.
 *
 *    So do transparent huge pages' (mm/huge_memory.c), whose PTE table
 *    for a later split is deposited with the mm (counted in VmPTE).
 *
 * 4. Departures. No PUD leaves, no PAE, no split PTE
 *    locks (the mmap lock serialises every change), no KPTI user/kernel
 *    PGD pair. Tables are always in lowmem (no CONFIG_HIGHPTE).
 *
 * 5. Ordering. The caller holds the mm's mmap lock.
 *
 * 6. Observability. VmPTE in /proc/PID/status, PageTables in meminfo.
 */
#include "mm/pgtable.h"

#include <limits.h>
#include <string.h>

static const struct pt_format pt_x86_64 = {
	.levels = 4,
	.shift = { 39, 30, 21, 12 },
	.entries = 512,
	.esize = 8,
	.pfn_mask = 0x000ffffffffff000UL,
};

static const struct pt_format pt_i386 = {
	.levels = 2,
	.shift = { 22, 12 },
	.entries = 1024,
	.esize = 4,
	.pfn_mask = 0xfffff000UL,
};

const struct pt_format *pt_format_of(const struct mm_struct *mm)
{
	return mm->machine->arch->arch == MMK_ARCH_X86_64 ? &pt_x86_64 :
							    &pt_i386;
}

static struct page *table_alloc(struct mm_struct *mm, bool top)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);

	if (!page)
		return NULL;
	page->page_type = PGTY_table << 24;
	atomic_fetch_add(
		&mm->machine->node_stat[page_to_nid(page)][NR_PAGETABLE], 1);
	if (!top)
		atomic_fetch_add(&mm->pgtables_bytes, (long)PAGE_SIZE);
	return page;
}

static void table_free(struct mm_struct *mm, struct page *page, bool top)
{
	page->page_type = 0;
	atomic_fetch_sub(
		&mm->machine->node_stat[page_to_nid(page)][NR_PAGETABLE], 1);
	if (!top)
		atomic_fetch_sub(&mm->pgtables_bytes, (long)PAGE_SIZE);
	__free_pages(page, 0);
}

struct page *pte_table_alloc(struct mm_struct *mm)
{
	return table_alloc(mm, false);
}

void pte_table_free(struct mm_struct *mm, struct page *table)
{
	table_free(mm, table, false);
}

int pgd_alloc(struct mm_struct *mm)
{
	mm->pgd = table_alloc(mm, true);
	if (!mm->pgd)
		return -ENOMEM;
	mm->pgd->index = 0;
	mm->pgd->private = 0;
	return 0;
}

static char *table_of(struct mm_struct *mm, const struct pt_format *f,
		      pte_t entry)
{
	return page_host(mm->machine, pfn_to_page(pte_pfn(f, entry)));
}

/* Entry @i of @table. */
static inline char *entry_at(const struct pt_format *f, char *table,
			     unsigned int i)
{
	return table + (size_t)i * f->esize;
}

static unsigned int index_at(const struct pt_format *f, int level,
			     unsigned long addr)
{
	return (unsigned int)((addr >> f->shift[level]) & (f->entries - 1));
}

/*
 * The walk to @addr's entry at @target (0: the PGD's), allocating the
 * missing tables of the first @alloc_levels levels below the top one.
 * NULL where a table is missing (*@oom set if its allocation failed).
 */
static void *walk_to_level(struct mm_struct *mm, unsigned long addr, int target,
			   int alloc_levels, bool *oom)
{
	const struct pt_format *f = pt_format_of(mm);
	char *table;
	int level;

	*oom = false;
	if (!mm->pgd)
		return NULL;
	table = page_host(mm->machine, mm->pgd);
	for (level = 0; level < target; level++) {
		void *slot = entry_at(f, table, index_at(f, level, addr));
		pte_t e = pte_read(f, slot);

		/* A huge entry: a lookup finds it, nothing goes below it. */
		if (e & _PAGE_PSE)
			return alloc_levels ? NULL : slot;
		if (!pte_present(e)) {
			struct page *page;

			if (level >= alloc_levels)
				return NULL;
			page = table_alloc(mm, false);
			if (!page) {
				*oom = true;
				return NULL;
			}
			e = mk_pte(f, page_to_pfn(page), _PAGE_TABLE);
			pte_write(f, slot, e);
		}
		table = table_of(mm, f, e);
	}
	return entry_at(f, table, index_at(f, target, addr));
}

static void *walk_to(struct mm_struct *mm, unsigned long addr, int alloc_levels,
		     bool *oom)
{
	return walk_to_level(mm, addr, pt_format_of(mm)->levels - 1,
			     alloc_levels, oom);
}

void *pt_entry(struct mm_struct *mm, unsigned long addr, int level, bool alloc,
	       bool *oom)
{
	return walk_to_level(mm, addr, level, alloc ? INT_MAX : 0, oom);
}

void *pte_offset(struct mm_struct *mm, unsigned long addr, bool alloc)
{
	bool oom;

	return walk_to(mm, addr, alloc ? INT_MAX : 0, &oom);
}

void *pte_offset_upper(struct mm_struct *mm, unsigned long addr, bool *oom)
{
	return walk_to(mm, addr, pt_format_of(mm)->levels - 2, oom);
}

/* Span of one entry at @level. */
static unsigned long level_span(const struct pt_format *f, int level)
{
	return 1UL << f->shift[level];
}

typedef void walk_fn(struct mm_struct *, unsigned long, void *, void *);

/* Visit the leaf entries of [start, end) below @table: @fn the PTEs,
 * @huge_fn the huge entries (either may be NULL). */
static void walk_level(struct mm_struct *mm, const struct pt_format *f,
		       char *table, int level, unsigned long base,
		       unsigned long start, unsigned long end, walk_fn *fn,
		       walk_fn *huge_fn, void *arg)
{
	unsigned long span = level_span(f, level);
	unsigned int i;

	for (i = index_at(f, level, start); i < f->entries; i++) {
		unsigned long addr = base + i * span;
		void *slot = entry_at(f, table, i);
		pte_t e;

		if (addr >= end)
			break;
		e = pte_read(f, slot);
		if (level == f->levels - 1) {
			if (e && fn)
				fn(mm, addr, slot, arg);
			continue;
		}
		if (e & _PAGE_PSE) {
			if (huge_fn)
				huge_fn(mm, addr, slot, arg);
			continue;
		}
		/* (A walk of huge entries only stops above the PTEs.) */
		if (!pte_present(e) || (!fn && level + 1 == f->levels - 1))
			continue;
		walk_level(mm, f, table_of(mm, f, e), level + 1, addr,
			   max(start, addr), end, fn, huge_fn, arg);
	}
}

void walk_ptes(struct mm_struct *mm, unsigned long start, unsigned long end,
	       void (*fn)(struct mm_struct *mm, unsigned long addr, void *slot,
			  void *arg),
	       void *arg)
{
	const struct pt_format *f = pt_format_of(mm);

	if (!mm->pgd || start >= end)
		return;
	walk_level(mm, f, page_host(mm->machine, mm->pgd), 0, 0, start, end, fn,
		   NULL, arg);
}

void walk_huge(struct mm_struct *mm, unsigned long start, unsigned long end,
	       walk_fn *fn, void *arg)
{
	const struct pt_format *f = pt_format_of(mm);

	if (!mm->pgd || start >= end)
		return;
	walk_level(mm, f, page_host(mm->machine, mm->pgd), 0, 0, start, end,
		   NULL, fn, arg);
}

static bool table_empty(const struct pt_format *f, const char *table)
{
	unsigned int i;

	for (i = 0; i < f->entries; i++)
		if (pte_read(f, entry_at(f, (char *)table, i)))
			return false;
	return true;
}

/* Free tables below @table whose whole span lies in [floor, ceiling). */
static void free_level(struct mm_struct *mm, const struct pt_format *f,
		       char *table, int level, unsigned long base,
		       unsigned long start, unsigned long end,
		       unsigned long floor, unsigned long ceiling)
{
	unsigned long span = level_span(f, level);
	unsigned int i;

	for (i = index_at(f, level, start); i < f->entries; i++) {
		unsigned long addr = base + i * span;
		void *slot = entry_at(f, table, i);
		pte_t e = pte_read(f, slot);
		char *child;

		if (addr >= end)
			break;
		if (!pte_present(e) || (e & _PAGE_PSE))
			continue;
		child = table_of(mm, f, e);
		if (level + 1 < f->levels - 1)
			free_level(mm, f, child, level + 1, addr,
				   max(start, addr), end, floor, ceiling);
		/* addr + span - 1 avoids overflow at the top of the space. */
		if (addr >= floor && addr + span - 1 <= ceiling - 1 &&
		    table_empty(f, child)) {
			pte_write(f, slot, 0);
			table_free(mm, pfn_to_page(pte_pfn(f, e)), false);
		}
	}
}

void free_pgtables(struct mm_struct *mm, unsigned long start, unsigned long end,
		   unsigned long floor, unsigned long ceiling)
{
	const struct pt_format *f = pt_format_of(mm);

	if (!mm->pgd || start >= end)
		return;
	free_level(mm, f, page_host(mm->machine, mm->pgd), 0, 0, start, end,
		   floor, ceiling);
}

unsigned long pt_level_size(const struct pt_format *f, int level)
{
	return level_span(f, level);
}

/* Below every present entry of @table within [start, end), @dst gets the
 * table its own entry there points at. */
static int dup_level(struct mm_struct *dst, struct mm_struct *src,
		     const struct pt_format *f, char *table, int level,
		     unsigned long base, unsigned long start, unsigned long end)
{
	unsigned long span = level_span(f, level);
	unsigned int i;

	for (i = index_at(f, level, start); i < f->entries; i++) {
		unsigned long addr = base + i * span;
		pte_t e;
		bool oom;
		int err;

		if (addr >= end)
			break;
		e = pte_read(f, entry_at(f, table, i));
		if (!pte_present(e) || (e & _PAGE_PSE))
			continue;
		walk_to_level(dst, max(start, addr), level + 1, INT_MAX, &oom);
		if (oom)
			return -ENOMEM;
		if (level + 1 < f->levels - 1) {
			err = dup_level(dst, src, f, table_of(src, f, e),
					level + 1, addr, max(start, addr), end);
			if (err)
				return err;
		}
	}
	return 0;
}

int pgtables_dup(struct mm_struct *dst, struct mm_struct *src,
		 unsigned long start, unsigned long end)
{
	const struct pt_format *f = pt_format_of(src);

	if (!src->pgd || !dst->pgd || start >= end)
		return 0;
	return dup_level(dst, src, f, page_host(src->machine, src->pgd), 0, 0,
			 start, end);
}

void pt_reclaim_range(struct mm_struct *mm, unsigned long start,
		      unsigned long end)
{
	const struct pt_format *f = pt_format_of(mm);
	int level = f->levels - 2;
	unsigned long span = level_span(f, level), addr;

	/* ARCH_SUPPORTS_PT_RECLAIM: x86 selects it for X86_64 only. */
	if (f->levels < 4 || !mm->pgd)
		return;
	for (addr = (start + span - 1) & ~(span - 1);
	     addr < end && end - addr >= span; addr += span) {
		bool oom;
		void *slot = walk_to_level(mm, addr, level, 0, &oom);
		pte_t e = slot ? pte_read(f, slot) : 0;

		if (!pte_present(e) || (e & _PAGE_PSE) ||
		    !table_empty(f, table_of(mm, f, e)))
			continue;
		pte_write(f, slot, 0);
		table_free(mm, pfn_to_page(pte_pfn(f, e)), false);
	}
}

void pgd_free(struct mm_struct *mm)
{
	if (!mm->pgd)
		return;
	free_pgtables(mm, 0, mm->task_size, 0, ~0UL);
	mm->pgd->index = 0;
	mm->pgd->private = 0;
	table_free(mm, mm->pgd, true);
	mm->pgd = NULL;
}

static long count_tables(struct mm_struct *mm, const struct pt_format *f,
			 const char *table, int level, char *why, size_t len)
{
	long n = 0;
	unsigned int i;

	for (i = 0; i < f->entries; i++) {
		pte_t e = pte_read(f, entry_at(f, (char *)table, i));
		struct page *child;
		long c;

		if (!e)
			continue;
		/* A huge entry: mm/hugetlb.c's verifier checks it. */
		if ((e & _PAGE_PSE) && level == f->levels - 2)
			continue;
		child = pfn_to_page(pte_pfn(f, e));
		if ((e & _PAGE_TABLE) != _PAGE_TABLE || !child ||
		    page_type_of(child) != PGTY_table) {
			verify_fail(
				why, len,
				"pid %d: bad level-%d page-table entry %#lx",
				mm->owner ? mm->owner->pid : 0, level, e);
			return -1;
		}
		n++;
		if (level + 1 < f->levels - 1) {
			c = count_tables(mm, f, page_host(mm->machine, child),
					 level + 1, why, len);
			if (c < 0)
				return -1;
			n += c;
		}
	}
	return n;
}

bool pgtables_verify(struct mm_struct *mm, char *why, size_t len)
{
	const struct pt_format *f = pt_format_of(mm);
	long n;

	if (!mm->pgd)
		return true;
	n = count_tables(mm, f, page_host(mm->machine, mm->pgd), 0, why, len);
	if (n < 0)
		return false;
	n += (long)mm_nr_huge_pmds(mm); /* their deposited tables */
	if (n * (long)PAGE_SIZE != atomic_load(&mm->pgtables_bytes))
		return verify_fail(
			why, len,
			"pid %d: %ld page-table pages, pgtables_bytes "
			"%ld",
			mm->owner ? mm->owner->pid : 0, n,
			atomic_load(&mm->pgtables_bytes));
	return true;
}
