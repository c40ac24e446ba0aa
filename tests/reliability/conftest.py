"""Fixtures for the reliability suite: servers of their own, started with extra flags."""

from __future__ import annotations

import re

import pytest

from .support import Server

_SERVERS = pytest.StashKey[list]()


def pytest_configure(config):
    config.addinivalue_line("markers", "reliability: crash, concurrency, bad-input, storage, auth and limit tests (tests/reliability)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/reliability/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.reliability)


@pytest.fixture
def start_server(tmp_path_factory, request):
    """`start_server(name, workers=2, args=[...], token=None, nginx={directive: value},
    db_path=None, start=True)` -> a running Server (or an unstarted one with start=False).
    Every server still running at the end of the test is stopped; a clean stop is required
    unless the test set `srv.expect_unclean = True`."""
    servers: list[Server] = []
    request.node.stash[_SERVERS] = servers

    def start(name: str = "rel", *, start: bool = True, **kwargs) -> Server:
        root = tmp_path_factory.mktemp(re.sub(r"[^A-Za-z0-9_]+", "_", name)[:20])
        srv = Server(root, name=name, **kwargs)
        srv.expect_unclean = False
        servers.append(srv)
        if start:
            srv.start()
        return srv

    yield start
    errors = []
    for srv in servers:
        if srv.proc is None:
            continue
        try:
            srv.stop(check=not srv.expect_unclean)
        except AssertionError as e:
            errors.append(str(e))
    assert not errors, "\n\n".join(errors)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if not rep.failed or call.when != "call":
        return
    for srv in item.stash.get(_SERVERS, []):
        rep.sections.append((f"model-registry log [{srv.name}] {srv.log_path}", srv.log_text(max_lines=80)))
