# comments and blank lines are skipped

   	  # indented comment
boot mem=64M seed=0x10   # trailing comment
alloc_pages a 1 GFP_KERNEL|0x100
alloc_pages b 0x3	__GFP_DMA
check
