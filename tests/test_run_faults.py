"""Runs killed, stopped or failing midway, with real processes: a fake `maturin` stands in for the build.

The fake writes an extension into the workspace (as `maturin develop` does), starts a child of its own
(as maturin starts cargo, and cargo rustc), then waits; so a test can kill or stop devtool at the
moment a real build would be running, without compiling anything.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import copy_engine, snapshot_tree
from e2e_support import Result, tree_hash

EXTENSION = "src/crypto_trading_engine/crypto_trading_engine.cpython-311-x86_64-linux-gnu.so"
NEW_EXTENSION = "src/crypto_trading_engine/crypto_trading_engine.abi3.so"
ORIGINAL_BYTES = b"the extension as built before the run"
SIGNATURE = "values: f64[] -> f64[]"

FAKE_MATURIN = f"""#!/bin/sh
if [ "$1" = "--version" ]; then echo "maturin 9.9.9 (fake)"; exit 0; fi
echo "fake maturin: building"
if [ "$FAKE_MATURIN_FAILS" = "1" ]; then echo "error: the fake build failed"; exit 1; fi
printf 'built by the interrupted run' > {EXTENSION}
printf 'built by the interrupted run' > {NEW_EXTENSION}
sleep 300 &
echo $! > "$FAKE_STATE/grandchild.pid"
echo $$ > "$FAKE_STATE/maturin.pid"
echo "fake maturin: installed, now waiting like a long build"
wait
"""


@dataclass
class Setup:
    engine: Path
    state: Path  # where the fake maturin leaves its pids
    env: dict[str, str]

    def argv(self, *args: str) -> list[str]:
        """devtool with `args` on this engine (`init`, which makes an engine, is given its folder instead)."""
        engine = [] if args[0] == "init" else ["--engine", str(self.engine)]
        return [sys.executable, "-m", "devtool", *args, *engine]

    def devtool(self, *args: str, extra: dict[str, str] | None = None) -> Result:
        proc = subprocess.run(
            self.argv(*args), env={**self.env, **(extra or {})}, capture_output=True, text=True, timeout=120
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def start(self, *args: str) -> subprocess.Popen[str]:
        """devtool in a process group of its own, as a shell starts a job."""
        return subprocess.Popen(
            self.argv(*args),
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    def pid(self, name: str, timeout: float = 60) -> int:
        """The pid the fake maturin wrote (waiting for it): once there, the extension is installed."""
        path = self.state / f"{name}.pid"
        deadline = time.monotonic() + timeout
        while not (path.is_file() and path.read_text().strip()):
            assert time.monotonic() < deadline, f"the fake maturin did not start ({path})"
            time.sleep(0.05)
        return int(path.read_text())


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting to be reaped does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    engine = tmp_path / "engine"
    copy_engine(engine)
    (engine / EXTENSION).write_bytes(ORIGINAL_BYTES)
    bin_dir, state = tmp_path / "bin", tmp_path / "fake-state"
    bin_dir.mkdir()
    state.mkdir()
    (bin_dir / "maturin").write_text(FAKE_MATURIN)
    (bin_dir / "maturin").chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),  # the lock and journal of this test only
        "FAKE_STATE": str(state),
    }
    env.pop("VIRTUAL_ENV", None)
    yield Setup(engine, state, env)
    for name in ("maturin", "grandchild"):  # whatever a failing test left running
        path = state / f"{name}.pid"
        if path.is_file() and path.read_text().strip() and alive(int(path.read_text())):
            os.kill(int(path.read_text()), signal.SIGKILL)


@pytest.fixture
def killed_run(setup: Setup) -> Setup:
    """`new-module k` killed with its whole process group (`kill -KILL -- -PGID`) while it builds."""
    proc = setup.start("new-module", "k", "--function", "k_f", "--signature", SIGNATURE)
    maturin = setup.pid("maturin")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert (setup.engine / "rust/src/k/k_f.rs").is_file()  # killed midway: the journal is left
    assert (setup.engine / EXTENSION).read_bytes() != ORIGINAL_BYTES
    assert gone_within(maturin, 10), "the build outlived devtool: it could install an extension later"
    return setup


def kill_while_building(setup: Setup, *args: str) -> None:
    """`devtool ARGS` killed with its whole process group (`kill -KILL -- -PGID`) while it builds."""
    proc = setup.start(*args)
    maturin = setup.pid("maturin", timeout=120)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert gone_within(maturin, 10), "the build outlived devtool: it could install an extension later"


@pytest.mark.parametrize("existing", [True, False], ids=["in-a-project", "in-a-new-folder"])
def test_a_killed_init_is_put_back_by_the_next_init(setup: Setup, tmp_path: Path, existing: bool) -> None:
    projects = tmp_path / "projects"
    project = projects / "desk"
    project.mkdir(parents=True)
    if existing:
        (project / "pyproject.toml").write_text('[project]\nname = "desk"\n')
        (project / ".gitignore").write_text("*.so\n")
    else:
        project.rmdir()  # init makes the folder: the recovery must take it away again
    before = snapshot_tree(projects)
    kill_while_building(setup, "init", str(project), "--name", "crypto_trading_engine")
    assert (project / "engine" / EXTENSION).is_file()  # killed midway: the engine, the built extension
    again = setup.devtool("init", str(project), "--name", "crypto_trading_engine", "--dry-run")
    assert again.code == 0, again
    assert "recovered first from an interrupted devtool run" in again.stdout
    assert snapshot_tree(projects) == before


def test_a_killed_add_crate_is_put_back_by_the_next_run(setup: Setup) -> None:
    before = snapshot_tree(setup.engine)
    kill_while_building(setup, "add-crate", "market_data", "itoa")
    assert "itoa" in (setup.engine / "rust/Cargo.toml").read_text()  # killed midway: the journal is left
    again = setup.devtool("new-module", "other", "--dry-run")  # any changing run recovers first
    assert again.code == 0, again
    assert "recovered first from an interrupted devtool run" in again.stdout
    assert snapshot_tree(setup.engine) == before
    assert (setup.engine / EXTENSION).read_bytes() == ORIGINAL_BYTES


def test_the_next_run_recovers_first_then_plans_and_says_what_it_recovered(killed_run: Setup) -> None:
    made = killed_run.devtool(
        "new-module", "other", "--function", "other_f", "--signature", SIGNATURE, "--no-verify"
    )
    assert made.code == 0, made
    assert "recovered first from an interrupted devtool run" in made.stdout
    assert "removed folder rust/src/k" in made.stdout
    assert not (killed_run.engine / "rust/src/k").exists()
    assert "pub mod k;" not in (killed_run.engine / "rust/src/lib.rs").read_text()
    assert (killed_run.engine / "rust/src/other/other_f.rs").is_file()


def test_remove_module_after_a_kill_sees_the_recovered_tree(killed_run: Setup) -> None:
    removed = killed_run.devtool("remove-module", "k", "--yes", "--no-verify")
    assert removed.code == 2, removed  # k never existed once the tree is recovered
    assert "no module 'k'" in removed.stderr
    assert "recovered first from an interrupted devtool run" in removed.stderr
    assert "missing" not in removed.stderr


def test_the_extension_built_by_a_killed_run_is_rolled_back_with_the_sources(
    killed_run: Setup, tmp_path: Path
) -> None:
    pristine = tmp_path / "pristine"
    copy_engine(pristine)
    listed = killed_run.devtool("new-module", "other", "--dry-run")  # any run recovers first
    assert listed.code == 0, listed
    assert (killed_run.engine / EXTENSION).read_bytes() == ORIGINAL_BYTES
    assert not (killed_run.engine / NEW_EXTENSION).exists()
    assert tree_hash(killed_run.engine) == tree_hash(pristine)


def test_sigterm_during_the_build_stops_every_process_it_started_and_rolls_back(setup: Setup) -> None:
    before = tree_hash(setup.engine)
    proc = setup.start("new-module", "k", "--function", "k_f", "--signature", SIGNATURE)
    maturin, grandchild = setup.pid("maturin"), setup.pid("grandchild")
    os.kill(proc.pid, signal.SIGTERM)  # devtool's pid only, not its group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "rolled back" in err
    assert gone_within(maturin, 5) and gone_within(grandchild, 5), "the build outlived devtool"
    assert tree_hash(setup.engine) == before
    assert (setup.engine / EXTENSION).read_bytes() == ORIGINAL_BYTES


@pytest.mark.parametrize(
    ("keep", "says"),
    [
        (
            False,
            "every change of this run was rolled back (files and built extension as before); rerun "
            "with --keep to keep the files where they failed and edit them there",
        ),
        (True, "kept for inspection (--keep)"),
    ],
)
def test_a_failed_build_says_whether_the_changes_were_rolled_back_or_kept(
    setup: Setup, keep: bool, says: str
) -> None:
    keep_flag = ["--keep"] if keep else []
    failed = setup.devtool(
        "new-module", "k", "--function", "k_f", *keep_flag, extra={"FAKE_MATURIN_FAILS": "1"}
    )
    assert failed.code == 4, failed
    assert "the fake build failed" in failed.stderr
    assert says in failed.stderr
    assert (setup.engine / "rust/src/k").exists() == keep
    assert (setup.engine / ".devtool/modules/k").exists() == keep  # the stored render goes with the rest


# --- a workspace that cannot be written: read-only, full, immutable ---------------------------------------


def sh(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False)


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` as a read-only bind mount of itself (chmod does not stop root)."""
    bound = sh("mount", "--bind", str(folder), str(folder))
    if bound.returncode != 0:
        pytest.skip(f"cannot make a bind mount here: {bound.stderr.strip()}")
    try:
        remounted = sh("mount", "-o", "remount,bind,ro", str(folder))
        if remounted.returncode != 0:
            pytest.skip(f"cannot remount read-only here: {remounted.stderr.strip()}")
        yield
    finally:
        sh("umount", str(folder))


