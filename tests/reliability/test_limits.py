"""Limits enforced by nginx in front of the workers: request timeouts and slow clients.

The timeouts are shortened for the test in a copy of the nginx template passed with
--nginx-template (the production template keeps 10 s for clients, 60 s for workers); the
body-size limit is exercised in test_bad_input.py and here with --max-body-bytes."""

from __future__ import annotations

import http.client
import fcntl
import json
import resource
import selectors
import socket
import sqlite3
import threading
import time
from contextlib import contextmanager

import pytest

from .support import P, assert_error_shape, post_json, raw_exchange, request

SHORT = {
    "client_header_timeout": "2s",
    "client_body_timeout": "2s",
    "send_timeout": "2s",
    "fastcgi_read_timeout": "3s",
}


@pytest.fixture
def srv(start_server):
    # one worker: anything that ties up a worker shows up at once as a stalled normal request
    return start_server("limits", workers=1, nginx=SHORT)


class Prober(threading.Thread):
    """A well-behaved client: GETs in a loop, recording each latency."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port = port
        self.stop_event = threading.Event()
        self.latencies: list[float] = []
        self.failures: list[str] = []

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                resp = request(self.port, "GET", P + "/registered_models?pageSize=1", timeout=10)
                self.latencies.append(resp.elapsed)
                if resp.status != 200:
                    self.failures.append(str(resp))
            except OSError as e:
                self.failures.append(repr(e))
            time.sleep(0.05)

    def finish(self) -> None:
        self.stop_event.set()
        self.join(15)
        assert not self.failures, self.failures[:5]
        assert len(self.latencies) >= 10, f"only {len(self.latencies)} probe requests"
        assert max(self.latencies) < 1.0, f"a normal client waited {max(self.latencies):.2f} s"


def test_slowloris_headers_are_cut_off_while_others_are_served(srv):
    """200 connections send their request headers one byte every 0.2 s, forever."""
    count, header = 200, f"GET {P}/registered_models HTTP/1.1\r\nHost: x\r\nX-Slow: " .encode() + b"a" * 10_000
    sel = selectors.DefaultSelector()
    conns = {}
    for i in range(count):
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.setblocking(False)
        conns[s] = {"sent": 0, "opened": time.monotonic(), "closed": None, "data": b""}
        sel.register(s, selectors.EVENT_READ)
    prober = Prober(srv.port)
    prober.start()
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and any(c["closed"] is None for c in conns.values()):
        for s, c in conns.items():
            if c["closed"] is None and c["sent"] < len(header):
                try:
                    s.send(header[c["sent"]:c["sent"] + 1])
                    c["sent"] += 1
                except OSError:
                    c["closed"] = time.monotonic()
        for key, _ in sel.select(timeout=0.2):
            c = conns[key.fileobj]
            try:
                chunk = key.fileobj.recv(4096)
            except OSError:
                chunk = b""
            if chunk:
                c["data"] += chunk
            if not chunk and c["closed"] is None:
                c["closed"] = time.monotonic()
                sel.unregister(key.fileobj)
    prober.finish()
    open_left = [c for c in conns.values() if c["closed"] is None]
    for s in conns:
        s.close()
    assert not open_left, f"{len(open_left)} slow connections were still open after 8 s"
    lifetimes = sorted(c["closed"] - c["opened"] for c in conns.values())
    assert lifetimes[-1] < 4.5, f"a slow client kept its connection for {lifetimes[-1]:.1f} s (timeout 2 s)"
    for c in conns.values():  # either closed silently or told 408, in the Error shape
        if c["data"]:
            assert c["data"].startswith(b"HTTP/1.1 408"), c["data"][:200]
    print(f"\nslowloris: {count} connections cut after {lifetimes[0]:.1f}-{lifetimes[-1]:.1f} s; "
          f"{len(prober.latencies)} normal requests meanwhile, max {max(prober.latencies) * 1000:.0f} ms")


def test_a_flood_of_slow_connections_does_not_lock_others_out(srv):
    """More half-sent requests than nginx's old 1,024-connection limit: nginx cannot reuse a
    connection that is inside its headers, so with too few connections everyone else was
    refused until the flood timed out."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    count = 3000
    if hard != resource.RLIM_INFINITY and hard < count + 200:
        pytest.skip(f"needs {count + 200} file descriptors, the hard limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, count + 200), hard))
    flood = []
    try:
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", srv.port))
            s.sendall(f"GET {P}/registered_models HTTP/1.1\r\nHost: x\r\nX-Slow: ".encode())
            flood.append(s)
        latencies = []
        for _ in range(10):
            resp = request(srv.port, "GET", P + "/registered_models?pageSize=1", timeout=10)
            assert resp.status == 200, resp
            latencies.append(resp.elapsed)
        assert max(latencies) < 1.0, latencies
        # and the flood is gone after client_header_timeout (2 s here)
        time.sleep(3)
        for s in flood:
            s.settimeout(2)
            try:
                data = s.recv(100)
            except ConnectionResetError:
                continue
            except socket.timeout:
                pytest.fail("a flood connection is still open after the header timeout")
            assert data == b"" or data.startswith(b"HTTP/1.1 408"), data
    finally:
        for s in flood:
            s.close()
    print(f"\nflood: {count} half-sent requests; normal requests meanwhile took at most {max(latencies) * 1000:.0f} ms")


def test_a_stalled_body_is_cut_off_and_never_reaches_a_worker(srv):
    prober = Prober(srv.port)
    prober.start()
    started = time.monotonic()
    head = (f"POST {P}/registered_models HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: 100\r\n\r\n").encode()
    try:
        resp = raw_exchange(srv.port, head + b"{\"name\": \"sta", timeout=15, method="POST")
    except (http.client.RemoteDisconnected, ConnectionResetError):
        resp = None  # nginx closes a timed-out body without an answer (it logs a 408)
    elapsed = time.monotonic() - started
    if resp is not None:
        assert_error_shape(resp, 408)
    assert 1.5 < elapsed < 4.5, f"the stalled body was cut after {elapsed:.1f} s (timeout 2 s)"
    # a body that trickles in (a byte a second, within the timeout) is buffered by nginx:
    # the single worker keeps serving everyone else meanwhile
    payload = json.dumps({"name": "trickled"}).encode()
    with socket.create_connection(("127.0.0.1", srv.port), timeout=20) as s:
        s.sendall((f"POST {P}/registered_models HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n").encode())
        for i in range(0, len(payload), 4):
            s.sendall(payload[i:i + 4])
            time.sleep(0.5)
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 201"), reply[:300]
    prober.finish()


def test_a_client_that_stops_reading_is_dropped_without_holding_a_worker(srv):
    big = "x" * 100_000
    # more than the kernel can buffer for the connection (twice the largest send buffer)
    wmem_max = int(open("/proc/sys/net/ipv4/tcp_wmem").read().split()[2])
    models = min(1000, (2 * wmem_max + 2_000_000) // 100_000)
    for i in range(models):
        assert post_json(srv.port, "/registered_models", {"name": f"big-{i}", "customProperties": {
            "b": {"metadataType": "MetadataStringValue", "string_value": big}}}).status == 201
    prober = Prober(srv.port)
    prober.start()
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", srv.port))
    s.sendall(f"GET {P}/registered_models?pageSize={models} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    time.sleep(5)  # read nothing for longer than send_timeout (2 s)
    received, s_timeout = b"", time.monotonic() + 10
    s.settimeout(2)
    try:
        while time.monotonic() < s_timeout:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            received += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    prober.finish()
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head[:200]
    length = int([line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")][0])
    assert len(body) < length, "the stalled reader got the whole response: send_timeout did not apply"


@contextmanager
def sqlite_write_lock(db_path):
    """Holds SQLite's write lock on the store from another process's point of view."""
    holder = sqlite3.connect(db_path, timeout=5, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@contextmanager
def write_gate_lock(db_path):
    """Holds the registry's write gate (Sources/MLMD/WriteGate.swift), as a worker in the
    middle of a write transaction does."""
    with open(f"{db_path}-writer.lock", "a+b") as gate:
        fcntl.flock(gate, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(gate, fcntl.LOCK_UN)


def test_a_worker_slower_than_the_read_timeout_gives_a_json_504(srv):
    """A write stuck behind another process's SQLite lock: nginx stops waiting after
    fastcgi_read_timeout (3 s here) and answers 504 in the Error shape."""
    with sqlite_write_lock(srv.db_path):
        started = time.monotonic()
        resp = post_json(srv.port, "/registered_models", {"name": "behind-a-lock"})
        elapsed = time.monotonic() - started
        body = assert_error_shape(resp, 504)
        assert body["code"] == "Gateway Timeout" and 2.5 < elapsed < 6, elapsed
    # the worker finishes that request once the lock is gone and serves again
    deadline = time.monotonic() + 15
    while request(srv.port, "GET", P + "/registered_models?pageSize=1").status != 200:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert post_json(srv.port, "/registered_models", {"name": "after-the-lock"}).status == 201


@pytest.mark.parametrize("lock", [sqlite_write_lock, write_gate_lock], ids=["sqlite-lock", "write-gate"])
def test_a_busy_database_gives_503_not_database_is_locked(start_server, lock):
    """With the production read timeout (60 s), a write that cannot get SQLite's lock (or
    its turn at the write gate) within the 10 s busy timeout is answered by the worker: 503,
    retry later."""
    srv = start_server(f"busy-{lock.__name__}", workers=1)
    with lock(srv.db_path):
        started = time.monotonic()
        resp = post_json(srv.port, "/registered_models", {"name": "busy"})
        elapsed = time.monotonic() - started
        # reads do not wait for the writer (WAL)
        got = request(srv.port, "GET", P + "/registered_models")
        assert got.status == 200
    body = assert_error_shape(resp, 503)
    assert "busy" in body["message"] and "locked" not in body["message"], body
    assert 9 < elapsed < 15, elapsed
    assert post_json(srv.port, "/registered_models", {"name": "busy"}).status == 201


def test_max_body_bytes_flag_sets_both_limits(start_server):
    srv = start_server("bodylimit", workers=1, args=["--max-body-bytes", "2048"])
    ok = post_json(srv.port, "/registered_models", {"name": "small", "description": "d" * 1500})
    assert ok.status == 201, ok
    resp = post_json(srv.port, "/registered_models", {"name": "large", "description": "d" * 3000})
    body = assert_error_shape(resp, 413)
    assert "2048" in body["message"]
