#!/usr/bin/env bash
# -M: exconn-agent as its own master agent on a loopback UDP port.
. "$(dirname "$0")/lib.sh"

SNMPD_PORT=$(free_port)
write_config
start_agent -M "udp:127.0.0.1:$SNMPD_PORT"
wait_registered 10
get EXCHANGE-CONNECTOR-MIB::exConnAgentVersion.0 >/dev/null
# read-only: a SET is refused
if snmp snmpset EXCHANGE-CONNECTOR-MIB::exConnAgentVersion.0 s x >/dev/null 2>&1; then
    fail "SET on exConnAgentVersion succeeded"
fi
# community other than the configured one gets nothing
if snmpget -v2c -c wrong -t 0.5 -r 0 "127.0.0.1:$SNMPD_PORT" 1.3.6.1.4.1.8072.9999.9999.5500.1.1.1.0 >/dev/null 2>&1; then
    fail "a wrong community was answered"
fi
log "master mode OK"
