# mbind splits and merges VMAs by policy; numa_maps shows each policy
# and where the pages went (interleave by page offset, bind, preferred).
boot mem=512M nodes=2 cpus=2
spawn 1
mmap 1 0x200000000 64K rw private,anonymous,fixed
mbind 1 0x200004000 16K bind 1
cat /proc/1/maps
mbind 1 0x200008000 16K bind 1
cat /proc/1/maps
mbind 1 0x200004000 32K interleave 0-1
touch 1 0x200000000 64K write
cat /proc/1/numa_maps
get_mempolicy 1 0x200004000
get_mempolicy 1 0x200000000
get_mempolicy 1 0x200004000 node
get_mempolicy 1 0x200005000 node
mbind 1 0x200004000 32K default
cat /proc/1/maps
mbind 1 0x200000000 16K preferred 1 move
cat /proc/1/numa_maps
mbind 1 0x200000000 16K bind 0 strict
mbind 1 0x200000000 16K bind 1 strict
mbind 1 0x200000000 16K bind 0 move,strict
cat /proc/1/numa_maps
cat /proc/vmstat pgmigrate_success pgmigrate_fail
check
