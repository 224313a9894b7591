/* SPDX-License-Identifier: MIT */
/*
 * pread(2) and pwrite(2) of in-memory files and memfds (Linux's
 * fs/read_write.c, with mm/filemap.c's filemap_read() and
 * generic_perform_write(), and mm/shmem.c's read_iter and write_begin).
 *
 * 1. What it models.
 *    - A regular file's read goes through the page cache in batches
 *      (filemap_get_read_batch: the cached pages from the position on,
 *      up to a hole, a page not uptodate or the readahead mark); a miss
 *      reads ahead (page_cache_sync_ra, then the page alone if that
 *      read nothing), the mark reads the next window
 *      (page_cache_async_ra). The first page of each batch is marked
 *      accessed unless the last read ended in it; prev_pos records the
 *      end. Nothing is read at or past the end.
 *    - A memfd's read allocates nothing: a hole, or a page fallocate
 *      allocated, reads as zeroes; a page in swap comes back; a page
 *      read from its start is marked accessed.
 *    - A write fills each page in turn (write_begin: read in or zeroed,
 *      locked), makes it uptodate and dirty and marks it accessed; a
 *      write past the end extends the file (a regular file's old last
 *      page is zeroed from the old end up to the write first, as ext4
 *      does). Write seals refuse it
 *      (EPERM), so does F_SEAL_GROW past the end; a write stopped by an
 *      error returns what it wrote before.
 *
 * 2. Objects. None: the page cache's (mm/filemap.c), the window's
 *    file->f_ra (mm/readahead.c).
 *
 * 3. Invariants. A write leaves its bytes in the cache, past the end
 *    no more (the size follows the write under the inode lock).
 *
 * 4. Departures. No O_DIRECT, no file offset (pread and pwrite only),
 *    no mtime. A bad buffer is NULL only (any other pointer is the
 *    caller's to be good).
 *
 * 5. Ordering. A write holds the machine's inode lock (Linux's
 *    inode_lock), as ftruncate does; a read takes none. Page data are
 *    copied with the racy copy (a mapping may write them meanwhile).
 *
 * 6. Observability. The cache's pages (Cached, Shmem, Dirty), pgpgin
 *    of blocks read, the LRU's referenced and active pages.
 */
#include "mm/pgtable.h"

#include <string.h>

/* A folio_batch: PAGEVEC_SIZE. */
#define READ_BATCH 31U

static char *page_bytes(struct file *f, struct page *page)
{
	return (char *)page_host(f->machine, page);
}

/* The bytes of the file's page @index from @off that @pos's read may take:
 * up to the page's end, @left, and the file's end. */
static size_t read_chunk(unsigned long pos, size_t left, unsigned long size)
{
	size_t n = PAGE_SIZE - (pos & ~PAGE_MASK);

	n = min(n, left);
	return min(n, (size_t)(size - pos));
}

/* shmem_file_read_iter() */
static long shmem_read(struct file *f, char *buf, size_t count,
		       unsigned long pos)
{
	size_t done = 0, n;
	struct page *page;
	int err;

	while (done < count && pos < file_size(f)) {
		n = read_chunk(pos, count - done, file_size(f));
		page = shmem_read_page(f, pos >> PAGE_SHIFT, &err);
		if (err)
			return done ? (long)done : err;
		/* The copy to a bad buffer faults (copy_to_user). */
		if (!buf) {
			if (page)
				put_page(page);
			return done ? (long)done : -EFAULT;
		}
		if (page) {
			/* Accessed if the read starts at the page's start. */
			if (!(pos & ~PAGE_MASK))
				mark_page_accessed(page, NULL);
			copy_user_racy(buf + done,
				       page_bytes(f, page) + (pos & ~PAGE_MASK),
				       n);
			put_page(page);
		} else {
			memset(buf + done, 0, n);
		}
		done += n;
		pos += n;
	}
	return (long)done;
}

/* filemap_get_pages(): the batch at @pos for a read up to @last (a page
 * index), reading ahead or in as needed. The count, or an error. */
static long get_pages(struct file *f, unsigned long pos, unsigned long last,
		      struct page **batch)
{
	unsigned long index = pos >> PAGE_SHIFT;
	unsigned int n =
		filemap_get_read_batch(f, index, last, batch, READ_BATCH);
	int err;

	if (!n) {
		page_cache_sync_ra(f, index, last - index + 1);
		n = filemap_get_read_batch(f, index, last, batch, READ_BATCH);
	}
	if (!n) {
		/* filemap_create_folio(): this page alone. */
		batch[0] = filemap_read_one(f, index, &err);
		if (!batch[0])
			return err == -EFAULT ? 0 : err;
		n = 1;
	}
	/* filemap_readahead(): the mark, on the batch's last page. */
	if (test_page_flag(batch[n - 1], PG_readahead))
		page_cache_async_ra(f, batch[n - 1], batch[n - 1]->index,
				    last - batch[n - 1]->index + 1);
	return n;
}

