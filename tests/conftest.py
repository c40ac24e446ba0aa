"""Shared fixtures: a session-wide `model-registry up` server, fresh servers on empty
databases, unique names, and the server log attached to failing tests.

The session server's database is shared by every test, so tests never clean up: they make
unique names with `unique_name()` and scope their assertions to what they created.
"""

from __future__ import annotations

import itertools
import os
import re
import uuid

import pytest

from mrtest.api import Api
from mrtest.server import API_V1, API_V1ALPHA3, RegistryServer, ServerError

_ACTIVE: list[RegistryServer] = []
_LOG_OFFSETS = pytest.StashKey[dict]()


def pytest_configure(config):
    # Loopback only: make sure nothing (requests, aiohttp, urllib) routes 127.0.0.1 via a proxy.
    for var in ("NO_PROXY", "no_proxy"):
        have = os.environ.get(var, "")
        os.environ[var] = ",".join(x for x in (have, "127.0.0.1", "localhost") if x)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in item.nodeid.replace("\\", "/") or item.nodeid.startswith("e2e/"):
            item.add_marker(pytest.mark.e2e)


def _start(root, name: str, prepare=None) -> RegistryServer:
    srv = RegistryServer(root, name=name)
    if prepare is not None:
        srv.data_dir.mkdir(parents=True, exist_ok=True)
        prepare(srv)  # e.g. create srv.db_path before the server first opens it
    srv.start()
    _ACTIVE.append(srv)
    return srv


def _stop(srv: RegistryServer) -> None:
    try:
        srv.stop()  # raises ServerError (an AssertionError) unless it stopped cleanly
    finally:
        if srv in _ACTIVE:
            _ACTIVE.remove(srv)


@pytest.fixture(scope="session")
def registry(tmp_path_factory) -> RegistryServer:
    """The session-wide server. Attributes: base_url, port, db_path, data_dir, run_dir, log_path.
    If it cannot start, the whole run stops here (every e2e test needs it)."""
    try:
        srv = _start(tmp_path_factory.mktemp("registry"), "session")
    except ServerError as e:
        pytest.exit(f"cannot start the session server:\n{e}", returncode=1)
    yield srv
    _stop(srv)


@pytest.fixture(scope="session")
def registry_factory(tmp_path_factory):
    """Start extra servers, each on its own empty database: `srv = registry_factory("name")`.
    `prepare(srv)`, if given, runs before start (srv.data_dir exists, srv.db_path does not).
    Servers still running at the end of the session are stopped (and checked) then; call
    `registry_factory.stop(srv)` to stop one earlier."""
    started: list[RegistryServer] = []

    def start(name: str = "fresh", prepare=None) -> RegistryServer:
        # short: the run dir holds a unix socket, whose path must stay under ~100 bytes
        root = tmp_path_factory.mktemp(re.sub(r"[^A-Za-z0-9_]+", "_", name)[:20])
        srv = _start(root, name, prepare)
        started.append(srv)
        return srv

    def stop(srv: RegistryServer) -> None:
        if srv in started:
            started.remove(srv)
            _stop(srv)

    start.stop = stop
    yield start
    errors = []
    for srv in list(started):
        try:
            stop(srv)
        except AssertionError as e:
            errors.append(str(e))
    assert not errors, "\n\n".join(errors)


@pytest.fixture
def fresh_registry(registry_factory, request) -> RegistryServer:
    """A server of its own on an empty database, for this test only."""
    srv = registry_factory(f"fresh-{request.node.name}")
    yield srv
    registry_factory.stop(srv)


@pytest.fixture
def unique_name(request):
    """`unique_name()` / `unique_name("prefix")`: a name no other test (or call) uses."""
    base = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name).strip("-")[:32] or "t"
    counter = itertools.count(1)

    def make(prefix: str | None = None) -> str:
        return f"{prefix or base}-{next(counter)}-{uuid.uuid4().hex[:8]}"

    return make


@pytest.fixture(params=[API_V1ALPHA3, API_V1], ids=["v1alpha3", "v1"])
def api(request, registry) -> Api:
    """Raw HTTP against the session server, once per API prefix."""
    a = Api(registry.base_url, request.param)
    yield a
    a.s.close()


@pytest.fixture
def api3(registry) -> Api:
    """Raw HTTP against the session server under /api/model_registry/v1alpha3."""
    a = Api(registry.base_url, API_V1ALPHA3)
    yield a
    a.s.close()


# -- attach the server log to failing tests ------------------------------------------------
@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    item.stash[_LOG_OFFSETS] = {id(s): s.log_size() for s in _ACTIVE}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if not rep.failed:
        return
    offsets = item.stash.get(_LOG_OFFSETS, {})
    for srv in list(_ACTIVE):
        rep.sections.append((
            f"model-registry log [{srv.name}] {srv.log_path} (during this test)",
            srv.log_text(offset=offsets.get(id(srv), 0), max_lines=60),
        ))
