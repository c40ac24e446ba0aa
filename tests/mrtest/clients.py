"""Upstream client helpers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mrtest.server import REPO_ROOT


def make_client(server):
    """The upstream PyPI client (0.3.18, calls /api/model_registry/v1), built the way
    upstream's own e2e suite builds it."""
    from model_registry import ModelRegistry

    return ModelRegistry("http://127.0.0.1", server.port, author="author", is_secure=False)


def mr_0314_dir() -> Path:
    """Where scripts/install-deps.sh put model-registry==0.3.14 (pip install --target)."""
    return Path(os.environ.get("MR_0314_PATH", REPO_ROOT / ".venv" / "mr-0.3.14"))


def run_with_mr_0314(script: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """Run `script` with this interpreter and PYTHONPATH=<mr-0.3.14 dir>, so that
    `import model_registry` finds 0.3.14 first and its dependencies come from the venv."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(mr_0314_dir())
    env["PYTHONUNBUFFERED"] = "1"
    cmd = [sys.executable, str(script), *args]
    try:
        return subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=timeout, cwd=REPO_ROOT)
    except subprocess.TimeoutExpired as e:  # keep what it printed; report as a failure
        def text(b):
            return b.decode("utf-8", "replace") if isinstance(b, bytes) else (b or "")
        return subprocess.CompletedProcess(
            cmd, -9, text(e.stdout), text(e.stderr) + f"\n(killed after {timeout:.0f}s timeout)")
