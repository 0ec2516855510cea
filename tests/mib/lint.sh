#!/usr/bin/env bash
# lint.sh MODE SOURCE_DIR STD_MIB_DIR
#
# Checks mibs/EXCHANGE-CONNECTOR-MIB.txt of SOURCE_DIR.  MODE is
#   smilint        libsmi: `smilint -l 6` must print nothing at all and exit 0;
#                  smidump must place every node of expected-oids.txt at its OID
#   snmptranslate  Net-SNMP: the module must load with nothing on stderr,
#                  -Tp must show the whole tree, -On must give the OIDs of
#                  expected-oids.txt, name indexes must not be IMPLIED, and
#                  every notification must carry its varbinds in contract order
#   all            both
#
# STD_MIB_DIR holds SNMPv2-SMI, -TC, -CONF, -MIB; it is filled by
# scripts/std-mibs.sh when empty.  NET-SNMP-MIB is taken from Net-SNMP's own
# MIB directory (EXCONN_NETSNMP_MIBDIR, default /usr/share/snmp/mibs).
#
# No system or user configuration takes part: smilint runs with -c /dev/null
# and SMIPATH set; Net-SNMP runs with MIBS empty, -M explicit, SNMPCONFPATH
# pointing at an empty directory and a private persistent directory.
#
# Exit status: 0 pass, 1 fail, 77 skipped (the tool is not installed).
set -euo pipefail

prog=${0##*/}
here=$(cd "$(dirname "$0")" && pwd)

usage() { echo "usage: $prog smilint|snmptranslate|all SOURCE_DIR STD_MIB_DIR" >&2; exit 1; }
[ $# -eq 3 ] || usage
mode=$1
src=$(cd "$2" && pwd)
std=$3
case $mode in smilint|snmptranslate|all) ;; *) usage ;; esac

module=EXCHANGE-CONNECTOR-MIB
mib=$src/mibs/$module.txt
root=1.3.6.1.4.1.8072.9999.9999.5500
expected=$here/expected-oids.txt
netsnmp_dir=${EXCONN_NETSNMP_MIBDIR:-/usr/share/snmp/mibs}
SMILINT=${SMILINT:-smilint}
SMIDUMP=${SMIDUMP:-smidump}
SNMPTRANSLATE=${SNMPTRANSLATE:-snmptranslate}

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

[ -f "$mib" ] || { echo "FAIL: $mib not found" >&2; exit 1; }
[ -f "$netsnmp_dir/NET-SNMP-MIB.txt" ] || {
    echo "FAIL: NET-SNMP-MIB.txt not found in $netsnmp_dir (Debian package libsnmp-base; or set EXCONN_NETSNMP_MIBDIR)" >&2
    exit 1
}

# The standard modules: fetched once into the build tree.
if ! "$src/scripts/std-mibs.sh" "$std"; then
    echo "FAIL: could not provide the standard MIB modules in $std (see above)" >&2
    exit 1
fi
std=$(cd "$std" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mib-lint.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# name -> full numeric OID, from expected-oids.txt
expected_pairs() {
    local name rel
    while read -r name rel; do
        case $name in ''|'#'*) continue ;; esac
        if [ "$rel" = - ]; then echo "$name $root"; else echo "$name $root.$rel"; fi
    done <"$expected"
}

