# The refault distance, page by page (workingset_test_recent). No file
# pages: the workingset an anonymous page may claim is the active anon
# list alone, empty here. MADV_PAGEOUT evicts pages 0..15 in order,
# stamping page i with the clock at i + 1; touched again in the same
# order, page i refaults at clock 16: distance 15 - i. Only page 15
# (distance 0) is within the empty workingset: one activation.
boot mem=64M swap=16M
spawn 1
mmap 1 0x10000000 64K rw private,anonymous,fixed
touch 1 0x10000000 64K write
madvise 1 0x10000000 64K pageout
touch 1 0x10000000 64K read
cat /proc/meminfo Active(anon) Inactive(anon)
cat /proc/vmstat workingset_refault_anon workingset_activate_anon workingset_restore_anon
check
# Swapped out again, the pages leave new shadows in their slots;
# munmap frees the slots, and the shadows with them (check: a shadow
# is never left in a free slot).
madvise 1 0x10000000 64K pageout
cat /proc/swaps
munmap 1 0x10000000 64K
cat /proc/swaps
check
exit 1
check
