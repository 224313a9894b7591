/* SPDX-License-Identifier: MIT */
/*
 * High memory mappings (Linux's mm/highmem.c and kmap_local).
 *
 * 1. What it models. On the i386 profile, pages above 896M have no
 *    permanent kernel address. kmap() gives one a slot in the persistent
 *    kmap area (PKMAP_BASE, LAST_PKMAP slots) with a reference count per
 *    slot; slots whose count fell to 1 (mapped, unused) are only unmapped
 *    when the allocator wraps around (flush_all_zero_pkmaps), and a caller
 *    finding every slot busy waits until a kunmap() frees one.
 *    kmap_local_page()/kmap_atomic() use KM_MAX_IDX fixmap slots per CPU
 *    as a stack. Both areas sit where Linux 6.18 puts them (mm/internal.h:
 *    PKMAP_BASE below the LDT and cpu_entry_area, the FIX_KMAP slots
 *    counting down from the top of the fixmap). Lowmem pages, and every page on x86_64, are returned at
 *    their page_address().
 *
 * 2. Objects. pkmap_count[slot] (0 free, 1 mapped and idle, n > 1 in use
 *    by n - 1 callers), pkmap_page[slot], and a hash from pfn to slot (the
 *    page_address_htable) so page_address() finds a kmapped highmem page.
 *    Each slot is a page of a reserved host window; mapping a page aliases
 *    the machine's memfd there, so the bytes are the page's own.
 *
 * 3. Invariants (highmem_verify). A slot with count > 0 holds a page and
 *    is the hash's entry for that page; a free slot is in no hash entry;
 *    every CPU's kmap_local depth is within 0..KM_MAX_IDX.
 *
 * 4. Departures. kmap_local slots are per CPU (Linux keeps them per task;
 *    a CPU here runs one thread); a thread without a CPU gets kmap(). A
 *    kmap_local slot keeps its host mapping after kunmap_local until a
 *    different page needs the slot, which saves a system call per pair.
 *    A kunmap_local out of order is reported and ignored. kmap_nowait()
 *    is mmkit's: -EBUSY where kmap() would wait, for a caller that no
 *    other thread can free a slot for (the script interpreter).
 *
 * 5. Ordering. pkmap_lock protects the pkmap slots and the hash; it is
 *    taken with no other mmkit lock held. kmap_local state is touched only
 *    by the CPU's owner.
 *
 * 6. Observability. `kmap`/`kunmap` in scripts print kernel addresses in
 *    the pkmap area; /proc/meminfo HighTotal/HighFree; `check`.
 */
#include "mm/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <mmkit/highmem.h>

#define PKMAP_BASE I386_PKMAP_BASE
#define PKMAP_HASH (2 * LAST_PKMAP)

struct kmap_cpu {
	int idx; /* kmap_local depth */
	struct page *page[KM_MAX_IDX]; /* what each slot holds now */
	struct page *mapped[KM_MAX_IDX]; /* what the host window shows */
};

struct highmem_state {
	pthread_mutex_t lock;
	pthread_cond_t wait;
	char *pkmap_host;
	int pkmap_count[LAST_PKMAP];
	/* Of a slot's uses, those kmap_local_page() made on a thread with
	 * no CPU: only these does kunmap_local() undo. */
	int pkmap_local[LAST_PKMAP];
	struct page *pkmap_page[LAST_PKMAP];
	unsigned int last_pkmap_nr;
	long hash[PKMAP_HASH]; /* pfn + 1, 0 = empty */
	int hash_slot[PKMAP_HASH];
	char *fix_host;
	struct kmap_cpu *cpus;
	unsigned long nr_waits;
};

static bool has_highmem(const struct mmk_machine *m)
{
	return m->lowmem_end_pfn < m->max_pfn;
}

/* ---- pfn -> slot hash (linear probing, backward-shift deletion) ---- */

static unsigned int hash_pos(unsigned long pfn)
{
	return (unsigned int)((pfn * 0x9e3779b97f4a7c15ULL) >> 53) % PKMAP_HASH;
}

