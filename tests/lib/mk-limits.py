#!/usr/bin/env python3
"""Write the resource-exhaustion archives of tests/shell/test-limits.sh.

usage: mk-limits.py OUTDIR

Each is NAME.tar.xz in OUTDIR, built in a second or two however large it
expands: an xz stream is a sequence of independent blocks, so one block is
compressed once and its bytes repeated, with an index that lists every
copy.  The result is a valid .xz file (xz -l reads it, xz -t would take
minutes) holding a valid tar.

  bomb            one member "zeros" of 32 GiB (the tar header says so),
                  with an xz index that says 32 GiB too
  bomb-noindex    the same cut before the xz index: the size is unknown
                  until the bytes are decoded
  bomb-liar       a member that says it holds 1 KiB, then 32 GiB of zeros
                  (end-of-archive blocks and "padding"), no index
  entries         10 million empty files, names f00..f15 over and over,
                  no index
  entries-root    10 million "./" directory members (the cheapest member
                  for an extractor), no index
  longname-gnu    a GNU 'L' member naming the next file with 1 MiB
  longname-pax    a pax record path= of 1 MiB
  longlink-gnu    a GNU 'K' member: a symlink target of 1 MiB
  longname-pax-5k a pax path= of 5000 bytes: under the pax header limit,
                  over PATH_MAX
  pax-zero-length a pax record whose length field says 0 (shorter than
                  the field itself): must be refused, not read forever
  dirs-repeated   one directory 4000 bytes deep (GNU long name), as
                  50,176 members: a valid archive of 245 MiB in 50 KB
"""
import binascii
import lzma
import os
import struct
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
BLOCK = 64 << 20


def header(name, typ="0", size=0, link=b"", mode=0o644):
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b"%07o\0" % mode
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = (b"%011o\0" % size) if size < 8 ** 11 else \
        b"\x80" + size.to_bytes(11, "big")      # GNU base-256
    h[136:148] = b"14712642400\0"
    h[156] = ord(typ)
    h[157:157 + len(link)] = link
    h[257:265] = b"ustar  \0"
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)


def varint(n):
    b = bytearray()
    while n >= 0x80:
        b.append((n & 0x7f) | 0x80)
        n >>= 7
    b.append(n)
    return bytes(b)


def read_varint(b, pos):
    n = shift = 0
    while True:
        c = b[pos]
        pos += 1
        n |= (c & 0x7f) << shift
        shift += 7
        if not c & 0x80:
            return n, pos


def one_block(data):
    """Compress data as one xz block: (stream header, block bytes, unpadded size)."""
    s = lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=0)
    (backward,) = struct.unpack_from("<I", s, len(s) - 8)
    index_start = len(s) - 12 - (backward + 1) * 4
    idx = s[index_start:]
    assert idx[0] == 0
    count, pos = read_varint(idx, 1)
    assert count == 1
    unpadded, pos = read_varint(idx, pos)
    usize, pos = read_varint(idx, pos)
    assert usize == len(data)
    return s[:12], s[12:index_start], unpadded


def xz_of_blocks(blocks, with_index=True):
    """blocks: [(block bytes, unpadded size, uncompressed size, copies)]."""
    parts, records = [], []
    head = None
    for hdr, body, unpadded, usize, copies in blocks:
        head = head or hdr
        parts.append((body, copies))
        records += [(unpadded, usize)] * copies
    out_parts = [head]
    for body, copies in parts:
        out_parts.append(body * copies)
    if with_index:
        idx = bytearray(b"\0" + varint(len(records)))
        for unpadded, usize in records:
            idx += varint(unpadded) + varint(usize)
        idx += b"\0" * (-len(idx) % 4)
        idx += struct.pack("<I", binascii.crc32(idx))
        flags = head[6:8]
        tail = struct.pack("<I", len(idx) // 4 - 1) + flags
        out_parts += [bytes(idx), struct.pack("<I", binascii.crc32(tail)) + tail + b"YZ"]
    return b"".join(out_parts)


def repeated(first, rest, copies, with_index):
    """An xz file: block `first`, then block `rest` `copies` times."""
    h1, b1, u1 = one_block(first)
    h2, b2, u2 = one_block(rest)
    return xz_of_blocks([(h1, b1, u1, len(first), 1), (h2, b2, u2, len(rest), copies)],
                        with_index)


def write(name, data):
    path = os.path.join(out, name + ".tar.xz")
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.rename(path + ".tmp", path)


zeros = bytes(BLOCK)
COPIES = 511                                   # 512 blocks of 64 MiB: 32 GiB
total = BLOCK * (COPIES + 1)
first = header(b"zeros", size=total - 512 - 1024)
write("bomb", repeated(first + zeros[512:], zeros, COPIES, True))
write("bomb-noindex", repeated(first + zeros[512:], zeros, COPIES, False))
liar = header(b"small", size=1024) + b"x" * 1024
write("bomb-liar", repeated(liar + zeros[len(liar):], zeros, COPIES, False))

# 8192 headers a block (4 MiB), 1221 blocks: 10,002,432 members.
files = b"".join(header(b"f%02d" % (i % 16)) for i in range(8192))
write("entries", repeated(files, files, 1220, False))
root = header(b"./", "5", mode=0o755) * 8192
write("entries-root", repeated(root, root, 1220, False))

MIB = 1 << 20
end = bytes(1024)
name = b"d/" + b"n" * (MIB - 2)
write("longname-gnu", lzma.compress(
    header(b"././@LongLink", "L", size=len(name) + 1) + name + b"\0" +
    bytes(-(len(name) + 1) % 512) + header(b"short") + end))
rec = b"path=" + name + b"\n"
n = len(rec) + 8
rec = b"%d " % n + rec
assert len(rec) == n
write("longname-pax", lzma.compress(
    header(b"PaxHeaders/x", "x", size=len(rec)) + rec + bytes(-len(rec) % 512) +
    header(b"short") + end))
write("longlink-gnu", lzma.compress(
    header(b"././@LongLink", "K", size=len(name) + 1) + name + b"\0" +
    bytes(-(len(name) + 1) % 512) + header(b"link", "2", link=b"x") + end))
name5k = b"d/" + b"n" * 4998
rec = b"path=" + name5k + b"\n"
rec = b"%d " % (len(rec) + 5) + rec
write("longname-pax-5k", lzma.compress(
    header(b"PaxHeaders/x", "x", size=len(rec)) + rec + bytes(-len(rec) % 512) +
    header(b"short") + end))
rec = b"6 a=b\n0 comment=x\n"
write("pax-zero-length", lzma.compress(
    header(b"PaxHeaders/x", "x", size=len(rec)) + rec + bytes(-len(rec) % 512) +
    header(b"short") + end))

deep = b"/".join(b"%c" % (97 + i) * 249 for i in range(16))[:4000] + b"/"
member = (header(b"././@LongLink", "L", size=len(deep) + 1) + deep + b"\0" +
          bytes(-(len(deep) + 1) % 512) + header(b"x", "5", mode=0o755))
dirs = member * 1024                            # 5 MiB a block, 49 blocks
h1, b1, u1 = one_block(dirs)
h2, b2, u2 = one_block(end)
write("dirs-repeated", xz_of_blocks([(h1, b1, u1, len(dirs), 49), (h2, b2, u2, len(end), 1)]))
