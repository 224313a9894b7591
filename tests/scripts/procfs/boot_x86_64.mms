# The default machine's procfs right after boot (x86_64, 1G, 1 node, 2 CPUs).
cat /proc/buddyinfo
cat /proc/zoneinfo
cat /proc/meminfo
cat /proc/vmstat
cat /proc/slabinfo
cat /proc/pagetypeinfo
cat /proc/1/maps
