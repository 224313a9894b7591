/* SPDX-License-Identifier: MIT */
/*
 * ftruncate(2) and fallocate(2) of in-memory files and memfds (Linux's
 * mm/truncate.c, with the size changes of shmem_setattr(),
 * shmem_fallocate() and ext4's).
 *
 * 1. What it models.
 *    - A shorter file (truncate_pagecache): every mapping loses its
 *      entries past the new end, private copies included (even_cows),
 *      the cache loses its pages there (a shmem object its swap slots,
 *      a regular file its blocks), and the rest of the new last page is
 *      zeroed, in its page and its block. An access past the end is
 *      then SIGBUS. A file set to its own size is truncated there too
 *      (the tail zeroed, fallocate's pages past the end dropped).
 *    - A longer file reads as zeroes past the old end: a regular file's
 *      old last page is zeroed there first (ext4 does so); a shmem
 *      page keeps what a mapping wrote past its end (tmpfs does not
 *      zero it).
 *    - fallocate: allocation (mode 0, FALLOC_FL_KEEP_SIZE) puts a
 *      memfd's pages in its cache, zero-filled, past the end too with
 *      KEEP_SIZE; none stays if one cannot be had. A regular file's
 *      allocated blocks read as zeroes, as holes do here, so only its
 *      size changes. FALLOC_FL_PUNCH_HOLE (with KEEP_SIZE) zeroes the
 *      partial pages of the range and frees the whole ones from the
 *      cache and every shared mapping (private copies stay); a regular
 *      file's hole stops at its last page (ext4_punch_hole). A memfd's
 *      hole that ends inside its first page unmaps all the pages after
 *      it, as Linux 6.18's wrapped unmap range does. A memfd's
 *      allocated pages are not uptodate until a fault maps them
 *      (mincore and fault-around pass them over), and every page of the
 *      range is dirty, as are the pages zeroed in part.
 *      FALLOC_FL_ZERO_RANGE (regular files) is a hole punch that may
 *      extend the file.
 *    - Seals (mm/memfd.c): F_SEAL_SHRINK, F_SEAL_GROW and the write
 *      seals refuse what they name (EPERM).
 *
 * 2. Objects. None of its own: file->size and file->nr_pages change in
 *    filemap_set_size(), the cache grows there (mm/filemap.c).
 *
 * 3. Invariants. No page of the cache lies past the end, but for a
 *    shmem object's fallocate(KEEP_SIZE) pages; no process maps a page
 *    of the file past its end.
 *
 * 4. Departures. The cache is a flat array: a size needing more slots
 *    than memory gives is ENOMEM where Linux's sparse tree takes it.
 *    No FALLOC_FL_COLLAPSE_RANGE, FALLOC_FL_INSERT_RANGE,
 *    FALLOC_FL_UNSHARE_RANGE or FALLOC_FL_WRITE_ZEROES (EOPNOTSUPP, as
 *    tmpfs, not ext4, answers), no RLIMIT_FSIZE.
 *
 * 5. Ordering. The machine's inode lock (mm_state.inode_lock) serialises
 *    size changes and seals; then each mapper's mmap lock, taken with
 *    no file lock held; then the page lock, then file->lock. A fault
 *    checks the end again under file->lock, so no page enters past it
 *    once the size is down.
 *
 * 6. Observability. The file's pages in Cached/Shmem (/proc/meminfo),
 *    RssFile/RssShmem, smaps Rss; SIGBUS from touch past the end.
 */
#include "mm/hugetlb.h"

#include <limits.h>

/* The processes mapping @f, each with a reference (mmput), at most @max
 * of them (the return). f->lock held. */
static unsigned int file_mappers(struct file *f, struct mm_struct **mms,
				 unsigned int max)
{
	struct vm_area_struct *vma;
	unsigned int n = 0, i;

	list_for_each_entry(vma, &f->i_mmap, i_mmap) {
		for (i = 0; i < n && mms[i] != vma->vm_mm; i++)
			;
		if (i == n && n < max && mmget_not_zero(vma->vm_mm))
			mms[n++] = vma->vm_mm;
	}
	return n;
}

/*
 * unmap_mapping_range(even_cows): every entry of every process mapping
 * @f at page @first and beyond goes, a private copy's too. Each mapper's
 * lock is taken in turn, without file->lock; a process exiting
 * meanwhile unmaps itself.
 */
