"""Types from the run: what the hot functions without type hints were called with and gave back.

A second, unprofiled run of the target with a trace hook on those functions' code objects only (line events
off), in the manner of MonkeyType: each call's arguments and result are described (`ndarray[float64, 1-D]`,
`Series[float64]`, `float`, ...), and when every call agrees and each type maps, they make the `--signature`
of the printed `new-module --from` command.

A DataFrame is described by the numeric columns the kernel would take (`DataFrame[high, low, close]`,
a `frame[high, low, close]` in the signature): those of its numeric columns the function's body reads
by name (`scaffold.frame_columns`), or all of them when it reads none by name (`itertuples`).
"""

from __future__ import annotations

import contextlib
import functools
import io
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from ..errors import SignatureError
from ..scaffold.frame_columns import columns_read
from ..scaffold.signature import parse_signature
from .graph import FuncKey
from .target import Target, prepare, run

#: A described type -> the signature type it maps to (those missing do not map).
_MAPPED = {
    "ndarray[float64, 1-D]": "f64[]",
    "ndarray[int64, 1-D]": "i64[]",
    "ndarray[float64, 2-D]": "f64[,]",
    "Series[float64]": "f64[]",
    "Series[int64]": "i64[]",
    "float": "f64",
    "int": "i64",
    "bool": "bool",
}


@dataclass(frozen=True)
class Observed:
    """The types one function was seen with; `signature` when they map, `hints` to write when Series."""

    calls: int
    parameters: tuple[tuple[str, str], ...]  # (name, described type; "a | b" when calls disagreed)
    result: str
    signature: str | None
    hints: str | None  # `close: pd.Series, alpha: float -> pd.Series`: what to write when a Series crossed


def observe(target: Target, cwd: Path, functions: Iterable[FuncKey]) -> dict[FuncKey, Observed]:
    """Run `target` once more, unprofiled and silenced, recording the calls of `functions`."""
    wanted = {(k.line, k.name.rsplit(".", 1)[-1]): k for k in functions}
    if not wanted:
        return {}
    files = {k: str(Path(k.file).resolve()) for k in wanted.values()}
    seen: dict[FuncKey, list[tuple[dict[str, str], str]]] = defaultdict(list)

    def on_call(frame: FrameType, event: str, arg: Any) -> Any:
        code = frame.f_code
        key = wanted.get((code.co_firstlineno, code.co_name))
        if event != "call" or key is None or str(Path(code.co_filename).resolve()) != files[key]:
            return None
        names = code.co_varnames[: code.co_argcount]
        params = {n: describe(frame.f_locals.get(n), functools.partial(columns_read, code, n)) for n in names}
        frame.f_trace_lines = False

        def on_return(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "return":
                seen[key].append((params, describe(arg)))
            return on_return

        return on_return

    def runner(func: Any, *args: Any, **kwargs: Any) -> object:
        sys.settrace(on_call)
        try:
            return func(*args, **kwargs)
        finally:
            sys.settrace(None)

    silenced = io.StringIO()
    quiet = contextlib.redirect_stdout(silenced), contextlib.redirect_stderr(silenced)
    with contextlib.suppress(Exception), quiet[0], quiet[1]:
        run(prepare(target, cwd), runner)
    return {key: _summary(calls) for key, calls in seen.items() if calls}


def describe(value: Any, read: Callable[[], tuple[str, ...]] = tuple) -> str:
    """`ndarray[float64, 1-D]`, `Series[float64]`, `DataFrame[high, low]`, `float`, `int`, `bool`, or the
    type's name. A DataFrame's: its numeric columns among those `read` gives, or all when it gives none."""
    kind = type(value)
    if kind.__name__ in ("Series", "DataFrame") and kind.__module__.split(".")[0] == "pandas":
        return f"Series[{value.dtype}]" if kind.__name__ == "Series" else _frame(value, read())
    if kind.__name__ == "ndarray" and kind.__module__ == "numpy":
        return f"ndarray[{value.dtype}, {value.ndim}-D]"
    if isinstance(value, bool) or kind.__name__ == "bool_":
        return "bool"
    if isinstance(value, int) or kind.__name__ in ("int64", "int32"):
        return "int"
    if isinstance(value, float) or kind.__name__ in ("float64", "float32"):
        return "float"
    if isinstance(value, tuple):
        return "tuple[" + ", ".join(describe(v) for v in value) + "]"
    return kind.__qualname__


def _frame(value: Any, read: tuple[str, ...]) -> str:
    numeric = [str(c) for c, dtype in value.dtypes.items() if dtype.kind in "biuf"]
    taken = [c for c in read if c in numeric] if read else numeric
    return f"DataFrame[{', '.join(taken)}]"


def _summary(calls: list[tuple[dict[str, str], str]]) -> Observed:
    names = list(calls[0][0])
    parameters = tuple((n, " | ".join(sorted({c[0].get(n, "?") for c in calls}))) for n in names)
    result = " | ".join(sorted({c[1] for c in calls}))
    signature, hints = _signature(parameters, result), _hints(parameters, result)
    return Observed(len(calls), parameters, result, signature, hints)


def _signature(parameters: tuple[tuple[str, str], ...], result: str) -> str | None:
    results = _items(result[len("tuple[") : -1]) if result.startswith("tuple[") else [result]
    if any(_mapped(t) is None for _, t in parameters) or any(r not in _MAPPED for r in results):
        return None
    mapped = [_MAPPED[r] for r in results]
    returns = mapped[0] if len(mapped) == 1 else "(" + ", ".join(mapped) + ")"
    text = ", ".join(f"{n}: {_mapped(t)}" for n, t in parameters) + f" -> {returns}"
    try:
        return str(parse_signature(text))
    except SignatureError:
        return None


def _items(described: str) -> list[str]:
    """The items of a described tuple's inside, split at its top-level commas only (an item
    `ndarray[float64, 1-D]` has a comma of its own)."""
    items, depth, start = [], 0, 0
    for at, char in enumerate(described):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append(described[start:at].strip())
            start = at + 1
    return [*items, described[start:].strip()]


def _mapped(described: str) -> str | None:
    """The signature type of a described type: `DataFrame[a, b]` is `frame[a, b]` (None without columns)."""
    if described.startswith("DataFrame[") and described != "DataFrame[]":
        return "frame" + described[len("DataFrame") :]
    return _MAPPED.get(described)


def _hints(parameters: tuple[tuple[str, str], ...], result: str) -> str | None:
    """The hints to write when a Series crossed: the bridge needs them to give Series back (a Series
    result taken from a DataFrame needs none: the bridge labels it like the frame)."""
    framed = any(t.startswith("DataFrame[") for _, t in parameters)
    if not any(t.startswith("Series[") for _, t in parameters) and (
        framed or not result.startswith("Series[")
    ):
        return None
    python = {
        "Series[float64]": "pd.Series",
        "Series[int64]": 'Annotated[pd.Series, "i64[]"]',  # pd.Series[int]: TypeError sans pandas-stubs
        "ndarray[float64, 1-D]": "npt.NDArray[np.float64]",
        "ndarray[int64, 1-D]": "npt.NDArray[np.int64]",
        "float": "float",
        "int": "int",
        "bool": "bool",
    }
    python |= {t: "pd.DataFrame" for _, t in parameters if t.startswith("DataFrame[")}
    if any(t not in python for _, t in [*parameters, ("", result)]):
        return None
    return ", ".join(f"{n}: {python[t]}" for n, t in parameters) + f" -> {python[result]}"
