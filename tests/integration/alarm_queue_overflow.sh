#!/usr/bin/env bash
# The notification queue while the master is away (SPEC §5): at most
# queueSize notices wait; the oldest are dropped and counted in
# exConnNotificationsDropped; the rest arrive, in order, once snmpd is back.
# With queueSize=2 and four alarms raised while snmpd is stopped, the traps
# of the last two arrive and two are counted as dropped.
. "$(dirname "$0")/lib.sh"

start_all '<notifications queueSize="2"/>'

stop_master
feed reports conflict.xml "$DATA/reports/q158047-conflict.xml"      # alarms 1, 2
feed reports imc2140.xml "$DATA/reports/q148727-imc-stopped.xml"    # alarm 3
feed reports imc-stopped.xml "$DATA/reports/q182346-imc-stopped.xml"
feed events imc-4087.xml "$DATA/events/q182346-imc-4087.xml"        # alarm 4
wait_for 10 "the spool is processed" spool_empty

start_snmpd
wait_all_registered 10
wait_traps 2 15
expect "$MIB::exConnAlarmsActive.0" 4
expect "$MIB::exConnNotificationsDropped.0" 2
# a later fault bounds the wait for anything else
feed reports pending.xml "$DATA/reports/q166045-dirsync-pending.xml"
feed events ccmc-70.xml "$DATA/events/q166045-ccmc-70.xml"          # alarm 5
wait_traps 3 10
[ "$(trap_count)" -eq 3 ] || fail "expected 3 exConn traps: $(exc_traps)"
[ "$(trap_alarm 1) $(trap_notif 1)" = "3 5" ] && [ "$(trap_alarm 2) $(trap_notif 2)" = "4 3" ] &&
    [ "$(trap_alarm 3) $(trap_notif 3)" = "5 2" ] || fail "wrong traps kept: $(exc_traps)"
for k in 1 2 3; do assert_trap_is_row "$k"; done
expect "$MIB::exConnNotificationsSent.0" 3
expect "$MIB::exConnNotificationsDropped.0" 2
log "queueSize 2: the two oldest of four dropped and counted, the rest sent in order"
