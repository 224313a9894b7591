# mremap with an old_len within a page of ~0UL: Linux 6.18's do_mremap()
# rounds it up to a page, which wraps to 0, and the call is then the
# old_len == 0 one: EFAULT without a VMA, a second mapping of a shared
# one, EINVAL for a private one (the host kernel gives the same). A
# new_len that wraps is EINVAL.
boot mem=64M seed=1
spawn 1
mmap 1 0x500000000000 0x4000 rw shared,anonymous,fixed
write 1 0x500000000000 0x77
mremap 1 0x500000010000 0xffffffffffffffff 0x2000
mremap 1 0x500000000000 0xffffffffffffffff 0x2000 maymove,fixed 0x500000020000
read 1 0x500000020000
mmap 1 0x500000040000 0x2000 rw private,anonymous,fixed
mremap 1 0x500000040000 0xfffffffffffff001 0x2000 maymove,fixed 0x500000060000
mremap 1 0x500000000000 0x4000 0xfffffffffffff001
cat /proc/1/maps
check
