"""Which module, function and argument names devtool accepts, and the one-line reasons it refuses the rest."""

from __future__ import annotations

import keyword

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devtool.errors import UsageError
from devtool.names import ENGINE_RESERVED, MAX_LENGTH, check_identifier, check_module_name


@pytest.mark.parametrize("name", ["sma", "zscore", "rolling_mean", "ema2", "fast_calculation", "x"])
def test_accepts_snake_case_names(name: str) -> None:
    assert check_identifier(name, "function name") == name
    assert check_module_name(name) == name


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "is empty"),
        ("Sma", "not snake_case"),
        ("2fast", "not snake_case"),
        ("_private", "not snake_case"),
        ("rolling-mean", "not snake_case"),
        ("rolling__mean", "no '__'"),
        ("mean_", "no trailing '_'"),
        ("async", "Rust keyword"),
        ("gen", "Rust keyword"),
        ("macro_rules", "Rust keyword"),
        ("union", "Rust keyword"),
        ("typeof", "Rust keyword"),
        ("self", "Rust keyword"),
        ("crate", "Rust keyword"),
        ("lambda", "Python keyword"),
        ("case", "Python keyword"),
        ("nonlocal", "Python keyword"),
        ("list", "Python builtin"),
        ("sum", "Python builtin"),
        ("math", "standard-library module"),
        ("statistics", "standard-library module"),
        ("test", "Rust standard crate"),
        ("signal", "standard-library module"),
        ("std", "Rust standard crate"),
        ("core", "Rust standard crate"),
        ("alloc", "Rust standard crate"),
        ("proc_macro", "Rust standard crate"),
    ],
)
def test_refuses_with_a_reason_naming_what_and_the_name(name: str, reason: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_identifier(name, "function name")
    message = str(caught.value)
    assert message.startswith(f"function name {name!r} ")
    assert reason in message
    assert "\n" not in message
    assert caught.value.exit_code == 2


def test_builtin_refusal_reads_as_one_sentence() -> None:
    with pytest.raises(UsageError, match=r"^module name 'list' shadows a Python builtin$"):
        check_module_name("list")


def test_refuses_names_longer_than_the_limit() -> None:
    assert check_identifier("a" * MAX_LENGTH, "module name")
    with pytest.raises(UsageError, match=f"longer than {MAX_LENGTH}"):
        check_identifier("a" * (MAX_LENGTH + 1), "module name")


@pytest.mark.parametrize("name", sorted(ENGINE_RESERVED))
def test_module_name_refuses_what_the_engine_layout_uses(name: str) -> None:
    with pytest.raises(UsageError, match=f"module name '{name}'"):
        check_module_name(name)


def test_engine_reserved_names_are_fine_for_functions_when_otherwise_valid() -> None:
    assert check_identifier("rayon", "function name") == "rayon"


@given(st.from_regex(r"[a-z][a-z0-9_]{0,44}", fullmatch=True))
def test_every_accepted_name_is_a_plain_identifier_in_both_languages(name: str) -> None:
    try:
        check_module_name(name)
    except UsageError as err:
        assert str(err).startswith(f"module name {name!r} ")
        assert "\n" not in str(err)
        return
    assert name.isidentifier() and not keyword.iskeyword(name) and not keyword.issoftkeyword(name)
    assert "__" not in name and not name.endswith("_") and len(name) <= MAX_LENGTH
