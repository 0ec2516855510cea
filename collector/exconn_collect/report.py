"""The status report (SPEC section 3) and the collection-status record
(contract A), as bytes ready for the spool."""
from .xmlout import attrs

CONNECTOR_ATTRS = ("name", "type", "service", "state", "win32ExitCode", "serviceExitCode",
                   "comPort", "dirSync", "queueFile", "remoteSite", "link")
QUEUE_ATTRS = ("name", "kind", "messages", "bytes", "oldestAge")
STATUSES = ("ok", "unreachable", "authFailed", "accessDenied", "protocolError", "unknown")


def _queue(q):
    return f'    <queue{attrs((k, q.get(k)) for k in QUEUE_ATTRS)}/>\n'


def report_xml(server, site, collected, data):
    """DATA: {'server': {exchangeVersion?, mtaVersion?}, 'connectors': [...],
    'comPorts': [{'name', 'claimants': [(kind, name)]}]}; what is unknown is
    simply absent from DATA and so from the report."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n',
           f'<exchangeStatus{attrs([("schemaVersion", 1), ("server", server), ("site", site or None), ("collected", collected)])}>\n']
    sv = data.get("server") or {}
    if sv:
        out.append(f'  <server{attrs((k, sv.get(k)) for k in ("exchangeVersion", "mtaVersion"))}/>\n')
    names, qnames = set(), set()
    for c in data.get("connectors", []):
        if c["name"] in names:
            continue
        names.add(c["name"])
        qs = [q for q in c.get("queues", []) if q["name"] not in qnames]
        qnames.update(q["name"] for q in qs)
        a = attrs((k, c.get(k)) for k in CONNECTOR_ATTRS)
        if qs:
            out.append(f"  <connector{a}>\n" + "".join(_queue(q) for q in qs) + "  </connector>\n")
        else:
            out.append(f"  <connector{a}/>\n")
    for p in data.get("comPorts", []):
        cl = "".join(f'    <claimant{attrs([("kind", k), ("name", n)])}/>\n'
                     for k, n in p["claimants"])
        out.append(f'  <comPort{attrs([("name", p["name"])])}>\n{cl}  </comPort>\n' if cl
                   else f'  <comPort{attrs([("name", p["name"])])}/>\n')
    out.append("</exchangeStatus>\n")
    return "".join(out).encode()


def cut_utf8(s, limit=255):
    b = s.encode("utf-8")
    if len(b) <= limit:
        return s
    return b[:limit].decode("utf-8", "ignore")


def status_xml(server, collected, status, error=None):
    assert status in STATUSES
    err = cut_utf8(error) if error else None
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<collectionStatus'
            f'{attrs([("schemaVersion", 1), ("server", server), ("collected", collected), ("status", status), ("error", err)])}/>\n').encode()
