"""A mixed read/write load against one registry, run as a separate client process by the
crash-safety test:

    python loadgen.py --url http://127.0.0.1:PORT --seconds 10 --threads 6 --tag p1 --out log.jsonl

Each thread repeatedly creates a registered model, a version under it and an artifact under
the version (each only under a parent whose creation was acknowledged), and reads back what
it was told exists. Every request uses a new connection. One JSON line per request goes to
--out, classified as:

    ok       2xx with the expected content
    gateway  502/503/504 in the API's Error shape (a request cut by a kill)
    conn     no HTTP answer at all (connection refused or reset, timeout)
    bad      anything else: another status, another shape, a 2xx with the wrong content,
             an acknowledged entity missing on read
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time

import requests

PREFIX = "/api/model_registry/v1alpha3"


def classify_error(resp: requests.Response) -> tuple[str, str]:
    detail = f"{resp.status_code} {resp.headers.get('Content-Type')!r} {resp.text[:300]!r}"
    if resp.status_code in (502, 503, 504):
        try:
            body = resp.json()
        except ValueError:
            return "bad", "gateway error that is not JSON: " + detail
        ctype = resp.headers.get("Content-Type", "").split(";")[0].strip()
        if ctype == "application/json" and isinstance(body, dict) and set(body) == {"code", "message"}:
            return "gateway", detail
        return "bad", "gateway error not in the Error shape: " + detail
    return "bad", "unexpected status: " + detail


class Worker(threading.Thread):
    def __init__(self, args, tid: int):
        super().__init__(daemon=True)
        self.args = args
        self.tid = tid
        self.records: list[dict] = []
        self.models: list[dict] = []  # acknowledged: {"id", "name", "versions": [{"id", "artifacts": [id]}]}
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.headers["Connection"] = "close"
        if args.token:
            self.http.headers["Authorization"] = f"Bearer {args.token}"
        self.rng = random.Random(f"{args.tag}-{tid}")

    def call(self, op: str, method: str, path: str, body=None, check=None) -> dict | None:
        started = time.time()
        rec = {"op": op, "method": method, "path": path, "start": started}
        try:
            resp = self.http.request(method, self.args.url + PREFIX + path, json=body, timeout=self.args.timeout)
        except requests.RequestException as e:
            rec.update(end=time.time(), status=None, outcome="conn", detail=f"{type(e).__name__}: {e}"[:300])
            self.records.append(rec)
            time.sleep(0.05)  # a dead server refuses at once; do not spin
            return None
        rec.update(end=time.time(), status=resp.status_code)
        if 200 <= resp.status_code < 300:
            try:
                data = resp.json()
            except ValueError:
                rec.update(outcome="bad", detail=f"2xx that is not JSON: {resp.text[:300]!r}")
                self.records.append(rec)
                return None
            problem = check(data) if check else None
            if problem:
                rec.update(outcome="bad", detail=f"wrong answer: {problem}: {resp.text[:300]!r}")
                self.records.append(rec)
                return None
            rec["outcome"] = "ok"
            if body is not None and method == "POST":
                rec["created"] = {"id": data.get("id"), "body": body}
            self.records.append(rec)
            return data
        rec["outcome"], rec["detail"] = classify_error(resp)
        self.records.append(rec)
        return None

    def run(self) -> None:
        deadline = time.monotonic() + self.args.seconds
        i = 0
        while time.monotonic() < deadline:
            i += 1
            name = f"{self.args.tag}-t{self.tid}-{i}"
            model_body = {
                "name": name,
                "description": f"model {name}",
                "customProperties": {"seq": {"metadataType": "MetadataIntValue", "int_value": str(i)},
                                     "tag": {"metadataType": "MetadataStringValue", "string_value": self.args.tag}},
            }
            model = self.call("create_model", "POST", "/registered_models", model_body,
                              check=lambda d, n=name: None if d.get("name") == n else "name differs")
            if model:
                entry = {"id": model["id"], "name": name, "versions": []}
                self.models.append(entry)
                version_body = {
                    "name": "v1", "registeredModelId": model["id"], "author": "loadgen",
                    "customProperties": {"model": {"metadataType": "MetadataStringValue", "string_value": name}},
                }
                version = self.call("create_version", "POST", "/model_versions", version_body,
                                    check=lambda d, m=model["id"]: None if d.get("registeredModelId") == m else "parent differs")
                if version:
                    ventry = {"id": version["id"], "artifacts": []}
                    entry["versions"].append(ventry)
                    artifact_body = {"artifactType": "model-artifact", "name": "weights",
                                     "uri": f"s3://bucket/{name}/weights", "modelFormatName": "onnx"}
                    artifact = self.call("create_artifact", "POST", f"/model_versions/{version['id']}/artifacts",
                                         artifact_body,
                                         check=lambda d, n=name: None if d.get("uri") == f"s3://bucket/{n}/weights" else "uri differs")
                    if artifact:
                        ventry["artifacts"].append(artifact["id"])
                        self.records[-1]["created"]["version"] = version["id"]
            self.read_back()

    def read_back(self) -> None:
        if not self.models:
            self.call("list_models", "GET", "/registered_models?pageSize=5",
                      check=lambda d: None if isinstance(d.get("items"), list) else "no items")
            return
        m = self.rng.choice(self.models)
        self.call("get_model", "GET", f"/registered_models/{m['id']}",
                  check=lambda d: None if d.get("name") == m["name"] else f"expected name {m['name']}")
        if m["versions"]:
            v = m["versions"][0]
            want = set(v["artifacts"])
            self.call("list_artifacts", "GET", f"/model_versions/{v['id']}/artifacts",
                      check=lambda d: None if want <= {a.get("id") for a in d.get("items", [])}
                      else f"acknowledged artifacts {sorted(want)} missing")
        self.call("list_models", "GET", "/registered_models?pageSize=5&orderBy=ID&sortOrder=DESC",
                  check=lambda d: None if isinstance(d.get("items"), list) else "no items")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--tag", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--token")
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args()
    workers = [Worker(args, t) for t in range(args.threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(args.seconds + args.timeout + 30)
    with open(args.out, "w") as out:
        for w in workers:
            for rec in w.records:
                out.write(json.dumps(rec) + "\n")
    alive = [w.tid for w in workers if w.is_alive()]
    if alive:
        print(f"threads still running: {alive}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
