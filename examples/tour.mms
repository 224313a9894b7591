# The mmkit tour: Linux's page and slab allocators on the embedded default machine
# (x86_64, 1 GiB, one node, two CPUs). Run it with `make demo`.
boot
echo == 1. A freshly booted machine. RAM is 4K..636K and 1M..1G; the first
echo == megabyte and the kernel image are reserved, so ZONE_DMA has 3840 of
echo == its 3998 present pages and the rest is in order-10 blocks.
cat /proc/buddyinfo
echo == 2. Allocations: order 0 comes from this CPU's per-CPU list, refilled
echo == from the buddy lists a batch at a time; GFP_DMA and GFP_DMA32 pick
echo == the zone; an order above MAX_PAGE_ORDER fails.
alloc_pages a 0
alloc_pages b 3
alloc_pages dma 2 GFP_DMA
alloc_pages dma32 5 GFP_DMA32
alloc_pages big 10 GFP_KERNEL|__GFP_COMP
alloc_pages zeroed 1 GFP_KERNEL|__GFP_ZERO
alloc_pages huge 11
echo == Splitting a block left its upper halves on lower orders:
cat /proc/buddyinfo
echo == 3. Reference counting: get_page adds a holder; the last put frees.
get_page a
put_page a
put_page a
echo == 4. Freeing merges each block with its free buddy, order by order.
free_pages b
free_pages dma
free_pages dma32
free_pages big
free_pages zeroed
echo == Freed order 0-3 pages wait on the per-CPU lists until drained:
drain
cat /proc/buddyinfo
echo == Migrate types: every pageblock of 512 pages has one, and free pages
echo == are listed by type. GFP_KERNEL asks for Unmovable memory, user pages
echo == for Movable; boot's own allocations already claimed two pageblocks.
echo == The first Reclaimable request claims a whole movable order-10 block
echo == (two pageblocks) for its type:
alloc_pages r 0 GFP_KERNEL|__GFP_RECLAIMABLE
cat /proc/pagetypeinfo
free_pages r
echo == 5. Fault injection: the next page allocation fails (ENOMEM).
fail page_alloc nth=1
alloc_pages x 0
fail page_alloc off
echo == 6. The slab allocator: a cache of 100-byte objects (128 with
echo == SLAB_HWCACHE_ALIGN, 32 to a page), kmalloc size classes (70 bytes
echo == come from kmalloc-96), krealloc in place while the class fits, and
echo == a 20000-byte kmalloc served by the page allocator (order 3).
kmem_cache_create inode 100 SLAB_HWCACHE_ALIGN
kmem_cache_alloc i1 inode
kmem_cache_alloc i2 inode
kmalloc k 70
krealloc k 90
krealloc k 200
kmalloc big 20000
kmalloc none 0
cat /proc/slabinfo
kmem_cache_destroy inode
echo == Destroying a cache with live objects is refused (EBUSY); free them:
kmem_cache_free i1
kmem_cache_free i2
kfree k
kfree big
kfree none
echo == 7. vmalloc: virtually contiguous memory from scattered pages, with
echo == a guard page after each area (the size in vmallocinfo includes it).
vmalloc v 100K
cat /proc/vmallocinfo
vfree v
echo == 8. A process: VMAs split and merge exactly as on Linux 6.18.
echo == Two adjacent anonymous mappings merge; mprotect of the middle page
echo == splits the VMA in three and undoing it merges them back; munmap of
echo == a hole splits; the kernel picks addresses top-down below mmap_base.
spawn 1
mmap 1 0x200000000 12K rw private,anonymous,fixed
mmap 1 0x200003000 4K rw private,anonymous,fixed
mprotect 1 0x200001000 4K r
cat /proc/1/maps
mprotect 1 0x200001000 4K rw
munmap 1 0x200002000 4K
mmap 1 0 1M r private,anonymous
mmap 1 0 8K rw shared,anonymous
echo == mlock splits off what it locks and counts it in VmLck; the heap is
echo == the brk area.
mlock 1 0x200000000 4K
brk 1 0
cat /proc/1/maps
echo == Pages come on demand: a read maps the shared zero page (no RSS),
echo == a write allocates a page. fork shares the pages copy-on-write: the
echo == child's write copies the page, the parent keeps its value.
touch 1 0x200001000 4K read
pagemap 1 0x200001000 4K
write 1 0x200001008 0x1234
fork 1 2
read 2 0x200001008
echo == /proc/PID/pagemap shows the sharing: before the child's write both
echo == map the same frame, neither exclusively; after it, each its own.
echo == /proc/kpageflags and kpagecount tell what a frame is and how many
echo == mappings it has.
pagemap 2 0x200001000 4K
kpageflags 0x2001
write 2 0x200001008 0x5678
read 2 0x200001008
read 1 0x200001008
pagemap 1 0x200001000 4K
pagemap 2 0x200001000 4K
kpageflags 0x2001 2
echo == Outside any VMA, or writing read-only memory: SIGSEGV.
read 1 0x300000000
mprotect 1 0x200001000 4K r
write 1 0x200001008 1
echo == The child has the same VMAs, but VM_LOCKED is not inherited; its
echo == written page is private, the locked one is shared with the parent:
cat /proc/2/smaps
cat /proc/2/status
exit 2
exit 1
echo == 9. Reclaim. Pages that processes use sit on LRU lists, inactive
echo == first; when free memory falls below a zone's low watermark, kswapd
echo == reclaims from the lists' tails, writing dirty pages back to their
echo == file or to swap. MADV_PAGEOUT reclaims a range at once, as Linux's
echo == reclaim_pages does: clean file pages leave the page cache; a dirty
echo == one is unmapped but stays, activated, for the flushers to write;
echo == anonymous pages need swap, which this machine has none of, so they
echo == stay too. (tests/scripts/reclaim shows swap and the OOM killer.)
echo == Reading the file through its mapping takes one major fault: the
echo == first miss reads 32 pages around it, and each readahead mark the
echo == reader reaches reads the next 32 ahead of it.
spawn 3
file data 1M
mmap 3 0x300000000 1M rw shared,fixed data 0
mmap 3 0x300100000 1M rw private,anonymous,fixed
touch 3 0x300000000 1M read
cat /proc/vmstat pgmajfault
touch 3 0x300100000 1M write
write 3 0x300000000 0xfeed
cat /proc/meminfo Cached Dirty Active(anon) Inactive(anon) Active(file) Inactive(file)
madvise 3 0x300000000 2M pageout
cat /proc/meminfo Cached Dirty Active(anon) Inactive(anon) Active(file) Inactive(file)
cat /proc/vmstat nr_vmscan_immediate_reclaim pgactivate
cat /proc/3/status VmRSS RssAnon RssFile
read 3 0x300000000
exit 3
echo == 10. The zones in Linux's own formats.
cat /proc/zoneinfo
cat /proc/meminfo
echo == 11. The verifier walks every free list, per-CPU list, slab, vmap area
echo == and VMA tree.
check
