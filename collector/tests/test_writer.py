"""Report and status records, the spool naming, the cursor's exactly-once
publish, and the scheduler's timeouts (no SMB here: a poll function stands in)."""
import os
import shutil
import subprocess
import threading
import time

import pytest

from exconn_collect import config, cursors, poll, report, scheduler, spool

SCHEMA = os.path.join(os.path.dirname(__file__), "..", "..", "schemas", "exchange-status.xsd")


def sample():
    return {"server": {"exchangeVersion": "5.0.1457.7", "mtaVersion": "5.0.1457.7"},
            "connectors": [
                {"name": "MS Mail Connector", "type": "msMail", "service": "MSExchangeMSMI",
                 "state": "stopped", "win32ExitCode": 1066, "serviceExitCode": 3,
                 "comPort": "COM1", "queues": []},
                {"name": "Internet Mail Service", "type": "internetMail",
                 "service": "MSExchangeIMC", "state": "running", "win32ExitCode": 0,
                 "serviceExitCode": 0, "queueFile": "readOnly",
                 "queues": [{"name": "MTS-OUT", "kind": "mtsOut", "messages": 12},
                            {"name": "IMCDATA-OUT", "kind": "imcOutbound", "messages": 3,
                             "bytes": 4096, "oldestAge": 60}]}],
            "comPorts": [{"name": "COM1", "claimants": [
                ("msMailConnector", "MS Mail Connector (async)"),
                ("remoteAccess", "Remote Access Service")]}, {"name": "COM2", "claimants": []}]}


@pytest.mark.skipif(not shutil.which("xmllint"), reason="xmllint missing")
def test_report_validates_against_the_schema(tmp_path):
    p = tmp_path / "r.xml"
    p.write_bytes(report.report_xml("EXCH01", "HQ & Co", "2026-11-22T10:00:00Z", sample()))
    r = subprocess.run(["xmllint", "--noout", "--schema", SCHEMA, str(p)], capture_output=True)
    assert r.returncode == 0, r.stderr
    text = p.read_text()
    assert 'site="HQ &amp; Co"' in text and "bytes=" not in text.split("MTS-OUT")[1].split("/>")[0]


def test_unknown_fields_are_left_out():
    x = report.report_xml("E", None, "2026-11-22T10:00:00Z", {"connectors": [], "comPorts": []})
    assert b"<server" not in x and b"site=" not in x


def test_status_record_error_cut_at_utf8_boundary():
    x = report.status_xml("EXCH01", "2026-11-22T10:00:05Z", "authFailed", "\u00e9" * 200).decode()
    err = x.split('error="')[1].split('"')[0]
    assert len(err.encode()) == 254 and set(err) == {"\u00e9"}
    assert 'status="authFailed"' in x and x.startswith("<?xml")


def test_spool_names_sort_in_time_order_and_are_renamed(tmp_path):
    names = [os.path.basename(spool.spool_file(str(tmp_path), "reports", "EXCH01", k, b"<x/>"))
             for k in ("report", "status", "report")]
    assert names == sorted(names) and len(set(names)) == 3
    assert all(n.endswith(("-EXCH01-report.xml", "-EXCH01-status.xml")) for n in names)
    assert not [n for n in os.listdir(tmp_path / "reports") if n.startswith(".")]


# ------------------------------------------------------------------ exactly-once cursors
def test_publish_interrupted_before_rename_is_finished_on_recovery(tmp_path, monkeypatch):
    c = cursors.Cursors(str(tmp_path / "state"), str(tmp_path / "spool"))
    real = spool.publish

    def publish(directory, name):
        if directory == c.events_dir:   # killed just before the events rename
            raise KeyboardInterrupt
        return real(directory, name)
    monkeypatch.setattr(spool, "publish", publish)
    with pytest.raises(KeyboardInterrupt):
        c.publish("EXCH01", "Application", b"<Events/>", {"record": 7, "time": 70}, "events-Application")
    monkeypatch.setattr(spool, "publish", real)
    ev = tmp_path / "spool" / "events"
    assert [n for n in os.listdir(ev) if not n.startswith(".")] == []
    c2 = cursors.Cursors(str(tmp_path / "state"), str(tmp_path / "spool"))
    assert c2.get("EXCH01", "Application") == {"record": 7, "time": 70}
    assert len([n for n in os.listdir(ev) if not n.startswith(".")]) == 1
    assert c2.get("EXCH01", "Application") == {"record": 7, "time": 70}
    assert len(os.listdir(ev)) == 1


