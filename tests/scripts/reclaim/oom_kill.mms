# The OOM killer (mm/oom_kill.c): when a fault, a page table or a kernel
# allocation finds no memory, the process with the highest badness (its
# resident, swap and page-table pages, moved by oom_score_adj thousandths
# of RAM) dies. A process that dies during a command reports SIGKILL for
# it; later commands naming it get ESRCH. The report goes to dmesg.
boot mem=64M seed=3
spawn 1
spawn 2
spawn 3
mmap 1 0x10000000 24M rw private,anonymous,fixed
touch 1 0x10000000 24M write
mmap 2 0x10000000 8M rw private,anonymous,fixed
touch 2 0x10000000 8M write
write 2 0x10000000 0x22
oom_score_adj 1 -1000
oom_score_adj 2 1000
oom_score_adj 2 1001
oom_score_adj 9 0
cat /proc/1/oom_score_adj
cat /proc/1/oom_score
cat /proc/2/oom_score
cat /proc/3/oom_score
# 3 needs more than is free: 2 (adj 1000) dies in 3's fault, 3 goes on.
mmap 3 0x10000000 20M rw private,anonymous,fixed
touch 3 0x10000000 20M write
read 2 0x10000000
cat /proc/2/status
# Now 3 is the one to go: it dies in its own mmap(MAP_POPULATE).
mmap 3 0x20000000 24M rw private,anonymous,fixed,populate
mmap 3 0x30000000 4K rw private,anonymous,fixed
check
dmesg
