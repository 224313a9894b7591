/* SPDX-License-Identifier: MIT */
/*
 * Memory compaction's controls (include/linux/compaction.h): the
 * /proc/sys/vm knobs of mm/compaction.c, for the current machine.
 */
#ifndef MMKIT_COMPACTION_H
#define MMKIT_COMPACTION_H

#include <stdbool.h>

/**
 * mmk_compact_memory() - write 1 to /proc/sys/vm/compact_memory: every
 * zone of every node is compacted whole.
 * Return: 0, or -EINVAL without a machine (or one without processes).
 */
int mmk_compact_memory(void);
/**
 * mmk_set_compact_unevictable_allowed() - vm.compact_unevictable_allowed:
 * whether compaction moves mlocked pages (1, Linux's default).
 * Return: the previous value, or -EINVAL without a machine.
 */
int mmk_set_compact_unevictable_allowed(bool on);
/**
 * mmk_set_extfrag_threshold() - vm.extfrag_threshold, 0..1000 (500):
 * costly-order compaction runs only when the fragmentation index is
 * above it. Return: the previous value, or -EINVAL.
 */
int mmk_set_extfrag_threshold(int threshold);
/**
 * mmk_set_compaction_proactiveness() - vm.compaction_proactiveness,
 * 0..100 (20): a nonzero value runs kcompactd's proactive round on each
 * node whose fragmentation score is above 110 - @proactiveness.
 * Return: the previous value, or -EINVAL.
 */
int mmk_set_compaction_proactiveness(int proactiveness);

#endif /* MMKIT_COMPACTION_H */
