/* SPDX-License-Identifier: MIT */
/*
 * Files that processes map (Linux's fs/file_table.c and the shmem objects
 * of mm/shmem.c, reduced to what mmap needs).
 *
 * 1. What it models. A file has a name, an inode number, a size and an
 *    open mode; mmap checks the mode (EACCES) and maps it by page offset.
 *    Every MAP_SHARED|MAP_ANONYMOUS mapping gets a shmem object of its own
 *    (shmem_zero_setup), named "/dev/zero (deleted)" on device 00:01, so
 *    separate shared anonymous mappings never merge. A memfd is a named
 *    shmem object ("/memfd:NAME (deleted)", 00:01) whose mappings do
 *    (mm/memfd.c: memfd_create's flags and seals).
 *
 * 2. Objects. struct file from the "filp" kmem_cache, its name from
 *    kmalloc. The creator and each VMA hold a reference. Every file is
 *    on the machine's list (mm_state.files), which drop_caches walks.
 *
 * 3. Invariants. A file is freed with its last reference.
 *
 * 4. Departures. Files live in memory only: no directories, no file
 *    offsets (pread and pwrite only: fs/read_write.c), no noexec
 *    mounts. Regular files appear on a pretend
 *    device 08:01 as "/NAME", with a readahead window of 128 KiB.
 *
 * 5. Ordering. f_count is atomic; the list changes under files_lock;
 *    the size and seals change under the machine's inode lock
 *    (mm/truncate.c, mm/memfd.c); nothing else changes after creation.
 *
 * 6. Observability. The dev, inode and path columns of /proc/PID/maps.
 */
#include "mm/hugetlb.h"

#include <stdio.h>
#include <string.h>
#include <mmkit/slab.h>

/* NULL with errno: ENOMEM, or EINVAL for a size ftruncate() refuses. */
static struct file *alloc_file(const char *path, unsigned long size)
{
	struct mm_state *ms = mm_state();
	struct file *f;
	size_t n = strlen(path) + 1;
	int err;

	if (mm_caches_init())
		goto nomem;
	f = kmem_cache_zalloc(ms->file_cachep, GFP_KERNEL);
	if (!f)
		goto nomem;
	f->name = kmalloc(n, GFP_KERNEL);
	if (!f->name) {
		kmem_cache_free(ms->file_cachep, f);
		goto nomem;
	}
	memcpy(f->name, path, n);
	f->ino = atomic_fetch_add(&ms->next_ino, 1) + 1;
	f->size = size;
	f->machine = mmk_cur();
	atomic_init(&f->f_count, 1);
	err = filemap_init(f);
	if (err) {
		filemap_release(f);
		kfree(f->name);
		kmem_cache_free(ms->file_cachep, f);
		errno = -err;
		return NULL;
	}
	return f;
nomem:
	errno = ENOMEM;
	return NULL;
}

/* A file made whole joins the machine's list, where drop_caches finds
 * it (its kind must not change under that walk). */
static struct file *publish_file(struct file *f)
{
	struct mm_state *ms = mm_state();

	if (f) {
		pthread_mutex_lock(&ms->files_lock);
		list_add_tail(&f->f_list, &ms->files);
		pthread_mutex_unlock(&ms->files_lock);
	}
	return f;
}

/* A file whose path is @prefix @name @suffix; @name has no '/' and at
 * most 200 bytes (memfd_create's limit is 249). NULL with errno. */
static struct file *alloc_named_file(const char *prefix, const char *name,
				     const char *suffix, unsigned long size)
{
	char path[256];

	if (!mmk_cur() || !name || strlen(name) > 200 || strchr(name, '/')) {
		errno = EINVAL;
		return NULL;
	}
	snprintf(path, sizeof path, "%s%s%s", prefix, name, suffix);
	return alloc_file(path, size);
}

