"""`update-module` for real: a module generated from one template version, edited by hand, brought up to
the next version by a three-way merge, then built and tested; conflicts refused or marked.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import copy_engine
from e2e_support import REPO, Scratch, make_scratch, tree_hash

from devtool.changes import runs

pytestmark = pytest.mark.slow

BRIDGE_LINE = 'backend: "auto" (Rust when built), "rust" or "python".'
BRIDGE_LINE_V2 = 'backend: "auto" (Rust when built, else the fallback), "rust" or "python".'
KERNEL_EDIT = "// Tuned by hand: this line must survive template updates.\n"
HAND_TEST = """

def test_written_by_hand() -> None:
    import rust_bridge

    assert rust_bridge.RUST_AVAILABLE
"""
NEW_VERSION = "99.0.0"  # any version the real template has not used
TEMPLATE_TEST_V2 = """


def test_added_by_template_v2() -> None:
    import rust_bridge

    assert callable(rust_bridge.{{ cookiecutter.function }})
"""


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tpl/template: a copy of the real template, later changed under a new version by make_v2()."""
    root = tmp_path_factory.mktemp("tpl")
    shutil.copytree(REPO / "devtool" / "template", root / "template")
    return root


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory, templates: Path) -> Iterator[Scratch]:
    engine, python = make_scratch(tmp_path_factory.mktemp("scratch"))
    scratch = Scratch(engine=engine, python=python)
    env = {"DEVTOOL_TEMPLATE": str(templates / "template")}
    for module, function in [("upd", "upd_zscore"), ("clash", "clash_fn")]:
        made = scratch.devtool(
            "new-module", module, "--function", function,
            "--signature", "values: f64[], window: usize -> f64[]", "--no-verify", env=env,
        )  # fmt: skip
        assert made.code == 0, made
    yield scratch


def engine_with_template_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the engine at tmp_path/engine; devtool renders a copy of the template, tmp_path/tpl/template
    (for make_v2), and keeps its cache in tmp_path/cache."""
    copy = copy_engine(tmp_path / "engine")
    shutil.copytree(REPO / "devtool" / "template", tmp_path / "tpl" / "template")
    monkeypatch.setenv("DEVTOOL_TEMPLATE", str(tmp_path / "tpl" / "template"))
    monkeypatch.setattr(runs, "CACHE_DIR", tmp_path / "cache")
    return copy


def make_v2(templates: Path) -> str:
    """Change the template under a new version: a bridge line and a new generated test. Returns the new
    version. The old one is kept nowhere: the base of the update is the render stored with each module."""
    current = templates / "template"
    config = current / "cookiecutter.json"
    data = json.loads(config.read_text())
    data["_template_version"] = NEW_VERSION
    config.write_text(json.dumps(data, indent=2))
    bridge = current / "templates" / "function" / "bridge.py.j2"
    assert BRIDGE_LINE in bridge.read_text()
    bridge.write_text(bridge.read_text().replace(BRIDGE_LINE, BRIDGE_LINE_V2))
    (test,) = (current / "{{cookiecutter.module}}" / "function").rglob("test_{{cookiecutter.function}}.py")
    test.write_text(test.read_text().rstrip("\n") + TEMPLATE_TEST_V2)
    return NEW_VERSION


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_update_keeps_hand_edits_and_brings_the_template_change(scratch: Scratch, templates: Path) -> None:
    engine = scratch.engine
    kernel = engine / "rust/src/upd/upd_zscore.rs"
    edit(kernel, "pub fn upd_zscore_into(", KERNEL_EDIT + "pub fn upd_zscore_into(")
    tests = engine / "tests/upd_tests/test_upd_zscore.py"
    edit(tests, "\n\ndef ", HAND_TEST + "\n\ndef ")
    edit(
        engine / "src/rust_bridge/clash_py.py", BRIDGE_LINE, 'backend: "rust" to insist, "python" to compare.'
    )
    make_v2(templates)
    assert not (templates / "template_history").exists()  # the base is the render stored with the module
    env = {"DEVTOOL_TEMPLATE": str(templates / "template")}

    listed = scratch.devtool("list", "--json", env=env).json()
    behind = {m["name"]: m["behind"] for m in listed["modules"]}
    assert {name: behind[name] for name in ("clash", "technical", "upd")} == {
        "clash": True,
        "technical": False,
        "upd": True,
    }

    updated = scratch.devtool("update-module", "upd", "--json", env=env)
    assert updated.code == 0, updated
    report = updated.json()
    assert report["verified"]
    assert set(report["modules"][0]["merged"]) >= {
        "src/rust_bridge/upd_py.py",
        "tests/upd_tests/test_upd_zscore.py",
    }
    assert KERNEL_EDIT in kernel.read_text()
    assert "def test_written_by_hand" in tests.read_text()
    assert "def test_added_by_template_v2" in tests.read_text()
    assert BRIDGE_LINE_V2 in (engine / "src/rust_bridge/upd_py.py").read_text()
    stored = engine / ".devtool/modules/upd/module/src/rust_bridge/upd_py.py.base"
    assert BRIDGE_LINE_V2 in stored.read_text()  # the new render is the base of the next update
    ran = scratch.python_run(
        "import subprocess, sys; sys.exit(subprocess.call([sys.executable, '-m', 'pytest', '-q', "
        "'-p', 'no:cacheprovider', 'tests/upd_tests', '-k', 'by_hand or template_v2']))"
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr

    listed = scratch.devtool("list", "--json", env=env).json()
    upd = next(m for m in listed["modules"] if m["name"] == "upd")
    assert (upd["template_version"], upd["behind"]) == (NEW_VERSION, False)


def test_update_of_a_current_module_changes_nothing(scratch: Scratch, templates: Path) -> None:
    before = tree_hash(scratch.engine)
    again = scratch.devtool("update-module", "upd", env={"DEVTOOL_TEMPLATE": str(templates / "template")})
    assert again.code == 0, again
    assert "already at the current template" in again.stdout
    assert tree_hash(scratch.engine) == before


def test_conflict_is_refused_and_nothing_is_written(scratch: Scratch, templates: Path) -> None:
    before = tree_hash(scratch.engine)
    refused = scratch.devtool("update-module", "clash", env={"DEVTOOL_TEMPLATE": str(templates / "template")})
    assert refused.code == 3, refused
    assert "src/rust_bridge/clash_py.py: lines" in refused.stderr
    assert tree_hash(scratch.engine) == before


def test_conflict_markers_are_written_and_the_module_flagged(scratch: Scratch, templates: Path) -> None:
    env = {"DEVTOOL_TEMPLATE": str(templates / "template")}
    marked = scratch.devtool("update-module", "clash", "--conflicts=markers", env=env)
    assert marked.code == 3, marked  # written, but conflicts are left to resolve
    bridge = (scratch.engine / "src/rust_bridge/clash_py.py").read_text()
    assert "<<<<<<< src/rust_bridge/clash_py.py (yours)" in bridge
    assert f">>>>>>> template {NEW_VERSION}" in bridge
    listed = scratch.devtool("list", "--json", env=env).json()
    clash = next(m for m in listed["modules"] if m["name"] == "clash")
    assert clash["needs_attention"] is True
