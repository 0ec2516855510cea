#!/usr/bin/env bash
# Issue 9 item 6: a report or event from the future would lock its server
# out (every later report "stale" until then).  Both are rejected with a
# reason naming <servers maxClockSkew>; a time within the skew is accepted;
# the server keeps taking normal reports.  Unicode look-alike names (item 16)
# and a report over <limits maxRowsPerServer> (item 9) are rejected with a
# reason through the spool as well; <forgetServer> forgets a server.
. "$(dirname "$0")/lib.sh"

write_config '<servers maxClockSkew="120"/> <limits maxRowsPerServer="13"/>'
start_snmpd
start_agent
wait_all_registered 10

S='"EXCH02"'
future=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
soon=$(date -u -d '+60 seconds' +%Y-%m-%dT%H:%M:%SZ)

report_copy "$DATA/reports/exch02-healthy.xml" "$T/r2099.xml" \
    's/collected="2026-11-22T10:00:00Z"/collected="2099-01-01T00:00:00Z"/'
feed reports exch02-2099.xml "$T/r2099.xml"
wait_for 5 "the 2099 report rejected" value_is "$X::exConnReportsRejected.0" 1
r=$(rejected_reason "001-exch02-2099.xml")
[[ "$r" == "report collected 2099-01-01T00:00:00Z is in the future (now "*"; <servers maxClockSkew> allows 120 s)" ]] ||
    fail "reason: $r"
no_instance "$X::exConnServerStatus.$S" || fail "the 2099 report created EXCH02"

report_copy "$DATA/reports/exch02-healthy.xml" "$T/rfuture.xml" \
    "s/collected=\"2026-11-22T10:00:00Z\"/collected=\"$future\"/"
feed reports exch02-future.xml "$T/rfuture.xml"
wait_for 5 "the +1 h report rejected" value_is "$X::exConnReportsRejected.0" 2

# within the skew: accepted; the normal (older) report after it is stale as before
report_copy "$DATA/reports/exch02-healthy.xml" "$T/rsoon.xml" \
    "s/collected=\"2026-11-22T10:00:00Z\"/collected=\"$soon\"/"
feed reports exch02-soon.xml "$T/rsoon.xml"
wait_accepted exConnReportsAccepted 1
expect "$X::exConnServerStatus.$S" ok

# an event from 2099 is rejected whole; a normal one is accepted
sed -e 's/2026-11-22T10:06:00.5Z/2099-01-01T00:00:00Z/' -e 's/EXCH04/EXCH02/' \
    "$DATA/events/ccmc-eventid-65606.xml" > "$T/e2099.xml"
feed events e2099.xml "$T/e2099.xml"
wait_for 5 "the 2099 event rejected" value_is "$X::exConnEventsRejected.0" 1
r=$(rejected_reason "$(printf '%03d' "$FEED_N")-e2099.xml")
[[ "$r" == "event 1 (MSExchangeCCMC 70) created 2099-01-01T00:00:00Z is in the future"*"maxClockSkew"* ]] ||
    fail "event reason: $r"
feed events e-normal.xml "$DATA/events/ccmc-eventid-65606.xml"
wait_accepted exConnEventsAccepted 1

# look-alikes and limits through the spool
feed reports nbsp.xml "$DATA/hostile/lookalike-nbsp.xml"
wait_for 5 "the NBSP report rejected" value_is "$X::exConnReportsRejected.0" 3
r=$(rejected_reason "$(printf '%03d' "$FEED_N")-nbsp.xml")
[[ "$r" == *"connector name contains a no-break space"* ]] || fail "NBSP reason: $r"
/usr/bin/python3 "$EXCONN_SOURCE_DIR/bench/gen-big-report" 20 > "$T/rows.xml"   # 21 rows
feed reports rows.xml "$T/rows.xml"
wait_for 5 "the 21-row report rejected" value_is "$X::exConnReportsRejected.0" 4
r=$(rejected_reason "$(printf '%03d' "$FEED_N")-rows.xml")
[[ "$r" == "report has 21 rows (connectors, queues, COM ports, claimants), more than <limits maxRowsPerServer> 13" ]] ||
    fail "rows reason: $r"

# forget EXCH02 (and the event-only EXCH04): a report older than the one
# from "soon" is then accepted -- the way out of a lock-out
printf '<forgetServer schemaVersion="1" server="EXCH02"/>\n' > "$T/forget.xml"
feed reports forget.xml "$T/forget.xml"
wait_accepted exConnReportsAccepted 2
no_instance "$X::exConnServerStatus.$S" || fail "EXCH02 not forgotten"
feed reports exch02.xml "$DATA/reports/exch02-healthy.xml"
wait_accepted exConnReportsAccepted 3
expect "$X::exConnServerLastReport.$S" "2026-11-22,10:0:0.0,+0:0"
log "future reports and events rejected with reasons; look-alikes, limits, forgetServer"
