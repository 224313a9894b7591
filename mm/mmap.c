/* SPDX-License-Identifier: MIT */
/*
 * mmap, munmap and brk (Linux's mm/mmap.c, arch/x86/mm/mmap.c and
 * arch/x86/kernel/sys_x86_64.c).
 *
 * 1. What it models.
 *    - The layout of a new process (arch_pick_mmap_layout): x86_64 has a
 *      47-bit user space (task_size 0x7ffffffff000), mmap_base below the
 *      randomised stack top by the stack rlimit plus the guard gap and
 *      the stack's random range (clamped to [128M, 5/6 of user space]),
 *      minus 28 bits of page randomness; i386 has a 3G user space and 8
 *      bits. The program break starts after a randomised PIE load address
 *      (ELF_ET_DYN_BASE) plus arch_randomize_brk's 1G (i386: 32M) range.
 *      Randomness comes from the boot seed and the pid, so a script's
 *      addresses are reproducible.
 *    - get_unmapped_area: MAP_FIXED, a free hint, then the highest hole
 *      below mmap_base (vm_unmapped_area top-down, using the VMA tree's
 *      gap summaries), then bottom-up from mmap_legacy_base; anonymous
 *      private mappings whose length is a multiple of 2M are aligned to
 *      2M as thp_get_unmapped_area does on x86_64.
 *    - do_mmap/mmap_region with Linux's checks in Linux's order, VM_ACCOUNT
 *      and overcommit (mm/vma.c: vm.overcommit_memory; MAP_NORESERVE
 *      ignored when strict), MAP_FIXED replacing old mappings
 *      (split at its ends before the address-space and overcommit checks,
 *      which leave them split when they fail; a failure after they went
 *      leaves a hole, as Linux 6.18's __mmap_region does), MAP_FIXED_NOREPLACE, merging with neighbours, a shmem object per
 *      shared anonymous mapping; brk with do_brk_flags. PROT_EXEC alone
 *      maps with the execute-only protection key (mm/pkeys.c).
 *
 * 2. Objects. See mm/vma.c.
 *
 * 3. Invariants. See mm_verify() in mm/vma.c.
 *
 *    - MAP_HUGETLB maps an anonymous hugetlbfs file of huge pages
 *      (mm/hugetlb.c), at an address aligned to the huge page size.
 *
 * 4. Departures. No personality (READ_IMPLIES_EXEC), MAP_32BIT,
 *    MAP_SYNC, MAP_DROPPABLE or file seals. A mapping that
 *    fails after the old ones went (a VMA or shmem allocation) releases
 *    their commit charge with its own (Linux keeps theirs charged).
 *
 * 5. Ordering. System calls take the mmap lock; do_* functions expect it.
 *
 * 6. Observability. /proc/PID/maps, smaps, status; /proc/meminfo
 *    Committed_AS.
 */
#include "mm/hugetlb.h"
#include "lib/avltree.h"

#include <mmkit/slab.h>

/* ---- layout ---- */

static uint64_t layout_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void mm_layout_init(struct mm_struct *mm, unsigned int seed)
{
	bool is64 = mm->machine->arch->arch == MMK_ARCH_X86_64;
	uint64_t st = mm->machine->cfg.seed * 0x100000001b3ULL + seed;
	unsigned long stack_rnd_mask = is64 ? 0x3fffff : 0x7ff;
	unsigned long mmap_rnd_bits = is64 ? 28 : 8;
	unsigned long stack_top, gap, pad, gap_min = 128UL << 20, gap_max;
	unsigned long rnd, load, brk_range;

	mm->task_size = is64 ? 0x7ffffffff000UL : 0xc0000000UL;
	/* mmap_is_legacy(): bottom-up from mmap_legacy_base if asked. */
	mm->topdown = !atomic_load(&mm_state()->legacy_va_layout);
	gap_max = mm->task_size / 6 * 5;
	/* randomize_stack_top() */
	stack_top = mm->task_size -
		    ((layout_random(&st) & stack_rnd_mask) << PAGE_SHIFT);
	mm->start_stack = stack_top;
	/* mmap_base(): leave room for the stack to grow. */
	pad = STACK_GUARD_GAP + (stack_rnd_mask << PAGE_SHIFT);
	gap = (8UL << 20) + pad;
	gap = clamp(gap, gap_min, gap_max);
	rnd = (layout_random(&st) & ((1UL << mmap_rnd_bits) - 1)) << PAGE_SHIFT;
	mm->mmap_base = PAGE_ALIGN(mm->task_size - gap - rnd);
	mm->mmap_legacy_base = PAGE_ALIGN(mm->task_size / 3) + rnd;
	/* A PIE loaded at ELF_ET_DYN_BASE plus arch_mmap_rnd(), then the
	 * break randomised by arch_randomize_brk(). */
	load = is64 ? (0x7ffffffff000UL / 3 * 2) & PAGE_MASK : 0x00400000UL;
	load += rnd & (is64 ? ~0UL : 0xffffffUL);
	brk_range = is64 ? 1UL << 30 : 32UL << 20;
	mm->start_brk = PAGE_ALIGN(load) +
			((layout_random(&st) % (brk_range >> PAGE_SHIFT))
			 << PAGE_SHIFT);
	mm->brk = mm->start_brk;
}

