/* SPDX-License-Identifier: MIT */
/*
 * Asserts with Linux's names (include/linux/mmdebug.h). MMK_DEBUG 0 compiles
 * the conditions (so they stay type-checked) but never evaluates them; 1 runs
 * them (development and tests); 2 additionally runs verifiers after mutating
 * calls. A failed assert prints file:line and the condition, dumps the
 * object, and aborts. Asserts state facts, never caller mistakes.
 */
#ifndef MMK_LIB_MMDEBUG_H
#define MMK_LIB_MMDEBUG_H

#include "lib/compiler.h"

#ifndef MMK_DEBUG
#define MMK_DEBUG 1
#endif

struct page;

__cold _Noreturn void mmk_vm_bug(const char *file, int line, const char *cond,
				 const struct page *page);

#define VM_BUG_ON_PAGE(cond, page)                                   \
	do {                                                         \
		if (MMK_DEBUG && unlikely(cond))                     \
			mmk_vm_bug(__FILE__, __LINE__, #cond, page); \
	} while (0)
#define VM_BUG_ON(cond) VM_BUG_ON_PAGE(cond, NULL)
#define BUG_ON(cond)                                                 \
	do {                                                         \
		if (unlikely(cond))                                  \
			mmk_vm_bug(__FILE__, __LINE__, #cond, NULL); \
	} while (0)

#endif /* MMK_LIB_MMDEBUG_H */
