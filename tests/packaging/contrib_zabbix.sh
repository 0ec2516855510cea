#!/usr/bin/env bash
# contrib/zabbix without a Zabbix server (heavy_zabbix.sh imports it into a
# real one): the committed template is gen-zabbix-template's output and is a
# Zabbix 6.0 export (version, UUIDs, every discovery rule with prototypes);
# its OIDs exist in the live agent; the discovery rules' JavaScript step,
# run by node on discovery data built from a live walk as Zabbix builds it
# ([{"{#SNMPINDEX}": ..., "{#MACRO}": value}]), yields the servers',
# connectors' and queues' names; the trap items' regexes match the traps
# snmptrapd receives from the agent, raise and clear apart.
. "$EXCONN_SOURCE_DIR/tests/integration/lib.sh"
C=$EXCONN_SOURCE_DIR/contrib/zabbix
DATA=$EXCONN_SOURCE_DIR/tests/data
command -v node >/dev/null || fail "node missing (Debian package nodejs, installed with npm)"
/usr/bin/python3 -c 'import yaml' || fail "python3-yaml missing"
/usr/bin/python3 "$C/gen-zabbix-template" > "$T/gen.yaml" || fail "gen-zabbix-template"
diff -u "$C/exconn-zabbix6.yaml" "$T/gen.yaml" >&2 || fail "exconn-zabbix6.yaml is stale: regenerate it"

/usr/bin/python3 - "$C/exconn-zabbix6.yaml" "$T" <<'PY' || fail "template structure"
import json, re, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))["zabbix_export"]
assert doc["version"] == "6.0", doc["version"]
t = doc["templates"][0]
uuids = []
def walk(o):
    if isinstance(o, dict):
        if "uuid" in o:
            uuids.append(o["uuid"])
        for v in o.values(): walk(v)
    elif isinstance(o, list):
        for v in o: walk(v)
walk(doc)
assert all(re.fullmatch(r"[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}", u) for u in uuids), "uuid format"
assert len(uuids) == len(set(uuids)), "duplicate uuids"
rules = {r["key"]: r for r in t["discovery_rules"]}
assert set(rules) == {"exconn.server.discovery", "exconn.connector.discovery", "exconn.queue.discovery"}
for r in rules.values():
    assert r["item_prototypes"] and r["trigger_prototypes"], r["key"]
# what the live checks below need: OIDs to get, JS steps, trap regexes
oids = [i["snmp_oid"] for i in t["items"] if i["type"] == "SNMP_AGENT"]
for r in rules.values():
    oids += [p["snmp_oid"] for p in r["item_prototypes"]]
    open(f"{sys.argv[2]}/{r['key']}.js", "w").write(r["preprocessing"][0]["parameters"][0])
    open(f"{sys.argv[2]}/{r['key']}.oid", "w").write(r["snmp_oid"])
open(f"{sys.argv[2]}/oids", "w").write("\n".join(oids) + "\n")
traps = [i["key"] for i in t["items"] if i["type"] == "SNMP_TRAP"]
rx = [re.match(r'snmptrap\["(.*)"\]$', k).group(1) for k in traps]
json.dump(rx, open(f"{sys.argv[2]}/trap-regexes.json", "w"))
print(f"{len(uuids)} uuids, {len(oids)} SNMP OIDs, {len(traps)} trap items")
PY

start_snmptrapd
start_snmpd
start_agent
wait_registered 10
drop_file reports 01.xml "$DATA/reports/q148727-imc-stopped.xml"
drop_file reports 02.xml "$DATA/reports/q158047-conflict.xml"
wait_for 10 "reports accepted" eval '[ "$(get EXCHANGE-CONNECTOR-MIB::exConnReportsAccepted.0)" -eq 2 ]'

