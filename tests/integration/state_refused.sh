#!/usr/bin/env bash
# Issue 9.7 and 9.17: a damaged state directory stops the agent at start-up
# with one line naming the file (and the line, where one applies) -- never a
# silent empty start, never a misleading reason: one byte changed in
# exconn.state (same size), exconn.state deleted with its journal still
# there, a newer version, a directory named exconn.state, a file cut in the
# middle of a record.  With both files moved aside it starts empty.
. "$(dirname "$0")/lib.sh"

start_all
drop_file reports 01.xml "$DATA/reports/exch01-example.xml"
drop_file reports 02.xml "$DATA/reports/q158047-conflict.xml"
wait_for 10 "2 reports accepted" eval '[ "$(counter exConnReportsAccepted)" -ge 2 ]'
stop_pid "$AGENT_PID"; AGENT_PID=
[ -s "$STATE/exconn.state" ] || fail "no checkpoint after a clean stop"
cp "$STATE/exconn.state" "$T/good.state"

# refused CASE PATTERN: the agent exits non-zero within 10 s, its one-line
# reason (stderr) matching PATTERN
refused() {
    local rc=0
    timeout 10 "$EXCONN_AGENT" -f -c "$CONFIG" -Lf "$T/refused.log" 2> "$T/refused.err" || rc=$?
    [ "$rc" -ne 0 ] || fail "$1: the agent started"
    [ "$rc" -ne 124 ] || fail "$1: the agent started (still running after 10 s)"
    grep -Eq -- "$2" "$T/refused.err" ||
        fail "$1: expected /$2/, got: $(cat "$T/refused.err")"
    log "$1: $(cat "$T/refused.err")"
    # --check-config says the same, exit 1
    rc=0
    "$EXCONN_AGENT" --check-config -c "$CONFIG" > "$T/check.out" 2>&1 || rc=$?
    [ "$rc" -eq 1 ] || fail "$1: --check-config exited $rc"
    grep -Eq -- "$2" "$T/check.out" ||
        fail "$1: --check-config: expected /$2/, got: $(cat "$T/check.out")"
}

# one byte changed, the size unchanged
cp "$T/good.state" "$STATE/exconn.state"
off=$(grep -bo 'EXCH03' "$STATE/exconn.state" | head -1 | cut -d: -f1)
printf 'X' | dd of="$STATE/exconn.state" bs=1 seek="$off" conv=notrunc 2>/dev/null
refused "one byte changed" "exconn\.state: checksum mismatch"

# the checkpoint gone, a journal left
cp "$T/good.state" "$STATE/exconn.state"
printf 'exconn-journal 1 %s 00000000\n' "$(stat -c %s "$STATE/exconn.state")" > "$STATE/exconn.journal"
rm "$STATE/exconn.state"
refused "orphaned journal" "exconn\.journal: a journal without its checkpoint"
rm "$STATE/exconn.journal"

# misleading messages of old (9.17)
sed '1s/^exconn-state 2$/exconn-state 3/' "$T/good.state" > "$STATE/exconn.state"
refused "a newer version" "exconn\.state:1: state version 3 is not one this agent reads"
rm "$STATE/exconn.state"; mkdir "$STATE/exconn.state"
refused "a directory" "exconn\.state: is a directory, not a state file"
rmdir "$STATE/exconn.state"
size=$(stat -c %s "$T/good.state")
head -c $((size / 2)) "$T/good.state" > "$STATE/exconn.state"
[ "$(tail -c 1 "$STATE/exconn.state" | od -An -c | tr -d ' ')" != '\n' ] || printf 'x' >> "$STATE/exconn.state"
lines=$(wc -l < "$STATE/exconn.state")
refused "cut in a record" "exconn\.state:$((lines + 1)): truncated \(incomplete last line"

# the good file back: it starts, with what was committed
cp "$T/good.state" "$STATE/exconn.state"
start_agent
wait_registered 10
expect EXCHANGE-CONNECTOR-MIB::exConnReportsAccepted.0 2
log "the checkpoint back: started with 2 reports"