static int hash_find(struct highmem_state *hs, unsigned long pfn)
{
	unsigned int i = hash_pos(pfn);

	while (hs->hash[i]) {
		if (hs->hash[i] == (long)pfn + 1)
			return hs->hash_slot[i];
		i = (i + 1) % PKMAP_HASH;
	}
	return -1;
}

static void hash_add(struct highmem_state *hs, unsigned long pfn, int slot)
{
	unsigned int i = hash_pos(pfn);

	while (hs->hash[i])
		i = (i + 1) % PKMAP_HASH;
	hs->hash[i] = (long)pfn + 1;
	hs->hash_slot[i] = slot;
}

static void hash_del(struct highmem_state *hs, unsigned long pfn)
{
	unsigned int i = hash_pos(pfn), j;

	while (hs->hash[i] && hs->hash[i] != (long)pfn + 1)
		i = (i + 1) % PKMAP_HASH;
	if (!hs->hash[i])
		return;
	hs->hash[i] = 0;
	/* Shift back later entries of the cluster that belong before i. */
	for (j = (i + 1) % PKMAP_HASH; hs->hash[j]; j = (j + 1) % PKMAP_HASH) {
		unsigned int h = hash_pos((unsigned long)hs->hash[j] - 1);

		if ((j > i && (h <= i || h > j)) ||
		    (j < i && h <= i && h > j)) {
			hs->hash[i] = hs->hash[j];
			hs->hash_slot[i] = hs->hash_slot[j];
			hs->hash[j] = 0;
			i = j;
		}
	}
}

/* ---- persistent kmaps ---- */

static char *slot_host(struct highmem_state *hs, int slot)
{
	return hs->pkmap_host + ((size_t)slot << PAGE_SHIFT);
}

static void flush_all_zero_pkmaps(struct mmk_machine *m,
				  struct highmem_state *hs)
{
	int i;

	for (i = 0; i < LAST_PKMAP; i++) {
		if (hs->pkmap_count[i] != 1)
			continue;
		hs->pkmap_count[i] = 0;
		hash_del(hs, page_to_pfn(hs->pkmap_page[i]));
		hs->pkmap_page[i] = NULL;
		mmk_host_mem_unalias(slot_host(hs, i), PAGE_SIZE);
	}
	(void)m;
}

/* A free slot for @page, mapped; waits while none is free if @wait, else
 * -EBUSY; -ENOMEM if it cannot be mapped. Locked. */
static int map_new_virtual(struct mmk_machine *m, struct highmem_state *hs,
			   struct page *page, bool wait)
{
	unsigned long pfn = page_to_pfn(page);
	int count, slot;

start:
	count = LAST_PKMAP;
	for (;;) {
		hs->last_pkmap_nr = (hs->last_pkmap_nr + 1) & (LAST_PKMAP - 1);
		if (!hs->last_pkmap_nr) {
			flush_all_zero_pkmaps(m, hs);
			count = LAST_PKMAP;
		}
		if (!hs->pkmap_count[hs->last_pkmap_nr])
			break;
		if (--count)
			continue;
		if (!wait)
			return -EBUSY;
		hs->nr_waits++;
		pthread_cond_wait(&hs->wait, &hs->lock);
		/* Someone may have mapped the page meanwhile. */
		slot = hash_find(hs, pfn);
		if (slot >= 0)
			return slot;
		goto start;
	}
	slot = (int)hs->last_pkmap_nr;
	if (mmk_host_mem_alias(&m->phys, slot_host(hs, slot),
			       (size_t)pfn << PAGE_SHIFT, PAGE_SIZE, true))
		return -ENOMEM;
	hs->pkmap_page[slot] = page;
	hs->pkmap_count[slot] = 1;
	hash_add(hs, pfn, slot);
	return slot;
}

static struct highmem_state *hstate(struct mmk_machine *m)
{
	return m ? m->highmem : NULL;
}

/* @page is a struct page of this machine's mem_map. */
static bool valid_page(struct mmk_machine *m, const struct page *page,
		       const char *caller)
{
	uintptr_t off = (uintptr_t)page - (uintptr_t)m->mem_map;

	if (page && off % sizeof(*page) == 0 &&
	    pfn_zone_fast(m, off / sizeof(*page)))
		return true;
	printk(m, "WARNING: %s: not a page of this machine", caller);
	return false;
}

