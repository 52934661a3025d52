{% include "databases/" ~ cookiecutter.database ~ "/changes.py.j2" %}
