#!/bin/sh
# Runs AFL++ on the script fuzzer (fuzz/script_fuzz.c, built by `make
# fuzz-afl` with afl-clang-fast, ASan+UBSan and libAFLDriver's persistent
# mode) for FUZZ_TIME seconds, on a copy of fuzz/seeds and every
# tests/scripts/**/*.mms. Prints afl-fuzz's final statistics and fails when
# a crash (a sanitizer report, an abort on a verifier failure) was saved;
# saved crashes and hangs are copied to build/afl/findings/.
#
# usage: sh fuzz/afl.sh BINARY SECONDS [WORKDIR]
set -e
bin=$1
secs=${2:-60}
work=${3:-build/afl}

rm -rf "$work/in" "$work/out" "$work/findings"
mkdir -p "$work/in" "$work/findings"
cp fuzz/seeds/*.mms "$work/in/"
find tests/scripts -name '*.mms' | while read -r f; do
	# tests/scripts/mm/errors.mms -> mm_errors.mms: names are not unique
	cp "$f" "$work/in/$(echo "${f#tests/scripts/}" | tr / _)"
done

# A container: no cpufreq governor, core_pattern may be anything, no CPU
# of our own to bind to. ASan needs no memory limit (-m none); a run
# boots a 64M machine, so allow 10 s before calling it a hang.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_NO_AFFINITY=1 AFL_NO_UI=1 AFL_SKIP_BIN_CHECK=1
export AFL_IGNORE_SEED_PROBLEMS=1
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1

echo "fuzz-afl: $(find "$work/in" -type f | wc -l) seeds, $secs s"
status=0
afl-fuzz -V "$secs" -m none -t 10000 -i "$work/in" -o "$work/out" \
	-- "$bin" >"$work/afl.log" 2>&1 || status=$?
stats="$work/out/default/fuzzer_stats"
if [ ! -f "$stats" ]; then
	tail -30 "$work/afl.log"
	echo "fuzz-afl: afl-fuzz failed (status $status), no statistics"
	exit 1
fi
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|bitmap_cvg|saved_crashes|saved_hangs|stability) ' "$stats"
crashes=$(sed -n 's/^saved_crashes *: *//p' "$stats")
hangs=$(sed -n 's/^saved_hangs *: *//p' "$stats")
for d in crashes hangs; do
	for f in "$work/out/default/$d"/id:*; do
		if [ -e "$f" ]; then
			cp "$f" "$work/findings/$d-$(basename "$f" | cut -d, -f1 | tr : _)"
		fi
	done
done
if [ "${crashes:-0}" != 0 ]; then
	echo "fuzz-afl: $crashes crash(es) saved in $work/findings (reproduce with $bin FILE)"
	exit 1
fi
[ "${hangs:-0}" = 0 ] || echo "fuzz-afl: $hangs hang(s) saved in $work/findings"
echo "fuzz-afl: no crashes"
