"""The model registry client: the upstream `ModelRegistry` API over libmodelregistry."""

from __future__ import annotations

import contextlib
import inspect
import logging
import os
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar, get_args
from urllib.parse import urlsplit
from warnings import warn

from ._experiments import ActiveExperimentRun, RunContext
from ._utils import required_args
from .core import ModelRegistryAPIClient
from .exceptions import ConflictException, StoreError
from .types import (
    Experiment,
    ExperimentRun,
    ExperimentRunArtifact,
    ListOptions,
    ModelArtifact,
    ModelVersion,
    Pager,
    RegisteredModel,
    SupportedTypes,
)
from .types.base import BaseResourceModel
from .utils import (
    OCIParams,
    S3Params,
    ThreadSafeVariable,
    _connect_to_s3,
    _s3_creds,
    _upload_to_s3,
    generate_name,
    save_to_oci_registry,
)

TModel = TypeVar("TModel", bound=BaseResourceModel)
T = TypeVar("T")

logger = logging.getLogger("model-registry")

DEFAULT_USER_TOKEN_ENVVAR = "KF_PIPELINES_SA_TOKEN_PATH"  # noqa: S105
DEFAULT_K8S_SA_TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token"  # noqa: S105
_EMBEDDED_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def is_embedded_address(server_address: str) -> bool:
    """Whether the address names an SQLite file rather than a server."""
    lowered = server_address.lower()
    if lowered.startswith(("sqlite:", "file:")):
        return True
    if "://" in server_address:
        return False
    return "/" in server_address or os.sep in server_address or lowered.endswith(_EMBEDDED_SUFFIXES)


