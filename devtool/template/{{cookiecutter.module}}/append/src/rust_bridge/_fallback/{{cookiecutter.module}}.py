{% include "function/fallback.py.j2" %}
