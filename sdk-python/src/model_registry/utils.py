"""Helpers: S3 URIs and uploads, OCI uploads, and small utilities."""

from __future__ import annotations

import base64
import copy
import json
import os
import posixpath
import shutil
import tempfile
import threading
from collections.abc import Callable, Generator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from subprocess import CalledProcessError, CompletedProcess
from typing import TYPE_CHECKING, Any, Generic, Protocol, TextIO, TypeVar

from .exceptions import MissingMetadata, StoreError

if TYPE_CHECKING:
    from boto3.s3.transfer import TransferConfig
    from botocore.client import BaseClient

T = TypeVar("T")
TPull = TypeVar("TPull", covariant=True)
TPush = TypeVar("TPush", covariant=True)


def s3_uri_from(
    path: str,
    bucket: str | None = None,
    *,
    endpoint: str | None = None,
    region: str | None = None,
) -> str:
    """Build an S3 URI naming bucket, endpoint and (optionally) region.

    Without a bucket, AWS_S3_BUCKET is used. A bucket other than AWS_S3_BUCKET needs an
    explicit endpoint; otherwise the endpoint defaults to AWS_S3_ENDPOINT and the region to
    AWS_DEFAULT_REGION.

    Raises:
        MissingMetadata: if the bucket or the endpoint cannot be determined.
    """
    default_bucket = os.environ.get("AWS_S3_BUCKET")
    if not bucket:
        if not default_bucket:
            msg = "Custom environment requires all arguments"
            raise MissingMetadata(msg)
        bucket = default_bucket
    elif bucket != default_bucket and not endpoint:
        msg = "endpoint must be provided for non-default bucket"
        raise MissingMetadata(msg)
    endpoint = endpoint or os.getenv("AWS_S3_ENDPOINT")
    region = region or os.getenv("AWS_DEFAULT_REGION")
    if not endpoint:
        msg = "Missing environment variable: `bucket` is required"
        raise MissingMetadata(msg)
    uri = f"s3://{bucket}/{path}?endpoint={endpoint}"
    return f"{uri}&defaultRegion={region}" if region else uri


class PullFn(Protocol[TPull]):
    """Pulls `base` into the OCI layout directory `dest`."""

    def __call__(self, base: str, dest: Path, **kwargs: Any) -> TPull: ...


class PushFn(Protocol[TPush]):
    """Pushes the OCI layout directory `src` to `oci_ref`."""

    def __call__(self, src: Path, oci_ref: str, **kwargs: Any) -> TPush: ...


@dataclass
class BackendDefinition(Generic[TPull, TPush]):
    """An OCI backend: `is_available()`, `pull(base_image, dest_dir, **kw)`, `push(src, oci_ref, **kw)`.

    The keyword arguments carry `authfile` (a registry auth JSON file) when credentials are set.
    """

    is_available: Callable[[], bool]
    pull: PullFn[TPull]
    push: PushFn[TPush]


@dataclass
class OCIParams:
    """Where and how `upload_artifact_and_register_model` stores a model as an OCI image."""

    base_image: str
    oci_ref: str
    dest_dir: str | os.PathLike | None = None
    backend: str = "skopeo"
    modelcard: os.PathLike | None = None
    custom_oci_backend: BackendDefinition | Mapping[str, Callable[..., Any]] | None = None
    oci_auth_env_var: str | None = None
    oci_username: str | None = None
    oci_password: str | None = None


@dataclass
class S3Params:
    """Where and how `upload_artifact_and_register_model` uploads a model to S3.

    Unset credentials and endpoint come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    AWS_S3_ENDPOINT and AWS_DEFAULT_REGION.
    """

    bucket_name: str
    s3_prefix: str
    endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    region: str | None = None
    multipart_threshold: int = 1024 * 1024
    multipart_chunksize: int = 1024 * 1024
    max_pool_connections: int = 10


