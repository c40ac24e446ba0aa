"""tests/c/register.c: a C program that includes include/modelregistry.h, links
libmodelregistry and registers a model, embedded and against a server."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from model_registry import ModelRegistry
from model_registry._native import library_path

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def register_program(tmp_path_factory) -> Path:
    # Any C compiler will do; the Swift toolchain brings clang.
    compiler = next((c for c in (shutil.which("cc"), shutil.which("clang"), "/opt/swift/usr/bin/clang")
                     if c and Path(c).is_file()), None)
    assert compiler, "a C compiler (cc or clang) is needed to build tests/c/register.c"
    lib_dir = library_path().parent
    program = tmp_path_factory.mktemp("c") / "register"
    subprocess.run(
        [compiler, "-std=c99", "-Wall", "-Wextra", "-Werror", "-I", str(REPO / "include"),
         str(REPO / "tests" / "c" / "register.c"), "-o", str(program),
         "-L", str(lib_dir), "-lmodelregistry", f"-Wl,-rpath,{lib_dir}"],
        check=True,
    )
    return program


def run(program: Path, uri: str, name: str) -> list[tuple[str, str, str]]:
    done = subprocess.run([str(program), uri, name], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return [tuple((line.split(" ", 2) + ["", ""])[:3]) for line in done.stdout.splitlines()]


def test_registers_a_model(target, register_program):
    uri = target.address if target.kind == "embedded" else f"{target.address}:{target.port}"
    steps = {step: (status, body) for step, status, body in run(register_program, uri, "c-model")}
    assert steps["library"][0] == "0.1.0"
    assert steps["model"][0] == "201"
    assert steps["version"][0] == "201" and steps["artifact"][0] == "201"
    assert steps["find"][0] == "200" and steps["missing"][0] == "404"
    assert steps["misuse"][0] == "2"

    # What C registered, the Python SDK reads back through the same registry.
    mr = target.client()
    try:
        artifact = mr.get_model_artifact("c-model", "v1")
        assert artifact is not None
        assert artifact.uri == "s3://models/c-model/v1"
        assert mr.get_registered_model("c-model").owner == "c-program"
        assert json.loads(steps["find"][1])["name"] == "v1"
    finally:
        mr.close()


def test_embedded_file_is_then_served(tmp_path, register_program, make_target):
    """A file written embedded is a normal store: reopening it shows the model."""
    db = tmp_path / "shared.db"
    run(register_program, f"file:{db}", "kept-model")
    with ModelRegistry(str(db), author="a") as mr:
        assert [m.name for m in mr.get_registered_models()] == ["kept-model"]
