/* SPDX-License-Identifier: MIT */
/*
 * process_vm_readv(2) and process_vm_writev(2) (Linux's
 * mm/process_vm_access.c): one process copies from or to another's memory
 * (or its own) without going through either's page faults as accesses.
 *
 * 1. What it models.
 *    - The local vector (the caller's memory) and the remote one (the
 *      target's) are checked as import_iovec() and iovec_from_user() do
 *      (at most UIO_MAXIOV entries, none longer than SSIZE_MAX, the local
 *      total cut at MAX_RW_COUNT); a local total of 0, or a remote vector
 *      without a byte, is 0 before the target is looked up.
 *    - The target's pages are pinned as pin_user_pages_remote() pins
 *      them, up to 1024 a time (PVM_MAX_KMALLOC_PAGES): each must be in
 *      a VMA that allows the access itself (VM_READ, or VM_WRITE: no
 *      FOLL_FORCE; the stack is not grown), and is faulted in as needed
 *      (a write breaks copy-on-write; the faults are the target's, and
 *      its protection keys do not apply: FAULT_FLAG_REMOTE). A batch is
 *      pinned whole before its bytes move, however few the local vector
 *      takes. Then the bytes move between the pinned pages and the
 *      caller's memory through the caller's own accesses (its faults,
 *      its protection keys). A written page is marked dirty.
 *    - It stops at the first remote page that cannot be pinned or the
 *      first local byte that faults: the bytes moved before, if any,
 *      else EFAULT (or ENOMEM when memory ran out).
 *    - Permission: a process may always access itself; another only
 *      with CAP_SYS_PTRACE (a privileged process) or if they share a uid
 *      (mm_access() with PTRACE_MODE_ATTACH_REALCREDS): EPERM, as Linux
 *      turns that EACCES into EPERM.
 *
 * 2. Errors. EINVAL for @flags, for a vector longer than UIO_MAXIOV or an
 *    entry longer than SSIZE_MAX; ESRCH for no target (or no caller).
 *
 * 3. Departures. The pinned pages hold a reference (get_page), not
 *    FOLL_PIN's pin count. The shared zero page is read as zeroes without
 *    a reference.
 *
 * 4. Ordering. The target's mmap lock while a batch is pinned, then the
 *    caller's while bytes move (never both), as Linux drops the remote
 *    mmap lock before copying. The page array is kmalloc'ed, 2 pages
 *    (kmalloc-8k), as Linux's is past its first 16 entries.
 *
 * 5. Observability. The bytes; smaps Rss/Private_Dirty and the target's
 *    page faults (/proc/vmstat pgfault) for what pinning faulted in.
 */
#include "mm/pgtable.h"

#include <errno.h>
#include <limits.h>
#include <mmkit/mman.h>
#include <mmkit/slab.h>

/* PVM_MAX_KMALLOC_PAGES: the bytes of the page array, and the pages
 * pinned a time, one pointer each. */
#define PVM_MAX_KMALLOC_BYTES (2 * PAGE_SIZE)
#define PVM_MAX_PAGES (PVM_MAX_KMALLOC_BYTES / sizeof(void *))

/* The caller's side: an iov_iter over its vector. */
struct local_iter {
	int pid;
	const struct mmk_iovec *vec;
	size_t nr, i;
	unsigned long off; /* into vec[i] */
	unsigned long count; /* bytes left, at most MAX_RW_COUNT */
};

/* Move @n bytes between @buf and the caller's memory at the iterator.
 * Returns how many moved (fewer: a local fault). */
static unsigned long local_copy(struct local_iter *it, char *buf,
				unsigned long n, bool to_local)
{
	unsigned long done = 0;

	while (done < n && it->count) {
		const struct mmk_iovec *v = &it->vec[it->i];
		unsigned long step = min(n - done, v->len - it->off), left;

		if (!step) {
			it->i++;
			it->off = 0;
			continue;
		}
		step = min(step, it->count);
		left = (unsigned long)(to_local ? mmk_copy_to_user(
							  it->pid,
							  v->base + it->off,
							  buf + done, step) :
						  mmk_copy_from_user(
							  it->pid, buf + done,
							  v->base + it->off,
							  step));
		step -= left;
		done += step;
		it->off += step;
		it->count -= step;
		if (left)
			break;
	}
	return done;
}

/* One remote range of process @pid (process_vm_rw_single_vec). 0, or
 * -errno. */
static long rw_single_vec(int pid, unsigned long addr, unsigned long len,
			  struct local_iter *it, bool write,
			  struct page **pages)
{
	struct mmk_machine *m = mmk_cur();
	unsigned long pa = addr & PAGE_MASK, start_offset = addr - pa, nr_pages;
	long rc = 0;

