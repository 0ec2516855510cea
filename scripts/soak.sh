#!/usr/bin/env bash
# soak.sh DURATION [INTERVAL]: a long run of exconn-agent (not in CI).
#
# Builds the agent (./build), starts a private snmpd, snmptrapd and the agent
# (tests/integration/lib.sh), then for DURATION seconds (default 1800) keeps
# feeding it: status reports for SERVERS servers (default 50) with changing
# queue counts, COM-port conflicts that come and go (alarms raised and
# cleared, traps sent), Windows events that raise KB alarms, a hostile file
# now and then, and full MIB walks.  Every INTERVAL seconds (default 60) it
# samples the agent's resident memory (VmRSS), open file descriptors and
# CPU time, and prints one table row.  At the end it says whether RSS and fds
# stayed flat: the highest RSS of the second half at most 10 % (and 2 MiB)
# above the highest of the first half, the same number of fds at the first
# and last sample.  Exit status 0 when flat, 1 otherwise.
#
# Environment: EXCONN_AGENT (default ./build/agent/exconn-agent, built if
# missing), EXCONN_STD_MIBS (default ./build/mibs-std, fetched if missing),
# SERVERS, SOAK_LOG (also write the table there), EXCONN_KEEP.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${1:-1800}
INTERVAL=${2:-60}
SERVERS=${SERVERS:-50}
if [ -z "${EXCONN_AGENT:-}" ]; then
    "$top/scripts/deps.sh"
    "$top/scripts/build.sh" "$top/build" exconn-agent >/dev/null
    EXCONN_AGENT=$top/build/agent/exconn-agent
fi
if [ -z "${EXCONN_STD_MIBS:-}" ]; then
    EXCONN_STD_MIBS=$top/build/mibs-std
    "$top/scripts/std-mibs.sh" "$EXCONN_STD_MIBS"
fi
export EXCONN_AGENT EXCONN_SOURCE_DIR=$top EXCONN_STD_MIBS
. "$top/tests/integration/lib.sh"
. "$top/tests/integration/lib_faults.sh"

out() { printf '%s\n' "$*"; [ -z "${SOAK_LOG:-}" ] || printf '%s\n' "$*" >> "$SOAK_LOG"; }
write_config
start_snmptrapd
start_snmpd
start_agent
wait_registered 10

sample() {   # elapsed rss_kib fds cpu_ticks reports events rejected traps active
    local rss fds cpu
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$AGENT_PID/status")
    fds=$(ls "/proc/$AGENT_PID/fd" | wc -l)
    cpu=$(cpu_ticks "$AGENT_PID")
    printf '%8d %9d %5d %8d %9s %9s %8s %7s %6s\n' $(( $(date +%s) - t0 )) "$rss" "$fds" "$cpu" \
        "$(counter exConnReportsAccepted)" "$(counter exConnEventsAccepted)" \
        "$(( $(counter exConnReportsRejected) + $(counter exConnEventsRejected) ))" \
        "$(exc_trap_count)" "$(counter exConnAlarmsActive)"
}

