/* SPDX-License-Identifier: MIT */
/*
 * Bad input at the public C entry points: NULL, misaligned, out-of-range
 * and foreign arguments get Linux's result (NULL, an errno, a no-op) and
 * at most a kernel-log warning, never a crash; the verifier stays clean
 * and nothing leaks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <mmkit/script.h>

static unsigned long free_drained(struct mmk_machine *m)
{
	drain_all_pages(NULL);
	return mmk_nr_free_pages(m);
}

static void test_calls_without_a_machine_are_harmless(void **state)
{
	(void)state;
	mmk_set_current(NULL);
	assert_null(alloc_pages(GFP_KERNEL, 0));
	assert_null(kmalloc(64, GFP_KERNEL));
	assert_null(vmalloc(4096));
	errno = 0;
	assert_null(kmem_cache_create("x", 64, 0, 0, NULL));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(kmem_cache_destroy((struct kmem_cache *)0x1234),
			 -EINVAL);
	__free_pages(NULL, 0);
	kfree((void *)0x1234);
	vfree((void *)0x1234);
	free_pages(0x1000, 0);
	assert_int_equal(mmk_set_cpu(0), -EINVAL);
	assert_int_equal(mmk_get_cpu(), -1);
	assert_null(mmk_current());
}

static void test_page_allocator_rejects_bad_arguments(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 128ULL << 20, 1, 2, true);
	unsigned long before = free_drained(m);
	struct page *p = alloc_pages(GFP_KERNEL, 1), fake;
	char stack_buf[64];

	(void)state;
	assert_null(alloc_pages(GFP_KERNEL, 64));
	assert_null(alloc_pages(GFP_KERNEL, ~0u));
	assert_null(alloc_pages_node(-5, GFP_KERNEL, 0));
	assert_null(alloc_pages_node(64, GFP_KERNEL, 0));
	assert_null(alloc_pages(__GFP_DMA | __GFP_HIGHMEM, 0));
	__free_pages(NULL, 0);
	__free_pages(&fake, 0); /* not in mem_map */
	__free_pages((struct page *)((char *)p + 1), 1); /* misaligned */
	__free_pages(p, 11); /* order out of range */
	free_pages((unsigned long)stack_buf, 0); /* not the direct map */
	free_pages((unsigned long)page_address(p) + 1, 1); /* misaligned */
	get_page(&fake);
	put_page(&fake);
	split_page(&fake, 1);
	assert_null(pfn_to_page(~0UL));
	assert_false(pfn_valid(~0UL));
	assert_null(virt_to_page(stack_buf));
	assert_true(dmesg_has(m, "WARNING: __free_pages: invalid page"));
	__free_pages(p, 1);
	assert_int_equal(free_drained(m), before);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_slab_rejects_bad_arguments(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 128ULL << 20, 1, 2, true);
	struct kmem_cache *s = kmem_cache_create("good", 64, 0, 0, NULL);
	void *obj = kmem_cache_alloc(s, GFP_KERNEL),
	     *k = kmalloc(100, GFP_KERNEL);
	char stack_buf[64];
	void *p[4] = { NULL, NULL, NULL, NULL };

	(void)state;
	errno = 0;
	assert_null(kmem_cache_create(NULL, 64, 0, 0, NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(kmem_cache_create("", 64, 0, 0, NULL));
	assert_null(kmem_cache_create("bad", 0, 0, 0, NULL));
	assert_null(kmem_cache_create("bad", 64, 3, 0,
				      NULL)); /* not a power of 2 */
	assert_null(kmem_cache_create("bad", 64, 0, 0x80000000u, NULL));
	assert_null(kmem_cache_create("bad", (unsigned int)KMALLOC_MAX_SIZE + 1,
				      0, 0, NULL));
	assert_null(kmem_cache_alloc(NULL, GFP_KERNEL));
	kmem_cache_free(NULL, NULL);
	kmem_cache_free(s, stack_buf); /* not a slab object */
	kmem_cache_free(s, (char *)obj + 1); /* inside an object */
	kfree(stack_buf);
	kfree((char *)k + 8);
	assert_int_equal(ksize(stack_buf), 0);
	assert_null(krealloc(stack_buf, 10, GFP_KERNEL));
	assert_null(kmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL));
	assert_null(kcalloc(SIZE_MAX, SIZE_MAX, GFP_KERNEL));
	assert_null(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN));
	assert_int_equal(kmem_cache_alloc_bulk(s, GFP_KERNEL, 0, p), 0);
	assert_int_equal(kmem_cache_alloc_bulk(NULL, GFP_KERNEL, 4, p), 0);
	p[0] = stack_buf;
	kmem_cache_free_bulk(s, 1, p); /* refused as a whole */
	assert_int_equal(kmem_cache_destroy(NULL), 0);
	assert_int_equal(kmem_cache_shrink(NULL), 0);
	assert_true(dmesg_has(m, "not a slab object"));
	assert_true(dmesg_has(m, "Invalid object pointer"));
	assert_true(dmesg_has(m, "was not returned by kmalloc"));
	kmem_cache_free(s, obj);
	kfree(k);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_vmalloc_and_kmap_reject_bad_arguments(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_I386, 1ULL << 30, 1, 2, true);
	struct page fake, *pages[2] = { &fake, NULL };
	char stack_buf[64];
	void *v = vmalloc(8192);

	(void)state;
	assert_null(vmalloc(0));
	assert_null(vmalloc(~0UL));
	assert_null(vmalloc_node(4096, 7));
	assert_null(vmap(NULL, 1, VM_MAP, PAGE_KERNEL));
	assert_null(vmap(pages, 0, VM_MAP, PAGE_KERNEL));
	assert_null(vmap(pages, 1, VM_MAP, PAGE_KERNEL)); /* foreign page */
	assert_null(vmap(pages + 1, 1, VM_MAP, PAGE_KERNEL)); /* NULL page */
	assert_null(ioremap(0, 0));
	assert_null(ioremap(~0ULL - 10, 100));
	vfree(stack_buf);
	vfree((char *)v + 4096); /* not the start */
	vunmap(stack_buf);
	iounmap(stack_buf);
	assert_null(vmalloc_to_page(stack_buf));
	assert_int_equal(vmalloc_to_pfn(stack_buf), 0);
	assert_false(is_vmalloc_addr(stack_buf));
	assert_null(find_vm_area(stack_buf));
	assert_null(remove_vm_area(stack_buf));
	assert_null(get_vm_area(0, 0));
	free_vm_area(NULL);
	assert_null(kmap(NULL));
	assert_null(kmap(&fake));
	kunmap(&fake);
	assert_null(kmap_local_page(&fake));
	kunmap_local(stack_buf);
	kunmap_local(NULL);
	assert_null(kmap_to_page(stack_buf));
	assert_true(dmesg_has(m, "trying to free a nonexistent vm area"));
	assert_true(dmesg_has(m, "kmap: not a page of this machine"));
	vfree(v);
	assert_check_ok(m);
	mmk_shutdown(m);
}

