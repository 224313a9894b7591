/* SPDX-License-Identifier: MIT */
/*
 * NUMA memory policy (Linux's mm/mempolicy.c; the migrate_pages(2) and
 * move_pages(2) halves of mm/migrate.c).
 *
 * 1. What it models. A policy says on which nodes a process's user pages
 *    are allocated: MPOL_DEFAULT (the local node), MPOL_PREFERRED (one
 *    node first, then the zonelist's fallback), MPOL_BIND (only the
 *    mask's nodes: the allocator's nodemask, so a full mask reclaims and
 *    OOM-kills rather than spill), MPOL_INTERLEAVE and
 *    MPOL_WEIGHTED_INTERLEAVE (a node per page, round-robin, weighted by
 *    /sys/kernel/mm/mempolicy/weighted_interleave/nodeN), MPOL_LOCAL and
 *    MPOL_PREFERRED_MANY (the mask first, without direct reclaim, then any
 *    node). set_mempolicy sets the task's; mbind a range's, splitting and
 *    merging VMAs through vma_modify_policy (mbind_range) and optionally
 *    moving the pages that are not where the new policy's nodes say
 *    (MPOL_MF_MOVE, MPOL_MF_MOVE_ALL) with migrate_pages(); get_mempolicy
 *    reports either. migrate_pages(2) moves a process's pages between
 *    node sets (do_migrate_pages' node_remap pairing), move_pages(2)
 *    single pages (do_pages_move) or reports their nodes
 *    (do_pages_stat).
 *
 *    The allocation (alloc_pages_mpol): the VMA's policy, else the
 *    task's (get_vma_policy); an interleave index (ilx) from the VMA's
 *    page offset, vm_pgoff + (addr - vm_start) >> PAGE_SHIFT, picks the
 *    node as interleave_nid() does: the (ilx mod weight)th node of the
 *    mask, or with weights walking the mask until ilx mod the total
 *    weight is used up. Without an index (a regular file's page cache,
 *    which Linux allocates under the task's policy only) the task's
 *    il_prev/il_weight go round (interleave_nodes,
 *    weighted_interleave_nodes). shmem pages take the faulting VMA's
 *    policy, else the task's, with ilx = inode number + index
 *    (shmem_get_pgoff_policy). An interleaved page that lands on the
 *    node chosen counts numa_interleave on it.
 *
 * 2. Objects. struct mempolicy (include/mmkit/mempolicy.h) is a value:
 *    task_struct.mempolicy, vm_area_struct.vm_policy. @nodes is the
 *    effective mask (mpol_set_nodemask: the given mask and the online
 *    nodes, or the given mask folded onto them for
 *    MPOL_F_RELATIVE_NODES), @user_nodes the given one for the two flags
 *    that keep it. The weights live in mm_state.iw_table.
 *
 * 3. Invariants. A policy of mode MPOL_DEFAULT has no nodes and no flags;
 *    one of another mode but MPOL_LOCAL has a non-empty @nodes within
 *    the online nodes (mpol_verify, run by `check` over every task and
 *    VMA). Adjacent VMAs with unequal policies never merge (is_mergeable_vma
 *    in mm/vma.c); split and copied VMAs keep the policy (vm_area_dup),
 *    fork copies the task's and the VMAs' (kernel/fork.c).
 *
 * 4. Departures.
 *    - Policies are copied by value, not reference counted objects:
 *      nothing to allocate (so mbind and set_mempolicy cannot fail for
 *      memory) and nothing to leak. mpol_equal compares the values.
 *    - Nodes: the system calls take Linux's x86_64 MAX_NUMNODES, 1024
 *      bits (CONFIG_NODES_SHIFT=10), with get_nodes()' rules; mmkit has
 *      at most 64 nodes, so the bits of nodes 64..1023, which no machine
 *      has online and Linux masks off, are dropped: a static or relative
 *      user mask keeps nodes 0..63 only.
 *    - No cpusets: every task may use every node (mems_allowed is the
 *      online nodes), no rebinding. No home_node (set_mempolicy_home_node),
 *      no NUMA balancing: MPOL_F_NUMA_BALANCING is accepted with bind and
 *      preferred-many, as Linux does, and changes nothing.
 *    - shmem has no shared policy tree: mbind on a shared mapping sets the
 *      VMA's policy, which that VMA's faults use (Linux's shared policy
 *      would apply to every mapper of the object).
 *    - Migration runs with the caller's mmap lock held (mm/migrate.c's
 *      lock-all walk counts it as taken: reclaim_allow_mm), where Linux
 *      drops it first; no lru_cache_disable, as mmkit's LRU has no
 *      per-CPU batches.
 *    - Policies apply to every user allocation: apply_policy_zone's
 *      policy_zone is the highest zone, and user pages come from it.
 *    - Weights: 1 to 255 per node, 1 by default (no "auto" mode from HMAT
 *      bandwidths, which mmkit has not).
 *
 * 5. Ordering. The task's policy and il_prev, and VMA policies, are read
 *    and written under the mm's mmap lock (faults and these system calls
 *    both hold it). Pages are isolated under it, then migrated.
 *
 * 6. Observability. /proc/PID/numa_maps (mpol_to_str: the VMA's policy,
 *    else the task's), /proc/vmstat numa_hit ... numa_other and
 *    pgmigrate_success/fail; the script's get_mempolicy; `check`.
 */
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* The system calls' MAX_NUMNODES (x86_64's CONFIG_NODES_SHIFT=10). */
#define UAPI_MAX_NUMNODES 1024UL
#define NO_INTERLEAVE_INDEX ULONG_MAX

static const struct mempolicy default_policy;

static unsigned long online_nodes(const struct mmk_machine *m)
{
	return m->nr_nodes >= 64 ? ~0UL : (1UL << m->nr_nodes) - 1;
}

static int first_node(unsigned long mask)
{
	return __builtin_ctzl(mask);
}

