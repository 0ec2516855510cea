#!/usr/bin/env bash
# Issue 9.3: nothing is published before its commit succeeded.  The state
# directory is a small tmpfs (root only; skipped otherwise), filled up: an
# alarm-raising report is applied but its commit fails -- no trap, no
# counter, no row until space is back; then exactly its traps, once.  The
# same with a kill -9 of the agent while the disk is full: after the restart
# the report is applied again, and trapped once only (never twice).
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || { log "SKIP: mounting a tmpfs needs root"; exit 77; }
STATE=$T/statefs
mkdir -p "$STATE"
mount -t tmpfs -o size=1m,mode=0750 exconn-commit-test "$STATE" 2>/dev/null ||
    { log "SKIP: cannot mount a tmpfs here"; exit 77; }
# (set +e: "(exit $rc)" must not end the trap before cleanup)
trap 'rc=$?; set +e; stop_pid "$AGENT_PID"; AGENT_PID=; umount -l "$STATE" 2>/dev/null; (exit $rc); cleanup' EXIT

# a report that raises alarms, padded with COM ports so that its journal
# entry cannot fit in the slack of a page the journal already has
big_report() {   # big_report SOURCE OUT
    local ports
    ports=$(for i in $(seq 10 400); do printf '<comPort name="COM%d"/>' "$i"; done)
    sed "s|</exchangeStatus>|$ports</exchangeStatus>|" "$1" > "$2"
}
fill() { dd if=/dev/zero of="$STATE/filler" bs=4096 2>/dev/null || true; sync; }
unfill() { rm -f "$STATE/filler"; }
commit_failures() { grep -c "state: cannot write" "$AGENT_LOG" || true; }
raised_in_history() {
    snmp snmpwalk -Oqv EXCHANGE-CONNECTOR-MIB::exConnAlarmHistoryTransition | grep -c raised || true
}

start_all
wait_for 10 "first commit" test -s "$STATE/exconn.state"
ra0=$(counter exConnReportsAccepted)

# --- phase 1: full disk, then space again -------------------------------------
big_report "$DATA/reports/q158047-conflict.xml" "$T/conflict.xml"
fill
f0=$(commit_failures)
drop_file reports 001-conflict.xml "$T/conflict.xml"
wait_for 10 "the report applied" grep -q "accepted report 001-conflict.xml" "$AGENT_LOG"
wait_for 10 "the commit fails (disk full)" eval '[ "$(commit_failures)" -gt "$f0" ]'
grep -q "Resource temporarily unavailable" "$AGENT_LOG" && fail "a full disk logged as EAGAIN"
# the retry fails too (next rescan): still nothing published meanwhile
wait_for 10 "the retry fails too" eval '[ "$(commit_failures)" -gt "$((f0 + 1))" ]'
[ "$(trap_count)" -eq 0 ] || fail "traps sent before the commit: $(trap_count)"
[ "$(counter exConnReportsAccepted)" = "$ra0" ] || fail "exConnReportsAccepted counted an uncommitted file"
[ "$(counter exConnAlarmsActive)" = 0 ] || fail "alarms published before the commit"
[ -e "$SPOOL/reports/001-conflict.xml" ] || fail "the file went before its commit"
unfill
wait_for 10 "2 traps once committed" eval '[ "$(trap_count)" -ge 2 ]'
wait_for 10 "the file finished" eval '[ ! -e "$SPOOL/reports/001-conflict.xml" ]'
expect EXCHANGE-CONNECTOR-MIB::exConnReportsAccepted.0 $((ra0 + 1))
log "phase 1: $(commit_failures) failed commit(s), then $(trap_count) trap(s)"

# --- phase 2: kill -9 while the disk is full ------------------------------------
big_report "$DATA/reports/q148727-imc-stopped.xml" "$T/stopped.xml"
wait_for 10 "phase 1 acknowledged" eval '[ "$(counter exConnNotificationsSent)" -ge 2 ]'
fill
f0=$(commit_failures)
drop_file reports 002-stopped.xml "$T/stopped.xml"
wait_for 10 "the report applied" grep -q "accepted report 002-stopped.xml" "$AGENT_LOG"
wait_for 10 "its commit fails (disk full)" eval '[ "$(commit_failures)" -gt "$f0" ]'
[ "$(trap_count)" -eq 2 ] || fail "traps sent before the commit: $(trap_count)"
kill -KILL "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null || true; AGENT_PID=
unfill
start_agent
wait_registered 10
wait_for 10 "the re-applied report's trap" eval '[ "$(trap_count)" -ge 3 ]'
wait_for 10 "the file finished" eval '[ ! -e "$SPOOL/reports/002-stopped.xml" ]'
expect EXCHANGE-CONNECTOR-MIB::exConnReportsAccepted.0 $((ra0 + 2))
# and once more through a restart: nothing is sent twice.  A new alarm is
# the marker: notices go out in order, so a duplicate would come before it.
stop_pid "$AGENT_PID"; AGENT_PID=
start_agent
wait_registered 10
sed 's/server="EXCH03"/server="EXCH09"/' "$DATA/reports/q158047-conflict.xml" > "$T/marker.xml"
drop_file reports 003-marker.xml "$T/marker.xml"
wait_for 10 "the marker's raises in the history" eval '[ "$(raised_in_history)" -ge 5 ]'
raised=$(raised_in_history)
wait_for 10 "a trap for every raise" eval '[ "$(trap_count)" -ge "$raised" ]'
traps=$(trap_count)
[ "$traps" -eq "$raised" ] || fail "$traps traps for $raised raises in the history (a duplicate?)"
log "phase 2: kill -9 while full, restarts: $traps traps for $raised raises, none twice"
