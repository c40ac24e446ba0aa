#!/usr/bin/env python3
"""The side-by-side benchmark: our registry through nginx, MLflow's model registry server,
nginx serving a static JSON file and a do-nothing FastCGI pool behind the same nginx config,
all driven by wrk with the same phases in one run; then point-read and page latency at 1k,
100k and 1M model versions, and registration from Python in process (our embedded SDK versus
MLflow's client on sqlite:///, over the floor of Python's sqlite3 writing the same rows alone).
Run it through bench/run.sh, which builds everything first.

Everything listens on 127.0.0.1 only. Servers run one at a time, so they never compete with
each other for the two cores; the load driver (wrk) runs on the same machine.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import functools
import hashlib
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SCRATCH = ROOT / ".build-bench"
# Another build's release directory (e.g. a baseline checkout's) may be measured instead.
RELEASE = Path(os.environ.get("BENCH_RELEASE", SCRATCH / "release")).resolve()
WORK = SCRATCH / "bench-run"
CACHE = SCRATCH / "bench-cache"
RESULTS = SCRATCH / "bench-results"
LUA = BENCH / "wrk" / "phase.lua"
OURS_API = "/api/model_registry/v1alpha3"

PHASES = ["get", "find", "list", "filter", "update", "register"]
PHASE_TITLES = {
    "get": "point read: get version by id",
    "find": "point read: find model by name",
    "list": "list: all versions, pages of 100, following tokens",
    "filter": "filtered list: custom property team='team-N', pages of 100",
    "update": "update: PATCH version (description + custom properties)",
    "register": "register: model + 3 versions (+ an artifact each)",
}
SEED_MODELS = 500
SEED_PER_MODEL = 3


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_average() -> float:
    return os.getloadavg()[0]


def wait_http(url: str, timeout: float, ok=lambda status: status < 500) -> None:
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if ok(response.status):
                    return
        except urllib.error.HTTPError as error:
            if ok(error.code):
                return
            last = error
        except OSError as error:
            last = error
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout:.0f}s: {last}")


def render(template: Path, values: dict[str, str]) -> str:
    text = template.read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def children(pid: int) -> list[int]:
    result = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            result.extend(int(p) for p in text)
    except OSError:
        pass
    return result


def descendants(pid: int) -> list[int]:
    out = []
    for child in children(pid):
        out.append(child)
        out.extend(descendants(child))
    return out


def memory(pid: int) -> dict[str, int]:
    """VmRSS, RssAnon, RssFile and RssShmem of a process in kB."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                values[key] = int(rest.split()[0])
    except OSError:
        pass
    return values


# MARK: servers


class Server:
    """A process group we start and stop (only ours: stopped by its own id)."""

    name = "server"

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.port = free_port()
        self.log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self, argv: list[str], log_name: str, env: dict | None = None, cwd: Path | None = None) -> None:
        self.log_path = WORK / log_name
        handle = open(self.log_path, "w")
        self.process = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                        start_new_session=True)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group we created, by its id
            self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class OursServer(Server):
    name = "ours"

    def __init__(self, db: Path, workers: int, tag: str, cache: bool = True) -> None:
        super().__init__()
        self.db = db
        self.data_dir = WORK / f"ours-{tag}"
        shutil.rmtree(self.data_dir, ignore_errors=True)
        self.data_dir.mkdir(parents=True)
        self.spawn([str(RELEASE / "model-registry"), "up", "--host", "127.0.0.1", "--port", str(self.port),
                    "--data-dir", str(self.data_dir), "--db", str(db), "--workers", str(workers),
                    "--nginx-template", str(ROOT / "nginx" / "model-registry.conf.template"),
                    "--log-level", "warning"] + ([] if cache else ["--no-response-cache"]),
                   f"ours-{tag}.log", cwd=ROOT)
        wait_http(self.url + OURS_API + "/registered_models?pageSize=1", timeout=900, ok=lambda s: s == 200)

    def worker_pids(self) -> list[int]:
        pids = []
        for pid in descendants(self.process.pid):
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"serve" in cmd and not any(children(pid)):
                pids.append(pid)
        return pids

    def worker_memory(self) -> list[dict[str, int]]:
        return [dict(pid=pid, **memory(pid)) for pid in self.worker_pids()]


