"""Experiments and their runs."""

from __future__ import annotations

from typing import Any, ClassVar

from .base import BaseResourceModel
from .enums import ExperimentRunState, ExperimentRunStatus, ExperimentState


class Experiment(BaseResourceModel):
    """An experiment: a named group of runs.

    Attributes:
        name: Name of the experiment.
        owner: Owner of the experiment.
        state: State of the experiment.
    """

    name: str
    owner: str | None = None
    state: ExperimentState | None = None
    custom_properties: dict[str, Any] | None = None

    _json_keys: ClassVar[dict[str, str]] = {
        **BaseResourceModel._json_keys,
        "name": "name",
        "owner": "owner",
        "state": "state",
    }
    _create_fields: ClassVar[tuple[str, ...]] = ("name", "owner", "state", "description", "external_id")
    _update_fields: ClassVar[tuple[str, ...]] = ("owner", "state", "description", "external_id")


class ExperimentRun(BaseResourceModel):
    """One run of an experiment.

    Attributes:
        name: Name of the run.
        experiment_id: ID of the experiment it belongs to.
        owner: Owner of the run.
        state: State of the run.
        status: Execution status of the run.
        start_time_since_epoch: Start time, milliseconds since epoch.
        end_time_since_epoch: End time, milliseconds since epoch.
    """

    name: str
    experiment_id: str
    owner: str | None = None
    state: ExperimentRunState | None = None
    status: ExperimentRunStatus | None = None
    start_time_since_epoch: str | None = None
    end_time_since_epoch: str | None = None
    custom_properties: dict[str, Any] | None = None

    _json_keys: ClassVar[dict[str, str]] = {
        **BaseResourceModel._json_keys,
        "name": "name",
        "experiment_id": "experimentId",
        "owner": "owner",
        "state": "state",
        "status": "status",
        "start_time_since_epoch": "startTimeSinceEpoch",
        "end_time_since_epoch": "endTimeSinceEpoch",
    }
    _create_fields: ClassVar[tuple[str, ...]] = (
        "name", "experiment_id", "owner", "state", "status", "description", "external_id",
        "start_time_since_epoch", "end_time_since_epoch")
    _update_fields: ClassVar[tuple[str, ...]] = (
        "owner", "state", "status", "description", "external_id", "end_time_since_epoch")
