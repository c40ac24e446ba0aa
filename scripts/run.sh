#!/usr/bin/env bash
# Install the system packages, build, and run the registry on http://127.0.0.1:${PORT:-8080}
# (REST under /api/model_registry/v1alpha3 and /api/model_registry/v1), data in ${DATA_DIR:-./data}.
# The server logs to stderr; Ctrl-C (SIGINT) or SIGTERM stops it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

bash scripts/install-deps.sh --system-only
printf '[run] swift build -c release\n' >&2
swift build -c release
mkdir -p "${DATA_DIR:-./data}"
exec .build/release/model-registry up --port "${PORT:-8080}" --host 127.0.0.1 \
    --data-dir "${DATA_DIR:-./data}"
