/* SPDX-License-Identifier: MIT */
/*
 * /proc/meminfo (Linux's fs/proc/meminfo.c and si_mem_available() of
 * mm/show_mem.c).
 *
 * 1. What it models. Every line Linux 6.18 prints on x86_64 (the i386
 *    profile adds HighTotal/HighFree/LowTotal/LowFree, drops the THP lines
 *    and reports DirectMap4k/DirectMap4M), "%-16s%8lu kB" with values that
 *    outgrow the width pushing right. Lines of subsystems mmkit does not
 *    have yet print 0, as a kernel with that subsystem idle would.
 *
 * 2. Objects. Reads zone counters, node counters, watermarks,
 *    totalreserve_pages, memblock and the architecture profile.
 *
 * 3. Invariants. MemTotal = Σ managed; MemFree = nr_free_pages × 4;
 *    LowTotal + HighTotal = MemTotal (tests/procfs checks them).
 *
 * 4. Departures. DirectMap* describe how Linux would have mapped mmkit's
 *    RAM (4k head up to 2M alignment, 2M pages, 1G pages), not a host.
 *
 * 5. Ordering. None.
 *
 * 6. Observability. This file.
 */
#include "proc/internal.h"
#include "mm/hugetlb.h"

static void show_val_kb(struct seq_file *s, const char *name,
			unsigned long pages)
{
	seq_printf(s, "%-16s%8lu kB\n", name, pages << (PAGE_SHIFT - 10));
}

static void show_kb(struct seq_file *s, const char *name, unsigned long kb)
{
	seq_printf(s, "%-16s%8lu kB\n", name, kb);
}

unsigned long si_mem_available(struct mmk_machine *m)
{
	unsigned long wmark_low = 0, pagecache, reclaimable;
	long available;
	int nid, t;

	for_each_online_node(m, nid)
		for (t = 0; t < MAX_NR_ZONES; t++)
			wmark_low += low_wmark_pages(
				&m->node_data[nid]->node_zones[t]);
	available = (long)global_zone_page_state(m, NR_FREE_PAGES) -
		    (long)READ_ONCE(m->totalreserve_pages);
	pagecache = global_node_page_state(m, NR_ACTIVE_FILE) +
		    global_node_page_state(m, NR_INACTIVE_FILE);
	available += (long)(pagecache - min(pagecache / 2, wmark_low));
	reclaimable = global_node_page_state(m, NR_SLAB_RECLAIMABLE) +
		      global_node_page_state(m, NR_KERNEL_MISC_RECLAIMABLE);
	available += (long)(reclaimable - min(reclaimable / 2, wmark_low));
	return available < 0 ? 0 : (unsigned long)available;
}

static unsigned long managed_pages_of(struct mmk_machine *m, bool high_only)
{
	unsigned long sum = 0;
	int nid, t;

	for_each_online_node(m, nid)
		for (t = 0; t < MAX_NR_ZONES; t++)
			if (!high_only || t == ZONE_HIGHMEM)
				sum += zone_managed_pages(
					&m->node_data[nid]->node_zones[t]);
	return sum;
}

static unsigned long free_highpages(struct mmk_machine *m)
{
	unsigned long sum = 0;
	int nid;

	for_each_online_node(m, nid)
		sum += zone_page_state(
			&m->node_data[nid]->node_zones[ZONE_HIGHMEM],
			NR_FREE_PAGES);
	return sum;
}

/* Split [start, end) into 4k head, big-page middle and 4k tail, adding
 * sizes in kB; @mid is the big page size. */
static void split_range(uint64_t start, uint64_t end, uint64_t mid,
			uint64_t *small_kb, uint64_t *mid_kb)
{
	uint64_t ms = ALIGN(start, mid), me = ALIGN_DOWN(end, mid);

	if (ms >= me) {
		*small_kb += (end - start) >> 10;
		return;
	}
	*small_kb += ((ms - start) + (end - me)) >> 10;
	*mid_kb += (me - ms) >> 10;
}

static void show_direct_map(struct seq_file *s, struct mmk_machine *m)
{
	uint64_t k4 = 0, k2m = 0, g1 = 0, lowend;
	int i;

	lowend = (uint64_t)m->lowmem_end_pfn << PAGE_SHIFT;
	/* The first megabyte (ISA range) is mapped with 4k pages. */
	k4 += 1024;
	for (i = 0; i < m->memblock.memory.cnt; i++) {
		const struct memblock_region *r =
			&m->memblock.memory.regions[i];
		uint64_t start = max(r->base, (uint64_t)1 << 20);
		uint64_t end = min(r->base + r->size, lowend);
		uint64_t two = 0;

		if (start >= end)
			continue;
		if (m->arch->arch == MMK_ARCH_I386) {
			split_range(start, end, 4ULL << 20, &k4, &k2m);
			continue;
		}
		split_range(start, end, 2ULL << 20, &k4, &two);
		/* Promote whole aligned gigabytes inside the 2M part. */
		{
			uint64_t ts = ALIGN(start, 2ULL << 20);
			uint64_t te = ts + (two << 10);
			uint64_t gs = ALIGN(ts, 1ULL << 30),
				 ge = ALIGN_DOWN(te, 1ULL << 30);

			if (gs < ge) {
				g1 += (ge - gs) >> 10;
				two -= (ge - gs) >> 10;
			}
			k2m += two;
		}
	}
	show_kb(s, "DirectMap4k:", k4);
	if (m->arch->arch == MMK_ARCH_I386) {
		show_kb(s, "DirectMap4M:", k2m);
		return;
	}
	show_kb(s, "DirectMap2M:", k2m);
	show_kb(s, "DirectMap1G:", g1);
}

