"""The template carries its own version: changing the template without changing its version fails here.

A module's record names the template version it was rendered with, `list` says a module is behind
when that is not the current one, and `update-module` merges the change since its stored render; so two
different templates must never share a version. To change the template:
  1. bump `_template_version` in devtool/template/cookiecutter.json,
  2. record the new fingerprint: pytest tests/test_template_version.py --update-golden
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import REPO

from devtool.scaffold.render import template_version

TEMPLATE = REPO / "devtool" / "template"
FINGERPRINT = Path(__file__).parent / "template_fingerprint.json"


def fingerprint(template: Path) -> str:
    """sha256 of everything that renders (the template's own README.md does not)."""
    digest = hashlib.sha256()
    files = (p for p in template.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in sorted(p for p in files if p != template / "README.md"):
        digest.update(path.relative_to(template).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def test_template_changes_come_with_a_new_version(request: pytest.FixtureRequest) -> None:
    current = {"version": template_version(TEMPLATE), "sha256": fingerprint(TEMPLATE)}
    if request.config.getoption("--update-golden"):
        FINGERPRINT.write_text(json.dumps(current, indent=2) + "\n")
    recorded = json.loads(FINGERPRINT.read_text())
    if current["sha256"] != recorded["sha256"]:
        assert current["version"] != recorded["version"], (
            f"devtool/template/ changed but its version is still {recorded['version']}: " + __doc__
        )
        pytest.fail(f"template version {current['version']} has no recorded fingerprint yet: " + __doc__)
