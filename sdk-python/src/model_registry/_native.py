"""ctypes binding of libmodelregistry (include/modelregistry.h in the repository).

Every registry call of this package ends in `Connection.request`, i.e. `mr_request`: the
library either runs the registry in this process on an SQLite file or sends the request to a
server. ctypes releases the GIL during the call, so threads sharing a connection run in
parallel (a remote handle keeps a pool of keep-alive connections).
"""

from __future__ import annotations

import ctypes
import json
import sys
import threading
from pathlib import Path
from typing import Any

from .exceptions import RegistryConnectionError, RegistryTimeoutError, StoreError

MR_OK, MR_ERROR, MR_MISUSE, MR_NOMEM, MR_CANTOPEN, MR_IO, MR_TIMEOUT = range(7)

_LIBRARY_NAME = "libmodelregistry.dylib" if sys.platform == "darwin" else "libmodelregistry.so"
_lock = threading.Lock()
_library: ctypes.CDLL | None = None


def library_path() -> Path:
    """The bundled library; in a source checkout without a build, the SwiftPM build output."""
    here = Path(__file__).resolve().parent
    bundled = here / "_lib" / _LIBRARY_NAME
    if bundled.is_file():
        return bundled
    # An editable install or PYTHONPATH=sdk-python/src: use the repository's own build.
    repo = here.parents[2]
    for build in ("release", "debug"):
        candidate = repo / ".build" / build / _LIBRARY_NAME
        if candidate.is_file():
            return candidate
    msg = (
        f"{_LIBRARY_NAME} is not bundled in {here / '_lib'}: install the package with "
        "`pip install ./sdk-python`, which builds it"
    )
    raise StoreError(msg)


def library() -> ctypes.CDLL:
    """Loads the library once and declares the C signatures."""
    global _library
    with _lock:
        if _library is None:
            lib = ctypes.CDLL(str(library_path()))
            handle_p = ctypes.c_void_p
            lib.mr_version.restype = ctypes.c_char_p
            lib.mr_version.argtypes = []
            lib.mr_errstr.restype = ctypes.c_char_p
            lib.mr_errstr.argtypes = [ctypes.c_int]
            lib.mr_open.restype = ctypes.c_int
            lib.mr_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(handle_p)]
            lib.mr_request.restype = ctypes.c_int
            lib.mr_request.argtypes = [
                handle_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                ctypes.c_char_p, ctypes.c_size_t,
                ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t),
            ]
            lib.mr_register_model.restype = ctypes.c_int
            lib.mr_register_model.argtypes = [
                handle_p, ctypes.c_char_p, ctypes.c_size_t,
                ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t),
            ]
            lib.mr_errmsg.restype = ctypes.c_char_p
            lib.mr_errmsg.argtypes = [handle_p]
            lib.mr_free.restype = None
            lib.mr_free.argtypes = [ctypes.c_void_p]
            lib.mr_close.restype = ctypes.c_int
            lib.mr_close.argtypes = [handle_p]
            _library = lib
        return _library


def version() -> str:
    return library().mr_version().decode()


class Connection:
    """One `mr_handle`: an embedded store or a server. Safe to share between threads."""

    def __init__(self, uri: str, options: dict[str, Any] | None = None) -> None:
        self._lib = library()
        handle = ctypes.c_void_p()
        encoded = json.dumps({k: v for k, v in (options or {}).items() if v is not None}).encode()
        rc = self._lib.mr_open(uri.encode(), encoded, ctypes.byref(handle))
        if rc != MR_OK:
            message = self._lib.mr_errmsg(handle).decode("utf-8", "replace")
            self._lib.mr_close(handle)
            if rc == MR_NOMEM:
                raise MemoryError(message)
            if rc == MR_MISUSE:
                raise ValueError(message)
            raise StoreError(message)
        self._handle: ctypes.c_void_p | None = handle
        self.uri = uri
        # The library's rule (RegistryLocation.swift): http(s) URLs are servers, the rest files.
        self.embedded = not uri.lower().startswith(("http://", "https://"))

    def request(self, method: str, path: str, query: str = "", body: bytes | None = None) -> tuple[int, bytes]:
        """Sends one request; returns the HTTP status and the response body."""
        return self._answer(lambda handle, status, out, length: self._lib.mr_request(
            handle, method.encode(), path.encode(), query.encode(), body, len(body) if body else 0,
            status, out, length))

    def register_model(self, body: bytes) -> tuple[int, bytes]:
        """`mr_register_model`: model, version and artifact in one transaction (embedded only)."""
        return self._answer(lambda handle, status, out, length: self._lib.mr_register_model(
            handle, body, len(body), status, out, length))

    def _answer(self, call: Any) -> tuple[int, bytes]:
        handle = self._handle
        if handle is None:
            msg = "the registry connection is closed"
            raise StoreError(msg)
        status = ctypes.c_int()
        out = ctypes.c_void_p()
        length = ctypes.c_size_t()
        rc = call(handle, ctypes.byref(status), ctypes.byref(out), ctypes.byref(length))
        if rc != MR_OK:
            # Per-thread message: safe to read after our own call even with other threads busy.
            raise _failure(rc, self._lib.mr_errmsg(handle).decode("utf-8", "replace"))
        try:
            data = ctypes.string_at(out.value, length.value) if out.value else b""
        finally:
            self._lib.mr_free(out)
        return status.value, data

    def close(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            self._lib.mr_close(handle)

    def __del__(self) -> None:
        # Interpreter shutdown may have torn down ctypes already; nothing to report then.
        try:
            self.close()
        except Exception:  # noqa: BLE001, S110
            pass


def _failure(rc: int, message: str) -> Exception:
    if rc == MR_IO:
        return RegistryConnectionError(message)
    if rc == MR_TIMEOUT:
        return RegistryTimeoutError(message)
    if rc == MR_NOMEM:
        return MemoryError(message)
    if rc == MR_MISUSE:
        return ValueError(message)
    return StoreError(message)
