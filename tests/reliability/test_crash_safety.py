"""Crash safety: a mixed read/write load from a client process while workers are killed
with SIGKILL every ~100 ms, nginx reloads, the pool restarts its workers, and once the whole
server (up, nginx, the pool supervisor and every worker) is killed with SIGKILL at the same
moment and started again on the same data directory.

Afterwards every write that was acknowledged with a 2xx is there and intact, nothing is
half-written, SQLite's integrity check and `model-registry check` pass, and every request
that did not succeed got a 502/503/504 in the Error shape (or, only while the whole server
was dead, no answer at all)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from mrtest.server import descendants, still_running

from .support import P, half_written, integrity, run_check

LOADGEN = Path(__file__).with_name("loadgen.py")
PHASE1_SECONDS = 12.0
KILL_ALL_AT = 9.0
PHASE2_SECONDS = 6.0
THREADS = 6
MAX_LATENCY = 3.0


class Chaos(threading.Thread):
    """Kills a random worker every `interval` s; reloads nginx every `reload_every` s; sends
    the pool one SIGHUP (rolling restart) at `pool_hup_at` s."""

    def __init__(self, srv, interval=0.1, reload_every=1.5, pool_hup_at: float | None = 4.0):
        super().__init__(daemon=True)
        self.srv, self.interval, self.reload_every, self.pool_hup_at = srv, interval, reload_every, pool_hup_at
        self.stop_event = threading.Event()
        self.kills = self.reloads = self.pool_hups = 0
        self.rng = random.Random(7)

    def run(self) -> None:
        started = time.monotonic()
        next_reload = started + self.reload_every
        while not self.stop_event.wait(self.interval):
            workers = self.srv.workers_pids()
            if workers:
                try:
                    os.kill(self.rng.choice(workers), signal.SIGKILL)
                    self.kills += 1
                except ProcessLookupError:
                    pass
            now = time.monotonic()
            if self.reload_every and now >= next_reload:
                master = self.srv.nginx_master()
                if master:
                    os.kill(master, signal.SIGHUP)
                    self.reloads += 1
                next_reload = now + self.reload_every
            if self.pool_hup_at is not None and now - started >= self.pool_hup_at:
                os.kill(self.srv.up_pid, signal.SIGHUP)  # `up` forwards it: rolling restart
                self.pool_hups += 1
                self.pool_hup_at = None

    def stop(self) -> None:
        self.stop_event.set()
        self.join(5)


def run_load(srv, tag: str, seconds: float, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(LOADGEN), "--url", srv.base_url, "--seconds", str(seconds),
         "--threads", str(THREADS), "--tag", tag, "--out", str(out), "--timeout", "20"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(proc: subprocess.Popen, seconds: float) -> list[dict]:
    out, _ = proc.communicate(timeout=seconds + 60)
    assert proc.returncode == 0, f"load generator failed ({proc.returncode}):\n{out}"
    path = Path(proc.args[proc.args.index("--out") + 1])
    return [json.loads(line) for line in path.read_text().splitlines()]


def summarize(records: list[dict]) -> dict:
    out: dict[str, int] = {}
    for r in records:
        out[r["outcome"]] = out.get(r["outcome"], 0) + 1
    return out


def test_acknowledged_writes_survive_kills_reloads_and_a_whole_server_crash(start_server, tmp_path):
    srv = start_server("crash", workers=4)
    srv.expect_unclean = True  # killed on purpose; the final stop is checked explicitly below

    # Phase 1: load + chaos, then SIGKILL of every process of the server at once.
    load = run_load(srv, "p1", PHASE1_SECONDS, tmp_path / "p1.jsonl")
    chaos = Chaos(srv)
    chaos.start()
    time.sleep(KILL_ALL_AT)
    chaos.stop()
    phase1_chaos = chaos
    killed_at = time.time()
    srv.kill_tree()
    phase1 = finish(load, PHASE1_SECONDS)

    # The next `up` on the same data directory recovers the store.
    restart_started = time.monotonic()
    srv.start()
    recovery_seconds = time.monotonic() - restart_started

    # Phase 2: load on the restarted server, workers still being killed.
    load = run_load(srv, "p2", PHASE2_SECONDS, tmp_path / "p2.jsonl")
    chaos = Chaos(srv, reload_every=0, pool_hup_at=None)
    chaos.start()
    phase2 = finish(load, PHASE2_SECONDS)
    chaos.stop()

    # 1. Every request got a clean answer: no wrong answer, and "no answer" only while the
    #    whole server was dead.
    bad = [r for r in phase1 + phase2 if r["outcome"] == "bad"]
    assert not bad, f"{len(bad)} wrong answers, e.g.:\n" + "\n".join(json.dumps(r) for r in bad[:10])
    early_conn = [r for r in phase1 if r["outcome"] == "conn" and r["end"] < killed_at]
    assert not early_conn, "requests got no HTTP answer while the server was up:\n" + "\n".join(
        json.dumps(r) for r in early_conn[:10])
    late_conn = [r for r in phase2 if r["outcome"] == "conn"]
    assert not late_conn, "requests got no HTTP answer after the restart:\n" + "\n".join(
        json.dumps(r) for r in late_conn[:10])
    # Killed workers are replaced at once: no request waits for a worker (nginx would give
    # up after fastcgi_read_timeout), and the chaos really ran.
    answered = [r for r in phase1 if r["end"] < killed_at] + phase2
    slow = [r for r in answered if r["end"] - r["start"] > MAX_LATENCY]
    assert not slow, f"{len(slow)} requests took longer than {MAX_LATENCY} s, e.g.:\n" + "\n".join(
        json.dumps(r) for r in slow[:10])
    assert phase1_chaos.kills >= 30 and chaos.kills >= 20, (phase1_chaos.kills, chaos.kills)
    assert phase1_chaos.reloads >= 4 and phase1_chaos.pool_hups == 1

    # 2. Every acknowledged write is present and intact.
    created = [r for r in phase1 + phase2 if r.get("created")]
    assert len(created) > 100, f"too little load got through: {summarize(phase1)} / {summarize(phase2)}"
    http = requests.Session()
    http.trust_env = False
    missing = []
    for r in created:
        body, eid = r["created"]["body"], r["created"]["id"]
        if r["op"] == "create_model":
            got = http.get(f"{srv.base_url}{P}/registered_models/{eid}", timeout=20)
            ok = got.status_code == 200 and got.json()["name"] == body["name"] \
                and got.json()["customProperties"] == body["customProperties"] \
                and got.json()["description"] == body["description"]
        elif r["op"] == "create_version":
            got = http.get(f"{srv.base_url}{P}/model_versions/{eid}", timeout=20)
            ok = got.status_code == 200 and got.json()["registeredModelId"] == body["registeredModelId"] \
                and got.json()["customProperties"] == body["customProperties"]
        else:
            got = http.get(f"{srv.base_url}{P}/model_versions/{r['created']['version']}/artifacts", timeout=20)
            ok = got.status_code == 200 and any(a["id"] == eid and a["uri"] == body["uri"] for a in got.json()["items"])
        if not ok:
            missing.append(f"{r['op']} {eid}: {got.status_code} {got.text[:200]}")
    assert not missing, f"{len(missing)} acknowledged writes are missing or changed:\n" + "\n".join(missing[:20])

    # 3. A clean stop, then the store itself: integrity, no half-written entity, check.
    srv.stop()
    assert integrity(srv.db_path) == "ok"
    problems = half_written(srv.db_path)
    assert not problems, "half-written entities:\n" + "\n".join(problems[:20])
    check = run_check(srv.db_path)
    if check is not None:
        assert check.returncode == 0, f"model-registry check failed:\n{check.stdout}\n{check.stderr}"

    latencies = sorted(r["end"] - r["start"] for r in answered)
    print(f"\ncrash safety: phase 1 {summarize(phase1)}, phase 2 {summarize(phase2)}; "
          f"{len(created)} acknowledged writes verified; {phase1_chaos.kills} + {chaos.kills} worker kills, "
          f"{phase1_chaos.reloads} nginx reloads, 1 rolling restart; latency p50 "
          f"{latencies[len(latencies) // 2] * 1000:.1f} ms, p99 {latencies[int(len(latencies) * 0.99)] * 1000:.1f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms; restart after a whole-server SIGKILL ready in {recovery_seconds:.2f} s")


def test_killing_up_alone_stops_its_children_and_a_new_up_recovers(start_server, tmp_path):
    """SIGKILL of the `up` process only: nginx and the pool (parent-death signal) stop by
    themselves, nothing is left running, and `up` started again at once serves the same data."""
    srv = start_server("killup", workers=2)
    srv.expect_unclean = True
    load = run_load(srv, "ku", 3.0, tmp_path / "ku.jsonl")
    time.sleep(1.5)
    tree = descendants(srv.up_pid)
    os.kill(srv.up_pid, signal.SIGKILL)
    srv.proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while still_running(tree) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not still_running(tree), f"left running after `up` was killed: {still_running(tree)}"
    gone_after = time.monotonic() - (deadline - 10)
    records = finish(load, 3.0)
    srv.proc = None
    srv.start()
    bad = [r for r in records if r["outcome"] == "bad"]
    assert not bad, bad[:5]
    http = requests.Session()
    http.trust_env = False
    for r in records:
        if r.get("created") and r["op"] == "create_model":
            got = http.get(f"{srv.base_url}{P}/registered_models/{r['created']['id']}", timeout=20)
            assert got.status_code == 200 and got.json()["name"] == r["created"]["body"]["name"], got.text
    srv.stop()
    assert integrity(srv.db_path) == "ok"
    assert not half_written(srv.db_path)
    print(f"\nkill -9 of up: its children were gone {gone_after:.2f} s later; "
          f"{sum(1 for r in records if r.get('created'))} acknowledged writes intact")
