"""Experiment tracking: runs as context managers, nested runs, logs, listing."""

from __future__ import annotations

import json

import pytest

from model_registry.exceptions import StoreError
from model_registry.types import DataSet, Experiment, ExperimentRun, Metric, Parameter, ParameterType


def test_run_logs_are_sent_on_exit(mr):
    with mr.start_experiment_run(experiment_name="exp", run_description="first run") as run:
        run.log_param("lr", 0.01)
        run.log_param("epochs", 3)
        run.log_param("optimizer", "adam")
        run.log_param("use_gpu", False)
        run.log_param("layers", {"hidden": [64, 32]})
        run.log_metric("loss", 0.9, step=1, timestamp=1000)
        run.log_metric("loss", 0.5, step=2, timestamp=2000)  # the last value per key is sent
        run.log_dataset(name="train", uri="s3://data/train.csv", source_type="s3", source="bucket",
                        schema={"x": "float"}, profile="rows=10")
        assert mr.get_experiment_run_logs(run_id=run.info.id).next_page() == [], "nothing sent before exit"

    logs = {log.name: log for log in mr.get_experiment_run_logs(run_id=run.info.id)}
    assert set(logs) == {"lr", "epochs", "optimizer", "use_gpu", "layers", "loss", "train"}
    assert isinstance(logs["lr"], Parameter) and logs["lr"].value == 0.01
    assert logs["lr"].parameter_type == ParameterType.NUMBER
    assert logs["epochs"].value == 3.0
    assert logs["optimizer"].value == "adam"
    assert logs["use_gpu"].value is False
    assert logs["layers"].value == {"hidden": [64, 32]}
    loss = logs["loss"]
    assert isinstance(loss, Metric) and (loss.value, loss.step, loss.timestamp) == (0.5, 2, "2000")
    assert loss.experiment_run_id == run.info.id and loss.experiment_id == run.info.experiment_id
    train = logs["train"]
    assert isinstance(train, DataSet)
    assert (train.uri, train.source_type, json.loads(train.schema)) == ("s3://data/train.csv", "s3", {"x": "float"})
    assert run.get_log("metrics", "loss").id == loss.id, "after exit, get_log returns the stored log"

    stored = mr.get_experiment_run(run.info.id)
    assert isinstance(stored, ExperimentRun)
    assert (stored.name, stored.description, stored.experiment_id) == (run.info.name, "first run",
                                                                        run.info.experiment_id)


def test_nested_runs(mr):
    with mr.start_experiment_run(experiment_name="Experiment1") as parent:
        parent.log_metric("rval", 10, step=4)
        with pytest.raises(ValueError, match="nested=True"):
            mr.start_experiment_run(experiment_name="Experiment1")
        with mr.start_experiment_run(nested=True) as child:
            child.log_metric("rval", 50, step=2)
        with mr.start_experiment_run(nested=True) as second_child:
            pass
    runs = {r.id: r for r in mr.get_experiment_runs(experiment_name="Experiment1")}
    assert set(runs) == {parent.info.id, child.info.id, second_child.info.id}
    assert runs[child.info.id].custom_properties == {"kubeflow.parent_run_id": parent.info.id}
    assert runs[second_child.info.id].custom_properties == {"kubeflow.parent_run_id": parent.info.id}
    assert child.info.experiment_id == parent.info.experiment_id
    assert [m.value for m in mr.get_experiment_run_logs(run_id=child.info.id)] == [50.0]
    # After the outer block no run is active: a new top-level run may start.
    with mr.start_experiment_run(experiment_name="Experiment1"):
        pass


def test_resume_runs_by_id_and_name(mr):
    with mr.start_experiment_run(experiment_name="e", run_name="named") as run:
        run.log_metric("m", 1.0)
    with mr.start_experiment_run(experiment_name="e", run_name="named") as again:
        again.log_metric("m", 2.0)
    assert again.info.id == run.info.id
    with mr.start_experiment_run(experiment_name="e", run_id=run.info.id) as by_id:
        by_id.log_param("p", "x")
    assert by_id.info.id == run.info.id
    logs = mr.get_experiment_run_logs(run_name="named", experiment_name="e")
    assert sorted((log.name, log.value) for log in logs) == [("m", 2.0), ("p", "x")]
    experiment_id = run.info.experiment_id
    assert len(list(mr.get_experiment_run_logs(run_name="named", experiment_id=experiment_id))) == 2
    with pytest.raises(StoreError, match="does not exist"):
        mr.start_experiment_run(experiment_name="e", run_id="999999")
    with pytest.raises(TypeError, match="Missing required arguments"):
        mr.get_experiment_run_logs(run_name="named")


def test_experiments_and_runs_listing(mr):
    with mr.start_experiment_run() as generated:
        pass
    created = mr.create_experiment("listed")
    assert isinstance(created, Experiment) and created.name == "listed"
    with mr.start_experiment_run(experiment_id=created.id) as in_listed:
        pass
    names = [e.name for e in mr.get_experiments()]
    assert names[1] == "listed" and names[0].startswith("experiment_")
    assert [r.id for r in mr.get_experiment_runs(experiment_id=created.id)] == [in_listed.info.id]
    assert [r.id for r in mr.get_experiment_runs(experiment_name=names[0])] == [generated.info.id]
    assert list(mr.get_experiment_runs(experiment_name="no-such-experiment")) == []
    assert mr.create_experiment("listed").id == created.id, "create_experiment updates an existing one"


def test_threads_have_their_own_active_run(mr):
    import threading

    errors = []

    def other_thread():
        try:
            with mr.start_experiment_run(experiment_name="other"):
                pass
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    with mr.start_experiment_run(experiment_name="main"):
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
    assert errors == []
