/* SPDX-License-Identifier: MIT */
/*
 * /proc/PID/maps, smaps, smaps_rollup, numa_maps, statm and the memory
 * lines of /proc/PID/status (Linux's fs/proc/task_mmu.c).
 *
 * 1. What it models. One maps line per VMA, "%08lx-%08lx %c%c%c%c %08llx
 *    %02x:%02x %lu ", then the name padded to column 73 (49 on i386):
 *    the file's path (a newline in it shown as "\012", as seq_path
 *    escapes it), [heap] for VMAs that overlap the initial break
 *    range, [stack] for the VMA holding start_stack; x86_64 ends with the
 *    [vsyscall] gate line, which is no VMA. smaps adds Linux 6.18's field
 *    list to each line, with the values the page tables give (all zero
 *    until pages are mapped; KSM: the bytes of KSM pages, mm/ksm.c,
 *    each mapping counted), AnonHugePages and THPeligible
 *    (mm/huge_memory.c), and VmFlags in bit order. smaps_rollup
 *    sums the VMAs' fields (not the gate's) under a "[rollup]" header
 *    spanning them, adds Pss_Anon/Pss_File/Pss_Shmem and truncates its
 *    fixed-point Pss sums once; numa_maps (CONFIG_NUMA: x86_64) shows
 *    each VMA's memory policy as mpol_to_str() prints it (the VMA's mbind
 *    policy, else the task's set_mempolicy one: mm/mempolicy.c) and
 *    counts its mapped pages by flag and node;
 *    statm is task_statm()'s seven numbers.
 *
 * 2-3. Read-only views of the mm, taken under its mmap lock.
 *
 *    On a machine booted with pku, smaps prints each VMA's ProtectionKey
 *    (mm/pkeys.c) after THPeligible.
 *
 * 4. Departures. LazyFree counts a
 *    page from the MADV_FREE that made it lazy-free; Linux moves such
 *    pages through a per-CPU folio batch (folio_mark_lazyfree) and shows
 *    them once the batch is drained (31 folios, mlock, munmap, ...).
 *
 * 5. Ordering. mmap lock of the process.
 *
 * 6. Observability. This is it.
 */
#include "proc/internal.h"
#include "mm/vma.h"
#include "mm/huge_mm.h"
#include "mm/hugetlb.h"

#include <limits.h>
#include <string.h>

/* smaps_rollup's Pss split by what backs the pages, bytes << PSS_SHIFT. */
struct pss_split {
	unsigned long long anon, file, shmem;
};

static int maps_pad_width(const struct mmk_machine *m)
{
	return 25 + 6 * m->arch->ptr_bytes - 1;
}

/* @path with each byte of @esc as a backslash and three octal digits
 * (seq_path's mangle_path: "\n" is "\012", " " is "\040"). */
static void seq_escape_path(struct seq_file *s, const char *path,
			    const char *esc)
{
	const char *p;

	for (p = path; *p;) {
		size_t n = strcspn(p, esc);

		seq_printf(s, "%.*s", (int)n, p);
		p += n;
		if (*p) {
			seq_printf(s, "\\%03o", (unsigned char)*p);
			p++;
		}
	}
}

/* Pad the line begun at @line_start to @width columns and add " @name";
 * a file's @path has its newlines escaped as seq_path(m, path, "\n")
 * does ("\012"), so a name cannot forge a line of its own. */
static void pad_and_name(struct seq_file *s, size_t line_start, int width,
			 const char *name, bool path)
{
	size_t used = s->len - line_start;

	if (s->overflow)
		return;
	while (used < (size_t)width) {
		seq_puts(s, " ");
		used++;
		if (s->overflow)
			return;
	}
	seq_puts(s, " ");
	if (path)
		seq_escape_path(s, name, "\n");
	else
		seq_puts(s, name);
}

/* The name maps shows for @vma (get_vma_name), or NULL; *@path tells
 * whether it is a file's path. */
static const char *vma_name(const struct vm_area_struct *vma, bool *path)
{
	const struct mm_struct *mm = vma->vm_mm;

	*path = vma->vm_file != NULL;
	if (vma->vm_file)
		return vma->vm_file->name;
	if (vma->vm_start < mm->brk && vma->vm_end > mm->start_brk)
		return "[heap]";
	if (vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack)
		return "[stack]";
	return NULL;
}

