# cat PATH FIELD...: only the lines those fields name, in the file's
# order (meminfo's "Name:", vmstat's "name value", status's "Name:\t").
boot mem=64M
spawn 1
mmap 1 0x10000000 64K rw private,anonymous,fixed
touch 1 0x10000000 64K write
cat /proc/meminfo AnonPages MemTotal Active(anon)
cat /proc/vmstat pgfault nr_anon_pages
cat /proc/1/status VmRSS RssAnon
cat /proc/1/smaps Rss
cat /proc/2/status VmRSS
