# process_vm_readv/writev (mm/process_vm_access.c): process 1 copies
# from and to process 2's memory. The remote pages are pinned as
# pin_user_pages_remote does, up to 1024 a time and whole before any byte
# moves: faulted in for process 2 (pgfault counts them, Rss grows) even
# where the local vector takes fewer bytes; a write breaks copy-on-write.
# It stops at the first remote page without the permission (no
# FOLL_FORCE) or a hole, or the first local fault: the bytes copied, else
# EFAULT. Another user's process needs privilege (EPERM).
spawn 1
spawn 2
mmap 1 0x200000000 16K rw private,anonymous,fixed
mmap 2 0x300000000 64K rw private,anonymous,fixed
mmap 2 0x300010000 4K r private,anonymous,fixed
write 2 0x300000000 0x1122334455667788
cat /proc/2/smaps_rollup Rss
process_vm_readv 1 2 0x200000000:8 0x300000000:64K
cat /proc/2/smaps_rollup Rss
read 1 0x200000000
process_vm_readv 1 2 0x200000008:16,0x200001000:8 0x300000000:4,0x300000004:4,0x300000000:8
read 1 0x200000008
read 1 0x200000010
read 1 0x200001000
write 1 0x200002000 0xabcdef
process_vm_writev 1 2 0x200002000:8 0x300003000:8
read 2 0x300003000
# Partial: up to the read-only page for a write, up to the hole for a
# read; nothing at all is EFAULT.
process_vm_writev 1 2 0x200000000:16K 0x30000e000:16K
process_vm_readv 1 2 0x200000000:16K 0x30000f000:16K
process_vm_readv 1 2 0x200000000:8 0x300020000:8
process_vm_writev 1 2 0x200000000:8 0x300010000:8
# A local fault ends it too.
process_vm_readv 1 2 0x200003000:8K 0x300000000:8K
process_vm_readv 1 2 0x100000000:8 0x300000000:8
# Nothing to copy; flags; no such process; fork's copy-on-write.
process_vm_readv 1 2 - 0x300000000:8
process_vm_readv 1 2 0x200000000:8 -
process_vm_readv 1 2 0x200000000:0 0x300000000:8
process_vm_readv 1 2 0x200000000:8 0x300000000:8 1
process_vm_readv 1 9 0x200000000:8 0x300000000:8
fork 2 3
process_vm_writev 1 3 0x200002000:8 0x300000000:8
read 3 0x300000000
read 2 0x300000000
spawn 4 unprivileged
process_vm_readv 4 2 0x200000000:8 0x300000000:8
process_vm_readv 2 2 0x300008000:8 0x300000000:8
read 2 0x300008000
check
