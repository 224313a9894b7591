# A 1M file with one page ever written back: reading it all in again
# does I/O for that page only, the holes being zero-filled without any
# (pgpgin counts 4 kB, not 1024). Linux 6.18 on ext4 gives the same for
# a sparse file with one block (4 kB).
boot mem=64M
spawn 1
file f 1M
mmap 1 0x10000000 1M rw shared,fixed f 0
write 1 0x10000000 0x1
munmap 1 0x10000000 1M
fadvise f 0 0 dontneed
fadvise f 0 0 dontneed
cat /proc/meminfo Cached
cat /proc/vmstat pgpgin pgpgout
mmap 1 0x10000000 1M r shared,fixed f 0
touch 1 0x10000000 1M read
read 1 0x10000000
cat /proc/meminfo Cached
cat /proc/vmstat pgpgin pgpgout
# Readahead (WILLNEED) of holes does no I/O either.
munmap 1 0x10000000 1M
fadvise f 0 0 dontneed
fadvise f 0x1000 0 willneed
cat /proc/meminfo Cached
cat /proc/vmstat pgpgin
check