	if (!len)
		return 0;
	nr_pages = (addr + len - 1) / PAGE_SIZE - addr / PAGE_SIZE + 1;
	while (!rc && nr_pages && it->count) {
		unsigned long want = min(nr_pages, PVM_MAX_PAGES), bytes, i;
		long pinned;

		struct mm_struct *mm = syscall_mm_lock(pid);

		/* Gone meanwhile: its memory went with it. */
		if (!mm)
			return -EFAULT;
		pinned = get_user_pages_remote(mm, pa, want, write, pages);
		syscall_mm_unlock(mm);
		if (pinned <= 0)
			return pinned ? pinned : -EFAULT;
		bytes = min((unsigned long)pinned * PAGE_SIZE - start_offset,
			    len);
		/* process_vm_rw_pages(): page by page, to a short copy. */
		for (i = 0; i < (unsigned long)pinned && bytes && !rc; i++) {
			unsigned long copy = min(PAGE_SIZE - start_offset,
						 bytes),
				      got;
			char *kaddr;

			if (!it->count)
				break;
			kaddr = pages[i] ? (char *)page_host(m, pages[i]) :
					   NULL;
			if (!kaddr) { /* the zero page: nothing to write */
				static const char zeroes[PAGE_SIZE];

				got = local_copy(it, (char *)zeroes, copy,
						 true);
			} else {
				got = local_copy(it, kaddr + start_offset, copy,
						 !write);
			}
			if (got < copy)
				rc = -EFAULT;
			len -= copy;
			bytes -= copy;
			start_offset = 0;
		}
		/* unpin_user_pages_dirty_lock() */
		for (i = 0; i < (unsigned long)pinned; i++) {
			if (!pages[i])
				continue;
			if (write)
				folio_mark_dirty(pages[i]);
			put_page(pages[i]);
		}
		nr_pages -= (unsigned long)pinned;
		pa += (unsigned long)pinned * PAGE_SIZE;
		start_offset = 0;
	}
	return rc;
}

/* mm_access(PTRACE_MODE_ATTACH_REALCREDS) of @pid by @caller. */
static long vm_access_check(int caller, int pid)
{
	struct mm_state *ms = mm_state();
	struct task_struct *from, *to;
	long ret = 0;

	pthread_mutex_lock(&ms->lock);
	to = pid > 0 ? find_task_locked(ms, pid) : NULL;
	from = caller > 0 ? find_task_locked(ms, caller) : NULL;
	if (!to || !from)
		ret = -ESRCH;
	else if (from != to && !from->privileged &&
		 task_uid(to) != task_uid(from))
		ret = -EPERM;
	pthread_mutex_unlock(&ms->lock);
	return ret;
}

/* import_iovec(): the total, cut at MAX_RW_COUNT, or -errno. */
static long iov_total(const struct mmk_iovec *vec, size_t n)
{
	unsigned long total = 0;
	size_t i;

	if (n > UIO_MAXIOV)
		return -EINVAL;
	if (n && !vec)
		return -EFAULT;
	for (i = 0; i < n; i++) {
		if (vec[i].len > (unsigned long)LONG_MAX)
			return -EINVAL;
		total += min(vec[i].len, MAX_RW_COUNT - total);
	}
	return (long)total;
}

static long process_vm_rw(int caller, int pid, const struct mmk_iovec *lvec,
			  size_t liovcnt, const struct mmk_iovec *rvec,
			  size_t riovcnt, unsigned long flags, bool write)
{
	struct local_iter it = { caller, lvec, liovcnt, 0, 0, 0 };
	unsigned long total, nr_pages = 0;
	struct page **pages;
	long rc;
	size_t i;

	if (!mmk_cur() || flags)
		return -EINVAL;
	rc = iov_total(lvec, liovcnt);
	if (rc <= 0)
		return rc;
	total = it.count = (unsigned long)rc;
	/* iovec_from_user(): the remote vector's own checks. */
	if (riovcnt > UIO_MAXIOV)
		return -EINVAL;
	if (riovcnt && !rvec)
		return -EFAULT;
	for (i = 0; i < riovcnt; i++) {
		if (rvec[i].len > (unsigned long)LONG_MAX)
			return -EINVAL;
		if (rvec[i].len)
			nr_pages = 1;
	}
	if (!nr_pages)
		return 0;
	rc = vm_access_check(caller, pid);
	if (rc)
		return rc;
	pages = kmalloc(PVM_MAX_KMALLOC_BYTES, GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	rc = 0;
	for (i = 0; i < riovcnt && it.count && !rc; i++)
		rc = rw_single_vec(pid, rvec[i].base, rvec[i].len, &it, write,
				   pages);
	kfree(pages);
	/* The bytes moved, if any; else the error. */
	if (total - it.count)
		return (long)(total - it.count);
	return rc;
}

long mmk_process_vm_readv(int caller, int pid, const struct mmk_iovec *lvec,
			  size_t liovcnt, const struct mmk_iovec *rvec,
			  size_t riovcnt, unsigned long flags)
{
	return process_vm_rw(caller, pid, lvec, liovcnt, rvec, riovcnt, flags,
			     false);
}

long mmk_process_vm_writev(int caller, int pid, const struct mmk_iovec *lvec,
			   size_t liovcnt, const struct mmk_iovec *rvec,
			   size_t riovcnt, unsigned long flags)
{
	return process_vm_rw(caller, pid, lvec, liovcnt, rvec, riovcnt, flags,
			     true);
}
