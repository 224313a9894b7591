# A spawn whose zero page could not be allocated (the third page
# allocation of the machine) fails; the next one allocates it (it took
# the missing page for made, and a read fault mapped page 0's NULL).
boot mem=64M
fail page_alloc nth=3
spawn 1
fail page_alloc off
spawn 2
mmap 2 0x200000000 4K r private,anonymous,fixed
read 2 0x200000000
check
