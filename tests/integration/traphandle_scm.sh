#!/usr/bin/env bash
# An estate fed only by Event-to-Trap traps (no report, no XML file): the
# Service Control Manager's 7024 for the MS Mail Connector's PC MTA with
# code 3 raises Q158047 and the connector row shows the service stopped with
# service-specific error 3; event 70 of MSExchangeCCMC raises Q166045 on
# the service name; a 7036 "running" clears Q158047 and the row follows.
. "$(dirname "$0")/lib.sh"

start_all
start_trap_handler "127.0.0.7 EXCH07"
PCMTA="Microsoft Exchange MS Mail Connector (PC MTA - HUB)"
row() { printf '%s::exConnConnector%s."EXCH07"."MSExchangeMSMI"' "$MIB" "$1"; }

send_event_trap 127.0.0.7 "Service Control Manager" $((0xC0000000 | 7024)) \
    "The $PCMTA service terminated with service-specific error 3." "$PCMTA" 3
wait_traps 1 10 1
expect_raised 1 Q158047 major EXCH07 MSExchangeMSMI \
    "event 7024 from Service Control Manager: The $PCMTA service terminated with service-specific error 3."
a=$ALARM k=$RAISED_K
expect "$(row State)" stopped
expect "$(row ServiceExitCode)" 3
expect "$(row KbArticle)" Q158047

send_event_trap 127.0.0.7 MSExchangeCCMC $((0xC0000000 | 70)) \
    "cc:Mail EXPORT to file msg0002.ccm returned result code 3" 3
wait_traps 2 10
c=$(alarm_index_of EXCH07 MSExchangeCCMC)
[ -n "$c" ] || fail "no Q166045 alarm on MSExchangeCCMC"
raise_trap "$c" 2 Q166045 >/dev/null

send_event_trap 127.0.0.7 "Service Control Manager" $((0x40000000 | 7036)) \
    "The $PCMTA service entered the running state." "$PCMTA" running
kc=$(cleared_trap "$a" "$k")
wait_for 10 "row running" value_is "$(row State)" running
expect "$MIB::exConnAlarmsActive.0" 1
expect "$MIB::exConnReportsAccepted.0" 0
expect "$MIB::exConnEventsAccepted.0" 3
[ "$(th_counter accepted)" = 3 ] || fail "handler accepted $(th_counter accepted), expected 3"
log "traps only: Q158047 alarm $a (trap $k, cleared $kc), Q166045 alarm $c"
