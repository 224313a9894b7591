# /proc/PID/smaps_rollup and /proc/PID/statm (fs/proc/task_mmu.c,
# fs/proc/array.c, Linux 6.18). The rollup sums every VMA's smaps fields
# under one header from the first VMA's start to the last one's end, named
# [rollup], with Pss split into Pss_Anon, Pss_File and Pss_Shmem; the
# fixed-point Pss sums are cut to kB once, at the end: three VMAs of two
# pages, each page shared by three processes, show 2 kB each in smaps
# (2 x 4096 / 3 bytes) but 7 kB in the rollup (6 x 4096 / 3 bytes, less
# the fixed point's truncation). statm is size resident shared text lib data dt in
# pages: shared = file + shmem pages, data = data + stack VMAs, lib and
# dt 0.
boot mem=64M swap=32M seed=1
spawn 1
cat /proc/1/smaps_rollup
cat /proc/1/statm
mmap 1 0x10000000 8K rw private,anonymous,fixed
mmap 1 0x10003000 8K rw private,anonymous,fixed
mmap 1 0x10006000 8K rw private,anonymous,fixed
touch 1 0x10000000 8K write
touch 1 0x10003000 8K write
touch 1 0x10006000 8K write
fork 1 2
fork 1 3
cat /proc/1/smaps Pss
cat /proc/1/smaps_rollup
# A file, a shmem mapping, locked memory, swap and a stack VMA.
file f 64K
mmap 1 0x20000000 64K r private,fixed f 0
touch 1 0x20000000 16K read
mmap 1 0x30000000 16K rw shared,anonymous,fixed
touch 1 0x30000000 8K write
mmap 1 0x40000000 16K rw private,anonymous,fixed,locked
mmap 1 0x50000000 64K rw private,anonymous,fixed
touch 1 0x50000000 64K write
madvise 1 0x50000000 32K pageout
mmap 1 0x60000000 16K rw private,anonymous,fixed,growsdown
cat /proc/1/smaps_rollup
cat /proc/1/statm
cat /proc/1/status VmSize VmRSS RssFile RssShmem VmData VmStk VmSwap
cat /proc/2/statm
exit 1
cat /proc/1/statm
cat /proc/1/smaps_rollup
check
