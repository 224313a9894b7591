/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the address-space layer: mmap, munmap, mprotect, mlock,
 * mlockall, mremap, brk, madvise, fork and exit (mm/vma.c, mm/mmap.c,
 * mm/mprotect.c, mm/mlock.c, mm/mremap.c, mm/madvise.c, kernel/fork.c) as
 * /proc/PID/maps, smaps and status show them, with exact text and errno.
 *
 * The expected values of the x86_64 tests were observed on the real kernel
 * of the development machine (Linux 6.18 x86_64, root, overcommit_memory
 * 0, THP "madvise", max_map_count 65530) by running the same system calls
 * in a throwaway program at the same fixed addresses (0x200000000 and up
 * are free in an ordinary process) and reading /proc/self/{maps,smaps,
 * status}: the maps lines of the window, each VMA's VmFlags line, the
 * errno of every call and the change of VmSize, VmLck, VmData, VmStk,
 * VmExe, VmLib and VmPeak. A process spawned by mmkit starts with no VMA,
 * so those changes are its absolute values here. The map_count rules were
 * observed by filling a real process up to 65530 VMAs. What only mmkit has
 * (device and inode numbers of its pretend files, mmap_min_addr 65536
 * where the host has 4096, addresses the kernel chooses from mmap_base,
 * the i386 machine, fault injection) follows ../shared/PROCFS.md,
 * ../shared/LINUX-VMA-RULES.md and the kernel's source.
 *
 * Tests marked "KERNEL DIFFERS" assert the kernel's value where mmkit
 * disagrees with it; "MMKIT BUG" marks a broken invariant.
 *
 * Each test boots its own machine (x86_64 256M, or i386 1G) and ends with
 * the full verifier.
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

#include "mm/vma.h" /* mm_state(): the caches of VMAs, anon_vmas, files */

#define PG 4096UL
#define A 0x200000000UL /* the test window */
#define MB (1UL << 20)
#define TASK_SIZE_64 0x7ffffffff000UL
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define SHANON (MAP_SHARED | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)
#define RX (PROT_READ | PROT_EXEC)
#define MF (MREMAP_MAYMOVE | MREMAP_FIXED)
#define MD (MREMAP_MAYMOVE | MREMAP_DONTUNMAP | MREMAP_FIXED)

/* The gate line every x86_64 process ends with (not a VMA). */
#define VSYSCALL                                           \
	"ffffffffff600000-ffffffffff601000 --xp 00000000 " \
	"00:00 0                  [vsyscall]\n"

/* VmFlags of the kinds of VMA these tests make. */
#define F_RW "rd wr mr mw me ac "
#define F_R "rd mr mw me "

/* ---- machines and processes ---- */

static struct mmk_machine *boot(void)
{
	return mmk_test_boot(MMK_ARCH_X86_64, 256ULL << 20, 1, 2, true);
}

/* A machine with process 1 (privileged unless @unprivileged). */
static struct mmk_machine *boot_with_process(bool unprivileged)
{
	struct mmk_machine *m = boot();

	assert_int_equal(mmk_spawn(1, unprivileged), 0);
	return m;
}

static void finish(struct mmk_machine *m)
{
	assert_check_ok(m);
	mmk_shutdown(m);
}

static struct mm_struct *get_mm(int pid)
{
	struct mm_struct *mm = mmk_get_mm(pid);

	assert_non_null(mm);
	return mm;
}

/* What the process's mm_struct says about its layout. */
enum layout { TASK_SIZE, MMAP_BASE, START_BRK, BRK };

static unsigned long layout(int pid, enum layout what)
{
	struct mm_struct *mm = get_mm(pid);
	unsigned long v = 0;

	switch (what) {
	case TASK_SIZE:
		v = mm->task_size;
		break;
	case MMAP_BASE:
		v = mm->mmap_base;
		break;
	case START_BRK:
		v = mm->start_brk;
		break;
	case BRK:
		v = mm->brk;
		break;
	}
	mmput(mm);
	return v;
}

static int map_count(int pid)
{
	struct mm_struct *mm = get_mm(pid);
	int n = mm->map_count;

	mmput(mm);
	return n;
}

/* Does the VMA containing @addr have an anon_vma (was it faulted)? */
static bool has_anon_vma(int pid, unsigned long addr)
{
	struct mm_struct *mm = get_mm(pid);
	struct vm_area_struct *vma;
	bool r;

	mmap_write_lock(mm);
	vma = vma_lookup(mm, addr);
	assert_non_null(vma);
	r = vma->anon_vma != NULL;
	mmap_write_unlock(mm);
	mmput(mm);
	return r;
}

/* The inode number of the file mapped at @addr. */
static unsigned long ino_at(int pid, unsigned long addr)
{
	struct mm_struct *mm = get_mm(pid);
	struct vm_area_struct *vma;
	unsigned long ino;

	mmap_write_lock(mm);
	vma = vma_lookup(mm, addr);
	assert_non_null(vma);
	assert_non_null(vma->vm_file);
	ino = vma->vm_file->ino;
	mmap_write_unlock(mm);
	mmput(mm);
	return ino;
}

/* ---- system calls ---- */

static long map(int pid, unsigned long addr, unsigned long len,
		unsigned long prot, unsigned long flags)
{
	return mmk_mmap(pid, addr, len, prot, flags, NULL, 0);
}

static long map_fixed(int pid, unsigned long addr, unsigned long len,
		      unsigned long prot, unsigned long flags)
{
	return mmk_mmap(pid, addr, len, prot, flags | MAP_FIXED, NULL, 0);
}

/* ---- procfs ---- */

static char *pid_file(struct mmk_machine *m, int pid, const char *name)
{
	char path[64];

	snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
	return proc(m, path);
}

static void assert_maps(struct mmk_machine *m, int pid, const char *expect)
{
	char *text = pid_file(m, pid, "maps");

	assert_string_equal(text, expect);
	free(text);
}

/* The value of status line @key in kB, or -1. */
static long status_value(const char *text, const char *key)
{
	char k[32];
	const char *p;

	snprintf(k, sizeof k, "\n%s:\t", key);
	p = strstr(text, k);
	return p ? strtol(p + strlen(k), NULL, 10) : -1;
}

/* The maps text begins with @expect (the VMAs of the test window). */
static void assert_maps_start(struct mmk_machine *m, int pid,
			      const char *expect)
{
	char *text = pid_file(m, pid, "maps");

	if (strncmp(text, expect, strlen(expect)) != 0)
		fail_msg("maps does not begin with\n%s\nbut is\n%s", expect,
			 text);
	free(text);
}

/* The status lines VmSize and VmLck, and VmData to VmLib, in kB. */
static void assert_vm(struct mmk_machine *m, int pid, unsigned long size,
		      unsigned long lck, unsigned long data, unsigned long stk,
		      unsigned long exe, unsigned long lib)
{
	char *text = pid_file(m, pid, "status");
	char a[128], b[256];

	snprintf(a, sizeof a, "\nVmSize:\t%8lu kB\nVmLck:\t%8lu kB\n", size,
		 lck);
	snprintf(b, sizeof b,
		 "\nVmData:\t%8lu kB\nVmStk:\t%8lu kB\nVmExe:\t%8lu kB\n"
		 "VmLib:\t%8lu kB\n",
		 data, stk, exe, lib);
	if (!strstr(text, a) || !strstr(text, b))
		fail_msg("status: VmSize %ld VmLck %ld VmData %ld VmStk %ld "
			 "VmExe %ld VmLib %ld, expected %lu %lu %lu %lu %lu "
			 "%lu",
			 status_value(text, "VmSize"),
			 status_value(text, "VmLck"),
			 status_value(text, "VmData"),
			 status_value(text, "VmStk"),
			 status_value(text, "VmExe"),
			 status_value(text, "VmLib"), size, lck, data, stk, exe,
			 lib);
	free(text);
}

/* The smaps line of the VMA starting at @start that begins with @key. */
static void smaps_line(struct mmk_machine *m, int pid, unsigned long start,
		       const char *key, char *out, size_t len)
{
	char *text = pid_file(m, pid, "smaps");
	char head[40];
	const char *p, *end;

	snprintf(head, sizeof head, "%08lx-", start);
	p = text;
	while (p && strncmp(p, head, strlen(head)) != 0) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		fail_msg("no VMA at %#lx in smaps:\n%s", start, text);
	p = strstr(p, key);
	assert_non_null(p);
	end = strchr(p, '\n');
	snprintf(out, len, "%.*s", (int)(end - p), p);
	free(text);
}

static void assert_vmflags(struct mmk_machine *m, int pid, unsigned long start,
			   const char *flags)
{
	char got[128], expect[128];

	smaps_line(m, pid, start, "VmFlags:", got, sizeof got);
	snprintf(expect, sizeof expect, "VmFlags: %s", flags);
	assert_string_equal(got, expect);
}

static void assert_thp_eligible(struct mmk_machine *m, int pid,
				unsigned long start, unsigned int v)
{
	char got[64], expect[64];

	smaps_line(m, pid, start, "THPeligible:", got, sizeof got);
	snprintf(expect, sizeof expect, "THPeligible:    %8u", v);
	assert_string_equal(got, expect);
}

/*
 * Expected maps text built line by line, for lines whose addresses or
 * inode numbers are chosen at run time: a name is padded to column
 * @width + 1 (73 on x86_64, 49 on i386).
 */
struct text {
	char s[8192];
	size_t n;
};

static __printf(2, 3) void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(t->s + t->n, sizeof t->s - t->n, fmt, ap);
	va_end(ap);
	assert_true(r >= 0 && (size_t)r < sizeof t->s - t->n);
	t->n += (size_t)r;
}

static void add_line(struct text *t, int width, unsigned long start,
		     unsigned long end, const char *perms, unsigned long off,
		     const char *dev, unsigned long ino, const char *name)
{
	size_t begin = t->n;

	add(t, "%08lx-%08lx %s %08lx %s %lu ", start, end, perms, off, dev,
	    ino);
	if (name) {
		while (t->n - begin < (size_t)width)
			add(t, " ");
		add(t, " %s", name);
	}
	add(t, "\n");
}

static void add_anon(struct text *t, unsigned long start, unsigned long end,
		     const char *perms)
{
	add_line(t, 72, start, end, perms, 0, "00:00", 0, NULL);
}

/*
 * /proc/slabinfo's active_objs of @cache after every address-space cache
 * was shrunk: SLUB counts free objects of per-CPU slabs as active, so
 * only a shrunk cache shows exactly the objects in use.
 */
static unsigned long slab_active(struct mmk_machine *m, const char *cache)
{
	struct mm_state *ms = mm_state();
	char *text;
	char key[64];
	const char *p;
	unsigned long active = 0;

	assert_ptr_equal(mmk_current(), m);
	kmem_cache_shrink(ms->vma_cachep);
	kmem_cache_shrink(ms->anon_vma_cachep);
	kmem_cache_shrink(ms->file_cachep);
	text = proc(m, "/proc/slabinfo");
	snprintf(key, sizeof key, "\n%s ", cache);
	p = strstr(text, key);
	if (!p)
		fail_msg("no %s in /proc/slabinfo", cache);
	assert_int_equal(sscanf(p + strlen(key), "%lu", &active), 1);
	free(text);
	return active;
}

/* ---- an empty process ---- */

static void test_spawned_process_is_empty(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	char *text;

	(void)state;
	/* No VMA: only the gate line, which VmSize does not count. */
	assert_maps(m, 1, VSYSCALL);
	assert_vm(m, 1, 0, 0, 0, 0, 0, 0);
	text = pid_file(m, 1, "status");
	assert_non_null(strstr(text, "\nVmPeak:\t       0 kB\n"));
	assert_non_null(strstr(text, "\nVmPTE:\t       0 kB\n"));
	free(text);
	assert_int_equal(map_count(1), 0);
	assert_int_equal(layout(1, TASK_SIZE), TASK_SIZE_64);
	assert_true(layout(1, MMAP_BASE) < TASK_SIZE_64);
	/* mmk_brk(pid, 0) reports the current break: start_brk. */
	assert_int_equal(mmk_brk(1, 0), layout(1, START_BRK));
	assert_int_equal(layout(1, BRK), layout(1, START_BRK));
	finish(m);
}

/* smaps: the maps line, Linux 6.18's field list, VmFlags; the gate too. */
static void test_smaps_full_text(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	char *text;

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON), A);
	text = pid_file(m, 1, "smaps");
	assert_string_equal(text, "200000000-200004000 rw-p 00000000 00:00 0 \n"
				  "Size:                 16 kB\n"
				  "KernelPageSize:        4 kB\n"
				  "MMUPageSize:           4 kB\n"
				  "Rss:                   0 kB\n"
				  "Pss:                   0 kB\n"
				  "Pss_Dirty:             0 kB\n"
				  "Shared_Clean:          0 kB\n"
				  "Shared_Dirty:          0 kB\n"
				  "Private_Clean:         0 kB\n"
				  "Private_Dirty:         0 kB\n"
				  "Referenced:            0 kB\n"
				  "Anonymous:             0 kB\n"
				  "KSM:                   0 kB\n"
				  "LazyFree:              0 kB\n"
				  "AnonHugePages:         0 kB\n"
				  "ShmemPmdMapped:        0 kB\n"
				  "FilePmdMapped:         0 kB\n"
				  "Shared_Hugetlb:        0 kB\n"
				  "Private_Hugetlb:       0 kB\n"
				  "Swap:                  0 kB\n"
				  "SwapPss:               0 kB\n"
				  "Locked:                0 kB\n"
				  "THPeligible:           0\n"
				  "VmFlags: rd wr mr mw me ac \n" VSYSCALL
				  "Size:                  4 kB\n"
				  "KernelPageSize:        4 kB\n"
				  "MMUPageSize:           4 kB\n"
				  "Rss:                   0 kB\n"
				  "Pss:                   0 kB\n"
				  "Pss_Dirty:             0 kB\n"
				  "Shared_Clean:          0 kB\n"
				  "Shared_Dirty:          0 kB\n"
				  "Private_Clean:         0 kB\n"
				  "Private_Dirty:         0 kB\n"
				  "Referenced:            0 kB\n"
				  "Anonymous:             0 kB\n"
				  "KSM:                   0 kB\n"
				  "LazyFree:              0 kB\n"
				  "AnonHugePages:         0 kB\n"
				  "ShmemPmdMapped:        0 kB\n"
				  "FilePmdMapped:         0 kB\n"
				  "Shared_Hugetlb:        0 kB\n"
				  "Private_Hugetlb:       0 kB\n"
				  "Swap:                  0 kB\n"
				  "SwapPss:               0 kB\n"
				  "Locked:                0 kB\n"
				  "THPeligible:           0\n"
				  "VmFlags: ex \n");
	free(text);
	finish(m);
}

/* ---- munmap ---- */

