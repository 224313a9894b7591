/* SPDX-License-Identifier: MIT */
/*
 * /proc/PID/oom_score, /proc/PID/oom_score_adj, /proc/PID/ksm_stat and
 * /proc/PID/ksm_merging_pages (Linux's fs/proc/base.c).
 *
 * 1. What it models. oom_score is the OOM killer's badness of the process
 *    (mm/oom_kill.c) scaled to 0..2000 as Linux exports it,
 *    (1000 + badness * 1000 / (RAM + swap pages)) * 2 / 3, and 0 for a
 *    process it never kills (oom_score_adj -1000); oom_score_adj is the
 *    adjustment (`oom_score_adj PID N` or mmk_set_oom_score_adj() writes
 *    it). Each is one decimal number and a newline, as is
 *    ksm_merging_pages (the process's pages in KSM's stable tree);
 *    ksm_stat is 6.18's six lines (proc_pid_ksm_stat): rmap_items, zero
 *    pages (0: use_zero_pages is 0 only), merging pages, the profit
 *    (merging pages' bytes less 64 bytes per rmap_item), whether
 *    MMF_VM_MERGE_ANY is set (never: no PR_SET_MEMORY_MERGE) and whether
 *    a VMA is VM_MERGEABLE.
 *
 * 2-3. Read-only.
 *
 * 4. Departures. None.
 *
 * 5. Ordering. The mmap lock of the process.
 *
 * 6. Observability. This is it.
 */
#include "proc/internal.h"
#include "mm/vma.h"

#include <limits.h>

void proc_oom_score_show(struct seq_file *s, struct mmk_machine *m,
			 struct mm_struct *mm)
{
	unsigned long totalpages = oom_totalpages(m), points = 0;
	long badness = oom_badness(mm->owner, totalpages);

	if (badness != LONG_MIN)
		points = (unsigned long)((1000 +
					  badness * 1000 / (long)totalpages) *
					 2 / 3);
	seq_printf(s, "%lu\n", points);
}

void proc_oom_score_adj_show(struct seq_file *s, struct mmk_machine *m,
			     struct mm_struct *mm)
{
	(void)m;
	seq_printf(s, "%d\n",
		   __atomic_load_n(&mm->owner->oom_score_adj,
				   __ATOMIC_RELAXED));
}

void proc_pid_ksm_merging_pages_show(struct seq_file *s, struct mmk_machine *m,
				     struct mm_struct *mm)
{
	long items, merging;

	(void)m;
	ksm_process_counts(mm, &items, &merging);
	seq_printf(s, "%ld\n", merging);
}

void proc_pid_ksm_stat_show(struct seq_file *s, struct mmk_machine *m,
			    struct mm_struct *mm)
{
	long items, merging;

	(void)m;
	ksm_process_counts(mm, &items, &merging);
	seq_printf(s, "ksm_rmap_items %ld\n", items);
	seq_printf(s, "ksm_zero_pages %ld\n", 0L);
	seq_printf(s, "ksm_merging_pages %ld\n", merging);
	seq_printf(s, "ksm_process_profit %ld\n", ksm_process_profit(mm));
	seq_printf(s, "ksm_merge_any: %s\n",
		   __atomic_load_n(&mm->merge_any, __ATOMIC_RELAXED) ? "yes" :
								       "no");
	seq_printf(s, "ksm_mergeable: %s\n",
		   ksm_process_mergeable(mm) ? "yes" : "no");
}
