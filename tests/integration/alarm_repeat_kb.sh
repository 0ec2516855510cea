#!/usr/bin/env bash
# Repeated matches and an article added as a data file (SPEC §4):
#   - the same event again, and the same fault in a later report, update
#     exConnAlarmCount and exConnAlarmLastSeen (exConnAlarmRaised stays) and
#     send no second notification;
#   - tests/data/kb-extra/Q165505.xml copied into the KB directory + SIGHUP:
#     exConnKbArticleTable shows it, and a matching event raises exConnKbAlarm
#     with the article's severity and URL.  That trap also bounds the wait
#     for any duplicate: it must be the only trap after the first two.
. "$(dirname "$0")/lib.sh"

KB_DIR=$T/kb
mkdir -p "$KB_DIR"
cp "$EXCONN_SOURCE_DIR"/kb/*.xml "$KB_DIR/"
start_all
expect "$MIB::exConnKbArticlesLoaded.0" 5
no_instance "$MIB::exConnKbArticleTitle.\"Q165505\"" || fail "Q165505 loaded before it was added"

# an event alarm and a detector alarm, once each
feed reports imc-stopped.xml "$DATA/reports/q182346-imc-stopped.xml"
feed events imc-4087.xml "$DATA/events/q182346-imc-4087.xml"
feed reports imc2140.xml "$DATA/reports/q148727-imc-stopped.xml"
wait_traps 2 10
ev=$(alarm_index_of EXCH05 "Internet Mail Service")
det=$(alarm_index_of EXCH01 "Internet Mail Service")
[ -n "$ev" ] && [ -n "$det" ] || fail "alarm rows missing ($ev, $det)"
k_ev=$(raise_trap "$ev" 3 Q182346)
k_det=$(raise_trap "$det" 5 Q148727)
expect "$MIB::exConnAlarmCount.$ev" 1
expect "$MIB::exConnAlarmCount.$det" 1
raised_ev=$(dt_ms "$(get "$MIB::exConnAlarmRaised.$ev")")
seen_ev=$(dt_ms "$(get "$MIB::exConnAlarmLastSeen.$ev")")
seen_det=$(dt_ms "$(get "$MIB::exConnAlarmLastSeen.$det")")
[ "$raised_ev" = "$seen_ev" ] || fail "a new alarm's LastSeen ($seen_ev) is not its Raised ($raised_ev)"

# let DateAndTime (0.1 s resolution) move on
t0=$(date +%s%N)
clock_past() { [ "$(date +%s%N)" -gt "$1" ]; }
wait_for 3 "the clock moves 0.3 s" clock_past $((t0 + 300000000))

# the same again: the event (another file, same content) and the same fault
# collected later
feed events imc-4087-again.xml "$DATA/events/q182346-imc-4087.xml"
report_copy "$DATA/reports/q148727-imc-stopped.xml" "$T/imc2140-later.xml" \
    's/collected="2026-11-22T12:00:00Z"/collected="2026-11-22T12:05:00Z"/'
feed reports imc2140-later.xml "$T/imc2140-later.xml"
wait_for 10 "exConnAlarmCount.$ev = 2" value_is "$MIB::exConnAlarmCount.$ev" 2
wait_for 10 "exConnAlarmCount.$det = 2" value_is "$MIB::exConnAlarmCount.$det" 2
[ "$(dt_ms "$(get "$MIB::exConnAlarmRaised.$ev")")" = "$raised_ev" ] || fail "exConnAlarmRaised.$ev moved"
s2=$(dt_ms "$(get "$MIB::exConnAlarmLastSeen.$ev")")
[ "$s2" -ge $((seen_ev + 300)) ] || fail "exConnAlarmLastSeen.$ev did not move ($seen_ev -> $s2 ms)"
s2=$(dt_ms "$(get "$MIB::exConnAlarmLastSeen.$det")")
[ "$s2" -ge $((seen_det + 300)) ] || fail "exConnAlarmLastSeen.$det did not move ($seen_det -> $s2 ms)"
expect "$MIB::exConnKbArticleMatches.\"Q182346\"" 2
expect "$MIB::exConnKbArticleMatches.\"Q148727\"" 2
expect "$MIB::exConnAlarmsActive.0" 2
expect_history "$ev" raised
expect_history "$det" raised

# an operator adds an article as a data file and reloads
cp "$DATA/kb-extra/Q165505.xml" "$KB_DIR/"
kill -HUP "$AGENT_PID"
wait_for 10 "6 KB articles loaded" value_is "$MIB::exConnKbArticlesLoaded.0" 6
expect "$MIB::exConnKbArticleTitle.\"Q165505\"" "Messages stuck in the MTS-IN or MTS-OUT queue of the IMC"
expect "$MIB::exConnKbArticleUrl.\"Q165505\"" "https://support.microsoft.com/kb/165505"
expect "$MIB::exConnKbArticleSeverity.\"Q165505\"" minor
[ "$(snmp snmpget -On -Oqv "$MIB::exConnKbArticleNotification.\"Q165505\"")" = "$EXC_NOTIF.6" ] ||
    fail "exConnKbArticleNotification.\"Q165505\" is not exConnKbAlarm"
expect "$MIB::exConnKbArticleMatches.\"Q165505\"" 0
# the reload re-evaluated without notifying anything again
expect "$MIB::exConnAlarmsActive.0" 2

feed events imc-4006.xml "$DATA/events/q165505-imc-4006.xml"
wait_traps 1 10 6
kb=$(snmp snmpwalk -On -Oq "$MIB::exConnAlarmKbArticle" | awk '$2 == "Q165505" { n = split($1, p, "."); print p[n] }')
[ -n "$kb" ] || fail "no Q165505 alarm row"
expect_row "$kb" Q165505 minor EXCH05 "Internet Mail Service" \
    "event 4006 from MSExchangeIMC: A message in MTS-OUT could not be converted; 57 messages are waiting."
k_kb=$(raise_trap "$kb" 6 Q165505)
[ "$(trap_value "$k_kb" "$EXC_KB_ENTRY.7.$(str_index Q165505)")" = "STRING: https://support.microsoft.com/kb/165505" ] ||
    fail "exConnKbAlarm URL: $(trap_line "$k_kb")"
expect "$MIB::exConnKbArticleMatches.\"Q165505\"" 1
# the control trap came after the repeats: had they sent anything, it would be here
[ "$(trap_count)" -eq 3 ] || fail "expected 3 exConn traps (two raises, the KB alarm): $(exc_traps)"
[ "$k_kb" -eq 3 ] || fail "the KB alarm is trap $k_kb, not the third"
[ "$(trap_count 3)" -eq 1 ] && [ "$(trap_count 5)" -eq 1 ] || fail "a repeat was notified again"
expect "$MIB::exConnNotificationsSent.0" 3
log "repeats counted without traps; Q165505 added by SIGHUP raised alarm $kb (trap $k_kb)"
