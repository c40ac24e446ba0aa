"""Bad input through nginx: every hostile or broken request gets a clear 4xx in the API's
Error shape, the server keeps serving (no worker dies), and nothing is written."""

from __future__ import annotations

import json
import re
import urllib.parse

import pytest

from .support import P, Raw, assert_error_shape, raw_exchange, request, table_counts

VALID_MODEL = {"name": "bad-input-model", "description": "d", "customProperties": {
    "k": {"metadataType": "MetadataStringValue", "string_value": "v"}}}


def malformed_json() -> list[bytes]:
    return [
        b"", b"{", b"}", b"[", b"{\"name\":", b"{\"name\": \"x\",}", b"{\"name\": \"x\"} trailing",
        b"{\"name\":\"x\"}{\"name\":\"y\"}", b"nul", b"nulll", b"\"just a string\"", b"123", b"null", b"[]",
        b"true", b"{\"name\": 1}", b"{\"name\": null}", b"{\"name\": [\"x\"]}", b"{\"name\": {}}",
        b"{\"name\": \"x\", \"name\": \"y\"}", b"{'name': 'x'}", b"{name: \"x\"}", b"{\"name\": \"x\" \"description\": \"y\"}",
        b"{\"name\": \"x\", \"unknownField\": 1}", b"{\"name\": \"x\", \"state\": \"DELETED\"}",
        b"{\"name\": \"x\", \"customProperties\": {\"k\": {\"metadataType\": \"MetadataIntValue\", \"int_value\": \"1.5\"}}}",
        b"{\"name\": \"x\", \"customProperties\": {\"k\": {\"metadataType\": \"NoSuchType\"}}}",
        b"{\"name\": \"x\", \"customProperties\": {\"k\": {\"metadataType\": \"MetadataStructValue\", \"struct_value\": \"!!notbase64\"}}}",
        b"{\"name\": \"x\", \"customProperties\": []}",
        b"{\"name\": \"\\x41\"}", b"{\"name\": \"x\"\x00}", b"\xef\xbb\xbf{\"name\": \"bom\"}",
        b"{\"name\": 1e999}", b"{\"name\": \"x\", \"externalId\": 123456789012345678901234567890}",
        b"\x1f\x8b\x08\x00garbage", b"<xml/>", b"--boundary\r\nContent-Disposition: form-data\r\n",
    ]


def truncated_bodies() -> list[bytes]:
    full = json.dumps(VALID_MODEL).encode()
    return [full[:n] for n in range(1, len(full))]


def deep_bodies() -> list[bytes]:
    n = 100_000
    return [
        b"[" * n + b"]" * n,
        b"[" * n,
        b"{\"a\":" * n + b"1" + b"}" * n,
        b"{\"name\": \"deep\", \"customProperties\": " + b"{\"a\":" * n + b"{}" + b"}" * n + b"}",
        b"{\"name\": \"deep\", \"description\": " + b"[" * n + b"]" * n + b"}",
    ]


def bad_text_bodies() -> list[bytes]:
    return [
        b"{\"name\": \"\xff\xfe\"}",                 # invalid UTF-8
        b"{\"name\": \"\xc0\xaf\"}",                 # overlong encoding
        b"{\"name\": \"\xed\xa0\x80\"}",             # UTF-8-encoded surrogate
        b"{\"name\": \"a\xe2\x82\"}",                # truncated sequence
        b"{\"name\": \"\\ud800\"}",                  # lone surrogate escape
        b"{\"name\": \"\\udc00x\"}",
        b"{\"name\": \"a\x00b\"}",                   # raw NUL
        b"{\"name\": \"a\\u0000b\"}",                # escaped NUL
        b"{\"name\": \"x\", \"description\": \"a\\u0000\"}",
        b"{\"name\": \"x\", \"customProperties\": {\"a\\u0000b\": {\"metadataType\": \"MetadataStringValue\", \"string_value\": \"v\"}}}",
        b"{\"name\": \"tab\tin\"}",                   # raw control character
        b"{\"name\": \"" + b"a" * 256 + b"\"}",       # longer than the 255-character column
        ("{\"name\": \"" + "\u00e9" * 256 + "\"}").encode(),
        ("{\"name\": \"" + "\U0001F600" * 256 + "\"}").encode(),
        b"{\"name\": \"x\", \"externalId\": \"" + b"e" * 256 + b"\"}",
        b"{\"name\": \"\"}",
    ]


def patch_bodies() -> list[bytes]:
    return [b"{", b"[]", b"{\"state\": \"NOPE\"}", b"{\"name\": \"renamed\"}", b"{\"id\": \"1\"}",
            b"{\"customProperties\": {\"k\": {\"metadataType\": \"MetadataIntValue\", \"int_value\": \"x\"}}}",
            b"{\"description\": \"\xff\"}", b"[" * 100_000]


