/* SPDX-License-Identifier: MIT */
/*
 * VMAs: the address-ordered tree, splitting, merging and unmapping that
 * every address-space system call is built from (Linux's mm/vma.c).
 *
 * 1. What it models. Each process's VMAs in an AVL tree ordered by
 *    address and in a doubly linked list (Linux 4.x's mm->mmap list and
 *    augmented rbtree). Every tree node also knows the largest free gap
 *    below any VMA of its subtree (rb_subtree_gap, the gap before a VMA
 *    counting the stack guard gap), so get_unmapped_area finds a hole in
 *    O(log n). Splits and merges follow Linux 6.18's rules exactly
 *    (shared/LINUX-VMA-RULES.md): vma_merge_new_range for a new range
 *    next to existing VMAs (mmap, brk, mremap), vma_merge_existing_range
 *    when part of a VMA changes flags (mprotect, mlock, madvise), and
 *    is_mergeable_anon_vma's three cases for anon_vma compatibility.
 *
 * 2. Objects. mm_struct -> vm_area_struct (from the "vm_area_struct"
 *    kmem_cache) -> file, anon_vma.
 *
 * 3. Invariants (mm_verify). VMAs are sorted, non-empty, page aligned,
 *    do not overlap, lie below task_size; the list and the tree hold the
 *    same VMAs in the same order; tree heights balance and every node's
 *    rb_subtree_gap is exact; map_count, total_vm, data_vm, exec_vm,
 *    stack_vm and locked_vm equal the sums over the VMAs.
 *
 * 4. Departures. No maple tree (an augmented AVL tree has the same
 *    complexity); no per-VMA locks (the mmap lock serialises changes); no
 *    userfaultfd or anon names, so those merge conditions are always
 *    equal. The mempolicy condition is mpol_equal() of the policies,
 *    which VMAs hold by value (mm/mempolicy.c): vma_modify_policy() is
 *    mbind's vma_modify.
 *
 * 5. Ordering. The caller holds mm->mmap_lock.
 *
 * 6. Observability. /proc/PID/maps, smaps and status; `check`.
 */
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "lib/avltree.h"
#include <mmkit/slab.h>

/* ---- tree ---- */

static unsigned long vma_compute_gap(const struct vm_area_struct *vma)
{
	unsigned long gap = vm_start_gap(vma), prev_end;

	if (vma->vm_prev) {
		prev_end = vm_end_gap(vma->vm_prev);
		gap = gap > prev_end ? gap - prev_end : 0;
	}
	return gap;
}

static unsigned long subtree_gap(const struct avl_node *n)
{
	return n ? vma_of(n)->rb_subtree_gap : 0;
}

static void vma_gap_propagate(struct avl_node *n)
{
	struct vm_area_struct *vma = vma_of(n);
	unsigned long gap = vma_compute_gap(vma);

	gap = max(gap, subtree_gap(n->left));
	vma->rb_subtree_gap = max(gap, subtree_gap(n->right));
}

#define MM_ROOT(mm)                            \
	{                                      \
		(mm)->mm_rb, vma_gap_propagate \
	}

static void vma_gap_update(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct avl_root root = MM_ROOT(mm);

	if (!vma)
		return;
	avl_update(&root, &vma->vm_rb);
	mm->mm_rb = root.node;
}

struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *cached = mm->vmacache, *found = NULL;
	struct avl_node *n = mm->mm_rb;

	if (cached && cached->vm_start <= addr && cached->vm_end > addr)
		return cached;
	while (n) {
		struct vm_area_struct *v = vma_of(n);

		if (v->vm_end > addr) {
			found = v;
			if (v->vm_start <= addr)
				break;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	if (found)
		mm->vmacache = found;
	return found;
}

struct vm_area_struct *find_vma_prev(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **pprev)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	if (vma) {
		*pprev = vma->vm_prev;
	} else {
		struct avl_node *last = avl_last(&(struct avl_root)MM_ROOT(mm));

		*pprev = last ? vma_of(last) : NULL;
	}
	return vma;
}

struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
					     unsigned long start,
					     unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	return vma && vma->vm_start < end ? vma : NULL;
}

struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && vma->vm_start <= addr ? vma : NULL;
}

void vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct avl_root root = MM_ROOT(mm);
	struct avl_node **link = &root.node, *parent = NULL;
	struct vm_area_struct *prev = NULL, *next = NULL;
	bool left = false;

	while (*link) {
		struct vm_area_struct *v = vma_of(*link);

		parent = *link;
		if (vma->vm_start < v->vm_start) {
			next = v;
			link = &parent->left;
			left = true;
		} else {
			prev = v;
			link = &parent->right;
			left = false;
		}
	}
	/* vma->vm_mm was set by vm_area_alloc (reclaim's rmap walks read it
	 * through the anon_vma chains without this mm's lock). */
	vma->vm_prev = prev;
	vma->vm_next = next;
	if (prev)
		prev->vm_next = vma;
	else
		mm->mmap = vma;
	if (next)
		next->vm_prev = vma;
	avl_insert(&root, &vma->vm_rb, parent, left);
	mm->mm_rb = root.node;
	vma_gap_update(mm, next);
	mm->map_count++;
	vma_file_link(vma);
}

void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct avl_root root = MM_ROOT(mm);
	struct vm_area_struct *next = vma->vm_next;

	if (vma->vm_prev)
		vma->vm_prev->vm_next = next;
	else
		mm->mmap = next;
	if (next)
		next->vm_prev = vma->vm_prev;
	avl_erase(&root, &vma->vm_rb);
	mm->mm_rb = root.node;
	vma_gap_update(mm, next);
	if (mm->vmacache == vma)
		mm->vmacache = NULL;
	vma->vm_next = vma->vm_prev = NULL;
	mm->map_count--;
	vma_file_unlink(vma);
}

void vma_set_range(struct vm_area_struct *vma, unsigned long start,
		   unsigned long end, unsigned long pgoff)
{
	/* vma_adjust_trans_huge(): a huge page across a new boundary goes
	 * (none can lie across an old one). */
	if (vma->vm_mm && (start != vma->vm_start || end != vma->vm_end))
		vma_adjust_trans_huge(vma, start, end, NULL);
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_pgoff = pgoff;
	if (vma->vm_mm && vma->vm_mm->mm_rb) {
		vma_gap_update(vma->vm_mm, vma);
		vma_gap_update(vma->vm_mm, vma->vm_next);
	}
}

/* ---- VMA objects ---- */

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma =
		kmem_cache_zalloc(mm_state()->vma_cachep, GFP_KERNEL);

	if (vma) {
		vma->vm_mm = mm;
		vma_rmap_init(vma);
	}
	return vma;
}

struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig)
{
	struct vm_area_struct *vma = vm_area_alloc(orig->vm_mm);

	if (!vma)
		return NULL;
	vma->vm_start = orig->vm_start;
	vma->vm_end = orig->vm_end;
	vma->vm_flags = orig->vm_flags;
	vma->vm_page_prot = orig->vm_page_prot;
	vma->vm_pgoff = orig->vm_pgoff;
	vma->vm_policy = orig->vm_policy;
	vma->hugetlb_resv = orig->hugetlb_resv;
	if (anon_vma_clone(vma, orig)) {
		kmem_cache_free(mm_state()->vma_cachep, vma);
		return NULL;
	}
	vma->vm_file = orig->vm_file ? get_file(orig->vm_file) : NULL;
	return vma;
}

void vm_area_free(struct vm_area_struct *vma)
{
	vma_file_unlink(vma);
	unlink_anon_vmas(vma);
	if (vma->vm_file)
		fput(vma->vm_file);
	kmem_cache_free(mm_state()->vma_cachep, vma);
}

static void remove_vma(struct mm_struct *mm, struct vm_area_struct *vma)
{
	/* vm_ops->close */
	if (is_vm_hugetlb_page(vma))
		hugetlb_vm_op_close(vma);
	vma_unlink(mm, vma);
	vm_area_free(vma);
}

/* ---- accounting ---- */

void vm_stat_account(struct mm_struct *mm, unsigned long flags, long npages)
{
	/* The OOM killer reports other processes' total_vm unlocked. */
	__atomic_store_n(&mm->total_vm, mm->total_vm + (unsigned long)npages,
			 __ATOMIC_RELAXED);
	if (is_exec_mapping(flags))
		mm->exec_vm += (unsigned long)npages;
	else if (is_stack_mapping(flags))
		mm->stack_vm += (unsigned long)npages;
	else if (is_data_mapping(flags))
		mm->data_vm += (unsigned long)npages;
}

