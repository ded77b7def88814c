import numpy as np
import numpy.typing as npt

__all__: list[str] = []
{% include "function/stub.pyi.j2" %}
