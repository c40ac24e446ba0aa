"""The server's SQLite file is an ML-Metadata (schema v10) database: Google's `ml-metadata`
1.17.1 reads what REST wrote, and REST serves what ml-metadata wrote.

Mapping per upstream-semantics.md §1, §2, §3, §18: RegisteredModel = Context of type
`kf.RegisteredModel` named as given; ModelVersion = Context `kf.ModelVersion` named
`"<rmId>:<name>"`, child of the RM (ParentContext); artifacts attributed to the version
(Attribution) named `"<mvId>:<name>"`; typed fields are properties, customProperties are
custom properties.
"""

from __future__ import annotations

import re
import sqlite3
import warnings
from pathlib import Path

import pytest
from google.protobuf import json_format
from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2 as pb

from mrtest.api import Api, expect, mv_bool, mv_double, mv_int, mv_string, mv_struct

READWRITE_OPENCREATE = 3


def open_store(path: Path) -> metadata_store.MetadataStore:
    cfg = pb.ConnectionConfig()
    cfg.sqlite.filename_uri = str(path)
    cfg.sqlite.connection_mode = READWRITE_OPENCREATE
    return metadata_store.MetadataStore(cfg)


@pytest.fixture(scope="module")
def store(registry):
    s = open_store(registry.db_path)
    yield s
    del s


def by_id(items) -> dict[int, object]:
    return {x.id: x for x in items}


# -- REST -> ml-metadata ------------------------------------------------------------------------
def test_rest_entities_read_back_through_ml_metadata(api3, store, unique_name):
    name = unique_name()
    rm = api3.create_rm(name, description="rm desc", owner="alice", customProperties={
        "framework": mv_string("pytorch"), "epochs": mv_int(12), "acc": mv_double(0.9),
        "ok": mv_bool(True), "cfg": mv_struct({"a": 1, "b": "two"})})
    mv = api3.create_mv(rm["id"], "1.0.0", author="bob", description="mv desc",
                        customProperties={"k": mv_string("v")})
    ma = api3.create_artifact(mv["id"], "model-file", uri="s3://b/m.onnx", modelFormatName="onnx",
                              modelFormatVersion="1", storageKey="key", storagePath="path",
                              serviceAccountName="sa", description="ma desc", state="LIVE",
                              customProperties={"n": mv_int(3)})
    doc = api3.create_artifact(mv["id"], "readme", "doc-artifact", uri="https://x/readme",
                               description="doc desc")

    # the registered model
    ctx = store.get_context_by_type_and_name("kf.RegisteredModel", name)
    assert ctx is not None, f"no kf.RegisteredModel context named {name!r}"
    assert str(ctx.id) == rm["id"]
    assert ctx.properties["description"].string_value == "rm desc"
    assert ctx.properties["owner"].string_value == "alice"
    assert ctx.properties["state"].string_value == "LIVE"
    cp = ctx.custom_properties
    assert set(cp) == {"framework", "epochs", "acc", "ok", "cfg"}
    assert cp["framework"].string_value == "pytorch"
    assert cp["epochs"].int_value == 12
    assert cp["acc"].double_value == 0.9
    assert cp["ok"].bool_value is True
    assert cp["cfg"].WhichOneof("value") == "struct_value", "structs are MLMD STRUCT values (§3)"
    assert json_format.MessageToDict(cp["cfg"].struct_value) == {"a": 1, "b": "two"}
    assert ctx.create_time_since_epoch == int(rm["createTimeSinceEpoch"])
    assert ctx.last_update_time_since_epoch == int(rm["lastUpdateTimeSinceEpoch"])

    # the version: a child context named "<rmId>:<version>"
    mv_type = store.get_context_type("kf.ModelVersion")
    children = store.get_children_contexts_by_context(ctx.id)
    assert [(c.name, str(c.id), c.type_id) for c in children] == [
        (f"{rm['id']}:1.0.0", mv["id"], mv_type.id)]
    mvc = children[0]
    assert mvc.properties["author"].string_value == "bob"
    assert mvc.properties["description"].string_value == "mv desc"
    assert mvc.properties["state"].string_value == "LIVE"
    assert {k: v.string_value for k, v in mvc.custom_properties.items()} == {"k": "v"}
    assert [p.id for p in store.get_parent_contexts_by_context(mvc.id)] == [ctx.id]

    # the artifacts, attributed to the version
    arts = by_id(store.get_artifacts_by_context(mvc.id))
    assert set(arts) == {int(ma["id"]), int(doc["id"])}
    a = arts[int(ma["id"])]
    assert a.type_id == store.get_artifact_type("kf.ModelArtifact").id
    assert a.name == f"{mv['id']}:model-file"
    assert a.uri == "s3://b/m.onnx"
    assert a.state == pb.Artifact.LIVE
    assert {k: a.properties[k].string_value for k in (
        "description", "model_format_name", "model_format_version", "storage_key", "storage_path",
        "service_account_name")} == {
        "description": "ma desc", "model_format_name": "onnx", "model_format_version": "1",
        "storage_key": "key", "storage_path": "path", "service_account_name": "sa"}
    assert {k: v.int_value for k, v in a.custom_properties.items()} == {"n": 3}
    d = arts[int(doc["id"])]
    assert d.type_id == store.get_artifact_type("kf.DocArtifact").id
    assert (d.name, d.uri, d.properties["description"].string_value) == (
        f"{mv['id']}:readme", "https://x/readme", "doc desc")
    assert [c.id for c in store.get_contexts_by_artifact(a.id)] == [mvc.id]


