/* SPDX-License-Identifier: MIT */
/*
 * Kernel Samepage Merging (mm/ksm.c): ksmd's work and its sysfs knobs.
 * Processes opt in with madvise(MADV_MERGEABLE) (mmk_madvise); ksmd is
 * not a thread in mmkit, so its scan runs when a caller asks for it, on
 * the current machine. The figures are the files of
 * /sys/kernel/mm/ksm/ (mmk_proc_read), /proc/PID/ksm_stat and
 * /proc/PID/ksm_merging_pages.
 */
#ifndef MMKIT_KSM_H
#define MMKIT_KSM_H

/* /sys/kernel/mm/ksm/run */
#define KSM_RUN_STOP 0
#define KSM_RUN_MERGE 1
#define KSM_RUN_UNMERGE 2

/**
 * mmk_ksm_scan() - run ksmd's work: @batches calls of ksm_do_scan() with
 * pages_to_scan pages each; 0: until the current full scan completes
 * (full_scans grows by one). Nothing is scanned unless run is 1.
 * Context: no mmap lock held.
 * Return: the pages scanned (pages_scanned grew by that), or -EINVAL
 * without a current machine.
 */
long mmk_ksm_scan(unsigned long batches);

/**
 * mmk_ksm_set() - write @value to /sys/kernel/mm/ksm/@name: run (0, 1,
 * or 2: unmerge every KSM page and drop every rmap_item), pages_to_scan,
 * sleep_millisecs, max_page_sharing (>= 2), merge_across_nodes (1 only),
 * use_zero_pages (0 only), smart_scan (0 or 1).
 * Return: 0; -EINVAL for an unknown name or a value Linux refuses (and
 * the departures above), -EBUSY for max_page_sharing while KSM pages
 * exist, -ENOMEM when run=2 could not unmerge everything (run is 0).
 */
int mmk_ksm_set(const char *name, unsigned long value);

#endif /* MMKIT_KSM_H */
