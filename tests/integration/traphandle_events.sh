#!/usr/bin/env bash
# Event-to-Trap Translator traps as events, end to end: a real snmptrapd runs
# exconn-traphandle, which writes the event files the agent reads.  Q166045
# (event 70 from MSExchangeCCMC, specific trap 0xC0000046, Windows 2000
# enterprise) and Q182346 (4087 from MSExchangeIMC, the NT 4.0 enterprise)
# raise the same alarms, with the same rows and descriptions and the same
# notifications at the fixture's snmptrapd, as the spooled XML of
# alarm_q166045.sh / alarm_q182346.sh; a report collected later clears them.
# A trap from an address that maps to no server is counted, never written.
. "$(dirname "$0")/lib.sh"

start_all
start_trap_handler "127.0.0.5 EXCH04" "127.0.0.6 exch05"

# --- Q166045 through a trap
feed reports pending.xml "$DATA/reports/q166045-dirsync-pending.xml"
wait_accepted exConnReportsAccepted 1
send_event_trap 127.0.0.5 MSExchangeCCMC 3221225542 \
    "cc:Mail EXPORT to file msg0001.ccm returned result code 3" 3
wait_for 10 "handler accepted the trap" th_counter_is accepted 1
wait_traps 1 10 2
expect_raised 2 Q166045 major EXCH04 "cc:Mail Connector" \
    "event 70 from MSExchangeCCMC: cc:Mail EXPORT to file msg0001.ccm returned result code 3; dirsync has not completed"
a=$ALARM k=$RAISED_K
expect "$MIB::exConnConnectorKbArticle.\"EXCH04\".\"cc:Mail Connector\"" Q166045
expect "$MIB::exConnKbArticleMatches.\"Q166045\"" 1
expect "$MIB::exConnEventsAccepted.0" 1
later_report "$DATA/reports/q166045-repaired.xml" "$T/repaired.xml"
feed reports repaired.xml "$T/repaired.xml"
kc=$(cleared_trap "$a" "$k")
expect_history "$a" "raised cleared"

# --- Q182346 through an NT 4.0 translator trap
feed reports stopped.xml "$DATA/reports/q182346-imc-stopped.xml"
wait_accepted exConnReportsAccepted 3
send_nt4_trap 127.0.0.6 MSExchangeIMC $((0xC0000000 | 4087)) \
    "The Internet Mail Service stopped because of an internal error."
wait_for 10 "handler accepted the second trap" th_counter_is accepted 2
wait_traps 3 10
expect_raised 3 Q182346 critical EXCH05 "Internet Mail Service" \
    "event 4087 from MSExchangeIMC: The Internet Mail Service stopped because of an internal error."
b=$ALARM kb=$RAISED_K
expect "$MIB::exConnAlarmsActive.0" 1

# --- a trap nobody maps: logged and counted, no file, no event
send_event_trap 127.0.0.9 MSExchangeCCMC 3221225542 "unmapped sender" 3
wait_for 10 "handler counted the unmapped trap" th_counter_is unmapped 1
[ -z "$(find "$SPOOL/events" -name '*events-trap*' ! -name '.*' 2>/dev/null)" ] ||
    wait_for 10 "event files picked up" spool_empty
expect "$MIB::exConnEventsAccepted.0" 2
expect "$MIB::exConnEventsRejected.0" 0
[ "$(th_counter accepted)" = 2 ] || fail "handler accepted $(th_counter accepted), expected 2"
log "traps: Q166045 alarm $a (trap $k, cleared $kc), Q182346 alarm $b (trap $kb); 1 unmapped"
