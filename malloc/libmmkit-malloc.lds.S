/* SPDX-License-Identifier: MIT */
/*
 * libmmkit-malloc.so's text layout, added to the linker's default script
 * (INSERT): the hot text, then the init text, page-aligned, then the rest
 * in .text. Why, and what the library does with the parts at run time:
 * malloc/sections.c. Run through the C preprocessor (mk/rules.mk).
 *
 * Each object file has a section per function (-ffunction-sections),
 * named after it: FN() takes a function, its compiler-made clones
 * (.part, .isra, .constprop) and the cold or exit-only parts the compiler
 * splits off. A function missing from the lists still works from .text;
 * it only costs a small program the pages of .text it faults in
 * (tests/malloc_test.c's api_text_layout says when that happens, and
 * scripts/malloc-text-profile.py, run over a build, lists what runs
 * where).
 *
 * The hot list: what programs that only allocate small objects, in one
 * thread or several, run after the boot (bench/malloc's spawn child,
 * falseshare and prodcons, ls -l), with gcc's inlining and clang's: the
 * malloc API, the tcache, the slab and page allocators' paths, a CPU's
 * bring-up for a new thread, medium blocks, borrowing's refill and free
 * page reporting. The init list: what only the boot runs (also in churn,
 * larson, frag, realloc, large, python3, sqlite3 and git). The string
 * literals go with the init text.
 */
#define FN(f) *(.text.f .text.f.* .text.unlikely.f .text.unlikely.f.* .text.exit.f)

