/* SPDX-License-Identifier: MIT */
/*
 * memfd_create(2) and file seals (Linux's mm/memfd.c).
 *
 * 1. What it models. A memfd is a shmem file (fs/file_table.c) that
 *    starts empty; ftruncate or fallocate give it a size
 *    (mm/truncate.c). Made with MFD_ALLOW_SEALING it takes seals
 *    (fcntl F_ADD_SEALS), which are only ever added:
 *    - F_SEAL_SHRINK, F_SEAL_GROW: ftruncate and fallocate may not
 *      shrink or grow it (EPERM);
 *    - F_SEAL_WRITE: refused (EBUSY) while a shared mapping may write
 *      (VM_SHARED|VM_MAYWRITE) or a page is pinned (memfd_wait_for_pins);
 *      F_SEAL_FUTURE_WRITE leaves existing mappings alone. With either,
 *      a new writable shared mapping is EPERM, a read-only one loses
 *      VM_MAYWRITE (mprotect to write: EACCES), a hole punch is EPERM;
 *      private mappings stay copy-on-write writable;
 *    - F_SEAL_EXEC: the mode's exec bits are fixed; on a file that has
 *      them (MFD_EXEC, the default) it implies the other four seals,
 *      F_SEAL_WRITE's check included;
 *    - F_SEAL_SEAL: no more seals (EPERM). A memfd made without
 *      MFD_ALLOW_SEALING or MFD_NOEXEC_SEAL starts with it, as does every
 *      other shmem object.
 *
 * 2. Objects. file->seals, file->exec_mode; file->i_mmap_writable, the
 *    count of VMAs that may write through a shared mapping, kept by
 *    vma_file_link()/vma_file_unlink() (mm/rmap.c) and made negative by
 *    F_SEAL_WRITE (mapping_deny_writable), which then makes
 *    mapping_map_writable() in mmap_region() fail.
 *
 * 3. Invariants. i_mmap_writable is the number of VM_SHARED|VM_MAYWRITE
 *    VMAs on the file's i_mmap list, or negative (then none) once
 *    F_SEAL_WRITE is set.
 *
 * 4. Departures. No MFD_HUGETLB (EINVAL), no vm.memfd_noexec sysctl (its
 *    default, 0: no flag means MFD_EXEC), and no warning when neither
 *    exec flag is given. Without chmod, F_SEAL_EXEC has no effect of
 *    its own.
 *
 * 5. Ordering. Seals change under the machine's inode lock
 *    (mm_state.inode_lock, Linux's inode_lock), which ftruncate and
 *    fallocate take too; mmap reads them without it, as Linux does, and
 *    the atomic i_mmap_writable settles a race with F_SEAL_WRITE.
 *
 * 6. Observability. fcntl(F_GET_SEALS); the script's seal and memfd
 *    commands.
 */
#include "mm/vma.h"

#include <string.h>

#define F_ALL_SEALS                                                \
	(F_SEAL_SEAL | F_SEAL_EXEC | F_SEAL_SHRINK | F_SEAL_GROW | \
	 F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)
#define MFD_ALL_FLAGS                                                      \
	(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | \
	 MFD_EXEC)
/* NAME_MAX less "memfd:". */
#define MFD_NAME_MAX_LEN 249

struct file *mmk_memfd(const char *name, unsigned int flags)
{
	struct file *f;

	if (!name || (flags & ~MFD_ALL_FLAGS) || (flags & MFD_HUGETLB) ||
	    ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL)) ||
	    strlen(name) > MFD_NAME_MAX_LEN) {
		errno = EINVAL;
		return NULL;
	}
	f = shmem_memfd_alloc(name);
	if (!f)
		return NULL;
	/* memfd_noexec_scope 0: no flag is MFD_EXEC. */
	if (flags & MFD_NOEXEC_SEAL) {
		f->exec_mode = false;
		f->seals = F_SEAL_EXEC;
	} else if (flags & MFD_ALLOW_SEALING) {
		f->seals = 0;
	}
	return f;
}

bool mapping_map_writable(struct file *f)
{
	int n = atomic_load(&f->i_mmap_writable);

	do {
		if (n < 0)
			return false;
	} while (!atomic_compare_exchange_weak(&f->i_mmap_writable, &n, n + 1));
	return true;
}

/* mapping_deny_writable(): no shared mapping may write, now or later. */
static bool mapping_deny_writable(struct file *f)
{
	int n = atomic_load(&f->i_mmap_writable);

	do {
		if (n > 0)
			return false;
	} while (!atomic_compare_exchange_weak(&f->i_mmap_writable, &n, n - 1));
	return true;
}

/* memfd_wait_for_pins(): a page held beyond the cache's reference and
 * its mappings' (get_user_pages) may be written yet. Linux waits for
 * such pins for about 150 ms; mmkit's pins are held by callers, which
 * do not drop them while this thread waits: busy at once. */
static bool memfd_pinned(struct file *f)
{
	bool pinned = false;
	unsigned long i;

	pthread_mutex_lock(&f->lock);
	for (i = 0; i < f->pages_cap && !pinned; i++) {
		struct page *page = f->pages[i];

		if (page && !((uintptr_t)page & 1))
			pinned = page_count(page) - page_mapcount(page) != 1;
	}
	pthread_mutex_unlock(&f->lock);
	return pinned;
}

static long memfd_add_seals(struct file *f, unsigned int seals)
{
	long err = 0;

	if (!f->writable)
		return -EPERM;
	if (seals & ~(unsigned int)F_ALL_SEALS)
		return -EINVAL;
	pthread_mutex_lock(&mm_state()->inode_lock);
	if (!f->shmem) {
		err = -EINVAL;
	} else if (f->seals & F_SEAL_SEAL) {
		err = -EPERM;
	} else {
		/* F_SEAL_EXEC implies the write seals on an executable
		 * file, before F_SEAL_WRITE's check (Linux 6.18.y). */
		if ((seals & F_SEAL_EXEC) && f->exec_mode)
			seals |= F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
				 F_SEAL_FUTURE_WRITE;
		if ((seals & F_SEAL_WRITE) && !(f->seals & F_SEAL_WRITE)) {
			if (!mapping_deny_writable(f)) {
				err = -EBUSY;
			} else if (memfd_pinned(f)) {
				atomic_fetch_add(&f->i_mmap_writable, 1);
				err = -EBUSY;
			}
		}
		if (!err)
			__atomic_store_n(&f->seals, f->seals | seals,
					 __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&mm_state()->inode_lock);
	return err;
}

long mmk_fcntl(struct file *f, unsigned int cmd, unsigned long arg)
{
	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_ADD_SEALS:
		if (arg > 0xffffffffUL)
			return -EINVAL;
		return memfd_add_seals(f, (unsigned int)arg);
	case F_GET_SEALS:
		return f->shmem ? (long)file_seals(f) : -EINVAL;
	default:
		return -EINVAL;
	}
}

int memfd_check_seals_mmap(struct file *f, unsigned long *vm_flags)
{
	if (!(file_seals(f) & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) ||
	    !(*vm_flags & VM_SHARED))
		return 0;
	if (*vm_flags & VM_WRITE)
		return -EPERM;
	/* Read-only: mprotect may not make it writable later. */
	*vm_flags &= ~VM_MAYWRITE;
	return 0;
}