/* next_node_in(): the next node of @mask after @nid, wrapping. */
static int next_node_in(int nid, unsigned long mask)
{
	unsigned long above = nid >= 63 ? 0 : mask & (~0UL << (nid + 1));

	if (above)
		return first_node(above);
	return mask ? first_node(mask) : MAX_NUMNODES;
}

static int nodes_weight(unsigned long mask)
{
	return __builtin_popcountl(mask);
}

/* The @n-th (from 0) node of @mask (bitmap_ord_to_pos). */
static int nth_node(unsigned long mask, int n)
{
	int nid = first_node(mask);

	while (n-- > 0)
		nid = next_node_in(nid, mask);
	return nid;
}

bool mpol_equal(const struct mempolicy *a, const struct mempolicy *b)
{
	if (a->mode != b->mode || a->flags != b->flags)
		return false;
	if ((a->flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)) &&
	    a->user_nodes != b->user_nodes)
		return false;
	return a->nodes == b->nodes;
}

/* ---- building a policy ---- */

/* get_nodes(): @maxnode - 1 bits of @nmask; bits of nodes past
 * UAPI_MAX_NUMNODES must be clear. */
static int get_nodes(unsigned long *nodes, const unsigned long *nmask,
		     unsigned long maxnode)
{
	unsigned long nbits, bit;

	*nodes = 0;
	--maxnode;
	if (maxnode == 0 || !nmask)
		return 0;
	if (maxnode > PAGE_SIZE * 8)
		return -EINVAL;
	for (bit = UAPI_MAX_NUMNODES; bit < maxnode; bit++)
		if (nmask[bit / BITS_PER_LONG] & (1UL << (bit % BITS_PER_LONG)))
			return -EINVAL;
	nbits = maxnode < BITS_PER_LONG ? maxnode : BITS_PER_LONG;
	*nodes = nmask[0];
	if (nbits < BITS_PER_LONG)
		*nodes &= (1UL << nbits) - 1;
	return 0;
}

/* sanitize_mpol_flags(): split @mode into mode and flags. */
static int sanitize_mpol_flags(unsigned long *mode, unsigned short *flags)
{
	*flags = (unsigned short)(*mode & MPOL_MODE_FLAGS);
	*mode &= ~(unsigned long)MPOL_MODE_FLAGS;
	if (*mode >= MPOL_MAX)
		return -EINVAL;
	if ((*flags & MPOL_F_STATIC_NODES) && (*flags & MPOL_F_RELATIVE_NODES))
		return -EINVAL;
	if ((*flags & MPOL_F_NUMA_BALANCING) && *mode != MPOL_BIND &&
	    *mode != MPOL_PREFERRED_MANY)
		return -EINVAL;
	return 0;
}

/* mpol_relative_nodemask(): @user folded onto the @allowed nodes. */
static unsigned long relative_nodemask(unsigned long user,
				       unsigned long allowed)
{
	int w = nodes_weight(allowed), bit;
	unsigned long folded = 0, ret = 0;

	if (!w)
		return 0;
	for (bit = 0; bit < 64; bit++)
		if (user & (1UL << bit))
			folded |= 1UL << (bit % w);
	for (bit = 0; bit < w; bit++)
		if (folded & (1UL << bit))
			ret |= 1UL << nth_node(allowed, bit);
	return ret;
}

/*
 * mpol_new() and mpol_set_nodemask(): the policy of @mode, @flags and the
 * given @nodes into *@pol (the default policy for MPOL_DEFAULT).
 */
static int mpol_new(struct mmk_machine *m, unsigned short mode,
		    unsigned short flags, unsigned long nodes,
		    struct mempolicy *pol)
{
	unsigned long eff;

	*pol = default_policy;
	if (mode == MPOL_DEFAULT)
		return nodes ? -EINVAL : 0;
	if (mode == MPOL_PREFERRED) {
		if (!nodes) {
			if (flags &
			    (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES))
				return -EINVAL;
			mode = MPOL_LOCAL;
		}
	} else if (mode == MPOL_LOCAL) {
		if (nodes ||
		    (flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES)))
			return -EINVAL;
	} else if (!nodes) {
		return -EINVAL;
	}
	pol->mode = mode;
	pol->flags = flags;
	if (mode == MPOL_LOCAL)
		return 0;
	if (flags & MPOL_F_RELATIVE_NODES)
		eff = relative_nodemask(nodes, online_nodes(m));
	else
		eff = nodes & online_nodes(m);
	if (flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES))
		pol->user_nodes = nodes;
	if (!eff)
		return -EINVAL;
	/* mpol_new_preferred(): the first node only. */
	pol->nodes = mode == MPOL_PREFERRED ? 1UL << first_node(eff) : eff;
	return 0;
}

/* ---- which node ---- */

static int iw_weight(int nid)
{
	unsigned char w = atomic_load_explicit(&mm_state()->iw_table[nid],
					       memory_order_relaxed);

	return w ? w : 1;
}

/* interleave_nid() and weighted_interleave_nid(). */
static int interleave_nid(const struct mempolicy *pol, unsigned long ilx)
{
	unsigned long total = 0, target;
	int nid;

	if (pol->mode == MPOL_INTERLEAVE)
		return nth_node(
			pol->nodes,
			(int)(ilx % (unsigned long)nodes_weight(pol->nodes)));
	for (nid = 0; nid < MAX_NUMNODES; nid++)
		if (pol->nodes & (1UL << nid))
			total += (unsigned long)iw_weight(nid);
	target = ilx % total;
	nid = first_node(pol->nodes);
	while (target) {
		unsigned long w = (unsigned long)iw_weight(nid);

		if (target < w)
			break;
		target -= w;
		nid = next_node_in(nid, pol->nodes);
	}
	return nid;
}

