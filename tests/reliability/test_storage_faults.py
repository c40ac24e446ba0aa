"""Storage faults through the whole stack (nginx -> worker -> SQLite): a full disk, a
read-only database file, a store a worker cannot open. Each gives a clear error in the Error
shape (507, 503), corrupts nothing, and service resumes once the fault is gone.

The full-disk cases mount a small tmpfs, which needs root (CAP_SYS_ADMIN); without it they are
skipped. The read-only file is a read-only bind mount for root, chmod 0444 for anyone else."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .support import (P, assert_error_shape, can_mount, half_written, integrity, post_json, request,
                      run_check)

MOUNT_OK = can_mount()
needs_mount = pytest.mark.skipif(not MOUNT_OK, reason="needs root with permission to mount (tmpfs, bind)")


def sh(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True, timeout=30)


@contextlib.contextmanager
def tmpfs(path: Path, size: str):
    path.mkdir(parents=True, exist_ok=True)
    sh("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path))
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30)


@contextlib.contextmanager
def read_only_file(path: Path):
    """Make one file read-only: for root (who ignores permissions) a read-only bind mount of
    it, for anyone else chmod 0444."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o444)
        try:
            yield path
        finally:
            path.chmod(mode)
        return
    sh("mount", "--bind", str(path), str(path))
    try:
        sh("mount", "-o", "remount,bind,ro", str(path))
        yield path
    finally:
        # lazy: workers may still hold it open; new opens see the writable file at once
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30)


def rolling_restart(srv, timeout: float = 20) -> None:
    """SIGHUP to `up`: the pool replaces its workers one at a time; wait until done."""
    before = srv.log_text(max_lines=100_000).count("rolling restart complete")
    os.kill(srv.up_pid, signal.SIGHUP)
    deadline = time.monotonic() + timeout
    while srv.log_text(max_lines=100_000).count("rolling restart complete") == before:
        assert time.monotonic() < deadline, "the rolling restart did not complete"
        time.sleep(0.05)


def big_model(name: str, kib: int) -> dict:
    return {"name": name, "customProperties": {
        "blob": {"metadataType": "MetadataStringValue", "string_value": "x" * (kib * 1024)}}}


def assert_store_sound(db: Path) -> None:
    assert integrity(db) == "ok"
    problems = half_written(db)
    assert not problems, problems[:10]
    check = run_check(db)
    if check is not None:
        assert check.returncode == 0, f"model-registry check failed:\n{check.stdout}\n{check.stderr}"


