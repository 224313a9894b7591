# What compaction moves (mm/migrate.c), through vm.compact_memory: the
# page cache of a file mapped shared, anonymous pages shared after fork
# (mapped in both processes), a swap-cache page (read back by one of the
# two processes that share its slot) and mlocked pages. With
# vm.compact_unevictable_allowed=0 the mlocked pages stay where they
# are; set back to 1 (Linux's default), the next run moves them too,
# with their mlock (Mlocked and Unevictable do not change). Every
# process reads what it wrote; rss and the swap cache are as before.
boot mem=64M swap=16M
file f 256K
spawn 1
mmap 1 0x20000000 256K rw shared,fixed f 0
touch 1 0x20000000 256K write
write 1 0x20001000 0xf11e
mmap 1 0x10000000 256K rw private,anonymous,fixed
touch 1 0x10000000 256K write
write 1 0x10002000 0xa0
mmap 1 0x30000000 128K rw private,anonymous,fixed
touch 1 0x30000000 128K write
write 1 0x30003000 0x10c
mlock 1 0x30000000 128K
mmap 1 0x40000000 16K rw private,anonymous,fixed
touch 1 0x40000000 16K write
write 1 0x40000000 0x5a5
madvise 1 0x40000000 16K pageout
fork 1 2
read 1 0x40000000
cat /proc/meminfo Mlocked Unevictable SwapCached Shmem
cat /proc/1/status VmRSS RssAnon RssFile VmSwap
sysctl vm.compact_unevictable_allowed=0
sysctl vm.compact_memory=1
cat /proc/vmstat pgmigrate_success pgmigrate_fail compact_isolated
cat /proc/meminfo Mlocked Unevictable SwapCached Shmem
check
sysctl vm.compact_unevictable_allowed=1
sysctl vm.compact_memory=1
cat /proc/vmstat pgmigrate_success pgmigrate_fail compact_isolated
cat /proc/meminfo Mlocked Unevictable SwapCached Shmem
cat /proc/1/status VmRSS RssAnon RssFile VmSwap
read 1 0x20001000
read 2 0x20001000
read 1 0x10002000
read 2 0x10002000
read 1 0x30003000
read 2 0x40000000
read 1 0x40000000
write 2 0x10002000 0xb0
read 1 0x10002000
read 2 0x10002000
check
exit 2
exit 1
check