gen() {   # gen CYCLE: one round of reports and events into the spool
python3 - "$SPOOL" "$1" "$SERVERS" <<'PY'
import os, sys, time
spool, cycle, servers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def publish(d, name, text):
    with open(f"{spool}/{d}/.{name}.tmp", "w") as f:
        f.write(text)
    os.rename(f"{spool}/{d}/.{name}.tmp", f"{spool}/{d}/{name}")
collected = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
for s in range(1, servers + 1):
    conflict = (cycle + s) % 7 == 0          # COM1 conflicts come and go
    claim = '<claimant kind="remoteAccess" name="Remote Access Service"/>' if conflict else ''
    publish("reports", f"c{cycle:06d}-S{s:03d}.xml", f"""\
<exchangeStatus schemaVersion="1" server="SOAK{s:03d}" site="HQ" collected="{collected}">
  <server exchangeVersion="5.5.2650.0" mtaVersion="5.5.2650.0"/>
  <connector name="MS Mail Connector" type="msMail" service="MSExchangeMSMI" state="running" comPort="COM1"/>
  <connector name="Internet Mail Service" type="internetMail" service="MSExchangeIMC" state="running" queueFile="ok">
    <queue name="MTS-OUT" kind="mtsOut" messages="{(cycle * 7 + s) % 50}" bytes="{cycle * 100}" oldestAge="{cycle % 600}"/>
    <queue name="MTS-IN" kind="mtsIn" messages="{(cycle + s) % 3}"/>
  </connector>
  <comPort name="COM1"><claimant kind="msMailConnector" name="MS Mail Connector (async)"/>{claim}</comPort>
</exchangeStatus>
""")
now = time.strftime("%Y-%m-%dT%H:%M:%S.0000000Z", time.gmtime())
for k in range(5):
    s = (cycle * 5 + k) % servers + 1
    publish("events", f"e{cycle:06d}-{k}.xml", f"""\
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>
<Provider Name="MSExchangeIMC"/><EventID Qualifiers="49152">4087</EventID><Level>2</Level>
<TimeCreated SystemTime="{now}"/><EventRecordID>{cycle * 10 + k}</EventRecordID>
<Computer>soak{s:03d}.corp.example</Computer></System>
<EventData><Data>soak cycle {cycle}</Data></EventData></Event>
""")
if cycle % 10 == 0:
    publish("reports", f"c{cycle:06d}-zz-bad.xml", "<exchangeStatus schemaVersion=\"2\"/>\n")
PY
}

t0=$(date +%s)
header=$(printf '%8s %9s %5s %8s %9s %9s %8s %7s %6s' elapsed_s rss_kib fds cpu_tick reports events rejected traps alarms)
out "soak: $DURATION s, sample every $INTERVAL s, $SERVERS servers, agent $AGENT_PID ($EXCONN_AGENT)"
out "$header"
rows=()
row=$(sample); rows+=("$row"); out "$row"
cycle=0 next=$((t0 + INTERVAL))
while [ $(( $(date +%s) - t0 )) -lt "$DURATION" ]; do
    cycle=$((cycle + 1))
    gen "$cycle"
    snmp snmpbulkwalk -Cr50 EXCHANGE-CONNECTOR-MIB::exConnMIB > /dev/null || out "walk failed at cycle $cycle"
    agent_alive || { out "agent died"; exit 1; }
    # rejected files pile up by design (they are the operator's to remove)
    find "$SPOOL/rejected" -type f -delete
    if [ "$(date +%s)" -ge "$next" ]; then
        row=$(sample); rows+=("$row"); out "$row"
        next=$((next + INTERVAL))
    fi
    sleep 1
done
wait_for 60 "spool drained" eval '[ "$(spool_count reports)" -eq 0 ] && [ "$(spool_count events)" -eq 0 ]'
row=$(sample); rows+=("$row"); out "$row"

n=${#rows[@]} half=$(( ${#rows[@]} / 2 ))
max1=0 max2=0
for i in "${!rows[@]}"; do
    r=$(awk '{ print $2 }' <<< "${rows[$i]}")
    # the first sample is before any load: not part of the comparison
    [ "$i" -eq 0 ] && continue
    if [ "$i" -le "$half" ]; then [ "$r" -gt "$max1" ] && max1=$r; else [ "$r" -gt "$max2" ] && max2=$r; fi
done
fd1=$(awk '{ print $3 }' <<< "${rows[1]:-${rows[0]}}") fd2=$(awk '{ print $3 }' <<< "${rows[$((n - 1))]}")
limit=$(( max1 + max1 / 10 > max1 + 2048 ? max1 + max1 / 10 : max1 + 2048 ))
out "soak: $cycle cycles; RSS max first half ${max1} KiB, second half ${max2} KiB (limit ${limit}); fds ${fd1} -> ${fd2}"
if [ "$max2" -le "$limit" ] && [ "$fd2" -le "$fd1" ]; then
    out "soak: FLAT (RSS and fds stayed flat)"
else
    out "soak: NOT FLAT"; exit 1
fi
