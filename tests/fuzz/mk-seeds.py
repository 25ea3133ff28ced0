#!/usr/bin/env python3
"""Write the seed corpora of the fuzz targets: OUTDIR/<target>/<name>.

usage: mk-seeds.py OUTDIR ARTEFACTS_DIR|- DEBIAN_KERNEL_DIR|-

Seeds come from the genuine artefacts when they are there (the kheaders
archive and module kbuild made, Debian's vmlinux notes), cut down so that
each run of a target stays fast, plus small hand-made cases for each header
flavour, byte order and word size.  Nothing here is committed: the corpora
are rebuilt on every run.
"""
import gzip
import io
import lzma
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile

out, art, deb = sys.argv[1], sys.argv[2], sys.argv[3]
art = None if art == "-" else art
deb = None if deb == "-" else deb
tmp = tempfile.mkdtemp(prefix="khdr-seeds.")

# The fake running kernel of tests/fuzz/fuzz.h.
REL = "6.1.0-khdr-test"
BID = bytes((0x11 * i) & 0xff for i in range(20))
BID_HEX = BID.hex()
BY, HOST = "root", "localhost"
CC = "gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40"


def seed(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def slurp(path):
    with open(path, "rb") as f:
        return f.read()


# ---- tar -------------------------------------------------------------------

def member(name, kind=tarfile.REGTYPE, data=b"", mode=0o644, link="",
           mtime=1700000000, pax=None):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.linkname = link
    info.mtime = mtime
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    if pax:
        info.pax_headers = pax
    return info, (io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def tar_of(members, fmt=tarfile.GNU_FORMAT):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=fmt) as tar:
        for info, data in members:
            tar.addfile(info, data)
    return raw.getvalue()


def manifest(build_id=BID_HEX, release=REL, kbuild="yes"):
    return ("format=1\nrelease=%s\narch=x86_64\nbuild_id=%s\nkbuild=%s\n"
            "uts_version=#1 SMP PREEMPT_DYNAMIC\ntrimmed=no\nfiles=3\n"
            "bytes=100\ncreated_by=khdr-cache mkarchive 0.1.0\n"
            % (release, build_id, kbuild)).encode()


def utsrelease(release=REL):
    return ('#define UTS_RELEASE "%s"\n' % release).encode()


def compile_h(by=BY, host=HOST, cc=CC):
    return ('#define UTS_MACHINE\t\t"x86_64"\n#define LINUX_COMPILE_BY\t"%s"\n'
            '#define LINUX_COMPILE_HOST\t"%s"\n#define LINUX_COMPILER\t\t"%s"\n'
            % (by, host, cc)).encode()


def kernel_tree(first_manifest=True, **kw):
    m = []
    if first_manifest:
        m.append(member("khdr-manifest", data=manifest(**{k: v for k, v in kw.items()
                                                          if k in ("build_id", "release")})))
    m += [member("./", tarfile.DIRTYPE, mode=0o755),
          member("./include/", tarfile.DIRTYPE, mode=0o755),
          member("./include/generated/", tarfile.DIRTYPE, mode=0o755),
          member("./include/generated/utsrelease.h",
                 data=utsrelease(kw.get("release", REL))),
          member("./include/generated/compile.h", data=compile_h()),
          member("./include/linux/", tarfile.DIRTYPE, mode=0o755),
          member("./include/linux/types.h", data=b"#ifndef _LINUX_TYPES_H\n#endif\n"),
          member("./include/linux/t.h", tarfile.LNKTYPE, link="./include/linux/types.h"),
          member("./include/asm", tarfile.SYMTYPE, link="linux")]
    return m


hand_tars = {
    "kernel-manifest": tar_of(kernel_tree()),
    "kernel-fingerprint": tar_of(kernel_tree(first_manifest=False)),
    "kernel-mismatch": tar_of(kernel_tree(build_id="00" * 20, release="9.9.9")),
    "ustar": tar_of([member("a/b/c.h", data=b"int x;\n"),
                     member("a/" + "p" * 90 + "/" + "q" * 60 + ".h", data=b"y")],
                    tarfile.USTAR_FORMAT),
    "gnu-longname": tar_of([member("d/" + "n" * 300 + ".h", data=b"z" * 700),
                            member("l" * 200, tarfile.SYMTYPE, link="t" * 250)]),
    "pax": tar_of([member("p.h", data=b"pax data\n",
                          pax={"path": "x/" + "v" * 200 + ".h", "mtime": "1700000000.5",
                               "comment": "hello"}),
                   member("s", tarfile.SYMTYPE, link="x",
                          pax={"linkpath": "y" * 150}),
                   member("big", data=b"q" * 1000, pax={"size": "1000"})],
                  tarfile.PAX_FORMAT),
    "base256": tar_of([member("neg-mtime.h", data=b"n", mtime=-1000),
                       member("huge-mtime.h", data=b"h", mtime=8 ** 12 + 5)]),
    "kinds": tar_of([member("dev", tarfile.CHRTYPE), member("blk", tarfile.BLKTYPE),
                     member("fifo", tarfile.FIFOTYPE), member("d/", tarfile.DIRTYPE),
                     member("d/f", data=b"f"), member("d/h", tarfile.LNKTYPE, link="d/f"),
                     member("cont", tarfile.CONTTYPE)]),
    "hostile": tar_of([member("/abs", data=b"x"), member("../up", data=b"x"),
                       member("a/../../b", data=b"x"), member("s", tarfile.SYMTYPE, link="/etc"),
                       member("s/w", data=b"x"), member("./", tarfile.DIRTYPE)]),
    "empty": b"\0" * 1024,
    "one-zero-block": b"\0" * 512,
}
# pax global header, then a member
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT,
                  pax_headers={"comment": "global"}) as t:
    info, data = member("g.h", data=b"g")
    t.addfile(info, data)
