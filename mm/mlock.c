/* SPDX-License-Identifier: MIT */
/*
 * mlock, munlock, mlockall, munlockall (Linux's mm/mlock.c).
 *
 * 1. What it models. The start rounds down and the length (plus the
 *    start's offset in its page) rounds up, so even a zero length at an
 *    unaligned address locks one page, as on Linux. Each VMA of the range
 *    gets VM_LOCKED (and VM_LOCKONFAULT for MLOCK_ONFAULT) through
 *    vma_modify_flags, which splits and re-merges as mprotect does;
 *    locked_vm counts the size of locked VMAs, changing only for pages
 *    whose state changes. A hole stops the walk with ENOMEM, the VMAs
 *    before it staying changed. RLIMIT_MEMLOCK binds unprivileged
 *    processes (EPERM when it is 0, ENOMEM beyond it). mlock then
 *    populates the range; a failure there (a PROT_NONE VMA) is ENOMEM
 *    with everything left locked. mlockall(MCL_FUTURE) sets def_flags so
 *    that later mappings and brk are locked.
 *
 * 2-3. See mm/vma.c.
 *
 * 4. Departures. None beyond mm/swap.c's: the pages of a VMA that
 *    becomes locked are mlocked at once (Linux: through a per-CPU batch).
 *
 * 5. Ordering. Takes the mmap lock.
 *
 * 6. Observability. VmLck in /proc/PID/status, `lo` in smaps VmFlags.
 */
#include "mm/vma.h"

static int can_do_mlock(struct mm_struct *mm)
{
	return rlimit(mm, MMK_RLIMIT_MEMLOCK) != 0 || capable(mm);
}

static int mlock_fixup(struct mm_struct *mm, struct vm_area_struct *vma,
		       struct vm_area_struct **prev, unsigned long start,
		       unsigned long end, unsigned long newflags)
{
	unsigned long oldflags = vma->vm_flags;
	long nr_pages;
	int err = 0;

	if (newflags == oldflags || (oldflags & VM_SPECIAL) ||
	    (oldflags & VM_HUGETLB))
		goto out;
	vma = vma_modify_flags(mm, *prev, vma, start, end, newflags, &err);
	if (!vma)
		return err;
	nr_pages = (long)((end - start) >> PAGE_SHIFT);
	if (!(newflags & VM_LOCKED))
		nr_pages = -nr_pages;
	else if (oldflags & VM_LOCKED)
		nr_pages = 0;
	mm->locked_vm += (unsigned long)nr_pages;
	/* The pages mapped there now: one mlock more or less (the change
	 * between VM_LOCKED and VM_LOCKED|VM_LOCKONFAULT is none). */
	if ((newflags ^ oldflags) & VM_LOCKED)
		mlock_pte_range(mm, start, end, newflags & VM_LOCKED);
out:
	*prev = vma;
	return err;
}

int apply_vma_lock_flags(struct mm_struct *mm, unsigned long start, size_t len,
			 unsigned long flags)
{
	unsigned long end = start + len, nstart, tmp;
	struct vm_area_struct *vma, *prev;
	int error;

	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	vma = vma_lookup(mm, start);
	if (!vma)
		return -ENOMEM;
	prev = vma->vm_prev;
	if (start > vma->vm_start)
		prev = vma;
	nstart = start;
	tmp = vma->vm_start;
	while (vma && vma->vm_start < end) {
		unsigned long newflags;

		if (vma->vm_start != tmp)
			return -ENOMEM;
		newflags = (vma->vm_flags & ~VM_LOCKED_MASK) | flags;
		tmp = min(vma->vm_end, end);
		error = mlock_fixup(mm, vma, &prev, nstart, tmp, newflags);
		if (error)
			return error;
		tmp = prev->vm_end;
		nstart = tmp;
		vma = prev->vm_next;
	}
	if (tmp < end)
		return -ENOMEM;
	return 0;
}

