#!/usr/bin/env bash
# Instructions per request of the in-process request path (API -> Registry -> MLMD -> SQLite,
# through the C ABI, no nginx/FastCGI), counted by callgrind: repeatable on a busy machine.
#
#   bash bench/callgrind.sh [release-dir]     (default .build-bench/release; build it first)
#
# Each operation runs N and 2N times on a copy of a 1,500-version generated store; the
# difference divided by N is the cost of one request without start-up.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIB="$(cd "${1:-$ROOT/.build-bench/release}" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cc -O2 -I "$ROOT/include" -o "$WORK/microbench" "$ROOT/bench/microbench.c" -L "$LIB" -lmodelregistry -Wl,-rpath,"$LIB"
python3 "$ROOT/bench/generate_store.py" --lib "$LIB/libmodelregistry.so" --out "$WORK/seed.db" --versions 1500 --per-model 3 2>/dev/null
API=/api/model_registry/v1alpha3
N=100
# Every GET is computed from the store (the response cache off), as a request that misses the
# cache is; the last line counts a GET answered from the cache.
export MR_OPTIONS='{"response_cache": false}'
count() { # name method path query body
    local total=()
    for n in $N $((2 * N)); do
        cp "$WORK/seed.db" "$WORK/run.db"; rm -f "$WORK/run.db-wal" "$WORK/run.db-shm"
        valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$WORK/microbench" "$WORK/run.db" "$n" "$2" "$3" "$4" "$5" \
            >/dev/null 2>"$WORK/vg.txt"
        total+=("$(grep -oP 'Collected : \K\d+' "$WORK/vg.txt")")
    done
    printf '%-34s %10d instructions/request\n' "$1" $(( (total[1] - total[0]) / N ))
}
count "GET model_versions/{id}" GET "$API/model_versions/1002" "" ""
count "GET registered_model?name=" GET "$API/registered_model" "name=model-300" ""
count "GET model_versions?pageSize=100" GET "$API/model_versions" "pageSize=100" ""
count "GET model_versions filterQuery" GET "$API/model_versions" "pageSize=100&filterQuery=team%3D%27team-3%27" ""
count "PATCH model_versions/{id}" PATCH "$API/model_versions/1002" "" '{"description":"d%d","customProperties":{"team":{"metadataType":"MetadataStringValue","string_value":"team-3"},"reviewed":{"metadataType":"MetadataStringValue","string_value":"reviewed"}}}'
count "POST registered_models" POST "$API/registered_models" "" '{"name":"new-%d","owner":"bench","description":"d"}'
count "POST model_versions" POST "$API/model_versions" "" '{"name":"nv-%d","registeredModelId":"1","author":"bench","customProperties":{"team":{"metadataType":"MetadataStringValue","string_value":"team-3"}}}'
count "POST model_versions/{id}/artifacts" POST "$API/model_versions/1002/artifacts" "" '{"artifactType":"model-artifact","name":"a-%d","uri":"s3://b/x","modelFormatName":"onnx"}'
MR_OPTIONS='{"response_cache": true}' count "GET registered_model?name= (kept)" GET "$API/registered_model" "name=model-300" ""
