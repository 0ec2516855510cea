"""Build PERF_DATA_BLOCKs (winperf.h layout) for the perf-data unit tests.

An object without instances (PERF_NO_INSTANCES) takes a list of values; one
with instances a list of (instance name, values).
"""
import struct


def _counter_block(values, sizes):
    """PERF_COUNTER_BLOCK (ByteLength, then the values, 8-aligned), offsets."""
    body, offs, off = b"", [], 4
    for v, size in zip(values, sizes):
        offs.append(off)
        body += struct.pack("<I" if size == 4 else "<Q", v)
        off += size
    length = 4 + len(body) + (-(4 + len(body)) % 8)
    return (struct.pack("<I", length) + body).ljust(length, b"\0"), offs


def _defs(counters, offs):
    return b"".join(struct.pack("<IIIIIiIIII", 40, idx, 0, idx + 1, 0, 0, 100,
                                0x10000 if s == 4 else 0x10100, s, off)
                    for (idx, s), off in zip(counters, offs))


def _object(name_idx, counters, data):
    """DATA: a list of values (no instances) or [(instance name, values)]."""
    sizes = [s for _i, s in counters]
    _b, offs = _counter_block([0] * len(sizes), sizes)
    if data and isinstance(data[0], tuple):
        body, ninst = b"", len(data)
        for iname, vals in data:
            nm = (iname + "\0").encode("utf-16-le")
            pad = nm + b"\0" * (-len(nm) % 8)
            body += struct.pack("<IIIiII", 24 + len(pad), 0, 0, -1, 24, len(nm)) + pad
            body += _counter_block(vals, sizes)[0]
    else:
        body, ninst = _counter_block(data, sizes)[0], -1
    defs = _defs(counters, offs)
    deflen = 64 + len(defs)
    head = struct.pack("<IIIIIIIIIiiIqq", deflen + len(body), deflen, 64, name_idx, 0,
                       name_idx + 1, 0, 100, len(counters), 0, ninst, 0, 0, 0)
    return head + defs + body


def block(objects):
    """objects: [(name index, [(counter index, size)], values or instances)]."""
    body = b""
    for name_idx, counters, data in objects:
        body += _object(name_idx, counters, data)
    sysname = "EXCH01\0".encode("utf-16-le")
    hdrlen = 88 + len(sysname) + (-len(sysname) % 8)
    head = "PERF".encode("utf-16-le") + struct.pack("<IIIIIIi", 1, 1, 1, hdrlen + len(body), hdrlen,
                                                    len(objects), -1)
    head += b"\0" * 16 + struct.pack("<qqqII", 0, 0, 0, len(sysname), 88)
    head = head.ljust(88, b"\0") + sysname
    head = head.ljust(hdrlen, b"\0")
    return head + body
