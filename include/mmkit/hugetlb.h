/* SPDX-License-Identifier: MIT */
/*
 * HugeTLB pages (include/linux/hugetlb.h): the persistent pool of huge
 * pages that MAP_HUGETLB mappings take their memory from. One huge page
 * size per architecture profile, the size of a PMD entry's span: 2 MiB on
 * x86_64, 4 MiB on i386 (a PGD entry's, without PAE). Functions act on
 * the calling thread's current machine.
 */
#ifndef MMKIT_HUGETLB_H
#define MMKIT_HUGETLB_H

/**
 * mmk_set_nr_hugepages() - sysctl vm.nr_hugepages (@nid -1), or node
 * @nid's /sys/devices/system/node/nodeN/hugepages/.../nr_hugepages: the
 * persistent pool grows to @count pages (spread over the nodes in turn,
 * as far as the page allocator can supply order-9 blocks), or shrinks by
 * freeing free pages; pages in use beyond @count become surplus pages,
 * freed when they are. Return: 0, -EINVAL (bad @nid, no machine).
 */
int mmk_set_nr_hugepages(int nid, unsigned long count);
/**
 * mmk_set_nr_overcommit_hugepages() - sysctl vm.nr_overcommit_hugepages
 * (0): how many surplus pages reservations and faults may take from the
 * page allocator beyond the persistent pool. Return: the previous value.
 */
long mmk_set_nr_overcommit_hugepages(unsigned long count);

#endif /* MMKIT_HUGETLB_H */
