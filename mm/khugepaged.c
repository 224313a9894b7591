/* SPDX-License-Identifier: MIT */
/*
 * khugepaged (Linux's mm/khugepaged.c): the collapse of anonymous memory
 * mapped by base pages into transparent huge pages, in the background.
 *
 * 1. What it models.
 *    - Registration (__khugepaged_enter): an mm joins khugepaged's list
 *      once a VMA of it could have a huge page collapsed
 *      (khugepaged_enter_vma: THP not "never", and thp_vma_collapsible:
 *      the sysfs policy, MADV_HUGEPAGE/NOHUGEPAGE, prctl, an anon_vma and
 *      room for 2 MiB): at a fault that tries a huge page (after its
 *      anon_vma_prepare), MADV_HUGEPAGE, a mapping or brk merged into a
 *      VMA with an anon_vma. MMF_VM_HUGEPAGE marks it; a fork of a
 *      registered mm registers the child (khugepaged_fork); the last
 *      mmput takes it off (khugepaged_exit).
 *    - The scan (khugepaged_do_scan, one wake-up of the thread): up to
 *      pages_to_scan "pages" of progress (one per mm visited and per VMA
 *      passed over, 512 per 2 MiB looked at), mm after mm from a cursor
 *      (khugepaged_scan_mm_slot), stopping after one pass through the
 *      list; full_scans counts the passes. In each mm (its mmap lock
 *      tried: a busy mm is passed over), each VMA THP may collapse in,
 *      each aligned 2 MiB with a PTE table: the scan of
 *      hpage_collapse_scan_pmd, at most max_ptes_none empty entries (or
 *      zero pages), max_ptes_swap swap entries and max_ptes_shared pages
 *      mapped elsewhere too (thp_scan_exceed_*_pte), and at least one
 *      page young or referenced (half of them with swap entries); then
 *      collapse_huge_page (mm/huge_memory.c's thp_collapse_pmd): a huge
 *      page with defrag's gfp (thp_collapse_alloc or _failed: the wake-up
 *      then ends after one retry), the swapped-out pages read back, the
 *      pages copied. Each collapse counts in pages_collapsed.
 *    - /sys/kernel/mm/transparent_hugepage/khugepaged/: defrag (1),
 *      max_ptes_none (511), max_ptes_swap (64), max_ptes_shared (256),
 *      pages_to_scan (4096), scan_sleep_millisecs (10000),
 *      alloc_sleep_millisecs (60000); full_scans and pages_collapsed
 *      read-only. Linux's checks of a write: the max_ptes_* at most 511,
 *      pages_to_scan not 0, defrag 0 or 1.
 *
 * 2. Objects. khugepaged_state (mm_state.khugepaged): the list of
 *    khugepaged_mm_slots, the cursor (slot and address), the knobs and
 *    counters. A slot whose mm went while the cursor was on it stays,
 *    without its mm, until the scan moves past it (collect_mm_slot).
 *
 * 3. Invariants. An mm is on the list at most once, and with
 *    MMF_VM_HUGEPAGE; the cursor is NULL or a slot on the list.
 *
 * 4. Departures. khugepaged is no thread: mmk_khugepaged_scan() (the
 *    script's khugepaged_scan) runs its wake-ups in the caller; the
 *    sleeps are kept but unused. Anonymous memory only (no file or shmem
 *    collapse, no mTHP orders), no per-node allocation preference
 *    (hpage_collapse_find_target_node: the huge page's node is the
 *    VMA's policy's), no memcg charge. Swapped-in pages stay in the swap
 *    cache, which makes the collapse fail (-EAGAIN), as MADV_COLLAPSE's
 *    (mm/huge_memory.c, section 4).
 *
 * 5. Ordering. khugepaged_state.lock (khugepaged_mm_lock, and here the
 *    scan's too) nests outside the mmap locks, which the scan only tries;
 *    registration takes it under its mmap lock, as KSM's does.
 *
 * 6. Observability. The sysfs files above; thp_collapse_alloc,
 *    thp_collapse_alloc_failed and thp_scan_exceed_{none,swap,share}_pte
 *    in /proc/vmstat; AnonHugePages.
 */
#include "mm/huge_mm.h"
#include "mm/vma.h"
#include "proc/seq.h"

#include <mmkit/mman.h>
#include <mmkit/slab.h>

#include <string.h>

struct khugepaged_mm_slot {
	struct list_head mm_node; /* on khugepaged_state.mm_head */
	struct mm_struct *mm; /* NULL: gone, the cursor on it */
};

