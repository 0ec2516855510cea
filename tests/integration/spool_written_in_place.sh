#!/usr/bin/env bash
# Issue 9.10: a writer that creates the final name directly (a shell
# redirection, >> appends, cp) gets its file taken whole, once it is closed
# and quiet (1 s), not rejected half-written; a dot-renamed file is still
# taken at once.
. "$(dirname "$0")/lib.sh"

start_all
src=$DATA/reports/exch01-example.xml
n=$(wc -l < "$src")
half=$((n / 2))
# written in three appends, 300 ms apart (each >> opens, writes, closes)
head -n "$half" "$src" > "$SPOOL/reports/01-direct.xml"
sleep 0.3   # the writer's own pace, not a wait for the agent
sed -n "$((half + 1)),$((n - 2))p" "$src" >> "$SPOOL/reports/01-direct.xml"
sleep 0.3
tail -n 2 "$src" >> "$SPOOL/reports/01-direct.xml"
# and held open by a slow writer for 2 s
( sed -n '1,5p' "$DATA/reports/q158047-conflict.xml"; sleep 2
  sed -n '6,$p' "$DATA/reports/q158047-conflict.xml" ) > "$SPOOL/reports/02-slow.xml" &
slow=$!
wait_for 10 "the appended file accepted" eval '[ "$(counter exConnReportsAccepted)" -ge 1 ]'
wait "$slow"
wait_for 10 "the slow file accepted" eval '[ "$(counter exConnReportsAccepted)" -ge 2 ]'
[ "$(counter exConnReportsRejected)" = 0 ] ||
    fail "rejected: $(cat "$SPOOL"/rejected/*.reason)"
t0=$(now_ms)
drop_file reports 03-renamed.xml "$DATA/reports/exch02-healthy.xml"
wait_for 10 "the renamed file accepted" eval '[ "$(counter exConnReportsAccepted)" -ge 3 ]'
log "written in place: 2 accepted whole; renamed: accepted after $(( $(now_ms) - t0 )) ms"
