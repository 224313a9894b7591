# /proc/PID/clear_refs (clear_refs_write): 1 clears the accessed bits and
# PG_referenced of every mapped page, so smaps' Referenced drops to 0 and
# counts again what is accessed afterwards (here new pages: one the TLB
# still maps is not marked again, as on real hardware); 2 clears only
# anonymous VMAs, 3 only file VMAs; 5 resets VmHWM to VmRSS. The values
# match Linux 6.18's for the same calls (tests/pagemap_diff_test.c).
boot mem=64M
spawn 1
mmap 1 0x10000000 64K rw private,anonymous,fixed
mmap 1 0x20000000 16K rw shared,anonymous,fixed
touch 1 0x10000000 32K write
touch 1 0x20000000 8K write
cat /proc/1/smaps Rss Referenced
clear_refs 1 1
cat /proc/1/smaps Rss Referenced
touch 1 0x10008000 8K write
touch 1 0x20002000 4K read
cat /proc/1/smaps Rss Referenced
clear_refs 1 2
cat /proc/1/smaps Rss Referenced
clear_refs 1 3
cat /proc/1/smaps Rss Referenced
munmap 1 0x10000000 32K
cat /proc/1/status VmHWM VmRSS
clear_refs 1 5
cat /proc/1/status VmHWM VmRSS
clear_refs 1 4
clear_refs 1 0
clear_refs 1 6
clear_refs 2 1
check