/* interleave_nodes() and weighted_interleave_nodes(): the task's turn. */
static int interleave_nodes(const struct mempolicy *pol, struct task_struct *t)
{
	int nid;

	if (!t)
		return first_node(pol->nodes);
	if (pol->mode == MPOL_INTERLEAVE) {
		nid = next_node_in(t->il_prev, pol->nodes);
		t->il_prev = nid;
		return nid;
	}
	nid = t->il_prev;
	if (!t->il_weight || nid >= MAX_NUMNODES ||
	    !(pol->nodes & (1UL << nid))) {
		nid = next_node_in(nid, pol->nodes);
		t->il_prev = nid;
		t->il_weight = (unsigned char)iw_weight(nid);
	}
	t->il_weight--;
	return nid;
}

/*
 * alloc_pages_mpol(): a page under @pol, which @t (the allocating task,
 * or NULL) holds or falls back to; @ilx the interleave index, or
 * NO_INTERLEAVE_INDEX for the task's round-robin.
 */
static struct page *alloc_pages_mpol(gfp_t gfp, unsigned int order,
				     const struct mempolicy *pol,
				     unsigned long ilx, struct task_struct *t)
{
	int nid = numa_node_id();
	unsigned long nodemask = 0;
	struct page *page;

	switch (pol->mode) {
	case MPOL_PREFERRED:
		nid = first_node(pol->nodes);
		break;
	case MPOL_BIND:
		nodemask = pol->nodes;
		break;
	case MPOL_PREFERRED_MANY:
		page = __alloc_pages((gfp | __GFP_NOWARN) &
					     ~(__GFP_DIRECT_RECLAIM |
					       __GFP_NOFAIL),
				     order, nid, pol->nodes);
		return page ? page : __alloc_pages(gfp, order, nid, 0);
	case MPOL_INTERLEAVE:
	case MPOL_WEIGHTED_INTERLEAVE:
		nid = ilx == NO_INTERLEAVE_INDEX ? interleave_nodes(pol, t) :
						   interleave_nid(pol, ilx);
		page = __alloc_pages(gfp, order, nid, 0);
		if (page && page_to_nid(page) == nid)
			atomic_fetch_add_explicit(
				&page_zone(page)
					 ->vm_numa_event[NUMA_INTERLEAVE_HIT],
				1, memory_order_relaxed);
		return page;
	default:
		/* MPOL_DEFAULT, MPOL_LOCAL: the fast path's local node. */
		return order ? alloc_pages(gfp, order) : alloc_page(gfp);
	}
	return __alloc_pages(gfp, order, nid, nodemask);
}

static struct page *alloc_page_mpol(gfp_t gfp, const struct mempolicy *pol,
				    unsigned long ilx, struct task_struct *t)
{
	return alloc_pages_mpol(gfp, 0, pol, ilx, t);
}

static struct task_struct *vma_task(const struct vm_area_struct *vma)
{
	return vma->vm_mm ? vma->vm_mm->owner : NULL;
}

/* get_vma_policy(): the VMA's policy, else the task's, and the
 * interleave index of @addr. */
static const struct mempolicy *get_vma_policy(struct vm_area_struct *vma,
					      unsigned long addr,
					      unsigned long *ilx)
{
	const struct mempolicy *pol = &vma->vm_policy;
	struct task_struct *t = vma_task(vma);

	if (pol->mode == MPOL_DEFAULT)
		pol = t ? &t->mempolicy : &default_policy;
	*ilx = 0;
	if (vma_is_shmem(vma))
		*ilx = vma->vm_file->ino;
	*ilx += linear_page_index(vma, addr);
	return pol;
}

int vma_policy_node(struct vm_area_struct *vma, unsigned long addr)
{
	unsigned long ilx;
	const struct mempolicy *pol = get_vma_policy(vma, addr, &ilx);
	int nid = numa_node_id();

	switch (pol->mode) {
	case MPOL_PREFERRED:
	case MPOL_PREFERRED_MANY:
		return first_node(pol->nodes);
	case MPOL_BIND:
		return (pol->nodes >> nid) & 1 ? nid : first_node(pol->nodes);
	case MPOL_INTERLEAVE:
	case MPOL_WEIGHTED_INTERLEAVE:
		/* huge_node(): the index in huge pages. */
		return interleave_nid(
			pol, ilx >> huge_page_order(vma->vm_mm->machine));
	default:
		return nid;
	}
}

struct page *vma_alloc_page(gfp_t gfp, struct vm_area_struct *vma,
			    unsigned long addr)
{
	unsigned long ilx;
	const struct mempolicy *pol = get_vma_policy(vma, addr, &ilx);

	return alloc_page_mpol(gfp, pol, ilx, vma_task(vma));
}

struct page *vma_alloc_folio(gfp_t gfp, unsigned int order,
			     struct vm_area_struct *vma, unsigned long addr)
{
	unsigned long ilx;
	const struct mempolicy *pol = get_vma_policy(vma, addr, &ilx);

	/* The interleave index counts folios of the order. */
	return alloc_pages_mpol(gfp, order, pol, ilx >> order, vma_task(vma));
}

struct page *filemap_alloc_page(gfp_t gfp, struct file *f,
				struct vm_area_struct *vma, unsigned long index)
{
	struct mm_struct *mm = vma ? vma->vm_mm : current_mm();
	struct task_struct *t = mm ? mm->owner : NULL;
	const struct mempolicy *pol = t ? &t->mempolicy : &default_policy;

	if (!f->shmem)
		return alloc_page_mpol(gfp, pol, NO_INTERLEAVE_INDEX, t);
	if (vma && vma->vm_policy.mode != MPOL_DEFAULT)
		pol = &vma->vm_policy;
	return alloc_page_mpol(gfp, pol, f->ino + index, t);
}

