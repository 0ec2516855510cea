"""Files on the administrative share: the IMC's queue directories and
queue.dat, and the Exchange binaries' file versions."""
import time

from impacket import smb
from impacket.smbconnection import SessionError
from impacket.smb3structs import (FILE_NON_DIRECTORY_FILE, FILE_OPEN, FILE_READ_DATA,
                                  FILE_SHARE_READ, FILE_SHARE_WRITE)

from . import versions

NOT_FOUND = {0xC0000034, 0xC000003A, 0xC000000F, 0xC0000033}
FILE_ATTRIBUTE_READONLY = 0x1
FILE_ATTRIBUTE_DIRECTORY = 0x10

# (report attribute, path under the Exchange directory)
VERSION_FILES = (("mtaVersion", r"bin\emsmta.exe"), ("exchangeVersion", r"bin\store.exe"))


def _not_found(e):
    return isinstance(e, SessionError) and e.getErrorCode() in NOT_FOUND


def queue_stats(entries, now):
    """(messages, bytes, oldestAge) of a directory listing's plain files;
    ENTRIES are (name, attributes, size, mtime_epoch)."""
    files = [(s, m) for n, a, s, m in entries
             if n not in (".", "..") and not a & FILE_ATTRIBUTE_DIRECTORY]
    if not files:
        return 0, 0, 0
    oldest = min(m for _s, m in files)
    return len(files), sum(s for s, _m in files), max(0, int(now - oldest))


def queue_file_state(entry):
    """queue.dat's listing entry (or None when absent) -> the report's value."""
    if entry is None:
        return "missing"
    return "readOnly" if entry[1] & FILE_ATTRIBUTE_READONLY else "ok"


class Share:
    def __init__(self, smb, host):
        self.smb, self.share, self.base = smb, host.share, host.exchange_dir.strip("\\")

    def _list(self, rel):
        try:
            return [(f.get_longname(), f.get_attributes(), f.get_filesize(), f.get_mtime_epoch())
                    for f in self.smb.listPath(self.share, self.base + "\\" + rel)]
        except SessionError as e:
            if _not_found(e):
                return None
            raise

    def imc_queues(self):
        """IMCDATA-IN/-OUT queue rows, and queue.dat's state; ([], None) when
        the host has no imcdata directory (unknown, left out)."""
        now = time.time()
        rows = []
        for qname, kind, sub in (("IMCDATA-IN", "imcInbound", "in"),
                                 ("IMCDATA-OUT", "imcOutbound", "out")):
            ents = self._list(r"imcdata\%s\*" % sub)
            if ents is None:
                continue
            m, b, age = queue_stats(ents, now)
            rows.append({"name": qname, "kind": kind, "messages": m, "bytes": b, "oldestAge": age})
        if self._list(r"imcdata\*") is None:
            return rows, None
        q = self._list(r"imcdata\queue.dat")
        return rows, queue_file_state(q[0] if q else None)

    def file_version(self, rel):
        """The version resource of EXCHSRVR\\REL, or None (absent or none)."""
        tid = self.smb.connectTree(self.share)
        try:
            fid = self._open_read(tid, self.base + "\\" + rel)
        except (SessionError, smb.SessionError) as e:
            self.smb.disconnectTree(tid)
            if _not_found(e):
                return None
            raise
        try:
            return versions.file_version(lambda off, n: self._read(tid, fid, off, n))
        except versions.NotPE:
            return None
        finally:
            self.smb.closeFile(tid, fid)
            self.smb.disconnectTree(tid)

    def _open_read(self, tid, path):
        """Open for reading WITHOUT an oplock.  impacket's SMB1 openFile always
        asks for a batch oplock, and it cannot answer the oplock break the
        server sends when another opener comes (it fails the next call with
        "Unexpected answer"); we only read a few headers, no caching needed."""
        if self.smb.getDialect() != smb.SMB_DIALECT:
            return self.smb.openFile(tid, path, desiredAccess=FILE_READ_DATA,
                                     shareMode=FILE_SHARE_READ | FILE_SHARE_WRITE)
        conn = self.smb.getSMBServer()
        unicode = conn.get_flags()[1] & smb.SMB.FLAGS2_UNICODE
        name = path.encode("utf-16-le") if unicode else path.encode()
        cmd = smb.SMBCommand(smb.SMB.SMB_COM_NT_CREATE_ANDX)
        cmd["Parameters"] = smb.SMBNtCreateAndX_Parameters()
        cmd["Data"] = smb.SMBNtCreateAndX_Data(flags=conn.get_flags()[1])
        p = cmd["Parameters"]
        p["FileNameLength"], p["AccessMask"] = len(name), FILE_READ_DATA
        p["FileAttributes"], p["ShareAccess"] = 0x80, FILE_SHARE_READ | FILE_SHARE_WRITE
        p["Disposition"], p["CreateOptions"] = FILE_OPEN, FILE_NON_DIRECTORY_FILE
        p["Impersonation"], p["SecurityFlags"] = 2, 0
        p["CreateFlags"] = 0x10   # extended response only: no oplock, no batch oplock
        cmd["Data"]["FileName"] = name
        if unicode:
            cmd["Data"]["Pad"] = 0
        try:
            return conn.nt_create_andx(tid, path, cmd=cmd)
        except smb.SessionError as e:
            raise SessionError(e.get_error_code(), e.get_error_packet()) from None

    def _read(self, tid, fid, off, n):
        out = b""
        while len(out) < n:
            try:
                chunk = self.smb.readFile(tid, fid, off + len(out), min(n - len(out), 61440))
            except SessionError as e:
                if e.getErrorCode() != 0xC0000011:  # STATUS_END_OF_FILE
                    raise
                chunk = b""
            if not chunk:
                break
            out += chunk
        return out

    def versions(self):
        out = {}
        for attr, rel in VERSION_FILES:
            v = self.file_version(rel)
            if v:
                out[attr] = v
        return out
