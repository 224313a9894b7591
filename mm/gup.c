/* SPDX-License-Identifier: MIT */
/*
 * Populating a range (Linux's __mm_populate and populate_vma_page_range
 * in mm/gup.c): what MAP_POPULATE, MAP_LOCKED, mlock and mlockall fault
 * in.
 *
 * 1. What it models. Each VMA of the range is faulted page by page as
 *    get_user_pages would (handle_mm_fault, mm/memory.c): private
 *    writable VMAs with write faults (which give the VMA an anon_vma and
 *    its own pages, even a private file mapping), the others with read
 *    faults; a present page is marked accessed and, when faulted for
 *    writing, dirty (FOLL_TOUCH); VM_LOCKONFAULT VMAs are skipped; a
 *    PROT_NONE VMA, or a page beyond the end of a mapped file or shmem
 *    object, fails the VMA with EFAULT, as does one whose protection key
 *    the process's PKRU denies (mm/pkeys.c). mlock stops at the first
 *    failure; mmap, mremap and mlockall ignore failures.
 *
 * 2-3. No objects of its own.
 *
 * 4. Departures. None beyond those of mm/memory.c.
 *
 * 5. Ordering. The caller holds the mmap lock.
 *
 * 6. Observability. Merging in /proc/PID/maps (anon_vmas).
 */
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"

int faultin_page_range(struct mm_struct *mm, unsigned long start,
		       unsigned long end, bool write)
{
	const struct pt_format *f = pt_format_of(mm);
	unsigned long addr;

	for (addr = start; addr < end; addr += PAGE_SIZE) {
		void *slot = pte_offset(mm, addr, false);
		pte_t e = slot ? pte_read(f, slot) : 0;
		int sig;

		if (!pte_present(e) || (write && !(e & _PAGE_RW))) {
			sig = handle_mm_fault(mm, addr, write);
			/* The OOM killer chose this process: stop. */
			if (fatal_signal_pending(mm))
				return -EINTR;
			if (sig == MMK_SIGKILL)
				return -ENOMEM;
			if (sig)
				return -EFAULT;
			slot = pte_offset(mm, addr, false);
			e = slot ? pte_read(f, slot) : 0;
		}
		/* FOLL_TOUCH: mark_page_accessed(), whose PG_referenced smaps
		 * counts even where the entry is old (a fork child), and with
		 * FOLL_WRITE a page whose entry is clean (MADV_FREE cleaned
		 * it, say) is marked dirty, the entry left as it is
		 * (follow_page_pte's folio_mark_dirty). */
		/* (Huge pages are on no LRU: hugetlb's follow_page leaves
		 * them.) */
		/* follow_huge_pmd()'s touch_pmd(): a huge page's entry
		 * becomes young, and dirty for a write. */
		if ((e & _PAGE_PSE) && thp_entry_page(mm, e)) {
			pte_write(f, slot,
				  e | _PAGE_ACCESSED |
					  (write ? _PAGE_DIRTY : 0));
			continue;
		}
		if (pte_mapped(e) && !(e & (_PAGE_SPECIAL | _PAGE_PSE))) {
			struct page *page =
				pfn_to_page(pte_leaf_pfn(f, e, addr));

			if (write && !(e & _PAGE_DIRTY))
				folio_mark_dirty(page);
			mark_page_accessed(page, mm);
		}
	}
	return 0;
}

/* Fault in [start, end) of @vma. Return: 0, -EFAULT or -ENOMEM. */
static int populate_vma_page_range(struct mm_struct *mm,
				   struct vm_area_struct *vma,
				   unsigned long start, unsigned long end)
{
	unsigned long fl = vma->vm_flags;
	/* Private writable memory is faulted for writing (COW now). */
	bool write = (fl & (VM_WRITE | VM_SHARED)) == VM_WRITE;

	if (fl & VM_LOCKONFAULT)
		return 0;
	if (!(fl & VM_ACCESS_FLAGS))
		return -EFAULT;
	/* check_vma_flags(): the process's own PKRU applies to the data
	 * accesses of get_user_pages, FOLL_FORCE or not. */
	if (!arch_vma_access_permitted(vma, write))
		return -EFAULT;
	return faultin_page_range(mm, start, end, write);
}

