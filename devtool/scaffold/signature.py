"""A function's signature, `"values: f64[], window: usize -> f64[]"`, parsed into a `Signature`.

Grammar (whitespace is free between tokens)::

    signature := [arg ("," arg)*] "->" result
    arg       := NAME ":" TYPE ["=" DEFAULT] | NAME ":" "frame" "[" NAME ("," NAME)* "]"
    result    := TYPE | "(" TYPE ("," TYPE)+ ")"
    TYPE      := "f64[]" | "i64[]" | "f64[,]" | "f64[*]" | "i64[*]" | "f64" | "i64" | "usize" | "bool"
    DEFAULT   := a literal that fits the argument's scalar type (`default_text`):
                 f64    a float or int literal (`0.02`, `1e-3`, `14`), or `nan`, `inf`, `-inf`
                 i64    an int literal in i64's range (`14`, `-1`)
                 usize  an int literal from 0 to 2**64 - 1
                 bool   `true` or `false` (Python's `True`, `False` too)

Defaults are Python's: the bridge takes the argument as optional, with that value. An array or a
frame takes no default, and an argument with a default is followed only by arguments with defaults
(a frame too, being required). `str()` prints a
default canonically: a float as Python's `repr` prints it (`14` given to an f64 is `14.0`), a bool as
`true`/`false`.

Lengths: every `f64[]`/`i64[]` argument, and the rows of every `f64[,]`, share one length, the first
such array's, and so do `f64[]`/`i64[]`/`f64[,]` results. A `[*]` array has a length of its own: as an
argument (a list of window lengths next to a price series), or as a result whose length only the
kernel knows (bars resampled from trades); the kernel returns those as vectors.

A `frame[...]` argument is a pandas DataFrame, of which the kernel takes the named numeric columns
(`bars: frame[high, low, close]`): the bridge takes the DataFrame and passes each column as a float64
array of the shared length, as an argument named for the column in lower case (`Close` -> `close`;
`model.kernel_signature` expands the frame). A frame is an argument, never a result (a result of one
element per row is `f64[]`: a Series, indexed like the frame). A column's label is an identifier as
written in the DataFrame (`Close`, `high`, `open`: a builtin's name does no harm to a column), and its
argument name must be free: no keyword, no other argument's or column's.

Names follow `names.check_identifier`, and must not collide with a name the generated code uses.
"""

from __future__ import annotations

import math
import re
from dataclasses import KW_ONLY, dataclass, replace

from ..errors import SignatureError, UsageError
from ..names import PYTHON_KEYWORDS, RUST_KEYWORDS, check_identifier

#: The guide's example: the sum of x^2 + 2x + 1 over an array.
DEFAULT_FUNCTION = "fast_calculation"
DEFAULT_SIGNATURE = "data: f64[] -> f64"

#: 1-D arrays with a length of their own, not the shared one.
FREE_TYPES = ("f64[*]", "i64[*]")
ARRAY_TYPES = ("f64[]", "i64[]", "f64[,]", *FREE_TYPES)
SCALAR_TYPES = ("f64", "i64", "usize", "bool")
SUPPORTED_TYPES = ARRAY_TYPES + SCALAR_TYPES
#: A pandas DataFrame argument: the kernel takes its named columns, each a float64 array (`frame[a, b]`).
FRAME_TYPE = "frame"
#: What an error lists as the types to write.
_LISTED_TYPES = (*SUPPORTED_TYPES, "frame[COLUMN, ...]")

#: Enough for a table of columns (bars: start, open, high, low, close, volume, count, VWAP); the
#: template lays out a longer tuple one element per line, as the formatters do.
MAX_RESULTS = 12

#: Names the generated Rust and Python use for their own locals and parameters.
RESERVED_NAMES = frozenset({"backend", "combined", "i", "np", "npt", "py", "rest", "returned", "scalars"})
_RESERVED_PATTERN = re.compile(r"out\d+")
#: Names ruff refuses (E741: `l` reads as 1 or I), which would make the generated Python fail lint.
AMBIGUOUS_NAMES = frozenset({"l"})

# What people type from other languages, and the type they probably mean.
_HINTS = {
    "float": "f64",
    "double": "f64",
    "float64": "f64",
    "f32": "f64",
    "int": "i64",
    "int64": "i64",
    "i32": "i64",
    "u64": "usize",
    "u32": "usize",
    "f64[][]": "f64[,]",
    "i64[,]": "i64[] (2-D arrays are f64 only)",
    "f64[?]": "f64[*]",
    "f64[n]": "f64[] (the shared length) or f64[*] (a length of its own)",
    "i64[n]": "i64[] (the shared length) or i64[*] (a length of its own)",
    "DataFrame": "frame[COLUMN, ...], naming the columns the kernel takes",
    "pd.DataFrame": "frame[COLUMN, ...], naming the columns the kernel takes",
}

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BLANKS = " \t"
#: A default's literal: a number, or a word (`nan`, `true`), either signed.
_LITERAL = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[A-Za-z_][A-Za-z0-9_]*)")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1
_USIZE_MAX = 2**64 - 1
#: The Python spelling of the f64 defaults that have no literal.
_PY_SPECIAL_FLOATS = {"nan": 'float("nan")', "inf": 'float("inf")', "-inf": 'float("-inf")'}


