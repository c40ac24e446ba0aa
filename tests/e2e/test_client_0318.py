"""The upstream PyPI client `model-registry==0.3.18` against our server.

This client calls /api/model_registry/v1/... (upstream-semantics.md §0.1, §14.1). The flows
mirror upstream's own e2e tests (clients/python/tests/test_client.py, regression_test.py).
"""

from __future__ import annotations

import time
from itertools import islice

import pytest
from model_registry.exceptions import StoreError
from model_registry.types import ModelVersionState, RegisteredModelState

from mrtest.clients import make_client
from mrtest.api import expect, now_ms

# A 250-character version name (upstream test_register_version_long_name).
LOREM = (
    "Lorem ipsum dolor sit amet, consectetuer adipiscing elit. Aenean commodo ligula eget "
    "dolor. Aenean massa. Cum sociis natoque penatibus et magnis dis parturient montes, "
    "nascetur ridiculus mus. Donec quam felis, ultricies nec, pellentesque eu, pretium."
)
assert len(LOREM) == 250


def pause() -> None:
    """Timestamps have millisecond resolution: make consecutive writes distinguishable."""
    time.sleep(0.005)


def register(client, name: str, version: str, **kw):
    params = dict(model_format_name="onnx", model_format_version="1")
    params.update(kw)
    uri = params.pop("uri", f"s3://bucket/models/{name}/{version}")
    return client.register_model(name, uri, version=version, **params)


def drain(pager, cap: int = 100) -> list:
    """All items of a pager, failing (instead of hanging) if it never stops."""
    items = list(islice(pager, cap + 1))
    assert len(items) <= cap, "pager did not stop: end-of-list token missing or not deterministic?"
    return items


def ids(items) -> list[str]:
    return [x.id for x in items]


def count_token_changes(pager) -> tuple[int, int]:
    """Upstream's check (test_get_registered_models): iterate, counting items and how often
    the pager's next_page_token changes."""
    i, prev, changes = 0, None, 0
    with pytest.raises(StopIteration):  # noqa: PT012
        while i < 50 and next(pager):
            if pager.options.next_page_token != prev:
                prev = pager.options.next_page_token
                changes += 1
            i += 1
    return i, changes


# -- register / get --------------------------------------------------------------------------
def test_register_model_and_read_back(client, unique_name):
    name = unique_name("rm")
    metadata = {"str": "hello", "int": 42, "float": 3.5, "bool": True}
    before = now_ms()
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
    after = now_ms()
    assert rm.id and rm.id.isdigit()
    assert rm.name == name
    assert rm.owner == "owner-1"
    assert rm.state == RegisteredModelState.LIVE

    got = client.get_registered_model(name)
    assert got is not None
    assert (got.id, got.name, got.owner, got.state) == (rm.id, name, "owner-1", RegisteredModelState.LIVE)
    assert before - 1000 <= int(got.create_time_since_epoch) <= after + 1000, "times are ms since epoch"
    assert got.last_update_time_since_epoch is not None

    mv = client.get_model_version(name, "v1")
    assert mv is not None and mv.id and mv.id.isdigit()
    assert mv.name == "v1"
    assert mv.author == "author"  # the client's author
    assert mv.description == "first version"
    assert mv.state == ModelVersionState.LIVE
    assert mv.registered_model_id == rm.id
    assert mv.custom_properties == metadata
    for key, typ in (("str", str), ("int", int), ("float", float), ("bool", bool)):
        assert type(mv.custom_properties[key]) is typ, (key, mv.custom_properties)

    ma = client.get_model_artifact(name, "v1")
    assert ma is not None and ma.id and ma.id.isdigit()
    assert ma.name == name  # the client names the artifact after the registered model
    assert ma.uri == "s3://bucket/path/model.onnx"
    assert ma.model_format_name == "onnx"
    assert ma.model_format_version == "1.2"
    assert ma.storage_key == "my-storage-key"
    assert ma.storage_path == "models/path"


