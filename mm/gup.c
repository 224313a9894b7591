/* SPDX-License-Identifier: MIT */
/*
 * Populating a range (Linux's __mm_populate and populate_vma_page_range
 * in mm/gup.c): what MAP_POPULATE, MAP_LOCKED, mlock and mlockall fault
 * in.
 *
 * 1. What it models. Each VMA of the range is faulted page by page as
 *    get_user_pages would: private writable VMAs with write faults (which
 *    give the VMA an anon_vma, even a private file mapping's), the others
 *    with read faults; VM_LOCKONFAULT VMAs are skipped; a PROT_NONE VMA,
 *    or a page beyond the end of a mapped file or shmem object, fails the
 *    VMA with EFAULT. mlock stops at the first failure; mmap, mremap and
 *    mlockall ignore failures.
 *
 * 2-3. No objects of its own.
 *
 * 4. Departures. Until the page-table layer lands a fault changes only
 *    the VMA (its anon_vma), not page tables or RSS.
 *
 * 5. Ordering. The caller holds the mmap lock.
 *
 * 6. Observability. Merging in /proc/PID/maps (anon_vmas).
 */
#include "mm/vma.h"

/* Fault in [start, end) of @vma. Return: 0 or -EFAULT. */
static int populate_vma_page_range(struct vm_area_struct *vma,
				   unsigned long start, unsigned long end)
{
	unsigned long f = vma->vm_flags;

	if (f & VM_LOCKONFAULT)
		return 0;
	if (!(f & VM_ACCESS_FLAGS))
		return -EFAULT;
	if ((f & (VM_WRITE | VM_SHARED)) == VM_WRITE && anon_vma_prepare(vma))
		return -ENOMEM;
	if (vma->vm_file) {
		unsigned long last =
			vma->vm_pgoff + ((end - vma->vm_start) >> PAGE_SHIFT);
		unsigned long size_pages = PAGE_ALIGN(vma->vm_file->size) >>
					   PAGE_SHIFT;

		(void)start;
		if (last > size_pages)
			return -EFAULT;
	}
	return 0;
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
		ret = populate_vma_page_range(vma, nstart, nend);
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