struct khugepaged_state {
	pthread_mutex_t lock;
	struct list_head mm_head;
	struct khugepaged_mm_slot *scan_slot; /* NULL: between passes */
	unsigned long scan_address;
	struct kmem_cache *slot_cache;
	/* Knobs and counters, under the lock. */
	unsigned int pages_to_scan, max_ptes_none, max_ptes_swap,
		max_ptes_shared, scan_sleep_millisecs, alloc_sleep_millisecs;
	bool defrag;
	unsigned long full_scans, pages_collapsed;
};

int khugepaged_init(struct mmk_machine *m)
{
	struct khugepaged_state *kh = mmk_machine_zalloc(m, sizeof(*kh));

	if (!kh)
		return -ENOMEM;
	pthread_mutex_init(&kh->lock, NULL);
	INIT_LIST_HEAD(&kh->mm_head);
	kh->pages_to_scan = HPAGE_PMD_NR * 8;
	kh->max_ptes_none = HPAGE_PMD_NR - 1;
	kh->max_ptes_swap = HPAGE_PMD_NR / 8;
	kh->max_ptes_shared = HPAGE_PMD_NR / 2;
	kh->scan_sleep_millisecs = 10000;
	kh->alloc_sleep_millisecs = 60000;
	kh->defrag = true;
	m->mm->khugepaged = kh;
	return 0;
}

void khugepaged_state_exit(struct mmk_machine *m)
{
	if (m->mm->khugepaged)
		pthread_mutex_destroy(&m->mm->khugepaged->lock);
	m->mm->khugepaged = NULL;
}

/* ---- the list ---- */

/* hugepage_pmd_enabled(): PMD-sized THP is not "never". */
static bool pmd_enabled(void)
{
	return atomic_load_explicit(&mm_state()->thp_enabled,
				    memory_order_relaxed) != THP_NEVER;
}

static void __khugepaged_enter(struct khugepaged_state *kh,
			       struct mm_struct *mm)
{
	struct khugepaged_mm_slot *slot;

	/* Marked first, even if no slot can be had (as Linux's). */
	mm->thp_disable |= MMF_VM_HUGEPAGE;
	pthread_mutex_lock(&kh->lock);
	if (!kh->slot_cache)
		kh->slot_cache = kmem_cache_create(
			"khugepaged_mm_slot", sizeof(struct khugepaged_mm_slot),
			0, 0, NULL);
	slot = kh->slot_cache ? kmem_cache_alloc(kh->slot_cache, GFP_KERNEL) :
				NULL;
	if (slot) {
		slot->mm = mm;
		list_add_tail(&slot->mm_node, &kh->mm_head);
	}
	pthread_mutex_unlock(&kh->lock);
}

void khugepaged_enter_vma(struct vm_area_struct *vma, unsigned long vm_flags)
{
	struct mm_struct *mm = vma->vm_mm;

	if (!mm->machine->arch->thp || (mm->thp_disable & MMF_VM_HUGEPAGE) ||
	    !pmd_enabled() || !thp_vma_collapsible(vma, vm_flags, false))
		return;
	__khugepaged_enter(mm_state()->khugepaged, mm);
}

void khugepaged_fork(struct mm_struct *mm, struct mm_struct *oldmm)
{
	if (oldmm->thp_disable & MMF_VM_HUGEPAGE)
		__khugepaged_enter(mm_state()->khugepaged, mm);
}

static void free_slot(struct khugepaged_state *kh,
		      struct khugepaged_mm_slot *slot)
{
	list_del(&slot->mm_node);
	kmem_cache_free(kh->slot_cache, slot);
}

void khugepaged_exit(struct mm_struct *mm)
{
	struct khugepaged_state *kh = mm_state()->khugepaged;
	struct khugepaged_mm_slot *slot;

	if (!(mm->thp_disable & MMF_VM_HUGEPAGE))
		return;
	pthread_mutex_lock(&kh->lock);
	list_for_each_entry(slot, &kh->mm_head, mm_node) {
		if (slot->mm != mm)
			continue;
		/* __khugepaged_exit(): the cursor's slot is left to the
		 * scan, which moves past it (and counts the pass if it was
		 * the last). */
		if (slot == kh->scan_slot)
			slot->mm = NULL;
		else
			free_slot(kh, slot);
		break;
	}
	pthread_mutex_unlock(&kh->lock);
}

