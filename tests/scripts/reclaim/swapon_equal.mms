# Areas of equal priority take turns (folio_alloc_swap): a CPU takes
# slots from the cluster it took the last one from (512 slots on
# x86_64: swap_alloc_fast); once that is full it goes down the areas
# with room, moving each it tries behind its equals (plist_requeue:
# swap_alloc_slow), and keeps the cluster of the slot it got.
boot mem=64M seed=1
swapon /swap-a 4M 5
swapon /swap-b 4M 5
swapon /swap-c 4M 4
spawn 1
mmap 1 0x10000000 12M rw private,anonymous,fixed
touch 1 0x10000000 12M write
# 1100 pages: /swap-a's first cluster (511 slots after the header), then
# /swap-b's, then 78 of /swap-a's second.
madvise 1 0x10000000 4400K pageout
cat /proc/swaps
# 100 slots of /swap-a's first cluster are freed; the next 100 pages
# still go to the CPU's cluster, /swap-a's second.
munmap 1 0x10000000 400K
madvise 1 0x1044c000 400K pageout
cat /proc/swaps
# 1000 pages: the rest of /swap-a's second cluster (334), /swap-b's
# second (512), the 100 free slots of /swap-a's first, and only then
# /swap-c, of lower priority (54).
madvise 1 0x104b0000 4000K pageout
cat /proc/swaps
cat /proc/meminfo SwapTotal SwapFree
check
exit 1
cat /proc/swaps
check
