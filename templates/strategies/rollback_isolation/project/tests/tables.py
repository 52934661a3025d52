{% include "tables.py.j2" %}