/* A shmem object: device 00:01, read-write, its pages in NR_SHMEM. */
static struct file *shmem_init(struct file *f)
{
	if (f) {
		f->dev_major = 0;
		f->dev_minor = 1;
		f->readable = f->writable = true;
		f->shmem = true;
		/* shmem_get_inode(): no seals may be added but by a memfd
		 * made for them. */
		f->seals = F_SEAL_SEAL;
		f->exec_mode = true;
	}
	return f;
}

struct file *mmk_file_create(const char *name, unsigned long size,
			     bool readonly)
{
	struct file *f;

	if (name && !*name) {
		errno = EINVAL;
		return NULL;
	}
	f = alloc_named_file("/", name, "", size);
	if (!f)
		return NULL;
	f->dev_major = 8;
	f->dev_minor = 1;
	f->readable = true;
	f->writable = !readonly;
	file_ra_state_init(f);
	return publish_file(f);
}

struct file *mmk_memfd_create(const char *name, unsigned long size)
{
	struct file *f = shmem_init(
		alloc_named_file("/memfd:", name, " (deleted)", size));

	/* memfd_create(): shmem_file_setup(..., VM_NORESERVE). */
	if (f)
		f->acct_blocks = true;
	return publish_file(f);
}

struct file *shmem_memfd_alloc(const char *name)
{
	char path[sizeof("/memfd:") + 249 + sizeof(" (deleted)")];
	struct file *f;

	if (!mmk_cur()) {
		errno = EINVAL;
		return NULL;
	}
	snprintf(path, sizeof path, "/memfd:%s (deleted)", name);
	f = shmem_init(alloc_file(path, 0));
	if (f)
		f->acct_blocks = true;
	return publish_file(f);
}

/* The hugetlbfs file of a MAP_HUGETLB mapping (hugetlb_file_setup()):
 * "/anon_hugepage (deleted)" on hugetlbfs's device, 00:11 on Linux 6.18
 * booted as this machine's host is. Its pages are not in the page cache
 * of mm/filemap.c but in mm/hugetlb.c's, so that cache is left empty. */
struct file *hugetlbfs_file_alloc(unsigned long size)
{
	struct file *f = alloc_file("/anon_hugepage (deleted)", 0);

	if (f) {
		f->size = size;
		f->dev_major = 0;
		f->dev_minor = 0x11;
		f->readable = f->writable = true;
	}
	return publish_file(f);
}

/* The shmem object behind a shared anonymous mapping of @size bytes. */
struct file *shmem_file_setup(unsigned long size)
{
	return publish_file(
		shmem_init(alloc_file("/dev/zero (deleted)", size)));
}

struct file *get_file(struct file *file)
{
	atomic_fetch_add(&file->f_count, 1);
	return file;
}

/* __fput(): the last reference went. */
static void file_free(struct file *file)
{
	VM_BUG_ON(file->machine != mmk_cur());
	pthread_mutex_lock(&mm_state()->files_lock);
	list_del(&file->f_list);
	pthread_mutex_unlock(&mm_state()->files_lock);
	filemap_release(file);
	if (file->hugetlb)
		hugetlb_file_release(file);
	/* shmem_evict_inode(): shmem_unacct_size(). */
	if (file->acct_pages)
		vm_unacct_memory((long)file->acct_pages);
	kfree(file->name);
	kmem_cache_free(mm_state()->file_cachep, file);
}

/* The final fputs of hugetlbfs files in this thread's system call. */
static mmk_thread_local struct file *delayed_fput_list;

void fput(struct file *file)
{
	if (!file || atomic_fetch_sub(&file->f_count, 1) != 1)
		return;
	/* Linux releases a file whose last reference a task drops at the
	 * task's return to user space (task_work ____fput): a hugetlbfs
	 * file's pages and reservations still count for the rest of the
	 * system call (a MAP_FIXED mapping over a shared one sees them). */
	if (file->hugetlb && current_mm()) {
		file->delayed_next = delayed_fput_list;
		delayed_fput_list = file;
		return;
	}
	file_free(file);
}

void flush_delayed_fput(void)
{
	while (delayed_fput_list) {
		struct file *file = delayed_fput_list;

		delayed_fput_list = file->delayed_next;
		file_free(file);
	}
}
