/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of page migration (mm/migrate.c): each test maps a page
 * into a process (anonymous, shared after fork, file-backed, mlocked,
 * in the swap cache), isolates it as compaction does and migrates it to
 * a page the test allocates, then checks that the process reads what it
 * wrote through the new frame, that the page's state, its cache slot,
 * its mappings and the counters moved with it, and that the old frame
 * is free. A page with an extra reference (a pin) is refused and goes
 * back to its list. Each test ends with the verifier.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"

#include "mm/pgtable.h"

#define MB (1UL << 20)
#define A 0x10000000UL
#define RW (PROT_READ | PROT_WRITE)
#define PRIV_ANON (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

static struct mmk_machine *boot(void **state, enum mmk_arch arch, uint64_t swap)
{
	return mmk_test_boot_swap(state, arch, 1, swap);
}

/* The PTE of @pid's @addr (0 if none). */
static pte_t pte_at(int pid, unsigned long addr)
{
	struct mm_struct *mm = find_task(pid)->mm;
	void *slot = pte_offset(mm, addr, false);

	return slot ? pte_read(pt_format_of(mm), slot) : 0;
}

/* The page @pid maps at @addr. */
static struct page *page_at(int pid, unsigned long addr)
{
	struct mm_struct *mm = find_task(pid)->mm;
	pte_t e = pte_at(pid, addr);

	assert_true(pte_present(e));
	return pfn_to_page(pte_pfn(pt_format_of(mm), e));
}

static struct page *new_page(struct page *src, unsigned long private)
{
	struct page **slot = (struct page **)private;

	(void)src;
	*slot = alloc_page(GFP_HIGHUSER_MOVABLE);
	return *slot;
}

static uint64_t peek(int pid, unsigned long addr)
{
	uint64_t v = 0;

	assert_int_equal(mmk_read_u64(pid, addr, &v), 0);
	return v;
}

/* Isolate @page and migrate it; returns migrate_pages()' result, the
 * new page in *@to (NULL if none was taken). */
static int migrate_one(struct mmk_machine *m, struct page *page,
		       struct page **to, unsigned int *done)
{
	LIST_HEAD(l);
	int rc;

	*to = NULL;
	assert_true(isolate_lru_page(m, page, true));
	list_add(&page->lru, &l);
	rc = migrate_pages(&l, new_page, NULL, (unsigned long)to, MIGRATE_SYNC,
			   MR_COMPACTION, done);
	putback_movable_pages(&l);
	return rc;
}

/*
 * An anonymous page, dirty and referenced: the process reads its value
 * through the new frame; the entry keeps its bits; the old frame is free.
 */
static void test_anon_page_moves_with_its_entry(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 0);
	struct page *old, *new;
	unsigned int done = 0;
	pte_t before, after;

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 4096, RW, PRIV_ANON, NULL, 0), A);
	assert_int_equal(mmk_write_u64(1, A + 8, 0x1234abcd), 0);
	old = page_at(1, A);
	before = pte_at(1, A);
	assert_int_equal(migrate_one(m, old, &new, &done), 0);
	assert_int_equal(done, 1);
	assert_non_null(new);
	after = pte_at(1, A);
	assert_int_equal(page_at(1, A) - m->mem_map, new - m->mem_map);
	assert_int_equal(after & ~PAGE_MASK, before & ~PAGE_MASK);
	assert_true(PageAnon(new));
	assert_int_equal(page_mapcount(new), 1);
	assert_int_equal(page_count(new), 1);
	assert_true(test_page_flag(new, PG_lru));
	assert_true(test_page_flag(new, PG_swapbacked));
	assert_int_equal(page_count(old), 0);
	assert_null(old->mapping);
	assert_int_equal(peek(1, A + 8), 0x1234abcd);
	assert_int_equal(vmstat(m, "pgmigrate_success"), 1);
	assert_int_equal(vmstat(m, "pgmigrate_fail"), 0);
	assert_int_equal(vmstat(m, "nr_isolated_anon"), 0);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	assert_check_ok(m);
}

/* A page shared after fork: both processes' entries move. */
static void test_page_shared_after_fork_moves_in_both(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 0);
	struct page *old, *new;
	unsigned int done = 0;

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 4096, RW, PRIV_ANON, NULL, 0), A);
	assert_int_equal(mmk_write_u64(1, A, 77), 0);
	assert_int_equal(mmk_fork(1, 2), 0);
	old = page_at(1, A);
	assert_ptr_equal(page_at(2, A), old);
	assert_int_equal(page_mapcount(old), 2);
	assert_int_equal(migrate_one(m, old, &new, &done), 0);
	assert_int_equal(done, 1);
	assert_ptr_equal(page_at(1, A), new);
	assert_ptr_equal(page_at(2, A), new);
	assert_int_equal(page_mapcount(new), 2);
	assert_int_equal(page_count(new), 2);
	assert_int_equal(peek(1, A), 77);
	assert_int_equal(peek(2, A), 77);
	/* Copy-on-write still separates them. */
	assert_int_equal(mmk_write_u64(2, A, 78), 0);
	assert_int_equal(peek(1, A), 77);
	assert_int_equal(peek(2, A), 78);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(2), 0);
	assert_int_equal(mmk_exit(1), 0);
	assert_check_ok(m);
}

