"""Common base of the registry types, and the customProperties encoding."""

from __future__ import annotations

import base64
import json
from abc import ABC
from collections.abc import Mapping
from enum import Enum
from typing import Any, ClassVar, get_args

from pydantic import BaseModel, ConfigDict

SupportedTypes = bool | int | float | str


class BaseResourceModel(BaseModel, ABC):
    """Fields every registry resource has.

    Attributes:
        id: Object ID. Auto-assigned when put on the server.
        description: Description of the object.
        external_id: Customizable ID. Has to be unique among instances of the same type.
        create_time_since_epoch: Milliseconds since epoch when the object was created.
        last_update_time_since_epoch: Milliseconds since epoch of the last update.
        custom_properties: Additional metadata.
    """

    model_config = ConfigDict(protected_namespaces=())

    id: str | None = None
    description: str | None = None
    external_id: str | None = None
    create_time_since_epoch: str | None = None
    last_update_time_since_epoch: str | None = None
    custom_properties: Mapping[str, SupportedTypes] | None = None

    # Python attribute -> JSON key of every field the REST type has (besides customProperties).
    _json_keys: ClassVar[dict[str, str]] = {
        "id": "id",
        "description": "description",
        "external_id": "externalId",
        "create_time_since_epoch": "createTimeSinceEpoch",
        "last_update_time_since_epoch": "lastUpdateTimeSinceEpoch",
    }
    # The attributes a create / an update request may carry (the REST *Create / *Update schemas).
    _create_fields: ClassVar[tuple[str, ...]] = ()
    _update_fields: ClassVar[tuple[str, ...]] = ()
    # Fixed JSON members, e.g. the artifactType discriminator.
    _json_constants: ClassVar[dict[str, str]] = {}

    def create(self, **kwargs: Any) -> dict[str, Any]:
        """The JSON body creating this object."""
        return self._body(self._create_fields, kwargs)

    def update(self, **kwargs: Any) -> dict[str, Any]:
        """The JSON body updating this object (PATCH)."""
        return self._body(self._update_fields, kwargs)

    def wrap(self) -> dict[str, Any]:
        """The full JSON representation (every field that is set)."""
        return self._body(tuple(self._json_keys), {})

    @classmethod
    def from_basemodel(cls, source: Mapping[str, Any]) -> Any:
        """A new object from the registry's JSON representation."""
        values: dict[str, Any] = {}
        for attr, key in cls._json_keys.items():
            if source.get(key) is not None:
                values[attr] = source[key]
        props = source.get("customProperties")
        values["custom_properties"] = cls._unmap_custom_properties(props) if props else None
        return cls(**values)

    def _body(self, fields: tuple[str, ...], extra: Mapping[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = dict(self._json_constants)
        for attr in fields:
            value = getattr(self, attr)
            if value is not None:
                body[self._json_keys[attr]] = _plain(value)
        if props := self._map_custom_properties():
            body["customProperties"] = props
        for key, value in extra.items():
            if value is not None:
                body[key] = _plain(value)
        return body

    def _map_custom_properties(self) -> dict[str, Any] | None:
        """customProperties as MetadataValue JSON; None values are left out."""
        if not self.custom_properties:
            return None
        return {k: metadata_value(v) for k, v in self.custom_properties.items() if v is not None}

    @classmethod
    def _unmap_custom_properties(cls, custom_properties: Mapping[str, Any]) -> dict[str, SupportedTypes]:
        """Plain values of the scalar MetadataValues (struct values as their JSON text)."""
        out: dict[str, SupportedTypes] = {}
        for name, meta in custom_properties.items():
            value = plain_value(meta)
            if isinstance(value, get_args(SupportedTypes)):
                out[name] = value
        return out

    def __repr_str__(self, join_str: str) -> str:
        parts = [f"{a}={v!r}" if a else repr(v) for a, v in self.__repr_args__() if a != "name"]
        if "name" in type(self).model_fields:
            parts.insert(0, f"name={getattr(self, 'name')!r}")
        return join_str.join(parts)


def metadata_value(value: Any) -> dict[str, Any]:
    """One customProperties entry in the REST MetadataValue form."""
    if isinstance(value, bool):
        return {"bool_value": value, "metadataType": "MetadataBoolValue"}
    if isinstance(value, int):
        return {"int_value": str(value), "metadataType": "MetadataIntValue"}
    if isinstance(value, float):
        return {"double_value": value, "metadataType": "MetadataDoubleValue"}
    if isinstance(value, str):
        return {"string_value": value, "metadataType": "MetadataStringValue"}
    if isinstance(value, Mapping):
        encoded = base64.b64encode(json.dumps(value).encode()).decode()
        return {"struct_value": encoded, "metadataType": "MetadataStructValue"}
    msg = f"unsupported custom property type {type(value).__name__}: use bool, int, float, str or dict"
    raise TypeError(msg)


def plain_value(meta: Mapping[str, Any]) -> Any:
    """The Python value of a MetadataValue (None for kinds without one, e.g. proto)."""
    kind = str(meta.get("metadataType", ""))
    if kind == "MetadataIntValue":
        return int(meta["int_value"])
    if kind.startswith("Metadata") and kind.endswith("Value"):
        return meta.get(f"{kind[8:-5].lower()}_value")
    return None


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value