/* ---- protection ---- */

/* The flags every mmap accepts; MAP_SHARED_VALIDATE refuses others. */
#define LEGACY_MAP_MASK                                                       \
	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS |               \
	 MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | \
	 MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK |           \
	 MAP_STACK | MAP_HUGETLB)

unsigned long calc_vm_prot_bits(unsigned long prot, int pkey)
{
	return ((prot & PROT_READ) ? VM_READ : 0) |
	       ((prot & PROT_WRITE) ? VM_WRITE : 0) |
	       ((prot & PROT_EXEC) ? VM_EXEC : 0) |
	       ((unsigned long)(pkey & 0xf) << VM_PKEY_SHIFT);
}

static unsigned long calc_vm_flag_bits(unsigned long flags)
{
	/* MAP_STACK asks for no huge pages (6.7+, with THP). */
	return ((flags & MAP_GROWSDOWN) ? VM_GROWSDOWN : 0) |
	       ((flags & MAP_LOCKED) ? VM_LOCKED : 0) |
	       ((flags & MAP_STACK) ? VM_NOHUGEPAGE : 0);
}

/* vm_get_page_prot(): x86 PTE bits (mm/pgtable.h); private writable
 * mappings are mapped read-only until a write (COW). */
void vma_set_page_prot(struct vm_area_struct *vma)
{
	unsigned long f = vma->vm_flags, prot;

	if (!(f & VM_ACCESS_FLAGS)) {
		prot = _PAGE_PROTNONE | _PAGE_ACCESSED;
	} else {
		prot = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
		/* Shared writable memory is mapped writable, except that a
		 * regular file wants to hear of the first write to each page
		 * (vma_wants_writenotify: dirty tracking); shmem does not. */
		if ((f & VM_WRITE) && (f & VM_SHARED) &&
		    (!vma->vm_file || vma->vm_file->shmem))
			prot |= _PAGE_RW;
	}
	/* x86_64's entries also carry the NX bit and the protection key
	 * (arch_vm_get_page_prot). */
	if (vma->vm_mm->machine->arch->arch == MMK_ARCH_X86_64) {
		if (!(f & VM_EXEC))
			prot |= _PAGE_NX;
		prot |= (unsigned long)vma_pkey(vma) << _PAGE_PKEY_SHIFT;
	}
	vma->vm_page_prot = prot;
}

/* ---- get_unmapped_area ---- */

struct unmapped_area_info {
	unsigned long length, low_limit, high_limit;
	unsigned long align_mask; /* hugetlb: the address is aligned so */
};

static unsigned long gap_start_of(const struct vm_area_struct *v)
{
	return v->vm_prev ? vm_end_gap(v->vm_prev) : 0;
}

/* Highest fit in the subtree at @n, or 0 (a fit never starts at 0:
 * low_limit is at least mmap_min_addr). */
