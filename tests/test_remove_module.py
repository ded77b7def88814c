"""`remove-module` without a build (--no-verify): what it copies before deleting, what it warns about,
and MODULE.FUNCTION. The build after a removal is in test_new_module_e2e.py (slow)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO, copy_engine
from e2e_support import tree_hash
from test_new_module_from_plan import COMMAND

from devtool.changes import runs
from devtool.cli import main

SECOND = ["new-module", "strategy", "--function", "spread", "--signature", "a: f64[], b: f64[] -> f64[]"]


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the engine in tmp_path/project/engine; devtool's cache in tmp_path."""
    monkeypatch.chdir(REPO)  # where examples/ is
    monkeypatch.setattr(runs, "CACHE_DIR", tmp_path / "cache")
    (tmp_path / "project" / ".git").mkdir(parents=True)  # the project the callers are looked for in
    return copy_engine(tmp_path / "project" / "engine")


def run(engine: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, [*args, "--engine", str(engine)])
    assert result.exit_code == code, result.output
    return result.output


def without_removed(tree: dict[str, str]) -> dict[str, str]:
    return {p: h for p, h in tree.items() if not p.startswith(".devtool/removed/")}


def test_a_module_as_generated_is_removed_without_copies(engine: Path) -> None:
    pristine = tree_hash(engine)
    run(engine, *COMMAND, "--no-verify")
    data: dict[str, Any] = json.loads(run(engine, "remove-module", "strategy", "--no-verify", "--json"))
    assert data["backup"] is None and data["backed_up"] == []
    assert tree_hash(engine) == pristine


def test_edited_files_are_copied_before_the_module_is_removed(engine: Path) -> None:
    pristine = tree_hash(engine)
    run(engine, *COMMAND, "--no-verify")
    kernel = engine / "rust/src/strategy/kama.rs"
    edited = kernel.read_text().replace("pub const WRITTEN: bool = false;", "pub const WRITTEN: bool = true;")
    kernel.write_text(edited + "// my kernel\n")
    output = run(engine, "remove-module", "strategy", "--no-verify", "--yes")
    assert "your edits: files that differ from what was generated, copied to .devtool/removed/strategy-" in (
        output
    )
    (backup,) = (engine / ".devtool/removed").iterdir()
    copies = sorted(p.relative_to(backup).as_posix() for p in backup.rglob("*") if p.is_file())
    assert copies == ["rust/src/strategy/kama.rs"]  # only the file that was edited
    assert (backup / "rust/src/strategy/kama.rs").read_text() == edited + "// my kernel\n"
    assert "  rust/src/strategy/kama.rs\n" in output
    assert without_removed(tree_hash(engine)) == pristine


def test_dry_run_says_what_it_would_copy(engine: Path) -> None:
    run(engine, *COMMAND, "--no-verify")
    kernel = engine / "rust/src/strategy/kama.rs"
    kernel.write_text(kernel.read_text() + "// my kernel\n")
    before = tree_hash(engine)
    output = run(engine, "remove-module", "strategy", "--dry-run")
    assert "would be copied to .devtool/removed/strategy-" in output
    assert "create .devtool/removed/strategy-" in output
    assert tree_hash(engine) == before


def test_warns_about_code_that_still_uses_the_removed_functions(engine: Path) -> None:
    run(engine, *COMMAND, "--no-verify")
    app = engine.parent / "app"
    app.mkdir()
    (app / "signals.py").write_text(
        "import rust_bridge as rb\nfrom rust_bridge import (\n    kama,\n)\n\n\n"
        "def f(x):\n    return rb.kama(x, 3)\n"
    )
    (app / "unrelated.py").write_text("# kama is mentioned in a comment only\nfrom rust_bridge import sma\n")
    output = run(engine, "remove-module", "strategy", "--no-verify", "--yes")
    assert f"warning: Python code in {engine.parent} still uses the removed functions:" in output
    assert "  app/signals.py:2 uses rust_bridge.kama\n" in output
    assert "  app/signals.py:8 uses rust_bridge.kama\n" in output
    assert "unrelated.py" not in output
    assert "made --from these Python functions" in output
    assert "  strategy.kama <- examples.strategy:kama\n" in output