/* filemap_read() */
static long filemap_read(struct file *f, char *buf, size_t count,
			 unsigned long pos)
{
	struct page *batch[READ_BATCH];
	long long last_pos = f->f_ra.prev_pos;
	size_t done = 0, n;
	unsigned long size, last;
	long got, i;

	while (done < count) {
		size = file_size(f);
		if (pos >= size)
			break;
		last = (min(pos + (count - done), size) - 1) >> PAGE_SHIFT;
		got = get_pages(f, pos, last, batch);
		if (got <= 0)
			return done ? (long)done : got;
		/* Accessed once, unless the last read ended in it. */
		if (last_pos < 1 ||
		    ((unsigned long long)last_pos - 1) >> PAGE_SHIFT !=
			    pos >> PAGE_SHIFT)
			mark_page_accessed(batch[0], NULL);
		for (i = 0; i < got; i++) {
			size = file_size(f);
			if (pos < size && done < count &&
			    batch[i]->index == pos >> PAGE_SHIFT && buf) {
				n = read_chunk(pos, count - done, size);
				copy_user_racy(buf + done,
					       page_bytes(f, batch[i]) +
						       (pos & ~PAGE_MASK),
					       n);
				done += n;
				pos += n;
			}
			put_page(batch[i]);
		}
		last_pos = (long long)pos;
		pthread_mutex_lock(&f->lock);
		f->f_ra.prev_pos = last_pos;
		pthread_mutex_unlock(&f->lock);
		/* The copy to a bad buffer faulted (copy_to_user). */
		if (!buf)
			return done ? (long)done : -EFAULT;
	}
	return (long)done;
}

/* access_ok(): the buffer lies in (x86_64's 47-bit) user space. */
static bool access_ok(const void *buf, size_t count)
{
	const unsigned long task_size_max = (1UL << 47) - PAGE_SIZE;

	return count <= task_size_max &&
	       (uintptr_t)buf <= task_size_max - count;
}

/* rw_verify_area(): the range must fit a loff_t. */
static bool rw_range_ok(size_t count, long long offset)
{
	return (long long)count >= 0 && (unsigned long long)offset + count <=
						(unsigned long long)LLONG_MAX;
}

/* ksys_pread64() or ksys_pwrite64() with vfs_read() or vfs_write(): the
 * checks in their order; 0 or the error. */
static long rw_check(const struct file *f, const void *buf, size_t count,
		     long long offset, bool write)
{
	if (offset < 0)
		return -EINVAL;
	/* A hugetlb mapping's file has no descriptor to name. */
	if (!f || !(write ? f->writable : f->readable) || f->hugetlb)
		return -EBADF;
	if (!access_ok(buf, count))
		return -EFAULT;
	if (!rw_range_ok(count, offset))
		return -EINVAL;
	return 0;
}

long mmk_pread(struct file *f, void *buf, size_t count, long long offset)
{
	long err = rw_check(f, buf, count, offset, false);

	count = min(count, (size_t)MAX_RW_COUNT);
	if (err || !count)
		return err;
	return f->shmem ? shmem_read(f, buf, count, (unsigned long)offset) :
			  filemap_read(f, buf, count, (unsigned long)offset);
}

/* generic_perform_write() under the inode lock: -EPERM for a seal,
 * -EFBIG past the largest file, -ENOMEM or -ENOSPC; what was written
 * before an error is the result. */
static long perform_write(struct file *f, const char *buf, size_t count,
			  unsigned long pos)
{
	unsigned long long max_bytes = file_max_bytes(f);
	unsigned int seals = file_seals(f);
	size_t done = 0, n;
	struct page *page;
	int err;

	/* generic_write_checks(): the largest file caps the write. */
	if (pos >= max_bytes)
		return -EFBIG;
	count = min(count, (size_t)(max_bytes - pos));
	err = filemap_reserve(f, PAGE_ALIGN(pos + count) >> PAGE_SHIFT);
	if (err)
		return err;
	/* ext4: a write past the end zeroes the old last page from the
	 * end to the write (what a mapping stored there is gone). */
	if (!f->shmem && pos > file_size(f) && (file_size(f) & ~PAGE_MASK))
		filemap_zero_partial(f, file_size(f),
				     min(pos, PAGE_ALIGN(file_size(f))));
	while (done < count) {
		n = min(PAGE_SIZE - (pos & ~PAGE_MASK), count - done);
		/* shmem_write_begin(): the seals, page by page. */
		if ((seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) ||
		    ((seals & F_SEAL_GROW) && pos + n > file_size(f)))
			return done ? (long)done : -EPERM;
		page = filemap_write_page(f, pos >> PAGE_SHIFT, &err);
		if (!page)
			return done ? (long)done : err;
		/* copy_from_user() from a bad buffer copies nothing; the
		 * page write_begin made stays (shmem_write_end: uptodate,
		 * dirty). */
		if (!buf) {
			filemap_write_done(f, page, f->shmem);
			return done ? (long)done : -EFAULT;
		}
		copy_user_racy(page_bytes(f, page) + (pos & ~PAGE_MASK),
			       buf + done, n);
		filemap_write_done(f, page, true);
		done += n;
		pos += n;
		/* i_size_write() as each page is done (write_end); the room
		 * was made above, so this cannot fail. */
		if (pos > file_size(f))
			filemap_set_size(f, pos);
	}
	return (long)done;
}

long mmk_pwrite(struct file *f, const void *buf, size_t count, long long offset)
{
	long ret = rw_check(f, buf, count, offset, true);

	count = min(count, (size_t)MAX_RW_COUNT);
	if (ret || !count)
		return ret;
	pthread_mutex_lock(&mm_state()->inode_lock);
	ret = perform_write(f, buf, count, (unsigned long)offset);
	pthread_mutex_unlock(&mm_state()->inode_lock);
	flush_delayed_fput();
	return ret;
}
