#!/usr/bin/env bash
# SPEC §3 event records: a wevtutil-style file (several <Event> elements with
# no root) is accepted whole and counted (exConnEventsAccepted += n); events
# for a server that never reported create it, status unknown(5) (failed(3)
# when one of them raises a critical KB alarm: SPEC §6's order), with no
# report columns; picked up within a second like reports.
. "$(dirname "$0")/lib.sh"

start_all

# three MTA events (no KB rule matches them), printed the way wevtutil
# qe /f:xml prints them: one <Event> per line, CRLF, no root element
ev() {   # ev ID RECORD COMPUTER
    printf "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='MSExchangeMTA'/><EventID Qualifiers='16384'>%s</EventID><Level>4</Level><Task>0</Task><Keywords>0x80000000000000</Keywords><TimeCreated SystemTime='2026-11-22T09:58:0%s.0000000Z'/><EventRecordID>%s</EventRecordID><Channel>Application</Channel><Computer>%s</Computer><Security/></System><EventData><Data>X.400 to PARIS</Data></EventData></Event>\r\n" "$1" "$2" "$2" "$3"
}
{ ev 9298 1 newsrv.corp.example; ev 9297 2 NEWSRV; ev 9298 3 newsrv.corp.example; } >"$T/newsrv.xml"
[ "$(grep -c '^<Event ' "$T/newsrv.xml")" -eq 3 ] || fail "fixture"

ms=$(pickup events 01-newsrv.xml "$T/newsrv.xml" "$(oid_of "$X::exConnEventsAccepted.0")" 3)
log "3 events counted after $ms ms"
wait_for 5 "events file deleted" spool_empty
N='"NEWSRV"'
expect_enum "$X::exConnServerStatus.$N" unknown 5
expectn "$X::exConnServerAlarms.$N" 0
expect "$X::exConnServerSite.$N" ""
expect "$X::exConnServerExchangeVersion.$N" ""
expect "$X::exConnServerMtaVersion.$N" ""
expect_absent "$X::exConnServerLastReport.$N"
expect_absent "$X::exConnServerReportAge.$N"
expectn "$X::exConnEventsRejected.0" 0
expectn "$X::exConnReportsAccepted.0" 0
[ -z "$(snmp snmpbulkwalk -Oqs "$X::exConnConnectorTable" | grep -v 'No Such')" ] ||
    fail "an events-only server has connectors"

# the wevtutil sample: three events for EXCH01, of which MSExchangeCCMC 70
# (Q166045, major) and MSExchangeIMC 4087 (Q182346, critical) match
drop_file events 02-wevtutil.xml "$DATA/events/wevtutil-rootless.xml"
wait_for 5 "6 events accepted" value_is "$X::exConnEventsAccepted.0" 6
E='"EXCH01"'
expect_enum "$X::exConnServerStatus.$E" failed 3
expectn "$X::exConnServerAlarms.$E" 2
expect_absent "$X::exConnServerLastReport.$E"
expectn "$X::exConnAlarmsActive.0" 2
got=$(snmp snmpbulkwalk -Oqs "$X::exConnServerStatus")
[ "$got" = 'exConnServerStatus."EXCH01" failed
exConnServerStatus."NEWSRV" unknown' ] || fail "servers: $got"

# events under one wrapping root element are counted the same way
drop_file events 03-wrapped.xml "$DATA/events/wrapped-events.xml"
wait_for 5 "8 events accepted" value_is "$X::exConnEventsAccepted.0" 8
expectn "$X::exConnServerAlarms.\"EXCH04\"" 1
expect_enum "$X::exConnServerStatus.\"EXCH04\"" degraded 2

# the server's first report: report columns appear, the events' alarms stay
drop_file reports 04-exch01.xml "$EXAMPLE"
wait_for 5 "report accepted" value_is "$X::exConnReportsAccepted.0" 1
expect "$X::exConnServerLastReport.$E" "2026-11-22,10:0:0.0,+0:0"
expect "$X::exConnServerSite.$E" HQ
expect_enum "$X::exConnServerStatus.$E" failed 3
expectn "$X::exConnEventsAccepted.0" 8
log "estate events OK"