static void show_map_line(struct seq_file *s, const struct mmk_machine *m,
			  unsigned long start, unsigned long end,
			  unsigned long flags, unsigned long long off,
			  unsigned int major, unsigned int minor,
			  unsigned long ino, const char *name, bool path)
{
	size_t line_start = s->len;

	seq_printf(s, "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ", start, end,
		   (flags & VM_READ) ? 'r' : '-',
		   (flags & VM_WRITE) ? 'w' : '-',
		   (flags & VM_EXEC) ? 'x' : '-',
		   (flags & VM_MAYSHARE) ? 's' : 'p', off, major, minor, ino);
	if (name)
		pad_and_name(s, line_start, maps_pad_width(m), name, path);
	seq_puts(s, "\n");
}

static void show_vma(struct seq_file *s, const struct mmk_machine *m,
		     const struct vm_area_struct *vma)
{
	const struct file *f = vma->vm_file;
	bool path;
	const char *name = vma_name(vma, &path);

	show_map_line(s, m, vma->vm_start, vma->vm_end, vma->vm_flags,
		      f ? (unsigned long long)vma->vm_pgoff << PAGE_SHIFT : 0,
		      f ? f->dev_major : 0, f ? f->dev_minor : 0,
		      f ? f->ino : 0, name, path);
}

#define VSYSCALL_ADDR 0xffffffffff600000UL

static bool has_gate(const struct mmk_machine *m)
{
	return m->arch->arch == MMK_ARCH_X86_64;
}

static void show_gate(struct seq_file *s, const struct mmk_machine *m)
{
	show_map_line(s, m, VSYSCALL_ADDR, VSYSCALL_ADDR + PAGE_SIZE, VM_EXEC,
		      0, 0, 0, 0, "[vsyscall]", false);
}

void proc_pid_maps_show(struct seq_file *s, struct mmk_machine *m,
			struct mm_struct *mm)
{
	const struct vm_area_struct *vma;

	for_each_vma(mm, vma)
		show_vma(s, m, vma);
	if (has_gate(m))
		show_gate(s, m);
}

/* VmFlags mnemonics, indexed by bit (show_smap_vma_flags). */
static const char mnemonics[64][3] = {
	"rd", "wr", "ex", "sh", "mr", "mw",	   "me", "ms", "gd",
	"um", "pf", "gu", "uw", "lo", "io",	   "sr", "rr", "dc",
	"de", "lf", "ac", "nr", "ht", "sf",	   "ar", "wf", "dd",
	"sd", "mm", "hg", "nh", "mg", [42] = "sl", /* VM_SEALED */
};

static void show_vma_flags(struct seq_file *s, unsigned long flags)
{
	int i;

	seq_puts(s, "VmFlags: ");
	for (i = 0; i < 64; i++)
		if ((flags >> i) & 1 && mnemonics[i][0])
			seq_printf(s, "%s ", mnemonics[i]);
	seq_puts(s, "\n");
}

/* Fields common to smaps and smaps_rollup (__show_smap): the rollup adds
 * Pss_Anon, Pss_File and Pss_Shmem (@split, NULL for smaps). Sizes are
 * bytes, pss values bytes << PSS_SHIFT; each is cut to kB only here,
 * so the rollup truncates its sums once. */
