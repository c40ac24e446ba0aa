"""Exceptions raised by the model registry client.

The first group has the names and meaning of the upstream client's `model_registry.exceptions`.
The second mirrors the HTTP exceptions of the upstream's generated `mr_openapi` package, which
upstream lets escape for any server answer its high-level methods do not handle: a status
code, the server's reason and its JSON error body (`{"code": ..., "message": ...}`).
"""

from __future__ import annotations

import json
from typing import Any


class StoreError(Exception):
    """Storage related error."""


class MissingMetadata(Exception):
    """Not enough metadata to complete operation."""


class UnsupportedType(StoreError):
    """Raised when an unsupported type is encountered."""


class TypeNotFound(StoreError):
    """Raised when a type cannot be found."""


class ServerError(StoreError):
    """Raised when the server returns a bad response."""


class DuplicateError(StoreError):
    """Raised when the user tries to put an object with a conflicting property."""


class ExperimentRunError(Exception):
    """Raised when an error occurs while working with an experiment run."""


class ExperimentRunStoreError(StoreError):
    """Raised when an error occurs while storing an experiment run."""


class OpenApiException(Exception):
    """Base of the HTTP-level exceptions."""


class ApiException(OpenApiException):
    """The registry answered with an error status.

    Attributes:
        status: HTTP status code.
        reason: the error body's `code` (the HTTP reason phrase).
        body: the response body as text.
        data: the parsed JSON error body, if it was JSON.
        message: the error body's `message`, the registry's explanation.
    """

    def __init__(self, status: int | None = None, reason: str | None = None, http_resp: Any = None, *,
                 body: str | None = None, data: Any | None = None) -> None:
        self.status = status
        self.reason = reason
        self.body = body
        self.data = data
        self.headers = None
        self.message = data.get("message") if isinstance(data, dict) else None
        super().__init__(self.__str__())

    @classmethod
    def from_response(cls, status: int, body: bytes) -> ApiException:
        """The exception for an error response, of the class its status selects."""
        text = body.decode("utf-8", "replace")
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        reason = data.get("code") if isinstance(data, dict) else None
        return _BY_STATUS.get(status, ServiceException if 500 <= status <= 599 else ApiException)(
            status, reason or _reason(status), body=text, data=data)

    def __str__(self) -> str:
        text = f"({self.status})\nReason: {self.reason}\n"
        if self.body:
            text += f"HTTP response body: {self.body.rstrip()}\n"
        return text


class BadRequestException(ApiException):
    """HTTP 400."""


class UnauthorizedException(ApiException):
    """HTTP 401."""


class ForbiddenException(ApiException):
    """HTTP 403."""


class NotFoundException(ApiException):
    """HTTP 404."""


class ConflictException(ApiException):
    """HTTP 409 Conflict."""


class UnprocessableEntityException(ApiException):
    """HTTP 422 Unprocessable Entity."""


class ServiceException(ApiException):
    """HTTP 5xx."""


class RegistryConnectionError(ConnectionError):
    """The registry server could not be reached (connection refused, TLS failure, ...).

    Like the upstream client's aiohttp connection errors, an `OSError` and not a `StoreError`.
    """


class RegistryTimeoutError(TimeoutError):
    """The registry server did not answer in time."""


_BY_STATUS: dict[int, type[ApiException]] = {
    400: BadRequestException,
    401: UnauthorizedException,
    403: ForbiddenException,
    404: NotFoundException,
    409: ConflictException,
    422: UnprocessableEntityException,
}


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