HOSTILE_FILTERS = [
    "name = 'x' OR 1=1 --", "name = 'x'; DROP TABLE Context; --", "name = \"x\"; DELETE FROM Context",
    "name = 'a' UNION SELECT name FROM sqlite_master", "name = 'x' /* comment */", "/* c */ name = 'x'",
    "name = 'x' -- tail", "name = 'it''s'", "name = \"\\\"\"", "name = '", "name = \"", "name ==== 'x'",
    "name = 'x') OR (1=1", "((((((((((((((((((((((((((((((((((((name = 'x'))))))))))))))))))))))))))))))))))",
    "(" * 5000 + "name = 'x'" + ")" * 5000, "name = '" + "x" * 20000 + "'",
    " AND ".join(["name = 'x'"] * 500), "id = 99999999999999999999999", "id = -1e999",
    "name = '\u0000'", "name\u0000 = 'x'", "n\u00e4me = 'x'", "name = '\U0001F600'", "name = '\ufffd\u202e'",
    "sqlite_master.name = 'x'", "name = 'x' AND customProperties.\"k'--\".string_value = 'v'",
    "`name` = 'x'", "name IN (SELECT name FROM Context)", "name = x'41'", "name = ?", "name = :a",
    "name LIKE '%' ESCAPE '\\'", "CAST(name AS INTEGER) = 1",
]


# an artifact's name is optional and DELETED is one of its states
VALID_FOR_ARTIFACTS = {b"{\"name\": null}", b"{\"name\": \"\"}", b"{\"name\": \"x\", \"state\": \"DELETED\"}"}


def expect_clean_4xx(resp: Raw, what: str, allowed: tuple[int, ...] = ()) -> None:
    assert 400 <= resp.status < 500 or resp.status in allowed, f"{what}: expected a 4xx, got {resp}"
    if resp.status >= 400:
        assert_error_shape(resp)


@pytest.fixture
def srv(start_server):
    srv = start_server("badinput", workers=2)
    model = json.loads(request(srv.port, "POST", P + "/registered_models", json.dumps(VALID_MODEL).encode()).body)
    version = json.loads(request(srv.port, "POST", P + "/model_versions", json.dumps(
        {"name": "v1", "registeredModelId": model["id"]}).encode()).body)
    srv.model_id, srv.version_id = model["id"], version["id"]
    return srv


def still_serving(srv) -> None:
    resp = request(srv.port, "GET", P + "/registered_models?pageSize=1")
    assert resp.status == 200, f"the server stopped serving: {resp}"


def test_bad_bodies_are_refused_and_nothing_is_written(srv):
    before = table_counts(srv.db_path)
    workers_before = set(srv.workers_pids())
    cases: list[tuple[str, str, bytes]] = []
    for body in malformed_json() + truncated_bodies() + deep_bodies() + bad_text_bodies():
        cases.append(("POST", "/registered_models", body))
        cases.append(("POST", "/model_versions", body.replace(b"\"name\"", b"\"registeredModelId\": \"%s\", \"name\"" % srv.model_id.encode(), 1)))
        if body not in VALID_FOR_ARTIFACTS:
            cases.append(("POST", f"/model_versions/{srv.version_id}/artifacts",
                          body.replace(b"{", b"{\"artifactType\": \"model-artifact\", ", 1) if body.startswith(b"{\"") else body))
    for body in patch_bodies():
        cases.append(("PATCH", f"/registered_models/{srv.model_id}", body))
        cases.append(("PATCH", f"/model_versions/{srv.version_id}", body))
    failures = []
    for method, path, body in cases:
        if method == "PATCH" and body in (b"{\"name\": \"renamed\"}", b"{\"id\": \"1\"}"):
            continue  # not bad input: read-only fields are ignored on PATCH (as upstream)
        resp = request(srv.port, method, P + path, body, {"Content-Type": "application/json"})
        try:
            expect_clean_4xx(resp, f"{method} {path} {body[:120]!r}")
        except AssertionError as e:
            failures.append(str(e)[:400])
    assert not failures, f"{len(failures)} of {len(cases)} bad bodies were not refused cleanly:\n" + "\n".join(failures[:30])
    still_serving(srv)
    after = table_counts(srv.db_path)
    assert after == before, f"bad input wrote rows: {before} -> {after}"
    assert set(srv.workers_pids()) == workers_before, "a worker died"
    assert "died unexpectedly" not in srv.log_text(max_lines=10_000)
    print(f"\nbad bodies: {len(cases)} requests, all refused with a 4xx in the Error shape")


