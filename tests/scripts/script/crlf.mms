# A file with CRLF line endings runs as if it had LF ones.
boot mem=64M
kmalloc a 64
kfree a
check
