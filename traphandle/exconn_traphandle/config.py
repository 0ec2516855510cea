"""/etc/exconn/traphandle.xml: where the spool is, where the counters go,
and which agent address is which published server.

    <traphandle>
      <spool dir="/var/spool/exconn"/>
      <state dir="/var/lib/exconn/traphandle"/>
      <reverseDns use="false"/>
      <host address="192.0.2.10" server="EXCH01"/>
    </traphandle>

A trap's agent address (snmpTrapAddress.0, the v1 agent-addr; else the UDP
source) is looked up in the <host> table; with <reverseDns use="true"/> an
address not in the table takes the host name snmptrapd resolved for the
sender (its first line), up to the first dot, upper-cased.
"""
import ipaddress
import re
import xml.etree.ElementTree as ET

DEFAULT_PATH = "/etc/exconn/traphandle.xml"
SERVER_RE = re.compile(r"^[A-Za-z0-9!#$%&'()\-@^_`{}~]{1,32}$")   # NetBIOS name characters


class ConfigError(ValueError):
    pass


def server_name_ok(name):
    return bool(SERVER_RE.match(name)) and not name.startswith(".")


class Config:
    def __init__(self, spool, state, reverse_dns, hosts):
        self.spool, self.state, self.reverse_dns, self.hosts = spool, state, reverse_dns, hosts

    def server_for(self, address, resolved_name):
        """The published server name for a trap, or None."""
        try:
            key = str(ipaddress.ip_address(address)) if address else None
        except ValueError:
            key = None
        if key in self.hosts:
            return self.hosts[key]
        if self.reverse_dns and resolved_name and resolved_name != "<UNKNOWN>":
            try:
                ipaddress.ip_address(resolved_name)
                return None        # snmptrapd -n, or no PTR record
            except ValueError:
                pass
            short = resolved_name.split(".", 1)[0].upper()
            return short if server_name_ok(short) else None
        return None


def _bool(v, where):
    if v in ("true", "1"):
        return True
    if v in ("false", "0"):
        return False
    raise ConfigError("%s: expected true or false, got %r" % (where, v))


def load(path):
    with open(path, "rb") as f:
        raw = f.read(1 << 20)
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise ConfigError("%s: DOCTYPE declarations are not accepted" % path)
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as e:
        raise ConfigError("%s: %s" % (path, e)) from None
    if root.tag != "traphandle":
        raise ConfigError("%s: root element must be <traphandle>" % path)
    spool, state, rdns, hosts = "/var/spool/exconn", "/var/lib/exconn/traphandle", False, {}
    for el in root:
        where = "%s: <%s>" % (path, el.tag)
        if el.tag == "spool":
            spool = el.get("dir") or _missing(where, "dir")
        elif el.tag == "state":
            state = el.get("dir") or _missing(where, "dir")
        elif el.tag == "reverseDns":
            rdns = _bool(el.get("use", "true"), where)
        elif el.tag == "host":
            addr, server = el.get("address"), el.get("server")
            if not addr or not server:
                raise ConfigError("%s: needs address and server" % where)
            try:
                addr = str(ipaddress.ip_address(addr))
            except ValueError:
                raise ConfigError("%s: address %r is not an IP address" % (where, addr)) from None
            if not server_name_ok(server):
                raise ConfigError("%s: %r is not a server name (1-32 NetBIOS characters)"
                                  % (where, server))
            if addr in hosts:
                raise ConfigError("%s: address %s given twice" % (where, addr))
            hosts[addr] = server.upper()
        else:
            raise ConfigError("%s: unknown element" % where)
    return Config(spool, state, rdns, hosts)


def _missing(where, attr):
    raise ConfigError("%s: missing %s" % (where, attr))
