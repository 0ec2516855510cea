#!/usr/bin/env bash
# Issue 9 acceptance, the notification storm.  (1) One events file with 1,000
# MSExchangeIMC 4087 events for 1,000 servers (holdDown 0): 1,000 raises at
# once.  (2) 1,000 more raised while snmpd is down, flushed when it is back.
# Throughout, a prober sends an SNMP GET of sysUpTime.0 and exConnAgentVersion.0
# to snmpd every 20 ms: every one is answered (p99 reported), so neither snmpd
# nor the agent is ever blocked in a write (the old agent wrote Notify PDUs
# back to back without reading the Responses: both processes blocked in
# sock_alloc_send_pskb after ~170 traps).  Every notice arrives at snmptrapd
# exactly once and in order.  (3) A third storm, SIGTERM in the middle of its
# flush: the agent is gone within a second, and a restarted agent sends what
# the master had not confirmed, so again each arrives once.  (4) SIGTERM with
# a frozen master (SIGSTOP): gone within a second.
. "$(dirname "$0")/lib.sh"

N=${STORM_N:-1000}
write_config '<notifications queueSize="'"$N"'"/>'
# The master forwards to snmptrapd over TCP: over UDP a loaded snmptrapd
# drops datagrams when 1,000 traps come at once, which would hide what this
# test is about (the agent -> master path).
TRAP_PORT=$(free_port)
cat > "$T/snmptrapd.conf" <<CONF
disableAuthorization yes
CONF
: > "$TRAP_LOG"
snmptrapd -f -C -c "$T/snmptrapd.conf" -On -Lf "$TRAP_LOG" -F 'TRAP %v\n' "tcp:127.0.0.1:$TRAP_PORT" &
TRAPD_PID=$!
wait_for 10 "snmptrapd started" grep -q "NET-SNMP version" "$TRAP_LOG"
start_snmpd "0660 0750" "trapsess -v 2c -c public tcp:127.0.0.1:$TRAP_PORT"
start_agent
wait_registered 10

# storm_file PREFIX: N IMC 4087 events, one per server PREFIX0001..
storm_file() {
    local t; t=$(date -u +%Y-%m-%dT%H:%M:%S.0000000Z)
    echo '<Events>'
    for i in $(seq "$N"); do event_xml "$(printf '%s%04d' "$1" "$i")" "$i" MSExchangeIMC 4087 "$t"; done
    echo '</Events>'
}
# servers_trapped PREFIX: the exConnAlarmServer of each exConn trap for PREFIX*, in order
servers_trapped() {
    grep -o "OID: $EXC_NOTIF\.3	.*" "$TRAP_LOG" | grep -o "STRING: $1[0-9]*" |
        sed 's/^STRING: //' || true
}
check_once_in_order() {   # check_once_in_order PREFIX
    local got want
    got=$(servers_trapped "$1" | md5sum)
    want=$(for i in $(seq "$N"); do printf '%s%04d\n' "$1" "$i"; done | md5sum)
    [ "$got" = "$want" ] || {
        servers_trapped "$1" > "$T/got.$1"
        fail "$1: $(wc -l < "$T/got.$1") traps, $(sort "$T/got.$1" | uniq -d | wc -l) duplicated; not each once in order"
    }
}
storm_done() { [ "$(servers_trapped "$1" | wc -l)" -ge "$N" ]; }

# the prober: one GET every 20 ms, 2 s timeout, latency in ms per line
cat > "$T/probe.py" <<'PY'
import os, socket, sys, time
port, out, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def tlv(t, b): return bytes([t]) + (bytes([len(b)]) if len(b) < 128 else bytes([0x81, len(b)])) + b
def oid(s):
    p = [int(x) for x in s.split('.')]
    b = bytes([40 * p[0] + p[1]])
    for v in p[2:]:
        enc = [v & 0x7f]; v >>= 7
        while v: enc.insert(0, 0x80 | (v & 0x7f)); v >>= 7
        b += bytes(enc)
    return tlv(6, b)
vbs = tlv(0x30, b''.join(tlv(0x30, oid(o) + b'\x05\x00') for o in
          ('1.3.6.1.2.1.1.3.0', '1.3.6.1.4.1.8072.9999.9999.5500.1.1.1.0')))
def rd(b, i):   # one TLV at b[i]: tag, value, next index
    t, n = b[i], b[i + 1]; i += 2
    if n & 0x80:
        k = n & 0x7f; n = int.from_bytes(b[i:i + k], 'big'); i += k
    return t, b[i:i + n], i + n
def answer(r):   # (request-id, every varbind has a value)
    _, msg, _ = rd(r, 0)
    _, _, i = rd(msg, 0); _, _, i = rd(msg, i); _, pdu, _ = rd(msg, i)
    _, rid, i = rd(pdu, 0); _, err, i = rd(pdu, i); _, _, i = rd(pdu, i); _, vbl, _ = rd(pdu, i)
    ok, j = int.from_bytes(err, 'big') == 0, 0
    while j < len(vbl):
        _, vb, j = rd(vbl, j); _, _, k = rd(vb, 0); t, _, _ = rd(vb, k)
        ok = ok and t not in (0x80, 0x81, 0x82)
    return int.from_bytes(rid, 'big'), ok
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2.0)
rid = 0
with open(out, 'a', buffering=1) as f:
    while not os.path.exists(stop):
        rid = rid % 30000 + 1
        pdu = tlv(0xa0, tlv(2, rid.to_bytes(2, 'big')) + b'\x02\x01\x00\x02\x01\x00' + vbs)
        msg = tlv(0x30, b'\x02\x01\x01' + tlv(4, b'public') + pdu)
        t0 = time.monotonic()
        s.sendto(msg, ('127.0.0.1', port))
        try:
            while True:
                got, ok = answer(s.recv(2048))
                if got == rid:
                    break
            f.write('%.1f\n' % ((time.monotonic() - t0) * 1000) if ok else 'nosuch\n')
        except socket.timeout:
            f.write('timeout\n')
        time.sleep(0.02)
