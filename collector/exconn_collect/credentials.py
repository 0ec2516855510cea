"""Credentials files: `username = ...`, `password = ...`, `domain = ...`
(smbclient's authentication-file format).

Refused unless the file is a regular file of mode 0600 or stricter owned by
the user the collector runs as.  The password lives only in a Credentials
object whose repr() hides it, so it cannot reach a log line by accident.
"""
import os
import stat


class CredentialsError(Exception):
    pass


class Credentials:
    __slots__ = ("username", "domain", "_password")

    def __init__(self, username, password, domain=""):
        self.username, self.domain, self._password = username, domain, password

    @property
    def password(self):
        return self._password

    def __repr__(self):
        return f"Credentials(username={self.username!r}, domain={self.domain!r}, password=<hidden>)"

    __str__ = __repr__


def check_file(path):
    """Raise CredentialsError unless PATH is safe to read; returns the open fd."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        raise CredentialsError(f"{path}: {e.strerror}") from None
    st = os.fstat(fd)
    problem = None
    if not stat.S_ISREG(st.st_mode):
        problem = "not a regular file"
    elif st.st_mode & 0o077:
        problem = f"mode {stat.S_IMODE(st.st_mode):04o} is too open (0600 or stricter needed)"
    elif st.st_uid != os.geteuid():
        problem = f"owned by uid {st.st_uid}, not by the collector's uid {os.geteuid()}"
    if problem:
        os.close(fd)
        raise CredentialsError(f"{path}: {problem}")
    return fd


def load(path):
    fd = check_file(path)
    with os.fdopen(fd, "rb") as f:
        data = f.read(65536)
    vals = {}
    for n, raw in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        key = key.strip().lower()
        if not sep or key not in ("username", "password", "domain"):
            # never echo the line: it may hold the password
            raise CredentialsError(f"{path}:{n}: expected username, password or domain = value")
        vals[key] = value.strip()
    if not vals.get("username") or "password" not in vals:
        raise CredentialsError(f"{path}: needs a username and a password line")
    return Credentials(vals["username"], vals["password"], vals.get("domain", ""))
