"""Read a Python function's signature from its type hints, for `new-module --from`.

The hints map to signature types (`devtool.scaffold.signature`) this way, and nothing else maps:

    float, np.float64                               f64
    int, np.int64                                   i64   (always: an unsigned one is Annotated[int, "usize"])
    bool, np.bool_                                  bool
    npt.NDArray[np.float64]                         f64[]
    npt.NDArray[np.int64]                           i64[]
    pd.Series, pd.Series[float]                     f64[]  (a Series comes back: rust_bridge._pandas)
    pd.DataFrame (a parameter)                      frame[COLUMNS], the columns the kernel takes: those
                                                    `--signature` names, else those the body reads
                                                    (`bars["close"]`, `bars.close`: frame_columns)
    Annotated[pd.Series, "i64[]"], pd.Series[int]   i64[]  (pd.Series[int] with pandas-stubs only)
    Annotated[npt.NDArray[np.float64], "f64[,]"]    f64[,] (2-D, one series per row); so is
    np.ndarray[tuple[int, int], np.dtype[np.float64]]
    Annotated[T, "<type>"]                          <type>, when it fits T (e.g. Annotated[int, "usize"])
    tuple[A, B, ...] (as the return hint)           (A, B, ...), up to signature.MAX_RESULTS of them

An array hint without a shape is 1-D. One without a dtype (`np.ndarray`, as numba-style loops are
hinted) takes the array type `--signature` gives it (the profile prints one from the run's types).
Parameters are passed by position: keyword-only ones, *args and **kwargs are refused. Whatever is
refused names the parameter and the hint to write instead.

A parameter's default (`def psar(high, low, iaf=0.02, maxaf=0.2)`) becomes the signature's
(`iaf: f64 = 0.02`), so the bridge takes it as optional with the same value. It must fit the type
(an int for `int`, an int or float for `float`, True or False for `bool`; an array or a DataFrame takes
none): one that does not is refused with its file and line and the fix. A `--signature` may repeat
the defaults; one that differs from the function's is refused (the function's are what its callers get
today).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
import typing
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import SignatureError, SourceError
from .frame_columns import columns_read
from .signature import (
    ARRAY_TYPES,
    MAX_RESULTS,
    SUPPORTED_TYPES,
    Arg,
    Signature,
    default_text,
    parse_signature,
)

#: What to write, shown with every refusal of a hint.
SUPPORTED_HINTS = (
    "float, int, bool, npt.NDArray[np.float64], npt.NDArray[np.int64], pd.Series, pd.DataFrame, "
    'Annotated[npt.NDArray[np.float64], "f64[,]"] (2-D), Annotated[int, "usize"]; '
    "a result may be a tuple[...] of them (not DataFrames)"
)

_SCALARS: tuple[tuple[Any, str], ...] = (
    (float, "f64"),
    (np.float64, "f64"),
    (int, "i64"),
    (np.int64, "i64"),
    (bool, "bool"),
    (np.bool_, "bool"),
)
_DTYPES: tuple[tuple[Any, str], ...] = ((np.float64, "f64"), (np.int64, "i64"))
#: Which base type an `Annotated[...]` override may relabel.
_OVERRIDES = {"f64[,]": {"f64[]"}, "f64[*]": {"f64[]"}, "i64[*]": {"i64[]"}, "usize": {"i64"}}


def signature_of(function: Callable[..., Any], where: str, given: Signature | None = None) -> Signature:
    """The signature that `function`'s type hints give (the mapping in this module's docstring).

    A parameter or result without a hint takes its type from `given` (`--signature`, which the profile
    prints from the types it saw), when one is given.

    Raises:
        SourceError: a parameter or the result has no hint (and none is given) or one that cannot be mapped.
    """
    try:
        hints = typing.get_type_hints(function, include_extras=True)
    except Exception as err:  # a hint naming something that does not exist
        raise SourceError(f"{where}: its type hints do not resolve ({type(err).__name__}: {err})") from err
    from_given = {a.name: a for a in given.args} if given is not None else {}
    args = []
    for param in inspect.signature(function).parameters.values():
        _check_kind(param, where)
        hint = hints.get(param.name)
        given_arg = from_given.get(param.name)
        is_frame = given_arg is not None and given_arg.is_frame
        if _is_pandas(hint, "DataFrame") if hint is not None else is_frame:
            _check_no_frame_default(function, param, where)
            args.append(_frame(function, param.name, given_arg, where))
            continue
        if hint is not None:
            given_type = None if given_arg is None else given_arg.type
            type_ = _mapped(hint, f"parameter {param.name!r}", where, given_type)
        elif given_arg is not None:
            type_ = given_arg.type
        else:
            raise SourceError(
                f"{where}: parameter {param.name!r} has no type hint: add one ({SUPPORTED_HINTS}), "
                "or give the whole signature with --signature"
            )
        default = _default(function, param, type_, hint, where)
        _check_given_default(param.name, default, from_given.get(param.name), where)
        args.append(f"{param.name}: {type_}" + ("" if default is None else f" = {default}"))
    if "return" in hints:
        result = _result(hints["return"], where, given)
    elif given is not None:
        result = str(given).rpartition(" -> ")[2]
    else:
        raise SourceError(f"{where}: the function has no return hint: add one ({SUPPORTED_HINTS})")
    return _parsed(f"{', '.join(args)} -> {result}", where)


def _frame(function: Callable[..., Any], name: str, given: Any, where: str) -> str:
    """`name: frame[COLUMNS]`: the columns `--signature` gives, else those the function's body reads."""
    if given is not None and given.is_frame:
        return str(given)
    columns = columns_read(function, name)
    if not columns:
        raise SourceError(
            f"{where}: parameter {name!r} is a pd.DataFrame, and devtool cannot tell which of its columns "
            f'the kernel takes: the function reads none by name ({name}["close"] or {name}.close). Name '
            f"them with --signature, e.g. --signature '{name}: frame[open, high, low, close] -> f64[]'"
        )
    unnamed = next((c for c in columns if not c.isidentifier()), None)
    if unnamed is not None:
        raise SourceError(
            f"{where}: parameter {name!r} is a pd.DataFrame whose column {unnamed!r} cannot name a kernel "
            f"argument (letters, digits and '_' only): rename the column, or name the columns the kernel "
            f"takes with --signature '{name}: frame[...] -> ...'"
        )
    return f"{name}: frame[{', '.join(columns)}]"


