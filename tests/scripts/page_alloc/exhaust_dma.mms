# GFP_DMA allocations until ZONE_DMA reaches its watermark: the three
# order-10 blocks and the order-9 one go; the order-8 block would leave
# the zone at its min watermark, so that request fails.
boot mem=64M
alloc_pages a 10 GFP_DMA
alloc_pages b 10 GFP_DMA
alloc_pages c 10 GFP_DMA|__GFP_NOWARN
alloc_pages d 9 GFP_DMA|__GFP_NOWARN
alloc_pages e 8 GFP_DMA|__GFP_NOWARN
cat /proc/buddyinfo
free_pages a
free_pages b
cat /proc/buddyinfo
check
