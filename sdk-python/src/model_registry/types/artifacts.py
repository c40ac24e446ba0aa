"""Artifacts: models, documents, datasets, metrics and parameters."""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from .base import BaseResourceModel
from .enums import ArtifactState, ParameterType

A = TypeVar("A", bound="Artifact")

_ARTIFACT_KEYS = {
    **BaseResourceModel._json_keys,
    "name": "name",
    "state": "state",
    "experiment_id": "experimentId",
    "experiment_run_id": "experimentRunId",
}


class Artifact(BaseResourceModel):
    """Base class of all artifacts.

    Attributes:
        name: Name of the artifact.
        state: State of the artifact.
        experiment_id: Experiment of the run that logged it, if any.
        experiment_run_id: Run that logged it, if any.
    """

    name: str | None = None
    state: ArtifactState = ArtifactState.UNKNOWN
    experiment_id: str | None = None
    experiment_run_id: str | None = None

    artifact_type: ClassVar[str] = ""
    _json_keys: ClassVar[dict[str, str]] = _ARTIFACT_KEYS

    @classmethod
    def from_artifact(cls: type[A], source: Mapping[str, Any]) -> A:
        """An artifact of this class from its JSON form."""
        return cls.from_basemodel(source)

    @staticmethod
    def validate_artifact(source: Mapping[str, Any]) -> DocArtifact | ModelArtifact | DataSet | Metric | Parameter:
        """The typed artifact for a JSON artifact, chosen by its `artifactType`."""
        kind = source.get("artifactType")
        for cls in (ModelArtifact, DocArtifact, DataSet, Metric, Parameter):
            if cls.artifact_type == kind:
                return cls.from_basemodel(source)
        msg = f"Invalid artifact type: {kind}"
        raise ValueError(msg)

    def as_basemodel(self) -> dict[str, Any]:
        return self.wrap()


class DocArtifact(Artifact):
    """A document artifact.

    Attributes:
        uri: URI of the document.
    """

    uri: str | None = None

    artifact_type: ClassVar[str] = "doc-artifact"
    _json_keys: ClassVar[dict[str, str]] = {**_ARTIFACT_KEYS, "uri": "uri"}
    _json_constants: ClassVar[dict[str, str]] = {"artifactType": "doc-artifact"}
    _create_fields: ClassVar[tuple[str, ...]] = ("name", "uri", "state", "description", "external_id")
    _update_fields: ClassVar[tuple[str, ...]] = ("uri", "state", "description", "external_id")


class ModelArtifact(Artifact):
    """A model artifact: where a version's model files live and in which format.

    Attributes:
        uri: URI of the model.
        model_format_name: Name of the model format.
        model_format_version: Version of the model format.
        storage_key: Storage secret name.
        storage_path: Storage path of the model.
        service_account_name: Name of the service account with storage secret.
        model_source_kind: A string identifier describing the source kind.
        model_source_class: A subgroup within the source kind.
        model_source_group: This identifies a source group for models from source class.
        model_source_id: A unique identifier for a source model within kind, class, and group.
        model_source_name: A human-readable name for the source model.
    """

    model_format_name: str | None = None
    model_format_version: str | None = None
    storage_key: str | None = None
    storage_path: str | None = None
    service_account_name: str | None = None
    model_source_kind: str | None = None
    model_source_class: str | None = None
    model_source_group: str | None = None
    model_source_id: str | None = None
    model_source_name: str | None = None
    uri: str | None = None

    artifact_type: ClassVar[str] = "model-artifact"
    _own_keys: ClassVar[dict[str, str]] = {
        "uri": "uri",
        "model_format_name": "modelFormatName",
        "model_format_version": "modelFormatVersion",
        "storage_key": "storageKey",
        "storage_path": "storagePath",
        "service_account_name": "serviceAccountName",
        "model_source_kind": "modelSourceKind",
        "model_source_class": "modelSourceClass",
        "model_source_group": "modelSourceGroup",
        "model_source_id": "modelSourceId",
        "model_source_name": "modelSourceName",
    }
    _json_keys: ClassVar[dict[str, str]] = {**_ARTIFACT_KEYS, **_own_keys}
    _json_constants: ClassVar[dict[str, str]] = {"artifactType": "model-artifact"}
    _create_fields: ClassVar[tuple[str, ...]] = ("name", "state", "description", "external_id", *_own_keys)
    _update_fields: ClassVar[tuple[str, ...]] = ("state", "description", "external_id", *_own_keys)


