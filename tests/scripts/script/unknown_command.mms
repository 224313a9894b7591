alloc_pages a 0
frobnicate a
