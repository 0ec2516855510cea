"""Unit tests of exconn-traphandle: snmptrapd's input format as observed
from snmptrapd 5.9 (numeric, iso., symbolic OIDs; multi-line and hex
strings; negative specific traps), the translator layout, the event file
and the evntcmd generator."""
import datetime
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

from exconn_traphandle import config, counters, eventxml, main, translator
from exconn_traphandle import snmptrapd as st

CCMC = "1.3.6.1.4.1.311.1.13.1.14." + ".".join(str(ord(c)) for c in "MSExchangeCCMC")
V = "1.3.6.1.4.1.311.1.13.1.9999"
# what snmptrapd 5.9.3 -On fed a handler for
#   snmptrap -v 1 ... CCMC 127.0.0.5 6 3221225542 '' V.1.0 s ... V.7.0 s 'C:\ccmail'
ON = """localhost
UDP: [127.0.0.1]:35532->[127.0.0.1]:59252
.1.3.6.1.2.1.1.3.0 0:0:11:37.68
.1.3.6.1.6.3.1.1.4.1.0 .{ccmc}.0.18446744072635809862
.{v}.1.0 "cc:Mail EXPORT returned 3"
.{v}.2.0 "Unknown"
.{v}.3.0 "EXCH01"
.{v}.4.0 "1"
.{v}.5.0 "0"
.{v}.6.0 "3"
.{v}.7.0 "C:\\\\ccmail"
.1.3.6.1.6.3.18.1.3.0 127.0.0.5
.1.3.6.1.6.3.18.1.4.0 "public"
.1.3.6.1.6.3.1.1.4.3.0 .{ccmc}
""".format(ccmc=CCMC, v=V)


class Parse(unittest.TestCase):
    def test_numeric(self):
        host, addr, vbs = st.parse(ON)
        self.assertEqual(host, "localhost")
        self.assertEqual(st.transport_ip(addr), "127.0.0.1")
        ev = translator.translate(vbs)
        self.assertEqual((ev["provider"], ev["id"], ev["qualifiers"], ev["level"]),
                         ("MSExchangeCCMC", 70, 0xC000, 2))
        self.assertEqual(ev["data"], ["3", "C:\\ccmail"])
        self.assertEqual(ev["message"], "cc:Mail EXPORT returned 3")
        self.assertEqual(ev["computer"], "EXCH01")
        self.assertEqual(ev["agent_address"], "127.0.0.5")

    def test_iso_and_symbolic(self):
        iso = ON.replace("\n.1.", "\niso.").replace(" .1.", " iso.")
        sym = (ON.replace(".1.3.6.1.2.1.1.3.0", "SNMPv2-MIB::sysUpTime.0")
               .replace(".1.3.6.1.6.3.1.1.4.1.0", "SNMPv2-MIB::snmpTrapOID.0")
               .replace(".1.3.6.1.6.3.1.1.4.3.0", "SNMPv2-MIB::snmpTrapEnterprise.0")
               .replace(".1.3.6.1.6.3.18.1.3.0", "SNMP-COMMUNITY-MIB::snmpTrapAddress.0")
               .replace(".1.3.6.1.4.1.", "SNMPv2-SMI::enterprises."))
        want = translator.translate(st.parse(ON)[2])
        for text in (iso, sym):
            self.assertEqual(translator.translate(st.parse(text)[2]), want)

    def test_multiline_hex_and_quotes(self):
        text = ON.replace('"cc:Mail EXPORT returned 3"', '"line1\nline2 \\"q\\""').replace(
            '"3"', '"C3 9C 6E C3 AF 63 6F 64 65 "').replace('"C:\\\\ccmail"', '"E9 74 E9 "')
        ev = translator.translate(st.parse(text)[2])
        self.assertEqual(ev["message"], 'line1\nline2 "q"')
        self.assertEqual(ev["data"], ["\u00dcn\u00efcode", "\u00e9t\u00e9"])   # UTF-8; cp1252

    def test_positive_specific_and_severity_bits(self):
        ev = translator.translate(st.parse(ON.replace("18446744072635809862", "1073741894")
                                           .replace('.4.0 "1"', '.4.0 "x"'))[2])
        self.assertEqual((ev["id"], ev["qualifiers"], ev["level"]), (70, 0x4000, 4))

    def test_nt4_positional(self):
        src = "MSExchangeIMC"
        ent = "1.3.6.1.4.1.311.1.4.1.%d.%s" % (len(src), ".".join(str(ord(c)) for c in src))
        text = ("h\nUDP: [192.0.2.7]:1->[192.0.2.1]:162\n.1.3.6.1.2.1.1.3.0 1:0\n"
                ".1.3.6.1.6.3.1.1.4.1.0 .%s.0.3221229559\n" % ent +
                "".join('.%s.1.%d "%s"\n' % (ent, i, v) for i, v in
                        enumerate(["queue interface failed", "SYSTEM", "EXCH02", "1", "0",
                                   "0x80004005"], 1)) +
                ".1.3.6.1.6.3.1.1.4.3.0 .%s\n" % ent)
        ev = translator.translate(st.parse(text)[2])
        self.assertEqual((ev["provider"], ev["id"], ev["data"], ev["agent_address"]),
                         ("MSExchangeIMC", 4087, ["0x80004005"], None))

    def test_rejects(self):
        with self.assertRaises(translator.NotTranslatorTrap):
            translator.translate(st.parse(ON.replace(".%s.0.18446744072635809862" % CCMC,
                                                     ".1.3.6.1.6.3.1.1.5.1"))[2])
        for bad in (ON.replace(".0.18446744072635809862", ".1.18446744072635809862"),
                    ON.replace(".1.3.6.1.4.1.311.1.13.1.14.77", ".1.3.6.1.4.1.311.1.13.1.15.77"),
                    ON.replace("\n.1.3.6.1.6.3.1.1.4.3.0 .%s" % CCMC,
                               "\n.1.3.6.1.6.3.1.1.4.3.0 .1.3.6.1.4.1.311.1.13.1.1.65")):
            with self.assertRaises(translator.BadTranslatorTrap):
                translator.translate(st.parse(bad)[2])
        for bad in ("localhost\n", ON.replace('"Unknown"', '"Unknown')):
            with self.assertRaises(st.TrapFormatError):
                st.parse(bad)


