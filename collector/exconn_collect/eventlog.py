"""Event logs over MS-EVEN (\\pipe\\eventlog): EVENTLOGRECORD parsing,
forward reading from a cursor, and Event XML output (SPEC section 3)."""
import datetime
import struct

from impacket.dcerpc.v5 import even

from .smbconn import bind_pipe
from .xmlout import attrs, text

EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"
HEADER = struct.Struct("<I4sIIIIHHHHIIIIII")
STATUS_END_OF_FILE = 0xC0000011
STATUS_BUFFER_TOO_SMALL = 0xC0000023
ERROR_HANDLE_EOF = 38
# EventType -> Level (classic events: error 2, warning 3, information 4)
LEVELS = {0: 4, 1: 2, 2: 3, 4: 4, 8: 0, 16: 0}


class RecordError(ValueError):
    pass


def _wz(b, o, end):
    """A NUL-terminated UTF-16LE string at O, and the offset after it."""
    i = o
    while i + 1 < end and b[i:i + 2] != b"\0\0":
        i += 2
    return b[o:i].decode("utf-16-le", "replace"), i + 2


def parse_records(buf):
    """[record dict] from an ElfrReadELW buffer of EVENTLOGRECORDs."""
    out, o = [], 0
    while o + HEADER.size <= len(buf):
        (length, sig, recno, tgen, _twr, eid, etype, nstr, cat, _f, _close,
         stroff, _sidlen, _sidoff, _dlen, _doff) = HEADER.unpack_from(buf, o)
        if sig != b"LfLe" or length < HEADER.size or o + length > len(buf):
            raise RecordError(f"bad EVENTLOGRECORD at offset {o}")
        end = o + length
        source, p = _wz(buf, o + HEADER.size, end)
        computer, _p = _wz(buf, p, end)
        strings, p = [], o + stroff
        for _ in range(nstr):
            if not o + HEADER.size <= p < end:
                raise RecordError(f"record {recno}: strings outside the record")
            s, p = _wz(buf, p, end)
            strings.append(s)
        out.append({"record": recno, "time": tgen, "eventId": eid & 0xFFFF,
                    "qualifiers": eid >> 16, "type": etype, "category": cat,
                    "source": source, "computer": computer, "strings": strings})
        o = end
    return out


def event_xml(rec, channel, computer):
    t = datetime.datetime.fromtimestamp(rec["time"], datetime.timezone.utc)
    data = "".join(f"<Data>{text(s)}</Data>" for s in rec["strings"])
    return (f'<Event xmlns="{EVENT_NS}"><System>'
            f'<Provider{attrs([("Name", rec["source"])])}/>'
            f'<EventID{attrs([("Qualifiers", rec["qualifiers"])])}>{rec["eventId"]}</EventID>'
            f'<Level>{LEVELS.get(rec["type"], 0)}</Level><Task>{rec["category"]}</Task>'
            f'<TimeCreated SystemTime="{t.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")}"/>'
            f'<EventRecordID>{rec["record"]}</EventRecordID>'
            f'<Channel>{text(channel)}</Channel><Computer>{text(computer)}</Computer>'
            f'</System><EventData>{data}</EventData></Event>\n')


def events_document(recs, channel, computer):
    body = "".join(event_xml(r, channel, computer) for r in recs)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Events>\n{body}</Events>\n'.encode()


class EventLog:
    def __init__(self, host, smb):
        self.dce = bind_pipe(host, smb, r"\eventlog", even.MSRPC_UUID_EVEN)

    def open(self, log):
        return even.hElfrOpenELW(self.dce, log + "\x00", "\x00")["LogHandle"]

    def close(self, h):
        even.hElfrCloseEL(self.dce, h)

    def bounds(self, h):
        """(oldest record number, number of records)."""
        oldest = even.hElfrOldestRecordNumber(self.dce, h)["OldestRecordNumber"]
        count = even.hElfrNumberOfRecords(self.dce, h)["NumberOfRecords"]
        return oldest, count

    def read(self, h, first, limit, size=0x2000):
        """Records from FIRST on, forward, at most about LIMIT of them.

        SIZE is small on purpose: the reply's buffer is as long as asked for
        whatever it holds, and impacket unpacks it one Python object per
        octet (a 64 KiB read cost about 3 MB and most of a poll's CPU); it
        grows when one record does not fit (STATUS_BUFFER_TOO_SMALL)."""
        out, flags = [], even.EVENTLOG_SEEK_READ | even.EVENTLOG_FORWARDS_READ
        offset = first
        while len(out) < limit:
            try:
                r = even.hElfrReadELW(self.dce, h, flags, offset, size)
            except even.DCERPCSessionError as e:
                code = e.get_error_code()
                if code in (STATUS_END_OF_FILE, ERROR_HANDLE_EOF):
                    break
                if code == STATUS_BUFFER_TOO_SMALL and size < (1 << 20):
                    size *= 4
                    continue
                raise
            n = r["NumberOfBytesRead"]
            if not n:
                break
            recs = parse_records(b"".join(r["Buffer"])[:n])
            if not recs:
                break
            out.extend(recs)
            offset = recs[-1]["record"] + 1
        return out

    def record_time(self, h, number):
        """TimeGenerated of record NUMBER, or None when there is none."""
        recs = self.read(h, number, 1, size=0x800)
        return recs[0]["time"] if recs and recs[0]["record"] == number else None
