"""Concurrency: 16 clients race to create versions with the same names under one model.
Exactly one create per name wins (201), every other gets 409, nothing fails with 500 or 503,
and SQLite's "database is locked" never reaches a client."""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict

import requests

from .support import P, connect

CLIENTS = 16
NAMES = 60


def test_colliding_version_names_one_winner_each(start_server):
    srv = start_server("race", workers=4)
    http = requests.Session()
    http.trust_env = False
    model = http.post(f"{srv.base_url}{P}/registered_models", json={"name": "race-model"}, timeout=30).json()
    names = [f"v{i}" for i in range(NAMES)]
    barrier = threading.Barrier(CLIENTS)
    results: dict[str, list[tuple[int, str]]] = defaultdict(list)
    lock = threading.Lock()
    errors: list[str] = []

    def client(index: int) -> None:
        session = requests.Session()
        session.trust_env = False
        order = names[:]
        random.Random(index).shuffle(order)
        barrier.wait()
        for name in order:
            try:
                # half the clients use the nested route, half the flat one
                if index % 2:
                    resp = session.post(f"{srv.base_url}{P}/registered_models/{model['id']}/versions",
                                        json={"name": name, "author": f"client-{index}"}, timeout=30)
                else:
                    resp = session.post(f"{srv.base_url}{P}/model_versions",
                                        json={"name": name, "registeredModelId": model["id"],
                                              "author": f"client-{index}"}, timeout=30)
            except requests.RequestException as e:
                with lock:
                    errors.append(f"client {index} {name}: {e}")
                continue
            with lock:
                results[name].append((resp.status_code, resp.text))

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    elapsed = time.monotonic() - started
    assert not errors, errors[:5]

    for name in names:
        statuses = sorted(status for status, _ in results[name])
        assert len(statuses) == CLIENTS, (name, statuses)
        assert statuses == [201] + [409] * (CLIENTS - 1), f"{name}: {statuses}\n" + "\n".join(
            text for status, text in results[name] if status not in (201, 409))
        for status, text in results[name]:
            assert "locked" not in text.lower() and "busy" not in text.lower(), text
            if status == 409:
                body = __import__("json").loads(text)
                assert body["code"] == "Conflict" and name in body["message"], text

    # exactly one row per name in the store, each with its parent link
    with connect(srv.db_path) as conn:
        rows = conn.execute("""
            SELECT c.name, COUNT(*) FROM Context c JOIN Type t ON t.id = c.type_id
            JOIN ParentContext p ON p.context_id = c.id AND p.parent_context_id = ?
            WHERE t.name = 'kf.ModelVersion' GROUP BY c.name""", (int(model["id"]),)).fetchall()
    assert sorted(rows) == sorted((f"{model['id']}:{n}", 1) for n in names)
    total = CLIENTS * NAMES
    print(f"\nconcurrency: {total} creates from {CLIENTS} clients in {elapsed:.2f} s "
          f"({total / elapsed:.0f}/s): {NAMES} x 201, {total - NAMES} x 409")


def race(base: str, requests_per_client, clients: int = CLIENTS) -> list[tuple[int, dict]]:
    """Run `requests_per_client(index)` -> [(path, body)] from `clients` threads at once."""
    barrier = threading.Barrier(clients)
    out: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        session = requests.Session()
        session.trust_env = False
        calls = requests_per_client(index)
        barrier.wait()
        for path, body in calls:
            resp = session.post(base + P + path, json=body, timeout=30)
            with lock:
                out.append((resp.status_code, resp.json()))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return out


def test_other_uniqueness_rules_under_races(start_server):
    srv = start_server("race2", workers=4)
    base = srv.base_url
    http = requests.Session()
    http.trust_env = False

    def one_winner(results, what):
        statuses = sorted(s for s, _ in results)
        assert statuses == [201] + [409] * (len(results) - 1), f"{what}: {statuses} {[b for s, b in results if s not in (201, 409)][:3]}"

    one_winner(race(base, lambda i: [("/registered_models", {"name": "same-model"})]), "model name")
    one_winner(race(base, lambda i: [("/registered_models", {"name": f"ext-{i}", "externalId": "shared-ext"})]), "externalId")
    model = http.get(f"{base}{P}/registered_model", params={"name": "same-model"}, timeout=30).json()
    version = http.post(f"{base}{P}/model_versions", json={"name": "v", "registeredModelId": model["id"]}, timeout=30).json()
    one_winner(race(base, lambda i: [(f"/model_versions/{version['id']}/artifacts",
                                      {"artifactType": "model-artifact", "name": "weights", "uri": f"s3://b/{i}"})]),
               "artifact name under a version")

    # metrics logged under one run from every client: one metric, every value in its history
    experiment = http.post(f"{base}{P}/experiments", json={"name": "race-exp"}, timeout=30).json()
    run = http.post(f"{base}{P}/experiment_runs", json={"name": "race-run", "experimentId": experiment["id"]}, timeout=30).json()
    logs = 8
    results = race(base, lambda i: [(f"/experiment_runs/{run['id']}/artifacts",
                                     {"artifactType": "metric", "name": "loss", "value": i + k / 100, "step": str(k)})
                                    for k in range(logs)])
    assert all(s in (200, 201) for s, _ in results), sorted({s for s, _ in results})
    assert len({b["id"] for _, b in results}) == 1, "the same metric was created twice"
    artifacts = http.get(f"{base}{P}/experiment_runs/{run['id']}/artifacts", timeout=30).json()["items"]
    assert [a["name"] for a in artifacts] == ["loss"]
    history = http.get(f"{base}{P}/experiment_runs/{run['id']}/metric_history", params={"pageSize": "1000"}, timeout=30).json()
    assert history["size"] == CLIENTS * logs, history["size"]
    logged = sorted(i + k / 100 for i in range(CLIENTS) for k in range(logs))
    assert sorted(h["value"] for h in history["items"]) == logged
