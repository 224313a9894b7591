# fail slab: the 2nd slab allocation fails; __GFP_NOFAIL is exempt.
boot mem=128M
kmem_cache_create obj 64
fail slab nth=2 times=1
kmem_cache_alloc a obj
kmem_cache_alloc b obj
kmem_cache_alloc c obj
kmalloc k 100
fail slab probability=100
kmalloc l 100
kmalloc m 100 GFP_KERNEL|__GFP_NOFAIL
kmalloc big 100000
fail slab off
kmalloc n 100
check
# Only one cache's allocations fail (Linux's failslab cache filter).
fail slab nth=1 times=0 cache=obj
kmem_cache_alloc d obj
kmalloc o 100
fail slab off
kmem_cache_alloc e obj
check
