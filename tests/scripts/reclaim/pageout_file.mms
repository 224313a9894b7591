# MADV_PAGEOUT of a shared file mapping (Linux's reclaim_pages): each
# mapped page is unmapped; a clean one leaves the page cache, a dirty one
# stays, activated (nr_vmscan_immediate_reclaim), for the flushers: only
# kswapd writes file pages back. Anonymous pages without swap stay and are
# activated. Linux 6.18 gives the same: 1 of 256 pages still resident
# (mincore), pgactivate +257, the value read back.
boot mem=64M
spawn 1
file f 1M
mmap 1 0x10000000 1M rw shared,fixed f 0
mmap 1 0x10100000 1M rw private,anonymous,fixed
touch 1 0x10000000 1M read
touch 1 0x10100000 1M write
write 1 0x10000000 0xfeed
cat /proc/meminfo Cached Dirty Active(anon) Inactive(anon) Active(file) Inactive(file)
madvise 1 0x10000000 2M pageout
cat /proc/meminfo Cached Dirty Active(anon) Inactive(anon) Active(file) Inactive(file)
cat /proc/vmstat nr_vmscan_write nr_vmscan_immediate_reclaim pgactivate
cat /proc/1/status VmRSS RssAnon RssFile
# The first touch was one major fault: readahead brought in the rest.
# The kept page carries PG_reclaim, which is also PG_readahead: the fault
# that maps it again reads the 32 pages after it (the file's zeroes:
# never written), and the next fault, on the first of them (marked),
# the 32 after those; no major fault. Fault-around maps pages 2-15 with
# page 1. Linux 6.18 (ext4, read_ahead_kb 128) also takes no major
# fault; it caches pages 0-63 where mmkit caches 0-64, its large folios
# aligning the first window to page 0.
read 1 0x10000000
read 1 0x10001000
cat /proc/vmstat pgpgin pgmajfault
cat /proc/1/status RssFile
# Again, with nothing dirty left mapped: the dirty page, unmapped now,
# is not in the range's page tables, so it stays, and so do the pages
# read ahead that no page table maps (Linux: 49 pages).
madvise 1 0x10000000 1M pageout
cat /proc/meminfo Cached Dirty
check
exit 1
check