def test_removing_an_added_function_restores_the_module_as_it_was(engine: Path) -> None:
    run(engine, *COMMAND, "--no-verify")
    one_function = tree_hash(engine)
    run(engine, *SECOND, "--no-verify")
    output = run(engine, "remove-module", "strategy.spread", "--no-verify", "--yes")
    assert output.startswith("removed function strategy.spread")
    assert tree_hash(engine) == one_function


def test_removing_the_first_function_keeps_the_others(engine: Path) -> None:
    run(engine, *COMMAND, "--no-verify")
    run(engine, *SECOND, "--no-verify")
    run(engine, "remove-module", "strategy.kama", "--no-verify", "--yes")
    record = json.loads((engine / ".devtool/modules/strategy.json").read_text())
    assert [f["name"] for f in record["functions"]] == ["spread"]
    assert not (engine / "rust/src/strategy/kama.rs").exists()
    assert "kama" not in (engine / "rust/src/strategy/mod.rs").read_text()
    bridge = (engine / "src/rust_bridge/strategy_py.py").read_text()
    assert "def kama(" not in bridge and "def spread(" in bridge
    init = (engine / "src/rust_bridge/__init__.py").read_text()
    assert '"kama"' not in init and '"spread"' in init
    listed = json.loads(run(engine, "list", "--json"))
    assert listed["warnings"] == []


def test_the_last_function_is_refused_with_the_command_that_removes_the_module(engine: Path) -> None:
    run(engine, *COMMAND, "--no-verify")
    before = tree_hash(engine)
    output = run(engine, "remove-module", "strategy.kama", "--no-verify", "--yes", code=2)
    assert "'kama' is the only function of module 'strategy'" in output
    assert "devtool remove-module strategy" in output
    assert tree_hash(engine) == before


def test_an_edited_part_of_a_shared_file_is_refused(engine: Path) -> None:
    run(engine, *COMMAND, "--no-verify")
    run(engine, *SECOND, "--no-verify")
    fallback = engine / "src/rust_bridge/_fallback/strategy.py"
    fallback.write_text(fallback.read_text().replace("def spread(", "def spread(  "))
    before = tree_hash(engine)
    output = run(engine, "remove-module", "strategy.spread", "--no-verify", "--yes", code=3)
    shared = "src/rust_bridge/_fallback/strategy.py"
    assert f"{shared}: the part new-module added for 'spread' was edited" in output
    assert tree_hash(engine) == before


def test_unknown_function_lists_the_modules_functions(engine: Path) -> None:
    run(engine, *COMMAND, "--no-verify")
    output = run(engine, "remove-module", "strategy.nope", "--no-verify", "--yes", code=2)
    assert "module 'strategy' has no function 'nope' (it has: kama)" in output


@pytest.mark.parametrize(
    ("command", "says"),
    [
        (["remove-module", "technical", "--yes", "--no-verify"], "; remove it by hand"),
        (["update-module", "technical", "--no-verify"], ": there is nothing to update"),
        (["add-crate", "technical", "itoa", "--no-verify"], ": add the crate with cargo add in the crate's"),
    ],
)
def test_a_hand_written_module_is_refused_with_what_to_do_instead(
    engine: Path, command: list[str], says: str
) -> None:
    before = tree_hash(engine)
    output = run(engine, *command, code=2)
    assert "module 'technical' was not generated by devtool (no .devtool/modules/technical.json)" in output
    assert says in output
    assert "no module 'nothing'" in run(engine, command[0], "nothing", *command[2:], code=2)
    assert tree_hash(engine) == before
