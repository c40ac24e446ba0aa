"""Optional bearer-token authentication (`--auth-tokens FILE`): every API request needs a
valid `Authorization: Bearer <token>` (401 in the Error shape with `WWW-Authenticate: Bearer`
otherwise), the health probes do not; the file is re-read when it changes; a file that
cannot be read fails closed; tokens never reach the logs; the upstream Python client's
`user_token` works."""

from __future__ import annotations

import json
import os
import signal
import time
import warnings

import pytest

from mrtest.server import API_V1, ServerError

from .support import P, assert_error_shape, post_json, request, table_counts

TOKEN_A = "tok-A-7f3c9e2b5d1a48c6b0e4f9a2c8d7e6f5"
TOKEN_B = "tok-B.eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ_-~+/="
TOKEN_NEW = "tok-new-1b2c3d4e5f60718293a4b5c6d7e8f901"


def write_tokens(path, *lines: str) -> None:
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def authed(start_server, tmp_path):
    tokens = tmp_path / "tokens"
    write_tokens(tokens, "# registry clients", "", TOKEN_A, f"   {TOKEN_B}   ", "# retired: not-a-token-any-more")
    srv = start_server("auth", workers=2, args=["--auth-tokens", str(tokens), "--log-level", "debug"], token=TOKEN_A)
    srv.tokens = tokens
    return srv


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def expect_401(resp, error: str | None = None) -> dict:
    body = assert_error_shape(resp, 401)
    assert body["code"] == "Unauthorized"
    challenge = resp.headers.get("www-authenticate", "")
    assert challenge.startswith("Bearer"), resp.headers
    if error:
        assert f'error="{error}"' in challenge, challenge
    return body


def test_requests_need_a_valid_token(authed):
    srv = authed
    before = table_counts(srv.db_path)
    for prefix in (P, API_V1):
        for method, path, body in [("GET", "/registered_models", None), ("GET", "/registered_models/1", None),
                                   ("POST", "/registered_models", b'{"name": "intruder"}'),
                                   ("PATCH", "/registered_models/1", b'{"description": "x"}'),
                                   ("GET", "/no/such/route", None), ("DELETE", "/registered_models", None)]:
            headers = {"Content-Type": "application/json"} if body else {}
            expect_401(request(srv.port, method, prefix + path, body, headers))
            expect_401(request(srv.port, method, prefix + path, body, {**headers, **bearer("wrong")}), "invalid_token")
            expect_401(request(srv.port, method, prefix + path, body, {**headers, **bearer(TOKEN_A + "x")}), "invalid_token")
            expect_401(request(srv.port, method, prefix + path, body, {**headers, **bearer(TOKEN_A[:-1])}), "invalid_token")
    for header in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", f"Bearer {TOKEN_A} extra", f"Token {TOKEN_A}",
                   f"Bearer{TOKEN_A}", "Bearer \u00e9t\u00e9", f"{TOKEN_A}"]:
        expect_401(request(srv.port, "GET", P + "/registered_models", headers={"Authorization": header.encode().decode("latin-1")}))
    # two Authorization headers are never a valid token
    raw = request(srv.port, "GET", P + "/registered_models", headers={"Authorization": f"Bearer {TOKEN_A}",
                                                                       "authorization": f"Bearer {TOKEN_A}"})
    assert raw.status in (400, 401), raw
    head = request(srv.port, "HEAD", P + "/registered_models")
    assert head.status == 401 and head.headers.get("www-authenticate", "").startswith("Bearer")
    assert table_counts(srv.db_path) == before, "an unauthenticated request wrote something"

    # valid tokens, any case of the scheme, surrounding spaces
    for header in [f"Bearer {TOKEN_A}", f"bearer {TOKEN_A}", f"BEARER   {TOKEN_A}  ", f"Bearer {TOKEN_B}"]:
        resp = request(srv.port, "GET", P + "/registered_models", headers={"Authorization": header})
        assert resp.status == 200, (header, resp)
    created = post_json(srv.port, "/registered_models", {"name": "with-token"}, bearer(TOKEN_B))
    assert created.status == 201, created
    assert request(srv.port, "GET", API_V1 + f"/registered_models/{created.json()['id']}", headers=bearer(TOKEN_A)).status == 200
    assert request(srv.port, "HEAD", P + "/registered_models", headers=bearer(TOKEN_A)).status == 200
    # the comment line is not a token
    expect_401(request(srv.port, "GET", P + "/registered_models", headers=bearer("not-a-token-any-more")))
    expect_401(request(srv.port, "GET", P + "/registered_models", headers=bearer("#")))


def test_health_probes_need_no_token(authed):
    for path in ["/readyz/isDirty", "/readyz/health", "/readyz/health?format=json", P + "/readyz/health"]:
        resp = request(authed.port, "GET", path)
        assert resp.status == 200, (path, resp)


