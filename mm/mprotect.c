/* SPDX-License-Identifier: MIT */
/*
 * mprotect (Linux's mm/mprotect.c: do_mprotect_pkey, mprotect_fixup).
 *
 * 1. What it models. The range is walked VMA by VMA; each part gets the
 *    new protection through vma_modify_flags (merge with a neighbour, or
 *    split). A protection the VMA may not have (VM_MAY*) is EACCES; a hole
 *    is ENOMEM, with the VMAs before it already changed. Making a private
 *    VMA writable charges it (VM_ACCOUNT); making it read-only uncharges
 *    it only while it has no anon_vma.
 *
 * 2-3. See mm/vma.c.
 *
 *    pkey_mprotect() (mm/pkeys.c) sets the range's protection key too;
 *    mprotect() keeps each VMA's, but for execute-only memory.
 *
 * 4. Departures. PROT_SEM is accepted and ignored; no VMA grows up
 *    (PROT_GROWSUP is EINVAL, as on x86); the page tables are changed by
 *    the page-table layer's change_protection.
 *
 * 5. Ordering. Takes the mmap lock.
 *
 * 6. Observability. /proc/PID/maps, smaps VmFlags.
 */
#include "mm/vma.h"

static int mprotect_fixup(struct mm_struct *mm, struct vm_area_struct *vma,
			  struct vm_area_struct **pprev, unsigned long start,
			  unsigned long end, unsigned long newflags)
{
	unsigned long oldflags = vma->vm_flags;
	long nrpages = (long)((end - start) >> PAGE_SHIFT);
	long charged = 0;
	int err;

	if (oldflags & VM_SEALED)
		return -EPERM;
	if (newflags == oldflags) {
		*pprev = vma;
		return 0;
	}
	if (newflags & VM_WRITE) {
		if (!may_expand_vm(mm, newflags, (unsigned long)nrpages) &&
		    may_expand_vm(mm, oldflags, (unsigned long)nrpages))
			return -ENOMEM;
		if (!(oldflags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB |
				  VM_SHARED | VM_NORESERVE))) {
			charged = nrpages;
			if (security_vm_enough_memory_mm(mm, charged))
				return -ENOMEM;
			newflags |= VM_ACCOUNT;
		}
	} else if ((oldflags & VM_ACCOUNT) && vma_is_anonymous(vma) &&
		   !vma->anon_vma) {
		newflags &= ~VM_ACCOUNT;
	}
	vma = vma_modify_flags(mm, *pprev, vma, start, end, newflags, &err);
	if (!vma) {
		if (charged)
			vm_unacct_memory(charged);
		return err;
	}
	*pprev = vma;
	if ((oldflags & VM_ACCOUNT) && !(newflags & VM_ACCOUNT))
		vm_unacct_memory(nrpages);
	change_protection(vma, start, end);
	/* A locked private VMA becoming writable is COW-faulted at once. */
	if ((oldflags & (VM_WRITE | VM_SHARED | VM_LOCKED)) == VM_LOCKED &&
	    (newflags & VM_WRITE))
		__mm_populate(mm, start, end - start, true);
	vm_stat_account(mm, oldflags, -nrpages);
	vm_stat_account(mm, newflags, nrpages);
	return 0;
}

int do_mprotect_pkey(struct mm_struct *mm, unsigned long start, size_t len,
		     unsigned long prot, int pkey)
{
	struct vm_area_struct *vma, *prev;
	unsigned long end, nstart, tmp;
	int error;

	unsigned long grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);

	prot &= ~grows;
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	/* arch_validate_prot(): PROT_SEM (0x8) is accepted and ignored. */
	if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC | 0x8))
		return -EINVAL;

	/* Only a key the process allocated (Linux checks it once it holds
	 * the mmap lock, before looking at the range). */
	if (!pkey_may_use(mm, pkey))
		return -EINVAL;
	vma = find_vma_intersection(mm, start, end);
	if (!vma)
		return -ENOMEM;
	if (grows & PROT_GROWSDOWN) {
		/* Down to the start of a stack VMA. */
		if (vma->vm_start >= end)
			return -ENOMEM;
		start = vma->vm_start;
		if (!(vma->vm_flags & VM_GROWSDOWN))
			return -EINVAL;
	} else {
		if (vma->vm_start > start)
			return -ENOMEM;
		/* No VMA grows up on x86. */
		if (grows & PROT_GROWSUP)
			return -EINVAL;
	}
	prev = vma->vm_prev;
	if (start > vma->vm_start)
		prev = vma;
	nstart = start;
	tmp = vma->vm_start;
	error = 0;
	while (vma && vma->vm_start < end) {
		unsigned long newflags;

		if (vma->vm_start != tmp) {
			error = -ENOMEM;
			break;
		}
		newflags = calc_vm_prot_bits(prot, arch_override_mprotect_pkey(
							   vma, prot, pkey)) |
			   (vma->vm_flags & ~(VM_ACCESS_FLAGS | VM_PKEY_MASK));
		/* newflags >> 4 puts VM_MAY* where VM_* are. */
		if ((newflags & ~(newflags >> 4)) & VM_ACCESS_FLAGS) {
			error = -EACCES;
			break;
		}
		tmp = min(vma->vm_end, end);
		error = mprotect_fixup(mm, vma, &prev, nstart, tmp, newflags);
		if (error)
			break;
		/* Go on after the VMA that now covers the part changed. */
		tmp = prev->vm_end;
		nstart = tmp;
		vma = prev->vm_next;
	}
	if (!error && tmp < end)
		error = -ENOMEM;
	return error;
}

long mmk_mprotect(int pid, unsigned long addr, unsigned long len,
		  unsigned long prot)
{
	struct mm_struct *mm = syscall_mm_lock(pid);
	int ret;

	if (!mm)
		return -ESRCH;
	ret = do_mprotect_pkey(mm, addr, len, prot, -1);
	syscall_mm_unlock(mm);
	return ret;
}
