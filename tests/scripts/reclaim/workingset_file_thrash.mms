# A file larger than memory, read twice through a mapping (no swap):
# the second pass refaults every page evicted in the first (9821 of the
# 12288; the rest are the pages reclaim activated, still cached), but
# almost every refault distance (the evictions since: most of the file)
# is beyond the workingset a file page may claim (the active file list,
# about 2500 pages), so the cache keeps cycling: 63 pages come back
# active, those refaulting soon after their eviction, 32 of them pages
# reclaim had deactivated (restore). The first pass's 48 refaults are
# readahead pages evicted before the fault reached them.
boot mem=32M
spawn 1
file big 48M
mmap 1 0x10000000 48M r shared,fixed big 0
touch 1 0x10000000 48M read
cat /proc/vmstat workingset_refault_file workingset_activate_file workingset_restore_file pgsteal_kswapd pgsteal_direct
touch 1 0x10000000 48M read
cat /proc/meminfo Active(file) Inactive(file)
cat /proc/vmstat workingset_refault_file workingset_activate_file workingset_restore_file workingset_nodes pgsteal_kswapd pgsteal_direct pgactivate
check
exit 1
check
