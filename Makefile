# mmkit: `make` builds build/bin/mmkit and build/lib/libmmkit.{a,so};
# `make demo` runs the tour and writes its HTML report (build/report.html);
# `make test` builds and runs every test;
# `make test-sanitize` runs them under ASan+UBSan and the threaded ones under
# TSan; `make bench` runs the benchmarks. Missing packages are installed with
# apt-get (scripts/deps.sh).
#
# Each build variant lives in its own directory and is built by mk/rules.mk:
#   build/          -O2 -g, MMK_DEBUG=1 (the default build, `make demo`)
#   build/test      -O1 -g, MMK_DEBUG=2 (`make test`)
#   build/asan      ASan + UBSan, MMK_DEBUG=2
#   build/tsan      TSan, MMK_DEBUG=1
#   build/release   -O2, MMK_DEBUG=0 (benchmarks)

.DEFAULT_GOAL := all
CC ?= cc
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SUB = $(MAKE) --no-print-directory -f mk/rules.mk CC="$(CC)"

FUZZ_TIME ?= 60
FUZZ_FLAGS = -O1 -g -DMMK_DEBUG=1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all

.PHONY: fuzz
# Runs the script fuzzer for FUZZ_TIME seconds (clang + libFuzzer).
fuzz: deps
	@$(SUB) O=build/fuzz CC=clang VCFLAGS="$(FUZZ_FLAGS)" \
		VLDFLAGS="-fsanitize=address,undefined" build/fuzz/lib/libmmkit.a
	@mkdir -p build/fuzz/bin build/fuzz/corpus
	@clang -std=c11 -Iinclude -I. $(FUZZ_FLAGS) -fsanitize=fuzzer fuzz/script_fuzz.c \
		build/fuzz/lib/libmmkit.a -pthread -o build/fuzz/bin/script_fuzz
	@for f in $$(find tests/scripts -name '*.mms'); do \
		cp "$$f" "build/fuzz/corpus/$$(echo "$$f" | tr / _)"; done
	@build/fuzz/bin/script_fuzz -max_total_time=$(FUZZ_TIME) -max_len=4096 \
		-timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
		-artifact_prefix=build/fuzz/ build/fuzz/corpus fuzz/seeds \
		> build/fuzz/fuzz.log 2>&1; rc=$$?; tail -25 build/fuzz/fuzz.log; \
		[ $$rc -eq 0 ] || echo "fuzz: the fuzzer failed (exit $$rc; input in build/fuzz/)"; \
		exit $$rc

