#!/usr/bin/env python3
"""Write hostile archives for the extraction tests.

usage: mk-hostile.py OUTDIR VICTIM
       mk-hostile.py --verified OUT.tar.xz KHEADERS.tar.xz ENTRY VICTIM

VICTIM is an absolute directory outside any extraction target; every attack
aims at it, so a test only has to check that VICTIM stays as it was.  Each
archive is NAME.tar.xz in OUTDIR.  Real kernels never make such archives,
which is why they are made by hand here.
"""
import io
import lzma
import os
import sys
import subprocess
import tarfile
import zlib


def member(name, kind=tarfile.REGTYPE, data=b"", mode=0o644, link=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.linkname = link
    info.mtime = 1700000000
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, (io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def write(name, members, fmt=tarfile.GNU_FORMAT):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=fmt) as tar:
        for info, data in members:
            tar.addfile(info, data)
    with open(os.path.join(out, name + ".tar.xz"), "wb") as f:
        f.write(lzma.compress(raw.getvalue(), check=lzma.CHECK_CRC64))
    return raw.getvalue()


def ok_member():
    return member("ok.h", data=b"/* fine */\n")


def hardlink_to_replaced(target_rel, depth):
    """A regular file, the same name then replaced by a symlink that stays
    inside where it stands (depth directories down), then a hard link to
    that name at the top of the tree, where the same target leaves it."""
    dirs = "/".join("d%d" % i for i in range(depth))
    name = dirs + "/f"
    return [member(dirs + "/", tarfile.DIRTYPE, mode=0o755),
            member(name, data=b"plain\n"),
            member(name, tarfile.SYMTYPE, link=target_rel),
            member("evil", tarfile.LNKTYPE, link=name)]


def verified(out_path, kheaders, entry, victim, attack="link"):
    """The hard-link attack inside an archive whose utsrelease.h and
    compile.h are the genuine ones: verified at level fingerprint, it
    would go into the cache without --force.  The symlink aims, from the
    entry's top (ENTRY: where the cache puts it), at VICTIM/secret.
    With attack "none" the final hard link is left out: the control."""
    rel = os.path.relpath(os.path.join(victim, "secret"), entry)
    members = []
    with tarfile.open(kheaders, "r:xz") as src:
        for info in src.getmembers():
            if info.name.lstrip("./") in ("include/generated/utsrelease.h",
                                           "include/generated/compile.h"):
                members.append((info, io.BytesIO(src.extractfile(info).read())))
    assert len(members) == 2, "the genuine archive lacks utsrelease.h or compile.h"
    # include/ plus one level per "..": the symlink stays inside where it is.
    members += hardlink_to_replaced(rel, rel.count("..") + 1)
    if attack == "none":
        members.pop()
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, data)
    with open(out_path, "wb") as f:
        f.write(lzma.compress(raw.getvalue(), check=lzma.CHECK_CRC64))


if sys.argv[1] == "--verified":
    verified(*sys.argv[2:])
    sys.exit(0)

out, victim = sys.argv[1], sys.argv[2]
rel_victim = os.path.relpath(victim, os.path.join(out, "target"))


write("absolute", [ok_member(), member(victim + "/abs-pwned", data=b"x")])
write("dotdot", [ok_member(), member(rel_victim + "/dotdot-pwned", data=b"x")])
write("symlink-abs", [member("esc", tarfile.SYMTYPE, link=victim),
                      member("esc/symlink-pwned", data=b"x")])
write("symlink-rel", [member("esc", tarfile.SYMTYPE, link=rel_victim),
                      member("esc/symlink-pwned", data=b"x")])
# A link that stays inside is fine, but nothing is written through it.
write("symlink-through", [member("sub/", tarfile.DIRTYPE, mode=0o755),
                          member("in", tarfile.SYMTYPE, link="sub"),
                          member("in/through", data=b"x")])
