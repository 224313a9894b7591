/* SPDX-License-Identifier: MIT */
/*
 * /proc/PID/maps, /proc/PID/smaps and the memory lines of
 * /proc/PID/status (Linux's fs/proc/task_mmu.c).
 *
 * 1. What it models. One maps line per VMA, "%08lx-%08lx %c%c%c%c %08llx
 *    %02x:%02x %lu ", then the name padded to column 73 (49 on i386):
 *    the file's path, [heap] for VMAs that overlap the initial break
 *    range, [stack] for the VMA holding start_stack; x86_64 ends with the
 *    [vsyscall] gate line, which is no VMA. smaps adds Linux 6.18's field
 *    list to each line, with the values the page tables give (all zero
 *    until pages are mapped), THPeligible 0 (the THP policy is "never":
 *    see mmk_arch_profile.thp), and VmFlags in bit order.
 *
 * 2-3. Read-only views of the mm, taken under its mmap lock.
 *
 * 4. Departures. No ProtectionKey line (no pkeys). LazyFree counts a
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

#include <string.h>

static int maps_pad_width(const struct mmk_machine *m)
{
	return 25 + 6 * m->arch->ptr_bytes - 1;
}

static void pad_and_name(struct seq_file *s, size_t line_start, int width,
			 const char *name)
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
	seq_printf(s, " %s", name);
}

static const char *vma_name(const struct vm_area_struct *vma)
{
	const struct mm_struct *mm = vma->vm_mm;

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
			  unsigned long ino, const char *name)
{
	size_t line_start = s->len;

	seq_printf(s, "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ", start, end,
		   (flags & VM_READ) ? 'r' : '-',
		   (flags & VM_WRITE) ? 'w' : '-',
		   (flags & VM_EXEC) ? 'x' : '-',
		   (flags & VM_MAYSHARE) ? 's' : 'p', off, major, minor, ino);
	if (name)
		pad_and_name(s, line_start, maps_pad_width(m), name);
	seq_puts(s, "\n");
}

static void show_vma(struct seq_file *s, const struct mmk_machine *m,
		     const struct vm_area_struct *vma)
{
	const struct file *f = vma->vm_file;

	show_map_line(s, m, vma->vm_start, vma->vm_end, vma->vm_flags,
		      f ? (unsigned long long)vma->vm_pgoff << PAGE_SHIFT : 0,
		      f ? f->dev_major : 0, f ? f->dev_minor : 0,
		      f ? f->ino : 0, vma_name(vma));
}

#define VSYSCALL_ADDR 0xffffffffff600000UL

static bool has_gate(const struct mmk_machine *m)
{
	return m->arch->arch == MMK_ARCH_X86_64;
}

static void show_gate(struct seq_file *s, const struct mmk_machine *m)
{
	show_map_line(s, m, VSYSCALL_ADDR, VSYSCALL_ADDR + PAGE_SIZE, VM_EXEC,
		      0, 0, 0, 0, "[vsyscall]");
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

static void show_smap_fields(struct seq_file *s, unsigned long size,
			     const struct mem_size_stats *mss, bool locked)
{
#define SMAP(name, kb) \
	seq_printf(s, "%-16s%8lu kB\n", name ":", (unsigned long)(kb))
	SMAP("Size", size >> 10);
	SMAP("KernelPageSize", 4);
	SMAP("MMUPageSize", 4);
	SMAP("Rss", mss->resident >> 10);
	SMAP("Pss", mss->pss >> 22);
	SMAP("Pss_Dirty", mss->pss_dirty >> 22);
	SMAP("Shared_Clean", mss->shared_clean >> 10);
	SMAP("Shared_Dirty", mss->shared_dirty >> 10);
	SMAP("Private_Clean", mss->private_clean >> 10);
	SMAP("Private_Dirty", mss->private_dirty >> 10);
	SMAP("Referenced", mss->referenced >> 10);
	SMAP("Anonymous", mss->anonymous >> 10);
	SMAP("KSM", 0);
	SMAP("LazyFree", mss->lazyfree >> 10);
	SMAP("AnonHugePages", 0);
	SMAP("ShmemPmdMapped", 0);
	SMAP("FilePmdMapped", 0);
	SMAP("Shared_Hugetlb", 0);
	seq_printf(s, "Private_Hugetlb: %7lu kB\n", 0UL);
	SMAP("Swap", mss->swap >> 10);
	SMAP("SwapPss", mss->swap_pss >> 22);
	SMAP("Locked", locked ? mss->pss >> 22 : 0);
#undef SMAP
	/* The THP policy is "never" (no huge page is ever allocated), so
	 * thp_vma_allowable_order() refuses every VMA. */
	seq_printf(s, "THPeligible:    %8u\n", 0u);
}

void proc_pid_smaps_show(struct seq_file *s, struct mmk_machine *m,
			 struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	struct mem_size_stats mss = { 0 };

	for_each_vma(mm, vma) {
		smaps_account(vma, &mss);
		show_vma(s, m, vma);
		show_smap_fields(s, vma->vm_end - vma->vm_start, &mss,
				 vma->vm_flags & VM_LOCKED);
		show_vma_flags(s, vma->vm_flags);
	}
	if (has_gate(m)) {
		memset(&mss, 0, sizeof(mss));
		show_gate(s, m);
		show_smap_fields(s, PAGE_SIZE, &mss, false);
		show_vma_flags(s, VM_EXEC);
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
	VMLINE("HugetlbPages", 0);
#undef VMLINE
}
