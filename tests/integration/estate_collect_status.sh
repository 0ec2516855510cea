#!/usr/bin/env bash
# Contract A (issue 10, agent side): the collector's <collectionStatus>
# records in SPOOL/reports set exConnServerCollectStatus, -CollectError and
# -LastCollect through snmpd; a status older than the last one accepted for
# its server is rejected as stale, one from the future (issue 9 item 6) too;
# a status never resets the staleAfter clock, and the stale alarm's
# description carries the collector's reason.  A status for an unknown server
# creates it (status unknown).  The columns survive a restart of the agent
# (state journal), and <forgetServer> removes a server and clears its alarm.
. "$(dirname "$0")/lib.sh"

start_all '<servers staleAfter="4"/>'

status_file() {   # status_file OUT SERVER COLLECTED STATUS [ERROR]
    local err=${5:+ error=\"$5\"}
    printf '<collectionStatus schemaVersion="1" server="%s" collected="%s" status="%s"%s/>\n' \
        "$2" "$3" "$4" "$err" > "$1"
}

feed reports exch02.xml "$DATA/reports/exch02-healthy.xml"
wait_accepted exConnReportsAccepted 1
S='"EXCH02"'
# no status record yet: unknown, empty error, no LastCollect instance
expect "$X::exConnServerCollectStatus.$S" unknown
expect "$X::exConnServerCollectError.$S" ''
no_instance "$X::exConnServerLastCollect.$S" || fail "LastCollect before any status"

status_file "$T/st1.xml" exch02 2026-11-22T10:00:05Z authFailed NT_STATUS_LOGON_FAILURE
feed reports exch02-status.xml "$T/st1.xml"
wait_accepted exConnReportsAccepted 2
expect "$X::exConnServerCollectStatus.$S" authFailed
expect "$X::exConnServerCollectError.$S" NT_STATUS_LOGON_FAILURE
expect "$X::exConnServerLastCollect.$S" "2026-11-22,10:0:5.0,+0:0"
# the report's own columns are untouched
expect "$X::exConnServerLastReport.$S" "2026-11-22,10:0:0.0,+0:0"
expect "$X::exConnServerStatus.$S" ok

# stale: older than the last accepted status
status_file "$T/st-old.xml" EXCH02 2026-11-22T10:00:01Z ok
feed reports exch02-old-status.xml "$T/st-old.xml"
wait_for 5 "the stale status rejected" value_is "$X::exConnReportsRejected.0" 1
r=$(rejected_reason "$(printf '%03d' "$FEED_N")-exch02-old-status.xml")
[[ "$r" == *"stale collection status: collected 2026-11-22T10:00:01Z is older than the last accepted 2026-11-22T10:00:05Z"* ]] ||
    fail "stale status reason: $r"
expect "$X::exConnServerCollectStatus.$S" authFailed

# from the future (issue 9 item 6): rejected, the server not locked out
status_file "$T/st-future.xml" EXCH02 2099-01-01T00:00:00Z ok
feed reports exch02-future.xml "$T/st-future.xml"
wait_for 5 "the future status rejected" value_is "$X::exConnReportsRejected.0" 2
r=$(rejected_reason "$(printf '%03d' "$FEED_N")-exch02-future.xml")
[[ "$r" == *"2099-01-01T00:00:00Z is in the future"*"maxClockSkew"* ]] || fail "future reason: $r"
expect "$X::exConnServerCollectStatus.$S" authFailed

# a status for a server never seen creates it, status unknown
status_file "$T/st9.xml" EXCH09 2026-11-22T10:00:06Z unreachable "timed out"
feed reports exch09-status.xml "$T/st9.xml"
wait_accepted exConnReportsAccepted 3
expect "$X::exConnServerCollectStatus.\"EXCH09\"" unreachable
expect "$X::exConnServerStatus.\"EXCH09\"" unknown
no_instance "$X::exConnServerLastReport.\"EXCH09\"" || fail "EXCH09 has a LastReport"

# no report for staleAfter: the stale alarm says why
wait_for 15 "EXCH02 stale" value_is "$X::exConnServerStatus.$S" stale
a=$(alarm_index_of EXCH02 EXCH02)
expect_row "$a" "" warning EXCH02 EXCH02 \
    "no report for * s (last report 2026-11-22T10:00:00Z); collector: authFailed: NT_STATUS_LOGON_FAILURE"
wait_for 15 "EXCH09 stale" value_is "$X::exConnServerStatus.\"EXCH09\"" stale
a9=$(alarm_index_of EXCH09 EXCH09)
expect_row "$a9" "" warning EXCH09 EXCH09 \
    "no report since it became known at *; collector: unreachable: timed out"

# a restart keeps the columns (they are in the state journal)
stop_pid "$AGENT_PID"
AGENT_PID=
start_agent
wait_all_registered 10
expect "$X::exConnServerCollectStatus.$S" authFailed
expect "$X::exConnServerCollectError.$S" NT_STATUS_LOGON_FAILURE
expect "$X::exConnServerLastCollect.$S" "2026-11-22,10:0:5.0,+0:0"
expect "$X::exConnServerCollectStatus.\"EXCH09\"" unreachable

# forgetServer: the server, its rows and its alarm go
printf '<forgetServer schemaVersion="1" server="exch09"/>\n' > "$T/forget.xml"
feed reports forget-exch09.xml "$T/forget.xml"
wait_accepted exConnReportsAccepted 4
wait_for 10 "EXCH09 forgotten" no_instance "$X::exConnServerStatus.\"EXCH09\""
wait_for 10 "EXCH09's stale alarm cleared" has_trap_for "$a9" 8
no_instance "$X::exConnAlarmServer.$a9" || fail "alarm $a9 still active"
expect "$X::exConnServerStatus.$S" stale
log "collection status: columns, stale and future records, stale alarm reason, restart, forgetServer"
