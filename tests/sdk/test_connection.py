"""Constructor semantics: addresses, ports, tokens, TLS verification, errors, async runners."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import model_registry
from model_registry import ModelRegistry
from model_registry._client import is_embedded_address
from model_registry._native import version as library_version
from model_registry.exceptions import RegistryConnectionError, StoreError

EMPTY_LIST = json.dumps({"items": [], "nextPageToken": "", "pageSize": 1, "size": 0}).encode()


class RecordingServer:
    """A loopback HTTP(S) server answering every GET with an empty list; records requests."""

    def __init__(self, tls: ssl.SSLContext | None = None):
        self.requests: list[tuple[str, dict[str, str]]] = []
        recorded = self.requests

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                recorded.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(EMPTY_LIST)))
                self.end_headers()
                self.wfile.write(EMPTY_LIST)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def plain_server():
    server = RecordingServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    directory = tmp_path_factory.mktemp("tls")
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def tls_server(certificate):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server = RecordingServer(context)
    yield server
    server.close()


def test_versions():
    assert library_version() == "0.1.0"
    assert model_registry.__version__.endswith("+swift." + library_version())


def test_ping_port_and_token(plain_server):
    mr = ModelRegistry(f"http://127.0.0.1:{plain_server.port}", author="a", user_token="tok")
    assert mr._api.connection.uri == f"http://127.0.0.1:{plain_server.port}"
    path, headers = plain_server.requests[0]
    assert path == "/api/model_registry/v1alpha3/registered_models?pageSize=1&sortOrder=ASC"
    assert headers["authorization"] == "Bearer tok"
    mr.close()

    with pytest.warns(UserWarning, match="User access token is missing"):
        mr = ModelRegistry("http://127.0.0.1", plain_server.port, author="a")
    assert "authorization" not in plain_server.requests[-1][1]
    mr.close()


def test_token_files(plain_server, tmp_path, monkeypatch):
    token_file = tmp_path / "token"
    token_file.write_text("from-file\n")
    monkeypatch.setenv("MY_TOKEN_PATH", str(token_file))
    ModelRegistry("http://127.0.0.1", plain_server.port, author="a", user_token_envvar="MY_TOKEN_PATH").close()
    assert plain_server.requests[-1][1]["authorization"] == "Bearer from-file"
    monkeypatch.setenv("KF_PIPELINES_SA_TOKEN_PATH", str(token_file))
    ModelRegistry("http://127.0.0.1", plain_server.port, author="a").close()
    assert plain_server.requests[-1][1]["authorization"] == "Bearer from-file"
    with pytest.raises(ValueError, match="no such env var"):
        ModelRegistry("http://127.0.0.1", plain_server.port, author="a", user_token_envvar="UNSET_VARIABLE")
    monkeypatch.setenv("KF_PIPELINES_SA_TOKEN_PATH", str(tmp_path / "missing"))
    with pytest.raises(StoreError, match="Unable read user token"):
        ModelRegistry("http://127.0.0.1", plain_server.port, author="a")


def test_secure_needs_a_token(monkeypatch):
    monkeypatch.delenv("KF_PIPELINES_SA_TOKEN_PATH", raising=False)
    with pytest.warns(UserWarning), pytest.raises(StoreError, match="user token must be provided"):
        ModelRegistry("https://127.0.0.1", author="a")


def test_tls_is_verified(tls_server, certificate, monkeypatch):
    with pytest.raises(RegistryConnectionError) as failure:
        ModelRegistry("https://127.0.0.1", tls_server.port, author="a", user_token="t")
    assert isinstance(failure.value, ConnectionError) and not isinstance(failure.value, StoreError)
    assert tls_server.requests == [], "nothing is sent to an unverified server"

    mr = ModelRegistry("https://127.0.0.1", tls_server.port, author="a", user_token="t",
                       custom_ca=str(certificate[0]))
    assert tls_server.requests[-1][1]["authorization"] == "Bearer t"
    mr.close()
    monkeypatch.setenv("MY_CA", str(certificate[0]))
    ModelRegistry(f"https://127.0.0.1:{tls_server.port}", author="a", user_token="t", custom_ca_envvar="MY_CA").close()
    # is_secure=False keeps TLS but skips verification, as upstream's insecure connection does.
    ModelRegistry("https://127.0.0.1", tls_server.port, author="a", user_token="t", is_secure=False).close()
    assert len(tls_server.requests) == 3


def test_unreachable_server(unused_port):
    with pytest.warns(UserWarning), pytest.raises(RegistryConnectionError, match=f"127.0.0.1:{unused_port}"):
        ModelRegistry("http://127.0.0.1", unused_port, author="a")


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_embedded_addresses(tmp_path, monkeypatch):
    assert is_embedded_address("sqlite:///x.db") and is_embedded_address("file:x")
    assert is_embedded_address("registry.db") and is_embedded_address("data/registry")
    assert not is_embedded_address("http://host") and not is_embedded_address("model-registry-service")
    monkeypatch.chdir(tmp_path)
    for address in ("plain.db", "./relative", f"{tmp_path}/absolute.sqlite", f"file:{tmp_path}/f.db",
                    f"sqlite:///{tmp_path}/s.db"):
        with ModelRegistry(address, author="a") as mr:
            mr.register_model("m", "s3://b/m", version="1", model_format_name="onnx", model_format_version="1")
    assert {p.name for p in tmp_path.iterdir()} >= {"plain.db", "relative", "absolute.sqlite", "f.db", "s.db"}
    with pytest.raises(StoreError, match="cannot open the registry store"):
        ModelRegistry(f"{tmp_path}/no/such/dir/r.db", author="a")


def test_closed_client(embedded_target):
    mr = embedded_target.client()
    mr.close()
    with pytest.raises(StoreError, match="closed"):
        mr.get_registered_model("m")


def test_async_runner(embedded_target):
    seen = []

    def runner(coro):
        seen.append(coro.__name__)
        return asyncio.run(coro)

    mr = embedded_target.client(async_runner=runner)
    mr.register_model("m", "s3://b/m", version="1", model_format_name="onnx", model_format_version="1")
    # Embedded, a registration is one coroutine (one transaction); remote, upstream's three.
    assert seen == ["get_registered_models", "register_model_atomically"]
    with pytest.raises(ValueError, match="async_runner"):
        embedded_target.client(async_runner=print)


def test_inside_a_running_event_loop(embedded_target):
    """A notebook cell runs in an event loop; calls still work without nest_asyncio."""

    async def cell():
        mr = embedded_target.client()
        mr.register_model("m", "s3://b/m", version="1", model_format_name="onnx", model_format_version="1")
        return mr.get_registered_model("m").name

    assert asyncio.run(cell()) == "m"
