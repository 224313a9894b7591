#!/bin/sh
# Runs fuzz/malloc_fuzz (built by `make fuzz-malloc`) for OPS operations
# with libmmkit-malloc.so preloaded, in four runs: the default mode and
# MMKIT_MALLOC=hardened, each on one thread and on 4 threads sharing the
# slots, each after replaying fuzz/malloc_regress/*.bin; then the default
# mode on one thread with phase changes (-P). Fails on the first run that
# fails (a mismatch or an abort).
# ARGS go to every run, e.g. -K (fuzz/MALLOC-FINDINGS.md) or -s SEED.
#
# usage: sh fuzz/malloc.sh BINARY LIBRARY OPS [ARGS...]
bin=$1
lib=$2
ops=$3
shift 3
lib=$(cd "$(dirname "$lib")" && pwd)/$(basename "$lib")
for mode in default hardened; do
	# first the inputs of earlier findings (fuzz/MALLOC-FINDINGS.md)
	status=0
	MMKIT_MALLOC=$mode LD_PRELOAD=$lib "$bin" -m -q "$@" \
		fuzz/malloc_regress/*.bin || status=$?
	if [ "$status" != 0 ]; then
		echo "fuzz-malloc: FAILED (status $status): a regression input in MMKIT_MALLOC=$mode: replay each of fuzz/malloc_regress/*.bin with MMKIT_MALLOC=$mode LD_PRELOAD=$lib $bin FILE"
		exit 1
	fi
	for threads in 1 4; do
		status=0
		MMKIT_MALLOC=$mode LD_PRELOAD=$lib "$bin" -m -q -n "$ops" \
			-t "$threads" "$@" || status=$?
		if [ "$status" != 0 ]; then
			echo "fuzz-malloc: FAILED (status $status): MMKIT_MALLOC=$mode LD_PRELOAD=$lib $bin -m -n $ops -t $threads $*"
			exit 1
		fi
	done
done
# phase changes (-P): the default mode on one thread borrows from sparse
# slabs (malloc/borrow.c); unless the caller's arguments pick a profile
case " $* " in
*" -S "* | *" -P "*) ;;
*)
	status=0
	LD_PRELOAD=$lib "$bin" -m -q -P -n "$ops" -t 1 "$@" || status=$?
	if [ "$status" != 0 ]; then
		echo "fuzz-malloc: FAILED (status $status): LD_PRELOAD=$lib $bin -m -P -n $ops -t 1 $*"
		exit 1
	fi
	;;
esac
echo "fuzz-malloc: ok"
