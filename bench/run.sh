#!/usr/bin/env bash
# The whole benchmark in one command (see Docs/performance.md):
#
#   bash bench/run.sh                      # everything: ~25 min, plus ~3 min once to generate the 1M store
#   bash bench/run.sh --scale none         # without the 1k/100k/1M scale part
#   bash bench/run.sh --skip mlflow,scale  # any of: ours,ceilings,mlflow,scale,embedded
#
# It builds the release binaries into .build-bench (swift build --scratch-path .build-bench),
# the do-nothing FastCGI pool (bench/fcgi_null.c, needs libfcgi-dev) into
# .build-bench/bench-bin, creates .venv-bench with MLflow (bench/requirements.txt) on first
# use, and runs bench/run.py with that Python. Needs nginx and wrk (apt install nginx wrk).
# Results: printed, and saved under .build-bench/bench-results/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
for tool in nginx wrk cc; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is required (apt install nginx wrk gcc)" >&2; exit 1; }
done

echo "[bench] swift build -c release --scratch-path .build-bench" >&2
swift build -c release --scratch-path .build-bench --product model-registry >&2
swift build -c release --scratch-path .build-bench --product modelregistry >&2

mkdir -p .build-bench/bench-bin
cc -O2 -Wall -o .build-bench/bench-bin/fcgi_null bench/fcgi_null.c -lfcgi
cc -O2 -Wall -I include -o .build-bench/bench-bin/microbench bench/microbench.c \
    -L .build-bench/release -lmodelregistry -Wl,-rpath,"$ROOT/.build-bench/release"

if [ ! -x .venv-bench/bin/python ]; then
    echo "[bench] creating .venv-bench with MLflow" >&2
    python3 -m venv .venv-bench
    .venv-bench/bin/pip install --quiet --upgrade pip
fi
if ! .venv-bench/bin/python -c "import mlflow, pydantic" 2>/dev/null; then
    .venv-bench/bin/pip install --quiet -r bench/requirements.txt
fi

exec .venv-bench/bin/python bench/run.py "$@"
