#!/usr/bin/env bash
# Issue 9 (soak abort): a Notify whose write fails.  When the master dies
# just as a Notify is written, Net-SNMP's snmp_async_send calls the request
# back as SEND_FAILED and also returns 0; the agent freed the request in
# both places, and glibc aborted it (SIGABRT, seen once in the 10-minute
# fault soak).  Here a preloaded shim (tests/preload/fail_notify_send.c)
# makes the first Notify's write fail with EPIPE while the session stays
# up: the agent must survive, write the notice again a second later, and
# the trap reach snmptrapd exactly once, counted once confirmed.
. "$(dirname "$0")/lib.sh"

[ -f "${EXCONN_FAIL_NOTIFY_SEND:-}" ] || fail "EXCONN_FAIL_NOTIFY_SEND: the shim is not built"
# an ASan agent wants its runtime first in the library list; the shim is
# preloaded before it on purpose
[ -z "${ASAN_OPTIONS:-}" ] || export ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0

write_config
start_snmptrapd
start_snmpd
LD_PRELOAD=$EXCONN_FAIL_NOTIFY_SEND start_agent
wait_registered 10

event_xml SENDFAIL1 9001 MSExchangeIMC 4087 | publish events 01-sendfail.xml
wait_for 10 "event ingested" eval '[ "$(spool_count events)" -eq 0 ]'
wait_for 10 "the failed write logged" grep -q 'exconn: Notify: .*Broken pipe' "$AGENT_LOG"
wait_for 10 "the trap, written again" eval '[ "$(trap_count)" -ge 1 ]'
agent_alive || fail "the agent died after the failed Notify write"
wait_for 5 "counted once confirmed" eval '[ "$(counter exConnNotificationsSent)" -eq 1 ]'
sleep 1
[ "$(trap_count)" -eq 1 ] || fail "$(trap_count) traps, want exactly 1"
grep -q 'SENDFAIL1' "$TRAP_LOG" || fail "the trap is not the SENDFAIL1 alarm"
kill -TERM "$AGENT_PID"
rc=0; wait "$AGENT_PID" || rc=$?; AGENT_PID=
[ "$rc" -eq 0 ] || fail "agent exit $rc after SIGTERM"
log "a Notify whose write failed: agent alive, sent again, 1 trap, counted once"
