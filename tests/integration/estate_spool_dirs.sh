#!/usr/bin/env bash
# SPEC §3/§8 spool directory faults, with the agent as an unprivileged user
# (-u nobody: root would read a mode-000 directory regardless, so the test
# needs the switch, hence root; skipped otherwise):
#  - an unreadable reports/ is logged and retried, never fatal: events/ is
#    still ingested meanwhile, and the waiting report is taken once reports/
#    can be read again;
#  - a subdirectory removed while the agent runs is created again, watched
#    again (a file renamed into it is picked up within a second).
# The agent is its own master here (-M), so no AgentX socket permissions
# are involved.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: estate_spool_dirs.sh needs root to run the agent as nobody"; exit 77
fi
GROUP_=$(id -gn nobody)
mkdir -p "$SPOOL" "$STATE"
chown nobody:"$GROUP_" "$SPOOL" "$STATE"
SNMPD_PORT=$(free_port)
write_config
start_agent -M "udp:127.0.0.1:$SNMPD_PORT" -u nobody -g "$GROUP_"
wait_registered 10
[ "$(awk '/^Uid:/ {print $3}' "/proc/$AGENT_PID/status")" = "$(id -u nobody)" ] ||
    fail "the agent does not run as nobody"
wait_for 5 "spool subdirectories created" test -d "$SPOOL/rejected"
[ "$(stat -c %U "$SPOOL/reports")" = nobody ] || fail "reports/ not created by the agent"

# ---- reports/ unreadable ------------------------------------------------------
chmod 000 "$SPOOL/reports"
drop_file reports 01-exch01.xml "$EXAMPLE"   # root may still write into it
drop_file events 02-events.xml "$DATA/events/wevtutil-rootless.xml"
wait_for 5 "events/ still ingested while reports/ is unreadable" \
    value_is "$X::exConnEventsAccepted.0" 3
wait_for 5 "the unreadable directory logged" \
    grep -q "cannot read $SPOOL/reports: Permission denied (will retry)" "$AGENT_LOG"
expectn "$X::exConnReportsAccepted.0" 0
expectn "$X::exConnReportsRejected.0" 0
[ -e "$SPOOL/reports/01-exch01.xml" ] || fail "the waiting report vanished"
kill -0 "$AGENT_PID" 2>/dev/null || fail "the agent died"
# still retrying (a rescan every few seconds), still answering
log_count_above() { [ "$(grep -c "$1" "$AGENT_LOG")" -gt "$2" ]; }
n=$(grep -c "cannot read $SPOOL/reports" "$AGENT_LOG")
wait_for 10 "retried" log_count_above "cannot read $SPOOL/reports" "$n"
get "$X::exConnAgentVersion.0" >/dev/null
chmod 750 "$SPOOL/reports"
wait_for 5 "the report taken once reports/ is readable" value_is "$X::exConnReportsAccepted.0" 1
wait_for 5 "spool emptied" spool_empty
expect "$X::exConnServerSite.\"EXCH01\"" HQ

# ---- events/ removed while running ------------------------------------------------
rm -rf "$SPOOL/events"
wait_for 5 "events/ created again by the agent" test -d "$SPOOL/events"
[ "$(stat -c %U "$SPOOL/events")" = nobody ] || fail "events/ not recreated by the agent"
grep -q "cannot read $SPOOL/events: No such file or directory" "$AGENT_LOG" ||
    fail "the missing directory was not logged"
# watched again: a rename into it is picked up within the second
{ printf "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
  printf "<Provider Name='MSExchangeMTA'/><EventID>9297</EventID>"
  printf "<TimeCreated SystemTime='2026-11-22T10:30:00Z'/><Computer>EXCH01</Computer>"
  printf "</System></Event>\n"; } >"$T/one.xml"
ms=$(pickup events 03-one.xml "$T/one.xml" "$(oid_of "$X::exConnEventsAccepted.0")" 4)
log "event in the recreated events/ picked up after $ms ms"
kill -0 "$AGENT_PID" 2>/dev/null || fail "the agent died"
log "estate spool directories OK"
