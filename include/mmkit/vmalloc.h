/* SPDX-License-Identifier: MIT */
/*
 * Virtually contiguous kernel memory (include/linux/vmalloc.h): vmalloc
 * areas backed by scattered physical pages, vmap of a caller's pages, and
 * ioremap-style mappings of a pfn range. Returned addresses are real host
 * pointers: the memory can be read and written through them, and the same
 * bytes are visible through page_address()/kmap() of the backing pages.
 */
#ifndef MMKIT_VMALLOC_H
#define MMKIT_VMALLOC_H

#include <mmkit/types.h>

struct page;

/* vm_struct flags (Linux's values). */
#define VM_IOREMAP 0x00000001
#define VM_ALLOC 0x00000002
#define VM_MAP 0x00000004
#define VM_USERMAP 0x00000008
#define VM_DMA_COHERENT 0x00000010
#define VM_UNINITIALIZED 0x00000020
#define VM_NO_GUARD 0x00000040

/* vmap()'s protection argument: mmkit maps everything read-write. */
typedef unsigned long pgprot_t;
#define PAGE_KERNEL ((pgprot_t)0x63)

struct vm_struct {
	struct vm_struct *next;
	void *addr; /* first byte (host pointer) */
	unsigned long size; /* including the guard page */
	unsigned long flags;
	struct page **pages;
	unsigned int nr_pages;
	phys_addr_t phys_addr; /* VM_IOREMAP */
	const void *caller; /* a name for /proc/vmallocinfo, or NULL */
};

/** vmalloc() - @size bytes of virtually contiguous memory, or NULL. */
void *vmalloc(unsigned long size);
/** vzalloc() - zeroed vmalloc(). */
void *vzalloc(unsigned long size);
/** vmalloc_node() - backing pages preferably from node @node. */
void *vmalloc_node(unsigned long size, int node);
/** vmalloc_user() - zeroed, marked VM_USERMAP (may be mapped to users). */
void *vmalloc_user(unsigned long size);
/** vmalloc_32() - backing pages from 32-bit addressable memory (DMA32;
 * lowmem on i386). */
void *vmalloc_32(unsigned long size);
/** __vmalloc() - with a GFP mask for the backing pages. */
void *__vmalloc(unsigned long size, gfp_t gfp);
/**
 * __vmalloc_node() - vmalloc with an alignment, a GFP mask and a node (Linux's
 * __vmalloc_node()). @align must be a power of two (else NULL, as Linux
 * refuses it); alignments above PAGE_SIZE place the area's start, kernel
 * and host address alike, on that boundary. @node: NUMA_NO_NODE or a node
 * of the machine. @caller: a name shown in /proc/vmallocinfo, or NULL.
 */
void *__vmalloc_node(unsigned long size, unsigned long align, gfp_t gfp_mask,
		     int node, const void *caller);
/** vfree() - free a vmalloc area (any thread); NULL is ignored. */
void vfree(const void *addr);

/** vmap() - map @count pages at consecutive virtual addresses. */
void *vmap(struct page **pages, unsigned int count, unsigned long flags,
	   pgprot_t prot);
/** vunmap() - undo vmap(); the pages are not freed. */
void vunmap(const void *addr);
/**
 * ioremap() - map @size bytes of physical address space at @phys (device
 * memory, or memory the page allocator does not manage). Ordinary RAM
 * owned by the page allocator is refused, as in Linux. NULL on failure.
 */
void *ioremap(phys_addr_t phys, unsigned long size);
void iounmap(void *addr);

/**
 * vm_unmap_aliases() - purge the lazily freed areas now (their address
 * space and vmap_area descriptors return at once), as Linux's does.
 */
void vm_unmap_aliases(void);

/** vmalloc_to_page() - the page backing vmalloc/vmap address @addr. */
struct page *vmalloc_to_page(const void *addr);
unsigned long vmalloc_to_pfn(const void *addr);
/** is_vmalloc_addr() - @addr lies in the vmalloc range. */
bool is_vmalloc_addr(const void *addr);
/** find_vm_area() - the area starting at @addr, or NULL. */
struct vm_struct *find_vm_area(const void *addr);
/** get_vm_area() - reserve @size bytes of address space (no pages). */
struct vm_struct *get_vm_area(unsigned long size, unsigned long flags);
/** remove_vm_area() - release an area from get_vm_area(); returns it. */
struct vm_struct *remove_vm_area(const void *addr);
/** free_vm_area() - remove_vm_area() and free the descriptor. */
void free_vm_area(struct vm_struct *area);

#endif /* MMKIT_VMALLOC_H */
