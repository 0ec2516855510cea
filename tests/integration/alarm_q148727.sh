#!/usr/bin/env bash
# Q148727 end to end: the Internet Mail Connector stopped with Win32 error
# 2140, queue.dat read-only and 12 messages in MTS-OUT raises a critical
# alarm naming those causes, with an exConnImcStartFailed trap; the
# repaired report clears it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_alarms.sh"

start_snmptrapd
start_snmpd
start_agent
wait_all_registered 10

feed reports stopped.xml "$DATA/reports/q148727-imc-stopped.xml"
wait_traps 1 10 5
a=$(alarm_index_of EXCH01 "Internet Mail Service")
[ -n "$a" ] || fail "no alarm row for the Internet Mail Service"
expect_row "$a" Q148727 critical EXCH01 "Internet Mail Service" \
    "IMC stopped with error 2140: queue.dat read-only, 12 messages in MTS-OUT"
k=$(raise_trap "$a" 5 Q148727)
expect "$MIB::exConnAlarmsActive.0" 1
lc1=$(last_changed_at "$k")
expect "$MIB::exConnConnectorKbArticle.\"EXCH01\".\"Internet Mail Service\"" Q148727
expect "$MIB::exConnConnectorHealth.\"EXCH01\".\"Internet Mail Service\"" failed
expect "$MIB::exConnConnectorQueueFile.\"EXCH01\".\"Internet Mail Service\"" readOnly
expect "$MIB::exConnServerStatus.\"EXCH01\"" failed
expect "$MIB::exConnKbArticleMatches.\"Q148727\"" 1
expect_history "$a" raised

feed reports repaired.xml "$DATA/reports/q148727-repaired.xml"
kc=$(cleared_trap "$a" "$k")
wait_for 10 "no active alarm" value_is "$MIB::exConnAlarmsActive.0" 0
no_instance "$MIB::exConnAlarmKbArticle.$a" || fail "alarm $a still in exConnAlarmTable"
expect_history "$a" "raised cleared"
lc2=$(last_changed_at "$kc" "$lc1")
expect "$MIB::exConnConnectorKbArticle.\"EXCH01\".\"Internet Mail Service\"" ''
expect "$MIB::exConnConnectorHealth.\"EXCH01\".\"Internet Mail Service\"" ok
expect "$MIB::exConnServerStatus.\"EXCH01\"" ok
expect "$MIB::exConnNotificationsSent.0" 2
[ "$(trap_count)" -eq 2 ] || fail "expected 2 exConn traps: $(exc_traps)"
log "Q148727: alarm $a raised (trap $k) and cleared (trap $kc)"
