#!/usr/bin/env bash
# SPEC §3 "deletes a file only after its effect is committed", with
# collectors that reuse file names (EXCH02.xml every poll).  The committed
# state lists the files its last batch accounted for, and a restart finishes
# them (delete, or move to rejected/); a new file published under the same
# name while the agent was down -- after a clean SIGTERM or a kill -9 -- is
# a different file and must be ingested, not deleted unread or moved to
# rejected/ with the old file's reason.
. "$(dirname "$0")/lib.sh"

start_all

report_at() {   # report_at HOUR MESSAGES: EXCH02's healthy report, collected at HOUR
    sed -e "s/collected=\"2026-11-22T10:00:00Z\"/collected=\"2026-11-22T$1:00:00Z\"/" \
        -e "0,/messages=\"[0-9]*\"/s//messages=\"$2\"/" "$DATA/reports/exch02-healthy.xml"
}
queue=$(grep -o '<queue name="[^"]*"' "$DATA/reports/exch02-healthy.xml" | head -1 | cut -d'"' -f2)
report_at 10 101 | publish reports EXCH02.xml
publish events E.xml < "$DATA/hostile/event-no-event.xml"
wait_for 10 "report applied, event file rejected" eval \
    '[ "$(counter exConnReportsAccepted)" -eq 1 ] && [ "$(counter exConnEventsRejected)" -eq 1 ] &&
     [ "$(spool_count reports)" -eq 0 ] && [ -f "$SPOOL/rejected/E.xml.reason" ]'
expect "EXCHANGE-CONNECTOR-MIB::exConnQueueMessages.\"EXCH02\".\"$queue\"" 101

# 1. clean stop; new files under the same names while the agent is down
kill -TERM "$AGENT_PID"; wait "$AGENT_PID"; AGENT_PID=
log "files the last commit accounted for, after SIGTERM: $(cat "$STATE"/* | grep -c '^jrn ' || true)"
report_at 11 202 | publish reports EXCH02.xml
publish events E.xml < "$DATA/events/q182346-imc-4087.xml"
start_agent
wait_registered 10
wait_for 10 "new EXCH02.xml and E.xml ingested" eval \
    '[ "$(counter exConnReportsAccepted)" -eq 2 ] && [ "$(counter exConnEventsAccepted)" -eq 1 ]'
expect "EXCHANGE-CONNECTOR-MIB::exConnQueueMessages.\"EXCH02\".\"$queue\"" 202
cmp -s "$SPOOL/rejected/E.xml" "$DATA/hostile/event-no-event.xml" ||
    fail "rejected/E.xml is no longer the rejected file"
expect EXCHANGE-CONNECTOR-MIB::exConnEventsRejected.0 1

# 2. kill -9 right after a file was applied; a new one under its name
report_at 12 303 | publish reports EXCH02.xml
wait_for 10 "third report applied" eval \
    '[ "$(counter exConnReportsAccepted)" -eq 3 ] && [ "$(spool_count reports)" -eq 0 ]'
kill -KILL "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true; AGENT_PID=
log "files the last commit accounted for, after kill -9: $(cat "$STATE"/* | grep -c '^jrn ' || true)"
report_at 13 404 | publish reports EXCH02.xml
start_agent
wait_registered 10
wait_for 10 "fourth report applied" eval '[ "$(counter exConnReportsAccepted)" -eq 4 ]'
expect "EXCHANGE-CONNECTOR-MIB::exConnQueueMessages.\"EXCH02\".\"$queue\"" 404
expect EXCHANGE-CONNECTOR-MIB::exConnReportsRejected.0 0
log "reused spool names: new files ingested after SIGTERM and after kill -9"
