/* SPDX-License-Identifier: MIT */
/*
 * mseal(2) (Linux's mm/mseal.c, 6.10; the checks of mm/vma.c, mm/mremap.c,
 * mm/mprotect.c and mm/madvise.c that honour it).
 *
 * 1. What it models. mseal(addr, len, 0) sets VM_SEALED ("sl") on every
 *    VMA of the range, splitting and merging as any flag change does;
 *    flags other than 0, an unaligned start or a wrapping length are
 *    EINVAL, a hole anywhere in the range is ENOMEM before anything
 *    changes, sealing sealed memory again is a no-op. A seal is for the
 *    process's life (fork passes it on, exit ignores it): munmap, mmap
 *    MAP_FIXED over it, mremap of it or onto it and brk shrinking into it
 *    are EPERM (munmap has split an unsealed first VMA by then), mprotect
 *    is EPERM from the first sealed VMA on (those before it changed), and
 *    madvise refuses discarding advice (DONTNEED, FREE, REMOVE, DONTFORK,
 *    WIPEONFORK, GUARD_INSTALL, ...) on a sealed anonymous VMA the process
 *    may not write. mlock and munlock still work.
 *
 * 2-3. See mm/vma.c.
 *
 * 4. Departures. None for x86_64; i386 has no mseal (ENOSYS), as a 32-bit
 *    kernel does not build it.
 *
 * 5. Ordering. Takes the mmap lock.
 *
 * 6. Observability. "sl" in smaps VmFlags; the EPERMs above.
 */
#include "mm/vma.h"

/* Is all of [start, end) mapped (range_contains_unmapped's converse)? */
static bool range_mapped(struct mm_struct *mm, unsigned long start,
			 unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);
	unsigned long covered = start;

	for (; vma && vma->vm_start < end; vma = vma->vm_next) {
		if (vma->vm_start > covered)
			return false;
		covered = vma->vm_end;
	}
	return covered >= end;
}

int do_mseal(struct mm_struct *mm, unsigned long start, size_t len_in,
	     unsigned long flags)
{
	unsigned long end, pos;

	if (mm->machine->arch->arch != MMK_ARCH_X86_64)
		return -ENOSYS;
	if (flags || user_range_end(start, len_in, &end))
		return -EINVAL;
	if (end == start)
		return 0;
	if (!range_mapped(mm, start, end))
		return -ENOMEM;
	/* mseal_apply(): errors now are those of splitting and merging. */
	for (pos = start; pos < end;) {
		struct vm_area_struct *vma = find_vma(mm, pos);
		unsigned long cur_end = min(vma->vm_end, end);
		int err;

		if (!(vma->vm_flags & VM_SEALED)) {
			vma = vma_modify_flags(mm, vma->vm_prev, vma, pos,
					       cur_end,
					       vma->vm_flags | VM_SEALED, &err);
			if (!vma)
				return err;
		}
		pos = cur_end;
	}
	return 0;
}

long mmk_mseal(int pid, unsigned long addr, unsigned long len,
	       unsigned long flags)
{
	struct mm_struct *mm = syscall_mm_lock(pid);
	int ret;

	if (!mm)
		return -ESRCH;
	ret = do_mseal(mm, addr, len, flags);
	syscall_mm_unlock(mm);
	return ret;
}
