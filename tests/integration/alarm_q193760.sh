#!/usr/bin/env bash
# Q193760 end to end: an Exchange 5.0 MTA below build 5.0.1461.50, the
# X.400 link to PARIS down and the LONDON link's queue growing over three
# reports (stallSamples 3) raises a critical alarm on "X.400 to PARIS" with
# an exConnMtaLinkStall trap -- only at the third report; the repaired
# report (hotfix, links up, queues drained) clears it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_alarms.sh"

start_snmptrapd
start_snmpd
start_agent
wait_all_registered 10

feed reports stall-1.xml "$DATA/reports/q193760-stall-1.xml"
feed reports stall-2.xml "$DATA/reports/q193760-stall-2.xml"
wait_accepted exConnReportsAccepted 2
expect "$MIB::exConnAlarmsActive.0" 0
expect "$MIB::exConnQueueState.\"EXCH06\".\"X400-LONDON\"" flowing
feed reports stall-3.xml "$DATA/reports/q193760-stall-3.xml"
wait_traps 1 10 4
a=$(alarm_index_of EXCH06 "X.400 to PARIS")
[ -n "$a" ] || fail "no alarm row for X.400 to PARIS"
expect_row "$a" Q193760 critical EXCH06 "X.400 to PARIS" \
    "X.400 to PARIS down; MTA 5.0.1457.7 below fix 5.0.1461.50; X400-LONDON stalled at 14 messages on X.400 to LONDON"
k=$(raise_trap "$a" 4 Q193760)
[ "$(trap_count)" -eq 1 ] || fail "the first two reports sent a trap: $(exc_traps)"
expect "$MIB::exConnAlarmsActive.0" 1
lc1=$(last_changed_at "$k")
expect "$MIB::exConnQueueState.\"EXCH06\".\"X400-LONDON\"" stalled
expect "$MIB::exConnConnectorKbArticle.\"EXCH06\".\"X.400 to PARIS\"" Q193760
expect "$MIB::exConnConnectorHealth.\"EXCH06\".\"X.400 to PARIS\"" failed
expect "$MIB::exConnConnectorKbArticle.\"EXCH06\".\"X.400 to LONDON\"" ''
expect "$MIB::exConnConnectorHealth.\"EXCH06\".\"X.400 to LONDON\"" ok
expect "$MIB::exConnServerStatus.\"EXCH06\"" failed
expect_history "$a" raised

feed reports repaired.xml "$DATA/reports/q193760-repaired.xml"
kc=$(cleared_trap "$a" "$k")
wait_for 10 "no active alarm" value_is "$MIB::exConnAlarmsActive.0" 0
no_instance "$MIB::exConnAlarmKbArticle.$a" || fail "alarm $a still in exConnAlarmTable"
expect_history "$a" "raised cleared"
lc2=$(last_changed_at "$kc" "$lc1")
expect "$MIB::exConnQueueState.\"EXCH06\".\"X400-LONDON\"" empty
expect "$MIB::exConnConnectorKbArticle.\"EXCH06\".\"X.400 to PARIS\"" ''
expect "$MIB::exConnConnectorHealth.\"EXCH06\".\"X.400 to PARIS\"" ok
expect "$MIB::exConnServerStatus.\"EXCH06\"" ok
expect "$MIB::exConnNotificationsSent.0" 2
[ "$(trap_count)" -eq 2 ] || fail "expected 2 exConn traps: $(exc_traps)"
log "Q193760: alarm $a raised (trap $k) and cleared (trap $kc)"
