#!/usr/bin/env bash
# Issue 9.11: rejected evidence is kept.  A second rejected file of the same
# name does not overwrite the first (nor its reason); a name of 250
# characters (NAME.reason.tmp would exceed NAME_MAX) is kept under a
# shortened name whose reason names the original.
. "$(dirname "$0")/lib.sh"

start_all
printf '<first' | publish reports same.xml
wait_for 10 "the first rejected" test -f "$SPOOL/rejected/same.xml.reason"
printf '<exchangeStatus schemaVersion="2"/>' | publish reports same.xml
wait_for 10 "the second rejected" eval '[ "$(counter exConnReportsRejected)" -ge 2 ]'
wait_for 10 "kept beside the first" test -f "$SPOOL/rejected/same.xml~1.reason"
[ "$(cat "$SPOOL/rejected/same.xml")" = "<first" ] || fail "the first file was overwritten"
[ "$(cat "$SPOOL/rejected/same.xml~1")" = '<exchangeStatus schemaVersion="2"/>' ] ||
    fail "the second file: $(cat "$SPOOL/rejected/same.xml~1")"
cmp -s "$SPOOL/rejected/same.xml.reason" "$SPOOL/rejected/same.xml~1.reason" &&
    fail "one reason for two different faults"
long=$(printf 'L%.0s' $(seq 246)).xml
printf '<long' | publish reports "$long"
wait_for 10 "the long name rejected" eval '[ "$(counter exConnReportsRejected)" -ge 3 ]'
kept=$(find "$SPOOL/rejected" -name 'LLLL*~1' | head -1)
[ -n "$kept" ] || fail "the long-named file was not kept: $(ls "$SPOOL/rejected")"
[ "$(cat "$kept")" = "<long" ] || fail "kept the wrong content"
grep -qF "$long" "$kept.reason" || fail "the reason does not name the original: $(cat "$kept.reason")"
log "kept: same.xml, same.xml~1, $(basename "$kept") ($(basename "$kept" | wc -c) octets)"
