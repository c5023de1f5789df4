#!/usr/bin/env python3
"""Writes damaged copies of a small ELF64 shared library for
shared_damaged.c: the kinds a mutation fuzzer found nsshare crashing on
where stock glibc loads the object, and some that stock refuses.

    damage.py LIBRARY OUTDIR

Each copy is OUTDIR/NNN-KIND.so; KIND says what was changed."""
import os
import random
import struct
import sys

DT_NULL, DT_STRTAB, DT_SYMTAB, DT_STRSZ = 0, 5, 6, 10
DT_VERSYM, DT_VERDEF, DT_VERDEFNUM, DT_VERNEED = \
    0x6ffffff0, 0x6ffffffc, 0x6ffffffd, 0x6ffffffe
PT_DYNAMIC = 2
STT_GNU_IFUNC = 10


class Elf:
    def __init__(self, data):
        self.data = bytes(data)
        (self.phoff, self.shoff) = struct.unpack_from("<QQ", data, 0x20)
        (self.phentsize, self.phnum, self.shentsize, self.shnum,
         self.shstrndx) = struct.unpack_from("<HHHHH", data, 0x36)
        self.sections = {}
        shdrs = [struct.unpack_from("<IIQQQQIIQQ", data,
                                    self.shoff + i * self.shentsize)
                 for i in range(self.shnum)]
        strtab_off = shdrs[self.shstrndx][4]
        for sh in shdrs:
            end = data.index(b"\0", strtab_off + sh[0])
            name = data[strtab_off + sh[0]:end].decode()
            self.sections[name] = sh  # (name, type, flags, addr, off, size,..)

    def section(self, name):
        sh = self.sections[name]
        return sh[4], sh[5]  # offset, size

    def phdr(self, ptype):
        for i in range(self.phnum):
            at = self.phoff + i * self.phentsize
            if struct.unpack_from("<I", self.data, at)[0] == ptype:
                return at
        raise KeyError(ptype)

    def dyn_entries(self):
        off, size = self.section(".dynamic")
        for at in range(off, off + size, 16):
            tag, = struct.unpack_from("<q", self.data, at)
            if tag == DT_NULL:
                return
            yield at, tag


def main():
    src, out = sys.argv[1], sys.argv[2]
    orig = open(src, "rb").read()
    elf = Elf(orig)
    n = [0]

    def emit(kind, image):
        path = os.path.join(out, "%03d-%s.so" % (n[0], kind))
        n[0] += 1
        with open(path, "wb") as f:
            f.write(image)

    def patched(at, fmt, *values):
        image = bytearray(orig)
        struct.pack_into(fmt, image, at, *values)
        return image

    # .gnu.hash: every byte flipped, and the last chain without its end.
    off, size = elf.section(".gnu.hash")
    for i in range(size):
        image = bytearray(orig)
        image[off + i] ^= 0xff
        emit("gnu-hash-byte%d" % i, image)
    last = off + size - 4
    word, = struct.unpack_from("<I", orig, last)
    emit("gnu-hash-chain-unended", patched(last, "<I", word & ~1))

    # Symbols: each st_name out of range; the IFUNC's resolver moved.
    soff, ssize = elf.section(".dynsym")
    stroff, strsize = elf.section(".dynstr")
    straddr = elf.sections[".dynstr"][3]
    for i in range(1, ssize // 24):
        at = soff + i * 24
        emit("st-name-out%d" % i, patched(at, "<I", 0xfffffff0))
        emit("st-name-unended%d" % i, patched(at, "<I", strsize - 1
                                              if orig[stroff + strsize - 1]
                                              else strsize))
        info = orig[at + 4]
        if info & 0xf == STT_GNU_IFUNC:
            emit("ifunc-resolver-data%d" % i, patched(at + 8, "<Q", straddr))
            emit("ifunc-resolver-unmapped%d" % i,
                 patched(at + 8, "<Q", 0x7fff00000000))

    # Version indices without a definition, plain and hidden.
    voff, vsize = elf.section(".gnu.version")
    for i in range(1, vsize // 2):
        emit("versym-unknown%d" % i, patched(voff + 2 * i, "<H", 0x7ff0))
        emit("versym-unknown-hidden%d" % i,
             patched(voff + 2 * i, "<H", 0xfff0))
    doff, dsize = elf.section(".gnu.version_d")
    at, k = doff, 0
    while True:
        vd_aux, vd_next = struct.unpack_from("<II", orig, at + 12)
        emit("verdef-aux-out%d" % k, patched(at + 12, "<I", 0xfffff000))
        emit("verdef-next-out%d" % k, patched(at + 16, "<I", 0x7ffffff0))
        emit("verdef-name-out%d" % k, patched(at + vd_aux, "<I", 0xfffffff0))
        if not vd_next:
            break
        at, k = at + vd_next, k + 1

    # The dynamic section: values, and PT_DYNAMIC's file fields.
    for at, tag in elf.dyn_entries():
        val, = struct.unpack_from("<Q", orig, at + 8)
        if tag == DT_STRSZ:
            for v in (0xffffffffffff, 0, 1):
                emit("strsz-%x" % v, patched(at + 8, "<Q", v))
        elif tag in (DT_STRTAB, DT_SYMTAB, DT_VERSYM, DT_VERDEF, DT_VERNEED):
            emit("dt-%x-out" % tag, patched(at + 8, "<Q", val + 0x7fff0000))
        elif tag == DT_VERDEFNUM:
            emit("verdefnum-huge", patched(at + 8, "<Q", 0xffffffff))
    ph = elf.phdr(PT_DYNAMIC)
    emit("pt-dynamic-offset", patched(ph + 8, "<Q", 1 << 40))
    emit("pt-dynamic-offset0", patched(ph + 8, "<Q", 0))
    emit("pt-dynamic-filesz8", patched(ph + 32, "<Q", 8))
    emit("pt-dynamic-filesz-huge", patched(ph + 32, "<Q", 0xffffffffff))

    # A few bytes changed at random in the first page (headers, tables).
    rng = random.Random(20260)
    for r in range(30):
        image = bytearray(orig)
        for _ in range(1 + rng.randrange(4)):
            image[rng.randrange(min(4096, len(image)))] = rng.randrange(256)
        emit("random%d" % r, image)


if __name__ == "__main__":
    main()