def _olot_backend(module: str, available: str, pull: str, push: str, flags: tuple[str, str, str]):
    """A BackendDefinition over one of olot's CLI wrappers (skopeo or oras)."""

    def make(pull_args: list[str] | None = None, push_args: list[str] | None = None) -> BackendDefinition:
        try:
            olot = __import__(module, fromlist=[available, pull, push])
        except ImportError as e:
            msg = f"Could not import '{module}'. Ensure that 'olot' is installed to use this backend."
            raise ImportError(msg) from e
        pull_prefix, push_prefix, auth_suffix = flags

        def params(prefix: str, extra: list[str] | None, kwargs: dict[str, Any]) -> list[str]:
            out: list[str] = []
            for key, value in kwargs.items():
                name = f"{prefix}-{auth_suffix}" if key == "authfile" else key
                out += [name, str(value)]
            return out + list(extra or [])

        def do_pull(base_image: str, dest: Path, **kwargs: Any) -> CompletedProcess[bytes]:
            return _scrub_errors(lambda: getattr(olot, pull)(base_image, dest, params(pull_prefix, pull_args, kwargs)))

        def do_push(src: Path, oci_ref: str, **kwargs: Any) -> CompletedProcess[bytes]:
            return _scrub_errors(lambda: getattr(olot, push)(src, oci_ref, params(push_prefix, push_args, kwargs)))

        return BackendDefinition(is_available=getattr(olot, available), pull=do_pull, push=do_push)

    return make


def _scrub_errors(func: Callable[[], CompletedProcess[bytes]]) -> CompletedProcess[bytes]:
    """Runs a backend command; its failure is reported without the command line (credentials)."""
    try:
        return func()
    except CalledProcessError as e:
        msg = "Problem with command"
        raise RuntimeError(msg, e.returncode, e.stderr) from None


BackendDict = dict[str, Callable[[], BackendDefinition]]

DEFAULT_BACKENDS: BackendDict = {
    "skopeo": _olot_backend("olot.backend.skopeo", "is_skopeo", "skopeo_pull", "skopeo_push",
                            ("--src", "--dest", "authfile")),
    "oras": _olot_backend("olot.backend.oras_cp", "is_oras", "oras_pull", "oras_push",
                          ("--from", "--to", "registry-config")),
}


def save_to_oci_registry(
    base_image: str,
    oci_ref: str,
    model_files_path: str | os.PathLike,
    dest_dir: str | os.PathLike | None = None,
    backend: str = "skopeo",
    modelcard: os.PathLike | None = None,
    custom_oci_backend: BackendDefinition | Mapping[str, Callable[..., Any]] | None = None,
    oci_auth_env_var: str | None = None,
    oci_username: str | None = None,
    oci_password: str | None = None,
) -> str:
    """Add the model files as layers on top of `base_image` and push the result to `oci_ref`.

    Returns:
        The model's URI, `oci://<oci_ref>`.

    Raises:
        StoreError: if `olot` is not installed.
        ValueError: if the backend is unknown or not available.
    """
    try:
        from olot.basics import oci_layers_on_top
    except ImportError as e:
        msg = (
            "Package `olot` is not installed.\nTo save models to OCI compatible storage, install the `olot` "
            "package, either directly or as an extra (`model-registry[olot]`)."
        )
        raise StoreError(msg) from e

    auth: str | None = None
    if oci_auth_env_var:
        auth = _validate_env_var(oci_auth_env_var)
    elif ".dockerconfigjson" in os.environ:
        auth = os.environ[".dockerconfigjson"]
    elif oci_username and oci_password:
        auth = json.dumps(create_auth_object(oci_ref, oci_username, oci_password))

    if custom_oci_backend is not None:
        backend_def = (
            BackendDefinition(**custom_oci_backend) if isinstance(custom_oci_backend, Mapping) else custom_oci_backend
        )
    elif backend in DEFAULT_BACKENDS:
        backend_def = DEFAULT_BACKENDS[backend]()
    else:
        msg = f"'{backend}' is not an available backend to use. Available backends: {DEFAULT_BACKENDS.keys()}"
        raise ValueError(msg)
    if not backend_def.is_available():
        msg = (
            f"Backend '{backend}' is selected, but not available on the system. Ensure the dependencies for "
            f"'{backend}' are installed in your environment."
        )
        raise ValueError(msg)

    temporary = dest_dir is None
    local_image = Path(tempfile.mkdtemp() if dest_dir is None else dest_dir)
    try:
        with temp_auth_file(auth) as auth_file:
            params = {"authfile": auth_file.name} if auth_file is not None else {}
            backend_def.pull(base_image, local_image, **params)
            files = [absolute for absolute, _ in _get_files_from_path(str(model_files_path))]
            oci_layers_on_top(local_image, files, modelcard, root_dir=model_files_path)
            backend_def.push(local_image, oci_ref, **params)
    finally:
        if temporary:
            shutil.rmtree(local_image, ignore_errors=True)
    return f"oci://{oci_ref}"