static void unmap_mapping_tail(struct file *f, unsigned long first)
{
	struct mm_struct **mms;
	struct vm_area_struct *vma;
	unsigned int n = 0, i;
	size_t max;

	pthread_mutex_lock(&f->lock);
	list_for_each_entry(vma, &f->i_mmap, i_mmap)
		n++;
	pthread_mutex_unlock(&f->lock);
	if (!n)
		return;
	max = n + 8; /* room for those mapping it meanwhile */
	mms = kmalloc_array(max, sizeof(struct mm_struct *),
			    GFP_KERNEL | __GFP_NOFAIL);
	pthread_mutex_lock(&f->lock);
	n = file_mappers(f, mms, (unsigned int)max);
	pthread_mutex_unlock(&f->lock);
	for (i = 0; i < n; i++) {
		struct mm_struct *mm = mms[i];

		mmap_write_lock(mm);
		for (vma = mm->mmap; vma; vma = vma->vm_next) {
			unsigned long end_pgoff =
				vma->vm_pgoff + vma_pages(vma);
			unsigned long start;

			if (vma->vm_file != f || end_pgoff <= first)
				continue;
			start = vma->vm_start;
			if (first > vma->vm_pgoff)
				start += (first - vma->vm_pgoff) << PAGE_SHIFT;
			zap_page_range(mm, start, vma->vm_end);
		}
		mmap_write_unlock(mm);
		mmput(mm);
	}
	kfree(mms);
}

/* truncate_pagecache() after the size went from @old down to @size (or
 * stayed): mappings past the end only if the end moved below them. */
static void truncate_pagecache(struct file *f, unsigned long size,
			       unsigned long old)
{
	unsigned long first = PAGE_ALIGN(size) >> PAGE_SHIFT;
	bool unmap = old > PAGE_ALIGN(size);

	if (unmap)
		unmap_mapping_tail(f, first);
	filemap_punch_hole(f, first, ULONG_MAX - first);
	if (size & ~PAGE_MASK)
		filemap_zero_partial(f, size, PAGE_ALIGN(size));
	/* Again, for a fork that copied entries between (as Linux does). */
	if (unmap)
		unmap_mapping_tail(f, first);
}

/* The size goes to @size (inode lock held): -EPERM against a seal,
 * -ENOMEM. */
static long file_setsize(struct file *f, unsigned long size)
{
	unsigned long old = f->size;
	unsigned int seals = file_seals(f);
	long err;

	if ((size < old && (seals & F_SEAL_SHRINK)) ||
	    (size > old && (seals & F_SEAL_GROW)))
		return -EPERM;
	/* pagecache_isize_extended() and ext4's zeroing of the old last
	 * block past the old end: what a mapping wrote there is gone. */
	if (size > old && !f->shmem && (old & ~PAGE_MASK))
		filemap_zero_partial(f, old, PAGE_ALIGN(old));
	if (size != old) {
		err = filemap_set_size(f, size);
		if (err)
			return err;
	}
	/* The same size truncates too (shmem_setattr, ext4_setattr): the
	 * rest of the last page is zeroed, fallocate's pages past the end
	 * go. */
	if (size <= old)
		truncate_pagecache(f, size, old);
	return 0;
}

long mmk_ftruncate(struct file *f, long long length)
{
	long err;

	if (length < 0)
		return -EINVAL;
	if (!f)
		return -EBADF;
	/* do_sys_ftruncate(): a regular file open for writing (a hugetlb
	 * mapping's file has no descriptor to name). */
	if (!f->writable || f->hugetlb)
		return -EINVAL;
	if ((unsigned long long)length > file_max_bytes(f))
		return -EFBIG;
	pthread_mutex_lock(&mm_state()->inode_lock);
	err = file_setsize(f, (unsigned long)length);
	pthread_mutex_unlock(&mm_state()->inode_lock);
	flush_delayed_fput();
	return err;
}

/* The bytes [@start, @end) read as zeroes: partial pages zeroed, whole
 * ones dropped from the cache and from shared mappings. */
static void punch_range(struct file *f, unsigned long start, unsigned long end)
{
	unsigned long first = PAGE_ALIGN(start) >> PAGE_SHIFT;
	unsigned long last = end >> PAGE_SHIFT; /* first page not whole */

	if (start >= end)
		return;
	if (first > last) { /* inside one page */
		filemap_zero_partial(f, start, end);
		return;
	}
	if (start & ~PAGE_MASK)
		filemap_zero_partial(f, start, PAGE_ALIGN(start));
	if (last > first)
		filemap_punch_hole(f, first, last - first);
	if (end & ~PAGE_MASK)
		filemap_zero_partial(f, end & PAGE_MASK, end);
}

