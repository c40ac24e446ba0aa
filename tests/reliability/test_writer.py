"""The pool's writer: `up` runs one worker on its own socket for every request but GET and HEAD,
which answers writes after a disk sync shared by the writes committed meanwhile (group commit).
Writes reach it, reads do not, it is restarted when it dies, and concurrent writes all arrive,
acknowledged only once durable."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import time
from pathlib import Path

from .support import P, connect, post_json, request


def socket_inodes(path: Path) -> set[str]:
    """Inodes of the listening unix socket bound at `path` (from /proc/net/unix)."""
    inodes = set()
    with open("/proc/net/unix") as table:
        next(table)
        for line in table:
            fields = line.split()
            if len(fields) >= 8 and fields[7] == str(path):
                inodes.add(fields[6])
    return inodes


def listeners(pids: list[int], path: Path) -> list[int]:
    """The processes among `pids` holding the socket bound at `path`."""
    wanted = {f"socket:[{inode}]" for inode in socket_inodes(path)}
    found = []
    for pid in pids:
        try:
            links = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if links & wanted:
            found.append(pid)
    return found


def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_writes_go_to_the_one_writer_and_reads_to_the_workers(start_server):
    srv = start_server("writer", workers=2)
    writer_socket = srv.run_dir / "fcgi-writer.sock"
    pids = wait_for(lambda: len(srv.workers_pids()) == 3 and srv.workers_pids())
    writers = listeners(pids, writer_socket)
    readers = listeners(pids, srv.run_dir / "fcgi.sock")
    assert len(writers) == 1 and len(readers) == 2, (writers, readers)
    assert not set(writers) & set(readers), "each worker has only its own socket"

    # The writer serves writes: stopped (SIGSTOP), writes wait for it while reads still work.
    model = post_json(srv.port, "/registered_models", {"name": "before"}).json()
    os.kill(writers[0], signal.SIGSTOP)
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pending = pool.submit(post_json, srv.port, "/registered_models", {"name": "while-stopped"})
            time.sleep(0.5)
            assert not pending.done(), "a write was served without the writer"
            got = request(srv.port, "GET", f"{P}/registered_models/{model['id']}")
            assert got.status == 200, got
            os.kill(writers[0], signal.SIGCONT)
            assert pending.result(timeout=10).status == 201
    finally:
        os.kill(writers[0], signal.SIGCONT)
    srv.stop()


def test_a_killed_writer_is_replaced_and_writes_go_on(start_server):
    srv = start_server("writer-kill", workers=1)
    writer_socket = srv.run_dir / "fcgi-writer.sock"
    first = wait_for(lambda: listeners(srv.workers_pids(), writer_socket))[0]
    assert post_json(srv.port, "/registered_models", {"name": "one"}).status == 201
    os.kill(first, signal.SIGKILL)
    second = wait_for(lambda: [p for p in listeners(srv.workers_pids(), writer_socket) if p != first])[0]
    assert second != first
    assert post_json(srv.port, "/registered_models", {"name": "two"}).status == 201
    names = {m["name"] for m in request(srv.port, "GET", f"{P}/registered_models").json()["items"]}
    assert names == {"one", "two"}
    srv.stop()


def test_concurrent_writes_are_all_acknowledged_and_stored(start_server):
    """Many clients writing at once: the writer groups their syncs; every 201 is in the store,
    with one version per model, and nothing else is."""
    srv = start_server("writer-group", workers=2)
    models = 40

    def register(i: int) -> tuple[int, int]:
        rm = post_json(srv.port, "/registered_models", {"name": f"m{i}"})
        mv = post_json(srv.port, "/model_versions", {"name": "v1", "registeredModelId": rm.json()["id"]})
        return rm.status, mv.status

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(register, range(models)))
    assert statuses == [(201, 201)] * models
    srv.stop()  # a clean stop: nothing left unsent
    db = connect(srv.db_path)
    try:
        counts = dict(db.execute(
            "SELECT t.name, COUNT(*) FROM Context c JOIN Type t ON t.id = c.type_id GROUP BY t.name").fetchall())
    finally:
        db.close()
    assert counts.get("kf.RegisteredModel") == models
    assert counts.get("kf.ModelVersion") == models
