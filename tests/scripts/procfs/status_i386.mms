# /proc/PID/status on i386 (fs/proc/array.c): untag_mask is 32 bits wide,
# THP_enabled is 0, Mems_allowed has one bit (no CONFIG_NUMA), and SigQ's
# limit is init's RLIMIT_SIGPENDING: max_threads / 2, where
# set_max_threads() gives 8 KiB thread stacks (THREAD_SIZE on i386, 16 KiB
# on x86_64) an eighth of the memory memblock left free:
# (2G - memblock's reservations) / 4K pages / 16 / 2 = 16051.
boot arch=i386 mem=2G
spawn 1
cat /proc/1/status
# Without CONFIG_NUMA there is no numa_maps.
cat /proc/1/numa_maps
