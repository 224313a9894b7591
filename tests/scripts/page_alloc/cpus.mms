# Each CPU has its own per-CPU lists; `drain` empties them all.
boot mem=128M cpus=2
cat /proc/buddyinfo
alloc_pages a 0
cpu 1
alloc_pages b 0
cpu 2
cpu 0
free_pages a
free_pages b
drain
cat /proc/buddyinfo
check