def test_bodies_over_the_limit_get_a_json_413(srv):
    before = table_counts(srv.db_path)
    limit = 16 * 1024 * 1024
    head = (f"POST {P}/registered_models HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {limit + 1}\r\nConnection: close\r\n\r\n").encode()
    resp = raw_exchange(srv.port, head + b"{\"name\": \"" + b"a" * 1000)
    body = assert_error_shape(resp, 413)
    assert str(limit) in body["message"]
    # chunked, no length given: nginx counts while reading
    chunk = b"x" * (1024 * 1024)
    chunked = (f"POST {P}/registered_models HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               f"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    payload = chunked + b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(17)) + b"0\r\n\r\n"
    try:
        resp = raw_exchange(srv.port, payload, timeout=30)
    except (BrokenPipeError, ConnectionResetError):
        pytest.fail("nginx reset the connection instead of answering 413")
    assert_error_shape(resp, 413)
    # exactly at the limit is accepted by nginx and refused by the registry as bad JSON
    resp = request(srv.port, "POST", P + "/registered_models", b" " * (limit - 2) + b"{}",
                   {"Content-Type": "application/json"})
    assert_error_shape(resp, range(400, 500))
    assert resp.status != 413
    still_serving(srv)
    assert table_counts(srv.db_path) == before


def test_overflowing_ids_and_page_parameters(srv):
    before = table_counts(srv.db_path)
    big = "99999999999999999999999"
    paths = [
        f"/registered_models/{big}", "/registered_models/-1", "/registered_models/0", "/registered_models/1e3",
        "/registered_models/0x10", "/registered_models/2147483648", "/registered_models/9223372036854775808",
        "/registered_models/%201", "/registered_models/1%20", "/registered_models/abc", "/registered_models/%00",
        f"/model_versions/{big}/artifacts", f"/registered_models/{big}/versions",
        f"/registered_models?pageSize={big}", "/registered_models?pageSize=abc", "/registered_models?pageSize=1e3",
        "/registered_models?pageSize=9223372036854775808", "/registered_models?pageSize=%00",
        "/registered_models?nextPageToken=!!!", "/registered_models?nextPageToken=" + "A" * 5000,
        "/registered_models?nextPageToken=bm90IGEgdG9rZW4=", "/registered_models?orderBy=NOPE",
        "/registered_models?sortOrder=SIDEWAYS", "/registered_models?orderBy=name%3B%20DROP%20TABLE%20Context",
        f"/model_versions?filterQuery=id%20%3D%20{big}",
    ]
    for path in paths:
        # the API orders by the default for unknown orderBy / sortOrder values: 200 is fine
        lenient = (200,) if "orderBy=" in path or "sortOrder=" in path else ()
        expect_clean_4xx(request(srv.port, "GET", P + path), f"GET {path}", allowed=lenient)
    for path in [f"/registered_models/{big}", "/registered_models/-1", "/registered_models/abc"]:
        expect_clean_4xx(request(srv.port, "PATCH", P + path, b"{\"description\": \"x\"}",
                                 {"Content-Type": "application/json"}), f"PATCH {path}")
    for ref in [big, "-1", "0", "abc", "1.5", ""]:
        body = json.dumps({"name": "overflow", "registeredModelId": ref}).encode()
        expect_clean_4xx(request(srv.port, "POST", P + "/model_versions", body,
                                 {"Content-Type": "application/json"}), f"registeredModelId {ref!r}")
    # a page size that overflows must never be taken as "everything"
    for size in [big, "-9223372036854775809", "4294967297"]:
        resp = request(srv.port, "GET", P + f"/registered_models?pageSize={size}")
        expect_clean_4xx(resp, f"pageSize={size}")
    still_serving(srv)
    assert table_counts(srv.db_path) == before


def test_hostile_filter_queries_leak_nothing(srv):
    before = table_counts(srv.db_path)
    for endpoint in ["/registered_models", "/model_versions", f"/registered_models/{srv.model_id}/versions",
                     "/model_artifacts", "/experiments"]:
        for query in HOSTILE_FILTERS:
            path = P + endpoint + "?" + urllib.parse.urlencode({"filterQuery": query})
            resp = request(srv.port, "GET", path)
            what = f"GET {endpoint} filterQuery={query[:80]!r}"
            if resp.status == 200:
                items = resp.json()["items"]
                # the only model is "bad-input-model": no filter above may select it
                assert items == [], f"{what}: returned rows {items[:2]}"
            else:
                expect_clean_4xx(resp, what)
    still_serving(srv)
    assert table_counts(srv.db_path) == before


