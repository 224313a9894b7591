/* SPDX-License-Identifier: MIT */
/*
 * Readahead of regular files (Linux's mm/readahead.c).
 *
 * 1. What it models. A fault that misses the page cache reads more than
 *    its page: the window (file->f_ra) of up to ra_pages pages (32, 128
 *    KiB, VM_READAHEAD_PAGES; Linux takes the device's read_ahead_kb).
 *    The page async_size pages before the window's end is marked
 *    PG_readahead; a fault that finds it there reads the next window
 *    ahead of use (page_cache_async_ra), so a sequential reader takes one
 *    major fault at its start and none after. Page faults choose the
 *    windows (mm/filemap.c: read-around for a plain mapping, a forward
 *    window with MADV_SEQUENTIAL, none with MADV_RANDOM; an executable
 *    mapping reads from the fault to at most the VMA's end, unmarked,
 *    under MADV_RANDOM too); MADV_WILLNEED and FADV_WILLNEED read a
 *    range as asked (force_page_cache_ra), up to the device's largest
 *    request (320 pages); FADV_SEQUENTIAL doubles the window,
 *    FADV_RANDOM makes a sequential miss read only what it asks.
 *    pread(2) (fs/read_write.c) goes through the same windows: a miss
 *    starts one where the last read ended (prev_pos), at the file's
 *    start or for an oversized request, else as a fault's sequential
 *    miss does; the mark reads the next.
 *
 * 2. Sizes, as Linux's: a first window is the request rounded up to a
 *    power of two, times 4 up to a 32nd of the limit, times 2 up to a
 *    quarter, else the limit (get_init_ra_size); each next window is 4
 *    times the last below a 16th of the limit, twice it up to half, else
 *    the limit (get_next_ra_size).
 *
 * 3. Reading. Pages already cached are skipped, and only a page read now
 *    is marked. Pages come with __GFP_NORETRY | __GFP_NOWARN: readahead
 *    stops where memory runs out instead of reclaiming hard or killing;
 *    the faulting page is then read by itself. Nothing is read past the
 *    file's end.
 *
 * 4. Departures. Pages are never large folios, so windows are exact
 *    page counts (Linux rounds them to the folio sizes it chooses; the
 *    pages cached are the same).
 *
 * 5. Ordering. The window's fields change under the file's lock (its
 *    limit, ra_pages, also outside it: FADV_SEQUENTIAL); the
 *    pages are read after it is dropped, each inserted under it again
 *    (filemap_ra_add).
 */
#include "mm/internal.h"
#include "mm/vma.h"

#include <limits.h>

/* bdi->io_pages: the device's largest request, max_sectors_kb 1280
 * (BLK_DEF_MAX_SECTORS_CAP), which a forced read may reach. */
#define BDI_IO_PAGES 320UL

void file_ra_state_init(struct file *f)
{
	__atomic_store_n(&f->f_ra.ra_pages, VM_READAHEAD_PAGES,
			 __ATOMIC_RELAXED);
	f->f_ra.prev_pos = -1;
}

static unsigned long get_init_ra_size(unsigned long size, unsigned long max)
{
	unsigned long newsize = roundup_pow_of_two(size);

	if (newsize <= max / 32)
		return newsize * 4;
	if (newsize <= max / 4)
		return newsize * 2;
	return max;
}

static unsigned long get_next_ra_size(unsigned long cur, unsigned long max)
{
	if (cur < max / 16)
		return 4 * cur;
	if (cur <= max / 2)
		return 2 * cur;
	return max;
}

/*
 * do_page_cache_ra() and page_cache_ra_unbounded(): the pages of [index,
 * index + nr), cut at the file's end, that are not cached are read; the
 * one @lookahead before the (cut) end is marked; the first that cannot
 * be allocated ends it.
 */