static void show_smap_common(struct seq_file *s,
			     const struct mem_size_stats *mss,
			     const struct pss_split *split,
			     unsigned long long pss_locked)
{
#define SMAP(name, kb) \
	seq_printf(s, "%-16s%8lu kB\n", name ":", (unsigned long)(kb))
	SMAP("Rss", mss->resident >> 10);
	SMAP("Pss", mss->pss >> (PSS_SHIFT + 10));
	SMAP("Pss_Dirty", mss->pss_dirty >> (PSS_SHIFT + 10));
	if (split) {
		SMAP("Pss_Anon", split->anon >> (PSS_SHIFT + 10));
		SMAP("Pss_File", split->file >> (PSS_SHIFT + 10));
		SMAP("Pss_Shmem", split->shmem >> (PSS_SHIFT + 10));
	}
	SMAP("Shared_Clean", mss->shared_clean >> 10);
	SMAP("Shared_Dirty", mss->shared_dirty >> 10);
	SMAP("Private_Clean", mss->private_clean >> 10);
	SMAP("Private_Dirty", mss->private_dirty >> 10);
	SMAP("Referenced", mss->referenced >> 10);
	SMAP("Anonymous", mss->anonymous >> 10);
	SMAP("KSM", mss->ksm >> 10);
	SMAP("LazyFree", mss->lazyfree >> 10);
	SMAP("AnonHugePages", mss->anonymous_thp >> 10);
	SMAP("ShmemPmdMapped", 0);
	SMAP("FilePmdMapped", 0);
	SMAP("Shared_Hugetlb", mss->shared_hugetlb >> 10);
	seq_printf(s, "Private_Hugetlb: %7lu kB\n", mss->private_hugetlb >> 10);
	SMAP("Swap", mss->swap >> 10);
	SMAP("SwapPss", mss->swap_pss >> (PSS_SHIFT + 10));
	SMAP("Locked", pss_locked >> (PSS_SHIFT + 10));
#undef SMAP
}

static void show_smap_fields(struct seq_file *s, struct mmk_machine *m,
			     unsigned long size, unsigned long page_kb,
			     const struct mem_size_stats *mss, bool locked,
			     int pkey, bool thp_eligible)
{
	seq_printf(s, "%-16s%8lu kB\n", "Size:", size >> 10);
	seq_printf(s, "%-16s%8lu kB\n", "KernelPageSize:", page_kb);
	seq_printf(s, "%-16s%8lu kB\n", "MMUPageSize:", page_kb);
	show_smap_common(s, mss, NULL, locked ? mss->pss : 0);
	seq_printf(s, "THPeligible:    %8u\n", thp_eligible ? 1u : 0u);
	/* arch_pkeys_enabled(): a CPU with protection keys (mm/pkeys.c). */
	if (m->cfg.pku)
		seq_printf(s, "ProtectionKey:  %8d\n", pkey);
}

void proc_pid_smaps_show(struct seq_file *s, struct mmk_machine *m,
			 struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	struct mem_size_stats mss = { 0 };

	for_each_vma(mm, vma) {
		smaps_account(vma, &mss);
		show_vma(s, m, vma);
		show_smap_fields(s, m, vma->vm_end - vma->vm_start,
				 is_vm_hugetlb_page(vma) ?
					 huge_page_size(m) >> 10 :
					 PAGE_SIZE >> 10,
				 &mss, vma->vm_flags & VM_LOCKED, vma_pkey(vma),
				 thp_vma_allowable(vma, vma->vm_start, true));
		show_vma_flags(s, vma->vm_flags);
	}
	if (has_gate(m)) {
		memset(&mss, 0, sizeof(mss));
		show_gate(s, m);
		show_smap_fields(s, m, PAGE_SIZE, PAGE_SIZE >> 10, &mss, false,
				 0, false);
		show_vma_flags(s, VM_EXEC);
	}
}

/* One entry's share of the rollup's Pss, by what backs its page
 * (smaps_page_accumulate): an anonymous page, a swap-backed (shmem) page
 * cache page, or a file's. The share is the one smaps_account() gives:
 * PAGE_SIZE over the page's mapcount; the zero page counts nowhere. */
static void pss_split_one(struct mm_struct *mm, unsigned long addr, void *slot,
			  void *arg)
{
	const struct pt_format *f = pt_format_of(mm);
	struct pss_split *split = arg;
	pte_t e = pte_read(f, slot);
	struct page *page;
	unsigned long long pss;
	int mapcount;

	(void)addr;
	if (is_swap_pte(e) || !pte_mapped(e) || (e & _PAGE_SPECIAL))
		return;
	page = pfn_to_page(pte_pfn(f, e));
	mapcount = page_mapcount(page);
	pss = ((unsigned long long)PAGE_SIZE << PSS_SHIFT) /
	      (unsigned int)max(mapcount, 1);
	if (PageAnon(page))
		split->anon += pss;
	else if (test_page_flag(page, PG_swapbacked))
		split->shmem += pss;
	else
		split->file += pss;
}

