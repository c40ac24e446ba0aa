"""The admin subcommands (Docs/admin.md) against real files and a live `model-registry up`.

- Under continuous write load (a thread POSTing models and versions for the whole test),
  backup, vacuum, check, stats and export succeed, the server answers every write, the backup
  holds every write acknowledged before it started and passes `check`.
- restore refuses a store a running server holds, and works once the server is stopped.
- Usage errors exit 2, missing or damaged files (truncated, random bytes, someone else's SQLite
  file) exit 1 with a message naming the file and leave it untouched.
- migrate upgrades a store ml-metadata downgraded to schema 8, which ml-metadata 1.17.1 and the
  server then open as is.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from mrtest.api import Api, expect
from mrtest.server import API_V1ALPHA3, registry_bin

COMMANDS = ["migrate", "check", "backup", "restore", "vacuum", "export", "import", "stats", "purge"]


def admin(*args: str, stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `model-registry <args>` with no MODEL_REGISTRY_* variables from our environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODEL_REGISTRY_")}
    return subprocess.run([registry_bin(), *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=env)


def admin_json(*args: str, expect_rc: int = 0) -> dict:
    r = admin(*args, "--json")
    assert r.returncode == expect_rc, f"{args}: rc {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}"
    return json.loads(r.stdout)


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def context_names(db: Path, type_name: str) -> set[str]:
    uri = f"file:{db}?mode=ro"
    with sqlite3.connect(uri, uri=True) as c:
        rows = c.execute("SELECT c.name FROM Context c JOIN Type t ON t.id = c.type_id WHERE t.name = ?",
                         (type_name,)).fetchall()
    return {r[0] for r in rows}


class Writer(threading.Thread):
    """POSTs a registered model and a version of it, again and again, until stopped. Records
    every acknowledged pair with the time of the acknowledgement, and every error."""

    def __init__(self, base_url: str):
        super().__init__(daemon=True)
        self.api = Api(base_url, API_V1ALPHA3)
        self.prefix = f"load-{uuid.uuid4().hex[:8]}"
        self.acked: list[tuple[float, str, str]] = []  # (monotonic time, model name, version stored name)
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def run(self) -> None:
        i = 0
        while not self.stopping.is_set():
            name = f"{self.prefix}-{i}"
            i += 1
            try:
                r = self.api.post("/registered_models", {"name": name})
                if r.status_code != 201:
                    self.errors.append(f"POST model -> {r.status_code} {r.text[:200]}")
                    continue
                rm = r.json()
                r = self.api.post("/model_versions", {"name": "v1", "registeredModelId": rm["id"]})
                if r.status_code != 201:
                    self.errors.append(f"POST version -> {r.status_code} {r.text[:200]}")
                    continue
                with self.lock:
                    self.acked.append((time.monotonic(), name, f"{rm['id']}:v1"))
            except Exception as e:  # noqa: BLE001 - any transport error is a failure of the test
                self.errors.append(repr(e))

    def acked_before(self, moment: float) -> list[tuple[float, str, str]]:
        with self.lock:
            return [a for a in self.acked if a[0] < moment]

    def count(self) -> int:
        with self.lock:
            return len(self.acked)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=30)
        self.api.s.close()


def wait_for(predicate, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_backup_vacuum_check_stats_export_under_write_load(fresh_registry, tmp_path):
    db = fresh_registry.db_path
    writer = Writer(fresh_registry.base_url)
    writer.start()
    try:
        wait_for(lambda: writer.count() >= 50)

        started = time.monotonic()
        backup = tmp_path / "backup.db"
        # One page per step: the server commits between steps all along. The copy comes from one
        # read snapshot, so it neither restarts nor misses anything acknowledged before it began.
        report = admin_json("backup", "--db", str(db), "--to", str(backup), "--pages-per-step", "1")
        assert report["ok"] and report["backup"] == str(backup)
        assert report["steps"] >= report["pages"] > 1
        before_backup = writer.acked_before(started)
        assert len(before_backup) >= 50

        vacuum = admin_json("vacuum", "--db", str(db))
        assert vacuum["ok"] and vacuum["vacuumed"]
        assert vacuum["before"]["databaseBytes"] > 0 and vacuum["after"]["databaseBytes"] > 0

        check = admin_json("check", "--db", str(db))
        assert check["ok"] and check["problemCount"] == 0, check

        stats = admin_json("stats", "--db", str(db))
        assert stats["entities"]["RegisteredModel"]["total"] >= len(before_backup)
        assert stats["entities"]["ModelVersion"]["state"].get("LIVE", 0) >= len(before_backup)
        assert stats["storage"]["pageSize"] > 0 and stats["storage"]["journalMode"] == "wal"

        export = tmp_path / "export.jsonl"
        exported = admin_json("export", "--db", str(db), "--to", str(export))
        assert exported["counts"]["RegisteredModel"] >= len(before_backup)

        piped = admin("export", "--db", str(db), "--to", "-")
        assert piped.returncode == 0, piped.stderr
        lines = [json.loads(x) for x in piped.stdout.splitlines()]
        assert lines[0]["kind"] == "Header" and lines[-1]["kind"] == "Footer"
        assert lines[-1]["records"] == len(lines) - 2
        assert "exported" in piped.stderr  # the report goes to stderr when stdout carries data

        # Writes went on during all of it.
        acked_during = writer.count() - len(before_backup)
        wait_for(lambda: writer.count() > len(before_backup) + 5)
    finally:
        writer.stop()
    assert writer.errors == [], writer.errors[:5]
    assert acked_during > 0

    # Every write acknowledged before the backup started is in the backup (models and versions).
    models = context_names(backup, "kf.RegisteredModel")
    versions = context_names(backup, "kf.ModelVersion")
    missing = [name for _, name, _ in before_backup if name not in models]
    assert not missing, f"{len(missing)} acknowledged models missing from the backup, e.g. {missing[:3]}"
    missing = [v for _, _, v in before_backup if v not in versions]
    assert not missing, f"{len(missing)} acknowledged versions missing from the backup, e.g. {missing[:3]}"
    # The backup passes check, and so does the store after the load.
    assert admin_json("check", "--db", str(backup))["ok"]
    assert admin_json("check", "--db", str(db))["ok"]
    # The export has them too, in the REST shape.
    exported_names = {
        rec["entity"]["name"]
        for rec in map(json.loads, export.read_text().splitlines())
        if rec["kind"] == "RegisteredModel"
    }
    assert {name for _, name, _ in before_backup} <= exported_names


def test_restore_refuses_a_running_server_then_restores(registry_factory, tmp_path):
    srv = registry_factory("restore")
    api = Api(srv.base_url, API_V1ALPHA3)
    expect(api.post("/registered_models", {"name": "in-backup"}), 201)
    backup = tmp_path / "backup.db"
    admin_json("backup", "--db", str(srv.db_path), "--to", str(backup))
    expect(api.post("/registered_models", {"name": "after-backup"}), 201)

    refused = admin("restore", "--db", str(srv.db_path), "--from", str(backup))
    assert refused.returncode == 1, refused.stderr
    assert "in use" in refused.stderr and "process" in refused.stderr
    names = {m["name"] for m in expect(api.get("/registered_models"), 200)["items"]}
    assert names == {"in-backup", "after-backup"}
    api.s.close()

    registry_factory.stop(srv)
    restored = admin_json("restore", "--db", str(srv.db_path), "--from", str(backup))
    assert restored["ok"] and restored["previousKeptAs"]
    assert Path(restored["previousKeptAs"]).exists()
    srv.start()
    try:
        api = Api(srv.base_url, API_V1ALPHA3)
        names = {m["name"] for m in expect(api.get("/registered_models"), 200)["items"]}
        assert names == {"in-backup"}
        expect(api.post("/registered_models", {"name": "after-restore"}), 201)
        api.s.close()
    finally:
        srv.stop()
    assert admin_json("check", "--db", str(srv.db_path))["ok"]


def test_export_then_import_from_stdin_into_a_new_store(fresh_registry, tmp_path):
    api = Api(fresh_registry.base_url, API_V1ALPHA3)
    rm = expect(api.post("/registered_models", {"name": "m", "state": "ARCHIVED"}), 201)
    mv = expect(api.post("/model_versions", {"name": "1", "registeredModelId": rm["id"]}), 201)
    expect(api.post(f"/model_versions/{mv['id']}/artifacts",
                    {"artifactType": "model-artifact", "name": "w", "uri": "s3://w"}), 201)
    exp = expect(api.post("/experiments", {"name": "e"}), 201)
    run = expect(api.post(f"/experiments/{exp['id']}/experiment_runs", {"name": "r"}), 201)
    for value in (0.5, 0.25):
        expect(api.post(f"/experiment_runs/{run['id']}/artifacts",
                        {"artifactType": "metric", "name": "loss", "value": value}), 200)
    api.s.close()
    dump = admin("export", "--db", str(fresh_registry.db_path), "--to", "-")
    assert dump.returncode == 0, dump.stderr

    target = tmp_path / "copy.db"
    imported = admin("import", "--db", str(target), "--from", "-", "--json", stdin=dump.stdout)
    assert imported.returncode == 0, imported.stderr
    report = json.loads(imported.stdout)
    assert report["createdStore"] and report["created"]["MetricHistory"] == 2
    a = admin_json("stats", "--db", str(fresh_registry.db_path))["entities"]
    b = admin_json("stats", "--db", str(target))["entities"]
    assert a == b
    # Importing the same dump again clashes on every top-level name: nothing is written.
    again = admin("import", "--db", str(target), "--from", "-", stdin=dump.stdout)
    assert again.returncode == 1 and "nothing was imported" in again.stderr
    assert admin_json("stats", "--db", str(target))["entities"] == b
    # And the archived model can be purged from the copy.
    purge = admin_json("purge", "--db", str(target), "--archived-before", "2999-01-01")
    assert purge["removed"] == {"registeredModels": 1, "modelVersions": 1, "artifacts": 1}
    assert admin_json("check", "--db", str(target))["ok"]


# -- command line and damaged files -------------------------------------------------------------
@pytest.fixture(scope="module")
def damaged(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("damaged")
    good = d / "good.db"
    admin_json("migrate", "--db", str(good))
    full = d / "full.db"
    admin_json("backup", "--db", str(good), "--to", str(full))
    data = full.read_bytes()
    files = {
        "truncated": data[: (len(data) // 2 // 4096) * 4096],
        "random": os.urandom(16384),
        "text": b"hello, world\n",
    }
    out = {}
    for name, content in files.items():
        (d / f"{name}.db").write_bytes(content)
        out[name] = d / f"{name}.db"
    foreign = d / "foreign.db"
    with sqlite3.connect(foreign) as c:
        c.execute("CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL)")
        c.execute("INSERT INTO invoices(total) VALUES (9.5)")
    c.close()
    out["foreign"] = foreign
    out["good"] = good
    return out


@pytest.mark.parametrize("kind", ["truncated", "random", "text", "foreign"])
def test_damaged_files_are_refused_and_untouched(damaged, tmp_path, kind):
    path = damaged[kind]
    before = fingerprint(path)
    listing = sorted(os.listdir(path.parent))
    runs = [
        ("check", "--db", str(path)),
        ("stats", "--db", str(path)),
        ("vacuum", "--db", str(path)),
        ("migrate", "--db", str(path)),
        ("purge", "--db", str(path), "--archived-before", "2999-01-01"),
        ("backup", "--db", str(path), "--to", str(tmp_path / "b.db")),
        ("export", "--db", str(path), "--to", str(tmp_path / "e.jsonl")),
        ("restore", "--db", str(tmp_path / "r.db"), "--from", str(path)),
    ]
    for args in runs:
        r = admin(*args)
        assert r.returncode == 1, f"{args}: rc {r.returncode}\n{r.stdout}\n{r.stderr}"
        assert str(path) in r.stderr, f"{args}: the message should name the file:\n{r.stderr}"
        assert fingerprint(path) == before, f"{args} modified {path}"
    assert sorted(os.listdir(path.parent)) == listing
    assert os.listdir(tmp_path) == []


def test_usage_errors_exit_2_and_missing_files_exit_1(damaged, tmp_path):
    good = str(damaged["good"])
    for command in COMMANDS:
        r = admin(command, "--help")
        assert r.returncode == 0 and f"USAGE: model-registry {command}" in r.stdout, (command, r.stdout, r.stderr)
        assert "Exit status" in r.stdout
        r = admin(command)
        assert r.returncode == 2 and "--db" in r.stderr, (command, r.returncode, r.stderr)
        r = admin(command, "--db", good, "--no-such-option")
        assert r.returncode == 2 and "--no-such-option" in r.stderr, (command, r.returncode, r.stderr)
        r = admin(command, "--db", good, "--busy-timeout", "soon")
        assert r.returncode == 2, (command, r.returncode, r.stderr)
    for args in [
        ("backup", "--db", good, "--to"),  # option without its value
        ("backup", "--db", good),
        ("export", "--db", good),
        ("restore", "--db", good),
        ("import", "--db", good),
        ("purge", "--db", good),
        ("purge", "--db", good, "--archived-before", "yesterday"),
        ("import", "--db", good, "--from", "x", "--on-conflict", "merge"),
        ("check", "--db", good, "--max-problems", "0"),
        ("stats", "--db", good, "--log-level", "loud"),
    ]:
        r = admin(*args)
        assert r.returncode == 2, f"{args}: rc {r.returncode}\n{r.stderr}"
    missing = str(tmp_path / "missing.db")
    r = admin("check", "--db", missing, "--json")
    assert r.returncode == 1 and "does not exist" in r.stderr
    doc = json.loads(r.stdout)
    assert doc["ok"] is False and doc["error"]["kind"] == "failed" and missing in doc["error"]["message"]
    r = admin("check", "--db", good, "--bogus", "--json")
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["kind"] == "usage"
    # MODEL_REGISTRY_DB is the fallback for --db.
    env = dict(os.environ, MODEL_REGISTRY_DB=good)
    r = subprocess.run([registry_bin(), "stats", "--json"], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0 and json.loads(r.stdout)["database"] == good
    # Existing destinations are refused without --force.
    existing = tmp_path / "exists.db"
    existing.write_bytes(b"keep")
    r = admin("backup", "--db", good, "--to", str(existing))
    assert r.returncode == 1 and "--force" in r.stderr and existing.read_bytes() == b"keep"


def test_migrate_upgrades_an_ml_metadata_schema_8_store(registry_factory, tmp_path):
    metadata_store = pytest.importorskip("ml_metadata.metadata_store.metadata_store")
    pb = pytest.importorskip("ml_metadata.proto.metadata_store_pb2")

    def config(path: Path):
        c = pb.ConnectionConfig()
        c.sqlite.filename_uri = str(path)
        c.sqlite.connection_mode = 3
        return c

    db = tmp_path / "old.db"
    store = metadata_store.MetadataStore(config(db))
    ctype = pb.ContextType(name="legacy.Project")
    ctype.properties["owner"] = pb.STRING
    type_id = store.put_context_type(ctype)
    ctx = pb.Context(type_id=type_id, name="p1")
    ctx.properties["owner"].string_value = "alice"
    ctx.custom_properties["n"].int_value = 7
    [ctx_id] = store.put_contexts([ctx])
    del store
    metadata_store.downgrade_schema(config(db), 8)
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT schema_version FROM MLMDEnv").fetchone()[0] == 8
    c.close()

    report = admin_json("migrate", "--db", str(db))
    assert report["action"] == "upgraded" and report["fromVersion"] == 8 and report["toVersion"] == 10
    assert Path(report["backup"]).exists()
    assert admin_json("migrate", "--db", str(db))["changed"] is False
    assert admin_json("check", "--db", str(db))["ok"]

    # ml-metadata 1.17.1 opens it without migrating and reads the old data.
    store = metadata_store.MetadataStore(config(db), enable_upgrade_migration=False)
    [got] = store.get_contexts_by_id([ctx_id])
    assert got.properties["owner"].string_value == "alice" and got.custom_properties["n"].int_value == 7
    del store

    # And the server serves it.
    srv = registry_factory("migrated", prepare=lambda s: shutil.copy(db, s.db_path))
    api = Api(srv.base_url, API_V1ALPHA3)
    expect(api.post("/registered_models", {"name": "on-migrated"}), 201)
    api.s.close()
    registry_factory.stop(srv)
