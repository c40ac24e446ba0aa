#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/{body,filter}/ (committed; rerun after changing the
route tables in fuzz/Sources/RegistryFuzz/RegistryFuzz.swift).

An input's first byte picks the route: bits 0-6 index the target's route table, bit 7 the
API prefix (0 = /v1alpha3, 1 = /v1). The rest is the request body (body target) or the
filterQuery (filter target)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _harness_routes() -> tuple[list[tuple[str, str]], list[str]]:
    """Harness.writeRoutes and Harness.listRoutes, read from the harness itself: a seed's first
    byte selects a route by its index there, so the two lists must be the same."""
    source = (HERE / "Sources" / "RegistryFuzz" / "RegistryFuzz.swift").read_text()

    def array(name: str) -> str:
        match = re.search(rf"static let {name}[^=]*= \[(.*?)\n    \]", source, re.S)
        if match is None:
            raise SystemExit(f"Harness.{name} not found in RegistryFuzz.swift")
        return match.group(1)

    write = re.findall(r'\("([A-Z]+)", "([^"]+)"\)', array("writeRoutes"))
    return write, re.findall(r'"([^"]+)"', array("listRoutes"))


WRITE_ROUTES, LIST_ROUTES = _harness_routes()

# Seeded ids on the fuzz store (Harness.seed): contexts 1.. in creation order, artifact 1.
IDS = {"rm": "1", "mv": "2", "ma": "1", "ex": "3", "run": "4", "se": "5", "is": "6"}

CUSTOM = {
    "s": {"metadataType": "MetadataStringValue", "string_value": "v"},
    "i": {"metadataType": "MetadataIntValue", "int_value": "42"},
    "d": {"metadataType": "MetadataDoubleValue", "double_value": 1.5},
    "b": {"metadataType": "MetadataBoolValue", "bool_value": True},
    "st": {"metadataType": "MetadataStructValue",
           "struct_value": base64.b64encode(json.dumps({"a": [1, {"b": None}]}).encode()).decode()},
    "p": {"metadataType": "MetadataProtoValue", "type": "t", "proto_value": base64.b64encode(b"\x08\x01").decode()},
}


def bodies(method: str, path: str) -> list[dict]:
    common = {"description": "d", "externalId": "ext", "customProperties": CUSTOM}
    if path.endswith("/artifacts") or path.startswith(("/model_artifacts", "/artifacts")):
        out = [{"artifactType": t, "name": "a", "uri": "s3://b/k", "state": "LIVE", **common}
               for t in ("model-artifact", "doc-artifact", "dataset-artifact", "metric", "parameter")]
        out.append({"artifactType": "metric", "name": "loss", "value": 0.5, "step": "3", "timestamp": "1700000000000"})
        out.append({"artifactType": "parameter", "name": "lr", "value": "0.1", "parameterType": "number"})
        out.append({"artifactType": "model-artifact", "modelFormatName": "onnx", "modelFormatVersion": "1",
                    "storageKey": "k", "storagePath": "/p", "serviceAccountName": "sa", "modelSourceKind": "kfp",
                    "modelSourceClass": "c", "modelSourceGroup": "g", "modelSourceId": "i", "modelSourceName": "n"})
        return out
    if "registered_models" in path and not path.endswith("/versions"):
        return [{"name": "m", "owner": "o", "state": "ARCHIVED", "language": ["en"], "tasks": ["t"], "license": "l",
                 "licenseLink": "u", "libraryName": "x", "logo": "y", "maturity": "z", "provider": "p", "readme": "r",
                 **common}, {"name": "m2"}]
    if "versions" in path:
        return [{"name": "v", "author": "a", "state": "LIVE", "registeredModelId": IDS["rm"], **common}, {"name": "v2"}]
    if "experiment_runs" in path:
        return [{"name": "r", "experimentId": IDS["ex"], "status": "RUNNING", "startTimeSinceEpoch": "1",
                 "endTimeSinceEpoch": "2", "owner": "o", "state": "LIVE", **common}, {"name": "r2"}]
    if "experiments" in path:
        return [{"name": "e", "owner": "o", "state": "LIVE", **common}, {"name": "e2"}]
    if path.endswith("/serves"):
        return [{"name": "s", "modelVersionId": IDS["mv"], "lastKnownState": "RUNNING", **common}, {"modelVersionId": IDS["mv"]}]
    if "inference_services" in path:
        return [{"name": "i", "registeredModelId": IDS["rm"], "servingEnvironmentId": IDS["se"], "modelVersionId": IDS["mv"],
                 "runtime": "rt", "desiredState": "DEPLOYED", **common}, {"name": "i2", "registeredModelId": IDS["rm"]}]
    if "serving_environments" in path:
        return [{"name": "se", **common}, {"name": "se2"}]
    raise AssertionError(path)


FILTERS = [
    "name = 'm'", "name != \"x\" AND id > 1", "(name LIKE 'm%' OR description ILIKE '%D%') AND state = 'LIVE'",
    "id IN (1, 2, 3)", "createTimeSinceEpoch >= 0", "lastUpdateTimeSinceEpoch < 9999999999999",
    "customProperties.s.string_value = 'v'", "customProperties.i.int_value > 1",
    "customProperties.d.double_value <= 2.5", "customProperties.b.bool_value = true", "s = 'v'",
    "`weird key`.string_value = 'x'", "uri = 's3://b/k' AND artifactType = 'model-artifact'",
    "externalId = 'ext' OR owner = 'o'", "author = 'a'", "modelFormatName = 'onnx'",
    "name = 'it''s' OR name = \"q\\\"q\"", "value > 0.1 AND step = 3", "NOT name = 'x'",
]


def write(directory: Path, name: str, data: bytes) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}-{hashlib.sha1(data).hexdigest()[:12]}").write_bytes(data)


def main() -> None:
    for target in ("body", "filter"):
        for old in (HERE / "corpus" / target).glob("*"):
            old.unlink()
    for index, (method, path) in enumerate(WRITE_ROUTES):
        for prefix_bit in (0, 0x80):
            for body in bodies(method, path):
                if method == "PATCH":  # names and parents are fixed once created
                    body = {k: v for k, v in body.items()
                            if k not in ("name", "registeredModelId", "experimentId", "servingEnvironmentId")}
                write(HERE / "corpus" / "body", f"r{index:02d}", bytes([index | prefix_bit]) + json.dumps(body).encode())
    for index, _ in enumerate(LIST_ROUTES):
        for query in FILTERS:
            write(HERE / "corpus" / "filter", f"r{index:02d}", bytes([index]) + query.encode())
    print(f"wrote {len(list((HERE / 'corpus' / 'body').iterdir()))} body and "
          f"{len(list((HERE / 'corpus' / 'filter').iterdir()))} filter seeds")


if __name__ == "__main__":
    main()
