# /proc/sys/vm (proc/sysctl.c): the tunables mmkit has, as Linux 6.18
# prints them, defaults first (the same as this machine's kernel shows,
# but the memory-sized min_free_kbytes and *_reserve_kbytes); a write
# with `sysctl NAME=VALUE` reads back; drop_caches and compact_memory are
# write-only (EACCES, even for root); `sysctl NAME` prints one value.
boot mem=64M
cat /proc/sys/vm/admin_reserve_kbytes
cat /proc/sys/vm/compact_unevictable_allowed
cat /proc/sys/vm/compaction_proactiveness
cat /proc/sys/vm/extfrag_threshold
cat /proc/sys/vm/legacy_va_layout
cat /proc/sys/vm/lowmem_reserve_ratio
cat /proc/sys/vm/max_map_count
cat /proc/sys/vm/min_free_kbytes
cat /proc/sys/vm/oom_dump_tasks
cat /proc/sys/vm/oom_kill_allocating_task
cat /proc/sys/vm/overcommit_kbytes
cat /proc/sys/vm/overcommit_memory
cat /proc/sys/vm/overcommit_ratio
cat /proc/sys/vm/swappiness
cat /proc/sys/vm/user_reserve_kbytes
cat /proc/sys/vm/watermark_scale_factor
cat /proc/sys/vm/drop_caches
cat /proc/sys/vm/compact_memory
cat /proc/sys/vm/dirty_ratio
sysctl vm.swappiness=133
sysctl vm.max_map_count=1000
sysctl vm.overcommit_memory=2
sysctl vm.overcommit_ratio=80
sysctl vm.overcommit_kbytes=4096
sysctl vm.admin_reserve_kbytes=0
sysctl vm.oom_dump_tasks=0
sysctl vm.legacy_va_layout=1
sysctl vm.extfrag_threshold=1000
sysctl vm.compaction_proactiveness=0
sysctl vm.compact_unevictable_allowed=0
sysctl vm.swappiness
sysctl vm.max_map_count
sysctl vm.overcommit_memory
sysctl vm.overcommit_ratio
sysctl vm.overcommit_kbytes
sysctl vm.admin_reserve_kbytes
sysctl vm.oom_dump_tasks
sysctl vm.legacy_va_layout
sysctl vm.extfrag_threshold
sysctl vm.compaction_proactiveness
sysctl vm.compact_unevictable_allowed
sysctl vm.lowmem_reserve_ratio
sysctl vm.drop_caches
