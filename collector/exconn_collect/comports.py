"""COM ports and their claimants, from registry values (SPEC section 3).

Where each claimant's setting lives (HKLM-relative):
  serial ports present     HARDWARE\\DEVICEMAP\\SERIALCOMM (values: port names)
  UPS service              SYSTEM\\CurrentControlSet\\Services\\UPS, Port
  RAS / TAPI devices       SOFTWARE\\Microsoft\\RAS\\TAPI DEVICES\\<provider>, Address
                           (REG_MULTI_SZ of ports; NT 4.0 RAS)
  modems                   SYSTEM\\CurrentControlSet\\Control\\Class\\{4D36E96D-...}\\NNNN,
                           AttachedTo (+ FriendlyName / DriverDesc)
  MS Mail Connector async  MSMI_ASYNC below  } locations not confirmed on a real host:
  NT multitasking MTA      MTA_ASYNC below   } see docs/collector.md
"""

SERIALCOMM = r"HARDWARE\DEVICEMAP\SERIALCOMM"
UPS = (r"SYSTEM\CurrentControlSet\Services\UPS", "Port")
RAS_DEVICES = r"SOFTWARE\Microsoft\RAS\TAPI DEVICES"
MODEM_CLASS = r"SYSTEM\CurrentControlSet\Control\Class\{4D36E96D-E325-11CE-BFC1-08002BE10318}"
MSMI_ASYNC = (r"SYSTEM\CurrentControlSet\Services\MSExchangeMSMI\Parameters", "Async Port")
MTA_ASYNC = (r"SYSTEM\CurrentControlSet\Services\MSMTA\Parameters", "Async Port")

MSMI_NAME = "MS Mail Connector (async)"


def port_name(v):
    if isinstance(v, str) and 0 < len(v.strip()) <= 16:
        return v.strip().upper()
    return None


def gather(reg):
    """Read every claimant setting; a dict of plain values (for mapping)."""
    ras = []
    for dev in reg.subkeys(RAS_DEVICES):
        addr = reg.value(RAS_DEVICES + "\\" + dev, "Address")
        ras.append((dev, addr if isinstance(addr, list) else [addr] if addr else []))
    modems = []
    for sub in reg.subkeys(MODEM_CLASS):
        key = MODEM_CLASS + "\\" + sub
        port = reg.value(key, "AttachedTo")
        if port:
            name = reg.value(key, "FriendlyName") or reg.value(key, "DriverDesc") or "Modem"
            modems.append((name, port))
    return {"serial": [v for _n, v in reg.values(SERIALCOMM) if isinstance(v, str)],
            "ups": reg.value(*UPS), "ras": ras, "modems": modems,
            "msmi": reg.value(*MSMI_ASYNC), "mta": reg.value(*MTA_ASYNC)}


def claimants(g):
    """[{'name': port, 'claimants': [(kind, name)]}], ports in a stable order:
    the serial ports the host has, then any other port a setting names."""
    ports = {}

    def add(port, kind, name):
        p = port_name(port)
        if p is None:
            return
        lst = ports.setdefault(p, [])
        if (kind, name) not in lst:
            lst.append((kind, name))

    for p in g.get("serial", []):
        if port_name(p):
            ports.setdefault(port_name(p), [])
    add(g.get("msmi"), "msMailConnector", MSMI_NAME)
    for _dev, addrs in g.get("ras", []):
        for a in addrs:
            add(a, "remoteAccess", "Remote Access Service")
    add(g.get("mta"), "mtaAsync", "Windows NT multitasking MTA (async)")
    add(g.get("ups"), "ups", "Uninterruptible Power Supply")
    for name, port in g.get("modems", []):
        add(port, "modem", name[:64])
    return [{"name": p, "claimants": c} for p, c in ports.items()]
