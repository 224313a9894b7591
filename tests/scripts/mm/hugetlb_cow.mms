# Copy-on-write of private huge pages (mm/hugetlb.c's hugetlb_wp): fork
# copies the entries, write-protected; a copy takes a free page, not a
# reserved one. With none left, the child's copy is SIGBUS, while the
# owner's takes the page from the child (unmap_ref_private): the child's
# next fault there is SIGBUS with "killed due to inadequate hugepage
# pool". vm.nr_overcommit_hugepages lets a mapping reserve surplus pages
# beyond the pool, which go back to the page allocator once free; the
# pool shrunk under use keeps the pages in use as surplus pages.
sysctl vm.nr_hugepages=3
spawn 1
mmap 1 0x7f0000000000 4M rw private,anonymous,hugetlb,fixed
write 1 0x7f0000000000 1
write 1 0x7f0000200000 2
fork 1 2
cat /proc/2/smaps_rollup Private_Hugetlb Shared_Hugetlb
cat /proc/2/status HugetlbPages
write 2 0x7f0000000000 3
cat /proc/meminfo HugePages_Free HugePages_Rsvd
read 1 0x7f0000000000
write 2 0x7f0000200000 4
write 1 0x7f0000200000 5
cat /proc/1/smaps_rollup Private_Hugetlb Shared_Hugetlb
cat /proc/2/smaps_rollup Private_Hugetlb Shared_Hugetlb
read 2 0x7f0000200000
read 2 0x7f0000000000
dmesg
check
exit 1
exit 2
cat /proc/meminfo HugePages_Total HugePages_Free HugePages_Rsvd HugePages_Surp
# Surplus pages.
spawn 3
mmap 3 0x7f0000000000 10M rw private,anonymous,hugetlb,fixed
sysctl vm.nr_overcommit_hugepages=2
cat /proc/sys/vm/nr_overcommit_hugepages
mmap 3 0x7f0000000000 10M rw private,anonymous,hugetlb,fixed
mmap 3 0x7f0000000000 8M rw private,anonymous,hugetlb,fixed
cat /proc/meminfo HugePages_Total HugePages_Free HugePages_Rsvd HugePages_Surp
touch 3 0x7f0000000000 8M write
sysctl vm.nr_hugepages=1
cat /proc/meminfo HugePages_Total HugePages_Free HugePages_Rsvd HugePages_Surp
cat /proc/sys/vm/nr_hugepages
cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
cat /sys/kernel/mm/hugepages/hugepages-2048kB/surplus_hugepages
munmap 3 0x7f0000000000 4M
cat /proc/meminfo HugePages_Total HugePages_Free HugePages_Rsvd HugePages_Surp
cat /proc/vmstat htlb_buddy_alloc_success htlb_buddy_alloc_fail
exit 3
cat /proc/meminfo HugePages_Total HugePages_Free HugePages_Rsvd HugePages_Surp
check
