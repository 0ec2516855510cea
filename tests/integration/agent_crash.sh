#!/usr/bin/env bash
# SPEC §3/§5/§8: kill -9 of the agent in the middle of ingesting a batch,
# again and again, with a restart each time.  Exactly-once, checked exactly:
#
#  - before each round a new chunk lands in the spool: one status report for
#    each of NS servers, with a later `collected` every round (so a report
#    applied twice would be rejected as stale and counted), and PER event
#    files of one event for each of NA servers that never report, every
#    event with its own EventRecordID (one Q182346 alarm per server, whose
#    exConnAlarmCount counts the events applied); NR and NE count them;
#  - after every kill a probe agent loads the committed state (it must be
#    readable), finishes what the last commit accounted for, and reports the
#    committed counters; for reports and events alike
#    accepted-in-state + files-still-waiting == files-published; nothing
#    rejected, rejected/ empty;
#  - the kills land at random moments, right after a commit, or while the
#    committed files are being deleted (the journal being finished) and at least one of them must have caught
#    the agent mid-batch (that run applied part of the waiting files, or had
#    committed files not yet deleted) at least twice;
#  - at the end: exConnReportsAccepted == NR, exConnEventsAccepted == NE,
#    no rejections, each server's queue shows its last report, and each alarm
#    counts exactly its server's events.
. "$(dirname "$0")/lib.sh"

NS=20 NA=10 PER=60 ROUNDS=${ROUNDS:-8}
NR=0 NE=0   # published so far
write_config
start_snmptrapd
start_snmpd

# --- the work: a new chunk is published before each round -------------------
# round R adds one report per server (collected at hour R) and PER events
# per alarm server, each with its own EventRecordID
publish_round() {
python3 - "$SPOOL" "$1" "$NS" "$NA" "$PER" <<'PY'
import os, sys, time
spool, r, ns, na, per = sys.argv[1], *map(int, sys.argv[2:])
def publish(d, name, text):
    os.makedirs(f"{spool}/{d}", exist_ok=True)
    with open(f"{spool}/{d}/.{name}.tmp", "w") as f:
        f.write(text)
    os.rename(f"{spool}/{d}/.{name}.tmp", f"{spool}/{d}/{name}")
for s in range(1, ns + 1):
    publish("reports", f"r{r:02d}-CRS{s:02d}.xml", f"""\
<exchangeStatus schemaVersion="1" server="CRS{s:02d}" site="HQ" collected="2026-11-22T{r:02d}:00:00Z">
  <server exchangeVersion="5.5.2650.0" mtaVersion="5.5.2650.0"/>
  <connector name="Internet Mail Service" type="internetMail" service="MSExchangeIMC" state="running" queueFile="ok">
    <queue name="MTS-OUT" kind="mtsOut" messages="{r * 1000 + s}"/>
  </connector>
</exchangeStatus>
""")
now = time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime())
for i in range(1, per + 1):
    for a in range(1, na + 1):
        rid = 1000000 * r + 1000 * i + a
        publish("events", f"e{r:02d}-{i:04d}-EVT{a:02d}.xml", f"""\
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
  <System>
    <Provider Name="MSExchangeIMC"/>
    <EventID Qualifiers="49152">4087</EventID>
    <Level>2</Level>
    <TimeCreated SystemTime="{now}"/>
    <EventRecordID>{rid}</EventRecordID>
    <Computer>evt{a:02d}.corp.example</Computer>
  </System>
  <EventData><Data>record {rid}</Data></EventData>
</Event>
""")
PY
}

# --- the invariant, as the committed state says it -------------------------
# After a kill, a probe agent starts on the same state directory but an empty
# spool of its own: it loads the committed state (it must be readable: the
# probe would refuse to start otherwise), finishes the files the last commit
# accounted for (their recorded paths are in the real spool: JP = how many it
# deleted), ingests nothing, and tells the committed counters over SNMP.
# Independent of the state's file format.
PROBE_CONFIG=$T/probe.xml
sed "s|<spool dir=\"$SPOOL\"/>|<spool dir=\"$T/probe-spool\"/>|" "$CONFIG" > "$PROBE_CONFIG"
grep -q probe-spool "$PROBE_CONFIG" || fail "cannot write the probe's config"
check_state() {   # check_state ROUND: exit 1 unless exactly-once holds
    local before_r before_e
    before_r=$(spool_count reports) before_e=$(spool_count events)
    "$EXCONN_AGENT" -f -c "$PROBE_CONFIG" -Lf "$T/probe.log" &
    AGENT_PID=$!
    wait_registered 30
    agent_alive || fail "round $1: the probe cannot load the committed state: $(tail -n 3 "$T/probe.log")"
    RA=$(counter exConnReportsAccepted) EA=$(counter exConnEventsAccepted)
    local rr er; rr=$(counter exConnReportsRejected) er=$(counter exConnEventsRejected)
    kill -TERM "$AGENT_PID"; wait "$AGENT_PID" || fail "round $1: probe exit $?"; AGENT_PID=
    [ "$rr" -eq 0 ] && [ "$er" -eq 0 ] || fail "round $1: rejections in the state: $rr/$er"
    WR=$(spool_count reports) WE=$(spool_count events)
    JP=$(( before_r + before_e - WR - WE ))
    [ $((RA + WR)) -eq "$NR" ] || fail "round $1: reports: $RA accepted + $WR waiting != $NR"
    [ $((EA + WE)) -eq "$NE" ] || fail "round $1: events: $EA accepted + $WE waiting != $NE"
    [ -z "$(ls -A "$SPOOL/rejected" 2>/dev/null)" ] || fail "round $1: files rejected: $(ls "$SPOOL/rejected")"
    [ "$(find "$T/probe-spool" -type f | wc -l)" -eq 0 ] || fail "round $1: the probe's spool is not empty"
}