static unsigned long topdown_search(const struct avl_node *n,
				    const struct unmapped_area_info *info)
{
	const struct vm_area_struct *v;
	unsigned long len = info->length, r, top;

	if (!n)
		return 0;
	v = vma_of(n);
	if (v->rb_subtree_gap < len)
		return 0;
	if (v->vm_end <= info->high_limit - len) {
		r = topdown_search(n->right, info);
		if (r)
			return r;
	}
	top = min(vm_start_gap(v), info->high_limit);
	if (top >= len && top - len >= max(gap_start_of(v), info->low_limit))
		return top - len;
	if (v->vm_start < info->low_limit + len)
		return 0;
	return topdown_search(n->left, info);
}

static unsigned long bottomup_search(const struct avl_node *n,
				     const struct unmapped_area_info *info)
{
	const struct vm_area_struct *v;
	unsigned long len = info->length, r, lo;

	if (!n)
		return 0;
	v = vma_of(n);
	if (v->rb_subtree_gap < len)
		return 0;
	if (v->vm_start >= info->low_limit + len) {
		r = bottomup_search(n->left, info);
		if (r)
			return r;
	}
	lo = max(gap_start_of(v), info->low_limit);
	if (lo + len <= min(vm_start_gap(v), info->high_limit))
		return lo;
	if (v->vm_end > info->high_limit - len)
		return 0;
	return bottomup_search(n->right, info);
}

static unsigned long vm_unmapped_area(struct mm_struct *mm,
				      struct unmapped_area_info *info,
				      bool topdown)
{
	struct avl_root root = { mm->mm_rb, NULL };
	const struct avl_node *n = avl_last(&root);
	const struct vm_area_struct *last = n ? vma_of(n) : NULL;
	unsigned long len = info->length + info->align_mask, end, r;

	/* The search asks for room for the worst alignment, then aligns
	 * within it (down from the top, or up from the bottom). */
	if (len < info->length)
		return (unsigned long)-ENOMEM;
	info->length = len;
	info->low_limit = max(info->low_limit, MMAP_MIN_ADDR);
	if (info->high_limit < len || info->high_limit - len < info->low_limit)
		return (unsigned long)-ENOMEM;
	end = last ? vm_end_gap(last) : 0;
	if (topdown) {
		/* The hole above the highest VMA first. */
		if (info->high_limit - len >= max(end, info->low_limit))
			r = info->high_limit - len;
		else
			r = topdown_search(mm->mm_rb, info);
	} else {
		r = bottomup_search(mm->mm_rb, info);
		if (!r && max(end, info->low_limit) + len <= info->high_limit)
			r = max(end, info->low_limit);
	}
	if (!r)
		return (unsigned long)-ENOMEM;
	return (r + info->align_mask) & ~info->align_mask;
}

static bool hint_fits(struct mm_struct *mm, unsigned long addr,
		      unsigned long len)
{
	struct vm_area_struct *vma;

	if (mm->task_size - len < addr)
		return false;
	vma = find_vma(mm, addr);
	return !vma || addr + len <= vm_start_gap(vma);
}

static unsigned long arch_get_unmapped_area(struct mm_struct *mm,
					    unsigned long addr,
					    unsigned long len,
					    unsigned long flags,
					    unsigned long align_mask)
{
	struct unmapped_area_info info;

	if (flags & MAP_FIXED)
		return addr;
	if (len > mm->task_size)
		return (unsigned long)-ENOMEM;
	if (addr) {
		addr = PAGE_ALIGN(addr);
		if (hint_fits(mm, addr, len))
			return addr;
	}
	info.length = len;
	info.low_limit = mm->mmap_legacy_base;
	info.high_limit = mm->task_size;
	info.align_mask = align_mask;
	return vm_unmapped_area(mm, &info, false);
}

static unsigned long arch_get_unmapped_area_topdown(struct mm_struct *mm,
						    unsigned long addr,
						    unsigned long len,
						    unsigned long flags,
						    unsigned long align_mask)
{
	struct unmapped_area_info info;
	unsigned long addr0 = addr, r;

	if (len > mm->task_size)
		return (unsigned long)-ENOMEM;
	if (flags & MAP_FIXED)
		return addr;
	if (addr) {
		addr &= PAGE_MASK;
		if (hint_fits(mm, addr, len))
			return addr;
	}
	info.length = len;
	info.low_limit = PAGE_SIZE;
	info.high_limit = mm->mmap_base;
	info.align_mask = align_mask;
	r = vm_unmapped_area(mm, &info, true);
	if (!IS_ERR_VALUE(r))
		return r;
	return arch_get_unmapped_area(mm, addr0, len, flags, align_mask);
}

