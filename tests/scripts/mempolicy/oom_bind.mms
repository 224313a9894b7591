# A fault that a MPOL_BIND policy limits to node 1 finds node 1 full: the
# OOM kill is constrained (CONSTRAINT_MEMORY_POLICY, nodemask=1). The
# scores weigh oom_score_adj in thousandths of node 1's pages (plus swap)
# only, a process bound to node 0 alone is neither chosen nor listed
# although its score is the highest, and the memory picture shows node 1.
boot mem=128M nodes=2 cpus=2 seed=3
spawn 1
spawn 2
spawn 3
set_mempolicy 1 bind 1
set_mempolicy 2 bind 0
set_mempolicy 3 preferred 1
mmap 2 0x10000000 24M rw private,anonymous,fixed
touch 2 0x10000000 24M write
oom_score_adj 2 1000
mmap 3 0x10000000 16M rw private,anonymous,fixed
touch 3 0x10000000 16M write
oom_score_adj 3 600
# 1 needs more than node 1 has left: 3 dies in 1's fault, 1 goes on.
mmap 1 0x10000000 60M rw private,anonymous,fixed
touch 1 0x10000000 60M write
read 3 0x10000000
cat /proc/2/numa_maps
cat /proc/1/numa_maps
check
dmesg
