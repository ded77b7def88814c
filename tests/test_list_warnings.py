"""`devtool list` says what it cannot show as a table: an interrupted run, a half-made module, and
"bench yes" only for a function `devtool bench` would time (a BENCH_CASES entry)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO, copy_engine
from test_new_module_from_plan import COMMAND

from devtool.changes import runs
from devtool.changes.transaction import JOURNAL_FILE
from devtool.cli import main
from devtool.workspace import Workspace


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the engine with `strategy.kama` made --no-verify; devtool's cache in tmp_path."""
    monkeypatch.chdir(REPO)  # where examples/ is
    monkeypatch.setattr(runs, "CACHE_DIR", tmp_path / "cache")
    engine = copy_engine(tmp_path / "engine")
    made = CliRunner().invoke(main, [*COMMAND, "--no-verify", "--engine", str(engine)])
    assert made.exit_code == 0, made.output
    return engine


def listing(engine: Path) -> tuple[str, dict[str, Any]]:
    text = CliRunner().invoke(main, ["list", "--engine", str(engine)])
    data = CliRunner().invoke(main, ["list", "--json", "--engine", str(engine)])
    assert text.exit_code == 0 and data.exit_code == 0, text.output + data.output
    return text.output, json.loads(data.output)


def test_a_consistent_workspace_has_no_warnings(engine: Path) -> None:
    text, data = listing(engine)
    assert "WARNING" not in text and data["warnings"] == []


def test_warns_about_the_journal_of_an_interrupted_run(engine: Path) -> None:
    journal = runs.journal_dir(Workspace(engine))
    journal.mkdir(parents=True)
    (journal / JOURNAL_FILE).write_text("{}")
    text, data = listing(engine)
    assert "WARNING: an interrupted devtool run left its journal" in text
    assert len(data["warnings"]) == 1 and str(journal) in data["warnings"][0]


def test_warns_about_a_half_made_module(engine: Path) -> None:
    mod_rs = engine / "rust/src/python/mod.rs"
    mod_rs.write_text(re.sub(r".*add_submodule\(m, \"strategy\".*\n", "", mod_rs.read_text()))
    (engine / "tests/strategy_tests/test_kama.py").unlink()
    (engine / ".devtool/modules/ghost.json").write_text("{}")
    text, _ = listing(engine)
    assert "WARNING: module strategy: not (fully) registered in rust/src/python/mod.rs" in text
    missing = "tests/strategy_tests/test_kama.py"
    assert f"WARNING: module strategy: files its record lists are missing: {missing}" in text
    assert "WARNING: .devtool/modules/ghost.json records a module lib.rs does not declare (ghost)" in text


def test_bench_yes_only_for_a_function_bench_times(engine: Path) -> None:
    _, data = listing(engine)
    strategy = next(m for m in data["modules"] if m["name"] == "strategy")
    assert strategy["functions"][0]["benchmark"] is True
    bench_file = engine / "benchmarks/test_bench_strategy_kama.py"
    text = bench_file.read_text()
    assert "\nBENCH_CASES = " in text
    # The file still names kama everywhere; only the entry `devtool bench` reads is gone.
    bench_file.write_text(text.replace("\nBENCH_CASES = ", "\n_NOT_BENCH_CASES = "))
    _, data = listing(engine)
    strategy = next(m for m in data["modules"] if m["name"] == "strategy")
    assert strategy["functions"][0]["benchmark"] is False