@contextmanager
def temp_auth_file(auth: str | None) -> Generator[TextIO | None, None, None]:
    """A closed temporary JSON file holding `auth` (None if there is no auth), removed afterwards."""
    if auth is None:
        yield None
        return
    path: str | None = None
    try:
        with tempfile.NamedTemporaryFile(mode="w+", encoding="utf-8", suffix=".json", delete=False) as file:
            path = file.name
            file.write(auth)
        yield file  # type: ignore[misc]
    finally:
        if path is not None:
            with suppress(OSError):
                os.unlink(path)


def _s3_creds(
    endpoint_url: str | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    region: str | None = None,
) -> tuple[str, str, str, str | None]:
    """Arguments, falling back to the AWS_* environment variables.

    Raises:
        ValueError: if the endpoint or the credentials are missing.
    """
    endpoint_url = endpoint_url or os.getenv("AWS_S3_ENDPOINT")
    access_key_id = access_key_id or os.getenv("AWS_ACCESS_KEY_ID")
    secret_access_key = secret_access_key or os.getenv("AWS_SECRET_ACCESS_KEY")
    region = region or os.getenv("AWS_DEFAULT_REGION")
    if not endpoint_url:
        msg = "Please set either `AWS_S3_ENDPOINT` as environment variable or specify `endpoint_url` as the parameter."
        raise ValueError(msg)
    if not (access_key_id and secret_access_key):
        msg = (
            "Environment variables `AWS_ACCESS_KEY_ID` or `AWS_SECRET_ACCESS_KEY` were not set. Please either set "
            "these environment variables or pass them in as parameters using `access_key_id` or `secret_access_key`."
        )
        raise ValueError(msg)
    return endpoint_url, access_key_id, secret_access_key, region


def _upload_to_s3(
    path: str,
    bucket: str,
    s3: BaseClient,
    path_prefix: str,
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    transfer_config: TransferConfig | None = None,
) -> str:
    """Upload a file, or a directory tree, under `path_prefix`; returns its S3 URI."""
    path_prefix = path_prefix.rstrip("/")
    uri = s3_uri_from(path=path_prefix, bucket=bucket, endpoint=endpoint_url, region=region)
    for absolute, relative in _get_files_from_path(path):
        key = posixpath.join(path_prefix, Path(relative).as_posix())
        s3.upload_file(Filename=absolute, Bucket=bucket, Key=key, Config=transfer_config)
    return uri