.PHONY: lint
# Static analysis: cppcheck over the whole tree (but tests/malloc/api_child.c,
# whose cases leak, double-free and overflow on purpose), then clang-tidy (checks
# in .clang-tidy, every finding an error) over the library and the CLI.
# Both are installed by scripts/deps.sh lint.
TIDY_SRCS = $(filter-out %_test.c,$(wildcard lib/*.c platform/*.c mm/*.c \
	fs/*.c kernel/*.c proc/*.c script/*.c cli/*.c malloc/*.c))
lint:
	@sh scripts/deps.sh lint
	@cppcheck --enable=warning,performance,portability --std=c11 \
		--error-exitcode=1 --quiet --inline-suppr \
		--suppress=missingIncludeSystem -Iinclude -I. \
		-i tests/malloc/api_child.c \
		lib platform mm fs kernel proc script cli malloc tests bench fuzz && echo "lint: cppcheck clean"
	@printf '%s\n' $(TIDY_SRCS) | xargs -P$(JOBS) -n1 sh -c 'clang-tidy \
		--quiet "$$@" -- -std=c11 -D_GNU_SOURCE -DMMK_DEBUG=1 -Iinclude \
		-I. 2>/dev/null' clang-tidy && echo "lint: clang-tidy clean ($(words $(TIDY_SRCS)) files)"
	@clang-tidy --quiet platform/freestanding/libc.c -- -std=c11 -ffreestanding \
		-nostdinc -isystem platform/freestanding/include \
		-isystem $$(clang -print-file-name=include) -DMMK_FREESTANDING=1 \
		-Iinclude -I. 2>/dev/null && echo "lint: clang-tidy clean (the freestanding C library)"

.PHONY: all demo test test-sanitize test-asan test-tsan bench deps deps-bench \
	install format format-check clean check-warnings freestanding

all:
	@$(SUB) O=build VCFLAGS="-O2 -g -DMMK_DEBUG=1" all -j$(JOBS)

deps:
	@sh scripts/deps.sh test

deps-bench:
	@sh scripts/deps.sh bench

# The core as one freestanding object for an embedder (README: Embedding).
freestanding:
	@$(SUB) O=build VCFLAGS="-O2 -g -DMMK_DEBUG=1" build/lib/mmkit-freestanding.o -j$(JOBS)

demo:
	@sh scripts/deps.sh build
	@$(MAKE) --no-print-directory all
	./build/bin/mmkit demo --report build/report.html

test: deps
	@$(SUB) O=build/test VCFLAGS="-O1 -g -DMMK_DEBUG=2" all tests -j$(JOBS)
	@$(SUB) O=build/test VCFLAGS="-O1 -g -DMMK_DEBUG=2" run-tests

test-asan: deps
	@$(SUB) O=build/asan VCFLAGS="-O1 -g -DMMK_DEBUG=2 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		VLDFLAGS="-fsanitize=address,undefined" all tests -j$(JOBS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(SUB) O=build/asan VCFLAGS="-O1 -g -DMMK_DEBUG=2 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		VLDFLAGS="-fsanitize=address,undefined" run-tests

test-tsan: deps
	@$(SUB) O=build/tsan CC=clang VCFLAGS="-O1 -g -DMMK_DEBUG=1 -fsanitize=thread" \
		VLDFLAGS="-fsanitize=thread" tests -j$(JOBS)
	@TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		$(SUB) O=build/tsan CC=clang VCFLAGS="-O1 -g -DMMK_DEBUG=1 -fsanitize=thread" \
		VLDFLAGS="-fsanitize=thread" run-tests TEST_FILTER=thread

test-sanitize: test-asan test-tsan

bench: deps-bench
	@$(SUB) O=build/release VCFLAGS="-O2 -DMMK_DEBUG=0 -DNDEBUG" all benches -j$(JOBS)
	@$(SUB) O=build/release VCFLAGS="-O2 -DMMK_DEBUG=0 -DNDEBUG" run-benches

# Both compilers, every warning an error (CI runs this).
check-warnings:
	@$(SUB) O=build/gcc CC=gcc VCFLAGS="-O2 -DMMK_DEBUG=1" all tests benches -j$(JOBS)
	@$(SUB) O=build/clang CC=clang VCFLAGS="-O2 -DMMK_DEBUG=1" all tests benches -j$(JOBS)

install: all
	@$(SUB) O=build VCFLAGS="-O2 -g -DMMK_DEBUG=1" PREFIX="$(PREFIX)" install

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

# ---- Fault-injection sweep (issue 8; tests/fail_sweep_test.c) ----
# Every scenario script once per allocation call, failing that call at its
# allocation site, then SWEEP_RANDOM seconds each at 1% and 10% random
# failure rates. `make test` runs a bounded version of the same test.
.PHONY: sweep
SWEEP_RANDOM ?= 180
sweep: deps
	@$(SUB) O=build/test VCFLAGS="-O1 -g -DMMK_DEBUG=2" build/test/tests/fail_sweep_test -j$(JOBS)
	@MMK_SWEEP=full MMK_SWEEP_RANDOM=$(SWEEP_RANDOM) build/test/tests/fail_sweep_test

# ---- bench-malloc (issue 7) ------------------------------------------------
# libmmkit-malloc.so (release build) against glibc, jemalloc, mimalloc and
# tcmalloc, and its hardened mode, on the workloads of bench/malloc and on
# python3, sqlite3, gcc and git, every allocator through LD_PRELOAD; prints
# median CPU time and peak RSS, mmkit's ratios and geometric means. Fails
# if any run fails its checks. BENCH_MALLOC_ARGS adds driver options, e.g.
# "--rounds 1 --scale 0.3" or "--only churn,frag".
BENCH_MALLOC_ROUNDS ?= 5
BENCH_MALLOC_ARGS ?=
.PHONY: bench-malloc
bench-malloc: deps-bench
	@$(SUB) O=build/release VCFLAGS="-O2 -DMMK_DEBUG=0 -DNDEBUG" build/release/lib/libmmkit-malloc.so -j$(JOBS)
	@$(MAKE) --no-print-directory -f bench/malloc/bench.mk O=build/release CC="$(CC)"
	@build/release/bench-malloc/malloc_bench --bindir build/release/bench-malloc \
		--mmkit build/release/lib/libmmkit-malloc.so --src bench/malloc \
		--rounds $(BENCH_MALLOC_ROUNDS) $(BENCH_MALLOC_ARGS)

# ---- fuzz-afl, fuzz-malloc (issue 8; fuzz/) -----------------------------------
# fuzz-afl: the script fuzzer (fuzz/script_fuzz.c) under AFL++ for FUZZ_TIME
# seconds: afl-clang-fast, ASan+UBSan, persistent mode through AFL++'s
# libAFLDriver (-fsanitize=fuzzer), on a copy of fuzz/seeds and
# tests/scripts. Prints afl-fuzz's final statistics; fails when a crash was
# saved (copied to build/afl/findings/). AFL++ comes from Debian (deps.sh afl).
AFL_CC ?= afl-clang-fast
AFL_FLAGS = -O1 -g -DMMK_DEBUG=1 -fsanitize=address,undefined -fno-sanitize-recover=all
.PHONY: fuzz-afl
fuzz-afl: deps
	@sh scripts/deps.sh afl
	@AFL_QUIET=1 $(SUB) O=build/afl CC=$(AFL_CC) VCFLAGS="$(AFL_FLAGS)" \
		VLDFLAGS="-fsanitize=address,undefined" build/afl/lib/libmmkit.a -j$(JOBS)
	@mkdir -p build/afl/bin
	@AFL_QUIET=1 $(AFL_CC) -std=c11 -Wall -Wextra -Werror -Iinclude -I. $(AFL_FLAGS) \
		-fsanitize=fuzzer fuzz/script_fuzz.c build/afl/lib/libmmkit.a -pthread \
		-o build/afl/bin/script_fuzz
	@sh fuzz/afl.sh build/afl/bin/script_fuzz $(FUZZ_TIME) build/afl

# fuzz-malloc: fuzz/malloc_fuzz.c (system cc) runs FUZZ_OPS random malloc API
# operations with libmmkit-malloc.so preloaded: default and hardened mode,
# one thread and 4 threads exchanging blocks. Fails on any mismatch or
# abort. FUZZ_MALLOC_ARGS: more options, e.g. -K or "-s SEED".
FUZZ_OPS ?= 1000000
FUZZ_MALLOC_ARGS ?=
.PHONY: fuzz-malloc fuzz-malloc-bin
fuzz-malloc-bin: all
	@mkdir -p build/fuzz-malloc
	@$(CC) -std=c11 -O2 -g -Wall -Wextra -Werror fuzz/malloc_fuzz.c -pthread \
		-o build/fuzz-malloc/malloc_fuzz

fuzz-malloc: fuzz-malloc-bin
	@sh fuzz/malloc.sh build/fuzz-malloc/malloc_fuzz build/lib/libmmkit-malloc.so \
		$(FUZZ_OPS) $(FUZZ_MALLOC_ARGS)

# fuzz-long: the long-run fuzzers, for a release. fuzz/pages_fuzz.c (pages,
# slabs, kmalloc, vmalloc, vmap, kmap) and fuzz/vm_fuzz.c (processes and
# their address spaces) are seeded, multi-threaded and run over the default
# build (MMK_DEBUG=1) with mmk_check() at every check point and a leak check
# at the end; then fuzz/malloc_fuzz.c on libmmkit-malloc.so in its small
# block profile (-S). FUZZ_LONG_OPS operations for pages_fuzz on x86_64 and
# for the default-mode malloc fuzzer, a tenth of them for pages_fuzz on
# i386 (highmem) and for hardened mode; FUZZ_LONG_VM_OPS for vm_fuzz on
# x86_64, a tenth on i386 and a tenth on a 32M machine with 32M of swap
# (reclaim and swap under pressure), that one again with 8 threads (more
# threads than CPUs: preemption inside the races); and FUZZ_LONG_VM_OPS /
# 10 for the malloc fuzzer's full profile in each mode. FUZZ_LONG_THREADS
# threads (but the 8-thread run), seed FUZZ_SEED. CI runs a short one;
# docs/PERFORMANCE.md has the figures of a full one.
FUZZ_LONG_OPS ?= 1000000000
FUZZ_LONG_VM_OPS ?= 100000000
FUZZ_LONG_THREADS ?= 2
FUZZ_SEED ?= 1
TENTH = $$(awk 'BEGIN { printf "%.0f", $(1) / 10 }')
MALLOC_FUZZ_RUN = LD_PRELOAD=$(CURDIR)/build/lib/libmmkit-malloc.so build/fuzz-malloc/malloc_fuzz \
	-m -q -t $(FUZZ_LONG_THREADS) -s $(FUZZ_SEED)
.PHONY: fuzz-long
fuzz-long: fuzz-malloc-bin build/fuzz-ops/pages_fuzz build/fuzz-ops/vm_fuzz
	build/fuzz-ops/pages_fuzz -q -n $(FUZZ_LONG_OPS) -t $(FUZZ_LONG_THREADS) -s $(FUZZ_SEED)
	build/fuzz-ops/pages_fuzz -q -n $(call TENTH,$(FUZZ_LONG_OPS)) \
		-t $(FUZZ_LONG_THREADS) -s $(FUZZ_SEED) -a i386 -M 1G
	build/fuzz-ops/vm_fuzz -q -n $(FUZZ_LONG_VM_OPS) -t $(FUZZ_LONG_THREADS) -s $(FUZZ_SEED)
	build/fuzz-ops/vm_fuzz -q -n $(call TENTH,$(FUZZ_LONG_VM_OPS)) \
		-t $(FUZZ_LONG_THREADS) -s $(FUZZ_SEED) -a i386 -M 256M
	build/fuzz-ops/vm_fuzz -q -n $(call TENTH,$(FUZZ_LONG_VM_OPS)) \
		-t $(FUZZ_LONG_THREADS) -s $(FUZZ_SEED) -M 32M -S 32M
	build/fuzz-ops/vm_fuzz -q -n $(call TENTH,$(FUZZ_LONG_VM_OPS)) \
		-t 8 -s $(FUZZ_SEED) -M 32M -S 32M
	MMKIT_MALLOC=default $(MALLOC_FUZZ_RUN) -S -n $(FUZZ_LONG_OPS)
	MMKIT_MALLOC=hardened $(MALLOC_FUZZ_RUN) -S -n $(call TENTH,$(FUZZ_LONG_OPS))
	MMKIT_MALLOC=default $(MALLOC_FUZZ_RUN) -n $(call TENTH,$(FUZZ_LONG_VM_OPS))
	MMKIT_MALLOC=hardened $(MALLOC_FUZZ_RUN) -n $(call TENTH,$(FUZZ_LONG_VM_OPS))
	@echo "fuzz-long: ok"

build/fuzz-ops/%: fuzz/%.c fuzz/ops_common.h all
	@mkdir -p build/fuzz-ops
	@$(CC) -std=c11 -O2 -g -Wall -Wextra -Werror -Iinclude -I. $< \
		build/lib/libmmkit.a -pthread -lm -o $@