/* kmap() (@wait) or kmap_nowait(): 0 and the address in *@addr, or a
 * negative errno. */
static int kmap_slot(struct page *page, bool wait, void **addr)
{
	struct mmk_machine *m = mmk_cur();
	struct highmem_state *hs = hstate(m);
	int slot;

	*addr = NULL;
	if (!m || !valid_page(m, page, "kmap"))
		return -EINVAL;
	if (!hs || !PageHighMem(page)) {
		*addr = page_address(page);
		return 0;
	}
	pthread_mutex_lock(&hs->lock);
	slot = hash_find(hs, page_to_pfn(page));
	if (slot < 0)
		slot = map_new_virtual(m, hs, page, wait);
	if (slot >= 0)
		hs->pkmap_count[slot]++;
	pthread_mutex_unlock(&hs->lock);
	if (slot < 0)
		return slot;
	*addr = slot_host(hs, slot);
	return 0;
}

void *kmap(struct page *page)
{
	void *p;

	kmap_slot(page, true, &p);
	return p;
}

int kmap_nowait(struct page *page, void **addr)
{
	if (!addr)
		return -EINVAL;
	return kmap_slot(page, false, addr);
}

void kunmap(struct page *page)
{
	struct mmk_machine *m = mmk_cur();
	struct highmem_state *hs = hstate(m);
	int slot;

	if (!hs || !page || !valid_page(m, page, "kunmap") ||
	    !PageHighMem(page))
		return;
	pthread_mutex_lock(&hs->lock);
	slot = hash_find(hs, page_to_pfn(page));
	if (slot < 0 || hs->pkmap_count[slot] < 2) {
		pthread_mutex_unlock(&hs->lock);
		printk(m, "WARNING: kunmap: pfn %#lx is not kmapped",
		       page_to_pfn(page));
		return;
	}
	/* Count 1 means mapped but unused: the slot may be reused after
	 * the next flush; wake whoever waits for one. */
	if (--hs->pkmap_count[slot] == 1)
		pthread_cond_broadcast(&hs->wait);
	pthread_mutex_unlock(&hs->lock);
}

/* ---- kmap_local ---- */

/* The fixmap's kmap slots count down from FIX_KMAP_BEGIN's address, as
 * in Linux (slot n = CPU * KM_MAX_IDX + idx at __fix_to_virt(
 * FIX_KMAP_BEGIN + n)); the host window holds the machine's slots in
 * address order, so its first page is the last CPU's last slot. */
static size_t nr_fix_slots(const struct mmk_machine *m)
{
	return (size_t)m->nr_cpus * KM_MAX_IDX;
}

static char *fix_host(struct mmk_machine *m, struct highmem_state *hs, int cpu,
		      int idx)
{
	return hs->fix_host +
	       ((nr_fix_slots(m) - 1 - (size_t)(cpu * KM_MAX_IDX + idx))
		<< PAGE_SHIFT);
}

/* The slot number (CPU * KM_MAX_IDX + idx) of fixmap host address @p. */
static size_t fix_slot(struct mmk_machine *m, struct highmem_state *hs,
		       const char *p)
{
	return nr_fix_slots(m) - 1 - ((size_t)(p - hs->fix_host) >> PAGE_SHIFT);
}

void *kmap_local_page(struct page *page)
{
	struct mmk_machine *m = mmk_cur();
	struct highmem_state *hs = hstate(m);
	struct mmk_cpu *cpu = mmk_ctx.cpu;
	struct kmap_cpu *kc;
	int idx;

	if (!m || !valid_page(m, page, "kmap_local_page"))
		return NULL;
	if (!hs || !PageHighMem(page))
		return page_address(page);
	if (!cpu) {
		char *v = kmap(page);

		if (v) {
			pthread_mutex_lock(&hs->lock);
			hs->pkmap_local[(v - hs->pkmap_host) >> PAGE_SHIFT]++;
			pthread_mutex_unlock(&hs->lock);
		}
		return v;
	}
	kc = &hs->cpus[cpu->id];
	if (kc->idx >= KM_MAX_IDX) {
		printk(m,
		       "WARNING: kmap_local_page: more than %d nested mappings on CPU %d",
		       KM_MAX_IDX, cpu->id);
		return NULL;
	}
	idx = kc->idx;
	if (kc->mapped[idx] != page) {
		if (mmk_host_mem_alias(&m->phys, fix_host(m, hs, cpu->id, idx),
				       (size_t)page_to_pfn(page) << PAGE_SHIFT,
				       PAGE_SIZE, true))
			return NULL;
		kc->mapped[idx] = page;
	}
	kc->page[idx] = page;
	kc->idx++;
	return fix_host(m, hs, cpu->id, idx);
}