def _connect_to_s3(
    endpoint_url: str | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    region: str | None = None,
    multipart_threshold: int | None = None,
    multipart_chunksize: int | None = None,
    max_pool_connections: int | None = None,
) -> tuple[BaseClient, TransferConfig]:
    """A boto3 S3 client and transfer configuration.

    Raises:
        StoreError: if boto3 is not installed.
    """
    try:
        from boto3 import client
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config
    except ImportError as e:
        msg = (
            "package `boto3` is not installed.\nTo save models to an S3 compatible storage, install the `boto3` "
            "package, either directly or as an extra (`model-registry[boto3]`)."
        )
        raise StoreError(msg) from e
    transfer = TransferConfig(multipart_threshold=multipart_threshold, multipart_chunksize=multipart_chunksize)
    s3 = client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        region_name=region,
        config=Config(max_pool_connections=max_pool_connections),
    )
    return s3, transfer


def upload_to_s3(
    s3_auth: S3Params,
    path: str,
    s3_client: BaseClient | None = None,
    transfer_config: TransferConfig | None = None,
) -> str:
    """Upload a file or directory as `s3_auth` describes; returns its S3 URI."""
    if s3_client and not transfer_config:
        msg = "Both `transfer_config` and `s3_client` must be provided if S3 is provided."
        raise ValueError(msg)
    endpoint, key_id, secret, region = _s3_creds(
        s3_auth.endpoint_url, s3_auth.access_key_id, s3_auth.secret_access_key, s3_auth.region)
    if s3_client is None:
        s3_client, transfer_config = _connect_to_s3(
            endpoint, key_id, secret, region, s3_auth.multipart_threshold, s3_auth.multipart_chunksize,
            s3_auth.max_pool_connections)
    return _upload_to_s3(path=path, bucket=s3_auth.bucket_name, s3=s3_client, path_prefix=s3_auth.s3_prefix,
                         endpoint_url=endpoint, region=region, transfer_config=transfer_config)


def _get_files_from_path(path: str) -> list[tuple[str, str]]:
    """(absolute path, path relative to `path`) of the file, or of every file under the directory.

    Raises:
        ValueError: if the path does not exist.
    """
    if not os.path.exists(path):
        msg = f"Path '{path}' does not exist. Please ensure path is correct."
        raise ValueError(msg)
    if os.path.isfile(path):
        return [(path, os.path.basename(path))]
    files = []
    for root, _, names in os.walk(path):
        for name in sorted(names):
            absolute = os.path.join(root, name)
            files.append((absolute, os.path.relpath(absolute, path)))
    return files


def _validate_env_var(var: str) -> str:
    if not (value := os.getenv(var)):
        msg = f"Cannot find environment variable '{var}'."
        raise ValueError(msg)
    return value


def get_auth_reference(image_path: str) -> str:
    """The key of an image's registry in a container auth.json ('docker.io' for Docker Hub short names).

    'quay.io/org/repo:1.0' -> 'quay.io/org/repo'; 'ubuntu:22.04' -> 'docker.io';
    'localhost:5000/img:tag' -> 'localhost:5000/img'.
    """
    repo = image_path.split("@", 1)[0]
    if repo.rfind(":") > repo.rfind("/"):
        repo = repo[: repo.rfind(":")]
    host = repo.split("/", 1)[0]
    if "." not in host and ":" not in host:
        return "docker.io"
    return repo


def create_auth_object(oci_ref: str, username: str, password: str) -> dict[str, dict[str, dict[str, str]]]:
    """A container auth.json object for `oci_ref`'s registry."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"auths": {get_auth_reference(oci_ref): {"auth": token}}}


def rand_suffix(size: int = 8) -> str:
    """A random hex string of 2*size characters."""
    return os.urandom(size).hex()


def generate_name(prefix: str) -> str:
    """A random name such as `run_1a2b3c4d5e6f7a8b`."""
    return f"{prefix}_{rand_suffix()}"


class ThreadSafeVariable(Generic[T]):
    """A value each thread sees and sets on its own, starting from a copy of the initial value."""

    def __init__(self, value: T):
        self.local = threading.local()
        self._initial_value = value

    def get(self) -> T:
        if not hasattr(self.local, "value"):
            self.local.value = self._initial_value
        return copy.deepcopy(self.local.value)

    def set(self, value: T) -> None:
        self.local.value = value
