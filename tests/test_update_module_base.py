"""The base of `update-module` is the module's own render, stored next to its record: written with the
module, kept in step by every command, the only base an update needs (no old template anywhere).

No build here (`--no-verify`, or a build that fails on purpose); the slow file builds a merged module.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO
from e2e_support import tree_hash
from test_update_module_e2e import (
    BRIDGE_LINE,
    BRIDGE_LINE_V2,
    KERNEL_EDIT,
    NEW_VERSION,
    edit,
    engine_with_template_copy,
    make_v2,
)

from devtool.cli import main
from devtool.errors import VerifyError
from devtool.records import RECORDS_DIR, read_record
from devtool.scaffold import update_module
from devtool.scaffold.pristine import SUFFIX, read_pristine, render_pristine, template_versions
from devtool.scaffold.render import template_version
from devtool.workspace import Workspace

BASE = ".devtool/modules/upd"
BRIDGE = "src/rust_bridge/upd_py.py"
STORED_BRIDGE = f"module/{BRIDGE}{SUFFIX}"  # the bridge as the template rendered it, kept under BASE
KERNEL = "rust/src/upd/upd_zscore.rs"
NEW = [
    "new-module",
    "upd",
    "--function",
    "upd_zscore",
    "--signature",
    "values: f64[], window: usize -> f64[]",
]


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the engine, devtool rendering a copy of the template (tmp_path/tpl/template)."""
    return engine_with_template_copy(tmp_path, monkeypatch)


def run(engine: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, [*args, "--engine", str(engine)])
    assert result.exit_code == code, result.output
    return result.output


def stored(engine: Path) -> dict[str, str]:
    """The module upd's stored render, as {path under its folder: sha256}."""
    return tree_hash(engine / BASE)


def test_new_module_stores_what_it_wrote_and_a_dry_run_shows_it(engine: Path) -> None:
    dry = run(engine, *NEW, "--dry-run")
    assert f"create {BASE}/{STORED_BRIDGE}" in dry
    assert f"create {BASE}/functions/upd_zscore/files/{KERNEL}{SUFFIX}" in dry
    assert f"create {BASE}/functions/upd_zscore/append/{BRIDGE}" in dry
    assert not (engine / BASE).exists()

    output = run(engine, *NEW, "--no-verify")
    assert f"stored   {BASE}/ (the template's render" in output
    ws = Workspace(engine)
    record = read_record(ws, "upd")
    assert record is not None
    base = read_pristine(ws, record)
    assert base is not None and sorted(base.files) == sorted(record.files)
    assert base.files == {path: (engine / path).read_text() for path in record.files}


def test_adding_then_removing_a_function_keeps_the_stored_render_in_step(engine: Path) -> None:
    run(engine, *NEW, "--no-verify")
    before = stored(engine)
    run(engine, "new-module", "upd", "--function", "second", "--no-verify")
    part = engine / BASE / "functions/second"
    assert (part / f"files/rust/src/upd/second.rs{SUFFIX}").read_text() == (
        engine / "rust/src/upd/second.rs"
    ).read_text()
    fragment = (part / "append" / f"{BRIDGE}{SUFFIX}").read_text()
    assert fragment in (engine / BASE / STORED_BRIDGE).read_text()
    assert (engine / BASE / STORED_BRIDGE).read_text() == (engine / BRIDGE).read_text()
    assert "second::register(m)?;" in (engine / BASE / f"module/rust/src/upd/mod.rs{SUFFIX}").read_text()

    run(engine, "remove-module", "upd.second", "--no-verify", "--yes")
    assert stored(engine) == before


def test_update_merges_from_the_stored_render_with_no_old_template_anywhere(engine: Path) -> None:
    run(engine, *NEW, "--no-verify")
    edit(engine / KERNEL, "pub fn upd_zscore_into(", KERNEL_EDIT + "pub fn upd_zscore_into(")
    templates = engine.parent / "tpl"
    make_v2(templates)
    assert sorted(p.name for p in templates.iterdir()) == ["template"]  # the old version is gone

    output = run(engine, "update-module", "upd", "--no-verify")
    assert "upd: template 1." in output and f"merged   {BRIDGE}" in output
    assert KERNEL_EDIT in (engine / KERNEL).read_text()
    assert BRIDGE_LINE_V2 in (engine / BRIDGE).read_text()
    base = engine / BASE
    assert BRIDGE_LINE_V2 in (base / STORED_BRIDGE).read_text()  # the new render is the next base
    assert KERNEL_EDIT not in (base / "functions/upd_zscore/files" / f"{KERNEL}{SUFFIX}").read_text()
    assert (
        "test_added_by_template_v2"
        in (base / f"functions/upd_zscore/files/tests/upd_tests/test_upd_zscore.py{SUFFIX}").read_text()
    )
    assert json.loads((engine / RECORDS_DIR / "upd.json").read_text())["template_version"] == NEW_VERSION
    assert "upd: already at the current template" in run(engine, "update-module", "upd", "--no-verify")