def test_types_are_declared_as_upstream(store):
    """Declared TypeProperty rows (§2.1, §2.2), checked through ml-metadata's type API."""
    S = pb.STRING

    def props(t):
        return dict(t.properties)

    rm = props(store.get_context_type("kf.RegisteredModel"))
    assert {k: rm.get(k) for k in ("description", "owner", "state")} == dict.fromkeys(
        ("description", "owner", "state"), S)
    mv = props(store.get_context_type("kf.ModelVersion"))
    assert {k: mv.get(k) for k in ("author", "description", "state")} == dict.fromkeys(
        ("author", "description", "state"), S)
    ma = props(store.get_artifact_type("kf.ModelArtifact"))
    keys = ("description", "model_format_name", "model_format_version", "storage_key",
            "storage_path", "service_account_name")
    assert {k: ma.get(k) for k in keys} == dict.fromkeys(keys, S)
    assert props(store.get_artifact_type("kf.DocArtifact")).get("description") == S


# -- ml-metadata -> REST ------------------------------------------------------------------------
def test_registered_model_written_by_ml_metadata_is_served(api, store, unique_name):
    name = unique_name("mlmd-rm")
    ctx = pb.Context(type_id=store.get_context_type("kf.RegisteredModel").id, name=name)
    ctx.properties["description"].string_value = "written by ml-metadata"
    ctx.properties["owner"].string_value = "mlmd-owner"
    ctx.properties["state"].string_value = "LIVE"
    ctx.custom_properties["source"].string_value = "ml-metadata"
    ctx.custom_properties["count"].int_value = 5
    [ctx_id] = store.put_contexts([ctx])
    [stored] = store.get_contexts_by_id([ctx_id])

    got = expect(api.get("/registered_model", {"name": name}), 200)
    assert got["id"] == str(ctx_id)
    assert (got["name"], got["description"], got["owner"], got["state"]) == (
        name, "written by ml-metadata", "mlmd-owner", "LIVE")
    assert got["customProperties"] == {"source": mv_string("ml-metadata"), "count": mv_int(5)}
    assert got["createTimeSinceEpoch"] == str(stored.create_time_since_epoch)
    assert expect(api.get(f"/registered_models/{ctx_id}"), 200) == got

    # and REST can build on it
    mv = api.create_mv(str(ctx_id), "1.0.0")
    assert [c.id for c in store.get_children_contexts_by_context(ctx_id)] == [int(mv["id"])]


