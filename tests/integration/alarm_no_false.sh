#!/usr/bin/env bash
# No false alarms (SPEC §4): inputs that look like the five faults but are
# not raise nothing -- no alarm row, no trap, no KB match:
#   - COM ports with one claimant / none (Q158047 a), an MS Mail Connector
#     stopped with service exit code 5 on a port it has alone (Q158047 b);
#   - event 70 from a provider other than MSExchangeCCMC (Q166045);
#   - event 4087 from another provider, MSExchangeIMC events 4086/4088 (Q182346);
#   - Q193760's link-down + stalled queue on a 5.5 MTA and on the fixed 5.0
#     build, and a link down while the other link's queue drains;
#   - an IMC stopped with exit code 1067, or 0 (Q148727).
# Positive control bounding the wait: after all of them were accepted, a real
# Q148727 fault is dropped; its trap must be the first and only exConn trap.
. "$(dirname "$0")/lib.sh"

start_all

gen=$T/gen
mkdir -p "$gen"
R=$DATA/reports
# Q158047: one claimant (EXCH02: COM1 one claimant, COM2 none); exit code 5
report_copy "$R/q158047-conflict.xml" "$gen/msmail5.xml" 's/EXCH03/EXCH11/' \
    's/serviceExitCode="3"/serviceExitCode="5"/' '/kind="remoteAccess"/d'
# Q193760 on a 5.5 MTA, on the fixed 5.0 build, and with LONDON draining
for n in 1 2 3; do
    report_copy "$R/q193760-stall-$n.xml" "$gen/mta55-$n.xml" 's/EXCH06/EXCH07/' \
        's/exchangeVersion="[^"]*"/exchangeVersion="5.5.2653.23"/' \
        's/mtaVersion="[^"]*"/mtaVersion="5.5.2653.23"/'
    report_copy "$R/q193760-stall-$n.xml" "$gen/mtafix-$n.xml" 's/EXCH06/EXCH08/' \
        's/mtaVersion="[^"]*"/mtaVersion="5.0.1461.50"/'
done
report_copy "$R/q193760-stall-1.xml" "$gen/drain-1.xml" 's/EXCH06/EXCH09/' \
    's/name="X400-LONDON" kind="x400Link" messages="5"/name="X400-LONDON" kind="x400Link" messages="14"/'
report_copy "$R/q193760-stall-2.xml" "$gen/drain-2.xml" 's/EXCH06/EXCH09/'
report_copy "$R/q193760-stall-3.xml" "$gen/drain-3.xml" 's/EXCH06/EXCH09/' \
    's/name="X400-LONDON" kind="x400Link" messages="14"/name="X400-LONDON" kind="x400Link" messages="5"/'
# Q148727: stopped with 1067
report_copy "$R/q148727-imc-stopped.xml" "$gen/imc1067.xml" 's/EXCH01/EXCH10/' \
    's/win32ExitCode="2140"/win32ExitCode="1067"/'
grep -q 'serviceExitCode="5"' "$gen/msmail5.xml" && ! grep -q remoteAccess "$gen/msmail5.xml" &&
    grep -q 'messages="14"' "$gen/drain-1.xml" && grep -q 'messages="5" ' "$gen/drain-3.xml" &&
    grep -q 'win32ExitCode="1067"' "$gen/imc1067.xml" || fail "report generation did not apply"

reports=0 events=0
for f in "$R/exch02-healthy.xml" "$gen/msmail5.xml" "$R/q166045-dirsync-pending.xml" \
         "$R/q182346-imc-stopped.xml" "$gen"/mta55-{1,2,3}.xml "$gen"/mtafix-{1,2,3}.xml \
         "$gen"/drain-{1,2,3}.xml "$gen/imc1067.xml"; do
    feed reports "$(basename "$f")" "$f"; reports=$((reports + 1))
done
wait_accepted exConnReportsAccepted $reports
for f in negative-70-other-provider negative-4087-other-provider negative-imc-other-id; do
    feed events "$f.xml" "$DATA/events/$f.xml"
done
events=4   # 1 + 1 + 2
wait_accepted exConnEventsAccepted $events
expect "$MIB::exConnReportsRejected.0" 0
expect "$MIB::exConnEventsRejected.0" 0
# the queues really were what the rule looks at
expect "$MIB::exConnQueueState.\"EXCH07\".\"X400-LONDON\"" stalled
expect "$MIB::exConnQueueState.\"EXCH08\".\"X400-LONDON\"" stalled
expect "$MIB::exConnQueueState.\"EXCH09\".\"X400-LONDON\"" flowing
expect "$MIB::exConnConnectorLinkState.\"EXCH09\".\"X.400 to PARIS\"" down
expect "$MIB::exConnComPortClaimants.\"EXCH11\".\"COM1\"" 1
expect "$MIB::exConnConnectorState.\"EXCH10\".\"Internet Mail Service\"" stopped
expect "$MIB::exConnAlarmsActive.0" 0
for art in Q148727 Q158047 Q166045 Q182346 Q193760; do
    expect "$MIB::exConnKbArticleMatches.\"$art\"" 0
done
for s in EXCH02 EXCH04 EXCH05 EXCH07 EXCH08 EXCH09 EXCH10 EXCH11; do
    expect "$MIB::exConnServerStatus.\"$s\"" ok
done

# positive control
feed reports control.xml "$R/q148727-imc-stopped.xml"
wait_traps 1 10 5
[ "$(trap_count)" -eq 1 ] || fail "false alarm trap(s): $(exc_traps)"
a=$(trap_alarm 1)
assert_trap 1 5 "$a" Q148727
expect "$MIB::exConnAlarmServer.$a" EXCH01
expect "$MIB::exConnAlarmsActive.0" 1
rows=$(snmp snmpwalk -On -Oq "$MIB::exConnAlarmHistoryAlarm" | grep -c "^$EXC_ROOT" || true)
[ "$rows" -eq 1 ] || fail "exConnAlarmHistoryTable has $rows rows, expected the control's only"
expect "$MIB::exConnNotificationsSent.0" 1
log "no false alarm from $reports reports and $events events; control alarm $a"
