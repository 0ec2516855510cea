#!/usr/bin/env bash
# Q182346 end to end: with the Internet Mail Service stopped, event 4087 from
# MSExchangeIMC (Computer exch05.corp.example) raises a critical alarm on the
# connector of server EXCH05 with an exConnImcQueueInterfaceFailed trap;
# a later report with the IMC running clears it.
. "$(dirname "$0")/lib.sh"

start_all

feed reports stopped.xml "$DATA/reports/q182346-imc-stopped.xml"
wait_accepted exConnReportsAccepted 1
expect "$MIB::exConnConnectorHealth.\"EXCH05\".\"Internet Mail Service\"" failed
expect "$MIB::exConnConnectorKbArticle.\"EXCH05\".\"Internet Mail Service\"" ''
expect "$MIB::exConnServerStatus.\"EXCH05\"" ok
feed events imc-4087.xml "$DATA/events/q182346-imc-4087.xml"
wait_traps 1 10 3
expect_raised 3 Q182346 critical EXCH05 "Internet Mail Service" \
    "event 4087 from MSExchangeIMC: The Internet Mail Service stopped because of an internal error."
a=$ALARM k=$RAISED_K
expect "$MIB::exConnAlarmsActive.0" 1
lc1=$(last_changed_at "$k")
expect "$MIB::exConnConnectorKbArticle.\"EXCH05\".\"Internet Mail Service\"" Q182346
expect "$MIB::exConnConnectorHealth.\"EXCH05\".\"Internet Mail Service\"" failed
expect "$MIB::exConnServerStatus.\"EXCH05\"" failed
expect "$MIB::exConnServerAlarms.\"EXCH05\"" 1
expect_history "$a" raised

feed reports repaired.xml "$DATA/reports/q182346-repaired.xml"
expect_cleared "$a" "$k" "$lc1"
kc=$CLEARED_K lc2=$LAST_CHANGED
expect "$MIB::exConnConnectorKbArticle.\"EXCH05\".\"Internet Mail Service\"" ''
expect "$MIB::exConnConnectorHealth.\"EXCH05\".\"Internet Mail Service\"" ok
expect "$MIB::exConnServerStatus.\"EXCH05\"" ok
expect "$MIB::exConnNotificationsSent.0" 2
[ "$(trap_count)" -eq 2 ] || fail "expected 2 exConn traps: $(exc_traps)"
log "Q182346: alarm $a raised (trap $k) and cleared (trap $kc)"
