{% include "function/stub.pyi.j2" %}