def test_publish_interrupted_after_rename_is_not_published_twice(tmp_path, monkeypatch):
    c = cursors.Cursors(str(tmp_path / "state"), str(tmp_path / "spool"))
    saves = []
    real = c._save

    def save(server, log, st):
        if len(saves) == 1:  # the commit after the rename
            raise KeyboardInterrupt
        saves.append(st)
        real(server, log, st)
    monkeypatch.setattr(c, "_save", save)
    with pytest.raises(KeyboardInterrupt):
        c.publish("EXCH01", "System", b"<Events/>", {"record": 3, "time": 30}, "events-System")
    ev = tmp_path / "spool" / "events"
    published = [n for n in os.listdir(ev) if not n.startswith(".")]
    assert len(published) == 1
    os.unlink(ev / published[0])  # the agent consumed it
    c2 = cursors.Cursors(str(tmp_path / "state"), str(tmp_path / "spool"))
    assert c2.get("EXCH01", "System") == {"record": 3, "time": 30}
    assert os.listdir(ev) == []


# ------------------------------------------------------------------ scheduler
def _cfg(tmp_path, n, timeout=1, concurrency=4):
    hosts = [config.Host(server=f"H{i}", address="127.0.0.1", credentials="/x", timeout=timeout,
                         logs=()) for i in range(n)]
    return config.Config(path="x", spool_dir=str(tmp_path / "spool"),
                         state_dir=str(tmp_path / "state"), concurrency=concurrency, hosts=hosts)


def test_blackholed_host_costs_only_its_timeout_and_writes_only_a_status(tmp_path):
    release = threading.Event()

    def fake_poll(host, _c):
        res = poll.Result(host=host, started=time.time())
        if host.server == "H0":
            release.wait(30)   # never answers within its timeout
        else:
            time.sleep(0.2)
        res.data = {"connectors": [], "comPorts": []}
        return res

    cfg = _cfg(tmp_path, 6, timeout=2, concurrency=2)
    t0 = time.monotonic()
    scheduler.Scheduler(cfg, fake_poll).run(once=True)
    took = time.monotonic() - t0
    release.set()
    # 5 good hosts at 0.2 s each on the one other slot, in parallel with H0's 2 s
    assert 2.0 <= took < 3.0, took
    names = sorted(os.listdir(tmp_path / "spool" / "reports"))
    h0 = [n for n in names if "-H0-" in n]
    assert len(h0) == 1 and h0[0].endswith("-status.xml")
    assert 'status="unreachable"' in (tmp_path / "spool" / "reports" / h0[0]).read_text()
    for i in range(1, 6):
        kinds = [n.rsplit("-", 1)[1] for n in names if f"-H{i}-" in n]
        assert kinds == ["report.xml", "status.xml"]


def test_failed_poll_writes_only_a_status_record(tmp_path):
    def fake_poll(host, _c):
        return poll.Result(host=host, started=time.time(), status="authFailed",
                           error="NT_STATUS_LOGON_FAILURE")
    scheduler.Scheduler(_cfg(tmp_path, 1), fake_poll).run(once=True)
    (name,) = os.listdir(tmp_path / "spool" / "reports")
    assert name.endswith("-H0-status.xml")
    assert 'status="authFailed" error="NT_STATUS_LOGON_FAILURE"' in \
        (tmp_path / "spool" / "reports" / name).read_text()


def test_failures_are_classified_without_the_password():
    from impacket.smbconnection import SessionError
    from exconn_collect import smbconn
    assert smbconn.classify(SessionError(0xC000006D), "pw") == ("authFailed", "NT_STATUS_LOGON_FAILURE")
    assert smbconn.classify(SessionError(0xC0000022))[0] == "accessDenied"
    assert smbconn.classify(SessionError(0xC0000034))[0] == "protocolError"
    e = OSError("Connection error (h:1)", ConnectionRefusedError(111, "Connection refused"))
    assert smbconn.classify(e) == ("unreachable", "Connection refused")
    assert smbconn.classify(TimeoutError("timed out")) == ("unreachable", "timed out")
    from impacket.nmb import NetBIOSTimeout   # a blackholed host, as impacket reports it
    assert smbconn.classify(NetBIOSTimeout()) == ("unreachable", "timed out")
    assert smbconn.classify(ValueError("bad pw-123 reply"), "pw-123") == \
        ("unknown", "ValueError: bad *** reply")