PY
PROBE_PID=
start_probe() {
    rm -f "$T/probe.stop"
    /usr/bin/python3 "$T/probe.py" "$SNMPD_PORT" "$T/probe.$1" "$T/probe.stop" &
    PROBE_PID=$!
    # under load python takes a while to start: the phase begins once it polls
    wait_for 10 "the GET probe's first answer" test -s "$T/probe.$1"
}
stop_probe() {   # stop_probe NAME: stop, fail on a timeout, report p99
    # a phase shorter than 5 probes (a fast flush) is measured into its tail
    wait_for 10 "5 GET probes" eval "[ \"\$(wc -l < '$T/probe.$1')\" -ge 5 ]"
    touch "$T/probe.stop"; wait "$PROBE_PID" || true; PROBE_PID=
    local n to p99 max
    n=$(wc -l < "$T/probe.$1"); to=$(grep -c timeout "$T/probe.$1" || true)
    [ "$to" -eq 0 ] || fail "$1: $to of $n GETs to snmpd unanswered within 2 s"
    ns=$(grep -c nosuch "$T/probe.$1" || true)
    [ "$ns" -eq 0 ] || fail "$1: $ns of $n GETs without exConnAgentVersion.0 (agent not answering)"
    p99=$(sort -n "$T/probe.$1" | awk '{ a[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1; print a[i] }')
    max=$(sort -n "$T/probe.$1" | tail -n 1)
    log "$1: $n GETs answered, p99 ${p99} ms, max ${max} ms"
}
trap 'r=$?; set +e; touch "$T/probe.stop" 2>/dev/null; (exit $r); cleanup' EXIT

# (1) one file, N raises
storm_file STA > "$T/sta.xml"
start_probe burst
t0=$(now_ms)
drop_file events storm-a.xml "$T/sta.xml"
wait_for 60 "$N traps of storm A" storm_done STA
t1=$(now_ms)
stop_probe burst
check_once_in_order STA
log "storm A: $N raises from one file, all at snmptrapd $((t1 - t0)) ms after the drop"
wait_for 10 "all confirmed" eval '[ "$(counter exConnNotificationsSent)" -ge '"$N"' ]'

# (2) N raised while the master is down, flushed on its return
kill -TERM "$SNMPD_PID"; wait "$SNMPD_PID" 2>/dev/null || true; SNMPD_PID=
storm_file STB > "$T/stb.xml"
drop_file events storm-b.xml "$T/stb.xml"
wait_for 30 "storm B ingested while the master is down" eval '[ "$(spool_count events)" -eq 0 ]'
start_snmpd "0660 0750" "trapsess -v 2c -c public tcp:127.0.0.1:$TRAP_PORT"
t0=$(now_ms)
wait_registered 10
start_probe flush
wait_for 60 "$N queued traps of storm B" storm_done STB
t1=$(now_ms)
stop_probe flush
check_once_in_order STB
rate=$(( N * 1000 / (t1 - t0 > 0 ? t1 - t0 : 1) ))
log "storm B: $N queued notifications at snmptrapd $((t1 - t0)) ms after the master answered (re-registration included): $rate/s"
echo "flush_rate_per_s=$rate" > "${STORM_RESULT:-/dev/null}"

# (3) SIGTERM in the middle of a storm: stops within a second; the rest
# comes from the restarted agent, each once
storm_file STC > "$T/stc.xml"
drop_file events storm-c.xml "$T/stc.xml"
wait_for 30 "storm C under way" eval '[ "$(servers_trapped STC | wc -l)" -ge 1 ]'
t0=$(now_ms)
kill -TERM "$AGENT_PID"
rc=0; wait "$AGENT_PID" || rc=$?
el=$(( $(now_ms) - t0 )); AGENT_PID=
[ "$rc" -eq 0 ] || fail "SIGTERM under a storm: exit $rc"
[ "$el" -lt 1000 ] || fail "SIGTERM under a storm took $el ms"
log "SIGTERM under a storm: exit 0 after $el ms, $(servers_trapped STC | wc -l) of $N sent"
start_agent
wait_registered 10
wait_for 60 "the rest of storm C" storm_done STC
sleep 1   # nothing more may come
check_once_in_order STC

# (4) SIGTERM with a frozen master
# (the agent then waits in Net-SNMP's synchronous AgentX Close, 2 s)
pings=$(grep -c 'failed to respond to ping' "$AGENT_LOG" || true)
kill -STOP "$SNMPD_PID"
wait_for 10 "the agent notices the frozen master" \
    eval '[ "$(grep -c "failed to respond to ping" "$AGENT_LOG")" -gt '"$pings"' ]'
t0=$(now_ms)
kill -TERM "$AGENT_PID"
rc=0; wait "$AGENT_PID" || rc=$?
el=$(( $(now_ms) - t0 )); AGENT_PID=
kill -CONT "$SNMPD_PID"
[ "$rc" -eq 0 ] || fail "SIGTERM with a frozen master: exit $rc"
[ "$el" -lt 1000 ] || fail "SIGTERM with a frozen master took $el ms"
log "SIGTERM with a frozen master: exit 0 after $el ms"
