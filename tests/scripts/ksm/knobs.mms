# The files of /sys/kernel/mm/ksm before anything merges, the knobs a
# script writes with `ksm NAME=VALUE`, the values Linux refuses, and
# run=2, which unmerges everything and resets full_scans.
boot mem=64M
cat /sys/kernel/mm/ksm/run
cat /sys/kernel/mm/ksm/pages_to_scan
cat /sys/kernel/mm/ksm/sleep_millisecs
cat /sys/kernel/mm/ksm/pages_shared
cat /sys/kernel/mm/ksm/pages_sharing
cat /sys/kernel/mm/ksm/pages_unshared
cat /sys/kernel/mm/ksm/pages_volatile
cat /sys/kernel/mm/ksm/pages_scanned
cat /sys/kernel/mm/ksm/pages_skipped
cat /sys/kernel/mm/ksm/full_scans
cat /sys/kernel/mm/ksm/general_profit
cat /sys/kernel/mm/ksm/max_page_sharing
cat /sys/kernel/mm/ksm/merge_across_nodes
cat /sys/kernel/mm/ksm/use_zero_pages
cat /sys/kernel/mm/ksm/ksm_zero_pages
cat /sys/kernel/mm/ksm/stable_node_chains
cat /sys/kernel/mm/ksm/stable_node_dups
cat /sys/kernel/mm/ksm/smart_scan
cat /sys/kernel/mm/ksm/nosuchfile
# ksmd sleeps until run=1: nothing is scanned.
spawn 1
mmap 1 0x10000000 32K rw private,anonymous,populate
madvise 1 0x10000000 32K mergeable
ksm_scan
ksm_scan 4
ksm run=3
ksm run=1
ksm pages_to_scan=4294967296
ksm pages_to_scan=3
ksm sleep_millisecs=0
ksm max_page_sharing=1
ksm max_page_sharing=2
ksm max_page_sharing=256
ksm use_zero_pages=2
ksm use_zero_pages=1
ksm use_zero_pages=0
ksm merge_across_nodes=0
ksm merge_across_nodes=1
ksm smart_scan=0
# Eight zero-filled pages, three a batch: one batch scans three, the rest
# of the pass five; the second pass merges them all.
ksm_scan 1
ksm full_scans
ksm_scan
ksm full_scans
ksm_scan
ksm pages_shared
ksm pages_sharing
ksm pages_scanned
ksm max_page_sharing=3
cat /proc/1/smaps_rollup KSM
ksm run=2
ksm run
ksm full_scans
ksm pages_shared
ksm pages_sharing
ksm pages_volatile
cat /proc/vmstat cow_ksm
cat /proc/1/ksm_stat
cat /proc/1/smaps_rollup KSM
ksm_scan
ksm max_page_sharing=3
ksm max_page_sharing
# Three mappings at most per KSM page: 3 + 3 + 2 (Linux: a chain of
# three duplicates).
ksm run=1
ksm_scan
ksm_scan
ksm pages_shared
ksm pages_sharing
ksm pages_unshared
ksm stable_node_chains
ksm stable_node_dups
ksm general_profit
check
