/* SPDX-License-Identifier: MIT */
/*
 * madvise (Linux's mm/madvise.c).
 *
 * 1. What it models. The walk of madvise_walk_vmas: holes anywhere make
 *    the result ENOMEM once everything mapped was processed; an error of
 *    a VMA stops the walk at once and wins. Advice that changes vm_flags
 *    (NORMAL, RANDOM, SEQUENTIAL, DONTFORK, DOFORK, WIPEONFORK,
 *    KEEPONFORK, DONTDUMP, DODUMP, HUGEPAGE, NOHUGEPAGE) splits and
 *    re-merges VMAs through vma_modify_flags; DONTNEED and FREE refuse
 *    locked VMAs (EINVAL), FREE also anything but private anonymous
 *    memory; WILLNEED never fails on a mapped VMA: it reads the
 *    range's swapped anonymous pages into the swap cache, a shmem
 *    object's back into its cache, or up to 32 of a regular file's
 *    missing pages into the page cache, none mapped. DONTNEED_LOCKED
 *    also zaps locked VMAs; both free the PTE tables they emptied whole
 *    (CONFIG_PT_RECLAIM, madvise_dontneed_single_vma); REMOVE punches a hole in the file of a shared
 *    writable mapping (its pages leave every process and the cache);
 *    POPULATE_READ/WRITE fault the range in; MERGEABLE/UNMERGEABLE set the
 *    KSM flag ("mg") through mm/ksm.c's ksm_madvise (registering the mm;
 *    unmerging the range's KSM pages first, ENOMEM being EAGAIN); COLD ages the pages only this process maps (their
 *    accessed bits and PG_referenced go); PAGEOUT also reclaims them as
 *    a machine without swap can (mm/memory.c, madvise_cold_range), but
 *    for the file pages of a file the process could not open for
 *    writing (can_do_file_pageout, as mincore's rule), which stay.
 *    GUARD_INSTALL (Linux 6.13) turns every entry of the range into a
 *    guard marker, zapping what was mapped, and refuses locked and
 *    VM_SPECIAL VMAs (EINVAL); GUARD_REMOVE clears markers only, locked
 *    VMAs included. Install sets VM_MAYBE_GUARD ("gu") on each whole
 *    VMA, without a split; the flag is sticky (merges ignore it and keep
 *    it) and never cleared. On a hugetlb VMA, DONTNEED needs a huge
 *    page aligned start and rounds the end down to one; FREE, COLD,
 *    PAGEOUT, GUARD_* and WIPEONFORK are EINVAL, MERGEABLE does nothing.
 *    On a sealed VMA (mseal), discarding advice
 *    is EPERM unless the VMA maps a file or is writable.
 *
 * 2-3. See mm/vma.c.
 *
 * 4. Departures. COLD's deactivation moves a page to its inactive list
 *    at once (mm/swap.c), and every page counts as on the LRU (Linux
 *    skips a page still in a CPU's pagevec). PAGEOUT reclaims through
 *    mm/vmscan.c (shmem pages go to swap as anonymous ones do).
 *
 * 5. Ordering. Runs under the mmap lock; REMOVE drops it while it
 *    punches the hole (madvise_remove), which waits for other processes'
 *    mmap locks (mm/filemap.c, truncate_index).
 *
 * 6. Observability. /proc/PID/maps, smaps VmFlags (dc, wf, dd, hg, nh,
 *    sr, rr).
 */
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"
#include "mm/vma.h"

#include <limits.h>

static bool madvise_behavior_valid(const struct mmk_machine *m, int behavior)
{
	switch (behavior) {
	/* Only with CONFIG_TRANSPARENT_HUGEPAGE. */
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_COLLAPSE:
		return m->arch->thp;
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_REMOVE:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_COLD:
	case MADV_PAGEOUT:
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
	case MADV_DONTNEED_LOCKED:
	case MADV_GUARD_INSTALL:
	case MADV_GUARD_REMOVE:
		return true;
	default:
		return false;
	}
}

