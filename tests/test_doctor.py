"""`devtool doctor` on copies of the engine, and the re-pointed-environment warning's logic.

The environment the tests run in imports the repository's own engine (scripts/setup.sh builds it
there with `maturin develop`), so for a copy of the engine that environment is one that imports
another workspace's engine: the very trap doctor exists to name. Re-pointing by a real build is in
test_crates_doctor_e2e.py (slow).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ENGINE, REPO, copy_engine

from devtool.changes import runs
from devtool.changes.journal import JOURNAL_FILE
from devtool.cli import main, report
from devtool.doctor import bridge_check
from devtool.installation import (
    Installation,
    foreign_bridge,
    installation,
    repointed_by_build,
    repointed_warning,
)
from devtool.scaffold.new_module import NewModuleResult
from devtool.verify import VerifyResult
from devtool.workspace import Workspace


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(runs, "CACHE_DIR", tmp_path / "cache")
    return copy_engine(tmp_path / "engine")


def doctor(engine: Path, code: int) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["doctor", "--json", "--engine", str(engine)])
    assert result.exit_code == code, result.output
    data: dict[str, Any] = json.loads(result.output)
    assert data["ok"] is (code == 0)
    return data


def check(data: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in data["checks"] if c["name"] == name)
    return found


def built_extension(engine: Path, age_seconds: float) -> Path:
    """The repository's built extension copied into the copy, dated `age_seconds` from now."""
    (source,) = (ENGINE / "src/crypto_trading_engine").glob("*.so")
    extension = engine / "src/crypto_trading_engine" / source.name
    shutil.copyfile(source, extension)
    stamp = extension.stat().st_mtime + age_seconds
    os.utime(extension, (stamp, stamp))
    return extension


def test_the_repository_engine_is_what_this_environment_imports() -> None:
    installed = installation(Workspace(ENGINE, "rust/Cargo.toml"))
    assert installed.is_from(Workspace(ENGINE)), installed
    result = CliRunner().invoke(main, ["doctor", "--engine", str(ENGINE)])
    lines = result.output.splitlines()
    assert any(line.startswith("ok    engine installed from") and "this workspace" in line for line in lines)
    assert any(line.startswith("ok    bridge imported from") for line in lines), result.output
    for tool in ("python", "cargo", "rustc", "maturin"):
        assert any(line.startswith("ok    ") and line.split()[1] == tool for line in lines), result.output


def test_a_copy_is_told_loudly_that_the_environment_imports_another_workspace(engine: Path) -> None:
    built_extension(engine, age_seconds=3600)
    data = doctor(engine, code=1)
    line = check(data, "engine installed from")
    assert line["status"] == "fail"
    assert "THE ACTIVE ENVIRONMENT IMPORTS ANOTHER WORKSPACE'S ENGINE" in line["detail"]
    assert f"built from {ENGINE}," in line["detail"] and f"not from {engine}" in line["detail"]
    assert line["fix"] == f"cd {engine} && maturin develop"
    assert "build profile" not in [c["name"] for c in data["checks"]]  # of the other workspace's build
    text = CliRunner().invoke(main, ["doctor", "--engine", str(engine)]).output
    assert "FAIL  engine installed from" in text and "fix: cd" in text
    assert "1 failed" in text


def test_an_extension_older_than_a_source_is_stale(engine: Path) -> None:
    extension = built_extension(engine, age_seconds=3600)
    assert check(doctor(engine, code=1), "extension up to date")["status"] == "ok"
    kernel = engine / "rust/src/technical/mod.rs"
    later = extension.stat().st_mtime + 10
    os.utime(kernel, (later, later))
    line = check(doctor(engine, code=1), "extension up to date")
    assert line["status"] == "warn"
    assert "is older than rust/src/technical/mod.rs" in line["detail"]
    assert "maturin develop" in line["fix"]


def test_no_built_extension_is_a_warning(engine: Path) -> None:
    assert check(doctor(engine, code=1), "extension up to date")["status"] == "warn"


