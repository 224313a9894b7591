# posix_fadvise (mm/fadvise.c) on a 64-page file. Each Cached figure and
# result is what Linux 6.18 gives for the same calls on ext4 with
# read_ahead_kb 128 (mincore of a C program).
boot mem=64M
spawn 1
file f 256K
file m 256K memfd
# WILLNEED reads the range now; DONTNEED drops it.
fadvise f 0 0 willneed
cat /proc/meminfo Cached
fadvise f 0 0 dontneed
cat /proc/meminfo Cached
# SEQUENTIAL doubles the window: a fault at page 40 reads pages 8-63.
fadvise f 0 0 sequential
mmap 1 0x10000000 256K rw shared,fixed f 0
read 1 0x10028000
cat /proc/meminfo Cached
munmap 1 0x10000000 256K
fadvise f 0 0 normal
fadvise f 0 0 dontneed
# Only whole pages go: none in bytes 100-4195, page 1 of bytes
# 4096-10095, none of the last 100 bytes (their page is not whole).
fadvise f 0 0 willneed
fadvise f 100 4096 dontneed
cat /proc/meminfo Cached
fadvise f 4096 6000 dontneed
cat /proc/meminfo Cached
fadvise f 262044 100 dontneed
cat /proc/meminfo Cached
# Dirty pages are written back and kept (under writeback), clean ones
# go; the next DONTNEED drops the written ones but a mapped one, whose
# entry was write-protected: its next write dirties it again.
mmap 1 0x10000000 64K rw shared,fixed f 0
touch 1 0x10000000 64K write
munmap 1 0x10000000 64K
mmap 1 0x10000000 32K rw shared,fixed f 0
write 1 0x10000000 0x2
cat /proc/meminfo Cached Dirty
fadvise f 0 0 dontneed
cat /proc/meminfo Cached Dirty
cat /proc/vmstat nr_written
fadvise f 0 0 dontneed
cat /proc/meminfo Cached Dirty
write 1 0x10000000 0x3
cat /proc/meminfo Dirty
read 1 0x10000000
# Errors: a negative length; a memfd takes any advice and ignores it.
fadvise f 0 0xffffffffffffffff dontneed
mmap 1 0x20000000 256K rw shared,fixed m 0
touch 1 0x20000000 256K write
fadvise m 0 0 dontneed
cat /proc/meminfo Shmem
fadvise f 0 0 noreuse
check