/* The new vm_flags for a flag-changing advice, or -errno. */
static long madvise_new_flags(const struct vm_area_struct *vma, int behavior)
{
	unsigned long f = vma->vm_flags;

	switch (behavior) {
	case MADV_NORMAL:
		return (long)(f & ~(VM_RAND_READ | VM_SEQ_READ));
	case MADV_SEQUENTIAL:
		return (long)((f & ~VM_RAND_READ) | VM_SEQ_READ);
	case MADV_RANDOM:
		return (long)((f & ~VM_SEQ_READ) | VM_RAND_READ);
	case MADV_DONTFORK:
		return (long)(f | VM_DONTCOPY);
	case MADV_DOFORK:
		if (f & VM_IO)
			return -EINVAL;
		return (long)(f & ~VM_DONTCOPY);
	case MADV_WIPEONFORK:
		/* MADV_WIPEONFORK is only supported on anonymous memory. */
		if (vma->vm_file || (f & VM_SHARED))
			return -EINVAL;
		return (long)(f | VM_WIPEONFORK);
	case MADV_KEEPONFORK:
		return (long)(f & ~VM_WIPEONFORK);
	case MADV_DONTDUMP:
		return (long)(f | VM_DONTDUMP);
	case MADV_DODUMP:
		/* A hugetlb VMA's VM_DONTEXPAND does not count. */
		if (!vma_is_anonymous(vma) && !is_vm_hugetlb_page(vma) &&
		    (f & VM_SPECIAL))
			return -EINVAL;
		return (long)(f & ~VM_DONTDUMP);
	case MADV_HUGEPAGE:
		return (long)((f & ~VM_NOHUGEPAGE) | VM_HUGEPAGE);
	case MADV_NOHUGEPAGE:
		return (long)((f & ~VM_HUGEPAGE) | VM_NOHUGEPAGE);
	default:
		return (long)f;
	}
}

/* The advice that discards data or its copy in a child (is_discard). */
static bool is_discard(int behavior)
{
	switch (behavior) {
	case MADV_FREE:
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
	case MADV_REMOVE:
	case MADV_DONTFORK:
	case MADV_WIPEONFORK:
	case MADV_GUARD_INSTALL:
		return true;
	default:
		return false;
	}
}

/* A sealed VMA refuses discarding advice unless it maps a file or the
 * process could write zeroes into it anyway (can_madvise_modify). */
static bool can_madvise_modify(const struct vm_area_struct *vma, int behavior)
{
	return !(vma->vm_flags & VM_SEALED) || !is_discard(behavior) ||
	       vma->vm_file || (vma->vm_flags & VM_WRITE);
}

/*
 * madvise_dontneed_single_vma(): zap [start, end) of one VMA, with
 * zap_details.reclaim_pt: under CONFIG_PT_RECLAIM (on in the kernels
 * mmkit follows; x86_64 only) a PTE table the zap covered whole and left
 * empty is freed (VmPTE drops), the tables above it stay. Guard markers
 * survive the zap, so their tables do too.
 */
static void madvise_dontneed_single_vma(struct mm_struct *mm,
					unsigned long start, unsigned long end)
{
	zap_page_range(mm, start, end);
	pt_reclaim_range(mm, start, end);
}

/* madvise_dontneed_free_valid_vma() of a hugetlb VMA: the start must be
 * a huge page boundary; the end is rounded down to one, so that a
 * caller unaware of huge pages loses no data. */
static int madvise_dontneed_hugetlb(struct mm_struct *mm, unsigned long start,
				    unsigned long end)
{
	unsigned long mask = huge_page_size(mm->machine) - 1;

	if (start & mask)
		return -EINVAL;
	end &= ~mask;
	if (start < end)
		zap_page_range(mm, start, end);
	return 0;
}

/* Apply @behavior to [start, end) of @vma; *@prev is the VMA covering it
 * afterwards (madvise_vma_behavior). */