def run_directory(name: str, body: bytes) -> Path:
    """An empty WORK/<name> holding body.json, the response a ceiling serves."""
    run = WORK / name
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    (run / "body.json").write_bytes(body)
    return run


class StaticNginx(Server):
    name = "nginx-static"

    def __init__(self, body: bytes) -> None:
        super().__init__()
        run = run_directory("static", body)
        conf = run / "nginx.conf"
        conf.write_text(render(BENCH / "nginx-static.conf.template",
                               {"HOST": "127.0.0.1", "PORT": str(self.port), "RUN_DIR": str(run)}))
        self.spawn(["nginx", "-p", str(run), "-e", "stderr", "-c", str(conf)], "static.log")
        wait_http(self.url + "/x", timeout=30, ok=lambda s: s == 200)


class NullFastCGI(Server):
    """fcgi_null (bench/fcgi_null.c) behind nginx rendered from our own config template."""

    name = "fastcgi-null"

    def __init__(self, body: bytes, workers: int) -> None:
        super().__init__()
        run = run_directory("null", body)
        socket_path = run / "fcgi.sock"
        self.pool = subprocess.Popen([str(SCRATCH / "bench-bin" / "fcgi_null"), str(socket_path), str(workers),
                                      str(run / "body.json")], start_new_session=True)
        for _ in range(100):
            if socket_path.exists():
                break
            time.sleep(0.05)
        user = "user root;" if os.geteuid() == 0 else ""
        conf = run / "nginx.conf"
        conf.write_text(render(ROOT / "nginx" / "model-registry.conf.template", {
            "USER_DIRECTIVE": user, "HOST": "127.0.0.1", "PORT": str(self.port), "SOCKET": str(socket_path),
            "RUN_DIR": str(run), "MAX_BODY_BYTES": "16777216"}))
        self.spawn(["nginx", "-p", str(run), "-e", "stderr", "-c", str(conf)], "null.log")
        wait_http(self.url + "/x", timeout=30, ok=lambda s: s == 200)

    def stop(self) -> None:
        super().stop()
        if self.pool.poll() is None:
            self.pool.send_signal(signal.SIGTERM)
            self.pool.wait(timeout=10)


class MLflowServer(Server):
    name = "mlflow"

    def __init__(self, db: Path, workers: int | None, python: Path) -> None:
        super().__init__()
        self.workers = workers
        argv = [str(python), "-m", "mlflow", "server", "--backend-store-uri", f"sqlite:///{db}",
                "--host", "127.0.0.1", "--port", str(self.port)]
        if workers:
            argv += ["--workers", str(workers)]
        env = dict(os.environ)
        # MLflow 3 also starts a background job runner (huey consumers) that has nothing to
        # do with the model registry and would keep cores busy while we measure.
        env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
        self.spawn(argv, f"mlflow-{workers or 'default'}.log", env=env, cwd=WORK)
        wait_http(self.url + "/health", timeout=180, ok=lambda s: s == 200)


# MARK: load


