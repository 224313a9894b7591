/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the slab allocator and kmalloc (mm/slub.c,
 * mm/slab_common.c, proc/slabinfo.c). Each test boots its own machine and
 * ends with the full verifier; tests that give everything back check that
 * the page allocator's free page count returns to what it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/slab.h"

#define DEBUG_FZP (SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON)

static struct mmk_machine *boot_with(uint64_t mem, int nodes, int cpus)
{
	return mmk_test_boot(MMK_ARCH_X86_64, mem, nodes, cpus, true);
}

/* The default machine of these tests: 1G, one node, two CPUs. */
static struct mmk_machine *boot_small(void)
{
	return boot_with(1ULL << 30, 1, 2);
}

/* The /proc/slabinfo line of cache @name (without its newline) copied to
 * @out; false if there is none. */
static bool slabinfo_line(struct mmk_machine *m, const char *name, char *out,
			  size_t len)
{
	char *text = proc(m, "/proc/slabinfo");
	size_t nlen = strlen(name);
	char *line = text;
	bool found = false;

	while (line && *line) {
		char *end = strchr(line, '\n');
		size_t l = end ? (size_t)(end - line) : strlen(line);

		if (l > nlen && !strncmp(line, name, nlen) &&
		    line[nlen] == ' ') {
			if (out) {
				snprintf(out, len, "%.*s", (int)l, line);
			}
			found = true;
			break;
		}
		line = end ? end + 1 : NULL;
	}
	free(text);
	return found;
}

/* Free pages with every per-CPU page list drained to the buddy lists. */
static unsigned long free_pages_now(struct mmk_machine *m)
{
	drain_all_pages(NULL);
	return mmk_nr_free_pages(m);
}

static struct kmem_cache *cache_of(struct mmk_machine *m, const void *p)
{
	struct slab *slab = virt_to_slab(m, p);

	assert_non_null(slab);
	return slab->slab_cache;
}

static struct kmem_cache *kmalloc_cache(struct mmk_machine *m,
					enum kmalloc_cache_type type,
					unsigned int idx)
{
	struct kmem_cache *s = m->kmalloc_caches[type][idx];

	assert_non_null(s);
	return s;
}

/* Objects in use in @s (per-CPU arrays count as in use). */
static unsigned long active_objs(struct mmk_machine *m, struct kmem_cache *s)
{
	unsigned long active, num, slabs;

	slab_info(m, s, &active, &num, &slabs);
	return active;
}

static unsigned long nr_slabs(struct mmk_machine *m, struct kmem_cache *s)
{
	unsigned long active, num, slabs;

	slab_info(m, s, &active, &num, &slabs);
	return slabs;
}

/* Offset of @p from the start of its slab. */
static unsigned long slab_offset(struct mmk_machine *m, const void *p)
{
	struct slab *slab = virt_to_slab(m, p);

	assert_non_null(slab);
	return mmk_kaddr(p) - mmk_kaddr(page_address(slab_page(slab)));
}

static void assert_bytes(const void *p, int val, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (unsigned char)val)
			fail_msg("byte %zu is 0x%02x, expected 0x%02x", i, b[i],
				 (unsigned char)val);
}

static void assert_geometry(struct kmem_cache *s, unsigned int size,
			    unsigned int objects, unsigned int order)
{
	if (s->size != size || s->objects != objects || s->order != order)
		fail_msg(
			"%s: size %u, %u per slab, order %u; expected %u, %u, %u",
			s->name, s->size, s->objects, s->order, size, objects,
			order);
}

/* The objsize, objperslab and pagesperslab columns of @name's line. */
static void assert_slabinfo_geometry(struct mmk_machine *m, const char *name,
				     unsigned int size, unsigned int objects,
				     unsigned int pages)
{
	char line[256], got[64];
	unsigned long active, num;
	unsigned int sz, per, pg;

	if (!slabinfo_line(m, name, line, sizeof line))
		fail_msg("no slabinfo line for %s", name);
	if (sscanf(line, "%63s %lu %lu %u %u %u", got, &active, &num, &sz, &per,
		   &pg) != 6)
		fail_msg("bad slabinfo line: %s", line);
	if (sz != size || per != objects || pg != pages)
		fail_msg("%s: slabinfo says %u %u %u, expected %u %u %u", name,
			 sz, per, pg, size, objects, pages);
}

/* ---- geometry ---- */

