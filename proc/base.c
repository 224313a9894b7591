/* SPDX-License-Identifier: MIT */
/*
 * /proc/PID/oom_score and /proc/PID/oom_score_adj (Linux's fs/proc/base.c).
 *
 * 1. What it models. oom_score is the OOM killer's badness of the process
 *    (mm/oom_kill.c) scaled to 0..2000 as Linux exports it,
 *    (1000 + badness * 1000 / (RAM + swap pages)) * 2 / 3, and 0 for a
 *    process it never kills (oom_score_adj -1000); oom_score_adj is the
 *    adjustment (`oom_score_adj PID N` or mmk_set_oom_score_adj() writes
 *    it). Each is one decimal number and a newline.
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
