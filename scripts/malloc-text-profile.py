#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Which of libmmkit-malloc.so's functions a program runs, and from which
part of the text (malloc/sections.c, malloc/libmmkit-malloc.lds.S).

usage: scripts/malloc-text-profile.py LIB COMMAND [ARG...]

Runs COMMAND twice under valgrind's callgrind with LIB preloaded: once
whole, once counting only the heap's boot (heap_boot). Prints the
functions that ran after the boot from the init text (they belong in
neither list: their pages come back after free_initmem()), those that ran
after it from .text (the hot list's candidates, if a small program runs
them), and those that ran only during the boot from outside the init text
(the init list's candidates, if no program runs them later).
"""
import glob
import os
import subprocess
import sys
import tempfile


def symbols(lib):
    """Function name -> address, and the init text's bounds."""
    out = subprocess.run(["nm", "--defined-only", lib], capture_output=True,
                         text=True, check=True).stdout
    addr = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            addr.setdefault(parts[2], int(parts[0], 16))
    return addr, addr["mmk_inittext_start"], addr["mmk_inittext_end"]


def profile(lib, cmd, boot_only):
    """Function name -> instructions run in LIB's functions."""
    with tempfile.TemporaryDirectory() as tmp:
        args = ["valgrind", "--tool=callgrind", "--trace-children=yes",
                "--compress-strings=no", "--compress-pos=no",
                "--callgrind-out-file=%s/cg.%%p" % tmp]
        if boot_only:
            args.append("--toggle-collect=heap_boot")
        subprocess.run(args + ["env", "LD_PRELOAD=" + lib] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        files = glob.glob(tmp + "/cg.*")
        if not files:
            sys.exit("malloc-text-profile: callgrind wrote no profile")
        cost, fn, skip = {}, None, False
        for line in open(max(files, key=os.path.getsize)):
            if line.startswith("fn="):
                fn = line[3:].strip().split("'")[0]
            elif line.startswith("calls="):
                skip = True
            elif line[:1].isdigit() and fn:
                if skip:
                    skip = False
                else:
                    cost[fn] = cost.get(fn, 0) + int(line.split()[-1])
        if not cost:
            sys.exit("malloc-text-profile: callgrind profiled nothing "
                     "(valgrind 3.19 cannot read clang 14's debug "
                     "information: profile a gcc build)")
        return cost


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    lib, cmd = os.path.abspath(sys.argv[1]), sys.argv[2:]
    addr, init_lo, init_hi = symbols(lib)
    full, boot = profile(lib, cmd, False), profile(lib, cmd, True)
    where = {}
    for fn in full:
        base = fn.split(".")[0] if fn.split(".")[0] in addr else fn
        if base not in addr:
            continue  # another object's function
        a = addr[base]
        part = "init" if init_lo <= a < init_hi else \
            "text" if a >= init_hi else "hot"
        after = full[fn] > boot.get(fn, 0)
        where.setdefault((part, after), []).append(base)
    for (part, after), title in (
            (("init", True), "ran after the boot from the init text"),
            (("text", True), "ran after the boot from .text"),
            (("text", False), "ran only during the boot, from .text"),
            (("hot", False), "ran only during the boot, from the hot text")):
        names = sorted(set(where.get((part, after), [])))
        print("%s (%d): %s" % (title, len(names), " ".join(names)))


if __name__ == "__main__":
    main()
