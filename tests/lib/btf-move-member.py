#!/usr/bin/env python3
# btf-move-member.py IN OUT STRUCT MEMBER DELTA: a copy of the BTF blob IN
# (little-endian) with STRUCT.MEMBER moved by DELTA bytes; prints the new
# offset.  One edit of a genuine BTF: the layout check must name exactly it.
import struct, sys
data = bytearray(open(sys.argv[1], 'rb').read())
magic, ver, flags, hdr_len, toff, tlen, soff, slen = struct.unpack_from('<HBBIIIII', data, 0)
assert magic == 0xeb9f
t0, s0 = hdr_len + toff, hdr_len + soff
def name(off): return data[s0 + off:data.index(0, s0 + off)].decode()
pos, end = t0, t0 + tlen
extra = {1: 4, 3: 12, 14: 4, 17: 4}
while pos < end:
    name_off, info, size = struct.unpack_from('<III', data, pos)
    kind, vlen, kflag = (info >> 24) & 0x1f, info & 0xffff, info >> 31
    body = pos + 12
    if kind == 4 and name(name_off) == sys.argv[3]:
        for i in range(vlen):
            m = body + 12 * i
            mn, mt, mo = struct.unpack_from('<III', data, m)
            if name(mn) == sys.argv[4]:
                bits = (mo & 0xffffff) if kflag else mo
                bits += 8 * int(sys.argv[5])
                struct.pack_into('<I', data, m + 8, (mo & 0xff000000 | bits) if kflag else bits)
                open(sys.argv[2], 'wb').write(data)
                print(bits // 8)
                sys.exit(0)
    pos = body + {4: 12 * vlen, 5: 12 * vlen, 15: 12 * vlen, 19: 12 * vlen, 6: 8 * vlen, 13: 8 * vlen}.get(kind, extra.get(kind, 0))
sys.exit("not found")
