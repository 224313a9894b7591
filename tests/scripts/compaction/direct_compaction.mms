# Direct compaction (mm/compaction.c, __alloc_pages_direct_compact): a
# process fills memory with anonymous pages, then unmaps 16K of every
# 32K of its first 4M (order-2 holes: free memory in small pieces);
# kernel allocations take every free block of order 4 or more, and a
# few unmovable pages more. An order-4 movable request finds no free
# block: the fragmentation index says fragmentation, not lack of
# memory, is to blame (above vm.extfrag_threshold), so the slow path
# compacts before it reclaims (a costly order, async priority): the
# migrate scanner moves the process's pages out of the low movable
# pageblocks into free pages the free scanner takes at the zone's top,
# and the request is served from the blocks that merged (compact_stall
# 1, compact_success 1). The free scanner stops at the min watermark:
# the page it finds no target for is counted failed (pgmigrate_fail)
# and goes back to its list. The process reads what it wrote before.
boot mem=64M
spawn 1
mmap 1 0x10000000 50M rw private,anonymous,fixed
touch 1 0x10000000 50M write
write 1 0x10000000 0x1111
write 1 0x10010000 0x2222
write 1 0x12000000 0x3333
write 1 0x13170000 0x4444
munmap 1 0x10004000 16K
munmap 1 0x1000c000 16K
munmap 1 0x10014000 16K
munmap 1 0x1001c000 16K
munmap 1 0x10024000 16K
munmap 1 0x1002c000 16K
munmap 1 0x10034000 16K
munmap 1 0x1003c000 16K
munmap 1 0x10044000 16K
munmap 1 0x1004c000 16K
munmap 1 0x10054000 16K
munmap 1 0x1005c000 16K
munmap 1 0x10064000 16K
munmap 1 0x1006c000 16K
munmap 1 0x10074000 16K
munmap 1 0x1007c000 16K
munmap 1 0x10084000 16K
munmap 1 0x1008c000 16K
munmap 1 0x10094000 16K
munmap 1 0x1009c000 16K
munmap 1 0x100a4000 16K
munmap 1 0x100ac000 16K
munmap 1 0x100b4000 16K
munmap 1 0x100bc000 16K
munmap 1 0x100c4000 16K
munmap 1 0x100cc000 16K
munmap 1 0x100d4000 16K
munmap 1 0x100dc000 16K
munmap 1 0x100e4000 16K
munmap 1 0x100ec000 16K
munmap 1 0x100f4000 16K
munmap 1 0x100fc000 16K
munmap 1 0x10104000 16K
munmap 1 0x1010c000 16K
munmap 1 0x10114000 16K
munmap 1 0x1011c000 16K
munmap 1 0x10124000 16K
munmap 1 0x1012c000 16K
munmap 1 0x10134000 16K
munmap 1 0x1013c000 16K
munmap 1 0x10144000 16K
munmap 1 0x1014c000 16K
munmap 1 0x10154000 16K
munmap 1 0x1015c000 16K
munmap 1 0x10164000 16K
munmap 1 0x1016c000 16K
munmap 1 0x10174000 16K
munmap 1 0x1017c000 16K
munmap 1 0x10184000 16K
munmap 1 0x1018c000 16K
munmap 1 0x10194000 16K
munmap 1 0x1019c000 16K
munmap 1 0x101a4000 16K
munmap 1 0x101ac000 16K
munmap 1 0x101b4000 16K
munmap 1 0x101bc000 16K
munmap 1 0x101c4000 16K
munmap 1 0x101cc000 16K
munmap 1 0x101d4000 16K
munmap 1 0x101dc000 16K
munmap 1 0x101e4000 16K
munmap 1 0x101ec000 16K
munmap 1 0x101f4000 16K
munmap 1 0x101fc000 16K
munmap 1 0x10204000 16K
munmap 1 0x1020c000 16K
munmap 1 0x10214000 16K
munmap 1 0x1021c000 16K
munmap 1 0x10224000 16K
munmap 1 0x1022c000 16K
munmap 1 0x10234000 16K
munmap 1 0x1023c000 16K
munmap 1 0x10244000 16K
munmap 1 0x1024c000 16K
munmap 1 0x10254000 16K
munmap 1 0x1025c000 16K
munmap 1 0x10264000 16K
munmap 1 0x1026c000 16K
munmap 1 0x10274000 16K
munmap 1 0x1027c000 16K
munmap 1 0x10284000 16K
munmap 1 0x1028c000 16K
munmap 1 0x10294000 16K
munmap 1 0x1029c000 16K
munmap 1 0x102a4000 16K
munmap 1 0x102ac000 16K
munmap 1 0x102b4000 16K
munmap 1 0x102bc000 16K
munmap 1 0x102c4000 16K
munmap 1 0x102cc000 16K
munmap 1 0x102d4000 16K
munmap 1 0x102dc000 16K
munmap 1 0x102e4000 16K
munmap 1 0x102ec000 16K
munmap 1 0x102f4000 16K
munmap 1 0x102fc000 16K
munmap 1 0x10304000 16K
munmap 1 0x1030c000 16K
munmap 1 0x10314000 16K
munmap 1 0x1031c000 16K
munmap 1 0x10324000 16K
munmap 1 0x1032c000 16K
munmap 1 0x10334000 16K
munmap 1 0x1033c000 16K
munmap 1 0x10344000 16K
munmap 1 0x1034c000 16K
munmap 1 0x10354000 16K
munmap 1 0x1035c000 16K
munmap 1 0x10364000 16K
munmap 1 0x1036c000 16K
munmap 1 0x10374000 16K
munmap 1 0x1037c000 16K
munmap 1 0x10384000 16K
munmap 1 0x1038c000 16K
munmap 1 0x10394000 16K
munmap 1 0x1039c000 16K
munmap 1 0x103a4000 16K
munmap 1 0x103ac000 16K
munmap 1 0x103b4000 16K
munmap 1 0x103bc000 16K
munmap 1 0x103c4000 16K
munmap 1 0x103cc000 16K
munmap 1 0x103d4000 16K
munmap 1 0x103dc000 16K
munmap 1 0x103e4000 16K
munmap 1 0x103ec000 16K
munmap 1 0x103f4000 16K
munmap 1 0x103fc000 16K
# Every free block of order 4 or more, as long as the watermark allows.
alloc_pages F0 10 __GFP_NOWARN
alloc_pages F1 10 __GFP_NOWARN
alloc_pages F2 10 __GFP_NOWARN
alloc_pages F3 10 __GFP_NOWARN
alloc_pages F4 9 __GFP_NOWARN
alloc_pages F5 9 __GFP_NOWARN
alloc_pages F6 9 __GFP_NOWARN
alloc_pages F7 9 __GFP_NOWARN
alloc_pages F8 8 __GFP_NOWARN
alloc_pages F9 8 __GFP_NOWARN
alloc_pages F10 8 __GFP_NOWARN
alloc_pages F11 8 __GFP_NOWARN
alloc_pages F12 7 __GFP_NOWARN
alloc_pages F13 7 __GFP_NOWARN
alloc_pages F14 7 __GFP_NOWARN
alloc_pages F15 7 __GFP_NOWARN
alloc_pages F16 6 __GFP_NOWARN
alloc_pages F17 6 __GFP_NOWARN
alloc_pages F18 6 __GFP_NOWARN
alloc_pages F19 6 __GFP_NOWARN
alloc_pages F20 5 __GFP_NOWARN
alloc_pages F21 5 __GFP_NOWARN
alloc_pages F22 5 __GFP_NOWARN
alloc_pages F23 5 __GFP_NOWARN
alloc_pages F24 4 __GFP_NOWARN
alloc_pages F25 4 __GFP_NOWARN
alloc_pages F26 4 __GFP_NOWARN
alloc_pages F27 4 __GFP_NOWARN
alloc_pages K0 0
alloc_pages K1 1
kmalloc K2 2048
alloc_pages K3 0
cat /proc/buddyinfo
cat /proc/vmstat compact_stall compact_success compact_fail pgmigrate_success
alloc_pages H 4 GFP_HIGHUSER_MOVABLE
cat /proc/buddyinfo
cat /proc/vmstat compact_migrate_scanned compact_free_scanned compact_isolated compact_stall compact_fail compact_success pgmigrate_success pgmigrate_fail nr_isolated_anon
read 1 0x10000000
read 1 0x10010000
read 1 0x12000000
read 1 0x13170000
check
free_pages H
exit 1
check
