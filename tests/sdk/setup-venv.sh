#!/usr/bin/env bash
# Make .venv-sdk, the venv of the SDK suite, and install our SDK into it:
#
#   1. create .venv-sdk (Python 3.10+) if it is missing or broken;
#   2. install tests/requirements-sdk.txt (locked by tests/constraints-sdk.txt) when those
#      files or the interpreter changed (a stamp file records them);
#   3. always reinstall ./sdk-python (`pip install`, which runs `swift build -c release
#      --product modelregistry` and bundles libmodelregistry.so), so the suite never tests a
#      stale copy. Run it after `swift build -c release`, which makes step 3 quick.
#
# Then: .venv-sdk/bin/pytest tests/sdk
# Environment: PYTHON=/path/to/python3 chooses the interpreter; FORCE_PIP=1 reinstalls step 2;
# MODEL_REGISTRY_SWIFT_SCRATCH_PATH is passed on to the SDK build (default: .build).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv-sdk"
REQ="$ROOT/tests/requirements-sdk.txt"
CONSTRAINTS="$ROOT/tests/constraints-sdk.txt"
STAMP="$VENV/.deps-stamp"
PIP=(-m pip --disable-pip-version-check --no-input)

log() { printf '[setup-venv-sdk] %s\n' "$*" >&2; }

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

py_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' >/dev/null 2>&1; }

if ! { [ -x "$VENV/bin/python" ] && py_ok "$VENV/bin/python"; }; then
    PY=""
    for c in "${PYTHON:-}" python3.11 python3.12 python3.10 python3; do
        if [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && py_ok "$c"; then PY="$(command -v "$c")"; break; fi
    done
    [ -n "$PY" ] || { log "ERROR: need Python 3.10 or newer (set PYTHON=...)"; exit 1; }
    log "creating .venv-sdk with $PY"
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
fi

want="$(cat "$REQ" "$CONSTRAINTS" | sha256sum | cut -d' ' -f1) $("$VENV/bin/python" -c 'import sys; print(sys.version.split()[0])')"
if [ "${FORCE_PIP:-0}" = "1" ] || [ "$want" != "$(cat "$STAMP" 2>/dev/null || true)" ]; then
    log "installing tests/requirements-sdk.txt"
    rm -f "$STAMP"
    "$VENV/bin/python" "${PIP[@]}" install --quiet -r "$REQ" -c "$CONSTRAINTS"
    printf '%s\n' "$want" > "$STAMP"
fi

log "installing ./sdk-python (builds libmodelregistry)"
"$VENV/bin/python" "${PIP[@]}" install --quiet --no-deps --no-build-isolation --force-reinstall ./sdk-python
"$VENV/bin/python" "${PIP[@]}" check >&2
"$VENV/bin/python" -c '
import importlib.metadata as md, model_registry, model_registry._native as native
assert "+swift" in md.version("model-registry"), md.version("model-registry")
print("[setup-venv-sdk] ok: model-registry", md.version("model-registry"), "library", native.version())
' >&2
