"""Raw HTTP (requests) against both prefixes, /api/model_registry/v1alpha3 and /api/model_registry/v1.

Expected behaviour is upstream's, as documented in shared/reference/upstream-semantics.md
(section numbers below refer to it), except where Docs/differences.md records a deliberate
difference (then the test says so). Every test that takes the `api` fixture runs once per
prefix. The session database is shared: every test uses unique names.
"""

from __future__ import annotations

import base64
import time

import pytest

from mrtest.api import (
    Api,
    decode_struct_output,
    expect,
    expect_4xx,
    expect_error,
    mv_bool,
    mv_double,
    mv_int,
    mv_string,
    mv_struct,
    now_ms,
)
from mrtest.server import API_V1, API_V1ALPHA3

MISSING_ID = "999999999"  # a valid int32 id that no test creates


def pause() -> None:
    """Timestamps have millisecond resolution: make consecutive writes distinguishable."""
    time.sleep(0.005)


def item_ids(items: list[dict]) -> list[str]:
    return [x["id"] for x in items]


@pytest.fixture(scope="module")
def paged_model(registry) -> dict:
    """A registered model with exactly 21 versions (never updated), created once."""
    api = Api(registry.base_url, API_V1ALPHA3)
    rm = api.create_rm(f"paged-model-{now_ms()}")
    ids = [api.create_mv(rm["id"], f"v{i:02d}")["id"] for i in range(21)]
    api.s.close()
    assert ids == sorted(ids, key=int), "ids must follow creation order"
    return {"rm_id": rm["id"], "ids": ids, "path": f"/registered_models/{rm['id']}/versions"}


# -- shapes, content type, both prefixes -------------------------------------------------------
def test_create_and_get_registered_model_shape(api, unique_name):
    name = unique_name()
    before = now_ms()
    rm = api.create_rm(name, description="d", owner="o")
    after = now_ms()
    assert rm["id"].isdigit()
    assert rm["name"] == name
    assert rm["description"] == "d"
    assert rm["owner"] == "o"
    assert rm["state"] == "LIVE", "state defaults to LIVE (§5)"
    assert rm["customProperties"] == {}, "customProperties is always present (§3)"
    for key in ("createTimeSinceEpoch", "lastUpdateTimeSinceEpoch"):
        assert isinstance(rm[key], str) and rm[key].isdigit(), "times are strings of ms (§4)"
        assert before - 1000 <= int(rm[key]) <= after + 1000
    assert rm["createTimeSinceEpoch"] == rm["lastUpdateTimeSinceEpoch"]
    assert expect(api.get(f"/registered_models/{rm['id']}"), 200) == rm


def test_both_prefixes_serve_the_same_data(registry, unique_name):
    a3, a1 = Api(registry.base_url, API_V1ALPHA3), Api(registry.base_url, API_V1)
    rm = a3.create_rm(unique_name())
    assert expect(a1.get(f"/registered_models/{rm['id']}"), 200) == rm
    mv = a1.create_mv(rm["id"], "1.0.0")
    assert expect(a3.get(f"/model_versions/{mv['id']}"), 200) == mv
    found = expect(a3.get("/model_version", {"name": "1.0.0", "parentResourceId": rm["id"]}), 200)
    assert found == mv


def test_unknown_path_is_404(api):
    assert api.get("/no_such_resource").status_code == 404


# -- request validation -------------------------------------------------------------------------
def test_unknown_field_is_400(api, unique_name):
    name = unique_name()
    body = expect_error(api.post("/registered_models", {"name": name, "ext_id": "x"}),
                        400, "Bad Request", "ext_id")
    assert "unknown field" in body["message"]
    expect_error(api.get("/registered_model", {"name": name}), 404, "Not Found")  # not created
    # read-only fields are unknown fields of the Create/Update schemas (§6)
    expect_error(api.post("/registered_models", {"name": name, "id": "5"}), 400, "Bad Request")
    rm = api.create_rm(name)
    expect_error(api.patch(f"/registered_models/{rm['id']}", {"ext_id": "x"}), 400, "Bad Request", "ext_id")