def default_text(type_: str, literal: str) -> str:
    """The canonical text of the default `literal` for an argument of type `type_` (the grammar above).

    Raises:
        ValueError: `literal` does not fit `type_` (the message says what does).
    """
    if type_ in ARRAY_TYPES:
        raise ValueError(f"an array argument ({type_}) takes no default")
    if type_ == FRAME_TYPE:
        raise ValueError("a frame argument takes no default")
    if type_ == "bool":
        if literal not in ("true", "false", "True", "False"):
            raise ValueError(f"a bool default is true or false, not {literal!r}")
        return literal.lower()
    if type_ in ("i64", "usize"):
        if not _INTEGER.fullmatch(literal):
            article = "an" if type_ == "i64" else "a"
            raise ValueError(f"{article} {type_} default is an integer literal, not {literal!r}")
        low, high = (_I64_MIN, _I64_MAX) if type_ == "i64" else (0, _USIZE_MAX)
        if not low <= int(literal) <= high:
            raise ValueError(f"the default {literal} is outside {type_}'s range, {low} to {high}")
        return str(int(literal))
    word = literal.lower().lstrip("+")
    if word in ("nan", "inf", "-inf"):
        return word
    try:
        value = float(literal)
    except ValueError:
        raise ValueError(f"an f64 default is a number, nan, inf or -inf, not {literal!r}") from None
    if math.isinf(value):
        raise ValueError(f"the default {literal} is beyond f64's range: write inf or -inf if you mean it")
    return repr(value)


@dataclass(frozen=True)
class Arg:
    """One argument: its name and one of `SUPPORTED_TYPES`, or `FRAME_TYPE` and the columns it names."""

    name: str
    type: str
    _: KW_ONLY
    #: The default's canonical text (`default_text`), or None when the argument is required.
    default: str | None = None
    #: A frame's column labels (the DataFrame's), empty for any other type.
    columns: tuple[str, ...] = ()

    @property
    def is_frame(self) -> bool:
        """A pandas DataFrame, of which the kernel takes `columns` (each an `f64[]` array)."""
        return self.type == FRAME_TYPE

    @property
    def column_args(self) -> tuple[str, ...]:
        """The kernel's argument for each of a frame's columns: the label in lower case."""
        return tuple(column_arg(c) for c in self.columns)

    @property
    def py_default(self) -> str | None:
        """The default as a Python expression (`0.02`, `True`, `float("nan")`), or None."""
        if self.default is None:
            return None
        if self.type == "bool":
            return self.default.capitalize()
        return _PY_SPECIAL_FLOATS.get(self.default, self.default)

    @property
    def is_array(self) -> bool:
        return self.type in ARRAY_TYPES

    @property
    def is_free(self) -> bool:
        """An array with a length of its own (`f64[*]`, `i64[*]`), not the shared length."""
        return self.type in FREE_TYPES

    @property
    def ndim(self) -> int:
        """0 for a scalar, 1 for `f64[]`/`i64[]`/`[*]`, 2 for `f64[,]`."""
        return self.type.count(",") + 1 if self.is_array else 0

    def __str__(self) -> str:
        if self.is_frame:
            return f"{self.name}: {self.type}[{', '.join(self.columns)}]"
        default = "" if self.default is None else f" = {self.default}"
        return f"{self.name}: {self.type}{default}"


