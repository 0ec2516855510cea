"""The mappings from recorded structures to report rows (issue 10)."""
import struct
import xml.etree.ElementTree as ET

import pytest

import pebuild
import perfbuild
from exconn_collect import comports, eventlog, files, perfdata, scmr, versions
from exconn_collect.poll import event_start


def status(state, win32=0, specific=0):
    return {"dwCurrentState": state, "dwWin32ExitCode": win32,
            "dwServiceSpecificExitCode": specific}


# ------------------------------------------------------------------ SCMR
def test_service_specific_error_3_maps_to_stopped_msmail():
    row = scmr.connector_row("MSExchangeMSMI", status(1, 1066, 3))
    assert row["name"] == "MS Mail Connector" and row["type"] == "msMail"
    assert (row["state"], row["win32ExitCode"], row["serviceExitCode"]) == ("stopped", 1066, 3)


def test_2140_maps_to_stopped_imc_and_specific_code_ignored_without_1066():
    row = scmr.connector_row("MSExchangeIMC", status(1, 2140, 77))
    assert (row["type"], row["state"], row["win32ExitCode"], row["serviceExitCode"]) == \
        ("internetMail", "stopped", 2140, 0)


@pytest.mark.parametrize("code,name", [(1, "stopped"), (2, "startPending"), (3, "stopPending"),
                                       (4, "running"), (5, "continuePending"),
                                       (6, "pausePending"), (7, "paused"), (99, "unknown")])
def test_every_service_state(code, name):
    assert scmr.connector_row("MSExchangeCCMC", status(code))["state"] == name


# ------------------------------------------------------------------ PE versions
def _reader(b):
    return lambda off, n: b[off:off + n]


@pytest.mark.parametrize("v", ["4.0.994.1", "5.0.1457.7", "5.0.1461.50", "5.5.2653.23"])
def test_pe_version_resource_gives_the_build(v):
    assert versions.file_version(_reader(pebuild.build_pe(v))) == v


def test_pe_without_version_or_garbage():
    with pytest.raises(versions.NotPE):
        versions.file_version(_reader(b"MZ" + b"\0" * 200))
    with pytest.raises(versions.NotPE):
        versions.file_version(_reader(b"not an image"))
    b = bytearray(pebuild.build_pe("5.0.1457.7"))
    sig = b.find(struct.pack("<I", versions.FIXED_SIG))
    b[sig:sig + 4] = b"\0\0\0\0"   # fixed info signature broken: no version
    assert versions.file_version(_reader(bytes(b))) is None
    with pytest.raises(versions.NotPE):
        versions.file_version(_reader(pebuild.build_pe("5.0.1457.7")[:0x210]))


# ------------------------------------------------------------------ registry -> claimants
def test_claimants_from_registry_values():
    g = {"serial": ["COM1", "COM2"], "msmi": "com1", "ups": "COM2",
         "ras": [("Unimodem", ["COM1", "COM3"])], "modems": [("Hayes Optima 288", "COM3")],
         "mta": None}
    ports = {p["name"]: p["claimants"] for p in comports.claimants(g)}
    assert ports["COM1"] == [("msMailConnector", "MS Mail Connector (async)"),
                             ("remoteAccess", "Remote Access Service")]
    assert ports["COM2"] == [("ups", "Uninterruptible Power Supply")]
    assert ports["COM3"] == [("remoteAccess", "Remote Access Service"),
                             ("modem", "Hayes Optima 288")]
    assert list(ports) == ["COM1", "COM2", "COM3"]


def test_claimants_ignore_empty_and_oversized_values():
    g = {"serial": ["COM1"], "msmi": "", "ups": "X" * 17, "ras": [("d", [])], "modems": []}
    assert comports.claimants(g) == [{"name": "COM1", "claimants": []}]


# ------------------------------------------------------------------ perf data
NAMES = {10: "MSExchangeIMC", 12: "Queued MTS-IN", 14: "Queued MTS-OUT",
         20: "MSExchangeMTA Connections", 22: "Queue Length", 24: "Associations"}


def _block():
    return perfbuild.block([(10, [(12, 4), (14, 8)], [3, 12]),
                            (20, [(22, 4), (24, 4)], [("PARIS", (40, 0)), ("LONDON", (14, 1)),
                                                      ("IDLE", (0, 0)), ("_Total", (54, 1))])])


def test_perf_block_to_counters_and_rows():
    c = perfdata.parse(_block(), NAMES)
    assert c["MSExchangeIMC"][None] == {"Queued MTS-IN": 3, "Queued MTS-OUT": 12}
    assert perfdata.imc_queues(c) == [{"name": "MTS-IN", "kind": "mtsIn", "messages": 3},
                                      {"name": "MTS-OUT", "kind": "mtsOut", "messages": 12}]
    rows = {r["name"]: r for r in perfdata.x400_connectors(c, "running")}
    assert set(rows) == {"PARIS", "LONDON", "IDLE"}
    assert rows["PARIS"]["link"] == "down" and rows["LONDON"]["link"] == "up"
    assert rows["IDLE"]["link"] == "unknown"
    assert rows["PARIS"]["queues"] == [{"name": "X400-PARIS", "kind": "x400Link", "messages": 40}]


