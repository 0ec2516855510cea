"""Build a minimal PE32 image whose only content is a version resource.

Used by the fake host (fakehost.py) and the unit tests to give the collector a
real RT_VERSION structure to parse: DOS header, PE header, one .rsrc section
holding the resource directory tree type 16 / id 1 / language 0x409 and a
VS_VERSIONINFO with a VS_FIXEDFILEINFO and no string table.
"""
import struct


def _utf16z(s):
    return (s + "\0").encode("utf-16-le")


def _pad4(b):
    return b + b"\0" * (-len(b) % 4)


def version_info(version):
    """VS_VERSIONINFO bytes for a dotted version 'a.b.c.d'."""
    a, b, c, d = (int(x) for x in version.split("."))
    fixed = struct.pack("<13I", 0xFEEF04BD, 0x00010000, (a << 16) | b, (c << 16) | d,
                        (a << 16) | b, (c << 16) | d, 0x3F, 0, 0x4, 0x1, 0, 0, 0)
    head = _pad4(struct.pack("<HHH", 0, len(fixed), 0) + _utf16z("VS_VERSION_INFO"))
    body = head + fixed
    return struct.pack("<H", len(body)) + body[2:]


def build_pe(version, machine=0x14C):
    vi = version_info(version)
    sect_rva = 0x1000
    # resource directory: root (1 id entry) -> type 16 (1) -> id 1 (1) -> data entry
    def rdir(n_id):
        return struct.pack("<IIHHHH", 0, 0, 4, 0, 0, n_id)
    root = rdir(1) + struct.pack("<II", 16, 0x80000000 | 0x18)
    tdir = rdir(1) + struct.pack("<II", 1, 0x80000000 | 0x30)
    ndir = rdir(1) + struct.pack("<II", 0x409, 0x48)
    data_off = 0x58
    dentry = struct.pack("<IIII", sect_rva + data_off, len(vi), 0, 0)
    rsrc = root + tdir + ndir + dentry
    assert len(rsrc) == data_off
    rsrc += vi
    raw_size = (len(rsrc) + 0x1FF) & ~0x1FF
    rsrc += b"\0" * (raw_size - len(rsrc))

    dos = b"MZ" + b"\0" * 58 + struct.pack("<I", 0x40)
    coff = struct.pack("<HHIIIHH", machine, 1, 0, 0, 0, 224, 0x0102)
    opt = struct.pack("<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII", 0x10B, 6, 0, 0, raw_size, 0,
                      0, 0, 0, 0x400000, 0x1000, 0x200, 4, 0, 0, 0, 4, 0, 0,
                      0x2000, 0x200, 0, 2, 0, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    dirs = [(0, 0)] * 16
    dirs[2] = (sect_rva, len(root + tdir + ndir + dentry + vi))
    opt += b"".join(struct.pack("<II", r, s) for r, s in dirs)
    sect = struct.pack("<8sIIIIIIHHI", b".rsrc", raw_size, sect_rva, raw_size, 0x200,
                       0, 0, 0, 0, 0x40000040)
    headers = dos + b"PE\0\0" + coff + opt + sect
    headers += b"\0" * (0x200 - len(headers))
    return headers + rsrc
