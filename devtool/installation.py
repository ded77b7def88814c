"""Where the active environment's engine comes from, and the warning when that is another workspace.

`maturin develop` installs a workspace's engine into the active virtualenv as an editable install: a
`.pth` line pointing into the workspace and a `direct_url.json` naming it. Building another workspace
(`new-module --engine OTHER`) re-points the same environment, which from then on imports OTHER's
engine. `devtool doctor` and every build say so, with the same words.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .workspace import Workspace

# In a child interpreter: the parent's sys.path was fixed at its start, before a build added a .pth line.
# Nothing is imported: find_spec locates the package, the metadata names the folder it was installed from.
_PROBE = """
import importlib.metadata, importlib.util, json, sys
from urllib.parse import unquote, urlparse
package, distribution = sys.argv[1:]
out = {"location": None, "source": None, "editable": False, "bridge": None}
for name, key in ((package, "location"), ("rust_bridge", "bridge")):
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.origin:
        out[key] = spec.origin
try:
    direct = importlib.metadata.distribution(distribution).read_text("direct_url.json")
except importlib.metadata.PackageNotFoundError:
    direct = None
if direct:
    data = json.loads(direct)
    url = urlparse(data.get("url", ""))
    if url.scheme == "file":
        out["source"] = unquote(url.path)
        out["editable"] = bool(data.get("dir_info", {}).get("editable"))
print(json.dumps(out))
"""


@dataclass(frozen=True)
class Installation:
    """The engine the active environment imports: where its package is, and what it was installed from."""

    environment: str  # sys.prefix of the interpreter devtool runs in
    location: str | None  # the package's __init__ (or module file); None: not importable here
    source: str | None  # the folder pip or maturin installed it from (direct_url.json), if any
    editable: bool  # `maturin develop` / `pip install -e`: it imports the workspace's files
    #: where `import rust_bridge` finds the bridge: every engine has a package of that name, so with two
    #: engines installed in one environment it may be the other engine's (None: not importable here)
    bridge: str | None = None

    def workspace(self) -> Path | None:
        """The workspace this environment's engine is built from; None for a wheel or none at all.

        An editable install's package is found inside the folder it was installed from; when that folder
        was deleted, nothing is found but the install still points there (and imports nothing).
        """
        if not self.editable or self.source is None:
            return None
        source = Path(self.source)
        if self.location is None:
            return None if source.exists() else source
        return source if Path(self.location).resolve().is_relative_to(source.resolve()) else None

    def is_from(self, ws: Workspace) -> bool:
        built = self.workspace()
        return built is not None and _same(built, ws.root)


def installation(ws: Workspace, python: str = sys.executable) -> Installation:
    """Probe (in a child interpreter) which engine `python`'s environment imports under `ws`'s names."""
    prefix = str(Path(sys.prefix))
    proc = subprocess.run(
        [python, "-P", "-c", _PROBE, ws.extension_name, ws.distribution_name],  # -P: not the cwd's packages
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if proc.returncode != 0:
        return Installation(prefix, None, None, False)
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return Installation(prefix, data["location"], data["source"], bool(data["editable"]), data["bridge"])


def repointed_warning(imported: Path, expected: Path, environment: str) -> str:
    """The one sentence doctor and every build print when the environment imports another workspace's engine.

    `imported`: the workspace whose engine the environment imports now; `expected`: the one it should.
    """
    gone = "" if imported.exists() else " (that folder no longer exists)"
    return (
        f"THE ACTIVE ENVIRONMENT IMPORTS ANOTHER WORKSPACE'S ENGINE: {environment} imports the engine "
        f"built from {imported}{gone}, not from {expected}. Python code run here uses that build. "
        f"To fix: cd {expected} && maturin develop (add --release for a release build), or build it "
        "with any devtool command run there"
    )


def foreign_bridge(installed: Installation, ws: Workspace) -> str | None:
    """Why `import rust_bridge` does not import `ws`'s bridge although its engine is installed from it
    (another engine installed in the same environment, whose `rust_bridge` comes first), else None."""
    if not installed.is_from(ws) or installed.bridge is None:
        return None
    bridge = Path(installed.bridge).parent
    if bridge.resolve().is_relative_to(ws.root.resolve()):
        return None
    return (
        f"{installed.environment} imports rust_bridge from {bridge}, not from {ws.bridge_dir}: another "
        "engine is installed in this environment, and every engine has a package named rust_bridge. "
        "This workspace's bridge, fallbacks and generated tests are not what Python runs (new-module's "
        "tests fail with ImportError)"
    )


def repointed_by_build(before: Installation, after: Installation, ws: Workspace) -> str | None:
    """The warning when a build of `ws` took over an environment that imported another workspace's engine."""
    previous = before.workspace()
    if previous is None or _same(previous, ws.root) or not after.is_from(ws):
        return None
    return repointed_warning(ws.root, previous, after.environment)


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b
