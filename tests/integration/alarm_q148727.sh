#!/usr/bin/env bash
# Q148727 end to end: the Internet Mail Connector stopped with Win32 error
# 2140, queue.dat read-only and 12 messages in MTS-OUT raises a critical
# alarm naming those causes, with an exConnImcStartFailed trap; the
# repaired report clears it.
. "$(dirname "$0")/lib.sh"

start_all

feed reports stopped.xml "$DATA/reports/q148727-imc-stopped.xml"
wait_traps 1 10 5
expect_raised 5 Q148727 critical EXCH01 "Internet Mail Service" \
    "IMC stopped with error 2140: queue.dat read-only, 12 messages in MTS-OUT"
a=$ALARM k=$RAISED_K
expect "$MIB::exConnAlarmsActive.0" 1
lc1=$(last_changed_at "$k")
expect "$MIB::exConnConnectorKbArticle.\"EXCH01\".\"Internet Mail Service\"" Q148727
expect "$MIB::exConnConnectorHealth.\"EXCH01\".\"Internet Mail Service\"" failed
expect "$MIB::exConnConnectorQueueFile.\"EXCH01\".\"Internet Mail Service\"" readOnly
expect "$MIB::exConnServerStatus.\"EXCH01\"" failed
expect "$MIB::exConnKbArticleMatches.\"Q148727\"" 1
expect_history "$a" raised

feed reports repaired.xml "$DATA/reports/q148727-repaired.xml"
expect_cleared "$a" "$k" "$lc1"
kc=$CLEARED_K lc2=$LAST_CHANGED
expect "$MIB::exConnConnectorKbArticle.\"EXCH01\".\"Internet Mail Service\"" ''
expect "$MIB::exConnConnectorHealth.\"EXCH01\".\"Internet Mail Service\"" ok
expect "$MIB::exConnServerStatus.\"EXCH01\"" ok
expect "$MIB::exConnNotificationsSent.0" 2
[ "$(trap_count)" -eq 2 ] || fail "expected 2 exConn traps: $(exc_traps)"
log "Q148727: alarm $a raised (trap $k) and cleared (trap $kc)"
