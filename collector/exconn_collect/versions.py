"""File version of a PE image (VS_FIXEDFILEINFO of its RT_VERSION resource).

Works on a read(offset, size) callable, so over SMB only the headers, the
section table and the resource tree are fetched, not the whole image.
"""
import struct

RT_VERSION = 16
FIXED_SIG = 0xFEEF04BD
MAX_IMAGE = 1 << 28


class NotPE(ValueError):
    pass


def _u16(b, o):
    return struct.unpack_from("<H", b, o)[0]


def _u32(b, o):
    return struct.unpack_from("<I", b, o)[0]


def _read(read, off, size):
    if off < 0 or size < 0 or off + size > MAX_IMAGE:
        raise NotPE("offset out of range")
    b = read(off, size)
    if len(b) < size:
        raise NotPE("truncated image")
    return b


def _sections(read):
    dos = _read(read, 0, 64)
    if dos[:2] != b"MZ":
        raise NotPE("no MZ header")
    pe = _u32(dos, 0x3C)
    hdr = _read(read, pe, 24)
    if hdr[:4] != b"PE\0\0":
        raise NotPE("no PE signature")
    nsect, optsize = _u16(hdr, 6), _u16(hdr, 20)
    if nsect > 96:
        raise NotPE("too many sections")
    opt = _read(read, pe + 24, optsize)
    magic = _u16(opt, 0)
    ddir = {0x10B: 96, 0x20B: 112}.get(magic)
    if ddir is None or optsize < ddir + 8 * 3:
        raise NotPE("unknown optional header")
    rsrc_rva = _u32(opt, ddir + 8 * 2)
    st = _read(read, pe + 24 + optsize, 40 * nsect)
    sects = [struct.unpack_from("<8sIIII", st, 40 * i) for i in range(nsect)]
    return rsrc_rva, [(va, max(vsize, rsize), ptr) for _n, vsize, va, rsize, ptr in sects]


def _rva_to_off(rva, sects):
    for va, size, ptr in sects:
        if va <= rva < va + size:
            return rva - va + ptr
    raise NotPE("RVA outside every section")


def _first_entry(read, base, off, want_id=None):
    """The first (or the WANT_ID) entry of the resource directory at OFF."""
    d = _read(read, base + off, 16)
    n = _u16(d, 12) + _u16(d, 14)
    ents = _read(read, base + off + 16, 8 * min(n, 256))
    for i in range(min(n, 256)):
        name, target = struct.unpack_from("<II", ents, 8 * i)
        if want_id is None or name == want_id:
            return target
    return None


def file_version(read):
    """'a.b.c.d' from the image's version resource, or None if it has none."""
    rsrc_rva, sects = _sections(read)
    if not rsrc_rva:
        return None
    base = _rva_to_off(rsrc_rva, sects)
    t = _first_entry(read, base, 0, RT_VERSION)
    for _level in range(2):  # name, then language
        if t is None or not t & 0x80000000:
            return None
        t = _first_entry(read, base, t & 0x7FFFFFFF)
    if t is None or t & 0x80000000:
        return None
    data_rva, size = struct.unpack("<II", _read(read, base + t, 8))
    vi = _read(read, _rva_to_off(data_rva, sects), min(size, 65536))
    return parse_versioninfo(vi)


def parse_versioninfo(vi):
    """VS_VERSIONINFO -> 'a.b.c.d' (FileVersionMS/LS), None without fixed info."""
    if len(vi) < 6:
        return None
    vlen = _u16(vi, 2)
    key_end = vi.find(b"\0\0", 6)
    while key_end != -1 and (key_end - 6) % 2:
        key_end = vi.find(b"\0\0", key_end + 1)
    if vlen < 52 or key_end == -1:
        return None
    if vi[6:key_end].decode("utf-16-le", "replace") != "VS_VERSION_INFO":
        return None
    off = (key_end + 2 + 3) & ~3
    if off + 52 > len(vi) or _u32(vi, off) != FIXED_SIG:
        return None
    ms, ls = _u32(vi, off + 8), _u32(vi, off + 12)
    return f"{ms >> 16}.{ms & 0xFFFF}.{ls >> 16}.{ls & 0xFFFF}"
