/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of kmap, kmap_local and kmap_atomic (mm/highmem.c). Most run
 * on an i386 machine with 1G of RAM: lowmem ends at 896M (pfn 229376), the
 * 128M above it is ZONE_HIGHMEM. Persistent kmaps live at PKMAP_BASE
 * (0xfe400000) + slot * 4096 for slots 0..1023; the allocator advances
 * before it looks, so the first kmap gets slot 1 and slot 0 is reached when
 * it wraps. kmap_local slots are fixmap slots counting down: CPU c's depth
 * idx at 0xfffbb000 - (c * 16 + idx) * 4096 (FIX_KMAP_BEGIN is fixmap
 * index 68 below FIXADDR_TOP 0xfffff000). Each test boots its own machine
 * and ends with the full verifier.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/internal.h"

#define PKMAP_BASE 0xfe400000UL
#define PKMAP_END 0xfe800000UL
#define FIX_KMAP_TOP 0xfffbb000UL
#define LOWMEM_END_PFN 229376UL

static struct mmk_machine *boot_with(enum mmk_arch arch, uint64_t mem, int cpus)
{
	return mmk_test_boot(arch, mem, 1, cpus, true);
}

static struct mmk_machine *boot_i386(void)
{
	return boot_with(MMK_ARCH_I386, 1ULL << 30, 2);
}

static struct page *alloc_high(void)
{
	struct page *page = alloc_pages(GFP_HIGHUSER, 0);

	assert_non_null(page);
	assert_true(PageHighMem(page));
	return page;
}

/* The pkmap address of slot @slot. */
static unsigned long pkmap_addr(int slot)
{
	return PKMAP_BASE + (unsigned long)slot * PAGE_SIZE;
}

/* The kmap_local address of depth @idx on CPU @cpu. */
static unsigned long local_addr(int cpu, int idx)
{
	return FIX_KMAP_TOP -
	       (unsigned long)(cpu * KM_MAX_IDX + idx) * PAGE_SIZE;
}

/* ---- persistent kmaps ---- */

