/* SPDX-License-Identifier: MIT */
/* Private to proc/ (and libmmkit-malloc.so's statistics): one renderer per
 * procfs file. */
#ifndef MMK_PROC_INTERNAL_H
#define MMK_PROC_INTERNAL_H

#include "mm/internal.h"
#include "proc/seq.h"

/* A renderer of a machine-wide file. */
typedef void proc_show_fn(struct seq_file *s, struct mmk_machine *m);
/* A machine-wide file: its path and its renderer. */
struct proc_file {
	const char *path;
	proc_show_fn *show;
};
/* proc/proc.c: what mmk_proc_write() does for one renderer; a caller that
 * names its files' renderers links only those (libmmkit-malloc.so). */
int proc_write_show(struct mmk_machine *m, proc_show_fn *show, int fd);

/* proc/vmstat.c */
void proc_buddyinfo_show(struct seq_file *s, struct mmk_machine *m);
void proc_pagetypeinfo_show(struct seq_file *s, struct mmk_machine *m);
void proc_zoneinfo_show(struct seq_file *s, struct mmk_machine *m);
void proc_vmstat_show(struct seq_file *s, struct mmk_machine *m);
/* mm/vmalloc.c */
void proc_vmallocinfo_show(struct seq_file *s, struct mmk_machine *m);
/* mm/swapfile.c */
void proc_swaps_show(struct seq_file *s, struct mmk_machine *m);
/* proc/slabinfo.c */
void proc_slabinfo_show(struct seq_file *s, struct mmk_machine *m);
/* proc/meminfo.c */
void proc_meminfo_show(struct seq_file *s, struct mmk_machine *m);
unsigned long si_mem_available(struct mmk_machine *m);
/* proc/task_mmu.c, proc/array.c: /proc/PID files, the mm locked */
struct mm_struct;
void proc_pid_maps_show(struct seq_file *s, struct mmk_machine *m,
			struct mm_struct *mm);
void proc_pid_smaps_show(struct seq_file *s, struct mmk_machine *m,
			 struct mm_struct *mm);
void proc_pid_smaps_rollup_show(struct seq_file *s, struct mmk_machine *m,
				struct mm_struct *mm);
void proc_pid_statm_show(struct seq_file *s, struct mmk_machine *m,
			 struct mm_struct *mm);
void proc_pid_numa_maps_show(struct seq_file *s, struct mmk_machine *m,
			     struct mm_struct *mm);
void proc_oom_score_show(struct seq_file *s, struct mmk_machine *m,
			 struct mm_struct *mm);
void proc_oom_score_adj_show(struct seq_file *s, struct mmk_machine *m,
			     struct mm_struct *mm);
void proc_pid_ksm_merging_pages_show(struct seq_file *s, struct mmk_machine *m,
				     struct mm_struct *mm);
void proc_pid_ksm_stat_show(struct seq_file *s, struct mmk_machine *m,
			    struct mm_struct *mm);
void proc_pid_status_show(struct seq_file *s, struct mmk_machine *m,
			  struct mm_struct *mm);
void task_mem(struct seq_file *s, struct mm_struct *mm);
/* The binary files, read as pread(2) reads: the bytes, or -errno.
 * proc/task_mmu.c: /proc/PID/pagemap, the mm locked. */
long proc_pid_pagemap_read(struct mm_struct *mm, void *buf, size_t count,
			   unsigned long long off);
/* proc/sysctl.c: /proc/sys/vm/@name into @s: 0, -ENOENT, or -EACCES
 * for a write-only one. */
int proc_sys_vm_show(struct seq_file *s, struct mmk_machine *m,
		     const char *name);
/* proc/page.c: /proc/kpageflags (@flags) or /proc/kpagecount. */
long proc_kpage_read(struct mmk_machine *m, bool flags, void *buf, size_t count,
		     unsigned long long off);

#endif /* MMK_PROC_INTERNAL_H */
