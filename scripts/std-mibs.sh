#!/usr/bin/env bash
# std-mibs.sh DEST
#
# Debian ships no IETF MIB modules, but EXCHANGE-CONNECTOR-MIB (and
# NET-SNMP-MIB, which it imports) need the SMIv2 base modules to load in
# smilint and snmptranslate.  The npm package "net-snmp" carries copies of
# them in lib/mibs/, so this script fetches that package with the ordinary
# npm client ("npm pack", nothing is installed or executed) and copies the
# modules we need into DEST.
#
# Nothing fetched here belongs in the repository; DEST is normally a
# directory in the build tree (the tests use BUILD/mibs-std).
#
# Use DEST with both tools, e.g.
#   SMIPATH=DEST:/usr/share/snmp/mibs smilint -l 6 mibs/EXCHANGE-CONNECTOR-MIB.txt
#   MIBS= snmptranslate -M DEST:/usr/share/snmp/mibs:mibs -m EXCHANGE-CONNECTOR-MIB -Tp
#
# The files keep the name they have in the package (MODULE.mib): Net-SNMP
# indexes every file of a -M directory by the module it defines, and libsmi
# looks a module up as MODULE, MODULE.mib, MODULE.txt (among others), so
# neither needs another name.
#
# Idempotent: does nothing if DEST already holds SNMPv2-SMI (it is installed
# last, so its presence means the set is complete).  Several runs at once
# are safe: each stages its files and renames them into place.
#
# Exits 1 with a message on stderr if npm is missing or the fetch fails.
#
# Environment:
#   NPM               npm client to run (default: npm)
#   EXCONN_NPM_SPEC   package to fetch (default: net-snmp@3)
set -euo pipefail

prog=${0##*/}
die() { echo "$prog: error: $*" >&2; exit 1; }

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $prog DEST" >&2
    exit 1
fi
dest=$1

# What is needed: the three SMIv2 base modules, and SNMPv2-MIB, which
# defines sysUpTime and snmpTrapOID, the first two varbinds of every
# notification (so snmptrapd and trap tests can print them by name).
# SNMPv2-SMI comes last on purpose: see above.
modules=(SNMPv2-TC SNMPv2-CONF SNMPv2-MIB SNMPv2-SMI)

if [ -s "$dest/SNMPv2-SMI.mib" ]; then
    exit 0
fi

npm=${NPM:-npm}
spec=${EXCONN_NPM_SPEC:-net-snmp@3}
command -v "$npm" >/dev/null 2>&1 ||
    die "'$npm' not found; npm is needed to fetch the standard MIB modules ${modules[*]} (Debian package 'npm'), or copy them into $dest as MODULE.mib by hand"
command -v tar >/dev/null 2>&1 || die "tar not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/std-mibs.XXXXXX")
stage=
cleanup() {
    rm -rf "$tmp"
    if [ -n "$stage" ]; then rm -rf "$stage"; fi
}
trap cleanup EXIT

if ! (cd "$tmp" && "$npm" pack --silent "$spec") >"$tmp/pack.out" 2>"$tmp/pack.err"; then
    sed 's/^/  npm: /' "$tmp/pack.err" >&2 || true
    die "'$npm pack $spec' failed; cannot fetch the standard MIB modules"
fi

tarball=
for f in "$tmp"/*.tgz; do
    if [ -f "$f" ]; then tarball=$f; break; fi
done
[ -n "$tarball" ] || die "'$npm pack $spec' produced no tarball"

mkdir "$tmp/x"
tar -xzf "$tarball" -C "$tmp/x" package/lib/mibs 2>"$tmp/tar.err" || {
    cat "$tmp/tar.err" >&2
    die "the $spec tarball has no lib/mibs directory"
}

src=$tmp/x/package/lib/mibs
for m in "${modules[@]}"; do
    [ -s "$src/$m.mib" ] || die "$spec has no lib/mibs/$m.mib"
    # Make sure the file really is the module it is named after.
    grep -Eq "^[[:space:]]*${m}[[:space:]]+DEFINITIONS[[:space:]]*::=" "$src/$m.mib" ||
        die "lib/mibs/$m.mib in $spec does not define module $m"
done

mkdir -p "$dest"
stage=$(mktemp -d "$dest/.std-mibs.XXXXXX")
for m in "${modules[@]}"; do
    cp "$src/$m.mib" "$stage/$m.mib"
    chmod 0644 "$stage/$m.mib"
done
for m in "${modules[@]}"; do
    mv -f "$stage/$m.mib" "$dest/$m.mib"
done
echo "$prog: installed ${modules[*]} from $spec into $dest" >&2