def _check_no_frame_default(function: Callable[..., Any], param: inspect.Parameter, where: str) -> None:
    """A DataFrame parameter is required: the kernel takes its columns, and no default crosses as columns."""
    if param.default is inspect.Parameter.empty:
        return
    raise SourceError(
        f"{where}: {_line_of(function, param.name)}: parameter {param.name!r} is a pd.DataFrame with the "
        f"default {param.default!r}: a DataFrame parameter takes no default (the kernel takes its "
        f"columns); remove the default, the callers pass the DataFrame"
    )


def _default(
    function: Callable[..., Any], param: inspect.Parameter, type_: str, hint: Any, where: str
) -> str | None:
    """The canonical text of `param`'s default for `type_` (from `hint`, or from --signature when it is
    None), None when it has none.

    Raises:
        SourceError: the default does not fit `type_`, with the file and line and the fix.
    """
    value = param.default
    if value is inspect.Parameter.empty:
        return None
    name, shown = param.name, repr(value)
    try:
        return _default_of(value, type_)
    except _Unfit as unfit:
        as_float = (
            "its type f64 in --signature" if hint is None else f"the hint float ({name}: float = {shown})"
        )
        fix = unfit.fix.format(name=name, value=shown, as_float=as_float)
    except ValueError as err:  # in the type's kind, but out of its range
        fix = f"{err}: give another default"
    typed_by = f"is {type_} in --signature" if hint is None else f"has the hint {_shown(hint)}"
    kind = "None" if value is None else f"{shown}, of type {type(value).__name__}"
    at = _line_of(function, name)
    raise SourceError(f"{where}: {at}: parameter {name!r} {typed_by}, but its default is {kind}: {fix}")


class _Unfit(Exception):
    """A default of the wrong kind for its type; `fix` is what to write (with {name}, {value}, {as_float})."""

    def __init__(self, fix: str) -> None:
        super().__init__(fix)
        self.fix = fix


def _default_of(value: Any, type_: str) -> str:
    """`value` as the default text of a `type_` argument (`signature.default_text`).

    Raises:
        _Unfit: `value` is of a kind `type_` does not take.
        ValueError: it is of the right kind, but outside the type's range.
    """
    if type_ in ARRAY_TYPES:
        raise _Unfit("an array parameter takes no default: remove it (the caller passes the array)")
    if value is None:
        raise _Unfit("None cannot cross into Rust: give {name} a number, or no default")
    is_bool = isinstance(value, bool | np.bool_)
    is_int = isinstance(value, int | np.integer) and not is_bool
    if type_ == "bool":
        if not is_bool:
            raise _Unfit("a bool parameter's default is True or False")
        return "true" if value else "false"
    if type_ in ("i64", "usize"):
        if isinstance(value, float | np.floating):
            raise _Unfit("make {as_float}, or the default an int")
        if not is_int:
            raise _Unfit("an int parameter's default is an int")
        return default_text(type_, str(int(value)))
    if not (is_int or isinstance(value, float | np.floating)):
        raise _Unfit("a float parameter's default is a number")
    try:
        return default_text("f64", repr(float(value)))
    except OverflowError:
        raise ValueError(f"{value} is beyond f64's range") from None