# ---------------------------------------------------------------------------
run_smilint() {
    if ! command -v "$SMILINT" >/dev/null 2>&1; then
        echo "SKIP: $SMILINT not installed (Debian package smitools)"
        return 77
    fi
    local path=$std:$netsnmp_dir out rc=0
    echo "# SMIPATH=$path $SMILINT -c /dev/null -l 6 -s -m $mib"
    out=$(SMIPATH=$path "$SMILINT" -c /dev/null -l 6 -s -m "$mib" 2>&1) || rc=$?
    if [ "$rc" -ne 0 ] || [ -n "$out" ]; then
        printf '%s\n' "$out" >&2
        fail "smilint -l 6 exited $rc and/or printed the above (it must print nothing)"
    else
        ok "smilint -l 6: no errors, no warnings"
    fi

    # libsmi's view of the OID layout.  smidump is part of smitools too.
    if command -v "$SMIDUMP" >/dev/null 2>&1; then
        rc=0
        SMIPATH=$path "$SMIDUMP" -c /dev/null -q -f identifiers "$mib" >"$tmp/ids" 2>"$tmp/ids.err" || rc=$?
        if [ "$rc" -ne 0 ] || [ -s "$tmp/ids.err" ]; then
            cat "$tmp/ids.err" >&2
            fail "smidump -f identifiers exited $rc or complained"
        else
            local name oid got bad=0
            while read -r name oid; do
                got=$(awk -v n="$name" -v m="$module" '$1 == m && $2 == n { print $4 }' "$tmp/ids")
                if [ "$got" != "$oid" ]; then
                    fail "libsmi places $name at '${got:-nowhere}', expected $oid"
                    bad=1
                fi
            done < <(expected_pairs)
            [ "$bad" -ne 0 ] || ok "libsmi: all $(expected_pairs | wc -l) nodes at their expected OIDs"
        fi
    fi
}