/* ---- the scan ---- */

/* hpage_collapse_test_exit_or_disable() */
static bool mm_gone_or_disabled(struct mm_struct *mm)
{
	return !mm || !atomic_load(&mm->mm_users) ||
	       (mm->thp_disable & MMF_DISABLE_THP_COMPLETELY);
}

/*
 * The 2 MiB VMAs of @mm from the cursor on, up to @pages of progress, or
 * up to a collapse tried (Linux drops the mmap lock there and comes back
 * to the cursor). *@vma_left: a VMA was left unfinished.
 */
static unsigned int scan_mm(struct khugepaged_state *kh, struct mm_struct *mm,
			    unsigned int pages, int *result, bool *vma_left)
{
	const struct collapse_control cc = {
		.is_khugepaged = true,
		.max_ptes_none = kh->max_ptes_none,
		.max_ptes_swap = kh->max_ptes_swap,
		.max_ptes_shared = kh->max_ptes_shared,
		/* alloc_hugepage_khugepaged_gfpmask() */
		.gfp = kh->defrag ? GFP_TRANSHUGE : GFP_TRANSHUGE_LIGHT,
	};
	struct vm_area_struct *vma;
	unsigned int progress = 1;

	*vma_left = false;
	if (mm_gone_or_disabled(mm))
		return progress;
	for (vma = find_vma(mm, kh->scan_address); vma; vma = vma->vm_next) {
		unsigned long hstart, hend;

		if (mm_gone_or_disabled(mm)) {
			progress++;
			break;
		}
		hstart = (vma->vm_start + HPAGE_PMD_SIZE - 1) & HPAGE_PMD_MASK;
		hend = vma->vm_end & HPAGE_PMD_MASK;
		if (!thp_vma_collapsible(vma, vma->vm_flags, false) ||
		    kh->scan_address > hend) {
			progress++;
			continue;
		}
		if (kh->scan_address < hstart)
			kh->scan_address = hstart;
		while (kh->scan_address < hend) {
			bool tried = false;
			int err = thp_collapse_pmd(mm, vma, kh->scan_address,
						   &cc, &tried);

			if (!err)
				kh->pages_collapsed++;
			*result = err;
			kh->scan_address += HPAGE_PMD_SIZE;
			progress += HPAGE_PMD_NR;
			if (tried || progress >= pages) {
				*vma_left = true;
				return progress;
			}
		}
	}
	return progress;
}

/* khugepaged_scan_mm_slot(): the cursor's mm, moving on to the next one
 * (or ending the pass) once it is done, gone or busy. */
static unsigned int scan_mm_slot(struct khugepaged_state *kh,
				 unsigned int pages, int *result)
{
	struct khugepaged_mm_slot *slot = kh->scan_slot;
	struct mm_struct *mm;
	unsigned int progress = 0;
	bool vma_left = false;

	if (!slot) {
		slot = list_first_entry(&kh->mm_head, struct khugepaged_mm_slot,
					mm_node);
		kh->scan_slot = slot;
		kh->scan_address = 0;
	}
	mm = slot->mm;
	/* Nobody waits for the mmap lock: a busy mm is passed over. */
	if (mm && mmap_write_trylock(mm)) {
		progress = scan_mm(kh, mm, pages, result, &vma_left);
		mmap_write_unlock(mm);
	}
	if (!mm || !atomic_load(&mm->mm_users) || !vma_left) {
		if (slot->mm_node.next != &kh->mm_head) {
			kh->scan_slot = list_next_entry(slot, mm_node);
		} else {
			kh->scan_slot = NULL;
			kh->full_scans++;
		}
		kh->scan_address = 0;
		/* collect_mm_slot() */
		if (!mm)
			free_slot(kh, slot);
	}
	return progress;
}

/* khugepaged_has_work() */
static bool has_work(struct khugepaged_state *kh)
{
	return !list_empty(&kh->mm_head) && pmd_enabled();
}

/* khugepaged_do_scan(): one wake-up. */
static void do_scan(struct khugepaged_state *kh)
{
	unsigned int progress = 0, pass_through_head = 0;
	unsigned int pages = kh->pages_to_scan;
	bool wait = true;
	int result = 0;

	for (;;) {
		if (!kh->scan_slot)
			pass_through_head++;
		if (has_work(kh) && pass_through_head < 2)
			progress += scan_mm_slot(kh, pages - progress, &result);
		else
			progress = pages;
		if (progress >= pages)
			break;
		/* No huge page: one more try (after alloc_sleep_millisecs,
		 * which a simulation need not wait). */
		if (result == -ENOMEM) {
			if (!wait)
				break;
			wait = false;
		}
	}
}

