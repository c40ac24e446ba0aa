"""Kubeflow Model Registry client over libmodelregistry: a server, or an embedded registry."""

__version__ = "0.3.14+swift.0.1.0"

from ._client import ModelRegistry

__all__ = [
    "ModelRegistry",
]
