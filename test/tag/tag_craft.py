#!/usr/bin/env python3
"""Crafts ELF files for the nsshare-tag test, with nothing but struct.

  tag_craft.py mini CLASS ORDER OUT [FLAGS [NULLS [TAIL]]]
                                      a minimal ET_DYN (32|64, le|be): one
                                      PT_LOAD, one PT_DYNAMIC, no section
                                      headers, DT_DEBUG then 3 DT_NULLs;
                                      with FLAGS (F[,F...]; - for none),
                                      DT_GNU_FLAGS_1 entries with those
                                      values first; with NULLS (V,V,V), the
                                      values of the 3 DT_NULLs (all 0);
                                      with TAIL, that many zero bytes
                                      more in PT_DYNAMIC, less than an
                                      entry
  tag_craft.py fill-spare IN OUT      IN with every DT_NULL of PT_DYNAMIC
                                      but the last turned into DT_DEBUG 0,
                                      so no spare entry is left
  tag_craft.py move-dynamic IN OUT OFF
                                      IN with PT_DYNAMIC's p_offset OFF
  tag_craft.py move-shdrs IN OUT OFF  IN with e_shoff OFF
  tag_craft.py dynamic FILE [TAG]     prints "OFFSET SIZE ENTSIZE USED" of
                                      PT_DYNAMIC (USED: entries before the
                                      first DT_NULL); with TAG, the index
                                      of the first entry with that tag
  tag_craft.py fuzz IN OUTDIR N SEED  N damaged copies of IN: bytes of the
                                      headers and .dynamic overwritten,
                                      or the file truncated
"""
import os
import random
import struct
import sys

PT_LOAD, PT_DYNAMIC = 1, 2
DT_NULL, DT_DEBUG, DT_GNU_FLAGS_1 = 0, 21, 0x6ffffdf4


class Layout:
    """Class and byte order of an ELF file, and the struct formats."""

    def __init__(self, bits, order):
        self.bits = bits
        self.e = '<' if order == 'le' else '>'
        if bits == 64:
            self.ehdr = self.e + '16sHHIQQQIHHHHHH'
            self.phdr = self.e + 'IIQQQQQQ'
            self.dyn = self.e + 'qQ'
        else:
            self.ehdr = self.e + '16sHHIIIIIHHHHHH'
            self.phdr = self.e + 'IIIIIIII'
            self.dyn = self.e + 'iI'

    @classmethod
    def of(cls, data):
        if data[:4] != b'\x7fELF':
            sys.exit('not an ELF file')
        return cls(64 if data[4] == 2 else 32, 'le' if data[5] == 1 else 'be')

    def phdr_fields(self, raw):
        """(p_type, p_offset, p_filesz) whatever the class."""
        f = struct.unpack(self.phdr, raw)
        if self.bits == 64:  # type flags offset vaddr paddr filesz ...
            return f[0], f[2], f[5]
        return f[0], f[1], f[4]  # type offset vaddr paddr filesz ...


def dynamic(data):
    """(layout, offset, size) of PT_DYNAMIC."""
    lay = Layout.of(data)
    eh = struct.unpack_from(lay.ehdr, data)
    phoff, phentsize, phnum = eh[5], eh[9], eh[10]
    for i in range(phnum):
        start = phoff + i * phentsize
        ptype, off, size = lay.phdr_fields(
            data[start:start + struct.calcsize(lay.phdr)])
        if ptype == PT_DYNAMIC:
            return lay, off, size
    sys.exit('no PT_DYNAMIC')


def mini(bits, order, out, flags=None, nulls=(0, 0, 0), tail=0):
    lay = Layout(bits, order)
    ehsize = struct.calcsize(lay.ehdr)
    phsize = struct.calcsize(lay.phdr)
    dynsize = struct.calcsize(lay.dyn)
    entries = [(DT_DEBUG, 0)] + [(DT_NULL, v) for v in nulls]
    if flags is not None:
        entries[:0] = [(DT_GNU_FLAGS_1, f) for f in flags]
    dynoff = ehsize + 2 * phsize
    dynsz = len(entries) * dynsize + tail
    total = dynoff + dynsz
    ident = bytes([0x7f, ord('E'), ord('L'), ord('F'), 2 if bits == 64 else 1,
                   1 if order == 'le' else 2, 1]) + bytes(9)
    machine = {(64, 'le'): 62, (32, 'le'): 3, (64, 'be'): 21,
               (32, 'be'): 20}[(bits, order)]  # x86-64, i386, ppc64, ppc
    out_bytes = struct.pack(lay.ehdr, ident, 3, machine, 1, 0, ehsize, 0, 0,
                            ehsize, phsize, 2, 0, 0, 0)
    if bits == 64:
        out_bytes += struct.pack(lay.phdr, PT_LOAD, 6, 0, 0, 0, total, total,
                                 0x1000)
        out_bytes += struct.pack(lay.phdr, PT_DYNAMIC, 6, dynoff, dynoff,
                                 dynoff, dynsz, dynsz, 8)
    else:
        out_bytes += struct.pack(lay.phdr, PT_LOAD, 0, 0, 0, total, total, 6,
                                 0x1000)
        out_bytes += struct.pack(lay.phdr, PT_DYNAMIC, dynoff, dynoff, dynoff,
                                 dynsz, dynsz, 6, 4)
    for tag, val in entries:
        out_bytes += struct.pack(lay.dyn, tag, val)
    out_bytes += bytes(tail)
    with open(out, 'wb') as f:
        f.write(out_bytes)


