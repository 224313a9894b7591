# HugeTLB pages (mm/hugetlb.c): the pool of vm.nr_hugepages, MAP_HUGETLB
# mappings of whole 2 MiB pages at 2 MiB boundaries, their reservations
# (HugePages_Rsvd: taken at mmap, consumed by the first fault, given back
# to the owner by MADV_DONTNEED, released by munmap), splits only at huge
# page boundaries, mremap by whole pages and never growing, shared
# mappings whose pages belong to their file and MADV_REMOVE's hole. The
# same calls on Linux 6.18 gave the same results and counters
# (tests/hugetlb_diff_test.c runs such sequences against the host kernel).
sysctl vm.nr_hugepages=6
cat /proc/meminfo HugePages_Total HugePages_Free Hugetlb
cat /proc/sys/vm/nr_hugepages
cat /proc/vmstat htlb_buddy_alloc_success nr_hugetlb
spawn 1
mmap 1 0x7f0000000000 4M rw private,anonymous,hugetlb,fixed
mmap 1 0x7f0000801000 4K rw private,anonymous,hugetlb,fixed
mmap 1 0x7f0000801000 4K rw private,anonymous,hugetlb
mmap 1 0x7f0001000000 64M rw private,anonymous,hugetlb,fixed
cat /proc/meminfo HugePages_Free HugePages_Rsvd
cat /proc/1/maps
# A read fault allocates a zeroed page; HugetlbPages, not RSS, counts it.
read 1 0x7f0000000008
write 1 0x7f0000200010 7
cat /proc/meminfo HugePages_Free HugePages_Rsvd
cat /proc/vmstat nr_hugetlb
cat /proc/1/status VmRSS VmPTE HugetlbPages
cat /proc/1/smaps_rollup Rss Private_Hugetlb Shared_Hugetlb
cat /proc/1/numa_maps
# Splits only at huge page boundaries; the start's split stays when the
# end's fails.
munmap 1 0x7f0000001000 4K
mprotect 1 0x7f0000000000 0x201000 r
mprotect 1 0x7f0000200000 2M r
cat /proc/1/maps
mprotect 1 0x7f0000200000 2M rw
cat /proc/1/maps
# DONTNEED: an aligned start, the end rounded down; the page goes and the
# owner's reservation comes back.
madvise 1 0x7f0000201000 4K dontneed
madvise 1 0x7f0000200000 4K dontneed
madvise 1 0x7f0000200000 2M dontneed
cat /proc/meminfo HugePages_Free HugePages_Rsvd
read 1 0x7f0000200010
madvise 1 0x7f0000000000 2M free
madvise 1 0x7f0000000000 2M cold
madvise 1 0x7f0000000000 2M remove
madvise 1 0x7f0000000000 2M mergeable
madvise 1 0x7f0000000000 2M wipeonfork
madvise 1 0x7f0000000000 2M guard_install
# mlock faults the pages in but sets no VM_LOCKED.
mlock 1 0x7f0000a00000 4K
cat /proc/1/status VmLck HugetlbPages
cat /proc/meminfo HugePages_Free HugePages_Rsvd
# mremap: whole pages, aligned, never growing.
mremap 1 0x7f0000000000 2M 4M
mremap 1 0x7f0000000000 2M 0x201000 maymove
mremap 1 0x7f0000000000 2M 2M maymove,fixed 0x7f0003001000
mremap 1 0x7f0000000000 2M 2M maymove,fixed 0x7f0003000000
read 1 0x7f0003000008
cat /proc/1/maps
munmap 1 0x7f0000000000 16M
cat /proc/meminfo HugePages_Total HugePages_Free HugePages_Rsvd HugePages_Surp
# Shared: reserved by the file, pages in its cache; a whole page of a
# hole leaves every process, a partial one stays.
mmap 1 0x7f0004000000 4M rw shared,anonymous,hugetlb,fixed
write 1 0x7f0004000000 1
write 1 0x7f0004200000 2
fork 1 2
cat /proc/2/smaps_rollup Private_Hugetlb Shared_Hugetlb
read 2 0x7f0004200000
cat /proc/2/smaps_rollup Private_Hugetlb Shared_Hugetlb
madvise 2 0x7f0004200000 4K remove
read 1 0x7f0004200000
madvise 2 0x7f0004200000 2M remove
cat /proc/meminfo HugePages_Free HugePages_Rsvd
read 1 0x7f0004200000
cat /proc/meminfo HugePages_Free HugePages_Rsvd
munmap 1 0x7f0004000000 2M
cat /proc/meminfo HugePages_Free HugePages_Rsvd
exit 2
exit 1
cat /proc/meminfo HugePages_Total HugePages_Free HugePages_Rsvd HugePages_Surp
check
