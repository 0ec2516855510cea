#!/usr/bin/env bash
# build.sh [BUILD_DIR [TARGET]] [-- cmake options...]: configure and build
# (default ./build, every target).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/build}; target=${2:-all}
shift $(( $# > 2 ? 2 : $# )) || true
[ "${1:-}" = "--" ] && shift
cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$dir" --target "$target" -j"$(nproc)"
