"""The upstream PyPI client `model-registry==0.3.14` (calls /api/model_registry/v1alpha3).

0.3.14 cannot share the venv with 0.3.18, so scripts/install-deps.sh installs it with
--no-deps into .venv/mr-0.3.14 and the flow runs in a subprocess with PYTHONPATH set to that
dir (scripts/mr_0314_flow.py asserts as it goes and exits non-zero on failure).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mrtest.clients import mr_0314_dir, run_with_mr_0314

FLOW = Path(__file__).parent / "scripts" / "mr_0314_flow.py"


def _output(proc) -> str:
    return f"exit code {proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"


@pytest.fixture(scope="module")
def mr_0314():
    path = mr_0314_dir()
    assert (path / "model_registry").is_dir(), (
        f"model-registry 0.3.14 is not installed in {path}: run scripts/install-deps.sh"
    )
    return path


def test_side_install_is_0314(mr_0314, tmp_path):
    """The subprocess really imports 0.3.14 from the side dir (not 0.3.18 from the venv)."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import importlib.metadata as md, model_registry\n"
        "print(md.version('model-registry'))\n"
        "print(model_registry.__file__)\n"
    )
    proc = run_with_mr_0314(probe, timeout=60)
    assert proc.returncode == 0, _output(proc)
    version, where = proc.stdout.split()
    assert version == "0.3.14", _output(proc)
    assert Path(where).resolve().is_relative_to(mr_0314.resolve()), _output(proc)


def test_core_flow_with_client_0314(mr_0314, registry, unique_name):
    proc = run_with_mr_0314(FLOW, "--port", str(registry.port), "--prefix", unique_name("c0314"))
    assert proc.returncode == 0, _output(proc)
    assert "OK: model-registry 0.3.14 core flow passed" in proc.stdout, _output(proc)
