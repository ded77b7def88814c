import numpy as np
import numpy.typing as npt

{% include "function/stub.pyi.j2" %}
