# Migrate types (/proc/pagetypeinfo): every pageblock starts Movable, but
# the DMA zone's first (pfn 0 is no RAM), whose free megabyte is on the
# Unmovable list; boot's own kernel allocations claimed an order-10 block
# (two pageblocks). The first reclaimable request claims the lowest whole
# movable block; freed, its pages go back to the Reclaimable lists and
# merge there, and the pageblocks keep their type (no pcp lists here, so
# freed pages go straight back to the buddy lists). Both type bits at
# once are refused.
boot mem=1G pcp=off
cat /proc/pagetypeinfo
alloc_pages r 0 GFP_KERNEL|__GFP_RECLAIMABLE
alloc_pages r2 2 GFP_KERNEL|__GFP_RECLAIMABLE
alloc_pages m 3 GFP_HIGHUSER_MOVABLE
cat /proc/pagetypeinfo
free_pages r
free_pages r2
free_pages m
cat /proc/pagetypeinfo
alloc_pages bad 0 GFP_KERNEL|__GFP_MOVABLE|__GFP_RECLAIMABLE
check
