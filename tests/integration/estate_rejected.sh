#!/usr/bin/env bash
# SPEC §3/§8 through the running agent: a file it cannot accept lands in
# rejected/ unaltered, with NAME.reason beside it (one line, naming the
# problem, with its line number where there is one), the matching counter
# goes up by one, and no row of any table changes.
. "$(dirname "$0")/lib.sh"

start_all
drop_file reports 00-exch01.xml "$EXAMPLE"
drop_file events 00-events.xml "$DATA/events/wevtutil-rootless.xml"
wait_for 5 "baseline accepted" value_is "$X::exConnEventsAccepted.0" 3
wait_value "$X::exConnReportsAccepted.0" 1
walk_estate "$T/baseline"
rows() { grep -Ev 'exConn(Reports|Events)Rejected' "$1"; }
rows "$T/baseline" >"$T/baseline.rows"

# reject DIR NAME SOURCE COUNTER N PATTERN: drop, wait for COUNTER = N, check
# rejected/NAME and its reason (a bash pattern), and the tables
reject() {
    local dir=$1 name=$2 src=$3 counter=$4 n=$5 pattern=$6 reason
    drop_file "$dir" "$name" "$src"
    wait_for 5 "$name rejected" value_is "$X::$counter.0" "$n"
    reason=$(rejected_reason "$name")
    log "$name: $reason"
    # shellcheck disable=SC2053
    [[ "$reason" == $pattern ]] || fail "$name: reason '$reason' does not match '$pattern'"
    cmp -s "$src" "$SPOOL/rejected/$name" || fail "$name altered in rejected/"
    [ ! -e "$SPOOL/$dir/$name" ] || fail "$name still in $dir/"
    walk_estate "$T/now"
    rows "$T/now" >"$T/now.rows"
    same_walk "$T/baseline.rows" "$T/now.rows" "rejecting $name changed the tables"
}

H=$DATA/hostile
reject reports 01-bad-enum.xml "$H/bad-enum.xml" exConnReportsRejected 1 \
    'line 6: connector "*": unknown state "runing"'
reject reports 02-duplicate-queue.xml "$H/duplicate-queue.xml" exConnReportsRejected 2 \
    'line 12: duplicate queue name "MTS-OUT"'
reject reports 03-truncated.xml "$H/truncated.xml" exConnReportsRejected 3 \
    'line [0-9]*: *malformed XML*'
reject reports 04-doctype.xml "$H/doctype-report.xml" exConnReportsRejected 4 \
    'line 2: DOCTYPE declarations are not accepted'
reject reports 05-empty.xml "$H/empty.xml" exConnReportsRejected 5 'empty file'
reject events 06-missing-eventid.xml "$H/event-missing-eventid.xml" exConnEventsRejected 1 \
    'line 9: event 2: missing <System/EventID>*'
reject events 07-binary.xml "$H/binary.bin" exConnEventsRejected 2 '*malformed XML*'
expectn "$X::exConnReportsAccepted.0" 1
expectn "$X::exConnEventsAccepted.0" 3
[ "$(ls "$SPOOL/rejected" | wc -l)" -eq 14 ] || fail "rejected/: $(ls "$SPOOL/rejected")"
spool_empty || fail "files left in the spool"

# a restart keeps the counters (and still not a row more)
stop_pid "$AGENT_PID"
start_agent
wait_for 10 "agent back" value_is "$X::exConnReportsRejected.0" 5
expectn "$X::exConnEventsRejected.0" 2
walk_estate "$T/restarted"
rows "$T/restarted" >"$T/restarted.rows"
same_walk "$T/baseline.rows" "$T/restarted.rows" "rows changed across the restart"
log "estate rejected OK"