const struct mempolicy *vma_shown_policy(const struct vm_area_struct *vma)
{
	struct task_struct *t = vma_task(vma);

	if (vma->vm_policy.mode != MPOL_DEFAULT)
		return &vma->vm_policy;
	return t ? &t->mempolicy : &default_policy;
}

bool mempolicy_in_oom_domain(struct task_struct *t, unsigned long nodemask)
{
	/* Under the pid table lock, not the task's mmap lock (Linux's
	 * task_lock): set_mempolicy may be storing them meanwhile. */
	unsigned short mode =
		__atomic_load_n(&t->mempolicy.mode, __ATOMIC_RELAXED);

	if (!nodemask || mode != MPOL_BIND)
		return true;
	return (__atomic_load_n(&t->mempolicy.nodes, __ATOMIC_RELAXED) &
		nodemask) != 0;
}

/* ---- numa_maps ---- */

/* "%*pbl": "0-1,3". */
static size_t nodelist_str(char *buf, size_t len, unsigned long mask)
{
	size_t n = 0;
	int nid = 0;

	while (mask >> nid && nid < 64) {
		int end;

		if (!(mask & (1UL << nid))) {
			nid++;
			continue;
		}
		for (end = nid; end + 1 < 64 && (mask & (1UL << (end + 1)));)
			end++;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0,
				      end > nid ? "%s%d-%d" : "%s%d",
				      n ? "," : "", nid, end);
		if (n >= len)
			return len;
		nid = end + 1;
	}
	return n;
}

void nodemask_str(char *buf, size_t len, unsigned long nodemask)
{
	if (!len)
		return;
	if (!nodemask)
		snprintf(buf, len, "(null)");
	else
		nodelist_str(buf, len, nodemask);
}

void mpol_to_str(char *buf, size_t len, const struct mempolicy *pol)
{
	static const char *const modes[MPOL_MAX] = {
		[MPOL_DEFAULT] = "default",
		[MPOL_PREFERRED] = "prefer",
		[MPOL_BIND] = "bind",
		[MPOL_INTERLEAVE] = "interleave",
		[MPOL_WEIGHTED_INTERLEAVE] = "weighted interleave",
		[MPOL_LOCAL] = "local",
		[MPOL_PREFERRED_MANY] = "prefer (many)",
	};
	unsigned short flags = pol->flags & MPOL_MODE_FLAGS;
	size_t n;

	n = (size_t)snprintf(buf, len, "%s", modes[pol->mode]);
	if (flags && n < len) {
		n += (size_t)snprintf(buf + n, len - n, "=");
		if (flags & MPOL_F_STATIC_NODES)
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0,
					      "static");
		else if (flags & MPOL_F_RELATIVE_NODES)
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0,
					      "relative");
		if (flags & MPOL_F_NUMA_BALANCING)
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0,
					      "%sbalancing",
					      (flags & (flags - 1)) ? "|" : "");
	}
	if (pol->mode != MPOL_DEFAULT && pol->mode != MPOL_LOCAL &&
	    pol->nodes && n + 1 < len) {
		buf[n++] = ':';
		buf[n] = '\0';
		nodelist_str(buf + n, len - n, pol->nodes);
	}
}

/* ---- the verifier ---- */

static bool mpol_valid(const struct mmk_machine *m, const struct mempolicy *pol)
{
	if (pol->mode >= MPOL_MAX || (pol->flags & ~MPOL_MODE_FLAGS))
		return false;
	if (pol->mode == MPOL_DEFAULT)
		return !pol->nodes && !pol->flags && !pol->user_nodes;
	if (pol->mode == MPOL_LOCAL)
		return !pol->nodes;
	return pol->nodes && !(pol->nodes & ~online_nodes(m)) &&
	       (pol->mode != MPOL_PREFERRED || nodes_weight(pol->nodes) == 1);
}

bool mpol_verify(struct mm_struct *mm, char *why, size_t len)
{
	struct mmk_machine *m = mm->machine;
	const struct vm_area_struct *vma;
	int pid = mm->owner ? mm->owner->pid : 0;

	if (mm->owner && !mpol_valid(m, &mm->owner->mempolicy))
		return verify_fail(
			why, len,
			"task %d: invalid mempolicy mode %u nodes %#lx", pid,
			mm->owner->mempolicy.mode, mm->owner->mempolicy.nodes);
	for (vma = mm->mmap; vma; vma = vma->vm_next) {
		if (!mpol_valid(m, &vma->vm_policy))
			return verify_fail(
				why, len,
				"vma %#lx-%#lx: invalid mempolicy mode %u nodes %#lx",
				vma->vm_start, vma->vm_end, vma->vm_policy.mode,
				vma->vm_policy.nodes);
	}
	return true;
}

/* ---- the system calls ---- */

/* The calls need a NUMA kernel; then the process, locked. */
static struct mm_struct *mpol_mm_lock(int pid, int *err)
{
	struct mmk_machine *m = mmk_cur();
	struct mm_struct *mm;

	*err = 0;
	if (!m || !m->arch->numa) {
		*err = -ENOSYS;
		return NULL;
	}
	mm = syscall_mm_lock(pid);
	if (!mm)
		*err = -ESRCH;
	return mm;
}

int mmk_set_mempolicy(int pid, int mode, const unsigned long *nmask,
		      unsigned long maxnode)
{
	unsigned long lmode = (unsigned long)(unsigned int)mode, nodes;
	struct mempolicy pol = { 0 };
	struct mm_struct *mm;
	unsigned short flags;
	int err;

	mm = mpol_mm_lock(pid, &err);
	if (!mm)
		return err;
	err = sanitize_mpol_flags(&lmode, &flags);
	if (!err)
		err = get_nodes(&nodes, nmask, maxnode);
	if (!err)
		err = mpol_new(mm->machine, (unsigned short)lmode, flags, nodes,
			       &pol);
	if (!err) {
		struct mempolicy *tp = &mm->owner->mempolicy;

		/* The OOM killer reads the mode and nodes without this
		 * lock (mempolicy_in_oom_domain). */
		tp->flags = pol.flags;
		tp->user_nodes = pol.user_nodes;
		__atomic_store_n(&tp->mode, pol.mode, __ATOMIC_RELAXED);
		__atomic_store_n(&tp->nodes, pol.nodes, __ATOMIC_RELAXED);
		if (pol.mode == MPOL_INTERLEAVE ||
		    pol.mode == MPOL_WEIGHTED_INTERLEAVE) {
			mm->owner->il_prev = MAX_NUMNODES - 1;
			mm->owner->il_weight = 0;
		}
	}
	syscall_mm_unlock(mm);
	return err;
}

