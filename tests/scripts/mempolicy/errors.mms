# The errno of each kind of bad argument, as the system calls give them.
boot mem=256M nodes=2 cpus=2
spawn 1
spawn 2 unprivileged
mmap 1 0x200000000 32K rw private,anonymous,fixed
mbind 1 0x200000000 4K bind
mbind 1 0x200000000 4K bind 2
mbind 1 0x200000000 4K bind 0,5
mbind 1 0x200000000 4K default 0
mbind 1 0x200000000 4K local 0
mbind 1 0x200000000 4K preferred
mbind 1 0x200000000 4K preferred=static
mbind 1 0x200000000 4K interleave=balancing 0
mbind 1 0x200000000 4K bind=balancing 0
mbind 1 0x200000001 4K bind 0
mbind 1 0x200000000 0 bind 0
mbind 1 0x300000000 4K bind 0
mbind 1 0x300000000 4K default
mbind 1 0x200007000 8K bind 0
mbind 1 0x200007000 8K default
mbind 1 0x200000000 4K bind 0 move_all
mbind 9 0x200000000 4K bind 0
mmap 2 0x200000000 32K rw private,anonymous,fixed
mbind 2 0x200000000 4K bind 0 move_all
set_mempolicy 1 bind
set_mempolicy 1 interleave 7
set_mempolicy 1 local 1
set_mempolicy 9 local
get_mempolicy 1 node
get_mempolicy 1 0x300000000
get_mempolicy 1 0x200000000 mems_allowed
get_mempolicy 1 mems_allowed
migrate_pages 1 0 7
migrate_pages 2 0 7
move_pages 1 0x200000000 2 5
interleave_weight 0 0
interleave_weight 2 1
interleave_weight 1 3
check
