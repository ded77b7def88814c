"""`rust_bridge._testing.assert_ulp_close`, the assertion of the float parity tests."""

from __future__ import annotations

import numpy as np
import pytest

from rust_bridge._testing import assert_ulp_close

ONE_ULP_ABOVE_1 = np.nextafter(1.0, 2.0)


def test_passes_within_the_bound_with_nan_and_infinities_in_place() -> None:
    expected = np.array([1.0, np.nan, np.inf, -np.inf, 0.0])
    actual = np.array([ONE_ULP_ABOVE_1, np.nan, np.inf, -np.inf, -0.0])
    assert_ulp_close(actual, expected, max_ulp=1)


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ([np.nextafter(ONE_ULP_ABOVE_1, 2.0)], [1.0]),  # 2 ulps
        ([np.nan], [1.0]),
        ([1.0], [np.nan]),
        ([np.finfo(np.float64).max], [np.inf]),  # 1 ulp apart to assert_array_max_ulp
        ([np.inf], [-np.inf]),
    ],
    ids=["2-ulps", "nan-for-a-number", "a-number-for-nan", "max-for-inf", "inf-for-minus-inf"],
)
def test_fails_beyond_the_bound_or_on_special_values(actual: list[float], expected: list[float]) -> None:
    with pytest.raises(AssertionError):
        assert_ulp_close(np.array(actual), np.array(expected), max_ulp=1)


def test_fails_on_another_dtype_or_shape() -> None:
    with pytest.raises(AssertionError, match="dtype and shape"):
        assert_ulp_close(np.ones(2, np.float32), np.ones(2), max_ulp=1)
    with pytest.raises(AssertionError, match="dtype and shape"):
        assert_ulp_close(np.ones(3), np.ones(2), max_ulp=1)
