# pread(2) and pwrite(2): a memfd's bytes written land in the pages its
# mappings share, a write extends it, a read stops at the end; seals
# refuse writes (F_SEAL_GROW only the page past the end). A regular
# file's reads read ahead (a window of 4 pages, then 8 more at the
# mark), its writes are dirty.
boot mem=64M
spawn 1
memfd m allow_sealing
pwrite m 100 16 0x1122334455667788
cat /proc/meminfo Shmem
mmap 1 0x10000000 8K rw shared,fixed m 0
read 1 0x10000060
read 1 0x10000068
read 1 0x10000070
pread m 0 4096
pread m 50 100
pread m 116 100
pread m 200 1
seal m grow
pwrite m 4000 200 1
pwrite m 100 8 2
read 1 0x10000068
seal m future_write
pwrite m 0 1 1
file f 64K
mmap 1 0x20000000 64K r shared,fixed f 0
pread f 0 4096
cat /proc/meminfo Cached
pread f 4096 4096
pread f 8192 4096
cat /proc/meminfo Cached
pwrite f 65530 10 0x41
cat /proc/meminfo Dirty
check
