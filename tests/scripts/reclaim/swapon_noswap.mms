# A machine booted without swap gets it by swapon (mm/swapfile.c), and
# loses it by swapoff; a later swapon takes the freed type again and
# starts clean: no slot, count or shadow of the old area is left, and
# pages swapped to it come back with what was written last.
boot mem=32M seed=1
cat /proc/swaps
cat /proc/meminfo SwapTotal SwapFree
spawn 1
mmap 1 0x10000000 64K rw private,anonymous,fixed
touch 1 0x10000000 64K write
write 1 0x10000000 0x1111
write 1 0x1000f000 0x2222
# No swap: anonymous pages stay.
madvise 1 0x10000000 64K pageout
cat /proc/1/smaps Rss Swap
swapon /swapfile 1M
cat /proc/swaps
cat /proc/meminfo SwapTotal SwapFree
madvise 1 0x10000000 64K pageout
cat /proc/1/smaps Rss Swap
cat /proc/1/status VmSwap
read 1 0x10000000
# Evicted again: its slot keeps a shadow, which the swapoff's read of
# it finds (a refault, as swapin_readahead's would be).
madvise 1 0x10000000 64K pageout
swapoff /swapfile
cat /proc/swaps
cat /proc/meminfo SwapTotal SwapFree
cat /proc/1/smaps Rss Swap
cat /proc/vmstat pswpin pswpout workingset_refault_anon
check
write 1 0x10000000 0x3333
swapon /swap-new 2M
madvise 1 0x10000000 64K pageout
cat /proc/swaps
read 1 0x10000000
read 1 0x1000f000
cat /proc/vmstat pswpin pswpout workingset_refault_anon
check
exit 1
swapoff /swap-new
cat /proc/swaps
check
