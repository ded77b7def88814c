"""parse -> typed model -> Rust: the translator's one entry point."""

from __future__ import annotations

import ast
import re

from ..scaffold.signature import Signature
from .model import Refusal, Refused, Translation
from .rustfmt import format_rust
from .scan import scan
from .scope import const_name
from .support import ERROR_ENUM, helper_texts
from .unit import Unit, const_text


def translate(
    source: str,
    function: str,
    signature: Signature,
    *,
    path: str = "<source>",
    error_path: str | None = None,
    format: bool = True,
) -> Translation:
    """Translate `function` of the Python module `source` into a Rust kernel with `signature`'s types.

    The result holds the Rust text (the error enum unless `error_path` names one to `use`, the consts,
    the helpers, the private functions, then `pub fn FUNCTION`), or None and every refusal found.
    """
    try:
        module = ast.parse(source)
    except SyntaxError as err:
        return Translation(
            function, None, (Refusal(err.lineno or 0, "syntax", f"is not valid Python: {err.msg}"),)
        )
    unit = Unit(source, module, path)
    if function not in unit.functions:
        return Translation(
            function, None, (Refusal(0, function, f"is not a function defined at the top of {path}"),)
        )
    refusals = scan(unit, function)
    if refusals:
        return Translation(function, None, tuple(refusals))
    try:
        kernel = unit.kernel(function, signature)
    except Refused as err:
        return Translation(function, None, (err.refusal,), notes(unit))
    text = assemble(unit, kernel, error_path)
    if format:
        formatted = format_rust(text)
        if formatted is None:
            return Translation(
                function, text, (), (*notes(unit), "rustfmt was not available or failed: unformatted")
            )
        text = formatted
    return Translation(function, text, (), notes(unit))


def assemble(unit: Unit, kernel: str, error_path: str | None) -> str:
    parts = [f"// Translated by devtool from {unit.path}: do not edit by hand, or delete this line first.\n"]
    parts.append(f"use {error_path};\n" if error_path else ERROR_ENUM)
    # Inference lowers statements the emitter leaves out (dead stores): keep what the code names.
    code = re.sub(r"//[^\n]*", "", "\n".join([*(e.text for e in unit.emitted.values()), kernel]))
    parts += [
        const_text(unit.constants[name], unit.path)
        for name in unit.constants
        if name in unit.used_constants and re.search(rf"\b{const_name(name)}\b", code)
    ]
    helpers = {h for h in unit.helpers if re.search(rf"\b{h}\(", code)}
    builtin = {k for k in helpers if k not in unit.dynamic}
    deps = {d for name in helpers if name in unit.dynamic for d in unit.dynamic[name][1]}
    parts += helper_texts(builtin | deps)
    parts += [unit.dynamic[name][0] for name in sorted(unit.dynamic) if name in helpers]
    parts += [e.text for e in unit.emitted.values()]
    parts.append(kernel)
    return "\n".join(parts)


def notes(unit: Unit) -> tuple[str, ...]:
    return tuple(f"line {line}: {text}" for line, text in sorted(unit.notes))
