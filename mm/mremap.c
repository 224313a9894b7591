/* SPDX-License-Identifier: MIT */
/*
 * mremap (Linux 6.18's mm/mremap.c).
 *
 * 1. What it models. The argument checks of check_mremap_params, then:
 *    - old_len == new_len with MREMAP_FIXED: a pure move of every VMA in
 *      the old range (6.17's remap_move), split at the range ends, the
 *      gaps between them kept at the destination;
 *    - otherwise the VMA at the old address: shrink in place (unmap the
 *      tail, even across other VMAs), same size (no-op), grow in place
 *      when the space after the VMA is free (merging with the next VMA
 *      if compatible), or move (MREMAP_MAYMOVE, MREMAP_FIXED,
 *      MREMAP_DONTUNMAP) by copy_vma and unmapping the source.
 *    A moved VMA without an anon_vma takes the pgoff of its new address,
 *    so it merges there as a fresh mapping would (even with its own
 *    source); one with an anon_vma keeps its pgoff. Growing a locked VMA
 *    adds to locked_vm and populates; MREMAP_DONTUNMAP clears VM_LOCKED
 *    on the whole old VMA without uncharging locked_vm (Linux's
 *    overcount) and unlinks its anon_vma when the whole VMA moved.
 *
 * 2-3. See mm/vma.c.
 *
 *    Moving a VM_MERGEABLE range first unmerges its KSM pages
 *    (prep_move_vma's ksm_madvise, mm/ksm.c): each gets a private copy,
 *    VM_MERGEABLE stays.
 *
 * 4. Departures. Page tables move with the page-table layer
 *    (move_page_tables); no userfaultfd. A hugetlb mapping moves and
 *    shrinks by whole huge pages and never grows (align_hugetlb). A shrinking
 *    move (MREMAP_FIXED, new length below the old) charges nothing for
 *    the move: Linux 6.18's mremap_to() leaves vrm->delta stale after
 *    shrink_vma(), so vrm_calc_charge() charges the unmapped tail again
 *    and nothing ever gives it back (this host's 6.18 kernel: Committed_AS
 *    256 MiB higher after a 256 MiB mapping moved as 4 KiB and unmapped).
 *
 * 5. Ordering. Takes the mmap lock.
 *
 * 6. Observability. /proc/PID/maps, VmLck.
 */
#include "mm/hugetlb.h"

struct vma_remap_struct {
	unsigned long addr, old_len, new_len, flags, new_addr;
	struct vm_area_struct *vma;
	unsigned long delta;
	unsigned long charged;
	bool populate_expand;
	bool mlocked;
};

enum remap_type { MREMAP_NO_RESIZE, MREMAP_SHRINK, MREMAP_EXPAND };

static bool vrm_implies_new_addr(const struct vma_remap_struct *vrm)
{
	return vrm->flags & (MREMAP_FIXED | MREMAP_DONTUNMAP);
}

static enum remap_type remap_type(const struct vma_remap_struct *vrm)
{
	if (vrm->new_len == vrm->old_len)
		return MREMAP_NO_RESIZE;
	return vrm->new_len < vrm->old_len ? MREMAP_SHRINK : MREMAP_EXPAND;
}

