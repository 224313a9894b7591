# i386 with highmem: DMA, Normal up to 896M, HighMem above; no NUMA lines.
boot arch=i386 mem=1G
cat /proc/buddyinfo
cat /proc/zoneinfo
cat /proc/meminfo
cat /proc/slabinfo
alloc_pages high 0 GFP_HIGHUSER
alloc_pages low 0 GFP_KERNEL
alloc_pages dma32 0 GFP_DMA32
cat /proc/vmstat
check
