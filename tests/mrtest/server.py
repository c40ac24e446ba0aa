"""Start and stop `model-registry up` for the end-to-end tests.

A RegistryServer owns one `model-registry up` process (nginx + the FastCGI worker pool) on a
free loopback port, with its own data dir, database file and run dir under a temp dir. Its
stdout and stderr go to `server.log` in that dir; the log is shown when start-up fails and
attached to the report of every failing test (see conftest.py).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

API_V1ALPHA3 = "/api/model_registry/v1alpha3"
API_V1 = "/api/model_registry/v1"
READY_PATH = API_V1ALPHA3 + "/registered_models"

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO_ROOT / ".build" / "release" / "model-registry"


class ServerError(AssertionError):
    """The server could not be started, or did not stop cleanly."""


def registry_bin() -> str:
    """Path of the `model-registry` executable: $MODEL_REGISTRY_BIN, else the release build."""
    path = os.path.abspath(os.environ.get("MODEL_REGISTRY_BIN") or str(DEFAULT_BIN))
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise ServerError(
            f"model-registry executable not found at {path!r}: build it with "
            "`swift build -c release` or set MODEL_REGISTRY_BIN (scripts/test.sh does both)"
        )
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _stat(pid: int) -> tuple[int, int, str, int, str] | None:
    """(ppid, pgrp, state, starttime, comm) of a process, from /proc/<pid>/stat."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = stat[stat.index("(") + 1 : stat.rindex(")")]  # may contain spaces and parentheses
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[1]), int(fields[2]), fields[0], int(fields[19]), comm


def _all_pids() -> list[int]:
    return [int(e) for e in os.listdir("/proc") if e.isdigit()]


def descendants(root: int) -> dict[int, tuple[int, str]]:
    """The live process tree below `root`: {pid: (starttime, comm)}. `up` puts nginx and the
    worker pool in process groups of their own, so the tree is what identifies them."""
    children: dict[int, list[int]] = {}
    info = {}
    for pid in _all_pids():
        st = _stat(pid)
        if st is not None:
            info[pid] = st
            children.setdefault(st[0], []).append(pid)
    out, todo = {}, list(children.get(root, []))
    while todo:
        pid = todo.pop()
        if pid in out or pid not in info:
            continue
        out[pid] = (info[pid][3], info[pid][4])
        todo.extend(children.get(pid, []))
    return out


def still_running(procs: dict[int, tuple[int, str]]) -> list[tuple[int, str]]:
    """Those of `procs` that are still alive (same pid and start time, not a zombie)."""
    alive = []
    for pid, (start, comm) in procs.items():
        st = _stat(pid)
        if st is not None and st[3] == start and st[2] not in ("Z", "X"):
            alive.append((pid, comm))
    return alive


def process_group_members(pgid: int) -> dict[int, tuple[int, str]]:
    """Live processes in process group `pgid`: {pid: (starttime, comm)}."""
    out = {}
    for pid in _all_pids():
        st = _stat(pid)
        if st is not None and st[1] == pgid and st[2] not in ("Z", "X"):
            out[pid] = (st[3], st[4])
    return out


