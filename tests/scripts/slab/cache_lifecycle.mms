# A cache's life: create, allocate (a slab is made), free, shrink (empty
# slabs go back), destroy. A compatible second cache merges into the
# first (one slabinfo line), a cache with debug flags never merges, and
# destroying a cache that still has objects is refused.
boot mem=256M cpus=1
kmem_cache_create dentry 192 SLAB_HWCACHE_ALIGN
kmem_cache_create buffer 190 SLAB_HWCACHE_ALIGN
kmem_cache_create debugged 192 SLAB_RED_ZONE|SLAB_POISON|SLAB_CONSISTENCY_CHECKS
kmem_cache_alloc a dentry
kmem_cache_alloc b buffer
kmem_cache_alloc c debugged
cat /proc/slabinfo
kmem_cache_free a
kmem_cache_free b
kmem_cache_free c
kmem_cache_shrink dentry
kmem_cache_destroy buffer
kmem_cache_destroy dentry
kmem_cache_alloc d debugged
kmem_cache_destroy debugged
kmem_cache_free d
kmem_cache_create rcu 64 SLAB_TYPESAFE_BY_RCU
kmem_cache_create big 4M
kmem_cache_create toobig 5M
cat /proc/slabinfo
check
