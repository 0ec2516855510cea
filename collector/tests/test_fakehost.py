"""exconn-collect against the stand-in host: a real smbd on loopback and our
MS-SCMR test server (fakehost.py).  Skipped (77 in CTest) without root/smbd."""
import glob
import os
import shutil
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

import fakehost

HERE = os.path.dirname(os.path.abspath(__file__))
LAUNCHER = os.path.join(HERE, "..", "exconn-collect")
NS = {"e": "http://schemas.microsoft.com/win/2004/08/events/event"}

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("smbd"),
                                reason="needs root and Samba's smbd")


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    d = tmp_path_factory.mktemp("exconn-collect-host")
    h = fakehost.FakeHost(str(d / "host"))
    h.start("EXCH01")
    yield h
    h.stop()


class Run:
    def __init__(self, tmp, host, password=None, extra_hosts="", timeout=10, name="EXCH01"):
        self.tmp, self.spool, self.state = tmp, tmp / "spool", tmp / "state"
        info = host.info()
        cred = tmp / "cred"
        cred.write_text(f"username = {info['user']}\npassword = {password or info['password']}\n")
        os.chmod(cred, 0o600)
        self.password = password or info["password"]
        self.conf = tmp / "collect.xml"
        self.conf.write_text(f"""<collect>
  <spool dir="{self.spool}"/>
  <state dir="{self.state}"/>
  <poll timeout="{timeout}"/>
  <host server="{name}" address="127.0.0.1" port="{info['smb_port']}" scmrPort="{info['scmr_port']}"
        credentials="{cred}" os="nt4" site="HQ"/>
  {extra_hosts.replace('CRED', str(cred))}
</collect>""")

    def once(self):
        t0 = time.monotonic()
        r = subprocess.run([sys.executable, LAUNCHER, "-c", str(self.conf), "--once"],
                           capture_output=True, text=True, timeout=120)
        self.took = time.monotonic() - t0
        assert r.returncode == 0, r.stderr
        self.log = r.stderr
        return self

    def take(self, sub, kind):
        """The spool files of KIND since the last take, removed like the agent does."""
        out = []
        for p in sorted(glob.glob(str(self.spool / sub / f"*-{kind}*.xml"))):
            out.append(ET.parse(p).getroot())
            os.unlink(p)
        return out

    def report(self):
        reps = self.take("reports", "report")
        assert len(reps) == 1, self.log
        return reps[0]

    def status(self, server="EXCH01"):
        return self.statuses()[server]

    def statuses(self):
        """{server: its one status record of the run}."""
        st = self.take("reports", "status")
        out = {s.get("server"): s for s in st}
        assert len(out) == len(st)
        return out


def conn(rep, name):
    return next((c for c in rep.findall("connector") if c.get("name") == name), None)


def test_healthy_host_fills_every_source(host, tmp_path):
    host.healthy("5.0.1457.7")
    r = Run(tmp_path, host).once()
    rep = r.report()
    assert rep.get("server") == "EXCH01" and rep.get("site") == "HQ"
    assert rep.find("server").attrib == {"exchangeVersion": "5.0.1457.7", "mtaVersion": "5.0.1457.7"}
    assert [c.get("service") for c in rep.findall("connector")] == \
        ["MSExchangeMSMI", "MSExchangeCCMC", "MSExchangeIMC", "MSExchangeMTA"]
    imc = conn(rep, "Internet Mail Service")
    assert imc.get("state") == "running" and imc.get("queueFile") == "ok"
    assert {q.get("name"): q.get("messages") for q in imc.findall("queue")} == \
        {"IMCDATA-IN": "0", "IMCDATA-OUT": "0"}
    assert [p.get("name") for p in rep.findall("comPort")] == ["COM1", "COM2"]
    assert r.status().get("status") == "ok"


