/* SPDX-License-Identifier: MIT */
/*
 * posix_fadvise(2) (Linux's mm/fadvise.c, generic_fadvise).
 *
 * 1. What it models. Advice on a byte range of a file, for its page
 *    cache and readahead:
 *    - NORMAL: the readahead window back to 32 pages, RANDOM and NOREUSE
 *      cleared; SEQUENTIAL: a window of 64 pages, RANDOM cleared; RANDOM:
 *      a sequential miss reads only what it asks (FMODE_RANDOM);
 *    - WILLNEED: the range's pages read into the cache now, up to the
 *      device's largest request (force_page_cache_ra), first and last
 *      partial pages included;
 *    - DONTNEED: the range's dirty pages are written back, mapped ones
 *      write-protected first (page_mkclean), then its whole pages (the
 *      last partial one too when the range ends at the file's end) that
 *      are clean, unmapped and held by nobody else leave the cache; the
 *      others but those locked are deactivated;
 *    - NOREUSE: accesses through mappings of the file no longer count as
 *      uses (vma_has_recency).
 *    A shmem object or memfd (the noop backing device) takes every advice
 *    and ignores it. An unknown advice or a negative length is EINVAL; a
 *    length of 0 means to the end of the file.
 *
 * 2. Departures. Writeback is synchronous here; Linux's DONTNEED starts
 *    it (WB_SYNC_NONE) and the invalidation right after finds those
 *    pages under writeback, so they stay. mmkit keeps the pages it wrote
 *    in the same call for that reason: clean, they go with the next
 *    DONTNEED, as on Linux once the writes are done.
 *
 * 3. Ordering. The flags and the window's limit change atomically; the
 *    pages under their page locks (tried: a page another holds is passed
 *    over, as find_lock_entries() does).
 */
#include "mm/vma.h"

#include <errno.h>
#include <limits.h>
#include <mmkit/mman.h>

static void set_ra_pages(struct file *f, unsigned long pages)
{
	__atomic_store_n(&f->f_ra.ra_pages, pages, __ATOMIC_RELAXED);
}

static void fadvise_dontneed(struct file *f, unsigned long long offset,
			     unsigned long long endbyte)
{
	unsigned long wb_start = (unsigned long)(offset >> PAGE_SHIFT);
	unsigned long wb_end = (unsigned long)(endbyte >> PAGE_SHIFT);
	unsigned long start =
		(unsigned long)((offset + PAGE_SIZE - 1) >> PAGE_SHIFT);
	unsigned long end = wb_end;

	/* The first and last whole pages: a last partial page goes only
	 * when the range ends at the file's end (if it is the first page,
	 * nothing goes). */
	if ((endbyte & ~PAGE_MASK) != ~PAGE_MASK &&
	    endbyte != file_size(f) - 1) {
		if (end == 0)
			start = 1;
		else
			end--;
	}
	filemap_fadvise_dontneed(f, wb_start, wb_end, start, end);
}

int mmk_fadvise(struct file *f, long long offset, long long len, int advice)
{
	unsigned long long endbyte;
	unsigned long start, nr;

	if (!f)
		return -EBADF;
	if (len < 0)
		return -EINVAL;
	if (advice < POSIX_FADV_NORMAL || advice > POSIX_FADV_NOREUSE)
		return -EINVAL;
	if (f->shmem)
		return 0;
	/* Inclusive; a length of 0, or one that overflows, to the end. */
	endbyte = (unsigned long long)offset + (unsigned long long)len;
	if (!len || endbyte < (unsigned long long)len)
		endbyte = LLONG_MAX;
	else
		endbyte--;
	switch (advice) {
	case POSIX_FADV_NORMAL:
		set_ra_pages(f, VM_READAHEAD_PAGES);
		__atomic_fetch_and(&f->f_mode, ~(FMODE_RANDOM | FMODE_NOREUSE),
				   __ATOMIC_RELAXED);
		break;
	case POSIX_FADV_RANDOM:
		__atomic_fetch_or(&f->f_mode, FMODE_RANDOM, __ATOMIC_RELAXED);
		break;
	case POSIX_FADV_SEQUENTIAL:
		set_ra_pages(f, VM_READAHEAD_PAGES * 2);
		__atomic_fetch_and(&f->f_mode, ~FMODE_RANDOM, __ATOMIC_RELAXED);
		break;
	case POSIX_FADV_WILLNEED:
		/* The first and last partial pages too. */
		start = (unsigned long)((unsigned long long)offset >>
					PAGE_SHIFT);
		nr = (unsigned long)(endbyte >> PAGE_SHIFT) - start + 1;
		force_page_cache_ra(f, start, nr ? nr : ULONG_MAX);
		break;
	case POSIX_FADV_NOREUSE:
		__atomic_fetch_or(&f->f_mode, FMODE_NOREUSE, __ATOMIC_RELAXED);
		break;
	case POSIX_FADV_DONTNEED:
		fadvise_dontneed(f, (unsigned long long)offset, endbyte);
		break;
	}
	return 0;
}