static void test_machine_api_rejects_bad_arguments(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 2, true);
	struct mmk_fail_attr bad = { .probability = 101 };
	char why[8];

	(void)state;
	assert_int_equal(mmk_set_cpu(-1), -EINVAL);
	assert_int_equal(mmk_set_cpu(2), -EINVAL);
	assert_int_equal(mmk_fail_set(m, MMK_NR_FAIL_KINDS, NULL), -EINVAL);
	assert_int_equal(mmk_fail_set(m, MMK_FAIL_SLAB, &bad), -EINVAL);
	assert_int_equal(mmk_fail_set(NULL, MMK_FAIL_SLAB, NULL), -EINVAL);
	assert_int_equal(mmk_fail_count(NULL, MMK_FAIL_SLAB), 0);
	errno = 0;
	assert_null(mmk_proc_read(m, "/proc/nope"));
	assert_int_equal(errno, ENOENT);
	assert_null(mmk_proc_read(m, NULL));
	assert_null(mmk_proc_read(NULL, "/proc/meminfo"));
	assert_int_equal(mmk_check(NULL, why, sizeof why), 1);
	assert_int_equal(mmk_check(m, NULL, 0), 0);
	assert_int_equal(mmk_kaddr(why), 0);
	/* process_madvise's own checks come before any process's. */
	{
		struct mmk_iovec vec[1025] = { { 0x10000000, 4096 } };

		assert_int_equal(mmk_spawn(1, false), 0);
		assert_int_equal(mmk_process_madvise(1, 1, vec, 1, MADV_COLD,
						     1),
				 -EINVAL);
		assert_int_equal(mmk_process_madvise(1, 1, vec, 1025, MADV_COLD,
						     0),
				 -EINVAL);
		assert_int_equal(mmk_process_madvise(1, 1, NULL, 1, MADV_COLD,
						     0),
				 -EFAULT);
		assert_int_equal(
			mmk_process_madvise(1, 1, NULL, 0, MADV_COLD, 0), 0);
		assert_int_equal(mmk_process_madvise(1, 9, vec, 1, MADV_COLD,
						     0),
				 -ESRCH);
		assert_int_equal(mmk_process_madvise(1, 1, vec, 1, 12345, 0),
				 -EINVAL);
		/* Nothing mapped there: the range's own error. */
		assert_int_equal(mmk_process_madvise(1, 1, vec, 1, MADV_COLD,
						     0),
				 -ENOMEM);
		assert_int_equal(mmk_clear_refs(1, 9), -EINVAL);
		assert_int_equal(mmk_proc_pread(m, "/proc/1/pagemap", NULL, 8,
						0),
				 -EINVAL);
	}
	mmk_shutdown(NULL);
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* A machine shut down (its memory gone) is refused by every call that
 * takes one, not followed; NULL where a call stores its result too. */
