# slub_debug with cache lists, as Linux's: debugging for the caches a block
# names (a name may end in '*'), the global flags for the rest; T traces
# every allocation and free of its caches.
boot mem=256M slub_debug=FZ,kmalloc-64;PT,obj*
kmem_cache_create obj 100
kmem_cache_create other 100
kmem_cache_alloc a obj
kmem_cache_free a
kmalloc k 60
kfree k
cat /proc/slabinfo
dmesg
check
