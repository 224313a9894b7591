# vm.compact_unevictable_allowed is 0 or 1.
boot mem=64M
sysctl vm.compact_unevictable_allowed=2
