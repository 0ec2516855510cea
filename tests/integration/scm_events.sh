#!/usr/bin/env bash
# Service Control Manager events drive the KB rules (issue 11), through the
# real snmpd: with no report at all, a 7024 of the MS Mail Connector's PC MTA
# with code 3 raises Q158047 on the service's connector row (which shows
# stopped with service-specific error 3, also after a restart of the agent),
# and a 7036 "running" clears it;
# a 7023 of the IMC with %%2140 raises Q148727, and a report collected later
# that shows the IMC stopped with 2140 is the same alarm (same index, the
# connector's name, no second notification); the repaired report clears it,
# and that clear carries the connector's name and the report's evidence.
. "$(dirname "$0")/lib.sh"

start_all
ROW="$MIB::exConnConnector%s.\"EXCH07\".\"MSExchangeMSMI\""
row() { printf "$ROW" "$1"; }

# --- Q158047 (b) from the System log alone
feed events 7024.xml "$DATA/events/scm-7024-msmail-3.xml"
wait_traps 1 10 1
expect_raised 1 Q158047 major EXCH07 MSExchangeMSMI \
    "event 7024 from Service Control Manager: Microsoft Exchange MS Mail Connector (PC MTA - HUB); 3"
a=$ALARM k=$RAISED_K
expect "$(row Type)" msMail
expect "$(row State)" stopped
expect "$(row Win32ExitCode)" 1066
expect "$(row ServiceExitCode)" 3
expect "$(row KbArticle)" Q158047
# the SCM row and the alarm survive a restart of the agent (state directory),
# with no second notification
stop_pid "$AGENT_PID"
start_agent
wait_all_registered 10
expect "$(row State)" stopped
expect "$(row ServiceExitCode)" 3
expect "$MIB::exConnAlarmKbArticle.$a" Q158047
[ "$(trap_count)" -eq 1 ] || fail "a restart sent a notification again: $(exc_traps)"
feed events 7036.xml "$DATA/events/scm-7036-msmail-running.xml"
kc=$(cleared_trap "$a" "$k")
wait_value "$(row State)" running 10
expect "$(row KbArticle)" ''
expect_history "$a" "raised cleared"

# --- Q148727 from a 7023, then the reports
feed events 7023.xml "$DATA/events/scm-7023-imc-2140.xml"
wait_traps 3 10
expect_raised 5 Q148727 critical EXCH01 MSExchangeIMC \
    "event 7023 from Service Control Manager: Microsoft Exchange Internet Mail Service; %%2140"
b=$ALARM kb=$RAISED_K
expect "$MIB::exConnConnectorWin32ExitCode.\"EXCH01\".\"MSExchangeIMC\"" 2140
feed reports stopped.xml "$DATA/reports/q148727-imc-stopped.xml"
wait_accepted exConnReportsAccepted 1
wait_for 10 "the alarm takes the connector's name" \
    value_is "$MIB::exConnAlarmResource.$b" "Internet Mail Service"
expect "$MIB::exConnAlarmsActive.0" 1
d=$(get "$MIB::exConnAlarmDescription.$b")
[[ "$d" == "IMC stopped with error 2140: queue.dat read-only"* ]] || fail "description: $d"
expect "$MIB::exConnConnectorKbArticle.\"EXCH01\".\"Internet Mail Service\"" Q148727
no_object "$MIB::exConnConnectorState.\"EXCH01\".\"MSExchangeIMC\"" ||
    fail "the SCM row outlived the report"
feed reports repaired.xml "$DATA/reports/q148727-repaired.xml"
wait_for 10 "exConnAlarmCleared for alarm $b" has_trap_for "$b" 8
kbc=$(trap_for "$b" 8)
assert_trap "$kbc" 8 "$b" Q148727
[ "$(trap_vb "$kbc" 4)" = "$EXC_ALARM_ENTRY.3.$b = INTEGER: cleared(1)" ] || fail "clear severity"
[ "$(trap_vb "$kbc" 6)" = "$EXC_ALARM_ENTRY.5.$b = STRING: Internet Mail Service" ] ||
    fail "clear resource: $(trap_vb "$kbc" 6)"
expect_history "$b" "raised cleared"
expect "$MIB::exConnAlarmsActive.0" 0
[ "$(trap_count)" -eq 4 ] || fail "expected 4 exConn traps (2 raises, 2 clears): $(exc_traps)"
log "SCM: Q158047 alarm $a (trap $k, cleared $kc); Q148727 alarm $b (trap $kb, cleared $kbc)"