def test_missing_required_field_is_422(api, unique_name):
    expect_error(api.post("/registered_models", {"description": "no name"}), 422, "Bad Request", "name")
    rm = api.create_rm(unique_name())
    expect_error(api.post("/model_versions", {"name": "v1"}), 422, "Bad Request", "registeredModelId")
    expect_error(api.post("/model_versions", {"registeredModelId": rm["id"]}), 422, "Bad Request", "name")


@pytest.mark.parametrize("data", ['{"name": ', '{name: "x"}', "not json", "[1, 2]"])
def test_malformed_json_is_400(api, data):
    expect_error(api.post("/registered_models", data=data), 400, "Bad Request")


def test_invalid_enum_is_400(api, unique_name):
    expect_error(api.post("/registered_models", {"name": unique_name(), "state": "BOGUS"}),
                 400, "Bad Request")


# -- ids and conflicts --------------------------------------------------------------------------
def test_duplicate_names_conflict(api, unique_name):
    name = unique_name()
    rm = api.create_rm(name)
    expect_error(api.post("/registered_models", {"name": name}), 409, "Conflict", name)
    api.create_mv(rm["id"], "1.0.0")
    expect_error(api.post("/model_versions", {"name": "1.0.0", "registeredModelId": rm["id"]}),
                 409, "Conflict")
    # version names are unique per registered model only
    other = api.create_rm(unique_name())
    assert api.create_mv(other["id"], "1.0.0")["registeredModelId"] == other["id"]


@pytest.mark.parametrize("path", ["/registered_models", "/model_versions", "/model_artifacts", "/artifacts"])
def test_unknown_id_is_404(api, path):
    expect_error(api.get(f"{path}/{MISSING_ID}"), 404, "Not Found")


@pytest.mark.parametrize("path", ["/registered_models", "/model_versions", "/model_artifacts", "/artifacts"])
def test_non_numeric_id_is_400(api, path):
    expect_error(api.get(f"{path}/abc"), 400, "Bad Request")


def test_non_numeric_id_on_patch_is_400(api):
    expect_error(api.patch("/registered_models/abc", {"description": "x"}), 400, "Bad Request")


def test_id_of_another_entity_type_is_404(api, unique_name):
    rm = api.create_rm(unique_name())
    mv = api.create_mv(rm["id"], "1.0.0")
    expect_error(api.get(f"/registered_models/{mv['id']}"), 404, "Not Found")
    expect_error(api.get(f"/model_versions/{rm['id']}"), 404, "Not Found")


# -- lists and paging (§9) ----------------------------------------------------------------------
def test_list_envelope(api, unique_name):
    api.create_rm(unique_name())
    api.create_rm(unique_name())
    page = expect(api.get("/registered_models", {"pageSize": "1"}), 200)
    assert set(page) == {"items", "nextPageToken", "pageSize", "size"}
    assert page["pageSize"] == 1
    assert page["size"] == 1 == len(page["items"])
    assert isinstance(page["nextPageToken"], str) and page["nextPageToken"] != ""


def assert_default_page_size(page: dict) -> None:
    """Without pageSize upstream lists everything and echoes 0 (§0.3); we cap at the server
    maximum (Docs/differences.md) and may echo it. Either way an int >= 0."""
    assert isinstance(page["pageSize"], int) and page["pageSize"] >= 0, page


def test_list_without_page_size(api, paged_model):
    page = expect(api.get(paged_model["path"]), 200)
    assert page["size"] == 21
    assert item_ids(page["items"]) == paged_model["ids"]
    assert_default_page_size(page)
    assert page["nextPageToken"] == ""


