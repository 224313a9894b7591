/* SPDX-License-Identifier: MIT */
/* Basic kernel types shared by the public headers (include/linux/types.h). */
#ifndef MMKIT_TYPES_H
#define MMKIT_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <mmkit/list.h>

typedef unsigned int gfp_t;
typedef uint64_t phys_addr_t;

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)

/* Largest buddy order (Linux's MAX_PAGE_ORDER on x86). */
#define MAX_PAGE_ORDER 10
#define NR_PAGE_ORDERS (MAX_PAGE_ORDER + 1)
#define MAX_ORDER_NR_PAGES (1UL << MAX_PAGE_ORDER)
/* Orders above this are "costly" (PAGE_ALLOC_COSTLY_ORDER). */
#define PAGE_ALLOC_COSTLY_ORDER 3

#endif /* MMKIT_TYPES_H */
