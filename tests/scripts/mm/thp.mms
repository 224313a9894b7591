# Transparent huge pages (mm/huge_memory.c), with Linux 6.18's policy
# defaults (enabled=madvise, defrag=madvise, use_zero_page=1): a read
# fault in a MADV_HUGEPAGE range maps the huge zero page (no RSS, its PTE
# table deposited: VmPTE), a write replaces it with a huge page, munmap
# of one page splits the PMD and leaves the rest mapped, a VMA boundary
# inside a huge page splits it, mprotect and mremap of whole huge pages
# keep them, and prctl(PR_SET_THP_DISABLE) and the knobs turn them off.
# The same calls on this machine's kernel gave the same numbers
# (tests/thp_diff_test.c runs such sequences against it).
cat /sys/kernel/mm/transparent_hugepage/enabled
cat /sys/kernel/mm/transparent_hugepage/defrag
cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size
spawn 1
mmap 1 0x40000000 8M rw private,anonymous,fixed
cat /proc/1/smaps THPeligible
madvise 1 0x40000000 8M hugepage
cat /proc/1/smaps THPeligible
touch 1 0x40000000 4K read
pagemap 1 0x40000000 4K
kpageflags 0x1a00
cat /proc/1/smaps_rollup Rss AnonHugePages
cat /proc/1/status VmPTE RssAnon
cat /proc/vmstat thp_fault_alloc thp_zero_page_alloc nr_anon_transparent_hugepages
write 1 0x40000010 0x1234
write 1 0x40200000 7
cat /proc/1/smaps_rollup Rss Private_Dirty AnonHugePages
cat /proc/1/status VmPTE RssAnon
cat /proc/meminfo AnonPages AnonHugePages
cat /proc/vmstat thp_fault_alloc thp_split_pmd nr_anon_transparent_hugepages
pagemap 1 0x40200000 8K
kpageflags 0x1e00 2
# One page out of the first: a split; the second stays whole.
munmap 1 0x40001000 4K
cat /proc/1/maps
cat /proc/1/smaps Rss AnonHugePages THPeligible
read 1 0x40000010
cat /proc/vmstat thp_split_pmd
# A VMA boundary inside the second one splits it; a whole one keeps.
touch 1 0x40400000 4M write
mprotect 1 0x40300000 1M r
mprotect 1 0x40400000 2M r
cat /proc/1/smaps Rss AnonHugePages
cat /proc/vmstat thp_split_pmd
# mremap moves a huge page whole between aligned addresses.
mremap 1 0x40600000 2M 2M maymove,fixed 0x50000000
cat /proc/1/smaps AnonHugePages
mincore 1 0x50000000 16K
# MADV_COLLAPSE makes base pages a huge page again, whatever the policy;
# a 2 MiB without a page table fails the call after the others are done.
mmap 1 0x48000000 6M rw private,anonymous,fixed
write 1 0x48000000 7
write 1 0x48005000 8
read 1 0x48200000
madvise 1 0x48000000 6M collapse
cat /proc/1/smaps AnonHugePages
cat /proc/vmstat thp_collapse_alloc
read 1 0x48005000
madvise 1 0x48000000 4M collapse
check
# prctl(PR_SET_THP_DISABLE): no more, THP_enabled 0.
prctl 1 set_thp_disable 1
prctl 1 get_thp_disable
cat /proc/1/status THP_enabled
mmap 1 0x60000000 4M rw private,anonymous,fixed
madvise 1 0x60000000 4M hugepage
touch 1 0x60000000 4M write
cat /proc/1/smaps THPeligible
prctl 1 set_thp_disable 1 2
prctl 1 get_thp_disable
prctl 1 set_thp_disable 0 2
# enabled=never: none, whatever the VMA says; the knobs refuse nonsense.
thp enabled=never
thp enabled
thp enabled=sometimes
thp use_zero_page=0
thp use_zero_page
cat /proc/1/smaps THPeligible
exit 1
cat /proc/meminfo AnonHugePages
check