def test_service_states_files_and_registry(host, tmp_path):
    host.healthy("4.0.994.1")
    host.service("MSExchangeMSMI", "stopped", 1066, 3)
    host.service("MSExchangeIMC", "stopped", 2140)
    host.service("MSExchangeCCMC", "absent")
    host.setmode(r"exchsrvr\imcdata\queue.dat", "+r")
    host.file(r"exchsrvr\imcdata\out\a.msg", size=700, mtime=time.time() - 120)
    host.reg_set(r"HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeMSMI\Parameters",
                 "Async Port", "sz", "COM1")
    host.reg_set(r"HKLM\SOFTWARE\Microsoft\RAS\TAPI DEVICES\Unimodem", "Address",
                 "multi_sz", "COM1", "COM2")
    host.reg_set(r"HKLM\SYSTEM\CurrentControlSet\Services\UPS", "Port", "sz", "COM2")
    try:
        r = Run(tmp_path, host).once()
        rep = r.report()
        assert rep.find("server").get("mtaVersion") == "4.0.994.1"
        msmi = conn(rep, "MS Mail Connector")
        assert (msmi.get("state"), msmi.get("win32ExitCode"), msmi.get("serviceExitCode"),
                msmi.get("comPort")) == ("stopped", "1066", "3", "COM1")
        assert conn(rep, "cc:Mail Connector") is None
        imc = conn(rep, "Internet Mail Service")
        assert (imc.get("win32ExitCode"), imc.get("queueFile")) == ("2140", "readOnly")
        out = next(q for q in imc.findall("queue") if q.get("name") == "IMCDATA-OUT")
        assert (out.get("messages"), out.get("bytes")) == ("1", "700")
        assert 110 <= int(out.get("oldestAge")) <= 200
        ports = {p.get("name"): [(c.get("kind"), c.get("name")) for c in p.findall("claimant")]
                 for p in rep.findall("comPort")}
        assert ports["COM1"] == [("msMailConnector", "MS Mail Connector (async)"),
                                 ("remoteAccess", "Remote Access Service")]
        assert ports["COM2"] == [("remoteAccess", "Remote Access Service"),
                                 ("ups", "Uninterruptible Power Supply")]
        host.setmode(r"exchsrvr\imcdata\queue.dat", "-r")
        host.file(r"exchsrvr\imcdata\queue.dat", delete=True)
        assert conn(r.once().report(), "Internet Mail Service").get("queueFile") == "missing"
    finally:
        host.file(r"exchsrvr\imcdata\out\a.msg", delete=True)
        host.service("MSExchangeCCMC", "running")
        for key, name in ((r"HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeMSMI\Parameters", "Async Port"),
                          (r"HKLM\SOFTWARE\Microsoft\RAS\TAPI DEVICES\Unimodem", "Address"),
                          (r"HKLM\SYSTEM\CurrentControlSet\Services\UPS", "Port")):
            host.reg_delete(key, name)


def _records(events):
    return [(e.find("e:System/e:Provider", NS).get("Name"),
             int(e.find("e:System/e:EventID", NS).text),
             int(e.find("e:System/e:EventRecordID", NS).text),
             [d.text for d in e.findall("e:EventData/e:Data", NS)])
            for doc in events for e in doc.findall("e:Event", NS)]


def test_events_forward_once_and_after_a_clear(host, tmp_path):
    host.healthy()
    host.clear_log("Application")
    r = Run(tmp_path, host)
    host.event("Application", "MSExchangeIMC", 4087, strings=["stopped", "x"])
    host.event("Application", "MSExchangeCCMC", 70, "warning")
    got = _records(r.once().take("events", "events-Application"))
    assert [(p, i, d) for p, i, _n, d in got] == [("MSExchangeIMC", 4087, ["stopped", "x"]),
                                                   ("MSExchangeCCMC", 70, [])]
    assert r.once().take("events", "events-Application") == []   # nothing twice
    host.event("Application", "MSExchangeIMC", 4006)
    assert [i for _p, i, _n, _d in _records(r.once().take("events", "events-Application"))] == [4006]
    host.clear_log("Application")
    host.event("Application", "MSExchangeCCMC", 70)
    got = _records(r.once().take("events", "events-Application"))
    assert [(p, i) for p, i, _n, _d in got] == [("MSExchangeCCMC", 70)]
    assert "log cleared" in r.log


def test_wrong_password_is_authfailed_and_never_shown(host, tmp_path):
    secret = "Wr0ng-Pass-Phrase"
    r = Run(tmp_path, host, password=secret).once()
    assert r.take("reports", "report") == []
    st = r.status()
    assert (st.get("status"), st.get("error")) == ("authFailed", "NT_STATUS_LOGON_FAILURE")
    blobs = [r.log]
    for p in glob.glob(str(tmp_path / "**" / "*"), recursive=True):
        if os.path.isfile(p) and not p.endswith("cred"):
            blobs.append(open(p, errors="replace").read())
    assert not [b for b in blobs if secret in b]
    (tmp_path / "good").mkdir()
    good = Run(tmp_path / "good", host).once()
    assert good.password not in good.log


def test_unreachable_and_blackholed_hosts_cost_only_their_timeout(host, tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    closed = s.getsockname()[1]
    s.close()
    hole = host.blackhole()
    extra = (f'<host server="DOWN" address="127.0.0.1" port="{closed}" credentials="CRED" timeout="3"/>\n'
             f'<host server="HOLE" address="127.0.0.1" port="{hole}" credentials="CRED" timeout="3"/>')
    r = Run(tmp_path, host, extra_hosts=extra).once()
    assert r.took < 3 + 3, r.took   # the three hosts in parallel: one timeout, not two
    st = r.statuses()
    assert st["DOWN"].get("status") == "unreachable"
    assert st["HOLE"].get("status") == "unreachable", st["HOLE"].attrib
    assert st["EXCH01"].get("status") == "ok"
    assert len(r.take("reports", "report")) == 1
