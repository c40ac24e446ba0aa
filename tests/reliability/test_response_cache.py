"""The workers' response cache through the whole stack: writes go to the writer process and
reads to the workers, which keep GET answers while the store is unchanged. Every read after a
write's 2xx must show that write, from whichever worker answers; `--no-response-cache` turns
the cache off."""

from __future__ import annotations

import json
import urllib.parse

from .support import P, post_json, request


def patch_json(port: int, path: str, obj) -> int:
    return request(port, "PATCH", P + path, json.dumps(obj).encode(), {"Content-Type": "application/json"}).status


def test_every_read_after_a_write_shows_it_from_any_worker(start_server):
    srv = start_server("cache", workers=2)
    model = post_json(srv.port, "/registered_models", {"name": "polled", "description": "d0"}).json()
    find = f"{P}/registered_model?name={urllib.parse.quote('polled')}"
    for i in range(1, 31):
        # Several reads first, so that both workers keep the current answers.
        for _ in range(3):
            assert request(srv.port, "GET", f"{P}/registered_models/{model['id']}").json()["description"] == f"d{i - 1}"
            assert request(srv.port, "GET", find).json()["description"] == f"d{i - 1}"
        assert patch_json(srv.port, f"/registered_models/{model['id']}", {"description": f"d{i}"}) == 200
        for _ in range(3):
            assert request(srv.port, "GET", f"{P}/registered_models/{model['id']}").json()["description"] == f"d{i}"
            assert request(srv.port, "GET", find).json()["description"] == f"d{i}"
    # A name that was not found, then created, is found at once.
    missing = f"{P}/registered_model?name=later"
    for _ in range(4):
        assert request(srv.port, "GET", missing).status == 404
    assert post_json(srv.port, "/registered_models", {"name": "later"}).status == 201
    for _ in range(4):
        assert request(srv.port, "GET", missing).status == 200


def test_the_cache_can_be_turned_off(start_server):
    on = start_server("cache-on", workers=1)
    off = start_server("cache-off", workers=1, args=["--no-response-cache"])
    assert "response-cache=on" in on.log_text(max_lines=100_000)
    assert "response-cache=off" in off.log_text(max_lines=100_000)
    model = post_json(off.port, "/registered_models", {"name": "m", "description": "one"}).json()
    assert request(off.port, "GET", f"{P}/registered_models/{model['id']}").json()["description"] == "one"
    assert patch_json(off.port, f"/registered_models/{model['id']}", {"description": "two"}) == 200
    assert request(off.port, "GET", f"{P}/registered_models/{model['id']}").json()["description"] == "two"
