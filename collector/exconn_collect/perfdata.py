"""Performance data blocks (HKEY_PERFORMANCE_DATA) -> counters -> report rows.

parse() walks PERF_DATA_BLOCK / PERF_OBJECT_TYPE / PERF_COUNTER_DEFINITION /
PERF_INSTANCE_DEFINITION / PERF_COUNTER_BLOCK (winperf.h, 32-bit layout)
with every offset bounds-checked; a malformed block raises PerfError.
"""
import struct

PERF_NO_INSTANCES = -1
MAX_OBJECTS, MAX_COUNTERS, MAX_INSTANCES = 1024, 1024, 65536

IMC_OBJECT = "MSExchangeIMC"
IMC_QUEUES = (("Queued MTS-IN", "MTS-IN", "mtsIn"), ("Queued MTS-OUT", "MTS-OUT", "mtsOut"))
MTA_CONNECTIONS = "MSExchangeMTA Connections"


class PerfError(ValueError):
    pass


def _u32(b, o):
    if o < 0 or o + 4 > len(b):
        raise PerfError(f"offset {o} outside the block")
    return struct.unpack_from("<I", b, o)[0]


def _i32(b, o):
    v = _u32(b, o)
    return v - (1 << 32) if v & 0x80000000 else v


def _wstr(b, o, n):
    if o < 0 or n < 0 or o + n > len(b):
        raise PerfError("string outside the block")
    return b[o:o + n].decode("utf-16-le", "replace").split("\0", 1)[0]


def _counter_values(b, block, defs):
    blen = _u32(b, block)
    out = {}
    for name, ctype, size, off in defs:
        if off + size > blen:
            raise PerfError("counter outside its counter block")
        if size == 4:
            out[name] = _u32(b, block + off)
        elif size == 8:
            out[name] = _u32(b, block + off) | (_u32(b, block + off + 4) << 32)
    return out, blen


def _object(b, o, names):
    total, deflen, hdrlen = _u32(b, o), _u32(b, o + 4), _u32(b, o + 8)
    if total < hdrlen or o + total > len(b) or deflen > total:
        raise PerfError("object lengths out of range")
    oname = names.get(_u32(b, o + 12), str(_u32(b, o + 12)))
    ncount, ninst = _u32(b, o + 32), _i32(b, o + 40)
    if ncount > MAX_COUNTERS or ninst > MAX_INSTANCES:
        raise PerfError("too many counters or instances")
    defs, c = [], o + hdrlen
    for _ in range(ncount):
        clen = _u32(b, c)
        idx = _u32(b, c + 4)
        defs.append((names.get(idx, str(idx)), _u32(b, c + 28), _u32(b, c + 32), _u32(b, c + 36)))
        if clen < 40:
            raise PerfError("short counter definition")
        c += clen
    insts = {}
    p = o + deflen
    if ninst == PERF_NO_INSTANCES:
        insts[None], _l = _counter_values(b, p, defs)
    else:
        for _ in range(ninst):
            ilen, noff, nlen = _u32(b, p), _u32(b, p + 16), _u32(b, p + 20)
            if ilen < 24:
                raise PerfError("short instance definition")
            iname = _wstr(b, p + noff, nlen)
            vals, blen = _counter_values(b, p + ilen, defs)
            insts[iname] = vals
            p += ilen + blen
    return oname, insts, total


def parse(block, names):
    """{object name: {instance name or None: {counter name: value}}}."""
    b = bytes(block)
    if len(b) < 32 or b[:8] != "PERF".encode("utf-16-le"):
        raise PerfError("no PERF signature")
    total, hdr, nobj = _u32(b, 20), _u32(b, 24), _u32(b, 28)
    if total + hdr == len(b):
        total = len(b)   # Samba's TotalByteLength leaves its own header out
    if total > len(b) or hdr > total or nobj > MAX_OBJECTS:
        raise PerfError("block lengths out of range")
    b = b[:total]
    out, o = {}, hdr
    for _ in range(nobj):
        name, insts, olen = _object(b, o, names)
        out[name] = insts
        if olen == 0:
            break
        o += olen
    return out


def imc_queues(counters):
    """MTS-IN / MTS-OUT queue rows from the MSExchangeIMC object (messages
    only: the counters give no bytes or age)."""
    obj = counters.get(IMC_OBJECT, {})
    vals = obj.get(None) or (next(iter(obj.values())) if obj else {})
    return [{"name": q, "kind": k, "messages": vals[c]}
            for c, q, k in IMC_QUEUES if c in vals]


def x400_connectors(counters, mta_state):
    """One x400 row per 'MSExchangeMTA Connections' instance.  link: up with
    an association open; down with none open while messages wait; else
    unknown (an idle connection holds no association either)."""
    rows = []
    for inst, vals in sorted((counters.get(MTA_CONNECTIONS) or {}).items(),
                             key=lambda kv: str(kv[0])):
        if not inst or inst == "_Total":
            continue
        qlen, assoc = vals.get("Queue Length"), vals.get("Associations")
        link = "unknown"
        if assoc is not None and assoc > 0:
            link = "up"
        elif assoc == 0 and qlen:
            link = "down"
        row = {"name": inst[:64], "type": "x400", "service": "MSExchangeMTA",
               "state": mta_state, "link": link, "queues": []}
        if qlen is not None:
            row["queues"].append({"name": ("X400-" + inst)[:64], "kind": "x400Link",
                                  "messages": qlen})
        rows.append(row)
    return rows
