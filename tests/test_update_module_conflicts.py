"""`update-module` conflicts without a build: reported with exit code 3, and a resolved module recognised.

The slow end-to-end file builds and tests a merged module; here every run is `--no-verify` or a dry run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from e2e_support import tree_hash
from test_update_module_e2e import BRIDGE_LINE, engine_with_template_copy, make_v2

from devtool.cli import main

BRIDGE = "src/rust_bridge/clash_py.py"
HAND_LINE = 'backend: "rust" to insist, "python" to compare.'


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An engine with module `clash` made from the template, its bridge edited where v2 changes it."""
    copy = engine_with_template_copy(tmp_path, monkeypatch)
    assert run(copy, "new-module", "clash", "--function", "clash_fn", "--no-verify")[0] == 0
    bridge = copy / BRIDGE
    bridge.write_text(bridge.read_text().replace(BRIDGE_LINE, HAND_LINE, 1))
    make_v2(tmp_path / "tpl")
    return copy


def run(engine: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--engine", str(engine)])
    return result.exit_code, result.output


def test_a_dry_run_that_finds_conflicts_exits_3(engine: Path) -> None:
    before = tree_hash(engine)
    code, output = run(engine, "update-module", "clash", "--dry-run")
    assert code == 3, output
    assert f"CONFLICT {BRIDGE}" in output and "error: the update has conflicts" in output
    assert tree_hash(engine) == before


def test_markers_written_exit_3_and_a_resolved_module_is_cleared(engine: Path) -> None:
    code, output = run(engine, "update-module", "clash", "--conflicts=markers")
    assert code == 3, output
    assert "conflict markers written" in output
    assert "<<<<<<< " in (engine / BRIDGE).read_text()
    assert "NEEDS ATTENTION" in run(engine, "list")[1]

    code, output = run(engine, "update-module", "clash", "--no-verify")  # markers still there
    assert code == 3, output
    assert f"clash: NEEDS ATTENTION: conflict markers left in {BRIDGE}" in output

    bridge = engine / BRIDGE
    kept = [
        line
        for line in bridge.read_text().splitlines(keepends=True)
        if not line.startswith(("<<<<<<<", "=======", ">>>>>>>", "|||||||"))
    ]
    bridge.write_text("".join(line for line in kept if BRIDGE_LINE not in line))
    code, output = run(engine, "update-module", "clash", "--no-verify")
    assert code == 0, output
    assert "clash: conflict markers resolved; its NEEDS ATTENTION flag cleared" in output
    assert "NEEDS ATTENTION" not in run(engine, "list")[1]
    code, output = run(engine, "update-module", "clash", "--no-verify")
    assert (code, "clash: already at the current template" in output) == (0, True), output
