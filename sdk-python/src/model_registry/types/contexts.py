"""Registered models and their versions."""

from __future__ import annotations

from typing import ClassVar

from .base import BaseResourceModel
from .enums import ModelVersionState, RegisteredModelState


class ModelVersion(BaseResourceModel):
    """A version of a registered model.

    Attributes:
        name: Name of this version.
        author: Author of this model version.
        state: Status of this model version.
        registered_model_id: ID of the registered model it belongs to.
    """

    name: str
    author: str | None = None
    state: ModelVersionState = ModelVersionState.LIVE
    registered_model_id: str | None = None

    _json_keys: ClassVar[dict[str, str]] = {
        **BaseResourceModel._json_keys,
        "name": "name",
        "author": "author",
        "state": "state",
        "registered_model_id": "registeredModelId",
    }
    _create_fields: ClassVar[tuple[str, ...]] = (
        "name", "author", "state", "description", "external_id", "registered_model_id")
    _update_fields: ClassVar[tuple[str, ...]] = ("author", "state", "description", "external_id")


class RegisteredModel(BaseResourceModel):
    """A registered model.

    Attributes:
        name: Registered model name.
        owner: Owner of this registered model.
        state: Status of this registered model.
    """

    name: str
    owner: str | None = None
    state: RegisteredModelState = RegisteredModelState.LIVE

    _json_keys: ClassVar[dict[str, str]] = {
        **BaseResourceModel._json_keys,
        "name": "name",
        "owner": "owner",
        "state": "state",
    }
    _create_fields: ClassVar[tuple[str, ...]] = ("name", "owner", "state", "description", "external_id")
    _update_fields: ClassVar[tuple[str, ...]] = ("owner", "state", "description", "external_id")
