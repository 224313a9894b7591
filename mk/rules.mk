# Builds one variant of mmkit into $(O). Called by the top Makefile.
O ?= build
VCFLAGS ?= -O2 -g
VLDFLAGS ?=
PREFIX ?= /usr/local

WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wpointer-arith -Wvla -Wformat=2 -Wundef
CFLAGS_ALL = -std=c11 -fPIC -pthread $(WARN) -Iinclude -I. $(VCFLAGS) $(CFLAGS)
LDLIBS_ALL = -pthread $(VLDFLAGS) $(LDFLAGS)

LIB_SRCS := $(sort $(filter-out %_test.c,$(wildcard lib/*.c platform/*.c mm/*.c fs/*.c kernel/*.c proc/*.c script/*.c)))
CLI_SRCS := $(wildcard cli/*.c)
TEST_SRCS := $(sort $(wildcard lib/*_test.c platform/*_test.c mm/*_test.c proc/*_test.c script/*_test.c tests/*_test.c))
BENCH_SRCS := $(sort $(wildcard bench/*_bench.c))

LIB_OBJS := $(LIB_SRCS:%.c=$(O)/obj/%.o)
# libmmkit-malloc.so: the library again, built to be preloaded (initial-exec
# TLS, every symbol hidden but the malloc API, which its own calls reach
# directly, not through the PLT; no debug checks; no fault-injection
# sites, which only a sweep over a simulator's callers uses; a section per
# function, so the link drops what malloc never reaches; no unwind tables:
# no exception or cancellation unwinds through malloc, whose code calls
# back into no program code, and debuggers read the frames from
# .debug_frame, which is not loaded - .eh_frame was 20 KiB of every
# process's memory).
MALLOC_SRCS := $(sort $(filter-out %_test.c,$(wildcard malloc/*.c)))
MALLOC_CFLAGS = -O2 -g -fvisibility=hidden -fno-semantic-interposition \
		-ftls-model=initial-exec -DMMK_DEBUG=0 -DMMK_NO_FAIL_SITES \
		-ffunction-sections -fdata-sections \
		-fno-asynchronous-unwind-tables -fno-unwind-tables
MALLOC_OBJS := $(patsubst %.c,$(O)/mobj/%.o,$(LIB_SRCS) $(MALLOC_SRCS))
# The files whose code runs once (boot, cache creation) or only when
# asked (statistics, procfs text): compiled for size, as Linux's __init
# and __cold code is. The kernel maps whole stretches of the library's
# text around each page a process runs (docs/PERFORMANCE.md, session 38;
# malloc/sections.c), so its size is memory processes pay; these took it
# from 25 to 24 pages.
MALLOC_COLD_SRCS := mm/mm_init.c mm/memblock.c mm/init.c mm/percpu.c \
		    mm/slab_common.c mm/vmstat.c mm/debug.c mm/fail.c \
		    $(filter-out %_test.c,$(wildcard proc/*.c))
MALLOC_COLD_OBJS := $(patsubst %.c,$(O)/mobj/%.o,$(MALLOC_COLD_SRCS))
# Relative relocations packed (DT_RELR), where the linker and the C
# library support them: the library's first segment (symbols and
# relocations) then fits in two pages instead of three.
MALLOC_RELR := $(shell printf 'int v, *p = &v;\n' | \
	$(CC) -x c -shared -fPIC -Wl,-z,pack-relative-relocs -o /dev/null - \
	2>/dev/null && echo -Wl,-z,pack-relative-relocs)
# The text's layout: hot, init and other text (malloc/sections.c).
MALLOC_LDS := $(O)/mobj/libmmkit-malloc.lds
CLI_OBJS := $(CLI_SRCS:%.c=$(O)/obj/%.o) $(O)/obj/gen/tour.o
# The core again, freestanding (DESIGN.md; platform/freestanding/libc.c):
# mm/, lib/, kernel/, fs/ and proc/ compiled with no C library headers
# but the build's own and the compiler's, linked into one relocatable
# object for an embedder that provides the platform layer
# (platform/platform.h). tests/freestanding/freestanding_test.c checks
# what it leaves undefined and runs it.
FS_SRCS := $(sort $(filter-out %_test.c,$(wildcard lib/*.c mm/*.c fs/*.c \
	kernel/*.c proc/*.c))) platform/freestanding/libc.c
FS_OBJS := $(FS_SRCS:%.c=$(O)/fsobj/%.o)
FS_CC_INCLUDE := $(shell $(CC) -print-file-name=include)
FS_CC = $(CC) -std=c11 -ffreestanding -nostdinc \
	-isystem platform/freestanding/include -isystem $(FS_CC_INCLUDE) \
	-DMMK_FREESTANDING=1 -DMMK_NO_FAIL_SITES -fno-stack-protector -fPIC \
	$(WARN) -Iinclude -I. $(VCFLAGS) $(CFLAGS)
TESTS := $(patsubst %.c,$(O)/tests/%,$(notdir $(TEST_SRCS))) \
	 $(O)/tests/freestanding_test
BENCHES := $(patsubst %.c,$(O)/bench/%,$(notdir $(BENCH_SRCS)))

.PHONY: all tests benches run-tests run-benches install
.SUFFIXES:

all: $(O)/lib/libmmkit.a $(O)/lib/libmmkit.so $(O)/lib/libmmkit-malloc.so $(O)/bin/mmkit

# The compile commands. Each object directory keeps the command its
# objects were built with in .cmd, rewritten only when it changes, and
# every object depends on it: other flags or another compiler for the
# same O rebuild everything, where timestamps alone would keep objects
# of the old flags.
# Never with the variant's sanitizers: the library is preloaded into
# ordinary programs (the sanitizer runtimes replace malloc themselves).
MALLOC_CC = $(CC) -std=c11 -fPIC -pthread $(WARN) -Iinclude -I. $(MALLOC_CFLAGS) $(CFLAGS)
LIB_CC = $(CC) $(CFLAGS_ALL)

quote = '$(subst ','\'',$(1))'
define write_cmd
	@mkdir -p $(dir $@)
	@printf '%s\n' $(call quote,$(1)) | cmp -s - $@ || \
		printf '%s\n' $(call quote,$(1)) > $@
endef

.PHONY: FORCE
FORCE:
$(O)/mobj/.cmd: FORCE
	$(call write_cmd,$(MALLOC_CC) -Os:$(MALLOC_COLD_SRCS) $(MALLOC_RELR))
$(O)/obj/.cmd: FORCE
	$(call write_cmd,$(LIB_CC))
$(O)/fsobj/.cmd: FORCE
	$(call write_cmd,$(FS_CC))

$(O)/mobj/%.o: %.c $(O)/mobj/.cmd
	@mkdir -p $(dir $@)
	@echo "  CC      $< (malloc)"
	@$(MALLOC_CC) $(MALLOC_OPT) -MMD -MP -c $< -o $@
$(MALLOC_COLD_OBJS): MALLOC_OPT = -Os

$(MALLOC_LDS): malloc/libmmkit-malloc.lds.S $(O)/mobj/.cmd
	@mkdir -p $(dir $@)
	@echo "  CPP     $<"
	@$(CC) -E -P -undef -x c $< -o $@

$(O)/lib/libmmkit-malloc.so: $(MALLOC_OBJS) $(MALLOC_LDS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) -shared -Wl,-z,now $(MALLOC_RELR) -Wl,--gc-sections \
		-Wl,-T,$(MALLOC_LDS) -o $@ $(MALLOC_OBJS) -pthread $(LDFLAGS)

$(O)/obj/%.o: %.c $(O)/obj/.cmd
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(LIB_CC) -MMD -MP -c $< -o $@

$(O)/fsobj/%.o: %.c $(O)/fsobj/.cmd
	@mkdir -p $(dir $@)
	@echo "  CC      $< (freestanding)"
	@$(FS_CC) -MMD -MP -c $< -o $@

$(O)/lib/mmkit-freestanding.o: $(FS_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(LD) -r -o $@ $(FS_OBJS)

# The tour script, compiled into the CLI as a C string.
$(O)/gen/tour.c: examples/tour.mms
	@mkdir -p $(dir $@)
	@{ echo '#include "cli/tour.h"'; echo 'const char mmk_tour_script[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$$/\\n"/' $<; echo ';'; } > $@

$(O)/obj/gen/tour.o: $(O)/gen/tour.c $(O)/obj/.cmd
	@mkdir -p $(dir $@)
	@$(LIB_CC) -c $< -o $@

$(O)/lib/libmmkit.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@rm -f $@
	@echo "  AR      $@"
	@ar rcs $@ $^

$(O)/lib/libmmkit.so: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) -shared -o $@ $^ $(LDLIBS_ALL)

$(O)/bin/mmkit: $(CLI_OBJS) $(O)/lib/libmmkit.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) -o $@ $(CLI_OBJS) $(O)/lib/libmmkit.a $(LDLIBS_ALL)

tests: $(TESTS) $(O)/bin/mmkit $(O)/lib/libmmkit-malloc.so

define test_rule
$(O)/tests/$(basename $(notdir $(1))): $(O)/obj/$(basename $(1)).o $(O)/lib/libmmkit.a
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	@$$(CC) -o $$@ $$< $(O)/lib/libmmkit.a -lcmocka $$(LDLIBS_ALL)
endef
$(foreach t,$(TEST_SRCS),$(eval $(call test_rule,$(t))))

# The freestanding core with the hosted platform layer as its embedder.
$(O)/tests/freestanding_test: $(O)/obj/tests/freestanding/freestanding_test.o \
		$(O)/lib/mmkit-freestanding.o $(O)/obj/platform/linux.o
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) -o $@ $^ -lcmocka $(LDLIBS_ALL)

benches: $(BENCHES)

define bench_rule
$(O)/bench/$(basename $(notdir $(1))): $(O)/obj/$(basename $(1)).o $(O)/lib/libmmkit.a
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	@$$(CC) -o $$@ $$< $(O)/lib/libmmkit.a $$(LDLIBS_ALL) -ldl -lm
endef
$(foreach b,$(BENCH_SRCS),$(eval $(call bench_rule,$(b))))

# Runs every test binary (or those whose name contains TEST_FILTER) and
# prints one closing line: "tests: N passed, N failed".
run-tests: $(TESTS)
	@pass=0; fail=0; failed=""; \
	for t in $(TESTS); do \
	  case "$$t" in *$(TEST_FILTER)*) ;; *) continue;; esac; \
	  echo "== $$t"; \
	  if MMKIT=$(O)/bin/mmkit MMKIT_MALLOC_SO=$(O)/lib/libmmkit-malloc.so $$t; then pass=$$((pass+1)); \
	  else fail=$$((fail+1)); failed="$$failed $$t"; fi; \
	done; \
	[ -z "$$failed" ] || echo "failed:$$failed"; \
	echo "tests: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]

run-benches: $(BENCHES)
	@for b in $(BENCHES); do echo "== $$b"; MMKIT=$(O)/bin/mmkit MMKIT_MALLOC_SO=$(O)/lib/libmmkit-malloc.so $$b || exit 1; done

install: all
	install -d $(DESTDIR)$(PREFIX)/include/mmkit/uapi $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 include/mmkit/*.h $(DESTDIR)$(PREFIX)/include/mmkit/
	if ls include/mmkit/uapi/*.h >/dev/null 2>&1; then install -m 644 include/mmkit/uapi/*.h $(DESTDIR)$(PREFIX)/include/mmkit/uapi/; fi
	install -m 644 $(O)/lib/libmmkit.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(O)/lib/libmmkit.so $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(O)/bin/mmkit $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|' mk/mmkit.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/mmkit.pc

-include $(shell find $(O)/obj $(O)/mobj $(O)/fsobj -name '*.d' 2>/dev/null)
