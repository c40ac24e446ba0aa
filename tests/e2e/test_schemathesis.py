"""Schemathesis against the OpenAPI document the server itself serves, through nginx.

Every operation gets a bounded number of generated requests (positive and negative). Checks:
no 5xx, every status code and content type documented, every response valid against its
schema, and schema-valid ("positive") requests accepted.

Acceptance needs care because some rules cannot be written in JSON Schema. For positive
cases the test therefore makes the generated request meet the documented rules before
sending it (a grammatical `filterQuery`, a real page token, base64 JSON in struct values,
the path id as the parent id of a nested body, the parameter pairs the find endpoints need),
and steers path and body ids towards seeded entities so that existing resources get
exercised too. What stays acceptable for a positive case: 2xx, 404 (an id that does not
exist), 409 (a name or externalId already taken) and the 400s of `STATE_DEPENDENT` (rules that
depend on what is stored, such as the type of an existing artifact).

The run uses a server of its own (via the session `registry_factory` fixture): it PATCHes
whatever ids it finds, which must not touch the entities of other tests.
"""

from __future__ import annotations

import base64
import json
import os
from collections import Counter

import pytest
import requests
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate as validate_openapi
from schemathesis.core.errors import UnsupportedSchema
from schemathesis.generation import GenerationMode

from mrtest.server import API_V1, API_V1ALPHA3, REPO_ROOT

MAX_EXAMPLES = int(os.environ.get("MR_SCHEMATHESIS_EXAMPLES", "20"))
# The same cases on every run, unless MR_SCHEMATHESIS_EXPLORE=1 asks for fresh random ones.
EXPLORE = os.environ.get("MR_SCHEMATHESIS_EXPLORE") == "1"

# 400 messages that depend on stored data, which no schema can describe.
STATE_DEPENDENT = (
    "does not belong to",  # nested POST with the id of another parent's child
    "refers to a",  # upsert with the id of an artifact of another type
    "cannot change artifact type",  # PATCH /artifacts/{id} naming another type than the stored one
    "is before startTimeSinceEpoch",  # run end time before the stored start time
    "gated or private Hugging Face model",  # serving a version whose custom properties say so
    "name is too long",  # full-entity bodies: the limit depends on the length of the parent id
)

# Path parameter -> the kind of seeded entity it names.
PATH_KINDS = {
    "registeredmodelId": "registered_model",
    "modelversionId": "model_version",
    "modelartifactId": "model_artifact",
    "id": "artifact",
    "servingenvironmentId": "serving_environment",
    "inferenceserviceId": "inference_service",
    "experimentId": "experiment",
    "experimentrunId": "experiment_run",
}
BODY_KINDS = {
    "registeredModelId": "registered_model",
    "modelVersionId": "model_version",
    "servingEnvironmentId": "serving_environment",
    "experimentId": "experiment",
}
# Nested creates: the body field that must equal the path id.
NESTED_PARENT = {
    "createRegisteredModelVersion": "registeredModelId",
    "createEnvironmentInferenceService": "servingEnvironmentId",
    "createExperimentExperimentRun": "experimentId",
}
TOP_LEVEL_FINDS = {
    "findRegisteredModel": ["seed-model-0", "seed-model-1", "x"],
    "findServingEnvironment": ["seed-env-0", "x"],
    "findExperiment": ["seed-experiment-1", "x"],
}
# Child finds: the kind of the parent in `parentResourceId`, and seeded names under it.
CHILD_FINDS = {
    "findModelVersion": ("registered_model", ["v1", "x"]),
    "findModelArtifact": ("model_version", ["model", "readme"]),
    "findArtifact": ("model_version", ["model", "readme", "x"]),
    "findInferenceService": ("serving_environment", ["isvc", "x"]),
    "findExperimentRun": ("experiment", ["run", "x"]),
}


# -- the server, seeded ------------------------------------------------------------------


@pytest.fixture(scope="session")
def st_server(registry_factory):
    return registry_factory("schemathesis")


