"""One client (one library handle) driven from 8 threads, embedded and remote: no errors,
no lost writes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

THREADS = 8
MODELS_PER_THREAD = 6


def work(mr, thread: int) -> list[str]:
    names = []
    for i in range(MODELS_PER_THREAD):
        name = f"t{thread}-m{i}"
        mr.register_model(name, f"s3://b/{name}", version="1", model_format_name="onnx",
                          model_format_version="1", metadata={"thread": thread, "i": i})
        mr.register_model(name, f"s3://b/{name}/2", version="2", model_format_name="onnx",
                          model_format_version="1")
        mv = mr.get_model_version(name, "1")
        mv.description = f"updated by {thread}"
        mr.update(mv)
        names.append(name)
    # Every thread has its own active run.
    with mr.start_experiment_run(experiment_name="shared-experiment", run_name=f"run-{thread}") as run:
        for step in range(5):
            run.log_metric(f"m{step}", float(thread), step=step)
        run.log_param("thread", thread)
    return names


def test_eight_threads_one_client(target):
    mr = target.client()
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(lambda t: work(mr, t), range(THREADS)))  # re-raises any thread's error
        expected = sorted(name for names in results for name in names)
        assert sorted(m.name for m in mr.get_registered_models().page_size(7)) == expected
        for name in expected:
            thread = int(name[1:name.index("-")])
            assert [v.name for v in mr.get_model_versions(name)] == ["1", "2"]
            v1 = mr.get_model_version(name, "1")
            assert v1.description == f"updated by {thread}"
            assert v1.custom_properties["thread"] == thread
            assert mr.get_model_artifact(name, "2").uri == f"s3://b/{name}/2"
        runs = list(mr.get_experiment_runs(experiment_name="shared-experiment"))
        assert sorted(r.name for r in runs) == sorted(f"run-{t}" for t in range(THREADS))
        for run in runs:
            logs = list(mr.get_experiment_run_logs(run_id=run.id))
            assert len(logs) == 6
            assert {log.value for log in logs if log.name.startswith("m")} == {float(run.name[4:])}
    finally:
        mr.close()