bool may_expand_vm(struct mm_struct *mm, unsigned long flags,
		   unsigned long npages)
{
	unsigned long as = rlimit(mm, MMK_RLIMIT_AS);
	unsigned long data = rlimit(mm, MMK_RLIMIT_DATA);

	if (as != MMK_RLIM_INFINITY && mm->total_vm + npages > as >> PAGE_SHIFT)
		return false;
	if (is_data_mapping(flags) && data != MMK_RLIM_INFINITY &&
	    mm->data_vm + npages > data >> PAGE_SHIFT)
		return false;
	return true;
}

bool mlock_future_ok(struct mm_struct *mm, unsigned long flags,
		     unsigned long bytes)
{
	unsigned long limit = rlimit(mm, MMK_RLIMIT_MEMLOCK);

	if (!(flags & VM_LOCKED) || capable(mm) || limit == MMK_RLIM_INFINITY)
		return true;
	return (bytes >> PAGE_SHIFT) + mm->locked_vm <= limit >> PAGE_SHIFT;
}

unsigned long totalram_pages(struct mmk_machine *m)
{
	unsigned long pages = 0;
	struct zone *zone;
	int nid;

	for_each_online_node(m, nid)
		for_each_zone_in_node(m->node_data[nid], zone)
			pages += zone_managed_pages(zone);
	return pages;
}

void vm_acct_memory(long pages)
{
	atomic_fetch_add(&mm_state()->vm_committed_as, pages);
}

void vm_unacct_memory(long pages)
{
	atomic_fetch_sub(&mm_state()->vm_committed_as, pages);
}

unsigned long vm_commit_limit(struct mmk_machine *m)
{
	struct mm_state *ms = m->mm;
	/* A machine without processes (mmk_boot_allocators()) has the
	 * sysctls' defaults. */
	unsigned long kbytes = ms ? atomic_load(&ms->overcommit_kbytes) : 0;
	long ratio = ms ? atomic_load(&ms->overcommit_ratio) :
			  DEFAULT_OVERCOMMIT_RATIO;

	if (kbytes)
		return (kbytes >> (PAGE_SHIFT - 10)) + total_swap_pages(m);
	return (totalram_pages(m) - hugetlb_total_pages(m)) *
		       (unsigned long)ratio / 100 +
	       total_swap_pages(m);
}

void mm_reserves_init(struct mmk_machine *m)
{
	unsigned long free_kb = global_zone_page_state(m, NR_FREE_PAGES)
				<< (PAGE_SHIFT - 10);

	atomic_store(&m->mm->admin_reserve_kbytes, min(free_kb / 32, 8192UL));
	atomic_store(&m->mm->user_reserve_kbytes, min(free_kb / 32, 131072UL));
}

int mmk_set_overcommit_memory(int mode)
{
	if (!mmk_cur() || mode < OVERCOMMIT_GUESS || mode > OVERCOMMIT_NEVER)
		return -EINVAL;
	return atomic_exchange(&mm_state()->overcommit_memory, mode);
}

long mmk_set_overcommit_ratio(long ratio)
{
	if (!mmk_cur() || ratio < 0 || ratio > INT_MAX)
		return -EINVAL;
	/* overcommit_ratio_handler(): the ratio rules from now on. */
	atomic_store(&mm_state()->overcommit_kbytes, 0);
	return atomic_exchange(&mm_state()->overcommit_ratio, ratio);
}

long mmk_set_overcommit_kbytes(unsigned long kbytes)
{
	if (!mmk_cur() || kbytes > LONG_MAX)
		return -EINVAL;
	/* overcommit_kbytes_handler(): nonzero, it replaces the ratio. */
	if (kbytes)
		atomic_store(&mm_state()->overcommit_ratio, 0);
	return (long)atomic_exchange(&mm_state()->overcommit_kbytes, kbytes);
}

long mmk_set_reserve_kbytes(bool admin, unsigned long kbytes)
{
	if (!mmk_cur() || kbytes > LONG_MAX)
		return -EINVAL;
	return (long)atomic_exchange(admin ? &mm_state()->admin_reserve_kbytes :
					     &mm_state()->user_reserve_kbytes,
				     kbytes);
}