def test_a_module_of_an_older_template_without_its_render_is_refused_with_the_way_on(engine: Path) -> None:
    run(engine, *NEW, "--no-verify")
    shutil.rmtree(engine / BASE)  # as made by a devtool that did not store renders
    make_v2(engine.parent / "tpl")
    before = tree_hash(engine)
    output = run(engine, "update-module", "upd", "--no-verify", code=2)
    assert "module 'upd' was generated with template 1." in output
    assert "its render is not stored" in output and "--base-from-current" in output
    assert tree_hash(engine) == before

    output = run(engine, "update-module", "upd", "--base-from-current", "--no-verify")
    assert "(--base-from-current): your files are kept as they are" in output
    changed = {p for p, h in tree_hash(engine).items() if before.get(p) != h}
    assert changed == {f"{RECORDS_DIR}/upd.json"} | {f"{BASE}/{p}" for p in stored(engine)}
    assert BRIDGE_LINE in (engine / BRIDGE).read_text()  # nothing of the template's change was merged
    assert BRIDGE_LINE_V2 in (engine / BASE / STORED_BRIDGE).read_text()
    assert "upd: already at the current template" in run(engine, "update-module", "upd", "--no-verify")


def test_a_current_module_without_its_render_gets_it_stored_and_removes_as_before(engine: Path) -> None:
    run(engine, *NEW, "--no-verify")
    run(engine, "new-module", "upd", "--function", "second", "--no-verify")
    kept = stored(engine)
    shutil.rmtree(engine / BASE)
    (engine / KERNEL).write_text((engine / KERNEL).read_text() + "// mine\n")

    # remove-module renders the missing base at the current template, the version the module was made with
    output = run(engine, "remove-module", "upd.second", "--no-verify", "--yes", "--dry-run")
    assert "rust/src/upd/second.rs" in output and "your edits" not in output
    output = run(engine, "remove-module", "upd", "--no-verify", "--yes", "--dry-run")
    assert "your edits" in output and KERNEL in output

    output = run(engine, "update-module", "--no-verify")
    assert "upd: its template render stored as the base of later updates" in output
    assert stored(engine) == kept


def test_remove_module_deletes_the_stored_render(engine: Path) -> None:
    before = tree_hash(engine)
    run(engine, *NEW, "--no-verify")
    run(engine, "new-module", "upd", "--function", "second", "--no-verify")
    output = run(engine, "remove-module", "upd", "--no-verify", "--yes")
    assert ".devtool/modules/upd/" not in output  # devtool's own files are not listed one by one
    assert tree_hash(engine) == before
    assert not (engine / BASE).exists()


def test_a_failed_update_rolls_back_the_render_it_stored(
    engine: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(engine, *NEW, "--no-verify")
    make_v2(engine.parent / "tpl")
    before = tree_hash(engine)

    def fail(*args: object, **kwargs: object) -> None:
        raise VerifyError("the build failed (on purpose)")

    monkeypatch.setattr(update_module, "verify_modules", fail)
    output = run(engine, "update-module", "upd", code=4)
    assert "the build failed (on purpose)" in output
    assert "every change of this run was rolled back" in output
    assert "--keep" not in output  # update-module has no --keep to offer
    assert tree_hash(engine) == before
    assert BRIDGE_LINE in (engine / BASE / STORED_BRIDGE).read_text()


def test_the_engines_stored_renders_are_its_modules_renders() -> None:
    ws = Workspace(REPO / "engine")
    current = template_version(REPO / "devtool" / "template")
    for path in sorted((REPO / "engine" / RECORDS_DIR).glob("*.json")):
        record = read_record(ws, path.stem)
        assert record is not None
        base = read_pristine(ws, record)
        assert base is not None, f"{path.stem}: no stored render (devtool update-module stores it)"
        if template_versions(record) == {current}:  # else update-module renders it again when it updates
            assert base == render_pristine(record, lambda _: REPO / "devtool" / "template"), path.stem