def test_second_version_reuses_registered_model(client, unique_name):
    name = unique_name("rm")
    rm1 = register(client, name, "1.0.0")
    rm2 = register(client, name, "2.0.0")
    assert rm1.id == rm2.id
    versions = drain(client.get_model_versions(name))
    assert [v.name for v in versions] == ["1.0.0", "2.0.0"]
    assert {v.registered_model_id for v in versions} == {rm1.id}


def test_reregistering_same_version_raises(client, unique_name):
    name = unique_name("rm")
    register(client, name, "1.0.0", metadata=None)
    with pytest.raises(StoreError):
        register(client, name, "1.0.0", metadata=None)
    # and nothing was duplicated
    assert [v.name for v in drain(client.get_model_versions(name))] == ["1.0.0"]


def test_get_missing(client, unique_name):
    missing = unique_name("missing")
    assert client.get_registered_model(missing) is None
    with pytest.raises(StoreError):
        client.get_model_version(missing, "1.0.0")
    name = unique_name("rm")
    register(client, name, "1.0.0")
    assert client.get_model_version(name, "no-such-version") is None
    with pytest.raises(StoreError):
        client.get_model_artifact(name, "no-such-version")


# -- update ----------------------------------------------------------------------------------
def test_update_registered_model(client, unique_name):
    name = unique_name("rm")
    register(client, name, "1.0.0", owner="owner-a")
    rm = client.get_registered_model(name)
    created, updated = rm.create_time_since_epoch, rm.last_update_time_since_epoch
    pause()
    rm.description = "updated description"
    rm.custom_properties = {"team": "ml", "n": 7, "ratio": 0.25, "flag": False}
    res = client.update(rm)
    assert res.description == "updated description"
    assert res.custom_properties == {"team": "ml", "n": 7, "ratio": 0.25, "flag": False}
    assert int(res.last_update_time_since_epoch) > int(updated)
    assert res.create_time_since_epoch == created

    back = client.get_registered_model(name)
    assert back.description == "updated description"
    assert back.owner == "owner-a"
    assert back.custom_properties == {"team": "ml", "n": 7, "ratio": 0.25, "flag": False}
    assert back.last_update_time_since_epoch == res.last_update_time_since_epoch
    assert back.create_time_since_epoch == created


def test_update_model_version(client, unique_name):
    name = unique_name("rm")
    register(client, name, "1.0.0", version_description="v1", metadata={"a": 1, "b": "2"})
    mv = client.get_model_version(name, "1.0.0")
    assert mv.custom_properties == {"a": 1, "b": "2"}
    created, updated = mv.create_time_since_epoch, mv.last_update_time_since_epoch
    pause()
    mv.description = "new description"
    mv.custom_properties = {"c": "3"}  # replaces the whole set
    res = client.update(mv)
    assert res.description == "new description"
    assert res.custom_properties == {"c": "3"}
    assert int(res.last_update_time_since_epoch) > int(updated)

    back = client.get_model_version(name, "1.0.0")
    assert back.id == mv.id
    assert back.description == "new description"
    assert back.custom_properties == {"c": "3"}
    assert back.author == "author"
    assert back.registered_model_id == mv.registered_model_id
    assert back.create_time_since_epoch == created


def test_update_model_artifact(client, unique_name):
    name = unique_name("rm")
    register(client, name, "1.0.0", uri="s3://bucket/a", model_format_name="onnx",
             model_format_version="1", storage_key="key-1")
    ma = client.get_model_artifact(name, "1.0.0")
    created, updated = ma.create_time_since_epoch, ma.last_update_time_since_epoch
    pause()
    ma.description = "artifact description"
    ma.uri = "s3://bucket/b"
    ma.model_format_version = "2"
    ma.custom_properties = {"my-label": ""}  # labels are empty-string properties
    res = client.update(ma)
    assert res.id == ma.id
    assert res.description == "artifact description"
    assert res.uri == "s3://bucket/b"
    assert int(res.last_update_time_since_epoch) > int(updated)

    back = client.get_model_artifact(name, "1.0.0")
    assert back.id == ma.id
    assert back.description == "artifact description"
    assert back.uri == "s3://bucket/b"
    assert back.model_format_name == "onnx"
    assert back.model_format_version == "2"
    assert back.storage_key == "key-1"
    assert back.custom_properties == {"my-label": ""}
    assert back.create_time_since_epoch == created


