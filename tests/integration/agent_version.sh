#!/usr/bin/env bash
# exConnAgentVersion through a real snmpd over AgentX, and sysORTable.
. "$(dirname "$0")/lib.sh"

start_all
version=$(get EXCHANGE-CONNECTOR-MIB::exConnAgentVersion.0)
[ "$version" = "$("$EXCONN_AGENT" --version | awk '{print $2}')" ] ||
    fail "version '$version' is not the binary's"
expect EXCHANGE-CONNECTOR-MIB::exConnKbArticlesLoaded.0 "$(ls "$EXCONN_SOURCE_DIR"/kb/*.xml | wc -l)"
snmp snmpwalk -On SNMPv2-MIB::sysORID | grep '\.1\.3\.6\.1\.4\.1\.8072\.9999\.9999\.5500$' >/dev/null ||
    fail "exConnMIB not in sysORTable"
log "exConnAgentVersion = $version"
