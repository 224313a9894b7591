/* SPDX-License-Identifier: MIT */
/*
 * HugeTLB internals (mm/hugetlb.c): what mmap, the fault handler, zap,
 * fork, mprotect, procfs and the verifier call.
 */
#ifndef MMK_MM_HUGETLB_H
#define MMK_MM_HUGETLB_H

#include "mm/pgtable.h"

#include <mmkit/hugetlb.h>

struct seq_file;

/* vm_area_struct.hugetlb_resv (Linux keeps them in vm_private_data). */
#define HPAGE_RESV_OWNER 0x1 /* the private mapping that reserved */
#define HPAGE_RESV_UNMAPPED 0x2 /* its pages were taken by the owner */

/* The hugetlbfs inode behind a MAP_HUGETLB mapping: @resv[i] says huge
 * page i of the file holds a reservation not yet consumed; @pages the
 * page cache of a shared mapping (NULL for a private one). */
struct hugetlb_file {
	unsigned long nr;
	unsigned char *resv;
	struct page **pages;
};

static inline bool is_vm_hugetlb_page(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_HUGETLB;
}

/* The huge page's order, size and mask of the machine's profile. */
unsigned int huge_page_order(const struct mmk_machine *m);
static inline unsigned long huge_page_size(const struct mmk_machine *m)
{
	return PAGE_SIZE << huge_page_order(m);
}

int hugetlb_init(struct mmk_machine *m);
/* Base pages in the pool (hugetlb_total_pages(), for CommitLimit). */
unsigned long hugetlb_total_pages(struct mmk_machine *m);

/* The "/anon_hugepage (deleted)" file of a MAP_HUGETLB mapping of @size
 * bytes (a multiple of the huge page size), shared or not. */
struct file *hugetlb_file_setup(unsigned long size, bool shared);
/* hugetlb_reserve_pages() for a new mapping: -ENOMEM when the pool and
 * its overcommit cannot back it. */
int hugetlb_reserve_pages(struct vm_area_struct *vma);
/* vm_ops->close: the owner's unconsumed reservations of the VMA go. */
void hugetlb_vm_op_close(struct vm_area_struct *vma);
/* mremap's clear_vma_resv_huge_pages() on the source VMA of a move of
 * [start, end): the rest of the VMA's reservations are orphaned. */
void hugetlb_mremap_orphan(struct vm_area_struct *vma, unsigned long start,
			   unsigned long end);
/* The file's last reference: its cached pages and reservations go. */
void hugetlb_file_release(struct file *f);
/* vm_ops->may_split: only at a huge page boundary. */
static inline bool hugetlb_may_split(const struct vm_area_struct *vma,
				     unsigned long addr)
{
	return !(addr & (huge_page_size(vma->vm_mm->machine) - 1));
}

/* fallocate(PUNCH_HOLE) of bytes [@offset, @offset + @len) of @f (the
 * whole huge pages inside): their pages leave every process and the
 * file, their reservations go. The caller holds no mmap lock. */
void hugetlb_punch_hole(struct file *f, unsigned long offset,
			unsigned long len);
/* hugetlb_fault(): VM_FAULT_* (mm/memory.c's values). */
int hugetlb_fault(struct mm_struct *mm, struct vm_area_struct *vma,
		  unsigned long addr, bool write);
/* Unmap the huge entries of [start, end) (whole huge pages). */
void hugetlb_zap_range(struct mm_struct *mm, unsigned long start,
		       unsigned long end);
/* copy_hugetlb_page_range() for fork: -ENOMEM. */
int copy_hugetlb_page_range(struct mm_struct *dst, struct mm_struct *src,
			    struct vm_area_struct *src_vma);
void hugetlb_change_protection(struct vm_area_struct *vma, unsigned long start,
			       unsigned long end);
/* move_hugetlb_page_tables() for mremap: 0, -ENOMEM. */
int move_hugetlb_page_tables(struct mm_struct *mm, unsigned long old_addr,
			     unsigned long new_addr, unsigned long len);
/* smaps: the VMA's mapped huge pages, bytes mapped once and more. */
void smaps_hugetlb(struct vm_area_struct *vma, unsigned long *private_bytes,
		   unsigned long *shared_bytes);
/* The pool's counters, for /proc/meminfo, show_mem and sysfs. */
struct hugetlb_counts {
	unsigned long total, free, resv, surplus, overcommit;
};
void hugetlb_counts(struct mmk_machine *m, int nid, struct hugetlb_counts *c);
/* /sys/kernel/mm/hugepages/hugepages-NkB/NAME and the node directory's
 * (@nid >= 0): 0, or -ENOENT. */
int hugetlb_sysfs_show(struct seq_file *s, struct mmk_machine *m, int nid,
		       const char *name);

/* The pool's and the mappings' invariants (part of pages_verify). */
bool hugetlb_verify(struct mmk_machine *m, struct mm_struct **mms, int n,
		    char *why, size_t len);

#endif /* MMK_MM_HUGETLB_H */
