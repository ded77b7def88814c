"""Crate dependencies without a build: `new-module --crate`, `add-crate` and `remove-module` with --no-verify.

`cargo add` and `cargo remove` run for real (crates.io is queried); the build that proves a kernel can
use the crate is in test_crates_doctor_e2e.py (slow).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO, Snapshot, copy_engine, snapshot_tree

from devtool.changes import runs
from devtool.changes.cargo_deps import CrateSpec, parse_crate
from devtool.cli import main
from devtool.errors import UsageError
from devtool.records import CrateRecord, ModuleRecord

MISSING_CRATE = "devtool-no-such-crate-7q3x"


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    monkeypatch.setattr(runs, "CACHE_DIR", tmp_path / "cache")
    return copy_engine(tmp_path / "engine")


def run(engine: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, [*args, "--engine", str(engine)])
    assert result.exit_code == code, result.output
    return result.output


def run_json(engine: Path, *args: str) -> Any:
    return json.loads(run(engine, *args, "--json"))


def new_module(engine: Path, module: str, *crates: str) -> None:
    options = [f"--crate={c}" for c in crates]
    run(engine, "new-module", module, "--function", f"{module}_sum", *options, "--no-verify")


def dependencies(engine: Path) -> dict[str, Any]:
    return dict(tomllib.loads((engine / "rust/Cargo.toml").read_text())["dependencies"])


def locked(engine: Path) -> set[str]:
    packages = tomllib.loads((engine / "rust/Cargo.lock").read_text())["package"]
    return {p["name"] for p in packages}


def record(engine: Path, module: str) -> ModuleRecord:
    return ModuleRecord.from_json((engine / f".devtool/modules/{module}.json").read_text())


@pytest.mark.parametrize(
    ("text", "spec"),
    [("itoa", CrateSpec("itoa")), ("smallvec@1.13", CrateSpec("smallvec", "1.13")), ("a_b-c@=2.0.1", None)],
)
def test_crate_specs_parse(text: str, spec: CrateSpec | None) -> None:
    parsed = parse_crate(text)
    assert parsed == (spec or CrateSpec("a_b-c", "=2.0.1"))
    assert str(parsed) == text


@pytest.mark.parametrize("text", ["", "--locked", "1itoa", "itoa@", "itoa@1 2", "a/b", "itoa@1@2"])
def test_what_is_not_a_crate_spec_is_refused(text: str) -> None:
    with pytest.raises(UsageError, match="is not a crate"):
        parse_crate(text)


def test_records_without_crates_keep_their_old_form() -> None:
    plain = ModuleRecord("m", "1.4.0", ())
    assert "crates" not in json.loads(plain.to_json())
    needing = plain.with_crates([CrateRecord("itoa"), CrateRecord("rayon", added=False)])
    assert ModuleRecord.from_json(needing.to_json()) == needing
    again = needing.with_crates([CrateRecord("itoa", added=False)])
    assert again.crates[0] == CrateRecord("itoa", added=True)  # added once, added for good


def test_add_crate_runs_cargo_add_and_records_the_module(engine: Path) -> None:
    new_module(engine, "counts")
    lock_before = locked(engine)
    data = run_json(engine, "add-crate", "counts", "itoa", "rayon", "--no-verify")
    assert data["added"] == ["itoa"]  # rayon was a dependency already
    assert data["requirements"]["itoa"][0].isdigit()  # the version cargo resolved, as Cargo.toml holds it
    assert set(data["edited"]) == {"rust/Cargo.toml", "rust/Cargo.lock", ".devtool/modules/counts.json"}
    assert dependencies(engine)["itoa"] == data["requirements"]["itoa"]
    assert locked(engine) == lock_before | {"itoa"}
    assert record(engine, "counts").crates == (CrateRecord("itoa"), CrateRecord("rayon", added=False))
    listed = run_json(engine, "list")
    counts = next(m for m in listed["modules"] if m["name"] == "counts")
    assert counts["crates"] == {"itoa": data["requirements"]["itoa"], "rayon": dependencies(engine)["rayon"]}
    assert "crates: itoa " in run(engine, "list")


def test_a_crate_that_does_not_exist_is_refused_and_nothing_changes(engine: Path) -> None:
    new_module(engine, "counts")
    before: Snapshot = snapshot_tree(engine)
    result = CliRunner().invoke(main, ["add-crate", "counts", "itoa", MISSING_CRATE, "--engine", str(engine)])
    assert result.exit_code == 2, result.output
    assert f"the crate `{MISSING_CRATE}` could not be found" in result.output
    assert "nothing was changed" in result.output
    assert snapshot_tree(engine) == before
    refused = CliRunner().invoke(
        main, ["new-module", "more", f"--crate={MISSING_CRATE}", "--no-verify", "--engine", str(engine)]
    )
    assert refused.exit_code == 2, refused.output
    assert snapshot_tree(engine) == before


def test_dry_run_shows_the_cargo_changes_and_writes_nothing(engine: Path) -> None:
    new_module(engine, "counts")
    before = snapshot_tree(engine)
    output = run(engine, "add-crate", "counts", "itoa@1", "--dry-run")
    assert '+itoa = "1"' in output
    assert '+name = "itoa"' in output  # Cargo.lock
    assert snapshot_tree(engine) == before


def test_remove_module_removes_a_crate_only_with_the_last_module_needing_it(engine: Path) -> None:
    pristine_toml = (engine / "rust/Cargo.toml").read_text()
    pristine_lock = (engine / "rust/Cargo.lock").read_text()
    new_module(engine, "first", "itoa")
    new_module(engine, "second", "itoa", "rayon")
    assert record(engine, "first").crates == (CrateRecord("itoa", added=True),)
    assert record(engine, "second").crates == (CrateRecord("itoa", added=False), CrateRecord("rayon", False))

    data = run_json(engine, "remove-module", "first", "--no-verify")
    assert data["crates_removed"] == []
    assert "itoa" in dependencies(engine)
    assert record(engine, "second").crates[0] == CrateRecord("itoa", added=True)  # it takes over the mark

    data = run_json(engine, "remove-module", "second", "--no-verify")
    assert data["crates_removed"] == ["itoa"]  # rayon was the engine's before: it stays
    assert (engine / "rust/Cargo.toml").read_text() == pristine_toml
    assert (engine / "rust/Cargo.lock").read_text() == pristine_lock


def test_a_crate_is_given_once() -> None:
    result = CliRunner().invoke(main, ["add-crate", "x", "itoa", "itoa@1", "--engine", str(REPO / "engine")])
    assert result.exit_code == 2
    assert "crate itoa given more than once" in result.output


def test_a_function_added_to_a_module_brings_its_crates_to_the_modules_record(engine: Path) -> None:
    new_module(engine, "counts", "itoa")
    run(engine, "new-module", "counts", "--function", "more", "--crate", "smallvec@1", "--no-verify")
    assert record(engine, "counts").crate_names() == ["itoa", "smallvec"]
    assert dependencies(engine)["smallvec"] == "1"
    assert record(engine, "counts").function_names() == ["counts_sum", "more"]