def _run_now(coro: Coroutine[Any, Any, T]) -> T:
    """Runs a coroutine that never suspends (all of ours) to completion, without an event loop."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    msg = "a registry coroutine suspended; pass an async_runner to run it"
    raise RuntimeError(msg)


class ModelRegistry:
    """Model registry client: a server, or an embedded registry on an SQLite file."""

    def __init__(
        self,
        server_address: str,
        port: int | None = None,
        *,
        author: str,
        is_secure: bool | None = None,
        user_token: str | None = None,
        user_token_envvar: str | None = None,
        custom_ca: str | None = None,
        custom_ca_envvar: str | None = None,
        log_level: int = logging.WARNING,
        async_runner: Callable[[Coroutine[Any, Any, T]], T] | None = None,
    ):
        """Connect to a registry.

        Args:
            server_address: `https://host`, `http://host` (the upstream forms), or for an embedded
                registry in this process `sqlite:///path/registry.db`, `file:path.db` or a path.
            port: Server port. Inferred from the URL if not given: its port, else 8080 for
                http:// and 443 otherwise. Ignored for an embedded registry.

        Keyword Args:
            author: Name of the author.
            is_secure: Verify TLS and require a token. Inferred from the scheme if not given.
            user_token: Bearer token sent with every request.
            user_token_envvar: Environment variable naming a file to read the token from if it's
                not passed. Defaults to KF_PIPELINES_SA_TOKEN_PATH, then the Kubernetes
                service account token file.
            custom_ca: Path to PEM-encoded root certificates to trust.
            custom_ca_envvar: Environment variable holding that path if `custom_ca` is not given.
            log_level: Log level. Defaults to logging.WARNING.
            async_runner: A function or method that runs a coroutine to completion, for every
                registry call (optional: calls run synchronously without it).
        """
        logger.setLevel(log_level)
        self._author = author
        if async_runner:
            if not (inspect.ismethod(async_runner) or inspect.isfunction(async_runner)):
                msg = "`async_runner` must be a bound method or a function that takes in a coroutine to run."
                raise ValueError(msg)
            self._user_async_runner = async_runner

        if is_embedded_address(server_address):
            self._api = ModelRegistryAPIClient.embedded_connection(server_address)
        else:
            self._api = self._remote_api(server_address, port, is_secure, user_token, user_token_envvar,
                                         custom_ca, custom_ca_envvar)
        self._active_experiment_context = ThreadSafeVariable(value=RunContext())
        self.get_registered_models().page_size(1).next_page()

    def _remote_api(self, server_address: str, port: int | None, is_secure: bool | None, user_token: str | None,
                    user_token_envvar: str | None, custom_ca: str | None,
                    custom_ca_envvar: str | None) -> ModelRegistryAPIClient:
        if not user_token:
            user_token = self._get_user_token(user_token_envvar)
            if not user_token:
                warn("User access token is missing", stacklevel=3)
        scheme = urlsplit(server_address).scheme if "://" in server_address else ""
        if scheme in ("http", "https"):
            url_port = urlsplit(server_address).port
            port = url_port or port or (8080 if scheme == "http" else 443)
            if is_secure is None:
                is_secure = scheme == "https"
        elif port is None:
            port = 443
        if is_secure is None:
            is_secure = True
        self.hint_server_address_port(server_address, port)
        if not is_secure:
            return ModelRegistryAPIClient.insecure_connection(server_address, port, user_token)
        if not custom_ca and custom_ca_envvar and (cert := os.getenv(custom_ca_envvar)):
            logger.info("Using custom CA envvar %s", custom_ca_envvar)
            custom_ca = cert
        if not user_token:
            msg = "user token must be provided for secure connection"
            raise StoreError(msg)
        return ModelRegistryAPIClient.secure_connection(server_address, port, user_token=user_token,
                                                        custom_ca=custom_ca)

    @staticmethod
    def _get_user_token(user_token_envvar: str | None = None) -> str | None:
        """The token from the file an environment variable names, or the service account's."""
        if user_token_envvar:
            try:
                path, user_provided = os.environ[user_token_envvar], True
            except KeyError:
                msg = f"user_token_envvar is {user_token_envvar!r} but no such env var is set"
                raise ValueError(msg) from None
        elif DEFAULT_USER_TOKEN_ENVVAR in os.environ:
            path, user_provided = os.environ[DEFAULT_USER_TOKEN_ENVVAR], True
        else:
            path, user_provided = DEFAULT_K8S_SA_TOKEN_PATH, False
        logger.info("Reading user token from path %r", path)
        try:
            # A trailing newline would not be a valid header value.
            return Path(path).read_text().strip()
        except OSError as exc:
            msg = f"Unable read user token from {path!r}"
            if user_provided:
                raise StoreError(msg) from exc
            logger.info(msg)
        return None

    @staticmethod
    def hint_server_address_port(server_address: str, port: int) -> None:
        """Warn when the port does not look like the scheme's."""
        if server_address.startswith("https://") and not str(port).endswith("443"):
            logger.warning("Server address protocol is https://, but port is not 443 or ending with 443. "
                           "You may want to verify the configuration is correct.")
        if server_address.startswith("http://") and not str(port).endswith("80"):
            logger.warning("Server address protocol is http://, but port is not 80 or ending with 80. "
                           "You may want to verify the configuration is correct.")

    def async_runner(self, coro: Coroutine[Any, Any, T]) -> T:
        """Runs one registry call: with the user's async_runner if given, else directly."""
        if hasattr(self, "_user_async_runner"):
            return self._user_async_runner(coro)
        return _run_now(coro)

    def close(self) -> None:
        """Release the connection (for an embedded registry: the SQLite file)."""
        self._api.close()

    def __enter__(self) -> ModelRegistry:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- registration ---------------------------------------------------------------------
    async def _register_model(self, name: str, **kwargs: Any) -> RegisteredModel:
        if rm := await self._api.get_registered_model_by_params(name):
            return rm
        try:
            return await self._api.upsert_registered_model(RegisteredModel(name=name, **kwargs))
        except ConflictException:
            # Another client created it since we looked: use theirs.
            if rm := await self._api.get_registered_model_by_params(name):
                return rm
            raise

    async def _register_new_version(self, rm: RegisteredModel, version: str, author: str, /,
                                    **kwargs: Any) -> ModelVersion:
        assert rm.id is not None, "Registered model must have an ID"
        if await self._api.get_model_version_by_params(rm.id, version):
            msg = f"Version {version} already exists"
            raise StoreError(msg)
        return await self._api.upsert_model_version(ModelVersion(name=version, author=author, **kwargs), rm.id)

    async def _register_model_artifact(self, mv: ModelVersion, name: str, uri: str, /,
                                       **kwargs: Any) -> ModelArtifact:
        assert mv.id is not None, "Model version must have an ID"
        return await self._api.upsert_model_version_artifact(ModelArtifact(name=name, uri=uri, **kwargs), mv.id)

    def register_model(
        self,
        name: str,
        uri: str,
        *,
        model_format_name: str,
        model_format_version: str,
        version: str,
        storage_key: str | None = None,
        storage_path: str | None = None,
        service_account_name: str | None = None,
        model_source_kind: str | None = None,
        model_source_class: str | None = None,
        model_source_group: str | None = None,
        model_source_id: str | None = None,
        model_source_name: str | None = None,
        author: str | None = None,
        owner: str | None = None,
        version_description: str | None = None,
        description: str | None = None,
        metadata: Mapping[str, SupportedTypes] | None = None,
    ) -> RegisteredModel:
        """Register a model version and its artifact, creating the registered model if needed.

        Args:
            name: Name of the model.
            uri: URI of the model.

        Keyword Args:
            version: Version of the model. Has to be unique within the model.
            model_format_name: Name of the model format.
            model_format_version: Version of the model format.
            version_description: Description of the model version.
            description: Deprecated. Use version_description instead.
            author: Author of the model version. Defaults to the client author.
            owner: Owner of a new registered model. Defaults to the client author.
            storage_key: Storage key.
            storage_path: Storage path.
            service_account_name: Service account name.
            model_source_kind: A string identifier describing the source kind.
            model_source_class: A subgroup within the source kind.
            model_source_group: This identifies a source group for models from source class.
            model_source_id: A unique identifier for a source model within kind, class, and group.
            model_source_name: A human-readable name for the source model.
            metadata: Additional version metadata (customProperties).

        Returns:
            The registered model.

        Raises:
            StoreError: if the version already exists.
        """
        version_description = _deprecated_description(description, version_description)
        version_fields = {"description": version_description, "custom_properties": metadata or {}}
        artifact_fields = {
            "model_format_name": model_format_name,
            "model_format_version": model_format_version,
            "storage_key": storage_key,
            "storage_path": storage_path,
            "service_account_name": service_account_name,
            "model_source_kind": model_source_kind,
            "model_source_class": model_source_class,
            "model_source_group": model_source_group,
            "model_source_id": model_source_id,
            "model_source_name": model_source_name,
        }
        if self._api.supports_atomic_registration:
            # Embedded: one transaction, so a failure leaves no version without its artifact.
            try:
                rm = self.async_runner(self._api.register_model_atomically(
                    RegisteredModel(name=name, owner=owner or self._author),
                    ModelVersion(name=version, author=author or self._author, **version_fields),
                    ModelArtifact(name=name, uri=uri, **artifact_fields)))
            except ConflictException as e:
                if "model version" not in (e.message or ""):
                    raise
                msg = f"Version {version} already exists"
                raise StoreError(msg) from e
            return rm
        rm = self.async_runner(self._register_model(name, owner=owner or self._author))
        mv = self.async_runner(self._register_new_version(rm, version, author or self._author, **version_fields))
        self.async_runner(self._register_model_artifact(mv, name, uri, **artifact_fields))
        return rm

    def upload_artifact_and_register_model(
        self,
        name: str,
        model_files_path: str,
        *,
        upload_params: OCIParams | S3Params,
        version: str,
        model_format_name: str | None = None,
        model_format_version: str | None = None,
        storage_path: str | None = None,
        storage_key: str | None = None,
        service_account_name: str | None = None,
        author: str | None = None,
        owner: str | None = None,
        version_description: str | None = None,
        description: str | None = None,
        metadata: Mapping[str, SupportedTypes] | None = None,
    ) -> RegisteredModel:
        """Upload the model files to S3 or an OCI registry, then register them (see register_model).

        The model format may be left out here (upstream requires it, although its README's
        upload examples omit it).

        Raises:
            StoreError: if this version of the model already exists.
            ValueError: if `upload_params` is missing or invalid.
        """
        version_description = _deprecated_description(description, version_description)
        existing = None
        with contextlib.suppress(StoreError):
            existing = self.get_model_version(name=name, version=version)
        if existing:
            msg = f"Model `{name}:{version}` already exists in Model Registry."
            raise StoreError(msg)

        if isinstance(upload_params, S3Params):
            destination_uri = self.save_to_s3(**asdict(upload_params), path=model_files_path)
        elif isinstance(upload_params, OCIParams):
            params = {k: getattr(upload_params, k) for k in upload_params.__dataclass_fields__}
            destination_uri = save_to_oci_registry(**params, model_files_path=model_files_path)
        else:
            msg = 'Param "upload_params" is required to perform an upload. Please ensure the value provided is valid'
            raise ValueError(msg)

        return self.register_model(
            name, destination_uri,
            model_format_name=model_format_name,
            model_format_version=model_format_version,
            version=version,
            storage_key=storage_key,
            storage_path=storage_path,
            service_account_name=service_account_name,
            author=author,
            owner=owner,
            version_description=version_description,
            metadata=metadata,
        )

    def update(self, model: TModel) -> TModel:
        """Store changes to a registered model, model version or model artifact."""
        if not model.id:
            msg = "Model must have an ID"
            raise StoreError(msg)
        if not isinstance(model, BaseResourceModel):
            msg = f"Model must be an instance of {BaseResourceModel.__name__} or a subclass"
            raise StoreError(msg)
        if isinstance(model, RegisteredModel):
            return self.async_runner(self._api.upsert_registered_model(model))  # type: ignore[return-value]
        if isinstance(model, ModelVersion):
            return self.async_runner(self._api.upsert_model_version(model, None))  # type: ignore[return-value]
        return self.async_runner(self._api.upsert_model_artifact(model))  # type: ignore[arg-type,return-value]

    def register_hf_model(
        self,
        repo: str,
        path: str,
        *,
        version: str,
        model_format_name: str,
        model_format_version: str,
        author: str | None = None,
        owner: str | None = None,
        model_name: str | None = None,
        version_description: str | None = None,
        description: str | None = None,
        git_ref: str = "main",
    ) -> RegisteredModel:
        """Register a model file of a Hugging Face Hub repository (nothing is downloaded).

        Args:
            repo: Hugging Face Hub repository, e.g. `namespace/model`.
            path: Path of the model file in the repository.

        Keyword Args:
            version: Version of the model. Has to be unique.
            model_format_name: Name of the model format.
            model_format_version: Version of the model format.
            author: Author of the model. Defaults to the repository's author.
            owner: Owner of the model. Defaults to the client author.
            model_name: Name of the model. Defaults to the repository ID.
            version_description: Description of the model version.
            description: Deprecated. Use version_description instead.
            git_ref: Git reference to use. Defaults to `main`.
        """
        version_description = _deprecated_description(description, version_description)
        try:
            from huggingface_hub import HfApi, hf_hub_url, utils
        except ImportError as e:
            msg = (
                "package `huggingface-hub` is not installed.\nTo import models from Hugging Face Hub, install the "
                "`huggingface-hub` package, either directly or as an extra (`model-registry[hf]`)."
            )
            raise StoreError(msg) from e

        try:
            model_info = HfApi().model_info(repo, revision=git_ref)
        except utils.RepositoryNotFoundError as e:
            msg = f"Repository {repo} does not exist"
            raise StoreError(msg) from e
        except utils.RevisionNotFoundError as e:
            msg = f"Revision {git_ref} does not exist"
            raise StoreError(msg) from e

        if author:
            model_author = author
        elif model_info.author is None:
            model_author = "unknown"
            warn("Model author is unknown. This is likely because the model is in a global namespace.", stacklevel=2)
        else:
            model_author = model_info.author
        source_uri = hf_hub_url(repo, path, revision=git_ref)
        metadata: dict[str, SupportedTypes] = {
            "repo": repo,
            "source_uri": source_uri,
            "model_origin": "huggingface_hub",
            "model_author": model_author,
        }
        if card_data := getattr(model_info, "card_data", None) or getattr(model_info, "cardData", None):
            metadata.update({k: v for k, v in card_data.to_dict().items() if isinstance(v, get_args(SupportedTypes))})
        return self.register_model(
            model_name or model_info.id,
            source_uri,
            author=author or model_author,
            owner=owner or self._author,
            version=version,
            model_format_name=model_format_name,
            model_format_version=model_format_version,
            version_description=version_description,
            storage_path=path,
            metadata=metadata,
        )

    # -- reading --------------------------------------------------------------------------
    def get_registered_model(self, name: str) -> RegisteredModel | None:
        """The registered model with this name, or None."""
        return self.async_runner(self._api.get_registered_model_by_params(name))

    def get_model_version(self, name: str, version: str) -> ModelVersion | None:
        """The version of the named model, or None.

        Raises:
            StoreError: if the model does not exist.
        """
        if not (rm := self.get_registered_model(name)):
            msg = f"Model {name} does not exist"
            raise StoreError(msg)
        assert rm.id
        return self.async_runner(self._api.get_model_version_by_params(rm.id, version))

    def get_model_artifact(self, name: str, version: str) -> ModelArtifact | None:
        """The model artifact of the version of the named model, or None.

        Raises:
            StoreError: if the model or the version does not exist.
        """
        if not (mv := self.get_model_version(name, version)):
            msg = f"Version {version} does not exist"
            raise StoreError(msg)
        assert mv.id
        return self.async_runner(self._api.get_model_artifact_by_params(name, mv.id))

    def get_registered_models(self) -> Pager[RegisteredModel]:
        """A pager over all registered models."""
        return Pager[RegisteredModel](lambda options: self.async_runner(self._api.get_registered_models(options)))

    def get_model_versions(self, name: str) -> Pager[ModelVersion]:
        """A pager over the versions of the named model.

        Raises:
            StoreError: if the model does not exist.
        """
        if not (rm := self.get_registered_model(name)):
            msg = f"Model {name} does not exist"
            raise StoreError(msg)
        rm_id = rm.id or ""
        return Pager[ModelVersion](lambda options: self.async_runner(self._api.get_model_versions(rm_id, options)))

    def save_to_s3(
        self,
        path: str,
        bucket_name: str,
        s3_prefix: str,
        *,
        endpoint_url: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        region: str | None = None,
        multipart_threshold: int = 1024 * 1024,
        multipart_chunksize: int = 1024 * 1024,
        max_pool_connections: int = 10,
    ) -> str:
        """Upload a file or directory to S3-compatible storage; returns its S3 URI (see utils.s3_uri_from)."""
        endpoint_url, access_key_id, secret_access_key, region = _s3_creds(
            endpoint_url, access_key_id, secret_access_key, region)
        s3, transfer_config = _connect_to_s3(
            endpoint_url=endpoint_url,
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
            region=region,
            multipart_threshold=multipart_threshold,
            multipart_chunksize=multipart_chunksize,
            max_pool_connections=max_pool_connections,
        )
        return _upload_to_s3(path=path, path_prefix=s3_prefix, bucket=bucket_name, s3=s3,
                             endpoint_url=endpoint_url, region=region, transfer_config=transfer_config)

    # -- experiments ----------------------------------------------------------------------
    def start_experiment_run(
        self,
        experiment_name: str | None = None,
        experiment_id: str | None = None,
        run_name: str | None = None,
        run_id: str | None = None,
        *,
        owner: str | None = None,
        description: str | None = None,
        run_description: str | None = None,
        nested: bool = False,
        nested_tag: str | None = "kubeflow.parent_run_id",
    ) -> ActiveExperimentRun:
        """Start (or resume) a run of an experiment; use it as a context manager.

        The experiment is found by name or ID and created if missing (with a random name if
        none is given). `run_id` resumes that run; `run_name` resumes the run of that name or
        creates it; otherwise a new run with a random name is created. Inside an active run,
        `nested=True` starts a child run in the same experiment, tagged with its parent's ID.

        Raises:
            ValueError: when a run is already active in this thread and `nested` is False.
        """
        active = self._active_experiment_context.get()
        if active.active and not nested:
            msg = "Experiment run is already active. Please set nested=True to start a nested run."
            raise ValueError(msg)
        exp_name = experiment_name or active.name
        exp_id = experiment_id or active.id
        if not any([exp_name, exp_id, nested]):
            exp_name = generate_name("experiment")
        experiment = self._get_or_create_experiment(exp_name, exp_id, owner, description)
        parent = {nested_tag: active.run_id} if nested and active.active and nested_tag else {}
        run = self._get_or_create_run(experiment, run_name, run_id, run_description, parent, nested)
        self._active_experiment_context.set(
            RunContext(id=experiment.id, name=experiment.name, run_id=run.id, active=True))
        return ActiveExperimentRun(thread_safe_ctx=self._active_experiment_context, experiment_run=run,
                                   api=self._api, async_runner=self.async_runner, previous_ctx=active)

    def _get_or_create_experiment(self, exp_name: str | None, exp_id: str | None, owner: str | None,
                                  description: str | None) -> Experiment:
        if exp_name:
            exp = self.async_runner(self._api.get_experiment_by_name(exp_name))
        elif exp_id:
            exp = self.async_runner(self._api.get_experiment_by_id(exp_id))
            if exp is None:
                msg = f"Experiment with ID {exp_id} does not exist"
                raise StoreError(msg)
        else:
            msg = "Either experiment_name or experiment_id must be provided"
            raise ValueError(msg)
        if not exp:
            try:
                exp = self.async_runner(self._api.upsert_experiment(
                    Experiment(name=exp_name, owner=owner, description=description)))  # type: ignore[arg-type]
            except ConflictException:
                # Created concurrently (e.g. by another thread logging to the same experiment).
                if not (exp := self.async_runner(self._api.get_experiment_by_name(exp_name))):
                    raise
                return exp
            print(f"Experiment {exp_name} created with ID: {exp.id}")
        return exp

    def _get_or_create_run(self, experiment: Experiment, run_name: str | None, run_id: str | None,
                           run_description: str | None, parent_props: dict, nested: bool) -> ExperimentRun:
        exp_id = experiment.id or ""
        if run_id:
            run = self.async_runner(self._api.get_experiment_run_by_experiment_and_run_id(
                run_id, experiment_id=exp_id))
            if run is None:
                msg = f"Experiment run {run_id} does not exist in experiment {experiment.name}"
                raise StoreError(msg)
            return run
        if run_name and (run := self.async_runner(self._api.get_experiment_run_by_experiment_and_run_name(
                run_name, experiment_id=exp_id))):
            return run
        run = self.async_runner(self._api.upsert_experiment_run(ExperimentRun(
            experiment_id=exp_id,
            name=run_name or generate_name("run"),
            description=run_description,
            custom_properties=parent_props or None,
        )))
        print(f"{'Nested ' if nested else ''}Experiment Run {run.name} created with ID: {run.id}")
        return run

    def create_experiment(self, name: str) -> Experiment:
        """Create the experiment, or update the one with this name."""
        return self.async_runner(self._api.upsert_experiment(Experiment(name=name)))

    def get_experiment_run(self, run_id: str) -> ExperimentRun:
        """The run with this ID (None if there is none)."""
        return self.async_runner(self._api.get_experiment_run_by_id(run_id))  # type: ignore[return-value]

    def get_experiments(self) -> Pager[Experiment]:
        """A pager over all experiments."""
        return Pager[Experiment](lambda options: self.async_runner(self._api.get_experiments(options)))

    @required_args(("experiment_id",), ("experiment_name",))
    def get_experiment_runs(self, experiment_id: str | None = None,
                            experiment_name: str | None = None) -> Pager[ExperimentRun]:
        """A pager over the runs of an experiment, given by ID or name."""

        def runs(options: ListOptions) -> list[ExperimentRun]:
            if experiment_id:
                return self.async_runner(self._api.get_experiment_runs_by_experiment_id(experiment_id, options))
            return self.async_runner(
                self._api.get_experiment_runs_by_experiment_name(experiment_name or "", options))

        return Pager[ExperimentRun](runs)

    @required_args(("run_id",), ("run_name", "experiment_name"), ("run_name", "experiment_id"))
    def get_experiment_run_logs(self, run_id: str | None = None, run_name: str | None = None,
                                experiment_id: str | None = None,
                                experiment_name: str | None = None) -> Pager[ExperimentRunArtifact]:
        """A pager over the parameters, metrics and datasets logged to a run."""

        def logs(options: ListOptions) -> list[ExperimentRunArtifact]:
            return self.async_runner(self._api.get_artifacts_by_experiment_run_params(
                run_id=run_id, run_name=run_name, experiment_id=experiment_id, experiment_name=experiment_name,
                options=options))

        return Pager[ExperimentRunArtifact](logs)  # type: ignore[type-var]


def _deprecated_description(description: str | None, version_description: str | None) -> str | None:
    if description is None:
        return version_description
    warn("The 'description' parameter is deprecated and will be removed in a future version. "
         "Use 'version_description' instead.", DeprecationWarning, stacklevel=3)
    return version_description if version_description is not None else description
