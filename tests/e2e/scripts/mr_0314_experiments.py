"""Experiment tracking with the upstream client model-registry==0.3.14 (the last release that has
it), through nginx on /api/model_registry/v1alpha3. Asserts as it goes; exits non-zero on failure.
Usage: mr_0314_experiments.py --port PORT --prefix UNIQUE_PREFIX
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import warnings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--prefix", required=True)
    args = parser.parse_args()
    assert md.version("model-registry") == "0.3.14"
    warnings.simplefilter("ignore")

    from model_registry import ModelRegistry

    registry = ModelRegistry("http://127.0.0.1", args.port, author="author", is_secure=False)
    experiment = f"{args.prefix}-exp"

    # No run_name: 0.3.14 looks a named run up by the experiment's id (an upstream bug, see
    # upstream-semantics §14.2), so notebooks start runs with generated names.
    with registry.start_experiment_run(experiment_name=experiment, owner="alice") as run:
        run.log_param("learning_rate", 0.01)
        run.log_param("optimizer", "adam")
        for step, loss in enumerate([0.9, 0.5, 0.3]):
            run.log_metric("loss", loss, step=step)
        run.log_metric("accuracy", 0.91)
        # 0.3.14 annotates schema/profile as dict but its DataSet model only takes strings.
        run.log_dataset(name="train-set", uri="s3://bucket/train.csv", source_type="s3",
                        source="s3://bucket", schema='{"x": "float"}', profile='{"rows": 10}')
        parent_id = run.info.id
        with registry.start_experiment_run(experiment_name=experiment, nested=True) as child:
            child.log_metric("loss", 0.2)
            child_id = child.info.id

    logs = list(registry.get_experiment_run_logs(run_id=parent_id))
    by_name = {log.name: log for log in logs}
    assert set(by_name) == {"learning_rate", "optimizer", "loss", "accuracy", "train-set"}, sorted(by_name)
    # The last value logged per key is what the run keeps; every value stays in metric history.
    assert by_name["loss"].value == 0.3, by_name["loss"]
    assert by_name["accuracy"].value == 0.91
    assert str(by_name["learning_rate"].value) == "0.01"
    assert by_name["train-set"].uri == "s3://bucket/train.csv"

    runs = list(registry.get_experiment_runs(experiment_name=experiment))
    assert {r.id for r in runs} == {parent_id, child_id}, [r.id for r in runs]
    child_run = registry.get_experiment_run(child_id)
    assert child_run.custom_properties.get("kubeflow.parent_run_id") == parent_id, child_run.custom_properties
    experiments = [e.name for e in registry.get_experiments()]
    assert experiment in experiments
    print("OK: model-registry 0.3.14 experiment flow passed")


if __name__ == "__main__":
    main()
