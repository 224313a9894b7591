# kmalloc size classes: 8 16 32 64 96 128 192 256 ... 8k; larger sizes come
# from the page allocator (not in slabinfo, counted in SUnreclaim).
boot mem=256M
kmalloc a 1
kmalloc b 8
kmalloc c 9
kmalloc d 64
kmalloc e 65
kmalloc f 96
kmalloc g 97
kmalloc h 192
kmalloc i 193
kmalloc j 4096
kmalloc k 8192
kmalloc l 8193
kmalloc m 4M
kmalloc n 5M
kmalloc dma 100 GFP_DMA
kmalloc rcl 100 GFP_KERNEL|__GFP_RECLAIMABLE
kmalloc zero 0
cat /proc/slabinfo
cat /proc/meminfo
kfree a
kfree b
kfree c
kfree d
kfree e
kfree f
kfree g
kfree h
kfree i
kfree j
kfree k
kfree l
kfree m
kfree dma
kfree rcl
kfree zero
check
