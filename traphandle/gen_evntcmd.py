#!/usr/bin/python3
"""gen_evntcmd.py KB_DIR OUT: the evntcmd configuration for the KB's event rules.

One `#pragma add <log> "<source>" <event id>` line per distinct event rule
and per <clearEvent> (evntcmd's syntax: #pragma add <eventlogfile>
<eventsource> <eventID> [<count> [<period>]]).  The event id is the full
32-bit id the translator matches and sends as the specific trap:
Qualifiers << 16 | id, Qualifiers from the rule or clearEvent (default
49152 = 0xC000, severity error), log from the rule (default Application).  The KB files are the project's own build input,
checked by the agent's loader and its tests; this only reads attributes."""
import glob
import os
import sys
import xml.etree.ElementTree as ET


def rules(kb_dir):
    seen = []
    for path in sorted(glob.glob(os.path.join(kb_dir, "*.xml"))):
        root = ET.parse(path).getroot()
        for ev in root.iter("event"):
            log = ev.get("log", "Application")
            wanted = [(ev.get("provider"), ev.get("qualifiers"), ev.get("id"), "")]
            wanted += [(c.get("provider", ev.get("provider")), c.get("qualifiers"), c.get("id"),
                        " (clears)") for c in ev.iter("clearEvent")]
            for source, qual, eid, why in wanted:
                key = (log, source, int(qual or "49152") << 16 | int(eid), root.get("id") + why)
                if key[:3] not in [k[:3] for k in seen]:
                    seen.append(key)
    return seen


def render(kb_dir):
    """Only #pragma lines: Microsoft documents no comment syntax for evntcmd
    files, so the file carries none (docs/event-traps.md explains it)."""
    out = ['#pragma add %s "%s" %d' % (log, source, full)
           for log, source, full, _article in rules(kb_dir)]
    return "\r\n".join(out) + "\r\n"   # a Windows tool reads it


def main(argv):
    if len(argv) != 3:
        print("usage: gen_evntcmd.py KB_DIR OUT", file=sys.stderr)
        return 2
    text = render(argv[1])
    tmp = argv[2] + ".tmp"
    with open(tmp, "w", newline="") as f:
        f.write(text)
    os.replace(tmp, argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
