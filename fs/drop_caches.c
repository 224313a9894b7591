/* SPDX-License-Identifier: MIT */
/*
 * vm.drop_caches (Linux's fs/drop_caches.c).
 *
 * 1. What it models. Writing 1 drops the page cache that can go at once:
 *    every regular file's clean pages that no page table maps and nobody
 *    else holds (invalidate_mapping_pages); the others move to the
 *    inactive list. 2 runs the slab shrinkers; 3 does both; a value with
 *    4 also silences the kernel log line each write prints until then.
 *    Each counts in /proc/vmstat (drop_pagecache, drop_slab).
 *
 * 2. Departures. Shmem and memfd pages stay, as on Linux (they are
 *    swap-backed, never clean). mmkit has no dentry or inode caches: the
 *    one shrinker is the huge zero page's (mm/huge_memory.c), which
 *    frees it when no process holds it.
 *
 * 3. Ordering. The machine's file list is held for the walk; each file's
 *    pages are dropped under its own lock and their page locks.
 */
#include "mm/internal.h"
#include "mm/huge_mm.h"

#include <errno.h>
#include <limits.h>
#include <mmkit/mman.h>

static void drop_pagecache(struct mmk_machine *m)
{
	struct mm_state *ms = m->mm;
	struct file *f;

	pthread_mutex_lock(&ms->files_lock);
	list_for_each_entry(f, &ms->files, f_list)
		if (!f->shmem)
			invalidate_mapping_pages(f, 0, ULONG_MAX);
	pthread_mutex_unlock(&ms->files_lock);
}

int mmk_drop_caches(int what)
{
	struct mmk_machine *m = mmk_cur();
	struct mm_struct *mm = current_mm();

	if (!m || what < 1 || what > 4)
		return -EINVAL;
	if (what & 1) {
		drop_pagecache(m);
		count_vm_events(m, DROP_PAGECACHE, 1);
	}
	if (what & 2) {
		shrink_huge_zero_page(m);
		count_vm_events(m, DROP_SLAB, 1);
	}
	/* The writer's comm and pid: mmkit's, or 0 outside a process. */
	if (!atomic_load(&m->mm->drop_caches_stfu))
		printk(m, "mmkit (%d): drop_caches: %d",
		       mm && mm->owner ? mm->owner->pid : 0, what);
	if (what & 4)
		atomic_store(&m->mm->drop_caches_stfu, true);
	return 0;
}