void kunmap_local(const void *addr)
{
	struct mmk_machine *m = mmk_cur();
	struct highmem_state *hs = hstate(m);
	struct mmk_cpu *cpu = mmk_ctx.cpu;
	const char *p = addr;
	struct kmap_cpu *kc;

	if (!hs || !addr)
		return;
	if (p >= hs->pkmap_host &&
	    p < hs->pkmap_host + ((size_t)LAST_PKMAP << PAGE_SHIFT)) {
		/* A kmap_local_page() that fell back to kmap() (no CPU)
		 * is undone; a kmap() of the caller's own is left alone, as
		 * Linux's kunmap_local() leaves an address outside the
		 * fixmap. */
		size_t slot = (size_t)(p - hs->pkmap_host) >> PAGE_SHIFT;
		bool local;

		pthread_mutex_lock(&hs->lock);
		local = hs->pkmap_local[slot] > 0;
		if (local)
			hs->pkmap_local[slot]--;
		pthread_mutex_unlock(&hs->lock);
		if (local)
			kunmap(kmap_to_page(addr));
		return;
	}
	if (!cpu || p < hs->fix_host ||
	    p >= hs->fix_host + (nr_fix_slots(m) << PAGE_SHIFT))
		return; /* a lowmem address: nothing was mapped */
	kc = &hs->cpus[cpu->id];
	if (!kc->idx || (p - fix_host(m, hs, cpu->id, kc->idx - 1)) < 0 ||
	    (p - fix_host(m, hs, cpu->id, kc->idx - 1)) >= (long)PAGE_SIZE) {
		printk(m,
		       "WARNING: kunmap_local: %#lx is not the most recent kmap_local mapping of CPU %d",
		       mmk_kaddr(addr), cpu->id);
		return;
	}
	kc->page[--kc->idx] = NULL;
}

void *kmap_atomic(struct page *page)
{
	return kmap_local_page(page);
}

void kunmap_atomic(const void *addr)
{
	kunmap_local(addr);
}

struct page *kmap_to_page(const void *addr)
{
	struct mmk_machine *m = mmk_cur();
	struct highmem_state *hs = hstate(m);
	const char *p = addr;

	if (!m)
		return NULL;
	if (hs && p >= hs->pkmap_host &&
	    p < hs->pkmap_host + ((size_t)LAST_PKMAP << PAGE_SHIFT)) {
		struct page *page;

		pthread_mutex_lock(&hs->lock);
		page = hs->pkmap_page[(p - hs->pkmap_host) >> PAGE_SHIFT];
		pthread_mutex_unlock(&hs->lock);
		return page;
	}
	if (hs && p >= hs->fix_host &&
	    p < hs->fix_host + (nr_fix_slots(m) << PAGE_SHIFT)) {
		size_t n = fix_slot(m, hs, p);

		return hs->cpus[n / KM_MAX_IDX].mapped[n % KM_MAX_IDX];
	}
	return virt_to_page(addr);
}

/* page_address() of a highmem page: its pkmap address, if kmapped. */
static void *highmem_page_address(struct mmk_machine *m,
				  const struct page *page)
{
	struct highmem_state *hs = m->highmem;
	int slot;

	pthread_mutex_lock(&hs->lock);
	slot = hash_find(hs, (unsigned long)(page - m->mem_map));
	pthread_mutex_unlock(&hs->lock);
	return slot < 0 ? NULL : slot_host(hs, slot);
}

