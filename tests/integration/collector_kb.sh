#!/usr/bin/env bash
# exconn-collect end to end (issue 10): the stand-in Exchange host (real
# smbd + our MS-SCMR server on loopback) -> exconn-collect --once -> spool ->
# exconn-agent -> snmpd -> snmpget / traps at snmptrapd.  The five KB faults
# are set up ON THE HOST (services, files, registry, event log, performance
# counters), each raises its alarm with the right resource and evidence and
# its trap, and the repair of the host clears it.  The performance counters
# (Q193760) are what Samba's HKEY_PERFORMANCE_DATA serves from the perfmon
# tdb files fakehost.py writes: the counter names and the block are real
# PERF_DATA_BLOCKs over MS-RRP, their values set by the test.
. "$(dirname "$0")/lib.sh"
. "$EXCONN_SOURCE_DIR/collector/tests/e2e_lib.sh"
collector_skip_unless_possible

EVENT_TTL=${EVENT_TTL:-10}
write_config
start_fakehost EXCH01 5.0.1457.7
write_collect_config
start_fixture

# a healthy host: everything from the collector, no alarm
collect_once
expect "$MIB::exConnServerMtaVersion.\"EXCH01\"" 5.0.1457.7
expect "$MIB::exConnServerSite.\"EXCH01\"" HQ
expect "$MIB::exConnConnectorState.\"EXCH01\".\"MS Mail Connector\"" running
expect "$MIB::exConnConnectorState.\"EXCH01\".\"Internet Mail Service\"" running
expect "$MIB::exConnConnectorQueueFile.\"EXCH01\".\"Internet Mail Service\"" ok
expect "$MIB::exConnQueueMessages.\"EXCH01\".\"IMCDATA-OUT\"" 0
expect "$MIB::exConnComPortConflictState.\"EXCH01\".\"COM1\"" none
expect "$MIB::exConnAlarmsActive.0" 0
n=0   # exConn traps so far

# raised RESOURCE ARTICLE SEVERITY NOTIF DESCRIPTION: after a collect_once,
# one more trap came; the alarm on RESOURCE (of EXCH01) has that row, and
# its trap the SPEC §5 shape.  Sets A (alarm index) and K (its trap).
raised() {
    wait_traps $((n + 1)) 10
    A=$(alarm_index_of EXCH01 "$1")
    [ -n "$A" ] || fail "$2: no alarm on $1"
    expect_row "$A" "$2" "$3" EXCH01 "$1" "$5"
    K=$(raise_trap "$A" "$4" "$2")
    n=$((n + 1))
}

# ---- Q158047: RAS and the MS Mail Connector (async) both on COM1; the
# connector stops with service-specific error 3
fh reg set 'HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeMSMI\Parameters' 'Async Port' sz COM1
fh reg set 'HKLM\SOFTWARE\Microsoft\RAS\TAPI DEVICES\Unimodem' Address multi_sz COM1
fh service MSExchangeMSMI stopped --win32 1066 --specific 3
collect_once
wait_traps $((n + 2)) 10
port=$(alarm_index_of EXCH01 COM1)
conn=$(alarm_index_of EXCH01 "MS Mail Connector")
[ -n "$port" ] && [ -n "$conn" ] || fail "Q158047: alarms COM1='$port' connector='$conn'"
expect_row "$port" Q158047 major EXCH01 COM1 \
    "COM1 claimed by MS Mail Connector (async), Remote Access Service"
expect_row "$conn" Q158047 major EXCH01 "MS Mail Connector" \
    "MS Mail Connector stopped with service-specific error 3*"
kp=$(raise_trap "$port" 1 Q158047)
kc=$(raise_trap "$conn" 1 Q158047)
expect "$MIB::exConnComPortConflictState.\"EXCH01\".\"COM1\"" conflict
n=$((n + 2))
# repair: RAS moved to COM2, the connector started
fh reg set 'HKLM\SOFTWARE\Microsoft\RAS\TAPI DEVICES\Unimodem' Address multi_sz COM2
fh service MSExchangeMSMI running
collect_once
cleared_trap "$port" "$kp" >/dev/null
cleared_trap "$conn" "$kc" >/dev/null
wait_for 10 "Q158047 cleared" value_is "$MIB::exConnAlarmsActive.0" 0
expect "$MIB::exConnComPortConflictState.\"EXCH01\".\"COM1\"" none
expect "$MIB::exConnComPortClaimants.\"EXCH01\".\"COM2\"" 1
n=$((n + 2))
log "Q158047 raised and cleared from the host's registry and service state"