# every item OID and prototype column answers (the first row for prototypes)
while read -r oid; do
    case $oid in
    *'{#SNMPINDEX}') col=${oid%.\{#SNMPINDEX\}}
        out=$(snmp snmpgetnext -On ".$col") || fail "getnext $col"
        [[ "$out" == ".$col."* ]] || fail "no row under $col: $out" ;;
    *) out=$(snmp snmpget -On ".$oid") || fail "get $oid"
        [[ "$out" != *"No Such"* ]] || fail "$oid: $out" ;;
    esac
done < "$T/oids"

# discovery: Zabbix's JSON from a walk of the first discovery[] column, then the JS step
discover() {   # discover KEY: names decoded by the rule's JS, one row per line
    local key=$1 col
    col=$(sed 's/^discovery\[[^,]*,\([0-9.]*\).*/\1/' "$T/$key.oid")
    snmp snmpwalk -On ".$col" | /usr/bin/python3 -c '
import json, sys
col = sys.argv[1]
rows = []
for line in sys.stdin:
    oid, _, val = line.partition(" = ")
    rows.append({"{#SNMPINDEX}": oid[len(col) + 2:], "{#V}": val.strip()})
print(json.dumps(rows))' "$col" > "$T/$key.json"
    node -e '
const fs = require("fs");
const f = new Function("value", fs.readFileSync(process.argv[1], "utf8"));
const rows = JSON.parse(f(fs.readFileSync(process.argv[2], "utf8")));
for (const r of rows) console.log(Object.keys(r).filter(k => !["{#SNMPINDEX}", "{#V}"].includes(k)).map(k => k + "=" + r[k]).join(" "));
' "$T/$key.js" "$T/$key.json"
}
servers=$(discover exconn.server.discovery)
conns=$(discover exconn.connector.discovery)
queues=$(discover exconn.queue.discovery)
log "discovered: $(echo "$servers" | tr '\n' ';') $(echo "$conns" | wc -l) connectors, $(echo "$queues" | wc -l) queues"
grep -qx '{#SERVER}=EXCH01' <<< "$servers" || fail "servers: $servers"
grep -qx '{#SERVER}=EXCH01 {#CONNECTOR}=Internet Mail Service' <<< "$conns" || fail "connectors: $conns"
grep -qx '{#SERVER}=EXCH03 {#CONNECTOR}=MS Mail Connector' <<< "$conns" || fail "connectors: $conns"
grep -qx '{#SERVER}=EXCH01 {#QUEUE}=MTS-OUT' <<< "$queues" || fail "queues: $queues"

# trap items: the raise regex matches raises only, the clear regex clears only
drop_file reports 03.xml "$DATA/reports/q158047-repaired.xml"
wait_for 10 "clear trap" grep -q '5500\.0\.8[^0-9]' "$TRAP_LOG"
/usr/bin/python3 - "$T/trap-regexes.json" "$TRAP_LOG" <<'PY' || fail "trap item regexes"
import json, re, sys
raise_rx, clear_rx = [re.compile(r) for r in json.load(open(sys.argv[1]))]
n_raise = n_clear = 0
for line in open(sys.argv[2]):
    m = re.search(r"OID: \.1\.3\.6\.1\.4\.1\.8072\.9999\.9999\.5500\.0\.(\d+)\s", line)
    if not m:
        continue
    sub = int(m.group(1))
    assert bool(raise_rx.search(line)) == (sub != 8), line
    assert bool(clear_rx.search(line)) == (sub == 8), line
    n_raise += sub != 8; n_clear += sub == 8
    # the same trap as zabbix_trap_receiver.pl writes it with MIB names
    named = "EXCHANGE-CONNECTOR-MIB::" + ["", "exConnComPortConflict", "exConnCcMailExportFailed",
        "exConnImcQueueInterfaceFailed", "exConnMtaLinkStall", "exConnImcStartFailed",
        "exConnKbAlarm", "exConnServerStale", "exConnAlarmCleared"][sub] + "\t"
    assert bool(raise_rx.search(named)) == (sub != 8) and bool(clear_rx.search(named)) == (sub == 8), named
assert n_raise and n_clear, (n_raise, n_clear)
print(f"{n_raise} raise and {n_clear} clear traps told apart")
PY
log "PASS"
