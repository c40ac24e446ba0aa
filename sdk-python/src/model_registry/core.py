"""The REST calls of the model registry, sent through libmodelregistry.

`ModelRegistryAPIClient` keeps the upstream client's method names and coroutine signatures;
each method is one or two requests and a JSON <-> type conversion. The coroutines never
suspend (the C call blocks), so `ModelRegistry` can run them without an event loop.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from urllib.parse import quote, urlencode, urlsplit

from ._native import Connection
from ._utils import required_args
from .exceptions import ApiException
from .types import (
    Artifact,
    Experiment,
    ExperimentRun,
    ExperimentRunArtifact,
    ListOptions,
    ModelArtifact,
    ModelVersion,
    RegisteredModel,
)

API_PREFIX = "/api/model_registry/v1alpha3"
ArtifactT = TypeVar("ArtifactT", bound=Artifact)


def server_url(server_address: str, port: int, *, secure: bool) -> str:
    """`scheme://host:port[/path]` for an address with or without scheme and port."""
    if "://" not in server_address:
        server_address = f"{'https' if secure else 'http'}://{server_address}"
    parts = urlsplit(server_address)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}:{parts.port or port}{parts.path.rstrip('/')}"


class ModelRegistryAPIClient:
    """Model registry API over one libmodelregistry connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @classmethod
    def secure_connection(cls, server_address: str, port: int = 443, *, user_token: str,
                          custom_ca: str | None = None) -> ModelRegistryAPIClient:
        """A server over TLS with certificate verification (against `custom_ca` if given)."""
        url = server_url(server_address, port, secure=True)
        return cls(Connection(url, {"token": user_token, "ca_file": custom_ca, "verify_tls": True}))

    @classmethod
    def insecure_connection(cls, server_address: str, port: int,
                            user_token: str | None = None) -> ModelRegistryAPIClient:
        """A server over plain HTTP (or TLS without certificate verification)."""
        url = server_url(server_address, port, secure=False)
        return cls(Connection(url, {"token": user_token, "verify_tls": False}))

    @classmethod
    def embedded_connection(cls, uri: str) -> ModelRegistryAPIClient:
        """A registry in this process on an SQLite file (`sqlite:///path`, `file:path` or a path)."""
        return cls(Connection(uri))

    def close(self) -> None:
        self.connection.close()

    # -- transport ------------------------------------------------------------------------
    def _call(self, method: str, path: str, *, query: Mapping[str, Any] | None = None,
              body: Mapping[str, Any] | None = None, missing_ok: bool = False) -> Any:
        """One request; the decoded JSON answer, None for an allowed 404, else ApiException."""
        params = {k: str(v) for k, v in (query or {}).items() if v is not None}
        encoded = urlencode(params, quote_via=quote, safe="")
        payload = json.dumps(body, allow_nan=False).encode() if body is not None else None
        status, data = self.connection.request(method, API_PREFIX + path, encoded, payload)
        if 200 <= status < 300:
            return json.loads(data) if data else {}
        if missing_ok and status == 404:
            return None
        raise ApiException.from_response(status, data)

    def _list(self, path: str, options: ListOptions | None, **extra: Any) -> list[dict[str, Any]]:
        answer = self._call("GET", path, query={**(options or ListOptions()).as_query(), **extra})
        if options:
            options.next_page_token = answer.get("nextPageToken", "")
        return list(answer.get("items") or [])

    # -- registered models ----------------------------------------------------------------
    async def upsert_registered_model(self, registered_model: RegisteredModel) -> RegisteredModel:
        """PATCH the model if it has an ID, else create it."""
        if registered_model.id:
            rm = self._call("PATCH", f"/registered_models/{registered_model.id}", body=registered_model.update())
        else:
            rm = self._call("POST", "/registered_models", body=registered_model.create())
        return RegisteredModel.from_basemodel(rm)

    async def get_registered_model_by_id(self, id: str) -> RegisteredModel | None:
        rm = self._call("GET", f"/registered_models/{id}", missing_ok=True)
        return RegisteredModel.from_basemodel(rm) if rm is not None else None

    @required_args(("name",), ("external_id",))
    async def get_registered_model_by_params(self, name: str | None = None,
                                             external_id: str | None = None) -> RegisteredModel | None:
        rm = self._call("GET", "/registered_model", query={"name": name, "externalId": external_id},
                        missing_ok=True)
        return RegisteredModel.from_basemodel(rm) if rm is not None else None

    async def get_registered_models(self, options: ListOptions | None = None) -> list[RegisteredModel]:
        return [RegisteredModel.from_basemodel(rm) for rm in self._list("/registered_models", options)]

    @property
    def supports_atomic_registration(self) -> bool:
        """True for an embedded registry, where `register_model_atomically` is available."""
        return self.connection.embedded

    async def register_model_atomically(
        self, model: RegisteredModel, version: ModelVersion, artifact: ModelArtifact,
    ) -> RegisteredModel:
        """The registered model (found by name, else created from `model`), a new version under
        it and the version's artifact, in one transaction (`mr_register_model`): all or nothing.
        Returns the registered model, all `register_model` hands back (the version and the
        artifact are left as JSON: building them costs ~10% of a registration's Python time)."""
        body = json.dumps({"registeredModel": model.create(), "modelVersion": version.create(),
                           "modelArtifact": artifact.wrap()}, allow_nan=False).encode()
        status, data = self.connection.register_model(body)
        if status != 201:
            raise ApiException.from_response(status, data)
        return RegisteredModel.from_basemodel(json.loads(data)["registeredModel"])

    # -- model versions -------------------------------------------------------------------
    async def upsert_model_version(self, model_version: ModelVersion,
                                   registered_model_id: str | None = None) -> ModelVersion:
        """PATCH the version if it has an ID, else create it under `registered_model_id`."""
        if model_version.id:
            mv = self._call("PATCH", f"/model_versions/{model_version.id}", body=model_version.update())
        elif registered_model_id:
            mv = self._call("POST", "/model_versions",
                            body={**model_version.create(), "registeredModelId": registered_model_id})
        else:
            msg = f"Registered model ID required for creating a new model version: {model_version}"
            raise ValueError(msg)
        return ModelVersion.from_basemodel(mv)

    async def get_model_version_by_id(self, model_version_id: str) -> ModelVersion | None:
        mv = self._call("GET", f"/model_versions/{model_version_id}", missing_ok=True)
        return ModelVersion.from_basemodel(mv) if mv is not None else None

    async def get_model_versions(self, registered_model_id: str,
                                 options: ListOptions | None = None) -> list[ModelVersion]:
        items = self._list(f"/registered_models/{registered_model_id}/versions", options)
        return [ModelVersion.from_basemodel(mv) for mv in items]

    @required_args(("registered_model_id", "name"), ("external_id",))
    async def get_model_version_by_params(self, registered_model_id: str | None = None, name: str | None = None,
                                          external_id: str | None = None) -> ModelVersion | None:
        mv = self._call("GET", "/model_version", missing_ok=True, query={
            "name": name, "externalId": external_id, "parentResourceId": registered_model_id})
        return ModelVersion.from_basemodel(mv) if mv is not None else None

    # -- artifacts ------------------------------------------------------------------------
    async def upsert_model_artifact(self, model_artifact: ModelArtifact) -> ModelArtifact:
        """PATCH the artifact if it has an ID, else create a standalone one."""
        if model_artifact.id:
            ma = self._call("PATCH", f"/model_artifacts/{model_artifact.id}", body=model_artifact.update())
        else:
            ma = self._call("POST", "/model_artifacts", body=model_artifact.create())
        return ModelArtifact.from_basemodel(ma)

    async def upsert_model_version_artifact(self, artifact: ArtifactT, model_version_id: str) -> ArtifactT:
        """Create the artifact under the version (or, if it has an ID, update and link it)."""
        answer = self._call("POST", f"/model_versions/{model_version_id}/artifacts", body=artifact.wrap())
        return cast(ArtifactT, Artifact.validate_artifact(answer))

    async def get_model_artifact_by_id(self, id: str) -> ModelArtifact | None:
        ma = self._call("GET", f"/model_artifacts/{id}", missing_ok=True)
        return ModelArtifact.from_basemodel(ma) if ma is not None else None

    @required_args(("name", "model_version_id"), ("external_id",))
    async def get_model_artifact_by_params(self, name: str | None = None, model_version_id: str | None = None,
                                           external_id: str | None = None) -> ModelArtifact | None:
        ma = self._call("GET", "/model_artifact", missing_ok=True, query={
            "name": name, "externalId": external_id, "parentResourceId": model_version_id})
        return ModelArtifact.from_basemodel(ma) if ma is not None else None

    async def get_model_artifacts(self, model_version_id: str | None = None,
                                  options: ListOptions | None = None) -> list[ModelArtifact]:
        """Model artifacts of one version, or all of them."""
        if model_version_id:
            items = self._list(f"/model_versions/{model_version_id}/artifacts", options)
            return [a for a in map(Artifact.validate_artifact, items) if isinstance(a, ModelArtifact)]
        return [ModelArtifact.from_basemodel(ma) for ma in self._list("/model_artifacts", options)]

    async def get_model_version_artifacts(self, model_version_id: str,
                                          options: ListOptions | None = None) -> list[Artifact]:
        items = self._list(f"/model_versions/{model_version_id}/artifacts", options)
        return [Artifact.validate_artifact(a) for a in items]

    async def get_artifacts(self, filter_query: str | None = None, artifact_type: str | None = None,
                            options: ListOptions | None = None) -> list[Artifact]:
        """Artifacts of every kind, optionally filtered (`filterQuery`, `artifactType`)."""
        extra = {"filterQuery": filter_query}
        if artifact_type is not None:
            extra["artifactType"] = getattr(artifact_type, "value", artifact_type)
        return [Artifact.validate_artifact(a) for a in self._list("/artifacts", options, **extra)]

    # -- experiments ----------------------------------------------------------------------
    async def upsert_experiment(self, experiment: Experiment) -> Experiment:
        """PATCH the experiment with this ID or name, or create it."""
        existing_id = experiment.id
        if not existing_id and (found := await self.get_experiment_by_name(experiment.name)):
            existing_id = found.id
        if existing_id:
            exp = self._call("PATCH", f"/experiments/{existing_id}", body=experiment.update())
        else:
            exp = self._call("POST", "/experiments", body=experiment.create())
        return Experiment.from_basemodel(exp)

    async def get_experiment_by_name(self, name: str) -> Experiment | None:
        exp = self._call("GET", "/experiment", query={"name": name}, missing_ok=True)
        return Experiment.from_basemodel(exp) if exp is not None else None

    async def get_experiment_by_id(self, id: str | int) -> Experiment | None:
        exp = self._call("GET", f"/experiments/{id}", missing_ok=True)
        return Experiment.from_basemodel(exp) if exp is not None else None

    async def get_experiments(self, options: ListOptions | None = None) -> list[Experiment]:
        return [Experiment.from_basemodel(e) for e in self._list("/experiments", options)]

    async def upsert_experiment_run(self, experiment_run: ExperimentRun) -> ExperimentRun:
        """PATCH the run if it has an ID, else create it."""
        if experiment_run.id:
            run = self._call("PATCH", f"/experiment_runs/{experiment_run.id}", body=experiment_run.update())
        else:
            run = self._call("POST", "/experiment_runs", body=experiment_run.create())
        return ExperimentRun.from_basemodel(run)

    async def get_experiment_runs_by_experiment_id(self, experiment_id: str | int,
                                                   options: ListOptions | None = None) -> list[ExperimentRun]:
        answer = self._call("GET", f"/experiments/{experiment_id}/experiment_runs", missing_ok=True,
                            query=(options or ListOptions()).as_query())
        if answer is None:
            return []
        if options:
            options.next_page_token = answer.get("nextPageToken", "")
        return [ExperimentRun.from_basemodel(r) for r in answer.get("items") or []]

    async def get_experiment_runs_by_experiment_name(self, experiment_name: str,
                                                     options: ListOptions | None = None) -> list[ExperimentRun]:
        exp = await self.get_experiment_by_name(experiment_name)
        if exp is None:
            return []
        return await self.get_experiment_runs_by_experiment_id(cast(str, exp.id), options)

    async def _experiment(self, experiment_name: str | None, experiment_id: str | int | None) -> Experiment | None:
        if experiment_name:
            return await self.get_experiment_by_name(experiment_name)
        if experiment_id:
            return await self.get_experiment_by_id(experiment_id)
        msg = "Either experiment_name or experiment_id must be provided"
        raise ValueError(msg)

    async def get_experiment_run_by_experiment_and_run_id(
        self, run_id: str | int, experiment_name: str | None = None, experiment_id: str | int | None = None,
    ) -> ExperimentRun | None:
        """The run with this ID, if it belongs to the experiment."""
        exp = await self._experiment(experiment_name, experiment_id)
        run = await self.get_experiment_run_by_id(str(run_id)) if exp else None
        return run if run is not None and exp is not None and run.experiment_id == exp.id else None

    async def get_experiment_run_by_experiment_and_run_name(
        self, run_name: str, experiment_name: str | None = None, experiment_id: str | int | None = None,
        options: ListOptions | None = None,
    ) -> ExperimentRun | None:
        """The run with this name in the experiment."""
        exp = await self._experiment(experiment_name, experiment_id)
        if exp is None:
            return None
        run = self._call("GET", "/experiment_run", query={"name": run_name, "parentResourceId": exp.id},
                         missing_ok=True)
        return ExperimentRun.from_basemodel(run) if run is not None else None

    async def get_experiment_run_by_id(self, id: str) -> ExperimentRun | None:
        run = self._call("GET", f"/experiment_runs/{id}", missing_ok=True)
        return ExperimentRun.from_basemodel(run) if run is not None else None

    async def upsert_experiment_run_artifact(self, experiment_run_id: str,
                                             artifact: ExperimentRunArtifact) -> ExperimentRunArtifact:
        """Log a parameter, metric or dataset to the run (same-name metrics and parameters are updated)."""
        answer = self._call("POST", f"/experiment_runs/{experiment_run_id}/artifacts", body=artifact.wrap())
        return cast(ExperimentRunArtifact, Artifact.validate_artifact(answer))

    @required_args(("run_id",), ("run_name", "experiment_name"), ("run_name", "experiment_id"))
    async def get_artifacts_by_experiment_run_params(
        self, run_id: str | int | None = None, run_name: str | None = None, experiment_name: str | None = None,
        experiment_id: str | int | None = None, *, options: ListOptions | None = None,
    ) -> list[ExperimentRunArtifact]:
        """The artifacts logged to a run, found by ID or by name within an experiment."""
        if not run_id:
            run = await self.get_experiment_run_by_experiment_and_run_name(
                cast(str, run_name), experiment_name=experiment_name, experiment_id=experiment_id)
            if run is None:
                return []
            run_id = run.id
        answer = self._call("GET", f"/experiment_runs/{run_id}/artifacts", missing_ok=True,
                            query=(options or ListOptions()).as_query())
        if answer is None:
            return []
        if options:
            options.next_page_token = answer.get("nextPageToken", "")
        return [cast(ExperimentRunArtifact, Artifact.validate_artifact(a)) for a in answer.get("items") or []]
