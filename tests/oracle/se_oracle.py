#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A second, independent reading of an SE image, for the tests only.

It shares no code with segen: the offsets come from docs/format.md, the
cryptography from python3-cryptography (OpenSSL underneath, but none of
segen's pipeline, chunking, threading or digest code). For an image whose
host private key we hold it unwraps the header key, opens the header,
recomputes PLD, ALD, TLD and the page count page by page, decrypts every
page with its own tweak and compares the plaintext with the inputs and the
stage-b parameters. With --x-seed it also derives the keys, IV, tweak
prefixes and customer key from the seed (docs/x-seed.md) and compares.

  se_oracle.py IMAGE --host-key PEM [--kernel F] [--ramdisk F] [--parmfile F]
               [--stage-b F] [--x-seed HEX] [--stage-b-flags N]

Prints one line per finding; exit status 0 when everything matches, 1 otherwise.
"""
import argparse
import hashlib
import struct
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PAGE = 4096
META_ADDR = 0xC000
IDS = {40: "kernel", 50: "ramdisk", 60: "cmdline", 70: "stage-b"}
PCF_NO_DECRYPTION = 0x10000000
# stub/include/stub-abi.h: the parameters at the end of the stage-b blob.
STAGE_B_PARAMS_MAGIC = 0x5345474E53544202
STAGE_B_PARAMS_SIZE = 80
KERNEL_ENTRY = 0x10000
P521_N = int(
    "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    "fa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409", 16)
COORD = 66
FIELD = 80


def be64(b, off):
    return struct.unpack_from(">Q", b, off)[0]


def be32(b, off):
    return struct.unpack_from(">I", b, off)[0]


class Oracle:
    def __init__(self, path):
        self.path = path
        self.problems = []
        with open(path, "rb") as f:
            self.img = f.read()

    def check(self, cond, what):
        if not cond:
            self.problems.append(what)
        return cond

    def read_tables(self):
        img = self.img
        if img[META_ADDR:META_ADDR + 8] != b"SeImgLnx":
            raise SystemExit(f"{self.path}: no image metadata at 0xC000")
        self.hdr_addr = be64(img, META_ADDR + 0x08)
        self.ipib_addr = be64(img, META_ADDR + 0x14)
        ipib = img[self.ipib_addr:self.ipib_addr + PAGE]
        n = be32(ipib, 0x74)
        self.check(be32(ipib, 0) == 0x88 + 24 * n, "IPIB length")
        self.check(ipib[0x0C] == 5, "IPIB type")
        self.check(be64(ipib, 0x78) == self.hdr_addr, "IPIB header address")
        self.hdr_len = be64(ipib, 0x80)
        self.comps = []
        for i in range(n):
            prefix, addr, size = struct.unpack_from(">QQQ", ipib, 0x88 + 24 * i)
            self.comps.append((prefix, addr, size))
        self.hdr = img[self.hdr_addr:self.hdr_addr + self.hdr_len]

    def open_header(self, host_pem):
        h = self.hdr
        self.check(h[0:8] == b"IBMSecEx", "header magic")
        self.check(be32(h, 0x08) == 0x100, "header version")
        size = be32(h, 0x0C)
        nks = be64(h, 0x20)
        self.check(be64(h, 0x28) == 128, "encrypted area size")
        self.check(size == 0x1A0 + 80 * nks + 128 + 16 and size == self.hdr_len,
                   "header size against key slots and the IPIB")
        self.iv = h[0x10:0x1C]
        self.nep = be64(h, 0x30)
        self.pcf = be64(h, 0x38)
        xy = h[0x40:0xE0]
        self.cust_xy = xy
        self.pld, self.ald, self.tld = h[0xE0:0x120], h[0x120:0x160], h[0x160:0x1A0]
        with open(host_pem, "rb") as f:
            host = serialization.load_pem_private_key(f.read(), None)
        hpub = host.public_key().public_numbers()
        host_xy = pad_coord(hpub.x) + pad_coord(hpub.y)
        host_hash = hashlib.sha256(host_xy).digest()
        self.check(xy[:FIELD - COORD] == bytes(FIELD - COORD) and
                   xy[FIELD:2 * FIELD - COORD] == bytes(FIELD - COORD),
                   "customer key padding")
        cust = ec.EllipticCurvePublicNumbers(
            int.from_bytes(xy[FIELD - COORD:FIELD], "big"),
            int.from_bytes(xy[2 * FIELD - COORD:], "big"), ec.SECP521R1()).public_key()
        shared = host.exchange(ec.ECDH(), cust)
        kek = hashlib.sha256(shared + b"\0\0\0\1").digest()
        self.header_key = None
        for s in range(nks):
            slot = h[0x1A0 + 80 * s:0x1A0 + 80 * (s + 1)]
            if slot[:32] == host_hash:
                try:
                    self.header_key = AESGCM(kek).decrypt(bytes(12), slot[32:80], None)
                except InvalidTag:
                    return self.check(False, f"key slot {s} does not unwrap")
                self.slot = s
        if not self.check(self.header_key is not None, "no key slot for this host"):
            return False
        enc = 0x1A0 + 80 * nks
        try:
            area = AESGCM(self.header_key).decrypt(self.iv, h[enc:enc + 144], h[:enc])
        except InvalidTag:
            return self.check(False, "header tag does not authenticate")
        self.cck, self.xts_key = area[0:32], area[32:96]
        self.psw_mask, self.psw_addr, self.scf = struct.unpack_from(">QQQ", area, 0x60)
        self.check(be32(area, 0x78) == 0, "optional items")
        return True

    def walk_pages(self):
        """Digests and plaintext, one page at a time: no chunks, no threads."""
        pld, ald, tld = hashlib.sha512(), hashlib.sha512(), hashlib.sha512()
        plain = self.pcf & PCF_NO_DECRYPTION
        pages = 0
        self.plaintext = {}
        last_end = 0
        for prefix, addr, size in self.comps:
            self.check(addr % PAGE == 0 and size % PAGE == 0 and addr >= last_end,
                       f"component at 0x{addr:x}: placement")
            last_end = addr + size
            out = bytearray()
            for off in range(0, size, PAGE):
                tweak = struct.pack(">QQ", prefix, off)
                stored = self.img[addr + off:addr + off + PAGE]
                pld.update(stored)
                ald.update(struct.pack(">Q", addr + off))
                tld.update(tweak)
                if plain:
                    out += stored
                else:
                    d = Cipher(algorithms.AES(self.xts_key), modes.XTS(tweak)).decryptor()
                    out += d.update(stored) + d.finalize()
                pages += 1
            self.plaintext[prefix >> 48] = bytes(out)
        self.check(pld.digest() == self.pld, "PLD")
        self.check(ald.digest() == self.ald, "ALD")
        self.check(tld.digest() == self.tld, "TLD")
        self.check(pages == self.nep, f"page count: {pages} pages, header says {self.nep}")
        self.nr_pages = pages

    def compare_input(self, comp_id, data):
        got = self.plaintext.get(comp_id)
        name = IDS[comp_id]
        if not self.check(got is not None, f"{name}: no such component"):
            return
        self.check(len(got) == -(-max(len(data), 1) // PAGE) * PAGE, f"{name}: padded size")
        self.check(got[:len(data)] == data, f"{name}: plaintext differs from the input")
        self.check(got[len(data):] == bytes(len(got) - len(data)), f"{name}: padding not zero")

    def check_stage_b(self, blob, inputs):
        by_id = {p >> 48: (p, a, s) for p, a, s in self.comps}
        _, b_addr, b_size = by_id[70]
        self.check(self.psw_mask == 0x0000000180000000, "PSW mask")
        self.check(b_addr <= self.psw_addr < b_addr + b_size, "PSW address inside stage-b")
        if blob is None:
            return
        got = self.plaintext[70]
        psize = STAGE_B_PARAMS_SIZE
        self.check(got[:len(blob) - psize] == blob[:-psize], "stage-b code differs from the blob")
        vals = struct.unpack(">10Q", got[len(blob) - psize:len(blob)])
        want = [STAGE_B_PARAMS_MAGIC, by_id[40][1], len(inputs[40])]
        want += [by_id[50][1], len(inputs[50])] if 50 in inputs else [0, 0]
        want += [by_id[60][1], len(inputs[60])] if 60 in inputs else [0, 0]
        want += [self.stage_b_flags, KERNEL_ENTRY, 0]
        self.check(list(vals) == want, f"stage-b parameters {vals} != {tuple(want)}")

    def check_seed(self, seed_hex):
        seed = bytes.fromhex(seed_hex)

        def derive(label, n):
            return hashlib.shake_256(b"segen x-seed v1\0" + seed + b"\0" + label.encode()).digest(n)

        self.check(derive("header-key", 32) == self.header_key, "x-seed: header key")
        self.check(derive("image-key", 64) == self.xts_key, "x-seed: image key")
        self.check(derive("cck", 32) == self.cck, "x-seed: CCK")
        self.check(derive("iv", 12) == self.iv, "x-seed: IV")
        for prefix, _, _ in self.comps:
            cid = prefix >> 48
            want = struct.pack(">H", cid) + derive(f"tweak-{cid}", 6)
            self.check(struct.pack(">Q", prefix) == want, f"x-seed: tweak prefix of {IDS[cid]}")
        d = int.from_bytes(derive("customer-key", 82), "big") % (P521_N - 1) + 1
        pub = ec.derive_private_key(d, ec.SECP521R1()).public_key().public_numbers()
        self.check(pad_coord(pub.x) + pad_coord(pub.y) == self.cust_xy, "x-seed: customer key")


def pad_coord(v):
    return v.to_bytes(FIELD, "big")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("image")
    ap.add_argument("--host-key", required=True)
    ap.add_argument("--kernel")
    ap.add_argument("--ramdisk")
    ap.add_argument("--parmfile")
    ap.add_argument("--stage-b")
    ap.add_argument("--x-seed")
    ap.add_argument("--stage-b-flags", type=lambda v: int(v, 0), default=0,
                    help="the flags stage-b gets (1: any payload, --no-component-check)")
    a = ap.parse_args()

    o = Oracle(a.image)
    o.stage_b_flags = a.stage_b_flags
    o.read_tables()
    if o.open_header(a.host_key):
        o.walk_pages()
        inputs = {}
        for cid, path in ((40, a.kernel), (50, a.ramdisk), (60, a.parmfile)):
            if path:
                with open(path, "rb") as f:
                    data = f.read()
                if cid == 60:
                    data = (data[:-1] if data.endswith(b"\0") else data) + b"\0"
                inputs[cid] = data
                o.compare_input(cid, data)
        blob = None
        if a.stage_b:
            with open(a.stage_b, "rb") as f:
                blob = f.read()
        if 40 in inputs:
            o.check_stage_b(blob, inputs)
        if a.x_seed:
            o.check_seed(a.x_seed)
    for p in o.problems:
        print(f"{a.image}: oracle: {p}")
    if not o.problems:
        sizes = ", ".join(f"{IDS[p >> 48]} {s // PAGE} pages" for p, _, s in o.comps)
        print(f"{a.image}: oracle: {o.nr_pages} pages match ({sizes})")
    return 1 if o.problems else 0


if __name__ == "__main__":
    sys.exit(main())
