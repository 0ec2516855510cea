# shellcheck shell=bash disable=SC2034
# The old names of lib_faults.sh, as thin aliases, for callers outside
# tests/integration (scripts/soak.sh) and tests written against the old
# toolkit; everything else is in lib.sh, the one integration test toolkit.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
EXC_NOTIF_PREFIX=$EXC_NOTIF
exc_trap_count() { trap_count; }
exc_trap_notifs() { trap_notifs; }
start_snmpd_with() { start_snmpd "$@"; }   # start_snmpd_with PERMS [EXTRA]
