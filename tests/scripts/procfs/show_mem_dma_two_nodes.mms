# The memory picture a failed allocation logs (mm/show_mem.c,
# show_free_areas): the node lines skip a node with no managed pages in a
# zone the request could use (node_has_managed_zones), as the zone lines
# skip its zones. A GFP_DMA failure on two nodes shows node 0 only (node 1
# has no DMA zone); the hugetlb lines still name every node.
boot mem=2G nodes=2
alloc_pages a 10 GFP_DMA|__GFP_NOWARN
alloc_pages b 10 GFP_DMA|__GFP_NOWARN
alloc_pages c 10 GFP_DMA|__GFP_NOWARN
alloc_pages d 10 GFP_DMA|__GFP_NOWARN
alloc_pages x 10 GFP_DMA|__GFP_NORETRY
dmesg
check
