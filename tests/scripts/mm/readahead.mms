# Readahead of a regular file's page faults (mm/readahead.c); the page
# cache is dropped between the parts (vm.drop_caches=1, its log line
# silenced first), so Cached counts each part's pages. Every
# figure of Cached, RssFile and pgmajfault below is what Linux 6.18 gives
# for the same calls on ext4 with read_ahead_kb 128 (mincore, pagemap and
# getrusage of a C program; its mappings' 64 KiB alignment differs, so
# its fault-around windows sit elsewhere, with the same counts).
boot mem=128M
spawn 1
#
# 1. Read-around: a fault that misses the cache reads 32 pages, from 16
# before it; fault-around maps the 16 of them in the fault's aligned
# window. The page 8 before the window's end carries the readahead mark.
file a 384K
mmap 1 0x10000000 384K r shared,fixed a 0
read 1 0x10028000
cat /proc/meminfo Cached
cat /proc/1/status RssFile
cat /proc/vmstat pgmajfault
read 1 0x10029000
cat /proc/vmstat pgmajfault
# Page 56 missed: the window 40-71 adds 56-71; fault-around maps 48-63
# but for the mark on page 48.
read 1 0x10038000
cat /proc/meminfo Cached
cat /proc/1/status RssFile
cat /proc/vmstat pgmajfault
munmap 1 0x10000000 384K
sysctl vm.drop_caches=4
sysctl vm.drop_caches=1
#
# 2. A sequential reader: one major fault; each mark it reaches reads
# the next 32 pages ahead of it. (The later parts map this file again,
# its cache dropped.)
file b 1M
mmap 1 0x10000000 1M r shared,fixed b 0
touch 1 0x10000000 1M read
cat /proc/meminfo Cached
cat /proc/1/status RssFile
cat /proc/vmstat pgmajfault
munmap 1 0x10000000 1M
sysctl vm.drop_caches=1
#
# 3. MADV_SEQUENTIAL: a window from the fault on, its second half the
# lookahead (page 16 marked); then windows of 32, each marked at its
# start.
mmap 1 0x10000000 512K r shared,fixed b 0
madvise 1 0x10000000 512K sequential
read 1 0x10000000
cat /proc/meminfo Cached
cat /proc/1/status RssFile
read 1 0x10010000
cat /proc/meminfo Cached
cat /proc/1/status RssFile
read 1 0x10020000
cat /proc/meminfo Cached
cat /proc/1/status RssFile
read 1 0x10040000
cat /proc/meminfo Cached
cat /proc/1/status RssFile
cat /proc/vmstat pgmajfault
munmap 1 0x10000000 512K
sysctl vm.drop_caches=1
# Away from the file's start, with nothing cached before it: 32 pages
# from the fault, no mark; the next miss is major again.
mmap 1 0x10000000 512K r shared,fixed b 0
madvise 1 0x10000000 512K sequential
read 1 0x10028000
cat /proc/meminfo Cached
read 1 0x10048000
cat /proc/meminfo Cached
cat /proc/vmstat pgmajfault
munmap 1 0x10000000 512K
sysctl vm.drop_caches=1
# After MADV_WILLNEED of pages 0-19 (read as asked, no mark), the miss
# at page 20 reads 32 pages from it, no mark either: page 51 reads
# nothing ahead, page 52 misses.
mmap 1 0x10000000 512K r shared,fixed b 0
madvise 1 0x10000000 80K willneed
cat /proc/meminfo Cached
madvise 1 0x10000000 512K sequential
read 1 0x10014000
cat /proc/meminfo Cached
read 1 0x10033000
cat /proc/meminfo Cached
read 1 0x10034000
cat /proc/meminfo Cached
cat /proc/vmstat pgmajfault
munmap 1 0x10000000 512K
sysctl vm.drop_caches=1
#
# 4. MADV_RANDOM: no readahead; every page a major fault.
mmap 1 0x10000000 512K r shared,fixed b 0
madvise 1 0x10000000 512K random
touch 1 0x10000000 64K read
cat /proc/meminfo Cached
cat /proc/vmstat pgmajfault
munmap 1 0x10000000 512K
sysctl vm.drop_caches=1
#
# 5. Faults that keep missing stop the read-around (MMAP_LOTSAMISS): a
# private mapping written every 64th page takes copy-on-write faults,
# which fault nothing around to offset the misses. The first 100 misses
# read 32 pages each, the 101st and after only their page.
file f 26M
mmap 1 0x20000000 26M rw private,fixed f 0
write 1 0x20000000 0x1
write 1 0x20040000 0x2
write 1 0x20080000 0x3
write 1 0x200c0000 0x4
write 1 0x20100000 0x5
write 1 0x20140000 0x6
write 1 0x20180000 0x7
write 1 0x201c0000 0x8
write 1 0x20200000 0x9
write 1 0x20240000 0xa
write 1 0x20280000 0xb
write 1 0x202c0000 0xc
write 1 0x20300000 0xd
write 1 0x20340000 0xe
write 1 0x20380000 0xf
write 1 0x203c0000 0x10
write 1 0x20400000 0x11
write 1 0x20440000 0x12
write 1 0x20480000 0x13
write 1 0x204c0000 0x14
write 1 0x20500000 0x15
write 1 0x20540000 0x16
write 1 0x20580000 0x17
write 1 0x205c0000 0x18
write 1 0x20600000 0x19
write 1 0x20640000 0x1a
write 1 0x20680000 0x1b
write 1 0x206c0000 0x1c
write 1 0x20700000 0x1d
write 1 0x20740000 0x1e
write 1 0x20780000 0x1f
write 1 0x207c0000 0x20
write 1 0x20800000 0x21
write 1 0x20840000 0x22
write 1 0x20880000 0x23
write 1 0x208c0000 0x24
write 1 0x20900000 0x25
write 1 0x20940000 0x26
write 1 0x20980000 0x27
write 1 0x209c0000 0x28
write 1 0x20a00000 0x29
write 1 0x20a40000 0x2a
write 1 0x20a80000 0x2b
write 1 0x20ac0000 0x2c
write 1 0x20b00000 0x2d
write 1 0x20b40000 0x2e
write 1 0x20b80000 0x2f
write 1 0x20bc0000 0x30
write 1 0x20c00000 0x31
write 1 0x20c40000 0x32
write 1 0x20c80000 0x33
write 1 0x20cc0000 0x34
write 1 0x20d00000 0x35
write 1 0x20d40000 0x36
write 1 0x20d80000 0x37
write 1 0x20dc0000 0x38
write 1 0x20e00000 0x39
write 1 0x20e40000 0x3a
write 1 0x20e80000 0x3b
write 1 0x20ec0000 0x3c
write 1 0x20f00000 0x3d
write 1 0x20f40000 0x3e
write 1 0x20f80000 0x3f
write 1 0x20fc0000 0x40
write 1 0x21000000 0x41
write 1 0x21040000 0x42
write 1 0x21080000 0x43
write 1 0x210c0000 0x44
write 1 0x21100000 0x45
write 1 0x21140000 0x46
write 1 0x21180000 0x47
write 1 0x211c0000 0x48
write 1 0x21200000 0x49
write 1 0x21240000 0x4a
write 1 0x21280000 0x4b
write 1 0x212c0000 0x4c
write 1 0x21300000 0x4d
write 1 0x21340000 0x4e
write 1 0x21380000 0x4f
write 1 0x213c0000 0x50
write 1 0x21400000 0x51
write 1 0x21440000 0x52
write 1 0x21480000 0x53
write 1 0x214c0000 0x54
write 1 0x21500000 0x55
write 1 0x21540000 0x56
write 1 0x21580000 0x57
write 1 0x215c0000 0x58
write 1 0x21600000 0x59
write 1 0x21640000 0x5a
write 1 0x21680000 0x5b
write 1 0x216c0000 0x5c
write 1 0x21700000 0x5d
write 1 0x21740000 0x5e
write 1 0x21780000 0x5f
write 1 0x217c0000 0x60
write 1 0x21800000 0x61
write 1 0x21840000 0x62
write 1 0x21880000 0x63
cat /proc/meminfo Cached
write 1 0x218c0000 0x64
cat /proc/meminfo Cached
write 1 0x21900000 0x65
cat /proc/meminfo Cached
write 1 0x21940000 0x66
cat /proc/meminfo Cached
cat /proc/vmstat pgmajfault
check
exit 1
check
