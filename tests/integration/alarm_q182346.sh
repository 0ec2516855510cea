#!/usr/bin/env bash
# Q182346 end to end: with the Internet Mail Service stopped, event 4087 from
# MSExchangeIMC (Computer exch05.corp.example) raises a critical alarm on the
# connector of server EXCH05 with an exConnImcQueueInterfaceFailed trap;
# a later report with the IMC running clears it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_alarms.sh"

start_snmptrapd
start_snmpd
start_agent
wait_all_registered 10

feed reports stopped.xml "$DATA/reports/q182346-imc-stopped.xml"
wait_accepted exConnReportsAccepted 1
expect "$MIB::exConnConnectorHealth.\"EXCH05\".\"Internet Mail Service\"" failed
expect "$MIB::exConnConnectorKbArticle.\"EXCH05\".\"Internet Mail Service\"" ''
expect "$MIB::exConnServerStatus.\"EXCH05\"" ok
feed events imc-4087.xml "$DATA/events/q182346-imc-4087.xml"
wait_traps 1 10 3
a=$(alarm_index_of EXCH05 "Internet Mail Service")
[ -n "$a" ] || fail "no alarm row for the Internet Mail Service"
expect_row "$a" Q182346 critical EXCH05 "Internet Mail Service" \
    "event 4087 from MSExchangeIMC: The Internet Mail Service stopped because of an internal error."
k=$(raise_trap "$a" 3 Q182346)
expect "$MIB::exConnAlarmsActive.0" 1
lc1=$(last_changed_at "$k")
expect "$MIB::exConnConnectorKbArticle.\"EXCH05\".\"Internet Mail Service\"" Q182346
expect "$MIB::exConnConnectorHealth.\"EXCH05\".\"Internet Mail Service\"" failed
expect "$MIB::exConnServerStatus.\"EXCH05\"" failed
expect "$MIB::exConnServerAlarms.\"EXCH05\"" 1
expect_history "$a" raised

feed reports repaired.xml "$DATA/reports/q182346-repaired.xml"
kc=$(cleared_trap "$a" "$k")
wait_for 10 "no active alarm" value_is "$MIB::exConnAlarmsActive.0" 0
no_instance "$MIB::exConnAlarmKbArticle.$a" || fail "alarm $a still in exConnAlarmTable"
expect_history "$a" "raised cleared"
lc2=$(last_changed_at "$kc" "$lc1")
expect "$MIB::exConnConnectorKbArticle.\"EXCH05\".\"Internet Mail Service\"" ''
expect "$MIB::exConnConnectorHealth.\"EXCH05\".\"Internet Mail Service\"" ok
expect "$MIB::exConnServerStatus.\"EXCH05\"" ok
expect "$MIB::exConnNotificationsSent.0" 2
[ "$(trap_count)" -eq 2 ] || fail "expected 2 exConn traps: $(exc_traps)"
log "Q182346: alarm $a raised (trap $k) and cleared (trap $kc)"