def test_an_interrupted_runs_journal_fails_and_a_stale_lock_warns(engine: Path) -> None:
    ws = Workspace(engine)
    assert check(doctor(engine, code=1), "journal")["status"] == "ok"
    assert check(doctor(engine, code=1), "lock")["detail"] == "free"
    runs.journal_dir(ws).mkdir(parents=True)
    (runs.journal_dir(ws) / JOURNAL_FILE).write_text("{}")
    (runs.state_dir(ws) / "lock").write_text("4242\n")  # a killed run's pid, no lock held
    data = doctor(engine, code=1)
    assert check(data, "journal")["status"] == "fail"
    assert "interrupted devtool run" in check(data, "journal")["detail"]
    assert check(data, "lock")["status"] == "warn"
    assert "pid 4242" in check(data, "lock")["detail"]


def test_modules_behind_the_template_are_named_with_the_update_command(engine: Path) -> None:
    record = engine / ".devtool/modules/market_data.json"
    data = json.loads(record.read_text())
    data["template_version"] = "1.0.0"
    record.write_text(json.dumps(data))
    line = check(doctor(engine, code=1), "template")
    assert line["status"] == "warn"
    assert "market_data (1.0.0)" in line["detail"]
    assert line["fix"] == "devtool update-module market_data"


def test_without_a_workspace_the_toolchain_is_still_checked(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["doctor", "--json", "--engine", str(tmp_path)])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert check(data, "workspace")["status"] == "fail"
    assert check(data, "cargo")["status"] == "ok"


def test_a_build_that_takes_over_another_workspaces_environment_is_named(tmp_path: Path) -> None:
    mine, other = tmp_path / "mine", tmp_path / "other"
    other.mkdir()
    ws = Workspace(other)

    def editable(root: Path) -> Installation:
        return Installation("/venv", str(root / "src/crypto_trading_engine/__init__.py"), str(root), True)

    mine.mkdir()
    warning = repointed_by_build(editable(mine), editable(other), ws)
    assert warning == repointed_warning(other, mine, "/venv")
    assert f"imports the engine built from {other}, not from {mine}" in warning
    assert repointed_by_build(editable(other), editable(other), ws) is None  # its own build again
    assert repointed_by_build(Installation("/venv", None, None, False), editable(other), ws) is None  # fresh
    shutil.rmtree(mine)
    gone = Installation("/venv", None, str(mine), True)  # the folder it was installed from was deleted
    assert gone.workspace() == mine
    assert "(that folder no longer exists)" in repointed_warning(mine, other, "/venv")


def test_a_bridge_imported_from_another_engine_in_the_same_environment_fails(tmp_path: Path) -> None:
    """Two engines installed in one virtualenv (the demo's and the desk's): each has a `rust_bridge`
    package, and Python imports the first; doctor said ok while new-module's tests failed to import."""
    mine, other = tmp_path / "mine", tmp_path / "other"
    ws = Workspace(mine)
    own = Installation("/venv", str(mine / "src/desk_engine/__init__.py"), str(mine), True)
    foreign = replace(own, bridge=str(other / "src/rust_bridge/__init__.py"))
    mine.mkdir()
    assert foreign_bridge(replace(own, bridge=str(mine / "src/rust_bridge/__init__.py")), ws) is None
    assert foreign_bridge(own, ws) is None  # no bridge importable: the engine checks say so
    problem = foreign_bridge(foreign, ws)
    assert problem is not None
    assert (
        f"imports rust_bridge from {other / 'src/rust_bridge'}, not from {mine / 'src/rust_bridge'}"
        in problem
    )
    line = bridge_check(ws, foreign)
    assert (line.status, line.detail) == ("fail", problem) and "own virtualenv" in line.fix
    assert bridge_check(ws, replace(foreign, bridge=str(mine / "src/rust_bridge/__init__.py"))).status == "ok"


def test_new_module_prints_the_warning_after_its_report() -> None:
    verified = VerifyResult(steps=(), log_path=Path("/log"), repointed="THE WARNING")
    result = NewModuleResult(
        module="m",
        function="f",
        signature="x: f64[] -> f64",
        added_to_existing=False,
        created=[],
        edited=[],
        plan_seconds=0.1,
        dry_run=False,
        verified=verified,
    )
    assert "warning: THE WARNING" in report.new_module_text(result)
    assert report.new_module_json(result)["warnings"] == ["THE WARNING"]


def test_doctor_help_documents_the_exit_codes() -> None:
    result = CliRunner().invoke(main, ["doctor", "--help"])
    assert "0 nothing failed (warnings may be listed), 1 a check failed" in result.output
    assert str(REPO) not in result.output
