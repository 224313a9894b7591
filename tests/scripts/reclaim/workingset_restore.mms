# Restore: a page reclaim deactivated (shrink_active_list sets
# PG_workingset) carries the bit in its shadow, and its refault, if
# activated, says so (workingset_restore_file). A 16M file read once is
# pushed out by a 44M process. Read again, every page refaults, and with
# swap, the anon pages count in the workingset a file page may claim
# (workingset_test_recent): all 4096 are activated (no pgactivate: they
# join the LRU active), while reclaim, seeing refaults activate file
# pages, deactivates the active file list (pgdeactivate: the pages get
# PG_workingset) and swaps some anon out. More pressure evicts those
# deactivated pages; read a third time, the file refaults again, and the
# pages that had been deactivated are restored.
boot mem=64M swap=64M
spawn 1
file f 16M
mmap 1 0x20000000 16M r shared,fixed f 0
touch 1 0x20000000 16M read
spawn 2
mmap 2 0x10000000 44M rw private,anonymous,fixed
touch 2 0x10000000 44M write
cat /proc/meminfo Active(anon) Inactive(anon) Active(file) Inactive(file) SwapFree
cat /proc/vmstat pgdeactivate pswpout workingset_refault_file workingset_activate_file workingset_restore_file
touch 1 0x20000000 16M read
cat /proc/meminfo Active(anon) Inactive(anon) Active(file) Inactive(file) SwapFree
cat /proc/vmstat pgdeactivate pswpout workingset_refault_file workingset_activate_file workingset_restore_file
mmap 2 0x20000000 8M rw private,anonymous,fixed
touch 2 0x20000000 8M write
cat /proc/meminfo Active(anon) Inactive(anon) Active(file) Inactive(file) SwapFree
cat /proc/vmstat pgdeactivate pswpout workingset_refault_file workingset_activate_file workingset_restore_file
touch 1 0x20000000 16M read
cat /proc/meminfo Active(anon) Inactive(anon) Active(file) Inactive(file) SwapFree
cat /proc/vmstat pgdeactivate pswpout workingset_refault_file workingset_activate_file workingset_restore_file
check
exit 2
exit 1
check