int do_mlock(struct mm_struct *mm, unsigned long start, size_t len,
	     unsigned long flags)
{
	unsigned long locked, lock_limit;
	int error;

	if (!can_do_mlock(mm))
		return -EPERM;
	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;
	lock_limit = rlimit(mm, MMK_RLIMIT_MEMLOCK);
	if (lock_limit != MMK_RLIM_INFINITY)
		lock_limit >>= PAGE_SHIFT;
	locked = (len >> PAGE_SHIFT) + mm->locked_vm;
	if (locked > lock_limit && !capable(mm))
		locked -= count_vma_pages_range(mm, start, start + len,
						VM_LOCKED);
	if (locked <= lock_limit || capable(mm))
		error = apply_vma_lock_flags(mm, start, len, flags);
	else
		error = -ENOMEM;
	if (error)
		return error;
	error = __mm_populate(mm, start, len, false);
	/* __mlock_posix_error_return() */
	if (error == -EFAULT)
		return -ENOMEM;
	if (error == -ENOMEM)
		return -EAGAIN;
	return error;
}

static long mlock_syscall(int pid, unsigned long start, size_t len,
			  unsigned long flags)
{
	struct mm_struct *mm = syscall_mm_lock(pid);
	int ret;

	if (!mm)
		return -ESRCH;
	ret = do_mlock(mm, start, len, flags);
	syscall_mm_unlock(mm);
	return ret;
}

long mmk_mlock(int pid, unsigned long addr, unsigned long len)
{
	return mlock_syscall(pid, addr, len, VM_LOCKED);
}

long mmk_mlock2(int pid, unsigned long addr, unsigned long len,
		unsigned int flags)
{
	if (flags & ~MLOCK_ONFAULT)
		return -EINVAL;
	return mlock_syscall(
		pid, addr, len,
		VM_LOCKED | ((flags & MLOCK_ONFAULT) ? VM_LOCKONFAULT : 0));
}

long mmk_munlock(int pid, unsigned long start, unsigned long len)
{
	struct mm_struct *mm = syscall_mm_lock(pid);
	int ret;

	if (!mm)
		return -ESRCH;
	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;
	ret = apply_vma_lock_flags(mm, start, len, 0);
	syscall_mm_unlock(mm);
	return ret;
}

static void apply_mlockall_flags(struct mm_struct *mm, int flags)
{
	struct vm_area_struct *vma, *prev = NULL, *next;
	unsigned long to_add = 0;

	mm->def_flags &= ~VM_LOCKED_MASK;
	if (flags & MCL_FUTURE) {
		mm->def_flags |= VM_LOCKED;
		if (flags & MCL_ONFAULT)
			mm->def_flags |= VM_LOCKONFAULT;
		if (!(flags & MCL_CURRENT))
			return;
	}
	if (flags & MCL_CURRENT) {
		to_add |= VM_LOCKED;
		if (flags & MCL_ONFAULT)
			to_add |= VM_LOCKONFAULT;
	}
	for (vma = mm->mmap; vma; vma = next) {
		unsigned long newflags = (vma->vm_flags & ~VM_LOCKED_MASK) |
					 to_add;

		/* Errors are ignored, but prev needs fixing up. */
		if (mlock_fixup(mm, vma, &prev, vma->vm_start, vma->vm_end,
				newflags) ||
		    !prev)
			prev = vma;
		next = prev->vm_next;
	}
}

long mmk_mlockall(int pid, int flags)
{
	struct mm_struct *mm;
	unsigned long lock_limit;
	long ret = -ENOMEM;

	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	mm = syscall_mm_lock(pid);
	if (!mm)
		return -ESRCH;
	if (!can_do_mlock(mm)) {
		syscall_mm_unlock(mm);
		return -EPERM;
	}
	lock_limit = rlimit(mm, MMK_RLIMIT_MEMLOCK);
	if (lock_limit != MMK_RLIM_INFINITY)
		lock_limit >>= PAGE_SHIFT;
	if (!(flags & MCL_CURRENT) || mm->total_vm <= lock_limit ||
	    capable(mm)) {
		apply_mlockall_flags(mm, flags);
		ret = 0;
	}
	if (!ret && (flags & MCL_CURRENT))
		mm_populate(mm, 0, mm->task_size);
	syscall_mm_unlock(mm);
	return ret;
}

long mmk_munlockall(int pid)
{
	struct mm_struct *mm = syscall_mm_lock(pid);

	if (!mm)
		return -ESRCH;
	apply_mlockall_flags(mm, 0);
	syscall_mm_unlock(mm);
	return 0;
}