@dataclass(frozen=True)
class Signature:
    """What a generated function takes and returns; `str()` gives back its canonical text."""

    args: tuple[Arg, ...]
    returns: tuple[str, ...]
    returns_tuple: bool

    def without_defaults(self) -> Signature:
        """The same signature with every argument required: the types alone."""
        return replace(self, args=tuple(replace(a, default=None) for a in self.args))

    @property
    def array_args(self) -> tuple[Arg, ...]:
        return tuple(a for a in self.args if a.is_array)

    @property
    def scalar_args(self) -> tuple[Arg, ...]:
        return tuple(a for a in self.args if not a.is_array)

    @property
    def shared_array_args(self) -> tuple[Arg, ...]:
        """The arrays that share one length (every array but the `[*]` ones)."""
        return tuple(a for a in self.array_args if not a.is_free)

    @property
    def first_array(self) -> Arg:
        """The array whose length every other shared-length array must match, and the outputs take."""
        return self.shared_array_args[0]

    @property
    def first_matrix(self) -> Arg | None:
        """The first `f64[,]` argument: a 2-D result has as many columns as it has."""
        return next((a for a in self.args if a.ndim == 2), None)

    @property
    def array_results(self) -> tuple[int, ...]:
        """Positions of the shared-length array results (written into caller-allocated outputs)."""
        return tuple(i for i, t in enumerate(self.returns) if t in ARRAY_TYPES and t not in FREE_TYPES)

    @property
    def free_results(self) -> tuple[int, ...]:
        """Positions of the `[*]` array results (vectors the kernel returns, of a length it decides)."""
        return tuple(i for i, t in enumerate(self.returns) if t in FREE_TYPES)

    @property
    def scalar_results(self) -> tuple[int, ...]:
        """Positions of the scalar results (returned by the kernel)."""
        return tuple(i for i, t in enumerate(self.returns) if t not in ARRAY_TYPES)

    @property
    def returned_results(self) -> tuple[int, ...]:
        """Positions of the results the kernel returns (scalars and `[*]` arrays), in order."""
        return tuple(i for i, t in enumerate(self.returns) if t not in ARRAY_TYPES or t in FREE_TYPES)

    @property
    def is_elementwise(self) -> bool:
        """Every result is an array as long as the inputs: one output element per input element."""
        return len(self.array_results) == len(self.returns)

    @property
    def is_reduction(self) -> bool:
        """Every result is a scalar computed over all the elements."""
        return len(self.scalar_results) == len(self.returns)

    def __str__(self) -> str:
        result = f"({', '.join(self.returns)})" if self.returns_tuple else self.returns[0]
        return f"{', '.join(map(str, self.args))} -> {result}"


def column_arg(label: str) -> str:
    """The kernel's argument for a frame's column `label` (`Close` -> `close`)."""
    return label.lower()


def parse_signature(text: str) -> Signature:
    """Parse `text` (the grammar in this module's docstring) into a `Signature`.

    Raises:
        SignatureError: with the 0-based column of the first problem.
    """
    return _Parser(text).signature()


