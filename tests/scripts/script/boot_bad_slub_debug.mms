boot mem=256M slub_debug=FZX,kmalloc-64
