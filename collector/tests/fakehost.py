#!/usr/bin/python3
"""A stand-in Exchange host on loopback: a real Samba smbd (admin share,
registry, event logs) plus our MS-SCMR test server (Samba refuses
QueryServiceStatus since 4.15), both on free 127.0.0.1 ports, everything in
one private directory.  Usable from Python (FakeHost) and from the shell:

  fakehost.py start DIR [--name EXCH01] [--version 5.0.1457.7]   prints ports
  fakehost.py stop DIR
  fakehost.py env DIR                       SMB_PORT=.. SCMR_PORT=.. SMB_USER=.. SMB_PASSWORD=.. NAME=..
  fakehost.py service DIR SERVICE STATE [--win32 N] [--specific N]  (STATE absent: uninstall)
  fakehost.py event DIR LOG SOURCE ID [--type error|warning|information] [--str S]...
  fakehost.py clear-log DIR LOG
  fakehost.py reg DIR set 'HKLM\\KEY' NAME sz|dword|multi_sz VALUE...
  fakehost.py reg DIR delete 'HKLM\\KEY' NAME
  fakehost.py file DIR 'exchsrvr\\bin\\emsmta.exe' --version A.B.C.D | --size N | --delete
  fakehost.py setmode DIR 'exchsrvr\\imcdata\\queue.dat' ro|rw (or +r, -- -r)
  fakehost.py perf DIR JSON        performance objects, e.g. '{"MSExchangeIMC": {"": {"Queued MTS-OUT": 3}}}'
                                   ("" = an object without instances)
  fakehost.py blackhole DIR        a TCP port that accepts and never answers

Needs root (smbd maps the SMB user to the Unix user root via a username map).
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pebuild  # noqa: E402

USER, PASSWORD = "exadmin", "Fake-Host-Pw1"
STATES = {"stopped": 1, "startPending": 2, "stopPending": 3, "running": 4,
          "continuePending": 5, "pausePending": 6, "paused": 7}
DCERPCD = "/usr/libexec/samba/samba-dcerpcd"
EVENT_TYPES = {"error": "ERROR", "warning": "WARNING", "information": "INFO"}

SMB_CONF = """[global]
  netbios name = {name}
  workgroup = FAKEDOM
  server role = standalone server
  interfaces = 127.0.0.1/8
  bind interfaces only = yes
  smb ports = {port}
  disable netbios = yes
  server min protocol = NT1
  ntlm auth = ntlmv1-permitted
  private dir = {d}/private
  lock directory = {d}/lock
  state directory = {d}/state
  cache directory = {d}/cache
  pid directory = {d}/pid
  ncalrpc dir = {d}/ncalrpc
  log file = {d}/log/smbd.log
  log level = 1
  passdb backend = tdbsam:{d}/private/passdb.tdb
  username map = {d}/usermap
  eventlog list = Application System
  load printers = no
  printcap name = /dev/null
  disable spoolss = yes
  store dos attributes = yes
  # started up front by fakehost.py: several smbd children starting it on
  # demand at the same moment race, and the losers' clients hang (4.17)
  rpc start on demand helpers = no
[C$]
  path = {d}/c
  read only = no
  store dos attributes = yes
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, limit=15.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {limit} s")


def wait_path(path, limit=15.0):
    end = time.monotonic() + limit
    while not os.path.exists(path):
        if time.monotonic() > end:
            raise RuntimeError(f"{path} did not appear within {limit} s")
        time.sleep(0.05)