/*
 * __vm_enough_memory(): the charge of @pages is added to Committed_AS
 * and allowed by vm.overcommit_memory's policy: always (1); unless the
 * request alone exceeds RAM and swap (0, the heuristic); or while
 * Committed_AS stays below CommitLimit, less admin_reserve_kbytes for an
 * unprivileged process and the smaller of user_reserve_kbytes and a
 * 32nd of the process's size (2, strict). A refusal is logged and
 * undone: -ENOMEM.
 */
int security_vm_enough_memory_mm(struct mm_struct *mm, long pages)
{
	struct mmk_machine *m = mm ? mm->machine : mmk_cur();
	struct mm_state *ms = m->mm;
	long allowed, reserve;

	vm_acct_memory(pages);
	switch (sysctl_overcommit_memory()) {
	case OVERCOMMIT_ALWAYS:
		return 0;
	case OVERCOMMIT_GUESS:
		if ((unsigned long)pages <=
		    totalram_pages(m) + total_swap_pages(m))
			return 0;
		break;
	default:
		allowed = (long)vm_commit_limit(m);
		if (mm && !capable(mm))
			allowed -=
				(long)(atomic_load(&ms->admin_reserve_kbytes) >>
				       (PAGE_SHIFT - 10));
		reserve = (long)(atomic_load(&ms->user_reserve_kbytes) >>
				 (PAGE_SHIFT - 10));
		allowed -= min((long)(mm ? mm->total_vm / 32 : 0), reserve);
		if (atomic_load(&ms->vm_committed_as) < allowed)
			return 0;
		break;
	}
	/* pr_warn_ratelimited: every refusal here, so that a script's log
	 * does not depend on time. */
	printk(m,
	       "__vm_enough_memory: pid: %d, comm: mmkit, bytes: %lu not enough memory for the allocation",
	       mm && mm->owner ? mm->owner->pid : 0,
	       (unsigned long)pages << PAGE_SHIFT);
	vm_unacct_memory(pages);
	return -ENOMEM;
}

unsigned long count_vma_pages_range(struct mm_struct *mm, unsigned long start,
				    unsigned long end, unsigned long flags)
{
	struct vm_area_struct *vma = find_vma_intersection(mm, start, end);
	unsigned long pages = 0;

	for (; vma && vma->vm_start < end; vma = vma->vm_next)
		if ((vma->vm_flags & flags) == flags)
			pages += (min(end, vma->vm_end) -
				  max(start, vma->vm_start)) >>
				 PAGE_SHIFT;
	return pages;
}

/* ---- split ---- */

/*
 * Split @vma at @addr. With @new_below the new VMA is the part below @addr,
 * else the part above; @vma keeps the other part.
 */
int __split_vma(struct mm_struct *mm, struct vm_area_struct *vma,
		unsigned long addr, int new_below)
{
	struct vm_area_struct *new;
	unsigned long off = (addr - vma->vm_start) >> PAGE_SHIFT;

	/* vm_ops->may_split: hugetlb_vm_op_split(). */
	if (is_vm_hugetlb_page(vma) && !hugetlb_may_split(vma, addr))
		return -EINVAL;
	new = vm_area_dup(vma);
	if (!new)
		return -ENOMEM;
	if (new_below) {
		new->vm_end = addr;
		vma_set_range(vma, addr, vma->vm_end, vma->vm_pgoff + off);
	} else {
		new->vm_start = addr;
		new->vm_pgoff += off;
		vma_set_range(vma, vma->vm_start, addr, vma->vm_pgoff);
	}
	vma_link(mm, new);
	return 0;
}

int split_vma(struct mm_struct *mm, struct vm_area_struct *vma,
	      unsigned long addr, int new_below)
{
	if (mm->map_count >= max_map_count())
		return -ENOMEM;
	return __split_vma(mm, vma, addr, new_below);
}

/* ---- merge ---- */

static bool vma_had_uncowed_parents(const struct vm_area_struct *vma)
{
	return vma && vma->anon_vma && vma->anon_vma_chain_len > 1;
}