@pytest.mark.parametrize("cut", [0, 7, 40, 100, 200])
def test_perf_block_truncated_or_bad_is_rejected(cut):
    b = _block()
    bad = bytearray(b[:cut]) if cut < 100 else bytearray(b)
    if cut >= 100:
        struct.pack_into("<I", bad, 88 + 16, 0xFFFFFFF0)  # first object: absurd length
    with pytest.raises(perfdata.PerfError):
        perfdata.parse(bytes(bad), NAMES)


def test_no_perf_objects_gives_nothing():
    c = perfdata.parse(perfbuild.block([]), NAMES)
    assert perfdata.imc_queues(c) == [] and perfdata.x400_connectors(c, "running") == []


# ------------------------------------------------------------------ files
def test_imc_queue_listing_counts_files_only():
    ents = [(".", 0x10, 0, 0), ("..", 0x10, 0, 0), ("sub", 0x10, 0, 10),
            ("a.msg", 0x20, 100, 1000.0), ("b.msg", 0x20, 50, 1500.0)]
    assert files.queue_stats(ents, 4600.0) == (2, 150, 3600)
    assert files.queue_stats(ents[:3], 4600.0) == (0, 0, 0)


def test_queue_dat_states():
    assert files.queue_file_state(None) == "missing"
    assert files.queue_file_state(("queue.dat", 0x21, 1, 0)) == "readOnly"
    assert files.queue_file_state(("queue.dat", 0x20, 1, 0)) == "ok"


# ------------------------------------------------------------------ event records
def record(recno, t, eid, etype, source, computer, strings):
    tail = (source + "\0" + computer + "\0").encode("utf-16-le")
    stroff = 56 + len(tail)
    body = tail + b"".join((s + "\0").encode("utf-16-le") for s in strings)
    body += b"\0" * (-len(body) % 4)
    length = 56 + len(body) + 4
    head = struct.pack("<I4sIIIIHHHHIIIIII", length, b"LfLe", recno, t, t, eid, etype,
                       len(strings), 0, 0, 0, stroff, 0, 0, 0, 0)
    return head + body + struct.pack("<I", length)


def test_eventlogrecord_to_event_xml():
    buf = record(51234, 1796194674, 0xC0000FF7, 1, "MSExchangeIMC", "EXCH05",
                 ["The IMC stopped", "a<b&c"]) + record(51235, 1796194675, 70, 2,
                                                        "MSExchangeCCMC", "EXCH05", [])
    recs = eventlog.parse_records(buf)
    assert [r["record"] for r in recs] == [51234, 51235]
    assert recs[0]["eventId"] == 4087 and recs[0]["qualifiers"] == 49152
    doc = eventlog.events_document(recs, "Application", "EXCH05")
    ns = {"e": eventlog.EVENT_NS}
    root = ET.fromstring(doc)
    ev = root.findall("e:Event", ns)
    assert len(ev) == 2
    s = ev[0].find("e:System", ns)
    assert s.find("e:Provider", ns).get("Name") == "MSExchangeIMC"
    assert s.find("e:EventID", ns).text == "4087"
    assert s.find("e:EventID", ns).get("Qualifiers") == "49152"
    assert s.find("e:Level", ns).text == "2"
    assert s.find("e:EventRecordID", ns).text == "51234"
    assert s.find("e:Computer", ns).text == "EXCH05"
    assert s.find("e:TimeCreated", ns).get("SystemTime").startswith("2026-12-02T")
    assert [d.text for d in ev[0].findall("e:EventData/e:Data", ns)] == ["The IMC stopped", "a<b&c"]
    assert ev[1].find("e:System/e:Level", ns).text == "3"


def test_bad_eventlogrecord_rejected():
    with pytest.raises(eventlog.RecordError):
        eventlog.parse_records(b"\x10\0\0\0XXXX" + b"\0" * 60)


# ------------------------------------------------------------------ cursor positioning
def test_event_start_rules():
    times = {5: 500, 6: 600}
    rt = times.get
    assert event_start(None, 3, 4, rt) == (3, None)
    assert event_start({"record": 5, "time": 500}, 3, 4, rt) == (6, None)
    first, note = event_start({"record": 5, "time": 999}, 3, 4, rt)
    assert first == 3 and "cleared" in note
    first, note = event_start({"record": 9, "time": 900}, 1, 2, rt)
    assert first == 1 and "went back" in note
    first, note = event_start({"record": 1, "time": 100}, 5, 2, rt)
    assert first == 5 and "wrapped" in note
    assert event_start({"record": 4, "time": None}, 5, 2, rt) == (5, None)


def test_perf_block_whose_total_leaves_the_header_out():
    """Samba (reg_perfcount.c) counts only the objects in TotalByteLength."""
    b = bytearray(_block())
    hdr = struct.unpack_from("<I", b, 24)[0]
    struct.pack_into("<I", b, 20, len(b) - hdr)
    assert perfdata.parse(bytes(b), NAMES) == perfdata.parse(_block(), NAMES)
