"""What `new-module --from` makes of the Python function's body: devtool's translation, or why not.

The translator (`devtool.translate`) runs at plan time with the signature `new-module` already has. Its
Rust becomes the kernel only after the module's tests, the parity tests on generated inputs among them,
have passed: `new_module` applies the translated plan, and when the tests fail it rolls it back and
applies the unwritten scaffold instead, keeping the translation in a comment with the counterexample
read back from the pytest log (`counterexample_of`).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..errors import VerifyError
from ..translate import Refusal, translate
from ..workspace import Workspace
from .python_source import PythonFunction
from .signature import Signature

#: The engine's error enum, which a translated kernel `use`s (one variant per Python exception).
ERROR_PATH = "crate::support::KernelError"
#: The bridge module the parity tests of a translated kernel draw their inputs from.
AGREEMENT_MODULE = "_agreement.py"

#: What became of the kernel: translated, verified and served; translated but not built (--no-verify),
#: so not served; not translated (refused, or not asked: --no-translate); translated but disagreeing
#: with the Python function (not served); or not made from a Python function (the template's placeholder).
KernelState = Literal["translated", "unverified", "refused", "not-asked", "disagreed", "placeholder"]


@dataclass(frozen=True)
class KernelOutcome:
    """The kernel `new-module` made: its state, the Rust it translated, and why it is not served."""

    state: KernelState
    rust: str | None = None
    refusals: tuple[Refusal, ...] = ()
    counterexample: str | None = None
    examples: int = 0  # how many generated inputs the parity test tried (a verified translation)
    #: where the translation rests on an assumption (`Translation.notes`): the likely cause of a disagreement
    notes: tuple[str, ...] = ()

    @property
    def not_served(self) -> str | None:
        """Why a translation is not served (None: it is, or there is none), as the kernel's file says."""
        if self.state == "disagreed":
            return f"it disagreed with the Python function: {self.counterexample}"
        if self.state == "unverified":
            return "it is not verified: new-module ran with --no-verify; make the module again without it"
        return None


def translate_function(ws: Workspace, source: PythonFunction, signature: Signature) -> KernelOutcome:
    """The translation of `source` into a kernel with `signature`'s types, not yet verified; or every
    reason it cannot be one (state "refused"; a reason that is not about one line has line 0)."""
    reasons = _unsupported(ws, signature)
    file = _source_file(source)
    if file is None:
        reasons.append(Refusal(0, source.reference, "has no source file devtool could read"))
    if reasons:
        return KernelOutcome("refused", refusals=tuple(reasons))
    assert file is not None
    result = translate(
        file.read_text(encoding="utf-8"), source.name, signature, path=_shown(file, ws), error_path=ERROR_PATH
    )
    if result.rust is None:
        return KernelOutcome("refused", refusals=result.refusals)
    return KernelOutcome("translated", rust=result.rust, notes=result.notes)


def counterexample_of(err: VerifyError) -> str:
    """The input on which the translated kernel disagreed and both results, from the failed run's log;
    or, when no parity test failed (the translation did not build), what failed."""
    text = ""
    if err.log_path is not None and err.log_path.is_file():
        text = err.log_path.read_text(encoding="utf-8", errors="replace")
    # pytest's `E   AssertionError: counterexample: ...` line (not the source it shows around it), or,
    # when hypothesis found several distinct failures, the first of its exception group's `| ...` lines.
    found = re.search(r"^(?:E +|(?: +\|)+ )AssertionError: counterexample: (.*)$", text, flags=re.MULTILINE)
    if found:
        return found.group(1).strip()
    failed = re.findall(r"^FAILED (\S+)(?: - (.*))?$", text, flags=re.MULTILINE)
    if failed:
        return "; ".join(f"{test} failed" + (f": {why}" if why else "") for test, why in failed[:3])
    first_line = str(err).splitlines()[0] if str(err) else "the build or the tests failed"
    return f"{first_line} (full log: {err.log_path})"


def _unsupported(ws: Workspace, signature: Signature) -> list[Refusal]:
    reasons = []
    for frame in (a for a in signature.args if a.is_frame):
        columns = ", ".join(f"{c}: &[f64]" for c in frame.column_args)
        reasons.append(
            Refusal(
                0,
                str(frame),
                "is a pandas DataFrame: the translator does not read a DataFrame's columns yet "
                f'({frame.name}["{frame.columns[0]}"]); write this kernel by hand, which takes the '
                f"columns as arrays ({columns})",
            )
        )
    if any(a.type == "f64[,]" for a in signature.args) or "f64[,]" in signature.returns:
        reasons.append(
            Refusal(
                0,
                "f64[,]",
                "is a 2-D array: the binding of a translated kernel does not pass those yet; write this "
                "kernel by hand",
            )
        )
    if not (ws.bridge_dir / AGREEMENT_MODULE).is_file():
        reasons.append(
            Refusal(
                0,
                f"rust_bridge/{AGREEMENT_MODULE}",
                "the engine's bridge lacks it, and the parity tests of a translated kernel use it: "
                "copy it from devtool's engine (engine/src/rust_bridge/)",
            )
        )
    return reasons


def _source_file(source: PythonFunction) -> Path | None:
    if source.file is not None:
        return source.file
    module = sys.modules.get(source.module)
    origin = getattr(module, "__file__", None)
    return Path(origin) if origin else None


def _shown(file: Path, ws: Workspace) -> str:
    """The source file as the Rust comments name it: relative to the workspace's parent when inside it."""
    for base in (ws.root.parent, Path.cwd()):
        try:
            return file.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return file.name
