#!/usr/bin/env bash
# docs/design.md names only what exists: every `exc_*`/`EXC_*` identifier in
# backquotes is a word of the sources, every `src/...`, `agent/...` (and the
# other top folders) path in backquotes is a file or a glob that matches one.
# A rename that forgot the design notes fails here (issue 13).
set -euo pipefail
top=${EXCONN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top"
doc=docs/design.md
bad=0 ids=0 paths=0
for id in $(grep -o '`\(exc\|EXC\)_[A-Za-z0-9_]*' "$doc" | tr -d '`' | sort -u); do
    ids=$((ids + 1))
    if ! grep -rqw -- "$id" src agent tests collector bench fuzz traphandle 2>/dev/null; then
        echo "design_names: $doc names $id, which no source has"; bad=1
    fi
done
for p in $(grep -o '`\(src\|agent\|tests\|bench\|collector\|docs\|scripts\|mibs\|kb\)/[A-Za-z0-9_./*-]*`' "$doc" |
           tr -d '`' | sort -u); do
    paths=$((paths + 1))
    # shellcheck disable=SC2086
    if ! compgen -G "$p" >/dev/null; then
        echo "design_names: $doc names $p, which does not exist"; bad=1
    fi
done
[ "$ids" -gt 10 ] && [ "$paths" -gt 10 ] || { echo "design_names: too few names found ($ids, $paths)"; exit 1; }
[ "$bad" = 0 ] && echo "design_names: $ids identifiers and $paths paths of $doc exist"
exit "$bad"
