# Builds the workloads and the driver of `make bench-malloc` into
# $(O)/bench-malloc; called by the top Makefile's bench-malloc target.
# The workloads are plain programs: no allocator is linked in, each one is
# given by LD_PRELOAD at run time.
O ?= build/release
CC ?= cc
WL_DIR = $(O)/bench-malloc
WL_WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wvla -Wformat=2 -Wundef
WL_CFLAGS = -std=c11 -O2 -pthread $(WL_WARN) -I.
WORKLOADS = churn larson prodcons falseshare realloc large frag spawn

.PHONY: all
all: $(addprefix $(WL_DIR)/,$(WORKLOADS) rsswrap malloc_bench)

$(WL_DIR)/%: bench/malloc/%.c bench/malloc/wl.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(WL_CFLAGS) $< -o $@

# Static: its size at the fork is the floor of every run's peak RSS.
$(WL_DIR)/rsswrap: bench/malloc/rsswrap.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(WL_CFLAGS) -static $< -o $@

$(WL_DIR)/malloc_bench: bench/malloc/malloc_bench.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(WL_CFLAGS) $< -o $@ -lm
