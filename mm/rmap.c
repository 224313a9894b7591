/* SPDX-License-Identifier: MIT */
/*
 * anon_vma: the reverse-mapping root of anonymous memory (Linux's
 * mm/rmap.c, the anon_vma half).
 *
 * 1. What it models. A private anonymous VMA gets an anon_vma at its first
 *    write fault (anon_vma_prepare), reusing the next or the previous
 *    VMA's if that one could have merged but for its protection
 *    (find_mergeable_anon_vma); splits and copies share it
 *    (anon_vma_clone); fork gives the child VMA a new anon_vma whose
 *    parent is the parent VMA's (anon_vma_fork). Whether two VMAs share an
 *    anon_vma decides whether they may merge (mm/vma.c).
 *
 * 2. Objects. anon_vma (kmem_cache "anon_vma"): refcount = VMAs using it
 *    + child anon_vmas. A VMA's anon_vma_chain is represented by its
 *    length only (1, or 1 + the parent VMA's after fork).
 *
 * 3. Invariants. An anon_vma is freed when its last VMA and child are
 *    gone; a VMA has an anon_vma iff its chain length is non-zero.
 *
 * 4. Departures. No anon_vma_chain lists yet: the rmap walk of anonymous
 *    pages arrives with page tables. Fork does not reuse idle anon_vmas
 *    (Linux's num_children < 2 optimisation for long fork chains).
 *
 * 5. Ordering. Callers hold the mmap lock of the VMA's mm.
 *
 * 6. Observability. Merging in /proc/PID/maps; `check`.
 */
#include "mm/vma.h"

#include <mmkit/slab.h>

static struct anon_vma *anon_vma_alloc(struct anon_vma *parent)
{
	struct anon_vma *av =
		kmem_cache_zalloc(mm_state()->anon_vma_cachep, GFP_KERNEL);

	if (!av)
		return NULL;
	av->id = atomic_fetch_add(&mm_state()->next_anon_vma_id, 1) + 1;
	av->parent = parent;
	if (parent) {
		atomic_fetch_add(&parent->refcount, 1);
		atomic_fetch_add(&parent->num_children, 1);
	}
	return av;
}

static void put_anon_vma(struct anon_vma *av)
{
	while (av && atomic_fetch_sub(&av->refcount, 1) == 1) {
		struct anon_vma *parent = av->parent;

		if (parent)
			atomic_fetch_sub(&parent->num_children, 1);
		kmem_cache_free(mm_state()->anon_vma_cachep, av);
		av = parent;
	}
}

static void attach(struct vm_area_struct *vma, struct anon_vma *av,
		   unsigned int chain_len)
{
	atomic_fetch_add(&av->refcount, 1);
	atomic_fetch_add(&av->num_active_vmas, 1);
	vma->anon_vma = av;
	vma->anon_vma_chain_len = chain_len;
}

/*
 * May @a reuse @b's anon_vma? They are adjacent, with the same file and
 * flags but for protection, and contiguous pgoff (anon_vma_compatible),
 * and @b's anon_vma is its own (a singular chain).
 */
static struct anon_vma *reusable_anon_vma(const struct vm_area_struct *old,
					  const struct vm_area_struct *a,
					  const struct vm_area_struct *b)
{
	unsigned long ignore = VM_ACCESS_FLAGS | VM_SOFTDIRTY;

	if (!old || !old->anon_vma || old->anon_vma_chain_len != 1)
		return NULL;
	if (a->vm_end != b->vm_start || a->vm_file != b->vm_file ||
	    ((a->vm_flags ^ b->vm_flags) & ~ignore) ||
	    b->vm_pgoff != a->vm_pgoff + vma_pages(a))
		return NULL;
	return old->anon_vma;
}

int anon_vma_prepare(struct vm_area_struct *vma)
{
	struct anon_vma *av;

	if (vma->anon_vma)
		return 0;
	/* find_mergeable_anon_vma: the next VMA first, then the previous. */
	av = vma->vm_next ? reusable_anon_vma(vma->vm_next, vma, vma->vm_next) :
			    NULL;
	if (!av && vma->vm_prev)
		av = reusable_anon_vma(vma->vm_prev, vma->vm_prev, vma);
	if (av) {
		attach(vma, av, 1);
		return 0;
	}
	av = anon_vma_alloc(NULL);
	if (!av)
		return -ENOMEM;
	attach(vma, av, 1);
	return 0;
}

void anon_vma_clone(struct vm_area_struct *dst,
		    const struct vm_area_struct *src)
{
	if (src->anon_vma)
		attach(dst, src->anon_vma, src->anon_vma_chain_len);
}

void unlink_anon_vmas(struct vm_area_struct *vma)
{
	struct anon_vma *av = vma->anon_vma;

	if (!av)
		return;
	atomic_fetch_sub(&av->num_active_vmas, 1);
	vma->anon_vma = NULL;
	vma->anon_vma_chain_len = 0;
	put_anon_vma(av);
}

int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
	struct anon_vma *av;

	vma->anon_vma = NULL;
	vma->anon_vma_chain_len = 0;
	if (!pvma->anon_vma)
		return 0;
	av = anon_vma_alloc(pvma->anon_vma);
	if (!av)
		return -ENOMEM;
	attach(vma, av, pvma->anon_vma_chain_len + 1);
	/* The new anon_vma's only reference is the VMA's. */
	return 0;
}
