#!/bin/sh
# Installs what `make demo` (deps.sh build), `make test` (deps.sh test) or
# `make bench` (deps.sh bench) needs on Debian when it is missing. Prints
# what it installs.
set -e
want=""
need() { # need FILE PACKAGE
	[ -e "$1" ] || want="$want $2"
}
# Every mode builds mmkit: a C compiler (make itself runs this script).
command -v cc >/dev/null 2>&1 || want="$want gcc"
if [ "$1" != build ]; then
	need /usr/include/cmocka.h libcmocka-dev
	command -v clang >/dev/null 2>&1 || want="$want clang"
	command -v clang-format >/dev/null 2>&1 || want="$want clang-format"
fi
if [ "$1" = lint ]; then
	command -v cppcheck >/dev/null 2>&1 || want="$want cppcheck"
	command -v clang-tidy >/dev/null 2>&1 || want="$want clang-tidy"
fi
if [ "$1" = test ]; then
	# tests/malloc_programs_test.c runs these with libmmkit-malloc.so
	need /usr/bin/python3 python3
	need /usr/bin/sqlite3 sqlite3
	need /usr/bin/git git
	need /usr/bin/gcc gcc
	need /usr/bin/g++ g++
	need /usr/bin/perl perl
	need /usr/bin/xz xz-utils
	# tests/report_test.c has headless Chromium parse the HTML report
	{ command -v chromium || command -v chromium-browser ||
		command -v google-chrome; } >/dev/null 2>&1 ||
		want="$want chromium"
fi
if [ "$1" = bench ]; then
	need /usr/include/jemalloc/jemalloc.h libjemalloc-dev
	need /usr/include/mimalloc.h libmimalloc-dev
	need /usr/include/gperftools/tcmalloc.h libgoogle-perftools-dev
	command -v valgrind >/dev/null 2>&1 || want="$want valgrind"
fi
if [ "$1" = afl ]; then
	# make fuzz-afl: afl-fuzz, afl-clang-fast and libAFLDriver.a
	{ command -v afl-fuzz && command -v afl-clang-fast; } >/dev/null 2>&1 ||
		want="$want afl++"
fi
[ -z "$want" ] && exit 0
echo "deps: installing$want"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq $want >/dev/null
