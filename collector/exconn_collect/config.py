"""The collector's XML config (collect.xml): parse, validate, report file:line.

Parsed with expat directly (no DTD, no entities: a DOCTYPE is refused), so
every element keeps its line number for error messages.
"""
import os
import re
import xml.parsers.expat
from dataclasses import dataclass, field


class ConfigError(Exception):
    """A config problem, already formatted as 'FILE:LINE: what'."""


@dataclass
class Host:
    server: str
    address: str
    credentials: str
    line: int = 0
    port: int = 445
    site: str = ""
    interval: int = 60
    timeout: int = 20
    os: str = "other"           # nt4 | w2k | other
    auth: str = "ntlmv2"        # ntlmv2 | ntlmv1 (nt4 only)
    share: str = "C$"
    exchange_dir: str = "exchsrvr"
    scmr_port: int = 0          # 0: \pipe\svcctl over SMB; else DCE/RPC over TCP
    logs: tuple = ("Application", "System")
    perf: bool = True


@dataclass
class Config:
    path: str
    spool_dir: str = "/var/spool/exconn"
    state_dir: str = "/var/lib/exconn/collect"
    concurrency: int = 16
    hosts: list = field(default_factory=list)


SERVER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_$-]{0,31}$")
LOG_RE = re.compile(r"^[A-Za-z][A-Za-z0-9 _-]{0,63}$")

# element -> attribute -> (kind, lo, hi); kinds: str path uint bool enum
_UINT = "uint"
_SPEC = {
    "collect": {},
    "spool": {"dir": ("path",)},
    "state": {"dir": ("path",)},
    "poll": {"concurrency": (_UINT, 1, 1024), "interval": (_UINT, 1, 86400),
             "timeout": (_UINT, 1, 3600)},
    "host": {"server": ("server",), "address": ("str",), "port": (_UINT, 1, 65535),
             "site": ("str",), "credentials": ("path",), "interval": (_UINT, 1, 86400),
             "timeout": (_UINT, 1, 3600), "os": ("enum", "nt4", "w2k", "other"),
             "auth": ("enum", "ntlmv2", "ntlmv1"), "share": ("str",),
             "exchangeDir": ("str",), "scmrPort": (_UINT, 1, 65535),
             "eventLogs": ("logs",), "perf": ("bool",)},
}
_ATTR_FIELD = {"exchangeDir": "exchange_dir", "scmrPort": "scmr_port", "eventLogs": "logs"}


def _value(path, line, elem, name, raw, spec):
    where = f"{path}:{line}: <{elem}> {name}"
    kind = spec[0]
    if kind == _UINT:
        if not re.fullmatch(r"[0-9]{1,10}", raw) or not spec[1] <= int(raw) <= spec[2]:
            raise ConfigError(f"{where}=\"{raw}\": expected an integer {spec[1]}..{spec[2]}")
        return int(raw)
    if kind == "bool":
        if raw not in ("true", "false"):
            raise ConfigError(f"{where}=\"{raw}\": expected true or false")
        return raw == "true"
    if kind == "enum":
        if raw not in spec[1:]:
            raise ConfigError(f"{where}=\"{raw}\": expected one of {', '.join(spec[1:])}")
        return raw
    if kind == "server":
        if not SERVER_RE.match(raw):
            raise ConfigError(f"{where}=\"{raw}\": expected a NetBIOS name of 1-32 characters")
        return raw.upper()
    if kind == "logs":
        logs = tuple(raw.split())
        if not logs or len(set(logs)) != len(logs) or not all(LOG_RE.match(x) for x in logs):
            raise ConfigError(f"{where}=\"{raw}\": expected distinct log names")
        return logs
    if not raw or len(raw) > 4096 or "\0" in raw:
        raise ConfigError(f"{where}: empty or too long")
    if kind == "path" and not os.path.isabs(raw):
        raise ConfigError(f"{where}=\"{raw}\": expected an absolute path")
    return raw


def _parse_elements(path, data):
    """[(name, attrs, line, depth)] in document order."""
    out, depth = [], [0]
    p = xml.parsers.expat.ParserCreate()

    def start(name, attrs):
        if depth[0] > 1:
            raise ConfigError(f"{path}:{p.CurrentLineNumber}: <{name}> nested too deep")
        out.append((name, attrs, p.CurrentLineNumber, depth[0]))
        depth[0] += 1

    def end(_name):
        depth[0] -= 1

    def doctype(*_a):
        raise ConfigError(f"{path}:{p.CurrentLineNumber}: a DOCTYPE is not allowed")

    def text(s):
        if s.strip():
            raise ConfigError(f"{path}:{p.CurrentLineNumber}: unexpected text '{s.strip()[:40]}'")

    p.StartElementHandler, p.EndElementHandler = start, end
    p.StartDoctypeDeclHandler, p.CharacterDataHandler = doctype, text
    p.EntityDeclHandler = lambda *a: doctype()
    try:
        p.Parse(data, True)
    except xml.parsers.expat.ExpatError as e:
        raise ConfigError(f"{path}:{e.lineno}: not well-formed XML: "
                          f"{xml.parsers.expat.ErrorString(e.code)}") from None
    return out


def _host(path, line, vals, defaults):
    for need in ("server", "address", "credentials"):
        if need not in vals:
            raise ConfigError(f"{path}:{line}: <host> needs a {need} attribute")
    h = Host(server=vals["server"], address=vals["address"], credentials=vals["credentials"],
             line=line, interval=defaults["interval"], timeout=defaults["timeout"])
    for k, v in vals.items():
        setattr(h, _ATTR_FIELD.get(k, k), v)
    if h.auth == "ntlmv1" and h.os != "nt4":
        raise ConfigError(f"{path}:{line}: <host> auth=\"ntlmv1\" is allowed only with os=\"nt4\"")
    return h


def load(path):
    try:
        with open(path, "rb") as f:
            data = f.read(1 << 20)
    except OSError as e:
        raise ConfigError(f"{path}: {e.strerror}") from None
    elems = _parse_elements(path, data)
    if not elems or elems[0][0] != "collect":
        raise ConfigError(f"{path}:1: the root element must be <collect>")
    cfg = Config(path=path)
    defaults = {"interval": 60, "timeout": 20}
    seen, servers = set(), {}
    pending = []
    for name, attrs, line, depth in elems[1:]:
        spec = _SPEC.get(name)
        if spec is None or name == "collect":
            raise ConfigError(f"{path}:{line}: unknown element <{name}>")
        if name != "host" and name in seen:
            raise ConfigError(f"{path}:{line}: <{name}> given twice")
        seen.add(name)
        vals = {}
        for k, raw in attrs.items():
            if k not in spec:
                raise ConfigError(f"{path}:{line}: <{name}> has no attribute {k}")
            vals[k] = _value(path, line, name, k, raw, spec[k])
        if name == "spool":
            cfg.spool_dir = vals.get("dir", cfg.spool_dir)
        elif name == "state":
            cfg.state_dir = vals.get("dir", cfg.state_dir)
        elif name == "poll":
            cfg.concurrency = vals.get("concurrency", cfg.concurrency)
            defaults.update({k: vals[k] for k in ("interval", "timeout") if k in vals})
        else:
            pending.append((line, vals))
    for line, vals in pending:
        h = _host(path, line, vals, defaults)
        if h.server in servers:
            raise ConfigError(f"{path}:{line}: server {h.server} already defined "
                              f"at line {servers[h.server]}")
        servers[h.server] = line
        cfg.hosts.append(h)
    return cfg