def wrk(url: str, phase: str, target: str, rows: Path | None, connections: int, seconds: float, limit: int,
        tag: str, keepalive: bool = True) -> dict:
    # Stateful phases need one wrk thread per connection (see phase.lua); the others run on
    # two threads so that the driver leaves the cores to the server.
    threads = connections if phase in ("list", "filter", "register") else min(connections, 2)
    argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "30s",
            "-s", str(LUA)]
    if not keepalive:
        argv += ["-H", "Connection: close"]
    argv += [url, "--", phase, target, str(rows) if rows else "-", tag, str(limit)]
    env = dict(os.environ, BENCH_THREADS=str(threads))
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=seconds + 120)
    line = next((l for l in done.stdout.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk failed for {phase} {target}: {done.stdout}\n{done.stderr}")
    result = json.loads(line[len("RESULT "):])
    if done.stderr.strip():
        result["stderr"] = done.stderr.strip()[:500]
    active = max(result["active_us"], 1) / 1e6
    result["rate"] = result["units"] / active
    result["req_rate"] = result["requests"] / active
    result["connections"] = connections
    result["keepalive"] = keepalive
    return result


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def fmt_ms(us: float) -> str:
    ms = us / 1000
    return f"{ms:.2f}" if ms < 10 else f"{ms:.1f}" if ms < 100 else f"{ms:.0f}"


# MARK: data


@functools.cache  # one probe store per run, not one per generated store
def generator_key() -> str:
    """The generator's version and the store layout this build creates (tables, indexes, page
    size): a store generated by a build that made other indexes or pages is not reused, while a
    build that changed only code keeps the (slow to generate) stores it can use."""
    digest = hashlib.sha256((BENCH / "generate_store.py").read_bytes())
    probe = WORK / "layout-probe.db"
    WORK.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(probe) + suffix).unlink(missing_ok=True)
    subprocess.run([str(RELEASE / "model-registry"), "migrate", "--db", str(probe), "--log-level", "error"],
                   check=True, capture_output=True)
    con = sqlite3.connect(f"file:{probe}?mode=ro", uri=True)
    try:
        digest.update(str(con.execute("PRAGMA page_size").fetchone()[0]).encode())
        for (sql,) in con.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"):
            digest.update(sql.encode())
    finally:
        con.close()
    return digest.hexdigest()[:10]


def generated_store(versions: int, per_model: int) -> Path:
    """A generated store, cached by size and generator version (copied before writing to it)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"ours-{versions}-{per_model}-{generator_key()}.db"
    if not path.exists():
        log(f"generating a store with {versions:,} versions ({per_model} per model)")
        partial = path.with_suffix(".partial.db")
        for suffix in ("", "-wal", "-shm"):
            Path(str(partial) + suffix).unlink(missing_ok=True)
        subprocess.run([sys.executable, str(BENCH / "generate_store.py"), "--lib", str(RELEASE / "libmodelregistry.so"),
                        "--out", str(partial), "--versions", str(versions), "--per-model", str(per_model)], check=True)
        partial.rename(path)
    return path


def copy_store(source: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def ours_rows(db: Path, out: Path, per_model: int, sample: int | None = None) -> Path:
    """index, model id, model name, version id, version stored name, for every (or a sample of) version."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    (version_type,) = con.execute("SELECT id FROM Type WHERE name = 'kf.ModelVersion'").fetchone()
    sql = ("SELECT m.name, v.name, m.id, v.id FROM Context v JOIN ParentContext p ON p.context_id = v.id "
           "JOIN Context m ON m.id = p.parent_context_id WHERE v.type_id = ?")
    if sample:
        (count,) = con.execute("SELECT COUNT(*) FROM Context WHERE type_id = ?", (version_type,)).fetchone()
        if count > sample:
            sql += f" AND v.id % {max(1, count // sample)} = 0"
    lines = []
    for model_name, version_name, model_id, version_id in con.execute(sql, (version_type,)):
        m = int(model_name.split("-")[1])
        k = int(version_name.rsplit(":v", 1)[1])
        lines.append(f"{m * per_model + k}\t{model_id}\t{model_name}\t{version_id}\t{version_name}")
    con.close()
    out.write_text("\n".join(lines) + "\n")
    return out


def mlflow_rows(out: Path) -> Path:
    lines = []
    for m in range(SEED_MODELS):
        for k in range(SEED_PER_MODEL):
            lines.append(f"{m * SEED_PER_MODEL + k}\t-\tmodel-{m}\t{k + 1}\t{k + 1}")
    out.write_text("\n".join(lines) + "\n")
    return out


def mlflow_seed(python: Path) -> Path:
    version = subprocess.run([str(python), "-c", "import mlflow; print(mlflow.__version__)"], capture_output=True,
                             text=True, check=True).stdout.strip()
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"mlflow-{version}-{SEED_MODELS}x{SEED_PER_MODEL}.db"
    if not path.exists():
        log(f"seeding an MLflow store through MlflowClient ({SEED_MODELS} models x {SEED_PER_MODEL} versions)")
        partial = path.with_suffix(".partial.db")
        partial.unlink(missing_ok=True)
        subprocess.run([str(python), str(BENCH / "seed_mlflow.py"), "--db", str(partial), "--models", str(SEED_MODELS),
                        "--per-model", str(SEED_PER_MODEL)], check=True, cwd=WORK)
        partial.rename(path)
    return path


# MARK: parts of the run


def run_phases(server_url: str, target: str, rows: Path, connections: list[int], seconds: float, limit: int,
               tag: str, keepalive: bool = True, phases: list[str] = PHASES, after_phase=None) -> dict:
    results: dict = {}
    for phase in phases:
        results[phase] = {}
        for c in connections:
            result = wrk(server_url, phase, target, rows, c, seconds, limit, f"{tag}c{c}", keepalive)
            results[phase][str(c)] = result
            log(f"  {target:6} {phase:8} c{c:<2} {'ka' if keepalive else 'close':5} {fmt_rate(result['rate']):>8}/s "
                f"p50 {fmt_ms(result['p50_us'])} ms  p99 {fmt_ms(result['p99_us'])} ms  "
                f"errors {result['app_errors'] + result['socket_errors'] + result['timeouts']}")
        if after_phase:
            after_phase(phase)
    return results


def median_result(results: list[dict]) -> dict:
    """The result with the median throughput (the lower middle one for an even count)."""
    ordered = sorted(results, key=lambda r: r["rate"])
    return dict(ordered[(len(ordered) - 1) // 2], rounds=len(results))


def run_local(args, connections: list[int]) -> tuple[dict, dict, dict, list]:
    """Our registry, and the two ceilings next to it: point reads and the ceilings alternate
    in rounds (load from other processes on a shared machine then hits all of them alike);
    then the other phases, also in rounds (medians reported)."""
    seed = generated_store(SEED_MODELS * SEED_PER_MODEL, SEED_PER_MODEL)
    db = copy_store(seed, WORK / "ours.db")
    rows = ours_rows(db, WORK / "ours-rows.tsv", SEED_PER_MODEL)
    memory_log: dict = {}
    results: dict = {}
    ceiling_results: dict = {}
    rounds: list = []
    # The same point reads against a second server without the response cache: what a read
    # costs when the answer is not kept (the first read of each, or after every write).
    uncached_db = copy_store(seed, WORK / "ours-nocache.db")
    with OursServer(db, args.workers, "phases") as server, \
            OursServer(uncached_db, args.workers, "nocache", cache=False) as uncached:
        memory_log["start"] = server.worker_memory()
        # A typical response: one model version as GET returns it.
        first_version = rows.read_text().split("\n", 1)[0].split("\t")[3]
        with urllib.request.urlopen(f"{server.url}{OURS_API}/model_versions/{first_version}") as response:
            body = response.read()
        with StaticNginx(body) as static, NullFastCGI(body, args.workers) as null:
            targets = [
                ("get", server.url, "get", "ours", rows),
                ("find", server.url, "find", "ours", rows),
                ("get-nocache", uncached.url, "get", "ours", rows),
                ("find-nocache", uncached.url, "find", "ours", rows),
                ("fastcgi-null", null.url + "/x", "fixed", "ours", None),
                ("nginx-static", static.url + "/x", "fixed", "ours", None),
            ]
            for _, url, phase, target, data in targets:
                wrk(url, phase, target, data, 16, 1, 10**6, "warm")
            memory_log["after warm-up"] = server.worker_memory()
            collected: dict = {}
            for round_number in range(args.rounds):
                for c in connections:
                    this_round = {}
                    for name, url, phase, target, data in targets:
                        result = wrk(url, phase, target, data, c, args.seconds, 10**7, f"r{round_number}")
                        collected.setdefault(name, {}).setdefault(str(c), []).append(result)
                        this_round[name] = result["rate"]
                        log(f"  round {round_number + 1} {name:12} c{c:<2} {fmt_rate(result['rate']):>8}/s "
                            f"p50 {fmt_ms(result['p50_us'])} ms p99 {fmt_ms(result['p99_us'])} ms")
                    rounds.append({"round": round_number + 1, "connections": c, **this_round})
            for name, by_c in collected.items():
                summary = {c: median_result(rs) for c, rs in by_c.items()}
                if name in ("get", "find", "get-nocache", "find-nocache"):
                    results[name] = summary
                else:
                    ceiling_results[name] = summary
        memory_log["after point reads"] = server.worker_memory()
        uncached.stop()

        def sample(phase: str) -> None:
            memory_log[f"after {phase}"] = server.worker_memory()

        # The other phases run in rounds too; per phase the median round is reported, so a
        # busy moment of the machine does not decide a phase's figure.
        collected_phases: dict = {}
        for round_number in range(args.rounds):
            one = run_phases(server.url, "ours", rows, connections, args.seconds, args.limit, f"o{round_number}",
                             phases=[p for p in PHASES if p not in ("get", "find")],
                             after_phase=sample if round_number == 0 else None)
            for phase, by_c in one.items():
                for c, result in by_c.items():
                    collected_phases.setdefault(phase, {}).setdefault(c, []).append(result)
        for phase, by_c in collected_phases.items():
            results[phase] = {c: median_result(rs) for c, rs in by_c.items()}
        memory_log[f"end (after {args.rounds} rounds)"] = server.worker_memory()
    return results, memory_log, ceiling_results, rounds


def run_mlflow(args, connections: list[int], python: Path) -> dict:
    seed = mlflow_seed(python)
    rows = mlflow_rows(WORK / "mlflow-rows.tsv")
    out = {}
    for workers in (None, 2):
        label = f"workers={workers or 'default(4)'}"
        db = copy_store(seed, WORK / "mlflow.db")
        with MLflowServer(db, workers, python) as server:
            wrk(server.url, "get", "mlflow", rows, 4, 2, 200, "warm")
            for keepalive in (True, False):
                key = f"{label}, {'keep-alive' if keepalive else 'Connection: close'}"
                log(f"MLflow {key}")
                out[key] = run_phases(server.url, "mlflow", rows, connections, args.mlflow_seconds, args.mlflow_limit,
                                      f"m{workers or 0}{int(keepalive)}", keepalive)
    return out


def best_mlflow(mlflow: dict) -> dict:
    """Per phase and concurrency, the MLflow configuration with the highest throughput."""
    best: dict = {}
    for config, phases in mlflow.items():
        for phase, by_c in phases.items():
            for c, result in by_c.items():
                current = best.setdefault(phase, {}).get(c)
                if current is None or result["rate"] > current["rate"]:
                    best[phase][c] = dict(result, config=config)
    return best


SCALE_PROBES = [
    ("get", "get version by id (random)", None),
    ("find", "find model by name (random)", None),
    ("page1", "first page of all versions (100)", "/model_versions?pageSize=100"),
    ("deep", "page of 100 from the middle (token)", None),
    ("children", "versions of a random model", None),
    ("artifacts", "artifacts of a random version", None),
    ("filter10", "filter team='team-3' (10%), first page", "/model_versions?pageSize=100&filterQuery=team%3D%27team-3%27"),
    ("batch", "filter batch=<random> (100 matches)", None),
]


def run_scale(args) -> dict:
    """Point-read and page latency per store size. All sizes are served at once and every probe
    alternates between them in rounds (medians reported), so a slower minute of a shared machine
    does not land on one size only."""
    out: dict = {}
    servers: dict = {}
    probes: dict = {}
    try:
        for size in args.scale:
            store = generated_store(size, 4)
            rows = ours_rows(store, WORK / f"scale-{size}.tsv", 4, sample=20000)
            log(f"scale {size:,}: starting (the first start on a store builds the registry's indexes)")
            started = time.time()
            # Without the response cache: the probes repeat requests, and what they measure is
            # how the store's queries scale, not how fast a kept answer comes back.
            servers[size] = OursServer(store, args.workers, f"scale-{size}", cache=False)
            out[str(size)] = {"startup_s": round(time.time() - started, 1)}
            con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
            (version_type,) = con.execute("SELECT id FROM Type WHERE name = 'kf.ModelVersion'").fetchone()
            (middle,) = con.execute("SELECT id FROM Context WHERE type_id = ? ORDER BY id LIMIT 1 OFFSET ?",
                                    (version_type, size // 2)).fetchone()
            con.close()
            token = base64.b64encode(f"{middle}:{middle}".encode()).decode()
            probes[size] = (rows, f"/model_versions?pageSize=100&nextPageToken={urllib.request.quote(token, safe='')}")
        for key, title, path in SCALE_PROBES:
            runs: dict = {size: [] for size in args.scale}
            for round_number in range(args.scale_rounds + 1):
                for size in args.scale:
                    rows, deep = probes[size]
                    probe_path = deep if key == "deep" else path
                    phase = "fixed" if probe_path else key
                    url = servers[size].url + (OURS_API + probe_path if probe_path else "")
                    if round_number == 0:
                        # The warm-up draws the same 2,000 random rows as the probes (phase.lua
                        # seeds its random numbers the same way each run): a warm working set.
                        wrk(url, phase, "ours", rows, 1, 5, 2000, "warm")
                        continue
                    runs[size].append(wrk(url, phase, "ours", rows, 1, args.scale_seconds, args.limit, "scale"))
            for size in args.scale:
                ordered = sorted(runs[size], key=lambda r: r["p50_us"])
                result = dict(ordered[(len(ordered) - 1) // 2], rounds=len(ordered),
                              p99_us=sorted(r["p99_us"] for r in runs[size])[(len(ordered) - 1) // 2])
                out[str(size)][key] = result
                log(f"  scale {size:>9,} {key:9} p50 {fmt_ms(result['p50_us'])} ms p99 {fmt_ms(result['p99_us'])} ms "
                    f"{fmt_rate(result['rate'])}/s errors {sum(r['app_errors'] for r in runs[size])}")
        for size in args.scale:
            out[str(size)]["memory"] = servers[size].worker_memory()
    finally:
        for server in servers.values():
            server.stop()
    return out


def run_embedded(args, python: Path) -> dict:
    out = {}
    targets = (("ours", args.embedded_versions), ("sqlite", args.embedded_versions),
               ("mlflow", args.embedded_mlflow_versions))
    for target, count in targets:
        db = WORK / f"embedded-{target}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        argv = [str(python), str(BENCH / "embedded.py"), target, "--db", str(db), "--versions", str(count)]
        if target != "mlflow":
            argv += ["--lib", str(RELEASE / "libmodelregistry.so")]
        log(f"embedded: {target}, {count:,} versions")
        done = subprocess.run(argv, capture_output=True, text=True, cwd=WORK)
        line = next((l for l in done.stdout.splitlines() if l.startswith("RESULT ")), None)
        if line is None:
            raise SystemExit(f"embedded {target} failed:\n{done.stdout}\n{done.stderr}")
        out[target] = json.loads(line[len("RESULT "):])
        log(f"  {target}: {out[target]['versions_per_s']:,} versions/s")
    return out


# MARK: report


def machine() -> dict:
    def first(cmd: list[str]) -> str:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True)
            return (done.stdout or done.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            return "?"

    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(), "nginx": first(["nginx", "-v"]), "wrk": first(["wrk", "-v"]),
        "sqlite": sqlite3.sqlite_version, "python": platform.python_version(),
        "swift": first([os.environ.get("SWIFT", "swift"), "--version"]),
    }


def report(results: dict) -> str:
    lines: list[str] = []
    add = lines.append
    m = results["machine"]
    add(f"Run {results['started']} – {results['finished']}, load average at start {results['load_start']:.2f}, "
        f"at end {results['load_end']:.2f}")
    add(f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; {m['nginx']}; {m['wrk']}; SQLite {m['sqlite']}; "
        f"MLflow {results.get('mlflow_version', '-')}; our workers: {results['workers']}")
    add("")
    ours = results.get("ours", {})
    best = results.get("mlflow_best", {})
    if ours:
        add("Throughput is units per second (a registration = 7 requests for us and 4 for MLflow; a page; a request);")
        add("latencies are per request. Ours: the median of the rounds. MLflow: the best of default workers / --workers 2, "
            "keep-alive / Connection: close.")
        add("")
        add("| phase | c | ours /s | ours p50 ms | ours p99 ms | MLflow /s | MLflow p50 ms | MLflow p99 ms | MLflow config | ours/MLflow throughput | ours p99 / MLflow p99 |")
        add("|---|---|---|---|---|---|---|---|---|---|---|")
        # Point reads twice: as served (kept answers reused while the store is unchanged) and
        # from a server without the response cache, both against MLflow's same phase.
        for phase in PHASES[:2] + ["get-nocache", "find-nocache"] + PHASES[2:]:
            for c, o in ours.get(phase, {}).items():
                b = best.get(phase.removesuffix("-nocache"), {}).get(c)
                if b:
                    ratio = f"{o['rate'] / b['rate']:,.0f}×" if b["rate"] else "∞"
                    p99 = f"1/{b['p99_us'] / max(o['p99_us'], 1):,.0f}"
                    add(f"| {phase} | {c} | {fmt_rate(o['rate'])} | {fmt_ms(o['p50_us'])} | {fmt_ms(o['p99_us'])} | "
                        f"{fmt_rate(b['rate'])} | {fmt_ms(b['p50_us'])} | {fmt_ms(b['p99_us'])} | {b['config']} | {ratio} | {p99} |")
                else:
                    add(f"| {phase} | {c} | {fmt_rate(o['rate'])} | {fmt_ms(o['p50_us'])} | {fmt_ms(o['p99_us'])} | – | – | – | – | – | – |")
        errors = sum(r["app_errors"] + r["socket_errors"] + r["timeouts"] for p in ours.values() for r in p.values())
        add("")
        add(f"Errors in our runs (non-2xx, socket errors, timeouts): {errors}")
    ceil = results.get("ceilings")
    if ceil:
        rounds = results.get("rounds", [])

        def median_ratio(ours_name: str, ceiling: str, c: str) -> str:
            ratios = sorted(r[ours_name] / r[ceiling] for r in rounds
                            if str(r["connections"]) == c and r.get(ceiling) and ours_name in r)
            return f"{ratios[(len(ratios) - 1) // 2] * 100:.0f}%" if ratios else "–"

        add("")
        add(f"Ceilings, measured in {max((r['round'] for r in rounds), default=0)} rounds alternating with our point reads "
            "(medians; the ratio is the median of the per-round ratios):")
        add("")
        add("| ceiling | c | req/s | p50 ms | p99 ms | ours get / ceiling | ours find / ceiling "
            "| without the response cache: get / ceiling | find / ceiling |")
        add("|---|---|---|---|---|---|---|---|---|")
        for name, by_c in ceil.items():
            for c, r in by_c.items():
                add(f"| {name} | {c} | {fmt_rate(r['rate'])} | {fmt_ms(r['p50_us'])} | {fmt_ms(r['p99_us'])} | "
                    f"{median_ratio('get', name, c)} | {median_ratio('find', name, c)} | "
                    f"{median_ratio('get-nocache', name, c)} | {median_ratio('find-nocache', name, c)} |")
        if rounds:
            add("")
            add("| round | c | ours get /s | ours find /s | no cache: get /s | find /s | fastcgi-null /s | nginx-static /s |")
            add("|---|---|---|---|---|---|---|---|")
            for r in rounds:
                add(f"| {r['round']} | {r['connections']} | {fmt_rate(r['get'])} | {fmt_rate(r['find'])} | "
                    f"{fmt_rate(r.get('get-nocache', 0))} | {fmt_rate(r.get('find-nocache', 0))} | "
                    f"{fmt_rate(r['fastcgi-null'])} | {fmt_rate(r['nginx-static'])} |")
    mem = results.get("memory")
    if mem:
        add("")
        add("Worker resident memory (VmRSS / RssAnon, MB, per worker):")
        add("")
        add("| when | " + " | ".join(f"worker {i + 1}" for i in range(max(len(v) for v in mem.values()))) + " |")
        add("|---|" + "---|" * max(len(v) for v in mem.values()))
        for when, workers in mem.items():
            cells = [f"{w.get('VmRSS', 0) / 1024:.1f} / {w.get('RssAnon', 0) / 1024:.1f}" for w in workers]
            add(f"| {when} | " + " | ".join(cells) + " |")
    scale = results.get("scale")
    if scale:
        sizes = list(scale)
        add("")
        add("Scale (one connection; p50 / p99 in ms, medians of rounds alternating between the sizes; "
            "ratio = at the largest size / at the smallest):")
        add("")
        add("| probe | " + " | ".join(f"{int(s):,} versions" for s in sizes) + " | largest/smallest p50 | p99 |")
        add("|---|" + "---|" * (len(sizes) + 2))
        for key, title, _ in SCALE_PROBES:
            cells = [f"{fmt_ms(scale[s][key]['p50_us'])} / {fmt_ms(scale[s][key]['p99_us'])}" for s in sizes]
            first, last = scale[sizes[0]][key], scale[sizes[-1]][key]
            add(f"| {title} | " + " | ".join(cells) +
                f" | {last['p50_us'] / max(first['p50_us'], 1):.2f}× | {last['p99_us'] / max(first['p99_us'], 1):.2f}× |")
        add("")
        add("Server start (s; the first start on a store builds the registry's indexes): " +
            ", ".join(f"{int(s):,}: {scale[s]['startup_s']}" for s in sizes))
    emb = results.get("embedded")
    if emb:
        o, f, floor = emb["ours"], emb["mlflow"], emb.get("sqlite")
        add("")
        add("| embedded registration from Python | versions | seconds | versions/s |")
        add("|---|---|---|---|")
        add(f"| ours: SDK `register_model` on sqlite:/// | {o['versions']:,} | {o['seconds']} | {o['versions_per_s']:,} |")
        if floor:
            add(f"| floor: the same rows with Python's sqlite3 alone, a durable commit each | {floor['versions']:,} "
                f"| {floor['seconds']} | {floor['versions_per_s']:,} |")
        add(f"| MLflow: `MlflowClient` on sqlite:/// | {f['versions']:,} | {f['seconds']} | {f['versions_per_s']:,} |")
        add(f"| ratio ours/MLflow (rates) | | | {o['versions_per_s'] / f['versions_per_s']:.1f}× |")
        if floor:
            add(f"| ratio floor/MLflow (the most any SDK on this store could reach) | | | "
                f"{floor['versions_per_s'] / f['versions_per_s']:.1f}× |")
            add(f"| ours/floor | | | {o['versions_per_s'] / floor['versions_per_s']:.0%} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "2")),
                        help="our FastCGI workers and the do-nothing pool's (default 2)")
    parser.add_argument("--seconds", type=float, default=5, help="time bound of each of our phases")
    parser.add_argument("--limit", type=int, default=100_000, help="request bound of each of our phases")
    parser.add_argument("--mlflow-seconds", type=float, default=10)
    parser.add_argument("--mlflow-limit", type=int, default=3000)
    parser.add_argument("--scale", default="1000,100000,1000000", help="store sizes (versions), or 'none'")
    parser.add_argument("--scale-seconds", type=float, default=2)
    parser.add_argument("--scale-rounds", type=int, default=3,
                        help="rounds of each scale probe alternating between the store sizes (medians are reported)")
    parser.add_argument("--embedded-versions", type=int, default=10_000)
    parser.add_argument("--embedded-mlflow-versions", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of our phases, point reads alternating with the two ceilings (medians are reported)")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: ours (with the ceilings),mlflow,scale,embedded")
    parser.add_argument("--wait-quiet", type=float, default=0,
                        help="wait up to this many seconds for the 1-minute load average to drop below 0.5")
    parser.add_argument("--python", default=sys.executable, help="the Python with mlflow installed")
    args = parser.parse_args()
    args.scale = [] if args.scale == "none" else [int(s) for s in args.scale.split(",")]
    skip = set(filter(None, args.skip.split(",")))
    python = Path(args.python)
    connections = [1, 16]

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    if args.wait_quiet:
        deadline = time.time() + args.wait_quiet
        while load_average() >= 0.5 and time.time() < deadline:
            log(f"waiting for a quiet machine: load average {load_average():.2f}")
            time.sleep(15)
    results: dict = {"started": dt.datetime.now().isoformat(timespec="seconds"), "load_start": load_average(),
                     "machine": machine(), "workers": args.workers, "args": vars(args) | {"python": str(python)}}
    if "mlflow" not in skip or "embedded" not in skip:
        results["mlflow_version"] = subprocess.run([str(python), "-c", "import mlflow; print(mlflow.__version__)"],
                                                   capture_output=True, text=True).stdout.strip()
    if "ours" not in skip:
        log("our registry through nginx, with the nginx static file and do-nothing FastCGI ceilings alongside")
        results["ours"], results["memory"], results["ceilings"], results["rounds"] = run_local(args, connections)
    if "mlflow" not in skip:
        log("MLflow's model registry server")
        results["mlflow"] = run_mlflow(args, connections, python)
        results["mlflow_best"] = best_mlflow(results["mlflow"])
    if "scale" not in skip and args.scale:
        log("scale")
        results["scale"] = run_scale(args)
    if "embedded" not in skip:
        log("embedded registration from Python")
        results["embedded"] = run_embedded(args, python)
    results["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    results["load_end"] = load_average()

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"results-{stamp}.json").write_text(json.dumps(results, indent=1))
    text = report(results)
    (RESULTS / f"results-{stamp}.md").write_text(text + "\n")
    print(text)
    log(f"results: {RESULTS / f'results-{stamp}.json'} and .md")


if __name__ == "__main__":
    main()
