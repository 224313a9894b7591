# HugeTLB pages on i386 without PAE: 4 MiB pages, mapped by PGD entries
# with no page table below them (VmPTE stays 0), at 4 MiB boundaries.
boot arch=i386 mem=256M
sysctl vm.nr_hugepages=3
cat /proc/meminfo HugePages_Total HugePages_Free Hugepagesize Hugetlb
cat /sys/kernel/mm/hugepages/hugepages-4096kB/free_hugepages
spawn 1
mmap 1 0 4K rw private,anonymous,hugetlb
mmap 1 0x40200000 4M rw private,anonymous,hugetlb,fixed
mmap 1 0x40000000 4M rw shared,anonymous,hugetlb,fixed
write 1 0xb7800000 5
write 1 0xb7bffff8 6
write 1 0x40000000 7
cat /proc/1/maps
cat /proc/1/status VmPTE HugetlbPages
cat /proc/1/smaps_rollup Private_Hugetlb
munmap 1 0xb7800000 2M
fork 1 2
write 2 0xb7800000 8
read 1 0xb7800000
read 2 0x40000000
cat /proc/meminfo HugePages_Free HugePages_Rsvd
exit 1
exit 2
check