/* copy_nodes_to_user(): @nodes into @maxnode - 1 bits of @nmask. */
static int copy_nodes_to_user(struct mmk_machine *m, unsigned long *nmask,
			      unsigned long maxnode, unsigned long nodes)
{
	unsigned long copy = ((maxnode - 1 + 63) & ~63UL) / 8, i;
	unsigned long nbytes = (((unsigned long)m->nr_nodes + 63) / 64) * 8;

	if (copy > nbytes) {
		if (copy > PAGE_SIZE)
			return -EINVAL;
		for (i = nbytes / 8; i < copy / 8; i++)
			nmask[i] = 0;
		copy = nbytes;
	}
	if (copy)
		nmask[0] = nodes;
	return 0;
}

/* lookup_node(): the node of the page at @addr, faulted in for reading
 * as get_user_pages does. */
static int lookup_node(struct mm_struct *mm, unsigned long addr)
{
	const struct pt_format *f = pt_format_of(mm);
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	void *slot;
	pte_t e;
	int err;

	if (!vma || !(vma->vm_flags & VM_READ))
		return -EFAULT;
	addr &= PAGE_MASK;
	err = faultin_page_range(mm, addr, addr + PAGE_SIZE, false);
	if (err)
		return err;
	slot = pte_offset(mm, addr, false);
	if (!slot)
		return -EFAULT;
	e = pte_read(f, slot);
	if (!pte_mapped(e) || is_swap_pte(e))
		return -EFAULT;
	return page_to_nid(pfn_to_page(pte_pfn(f, e)));
}

static int do_get_mempolicy(struct mm_struct *mm, int *policy,
			    unsigned long *nodes, unsigned long addr,
			    unsigned long flags)
{
	const struct mempolicy *pol = &mm->owner->mempolicy;
	struct task_struct *t = mm->owner;
	int nid;

	*nodes = 0;
	if (flags &
	    ~(unsigned long)(MPOL_F_NODE | MPOL_F_ADDR | MPOL_F_MEMS_ALLOWED))
		return -EINVAL;
	if (flags & MPOL_F_MEMS_ALLOWED) {
		if (flags & (MPOL_F_NODE | MPOL_F_ADDR))
			return -EINVAL;
		*policy = 0;
		*nodes = online_nodes(mm->machine);
		return 0;
	}
	if (flags & MPOL_F_ADDR) {
		struct vm_area_struct *vma = vma_lookup(mm, addr);

		if (!vma)
			return -EFAULT;
		pol = &vma->vm_policy;
	} else if (addr) {
		return -EINVAL;
	}
	if (flags & MPOL_F_NODE) {
		if (flags & MPOL_F_ADDR) {
			nid = lookup_node(mm, addr);
			if (nid < 0)
				return nid;
			*policy = nid;
		} else if (pol == &t->mempolicy &&
			   pol->mode == MPOL_INTERLEAVE) {
			*policy = next_node_in(t->il_prev, pol->nodes);
		} else if (pol == &t->mempolicy &&
			   pol->mode == MPOL_WEIGHTED_INTERLEAVE) {
			*policy = t->il_weight ?
					  t->il_prev :
					  next_node_in(t->il_prev, pol->nodes);
		} else {
			return -EINVAL;
		}
	} else {
		*policy = pol->mode | (pol->flags & MPOL_MODE_FLAGS);
	}
	if (pol->flags & (MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES))
		*nodes = pol->user_nodes;
	else if (pol->mode != MPOL_DEFAULT && pol->mode != MPOL_LOCAL)
		*nodes = pol->nodes;
	return 0;
}

int mmk_get_mempolicy(int pid, int *policy, unsigned long *nmask,
		      unsigned long maxnode, unsigned long addr,
		      unsigned long flags)
{
	struct mm_struct *mm;
	unsigned long nodes;
	int err, pval = 0;

	mm = mpol_mm_lock(pid, &err);
	if (!mm)
		return err;
	if (nmask && maxnode < (unsigned long)mm->machine->nr_nodes) {
		err = -EINVAL;
		goto out;
	}
	err = do_get_mempolicy(mm, &pval, &nodes, addr, flags);
	if (err)
		goto out;
	if (policy)
		*policy = pval;
	if (nmask)
		err = copy_nodes_to_user(mm->machine, nmask, maxnode, nodes);
out:
	syscall_mm_unlock(mm);
	return err;
}

/* ---- queueing pages for migration (queue_pages_range) ---- */

#define MPOL_MF_INVERT (1U << 8) /* queue the pages not on the nodes */
#define MPOL_MF_DISCONTIG_OK (1U << 9) /* holes are no error */

struct queue_pages {
	struct mmk_machine *m;
	struct list_head *pagelist;
	unsigned int flags;
	unsigned long nmask;
	long nr_failed;
	bool stop;
	/* The first page queued, and where it is mapped. */
	struct page *first;
	unsigned long first_addr;
};

static bool strictly_unmovable(unsigned int flags)
{
	return (flags & MPOL_MF_VALID) == MPOL_MF_STRICT;
}