@needs_mount
def test_full_disk_gives_507_and_service_resumes_when_space_returns(start_server, tmp_path):
    with tmpfs(tmp_path / "disk", "3m") as disk:
        srv = start_server("fulldisk", workers=2, db_path=disk / "model-registry.db")
        try:
            first = post_json(srv.port, "/registered_models", {"name": "first"}).json()
            version_id = post_json(srv.port, "/model_versions", {"name": "v0", "registeredModelId": first["id"]}).json()["id"]
            acknowledged = [first]
            full = None
            for i in range(200):
                resp = post_json(srv.port, "/registered_models", big_model(f"big-{i}", 64))
                if resp.status == 201:
                    acknowledged.append(resp.json())
                    continue
                full = resp
                break
            assert full is not None, "the 3 MiB disk never filled up"
            body = assert_error_shape(full, 507)
            assert body["code"] == "Insufficient Storage" and "full" in body["message"]
            # a version and an artifact on a full disk: 507 as well, nothing half-written
            model_id = acknowledged[0]["id"]
            for path, payload in [
                ("/model_versions", {"name": "v-big", "registeredModelId": model_id, "description": "d" * 200_000}),
                (f"/registered_models/{model_id}/versions", {"name": "v2", "description": "e" * 200_000}),
                (f"/model_versions/{version_id}/artifacts", {"artifactType": "model-artifact", "name": "a",
                                                             "uri": "s3://" + "u" * 200_000}),
            ]:
                assert_error_shape(post_json(srv.port, path, payload), 507)
            # reads keep working
            for model in acknowledged[:: max(1, len(acknowledged) // 5)]:
                got = request(srv.port, "GET", f"{P}/registered_models/{model['id']}")
                assert got.status == 200 and got.json()["name"] == model["name"], got
            listed = request(srv.port, "GET", f"{P}/registered_models?pageSize=1000")
            assert listed.status == 200 and len(listed.json()["items"]) == len(acknowledged)
            assert request(srv.port, "GET", f"{P}/model_versions/{version_id}/artifacts").json()["items"] == []
            health = request(srv.port, "GET", "/readyz/health")
            assert health.status == 200, health

            # space returns: writes succeed again without a restart
            sh("mount", "-o", "remount,size=16m", str(disk))
            resp = post_json(srv.port, "/registered_models", big_model("after-full", 64))
            assert resp.status == 201, resp
            version = post_json(srv.port, "/model_versions", {"name": "v1", "registeredModelId": resp.json()["id"]})
            assert version.status == 201, version
            for model in acknowledged:
                got = request(srv.port, "GET", f"{P}/registered_models/{model['id']}")
                assert got.status == 200 and got.json()["customProperties"] == model["customProperties"]
        finally:
            srv.stop()
        assert_store_sound(srv.db_path)
        print(f"\nfull disk: {len(acknowledged)} x 64 KiB models fit in 3 MiB, then 507; writes resumed after growing the disk")


@pytest.mark.skipif(os.geteuid() == 0 and not MOUNT_OK, reason="root ignores file modes and cannot mount here")
def test_read_only_database_file_gives_503_and_reads_keep_working(start_server):
    srv = start_server("readonly", workers=2)
    model = post_json(srv.port, "/registered_models", {"name": "before-ro"}).json()

    with read_only_file(srv.db_path):
        # running workers keep their read-write handle; restarted ones open the file read-only
        rolling_restart(srv)
        for path, payload in [("/registered_models", {"name": "while-ro"}),
                              ("/model_versions", {"name": "v1", "registeredModelId": model["id"]})]:
            body = assert_error_shape(post_json(srv.port, path, payload), 503)
            assert "read-only" in body["message"]
        patch = request(srv.port, "PATCH", f"{P}/registered_models/{model['id']}",
                        json.dumps({"description": "x"}).encode(), {"Content-Type": "application/json"})
        assert_error_shape(patch, 503)
        got = request(srv.port, "GET", f"{P}/registered_models/{model['id']}")
        assert got.status == 200 and got.json()["name"] == "before-ro"
        assert request(srv.port, "GET", "/readyz/isDirty").status == 200

        # a server started on a read-only file serves reads and refuses writes the same way
        srv.stop()
        srv.start()
        assert_error_shape(post_json(srv.port, "/registered_models", {"name": "while-ro-2"}), 503)
        assert request(srv.port, "GET", f"{P}/registered_models/{model['id']}").status == 200

    # writable again: the next worker generation writes
    rolling_restart(srv)
    resp = post_json(srv.port, "/registered_models", {"name": "after-ro"})
    assert resp.status == 201, resp
    listed = request(srv.port, "GET", f"{P}/registered_models").json()["items"]
    assert sorted(m["name"] for m in listed) == ["after-ro", "before-ro"]
    srv.stop()
    assert_store_sound(srv.db_path)


def test_a_worker_that_cannot_open_the_store_answers_503_until_it_can(start_server):
    """The database's directory disappears (an unmounted volume, a moved directory) and the
    workers restart: they cannot open the store. Clients get 503 at once, not a request that
    waits for a worker until nginx times out; when the store is back, service resumes."""
    srv = start_server("noopen", workers=2)
    model = post_json(srv.port, "/registered_models", {"name": "kept"}).json()
    data, away = srv.db_path.parent, srv.db_path.parent.with_name("data.away")
    os.rename(data, away)
    try:
        for pid in srv.workers_pids():
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.3)
        for _ in range(10):
            resp = request(srv.port, "GET", f"{P}/registered_models", timeout=10)
            body = assert_error_shape(resp, 503)
            assert "cannot be opened" in body["message"]
            assert resp.elapsed < 2, f"a 503 should be immediate, took {resp.elapsed:.1f} s"
        assert_error_shape(post_json(srv.port, "/registered_models", {"name": "lost"}), 503)
        assert request(srv.port, "GET", "/readyz/health").status == 503
    finally:
        os.rename(away, data)
    got = request(srv.port, "GET", f"{P}/registered_models/{model['id']}")
    assert got.status == 200 and got.json()["name"] == "kept", got
    assert post_json(srv.port, "/registered_models", {"name": "after"}).status == 201
    log = srv.log_text(max_lines=10_000)
    assert "cannot open the store" in log and "the store opened again" in log
    srv.stop()
    assert_store_sound(srv.db_path)


@needs_mount
def test_starting_on_a_read_only_filesystem_fails_clearly(start_server, tmp_path):
    """A WAL database on a read-only filesystem without its -shm file cannot be opened at all:
    `up` must refuse to start and say why, not serve errors."""
    with tmpfs(tmp_path / "rofs", "8m") as disk:
        srv = start_server("rofs", workers=1, db_path=disk / "model-registry.db")
        srv.stop()
        # When the workers and the writer close at the same moment, each sees the other still
        # attached and none removes the -wal and -shm files (SQLite leaves them to the last
        # connection). One connection alone, opened and closed, is the last one and removes them.
        con = sqlite3.connect(disk / "model-registry.db")
        con.execute("PRAGMA user_version").fetchone()
        con.close()
        assert not (disk / "model-registry.db-shm").exists()
        sh("mount", "-o", "remount,ro", str(disk))
        srv2 = start_server("rofs2", workers=1, db_path=disk / "model-registry.db", start=False)
        with pytest.raises(AssertionError) as failed:
            srv2.start(timeout=15, attempts=1)
        assert str(disk / "model-registry.db") in str(failed.value), failed.value


@needs_mount
def test_a_read_only_filesystem_with_the_shm_file_serves_reads_and_refuses_writes(start_server, tmp_path):
    """With its -wal and -shm files still there (left by a process that did not close the
    store, or by workers that exited at the same moment), SQLite opens a WAL store on a
    read-only filesystem: `up` starts, reads are served, and writes get 503 in the Error shape."""
    with tmpfs(tmp_path / "rofs", "8m") as disk:
        db = disk / "model-registry.db"
        srv = start_server("rofs", workers=1, db_path=db)
        assert post_json(srv.port, "/registered_models", {"name": "kept"}).status == 201
        srv.stop()
        # A reader that exits without closing its connection leaves -wal and -shm behind.
        subprocess.run([sys.executable, "-c", "import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                        "c.execute('SELECT count(*) FROM Context').fetchone(); os._exit(0)", str(db)],
                       check=True, timeout=30)
        assert (disk / "model-registry.db-shm").exists()
        sh("mount", "-o", "remount,ro", str(disk))
        srv2 = start_server("rofs2", workers=1, db_path=db)
        listed = request(srv2.port, "GET", P + "/registered_models")
        assert listed.status == 200, listed
        assert [m["name"] for m in listed.json()["items"]] == ["kept"]
        refused = assert_error_shape(post_json(srv2.port, "/registered_models", {"name": "new"}), 503)
        assert "read-only" in refused["message"], refused
        srv2.stop()