warnings.filterwarnings("ignore", message='Field name "schema" in "DataSet" shadows an attribute')


class DataSet(Artifact):
    """A dataset used or produced by an experiment run.

    Attributes:
        uri: URI of the data set.
        digest: A unique hash or identifier for the dataset content.
        source_type: The type of source for the dataset.
        source: The location or connection string for the dataset source.
        schema: JSON schema or description of the dataset structure.
        profile: Statistical profile or summary of the dataset.
    """

    uri: str | None = None
    digest: str | None = None
    source_type: str | None = None
    source: str | None = None
    schema: str | None = None  # type: ignore[assignment]
    profile: str | None = None

    artifact_type: ClassVar[str] = "dataset-artifact"
    _own_keys: ClassVar[dict[str, str]] = {
        "uri": "uri", "digest": "digest", "source_type": "sourceType", "source": "source",
        "schema": "schema", "profile": "profile",
    }
    _json_keys: ClassVar[dict[str, str]] = {**_ARTIFACT_KEYS, **_own_keys}
    _json_constants: ClassVar[dict[str, str]] = {"artifactType": "dataset-artifact"}
    _create_fields: ClassVar[tuple[str, ...]] = ("name", "state", "description", "external_id", *_own_keys)
    _update_fields: ClassVar[tuple[str, ...]] = ("state", "description", "external_id", *_own_keys)


class Metric(Artifact):
    """A metric of an experiment run.

    Attributes:
        value: The numeric value of the metric.
        timestamp: Milliseconds since epoch when the metric was recorded, as a string.
        step: The step number for multi-step metrics (e.g., training epochs).
    """

    value: float
    timestamp: str | None = None
    step: int = 0

    artifact_type: ClassVar[str] = "metric"
    _own_keys: ClassVar[dict[str, str]] = {"value": "value", "timestamp": "timestamp", "step": "step"}
    _json_keys: ClassVar[dict[str, str]] = {**_ARTIFACT_KEYS, **_own_keys}
    _json_constants: ClassVar[dict[str, str]] = {"artifactType": "metric"}
    _create_fields: ClassVar[tuple[str, ...]] = ("name", "state", "description", "external_id", *_own_keys)
    _update_fields: ClassVar[tuple[str, ...]] = ("state", "description", "external_id", *_own_keys)


class Parameter(Artifact):
    """A parameter of an experiment run.

    Attributes:
        value: The value of the parameter (sent to the registry as a string).
        parameter_type: The data type of the value: string, number, boolean or object.
    """

    value: str | bool | int | float | dict
    parameter_type: ParameterType

    artifact_type: ClassVar[str] = "parameter"
    _own_keys: ClassVar[dict[str, str]] = {"value": "value", "parameter_type": "parameterType"}
    _json_keys: ClassVar[dict[str, str]] = {**_ARTIFACT_KEYS, **_own_keys}
    _json_constants: ClassVar[dict[str, str]] = {"artifactType": "parameter"}
    _create_fields: ClassVar[tuple[str, ...]] = ("name", "state", "description", "external_id", *_own_keys)
    _update_fields: ClassVar[tuple[str, ...]] = ("state", "description", "external_id", *_own_keys)

    def _body(self, fields: tuple[str, ...], extra: Mapping[str, Any]) -> dict[str, Any]:
        body = super()._body(fields, extra)
        if "value" in body:
            value = body["value"]
            # Objects as JSON so they read back; other values as str() like upstream.
            body["value"] = json.dumps(value) if isinstance(value, dict) else str(value)
        return body

    @classmethod
    def from_basemodel(cls, source: Mapping[str, Any]) -> Parameter:
        values = dict(source)
        kind, raw = values.get("parameterType"), values.get("value")
        if isinstance(raw, str):
            if kind == ParameterType.NUMBER.value:
                values["value"] = float(raw)
            elif kind == ParameterType.BOOLEAN.value:
                values["value"] = raw.strip().lower() in ("true", "1")
            elif kind == ParameterType.OBJECT.value:
                values["value"] = json.loads(raw)
        return super().from_basemodel(values)


ExperimentRunArtifact = Parameter | Metric | DataSet


@dataclass
class ExperimentRunArtifactTypes:
    """The artifacts logged in an active run, by kind and name."""

    params: dict[str, Parameter] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)
    datasets: dict[str, DataSet] = field(default_factory=dict)
