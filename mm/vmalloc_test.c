/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of vmalloc, vmap and ioremap (mm/vmalloc.c) and of
 * /proc/vmallocinfo and /proc/meminfo's VmallocUsed. Each test boots its own
 * machine (x86_64 256M with 2 CPUs, or i386 1G) and ends with the full
 * verifier; tests that give everything back check that the page allocator's
 * free page count returns to what it was.
 *
 * Address arithmetic used throughout: every area is followed by one guard
 * page, so vmalloc(N pages) takes N + 1 pages of the range; a page array
 * larger than a page (more than 512 host pointers) is itself vmalloc'd
 * right after its area ("vpages"). The lazy purge limit is
 * fls(nr_cpus) * 32 MiB of areas: 16384 pages with 2 CPUs.
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

#define X86_64_VMALLOC_START 0xffffc90000000000UL
/* i386 with 1G: high_memory (896M lowmem) + 8 MiB .. PKMAP_BASE - 2
 * pages (mm/internal.h's I386_VMALLOC_END, 0xfe3fe000). */
#define I386_VMALLOC_START 0xf8800000UL

static struct mmk_machine *boot_with(enum mmk_arch arch, uint64_t mem, int cpus)
{
	return mmk_test_boot(arch, mem, 1, cpus, true);
}

/* The default machines of these tests. */
static struct mmk_machine *boot_x86_64(void)
{
	return boot_with(MMK_ARCH_X86_64, 256ULL << 20, 2);
}

static struct mmk_machine *boot_i386(void)
{
	return boot_with(MMK_ARCH_I386, 1ULL << 30, 2);
}

static void assert_vmallocinfo(struct mmk_machine *m, const char *expect)
{
	char *text = proc(m, "/proc/vmallocinfo");

	assert_string_equal(text, expect);
	free(text);
}

/* The value of /proc/meminfo line @name (e.g. "VmallocUsed:") in kB. */
/* The exact /proc/meminfo text of the VmallocUsed line. */
static void assert_vmalloc_used_line(struct mmk_machine *m, unsigned long kb)
{
	char *text = proc(m, "/proc/meminfo");
	char expect[64];

	snprintf(expect, sizeof expect, "\nVmallocUsed:    %8lu kB\n", kb);
	if (!strstr(text, expect))
		fail_msg("no line \"%s\" in /proc/meminfo", expect + 1);
	free(text);
}

/* Let warn_alloc's rate limit (one message in 10 s, as Linux's) pass
 * the next message, as 10 s later would. */
static void warn_alloc_ratelimit_reset(struct mmk_machine *m)
{
	m->nopage_rs.begin_ns = 0;
	m->nopage_rs.printed = 0;
	m->nopage_rs.missed = 0;
}

/* Free pages with every CPU's lists drained into the buddy lists. */
static unsigned long free_pages_drained(struct mmk_machine *m)
{
	drain_all_pages(NULL);
	return mmk_nr_free_pages(m);
}

/* Number of physically contiguous runs among the first @nr pages. */
static unsigned int pfn_runs(const char *p, unsigned int nr)
{
	unsigned int i, runs = 1;

	for (i = 1; i < nr; i++)
		if (vmalloc_to_pfn(p + ((size_t)i << PAGE_SHIFT)) !=
		    vmalloc_to_pfn(p + ((size_t)(i - 1) << PAGE_SHIFT)) + 1)
			runs++;
	return runs;
}

/* The test pattern: byte @i of a buffer filled with @seed. */
static unsigned char pattern(size_t i, unsigned int seed)
{
	return (unsigned char)(i * 31 + seed + (i >> 12));
}

static void fill(void *p, size_t len, unsigned int seed)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = pattern(i, seed);
}

/* ---- /proc/vmallocinfo at boot ---- */

static void test_vmallocinfo_is_empty_at_boot(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	char got[64] = "";
	char *text;
	int err;

	(void)state;
	/* No area exists yet: the file is empty, not missing or failing. */
	errno = 0;
	text = mmk_proc_read(m, "/proc/vmallocinfo");
	err = errno;
	if (text)
		snprintf(got, sizeof got, "%s", text);
	free(text);
	assert_check_ok(m);
	mmk_shutdown(m);
	if (!text)
		fail_msg("empty /proc/vmallocinfo read as NULL, errno %d", err);
	assert_string_equal(got, "");
}

/* ---- where areas go ---- */

