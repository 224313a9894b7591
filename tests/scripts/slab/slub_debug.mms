# slub_debug=FZPU at boot: every cache gets red zones, poisoning, tracking
# and consistency checks, which changes object sizes (see slabinfo).
boot mem=256M slub_debug=FZPU
kmem_cache_create obj 64
kmem_cache_alloc a obj
kmalloc k 100
kmem_cache_free a
kfree k
cat /proc/slabinfo
check