class FakeHost:
    def __init__(self, d):
        self.d = os.path.abspath(d)
        self.conf = os.path.join(self.d, "smb.conf")
        self.c = os.path.join(self.d, "c")

    # ---------------------------------------------------------------- state
    def info(self):
        with open(os.path.join(self.d, "fakehost.json")) as f:
            return json.load(f)

    def _save_info(self, info):
        tmp = os.path.join(self.d, ".fakehost.json.tmp")
        with open(tmp, "w") as f:
            json.dump(info, f)
        os.rename(tmp, os.path.join(self.d, "fakehost.json"))

    def _run(self, *cmd, stdin=None):
        r = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip() or r.stdout.strip()}")
        return r.stdout

    # ---------------------------------------------------------------- start/stop
    def start(self, name="EXCH01", version="5.0.1457.7", smb_port=0, scmr_port=0):
        if os.geteuid() != 0:
            raise PermissionError("the fake host needs root (smbd)")
        for sub in ("private", "lock", "state", "cache", "pid", "log", "ncalrpc",
                    r"c/exchsrvr/bin", "c/exchsrvr/imcdata/in", "c/exchsrvr/imcdata/out"):
            os.makedirs(os.path.join(self.d, sub), exist_ok=True)
        smb_port = smb_port or free_port()
        with open(self.conf, "w") as f:
            f.write(SMB_CONF.format(name=name, port=smb_port, d=self.d))
        with open(os.path.join(self.d, "usermap"), "w") as f:
            f.write(f"root = {USER}\n")
        self._run("pdbedit", "-s", self.conf, "-a", "-t", "-u", "root",
                  stdin=f"{PASSWORD}\n{PASSWORD}\n")
        self._run("smbd", "-s", self.conf, "-D")  # own session: smbd signals its group on exit
        self._run(DCERPCD, "-s", self.conf, "-D", "--libexec-rpcds")
        scmr_port = scmr_port or free_port()
        with open(os.path.join(self.d, "log", "scmr.log"), "ab") as log:
            scmr = subprocess.Popen([sys.executable, os.path.abspath(__file__), "scmr-serve",
                                     self.d, str(scmr_port)], stdout=log, stderr=log,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        info = {"name": name, "smb_port": smb_port, "scmr_port": scmr_port,
                "scmr_pid": scmr.pid, "user": USER, "password": PASSWORD}
        self._save_info(info)
        wait_port(smb_port)
        wait_port(scmr_port)
        wait_path(os.path.join(self.d, "ncalrpc", "np", "winreg"))
        self.healthy(version)
        return info

    def _pids(self):
        """Our processes: those whose command line names this host's
        directory (smbd, samba-dcerpcd, rpcd_* helpers, our servers)."""
        pids, me = [], str(os.getpid())
        for p in os.listdir("/proc"):
            if not p.isdigit() or p == me:
                continue
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    cmd = f.read().decode("utf-8", "replace")
            except OSError:
                continue
            if self.d + "/" in cmd or self.d in cmd.split("\0"):
                pids.append(int(p))
        info = self.info() if os.path.exists(os.path.join(self.d, "fakehost.json")) else {}
        pids += [info[k] for k in ("scmr_pid", "blackhole_pid") if info.get(k)]
        return sorted(set(pids))

    def stop(self):
        pids = self._pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        end = time.monotonic() + 5
        for pid in pids:
            while time.monotonic() < end:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
            else:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    # ---------------------------------------------------------------- host content
    def healthy(self, version="5.0.1457.7"):
        """A healthy Exchange 5.0 server: connector services running, binaries
        with version resources, empty IMC queues, COM1/COM2, no claimant."""
        for svc in ("MSExchangeIMC", "MSExchangeMSMI", "MSExchangeCCMC", "MSExchangeMTA"):
            self.service(svc, "running")
        self.file(r"exchsrvr\bin\emsmta.exe", version=version)
        self.file(r"exchsrvr\bin\store.exe", version=version)
        self.file(r"exchsrvr\imcdata\queue.dat", size=512)
        self.reg_set(r"HKLM\HARDWARE\DEVICEMAP\SERIALCOMM", "Serial0", "sz", "COM1")
        self.reg_set(r"HKLM\HARDWARE\DEVICEMAP\SERIALCOMM", "Serial1", "sz", "COM2")

    def service(self, name, state, win32=0, specific=0):
        path = os.path.join(self.d, "services.json")
        try:
            with open(path) as f:
                svcs = json.load(f)
        except OSError:
            svcs = {}
        if state == "absent":
            svcs.pop(name, None)
        else:
            svcs[name] = {"state": STATES[state], "win32": win32, "specific": specific}
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(svcs, f)
        os.rename(tmp, path)

    def _path(self, rel):
        return os.path.join(self.c, *rel.replace("\\", "/").split("/"))

    def file(self, rel, version=None, size=None, delete=False, mtime=None):
        p = self._path(rel)
        if delete:
            if os.path.exists(p):
                os.chmod(p, 0o644)
                os.unlink(p)
            return
        os.makedirs(os.path.dirname(p), exist_ok=True)
        data = pebuild.build_pe(version) if version else b"x" * (size or 0)
        with open(p, "wb") as f:
            f.write(data)
        if mtime is not None:
            os.utime(p, (mtime, mtime))

    def setmode(self, rel, mode):
        info = self.info()
        self._run("smbclient", "-s", self.conf, "-p", str(info["smb_port"]),
                  "-U", f"{USER}%{PASSWORD}", "//127.0.0.1/C$", "-c", f"setmode {rel} {mode}")

    def reg_set(self, key, name, rtype, *values):
        """REG_SZ/DWORD through `net registry setvalue`; REG_MULTI_SZ through
        an imported .reg file (setvalue stores MULTI_SZ wrongly)."""
        self._run("net", "-s", self.conf, "registry", "createkey", key)
        if rtype != "multi_sz":
            self._run("net", "-s", self.conf, "registry", "setvalue", key, name, rtype, *values)
            return
        hexs = ",".join(f"{b:02x}" for b in ("\0".join(values) + "\0\0").encode("utf-16-le"))
        reg = os.path.join(self.d, "import.reg")
        hive = key.replace("HKLM\\", "HKEY_LOCAL_MACHINE\\", 1)
        with open(reg, "w") as f:
            # (Samba's importer ignores values under a REGEDIT4 header)
            f.write(f'Windows Registry Editor Version 5.00\n\n[{hive}]\n"{name}"=hex(7):{hexs}\n\n')
        self._run("net", "-s", self.conf, "registry", "import", reg)

    def reg_delete(self, key, name):
        try:
            self._run("net", "-s", self.conf, "registry", "deletevalue", key, name)
        except RuntimeError as e:
            if "not found" not in str(e).lower() and "WERR_FILE_NOT_FOUND" not in str(e):
                raise

    def event(self, log, source, eid, etype="error", strings=(), when=None):
        t = int(when or time.time())
        lines = [f"TMG: {t}", f"TMW: {t}", f"EID: {eid}", f"ETP: {EVENT_TYPES[etype]}",
                 "ECT: 0", "RS2: 0", "CRN: 0", "USL: 0", f"SRC: {source}",
                 f"SRN: {self.info()['name']}"]
        lines += [f"STR: {s}" for s in strings] + ["DAT:", "", ""]
        self._run("eventlogadm", "-s", self.conf, "-o", "write", log, stdin="\n".join(lines))

    def clear_log(self, log):
        """ElfrClearELFW over the host's own \\pipe\\eventlog, as an admin would."""
        from impacket.smbconnection import SMBConnection
        from impacket.dcerpc.v5 import even, transport
        info = self.info()
        c = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=info["smb_port"], timeout=10)
        c.login(USER, PASSWORD, "")
        t = transport.SMBTransport("127.0.0.1", info["smb_port"], r"\eventlog", smb_connection=c)
        dce = t.get_dce_rpc()
        dce.connect()
        dce.bind(even.MSRPC_UUID_EVEN)
        h = even.hElfrOpenELW(dce, log + "\x00", "\x00")["LogHandle"]
        even.hElfrClearELFW(dce, h)
        even.hElfrCloseEL(dce, h)
        c.close()

    def perf(self, objects, size=8):
        """Serve OBJECTS ({object: {instance or None: {counter: value}}}) as the
        host's performance data: Samba's HKEY_PERFORMANCE_DATA is built from
        STATE/perfmon/names.tdb and data.tdb (source3/registry/reg_perfcount.c:
        names and help at even/odd indexes, "<i>rel" p / c[parent], "<i>type",
        "<obj>inst", "<obj>i<k>name"; values in data.tdb as "<counter>" and,
        per instance, "<obj>i<k>" = the raw counter block).  SIZE: the bytes
        Samba gives a DWORD counter (sizeof(long) there: 8 on 64-bit)."""
        import struct
        import tdb
        d = os.path.join(self.d, "state", "perfmon")
        os.makedirs(d, exist_ok=True)
        names, data = {}, {}
        i = 0
        for obj, insts in objects.items():
            i += 1
            oidx = 2 * i
            names.update({str(oidx): obj, str(oidx + 1): obj, f"{oidx}rel": "p"})
            counters = list(next(iter(insts.values())).keys()) if insts else []
            cidx = {}
            for c in counters:
                i += 1
                cidx[c] = 2 * i
                names.update({str(2 * i): c, str(2 * i + 1): c, f"{2 * i}rel": f"c[{oidx}]",
                              f"{2 * i}type": str(0x00010000)})   # PERF_COUNTER_RAWCOUNT
            if list(insts) == [None]:
                data.update({str(cidx[c]): str(v) for c, v in insts[None].items()})
                continue
            names[f"{oidx}inst"] = str(len(insts))
            data.update({str(cidx[c]): "0" for c in counters})
            for k, (iname, vals) in enumerate(insts.items()):
                names[f"{oidx}i{k}name"] = iname
                data[f"{oidx}i{k}"] = b"".join(
                    struct.pack("<Q" if size == 8 else "<I", vals[c]) for c in counters)
        names["1"] = str(i)
        names["0PerfFreq"] = "1000"
        data.update({"0PerfTime": "0", "0PerfTime100nSec": "0"})
        for fname, content in (("names.tdb", names), ("data.tdb", data)):
            tmp = os.path.join(d, "." + fname)
            db = tdb.Tdb(tmp, 0, tdb.DEFAULT, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
            for k, v in content.items():
                db[k.encode()] = v if isinstance(v, bytes) else v.encode()
            db.close()
            os.rename(tmp, os.path.join(d, fname))

    def blackhole(self):
        """Start a listener that accepts connections and never answers."""
        port = free_port()
        p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "blackhole-serve",
                              str(port)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        info = self.info()
        info.update(blackhole_port=port, blackhole_pid=p.pid)
        self._save_info(info)
        wait_port(port)
        return port


# -------------------------------------------------------------------- SCMR server
def scmr_serve(d, port):
    """MS-SCMR over ncacn_ip_tcp: ROpenSCManagerW, ROpenServiceW,
    RQueryServiceStatus, RCloseServiceHandle, answering from DIR/services.json
    (re-read on every call, so the shell can change states between polls)."""
    from impacket.dcerpc.v5 import scmr
    from impacket.dcerpc.v5.rpcrt import DCERPCServer

    def services():
        try:
            with open(os.path.join(d, "services.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    names = {}

    def open_scm(data):
        resp = scmr.ROpenSCManagerWResponse()
        resp["lpScHandle"] = b"SCM" + b"\0" * 17
        resp["ErrorCode"] = 0
        return resp.getData()

    def open_service(data):
        req = scmr.ROpenServiceW(data)
        name = req["lpServiceName"].rstrip("\0")
        resp = scmr.ROpenServiceWResponse()
        if name not in services():
            resp["lpServiceHandle"] = b"\0" * 20
            resp["ErrorCode"] = 1060  # ERROR_SERVICE_DOES_NOT_EXIST
        else:
            h = b"SVC" + len(names).to_bytes(4, "little") + b"\0" * 13
            names[h] = name
            resp["lpServiceHandle"] = h
            resp["ErrorCode"] = 0
        return resp.getData()

    def query_status(data):
        req = scmr.RQueryServiceStatus(data)
        h = req["hService"]
        name = names.get(h if isinstance(h, bytes) else h.getData())
        st = services().get(name) if name else None
        resp = scmr.RQueryServiceStatusResponse()
        s = resp["lpServiceStatus"]
        s["dwServiceType"] = 0x10
        s["dwCurrentState"] = st["state"] if st else 0
        s["dwControlsAccepted"] = 0
        s["dwWin32ExitCode"] = st["win32"] if st else 0
        s["dwServiceSpecificExitCode"] = st["specific"] if st else 0
        s["dwCheckPoint"] = s["dwWaitHint"] = 0
        resp["ErrorCode"] = 0 if st else 6  # ERROR_INVALID_HANDLE
        return resp.getData()

    def close(data):
        resp = scmr.RCloseServiceHandleResponse()
        resp["hSCObject"] = b"\0" * 20
        resp["ErrorCode"] = 0
        return resp.getData()

    callbacks = {0: close, 6: query_status, 15: open_scm, 16: open_service}

    class Conn(DCERPCServer):
        """One client connection (DCERPCServer serves one client at a time;
        a poller must not wait for another poller's connection to close)."""

        def __init__(self, sock):  # noqa: super().__init__ would bind a socket
            threading.Thread.__init__(self, daemon=True)
            self._listenUUIDS, self._boundUUID, self._clientSock = {}, b"", sock
            self._callid, self._max_frag, self._max_xmit_size = 1, None, 4280
            self._DCERPCServer__log = __import__("logging").getLogger("fakehost")
            self.addCallbacks(("367ABB81-9844-35F1-AD32-98F038001003", "2.0"),
                              "\\PIPE\\svcctl", callbacks)

        def run(self):
            try:
                while True:
                    data = self.recv()
                    if data is None:
                        break
                    answer = self.processRequest(data)
                    if answer is not None:
                        self.send(answer)
            except Exception:  # noqa: BLE001 - a broken client ends its connection only
                pass
            self._clientSock.close()

    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(64)
    while True:
        sock, _addr = srv.accept()
        Conn(sock).start()


def blackhole_serve(port):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(128)
    held = []
    while True:
        held.append(srv.accept()[0])


# -------------------------------------------------------------------- CLI
def main(argv=None):
    ap = argparse.ArgumentParser(prog="fakehost.py")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("start")
    p.add_argument("dir")
    p.add_argument("--name", default="EXCH01")
    p.add_argument("--version", default="5.0.1457.7")
    for c in ("stop", "env", "blackhole"):
        sub.add_parser(c).add_argument("dir")
    p = sub.add_parser("service")
    p.add_argument("dir")
    p.add_argument("name")
    p.add_argument("state", choices=list(STATES) + ["absent"])
    p.add_argument("--win32", type=int, default=0)
    p.add_argument("--specific", type=int, default=0)
    p = sub.add_parser("event")
    for a in ("dir", "log", "source"):
        p.add_argument(a)
    p.add_argument("id", type=int)
    p.add_argument("--type", default="error", choices=list(EVENT_TYPES))
    p.add_argument("--str", action="append", default=[])
    p = sub.add_parser("clear-log")
    p.add_argument("dir")
    p.add_argument("log")
    p = sub.add_parser("reg")
    p.add_argument("dir")
    p.add_argument("op", choices=["set", "delete"])
    p.add_argument("key")
    p.add_argument("name")
    p.add_argument("type", nargs="?")
    p.add_argument("values", nargs="*")
    p = sub.add_parser("file")
    p.add_argument("dir")
    p.add_argument("path")
    p.add_argument("--version")
    p.add_argument("--size", type=int)
    p.add_argument("--age", type=int, help="mtime this many seconds ago")
    p.add_argument("--delete", action="store_true")
    p = sub.add_parser("setmode")
    p.add_argument("dir")
    p.add_argument("path")
    p.add_argument("mode", choices=["+r", "-r", "ro", "rw"], help="ro/rw: +r/-r without the dash")
    p = sub.add_parser("perf")
    p.add_argument("dir")
    p.add_argument("json")
    p = sub.add_parser("scmr-serve")
    p.add_argument("dir")
    p.add_argument("port", type=int)
    p = sub.add_parser("blackhole-serve")
    p.add_argument("port", type=int)
    a = ap.parse_args(argv)

    if a.cmd == "scmr-serve":
        return scmr_serve(os.path.abspath(a.dir), a.port)
    if a.cmd == "blackhole-serve":
        return blackhole_serve(a.port)
    h = FakeHost(a.dir)
    if a.cmd in ("start", "env"):
        info = h.start(a.name, a.version) if a.cmd == "start" else h.info()
        print(f"SMB_PORT={info['smb_port']} SCMR_PORT={info['scmr_port']} "
              f"SMB_USER={info['user']} SMB_PASSWORD={info['password']} NAME={info['name']}")
    elif a.cmd == "stop":
        h.stop()
    elif a.cmd == "blackhole":
        print(h.blackhole())
    elif a.cmd == "service":
        h.service(a.name, a.state, a.win32, a.specific)
    elif a.cmd == "event":
        h.event(a.log, a.source, a.id, a.type, a.str)
    elif a.cmd == "clear-log":
        h.clear_log(a.log)
    elif a.cmd == "reg":
        if a.op == "set":
            h.reg_set(a.key, a.name, a.type, *a.values)
        else:
            h.reg_delete(a.key, a.name)
    elif a.cmd == "file":
        h.file(a.path, a.version, a.size, a.delete,
               time.time() - a.age if a.age is not None else None)
    elif a.cmd == "perf":
        objs = json.loads(a.json)
        h.perf({o: {(i or None): v for i, v in insts.items()} for o, insts in objs.items()})
    elif a.cmd == "setmode":
        h.setmode(a.path, {"ro": "+r", "rw": "-r"}.get(a.mode, a.mode))
    return 0


if __name__ == "__main__":
    sys.exit(main())
