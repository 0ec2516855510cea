"""Service state over MS-SCMR, and its mapping to the report's connector rows.

ROpenSCManagerW / ROpenServiceW / RQueryServiceStatus / RCloseServiceHandle,
nothing else (read-only access masks).  A service that is not installed
(ERROR_SERVICE_DOES_NOT_EXIST) gives no row.
"""
from impacket.dcerpc.v5 import scmr, transport

from .smbconn import bind_pipe

# service -> (connector name, type): the names Exchange Administrator shows
CONNECTOR_SERVICES = (
    ("MSExchangeMSMI", "MS Mail Connector", "msMail"),
    ("MSExchangeCCMC", "cc:Mail Connector", "ccMail"),
    ("MSExchangeIMC", "Internet Mail Service", "internetMail"),
    ("MSExchangeMTA", "Message Transfer Agent", "other"),
)

STATES = {1: "stopped", 2: "startPending", 3: "stopPending", 4: "running",
          5: "continuePending", 6: "pausePending", 7: "paused"}

ERROR_SERVICE_DOES_NOT_EXIST = 1060
SC_MANAGER_CONNECT = 0x0001
SC_MANAGER_ENUMERATE_SERVICE = 0x0004
SERVICE_QUERY_STATUS = 0x0004


def connector_row(service, status):
    """Map a SERVICE_STATUS (dict with dwCurrentState, dwWin32ExitCode,
    dwServiceSpecificExitCode) to a connector row dict."""
    name, ctype = next((n, t) for s, n, t in CONNECTOR_SERVICES if s == service)
    win32 = status["dwWin32ExitCode"] & 0xFFFFFFFF
    row = {"name": name, "type": ctype, "service": service,
           "state": STATES.get(status["dwCurrentState"], "unknown"),
           "win32ExitCode": win32, "queues": []}
    # the service-specific code means something only with ERROR_SERVICE_SPECIFIC_ERROR
    row["serviceExitCode"] = (status["dwServiceSpecificExitCode"] & 0xFFFFFFFF
                              if win32 == 1066 else 0)
    return row


def open_dce(host, smb, timeout):
    """A bound SCMR DCE/RPC handle: \\pipe\\svcctl over SMB, or TCP when the
    host entry names an scmrPort (a host or test server that offers it)."""
    if not host.scmr_port:
        return bind_pipe(host, smb, r"\svcctl", scmr.MSRPC_UUID_SCMR)
    t = transport.DCERPCTransportFactory(f"ncacn_ip_tcp:{host.address}[{host.scmr_port}]")
    t.set_connect_timeout(timeout)
    dce = t.get_dce_rpc()
    dce.connect()
    dce.bind(scmr.MSRPC_UUID_SCMR)
    return dce


def query(dce):
    """{service: SERVICE_STATUS dict} for the installed connector services."""
    out = {}
    scm = scmr.hROpenSCManagerW(dce, dwDesiredAccess=SC_MANAGER_CONNECT)["lpScHandle"]
    try:
        for service, _n, _t in CONNECTOR_SERVICES:
            try:
                h = scmr.hROpenServiceW(dce, scm, service + "\x00",
                                        SERVICE_QUERY_STATUS)["lpServiceHandle"]
            except scmr.DCERPCSessionError as e:
                if e.get_error_code() == ERROR_SERVICE_DOES_NOT_EXIST:
                    continue
                raise
            try:
                st = scmr.hRQueryServiceStatus(dce, h)["lpServiceStatus"]
                out[service] = {k: st[k] for k in ("dwCurrentState", "dwWin32ExitCode",
                                                   "dwServiceSpecificExitCode")}
            finally:
                scmr.hRCloseServiceHandle(dce, h)
    finally:
        scmr.hRCloseServiceHandle(dce, scm)
    return out
