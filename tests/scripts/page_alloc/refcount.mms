# get_page/put_page counting: the last put frees the block with the order it
# was allocated with; compound pages are freed whole.
boot mem=64M
alloc_pages p 2
get_page p
get_page p
put_page p
put_page p
put_page p
alloc_pages q 0 GFP_KERNEL|__GFP_COMP
alloc_pages big 4 GFP_KERNEL|__GFP_COMP|__GFP_ZERO
get_page big
put_page big
put_page big
free_pages q
drain
check
