"""Helpers for the reliability suite: servers with extra flags or a customised nginx
template, their processes, raw HTTP, the Error shape and SQL checks on the store."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from mrtest.server import (API_V1ALPHA3, REPO_ROOT, RegistryServer, descendants, registry_bin,
                           still_running)

TEMPLATE = REPO_ROOT / "nginx" / "model-registry.conf.template"
P = API_V1ALPHA3


class Server(RegistryServer):
    """`model-registry up` with extra flags (`args`), an optional bearer token for the
    readiness check, and optionally nginx directives overridden in a copy of the template
    (passed with --nginx-template, the supported way to change nginx settings)."""

    def __init__(self, root: Path, *, name: str, workers: int = 2, args: list[str] | None = None,
                 token: str | None = None, nginx: dict[str, str] | None = None,
                 db_path: Path | None = None):
        super().__init__(root, name=name, workers=workers)
        self.args = list(args or [])
        if db_path is not None:
            self.db_path = Path(db_path)
        if token is not None:
            self.http.headers["Authorization"] = f"Bearer {token}"
        if nginx:
            self.root.mkdir(parents=True, exist_ok=True)
            path = self.root / "nginx.conf.template"
            path.write_text(override_directives(TEMPLATE.read_text(), nginx))
            self.args += ["--nginx-template", str(path)]

    def command(self, port: int) -> list[str]:
        return super().command(port) + self.args

    # -- processes -----------------------------------------------------------------------
    @property
    def up_pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def pool_supervisor(self) -> int | None:
        """The `model-registry serve` child of `up`."""
        for pid in children(self.up_pid):
            if cmdline(pid)[1:2] == ["serve"]:
                return pid
        return None

    def workers_pids(self) -> list[int]:
        sup = self.pool_supervisor()
        return children(sup) if sup else []

    def nginx_master(self) -> int | None:
        try:
            pid = int((self.run_dir / "nginx.pid").read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if pid in children(self.up_pid) else None

    def kill_tree(self) -> None:
        """SIGKILL `up` and everything below it at once, then wait until all are gone."""
        tree = descendants(self.up_pid)
        tree_pids = [self.up_pid, *tree]
        for pid in tree_pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        assert self.proc is not None
        self.proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while still_running(tree) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not still_running(tree), f"processes survived SIGKILL: {still_running(tree)}"
        self.proc = None


def override_directives(template: str, values: dict[str, str]) -> str:
    """Replace the value of each `name value;` directive (which must occur exactly once)."""
    for name, value in values.items():
        pattern = re.compile(rf"^(\s*){re.escape(name)}\s+[^;]*;", re.M)
        found = pattern.findall(template)
        assert len(found) == 1, f"{name} occurs {len(found)} times in {TEMPLATE}"
        template = pattern.sub(lambda m: f"{m.group(1)}{name} {value};", template)
    return template


# -- processes ---------------------------------------------------------------------------
def children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            out.append(int(entry))
    return out


def cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


# -- HTTP --------------------------------------------------------------------------------
@dataclass
class Raw:
    status: int
    headers: dict[str, str]
    body: bytes
    elapsed: float = 0.0

    def json(self):
        return json.loads(self.body)

    def __str__(self) -> str:
        body = self.body[:600].decode("utf-8", "replace")
        return f"{self.status} {self.headers.get('content-type')!r} {body!r}"


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 20) -> Raw:
    """One request on a new connection, path sent exactly as given."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        hdrs = {"Connection": "close", **(headers or {})}
        if body is not None and not any(k.lower() in ("content-length", "transfer-encoding") for k in hdrs):
            hdrs["Content-Length"] = str(len(body))
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        return Raw(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data, time.monotonic() - started)
    finally:
        conn.close()


def raw_exchange(port: int, data: bytes, timeout: float = 20, method: str = "GET") -> Raw:
    """Send raw bytes, read one response."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        resp = http.client.HTTPResponse(sock, method=method)
        resp.begin()
        body = resp.read()
        return Raw(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body, time.monotonic() - started)


def post_json(port: int, path: str, obj, headers: dict[str, str] | None = None) -> Raw:
    return request(port, "POST", P + path, json.dumps(obj).encode(),
                   {"Content-Type": "application/json", **(headers or {})})


def assert_error_shape(resp: Raw, status: int | tuple[int, ...] | range | None = None) -> dict:
    """An error in the API's shape: JSON content type, {"code": str, "message": str}."""
    if status is not None:
        allowed = (status,) if isinstance(status, int) else status
        assert resp.status in allowed, f"expected {status}, got {resp}"
    ctype = resp.headers.get("content-type", "")
    assert ctype.split(";")[0].strip() == "application/json", f"not JSON: {resp}"
    body = json.loads(resp.body)
    assert isinstance(body, dict) and set(body) == {"code", "message"}, f"not the Error shape: {resp}"
    assert isinstance(body["code"], str) and body["code"], resp
    assert isinstance(body["message"], str) and body["message"], resp
    return body