static void test_munmap_hole_head_tail_whole(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 16 * PG, RW, ANON), A);
	assert_maps(m, 1,
		    "200000000-200010000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 64, 0, 64, 0, 0, 0);

	/* A hole in the middle splits the VMA in two. */
	assert_int_equal(mmk_munmap(1, A + 6 * PG, 2 * PG), 0);
	assert_maps(m, 1,
		    "200000000-200006000 rw-p 00000000 00:00 0 \n"
		    "200008000-200010000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 56, 0, 56, 0, 0, 0);
	assert_int_equal(map_count(1), 2);
	/* Both parts keep the flags. */
	assert_vmflags(m, 1, A, F_RW);
	assert_vmflags(m, 1, A + 8 * PG, F_RW);

	/* The head of a VMA. */
	assert_int_equal(mmk_munmap(1, A, PG), 0);
	assert_maps(m, 1,
		    "200001000-200006000 rw-p 00000000 00:00 0 \n"
		    "200008000-200010000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 52, 0, 52, 0, 0, 0);

	/* The tail of a VMA. */
	assert_int_equal(mmk_munmap(1, A + 14 * PG, 2 * PG), 0);
	assert_maps(m, 1,
		    "200001000-200006000 rw-p 00000000 00:00 0 \n"
		    "200008000-20000e000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 44, 0, 44, 0, 0, 0);

	/* A whole VMA. */
	assert_int_equal(mmk_munmap(1, A + 8 * PG, 6 * PG), 0);
	assert_maps(m, 1,
		    "200001000-200006000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 20, 0, 20, 0, 0, 0);
	assert_int_equal(map_count(1), 1);

	/* A hole: nothing to do, success. */
	assert_int_equal(mmk_munmap(1, A + MB, 4 * PG), 0);
	assert_maps(m, 1,
		    "200001000-200006000 rw-p 00000000 00:00 0 \n" VSYSCALL);

	/* The length rounds up to a page. */
	assert_int_equal(mmk_munmap(1, A + PG, 1), 0);
	assert_maps(m, 1,
		    "200002000-200006000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 16, 0, 16, 0, 0, 0);
	finish(m);
}

static void test_munmap_across_vmas_and_holes(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A + PG, 5 * PG, RW, ANON), A + PG);
	assert_int_equal(map_fixed(1, A + 0x10000, 4 * PG, PROT_READ, ANON),
			 A + 0x10000);
	assert_int_equal(map_fixed(1, A + 0x20000, 4 * PG, RX, ANON),
			 A + 0x20000);
	assert_maps(m, 1,
		    "200001000-200006000 rw-p 00000000 00:00 0 \n"
		    "200010000-200014000 r--p 00000000 00:00 0 \n"
		    "200020000-200024000 r-xp 00000000 00:00 0 \n" VSYSCALL);
	/* r is in none of data, stack or exec; rx private is VmLib. */
	assert_vm(m, 1, 52, 0, 20, 0, 0, 16);
	assert_vmflags(m, 1, A + 0x10000, F_R);
	assert_vmflags(m, 1, A + 0x20000, "rd ex mr mw me ");

	/* From the middle of the first VMA to the middle of the third,
	 * through two holes and the whole second VMA. */
	assert_int_equal(mmk_munmap(1, A + 3 * PG, 0x20000 - PG), 0);
	assert_maps(m, 1,
		    "200001000-200003000 rw-p 00000000 00:00 0 \n"
		    "200022000-200024000 r-xp 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 16, 0, 8, 0, 0, 8);
	assert_int_equal(map_count(1), 2);

	/* Everything at once. */
	assert_int_equal(mmk_munmap(1, A, MB), 0);
	assert_maps(m, 1, VSYSCALL);
	assert_vm(m, 1, 0, 0, 0, 0, 0, 0);
	finish(m);
}

static void test_munmap_einval(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON), A);
	assert_int_equal(mmk_munmap(1, A + 1, PG), -EINVAL);
	assert_int_equal(mmk_munmap(1, A, 0), -EINVAL);
	assert_int_equal(mmk_munmap(1, A + 1, 0), -EINVAL);
	assert_int_equal(mmk_munmap(1, A, -1UL), -EINVAL);
	/* The range must end at or below TASK_SIZE. */
	assert_int_equal(mmk_munmap(1, A, 0x800000000000UL - A), -EINVAL);
	assert_int_equal(mmk_munmap(1, TASK_SIZE_64, PG), -EINVAL);
	assert_int_equal(mmk_munmap(1, TASK_SIZE_64 - PG, 2 * PG), -EINVAL);
	assert_int_equal(mmk_munmap(1, 0x800000000000UL, PG), -EINVAL);
	assert_int_equal(mmk_munmap(1, 0xfffffffffffff000UL, PG), -EINVAL);
	assert_maps(m, 1,
		    "200000000-200004000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	/* Exactly up to TASK_SIZE is fine. */
	assert_int_equal(mmk_munmap(1, TASK_SIZE_64 - PG, PG), 0);
	assert_int_equal(mmk_munmap(1, A + 2 * PG, TASK_SIZE_64 - A - 2 * PG),
			 0);
	assert_maps(m, 1,
		    "200000000-200002000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 8, 0, 8, 0, 0, 0);
	finish(m);
}

/* ---- vm.max_map_count ---- */

/*
 * Make process 1 have exactly @target VMAs by adding or removing one-page
 * VMAs (never adjacent, so they do not merge) at 0x500000000 and up.
 */
static unsigned long filler_next = 0x500000000UL;

static void fill_to(int target)
{
	int n = map_count(1);

	while (n < target) {
		assert_int_equal(map(1, filler_next, PG, PROT_READ,
				     ANON | MAP_FIXED_NOREPLACE),
				 filler_next);
		filler_next += 2 * PG;
		n++;
	}
	while (n > target) {
		assert_true(filler_next > 0x500000000UL);
		filler_next -= 2 * PG;
		assert_int_equal(mmk_munmap(1, filler_next, PG), 0);
		assert_int_equal(map_count(1), n - 1);
		n--;
	}
	assert_int_equal(map_count(1), target);
}

/* The kernel's rules, observed with the default limit 65530 by filling a
 * real process with VMAs; here with a limit of 10. */
#define MAX_MAPS 10

static void test_max_map_count_splits(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	filler_next = 0x500000000UL;
	assert_int_equal(mmk_set_max_map_count(MAX_MAPS), 65530);
	assert_int_equal(map_fixed(1, A, 8 * PG, RW, ANON), A);
	fill_to(MAX_MAPS - 1);

	/* mprotect of the middle needs two splits: the first one brings
	 * the count to the limit, the second fails. The first stays. */
	assert_int_equal(mmk_mprotect(1, A + PG, PG, PROT_READ), -ENOMEM);
	assert_int_equal(map_count(1), MAX_MAPS);
	/* The window; the filler VMAs follow it. */
	assert_maps_start(m, 1,
			  "200000000-200001000 rw-p 00000000 00:00 0 \n"
			  "200001000-200008000 rw-p 00000000 00:00 0 \n");
	/* No change needed: no split, success. */
	assert_int_equal(mmk_mprotect(1, A + PG, PG, RW), 0);
	assert_int_equal(map_count(1), MAX_MAPS);

	/* At the limit, changes of whole VMAs work. */
	assert_int_equal(mmk_mprotect(1, A, PG, PROT_READ), 0);
	assert_int_equal(mmk_mlock(1, A, PG), 0);
	assert_int_equal(mmk_madvise(1, A, PG, MADV_DONTFORK), 0);
	assert_vmflags(m, 1, A, "rd mr mw me lo dc ");
	assert_int_equal(map_count(1), MAX_MAPS);
	/* but any split does not. */
	assert_int_equal(mmk_mprotect(1, A + PG, PG, PROT_READ), -ENOMEM);
	assert_int_equal(mmk_mlock(1, A + 7 * PG, PG), -ENOMEM);
	assert_int_equal(mmk_munlock(1, A + 7 * PG, PG), 0); /* no change */
	assert_int_equal(map_count(1), MAX_MAPS);
	assert_vm(m, 1, 64, 4, 28, 0, 0, 0);

	/* Two splits from MAX - 2 end at the limit. */
	fill_to(MAX_MAPS - 2);
	assert_int_equal(mmk_mprotect(1, A + 3 * PG, PG, PROT_READ), 0);
	assert_int_equal(map_count(1), MAX_MAPS);
	assert_maps_start(m, 1,
			  "200000000-200001000 r--p 00000000 00:00 0 \n"
			  "200001000-200003000 rw-p 00000000 00:00 0 \n"
			  "200003000-200004000 r--p 00000000 00:00 0 \n"
			  "200004000-200008000 rw-p 00000000 00:00 0 \n");
	finish(m);
}

/*
 * KERNEL DIFFERS: madvise turns ENOMEM from a split into EAGAIN ("kernel
 * resources temporarily unavailable", madvise_vma_behavior); mmkit
 * returns ENOMEM.
 */
static void test_max_map_count_madvise_split_is_eagain(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	filler_next = 0x500000000UL;
	mmk_set_max_map_count(MAX_MAPS);
	assert_int_equal(map_fixed(1, A, 8 * PG, RW, ANON), A);
	fill_to(MAX_MAPS);
	/* A whole VMA needs no split. */
	assert_int_equal(mmk_madvise(1, A, 8 * PG, MADV_DONTDUMP), 0);
	assert_vmflags(m, 1, A, "rd wr mr mw me ac dd ");
	assert_int_equal(mmk_madvise(1, A + 7 * PG, PG, MADV_DODUMP), -EAGAIN);
	assert_vmflags(m, 1, A, "rd wr mr mw me ac dd ");
	assert_int_equal(map_count(1), MAX_MAPS);
	finish(m);
}

static void test_max_map_count_munmap_and_mmap(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	filler_next = 0x500000000UL;
	mmk_set_max_map_count(MAX_MAPS);
	assert_int_equal(map_fixed(1, A, 8 * PG, RW, ANON), A);
	fill_to(MAX_MAPS);

	/* At the limit: a hole in the middle would make one more VMA. */
	assert_int_equal(mmk_munmap(1, A + 2 * PG, PG), -ENOMEM);
	/* So would MAP_FIXED in the middle. */
	assert_int_equal(map_fixed(1, A + 2 * PG, PG, PROT_READ, ANON),
			 -ENOMEM);
	assert_int_equal(map_count(1), MAX_MAPS);
	/* Unmapping a head, a tail or a whole VMA never adds one. */
	assert_int_equal(mmk_munmap(1, A, PG), 0);
	assert_int_equal(mmk_munmap(1, A + 7 * PG, PG), 0);
	assert_int_equal(map_count(1), MAX_MAPS);
	assert_int_equal(mmk_munmap(1, filler_next - 2 * PG, PG), 0);
	filler_next -= 2 * PG;
	assert_int_equal(map_count(1), MAX_MAPS - 1);

	/* One below: the hole in the middle works and reaches the limit. */
	assert_int_equal(mmk_munmap(1, A + 3 * PG, PG), 0);
	assert_int_equal(map_count(1), MAX_MAPS);
	/* MAP_FIXED in the middle from MAX - 1 ends at MAX + 1. */
	fill_to(MAX_MAPS - 1);
	assert_int_equal(map_fixed(1, A + 5 * PG, PG, PROT_READ, ANON),
			 A + 5 * PG);
	assert_int_equal(map_count(1), MAX_MAPS + 1);
	assert_maps_start(m, 1,
			  "200001000-200003000 rw-p 00000000 00:00 0 \n"
			  "200004000-200005000 rw-p 00000000 00:00 0 \n"
			  "200005000-200006000 r--p 00000000 00:00 0 \n"
			  "200006000-200007000 rw-p 00000000 00:00 0 \n");
	/* Above the limit every mmap fails, even one that would merge. */
	assert_int_equal(map_fixed(1, A + MB, PG, PROT_READ, ANON), -ENOMEM);
	assert_int_equal(map_fixed(1, A + 7 * PG, PG, RW, ANON), -ENOMEM);
	assert_int_equal(map(1, 0, PG, PROT_READ, ANON), -ENOMEM);
	/* Unmapping a head still works. */
	assert_int_equal(mmk_munmap(1, A + 6 * PG, PG), 0);
	assert_int_equal(map_count(1), MAX_MAPS);
	/* At exactly the limit a new VMA is still allowed (the check is
	 * map_count > max_map_count), once. */
	assert_int_equal(map_fixed(1, A + MB, PG, PROT_READ, ANON), A + MB);
	assert_int_equal(map_count(1), MAX_MAPS + 1);
	assert_int_equal(map_fixed(1, A + 2 * MB, PG, PROT_READ, ANON),
			 -ENOMEM);
	finish(m);
}

static void test_max_map_count_mremap_and_brk(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	unsigned long b;

	(void)state;
	filler_next = 0x500000000UL;
	mmk_set_max_map_count(MAX_MAPS);
	assert_int_equal(map_fixed(1, A, 8 * PG, RW, ANON), A);
	b = (unsigned long)mmk_brk(1, 0);
	assert_int_equal(mmk_brk(1, b + PG), b + PG);
	/* A move to a given address needs map_count + 2 < MAX - 3. */
	fill_to(MAX_MAPS - 5);
	assert_int_equal(mmk_mremap(1, A, PG, PG, MF, A + MB), -ENOMEM);
	assert_int_equal(mmk_mremap(1, A, PG, 2 * PG, MF, A + MB), -ENOMEM);
	fill_to(MAX_MAPS - 6);
	assert_int_equal(mmk_mremap(1, A + 7 * PG, PG, PG, MF, A + MB), A + MB);
	assert_int_equal(map_count(1), MAX_MAPS - 5);

	/* brk growth merging with the heap: allowed up to the limit ... */
	fill_to(MAX_MAPS);
	assert_int_equal(mmk_brk(1, b + 2 * PG), b + 2 * PG);
	assert_int_equal(map_count(1), MAX_MAPS);
	/* ... refused above it: brk returns the old break. */
	fill_to(MAX_MAPS + 1);
	assert_int_equal(mmk_brk(1, b + 3 * PG), b + 2 * PG);
	/* Shrinking works. */
	assert_int_equal(mmk_brk(1, b + PG), b + PG);
	assert_int_equal(map_count(1), MAX_MAPS + 1);
	finish(m);
}

/* ---- mmap ---- */

static void test_mmap_fixed_replaces_and_splits(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 8 * PG, RW, ANON), A);
	assert_int_equal(mmk_mlock(1, A + 2 * PG, 4 * PG), 0);
	assert_maps(m, 1,
		    "200000000-200002000 rw-p 00000000 00:00 0 \n"
		    "200002000-200006000 rw-p 00000000 00:00 0 \n"
		    "200006000-200008000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A + 2 * PG, "rd wr mr mw me lo ac ");
	assert_vm(m, 1, 32, 16, 32, 0, 0, 0);

	/* Over two locked pages, the unlocked tail and a hole. */
	assert_int_equal(map_fixed(1, A + 4 * PG, 6 * PG, PROT_READ, ANON),
			 A + 4 * PG);
	assert_maps(m, 1,
		    "200000000-200002000 rw-p 00000000 00:00 0 \n"
		    "200002000-200004000 rw-p 00000000 00:00 0 \n"
		    "200004000-20000a000 r--p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A + 2 * PG, "rd wr mr mw me lo ac ");
	assert_vmflags(m, 1, A + 4 * PG, F_R);
	assert_vm(m, 1, 40, 8, 16, 0, 0, 0);

	/* One locked page replaced by an unlocked rw one: no merge with the
	 * locked one before it; the r VMA after it differs too. */
	assert_int_equal(map_fixed(1, A + 3 * PG, PG, RW, ANON), A + 3 * PG);
	assert_maps(m, 1,
		    "200000000-200002000 rw-p 00000000 00:00 0 \n"
		    "200002000-200003000 rw-p 00000000 00:00 0 \n"
		    "200003000-200004000 rw-p 00000000 00:00 0 \n"
		    "200004000-20000a000 r--p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 40, 4, 16, 0, 0, 0);

	/* Replacing the locked page by an rw one: all three merge. */
	assert_int_equal(map_fixed(1, A + 2 * PG, PG, RW, ANON), A + 2 * PG);
	assert_maps(m, 1,
		    "200000000-200004000 rw-p 00000000 00:00 0 \n"
		    "200004000-20000a000 r--p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 40, 0, 16, 0, 0, 0);
	/* The length rounds up. */
	assert_int_equal(map_fixed(1, A + 10 * PG, 1, PROT_READ, ANON),
			 A + 10 * PG);
	assert_maps(m, 1,
		    "200000000-200004000 rw-p 00000000 00:00 0 \n"
		    "200004000-20000b000 r--p 00000000 00:00 0 \n" VSYSCALL);
	finish(m);
}

static void test_mmap_fixed_noreplace(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON), A);
	assert_int_equal(map(1, A + 2 * PG, 4 * PG, PROT_READ,
			     ANON | MAP_FIXED_NOREPLACE),
			 -EEXIST);
	assert_int_equal(map(1, A + 3 * PG, PG, PROT_READ,
			     ANON | MAP_FIXED_NOREPLACE),
			 -EEXIST);
	/* Nothing changed. */
	assert_maps(m, 1,
		    "200000000-200004000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 16, 0, 16, 0, 0, 0);
	/* Right after it: free, and it merges. */
	assert_int_equal(map(1, A + 4 * PG, 2 * PG, RW,
			     ANON | MAP_FIXED_NOREPLACE),
			 A + 4 * PG);
	assert_int_equal(map(1, A + 8 * PG, 2 * PG, PROT_READ,
			     ANON | MAP_FIXED_NOREPLACE),
			 A + 8 * PG);
	/* Overlapping only the last page of the range. */
	assert_int_equal(map(1, A + 6 * PG, 3 * PG, PROT_READ,
			     ANON | MAP_FIXED_NOREPLACE),
			 -EEXIST);
	assert_maps(m, 1,
		    "200000000-200006000 rw-p 00000000 00:00 0 \n"
		    "200008000-20000a000 r--p 00000000 00:00 0 \n" VSYSCALL);
	finish(m);
}

static void test_mmap_einval_and_ebadf(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	struct file *f = mmk_file_create("f", 64 * 1024, false);

	(void)state;
	assert_non_null(f);
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON), A);
	/* Length 0. */
	assert_int_equal(map_fixed(1, A + 20 * PG, 0, PROT_READ, ANON),
			 -EINVAL);
	assert_int_equal(map(1, 0, 0, PROT_READ, ANON), -EINVAL);
	/* Neither private nor shared; both (MAP_SHARED_VALIDATE) is
	 * invalid for anonymous memory. */
	assert_int_equal(map(1, A + 20 * PG, PG, PROT_READ,
			     MAP_ANONYMOUS | MAP_FIXED),
			 -EINVAL);
	assert_int_equal(map(1, A + 20 * PG, PG, PROT_READ, MAP_ANONYMOUS),
			 -EINVAL);
	assert_int_equal(map(1, A + 20 * PG, PG, PROT_READ,
			     MAP_ANONYMOUS | MAP_SHARED_VALIDATE),
			 -EINVAL);
	/* Unaligned address with MAP_FIXED or MAP_FIXED_NOREPLACE. */
	assert_int_equal(map_fixed(1, A + 20 * PG + 1, PG, PROT_READ, ANON),
			 -EINVAL);
	assert_int_equal(map(1, A + 20 * PG + 1, PG, PROT_READ,
			     ANON | MAP_FIXED_NOREPLACE),
			 -EINVAL);
	/* Unaligned offset, for files and anonymous memory alike. */
	assert_int_equal(mmk_mmap(1, A + 20 * PG, PG, PROT_READ,
				  MAP_PRIVATE | MAP_FIXED, f, 100),
			 -EINVAL);
	assert_int_equal(mmk_mmap(1, A + 20 * PG, PG, PROT_READ,
				  ANON | MAP_FIXED, NULL, 100),
			 -EINVAL);
	/* A file mapping of no known type; of length 0. */
	assert_int_equal(mmk_mmap(1, A + 20 * PG, PG, PROT_READ,
				  MAP_FIXED | MAP_TYPE, f, 0),
			 -EINVAL);
	assert_int_equal(mmk_mmap(1, A + 20 * PG, 0, PROT_READ,
				  MAP_PRIVATE | MAP_FIXED, f, 0),
			 -EINVAL);
	/* Not anonymous and no file: EBADF, checked before the length. */
	assert_int_equal(map(1, A + 20 * PG, PG, PROT_READ,
			     MAP_PRIVATE | MAP_FIXED),
			 -EBADF);
	assert_int_equal(map(1, A + 20 * PG, 0, PROT_READ,
			     MAP_PRIVATE | MAP_FIXED),
			 -EBADF);
	assert_int_equal(map(1, A + 20 * PG, PG, PROT_READ,
			     MAP_SHARED | MAP_FIXED),
			 -EBADF);
	/* MAP_GROWSDOWN with shared memory or a file. */
	assert_int_equal(map_fixed(1, A + 48 * PG, 4 * PG, RW,
				   SHANON | MAP_GROWSDOWN),
			 -EINVAL);
	assert_int_equal(mmk_mmap(1, A + 48 * PG, 4 * PG, RW,
				  MAP_PRIVATE | MAP_FIXED | MAP_GROWSDOWN, f,
				  0),
			 -EINVAL);
	/* Nothing changed. */
	assert_maps(m, 1,
		    "200000000-200004000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 16, 0, 16, 0, 0, 0);
	fput(f);
	finish(m);
}

/* Flag values of Linux's uapi that mmkit's header does not name. */
#define MAP_STACK_ 0x20000
#define MAP_SYNC_ 0x80000

/*
 * KERNEL DIFFERS: MAP_SHARED_VALIDATE refuses flags outside Linux's
 * LEGACY_MAP_MASK with EOPNOTSUPP (MAP_FIXED_NOREPLACE is one of them;
 * plain MAP_SHARED silently ignores them after using it), and MAP_SYNC
 * on a file that is not DAX is EOPNOTSUPP whatever the type; mmkit
 * ignores these flags.
 */
static void test_mmap_shared_validate_rejects_unknown_flags(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	struct file *f = mmk_file_create("f", 64 * 1024, false);
	struct text t = { .n = 0 };

	(void)state;
	assert_non_null(f);
	assert_int_equal(mmk_mmap(1, A, 2 * PG, RW,
				  MAP_SHARED_VALIDATE | MAP_FIXED, f, 0),
			 A);
	assert_int_equal(mmk_mmap(1, A + 8 * PG, 2 * PG, RW,
				  MAP_SHARED | MAP_FIXED_NOREPLACE, f, 0),
			 A + 8 * PG);
	assert_int_equal(mmk_mmap(1, A + 16 * PG, 2 * PG, RW,
				  MAP_SHARED_VALIDATE | MAP_FIXED | 0x800000, f,
				  0),
			 -EOPNOTSUPP);
	assert_int_equal(mmk_mmap(1, A + 16 * PG, 2 * PG, RW,
				  MAP_SHARED_VALIDATE | MAP_FIXED_NOREPLACE, f,
				  0),
			 -EOPNOTSUPP);
	assert_int_equal(mmk_mmap(1, A + 16 * PG, 2 * PG, RW,
				  MAP_SHARED_VALIDATE | MAP_FIXED | MAP_SYNC_,
				  f, 0),
			 -EOPNOTSUPP);
	assert_int_equal(mmk_mmap(1, A + 16 * PG, 2 * PG, RW,
				  MAP_SHARED | MAP_FIXED | MAP_SYNC_, f, 0),
			 -EOPNOTSUPP);
	assert_int_equal(mmk_mmap(1, A + 16 * PG, 2 * PG, RW,
				  MAP_PRIVATE | MAP_FIXED | MAP_SYNC_, f, 0),
			 -EOPNOTSUPP);
	add_line(&t, 72, A, A + 2 * PG, "rw-s", 0, "08:01", f->ino, "/f");
	add_line(&t, 72, A + 8 * PG, A + 10 * PG, "rw-s", 0, "08:01", f->ino,
		 "/f");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	fput(f);
	finish(m);
}

/*
 * KERNEL DIFFERS: since Linux 6.7 MAP_STACK gives VM_NOHUGEPAGE ("nh"),
 * so such a mapping does not merge with a plain one next to it; mmkit
 * ignores MAP_STACK.
 */
static void test_mmap_map_stack_is_nohugepage(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 2 * PG, RW, ANON | MAP_STACK_), A);
	assert_int_equal(map_fixed(1, A + 2 * PG, 2 * PG, RW, ANON),
			 A + 2 * PG);
	assert_maps(m, 1,
		    "200000000-200002000 rw-p 00000000 00:00 0 \n"
		    "200002000-200004000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, "rd wr mr mw me ac nh ");
	assert_vmflags(m, 1, A + 2 * PG, F_RW);
	finish(m);
}

static void test_mmap_file_offsets_and_modes(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	struct file *f = mmk_file_create("f", 64 * 1024, false);
	struct file *g = mmk_file_create("g", 64 * 1024, true);
	struct text t = { .n = 0 };
	unsigned long i;

	(void)state;
	assert_non_null(f);
	assert_non_null(g);
	/* Private mappings of pages 3-6 and 7-10 are pgoff-contiguous:
	 * they merge, and the offset column shows 0x3000. */
	assert_int_equal(mmk_mmap(1, A, 4 * PG, RW, MAP_PRIVATE | MAP_FIXED, f,
				  0x3000),
			 A);
	assert_int_equal(mmk_mmap(1, A + 4 * PG, 4 * PG, RW,
				  MAP_PRIVATE | MAP_FIXED, f, 0x7000),
			 A + 4 * PG);
	assert_int_equal(mmk_mmap(1, A + 8 * PG, 4 * PG, RW,
				  MAP_SHARED | MAP_FIXED, f, 0),
			 A + 8 * PG);
	/* A shared writable mapping of a read-only file: EACCES. */
	assert_int_equal(mmk_mmap(1, A + 16 * PG, 4 * PG, RW,
				  MAP_SHARED | MAP_FIXED, g, 0),
			 -EACCES);
	assert_int_equal(mmk_mmap(1, A + 16 * PG, 4 * PG, PROT_READ,
				  MAP_SHARED | MAP_FIXED, g, 0x2000),
			 A + 16 * PG);
	/* Private writable mappings of a read-only file are fine. */
	assert_int_equal(mmk_mmap(1, A + 20 * PG, 4 * PG, RW,
				  MAP_PRIVATE | MAP_FIXED, g, 0),
			 A + 20 * PG);
	assert_int_equal(mmk_mmap(1, A + 24 * PG, 2 * PG, RX,
				  MAP_PRIVATE | MAP_FIXED, g, 0),
			 A + 24 * PG);

	add_line(&t, 72, A, A + 8 * PG, "rw-p", 0x3000, "08:01", f->ino, "/f");
	add_line(&t, 72, A + 8 * PG, A + 12 * PG, "rw-s", 0, "08:01", f->ino,
		 "/f");
	add_line(&t, 72, A + 16 * PG, A + 20 * PG, "r--s", 0x2000, "08:01",
		 g->ino, "/g");
	add_line(&t, 72, A + 20 * PG, A + 24 * PG, "rw-p", 0, "08:01", g->ino,
		 "/g");
	add_line(&t, 72, A + 24 * PG, A + 26 * PG, "r-xp", 0, "08:01", g->ino,
		 "/g");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	/* The name starts at column 73. */
	assert_int_equal(strchr(t.s, '/') - t.s, 73);
	assert_vmflags(m, 1, A, F_RW);
	assert_vmflags(m, 1, A + 8 * PG, "rd wr sh mr mw me ms ");
	/* Read-only file, shared: no VM_MAYWRITE and no VM_SHARED. */
	assert_vmflags(m, 1, A + 16 * PG, "rd mr me ms ");
	assert_vmflags(m, 1, A + 20 * PG, F_RW);
	assert_vmflags(m, 1, A + 24 * PG, "rd ex mr mw me ");
	assert_vm(m, 1, 88, 0, 48, 0, 0, 8);

	/* mprotect cannot grant what the mapping may not have. */
	assert_int_equal(mmk_mprotect(1, A + 16 * PG, 4 * PG, RW), -EACCES);
	assert_int_equal(mmk_mprotect(1, A + 16 * PG, 4 * PG, RX), 0);
	assert_vmflags(m, 1, A + 16 * PG, "rd ex mr me ms ");
	/* A shared mapping of a writable file keeps VM_SHARED when made
	 * read-only. */
	assert_int_equal(mmk_mprotect(1, A + 8 * PG, 4 * PG, PROT_READ), 0);
	assert_vmflags(m, 1, A + 8 * PG, "rd sh mr mw me ms ");
	assert_vm(m, 1, 88, 0, 48, 0, 0, 24);

	/* The VMAs hold references: the files outlive our fput. */
	i = f->ino;
	fput(f);
	fput(g);
	assert_int_equal(ino_at(1, A), i);
	assert_int_equal(mmk_munmap(1, A, 64 * PG), 0);
	assert_maps(m, 1, VSYSCALL);
	finish(m);
}

static void test_shared_anonymous_is_dev_zero(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	unsigned long i1, i2;
	struct text t = { .n = 0 };

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, SHANON), A);
	assert_int_equal(map_fixed(1, A + 4 * PG, 4 * PG, RW, SHANON),
			 A + 4 * PG);
	assert_int_equal(map_fixed(1, A + 8 * PG, 4 * PG, RW, ANON),
			 A + 8 * PG);
	/* Each mapping has its own shmem object: no merging. */
	i1 = ino_at(1, A);
	i2 = ino_at(1, A + 4 * PG);
	assert_int_not_equal(i1, i2);
	add_line(&t, 72, A, A + 4 * PG, "rw-s", 0, "00:01", i1,
		 "/dev/zero (deleted)");
	add_line(&t, 72, A + 4 * PG, A + 8 * PG, "rw-s", 0, "00:01", i2,
		 "/dev/zero (deleted)");
	add_anon(&t, A + 8 * PG, A + 12 * PG, "rw-p");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	assert_vmflags(m, 1, A, "rd wr sh mr mw me ms ");
	/* Shared writable memory is not data. */
	assert_vm(m, 1, 48, 0, 16, 0, 0, 0);

	/* Split by mprotect: the offset column shows the shmem pgoff. */
	assert_int_equal(mmk_mprotect(1, A + PG, 2 * PG, PROT_READ), 0);
	t.n = 0;
	add_line(&t, 72, A, A + PG, "rw-s", 0, "00:01", i1,
		 "/dev/zero (deleted)");
	add_line(&t, 72, A + PG, A + 3 * PG, "r--s", 0x1000, "00:01", i1,
		 "/dev/zero (deleted)");
	add_line(&t, 72, A + 3 * PG, A + 4 * PG, "rw-s", 0x3000, "00:01", i1,
		 "/dev/zero (deleted)");
	add_line(&t, 72, A + 4 * PG, A + 8 * PG, "rw-s", 0, "00:01", i2,
		 "/dev/zero (deleted)");
	add_anon(&t, A + 8 * PG, A + 12 * PG, "rw-p");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	assert_vmflags(m, 1, A + PG, "rd sh mr mw me ms ");

	/* Undone: the pieces of one mapping merge again. */
	assert_int_equal(mmk_mprotect(1, A + PG, 2 * PG, RW), 0);
	t.n = 0;
	add_line(&t, 72, A, A + 4 * PG, "rw-s", 0, "00:01", i1,
		 "/dev/zero (deleted)");
	add_line(&t, 72, A + 4 * PG, A + 8 * PG, "rw-s", 0, "00:01", i2,
		 "/dev/zero (deleted)");
	add_anon(&t, A + 8 * PG, A + 12 * PG, "rw-p");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	assert_int_equal(map_count(1), 3);
	finish(m);
}

static void test_mmap_hints(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	unsigned long base;

	(void)state;
	base = layout(1, MMAP_BASE);
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON), A);
	/* A free hint is used as is. */
	assert_int_equal(map(1, A + 0x10000, 4 * PG, RW, ANON), A + 0x10000);
	/* An unaligned hint is rounded down: here onto a mapped page, so
	 * the kernel chooses (top-down under mmap_base). */
	assert_int_equal(map(1, A + 0x10123, 4 * PG, RW, ANON), base - 4 * PG);
	/* An occupied hint likewise; the new VMA is placed right below
	 * the previous one and merges with it. */
	assert_int_equal(map(1, A + 0x10000, 4 * PG, RW, ANON), base - 8 * PG);
	assert_int_equal(map(1, A + 0x2000, 4 * PG, PROT_READ, ANON),
			 base - 12 * PG);
	/* An unaligned free hint is rounded down and used. */
	assert_int_equal(map(1, A + 0x20123, 4 * PG, PROT_READ, ANON),
			 A + 0x20000);
	{
		struct text t = { .n = 0 };

		add(&t, "200000000-200004000 rw-p 00000000 00:00 0 \n"
			"200010000-200014000 rw-p 00000000 00:00 0 \n"
			"200020000-200024000 r--p 00000000 00:00 0 \n");
		add_anon(&t, base - 12 * PG, base - 8 * PG, "r--p");
		add_anon(&t, base - 8 * PG, base, "rw-p");
		add(&t, VSYSCALL);
		assert_maps(m, 1, t.s);
	}
	assert_vm(m, 1, 96, 0, 64, 0, 0, 0);
	finish(m);
}

