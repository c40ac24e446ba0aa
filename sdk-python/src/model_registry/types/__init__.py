"""Model registry types: Pythonic views of the REST resources."""

from .artifacts import (
    Artifact,
    DataSet,
    DocArtifact,
    ExperimentRunArtifact,
    ExperimentRunArtifactTypes,
    Metric,
    ModelArtifact,
    Parameter,
)
from .base import BaseResourceModel, SupportedTypes
from .contexts import ModelVersion, RegisteredModel
from .enums import (
    ArtifactState,
    ArtifactTypeQueryParam,
    ExperimentRunState,
    ExperimentRunStatus,
    ExperimentState,
    ModelVersionState,
    OrderByField,
    ParameterType,
    RegisteredModelState,
    SortOrder,
)
from .experiments import Experiment, ExperimentRun
from .options import ListOptions
from .pager import Pager

__all__ = [
    # Artifacts
    "Artifact",
    "ArtifactState",
    "DocArtifact",
    "DataSet",
    "Metric",
    "Parameter",
    "ParameterType",
    "ExperimentRunArtifact",
    "ExperimentRunArtifactTypes",
    "ModelArtifact",
    # Contexts
    "ModelVersion",
    "ModelVersionState",
    "RegisteredModel",
    "RegisteredModelState",
    # Experiments
    "Experiment",
    "ExperimentRun",
    "ExperimentState",
    "ExperimentRunState",
    "ExperimentRunStatus",
    # Base
    "BaseResourceModel",
    "SupportedTypes",
    # Options
    "ListOptions",
    "ArtifactTypeQueryParam",
    "OrderByField",
    "SortOrder",
    # Pager
    "Pager",
]
