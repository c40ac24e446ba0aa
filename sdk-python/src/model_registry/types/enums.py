"""The REST API's enumerations, with the upstream client's names and values."""

from __future__ import annotations

from enum import Enum


class RegisteredModelState(str, Enum):
    LIVE = "LIVE"
    ARCHIVED = "ARCHIVED"


class ModelVersionState(str, Enum):
    LIVE = "LIVE"
    ARCHIVED = "ARCHIVED"


class ArtifactState(str, Enum):
    UNKNOWN = "UNKNOWN"
    PENDING = "PENDING"
    LIVE = "LIVE"
    MARKED_FOR_DELETION = "MARKED_FOR_DELETION"
    DELETED = "DELETED"
    ABANDONED = "ABANDONED"
    REFERENCE = "REFERENCE"


class ExperimentState(str, Enum):
    LIVE = "LIVE"
    ARCHIVED = "ARCHIVED"


class ExperimentRunState(str, Enum):
    LIVE = "LIVE"
    ARCHIVED = "ARCHIVED"


class ExperimentRunStatus(str, Enum):
    RUNNING = "RUNNING"
    SCHEDULED = "SCHEDULED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"


class ParameterType(str, Enum):
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    OBJECT = "object"


class OrderByField(str, Enum):
    CREATE_TIME = "CREATE_TIME"
    LAST_UPDATE_TIME = "LAST_UPDATE_TIME"
    ID = "ID"


class SortOrder(str, Enum):
    ASC = "ASC"
    DESC = "DESC"


class ArtifactTypeQueryParam(str, Enum):
    MODEL_MINUS_ARTIFACT = "model-artifact"
    DOC_MINUS_ARTIFACT = "doc-artifact"
    DATASET_MINUS_ARTIFACT = "dataset-artifact"
    METRIC = "metric"
    PARAMETER = "parameter"
