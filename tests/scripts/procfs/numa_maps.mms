# /proc/PID/numa_maps (fs/proc/task_mmu.c show_numa_map; CONFIG_NUMA, so
# x86_64 only). Per VMA: its start, the memory policy (always "default"),
# file=PATH with newline, tab, space and "=" as octal escapes, or heap or
# stack; then, once a page is mapped: anon=, dirty=, mapped= (only when it
# differs from both), mapmax= (above 1), swapcache=, active= (when some
# page is neither active nor unevictable), writeback= and the pages per
# node, and kernelpagesize_kB. The zero page and swap entries count
# nowhere; [vsyscall] has no line. The first lines are those a real 6.18
# prints for the same calls (checked on the host). The swap device is
# synchronous (mm/memory.c): a page read back leaves no swap cache.
boot mem=2G nodes=2 swap=64M
spawn 1
mmap 1 0x200000000 16K rw shared,anonymous,fixed
write 1 0x200000000 1
write 1 0x200001000 2
file m 8K memfd
mmap 1 0x200010000 8K rw shared,fixed m 0
write 1 0x200010000 1
mmap 1 0x200020000 16K r private,anonymous,fixed
read 1 0x200020000
mmap 1 0x200030000 16K none private,anonymous,fixed
mmap 1 0x200040000 8K rw private,anonymous,fixed
write 1 0x200040000 1
write 1 0x200041000 1
fork 1 2
cat /proc/1/numa_maps
# A file read twice (its pages become active), the break, a growsdown
# stack, locked pages (unevictable counts as active), pages swapped out
# and one read back (a refault within the workingset: it comes back
# active, so its line has no active=).
file f 64K
mmap 1 0x300000000 64K r private,fixed f 0
touch 1 0x300000000 64K read
touch 1 0x300000000 16K read
brk 1 0
brk 1 0x55ae6971d000
touch 1 0x55ae69719000 16K write
mmap 1 0x7ff000000000 16K rw private,anonymous,fixed,growsdown
touch 1 0x7ff000000000 16K write
mmap 1 0x400000000 16K rw private,anonymous,fixed,locked
mmap 1 0x500000000 32K rw private,anonymous,fixed
touch 1 0x500000000 32K write
madvise 1 0x500000000 32K pageout
read 1 0x500000000
cat /proc/1/numa_maps
cat /proc/2/numa_maps
exit 2
exit 1
cat /proc/1/numa_maps
check