def test_archive_by_state(client, unique_name):
    name = unique_name("rm")
    register(client, name, "1.0.0")

    rm = client.get_registered_model(name)
    rm.state = RegisteredModelState.ARCHIVED
    assert client.update(rm).state == RegisteredModelState.ARCHIVED
    assert client.get_registered_model(name).state == RegisteredModelState.ARCHIVED
    # archiving does not cascade (upstream-semantics.md §5)
    assert client.get_model_version(name, "1.0.0").state == ModelVersionState.LIVE

    mv = client.get_model_version(name, "1.0.0")
    mv.state = ModelVersionState.ARCHIVED
    assert client.update(mv).state == ModelVersionState.ARCHIVED
    assert client.get_model_version(name, "1.0.0").state == ModelVersionState.ARCHIVED

    rm = client.get_registered_model(name)
    rm.state = RegisteredModelState.LIVE
    client.update(rm)
    assert client.get_registered_model(name).state == RegisteredModelState.LIVE
    assert client.get_model_version(name, "1.0.0").state == ModelVersionState.ARCHIVED


# -- names -----------------------------------------------------------------------------------
def test_version_name_length_limit(client, unique_name):
    """250 characters fit; 255 do not, because the stored name is `<rmId>:<name>` in a
    VARCHAR(255) column (upstream test_register_version_long_name)."""
    name = unique_name("rm")
    register(client, name, LOREM, uri="https://acme.org/something",
             model_format_name="test_format_name")
    ma = client.get_model_artifact(name, LOREM)
    assert ma.uri == "https://acme.org/something"
    assert ma.model_format_name == "test_format_name"
    assert client.get_model_version(name, LOREM).name == LOREM

    with pytest.raises(Exception):  # noqa: B017,PT011 - any failure; upstream gets a DB error
        register(client, name, LOREM + "12345", uri="https://acme.org/something")
    assert [v.name for v in drain(client.get_model_versions(name))] == [LOREM]


def test_tagged_version_name(client, registry, unique_name):
    """A version named `model:latest` (stored as `<rmId>:model:latest`) reads back intact
    (upstream regression_test.py::test_create_tagged_version)."""
    name = unique_name("rm")
    rm = register(client, name, "model:latest")
    mv = client.get_model_version(name, "model:latest")
    assert mv is not None and mv.name == "model:latest"
    assert mv.registered_model_id == rm.id
    assert client.get_model_artifact(name, "model:latest") is not None
    assert [v.name for v in drain(client.get_model_versions(name))] == ["model:latest"]
    body = expect(registry.http.get(registry.url(f"/model_versions/{mv.id}"), timeout=30), 200)
    assert body["name"] == "model:latest"


# -- pagers ----------------------------------------------------------------------------------
def test_pager_on_empty_registry(fresh_client):
    assert drain(fresh_client.get_registered_models()) == []
    assert drain(fresh_client.get_registered_models().page_size(3)) == []
    assert drain(fresh_client.get_registered_models().order_by_update_time().descending()) == []


def test_version_pager_on_model_without_versions(client, api3, unique_name):
    name = unique_name("rm")
    api3.create_rm(name)
    assert drain(client.get_model_versions(name)) == []
    assert drain(client.get_model_versions(name).page_size(2)) == []


@pytest.fixture(scope="module")
def seven_models(registry_factory):
    """A registry of its own holding exactly 7 registered models (one version each)."""
    srv = registry_factory("pager-seven-models")
    c = make_client(srv)
    rms = [register(c, f"pager-model-{i}", "1.0.0") for i in range(7)]
    yield c, rms
    registry_factory.stop(srv)