unsigned long highmem_kaddr(struct mmk_machine *m, const void *addr)
{
	struct highmem_state *hs = hstate(m);
	const char *p = addr;

	if (!hs)
		return 0;
	if (p >= hs->pkmap_host &&
	    p < hs->pkmap_host + ((size_t)LAST_PKMAP << PAGE_SHIFT))
		return PKMAP_BASE + (unsigned long)(p - hs->pkmap_host);
	if (p >= hs->fix_host &&
	    p < hs->fix_host + (nr_fix_slots(m) << PAGE_SHIFT))
		return I386_FIX_TO_VIRT(I386_FIX_KMAP_BEGIN +
					fix_slot(m, hs, p)) +
		       ((unsigned long)(p - hs->fix_host) & (PAGE_SIZE - 1));
	return 0;
}

int highmem_init(struct mmk_machine *m)
{
	struct highmem_state *hs;

	if (!has_highmem(m))
		return 0;
	hs = mmk_machine_zalloc(m, sizeof(*hs));
	if (!hs)
		return -ENOMEM;
	m->highmem = hs;
	pthread_mutex_init(&hs->lock, NULL);
	pthread_cond_init(&hs->wait, NULL);
	hs->pkmap_host = mmk_host_reserve((size_t)LAST_PKMAP << PAGE_SHIFT);
	hs->fix_host = mmk_host_reserve(nr_fix_slots(m) << PAGE_SHIFT);
	hs->cpus =
		mmk_machine_zalloc(m, (size_t)m->nr_cpus * sizeof(*hs->cpus));
	if (!hs->pkmap_host || !hs->fix_host || !hs->cpus)
		return -ENOMEM;
	m->kmap_address = highmem_page_address;
	return 0;
}

void highmem_exit(struct mmk_machine *m)
{
	struct highmem_state *hs = m->highmem;

	if (!hs)
		return;
	mmk_host_unreserve(hs->pkmap_host, (size_t)LAST_PKMAP << PAGE_SHIFT);
	mmk_host_unreserve(hs->fix_host, nr_fix_slots(m) << PAGE_SHIFT);
	pthread_cond_destroy(&hs->wait);
	pthread_mutex_destroy(&hs->lock);
	m->highmem = NULL;
	m->kmap_address = NULL;
}

bool highmem_verify(struct mmk_machine *m, char *why, size_t len)
{
	struct highmem_state *hs = m->highmem;
	bool ok = true;
	int i, cpu;

	if (!hs)
		return true;
	pthread_mutex_lock(&hs->lock);
	for (i = 0; ok && i < LAST_PKMAP; i++) {
		struct page *page = hs->pkmap_page[i];

		if (hs->pkmap_count[i] < 0 ||
		    (hs->pkmap_count[i] > 0) != !!page)
			ok = verify_fail(
				why, len,
				"kmap: pkmap slot %d has count %d and %s page",
				i, hs->pkmap_count[i], page ? "a" : "no");
		else if (hs->pkmap_local[i] < 0 ||
			 (hs->pkmap_local[i] &&
			  hs->pkmap_local[i] > hs->pkmap_count[i] - 1))
			ok = verify_fail(
				why, len,
				"kmap: pkmap slot %d has %d kmap_local uses of %d",
				i, hs->pkmap_local[i], hs->pkmap_count[i] - 1);
		else if (page && hash_find(hs, page_to_pfn(page)) != i)
			ok = verify_fail(
				why, len,
				"kmap: pkmap slot %d holds pfn %#lx but the hash does not point to it",
				i, page_to_pfn(page));
	}
	for (i = 0; ok && i < PKMAP_HASH; i++)
		if (hs->hash[i] && hs->pkmap_page[hs->hash_slot[i]] &&
		    page_to_pfn(hs->pkmap_page[hs->hash_slot[i]]) !=
			    (unsigned long)hs->hash[i] - 1)
			ok = verify_fail(
				why, len,
				"kmap: hash entry for pfn %#lx points to a slot holding another page",
				(unsigned long)hs->hash[i] - 1);
	pthread_mutex_unlock(&hs->lock);
	for (cpu = 0; ok && cpu < m->nr_cpus; cpu++)
		if (hs->cpus[cpu].idx < 0 || hs->cpus[cpu].idx > KM_MAX_IDX)
			ok = verify_fail(why, len,
					 "kmap_local: CPU %d has depth %d", cpu,
					 hs->cpus[cpu].idx);
	return ok;
}
