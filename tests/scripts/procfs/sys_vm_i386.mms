# lowmem_reserve_ratio on i386: one value per zone type of that build
# (DMA, Normal, HighMem, Movable; no DMA32, no Device).
boot arch=i386 mem=256M
cat /proc/sys/vm/lowmem_reserve_ratio
