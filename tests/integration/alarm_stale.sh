#!/usr/bin/env bash
# The stale-server alarm (SPEC §4, §5): with staleAfter=3 a server that sent
# no report for 3 s raises exConnServerStale -- warning(6), server and
# resource the server's name, exConnAlarmKbArticle empty and NO
# exConnKbArticleUrl varbind -- and exConnServerStatus is stale(4); a new
# report clears it (exConnAlarmCleared, again without the URL) and the
# status is ok(1) again.
. "$(dirname "$0")/lib.sh"

start_all '<servers staleAfter="3"/>'

feed reports exch02.xml "$DATA/reports/exch02-healthy.xml"
wait_accepted exConnReportsAccepted 1
expect "$MIB::exConnServerStatus.\"EXCH02\"" ok
wait_traps 1 10 7
a=$(trap_alarm 1)
assert_trap 1 7 "$a" ""
assert_trap_is_row 1
expect_row "$a" "" warning EXCH02 EXCH02 "no report for * s (last report 2026-11-22T10:00:00Z)"
expect "$MIB::exConnServerStatus.\"EXCH02\"" stale
expect "$MIB::exConnAlarmsActive.0" 1
expect_history "$a" raised
[ "$(history_row "$a" raised exConnAlarmHistoryKbArticle)" = "" ] || fail "history: stale alarm has an article"

report_copy "$DATA/reports/exch02-healthy.xml" "$T/exch02-later.xml" \
    's/collected="2026-11-22T10:00:00Z"/collected="2026-11-22T10:15:00Z"/'
feed reports exch02-later.xml "$T/exch02-later.xml"
wait_for 10 "the cleared trap" has_trap_for "$a" 8
# within staleAfter of the new report: ok again
expect "$MIB::exConnServerStatus.\"EXCH02\"" ok
expect "$MIB::exConnAlarmsActive.0" 0
kc=$(trap_for "$a" 8)
assert_cleared_trap "$kc" 1
assert_trap "$kc" 8 "$a" ""
expect_history "$a" "raised cleared"
log "stale alarm $a raised (trap 1) and cleared (trap $kc), no URL varbind"
