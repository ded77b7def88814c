{% set py = cookiecutter._model.python %}
{% set f = cookiecutter.function %}
{% set py_source = cookiecutter._source %}
"""Benchmark of `{{ f }}` (module {{ cookiecutter.module }}).

{% if py_source %}
The compiled kernel against the Python function it was made from, one group per size so that
each size's timings print side by side (Rust is skipped while its kernel is unwritten):
{% else %}
The compiled kernel against the numpy fallback, one group per size so that each size's
timings print side by side:
{% endif %}
    pytest benchmarks/ --benchmark-only
"""

from __future__ import annotations

from typing import Any

import pytest

# isort: split
import rust_bridge
{% if py_source %}
from rust_bridge import _native, _testing
{% else %}
from rust_bridge import _testing
{% endif %}

MODULE = "{{ cookiecutter.module }}"
FUNCTION = "{{ f }}"
{% if py_source %}
# Smaller than usual: the Python side is the Python function, where a million points take seconds.
SIZES = [1_000, 10_000, 100_000]
{% else %}
SIZES = [1_000, 100_000, 1_000_000]
{% endif %}

# The arguments' types: _testing.draw shapes the data by them and by the names, as the tests do.
ARG_TYPES = {
{% for name, type in py.arg_types %}
    "{{ name }}": {{ type }},
{% endfor %}
}


def _inputs(n: int) -> dict[str, Any]:
    return _testing.draw(ARG_TYPES, n, seed=n)


#: What `devtool bench` times: "module.function" -> the keyword arguments of size n.
BENCH_CASES = {f"{MODULE}.{FUNCTION}": _inputs}


@pytest.mark.parametrize("backend", ["rust", "python"])
@pytest.mark.parametrize("n", SIZES)
def test_bench_{{ f }}(benchmark: Any, n: int, backend: str) -> None:
{% if py_source %}
    native = _native.native_module(MODULE)
    if backend == "rust" and _native.is_unwritten(native, FUNCTION):
        pytest.skip("the Rust kernel is not written yet")
{% endif %}
    kwargs = _inputs(n)
    benchmark.group = f"{MODULE}.{FUNCTION} n={n:,}"
    benchmark.extra_info.update(backend=backend, size=n)
    benchmark(rust_bridge.{{ f }}, **kwargs, backend=backend)