/* /proc/PID/smaps_rollup (show_smaps_rollup): the smaps fields summed
 * over every VMA (the gate area is none), under a header spanning the
 * first VMA's start to the last one's end ("00000000-00000000" when
 * there is none), named [rollup]. */
void proc_pid_smaps_rollup_show(struct seq_file *s, struct mmk_machine *m,
				struct mm_struct *mm)
{
	struct mem_size_stats sum = { 0 }, mss;
	struct pss_split split = { 0 };
	unsigned long long pss_locked = 0;
	unsigned long start = 0, end = 0;
	struct vm_area_struct *vma;
	bool first = true;

	for_each_vma(mm, vma) {
		if (first)
			start = vma->vm_start;
		first = false;
		end = vma->vm_end;
		smaps_account(vma, &mss);
		sum.resident += mss.resident;
		sum.shared_clean += mss.shared_clean;
		sum.shared_dirty += mss.shared_dirty;
		sum.private_clean += mss.private_clean;
		sum.private_dirty += mss.private_dirty;
		sum.referenced += mss.referenced;
		sum.anonymous += mss.anonymous;
		sum.anonymous_thp += mss.anonymous_thp;
		sum.ksm += mss.ksm;
		sum.lazyfree += mss.lazyfree;
		sum.swap += mss.swap;
		sum.shared_hugetlb += mss.shared_hugetlb;
		sum.private_hugetlb += mss.private_hugetlb;
		sum.pss += mss.pss;
		sum.pss_dirty += mss.pss_dirty;
		sum.swap_pss += mss.swap_pss;
		if (vma->vm_flags & VM_LOCKED)
			pss_locked += mss.pss;
		walk_ptes(mm, vma->vm_start, vma->vm_end, pss_split_one,
			  &split);
		split.anon += (unsigned long long)mss.anonymous_thp
			      << PSS_SHIFT;
	}
	show_map_line(s, m, start, end, 0, 0, 0, 0, 0, "[rollup]", false);
	show_smap_common(s, &sum, &split, pss_locked);
}

/* /proc/PID/statm (task_statm): size, resident, shared (file and shmem
 * pages), text (the ELF image's code, none in mmkit), lib 0, data (data
 * and stack VMAs) and dt 0, in pages. */
void proc_pid_statm_show(struct seq_file *s, struct mmk_machine *m,
			 struct mm_struct *mm)
{
	unsigned long shared = get_mm_counter(mm, MM_FILEPAGES) +
			       get_mm_counter(mm, MM_SHMEMPAGES);
	unsigned long text =
		(PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK)) >>
		PAGE_SHIFT;

	(void)m;
	seq_printf(s, "%lu %lu %lu %lu 0 %lu 0\n", mm->total_vm,
		   shared + get_mm_counter(mm, MM_ANONPAGES), shared, text,
		   mm->data_vm + mm->stack_vm);
}

/* One VMA's pages as numa_maps counts them (struct numa_maps). */
struct numa_maps {
	unsigned long pages, anon, active, writeback, mapcount_max, dirty,
		swapcache;
	unsigned long node[MAX_NUMNODES];
};

/* gather_pte_stats() for one entry: a mapped page (not the zero page,
 * not a swap entry), with its flags, mapcount and node. */
static void numa_gather_one(struct mm_struct *mm, unsigned long addr,
			    void *slot, void *arg)
{
	const struct pt_format *f = pt_format_of(mm);
	struct numa_maps *md = arg;
	pte_t e = pte_read(f, slot);
	struct page *page;
	unsigned long count;

	(void)addr;
	if (is_swap_pte(e) || !pte_mapped(e) || (e & _PAGE_SPECIAL))
		return;
	page = pfn_to_page(pte_pfn(f, e));
	if (test_page_flag(page, PG_reserved))
		return;
	md->pages++;
	if ((e & _PAGE_DIRTY) || test_page_flag(page, PG_dirty))
		md->dirty++;
	if (test_page_flag(page, PG_swapbacked) &&
	    test_page_flag(page, PG_swapcache))
		md->swapcache++;
	if (test_page_flag(page, PG_active) ||
	    test_page_flag(page, PG_unevictable))
		md->active++;
	if (test_page_flag(page, PG_writeback))
		md->writeback++;
	if (PageAnon(page))
		md->anon++;
	/* A huge entry's page counts its entries in page[1]. */
	count = (unsigned long)max((e & _PAGE_PSE) ?
					   atomic_load(&page[1]._mapcount) :
					   page_mapcount(page),
				   0);
	md->mapcount_max = max(md->mapcount_max, count);
	md->node[page_to_nid(page)]++;
}

