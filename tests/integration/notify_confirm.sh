#!/usr/bin/env bash
# Issue 9.2: a notice is acknowledged (and counted in
# exConnNotificationsSent) only when the master's Response to its Notify PDU
# arrived.  snmpd is frozen (SIGSTOP) and an alarm raised at once: its Notify
# is written to the frozen master, which never answers; then that master is
# killed (the PDU dies in its socket) and a new one started.  The notice was
# never confirmed, so it is sent again after the re-registration: it reaches
# snmptrapd exactly once and only then counts as sent.  (The old agent took
# the write for the delivery: acknowledged, counted, never sent again.)
. "$(dirname "$0")/lib.sh"

start_all
[ "$(counter exConnNotificationsSent)" -eq 0 ] || fail "notifications sent before any alarm"

kill -STOP "$SNMPD_PID"
# the Notify goes to the frozen master before its ping times out (>= 2 s)
event_xml CONFIRM1 9001 MSExchangeIMC 4087 | publish events 01-confirm.xml
wait_for 10 "event ingested" eval '[ "$(spool_count events)" -eq 0 ]'
wait_for 10 "the Notify written" grep -q 'sent notification 3 for alarm' "$AGENT_LOG"
kill -KILL "$SNMPD_PID"; wait "$SNMPD_PID" 2>/dev/null || true; SNMPD_PID=
log "frozen master killed with the Notify unanswered in its socket"
start_snmpd
wait_registered 10
wait_for 10 "the trap, sent again" eval '[ "$(trap_count)" -ge 1 ]'
wait_for 5 "counted once confirmed" eval '[ "$(counter exConnNotificationsSent)" -eq 1 ]'
sleep 1
[ "$(trap_count)" -eq 1 ] || fail "$(trap_count) traps, want exactly 1"
grep -q 'CONFIRM1' "$TRAP_LOG" || fail "the trap is not the CONFIRM1 alarm"
log "unconfirmed notice sent again after the re-registration: 1 trap, exConnNotificationsSent 1"