static void test_first_vmalloc_starts_at_vmalloc_start_x86_64(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	struct page *low = alloc_pages(GFP_KERNEL, 0);
	struct vm_struct *vm;
	char *p, *q;

	(void)state;
	p = vmalloc(100000);
	assert_non_null(p);
	assert_int_equal(mmk_kaddr(p), X86_64_VMALLOC_START);
	assert_true(is_vmalloc_addr(p));
	assert_true(is_vmalloc_addr(p + 99999));
	assert_false(is_vmalloc_addr(page_address(low)));
	assert_false(is_vmalloc_addr(&m));
	vm = find_vm_area(p);
	assert_non_null(vm);
	assert_ptr_equal(vm->addr, p);
	/* 25 pages and the guard page. */
	assert_int_equal(vm->size, 26 * PAGE_SIZE);
	assert_int_equal(vm->nr_pages, 25);
	assert_int_equal(vm->flags, VM_ALLOC);
	/* The next area starts after the guard page. */
	q = vmalloc(4096);
	assert_non_null(q);
	assert_int_equal(mmk_kaddr(q), X86_64_VMALLOC_START + 26 * PAGE_SIZE);
	assert_ptr_equal(q, p + 26 * PAGE_SIZE);
	assert_int_equal(find_vm_area(q)->size, 2 * PAGE_SIZE);
	vfree(q);
	vfree(p);
	__free_pages(low, 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_first_vmalloc_starts_at_vmalloc_start_i386(void **state)
{
	struct mmk_machine *m = boot_i386();
	char *p, *q;

	(void)state;
	p = vmalloc(100000);
	assert_non_null(p);
	assert_int_equal(mmk_kaddr(p), I386_VMALLOC_START);
	assert_true(is_vmalloc_addr(p));
	q = vmalloc(4096);
	assert_non_null(q);
	assert_int_equal(mmk_kaddr(q), I386_VMALLOC_START + 26 * PAGE_SIZE);
	/* 32-bit addresses, no per-node counts on i386. */
	assert_vmallocinfo(m,
			   "0xf8800000-0xf881a000  106496 pages=25 vmalloc\n"
			   "0xf881a000-0xf881c000    8192 pages=1 vmalloc\n");
	vfree(q);
	vfree(p);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_vmalloc_zero_size_returns_null(void **state)
{
	struct mmk_machine *m = boot_x86_64();

	(void)state;
	assert_null(vmalloc(0));
	assert_null(vzalloc(0));
	assert_null(vmalloc_node(4096, 5)); /* no such node */
	assert_int_equal(meminfo_kb(m, "VmallocUsed"), 0);
	/* Nothing was reserved: the next area is the first one. */
	{
		void *p = vmalloc(4096);

		assert_int_equal(mmk_kaddr(p), X86_64_VMALLOC_START);
		vfree(p);
	}
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- the bytes ---- */

static void test_vmalloc_bytes_are_the_backing_pages_bytes(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	const size_t size = 100000;
	char *p = vmalloc(size);
	size_t off;

	(void)state;
	assert_non_null(p);
	/* Written through the vmalloc address, read through page_address. */
	fill(p, size, 7);
	for (off = 0; off < size; off += 997) {
		struct page *page = vmalloc_to_page(p + off);
		char *direct;

		assert_non_null(page);
		assert_false(PageHighMem(page));
		assert_int_equal(vmalloc_to_pfn(p + off), page_to_pfn(page));
		direct = (char *)page_address(page) + (off % PAGE_SIZE);
		assert_int_equal((unsigned char)*direct, pattern(off, 7));
		/* And the reverse. */
		*direct = (char)(off ^ 0x5a);
		assert_int_equal((unsigned char)p[off],
				 (unsigned char)(off ^ 0x5a));
	}
	/* Every page of the area is a distinct page of the machine. */
	for (off = 0; off < size; off += PAGE_SIZE) {
		size_t j;

		for (j = off + PAGE_SIZE; j < size; j += PAGE_SIZE)
			assert_ptr_not_equal(vmalloc_to_page(p + off),
					     vmalloc_to_page(p + j));
	}
	/* The guard page has no backing page. */
	assert_null(vmalloc_to_page(p + 25 * PAGE_SIZE));
	assert_int_equal(vmalloc_to_pfn(p + 25 * PAGE_SIZE), 0);
	vfree(p);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_vmalloc_on_i386_uses_highmem_seen_through_kmap(void **state)
{
	struct mmk_machine *m = boot_i386();
	const size_t size = 100000;
	char *p = vmalloc(size);
	size_t off, i;

	(void)state;
	assert_non_null(p);
	fill(p, size, 3);
	for (off = 0; off < size; off += PAGE_SIZE) {
		struct page *page = vmalloc_to_page(p + off);
		unsigned char *k;

		assert_non_null(page);
		assert_true(PageHighMem(page));
		assert_true(page_to_pfn(page) >= m->lowmem_end_pfn);
		assert_null(page_address(page));
		k = kmap(page);
		assert_non_null(k);
		for (i = 0; i < PAGE_SIZE && off + i < size; i++)
			if (k[i] != pattern(off + i, 3))
				fail_msg("byte %zu reads %#x through kmap",
					 off + i, k[i]);
		k[100] = (unsigned char)(off >> 12);
		kunmap(page);
	}
	for (off = 0; off < size; off += PAGE_SIZE)
		assert_int_equal((unsigned char)p[off + 100],
				 (unsigned char)(off >> 12));
	vfree(p);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_vzalloc_zeroes_reused_pages(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	unsigned char *p = vmalloc(8 * PAGE_SIZE);
	size_t i;

	(void)state;
	assert_non_null(p);
	memset(p, 0xa5, 8 * PAGE_SIZE);
	vfree(p);
	/* The same pages come back from this CPU's lists, dirty. */
	p = vzalloc(8 * PAGE_SIZE);
	assert_non_null(p);
	for (i = 0; i < 8 * PAGE_SIZE; i++)
		if (p[i])
			fail_msg("vzalloc byte %zu is %#x", i, p[i]);
	vfree(p);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_vmalloc_node_counts_pages_per_node(void **state)
{
	struct mmk_config cfg;
	struct mmk_machine *m;
	void *p, *q;

	(void)state;
	mmk_config_init(&cfg);
	cfg.mem_bytes = 512ULL << 20;
	cfg.nr_nodes = 2;
	cfg.nr_cpus = 2;
	m = mmk_boot(&cfg);
	assert_non_null(m);
	p = vmalloc_node(100000, 1);
	q = vmalloc_node(4096, 0);
	assert_non_null(p);
	assert_non_null(q);
	assert_int_equal(page_to_nid(vmalloc_to_page(p)), 1);
	assert_vmallocinfo(
		m,
		"0xffffc90000000000-0xffffc9000001a000  106496 pages=25 vmalloc N1=25\n"
		"0xffffc9000001a000-0xffffc9000001c000    8192 pages=1 vmalloc N0=1\n");
	vfree(p);
	vfree(q);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_vmalloc_32_stays_below_4g(void **state)
{
	struct mmk_machine *m = boot_with(MMK_ARCH_X86_64, 6ULL << 30, 2);
	char *p = vmalloc(1UL << 20), *q = vmalloc_32(1UL << 20);
	size_t off;

	(void)state;
	assert_non_null(p);
	assert_non_null(q);
	/* Plain vmalloc prefers ZONE_NORMAL (above 4G here), vmalloc_32
	 * must stay in 32-bit addressable memory. */
	assert_true(vmalloc_to_pfn(p) >= (4UL << 30) >> PAGE_SHIFT);
	for (off = 0; off < (1UL << 20); off += PAGE_SIZE)
		assert_true(vmalloc_to_pfn(q + off) < (4UL << 30) >>
			    PAGE_SHIFT);
	vfree(p);
	vfree(q);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* i386: GFP_VMALLOC32 is GFP_DMA32 | GFP_KERNEL, ZONE_NORMAL there: no
 * highmem page, where plain vmalloc prefers highmem. */
static void test_vmalloc_32_on_i386_stays_in_lowmem(void **state)
{
	struct mmk_machine *m = boot_i386();
	char *p = vmalloc(1UL << 20), *q = vmalloc_32(1UL << 20);
	size_t off;

	(void)state;
	assert_non_null(p);
	assert_non_null(q);
	assert_true(PageHighMem(vmalloc_to_page(p)));
	for (off = 0; off < (1UL << 20); off += PAGE_SIZE)
		assert_false(PageHighMem(vmalloc_to_page(q + off)));
	vfree(p);
	vfree(q);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- backing pages ---- */

static void test_large_vmalloc_uses_a_max_order_block_when_free(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	char *p = vmalloc(4UL << 20);
	unsigned long pfn0;
	unsigned int i;

	(void)state;
	assert_non_null(p);
	pfn0 = vmalloc_to_pfn(p);
	assert_int_equal(pfn0 % MAX_ORDER_NR_PAGES, 0);
	for (i = 0; i < 1024; i++)
		assert_int_equal(vmalloc_to_pfn(p + ((size_t)i << PAGE_SHIFT)),
				 pfn0 + i);
	vfree(p);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* Take every 4 MiB block (of node @nid, or any), then give back four of
 * them with one page kept in each (in @kept): no 4 MiB block is free any
 * more. Returns how many blocks @big holds. */
static int fragment_4m_blocks(struct page **big, struct page **kept, int nid)
{
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	unsigned int i;
	int nbig = 0, k;

	while (nbig < 128 &&
	       (big[nbig] = nid == NUMA_NO_NODE ?
				    alloc_pages(gfp, MAX_PAGE_ORDER) :
				    alloc_pages_node(nid, gfp | __GFP_THISNODE,
						     MAX_PAGE_ORDER)))
		nbig++;
	assert_true(nbig > 4 && nbig < 128);
	for (k = 0; k < 4; k++) {
		struct page *b = big[--nbig];

		split_page(b, MAX_PAGE_ORDER);
		for (i = 0; i < MAX_ORDER_NR_PAGES; i++)
			if (i != 300)
				__free_pages(b + i, 0);
		kept[k] = b + 300;
	}
	return nbig;
}

/* What fragment_4m_blocks() took, given back. */
static void unfragment_4m_blocks(struct page **big, int nbig,
				 struct page **kept)
{
	int k;

	for (k = 0; k < 4; k++)
		__free_pages(kept[k], 0);
	while (nbig)
		__free_pages(big[--nbig], MAX_PAGE_ORDER);
}

static void test_large_vmalloc_is_scattered_in_a_fragmented_zone(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	struct page *big[128], *kept[4];
	int nbig, k;
	unsigned int i, j;
	char *p;

	(void)state;
	nbig = fragment_4m_blocks(big, kept, NUMA_NO_NODE);
	p = vmalloc(4UL << 20);
	assert_non_null(p);
	assert_true(pfn_runs(p, 1024) >= 2);
	for (i = 0; i < 1024; i++) {
		const char *a = p + ((size_t)i << PAGE_SHIFT);
		struct page *page = vmalloc_to_page(a);

		assert_non_null(page);
		assert_int_equal(vmalloc_to_pfn(a), page_to_pfn(page));
		assert_int_equal(vmalloc_to_pfn(a + 4095), page_to_pfn(page));
		for (k = 0; k < 4; k++)
			assert_ptr_not_equal(page, kept[k]);
	}
	/* Distinct pages: sort-free check over the pfns. */
	for (i = 0; i < 1024; i += 37)
		for (j = 0; j < 1024; j++)
			if (i != j)
				assert_int_not_equal(
					vmalloc_to_pfn(
						p + ((size_t)i << PAGE_SHIFT)),
					vmalloc_to_pfn(
						p + ((size_t)j << PAGE_SHIFT)));
	vfree(p);
	unfragment_4m_blocks(big, nbig, kept);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* i386: highmem taken page by page, every other page given back, so it
 * has thousands of free pages but no block above order 0. vmalloc's
 * pages are highmem ones still: large blocks from lowmem would spend
 * the scarce zone where Linux takes order-0 highmem pages. */
static void
test_vmalloc_takes_fragmented_highmem_not_lowmem_blocks(void **state)
{
	struct mmk_machine *m = boot_i386();
	unsigned long nr_high = 0, i, high = 0;
	struct page **pages;
	struct page *page;
	char *p;

	(void)state;
	pages = calloc(1UL << 16, sizeof(*pages));
	assert_non_null(pages);
	while (nr_high < (1UL << 16) &&
	       (page = alloc_pages(GFP_HIGHUSER | __GFP_NOWARN, 0)) &&
	       PageHighMem(page))
		pages[nr_high++] = page;
	if (page && !PageHighMem(page))
		__free_pages(page, 0);
	assert_true(nr_high > 4096);
	for (i = 0; i < nr_high; i += 2)
		__free_pages(pages[i], 0);
	drain_all_pages(NULL);
	p = vmalloc(2UL << 20);
	assert_non_null(p);
	for (i = 0; i < 512; i++)
		high += PageHighMem(vmalloc_to_page(p + (i << PAGE_SHIFT)));
	assert_int_equal(high, 512);
	vfree(p);
	for (i = 1; i < nr_high; i += 2)
		__free_pages(pages[i], 0);
	free(pages);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* Two nodes, the CPU on node 1, whose memory is free only in pieces
 * (its 4 MiB blocks taken, four given back less one page each): the
 * pages are node 1's, not a 4 MiB block of node 0. */
static void test_vmalloc_takes_local_pages_not_remote_blocks(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 512ULL << 20, 2, 2, true);
	struct page *big[128], *kept[4];
	int nbig;
	unsigned int i, n1 = 0;
	char *p;

	(void)state;
	mmk_set_cpu(1);
	assert_int_equal(cpu_to_node_id(m, 1), 1);
	nbig = fragment_4m_blocks(big, kept, 1);
	p = vmalloc(4UL << 20);
	assert_non_null(p);
	for (i = 0; i < 1024; i++)
		n1 += page_to_nid(vmalloc_to_page(
			      p + ((size_t)i << PAGE_SHIFT))) == 1;
	assert_int_equal(n1, 1024);
	vfree(p);
	unfragment_4m_blocks(big, nbig, kept);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_vfree_returns_every_page(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	unsigned long before, during;
	void *p, *q;

	(void)state;
	/* Warm up: the slab caches for vm_struct, vmap_area and the page
	 * arrays get their slabs now, so only vmalloc's pages move below. */
	p = vmalloc(4UL << 20);
	q = vmalloc(100000);
	assert_non_null(p);
	assert_non_null(q);
	vfree(p);
	vfree(q);
	before = free_pages_drained(m);
	p = vmalloc(4UL << 20);
	q = vmalloc(100000);
	assert_non_null(p);
	assert_non_null(q);
	during = free_pages_drained(m);
	/* 1024 + 25 pages, and 2 for the 4 MiB area's page array (1024
	 * pointers, vmalloc'd itself). */
	assert_int_equal(before - during, 1024 + 25 + 2);
	assert_int_equal(meminfo_kb(m, "VmallocUsed"), (1024 + 25 + 2) * 4);
	vfree(p);
	vfree(q);
	assert_int_equal(free_pages_drained(m), before);
	assert_int_equal(meminfo_kb(m, "VmallocUsed"), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- /proc/vmallocinfo lines ---- */

static void test_vmallocinfo_vmalloc_line(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	void *p = vmalloc(100000), *q = vmalloc(4096);

	(void)state;
	assert_non_null(p);
	assert_non_null(q);
	/* Sizes include the guard page. */
	assert_vmallocinfo(
		m,
		"0xffffc90000000000-0xffffc9000001a000  106496 pages=25 vmalloc N0=25\n"
		"0xffffc9000001a000-0xffffc9000001c000    8192 pages=1 vmalloc N0=1\n");
	vfree(p);
	vfree(q);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_vmallocinfo_vpages_when_page_array_exceeds_a_page(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	void *p;

	(void)state;
	/* 512 pointers fit in a page: kmalloc'd array, no "vpages". */
	p = vmalloc(512 * PAGE_SIZE);
	assert_non_null(p);
	assert_vmallocinfo(
		m,
		"0xffffc90000000000-0xffffc90000201000 2101248 pages=512 vmalloc N0=512\n");
	vfree(p);
	/* 513 pointers (4104 bytes) do not: the array is vmalloc'd right
	 * after the area (2 pages and a guard). */
	p = vmalloc((2UL << 20) + 4096);
	assert_non_null(p);
	/* Busy areas first, then the lazily freed ones (as Linux). */
	assert_vmallocinfo(
		m,
		"0xffffc90000201000-0xffffc90000403000 2105344 pages=513 vmalloc vpages N0=513\n"
		"0xffffc90000403000-0xffffc90000406000   12288 pages=2 vmalloc N0=2\n"
		"0xffffc90000000000-0xffffc90000201000 2101248 unpurged vm_area\n");
	assert_int_equal(meminfo_kb(m, "VmallocUsed"), (513 + 2) * 4);
	vfree(p);
	assert_int_equal(meminfo_kb(m, "VmallocUsed"), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_vmallocinfo_ioremap_line(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	void *io = ioremap(0xa0000, 0x20000);

	(void)state;
	assert_non_null(io);
	assert_vmallocinfo(
		m,
		"0xffffc90000000000-0xffffc90000021000  135168 phys=0x00000000000a0000 ioremap\n");
	iounmap(io);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_vmallocinfo_vmap_line(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	struct page *pages[3];
	void *v;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		pages[i] = alloc_pages(GFP_KERNEL, 0);
		assert_non_null(pages[i]);
	}
	v = vmap(pages, 3, VM_MAP, PAGE_KERNEL);
	assert_non_null(v);
	/* As Linux: a plain vmap shows no page count and no node counts. */
	assert_vmallocinfo(
		m, "0xffffc90000000000-0xffffc90000004000   16384 vmap\n");
	vunmap(v);
	for (i = 0; i < 3; i++)
		__free_pages(pages[i], 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_vmallocinfo_vmalloc_user_line(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	unsigned char *u = vmalloc_user(4096);
	int i;

	(void)state;
	assert_non_null(u);
	for (i = 0; i < 4096; i++)
		assert_int_equal(u[i], 0);
	assert_int_equal(find_vm_area(u)->flags, VM_ALLOC | VM_USERMAP);
	assert_vmallocinfo(
		m,
		"0xffffc90000000000-0xffffc90000002000    8192 pages=1 vmalloc user N0=1\n");
	vfree(u);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- lazy freeing ---- */

static void test_vfree_leaves_unpurged_area_until_lazy_limit(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	/* Keeps the file non-empty and the first addresses taken. */
	void *keep = vmalloc(4096), *p;
	char line[128], *text, *expect;
	unsigned long kaddr = X86_64_VMALLOC_START + 2 * PAGE_SIZE;
	size_t len = 0;
	int i;

	(void)state;
	assert_non_null(keep);
	expect = malloc(64 * 128);
	assert_non_null(expect);
	len += (size_t)sprintf(
		expect + len,
		"0xffffc90000000000-0xffffc90000002000    8192 pages=1 vmalloc N0=1\n");
	/* 32 areas of 511 pages + guard: 32 * 512 = 16384 lazily freed
	 * pages, exactly the limit for 2 CPUs (fls(2) * 32 MiB), which is
	 * not exceeded: nothing is purged and no address is reused. */
	for (i = 0; i < 32; i++) {
		p = vmalloc(511 * PAGE_SIZE);
		assert_non_null(p);
		assert_int_equal(mmk_kaddr(p), kaddr);
		vfree(p);
		snprintf(line, sizeof line,
			 "0x%016lx-0x%016lx 2097152 unpurged vm_area\n", kaddr,
			 kaddr + 512 * PAGE_SIZE);
		len += (size_t)sprintf(expect + len, "%s", line);
		kaddr += 512 * PAGE_SIZE;
		if (i == 0)
			assert_vmallocinfo(m, expect);
	}
	assert_vmallocinfo(m, expect);
	assert_int_equal(meminfo_kb(m, "VmallocUsed"), 4);
	/* Two more pages exceed the limit: every lazily freed area is
	 * purged and the range right after @keep is free again. */
	p = vmalloc(4096);
	assert_int_equal(mmk_kaddr(p), kaddr);
	vfree(p);
	assert_vmallocinfo(
		m,
		"0xffffc90000000000-0xffffc90000002000    8192 pages=1 vmalloc N0=1\n");
	p = vmalloc(4096);
	assert_int_equal(mmk_kaddr(p), X86_64_VMALLOC_START + 2 * PAGE_SIZE);
	vfree(keep);
	vfree(p);
	text = proc(m, "/proc/vmallocinfo");
	assert_string_equal(
		text,
		"0xffffc90000000000-0xffffc90000002000    8192 unpurged vm_area\n"
		"0xffffc90000002000-0xffffc90000004000    8192 unpurged vm_area\n");
	free(text);
	free(expect);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_lazy_limit_scales_with_fls_of_cpus(void **state)
{
	/* 4 CPUs: fls(4) = 3, 3 * 32 MiB = 24576 pages = 48 areas of 512. */
	struct mmk_machine *m = boot_with(MMK_ARCH_X86_64, 256ULL << 20, 4);
	void *keep = vmalloc(4096), *p;
	char *text;
	int i, lines = 0;

	(void)state;
	assert_non_null(keep);
	for (i = 0; i < 48; i++) {
		p = vmalloc(511 * PAGE_SIZE);
		assert_non_null(p);
		vfree(p);
	}
	text = proc(m, "/proc/vmallocinfo");
	for (char *s = text; (s = strstr(s, "unpurged vm_area")); s++)
		lines++;
	assert_int_equal(lines, 48);
	free(text);
	p = vmalloc(4096);
	vfree(p);
	assert_vmallocinfo(
		m,
		"0xffffc90000000000-0xffffc90000002000    8192 pages=1 vmalloc N0=1\n");
	vfree(keep);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_vmallocinfo_lists_unpurged_areas_by_address(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	void *a = vmalloc(4096), *b = vmalloc(2 * 4096), *c = vmalloc(4096);
	char got[512], *text;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	/* Freed out of address order; the file is sorted by address
	 * (mm/vmalloc.c: one tree, "/proc/vmallocinfo is sorted"; Linux
	 * keeps its lazy list in address order too). */
	vfree(c);
	vfree(a);
	text = proc(m, "/proc/vmallocinfo");
	snprintf(got, sizeof got, "%s", text);
	free(text);
	vfree(b);
	assert_check_ok(m);
	mmk_shutdown(m);
	assert_string_equal(
		got,
		"0xffffc90000002000-0xffffc90000005000   12288 pages=2 vmalloc N0=2\n"
		"0xffffc90000000000-0xffffc90000002000    8192 unpurged vm_area\n"
		"0xffffc90000005000-0xffffc90000007000    8192 unpurged vm_area\n");
}

static void test_purged_hole_of_exact_size_is_reused(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	void *a = vmalloc(4096), *b = vmalloc(4096), *c = vmalloc(4096), *p;
	unsigned long kaddr;
	int i;

	(void)state;
	assert_int_equal(mmk_kaddr(b), X86_64_VMALLOC_START + 2 * PAGE_SIZE);
	assert_int_equal(mmk_kaddr(c), X86_64_VMALLOC_START + 4 * PAGE_SIZE);
	vfree(b);
	/* 2 + 32 * 512 lazily freed pages exceed 16384: all purged, so
	 * b's 2-page range is a free hole between a and c. */
	for (i = 0; i < 32; i++)
		vfree(vmalloc(511 * PAGE_SIZE));
	assert_vmallocinfo(
		m,
		"0xffffc90000000000-0xffffc90000002000    8192 pages=1 vmalloc N0=1\n"
		"0xffffc90000004000-0xffffc90000006000    8192 pages=1 vmalloc N0=1\n");
	/* The lowest range that holds 2 pages is that hole, an exact fit
	 * (Linux does not widen the search for page alignment). */
	p = vmalloc(4096);
	assert_non_null(p);
	kaddr = mmk_kaddr(p);
	vfree(p);
	vfree(a);
	vfree(c);
	assert_check_ok(m);
	mmk_shutdown(m);
	assert_int_equal(kaddr, X86_64_VMALLOC_START + 2 * PAGE_SIZE);
}

/* ---- meminfo ---- */

static void test_meminfo_vmalloc_used_counts_vmalloc_pages(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	struct page *page = alloc_pages(GFP_KERNEL, 0);
	void *p, *v, *io;

	(void)state;
	assert_vmalloc_used_line(m, 0);
	p = vmalloc(100000);
	assert_non_null(p);
	/* 25 pages; the guard page is not counted. */
	assert_vmalloc_used_line(m, 100);
	/* vmap and ioremap map pages they do not own: not counted. */
	v = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	io = ioremap(0xa0000, 0x1000);
	assert_non_null(v);
	assert_non_null(io);
	assert_vmalloc_used_line(m, 100);
	vunmap(v);
	iounmap(io);
	vfree(p);
	/* Counted down at vfree, not at the lazy purge. */
	assert_vmalloc_used_line(m, 0);
	__free_pages(page, 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- running out ---- */

static void test_vmalloc_larger_than_the_range_fails_cleanly(void **state)
{
	struct mmk_machine *m = boot_i386();
	unsigned long before = free_pages_drained(m);
	void *p;

	(void)state;
	assert_int_equal(meminfo_kb(m, "VmallocTotal"),
			 (0xfe3fe000UL - I386_VMALLOC_START) >> 10);
	/* Less than RAM, more than the window: no vm_struct (Linux's
	 * message); more than RAM: exceeds total pages. */
	assert_null(vmalloc(200UL << 20));
	assert_true(dmesg_has(
		m,
		"mmkit: vmalloc error: size 209715200, vm_struct allocation failed, mode:0xcc0(GFP_KERNEL), nodemask=(null)"));
	/* warn_alloc() shows memory after its line. */
	assert_true(dmesg_has(m, "nodemask=(null)\nMem-Info:\n"));
	/* Within 10 s, the next warn_alloc() is held back. */
	assert_null(vmalloc(4000UL << 20));
	assert_false(dmesg_has(m, "exceeds total pages"));
	warn_alloc_ratelimit_reset(m);
	assert_null(vmalloc(4000UL << 20));
	assert_true(dmesg_has(
		m, "vmalloc error: size 4194304000, exceeds total pages"));
	assert_null(vmalloc(0));
	assert_true(dmesg_has(m, "WARNING: __vmalloc_node_range: size 0"));
	assert_int_equal(free_pages_drained(m), before);
	assert_int_equal(meminfo_kb(m, "VmallocUsed"), 0);
	assert_check_ok(m);
	/* Nothing was reserved. */
	p = vmalloc(4096);
	assert_int_equal(mmk_kaddr(p), I386_VMALLOC_START);
	vfree(p);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_exhausting_i386_range_then_freeing_restores_it(void **state)
{
	struct mmk_machine *m = boot_i386();
	void *area[32];
	int n = 0, again = 0, i;

	(void)state;
	/* Each 8 MiB vmalloc takes 2049 pages of the 23550-page range and
	 * its 2048-pointer page array 5 more (4 pages and a guard): 11 fit,
	 * the 12th area (2049 pages) does not fit in the 956 left. */
	while (n < 32 && (area[n] = vmalloc(8UL << 20)))
		n++;
	assert_int_equal(n, 11);
	assert_true(dmesg_has(
		m,
		"vmalloc_node_range for size 8392704 failed: Address range restricted to 0xf8800000 - 0xfe3fe000"));
	assert_check_ok(m);
	for (i = 0; i < n; i++)
		vfree(area[i]);
	assert_int_equal(meminfo_kb(m, "VmallocUsed"), 0);
	assert_check_ok(m);
	/* Everything is free again: Linux purges the lazily freed areas
	 * when an allocation does not fit, so the range holds 11 again. */
	while (again < 32 && (area[again] = vmalloc(8UL << 20)))
		again++;
	for (i = 0; i < again; i++)
		vfree(area[i]);
	assert_check_ok(m);
	mmk_shutdown(m);
	assert_int_equal(again, 11);
}

/* A full range: alloc_vmap_area()'s message and warn_alloc()'s go out
 * without __GFP_NOWARN only; warn_alloc() says once in 10 s, then how
 * many it held back. */
static void test_full_range_messages_follow_nowarn_and_ratelimit(void **state)
{
	struct mmk_machine *m = boot_i386();
	void *area[32];
	int n = 0;

	(void)state;
	while (n < 32 && (area[n] = vmalloc(8UL << 20)))
		n++;
	assert_true(dmesg_has(m, "vmalloc_node_range for size 8392704 failed"));
	mmk_dmesg_clear(m);
	warn_alloc_ratelimit_reset(m);
	assert_null(__vmalloc(8UL << 20, GFP_KERNEL | __GFP_NOWARN));
	assert_int_equal(dmesg_len(m), 0);
	assert_null(vmalloc(8UL << 20));
	assert_true(dmesg_has(
		m,
		"vmalloc_node_range for size 8392704 failed: Address range restricted to 0xf8800000 - 0xfe3fe000\n"
		"mmkit: vmalloc error: size 8388608, vm_struct allocation failed, mode:0xcc0(GFP_KERNEL), nodemask=(null)\n"
		"Mem-Info:\n"));
	mmk_dmesg_clear(m);
	assert_null(vmalloc(8UL << 20));
	assert_null(vmalloc(8UL << 20));
	assert_false(dmesg_has(m, "vmalloc error"));
	m->nopage_rs.begin_ns = 1; /* the interval is over */
	assert_null(vmalloc(8UL << 20));
	assert_true(dmesg_has(m, "warn_alloc: 2 callbacks suppressed\n"
				 "mmkit: vmalloc error: size 8388608"));
	while (n)
		vfree(area[--n]);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_vmalloc_vfree_loop_never_runs_out_with_8_cpus(void **state)
{
	/* fls(8) * 32 MiB = 128 MiB may stay lazily freed: more than the
	 * whole i386 range (92 MiB). Freed ranges must still be found. */
	struct mmk_machine *m = boot_with(MMK_ARCH_I386, 1ULL << 30, 8);
	int i, failed_at = -1;

	(void)state;
	for (i = 0; i < 100; i++) {
		void *p = vmalloc(4UL << 20);

		if (!p) {
			failed_at = i;
			break;
		}
		vfree(p);
	}
	assert_int_equal(meminfo_kb(m, "VmallocUsed"), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
	assert_int_equal(failed_at, -1);
}

/* ---- vmap ---- */

static void test_vmap_maps_caller_pages(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	struct page *pages[3];
	unsigned long before;
	char *v;
	int i;

	(void)state;
	/* Warm the slab caches vmap uses. */
	pages[0] = alloc_pages(GFP_KERNEL, 0);
	vunmap(vmap(pages, 1, VM_MAP, PAGE_KERNEL));
	__free_pages(pages[0], 0);
	before = free_pages_drained(m);
	for (i = 0; i < 3; i++) {
		pages[i] = alloc_pages(GFP_KERNEL, 0);
		assert_non_null(pages[i]);
		memset(page_address(pages[i]), 'a' + i, PAGE_SIZE);
	}
	v = vmap(pages, 3, VM_MAP, PAGE_KERNEL);
	assert_non_null(v);
	assert_true(is_vmalloc_addr(v));
	for (i = 0; i < 3; i++) {
		char *d = page_address(pages[i]);

		assert_ptr_equal(vmalloc_to_page(v + i * PAGE_SIZE + 5),
				 pages[i]);
		assert_int_equal(v[i * PAGE_SIZE + 4095], 'a' + i);
		v[i * PAGE_SIZE + 17] = (char)('A' + i);
		assert_int_equal(d[17], 'A' + i);
		d[18] = (char)('x' + i);
		assert_int_equal(v[i * PAGE_SIZE + 18], 'x' + i);
	}
	vunmap(v);
	assert_null(find_vm_area(v));
	/* The pages are still the caller's. */
	for (i = 0; i < 3; i++) {
		assert_int_equal(page_count(pages[i]), 1);
		assert_int_equal(((char *)page_address(pages[i]))[17], 'A' + i);
	}
	assert_int_equal(free_pages_drained(m), before - 3);
	for (i = 0; i < 3; i++)
		__free_pages(pages[i], 0);
	assert_int_equal(free_pages_drained(m), before);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_vfree_of_a_vmap_area_warns_and_only_unmaps(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	struct page *page = alloc_pages(GFP_KERNEL, 0);
	void *v = vmap(&page, 1, VM_MAP, PAGE_KERNEL);

	(void)state;
	assert_non_null(v);
	vfree(v);
	assert_true(dmesg_has(
		m,
		"WARNING: vfree: 0xffffc90000000000 was not allocated by vmalloc (flags 0x4); only unmapped"));
	assert_null(find_vm_area(v));
	assert_int_equal(page_count(page), 1);
	__free_pages(page, 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- ioremap ---- */

static void test_ioremap_maps_the_vga_hole(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	unsigned char *io = ioremap(0xa0000, 0x20000), *io2;

	(void)state;
	assert_non_null(io);
	assert_int_equal(mmk_kaddr(io), X86_64_VMALLOC_START);
	assert_int_equal(vmalloc_to_pfn(io), 0xa0);
	assert_int_equal(vmalloc_to_pfn(io + 0x1fff0), 0xbf);
	assert_int_equal(find_vm_area(io)->phys_addr, 0xa0000);
	assert_int_equal(find_vm_area(io)->flags, VM_IOREMAP);
	/* An unaligned second mapping of the same bytes. */
	io2 = ioremap(0xa0100, 16);
	assert_non_null(io2);
	assert_int_equal(mmk_kaddr(io2),
			 X86_64_VMALLOC_START + 0x21000 + 0x100);
	io[0x100] = 0x5a;
	assert_int_equal(io2[0], 0x5a);
	io2[15] = 0xa5;
	assert_int_equal(io[0x10f], 0xa5);
	iounmap(io);
	iounmap(io2); /* an unaligned pointer is accepted */
	assert_vmallocinfo(
		m,
		"0xffffc90000000000-0xffffc90000021000  135168 unpurged vm_area\n"
		"0xffffc90000021000-0xffffc90000023000    8192 unpurged vm_area\n");
	assert_false(dmesg_has(m, "WARNING"));
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_ioremap_of_free_ram_is_refused(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	void *p;

	(void)state;
	assert_null(ioremap(64UL << 20, 4096));
	assert_true(dmesg_has(
		m, "WARNING: ioremap on RAM at 0x4000000 - 0x4000fff"));
	/* A range that only ends in RAM is refused too. */
	assert_null(ioremap(0xff000, 0x2000));
	assert_true(
		dmesg_has(m, "WARNING: ioremap on RAM at 0xff000 - 0x100fff"));
	assert_null(ioremap(1ULL << 40, 4096));
	assert_true(dmesg_has(
		m,
		"ioremap: 0x10000000000-0x10000000fff lies outside the machine's physical address space"));
	assert_null(ioremap(0xa0000, 0));
	/* Nothing was reserved. */
	p = vmalloc(4096);
	assert_int_equal(mmk_kaddr(p), X86_64_VMALLOC_START);
	vfree(p);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- vm areas without pages ---- */

static void test_get_find_remove_free_vm_area_round_trip(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	struct vm_struct *a, *b;
	char *addr;

	(void)state;
	assert_null(get_vm_area(0, 0));
	a = get_vm_area(3 * PAGE_SIZE, 0);
	assert_non_null(a);
	addr = a->addr;
	assert_int_equal(mmk_kaddr(addr), X86_64_VMALLOC_START);
	assert_int_equal(a->size, 4 * PAGE_SIZE);
	assert_int_equal(a->flags, 0);
	assert_int_equal(a->nr_pages, 0);
	assert_ptr_equal(find_vm_area(addr), a);
	assert_ptr_equal(find_vm_area(addr + 2 * PAGE_SIZE + 1), a);
	assert_null(vmalloc_to_page(addr));
	assert_vmallocinfo(m,
			   "0xffffc90000000000-0xffffc90000004000   16384\n");
	assert_ptr_equal(remove_vm_area(addr), a);
	assert_null(find_vm_area(addr));
	kfree(a);
	/* The removed range is lazily freed: the next area comes after. */
	b = get_vm_area(PAGE_SIZE, 0);
	assert_non_null(b);
	assert_int_equal(mmk_kaddr(b->addr),
			 X86_64_VMALLOC_START + 4 * PAGE_SIZE);
	addr = b->addr;
	free_vm_area(b);
	assert_null(find_vm_area(addr));
	free_vm_area(NULL);
	assert_vmallocinfo(
		m,
		"0xffffc90000000000-0xffffc90000004000   16384 unpurged vm_area\n"
		"0xffffc90000004000-0xffffc90000006000    8192 unpurged vm_area\n");
	assert_false(dmesg_has(m, "WARNING"));
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_vfree_null_is_a_noop(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	unsigned long before = free_pages_drained(m);

	(void)state;
	vfree(NULL);
	assert_int_equal(dmesg_len(m), 0);
	assert_int_equal(free_pages_drained(m), before);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_vfree_of_a_non_vmalloc_pointer_warns(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	char *k = kmalloc(64, GFP_KERNEL), *p = vmalloc(100000);
	char expect[128], *before, *after;
	unsigned long free_before;

	(void)state;
	assert_non_null(k);
	assert_non_null(p);
	before = proc(m, "/proc/vmallocinfo");
	free_before = free_pages_drained(m);
	vfree(k);
	snprintf(expect, sizeof expect,
		 "WARNING: vfree: trying to free a nonexistent vm area (%#lx)",
		 mmk_kaddr(k));
	assert_true(dmesg_has(m, expect));
	mmk_dmesg_clear(m);
	/* Inside an area but not its start. */
	vfree(p + PAGE_SIZE);
	assert_true(dmesg_has(
		m,
		"WARNING: vfree: trying to free a nonexistent vm area (0xffffc90000001000)"));
	after = proc(m, "/proc/vmallocinfo");
	assert_string_equal(after, before);
	assert_int_equal(free_pages_drained(m), free_before);
	assert_int_equal(meminfo_kb(m, "VmallocUsed"), 100);
	assert_ptr_equal(find_vm_area(p)->addr, p);
	assert_check_ok(m);
	kfree(k);
	vfree(p);
	free(before);
	free(after);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- threads ---- */

struct vfree_arg {
	struct mmk_machine *m;
	void *p;
	int cpu;
};

static void *vfree_thread(void *arg)
{
	struct vfree_arg *a = arg;

	mmk_set_current(a->m);
	a->cpu = mmk_get_cpu();
	vfree(a->p);
	mmk_set_current(NULL);
	return NULL;
}

static void test_vfree_from_another_thread(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	struct vfree_arg a = { .m = m };
	unsigned long before;
	pthread_t t;

	(void)state;
	/* Warm up the slab caches. */
	vfree(vmalloc(1UL << 20));
	before = free_pages_drained(m);
	a.p = vmalloc(1UL << 20);
	assert_non_null(a.p);
	memset(a.p, 0x33, 1UL << 20);
	assert_int_equal(meminfo_kb(m, "VmallocUsed"), 1024);
	assert_int_equal(pthread_create(&t, NULL, vfree_thread, &a), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(a.cpu, 1); /* the thread ran on the other CPU */
	assert_int_equal(meminfo_kb(m, "VmallocUsed"), 0);
	assert_null(find_vm_area(a.p));
	assert_int_equal(free_pages_drained(m), before);
	assert_false(dmesg_has(m, "WARNING"));
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- the verifier ---- */

static void test_verifier_catches_vm_struct_corruption(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	void *p = vmalloc(100000);
	struct vm_struct *vm = find_vm_area(p);
	char why[512];

	(void)state;
	assert_non_null(vm);
	vm->nr_pages--;
	assert_int_equal(mmk_check(m, why, sizeof why), 1);
	assert_string_equal(
		why, "vmalloc: VmallocUsed counts 25 pages but areas hold 24");
	vm->nr_pages++;
	assert_check_ok(m);
	vm->size = PAGE_SIZE;
	assert_int_equal(mmk_check(m, why, sizeof why), 1);
	assert_string_equal(
		why,
		"vmalloc: area 0xffffc90000000000-0xffffc9000001a000 has size 4096 and 25 pages: no room for its guard page");
	vm->size = 26 * PAGE_SIZE;
	assert_check_ok(m);
	vfree(p);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* __vmalloc_node() with an alignment above a page: Linux's
 * adjust_search_size() looks for size + align - 1 bytes, the area starts
 * at the aligned address and the space below it stays free. */
static void test___vmalloc_node_honours_a_large_alignment(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	const unsigned long align = 2UL << 20;
	char *a = vmalloc(4096), *p, *q;
	unsigned int i;

	(void)state;
	assert_non_null(a);
	p = __vmalloc_node(3 * PAGE_SIZE, align, GFP_KERNEL | __GFP_ZERO,
			   NUMA_NO_NODE, "test_caller");
	assert_non_null(p);
	assert_int_equal(mmk_kaddr(p), X86_64_VMALLOC_START + align);
	assert_int_equal((uintptr_t)p % align, 0);
	for (i = 0; i < 3 * PAGE_SIZE; i++)
		assert_int_equal(p[i], 0);
	memset(p, 0x5a, 3 * PAGE_SIZE);
	assert_int_equal(*(char *)page_address(vmalloc_to_page(p + 8192)),
			 0x5a);
	/* The hole below the aligned area is still free. */
	q = vmalloc(4096);
	assert_non_null(q);
	assert_int_equal(mmk_kaddr(q), X86_64_VMALLOC_START + 2 * PAGE_SIZE);
	assert_vmallocinfo(
		m,
		"0xffffc90000000000-0xffffc90000002000    8192 pages=1 vmalloc N0=1\n"
		"0xffffc90000002000-0xffffc90000004000    8192 pages=1 vmalloc N0=1\n"
		"0xffffc90000200000-0xffffc90000204000   16384 test_caller pages=3 vmalloc N0=3\n");
	assert_check_ok(m);
	vfree(p);
	vfree(q);
	vfree(a);
	assert_int_equal(meminfo_kb(m, "VmallocUsed"), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void
test___vmalloc_node_aligns_on_i386_and_honours_the_node(void **state)
{
	struct mmk_machine *m = boot_i386();
	const unsigned long align = 64UL << 10;
	void *a, *p, *p0;

	(void)state;
	/* VMALLOC_START is aligned: the free range's start is taken, no
	 * range is left below it. */
	p0 = __vmalloc_node(PAGE_SIZE, align, GFP_KERNEL, 0, NULL);
	assert_int_equal(mmk_kaddr(p0), I386_VMALLOC_START);
	assert_check_ok(m);
	a = vmalloc(3 * PAGE_SIZE);
	assert_non_null(a);
	p = __vmalloc_node(PAGE_SIZE, align, GFP_KERNEL, 0, NULL);
	assert_non_null(p);
	assert_int_equal(mmk_kaddr(p), I386_VMALLOC_START + align);
	assert_int_equal((uintptr_t)p % align, 0);
	/* Alignments of a page or less change nothing. */
	vfree(p);
	p = __vmalloc_node(PAGE_SIZE, 1, GFP_KERNEL, NUMA_NO_NODE, NULL);
	assert_int_equal(mmk_kaddr(p), I386_VMALLOC_START + 6 * PAGE_SIZE);
	vfree(p);
	p = __vmalloc_node(PAGE_SIZE, 8, GFP_KERNEL, NUMA_NO_NODE, NULL);
	assert_int_equal(mmk_kaddr(p), I386_VMALLOC_START + 8 * PAGE_SIZE);
	vfree(p);
	assert_null(__vmalloc_node(PAGE_SIZE, PAGE_SIZE, GFP_KERNEL, 1, NULL));
	vfree(a);
	vfree(p0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* alloc_vmap_area() refuses an alignment that is not a power of two with
 * -EINVAL; __vmalloc_node_range() reports the missing vm_struct. An
 * alignment no free range can meet fails as exhaustion does. */
static void test___vmalloc_node_refuses_a_bad_alignment(void **state)
{
	struct mmk_machine *m = boot_x86_64();
	unsigned long before;

	(void)state;
	/* Warm up the caches of vm_struct and vmap_area. */
	vfree(vmalloc(4096));
	before = free_pages_drained(m);
	assert_null(__vmalloc_node(4096, 0, GFP_KERNEL, NUMA_NO_NODE, NULL));
	assert_true(dmesg_has(
		m, "vmalloc error: size 4096, vm_struct allocation failed"));
	mmk_dmesg_clear(m);
	warn_alloc_ratelimit_reset(m);
	assert_null(__vmalloc_node(8192, 3 * PAGE_SIZE, GFP_KERNEL,
				   NUMA_NO_NODE, NULL));
	assert_true(dmesg_has(
		m, "vmalloc error: size 8192, vm_struct allocation failed"));
	mmk_dmesg_clear(m);
	assert_null(__vmalloc_node(4096, PAGE_SIZE + 1,
				   GFP_KERNEL | __GFP_NOWARN, NUMA_NO_NODE,
				   NULL));
	assert_false(dmesg_has(m, "vmalloc error"));
	/* 1 TiB: more than the 1 GiB window holds. */
	assert_null(__vmalloc_node(4096, 1UL << 40, GFP_KERNEL, NUMA_NO_NODE,
				   NULL));
	assert_true(dmesg_has(m, "vmalloc_node_range for size 8192 failed"));
	assert_null(
		__vmalloc_node(0, PAGE_SIZE, GFP_KERNEL, NUMA_NO_NODE, NULL));
	assert_int_equal(free_pages_drained(m), before);
	assert_check_ok(m);
	mmk_shutdown(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmallocinfo_is_empty_at_boot),
		cmocka_unit_test(
			test_first_vmalloc_starts_at_vmalloc_start_x86_64),
		cmocka_unit_test(
			test_first_vmalloc_starts_at_vmalloc_start_i386),
		cmocka_unit_test(test_vmalloc_zero_size_returns_null),
		cmocka_unit_test(
			test_vmalloc_bytes_are_the_backing_pages_bytes),
		cmocka_unit_test(
			test_vmalloc_on_i386_uses_highmem_seen_through_kmap),
		cmocka_unit_test(test_vzalloc_zeroes_reused_pages),
		cmocka_unit_test(test_vmalloc_node_counts_pages_per_node),
		cmocka_unit_test(test_vmalloc_32_stays_below_4g),
		cmocka_unit_test(test_vmalloc_32_on_i386_stays_in_lowmem),
		cmocka_unit_test(
			test_large_vmalloc_uses_a_max_order_block_when_free),
		cmocka_unit_test(
			test_large_vmalloc_is_scattered_in_a_fragmented_zone),
		cmocka_unit_test(
			test_vmalloc_takes_fragmented_highmem_not_lowmem_blocks),
		cmocka_unit_test(
			test_vmalloc_takes_local_pages_not_remote_blocks),
		cmocka_unit_test(test_vfree_returns_every_page),
		cmocka_unit_test(test_vmallocinfo_vmalloc_line),
		cmocka_unit_test(
			test_vmallocinfo_vpages_when_page_array_exceeds_a_page),
		cmocka_unit_test(test_vmallocinfo_ioremap_line),
		cmocka_unit_test(test_vmallocinfo_vmap_line),
		cmocka_unit_test(test_vmallocinfo_vmalloc_user_line),
		cmocka_unit_test(
			test_vfree_leaves_unpurged_area_until_lazy_limit),
		cmocka_unit_test(test_lazy_limit_scales_with_fls_of_cpus),
		cmocka_unit_test(
			test_vmallocinfo_lists_unpurged_areas_by_address),
		cmocka_unit_test(test_purged_hole_of_exact_size_is_reused),
		cmocka_unit_test(
			test_meminfo_vmalloc_used_counts_vmalloc_pages),
		cmocka_unit_test(
			test_vmalloc_larger_than_the_range_fails_cleanly),
		cmocka_unit_test(
			test_exhausting_i386_range_then_freeing_restores_it),
		cmocka_unit_test(
			test_full_range_messages_follow_nowarn_and_ratelimit),
		cmocka_unit_test(
			test_vmalloc_vfree_loop_never_runs_out_with_8_cpus),
		cmocka_unit_test(test_vmap_maps_caller_pages),
		cmocka_unit_test(
			test_vfree_of_a_vmap_area_warns_and_only_unmaps),
		cmocka_unit_test(test_ioremap_maps_the_vga_hole),
		cmocka_unit_test(test_ioremap_of_free_ram_is_refused),
		cmocka_unit_test(test_get_find_remove_free_vm_area_round_trip),
		cmocka_unit_test(test_vfree_null_is_a_noop),
		cmocka_unit_test(test_vfree_of_a_non_vmalloc_pointer_warns),
		cmocka_unit_test(test_vfree_from_another_thread),
		cmocka_unit_test(test_verifier_catches_vm_struct_corruption),
		cmocka_unit_test(test___vmalloc_node_honours_a_large_alignment),
		cmocka_unit_test(
			test___vmalloc_node_aligns_on_i386_and_honours_the_node),
		cmocka_unit_test(test___vmalloc_node_refuses_a_bad_alignment),
	};

	return cmocka_run_group_tests_name("vmalloc", tests, NULL, NULL);
}
