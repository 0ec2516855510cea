#!/usr/bin/env bash
# Issue 9.4: FIFOs, sockets, symlinks and directories named *.xml in the
# spool are rejected with their type and counted (not left there, unlogged),
# a FIFO never blocks the worker (later files are still ingested), and the
# agent stops on SIGTERM within a second.  (A FIFO swapped in between the
# scan and the open: tests/unit/test_spool.c, "non-regular entries".)
. "$(dirname "$0")/lib.sh"

start_all
rr=$(counter exConnReportsRejected) er=$(counter exConnEventsRejected)
mkfifo "$SPOOL/reports/10-fifo.xml"
ln -s /etc/passwd "$SPOOL/reports/11-link.xml"
mkdir "$SPOOL/events/12-dir.xml"
/usr/bin/python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' \
    "$SPOOL/events/13-sock.xml"
drop_file reports 20-good.xml "$DATA/reports/exch01-example.xml"
wait_for 10 "the good file after them accepted" \
    eval '[ "$(counter exConnReportsAccepted)" -ge 1 ]'
wait_for 10 "2 reports rejected" eval '[ "$(counter exConnReportsRejected)" -eq $((rr + 2)) ]'
wait_for 10 "2 event files rejected" eval '[ "$(counter exConnEventsRejected)" -eq $((er + 2)) ]'
for n in 10-fifo.xml:FIFO 11-link.xml:"symbolic link" 12-dir.xml:directory 13-sock.xml:socket; do
    f=${n%%:*} what=${n#*:}
    grep -q "not a regular file: a $what" "$SPOOL/rejected/$f.reason" 2>/dev/null ||
        fail "$f: no reason naming a $what: $(cat "$SPOOL/rejected/$f.reason" 2>&1)"
    grep -q "rejected .*$f" "$AGENT_LOG" || fail "$f: rejection not logged"
done
[ "$(find "$SPOOL/reports" "$SPOOL/events" -mindepth 1 ! -name '.*' | wc -l)" = 0 ] ||
    fail "left in the spool: $(ls -la "$SPOOL/reports" "$SPOOL/events")"
# and the worker is not blocked: SIGTERM ends the agent within a second
mkfifo "$SPOOL/reports/30-fifo.xml"
wait_for 10 "the second FIFO rejected" test -e "$SPOOL/rejected/30-fifo.xml.reason"
t0=$(now_ms)
kill -TERM "$AGENT_PID"
for _ in $(seq 100); do agent_alive || break; sleep 0.01; done
agent_alive && fail "the agent still runs 1 s after SIGTERM"
log "stopped $(( $(now_ms) - t0 )) ms after SIGTERM"
AGENT_PID=
