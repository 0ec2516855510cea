"""SMB session to a host with the auth policy of its config entry, and the
classification of failures into contract A's collection statuses."""
import socket

from impacket import nt_errors, smb
from impacket.nmb import NetBIOSError, NetBIOSTimeout
from impacket.smbconnection import SMBConnection, SessionError
from impacket.dcerpc.v5 import transport
from impacket.dcerpc.v5.rpcrt import DCERPCException

AUTH_FAILED = {0xC000006D, 0xC000006A, 0xC0000064, 0xC000006E, 0xC000006F, 0xC0000070,
               0xC0000071, 0xC0000072, 0xC0000193, 0xC0000234, 0xC0000224}
ACCESS_DENIED = {0xC0000022, 0xC00000CC, 0xC0000203}
WIN32_ACCESS_DENIED = 5


class PollError(Exception):
    """A failed poll: STATUS is one of contract A's values."""

    def __init__(self, status, error):
        super().__init__(error)
        self.status, self.error = status, error


def connect(host, creds):
    """Logged-in SMBConnection.  NT 4.0 and Windows 2000 hosts (os="nt4"/"w2k")
    speak only SMB1 (NT LM 0.12), so they get exactly that; any other host
    SMB 3.0 only.  NTLMv1 is offered only to NT 4.0 hosts with auth="ntlmv1"
    (impacket falls back to it after NTLMv2 fails, on SMB1 only)."""
    from impacket.smb3structs import SMB2_DIALECT_30
    dialect = smb.SMB_DIALECT if host.os in ("nt4", "w2k") else SMB2_DIALECT_30
    conn = SMBConnection(host.address, host.address, preferredDialect=dialect,
                         sess_port=host.port, timeout=host.timeout)
    conn.login(creds.username, creds.password, creds.domain,
               ntlmFallback=(host.auth == "ntlmv1" and host.os == "nt4"))
    return conn


def bind_pipe(host, smb, pipe, uuid):
    """A bound DCE/RPC handle on named pipe PIPE of the host's SMB session."""
    t = transport.SMBTransport(host.address, host.port, pipe, smb_connection=smb)
    dce = t.get_dce_rpc()
    dce.connect()
    dce.bind(uuid)
    return dce


def _nt_name(code):
    name = nt_errors.ERROR_MESSAGES.get(code, (None,))[0]
    return "NT_" + name if name else f"NT status 0x{code:08X}"


def classify(exc, secret=""):
    """(status, error text) for an exception raised while polling."""
    if isinstance(exc, PollError):
        status, text = exc.status, exc.error
    elif isinstance(exc, SessionError):
        code = exc.getErrorCode()
        status = ("authFailed" if code in AUTH_FAILED else
                  "accessDenied" if code in ACCESS_DENIED else "protocolError")
        text = _nt_name(code)
    elif isinstance(exc, DCERPCException):
        code = exc.get_error_code() if hasattr(exc, "get_error_code") else None
        status = ("accessDenied" if code in (WIN32_ACCESS_DENIED, 0xC0000022)
                  else "protocolError")
        text = str(exc)
    elif isinstance(exc, (socket.timeout, TimeoutError, NetBIOSTimeout)):
        # a host that accepts and never answers (impacket's NetBIOS layer times out)
        status, text = "unreachable", "timed out"
    elif isinstance(exc, NetBIOSError) and not isinstance(exc, SessionError):
        status, text = "unreachable", str(exc)
    elif isinstance(exc, (ConnectionError, OSError)):
        # impacket wraps the socket error: OSError('Connection error (h:p)', <the error>)
        inner = next((a for a in exc.args if isinstance(a, OSError)), exc)
        status, text = "unreachable", inner.strerror or str(inner)
    elif isinstance(exc, (smb.SessionError,)):
        status, text = "protocolError", str(exc)
    else:
        status, text = "unknown", f"{type(exc).__name__}: {exc}"
    return status, scrub(text, secret)


def scrub(text, secret):
    """Never let a password through, whatever a library put in a message."""
    text = str(text)
    if secret:
        text = text.replace(secret, "***")
    return text