/*
 * Can the proposed range (anon_vma @src_anon, taken from @src if it
 * exists, or copied from @copied_from) merge into @tgt as far as anon_vmas
 * go? Linux's is_mergeable_anon_vma() in its three cases.
 */
static bool is_mergeable_anon_vma(const struct vm_area_struct *tgt,
				  const struct anon_vma *src_anon,
				  const struct vm_area_struct *src,
				  const struct vm_area_struct *copied_from)
{
	const struct anon_vma *tgt_anon = tgt->anon_vma;

	if (!tgt_anon && src_anon) {
		if (src)
			return src->anon_vma_chain_len == 1;
		if (copied_from)
			return copied_from->anon_vma_chain_len == 1;
		return true;
	}
	if (tgt_anon && !src_anon)
		return !vma_had_uncowed_parents(tgt);
	return src_anon == tgt_anon;
}

static bool is_mergeable_vma(const struct vm_area_struct *vma,
			     unsigned long flags, const struct file *file,
			     const struct mempolicy *pol)
{
	return !((vma->vm_flags ^ flags) & ~VM_IGNORE_MERGE) &&
	       vma->vm_file == file && mpol_equal(&vma->vm_policy, pol);
}

struct merge_req {
	unsigned long start, end, flags, pgoff;
	struct file *file;
	const struct mempolicy *pol;
	struct anon_vma *anon_vma;
	const struct vm_area_struct *middle, *copied_from;
};

/* Could @prev take the range on its end (can_vma_merge_after)? */
static bool can_merge_left(const struct vm_area_struct *prev,
			   const struct merge_req *r)
{
	return prev && prev->vm_end == r->start &&
	       is_mergeable_vma(prev, r->flags, r->file, r->pol) &&
	       is_mergeable_anon_vma(prev, r->anon_vma, r->middle,
				     r->copied_from) &&
	       prev->vm_pgoff + vma_pages(prev) == r->pgoff;
}

/* Could @next take the range on its start (can_vma_merge_before), and
 * if @prev takes it too, are prev and next compatible with each other? */
static bool can_merge_right(const struct vm_area_struct *prev,
			    const struct vm_area_struct *next,
			    const struct merge_req *r, bool left)
{
	if (!next || next->vm_start != r->end ||
	    !is_mergeable_vma(next, r->flags, r->file, r->pol) ||
	    !is_mergeable_anon_vma(next, r->anon_vma, r->middle,
				   r->copied_from) ||
	    next->vm_pgoff != r->pgoff + ((r->end - r->start) >> PAGE_SHIFT))
		return false;
	if (!left)
		return true;
	return !prev->anon_vma || !next->anon_vma ||
	       prev->anon_vma == next->anon_vma;
}

/* @target takes @src's anon_vma (and chain) if it has none. */
static int dup_anon_vma(struct vm_area_struct *target,
			const struct vm_area_struct *src)
{
	if (!target->anon_vma && src && src->anon_vma)
		return anon_vma_clone(target, src);
	return 0;
}

struct vm_area_struct *
vma_merge_new_range(struct mm_struct *mm, struct vm_area_struct *prev,
		    struct vm_area_struct *next, unsigned long start,
		    unsigned long end, unsigned long flags, struct file *file,
		    unsigned long pgoff, struct anon_vma *anon_vma,
		    const struct vm_area_struct *copied_from,
		    const struct mempolicy *pol)
{
	static const struct mempolicy default_policy;
	struct merge_req r = { start, end,	flags, pgoff,	   file,
			       pol,   anon_vma, NULL,  copied_from };
	struct vm_area_struct *vma = NULL;
	bool left, right;

	if (!pol)
		r.pol = &default_policy;

	if ((flags & VM_SPECIAL) || (!prev && !next))
		return NULL;
	left = can_merge_left(prev, &r);
	right = can_merge_right(prev, next, &r, left);
	if (left && right) {
		/* prev grows over the range and next. */
		unsigned long nend = next->vm_end;

		if (dup_anon_vma(prev, next) ||
		    (copied_from && dup_anon_vma(prev, copied_from)))
			return NULL;
		prev->vm_flags |= (flags | next->vm_flags) & VM_STICKY;
		remove_vma(mm, next);
		vma_set_range(prev, prev->vm_start, nend, prev->vm_pgoff);
		vma = prev;
	} else if (left) {
		if (copied_from && dup_anon_vma(prev, copied_from))
			return NULL;
		prev->vm_flags |= flags & VM_STICKY;
		vma_set_range(prev, prev->vm_start, end, prev->vm_pgoff);
		vma = prev;
	} else if (right) {
		if (copied_from && dup_anon_vma(next, copied_from))
			return NULL;
		next->vm_flags |= flags & VM_STICKY;
		vma_set_range(next, start, next->vm_end, pgoff);
		vma = next;
	}
	/* The VMA grown may bring its mm to khugepaged. */
	if (vma)
		khugepaged_enter_vma(vma, flags);
	return vma;
}