write("hardlink-outside", [ok_member(), member("h", tarfile.LNKTYPE, link=victim + "/secret")])
write("hardlink-dotdot", [ok_member(), member("h", tarfile.LNKTYPE, link=rel_victim + "/secret")])
write("hardlink-unknown", [ok_member(), member("h", tarfile.LNKTYPE, link="never-seen.h")])
write("hardlink-good", [ok_member(), member("h", tarfile.LNKTYPE, link="ok.h")])
# A link to a name the archive wrote as a file and then replaced with a
# symlink valid where it stands (d0/f -> ../victim/secret stays inside);
# linked at the top as "evil", the same target leaves the tree.
write("hardlink-replaced", [ok_member()] +
      hardlink_to_replaced(os.path.join(rel_victim, "secret"), 1))
# A link to a link: the second name is as much a file the archive wrote.
write("hardlink-chain", [ok_member(), member("h", tarfile.LNKTYPE, link="ok.h"),
                         member("h2", tarfile.LNKTYPE, link="h")])
write("device", [member("dev-null", tarfile.CHRTYPE),
                 member("blk", tarfile.BLKTYPE),
                 member("fifo", tarfile.FIFOTYPE), ok_member()])
write("modes", [member("d/", tarfile.DIRTYPE, mode=0o1777),
                member("d/suid", data=b"#!/bin/sh\n", mode=0o4755),
                member("d/sgid", data=b"x", mode=0o2755),
                member("d/world", data=b"x", mode=0o666)])

# pax size far beyond the data that follows
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
    info, data = member("liar.h", data=b"short")
    info.pax_headers = {"size": "100000000"}
    tar.addfile(info, data)
with open(os.path.join(out, "paxsize.tar.xz"), "wb") as f:
    f.write(lzma.compress(raw.getvalue()))

# a sound archive cut in half, and plain garbage, with and without xz magic
big = write("whole", [member("f%03d.h" % i, data=os.urandom(2000)) for i in range(200)])
with open(os.path.join(out, "whole.tar.xz"), "rb") as f:
    whole = f.read()