class _Parser:
    """A recursive-descent parser that keeps its position, so every error can point at a column."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, message: str, column: int | None = None) -> SignatureError:
        return SignatureError(self.text, self.pos if column is None else column, message, _LISTED_TYPES)

    def skip_blanks(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _BLANKS:
            self.pos += 1

    def peek(self, token: str) -> bool:
        self.skip_blanks()
        return self.text.startswith(token, self.pos)

    def expect(self, token: str, what: str) -> None:
        if not self.peek(token):
            raise self.fail(f"expected {what}, found {self.found()}")
        self.pos += len(token)

    def found(self) -> str:
        if self.pos >= len(self.text):
            return "the end of the signature"
        if self.text.startswith("->", self.pos):
            return "'->'"
        match = _NAME.match(self.text, self.pos)
        return repr(match.group() if match else self.text[self.pos])

    def signature(self) -> Signature:
        if not self.text.strip(_BLANKS):
            raise self.fail("the signature is empty")
        args = self.args()
        returns, returns_tuple = self.result()
        self.skip_blanks()
        if self.pos < len(self.text):
            raise self.fail(f"unexpected {self.found()} after the result type")
        if not any((a.is_array and not a.is_free) or a.is_frame for a in args):
            raise self.fail(
                "the function needs at least one array argument of the shared length (f64[], i64[],"
                " f64[,] or frame[...]); [*] arrays have lengths of their own",
                0,
            )
        return Signature(tuple(args), tuple(returns), returns_tuple)

    def args(self) -> list[Arg]:
        args: list[Arg] = []
        if self.peek("->"):
            return args
        while True:
            args.append(self.arg(args))
            if self.peek("->"):
                return args
            self.expect(",", "',' or '->'")

    def arg(self, previous: list[Arg]) -> Arg:
        self.skip_blanks()
        start = self.pos
        match = _NAME.match(self.text, self.pos)
        if match is None:
            raise self.fail(f"expected an argument name, found {self.found()}")
        name = match.group()
        self.pos = match.end()
        self.check_name(name, start, previous)
        self.expect(":", f"':' after {name!r}")
        self.skip_blanks()
        word = _NAME.match(self.text, self.pos)
        if word is not None and word.group() == FRAME_TYPE:
            arg = Arg(name, FRAME_TYPE, columns=self.columns([*previous, Arg(name, "")]))
        else:
            arg = Arg(name, self.type())
        if self.peek("=") and not self.peek("=>"):
            if arg.is_frame:
                raise self.fail(f"a frame argument takes no default: {name!r} is required", self.pos)
            arg = replace(arg, default=self.default(arg.type))
        defaulted = next((a for a in previous if a.default is not None), None)
        if arg.default is None and defaulted is not None:
            raise self.fail(
                f"argument {name!r} has no default but follows {defaulted.name!r}, which has one: "
                f"give {name!r} a default, or move it before {defaulted.name!r}",
                start,
            )
        return arg

    def default(self, type_: str) -> str:
        """The literal after '=' (the caller has peeked it), as `default_text` makes it canonical."""
        self.pos += 1
        self.skip_blanks()
        start = self.pos
        match = _LITERAL.match(self.text, self.pos)
        if match is None:
            raise self.fail(f"expected a default value after '=', found {self.found()}")
        self.pos = match.end()
        try:
            return default_text(type_, match.group())
        except ValueError as err:
            raise self.fail(str(err), start) from None

    def columns(self, previous: list[Arg]) -> tuple[str, ...]:
        """`frame[a, b, c]`'s column names (the position is at `frame`), named like arguments."""
        start = self.pos
        self.pos += len(FRAME_TYPE)
        if not self.peek("["):
            raise self.fail(
                "a frame names the columns the kernel takes: frame[open, high, low, close]", start
            )
        self.pos += 1
        columns: list[str] = []
        while True:
            self.skip_blanks()
            start = self.pos
            match = _NAME.match(self.text, self.pos)
            if match is None:
                raise self.fail(f"expected a column name, found {self.found()}")
            self.pos = match.end()
            self.check_column(match.group(), start, [*previous, Arg("", FRAME_TYPE, columns=tuple(columns))])
            columns.append(match.group())
            if self.peek("]"):
                self.pos += 1
                return tuple(columns)
            self.expect(",", "',' or ']'")

    def check_name(self, name: str, column: int, previous: list[Arg]) -> None:
        try:
            check_identifier(name, "argument name")
        except UsageError as err:
            raise self.fail(str(err), column) from None
        self.check_free(name, name, column, previous, "argument name")

    def check_column(self, label: str, column: int, previous: list[Arg]) -> None:
        """A column's label is the DataFrame's; its argument (lower case) must be free."""
        name = column_arg(label)
        for words, language in ((RUST_KEYWORDS, "Rust"), (PYTHON_KEYWORDS, "Python")):
            if name in words:
                raise self.fail(
                    f"column {label!r} would be the kernel's argument {name!r}, a {language} keyword: "
                    "rename the column",
                    column,
                )
        if any(label in a.columns for a in previous):
            raise self.fail(f"duplicate column {label!r}", column)
        self.check_free(label, name, column, previous, "column")

    def check_free(self, said: str, name: str, column: int, previous: list[Arg], what: str) -> None:
        """`name` (the argument `said` makes) is not ambiguous, the generated code's, or taken."""
        if name in AMBIGUOUS_NAMES:
            raise self.fail(f"{what} {said!r} is ambiguous (it reads as 1 or I); choose another", column)
        if name in RESERVED_NAMES or _RESERVED_PATTERN.fullmatch(name):
            raise self.fail(f"{what} {said!r} is used by the generated code; choose another", column)
        if any(a.name == name for a in previous):
            raise self.fail(f"duplicate {what} {said!r}", column)
        if any(name in a.column_args for a in previous):
            raise self.fail(
                f"duplicate {what} {said!r}: a frame's column is an argument of that name", column
            )

    def type(self) -> str:
        self.skip_blanks()
        start = self.pos
        match = _NAME.match(self.text, self.pos)
        if match is None:
            raise self.fail(f"expected a type, found {self.found()}")
        self.pos = match.end()
        if self.pos < len(self.text) and self.text[self.pos] == "[":
            close = self.text.find("]", self.pos)
            if close == -1:
                raise self.fail("unclosed '[' in the type", self.pos)
            self.pos = close + 1
        written = self.text[start : self.pos]
        canonical = "".join(written.split())
        if match.group() == FRAME_TYPE:
            raise self.fail(
                "a frame is an argument, never a result: a result of one value per row is f64[] "
                "(a Series indexed like the frame)",
                start,
            )
        if canonical not in SUPPORTED_TYPES:
            hint = _HINTS.get(canonical) or (
                canonical.lower() if canonical.lower() in SUPPORTED_TYPES else None
            )
            suggestion = f" (did you mean {hint}?)" if hint else ""
            raise self.fail(f"unsupported type {written!r}{suggestion}", start)
        return canonical

    def result(self) -> tuple[list[str], bool]:
        self.expect("->", "'->' before the result type")
        if not self.peek("("):
            return [self.type()], False
        open_column = self.pos
        self.pos += 1
        types = [self.type()]
        while not self.peek(")"):
            self.expect(",", "',' or ')'")
            self.skip_blanks()
            if len(types) == MAX_RESULTS:
                raise self.fail(f"a tuple result has at most {MAX_RESULTS} types")
            types.append(self.type())
        self.pos += 1
        if len(types) < 2:
            raise self.fail(
                "a tuple result needs at least two types; write a single type without '()'", open_column
            )
        return types, True