static int madvise_vma_behavior(struct mm_struct *mm,
				struct vm_area_struct *vma,
				struct vm_area_struct **prev,
				unsigned long start, unsigned long end,
				int behavior)
{
	unsigned long pgoff;
	struct file *file;
	bool anon_only;
	long newflags;
	int err;

	*prev = vma;
	if (!can_madvise_modify(vma, behavior))
		return -EPERM;
	switch (behavior) {
	case MADV_DONTNEED:
		if (is_vm_hugetlb_page(vma))
			return madvise_dontneed_hugetlb(mm, start, end);
		if (vma->vm_flags & (VM_LOCKED | VM_PFNMAP))
			return -EINVAL;
		madvise_dontneed_single_vma(mm, start, end);
		return 0;
	case MADV_FREE:
		if (vma->vm_flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB))
			return -EINVAL;
		if (!vma_is_anonymous(vma))
			return -EINVAL;
		madvise_free_range(mm, start, end);
		return 0;
	case MADV_DONTNEED_LOCKED:
		if (is_vm_hugetlb_page(vma))
			return madvise_dontneed_hugetlb(mm, start, end);
		if (vma->vm_flags & VM_PFNMAP)
			return -EINVAL;
		madvise_dontneed_single_vma(mm, start, end);
		return 0;
	case MADV_WILLNEED:
		/* madvise_willneed(): swap-in, or the file's readahead; no
		 * change to the VMA. */
		if (!vma->vm_file) {
			swapin_range(mm, vma, start, end);
			return 0;
		}
		filemap_willneed(vma->vm_file,
				 vma->vm_pgoff + ((start - vma->vm_start) >>
						  PAGE_SHIFT),
				 (end - start) >> PAGE_SHIFT);
		return 0;
	case MADV_COLD:
	case MADV_PAGEOUT:
		/* can_madv_lru_vma() */
		if (vma->vm_flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB))
			return -EINVAL;
		/* madvise_pageout(): a file the process could not open for
		 * writing keeps its cached pages (!can_do_file_pageout, as
		 * mincore hides them); a private mapping's anonymous copies
		 * still go, and a shared one has none. COLD ages them all. */
		anon_only = behavior == MADV_PAGEOUT &&
			    !vma_is_anonymous(vma) &&
			    !can_write_file(mm, vma->vm_file);
		if (anon_only && (vma->vm_flags & VM_MAYSHARE))
			return 0;
		madvise_cold_range(mm, start, end, behavior == MADV_PAGEOUT,
				   anon_only);
		return 0;
	case MADV_COLLAPSE:
		return madvise_collapse(mm, vma, start, end);
	case MADV_GUARD_INSTALL:
		/* is_valid_guard_vma(): a locked VMA's pages cannot be
		 * zapped. VM_MAYBE_GUARD goes on the whole VMA, without a
		 * split, and stays (sticky, copy on fork). */
		if (vma->vm_flags & (VM_SPECIAL | VM_HUGETLB | VM_LOCKED))
			return -EINVAL;
		vma->vm_flags |= VM_MAYBE_GUARD;
		if (vma_is_anonymous(vma) && anon_vma_prepare(vma))
			return -ENOMEM;
		return guard_install_range(mm, start, end);
	case MADV_GUARD_REMOVE:
		if (vma->vm_flags & (VM_SPECIAL | VM_HUGETLB))
			return -EINVAL;
		guard_remove_range(mm, start, end);
		return 0;
	case MADV_REMOVE:
		if (vma->vm_flags & VM_LOCKED)
			return -EINVAL;
		if (!vma->vm_file)
			return -EINVAL;
		if ((vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) !=
		    (VM_SHARED | VM_MAYWRITE))
			return -EACCES;
		/* fallocate(PUNCH_HOLE): the file's pages go, from every
		 * mapping; private copies stay. As madvise_remove(), with the
		 * mmap lock dropped (the hole waits for other processes'
		 * locks) and the file pinned: the VMA may change meanwhile,
		 * so the walk finds its next one afresh (*prev NULL). */
		file = get_file(vma->vm_file);
		pgoff = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
		*prev = NULL;
		mmap_write_unlock(mm);
		err = vfs_fallocate(file,
				    FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				    (long long)pgoff << PAGE_SHIFT,
				    (long long)(end - start));
		fput(file);
		mmap_write_lock(mm);
		return err;
	}
	if (behavior == MADV_MERGEABLE || behavior == MADV_UNMERGEABLE) {
		/* ksm_madvise(): memory KSM cannot merge stays as it is;
		 * UNMERGEABLE unmerges the range's KSM pages first. */
		unsigned long f = vma->vm_flags;

		err = ksm_madvise(vma, start, end, behavior, &f);
		if (err)
			return err == -ENOMEM ? -EAGAIN : err;
		newflags = (long)f;
	} else {
		newflags = madvise_new_flags(vma, behavior);
	}
	if (newflags < 0)
		return (int)newflags;
	/* hugepage_madvise(): with its new flags, the VMA may bring its mm
	 * to khugepaged, whatever comes of the flags' change. */
	if (behavior == MADV_HUGEPAGE)
		khugepaged_enter_vma(vma, (unsigned long)newflags);
	if ((unsigned long)newflags == vma->vm_flags)
		return 0;
	vma = vma_modify_flags(mm, vma->vm_prev, vma, start, end,
			       (unsigned long)newflags, &err);
	/* "Kernel resources temporarily unavailable": ENOMEM is EAGAIN. */
	if (!vma)
		return err == -ENOMEM ? -EAGAIN : err;
	*prev = vma;
	return 0;
}

/*
 * MADV_POPULATE_READ/WRITE (madvise_populate): fault in the whole range
 * as get_user_pages with FOLL_MADV_POPULATE would: a hole is ENOMEM, a
 * VMA that check_vma_flags() refuses (VM_IO or VM_PFNMAP, or an access
 * its protection does not allow) is EINVAL, a fault that ends in SIGSEGV
 * or SIGBUS is EFAULT. A VMA whose protection key the process's PKRU
 * denies is EINVAL too.
 */
static int madvise_populate(struct mm_struct *mm, unsigned long start,
			    unsigned long end, bool write)
{
	unsigned long addr, next;

	for (addr = start; addr < end; addr = next) {
		struct vm_area_struct *vma = vma_lookup(mm, addr);
		int err;

		if (!vma)
			return -ENOMEM;
		if (vma->vm_flags & (VM_IO | VM_PFNMAP))
			return -EINVAL;
		if (write ? !(vma->vm_flags & VM_WRITE) :
			    !(vma->vm_flags & VM_READ))
			return -EINVAL;
		/* ... nor a key the process's PKRU denies. */
		if (!arch_vma_access_permitted(vma, write))
			return -EINVAL;
		next = min(end, vma->vm_end);
		err = faultin_page_range(mm, addr, next, write);
		if (err)
			return err;
	}
	return 0;
}