static unsigned long mm_get_unmapped_area_aligned(struct mm_struct *mm,
						  unsigned long addr,
						  unsigned long len,
						  unsigned long flags,
						  unsigned long align_mask)
{
	if (mm->topdown)
		return arch_get_unmapped_area_topdown(mm, addr, len, flags,
						      align_mask);
	return arch_get_unmapped_area(mm, addr, len, flags, align_mask);
}

static unsigned long mm_get_unmapped_area(struct mm_struct *mm,
					  unsigned long addr, unsigned long len,
					  unsigned long flags)
{
	return mm_get_unmapped_area_aligned(mm, addr, len, flags, 0);
}

/* hugetlb_get_unmapped_area(): whole huge pages at a huge page boundary;
 * a hint is rounded up to one. */
static unsigned long hugetlb_get_unmapped_area(struct mm_struct *mm,
					       unsigned long addr,
					       unsigned long len,
					       unsigned long flags)
{
	unsigned long mask = huge_page_size(mm->machine) - 1;

	if (len & mask)
		return (unsigned long)-EINVAL;
	if (len > mm->task_size)
		return (unsigned long)-ENOMEM;
	if (flags & MAP_FIXED)
		return addr & mask ? (unsigned long)-EINVAL : addr;
	if (addr)
		addr = (addr + mask) & ~mask;
	return mm_get_unmapped_area_aligned(mm, addr, len, flags, mask);
}

/* __thp_get_unmapped_area() for an anonymous mapping (offset 0). */
static unsigned long thp_get_unmapped_area(struct mm_struct *mm,
					   unsigned long addr,
					   unsigned long len,
					   unsigned long flags)
{
	unsigned long len_pad = len + PMD_SIZE, ret, off_sub;

	if (mm->machine->arch->arch != MMK_ARCH_X86_64 || len < PMD_SIZE ||
	    len_pad < len)
		return mm_get_unmapped_area(mm, addr, len, flags);
	ret = mm_get_unmapped_area(mm, addr, len_pad, flags);
	if (IS_ERR_VALUE(ret))
		return mm_get_unmapped_area(mm, addr, len, flags);
	if (ret == addr)
		return addr;
	off_sub = (0 - ret) & (PMD_SIZE - 1);
	if (mm->topdown && !off_sub)
		return ret + PMD_SIZE;
	return ret + off_sub;
}

unsigned long get_unmapped_area(struct mm_struct *mm, struct file *file,
				unsigned long addr, unsigned long len,
				unsigned long pgoff, unsigned long flags,
				unsigned long vm_flags)
{
	(void)pgoff;
	(void)vm_flags;
	if (len > mm->task_size)
		return (unsigned long)-ENOMEM;
	if (file && file->hugetlb)
		addr = hugetlb_get_unmapped_area(mm, addr, len, flags);
	else if (!file && !(flags & MAP_SHARED) && !(flags & MAP_FIXED) &&
		 !addr && IS_ALIGNED(len, PMD_SIZE))
		addr = thp_get_unmapped_area(mm, addr, len, flags);
	else
		addr = mm_get_unmapped_area(mm, addr, len, flags);
	if (IS_ERR_VALUE(addr))
		return addr;
	if (addr > mm->task_size - len)
		return (unsigned long)-ENOMEM;
	if (addr & ~PAGE_MASK)
		return (unsigned long)-EINVAL;
	/* security_mmap_addr(): below mmap_min_addr needs CAP_SYS_RAWIO. */
	if (addr < MMAP_MIN_ADDR && !capable(mm))
		return (unsigned long)-EPERM;
	return addr;
}

/* ---- mmap ---- */

