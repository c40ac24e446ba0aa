"""Embedded and remote registries answer alike: the same bytes for the same requests (apart
from the clock), and the same objects through the SDK."""

from __future__ import annotations

import json
import re

from model_registry.types import ModelVersionState

V3 = "/api/model_registry/v1alpha3"
V1 = "/api/model_registry/v1"
TIMES = re.compile(rb'"(createTimeSinceEpoch|lastUpdateTimeSinceEpoch)":"\d+"')

REQUESTS: list[tuple[str, str, str, object]] = [
    ("POST", V3 + "/registered_models", "", {"name": "m", "owner": "o", "customProperties": {
        "n": {"int_value": "7", "metadataType": "MetadataIntValue"},
        "s": {"string_value": "x", "metadataType": "MetadataStringValue"}}}),
    ("POST", V3 + "/registered_models", "", {"name": "m"}),  # 409
    ("POST", V3 + "/registered_models", "", {"owner": "nameless"}),  # 422
    ("POST", V3 + "/registered_models", "", b"{broken"),  # 400
    ("GET", V3 + "/registered_models/1", "", None),
    ("GET", V3 + "/registered_models/404", "", None),
    ("GET", V3 + "/registered_models/abc", "", None),
    ("POST", V3 + "/model_versions", "", {"name": "v1", "registeredModelId": "1", "author": "a"}),
    ("POST", V3 + "/model_versions", "", {"name": "v2", "registeredModelId": "1"}),
    ("POST", V3 + "/model_versions/2/artifacts", "", {"artifactType": "model-artifact", "name": "m",
                                                      "uri": "s3://b/m", "modelFormatName": "onnx"}),
    ("PATCH", V3 + "/model_versions/3", "", {"state": "ARCHIVED", "description": "old"}),
    ("GET", V3 + "/model_version", "name=v1&parentResourceId=1", None),
    ("GET", V3 + "/registered_models/1/versions", "pageSize=1&orderBy=ID&sortOrder=DESC", None),
    ("GET", V3 + "/registered_models/1/versions", "pageSize=1&nextPageToken=Mzoz&sortOrder=DESC", None),
    ("GET", V3 + "/model_versions", "filterQuery=state%20%3D%20%22ARCHIVED%22", None),
    ("GET", V3 + "/artifacts", "artifactType=model-artifact", None),
    ("GET", V3 + "/artifacts", "artifactType=bogus", None),
    ("POST", V3 + "/experiments", "", {"name": "e"}),
    ("POST", V3 + "/experiment_runs", "", {"experimentId": "4", "name": "r"}),
    ("POST", V3 + "/experiment_runs/5/artifacts", "", {"artifactType": "metric", "name": "acc", "value": 0.5,
                                                       "step": 1, "timestamp": "1000"}),
    ("POST", V3 + "/experiment_runs/5/artifacts", "", {"artifactType": "metric", "name": "acc", "value": 0.7,
                                                       "step": 2, "timestamp": "2000"}),
    ("GET", V3 + "/experiment_runs/5/artifacts", "", None),
    ("GET", V3 + "/experiment_runs/5/metric_history", "name=acc&stepIds=1,2", None),
    ("GET", V1 + "/registered_models", "pageSize=1&sortOrder=ASC", None),
    ("GET", V3 + "/no_such_thing", "", None),
    ("DELETE", V3 + "/registered_models/1", "", None),
]


def answers(target) -> list[tuple[int, bytes]]:
    connection = target.connection()
    out = []
    try:
        for method, path, query, body in REQUESTS:
            payload = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
            status, data = connection.request(method, path, query, payload)
            out.append((status, TIMES.sub(rb'"\1":"<t>"', data)))
    finally:
        connection.close()
    return out


def test_same_bytes_for_the_same_requests(make_target):
    embedded, remote = answers(make_target("embedded")), answers(make_target("remote"))
    assert len(embedded) == len(REQUESTS)
    for request, mine, theirs in zip(REQUESTS, embedded, remote):
        assert mine == theirs, f"{request[0]} {request[1]}?{request[2]}"
    statuses = [status for status, _ in embedded]
    assert statuses[:8] == [201, 409, 422, 400, 200, 404, 400, 201]


def scenario(target) -> list[dict]:
    """A notebook session through the SDK; returns every object it saw."""
    seen = []
    with target.client() as mr:
        for version in ("1", "2", "3"):
            mr.register_model("model", f"s3://b/{version}", version=version, model_format_name="onnx",
                              model_format_version="1", metadata={"v": int(version)})
        mv = mr.get_model_version("model", "2")
        mv.state = ModelVersionState.ARCHIVED
        seen.append(mr.update(mv).model_dump())
        seen += [v.model_dump() for v in mr.get_model_versions("model").page_size(2).descending()]
        seen.append(mr.get_model_artifact("model", "3").model_dump())
        with mr.start_experiment_run(experiment_name="exp", run_name="run") as run:
            run.log_metric("loss", 0.25, step=3, timestamp=123)
            run.log_param("p", True)
        seen += [log.model_dump() for log in mr.get_experiment_run_logs(run_id=run.info.id)]
    for item in seen:
        for key in ("create_time_since_epoch", "last_update_time_since_epoch"):
            item.pop(key, None)
    return seen


def test_same_objects_through_the_sdk(make_target):
    embedded = scenario(make_target("embedded"))
    assert embedded == scenario(make_target("remote"))
    assert [item.get("name") for item in embedded[:4]] == ["2", "3", "2", "1"]
