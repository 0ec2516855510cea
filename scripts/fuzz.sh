#!/usr/bin/env bash
# fuzz.sh [SECONDS] [TARGET...]: build the libFuzzer targets of fuzz/ with
# clang (-fsanitize=fuzzer,address,undefined) in ./build-fuzz and run each for
# SECONDS (default 60), one after the other.  Targets: report event config kb
# (default all).  Exits 1 when any target finds a crash, leak, sanitizer
# report or timeout; the input that triggered it is kept in
# build-fuzz/artifacts/TARGET/ (re-run it with build-fuzz/fuzz/fuzz_TARGET FILE
# and turn it into a unit test).
#
# Seeds: tests/data (reports, events, hostile), kb/ and tests/data/kb (KB
# articles), fuzz/corpus/config; the corpus grown by a run is kept in
# build-fuzz/corpus/TARGET and reused by the next run.
# Environment: EXCONN_FUZZ_DIR (build dir, default ./build-fuzz), CC (default clang-14).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(report event config kb)
dir=${EXCONN_FUZZ_DIR:-$top/build-fuzz}
cc=${CC:-clang-14}
command -v "$cc" >/dev/null || cc=clang

"$top/scripts/deps.sh" --fuzz
"$top/scripts/build.sh" "$dir" fuzzers -- -DEXCONN_FUZZ=ON -DCMAKE_C_COMPILER="$cc" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

seed() {   # seed TARGET: fill the target's seed dir
    local t=$1 s=$dir/seeds/$1
    rm -rf "$s"; mkdir -p "$s"
    case $t in
    report) cp "$top"/tests/data/reports/*.xml "$s/"
            for f in "$top"/tests/data/hostile/*; do
                case ${f##*/} in event-*|README.md) ;; *) cp "$f" "$s/";; esac
            done;;
    event)  cp "$top"/tests/data/events/*.xml "$s/"
            cp "$top"/tests/data/hostile/event-*.xml "$s/";;
    config) cp "$top"/fuzz/corpus/config/*.xml "$s/";;
    kb)     cp "$top"/kb/*.xml "$top"/tests/data/kb-extra/*.xml "$s/"
            # the bad articles too (same names in several directories: numbered)
            i=0; for f in "$top"/tests/data/kb/*/*.xml; do cp "$f" "$s/$i-${f##*/}"; i=$((i+1)); done;;
    esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in "${targets[@]}"; do
    bin=$dir/fuzz/fuzz_$t
    [ -x "$bin" ] || { echo "fuzz: no target $t" >&2; exit 2; }
    seed "$t"
    mkdir -p "$dir/corpus/$t" "$dir/artifacts/$t"
    echo "fuzz: $t for ${secs}s" >&2
    rc=0
    (cd "$dir/artifacts/$t" &&
     "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
            -dict="$top/fuzz/xml.dict" -artifact_prefix="$dir/artifacts/$t/" \
            -print_final_stats=1 \
            "$dir/corpus/$t" "$dir/seeds/$t") >"$dir/fuzz-$t.log" 2>&1 || rc=$?
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ *DONE)' "$dir/fuzz-$t.log" |
        sed "s/^/fuzz: $t: /" >&2 || true
    echo "fuzz: $t: corpus $(ls "$dir/corpus/$t" | wc -l) files" >&2
    if [ $rc -ne 0 ]; then
        echo "fuzz: $t FAILED (exit $rc); log $dir/fuzz-$t.log, input in $dir/artifacts/$t/" >&2
        tail -n 60 "$dir/fuzz-$t.log" >&2
        failed+=("$t")
    fi
done
echo "fuzz: $(( ${#targets[@]} - ${#failed[@]} )) passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: failing targets: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: all ${#targets[@]} target(s) ran ${secs}s each with no finding" >&2
