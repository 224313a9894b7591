# SigQ's limit on x86_64 (kernel/fork.c set_max_threads, Linux 6.18): it
# comes from memblock_estimated_nr_free_pages(), RAM minus every memblock
# reservation (the first megabyte's BIOS holes included), not from
# MemTotal: 16 KiB stacks, an eighth of the memory, halved.
boot mem=2G
spawn 1
cat /proc/1/status SigQ
cat /proc/meminfo MemTotal
