#!/usr/bin/env python3
"""Registers model versions from Python, in process, with no server:

    embedded.py ours   --lib <libmodelregistry.so> --db <file> --versions 10000
    embedded.py sqlite --lib <libmodelregistry.so> --db <file> --versions 10000
    embedded.py mlflow --db <file> --versions 500

`ours` goes through our SDK (sdk-python, `ModelRegistry("sqlite:///...")`): `register_model`
creates the registered model on its first version, then the version and its model artifact.
`mlflow` goes through `MlflowClient` on a `sqlite:///` tracking and registry URI:
`create_registered_model` once per model, `create_model_version` per version (MLflow keeps the
artifact URI on the version as `source`). All use 4 versions per model. Prints one line
`RESULT {...}` with the versions registered, the seconds taken and the rate.

`sqlite` is the floor under `ours`, as nginx's static file is under the server: Python's sqlite3
module alone writes the rows one registration of `ours` writes (the model on its first
version, the version with its properties and parent link, the artifact with its properties and
attribution) with prepared statements, one transaction per registration, made durable before
the next one starts (WAL, `synchronous=FULL`: the WAL is synced in each COMMIT, as our SDK syncs
it after each commit). The store is created by our library, so the schema, indexes and 1 KiB
pages are ours. No validation, no JSON, no ids read back: what no SDK on this store can beat.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PER_MODEL = 4


def run_ours(lib: str, db: str, versions: int) -> float:
    sys.path.insert(0, str(ROOT / "sdk-python" / "src"))
    from model_registry import ModelRegistry, _native

    # Use the library of this build (not a copy bundled by an earlier `pip install`).
    _native.library_path = lambda: Path(lib)
    registry = ModelRegistry(f"sqlite:///{db}", author="bench")
    started = time.perf_counter()
    for i in range(versions):
        m, k = divmod(i, PER_MODEL)
        registry.register_model(
            f"model-{m}", f"s3://bench/model-{m}/v{k}",
            version=f"v{k}", model_format_name="onnx", model_format_version="1",
            metadata={"team": f"team-{i % 10}", "batch": i // 100},
        )
    elapsed = time.perf_counter() - started
    # Spot check: the last version and its artifact are there.
    m, k = divmod(versions - 1, PER_MODEL)
    assert registry.get_model_version(f"model-{m}", f"v{k}") is not None
    assert registry.get_model_artifact(f"model-{m}", f"v{k}").uri == f"s3://bench/model-{m}/v{k}"
    return elapsed


def run_sqlite(lib: str, db: str, versions: int) -> float:
    import sqlite3

    sys.path.insert(0, str(ROOT / "sdk-python" / "src"))
    from model_registry import ModelRegistry, _native

    _native.library_path = lambda: Path(lib)
    ModelRegistry(f"sqlite:///{db}", author="bench").close()  # creates the store: our schema and types
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("PRAGMA synchronous=FULL")
    types = dict(connection.execute("SELECT name, id FROM Type WHERE name LIKE 'kf.%'").fetchall())
    model_type, version_type, artifact_type = (types["kf.RegisteredModel"], types["kf.ModelVersion"],
                                               types["kf.ModelArtifact"])
    insert_context = ("INSERT INTO Context(type_id, name, external_id, create_time_since_epoch, "
                      "last_update_time_since_epoch) VALUES (?, ?, NULL, ?, ?)")
    insert_artifact = ("INSERT INTO Artifact(type_id, name, external_id, create_time_since_epoch, "
                       "last_update_time_since_epoch, uri, state) VALUES (?, ?, NULL, ?, ?, ?, 0)")
    property_columns = "name, is_custom_property, int_value, double_value, string_value, byte_value, proto_value, bool_value"
    context_property = (f"INSERT OR REPLACE INTO ContextProperty (context_id, {property_columns}) "
                        "VALUES (?, ?, ?, ?, NULL, ?, NULL, NULL, NULL)")
    artifact_property = (f"INSERT OR REPLACE INTO ArtifactProperty (artifact_id, {property_columns}) "
                         "VALUES (?, ?, ?, ?, NULL, ?, NULL, NULL, NULL)")
    execute = connection.execute
    started = time.perf_counter()
    for i in range(versions):
        m, k = divmod(i, PER_MODEL)
        now = int(time.time() * 1000)
        execute("BEGIN IMMEDIATE")
        found = execute("SELECT id FROM Context WHERE type_id = ? AND name = ?", (model_type, f"model-{m}")).fetchone()
        if found:
            model_id = found[0]
        else:
            model_id = execute(insert_context, (model_type, f"model-{m}", now, now)).lastrowid
            execute(context_property, (model_id, "owner", 0, None, "bench"))
            execute(context_property, (model_id, "state", 0, None, "LIVE"))
        version_id = execute(insert_context, (version_type, f"{model_id}:v{k}", now, now)).lastrowid
        execute(context_property, (version_id, "author", 0, None, "bench"))
        execute(context_property, (version_id, "batch", 1, i // 100, None))
        execute(context_property, (version_id, "registered_model_id", 0, model_id, None))
        execute(context_property, (version_id, "state", 0, None, "LIVE"))
        execute(context_property, (version_id, "team", 1, None, f"team-{i % 10}"))
        execute("INSERT INTO ParentContext(context_id, parent_context_id) VALUES (?, ?)", (version_id, model_id))
        artifact_id = execute(insert_artifact, (artifact_type, f"{version_id}:model-{m}", now, now,
                                                f"s3://bench/model-{m}/v{k}")).lastrowid
        execute(artifact_property, (artifact_id, "model_format_name", 0, None, "onnx"))
        execute(artifact_property, (artifact_id, "model_format_version", 0, None, "1"))
        execute("INSERT INTO Attribution(context_id, artifact_id) VALUES (?, ?)", (version_id, artifact_id))
        execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    # Spot check through our SDK: the rows written here read back as a registered version.
    registry = ModelRegistry(f"sqlite:///{db}", author="bench")
    m, k = divmod(versions - 1, PER_MODEL)
    assert registry.get_model_artifact(f"model-{m}", f"v{k}").uri == f"s3://bench/model-{m}/v{k}"
    return elapsed


def run_mlflow(db: str, versions: int) -> float:
    import logging

    logging.getLogger("mlflow").setLevel(logging.WARNING)
    from mlflow import MlflowClient

    uri = f"sqlite:///{db}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    client.search_registered_models(max_results=1)  # creates the schema outside the timing
    started = time.perf_counter()
    for i in range(versions):
        m, k = divmod(i, PER_MODEL)
        if k == 0:
            client.create_registered_model(f"model-{m}")
        client.create_model_version(f"model-{m}", f"s3://bench/model-{m}/v{k}",
                                    tags={"team": f"team-{i % 10}", "batch": str(i // 100)})
    elapsed = time.perf_counter() - started
    m, k = divmod(versions - 1, PER_MODEL)
    assert client.get_model_version(f"model-{m}", str(k + 1)).source == f"s3://bench/model-{m}/v{k}"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", choices=["ours", "sqlite", "mlflow"])
    parser.add_argument("--lib")
    parser.add_argument("--db", required=True)
    parser.add_argument("--versions", type=int, required=True)
    args = parser.parse_args()
    if Path(args.db).exists():
        raise SystemExit(f"{args.db} exists")
    if args.target == "ours":
        elapsed = run_ours(args.lib, args.db, args.versions)
    elif args.target == "sqlite":
        elapsed = run_sqlite(args.lib, args.db, args.versions)
    else:
        elapsed = run_mlflow(args.db, args.versions)
    print("RESULT " + json.dumps({"target": args.target, "versions": args.versions, "seconds": round(elapsed, 3),
                                  "versions_per_s": round(args.versions / elapsed, 1)}), flush=True)


if __name__ == "__main__":
    main()
