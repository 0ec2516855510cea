"""One poll of one host: every source, gathered in memory.  Nothing is
written here: the scheduler's single writer publishes the result, so a poll
abandoned at its timeout can never write late."""
import logging
import time
from dataclasses import dataclass, field

from . import comports, credentials, perfdata, scmr, smbconn
from .eventlog import EventLog
from .files import Share
from .registry import Registry

LOG = logging.getLogger("exconn-collect")
MAX_EVENTS_PER_LOG = 5000


@dataclass
class Result:
    host: object
    started: float
    status: str = "ok"
    error: str = None
    data: dict = None
    events: list = field(default_factory=list)   # (log, records, new cursor)
    notes: list = field(default_factory=list)    # (level, message)


def event_start(cur, oldest, count, record_time, host_start="oldest"):
    """Where to resume a log: (first record to read, note or None).

    CUR is the saved {'record', 'time'} or None.  The cursor's record must
    still be there with the same time; otherwise the log was cleared or it
    wrapped past us, and reading restarts at its oldest record."""
    newest = oldest + count - 1 if count else oldest - 1
    if cur is None:
        return (oldest if host_start == "oldest" else newest + 1), None
    last = cur["record"]
    if count == 0:
        return oldest, (None if last < oldest else
                        f"log empty (cleared?) after record {last}; waiting for new records")
    if last > newest:
        return oldest, f"record numbers went back (newest {newest} < cursor {last}): log cleared"
    if last == oldest - 1:
        return oldest, None
    if last < oldest:
        return oldest, f"records {last + 1}..{oldest - 1} are gone (log wrapped or cleared)"
    if record_time(last) != cur["time"]:
        return oldest, f"record {last} is not the one read before: log cleared"
    return last + 1, None


def _events(res, host, smb, cursors):
    ev = EventLog(host, smb)
    for log in host.logs:
        h = ev.open(log)
        try:
            oldest, count = ev.bounds(h)
            cur = cursors.peek(host.server, log)
            first, note = event_start(cur, oldest, count, lambda n: ev.record_time(h, n))
            if note:
                res.notes.append((logging.WARNING, f"{host.server} {log}: {note}"))
            recs = ev.read(h, first, MAX_EVENTS_PER_LOG) if count else []
            recs = [r for r in recs if r["record"] >= first]
            if recs:
                res.events.append((log, recs, {"record": recs[-1]["record"],
                                               "time": recs[-1]["time"]}))
            elif note and cur is not None:
                # nothing to publish: move the cursor to just before the oldest
                res.events.append((log, [], {"record": oldest - 1, "time": None}))
        finally:
            ev.close(h)


def _perf(res, host, reg, mta_state):
    """Perf counters when the host serves them; unknown (left out) if not."""
    try:
        block = reg.perf_data()
        if not block:
            return [], []
        counters = perfdata.parse(block, reg.perf_names())
    except Exception as e:  # noqa: BLE001 - optional source
        res.notes.append((logging.INFO, f"{host.server}: no performance data: "
                          f"{smbconn.classify(e)[1]}"))
        return [], []
    return perfdata.imc_queues(counters), perfdata.x400_connectors(counters, mta_state)


def gather(host, smb, cursors, res):
    dce = scmr.open_dce(host, smb, host.timeout)
    try:
        services = scmr.query(dce)
    finally:
        dce.disconnect()
    conns = {s: scmr.connector_row(s, st) for s, st in services.items()}
    reg = Registry(host, smb)
    ports_raw = comports.gather(reg)
    share = Share(smb, host)
    server = share.versions()
    imc = conns.get("MSExchangeIMC")
    if imc is not None:
        rows, qfile = share.imc_queues()
        imc["queues"].extend(rows)
        if qfile:
            imc["queueFile"] = qfile
    msmi = conns.get("MSExchangeMSMI")
    if msmi is not None and comports.port_name(ports_raw.get("msmi")):
        msmi["comPort"] = comports.port_name(ports_raw["msmi"])
    mta = conns.get("MSExchangeMTA")
    x400 = []
    if host.perf:
        mts, x400 = _perf(res, host, reg, mta["state"] if mta else "unknown")
        if imc is not None:
            imc["queues"][:0] = mts
    _events(res, host, smb, cursors)
    order = [s for s, _n, _t in scmr.CONNECTOR_SERVICES if s in conns]
    res.data = {"server": server, "connectors": [conns[s] for s in order] + x400,
                "comPorts": comports.claimants(ports_raw)}


def poll(host, cursors):
    res = Result(host=host, started=time.time())
    secret = ""
    smb = None
    try:
        creds = credentials.load(host.credentials)
        secret = creds.password
        smb = smbconn.connect(host, creds)
        gather(host, smb, cursors, res)
    except credentials.CredentialsError as e:
        res.status, res.error, res.data = "unknown", f"credentials: {e}", None
    except Exception as e:  # noqa: BLE001 - every failure becomes a status
        res.status, res.error = smbconn.classify(e, secret)
        res.data, res.events = None, []
    finally:
        if smb is not None:
            try:
                smb.close()
            except Exception:  # noqa: BLE001
                pass
    return res
