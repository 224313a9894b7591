# The compaction sysctls take their ranges (Linux's proc_dointvec_minmax
# bounds): vm.compact_unevictable_allowed 0 or 1, vm.extfrag_threshold
# 0..1000, vm.compaction_proactiveness 0..100; vm.compact_memory only
# 1. A value out of range is a script error, as for the other sysctls.
boot mem=64M
sysctl vm.compact_unevictable_allowed=0
sysctl vm.compact_unevictable_allowed=1
sysctl vm.extfrag_threshold=0
sysctl vm.extfrag_threshold=1000
sysctl vm.compaction_proactiveness=0
sysctl vm.compaction_proactiveness=100
sysctl vm.compact_memory=1
check
sysctl vm.extfrag_threshold=1001
