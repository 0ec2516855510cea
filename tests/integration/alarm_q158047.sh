#!/usr/bin/env bash
# Q158047 end to end: a report with COM1 claimed twice and the MS Mail
# Connector stopped with service-specific error 3 raises two alarms (the
# port, the connector) with exConnComPortConflict traps shaped as SPEC §5
# says and equal to the rows; the repaired report clears both with
# exConnAlarmCleared; history, derived states and scalars follow.
. "$(dirname "$0")/lib.sh"

start_all
expect "$MIB::exConnAlarmsActive.0" 0

feed reports conflict.xml "$DATA/reports/q158047-conflict.xml"
wait_traps 2 10 1
port=$(alarm_index_of EXCH03 COM1)
conn=$(alarm_index_of EXCH03 "MS Mail Connector")
[ -n "$port" ] && [ -n "$conn" ] || fail "alarm rows missing: port='$port' connector='$conn'"
expect_row "$port" Q158047 major EXCH03 COM1 \
    "COM1 claimed by MS Mail Connector (async), Remote Access Service"
expect_row "$conn" Q158047 major EXCH03 "MS Mail Connector" \
    "MS Mail Connector stopped with service-specific error 3 (COM1 claimed by MS Mail Connector (async), Remote Access Service)"
expect "$MIB::exConnAlarmCount.$port" 1
kp=$(raise_trap "$port" 1 Q158047)
kc=$(raise_trap "$conn" 1 Q158047)
[ "$(trap_value "$kp" "$EXC_KB_ENTRY.7.$(str_index Q158047)")" = "STRING: https://support.microsoft.com/kb/158047" ] ||
    fail "URL varbind: $(trap_line "$kp")"

expect "$MIB::exConnAlarmsActive.0" 2
lc1=$(last_changed_at "$kp")
expect "$MIB::exConnServerStatus.\"EXCH03\"" degraded
expect "$MIB::exConnServerAlarms.\"EXCH03\"" 2
expect "$MIB::exConnConnectorKbArticle.\"EXCH03\".\"MS Mail Connector\"" Q158047
expect "$MIB::exConnConnectorHealth.\"EXCH03\".\"MS Mail Connector\"" failed
expect "$MIB::exConnComPortConflictState.\"EXCH03\".\"COM1\"" conflict
expect "$MIB::exConnKbArticleMatches.\"Q158047\"" 2
expect_history "$port" raised
expect_history "$conn" raised

feed reports repaired.xml "$DATA/reports/q158047-repaired.xml"
kpc=$(cleared_trap "$port" "$kp")
kcc=$(cleared_trap "$conn" "$kc")
wait_for 10 "no active alarm" value_is "$MIB::exConnAlarmsActive.0" 0
no_instance "$MIB::exConnAlarmKbArticle.$port" || fail "alarm $port still in exConnAlarmTable"
no_instance "$MIB::exConnAlarmKbArticle.$conn" || fail "alarm $conn still in exConnAlarmTable"
expect_history "$port" "raised cleared"
expect_history "$conn" "raised cleared"
[ "$(history_row "$port" cleared exConnAlarmHistoryResource)" = COM1 ] || fail "history resource"
[ "$(history_row "$conn" raised exConnAlarmHistoryKbArticle)" = Q158047 ] || fail "history article"
lc2=$(last_changed_at "$kcc" "$lc1")
expect "$MIB::exConnServerStatus.\"EXCH03\"" ok
expect "$MIB::exConnServerAlarms.\"EXCH03\"" 0
expect "$MIB::exConnConnectorKbArticle.\"EXCH03\".\"MS Mail Connector\"" ''
expect "$MIB::exConnConnectorHealth.\"EXCH03\".\"MS Mail Connector\"" ok
expect "$MIB::exConnComPortConflictState.\"EXCH03\".\"COM1\"" none
expect "$MIB::exConnNotificationsSent.0" 4
[ "$(trap_count)" -eq 4 ] || fail "expected 4 exConn traps, got $(trap_count): $(exc_traps)"
log "Q158047: alarms $port, $conn raised (traps $kp, $kc) and cleared (traps $kpc, $kcc)"