def test_list_on_empty_registry(fresh_registry):
    for prefix in (API_V1ALPHA3, API_V1):
        api = Api(fresh_registry.base_url, prefix)
        for path in ("/registered_models", "/model_versions", "/model_artifacts", "/artifacts"):
            page = expect(api.get(path), 200)
            assert_default_page_size(page)
            assert page == {"items": [], "nextPageToken": "", "pageSize": page["pageSize"], "size": 0}, path
        page = expect(api.get("/registered_models", {"pageSize": "3"}), 200)
        assert (page["items"], page["nextPageToken"], page["size"]) == ([], "", 0)


def test_paging_21_items_gives_tokens_t1_t2_empty(api, paged_model):
    path = paged_model["path"]
    p1 = expect(api.get(path, {"pageSize": "10"}), 200)
    assert (p1["size"], p1["pageSize"], len(p1["items"])) == (10, 10, 10)
    t1 = p1["nextPageToken"]
    assert t1
    p2 = expect(api.get(path, {"pageSize": "10", "nextPageToken": t1}), 200)
    t2 = p2["nextPageToken"]
    assert p2["size"] == 10 and t2 and t2 != t1
    p3 = expect(api.get(path, {"pageSize": "10", "nextPageToken": t2}), 200)
    assert p3["size"] == 1
    assert p3["nextPageToken"] == "", "end of list is an empty token (§0.4)"
    got = item_ids(p1["items"] + p2["items"] + p3["items"])
    assert got == paged_model["ids"], "every item exactly once, in id order"

    # an empty nextPageToken means 'first page', and tokens are deterministic (§0.4, §14.1)
    again = expect(api.get(path, {"pageSize": "10", "nextPageToken": ""}), 200)
    assert item_ids(again["items"]) == item_ids(p1["items"])
    assert again["nextPageToken"] == t1
    assert expect(api.get(path, {"pageSize": "10"}), 200)["nextPageToken"] == t1


@pytest.mark.parametrize("page_size,pages", [(7, 3), (1, 21), (20, 2), (21, 1), (22, 1), (100, 1)])
def test_paging_page_counts(api, paged_model, page_size, pages):
    """Look-ahead: when the count is a multiple of the page size the last full page already
    ends the list (no empty trailing page)."""
    items, tokens = api.list_all(paged_model["path"], page_size)
    assert item_ids(items) == paged_model["ids"]
    assert len(tokens) == pages
    assert tokens[-1] == "" and all(tokens[:-1])
    assert len(set(tokens)) == len(tokens)


@pytest.mark.parametrize(
    "order_by,sort_order,descending",
    [
        (None, None, False),
        ("ID", None, False),
        ("ID", "ASC", False),
        ("ID", "DESC", True),
        ("CREATE_TIME", "ASC", False),
        ("CREATE_TIME", "DESC", True),
        ("LAST_UPDATE_TIME", "ASC", False),  # never updated: same as creation order
        ("LAST_UPDATE_TIME", "DESC", True),
        (None, "DESC", True),
    ],
)
def test_order_by_and_sort_order(api, paged_model, order_by, sort_order, descending):
    params = {}
    if order_by:
        params["orderBy"] = order_by
    if sort_order:
        params["sortOrder"] = sort_order
    want = paged_model["ids"][::-1] if descending else paged_model["ids"]
    assert item_ids(expect(api.get(paged_model["path"], params), 200)["items"]) == want
    for page_size in (4, 10):
        items, _ = api.list_all(paged_model["path"], page_size, params)
        assert item_ids(items) == want, f"pageSize={page_size}"


def test_unknown_order_values_fall_back(api, paged_model):
    """Unknown orderBy falls back to id, unknown sortOrder to ASC; neither is rejected (§5)."""
    page = expect(api.get(paged_model["path"], {"orderBy": "FOO", "sortOrder": "SIDEWAYS"}), 200)
    assert item_ids(page["items"]) == paged_model["ids"]


