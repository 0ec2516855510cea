#!/usr/bin/env bash
# SPEC §3/§5/§8: the state directory carries the estate across restarts of
# the agent: after SIGTERM (clean stop, exit 0) and after kill -9 once the
# state was committed (the spool file deleted is the sign), the restarted
# agent serves the same rows (full walks compared; TimeStamps, re-expressed
# on the master's sysUpTime, within 0.5 s and all before the restart) and
# applies nothing twice.
. "$(dirname "$0")/lib.sh"

start_all
drop_file reports 01-exch01.xml "$EXAMPLE"
drop_file reports 02-exch02.xml "$DATA/reports/exch02-healthy.xml"
drop_file reports 03-q158047.xml "$DATA/reports/q158047-conflict.xml"
drop_file events 04-events.xml "$DATA/events/wevtutil-rootless.xml"
drop_file events 05-wrapped.xml "$DATA/events/wrapped-events.xml"
drop_file reports 06-bad.xml "$DATA/hostile/bad-enum.xml"
wait_for 5 "all files taken" value_is "$X::exConnEventsAccepted.0" 5
wait_value "$X::exConnReportsAccepted.0" 3
wait_value "$X::exConnReportsRejected.0" 1
wait_for 5 "spool emptied" spool_empty
walk_estate "$T/w1"
walk_timestamps "$T/t1"
n=$(wc -l <"$T/w1")
[ "$n" -gt 150 ] || fail "only $n instances before the restart"

# ---- SIGTERM: a clean stop ----------------------------------------------------
kill -TERM "$AGENT_PID"
rc=0; wait "$AGENT_PID" || rc=$?
[ "$rc" -eq 0 ] || fail "exconn-agent exited $rc on SIGTERM"
AGENT_PID=
expect_absent "$X::exConnReportsAccepted.0"
up=$(master_uptime)
start_agent
wait_registered 10
walk_estate "$T/w2"
walk_timestamps "$T/t2"
same_walk "$T/w1" "$T/w2" "rows differ after SIGTERM and restart"
timestamps_close "$T/t1" "$T/t2" 50
timestamps_before "$T/t2" "$up"
log "SIGTERM: $(wc -l <"$T/w2") instances served again"

# ---- kill -9 after the commit ------------------------------------------------------
# a new report: once it is gone from the spool its effect is committed
sed -e 's/collected="2026-11-22T10:00:00Z"/collected="2026-11-22T11:00:00Z"/' \
    -e 's/messages="12"/messages="77"/' "$EXAMPLE" >"$T/exch01-11h.xml"
drop_file reports 07-exch01-11h.xml "$T/exch01-11h.xml"
wait_for 5 "new report committed" spool_empty
expect "$X::exConnQueueMessages.\"EXCH01\".\"MTS-OUT\"" 77
walk_estate "$T/w3"
walk_timestamps "$T/t3"
kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null || true
AGENT_PID=
up=$(master_uptime)
start_agent
wait_registered 10
walk_estate "$T/w4"
walk_timestamps "$T/t4"
same_walk "$T/w3" "$T/w4" "rows differ after kill -9 and restart"
timestamps_close "$T/t3" "$T/t4" 50
timestamps_before "$T/t4" "$up"
expectn "$X::exConnReportsAccepted.0" 4
expectn "$X::exConnEventsAccepted.0" 5
expectn "$X::exConnReportsRejected.0" 1
[ "$(ls "$SPOOL/rejected")" = "$(printf '06-bad.xml\n06-bad.xml.reason')" ] ||
    fail "rejected/: $(ls "$SPOOL/rejected")"
log "kill -9: $(wc -l <"$T/w4") instances served again"

# ---- kill -9 at any moment: the state stays readable --------------------------------
# kill it right after a rename, wherever the worker is; the restarted agent
# must start (readable state) and end with every file applied exactly once
for k in 1 2 3 4 5; do
    sed -e "s/collected=\"2026-11-22T10:00:00Z\"/collected=\"2026-11-22T12:0$k:00Z\"/" \
        -e "s/messages=\"12\"/messages=\"$((200 + k))\"/" "$EXAMPLE" >"$T/k$k.xml"
    drop_file reports "1$k-exch01.xml" "$T/k$k.xml"
    kill -KILL "$AGENT_PID"
    wait "$AGENT_PID" 2>/dev/null || true
    AGENT_PID=
    start_agent
    wait_registered 10
done
wait_for 5 "spool emptied" spool_empty
expectn "$X::exConnReportsAccepted.0" 9
expect "$X::exConnQueueMessages.\"EXCH01\".\"MTS-OUT\"" 205
log "estate restart OK"
