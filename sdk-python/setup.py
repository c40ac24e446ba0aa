"""Builds libmodelregistry with SwiftPM and bundles it into the package.

`pip install ./sdk-python` runs this from the repository checkout: `swift build -c release
--product modelregistry` in the repository root (the parent of this directory), then copies
the library to `model_registry/_lib/`. The wheel is therefore platform-specific. Outside a
checkout (e.g. from an sdist) a library already present in src/model_registry/_lib is used.
Optional environment: SWIFT (the swift executable), MODEL_REGISTRY_SWIFT_SCRATCH_PATH (a
SwiftPM --scratch-path other than the repository's .build).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LIBRARY = "libmodelregistry.dylib" if sys.platform == "darwin" else "libmodelregistry.so"


def swift_executable() -> str:
    for candidate in (os.environ.get("SWIFT"), shutil.which("swift"), "/opt/swift/usr/bin/swift"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    msg = "swift not found: install the Swift toolchain (see the repository README) or set SWIFT"
    raise RuntimeError(msg)


def build_library() -> Path:
    """Builds the release library in the checkout and returns its path."""
    if not (REPO / "Package.swift").is_file() or not (REPO / "include" / "modelregistry.h").is_file():
        bundled = HERE / "src" / "model_registry" / "_lib" / LIBRARY
        if bundled.is_file():
            return bundled
        msg = f"not inside the model registry checkout ({REPO}) and no prebuilt {LIBRARY} to bundle"
        raise RuntimeError(msg)
    swift = swift_executable()
    command = [swift, "build", "-c", "release", "--product", "modelregistry"]
    if scratch := os.environ.get("MODEL_REGISTRY_SWIFT_SCRATCH_PATH"):
        command += ["--scratch-path", scratch]
    print("building libmodelregistry:", " ".join(command), file=sys.stderr)
    subprocess.run(command, cwd=REPO, check=True)
    bin_dir = subprocess.run([*command, "--show-bin-path"], cwd=REPO, check=True, capture_output=True,
                             text=True).stdout.strip().splitlines()[-1]
    library = Path(bin_dir) / LIBRARY
    if not library.is_file():
        msg = f"swift build finished but {library} does not exist"
        raise RuntimeError(msg)
    return library


class BuildWithLibrary(build_py):
    """build_py that also places the Swift library in the built package."""

    def run(self) -> None:
        super().run()
        library = build_library()
        target = Path(self.build_lib) / "model_registry" / "_lib"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(library, target / LIBRARY)


class PlatformWheel(bdist_wheel):
    """The wheel holds a native library (loaded with ctypes, so any Python 3 ABI)."""

    def finalize_options(self) -> None:
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self) -> tuple[str, str, str]:
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(cmdclass={"build_py": BuildWithLibrary, "bdist_wheel": PlatformWheel})
