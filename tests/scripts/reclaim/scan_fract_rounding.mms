# get_scan_count's SCAN_FRACT share of each list (mm/vmscan.c): a list's
# size >> priority times its swappiness weight (60 for anon, 140 for
# file) over 200, rounded down as Linux 6.18 does for every online
# memory cgroup (the root's, or no memcg): only an offlined memcg rounds
# up. 3072 inactive anon pages give 0 at priorities 12 to 10
# (3072 >> 10 = 3, 3 * 60 / 200 = 0), so the first reclaim passes take
# only file pages, deactivated from the active list since the inactive
# file list is low (no cache_trim_mode). Rounded up, every pass took an
# anon page too.
boot mem=128M swap=64M seed=1
file f 80M
spawn 1
# Two faults and two unmaps with the accessed bit: the file pages are
# activated (mark_page_accessed at zap), none inactive.
mmap 1 0x30000000 80M r shared,fixed f 0
touch 1 0x30000000 80M read
munmap 1 0x30000000 80M
mmap 1 0x30000000 80M r shared,fixed f 0
touch 1 0x30000000 80M read
munmap 1 0x30000000 80M
mmap 1 0x10000000 12M rw private,anonymous,fixed
touch 1 0x10000000 12M write
cat /proc/meminfo MemFree Active(file) Inactive(file) Inactive(anon)
# Kernel pages (vmalloc takes them one at a time) push free memory down.
vmalloc a1 4M
vmalloc a2 4M
vmalloc a3 4M
vmalloc a4 4M
vmalloc a5 4M
vmalloc a6 4M
vmalloc a7 4M
cat /proc/vmstat pgscan_kswapd pgscan_direct pgscan_anon pgscan_file pgsteal_anon pgsteal_file pgrefill pgdeactivate
cat /proc/meminfo MemFree Active(file) Inactive(file) Inactive(anon)
check
