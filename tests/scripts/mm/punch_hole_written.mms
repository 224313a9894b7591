# MADV_REMOVE of pages that were written back: the hole punch frees
# their blocks too, so they read as zeroes, from the cache and after it.
# Linux 6.18 on ext4 gives the same: pages 0 and 2 kept, page 1 zero;
# read back, pgpgin counts the two blocks (8 kB), not the holes; after a
# punch of the whole file everything reads 0.
boot mem=64M
spawn 1
file f 64K
mmap 1 0x10000000 64K rw shared,fixed f 0
write 1 0x10000000 0x77
write 1 0x10001000 0x88
write 1 0x10002000 0x99
fadvise f 0 0 dontneed
cat /proc/vmstat pgpgout
madvise 1 0x10001000 4K remove
mincore 1 0x10000000 64K
read 1 0x10000000
read 1 0x10001000
read 1 0x10002000
munmap 1 0x10000000 64K
fadvise f 0 0 dontneed
cat /proc/meminfo Cached
mmap 1 0x10000000 64K rw shared,fixed f 0
read 1 0x10000000
read 1 0x10001000
read 1 0x10002000
cat /proc/vmstat pgpgin
madvise 1 0x10000000 64K remove
munmap 1 0x10000000 64K
fadvise f 0 0 dontneed
mmap 1 0x10000000 64K rw shared,fixed f 0
read 1 0x10000000
read 1 0x10002000
cat /proc/vmstat pgpgin
check
