# A file with CRLF line endings runs as if it had LF ones.
boot mem=64M
echo crlf
cat /proc/meminfo MemTotal
check