long mmk_khugepaged_scan(unsigned long wakeups)
{
	struct mmk_machine *m = mmk_cur();
	struct khugepaged_state *kh;
	unsigned long collapsed, full, i;

	if (!m || !m->mm)
		return -EINVAL;
	if (!m->arch->thp)
		return -ENOENT;
	kh = m->mm->khugepaged;
	pthread_mutex_lock(&kh->lock);
	collapsed = kh->pages_collapsed;
	full = kh->full_scans;
	for (i = 0; wakeups ? i < wakeups : kh->full_scans == full; i++) {
		if (!has_work(kh))
			break;
		do_scan(kh);
	}
	collapsed = kh->pages_collapsed - collapsed;
	pthread_mutex_unlock(&kh->lock);
	/* The OOM killer's victims of the allocations exit now. */
	oom_exit_victims(m);
	return (long)collapsed;
}

/* ---- sysfs ---- */

static const struct {
	const char *name;
	size_t off;
	unsigned int max; /* 0: any number (pages_to_scan: not 0) */
	bool min1;
} knobs[] = {
	{ "max_ptes_none", offsetof(struct khugepaged_state, max_ptes_none),
	  HPAGE_PMD_NR - 1, false },
	{ "max_ptes_swap", offsetof(struct khugepaged_state, max_ptes_swap),
	  HPAGE_PMD_NR - 1, false },
	{ "max_ptes_shared", offsetof(struct khugepaged_state, max_ptes_shared),
	  HPAGE_PMD_NR - 1, false },
	{ "pages_to_scan", offsetof(struct khugepaged_state, pages_to_scan),
	  ~0U, true },
	{ "scan_sleep_millisecs",
	  offsetof(struct khugepaged_state, scan_sleep_millisecs), ~0U, false },
	{ "alloc_sleep_millisecs",
	  offsetof(struct khugepaged_state, alloc_sleep_millisecs), ~0U,
	  false },
};

static unsigned int *knob_of(struct khugepaged_state *kh, size_t i)
{
	return (unsigned int *)((char *)kh + knobs[i].off);
}

static int knob_index(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		if (!strcmp(name, knobs[i].name))
			return (int)i;
	return -1;
}

int khugepaged_sysfs_show(struct seq_file *s, struct mmk_machine *m,
			  const char *name)
{
	struct khugepaged_state *kh = m->mm->khugepaged;
	int i = knob_index(name), err = 0;

	pthread_mutex_lock(&kh->lock);
	if (i >= 0)
		seq_printf(s, "%u\n", *knob_of(kh, (size_t)i));
	else if (!strcmp(name, "defrag"))
		seq_printf(s, "%d\n", kh->defrag);
	else if (!strcmp(name, "full_scans"))
		seq_printf(s, "%lu\n", kh->full_scans);
	else if (!strcmp(name, "pages_collapsed"))
		seq_printf(s, "%lu\n", kh->pages_collapsed);
	else
		err = -ENOENT;
	pthread_mutex_unlock(&kh->lock);
	return err;
}

int khugepaged_sysfs_store(struct mmk_machine *m, const char *name,
			   const char *value)
{
	struct khugepaged_state *kh = m->mm->khugepaged;
	int i = knob_index(name);
	unsigned long v;

	if (!strcmp(name, "full_scans") || !strcmp(name, "pages_collapsed"))
		return -EACCES;
	if (i < 0 && strcmp(name, "defrag") != 0)
		return -ENOENT;
	/* kstrtoul (kstrtouint for the millisecs and pages_to_scan):
	 * a decimal number in range. */
	if (thp_knob_ulong(value, &v))
		return -EINVAL;
	if (i < 0) { /* single_hugepage_flag_store(): 0 or 1 */
		if (v > 1)
			return -EINVAL;
		pthread_mutex_lock(&kh->lock);
		kh->defrag = v;
		pthread_mutex_unlock(&kh->lock);
		return 0;
	}
	if (v > knobs[i].max || (knobs[i].min1 && !v))
		return -EINVAL;
	pthread_mutex_lock(&kh->lock);
	*knob_of(kh, (size_t)i) = (unsigned int)v;
	pthread_mutex_unlock(&kh->lock);
	return 0;
}
