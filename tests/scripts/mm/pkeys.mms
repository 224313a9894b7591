# Memory protection keys on a CPU that has them (boot pku=on; mm/pkeys.c).
# PROT_EXEC alone gets the execute-only key (the lowest free one, 1),
# which PKRU makes access-disabled; pkey_alloc hands out the next keys
# with the rights asked for; pkey_mprotect puts a range under a key and
# mprotect keeps it, but for execute-only memory. Each access is checked
# against PKRU at the time (pkey_set), mlock cannot populate a page its
# key denies (ENOMEM), nor MADV_POPULATE_* (EINVAL). The same calls in a
# C program on Linux 6.18 gave the same results, maps and ProtectionKey
# values (tests/pkeys_diff_test.c runs them against the host kernel).
boot pku=on
spawn 1
mmap 1 0x200000000 12K x private,anonymous,fixed
mmap 1 0x300000000 16K rw private,anonymous,fixed
read 1 0x200000000
pkey_get 1 1
pkey_alloc 1 0 0
pkey_alloc 1 0 1
pkey_mprotect 1 0x300001000 4K rw 3
mprotect 1 0x300002000 4K x
write 1 0x300001000 7
mlock 1 0x300001000 4K
madvise 1 0x300001000 4K populate_read
pkey_set 1 3 2
read 1 0x300001000
write 1 0x300001000 7
pkey_set 1 3 0
write 1 0x300001000 7
read 1 0x300001000
cat /proc/1/smaps
# Keys: key 0 may be freed (and taken back), the execute-only key not;
# a key not allocated, flags and rights beyond PKEY_ACCESS_MASK are
# EINVAL; mprotect away from PROT_EXEC leaves the execute-only key.
pkey_free 1 0
pkey_free 1 0
pkey_free 1 1
pkey_mprotect 1 0x300000000 4K r 0
pkey_alloc 1 0 0
pkey_alloc 1 1 0
pkey_alloc 1 0 4
pkey_mprotect 1 0x300000000 4K r 9
pkey_mprotect 1 0x300000001 4K r 2
pkey_set 1 16 0
pkey_set 1 2 4
pkey_get 1 -1
mprotect 1 0x300002000 4K r
cat /proc/1/maps
# fork copies the keys and PKRU.
fork 1 2
pkey_get 2 3
pkey_alloc 2 0 0
read 2 0x200000000
check