# -- the store ---------------------------------------------------------------------------
def connect(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)


def table_counts(db: Path) -> dict[str, int]:
    with connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def integrity(db: Path) -> str:
    with connect(db) as conn:
        return ";".join(r[0] for r in conn.execute("PRAGMA integrity_check"))


def half_written(db: Path) -> list[str]:
    """Entities written only in part: a version without its parent link or its
    registered_model_id, an artifact without the attribution to its version, property rows
    whose owner is gone, links to nodes that do not exist."""
    problems = []
    with connect(db) as conn:
        def rows(sql):
            return conn.execute(sql).fetchall()
        problems += [f"model version {r[0]} has no ParentContext to a registered model" for r in rows("""
            SELECT c.id FROM Context c JOIN Type t ON t.id = c.type_id AND t.name = 'kf.ModelVersion'
            WHERE NOT EXISTS (SELECT 1 FROM ParentContext p JOIN Context m ON m.id = p.parent_context_id
                              JOIN Type mt ON mt.id = m.type_id AND mt.name = 'kf.RegisteredModel'
                              WHERE p.context_id = c.id)""")]
        problems += [f"model version {r[0]} has no registered_model_id matching its parent" for r in rows("""
            SELECT c.id FROM Context c JOIN Type t ON t.id = c.type_id AND t.name = 'kf.ModelVersion'
            WHERE NOT EXISTS (SELECT 1 FROM ContextProperty cp JOIN ParentContext p ON p.context_id = c.id
                              WHERE cp.context_id = c.id AND cp.name = 'registered_model_id'
                                AND cp.is_custom_property = 0 AND cp.int_value = p.parent_context_id)""")]
        problems += [f"model version {r[0]} has no state property" for r in rows("""
            SELECT c.id FROM Context c JOIN Type t ON t.id = c.type_id AND t.name = 'kf.ModelVersion'
            WHERE NOT EXISTS (SELECT 1 FROM ContextProperty cp WHERE cp.context_id = c.id AND cp.name = 'state')""")]
        problems += [f"artifact {r[0]} ({r[1]}) has no Attribution" for r in rows("""
            SELECT a.id, t.name FROM Artifact a JOIN Type t ON t.id = a.type_id
            WHERE t.name IN ('kf.ModelArtifact', 'kf.DocArtifact')
              AND NOT EXISTS (SELECT 1 FROM Attribution x WHERE x.artifact_id = a.id)""")]
        problems += [f"Attribution {r} points to a missing node" for r in rows("""
            SELECT x.context_id, x.artifact_id FROM Attribution x
            WHERE NOT EXISTS (SELECT 1 FROM Context c WHERE c.id = x.context_id)
               OR NOT EXISTS (SELECT 1 FROM Artifact a WHERE a.id = x.artifact_id)""")]
        problems += [f"ParentContext {r} points to a missing context" for r in rows("""
            SELECT p.context_id, p.parent_context_id FROM ParentContext p
            WHERE NOT EXISTS (SELECT 1 FROM Context c WHERE c.id = p.context_id)
               OR NOT EXISTS (SELECT 1 FROM Context c WHERE c.id = p.parent_context_id)""")]
        problems += [f"ContextProperty of missing context {r[0]}" for r in rows("""
            SELECT DISTINCT context_id FROM ContextProperty cp
            WHERE NOT EXISTS (SELECT 1 FROM Context c WHERE c.id = cp.context_id)""")]
        problems += [f"ArtifactProperty of missing artifact {r[0]}" for r in rows("""
            SELECT DISTINCT artifact_id FROM ArtifactProperty ap
            WHERE NOT EXISTS (SELECT 1 FROM Artifact a WHERE a.id = ap.artifact_id)""")]
    return problems


def run_check(db: Path) -> subprocess.CompletedProcess | None:
    """`model-registry check --db` if the binary has it, else None."""
    binary = registry_bin()
    probe = subprocess.run([binary, "help"], capture_output=True, text=True, timeout=30)
    if not re.search(r"^\s+check\s", probe.stdout, re.M):
        return None
    return subprocess.run([binary, "check", "--db", str(db)], capture_output=True, text=True, timeout=120)


def copy_template_with(tmp: Path, values: dict[str, str]) -> Path:
    path = tmp / "nginx.conf.template"
    path.write_text(override_directives(TEMPLATE.read_text(), values))
    return path


def can_mount() -> bool:
    """Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN, a mount binary)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    probe = Path(f"/tmp/mr-mount-probe-{os.getpid()}")
    probe.mkdir(exist_ok=True)
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
                            capture_output=True, timeout=10).returncode == 0
        if ok:
            subprocess.run(["umount", str(probe)], capture_output=True, timeout=10)
        return ok
    finally:
        probe.rmdir()


@dataclass
class Timer:
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started