static bool accountable_mapping(const struct file *file, unsigned long vm_flags)
{
	/* Huge pages have their own reservations. */
	if (file && file->hugetlb)
		return false;
	return (vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE;
}

static unsigned long __mmap_region(struct mm_struct *mm, struct file *file,
				   unsigned long addr, unsigned long len,
				   unsigned long vm_flags, unsigned long pgoff)
{
	unsigned long end = addr + len, pglen = len >> PAGE_SHIFT;
	unsigned long charged = 0;
	struct vm_area_struct *vma, *prev, *next;
	struct file *shm = NULL;
	bool accountable = accountable_mapping(file, vm_flags);
	int err;

	/* __mmap_setup(): the VMAs the mapping replaces are gathered first,
	 * split at its ends (vms_gather_munmap_vmas fails first on
	 * map_count, then on a sealed VMA); the address-space limit and the
	 * commit charge are checked next, and a failure there leaves the
	 * splits in place (Linux reattaches the split VMAs). */
	err = vms_gather_munmap_vmas(mm, addr, end);
	if (err)
		return (unsigned long)(long)err;
	if (!may_expand_vm(mm, vm_flags, pglen) &&
	    !may_expand_vm(mm, vm_flags,
			   pglen - count_vma_pages_range(mm, addr, end, 0)))
		return (unsigned long)-ENOMEM;
	if (accountable) {
		charged = pglen -
			  count_vma_pages_range(mm, addr, end, VM_ACCOUNT);
		if (charged && security_vm_enough_memory_mm(mm, (long)charged))
			return (unsigned long)-ENOMEM;
		vm_flags |= VM_ACCOUNT;
	}
	/* vms_clean_up_area(): the old mappings go now, so a failure from
	 * here on leaves a hole where they were (vms_abort_munmap_vmas). The
	 * range is whole VMAs, so this unmap needs no split and cannot
	 * fail. */
	do_vmi_munmap(mm, addr, len, !accountable);
	/* A merge first; else __mmap_new_vma(): the VMA, then for a shared
	 * anonymous mapping its shmem object (shmem_zero_setup:
	 * shmem_acct_size(), then the file). */
	next = find_vma_prev(mm, addr, &prev);
	vma = NULL;
	/* PR_SET_MEMORY_MERGE: VM_MERGEABLE before the merge is tried, so
	 * that it can merge (Linux 6.16's ksm_vma_flags()). */
	vm_flags = ksm_vma_flags(mm, vm_flags);
	if (file || !(vm_flags & VM_SHARED))
		vma = vma_merge_new_range(mm, prev, next, addr, end, vm_flags,
					  file, pgoff, NULL, NULL, NULL);
	if (!vma) {
		vma = vm_area_alloc(mm);
		if (!vma)
			goto unacct;
		if (!file && (vm_flags & VM_SHARED)) {
			if (!(vm_flags & VM_NORESERVE) &&
			    security_vm_enough_memory_mm(mm, (long)pglen))
				goto free_vma;
			shm = shmem_file_setup(len);
			if (!shm) {
				if (!(vm_flags & VM_NORESERVE))
					vm_unacct_memory((long)pglen);
				goto free_vma;
			}
			if (vm_flags & VM_NORESERVE)
				shm->acct_blocks = true;
			else
				shm->acct_pages = pglen;
		}
		vma->vm_start = addr;
		vma->vm_end = end;
		vma->vm_flags = vm_flags;
		vma->vm_pgoff = shm ? 0 : pgoff;
		vma->vm_file = shm ? shm : (file ? get_file(file) : NULL);
		vma_set_page_prot(vma);
		vma_link(mm, vma);
		/* hugetlbfs_file_mmap(): the pool backs it, or no mapping. */
		if (file && file->hugetlb && hugetlb_reserve_pages(vma)) {
			vma_unlink(mm, vma);
			vm_area_free(vma);
			return (unsigned long)-ENOMEM;
		}
	}
	vm_stat_account(mm, vm_flags, (long)pglen);
	if (vm_flags & VM_LOCKED) {
		if (vm_flags & VM_SPECIAL)
			vma->vm_flags &= ~VM_LOCKED_MASK;
		else
			mm->locked_vm += pglen;
	}
	return addr;

free_vma:
	vm_area_free(vma);
unacct:
	/* The hole releases the whole charge, the old VMAs' share that the
	 * mapping took over included (Linux keeps that share charged). */
	if (accountable)
		vm_unacct_memory((long)pglen);
	return (unsigned long)-ENOMEM;
}

/* mmap_region(): a shared mapping that may write counts as a writer of
 * its file for the whole call (mapping_map_writable), so that a write
 * seal added meanwhile fails (EBUSY) or makes this one fail (EPERM). */
static unsigned long mmap_region(struct mm_struct *mm, struct file *file,
				 unsigned long addr, unsigned long len,
				 unsigned long vm_flags, unsigned long pgoff)
{
	bool writer = file && (vm_flags & (VM_SHARED | VM_MAYWRITE)) ==
				      (VM_SHARED | VM_MAYWRITE);
	unsigned long ret;

	if (writer && !mapping_map_writable(file))
		return (unsigned long)-EPERM;
	ret = __mmap_region(mm, file, addr, len, vm_flags, pgoff);
	if (writer)
		mapping_unmap_writable(file);
	return ret;
}

unsigned long do_mmap(struct mm_struct *mm, struct file *file,
		      unsigned long addr, unsigned long len, unsigned long prot,
		      unsigned long flags, unsigned long vm_flags,
		      unsigned long pgoff, unsigned long *populate)
{
	int pkey = 0, err;

	*populate = 0;
	if (!len)
		return (unsigned long)-EINVAL;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	if (!(flags & MAP_FIXED)) {
		/* round_hint_to_min() */
		addr &= PAGE_MASK;
		if (addr && addr < MMAP_MIN_ADDR)
			addr = PAGE_ALIGN(MMAP_MIN_ADDR);
	}
	len = PAGE_ALIGN(len);
	if (!len)
		return (unsigned long)-ENOMEM;
	if (pgoff + (len >> PAGE_SHIFT) < pgoff)
		return (unsigned long)-EOVERFLOW;
	if (mm->map_count > max_map_count())
		return (unsigned long)-ENOMEM;

	addr = get_unmapped_area(mm, file, addr, len, pgoff, flags, vm_flags);
	if (IS_ERR_VALUE(addr))
		return addr;
	if ((flags & MAP_FIXED_NOREPLACE) &&
	    find_vma_intersection(mm, addr, addr + len))
		return (unsigned long)-EEXIST;

	/* Execute-only memory gets the execute-only protection key. */
	if (prot == PROT_EXEC) {
		pkey = execute_only_pkey(mm);
		if (pkey < 0)
			pkey = 0;
	}
	vm_flags |= calc_vm_prot_bits(prot, pkey) | calc_vm_flag_bits(flags) |
		    mm->def_flags | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	if ((flags & MAP_LOCKED) && !capable(mm) &&
	    rlimit(mm, MMK_RLIMIT_MEMLOCK) == 0)
		return (unsigned long)-EPERM;
	if (!mlock_future_ok(mm, vm_flags, len))
		return (unsigned long)-EAGAIN;

	if (file) {
		/* file_mmap_ok(): the offset range must fit a loff_t. */
		if (pgoff > (~0UL >> 1) >> PAGE_SHIFT ||
		    (len >> PAGE_SHIFT) > ((~0UL >> 1) >> PAGE_SHIFT) - pgoff)
			return (unsigned long)-EOVERFLOW;
		/* No file of mmkit's supports MAP_SYNC (DAX). */
		if (flags & MAP_SYNC)
			return (unsigned long)-EOPNOTSUPP;
		switch (flags & MAP_TYPE) {
		case MAP_SHARED:
		case MAP_SHARED_VALIDATE:
			if ((flags & MAP_TYPE) == MAP_SHARED_VALIDATE &&
			    (flags & ~LEGACY_MAP_MASK))
				return (unsigned long)-EOPNOTSUPP;
			if ((prot & PROT_WRITE) && !file->writable)
				return (unsigned long)-EACCES;
			vm_flags |= VM_SHARED | VM_MAYSHARE;
			if (!file->writable)
				vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
			/* fall through */
		case MAP_PRIVATE:
			if (!file->readable)
				return (unsigned long)-EACCES;
			if (vm_flags & VM_GROWSDOWN)
				return (unsigned long)-EINVAL;
			break;
		default:
			return (unsigned long)-EINVAL;
		}
		/* A write seal refuses a writable shared mapping and keeps a
		 * read-only one read-only. */
		err = memfd_check_seals_mmap(file, &vm_flags);
		if (err)
			return (unsigned long)(long)err;
	} else {
		switch (flags & MAP_TYPE) {
		case MAP_SHARED:
			if (vm_flags & VM_GROWSDOWN)
				return (unsigned long)-EINVAL;
			pgoff = 0;
			vm_flags |= VM_SHARED | VM_MAYSHARE;
			break;
		case MAP_PRIVATE:
			pgoff = addr >> PAGE_SHIFT;
			break;
		default:
			return (unsigned long)-EINVAL;
		}
	}
	/* MAP_NORESERVE is honoured unless overcommit is strict, and always
	 * by hugetlbfs, whose pages are reserved apart. */
	if ((flags & MAP_NORESERVE) &&
	    (sysctl_overcommit_memory() != OVERCOMMIT_NEVER ||
	     (file && file->hugetlb)))
		vm_flags |= VM_NORESERVE;
	if (file && file->hugetlb)
		vm_flags |= VM_HUGETLB | VM_DONTEXPAND;

	addr = mmap_region(mm, file, addr, len, vm_flags, pgoff);
	if (!IS_ERR_VALUE(addr) &&
	    ((vm_flags & VM_LOCKED) ||
	     (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE))
		*populate = len;
	return addr;
}

/* ksys_mmap_pgoff()'s MAP_HUGETLB: an anonymous hugetlbfs file of the
 * length rounded up to huge pages, mapped like a file. */
static unsigned long mmap_hugetlb(struct mm_struct *mm, unsigned long addr,
				  unsigned long len, unsigned long prot,
				  unsigned long flags, unsigned long off,
				  unsigned long *populate)
{
	struct mmk_machine *m = mm->machine;
	unsigned long size_log = (flags >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
	unsigned long mask = huge_page_size(m) - 1, ret;
	unsigned long type = flags & MAP_TYPE;
	struct file *file;

	*populate = 0;
	/* hstate_sizelog(): the default size, and on x86_64 a 1 GiB size
	 * whose pool is always empty (no gigantic pages here): its
	 * reservation fails. */
	if (size_log == 30 && m->arch->arch == MMK_ARCH_X86_64)
		return (unsigned long)-ENOMEM;
	if (size_log && size_log != PAGE_SHIFT + huge_page_order(m))
		return (unsigned long)-EINVAL;
	if (!len)
		return (unsigned long)-EINVAL;
	if (len > mm->task_size)
		return (unsigned long)-ENOMEM;
	len = (len + mask) & ~mask;
	file = hugetlb_file_setup(len, type == MAP_SHARED ||
					       type == MAP_SHARED_VALIDATE);
	if (!file)
		return (unsigned long)-ENOMEM;
	ret = do_mmap(mm, file, addr, len, prot, flags, 0, off >> PAGE_SHIFT,
		      populate);
	fput(file);
	return ret;
}

long mmk_mmap(int pid, unsigned long addr, unsigned long len,
	      unsigned long prot, unsigned long flags, struct file *file,
	      unsigned long off)
{
	struct mm_struct *mm;
	unsigned long ret, populate;

	if (off & ~PAGE_MASK)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS) && !file)
		return -EBADF;
	if (flags & MAP_ANONYMOUS)
		file = NULL;
	else if ((flags & MAP_HUGETLB) && !file->hugetlb)
		return -EINVAL;
	mm = syscall_mm_lock(pid);
	if (!mm)
		return -ESRCH;
	if (!file && (flags & MAP_HUGETLB)) {
		ret = mmap_hugetlb(mm, addr, len, prot, flags, off, &populate);
	} else {
		ret = do_mmap(mm, file, addr, len, prot, flags, 0,
			      off >> PAGE_SHIFT, &populate);
	}
	if (populate)
		mm_populate(mm, ret, populate);
	syscall_mm_unlock(mm);
	return (long)ret;
}

/* ---- munmap ---- */

int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	return do_vmi_munmap(mm, start, len, true);
}

