# Shadows go with the range they stand for. MADV_PAGEOUT evicts the
# 1024 clean pages of a 4M file, each leaving a shadow. Then a hole
# punched through the first megabyte (MADV_REMOVE: truncate's
# exceptional entries) and FADV_DONTNEED of the second
# (mapping_try_invalidate: clear_shadow_entries) drop 512 shadows.
# Read again, only the other 512 pages refault, in order: page i was
# evicted at clock i + 1 and refaults at clock 1024 (no activation
# between), distance 1023 - i, beyond the empty active file list but
# for the last page evicted, page 1023: one activation.
boot mem=64M
spawn 1
file f 4M
mmap 1 0x10000000 4M rw shared,fixed f 0
touch 1 0x10000000 4M read
madvise 1 0x10000000 4M pageout
cat /proc/meminfo Cached
check
madvise 1 0x10000000 1M remove
fadvise f 1M 1M dontneed
check
touch 1 0x10000000 4M read
cat /proc/meminfo Cached
cat /proc/vmstat workingset_refault_file workingset_activate_file workingset_restore_file
check
# Evicted again, and every shadow dropped by vm.drop_caches=1
# (invalidate_mapping_pages): no refault.
madvise 1 0x10000000 4M pageout
sysctl vm.drop_caches=1
touch 1 0x10000000 4M read
cat /proc/vmstat workingset_refault_file workingset_activate_file
check
exit 1
check
