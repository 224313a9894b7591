/* SPDX-License-Identifier: MIT */
/*
 * mincore(2) (Linux's mm/mincore.c): which pages of a range are in memory.
 *
 * 1. What it models. One byte per page of [addr, addr + len), bit 0 set
 *    when the page is resident:
 *    - an entry mapping a page (PROT_NONE ones too, and the zero page):
 *      resident;
 *    - a swap entry: resident while its slot's page is in the swap cache;
 *    - no entry (or a guard marker): for a file or shmem mapping, whether
 *      the page cache holds the page at that offset (a shmem page in swap
 *      counts while it is in the swap cache); for anonymous memory, not
 *      resident.
 *    A file mapping of a file the process could not open for writing (a
 *    read-only file, unprivileged) reports every page resident, as Linux
 *    does to close a side channel (can_do_mincore).
 *
 * 2. Errors. EINVAL for an unaligned address; ENOMEM for a range beyond
 *    user space or with a hole (the bytes of the pages before the hole
 *    are filled, as Linux copies them out chunk by chunk); EFAULT for no
 *    vector. A length of 0 checks nothing more.
 *
 * 3. Ordering. The caller's mmap lock (syscall_mm_lock) holds the VMAs
 *    and page tables still; page-cache lookups take the file's lock.
 */
#include "mm/pgtable.h"

#include <errno.h>
#include <mmkit/mman.h>

/* can_do_mincore(). */
static bool can_do_mincore(const struct mm_struct *mm,
			   const struct vm_area_struct *vma)
{
	if (vma_is_anonymous(vma))
		return true;
	return can_write_file(mm, vma->vm_file);
}

/* One page of @vma at @addr. */
static unsigned char mincore_one(struct mm_struct *mm,
				 struct vm_area_struct *vma, unsigned long addr)
{
	void *slot = pte_offset(mm, addr, false);
	pte_t e = slot ? pte_read(pt_format_of(mm), slot) : 0;
	struct page *page;

	if (pte_mapped(e))
		return 1;
	if (is_swap_pte(e)) {
		page = swap_cache_get(pte_to_swp_entry(e));
		if (page)
			put_page(page);
		return page != NULL;
	}
	/* None, or a guard marker: the page cache tells. */
	if (!vma->vm_file)
		return 0;
	return filemap_mincore_page(vma->vm_file, linear_page_index(vma, addr));
}

long do_mincore(struct mm_struct *mm, unsigned long addr, unsigned long len,
		unsigned char *vec)
{
	unsigned long pages, end;

	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if (len > mm->task_size || addr > mm->task_size - len)
		return -ENOMEM;
	pages = (len >> PAGE_SHIFT) + ((len & ~PAGE_MASK) != 0);
	if (pages && !vec)
		return -EFAULT;
	end = addr + (pages << PAGE_SHIFT);
	while (addr < end) {
		struct vm_area_struct *vma = vma_lookup(mm, addr);
		unsigned long stop;

		if (!vma)
			return -ENOMEM;
		stop = min(vma->vm_end, end);
		for (; addr < stop; addr += PAGE_SIZE)
			*vec++ = can_do_mincore(mm, vma) ?
					 mincore_one(mm, vma, addr) :
					 1;
	}
	return 0;
}

long mmk_mincore(int pid, unsigned long addr, unsigned long len,
		 unsigned char *vec)
{
	struct mm_struct *mm = syscall_mm_lock(pid);
	long ret;

	if (!mm)
		return -ESRCH;
	ret = do_mincore(mm, addr, len, vec);
	syscall_mm_unlock(mm);
	return ret;
}