def test_order_by_last_update_time(api, unique_name):
    rm = api.create_rm(unique_name())
    mvs = [api.create_mv(rm["id"], f"v{i}") for i in range(5)]
    for k in (2, 0, 4):
        pause()
        expect(api.patch(f"/model_versions/{mvs[k]['id']}", {"description": f"touched {k}"}), 200)
    want = [mvs[k]["id"] for k in (1, 3, 2, 0, 4)]
    path = f"/registered_models/{rm['id']}/versions"
    for sort_order, expected in (("ASC", want), ("DESC", want[::-1])):
        params = {"orderBy": "LAST_UPDATE_TIME", "sortOrder": sort_order}
        assert item_ids(expect(api.get(path, params), 200)["items"]) == expected
        items, tokens = api.list_all(path, 2, params)
        assert item_ids(items) == expected
        assert len(tokens) == 3


def test_invalid_paging_parameters_are_400(api, paged_model):
    expect_error(api.get(paged_model["path"], {"pageSize": "2", "nextPageToken": "!!!not-base64!!!"}),
                 400, "Bad Request")
    expect_error(api.get(paged_model["path"], {"pageSize": "abc"}), 400, "Bad Request")


def test_filter_query(api, unique_name):
    tag = unique_name("fw")
    a = api.create_rm(unique_name(), customProperties={"framework": mv_string(tag)})
    api.create_rm(unique_name(), customProperties={"framework": mv_string(tag + "-other")})
    page = expect(api.get("/registered_models", {"filterQuery": f'framework = "{tag}"'}), 200)
    assert item_ids(page["items"]) == [a["id"]]
    page = expect(api.get("/registered_models", {"filterQuery": f"name = '{a['name']}'"}), 200)
    assert item_ids(page["items"]) == [a["id"]]
    expect_error(api.get("/registered_models", {"filterQuery": "invalid syntax ="}), 400, "Bad Request")


# -- customProperties (§3) ----------------------------------------------------------------------
STRUCT = {"a": 1, "b": ["x", 2], "c": {"d": "e"}, "f": True}
CUSTOM = {
    "int": mv_int(42),
    "neg": mv_int(-7),
    "zero": mv_int(0),
    "double": mv_double(1.5),
    "whole": mv_double(2.0),
    "string": mv_string("hello"),
    "label": mv_string(""),
    "true": mv_bool(True),
    "false": mv_bool(False),
    "struct": mv_struct(STRUCT),
}


def check_custom(got: dict) -> None:
    assert set(got) == set(CUSTOM), got
    assert got["int"] == {"metadataType": "MetadataIntValue", "int_value": "42"}, "int_value is a string"
    assert got["neg"] == {"metadataType": "MetadataIntValue", "int_value": "-7"}
    assert got["zero"] == {"metadataType": "MetadataIntValue", "int_value": "0"}
    for key, value in (("double", 1.5), ("whole", 2.0)):
        assert got[key]["metadataType"] == "MetadataDoubleValue", got[key]
        assert isinstance(got[key]["double_value"], (int, float)) and got[key]["double_value"] == value
    assert got["string"] == mv_string("hello")
    assert got["label"] == mv_string("")
    assert got["true"] == mv_bool(True)
    assert got["false"] == mv_bool(False)
    assert got["struct"]["metadataType"] == "MetadataStructValue", got["struct"]
    assert decode_struct_output(got["struct"]["struct_value"]) == STRUCT


@pytest.mark.parametrize("kind", ["registered-model", "model-version", "model-artifact", "doc-artifact"])
def test_custom_properties_round_trip(api, unique_name, kind):
    rm = api.create_rm(unique_name(), **({"customProperties": CUSTOM} if kind == "registered-model" else {}))
    if kind == "registered-model":
        created, path = rm, f"/registered_models/{rm['id']}"
    else:
        mv = api.create_mv(rm["id"], "1.0.0", **({"customProperties": CUSTOM} if kind == "model-version" else {}))
        if kind == "model-version":
            created, path = mv, f"/model_versions/{mv['id']}"
        else:
            created = api.create_artifact(mv["id"], "artifact", kind, uri="s3://b/a", customProperties=CUSTOM)
            path = f"/artifacts/{created['id']}"
    check_custom(created["customProperties"])
    check_custom(expect(api.get(path), 200)["customProperties"])


