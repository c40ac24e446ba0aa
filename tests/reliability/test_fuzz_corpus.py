"""The fuzz corpora as regression tests: every seed and every input that once crashed a
fuzz target (fuzz/crashes/) goes through the same checks again, with the replayer that an
ordinary `swift build` makes next to model-registry (RegistryFuzz without -DFUZZING).
The fuzzing itself runs in scripts/test.sh's `fuzz` stage (fuzz/run.sh)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from mrtest.server import REPO_ROOT, registry_bin

FUZZ = REPO_ROOT / "fuzz"


def replayer() -> Path:
    path = Path(registry_bin()).with_name("RegistryFuzz")
    if not os.access(path, os.X_OK):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing: `swift build -c release` builds it")
        pytest.skip(f"{path} is missing: build it with `swift build -c release --product RegistryFuzz`")
    return path


@pytest.mark.parametrize("target", ["body", "filter"])
def test_fuzz_corpus_and_past_crashes_replay_cleanly(target):
    seeds, crashes = FUZZ / "corpus" / target, FUZZ / "crashes" / target
    assert seeds.is_dir() and any(seeds.iterdir()), f"no seed corpus in {seeds}"
    assert crashes.is_dir(), f"{crashes} must exist (it keeps every crash input found so far)"
    env = {**os.environ, "SWIFT_BACKTRACE": "enable=no"}
    result = subprocess.run([str(replayer()), target, str(seeds), str(crashes)], capture_output=True,
                            text=True, timeout=120, env=env, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"replay failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    assert "no findings" in result.stdout
