# Pages swapped in under an mlocked VMA (mm/memory.c do_swap_page). Linux
# 6.18 maps a page that is not anonymous yet (read by this fault) with
# folio_add_new_anon_rmap(), which does not mlock (folio_add_lru_vma
# does, for new pages), and adds it with folio_add_lru(): it stays on the
# evictable LRU, out of Mlocked and Unevictable, though smaps counts it
# Locked, until reclaim meets the VM_LOCKED mapping and mlocks it
# (folio_referenced_one: "restore the mlock which got missed").
boot mem=64M swap=32M seed=1
spawn 1
mmap 1 0x10000000 64K rw private,anonymous,fixed
touch 1 0x10000000 64K write
madvise 1 0x10000000 64K pageout
# mlock's populate faults the 16 pages back in: none is mlocked.
mlock 1 0x10000000 64K
cat /proc/1/smaps Rss Swap Locked
cat /proc/1/status VmLck
cat /proc/meminfo Inactive(anon) Unevictable Mlocked
cat /proc/vmstat nr_mlock unevictable_pgs_culled unevictable_pgs_mlocked unevictable_pgs_munlocked unevictable_pgs_rescued
# munlock finds them not mlocked: nothing to count.
munlock 1 0x10000000 64K
cat /proc/vmstat nr_mlock unevictable_pgs_culled unevictable_pgs_mlocked unevictable_pgs_munlocked unevictable_pgs_rescued
# mlock again: its page walk now mlocks the mapped pages.
mlock 1 0x10000000 64K
cat /proc/meminfo Unevictable Mlocked
cat /proc/vmstat nr_mlock unevictable_pgs_culled unevictable_pgs_mlocked unevictable_pgs_munlocked unevictable_pgs_rescued
munlock 1 0x10000000 64K
# Shared after fork: the parent's mlock reads each slot into the swap
# cache (not mlocked there either) and, writing, copies it; the copy is
# new and mlocked (culled, mlocked), the cached page loses a mapping it
# was never mlocked for (no munlocked, no rescued).
madvise 1 0x10000000 64K pageout
fork 1 2
mlock 1 0x10000000 64K
cat /proc/meminfo SwapCached Unevictable Mlocked
cat /proc/vmstat nr_mlock unevictable_pgs_culled unevictable_pgs_mlocked unevictable_pgs_munlocked unevictable_pgs_rescued
exit 2
munlock 1 0x10000000 64K
cat /proc/meminfo SwapCached Unevictable Mlocked
cat /proc/vmstat nr_mlock unevictable_pgs_culled unevictable_pgs_mlocked unevictable_pgs_munlocked unevictable_pgs_rescued
# Reclaim mlocks what it finds in an mlocked VMA: swapped out and locked
# again, the pages wait on the inactive list until a second process's
# pressure makes reclaim scan them; they end up unevictable, not swapped.
madvise 1 0x10000000 64K pageout
mlock 1 0x10000000 64K
cat /proc/meminfo Unevictable Mlocked
spawn 3
mmap 3 0x20000000 80M rw private,anonymous,fixed
touch 3 0x20000000 80M write
cat /proc/1/smaps Rss Swap Locked
cat /proc/meminfo Unevictable Mlocked
exit 3
exit 1
cat /proc/meminfo Unevictable Mlocked SwapCached
cat /proc/vmstat nr_mlock nr_unevictable
check
