"""Helpers for the end-to-end tests: a scratch engine + virtualenv, running devtool in it, hashing trees."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SKIP_PARTS = {"target", "__pycache__", ".benchmarks", ".hypothesis", ".pytest_cache", ".ruff_cache"}


def _load_scratch_env() -> Any:
    spec = importlib.util.spec_from_file_location("scratch_env", REPO / "scripts" / "scratch_env.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_scratch = _load_scratch_env().make_scratch


def tree_hash(root: Path) -> dict[str, str]:
    """sha256 of every source file under root (build outputs and caches left out), by relative path."""
    digests: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_dir() or SKIP_PARTS.intersection(rel.parts) or path.suffix in {".so", ".pyc"}:
            continue
        digests[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


@dataclass
class Scratch:
    """A copy of engine/ and a virtualenv of its own, so builds never touch the developer's .venv."""

    engine: Path
    python: Path

    def devtool(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        timeout: float = 900,
        cwd: Path | None = None,
    ) -> Result:
        """`python -m devtool ARGS --engine <scratch engine>`, from `cwd` (default: the scratch engine)."""
        merged = {**os.environ, **(env or {})}
        merged.pop("VIRTUAL_ENV", None)  # devtool targets the interpreter it runs in
        proc = subprocess.run(
            [str(self.python), "-m", "devtool", *args, "--engine", str(self.engine)],
            cwd=cwd or self.engine,
            env=merged,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def python_run(self, code: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.python), "-c", code], cwd=self.engine, capture_output=True, text=True, check=False
        )

    def desk(self, script: str, text: str) -> Path:
        """A trader's folder beside the engine holding `script` (no __init__.py: a plain script)."""
        folder = self.engine.parent / "desk"
        folder.mkdir(exist_ok=True)
        (folder / script).write_text(text)
        return folder

    def profile(self, script: Path) -> dict[str, Any]:
        """`devtool profile SCRIPT --json`, run in the script's folder, parsed."""
        done = subprocess.run(
            [str(self.python), "-m", "devtool", "profile", script.name, "--json"],
            cwd=script.parent,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout)  # type: ignore[no-any-return]


def judged(report: dict[str, Any], function: str) -> dict[str, Any]:
    """The profile report's verdict on `function`."""
    return next(c for c in report["candidates"] if c["function"] == function)  # type: ignore[no-any-return]


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"
