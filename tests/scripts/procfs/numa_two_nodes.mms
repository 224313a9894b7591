# Two nodes of 1G: node 1 has only DMA32; each node's zoneinfo block carries
# its per-node stats in its first populated zone.
boot mem=2G nodes=2 cpus=4
cat /proc/buddyinfo
cat /proc/zoneinfo
check
