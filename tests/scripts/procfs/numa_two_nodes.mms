# Two nodes of 1G: node 1 has only DMA32; each node's zoneinfo block carries
# its per-node stats in its first populated zone; pagetypeinfo repeats its
# whole text, header included, for each node.
boot mem=2G nodes=2 cpus=4
cat /proc/buddyinfo
cat /proc/zoneinfo
cat /proc/pagetypeinfo
check
