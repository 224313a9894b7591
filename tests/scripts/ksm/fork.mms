# A KSM page across fork and two processes: fork maps it in the child
# (no rmap_items yet), the next scan gives the child's mappings items of
# the same stable node; a write copies (cow_ksm); MADV_UNMERGEABLE copies
# every KSM page of its range and leaves VM_MERGEABLE off ("mg" goes).
boot mem=64M
spawn 1
spawn 2
mmap 1 0x10000000 16K rw private,anonymous
mmap 2 0x20000000 8K rw private,anonymous
touch 1 0x10000000 16K write
write 2 0x20000000 0x99
touch 2 0x20001000 4K write
madvise 1 0x10000000 16K mergeable
madvise 2 0x20000000 8K mergeable
ksm run=1
ksm_scan 2
# Five zero-filled pages share one KSM page; pid 2's 0x99 page is alone.
ksm pages_shared
ksm pages_sharing
ksm pages_unshared
ksm pages_volatile
cat /proc/2/ksm_stat
fork 1 3
cat /proc/3/ksm_stat
ksm_scan
ksm pages_sharing
cat /proc/3/ksm_stat
cat /proc/3/ksm_merging_pages
cat /proc/3/smaps_rollup Rss Pss Shared_Dirty Anonymous KSM
write 3 0x10000000 7
cat /proc/vmstat cow_ksm
cat /proc/3/smaps KSM
madvise 1 0x10002000 8K unmergeable
cat /proc/vmstat cow_ksm
cat /proc/1/maps
cat /proc/1/smaps KSM VmFlags
check
# The stable items of pages no longer KSM, or no longer scanned, go as
# the scan passes them.
ksm_scan
ksm pages_shared
ksm pages_sharing
ksm pages_unshared
ksm pages_volatile
ksm general_profit
cat /proc/1/ksm_stat
exit 3
exit 1
check
# Smart scan: pid 2's unmergeable page, in its fifth pass, is skipped.
ksm_scan
ksm pages_skipped
ksm pages_shared
ksm pages_sharing
ksm pages_unshared
cat /proc/2/ksm_stat
exit 2
ksm_scan
ksm full_scans
check
