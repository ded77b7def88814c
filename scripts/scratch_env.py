"""Make DEST/engine (a copy of engine/) and DEST/venv (a virtualenv that sees this checkout's .venv packages).

Used by the demo and the end-to-end tests so that a real `maturin develop` never replaces the
developer's own build of engine/.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns("target", ".devtool", "__pycache__", "*.so", ".benchmarks", ".hypothesis")


def make_scratch(dest: Path) -> tuple[Path, Path]:
    """Copy the engine and create the virtualenv; return (engine dir, venv python)."""
    engine = dest / "engine"
    shutil.copytree(REPO / "engine", engine, ignore=IGNORE)
    venv = dest / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Plain path lines: the parent's packages (numpy, pytest, maturin, ...) and devtool's source, but not
    # the parent's own editable install of the engine (a .pth inside a .pth directory is not processed).
    (Path(site) / "_devtool_parent.pth").write_text(f"{sysconfig.get_path('purelib')}\n{REPO}\n")
    return engine, python


if __name__ == "__main__":
    make_scratch(Path(sys.argv[1]))
