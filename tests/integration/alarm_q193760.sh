#!/usr/bin/env bash
# Q193760 end to end: an Exchange 5.0 MTA below build 5.0.1461.50, the
# X.400 link to PARIS down and the LONDON link's queue growing over three
# reports (stallSamples 3) raises a critical alarm on "X.400 to PARIS" with
# an exConnMtaLinkStall trap -- only at the third report; the repaired
# report (hotfix, links up, queues drained) clears it.
. "$(dirname "$0")/lib.sh"

start_all

feed reports stall-1.xml "$DATA/reports/q193760-stall-1.xml"
feed reports stall-2.xml "$DATA/reports/q193760-stall-2.xml"
wait_accepted exConnReportsAccepted 2
expect "$MIB::exConnAlarmsActive.0" 0
expect "$MIB::exConnQueueState.\"EXCH06\".\"X400-LONDON\"" flowing
feed reports stall-3.xml "$DATA/reports/q193760-stall-3.xml"
wait_traps 1 10 4
expect_raised 4 Q193760 critical EXCH06 "X.400 to PARIS" \
    "X.400 to PARIS down; MTA 5.0.1457.7 below fix 5.0.1461.50; X400-LONDON stalled at 14 messages on X.400 to LONDON"
a=$ALARM k=$RAISED_K
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
expect_cleared "$a" "$k" "$lc1"
kc=$CLEARED_K lc2=$LAST_CHANGED
expect "$MIB::exConnQueueState.\"EXCH06\".\"X400-LONDON\"" empty
expect "$MIB::exConnConnectorKbArticle.\"EXCH06\".\"X.400 to PARIS\"" ''
expect "$MIB::exConnConnectorHealth.\"EXCH06\".\"X.400 to PARIS\"" ok
expect "$MIB::exConnServerStatus.\"EXCH06\"" ok
expect "$MIB::exConnNotificationsSent.0" 2
[ "$(trap_count)" -eq 2 ] || fail "expected 2 exConn traps: $(exc_traps)"
log "Q193760: alarm $a raised (trap $k) and cleared (trap $kc)"