static void test_mmap_topdown_below_mmap_base(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	unsigned long base, a1, a2, a3, a4, a5, a6, a7;
	struct mm_struct *mm;
	struct vm_area_struct *v;

	(void)state;
	base = layout(1, MMAP_BASE);
	a1 = (unsigned long)map(1, 0, 4 * PG, RW, ANON);
	a2 = (unsigned long)map(1, 0, 4 * PG, PROT_READ, ANON);
	a3 = (unsigned long)map(1, 0, 4 * PG, PROT_NONE, ANON);
	/* Each right below the one before. */
	assert_int_equal(a1, base - 4 * PG);
	assert_int_equal(a2, a1 - 4 * PG);
	assert_int_equal(a3, a2 - 4 * PG);
	/* A multiple of 2M: the highest 2M-aligned place that fits. */
	a4 = (unsigned long)map(1, 0, 4 * MB, RW, ANON);
	assert_int_equal(a4, (a3 - 4 * MB) & ~(2 * MB - 1));
	a5 = (unsigned long)map(1, 0, 2 * MB, RW, ANON);
	assert_int_equal(a5, a4 - 2 * MB);
	/* Not a multiple of 2M: no alignment, right below. */
	a6 = (unsigned long)map(1, 0, 2 * MB + PG, RW, ANON);
	assert_int_equal(a6, a5 - 2 * MB - PG);
	/* Shared anonymous memory is not aligned either. */
	a7 = (unsigned long)map(1, 0, 4 * MB, RW, SHANON);
	assert_int_equal(a7, a6 - 4 * MB);
	assert_int_equal(a7 & (2 * MB - 1), 2 * MB - PG);
	/* A small one fills the gap the alignment left, if it fits. */
	if (a3 - (a4 + 4 * MB) >= 8 * PG)
		assert_int_equal(map(1, 0, 8 * PG, PROT_EXEC, ANON),
				 a3 - 8 * PG);

	/* Every VMA is below mmap_base, none overlaps. */
	mm = get_mm(1);
	mmap_write_lock(mm);
	for_each_vma(mm, v) {
		assert_true(v->vm_end <= base);
		if (v->vm_next)
			assert_true(v->vm_end <= v->vm_next->vm_start);
	}
	mmap_write_unlock(mm);
	mmput(mm);
	{
		struct text t = { .n = 0 };

		add_line(&t, 72, a7, a7 + 4 * MB, "rw-s", 0, "00:01",
			 ino_at(1, a7), "/dev/zero (deleted)");
		/* a6, a5 and a4 are adjacent rw anonymous memory: merged. */
		add_anon(&t, a6, a4 + 4 * MB, "rw-p");
		if (a3 - (a4 + 4 * MB) >= 8 * PG)
			add_anon(&t, a3 - 8 * PG, a3, "--xp");
		add_anon(&t, a3, a2, "---p");
		add_anon(&t, a2, a1, "r--p");
		add_anon(&t, a1, base, "rw-p");
		add(&t, VSYSCALL);
		assert_maps(m, 1, t.s);
	}
	finish(m);
}

static void test_mmap_2m_multiples_are_2m_aligned(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	unsigned long len, a;

	(void)state;
	for (len = 2 * MB; len <= 16 * MB; len += 2 * MB) {
		a = (unsigned long)map(1, 0, len, RW, ANON);
		assert_false(IS_ERR_VALUE(a));
		assert_int_equal(a & (2 * MB - 1), 0);
		/* A page in between keeps them apart. */
		assert_false(IS_ERR_VALUE(
			(unsigned long)map(1, 0, PG, PROT_NONE, ANON)));
	}
	/* With a hint, or a file, no alignment is promised: a free hint is
	 * taken as is. */
	assert_int_equal(map(1, A + PG, 2 * MB, RW, ANON), A + PG);
	finish(m);
}

static void test_mmap_min_addr_needs_privilege(void **state)
{
	struct mmk_machine *m = boot();
	unsigned long base;

	(void)state;
	/* Unprivileged: nothing below mmap_min_addr (65536 in mmkit, as on
	 * Debian; the test host has 4096 and gives EPERM below that). */
	assert_int_equal(mmk_spawn(1, true), 0);
	base = layout(1, MMAP_BASE);
	assert_int_equal(map_fixed(1, 0, PG, PROT_READ, ANON), -EPERM);
	assert_int_equal(map_fixed(1, 0xf000, PG, PROT_READ, ANON), -EPERM);
	assert_int_equal(map(1, 0xf000, PG, PROT_READ,
			     ANON | MAP_FIXED_NOREPLACE),
			 -EPERM);
	assert_int_equal(map_fixed(1, 0x10000, PG, PROT_READ, ANON), 0x10000);
	/* A hint below is raised to mmap_min_addr (taken here: top-down). */
	assert_int_equal(map(1, 0xf000, PG, PROT_READ, ANON), base - PG);
	assert_int_equal(mmk_munmap(1, 0, 0x10000), 0);
	{
		struct text t = { .n = 0 };

		add(&t, "00010000-00011000 r--p 00000000 00:00 0 \n");
		add_anon(&t, base - PG, base, "r--p");
		add(&t, VSYSCALL);
		assert_maps(m, 1, t.s);
	}
	assert_vm(m, 1, 8, 0, 0, 0, 0, 0);
	assert_int_equal(mmk_exit(1), 0);

	/* Privileged (CAP_SYS_RAWIO): page 0 can be mapped. */
	assert_int_equal(mmk_spawn(2, false), 0);
	assert_int_equal(map_fixed(2, 0, PG, PROT_READ, ANON), 0);
	assert_int_equal(map_fixed(2, 0xf000, PG, RW, ANON), 0xf000);
	assert_int_equal(map(2, 0xe000, PG, PROT_READ,
			     ANON | MAP_FIXED_NOREPLACE),
			 0xe000);
	assert_int_equal(map(2, 0xe000, PG, PROT_READ,
			     ANON | MAP_FIXED_NOREPLACE),
			 -EEXIST);
	assert_maps(m, 2,
		    "00000000-00001000 r--p 00000000 00:00 0 \n"
		    "0000e000-0000f000 r--p 00000000 00:00 0 \n"
		    "0000f000-00010000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	finish(m);
}

/* Which status counter each kind of mapping counts in. */
static void test_status_counts_by_kind(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	struct file *f = mmk_file_create("f", 64 * 1024, false);
	char *text;

	(void)state;
	assert_non_null(f);
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON | MAP_GROWSDOWN), A);
	assert_int_equal(map_fixed(1, A + 4 * PG, 4 * PG, RW | PROT_EXEC, ANON),
			 A + 4 * PG);
	assert_int_equal(map_fixed(1, A + 8 * PG, 4 * PG, RX, ANON),
			 A + 8 * PG);
	assert_int_equal(map_fixed(1, A + 12 * PG, 4 * PG, PROT_EXEC, ANON),
			 A + 12 * PG);
	assert_int_equal(map_fixed(1, A + 16 * PG, 4 * PG, RW, SHANON),
			 A + 16 * PG);
	assert_int_equal(map_fixed(1, A + 20 * PG, 4 * PG, PROT_READ, ANON),
			 A + 20 * PG);
	assert_int_equal(mmk_mmap(1, A + 24 * PG, 4 * PG, RX,
				  MAP_SHARED | MAP_FIXED, f, 0),
			 A + 24 * PG);
	assert_int_equal(mmk_mmap(1, A + 28 * PG, 4 * PG, RW | PROT_EXEC,
				  MAP_SHARED | MAP_FIXED, f, 0),
			 A + 28 * PG);
	assert_int_equal(mmk_mmap(1, A + 32 * PG, 4 * PG, RW,
				  MAP_PRIVATE | MAP_FIXED, f, 0),
			 A + 32 * PG);
	assert_int_equal(map_fixed(1, A + 36 * PG, 4 * PG, RX,
				   ANON | MAP_GROWSDOWN),
			 A + 36 * PG);
	assert_vmflags(m, 1, A, "rd wr mr mw me gd ac ");
	assert_vmflags(m, 1, A + 4 * PG, "rd wr ex mr mw me ac ");
	assert_vmflags(m, 1, A + 8 * PG, "rd ex mr mw me ");
	assert_vmflags(m, 1, A + 12 * PG, "ex mr mw me ");
	assert_vmflags(m, 1, A + 24 * PG, "rd ex sh mr mw me ms ");
	assert_vmflags(m, 1, A + 28 * PG, "rd wr ex sh mr mw me ms ");
	assert_vmflags(m, 1, A + 36 * PG, "rd ex mr mw me gd ");
	/* Stack: both gd VMAs. Data: rwx private and the private file
	 * mapping. Exec (all VmLib without an ELF image): r-x, --x and the
	 * shared r-x file mapping. Shared rw, rwx and r count in none. */
	assert_vm(m, 1, 160, 0, 32, 32, 0, 48);
	/* Not [stack]: only the VMA holding start_stack is named. */
	text = pid_file(m, 1, "maps");
	assert_null(strstr(text, "[stack]"));
	free(text);
	fput(f);
	finish(m);
}

/* ---- mprotect ---- */

