#!/usr/bin/env bash
# A restart of the agent (SPEC §5): the same alarm rows with the same indexes
# and the same history come back from the state directory, and nothing
# notified before is notified again -- after a clean stop (SIGTERM) and after
# kill -9 once the acknowledgements were committed.  Each time a new fault is
# the positive control: its trap must be the only new one, with the next
# alarm index (indexes are never reused).
. "$(dirname "$0")/lib.sh"

start_all

feed reports conflict.xml "$DATA/reports/q158047-conflict.xml"     # alarms 1, 2
feed reports imc2140.xml "$DATA/reports/q148727-imc-stopped.xml"   # alarm 3
wait_traps 3 10
expect "$MIB::exConnAlarmsActive.0" 3
alarms_before=$(snmp snmpwalk -On "$MIB::exConnAlarmTable")
history_before=$(snmp snmpwalk -On "$MIB::exConnAlarmHistoryTable")
[ "$(printf '%s\n' "$alarms_before" | grep -c "^$EXC_ALARM_ENTRY\.2\.")" -eq 3 ] ||
    fail "expected 3 alarm rows: $alarms_before"

# From the first answer after a restart on, the agent serves the state it
# loaded (it registers its subtrees only once that state is in place): the
# first scalar that answers already counts the alarms.
same_tables() {
    local a h
    a=$(snmp snmpwalk -On "$MIB::exConnAlarmTable")
    h=$(snmp snmpwalk -On "$MIB::exConnAlarmHistoryTable")
    [ "$a" = "$alarms_before" ] || fail "exConnAlarmTable differs after the restart:
--- before
$alarms_before
--- after
$a"
    [ "$h" = "$history_before" ] || fail "exConnAlarmHistoryTable differs after the restart:
--- before
$history_before
--- after
$h"
}

# 1. clean stop and start
stop_pid "$AGENT_PID"
AGENT_PID=
wait_for 10 "the subtree is gone" no_object "$MIB::exConnAlarmsActive.0"
start_agent
wait_registered 10
expect "$MIB::exConnAlarmsActive.0" 3
wait_all_registered 10
same_tables
feed reports pending.xml "$DATA/reports/q166045-dirsync-pending.xml"
feed events ccmc-70.xml "$DATA/events/q166045-ccmc-70.xml"          # alarm 4
expect_nth_trap 4 2 4
expect "$MIB::exConnNotificationsSent.0" 1   # counts this process's traps

# 2. kill -9 once every notification was acknowledged and committed
alarms_before=$(snmp snmpwalk -On "$MIB::exConnAlarmTable")
history_before=$(snmp snmpwalk -On "$MIB::exConnAlarmHistoryTable")
# The newest alarm section committed (in the checkpoint exconn.state or in
# the journal exconn.journal appended to it) has no outbox record ("out"):
# every notification sent was acknowledged and the acknowledgement committed.
outbox_empty() {
    cat "$STATE/exconn.state" "$STATE/exconn.journal" 2>/dev/null | awk '
        /^aix / { seen = 1; out = 0 }
        /^out / { out = 1 }
        END { exit !(seen && !out) }'
}
grep -q '^alm ' "$STATE/exconn.state" "$STATE/exconn.journal" 2>/dev/null ||
    fail "unexpected state file format: no alarm record in $STATE"
wait_for 10 "the outbox is committed empty" outbox_empty
want="$(get "$MIB::exConnAlarmsActive.0") $(get "$MIB::exConnReportsAccepted.0") "
kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null || true
AGENT_PID=
wait_for 10 "the subtree is gone" no_object "$MIB::exConnAlarmsActive.0"
# poll all through the restart: every answer is "not there (yet)" or what
# was there before
[ "$want" = "4 3 " ] || fail "before the kill: exConnAlarmsActive, exConnReportsAccepted = $want"
( while [ ! -e "$T/poll.stop" ]; do
      snmpget -v2c -c public -t 1 -r 0 -Oqv "127.0.0.1:$SNMPD_PORT" \
          "$EXC_ROOT.1.1.7.0" "$EXC_ROOT.1.1.2.0" 2>&1 | tr '\n' ' '
      echo
  done > "$T/poll.log" ) &
poller=$!
start_agent
wait_registered 10
expect "$MIB::exConnAlarmsActive.0" 4
wait_all_registered 10
touch "$T/poll.stop"
wait "$poller" || true
bad=$(grep -v "No Such\|Timeout" "$T/poll.log" | grep -vx "$want" | grep -v '^$' || true)
[ -z "$bad" ] || fail "answers served during the restart (exConnAlarmsActive, exConnReportsAccepted): $(sort "$T/poll.log" | uniq -c)"
log "$(grep -c . "$T/poll.log") polls during the restart, all 'No Such' or '$want'"
same_tables
feed reports imc-stopped.xml "$DATA/reports/q182346-imc-stopped.xml"
feed events imc-4087.xml "$DATA/events/q182346-imc-4087.xml"        # alarm 5
expect_nth_trap 5 3 5
log "alarms and history survived SIGTERM and kill -9 with no duplicate trap"
