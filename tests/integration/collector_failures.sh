#!/usr/bin/env bash
# exconn-collect end to end, the failure paths (issue 10): a wrong password
# (authFailed) and an unreachable host write only a collection-status record
# and leave what the agent knows; the collector killed -9 at arbitrary
# moments and restarted loses no event and forwards none twice; an event log
# cleared between cycles is detected and read again from its oldest record.
#
# The collection-status columns of exConnServerTable come from the agent
# side (contract A, another change): they are asserted through snmpget when
# the MIB has exConnServerCollectStatus, else the record itself is checked
# where the agent left it (reports/ or rejected/).
. "$(dirname "$0")/lib.sh"
. "$EXCONN_SOURCE_DIR/collector/tests/e2e_lib.sh"
collector_skip_unless_possible

write_config
start_fakehost EXCH01
start_fixture

closed=$(free_port)
write_collect_config "" \
    "<host server=\"EXCH09\" address=\"127.0.0.1\" port=\"$closed\" credentials=\"$T/cred\" timeout=\"3\"/>"
fh clear-log Application
collect_once
expect "$MIB::exConnConnectorState.\"EXCH01\".\"Internet Mail Service\"" running

# the newest collection-status record of SERVER the agent was given
status_record() {
    local f
    f=$(find "$SPOOL/reports" "$SPOOL/rejected" -maxdepth 1 -name "*-$1-status.xml" 2>/dev/null |
        awk -F/ '{ print $NF "\t" $0 }' | sort | tail -n 1 | cut -f2)
    [ -n "$f" ] || return 1
    cat "$f"
}
expect_collect_status() {   # SERVER STATUS [ERROR]
    if has_collect_mib; then
        wait_for 10 "$1 collect status $2" value_is "$MIB::exConnServerCollectStatus.\"$1\"" "$2"
        [ -z "${3:-}" ] || expect "$MIB::exConnServerCollectError.\"$1\"" "$3"
    else
        local rec
        rec=$(status_record "$1") || fail "no collection-status record for $1"
        [[ "$rec" == *"status=\"$2\""* ]] || fail "$1: status record '$rec', expected $2"
        [ -z "${3:-}" ] || [[ "$rec" == *"error=\"$3\""* ]] || fail "$1: status record '$rec', expected error $3"
        log "exConnServerCollectStatus not in this MIB: checked $1's record in the spool instead"
    fi
}
expect_collect_status EXCH09 unreachable
expect_collect_status EXCH01 ok
# every file of that cycle taken (reports and status records both count as
# reports: contract A)
wait_for 10 "spool drained" spool_empty
reports0=$(get "$MIB::exConnReportsAccepted.0")

# ---- a wrong password: authFailed, no report, the agent's view kept
write_collect_config "Not-The-Password"
fh service MSExchangeIMC stopped --win32 2140
collect_once
expect_collect_status EXCH01 authFailed NT_STATUS_LOGON_FAILURE
# the status record alone was accepted: no report
if has_collect_mib; then
    expect "$MIB::exConnReportsAccepted.0" "$((reports0 + 1))"
else
    expect "$MIB::exConnReportsAccepted.0" "$reports0"
fi
expect "$MIB::exConnConnectorState.\"EXCH01\".\"Internet Mail Service\"" running
if grep -rq "Not-The-Password" "$COLLECT_LOG" "$SPOOL" "$T/collect-state" 2>/dev/null; then
    fail "the password appears in the collector's log, the spool or its state"
fi
write_collect_config
fh service MSExchangeIMC running

# ---- killed mid-cycle, restarted: every event exactly once
events0=$(get "$MIB::exConnEventsAccepted.0")
total=0
COLLECT_INTERVAL=1 write_collect_config
delays=(0.1 0.4 0.7 1.0 1.3 1.6)
for round in 1 2 3 4 5 6; do
    for i in 1 2 3 4 5; do
        fh event Application MSExchangeIMC 4006 --type warning --str "round $round event $i"
        total=$((total + 1))
    done
    $COLLECT -c "$COLLECT_CONF" >> "$COLLECT_LOG" 2>&1 &
    COLLECTOR_PID=$!
    # kill -9 at a different moment each round: 0.1 s .. 1.6 s into the run
    # (start-up, login, RPC, between the events file and its cursor...)
    sleep "${delays[round - 1]}"
    kill -KILL "$COLLECTOR_PID" 2>/dev/null || true
    wait "$COLLECTOR_PID" 2>/dev/null || true
    COLLECTOR_PID=
done
collect_once
wait_for 15 "all $total events accepted once" value_ge "$MIB::exConnEventsAccepted.0" $((events0 + total))
collect_once
got=$(( $(get "$MIB::exConnEventsAccepted.0") - events0 ))
[ "$got" -eq "$total" ] || fail "events: $total written on the host, $got accepted by the agent"
log "killed 6 times mid-run: $total events on the host, $got accepted"

# ---- the log cleared between cycles
fh event Application MSExchangeIMC 4006 --str "before the clear"
collect_once
fh clear-log Application
fh event Application MSExchangeIMC 4006 --str "after the clear 1"
fh event Application MSExchangeIMC 4006 --str "after the clear 2"
collect_once
got=$(( $(get "$MIB::exConnEventsAccepted.0") - events0 ))
[ "$got" -eq $((total + 3)) ] || fail "after the clear: expected $((total + 3)) events, got $got"
grep -q "Application: record numbers went back.*log cleared\|Application: record .* is not the one read before: log cleared" "$COLLECT_LOG" ||
    fail "the cleared log was not reported"
log "cleared log detected and read again from its oldest record"
