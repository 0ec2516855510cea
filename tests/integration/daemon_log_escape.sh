#!/usr/bin/env bash
# Issue 9.12: log injection impossible as a class.  A spool file whose name
# holds a newline and terminal escape sequences is rejected; the log line
# that names it shows them escaped (\n, \x1b): it stays one line, with no
# raw control character anywhere in the log.
. "$(dirname "$0")/lib.sh"

start_all
evil=$'evil\n2026-01-01 00:00:00.000 exconn-agent[notice]: forged \e[2J\e]0;pwned\a.xml'
mkdir -p "$SPOOL/reports"
printf 'not xml' > "$SPOOL/reports/.tmp"
mv "$SPOOL/reports/.tmp" "$SPOOL/reports/$evil"
wait_for 10 "the file taken" eval '[ ! -e "$SPOOL/reports/$evil" ]'
wait_for 5 "its log line" grep -q 'evil' "$AGENT_LOG"
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$AGENT_LOG"; then
    fail "raw control characters in the log: $(LC_ALL=C grep -n $'[\x01-\x08\x0b-\x1f\x7f]' "$AGENT_LOG" | cat -v | head -n 3)"
fi
grep -q '^forged\|^2026-01-01 00:00:00.000 exconn-agent\[notice\]: forged' "$AGENT_LOG" &&
    fail "a forged log line: $(grep -n 'forged' "$AGENT_LOG" | cat -v)"
grep 'evil' "$AGENT_LOG" | grep -qF 'evil\n2026-01-01' || fail "newline not shown as \\n: $(grep evil "$AGENT_LOG" | cat -v)"
grep 'evil' "$AGENT_LOG" | grep -qF '\x1b[2J' || fail "ESC not shown as \\x1b: $(grep evil "$AGENT_LOG" | cat -v)"
log "escaped: $(grep 'evil' "$AGENT_LOG" | head -n 1 | cut -c1-160)"
