/* SPDX-License-Identifier: MIT */
/*
 * msync(2) (Linux's mm/msync.c): a mapped range's file data written back.
 *
 * 1. What it models. The range is walked VMA by VMA. MS_SYNC on a shared
 *    mapping of a regular file writes the dirty page-cache pages behind
 *    that part of the VMA back to the file (vfs_fsync_range: every entry
 *    mapping such a page is write-protected and cleaned first, so that
 *    the next write through any mapping dirties it again); a shmem object
 *    or memfd has nothing to write (noop_fsync), nor has a private or
 *    anonymous mapping. MS_ASYNC does nothing (since Linux 2.6.19 dirty
 *    pages are tracked through their page tables anyway); MS_INVALIDATE
 *    does nothing but refuse a locked VMA.
 *
 * 2. Errors, in Linux's order. EINVAL for a flag outside MS_ASYNC,
 *    MS_INVALIDATE and MS_SYNC, an unaligned start, or MS_ASYNC with
 *    MS_SYNC; ENOMEM for a range that wraps; a length of 0 is 0. Then
 *    ENOMEM if the range starts past the last VMA, or has a hole: the
 *    VMAs after the hole are still synced and ENOMEM comes at the end,
 *    except that MS_ASYNC alone returns at the first hole. EBUSY for
 *    MS_INVALIDATE on a VM_LOCKED VMA, after the VMAs before it were
 *    synced.
 *
 * 3. Departures. Linux drops the mmap lock while it writes; here the
 *    caller's lock is kept and the writeback cleans the caller's entries
 *    under it. A page that a busy process (another thread holds its mmap
 *    lock) also maps, or one another thread has locked, stays dirty, as
 *    a writeback of WB_SYNC_NONE would leave it, where Linux waits.
 *
 * 4. Ordering. The caller's mmap lock (syscall_mm_lock); the file's lock
 *    and the page locks under it, as the writeback of fadvise takes them.
 *
 * 5. Observability. smaps Shared/Private_Dirty to _Clean, meminfo Dirty,
 *    vmstat nr_dirty, nr_written and pgpgout.
 */
#include "mm/vma.h"

#include <errno.h>

int do_msync(struct mm_struct *mm, unsigned long start, size_t len, int flags)
{
	struct vm_area_struct *vma;
	int unmapped_error = 0;
	unsigned long end;

	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	len = (len + ~PAGE_MASK) & PAGE_MASK;
	end = start + len;
	if (end < start)
		return -ENOMEM;
	if (end == start)
		return 0;
	vma = find_vma(mm, start);
	for (;;) {
		unsigned long first, last;

		if (!vma)
			return -ENOMEM;
		if (start < vma->vm_start) {
			/* A hole: MS_ASYNC alone has nothing to do
			 * anywhere, so it ends here. */
			if (flags == MS_ASYNC)
				return -ENOMEM;
			start = vma->vm_start;
			if (start >= end)
				return -ENOMEM;
			unmapped_error = -ENOMEM;
		}
		if ((flags & MS_INVALIDATE) && (vma->vm_flags & VM_LOCKED))
			return -EBUSY;
		first = linear_page_index(vma, start);
		last = linear_page_index(vma, min(end, vma->vm_end) - 1);
		start = vma->vm_end;
		if ((flags & MS_SYNC) && vma->vm_file &&
		    (vma->vm_flags & VM_SHARED))
			filemap_fsync_range(vma->vm_file, first, last, mm);
		if (start >= end)
			return unmapped_error;
		vma = vma->vm_next;
	}
}

long mmk_msync(int pid, unsigned long addr, unsigned long len, int flags)
{
	struct mm_struct *mm = syscall_mm_lock(pid);
	int ret;

	if (!mm)
		return -ESRCH;
	ret = do_msync(mm, addr, len, flags);
	syscall_mm_unlock(mm);
	return ret;
}
