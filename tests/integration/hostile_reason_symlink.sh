#!/usr/bin/env bash
# Issue 9.5 (security): a symlink planted in rejected/ where the agent used
# to create its reason file (NAME.reason.tmp), or at NAME.reason, never
# redirects a write: the target is untouched, the rejected file and its
# reason are kept under a fresh name.
. "$(dirname "$0")/lib.sh"

start_all
printf 'precious\n' > "$T/target"
cp "$T/target" "$T/target.orig"
ln -s "$T/target" "$SPOOL/rejected/evil.xml.reason.tmp"
ln -s "$T/target" "$SPOOL/rejected/evil.xml.reason"
printf '<exchangeStatus schemaVersion="1"' | publish reports evil.xml
wait_for 10 "evil.xml rejected" eval '[ "$(counter exConnReportsRejected)" -ge 1 ]'
wait_for 10 "its reason kept" test -f "$SPOOL/rejected/evil.xml~1.reason"
cmp -s "$T/target" "$T/target.orig" || fail "the symlink's target was written: $(cat "$T/target")"
[ -L "$SPOOL/rejected/evil.xml.reason.tmp" ] || fail "the planted link was replaced"
[ -f "$SPOOL/rejected/evil.xml~1" ] || fail "the rejected file is not kept"
log "target untouched; kept as evil.xml~1: $(cat "$SPOOL/rejected/evil.xml~1.reason")"
