"""A thin `requests` wrapper over one API prefix, with assertions that print the response."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import requests


def describe(resp: requests.Response) -> str:
    body = resp.text
    if len(body) > 2000:
        body = body[:2000] + f"... ({len(resp.text)} chars)"
    return (
        f"{resp.request.method} {resp.request.url}"
        + (f"\nrequest body: {resp.request.body!r}" if resp.request.body else "")
        + f"\n-> {resp.status_code} {resp.headers.get('Content-Type')!r}\n{body}"
    )


def is_json_content_type(resp: requests.Response) -> bool:
    ctype = resp.headers.get("Content-Type", "")
    return ctype.split(";")[0].strip().lower() == "application/json"


def expect(resp: requests.Response, status: int) -> Any:
    """Assert the status and a JSON body with an application/json content type; return it."""
    assert resp.status_code == status, f"expected {status}:\n{describe(resp)}"
    assert is_json_content_type(resp), f"expected Content-Type application/json:\n{describe(resp)}"
    try:
        return resp.json()
    except ValueError:
        raise AssertionError(f"body is not JSON:\n{describe(resp)}") from None


def expect_error(resp: requests.Response, status: int, code: str, *mentions: str) -> dict:
    """Assert an upstream-shaped error: HTTP `status`, JSON {"code": code, "message": str}
    whose message contains each of `mentions`."""
    body = expect(resp, status)
    assert isinstance(body, dict), describe(resp)
    assert body.get("code") == code, f"expected code {code!r}:\n{describe(resp)}"
    assert isinstance(body.get("message"), str) and body["message"], describe(resp)
    for m in mentions:
        assert m in body["message"], f"message should mention {m!r}:\n{describe(resp)}"
    return body


def expect_4xx(resp: requests.Response) -> None:
    assert 400 <= resp.status_code < 500, f"expected a 4xx:\n{describe(resp)}"


# -- MetadataValue builders ----------------------------------------------------------------
def mv_int(v: int) -> dict:
    return {"metadataType": "MetadataIntValue", "int_value": str(v)}


def mv_double(v: float) -> dict:
    return {"metadataType": "MetadataDoubleValue", "double_value": v}


def mv_string(v: str) -> dict:
    return {"metadataType": "MetadataStringValue", "string_value": v}


def mv_bool(v: bool) -> dict:
    return {"metadataType": "MetadataBoolValue", "bool_value": v}


def mv_struct(obj: dict) -> dict:
    """Input form of a struct value: base64 of the JSON object."""
    raw = json.dumps(obj).encode()
    return {"metadataType": "MetadataStructValue", "struct_value": base64.b64encode(raw).decode()}


def decode_struct_output(value: str) -> Any:
    """Struct output is raw JSON text (upstream HEAD) or base64(JSON) (MLMD-era upstream);
    both are accepted (upstream-semantics.md §0.6, §19)."""
    try:
        return json.loads(value)
    except ValueError:
        return json.loads(base64.b64decode(value, validate=True))


def now_ms() -> int:
    return int(time.time() * 1000)


class Api:
    """Requests against `<base_url><prefix>`."""

    def __init__(self, base_url: str, prefix: str, session: requests.Session | None = None):
        self.base_url = base_url
        self.prefix = prefix
        self.root = base_url + prefix
        self.s = session or requests.Session()
        self.s.trust_env = False

    def __repr__(self) -> str:
        return f"Api({self.root})"

    def url(self, path: str) -> str:
        return self.root + path

    def get(self, path: str, params: dict | None = None, **kw) -> requests.Response:
        return self.s.get(self.url(path), params=params, timeout=30, **kw)

    def post(self, path: str, body: Any = None, *, data: str | bytes | None = None) -> requests.Response:
        if data is not None:
            return self.s.post(self.url(path), data=data, timeout=30,
                               headers={"Content-Type": "application/json"})
        return self.s.post(self.url(path), json=body, timeout=30)

    def patch(self, path: str, body: Any = None, *, data: str | bytes | None = None) -> requests.Response:
        if data is not None:
            return self.s.patch(self.url(path), data=data, timeout=30,
                                headers={"Content-Type": "application/json"})
        return self.s.patch(self.url(path), json=body, timeout=30)

    # -- convenience creators (assert the documented 201) ------------------------------------
    def create_rm(self, name: str, **fields) -> dict:
        return expect(self.post("/registered_models", {"name": name, **fields}), 201)

    def create_mv(self, rm_id: str, name: str, **fields) -> dict:
        body = {"name": name, "registeredModelId": rm_id, **fields}
        return expect(self.post("/model_versions", body), 201)

    def create_artifact(self, mv_id: str, name: str, artifact_type: str = "model-artifact",
                        **fields) -> dict:
        body = {"artifactType": artifact_type, "name": name, **fields}
        return expect(self.post(f"/model_versions/{mv_id}/artifacts", body), 201)

    def list_all(self, path: str, page_size: int, params: dict | None = None,
                 max_pages: int = 100) -> tuple[list[dict], list[str]]:
        """Follow nextPageToken to the end; return (items, tokens seen after each page)."""
        items, tokens, token = [], [], None
        for _ in range(max_pages):
            q = dict(params or {}, pageSize=str(page_size))
            if token:
                q["nextPageToken"] = token
            page = expect(self.get(path, q), 200)
            items.extend(page["items"])
            token = page["nextPageToken"]
            tokens.append(token)
            if token == "":
                return items, tokens
        raise AssertionError(f"{path}: no end of list after {max_pages} pages (tokens {tokens[:5]}...)")