static int check_mremap_params(struct mm_struct *mm,
			       struct vma_remap_struct *vrm)
{
	if (vrm->flags &
	    ~(unsigned long)(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return -EINVAL;
	if (vrm->addr & ~PAGE_MASK)
		return -EINVAL;
	vrm->old_len = PAGE_ALIGN(vrm->old_len);
	vrm->new_len = PAGE_ALIGN(vrm->new_len);
	if (!vrm->new_len)
		return -EINVAL;
	if (vrm->new_len > mm->task_size)
		return -EINVAL;
	if (!vrm_implies_new_addr(vrm))
		return 0;
	if (vrm->new_addr > mm->task_size - vrm->new_len)
		return -EINVAL;
	if (vrm->new_addr & ~PAGE_MASK)
		return -EINVAL;
	if (!(vrm->flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((vrm->flags & MREMAP_DONTUNMAP) && vrm->old_len != vrm->new_len)
		return -EINVAL;
	/* The target must not overlap the source. */
	if (!(vrm->new_addr + vrm->new_len <= vrm->addr ||
	      vrm->addr + vrm->old_len <= vrm->new_addr))
		return -EINVAL;
	if (mm->map_count + 2 >= max_map_count() - 3)
		return -ENOMEM;
	return 0;
}

static bool vrm_will_map_new(const struct vma_remap_struct *vrm)
{
	return remap_type(vrm) == MREMAP_EXPAND || vrm_implies_new_addr(vrm);
}

static int check_prep_vma(struct mm_struct *mm, struct vma_remap_struct *vrm)
{
	struct vm_area_struct *vma = vrm->vma;
	unsigned long addr = vrm->addr, pgoff, kept;

	if (!vma)
		return -EFAULT;
	/* If mseal()'d, mremap() is prohibited. */
	if (vma->vm_flags & VM_SEALED)
		return -EPERM;
	/* align_hugetlb(): whole huge pages at huge page boundaries, and
	 * no growth (the reservations could not follow). */
	if (is_vm_hugetlb_page(vma)) {
		unsigned long mask = huge_page_size(mm->machine) - 1;

		vrm->old_len = (vrm->old_len + mask) & ~mask;
		vrm->new_len = (vrm->new_len + mask) & ~mask;
		if ((addr & mask) || (vrm->new_addr & mask) ||
		    vrm->new_len > vrm->old_len)
			return -EINVAL;
	}
	/* old_len 0 "duplicates" a mapping: only shared ones make sense. */
	if (!vrm->old_len && !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE)))
		return -EINVAL;
	if ((vrm->flags & MREMAP_DONTUNMAP) &&
	    (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return -EINVAL;
	vrm->delta = vrm->new_len > vrm->old_len ? vrm->new_len - vrm->old_len :
						   vrm->old_len - vrm->new_len;
	if (!vrm_implies_new_addr(vrm))
		vrm->new_addr = addr;
	if (!vrm_will_map_new(vrm))
		return 0;
	/* The part of the old range that is kept must lie in this VMA. */
	kept = min(vrm->old_len, vrm->new_len);
	if (kept > vma->vm_end - addr)
		return -EFAULT;
	if (vrm->new_len == vrm->old_len)
		return 0;
	if (remap_type(vrm) == MREMAP_SHRINK)
		return 0;
	if (vma->vm_flags & VM_LOCKED)
		vrm->populate_expand = true;
	pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	if (pgoff + (vrm->new_len >> PAGE_SHIFT) < pgoff)
		return -EINVAL;
	if (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP))
		return -EFAULT;
	if (!mlock_future_ok(mm, vma->vm_flags, vrm->delta))
		return -EAGAIN;
	if (!may_expand_vm(mm, vma->vm_flags, vrm->delta >> PAGE_SHIFT))
		return -ENOMEM;
	return 0;
}

static void vrm_stat_account(struct mm_struct *mm, struct vma_remap_struct *vrm,
			     unsigned long bytes)
{
	unsigned long pages = bytes >> PAGE_SHIFT;

	vm_stat_account(mm, vrm->vma->vm_flags, (long)pages);
	if (vrm->vma->vm_flags & VM_LOCKED) {
		mm->locked_vm += pages;
		vrm->mlocked = true;
	}
}

static int shrink_vma(struct mm_struct *mm, struct vma_remap_struct *vrm)
{
	return do_vmi_munmap(mm, vrm->addr + vrm->new_len,
			     vrm->old_len - vrm->new_len, true);
}

static bool vma_expandable(struct mm_struct *mm, struct vm_area_struct *vma,
			   unsigned long delta)
{
	unsigned long end = vma->vm_end + delta;

	if (end < vma->vm_end)
		return false;
	if (find_vma_intersection(mm, vma->vm_end, end))
		return false;
	if (IS_ERR_VALUE(get_unmapped_area(mm, NULL, vma->vm_start,
					   end - vma->vm_start, 0, MAP_FIXED,
					   0)))
		return false;
	return true;
}

static unsigned long expand_vma_in_place(struct mm_struct *mm,
					 struct vma_remap_struct *vrm)
{
	struct vm_area_struct *vma = vrm->vma, *merged;
	long pages = (long)(vrm->delta >> PAGE_SHIFT);

	if (vma->vm_flags & VM_ACCOUNT) {
		if (security_vm_enough_memory_mm(mm, pages))
			return (unsigned long)-ENOMEM;
		vrm->charged = (unsigned long)pages;
	}
	/* vma_merge_extend(): the extension merges into the VMA, and with
	 * the next VMA if that becomes adjacent and is compatible. */
	merged = vma_merge_new_range(mm, vma, vma->vm_next, vma->vm_end,
				     vma->vm_end + vrm->delta, vma->vm_flags,
				     vma->vm_file,
				     vma->vm_pgoff + vma_pages(vma),
				     vma->anon_vma, NULL, &vma->vm_policy);
	if (!merged) {
		if (vrm->charged)
			vm_unacct_memory((long)vrm->charged);
		return (unsigned long)-ENOMEM;
	}
	vrm->vma = merged;
	vrm_stat_account(mm, vrm, vrm->delta);
	return 0;
}

static unsigned long vrm_set_new_addr(struct mm_struct *mm,
				      struct vma_remap_struct *vrm)
{
	struct vm_area_struct *vma = vrm->vma;
	unsigned long map_flags = 0, pgoff, res;

	pgoff = vma->vm_pgoff + ((vrm->addr - vma->vm_start) >> PAGE_SHIFT);
	if (vrm->flags & MREMAP_FIXED)
		map_flags |= MAP_FIXED;
	if (vma->vm_flags & VM_MAYSHARE)
		map_flags |= MAP_SHARED;
	res = get_unmapped_area(mm, vma->vm_file, vrm->new_addr, vrm->new_len,
				pgoff, map_flags, vma->vm_flags);
	if (IS_ERR_VALUE(res))
		return res;
	vrm->new_addr = res;
	return 0;
}

/*
 * Copy the source range's VMA to [addr, addr + len) (Linux's copy_vma):
 * merge with the destination's neighbours if possible, else a new VMA.
 * *@vmap is updated if the source itself merged into the result.
 */
static struct vm_area_struct *copy_vma(struct mm_struct *mm,
				       struct vm_area_struct **vmap,
				       unsigned long addr, unsigned long len,
				       unsigned long pgoff)
{
	struct vm_area_struct *vma = *vmap, *new_vma, *prev, *next;
	unsigned long vma_start = vma->vm_start;

	if (vma_is_anonymous(vma) && !vma->anon_vma)
		pgoff = addr >> PAGE_SHIFT;
	next = find_vma_prev(mm, addr, &prev);
	if (next && next->vm_start < addr + len)
		return NULL;
	new_vma = vma_merge_new_range(mm, prev, next, addr, addr + len,
				      vma->vm_flags, vma->vm_file, pgoff,
				      vma->anon_vma, vma, &vma->vm_policy);
	if (new_vma) {
		if (vma_start >= new_vma->vm_start &&
		    vma_start < new_vma->vm_end)
			*vmap = new_vma;
		return new_vma;
	}
	new_vma = vm_area_dup(vma);
	if (!new_vma)
		return NULL;
	new_vma->vm_start = addr;
	new_vma->vm_end = addr + len;
	new_vma->vm_pgoff = pgoff;
	vma_link(mm, new_vma);
	return new_vma;
}

static unsigned long move_vma(struct mm_struct *mm,
			      struct vma_remap_struct *vrm)
{
	struct vm_area_struct *vma = vrm->vma, *new_vma;
	unsigned long old_addr = vrm->addr, old_len = vrm->old_len;
	unsigned long new_pgoff, charged = 0;
	bool dontunmap = vrm->flags & MREMAP_DONTUNMAP;

	if (mm->map_count >= max_map_count() - 3)
		return (unsigned long)-ENOMEM;
	/* prep_move_vma(): KSM pages of the range are unmerged (they would
	 * turn up where other KSM pages were), VM_MERGEABLE kept. */
	{
		unsigned long flags = vma->vm_flags;
		int err = ksm_madvise(vma, old_addr, old_addr + old_len,
				      MADV_UNMERGEABLE, &flags);

		if (err)
			return (unsigned long)(long)err;
	}
	if (vma->vm_flags & VM_ACCOUNT) {
		charged = (dontunmap ? vrm->new_len : vrm->delta) >> PAGE_SHIFT;
		if (charged && security_vm_enough_memory_mm(mm, (long)charged))
			return (unsigned long)-ENOMEM;
	}
	new_pgoff = vma->vm_pgoff + ((old_addr - vma->vm_start) >> PAGE_SHIFT);
	new_vma = copy_vma(mm, &vma, vrm->new_addr, vrm->new_len, new_pgoff);
	if (!new_vma) {
		if (charged)
			vm_unacct_memory((long)charged);
		return (unsigned long)-ENOMEM;
	}
	if (move_page_tables(mm, old_addr, vrm->new_addr, old_len)) {
		/* Out of page-table memory: put the entries back (their
		 * tables exist) and drop the copy. */
		move_page_tables(mm, vrm->new_addr, old_addr, old_len);
		/* Count the copy so that unmapping it balances. */
		vrm->vma = new_vma;
		vrm_stat_account(mm, vrm, vrm->new_len);
		do_vmi_munmap(mm, vrm->new_addr, vrm->new_len, false);
		if (charged)
			vm_unacct_memory((long)charged);
		return (unsigned long)-ENOMEM;
	}
	vrm->vma = new_vma;
	vrm_stat_account(mm, vrm, vrm->new_len);
	/* clear_vma_resv_huge_pages(): the copy owns the reservations of
	 * the range now; the rest of the old VMA's are never given back,
	 * as in Linux. */
	if (is_vm_hugetlb_page(vma) && new_vma != vma)
		hugetlb_mremap_orphan(vma, old_addr, old_addr + old_len);
	if (dontunmap) {
		/* The old VMA stays, unlocked, without its pages. */
		unsigned long old_start = vma->vm_start, old_end = vma->vm_end;

		vma->vm_flags &= ~VM_LOCKED_MASK;
		if (new_vma != vma && old_addr == old_start &&
		    old_addr + old_len == old_end)
			unlink_anon_vmas(vma);
	} else {
		/* Unmap the source without uncharging it: the destination
		 * took over its commitment (Linux clears VM_ACCOUNT around
		 * the unmap for the same effect). */
		if (old_len && do_vmi_munmap(mm, old_addr, old_len, false))
			vm_acct_memory((long)(old_len >> PAGE_SHIFT));
	}
	return vrm->new_addr;
}

static unsigned long mremap_to(struct mm_struct *mm,
			       struct vma_remap_struct *vrm)
{
	unsigned long err;

	if (vrm->flags & MREMAP_FIXED) {
		int e = do_munmap(mm, vrm->new_addr, vrm->new_len);

		if (e)
			return (unsigned long)(long)e;
		vrm->vma = vma_lookup(mm, vrm->addr);
		if (!vrm->vma)
			return (unsigned long)-EFAULT;
	}
	if (remap_type(vrm) == MREMAP_SHRINK) {
		int e = shrink_vma(mm, vrm);

		if (e)
			return (unsigned long)(long)e;
		vrm->old_len = vrm->new_len;
		/* Nothing left to charge for the move (see 4.). */
		vrm->delta = 0;
		vrm->vma = vma_lookup(mm, vrm->addr);
		if (!vrm->vma)
			return (unsigned long)-EFAULT;
	}
	if ((vrm->flags & MREMAP_DONTUNMAP) &&
	    !may_expand_vm(mm, vrm->vma->vm_flags, vrm->old_len >> PAGE_SHIFT))
		return (unsigned long)-ENOMEM;
	err = vrm_set_new_addr(mm, vrm);
	if (err)
		return err;
	return move_vma(mm, vrm);
}

static unsigned long mremap_at(struct mm_struct *mm,
			       struct vma_remap_struct *vrm)
{
	unsigned long err;
	int e;

	switch (remap_type(vrm)) {
	case MREMAP_NO_RESIZE:
		return vrm->addr;
	case MREMAP_SHRINK:
		e = shrink_vma(mm, vrm);
		return e ? (unsigned long)(long)e : vrm->addr;
	case MREMAP_EXPAND:
		break;
	}
	if (vrm->old_len == vrm->vma->vm_end - vrm->addr &&
	    vma_expandable(mm, vrm->vma, vrm->delta)) {
		err = expand_vma_in_place(mm, vrm);
		if (err)
			return err;
		if (vrm->mlocked)
			vrm->new_addr = vrm->addr;
		return vrm->addr;
	}
	if (!(vrm->flags & MREMAP_MAYMOVE))
		return (unsigned long)-ENOMEM;
	err = vrm_set_new_addr(mm, vrm);
	if (err)
		return err;
	return move_vma(mm, vrm);
}

/* Move every VMA of [addr, addr + old_len), keeping the gaps (6.17+). */
static unsigned long remap_move(struct mm_struct *mm,
				struct vma_remap_struct *vrm)
{
	unsigned long start = vrm->addr, end = vrm->addr + vrm->old_len;
	unsigned long target = vrm->new_addr, res = (unsigned long)-EFAULT;
	unsigned long last_end = 0, pos = start;
	bool seen = false;
	struct vm_area_struct *vma;

	while (pos < end && (vma = find_vma_intersection(mm, pos, end))) {
		unsigned long a = max(vma->vm_start, start);
		unsigned long len = min(end, vma->vm_end) - a;
		unsigned long offset, r;
		int err;

		if (!seen && start < vma->vm_start)
			return (unsigned long)-EFAULT;
		offset = seen ? vma->vm_start - last_end : 0;
		last_end = vma->vm_end;
		pos = min(end, vma->vm_end);
		vrm->vma = vma;
		vrm->addr = a;
		vrm->new_addr = target + offset;
		vrm->old_len = vrm->new_len = len;
		vrm->populate_expand = false;
		err = check_prep_vma(mm, vrm);
		r = err ? (unsigned long)(long)err : mremap_to(mm, vrm);
		if (IS_ERR_VALUE(r))
			return r;
		if (!seen)
			res = r;
		seen = true;
		target = r + len;
	}
	return res;
}

unsigned long do_mremap(struct mm_struct *mm, unsigned long addr,
			unsigned long old_len, unsigned long new_len,
			unsigned long flags, unsigned long new_addr)
{
	struct vma_remap_struct vrm = {
		.addr = addr,
		.old_len = old_len,
		.new_len = new_len,
		.flags = flags,
		.new_addr = new_addr,
	};
	unsigned long res;
	int err;

	/* An old_len within a page of ~0UL rounds up to 0 in
	 * check_mremap_params() and is then the old_len == 0 call, as in
	 * Linux (EFAULT without a VMA, a duplicate of a shared one). */
	err = check_mremap_params(mm, &vrm);
	if (err)
		return (unsigned long)(long)err;
	if ((vrm.flags & MREMAP_FIXED) && vrm.old_len == vrm.new_len)
		return remap_move(mm, &vrm);
	vrm.vma = vma_lookup(mm, vrm.addr);
	err = check_prep_vma(mm, &vrm);
	if (err)
		return (unsigned long)(long)err;
	res = vrm_implies_new_addr(&vrm) ? mremap_to(mm, &vrm) :
					   mremap_at(mm, &vrm);
	if (!IS_ERR_VALUE(res) && vrm.mlocked && vrm.populate_expand &&
	    vrm.new_len > vrm.old_len)
		mm_populate(mm, res + vrm.old_len, vrm.new_len - vrm.old_len);
	return res;
}

long mmk_mremap(int pid, unsigned long addr, unsigned long old_len,
		unsigned long new_len, unsigned long flags,
		unsigned long new_addr)
{
	struct mm_struct *mm = syscall_mm_lock(pid);
	unsigned long ret;

	if (!mm)
		return -ESRCH;
	ret = do_mremap(mm, addr, old_len, new_len, flags, new_addr);
	syscall_mm_unlock(mm);
	return (long)ret;
}