static void test_calls_on_a_machine_shut_down(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 2, true);
	char buf[16] = "x";
	FILE *null = fopen("/dev/null", "w");
	struct mmk_machine *live;
	void *obj;

	(void)state;
	assert_non_null(null);
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_read_u64(1, 0x10000, NULL), -EFAULT);
	assert_int_equal(mmk_copy_to_user(1, 0x10000, NULL, 8), -EFAULT);
	assert_int_equal(mmk_copy_from_user(1, NULL, 0x10000, 8), -EFAULT);
	assert_int_equal(mmk_exit(1), 0);
	mmk_shutdown(m);
	errno = 0;
	assert_null(mmk_proc_read(m, "/proc/meminfo"));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(mmk_proc_write(m, "/proc/meminfo", fileno(null)),
			 -EINVAL);
	assert_int_equal(mmk_dmesg(m, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	mmk_dmesg_clear(m);
	assert_int_equal(mmk_fail_set(m, MMK_FAIL_SLAB, NULL), -EINVAL);
	assert_int_equal(mmk_fail_count(m, MMK_FAIL_SLAB), 0);
	assert_int_equal(mmk_nr_free_pages(m), 0);
	mmk_atfork(m, MMK_ATFORK_PREPARE); /* a message, nothing taken */
	mmk_atfork(m, MMK_ATFORK_PARENT);
	/* Nothing was left locked: a live machine forks as before. */
	live = mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 2, true);
	mmk_atfork(live, MMK_ATFORK_PREPARE);
	mmk_atfork(live, MMK_ATFORK_PARENT);
	obj = kmalloc(8, GFP_KERNEL);
	assert_non_null(obj);
	assert_int_equal(kmap_nowait(virt_to_page(obj), NULL), -EINVAL);
	kfree(obj);
	assert_check_ok(live);
	mmk_shutdown(live);
	fclose(null);
}

/* NULL where a machine, a config or a cache belongs; a page looked at
 * with no current machine; handles used after they are gone: refused,
 * never followed. */
