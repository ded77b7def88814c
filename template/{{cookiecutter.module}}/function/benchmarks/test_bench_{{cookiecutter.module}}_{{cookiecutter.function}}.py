{% import "layout.j2" as layout %}
{% import "types.j2" as types %}
{% set sig = cookiecutter._sig %}
{% set f = cookiecutter.function %}
"""Benchmark of `{{ f }}` (module {{ cookiecutter.module }}).

The compiled kernel against the numpy fallback, one group per size so that each size's
timings print side by side:
    pytest benchmarks/ --benchmark-only
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

# isort: split
import rust_bridge

MODULE = "{{ cookiecutter.module }}"
FUNCTION = "{{ f }}"
SIZES = [1_000, 100_000, 1_000_000]


def _inputs(n: int) -> dict[str, Any]:
    rng = np.random.default_rng(n)
    return {
{% for a in sig.args %}
        "{{ a.name }}": {{ types.py_random[a.type] if a.is_array else types.py_fixed[a.type] }},
{% endfor %}
    }


#: What `devtool bench` times: "module.function" -> the keyword arguments of size n.
BENCH_CASES = {f"{MODULE}.{FUNCTION}": _inputs}


@pytest.mark.parametrize("backend", ["rust", "python"])
@pytest.mark.parametrize("n", SIZES)
{{ layout.py_def("test_bench_" ~ f, ["benchmark: Any", "n: int", "backend: str"], "None") }}
    kwargs = _inputs(n)
    benchmark.group = f"{MODULE}.{FUNCTION} n={n:,}"
    benchmark.extra_info.update(backend=backend, size=n)
{{ layout.py_call(4, "benchmark", ["rust_bridge." ~ f, "**kwargs", "backend=backend"]) }}