class RegistryServer:
    """One `model-registry up` process on 127.0.0.1:<port>."""

    def __init__(self, root: Path, *, name: str = "registry", workers: int | None = None):
        self.name = name
        self.root = Path(root)
        self.data_dir = self.root / "data"
        self.db_path = self.data_dir / "model-registry.db"
        self.run_dir = self.root / "run"
        self.log_path = self.root / "server.log"
        self.workers = workers if workers is not None else int(os.environ.get("MR_TEST_WORKERS", "2"))
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self.returncode: int | None = None
        self.http = requests.Session()
        self.http.trust_env = False  # never go through a proxy: loopback only

    # -- addresses ---------------------------------------------------------------------
    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def base_url(self) -> str:
        assert self.port is not None, "server not started"
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "", prefix: str = API_V1ALPHA3) -> str:
        return self.base_url + prefix + path

    # -- logs --------------------------------------------------------------------------
    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def log_text(self, offset: int = 0, max_lines: int = 80) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                data = f.read()
        except OSError as e:
            return f"(no log: {e})"
        lines = data.decode("utf-8", "replace").splitlines()
        if len(lines) > max_lines:
            lines = [f"... ({len(lines) - max_lines} earlier lines in {self.log_path})"] + lines[-max_lines:]
        return "\n".join(lines) if lines else "(log is empty)"

    # -- lifecycle ---------------------------------------------------------------------
    def command(self, port: int) -> list[str]:
        return [
            registry_bin(), "up",
            "--port", str(port),
            "--host", "127.0.0.1",
            "--data-dir", str(self.data_dir),
            "--db", str(self.db_path),
            "--run-dir", str(self.run_dir),
            "--workers", str(self.workers),
        ]

    def start(self, timeout: float | None = None, attempts: int = 3) -> "RegistryServer":
        """Start the server and wait until GET {READY_PATH} answers 200."""
        if timeout is None:
            timeout = float(os.environ.get("MR_TEST_START_TIMEOUT", "30"))
        self.root.mkdir(parents=True, exist_ok=True)  # `up` creates the data and run dirs
        for attempt in range(1, attempts + 1):
            port = free_port()
            cmd = self.command(port)
            # the binary falls back to MODEL_REGISTRY_* variables; only our flags count here
            env = {k: v for k, v in os.environ.items() if not k.startswith("MODEL_REGISTRY_")}
            with open(self.log_path, "ab") as log:
                log.write(f"=== [{self.name}] attempt {attempt}: {' '.join(cmd)}\n".encode())
                log.flush()
                self.proc = subprocess.Popen(
                    cmd,
                    cwd=REPO_ROOT,  # `up` finds nginx/model-registry.conf.template from here too
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,  # a group of its own, for the SIGKILL fallback
                    env=env,
                )
            self.port = port
            self.returncode = None
            outcome = self._wait_ready(timeout)
            if outcome == "ready":
                return self
            if outcome == "port-in-use" and attempt < attempts:
                self._reap()
                continue
            self.stop(check=False)
            raise ServerError(
                f"model-registry up did not become ready: {outcome} (start timeout {timeout:.0f}s)\n"
                f"command: {' '.join(cmd)}\n"
                f"--- {self.log_path} ---\n{self.log_text(max_lines=200)}"
            )
        raise AssertionError("unreachable")

    def _wait_ready(self, timeout: float) -> str:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        url = self.url("/registered_models")
        last = "no answer"
        while True:
            rc = self.proc.poll()
            if rc is not None:
                log = self.log_text(max_lines=400).lower()
                if "address already in use" in log or "eaddrinuse" in log:
                    return "port-in-use"
                return f"process exited with code {rc}"
            try:
                r = self.http.get(url, timeout=2)
                if r.status_code == 200:
                    return "ready"
                last = f"GET {READY_PATH} -> {r.status_code}"
            except requests.RequestException as e:
                last = f"GET {READY_PATH} -> {type(e).__name__}"
            if time.monotonic() >= deadline:
                return f"timed out; last attempt: {last}"
            time.sleep(0.1)

    def _reap(self) -> None:
        if self.proc is not None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._kill_group()
                self.proc.wait(timeout=5)

    def _kill_group(self, also: dict[int, tuple[int, str]] | None = None) -> None:
        """SIGKILL our process group and the given processes (a snapshot of our tree)."""
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for pid, _ in still_running(also or {}):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stop(self, timeout: float | None = None, *, check: bool = True) -> int | None:
        """SIGTERM, wait (bounded), SIGKILL if needed. With check=True, raise ServerError unless
        the server exited with status 0, left no process of its group behind and freed its port."""
        if self.proc is None:
            return None
        if timeout is None:  # `up` drains in-flight requests for up to 30 s by default
            timeout = float(os.environ.get("MR_TEST_STOP_TIMEOUT", "45"))
        proc, problems = self.proc, []
        pgid = proc.pid  # start_new_session: the group id is the leader's pid
        tree = descendants(proc.pid)  # nginx, the pool supervisor, workers (before they orphan)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                problems.append(f"did not exit within {timeout:.0f}s of SIGTERM; sent SIGKILL")
                self._kill_group(also=tree)
                proc.wait(timeout=10)
        else:
            problems.append(f"had already exited (code {proc.returncode}) before SIGTERM")
        self.returncode = proc.returncode
        if proc.returncode != 0 and not problems:
            problems.append(f"exited with code {proc.returncode} after SIGTERM (want 0)")
        # its children (nginx, workers) must be gone too; give them a moment
        tree.update(process_group_members(pgid))
        deadline = time.monotonic() + 5
        while (left := still_running(tree)) and time.monotonic() < deadline:
            time.sleep(0.1)
        if left:
            problems.append(f"left processes behind: {left}; killed them")
            self._kill_group(also=tree)
        if self.port is not None:
            deadline = time.monotonic() + 5
            while port_open(self.port) and time.monotonic() < deadline:
                time.sleep(0.1)
            if port_open(self.port):
                problems.append(f"port {self.port} still accepts connections after exit")
        self.proc = None
        self.http.close()
        if check and problems:
            raise ServerError(
                f"[{self.name}] model-registry up did not stop cleanly: " + "; ".join(problems)
                + f"\n--- {self.log_path} ---\n{self.log_text(max_lines=120)}"
            )
        return self.returncode