@pytest.fixture(scope="session")
def seeded(st_server):
    """A few entities of every kind, so that generated ids often name existing ones."""
    http = requests.Session()
    http.trust_env = False
    base = st_server.url()

    def post(path, body):
        r = http.post(base + path, json=body, timeout=10)
        assert r.status_code in (200, 201), f"seeding POST {path}: {r.status_code} {r.text}"
        return r.json()["id"]

    ids: dict[str, list[str]] = {k: [] for k in set(PATH_KINDS.values())}
    for i in range(2):
        rm = post("/registered_models", {"name": f"seed-model-{i}"})
        ids["registered_model"].append(rm)
        mv = post(f"/registered_models/{rm}/versions", {"name": "v1"})
        ids["model_version"].append(mv)
        ma = post(f"/model_versions/{mv}/artifacts", {"artifactType": "model-artifact", "name": "model", "uri": "s3://b/m"})
        ids["model_artifact"].append(ma)
        doc = post(f"/model_versions/{mv}/artifacts", {"artifactType": "doc-artifact", "name": "readme"})
        ids["artifact"] += [ma, doc]
        se = post("/serving_environments", {"name": f"seed-env-{i}"})
        ids["serving_environment"].append(se)
        isvc = post("/inference_services", {"name": "isvc", "registeredModelId": rm, "servingEnvironmentId": se})
        ids["inference_service"].append(isvc)
        post(f"/inference_services/{isvc}/serves", {"modelVersionId": mv})
        exp = post("/experiments", {"name": f"seed-experiment-{i}"})
        ids["experiment"].append(exp)
        run = post(f"/experiments/{exp}/experiment_runs", {"name": "run", "startTimeSinceEpoch": "1000"})
        ids["experiment_run"].append(run)
        for body in ({"artifactType": "metric", "name": "loss", "value": 0.5, "step": 1},
                     {"artifactType": "parameter", "name": "lr", "value": "0.1", "parameterType": "number"},
                     {"artifactType": "dataset-artifact", "name": "train"}):
            ids["artifact"].append(post(f"/experiment_runs/{run}/artifacts", body))
    http.close()
    return ids


@pytest.fixture(scope="session")
def api_schema(st_server, seeded):
    config = schemathesis.config.SchemathesisConfig.from_dict({
        "base-url": st_server.base_url,
        "generation": {
            "allow-x00": False,  # NUL is rejected everywhere (documented), never valid data
        },
    })
    return schemathesis.openapi.from_url(st_server.url("/openapi.yaml"), config=config)


def _documented_operations() -> list[tuple[str, str]]:
    """(METHOD, path) of every operation in the repository's copy of the document, which is
    what the server serves (test_served_document checks that both are the same)."""
    document = yaml.safe_load((REPO_ROOT / "Sources/API/Resources/openapi.yaml").read_text())
    return [(method.upper(), path) for path, item in document["paths"].items()
            for method in item if method in ("get", "post", "patch", "put", "delete")]


# -- strategies for the rules JSON Schema cannot express ---------------------------------


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_words = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
_strings = _words.map(_quote)
_ints = st.integers(min_value=-(10**15), max_value=10**15).map(str)
_floats = st.floats(allow_nan=False, allow_infinity=False).map(repr)
_bools = st.sampled_from(["true", "false", "TRUE", "False"])
_literals = st.one_of(_strings, _ints, _floats, _bools)
_patterns = st.lists(st.sampled_from(["%", "_", "a", "model", ":", "\\%", "1"]), max_size=5).map(lambda p: _quote("".join(p)))
_common = st.sampled_from(["id", "name", "externalId", "createTimeSinceEpoch", "lastUpdateTimeSinceEpoch"])
_custom = st.sampled_from(["accuracy", "framework", "x_1", "a.b", "`mlflow.source.type`", "`custom-metric`", "`ünï`"])
_suffixes = st.sampled_from(["", ".string_value", ".int_value", ".double_value"])


@st.composite
def _comparison(draw):
    if draw(st.booleans()):
        prop, boolean_column = draw(_common), False
    else:
        suffix = draw(st.one_of(_suffixes, st.just(".bool_value")))
        prop, boolean_column = draw(_custom) + suffix, suffix == ".bool_value"
    values = st.one_of(_ints, _floats, _bools) if boolean_column else _literals
    kind = draw(st.sampled_from(["cmp", "cmp", "like", "in"]))
    if kind == "like" and not boolean_column:
        return f"{prop} {draw(st.sampled_from(['LIKE', 'ILIKE', 'like']))} {draw(_patterns)}"
    if kind == "in":
        return f"{prop} IN ({', '.join(draw(st.lists(values, max_size=3)))})"
    return f"{prop} {draw(st.sampled_from(['=', '!=', '<>', '<', '<=', '>', '>=']))} {draw(values)}"


_filters = st.recursive(
    _comparison(),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["AND", "OR", "and"]), inner).map(" ".join),
        inner.map(lambda f: f"({f})"),
    ),
    max_leaves=4,
).flatmap(lambda f: st.sampled_from([f, f + " -- comment", "  " + f + "\n"]))


def _token(last_id: int, value: int) -> str:
    return base64.b64encode(f"{last_id}:{value}".encode()).decode()


_tokens = st.one_of(st.just(""), st.builds(_token, st.integers(0, 60), st.integers(0, 2**45)))
_no_nul = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=5)
_json_objects = st.dictionaries(_no_nul, st.one_of(st.integers(-1000, 1000), _no_nul, st.booleans()), max_size=3)


@st.composite
def _tolerant(draw, cases, mode):
    """Schemathesis cannot always negate a `customProperties` value (a oneOf); such draws are
    dropped, as a limit of the generator rather than a finding. Positive ones must all work."""
    try:
        return draw(cases)
    except UnsupportedSchema:
        if mode is not GenerationMode.NEGATIVE:
            raise
        reject()


def _positive(case) -> bool:
    return case.meta is not None and case.meta.generation.mode.is_positive