/* A huge page's entry: its 512 pages (gather_stats(..., HPAGE_PMD_NR)). */
static void numa_gather_thp(struct mm_struct *mm, unsigned long addr,
			    void *slot, void *arg)
{
	struct numa_maps *md = arg, before = *md;
	size_t nid;

	if (!thp_entry_page(mm, pte_read(pt_format_of(mm), slot)))
		return;
	numa_gather_one(mm, addr, slot, arg);
#define SCALE(x) (md->x += (md->x - before.x) * (HPAGE_PMD_NR - 1))
	SCALE(pages);
	SCALE(dirty);
	SCALE(swapcache);
	SCALE(active);
	SCALE(writeback);
	SCALE(anon);
	for (nid = 0; nid < ARRAY_SIZE(md->node); nid++)
		SCALE(node[nid]);
#undef SCALE
}

/* /proc/PID/numa_maps (show_numa_map, CONFIG_NUMA): per VMA its start,
 * its memory policy (the VMA's, else the task's: "default", "bind:0-1",
 * "interleave=static:0,2", ...),
 * file=PATH (with "\n", "\t", " " and "=" escaped), heap or stack, then,
 * if any page is mapped, the counts that are not implied by the others
 * and the pages per node. The gate area has no line. */
void proc_pid_numa_maps_show(struct seq_file *s, struct mmk_machine *m,
			     struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	struct numa_maps stats, *md = &stats;
	int nid;

	for_each_vma(mm, vma) {
		bool path;
		const char *name = vma_name(vma, &path);
		char pol[64];

		memset(md, 0, sizeof(*md));
		mpol_to_str(pol, sizeof(pol), vma_shown_policy(vma));
		seq_printf(s, "%08lx %s", vma->vm_start, pol);
		if (path) {
			seq_puts(s, " file=");
			seq_escape_path(s, name, "\n\t= ");
		} else if (name) {
			/* [heap] or [stack] */
			seq_printf(s, " %.*s", (int)strlen(name) - 2, name + 1);
		}
		if (is_vm_hugetlb_page(vma)) {
			seq_puts(s, " huge");
			walk_huge(mm, vma->vm_start, vma->vm_end,
				  numa_gather_one, md);
		} else {
			walk_ptes(mm, vma->vm_start, vma->vm_end,
				  numa_gather_one, md);
			walk_huge(mm, vma->vm_start, vma->vm_end,
				  numa_gather_thp, md);
		}
		if (md->pages) {
			if (md->anon)
				seq_printf(s, " anon=%lu", md->anon);
			if (md->dirty)
				seq_printf(s, " dirty=%lu", md->dirty);
			if (md->pages != md->anon && md->pages != md->dirty)
				seq_printf(s, " mapped=%lu", md->pages);
			if (md->mapcount_max > 1)
				seq_printf(s, " mapmax=%lu", md->mapcount_max);
			if (md->swapcache)
				seq_printf(s, " swapcache=%lu", md->swapcache);
			if (md->active < md->pages && !is_vm_hugetlb_page(vma))
				seq_printf(s, " active=%lu", md->active);
			if (md->writeback)
				seq_printf(s, " writeback=%lu", md->writeback);
			for_each_online_node(m, nid)
				if (md->node[nid])
					seq_printf(s, " N%d=%lu", nid,
						   md->node[nid]);
			seq_printf(s, " kernelpagesize_kB=%lu",
				   (is_vm_hugetlb_page(vma) ?
					    huge_page_size(m) :
					    PAGE_SIZE) >>
					   10);
		}
		seq_puts(s, "\n");
	}
}

