{% include "function/bridge.py.j2" %}
