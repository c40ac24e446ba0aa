"""Registering, reading, updating and archiving models, embedded and remote."""

from __future__ import annotations

import pytest

from model_registry.exceptions import (
    BadRequestException,
    ConflictException,
    NotFoundException,
    StoreError,
)
from model_registry.types import (
    ArtifactState,
    ModelArtifact,
    ModelVersion,
    ModelVersionState,
    RegisteredModel,
    RegisteredModelState,
)

METADATA = {"int_key": 1, "bool_key": False, "float_key": 3.14, "str_key": "str_value"}


def register(mr, name="my-model", version="1.0.0", **kwargs):
    kwargs.setdefault("model_format_name", "onnx")
    kwargs.setdefault("model_format_version", "1")
    return mr.register_model(name, f"s3://bucket/{name}/{version}", version=version, **kwargs)


def test_register_model_creates_model_version_and_artifact(mr):
    rm = register(mr, version_description="first", storage_key="conn", storage_path="models/x",
                  service_account_name="sa", model_source_kind="kfp", model_source_id="run-1",
                  metadata=METADATA)
    assert isinstance(rm, RegisteredModel)
    assert (rm.name, rm.owner, rm.state) == ("my-model", "author", RegisteredModelState.LIVE)
    assert rm.id and rm.create_time_since_epoch and rm.last_update_time_since_epoch

    mv = mr.get_model_version("my-model", "1.0.0")
    assert isinstance(mv, ModelVersion)
    assert (mv.name, mv.author, mv.description, mv.registered_model_id) == ("1.0.0", "author", "first", rm.id)
    assert mv.state == ModelVersionState.LIVE
    assert mv.custom_properties == METADATA

    ma = mr.get_model_artifact("my-model", "1.0.0")
    assert isinstance(ma, ModelArtifact)
    assert ma.name == "my-model", "the artifact is named after the registered model, as upstream"
    assert ma.uri == "s3://bucket/my-model/1.0.0"
    assert (ma.model_format_name, ma.model_format_version) == ("onnx", "1")
    assert (ma.storage_key, ma.storage_path, ma.service_account_name) == ("conn", "models/x", "sa")
    assert (ma.model_source_kind, ma.model_source_id) == ("kfp", "run-1")


def test_second_version_reuses_the_model(mr):
    first = register(mr, version="1", owner="team-a")
    second = register(mr, version="2", owner="ignored", author="someone")
    assert second.id == first.id and second.owner == "team-a"
    assert mr.get_model_version("my-model", "2").author == "someone"
    assert [v.name for v in mr.get_model_versions("my-model")] == ["1", "2"]


def test_existing_version_is_refused(mr):
    register(mr)
    with pytest.raises(StoreError, match="Version 1.0.0 already exists"):
        register(mr)


def test_missing_things(mr):
    assert mr.get_registered_model("nope") is None
    with pytest.raises(StoreError, match="Model nope does not exist"):
        mr.get_model_version("nope", "1")
    with pytest.raises(StoreError, match="Model nope does not exist"):
        mr.get_model_versions("nope")
    register(mr)
    assert mr.get_model_version("my-model", "9") is None
    with pytest.raises(StoreError, match="Version 9 does not exist"):
        mr.get_model_artifact("my-model", "9")


def test_update_model_version_and_artifact(mr):
    register(mr, metadata={"a": 1})
    mv = mr.get_model_version("my-model", "1.0.0")
    before = mv.last_update_time_since_epoch
    mv.description = "Updated model version"
    mv.custom_properties = {"a": 2, "b": "x"}
    updated = mr.update(mv)
    assert updated.description == "Updated model version"
    assert updated.custom_properties == {"a": 2, "b": "x"}
    assert int(updated.last_update_time_since_epoch) >= int(before)
    assert mr.get_model_version("my-model", "1.0.0").description == "Updated model version"

    ma = mr.get_model_artifact("my-model", "1.0.0")
    ma.uri = "s3://bucket/moved"
    ma.state = ArtifactState.LIVE
    assert mr.update(ma).uri == "s3://bucket/moved"
    again = mr.get_model_artifact("my-model", "1.0.0")
    assert (again.uri, again.state) == ("s3://bucket/moved", ArtifactState.LIVE)

    rm = mr.get_registered_model("my-model")
    rm.description = "a model"
    rm.owner = "new-owner"
    assert (mr.update(rm).description, mr.get_registered_model("my-model").owner) == ("a model", "new-owner")


