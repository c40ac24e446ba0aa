#!/usr/bin/env bash
# Build the libFuzzer targets (fuzz/Sources/RegistryFuzz, with -sanitize=fuzzer,address) and
# run each for a bounded time. Exits non-zero when a target finds a crash, a sanitizer error,
# a 5xx or a malformed answer; the input is kept under .build-fuzz/artifacts/<target>/.
#
#   fuzz/run.sh                 every target, FUZZ_SECONDS (default 20) seconds each
#   fuzz/run.sh 60 filter       one target for a minute
#
# Inputs: fuzz/corpus/<target>/ (seeds, from fuzz/make_seeds.py), fuzz/crashes/<target>/
# (every crash found so far, fixed and kept as a regression seed), fuzz/dict/<target>.dict.
# New coverage goes to .build-fuzz/work/<target>/, never into the committed directories.
# After fixing a crash, copy its input into fuzz/crashes/<target>/.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

SECONDS_PER_TARGET="${1:-${FUZZ_SECONDS:-20}}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(body filter)
SCRATCH="$ROOT/.build-fuzz"

echo "==> building RegistryFuzz with -sanitize=fuzzer,address (scratch path ${SCRATCH#"$ROOT"/})"
# SwiftPM links an executable with its own entry point, so the target calls libFuzzer's
# driver itself and finds it with dlsym: hence --export-dynamic.
swift build -c release --scratch-path "$SCRATCH" --product RegistryFuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xlinker --export-dynamic \
    2>&1 | grep -v "Cannot export local symbol"
if [ "${PIPESTATUS[0]}" -ne 0 ]; then
    echo "!!! the fuzz build failed" >&2
    exit 1
fi
BIN="$SCRATCH/release/RegistryFuzz"

status=0
for target in "${TARGETS[@]}"; do
    work="$SCRATCH/work/$target"
    artifacts="$SCRATCH/artifacts/$target"
    mkdir -p "$work" "$artifacts" "fuzz/crashes/$target"
    echo "==> fuzzing '$target' for ${SECONDS_PER_TARGET}s"
    # A crash must not start the Swift backtracer (it waits for a debugger-style attach);
    # leak checking is off: SQLite and the Swift runtime keep caches until exit.
    SWIFT_BACKTRACE=enable=no REGISTRY_FUZZ_TARGET="$target" ASAN_OPTIONS="detect_leaks=0:abort_on_error=1" \
        "$BIN" "$work" "fuzz/corpus/$target" "fuzz/crashes/$target" \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=8192 -timeout=10 -rss_limit_mb=3072 \
        -dict="fuzz/dict/$target.dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
        > "$SCRATCH/$target.log" 2>&1
    rc=$?
    grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)|^stat::number_of_executed_units|^stat::peak_rss|SUMMARY|Fatal error|==ERROR" "$SCRATCH/$target.log" | head -20
    if [ $rc -ne 0 ]; then
        echo "!!! '$target' found a problem (exit $rc); log: ${SCRATCH#"$ROOT"/}/$target.log" >&2
        ls -1 "$artifacts" >&2
        tail -40 "$SCRATCH/$target.log" >&2
        status=1
    fi
done
exit $status
