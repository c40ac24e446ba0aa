"""upload_artifact_and_register_model: S3 (moto's server on 127.0.0.1) and OCI (a custom
backend over a local directory), plus datasets uploaded from a run."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest

from model_registry.exceptions import StoreError
from model_registry.utils import BackendDefinition, OCIParams, S3Params

BUCKET = "models"  # the bucket the `s3` fixture empties or creates


def test_s3_upload_and_register(mr, s3, s3_endpoint, model_dir):
    params = S3Params(bucket_name=BUCKET, s3_prefix="models/fraud/", endpoint_url=s3_endpoint)
    rm = mr.upload_artifact_and_register_model(
        name="fraud", model_files_path=str(model_dir), author="Mr. Trainer", version="0.0.1",
        upload_params=params, model_format_name="onnx", model_format_version="1", storage_key="conn")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == ["models/fraud/config.json", "models/fraud/onnx/model.onnx"]
    assert s3.get_object(Bucket=BUCKET, Key="models/fraud/onnx/model.onnx")["Body"].read() == b"\x08\x01onnx-bytes"

    artifact = mr.get_model_artifact("fraud", "0.0.1")
    assert artifact.uri == f"s3://{BUCKET}/models/fraud?endpoint={s3_endpoint}&defaultRegion=us-east-1"
    assert artifact.storage_key == "conn"
    assert mr.get_model_version("fraud", "0.0.1").author == "Mr. Trainer"
    assert rm.name == "fraud"

    with pytest.raises(StoreError, match="already exists in Model Registry"):
        mr.upload_artifact_and_register_model(
            name="fraud", model_files_path=str(model_dir), version="0.0.1", upload_params=params,
            model_format_name="onnx", model_format_version="1")


def test_single_file_upload(mr, s3, model_dir):
    params = S3Params(bucket_name=BUCKET, s3_prefix="single")
    mr.upload_artifact_and_register_model(
        "single", str(model_dir / "onnx" / "model.onnx"), upload_params=params, version="1",
        model_format_name="onnx", model_format_version="1")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]] == ["single/model.onnx"]


def test_upload_errors(mr, s3, model_dir, monkeypatch):
    with pytest.raises(ValueError, match="upload_params"):
        mr.upload_artifact_and_register_model("x", str(model_dir), upload_params=None, version="1",
                                              model_format_name="onnx", model_format_version="1")
    with pytest.raises(ValueError, match="does not exist"):
        mr.upload_artifact_and_register_model("x", str(model_dir / "missing"), version="1",
                                              upload_params=S3Params(bucket_name=BUCKET, s3_prefix="p"),
                                              model_format_name="onnx", model_format_version="1")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(ValueError, match="AWS_SECRET_ACCESS_KEY"):
        mr.upload_artifact_and_register_model("x", str(model_dir), version="1",
                                              upload_params=S3Params(bucket_name=BUCKET, s3_prefix="p"),
                                              model_format_name="onnx", model_format_version="1")
    assert mr.get_registered_model("x") is None, "nothing is registered when the upload fails"


def test_dataset_uploaded_from_a_run(mr, s3, tmp_path):
    data = tmp_path / "train.csv"
    data.write_text("a,b\n1,2\n")
    with mr.start_experiment_run(experiment_name="with-data") as run:
        run.log_dataset(name="train", file_path=str(data), source_type="local",
                        s3_auth=S3Params(bucket_name=BUCKET, s3_prefix="datasets"))
    (logged,) = mr.get_experiment_run_logs(run_id=run.info.id)
    assert logged.uri.startswith(f"s3://{BUCKET}/datasets?endpoint=")
    assert s3.get_object(Bucket=BUCKET, Key="datasets/train.csv")["Body"].read() == b"a,b\n1,2\n"


# -- OCI --------------------------------------------------------------------------------------
def _blob(layout: Path, payload: bytes) -> dict:
    digest = hashlib.sha256(payload).hexdigest()
    (layout / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    (layout / "blobs" / "sha256" / digest).write_bytes(payload)
    return {"digest": f"sha256:{digest}", "size": len(payload)}


def make_base_image(layout: Path) -> None:
    """A minimal OCI image layout of one small layer, standing in for `busybox`."""
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w") as tar:
        content = b"#!/bin/true\n"
        info = tarfile.TarInfo("bin/sh")
        info.size = len(content)
        tar.addfile(info, io.BytesIO(content))
    layer = gzip.compress(tar_bytes.getvalue(), mtime=0)
    diff_id = "sha256:" + hashlib.sha256(tar_bytes.getvalue()).hexdigest()
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": [diff_id]},
                         "history": [{"created_by": "test base layer"}]}).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      **_blob(layout, config)},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                       **_blob(layout, layer)}]}).encode()
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", **_blob(layout, manifest)}]}
    (layout / "index.json").write_text(json.dumps(index))
    (layout / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')


class DirectoryRegistry:
    """An OCI "registry" in a local directory: one image layout per reference."""

    def __init__(self, root: Path):
        self.root = root
        self.calls: list[tuple[str, str, dict]] = []

    def path(self, ref: str) -> Path:
        return self.root / ref.replace("/", "_").replace(":", "_")

    def is_available(self) -> bool:
        return True

    def pull(self, base_image: str, dest: Path, **kwargs) -> None:
        self.calls.append(("pull", base_image, kwargs))
        shutil.copytree(self.path(base_image), dest, dirs_exist_ok=True)

    def push(self, src: Path, oci_ref: str, **kwargs) -> None:
        self.calls.append(("push", oci_ref, {k: Path(v).read_text() for k, v in kwargs.items()}))
        shutil.copytree(src, self.path(oci_ref))

    def backend(self) -> BackendDefinition:
        return BackendDefinition(is_available=self.is_available, pull=self.pull, push=self.push)


@pytest.fixture
def oci_registry(tmp_path) -> DirectoryRegistry:
    registry = DirectoryRegistry(tmp_path / "oci")
    make_base_image(registry.path("busybox"))
    return registry


def test_oci_upload_with_a_custom_backend(mr, oci_registry, model_dir):
    ref = "registry.example.com/acme_org/hello_world_model:0.0.1"
    params = OCIParams(base_image="busybox", oci_ref=ref, custom_oci_backend=oci_registry.backend(),
                       oci_username="user", oci_password="userpass")
    mr.upload_artifact_and_register_model(
        name="hello_world_model", model_files_path=str(model_dir), author="Mr. Trainer", version="0.0.1",
        upload_params=params, model_format_name="onnx", model_format_version="1")

    assert mr.get_model_artifact("hello_world_model", "0.0.1").uri == f"oci://{ref}"
    pushed = oci_registry.path(ref)
    index = json.loads((pushed / "index.json").read_text())
    manifest_digest = index["manifests"][0]["digest"].split(":")[1]
    manifest = json.loads((pushed / "blobs" / "sha256" / manifest_digest).read_text())
    assert len(manifest["layers"]) == 3, "the base layer, then one layer per model file"
    kinds = [call[0] for call in oci_registry.calls]
    assert kinds == ["pull", "push"]
    auth = json.loads(oci_registry.calls[1][2]["authfile"])
    assert list(auth["auths"]) == ["registry.example.com/acme_org/hello_world_model"]


def test_oci_backend_as_a_dict_and_unavailable_backends(mr, oci_registry, model_dir):
    backend = {"is_available": lambda: False, "pull": oci_registry.pull, "push": oci_registry.push}
    params = OCIParams(base_image="busybox", oci_ref="r.example/x:1", custom_oci_backend=backend)
    with pytest.raises(ValueError, match="not available"):
        mr.upload_artifact_and_register_model("x", str(model_dir), upload_params=params, version="1",
                                              model_format_name="onnx", model_format_version="1")
    with pytest.raises(ValueError, match="not an available backend"):
        mr.upload_artifact_and_register_model(
            "x", str(model_dir), version="1", model_format_name="onnx", model_format_version="1",
            upload_params=OCIParams(base_image="busybox", oci_ref="r.example/x:1", backend="docker"))
    assert mr.get_registered_model("x") is None