/* queue_folios_pte_range() for one entry. */
static void queue_one(struct mm_struct *mm, unsigned long addr, void *slot,
		      void *arg)
{
	const struct pt_format *f = pt_format_of(mm);
	struct queue_pages *qp = arg;
	pte_t e = pte_read(f, slot);
	struct page *page;
	bool on_nodes;

	if (qp->stop || !pte_present(e) || (e & _PAGE_SPECIAL))
		return;
	page = pfn_to_page(pte_pfn(f, e));
	if (test_page_flag(page, PG_reserved))
		return;
	on_nodes = qp->nmask & (1UL << page_to_nid(page));
	if (on_nodes != !(qp->flags & MPOL_MF_INVERT))
		return;
	if (!(qp->flags & (MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))) {
		qp->nr_failed++;
		if (strictly_unmovable(qp->flags))
			qp->stop = true;
		return;
	}
	/* migrate_folio_add(): a page mapped more than once moves only
	 * with MPOL_MF_MOVE_ALL; skipped otherwise, but no failure. */
	if (!(qp->flags & MPOL_MF_MOVE_ALL) && page_mapcount(page) > 1)
		return;
	if (!isolate_lru_page(qp->m, page, true)) {
		qp->nr_failed++;
		return;
	}
	lru_list_add_tail(&page->lru, qp->pagelist);
	if (!qp->first) {
		qp->first = page;
		qp->first_addr = addr;
	}
}

/*
 * queue_pages_range(): walk the VMAs of [start, end) in order, as
 * queue_pages_test_walk does: a hole before the first VMA, or after any
 * VMA inside the range, is -EFAULT unless MPOL_MF_DISCONTIG_OK (and a
 * range without a VMA always is); then the VMA's pages are queued.
 * STRICT alone stops at the first misplaced page: -EIO. Returns the
 * pages that could not be queued.
 */
static long queue_pages_range(struct mm_struct *mm, unsigned long start,
			      unsigned long end, unsigned long nmask,
			      unsigned int flags, struct queue_pages *qp,
			      struct list_head *pagelist)
{
	bool discontig_ok = flags & MPOL_MF_DISCONTIG_OK;
	struct vm_area_struct *vma = find_vma(mm, start);

	memset(qp, 0, sizeof(*qp));
	qp->m = mm->machine;
	qp->pagelist = pagelist;
	qp->flags = flags;
	qp->nmask = nmask;
	if (!vma || vma->vm_start >= end)
		return -EFAULT;
	if (!discontig_ok && vma->vm_start > start)
		return -EFAULT;
	for (; vma && vma->vm_start < end; vma = vma->vm_next) {
		struct vm_area_struct *next = vma->vm_next;

		if (!discontig_ok && vma->vm_end < end &&
		    (!next || vma->vm_end < next->vm_start))
			return -EFAULT;
		if (!(flags &
		      (MPOL_MF_STRICT | MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)))
			continue;
		/* Huge pages move, and are checked, as base pages
		 * (mm/huge_memory.c, section 4). */
		split_huge_pmd_range(mm, max(start, vma->vm_start),
				     min(end, vma->vm_end), true);
		walk_ptes(mm, max(start, vma->vm_start), min(end, vma->vm_end),
			  queue_one, qp);
		if (qp->stop)
			return -EIO;
	}
	return qp->nr_failed;
}

/* ---- migration targets ---- */

struct mpol_target {
	const struct mempolicy *pol;
	unsigned long ilx; /* base: a page's is base + its index */
	struct task_struct *t;
};

/* alloc_migration_target_by_mpol(). */
static struct page *alloc_by_mpol(struct page *src, unsigned long private)
{
	struct mpol_target *mt = (struct mpol_target *)private;
	unsigned long ilx = NO_INTERLEAVE_INDEX;

	if (mt->pol->mode == MPOL_INTERLEAVE ||
	    mt->pol->mode == MPOL_WEIGHTED_INTERLEAVE)
		ilx = mt->ilx + src->index;
	return alloc_page_mpol(GFP_HIGHUSER_MOVABLE | __GFP_RETRY_MAYFAIL |
				       __GFP_NOWARN | __GFP_COMP,
			       mt->pol, ilx, mt->t);
}

/* alloc_migration_target() for a node: __GFP_THISNODE. */
static struct page *alloc_on_node(struct page *src, unsigned long private)
{
	int nid = (int)private;

	(void)src;
	return __alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_THISNODE | __GFP_COMP,
			     0, nid, 1UL << nid);
}

/* Migrate @pagelist with @get (under @mm's lock, which the lock-all walk
 * counts as taken); what fails goes back. Pages not moved, or -ENOMEM. */
static int migrate_list(struct mm_struct *mm, struct list_head *pagelist,
			new_folio_t *get, unsigned long private, int reason)
{
	struct mm_struct *prev;
	int err;

	if (list_empty(pagelist))
		return 0;
	prev = reclaim_allow_mm(mm);
	err = migrate_pages(pagelist, get, NULL, private, MIGRATE_SYNC, reason,
			    NULL);
	reclaim_allow_mm(prev);
	if (!list_empty(pagelist))
		putback_movable_pages(pagelist);
	return err;
}

/* ---- mbind ---- */

/* mbind_range() over the VMAs of [start, end). */
static int mbind_vmas(struct mm_struct *mm, unsigned long start,
		      unsigned long end, const struct mempolicy *pol)
{
	struct vm_area_struct *prev, *vma = find_vma_prev(mm, start, &prev);
	int err = 0;

	for (; vma && vma->vm_start < end; vma = vma->vm_next) {
		unsigned long vmstart = max(start, vma->vm_start);
		unsigned long vmend = min(end, vma->vm_end);

		if (start > vma->vm_start)
			prev = vma;
		if (mpol_equal(&vma->vm_policy, pol)) {
			prev = vma;
			continue;
		}
		vma = vma_modify_policy(mm, prev, vma, vmstart, vmend, pol,
					&err);
		if (!vma)
			return err;
		prev = vma;
	}
	return 0;
}

