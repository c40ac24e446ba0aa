#!/usr/bin/env bash
# Install everything the build and the tests need. Idempotent and quiet when nothing is missing.
#
#   1. Debian packages: C libraries for the Swift build (libfcgi, sqlite3, jansson, and any
#      other `.apt([...])` provider named in Package.swift), nginx (used by
#      `model-registry up`), sqlite3 and wrk (tools). `apt-get update` runs only when
#      something is missing.
#   2. A Python venv in .venv/ (ignored by git) with the pinned test requirements
#      (tests/requirements.txt, fully locked by tests/constraints.txt): pytest, requests,
#      the upstream client model-registry==0.3.18 and ml-metadata==1.17.1.
#   3. model-registry==0.3.14 (the client that speaks /api/model_registry/v1alpha3) with
#      --no-deps into .venv/mr-0.3.14: two versions of one distribution cannot share a venv,
#      so tests run it in a subprocess with PYTHONPATH=.venv/mr-0.3.14; its dependencies are
#      the same as 0.3.18's, already in the venv (checked below).
#
# Usage: scripts/install-deps.sh [--system-only]   (--system-only: step 1 only; enough to run
# the server, used by scripts/run.sh)
# Environment: PYTHON=/path/to/python3.x to choose the interpreter (3.10 or 3.11: ml-metadata
# 1.17.1 ships no wheels for other versions). FORCE_PIP=1 reinstalls the Python side.
set -euo pipefail

SYSTEM_ONLY=0
for arg in "$@"; do
    case "$arg" in
        --system-only) SYSTEM_ONLY=1 ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        *) printf 'install-deps: unknown argument %s\n' "$arg" >&2; exit 2 ;;
    esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '[install-deps] %s\n' "$*" >&2; }
die() { printf '[install-deps] ERROR: %s\n' "$*" >&2; exit 1; }

APT_PACKAGES=(libfcgi-dev libsqlite3-dev libjansson-dev nginx pkg-config sqlite3 wrk)
# plus every Debian package named by a system library in Package.swift (`.apt([...])`)
while IFS= read -r pkg; do
    case " ${APT_PACKAGES[*]} " in *" $pkg "*) ;; *) APT_PACKAGES+=("$pkg") ;; esac
done < <(grep -o '\.apt(\[[^]]*\])' "$ROOT/Package.swift" 2>/dev/null | grep -o '"[^"]*"' | tr -d '"')
VENV="$ROOT/.venv"
MR_OLD_DIR="$VENV/mr-0.3.14"
REQ="$ROOT/tests/requirements.txt"
CONSTRAINTS="$ROOT/tests/constraints.txt"
REQ_OLD="$ROOT/tests/requirements-mr-0.3.14.txt"
STAMP="$VENV/.deps-stamp"

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and sudo is not available"
    SUDO=(sudo -n)
fi

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

apt_install() {
    local missing=() p
    for p in "$@"; do is_installed "$p" || missing+=("$p"); done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    log "apt: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    for p in "${missing[@]}"; do is_installed "$p" || die "apt: $p is still not installed"; done
}

# --- 1. Debian packages -------------------------------------------------------------------
apt_install "${APT_PACKAGES[@]}"
log "apt: ok (${APT_PACKAGES[*]})"
if [ "$SYSTEM_ONLY" = 1 ]; then
    exit 0
fi

# --- 2. Python interpreter and venv -------------------------------------------------------
py_ok() {  # usable interpreter of a version ml-metadata 1.17.1 has wheels for
    "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] in ((3, 10), (3, 11)) else 1)' \
        >/dev/null 2>&1
}

pick_python() {
    local c
    for c in "${PYTHON:-}" python3.11 python3.10 python3 /usr/bin/python3.11 /usr/bin/python3; do
        [ -n "$c" ] || continue
        if command -v "$c" >/dev/null 2>&1 && py_ok "$c"; then
            command -v "$c"
            return 0
        fi
    done
    return 1
}

venv_ok() {
    [ -x "$VENV/bin/python" ] && py_ok "$VENV/bin/python" && [ -x "$VENV/bin/pip" ]
}

if ! venv_ok; then
    PY="$(pick_python)" || die "need Python 3.10 or 3.11 (set PYTHON=...); none found"
    if ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        # Debian's system python needs python3-venv for `-m venv`.
        apt_install python3-venv
    fi
    log "venv: creating .venv with $PY ($("$PY" --version 2>&1))"
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
fi