/* The Vm* lines of /proc/PID/status (task_mem). */
void task_mem(struct seq_file *s, struct mm_struct *mm)
{
	unsigned long anon = get_mm_counter(mm, MM_ANONPAGES);
	unsigned long file = get_mm_counter(mm, MM_FILEPAGES);
	unsigned long shmem = get_mm_counter(mm, MM_SHMEMPAGES);
	unsigned long swap = get_mm_counter(mm, MM_SWAPENTS);
	unsigned long total_rss = anon + file + shmem;
	unsigned long hiwater_vm = max(mm->total_vm, mm->hiwater_vm);
	unsigned long hiwater_rss = max(total_rss, mm->hiwater_rss);
	unsigned long text, lib;
	long pt = atomic_load(&mm->pgtables_bytes);

	text = PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK);
	text = min(text, mm->exec_vm << PAGE_SHIFT);
	lib = (mm->exec_vm << PAGE_SHIFT) - text;
#define VMLINE(name, kb) seq_printf(s, name ":\t%8lu kB\n", (unsigned long)(kb))
	VMLINE("VmPeak", hiwater_vm << 2);
	VMLINE("VmSize", mm->total_vm << 2);
	VMLINE("VmLck", mm->locked_vm << 2);
	VMLINE("VmPin", mm->pinned_vm << 2);
	VMLINE("VmHWM", hiwater_rss << 2);
	VMLINE("VmRSS", total_rss << 2);
	VMLINE("RssAnon", anon << 2);
	VMLINE("RssFile", file << 2);
	VMLINE("RssShmem", shmem << 2);
	VMLINE("VmData", mm->data_vm << 2);
	VMLINE("VmStk", mm->stack_vm << 2);
	VMLINE("VmExe", text >> 10);
	VMLINE("VmLib", lib >> 10);
	VMLINE("VmPTE", (pt > 0 ? (unsigned long)pt : 0) >> 10);
	VMLINE("VmSwap", swap << 2);
	VMLINE("HugetlbPages",
	       (unsigned long)atomic_load(&mm->hugetlb_usage)
		       << (huge_page_order(mm->machine) + PAGE_SHIFT - 10));
#undef VMLINE
}

/* ---- /proc/PID/pagemap (pagemap_read) ---- */

/* The entry's bits (fs/proc/task_mmu.c). */
#define PM_ENTRY_BYTES 8UL
#define PM_PFRAME_MASK ((1ULL << 55) - 1)
#define PM_MMAP_EXCLUSIVE (1ULL << 56)
#define PM_GUARD_REGION (1ULL << 58)
#define PM_FILE (1ULL << 61)
#define PM_SWAP (1ULL << 62)
#define PM_PRESENT (1ULL << 63)
/* A guard marker's entry names Linux's marker swap type (the last one)
 * and PTE_MARKER_GUARD as its offset. */
#define PM_GUARD_FRAME (31ULL | (4ULL << MAX_SWAPFILES_SHIFT))

/* pte_to_pagemap_entry() of @addr in @vma (the reader may see pfns: it
 * is the simulator's user, CAP_SYS_ADMIN). */
static uint64_t pagemap_entry(struct mm_struct *mm, unsigned long addr)
{
	const struct pt_format *f = pt_format_of(mm);
	struct mmk_machine *m = mm->machine;
	void *slot = pte_offset(mm, addr, false);
	pte_t pte = slot ? pte_read(f, slot) : 0;
	const struct page *page;
	uint64_t entry;

	if (is_guard_marker(pte))
		return PM_SWAP | PM_GUARD_REGION | PM_GUARD_FRAME;
	if (is_swap_pte(pte)) {
		unsigned long swp = pte_to_swp_entry(pte);

		return PM_SWAP |
		       (((uint64_t)swp_offset(swp) << MAX_SWAPFILES_SHIFT) |
			swp_type(swp));
	}
	if (!pte_mapped(pte))
		return 0;
	entry = PM_PRESENT |
		((uint64_t)pte_leaf_pfn(f, pte, addr) & PM_PFRAME_MASK);
	/* vm_normal_page(): none for the zero page; the huge zero page is
	 * a folio, not anonymous (pagemap_pmd_range_thp). */
	if (pte & _PAGE_SPECIAL)
		return entry | ((pte & _PAGE_PSE) ? PM_FILE : 0);
	page = m->mem_map + pte_pfn(f, pte);
	if (!PageAnon(page))
		entry |= PM_FILE;
	/* pagemap_hugetlb_range(): the huge page's own mapcount. */
	if (((pte & _PAGE_PSE) ? atomic_load(&page[1]._mapcount) :
				 page_mapcount(page)) == 1)
		entry |= PM_MMAP_EXCLUSIVE;
	return entry;
}

