"""Core flow with the upstream client model-registry==0.3.14 (speaks /api/model_registry/v1alpha3).

Run by test_client_0314.py in a subprocess with PYTHONPATH=.venv/mr-0.3.14 (0.3.14 cannot
share the venv with 0.3.18). Asserts as it goes; exits non-zero on the first failure.
Usage: mr_0314_flow.py --port PORT --prefix UNIQUE_PREFIX
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import os
import sys
import time
from itertools import islice


def step(msg: str) -> None:
    print(f"--- {msg}", flush=True)


def check_client_version() -> None:
    import model_registry
    import mr_openapi.api.model_registry_service_api as svc

    side_dir = os.path.realpath(os.environ.get("PYTHONPATH", "").split(os.pathsep)[0])
    version = md.version("model-registry")
    where = os.path.realpath(model_registry.__file__)
    print(f"model-registry {version} from {where}")
    assert version == "0.3.14", f"expected model-registry 0.3.14, imported {version}"
    assert where.startswith(side_dir + os.sep), f"{where} is not under {side_dir}"
    src = open(svc.__file__).read()
    assert "/api/model_registry/v1alpha3/" in src, "0.3.14 should call /api/model_registry/v1alpha3"
    assert "/api/model_registry/v1/" not in src


def drain(pager, cap: int = 100) -> list:
    items = list(islice(pager, cap + 1))
    assert len(items) <= cap, "pager did not stop"
    return items


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--prefix", required=True)
    args = ap.parse_args()

    step("client version")
    check_client_version()

    from model_registry import ModelRegistry
    from model_registry.exceptions import StoreError
    from model_registry.types import ModelVersionState, RegisteredModelState

    client = ModelRegistry("http://127.0.0.1", args.port, author="author", is_secure=False)
    name = f"{args.prefix}-model"
    metadata = {"str": "hello", "int": 42, "float": 3.5, "bool": True}

    step("register_model")
    rm = client.register_model(
        name,
        "s3://bucket/path/model.onnx",
        model_format_name="onnx",
        model_format_version="1.2",
        version="v1",
        storage_key="my-storage-key",
        storage_path="models/path",
        version_description="first version",
        metadata=metadata,
        owner="owner-1",
    )
    assert rm.id and rm.id.isdigit(), rm
    assert rm.name == name and rm.owner == "owner-1" and rm.state == RegisteredModelState.LIVE, rm

    step("get_registered_model / get_model_version / get_model_artifact")
    got = client.get_registered_model(name)
    assert got is not None and got.id == rm.id and got.owner == "owner-1", got
    mv = client.get_model_version(name, "v1")
    assert mv is not None and mv.name == "v1" and mv.author == "author", mv
    assert mv.description == "first version" and mv.state == ModelVersionState.LIVE, mv
    assert mv.registered_model_id == rm.id, mv
    assert mv.custom_properties == metadata, mv.custom_properties
    ma = client.get_model_artifact(name, "v1")
    assert ma is not None and ma.name == name, ma
    assert ma.uri == "s3://bucket/path/model.onnx", ma
    assert (ma.model_format_name, ma.model_format_version) == ("onnx", "1.2"), ma
    assert (ma.storage_key, ma.storage_path) == ("my-storage-key", "models/path"), ma
    assert client.get_registered_model(f"{args.prefix}-missing") is None
    assert client.get_model_version(name, "no-such-version") is None

    step("re-registering the same version raises")
    try:
        client.register_model(name, "s3://x", model_format_name="onnx",
                              model_format_version="1", version="v1")
    except StoreError:
        pass
    else:
        raise AssertionError("re-registering version v1 did not raise")

    step("update registered model, version, artifact")
    time.sleep(0.005)
    rm = client.get_registered_model(name)
    before = int(rm.last_update_time_since_epoch)
    rm.description = "rm description"
    rm.custom_properties = {"team": "ml"}
    res = client.update(rm)
    assert res.description == "rm description" and int(res.last_update_time_since_epoch) > before, res
    back = client.get_registered_model(name)
    assert back.description == "rm description" and back.custom_properties == {"team": "ml"}, back

    mv.description = "new description"
    mv.custom_properties = {"c": "3"}
    client.update(mv)
    back = client.get_model_version(name, "v1")
    assert back.description == "new description" and back.custom_properties == {"c": "3"}, back

    ma.uri = "s3://bucket/other"
    ma.description = "artifact description"
    client.update(ma)
    back = client.get_model_artifact(name, "v1")
    assert back.uri == "s3://bucket/other" and back.description == "artifact description", back
    assert back.model_format_name == "onnx", back

    step("archive by state")
    rm = client.get_registered_model(name)
    rm.state = RegisteredModelState.ARCHIVED
    client.update(rm)
    assert client.get_registered_model(name).state == RegisteredModelState.ARCHIVED
    mv = client.get_model_version(name, "v1")
    mv.state = ModelVersionState.ARCHIVED
    client.update(mv)
    assert client.get_model_version(name, "v1").state == ModelVersionState.ARCHIVED

    step("version pager (5 versions, page size 2)")
    for v in ("v2", "v3", "v4", "v5"):
        client.register_model(name, f"s3://bucket/{v}", model_format_name="onnx",
                              model_format_version="1", version=v)
    names = [v.name for v in drain(client.get_model_versions(name).page_size(2))]
    assert names == ["v1", "v2", "v3", "v4", "v5"], names
    names = [v.name for v in drain(client.get_model_versions(name).order_by_id().descending().page_size(2))]
    assert names == ["v5", "v4", "v3", "v2", "v1"], names
    names = [v.name for v in drain(client.get_model_versions(name).order_by_creation_time().page_size(3))]
    assert names == ["v1", "v2", "v3", "v4", "v5"], names

    step("registered model pager sees the model")
    found = [m for m in drain(client.get_registered_models().page_size(50), cap=100000) if m.name == name]
    assert len(found) == 1 and found[0].id == rm.id, found

    step("tagged version model:latest")
    client.register_model(name, "s3://bucket/latest", model_format_name="onnx",
                          model_format_version="1", version="model:latest")
    tagged = client.get_model_version(name, "model:latest")
    assert tagged is not None and tagged.name == "model:latest", tagged

    print("OK: model-registry 0.3.14 core flow passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