/*
 * [start, end) of @middle is to get @flags: merge it into prev and/or next
 * if Linux would (vma_merge_existing_range). Returns the VMA now covering
 * [start, end), or NULL if nothing merged; *nomem is set when a merge
 * Linux would make failed for memory (its VMA_MERGE_ERROR_NOMEM).
 */
static struct vm_area_struct *
vma_merge_existing_range(struct mm_struct *mm, struct vm_area_struct *prev,
			 struct vm_area_struct *middle, unsigned long start,
			 unsigned long end, unsigned long flags,
			 const struct mempolicy *pol, bool *nomem)
{
	unsigned long pgoff =
		middle->vm_pgoff + ((start - middle->vm_start) >> PAGE_SHIFT);
	struct merge_req r = { start,
			       end,
			       flags,
			       pgoff,
			       middle->vm_file,
			       pol,
			       middle->anon_vma,
			       middle,
			       NULL };
	bool left_side = start == middle->vm_start;
	bool right_side = end == middle->vm_end;
	struct vm_area_struct *next = middle->vm_next;
	bool left = false, right = false;

	if ((flags & VM_SPECIAL) || (middle->vm_flags & VM_SPECIAL))
		return NULL;
	if (prev != middle->vm_prev)
		prev = NULL;
	if (left_side)
		left = can_merge_left(prev, &r);
	if (right_side)
		right = can_merge_right(prev, next, &r, left);
	if (left && right) {
		unsigned long nend = next->vm_end;

		if (dup_anon_vma(prev, middle) || dup_anon_vma(prev, next)) {
			*nomem = true;
			return NULL;
		}
		prev->vm_flags |= (flags | next->vm_flags) & VM_STICKY;
		remove_vma(mm, middle);
		remove_vma(mm, next);
		vma_set_range(prev, prev->vm_start, nend, prev->vm_pgoff);
		return prev;
	}
	if (left) {
		if (dup_anon_vma(prev, middle)) {
			*nomem = true;
			return NULL;
		}
		prev->vm_flags |= flags & VM_STICKY;
		if (right_side) {
			remove_vma(mm, middle);
		} else {
			vma_set_range(middle, end, middle->vm_end,
				      middle->vm_pgoff +
					      ((end - middle->vm_start) >>
					       PAGE_SHIFT));
		}
		vma_set_range(prev, prev->vm_start, end, prev->vm_pgoff);
		return prev;
	}
	if (right) {
		if (dup_anon_vma(next, middle)) {
			*nomem = true;
			return NULL;
		}
		next->vm_flags |= flags & VM_STICKY;
		if (left_side)
			remove_vma(mm, middle);
		else
			vma_set_range(middle, middle->vm_start, start,
				      middle->vm_pgoff);
		vma_set_range(next, start, next->vm_end, pgoff);
		return next;
	}
	return NULL;
}

/*
 * vma_modify(): [start, end) of @vma is to get @newflags and @pol: merged
 * into a neighbour, or split off. NULL with *@err on failure.
 */
static struct vm_area_struct *
vma_modify(struct mm_struct *mm, struct vm_area_struct *prev,
	   struct vm_area_struct *vma, unsigned long start, unsigned long end,
	   unsigned long newflags, const struct mempolicy *pol, int *err)
{
	struct vm_area_struct *merged;
	struct mempolicy newpol = *pol;
	bool nomem = false;

	*err = 0;
	merged = vma_merge_existing_range(mm, prev, vma, start, end, newflags,
					  &newpol, &nomem);
	if (merged)
		return merged;
	/* Linux's vma_modify() fails rather than leave unmerged VMAs. */
	if (nomem) {
		*err = -ENOMEM;
		return NULL;
	}
	if (vma->vm_start < start) {
		*err = split_vma(mm, vma, start, 1);
		if (*err)
			return NULL;
	}
	if (vma->vm_end > end) {
		*err = split_vma(mm, vma, end, 0);
		if (*err)
			return NULL;
	}
	vma->vm_flags = newflags;
	vma->vm_policy = newpol;
	vma_set_page_prot(vma);
	return vma;
}