static long do_mbind(struct mm_struct *mm, unsigned long start,
		     unsigned long len, unsigned short mode,
		     unsigned short mode_flags, unsigned long nodes,
		     unsigned int flags)
{
	struct task_struct *t = mm->owner;
	struct mempolicy new;
	struct queue_pages qp;
	LIST_HEAD(pagelist);
	unsigned long end;
	long nr_failed;
	int err;

	if (flags & ~(unsigned int)MPOL_MF_VALID)
		return -EINVAL;
	if ((flags & MPOL_MF_MOVE_ALL) && !capable(mm))
		return -EPERM;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (mode == MPOL_DEFAULT)
		flags &= ~(unsigned int)MPOL_MF_STRICT;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	err = mpol_new(mm->machine, mode, mode_flags, nodes, &new);
	if (err)
		return err;
	if (new.mode == MPOL_DEFAULT)
		flags |= MPOL_MF_DISCONTIG_OK;
	nr_failed = queue_pages_range(mm, start, end, nodes,
				      flags | MPOL_MF_INVERT, &qp, &pagelist);
	if (nr_failed < 0) {
		err = (int)nr_failed;
		nr_failed = 0;
	} else {
		err = mbind_vmas(mm, start, end, &new);
	}
	if (!err && !list_empty(&pagelist)) {
		/* MPOL_DEFAULT moves the pages under the task's policy. */
		struct mpol_target mt = {
			new.mode == MPOL_DEFAULT ? &t->mempolicy : &new, 0, t
		};
		struct vm_area_struct *vma = find_vma(mm, qp.first_addr);

		if (vma && vma->vm_start <= qp.first_addr) {
			unsigned long ilx;

			get_vma_policy(vma, qp.first_addr, &ilx);
			mt.ilx = ilx - qp.first->index;
		}
		nr_failed += migrate_list(mm, &pagelist, alloc_by_mpol,
					  (unsigned long)&mt,
					  MR_MEMPOLICY_MBIND) != 0;
	}
	if (nr_failed && (flags & MPOL_MF_STRICT))
		err = -EIO;
	if (!list_empty(&pagelist))
		putback_movable_pages(&pagelist);
	return err;
}

long mmk_mbind(int pid, unsigned long start, unsigned long len,
	       unsigned long mode, const unsigned long *nmask,
	       unsigned long maxnode, unsigned int flags)
{
	unsigned long nodes;
	struct mm_struct *mm;
	unsigned short mode_flags;
	int err;

	mm = mpol_mm_lock(pid, &err);
	if (!mm)
		return err;
	err = sanitize_mpol_flags(&mode, &mode_flags);
	if (!err)
		err = get_nodes(&nodes, nmask, maxnode);
	if (!err)
		err = (int)do_mbind(mm, start, len, (unsigned short)mode,
				    mode_flags, nodes, flags);
	syscall_mm_unlock(mm);
	return err;
}

/* ---- migrate_pages(2) ---- */

/* node_remap(): @s's position among @from's nodes, onto @to's. */
static int node_remap(int s, unsigned long from, unsigned long to)
{
	int n, w = nodes_weight(to);

	if (!(from & (1UL << s)) || !w)
		return s;
	n = nodes_weight(from & ((1UL << s) - 1));
	return nth_node(to, n % w);
}

/* migrate_to_node(): every page of @mm on @source to @dest. */
static long migrate_to_node(struct mm_struct *mm, int source, int dest,
			    unsigned int flags)
{
	struct queue_pages qp;
	LIST_HEAD(pagelist);
	long nr_failed;
	int err;

	if (!mm->mmap)
		return 0;
	nr_failed = queue_pages_range(mm, mm->mmap->vm_start, mm->task_size,
				      1UL << source,
				      flags | MPOL_MF_DISCONTIG_OK, &qp,
				      &pagelist);
	if (nr_failed < 0)
		return 0;
	err = migrate_list(mm, &pagelist, alloc_on_node, (unsigned long)dest,
			   MR_SYSCALL);
	return err < 0 ? err : err + nr_failed;
}

static long do_migrate_pages(struct mm_struct *mm, unsigned long from,
			     unsigned long to, unsigned int flags)
{
	unsigned long tmp = from, nr_failed = 0;
	long err = 0;

	while (tmp) {
		int s, source = -1, dest = 0;

		for (s = 0; s < 64; s++) {
			int d;

			if (!(tmp & (1UL << s)))
				continue;
			if (nodes_weight(from) != nodes_weight(to) &&
			    (to & (1UL << s)))
				continue;
			d = node_remap(s, from, to);
			if (s == d)
				continue;
			source = s;
			dest = d;
			if (!(tmp & (1UL << dest)))
				break;
		}
		if (source < 0)
			break;
		tmp &= ~(1UL << source);
		err = migrate_to_node(mm, source, dest, flags);
		if (err > 0)
			nr_failed += (unsigned long)err;
		if (err < 0)
			break;
	}
	if (err < 0)
		return err;
	return nr_failed < INT_MAX ? (long)nr_failed : INT_MAX;
}

long mmk_migrate_pages(int pid, unsigned long maxnode,
		       const unsigned long *old_nodes,
		       const unsigned long *new_nodes)
{
	unsigned long from, to, online;
	struct mm_struct *mm;
	long ret;
	int err;

	mm = mpol_mm_lock(pid, &err);
	if (!mm)
		return err;
	online = online_nodes(mm->machine);
	err = get_nodes(&from, old_nodes, maxnode);
	if (!err)
		err = get_nodes(&to, new_nodes, maxnode);
	if (!err && (to & ~online) && !capable(mm))
		err = -EPERM;
	if (err) {
		syscall_mm_unlock(mm);
		return err;
	}
	/* No node left to move to: kernel_migrate_pages' -EINVAL. */
	to &= online;
	ret = -EINVAL;
	if (to)
		ret = do_migrate_pages(mm, from, to,
				       capable(mm) ? MPOL_MF_MOVE_ALL :
						     MPOL_MF_MOVE);
	syscall_mm_unlock(mm);
	return ret;
}

