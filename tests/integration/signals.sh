#!/usr/bin/env bash
# SPEC §2/§8 signals.  SIGHUP with a broken config (malformed XML, then a
# valid config whose KB directory holds a bad article) is refused and logged,
# and the agent goes on serving with the old config and KB; SIGHUP with a
# fixed config naming a KB directory with one more article applies it (the
# new article is in exConnKbArticleTable).  SIGTERM commits the state and
# exits 0: a restarted agent serves the same tables and counters.
. "$(dirname "$0")/lib.sh"

start_all
shipped=$(ls "$EXCONN_SOURCE_DIR"/kb/*.xml | wc -l)
expect EXCHANGE-CONNECTOR-MIB::exConnKbArticlesLoaded.0 "$shipped"
drop_file reports 01.xml "$DATA/reports/q158047-conflict.xml"
wait_for 10 "report accepted" eval '[ "$(counter exConnReportsAccepted)" -eq 1 ]'
good=$(cat "$CONFIG")

hup_refused() {   # hup_refused WHAT: HUP, wait for the n-th refusal in the log
    local n; n=$(grep -c 'reload refused' "$AGENT_LOG" || true)
    kill -HUP "$AGENT_PID"
    wait_for 10 "reload refused ($1)" eval '[ "$(grep -c "reload refused" "$AGENT_LOG")" -gt '"$n"' ]'
    agent_alive || fail "agent died on SIGHUP ($1)"
    expect EXCHANGE-CONNECTOR-MIB::exConnKbArticlesLoaded.0 "$shipped"
    expect EXCHANGE-CONNECTOR-MIB::exConnReportsAccepted.0 1
    log "$1: $(grep 'reload refused' "$AGENT_LOG" | tail -n 1 | sed 's/^.*reload refused/reload refused/')"
}

# 1. malformed config
printf '<exconn>\n  <spool dir="%s">\n</exconn>\n' "$SPOOL" > "$CONFIG"
hup_refused "malformed config"
grep 'reload refused' "$AGENT_LOG" | tail -n 1 | grep -q "$CONFIG:3: malformed XML" ||
    fail "refusal does not name the file and line"

# 2. a valid config whose KB directory holds a bad article
mkdir -p "$T/kb-bad"
cp "$EXCONN_SOURCE_DIR"/kb/*.xml "$T/kb-bad/"
cp "$DATA/kb/bad/QBADSEV.xml" "$T/kb-bad/"
printf '%s\n' "$good" | sed "s|<kb dir=\"[^\"]*\"/>|<kb dir=\"$T/kb-bad\"/>|" > "$CONFIG"
hup_refused "bad KB article"
grep 'reload refused' "$AGENT_LOG" | tail -n 1 | grep -q 'QBADSEV.xml' ||
    fail "refusal does not name the bad article"
# the agent still works with the old configuration
drop_file events 02.xml "$DATA/events/q182346-imc-4087.xml"
wait_for 10 "event accepted after refusals" eval '[ "$(counter exConnEventsAccepted)" -eq 1 ]'

# 3. fixed config, a KB directory with one more article: applied
mkdir -p "$T/kb-new"
cp "$EXCONN_SOURCE_DIR"/kb/*.xml "$DATA/kb-extra/Q165505.xml" "$T/kb-new/"
printf '%s\n' "$good" | sed "s|<kb dir=\"[^\"]*\"/>|<kb dir=\"$T/kb-new\"/>|" > "$CONFIG"
kill -HUP "$AGENT_PID"
wait_for 10 "new KB applied" eval '[ "$(counter exConnKbArticlesLoaded)" -eq '"$((shipped + 1))"' ]'
expect 'EXCHANGE-CONNECTOR-MIB::exConnKbArticleUrl."Q165505"' https://support.microsoft.com/kb/165505
grep -q "reloaded: $((shipped + 1)) KB article" "$AGENT_LOG" || fail "no 'reloaded' in the log"
log "fixed config applied: $((shipped + 1)) KB articles"

# 4. SIGTERM: commit, exit 0, same tables after a restart
walk_tables > "$T/before"
counters() { for c in exConnReportsAccepted exConnReportsRejected exConnEventsAccepted exConnEventsRejected exConnAlarmsActive exConnKbArticlesLoaded; do printf "%s " "$(counter $c)"; done; }
cbefore=$(counters)
kill -TERM "$AGENT_PID"
rc=0; wait "$AGENT_PID" || rc=$?
AGENT_PID=
[ "$rc" -eq 0 ] || fail "SIGTERM: exit status $rc"
grep -q 'stopping' "$AGENT_LOG" || fail "no 'stopping' in the log"
start_agent
wait_registered 10
wait_for 5 "tables as before SIGTERM" tables_equal "$T/before"
[ "$(counters)" = "$cbefore" ] || fail "counters after restart: $(counters), before: $cbefore"
log "SIGTERM: exit 0, state committed; restart serves the same tables and counters ($cbefore)"