# ---- Q148727: the IMC stopped with 2140 and queue.dat read-only
fh service MSExchangeIMC stopped --win32 2140
fh setmode 'exchsrvr\imcdata\queue.dat' +r
fh file 'exchsrvr\imcdata\out\0001.msg' --size 2048 --age 600
collect_once
raised "Internet Mail Service" Q148727 critical 5 "IMC stopped with error 2140: queue.dat read-only*"
expect "$MIB::exConnConnectorQueueFile.\"EXCH01\".\"Internet Mail Service\"" readOnly
expect "$MIB::exConnQueueMessages.\"EXCH01\".\"IMCDATA-OUT\"" 1
expect "$MIB::exConnQueueBytes.\"EXCH01\".\"IMCDATA-OUT\"" "2048 octets"
fh setmode 'exchsrvr\imcdata\queue.dat' rw
fh file 'exchsrvr\imcdata\out\0001.msg' --delete
fh service MSExchangeIMC running
collect_once
cleared_trap "$A" "$K" >/dev/null
wait_for 10 "Q148727 cleared" value_is "$MIB::exConnAlarmsActive.0" 0
n=$((n + 1))
log "Q148727 raised and cleared from the host's service state and queue.dat"

# ---- Q182346: event 4087 from the IMC in the host's Application log; the
# next report (IMC running, collected after the event) clears it
fh service MSExchangeIMC stopped --win32 0
fh event Application MSExchangeIMC 4087 --str "The Internet Mail Service stopped because of an internal error."
collect_once
raised "Internet Mail Service" Q182346 critical 3 \
    "event 4087 from MSExchangeIMC: The Internet Mail Service stopped because of an internal error."
fh service MSExchangeIMC running
collect_once
cleared_trap "$A" "$K" >/dev/null
n=$((n + 1))
log "Q182346 raised from the host's event log and cleared by the next poll"

# ---- Q166045: cc:Mail event 70.  The collector cannot see dirsync's state
# (no source for dirSync), so the clear is eventTtl's (SPEC §4)
fh event Application MSExchangeCCMC 70 --type warning --str "cc:Mail EXPORT to file msg0001.ccm returned result code 3"
collect_once
raised "cc:Mail Connector" Q166045 major 2 \
    "event 70 from MSExchangeCCMC: cc:Mail EXPORT to file msg0001.ccm returned result code 3*"
collect_once   # the same event is not forwarded twice: still one match
expect "$MIB::exConnAlarmCount.$A" 1
cleared_trap "$A" "$K" $((EVENT_TTL + 15)) >/dev/null
n=$((n + 1))
log "Q166045 raised from the host's event log, cleared after eventTtl"

# ---- Q193760: MTA build 5.0.1457.7 (below 5.0.1461.50), the X.400
# connection to PARIS without an association while 40 messages wait (link
# down), the one to LONDON up with a queue that does not move for three polls
mta_counters() {   # PARIS_QUEUE PARIS_ASSOC LONDON_QUEUE LONDON_ASSOC
    fh perf "{\"MSExchangeIMC\": {\"\": {\"Queued MTS-IN\": 0, \"Queued MTS-OUT\": 2}},
              \"MSExchangeMTA Connections\": {
                \"PARIS\": {\"Queue Length\": $1, \"Associations\": $2},
                \"LONDON\": {\"Queue Length\": $3, \"Associations\": $4}}}"
}
mta_counters 40 0 14 1
collect_once
expect "$MIB::exConnConnectorLinkState.\"EXCH01\".\"PARIS\"" down
expect "$MIB::exConnConnectorLinkState.\"EXCH01\".\"LONDON\"" up
expect "$MIB::exConnQueueMessages.\"EXCH01\".\"MTS-OUT\"" 2
expect "$MIB::exConnQueueMessages.\"EXCH01\".\"X400-PARIS\"" 40
collect_once
mta_counters 40 0 15 1
collect_once
raised PARIS Q193760 critical 4 "PARIS down; MTA 5.0.1457.7 below fix 5.0.1461.50; X400-LONDON stalled at 15 messages*"
expect "$MIB::exConnQueueState.\"EXCH01\".\"X400-LONDON\"" stalled
# repair: the MTA hotfix (a new emsmta.exe), the PARIS link back up
fh file 'exchsrvr\bin\emsmta.exe' --version 5.0.1461.50
mta_counters 0 1 0 1
collect_once
cleared_trap "$A" "$K" >/dev/null
expect "$MIB::exConnServerMtaVersion.\"EXCH01\"" 5.0.1461.50
n=$((n + 1))
log "Q193760 raised from the host's file version and performance counters, cleared by the hotfix"

expect "$MIB::exConnEventsAccepted.0" 2
wait_for 10 "no active alarm" value_is "$MIB::exConnAlarmsActive.0" 0
[ "$(trap_count)" -eq "$n" ] || fail "expected $n exConn traps, got: $(exc_traps)"
log "collector_kb: the 5 KB faults raised from the stand-in host and cleared ($n traps)"
