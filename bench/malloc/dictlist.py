# SPDX-License-Identifier: MIT
# The python3 workload of `make bench-malloc`: dict- and list-heavy work
# (build, group, sort, churn, nested containers) whose result does not
# depend on the allocator. The driver runs it with PYTHONMALLOC=malloc, so
# that every object goes through malloc rather than pymalloc's arenas, and
# PYTHONHASHSEED=0. Argument: a scale factor (default 1). Prints one line
# "dictlist ok ..." and exits 0.
import sys
import zlib


def run(n):
    crc = 0
    # A dict of n string keys -> small lists and tuples.
    d = {}
    for i in range(n):
        k = "key%07d" % ((i * 7919) % n)
        d[k] = [i, str(i), (i, i * 2), {"x": i}]
    # Group into a dict of lists, then sort each group.
    groups = {}
    for k, v in d.items():
        groups.setdefault(k[-3:], []).append(v[0])
    for g in groups.values():
        g.sort(reverse=True)
    total = sum(len(g) for g in groups.values())
    crc = zlib.crc32(repr(sorted(groups.items())[:50]).encode(), crc)
    # Sort keys by a derived key (allocates a string per key).
    keys = sorted(d, key=lambda s: s[::-1])
    crc = zlib.crc32("".join(keys[::97]).encode(), crc)
    # Churn: a sliding window of short-lived dicts and lists.
    window = []
    acc = 0
    for i in range(2 * n):
        window.append({"a": i, "b": [i] * (i % 8), "c": str(i) * (i % 5)})
        if len(window) > 4000:
            old = window[:2000]
            del window[:2000]
            acc += sum(x["a"] + len(x["b"]) + len(x["c"]) for x in old)
    # Delete half the big dict and grow it again with longer keys.
    for k in keys[::2]:
        del d[k]
    for i in range(n // 2):
        d["longer-key-%09d-%s" % (i, "z" * (i % 13))] = list(range(i % 10))
    acc += sum(len(v) for v in d.values())
    # Sets and comprehension temporaries.
    s = {x % 10007 for x in range(n)}
    m = {k: len(v) for k, v in d.items() if len(v) > 3}
    acc += len(s) + len(m) + total
    return acc, crc


def main():
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    n = max(1000, int(50000 * scale))
    acc, crc = run(n)
    print("dictlist ok %d %08x" % (acc, crc))


main()
