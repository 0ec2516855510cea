#!/usr/bin/env bash
# Q166045 end to end: with the cc:Mail Connector's dirsync pending, event 70
# from MSExchangeCCMC raises a major alarm on the connector with an
# exConnCcMailExportFailed trap (SPEC §5 shape, values = the row, the
# description adds "dirsync has not completed"); a later report with the
# connector running and dirsync completed clears it with exConnAlarmCleared.
. "$(dirname "$0")/lib.sh"

start_all

feed reports pending.xml "$DATA/reports/q166045-dirsync-pending.xml"
wait_accepted exConnReportsAccepted 1
expect "$MIB::exConnConnectorHealth.\"EXCH04\".\"cc:Mail Connector\"" ok
expect "$MIB::exConnConnectorDirSync.\"EXCH04\".\"cc:Mail Connector\"" pending
feed events ccmc-70.xml "$DATA/events/q166045-ccmc-70.xml"
wait_traps 1 10 2
expect_raised 2 Q166045 major EXCH04 "cc:Mail Connector" \
    "event 70 from MSExchangeCCMC: cc:Mail EXPORT to file msg0001.ccm returned result code 3; dirsync has not completed"
a=$ALARM k=$RAISED_K
expect "$MIB::exConnAlarmsActive.0" 1
lc1=$(last_changed_at "$k")
expect "$MIB::exConnConnectorKbArticle.\"EXCH04\".\"cc:Mail Connector\"" Q166045
expect "$MIB::exConnConnectorHealth.\"EXCH04\".\"cc:Mail Connector\"" degraded
expect "$MIB::exConnServerStatus.\"EXCH04\"" degraded
expect "$MIB::exConnKbArticleMatches.\"Q166045\"" 1
expect_history "$a" raised

feed reports repaired.xml "$DATA/reports/q166045-repaired.xml"
expect_cleared "$a" "$k" "$lc1"
kc=$CLEARED_K lc2=$LAST_CHANGED
expect "$MIB::exConnConnectorKbArticle.\"EXCH04\".\"cc:Mail Connector\"" ''
expect "$MIB::exConnConnectorHealth.\"EXCH04\".\"cc:Mail Connector\"" ok
expect "$MIB::exConnServerStatus.\"EXCH04\"" ok
expect "$MIB::exConnNotificationsSent.0" 2
[ "$(trap_count)" -eq 2 ] || fail "expected 2 exConn traps: $(exc_traps)"
log "Q166045: alarm $a raised (trap $k) and cleared (trap $kc)"