long proc_pid_pagemap_read(struct mm_struct *mm, void *buf, size_t count,
			   unsigned long long off)
{
	unsigned long long svpfn = off / PM_ENTRY_BYTES;
	unsigned long addr = mm->task_size, end = mm->task_size;
	unsigned char *out = buf;
	size_t done = 0;

	if (off % PM_ENTRY_BYTES || count % PM_ENTRY_BYTES)
		return -EINVAL;
	if (svpfn <= (ULONG_MAX >> PAGE_SHIFT))
		addr = (unsigned long)svpfn << PAGE_SHIFT;
	if (addr > end)
		addr = end;
	for (; done < count && addr < end; done += PM_ENTRY_BYTES) {
		const struct vm_area_struct *vma = find_vma(mm, addr);
		uint64_t entry = 0;

		if (vma && vma->vm_start <= addr)
			entry = pagemap_entry(mm, addr);
		memcpy(out + done, &entry, sizeof entry);
		addr += PAGE_SIZE;
	}
	return (long)done;
}

/* ---- /proc/PID/clear_refs (clear_refs_write) ---- */

enum clear_refs_types {
	CLEAR_REFS_ALL = 1,
	CLEAR_REFS_ANON,
	CLEAR_REFS_MAPPED,
	CLEAR_REFS_SOFT_DIRTY,
	CLEAR_REFS_MM_HIWATER_RSS,
	CLEAR_REFS_LAST,
};

/* clear_refs_pte_range(): a mapped page's accessed bit and
 * PG_referenced go (not the zero page's: it has no struct page). */
static void clear_refs_one(struct mm_struct *mm, unsigned long addr, void *slot,
			   void *arg)
{
	const struct pt_format *f = pt_format_of(mm);
	pte_t e = pte_read(f, slot);

	(void)addr;
	(void)arg;
	if (!pte_mapped(e) || (e & _PAGE_SPECIAL))
		return;
	pte_write(f, slot, e & ~_PAGE_ACCESSED);
	page_flag_clear(mm->machine->mem_map + pte_pfn(f, e), PG_referenced);
}

int mmk_clear_refs(int pid, int type)
{
	struct vm_area_struct *vma;
	struct mm_struct *mm;

	if (type < CLEAR_REFS_ALL || type >= CLEAR_REFS_LAST)
		return -EINVAL;
	mm = mmk_cur() ? mmk_get_mm(pid) : NULL;
	if (!mm)
		return -ESRCH;
	mmap_write_lock(mm);
	if (!mm->owner) {
		/* Exiting: no address space to clear (get_task_mm()). */
	} else if (type == CLEAR_REFS_MM_HIWATER_RSS) {
		/* reset_mm_hiwater_rss(): the peak is the current RSS. */
		mm->hiwater_rss = get_mm_rss(mm);
	} else if (type != CLEAR_REFS_SOFT_DIRTY) {
		/* Without CONFIG_MEM_SOFT_DIRTY (as the reference kernel is
		 * built) type 4 changes nothing. */
		for_each_vma(mm, vma) {
			if ((type == CLEAR_REFS_ANON && vma->vm_file) ||
			    (type == CLEAR_REFS_MAPPED && !vma->vm_file) ||
			    (vma->vm_flags & VM_PFNMAP))
				continue;
			walk_ptes(mm, vma->vm_start, vma->vm_end,
				  clear_refs_one, NULL);
		}
		/* No TLB flush, as in Linux (only soft-dirty flushes): an
		 * access through a translation the TLB still holds does not
		 * set the accessed bit again. */
	}
	mmap_write_unlock(mm);
	mmput(mm);
	return 0;
}