static void test_null_and_stale_handles_are_refused(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 64ULL << 20, 1, 2, true);
	struct mmk_config cfg;
	struct kmem_cache *s = kmem_cache_create("gone", 64, 0, 0, NULL);
	struct page *p = alloc_page(GFP_KERNEL);
	char why[64], buf[4] = "x";

	(void)state;
	assert_non_null(s);
	assert_non_null(p);
	/* No current machine: a page is nobody's. */
	assert_int_equal(mmk_set_current(NULL), 0);
	assert_null(page_address(p));
	assert_null(page_zone(p));
	assert_int_equal(page_to_nid(p), NUMA_NO_NODE);
	assert_int_equal(page_to_pfn(p), ULONG_MAX);
	assert_false(PageHighMem(p));
	assert_int_equal(get_pageblock_migratetype(p), -1);
	assert_int_equal(mmk_set_current(m), 0);
	__free_page(p);
	/* NULL arguments. */
	errno = 0;
	assert_null(mmk_boot(NULL));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(mmk_config_validate(NULL, why, sizeof why), -EINVAL);
	assert_string_equal(why, "no configuration");
	mmk_config_init(NULL);
	assert_int_equal(mmk_dmesg(NULL, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	mmk_dmesg_clear(NULL);
	assert_int_equal(mmk_nr_free_pages(NULL), 0);
	assert_int_equal(kmem_cache_size(NULL), 0);
	assert_null(kmem_cache_name(NULL));
	/* What mmk_boot() refuses, mmk_config_validate() refuses too. */
	mmk_config_init(&cfg);
	cfg.slub_debug = "XYZ";
	assert_int_equal(mmk_config_validate(&cfg, why, sizeof why), -EINVAL);
	cfg.slub_debug = NULL;
	cfg.page_reporting_order = MAX_PAGE_ORDER + 1;
	assert_int_equal(mmk_config_validate(&cfg, why, sizeof why), -EINVAL);
	/* A cache destroyed twice: a warning, nothing followed. */
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_int_equal(kmem_cache_destroy(s), -EINVAL);
	assert_true(dmesg_has(m, "is not a live cache"));
	assert_int_equal(kmem_cache_shrink(s), 0);
	/* mmk_atfork's phases out of order: ignored, no lock taken twice. */
	mmk_atfork(m, MMK_ATFORK_PARENT);
	mmk_atfork(m, MMK_ATFORK_PREPARE);
	mmk_atfork(m, MMK_ATFORK_PREPARE);
	mmk_atfork(m, MMK_ATFORK_PARENT);
	assert_check_ok(m);
	mmk_shutdown(m);
	/* The machine is gone: refused by everything that takes one. */
	assert_int_equal(mmk_check(m, why, sizeof why), 1);
	assert_string_equal(why, "not a live machine");
	assert_int_equal(mmk_set_current(m), -EINVAL);
	assert_null(mmk_current());
	mmk_shutdown(m);
}

/* Misuses Linux reports, reported and refused without harm: an object
 * twice in one bulk free, vunmap() of a vmalloc area, kunmap_local() of
 * a kmap() address, slab GFP bits that make no sense, vmalloc(0), a
 * __GFP_NOFAIL request that cannot block, kfree() of a host pointer. */
static void test_reported_misuse_leaves_state_whole(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_I386, 256ULL << 20, 1, 2, true);
	struct kmem_cache *s =
		kmem_cache_create("twice", 64, 0, SLAB_NO_MERGE, NULL);
	void *o = kmem_cache_alloc(s, GFP_KERNEL), *p[2] = { o, o }, *v, *k;
	struct page *high = alloc_page(GFP_HIGHUSER);
	char stack_buf[16];

	(void)state;
	assert_non_null(o);
	kmem_cache_free_bulk(s, 2, p);
	assert_true(dmesg_has(m, "Object already free"));
	kmem_cache_free(s, o); /* still allocated: freed once, now */
	/* A new slab asked for with __GFP_HIGHMEM: fixed up, reported. */
	kmem_cache_shrink(s);
	o = kmem_cache_alloc(s, GFP_KERNEL | __GFP_HIGHMEM);
	assert_non_null(o);
	assert_true(dmesg_has(m, "Unexpected gfp: 0x2 (__GFP_HIGHMEM)"));
	kmem_cache_free(s, o);
	assert_int_equal(kmem_cache_destroy(s), 0);
	v = vmalloc(8192);
	assert_non_null(v);
	vunmap(v);
	assert_true(dmesg_has(m, "was allocated by vmalloc; vfree frees it"));
	vfree(v);
	assert_null(vmalloc(0));
	assert_true(dmesg_has(m, "WARNING: __vmalloc_node_range: size 0"));
	assert_non_null(high);
	k = kmap(high);
	assert_non_null(k);
	kunmap_local(k); /* not a kmap_local slot: nothing to undo */
	mmk_dmesg_clear(m);
	kunmap(high);
	assert_false(dmesg_has(m, "is not kmapped"));
	__free_page(high);
	kfree(stack_buf);
	assert_true(dmesg_has(m, "(no kernel address) was not returned by "
				 "kmalloc; ignored"));
	/* Memory exhausted (down to the atomic reserves), then a
	 * __GFP_NOFAIL request that cannot block: warned and failed. */
	{
		size_t cap = 1 << 17, n = 0;
		struct page **pages = calloc(cap, sizeof(*pages));

		assert_non_null(pages);
		while (n < cap &&
		       (pages[n] = alloc_page(GFP_ATOMIC | __GFP_NOWARN)))
			n++;
		assert_true(n < cap);
		assert_null(alloc_page(GFP_ATOMIC | __GFP_NOFAIL));
		assert_true(dmesg_has(m, "__GFP_NOFAIL without "
					 "__GFP_DIRECT_RECLAIM"));
		while (n)
			__free_page(pages[--n]);
		free(pages);
	}
	assert_check_ok(m);
	mmk_shutdown(m);
}