int do_madvise(struct mm_struct *mm, unsigned long start, size_t len_in,
	       int behavior)
{
	unsigned long end, tmp;
	struct vm_area_struct *vma, *prev;
	int unmapped_error = 0, error;

	if (!madvise_behavior_valid(mm->machine, behavior) ||
	    user_range_end(start, len_in, &end))
		return -EINVAL;
	if (end == start)
		return 0;
	if (behavior == MADV_POPULATE_READ || behavior == MADV_POPULATE_WRITE)
		return madvise_populate(mm, start, end,
					behavior == MADV_POPULATE_WRITE);

	vma = find_vma(mm, start);
	for (;;) {
		if (!vma || vma->vm_start >= end)
			return -ENOMEM;
		if (start < vma->vm_start) {
			unmapped_error = -ENOMEM;
			start = vma->vm_start;
		}
		tmp = min(vma->vm_end, end);
		error = madvise_vma_behavior(mm, vma, &prev, start, tmp,
					     behavior);
		if (error)
			return error;
		start = tmp;
		if (prev && start < prev->vm_end)
			start = prev->vm_end;
		if (start >= end)
			break;
		vma = prev ? prev->vm_next : find_vma(mm, start);
	}
	return unmapped_error;
}

long mmk_madvise(int pid, unsigned long addr, unsigned long len, int advice)
{
	struct mm_struct *mm = syscall_mm_lock(pid);
	int ret;

	if (!mm)
		return -ESRCH;
	ret = do_madvise(mm, addr, len, advice);
	syscall_mm_unlock(mm);
	return ret;
}

/* ---- process_madvise(2) ---- */

/* The advice another process may give (process_madvise_remote_valid). */
static bool process_madvise_remote_valid(int behavior)
{
	switch (behavior) {
	case MADV_COLD:
	case MADV_PAGEOUT:
	case MADV_WILLNEED:
	case MADV_COLLAPSE:
		return true;
	default:
		return false;
	}
}

/* mm_access() and capable(CAP_SYS_NICE) for @caller on @pid's memory:
 * 0, or the error (both tasks looked up under the pid table's lock). */
static long process_madvise_access(int caller, int pid, int behavior)
{
	struct mm_state *ms = mm_state();
	struct task_struct *from, *to;
	long ret = 0;

	pthread_mutex_lock(&ms->lock);
	to = pid > 0 ? find_task_locked(ms, pid) : NULL;
	from = caller > 0 ? find_task_locked(ms, caller) : NULL;
	if (!to || !from)
		ret = -ESRCH;
	else if (from != to) {
		/* ptrace_may_access(PTRACE_MODE_READ_FSCREDS): root, or
		 * the same user (nobody); then only non-destructive
		 * advice, and only with CAP_SYS_NICE. */
		if (!from->privileged && task_uid(to) != task_uid(from))
			ret = -EACCES;
		else if (!process_madvise_remote_valid(behavior))
			ret = -EINVAL;
		else if (!from->privileged)
			ret = -EPERM;
	}
	pthread_mutex_unlock(&ms->lock);
	return ret;
}

long mmk_process_madvise(int caller, int pid, const struct mmk_iovec *vec,
			 size_t vlen, int advice, unsigned int flags)
{
	unsigned long left = MAX_RW_COUNT, done = 0;
	struct mm_struct *mm;
	long ret = 0;
	size_t i;

	if (!mmk_cur() || flags)
		return -EINVAL;
	/* import_iovec(): at most UIO_MAXIOV, none longer than SSIZE_MAX,
	 * the total cut at MAX_RW_COUNT. */
	if (vlen > UIO_MAXIOV)
		return -EINVAL;
	if (vlen && !vec)
		return -EFAULT;
	for (i = 0; i < vlen; i++)
		if (vec[i].len > (unsigned long)LONG_MAX)
			return -EINVAL;
	ret = process_madvise_access(caller, pid, advice);
	if (ret)
		return ret;
	mm = syscall_mm_lock(pid);
	if (!mm)
		return -ESRCH;
	/* vector_madvise(): each range in turn, up to the first error;
	 * the bytes of the ranges done, if any, else that error. */
	for (i = 0; i < vlen; i++) {
		unsigned long len = min(vec[i].len, left);

		ret = do_madvise(mm, vec[i].base, len, advice);
		if (ret < 0)
			break;
		done += len;
		left -= len;
	}
	syscall_mm_unlock(mm);
	return done ? (long)done : ret;
}
