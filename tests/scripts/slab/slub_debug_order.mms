# slub_debug's O: debugging metadata that would raise a cache's minimum
# slab order is left out (big keeps its 4096-byte objects), the others
# get it all (small's 100 bytes grow to 192).
boot mem=256M slub_debug=FZPUO
kmem_cache_create big 4096
kmem_cache_create small 100
kmem_cache_alloc b big
kmem_cache_alloc s small
kmem_cache_free b
kmem_cache_free s
cat /proc/slabinfo
check
