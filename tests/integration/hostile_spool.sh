#!/usr/bin/env bash
# SPEC §3/§8: hostile input through the spool of a running agent.  Every file
# of tests/data/hostile goes in twice, as a report and as an event file, with
# oversized files (above maxFileBytes) and XXE / external-DTD / parameter-
# entity / XInclude files generated here to point at a temporary marker file
# holding a random string.  Each must land in rejected/ with a one-line
# .reason; exConnReportsRejected and exConnEventsRejected rise by exactly the
# number of files; the accepted counters, every table row (walk before and
# after) and the notifications do not change; the agent keeps answering; and
# the marker string appears nowhere: not in a MIB walk, the agent's log, the
# state directory, the reasons, snmpd's log or the traps.
. "$(dirname "$0")/lib.sh"

MAX_BYTES=65536
write_config
sed -i "s|<spool dir=\"$SPOOL\"/>|<spool dir=\"$SPOOL\" maxFileBytes=\"$MAX_BYTES\"/>|" "$CONFIG"
grep -q "maxFileBytes=\"$MAX_BYTES\"" "$CONFIG" || fail "could not set maxFileBytes"
start_fixture

# a known estate with active alarms
load_estate "exch02-healthy q158047-conflict q166045-dirsync-pending q193760-stall-1" \
    "q166045-ccmc-70" 3
walk_tables > "$T/before"
ra=$(counter exConnReportsAccepted) ea=$(counter exConnEventsAccepted)
rr=$(counter exConnReportsRejected) er=$(counter exConnEventsRejected)
traps=$(trap_count)

# --- the generated files ----------------------------------------------------
marker=exconn-marker-$RANDOM$RANDOM-$(date +%s%N)
printf '%s\n' "$marker" > "$T/marker"
chmod 644 "$T/marker"
G=$T/generated; mkdir -p "$G"
ev_head='<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="MSExchangeIMC"/><EventID>4087</EventID><TimeCreated SystemTime="2026-11-22T10:00:00Z"/>'
cat > "$G/gen-xxe-general.xml" <<XML
<?xml version="1.0"?>
<!DOCTYPE exchangeStatus [ <!ENTITY x SYSTEM "file://$T/marker"> ]>
<exchangeStatus schemaVersion="1" server="EXCH01" collected="2026-11-22T10:00:00Z">
  <connector name="MS Mail Connector" type="msMail" state="running">&x;</connector>
</exchangeStatus>
XML
cat > "$G/gen-xxe-parameter.xml" <<XML
<?xml version="1.0"?>
<!DOCTYPE exchangeStatus [ <!ENTITY % p SYSTEM "file://$T/marker"> %p; ]>
<exchangeStatus schemaVersion="1" server="EXCH01" collected="2026-11-22T10:00:00Z"/>
XML
cat > "$G/gen-xxe-dtd.xml" <<XML
<?xml version="1.0"?>
<!DOCTYPE exchangeStatus SYSTEM "file://$T/marker">
<exchangeStatus schemaVersion="1" server="EXCH01" collected="2026-11-22T10:00:00Z"/>
XML
cat > "$G/gen-xxe-event.xml" <<XML
<?xml version="1.0"?>
<!DOCTYPE Event [ <!ENTITY x SYSTEM "file://$T/marker"> ]>
$ev_head<Computer>&x;</Computer></System><EventData><Data>&x;</Data></EventData></Event>
XML
cat > "$G/gen-xinclude.xml" <<XML
<exchangeStatus xmlns:xi="http://www.w3.org/2001/XInclude" schemaVersion="1" server="EXCH01" collected="2026-11-22T10:00:00Z">
  <xi:include href="file://$T/marker" parse="text"/>