void do_page_cache_ra(struct file *f, unsigned long index, unsigned long nr,
		      unsigned long lookahead)
{
	unsigned long i, mark;

	if (index >= file_nr_pages(f))
		return;
	nr = min(nr, file_nr_pages(f) - index);
	mark = nr - lookahead;
	for (i = 0; i < nr; i++)
		if (filemap_ra_add(f, index + i, i == mark) < 0)
			return;
}

void page_cache_ra_order(struct file *f)
{
	struct file_ra_state *ra = &f->f_ra;
	unsigned long start = ra->start, size = ra->size;
	unsigned long async = ra->async_size;

	pthread_mutex_unlock(&f->lock);
	do_page_cache_ra(f, start, size, async);
}

void force_page_cache_ra(struct file *f, unsigned long index, unsigned long nr)
{
	/* Beyond the window, up to the device's optimal request (Linux
	 * reads it in chunks of 2 MiB: this is less). */
	do_page_cache_ra(f, index, min(nr, max(BDI_IO_PAGES, file_ra_pages(f))),
			 0);
}

void page_cache_sync_ra(struct file *f, unsigned long index,
			unsigned long req_count)
{
	struct file_ra_state *ra = &f->f_ra;
	unsigned long max = file_ra_pages(f), miss, contig, prev_index;

	/* FADV_RANDOM: as asked, no window; readahead off (ra_pages 0):
	 * the one page. */
	if (!max)
		req_count = 1;
	if (!max ||
	    (__atomic_load_n(&f->f_mode, __ATOMIC_RELAXED) & FMODE_RANDOM)) {
		force_page_cache_ra(f, index, req_count);
		return;
	}
	pthread_mutex_lock(&f->lock);
	/* The start of the file, an oversized read, or a read that goes on
	 * where the last one ended (prev_pos: its page, or the next): a
	 * new window. */
	prev_index = (unsigned long long)ra->prev_pos >> PAGE_SHIFT;
	if (!index || req_count > max || index - prev_index <= 1UL) {
		ra->start = index;
		ra->size = get_init_ra_size(req_count, max);
		ra->async_size = ra->size > req_count ? ra->size - req_count :
							ra->size >> 1;
		goto readit;
	}
	/* The traces a sequential stream leaves: the pages cached just
	 * before this one. */
	miss = page_cache_prev_miss(f, index - 1, max);
	contig = index - miss - 1;
	if (contig <= req_count) {
		/* A standalone read: as asked, the window kept. */
		pthread_mutex_unlock(&f->lock);
		do_page_cache_ra(f, index, req_count, 0);
		return;
	}
	/* Cached from the file's start: a long stream. */
	if (miss == ULONG_MAX)
		contig *= 2;
	ra->start = index;
	ra->size = min(contig + req_count, max);
	ra->async_size = 1;
readit:
	page_cache_ra_order(f);
}

void page_cache_async_ra(struct file *f, struct page *page, unsigned long index,
			 unsigned long req_count)
{
	struct file_ra_state *ra = &f->f_ra;
	unsigned long max = file_ra_pages(f), start;

	pthread_mutex_lock(&f->lock);
	if (!test_page_flag(page, PG_readahead)) {
		/* Another fault took the mark first. */
		pthread_mutex_unlock(&f->lock);
		return;
	}
	page_flag_clear(page, PG_readahead);
	if (index == ra->start + ra->size - ra->async_size) {
		/* The expected mark: the next window, ramped up. */
		ra->start += ra->size;
		ra->size = max(ra->size, get_next_ra_size(ra->size, max));
		ra->async_size = ra->size;
	} else {
		/* A mark of another stream (the window moved since): the
		 * cached run after it tells its lookahead's size. */
		start = page_cache_next_miss(f, index + 1, max);
		if (!start || start - index > max) {
			pthread_mutex_unlock(&f->lock);
			return;
		}
		ra->start = start;
		ra->size = get_next_ra_size(start - index + req_count, max);
		ra->async_size = ra->size;
	}
	page_cache_ra_order(f);
}