def test_proto_custom_property_round_trips(api, unique_name):
    """Deliberate difference (Docs/differences.md): upstream rejects proto values with 400;
    we store them as MLMD does and return them unchanged."""
    value = {"metadataType": "MetadataProtoValue", "type": "type.googleapis.com/google.protobuf.StringValue",
             "proto_value": base64.b64encode(b"\n\x03abc").decode()}
    rm = api.create_rm(unique_name(), customProperties={"p": value, "s": mv_string("x")})
    assert rm["customProperties"] == {"p": value, "s": mv_string("x")}
    assert expect(api.get(f"/registered_models/{rm['id']}"), 200)["customProperties"] == rm["customProperties"]


def test_struct_custom_property_must_be_base64_json_object(api, unique_name):
    bad = {"metadataType": "MetadataStructValue", "struct_value": "{not base64}"}
    expect_error(api.post("/registered_models", {"name": unique_name(), "customProperties": {"s": bad}}),
                 400, "Bad Request")


# -- versions and artifacts ---------------------------------------------------------------------
def test_model_versions_belong_to_their_registered_model(api, unique_name):
    rm = api.create_rm(unique_name())
    other = api.create_rm(unique_name())
    mv1 = api.create_mv(rm["id"], "v1", author="alice", description="first")
    assert mv1["registeredModelId"] == rm["id"]
    assert (mv1["name"], mv1["author"], mv1["description"], mv1["state"]) == ("v1", "alice", "first", "LIVE")
    assert mv1["customProperties"] == {}
    # nested create: the body still carries name and registeredModelId (§6)
    mv2 = expect(api.post(f"/registered_models/{rm['id']}/versions",
                          {"name": "v2", "registeredModelId": rm["id"]}), 201)
    assert mv2["registeredModelId"] == rm["id"]

    page = expect(api.get(f"/registered_models/{rm['id']}/versions"), 200)
    assert item_ids(page["items"]) == [mv1["id"], mv2["id"]]
    assert page["size"] == 2
    assert expect(api.get(f"/registered_models/{other['id']}/versions"), 200)["items"] == []
    named = expect(api.get(f"/registered_models/{rm['id']}/versions", {"name": "v2"}), 200)
    assert item_ids(named["items"]) == [mv2["id"]]
    assert expect(api.get(f"/model_versions/{mv1['id']}"), 200) == mv1
    # no existence check on the parent for the nested list (§6)
    assert expect(api.get(f"/registered_models/{MISSING_ID}/versions"), 200)["items"] == []