# ---------------------------------------------------------------------------
run_snmptranslate() {
    if ! command -v "$SNMPTRANSLATE" >/dev/null 2>&1; then
        echo "SKIP: $SNMPTRANSLATE not installed (Debian package snmp)"
        return 77
    fi
    mkdir -p "$tmp/conf"
    # Pre-create what Net-SNMP would otherwise create (and announce on stderr).
    mkdir -m 0700 "$tmp/persist" "$tmp/persist/cert_indexes"
    local M=$std:$netsnmp_dir:$src/mibs
    st() {
        env -u MIBDIRS -u MIBFILES MIBS= SNMPCONFPATH="$tmp/conf" \
            SNMP_PERSISTENT_DIR="$tmp/persist" \
            "$SNMPTRANSLATE" -M "$M" -m "$module" "$@"
    }
    # quiet WHAT RC: the call must have exited 0 with nothing on stderr
    quiet() {
        local what=$1 rc=$2
        if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ]; then
            cat "$tmp/err" >&2
            fail "snmptranslate $what exited $rc and/or wrote the above to stderr"
            return 1
        fi
        return 0
    }

    local rc=0
    echo "# MIBS= snmptranslate -M $M -m $module -Tp"
    st -Tp >"$tmp/tp" 2>"$tmp/err" || rc=$?
    if quiet "-Tp" "$rc"; then
        local name missing=0
        while read -r name _; do
            grep -q -- "[- ]$name(" "$tmp/tp" || { fail "-Tp does not show $name"; missing=1; }
        done < <(expected_pairs)
        # The tree must go from iso down to our module, not stop part way.
        grep -q -- '+--netSnmpPlaypen(9999)' "$tmp/tp" || { fail "-Tp lacks netSnmpPlaypen"; missing=1; }
        [ "$missing" -ne 0 ] || ok "-Tp shows the whole tree ($(wc -l <"$tmp/tp") lines)"
    fi

    # Every node at its OID (one snmptranslate call for all of them).
    local names=() oids=() n
    while read -r n o; do names+=("$module::$n"); oids+=(".$o"); done < <(expected_pairs)
    rc=0
    # (given several OIDs, snmptranslate puts an empty line between results)
    st -On "${names[@]}" >"$tmp/on.raw" 2>"$tmp/err" || rc=$?
    sed '/^$/d' "$tmp/on.raw" >"$tmp/on"
    if quiet "-On" "$rc"; then
        local i=0 got bad=0
        while IFS= read -r got; do
            if [ "$i" -ge "${#oids[@]}" ]; then
                fail "-On printed more lines than names given: '$got'"
                bad=1
                break
            fi
            if [ "$got" != "${oids[$i]}" ]; then
                fail "${names[$i]} -On gives '$got', expected ${oids[$i]}"
                bad=1
            fi
            i=$((i + 1))
        done <"$tmp/on"
        [ "$i" -ge "${#oids[@]}" ] || { fail "-On printed $i lines for ${#oids[@]} names"; bad=1; }
        [ "$bad" -ne 0 ] || ok "-On: all $i nodes at their expected OIDs"
    fi

    # Name indexes are DisplayString, not IMPLIED: each carries its length.
    rc=0
    st -On "$module::exConnQueueMessages.\"EXCH01\".\"MTS-OUT\"" \
        "$module::exConnComClaimantKind.\"EXCH01\".\"COM1\".2" >"$tmp/idx.raw" 2>"$tmp/err" || rc=$?
    sed '/^$/d' "$tmp/idx.raw" >"$tmp/idx"
    if quiet "-On (indexed)" "$rc"; then
        local want
        want=$(printf '%s\n' \
            ".$root.1.6.1.4.6.69.88.67.72.48.49.7.77.84.83.45.79.85.84" \
            ".$root.1.5.1.2.6.69.88.67.72.48.49.4.67.79.77.49.2")
        if [ "$(cat "$tmp/idx")" = "$want" ]; then
            ok "name indexes encode as length-prefixed strings (not IMPLIED)"
        else
            fail "indexed instances translate to:"$'\n'"$(cat "$tmp/idx")"$'\n'"expected:"$'\n'"$want"
        fi
    fi

    # Varbinds of every notification, in contract order (SPEC section 5).
    local full="exConnAlarmKbArticle, exConnAlarmSeverity, exConnAlarmServer, exConnAlarmResource, exConnAlarmDescription, exConnKbArticleUrl"
    local nourl="exConnAlarmKbArticle, exConnAlarmSeverity, exConnAlarmServer, exConnAlarmResource, exConnAlarmDescription"
    local notif wantobj gotobj bad=0
    for notif in exConnComPortConflict exConnCcMailExportFailed exConnImcQueueInterfaceFailed \
                 exConnMtaLinkStall exConnImcStartFailed exConnKbAlarm exConnServerStale \
                 exConnAlarmCleared; do
        wantobj=$full
        [ "$notif" != exConnServerStale ] || wantobj=$nourl
        rc=0
        st -Td "$module::$notif" >"$tmp/td" 2>"$tmp/err" || rc=$?
        quiet "-Td $notif" "$rc" || { bad=1; continue; }
        gotobj=$(sed -n 's/^ *OBJECTS[[:space:]]*{ *\(.*\) *}$/\1/p' "$tmp/td" | sed 's/ *$//')
        if [ "$gotobj" != "$wantobj" ]; then
            fail "$notif OBJECTS { $gotobj }, expected { $wantobj }"
            bad=1
        fi
        if [ "$notif" != exConnAlarmCleared ] && [ "$notif" != exConnServerStale ] &&
           [ "$notif" != exConnKbAlarm ]; then
            if ! grep -Eq 'Microsoft KB article Q[0-9]+' "$tmp/td" ||
               ! grep -Eq 'https://support\.microsoft\.com/kb/[0-9]+' "$tmp/td"; then
                fail "$notif DESCRIPTION does not name its KB article and URL"
                bad=1
            fi
        fi
    done
    [ "$bad" -ne 0 ] || ok "all 8 notifications carry their varbinds in contract order"
}

status=0
case $mode in
    smilint) run_smilint || status=$? ;;
    snmptranslate) run_snmptranslate || status=$? ;;
    all)
        run_smilint || status=$?
        run_snmptranslate || { s=$?; [ "$status" -ne 0 ] || status=$s; }
        ;;
esac

if [ "$failures" -ne 0 ]; then
    echo "$prog $mode: $failures check(s) failed" >&2
    exit 1
fi
exit "$status"
