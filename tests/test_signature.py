"""`devtool.scaffold.signature`: what parses, what is refused and where; str() inverts parsing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devtool.errors import SignatureError, UsageError
from devtool.scaffold.signature import (
    ARRAY_TYPES,
    DEFAULT_FUNCTION,
    DEFAULT_SIGNATURE,
    FREE_TYPES,
    MAX_RESULTS,
    SCALAR_TYPES,
    SUPPORTED_TYPES,
    Arg,
    Signature,
    parse_signature,
)


def sig(args: list[tuple[str, str]], *returns: str, tuple_: bool = False) -> Signature:
    return Signature(tuple(Arg(n, t) for n, t in args), returns, tuple_)


VALID = [
    ("data: f64[] -> f64", sig([("data", "f64[]")], "f64")),
    ("values: f64[], window: usize -> f64[]", sig([("values", "f64[]"), ("window", "usize")], "f64[]")),
    (
        "high: f64[], low: f64[], scale: f64 -> (f64[], f64[])",
        sig([("high", "f64[]"), ("low", "f64[]"), ("scale", "f64")], "f64[]", "f64[]", tuple_=True),
    ),
    ("matrix: f64[,], flag: bool -> f64[]", sig([("matrix", "f64[,]"), ("flag", "bool")], "f64[]")),
    ("ids: i64[], x: f64[] -> i64", sig([("ids", "i64[]"), ("x", "f64[]")], "i64")),
    ("n: i64, v: f64[] -> bool", sig([("n", "i64"), ("v", "f64[]")], "bool")),
    (
        "v: f64[] -> (f64, i64, usize, bool)",
        sig([("v", "f64[]")], "f64", "i64", "usize", "bool", tuple_=True),
    ),
    ("m: f64[,] -> f64[,]", sig([("m", "f64[,]")], "f64[,]")),
    # `[*]`: arrays with lengths of their own, in and out.
    (
        "m: f64[,], w: i64[*], k: f64[*] -> (i64[*], f64[*], f64)",
        sig([("m", "f64[,]"), ("w", "i64[*]"), ("k", "f64[*]")], "i64[*]", "f64[*]", "f64", tuple_=True),
    ),
    ("w: f64[*], x: i64[] -> f64[*]", sig([("w", "f64[*]"), ("x", "i64[]")], "f64[*]")),
    (
        "x: f64[] -> (" + ", ".join(["f64"] * MAX_RESULTS) + ")",
        sig([("x", "f64[]")], *["f64"] * MAX_RESULTS, tuple_=True),
    ),
    # Whitespace is free between tokens, and inside the brackets of a type.
    ("data:f64[]->f64", sig([("data", "f64[]")], "f64")),
    ("  data :\tf64[ ]  ->  f64  ", sig([("data", "f64[]")], "f64")),
    ("m: f64[ , ] -> ( f64 ,i64 )", sig([("m", "f64[,]")], "f64", "i64", tuple_=True)),
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_parses_valid_signatures(text: str, expected: Signature) -> None:
    assert parse_signature(text) == expected


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_str_is_the_canonical_text(text: str, expected: Signature) -> None:
    canonical = str(parse_signature(text))
    assert parse_signature(canonical) == expected
    assert str(parse_signature(canonical)) == canonical


# (text, 0-based column, part of the reason)
INVALID = [
    ("", 0, "the signature is empty"),
    ("   ", 0, "the signature is empty"),
    ("data f64[] -> f64", 5, "expected ':' after 'data', found 'f64'"),
    ("data: float -> f64", 6, "unsupported type 'float' (did you mean f64?)"),
    ("data: F64[] -> f64", 6, "unsupported type 'F64[]' (did you mean f64[]?)"),
    ("data: i64[,] -> f64", 6, "unsupported type 'i64[,]'"),
    ("data: str -> f64", 6, "unsupported type 'str'"),
    ("data: f64[] -> float", 15, "unsupported type 'float'"),
    ("data: f64[ -> f64", 9, "unclosed '[' in the type"),
    ("data: f64 -> f64", 0, "at least one array argument"),
    ("-> f64", 0, "at least one array argument"),
    ("w: f64[*] -> f64", 0, "at least one array argument of the shared length"),
    ("data: f64[n] -> f64", 6, "unsupported type 'f64[n]' (did you mean f64[] (the shared length) or f64[*]"),
    ("data: f64[] f64", 12, "expected ',' or '->', found 'f64'"),
    ("data: f64[]] -> f64", 11, "expected ',' or '->', found ']'"),
    ("data: f64[] => f64", 12, "expected ',' or '->', found '='"),
    ("data: f64[], -> f64", 13, "expected an argument name, found '->'"),
    ("9data: f64[] -> f64", 0, "expected an argument name, found '9'"),
    ("data: f64[]", 11, "expected ',' or '->', found the end of the signature"),
    ("data: f64[] ->", 14, "expected a type, found the end of the signature"),
    ("data: f64[] -> f64 extra", 19, "unexpected 'extra' after the result type"),
    ("data: f64[] -> (f64)", 15, "a tuple result needs at least two types"),
    ("data: f64[] -> (f64, f64", 24, "expected ',' or ')', found the end of the signature"),
    (
        "data: f64[] -> (" + "f64, " * MAX_RESULTS + "f64)",
        16 + 5 * MAX_RESULTS,
        f"at most {MAX_RESULTS} types",
    ),
    ("data: f64[], data: i64[] -> f64", 13, "duplicate argument name 'data'"),
    ("Data: f64[] -> f64", 0, "argument name 'Data' is not snake_case"),
    ("data: f64[], fn: f64 -> f64", 13, "argument name 'fn' is a Rust keyword"),
    ("lambda: f64[] -> f64", 0, "argument name 'lambda' is a Python keyword"),
    ("data: f64[], list: f64 -> f64", 13, "argument name 'list' shadows a Python builtin"),
    ("math: f64[] -> f64", 0, "argument name 'math' shadows a Python standard-library module"),
    ("data: f64[], py: f64 -> f64", 13, "argument name 'py' is used by the generated code"),
    ("data: f64[], out0: f64[] -> f64", 13, "argument name 'out0' is used by the generated code"),
    ("backend: f64[] -> f64", 0, "argument name 'backend' is used by the generated code"),
    ("l: f64[] -> f64", 0, "argument name 'l' is ambiguous"),
]


@pytest.mark.parametrize(("text", "column", "reason"), INVALID)
def test_refuses_invalid_signatures_at_the_right_column(text: str, column: int, reason: str) -> None:
    with pytest.raises(SignatureError) as caught:
        parse_signature(text)
    assert caught.value.column == column
    assert reason in caught.value.reason


def test_error_message_points_a_caret_at_the_column_and_lists_the_types() -> None:
    with pytest.raises(SignatureError) as caught:
        parse_signature("values: f64[], window: size -> f64[]")
    lines = str(caught.value).splitlines()
    assert lines[0] == "invalid signature: unsupported type 'size' (column 23)"
    assert lines[1] == "  values: f64[], window: size -> f64[]"
    assert lines[2] == "  " + " " * 23 + "^"
    assert lines[3] == (
        "supported types: f64[], i64[], f64[,], f64[*], i64[*], f64, i64, usize, bool, frame[COLUMN, ...]"
    )


def test_caret_keeps_tabs_so_it_lines_up() -> None:
    with pytest.raises(SignatureError) as caught:
        parse_signature("\tdata:\tfloat -> f64")
    assert str(caught.value).splitlines()[2] == "  \t     \t^"


def test_signature_error_is_a_usage_error_with_exit_code_2() -> None:
    with pytest.raises(UsageError) as caught:
        parse_signature("nonsense")
    assert isinstance(caught.value, SignatureError)
    assert caught.value.exit_code == 2


def test_default_is_the_guides_example() -> None:
    assert DEFAULT_FUNCTION == "fast_calculation"
    parsed = parse_signature(DEFAULT_SIGNATURE)
    assert parsed == sig([("data", "f64[]")], "f64")
    assert str(parsed) == DEFAULT_SIGNATURE


def test_properties_describe_what_the_template_needs() -> None:
    parsed = parse_signature("w: usize, m: f64[,], x: f64[], flag: bool -> (f64[], f64, f64[,])")
    assert [a.name for a in parsed.array_args] == ["m", "x"]
    assert [a.name for a in parsed.scalar_args] == ["w", "flag"]
    assert parsed.first_array.name == "m"
    assert parsed.first_matrix == Arg("m", "f64[,]")
    assert [a.ndim for a in parsed.args] == [0, 2, 1, 0]
    assert parsed.array_results == (0, 2)
    assert parsed.scalar_results == (1,)
    assert not parsed.is_elementwise
    assert not parsed.is_reduction
    assert parse_signature("x: f64[] -> (f64[], i64[])").is_elementwise
    assert parse_signature("x: f64[] -> (f64, bool)").is_reduction
    assert parse_signature("x: f64[] -> f64").first_matrix is None


def test_free_arrays_are_neither_the_first_array_nor_caller_allocated_results() -> None:
    parsed = parse_signature("w: i64[*], x: f64[], n: usize -> (f64[*], f64[], i64, i64[*])")
    assert [a.name for a in parsed.array_args] == ["w", "x"]
    assert [a.name for a in parsed.shared_array_args] == ["x"]
    assert [a.is_free for a in parsed.args] == [True, False, False]
    assert parsed.first_array.name == "x"
    assert parsed.array_results == (1,)
    assert parsed.free_results == (0, 3)
    assert parsed.scalar_results == (2,)
    assert parsed.returned_results == (0, 2, 3)
    assert not parsed.is_elementwise
    assert not parsed.is_reduction


# Names that pass every check: a letter, then letters and digits, in up to three '_'-separated parts.
_names = st.from_regex(r"[a-z][a-z0-9]{0,7}(_[a-z0-9]{1,4}){0,2}", fullmatch=True).filter(
    lambda name: _accepted(name)
)


def _accepted(name: str) -> bool:
    try:
        parse_signature(f"{name}: f64[] -> f64")
    except SignatureError:
        return False
    return True


@st.composite
def signatures(draw: st.DrawFn) -> Signature:
    names = draw(st.lists(_names, min_size=1, max_size=6, unique=True))
    types = [draw(st.sampled_from(SUPPORTED_TYPES)) for _ in names]
    shared = [t for t in ARRAY_TYPES if t not in FREE_TYPES]
    if not any(t in shared for t in types):
        types[draw(st.integers(0, len(types) - 1))] = draw(st.sampled_from(shared))
    returns = draw(st.lists(st.sampled_from(SUPPORTED_TYPES), min_size=1, max_size=MAX_RESULTS))
    returns_tuple = len(returns) > 1
    return Signature(tuple(map(Arg, names, types)), tuple(returns), returns_tuple)


@given(signatures())
def test_parse_is_the_inverse_of_str(signature: Signature) -> None:
    assert parse_signature(str(signature)) == signature


@given(signatures(), st.data())
def test_whitespace_between_tokens_does_not_matter(signature: Signature, data: st.DataObject) -> None:
    def blank() -> str:
        return data.draw(st.sampled_from(["", " ", "  ", "\t"]))

    args = f"{blank()},{blank()}".join(f"{a.name}{blank()}:{blank()}{a.type}" for a in signature.args)
    if signature.returns_tuple:
        result = "(" + f"{blank()},{blank()}".join(signature.returns) + ")"
    else:
        result = signature.returns[0]
    text = f"{blank()}{args}{blank()}->{blank()}{result}{blank()}"
    assert parse_signature(text) == signature


def test_every_scalar_and_array_type_is_supported() -> None:
    assert set(SUPPORTED_TYPES) == set(ARRAY_TYPES) | set(SCALAR_TYPES)
    for t in SUPPORTED_TYPES:
        assert parse_signature(f"x: f64[], y: {t} -> {t}").args[1].type == t


# A pandas DataFrame argument: `frame[...]` names the columns the kernel takes.

FRAME = Arg("bars", "frame", columns=("high", "low", "close"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bars: frame[high, low, close] -> f64[]", Signature((FRAME,), ("f64[]",), False)),
        ("bars:frame[ high,low ,close ]->f64[]", Signature((FRAME,), ("f64[]",), False)),
        (
            "bars: frame[close], window: usize -> (f64[], f64)",
            Signature(
                (Arg("bars", "frame", columns=("close",)), Arg("window", "usize")), ("f64[]", "f64"), True
            ),
        ),
    ],
)
def test_a_frame_parses_with_its_columns_and_prints_canonically(text: str, expected: Signature) -> None:
    parsed = parse_signature(text)
    assert parsed == expected
    assert parse_signature(str(parsed)) == parsed
    assert str(parsed.args[0]).startswith("bars: frame[")
    assert parsed.args[0].is_frame and not parsed.args[0].is_array


def test_a_frame_alone_is_enough_array_input() -> None:
    assert str(parse_signature("bars: frame[close] -> f64")) == "bars: frame[close] -> f64"


@pytest.mark.parametrize(
    ("text", "column", "reason"),
    [
        (
            "bars: frame -> f64[]",
            6,
            "a frame names the columns the kernel takes: frame[open, high, low, close]",
        ),
        ("bars: frame[] -> f64[]", 12, "expected a column name, found ']'"),
        ("bars: frame[high low] -> f64[]", 17, "expected ',' or ']', found 'low'"),
        ("bars: frame[high, high] -> f64[]", 18, "duplicate column 'high'"),
        (
            "bars: frame[Close, close] -> f64[]",
            19,
            "duplicate column 'close': a frame's column is an argument",
        ),
        ("bars: frame[bars] -> f64[]", 12, "duplicate column 'bars'"),
        ("close: f64[], bars: frame[close] -> f64[]", 26, "duplicate column 'close'"),
        (
            "bars: frame[close], close: f64[] -> f64[]",
            20,
            "duplicate argument name 'close': a frame's column is an argument of that name",
        ),
        ("bars: frame[np] -> f64[]", 12, "column 'np' is used by the generated code; choose another"),
        (
            "bars: frame[Type] -> f64[]",
            12,
            "column 'Type' would be the kernel's argument 'type', a Rust keyword",
        ),
        ("bars: frame[high-low] -> f64[]", 16, "expected ',' or ']', found '-'"),
        (
            "bars: frame[close] -> frame[close]",
            22,
            "a frame is an argument, never a result: a result of one value per row is f64[]",
        ),
        (
            "bars: DataFrame -> f64[]",
            6,
            "did you mean frame[COLUMN, ...], naming the columns the kernel takes?",
        ),
    ],
)
def test_frame_refusals_point_at_the_column(text: str, column: int, reason: str) -> None:
    with pytest.raises(SignatureError) as caught:
        parse_signature(text)
    assert caught.value.column == column, str(caught.value)
    assert reason in caught.value.reason


def test_a_columns_label_is_the_dataframes_and_its_argument_is_in_lower_case() -> None:
    bars = parse_signature("bars: frame[Open, High, Low, Close, time] -> f64[]").args[0]
    assert bars.columns == ("Open", "High", "Low", "Close", "time")  # `open`, `time`: harmless as columns
    assert bars.column_args == ("open", "high", "low", "close", "time")


DEFAULTS = [
    # Python's own spelling of the example: a Parabolic SAR's acceleration factors.
    (
        "high: f64[], low: f64[], iaf: f64 = 0.02, maxaf: f64 = 0.2 -> f64[]",
        "high: f64[], low: f64[], iaf: f64 = 0.02, maxaf: f64 = 0.2 -> f64[]",
    ),
    ("x: f64[], period: i64 = 14 -> f64[]", "x: f64[], period: i64 = 14 -> f64[]"),
    ("x: f64[], period:i64=-14->f64", "x: f64[], period: i64 = -14 -> f64"),
    ("x: f64[], n: usize = 0 -> f64", "x: f64[], n: usize = 0 -> f64"),
    ("x: f64[], flag: bool = true -> f64", "x: f64[], flag: bool = true -> f64"),
    ("x: f64[], flag: bool = True -> f64", "x: f64[], flag: bool = true -> f64"),
    ("x: f64[], flag: bool = False -> f64", "x: f64[], flag: bool = false -> f64"),
    # An int literal fits an f64, printed as the float it is; floats as Python's repr prints them.
    ("x: f64[], a: f64 = 14 -> f64", "x: f64[], a: f64 = 14.0 -> f64"),
    ("x: f64[], a: f64 = .5 -> f64", "x: f64[], a: f64 = 0.5 -> f64"),
    ("x: f64[], a: f64 = 1E-3 -> f64", "x: f64[], a: f64 = 0.001 -> f64"),
    ("x: f64[], a: f64 = +2.50 -> f64", "x: f64[], a: f64 = 2.5 -> f64"),
    ("x: f64[], a: f64 = 1e300 -> f64", "x: f64[], a: f64 = 1e+300 -> f64"),
    (
        "x: f64[], a: f64 = nan, b: f64 = inf, c: f64 = -inf -> f64",
        "x: f64[], a: f64 = nan, b: f64 = inf, c: f64 = -inf -> f64",
    ),
    ("x: f64[], a: f64 = NaN -> f64", "x: f64[], a: f64 = nan -> f64"),
    ("x: f64[], a: i64 = 9223372036854775807 -> f64", "x: f64[], a: i64 = 9223372036854775807 -> f64"),
    ("x: f64[], a: i64 = -9223372036854775808 -> f64", "x: f64[], a: i64 = -9223372036854775808 -> f64"),
]


@pytest.mark.parametrize(("text", "canonical"), DEFAULTS)
def test_defaults_parse_and_print_canonically(text: str, canonical: str) -> None:
    parsed = parse_signature(text)
    assert str(parsed) == canonical
    assert parse_signature(canonical) == parsed


def test_a_default_is_kept_on_its_argument_with_its_python_spelling() -> None:
    parsed = parse_signature("x: f64[], a: f64 = 0.02, n: i64 = 14, f: bool = true, z: f64 = -inf -> f64")
    assert [(a.name, a.default, a.py_default) for a in parsed.args] == [
        ("x", None, None),
        ("a", "0.02", "0.02"),
        ("n", "14", "14"),
        ("f", "true", "True"),
        ("z", "-inf", 'float("-inf")'),
    ]
    assert parsed.without_defaults() == parse_signature("x: f64[], a: f64, n: i64, f: bool, z: f64 -> f64")


BAD_DEFAULTS = [
    ("x: f64[] = 1 -> f64", 11, "an array argument (f64[]) takes no default"),
    ("x: f64[], y: f64[,] = 0 -> f64", 22, "an array argument (f64[,]) takes no default"),
    ("x: f64[], a: i64 = 0.5 -> f64", 19, "an i64 default is an integer literal, not '0.5'"),
    ("x: f64[], a: i64 = 1e3 -> f64", 19, "an i64 default is an integer literal, not '1e3'"),
    ("x: f64[], a: i64 = true -> f64", 19, "an i64 default is an integer literal, not 'true'"),
    ("x: f64[], a: i64 = 9223372036854775808 -> f64", 19, "outside i64's range"),
    ("x: f64[], a: usize = -1 -> f64", 21, "the default -1 is outside usize's range"),
    ("x: f64[], a: f64 = 1e999 -> f64", 19, "beyond f64's range: write inf or -inf if you mean it"),
    ("x: f64[], a: f64 = true -> f64", 19, "an f64 default is a number, nan, inf or -inf, not 'true'"),
    ("x: f64[], a: bool = 1 -> f64", 20, "a bool default is true or false, not '1'"),
    ("x: f64[], a: f64 = -> f64", 19, "expected a default value after '=', found '->'"),
    ("x: f64[], a: f64 = 'x' -> f64", 19, "expected a default value after '=', found \"'\""),
    ("x: f64[], a: f64 = 1, b: f64 -> f64", 22, "'b' has no default but follows 'a', which has one"),
    ("x: f64[], a: f64 = 1, y: f64[] -> f64", 22, "'y' has no default but follows 'a', which has one"),
    ("x: f64[], a: f64 = 1 2 -> f64", 21, "expected ',' or '->', found '2'"),
    # A frame is required: it takes no default, and cannot follow an argument that has one.
    ("bars: frame[close] = 1 -> f64", 19, "a frame argument takes no default: 'bars' is required"),
    ("bars: frame[close]=nan -> f64", 18, "a frame argument takes no default"),
    (
        "x: f64[], a: f64 = 1, bars: frame[close] -> f64",
        22,
        "'bars' has no default but follows 'a', which has one",
    ),
]


def test_a_frame_then_defaults_parse_and_print_canonically() -> None:
    text = "bars: frame[High, low], iaf: f64 = 0.02, n: usize = 3 -> f64[]"
    parsed = parse_signature(text)
    assert str(parsed) == text
    assert [(a.name, a.default, a.columns) for a in parsed.args] == [
        ("bars", None, ("High", "low")),
        ("iaf", "0.02", ()),
        ("n", "3", ()),
    ]
    assert parse_signature(text.replace(" = ", "=")) == parsed


@pytest.mark.parametrize(("text", "column", "reason"), BAD_DEFAULTS)
def test_a_default_that_does_not_fit_is_refused_at_its_column(text: str, column: int, reason: str) -> None:
    with pytest.raises(SignatureError) as caught:
        parse_signature(text)
    assert caught.value.column == column, caught.value
    assert reason in caught.value.reason


_defaults = {
    "f64": st.floats(allow_infinity=True, allow_nan=True).map(lambda v: "nan" if v != v else repr(v)),
    "i64": st.integers(-(2**63), 2**63 - 1).map(str),
    "usize": st.integers(0, 2**64 - 1).map(str),
    "bool": st.sampled_from(["true", "false"]),
}


@given(signatures(), st.data())
def test_parse_is_the_inverse_of_str_with_defaults(signature: Signature, data: st.DataObject) -> None:
    # Defaults on a suffix of the arguments, when that suffix is all scalars.
    args = list(signature.args)
    start = data.draw(st.integers(0, len(args)))
    if all(not a.is_array for a in args[start:]):
        args[start:] = [Arg(a.name, a.type, default=data.draw(_defaults[a.type])) for a in args[start:]]
    with_defaults = Signature(tuple(args), signature.returns, signature.returns_tuple)
    assert parse_signature(str(with_defaults)) == with_defaults