/* ---- move_pages(2) ---- */

/* The page mapped at @addr, for move_pages: -EFAULT (no VMA, or the
 * zero page), -ENOENT (nothing mapped), else the page. */
static struct page *follow_page(struct mm_struct *mm, unsigned long addr,
				int *err)
{
	const struct pt_format *f = pt_format_of(mm);
	void *slot;
	pte_t e;

	*err = -EFAULT;
	if (!vma_lookup(mm, addr))
		return NULL;
	*err = -ENOENT;
	split_huge_pmd_range(mm, addr, addr + 1, true);
	slot = pte_offset(mm, addr, false);
	if (!slot)
		return NULL;
	e = pte_read(f, slot);
	if (!pte_present(e))
		return NULL;
	if (e & _PAGE_SPECIAL) {
		*err = -EFAULT;
		return NULL;
	}
	*err = 0;
	return pfn_to_page(pte_leaf_pfn(f, e, addr));
}

/* add_page_for_migration(): 1 queued, 0 already on @node, or -errno. */
static int add_page_for_migration(struct mm_struct *mm, unsigned long addr,
				  int node, struct list_head *pagelist,
				  bool migrate_all)
{
	struct page *page;
	int err;

	page = follow_page(mm, addr, &err);
	if (!page)
		return err;
	if (page_to_nid(page) == node)
		return 0;
	/* Huge pages do not migrate here (mm/hugetlb.c). */
	if (page_type_of(compound_head(page)) == PGTY_hugetlb)
		return -EBUSY;
	if (page_mapcount(page) > 1 && !migrate_all)
		return -EACCES;
	if (!isolate_lru_page(mm->machine, page, true))
		return -EBUSY;
	lru_list_add_tail(&page->lru, pagelist);
	return 1;
}

/* move_pages_and_store_status(). */
static long move_and_store(struct mm_struct *mm, int node,
			   struct list_head *pagelist, int *status,
			   unsigned long start, unsigned long i,
			   unsigned long nr_pages)
{
	long err;

	if (list_empty(pagelist))
		return 0;
	err = migrate_list(mm, pagelist, alloc_on_node, (unsigned long)node,
			   MR_SYSCALL);
	if (err) {
		if (err > 0)
			err += (long)(nr_pages - i);
		return err;
	}
	for (; start < i; start++)
		status[start] = node;
	return 0;
}

static long do_pages_move(struct mm_struct *mm, unsigned long nr_pages,
			  const unsigned long *pages, const int *nodes,
			  int *status, int flags)
{
	int current_node = NUMA_NO_NODE;
	unsigned long i, start = 0;
	LIST_HEAD(pagelist);
	long err = 0, err1;

	for (i = 0; i < nr_pages; i++) {
		int node = nodes[i];

		err = -ENODEV;
		if (node < 0 || node >= MAX_NUMNODES ||
		    node >= mm->machine->nr_nodes)
			goto out_flush;
		if (current_node == NUMA_NO_NODE) {
			current_node = node;
			start = i;
		} else if (node != current_node) {
			err = move_and_store(mm, current_node, &pagelist,
					     status, start, i, nr_pages);
			if (err)
				return err;
			start = i;
			current_node = node;
		}
		err = add_page_for_migration(mm, pages[i], current_node,
					     &pagelist,
					     flags & MPOL_MF_MOVE_ALL);
		if (err > 0)
			continue;
		status[i] = err ? (int)err : current_node;
		err = move_and_store(mm, current_node, &pagelist, status, start,
				     i, nr_pages);
		if (err) {
			if (err > 0)
				err--;
			return err;
		}
		current_node = NUMA_NO_NODE;
	}
	err = 0;
out_flush:
	err1 = move_and_store(mm, current_node, &pagelist, status, start, i,
			      nr_pages);
	return err >= 0 ? err1 : err;
}

static void do_pages_stat(struct mm_struct *mm, unsigned long nr_pages,
			  const unsigned long *pages, int *status)
{
	unsigned long i;

	for (i = 0; i < nr_pages; i++) {
		int err;
		struct page *page = follow_page(mm, pages[i], &err);

		status[i] = page ? page_to_nid(page) : err;
	}
}

long mmk_move_pages(int pid, unsigned long count, const unsigned long *pages,
		    const int *nodes, int *status, int flags)
{
	struct mm_struct *mm;
	long ret;
	int err;

	if (flags & ~(MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
		return -EINVAL;
	mm = mpol_mm_lock(pid, &err);
	if (!mm)
		return err;
	if ((flags & MPOL_MF_MOVE_ALL) && !capable(mm)) {
		ret = -EPERM;
	} else if (count && (!pages || !status)) {
		ret = -EFAULT;
	} else if (nodes) {
		ret = do_pages_move(mm, count, pages, nodes, status, flags);
	} else {
		do_pages_stat(mm, count, pages, status);
		ret = 0;
	}
	syscall_mm_unlock(mm);
	return ret;
}

/* ---- weighted interleave weights ---- */

int mmk_set_interleave_weight(int nid, unsigned int weight)
{
	struct mmk_machine *m = mmk_cur();

	if (!m || !m->arch->numa || nid < 0 || nid >= m->nr_nodes ||
	    weight < 1 || weight > 255)
		return -EINVAL;
	atomic_store_explicit(&mm_state()->iw_table[nid], (unsigned char)weight,
			      memory_order_relaxed);
	return 0;
}

int mmk_get_interleave_weight(int nid)
{
	struct mmk_machine *m = mmk_cur();

	if (!m || !m->arch->numa || nid < 0 || nid >= m->nr_nodes)
		return -EINVAL;
	return iw_weight(nid);
}
