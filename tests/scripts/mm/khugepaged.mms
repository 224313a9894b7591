# khugepaged (mm/khugepaged.c), run explicitly (khugepaged_scan): base
# pages faulted before MADV_HUGEPAGE become huge pages on its pass, each
# 2 MiB with a page table (two pages of 512 are enough with
# max_ptes_none 511, the default), their data kept; a 2 MiB split by
# munmap and a new VMA stays split until MADV_HUGEPAGE merges the VMAs
# again; max_ptes_none 0 wants every entry mapped; pages made old by
# MADV_COLD are not worth collapsing until one is used. This machine's
# kernel collapsed the same 2 MiB in the first part (its khugepaged left
# to run two passes).
cat /sys/kernel/mm/transparent_hugepage/khugepaged/pages_to_scan
thp khugepaged/max_ptes_none
thp khugepaged/max_ptes_swap
thp khugepaged/max_ptes_shared
thp khugepaged/defrag
spawn 1
mmap 1 0x40000000 8M rw private,anonymous,fixed
touch 1 0x40000000 8K write
write 1 0x40001000 0x1234
touch 1 0x40200000 2M write
madvise 1 0x40000000 8M hugepage
cat /proc/1/smaps_rollup AnonHugePages
khugepaged_scan
cat /proc/1/smaps_rollup Rss AnonHugePages
read 1 0x40001000
thp khugepaged/pages_collapsed
thp khugepaged/full_scans
cat /proc/vmstat thp_collapse_alloc thp_scan_exceed_none_pte
munmap 1 0x40200000 4K
mmap 1 0x40200000 4K rw private,anonymous,fixed
khugepaged_scan
cat /proc/1/smaps_rollup AnonHugePages
madvise 1 0x40200000 4K hugepage
cat /proc/1/maps
khugepaged_scan
cat /proc/1/smaps_rollup AnonHugePages
read 1 0x40200000
# max_ptes_none 0: a 2 MiB with an empty entry is left (its data
# untouched, as the whole 2 MiB beside it).
thp khugepaged/max_ptes_none=0
mmap 1 0x41000000 4M rw private,anonymous,fixed
touch 1 0x41000000 2M write
touch 1 0x41200000 1M write
madvise 1 0x41000000 4M hugepage
khugepaged_scan
cat /proc/1/smaps_rollup AnonHugePages
cat /proc/vmstat thp_scan_exceed_none_pte
munmap 1 0x41000000 4M
# Old pages (MADV_COLD) are not worth it; one read is.
thp khugepaged/max_ptes_none=511
mmap 1 0x42000000 2M rw private,anonymous,fixed
touch 1 0x42000000 2M write
madvise 1 0x42000000 2M cold
madvise 1 0x42000000 2M hugepage
khugepaged_scan
cat /proc/1/smaps_rollup AnonHugePages
read 1 0x42100000
khugepaged_scan
cat /proc/1/smaps_rollup AnonHugePages
# A wake-up ends after pages_to_scan pages of progress, 512 per 2 MiB
# looked at: with 512, the 2 MiB at the cursor (the first: huge).
thp khugepaged/pages_to_scan=512
khugepaged_scan 1
thp khugepaged/full_scans
# Knob errors.
thp khugepaged/max_ptes_none=512
thp khugepaged/pages_to_scan=0
thp khugepaged/defrag=2
check
