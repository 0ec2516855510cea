#!/usr/bin/env bash
# Issue 9.15 and issue 12: a config is checked completely -- it parses, its
# KB loads, its spool and state directories exist or can be created and are
# writable by the user that runs the agent -- by --check-config and before
# a SIGHUP switches to it.  (1) --check-config, run as nobody, fails with a
# one-line reason for a state directory nobody cannot write, and for a spool
# directory that cannot be created (under a regular file); passes once both
# are fine.  (2) SIGHUP with a spool directory that cannot be created:
# refused and logged, the old config kept, ingestion goes on.
. "$(dirname "$0")/lib.sh"

as_nobody() {
    if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"
    else "$@"; fi
}
write_config
good=$(cat "$CONFIG")
chmod 755 "$T"; chmod 644 "$CONFIG"

# (1) --check-config
if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$STATE" "$SPOOL"; chown nobody "$SPOOL"; chmod 755 "$STATE"   # state: root's
    rc=0; out=$(as_nobody "$EXCONN_AGENT" --check-config -c "$CONFIG" 2>&1) || rc=$?
    [ "$rc" -eq 1 ] && [[ "$out" == *"state directory $STATE is not writable"* ]] ||
        fail "--check-config as nobody, state root's: rc=$rc: $out"
    log "unwritable state: $out"
    chown nobody "$STATE"
fi
touch "$T/a-file"
printf '%s\n' "$good" | sed "s|<spool dir=\"[^\"]*\"/>|<spool dir=\"$T/a-file/spool\"/>|" > "$CONFIG"
rc=0; out=$(as_nobody "$EXCONN_AGENT" --check-config -c "$CONFIG" 2>&1) || rc=$?
[ "$rc" -eq 1 ] && [[ "$out" == *"spool directory $T/a-file/spool"* ]] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] ||
    fail "--check-config, spool under a file: rc=$rc: $out"
log "spool that cannot be created: $out"
printf '%s\n' "$good" | sed "s|<spool dir=\"[^\"]*\"/>|<spool dir=\"$SPOOL/new/spool\"/>|" > "$CONFIG"
rc=0; out=$(as_nobody "$EXCONN_AGENT" --check-config -c "$CONFIG" 2>&1) || rc=$?
[ "$rc" -eq 0 ] || fail "--check-config, spool to be created in a writable directory: rc=$rc: $out"
printf '%s\n' "$good" > "$CONFIG"

# (2) SIGHUP with a spool directory that cannot be created
start_fixture
printf '%s\n' "$good" | sed "s|<spool dir=\"[^\"]*\"/>|<spool dir=\"$T/a-file/spool\"/>|" > "$CONFIG"
kill -HUP "$AGENT_PID"
wait_for 10 "reload refused" grep -q 'reload refused' "$AGENT_LOG"
grep 'reload refused' "$AGENT_LOG" | grep -q "spool directory $T/a-file/spool" ||
    fail "refusal does not name the spool directory: $(grep 'reload refused' "$AGENT_LOG")"
grep -q 'reloaded' "$AGENT_LOG" && fail "'reloaded' logged for a config that cannot work"
drop_file reports 01.xml "$DATA/reports/q158047-conflict.xml"
wait_for 10 "ingestion goes on with the old config" eval '[ "$(counter exConnReportsAccepted)" -eq 1 ]'
log "SIGHUP with a spool that cannot be created: $(grep 'reload refused' "$AGENT_LOG" | sed 's/^.*reload refused/reload refused/')"
