#!/usr/bin/env python3
"""Run the address-space commands of an mmkit script on the real kernel.

Developers' tool for checking golden outputs: it performs the script's
mmap/munmap/mprotect/mlock/munlock/mremap/madvise calls for real, in this
process, and prints the results and `cat /proc/1/maps` lines the way
`mmkit run` does, restricted to the window [0x200000000, 0x800000000)
that the scripts use. Lines it cannot run on the host (spawn, boot, brk,
status, check, ...) are skipped. Compare its output with mmkit's:

    scripts/real-kernel.py tests/scripts/mm/vma_merge.mms
"""
import ctypes
import os
import re
import sys

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SYS = {"mmap": 9, "mprotect": 10, "munmap": 11, "mremap": 25,
       "madvise": 28, "mlock": 149, "munlock": 150}
PROT = {"r": 1, "w": 2, "x": 4}
MAP = {"shared": 1, "private": 2, "fixed": 0x10, "anonymous": 0x20,
       "growsdown": 0x100, "locked": 0x2000, "noreserve": 0x4000,
       "populate": 0x8000, "fixed_noreplace": 0x100000}
MREMAP = {"maymove": 1, "fixed": 2, "dontunmap": 4, "none": 0}
ADVICE = {"normal": 0, "random": 1, "sequential": 2, "willneed": 3,
          "dontneed": 4, "free": 8, "dontfork": 10, "dofork": 11,
          "wipeonfork": 18, "keeponfork": 19, "dontdump": 16, "dodump": 17,
          "hugepage": 14, "nohugepage": 15}
LO, HI = 0x200000000, 0x800000000


def num(s):
    m = re.fullmatch(r"(0x[0-9a-fA-F]+|\d+)([KMGT]?)", s)
    v = int(m.group(1), 0)
    return v << {"": 0, "K": 10, "M": 20, "G": 30, "T": 40}[m.group(2)]


def prot(s):
    return 0 if s == "none" else sum(PROT[c] for c in s)


def flags(s, table):
    return sum(table[w] for w in s.split(","))


def call(name, *args):
    ret = libc.syscall(SYS[name], *[ctypes.c_ulong(a) for a in args])
    if ret < 0:
        return os.strerror(ctypes.get_errno()) and \
            __import__("errno").errorcode[ctypes.get_errno()]
    return ret


def maps():
    for line in open("/proc/self/maps"):
        a, b = (int(x, 16) for x in line.split()[0].split("-"))
        if a >= LO and b <= HI:
            sys.stdout.write(re.sub(r" 00:01 \d+ +", " 00:01 INO ", line))


def main(path):
    for raw in open(path):
        w = raw.split("#")[0].split()
        if not w:
            continue
        c = w[0]
        if c == "cat" and w[1].endswith("/maps"):
            maps()
            continue
        addr_result = False
        if c == "mmap":
            fl = flags(w[5], MAP)
            r = call("mmap", num(w[2]), num(w[3]), prot(w[4]), fl,
                     2**64 - 1, 0)
            addr_result = True
        elif c in ("munmap", "mlock", "munlock"):
            r = call(c, num(w[2]), num(w[3]))
        elif c == "mprotect":
            r = call(c, num(w[2]), num(w[3]), prot(w[4]))
        elif c == "mremap":
            fl = flags(w[5], MREMAP) if len(w) > 5 else 0
            na = num(w[6]) if len(w) > 6 else 0
            r = call(c, num(w[2]), num(w[3]), num(w[4]), fl, na)
            addr_result = True
        elif c == "madvise":
            r = call(c, num(w[2]), num(w[3]), ADVICE[w[4]])
        else:
            continue
        if isinstance(r, int) and addr_result:
            r = hex(r)
        print(" ".join(w), "=", r)


main(sys.argv[1])