hand_tars["pax-global"] = raw.getvalue()

genuine_tar = None
if art and os.path.exists(os.path.join(art, "kheaders.tar.xz")):
    genuine_tar = lzma.decompress(slurp(os.path.join(art, "kheaders.tar.xz")))
    # The first members, cut at a member boundary, and the last ones.
    with tarfile.open(fileobj=io.BytesIO(genuine_tar)) as t:
        ms = t.getmembers()
    cut = ms[min(60, len(ms) - 1)].offset
    hand_tars["genuine-head"] = genuine_tar[:cut] + b"\0" * 1024
    tail = ms[-20].offset
    hand_tars["genuine-tail"] = genuine_tar[tail:]
    # the genuine first members behind a manifest for the fake kernel
    m = tar_of([member("khdr-manifest", data=manifest())])
    with tarfile.open(fileobj=io.BytesIO(m)) as t:
        end = t.getmembers()[0].offset_data + 512 * ((len(manifest()) + 511) // 512)
    hand_tars["genuine-head-manifest"] = m[:end] + genuine_tar[:cut] + b"\0" * 1024

for name, data in hand_tars.items():
    if len(data) < 64 << 10:               # the extractor writes them: keep it quick
        seed("extract", name, b"\x00" + data)
        seed("extract", name + ".walk", b"\x45" + data)   # chunked, O_NOFOLLOW walk
    seed("tar", name, b"\x00" + data)      # whole input at once, data skipped
    seed("tar", name + ".chunked", b"\x47" + data)   # small chunks, streamed data
    seed("tar", name + ".buffered", b"\x8d" + data)  # odd chunks, read_all

# ---- differential tar (fuzz-difftar: our reader against libarchive's) --------

def gnu_header(name, flag, size, extra=b"", magic=b"ustar  \0", link=b""):
    """A raw GNU header block; extra is written from offset 345 (GNU fields)."""
    h = bytearray(512)
    h[0:len(name)] = name
    h[157:157 + len(link)] = link
    h[100:108] = b"0000644\0"
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = b"%011o\0" % size
    h[136:148] = b"%011o\0" % 1700000000
    h[156] = ord(flag)
    h[257:265] = magic
    h[345:345 + len(extra)] = extra
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)


