"""The request bodies the types produce (what the upstream client sends, §14 of the
reference), and reading the registry's JSON back."""

from __future__ import annotations

import pytest

from model_registry.types import (
    Artifact,
    DocArtifact,
    Experiment,
    ExperimentRun,
    Metric,
    ModelArtifact,
    ModelVersion,
    Parameter,
    ParameterType,
    RegisteredModel,
    RegisteredModelState,
)


def test_registered_model_bodies():
    rm = RegisteredModel(name="m", owner="o", custom_properties={"n": 1, "f": 0.5, "b": True, "s": "x"})
    assert rm.create() == {"name": "m", "owner": "o", "state": "LIVE", "customProperties": {
        "n": {"int_value": "1", "metadataType": "MetadataIntValue"},
        "f": {"double_value": 0.5, "metadataType": "MetadataDoubleValue"},
        "b": {"bool_value": True, "metadataType": "MetadataBoolValue"},
        "s": {"string_value": "x", "metadataType": "MetadataStringValue"}}}
    rm.id, rm.state, rm.custom_properties = "1", RegisteredModelState.ARCHIVED, {}
    assert rm.update() == {"owner": "o", "state": "ARCHIVED"}, "never the name; no empty customProperties"


def test_model_version_bodies():
    mv = ModelVersion(name="v", author="a", registered_model_id="3", description="d", id="4")
    assert mv.create() == {"name": "v", "author": "a", "state": "LIVE", "description": "d",
                           "registeredModelId": "3"}
    assert mv.update() == {"author": "a", "state": "LIVE", "description": "d"}


def test_artifact_bodies():
    ma = ModelArtifact(name="m", uri="s3://x", model_format_name="onnx", storage_key="k")
    assert ma.wrap() == {"artifactType": "model-artifact", "name": "m", "state": "UNKNOWN", "uri": "s3://x",
                         "modelFormatName": "onnx", "storageKey": "k"}
    ma.id = "9"
    assert ma.update() == {"artifactType": "model-artifact", "state": "UNKNOWN", "uri": "s3://x",
                           "modelFormatName": "onnx", "storageKey": "k"}
    metric = Metric(name="acc", value=1, step=2, timestamp="100")
    assert metric.wrap() == {"artifactType": "metric", "name": "acc", "state": "UNKNOWN", "value": 1.0,
                             "timestamp": "100", "step": 2}
    param = Parameter(name="p", value={"a": [1]}, parameter_type=ParameterType.OBJECT)
    assert param.wrap()["value"] == '{"a": [1]}'
    assert Parameter(name="p", value=0.5, parameter_type="number").wrap()["value"] == "0.5"
    assert DocArtifact(name="readme", uri="https://x/README.md").wrap() == {
        "artifactType": "doc-artifact", "name": "readme", "state": "UNKNOWN", "uri": "https://x/README.md"}


def test_reading_json():
    doc = Artifact.validate_artifact({"artifactType": "doc-artifact", "id": "1", "name": "d", "uri": "u",
                                      "customProperties": {"k": {"int_value": "5", "metadataType": "MetadataIntValue"},
                                                           "p": {"metadataType": "MetadataProtoValue"}},
                                      "unknownField": 1})
    assert isinstance(doc, DocArtifact) and doc.custom_properties == {"k": 5}
    for raw, expected in (("True", True), ("false", False)):
        p = Artifact.validate_artifact({"artifactType": "parameter", "name": "b", "value": raw,
                                        "parameterType": "boolean"})
        assert p.value is expected
    with pytest.raises(ValueError, match="Invalid artifact type"):
        Artifact.validate_artifact({"artifactType": "bogus"})
    run = ExperimentRun.from_basemodel({"id": "2", "name": "r", "experimentId": "1", "status": "RUNNING",
                                        "startTimeSinceEpoch": "5"})
    assert (run.experiment_id, run.status.value, run.start_time_since_epoch) == ("1", "RUNNING", "5")
    assert Experiment(name="e").create() == {"name": "e"}
    with pytest.raises(ValueError, match="valid"):
        RegisteredModel(name="m", custom_properties={"x": [1]})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="unsupported custom property"):
        Experiment(name="e", custom_properties={"x": [1]}).create()
    struct = Experiment(name="e", custom_properties={"cfg": {"a": 1}}).create()["customProperties"]["cfg"]
    assert struct == {"struct_value": "eyJhIjogMX0=", "metadataType": "MetadataStructValue"}
    assert repr(RegisteredModel(name="m", id="1")).startswith("RegisteredModel(name='m', id='1'")


def test_doc_artifact_round_trip(mr):
    mr.register_model("m", "s3://b/m", version="1", model_format_name="onnx", model_format_version="1")
    mv = mr.get_model_version("m", "1")
    api = mr._api
    doc = mr.async_runner(api.upsert_model_version_artifact(DocArtifact(name="card", uri="https://x/card.md"), mv.id))
    assert isinstance(doc, DocArtifact) and doc.id
    kinds = sorted(type(a).__name__ for a in mr.async_runner(api.get_model_version_artifacts(mv.id)))
    assert kinds == ["DocArtifact", "ModelArtifact"]
    assert [a.name for a in mr.async_runner(api.get_model_artifacts(mv.id))] == ["m"], "model artifacts only"