class Files(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="events-traphandle-")
        self.spool = os.path.join(self.dir.name, "spool")
        self.state = os.path.join(self.dir.name, "state")
        os.makedirs(os.path.join(self.spool, "events"))
        self.conf = os.path.join(self.dir.name, "traphandle.xml")
        with open(self.conf, "w") as f:
            f.write('<traphandle><spool dir="%s"/><state dir="%s"/>'
                    '<host address="127.0.0.5" server="exch01"/></traphandle>'
                    % (self.spool, self.state))

    def tearDown(self):
        self.dir.cleanup()

    def run_main(self, text):
        r = subprocess.run([sys.executable, "-m", "exconn_traphandle", "-c", self.conf],
                           input=text.encode(), capture_output=True)
        return r.returncode, r.stderr.decode()

    def test_event_file(self):
        when = datetime.datetime(2026, 11, 22, 15, 0, 0, 250000, tzinfo=datetime.timezone.utc)
        conf = config.load(self.conf)
        name, msg, path = main.handle(ON, conf, when)
        self.assertEqual(name, "accepted", msg)
        self.assertEqual(os.path.basename(path), "20261122T150000.250000Z-EXCH01-events-trap.xml")
        self.assertEqual([n for n in os.listdir(os.path.dirname(path)) if n.startswith(".")], [])
        ns = {"e": eventxml.NS}
        root = ET.parse(path).getroot()
        self.assertEqual(root.find("e:System/e:Provider", ns).get("Name"), "MSExchangeCCMC")
        self.assertEqual(root.find("e:System/e:EventID", ns).text, "70")
        self.assertEqual(root.find("e:System/e:EventID", ns).get("Qualifiers"), "49152")
        self.assertEqual(root.find("e:System/e:TimeCreated", ns).get("SystemTime"),
                         "2026-11-22T15:00:00.250000Z")
        self.assertEqual(root.find("e:System/e:Computer", ns).text, "EXCH01")
        self.assertEqual([d.text for d in root.findall("e:EventData/e:Data", ns)],
                         ["3", "C:\\ccmail"])
        # the same trap again gets a file of its own
        path2 = main.handle(ON, conf, when)[2]
        self.assertNotEqual(path, path2)

    def test_unmapped_counted(self):
        rc, err = self.run_main(ON.replace("127.0.0.5", "192.0.2.99"))
        self.assertEqual(rc, 1)
        self.assertIn("maps to no server", err)
        rc, err = self.run_main(ON.replace('"Unknown"', '"Unknown'))
        self.assertEqual(rc, 1)
        rc, err = self.run_main(ON)
        self.assertEqual(rc, 0, err)
        self.assertEqual(counters.read(self.state),
                         {"accepted": 1, "unmapped": 1, "notTranslator": 0, "malformed": 1,
                          "failed": 0})
        self.assertEqual(len(os.listdir(os.path.join(self.spool, "events"))), 1)

    def test_reverse_dns(self):
        c = config.Config("s", "t", True, {})
        self.assertEqual(c.server_for("192.0.2.1", "exch07.corp.example"), "EXCH07")
        self.assertIsNone(c.server_for("192.0.2.1", "192.0.2.1"))
        self.assertIsNone(config.Config("s", "t", False, {}).server_for("192.0.2.1", "exch07"))

    def test_bad_config(self):
        for body in ('<traphandle><host address="x" server="A"/></traphandle>',
                     '<traphandle><host address="192.0.2.1" server="A B"/></traphandle>',
                     '<!DOCTYPE x [<!ENTITY a "b">]><traphandle/>', "<other/>",
                     '<traphandle><bogus/></traphandle>'):
            with open(self.conf, "w") as f:
                f.write(body)
            with self.assertRaises(config.ConfigError):
                config.load(self.conf)


class Evntcmd(unittest.TestCase):
    def test_generated_file(self):
        path = os.environ.get("EXCONN_EVNTCMD")
        if not path or not os.path.exists(path):
            self.skipTest("EXCONN_EVNTCMD not built")
        sys.path.insert(0, os.path.join(os.environ["EXCONN_SOURCE_DIR"], "traphandle"))
        import gen_evntcmd
        kb = os.path.join(os.environ["EXCONN_SOURCE_DIR"], "kb")
        with open(path, newline="") as f:
            built = f.read()
        self.assertEqual(built, gen_evntcmd.render(kb), "exconn-events.cnf is stale")
        lines = [l for l in built.split("\r\n") if l.startswith("#pragma")]
        self.assertIn('#pragma add Application "MSExchangeCCMC" 3221225542', lines)
        self.assertIn('#pragma add Application "MSExchangeIMC" %d' % (0xC0000000 | 4087), lines)
        # the SCM rules: 7024 and 7023 (errors), 7036 (informational) once
        self.assertIn('#pragma add System "Service Control Manager" %d' % (0xC0000000 | 7024),
                      lines)
        self.assertIn('#pragma add System "Service Control Manager" %d' % (0xC0000000 | 7023),
                      lines)
        self.assertEqual(lines.count('#pragma add System "Service Control Manager" %d'
                                     % (0x40000000 | 7036)), 1)


if __name__ == "__main__":
    unittest.main()