def test_model_version_artifacts(api, unique_name):
    rm = api.create_rm(unique_name())
    mv = api.create_mv(rm["id"], "1.0.0")
    ma = api.create_artifact(mv["id"], "model-file", "model-artifact", uri="s3://b/m.onnx",
                             modelFormatName="onnx", modelFormatVersion="1", storageKey="k",
                             storagePath="p")
    assert ma["artifactType"] == "model-artifact"
    assert (ma["name"], ma["uri"], ma["modelFormatName"], ma["modelFormatVersion"]) == (
        "model-file", "s3://b/m.onnx", "onnx", "1")
    assert (ma["storageKey"], ma["storagePath"]) == ("k", "p")
    assert ma["id"].isdigit() and ma["customProperties"] == {}
    doc = api.create_artifact(mv["id"], "readme", "doc-artifact", uri="https://example.com/README.md",
                              description="docs")
    assert doc["artifactType"] == "doc-artifact"
    assert (doc["name"], doc["uri"], doc["description"]) == ("readme", "https://example.com/README.md", "docs")

    path = f"/model_versions/{mv['id']}/artifacts"
    page = expect(api.get(path), 200)
    assert sorted(item_ids(page["items"]), key=int) == [ma["id"], doc["id"]]
    assert {x["artifactType"] for x in page["items"]} == {"model-artifact", "doc-artifact"}
    assert item_ids(expect(api.get(path, {"artifactType": "doc-artifact"}), 200)["items"]) == [doc["id"]]
    assert item_ids(expect(api.get(path, {"artifactType": "model-artifact"}), 200)["items"]) == [ma["id"]]

    assert expect(api.get(f"/model_artifacts/{ma['id']}"), 200)["uri"] == "s3://b/m.onnx"
    expect_error(api.get(f"/model_artifacts/{doc['id']}"), 404, "Not Found")
    assert expect(api.get(f"/artifacts/{doc['id']}"), 200)["artifactType"] == "doc-artifact"
    assert expect(api.get(f"/artifacts/{ma['id']}"), 200)["artifactType"] == "model-artifact"

    # artifact names are unique per (kind, parent version)
    expect_error(api.post(path, {"artifactType": "model-artifact", "name": "model-file", "uri": "s3://x"}),
                 409, "Conflict")
    mv2 = api.create_mv(rm["id"], "2.0.0")
    api.create_artifact(mv2["id"], "model-file", "model-artifact", uri="s3://x")
    expect_error(api.post(f"/model_versions/{MISSING_ID}/artifacts",
                          {"artifactType": "model-artifact", "name": "m", "uri": "s3://x"}),
                 404, "Not Found")


# -- find endpoints (§8) ------------------------------------------------------------------------
def test_find_endpoints(api, unique_name):
    name = unique_name()
    rm = api.create_rm(name, externalId=unique_name("ext-rm"))
    other = api.create_rm(unique_name())
    mv = api.create_mv(rm["id"], "1.0.0", externalId=unique_name("ext-mv"))
    ma = api.create_artifact(mv["id"], "model-file", uri="s3://b/m")

    assert expect(api.get("/registered_model", {"name": name}), 200)["id"] == rm["id"]
    assert expect(api.get("/registered_model", {"externalId": rm["externalId"]}), 200)["id"] == rm["id"]
    expect_error(api.get("/registered_model", {"name": unique_name("missing")}), 404, "Not Found")
    expect_error(api.get("/registered_model"), 400, "Bad Request")

    q = {"name": "1.0.0", "parentResourceId": rm["id"]}
    assert expect(api.get("/model_version", q), 200)["id"] == mv["id"]
    assert expect(api.get("/model_version", {"externalId": mv["externalId"]}), 200)["id"] == mv["id"]
    expect_error(api.get("/model_version", {"name": "1.0.0", "parentResourceId": other["id"]}), 404, "Not Found")
    expect_error(api.get("/model_version", {"name": "1.0.0"}), 400, "Bad Request")
    expect_error(api.get("/model_version", {"parentResourceId": rm["id"]}), 400, "Bad Request")
    expect_error(api.get("/model_version"), 400, "Bad Request")

    q = {"name": "model-file", "parentResourceId": mv["id"]}
    found = expect(api.get("/model_artifact", q), 200)
    assert (found["id"], found["artifactType"]) == (ma["id"], "model-artifact")
    expect_error(api.get("/model_artifact", {"name": "nope", "parentResourceId": mv["id"]}), 404, "Not Found")
    expect_error(api.get("/model_artifact", {"name": "model-file"}), 400, "Bad Request")
    expect_error(api.get("/model_artifact"), 400, "Bad Request")


