"""Event-to-Trap Translator traps -> Windows event fields (docs/event-traps.md).

Enterprise OID: base.<len>.<ASCII of the event source>, base =
1.3.6.1.4.1.311.1.13.1 (Windows 2000 and later, evntagnt.dll) or
1.3.6.1.4.1.311.1.4.1 (the SMS translator on Windows NT 4.0).  Generic trap
6; specific trap = the event's 32-bit id: bits 31-30 the severity (00
success, 01 informational, 10 warning, 11 error), the low 16 bits the id
Event Viewer shows.  Varbinds: Windows 2000+ sends them as
base.9999.<n>.0: 1 the message text, 2 the user, 3 the computer, 4 the event
type, 5 the category, 6... the insertion strings in order.  Varbinds under
any other OID (the NT 4.0 translator) are taken by position in the same
order.
"""
from . import snmptrapd as st

BASES = ("1.3.6.1.4.1.311.1.13.1", "1.3.6.1.4.1.311.1.4.1")
FIELDS = ("message", "user", "computer", "type", "category")
# EVENTLOG_*_TYPE as the translator sends it in varbind 4 -> System/Level
TYPE_LEVEL = {1: 2, 2: 3, 4: 4, 8: 0, 16: 0}
# severity bits of the id (when varbind 4 is absent or not a number) -> Level
SEV_LEVEL = {0: 4, 1: 4, 2: 3, 3: 2}
MAX_DATA = 32


class NotTranslatorTrap(ValueError):
    """A well-formed notification, but not one from the translator."""


class BadTranslatorTrap(ValueError):
    """A translator enterprise with contents that do not fit its layout."""


def split_enterprise(trap_oid):
    """(base, source, specific id) of snmpTrapOID.0 = base.len.source.0.specific."""
    for base in BASES:
        if trap_oid.startswith(base + "."):
            break
    else:
        raise NotTranslatorTrap("snmpTrapOID %s is not under an Event-to-Trap "
                                "Translator enterprise" % trap_oid)
    sub = [int(x) for x in trap_oid[len(base) + 1:].split(".")]
    n = sub[0]
    if n < 1 or n > 128 or len(sub) != n + 3 or sub[n + 1] != 0:
        raise BadTranslatorTrap("snmpTrapOID %s: not <len>.<source>.0.<specific>" % trap_oid)
    chars = sub[1:n + 1]
    if any(c < 32 or c > 126 for c in chars):
        raise BadTranslatorTrap("event source in %s is not printable ASCII" % trap_oid)
    if n == 4 and bytes(chars) == b"9999":
        raise BadTranslatorTrap("snmpTrapOID %s is the translator's varbind subtree" % trap_oid)
    return base, bytes(chars).decode("ascii"), sub[-1] % (1 << 32)


def translate(varbinds):
    """Event fields from parsed varbinds (snmptrapd.parse): provider, id,
    qualifiers, level, message, computer, data, agent_address."""
    by_oid = {oid: value for oid, _raw, value in varbinds if oid is not None}
    if len(varbinds) < 2 or varbinds[1][0] != st.TRAP_OID:
        raise NotTranslatorTrap("second varbind is not snmpTrapOID.0")
    trap_oid = st.norm_oid(varbinds[1][2])
    if trap_oid is None:
        raise NotTranslatorTrap("snmpTrapOID.0 %r is not a numeric OID" % varbinds[1][2][:80])
    base, source, full_id = split_enterprise(trap_oid)
    ent = by_oid.get(st.TRAP_ENTERPRISE)
    if ent is not None and st.norm_oid(ent) != "%s.%d.%s" % (
            base, len(source), ".".join(str(ord(c)) for c in source)):
        raise BadTranslatorTrap("snmpTrapEnterprise.0 %s does not match snmpTrapOID.0" % ent)
    skip = {st.SYS_UPTIME, st.TRAP_OID, st.TRAP_ENTERPRISE, st.TRAP_ADDRESS, st.TRAP_COMMUNITY}
    payload = [(oid, value) for oid, _raw, value in varbinds[2:] if oid not in skip]
    fields, data = _layout(base, payload)
    ev = {
        "provider": source, "id": full_id & 0xFFFF, "qualifiers": full_id >> 16,
        "message": fields.get("message", ""), "computer": fields.get("computer", ""),
        "data": data[:MAX_DATA], "agent_address": by_oid.get(st.TRAP_ADDRESS),
    }
    try:
        ev["level"] = TYPE_LEVEL[int(fields.get("type", ""))]
    except (ValueError, KeyError):
        ev["level"] = SEV_LEVEL[full_id >> 30]
    return ev


def _layout(base, payload):
    prefix = base + ".9999."
    numbered = {}
    for oid, value in payload:
        if oid is not None and oid.startswith(prefix) and oid.endswith(".0"):
            mid = oid[len(prefix):-2]
            if mid.isdigit() and int(mid) >= 1:
                numbered[int(mid)] = value
                continue
        numbered = None
        break
    if numbered is None:   # NT 4.0, or anything not numbered: by position
        numbered = {i + 1: value for i, (_oid, value) in enumerate(payload)}
    fields = {name: numbered[i + 1] for i, name in enumerate(FIELDS) if i + 1 in numbered}
    last = max(numbered, default=0)
    data = [numbered.get(n, "") for n in range(len(FIELDS) + 1, last + 1)]
    return fields, data
