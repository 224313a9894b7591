# i386 OOM report: show_free_areas()'s node line has no shmem_thp,
# shmem_pmdmapped or anon_thp (CONFIG_TRANSPARENT_HUGEPAGE is off there),
# and no "Node 0" before the zone lines (no NUMA). The report is in dmesg.
boot arch=i386 mem=64M
spawn 1
mmap 1 0x10000000 40M rw private,anonymous,fixed
spawn 2
mmap 2 0x10000000 40M rw private,anonymous,fixed
touch 1 0x10000000 40M write
touch 2 0x10000000 40M write
check
dmesg
