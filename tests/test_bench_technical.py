"""`devtool bench` in-process on the engine's `technical` module, as built in this checkout's .venv.

The workspace is a copy of engine/'s workspace files and benchmark files in tmp_path (so a test can
give it a `[tool.devtool.bench]` table); the code timed is the .venv's rust_bridge.
"""

from __future__ import annotations

import json
import shutil
import statistics
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from devtool.cli import main

REPO = Path(__file__).resolve().parent.parent
ENGINE = REPO / "engine"
WORKSPACE_FILES = ("pyproject.toml", "rust/Cargo.toml", "rust/src/lib.rs", "rust/src/python/mod.rs")

SMALL = ["--sizes", "1e3,1e4", "--quick"]


@pytest.fixture(scope="module", autouse=True)
def release_engine() -> None:
    import rust_bridge
    from rust_bridge import _native

    if not rust_bridge.RUST_AVAILABLE:
        pytest.skip("the compiled engine is not built: cd engine && maturin develop --release")
    if getattr(_native.native, "__build_profile__", None) != "release":
        pytest.skip("the .venv's engine is not a release build: cd engine && maturin develop --release")


@pytest.fixture
def engine(tmp_path: Path) -> Path:
    root = tmp_path / "engine"
    for rel in WORKSPACE_FILES:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ENGINE / rel, root / rel)
    shutil.copytree(ENGINE / "benchmarks", root / "benchmarks", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def bench(engine: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["bench", *args, "--engine", str(engine)])


def configure(engine: Path, toml: str) -> None:
    pyproject = engine / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + "\n" + toml, encoding="utf-8")


def test_prints_a_table_per_function_and_a_summary(engine: Path) -> None:
    result = bench(engine, "technical.sma", "technical.rsi", *SMALL)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for name in ("technical.sma", "technical.rsi"):
        assert f"{name}   gate: >= 2x at 1,000, 10,000" in out
    assert "fallback ns/el" in out and "95% CI" in out
    assert out.count("      1,000  ") == 2 and out.count("     10,000  ") == 2
    assert "crossover: none" in out
    summary = out.split("Summary", 1)[1]
    assert "PASS    technical.rsi" in summary and "PASS    technical.sma" in summary
    assert "technical.ema" not in out  # only what was asked for