/* shmem_fallocate()'s allocation of pages [start, end): -ENOMEM or
 * -ENOSPC with none of this call's pages left (shmem_undo_range of the
 * pages not uptodate). */
static long shmem_falloc_range(struct file *f, unsigned long start,
			       unsigned long end)
{
	unsigned long i = start;
	int err = filemap_reserve(f, end);

	while (!err && i < end) {
		err = filemap_falloc_page(f, i);
		if (!err)
			i++;
	}
	if (err && i > start)
		filemap_unfalloc(f, start, i - start);
	return err;
}

static long shmem_fallocate(struct file *f, int mode, unsigned long offset,
			    unsigned long len)
{
	unsigned int seals = file_seals(f);
	unsigned long end = offset + len;
	long err;

	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		if (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
			return -EPERM;
		/* Linux's unmap range, round_up(offset) to round_down(end)
		 * less one, wraps when the hole ends inside page 0: every
		 * page from the first whole one on leaves every mapping
		 * (private copies stay), though only the hole leaves the
		 * cache. */
		if (end < PAGE_SIZE)
			filemap_unmap_pages(f, offset ? 1 : 0);
		punch_range(f, offset, end);
		return 0;
	}
	/* F_SEAL_GROW refuses pages past the end, KEEP_SIZE or not. */
	if ((seals & F_SEAL_GROW) && end > f->size)
		return -EPERM;
	err = shmem_falloc_range(f, offset >> PAGE_SHIFT,
				 PAGE_ALIGN(end) >> PAGE_SHIFT);
	if (!err && !(mode & FALLOC_FL_KEEP_SIZE) && end > f->size)
		err = filemap_set_size(f, end);
	return err;
}

/* ext4_fallocate(): allocated blocks read as zeroes, as holes do here. */
static long ext4_fallocate(struct file *f, int mode, unsigned long offset,
			   unsigned long len)
{
	unsigned long end = offset + len, size = f->size;

	switch (mode & ~FALLOC_FL_KEEP_SIZE) {
	case FALLOC_FL_PUNCH_HOLE:
		/* ext4_punch_hole(): nothing past the end; the hole stops
		 * at the end of the page the file ends in. */
		if (offset >= size)
			return 0;
		end = min(end, size + PAGE_SIZE - (size & ~PAGE_MASK));
		punch_range(f, offset, end);
		return 0;
	case FALLOC_FL_ZERO_RANGE:
		punch_range(f, offset, min(end, PAGE_ALIGN(size)));
		break;
	case 0:
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > size)
		return file_setsize(f, end);
	return 0;
}

long vfs_fallocate(struct file *f, int mode, long long offset, long long len)
{
	long err;

	if (offset < 0 || len <= 0)
		return -EINVAL;
	/* The modes Linux 6.18 knows, and which it takes together. */
	switch (mode & ~FALLOC_FL_KEEP_SIZE) {
	case 0:
	case FALLOC_FL_ZERO_RANGE:
	case FALLOC_FL_UNSHARE_RANGE:
		break;
	case FALLOC_FL_PUNCH_HOLE:
		if (!(mode & FALLOC_FL_KEEP_SIZE))
			return -EOPNOTSUPP;
		break;
	case FALLOC_FL_COLLAPSE_RANGE:
	case FALLOC_FL_INSERT_RANGE:
	case FALLOC_FL_WRITE_ZEROES:
		if (mode & FALLOC_FL_KEEP_SIZE)
			return -EOPNOTSUPP;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (!f)
		return -EBADF;
	if (!f->writable)
		return -EBADF;
	if ((unsigned long long)offset + (unsigned long long)len >
	    file_max_bytes(f))
		return -EFBIG;
	if (f->hugetlb) {
		/* hugetlbfs_fallocate(): MADV_REMOVE's hole only. */
		if (!(mode & FALLOC_FL_PUNCH_HOLE))
			return -EOPNOTSUPP;
		hugetlb_punch_hole(f, (unsigned long)offset,
				   (unsigned long)len);
		return 0;
	}
	pthread_mutex_lock(&mm_state()->inode_lock);
	if (f->shmem)
		err = shmem_fallocate(f, mode, (unsigned long)offset,
				      (unsigned long)len);
	else
		err = ext4_fallocate(f, mode, (unsigned long)offset,
				     (unsigned long)len);
	pthread_mutex_unlock(&mm_state()->inode_lock);
	return err;
}

long mmk_fallocate(struct file *f, int mode, long long offset, long long len)
{
	long err = vfs_fallocate(f, mode, offset, len);

	flush_delayed_fput();
	return err;
}
