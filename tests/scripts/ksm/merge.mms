# Two identical pages of one process merge into one KSM page on the
# second full scan (the first only records each page's checksum).
boot mem=64M
spawn 1
mmap 1 0x10000000 4M rw private,anonymous
# Four pages: 0 and 2 hold the same value, 1 and 3 differ.
write 1 0x10000000 0x1234
write 1 0x10001000 0x1
write 1 0x10002000 0x1234
write 1 0x10003000 0x2
madvise 1 0x10000000 4M mergeable
ksm run=1
ksm_scan
cat /sys/kernel/mm/ksm/full_scans
cat /sys/kernel/mm/ksm/pages_volatile
ksm_scan
cat /sys/kernel/mm/ksm/pages_shared
cat /sys/kernel/mm/ksm/pages_sharing
cat /sys/kernel/mm/ksm/pages_unshared
cat /sys/kernel/mm/ksm/pages_volatile
cat /sys/kernel/mm/ksm/full_scans
cat /sys/kernel/mm/ksm/pages_scanned
cat /sys/kernel/mm/ksm/general_profit
cat /proc/1/ksm_stat
cat /proc/1/ksm_merging_pages
cat /proc/1/smaps Rss Anonymous KSM
kpageflags 0x1c02 1
pagemap 1 0x10000000 0x4000
check