static void test_mprotect_split_and_remerge(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 8 * PG, RW, ANON), A);
	assert_int_equal(mmk_mprotect(1, A + 2 * PG, 2 * PG, PROT_READ), 0);
	assert_maps(m, 1,
		    "200000000-200002000 rw-p 00000000 00:00 0 \n"
		    "200002000-200004000 r--p 00000000 00:00 0 \n"
		    "200004000-200008000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A + 2 * PG, F_R);
	assert_vm(m, 1, 32, 0, 24, 0, 0, 0);
	assert_int_equal(mmk_mprotect(1, A + 2 * PG, 2 * PG, RW), 0);
	assert_maps(m, 1,
		    "200000000-200008000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, F_RW);
	assert_vm(m, 1, 32, 0, 32, 0, 0, 0);
	assert_int_equal(map_count(1), 1);

	/* Head and tail. */
	assert_int_equal(mmk_mprotect(1, A, 2 * PG, PROT_NONE), 0);
	assert_int_equal(mmk_mprotect(1, A + 6 * PG, 2 * PG, RX), 0);
	assert_maps(m, 1,
		    "200000000-200002000 ---p 00000000 00:00 0 \n"
		    "200002000-200006000 rw-p 00000000 00:00 0 \n"
		    "200006000-200008000 r-xp 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, "mr mw me ");
	assert_vmflags(m, 1, A + 6 * PG, "rd ex mr mw me ");
	assert_vm(m, 1, 32, 0, 16, 0, 0, 8);
	/* All of it: one VMA again. */
	assert_int_equal(mmk_mprotect(1, A, 8 * PG, RW), 0);
	assert_maps(m, 1,
		    "200000000-200008000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, F_RW);
	assert_vm(m, 1, 32, 0, 32, 0, 0, 0);
	finish(m);
}

static void test_mprotect_holes_and_einval(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 8 * PG, RW, ANON), A);
	assert_int_equal(map_fixed(1, A + 10 * PG, 4 * PG, PROT_READ, ANON),
			 A + 10 * PG);
	/* A hole in the middle: the part before it changed, ENOMEM. */
	assert_int_equal(mmk_mprotect(1, A + 4 * PG, 8 * PG, PROT_EXEC),
			 -ENOMEM);
	assert_maps(m, 1,
		    "200000000-200004000 rw-p 00000000 00:00 0 \n"
		    "200004000-200008000 --xp 00000000 00:00 0 \n"
		    "20000a000-20000e000 r--p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A + 4 * PG, "ex mr mw me ");
	assert_vm(m, 1, 48, 0, 16, 0, 0, 16);
	/* Starting in a hole: ENOMEM, nothing changes. */
	assert_int_equal(mmk_mprotect(1, A + 8 * PG, 4 * PG, PROT_READ),
			 -ENOMEM);
	assert_int_equal(mmk_mprotect(1, A + MB, PG, PROT_READ), -ENOMEM);
	/* Unaligned start: EINVAL even with length 0. */
	assert_int_equal(mmk_mprotect(1, A + 1, 0, PROT_READ), -EINVAL);
	assert_int_equal(mmk_mprotect(1, A + 1, PG, PROT_READ), -EINVAL);
	/* Length 0: nothing to do, even in a hole. */
	assert_int_equal(mmk_mprotect(1, A + 8 * PG, 0, PROT_READ), 0);
	/* Unknown protection bits; PROT_SEM (0x8) is accepted. */
	assert_int_equal(mmk_mprotect(1, A, PG, 0x10), -EINVAL);
	assert_int_equal(mmk_mprotect(1, A, PG, PROT_READ | 0x8), 0);
	/* The end wraps around: ENOMEM. */
	assert_int_equal(mmk_mprotect(1, A, -4096UL, PROT_READ), -ENOMEM);
	assert_maps(m, 1,
		    "200000000-200001000 r--p 00000000 00:00 0 \n"
		    "200001000-200004000 rw-p 00000000 00:00 0 \n"
		    "200004000-200008000 --xp 00000000 00:00 0 \n"
		    "20000a000-20000e000 r--p 00000000 00:00 0 \n" VSYSCALL);
	/* The length rounds up to a page. */
	assert_int_equal(mmk_mprotect(1, A + PG, 1, PROT_READ), 0);
	assert_maps(m, 1,
		    "200000000-200002000 r--p 00000000 00:00 0 \n"
		    "200002000-200004000 rw-p 00000000 00:00 0 \n"
		    "200004000-200008000 --xp 00000000 00:00 0 \n"
		    "20000a000-20000e000 r--p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 48, 0, 8, 0, 0, 16);
	finish(m);
}

/* VM_ACCOUNT (LINUX-VMA-RULES A): added when a private mapping becomes
 * writable, removed when it becomes read-only only without an anon_vma. */
static void test_mprotect_vm_account(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * PG, PROT_READ, ANON), A);
	assert_vmflags(m, 1, A, F_R);
	assert_int_equal(mmk_mprotect(1, A, 4 * PG, RW), 0);
	assert_vmflags(m, 1, A, F_RW);
	assert_vm(m, 1, 16, 0, 16, 0, 0, 0);
	/* Never written: VM_ACCOUNT goes, and a fresh r mapping merges. */
	assert_int_equal(mmk_mprotect(1, A, 4 * PG, PROT_READ), 0);
	assert_vmflags(m, 1, A, F_R);
	assert_int_equal(map_fixed(1, A + 4 * PG, 4 * PG, PROT_READ, ANON),
			 A + 4 * PG);
	assert_maps(m, 1,
		    "200000000-200008000 r--p 00000000 00:00 0 \n" VSYSCALL);

	/* Populated (so it has an anon_vma), then made read-only: it
	 * keeps VM_ACCOUNT and does not merge with a fresh r mapping. */
	assert_int_equal(map_fixed(1, A + 16 * PG, 4 * PG, RW,
				   ANON | MAP_POPULATE),
			 A + 16 * PG);
	assert_true(has_anon_vma(1, A + 16 * PG));
	assert_int_equal(mmk_mprotect(1, A + 16 * PG, 4 * PG, PROT_READ), 0);
	assert_vmflags(m, 1, A + 16 * PG, "rd mr mw me ac ");
	assert_int_equal(map_fixed(1, A + 20 * PG, 4 * PG, PROT_READ, ANON),
			 A + 20 * PG);
	assert_maps(m, 1,
		    "200000000-200008000 r--p 00000000 00:00 0 \n"
		    "200010000-200014000 r--p 00000000 00:00 0 \n"
		    "200014000-200018000 r--p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A + 20 * PG, F_R);
	/* Made writable again: it had VM_ACCOUNT, nothing changes but
	 * the protection. */
	assert_int_equal(mmk_mprotect(1, A + 16 * PG, 4 * PG, RW), 0);
	assert_vmflags(m, 1, A + 16 * PG, F_RW);
	assert_vm(m, 1, 64, 0, 16, 0, 0, 0);

	/* MAP_NORESERVE: never VM_ACCOUNT, also when made writable. */
	assert_int_equal(map_fixed(1, A + 32 * PG, 4 * PG, PROT_READ,
				   ANON | MAP_NORESERVE),
			 A + 32 * PG);
	assert_vmflags(m, 1, A + 32 * PG, "rd mr mw me nr ");
	assert_int_equal(mmk_mprotect(1, A + 32 * PG, 4 * PG, RW), 0);
	assert_int_equal(map_fixed(1, A + 36 * PG, 4 * PG, RW,
				   ANON | MAP_NORESERVE),
			 A + 36 * PG);
	assert_maps(m, 1,
		    "200000000-200008000 r--p 00000000 00:00 0 \n"
		    "200010000-200014000 rw-p 00000000 00:00 0 \n"
		    "200014000-200018000 r--p 00000000 00:00 0 \n"
		    "200020000-200028000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A + 32 * PG, "rd wr mr mw me nr ");
	assert_vm(m, 1, 96, 0, 48, 0, 0, 0);
	finish(m);
}

/* PROT_GROWSDOWN extends the change down to the start of a VM_GROWSDOWN
 * VMA; PROT_GROWSUP (no VM_GROWSUP on x86) and other VMAs: EINVAL. */
static void test_mprotect_growsdown(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A + 16 * PG, 4 * PG, RW,
				   ANON | MAP_GROWSDOWN),
			 A + 16 * PG);
	assert_int_equal(map_fixed(1, A + 32 * PG, 4 * PG, RW, ANON),
			 A + 32 * PG);
	assert_int_equal(mmk_mprotect(1, A + 18 * PG, PG,
				      PROT_READ | PROT_GROWSDOWN),
			 0);
	assert_int_equal(mmk_mprotect(1, A + 18 * PG, PG,
				      PROT_READ | PROT_GROWSUP),
			 -EINVAL);
	assert_int_equal(mmk_mprotect(1, A + 34 * PG, PG,
				      PROT_READ | PROT_GROWSDOWN),
			 -EINVAL);
	assert_int_equal(mmk_mprotect(1, A + 34 * PG, PG,
				      PROT_READ | PROT_GROWSDOWN |
					      PROT_GROWSUP),
			 -EINVAL);
	assert_maps(m, 1,
		    "200010000-200013000 r--p 00000000 00:00 0 \n"
		    "200013000-200014000 rw-p 00000000 00:00 0 \n"
		    "200020000-200024000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A + 16 * PG, "rd mr mw me gd ");
	assert_vmflags(m, 1, A + 19 * PG, "rd wr mr mw me gd ac ");
	assert_vm(m, 1, 32, 0, 16, 16, 0, 0);
	finish(m);
}

/* VmPeak: the largest VmSize so far (Linux records it before every
 * unmap, which gives the same maximum). */
static void test_vmpeak_tracks_the_largest_size(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	char *text;

	(void)state;
	assert_int_equal(map_fixed(1, A, 64 * PG, RW, ANON), A);
	assert_int_equal(mmk_munmap(1, A + 32 * PG, 32 * PG), 0);
	assert_int_equal(map_fixed(1, A + 32 * PG, 16 * PG, RW, ANON),
			 A + 32 * PG);
	text = pid_file(m, 1, "status");
	assert_non_null(strstr(text, "\nVmPeak:\t     256 kB\n"
				     "VmSize:\t     192 kB\n"));
	free(text);
	assert_int_equal(map_fixed(1, A + MB, 128 * PG, RW, ANON), A + MB);
	assert_int_equal(mmk_mprotect(1, A, 16 * PG, PROT_READ), 0);
	assert_int_equal(mmk_mremap(1, A + MB, 128 * PG, 256 * PG, 0, 0),
			 A + MB);
	assert_int_equal(mmk_mremap(1, A + MB, 256 * PG, 64 * PG, 0, 0),
			 A + MB);
	assert_int_equal(map_fixed(1, A, 8 * PG, RW, ANON), A);
	assert_int_equal(mmk_mremap(1, A + MB, 64 * PG, 64 * PG, MF,
				    A + 4 * MB),
			 A + 4 * MB);
	text = pid_file(m, 1, "status");
	assert_non_null(strstr(text, "\nVmPeak:\t    1216 kB\n"
				     "VmSize:\t     448 kB\n"));
	free(text);
	assert_int_equal(mmk_munmap(1, A, 64 * MB), 0);
	text = pid_file(m, 1, "status");
	assert_non_null(strstr(text, "\nVmPeak:\t    1216 kB\n"
				     "VmSize:\t       0 kB\n"));
	free(text);
	finish(m);
}

/* ---- mlock ---- */

static void test_mlock_splits_counts_and_merges(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 8 * PG, RW, ANON), A);
	assert_int_equal(mmk_mlock(1, A + 2 * PG, 2 * PG), 0);
	assert_maps(m, 1,
		    "200000000-200002000 rw-p 00000000 00:00 0 \n"
		    "200002000-200004000 rw-p 00000000 00:00 0 \n"
		    "200004000-200008000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A + 2 * PG, "rd wr mr mw me lo ac ");
	assert_vm(m, 1, 32, 8, 32, 0, 0, 0);
	/* Overlapping what is locked: only the new pages count. */
	assert_int_equal(mmk_mlock(1, A + PG, 4 * PG), 0);
	assert_maps(m, 1,
		    "200000000-200001000 rw-p 00000000 00:00 0 \n"
		    "200001000-200005000 rw-p 00000000 00:00 0 \n"
		    "200005000-200008000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 32, 16, 32, 0, 0, 0);
	/* The head of the locked VMA unlocked: it merges to the left. */
	assert_int_equal(mmk_munlock(1, A + PG, PG), 0);
	assert_maps(m, 1,
		    "200000000-200002000 rw-p 00000000 00:00 0 \n"
		    "200002000-200005000 rw-p 00000000 00:00 0 \n"
		    "200005000-200008000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 32, 12, 32, 0, 0, 0);
	/* Everything unlocked: one VMA. */
	assert_int_equal(mmk_munlock(1, A, 8 * PG), 0);
	assert_maps(m, 1,
		    "200000000-200008000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, F_RW);
	assert_vm(m, 1, 32, 0, 32, 0, 0, 0);
	/* Locked pages leave VmLck when unmapped. */
	assert_int_equal(mmk_mlock(1, A, 8 * PG), 0);
	assert_int_equal(mmk_munmap(1, A + 2 * PG, 3 * PG), 0);
	assert_vm(m, 1, 20, 20, 20, 0, 0, 0);
	finish(m);
}

static void test_mlock_holes(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 8 * PG, RW, ANON), A);
	assert_int_equal(map_fixed(1, A + 10 * PG, 2 * PG, RW, ANON),
			 A + 10 * PG);
	/* Starting in a hole: ENOMEM, no effect. */
	assert_int_equal(mmk_mlock(1, A + 8 * PG, 4 * PG), -ENOMEM);
	assert_vm(m, 1, 40, 0, 40, 0, 0, 0);
	/* A hole later: the part before it is locked, then ENOMEM. */
	assert_int_equal(mmk_mlock(1, A + 6 * PG, 8 * PG), -ENOMEM);
	assert_maps(m, 1,
		    "200000000-200006000 rw-p 00000000 00:00 0 \n"
		    "200006000-200008000 rw-p 00000000 00:00 0 \n"
		    "20000a000-20000c000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A + 6 * PG, "rd wr mr mw me lo ac ");
	assert_vmflags(m, 1, A + 10 * PG, F_RW);
	assert_vm(m, 1, 40, 8, 40, 0, 0, 0);
	/* munlock alike. */
	assert_int_equal(mmk_munlock(1, A + 9 * PG, 4 * PG), -ENOMEM);
	assert_int_equal(mmk_munlock(1, A + 4 * PG, 8 * PG), -ENOMEM);
	assert_maps(m, 1,
		    "200000000-200008000 rw-p 00000000 00:00 0 \n"
		    "20000a000-20000c000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 40, 0, 40, 0, 0, 0);
	finish(m);
}

static void test_mlock_unaligned_and_zero_length(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 8 * PG, RW, ANON), A);
	/* Unaligned start, length 0: the start rounds down, the end up;
	 * one page gets locked, as on the real kernel. */
	assert_int_equal(mmk_mlock(1, A + 1, 0), 0);
	assert_maps(m, 1,
		    "200000000-200001000 rw-p 00000000 00:00 0 \n"
		    "200001000-200008000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, "rd wr mr mw me lo ac ");
	assert_vm(m, 1, 32, 4, 32, 0, 0, 0);
	/* Aligned, length 0: nothing; an unaligned munlock of 0 unlocks
	 * the page. */
	assert_int_equal(mmk_mlock(1, A + 2 * PG, 0), 0);
	assert_int_equal(mmk_munlock(1, A + 1, 0), 0);
	assert_maps(m, 1,
		    "200000000-200008000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 32, 0, 32, 0, 0, 0);
	/* 4096 bytes from an unaligned start cover two pages. */
	assert_int_equal(mmk_mlock(1, A + 2 * PG + 100, PG), 0);
	assert_maps(m, 1,
		    "200000000-200002000 rw-p 00000000 00:00 0 \n"
		    "200002000-200004000 rw-p 00000000 00:00 0 \n"
		    "200004000-200008000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 32, 8, 32, 0, 0, 0);
	/* Length 0 in a hole: no ENOMEM. */
	assert_int_equal(mmk_mlock(1, A + MB, 0), 0);
	assert_int_equal(mmk_munlock(1, A + MB, 0), 0);
	finish(m);
}

static void test_mlock2_onfault_and_mlockall_einval(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 8 * PG, RW, ANON), A);
	assert_int_equal(mmk_mlock2(1, A, PG, 2), -EINVAL);
	assert_int_equal(mmk_mlock2(1, A, PG, MLOCK_ONFAULT), 0);
	assert_vmflags(m, 1, A, "rd wr mr mw me lo lf ac ");
	assert_int_equal(mmk_mlock2(1, A + 2 * PG, PG, 0), 0);
	assert_vmflags(m, 1, A + 2 * PG, "rd wr mr mw me lo ac ");
	assert_vm(m, 1, 32, 8, 32, 0, 0, 0);
	/* Locking an onfault page again without the flag clears it. */
	assert_int_equal(mmk_mlock(1, A, PG), 0);
	assert_vmflags(m, 1, A, "rd wr mr mw me lo ac ");
	assert_vm(m, 1, 32, 8, 32, 0, 0, 0);
	assert_int_equal(mmk_mlockall(1, 0), -EINVAL);
	assert_int_equal(mmk_mlockall(1, MCL_ONFAULT), -EINVAL);
	assert_int_equal(mmk_mlockall(1, 8), -EINVAL);
	/* munlockall merges each VMA with the one after it, and walks on
	 * after the merged one: as on Linux, two VMAs are left. */
	assert_int_equal(mmk_munlockall(1), 0);
	assert_maps(m, 1,
		    "200000000-200002000 rw-p 00000000 00:00 0 \n"
		    "200002000-200008000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, F_RW);
	assert_vmflags(m, 1, A + 2 * PG, F_RW);
	assert_vm(m, 1, 32, 0, 32, 0, 0, 0);
	/* mlockall(MCL_CURRENT | MCL_ONFAULT). */
	assert_int_equal(mmk_mlockall(1, MCL_CURRENT | MCL_ONFAULT), 0);
	assert_vmflags(m, 1, A, "rd wr mr mw me lo lf ac ");
	assert_vmflags(m, 1, A + 2 * PG, "rd wr mr mw me lo lf ac ");
	assert_vm(m, 1, 32, 32, 32, 0, 0, 0);
	assert_int_equal(mmk_munlockall(1), 0);
	assert_maps(m, 1,
		    "200000000-200002000 rw-p 00000000 00:00 0 \n"
		    "200002000-200008000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, F_RW);
	finish(m);
}

/* RLIMIT_MEMLOCK binds an unprivileged process. */
static void test_mlock_rlimit_memlock(void **state)
{
	struct mmk_machine *m = boot_with_process(true);

	(void)state;
	assert_int_equal(mmk_setrlimit(1, MMK_RLIMIT_MEMLOCK, 4 * PG), 0);
	assert_int_equal(map_fixed(1, A, 8 * PG, RW, ANON), A);
	assert_int_equal(mmk_mlock(1, A, 2 * PG), 0);
	assert_int_equal(mmk_mlock(1, A, 5 * PG), -ENOMEM);
	assert_int_equal(mmk_mlock(1, A + 2 * PG, 3 * PG), -ENOMEM);
	/* Pages already locked do not count twice. */
	assert_int_equal(mmk_mlock(1, A + PG, 3 * PG), 0);
	assert_maps(m, 1,
		    "200000000-200004000 rw-p 00000000 00:00 0 \n"
		    "200004000-200008000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 32, 16, 32, 0, 0, 0);
	assert_int_equal(mmk_mlock(1, A + 4 * PG, PG), -ENOMEM);
	/* MAP_LOCKED beyond the limit: EAGAIN. */
	assert_int_equal(map_fixed(1, A + 16 * PG, PG, RW, ANON | MAP_LOCKED),
			 -EAGAIN);
	assert_int_equal(map_fixed(1, A + 16 * PG, PG, RW, ANON), A + 16 * PG);
	/* mlockall(MCL_CURRENT) with more mapped than the limit. */
	assert_int_equal(mmk_mlockall(1, MCL_CURRENT), -ENOMEM);
	/* MCL_FUTURE is accepted; then a new mapping exceeds the limit. */
	assert_int_equal(mmk_mlockall(1, MCL_FUTURE), 0);
	assert_int_equal(map_fixed(1, A + 20 * PG, PG, RW, ANON), -EAGAIN);
	assert_int_equal(mmk_munlockall(1), 0);
	assert_int_equal(mmk_munlock(1, A, 8 * PG), 0);
	assert_int_equal(map_fixed(1, A + 20 * PG, PG, RW, ANON | MAP_LOCKED),
			 A + 20 * PG);
	assert_maps(m, 1,
		    "200000000-200008000 rw-p 00000000 00:00 0 \n"
		    "200010000-200011000 rw-p 00000000 00:00 0 \n"
		    "200014000-200015000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A + 20 * PG, "rd wr mr mw me lo ac ");
	assert_vm(m, 1, 40, 4, 40, 0, 0, 0);
	finish(m);
}

/* RLIMIT_MEMLOCK 0: locking is not permitted at all (EPERM). */
static void test_mlock_zero_rlimit_eperm(void **state)
{
	struct mmk_machine *m = boot_with_process(true);

	(void)state;
	assert_int_equal(map_fixed(1, A, 8 * PG, RW, ANON | MAP_LOCKED), A);
	assert_vm(m, 1, 32, 32, 32, 0, 0, 0);
	assert_int_equal(mmk_setrlimit(1, MMK_RLIMIT_MEMLOCK, 0), 0);
	assert_int_equal(mmk_mlock(1, A, PG), -EPERM);
	assert_int_equal(mmk_mlock(1, A, 0), -EPERM);
	assert_int_equal(mmk_mlock2(1, A, PG, MLOCK_ONFAULT), -EPERM);
	assert_int_equal(mmk_mlockall(1, MCL_CURRENT), -EPERM);
	assert_int_equal(mmk_mlockall(1, MCL_FUTURE), -EPERM);
	assert_int_equal(map_fixed(1, A + 16 * PG, PG, RW, ANON | MAP_LOCKED),
			 -EPERM);
	/* Unlocking is always allowed. */
	assert_int_equal(mmk_munlock(1, A, PG), 0);
	assert_int_equal(mmk_munlockall(1), 0);
	assert_maps(m, 1,
		    "200000000-200008000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 32, 0, 32, 0, 0, 0);
	/* A privileged process ignores the limit. */
	assert_int_equal(mmk_spawn(2, false), 0);
	assert_int_equal(mmk_setrlimit(2, MMK_RLIMIT_MEMLOCK, 0), 0);
	assert_int_equal(map_fixed(2, A, 8 * PG, RW, ANON), A);
	assert_int_equal(mmk_mlock(2, A, 8 * PG), 0);
	assert_vm(m, 2, 32, 32, 32, 0, 0, 0);
	finish(m);
}

static void test_mlockall_future_locks_mmap_and_brk(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	unsigned long b;
	struct text t = { .n = 0 };

	(void)state;
	b = (unsigned long)mmk_brk(1, 0);
	assert_int_equal(map_fixed(1, A, 2 * PG, RW, ANON), A);
	assert_int_equal(mmk_mlockall(1, MCL_FUTURE), 0);
	/* What exists is not locked ... */
	assert_vmflags(m, 1, A, F_RW);
	assert_vm(m, 1, 8, 0, 8, 0, 0, 0);
	/* ... what comes is, PROT_NONE included. */
	assert_int_equal(map_fixed(1, A + 2 * PG, 2 * PG, RW, ANON),
			 A + 2 * PG);
	assert_int_equal(map_fixed(1, A + 4 * PG, 2 * PG, PROT_NONE, ANON),
			 A + 4 * PG);
	assert_vmflags(m, 1, A + 2 * PG, "rd wr mr mw me lo ac ");
	assert_vmflags(m, 1, A + 4 * PG, "mr mw me lo ");
	assert_vm(m, 1, 24, 16, 16, 0, 0, 0);
	/* brk too. */
	assert_int_equal(mmk_brk(1, b + 3 * PG), b + 3 * PG);
	assert_vmflags(m, 1, b, "rd wr mr mw me lo ac ");
	assert_vm(m, 1, 36, 28, 28, 0, 0, 0);
	add(&t, "200000000-200002000 rw-p 00000000 00:00 0 \n"
		"200002000-200004000 rw-p 00000000 00:00 0 \n"
		"200004000-200006000 ---p 00000000 00:00 0 \n");
	add_line(&t, 72, b, b + 3 * PG, "rw-p", 0, "00:00", 0, "[heap]");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	/* MCL_CURRENT alone locks everything and ends MCL_FUTURE. */
	assert_int_equal(mmk_mlockall(1, MCL_CURRENT), 0);
	assert_int_equal(map_fixed(1, A + 8 * PG, 2 * PG, RW, ANON),
			 A + 8 * PG);
	assert_vmflags(m, 1, A, "rd wr mr mw me lo ac ");
	assert_vmflags(m, 1, A + 8 * PG, F_RW);
	t.n = 0;
	add(&t, "200000000-200004000 rw-p 00000000 00:00 0 \n"
		"200004000-200006000 ---p 00000000 00:00 0 \n"
		"200008000-20000a000 rw-p 00000000 00:00 0 \n");
	add_line(&t, 72, b, b + 3 * PG, "rw-p", 0, "00:00", 0, "[heap]");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	assert_vm(m, 1, 44, 36, 36, 0, 0, 0);
	assert_int_equal(mmk_munlockall(1), 0);
	assert_int_equal(mmk_brk(1, b), b);
	assert_maps(m, 1,
		    "200000000-200004000 rw-p 00000000 00:00 0 \n"
		    "200004000-200006000 ---p 00000000 00:00 0 \n"
		    "200008000-20000a000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 32, 0, 24, 0, 0, 0);
	finish(m);
}

static void test_mlockall_future_onfault(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(mmk_mlockall(1, MCL_FUTURE | MCL_ONFAULT), 0);
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON), A);
	assert_int_equal(mmk_mremap(1, A, 4 * PG, 8 * PG, 0, 0), A);
	assert_maps(m, 1,
		    "200000000-200008000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, "rd wr mr mw me lo lf ac ");
	assert_vm(m, 1, 32, 32, 32, 0, 0, 0);
	/* Nothing was faulted in. */
	assert_false(has_anon_vma(1, A));
	assert_int_equal(mmk_munlockall(1), 0);
	assert_vmflags(m, 1, A, F_RW);
	assert_vm(m, 1, 32, 0, 32, 0, 0, 0);
	finish(m);
}

/* mlock locks every VMA first, then populates; PROT_NONE fails. */
static void test_mlock_populate_failure_prot_none(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 2 * PG, RW, ANON), A);
	assert_int_equal(map_fixed(1, A + 2 * PG, 2 * PG, PROT_NONE, ANON),
			 A + 2 * PG);
	assert_int_equal(map_fixed(1, A + 4 * PG, 2 * PG, RW, ANON),
			 A + 4 * PG);
	assert_int_equal(mmk_mlock(1, A, 6 * PG), -ENOMEM);
	assert_maps(m, 1,
		    "200000000-200002000 rw-p 00000000 00:00 0 \n"
		    "200002000-200004000 ---p 00000000 00:00 0 \n"
		    "200004000-200006000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, "rd wr mr mw me lo ac ");
	assert_vmflags(m, 1, A + 2 * PG, "mr mw me lo ");
	assert_vmflags(m, 1, A + 4 * PG, "rd wr mr mw me lo ac ");
	assert_vm(m, 1, 24, 24, 16, 0, 0, 0);
	/* Populate stopped at the PROT_NONE VMA: the first was faulted
	 * (write faults, anon_vma), the last was not. */
	assert_true(has_anon_vma(1, A));
	assert_false(has_anon_vma(1, A + 4 * PG));
	/* Made writable, the middle is faulted too and all three merge. */
	assert_int_equal(mmk_mprotect(1, A + 2 * PG, 2 * PG, RW), 0);
	assert_maps(m, 1,
		    "200000000-200006000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 24, 24, 24, 0, 0, 0);
	assert_int_equal(mmk_munmap(1, A, 6 * PG), 0);

	/* MAP_LOCKED of PROT_NONE counts too (populate errors ignored). */
	assert_int_equal(map_fixed(1, A, 4 * PG, PROT_NONE, ANON | MAP_LOCKED),
			 A);
	assert_maps(m, 1,
		    "200000000-200004000 ---p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, "mr mw me lo ");
	assert_vm(m, 1, 16, 16, 0, 0, 0, 0);
	finish(m);
}

/* ---- mremap ---- */

static void test_mremap_shrink_and_grow_in_place(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	unsigned long base;

	(void)state;
	base = layout(1, MMAP_BASE);
	assert_int_equal(map_fixed(1, A, 8 * PG, RW, ANON), A);
	assert_int_equal(mmk_mremap(1, A, 8 * PG, 6 * PG, 0, 0), A);
	assert_maps(m, 1,
		    "200000000-200006000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 24, 0, 24, 0, 0, 0);
	assert_int_equal(map_fixed(1, A + 8 * PG, 4 * PG, RW, ANON),
			 A + 8 * PG);
	/* Growing up to the next VMA merges with it. */
	assert_int_equal(mmk_mremap(1, A, 6 * PG, 8 * PG, 0, 0), A);
	assert_maps(m, 1,
		    "200000000-20000c000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 48, 0, 48, 0, 0, 0);
	assert_int_equal(map_count(1), 1);
	assert_int_equal(mmk_mremap(1, A, 12 * PG, 14 * PG, 0, 0), A);
	assert_int_equal(map_fixed(1, A + 14 * PG, 2 * PG, PROT_READ, ANON),
			 A + 14 * PG);
	/* No room, no MREMAP_MAYMOVE: ENOMEM. */
	assert_int_equal(mmk_mremap(1, A, 14 * PG, 16 * PG, 0, 0), -ENOMEM);
	/* Not ending at the VMA's end: cannot grow in place either. */
	assert_int_equal(mmk_mremap(1, A, 10 * PG, 12 * PG, 0, 0), -ENOMEM);
	assert_maps(m, 1,
		    "200000000-20000e000 rw-p 00000000 00:00 0 \n"
		    "20000e000-200010000 r--p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 64, 0, 56, 0, 0, 0);

	/* MREMAP_MAYMOVE|MREMAP_FIXED: moved and grown at the address. */
	assert_int_equal(mmk_mremap(1, A, 14 * PG, 16 * PG, MF, A + MB),
			 A + MB);
	assert_maps(m, 1,
		    "20000e000-200010000 r--p 00000000 00:00 0 \n"
		    "200100000-200110000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 72, 0, 64, 0, 0, 0);
	/* Moved back over the r VMA, which goes. */
	assert_int_equal(mmk_mremap(1, A + MB, 16 * PG, 16 * PG, MF, A), A);
	assert_maps(m, 1,
		    "200000000-200010000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 64, 0, 64, 0, 0, 0);
	/* MREMAP_MAYMOVE with room: grows in place. */
	assert_int_equal(mmk_mremap(1, A, 16 * PG, 20 * PG, MREMAP_MAYMOVE, 0),
			 A);
	assert_maps(m, 1,
		    "200000000-200014000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	/* Without room: moves where mmap would put it. */
	assert_int_equal(map_fixed(1, A + 20 * PG, PG, PROT_READ, ANON),
			 A + 20 * PG);
	assert_int_equal(mmk_mremap(1, A, 20 * PG, 24 * PG, MREMAP_MAYMOVE, 0),
			 base - 24 * PG);
	{
		struct text t = { .n = 0 };

		add(&t, "200014000-200015000 r--p 00000000 00:00 0 \n");
		add_anon(&t, base - 24 * PG, base, "rw-p");
		add(&t, VSYSCALL);
		assert_maps(m, 1, t.s);
	}
	assert_vm(m, 1, 100, 0, 96, 0, 0, 0);
	finish(m);
}

static void test_mremap_errors(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON), A);
	assert_int_equal(mmk_mremap(1, A + 1, PG, PG, 0, 0), -EINVAL);
	assert_int_equal(mmk_mremap(1, A, PG, 0, 0, 0), -EINVAL);
	assert_int_equal(mmk_mremap(1, A, PG, PG, 8, 0), -EINVAL);
	/* MREMAP_FIXED and MREMAP_DONTUNMAP need MREMAP_MAYMOVE. */
	assert_int_equal(mmk_mremap(1, A, PG, PG, MREMAP_FIXED, A + MB),
			 -EINVAL);
	assert_int_equal(mmk_mremap(1, A, 2 * PG, 2 * PG, MREMAP_DONTUNMAP,
				    A + MB),
			 -EINVAL);
	/* Unaligned or overlapping new address; DONTUNMAP resizing. */
	assert_int_equal(mmk_mremap(1, A, PG, PG, MF, A + MB + 1), -EINVAL);
	assert_int_equal(mmk_mremap(1, A, 2 * PG, 2 * PG, MF, A + PG), -EINVAL);
	assert_int_equal(mmk_mremap(1, A, 2 * PG, PG,
				    MREMAP_MAYMOVE | MREMAP_DONTUNMAP, A + MB),
			 -EINVAL);
	/* New length beyond TASK_SIZE (or 0 after rounding). */
	assert_int_equal(mmk_mremap(1, A, PG, -1UL, MREMAP_MAYMOVE, 0),
			 -EINVAL);
	assert_int_equal(mmk_mremap(1, A, PG, -4096UL, MREMAP_MAYMOVE, 0),
			 -EINVAL);
	assert_int_equal(mmk_mremap(1, A, PG, 1UL << 47, MREMAP_MAYMOVE, 0),
			 -EINVAL);
	assert_int_equal(mmk_mremap(1, A, PG, TASK_SIZE_64, MREMAP_MAYMOVE, 0),
			 -ENOMEM);
	/* A new range ending beyond TASK_SIZE. */
	assert_int_equal(mmk_mremap(1, A, PG, PG, MF, TASK_SIZE_64), -EINVAL);
	assert_int_equal(mmk_mremap(1, A, PG, PG, MF, -4096UL), -EINVAL);
	/* No VMA at the old address: EFAULT. */
	assert_int_equal(mmk_mremap(1, A + 8 * PG, PG, 2 * PG, MREMAP_MAYMOVE,
				    0),
			 -EFAULT);
	assert_int_equal(mmk_mremap(1, A + 8 * PG, PG, PG, MF, A + MB),
			 -EFAULT);
	assert_int_equal(mmk_mremap(1, TASK_SIZE_64, PG, PG, 0, 0), -EFAULT);
	assert_int_equal(mmk_mremap(1, -4096UL, PG, 2 * PG, MREMAP_MAYMOVE, 0),
			 -EFAULT);
	/* Growth or a move whose kept part leaves the VMA: EFAULT. */
	assert_int_equal(mmk_mremap(1, A + 2 * PG, 4 * PG, 6 * PG,
				    MREMAP_MAYMOVE, 0),
			 -EFAULT);
	/* The same length without MREMAP_FIXED is a no-op, whatever the
	 * range covers. */
	assert_int_equal(mmk_mremap(1, A + 2 * PG, 4 * PG, 4 * PG, 0, 0),
			 A + 2 * PG);
	assert_maps(m, 1,
		    "200000000-200004000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 16, 0, 16, 0, 0, 0);
	finish(m);
}

static void test_mremap_old_len_zero(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	unsigned long ino;
	struct text t = { .n = 0 };

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON), A);
	/* Private memory cannot be duplicated. */
	assert_int_equal(mmk_mremap(1, A, 0, 2 * PG, MF, A + MB), -EINVAL);
	assert_int_equal(mmk_mremap(1, A, 0, 2 * PG, MREMAP_MAYMOVE, 0),
			 -EINVAL);
	assert_int_equal(mmk_mremap(1, A, 0, 2 * PG, 0, 0), -EINVAL);
	assert_int_equal(mmk_mremap(1, A + 4 * PG, 0, 2 * PG, MF, A + MB),
			 -EFAULT);
	/* Shared memory is: the same shmem object at the new address. */
	assert_int_equal(map_fixed(1, A + 16 * PG, 4 * PG, RW, SHANON),
			 A + 16 * PG);
	ino = ino_at(1, A + 16 * PG);
	assert_int_equal(mmk_mremap(1, A + 16 * PG, 0, 2 * PG, MF, A + MB),
			 A + MB);
	/* From page 1, at A + MB + 1 page: pgoff-contiguous, it merges. */
	assert_int_equal(mmk_mremap(1, A + 17 * PG, 0, 2 * PG, MF, A + MB + PG),
			 A + MB + PG);
	/* Without MREMAP_MAYMOVE there is no room for a copy. */
	assert_int_equal(mmk_mremap(1, A + 16 * PG, 0, 2 * PG, 0, 0), -ENOMEM);
	add(&t, "200000000-200004000 rw-p 00000000 00:00 0 \n");
	add_line(&t, 72, A + 16 * PG, A + 20 * PG, "rw-s", 0, "00:01", ino,
		 "/dev/zero (deleted)");
	add_line(&t, 72, A + MB, A + MB + 3 * PG, "rw-s", 0, "00:01", ino,
		 "/dev/zero (deleted)");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	assert_vm(m, 1, 44, 0, 16, 0, 0, 0);
	finish(m);
}

/* LINUX-VMA-RULES H: DONTUNMAP of a locked VMA overcounts VmLck. */
static void test_mremap_dontunmap_overcounts_vmlck(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON | MAP_LOCKED), A);
	assert_vm(m, 1, 16, 16, 16, 0, 0, 0);
	assert_int_equal(mmk_mremap(1, A, 4 * PG, 4 * PG, MD, A + MB), A + MB);
	/* The old VMA stays, unlocked; VmLck counts both. */
	assert_maps(m, 1,
		    "200000000-200004000 rw-p 00000000 00:00 0 \n"
		    "200100000-200104000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, F_RW);
	assert_vmflags(m, 1, A + MB, "rd wr mr mw me lo ac ");
	assert_vm(m, 1, 32, 32, 32, 0, 0, 0);
	assert_int_equal(mmk_munmap(1, A + MB, 4 * PG), 0);
	assert_vm(m, 1, 16, 16, 16, 0, 0, 0);
	assert_int_equal(mmk_munmap(1, A, 4 * PG), 0);
	assert_maps(m, 1, VSYSCALL);
	assert_vm(m, 1, 0, 16, 0, 0, 0, 0);
	/* A later mlock counts again. */
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON), A);
	assert_int_equal(mmk_mlock(1, A, 4 * PG), 0);
	assert_vm(m, 1, 16, 32, 16, 0, 0, 0);
	assert_int_equal(mmk_munmap(1, A, 4 * PG), 0);

	/* DONTUNMAP of the middle: the whole old VMA is unlocked, not
	 * split, and nothing is uncharged. */
	assert_int_equal(map_fixed(1, A, 8 * PG, RW, ANON | MAP_LOCKED), A);
	assert_vm(m, 1, 32, 48, 32, 0, 0, 0);
	assert_int_equal(mmk_mremap(1, A + 2 * PG, 2 * PG, 2 * PG, MD, A + MB),
			 A + MB);
	assert_maps(m, 1,
		    "200000000-200008000 rw-p 00000000 00:00 0 \n"
		    "200100000-200102000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, F_RW);
	assert_vmflags(m, 1, A + MB, "rd wr mr mw me lo ac ");
	assert_vm(m, 1, 40, 56, 40, 0, 0, 0);
	assert_int_equal(mmk_munmap(1, A, 64 * PG), 0);
	assert_int_equal(mmk_munmap(1, A + MB, 64 * PG), 0);
	/* Not even munlockall repairs it. */
	assert_int_equal(mmk_munlockall(1), 0);
	assert_vm(m, 1, 0, 48, 0, 0, 0, 0);
	finish(m);
}

static void test_mremap_locked_grow_and_shrink(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 2 * PG, RW, ANON | MAP_LOCKED), A);
	assert_vm(m, 1, 8, 8, 8, 0, 0, 0);
	assert_int_equal(mmk_mremap(1, A, 2 * PG, 4 * PG, 0, 0), A);
	assert_maps(m, 1,
		    "200000000-200004000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, "rd wr mr mw me lo ac ");
	assert_vm(m, 1, 16, 16, 16, 0, 0, 0);
	assert_int_equal(mmk_mremap(1, A, 4 * PG, PG, 0, 0), A);
	assert_vm(m, 1, 4, 4, 4, 0, 0, 0);
	/* Moving a locked VMA onto a locked one: the replaced part
	 * leaves VmLck, the moved part stays counted once. */
	assert_int_equal(map_fixed(1, A + MB, 4 * PG, RW, ANON | MAP_LOCKED),
			 A + MB);
	assert_vm(m, 1, 20, 20, 20, 0, 0, 0);
	assert_int_equal(map_fixed(1, A + 4 * PG, 4 * PG, RW, ANON),
			 A + 4 * PG);
	assert_int_equal(mmk_mremap(1, A + 4 * PG, 2 * PG, 2 * PG, MF,
				    A + MB + PG),
			 A + MB + PG);
	assert_maps(m, 1,
		    "200000000-200001000 rw-p 00000000 00:00 0 \n"
		    "200006000-200008000 rw-p 00000000 00:00 0 \n"
		    "200100000-200101000 rw-p 00000000 00:00 0 \n"
		    "200101000-200103000 rw-p 00000000 00:00 0 \n"
		    "200103000-200104000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A + MB, "rd wr mr mw me lo ac ");
	assert_vmflags(m, 1, A + MB + PG, F_RW);
	assert_vm(m, 1, 28, 12, 28, 0, 0, 0);
	finish(m);
}

/*
 * MMKIT BUG: when the page tables at the destination of a move cannot be
 * allocated, mremap gives ENOMEM (as Linux does: the entries go back and
 * the copy is unmapped), but the copy is unmapped without ever having
 * been counted: VmSize and VmData drop by its size while the old VMA is
 * still mapped, and the verifier fails.
 */
static void test_mremap_page_table_failure_keeps_counters(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	struct mmk_fail_attr fa = { 0 };
	uint64_t v = 0;

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON), A);
	assert_int_equal(mmk_write_u64(1, A + PG, 0x1234), 0);
	assert_int_equal(mmk_touch(1, A, 4 * PG, true), 0);
	/* Every page allocation from now on fails. */
	fa.nth = 1;
	fa.times = -1;
	assert_int_equal(mmk_fail_set(m, MMK_FAIL_PAGE_ALLOC, &fa), 0);
	assert_int_equal(mmk_mremap(1, A, 4 * PG, 4 * PG, MF, A + (1UL << 30)),
			 -ENOMEM);
	assert_int_equal(mmk_fail_set(m, MMK_FAIL_PAGE_ALLOC, NULL), 0);
	/* Nothing moved. */
	assert_maps(m, 1,
		    "200000000-200004000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 16, 0, 16, 0, 0, 0);
	assert_int_equal(mmk_read_u64(1, A + PG, &v), 0);
	assert_int_equal(v, 0x1234);
	finish(m);
}

/* LINUX-VMA-RULES I: the same length with MREMAP_FIXED moves every VMA
 * of the range, keeping the gaps (Linux 6.17+). */
static void test_mremap_moves_several_vmas(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	unsigned long ino;
	struct text t = { .n = 0 };

	(void)state;
	assert_int_equal(map_fixed(1, A, 2 * PG, RW, ANON), A);
	assert_int_equal(map_fixed(1, A + 3 * PG, 2 * PG, PROT_READ, ANON),
			 A + 3 * PG);
	assert_int_equal(map_fixed(1, A + 6 * PG, 2 * PG, RW, SHANON),
			 A + 6 * PG);
	assert_int_equal(map_fixed(1, A + MB + 2 * PG, PG, PROT_EXEC, ANON),
			 A + MB + 2 * PG);
	assert_int_equal(map_fixed(1, A + MB + 9 * PG, PG, PROT_EXEC, ANON),
			 A + MB + 9 * PG);
	ino = ino_at(1, A + 6 * PG);
	assert_vm(m, 1, 32, 0, 8, 0, 0, 8);

	/* [A + 1 page, A + 7 pages): the tail of the first VMA, the hole,
	 * the second VMA, the hole, the head of the shared one. */
	assert_int_equal(mmk_mremap(1, A + PG, 6 * PG, 6 * PG, MF, A + MB),
			 A + MB);
	add(&t, "200000000-200001000 rw-p 00000000 00:00 0 \n");
	add_line(&t, 72, A + 7 * PG, A + 8 * PG, "rw-s", 0x1000, "00:01", ino,
		 "/dev/zero (deleted)");
	/* The exec page at the destination was in a moved piece's place,
	 * the one at +9 pages was not. */
	add(&t, "200100000-200101000 rw-p 00000000 00:00 0 \n"
		"200102000-200104000 r--p 00000000 00:00 0 \n");
	add_line(&t, 72, A + MB + 5 * PG, A + MB + 6 * PG, "rw-s", 0, "00:01",
		 ino, "/dev/zero (deleted)");
	add(&t, "200109000-20010a000 --xp 00000000 00:00 0 \n" VSYSCALL);
	assert_maps(m, 1, t.s);
	assert_vm(m, 1, 28, 0, 8, 0, 0, 4);

	/* The range must start inside a VMA. */
	assert_int_equal(mmk_mremap(1, A + 2 * MB, 2 * PG, 2 * PG, MF,
				    A + 3 * MB),
			 -EFAULT);
	assert_int_equal(mmk_mremap(1, A + MB - PG, 4 * PG, 4 * PG, MF,
				    A + 3 * MB),
			 -EFAULT);
	assert_maps(m, 1, t.s);
	/* From a VMA across a hole to the shared page. */
	assert_int_equal(mmk_mremap(1, A, 8 * PG, 8 * PG, MF, A + 3 * MB),
			 A + 3 * MB);
	t.n = 0;
	add(&t, "200100000-200101000 rw-p 00000000 00:00 0 \n"
		"200102000-200104000 r--p 00000000 00:00 0 \n");
	add_line(&t, 72, A + MB + 5 * PG, A + MB + 6 * PG, "rw-s", 0, "00:01",
		 ino, "/dev/zero (deleted)");
	add(&t, "200109000-20010a000 --xp 00000000 00:00 0 \n"
		"200300000-200301000 rw-p 00000000 00:00 0 \n");
	add_line(&t, 72, A + 3 * MB + 7 * PG, A + 3 * MB + 8 * PG, "rw-s",
		 0x1000, "00:01", ino, "/dev/zero (deleted)");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	assert_vm(m, 1, 28, 0, 8, 0, 0, 4);
	finish(m);
}

static void test_mremap_shrink_across_vmas(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON), A);
	assert_int_equal(map_fixed(1, A + 4 * PG, 4 * PG, PROT_READ, ANON),
			 A + 4 * PG);
	assert_int_equal(map_fixed(1, A + 10 * PG, 4 * PG, RW, ANON),
			 A + 10 * PG);
	assert_int_equal(mmk_mremap(1, A, 12 * PG, 12 * PG, 0, 0), A);
	assert_int_equal(mmk_mremap(1, A, 6 * PG, 8 * PG, MREMAP_MAYMOVE, 0),
			 -EFAULT);
	assert_int_equal(mmk_mremap(1, A, 6 * PG, 6 * PG, MF, A + MB), A + MB);
	assert_maps(m, 1,
		    "200006000-200008000 r--p 00000000 00:00 0 \n"
		    "20000a000-20000e000 rw-p 00000000 00:00 0 \n"
		    "200100000-200104000 rw-p 00000000 00:00 0 \n"
		    "200104000-200106000 r--p 00000000 00:00 0 \n" VSYSCALL);
	/* A shrink unmaps the tail of the old range whatever is there. */
	assert_int_equal(mmk_mremap(1, A + MB, 12 * PG, 2 * PG, 0, 0), A + MB);
	assert_maps(m, 1,
		    "200006000-200008000 r--p 00000000 00:00 0 \n"
		    "20000a000-20000e000 rw-p 00000000 00:00 0 \n"
		    "200100000-200102000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 32, 0, 24, 0, 0, 0);
	/* A shrink that crosses TASK_SIZE - start ending exactly at
	 * TASK_SIZE unmaps everything above the kept part. */
	assert_int_equal(mmk_mremap(1, A + MB, TASK_SIZE_64 - A - MB, PG, 0, 0),
			 A + MB);
	assert_maps(m, 1,
		    "200006000-200008000 r--p 00000000 00:00 0 \n"
		    "20000a000-20000e000 rw-p 00000000 00:00 0 \n"
		    "200100000-200101000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	finish(m);
}

/*
 * KERNEL DIFFERS: a shrink whose old range ends beyond TASK_SIZE is EINVAL
 * on Linux (do_vmi_munmap's range check: len > TASK_SIZE - start); mmkit
 * unmaps the whole address space above the kept part and succeeds.
 */
static void test_mremap_shrink_beyond_task_size_is_einval(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON), A);
	assert_int_equal(map_fixed(1, A + MB, 4 * PG, RW, ANON), A + MB);
	assert_int_equal(mmk_mremap(1, A, TASK_SIZE_64, PG, 0, 0), -EINVAL);
	assert_int_equal(mmk_mremap(1, A, TASK_SIZE_64 - A + PG, PG,
				    MREMAP_MAYMOVE, 0),
			 -EINVAL);
	assert_int_equal(mmk_mremap(1, A, 1UL << 47, PG, 0, 0), -EINVAL);
	assert_int_equal(mmk_mremap(1, A, -4096UL, PG, 0, 0), -EINVAL);
	assert_maps(m, 1,
		    "200000000-200004000 rw-p 00000000 00:00 0 \n"
		    "200100000-200104000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 32, 0, 32, 0, 0, 0);
	finish(m);
}

static void test_mremap_shared_and_dontunmap(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	unsigned long ino;
	struct text t = { .n = 0 };

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, SHANON), A);
	ino = ino_at(1, A);
	assert_int_equal(mmk_mremap(1, A, 4 * PG, 4 * PG, MD, A + MB), A + MB);
	assert_int_equal(mmk_mremap(1, A + MB, 4 * PG, 8 * PG, 0, 0), A + MB);
	add_line(&t, 72, A, A + 4 * PG, "rw-s", 0, "00:01", ino,
		 "/dev/zero (deleted)");
	add_line(&t, 72, A + MB, A + MB + 8 * PG, "rw-s", 0, "00:01", ino,
		 "/dev/zero (deleted)");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	assert_vm(m, 1, 48, 0, 0, 0, 0, 0);
	/* Shrunk and moved: the shmem offset moves along. */
	assert_int_equal(mmk_mremap(1, A + MB + 2 * PG, 6 * PG, 4 * PG, MF,
				    A + 2 * MB),
			 A + 2 * MB);
	t.n = 0;
	add_line(&t, 72, A, A + 4 * PG, "rw-s", 0, "00:01", ino,
		 "/dev/zero (deleted)");
	add_line(&t, 72, A + MB, A + MB + 2 * PG, "rw-s", 0, "00:01", ino,
		 "/dev/zero (deleted)");
	add_line(&t, 72, A + 2 * MB, A + 2 * MB + 4 * PG, "rw-s", 0x2000,
		 "00:01", ino, "/dev/zero (deleted)");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	assert_vm(m, 1, 40, 0, 0, 0, 0, 0);
	finish(m);
}

/* LINUX-VMA-RULES D: a moved VMA without anon_vma takes its new
 * address's pgoff and merges there; one with an anon_vma keeps its own. */
static void test_mremap_merging_follows_anon_vma(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON), A);
	assert_int_equal(map_fixed(1, A + 8 * PG, 4 * PG, RW, ANON),
			 A + 8 * PG);
	assert_int_equal(mmk_mremap(1, A + 8 * PG, 4 * PG, 4 * PG, MF,
				    A + 4 * PG),
			 A + 4 * PG);
	assert_maps(m, 1,
		    "200000000-200008000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_int_equal(map_fixed(1, A + 16 * PG, 4 * PG, RW,
				   ANON | MAP_POPULATE),
			 A + 16 * PG);
	assert_int_equal(mmk_mremap(1, A + 16 * PG, 4 * PG, 4 * PG, MF,
				    A + 8 * PG),
			 A + 8 * PG);
	assert_maps(m, 1,
		    "200000000-200008000 rw-p 00000000 00:00 0 \n"
		    "200008000-20000c000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	/* Moved back where its pgoff lines up: a fresh neighbour merges. */
	assert_int_equal(mmk_mremap(1, A + 8 * PG, 4 * PG, 4 * PG, MF,
				    A + 16 * PG),
			 A + 16 * PG);
	assert_int_equal(map_fixed(1, A + 20 * PG, 4 * PG, RW, ANON),
			 A + 20 * PG);
	assert_maps(m, 1,
		    "200000000-200008000 rw-p 00000000 00:00 0 \n"
		    "200010000-200018000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	/* The tail of a never-faulted VMA moved out and back: merged. */
	assert_int_equal(mmk_mremap(1, A + 2 * PG, 2 * PG, 2 * PG, MF, A + MB),
			 A + MB);
	assert_int_equal(mmk_mremap(1, A + MB, 2 * PG, 2 * PG, MF, A + 2 * PG),
			 A + 2 * PG);
	assert_maps(m, 1,
		    "200000000-200008000 rw-p 00000000 00:00 0 \n"
		    "200010000-200018000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 64, 0, 64, 0, 0, 0);
	finish(m);
}

/* ---- brk ---- */

static void test_brk_grow_shrink_and_heap_name(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	unsigned long b;
	struct text t = { .n = 0 };

	(void)state;
	b = (unsigned long)mmk_brk(1, 0);
	assert_int_equal(b, layout(1, START_BRK));
	assert_int_equal(b & (PG - 1), 0);
	/* The break need not be page aligned; the heap VMA is. */
	assert_int_equal(mmk_brk(1, b + 3 * PG + 5), b + 3 * PG + 5);
	assert_int_equal(mmk_brk(1, 0), b + 3 * PG + 5);
	add_line(&t, 72, b, b + 4 * PG, "rw-p", 0, "00:00", 0, "[heap]");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	assert_vmflags(m, 1, b, F_RW);
	assert_vm(m, 1, 16, 0, 16, 0, 0, 0);
	/* Within the same page: only the break moves. */
	assert_int_equal(mmk_brk(1, b + 3 * PG + 100), b + 3 * PG + 100);
	assert_maps(m, 1, t.s);
	/* Shrinking unmaps what is above the new break. */
	assert_int_equal(mmk_brk(1, b + PG), b + PG);
	t.n = 0;
	add_line(&t, 72, b, b + PG, "rw-p", 0, "00:00", 0, "[heap]");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	assert_vm(m, 1, 4, 0, 4, 0, 0, 0);
	/* Below start_brk: refused, the old break is returned. */
	assert_int_equal(mmk_brk(1, b - PG), b + PG);
	assert_int_equal(mmk_brk(1, 1), b + PG);
	assert_maps(m, 1, t.s);
	/* A mapping next to the heap but above the break is no [heap]:
	 * and brk keeps a page away from it. */
	assert_int_equal(map_fixed(1, b + 5 * PG, PG, PROT_READ, ANON),
			 b + 5 * PG);
	assert_int_equal(mmk_brk(1, b + 5 * PG), b + PG);
	assert_int_equal(mmk_brk(1, b + 4 * PG + 1), b + PG);
	assert_int_equal(mmk_brk(1, b + 4 * PG), b + 4 * PG);
	t.n = 0;
	add_line(&t, 72, b, b + 4 * PG, "rw-p", 0, "00:00", 0, "[heap]");
	add_anon(&t, b + 5 * PG, b + 6 * PG, "r--p");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	/* Back to start_brk: no heap VMA at all. */
	assert_int_equal(mmk_brk(1, b), b);
	t.n = 0;
	add_anon(&t, b + 5 * PG, b + 6 * PG, "r--p");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	assert_vm(m, 1, 4, 0, 0, 0, 0, 0);
	/* A VMA starting at the break is not [heap] either. */
	assert_int_equal(map_fixed(1, b, PG, RW, ANON), b);
	t.n = 0;
	add_anon(&t, b, b + PG, "rw-p");
	add_anon(&t, b + 5 * PG, b + 6 * PG, "r--p");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	finish(m);
}

/*
 * KERNEL DIFFERS: brk extends only a VMA at or above start_brk
 * (do_brk_flags gets it from vma_prev_limit(start_brk)); an anonymous
 * VMA that ends at start_brk stays apart from the heap. mmkit merges the
 * heap into it.
 */
static void test_brk_does_not_merge_below_start_brk(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	unsigned long b;
	struct text t = { .n = 0 };

	(void)state;
	b = (unsigned long)mmk_brk(1, 0);
	assert_int_equal(map_fixed(1, b - PG, PG, RW, ANON), b - PG);
	assert_int_equal(mmk_brk(1, b + PG), b + PG);
	add_anon(&t, b - PG, b, "rw-p");
	add_line(&t, 72, b, b + PG, "rw-p", 0, "00:00", 0, "[heap]");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	assert_vm(m, 1, 8, 0, 8, 0, 0, 0);
	finish(m);
}

static void test_rlimit_data(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	unsigned long b;

	(void)state;
	b = (unsigned long)mmk_brk(1, 0);
	assert_int_equal(mmk_setrlimit(1, MMK_RLIMIT_DATA, 8 * PG), 0);
	/* brk: up to the limit, not beyond. */
	assert_int_equal(mmk_brk(1, b + 9 * PG), b);
	assert_int_equal(mmk_brk(1, b + 8 * PG), b + 8 * PG);
	assert_int_equal(mmk_brk(1, b + 8 * PG + 1), b + 8 * PG);
	assert_vm(m, 1, 32, 0, 32, 0, 0, 0);
	/* Data mappings beyond the limit: ENOMEM; others are fine. */
	assert_int_equal(map_fixed(1, A, PG, RW, ANON), -ENOMEM);
	assert_int_equal(map_fixed(1, A, PG, PROT_READ, ANON), A);
	assert_int_equal(mmk_mprotect(1, A, PG, RW), -ENOMEM);
	assert_int_equal(map_fixed(1, A + 16 * PG, 4 * PG, RW, SHANON),
			 A + 16 * PG);
	assert_int_equal(map_fixed(1, A + 32 * PG, 4 * PG, RX, ANON),
			 A + 32 * PG);
	/* Room made by shrinking the heap. */
	assert_int_equal(mmk_brk(1, b + 4 * PG), b + 4 * PG);
	assert_int_equal(map_fixed(1, A + 8 * PG, 4 * PG, RW, ANON),
			 A + 8 * PG);
	assert_int_equal(mmk_mremap(1, A + 8 * PG, 4 * PG, 5 * PG, 0, 0),
			 -ENOMEM);
	assert_int_equal(mmk_mremap(1, A + 8 * PG, 4 * PG, 3 * PG, 0, 0),
			 A + 8 * PG);
	assert_int_equal(mmk_mremap(1, A + 8 * PG, 3 * PG, 4 * PG, 0, 0),
			 A + 8 * PG);
	assert_int_equal(mmk_brk(1, b + 5 * PG), b + 4 * PG);
	assert_vm(m, 1, 68, 0, 32, 0, 0, 16);
	finish(m);
}

/*
 * A MAP_FIXED mapping that fails: what Linux 6.18's __mmap_region leaves
 * of the mappings it was to replace (each case checked on the
 * development machine's kernel with the same calls). The address-space
 * limits and the overcommit check come after the old VMAs were split at
 * the range's ends, and a failure there leaves them split; a shared
 * anonymous mapping's shmem charge comes after they were unmapped, and
 * its failure leaves a hole.
 */
static void test_map_fixed_failure_leaves_splits(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	unsigned long committed = meminfo_kb(m, "Committed_AS");
	const unsigned long GB = 1UL << 30;
	struct text t = { .n = 0 };

	(void)state;
	/* Overcommit refuses 64G of private writable memory in the middle
	 * of a 128G reservation: the reservation is split at both ends. */
	assert_int_equal(
		map_fixed(1, A, 128 * GB, PROT_NONE, ANON | MAP_NORESERVE), A);
	assert_int_equal(map_fixed(1, A + PG, 64 * GB, RW, ANON), -ENOMEM);
	add_anon(&t, A, A + PG, "---p");
	add_anon(&t, A + PG, A + PG + 64 * GB, "---p");
	add_anon(&t, A + PG + 64 * GB, A + 128 * GB, "---p");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	/* The same as shared memory: its shmem object is charged once the
	 * old mappings are gone, so the failure leaves a hole. */
	assert_int_equal(map_fixed(1, A + PG, 64 * GB, RW, SHANON), -ENOMEM);
	t.n = 0;
	add_anon(&t, A, A + PG, "---p");
	add_anon(&t, A + PG + 64 * GB, A + 128 * GB, "---p");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	assert_int_equal(meminfo_kb(m, "Committed_AS"), committed);
	assert_int_equal(mmk_munmap(1, A, 128 * GB), 0);
	/* RLIMIT_DATA refuses 12 new pages of data (4 of the 16 replace
	 * old ones): the old VMA is split where the mapping would start. */
	assert_int_equal(map_fixed(1, A, 32 * PG, PROT_READ, ANON), A);
	assert_int_equal(mmk_setrlimit(1, MMK_RLIMIT_DATA, 8 * PG), 0);
	assert_int_equal(map_fixed(1, A + 28 * PG, 16 * PG, RW, ANON), -ENOMEM);
	t.n = 0;
	add_anon(&t, A, A + 28 * PG, "r--p");
	add_anon(&t, A + 28 * PG, A + 32 * PG, "r--p");
	add(&t, VSYSCALL);
	assert_maps(m, 1, t.s);
	assert_int_equal(meminfo_kb(m, "Committed_AS"), committed);
	finish(m);
}

/* ---- madvise ---- */

/* LINUX-VMA-RULES J and the flag-changing advice's errors. */
static void test_madvise_errors(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON), A);
	assert_int_equal(map_fixed(1, A + 4 * PG, 2 * PG, RW,
				   ANON | MAP_LOCKED),
			 A + 4 * PG);
	assert_int_equal(map_fixed(1, A + 8 * PG, 2 * PG, RW, ANON),
			 A + 8 * PG);
	/* Unaligned start, also with length 0. */
	assert_int_equal(mmk_madvise(1, A + 1, PG, MADV_DONTNEED), -EINVAL);
	assert_int_equal(mmk_madvise(1, A + 1, 0, MADV_DONTNEED), -EINVAL);
	/* Length 0: nothing, even in a hole. */
	assert_int_equal(mmk_madvise(1, A, 0, MADV_DONTNEED), 0);
	assert_int_equal(mmk_madvise(1, A + 20 * PG, 0, MADV_DONTNEED), 0);
	/* Unknown advice; lengths that overflow. */
	assert_int_equal(mmk_madvise(1, A, PG, 12345), -EINVAL);
	assert_int_equal(mmk_madvise(1, A, PG, -1), -EINVAL);
	assert_int_equal(mmk_madvise(1, A, -1UL, MADV_DONTNEED), -EINVAL);
	assert_int_equal(mmk_madvise(1, A, -4096UL, MADV_DONTNEED), -EINVAL);
	assert_int_equal(mmk_madvise(1, A, 4 * PG, MADV_DONTNEED), 0);
	/* Reaching a locked VMA: EINVAL (and it wins over holes). */
	assert_int_equal(mmk_madvise(1, A, 6 * PG, MADV_DONTNEED), -EINVAL);
	assert_int_equal(mmk_madvise(1, A + 2 * PG, 8 * PG, MADV_DONTNEED),
			 -EINVAL);
	/* Holes anywhere: ENOMEM once everything mapped was done. */
	assert_int_equal(mmk_madvise(1, A + 6 * PG, 4 * PG, MADV_DONTNEED),
			 -ENOMEM);
	assert_int_equal(mmk_madvise(1, A + 6 * PG, PG, MADV_DONTNEED),
			 -ENOMEM);
	assert_int_equal(mmk_madvise(1, A + 11 * PG, PG, MADV_DONTNEED),
			 -ENOMEM);
	assert_int_equal(mmk_madvise(1, A + 8 * PG, 4 * PG, MADV_DONTNEED),
			 -ENOMEM);
	assert_int_equal(mmk_madvise(1, A + 8 * PG, 4 * PG, MADV_WILLNEED),
			 -ENOMEM);
	assert_int_equal(mmk_madvise(1, A + 8 * PG, 4 * PG, MADV_FREE),
			 -ENOMEM);
	assert_int_equal(mmk_madvise(1, A + 4 * PG, PG, MADV_FREE), -EINVAL);
	assert_int_equal(mmk_madvise(1, A + 4 * PG, PG, MADV_WILLNEED), 0);
	assert_int_equal(mmk_madvise(1, A + 20 * PG, PG, MADV_WILLNEED),
			 -ENOMEM);
	assert_int_equal(mmk_madvise(1, A + 20 * PG, PG, MADV_DONTFORK),
			 -ENOMEM);
	assert_int_equal(mmk_madvise(1, -4096UL, PG, MADV_DONTNEED), -EINVAL);
	assert_int_equal(mmk_madvise(1, TASK_SIZE_64, PG, MADV_DONTNEED),
			 -ENOMEM);
	/* Never changes the VMAs. */
	assert_maps(m, 1,
		    "200000000-200004000 rw-p 00000000 00:00 0 \n"
		    "200004000-200006000 rw-p 00000000 00:00 0 \n"
		    "200008000-20000a000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 32, 8, 32, 0, 0, 0);
	/* Only private anonymous memory takes WIPEONFORK and FREE. */
	assert_int_equal(map_fixed(1, A + 16 * PG, 2 * PG, RW, SHANON),
			 A + 16 * PG);
	assert_int_equal(mmk_madvise(1, A + 16 * PG, 2 * PG, MADV_WIPEONFORK),
			 -EINVAL);
	assert_int_equal(mmk_madvise(1, A + 16 * PG, 2 * PG, MADV_FREE),
			 -EINVAL);
	finish(m);
}

/*
 * KERNEL DIFFERS: Linux 6.18 accepts MADV_REMOVE (shared memory only),
 * MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE and
 * MADV_DONTNEED_LOCKED (holes: ENOMEM as for any advice); mmkit refuses
 * them all with EINVAL.
 */
static void test_madvise_accepts_linux_advice(void **state)
{
	static const int advice[] = { 20, 21, 22, 23, 24 };
	struct mmk_machine *m = boot_with_process(false);
	size_t i;

	(void)state;
	assert_int_equal(map_fixed(1, A, 8 * PG, RW, ANON), A);
	assert_int_equal(map_fixed(1, A + 8 * PG, 8 * PG, RW, SHANON),
			 A + 8 * PG);
	/* MADV_REMOVE (9): shared memory only. */
	assert_int_equal(mmk_madvise(1, A, 4 * PG, 9), -EINVAL);
	assert_int_equal(mmk_madvise(1, A + 8 * PG, 4 * PG, 9), 0);
	assert_int_equal(mmk_madvise(1, A + 16 * PG, 4 * PG, 9), -ENOMEM);
	for (i = 0; i < sizeof advice / sizeof advice[0]; i++) {
		assert_int_equal(mmk_madvise(1, A, 4 * PG, advice[i]), 0);
		assert_int_equal(mmk_madvise(1, A + 8 * PG, 4 * PG, advice[i]),
				 0);
		assert_int_equal(mmk_madvise(1, A + 16 * PG, 4 * PG, advice[i]),
				 -ENOMEM);
	}
	/* Unused advice numbers stay EINVAL. */
	assert_int_equal(mmk_madvise(1, A, 4 * PG, 5), -EINVAL);
	assert_int_equal(mmk_madvise(1, A, 4 * PG, 26), -EINVAL);
	assert_maps_start(m, 1,
			  "200000000-200008000 rw-p 00000000 00:00 0 \n"
			  "200008000-200010000 rw-s 00000000 00:01 ");
	assert_vmflags(m, 1, A, F_RW);
	finish(m);
}

static void test_madvise_flags_split_and_merge(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON), A);
	assert_int_equal(map_fixed(1, A + 4 * PG, 2 * PG, RW,
				   ANON | MAP_LOCKED),
			 A + 4 * PG);
	assert_int_equal(map_fixed(1, A + 8 * PG, 2 * PG, RW, ANON),
			 A + 8 * PG);
	assert_int_equal(mmk_madvise(1, A + PG, 2 * PG, MADV_DONTFORK), 0);
	assert_maps(m, 1,
		    "200000000-200001000 rw-p 00000000 00:00 0 \n"
		    "200001000-200003000 rw-p 00000000 00:00 0 \n"
		    "200003000-200004000 rw-p 00000000 00:00 0 \n"
		    "200004000-200006000 rw-p 00000000 00:00 0 \n"
		    "200008000-20000a000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, F_RW);
	assert_vmflags(m, 1, A + PG, "rd wr mr mw me dc ac ");
	assert_vmflags(m, 1, A + 3 * PG, F_RW);
	assert_int_equal(mmk_madvise(1, A, 4 * PG, MADV_DONTDUMP), 0);
	assert_vmflags(m, 1, A, "rd wr mr mw me ac dd ");
	assert_vmflags(m, 1, A + PG, "rd wr mr mw me dc ac dd ");
	assert_vmflags(m, 1, A + 3 * PG, "rd wr mr mw me ac dd ");
	assert_int_equal(map_count(1), 5);
	/* Undone: one VMA again (the locked one stays apart). */
	assert_int_equal(mmk_madvise(1, A, 4 * PG, MADV_DOFORK), 0);
	assert_int_equal(mmk_madvise(1, A, 4 * PG, MADV_DODUMP), 0);
	assert_maps(m, 1,
		    "200000000-200004000 rw-p 00000000 00:00 0 \n"
		    "200004000-200006000 rw-p 00000000 00:00 0 \n"
		    "200008000-20000a000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, F_RW);
	/* With holes: every mapped part is changed, then ENOMEM. */
	assert_int_equal(mmk_madvise(1, A + 2 * PG, 10 * PG, MADV_RANDOM),
			 -ENOMEM);
	assert_maps(m, 1,
		    "200000000-200002000 rw-p 00000000 00:00 0 \n"
		    "200002000-200004000 rw-p 00000000 00:00 0 \n"
		    "200004000-200006000 rw-p 00000000 00:00 0 \n"
		    "200008000-20000a000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, F_RW);
	assert_vmflags(m, 1, A + 2 * PG, "rd wr mr mw me rr ac ");
	assert_vmflags(m, 1, A + 4 * PG, "rd wr mr mw me lo rr ac ");
	assert_vmflags(m, 1, A + 8 * PG, "rd wr mr mw me rr ac ");
	assert_int_equal(mmk_madvise(1, A, 12 * PG, MADV_NORMAL), -ENOMEM);
	assert_int_equal(mmk_madvise(1, A, 4 * PG, MADV_SEQUENTIAL), 0);
	assert_int_equal(mmk_madvise(1, A, 4 * PG, MADV_WIPEONFORK), 0);
	assert_maps(m, 1,
		    "200000000-200004000 rw-p 00000000 00:00 0 \n"
		    "200004000-200006000 rw-p 00000000 00:00 0 \n"
		    "200008000-20000a000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, "rd wr mr mw me sr ac wf ");
	assert_vmflags(m, 1, A + 4 * PG, "rd wr mr mw me lo ac ");
	assert_int_equal(mmk_madvise(1, A, 4 * PG, MADV_KEEPONFORK), 0);
	assert_int_equal(mmk_madvise(1, A, 4 * PG, MADV_NORMAL), 0);
	assert_vmflags(m, 1, A, F_RW);
	assert_vm(m, 1, 32, 8, 32, 0, 0, 0);
	finish(m);
}

/* MADV_HUGEPAGE and MADV_NOHUGEPAGE set their VMA flags (splitting and
 * merging as any flag does), but the THP policy is "never": no VMA is
 * THPeligible, not even an aligned 2M range that asked for huge pages.
 * i386 (no PAE) has no THP: both are EINVAL there. */
static void test_madvise_hugepage_flags(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * MB, RW, ANON), A);
	assert_thp_eligible(m, 1, A, 0);
	assert_int_equal(mmk_madvise(1, A + MB, 2 * MB, MADV_HUGEPAGE), 0);
	assert_maps(m, 1,
		    "200000000-200100000 rw-p 00000000 00:00 0 \n"
		    "200100000-200300000 rw-p 00000000 00:00 0 \n"
		    "200300000-200400000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A + MB, "rd wr mr mw me ac hg ");
	/* No aligned 2 MiB lies in that VMA. */
	assert_thp_eligible(m, 1, A + MB, 0);
	assert_int_equal(mmk_madvise(1, A, 4 * MB, MADV_NOHUGEPAGE), 0);
	assert_maps(m, 1,
		    "200000000-200400000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, "rd wr mr mw me ac nh ");
	assert_int_equal(mmk_madvise(1, A, 4 * MB, MADV_HUGEPAGE), 0);
	assert_maps(m, 1,
		    "200000000-200400000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vmflags(m, 1, A, "rd wr mr mw me ac hg ");
	/* enabled=madvise, Debian's default: MADV_HUGEPAGE allows them. */
	assert_thp_eligible(m, 1, A, 1);
	assert_int_equal(mmk_thp_set("enabled", "never"), 0);
	assert_thp_eligible(m, 1, A, 0);
	assert_int_equal(mmk_thp_set("enabled", "sometimes"), -EINVAL);
	finish(m);

	m = mmk_test_boot(MMK_ARCH_I386, 1ULL << 30, 1, 2, true);
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(map_fixed(1, 0x20000000UL, 4 * MB, RW, ANON),
			 0x20000000UL);
	assert_int_equal(mmk_madvise(1, 0x20000000UL, 4 * MB, MADV_HUGEPAGE),
			 -EINVAL);
	assert_int_equal(mmk_madvise(1, 0x20000000UL, 4 * MB, MADV_NOHUGEPAGE),
			 -EINVAL);
	finish(m);
}

/* ---- fork and exit ---- */

static void test_fork_copies_maps_except_dontcopy(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	unsigned long ino;
	struct text t = { .n = 0 }, c = { .n = 0 };
	char *text;

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON), A);
	assert_int_equal(map_fixed(1, A + 4 * PG, 2 * PG, RW,
				   ANON | MAP_LOCKED),
			 A + 4 * PG);
	assert_int_equal(map_fixed(1, A + 8 * PG, 4 * PG, RW, ANON),
			 A + 8 * PG);
	assert_int_equal(mmk_madvise(1, A + 9 * PG, 2 * PG, MADV_DONTFORK), 0);
	assert_int_equal(map_fixed(1, A + 16 * PG, 2 * PG, RW, SHANON),
			 A + 16 * PG);
	assert_int_equal(map_fixed(1, A + 18 * PG, 2 * PG, RX, ANON),
			 A + 18 * PG);
	assert_int_equal(map_fixed(1, A + 24 * PG, 2 * PG, RW,
				   ANON | MAP_LOCKED),
			 A + 24 * PG);
	assert_int_equal(mmk_madvise(1, A + 24 * PG, 2 * PG, MADV_DONTFORK), 0);
	assert_int_equal(map_fixed(1, A + 28 * PG, 2 * PG, RW,
				   ANON | MAP_POPULATE),
			 A + 28 * PG);
	assert_int_equal(mmk_madvise(1, A + 28 * PG, 2 * PG, MADV_WIPEONFORK),
			 0);
	ino = ino_at(1, A + 16 * PG);
	add(&t, "200000000-200004000 rw-p 00000000 00:00 0 \n"
		"200004000-200006000 rw-p 00000000 00:00 0 \n"
		"200008000-200009000 rw-p 00000000 00:00 0 \n"
		"200009000-20000b000 rw-p 00000000 00:00 0 \n"
		"20000b000-20000c000 rw-p 00000000 00:00 0 \n");
	add_line(&t, 72, A + 16 * PG, A + 18 * PG, "rw-s", 0, "00:01", ino,
		 "/dev/zero (deleted)");
	add(&t, "200012000-200014000 r-xp 00000000 00:00 0 \n"
		"200018000-20001a000 rw-p 00000000 00:00 0 \n"
		"20001c000-20001e000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_maps(m, 1, t.s);
	assert_vm(m, 1, 72, 16, 56, 0, 0, 8);

	assert_int_equal(mmk_fork(1, 2), 0);
	/* The child: no VM_DONTCOPY VMA, nothing locked, and the VMA that
	 * was locked does not merge with its neighbour. */
	add(&c, "200000000-200004000 rw-p 00000000 00:00 0 \n"
		"200004000-200006000 rw-p 00000000 00:00 0 \n"
		"200008000-200009000 rw-p 00000000 00:00 0 \n"
		"20000b000-20000c000 rw-p 00000000 00:00 0 \n");
	add_line(&c, 72, A + 16 * PG, A + 18 * PG, "rw-s", 0, "00:01", ino,
		 "/dev/zero (deleted)");
	add(&c, "200012000-200014000 r-xp 00000000 00:00 0 \n"
		"20001c000-20001e000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_maps(m, 2, c.s);
	assert_vmflags(m, 2, A + 4 * PG, F_RW);
	assert_vmflags(m, 2, A + 28 * PG, "rd wr mr mw me ac wf ");
	assert_vm(m, 2, 56, 0, 40, 0, 0, 8);
	text = pid_file(m, 2, "status");
	assert_non_null(strstr(text, "\nPPid:\t1\n"));
	free(text);
	/* The parent is unchanged. */
	assert_maps(m, 1, t.s);
	assert_vm(m, 1, 72, 16, 56, 0, 0, 8);
	/* mlockall(MCL_FUTURE) is not inherited. */
	assert_int_equal(mmk_mlockall(1, MCL_FUTURE), 0);
	assert_int_equal(mmk_fork(1, 3), 0);
	assert_int_equal(map_fixed(3, A + MB, PG, RW, ANON), A + MB);
	assert_vmflags(m, 3, A + MB, F_RW);
	assert_int_equal(map_fixed(1, A + MB, PG, RW, ANON), A + MB);
	assert_vmflags(m, 1, A + MB, "rd wr mr mw me lo ac ");
	finish(m);
}

static void test_exit_returns_every_vma(void **state)
{
	struct mmk_machine *m = boot();
	unsigned long vmas0, files0;
	char *text;
	int round;

	(void)state;
	/* The first round creates the caches and their slabs. */
	for (round = 0; round < 2; round++) {
		struct file *f;
		int i;

		if (round == 1) {
			vmas0 = slab_active(m, "vm_area_struct");
			files0 = slab_active(m, "filp");
		}
		assert_int_equal(mmk_spawn(1, false), 0);
		f = mmk_file_create("f", 64 * 1024, false);
		assert_non_null(f);
		for (i = 0; i < 64; i++)
			assert_int_equal(map_fixed(1, A + 2 * i * PG, PG,
						   i % 3 ? RW : PROT_READ,
						   i % 2 ? ANON : SHANON),
					 A + 2 * i * PG);
		assert_int_equal(mmk_mmap(1, A + MB, 4 * PG, RW,
					  MAP_SHARED | MAP_FIXED, f, 0),
				 A + MB);
		assert_int_equal(map_fixed(1, A + 2 * MB, 4 * PG, RW,
					   ANON | MAP_POPULATE),
				 A + 2 * MB);
		assert_int_equal(mmk_madvise(1, A, PG, MADV_DONTFORK), 0);
		assert_int_equal(mmk_fork(1, 2), 0);
		assert_int_equal(map_fixed(2, A + 3 * MB, 4 * PG, RW, ANON),
				 A + 3 * MB);
		assert_int_equal(mmk_fork(2, 3), 0);
		fput(f);
		assert_check_ok(m);
		/* Parent first, then the children. */
		assert_int_equal(mmk_exit(1), 0);
		assert_int_equal(mmk_exit(3), 0);
		assert_check_ok(m);
		assert_int_equal(mmk_exit(2), 0);
		assert_check_ok(m);
	}
	assert_int_equal(slab_active(m, "vm_area_struct"), vmas0);
	assert_int_equal(slab_active(m, "filp"), files0);
	/* The processes are gone. */
	errno = 0;
	text = mmk_proc_read(m, "/proc/1/maps");
	assert_null(text);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(mmk_proc_read(m, "/proc/2/status"));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(mmk_proc_read(m, "/proc/3/smaps"));
	assert_int_equal(errno, ENOENT);
	assert_null(mmk_get_mm(1));
	assert_int_equal(mmk_exit(1), -ESRCH);
	assert_int_equal(mmk_munmap(1, A, PG), -ESRCH);
	/* The pid can be used again. */
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_maps(m, 1, VSYSCALL);
	finish(m);
}

/* ---- i386 ---- */

static void test_i386_address_space(void **state)
{
	struct mmk_machine *m =
		mmk_test_boot(MMK_ARCH_I386, 1ULL << 30, 1, 2, true);
	struct file *f;
	unsigned long base, a, b;
	struct text t = { .n = 0 };
	char *text;

	(void)state;
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(layout(1, TASK_SIZE), 0xc0000000UL);
	base = layout(1, MMAP_BASE);
	assert_true(base < 0xc0000000UL);
	/* No gate line. */
	assert_maps(m, 1, "");
	f = mmk_file_create("f", 64 * 1024, false);
	assert_non_null(f);
	assert_int_equal(mmk_mmap(1, 0x10000000, 2 * PG, PROT_READ,
				  MAP_SHARED | MAP_FIXED, f, 0x1000),
			 0x10000000);
	/* The last page below 3G can be mapped, nothing above. */
	assert_int_equal(map_fixed(1, 0xbffff000UL, PG, RW, ANON),
			 0xbffff000UL);
	assert_int_equal(map_fixed(1, 0xc0000000UL, PG, RW, ANON), -ENOMEM);
	assert_int_equal(map_fixed(1, 0xbffff000UL, 2 * PG, RW, ANON), -ENOMEM);
	assert_int_equal(map(1, 0, 0xc0000000UL, RW, ANON), -ENOMEM);
	assert_int_equal(mmk_munmap(1, 0xc0000000UL, PG), -EINVAL);
	/* Top-down under mmap_base; no 2M alignment on i386. */
	a = (unsigned long)map(1, 0, 4 * PG, RW, ANON);
	assert_int_equal(a, base - 4 * PG);
	b = (unsigned long)map(1, 0, 2 * MB, PROT_READ, ANON);
	assert_int_equal(b, a - 2 * MB);
	/* 32-bit lines, names at column 49. */
	add_line(&t, 48, 0x10000000, 0x10002000, "r--s", 0x1000, "08:01",
		 f->ino, "/f");
	add_anon(&t, b, b + 2 * MB, "r--p");
	add_anon(&t, a, a + 4 * PG, "rw-p");
	add(&t, "bffff000-c0000000 rw-p 00000000 00:00 0 \n");
	assert_maps(m, 1, t.s);
	assert_int_equal(strchr(t.s, '/') - t.s, 49);
	assert_vm(m, 1, 2076, 0, 20, 0, 0, 0);
	/* The heap is named with the same padding. */
	{
		unsigned long brk0 = (unsigned long)mmk_brk(1, 0);
		char line[128];

		assert_true(brk0 < 0x10000000UL);
		assert_int_equal(mmk_brk(1, brk0 + PG), brk0 + PG);
		/* 40 characters, 8 spaces of padding, one more. */
		snprintf(line, sizeof line,
			 "%08lx-%08lx rw-p 00000000 00:00 0 "
			 "        "
			 " [heap]\n",
			 brk0, brk0 + PG);
		text = pid_file(m, 1, "maps");
		assert_non_null(strstr(text, line));
		free(text);
	}
	/* smaps has no gate block either. */
	text = pid_file(m, 1, "smaps");
	assert_null(strstr(text, "vsyscall"));
	assert_non_null(strstr(text, "VmFlags: rd sh mr mw me ms \n"));
	free(text);
	fput(f);
	finish(m);
}

/* ---- robustness ---- */

static void test_no_such_process(void **state)
{
	struct mmk_machine *m = boot_with_process(false);

	(void)state;
	assert_int_equal(map(99, 0, PG, RW, ANON), -ESRCH);
	assert_int_equal(mmk_munmap(99, A, PG), -ESRCH);
	assert_int_equal(mmk_mprotect(99, A, PG, RW), -ESRCH);
	assert_int_equal(mmk_mremap(99, A, PG, PG, 0, 0), -ESRCH);
	assert_int_equal(mmk_mlock(99, A, PG), -ESRCH);
	assert_int_equal(mmk_mlock2(99, A, PG, 0), -ESRCH);
	assert_int_equal(mmk_munlock(99, A, PG), -ESRCH);
	assert_int_equal(mmk_mlockall(99, MCL_CURRENT), -ESRCH);
	assert_int_equal(mmk_munlockall(99), -ESRCH);
	assert_int_equal(mmk_brk(99, 0), -ESRCH);
	assert_int_equal(mmk_madvise(99, A, PG, MADV_NORMAL), -ESRCH);
	assert_int_equal(mmk_setrlimit(99, MMK_RLIMIT_DATA, 0), -ESRCH);
	assert_int_equal(mmk_fork(99, 100), -ESRCH);
	assert_int_equal(mmk_exit(99), -ESRCH);
	assert_null(mmk_get_mm(99));
	assert_null(mmk_get_mm(0));
	assert_null(mmk_get_mm(-1));
	assert_int_equal(map(0, 0, PG, RW, ANON), -ESRCH);
	assert_int_equal(map(-5, 0, PG, RW, ANON), -ESRCH);
	/* Bad pids and reuse. */
	assert_int_equal(mmk_spawn(0, false), -EINVAL);
	assert_int_equal(mmk_spawn(-1, false), -EINVAL);
	assert_int_equal(mmk_spawn(1, false), -EEXIST);
	assert_int_equal(mmk_fork(1, 1), -EEXIST);
	assert_int_equal(mmk_fork(1, 0), -EINVAL);
	assert_int_equal(mmk_setrlimit(1, 77, 0), -EINVAL);
	errno = 0;
	assert_null(mmk_proc_read(m, "/proc/99/maps"));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(mmk_proc_read(m, "/proc/1/nosuchfile"));
	assert_int_equal(errno, ENOENT);
	/* A file name that cannot be a path component. */
	errno = 0;
	assert_null(mmk_file_create("a/b", PG, false));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(mmk_file_create("", PG, false));
	assert_int_equal(errno, EINVAL);
	assert_maps(m, 1, VSYSCALL);
	finish(m);
}

static void test_huge_lengths_and_addresses(void **state)
{
	struct mmk_machine *m = boot_with_process(false);
	unsigned long big;

	(void)state;
	assert_int_equal(map_fixed(1, A, 4 * PG, RW, ANON), A);
	assert_int_equal(map(1, 0, -1UL, RW, ANON), -ENOMEM);
	assert_int_equal(map(1, 0, -4096UL, RW, ANON), -ENOMEM);
	assert_int_equal(map(1, 0, -8192UL, RW, ANON), -ENOMEM);
	assert_int_equal(map(1, 0, TASK_SIZE_64, RW, ANON | MAP_NORESERVE),
			 -ENOMEM);
	assert_int_equal(map(1, 0, TASK_SIZE_64 + 1, RW, ANON), -ENOMEM);
	/* Overcommit refuses what could never fit, not what is
	 * MAP_NORESERVE or PROT_NONE. */
	assert_int_equal(map_fixed(1, A + 16 * PG, 1UL << 40, RW, ANON),
			 -ENOMEM);
	assert_int_equal(map_fixed(1, A + 16 * PG, 1UL << 40, RW,
				   ANON | MAP_NORESERVE),
			 A + 16 * PG);
	assert_int_equal(mmk_munmap(1, A + 16 * PG, 1UL << 40), 0);
	big = (unsigned long)map(1, 0, 1UL << 46, PROT_NONE, ANON);
	assert_false(IS_ERR_VALUE(big));
	assert_int_equal(mmk_munmap(1, big, 1UL << 46), 0);
	/* MAP_FIXED at or beyond TASK_SIZE. */
	assert_int_equal(map_fixed(1, TASK_SIZE_64, PG, RW, ANON), -ENOMEM);
	assert_int_equal(map_fixed(1, TASK_SIZE_64 - PG, 2 * PG, RW, ANON),
			 -ENOMEM);
	assert_int_equal(map_fixed(1, -4096UL, PG, RW, ANON), -ENOMEM);
	assert_int_equal(map(1, TASK_SIZE_64, PG, RW,
			     ANON | MAP_FIXED_NOREPLACE),
			 -ENOMEM);
	assert_int_equal(map_fixed(1, A, 1UL << 47, RW, ANON), -ENOMEM);
	assert_int_equal(map_fixed(1, A, -4096UL, RW, ANON), -ENOMEM);
	/* A hint beyond TASK_SIZE is ignored: top-down as without one. */
	big = layout(1, MMAP_BASE);
	assert_int_equal(map(1, TASK_SIZE_64, PG, RW, ANON), big - PG);
	assert_int_equal(map(1, -4096UL, PG, RW, ANON), big - 2 * PG);
	assert_int_equal(mmk_munmap(1, big - 2 * PG, 2 * PG), 0);
	/* The last page is usable. */
	assert_int_equal(map_fixed(1, TASK_SIZE_64 - PG, PG, RW, ANON),
			 TASK_SIZE_64 - PG);
	assert_int_equal(mmk_mremap(1, TASK_SIZE_64 - PG, PG, 2 * PG, 0, 0),
			 -ENOMEM);
	assert_int_equal(mmk_munmap(1, TASK_SIZE_64 - PG, PG), 0);
	/* Anonymous offsets are ignored, even huge ones. */
	assert_int_equal(mmk_mmap(1, A + 16 * PG, PG, RW, ANON | MAP_FIXED,
				  NULL, -4096UL),
			 A + 16 * PG);
	assert_int_equal(mmk_mmap(1, A + 32 * PG, PG, RW, SHANON | MAP_FIXED,
				  NULL, -4096UL),
			 A + 32 * PG);
	assert_int_equal(mmk_munmap(1, A + 32 * PG, PG), 0);
	/* mprotect, mlock, munlock, madvise beyond TASK_SIZE. */
	assert_int_equal(mmk_mprotect(1, TASK_SIZE_64, PG, PROT_READ), -ENOMEM);
	assert_int_equal(mmk_mprotect(1, -4096UL, PG, PROT_READ), -ENOMEM);
	/* -1 rounds up to a length of 0, and start + 0 <= start. */
	assert_int_equal(mmk_mprotect(1, A, -1UL, PROT_READ), -ENOMEM);
	assert_vmflags(m, 1, A, F_RW);
	/* A range running off the end: the VMA at A changes, then the
	 * hole after it gives ENOMEM. */
	assert_int_equal(mmk_mprotect(1, A, 1UL << 47, PROT_READ), -ENOMEM);
	assert_vmflags(m, 1, A, F_R);
	assert_int_equal(mmk_mlock(1, TASK_SIZE_64, PG), -ENOMEM);
	assert_int_equal(mmk_mlock(1, -4096UL, PG), -EINVAL);
	assert_int_equal(mmk_mlock(1, -4096UL, -4096UL), -EINVAL);
	assert_int_equal(mmk_mlock(1, A, 1UL << 60), -ENOMEM);
	assert_int_equal(mmk_munlock(1, -4096UL, PG), -EINVAL);
	assert_int_equal(mmk_munlock(1, A, 1UL << 60), -ENOMEM);
	assert_int_equal(mmk_madvise(1, -4096UL, PG, MADV_HUGEPAGE), -EINVAL);
	assert_int_equal(mmk_madvise(1, A, 1UL << 60, MADV_NORMAL), -ENOMEM);
	/* -1 rounds to a length of 0 for mlock: success, no effect. */
	assert_int_equal(mmk_mlock(1, A, -1UL), 0);
	assert_int_equal(mmk_munlock(1, A, -1UL), 0);
	/* mremap with huge lengths. */
	assert_int_equal(mmk_mremap(1, A, -1UL, PG, 0, 0), -EINVAL);
	assert_int_equal(mmk_mremap(1, A, TASK_SIZE_64, TASK_SIZE_64, 0, 0), A);
	assert_int_equal(mmk_mremap(1, A, 1UL << 47, 1UL << 47, 0, 0), -EINVAL);
	assert_int_equal(mmk_mremap(1, A, -4096UL, -4096UL, 0, 0), -EINVAL);
	assert_int_equal(mmk_mremap(1, A, PG, PG, MF, TASK_SIZE_64 - PG),
			 TASK_SIZE_64 - PG);
	assert_int_equal(mmk_mremap(1, TASK_SIZE_64 - PG, PG, PG, MF, A), A);
	assert_int_equal(mmk_mremap(1, A + 3 * PG, PG, 1UL << 40, 0, 0),
			 -ENOMEM);
	assert_maps(m, 1,
		    "200000000-200004000 r--p 00000000 00:00 0 \n"
		    "200010000-200011000 rw-p 00000000 00:00 0 \n" VSYSCALL);
	assert_vm(m, 1, 20, 0, 4, 0, 0, 0);
	finish(m);
}

/* ---- fault injection ---- */

static uint64_t rng_state;

static unsigned long rnd(unsigned long n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned long)(rng_state >> 33) % n;
}

static bool process_exists(int pid)
{
	struct mm_struct *mm = mmk_get_mm(pid);

	mmput(mm);
	return mm != NULL;
}

/* A failed call leaves one of these errors; anything else is a bug. */
static void assert_result(long r, const char *what, int i)
{
	if (r >= 0 || r == -ENOMEM || r == -EAGAIN || r == -EFAULT ||
	    r == -EINVAL || r == -EEXIST)
		return;
	fail_msg("call %d (%s) returned %ld", i, what, r);
}

/* One random call in a 256-page window of process 1 (and sometimes a
 * fork or exit of process 2). */
static void random_call(struct mmk_machine *m, struct file *f, int i)
{
	static const unsigned long prots[] = { PROT_NONE, PROT_READ, RW, RX };
	unsigned long a = A + rnd(256) * PG, len = (1 + rnd(16)) * PG;
	unsigned long b = A + rnd(256) * PG;
	unsigned long prot = prots[rnd(4)];
	const char *what = "";
	long r = 0;
	char why[512];

	switch (rnd(12)) {
	case 0:
	case 1:
		what = "mmap";
		r = map_fixed(1, a, len, prot,
			      (rnd(4) ? ANON : SHANON) |
				      (rnd(8) ? 0 : MAP_POPULATE) |
				      (rnd(8) ? 0 : MAP_LOCKED));
		break;
	case 2:
		what = "mmap file";
		r = mmk_mmap(1, a, len, prot,
			     (rnd(2) ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED, f,
			     rnd(8) * PG);
		break;
	case 3:
		what = "munmap";
		r = mmk_munmap(1, a, len);
		break;
	case 4:
		what = "mprotect";
		r = mmk_mprotect(1, a, len, prot);
		break;
	case 5:
		what = "mremap";
		r = mmk_mremap(1, a, len, (1 + rnd(16)) * PG,
			       rnd(2) ? MREMAP_MAYMOVE : 0, 0);
		break;
	case 6:
		what = "mremap fixed";
		r = mmk_mremap(1, a, len, rnd(2) ? len : (1 + rnd(16)) * PG,
			       rnd(4) ? MF : MD, b + 512 * PG * rnd(2));
		break;
	case 7:
		what = "mlock";
		r = rnd(2) ? mmk_mlock(1, a, len) : mmk_munlock(1, a, len);
		break;
	case 8:
		what = "madvise";
		r = mmk_madvise(1, a, len,
				rnd(2) ?
					MADV_DONTFORK :
					(rnd(2) ? MADV_DOFORK : MADV_HUGEPAGE));
		break;
	case 9:
		what = "mmap anywhere";
		r = map(1, 0, len, prot, rnd(2) ? ANON : SHANON);
		if (r >= 0 && rnd(2))
			r = mmk_munmap(1, (unsigned long)r, len);
		break;
	case 10:
		what = "brk";
		r = mmk_brk(1, layout(1, START_BRK) + rnd(32) * PG);
		break;
	case 11:
		what = "fork/exit";
		r = process_exists(2) ? mmk_exit(2) : mmk_fork(1, 2);
		break;
	}
	assert_result(r, what, i);
	if (mmk_check(m, why, sizeof why))
		fail_msg("check failed after call %d (%s = %ld): %s", i, what,
			 r, why);
}

static void test_fault_injection_keeps_state_consistent(void **state)
{
	struct mmk_machine *m = boot();
	struct mmk_fail_attr fa = { 0 };
	unsigned long vmas0, anon0, files0;
	struct file *f;
	char *text;
	int i;

	(void)state;
	/* Warm up the caches so that the slab counts can be compared. */
	assert_int_equal(mmk_spawn(1, false), 0);
	assert_int_equal(map_fixed(1, A, PG, RW, ANON | MAP_POPULATE), A);
	assert_int_equal(mmk_exit(1), 0);
	vmas0 = slab_active(m, "vm_area_struct");
	anon0 = slab_active(m, "anon_vma");
	files0 = slab_active(m, "filp");

	assert_int_equal(mmk_spawn(1, false), 0);
	f = mmk_file_create("f", 64 * 1024, false);
	assert_non_null(f);
	/* Every slab allocation fails with probability 1/10. */
	rng_state = 42;
	fa.probability = 10;
	assert_int_equal(mmk_fail_set(m, MMK_FAIL_SLAB, &fa), 0);
	for (i = 0; i < 3000; i++)
		random_call(m, f, i);
	assert_true(mmk_fail_count(m, MMK_FAIL_SLAB) > 50);

	/* Each allocation of a fixed sequence fails once in turn. */
	for (i = 1; i <= 40; i++) {
		int j;

		memset(&fa, 0, sizeof fa);
		fa.nth = (unsigned long)i;
		fa.times = 1;
		assert_int_equal(mmk_fail_set(m, MMK_FAIL_SLAB, &fa), 0);
		rng_state = 7;
		for (j = 0; j < 12; j++)
			random_call(m, f, 10000 + 100 * i + j);
	}
	assert_int_equal(mmk_fail_set(m, MMK_FAIL_SLAB, NULL), 0);

	/* Everything can still be unmapped and freed. */
	assert_int_equal(mmk_munmap(1, A, 4 * MB), 0);
	assert_int_equal(mmk_munlockall(1), 0);
	if (process_exists(2))
		assert_int_equal(mmk_exit(2), 0);
	assert_int_equal(mmk_brk(1, layout(1, START_BRK)),
			 layout(1, START_BRK));
	text = pid_file(m, 1, "maps");
	/* Only mappings placed by the kernel (top-down) can remain. */
	assert_true(strlen(text) == strlen(VSYSCALL) ||
		    strtoul(text, NULL, 16) >= A + 4 * MB);
	free(text);
	fput(f);
	assert_int_equal(mmk_exit(1), 0);
	assert_check_ok(m);
	assert_int_equal(slab_active(m, "vm_area_struct"), vmas0);
	assert_int_equal(slab_active(m, "anon_vma"), anon0);
	assert_int_equal(slab_active(m, "filp"), files0);
	finish(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spawned_process_is_empty),
		cmocka_unit_test(test_smaps_full_text),
		cmocka_unit_test(test_munmap_hole_head_tail_whole),
		cmocka_unit_test(test_munmap_across_vmas_and_holes),
		cmocka_unit_test(test_munmap_einval),
		cmocka_unit_test(test_max_map_count_splits),
		cmocka_unit_test(test_max_map_count_madvise_split_is_eagain),
		cmocka_unit_test(test_max_map_count_munmap_and_mmap),
		cmocka_unit_test(test_max_map_count_mremap_and_brk),
		cmocka_unit_test(test_mmap_fixed_replaces_and_splits),
		cmocka_unit_test(test_mmap_fixed_noreplace),
		cmocka_unit_test(test_mmap_einval_and_ebadf),
		cmocka_unit_test(
			test_mmap_shared_validate_rejects_unknown_flags),
		cmocka_unit_test(test_mmap_map_stack_is_nohugepage),
		cmocka_unit_test(test_mmap_file_offsets_and_modes),
		cmocka_unit_test(test_shared_anonymous_is_dev_zero),
		cmocka_unit_test(test_mmap_hints),
		cmocka_unit_test(test_mmap_topdown_below_mmap_base),
		cmocka_unit_test(test_mmap_2m_multiples_are_2m_aligned),
		cmocka_unit_test(test_mmap_min_addr_needs_privilege),
		cmocka_unit_test(test_status_counts_by_kind),
		cmocka_unit_test(test_mprotect_split_and_remerge),
		cmocka_unit_test(test_mprotect_holes_and_einval),
		cmocka_unit_test(test_mprotect_vm_account),
		cmocka_unit_test(test_mprotect_growsdown),
		cmocka_unit_test(test_vmpeak_tracks_the_largest_size),
		cmocka_unit_test(test_mlock_splits_counts_and_merges),
		cmocka_unit_test(test_mlock_holes),
		cmocka_unit_test(test_mlock_unaligned_and_zero_length),
		cmocka_unit_test(test_mlock2_onfault_and_mlockall_einval),
		cmocka_unit_test(test_mlock_rlimit_memlock),
		cmocka_unit_test(test_mlock_zero_rlimit_eperm),
		cmocka_unit_test(test_mlockall_future_locks_mmap_and_brk),
		cmocka_unit_test(test_mlockall_future_onfault),
		cmocka_unit_test(test_mlock_populate_failure_prot_none),
		cmocka_unit_test(test_mremap_shrink_and_grow_in_place),
		cmocka_unit_test(test_mremap_errors),
		cmocka_unit_test(test_mremap_old_len_zero),
		cmocka_unit_test(test_mremap_dontunmap_overcounts_vmlck),
		cmocka_unit_test(test_mremap_locked_grow_and_shrink),
		cmocka_unit_test(test_mremap_page_table_failure_keeps_counters),
		cmocka_unit_test(test_mremap_moves_several_vmas),
		cmocka_unit_test(test_mremap_shrink_across_vmas),
		cmocka_unit_test(test_mremap_shrink_beyond_task_size_is_einval),
		cmocka_unit_test(test_mremap_shared_and_dontunmap),
		cmocka_unit_test(test_mremap_merging_follows_anon_vma),
		cmocka_unit_test(test_brk_grow_shrink_and_heap_name),
		cmocka_unit_test(test_brk_does_not_merge_below_start_brk),
		cmocka_unit_test(test_rlimit_data),
		cmocka_unit_test(test_map_fixed_failure_leaves_splits),
		cmocka_unit_test(test_madvise_errors),
		cmocka_unit_test(test_madvise_accepts_linux_advice),
		cmocka_unit_test(test_madvise_flags_split_and_merge),
		cmocka_unit_test(test_madvise_hugepage_flags),
		cmocka_unit_test(test_fork_copies_maps_except_dontcopy),
		cmocka_unit_test(test_exit_returns_every_vma),
		cmocka_unit_test(test_i386_address_space),
		cmocka_unit_test(test_no_such_process),
		cmocka_unit_test(test_huge_lengths_and_addresses),
		cmocka_unit_test(test_fault_injection_keeps_state_consistent),
	};

	return cmocka_run_group_tests_name("mmap", tests, NULL, NULL);
}