/* A page-cache page of a regular file, dirty: its cache slot, its
 * mapping and the dirty count move; the file's data stays. */
static void test_file_page_moves_in_the_page_cache(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 0);
	struct file *f;
	struct page *old, *new;
	unsigned int done = 0;
	unsigned long dirty, filepages;

	f = mmk_file_create("data", 16384, false);
	assert_non_null(f);
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(
		mmk_mmap(1, A, 16384, RW, MAP_SHARED | MAP_FIXED, f, 0), A);
	assert_int_equal(mmk_write_u64(1, A + 4096, 0xfeed), 0);
	old = page_at(1, A + 4096);
	assert_ptr_equal(f->pages[1], old);
	dirty = vmstat(m, "nr_dirty");
	filepages = vmstat(m, "nr_file_pages");
	assert_int_equal(migrate_one(m, old, &new, &done), 0);
	assert_int_equal(done, 1);
	assert_ptr_equal(f->pages[1], new);
	assert_ptr_equal(page_at(1, A + 4096), new);
	assert_ptr_equal(new->mapping, (struct address_space *)f);
	assert_int_equal(new->index, 1);
	assert_int_equal(page_count(new), 2); /* the cache and the mapping */
	assert_int_equal(vmstat(m, "nr_dirty"), dirty);
	assert_int_equal(vmstat(m, "nr_file_pages"), filepages);
	assert_int_equal(vmstat(m, "nr_isolated_file"), 0);
	assert_int_equal(peek(1, A + 4096), 0xfeed);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	fput(f);
	assert_check_ok(m);
}

/* An mlocked page moves with its mlock: unevictable, mlock_count the
 * VM_LOCKED mappings (a shared file page locked in two processes),
 * Mlocked unchanged. */
static void test_mlocked_page_keeps_its_mlock_count(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 0);
	struct page *old, *new;
	unsigned int done = 0;
	unsigned long mlocked;
	struct file *f = mmk_file_create("locked", 4096, false);

	assert_non_null(f);
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 4096, RW, MAP_SHARED | MAP_FIXED, f, 0),
			 A);
	assert_int_equal(mmk_write_u64(1, A, 5), 0);
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(mmk_mlock(1, A, 4096), 0);
	assert_int_equal(mmk_mlock(2, A, 4096), 0);
	old = page_at(1, A);
	assert_ptr_equal(page_at(2, A), old);
	assert_true(test_page_flag(old, PG_mlocked));
	assert_int_equal(old->mlock_count, 2);
	mlocked = vmstat(m, "nr_mlock");
	assert_int_equal(migrate_one(m, old, &new, &done), 0);
	assert_int_equal(done, 1);
	assert_true(test_page_flag(new, PG_mlocked));
	assert_true(test_page_flag(new, PG_unevictable));
	assert_int_equal(new->mlock_count, 2);
	assert_int_equal(vmstat(m, "nr_mlock"), mlocked);
	assert_int_equal(peek(2, A), 5);
	assert_check_ok(m);
	/* Both munlocks are counted: the page is evictable again. */
	assert_int_equal(mmk_munlock(2, A, 4096), 0);
	assert_true(test_page_flag(new, PG_mlocked));
	assert_int_equal(mmk_munlock(1, A, 4096), 0);
	assert_false(test_page_flag(new, PG_mlocked));
	assert_check_ok(m);
	assert_int_equal(mmk_exit(2), 0);
	assert_int_equal(mmk_exit(1), 0);
	fput(f);
	assert_check_ok(m);
}

/* munlock() of one of two mlocked mappings while compaction holds the
 * page isolated (its mlock_count unknown then) leaves it mlocked: the
 * migration recounts, under the mappers' locks, the one VM_LOCKED
 * mapping left. (It cleared PG_mlocked: the page went back evictable
 * under an mlocked VMA.) */
