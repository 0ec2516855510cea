#!/usr/bin/env bash
# Notifications while the master agent is away (SPEC §5): snmpd is stopped,
# faults arrive and are committed, nothing can be sent; snmpd comes back on
# the same UDP port and AgentX socket, the agent registers again and sends
# every queued notification, in order (by alarm index, as raised), each
# with the SPEC §5 varbinds equal to its row.  exConnNotificationsSent counts them.
. "$(dirname "$0")/lib.sh"

start_all
expect "$MIB::exConnNotificationsSent.0" 0

stop_master

feed reports conflict.xml "$DATA/reports/q158047-conflict.xml"      # alarms 1, 2
feed reports imc2140.xml "$DATA/reports/q148727-imc-stopped.xml"    # alarm 3
feed reports imc-stopped.xml "$DATA/reports/q182346-imc-stopped.xml"
feed events imc-4087.xml "$DATA/events/q182346-imc-4087.xml"        # alarm 4
feed reports stall-1.xml "$DATA/reports/q193760-stall-1.xml"
feed reports stall-2.xml "$DATA/reports/q193760-stall-2.xml"
feed reports stall-3.xml "$DATA/reports/q193760-stall-3.xml"        # alarm 5
wait_for 10 "the spool is processed" spool_empty
wait_for 10 "the state is committed" grep -q "accepted report 007-stall-3.xml" "$AGENT_LOG"
[ "$(trap_count)" -eq 0 ] || fail "traps arrived while snmpd was down: $(exc_traps)"

start_snmpd   # same $SNMPD_PORT, same $AGENTX_SOCK
wait_all_registered 10
wait_traps 5 15
[ "$(trap_count)" -eq 5 ] || fail "expected 5 exConn traps: $(exc_traps)"
prev=0
for k in 1 2 3 4 5; do
    a=$(trap_alarm "$k")
    [ "$a" -gt "$prev" ] || fail "trap $k is for alarm $a, after alarm $prev: not in order"
    prev=$a
done
notifs="$(trap_notif 1) $(trap_notif 2) $(trap_notif 3) $(trap_notif 4) $(trap_notif 5)"
[ "$notifs" = "1 1 5 3 4" ] || fail "notifications $notifs, expected 1 1 5 3 4 (raise order)"
for k in 1 2 3 4 5; do
    a=$(trap_alarm "$k")
    art=$(get "$MIB::exConnAlarmKbArticle.$a")
    assert_trap "$k" "$(trap_notif "$k")" "$a" "$art"
    assert_trap_is_row "$k"
done
expect "$MIB::exConnNotificationsSent.0" 5
expect "$MIB::exConnNotificationsDropped.0" 0
expect "$MIB::exConnAlarmsActive.0" 5

# and once connected again, a new alarm goes out at once, after them
feed reports conflict-repaired.xml "$DATA/reports/q158047-repaired.xml"
wait_traps 7 10
[ "$(trap_notif 6)" = 8 ] && [ "$(trap_notif 7)" = 8 ] || fail "expected two clears: $(exc_traps)"
expect "$MIB::exConnNotificationsSent.0" 7
log "5 notifications queued while snmpd was down arrived in order after it came back"