partial=0 applied=0
for round in $(seq 1 "$ROUNDS"); do
    publish_round "$round"
    NR=$((NR + NS)) NE=$((NE + NA * PER))
    before=$(state_sum)
    start_agent
    case $((round % 3)) in
    2)  # right after a commit: the journal is being finished, or the next batch parsed
        end=$(( $(now_ms) + 10000 ))
        while [ "$(state_sum)" = "$before" ] &&
              [ "$(now_ms)" -lt "$end" ]; do :; done
        how="just after a commit";;
    0)  # while the committed files are being deleted: the spool shrinks
        left=$(( $(spool_count reports) + $(spool_count events) ))
        target=$(( left * (10 + RANDOM % 80) / 100 ))
        end=$(( $(now_ms) + 10000 ))
        while [ $(( $(spool_count reports) + $(spool_count events) )) -gt "$target" ] &&
              [ "$(now_ms)" -lt "$end" ]; do :; done
        how="with the spool down to $target files";;
    *)  sleep "$(printf "0.%03d" $(( 5 + RANDOM % 150 )))"
        how="at a random moment";;
    esac
    agent_alive || fail "round $round: the agent died by itself (state unreadable?)"
    kill -KILL "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true; AGENT_PID=
    check_state "$round"
    log "round $round: killed $how: state has $RA/$NR reports, $EA/$NE events; waiting $WR+$WE; $JP committed but not yet deleted"
    # mid-batch: this run applied some files and left others waiting, or
    # committed files it had not yet deleted
    if [ "$JP" -gt 0 ] || { [ $((RA + EA)) -gt "$applied" ] && [ $((WR + WE + JP)) -gt 0 ]; }; then
        partial=$((partial + 1))
    fi
    applied=$((RA + EA))
done
[ "$partial" -ge 2 ] || fail "only $partial kill(s) caught the agent mid-batch"

# --- the end: everything exactly once --------------------------------------
start_agent
wait_registered 10
wait_for 60 "spool drained" spool_empty
wait_for 10 "all reports counted" eval '[ "$(counter exConnReportsAccepted)" -ge '"$NR"' ]'
expect EXCHANGE-CONNECTOR-MIB::exConnReportsAccepted.0 "$NR"
expect EXCHANGE-CONNECTOR-MIB::exConnEventsAccepted.0 "$NE"
expect EXCHANGE-CONNECTOR-MIB::exConnReportsRejected.0 0
expect EXCHANGE-CONNECTOR-MIB::exConnEventsRejected.0 0
expect EXCHANGE-CONNECTOR-MIB::exConnAlarmsActive.0 "$NA"
for s in $(seq -w 1 "$NS"); do
    expect "EXCHANGE-CONNECTOR-MIB::exConnQueueMessages.\"CRS$s\".\"MTS-OUT\"" $((ROUNDS * 1000 + 10#$s))
done
snmp snmpwalk -Oqv EXCHANGE-CONNECTOR-MIB::exConnAlarmCount > "$T/counts"
[ "$(sort -u "$T/counts")" = "$((ROUNDS * PER))" ] && [ "$(wc -l < "$T/counts")" -eq "$NA" ] ||
    fail "alarm occurrence counts $(tr '\n' ' ' < "$T/counts"), want $NA times $((ROUNDS * PER))"
[ -z "$(ls -A "$SPOOL/rejected")" ] || fail "files rejected: $(ls "$SPOOL/rejected")"
log "agent crashes: $round kill -9 rounds ($partial mid-ingestion); $NR reports and $NE events applied exactly once"
