"""Fixtures for the SDK suite (tests/sdk): every scenario against an embedded registry and
against `model-registry up` through nginx.

Our `model_registry` package and the upstream client share an import name, so this suite runs
in its own venv (.venv-sdk, made by tests/sdk/setup-venv.sh) with
`.venv-sdk/bin/pytest tests/sdk`. Under an interpreter where `model_registry` is the upstream
client (the main .venv), the directory is not collected.

Remote scenarios get a server of their own on an empty database (start-up takes ~0.2 s), so
an embedded and a remote run of one scenario see the same ids and the same answers. Without
the server binary they are skipped, except under CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import importlib.metadata
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mrtest.server import RegistryServer, ServerError, registry_bin

AUTHOR = "author"


def _our_sdk_installed() -> bool:
    try:
        return "+swift" in importlib.metadata.version("model-registry")
    except importlib.metadata.PackageNotFoundError:
        return False


def pytest_ignore_collect(collection_path: Path, config) -> bool | None:
    if not _our_sdk_installed():
        return True  # the upstream client's venv: tests/sdk runs from .venv-sdk instead
    return None


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def require_server_binary() -> None:
    """Skip (fail under CI) when `model-registry` has not been built."""
    try:
        registry_bin()
    except ServerError as e:
        if in_ci():
            pytest.fail(f"CI must run the remote SDK scenarios: {e}")
        pytest.skip(str(e))


@dataclass
class Target:
    """Where a scenario's registry lives: `address`/`port` as passed to ModelRegistry."""

    kind: str  # "embedded" or "remote"
    address: str
    port: int | None
    server: RegistryServer | None = None

    def client(self, **kwargs):
        from model_registry import ModelRegistry

        kwargs.setdefault("author", AUTHOR)
        if self.kind == "remote":
            kwargs.setdefault("is_secure", False)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "User access token is missing")
            return ModelRegistry(self.address, self.port, **kwargs)

    def connection(self):
        """A raw libmodelregistry connection to the same registry."""
        from model_registry._native import Connection

        return Connection(self.address if self.kind == "embedded" else f"{self.address}:{self.port}")


@pytest.fixture
def embedded_target(tmp_path) -> Target:
    return Target("embedded", f"sqlite:///{tmp_path}/registry.db", None)


@pytest.fixture
def remote_target(request) -> Target:
    require_server_binary()
    server = request.getfixturevalue("fresh_registry")
    return Target("remote", "http://127.0.0.1", server.port, server)


@pytest.fixture(params=["embedded", "remote"])
def target(request) -> Target:
    """Each scenario runs twice: in process on a new SQLite file, and against a new server."""
    return request.getfixturevalue(f"{request.param}_target")


@pytest.fixture
def mr(target) -> Iterator:
    """A ModelRegistry client on the scenario's registry."""
    client = target.client()
    yield client
    client.close()


@pytest.fixture
def make_target(tmp_path_factory, registry_factory) -> Callable[[str], Target]:
    """`make_target(kind)`: another registry of that kind, for scenarios that compare the two."""
    servers: list[RegistryServer] = []

    def make(kind: str) -> Target:
        if kind == "embedded":
            return Target("embedded", f"sqlite:///{tmp_path_factory.mktemp('embedded')}/registry.db", None)
        require_server_binary()
        server = registry_factory(f"sdk-{kind}")
        servers.append(server)
        return Target("remote", "http://127.0.0.1", server.port, server)

    yield make
    for server in servers:
        registry_factory.stop(server)


# -- S3 (moto's server), model files, a fake Hugging Face Hub ----------------------------------
S3_BUCKET = "models"


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on 127.0.0.1 (a free port), for the whole session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, monkeypatch):
    """A boto3 client with an empty bucket `models`; the AWS_* variables point at moto."""
    import boto3

    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1", "AWS_S3_ENDPOINT": s3_endpoint}.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    for bucket in client.list_buckets().get("Buckets", []):
        for obj in client.list_objects_v2(Bucket=bucket["Name"]).get("Contents", []):
            client.delete_object(Bucket=bucket["Name"], Key=obj["Key"])
        client.delete_bucket(Bucket=bucket["Name"])
    client.create_bucket(Bucket=S3_BUCKET)
    return client


@pytest.fixture
def model_dir(tmp_path) -> Path:
    """A model directory of two files, one in a subdirectory."""
    root = tmp_path / "model_training_01"
    (root / "onnx").mkdir(parents=True)
    (root / "onnx" / "model.onnx").write_bytes(b"\x08\x01onnx-bytes")
    (root / "config.json").write_text('{"layers": 2}')
    return root


FAKE_HUB = {
    ("hf-namespace/hf-model", "main"): {
        "id": "hf-namespace/hf-model",
        "author": "hf-namespace",
        "cardData": {"license": "apache-2.0", "language": "en", "tags": ["onnx"], "base_model": "bert"},
    },
    ("global-model", "v2"): {"id": "global-model"},
}


@pytest.fixture
def fake_hub(monkeypatch) -> list[tuple[str, str]]:
    """Replaces HfApi.model_info (the only hub call register_hf_model makes) with answers from
    FAKE_HUB and the hub's own not-found errors; returns the calls it received."""
    import httpx
    from huggingface_hub import HfApi
    from huggingface_hub.hf_api import ModelInfo
    from huggingface_hub.utils import RepositoryNotFoundError, RevisionNotFoundError

    calls: list[tuple[str, str]] = []

    def model_info(self, repo_id, *, revision=None, **kwargs):
        calls.append((repo_id, revision))
        if (repo_id, revision) in FAKE_HUB:
            return ModelInfo(**FAKE_HUB[(repo_id, revision)])
        response = httpx.Response(404, request=httpx.Request("GET", f"https://huggingface.co/api/models/{repo_id}"))
        if any(repo == repo_id for repo, _ in FAKE_HUB):
            raise RevisionNotFoundError(f"no revision {revision}", response=response)
        raise RepositoryNotFoundError(f"no repository {repo_id}", response=response)

    monkeypatch.setattr(HfApi, "model_info", model_info)
    return calls
