# swapoff(2) without the memory for what the area holds (mm/swapfile.c).
# Under strict overcommit the area's size is charged first
# (security_vm_enough_memory_mm): refused, ENOMEM, and nothing moves.
# Under the heuristic it tries: pages come back until neither RAM nor
# /swapfile has room, then ENOMEM (no process is killed for it); what
# came back stays in memory and the area is enabled again, with its
# priority.
boot mem=32M swap=4M seed=1
swapon /swap2 16M 5
spawn 1
mmap 1 0x10000000 40M rw private,anonymous,fixed
touch 1 0x10000000 40M write
write 1 0x10000000 0x1111
write 1 0x11000000 0x2222
write 1 0x127ff000 0x3333
cat /proc/swaps
cat /proc/vmstat pswpin pswpout
sysctl vm.overcommit_memory=2
swapoff /swap2
cat /proc/swaps
cat /proc/vmstat pswpin pswpout
check
sysctl vm.overcommit_memory=0
swapoff /swap2
cat /proc/swaps
cat /proc/meminfo SwapTotal SwapFree
cat /proc/1/status VmRSS VmSwap
cat /proc/vmstat pswpin oom_kill
check
read 1 0x10000000
read 1 0x11000000
read 1 0x127ff000
check
# With the process gone there is nothing to bring back.
exit 1
swapoff /swap2
cat /proc/swaps
check
