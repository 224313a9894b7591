# prctl(PR_SET_MEMORY_MERGE): a process's memory merges with no madvise.
# Every compatible VMA, existing or new, is mergeable ("mg" in VmFlags),
# a shared one not; the flag survives fork; turning it off unmerges.
boot mem=64M
spawn 1
mmap 1 0x10000000 16K rw private,anonymous,fixed
mmap 1 0x10010000 8K rw shared,anonymous,fixed
prctl 1 get_memory_merge
prctl 1 set_memory_merge 1 1
prctl 1 set_memory_merge 1
prctl 1 get_memory_merge
mmap 1 0x10004000 8K rw private,anonymous,fixed
write 1 0x10000000 0x5a
write 1 0x10001000 0x5a
write 1 0x10002000 0x5a
write 1 0x10005000 0x77
ksm run=1
ksm_scan
ksm_scan
cat /proc/1/smaps Rss KSM VmFlags
cat /proc/1/ksm_stat
cat /sys/kernel/mm/ksm/pages_sharing
fork 1 2
prctl 2 get_memory_merge
cat /proc/2/ksm_stat
prctl 1 set_memory_merge 0
cat /proc/1/ksm_stat
cat /proc/1/smaps VmFlags KSM
prctl 1 99
prctl 7 get_memory_merge
check
