# vm.compact_memory only takes 1.
boot mem=64M
sysctl vm.compact_memory=0