struct vm_area_struct *vma_modify_flags(struct mm_struct *mm,
					struct vm_area_struct *prev,
					struct vm_area_struct *vma,
					unsigned long start, unsigned long end,
					unsigned long newflags, int *err)
{
	return vma_modify(mm, prev, vma, start, end, newflags, &vma->vm_policy,
			  err);
}

struct vm_area_struct *vma_modify_policy(struct mm_struct *mm,
					 struct vm_area_struct *prev,
					 struct vm_area_struct *vma,
					 unsigned long start, unsigned long end,
					 const struct mempolicy *pol, int *err)
{
	return vma_modify(mm, prev, vma, start, end, vma->vm_flags, pol, err);
}

/* ---- unmap ---- */

static void update_hiwater_vm(struct mm_struct *mm)
{
	if (mm->hiwater_vm < mm->total_vm)
		mm->hiwater_vm = mm->total_vm;
}

int vms_gather_munmap_vmas(struct mm_struct *mm, unsigned long start,
			   unsigned long end)
{
	struct vm_area_struct *vma = find_vma_intersection(mm, start, end),
			      *next;
	int err;

	if (!vma)
		return 0;
	if (start > vma->vm_start) {
		/* Let map_count go one above the limit only when unmapping
		 * does not leave more VMAs than before. */
		if (end < vma->vm_end && mm->map_count >= max_map_count())
			return -ENOMEM;
		/* mseal: no split of what cannot be unmapped anyway. */
		if (vma->vm_flags & VM_SEALED)
			return -EPERM;
		err = __split_vma(mm, vma, start, 1);
		if (err)
			return err;
	}
	for (next = vma; next && next->vm_start < end; next = next->vm_next) {
		/* EPERM after the first split. */
		if (next->vm_flags & VM_SEALED)
			return -EPERM;
		if (next->vm_end > end)
			return __split_vma(mm, next, end, 0);
	}
	return 0;
}

int do_vmi_munmap(struct mm_struct *mm, unsigned long start, size_t len,
		  bool account)
{
	unsigned long end = start + PAGE_ALIGN(len);
	struct vm_area_struct *vma, *next, *prev;
	unsigned long nr_accounted = 0;
	int err;

	if ((start & ~PAGE_MASK) || start > mm->task_size ||
	    len > mm->task_size - start)
		return -EINVAL;
	if (end == start)
		return -EINVAL;
	err = vms_gather_munmap_vmas(mm, start, end);
	if (err)
		return err;
	vma = find_vma_intersection(mm, start, end);
	if (!vma)
		return 0;
	update_hiwater_vm(mm);
	prev = vma->vm_prev;
	/* Zap the pages while the VMAs (and their files) still exist. */
	unmap_page_range(mm, start, end);
	while (vma && vma->vm_start < end) {
		unsigned long pages = vma_pages(vma);

		next = vma->vm_next;
		if (vma->vm_flags & VM_LOCKED)
			mm->locked_vm -= pages;
		if (vma->vm_flags & VM_ACCOUNT)
			nr_accounted += pages;
		vm_stat_account(mm, vma->vm_flags, -(long)pages);
		remove_vma(mm, vma);
		vma = next;
	}
	free_pgtables(mm, start, end, prev ? prev->vm_end : 0,
		      vma ? vma->vm_start : ~0UL);
	if (account && nr_accounted)
		vm_unacct_memory((long)nr_accounted);
	return 0;
}

void exit_mmap(struct mm_struct *mm)
{
	struct vm_area_struct *vma = mm->mmap, *next;
	unsigned long nr_accounted = 0;

	update_hiwater_vm(mm);
	for (; vma; vma = next) {
		next = vma->vm_next;
		if (vma->vm_flags & VM_ACCOUNT)
			nr_accounted += vma_pages(vma);
		vm_stat_account(mm, vma->vm_flags, -(long)vma_pages(vma));
		if (vma->vm_flags & VM_LOCKED)
			mm->locked_vm -= vma_pages(vma);
		remove_vma(mm, vma);
	}
	if (nr_accounted)
		vm_unacct_memory((long)nr_accounted);
}

