"""Writing into the agent's spool and the collector's state dir.

Every file is written under a dot-name in its final directory, fsynced and
renamed into place (SPEC section 3), named `<UTC time>-<SERVER>-<kind>.xml`
(contract A) so that name order is time order.
"""
import datetime
import os
import threading

_last = [None]
_lock = threading.Lock()


def utc_stamp(now=None):
    """yyyymmddTHHMMSS.ffffffZ, strictly increasing within this process."""
    with _lock:
        t = now or datetime.datetime.now(datetime.timezone.utc)
        if _last[0] is not None and t <= _last[0]:
            t = _last[0] + datetime.timedelta(microseconds=1)
        _last[0] = t
        return t.strftime("%Y%m%dT%H%M%S.%fZ")


def iso_utc(t):
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def tmp_name(name):
    return f".{name}.tmp"


def stage(directory, name, data, mode=0o644):
    """Write DATA to DIRECTORY/.NAME.tmp (exclusive create, fsynced)."""
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, tmp_name(name))
    try:
        os.unlink(tmp)  # a leftover of a killed run: ours, never published
    except FileNotFoundError:
        pass
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return tmp


def publish(directory, name):
    """Rename the staged .NAME.tmp to NAME and sync the directory."""
    final = os.path.join(directory, name)
    os.rename(os.path.join(directory, tmp_name(name)), final)
    dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
    return final


def write_atomic(directory, name, data, mode=0o644):
    stage(directory, name, data, mode)
    return publish(directory, name)


def spool_name(server, kind):
    return f"{utc_stamp()}-{server}-{kind}.xml"


def spool_file(spool_dir, sub, server, kind, data):
    return write_atomic(os.path.join(spool_dir, sub), spool_name(server, kind), data)
