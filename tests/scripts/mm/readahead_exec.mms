# Readahead of an executable file mapping (Linux 6.16's commit
# 3b61a3f08949, in do_sync_mmap_readahead): the window starts at the
# faulting page (exec_folio_order() is 0 on x86), holds ra_pages (32)
# pages cut at the VMA's end, and has no lookahead mark; MADV_RANDOM does
# not turn it off. Linux 6.18 (ext4) gives the same windows: with its
# read_ahead_kb of 8192 a fault at page 40 of the whole file caches pages
# 40-127, under MADV_RANDOM too, and in a VMA of pages 16-55 pages 40-55.
boot mem=64M
spawn 1
file f 512K
# A fault at page 40: pages 40-71, where a plain mapping reads 24-55.
mmap 1 0x10000000 512K rx private,fixed f 0
read 1 0x10028000
mincore 1 0x10000000 512K
# No mark: the fault on page 56 reads no more.
read 1 0x10038000
mincore 1 0x10000000 512K
cat /proc/vmstat pgmajfault
munmap 1 0x10000000 512K
sysctl vm.drop_caches=1
# MADV_RANDOM: the same window.
mmap 1 0x10000000 512K rx private,fixed f 0
madvise 1 0x10000000 512K random
read 1 0x10028000
mincore 1 0x10000000 512K
munmap 1 0x10000000 512K
sysctl vm.drop_caches=1
# A VMA of file pages 16-55: the window stops at its end.
mmap 1 0x10000000 160K rx private,fixed f 0x10000
read 1 0x10018000
mincore 1 0x10000000 160K
munmap 1 0x10000000 160K
sysctl vm.drop_caches=1
# Without PROT_EXEC, MADV_RANDOM reads the page alone.
mmap 1 0x10000000 512K r private,fixed f 0
madvise 1 0x10000000 512K random
read 1 0x10028000
mincore 1 0x10000000 512K
check