@contextmanager
def immutable(path: Path) -> Iterator[None]:
    """`chattr +i path`: not even root may replace it (EPERM)."""
    made = sh("chattr", "+i", str(path))
    if made.returncode != 0:
        pytest.skip(f"chattr +i is not supported here: {made.stderr.strip() or 'chattr missing'}")
    try:
        yield
    finally:
        sh("chattr", "-i", str(path))


@pytest.fixture
def full_disk(setup: Setup, tmp_path: Path) -> Iterator[Setup]:
    """The engine on a small tmpfs with 8 KiB left: the new module's files do not fit (ENOSPC)."""
    mount = tmp_path / "small-fs"
    mount.mkdir()
    made = sh("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount))
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        shutil.copytree(setup.engine, mount / "engine")
        free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
        (mount / "filler").write_bytes(b"\0" * (free - 8192))
        yield Setup(mount / "engine", setup.state, setup.env)
    finally:
        sh("umount", str(mount))


def assert_refused_cleanly(setup: Setup, cause: str, path: str) -> None:
    """Two runs in a row: each one error naming the path and the cause, exit 1, nothing changed or left."""
    before = tree_hash(setup.engine)
    for _ in range(2):  # the second run is not stuck on a journal the first one left
        result = setup.devtool(
            "new-module", "k", "--function", "k_f", "--signature", SIGNATURE, "--no-verify"
        )
        assert result.code == 1, result
        assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr, result
        assert cause in result.stderr and path in result.stderr, result
        assert "rollback" not in result.stderr, result
        assert tree_hash(setup.engine) == before
        assert not list(Path(setup.env["XDG_CACHE_HOME"]).glob("devtool/workspaces/*/journal"))


def test_a_read_only_engine_is_one_error_and_no_stuck_journal(setup: Setup) -> None:
    with read_only(setup.engine):
        assert_refused_cleanly(setup, "Read-only file system (EROFS)", str(setup.engine))


def test_a_read_only_package_folder_is_one_error_and_no_stuck_journal(setup: Setup) -> None:
    package = setup.engine / "src/crypto_trading_engine"
    with read_only(package):
        assert_refused_cleanly(setup, "Read-only file system (EROFS)", str(package / "k.pyi"))


def test_no_space_left_is_one_error_and_no_stuck_journal(full_disk: Setup) -> None:
    assert_refused_cleanly(full_disk, "No space left on device (ENOSPC)", str(full_disk.engine))


def test_an_immutable_file_is_one_error_and_no_stuck_journal(setup: Setup) -> None:
    lib_rs = setup.engine / "rust/src/lib.rs"
    with immutable(lib_rs):
        assert_refused_cleanly(setup, "Operation not permitted (EPERM)", str(lib_rs))
