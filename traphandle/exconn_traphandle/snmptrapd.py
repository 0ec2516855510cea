"""Read one notification in snmptrapd's traphandle format.

snmptrapd (Net-SNMP 5.9, default `format execute "%B\\n%b\\n%V\\n%v\\n"`)
writes: the sender's host name (gethostbyaddr of the transport source, or
the address with -n), the transport address ("UDP: [a.b.c.d]:p->[x.y.z.w]:q"),
then one varbind per line, "OID value".  SNMPv1 traps arrive converted as
RFC 2576 says: snmpTrapOID.0 = enterprise.0.specific, and, after the payload,
snmpTrapAddress.0 (the v1 agent-addr), snmpTrapCommunity.0 and
snmpTrapEnterprise.0.

What was observed with snmptrapd 5.9.3 and relied on here:
  - OIDs are ".1.3.6..." with -On, "iso.3.6..." without MIBs, or symbolic
    ("SNMPv2-MIB::snmpTrapOID.0", "SNMPv2-SMI::enterprises.311...") when MIBs
    are loaded; all three are normalised to dotted numbers;
  - a v1 specific-trap is a signed 32-bit INTEGER on the wire, so an event id
    with the top bit set (0xC0000046) shows up as its 64-bit two's complement
    (...0.18446744072635809862): the last sub-identifier is taken mod 2**32;
  - strings are quoted with \\" and \\\\ escaped and may span lines (an
    embedded newline is printed as is); strings that are not printable ASCII
    are printed as quoted hex pairs ("C3 9C 6E "), decoded back to octets.
"""
import re

SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
TRAP_OID = "1.3.6.1.6.3.1.1.4.1.0"
TRAP_ENTERPRISE = "1.3.6.1.6.3.1.1.4.3.0"
TRAP_ADDRESS = "1.3.6.1.6.3.18.1.3.0"
TRAP_COMMUNITY = "1.3.6.1.6.3.18.1.4.0"

_NAMES = {
    "sysUpTime.0": SYS_UPTIME, "sysUpTimeInstance": SYS_UPTIME,
    "snmpTrapOID.0": TRAP_OID, "snmpTrapEnterprise.0": TRAP_ENTERPRISE,
    "snmpTrapAddress.0": TRAP_ADDRESS, "snmpTrapCommunity.0": TRAP_COMMUNITY,
}
_PREFIXES = [
    ("iso", "1"), ("enterprises", "1.3.6.1.4.1"), ("snmpModules", "1.3.6.1.6.3"),
    ("mib-2", "1.3.6.1.2.1"), ("private", "1.3.6.1.4"), ("internet", "1.3.6.1"),
]
_TYPE_PREFIX = re.compile(r"^(STRING|Hex-STRING|OID|IpAddress|Timeticks|INTEGER|"
                          r"Gauge32|Counter32|Counter64|Opaque|BITS|Network Address): ")
_HEX = re.compile(r"^(?:[0-9A-F]{2}[ \n]+)+$")
_NUMERIC = re.compile(r"^\d+(\.\d+)*$")


class TrapFormatError(ValueError):
    """The input is not one notification in the traphandle format."""


def norm_oid(text):
    """Dotted-number form of an OID as snmptrapd prints it; None if it is a
    symbolic name this module does not know."""
    s = _TYPE_PREFIX.sub("", text.strip())
    if "::" in s:
        s = s.split("::", 1)[1]
    s = s.lstrip(".")
    if s in _NAMES:
        return _NAMES[s]
    for name, num in _PREFIXES:
        if s == name or s.startswith(name + "."):
            s = num + s[len(name):]
            break
    return s if _NUMERIC.match(s) else None


def _unquote(body):
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            out.append(body[i + 1])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def decode_value(raw):
    """A varbind value as text: quoted strings unquoted (hex dumps decoded
    as UTF-8, else Windows-1252, the ANSI code page the translator sends),
    type prefixes dropped."""
    v = _TYPE_PREFIX.sub("", raw.strip("\n"))
    if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        body = _unquote(v[1:-1])
        if _HEX.match(body):   # always ends in a space: "41 42 "
            octets = bytes(int(h, 16) for h in body.split())
            try:
                return octets.decode("utf-8")
            except UnicodeDecodeError:
                return octets.decode("cp1252", errors="replace")
        return body
    return v.strip()


def _closes_quote(text):
    """Whether a value that starts with a quote has its closing quote."""
    if not text.startswith('"'):
        return True
    i = 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i == len(text) - 1
        i += 1
    return False


def parse(text, max_varbinds=256):
    """(host, transport address, [(oid or None, raw OID text, value)])."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) < 4:
        raise TrapFormatError("fewer than 4 lines (host, address, 2 varbinds)")
    host, address = lines[0].strip(), lines[1].strip()
    varbinds, cur = [], None
    for line in lines[2:]:
        if cur is not None and not _closes_quote(cur[1]):
            cur[1] += "\n" + line
            continue
        if cur is not None:
            varbinds.append(cur)
        name, _, value = line.partition(" ")
        if not name:
            raise TrapFormatError("varbind line without an OID: %r" % line[:80])
        cur = [name, value]
        if len(varbinds) >= max_varbinds:
            raise TrapFormatError("more than %d varbinds" % max_varbinds)
    if cur is not None:
        if not _closes_quote(cur[1]):
            raise TrapFormatError("unterminated quoted value of %s" % cur[0])
        varbinds.append(cur)
    return host, address, [(norm_oid(n), n, decode_value(v)) for n, v in varbinds]


def transport_ip(address):
    """The source IP of a transport address like
    "UDP: [192.0.2.1]:1234->[192.0.2.9]:162"; None when there is none."""
    m = re.search(r"\[([0-9a-fA-F:.]+)\]", address)
    return m.group(1) if m else None
