"""The context manager of an experiment run: logs locally, sends on exit."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

from .core import ModelRegistryAPIClient
from .exceptions import StoreError
from .types.artifacts import (
    ArtifactState,
    DataSet,
    ExperimentRunArtifact,
    ExperimentRunArtifactTypes,
    Metric,
    Parameter,
    ParameterType,
)
from .types.experiments import ExperimentRun
from .utils import S3Params, ThreadSafeVariable, upload_to_s3

LogType = Literal["params", "metrics", "datasets"]


@dataclass
class RunContext:
    """The calling thread's active run: its experiment and run IDs."""

    id: str | None = None
    name: str | None = None
    run_id: str | None = None
    active: bool = False


@dataclass
class RunInfo:
    experiment_id: str
    id: str
    name: str


class ActiveExperimentRun(AbstractContextManager):
    """A started run. `log_*` record values (the last one per key wins); leaving the `with`
    block sends them to the registry and restores the thread's previous run context."""

    def __init__(self, thread_safe_ctx: ThreadSafeVariable, experiment_run: ExperimentRun,
                 api: ModelRegistryAPIClient, async_runner: Callable, previous_ctx: RunContext | None = None):
        self._thread_safe_ctx = thread_safe_ctx
        self._previous_ctx = previous_ctx or RunContext()
        self._exp_run = experiment_run
        self.info = RunInfo(id=experiment_run.id or "", name=experiment_run.name,
                            experiment_id=experiment_run.experiment_id)
        self.__api = api
        self.__async_runner = async_runner
        self._logs = ExperimentRunArtifactTypes()

    def __enter__(self) -> ActiveExperimentRun:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc_value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        try:
            sent = ExperimentRunArtifactTypes()
            for log in self.get_logs():
                stored = self.__async_runner(self.__api.upsert_experiment_run_artifact(self.info.id, log))
                kind = {Parameter: sent.params, Metric: sent.metrics, DataSet: sent.datasets}.get(type(stored))
                if kind is not None:
                    kind[log.name] = stored  # type: ignore[index]
            self._logs = sent
        finally:
            self._thread_safe_ctx.set(self._previous_ctx)

    def log_param(self, key: str, value: Any, *, description: str | None = None) -> None:
        """Record a parameter; its type (string, number, boolean, object) follows the value."""
        if isinstance(value, bool):
            kind = ParameterType.BOOLEAN
        elif isinstance(value, int | float):
            kind = ParameterType.NUMBER
        elif isinstance(value, dict):
            kind = ParameterType.OBJECT
        else:
            kind = ParameterType.STRING
        self._logs.params[key] = Parameter(name=key, value=value, description=description, parameter_type=kind)

    def log_metric(self, key: str, value: Any, step: int = 0, timestamp: int | str | None = None, *,
                   description: str | None = None) -> None:
        """Record a metric value at a step; the timestamp (ms since epoch) defaults to now."""
        self._logs.metrics[key] = Metric(
            name=key,
            value=value,
            step=step,
            state=ArtifactState.LIVE,
            timestamp=str(timestamp) if timestamp is not None else str(int(time.time() * 1000)),
            description=description,
        )

    def log_dataset(self, name: str | None = None, uri: str | None = None, source_type: str | None = None,
                    source: str | None = None, schema: str | dict | None = None, profile: str | dict | None = None,
                    *, description: str | None = None, file_path: str | None = None,
                    s3_auth: S3Params | None = None) -> None:
        """Record a dataset by URI, or upload the file at `file_path` to S3 first."""
        if not uri and not file_path:
            msg = "Either `uri` or `file_path` must be provided."
            raise ValueError(msg)
        if file_path:
            if s3_auth is None:
                msg = "Failed to upload dataset to S3: `s3_auth` is required with `file_path`"
                raise StoreError(msg)
            try:
                uri = upload_to_s3(s3_auth=s3_auth, path=file_path)
            except Exception as e:
                msg = f"Failed to upload dataset to S3: {e}"
                raise StoreError(msg) from e
        self._logs.datasets[name] = DataSet(  # type: ignore[index]
            name=name,
            uri=uri,
            source_type=source_type,
            source=source,
            schema=json.dumps(schema) if isinstance(schema, dict) else schema,
            profile=json.dumps(profile) if isinstance(profile, dict) else profile,
            description=description,
        )

    def get_log(self, type: LogType, key: str) -> ExperimentRunArtifact:
        """One recorded (after exit: stored) log by kind and key."""
        return getattr(self._logs, type)[key]

    def get_logs(self) -> list[ExperimentRunArtifact]:
        """Every recorded log: parameters, metrics, then datasets."""
        return [*self._logs.params.values(), *self._logs.metrics.values(), *self._logs.datasets.values()]