def test_archiving(mr):
    register(mr, version="1")
    register(mr, version="2")
    mv = mr.get_model_version("my-model", "1")
    mv.state = ModelVersionState.ARCHIVED
    mr.update(mv)
    assert mr.get_model_version("my-model", "1").state == ModelVersionState.ARCHIVED
    assert mr.get_model_version("my-model", "2").state == ModelVersionState.LIVE

    rm = mr.get_registered_model("my-model")
    rm.state = RegisteredModelState.ARCHIVED
    assert mr.update(rm).state == RegisteredModelState.ARCHIVED
    assert mr.get_registered_model("my-model").state == RegisteredModelState.ARCHIVED
    # Archiving does not cascade (as upstream).
    assert mr.get_model_version("my-model", "2").state == ModelVersionState.LIVE
    rm.state = RegisteredModelState.LIVE
    assert mr.update(rm).state == RegisteredModelState.LIVE


def test_update_needs_an_id(mr):
    with pytest.raises(StoreError, match="Model must have an ID"):
        mr.update(RegisteredModel(name="x"))


def test_server_errors_keep_status_and_message(mr):
    register(mr)
    api = mr._api
    with pytest.raises(ConflictException) as conflict:
        mr.async_runner(api.upsert_registered_model(RegisteredModel(name="my-model")))
    assert conflict.value.status == 409
    assert "already exists" in conflict.value.message
    assert "my-model" in str(conflict.value)

    rm = mr.get_registered_model("my-model")
    with pytest.raises(NotFoundException) as missing:
        mr.update(RegisteredModel(id="987654", name="ghost"))
    assert missing.value.status == 404 and missing.value.reason == "Not Found"
    assert "987654" in missing.value.message

    with pytest.raises(BadRequestException):
        mr.update(RegisteredModel(id="not-a-number", name="bad"))
    assert mr.async_runner(api.get_registered_model_by_id(rm.id)).name == "my-model"


def test_low_level_lookups(mr):
    register(mr, version="1")
    api = mr._api
    rm = mr.get_registered_model("my-model")
    mv = mr.get_model_version("my-model", "1")
    ma = mr.get_model_artifact("my-model", "1")
    run = mr.async_runner
    mv.external_id = "ext-mv"
    mr.update(mv)
    assert run(api.get_model_version_by_params(external_id="ext-mv")).id == mv.id
    assert run(api.get_model_version_by_id(mv.id)).name == "1"
    assert run(api.get_model_artifact_by_id(ma.id)).uri == ma.uri
    assert [a.id for a in run(api.get_model_artifacts(mv.id))] == [ma.id]
    assert [a.id for a in run(api.get_model_version_artifacts(mv.id))] == [ma.id]
    assert ma.id in [a.id for a in run(api.get_model_artifacts())]
    assert [a.id for a in run(api.get_artifacts(artifact_type="model-artifact"))] == [ma.id]
    assert run(api.get_registered_model_by_id(rm.id)).name == "my-model"
    assert run(api.get_model_version_by_id("99999")) is None
    with pytest.raises(TypeError, match="Missing required arguments"):
        run(api.get_model_version_by_params(name="1"))

    # A standalone artifact, then linked to the version as upstream's low-level API does it.
    standalone = run(api.upsert_model_artifact(ModelArtifact(name="extra", uri="s3://x/extra")))
    linked = run(api.upsert_model_version_artifact(standalone, mv.id))
    assert linked.id == standalone.id
    assert sorted(a.name for a in run(api.get_model_artifacts(mv.id))) == ["extra", "my-model"]


def test_embedded_registration_is_one_transaction(embedded_target):
    """Embedded, register_model is one mr_register_model call: a step that fails after the
    model and version were written leaves nothing behind (upstream's client, and ours against a
    server, send three requests and would keep the version)."""
    import json

    mr = embedded_target.client()
    connection = mr._api.connection
    assert mr._api.supports_atomic_registration
    body = {"registeredModel": {"name": "atomic"}, "modelVersion": {"name": "v1"},
            "modelArtifact": {"name": "atomic", "uri": 7}}
    status, answer = connection.register_model(json.dumps(body).encode())
    assert status == 400, answer
    assert mr.get_registered_model("atomic") is None

    register(mr, name="atomic", version="v1")
    with pytest.raises(StoreError, match="Version v1 already exists"):
        register(mr, name="atomic", version="v1")
    assert [v.name for v in mr.get_model_versions("atomic")] == ["v1"]
    assert mr.get_model_artifact("atomic", "v1").uri == "s3://bucket/atomic/v1"
    mr.close()


def test_remote_registration_keeps_upstream_requests(remote_target):
    mr = remote_target.client()
    assert not mr._api.supports_atomic_registration
    register(mr, version="1")
    with pytest.raises(StoreError, match="Version 1 already exists"):
        register(mr, version="1")
    mr.close()
