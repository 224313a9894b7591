# The task's policy applies where a VMA has none; fork copies both; the
# task's interleave goes round the nodes by page offset; move_pages and
# migrate_pages move single pages and whole nodes.
boot mem=512M nodes=4 cpus=4
spawn 1
set_mempolicy 1 interleave 1-3
get_mempolicy 1
get_mempolicy 1 node
mmap 1 0x200000000 48K rw private,anonymous,fixed
mmap 1 0x300000000 8K rw private,anonymous,fixed
mbind 1 0x300000000 8K preferred=static 2
touch 1 0x200000000 48K write
touch 1 0x300000000 8K write
cat /proc/1/numa_maps
fork 1 2
cat /proc/2/numa_maps
get_mempolicy 2
set_mempolicy 2 weighted_interleave 0-1
interleave_weight 1 3
mmap 2 0x400000000 32K rw private,anonymous,fixed
touch 2 0x400000000 32K write
cat /proc/2/numa_maps
move_pages 1 0x200000000 4
move_pages 1 0x200000000 3 0
move_pages 1 0x200000000 4
move_pages 1 0x200000000 1 0 move_all
move_pages 1 0x300000000 3
migrate_pages 1 1-3 0
cat /proc/1/numa_maps
set_mempolicy 1 default
get_mempolicy 1
exit 2
exit 1
check
