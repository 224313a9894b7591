# Without protection keys (the default machine): one key, 0, which may
# be freed; pkey_alloc finds none free (ENOSPC); execute-only memory is
# readable; smaps prints no ProtectionKey; glibc's pkey_set and pkey_get
# have no register to use (ENOSYS).
spawn 1
pkey_alloc 1 0 0
pkey_alloc 1 0 7
mmap 1 0x200000000 8K x private,anonymous,fixed
read 1 0x200000000
pkey_mprotect 1 0x200000000 4K rw 1
pkey_mprotect 1 0x200000000 4K rw 0
pkey_set 1 0 0
pkey_get 1 0
pkey_free 1 0
pkey_mprotect 1 0x200000000 4K rw 0
pkey_mprotect 1 0x200000000 4K rw -1
cat /proc/1/smaps
pkey_alloc 9 0 0
check