def test_model_version_updated_by_ml_metadata_is_served(api, store, unique_name):
    rm = api.create_rm(unique_name())
    mv = api.create_mv(rm["id"], "1.0.0", author="alice", description="before",
                       customProperties={"k": mv_string("v")})
    # Read it first, several times, so that the workers keep its answer (their response cache):
    # a commit by ml-metadata, another process, must still be served at once.
    for _ in range(6):
        assert expect(api.get(f"/model_versions/{mv['id']}"), 200)["description"] == "before"
    [c] = store.get_contexts_by_id([int(mv["id"])])
    c.properties["description"].string_value = "after (ml-metadata)"
    c.custom_properties["added"].string_value = "by ml-metadata"
    # put_contexts rejects properties its type does not declare (or declares with another
    # type): the server must declare what it writes, e.g. registered_model_id as INT (§2.5)
    store.put_contexts([c])

    for _ in range(5):
        assert expect(api.get(f"/model_versions/{mv['id']}"), 200)["description"] == "after (ml-metadata)"
    got = expect(api.get(f"/model_versions/{mv['id']}"), 200)
    assert (got["name"], got["author"], got["description"], got["registeredModelId"]) == (
        "1.0.0", "alice", "after (ml-metadata)", rm["id"])
    assert got["customProperties"] == {"k": mv_string("v"), "added": mv_string("by ml-metadata")}
    assert int(got["lastUpdateTimeSinceEpoch"]) >= int(mv["lastUpdateTimeSinceEpoch"])
    found = expect(api.get("/model_version", {"name": "1.0.0", "parentResourceId": rm["id"]}), 200)
    assert found == got


def test_server_opens_a_database_created_by_ml_metadata(registry_factory, unique_name):
    def create_with_mlmd(srv):
        s = open_store(srv.db_path)
        del s

    srv = registry_factory("mlmd-created-db", prepare=create_with_mlmd)
    api = Api(srv.base_url, "/api/model_registry/v1alpha3")
    assert expect(api.get("/registered_models"), 200)["items"] == []
    rm = api.create_rm(unique_name())
    registry_factory.stop(srv)
    s = open_store(srv.db_path)
    assert str(s.get_context_by_type_and_name("kf.RegisteredModel", rm["name"]).id) == rm["id"]


# -- the schema ---------------------------------------------------------------------------------
def normalise_sql(sql: str) -> str:
    sql = re.sub(r"\s+", " ", sql).strip().rstrip(";").strip()
    return re.sub(r"\s*([(),])\s*", r"\1", sql)


def schema_of(path: Path) -> dict[str, dict[str, str]]:
    """{type: {name: normalised sql}} from sqlite_master (entries without SQL, i.e. the
    automatic indexes of UNIQUE/PRIMARY KEY constraints, are implied by their table's SQL)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
        version = con.execute("SELECT schema_version FROM MLMDEnv").fetchall()
    finally:
        con.close()
    out: dict[str, dict[str, str]] = {"table": {}, "index": {}, "view": {}, "trigger": {}}
    for typ, name, sql in rows:
        out.setdefault(typ, {})[name] = normalise_sql(sql)
    out["MLMDEnv"] = {"schema_version": repr(version)}
    return out


def diff(ours: dict[str, str], theirs: dict[str, str]) -> str:
    lines = []
    for name in sorted(set(ours) | set(theirs)):
        if ours.get(name) != theirs.get(name):
            lines.append(f"  {name}:\n    ours:        {ours.get(name)}\n    ml-metadata: {theirs.get(name)}")
    return "\n".join(lines)


def test_schema_matches_ml_metadata(registry, tmp_path):
    reference = tmp_path / "ml-metadata-1.17.1.sqlite"
    s = open_store(reference)
    del s
    ours, theirs = schema_of(registry.db_path), schema_of(reference)

    assert theirs["MLMDEnv"] == {"schema_version": "[(10,)]"}
    assert ours["MLMDEnv"] == theirs["MLMDEnv"], "MLMDEnv must hold exactly one row, 10"
    assert ours["table"] == theirs["table"], "tables differ from ml-metadata 1.17.1's:\n" + diff(
        ours["table"], theirs["table"])
    for kind in ("view", "trigger"):
        assert ours[kind] == theirs[kind], f"{kind}s differ:\n" + diff(ours[kind], theirs[kind])

    # every ml-metadata index, identical; the server may add its own for performance
    missing_or_changed = {n: q for n, q in theirs["index"].items() if ours["index"].get(n) != q}
    extras = {n: q for n, q in ours["index"].items() if n not in theirs["index"]}
    extras_text = "\n".join(f"  {q}" for q in extras.values()) or "  (none)"
    assert not missing_or_changed, (
        "ml-metadata's indexes must all exist unchanged:\n"
        + diff({n: ours["index"].get(n) for n in missing_or_changed}, missing_or_changed)
        + f"\nextra indexes of ours:\n{extras_text}")
    if extras:
        warnings.warn(f"model-registry adds {len(extras)} index(es) beyond ml-metadata's "
                      f"schema:\n{extras_text}", stacklevel=1)
