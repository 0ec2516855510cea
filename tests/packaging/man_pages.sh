#!/usr/bin/env bash
# Every man/*.scd page is built into roff (build/man/NAME.SECTION) and formats
# without a single warning: `man --warnings` (groff -ww) prints nothing on
# stderr, at two widths (line breaking warnings depend on the width).
set -euo pipefail
: "${EXCONN_SOURCE_DIR:?}" "${EXCONN_BINARY_DIR:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v man >/dev/null || fail "man missing (Debian package man-db)"
n=0
for src in "$EXCONN_SOURCE_DIR"/man/*.scd; do
    page=$(basename "$src" .scd)
    out=$EXCONN_BINARY_DIR/man/$page
    [ -s "$out" ] || fail "$page not built from $src"
    for width in 80 132; do
        err=$(LC_ALL=C.UTF-8 MANWIDTH=$width man --warnings -l "$out" 2>&1 >/dev/null) ||
            fail "man -l $out failed: $err"
        [ -z "$err" ] || fail "$page at width $width: $err"
    done
    # the NAME line is what whatis/apropos index
    text=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$out" 2>/dev/null)
    name=$(printf '%s\n' "$text" | sed -n '/^NAME/{n;p;q}')
    [[ "$name" == *' - '* ]] || fail "$page: no 'name - description' NAME line: $name"
    echo "ok $page"
    n=$((n + 1))
done
[ "$n" -ge 2 ] || fail "only $n pages"