void proc_meminfo_show(struct seq_file *s, struct mmk_machine *m)
{
	const struct mmk_arch_profile *a = m->arch;
	bool i386 = a->arch == MMK_ARCH_I386;
	struct hugetlb_counts hc;
	unsigned long totalram = managed_pages_of(m, false);
	unsigned long freeram = global_zone_page_state(m, NR_FREE_PAGES);
	unsigned long act_anon = global_node_page_state(m, NR_ACTIVE_ANON);
	unsigned long inact_anon = global_node_page_state(m, NR_INACTIVE_ANON);
	unsigned long act_file = global_node_page_state(m, NR_ACTIVE_FILE);
	unsigned long inact_file = global_node_page_state(m, NR_INACTIVE_FILE);
	unsigned long sreclaim = global_node_page_state(m, NR_SLAB_RECLAIMABLE);
	unsigned long sunreclaim =
		global_node_page_state(m, NR_SLAB_UNRECLAIMABLE);
	unsigned long file = global_node_page_state(m, NR_FILE_PAGES);
	unsigned long swapcached = global_node_page_state(m, NR_SWAPCACHE);
	unsigned long cached = file > swapcached ? file - swapcached : 0;
	unsigned long freeswap, totalswap;

	show_val_kb(s, "MemTotal:", totalram);
	show_val_kb(s, "MemFree:", freeram);
	show_val_kb(s, "MemAvailable:", si_mem_available(m));
	show_val_kb(s, "Buffers:", 0);
	show_val_kb(s, "Cached:", cached);
	show_val_kb(s, "SwapCached:", swapcached);
	show_val_kb(s, "Active:", act_anon + act_file);
	show_val_kb(s, "Inactive:", inact_anon + inact_file);
	show_val_kb(s, "Active(anon):", act_anon);
	show_val_kb(s, "Inactive(anon):", inact_anon);
	show_val_kb(s, "Active(file):", act_file);
	show_val_kb(s, "Inactive(file):", inact_file);
	show_val_kb(s,
		    "Unevictable:", global_node_page_state(m, NR_UNEVICTABLE));
	show_val_kb(s, "Mlocked:", global_zone_page_state(m, NR_MLOCK));
	if (i386) {
		unsigned long th = managed_pages_of(m, true),
			      fh = free_highpages(m);

		show_val_kb(s, "HighTotal:", th);
		show_val_kb(s, "HighFree:", fh);
		show_val_kb(s, "LowTotal:", totalram - th);
		show_val_kb(s, "LowFree:", freeram - fh);
	}
	si_swapinfo(m, &freeswap, &totalswap);
	show_val_kb(s, "SwapTotal:", totalswap);
	show_val_kb(s, "SwapFree:", freeswap);
	show_val_kb(s, "Zswap:", 0);
	show_val_kb(s, "Zswapped:", 0);
	show_val_kb(s, "Dirty:", global_node_page_state(m, NR_FILE_DIRTY));
	show_val_kb(s, "Writeback:", global_node_page_state(m, NR_WRITEBACK));
	show_val_kb(s, "AnonPages:", global_node_page_state(m, NR_ANON_MAPPED));
	show_val_kb(s, "Mapped:", global_node_page_state(m, NR_FILE_MAPPED));
	show_val_kb(s, "Shmem:", global_node_page_state(m, NR_SHMEM));
	show_val_kb(s, "KReclaimable:",
		    sreclaim + global_node_page_state(
				       m, NR_KERNEL_MISC_RECLAIMABLE));
	show_val_kb(s, "Slab:", sreclaim + sunreclaim);
	show_val_kb(s, "SReclaimable:", sreclaim);
	show_val_kb(s, "SUnreclaim:", sunreclaim);
	show_kb(s,
		"KernelStack:", global_node_page_state(m, NR_KERNEL_STACK_KB));
	show_val_kb(s, "PageTables:", global_node_page_state(m, NR_PAGETABLE));
	show_val_kb(s, "SecPageTables:", 0);
	show_val_kb(s, "NFS_Unstable:", 0);
	show_val_kb(s, "Bounce:", 0);
	show_val_kb(s, "WritebackTmp:", 0);
	show_val_kb(s, "CommitLimit:", vm_commit_limit(m));
	show_val_kb(s, "Committed_AS:", vm_memory_committed(m));
	show_kb(s, "VmallocTotal:",
		(unsigned long)((m->vmalloc_end - m->vmalloc_start) >> 10));
	show_val_kb(s, "VmallocUsed:", vmalloc_used_pages(m));
	show_val_kb(s, "VmallocChunk:", 0);
	show_val_kb(s, "Percpu:",
		    __atomic_load_n(&m->nr_percpu_pages, __ATOMIC_RELAXED));
	if (a->thp) {
		show_val_kb(s, "AnonHugePages:",
			    global_node_page_state(m, NR_ANON_THPS));
		show_val_kb(s, "ShmemHugePages:", 0);
		show_val_kb(s, "ShmemPmdMapped:", 0);
		show_val_kb(s, "FileHugePages:", 0);
		show_val_kb(s, "FilePmdMapped:", 0);
	}
	show_val_kb(s, "Balloon:", 0);
	hugetlb_counts(m, -1, &hc);
	seq_printf(s,
		   "HugePages_Total:   %5lu\nHugePages_Free:    %5lu\n"
		   "HugePages_Rsvd:    %5lu\nHugePages_Surp:    %5lu\n",
		   hc.total, hc.free, hc.resv, hc.surplus);
	show_kb(s, "Hugepagesize:", a->hugepage_kb);
	show_kb(s, "Hugetlb:", hc.total * a->hugepage_kb);
	show_direct_map(s, m);
}