long mmk_munmap(int pid, unsigned long addr, unsigned long len)
{
	struct mm_struct *mm = syscall_mm_lock(pid);
	int ret;

	if (!mm)
		return -ESRCH;
	ret = do_munmap(mm, addr, len);
	syscall_mm_unlock(mm);
	return ret;
}

/* ---- brk ---- */

int do_brk_flags(struct mm_struct *mm, unsigned long addr, unsigned long len,
		 unsigned long flags)
{
	struct vm_area_struct *vma, *prev, *next;
	unsigned long pglen = len >> PAGE_SHIFT;

	flags |= VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC |
		 VM_ACCOUNT | mm->def_flags;
	flags = ksm_vma_flags(mm, flags);
	if (!may_expand_vm(mm, flags, pglen))
		return -ENOMEM;
	if (mm->map_count > max_map_count())
		return -ENOMEM;
	if (security_vm_enough_memory_mm(mm, (long)pglen))
		return -ENOMEM;
	vma = find_vma_prev(mm, addr, &prev);
	next = vma;
	vma = NULL;
	/* The VMA ending at the old break expands if it ends above
	 * start_brk (vma_prev_limit(vmi, mm->start_brk)), wherever it
	 * starts. */
	if (prev && prev->vm_end == addr && prev->vm_end > mm->start_brk)
		vma = vma_merge_new_range(mm, prev, next, addr, addr + len,
					  flags, NULL, addr >> PAGE_SHIFT, NULL,
					  NULL, NULL);
	if (!vma) {
		vma = vm_area_alloc(mm);
		if (!vma) {
			vm_unacct_memory((long)pglen);
			return -ENOMEM;
		}
		vma->vm_start = addr;
		vma->vm_end = addr + len;
		vma->vm_pgoff = addr >> PAGE_SHIFT;
		vma->vm_flags = flags;
		vma_set_page_prot(vma);
		vma_link(mm, vma);
	}
	vm_stat_account(mm, flags, (long)pglen);
	if (flags & VM_LOCKED)
		mm->locked_vm += pglen;
	return 0;
}