/*
 * get_user_pages_remote() (pin_user_pages_remote) of @nr pages from
 * @start of @mm (locked), for a read or (@write) a write by another
 * process or the kernel: each page's VMA must allow the access itself
 * (no FOLL_FORCE: VM_READ, or VM_WRITE; never VM_IO or VM_PFNMAP; the
 * stack is not grown), the page is faulted in as needed (a write breaks
 * COW) and marked accessed, and returned with a reference; the shared
 * zero page is returned as NULL, without one. Return: how many pages,
 * stopping at the first that fails; if that is the first, -EFAULT (or
 * -ENOMEM: memory ran out, -EINTR: the OOM killer chose this process).
 */
long get_user_pages_remote(struct mm_struct *mm, unsigned long start,
			   unsigned long nr, bool write, struct page **pages)
{
	const struct pt_format *f = pt_format_of(mm);
	unsigned long i;

	for (i = 0; i < nr; i++) {
		unsigned long addr = start + i * PAGE_SIZE;
		struct vm_area_struct *vma = vma_lookup(mm, addr);
		void *slot;
		int err = 0;
		pte_t e;

		/* check_vma_flags() */
		if (!vma || (vma->vm_flags & (VM_IO | VM_PFNMAP)) ||
		    !(vma->vm_flags & (write ? VM_WRITE : VM_READ)))
			err = -EFAULT;
		slot = err ? NULL : pte_offset(mm, addr, false);
		e = slot ? pte_read(f, slot) : 0;
		if (!err && (!pte_present(e) || (write && !(e & _PAGE_RW)))) {
			int sig = __handle_mm_fault(mm, addr, write, true);

			if (fatal_signal_pending(mm))
				err = -EINTR;
			else if (sig == MMK_SIGKILL)
				err = -ENOMEM;
			else if (sig)
				err = -EFAULT;
			slot = pte_offset(mm, addr, false);
			e = slot ? pte_read(f, slot) : 0;
		}
		if (err)
			return i ? (long)i : err;
		/* A pin holds base pages (mm/huge_memory.c, section 4). */
		if ((e & _PAGE_PSE) && thp_entry_page(mm, e)) {
			split_huge_pmd_range(mm, addr, addr + 1, true);
			slot = pte_offset(mm, addr, false);
			e = slot ? pte_read(f, slot) : 0;
		}
		if (e & _PAGE_SPECIAL) {
			pages[i] = NULL;
			continue;
		}
		pages[i] = pfn_to_page(pte_leaf_pfn(f, e, addr));
		get_page(pages[i]);
		if (!(e & _PAGE_PSE))
			mark_page_accessed(pages[i], mm);
	}
	return (long)nr;
}

int __mm_populate(struct mm_struct *mm, unsigned long start, unsigned long len,
		  bool ignore_errors)
{
	unsigned long end = start + len, nstart, nend;
	struct vm_area_struct *vma;
	int ret = 0;

	for (nstart = start; nstart < end; nstart = nend) {
		vma = find_vma_intersection(mm, nstart, end);
		if (!vma)
			break;
		nstart = max(nstart, vma->vm_start);
		nend = min(end, vma->vm_end);
		if (vma->vm_flags & (VM_IO | VM_PFNMAP))
			continue;
		ret = populate_vma_page_range(mm, vma, nstart, nend);
		if (ret < 0) {
			if (ignore_errors) {
				ret = 0;
				continue;
			}
			break;
		}
	}
	return ret;
}

int mm_populate(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	return __mm_populate(mm, start, len, true);
}