static void test_kmalloc_cache_geometry_on_two_cpus(void **state)
{
	struct mmk_machine *m = boot_small();

	(void)state;
	/* calculate_order: min_objects = 4 * (fls(2) + 1) = 12, leftover
	 * at most 1/16 of the slab, order 3 at most. */
	assert_geometry(kmalloc_cache(m, KMALLOC_NORMAL, 3), 8, 512, 0);
	assert_geometry(kmalloc_cache(m, KMALLOC_NORMAL, 6), 64, 64, 0);
	assert_geometry(kmalloc_cache(m, KMALLOC_NORMAL, 1), 96, 42, 0);
	assert_geometry(kmalloc_cache(m, KMALLOC_NORMAL, 2), 192, 21, 0);
	assert_geometry(kmalloc_cache(m, KMALLOC_NORMAL, 10), 1024, 16, 2);
	assert_geometry(kmalloc_cache(m, KMALLOC_NORMAL, 11), 2048, 16, 3);
	assert_geometry(kmalloc_cache(m, KMALLOC_NORMAL, 12), 4096, 8, 3);
	assert_geometry(kmalloc_cache(m, KMALLOC_NORMAL, 13), 8192, 4, 3);
	/* The other types have the same geometry. */
	assert_geometry(kmalloc_cache(m, KMALLOC_DMA, 1), 96, 42, 0);
	assert_geometry(kmalloc_cache(m, KMALLOC_RECLAIM, 13), 8192, 4, 3);
	assert_string_equal(kmalloc_cache(m, KMALLOC_NORMAL, 1)->name,
			    "kmalloc-96");
	assert_string_equal(kmalloc_cache(m, KMALLOC_NORMAL, 10)->name,
			    "kmalloc-1k");
	assert_string_equal(kmalloc_cache(m, KMALLOC_NORMAL, 13)->name,
			    "kmalloc-8k");
	/* /proc/slabinfo shows the same: objsize, objperslab, pagesperslab. */
	assert_slabinfo_geometry(m, "kmalloc-64", 64, 64, 1);
	assert_slabinfo_geometry(m, "kmalloc-96", 96, 42, 1);
	assert_slabinfo_geometry(m, "kmalloc-192", 192, 21, 1);
	assert_slabinfo_geometry(m, "kmalloc-1k", 1024, 16, 4);
	assert_slabinfo_geometry(m, "kmalloc-2k", 2048, 16, 8);
	assert_slabinfo_geometry(m, "kmalloc-8k", 8192, 4, 8);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_hwcache_align_rounds_100_bytes_to_128(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s =
		kmem_cache_create("hw100", 100, 0, SLAB_HWCACHE_ALIGN, NULL);
	void *p;

	(void)state;
	assert_non_null(s);
	assert_geometry(s, 128, 32, 0);
	assert_int_equal(s->object_size, 100);
	assert_int_equal(kmem_cache_size(s), 100);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(mmk_kaddr(p) % 64, 0);
	kmem_cache_free(s, p);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void nop_ctor(void *obj)
{
	(void)obj;
}

static void test_ctor_moves_free_pointer_after_object(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("ctor64", 64, 0, 0, nop_ctor);

	(void)state;
	assert_non_null(s);
	/* The object stays intact while free: the free pointer goes after
	 * it, 64 + 8 = 72 bytes, 56 per page. */
	assert_geometry(s, 72, 56, 0);
	assert_int_equal(s->offset, 64);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_debug_cache_layout_red_zones_and_poison(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create(
		"dbg64", 64, 0, SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER,
		NULL);
	unsigned char *p, *q;

	(void)state;
	assert_non_null(s);
	/* calculate_sizes: 64 + 8 right red zone (inuse 72), free pointer
	 * after it (80), two 32-byte tracks (144), 8 bytes padding and an
	 * 8-byte left red zone: 160, as Linux's. */
	assert_int_equal(s->object_size, 64);
	assert_int_equal(s->inuse, 72);
	assert_int_equal(s->offset, 72);
	assert_int_equal(s->red_left_pad, 8);
	assert_geometry(s, 160, 25, 0);
	assert_true(s->debug);

	p = kmem_cache_alloc(s, GFP_KERNEL);
	q = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(p);
	assert_non_null(q);
	/* Allocated: red zones hold SLUB_RED_ACTIVE. */
	assert_bytes(p - 8, 0xcc, 8);
	assert_bytes(p + 64, 0xcc, 8);
	memset(p, 0x11, 64);
	assert_int_equal(ksize(p), 64);
	kmem_cache_free(s, p);
	/* Free: red zones SLUB_RED_INACTIVE, payload POISON_FREE ending in
	 * POISON_END. */
	assert_bytes(p - 8, 0xbb, 8);
	assert_bytes(p + 64, 0xbb, 8);
	assert_bytes(p, 0x6b, 63);
	assert_int_equal(p[63], 0xa5);
	/* q is still allocated and untouched by p's free. */
	assert_bytes(q - 8, 0xcc, 8);
	assert_bytes(q + 64, 0xcc, 8);
	assert_false(dmesg_has(m, "BUG"));
	kmem_cache_free(s, q);
	assert_check_ok(m);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_slabinfo_line_after_three_allocations(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("test-128", 128, 0, 0, NULL);
	struct kmem_cache *d =
		kmem_cache_create("poisoned-128", 128, 0, SLAB_POISON, NULL);
	char line[256];
	void *p[3], *q[3];
	int i;

	(void)state;
	assert_non_null(s);
	assert_non_null(d);
	/* A new cache shows with no slabs. */
	assert_true(slabinfo_line(m, "test-128", line, sizeof line));
	assert_string_equal(
		line,
		"test-128               0      0    128   32    1 : tunables    0    0    0 : slabdata      0      0      0");
	for (i = 0; i < 3; i++) {
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
		q[i] = kmem_cache_alloc(d, GFP_KERNEL);
		assert_non_null(p[i]);
		assert_non_null(q[i]);
	}
	/* The per-CPU array took the whole slab: its 32 objects count as
	 * active, as SLUB's CPU slab does. */
	assert_true(slabinfo_line(m, "test-128", line, sizeof line));
	assert_string_equal(
		line,
		"test-128              32     32    128   32    1 : tunables    0    0    0 : slabdata      1      1      0");
	/* A debug cache has no per-CPU array: exactly 3 active. 128 + 8
	 * (free pointer after the poisoned object) = 136, 30 per page. */
	assert_true(slabinfo_line(m, "poisoned-128", line, sizeof line));
	assert_string_equal(
		line,
		"poisoned-128           3     30    136   30    1 : tunables    0    0    0 : slabdata      1      1      0");
	for (i = 0; i < 3; i++) {
		kmem_cache_free(s, p[i]);
		kmem_cache_free(d, q[i]);
	}
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_int_equal(kmem_cache_destroy(d), 0);
	assert_false(slabinfo_line(m, "test-128", NULL, 0));
	assert_false(slabinfo_line(m, "poisoned-128", NULL, 0));
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* A slab's page_type is PGTY_slab with its cache's array offset below the
 * type byte; kfree() pushes onto the array that offset names, and the
 * verifier catches a slab whose offset is not its cache's. */
static void test_slab_page_type_names_cpu_array(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *a = kmem_cache_create("type-a", 48, 0, 0, NULL);
	struct kmem_cache *b =
		kmem_cache_create("type-b", 200, 0, SLAB_NO_MERGE, NULL);
	struct array_cache *ac;
	struct slab *sa, *sb;
	void *p, *q;
	char why[512];
	unsigned int avail;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_int_not_equal(a->cpu_array, b->cpu_array);
	p = kmem_cache_alloc(a, GFP_KERNEL);
	q = kmem_cache_alloc(b, GFP_KERNEL);
	assert_non_null(p);
	assert_non_null(q);
	sa = virt_to_slab(m, p);
	sb = virt_to_slab(m, q);
	assert_int_equal(page_type_of(slab_page(sa)), PGTY_slab);
	assert_int_equal(sa->page_type, (PGTY_slab << 24) | a->cpu_array);
	assert_int_equal(sb->page_type, (PGTY_slab << 24) | b->cpu_array);
	ac = slab_array_at(b, mmk_ctx.pcpu_base);
	avail = ac->avail;
	kfree(q);
	assert_int_equal(ac->avail, avail + 1);
	assert_ptr_equal(ac->entry[avail], q);
	assert_check_ok(m);
	/* Another cache's offset is caught. */
	sa->page_type = (PGTY_slab << 24) | b->cpu_array;
	assert_int_equal(mmk_check(m, why, sizeof why), 1);
	assert_non_null(strstr(why, "type-a"));
	sa->page_type = slab_page_type(a);
	assert_check_ok(m);
	kfree(p);
	assert_int_equal(kmem_cache_destroy(a), 0);
	assert_int_equal(kmem_cache_destroy(b), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* A new slab hands its first batch to the refill that made it and keeps
 * the rest as a fresh tail on no freelist: objects still come out in
 * ascending order, and the verifier counts the tail as free. */
static void test_new_slab_keeps_a_fresh_tail(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("fresh-16", 16, 0, 0, NULL);
	struct slab *slab;
	char why[512];
	void *p[256], *q;
	int i;

	(void)state;
	assert_non_null(s);
	assert_int_equal(s->objects, 256);
	p[0] = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(p[0]);
	slab = virt_to_slab(m, p[0]);
	assert_non_null(slab);
	/* The CPU array's refill took a batch of 60; 196 stay fresh. */
	assert_int_equal(slab->inuse, 60);
	assert_int_equal(slab->fresh, 196);
	assert_null(slab->freelist);
	assert_ptr_equal(p[0], page_address(slab_page(slab)));
	assert_check_ok(m);
	/* A wrong tail length is caught. */
	slab->fresh++;
	assert_int_equal(mmk_check(m, why, sizeof why), 1);
	assert_non_null(strstr(why, "fresh"));
	slab->fresh--;
	assert_check_ok(m);
	for (i = 1; i < 256; i++) {
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_ptr_equal(p[i], (char *)p[0] + 16 * i);
	}
	assert_int_equal(slab->inuse, 256);
	assert_int_equal(slab->fresh, 0);
	assert_check_ok(m);
	/* All back and the slab given back: the next slab starts the
	 * same way. */
	for (i = 0; i < 256; i++)
		kmem_cache_free(s, p[i]);
	assert_int_equal(kmem_cache_shrink(s), 0);
	assert_check_ok(m);
	q = kmem_cache_alloc(s, GFP_KERNEL);
	slab = virt_to_slab(m, q);
	assert_int_equal(slab->fresh, 196);
	kmem_cache_free(s, q);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* obj_index() by multiplication agrees with division at every byte of a
 * slab, around it and far below it, for odd, even and power-of-two
 * strides. */
static void test_obj_index_is_exact(void **state)
{
	static const unsigned int sizes[] = { 8,    16,	  24,	40,   56,
					      96,   104,  136,	192,  320,
					      648,  1288, 1536, 3584, 4096,
					      7176, 8192, 10240 };
	struct mmk_machine *m = boot_small();
	size_t k;

	(void)state;
	for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		struct kmem_cache *s = kmem_cache_create("exact", sizes[k], 8,
							 SLAB_NO_MERGE, NULL);
		char *p, *first;
		struct slab *slab;
		long span, off;

		assert_non_null(s);
		assert_int_equal(s->size, sizes[k]);
		p = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(p);
		slab = virt_to_slab(m, p);
		first = (char *)page_address(slab_page(slab)) + slab->colour;
		span = (long)slab->objects * s->size;
		for (off = -(long)s->size - 64; off < span + 2 * (long)s->size;
		     off++) {
			long want = off >= 0 && off % s->size == 0 &&
						    off / s->size <
							    slab->objects ?
					    off / s->size :
					    -1;

			assert_int_equal(obj_index(m, s, slab, first + off),
					 want);
		}
		/* Far below and far above the slab. */
		assert_int_equal(obj_index(m, s, slab, first - (1L << 40)), -1);
		assert_int_equal(obj_index(m, s, slab,
					   first - (long)s->size * 65536),
				 -1);
		assert_int_equal(obj_index(m, s, slab,
					   first + (long)s->size * 65536),
				 -1);
		kmem_cache_free(s, p);
		assert_int_equal(kmem_cache_destroy(s), 0);
	}
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- kmalloc ---- */

static const char *expected_class(size_t n)
{
	static const char *const pow2[] = {
		"kmalloc-8",   "kmalloc-16",  "kmalloc-32",  "kmalloc-64",
		"kmalloc-128", "kmalloc-256", "kmalloc-512", "kmalloc-1k",
		"kmalloc-2k",  "kmalloc-4k",  "kmalloc-8k"
	};
	size_t c = 8;
	int i = 0;

	if (n > 64 && n <= 96)
		return "kmalloc-96";
	if (n > 128 && n <= 192)
		return "kmalloc-192";
	while (c < n) {
		c *= 2;
		i++;
	}
	return pow2[i];
}

static void test_kmalloc_size_classes(void **state)
{
	struct mmk_machine *m = boot_small();
	size_t n;

	(void)state;
	for (n = 1; n <= 8192; n++) {
		void *p = kmalloc(n, GFP_KERNEL);
		const char *want = expected_class(n);

		assert_non_null(p);
		if (strcmp(cache_of(m, p)->name, want))
			fail_msg("kmalloc(%zu) came from %s, expected %s", n,
				 cache_of(m, p)->name, want);
		memset(p, 0x3c, n);
		kfree(p);
	}
	/* Spot checks against the cache table. */
	{
		void *a = kmalloc(1, GFP_KERNEL), *b = kmalloc(9, GFP_KERNEL);
		void *c = kmalloc(65, GFP_KERNEL),
		     *d = kmalloc(129, GFP_KERNEL);
		void *e = kmalloc(8192, GFP_KERNEL);

		assert_ptr_equal(cache_of(m, a),
				 kmalloc_cache(m, KMALLOC_NORMAL, 3));
		assert_ptr_equal(cache_of(m, b),
				 kmalloc_cache(m, KMALLOC_NORMAL, 4));
		assert_ptr_equal(cache_of(m, c),
				 kmalloc_cache(m, KMALLOC_NORMAL, 1));
		assert_ptr_equal(cache_of(m, d),
				 kmalloc_cache(m, KMALLOC_NORMAL, 2));
		assert_ptr_equal(cache_of(m, e),
				 kmalloc_cache(m, KMALLOC_NORMAL, 13));
		kfree(a);
		kfree(b);
		kfree(c);
		kfree(d);
		kfree(e);
	}
	assert_false(dmesg_has(m, "WARNING"));
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_ksize_reports_size_class(void **state)
{
	struct mmk_machine *m = boot_small();
	void *a = kmalloc(100, GFP_KERNEL);
	void *b = kmalloc(70, GFP_KERNEL);
	void *c = kmalloc(1, GFP_KERNEL);
	void *d = kmalloc(5000, GFP_KERNEL);

	(void)state;
	assert_int_equal(ksize(a), 128);
	assert_int_equal(ksize(b), 96);
	assert_int_equal(ksize(c), 8);
	assert_int_equal(ksize(d), 8192);
	/* The whole class is usable. */
	memset(a, 0x77, 128);
	memset(b, 0x77, 96);
	kfree(a);
	kfree(b);
	kfree(c);
	kfree(d);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_kmalloc_zero_and_kfree_null(void **state)
{
	struct mmk_machine *m = boot_small();
	unsigned long before;

	(void)state;
	mmk_dmesg_clear(m);
	before = free_pages_now(m);
	assert_ptr_equal(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_ptr_equal(kzalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_ptr_equal(kcalloc(0, 8, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_int_equal(ksize(ZERO_SIZE_PTR), 0);
	kfree(ZERO_SIZE_PTR);
	kfree(NULL);
	kmem_cache_free(kmalloc_cache(m, KMALLOC_NORMAL, 6), NULL);
	assert_int_equal(free_pages_now(m), before);
	/* No-ops, not errors. */
	assert_false(dmesg_has(m, "WARNING"));
	assert_false(dmesg_has(m, "BUG"));
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_large_kmalloc_goes_to_page_allocator(void **state)
{
	struct mmk_machine *m = boot_small();
	unsigned long free0 = free_pages_now(m);
	unsigned long unrec0 = meminfo_kb(m, "SUnreclaim");
	unsigned long slab0 = meminfo_kb(m, "Slab");
	unsigned char *p = kmalloc(20000, GFP_KERNEL);
	struct page *page;

	(void)state;
	assert_non_null(p);
	assert_int_equal(mmk_kaddr(p) % PAGE_SIZE, 0);
	assert_null(virt_to_slab(m, p));
	page = virt_to_page(p);
	assert_non_null(page);
	assert_true(PageHead(page));
	assert_int_equal(compound_order(page), 3);
	assert_int_equal(ksize(p), 32768);
	memset(p, 0xa1, 32768);
	/* An order-3 block: 32 kB more unreclaimable slab. */
	assert_int_equal(meminfo_kb(m, "SUnreclaim"), unrec0 + 32);
	assert_int_equal(meminfo_kb(m, "Slab"), slab0 + 32);
	assert_int_equal(free_pages_now(m), free0 - 8);
	kfree(p);
	assert_int_equal(meminfo_kb(m, "SUnreclaim"), unrec0);
	assert_int_equal(free_pages_now(m), free0);
	/* The largest cache size is not large; one byte more is. */
	p = kmalloc(KMALLOC_MAX_CACHE_SIZE, GFP_KERNEL);
	assert_non_null(virt_to_slab(m, p));
	kfree(p);
	p = kmalloc(KMALLOC_MAX_CACHE_SIZE + 1, GFP_KERNEL);
	assert_null(virt_to_slab(m, p));
	assert_int_equal(ksize(p), 16384);
	kfree(p);
	assert_false(dmesg_has(m, "WARNING"));
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_kmalloc_dma_comes_from_zone_dma(void **state)
{
	struct mmk_machine *m = boot_small();
	void *p = kmalloc(100, GFP_KERNEL | GFP_DMA);
	void *q = kmalloc(8192, GFP_KERNEL | GFP_DMA);
	void *r = kmalloc(100, GFP_KERNEL);

	(void)state;
	assert_non_null(p);
	assert_non_null(q);
	assert_string_equal(cache_of(m, p)->name, "dma-kmalloc-128");
	assert_ptr_equal(cache_of(m, p), kmalloc_cache(m, KMALLOC_DMA, 7));
	assert_string_equal(cache_of(m, q)->name, "dma-kmalloc-8k");
	assert_int_equal(page_zone(virt_to_page(p))->idx, ZONE_DMA);
	assert_int_equal(page_zone(virt_to_page(q))->idx, ZONE_DMA);
	/* Without GFP_DMA: the normal cache, above ZONE_DMA. */
	assert_string_equal(cache_of(m, r)->name, "kmalloc-128");
	assert_int_not_equal(page_zone(virt_to_page(r))->idx, ZONE_DMA);
	kfree(p);
	kfree(q);
	kfree(r);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_kmalloc_reclaimable_counts_sreclaimable(void **state)
{
	struct mmk_machine *m = boot_small();
	unsigned long rec0 = meminfo_kb(m, "SReclaimable");
	unsigned long unrec0 = meminfo_kb(m, "SUnreclaim");
	struct kmem_cache *rcl = kmalloc_cache(m, KMALLOC_RECLAIM, 7);
	void *p;

	(void)state;
	assert_int_equal(nr_slabs(m, rcl), 0);
	p = kmalloc(100, GFP_KERNEL | __GFP_RECLAIMABLE);
	assert_non_null(p);
	assert_ptr_equal(cache_of(m, p), rcl);
	assert_string_equal(rcl->name, "kmalloc-rcl-128");
	/* One new order-0 slab, reclaimable. */
	assert_int_equal(nr_slabs(m, rcl), 1);
	assert_int_equal(meminfo_kb(m, "SReclaimable"), rec0 + 4);
	assert_int_equal(meminfo_kb(m, "SUnreclaim"), unrec0);
	kfree(p);
	assert_int_equal(kmem_cache_shrink(rcl), 0);
	assert_int_equal(meminfo_kb(m, "SReclaimable"), rec0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* Caches whose /proc/slabinfo lines start with @prefix. */
static int slabinfo_count(struct mmk_machine *m, const char *prefix)
{
	char *text = proc(m, "/proc/slabinfo"), *line;
	size_t len = strlen(prefix);
	int n = 0;

	for (line = text; line && *line; line = strchr(line, '\n') + 1) {
		if (!strncmp(line, prefix, len))
			n++;
		if (!strchr(line, '\n'))
			break;
	}
	free(text);
	return n;
}

/* mmk_config.kmalloc_types_on_demand: only the normal kmalloc caches at
 * boot; the first GFP_DMA or __GFP_RECLAIMABLE kmalloc of a size class
 * makes its cache, from the right zone, and later ones use it. */
static void test_kmalloc_types_on_demand(void **state)
{
	struct mmk_config cfg;
	struct mmk_machine *m;
	void *p, *q, *r, *s;

	(void)state;
	mmk_config_init(&cfg);
	cfg.kmalloc_types_on_demand = true;
	m = mmk_boot(&cfg);
	assert_non_null(m);
	assert_int_equal(slabinfo_count(m, "kmalloc-"), 13);
	assert_int_equal(slabinfo_count(m, "kmalloc-rcl-"), 0);
	assert_int_equal(slabinfo_count(m, "dma-kmalloc-"), 0);
	assert_null(m->kmalloc_caches[KMALLOC_DMA][7]);
	p = kmalloc(100, GFP_KERNEL | GFP_DMA);
	q = kmalloc(120, GFP_KERNEL | GFP_DMA);
	r = kmalloc(5000, GFP_KERNEL | __GFP_RECLAIMABLE);
	s = kmalloc(100, GFP_KERNEL);
	assert_non_null(p);
	assert_non_null(q);
	assert_non_null(r);
	assert_non_null(s);
	assert_ptr_equal(cache_of(m, p), kmalloc_cache(m, KMALLOC_DMA, 7));
	assert_ptr_equal(cache_of(m, q), cache_of(m, p));
	assert_string_equal(cache_of(m, p)->name, "dma-kmalloc-128");
	assert_int_equal(page_zone(virt_to_page(p))->idx, ZONE_DMA);
	assert_string_equal(cache_of(m, r)->name, "kmalloc-rcl-8k");
	assert_string_equal(cache_of(m, s)->name, "kmalloc-128");
	assert_int_equal(slabinfo_count(m, "dma-kmalloc-"), 1);
	assert_int_equal(slabinfo_count(m, "kmalloc-rcl-"), 1);
	kfree(p);
	kfree(q);
	kfree(r);
	kfree(s);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_kmalloc_array_overflow_and_zeroing(void **state)
{
	struct mmk_machine *m = boot_small();
	unsigned char *p, *q;

	(void)state;
	assert_null(kmalloc_array(SIZE_MAX / 4 + 1, 4, GFP_KERNEL));
	assert_null(kmalloc_array(2, SIZE_MAX / 2 + 1, GFP_KERNEL));
	assert_null(kcalloc(SIZE_MAX / 8 + 1, 8, GFP_KERNEL));
	p = kmalloc_array(10, 8, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(ksize(p), 96);
	kfree(p);

	/* Dirty an object, free it, and get it back zeroed: the per-CPU
	 * array hands the same object out again. */
	p = kmalloc(200, GFP_KERNEL);
	memset(p, 0xff, 256);
	kfree(p);
	q = kzalloc(200, GFP_KERNEL);
	assert_ptr_equal(q, p);
	assert_bytes(q, 0, 200);
	memset(q, 0xff, 256);
	kfree(q);
	q = kcalloc(25, 8, GFP_KERNEL);
	assert_ptr_equal(q, p);
	assert_bytes(q, 0, 200);
	kfree(q);
	/* Large kzalloc too. */
	p = kmalloc(20000, GFP_KERNEL);
	memset(p, 0xff, 20000);
	kfree(p);
	p = kzalloc(20000, GFP_KERNEL);
	assert_non_null(p);
	assert_bytes(p, 0, 20000);
	kfree(p);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_kmalloc_above_max_size_fails(void **state)
{
	struct mmk_machine *m = boot_small();
	unsigned long before = free_pages_now(m);
	void *p;

	(void)state;
	assert_null(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL));
	assert_null(kmalloc(SIZE_MAX, GFP_KERNEL));
	assert_null(kzalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL));
	assert_int_equal(free_pages_now(m), before);
	/* KMALLOC_MAX_SIZE itself is an order-10 block. */
	p = kmalloc(KMALLOC_MAX_SIZE, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(ksize(p), KMALLOC_MAX_SIZE);
	kfree(p);
	assert_int_equal(free_pages_now(m), before);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- krealloc ---- */

static void test_krealloc_in_place_and_moving(void **state)
{
	struct mmk_machine *m = boot_small();
	unsigned char *p, *q, *r, *s;

	(void)state;
	p = kmalloc(70, GFP_KERNEL);
	assert_non_null(p);
	memset(p, 0x5a, 70);
	/* 90 still fits kmalloc-96: same object. */
	q = krealloc(p, 90, GFP_KERNEL);
	assert_ptr_equal(q, p);
	assert_string_equal(cache_of(m, q)->name, "kmalloc-96");
	assert_bytes(q, 0x5a, 70);
	memset(q + 70, 0x5b, 20);
	/* 96 still fits too. */
	assert_ptr_equal(krealloc(q, 96, GFP_KERNEL), q);
	/* 200 does not: a kmalloc-256 object with the contents copied. */
	r = krealloc(q, 200, GFP_KERNEL);
	assert_non_null(r);
	assert_ptr_not_equal(r, q);
	assert_string_equal(cache_of(m, r)->name, "kmalloc-256");
	assert_bytes(r, 0x5a, 70);
	assert_bytes(r + 70, 0x5b, 20);
	/* The old object was freed: it is the next kmalloc-96 object this
	 * CPU hands out. */
	s = kmalloc(80, GFP_KERNEL);
	assert_ptr_equal(s, q);
	kfree(s);
	/* Shrinking stays in place. */
	assert_ptr_equal(krealloc(r, 10, GFP_KERNEL), r);
	/* Large: in place up to the block, moved beyond it. */
	p = krealloc(r, 20000, GFP_KERNEL);
	assert_non_null(p);
	assert_bytes(p, 0x5a, 70);
	memset(p, 0x42, 20000);
	assert_ptr_equal(krealloc(p, 32768, GFP_KERNEL), p);
	q = krealloc(p, 40000, GFP_KERNEL);
	assert_non_null(q);
	assert_ptr_not_equal(q, p);
	assert_int_equal(ksize(q), 65536);
	assert_bytes(q, 0x42, 20000);
	kfree(q);
	assert_false(dmesg_has(m, "WARNING"));
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_krealloc_null_allocates_zero_frees(void **state)
{
	struct mmk_machine *m = boot_small();
	void *p, *q;

	(void)state;
	p = krealloc(NULL, 50, GFP_KERNEL);
	assert_non_null(p);
	assert_string_equal(cache_of(m, p)->name, "kmalloc-64");
	memset(p, 1, 50);
	q = krealloc(ZERO_SIZE_PTR, 50, GFP_KERNEL);
	assert_non_null(q);
	assert_ptr_not_equal(q, ZERO_SIZE_PTR);
	kfree(q);
	/* krealloc(p, 0) frees p: the next kmalloc-64 object is p. */
	assert_ptr_equal(krealloc(p, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	q = kmalloc(64, GFP_KERNEL);
	assert_ptr_equal(q, p);
	kfree(q);
	assert_false(dmesg_has(m, "WARNING"));
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- constructors ---- */

static unsigned long ctor_calls;
#define CTOR_MAGIC 0x0123456789abcdefULL

static void counting_ctor(void *obj)
{
	uint64_t v = CTOR_MAGIC;

	ctor_calls++;
	memcpy(obj, &v, sizeof(v));
}

static void test_ctor_runs_once_per_object_at_slab_creation(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s =
		kmem_cache_create("ctor-count", 64, 0, 0, counting_ctor);
	void *objs[56], *extra;
	struct slab *slab;
	uint64_t v;
	int i;

	(void)state;
	assert_non_null(s);
	assert_int_equal(s->objects, 56);
	ctor_calls = 0;
	for (i = 0; i < 56; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(objs[i]);
		memcpy(&v, objs[i], sizeof(v));
		assert_true(v == CTOR_MAGIC);
	}
	/* One slab was made, and its 56 objects constructed. */
	slab = virt_to_slab(m, objs[0]);
	for (i = 1; i < 56; i++)
		assert_ptr_equal(virt_to_slab(m, objs[i]), slab);
	assert_int_equal(ctor_calls, 56);
	for (i = 0; i < 56; i++)
		memset(objs[i], i, 64);
	for (i = 0; i < 56; i++)
		kmem_cache_free(s, objs[i]);
	/* Reallocation does not construct again: objects come back as the
	 * user left them. */
	for (i = 0; i < 56; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(objs[i]);
		assert_ptr_equal(virt_to_slab(m, objs[i]), slab);
		assert_bytes(objs[i], *(unsigned char *)objs[i], 64);
	}
	assert_int_equal(ctor_calls, 56);
	/* The 57th object needs a new slab: 56 more calls. */
	extra = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(extra);
	assert_ptr_not_equal(virt_to_slab(m, extra), slab);
	assert_int_equal(ctor_calls, 112);
	kmem_cache_free(s, extra);
	for (i = 0; i < 56; i++)
		kmem_cache_free(s, objs[i]);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_int_equal(ctor_calls, 112);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- colouring ---- */

static void test_slabs_are_coloured_in_turn(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s =
		kmem_cache_create("colour1000", 1000, 0, 0, NULL);
	enum { NSLABS = 9, PER = 16 };
	static const unsigned int want[NSLABS] = { 0,	64, 128, 192, 256,
						   320, 0,  64,	 128 };
	void *objs[NSLABS * PER];
	int i;

	(void)state;
	assert_non_null(s);
	/* 16 objects of 1000 bytes in an order-2 slab leave 384 bytes:
	 * 384 / 64 = 6 colours, offsets 0, 64, ..., 320 (SLAB's rule). */
	assert_geometry(s, 1000, 16, 2);
	assert_int_equal(s->colour_off, 64);
	assert_int_equal(s->colour, 6);
	for (i = 0; i < NSLABS * PER; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(objs[i]);
	}
	for (i = 0; i < NSLABS; i++) {
		void *first = objs[i * PER];
		struct slab *slab = virt_to_slab(m, first);
		int j;

		/* Each slab's objects come out together, object 0 first. */
		for (j = 1; j < PER; j++)
			assert_ptr_equal(virt_to_slab(m, objs[i * PER + j]),
					 slab);
		if (slab->colour != want[i])
			fail_msg("slab %d has colour %u, expected %u", i,
				 slab->colour, want[i]);
		assert_int_equal(slab_offset(m, first), want[i]);
		assert_int_equal(mmk_kaddr(first) % (PAGE_SIZE << 2), want[i]);
		assert_int_equal(slab_offset(m, objs[i * PER + PER - 1]),
				 want[i] + 15 * 1000);
	}
	for (i = 0; i < NSLABS * PER; i++)
		kmem_cache_free(s, objs[i]);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_kmalloc_caches_are_not_coloured(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *k96 = kmalloc_cache(m, KMALLOC_NORMAL, 1);
	enum { N = 42 * 4 };
	void *objs[N];
	int i;

	(void)state;
	/* 42 objects of 96 bytes leave 64 bytes, room for a second colour,
	 * but kmalloc caches have one. */
	assert_int_equal(k96->colour, 1);
	for (i = 0; i < N; i++) {
		objs[i] = kmalloc(96, GFP_KERNEL);
		assert_non_null(objs[i]);
		assert_int_equal(virt_to_slab(m, objs[i])->colour, 0);
		assert_int_equal(slab_offset(m, objs[i]) % 96, 0);
		assert_int_equal(mmk_kaddr(objs[i]) % 32, 0);
	}
	for (i = 0; i < N; i++)
		kfree(objs[i]);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- shrink and destroy ---- */

static void test_shrink_returns_empty_slabs(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("shrinkme", 1000, 0, 0, NULL);
	enum { N = 160 };
	void *objs[N];
	unsigned long before;
	int i;

	(void)state;
	assert_non_null(s);
	before = free_pages_now(m);
	for (i = 0; i < N; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(objs[i]);
	}
	assert_int_equal(nr_slabs(m, s), 10);
	assert_int_equal(free_pages_now(m), before - 40);
	for (i = 0; i < N; i++)
		kmem_cache_free(s, objs[i]);
	/* Some empty slabs and the per-CPU array are kept... */
	assert_true(free_pages_now(m) < before);
	assert_true(nr_slabs(m, s) > 0);
	/* ...until the cache is shrunk. */
	assert_int_equal(kmem_cache_shrink(s), 0);
	assert_int_equal(nr_slabs(m, s), 0);
	assert_int_equal(active_objs(m, s), 0);
	assert_int_equal(free_pages_now(m), before);
	assert_check_ok(m);
	/* Shrinking keeps slabs with objects in use. */
	objs[0] = kmem_cache_alloc(s, GFP_KERNEL);
	assert_int_equal(kmem_cache_shrink(s), 1);
	assert_int_equal(nr_slabs(m, s), 1);
	assert_int_equal(active_objs(m, s), 1);
	kmem_cache_free(s, objs[0]);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* The slab map: a mapped cache's slabs of its order carry its id on every
 * page from their creation to their discard; ids are refused to coloured
 * caches, out of range, and once slabs exist; the verifier catches a
 * stale entry and a missing one. */
static void test_slab_map_tracks_slabs(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create(
		"mapped", 1000, 0, SLAB_KMALLOC | SLAB_NO_MERGE, NULL);
	struct kmem_cache *col =
		kmem_cache_create("coloured", 1000, 0, SLAB_NO_MERGE, NULL);
	enum { N = 20 };
	unsigned long pfn[N], pages = 4, i;
	struct page *other;
	void *objs[N];
	int k;

	(void)state;
	assert_non_null(s);
	assert_non_null(col);
	assert_int_equal(s->order, 2); /* 16 objects a slab */
	assert_int_equal(kmem_cache_set_map_id(m, s, 7), -ENODEV);
	assert_int_equal(slab_map_id(m, 0), 0);
	assert_int_equal(slab_map_enable(m), 0);
	assert_int_equal(kmem_cache_set_map_id(m, col, 7), -EINVAL);
	assert_int_equal(kmem_cache_set_map_id(m, s, 0), -EINVAL);
	assert_int_equal(kmem_cache_set_map_id(m, s, 256), -EINVAL);
	/* The top bit is the mark's. */
	assert_int_equal(kmem_cache_set_map_id(m, s, SLAB_MAP_MARK), -EINVAL);
	assert_int_equal(kmem_cache_set_map_id(m, s, 7), 0);
	for (k = 0; k < N; k++) {
		objs[k] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(objs[k]);
		pfn[k] = page_to_pfn(virt_to_page(objs[k]));
	}
	assert_int_equal(nr_slabs(m, s), 2);
	for (k = 0; k < N; k++) {
		unsigned long head = pfn[k] & ~(pages - 1);

		/* Slabs are buddy blocks, aligned to their size. */
		assert_int_equal(slab_offset(m, objs[k]) % 1000, 0);
		for (i = 0; i < pages; i++)
			assert_int_equal(slab_map_id(m, head + i), 7);
	}
	assert_check_ok(m);
	/* A page that is no slab's, with the id: a stale entry. */
	other = alloc_page(GFP_KERNEL);
	assert_non_null(other);
	assert_int_equal(slab_map_id(m, page_to_pfn(other)), 0);
	m->slab->map[page_to_pfn(other)] = 7;
	assert_check_fails(m, "but is in no slab of it");
	m->slab->map[page_to_pfn(other)] = 0;
	__free_page(other);
	/* A slab page without it. */
	m->slab->map[pfn[0]] = 0;
	assert_check_fails(m, "has slab map id 0, not 7");
	m->slab->map[pfn[0]] = 7;
	assert_check_ok(m);
	/* The mark: on every page of the slab, or a page that lost it. */
	slab_map_mark(m, s, virt_to_slab(m, objs[0]), true);
	for (i = 0; i < pages; i++)
		assert_int_equal(slab_map_id(m, (pfn[0] & ~(pages - 1)) + i),
				 7 | SLAB_MAP_MARK);
	assert_check_ok(m);
	m->slab->map[(pfn[0] & ~(pages - 1)) + 1] = 7;
	assert_check_fails(m, "has slab map id 7, not 135");
	slab_map_mark(m, s, virt_to_slab(m, objs[0]), false);
	assert_int_equal(slab_map_id(m, pfn[0]), 7);
	assert_check_ok(m);
	/* Slabs with objects cannot take an id; a cache can give its own
	 * back only by emptying. */
	assert_int_equal(kmem_cache_set_map_id(m, s, 8), -EBUSY);
	for (k = 0; k < N; k++)
		kmem_cache_free(s, objs[k]);
	assert_int_equal(kmem_cache_shrink(s), 0);
	assert_int_equal(nr_slabs(m, s), 0);
	for (k = 0; k < N; k++)
		assert_int_equal(slab_map_id(m, pfn[k]), 0);
	assert_check_ok(m);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_int_equal(kmem_cache_destroy(col), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* kmem_cache_claim_slab(): the free objects of the partial list's tail
 * slab, in address order, if it is sparse enough; the slab is full until
 * they come back, and the verifier agrees throughout. */
static void test_claim_slab_takes_a_sparse_slab(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create(
		"claimed", 64, 0, SLAB_KMALLOC | SLAB_NO_MERGE, NULL);
	struct kmem_cache *dbg = kmem_cache_create(
		"claimed-dbg", 64, 0, SLAB_NO_MERGE | SLAB_RED_ZONE, NULL);
	enum { N = 64 };
	void *objs[N], *out[N], *keep[3], *d;
	unsigned int i, got;

	(void)state;
	assert_non_null(s);
	assert_non_null(dbg);
	assert_int_equal(s->objects, N);
	for (i = 0; i < N; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(objs[i]);
	}
	assert_int_equal(nr_slabs(m, s), 1);
	/* Three live ones, spread out; the rest back in the slab. */
	keep[0] = objs[5];
	keep[1] = objs[30];
	keep[2] = objs[63];
	for (i = 0; i < N; i++)
		if (i != 5 && i != 30 && i != 63)
			kmem_cache_free(s, objs[i]);
	assert_int_equal(kmem_cache_shrink(s), 1);
	assert_int_equal(active_objs(m, s), 3);
	/* Too dense for the limit: nothing, and the slab stays partial. */
	assert_int_equal(kmem_cache_claim_slab(m, s, 0, 2, out), 0);
	assert_int_equal(active_objs(m, s), 3);
	assert_check_ok(m);
	got = kmem_cache_claim_slab(m, s, 0, 3, out);
	assert_int_equal(got, N - 3);
	assert_int_equal(active_objs(m, s), N);
	for (i = 0; i < got; i++) {
		assert_true(out[i] != keep[0] && out[i] != keep[1] &&
			    out[i] != keep[2]);
		if (i)
			assert_true((char *)out[i] > (char *)out[i - 1]);
		assert_ptr_equal(virt_to_slab(m, out[i]),
				 virt_to_slab(m, keep[0]));
	}
	assert_ptr_equal(out[0], (char *)keep[0] - 5 * 64);
	assert_ptr_equal(out[5], (char *)keep[0] + 64);
	assert_check_ok(m);
	/* No partial slab left: nothing more to claim. */
	assert_int_equal(kmem_cache_claim_slab(m, s, 0, N, out + got), 0);
	assert_int_equal(kmem_cache_claim_slab(m, s, 1, N, out + got), 0);
	kmem_cache_free_bulk(s, got, out);
	assert_int_equal(kmem_cache_shrink(s), 1);
	assert_int_equal(active_objs(m, s), 3);
	assert_check_ok(m);
	for (i = 0; i < 3; i++)
		kmem_cache_free(s, keep[i]);
	/* A debug cache lends nothing. */
	d = kmem_cache_alloc(dbg, GFP_KERNEL);
	assert_non_null(d);
	assert_int_equal(kmem_cache_claim_slab(m, dbg, 0, N, out), 0);
	kmem_cache_free(dbg, d);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_int_equal(kmem_cache_destroy(dbg), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_destroy_with_live_objects_is_busy(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("busy", 100, 0, 0, NULL);
	void *objs[3];
	int i;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < 3; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(objs[i]);
	}
	assert_true(slabinfo_line(m, "busy", NULL, 0));
	mmk_dmesg_clear(m);
	assert_int_equal(kmem_cache_destroy(s), -EBUSY);
	assert_true(
		dmesg_has(m, "Objects remaining on __kmem_cache_shutdown()"));
	assert_true(dmesg_has(m, "BUG busy"));
	assert_false(slabinfo_line(m, "busy", NULL, 0));
	assert_check_ok(m);
	/* The objects can still be freed into the leaked cache. */
	mmk_dmesg_clear(m);
	for (i = 0; i < 3; i++)
		kmem_cache_free(s, objs[i]);
	assert_false(dmesg_has(m, "WARNING"));
	assert_false(dmesg_has(m, "BUG"));
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* A CPU's array slots are percpu data beside its slots of the other
 * caches (per_cpu_slots() of the header's block): two caches made one
 * after the other have their headers in consecutive blocks and each CPU's
 * slots PCPU_SLOTS_STRIDE bytes apart, in that CPU's unit; making a cache
 * takes no page for them (meminfo's Percpu stays where it was); and a
 * CPU's slots are the ones its frees fill. */
static void test_cpu_array_slots_are_packed_percpu(void **state)
{
	struct mmk_machine *m = boot_small();
	unsigned long percpu = meminfo_kb(m, "Percpu");
	struct kmem_cache *a =
		kmem_cache_create("slots-a", 64, 0, SLAB_NO_MERGE, NULL);
	struct kmem_cache *b =
		kmem_cache_create("slots-b", 64, 0, SLAB_NO_MERGE, NULL);
	struct array_cache *aa, *ab;
	unsigned int avail;
	void *p;
	int cpu;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(meminfo_kb(m, "Percpu"), percpu);
	assert_int_equal(b->cpu_array, a->cpu_array + PCPU_MIN_ALLOC);
	for_each_online_cpu(m, cpu) {
		char *unit = per_cpu_ptr(m, 0, cpu);

		aa = slab_cpu_array(m, a, cpu);
		ab = slab_cpu_array(m, b, cpu);
		assert_int_equal(aa->limit, 120);
		assert_ptr_equal(aa->entry,
				 per_cpu_slots(m, a->cpu_array, cpu));
		assert_int_equal((char *)ab->entry - (char *)aa->entry,
				 (long)PCPU_SLOTS_STRIDE);
		assert_true((char *)aa->entry >= unit + PCPU_AREA_SIZE);
		assert_true((char *)ab->entry + ab->limit * sizeof(void *) <=
			    unit + PCPU_UNIT_SIZE);
	}
	p = kmem_cache_alloc(a, GFP_KERNEL);
	assert_non_null(p);
	aa = slab_array_at(a, mmk_ctx.pcpu_base);
	avail = aa->avail;
	kmem_cache_free(a, p);
	assert_int_equal(aa->avail, avail + 1);
	assert_ptr_equal(aa->entry[avail], p);
	assert_ptr_equal(aa->entry,
			 per_cpu_slots(m, a->cpu_array, mmk_ctx.cpu->id));
	assert_int_equal(kmem_cache_destroy(a), 0);
	assert_int_equal(kmem_cache_destroy(b), 0);
	assert_int_equal(meminfo_kb(m, "Percpu"), percpu);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* The per-CPU array headers are percpu data: one PCPU_MIN_ALLOC block of
 * the percpu area per cache. When it is full, kmem_cache_create() fails
 * with ENOMEM and Linux's message, nothing else changes, and a destroyed
 * cache's block serves the next one. */
static void test_percpu_area_exhaustion_fails_cleanly(void **state)
{
	struct mmk_machine *m = boot_small();
	static struct kmem_cache *made[PCPU_AREA_SIZE / PCPU_MIN_ALLOC];
	struct kmem_cache *s;
	char name[32], msg[96];
	int boot = 0, n = 0, i;
	void *obj;

	(void)state;
	list_for_each_entry(s, &m->slab->caches, list)
		boot++;
	for (;;) {
		snprintf(name, sizeof name, "pcpu-%d", n);
		errno = 0;
		s = kmem_cache_create(name, 64, 0, SLAB_NO_MERGE, NULL);
		if (!s)
			break;
		assert_true(n < (int)ARRAY_SIZE(made));
		made[n++] = s;
	}
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(boot + n, (int)(PCPU_AREA_SIZE / PCPU_MIN_ALLOC));
	snprintf(msg, sizeof msg,
		 "__kmem_cache_create_args(pcpu-%d) failed with error -12", n);
	assert_true(dmesg_has(m, msg));
	assert_check_ok(m);
	/* A freed block serves the next cache, its copies zeroed. */
	obj = kmem_cache_alloc(made[n / 2], GFP_KERNEL);
	assert_non_null(obj);
	kmem_cache_free(made[n / 2], obj);
	assert_int_equal(kmem_cache_destroy(made[n / 2]), 0);
	made[n / 2] =
		kmem_cache_create("pcpu-again", 64, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(made[n / 2]);
	obj = kmem_cache_alloc(made[n / 2], GFP_KERNEL);
	assert_non_null(obj);
	kmem_cache_free(made[n / 2], obj);
	assert_null(kmem_cache_create("pcpu-full", 64, 0, SLAB_NO_MERGE, NULL));
	assert_check_ok(m);
	for (i = 0; i < n; i++)
		assert_int_equal(kmem_cache_destroy(made[i]), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_destroy_empty_cache_returns_every_page(void **state)
{
	struct mmk_machine *m = boot_small();
	unsigned long before;
	struct kmem_cache *s;
	void *objs[40];
	int i;

	(void)state;
	/* The cache's name is kstrdup'ed into kmalloc-16, and its descriptor
	 * and node structure come from the kmem_cache and kmem_cache_node
	 * caches, whose slabs (as any) stay cached after a free: warm them
	 * up first with a cache of the same shape, so that only the cache's
	 * own pages are counted. */
	s = kmem_cache_create("empty-m0", 1000, 0, 0, NULL);
	assert_non_null(s);
	assert_int_equal(kmem_cache_destroy(s), 0);
	before = free_pages_now(m);
	s = kmem_cache_create("empty-me", 1000, 0, 0, NULL);
	assert_non_null(s);
	for (i = 0; i < 40; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(objs[i]);
	}
	for (i = 0; i < 40; i++)
		kmem_cache_free(s, objs[i]);
	/* Empty slabs and objects in the per-CPU array are still held. */
	assert_true(free_pages_now(m) < before);
	assert_true(slabinfo_line(m, "empty-me", NULL, 0));
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_false(slabinfo_line(m, "empty-me", NULL, 0));
	/* Slabs, per-CPU arrays, node structures, descriptor, name. */
	assert_int_equal(free_pages_now(m), before);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_cache_name_is_copied(void **state)
{
	struct mmk_machine *m = boot_small();
	char name[16] = "copied";
	struct kmem_cache *s = kmem_cache_create(name, 48, 0, 0, NULL);

	(void)state;
	assert_non_null(s);
	strcpy(name, "changed");
	assert_string_equal(kmem_cache_name(s), "copied");
	assert_true(slabinfo_line(m, "copied", NULL, 0));
	assert_false(slabinfo_line(m, "changed", NULL, 0));
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- merging ---- */

static void test_compatible_caches_merge(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *a = kmem_cache_create("merge-a", 64, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("merge-b", 64, 0, 0, NULL);
	struct kmem_cache *c = kmem_cache_create("merge-c", 60, 0, 0, NULL);
	struct kmem_cache *d = kmem_cache_create("merge-d", 56, 0, 0, NULL);
	void *p;

	(void)state;
	assert_non_null(a);
	assert_ptr_equal(b, a);
	/* 60 rounds up to 64: merges too. */
	assert_ptr_equal(c, a);
	/* 56 would waste 8 bytes per object in a 64-byte cache: no. */
	assert_non_null(d);
	assert_ptr_not_equal(d, a);
	assert_int_equal(d->size, 56);
	assert_int_equal(a->refcount, 3);
	assert_string_equal(kmem_cache_name(b), "merge-a");
	assert_true(slabinfo_line(m, "merge-a", NULL, 0));
	assert_false(slabinfo_line(m, "merge-b", NULL, 0));
	assert_false(slabinfo_line(m, "merge-c", NULL, 0));
	assert_true(slabinfo_line(m, "merge-d", NULL, 0));
	p = kmem_cache_alloc(b, GFP_KERNEL);
	assert_ptr_equal(cache_of(m, p), a);
	kmem_cache_free(c, p);
	assert_false(dmesg_has(m, "Wrong slab cache"));
	/* Each alias is destroyed on its own; the last one frees it. */
	assert_int_equal(kmem_cache_destroy(b), 0);
	assert_int_equal(kmem_cache_destroy(c), 0);
	assert_true(slabinfo_line(m, "merge-a", NULL, 0));
	assert_int_equal(kmem_cache_destroy(a), 0);
	assert_false(slabinfo_line(m, "merge-a", NULL, 0));
	assert_int_equal(kmem_cache_destroy(d), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* A cache asking for more alignment than an existing one's colour steps
 * gives it must not merge with it: pages_fuzz (CI, seed 1, 4 threads)
 * got an object at 0x...180 from a 256-aligned cache of size 512 merged
 * into a 64-aligned one. Every object, in every colour, is aligned. */
static void test_merge_keeps_requested_alignment(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *a = kmem_cache_create("align-64", 512, 64,
						 SLAB_HWCACHE_ALIGN, NULL);
	struct kmem_cache *b =
		kmem_cache_create("align-256", 512, 256, 0, NULL);
	struct kmem_cache *c = kmem_cache_create("align-32", 512, 32, 0, NULL);
	void *obj[200];
	int i;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(b, a);
	/* Less alignment than the existing cache's: merges. */
	assert_ptr_equal(c, a);
	for (i = 0; i < 200; i++) {
		obj[i] = kmem_cache_alloc(b, GFP_KERNEL);
		assert_non_null(obj[i]);
		assert_int_equal((uintptr_t)obj[i] & 255, 0);
	}
	for (i = 0; i < 200; i++)
		kmem_cache_free(b, obj[i]);
	assert_int_equal(kmem_cache_destroy(c), 0);
	assert_int_equal(kmem_cache_destroy(b), 0);
	assert_int_equal(kmem_cache_destroy(a), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_ctor_and_debug_caches_do_not_merge(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *plain = kmem_cache_create("plain", 64, 0, 0, NULL);
	struct kmem_cache *ctor =
		kmem_cache_create("withctor", 64, 0, 0, nop_ctor);
	struct kmem_cache *poison =
		kmem_cache_create("poisoned", 64, 0, SLAB_POISON, NULL);
	struct kmem_cache *nomerge =
		kmem_cache_create("nomerge", 64, 0, SLAB_NO_MERGE, NULL);
	struct kmem_cache *rcl =
		kmem_cache_create("rclaim", 64, 0, SLAB_RECLAIM_ACCOUNT, NULL);
	struct kmem_cache *plain2;

	(void)state;
	assert_non_null(plain);
	assert_non_null(ctor);
	assert_non_null(poison);
	assert_non_null(nomerge);
	assert_ptr_not_equal(ctor, plain);
	assert_ptr_not_equal(poison, plain);
	assert_ptr_not_equal(nomerge, plain);
	assert_ptr_not_equal(poison, ctor);
	/* SLAB_RECLAIM_ACCOUNT must match to merge. */
	assert_non_null(rcl);
	assert_ptr_not_equal(rcl, plain);
	/* A later plain cache merges with the plain one, never with the
	 * ctor, poisoned or no-merge caches. */
	plain2 = kmem_cache_create("plain2", 64, 0, 0, NULL);
	assert_ptr_equal(plain2, plain);
	assert_true(slabinfo_line(m, "withctor", NULL, 0));
	assert_true(slabinfo_line(m, "poisoned", NULL, 0));
	assert_true(slabinfo_line(m, "nomerge", NULL, 0));
	assert_false(slabinfo_line(m, "plain2", NULL, 0));
	/* A second poisoned cache is a cache of its own, too. */
	{
		struct kmem_cache *poison2 = kmem_cache_create(
			"poisoned2", 64, 0, SLAB_POISON, NULL);

		assert_ptr_not_equal(poison2, poison);
		assert_int_equal(kmem_cache_destroy(poison2), 0);
	}
	assert_int_equal(kmem_cache_destroy(plain2), 0);
	assert_int_equal(kmem_cache_destroy(plain), 0);
	assert_int_equal(kmem_cache_destroy(ctor), 0);
	assert_int_equal(kmem_cache_destroy(poison), 0);
	assert_int_equal(kmem_cache_destroy(nomerge), 0);
	assert_int_equal(kmem_cache_destroy(rcl), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_kmalloc_caches_are_never_merge_targets(void **state)
{
	struct mmk_machine *m = boot_small();
	static const unsigned int sizes[] = { 8,    16,	  32,  64,  96,
					      128,  192,  256, 512, 1024,
					      2048, 4096, 8192 };
	struct kmem_cache *made[ARRAY_SIZE(sizes)];
	char names[ARRAY_SIZE(sizes)][16];
	unsigned int i, t, k;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		snprintf(names[i], sizeof names[i], "own-%u", sizes[i]);
		made[i] = kmem_cache_create(names[i], sizes[i], 0, 0, NULL);
		assert_non_null(made[i]);
		assert_int_equal(made[i]->refcount, 1);
		assert_int_equal(made[i]->flags & SLAB_KMALLOC, 0);
		for (t = 0; t < NR_KMALLOC_TYPES; t++)
			for (k = 1; k <= KMALLOC_SHIFT_HIGH; k++)
				assert_ptr_not_equal(made[i],
						     kmalloc_cache(m, t, k));
		assert_true(slabinfo_line(m, names[i], NULL, 0));
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		assert_int_equal(kmem_cache_destroy(made[i]), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- debug reports ---- */

static void test_debug_double_free_reported(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("dbl", 64, 0, DEBUG_FZP, NULL);
	void *p, *a, *b;

	(void)state;
	assert_non_null(s);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(p);
	kmem_cache_free(s, p);
	mmk_dmesg_clear(m);
	kmem_cache_free(s, p);
	assert_true(dmesg_has(m, "Object already free"));
	assert_true(dmesg_has(m, "BUG dbl"));
	assert_check_ok(m);
	/* The freelist is intact: two allocations, two objects. */
	a = kmem_cache_alloc(s, GFP_KERNEL);
	b = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(active_objs(m, s), 2);
	kmem_cache_free(s, a);
	kmem_cache_free(s, b);
	assert_int_equal(active_objs(m, s), 0);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_debug_right_redzone_overwrite_reported(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("rz", 64, 0, DEBUG_FZP, NULL);
	unsigned char *p;

	(void)state;
	assert_non_null(s);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(p);
	memset(p, 0, 64);
	p[64] = 0; /* one byte past the object */
	mmk_dmesg_clear(m);
	kmem_cache_free(s, p);
	assert_true(dmesg_has(m, "Right Redzone overwritten"));
	assert_true(dmesg_has(m, "BUG rz"));
	/* The red zone was restored, the object not freed. */
	assert_bytes(p + 64, 0xcc, 8);
	assert_int_equal(active_objs(m, s), 1);
	assert_check_ok(m);
	/* Freed again with its red zone intact, it goes. */
	mmk_dmesg_clear(m);
	kmem_cache_free(s, p);
	assert_false(dmesg_has(m, "BUG"));
	assert_int_equal(active_objs(m, s), 0);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_debug_left_redzone_overwrite_reported(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("lrz", 64, 0, DEBUG_FZP, NULL);
	unsigned char *p;

	(void)state;
	assert_non_null(s);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(p);
	p[-1] = 0; /* one byte before the object */
	mmk_dmesg_clear(m);
	kmem_cache_free(s, p);
	assert_true(dmesg_has(m, "Left Redzone overwritten"));
	assert_check_ok(m);
	kmem_cache_free(s, p);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_debug_poison_overwrite_reported(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("uaf", 64, 0, DEBUG_FZP, NULL);
	unsigned char *p, *q;

	(void)state;
	assert_non_null(s);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(p);
	kmem_cache_free(s, p);
	p[10] = 0x42; /* use after free */
	mmk_dmesg_clear(m);
	q = kmem_cache_alloc(s, GFP_KERNEL);
	assert_true(dmesg_has(m, "Poison overwritten"));
	assert_true(dmesg_has(m, "BUG uaf"));
	/* The corrupted object is not handed out. */
	assert_non_null(q);
	assert_ptr_not_equal(q, p);
	assert_check_ok(m);
	kmem_cache_free(s, q);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_debug_invalid_pointer_reported(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s =
		kmem_cache_create("inval", 64, 0, DEBUG_FZP, NULL);
	unsigned char *p;

	(void)state;
	assert_non_null(s);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(p);
	mmk_dmesg_clear(m);
	kmem_cache_free(s, p + 8);
	assert_true(dmesg_has(m, "Invalid object pointer"));
	assert_int_equal(active_objs(m, s), 1);
	assert_check_ok(m);
	mmk_dmesg_clear(m);
	kmem_cache_free(s, p);
	assert_false(dmesg_has(m, "BUG"));
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- debug checks as Linux 6.18's SLUB makes them ---- */

/* How many times @needle occurs in the kernel log. */
static int dmesg_count(struct mmk_machine *m, const char *needle)
{
	size_t len = dmesg_len(m) + 1;
	char *buf = malloc(len), *p;
	int n = 0;

	assert_non_null(buf);
	mmk_dmesg(m, buf, len);
	for (p = buf; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	free(buf);
	return n;
}

/* A machine whose every cache gets the slub_debug @letters. */
static struct mmk_machine *boot_slub_debug(const char *letters)
{
	struct mmk_config cfg;

	mmk_config_init(&cfg);
	cfg.mem_bytes = 1ULL << 30;
	cfg.nr_cpus = 2;
	cfg.slub_debug = letters;
	return mmk_test_boot_cfg(&cfg);
}

/* Linux's calculate_sizes(): objects smaller than a pointer keep their
 * free pointer outside, or it would overlay the right red zone (before,
 * every allocation reported every object's red zone and took a new
 * slab). */
static void test_debug_tiny_objects_keep_their_red_zone(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create(
		"tiny", 4, 0, SLAB_RED_ZONE | SLAB_CONSISTENCY_CHECKS, NULL);
	void *a, *b, *c;

	(void)state;
	assert_non_null(s);
	/* 4 rounded to 8 (inuse: 4 of red zone), the free pointer after
	 * it, a red-zone word, the left red zone: 32. */
	assert_int_equal(s->inuse, 8);
	assert_int_equal(s->offset, 8);
	assert_geometry(s, 32, 128, 0);
	mmk_dmesg_clear(m);
	a = kmem_cache_alloc(s, GFP_KERNEL);
	b = kmem_cache_alloc(s, GFP_KERNEL);
	c = kmem_cache_alloc(s, GFP_KERNEL);
	assert_false(dmesg_has(m, "BUG"));
	assert_ptr_equal(virt_to_slab(m, a), virt_to_slab(m, c));
	assert_int_equal(nr_slabs(m, s), 1);
	kmem_cache_free(s, b);
	kmem_cache_free(s, a);
	kmem_cache_free(s, c);
	assert_false(dmesg_has(m, "BUG"));
	assert_check_ok(m);
	assert_int_equal(kmem_cache_destroy(s), 0);
	mmk_shutdown(m);
}

/* A free object's free pointer overwritten: the next free's walk of the
 * list (on_freelist) cuts the chain there, the next allocation of it
 * reports it and gives the slab up; nothing follows the bad pointer
 * (before: SIGSEGV). */
/* A red-zoned cache with consistency checks, of 64-byte objects. */
static struct kmem_cache *checked_cache(const char *name)
{
	struct kmem_cache *s = kmem_cache_create(
		name, 64, 0, SLAB_RED_ZONE | SLAB_CONSISTENCY_CHECKS, NULL);

	assert_non_null(s);
	return s;
}

/* A write after free over free object @obj's free pointer. */
static void smash_free_pointer(struct kmem_cache *s, unsigned char *obj)
{
	unsigned long bad = 0x4141414141414141UL;

	memcpy(obj + s->offset, &bad, sizeof(bad));
}

static void test_debug_corrupt_free_pointer_is_cut(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = checked_cache("fpc");
	unsigned char *a, *b, *c, *d;

	(void)state;
	a = kmem_cache_alloc(s, GFP_KERNEL);
	b = kmem_cache_alloc(s, GFP_KERNEL);
	c = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, a);
	kmem_cache_free(s, b); /* list: b, a, the rest */
	smash_free_pointer(s, b);
	mmk_dmesg_clear(m);
	kmem_cache_free(s, c);
	assert_true(dmesg_has(m, "BUG fpc"));
	assert_true(dmesg_has(m, "Freechain corrupt") ||
		    dmesg_has(m, "Freepointer corrupt"));
	assert_check_ok(m);
	/* The list is c, b now: both handed out again, then a new slab. */
	d = kmem_cache_alloc(s, GFP_KERNEL);
	assert_ptr_equal(d, c);
	d = kmem_cache_alloc(s, GFP_KERNEL);
	assert_ptr_equal(d, b);
	d = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(d);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* The head of the list overwritten: the allocation that takes it
 * reports "Freepointer corrupt", marks the slab's objects used (Linux's
 * FIX line) and takes a new slab; the slab stays off limits. */
static void test_debug_corrupt_head_disables_the_slab(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = checked_cache("fph");
	unsigned char *a, *b, *c, *d;

	(void)state;
	a = kmem_cache_alloc(s, GFP_KERNEL);
	b = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, a);
	smash_free_pointer(s, a);
	mmk_dmesg_clear(m);
	c = kmem_cache_alloc(s, GFP_KERNEL);
	assert_true(dmesg_has(m, "Freepointer corrupt"));
	assert_true(dmesg_has(m, "FIX fph: Marking all objects used"));
	assert_ptr_not_equal(virt_to_slab(m, c), virt_to_slab(m, b));
	assert_int_equal(nr_slabs(m, s), 2);
	assert_check_ok(m);
	/* b's slab takes nothing back. */
	mmk_dmesg_clear(m);
	kmem_cache_free(s, b);
	assert_true(dmesg_has(
		m,
		"Slab disabled since SLUB metadata consistency check failed"));
	assert_true(dmesg_has(m, "not freed"));
	d = kmem_cache_alloc(s, GFP_KERNEL);
	assert_ptr_equal(virt_to_slab(m, d), virt_to_slab(m, c));
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* A write after free redirects a free pointer to an allocated object
 * whose own link is NULL: the list ends before the slab's count says.
 * The allocation that finds the list empty counts the slab again (it is
 * full) and takes a new slab (before: objects from past the slab, one
 * twice). */
static void test_debug_short_freelist_is_counted_again(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s =
		kmem_cache_create("short", 2, 256, SLAB_STORE_USER, NULL);
	void *o[16], *p[4];
	int i, j;

	(void)state;
	assert_non_null(s);
	assert_int_equal(s->objects, 16);
	for (i = 0; i < 16; i++)
		o[i] = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, o[5]);
	kmem_cache_free(s, o[2]);
	kmem_cache_free(s, o[1]); /* o1, o2, o5 */
	/* The link to o2 (at 0x200) now leads to o15 (at 0xf00): the
	 * encoding keeps an XOR an XOR. */
	((unsigned char *)o[1] + s->offset)[1] ^= 0x0d;
	mmk_dmesg_clear(m);
	for (i = 0; i < 4; i++) {
		struct slab *slab;

		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
		slab = virt_to_slab(m, p[i]);
		assert_non_null(slab);
		assert_ptr_equal(slab->slab_cache, s);
		assert_true(obj_index(m, s, slab, p[i]) >= 0);
		for (j = 0; j < i; j++)
			assert_ptr_not_equal(p[i], p[j]);
	}
	assert_true(dmesg_has(m, "Wrong object count"));
	assert_int_equal(nr_slabs(m, s), 2);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* The slab's last free object fails its allocation checks: the slab is
 * given up, and the verifier does not take that object (free, with its
 * free-state red zones) for an allocated one. */
static void test_debug_last_free_object_bad_verifier_ok(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s =
		kmem_cache_create("lastbad", 64, 0, DEBUG_FZP, NULL);
	void *o[64], *x;
	unsigned int i, n;

	(void)state;
	assert_non_null(s);
	n = s->objects;
	assert_true(n <= 64);
	for (i = 0; i < n; i++)
		o[i] = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, o[n - 1]);
	memset((char *)o[n - 1] + s->offset, 0x41, 8);
	mmk_dmesg_clear(m);
	x = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(x);
	assert_true(dmesg_has(m, "Freepointer corrupt"));
	assert_true(dmesg_has(m, "Marking all objects used"));
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* An empty slab discarded (shrink) is checked first, as Linux's
 * free_slab() does with SLAB_CONSISTENCY_CHECKS: a write after free is
 * reported then (before: never). */
static void test_debug_discarded_slab_checked(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s =
		kmem_cache_create("gone", 64, 0, DEBUG_FZP, NULL);
	char *p;

	(void)state;
	assert_non_null(s);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, p);
	p[10] = 0;
	mmk_dmesg_clear(m);
	assert_int_equal(kmem_cache_shrink(s), 0);
	assert_true(dmesg_has(m, "[Poison overwritten]"));
	assert_int_equal(nr_slabs(m, s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* Linux 6.15's check_object(): every region checked, the object's report
 * once, each bad run restored; the free fails with its FIX line. */
static void test_debug_every_bad_region_reported_once(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s =
		kmem_cache_create("both", 64, 0, DEBUG_FZP, NULL);
	unsigned char *p;

	(void)state;
	assert_non_null(s);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	p[-1] = 'y';
	p[64] = 'x';
	p[66] = 'x';
	mmk_dmesg_clear(m);
	kmem_cache_free(s, p);
	assert_int_equal(dmesg_count(m, "BUG both"), 1);
	assert_int_equal(dmesg_count(m, "Object corrupt"), 1);
	assert_true(dmesg_has(m, "[Left Redzone overwritten]"));
	assert_true(dmesg_has(m, "[Right Redzone overwritten]"));
	assert_true(dmesg_has(m, "FIX both: Restoring Left Redzone"));
	assert_true(dmesg_has(m, "FIX both: Restoring Right Redzone"));
	assert_true(dmesg_has(m, "not freed"));
	/* The run ends at the last wrong byte: p + 64 .. p + 66. */
	{
		char want[96];

		snprintf(want, sizeof want, "0x%lx-0x%lx @offset",
			 mmk_kaddr(p + 64), mmk_kaddr(p + 66));
		assert_true(dmesg_has(m, want));
	}
	assert_bytes(p - 8, 0xcc, 8);
	assert_bytes(p + 64, 0xcc, 8);
	assert_int_equal(active_objs(m, s), 1);
	assert_check_ok(m);
	kmem_cache_free(s, p);
	assert_int_equal(active_objs(m, s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* The report's trailer as Linux prints it: the slab and object lines,
 * then hex dumps of the red zones, the object and the padding. */
static void test_debug_report_dumps_the_object(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s =
		kmem_cache_create("dump", 16, 0, DEBUG_FZP, NULL);
	unsigned char *p;
	char want[128];

	(void)state;
	assert_non_null(s);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	memcpy(p, "mmkit's object!", 16);
	p[16] = 0;
	mmk_dmesg_clear(m);
	kmem_cache_free(s, p);
	snprintf(
		want, sizeof want,
		"Object   %016lx: 6d 6d 6b 69 74 27 73 20 6f 62 6a 65 63 74 21 00  mmkit's object!.",
		mmk_kaddr(p));
	assert_true(dmesg_has(m, want));
	snprintf(
		want, sizeof want,
		"Redzone  %016lx: 00 cc cc cc cc cc cc cc                          ........",
		mmk_kaddr(p + 16));
	assert_true(dmesg_has(m, want));
	assert_true(dmesg_has(m, "Padding  "));
	assert_true(dmesg_has(m, "node=0|zone="));
	kmem_cache_free(s, p);
	mmk_shutdown(m);
}

/* A write after free found on allocation: the slab's free objects are
 * abandoned (Linux: "Marking all objects used"), the verifier still
 * passes. */
static void test_debug_bad_alloc_gives_the_slab_up(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s =
		kmem_cache_create("giveup", 64, 0, DEBUG_FZP, NULL);
	unsigned char *p, *q, *r;

	(void)state;
	assert_non_null(s);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	q = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, p);
	p[10] = 0x42;
	mmk_dmesg_clear(m);
	r = kmem_cache_alloc(s, GFP_KERNEL);
	assert_true(dmesg_has(m, "[Poison overwritten]"));
	assert_true(dmesg_has(m, "FIX giveup: Marking all objects used"));
	assert_ptr_not_equal(virt_to_slab(m, r), virt_to_slab(m, q));
	/* Every object of the first slab counts as used now. */
	assert_int_equal(active_objs(m, s), s->objects + 1);
	assert_check_ok(m);
	kmem_cache_free(s, r);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* check (the verifier) sees what validate would: red zones of allocated
 * objects, poison of free ones (before: "ok"). */
static void test_verifier_sees_red_zones(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("vrz", 64, 0, DEBUG_FZP, NULL);
	unsigned char *p, *q;

	(void)state;
	assert_non_null(s);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	q = kmem_cache_alloc(s, GFP_KERNEL);
	assert_check_ok(m);
	p[64] = 'x';
	assert_check_fails(m, "Right Redzone overwritten");
	p[64] = 0xcc;
	p[-1] = 'y';
	assert_check_fails(m, "Left Redzone overwritten");
	p[-1] = 0xcc;
	kmem_cache_free(s, q);
	q[3] = 1;
	assert_check_fails(m, "free object");
	q[3] = 0x6b;
	assert_check_ok(m);
	kmem_cache_free(s, p);
	mmk_shutdown(m);
}

/* A double free the CPU array's last-entry test misses (a, b, a): the
 * verifier finds the object in the arrays twice (before: "ok", then two
 * owners and an underflowed count). */
static void test_verifier_sees_an_object_cached_twice(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("twice", 64, 0, 0, NULL);
	void *a, *b;

	(void)state;
	assert_non_null(s);
	a = kmem_cache_alloc(s, GFP_KERNEL);
	b = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, a);
	kmem_cache_free(s, b);
	assert_check_ok(m);
	kmem_cache_free(s, a);
	assert_check_fails(m, "arrays twice");
	mmk_shutdown(m);
}

/* kmem_cache_destroy() with objects left lists those of partial slabs,
 * as Linux's list_slab_objects(). */
static void test_destroy_lists_remaining_objects(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("leaky", 64, 0, 0, NULL);
	void *p[3];
	char want[64];
	int i;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < 3; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, p[1]);
	mmk_dmesg_clear(m);
	assert_int_equal(kmem_cache_destroy(s), -EBUSY);
	assert_int_equal(
		dmesg_count(m, "Objects remaining on __kmem_cache_shutdown()"),
		1);
	snprintf(want, sizeof want, "Object 0x%lx @offset=", mmk_kaddr(p[0]));
	assert_true(dmesg_has(m, want));
	snprintf(want, sizeof want, "Object 0x%lx @offset=", mmk_kaddr(p[2]));
	assert_true(dmesg_has(m, want));
	snprintf(want, sizeof want, "Object 0x%lx @offset=", mmk_kaddr(p[1]));
	assert_false(dmesg_has(m, want));
	assert_true(dmesg_has(m, "Slab cache still has objects"));
	kmem_cache_free(s, p[0]);
	kmem_cache_free(s, p[2]);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* slub_debug=ZU: kmalloc caches keep the requested size and red-zone the
 * rest of the object (Linux 6.2's kmalloc redzone); ksize() gives the
 * whole object back, krealloc() moves the boundary. */
static void test_kmalloc_redzone_after_requested_size(void **state)
{
	struct mmk_machine *m = boot_slub_debug("FZU");
	unsigned char *p;

	(void)state;
	/* 64 + 8 red zone, the free pointer outside (the requested size is
	 * kept), two tracks, the size, a red-zone word, a left red zone of
	 * the 64-byte alignment: 220, aligned to 256. */
	assert_geometry(kmalloc_cache(m, KMALLOC_NORMAL, 6), 256, 16, 0);
	p = kmalloc(60, GFP_KERNEL);
	assert_non_null(p);
	assert_bytes(p + 60, 0xcc, 4);
	p[62] = 'x';
	mmk_dmesg_clear(m);
	kfree(p);
	assert_true(dmesg_has(m, "[kmalloc Redzone overwritten]"));
	assert_true(dmesg_has(m, "not freed"));
	kfree(p);
	/* kzalloc zeroes what was asked for, not the red zone. */
	p = kzalloc(60, GFP_KERNEL);
	assert_bytes(p, 0, 60);
	assert_bytes(p + 60, 0xcc, 4);
	/* ksize: all 64 bytes are the caller's. */
	assert_int_equal(ksize(p), 64);
	memset(p, 1, 64);
	mmk_dmesg_clear(m);
	p = krealloc(p, 40, GFP_KERNEL);
	assert_bytes(p + 40, 0xcc, 24);
	p[41] = 2;
	kfree(p);
	assert_true(dmesg_has(m, "[kmalloc Redzone overwritten]"));
	kfree(p);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* SLUB merges a cache asking for cache-line alignment into one of the
 * same size whose objects are aligned anyway; min_partial is ilog2/2. */
static void test_merge_and_min_partial_as_slub(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *a = kmem_cache_create("merge-a", 64, 0, 0, NULL);
	struct kmem_cache *b =
		kmem_cache_create("merge-b", 64, 0, SLAB_HWCACHE_ALIGN, NULL);
	struct kmem_cache *c = kmem_cache_create("big-2k", 2048, 0, 0, NULL);
	struct kmem_cache *d = kmem_cache_create("big-8k", 8192, 0, 0, NULL);

	(void)state;
	assert_ptr_equal(a, b);
	assert_int_equal(a->refcount, 2);
	assert_int_equal(c->min_partial, 5);
	assert_int_equal(d->min_partial, 6);
	assert_int_equal(kmem_cache_destroy(b), 0);
	assert_int_equal(kmem_cache_destroy(a), 0);
	assert_int_equal(kmem_cache_destroy(c), 0);
	assert_int_equal(kmem_cache_destroy(d), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* slub_debug=P: the slab's padding holds POISON_INUSE; a write there is
 * reported ("Padding overwritten") and restored. */
static void test_debug_slab_padding_checked(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create(
		"pad", 1000, 0, SLAB_POISON | SLAB_CONSISTENCY_CHECKS, NULL);
	unsigned char *p, *end;
	struct slab *slab;

	(void)state;
	assert_non_null(s);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	slab = virt_to_slab(m, p);
	end = (unsigned char *)page_address(slab_page(slab)) +
	      (PAGE_SIZE << compound_order(slab_page(slab)));
	assert_int_equal(end[-1], 0x5a);
	end[-1] = 0;
	mmk_dmesg_clear(m);
	kmem_cache_free(s, p);
	assert_true(dmesg_has(m, "Padding overwritten"));
	assert_true(dmesg_has(m, "FIX pad: Restoring slab padding"));
	assert_int_equal(end[-1], 0x5a);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_plain_cache_double_free_reported(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("plain-dbl", 64, 0, 0, NULL);
	void *p, *a, *b;

	(void)state;
	assert_non_null(s);
	assert_false(s->debug);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(p);
	kmem_cache_free(s, p);
	mmk_dmesg_clear(m);
	kmem_cache_free(s, p);
	assert_true(dmesg_has(m, "Object already free"));
	assert_check_ok(m);
	/* The object is in the per-CPU array once: handed out once. */
	a = kmem_cache_alloc(s, GFP_KERNEL);
	b = kmem_cache_alloc(s, GFP_KERNEL);
	assert_ptr_equal(a, p);
	assert_ptr_not_equal(b, a);
	kmem_cache_free(s, a);
	kmem_cache_free(s, b);
	/* kfree of an interior pointer of a kmalloc object. */
	a = kmalloc(64, GFP_KERNEL);
	mmk_dmesg_clear(m);
	kfree((char *)a + 8);
	assert_true(dmesg_has(m, "Invalid object pointer"));
	kfree(a);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- refused creations ---- */

static void test_refused_cache_creations(void **state)
{
	struct mmk_machine *m = boot_small();

	(void)state;
	mmk_dmesg_clear(m);
	assert_null(
		kmem_cache_create("rcu", 64, 0, SLAB_TYPESAFE_BY_RCU, NULL));
	assert_true(dmesg_has(m, "SLAB_TYPESAFE_BY_RCU"));
	assert_true(dmesg_has(m, "__kmem_cache_create_args(rcu) failed"));
	assert_null(kmem_cache_create("zero", 0, 0, 0, NULL));
	assert_true(dmesg_has(m, "__kmem_cache_create_args(zero) failed"));
	assert_null(kmem_cache_create("unknown", 64, 0, 0x80000000U, NULL));
	assert_true(dmesg_has(m, "__kmem_cache_create_args(unknown) failed"));
	assert_null(kmem_cache_create("badalign", 64, 24, 0, NULL));
	assert_null(kmem_cache_create("", 64, 0, 0, NULL));
	assert_null(kmem_cache_create(NULL, 64, 0, 0, NULL));
	assert_false(slabinfo_line(m, "rcu", NULL, 0));
	assert_false(slabinfo_line(m, "zero", NULL, 0));
	assert_false(slabinfo_line(m, "unknown", NULL, 0));
	assert_false(slabinfo_line(m, "badalign", NULL, 0));
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- fault injection, bulk ---- */

static void test_failslab_fails_exactly_nth(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("failme", 64, 0, 0, NULL);
	void *p[4];
	int i;

	(void)state;
	assert_non_null(s);
	assert_int_equal(
		mmk_fail_set(m, MMK_FAIL_SLAB,
			     &(struct mmk_fail_attr){ .nth = 2, .times = 1 }),
		0);
	for (i = 0; i < 4; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(p[0]);
	assert_null(p[1]);
	assert_non_null(p[2]);
	assert_non_null(p[3]);
	assert_int_equal(mmk_fail_count(m, MMK_FAIL_SLAB), 1);
	/* kmalloc is a slab allocation too. */
	assert_int_equal(
		mmk_fail_set(m, MMK_FAIL_SLAB,
			     &(struct mmk_fail_attr){ .nth = 2, .times = 1 }),
		0);
	p[1] = kmalloc(100, GFP_KERNEL);
	assert_non_null(p[1]);
	assert_null(kmalloc(100, GFP_KERNEL));
	kfree(p[1]);
	/* __GFP_NOFAIL is not eligible. */
	assert_int_equal(
		mmk_fail_set(m, MMK_FAIL_SLAB,
			     &(struct mmk_fail_attr){ .nth = 1, .times = -1 }),
		0);
	p[1] = kmem_cache_alloc(s, GFP_KERNEL | __GFP_NOFAIL);
	assert_non_null(p[1]);
	assert_null(kmem_cache_alloc(s, GFP_KERNEL));
	assert_true(atomic_load(&s->alloc_slow));
	assert_int_equal(mmk_fail_set(m, MMK_FAIL_SLAB, NULL), 0);
	assert_false(atomic_load(&s->alloc_slow));
	for (i = 0; i < 4; i++)
		kmem_cache_free(s, p[i]);
	assert_int_equal(kmem_cache_destroy(s), 0);
	/* A cache created while a plan is active obeys it from its first
	 * allocation on (the plan names it, so that creating it succeeds). */
	assert_int_equal(
		mmk_fail_set(m, MMK_FAIL_SLAB,
			     &(struct mmk_fail_attr){ .nth = 1,
						      .times = -1,
						      .cache = "failme2" }),
		0);
	s = kmem_cache_create("failme2", 64, 0, 0, NULL);
	assert_non_null(s);
	assert_true(atomic_load(&s->alloc_slow));
	assert_null(kmem_cache_alloc(s, GFP_KERNEL));
	assert_int_equal(mmk_fail_set(m, MMK_FAIL_SLAB, NULL), 0);
	p[0] = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(p[0]);
	kmem_cache_free(s, p[0]);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_alloc_bulk_is_all_or_nothing(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("bulk-fail", 1000, 0, 0, NULL);
	struct kmem_cache *d =
		kmem_cache_create("bulk-fail-dbg", 1000, 0, DEBUG_FZP, NULL);
	void *p[40];
	unsigned long before;

	(void)state;
	assert_non_null(s);
	assert_non_null(d);
	before = free_pages_now(m);
	/* failslab is asked once per bulk call, as in Linux: it fails the
	 * whole call. */
	assert_int_equal(
		mmk_fail_set(m, MMK_FAIL_SLAB,
			     &(struct mmk_fail_attr){ .nth = 1, .times = 1 }),
		0);
	assert_int_equal(kmem_cache_alloc_bulk(s, GFP_KERNEL, 40, p), 0);
	assert_int_equal(mmk_fail_count(m, MMK_FAIL_SLAB), 1);
	assert_int_equal(mmk_fail_set(m, MMK_FAIL_SLAB, NULL), 0);
	/* A failure half way (the second slab's pages cannot be had) gives
	 * back what was already taken. */
	assert_int_equal(
		mmk_fail_set(m, MMK_FAIL_PAGE_ALLOC,
			     &(struct mmk_fail_attr){ .nth = 2, .times = -1 }),
		0);
	assert_int_equal(kmem_cache_alloc_bulk(s, GFP_KERNEL, 40, p), 0);
	assert_true(mmk_fail_count(m, MMK_FAIL_PAGE_ALLOC) >= 1);
	assert_int_equal(mmk_fail_set(m, MMK_FAIL_PAGE_ALLOC, NULL), 0);
	/* Everything allocated was given back: once the per-CPU array is
	 * flushed, no object is in use and every page is free again. */
	assert_int_equal(kmem_cache_shrink(s), 0);
	assert_int_equal(active_objs(m, s), 0);
	assert_int_equal(free_pages_now(m), before);
	/* A debug cache has no per-CPU array: nothing in use at once. */
	assert_int_equal(
		mmk_fail_set(m, MMK_FAIL_SLAB,
			     &(struct mmk_fail_attr){ .nth = 30, .times = 1 }),
		0);
	assert_int_equal(kmem_cache_alloc_bulk(d, GFP_KERNEL, 40, p), 0);
	assert_int_equal(active_objs(m, d), 0);
	assert_int_equal(mmk_fail_set(m, MMK_FAIL_SLAB, NULL), 0);
	assert_int_equal(kmem_cache_shrink(d), 0);
	assert_int_equal(free_pages_now(m), before);
	/* Without the plan, the same bulk succeeds. */
	assert_int_equal(kmem_cache_alloc_bulk(d, GFP_KERNEL, 40, p), 40);
	assert_int_equal(active_objs(m, d), 40);
	kmem_cache_free_bulk(d, 40, p);
	assert_int_equal(active_objs(m, d), 0);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_int_equal(kmem_cache_destroy(d), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a;
	uintptr_t y = (uintptr_t) * (void *const *)b;

	return x < y ? -1 : x > y;
}

static void test_alloc_bulk_of_1000(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("bulk64", 64, 0, 0, NULL);
	enum { N = 1000 };
	void **p = calloc(N, sizeof(*p));
	void **sorted = calloc(N, sizeof(*sorted));
	unsigned long before;
	int i;

	(void)state;
	assert_non_null(s);
	assert_non_null(p);
	assert_non_null(sorted);
	before = free_pages_now(m);
	assert_int_equal(kmem_cache_alloc_bulk(s, GFP_KERNEL, N, p), N);
	for (i = 0; i < N; i++) {
		struct slab *slab = virt_to_slab(m, p[i]);

		assert_non_null(slab);
		assert_ptr_equal(slab->slab_cache, s);
		assert_int_equal((slab_offset(m, p[i]) - slab->colour) % 64, 0);
		memset(p[i], i & 0xff, 64);
	}
	memcpy(sorted, p, N * sizeof(*p));
	qsort(sorted, N, sizeof(*sorted), cmp_ptr);
	for (i = 1; i < N; i++)
		assert_true((uintptr_t)sorted[i - 1] + 64 <=
			    (uintptr_t)sorted[i]);
	for (i = 0; i < N; i++)
		assert_bytes(p[i], i & 0xff, 64);
	/* 1000 objects of 64 per slab: 16 slabs. */
	assert_int_equal(nr_slabs(m, s), 16);
	assert_true(active_objs(m, s) >= 1000);
	kmem_cache_free_bulk(s, N, p);
	assert_int_equal(kmem_cache_shrink(s), 0);
	assert_int_equal(active_objs(m, s), 0);
	assert_int_equal(free_pages_now(m), before);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	free(p);
	free(sorted);
	mmk_shutdown(m);
}

/* __slab_free_bulk_remote() passes this CPU's array by: the objects go
 * to the node's shared array, and what it has no room for back to the
 * slabs, where __slab_free_bulk() would have filled the array first. */
static void test_free_bulk_remote_skips_cpu_array(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("remote64", 64, 0, 0, NULL);
	struct kmem_cache_node *node;
	struct array_cache *ac;
	enum { N = 2000 };
	void **p = calloc(N, sizeof(*p));
	unsigned int avail, shared, active;

	(void)state;
	assert_non_null(s);
	assert_non_null(p);
	node = s->node[0];
	assert_int_equal(kmem_cache_alloc_bulk(s, GFP_KERNEL, N, p), N);
	ac = (struct array_cache *)(mmk_ctx.pcpu_base + s->cpu_array);
	avail = ac->avail;
	shared = node->shared_avail;
	active = (unsigned int)active_objs(m, s);
	assert_true(avail + 10 <= ac->limit);
	assert_true(s->shared_limit > 0 && s->shared_limit < N - 20);

	__slab_free_bulk_remote(m, s, 10, p);
	assert_int_equal(ac->avail, avail);
	assert_int_equal(node->shared_avail, shared + 10);
	assert_check_ok(m);
	/* The plain call fills the array first. */
	__slab_free_bulk(m, s, 10, p + 10);
	assert_int_equal(ac->avail, avail + 10);
	assert_int_equal(node->shared_avail, shared + 10);
	/* Past the shared array's room: to the slabs, no longer active. */
	__slab_free_bulk_remote(m, s, N - 20, p + 20);
	assert_int_equal(ac->avail, avail + 10);
	assert_int_equal(node->shared_avail, s->shared_limit);
	assert_int_equal(active_objs(m, s),
			 active - (N - 20) + (s->shared_limit - shared - 10));
	assert_check_ok(m);
	assert_int_equal(kmem_cache_shrink(s), 0);
	assert_int_equal(active_objs(m, s), 0);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	free(p);
	mmk_shutdown(m);
}

/* A machine that brings its CPUs up on demand keeps no objects in the
 * shared arrays while one CPU is online: they would only keep them from
 * their slabs. Once a second CPU is up, they pass objects between CPUs. */
static void test_shared_array_needs_two_online_cpus(void **state)
{
	struct mmk_config cfg;
	struct mmk_machine *m;
	struct kmem_cache *s;
	enum { N = 200 };
	void *p[N];
	unsigned long active;

	(void)state;
	mmk_config_init(&cfg);
	cfg.nr_cpus = 4;
	cfg.cpus_on_demand = true;
	m = mmk_boot(&cfg);
	assert_non_null(m);
	s = kmem_cache_create("solo64", 64, 0, 0, NULL);
	assert_non_null(s);
	assert_true(s->shared_limit >= 20);
	assert_int_equal(kmem_cache_alloc_bulk(s, GFP_KERNEL, N, p), N);
	active = active_objs(m, s);
	/* One CPU online: past the array, straight back to the slabs. */
	__slab_free_bulk_remote(m, s, 10, p);
	assert_int_equal(s->node[0]->shared_avail, 0);
	assert_int_equal(active_objs(m, s), active - 10);
	assert_check_ok(m);
	/* A second CPU comes up: the shared array takes them. */
	assert_int_equal(mmk_set_cpu(1), 0);
	__slab_free_bulk_remote(m, s, 10, p + 10);
	assert_int_equal(s->node[0]->shared_avail, 10);
	assert_int_equal(active_objs(m, s), active - 10);
	assert_check_ok(m);
	kmem_cache_free_bulk(s, N - 20, p + 20);
	assert_int_equal(kmem_cache_shrink(s), 0);
	assert_int_equal(active_objs(m, s), 0);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- NUMA ---- */

static void test_alloc_node_on_two_nodes(void **state)
{
	struct mmk_machine *m = boot_with(512ULL << 20, 2, 2);
	struct kmem_cache *s = kmem_cache_create("nodes", 200, 0, 0, NULL);
	void *objs[8];
	int nid, i;

	(void)state;
	assert_non_null(s);
	for (nid = 0; nid < 2; nid++) {
		objs[nid * 4 + 0] = kmalloc_node(100, GFP_KERNEL, nid);
		objs[nid * 4 + 1] = kmalloc_node(20000, GFP_KERNEL, nid);
		objs[nid * 4 + 2] = kmem_cache_alloc_node(s, GFP_KERNEL, nid);
		objs[nid * 4 + 3] = kmalloc_node(8192, GFP_KERNEL, nid);
		for (i = 0; i < 4; i++) {
			assert_non_null(objs[nid * 4 + i]);
			assert_int_equal(
				page_to_nid(virt_to_page(objs[nid * 4 + i])),
				nid);
		}
	}
	/* CPU 1 is on node 1: its plain allocations are node-local, and
	 * it may still ask for node 0. */
	assert_int_equal(mmk_set_cpu(1), 0);
	{
		void *a = kmalloc(100, GFP_KERNEL);
		void *b = kmem_cache_alloc(s, GFP_KERNEL);
		void *c = kmem_cache_alloc_node(s, GFP_KERNEL, 0);

		assert_int_equal(page_to_nid(virt_to_page(a)), 1);
		assert_int_equal(page_to_nid(virt_to_page(b)), 1);
		assert_int_equal(page_to_nid(virt_to_page(c)), 0);
		kfree(a);
		kmem_cache_free(s, b);
		kmem_cache_free(s, c);
	}
	/* Freed from the other node's CPU. */
	for (i = 0; i < 8; i++) {
		if (i % 4 == 2)
			kmem_cache_free(s, objs[i]);
		else
			kfree(objs[i]);
	}
	assert_int_equal(mmk_set_cpu(0), 0);
	assert_check_ok(m);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_alloc_node_after_remote_free_stays_on_node(void **state)
{
	struct mmk_machine *m = boot_with(512ULL << 20, 2, 2);
	struct kmem_cache *s = kmem_cache_create("nodes2", 200, 0, 0, NULL);
	int kmalloc_nid, cache_nid;
	void *p, *q;

	(void)state;
	assert_non_null(s);
	assert_int_equal(mmk_get_cpu(), 0); /* CPU 0 is on node 0 */
	/* CPU 0 frees a node-1 object, then asks explicitly for node 0:
	 * it must get node-0 memory (SLAB keeps remote frees out of the
	 * local array with its alien caches; SLUB checks node_match()). */
	p = kmalloc_node(100, GFP_KERNEL, 1);
	assert_int_equal(page_to_nid(virt_to_page(p)), 1);
	kfree(p);
	q = kmalloc_node(100, GFP_KERNEL, 0);
	assert_non_null(q);
	kmalloc_nid = page_to_nid(virt_to_page(q));
	kfree(q);
	p = kmem_cache_alloc_node(s, GFP_KERNEL, 1);
	assert_int_equal(page_to_nid(virt_to_page(p)), 1);
	kmem_cache_free(s, p);
	q = kmem_cache_alloc_node(s, GFP_KERNEL, 0);
	assert_non_null(q);
	cache_nid = page_to_nid(virt_to_page(q));
	kmem_cache_free(s, q);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
	/* Asserted after shutdown, so that a failure leaks nothing. */
	assert_int_equal(kmalloc_nid, 0);
	assert_int_equal(cache_nid, 0);
}

/* ---- slab order fallback ---- */

/* Alignments above a page, as Linux allows: objects aligned to 1 MiB in
 * slabs that are buddy blocks aligned to their size; one whose object
 * (alignment or debug padding included) no buddy block holds is EINVAL. */
static void test_alignment_above_a_page(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("mib", 64, 1 << 20, 0, NULL);
	void *o[3];
	int i;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < 3; i++) {
		o[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(o[i]);
		assert_int_equal(mmk_kaddr(o[i]) % (1 << 20), 0);
	}
	for (i = 0; i < 3; i++)
		kmem_cache_free(s, o[i]);
	assert_int_equal(kmem_cache_destroy(s), 0);
	errno = 0;
	assert_null(kmem_cache_create("too", 64, 8 << 20, 0, NULL));
	assert_int_equal(errno, EINVAL);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_slab_falls_back_to_smaller_order(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create("fallback", 1000, 0, 0, NULL);
	unsigned long before;
	struct slab *slab;
	void *objs[5];
	int i;

	(void)state;
	assert_non_null(s);
	assert_geometry(s, 1000, 16, 2);
	before = free_pages_now(m);
	/* The order-2 slab fails; the cache falls back to the smallest
	 * order holding one object: a page of 4. */
	assert_int_equal(
		mmk_fail_set(m, MMK_FAIL_PAGE_ALLOC,
			     &(struct mmk_fail_attr){
				     .nth = 1, .times = 1, .min_order = 1 }),
		0);
	objs[0] = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(objs[0]);
	assert_int_equal(mmk_fail_count(m, MMK_FAIL_PAGE_ALLOC), 1);
	assert_int_equal(mmk_fail_set(m, MMK_FAIL_PAGE_ALLOC, NULL), 0);
	slab = virt_to_slab(m, objs[0]);
	assert_int_equal(slab->objects, 4);
	assert_int_equal(slab->colour, 0);
	assert_false(PageHead(slab_page(slab)));
	assert_int_equal(free_pages_now(m), before - 1);
	for (i = 1; i < 4; i++)
		assert_ptr_equal(virt_to_slab(m, objs[i] = kmem_cache_alloc(
							 s, GFP_KERNEL)),
				 slab);
	assert_check_ok(m);
	/* The next slab has the normal order again. */
	objs[4] = kmem_cache_alloc(s, GFP_KERNEL);
	assert_int_equal(virt_to_slab(m, objs[4])->objects, 16);
	assert_int_equal(free_pages_now(m), before - 5);
	for (i = 0; i < 5; i++)
		kmem_cache_free(s, objs[i]);
	assert_int_equal(kmem_cache_shrink(s), 0);
	assert_int_equal(free_pages_now(m), before);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* kmem_cache_claim_slab() never claims a slab of a fallback order: the
 * slab map has no entries for it, and a lender's slab must have them
 * (libmmkit-malloc.so's frees of borrowed space find their way by the
 * map). The slab moves to the partial list's head; the next claim takes
 * the slab of the cache's order behind it. */
static void test_claim_slab_skips_a_fallback_slab(void **state)
{
	struct mmk_machine *m = boot_small();
	struct kmem_cache *s = kmem_cache_create(
		"lender", 1000, 0, SLAB_KMALLOC | SLAB_NO_MERGE, NULL);
	void *full[16], *low[4], *out[16];
	unsigned int i, got;

	(void)state;
	assert_non_null(s);
	assert_geometry(s, 1000, 16, 2);
	for (i = 0; i < 16; i++) {
		full[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(full[i]);
	}
	assert_int_equal(
		mmk_fail_set(m, MMK_FAIL_PAGE_ALLOC,
			     &(struct mmk_fail_attr){
				     .nth = 1, .times = 1, .min_order = 1 }),
		0);
	for (i = 0; i < 4; i++) {
		low[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(low[i]);
	}
	assert_int_equal(mmk_fail_set(m, MMK_FAIL_PAGE_ALLOC, NULL), 0);
	assert_int_equal(virt_to_slab(m, low[0])->objects, 4);
	/* Both sparse: the order-2 slab at the list's tail (freed from
	 * first), the fallback slab at its head. */
	for (i = 1; i < 16; i++)
		kmem_cache_free(s, full[i]);
	for (i = 1; i < 4; i++)
		kmem_cache_free(s, low[i]);
	assert_int_equal(kmem_cache_shrink(s), 1);
	/* Put the fallback slab at the tail: claim the order-2 one, give
	 * its objects back (they return it to the head). */
	got = kmem_cache_claim_slab(m, s, 0, 1, out);
	assert_int_equal(got, 15);
	assert_ptr_equal(virt_to_slab(m, out[0]), virt_to_slab(m, full[0]));
	kmem_cache_free_bulk(s, got, out);
	assert_int_equal(kmem_cache_shrink(s), 1);
	assert_int_equal(active_objs(m, s), 2);
	/* The tail is the fallback slab now: nothing claimed, and it moves
	 * to the head; the order-2 slab behind it is claimed next. */
	assert_int_equal(kmem_cache_claim_slab(m, s, 0, 1, out), 0);
	assert_int_equal(active_objs(m, s), 2);
	assert_check_ok(m);
	got = kmem_cache_claim_slab(m, s, 0, 1, out);
	assert_int_equal(got, 15);
	assert_ptr_equal(virt_to_slab(m, out[0]), virt_to_slab(m, full[0]));
	kmem_cache_free_bulk(s, got, out);
	kmem_cache_free(s, full[0]);
	kmem_cache_free(s, low[0]);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* ---- random sequences ---- */

struct live_obj {
	void *p;
	size_t size;
	struct kmem_cache *s; /* NULL: kmalloc */
	unsigned char tag;
};

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	uint64_t x = rnd_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rnd_state = x;
	return x;
}

static void random_ops(uint64_t seed, int nops)
{
	struct mmk_machine *m = boot_small();
	enum { MAX_LIVE = 400 };
	struct kmem_cache *caches[4];
	static const unsigned int csize[4] = { 200, 150, 64, 1000 };
	struct live_obj *live = calloc(MAX_LIVE, sizeof(*live));
	unsigned char tag = 0;
	int nlive = 0, op, i;

	assert_non_null(live);
	rnd_state = seed;
	caches[0] = kmem_cache_create("rnd-plain", 200, 0, 0, NULL);
	caches[1] = kmem_cache_create("rnd-debug", 150, 0,
				      DEBUG_FZP | SLAB_STORE_USER, NULL);
	caches[2] = kmem_cache_create("rnd-ctor", 64, 0, 0, nop_ctor);
	caches[3] =
		kmem_cache_create("rnd-hw", 1000, 0, SLAB_HWCACHE_ALIGN, NULL);
	for (i = 0; i < 4; i++)
		assert_non_null(caches[i]);
	mmk_dmesg_clear(m);
	for (op = 0; op < nops; op++) {
		unsigned int r = (unsigned int)(rnd() % 100);

		if (r < 45 && nlive < MAX_LIVE) {
			struct live_obj *o = &live[nlive];
			unsigned int kind = (unsigned int)(rnd() % 6);

			if (kind < 2) {
				o->s = caches[rnd() % 4];
				o->size = csize[o->s == caches[0] ? 0 :
						o->s == caches[1] ? 1 :
						o->s == caches[2] ? 2 :
								    3];
				o->p = kind ? kmem_cache_zalloc(o->s,
								GFP_KERNEL) :
					      kmem_cache_alloc(o->s,
							       GFP_KERNEL);
			} else {
				o->s = NULL;
				o->size = 1 + rnd() % 10000;
				o->p = kind == 5 ?
					       kzalloc(o->size, GFP_KERNEL) :
					       kmalloc(o->size, GFP_KERNEL);
			}
			assert_non_null(o->p);
			if (kind == 1 || kind == 5)
				assert_bytes(o->p, 0, o->size);
			o->tag = ++tag;
			memset(o->p, o->tag, o->size);
			nlive++;
		} else if (r < 85 && nlive) {
			i = (int)(rnd() % (unsigned int)nlive);
			assert_bytes(live[i].p, live[i].tag, live[i].size);
			if (live[i].s)
				kmem_cache_free(live[i].s, live[i].p);
			else
				kfree(live[i].p);
			live[i] = live[--nlive];
		} else if (r < 92) {
			assert_int_equal(mmk_set_cpu((int)(rnd() % 2)), 0);
		} else if (r < 97 && nlive) {
			i = (int)(rnd() % (unsigned int)nlive);
			if (!live[i].s) {
				size_t n = 1 + rnd() % 10000;
				void *q = krealloc(live[i].p, n, GFP_KERNEL);

				assert_non_null(q);
				assert_bytes(q, live[i].tag,
					     n < live[i].size ? n :
								live[i].size);
				live[i].p = q;
				live[i].size = n;
				memset(q, live[i].tag, n);
			}
		} else {
			struct kmem_cache *c = caches[rnd() % 4];
			int ret = kmem_cache_shrink(c);

			/* 1 while slabs remain. */
			assert_int_equal(ret, nr_slabs(m, c) != 0);
		}
		if (op % 16 == 15)
			assert_check_ok(m);
	}
	while (nlive) {
		nlive--;
		assert_bytes(live[nlive].p, live[nlive].tag, live[nlive].size);
		if (live[nlive].s)
			kmem_cache_free(live[nlive].s, live[nlive].p);
		else
			kfree(live[nlive].p);
	}
	assert_check_ok(m);
	for (i = 0; i < 4; i++)
		assert_int_equal(kmem_cache_destroy(caches[i]), 0);
	assert_false(dmesg_has(m, "BUG"));
	assert_false(dmesg_has(m, "WARNING"));
	assert_check_ok(m);
	assert_int_equal(mmk_set_cpu(0), 0);
	free(live);
	mmk_shutdown(m);
}

static void test_random_sequences_keep_invariants(void **state)
{
	(void)state;
	random_ops(0x9e3779b97f4a7c15ULL, 4000);
	random_ops(12345, 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmalloc_cache_geometry_on_two_cpus),
		cmocka_unit_test(test_hwcache_align_rounds_100_bytes_to_128),
		cmocka_unit_test(test_ctor_moves_free_pointer_after_object),
		cmocka_unit_test(test_debug_cache_layout_red_zones_and_poison),
		cmocka_unit_test(test_slabinfo_line_after_three_allocations),
		cmocka_unit_test(test_slab_page_type_names_cpu_array),
		cmocka_unit_test(test_new_slab_keeps_a_fresh_tail),
		cmocka_unit_test(test_obj_index_is_exact),
		cmocka_unit_test(test_kmalloc_size_classes),
		cmocka_unit_test(test_ksize_reports_size_class),
		cmocka_unit_test(test_kmalloc_zero_and_kfree_null),
		cmocka_unit_test(test_large_kmalloc_goes_to_page_allocator),
		cmocka_unit_test(test_kmalloc_dma_comes_from_zone_dma),
		cmocka_unit_test(test_kmalloc_reclaimable_counts_sreclaimable),
		cmocka_unit_test(test_kmalloc_types_on_demand),
		cmocka_unit_test(test_kmalloc_array_overflow_and_zeroing),
		cmocka_unit_test(test_kmalloc_above_max_size_fails),
		cmocka_unit_test(test_krealloc_in_place_and_moving),
		cmocka_unit_test(test_krealloc_null_allocates_zero_frees),
		cmocka_unit_test(
			test_ctor_runs_once_per_object_at_slab_creation),
		cmocka_unit_test(test_slabs_are_coloured_in_turn),
		cmocka_unit_test(test_kmalloc_caches_are_not_coloured),
		cmocka_unit_test(test_shrink_returns_empty_slabs),
		cmocka_unit_test(test_slab_map_tracks_slabs),
		cmocka_unit_test(test_claim_slab_takes_a_sparse_slab),
		cmocka_unit_test(test_destroy_with_live_objects_is_busy),
		cmocka_unit_test(test_destroy_empty_cache_returns_every_page),
		cmocka_unit_test(test_cpu_array_slots_are_packed_percpu),
		cmocka_unit_test(test_percpu_area_exhaustion_fails_cleanly),
		cmocka_unit_test(test_cache_name_is_copied),
		cmocka_unit_test(test_compatible_caches_merge),
		cmocka_unit_test(test_merge_keeps_requested_alignment),
		cmocka_unit_test(test_ctor_and_debug_caches_do_not_merge),
		cmocka_unit_test(test_kmalloc_caches_are_never_merge_targets),
		cmocka_unit_test(test_debug_double_free_reported),
		cmocka_unit_test(test_debug_right_redzone_overwrite_reported),
		cmocka_unit_test(test_debug_left_redzone_overwrite_reported),
		cmocka_unit_test(test_debug_poison_overwrite_reported),
		cmocka_unit_test(test_debug_invalid_pointer_reported),
		cmocka_unit_test(test_debug_tiny_objects_keep_their_red_zone),
		cmocka_unit_test(test_debug_corrupt_free_pointer_is_cut),
		cmocka_unit_test(test_debug_corrupt_head_disables_the_slab),
		cmocka_unit_test(test_debug_short_freelist_is_counted_again),
		cmocka_unit_test(test_debug_last_free_object_bad_verifier_ok),
		cmocka_unit_test(test_debug_discarded_slab_checked),
		cmocka_unit_test(test_debug_every_bad_region_reported_once),
		cmocka_unit_test(test_debug_report_dumps_the_object),
		cmocka_unit_test(test_debug_bad_alloc_gives_the_slab_up),
		cmocka_unit_test(test_verifier_sees_red_zones),
		cmocka_unit_test(test_verifier_sees_an_object_cached_twice),
		cmocka_unit_test(test_destroy_lists_remaining_objects),
		cmocka_unit_test(test_kmalloc_redzone_after_requested_size),
		cmocka_unit_test(test_merge_and_min_partial_as_slub),
		cmocka_unit_test(test_debug_slab_padding_checked),
		cmocka_unit_test(test_plain_cache_double_free_reported),
		cmocka_unit_test(test_refused_cache_creations),
		cmocka_unit_test(test_failslab_fails_exactly_nth),
		cmocka_unit_test(test_alloc_bulk_is_all_or_nothing),
		cmocka_unit_test(test_alloc_bulk_of_1000),
		cmocka_unit_test(test_free_bulk_remote_skips_cpu_array),
		cmocka_unit_test(test_shared_array_needs_two_online_cpus),
		cmocka_unit_test(test_alloc_node_on_two_nodes),
		cmocka_unit_test(
			test_alloc_node_after_remote_free_stays_on_node),
		cmocka_unit_test(test_slab_falls_back_to_smaller_order),
		cmocka_unit_test(test_claim_slab_skips_a_fallback_slab),
		cmocka_unit_test(test_alignment_above_a_page),
		cmocka_unit_test(test_random_sequences_keep_invariants),
	};

	return cmocka_run_group_tests_name("slub", tests, NULL, NULL);
}
