boot mem=64M
cat /proc/meminfo MemTotal Cachd