</exchangeStatus>
XML
cat > "$G/gen-xinclude-event.xml" <<XML
${ev_head/<Event /<Event xmlns:xi=\"http://www.w3.org/2001/XInclude\" }<Computer><xi:include href="file://$T/marker" parse="text"/></Computer></System></Event>
XML
# oversized: valid documents padded past maxFileBytes (rejected unread)
{ echo '<exchangeStatus schemaVersion="1" server="EXCH09" collected="2026-11-22T10:00:00Z">'
  head -c $((MAX_BYTES + 1)) /dev/zero | tr '\0' ' '; echo '</exchangeStatus>'; } > "$G/gen-oversized.xml"
{ echo "$ev_head<Computer>EXCH09</Computer></System>"
  head -c $((MAX_BYTES + 1)) /dev/zero | tr '\0' ' '; echo '</Event>'; } > "$G/gen-oversized-event.xml"

# --- into the spool: every file as a report and as an event file -----------
nr=0 ne=0
for f in "$DATA"/hostile/* "$G"/*; do
    b=${f##*/}
    [ "$b" = README.md ] && continue
    drop_file reports "h-r-$b" "$f"; nr=$((nr + 1))
    drop_file events "h-e-$b" "$f"; ne=$((ne + 1))
done
total=$((nr + ne))
log "dropped $nr hostile files as reports and $ne as events"
wait_for 30 "all $total hostile files rejected" \
    eval '[ "$(spool_count reports)" -eq 0 ] && [ "$(spool_count events)" -eq 0 ] &&
          [ "$(ls "$SPOOL/rejected" | grep -c "\.reason$")" -eq '"$total"' ]'
wait_for 10 "rejection counters" eval '[ "$(counter exConnEventsRejected)" -ge '"$((er + ne))"' ]'

# every file in rejected/, beside a one-line reason
for d in reports events; do
    for f in "$DATA"/hostile/* "$G"/*; do
        b=${f##*/}; [ "$b" = README.md ] && continue
        p=h-${d:0:1}-$b
        [ -f "$SPOOL/rejected/$p" ] || fail "$p not in rejected/"
        cmp -s "$f" "$SPOOL/rejected/$p" || fail "rejected/$p is not the file dropped"
        r=$SPOOL/rejected/$p.reason
        [ -s "$r" ] && [ "$(wc -l < "$r")" -eq 1 ] || fail "$p.reason is not one line: $(cat "$r" 2>/dev/null)"
    done
done
grep -h . "$SPOOL"/rejected/h-r-gen-oversized.xml.reason "$SPOOL"/rejected/h-e-gen-oversized-event.xml.reason |
    grep -c 'too large' | grep -qx 2 || fail "oversized files not rejected as too large"
for f in gen-xxe-general gen-xxe-parameter gen-xxe-dtd gen-xxe-event; do
    grep -q DOCTYPE "$SPOOL/rejected/h-r-$f.xml.reason" || fail "$f: $(cat "$SPOOL/rejected/h-r-$f.xml.reason")"
done

expect EXCHANGE-CONNECTOR-MIB::exConnReportsRejected.0 $((rr + nr))
expect EXCHANGE-CONNECTOR-MIB::exConnEventsRejected.0 $((er + ne))
expect EXCHANGE-CONNECTOR-MIB::exConnReportsAccepted.0 "$ra"
expect EXCHANGE-CONNECTOR-MIB::exConnEventsAccepted.0 "$ea"
walk_tables > "$T/after"
diff "$T/before" "$T/after" >&2 || fail "hostile files changed the tables"
[ "$(trap_count)" -eq "$traps" ] || fail "hostile files caused notifications"
agent_alive || fail "agent died"
wait_registered 5

# the marker: nowhere
snmp snmpbulkwalk -Cr50 EXCHANGE-CONNECTOR-MIB::exConnMIB > "$T/fullwalk"
[ "$(wc -l < "$T/fullwalk")" -gt 100 ] || fail "walk too short"
for f in "$T/fullwalk" "$AGENT_LOG" "$T/snmpd.log" "$TRAP_LOG" "$STATE"/* "$SPOOL"/rejected/*.reason; do
    ! grep -q -- "$marker" "$f" || fail "the XXE marker leaked into $f"
done
! grep -rq -- "$marker" "$STATE" || fail "the XXE marker leaked into the state directory"
log "hostile spool: $total files ($nr as reports, $ne as events) rejected with reasons, counters exact, tables unchanged, marker nowhere"