def _line_of(function: Callable[..., Any], name: str) -> str:
    """`file:line` of parameter `name` in `function`'s definition (its `def` line if the source is gone)."""
    code = function.__code__
    try:
        lines, first = inspect.getsourcelines(function)
        definition = ast.parse(textwrap.dedent("".join(lines))).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):
        return f"{code.co_filename}:{code.co_firstlineno}"
    params = (
        [*definition.args.posonlyargs, *definition.args.args]
        if isinstance(definition, ast.FunctionDef)
        else []
    )
    line = next((first + p.lineno - 1 for p in params if p.arg == name), code.co_firstlineno)
    return f"{code.co_filename}:{line}"


def _check_given_default(name: str, default: str | None, given: Arg | None, where: str) -> None:
    """A default `--signature` gives must be the function's: its callers get that one today."""
    if given is None or given.default is None or given.default == default:
        return
    if default is None:
        raise SourceError(
            f"{where}: --signature gives {name!r} the default {given.default}, but the Python function has "
            f"none: drop ' = {given.default}' from --signature, or add the default to the function"
        )
    raise SourceError(
        f"{where}: --signature gives {name!r} the default {given.default}, but the Python function's is "
        f"{default}: drop ' = {given.default}' from --signature (the function's default is kept)"
    )


def _check_kind(param: inspect.Parameter, where: str) -> None:
    if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
        prefix = "*" if param.kind == param.VAR_POSITIONAL else "**"
        raise SourceError(
            f"{where}: parameter {prefix}{param.name} cannot cross into Rust: a kernel takes named "
            "arguments; give each one a name and a hint"
        )
    if param.kind == param.KEYWORD_ONLY:
        raise SourceError(
            f"{where}: parameter {param.name!r} is keyword-only, but the generated fallback passes "
            "arguments by position: remove the '*' before it"
        )


def _result(hint: Any, where: str, given: Signature | None = None) -> str:
    if hint is None or hint is type(None):
        raise SourceError(
            f"{where}: the function returns None; a kernel returns its result ({SUPPORTED_HINTS})"
        )
    given_items: tuple[str | None, ...] = () if given is None else given.returns
    if typing.get_origin(hint) is not tuple:
        return _mapped(hint, "the result", where, given_items[0] if len(given_items) == 1 else None)
    items = typing.get_args(hint)
    if Ellipsis in items or not 2 <= len(items) <= MAX_RESULTS:
        raise SourceError(
            f"{where}: the result has the hint {_shown(hint)}, which devtool cannot map: a tuple result "
            f"has 2 to {MAX_RESULTS} items, each written out (tuple[npt.NDArray[np.float64], float])"
        )
    if len(given_items) != len(items):
        given_items = (None,) * len(items)
    mapped = (_mapped(item, "the result", where, g) for item, g in zip(items, given_items, strict=True))
    return "(" + ", ".join(mapped) + ")"


def _mapped(hint: Any, what: str, where: str, given: str | None = None) -> str:
    """The signature type of `hint`, or a SourceError naming `what` and the hint to write instead.

    An array hint that does not say its dtype (`np.ndarray`, as numba-style code writes it) takes the
    array type `given` (from --signature, or the profile's run) when there is one."""
    try:
        return _type_of(hint)
    except _NoDtype:
        if given in ARRAY_TYPES:
            return given
        shown = _shown(hint)
        raise SourceError(
            f"{where}: {what} has the hint {shown}, which devtool cannot map: say its dtype: "
            f"{_ARRAY_HINTS}, or give its type with --signature"
        ) from None
    except _Unmapped as err:
        shown = _shown(hint)
        raise SourceError(f"{where}: {what} has the hint {shown}, which devtool cannot map: {err}") from None


class _Unmapped(Exception):
    """Why a hint does not map, with the hint to write instead."""


class _NoDtype(_Unmapped):
    """An array hint without its dtype (`np.ndarray`): --signature may say it."""


_ARRAY_HINTS = "npt.NDArray[np.float64] or npt.NDArray[np.int64]"


