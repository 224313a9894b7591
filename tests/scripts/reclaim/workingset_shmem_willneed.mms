# Shmem and MADV_WILLNEED refaults. A memfd page written out to swap
# (shmem_writeout) leaves its shadow in the swap slot, as Linux's swap
# cache does; read back (shmem_swapin), it is a refault of a swap-backed
# page: workingset_refault_anon. As for anonymous pages with nothing else
# in memory, only the last page evicted (distance 0) is activated.
boot mem=64M swap=16M
spawn 1
file m 64K memfd
mmap 1 0x10000000 64K rw shared,fixed m 0
touch 1 0x10000000 64K write
madvise 1 0x10000000 64K pageout
cat /proc/meminfo Shmem SwapFree
touch 1 0x10000000 64K read
cat /proc/meminfo Shmem Active(anon) Inactive(anon) SwapFree
cat /proc/vmstat workingset_refault_anon workingset_activate_anon workingset_refault_file
check
# MADV_WILLNEED reads swapped pages into the swap cache
# (read_swap_cache_async): refaults too, before any fault. The 16 pages
# evicted in order refault in order; page i's distance is 15 - i plus
# the activations since, against the one active anon page, then two:
# pages 14 and 15 are activated. The faults after find them cached: no
# refault, no read.
mmap 1 0x20000000 64K rw private,anonymous,fixed
touch 1 0x20000000 64K write
madvise 1 0x20000000 64K pageout
madvise 1 0x20000000 64K willneed
cat /proc/meminfo SwapCached Active(anon) Inactive(anon)
cat /proc/vmstat pswpin workingset_refault_anon workingset_activate_anon
touch 1 0x20000000 64K read
cat /proc/vmstat pswpin workingset_refault_anon workingset_activate_anon
check
exit 1
check