def _make_valid(case, data, seeded) -> None:
    """Bring a positive case in line with the documented rules the schema cannot express."""
    op_id = case.operation.definition.raw.get("operationId", "")
    # Ids: sometimes one of the seeded entities instead of a random (mostly missing) one.
    for name in list(case.path_parameters or {}):
        if name in PATH_KINDS and data.draw(st.booleans()):
            case.path_parameters[name] = data.draw(st.sampled_from(seeded[PATH_KINDS[name]]))
    query = case.query if isinstance(case.query, dict) else None
    if query is not None:
        if "filterQuery" in query:
            query["filterQuery"] = data.draw(_filters)
        if "nextPageToken" in query:
            query["nextPageToken"] = data.draw(_tokens)
        # Finds need a name or an externalId (children: a name with its parent); steer
        # them towards seeded names.
        if op_id in TOP_LEVEL_FINDS and (not query.get("name") or data.draw(st.booleans())):
            query["name"] = data.draw(st.sampled_from(TOP_LEVEL_FINDS[op_id]))
        if op_id in CHILD_FINDS and (not query.get("externalId") or data.draw(st.booleans())):
            parent_kind, names = CHILD_FINDS[op_id]
            query["name"] = data.draw(st.sampled_from(names))
            query["parentResourceId"] = data.draw(st.sampled_from(seeded[parent_kind]))
    body = case.body if isinstance(case.body, dict) else None
    if body is not None:
        for field, kind in BODY_KINDS.items():
            if field in body and data.draw(st.booleans()):
                body[field] = data.draw(st.sampled_from(seeded[kind]))
        parent = NESTED_PARENT.get(op_id)
        if parent and parent in body:
            body[parent] = next(iter(case.path_parameters.values()))
        for value in (body.get("customProperties") or {}).values():
            if isinstance(value, dict) and value.get("metadataType") == "MetadataStructValue":
                raw = json.dumps(data.draw(_json_objects)).encode()
                value["struct_value"] = base64.b64encode(raw).decode()
        start, end = body.get("startTimeSinceEpoch"), body.get("endTimeSinceEpoch")
        if start is not None and end is not None and int(end) < int(start):
            body["startTimeSinceEpoch"], body["endTimeSinceEpoch"] = end, start


# -- checks ------------------------------------------------------------------------------


@schemathesis.check
def accepts_valid_data(ctx, response, case):
    """A schema-valid request is not rejected, except for a missing id, a taken name or a
    documented rule about stored data."""
    if not _positive(case):
        return None
    status = response.status_code
    if status < 400 or status in (404, 409):
        return None
    message = ""
    try:
        message = response.json().get("message", "")
    except ValueError:
        pass
    if status == 400 and any(reason in message for reason in STATE_DEPENDENT):
        return None
    raise AssertionError(f"a schema-valid request was rejected with {status}: {message or response.text[:500]}")


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    accepts_valid_data,
]


# -- tests -------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), _documented_operations(),
                         ids=lambda v: v.replace("/api/model_registry/v1alpha3", ""))
def test_operation_conforms_to_openapi(api_schema, seeded, method, path):
    """Schemathesis' own pytest plugin does not run on pytest 9, so each operation is driven
    with its Hypothesis strategies directly."""
    operation = api_schema[path][method]
    has_inputs = bool(operation.path_parameters or operation.query or operation.body)
    statuses: Counter[str] = Counter()
    modes = [(GenerationMode.POSITIVE, MAX_EXAMPLES)]
    if has_inputs:
        modes.append((GenerationMode.NEGATIVE, max(1, MAX_EXAMPLES // 2)))
    for mode, examples in modes:

        @settings(max_examples=examples, deadline=None, derandomize=not EXPLORE, database=None,
                  phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
        @given(case=_tolerant(operation.as_strategy(mode), mode), data=st.data())
        def run(case, data):
            if _positive(case):
                _make_valid(case, data, seeded)
            response = case.call_and_validate(checks=CHECKS, timeout=10)
            statuses[f"{mode.value} {response.status_code}"] += 1

        run()
    if os.environ.get("MR_SCHEMATHESIS_STATS"):  # what the generated requests got, with -s
        print(f"\n{method} {path}: {dict(sorted(statuses.items()))}")


def test_served_document(st_server):
    """Both prefixes serve the same, valid OpenAPI 3.0 document as application/yaml."""
    bodies = []
    for prefix in (API_V1ALPHA3, API_V1):
        r = requests.get(st_server.url("/openapi.yaml", prefix=prefix), timeout=10)
        assert r.status_code == 200, r.text[:500]
        assert r.headers["Content-Type"] == "application/yaml"
        bodies.append(r.content)
    assert bodies[0] == bodies[1] == (REPO_ROOT / "Sources/API/Resources/openapi.yaml").read_bytes()
    document = yaml.safe_load(bodies[0])
    validate_openapi(document)
    assert [server["url"] for server in document["servers"]] == ["http://127.0.0.1:8080"]
    assert "--max-page-size" in document["components"]["parameters"]["pageSize"]["description"]
