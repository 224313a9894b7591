/* SPDX-License-Identifier: MIT */
/*
 * libmmkit-malloc.so's text in three parts, and its boot code dropped
 * from memory once the heap has booted (Linux's free_initmem()).
 *
 * 1. Why. The kernel maps file pages around each one a process faults
 *    (fault-around: the 64 KiB window of the page cache's pages around
 *    it, within the mapping), so a process that runs any function in
 *    each stretch of the library's text has all of it resident: 24 pages
 *    (96 KiB) in every process, where a small one runs about 30 KiB of
 *    code after the boot and 18 KiB only during it. Laid out as below, a
 *    small process keeps 12 pages of text (docs/PERFORMANCE.md, session
 *    40).
 *
 * 2. The layout (malloc/libmmkit-malloc.lds.S, a linker script added to
 *    the default one): first the hot text, the functions that every
 *    program, small or threaded, runs after boot; then, page-aligned,
 *    the init text, the functions only boot runs; then the rest (.text),
 *    which larger programs reach: huge mappings, memalign, the heap's
 *    growth, borrowing's returns, statistics and procfs, hardened mode.
 *
 * 3. At boot (text_sections_init(), the heap's first step) the init
 *    text's range gets a flag of its own (MADV_DONTDUMP: it changes
 *    nothing else, file text is not dumped by default), which splits the
 *    mapping in three: fault-around stays within each part. After boot
 *    (free_initmem(), from hot code: the caller of the boot must not
 *    return into the pages it drops) the init text's pages and the
 *    rest's are dropped (MADV_DONTNEED): a small process then keeps only
 *    the hot text. Code that runs later in a dropped part is faulted in
 *    again from the page cache, so the lists in the linker script decide
 *    only what is resident, never what works; a program that calls
 *    mlockall() first keeps everything (the calls fail and are ignored).
 *
 * 4. Checked by tests/malloc_test.c's api_text_layout: three text
 *    mappings, the init text not resident after boot, and nothing of the
 *    rest resident in a program that only mallocs and frees.
 */
#define _GNU_SOURCE
#include "malloc/malloc_internal.h"

#include <elf.h>
#include <errno.h>
#include <link.h>
#include <sys/mman.h>

/* Defined by malloc/libmmkit-malloc.lds.S, and by the linker. */
extern const char mmk_inittext_start[] __attribute__((visibility("hidden")));
extern const char mmk_inittext_end[] __attribute__((visibility("hidden")));
extern const ElfW(Ehdr) __ehdr_start __attribute__((visibility("hidden")));

/* The end of the library's executable segment, page-aligned. */
static uintptr_t text_end(void)
{
	const ElfW(Ehdr) *eh = &__ehdr_start;
	const ElfW(Phdr) *ph = (const ElfW(
		Phdr) *)(const void *)((const char *)eh + eh->e_phoff);
	uintptr_t bias = (uintptr_t)eh, init = (uintptr_t)mmk_inittext_start;
	unsigned int i;

	/* The ELF header starts the first segment: its address less that
	 * segment's p_vaddr is the load bias. */
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
			bias -= ph[i].p_vaddr;
			break;
		}
	for (i = 0; i < eh->e_phnum; i++) {
		uintptr_t lo = bias + ph[i].p_vaddr, hi = lo + ph[i].p_memsz;

		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X) &&
		    lo <= init && init < hi)
			return (hi + PAGE_SIZE - 1) &
			       ~(uintptr_t)(PAGE_SIZE - 1);
	}
	return (uintptr_t)mmk_inittext_end;
}

static void text_advise(const char *lo, uintptr_t hi, int advice)
{
	if ((uintptr_t)lo < hi)
		(void)madvise((void *)(uintptr_t)lo, hi - (uintptr_t)lo,
			      advice);
}

/* The end of .text, found at boot (text_end() is init text). */
static uintptr_t text_hi;

void text_sections_init(void)
{
	int saved = errno;

	text_hi = text_end();
	text_advise(mmk_inittext_start, (uintptr_t)mmk_inittext_end,
		    MADV_DONTDUMP);
	errno = saved;
}

void free_initmem(void)
{
	int saved = errno;

	text_advise(mmk_inittext_start, text_hi, MADV_DONTNEED);
	errno = saved;
}