# -- PATCH merge rules (§7) ---------------------------------------------------------------------
def test_patch_registered_model_merge_rules(api, unique_name):
    name = unique_name()
    rm = api.create_rm(name, description="d0", owner="o0",
                       customProperties={"a": mv_string("1"), "b": mv_int(2)})
    path = f"/registered_models/{rm['id']}"
    pause()
    r1 = expect(api.patch(path, {"description": "d1"}), 200)
    assert (r1["name"], r1["description"], r1["owner"]) == (name, "d1", "o0"), "absent fields keep values"
    assert r1["customProperties"] == rm["customProperties"], "absent customProperties are kept"
    assert r1["createTimeSinceEpoch"] == rm["createTimeSinceEpoch"]
    assert int(r1["lastUpdateTimeSinceEpoch"]) > int(rm["lastUpdateTimeSinceEpoch"])

    r2 = expect(api.patch(path, {"customProperties": {"c": mv_string("3")}}), 200)
    assert r2["customProperties"] == {"c": mv_string("3")}, "present customProperties replace the set"
    assert r2["description"] == "d1"
    r3 = expect(api.patch(path, {"customProperties": {}}), 200)
    assert r3["customProperties"] == {}
    r4 = expect(api.patch(path, {"owner": "o2", "state": "ARCHIVED"}), 200)
    assert (r4["owner"], r4["state"], r4["description"], r4["customProperties"]) == ("o2", "ARCHIVED", "d1", {})
    assert expect(api.get(path), 200) == r4

    # the name is immutable: not part of RegisteredModelUpdate
    expect_error(api.patch(path, {"name": unique_name()}), 400, "Bad Request")
    assert expect(api.get(path), 200)["name"] == name
    expect_error(api.patch(f"/registered_models/{MISSING_ID}", {"description": "x"}), 404, "Not Found")


def test_patch_model_version_merge_rules(api, unique_name):
    rm = api.create_rm(unique_name())
    other = api.create_rm(unique_name())
    mv = api.create_mv(rm["id"], "1.0.0", author="alice", description="d0",
                       customProperties={"k": mv_string("v")})
    path = f"/model_versions/{mv['id']}"
    r1 = expect(api.patch(path, {"description": "d1"}), 200)
    assert (r1["name"], r1["author"], r1["description"], r1["registeredModelId"]) == (
        "1.0.0", "alice", "d1", rm["id"])
    assert r1["customProperties"] == {"k": mv_string("v")}
    # registeredModelId and name are immutable: not part of ModelVersionUpdate
    expect_error(api.patch(path, {"registeredModelId": other["id"]}), 400, "Bad Request")
    expect_error(api.patch(path, {"name": "2.0.0"}), 400, "Bad Request")
    back = expect(api.get(path), 200)
    assert (back["name"], back["registeredModelId"]) == ("1.0.0", rm["id"])


def test_patch_model_artifact_without_artifact_type(api, unique_name):
    """upstream test_patch_model_artifacts_artifact_type: only modelFormatName is sent."""
    rm = api.create_rm(unique_name())
    mv = api.create_mv(rm["id"], "1.0.0")
    ma = api.create_artifact(mv["id"], "m", uri="s3://b/m", modelFormatName="onnx", modelFormatVersion="1")
    res = expect(api.patch(f"/model_artifacts/{ma['id']}", {"modelFormatName": "foo"}), 200)
    assert (res["modelFormatName"], res["modelFormatVersion"], res["uri"], res["name"]) == (
        "foo", "1", "s3://b/m", "m")
    assert expect(api.get(f"/model_artifacts/{ma['id']}"), 200)["modelFormatName"] == "foo"


# -- name length (§0.9, §11) --------------------------------------------------------------------
def test_name_length_limits(api, unique_name):
    base = unique_name("long")
    name255 = base + "x" * (255 - len(base))
    assert api.create_rm(name255)["name"] == name255
    name256 = base + "y" * (256 - len(base))
    expect_4xx(api.post("/registered_models", {"name": name256}))
    expect_error(api.get("/registered_model", {"name": name256}), 404, "Not Found")

    rm = api.create_rm(unique_name())
    v250 = "v" * 250
    assert api.create_mv(rm["id"], v250)["name"] == v250
    # the stored name is "<rmId>:<name>", so 255 characters no longer fit
    expect_4xx(api.post("/model_versions", {"name": "w" * 255, "registeredModelId": rm["id"]}))
    assert expect(api.get(f"/registered_models/{rm['id']}/versions"), 200)["size"] == 1