def _type_of(hint: Any) -> str:
    if typing.get_origin(hint) is typing.Annotated:
        return _annotated(hint)
    scalar = _lookup(_SCALARS, hint)
    if scalar is not None:
        return scalar
    if hint is np.ndarray or typing.get_origin(hint) is np.ndarray:
        return _array(hint)
    if _is_pandas(hint, "Series"):
        return _series(hint)
    if _is_pandas(hint, "DataFrame"):
        raise _Unmapped(
            "a DataFrame crosses into Rust only as a parameter (its columns): return a pd.Series, "
            "or a tuple of them"
        )
    raise _Unmapped(_suggestion(hint))


def _is_pandas(hint: Any, name: str) -> bool:
    """`pd.Series` or `pd.Series[float]` (pandas-stubs), without importing pandas."""
    cls = typing.get_origin(hint) or hint
    return isinstance(cls, type) and cls.__name__ == name and cls.__module__.split(".")[0] == "pandas"


def _series(hint: Any) -> str:
    """A Series crosses as its values (float64 unless it says int); the bridge gives a Series back."""
    items = typing.get_args(hint)
    if not items:
        return "f64[]"
    element = _lookup(((float, "f64"), *_SCALARS[1:2], (int, "i64"), *_DTYPES[1:]), items[0])
    if element is None:
        raise _Unmapped("a Series crosses into Rust as float64 or int64 values: pd.Series or pd.Series[int]")
    return f"{element}[]"


def _annotated(hint: Any) -> str:
    base = _type_of(hint.__origin__)
    labels = [m for m in hint.__metadata__ if isinstance(m, str) and m in SUPPORTED_TYPES]
    if not labels:
        return base
    label = labels[0]
    if _is_pandas(hint.__origin__, "Series"):  # Annotated[pd.Series, "i64[]"]: no Series[int] at run time
        if label not in ("f64[]", "i64[]", "f64[*]", "i64[*]"):
            raise _Unmapped(f"{label!r} does not fit a Series, which is 1-D: say f64[] or i64[]")
        return label
    if label != base and base not in _OVERRIDES.get(label, ()):
        raise _Unmapped(f"{label!r} does not fit {_shown(hint.__origin__)} (it would be {base})")
    return label


def _array(hint: Any) -> str:
    shape, dtype = typing.get_args(hint) or (Any, Any)
    scalar = typing.get_args(dtype)[0] if typing.get_args(dtype) else Any
    element = _lookup(_DTYPES, scalar)
    if element is None:
        if scalar is Any:
            raise _NoDtype(f"say its dtype: {_ARRAY_HINTS}")
        raise _Unmapped(f"the engine's arrays are float64 or int64: {_ARRAY_HINTS}")
    if _is_two_dimensional(shape):
        if element != "f64":
            raise _Unmapped("2-D arrays are float64 only (np.ndarray[tuple[int, int], np.dtype[np.float64]])")
        return "f64[,]"
    return f"{element}[]"


def _lookup(table: tuple[tuple[Any, str], ...], hint: Any) -> str | None:
    """By identity: hints need not be hashable, and `bool` must not match `int`."""
    return next((name for known, name in table if hint is known), None)


def _is_two_dimensional(shape: Any) -> bool:
    items = typing.get_args(shape)
    return typing.get_origin(shape) is tuple and len(items) == 2 and Ellipsis not in items


def _suggestion(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return "an argument that may be None cannot cross into Rust: drop None from the hint"
    if origin in (list, tuple) or (isinstance(origin, type) and origin.__module__ == "collections.abc"):
        return "the bridge passes numpy arrays: npt.NDArray[np.float64] (or np.int64)"
    if hint in (np.float32, np.float16, np.int32, np.int16, np.int8, np.uint64, np.uint32):
        return "the engine works in float64 and int64: float or int"
    return f"use one of {SUPPORTED_HINTS}"


def _shown(hint: Any) -> str:
    """A hint as its author wrote it: `np.float32`, `npt.NDArray`'s expansion with `np.` and no `typing.`."""
    if isinstance(hint, type) and typing.get_origin(hint) is None:
        module = {"builtins": "", "numpy": "np."}.get(hint.__module__, f"{hint.__module__}.")
        return f"{module}{hint.__qualname__}"
    return repr(hint).replace("numpy.", "np.").replace("typing.", "")


def _parsed(text: str, where: str) -> Signature:
    try:
        return parse_signature(text)
    except SignatureError as err:
        if "at least one array" in err.reason:
            raise SourceError(
                f"{where}: it takes no array: a kernel takes at least one numpy array "
                "(npt.NDArray[np.float64] or npt.NDArray[np.int64])"
            ) from err
        raise SourceError(f"{where}: {err.reason} (rename the Python parameter)") from err
