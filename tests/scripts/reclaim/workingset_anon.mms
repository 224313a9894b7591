# Anonymous refaults (mm/workingset.c): MADV_PAGEOUT swaps 16 pages out,
# each leaving a shadow in its swap slot; touched again, each swap-in
# finds its shadow: a refault. Its distance (the 16 evictions and the
# refaults activated since) is within the workingset an anon page may
# claim (active + inactive file: the 4M file's 1024 pages), so each comes
# back active (workingset_activate_anon), without pgactivate: it joins
# the LRU active. None was PG_workingset (never deactivated by reclaim):
# no restore. The slots are freed as the pages come back (SwapFree), and
# their shadows with them.
boot mem=64M swap=16M
spawn 1
file f 4M
mmap 1 0x20000000 4M r shared,fixed f 0
touch 1 0x20000000 4M read
mmap 1 0x10000000 64K rw private,anonymous,fixed
touch 1 0x10000000 64K write
madvise 1 0x10000000 64K pageout
cat /proc/meminfo Active(anon) Inactive(anon) SwapFree
cat /proc/vmstat pswpout workingset_refault_anon workingset_activate_anon workingset_restore_anon pgactivate
check
touch 1 0x10000000 64K read
cat /proc/meminfo Active(anon) Inactive(anon) SwapFree
cat /proc/vmstat pswpin workingset_refault_anon workingset_activate_anon workingset_restore_anon pgactivate
check
exit 1
check