# The stamp covers the requirement files and the interpreter: change any of them and the
# Python side is reinstalled.
want_stamp="$(cat "$REQ" "$CONSTRAINTS" "$REQ_OLD" | sha256sum | cut -d' ' -f1) $("$VENV/bin/python" -c 'import sys; print(sys.version.split()[0])')"
have_stamp="$(cat "$STAMP" 2>/dev/null || true)"

check_python_side() {
    "$VENV/bin/python" - "$MR_OLD_DIR" <<'EOF'
import importlib.metadata as md
import sys

from packaging.requirements import Requirement

old_dir = sys.argv[1]
problems = []

# Main venv: the distributions the tests import, at the pinned versions.
want = {"pytest": None, "requests": None, "model-registry": "0.3.18", "ml-metadata": "1.17.1",
        "protobuf": None, "attrs": None}
have = {}
for name, version in want.items():
    try:
        have[name] = md.version(name)
    except md.PackageNotFoundError:
        problems.append(f"{name} is not installed in .venv")
        continue
    if version and have[name] != version:
        problems.append(f"{name} {have[name]} installed, {version} wanted")

# ml-metadata's own bounds (protobuf<5, attrs<24, ...) are checked by `pip check`; restate the
# two that conflict most easily so a failure message is explicit.
if "protobuf" in have and int(have["protobuf"].split(".")[0]) >= 5:
    problems.append(f"protobuf {have['protobuf']} >= 5 breaks ml-metadata")
if "attrs" in have and int(have["attrs"].split(".")[0]) >= 24:
    problems.append(f"attrs {have['attrs']} >= 24 breaks ml-metadata")

# The side install of model-registry 0.3.14: right version, and every dependency it declares
# (without extras) satisfied by what the venv already has.
old = [d for d in md.distributions(path=[old_dir]) if d.metadata["Name"] == "model-registry"]
if len(old) != 1:
    problems.append(f"expected exactly one model-registry in {old_dir}, found {len(old)}")
else:
    dist = old[0]
    if dist.version != "0.3.14":
        problems.append(f"{old_dir} holds model-registry {dist.version}, 0.3.14 wanted")
    for raw in dist.requires or []:
        req = Requirement(raw)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        try:
            v = md.version(req.name)
        except md.PackageNotFoundError:
            problems.append(f"model-registry 0.3.14 needs {req}, not installed in .venv")
            continue
        if not req.specifier.contains(v, prereleases=True):
            problems.append(f"model-registry 0.3.14 needs {req}, .venv has {v}")

if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
print(" ".join(f"{k}=={v}" for k, v in have.items()))
EOF
}

if [ "${FORCE_PIP:-0}" != "1" ] && [ "$want_stamp" = "$have_stamp" ] && summary="$(check_python_side 2>/dev/null)"; then
    log "python: up to date ($summary)"
else
    log "python: installing tests/requirements.txt into .venv"
    rm -f "$STAMP"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        -r "$REQ" -c "$CONSTRAINTS"
    log "python: pip check"
    "$VENV/bin/python" -m pip check --disable-pip-version-check >&2 \
        || die "pip check found conflicting requirements in .venv"

    log "python: installing $(grep -v '^#' "$REQ_OLD" | xargs) (--no-deps) into .venv/mr-0.3.14"
    rm -rf "$MR_OLD_DIR"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        --no-deps --target "$MR_OLD_DIR" -r "$REQ_OLD"
    summary="$(check_python_side)" || die "the Python test environment is inconsistent (see above)"
    # the side install must really be the old client, and it must import with the venv's deps
    PYTHONPATH="$MR_OLD_DIR" "$VENV/bin/python" -c '
import sys, importlib.metadata as md, model_registry
assert md.version("model-registry") == "0.3.14", md.version("model-registry")
assert model_registry.__file__.startswith(sys.argv[1]), model_registry.__file__
from model_registry import ModelRegistry
' "$MR_OLD_DIR" || die "model-registry 0.3.14 does not import from .venv/mr-0.3.14"
    printf '%s\n' "$want_stamp" > "$STAMP"
    log "python: ok ($summary; model-registry==0.3.14 in .venv/mr-0.3.14)"
fi