PATH_TRICKS = [
    # (raw request target, canonical path it may legitimately normalise to, or None)
    ("/api/../../etc/passwd", None),
    ("/api/model_registry/v1alpha3/../../../../etc/passwd", None),
    ("/api/model_registry/v1alpha3/registered_models/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", None),
    ("/api/model_registry/v1alpha3/registered_models/..%2f..%2f..%2f..%2fetc%2fpasswd", None),
    ("/api/model_registry/v1alpha3/registered_models/%2e%2e%2f%2e%2e%2fexperiments", "/api/model_registry/v1alpha3/experiments"),
    ("/api/model_registry/v1alpha3/registered_models/../experiments", "/api/model_registry/v1alpha3/experiments"),
    ("/api/model_registry/v1alpha3/./registered_models", "/api/model_registry/v1alpha3/registered_models"),
    ("//api//model_registry//v1alpha3//registered_models", "/api/model_registry/v1alpha3/registered_models"),
    ("/api/model_registry/v1alpha3/registered_models/", None),
    ("/api/model_registry/v1alpha3/registered_models//", None),
    ("/api/model_registry/v1alpha3/registered_models/1/", None),
    ("/api/model_registry/v1alpha3/registered_models%2f1", "/api/model_registry/v1alpha3/registered_models/1"),
    ("/api/model_registry/v1alpha3/registered_models%00", None),
    ("/api/model_registry/v1alpha3/registered_models/%ff%fe", None),
    ("/api/model_registry/v1alpha3/registered_models/%", None),
    ("/api/model_registry/v1alpha3/registered_models/%zz", None),
    ("/api/model_registry/v1alpha3/registered_models\\..\\..\\etc", None),
    ("/API/MODEL_REGISTRY/V1ALPHA3/registered_models", None),
    ("/api/model_registry/v1alpha2/registered_models", None),
    ("/api/model_registry/v1alpha3", None),
    ("/api/model_registry/", None),
    ("/", None),
    ("/_model_registry_error/400", None),
    ("/api/model_registry/v1alpha3/registered_models;jsessionid=1", None),
    ("/api/model_registry/v1alpha3/registered_models/" + "a" * 5000, None),
    ("http://evil.example/api/model_registry/v1alpha3/registered_models", "/api/model_registry/v1alpha3/registered_models"),
    ("*", None),
]


def test_path_tricks(srv):
    before = table_counts(srv.db_path)
    for target, canonical in PATH_TRICKS:
        # a target nginx normalises to a real route is that route: only GET it
        for method in ("GET",) if canonical else ("GET", "POST"):
            body = json.dumps({"name": "trick"}).encode() if method == "POST" else b""
            data = (f"{method} ".encode() + target.encode("latin-1") + b" HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode()
                    + b"\r\nConnection: close\r\n\r\n" + body)
            resp = raw_exchange(srv.port, data)
            what = f"{method} {target[:100]}"
            if 200 <= resp.status < 300:
                assert canonical is not None, f"{what}: answered {resp}"
                assert method == "GET", f"{what}: a path trick wrote something: {resp}"
                same = request(srv.port, "GET", canonical)
                assert (resp.status, resp.body) == (same.status, same.body), f"{what}: {resp} != {same}"
            else:
                expect_clean_4xx(resp, what)
    still_serving(srv)
    assert table_counts(srv.db_path) == before


def test_unknown_and_unsupported_methods(srv):
    before = table_counts(srv.db_path)
    targets = [P + "/registered_models", P + f"/registered_models/{srv.model_id}", P + f"/model_versions/{srv.version_id}"]
    for target in targets:
        for method in ["DELETE", "PUT", "FOO", "PROPFIND", "OPTIONS", "TRACE", "PATCHX", "M-SEARCH", "LINK"]:
            resp = request(srv.port, method, target, b"{}", {"Content-Type": "application/json"})
            expect_clean_4xx(resp, f"{method} {target}")
            if resp.status == 405 and method != "TRACE":
                assert "allow" in resp.headers, f"{method} {target}: 405 without Allow: {resp}"
    for target in [P + "/registered_models"]:
        for raw_method in [b"get", b"G\x00ET", b"GET\tX", b"CONNECT", b"\xffGET", b"A" * 200]:
            resp = raw_exchange(srv.port, raw_method + b" " + target.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            expect_clean_4xx(resp, f"{raw_method[:20]!r} {target}")
    for line in [b"GET / HTTP/2.0", b"GET " + P.encode() + b"/registered_models HTTP/1.1\r\nHost: a\r\nHost: b",
                 b"GET " + P.encode() + b"/registered_models HTTP/1.1\r\nX: " + b"a" * 20_000,
                 b"POST " + P.encode() + b"/registered_models HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6",
                 b"POST " + P.encode() + b"/registered_models HTTP/1.1\r\nHost: x\r\nContent-Length: -1",
                 b"POST " + P.encode() + b"/registered_models HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked"]:
        resp = raw_exchange(srv.port, line + b"\r\nConnection: close\r\n\r\n")
        assert 400 <= resp.status < 600 and resp.status not in (500, 502, 503, 504), f"{line[:60]!r}: {resp}"
        assert_error_shape(resp)
    still_serving(srv)
    assert table_counts(srv.db_path) == before
    assert not re.search("died unexpectedly", srv.log_text(max_lines=10_000))
