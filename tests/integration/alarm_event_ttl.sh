#!/usr/bin/env bash
# eventTtl (SPEC §4): with eventTtl=3 an event-raised alarm clears by itself
# 3 s after the last matching event -- a repeat restarts the count -- with
# an exConnAlarmCleared trap (severity cleared(1)) and both transitions in
# the history, while the report (IMC still stopped) would not have cleared it.
. "$(dirname "$0")/lib.sh"

EVENT_TTL=3
start_all

feed reports imc-stopped.xml "$DATA/reports/q182346-imc-stopped.xml"
feed events imc-4087.xml "$DATA/events/q182346-imc-4087.xml"
wait_traps 1 10 3
t0=$(date +%s%N)
a=$(trap_alarm 1)
k=$(raise_trap "$a" 3 Q182346)
# a repeat about 0.5 s after the raise restarts the 3 s (and moves LastSeen
# away from Raised at DateAndTime's 0.1 s resolution)
clock_past() { [ "$(date +%s%N)" -gt "$1" ]; }
wait_for 3 "0.5 s passes" clock_past $((t0 + 500000000))
feed events imc-4087-again.xml "$DATA/events/q182346-imc-4087.xml"
wait_for 10 "the repeat is counted (or the alarm cleared first: machine too slow)" \
    value_is "$MIB::exConnAlarmCount.$a" 2
raised=$(dt_ms "$(get "$MIB::exConnAlarmRaised.$a")")
seen=$(dt_ms "$(get "$MIB::exConnAlarmLastSeen.$a")")
[ "$seen" -gt "$raised" ] || fail "exConnAlarmLastSeen did not move"
[ "$(trap_count)" -eq 1 ] || fail "the repeat was notified: $(exc_traps)"

kc=$(cleared_trap "$a" "$k" 10)
expect "$MIB::exConnAlarmsActive.0" 0
no_instance "$MIB::exConnAlarmKbArticle.$a" || fail "alarm $a still active"
expect_history "$a" "raised cleared"
gap=$(( ($(trap_uptime "$kc") - $(trap_uptime "$k")) * 10 ))   # ms
want=$(( seen - raised + EVENT_TTL * 1000 ))
[ "$gap" -ge $((want - 200)) ] || fail "cleared $gap ms after the raise, before eventTtl after the last event ($want ms)"
[ "$gap" -le $((want + 3000)) ] || fail "cleared $gap ms after the raise, long after eventTtl ($want ms)"
# the connector is still stopped: it was the TTL, not a report
expect "$MIB::exConnConnectorState.\"EXCH05\".\"Internet Mail Service\"" stopped
expect "$MIB::exConnConnectorKbArticle.\"EXCH05\".\"Internet Mail Service\"" ''
[ "$(trap_count)" -eq 2 ] || fail "expected 2 exConn traps: $(exc_traps)"
log "eventTtl: alarm $a cleared $gap ms after its raise (last event at +$((seen - raised)) ms)"
