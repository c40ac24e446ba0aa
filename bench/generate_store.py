#!/usr/bin/env python3
"""Generates a registry store with N model versions, fast, straight in SQL.

The rows are the ones our server writes for `POST /registered_models`,
`POST /model_versions` and `POST /model_versions/{id}/artifacts`: the schema, the types and
one template model (with a version and an artifact) are created through libmodelregistry
(the embedded C ABI, i.e. the real Router), then every further model, version and artifact is
inserted with executemany in one transaction, row for row in the template's layout. A
self-check at the end reads a generated version and artifact back through the library and
compares them with the template's.

    generate_store.py --lib .build-bench/release/libmodelregistry.so --out store.db --versions 1000000

Layout (all deterministic): version i (0-based) belongs to model i // per_model, is named
"v<i % per_model>", has custom properties team="team-<i % 10>" (10% selectivity),
batch=<i // 100> (exactly 100 versions per value) and accuracy=<double>; each version has
one model artifact "artifact" with uri s3://bench/model-<m>/v<k>. Models are named
"model-<m>".
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import sqlite3
import sys
import time

API = "/api/model_registry/v1alpha3"


class Embedded:
    """Just enough of the C ABI (include/modelregistry.h) to send requests in process."""

    def __init__(self, lib_path: str, db_path: str):
        self.lib = ctypes.CDLL(lib_path)
        self.lib.mr_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        self.lib.mr_request.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
            ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t)]
        self.lib.mr_free.argtypes = [ctypes.c_void_p]
        self.lib.mr_close.argtypes = [ctypes.c_void_p]
        self.lib.mr_errmsg.argtypes = [ctypes.c_void_p]
        self.lib.mr_errmsg.restype = ctypes.c_char_p
        self.handle = ctypes.c_void_p()
        if self.lib.mr_open(db_path.encode(), None, ctypes.byref(self.handle)) != 0:
            raise SystemExit(f"mr_open {db_path} failed")

    def request(self, method: str, path: str, body: dict | None = None, query: str = "") -> dict:
        data = json.dumps(body).encode() if body is not None else b""
        status = ctypes.c_int()
        out = ctypes.c_void_p()
        out_len = ctypes.c_size_t()
        rc = self.lib.mr_request(self.handle, method.encode(), (API + path).encode(), query.encode(),
                                 data, len(data), ctypes.byref(status), ctypes.byref(out), ctypes.byref(out_len))
        if rc != 0:
            raise SystemExit(f"mr_request failed: {self.lib.mr_errmsg(self.handle)}")
        text = ctypes.string_at(out, out_len.value)
        self.lib.mr_free(out)
        if status.value >= 300:
            raise SystemExit(f"{method} {path} -> {status.value}: {text[:300]!r}")
        return json.loads(text)

    def close(self) -> None:
        self.lib.mr_close(self.handle)


def version_custom_properties(i: int) -> dict:
    return {
        "team": {"metadataType": "MetadataStringValue", "string_value": f"team-{i % 10}"},
        "batch": {"metadataType": "MetadataIntValue", "int_value": str(i // 100)},
        "accuracy": {"metadataType": "MetadataDoubleValue", "double_value": 0.5 + (i % 1000) / 2000.0},
    }


def create_template(mr: Embedded) -> tuple[dict, dict, dict]:
    """Model 0, version 0 and its artifact, through the API."""
    model = mr.request("POST", "/registered_models",
                       {"name": "model-0", "description": "bench model 0", "owner": "bench"})
    version = mr.request("POST", "/model_versions", {
        "name": "v0", "registeredModelId": model["id"], "author": "bench", "description": "bench version 0",
        "customProperties": version_custom_properties(0)})
    artifact = mr.request("POST", f"/model_versions/{version['id']}/artifacts", {
        "artifactType": "model-artifact", "name": "artifact", "uri": "s3://bench/model-0/v0",
        "modelFormatName": "onnx", "modelFormatVersion": "1"})
    return model, version, artifact


def generate(db_path: str, total_versions: int, per_model: int, batch_rows: int = 200_000) -> None:
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-262144")
    types = dict(db.execute("SELECT name, id FROM Type"))
    model_type, version_type, artifact_type = types["kf.RegisteredModel"], types["kf.ModelVersion"], types["kf.ModelArtifact"]

    # The template's rows, to copy exactly which property rows a create writes.
    (context_start,) = db.execute("SELECT MAX(id) FROM Context").fetchone()
    (artifact_start,) = db.execute("SELECT MAX(id) FROM Artifact").fetchone()
    (base_time,) = db.execute("SELECT MAX(create_time_since_epoch) FROM Context").fetchone()

    db.execute("BEGIN")
    context_id = context_start
    artifact_id = artifact_start
    contexts, cprops, parents, artifacts, aprops, attributions = [], [], [], [], [], []

    def flush() -> None:
        db.executemany("INSERT INTO Context(id, type_id, name, external_id, create_time_since_epoch, last_update_time_since_epoch) VALUES (?,?,?,NULL,?,?)", contexts)
        db.executemany("INSERT INTO ContextProperty(context_id, name, is_custom_property, int_value, double_value, string_value) VALUES (?,?,?,?,?,?)", cprops)
        db.executemany("INSERT INTO ParentContext(context_id, parent_context_id) VALUES (?,?)", parents)
        db.executemany("INSERT INTO Artifact(id, type_id, uri, state, name, external_id, create_time_since_epoch, last_update_time_since_epoch) VALUES (?,?,?,NULL,?,NULL,?,?)", artifacts)
        db.executemany("INSERT INTO ArtifactProperty(artifact_id, name, is_custom_property, string_value) VALUES (?,?,?,?)", aprops)
        db.executemany("INSERT INTO Attribution(context_id, artifact_id) VALUES (?,?)", attributions)
        for rows in (contexts, cprops, parents, artifacts, aprops, attributions):
            rows.clear()

    started = time.time()
    # Version 0 (and model 0) are the template; generate from version 1 on.
    model_id = 1
    for i in range(1, total_versions):
        m, k = divmod(i, per_model)
        t = base_time + i
        if k == 0:
            context_id += 1
            model_id = context_id
            contexts.append((model_id, model_type, f"model-{m}", t, t))
            cprops.extend([(model_id, "description", 0, None, None, f"bench model {m}"),
                           (model_id, "owner", 0, None, None, "bench"),
                           (model_id, "state", 0, None, None, "LIVE")])
        context_id += 1
        vid = context_id
        contexts.append((vid, version_type, f"{model_id}:v{k}", t, t))
        cprops.extend([(vid, "author", 0, None, None, "bench"),
                       (vid, "description", 0, None, None, f"bench version {i}"),
                       (vid, "registered_model_id", 0, model_id, None, None),
                       (vid, "state", 0, None, None, "LIVE"),
                       (vid, "team", 1, None, None, f"team-{i % 10}"),
                       (vid, "batch", 1, i // 100, None, None),
                       (vid, "accuracy", 1, None, 0.5 + (i % 1000) / 2000.0, None)])
        parents.append((vid, model_id))
        artifact_id += 1
        artifacts.append((artifact_id, artifact_type, f"s3://bench/model-{m}/v{k}", f"{vid}:artifact", t, t))
        aprops.extend([(artifact_id, "model_format_name", 0, "onnx"), (artifact_id, "model_format_version", 0, "1")])
        attributions.append((vid, artifact_id))
        if len(cprops) >= batch_rows:
            flush()
            done = i / total_versions
            print(f"\r  {i:,} versions ({done:.0%}, {time.time() - started:.0f}s)", end="", file=sys.stderr, flush=True)
    flush()
    db.execute("COMMIT")
    print(f"\r  {total_versions:,} versions in {time.time() - started:.1f}s{' ' * 20}", file=sys.stderr)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def self_check(mr: Embedded, template: tuple[dict, dict, dict], total_versions: int) -> None:
    """A generated version and artifact must look like the template's, field for field."""
    model, version, artifact = template
    if total_versions < 2:
        return
    last = mr.request("GET", "/model_versions", query="pageSize=1&sortOrder=DESC")["items"][0]
    if sorted(last) != sorted(version) or sorted(last["customProperties"]) != sorted(version["customProperties"]):
        raise SystemExit(f"generated version differs from the template:\n{last}\n{version}")
    arts = mr.request("GET", f"/model_versions/{last['id']}/artifacts")["items"]
    if len(arts) != 1 or sorted(arts[0]) != sorted(artifact):
        raise SystemExit(f"generated artifact differs from the template:\n{arts}\n{artifact}")
    parent = mr.request("GET", f"/registered_models/{last['registeredModelId']}")
    if sorted(parent) != sorted(model):
        raise SystemExit(f"generated model differs from the template:\n{parent}\n{model}")
    page = mr.request("GET", "/model_versions", query="pageSize=3&filterQuery=" + "batch%3D0")
    if page["size"] != 3:
        raise SystemExit(f"filter on a generated custom property found {page['size']} rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lib", required=True, help="path to libmodelregistry.so")
    parser.add_argument("--out", required=True, help="store file to create (must not exist)")
    parser.add_argument("--versions", type=int, required=True)
    parser.add_argument("--per-model", type=int, default=4, help="versions per registered model")
    args = parser.parse_args()
    if os.path.exists(args.out):
        raise SystemExit(f"{args.out} exists")
    mr = Embedded(args.lib, args.out)
    template = create_template(mr)
    mr.close()
    generate(args.out, args.versions, args.per_model)
    mr = Embedded(args.lib, args.out)
    self_check(mr, template, args.versions)
    mr.close()


if __name__ == "__main__":
    main()
