#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write a realistic initramfs (cpio newc) of exactly SIZE bytes to stdout.

The files are the real contents of Debian's s390x kernel package (modules,
System.map, config), the bulk of what a distribution initrd holds, in an order
and with names drawn from SEED, repeated until SIZE is reached; the same SEED,
SIZE and package give the same bytes. Compress the output to get a gzip or
zstd initrd whose ratio is that of a real one.

    make-initrd.py SEED SIZE KERNEL_DEB > initrd.cpio
"""
import random
import subprocess
import sys
import tarfile


def newc_header(ino, mode, size, name):
    fields = [ino, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, len(name) + 1, 0]
    head = b"070701" + b"".join(b"%08X" % f for f in fields) + name + b"\0"
    return head + b"\0" * (-len(head) % 4)


def load_corpus(deb):
    tar_stream = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
    files = []
    with tarfile.open(fileobj=tar_stream.stdout, mode="r|") as tar:
        for member in tar:
            if member.isfile() and member.size:
                files.append((member.name.lstrip("./"), tar.extractfile(member).read()))
    if tar_stream.wait() != 0:
        sys.exit("make-initrd: dpkg-deb failed on " + deb)
    files.sort()
    return files


def main():
    seed, size, deb = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    files = load_corpus(deb)
    rng = random.Random(seed)
    out = sys.stdout.buffer
    trailer = newc_header(0, 0, 0, b"TRAILER!!!")
    written, ino, copy = 0, 1, 0
    while True:
        order = list(range(len(files)))
        rng.shuffle(order)
        for i in order:
            name, data = files[i]
            path = ("copy%d/%s" % (copy, name)).encode()
            head = newc_header(ino, 0o100644, len(data), path)
            room = size - written - len(trailer) - len(head)
            if room < 4:
                # Zero padding up to SIZE after the trailer, as the kernel allows.
                out.write(trailer + b"\0" * (size - written - len(trailer)))
                return
            data = data[: room - (room % 4)] if len(data) > room - 4 else data
            head = newc_header(ino, 0o100644, len(data), path)
            out.write(head + data + b"\0" * (-len(data) % 4))
            written += len(head) + len(data) + (-len(data) % 4)
            ino += 1
        copy += 1


if __name__ == "__main__":
    main()
