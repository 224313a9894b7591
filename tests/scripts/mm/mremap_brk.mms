# mremap and brk (Linux 6.18's rules, shared/LINUX-VMA-RULES.md section I).
boot seed=1
spawn 1
mmap 1 0x200000000 8K rw private,anonymous,fixed
# Grow in place, then no room without maymove, then a move.
mremap 1 0x200000000 8K 16K
mmap 1 0x200004000 4K r private,anonymous,fixed
mremap 1 0x200000000 16K 32K
mremap 1 0x200000000 16K 32K maymove,fixed 0x300000000
cat /proc/1/maps
# Shrink in place; a same-size move with dontunmap leaves the old VMA.
mremap 1 0x300000000 32K 8K
mremap 1 0x300000000 8K 8K maymove,fixed,dontunmap 0x300100000
cat /proc/1/maps
# Errors: unaligned address, zero new length, fixed without maymove,
# overlapping ranges, no VMA at the old address.
mremap 1 0x300000001 4K 8K
mremap 1 0x300000000 8K 0
mremap 1 0x300000000 8K 8K fixed 0x300200000
mremap 1 0x300000000 8K 8K maymove,fixed 0x300001000
mremap 1 0x400000000 4K 8K maymove
# The program break: ask, grow, shrink, below the start (refused).
brk 1 0
brk 1 0x56075c777000
cat /proc/1/maps
brk 1 0x56075c775800
brk 1 0x1000
cat /proc/1/maps
cat /proc/1/status
check
