# Reclaim and swap (mm/vmscan.c, mm/swapfile.c). A 40M process on a 32M
# machine with 32M of swap: what does not fit goes to /swapfile, and
# comes back, value for value, when touched again. After fork, swapped
# data is shared through the swap cache until one side writes.
boot mem=32M swap=32M seed=1
cat /proc/swaps
spawn 1
mmap 1 0x10000000 40M rw private,anonymous,fixed
touch 1 0x10000000 40M write
write 1 0x10000000 0x1111
write 1 0x11000000 0x2222
write 1 0x127ff000 0x3333
check
cat /proc/swaps
read 1 0x10000000
read 1 0x11000000
read 1 0x127ff000
fork 1 2
read 2 0x10000000
write 2 0x10000000 0x4444
read 1 0x10000000
read 2 0x10000000
check
# MADV_PAGEOUT puts 16 pages into swap at once; MADV_FREE of swapped
# pages frees their slots.
mmap 1 0x20000000 64K rw private,anonymous,fixed
touch 1 0x20000000 64K write
madvise 1 0x20000000 64K pageout
cat /proc/1/smaps
madvise 1 0x20000000 64K free
check
exit 2
munmap 1 0x10000000 40M
munmap 1 0x20000000 64K
check
cat /proc/swaps
# A shared file mapping larger than what stays free: its dirty pages are
# written back to the file's blocks and read again, value for value.
file f 24M
mmap 1 0x30000000 24M rw shared,fixed f 0
write 1 0x30000000 0x5555
write 1 0x317ff000 0x6666
touch 1 0x30000000 24M write
munmap 1 0x30000000 24M
mmap 1 0x10000000 24M rw private,anonymous,fixed
touch 1 0x10000000 24M write
munmap 1 0x10000000 24M
mmap 1 0x30000000 24M r shared,fixed f 0
read 1 0x30000000
read 1 0x317ff000
check
exit 1
check
cat /proc/swaps