with open(os.path.join(out, "truncated.tar.xz"), "wb") as f:
    f.write(whole[: len(whole) // 2])
with open(os.path.join(out, "garbage.tar.xz"), "wb") as f:
    f.write(os.urandom(65536))
with open(os.path.join(out, "garbage-xz.tar.xz"), "wb") as f:
    f.write(whole[:32] + os.urandom(65536))
# valid xz around something that is no tar
with open(os.path.join(out, "notar.tar.xz"), "wb") as f:
    f.write(lzma.compress(os.urandom(4096)))


# Many xz blocks whose index lies about one: the blocks are decoded in
# parallel as the index plans them, so the index must be checked against
# each block.  Block 3 of "index-lie" is recorded one byte short; the
# index's own CRC32 is right.
def vli(data, pos):
    value, shift = 0, 0
    while True:
        b = data[pos]
        value |= (b & 0x7F) << shift
        pos += 1
        shift += 7
        if not b & 0x80:
            return value, pos


def encode_vli(value):
    out = bytearray()
    while value >= 0x80:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def lie_in_index(xz, record, delta):
    backward = (int.from_bytes(xz[-8:-4], "little") + 1) * 4
    start = len(xz) - 12 - backward
    index = bytearray(xz[start:len(xz) - 12])
    count, pos = vli(index, 1)
    for i in range(count):
        unpadded, pos = vli(index, pos)
        at = pos
        size, pos = vli(index, pos)
        if i == record:
            new = encode_vli(size + delta)
            assert len(new) == pos - at, "the lie must keep the VLI's length"
            index[at:pos] = new
    index[-4:] = zlib.crc32(bytes(index[:-4])).to_bytes(4, "little")
    return xz[:start] + bytes(index) + xz[len(xz) - 12:]


blocks = subprocess.run(["xz", "-0", "-T1", "--block-size=65536", "-c"],
                        input=big, stdout=subprocess.PIPE, check=True).stdout
with open(os.path.join(out, "blocks.tar.xz"), "wb") as f:
    f.write(blocks)
with open(os.path.join(out, "index-lie.tar.xz"), "wb") as f:
    f.write(lie_in_index(blocks, 2, -1))


# The xz container rule (xz(1)'s): one or more streams, each followed by
# stream padding, zero bytes in a multiple of four; anything else after a
# stream is corrupt.  Each case comes as one block (the stream decoder,
# inline or a thread ahead) and as 64 KiB blocks (the block workers).
def xz_one(data, check=lzma.CHECK_CRC64):
    return lzma.compress(data, check=check)


def xz_blocks(data, check="crc64"):
    return subprocess.run(["xz", "-0", "-T1", "--block-size=65536", "--check=" + check,
                           "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout


def put(name, data):
    with open(os.path.join(out, name + ".tar.xz"), "wb") as f:
        f.write(data)


# A tar split at a member boundary into two streams: xz -dc | tar x reads
# all 200 members; a reader stopping after the first stream sees a tar
# without end marker and 100 members.
with tarfile.open(fileobj=io.BytesIO(big)) as tar:
    cut = tar.getmembers()[100].offset
for how, xz in (("one", xz_one), ("blocks", xz_blocks)):
    put("concat-" + how, xz(big[:cut]) + xz(big[cut:]))
    put("concat-padded-" + how, xz(big[:cut]) + b"\0" * 8 + xz(big[cut:]) + b"\0" * 4)
    put("garbage-after-" + how, xz(big) + b"garbage!")
    put("badpad-after-" + how, xz(big) + b"\0" * 3)
    put("stream-after-garbage-" + how, xz(big[:cut]) + b"\1\0\0\0" + xz(big[cut:]))


# A check ID liblzma cannot verify: a CRC32 stream (check ID 1, 4 bytes)
# relabelled 2 or 3 (reserved, also 4 bytes), the stream header's and
# footer's CRC32 made right again; nothing else changes size.
def relabel_check(xz, check_id):
    xz = bytearray(xz)
    assert xz[7] == 1, "a CRC32 stream"
    xz[7] = check_id
    xz[8:12] = zlib.crc32(bytes(xz[6:8])).to_bytes(4, "little")
    assert xz[-3] == 1
    xz[-3] = check_id
    xz[-12:-8] = zlib.crc32(bytes(xz[-8:-2])).to_bytes(4, "little")
    return bytes(xz)


put("check-reserved-one", relabel_check(xz_one(big, lzma.CHECK_CRC32), 2))
put("check-reserved-blocks", relabel_check(xz_blocks(big, "crc32"), 3))


# A member of an unknown type ('Z', read as a file by GNU tar) whose size
# with its padding reaches 2^64 (2^64 - 16, padded by 16): summed in 64
# bits it wraps to 0, and the header inside its data came next.  Once as a
# GNU base-256 size field, once as a pax size record.
def blocks_of(name, data, fmt=tarfile.GNU_FORMAT):
    info, _ = member(name, data=data)
    return info.tobuf(fmt) + data + b"\0" * (-len(data) % 512)


def smuggling(size_field=None, pax_size=None):
    info = tarfile.TarInfo("huge")
    info.type = b"Z"
    info.size = 0
    info.mtime = 1700000000
    if pax_size:
        info.pax_headers = {"size": str(pax_size)}
        hdr = bytearray(info.tobuf(tarfile.PAX_FORMAT))
    else:
        hdr = bytearray(info.tobuf(tarfile.GNU_FORMAT))
        hdr[124:136] = size_field
        hdr[148:156] = b" " * 8
        hdr[148:155] = ("%06o\0" % sum(hdr[:512])).encode()
    return (blocks_of("ok.h", b"/* fine */\n") + bytes(hdr) +
            blocks_of("smuggled.h", b"gotcha\n") + b"\0" * 1024)


huge = (1 << 64) - 16
put("size-base256-huge", xz_one(smuggling(size_field=b"\x80" + huge.to_bytes(11, "big"))))
put("size-pax-huge", xz_one(smuggling(pax_size=huge)))
