"""End to end, as a team would: devtool's own wheel installed in a fresh virtualenv, `devtool init` a new
project, `new-module` a function there, `devtool build` it, the built wheel installed into another fresh
virtualenv, and the function called there. Real toolchain: pip, maturin, cargo, pytest.

The virtualenvs see the packages of the one running the tests through a `.pth` line (numpy, pytest,
maturin, click, ...), not this checkout: devtool is the installed wheel's, and each test checks so.
The cargo target dir is the shared one (CARGO_TARGET_DIR), so only the new crate compiles.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, snapshot_tree

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Env:
    """A fresh virtualenv: its python, and the environment its commands run in."""

    root: Path

    @property
    def python(self) -> str:
        return str(self.root / "bin" / "python")

    def run(self, *argv: str, cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        env["PATH"] = f"{self.root / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return subprocess.run(
            list(argv), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )


def fresh_env(root: Path) -> Env:
    """A new virtualenv that sees the running one's installed packages (not this checkout)."""
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
    env = Env(root)
    site = env.run(env.python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=root)
    (Path(site.stdout.strip()) / "_parent_packages.pth").write_text(f"{sysconfig.get_path('purelib')}\n")
    return env


def shown(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


@pytest.fixture(scope="module")
def devtool_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """devtool's wheel, built from this checkout, installed into a fresh virtualenv."""
    root = tmp_path_factory.mktemp("devtool-wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(root / "dist"), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (root / "dist").glob("devtool-*.whl")
    env = fresh_env(root / "venv")
    installed = env.run(env.python, "-m", "pip", "install", "-q", "--no-deps", str(wheel), cwd=root)
    assert installed.returncode == 0, shown(installed)
    yield env


def test_the_wheel_holds_devtool_with_its_template_and_engine_files(devtool_env: Env, tmp_path: Path) -> None:
    version = devtool_env.run("devtool", "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == "devtool, version 0.1.0", shown(version)
    where = devtool_env.run(
        devtool_env.python,
        "-c",
        "import devtool.init.shared as s, devtool.scaffold.render as r\n"
        "print(s.ENGINE_DIR)\n"
        "print(r.TEMPLATE_DIR)",
        cwd=tmp_path,
    )
    engine_dir, template_dir = where.stdout.split()
    assert Path(engine_dir).is_relative_to(devtool_env.root) and Path(engine_dir).name == "_engine"
    assert Path(template_dir).is_relative_to(devtool_env.root) and Path(template_dir).name == "template"


def test_init_new_module_build_and_the_built_wheel_works_in_a_fresh_virtualenv(
    devtool_env: Env, tmp_path: Path
) -> None:
    project = tmp_path / "desk"
    init = devtool_env.run("devtool", "init", str(project), "--name", "desk_engine", cwd=tmp_path)
    assert init.returncode == 0, shown(init)
    assert "verified:" in init.stdout and "pytest" in init.stdout

    engine = project / "engine"
    signature = "a: f64[], b: f64[] -> f64[]"
    made = devtool_env.run(
        "devtool", "new-module", "signals", "--function", "spread", "--signature", signature, cwd=project
    )
    assert made.returncode == 0, shown(made)
    assert (engine / "src" / "desk_engine" / "signals.pyi").is_file()
    listed = devtool_env.run("devtool", "list", cwd=project)
    assert "built and importable (this workspace)" in listed.stdout, shown(listed)
    assert re.search(r"^ *spread +yes +yes ", listed.stdout, re.MULTILINE), (
        listed.stdout
    )  # compiled, fallback

    built = devtool_env.run("devtool", "build", "--json", cwd=project)
    assert built.returncode == 0, shown(built)
    report = json.loads(built.stdout)
    wheel = Path(report["wheel"])
    assert wheel.parent == engine / "dist" and wheel.name.startswith("desk_engine-0.1.0-")
    assert report["size_bytes"] == wheel.stat().st_size and wheel.name.endswith(
        f"-{report['platform_tag']}.whl"
    )
    assert "/site-packages/desk_engine/desk_engine." in report["tested_from"]
    assert str(engine) not in report["tested_from"]  # the installed wheel, not the editable build

    user = fresh_env(tmp_path / "user-venv")
    installed = user.run(user.python, "-m", "pip", "install", "-q", "--no-deps", str(wheel), cwd=tmp_path)
    assert installed.returncode == 0, shown(installed)
    call = user.run(
        user.python,
        "-c",
        "import numpy as np, desk_engine, rust_bridge\n"
        "from desk_engine.signals import spread\n"
        "a, b = np.linspace(0.0, 1.0, 7), np.linspace(2.0, 5.0, 7)\n"
        "assert rust_bridge.RUST_AVAILABLE\n"
        "rust = rust_bridge.spread(a, b, backend='rust')\n"
        "python = rust_bridge.spread(a, b, backend='python')\n"
        "assert np.array_equal(rust, python), (rust, python)\n"
        "print(desk_engine.desk_engine.__file__)",
        cwd=tmp_path,
    )
    assert call.returncode == 0, shown(call)
    assert Path(call.stdout.strip()).is_relative_to(user.root)

    before = snapshot_tree(project)
    again = devtool_env.run("devtool", "init", str(project), cwd=tmp_path)
    assert again.returncode == 3 and "exists already" in again.stderr, shown(again)
    assert snapshot_tree(project) == before

    (engine / "tests" / "test_release_gate.py").write_text("def test_fails():\n    assert 1 == 2\n")
    failed = devtool_env.run("devtool", "build", cwd=project)
    assert failed.returncode == 4, shown(failed)
    assert f"the wheel {wheel} was built, but its tests failed" in failed.stderr
    assert "test_release_gate.py" in failed.stderr