def test_json_has_every_figure(engine: Path, tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    result = bench(engine, "technical.ema", *SMALL, "--json", str(path))
    assert result.exit_code == 0, result.output
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["ok"] is True and data["exit_code"] == 0
    assert data["environment"]["build_profile"] == "release"
    assert data["settings"]["sizes"] == [1000, 10000]
    (function,) = data["functions"]
    assert function["name"] == "technical.ema" and function["status"] == "pass"
    assert function["parity"] == {"ok": True, "sizes": [1000, 10000], "mismatch_size": None, "mismatch": None}
    assert function["gate"]["min_speedup"] == 2.0 and function["gate"]["sizes"] == [1000, 10000]
    for row in function["sizes"]:
        assert row["ci_low"] <= row["speedup"] <= row["ci_high"]
        assert len(row["rust_s"]) == len(row["fallback_s"]) == row["rounds"] >= 3
        # The speedup is the median of the per-round ratios (both timed in the same round), not a
        # ratio of medians, which a busy moment on one side of a round can move a long way.
        ratios = sorted(f / r for f, r in zip(row["fallback_s"], row["rust_s"], strict=True))
        assert row["speedup"] == pytest.approx(statistics.median(ratios))
        assert row["rust_ns_per_element"] == pytest.approx(row["rust_median_s"] * 1e9 / row["size"])
    assert function["speedup_at_largest"] == function["sizes"][-1]["speedup"]


def test_json_to_stdout_replaces_the_tables(engine: Path) -> None:
    result = bench(engine, "technical.sma", *SMALL, "--json", "-")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["functions"][0]["name"] == "technical.sma"


def test_a_module_name_selects_all_its_functions(engine: Path) -> None:
    result = bench(engine, "technical", "--sizes", "1e3", "--rounds", "3", "--json", "-")
    assert result.exit_code == 0, result.output
    names = {f["name"] for f in json.loads(result.stdout)["functions"]}
    assert {"technical.sma", "technical.ema", "technical.rsi", "technical.macd", "technical.atr"} <= names


def test_unknown_function_is_a_usage_error_listing_the_known_ones(engine: Path) -> None:
    result = bench(engine, "technical.nope", *SMALL)
    assert result.exit_code == 2, result.output
    assert "unknown benchmark 'technical.nope'" in result.stderr
    assert "technical.sma" in result.stderr


def test_an_error_is_json_too_when_json_goes_to_stdout(engine: Path) -> None:
    result = bench(engine, "technical.nope", "--json", "-")
    assert result.exit_code == 2, result.output
    assert json.loads(result.stdout) == {"ok": False, "error": result.stderr[7:].strip(), "exit_code": 2}


def test_gate_fails_when_the_bar_is_above_the_speedup(engine: Path) -> None:
    configure(engine, '[tool.devtool.bench.functions."technical.sma"]\nmin-speedup = 10000\n')
    result = bench(engine, "technical.sma", "technical.ema", *SMALL)
    assert result.exit_code == 8, result.output
    assert "below the speedup gate: technical.sma" in result.stderr
    summary = result.stdout.split("Summary", 1)[1]
    assert "FAIL    technical.sma" in summary and "below the 10000x bar" in summary
    assert "PASS    technical.ema" in summary  # the table's default bar still holds for the others


def test_min_speedup_option_overrides_the_configuration(engine: Path) -> None:
    configure(engine, "[tool.devtool.bench]\nmin-speedup = 10000\n")
    assert bench(engine, "technical.sma", *SMALL).exit_code == 8
    assert bench(engine, "technical.sma", *SMALL, "--min-speedup", "1.5").exit_code == 0


def test_plot_is_a_png(engine: Path, tmp_path: Path) -> None:
    path = tmp_path / "speedup.png"
    result = bench(engine, "technical.sma", "technical.macd", *SMALL, "--plot", str(path))
    assert result.exit_code == 0, result.output
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from matplotlib import image

    pixels = image.imread(str(path))
    assert pixels.ndim == 3 and pixels.shape[0] > 100 and pixels.shape[1] > 100
    assert f"plot written: {path}" in result.stdout


def test_threads_are_measured_against_one_thread(engine: Path) -> None:
    result = bench(engine, "technical.sma", "--sizes", "1e5", "--quick", "--threads", "2", "--json", "-")
    assert result.exit_code == 0, result.output
    threads = json.loads(result.stdout)["functions"][0]["threads"]
    assert threads["threads"] == 2 and threads["ratio"] > 0 and threads["single_s"] > 0


def test_save_then_compare_with_itself(engine: Path) -> None:
    saved = bench(engine, "technical.sma", *SMALL, "--save", "base")
    assert saved.exit_code == 0, saved.output
    path = engine / ".devtool" / "bench" / "base.json"
    assert path.is_file() and "technical.sma" in json.loads(path.read_text())["functions"]
    # Generous tolerance: this checks the plumbing; the scratch test makes a real regression.
    compared = bench(engine, "technical.sma", *SMALL, "--compare", "base", "--tolerance", "60%")
    assert compared.exit_code == 0, compared.output
    assert "Against baseline 'base'" in compared.stdout
    assert compared.stdout.count("technical.sma   ") >= 1


def test_compare_without_the_baseline_is_a_usage_error(engine: Path) -> None:
    result = bench(engine, "technical.sma", *SMALL, "--compare", "missing")
    assert result.exit_code == 2, result.output
    assert "no baseline 'missing'" in result.stderr


def test_warns_when_the_timed_bridge_is_not_the_workspaces(engine: Path) -> None:
    result = bench(engine, "technical.sma", *SMALL)
    assert "not the workspace's" in result.stderr
