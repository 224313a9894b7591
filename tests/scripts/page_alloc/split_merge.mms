# Split and merge in ZONE_DMA with the per-CPU lists off, so every call
# reaches the buddy lists. DMA's free memory at boot:
#   [256,512) order 8 | [512,1024) order 9 | [1024,4096) 3 x order 10
boot mem=64M pcp=off cpus=1
cat /proc/buddyinfo
# Order 0 splits the order-8 block at 256: halves of orders 0..7 remain.
alloc_pages a 0 GFP_DMA
cat /proc/buddyinfo
# Order 0 again takes pfn 257, the order-0 half (best fit).
alloc_pages b 0 GFP_DMA
# Order 1 takes the order-1 half at 258.
alloc_pages c 1 GFP_DMA
cat /proc/buddyinfo
# Freeing in any order merges back up to order 8.
free_pages b
free_pages a
cat /proc/buddyinfo
free_pages c
cat /proc/buddyinfo
check