static void test_highuser_page_has_no_address_until_kmapped(void **state)
{
	struct mmk_machine *m = boot_i386();
	struct page *page;
	char expect[96];
	void *k;

	(void)state;
	assert_int_equal(m->lowmem_end_pfn, LOWMEM_END_PFN);
	page = alloc_high();
	assert_true(page_to_pfn(page) >= LOWMEM_END_PFN);
	assert_null(page_address(page));
	k = kmap(page);
	assert_non_null(k);
	assert_int_equal(mmk_kaddr(k), pkmap_addr(1));
	assert_ptr_equal(page_address(page), k);
	/* A second kmap shares the slot. */
	assert_ptr_equal(kmap(page), k);
	kunmap(page);
	kunmap(page);
	/* Idle but still mapped until the slots wrap. */
	assert_ptr_equal(page_address(page), k);
	assert_int_equal(dmesg_len(m), 0);
	assert_check_ok(m);
	/* One kunmap too many is reported and ignored. */
	kunmap(page);
	snprintf(expect, sizeof expect,
		 "WARNING: kunmap: pfn %#lx is not kmapped", page_to_pfn(page));
	assert_true(dmesg_has(m, expect));
	assert_ptr_equal(page_address(page), k);
	assert_check_ok(m);
	__free_pages(page, 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_kunmap_of_a_page_never_kmapped_warns(void **state)
{
	struct mmk_machine *m = boot_i386();
	struct page *page = alloc_high();
	char expect[96];

	(void)state;
	kunmap(page);
	snprintf(expect, sizeof expect,
		 "WARNING: kunmap: pfn %#lx is not kmapped", page_to_pfn(page));
	assert_true(dmesg_has(m, expect));
	assert_null(page_address(page));
	__free_pages(page, 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_idle_kmap_is_dropped_when_slots_wrap(void **state)
{
	struct mmk_machine *m = boot_i386();
	struct page *first = alloc_high();
	static struct page *others[LAST_PKMAP];
	void *k;
	int i;

	(void)state;
	k = kmap(first);
	assert_int_equal(mmk_kaddr(k), pkmap_addr(1));
	kunmap(first);
	/* Slots 2..1023 for 1022 other pages: no wrap yet. */
	for (i = 0; i < LAST_PKMAP - 2; i++) {
		others[i] = alloc_high();
		assert_int_equal(mmk_kaddr(kmap(others[i])), pkmap_addr(i + 2));
	}
	assert_ptr_equal(page_address(first), k);
	/* The next one wraps: every idle slot (count 1) is flushed, then
	 * slot 0 is taken. */
	others[i] = alloc_high();
	assert_int_equal(mmk_kaddr(kmap(others[i])), pkmap_addr(0));
	assert_null(page_address(first));
	assert_check_ok(m);
	/* kmap of the flushed page takes the lowest free slot after 0. */
	assert_int_equal(mmk_kaddr(kmap(first)), pkmap_addr(1));
	kunmap(first);
	for (i = 0; i < LAST_PKMAP - 1; i++) {
		kunmap(others[i]);
		__free_pages(others[i], 0);
	}
	__free_pages(first, 0);
	assert_int_equal(dmesg_len(m), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_kmap_capacity_is_last_pkmap_slots(void **state)
{
	struct mmk_machine *m = boot_i386();
	static struct page *pages[LAST_PKMAP];
	static bool seen[LAST_PKMAP];
	int i;

	(void)state;
	memset(seen, 0, sizeof seen);
	/* 1024 distinct pages: slots 1..1023, then slot 0 after the wrap.
	 * Every slot of the pkmap area is in use once. */
	for (i = 0; i < LAST_PKMAP; i++) {
		unsigned long kaddr;
		unsigned int *k;

		pages[i] = alloc_high();
		k = kmap(pages[i]);
		assert_non_null(k);
		kaddr = mmk_kaddr(k);
		assert_true(kaddr >= PKMAP_BASE && kaddr < PKMAP_END);
		assert_int_equal(kaddr, pkmap_addr((i + 1) % LAST_PKMAP));
		assert_false(seen[(kaddr - PKMAP_BASE) >> PAGE_SHIFT]);
		seen[(kaddr - PKMAP_BASE) >> PAGE_SHIFT] = true;
		*k = (unsigned int)i;
	}
	/* Full, but a page already mapped is found without a new slot. */
	assert_ptr_equal(kmap(pages[5]), page_address(pages[5]));
	kunmap(pages[5]);
	/* kmap_nowait(): the same, and EBUSY for a page that needs a slot
	 * (kmap() would wait); one once a slot is idle again. */
	{
		struct page *extra = alloc_high();
		void *p = NULL;

		assert_int_equal(kmap_nowait(pages[5], &p), 0);
		assert_ptr_equal(p, page_address(pages[5]));
		kunmap(pages[5]);
		assert_int_equal(kmap_nowait(extra, &p), -EBUSY);
		assert_null(p);
		kunmap(pages[7]);
		assert_int_equal(kmap_nowait(extra, &p), 0);
		assert_ptr_equal(p, page_address(extra));
		assert_null(page_address(pages[7]));
		kunmap(extra);
		__free_pages(extra, 0);
		__free_pages(pages[7], 0);
		pages[7] = NULL;
	}
	for (i = 0; i < LAST_PKMAP; i++) {
		unsigned int *k;

		if (!pages[i])
			continue;
		k = page_address(pages[i]);
		assert_non_null(k);
		assert_int_equal(*k, i);
		assert_ptr_equal(kmap_to_page(k), pages[i]);
	}
	assert_check_ok(m);
	for (i = 0; i < LAST_PKMAP; i++) {
		if (!pages[i])
			continue;
		kunmap(pages[i]);
		__free_pages(pages[i], 0);
	}
	assert_int_equal(dmesg_len(m), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_wrap_flushes_only_idle_slots(void **state)
{
	struct mmk_machine *m = boot_i386();
	static struct page *a[LAST_PKMAP - 1], *b[LAST_PKMAP / 2];
	int i, slot;

	(void)state;
	/* 1023 pages in slots 1..1023; the even-indexed ones go idle. */
	for (i = 0; i < LAST_PKMAP - 1; i++) {
		a[i] = alloc_high();
		assert_int_equal(mmk_kaddr(kmap(a[i])), pkmap_addr(i + 1));
	}
	for (i = 0; i < LAST_PKMAP - 1; i += 2)
		kunmap(a[i]);
	/* The next kmap wraps: slot 0, and the 512 idle slots (1, 3, ...,
	 * 1023) are freed in one flush. New pages take them in order. */
	for (i = 0; i < LAST_PKMAP / 2; i++) {
		b[i] = alloc_high();
		slot = i == 0 ? 0 : 2 * i - 1;
		assert_int_equal(mmk_kaddr(kmap(b[i])), pkmap_addr(slot));
	}
	assert_check_ok(m);
	/* Every page is found (or not) through the pfn hash. */
	for (i = 0; i < LAST_PKMAP - 1; i++) {
		void *addr = page_address(a[i]);

		if (i % 2 == 0) {
			assert_null(addr);
		} else {
			assert_int_equal(mmk_kaddr(addr), pkmap_addr(i + 1));
			assert_ptr_equal(kmap_to_page(addr), a[i]);
		}
	}
	for (i = 0; i < LAST_PKMAP / 2; i++) {
		slot = i == 0 ? 0 : 2 * i - 1;
		assert_int_equal(mmk_kaddr(page_address(b[i])),
				 pkmap_addr(slot));
		assert_ptr_equal(kmap_to_page(page_address(b[i])), b[i]);
	}
	for (i = 0; i < LAST_PKMAP - 1; i++) {
		if (i % 2)
			kunmap(a[i]);
		__free_pages(a[i], 0);
	}
	for (i = 0; i < LAST_PKMAP / 2; i++) {
		kunmap(b[i]);
		__free_pages(b[i], 0);
	}
	assert_int_equal(dmesg_len(m), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_kmap_writes_show_through_kmap_local_and_vmap(void **state)
{
	struct mmk_machine *m = boot_i386();
	struct page *page = alloc_high();
	unsigned char *k, *l, *v;
	int i;

	(void)state;
	k = kmap(page);
	for (i = 0; i < (int)PAGE_SIZE; i++)
		k[i] = (unsigned char)(i * 7);
	l = kmap_local_page(page);
	assert_non_null(l);
	assert_ptr_not_equal(l, k);
	assert_int_equal(mmk_kaddr(l), local_addr(0, 0));
	assert_memory_equal(l, k, PAGE_SIZE);
	l[10] = 0xee;
	assert_int_equal(k[10], 0xee);
	v = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	assert_non_null(v);
	assert_int_equal(mmk_kaddr(v), 0xf8800000UL); /* VMALLOC_START */
	assert_memory_equal(v, k, PAGE_SIZE);
	v[20] = 0xdd;
	assert_int_equal(k[20], 0xdd);
	assert_int_equal(l[20], 0xdd);
	vunmap(v);
	kunmap_local(l);
	kunmap(page);
	assert_int_equal(dmesg_len(m), 0);
	/* The bytes are the page's: a fresh kmap_local still sees them. */
	l = kmap_local_page(page);
	assert_int_equal(l[10], 0xee);
	assert_int_equal(l[20], 0xdd);
	assert_int_equal(l[4095], (unsigned char)(4095 * 7));
	kunmap_local(l);
	__free_pages(page, 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_kmap_of_lowmem_page_is_page_address(void **state)
{
	struct mmk_machine *m = boot_i386();
	struct page *page = alloc_pages(GFP_KERNEL, 0);
	void *addr;

	(void)state;
	assert_non_null(page);
	assert_false(PageHighMem(page));
	addr = page_address(page);
	assert_non_null(addr);
	assert_ptr_equal(kmap(page), addr);
	assert_ptr_equal(kmap_local_page(page), addr);
	assert_ptr_equal(kmap_atomic(page), addr);
	assert_int_equal(mmk_kaddr(addr),
			 0xc0000000UL + (page_to_pfn(page) << PAGE_SHIFT));
	kunmap_atomic(addr);
	kunmap_local(addr);
	kunmap(page);
	assert_int_equal(dmesg_len(m), 0);
	/* Nothing was mapped: the first highmem kmap still gets slot 1 and
	 * the first kmap_local depth 0. */
	{
		struct page *high = alloc_high();
		void *l;

		assert_int_equal(mmk_kaddr(kmap(high)), pkmap_addr(1));
		l = kmap_local_page(high);
		assert_int_equal(mmk_kaddr(l), local_addr(0, 0));
		kunmap_local(l);
		kunmap(high);
		__free_pages(high, 0);
	}
	__free_pages(page, 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_x86_64_kmap_is_page_address_and_kunmap_a_noop(void **state)
{
	struct mmk_machine *m = boot_with(MMK_ARCH_X86_64, 256ULL << 20, 2);
	struct page *page = alloc_pages(GFP_HIGHUSER, 0);
	void *addr;

	(void)state;
	assert_non_null(page);
	assert_false(PageHighMem(page));
	addr = page_address(page);
	assert_non_null(addr);
	assert_ptr_equal(kmap(page), addr);
	assert_ptr_equal(kmap(page), addr);
	assert_ptr_equal(kmap_local_page(page), addr);
	assert_ptr_equal(kmap_atomic(page), addr);
	assert_ptr_equal(kmap_to_page(addr), page);
	kunmap_atomic(addr);
	kunmap_local(addr);
	kunmap(page);
	kunmap(page);
	kunmap(page); /* unbalanced: still nothing to do */
	assert_int_equal(dmesg_len(m), 0);
	assert_ptr_equal(page_address(page), addr);
	__free_pages(page, 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- kmap_local ---- */

static void test_kmap_local_nests_and_unmaps_in_reverse(void **state)
{
	struct mmk_machine *m = boot_i386();
	struct page *pages[3];
	unsigned char *l[3];
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		pages[i] = alloc_high();
		l[i] = kmap_local_page(pages[i]);
		assert_non_null(l[i]);
		assert_int_equal(mmk_kaddr(l[i]), local_addr(0, i));
		memset(l[i], 'a' + i, PAGE_SIZE);
		/* kmap_local does not give the page an address. */
		assert_null(page_address(pages[i]));
	}
	for (i = 0; i < 3; i++)
		assert_int_equal(l[i][4095], 'a' + i);
	kunmap_local(l[2]);
	kunmap_local(l[1] + 100); /* any address inside the page */
	kunmap_local(l[0]);
	assert_int_equal(dmesg_len(m), 0);
	/* The stack is empty again: depth 0 comes back, with the new
	 * page's bytes. */
	l[0] = kmap_local_page(pages[2]);
	assert_int_equal(mmk_kaddr(l[0]), local_addr(0, 0));
	assert_int_equal(l[0][0], 'c');
	kunmap_local(l[0]);
	/* Another CPU has its own stack. */
	assert_int_equal(mmk_set_cpu(1), 0);
	l[1] = kmap_local_page(pages[1]);
	assert_int_equal(mmk_kaddr(l[1]), local_addr(1, 0));
	assert_int_equal(l[1][7], 'b');
	kunmap_local(l[1]);
	assert_int_equal(mmk_set_cpu(0), 0);
	for (i = 0; i < 3; i++)
		__free_pages(pages[i], 0);
	assert_int_equal(dmesg_len(m), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_kunmap_local_out_of_order_is_refused(void **state)
{
	struct mmk_machine *m = boot_i386();
	struct page *pages[4];
	void *l[4];
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		pages[i] = alloc_high();
		l[i] = kmap_local_page(pages[i]);
	}
	pages[3] = alloc_high();
	kunmap_local(l[0]);
	assert_true(dmesg_has(
		m,
		"WARNING: kunmap_local: 0xfffbb000 is not the most recent kmap_local mapping of CPU 0"));
	mmk_dmesg_clear(m);
	kunmap_local(l[1]);
	assert_true(dmesg_has(
		m,
		"WARNING: kunmap_local: 0xfffba000 is not the most recent kmap_local mapping of CPU 0"));
	assert_check_ok(m);
	/* Unchanged: the next mapping goes on top, at depth 3. */
	l[3] = kmap_local_page(pages[3]);
	assert_int_equal(mmk_kaddr(l[3]), local_addr(0, 3));
	assert_ptr_equal(kmap_to_page(l[0]), pages[0]);
	mmk_dmesg_clear(m);
	for (i = 3; i >= 0; i--)
		kunmap_local(l[i]);
	assert_int_equal(dmesg_len(m), 0);
	l[0] = kmap_local_page(pages[0]);
	assert_int_equal(mmk_kaddr(l[0]), local_addr(0, 0));
	kunmap_local(l[0]);
	/* With the stack empty, any kunmap_local is out of order. */
	kunmap_local(l[0]);
	assert_true(dmesg_has(
		m,
		"WARNING: kunmap_local: 0xfffbb000 is not the most recent kmap_local mapping of CPU 0"));
	for (i = 0; i < 4; i++)
		__free_pages(pages[i], 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_kmap_local_stack_holds_km_max_idx(void **state)
{
	struct mmk_machine *m = boot_i386();
	struct page *pages[KM_MAX_IDX + 1];
	void *l[KM_MAX_IDX];
	int i;

	(void)state;
	for (i = 0; i < KM_MAX_IDX; i++) {
		pages[i] = alloc_high();
		l[i] = kmap_local_page(pages[i]);
		assert_non_null(l[i]);
		assert_int_equal(mmk_kaddr(l[i]), local_addr(0, i));
	}
	pages[KM_MAX_IDX] = alloc_high();
	assert_null(kmap_local_page(pages[KM_MAX_IDX]));
	assert_true(dmesg_has(
		m,
		"WARNING: kmap_local_page: more than 16 nested mappings on CPU 0"));
	assert_null(kmap_atomic(pages[KM_MAX_IDX]));
	assert_check_ok(m);
	mmk_dmesg_clear(m);
	for (i = KM_MAX_IDX - 1; i >= 0; i--) {
		assert_ptr_equal(kmap_to_page(l[i]), pages[i]);
		kunmap_local(l[i]);
	}
	assert_int_equal(dmesg_len(m), 0);
	for (i = 0; i <= KM_MAX_IDX; i++)
		__free_pages(pages[i], 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_kmap_atomic_behaves_like_kmap_local(void **state)
{
	struct mmk_machine *m = boot_i386();
	struct page *a = alloc_high(), *b = alloc_high();
	unsigned char *pa, *pb;

	(void)state;
	pa = kmap_atomic(a);
	assert_int_equal(mmk_kaddr(pa), local_addr(0, 0));
	/* Atomic and local mappings share one stack. */
	pb = kmap_local_page(b);
	assert_int_equal(mmk_kaddr(pb), local_addr(0, 1));
	pa[0] = 1;
	pb[0] = 2;
	/* Out of order through kunmap_atomic is refused as well. */
	kunmap_atomic(pa);
	assert_true(dmesg_has(
		m,
		"WARNING: kunmap_local: 0xfffbb000 is not the most recent kmap_local mapping of CPU 0"));
	mmk_dmesg_clear(m);
	kunmap_local(pb);
	kunmap_atomic(pa);
	assert_int_equal(dmesg_len(m), 0);
	assert_null(page_address(a));
	pa = kmap(a);
	assert_int_equal(pa[0], 1);
	kunmap(a);
	__free_pages(a, 0);
	__free_pages(b, 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_kmap_to_page_round_trips(void **state)
{
	struct mmk_machine *m = boot_i386();
	struct page *high = alloc_high(), *high2 = alloc_high();
	struct page *low = alloc_pages(GFP_KERNEL, 0);
	char *k, *l;

	(void)state;
	k = kmap(high);
	assert_ptr_equal(kmap_to_page(k), high);
	assert_ptr_equal(kmap_to_page(k + 4095), high);
	l = kmap_local_page(high2);
	assert_ptr_equal(kmap_to_page(l), high2);
	assert_ptr_equal(kmap_to_page(l + 123), high2);
	assert_ptr_equal(kmap_to_page(page_address(low)), low);
	assert_ptr_equal(kmap_to_page((char *)page_address(low) + 4000), low);
	kunmap_local(l);
	kunmap(high);
	__free_pages(high, 0);
	__free_pages(high2, 0);
	__free_pages(low, 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- a thread without a CPU ---- */

struct nocpu_arg {
	struct mmk_machine *m;
	struct page *page;
	int cpu;
	unsigned long kaddr;
	bool mapped_after;
	unsigned char byte;
};

static void *nocpu_thread(void *arg)
{
	struct nocpu_arg *a = arg;
	unsigned char *l;

	mmk_set_current(a->m);
	a->cpu = mmk_get_cpu();
	l = kmap_local_page(a->page);
	a->kaddr = mmk_kaddr(l);
	a->byte = l ? l[0] : 0;
	kunmap_local(l);
	a->mapped_after = page_address(a->page) != NULL;
	/* A kmap() of its own is not the fallback's: kunmap_local()
	 * leaves it (the kunmap() after it would warn otherwise). */
	l = kmap(a->page);
	kunmap_local(l);
	kunmap(a->page);
	mmk_set_current(NULL);
	return NULL;
}

static void test_kmap_local_without_a_cpu_falls_back_to_kmap(void **state)
{
	/* One CPU, held by this thread: the other thread gets none. */
	struct mmk_machine *m = boot_with(MMK_ARCH_I386, 1ULL << 30, 1);
	struct nocpu_arg a = { .m = m };
	unsigned char *k;
	pthread_t t;

	(void)state;
	a.page = alloc_high();
	k = kmap(a.page);
	k[0] = 0x77;
	kunmap(a.page);
	assert_int_equal(pthread_create(&t, NULL, nocpu_thread, &a), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(a.cpu, -1);
	/* The page was still in its idle pkmap slot: the fallback kmap
	 * found it there, and kunmap_local dropped that kmap again. */
	assert_int_equal(a.kaddr, pkmap_addr(1));
	assert_int_equal(a.byte, 0x77);
	assert_true(a.mapped_after);
	assert_int_equal(dmesg_len(m), 0);
	/* Balanced: one more kunmap would be reported. */
	kunmap(a.page);
	assert_true(dmesg_has(m, "is not kmapped"));
	__free_pages(a.page, 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a,
		      y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Every pkmap slot and every CPU's every kmap_local slot in use at once,
 * on the most CPUs a machine has: all addresses differ, and none lies in
 * the vmalloc range. */
static void test_kmap_and_kmap_local_addresses_never_collide(void **state)
{
	struct mmk_machine *m =
		boot_with(MMK_ARCH_I386, 1ULL << 30, MMK_MAX_CPUS);
	size_t nr = LAST_PKMAP + (size_t)MMK_MAX_CPUS * KM_MAX_IDX, n = 0, i;
	unsigned long *addr = calloc(nr, sizeof(*addr));
	struct page **pages = calloc(nr, sizeof(*pages));
	void **local = calloc(nr, sizeof(*local));
	int cpu, idx;

	(void)state;
	assert_non_null(addr);
	assert_non_null(pages);
	assert_non_null(local);
	for (i = 0; i < nr; i++)
		pages[i] = alloc_high();
	for (i = 0; i < LAST_PKMAP; i++) {
		local[n] = kmap(pages[n]);
		addr[n] = mmk_kaddr(local[n]);
		n++;
	}
	for (cpu = 0; cpu < MMK_MAX_CPUS; cpu++) {
		assert_int_equal(mmk_set_cpu(cpu), 0);
		for (idx = 0; idx < KM_MAX_IDX; idx++) {
			local[n] = kmap_local_page(pages[n]);
			addr[n] = mmk_kaddr(local[n]);
			assert_int_equal(addr[n], local_addr(cpu, idx));
			n++;
		}
	}
	assert_ptr_equal(kmap_to_page(local[nr - 1]), pages[nr - 1]);
	for (i = 0; i < nr; i++)
		assert_false(addr[i] >= m->vmalloc_start &&
			     addr[i] < m->vmalloc_end);
	qsort(addr, nr, sizeof(*addr), cmp_ulong);
	for (i = 1; i < nr; i++)
		if (addr[i] == addr[i - 1])
			fail_msg("two live mappings at %#lx", addr[i]);
	assert_check_ok(m);
	for (cpu = MMK_MAX_CPUS - 1; cpu >= 0; cpu--) {
		assert_int_equal(mmk_set_cpu(cpu), 0);
		for (idx = KM_MAX_IDX - 1; idx >= 0; idx--)
			kunmap_local(local[--n]);
	}
	while (n)
		kunmap(pages[--n]);
	for (i = 0; i < nr; i++)
		__free_pages(pages[i], 0);
	free(addr);
	free(pages);
	free(local);
	assert_check_ok(m);
	mmk_shutdown(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_highuser_page_has_no_address_until_kmapped),
		cmocka_unit_test(test_kunmap_of_a_page_never_kmapped_warns),
		cmocka_unit_test(test_idle_kmap_is_dropped_when_slots_wrap),
		cmocka_unit_test(test_kmap_capacity_is_last_pkmap_slots),
		cmocka_unit_test(test_wrap_flushes_only_idle_slots),
		cmocka_unit_test(
			test_kmap_writes_show_through_kmap_local_and_vmap),
		cmocka_unit_test(test_kmap_of_lowmem_page_is_page_address),
		cmocka_unit_test(
			test_x86_64_kmap_is_page_address_and_kunmap_a_noop),
		cmocka_unit_test(test_kmap_local_nests_and_unmaps_in_reverse),
		cmocka_unit_test(test_kunmap_local_out_of_order_is_refused),
		cmocka_unit_test(test_kmap_local_stack_holds_km_max_idx),
		cmocka_unit_test(test_kmap_atomic_behaves_like_kmap_local),
		cmocka_unit_test(test_kmap_to_page_round_trips),
		cmocka_unit_test(
			test_kmap_and_kmap_local_addresses_never_collide),
		cmocka_unit_test(
			test_kmap_local_without_a_cpu_falls_back_to_kmap),
	};

	return cmocka_run_group_tests_name("highmem", tests, NULL, NULL);
}
