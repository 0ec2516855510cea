#!/usr/bin/env bash
# Issue 9.13 and 9.14: log and pid files.  Under umask 000 the -Lf log is
# created 0640 and the -p pid file 0644 (not 0666); a symbolic link planted
# at the log's name is not followed; after `mv agent.log agent.log.1` and
# SIGHUP the agent writes to a new agent.log (logrotate), and the rotated
# file gets nothing more.
. "$(dirname "$0")/lib.sh"

write_config
start_snmptrapd
start_snmpd
LOG=$T/logs/agent.log PID=$T/run/agent.pid
mkdir -p "$T/logs" "$T/run"
# a symlink at the log's name: refused, the target untouched
echo target > "$T/target"
ln -s "$T/target" "$LOG"
rc=0
out=$( umask 000; timeout 5 "$EXCONN_AGENT" -f -c "$CONFIG" -Lf "$LOG" 2>&1 ) || rc=$?
[ "$rc" -eq 1 ] || fail "a symlink as the log file: rc $rc (124: it ran, logging through the link)"
[ "$(cat "$T/target")" = target ] || fail "the symlink's target was written"
log "symlinked log refused: $out"
rm -f "$LOG"

( umask 000; exec "$EXCONN_AGENT" -f -c "$CONFIG" -Lf "$LOG" -p "$PID" -Dexconn ) &
AGENT_PID=$!
AGENT_LOG=$LOG
wait_registered 10
wait_for 5 "pid file" test -s "$PID"
[ "$(stat -c %a "$LOG")" = 640 ] || fail "log file mode $(stat -c %a "$LOG"), want 640"
[ "$(stat -c %a "$PID")" = 644 ] || fail "pid file mode $(stat -c %a "$PID"), want 644"
[ "$(cat "$PID")" = "$AGENT_PID" ] || fail "pid file holds $(cat "$PID"), not $AGENT_PID"
log "umask 000: log 0640, pid file 0644"

# logrotate: rename, SIGHUP, the next lines go to a new file
mv "$LOG" "$LOG.1"
kill -HUP "$AGENT_PID"
wait_for 10 "a new log file after SIGHUP" test -s "$LOG"
drop_file reports 01.xml "$DATA/reports/q158047-conflict.xml"
wait_for 10 "report logged in the new file" grep -q 'accepted report 01.xml' "$LOG"
grep -q 'accepted report 01.xml' "$LOG.1" && fail "the rotated file still written to"
[ "$(stat -c %a "$LOG")" = 640 ] || fail "reopened log file mode $(stat -c %a "$LOG")"
log "SIGHUP reopened the log: new lines in agent.log, none in agent.log.1"
kill -TERM "$AGENT_PID"; wait "$AGENT_PID" || fail "SIGTERM exit $?"
AGENT_PID=
[ ! -e "$PID" ] || fail "pid file left behind"
