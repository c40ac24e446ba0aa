#!/usr/bin/env bash
# Build and test everything: install-deps -> swift build -c release -> swift test -> pytest
# (tests/, in .venv with the upstream clients) -> the SDK suite (tests/sdk, in its own
# .venv-sdk, once tests/sdk/setup-venv.sh exists). Stops at the first failing stage and prints
# a summary. Extra arguments go to pytest (e.g. `bash scripts/test.sh -k raw_http -x`).
#
# Environment: SKIP_SWIFT_TEST=1 skips the Swift unit tests (for quick local e2e runs; CI
# never sets it). After the tests, fuzz/run.sh fuzzes for FUZZ_SECONDS (default 20) per
# target; SKIP_FUZZ=1 skips that.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

REPORT_DIR="$ROOT/.build/test-reports"
BIN="$ROOT/.build/release/model-registry"
STAGE_NAMES=()
STAGE_RESULTS=()
STAGE_SECONDS=()
FAILED_STAGE=""

banner() { printf '\n==> [%s] %s\n' "$1" "$2"; }

record() {  # name result seconds
    STAGE_NAMES+=("$1"); STAGE_RESULTS+=("$2"); STAGE_SECONDS+=("$3")
}

counts() {  # print "P passed, F failed, S skipped" from the swift-test log and pytest's junit xml
    python3 - "$REPORT_DIR/swift-test.log" "$REPORT_DIR"/pytest*-junit.xml <<'PY' 2>/dev/null
import os, re, sys
import xml.etree.ElementTree as ET

swift_log, junits = sys.argv[1], sys.argv[2:]
passed = failed = skipped = 0
seen = False
if os.path.exists(swift_log):
    text = re.sub(r"\x1b\[[0-9;]*m", "", open(swift_log, errors="replace").read())
    # XCTest: the last "Executed ..." line is the 'All tests' total.
    xs = re.findall(r"Executed (\d+) tests?, with (?:(\d+) tests? skipped and )?(\d+) failures?", text)
    if xs:
        n, s, f = int(xs[-1][0]), int(xs[-1][1] or 0), int(xs[-1][2])
        passed += n - s - f; failed += f; skipped += s; seen = True
    # Swift Testing: "Test run with N tests ... passed|failed ... [with K issues]".
    st = re.findall(r"Test run with (\d+) tests?.*?(passed|failed)[^\n]*?(?:with (\d+) issues?)?\.?$", text, re.M)
    if st:
        n, outcome, issues = int(st[-1][0]), st[-1][1], int(st[-1][2] or 0)
        if outcome == "passed":
            passed += n
        else:
            f = min(n, max(issues, 1)); failed += f; passed += n - f
        seen = True
for junit in junits:
    if not os.path.exists(junit):
        continue
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    for s in suites:
        t = int(s.get("tests", 0)); f = int(s.get("failures", 0)) + int(s.get("errors", 0))
        sk = int(s.get("skipped", 0))
        passed += t - f - sk; failed += f; skipped += sk
    seen = True
if seen:
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
}

summary() {
    local i overall="PASSED"
    [ -n "$FAILED_STAGE" ] && overall="FAILED at stage '$FAILED_STAGE'"
    printf '\n==================== test summary ====================\n'
    for i in "${!STAGE_NAMES[@]}"; do
        printf '  %-12s %-8s %5ss\n' "${STAGE_NAMES[$i]}" "${STAGE_RESULTS[$i]}" "${STAGE_SECONDS[$i]}"
    done
    printf '  reports: %s\n' "${REPORT_DIR#"$ROOT"/}"
    printf '  result:  %s\n' "$overall"
    local c
    c="$(counts)"
    if [ -n "$c" ]; then
        printf 'tests: %s\n' "$c"
    fi
}

fail() {  # stage rc message
    FAILED_STAGE="$1"
    printf '\n!!! stage %s failed (exit %s): %s\n' "$1" "$2" "$3" >&2
    summary
    exit "$2"
}

run_stage() {  # name description cmd...
    local name="$1" desc="$2" start rc
    shift 2
    banner "$name" "$desc"
    start=$SECONDS
    "$@"
    rc=$?
    if [ $rc -eq 0 ]; then
        record "$name" ok $((SECONDS - start))
    else
        record "$name" FAILED $((SECONDS - start))
        fail "$name" "$rc" "$desc"
    fi
}

run_swift_test() {
    swift test 2>&1 | tee "$REPORT_DIR/swift-test.log"
    return "${PIPESTATUS[0]}"
}

run_pytest() {  # venv-dir junit-name test-path pytest-args...
    local venv="$1" junit="$2" path="$3" rc
    shift 3
    MODEL_REGISTRY_BIN="$BIN" "$venv/bin/pytest" "$path" -q --junitxml="$REPORT_DIR/$junit" "$@"
    rc=$?
    if [ $rc -eq 5 ]; then
        printf '!!! pytest collected no tests (exit 5): treating as a failure\n' >&2
        return 5
    fi
    return $rc
}

run_stage deps "scripts/install-deps.sh" bash scripts/install-deps.sh
run_stage build "swift build -c release" swift build -c release
if [ ! -x "$BIN" ]; then
    fail build 1 "$BIN was not produced"
fi
mkdir -p "$REPORT_DIR"
rm -f "$REPORT_DIR/swift-test.log" "$REPORT_DIR"/pytest*-junit.xml
if [ "${SKIP_SWIFT_TEST:-0}" = "1" ]; then
    banner swift-test "skipped (SKIP_SWIFT_TEST=1)"
    record swift-test skipped 0
else
    run_stage swift-test "swift test (debug build)" run_swift_test
fi
run_stage pytest "pytest tests/ (MODEL_REGISTRY_BIN=${BIN#"$ROOT"/})" \
    run_pytest "$ROOT/.venv" pytest-junit.xml tests/ "$@"
if [ -f tests/sdk/setup-venv.sh ]; then
    run_stage sdk-venv "tests/sdk/setup-venv.sh" bash tests/sdk/setup-venv.sh
    run_stage pytest-sdk "pytest tests/sdk (in .venv-sdk)" \
        run_pytest "$ROOT/.venv-sdk" pytest-sdk-junit.xml tests/sdk "$@"
fi
# libFuzzer targets (Docs/reliability.md), FUZZ_SECONDS (default 20) each; SKIP_FUZZ=1 skips.
if [ "${SKIP_FUZZ:-0}" = "1" ]; then
    banner fuzz "skipped (SKIP_FUZZ=1)"
    record fuzz skipped 0
else
    run_stage fuzz "fuzz/run.sh (libFuzzer + ASan, ${FUZZ_SECONDS:-20}s per target)" bash fuzz/run.sh
fi
summary
exit 0
