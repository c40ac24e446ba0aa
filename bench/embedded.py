#!/usr/bin/env python3
"""Registers model versions from Python, in process, with no server:

    embedded.py ours   --lib <libmodelregistry.so> --db <file> --versions 10000
    embedded.py mlflow --db <file> --versions 500

`ours` goes through our SDK (sdk-python, `ModelRegistry("sqlite:///...")`): `register_model`
creates the registered model on its first version, then the version and its model artifact.
`mlflow` goes through `MlflowClient` on a `sqlite:///` tracking and registry URI:
`create_registered_model` once per model, `create_model_version` per version (MLflow keeps the
artifact URI on the version as `source`). Both use 4 versions per model. Prints one line
`RESULT {...}` with the versions registered, the seconds taken and the rate.
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
    parser.add_argument("target", choices=["ours", "mlflow"])
    parser.add_argument("--lib")
    parser.add_argument("--db", required=True)
    parser.add_argument("--versions", type=int, required=True)
    args = parser.parse_args()
    if Path(args.db).exists():
        raise SystemExit(f"{args.db} exists")
    if args.target == "ours":
        elapsed = run_ours(args.lib, args.db, args.versions)
    else:
        elapsed = run_mlflow(args.db, args.versions)
    print("RESULT " + json.dumps({"target": args.target, "versions": args.versions, "seconds": round(elapsed, 3),
                                  "versions_per_s": round(args.versions / elapsed, 1)}), flush=True)


if __name__ == "__main__":
    main()
