# msync (mm/msync.c): MS_SYNC writes the dirty pages of a shared file
# mapping back and cleans their entries (smaps: Private_Dirty to
# Private_Clean; meminfo Dirty; vmstat nr_written), so the next write
# dirties the page again; a private mapping's copies and anonymous memory
# have nothing to write; MS_ASYNC only checks. A hole is ENOMEM with the
# rest synced (MS_ASYNC stops at it), MS_INVALIDATE on locked memory
# EBUSY, bad flags or an unaligned start EINVAL. The same calls on Linux
# 6.18 gave the same results and smaps figures (tests/msync_diff_test.c
# runs such sequences against the host kernel).
spawn 1
file F 64K
mmap 1 0x200000000 64K rw shared,fixed F 0
mmap 1 0x200020000 16K rw private,fixed F 0
write 1 0x200000000 1
write 1 0x200003000 2
write 1 0x200020000 3
cat /proc/meminfo Dirty
cat /proc/1/smaps_rollup Private_Clean Private_Dirty
msync 1 0x200000000 64K async
cat /proc/meminfo Dirty
msync 1 0x200000000 4K sync
cat /proc/meminfo Dirty
cat /proc/vmstat nr_dirty nr_written
msync 1 0x200000000 0x24000 sync,invalidate
cat /proc/meminfo Dirty
cat /proc/1/smaps_rollup Private_Clean Private_Dirty
write 1 0x200003000 4
cat /proc/meminfo Dirty
msync 1 0x200000000 0x30000 sync
msync 1 0x200000000 0x30000 async
cat /proc/meminfo Dirty
mlock 1 0x200001000 4K
msync 1 0x200000000 8K invalidate
msync 1 0x200000000 4K invalidate
msync 1 0x200000000 4K async,sync
msync 1 0x200000000 4K 8
msync 1 0x200000001 4K sync
msync 1 0x200000000 0 sync
msync 1 0x100000000 4K sync
msync 9 0x200000000 4K sync
check