/* With two nodes, kmem_cache_free_bulk() took the per-object path
 * without checking the objects first: a foreign pointer had no slab. */
static void test_free_bulk_rejects_bad_objects_on_two_nodes(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_X86_64, 128ULL << 20, 2, 2, true);
	struct kmem_cache *s = kmem_cache_create("good", 64, 0, 0, NULL);
	struct kmem_cache *t =
		kmem_cache_create("other", 64, 0, SLAB_NO_MERGE, NULL);
	char stack_buf[64];
	void *p[3];
	char why[256];

	(void)state;
	p[0] = kmem_cache_alloc(s, GFP_KERNEL);
	p[1] = stack_buf;
	p[2] = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free_bulk(s, 3, p); /* refused as a whole */
	assert_true(dmesg_has(m, "is not an object of the cache"));
	p[1] = (char *)p[0] + 1; /* inside an object */
	kmem_cache_free_bulk(s, 3, p);
	p[1] = kmem_cache_alloc(t, GFP_KERNEL); /* another cache's */
	kmem_cache_free_bulk(s, 3, p);
	kmem_cache_free(t, p[1]);
	p[1] = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free_bulk(s, 3, p);
	assert_int_equal(mmk_check(m, why, sizeof why), 0);
	assert_int_equal(kmem_cache_destroy(s), 0);
	assert_int_equal(kmem_cache_destroy(t), 0);
	mmk_shutdown(m);
}

/* The script interpreter with nothing to read: an I/O error, and the
 * reason on the error stream. */
static void test_script_run_without_input(void **state)
{
	char buf[128] = "";
	FILE *out = fopen("/dev/null", "w"), *err = tmpfile();

	(void)state;
	assert_non_null(out);
	assert_non_null(err);
	assert_int_equal(mmk_script_run(NULL, "x.mms", out, err, 0),
			 MMK_SCRIPT_IO_ERROR);
	rewind(err);
	assert_non_null(fgets(buf, sizeof buf, err));
	assert_string_equal(buf, "mmkit: x.mms: no script to read\n");
	fclose(err);
	fclose(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calls_without_a_machine_are_harmless),
		cmocka_unit_test(test_page_allocator_rejects_bad_arguments),
		cmocka_unit_test(test_slab_rejects_bad_arguments),
		cmocka_unit_test(
			test_free_bulk_rejects_bad_objects_on_two_nodes),
		cmocka_unit_test(test_vmalloc_and_kmap_reject_bad_arguments),
		cmocka_unit_test(test_machine_api_rejects_bad_arguments),
		cmocka_unit_test(test_calls_on_a_machine_shut_down),
		cmocka_unit_test(test_script_run_without_input),
		cmocka_unit_test(test_null_and_stale_handles_are_refused),
		cmocka_unit_test(test_reported_misuse_leaves_state_whole),
	};

	return cmocka_run_group_tests_name("bad_input", tests, NULL, NULL);
}
