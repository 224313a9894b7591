# nr_dirty_threshold and nr_dirty_background_threshold (mm/page-writeback.c
# global_dirty_limits, vm.dirty_ratio 20, vm.dirty_background_ratio 10):
# the dirtyable memory is the free pages less totalreserve_pages, plus the
# file LRUs, less what highmem holds (its free pages above the high
# watermark and its file pages: highmem is not dirtyable), plus one; each
# threshold is ratio * PAGE_SIZE / 100 steps of it. Here: at boot
# (255717 free - 3520 reserved - 32668 highmem + 1) * 819 / 4096 = 43895;
# after 64M of a file's page cache went to HighMem (16384 pages, 16199
# highmem pages left free) the file pages count in and out again:
# (238934 - 3520 + 16384 - (16099 + 16384) + 1) * 819 / 4096 = 43852.
boot arch=i386 mem=1G
cat /proc/vmstat nr_free_pages nr_zone_inactive_file nr_dirty_threshold nr_dirty_background_threshold
cat /proc/zoneinfo
spawn 1
file f 64M
mmap 1 0x10000000 64M r private,fixed f 0
touch 1 0x10000000 64M read
cat /proc/vmstat nr_free_pages nr_inactive_file nr_active_file nr_dirty_threshold nr_dirty_background_threshold
check
