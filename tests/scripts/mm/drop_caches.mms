# vm.drop_caches=1 (fs/drop_caches.c): the page cache that can go at
# once goes. Of a file's 48 cached pages (16 read, 1 written, each fault
# reading its window of 32 around it), the 4 still mapped and the dirty
# one stay; each write logs a line until one with 4 silences it. Linux
# 6.18 on ext4 gives the same counts (mincore: 48, then 5 pages).
boot mem=64M
spawn 1
file f 256K
mmap 1 0x10000000 256K rw shared,fixed f 0
touch 1 0x10000000 64K read
write 1 0x10020000 0x5
munmap 1 0x10000000 256K
mmap 1 0x10000000 16K r shared,fixed f 0
touch 1 0x10000000 16K read
cat /proc/meminfo Cached Dirty
sysctl vm.drop_caches=1
cat /proc/meminfo Cached Dirty
cat /proc/vmstat drop_pagecache drop_slab
# The dirty page is still there to read; the dropped ones read again
# as the file has them (zeroes).
mmap 1 0x10100000 256K r shared,fixed f 0
read 1 0x10120000
read 1 0x10130000
sysctl vm.drop_caches=2
sysctl vm.drop_caches=4
sysctl vm.drop_caches=3
cat /proc/vmstat drop_pagecache drop_slab
dmesg
check
sysctl vm.drop_caches=0