def fill_spare(src, out):
    data = bytearray(open(src, 'rb').read())
    lay, off, size = dynamic(data)
    entsize = struct.calcsize(lay.dyn)
    nulls = [off + i * entsize for i in range(size // entsize)
             if struct.unpack_from(lay.dyn, data, off + i * entsize)[0] == 0]
    for pos in nulls[:-1]:
        struct.pack_into(lay.dyn, data, pos, DT_DEBUG, 0)
    with open(out, 'wb') as f:
        f.write(data)


def move_dynamic(src, out, offset):
    data = bytearray(open(src, 'rb').read())
    lay = Layout.of(data)
    eh = struct.unpack_from(lay.ehdr, data)
    phoff, phentsize, phnum = eh[5], eh[9], eh[10]
    for i in range(phnum):
        start = phoff + i * phentsize
        f = list(struct.unpack_from(lay.phdr, data, start))
        if f[0] == PT_DYNAMIC:
            f[2 if lay.bits == 64 else 1] = offset
            struct.pack_into(lay.phdr, data, start, *f)
    with open(out, 'wb') as f:
        f.write(data)


def move_shdrs(src, out, offset):
    data = bytearray(open(src, 'rb').read())
    lay = Layout.of(data)
    eh = list(struct.unpack_from(lay.ehdr, data))
    eh[6] = offset
    struct.pack_into(lay.ehdr, data, 0, *eh)
    with open(out, 'wb') as f:
        f.write(data)


def show_dynamic(path, tag=None):
    data = open(path, 'rb').read()
    lay, off, size = dynamic(data)
    entsize = struct.calcsize(lay.dyn)
    tags = [struct.unpack_from(lay.dyn, data, off + i * entsize)[0]
            for i in range(size // entsize)]
    if tag is None:
        print(off, size, entsize, tags.index(DT_NULL))
    else:
        print(tags.index(tag))


def fuzz(src, outdir, count, seed):
    data = open(src, 'rb').read()
    lay, off, size = dynamic(data)
    eh = struct.unpack_from(lay.ehdr, data)
    phend = eh[5] + eh[9] * eh[10]
    shoff = eh[6]
    # Where damage matters to a reader of the dynamic array: the ELF and
    # program headers, .dynamic, the section header table.
    regions = [(0, phend), (off, off + size), (shoff, len(data))]
    rng = random.Random(seed)
    for n in range(count):
        case = bytearray(data)
        if rng.random() < 0.2:
            case = case[:rng.randrange(len(case))]
        else:
            for _ in range(rng.randint(1, 8)):
                lo, hi = rng.choice(regions)
                pos = rng.randrange(lo, hi)
                case[pos] = rng.choice([0, 0xff, 0x7f, 0x80, rng.randrange(256)])
        with open(os.path.join(outdir, 'fuzz%03d.so' % n), 'wb') as f:
            f.write(case)


def main(argv):
    if len(argv) in (5, 6, 7, 8) and argv[1] == 'mini':
        flags = argv[5] if len(argv) >= 6 else '-'
        nulls = argv[6] if len(argv) >= 7 else '0,0,0'
        mini(int(argv[2]), argv[3], argv[4],
             None if flags == '-' else [int(f, 0) for f in flags.split(',')],
             [int(v, 0) for v in nulls.split(',')],
             int(argv[7]) if len(argv) == 8 else 0)
    elif len(argv) == 4 and argv[1] == 'fill-spare':
        fill_spare(argv[2], argv[3])
    elif len(argv) == 5 and argv[1] == 'move-dynamic':
        move_dynamic(argv[2], argv[3], int(argv[4], 0))
    elif len(argv) == 5 and argv[1] == 'move-shdrs':
        move_shdrs(argv[2], argv[3], int(argv[4], 0))
    elif len(argv) in (3, 4) and argv[1] == 'dynamic':
        show_dynamic(argv[2], int(argv[3], 0) if len(argv) == 4 else None)
    elif len(argv) == 6 and argv[1] == 'fuzz':
        fuzz(argv[2], argv[3], int(argv[4]), int(argv[5]))
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv)
