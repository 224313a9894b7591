# Swap areas by priority (mm/swapfile.c, swapon(2)): an area enabled
# without a priority gets the next default one (-2, -3, ...), an area
# given one (SWAP_FLAG_PREFER) keeps it, and slots come from the area of
# highest priority with room. /proc/swaps lists the areas by type, in
# swap_show's columns; SwapTotal and SwapFree, smaps Swap and VmSwap sum
# every area.
boot mem=64M swap=1M seed=1
swapon /swap-hi 1M 10
swapon /swap-lo 2M
cat /proc/swaps
cat /proc/meminfo SwapTotal SwapFree
spawn 1
mmap 1 0x10000000 2M rw private,anonymous,fixed
touch 1 0x10000000 2M write
write 1 0x10000000 0x1111
write 1 0x100ff000 0x2222
write 1 0x101ff000 0x3333
# 300 pages: /swap-hi's 255 slots, then 45 of /swapfile (-2).
madvise 1 0x10000000 1200K pageout
cat /proc/swaps
# 212 more: the rest of /swapfile, then 2 of /swap-lo (-3).
madvise 1 0x1012c000 848K pageout
cat /proc/swaps
cat /proc/meminfo SwapTotal SwapFree
cat /proc/1/smaps Rss Swap
cat /proc/1/status VmSwap
check
# Back from each area, value for value; their slots are free again.
read 1 0x10000000
read 1 0x100ff000
read 1 0x101ff000
cat /proc/swaps
# A path in use is EBUSY, whatever the size.
swapon /swap-lo 4M
swapon /swapfile 1M 3
exit 1
cat /proc/swaps
check
