"""Translate a plain-Python numeric function into a Rust kernel (issue 12, step 1: the library).

    translate(source, function, signature) -> Translation(rust | None, refusals, notes)

parse (`ast`) -> a typed model of the body (`model`, `scope`: locals inferred from their assignments) ->
Rust (`lower` for expressions, `calls` for built-ins and math, `body` for statements, `loops` for `for`
headers, `decls` for where each `let` goes, `flow` for definite assignment, `liveness` for dead stores,
`matrix` for new 2-D arrays, `support` for the error enum and helpers), formatted by rustfmt. `scan`
lists every construct outside the subset first, so a refusal names them all. docs/translate.md has the
subset.
"""

from __future__ import annotations

from .model import Refusal, Translation
from .translate import translate

__all__ = ["Refusal", "Translation", "translate"]
