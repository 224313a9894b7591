# MADV_PAGEOUT by a process that could not open the file for writing
# (can_do_file_pageout: not the owner, no write permission, no
# CAP_SYS_ADMIN) leaves the file's cached pages alone, as mincore hides
# them (a side channel otherwise): a shared mapping has nothing to page
# out, a private one its anonymous copies only. MADV_COLD is not
# filtered. Linux 6.18 (ext4, a file of root's read by nobody) keeps all
# 16 pages cached through both pageouts and the cold.
boot mem=64M swap=16M
spawn 1
spawn 2 unprivileged
file g 64K ro
mmap 2 0x10000000 64K r shared,fixed g 0
touch 2 0x10000000 64K read
cat /proc/meminfo Cached Active(file) Inactive(file)
madvise 2 0x10000000 64K pageout
cat /proc/meminfo Cached Active(file) Inactive(file)
cat /proc/2/status RssFile
madvise 2 0x10000000 64K cold
cat /proc/meminfo Cached Active(file) Inactive(file)
munmap 2 0x10000000 64K
# A private mapping: its copy of page 0 goes to swap, the file stays.
mmap 2 0x20000000 64K rw private,fixed g 0
touch 2 0x20000000 64K read
write 2 0x20000000 0x5
madvise 2 0x20000000 64K pageout
cat /proc/meminfo Cached SwapFree
cat /proc/2/status RssFile RssAnon VmSwap
read 2 0x20000000
# The privileged process may page the file out.
mmap 1 0x10000000 64K r shared,fixed g 0
touch 1 0x10000000 64K read
munmap 2 0x20000000 64K
madvise 1 0x10000000 64K pageout
cat /proc/meminfo Cached
check
