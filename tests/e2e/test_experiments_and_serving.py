"""Experiment tracking with the upstream 0.3.14 client and the serving flow over raw HTTP,
both through nginx."""

from __future__ import annotations

from pathlib import Path

import requests

from mrtest.clients import run_with_mr_0314

EXPERIMENTS = Path(__file__).parent / "scripts" / "mr_0314_experiments.py"


def test_experiment_tracking_with_client_0314(registry, unique_name):
    proc = run_with_mr_0314(EXPERIMENTS, "--port", str(registry.port), "--prefix", unique_name("exp"))
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr}"
    assert "OK: model-registry 0.3.14 experiment flow passed" in proc.stdout


def test_metric_history_over_http(registry, unique_name):
    api = f"{registry.base_url}/api/model_registry/v1alpha3"
    experiment = requests.post(f"{api}/experiments", json={"name": unique_name("hist")}).json()
    run = requests.post(f"{api}/experiment_runs", json={"experimentId": experiment["id"], "name": "r"}).json()
    for step, value in enumerate([0.1, 0.2, 0.3]):
        logged = requests.post(f"{api}/experiment_runs/{run['id']}/artifacts", json={
            "artifactType": "metric", "name": "loss", "value": value, "step": step, "timestamp": "0"})
        assert logged.status_code == 200, logged.text
    history = requests.get(f"{api}/experiment_runs/{run['id']}/metric_history").json()
    assert [item["value"] for item in history["items"]] == [0.1, 0.2, 0.3]
    assert {item["name"] for item in history["items"]} == {"loss"}
    steps = requests.get(f"{api}/experiment_runs/{run['id']}/metric_history", params={"stepIds": "0,2"}).json()
    assert [item["step"] for item in steps["items"]] == [0, 2]
    bad = requests.get(f"{api}/experiment_runs/metric_history", params={"stepIds": "x"})
    assert bad.status_code == 400 and bad.json()["code"] == "Bad Request"
    # /v1 clients type Metric.step as a string.
    v1 = requests.get(f"{registry.base_url}/api/model_registry/v1/experiment_runs/{run['id']}/metric_history").json()
    assert v1["items"][0]["step"] == "0"
    missing = requests.post(f"{api}/experiment_runs", json={"experimentId": "999999"})
    assert missing.status_code == 404 and missing.json()["code"] == "Not Found"
    backwards = requests.post(f"{api}/experiment_runs", json={
        "experimentId": experiment["id"], "startTimeSinceEpoch": "20", "endTimeSinceEpoch": "10"})
    assert backwards.status_code == 400


def test_serving_flow_over_http(registry, unique_name):
    api = f"{registry.base_url}/api/model_registry/v1alpha3"
    model = requests.post(f"{api}/registered_models", json={"name": unique_name("served")}).json()
    v1 = requests.post(f"{api}/model_versions", json={"name": "v1", "registeredModelId": model["id"]}).json()
    v2 = requests.post(f"{api}/model_versions", json={"name": "v2", "registeredModelId": model["id"]}).json()
    env = requests.post(f"{api}/serving_environments", json={"name": unique_name("env")})
    assert env.status_code == 201, env.text
    env = env.json()
    isvc = requests.post(f"{api}/serving_environments/{env['id']}/inference_services",
                         json={"name": "svc", "registeredModelId": model["id"], "runtime": "vllm"})
    assert isvc.status_code == 201, isvc.text
    isvc = isvc.json()
    assert isvc["desiredState"] == "DEPLOYED" and isvc["servingEnvironmentId"] == env["id"]
    assert requests.get(f"{api}/inference_services/{isvc['id']}/model").json()["id"] == model["id"]
    assert requests.get(f"{api}/inference_services/{isvc['id']}/version").json()["id"] == v2["id"]
    pinned = requests.patch(f"{api}/inference_services/{isvc['id']}", json={"modelVersionId": v1["id"]})
    assert pinned.status_code == 200 and pinned.json()["modelVersionId"] == v1["id"]
    assert requests.get(f"{api}/inference_services/{isvc['id']}/version").json()["id"] == v1["id"]
    serve = requests.post(f"{api}/inference_services/{isvc['id']}/serves", json={"modelVersionId": v1["id"]})
    assert serve.status_code == 201 and serve.json()["lastKnownState"] == "UNKNOWN"
    serves = requests.get(f"{api}/inference_services/{isvc['id']}/serves").json()
    assert serves["size"] == 1
    found = requests.get(f"{api}/inference_service", params={"name": "svc", "parentResourceId": env["id"]})
    assert found.json()["id"] == isvc["id"]
    undeployed = requests.patch(f"{api}/inference_services/{isvc['id']}", json={"desiredState": "UNDEPLOYED"})
    assert undeployed.json()["desiredState"] == "UNDEPLOYED"
    bad_state = requests.patch(f"{api}/inference_services/{isvc['id']}", json={"desiredState": "GONE"})
    assert bad_state.status_code == 400 and "InferenceServiceState" in bad_state.json()["message"]
    no_env = requests.post(f"{api}/inference_services",
                           json={"registeredModelId": model["id"], "servingEnvironmentId": "999999"})
    assert no_env.status_code == 404
    filtered = requests.get(f"{api}/inference_services", params={"filterQuery": 'runtime = "vllm"'}).json()
    assert isvc["id"] in {item["id"] for item in filtered["items"]}