static void test_munlock_of_isolated_page_keeps_it_mlocked(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 0);
	struct file *f = mmk_file_create("locked", 4096, false);
	struct page *old, *new = NULL;
	unsigned int done = 0;
	LIST_HEAD(l);

	assert_non_null(f);
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 4096, RW, MAP_SHARED | MAP_FIXED, f, 0),
			 A);
	assert_int_equal(mmk_write_u64(1, A, 7), 0);
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(mmk_mlock(1, A, 4096), 0);
	assert_int_equal(mmk_mlock(2, A, 4096), 0);
	old = page_at(1, A);
	assert_true(isolate_lru_page(m, old, true));
	assert_int_equal(mmk_munlock(2, A, 4096), 0);
	assert_true(test_page_flag(old, PG_mlocked));
	list_add(&old->lru, &l);
	assert_int_equal(migrate_pages(&l, new_page, NULL, (unsigned long)&new,
				       MIGRATE_SYNC, MR_COMPACTION, &done),
			 0);
	assert_int_equal(done, 1);
	assert_true(test_page_flag(new, PG_mlocked));
	assert_true(test_page_flag(new, PG_unevictable));
	assert_int_equal(new->mlock_count, 1);
	assert_check_ok(m);
	assert_int_equal(mmk_munlock(1, A, 4096), 0);
	assert_false(test_page_flag(new, PG_mlocked));
	assert_int_equal(peek(2, A), 7);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(2), 0);
	assert_int_equal(mmk_exit(1), 0);
	fput(f);
	assert_check_ok(m);
}

/* A swap-cache page (read back by one of two processes sharing its
 * slot): its swap-cache entry names the new page. */
static void test_swap_cache_page_moves_in_its_slot(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 16 * MB);
	struct page *old, *new;
	unsigned int done = 0;
	unsigned long off, cached;

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 4096, RW, PRIV_ANON, NULL, 0), A);
	assert_int_equal(mmk_write_u64(1, A, 0x5157), 0);
	assert_int_equal(mmk_madvise(1, A, 4096, MADV_PAGEOUT), 0);
	assert_true(is_swap_pte(pte_at(1, A)));
	assert_int_equal(mmk_fork(1, 2), 0);
	assert_int_equal(peek(1, A), 0x5157);
	old = page_at(1, A);
	assert_true(test_page_flag(old, PG_swapcache));
	off = old->private;
	cached = vmstat(m, "nr_swapcached");
	assert_int_equal(migrate_one(m, old, &new, &done), 0);
	assert_int_equal(done, 1);
	assert_true(test_page_flag(new, PG_swapcache));
	assert_int_equal(new->private, off);
	assert_ptr_equal(swap_cache_get(off), new);
	put_page(new);
	assert_int_equal(vmstat(m, "nr_swapcached"), cached);
	/* The other sharer reads the slot through the new page. */
	assert_int_equal(peek(2, A), 0x5157);
	assert_ptr_equal(page_at(2, A), new);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(2), 0);
	assert_int_equal(mmk_exit(1), 0);
	assert_check_ok(m);
}

/* A pinned page (a reference beyond its mapping) is refused on every
 * pass, counted failed and put back on its list. */
static void test_pinned_page_fails_and_goes_back(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_X86_64, 0);
	struct page *old, *new;
	unsigned int done = 7;

	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 4096, RW, PRIV_ANON, NULL, 0), A);
	assert_int_equal(mmk_write_u64(1, A, 9), 0);
	old = page_at(1, A);
	get_page(old); /* the pin */
	assert_int_equal(migrate_one(m, old, &new, &done), 1);
	assert_int_equal(done, 0);
	assert_ptr_equal(page_at(1, A), old);
	assert_true(test_page_flag(old, PG_lru));
	assert_int_equal(page_count(old), 2);
	assert_int_equal(vmstat(m, "pgmigrate_success"), 0);
	assert_int_equal(vmstat(m, "pgmigrate_fail"), 1);
	assert_int_equal(vmstat(m, "nr_isolated_anon"), 0);
	put_page(old);
	assert_int_equal(peek(1, A), 9);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	assert_check_ok(m);
}

/* i386: a highmem page moves to another highmem page, kmap-free. */
static void test_i386_highmem_page_moves(void **state)
{
	struct mmk_machine *m = boot(state, MMK_ARCH_I386, 0);
	struct page *old, *new;
	unsigned int done = 0;
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(mmk_mmap(1, A, 4096, RW, PRIV_ANON, NULL, 0), A);
	assert_int_equal(mmk_write_u64(1, A, 0x386), 0);
	old = page_at(1, A);
	assert_int_equal(migrate_one(m, old, &new, &done), 0);
	assert_int_equal(done, 1);
	assert_int_equal(peek(1, A), 0x386);
	assert_check_ok(m);
	assert_int_equal(mmk_exit(1), 0);
	assert_check_ok(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_anon_page_moves_with_its_entry,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(
			test_page_shared_after_fork_moves_in_both,
			mmk_test_teardown),
		cmocka_unit_test_teardown(test_file_page_moves_in_the_page_cache,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(
			test_mlocked_page_keeps_its_mlock_count,
			mmk_test_teardown),
		cmocka_unit_test_teardown(
			test_munlock_of_isolated_page_keeps_it_mlocked,
			mmk_test_teardown),
		cmocka_unit_test_teardown(test_swap_cache_page_moves_in_its_slot,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_pinned_page_fails_and_goes_back,
					  mmk_test_teardown),
		cmocka_unit_test_teardown(test_i386_highmem_page_moves,
					  mmk_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
