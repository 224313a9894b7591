# Bytes written past the end of a file, in its last page, through a
# shared mapping: they read back until the page is written back, which
# zeroes them in the page itself (ext4's ext4_bio_write_folio, as
# block_write_full_folio: "writes to that region are not written out to
# the file"); a read of the page from disk zero-fills them too. Linux
# 6.18 on ext4 gives the same: 0x1234, then 0 after the writeback, 0
# again after the page was dropped and read back (once the first
# writeback's I/O is done: mmkit's completes at once). A memfd keeps
# them, as there.
boot mem=64M
spawn 1
file f 6000
mmap 1 0x10000000 12K rw shared,fixed f 0
touch 1 0x10000000 12K read
write 1 0x10001ff0 0x1234
write 1 0x10001760 0x5678
read 1 0x10001ff0
fadvise f 0 0 dontneed
read 1 0x10001ff0
read 1 0x10001760
# Written again, written back again, dropped and read back.
write 1 0x10001ff0 0x1234
fadvise f 0 0 dontneed
munmap 1 0x10000000 12K
fadvise f 0 0 dontneed
cat /proc/meminfo Cached
mmap 1 0x10000000 12K rw shared,fixed f 0
read 1 0x10001ff0
read 1 0x10001760
# A memfd (tmpfs) has no writeback: its bytes past the end stay.
file m 6000 memfd
mmap 1 0x20000000 8K rw shared,fixed m 0
write 1 0x20001ff0 0x1234
fadvise m 0 0 dontneed
read 1 0x20001ff0
check
