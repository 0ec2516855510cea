"""Read-only registry access over MS-RRP (\\pipe\\winreg): values, subkeys,
and the performance-data hive (HKEY_PERFORMANCE_DATA)."""
from impacket.dcerpc.v5 import rrp

from .smbconn import bind_pipe

ERROR_FILE_NOT_FOUND = 2
ERROR_NO_MORE_ITEMS = 259
ERROR_MORE_DATA = 234
KEY_READ = 0x20019


def _more_data(e):
    return isinstance(e, rrp.DCERPCSessionError) and e.get_error_code() == ERROR_MORE_DATA


def _growing(call, first=256, limit=4 << 20):
    """CALL(size) with a buffer that starts small and grows on ERROR_MORE_DATA:
    impacket packs the whole in/out buffer in Python, one element at a time,
    so a generous fixed size costs far more CPU than a retry."""
    size = first
    while True:
        try:
            return call(size)
        except rrp.DCERPCSessionError as e:
            if not _more_data(e) or size >= limit:
                raise
            size *= 4


def _missing(e):
    return isinstance(e, rrp.DCERPCSessionError) and e.get_error_code() in (
        ERROR_FILE_NOT_FOUND, ERROR_NO_MORE_ITEMS)


def decode(rtype, data):
    """A registry value as Python: REG_SZ/EXPAND_SZ str, MULTI_SZ list,
    DWORD int, anything else bytes."""
    if rtype in (1, 2):
        return data.decode("utf-16-le", "replace").split("\0", 1)[0]
    if rtype == 7:
        return [s for s in data.decode("utf-16-le", "replace").split("\0") if s]
    if rtype == 4 and len(data) >= 4:
        return int.from_bytes(data[:4], "little")
    return data


class Registry:
    def __init__(self, host, smb):
        self.dce = bind_pipe(host, smb, r"\winreg", rrp.MSRPC_UUID_RRP)
        self.hklm = rrp.hOpenLocalMachine(self.dce, KEY_READ)["phKey"]

    def _open(self, path):
        try:
            return rrp.hBaseRegOpenKey(self.dce, self.hklm, path, samDesired=KEY_READ)["phkResult"]
        except Exception as e:  # noqa: BLE001 - only "not there" is expected
            if _missing(e):
                return None
            raise

    def value(self, path, name):
        """HKLM\\PATH\\NAME decoded, or None when the key or value is absent."""
        k = self._open(path)
        if k is None:
            return None
        try:
            rtype, data = _growing(lambda n: rrp.hBaseRegQueryValue(self.dce, k, name + "\x00", n),
                                   limit=1 << 16)
        except Exception as e:  # noqa: BLE001
            if _missing(e):
                return None
            raise
        finally:
            rrp.hBaseRegCloseKey(self.dce, k)
        if isinstance(data, str):  # impacket decodes string types itself
            data = data.encode("utf-16-le")
        elif isinstance(data, int):
            return data
        return decode(rtype, bytes(data))

    def _enum(self, path, fetch):
        """[FETCH(key, i) for i = 0, 1, ...] until the key has no more items;
        [] when the key is absent."""
        k = self._open(path)
        if k is None:
            return []
        out = []
        try:
            for i in range(1024):
                try:
                    out.append(fetch(k, i))
                except Exception as e:  # noqa: BLE001
                    if _missing(e):
                        break
                    raise
        finally:
            rrp.hBaseRegCloseKey(self.dce, k)
        return out

    def subkeys(self, path):
        return self._enum(path, lambda k, i: rrp.hBaseRegEnumKey(self.dce, k, i)["lpNameOut"]
                          .rstrip("\0"))

    def values(self, path):
        """[(name, decoded value)] of a key, [] when absent."""
        def fetch(k, i):
            r = _growing(lambda n: rrp.hBaseRegEnumValue(self.dce, k, i, n), limit=1 << 16)
            return r["lpValueNameOut"].rstrip("\0"), decode(r["lpType"], b"".join(r["lpData"]))
        return self._enum(path, fetch)

    def perf_data(self, what="Global"):
        """The raw PERF_DATA_BLOCK for WHAT ('Global' or object indexes),
        b'' when the host serves none."""
        hkpd = rrp.hOpenPerformanceData(self.dce)["phKey"]
        _t, data = _growing(lambda n: rrp.hBaseRegQueryValue(self.dce, hkpd, what + "\x00", n),
                            first=4096)
        return bytes(data) if not isinstance(data, str) else data.encode("utf-16-le")

    def perf_names(self):
        """{index: counter/object name} from 'Counter 009' of HKPD."""
        hkpd = rrp.hOpenPerformanceData(self.dce)["phKey"]
        try:
            _t, data = _growing(lambda n: rrp.hBaseRegQueryValue(self.dce, hkpd,
                                                                 "Counter 009\x00", n), first=65536)
        except rrp.DCERPCSessionError:
            return {}
        items = decode(7, bytes(data)) if not isinstance(data, str) else data.split("\0")
        return {int(items[i]): items[i + 1] for i in range(0, len(items) - 1, 2)
                if items[i].isdigit()}
