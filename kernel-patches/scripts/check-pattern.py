#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that a disk image starts with the test guest's pattern.

    check-pattern.py IMAGE BYTES

The pattern is the one tests/guest-init.c writes: big-endian 64-bit words,
word i = mix(i ^ SEED). Prints the first mismatching offset and exits 1, or
exits 0 when all BYTES match.
"""
import struct
import sys

SEED = 0x5345472D50562D31
MASK = (1 << 64) - 1
CHUNK = 1 << 20


def word(i):
    x = i ^ SEED
    x ^= x >> 31
    x = (x * 0x9E3779B97F4A7C15) & MASK
    x ^= x >> 29
    return x


def main():
    if len(sys.argv) != 3:
        print("usage: check-pattern.py IMAGE BYTES", file=sys.stderr)
        return 2
    path, total = sys.argv[1], int(sys.argv[2])
    with open(path, "rb") as f:
        for off in range(0, total, CHUNK):
            data = f.read(CHUNK)
            n = CHUNK // 8
            if len(data) != CHUNK:
                print(f"{path}: short read at {off}")
                return 1
            base = off // 8
            want = struct.pack(f">{n}Q", *(word(base + i) for i in range(n)))
            if data != want:
                bad = next(i for i in range(CHUNK) if data[i] != want[i])
                print(f"{path}: pattern differs at byte {off + bad}")
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
