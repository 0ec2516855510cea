#!/usr/bin/python3
"""gen_evntcmd.py KB_DIR OUT: the evntcmd configuration for the KB's event rules.

One `#pragma add <log> "<source>" <event id>` line per distinct event rule
(evntcmd's syntax: #pragma add <eventlogfile> <eventsource> <eventID>
[<count> [<period>]]).  The event id is the full 32-bit id the translator
matches and sends as the specific trap: Qualifiers << 16 | id, Qualifiers
from the rule (default 49152 = 0xC000, severity error), log from the rule
(default Application).  The KB files are the project's own build input,
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
            key = (ev.get("log", "Application"), ev.get("provider"),
                   int(ev.get("qualifiers", "49152")) << 16 | int(ev.get("id")),
                   root.get("id"))
            if key[:3] not in [k[:3] for k in seen]:
                seen.append(key)
    return seen


def render(kb_dir):
    out = ["# exconn-events.cnf: Event to Trap Translator configuration for the event",
           "# rules of the exconn KB, generated from kb/*.xml at build time (do not edit).",
           "# On each Windows server with the SNMP service and its trap destination set:",
           "#     evntcmd exconn-events.cnf",
           "# (add '#pragma add_TRAP_DEST <community> <host>' to set the destination too)."]
    for log, source, full, article in rules(kb_dir):
        out.append("# %s: event %d (0x%08X)" % (article, full & 0xFFFF, full))
        out.append('#pragma add %s "%s" %d' % (log, source, full))
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
