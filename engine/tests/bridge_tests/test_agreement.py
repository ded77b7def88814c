"""rust_bridge._agreement: the inputs and the verdict of a translated kernel's parity test."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

from rust_bridge import _agreement


def bridge(rust: Any, python: Any) -> Any:
    """A stand-in for a bridge function: `rust` and `python` are what each backend does."""

    def function(values: np.ndarray, k: int, *, backend: str) -> Any:
        return (rust if backend == "rust" else python)(values, k)

    return function


def raises(err: type[Exception]) -> Any:
    def function(values: np.ndarray, k: int) -> Any:
        raise err("no")

    return function


def cumsum(values: np.ndarray, k: int) -> np.ndarray:
    return np.cumsum(values) + k


KWARGS = {"values": np.array([1.0, np.nan, 3.0]), "k": 2}


def test_the_same_results_or_the_same_exception_type_agree() -> None:
    _agreement.check(bridge(cumsum, cumsum), KWARGS)
    _agreement.check(bridge(raises(IndexError), raises(IndexError)), KWARGS)


@pytest.mark.parametrize(
    ("rust", "python", "shown"),
    [
        (lambda v, k: np.cumsum(v) - k, cumsum,
         "python: np.array([ 3., nan, nan]); rust: np.array([-1., nan, nan])"),
        (raises(ValueError), raises(IndexError), "python: IndexError('no'); rust: ValueError('no')"),
        (cumsum, raises(ZeroDivisionError),
         "python: ZeroDivisionError('no'); rust: np.array([ 3., nan, nan])"),
    ],
)  # fmt: skip
def test_a_disagreement_names_the_input_and_both_results(rust: Any, python: Any, shown: str) -> None:
    with pytest.raises(AssertionError) as err:
        _agreement.check(bridge(rust, python), KWARGS)
    assert str(err.value) == f"counterexample: values=np.array([ 1., nan,  3.]), k=2; {shown}"


@settings(max_examples=50, deadline=None, database=None)
@given(kwargs=_agreement.arguments({"a": "f64[]", "b": "i64[]", "w": "f64[*]", "n": "usize", "x": "f64"}))
def test_arrays_share_a_length_and_scalars_have_their_types(kwargs: dict[str, Any]) -> None:
    assert len(kwargs["a"]) == len(kwargs["b"]) <= _agreement.MAX_LEN
    assert (kwargs["a"].dtype, kwargs["b"].dtype, kwargs["w"].dtype) == (np.float64, np.int64, np.float64)
    assert isinstance(kwargs["n"], int) and kwargs["n"] >= 0 and isinstance(kwargs["x"], float)