def pax_block(records):
    return (gnu_header(b"PaxHeaders/x", "x", len(records), magic=b"ustar\x0000")
            + records.ljust((len(records) + 511) // 512 * 512, b"\0"))


def sparse_entries(pairs):
    return b"".join(b"%011o\0%011o\0" % p for p in pairs)


def old_gnu_sparse():
    """An old GNU sparse member ('S') whose map goes on in an extension block."""
    pairs = [(i * 1024, 512) for i in range(6)]
    extra = bytearray(512 - 345)
    extra[386 - 345:386 - 345 + 96] = sparse_entries(pairs[:4])
    extra[482 - 345] = 1                                  # isextended
    extra[483 - 345:495 - 345] = b"%011o\0" % (6 * 1024)  # realsize
    h = gnu_header(b"sparse.h", "S", 6 * 512, bytes(extra))
    ext = bytearray(512)
    ext[0:48] = sparse_entries(pairs[4:])
    data = b"".join(bytes([65 + i]) * 512 for i in range(6))
    return h + bytes(ext) + data + tar_of([member("after.h", data=b"after\n")])


def pax_sparse(major, minor):
    pax = {"GNU.sparse.major": str(major), "GNU.sparse.minor": str(minor),
           "GNU.sparse.name": "real.h", "GNU.sparse.realsize": "4096"}
    body = b"1\n0\n512\n".ljust(512, b"\0") + b"s" * 512 if major == 1 else b"s" * 512
    if major == 0:
        pax.update({"GNU.sparse.numblocks": "1", "GNU.sparse.offset": "0",
                    "GNU.sparse.numbytes": "512", "GNU.sparse.size": "4096"})
    return tar_of([member("GNUSparseFile.0/real.h", data=body, pax=pax),
                   member("after.h", data=b"after\n")], tarfile.PAX_FORMAT)


diff_tars = {
    "old-gnu-sparse": old_gnu_sparse(),
    "pax-sparse-0.1": pax_sparse(0, 1),
    "pax-sparse-1.0": pax_sparse(1, 0),
    # a hard link with a size in a pax archive, its "data" a tar header
    "pax-hardlink-data": pax_block(b"10 path=l\n")
    + gnu_header(b"l", "1", 512, magic=b"ustar\x0000", link=b"f")
    + gnu_header(b"hidden.h", "0", 0, magic=b"ustar\x0000")
    + tar_of([member("after.h", data=b"a")]),
    # Sun's 'X' extended header, GNU's 'V' volume label, an unknown type
    "sun-X": gnu_header(b"././@PaxHeader", "X", 19, magic=b"ustar\x0000")
    + b"19 path=from-sun-x\n".ljust(512, b"\0")
    + tar_of([member("plain.h", data=b"p")]),
    "gnu-volume": gnu_header(b"vol-label", "V", 0) + tar_of([member("v.h", data=b"v")]),
    "unknown-type": gnu_header(b"odd", "Z", 3) + b"abc".ljust(512, b"\0")
    + tar_of([member("z.h", data=b"z")]),
    "file-with-slash": gnu_header(b"dir-as-file/", "0", 0) + tar_of([member("s.h", data=b"s")]),
    "longname-and-pax": tar_of([member("n" * 120, data=b"q", pax={"path": "pax-name"})],
                               tarfile.GNU_FORMAT),
}
for name, data in list(hand_tars.items()) + list(diff_tars.items()):
    seed("difftar", name, b"\x00" + data)
    seed("difftar", name + ".chunked", b"\x47" + data)

# ---- xz -> tar -------------------------------------------------------------

def xz(data, check=lzma.CHECK_CRC64, preset=0, filters=None):
    if filters:
        return lzma.compress(data, check=check, filters=filters)
    return lzma.compress(data, check=check, preset=preset)


for name in ("kernel-manifest", "kernel-fingerprint", "kernel-mismatch", "pax",
             "gnu-longname", "kinds", "hostile", "base256", "empty", "ustar"):
    seed("unpack", name + ".tar.xz", xz(hand_tars[name]))
seed("unpack", "kernel-manifest.crc32.tar.xz", xz(hand_tars["kernel-manifest"], lzma.CHECK_CRC32))
seed("unpack", "kernel-manifest.sha256.tar.xz", xz(hand_tars["kernel-manifest"], lzma.CHECK_SHA256))
seed("unpack", "kernel-manifest.none.tar.xz", xz(hand_tars["kernel-manifest"], lzma.CHECK_NONE))
seed("unpack", "kernel-manifest.padded.tar.xz", xz(hand_tars["kernel-manifest"]) + b"\0" * 8)
seed("unpack", "kernel-manifest.concat.tar.xz",
     xz(hand_tars["kernel-manifest"]) + xz(hand_tars["empty"]))
seed("unpack", "kernel-manifest.truncated.tar.xz", xz(hand_tars["kernel-manifest"])[:-40])
seed("unpack", "kernel-manifest.bcj.tar.xz",
     xz(hand_tars["kernel-manifest"], filters=[{"id": lzma.FILTER_X86},
                                               {"id": lzma.FILTER_LZMA2, "preset": 0}]))
seed("unpack", "kernel-manifest.delta.tar.xz",
     xz(hand_tars["kernel-manifest"], filters=[{"id": lzma.FILTER_DELTA, "dist": 4},
                                               {"id": lzma.FILTER_LZMA2, "preset": 0}]))
# trailing zeros after the end marker: drained up to the cap
seed("unpack", "zeros-after-end.tar.xz", xz(hand_tars["kernel-fingerprint"] + b"\0" * (1 << 20)))
if genuine_tar is not None:
    seed("unpack", "genuine-head.tar.xz", xz(hand_tars["genuine-head"], preset=6))
    seed("unpack", "genuine-head-manifest.tar.xz", xz(hand_tars["genuine-head-manifest"]))
    seed("unpack", "genuine-tail.tar.xz", xz(hand_tars["genuine-tail"]))
    # multi-block, as xz -T writes it (blocks of 64 KiB)
    blocks = subprocess.run(["xz", "-0", "-T1", "--block-size=65536", "-c"],
                            input=hand_tars["genuine-head"], capture_output=True,
                            check=True).stdout
    seed("unpack", "genuine-head.blocks.tar.xz", blocks)

# ---- differential xz (fuzz-diffxz: our decoders against liblzma's) ----------
# Its length picks the decoding path ((size >> 2) & 3): each case is written
# at four lengths, 0, 4, 8 and 12 zero bytes longer (stream padding, valid
# after a stream; after garbage or a truncated stream it changes nothing).

def set_check(stream, check_id):
    """The same xz stream with another check ID in its header and footer."""
    b = bytearray(stream)
    b[7] = check_id
    b[8:12] = struct.pack("<I", zlib_crc32(bytes(b[6:8])))
    b[-3] = check_id
    b[-12:-8] = struct.pack("<I", zlib_crc32(bytes(b[-8:-2])))
    return bytes(b)


def zlib_crc32(data):
    import zlib
    return zlib.crc32(data) & 0xffffffff


def diffxz(name, data):
    seed("diffxz", name, data)


small = hand_tars["kernel-manifest"]
one = xz(small)
two = xz(hand_tars["pax"])
xz_cases = {
    "one": one,
    "concat": one + two,
    "concat-padded": one + b"\0" * 4 + two + b"\0" * 8,
    "padded-4": one + b"\0" * 4,
    "padded-12": one + b"\0" * 12,
    "padding-3": one + b"\0" * 3,
    "padding-5": one + b"\0" * 5,
    "garbage-after": one + b"garbage!",
    "garbage-after-padding": one + b"\0" * 4 + b"\x01\x02\x03\x04",
    "second-truncated": one + two[:-7],
    "second-bad-magic": one + b"\xfd7zXY\0" + two[6:],
    "empty-stream-concat": xz(b"") + one,
    "crc32-then-sha256": xz(small, lzma.CHECK_CRC32) + xz(small, lzma.CHECK_SHA256),
    "check-none": xz(small, lzma.CHECK_NONE),
    "check-reserved-0x0b": set_check(xz(small, lzma.CHECK_SHA256), 0x0b),
    "check-reserved-0x05": set_check(xz(small, lzma.CHECK_CRC64), 0x05),
    "truncated": one[:-40],
    "bcj": xz(small, filters=[{"id": lzma.FILTER_X86}, {"id": lzma.FILTER_LZMA2, "preset": 0}]),
}
if genuine_tar is not None:
    blocks = subprocess.run(["xz", "-0", "-T1", "--block-size=65536", "-c"],
                            input=hand_tars["genuine-head"], capture_output=True,
                            check=True).stdout
    xz_cases["blocks"] = blocks
    xz_cases["blocks-concat"] = blocks + one
    xz_cases["blocks-padded"] = blocks + b"\0" * 8
    xz_cases["blocks-garbage"] = blocks + b"\x07" * 8
    mid = len(blocks) * 3 // 4     # inside a later block
    xz_cases["blocks-corrupt-later-block"] = blocks[:mid] + bytes([blocks[mid] ^ 1]) + blocks[mid + 1:]
for name, data in xz_cases.items():
    for k in range(4):
        diffxz("%s.path%d" % (name, ((len(data) >> 2) + k) & 3), data + b"\0" * (4 * k))

# the same inputs for the thread-less pipeline, and compressed modules
for name in os.listdir(os.path.join(out, "unpack")):
    seed("xztar", name, slurp(os.path.join(out, "unpack", name)))
seed("xztar", "kernel-manifest.tar.gz", gzip.compress(hand_tars["kernel-manifest"], mtime=0))
try:
    seed("xztar", "kernel-manifest.tar.zst",
         subprocess.run(["zstd", "-q", "-c"], input=hand_tars["kernel-manifest"],
                        capture_output=True, check=True).stdout)
except (OSError, subprocess.CalledProcessError):
    pass

# ---- ELF -------------------------------------------------------------------

def run(*cmd, **kw):
    subprocess.run(cmd, check=True, cwd=tmp, **kw)


def swap_elf(data):
    """The same ELF file in the other byte order (headers, symbols, notes, relocations)."""
    b = bytearray(data)
    is64 = b[4] == 2
    src = "<" if b[5] == 1 else ">"
    dst = ">" if src == "<" else "<"
    b[5] = 2 if b[5] == 1 else 1

    def sw(fmt, off):
        vals = struct.unpack_from(src + fmt, b, off)
        struct.pack_into(dst + fmt, b, off, *vals)
        return vals

    ehdr = "HHIQQQIHHHHHH" if is64 else "HHIIIIIHHHHHH"
    (_, _, _, _, phoff, shoff, _, _, phentsize, phnum, shentsize, shnum, _) = \
        struct.unpack_from(src + ehdr, b, 16)
    phfmt = "IIQQQQQQ" if is64 else "IIIIIIII"
    shfmt = "IIQQQQIIQQ" if is64 else "IIIIIIIIII"
    notes = []
    for i in range(phnum):
        v = sw(phfmt, phoff + i * phentsize)
        if v[0] == 4:
            notes.append((v[2], v[5]) if is64 else (v[1], v[4]))
    for i in range(shnum):
        v = sw(shfmt, shoff + i * shentsize)
        typ, off, size = v[1], (v[4] if is64 else v[4]), v[5]
        if typ == 2:      # SHT_SYMTAB
            ent = 24 if is64 else 16
            for o in range(off, off + size - ent + 1, ent):
                sw("IBBHQQ" if is64 else "IIIBBH", o)
        elif typ == 4:    # SHT_RELA
            ent = 24 if is64 else 12
            for o in range(off, off + size - ent + 1, ent):
                sw("QQq" if is64 else "IIi", o)
        elif typ == 7:    # SHT_NOTE
            notes.append((off, size))
    done = set()
    for off, size in notes:
        if off in done:
            continue
        done.add(off)
        o, end = off, off + size
        while o + 12 <= end:
            namesz, descsz, _ = sw("III", o)
            o += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
    struct.pack_into(dst + ehdr, b, 16, *struct.unpack_from(src + ehdr, b, 16))
    return bytes(b)


def shrink_module(ko, archive):
    """kbuild's kheaders.ko with the embedded archive replaced by a small one."""
    b = bytearray(ko)
    (shoff,) = struct.unpack_from("<Q", b, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", b, 0x3a)
    sh = [list(struct.unpack_from("<IIQQQQIIQQ", b, shoff + i * shentsize)) for i in range(shnum)]
    symtab = next(s for s in sh if s[1] == 2)
    strtab = sh[symtab[6]]

    def sym_name(o):
        s = strtab[4] + o
        return bytes(b[s:b.index(0, s)]).decode()

    syms = {}
    for o in range(symtab[4], symtab[4] + symtab[5], 24):
        name, info, other, shndx, value, size = struct.unpack_from("<IBBHQQ", b, o)
        syms[sym_name(name)] = (o, shndx, value)
    _, idx, start = syms["kernel_headers_data"]
    end_off, _, _ = syms["kernel_headers_data_end"]
    sec = sh[idx]
    old_off, old_size = sec[4], sec[5]
    new = archive + b"\0" * ((old_size - len(archive)) % 64)
    delta = len(new) - old_size
    head, tail = bytes(b[:old_off]), bytes(b[old_off + old_size:])
    nb = bytearray(head + new + tail)
    struct.pack_into("<Q", nb, end_off + delta * (end_off > old_off) + 8,
                     start + len(archive))
    for i, s in enumerate(sh):
        if s[4] > old_off:
            s[4] += delta
        if i == idx:
            s[5] = len(new)
    shoff += delta if shoff > old_off else 0
    struct.pack_into("<Q", nb, 0x28, shoff)
    for i, s in enumerate(sh):
        struct.pack_into("<IIQQQQIIQQ", nb, shoff + i * shentsize, *s)
    return bytes(nb)


small_archive = xz(hand_tars["kernel-manifest"])
kos = {}
if art and os.path.exists(os.path.join(art, "kheaders.ko")):
    kos["genuine-small"] = shrink_module(slurp(os.path.join(art, "kheaders.ko")), small_archive)
# A module built the way kernel/kheaders_data.S embeds the archive.
with open(os.path.join(tmp, "a.tar.xz"), "wb") as f:
    f.write(small_archive)
with open(os.path.join(tmp, "m.S"), "w") as f:
    f.write('.section .rodata,"a"\n.global kernel_headers_data\nkernel_headers_data:\n'
            '.incbin "a.tar.xz"\n.global kernel_headers_data_end\nkernel_headers_data_end:\n'
            '.section .modinfo,"a"\n.asciz "license=GPL v2"\n'
            '.asciz "vermagic=%s SMP preempt mod_unload modversions "\n'
            '.asciz "name=kheaders"\n.section .note.GNU-stack,"",@progbits\n' % REL)
run("gcc", "-c", "-Wl,--build-id", "m.S", "-o", "m.o")
kos["handmade"] = slurp(os.path.join(tmp, "m.o"))
for name in list(kos):
    with open(os.path.join(tmp, name + ".ko"), "wb") as f:
        f.write(kos[name])
    try:
        run("objcopy", "-O", "elf32-i386", name + ".ko", name + ".32.ko",
            stderr=subprocess.DEVNULL)
        kos[name + ".32"] = slurp(os.path.join(tmp, name + ".32.ko"))
    except subprocess.CalledProcessError:
        pass
for name in list(kos):
    kos[name + ".be"] = swap_elf(kos[name])
for name, data in kos.items():
    seed("elf", name + ".ko", data)

# vmlinux: an executable whose PT_NOTE holds the kernel's notes.
if deb and os.path.exists(os.path.join(deb, "notes")):
    notes = slurp(os.path.join(deb, "notes"))
else:
    def note(owner, typ, desc):
        o = owner.encode() + b"\0"
        return (struct.pack("<III", len(o), len(desc), typ) + o + b"\0" * (-len(o) % 4)
                + desc + b"\0" * (-len(desc) % 4))
    notes = note("Xen", 3, b"xen-3.0\0") + note("GNU", 3, BID) + note("Linux", 0x100, b"\1\0\0\0")
seed("notes", "kernel-notes", notes)
with open(os.path.join(tmp, "notes"), "wb") as f:
    f.write(notes)
with open(os.path.join(tmp, "v.S"), "w") as f:
    f.write('.text\n.global _start\n_start:\nret\n'
            '.section .notes,"a",@note\n.incbin "notes"\n')
run("gcc", "-nostdlib", "-static", "-Wl,--build-id=none", "v.S", "-o", "vmlinux")
vmlinux = slurp(os.path.join(tmp, "vmlinux"))
run("gcc", "-nostdlib", "-static", "-Wl,--build-id=sha1", "v.S", "-o", "vmlinux-gnu")
elfs = {"vmlinux": vmlinux, "vmlinux-buildid": slurp(os.path.join(tmp, "vmlinux-gnu"))}
try:   # an i386 kernel image: ELF32, program headers right after a 52-byte header
    run("as", "--32", "v.S", "-o", "v32.o")
    run("ld", "-m", "elf_i386", "-static", "--build-id=none", "v32.o", "-o", "vmlinux32")
    elfs["vmlinux.32"] = slurp(os.path.join(tmp, "vmlinux32"))
except (OSError, subprocess.CalledProcessError):
    pass
for name in list(elfs):
    elfs[name + ".be"] = swap_elf(elfs[name])
for name, data in elfs.items():
    seed("elf", name, data)
seed("elf", "raw-notes", notes)


def bzimage(payload):
    setup = bytearray(2 * 512)
    setup[0x1f1] = 1
    setup[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", setup, 0x206, 0x20f)
    struct.pack_into("<II", setup, 0x248, 0, len(payload))
    return bytes(setup) + payload + b"\0" * 16


seed("elf", "bzImage.xz", bzimage(lzma.compress(vmlinux, check=lzma.CHECK_CRC32)))
seed("elf", "bzImage.gz", bzimage(gzip.compress(vmlinux, mtime=0)))
try:
    zst = subprocess.run(["zstd", "-q", "-c"], input=vmlinux, capture_output=True,
                         check=True).stdout
    seed("elf", "bzImage.zst", bzimage(zst))
except (OSError, subprocess.CalledProcessError):
    pass

# ---- notes -----------------------------------------------------------------

def be_notes(data):
    o, outb = 0, bytearray(data)
    while o + 12 <= len(data):
        namesz, descsz, typ = struct.unpack_from("<III", data, o)
        struct.pack_into(">III", outb, o, namesz, descsz, typ)
        o += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
    return bytes(outb)


def note8(owner, typ, desc):
    o = owner.encode() + b"\0"
    return (struct.pack("<III", len(o), len(desc), typ) + o + b"\0" * (-(12 + len(o)) % 8)
            + desc + b"\0" * (-len(desc) % 8))


seed("notes", "kernel-notes.be", be_notes(notes))
seed("notes", "align8", note8("GNU", 3, BID))
seed("notes", "empty-name", struct.pack("<III", 0, 4, 3) + b"abcd")
seed("notes", "hex", BID_HEX.encode())
seed("notes", "hex-odd", b"abc")

# ---- key=value, headers, /proc/version --------------------------------------

seed("kv", "manifest", manifest())
seed("kv", "manifest-nobuildid", manifest(build_id=""))
seed("kv", "stamp", ("format=1\nkey=%s@%s\nrelease=%s\nbuild_id=%s\nverified=build-id\n"
                     "source=argument\nsource_path=/tmp/a.tar.xz\narchive_size=4017824\n"
                     "archive_crc64=28630aed73341744\nkbuild=yes\nmakefile=kbuild\n"
                     "members=6691\nfiles=6368\ndirs=319\nlinks=3\nbytes=26460625\n"
                     "tool_version=0.1.0\ncreated=1795632757\n"
                     % (REL, BID_HEX, REL, BID_HEX)).encode())
seed("kv", "comments", b"# c\n\nformat=1\n#x=y\nkey=\n=bad\n")
seed("kv", "utsrelease.h", utsrelease())
seed("kv", "compile.h", compile_h())
seed("kv", "proc-version", ("Linux version %s (%s@%s) (%s) #1 SMP PREEMPT_DYNAMIC "
                            "Debian 6.1.192-2 (2025-01-01)\n" % (REL, BY, HOST, CC)).encode())
if art and os.path.exists(os.path.join(art, "compile.h")):
    seed("kv", "genuine-compile.h", slurp(os.path.join(art, "compile.h")))
seed("kv", "kit", b"format=1\nversion=6.1.192\nversion_code=393664\nsrcarch=x86\n"
     b"origin=linux-source-6.1 6.1.192-3\nfiles=3\n\nMakefile\nscripts/Makefile.build\n"
     b"arch/x86/Makefile\n")
seed("kv", "kit-version.h", b"#define LINUX_VERSION_CODE 393664\n"
     b"#define KERNEL_VERSION(a,b,c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))\n")

# ---- /etc/khdr-cache.conf --------------------------------------------------

seed("conf", "full", b"# khdr-cache.conf\ncache_dir = /var/cache/khdr\nkeep=3\n"
     b"cache_device = LABEL=cache\nverify=strict\nload_module = no\n")
seed("conf", "blanks", b"\n\t \n  # only comments\r\n")
seed("conf", "bad", b"cache_dir=/var/../etc\nkeep=0\n")
seed("conf", "unknown", b"colour=blue\n")
seed("conf", "crlf", b"keep=5\r\nverify=default\r\nload_module=on\r\n")

# ---- export tables (fuzz-ksymtab) ------------------------------------------

def module_with_exports(syms, be=False, gpl=False):
    """An ET_REL ELF64 module exporting syms [(name, ns, crc)] as 6.1 does:
    __ksymtab entries whose name and namespace fields are R_X86_64_PC32
    relocations against __kstrtab_/__kstrtabns_ symbols in __ksymtab_strings."""
    e = ">" if be else "<"
    strings, symoff = b"", []
    for name, ns, _ in syms:
        symoff.append((len(strings), len(strings) + len(name) + 1))
        strings += name.encode() + b"\0" + ns.encode() + b"\0"
    strtab, symtab = b"\0", struct.pack(e + "IBBHQQ", 0, 0, 0, 0, 0, 0)
    def add_sym(name, shndx, value):
        nonlocal strtab, symtab
        symtab += struct.pack(e + "IBBHQQ", len(strtab), 0, 0, shndx, value, 0)
        strtab += name.encode() + b"\0"
        return len(symtab) // 24 - 1
    # section indices: 1 tab, 2 rela, 3 crc, 4 strings, 5 symtab, 6 strtab, 7 shstrtab
    tab, rela = b"", b""
    crc = b"".join(struct.pack(e + "I", c) for _, _, c in syms)
    for i, (name, ns, _) in enumerate(syms):
        tab += b"\0" * 12
        n = add_sym("__kstrtab_" + name, 4, symoff[i][0])
        s = add_sym("__kstrtabns_" + name, 4, symoff[i][1])
        rela += struct.pack(e + "QQq", 12 * i + 4, n << 32 | 2, 0)
        rela += struct.pack(e + "QQq", 12 * i + 8, s << 32 | 2, 0)
    names = ["", "__ksymtab_gpl" if gpl else "__ksymtab",
             ".rela__ksymtab_gpl" if gpl else ".rela__ksymtab",
             "__kcrctab_gpl" if gpl else "__kcrctab", "__ksymtab_strings",
             ".symtab", ".strtab", ".shstrtab"]
    shstr, noff = b"", []
    for n in names:
        noff.append(len(shstr))
        shstr += n.encode() + b"\0"
    bodies = [b"", tab, rela, crc, strings, symtab, strtab, shstr]
    types = [0, 1, 4, 1, 1, 2, 3, 3]
    data, offs = b"", []
    for body in bodies:
        offs.append(64 + len(data))
        data += body + b"\0" * (-len(body) % 8)
    shoff = 64 + len(data)
    hdr = b"\x7fELF" + bytes([2, 2 if be else 1, 1]) + b"\0" * 9
    hdr += struct.pack(e + "HHIQQQIHHHHHH", 1, 62, 1, 0, 0, shoff, 0, 64, 0, 0, 64, len(names), 7)
    sh = b""
    for i, body in enumerate(bodies):
        link = {2: 5, 5: 6}.get(i, 0)
        info = {2: 1, 5: 1}.get(i, 0)
        ent = {2: 24, 5: 24}.get(i, 0)
        sh += struct.pack(e + "IIQQQQIIQQ", noff[i], types[i], 0, 0, offs[i] if i else 0,
                          len(body), link, info, 8, ent)
    return hdr + data + sh

def image_tables(syms, be=False, crcs=True):
    """fuzz-ksymtab's image layout: resolved PREL32 fields into the strings."""
    e = ">" if be else "<"
    n = len(syms)
    strings, where = b"", []
    for name, ns, _ in syms:
        where.append((len(strings), len(strings) + len(name) + 1 if ns else None))
        strings += name.encode() + b"\0" + (ns.encode() + b"\0" if ns else b"")
    tab_len, crc_len = 12 * n, 4 * n if crcs else 0
    start = 5 + tab_len + crc_len       # offset of the strings in the input
    tab = b""
    for i, (name_off, ns_off) in enumerate(where):
        field = 5 + 12 * i
        tab += struct.pack(e + "iii", 0, start + name_off - (field + 4),
                           start + ns_off - (field + 8) if ns_off is not None else 0)
    crc = b"".join(struct.pack(e + "I", c) for _, _, c in syms) if crcs else b""
    head = struct.pack("<HHB", n, 0, (1 if be else 0) | (2 if crcs else 0))
    return head + tab + crc + strings

EXPORTS = [("mb_cache_create", "", 0xdd2c169b), ("usb_stor_sense_invalidCDB", "USB_STORAGE", 0x1bc3edc2),
           ("phys_base", "", 0x4c9d28b0)]
seed("ksymtab", "module.ko", module_with_exports(EXPORTS))
seed("ksymtab", "module-be-gpl.ko", module_with_exports(EXPORTS, be=True, gpl=True))
seed("ksymtab", "image", image_tables(EXPORTS))
seed("ksymtab", "image-be-nocrc", image_tables(EXPORTS, be=True, crcs=False))

shutil.rmtree(tmp)
