# vm.compaction_proactiveness is 0..100.
boot mem=64M
sysctl vm.compaction_proactiveness=101
