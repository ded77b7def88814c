"""The orders rustfmt and ruff keep, so a new line goes where the formatter would put it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

_Ordered = TypeVar("_Ordered", str, int)


def natord(a: str, b: str) -> int:
    """Natural order as ruff's isort and RUF022 use it (the `natord` crate): digit runs compare as numbers."""
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i].isdigit() and b[j].isdigit():
            i2, j2 = _digit_end(a, i), _digit_end(b, j)
            left, right = a[i:i2], b[j:j2]
            if "0" in (left[0], right[0]):  # a leading zero compares digit by digit, like a fraction
                order = _cmp(left, right)
            else:
                order = _cmp(len(left), len(right)) or _cmp(left, right)
            if order:
                return order
            i, j = i2, j2
        elif a[i] != b[j]:
            return _cmp(a[i], b[j])
        else:
            i, j = i + 1, j + 1
    return _cmp(len(a) - i, len(b) - j)


def _digit_end(text: str, start: int) -> int:
    end = start
    while end < len(text) and text[end].isdigit():
        end += 1
    return end


def _cmp(a: _Ordered, b: _Ordered) -> int:
    return (a > b) - (a < b)


def _member_type(name: str) -> int:
    """isort's "order by type": CONSTANTS, then Classes, then everything else."""
    if len(name) > 1 and name.isupper():
        return 0
    return 1 if name[:1].isupper() else 2


def isort_cmp(a: str, b: str) -> int:
    """How ruff's isort orders the names of one `from` import, and RUF022 the entries of `__all__`."""
    return _cmp(_member_type(a), _member_type(b)) or natord(a.lower(), b.lower()) or _cmp(a, b)


def module_cmp(a: str, b: str) -> int:
    """How ruff's isort orders the modules of `from .<module> import` statements."""
    return natord(a.lower(), b.lower()) or _cmp(a, b)


def first_after(names: Sequence[str], name: str, cmp: Callable[[str, str], int] = isort_cmp) -> int | None:
    """The index of the first of `names` that sorts after `name` in the order `cmp`, or None."""
    return next((i for i, other in enumerate(names) if cmp(other, name) > 0), None)