long mmk_brk(int pid, unsigned long brk)
{
	struct mm_struct *mm = syscall_mm_lock(pid);
	unsigned long origbrk, newbrk, oldbrk, data_lim;
	struct vm_area_struct *next;
	bool populate = false;

	if (!mm)
		return -ESRCH;
	origbrk = mm->brk;
	if (brk < mm->start_brk)
		goto out;
	data_lim = rlimit(mm, MMK_RLIMIT_DATA);
	/* check_data_rlimit() */
	if (data_lim != MMK_RLIM_INFINITY &&
	    (brk - mm->start_brk) + (mm->end_data - mm->start_data) > data_lim)
		goto out;
	newbrk = PAGE_ALIGN(brk);
	oldbrk = PAGE_ALIGN(mm->brk);
	if (oldbrk == newbrk) {
		mm->brk = brk;
		goto success;
	}
	if (brk <= mm->brk) {
		/* Shrinking: unmap what is above the new break - if a VMA
		 * is there at all (vma_find(&vmi, oldbrk)); else the break
		 * stays where it was. */
		if (!find_vma_intersection(mm, newbrk, oldbrk))
			goto out;
		mm->brk = brk;
		if (do_vmi_munmap(mm, newbrk, oldbrk - newbrk, true)) {
			mm->brk = origbrk;
			goto out;
		}
		goto success;
	}
	/* check_brk_limits() */
	if (IS_ERR_VALUE(get_unmapped_area(mm, NULL, oldbrk, newbrk - oldbrk, 0,
					   MAP_FIXED, 0)))
		goto out;
	if (!mlock_future_ok(mm, mm->def_flags, newbrk - oldbrk))
		goto out;
	next = find_vma(mm, oldbrk);
	if (next && newbrk + PAGE_SIZE > vm_start_gap(next))
		goto out;
	if (do_brk_flags(mm, oldbrk, newbrk - oldbrk, 0) < 0)
		goto out;
	mm->brk = brk;
	populate = mm->def_flags & VM_LOCKED;
success:
	if (populate && oldbrk < newbrk)
		mm_populate(mm, oldbrk, newbrk - oldbrk);
	syscall_mm_unlock(mm);
	return (long)brk;
out:
	mm->brk = origbrk;
	syscall_mm_unlock(mm);
	return (long)origbrk;
}