/* ---- verifier ---- */

static bool check_gaps(const struct avl_node *n, char *why, size_t len)
{
	const struct vm_area_struct *v;
	unsigned long gap;

	if (!n)
		return true;
	v = vma_of(n);
	gap = max(vma_compute_gap(v),
		  max(subtree_gap(n->left), subtree_gap(n->right)));
	if (gap != v->rb_subtree_gap)
		return verify_fail(why, len,
				   "vma %#lx-%#lx: rb_subtree_gap %#lx, should "
				   "be %#lx",
				   v->vm_start, v->vm_end, v->rb_subtree_gap,
				   gap);
	return check_gaps(n->left, why, len) && check_gaps(n->right, why, len);
}

bool mm_verify(struct mm_struct *mm, char *why, size_t len)
{
	struct avl_root root = MM_ROOT(mm);
	const struct vm_area_struct *v, *prev = NULL;
	const struct avl_node *n = avl_first(&root);
	unsigned long total = 0, data = 0, exec = 0, stack = 0, locked = 0;
	long nodes = avl_verify(&root);
	int count = 0;

	if (nodes < 0)
		return verify_fail(why, len, "mm %d: VMA tree unbalanced",
				   mm->owner ? mm->owner->pid : 0);
	for (v = mm->mmap; v; prev = v, v = v->vm_next, n = avl_next(n)) {
		if (&v->vm_rb != n || v->vm_prev != prev)
			return verify_fail(
				why, len, "vma %#lx-%#lx: list and tree differ",
				v->vm_start, v->vm_end);
		if (v->vm_start >= v->vm_end || (v->vm_start & ~PAGE_MASK) ||
		    (v->vm_end & ~PAGE_MASK) || v->vm_end > mm->task_size)
			return verify_fail(why, len, "vma %#lx-%#lx: bad range",
					   v->vm_start, v->vm_end);
		if (prev && prev->vm_end > v->vm_start)
			return verify_fail(why, len,
					   "vma %#lx-%#lx overlaps %#lx-%#lx",
					   v->vm_start, v->vm_end,
					   prev->vm_start, prev->vm_end);
		if (v->vm_mm != mm)
			return verify_fail(why, len, "vma %#lx: wrong mm",
					   v->vm_start);
		if (!v->anon_vma != !v->anon_vma_chain_len)
			return verify_fail(why, len,
					   "vma %#lx: anon_vma chain %u",
					   v->vm_start, v->anon_vma_chain_len);
		total += vma_pages(v);
		if (is_exec_mapping(v->vm_flags))
			exec += vma_pages(v);
		else if (is_stack_mapping(v->vm_flags))
			stack += vma_pages(v);
		else if (is_data_mapping(v->vm_flags))
			data += vma_pages(v);
		if (v->vm_flags & VM_LOCKED)
			locked += vma_pages(v);
		count++;
	}
	if (n)
		return verify_fail(why, len, "VMA tree has extra nodes");
	if (count != mm->map_count || count != nodes)
		return verify_fail(why, len, "map_count %d, %d VMAs",
				   mm->map_count, count);
	if (total != mm->total_vm || data != mm->data_vm ||
	    exec != mm->exec_vm || stack != mm->stack_vm)
		return verify_fail(why, len,
				   "vm counters total %lu data %lu exec %lu "
				   "stack %lu, VMAs add up to %lu %lu %lu %lu",
				   mm->total_vm, mm->data_vm, mm->exec_vm,
				   mm->stack_vm, total, data, exec, stack);
	/* MREMAP_DONTUNMAP overcounts locked_vm, as Linux does. */
	if (locked > mm->locked_vm)
		return verify_fail(why, len,
				   "locked_vm %lu below locked VMAs %lu",
				   mm->locked_vm, locked);
	if (!check_gaps(mm->mm_rb, why, len) || !mpol_verify(mm, why, len))
		return false;
	return mm_verify_pages(mm, why, len) && rmap_verify(mm, why, len);
}