SECTIONS
{
	.text.hot : {
		/* The C runtime's start and end code (crti, crtbegin), and
		 * DT_FINI's _fini, which every process runs at exit. */
		*(.text)
		KEEP (*(SORT_NONE(.fini)))
		/* malloc/ */
		FN(malloc) FN(free) FN(calloc) FN(realloc) FN(reallocarray)
		FN(thread_init) FN(class_cache_create) FN(fork_handlers_check)
		FN(fork_handlers_register) FN(libc_register_atfork)
		FN(__register_atfork) FN(heap_shrink_classes) FN(borrow_shrink)
		FN(_ZdlPvm) FN(_ZdaPvm) FN(cxx_sized_delete)
		FN(heap_exit_stats) FN(tcache_exit)
		FN(free_initmem) FN(text_advise)
		FN(bin_flush) FN(class_alloc) FN(heap_alloc_slow)
		FN(heap_free_slow) FN(heap_realloc) FN(heap_reap) FN(heap_zero)
		FN(small_lookup) FN(tcache_flush_all) FN(tcache_refill)
		FN(tcache_set_open) FN(tc_bin_cap) FN(tcache_flush)
		FN(huge_cache_drain)
		FN(borrow_refill) FN(holes_release)
		FN(medium_alloc) FN(medium_free) FN(medium_owns) FN(medium_trim)
		FN(block_free) FN(block_of) FN(block_use) FN(free_block)
		FN(list_take) FN(unlist) FN(medium_resize) FN(medium_usable)
		FN(run_alloc)
		/* mm/page_alloc.c */
		FN(__alloc_pages) FN(alloc_pages) FN(alloc_pages_node)
		FN(alloc_pages_prep) FN(alloc_pages_slow) FN(alloc_pages_unbacked)
		FN(get_page_from_freelist) FN(__rmqueue_mode)
		FN(__rmqueue_smallest) FN(__zone_watermark_ok)
		FN(page_del_and_expand) FN(prep_new_page) FN(split_large_buddy)
		FN(add_to_free_area) FN(del_from_free_area) FN(first_of_type)
		FN(mts_find_next) FN(pb_has_free) FN(__free_pages)
		FN(__free_one_page) FN(free_frozen_pages) FN(free_pages_slow)
		FN(free_pcppages_bulk) FN(put_page_testzero) FN(free_one_page)
		FN(nr_pcp_high) FN(page_bad_reason) FN(free_tail_pages_check)
		FN(page_alloc_cpu_online) FN(setup_fast_path_cpu)
		FN(free_pages_exact) FN(free_split_pages) FN(split_page)
		FN(get_order_bytes)
		/* Free page reporting (mm/page_reporting.c), every 100 ms of a
		 * program that frees memory */
		FN(page_reporting_notify_free) FN(__page_reporting_run)
		FN(__page_reporting_run_late)
		FN(__isolate_free_block) FN(__putback_reported_block)
		FN(hbitmap_find_first) FN(mmk_host_coarse_ns)
		FN(mmk_host_mem_discard) FN(mmk_host_populate)
		/* mm/slub.c, mm/slab_common.c */
		FN(kmem_cache_create) FN(__kmem_cache_create) FN(kmem_cache_open)
		FN(kmem_cache_set_map_id) FN(cache_is_live) FN(find_mergeable)
		FN(kmem_cache_flags) FN(calculate_sizes)
		FN(kstrdup_const) FN(lock_cpu_arrays) FN(refill_array)
		FN(kmem_cache_alloc_bulk) FN(slab_alloc_bulk) FN(slab_alloc_size)
		FN(node_alloc_many) FN(node_take) FN(node_add_slab) FN(allocate_slab)
		FN(shared_take) FN(shared_put) FN(free_bulk)
		FN(__slab_free_bulk) FN(__slab_free_bulk_remote) FN(slab_free)
		FN(cache_flusharray) FN(free_shared) FN(free_to_nodes)
		FN(node_free_one) FN(node_slab_moved) FN(slab_nid)
		FN(discard_slab) FN(free_empty_slabs) FN(drain_shared)
		FN(flush_all) FN(kmem_cache_shrink) FN(__kmem_cache_shrink)
		FN(cpu_array_guards) FN(init_cpu_array) FN(slab_cpu_online)
		/* A thread's CPU: mm/mm_init.c, mm/percpu.c, lib/hbitmap.c */
		FN(mmk_set_current) FN(mmk_machine_live) FN(mmk_cpu_up)
		FN(mmk_release_cpu) FN(claim_cpu) FN(cpu_key_destructor)
		FN(init_percpu_cpu) FN(cpu_next_online) FN(__alloc_percpu)
		FN(pcpu_mark) FN(pcpu_next_free) FN(cpu_guard_request)
		FN(cpu_guard_release) FN(cpu_guard_wait) FN(cpu_guards_sync)
		FN(hbitmap_set) FN(hbitmap_clear) FN(hbitmap_find_next)
		FN(find_next_at)
		/* Helpers */
		FN(page_address) FN(page_to_pfn) FN(pfn_to_page) FN(virt_to_page)
		FN(pfn_zone_fast) FN(count_vm_events)
		FN(mod_zone_page_state) FN(mmk_random) FN(mmk_host_membarrier)
		FN(mmk_host_mutex_init)
	}
	.text.init ALIGN(4096) : {
		mmk_inittext_start = .;
		/* malloc/malloc.c, mm/init.c */
		FN(heap_boot) FN(mmk_boot_allocators) FN(boot_allocators)
		/* mm/mm_init.c, mm/memblock.c */
		FN(mmk_config_init) FN(mmk_config_validate) FN(parse_slub_debug)
		FN(mmk_memory_init) FN(assign_nodes) FN(init_sparse)
		FN(next_present_section) FN(memmap_alloc) FN(pageblock_zone)
		FN(zone_map_next_edge) FN(cpu_key_create)
		FN(memblock_add) FN(memblock_reserve) FN(memblock_alloc_range)
		FN(region_insert)
		/* mm/page_alloc.c, mm/percpu.c, mm/swap.c, mm/swapfile.c */
		FN(mmk_page_alloc_init) FN(mmk_zone_pcp_init)
		FN(setup_per_zone_wmarks) FN(pcpu_init) FN(lruvec_init)
		FN(swap_config_check)
		/* mm/slub.c, mm/slab_common.c, mm/debug.c */
		FN(kmem_cache_init) FN(bootstrap) FN(slab_map_enable)
		FN(create_kmalloc_caches) FN(mmk_log_init)
		/* lib/hbitmap.c, platform/linux.c */
		FN(hbitmap_bytes) FN(hbitmap_init_levels) FN(hbitmap_init_striped)
		FN(mmk_host_ram) FN(mmk_host_reserve) FN(mmk_host_map_private)
		FN(mmk_host_map_anon) FN(mmk_machine_zalloc_written)
		FN(map_aligned) FN(mmk_host_arena_zalloc)
		FN(mmk_host_membarrier_init) FN(text_sections_init) FN(text_end)
		/* The string literals, which only boot, statistics, procfs
		 * and error reports read (.rodata then fits in one page,
		 * not two), but for the cache names that caches made after
		 * boot read (kmalloc's on-demand types, borrowing's). The
		 * init text's pages are dropped after boot, and reading one
		 * of these later faults it in again. */
		*(EXCLUDE_FILE(*mm/slab_common.o *malloc/borrow.o) .rodata.str*)
		*(EXCLUDE_FILE(*mm/slab_common.o *malloc/borrow.o) .rodata.*.str*)
		. = ALIGN(4096);
		mmk_inittext_end = .;
	}
}
INSERT BEFORE .text;

/*
 * The library's zeroed variables that every process touches, first: the
 * loader writes the page where .bss starts (it clears the rest of the
 * last page of .data), so these cost no page fault of their own, and
 * those a process reads before it writes them (malloc's class tables on
 * its first call, the heap's state in thread_init(), the fork and reap
 * state) no second fault, for the zero page a read maps before the
 * write. heap_cls (5 KiB, of which a process touches the first 40
 * entries) follows them in .bss, and after it the arrays only borrowing
 * and hardened mode use: a small process writes two pages of the
 * library's variables, not three (docs/PERFORMANCE.md, session 41).
 */
SECTIONS
{
	.bss.early (NOLOAD) : {
		*(.bss.small_bin_off) *(.bss.class_small) *(.bss.bin_off)
		*(.bss.heap) *(.bss.med) *(.bss.tc_key) *(.bss.heap_lock)
		*(.bss.text_hi) *(.bss.fork_state) *(.bss.huge_reaps)
		*(.bss.huge_mark) *(.bss.reap_mark) *(.bss.huge_cached)
		*(.bss.huge_cached_bytes) *(.bss.boot_used) *(.bss.boot_arena)
	}
}
INSERT BEFORE .bss;