def test_registered_models_pager_order(seven_models):
    # runs before test_registered_models_pager_update_order (file order): nothing updated yet
    c, rms = seven_models
    by_id = sorted((rm.id for rm in rms), key=int)
    assert by_id == ids(rms), "ids must follow creation order"

    assert ids(drain(c.get_registered_models())) == by_id
    assert ids(drain(c.get_registered_models().page_size(3))) == by_id
    assert ids(drain(c.get_registered_models().order_by_id().page_size(3))) == by_id
    assert ids(drain(c.get_registered_models().order_by_id().descending().page_size(3))) == by_id[::-1]
    assert ids(drain(c.get_registered_models().order_by_creation_time().page_size(3))) == by_id
    assert ids(drain(c.get_registered_models().order_by_creation_time().descending().page_size(3))) == by_id[::-1]
    # never updated: update order == creation order
    assert ids(drain(c.get_registered_models().order_by_update_time().page_size(3))) == by_id
    assert ids(drain(c.get_registered_models().page_size(2).descending())) == by_id[::-1]


def test_registered_models_pager_tokens(seven_models):
    c, _ = seven_models
    items, changes = count_token_changes(c.get_registered_models().page_size(3))
    assert items == 7
    assert changes == 3, "7 items at page size 3: tokens T1, T2, then ''"
    items, changes = count_token_changes(c.get_registered_models().page_size(7))
    assert (items, changes) == (7, 1)


def test_registered_models_pager_restart(seven_models):
    c, rms = seven_models
    pager = c.get_registered_models().page_size(5)
    first = list(islice(pager, 3))
    assert ids(first) == ids(rms)[:3]
    pager.restart()
    complete = drain(pager)
    assert ids(complete) == ids(rms)
    assert complete[:3] == first


def test_registered_models_pager_update_order(seven_models):
    c, rms = seven_models
    permutation = [3, 0, 6, 1, 5, 2, 4]
    for k in permutation:
        pause()
        rm = c.get_registered_model(rms[k].name)
        rm.description = f"touched {k}"
        c.update(rm)
    expected = [rms[k].id for k in permutation]
    assert ids(drain(c.get_registered_models().order_by_update_time())) == expected
    assert ids(drain(c.get_registered_models().order_by_update_time().page_size(3))) == expected
    assert ids(drain(c.get_registered_models().order_by_update_time().descending().page_size(3))) == expected[::-1]
    # creation and id order are unaffected by updates
    by_id = ids(rms)
    assert ids(drain(c.get_registered_models().order_by_creation_time().page_size(3))) == by_id


def test_model_versions_pager(client, unique_name):
    name = unique_name("rm")
    versions = [f"1.0.{i}" for i in range(7)]
    for v in versions:
        register(client, name, v)
    mvs = [client.get_model_version(name, v) for v in versions]
    by_id = ids(mvs)
    assert by_id == sorted(by_id, key=int)

    def pager():
        return client.get_model_versions(name)

    got = drain(pager().page_size(3))
    assert [v.name for v in got] == versions
    assert ids(got) == by_id
    assert len(set(ids(got))) == 7
    assert ids(drain(pager().order_by_id().page_size(3))) == by_id
    assert ids(drain(pager().order_by_id().descending().page_size(3))) == by_id[::-1]
    assert ids(drain(pager().order_by_creation_time().page_size(3))) == by_id
    assert ids(drain(pager().order_by_creation_time().descending().page_size(3))) == by_id[::-1]
    assert ids(drain(pager().order_by_update_time().page_size(3))) == by_id

    items, changes = count_token_changes(pager().page_size(3))
    assert (items, changes) == (7, 3)

    permutation = [5, 1, 6, 0, 3, 2, 4]
    for k in permutation:
        pause()
        mv = mvs[k]
        mv.description = f"touched {k}"
        client.update(mv)
    expected = [mvs[k].id for k in permutation]
    assert ids(drain(pager().order_by_update_time().page_size(3))) == expected
    assert ids(drain(pager().order_by_update_time().descending().page_size(3))) == expected[::-1]
    assert ids(drain(pager().order_by_creation_time().page_size(3))) == by_id