def test_token_file_is_reread_when_it_changes(authed):
    srv = authed
    assert request(srv.port, "GET", P + "/registered_models", headers=bearer(TOKEN_A)).status == 200
    # replaced atomically (rename), as a secret manager would
    tmp = srv.tokens.with_suffix(".new")
    write_tokens(tmp, TOKEN_NEW)
    os.replace(tmp, srv.tokens)
    expect_401(request(srv.port, "GET", P + "/registered_models", headers=bearer(TOKEN_A)), "invalid_token")
    assert request(srv.port, "GET", P + "/registered_models", headers=bearer(TOKEN_NEW)).status == 200
    # rewritten in place
    write_tokens(srv.tokens, TOKEN_A)
    assert request(srv.port, "GET", P + "/registered_models", headers=bearer(TOKEN_A)).status == 200
    expect_401(request(srv.port, "GET", P + "/registered_models", headers=bearer(TOKEN_NEW)), "invalid_token")
    # an empty file accepts nobody
    write_tokens(srv.tokens, "# nobody")
    expect_401(request(srv.port, "GET", P + "/registered_models", headers=bearer(TOKEN_A)), "invalid_token")
    # gone or invalid: fail closed with 503 (and say nothing about the tokens), recover when fixed
    srv.tokens.unlink()
    body = assert_error_shape(request(srv.port, "GET", P + "/registered_models", headers=bearer(TOKEN_A)), 503)
    assert "token file" in body["message"]
    write_tokens(srv.tokens, TOKEN_A, "two words")
    body = assert_error_shape(request(srv.port, "GET", P + "/registered_models", headers=bearer(TOKEN_A)), 503)
    assert "line 2" in body["message"] and "two words" not in body["message"]
    write_tokens(srv.tokens, TOKEN_A)
    assert request(srv.port, "GET", P + "/registered_models", headers=bearer(TOKEN_A)).status == 200
    # SIGHUP (rolling restart of the workers) keeps working with the current file
    write_tokens(srv.tokens, TOKEN_B)
    os.kill(srv.up_pid, signal.SIGHUP)
    deadline = time.monotonic() + 20
    while "rolling restart complete" not in srv.log_text(max_lines=100_000):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert request(srv.port, "GET", P + "/registered_models", headers=bearer(TOKEN_B)).status == 200
    expect_401(request(srv.port, "GET", P + "/registered_models", headers=bearer(TOKEN_A)))


def test_tokens_never_reach_the_logs(authed):
    srv = authed
    secret_wrong = "wrong-secret-" + "9" * 20
    for token in (TOKEN_A, TOKEN_B, secret_wrong):
        request(srv.port, "GET", P + "/registered_models?pageSize=1", headers=bearer(token))
        post_json(srv.port, "/registered_models", {"name": f"n-{token[:5]}"}, bearer(token))
    # an invalid file: the error must not quote it
    write_tokens(srv.tokens, TOKEN_A, f"{TOKEN_NEW} trailing-words")
    request(srv.port, "GET", P + "/registered_models", headers=bearer(TOKEN_A))
    write_tokens(srv.tokens, TOKEN_A)
    log = srv.log_text(max_lines=1_000_000)
    assert "/registered_models -> 200" in log, "debug logging of requests was expected to be on"
    for token in (TOKEN_A, TOKEN_B, TOKEN_NEW, secret_wrong, "trailing-words"):
        assert token not in log, f"a token appears in the server log {srv.log_path}"


def test_start_fails_clearly_on_a_bad_token_file(start_server, tmp_path):
    missing = tmp_path / "missing-tokens"
    srv = start_server("auth-missing", args=["--auth-tokens", str(missing)], start=False)
    with pytest.raises(ServerError) as failed:
        srv.start(timeout=15, attempts=1)
    assert "token file" in str(failed.value) and str(missing) in str(failed.value)

    invalid = tmp_path / "invalid-tokens"
    write_tokens(invalid, "good-token", "bad token with spaces")
    srv = start_server("auth-invalid", args=["--auth-tokens", str(invalid)], start=False)
    with pytest.raises(ServerError) as failed:
        srv.start(timeout=15, attempts=1)
    assert "line 2" in str(failed.value) and "bad token" not in str(failed.value)


def test_auth_is_off_by_default(start_server):
    srv = start_server("noauth")
    assert request(srv.port, "GET", P + "/registered_models").status == 200
    assert request(srv.port, "GET", P + "/registered_models", headers=bearer("anything")).status == 200


def test_upstream_python_client_user_token(authed):
    from model_registry import ModelRegistry
    from model_registry.exceptions import StoreError  # noqa: F401  (imported to match upstream usage)

    srv = authed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = ModelRegistry("http://127.0.0.1", srv.port, author="auth-test", is_secure=False, user_token=TOKEN_A)
    model = client.register_model("auth-model", "s3://bucket/auth-model", model_format_name="onnx",
                                  model_format_version="1", version="v1", version_description="via user_token")
    assert model.name == "auth-model"
    assert client.get_model_version("auth-model", "v1").name == "v1"
    assert client.get_model_artifact("auth-model", "v1").uri == "s3://bucket/auth-model"
    # the other token works too; no token or a wrong one does not
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        other = ModelRegistry("http://127.0.0.1", srv.port, author="auth-test", is_secure=False, user_token=TOKEN_B)
        assert other.get_registered_model("auth-model").id == model.id
        for token in (None, "wrong-token"):
            with pytest.raises(Exception) as refused:
                ModelRegistry("http://127.0.0.1", srv.port, author="auth-test", is_secure=False, user_token=token)
            assert "401" in str(refused.value) or "Unauthorized" in str(refused.value), refused.value
    listed = request(srv.port, "GET", P + "/registered_models", headers=bearer(TOKEN_A)).json()["items"]
    assert [m["name"] for m in listed] == ["auth-model"]
    assert json.loads(request(srv.port, "GET", P + f"/registered_models/{model.id}/versions",
                              headers=bearer(TOKEN_A)).body)["size"] == 1
